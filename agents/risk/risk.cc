#include "agents/risk/risk.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "domain/rules.h"

namespace concord::risk {
namespace {

const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE risk_cases(
        case_key TEXT PRIMARY KEY,       -- ledger number or the agency's case reference
        agency TEXT NOT NULL,            -- responsible now
        matter TEXT NOT NULL DEFAULT '',
        case_ref TEXT NOT NULL DEFAULT '',
        handler TEXT NOT NULL DEFAULT '',
        people INTEGER NOT NULL DEFAULT 1,
        repeats INTEGER NOT NULL DEFAULT 0,
        overdue_since_ms INTEGER NOT NULL DEFAULT 0,
        contested INTEGER NOT NULL DEFAULT 0,
        major INTEGER NOT NULL DEFAULT 0,
        open INTEGER NOT NULL DEFAULT 1,
        level TEXT NOT NULL DEFAULT '',  -- '' before the first assessment
        score INTEGER NOT NULL DEFAULT 0,
        factors_json TEXT NOT NULL DEFAULT '[]',
        first_ms INTEGER NOT NULL,
        level_since_ms INTEGER NOT NULL DEFAULT 0,
        resolved_ms INTEGER NOT NULL DEFAULT 0,
        updated_ms INTEGER NOT NULL);
      CREATE INDEX risk_cases_open ON risk_cases(agency) WHERE open = 1;
      -- Each agency's latest risk form for a case ("no risk" is recorded too).
      CREATE TABLE risk_reports(
        case_key TEXT NOT NULL,
        agency TEXT NOT NULL,
        factors TEXT NOT NULL,           -- ids, comma-separated
        no_risk INTEGER NOT NULL,
        note TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        PRIMARY KEY(case_key, agency));
      CREATE TABLE risk_levels(
        n INTEGER PRIMARY KEY,
        case_key TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        from_level TEXT NOT NULL,
        to_level TEXT NOT NULL,
        score INTEGER NOT NULL);
      CREATE TABLE risk_screening_months(
        month TEXT PRIMARY KEY,
        at_ms INTEGER NOT NULL);
      CREATE TABLE risk_screenings(
        month TEXT NOT NULL,
        agency TEXT NOT NULL,
        open INTEGER NOT NULL,
        new_risks INTEGER NOT NULL,
        resolved INTEGER NOT NULL,
        long_overdue INTEGER NOT NULL,
        markdown TEXT NOT NULL,
        csv TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        PRIMARY KEY(month, agency));
      )sql",
      // 2: a form under a case reference finds the ledger item that has it.
      R"sql(
      CREATE INDEX risk_cases_ref ON risk_cases(case_ref) WHERE case_ref != '';
      CREATE INDEX risk_levels_case ON risk_levels(case_key, at_ms);
      )sql",
      // 3: what each screening counted as open (so that the next one knows
      // what is new and what was resolved), and the agencies that handle a
      // case (who may send its risk forms).
      R"sql(
      CREATE TABLE risk_screened(
        month TEXT NOT NULL,
        case_key TEXT NOT NULL,
        PRIMARY KEY(month, case_key));
      -- What the last screening held before this version counted, from the
      -- history: open then, and yellow or red by the last change before it.
      INSERT INTO risk_screened(month, case_key)
        SELECT m.month, c.case_key FROM risk_screening_months m, risk_cases c
        WHERE m.at_ms = (SELECT max(at_ms) FROM risk_screening_months)
          AND c.first_ms < m.at_ms AND (c.resolved_ms = 0 OR c.resolved_ms >= m.at_ms)
          AND (SELECT l.to_level FROM risk_levels l WHERE l.case_key = c.case_key AND l.at_ms < m.at_ms
               ORDER BY l.at_ms DESC, l.n DESC LIMIT 1) IN ('yellow', 'red');
      CREATE INDEX risk_levels_at ON risk_levels(at_ms) WHERE to_level IN ('yellow', 'red');
      CREATE TABLE risk_case_agencies(
        case_key TEXT NOT NULL,
        agency TEXT NOT NULL,
        PRIMARY KEY(case_key, agency));
      INSERT OR IGNORE INTO risk_case_agencies SELECT case_key, agency FROM risk_cases;
      INSERT OR IGNORE INTO risk_case_agencies SELECT case_key, agency FROM risk_reports;
      )sql",
  };
  return kMigrations;
}

// The same book on PostgreSQL, in one step (common/sql.h).
const std::vector<std::string>& PostgresqlMigrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE risk_cases(
        case_key TEXT PRIMARY KEY,
        agency TEXT NOT NULL,
        matter TEXT NOT NULL DEFAULT '',
        case_ref TEXT NOT NULL DEFAULT '',
        handler TEXT NOT NULL DEFAULT '',
        people BIGINT NOT NULL DEFAULT 1,
        repeats BIGINT NOT NULL DEFAULT 0,
        overdue_since_ms BIGINT NOT NULL DEFAULT 0,
        contested BIGINT NOT NULL DEFAULT 0,
        major BIGINT NOT NULL DEFAULT 0,
        open BIGINT NOT NULL DEFAULT 1,
        level TEXT NOT NULL DEFAULT '',
        score BIGINT NOT NULL DEFAULT 0,
        factors_json TEXT NOT NULL DEFAULT '[]',
        first_ms BIGINT NOT NULL,
        level_since_ms BIGINT NOT NULL DEFAULT 0,
        resolved_ms BIGINT NOT NULL DEFAULT 0,
        updated_ms BIGINT NOT NULL);
      CREATE INDEX risk_cases_open ON risk_cases(agency) WHERE open = 1;
      CREATE INDEX risk_cases_ref ON risk_cases(case_ref) WHERE case_ref != '';
      CREATE TABLE risk_reports(
        case_key TEXT NOT NULL,
        agency TEXT NOT NULL,
        factors TEXT NOT NULL,
        no_risk BIGINT NOT NULL,
        note TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        PRIMARY KEY(case_key, agency));
      CREATE TABLE risk_levels(
        n BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        case_key TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        from_level TEXT NOT NULL,
        to_level TEXT NOT NULL,
        score BIGINT NOT NULL);
      CREATE INDEX risk_levels_case ON risk_levels(case_key, at_ms);
      CREATE INDEX risk_levels_at ON risk_levels(at_ms) WHERE to_level IN ('yellow', 'red');
      CREATE TABLE risk_screening_months(
        month TEXT PRIMARY KEY,
        at_ms BIGINT NOT NULL);
      CREATE TABLE risk_screenings(
        month TEXT NOT NULL,
        agency TEXT NOT NULL,
        open BIGINT NOT NULL,
        new_risks BIGINT NOT NULL,
        resolved BIGINT NOT NULL,
        long_overdue BIGINT NOT NULL,
        markdown TEXT NOT NULL,
        csv TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        PRIMARY KEY(month, agency));
      CREATE TABLE risk_screened(
        month TEXT NOT NULL,
        case_key TEXT NOT NULL,
        PRIMARY KEY(month, case_key));
      CREATE TABLE risk_case_agencies(
        case_key TEXT NOT NULL,
        agency TEXT NOT NULL,
        PRIMARY KEY(case_key, agency));
      )sql",
  };
  return kMigrations;
}

std::optional<Level> LevelFromName(const std::string& s) {
  for (Level l : {Level::kGreen, Level::kYellow, Level::kRed})
    if (s == LevelName(l)) return l;
  return std::nullopt;
}

std::string FactorsJson(const std::vector<FactorHit>& hits) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hits)
    out.push_back({{"id", h.id}, {"name", h.name}, {"weight", h.weight}, {"reason", h.reason}});
  return out.dump();
}

std::vector<FactorHit> FactorsFromJson(const std::string& text) {
  std::vector<FactorHit> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& h : j)
      out.push_back(
          {h.value("id", ""), h.value("name", ""), h.value("weight", 0), h.value("reason", "")});
  return out;
}

std::string CsvField(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The columns every CaseRisk read uses.
constexpr const char* kCaseColumns =
    "case_key, agency, matter, handler, level, score, factors_json, open, first_ms, "
    "level_since_ms, resolved_ms, "
    "overdue_since_ms";

CaseRisk ReadCase(sql::Stmt& st) {
  CaseRisk c;
  c.case_key = st.Text(0);
  c.agency = st.Text(1);
  c.matter = st.Text(2);
  c.handler = st.Text(3);
  c.assessment.level = LevelFromName(st.Text(4)).value_or(Level::kGreen);
  c.assessment.score = static_cast<int>(st.Int(5));
  c.assessment.factors = FactorsFromJson(st.Text(6));
  c.open = st.Int(7) != 0;
  c.first_ms = st.Int(8);
  c.level_since_ms = st.Int(9);
  c.resolved_ms = st.Int(10);
  c.overdue_since_ms = st.Int(11);
  c.previous = c.assessment.level;
  return c;
}

}  // namespace

const std::vector<std::string>& RiskBook::Schema() { return Migrations(); }
const std::vector<std::string>& RiskBook::PostgresqlSchema() { return PostgresqlMigrations(); }

absl::StatusOr<std::unique_ptr<RiskBook>> RiskBook::Open(sql::Db& db, FactorTable table,
                                                         HolidayCalendar calendar) {
  RETURN_IF_ERROR(db.Migrate("risk", Migrations(), PostgresqlMigrations()));
  return std::unique_ptr<RiskBook>(new RiskBook(db, std::move(table), std::move(calendar)));
}

absl::StatusOr<CaseRisk> RiskBook::Update(const Snapshot& s, int64_t now_ms) {
  if (s.ledger_no.empty()) return absl::InvalidArgumentError("缺少台账号 / ledger_no is required");
  ASSIGN_OR_RETURN(auto before, db_.Prepare("SELECT agency FROM risk_cases WHERE case_key=?"));
  before.Bind(1, s.ledger_no);
  ASSIGN_OR_RETURN(bool had, before.Step());
  const std::string previous_agency = had ? before.Text(0) : "";
  before.Reset();
  if (!s.case_ref.empty() && s.case_ref != s.ledger_no) {
    // A record kept under the case reference (forms sent before the ledger
    // knew it) joins the ledger item: re-keyed, so its level and history stay
    // (no second warning), or merged into the item's record.
    ASSIGN_OR_RETURN(auto by_ref, db_.Prepare("SELECT 1 FROM risk_cases WHERE case_key=?"));
    by_ref.Bind(1, s.case_ref);
    ASSIGN_OR_RETURN(bool separate, by_ref.Step());
    by_ref.Reset();
    if (separate) {
      for (const char* sql :
           {had ? "DELETE FROM risk_cases WHERE case_key=?2"
                : "UPDATE risk_cases SET case_key=?1 WHERE case_key=?2",
            // An agency's form under the reference replaces its form under the item.
            "DELETE FROM risk_reports WHERE case_key=?1 AND agency IN "
            "(SELECT agency FROM risk_reports WHERE case_key=?2)",
            "UPDATE risk_reports SET case_key=?1 WHERE case_key=?2",
            "UPDATE risk_levels SET case_key=?1 WHERE case_key=?2",
            "INSERT INTO risk_screened(month, case_key) SELECT month, ?1 FROM risk_screened "
            "WHERE case_key=?2 ON CONFLICT DO NOTHING",
            "DELETE FROM risk_screened WHERE case_key=?2",
            "INSERT INTO risk_case_agencies(case_key, agency) SELECT ?1, agency FROM "
            "risk_case_agencies WHERE case_key=?2 ON CONFLICT DO NOTHING",
            "DELETE FROM risk_case_agencies WHERE case_key=?2"}) {
        ASSIGN_OR_RETURN(auto move, db_.Prepare(sql));
        move.Bind(1, s.ledger_no).Bind(2, s.case_ref);
        RETURN_IF_ERROR(move.Run());
      }
    }
  }
  ASSIGN_OR_RETURN(
      auto up,
      db_.Prepare("INSERT INTO risk_cases(case_key, agency, matter, case_ref, handler, people, "
                  "repeats, overdue_since_ms, "
                  "contested, major, open, first_ms, updated_ms) "
                  "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?12) "
                  "ON CONFLICT(case_key) DO UPDATE SET agency=?2, matter=?3, case_ref=?4, "
                  "handler=?5, people=?6, repeats=?7, "
                  "overdue_since_ms=?8, contested=?9, major=?10, open=?11, updated_ms=?12"));
  up.BindAll(s.ledger_no, s.agency, s.matter, s.case_ref, s.handler, static_cast<int64_t>(s.people),
             static_cast<int64_t>(s.repeats),
             s.overdue ? std::max<int64_t>(1, s.overdue_since_ms) : int64_t{0},
             static_cast<int64_t>(s.contested), static_cast<int64_t>(s.major),
             static_cast<int64_t>(s.open), now_ms);
  RETURN_IF_ERROR(up.Run());
  RETURN_IF_ERROR(AddHandlingAgency(s.ledger_no, s.agency));
  ASSIGN_OR_RETURN(CaseRisk c, Reassess(s.ledger_no, now_ms));
  c.previous_agency = previous_agency;
  return c;
}

absl::StatusOr<CaseRisk> RiskBook::Update(const Report& r, int64_t now_ms) {
  if (r.case_key.empty())
    return absl::InvalidArgumentError("缺少案件或台账号 / case_key is required");
  for (const auto& f : r.factors)
    if (!table_.Knows(f))
      return absl::InvalidArgumentError(
          absl::StrCat("未知的风险因素 / unknown risk factor '", f,
                       "' (known: ", absl::StrJoin(table_.Ids(), ", "), ")"));
  if (r.factors.empty() && !r.no_risk)
    return absl::InvalidArgumentError(
        "请列出风险因素，或注明无风险 / list the factors, or report no risk");
  if (!r.factors.empty() && r.no_risk)
    return absl::InvalidArgumentError(
        "列出了风险因素又注明无风险 / factors listed and no risk reported: one or the other");
  // A case reference the ledger has sent: the form joins that item's record.
  Report joined = r;
  ASSIGN_OR_RETURN(
      auto by_ref,
      db_.Prepare(
          "SELECT case_key FROM risk_cases WHERE case_ref = ?1 AND case_ref != '' AND NOT EXISTS "
          "(SELECT 1 FROM risk_cases WHERE case_key = ?1) ORDER BY open DESC, first_ms DESC LIMIT "
          "1"));
  by_ref.Bind(1, r.case_key);
  ASSIGN_OR_RETURN(bool known, by_ref.Step());
  if (known) joined.case_key = by_ref.Text(0);
  by_ref.Reset();
  // Only the agencies handling a case report on it (the responsible one now
  // and before, those that reported first); the supervisors and convenors on
  // any case. A new key is the sender's own case.
  if (!r.oversees) {
    // A ledger number the ledger has not sent yet: whose it is is not known,
    // so nobody may claim it by reporting first.
    if (ledger::IsLedgerNo(joined.case_key)) {
      ASSIGN_OR_RETURN(
          int64_t known,
          db_.QueryInt("SELECT count(*) FROM risk_cases WHERE case_key=?", joined.case_key));
      if (known == 0)
        return absl::FailedPreconditionError(absl::StrCat(
            "台账尚未同步 ", joined.case_key, "，请稍后再报 / the ledger has not sent ",
            joined.case_key, " yet: send the form again shortly"));
    }
    ASSIGN_OR_RETURN(
        auto handles,
        db_.Prepare("SELECT EXISTS(SELECT 1 FROM risk_cases WHERE case_key=?1), "
                    "EXISTS(SELECT 1 FROM risk_case_agencies WHERE case_key=?1 AND agency=?2)"));
    handles.BindAll(joined.case_key, r.agency);
    RETURN_IF_ERROR(handles.Step().status());
    const bool exists = handles.Int(0) != 0, handling = handles.Int(1) != 0;
    handles.Reset();
    if (exists && !handling)
      return absl::PermissionDeniedError(
          absl::StrCat(r.agency, " 不是 ", joined.case_key, " 的办理单位，不能报送其风险评估 / ",
                       r.agency, " does not handle ", joined.case_key,
                       ": only the agencies handling a case report its risks"));
  }
  return UpdateReport(joined, now_ms);
}

absl::StatusOr<CaseRisk> RiskBook::UpdateReport(const Report& r, int64_t now_ms) {
  ASSIGN_OR_RETURN(auto ins, db_.Prepare("INSERT INTO risk_cases(case_key, agency, matter, "
                                         "first_ms, updated_ms) VALUES(?1,?2,?3,?4,?4) "
                                         "ON CONFLICT(case_key) DO UPDATE SET matter = CASE WHEN "
                                         "risk_cases.matter = '' THEN ?3 ELSE risk_cases.matter "
                                         "END, updated_ms=?4"));
  ins.BindAll(r.case_key, r.agency, r.matter, now_ms);
  RETURN_IF_ERROR(ins.Run());
  ASSIGN_OR_RETURN(
      auto rep,
      db_.Prepare(
          "INSERT INTO risk_reports(case_key, agency, factors, no_risk, note, at_ms) "
          "VALUES(?1,?2,?3,?4,?5,?6) "
          "ON CONFLICT(case_key, agency) DO UPDATE SET factors=?3, no_risk=?4, note=?5, at_ms=?6"));
  rep.BindAll(r.case_key, r.agency, absl::StrJoin(r.factors, ","), static_cast<int64_t>(r.no_risk),
              r.note, now_ms);
  RETURN_IF_ERROR(rep.Run());
  RETURN_IF_ERROR(AddHandlingAgency(r.case_key, r.agency));
  return Reassess(r.case_key, now_ms);
}

absl::Status RiskBook::AddHandlingAgency(const std::string& key, const std::string& agency) {
  ASSIGN_OR_RETURN(
      auto st,
      db_.Prepare("INSERT OR IGNORE INTO risk_case_agencies(case_key, agency) VALUES(?,?)"));
  st.BindAll(key, agency);
  return st.Run();
}

absl::StatusOr<CaseRisk> RiskBook::Reassess(const std::string& key, int64_t now_ms) {
  ASSIGN_OR_RETURN(auto load,
                   db_.Prepare(absl::StrCat(
                       "SELECT ", kCaseColumns,
                       ", people, repeats, contested, major FROM risk_cases WHERE case_key=?")));
  load.Bind(1, key);
  ASSIGN_OR_RETURN(bool found, load.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("没有风险记录 / no risk record for ", key));
  CaseRisk c = ReadCase(load);
  const std::string stored_level = load.Text(4);
  c.previous = LevelFromName(stored_level);
  CaseFacts facts;
  facts.people = static_cast<int>(load.Int(12));
  facts.repeats = static_cast<int>(load.Int(13));
  facts.contested = load.Int(14) != 0;
  facts.major = load.Int(15) != 0;
  facts.matter = c.matter;
  facts.overdue = c.overdue_since_ms > 0;
  facts.overdue_days =
      facts.overdue ? static_cast<int>(std::max<int64_t>(0, now_ms - c.overdue_since_ms) / kDayMs)
                    : 0;
  load.Reset();
  ASSIGN_OR_RETURN(auto reports, db_.Prepare("SELECT agency, factors, note FROM risk_reports WHERE "
                                             "case_key=? AND no_risk=0 ORDER BY agency"));
  reports.Bind(1, key);
  while (true) {
    ASSIGN_OR_RETURN(bool row, reports.Step());
    if (!row) break;
    for (absl::string_view f : absl::StrSplit(reports.Text(1), ',', absl::SkipEmpty()))
      facts.reported.emplace_back(
          std::string(f),
          absl::StrCat(reports.Text(0), reports.Text(2).empty() ? "" : "：", reports.Text(2)));
  }
  c.assessment = table_.Evaluate(facts);
  if (c.changed()) {
    c.level_since_ms = now_ms;
    ASSIGN_OR_RETURN(auto hist, db_.Prepare("INSERT INTO risk_levels(case_key, at_ms, from_level, "
                                            "to_level, score) VALUES(?,?,?,?,?)"));
    hist.BindAll(key, now_ms, stored_level, LevelName(c.assessment.level),
                 static_cast<int64_t>(c.assessment.score));
    RETURN_IF_ERROR(hist.Run());
  }
  if (!c.open && !c.resolved_ms) c.resolved_ms = now_ms;
  if (c.open) c.resolved_ms = 0;  // reopened
  ASSIGN_OR_RETURN(auto save, db_.Prepare("UPDATE risk_cases SET level=?, score=?, factors_json=?, "
                                          "level_since_ms=?, resolved_ms=? WHERE case_key=?"));
  save.BindAll(LevelName(c.assessment.level), static_cast<int64_t>(c.assessment.score),
               FactorsJson(c.assessment.factors), c.level_since_ms, c.resolved_ms, key);
  RETURN_IF_ERROR(save.Run());
  return c;
}

absl::StatusOr<std::vector<CaseRisk>> RiskBook::OpenRisks(const std::string& agency) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare(absl::StrCat(
                                "SELECT ", kCaseColumns,
                                " FROM risk_cases WHERE open = 1 AND (agency = ?1 OR ?1 = '') "
                                "ORDER BY score DESC, case_key")));
  st.Bind(1, agency);
  std::vector<CaseRisk> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadCase(st));
  }
  return out;
}

absl::StatusOr<std::optional<CaseRisk>> RiskBook::Find(const std::string& key) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare(absl::StrCat("SELECT ", kCaseColumns,
                                                     " FROM risk_cases WHERE case_key=?")));
  st.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<CaseRisk>();
  return std::optional<CaseRisk>(ReadCase(st));
}

absl::StatusOr<std::string> RiskBook::ScreeningDue(int64_t now_ms) {
  const Date today = DateOf(now_ms);
  const Date first{today.year() / today.month() / 1};
  if (today < calendar_.NextWorkingDayFrom(first)) return std::string();
  const std::string month = FormatDate(first).substr(0, 7);
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT 1 FROM risk_screening_months WHERE month=?"));
  st.Bind(1, month);
  ASSIGN_OR_RETURN(bool held, st.Step());
  return held ? std::string() : month;
}

absl::StatusOr<std::vector<Screening>> RiskBook::Screen(const std::string& month, int64_t now_ms) {
  // The last screening: what it counted as open, and when it was held.
  std::string last;
  int64_t since = 0;
  {
    ASSIGN_OR_RETURN(
        auto prev,
        db_.Prepare("SELECT month, at_ms FROM risk_screening_months ORDER BY at_ms DESC LIMIT 1"));
    ASSIGN_OR_RETURN(bool any, prev.Step());
    if (any) {
      last = prev.Text(0);
      since = prev.Int(1);
    }
  }
  // A risk is an open case at yellow or red. In the report: every risk now
  // (new when the last screening did not count it), and every case that was a
  // risk at the last screening or became one since and is no longer one
  // (resolved: closed, or back to green).
  ASSIGN_OR_RETURN(auto st,
                   db_.Prepare(absl::StrCat(
                       "SELECT ", kCaseColumns,
                       ", (open = 1 AND level IN ('yellow', 'red')) AS is_risk, "
                       "EXISTS(SELECT 1 FROM risk_screened s WHERE s.month = ?1 AND s.case_key = "
                       "risk_cases.case_key) AS was "
                       "FROM risk_cases WHERE (open = 1 AND level IN ('yellow', 'red')) "
                       "OR case_key IN (SELECT case_key FROM risk_screened WHERE month = ?1) "
                       "OR case_key IN (SELECT case_key FROM risk_levels WHERE at_ms >= ?2 AND "
                       "to_level IN ('yellow', 'red')) "
                       "ORDER BY agency, score DESC, case_key")));
  st.BindAll(last, since);
  struct Row {
    CaseRisk c;
    bool risk = false, was = false;
  };
  std::map<std::string, std::vector<Row>> per_agency;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Row r{ReadCase(st), st.Int(12) != 0, st.Int(13) != 0};
    per_agency[r.c.agency].push_back(std::move(r));
  }
  ASSIGN_OR_RETURN(auto counted,
                   db_.Prepare("INSERT OR IGNORE INTO risk_screened(month, case_key) VALUES(?,?)"));
  std::vector<Screening> out;
  ASSIGN_OR_RETURN(auto save, db_.Prepare("INSERT OR REPLACE INTO risk_screenings(month, agency, "
                                          "open, new_risks, resolved, long_overdue, markdown, csv, "
                                          "at_ms) VALUES(?,?,?,?,?,?,?,?,?)"));
  for (const auto& [agency, cases] : per_agency) {
    Screening s;
    s.month = month;
    s.agency = agency;
    std::string open_rows, new_rows, resolved_rows;
    s.csv =
        "\xEF\xBB\xBF类别 kind,案件 case,事项 matter,等级 level,分数 score,风险因素 "
        "factors,首办责任人 handler,"
        "须办 required\n";
    for (const auto& [c, risk, was] : cases) {
      std::vector<std::string> names;
      for (const auto& f : c.assessment.factors) names.push_back(f.name);
      const std::string level = table_.LevelTitle(c.assessment.level);
      const bool late = risk && c.overdue_since_ms > 0 && now_ms - c.overdue_since_ms > 30 * kDayMs;
      const std::string required =
          !risk ? std::string(c.open ? "降为绿色，继续跟踪 / back to green: keep following"
                                     : "已办结 / closed")
                : absl::StrCat(table_.Required(c.assessment.level),
                               late ? "；逾期超过一个月，报分管副检察长 / over a month late: "
                                      "reported to the deputy chief"
                                    : "");
      const std::string line =
          absl::StrCat("| ", c.case_key, " | ", c.matter, " | ", level, " | ", c.assessment.score,
                       " | ", absl::StrJoin(names, "、"), " | ",
                       c.handler.empty() ? "—" : c.handler, " | ", required, " |\n");
      const char* kind = !risk ? "已化解 resolved" : !was ? "新增 new" : "在办 open";
      if (risk) {
        counted.BindAll(month, c.case_key);
        RETURN_IF_ERROR(counted.Run());
        ++s.open;
        open_rows += line;
        s.long_overdue += late;
        if (!was) {
          ++s.new_risks;
          new_rows += line;
        }
      } else {
        ++s.resolved;
        resolved_rows += line;
      }
      s.csv += absl::StrCat(CsvField(kind), ",", CsvField(c.case_key), ",", CsvField(c.matter), ",",
                            CsvField(level), ",", c.assessment.score, ",",
                            CsvField(absl::StrJoin(names, "、")), ",", CsvField(c.handler), ",",
                            CsvField(required), "\n");
    }
    const std::string header =
        "| 案件 case | 事项 matter | 等级 level | 分数 score | 风险因素 factors | "
        "首办责任人 handler | 须办 required |\n|---|---|---|---|---|---|---|\n";
    auto section = [&](const std::string& title, const std::string& rows) {
      return absl::StrCat("\n## ", title, "\n\n", rows.empty() ? "无 / none\n" : header + rows);
    };
    s.markdown = absl::StrCat(
        "# 隐患月排查 ", month, " ", agency, " / Monthly risk screening\n\n",
        "在办风险 open: ", s.open, "　新增 new: ", s.new_risks, "　已化解 resolved: ", s.resolved,
        "　逾期超过一个月 over a month late: ", s.long_overdue, "\n",
        section("在办风险（按分数）/ Open risks, highest first", open_rows),
        section("上次排查以来新增 / New since the last screening", new_rows),
        section("上次排查以来化解 / Resolved since the last screening", resolved_rows));
    save.BindAll(month, agency, static_cast<int64_t>(s.open), static_cast<int64_t>(s.new_risks),
                 static_cast<int64_t>(s.resolved), static_cast<int64_t>(s.long_overdue), s.markdown,
                 s.csv, now_ms);
    RETURN_IF_ERROR(save.Run());
    out.push_back(std::move(s));
  }
  ASSIGN_OR_RETURN(
      auto held,
      db_.Prepare("INSERT OR REPLACE INTO risk_screening_months(month, at_ms) VALUES(?,?)"));
  held.BindAll(month, now_ms);
  RETURN_IF_ERROR(held.Run());
  return out;
}

absl::StatusOr<std::optional<Screening>> RiskBook::FindScreening(const std::string& month,
                                                                 const std::string& agency) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT open, new_risks, resolved, long_overdue, markdown, "
                                        "csv FROM risk_screenings WHERE month=? AND agency=?"));
  st.BindAll(month, agency);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<Screening>();
  Screening s{month,
              agency,
              static_cast<int>(st.Int(0)),
              static_cast<int>(st.Int(1)),
              static_cast<int>(st.Int(2)),
              static_cast<int>(st.Int(3)),
              st.Text(4),
              st.Text(5)};
  return std::optional<Screening>(std::move(s));
}

}  // namespace concord::risk
