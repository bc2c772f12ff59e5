#include "agents/conference/conference.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "domain/calendar.h"

namespace concord::conference {
namespace {

using nlohmann::json;

const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE conferences(
        id TEXT PRIMARY KEY,             -- 会-2026-001
        year INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        convenor TEXT NOT NULL,
        request_id TEXT NOT NULL,
        case_key TEXT NOT NULL,
        title TEXT NOT NULL,
        invited TEXT NOT NULL,           -- JSON array
        inputs_due_ms INTEGER NOT NULL,
        convened_ms INTEGER NOT NULL,
        status TEXT NOT NULL,            -- collecting | signing | final | closed
        outcome TEXT NOT NULL DEFAULT '',
        UNIQUE(convenor, request_id),
        UNIQUE(year, seq));
      CREATE TABLE conference_inputs(
        id TEXT NOT NULL,
        agency TEXT NOT NULL,
        assessment TEXT NOT NULL,
        measures TEXT NOT NULL,          -- JSON [{measure, detail}]
        at_ms INTEGER NOT NULL,
        PRIMARY KEY(id, agency));
      CREATE TABLE conference_plans(
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        plan TEXT NOT NULL,              -- JSON: the plan as proposed
        at_ms INTEGER NOT NULL,
        PRIMARY KEY(id, version));
      CREATE TABLE conference_signatures(
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        agency TEXT NOT NULL,
        version INTEGER NOT NULL,
        approved INTEGER NOT NULL,
        note TEXT NOT NULL,
        at_ms INTEGER NOT NULL);
      CREATE TABLE conference_tasks(     -- the final plan's tasks as carried out
        id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        status TEXT NOT NULL,            -- open | done
        last_note TEXT NOT NULL DEFAULT '',
        done_ms INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY(id, task_id));
      CREATE TABLE conference_hearings(
        hearing_id TEXT PRIMARY KEY,
        id TEXT NOT NULL,                -- the conference
        chair TEXT NOT NULL,
        place TEXT NOT NULL,
        starts_ms INTEGER NOT NULL,
        participants TEXT NOT NULL,      -- JSON [{role, name, attended, opinion}]
        outcome TEXT NOT NULL DEFAULT '',
        recorded_ms INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE conference_task_updates(
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        agency TEXT NOT NULL,
        note TEXT NOT NULL,
        done INTEGER NOT NULL,
        at_ms INTEGER NOT NULL);
      )sql",
      // 2: a conference's signatures and hearings by conference.
      R"sql(
      CREATE INDEX conference_signatures_id ON conference_signatures(id, n);
      CREATE INDEX conference_hearings_id ON conference_hearings(id, starts_ms);
      CREATE INDEX conference_task_updates_id ON conference_task_updates(id, task_id);
      )sql",
      // 3: the latest plan's lead leader beside the conference (the leader's
      // view without reading every plan), and who hosts each hearing.
      R"sql(
      ALTER TABLE conferences ADD COLUMN lead_leader TEXT NOT NULL DEFAULT '';
      UPDATE conferences SET lead_leader = coalesce(json_extract((SELECT plan FROM conference_plans p
          WHERE p.id = conferences.id ORDER BY version DESC LIMIT 1), '$.lead_leader'), '');
      CREATE INDEX conferences_leader ON conferences(lead_leader, year, seq) WHERE status != 'closed';
      ALTER TABLE conference_hearings ADD COLUMN host TEXT NOT NULL DEFAULT '';
      UPDATE conference_hearings SET host = coalesce((SELECT convenor FROM conferences c
          WHERE c.id = conference_hearings.id), '');
      )sql",
      // 4: the case's other numbers (an aid task's grant must list one).
      R"sql(
      ALTER TABLE conferences ADD COLUMN case_refs TEXT NOT NULL DEFAULT '[]';  -- JSON array
      )sql",
      // 5: who signed for the agency at its console ('': its own system).
      R"sql(
      ALTER TABLE conference_signatures ADD COLUMN signer TEXT NOT NULL DEFAULT '';  -- JSON {login, name, role}
      )sql",
  };
  return kMigrations;
}

// The same book on PostgreSQL, in one step (common/sql.h). JSON columns stay
// TEXT, read as json where a query looks inside.
const std::vector<std::string>& PostgresqlMigrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE conferences(
        id TEXT PRIMARY KEY,
        year BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        convenor TEXT NOT NULL,
        request_id TEXT NOT NULL,
        case_key TEXT NOT NULL,
        title TEXT NOT NULL,
        invited TEXT NOT NULL,
        inputs_due_ms BIGINT NOT NULL,
        convened_ms BIGINT NOT NULL,
        status TEXT NOT NULL,
        outcome TEXT NOT NULL DEFAULT '',
        lead_leader TEXT NOT NULL DEFAULT '',
        case_refs TEXT NOT NULL DEFAULT '[]',
        UNIQUE(convenor, request_id),
        UNIQUE(year, seq));
      CREATE INDEX conferences_leader ON conferences(lead_leader, year, seq) WHERE status != 'closed';
      CREATE TABLE conference_inputs(
        id TEXT NOT NULL,
        agency TEXT NOT NULL,
        assessment TEXT NOT NULL,
        measures TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        PRIMARY KEY(id, agency));
      CREATE TABLE conference_plans(
        id TEXT NOT NULL,
        version BIGINT NOT NULL,
        plan TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        PRIMARY KEY(id, version));
      CREATE TABLE conference_signatures(
        n BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL,
        agency TEXT NOT NULL,
        version BIGINT NOT NULL,
        approved BIGINT NOT NULL,
        note TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        signer TEXT NOT NULL DEFAULT '');
      CREATE INDEX conference_signatures_id ON conference_signatures(id, n);
      CREATE TABLE conference_tasks(
        id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        status TEXT NOT NULL,
        last_note TEXT NOT NULL DEFAULT '',
        done_ms BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY(id, task_id));
      CREATE TABLE conference_hearings(
        hearing_id TEXT PRIMARY KEY,
        id TEXT NOT NULL,
        chair TEXT NOT NULL,
        place TEXT NOT NULL,
        starts_ms BIGINT NOT NULL,
        participants TEXT NOT NULL,
        outcome TEXT NOT NULL DEFAULT '',
        recorded_ms BIGINT NOT NULL DEFAULT 0,
        host TEXT NOT NULL DEFAULT '');
      CREATE INDEX conference_hearings_id ON conference_hearings(id, starts_ms);
      CREATE TABLE conference_task_updates(
        n BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        agency TEXT NOT NULL,
        note TEXT NOT NULL,
        done BIGINT NOT NULL,
        at_ms BIGINT NOT NULL);
      CREATE INDEX conference_task_updates_id ON conference_task_updates(id, task_id);
      )sql",
  };
  return kMigrations;
}

json PlanToJson(const Plan& p) {
  json tasks = json::array();
  for (const Task& t : p.tasks)
    tasks.push_back({{"task_id", t.task_id},
                     {"agency", t.agency},
                     {"person", t.person},
                     {"measure", t.measure},
                     {"detail", t.detail},
                     {"due_ms", t.due_ms}});
  return {{"summary", p.summary},
          {"core_demand", p.core_demand},
          {"risk_level", p.risk_level},
          {"lead_leader", p.lead_leader},
          {"closing_criteria", p.closing_criteria},
          {"follow_ups_ms", p.follow_ups_ms},
          {"tasks", tasks}};
}

Plan PlanFromJson(const json& j, int version, int64_t at_ms) {
  Plan p;
  p.version = version;
  p.at_ms = at_ms;
  p.summary = j.value("summary", "");
  p.core_demand = j.value("core_demand", "");
  p.risk_level = j.value("risk_level", "");
  p.lead_leader = j.value("lead_leader", "");
  p.closing_criteria = j.value("closing_criteria", "");
  p.follow_ups_ms = j.value("follow_ups_ms", std::vector<int64_t>{});
  for (const auto& t : j.value("tasks", json::array())) {
    Task x;
    x.task_id = t.value("task_id", "");
    x.agency = t.value("agency", "");
    x.person = t.value("person", "");
    x.measure = t.value("measure", "");
    x.detail = t.value("detail", "");
    x.due_ms = t.value("due_ms", int64_t{0});
    p.tasks.push_back(std::move(x));
  }
  return p;
}

std::string PersonToJson(const Person& p) {
  if (p.empty()) return "";
  return json{{"login", p.login}, {"name", p.name}, {"role", p.role}}.dump();
}

Person PersonFromJson(const std::string& text) {
  if (text.empty()) return {};
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return {};
  return {j.value("login", ""), j.value("name", ""), j.value("role", "")};
}

absl::Status NotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("没有联席会议 ", id, " / no conference ", id));
}

}  // namespace

const std::vector<std::string>& Conferences::Schema() { return Migrations(); }
const std::vector<std::string>& Conferences::PostgresqlSchema() { return PostgresqlMigrations(); }

namespace {

std::optional<std::string> RoleId(const std::string& s) {
  for (const auto& r : ParticipantRoles())
    if (s == r.id || s == r.chinese) return std::string(r.id);
  return std::nullopt;
}

json ParticipantsJson(const std::vector<Participant>& ps) {
  json out = json::array();
  for (const auto& p : ps)
    out.push_back({{"role", p.role},
                   {"name", p.name},
                   {"attended", p.attended},
                   {"opinion", p.opinion},
                   {"arranged_by", p.arranged_by}});
  return out;
}

std::vector<Participant> ParticipantsFromJson(const std::string& text) {
  std::vector<Participant> out;
  for (const auto& p : json::parse(text, nullptr, false))
    out.push_back({p.value("role", ""), p.value("name", ""), p.value("attended", false),
                   p.value("opinion", ""), p.value("arranged_by", "")});
  return out;
}

}  // namespace

absl::Status Conferences::ScheduleHearing(const std::string& by, const Hearing& in, int64_t now_ms,
                                          bool* created) {
  if (created) *created = false;
  ASSIGN_OR_RETURN(Conference c, Get(in.conference_id));
  if (!MayHostHearing(c, by))
    return absl::PermissionDeniedError(absl::StrCat(
        by, " 不能安排本案听证（由 ",
        hearing_hosts_.empty() ? c.convenor : absl::StrJoin(hearing_hosts_, "、"), " 安排）/ ", by,
        " may not host this case's hearing: ",
        hearing_hosts_.empty() ? c.convenor : absl::StrJoin(hearing_hosts_, ", "), " does"));
  if (in.hearing_id.empty() || in.chair.empty() || in.place.empty())
    return absl::InvalidArgumentError(
        "听证须有编号、主持人（承办检察官）和地点 / a hearing needs an id, its chair (the "
        "handling procurator) and a place");
  if (c.status == "closed")
    return absl::FailedPreconditionError("联席会议已结案 / the conference is closed");
  ASSIGN_OR_RETURN(
      auto existing,
      db_.Prepare(
          "SELECT id, starts_ms, place, chair FROM conference_hearings WHERE hearing_id=?"));
  existing.Bind(1, in.hearing_id);
  ASSIGN_OR_RETURN(bool found, existing.Step());
  if (found) {
    if (existing.Text(0) == in.conference_id && existing.Int(1) == in.starts_ms &&
        existing.Text(2) == in.place && existing.Text(3) == in.chair)
      return absl::OkStatus();  // the same hearing sent again
    return absl::AlreadyExistsError(
        absl::StrCat("听证编号 ", in.hearing_id, " 已用于另一次听证，改期请用新编号 / hearing id ",
                     in.hearing_id, " is used by another hearing: use a new id"));
  }
  existing.Reset();
  // Three days' notice, in calendar days (CST): notified on the 3rd, held on the 6th or later.
  if (std::chrono::sys_days(DateOf(in.starts_ms)) <
      std::chrono::sys_days(DateOf(now_ms)) + std::chrono::days(kHearingNoticeDays))
    return absl::InvalidArgumentError(
        "听证须提前三日通知 / a hearing is notified at least 3 days before");
  std::vector<Participant> ps;
  bool outside = false;
  for (Participant p : in.participants) {
    auto role = RoleId(p.role);
    if (!role || (p.name.empty() && p.arranged_by.empty()))
      return absl::InvalidArgumentError(
          absl::StrCat("听证参加人须有身份和姓名，或注明由哪个机关指派 / each participant needs a "
                       "role and a name, or the agency "
                       "that provides them (arranged_by): '",
                       p.role, "' '", p.name, "'"));
    if (!p.arranged_by.empty() &&
        std::find(c.invited.begin(), c.invited.end(), p.arranged_by) == c.invited.end())
      return absl::InvalidArgumentError(absl::StrCat("指派机关 ", p.arranged_by, " 未受邀 / ",
                                                     p.arranged_by,
                                                     " (arranged_by) is not invited"));
    p.role = *role;
    p.attended = false;
    p.opinion.clear();
    outside |= p.role == "npc_deputy" || p.role == "cppcc_member" ||
               p.role == "people_supervisor" || p.role == "lawyer" || p.role == "expert";
    ps.push_back(std::move(p));
  }
  if (!outside)
    return absl::InvalidArgumentError(
        "听证须有听证员（人大代表、政协委员、人民监督员、律师或专家）/ a hearing needs "
        "outside hearing members");
  ASSIGN_OR_RETURN(auto ins, db_.Prepare("INSERT INTO conference_hearings(hearing_id, id, chair, "
                                         "place, starts_ms, participants, host) "
                                         "VALUES(?,?,?,?,?,?,?)"));
  ins.BindAll(in.hearing_id, in.conference_id, in.chair, in.place, in.starts_ms,
              ParticipantsJson(ps).dump(), by);
  RETURN_IF_ERROR(ins.Run());
  if (created) *created = true;
  return absl::OkStatus();
}

absl::Status Conferences::RecordHearing(const std::string& by, const std::string& hearing_id,
                                        const std::vector<Participant>& attendance,
                                        const std::string& outcome, int64_t now_ms) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT id, starts_ms, participants, outcome, host FROM "
                                        "conference_hearings WHERE hearing_id=?"));
  st.Bind(1, hearing_id);
  ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found)
    return absl::NotFoundError(absl::StrCat("没有听证 ", hearing_id, " / no hearing ", hearing_id));
  const std::string id = st.Text(0);
  const int64_t starts = st.Int(1);
  std::vector<Participant> ps = ParticipantsFromJson(st.Text(2));
  for (Participant& p : ps) {
    p.attended = false;
    p.opinion.clear();
  }
  const bool recorded = !st.Text(3).empty();
  const std::string host = st.Text(4);
  st.Reset();
  if (by != host)
    return absl::PermissionDeniedError(absl::StrCat("只有安排听证的 ", host, " 记录听证 / only ",
                                                    host, ", which hosts the hearing, records it"));
  if (recorded) return absl::FailedPreconditionError("听证已记录 / the hearing is on record");
  if (now_ms < starts)
    return absl::FailedPreconditionError("听证尚未开始 / the hearing has not begun");
  if (outcome.empty())
    return absl::InvalidArgumentError("须记录听证结论 / the outcome is required");
  for (const Participant& a : attendance) {
    auto p = std::find_if(ps.begin(), ps.end(), [&](const Participant& x) {
      return !x.name.empty() && x.name == a.name;
    });
    if (p == ps.end())
      return absl::InvalidArgumentError(
          absl::StrCat(a.name, " 不是听证参加人 / is not a participant"));
    p->attended = a.attended;
    p->opinion = a.opinion;
  }
  ASSIGN_OR_RETURN(auto up, db_.Prepare("UPDATE conference_hearings SET participants=?, outcome=?, "
                                        "recorded_ms=? WHERE hearing_id=?"));
  up.BindAll(ParticipantsJson(ps).dump(), outcome, now_ms, hearing_id);
  return up.Run();
}

absl::StatusOr<std::string> Conferences::NameParticipant(const std::string& by,
                                                         const std::string& hearing_id,
                                                         const std::string& role,
                                                         const std::string& name, bool* created) {
  if (created) *created = false;
  ASSIGN_OR_RETURN(
      auto st,
      db_.Prepare("SELECT id, participants, outcome FROM conference_hearings WHERE hearing_id=?"));
  st.Bind(1, hearing_id);
  ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found)
    return absl::NotFoundError(absl::StrCat("没有听证 ", hearing_id, " / no hearing ", hearing_id));
  const std::string id = st.Text(0);
  std::vector<Participant> ps = ParticipantsFromJson(st.Text(1));
  const bool recorded = !st.Text(2).empty();
  st.Reset();
  const auto rid = RoleId(role);
  if (!rid || name.empty())
    return absl::InvalidArgumentError(absl::StrCat(
        "须写明身份和姓名 / the role and the name are required: '", role, "' '", name, "'"));
  if (recorded) return absl::FailedPreconditionError("听证已记录 / the hearing is on record");
  auto mine = [&](const Participant& p) { return p.role == *rid && p.arranged_by == by; };
  if (std::any_of(ps.begin(), ps.end(),
                  [&](const Participant& p) { return mine(p) && p.name == name; }))
    return id;  // named before (a re-sent message)
  auto open = std::find_if(ps.begin(), ps.end(),
                           [&](const Participant& p) { return mine(p) && p.name.empty(); });
  if (open == ps.end())
    return absl::PermissionDeniedError(absl::StrCat("听证 ", hearing_id, " 没有待 ", by, " 指派的",
                                                    RoleChinese(*rid), " / hearing ", hearing_id,
                                                    " has no ", *rid, " for ", by, " to name"));
  if (std::any_of(ps.begin(), ps.end(), [&](const Participant& p) { return p.name == name; }))
    return absl::AlreadyExistsError(
        absl::StrCat(name, " 已是听证参加人 / is already a participant"));
  open->name = name;
  ASSIGN_OR_RETURN(auto up,
                   db_.Prepare("UPDATE conference_hearings SET participants=? WHERE hearing_id=?"));
  up.BindAll(ParticipantsJson(ps).dump(), hearing_id);
  RETURN_IF_ERROR(up.Run());
  if (created) *created = true;
  return id;
}

bool Conferences::MayHostHearing(const Conference& c, const std::string& by) const {
  if (hearing_hosts_.empty()) return by == c.convenor;
  return std::find(hearing_hosts_.begin(), hearing_hosts_.end(), by) != hearing_hosts_.end() &&
         std::find(c.invited.begin(), c.invited.end(), by) != c.invited.end();
}

absl::StatusOr<std::string> Conferences::HearingConference(const std::string& hearing_id) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT id FROM conference_hearings WHERE hearing_id=?"));
  st.Bind(1, hearing_id);
  ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found)
    return absl::NotFoundError(absl::StrCat("没有听证 ", hearing_id, " / no hearing ", hearing_id));
  return st.Text(0);
}

absl::StatusOr<std::vector<Hearing>> Conferences::Hearings(const std::string& conference_id) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT hearing_id, chair, place, starts_ms, participants, "
                                        "outcome, recorded_ms, host FROM conference_hearings "
                                        "WHERE id=? ORDER BY starts_ms"));
  st.Bind(1, conference_id);
  std::vector<Hearing> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Hearing h;
    h.hearing_id = st.Text(0);
    h.conference_id = conference_id;
    h.chair = st.Text(1);
    h.place = st.Text(2);
    h.starts_ms = st.Int(3);
    h.participants = ParticipantsFromJson(st.Text(4));
    h.outcome = st.Text(5);
    h.recorded_ms = st.Int(6);
    h.host = st.Text(7);
    out.push_back(std::move(h));
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Conferences>> Conferences::Open(sql::Db& db) {
  RETURN_IF_ERROR(db.Migrate("conference", Migrations(), PostgresqlMigrations()));
  return std::unique_ptr<Conferences>(new Conferences(db));
}

absl::StatusOr<std::string> Conferences::Convene(
    const std::string& convenor, const std::string& request_id, const std::string& case_key,
    const std::string& title, std::vector<std::string> invited, int64_t inputs_due_ms,
    int64_t now_ms, bool* created) {
  if (created) *created = false;
  if (request_id.empty())
    return absl::InvalidArgumentError("缺少请求编号 / request_id is required");
  if (case_key.empty() || title.empty())
    return absl::InvalidArgumentError("缺少案件或会议名称 / case and title are required");
  // Convened before (a re-sent request): the same conference, even after the
  // inputs deadline; the id reused for another case is refused.
  ASSIGN_OR_RETURN(
      auto existing,
      db_.Prepare("SELECT id, case_key FROM conferences WHERE convenor=? AND request_id=?"));
  existing.BindAll(convenor, request_id);
  ASSIGN_OR_RETURN(bool found, existing.Step());
  if (found) {
    if (existing.Text(1) != case_key)
      return absl::AlreadyExistsError(absl::StrCat("请求编号 ", request_id, " 已用于案件 ",
                                                   existing.Text(1), " 的联席会议 / request id ",
                                                   request_id, " was used for ", existing.Text(1)));
    return existing.Text(0);
  }
  existing.Reset();
  std::sort(invited.begin(), invited.end());
  invited.erase(std::unique(invited.begin(), invited.end()), invited.end());
  invited.erase(std::remove(invited.begin(), invited.end(), std::string()), invited.end());
  if (std::find(invited.begin(), invited.end(), convenor) == invited.end())
    invited.push_back(convenor);
  if (invited.size() < 2)
    return absl::InvalidArgumentError(
        "联席会议至少邀请一个其他机关 / invite at least one other agency");
  if (inputs_due_ms <= now_ms)
    return absl::InvalidArgumentError(
        "意见截止时间须在将来 / the deadline for inputs must be in the future");
  const int year = static_cast<int>(DateOf(now_ms).year());
  ASSIGN_OR_RETURN(
      int64_t seq,
      db_.QueryInt("SELECT coalesce(max(seq),0)+1 FROM conferences WHERE year=?", int64_t{year}));
  const std::string id = absl::StrFormat("会-%d-%03d", year, seq);
  ASSIGN_OR_RETURN(auto ins,
                   db_.Prepare("INSERT INTO conferences(id, year, seq, convenor, request_id, "
                               "case_key, title, invited, inputs_due_ms, "
                               "convened_ms, status) VALUES(?,?,?,?,?,?,?,?,?,?,'collecting')"));
  ins.BindAll(id, year, seq, convenor, request_id, case_key, title, json(invited).dump(),
              inputs_due_ms, now_ms);
  RETURN_IF_ERROR(ins.Run());
  if (created) *created = true;
  return id;
}

absl::StatusOr<bool> Conferences::AddCaseRefs(const std::string& id, const std::string& by,
                                              const std::vector<std::string>& refs) {
  ASSIGN_OR_RETURN(Conference c, Get(id));
  if (by != c.convenor)
    return absl::PermissionDeniedError(absl::StrCat("只有召集机关 ", c.convenor,
                                                    " 可以补充案号 / only the convenor adds "
                                                    "case numbers"));
  bool changed = false;
  for (const std::string& r : refs)
    if (!r.empty() && r != c.case_key &&
        std::find(c.case_refs.begin(), c.case_refs.end(), r) == c.case_refs.end()) {
      c.case_refs.push_back(r);
      changed = true;
    }
  if (!changed) return false;
  ASSIGN_OR_RETURN(auto up, db_.Prepare("UPDATE conferences SET case_refs=? WHERE id=?"));
  up.BindAll(json(c.case_refs).dump(), id);
  RETURN_IF_ERROR(up.Run());
  return true;
}

absl::Status Conferences::SubmitInput(const std::string& id, const Input& in, int64_t now_ms) {
  ASSIGN_OR_RETURN(Conference c, Get(id));
  if (std::find(c.invited.begin(), c.invited.end(), in.agency) == c.invited.end())
    return absl::PermissionDeniedError(
        absl::StrCat(in.agency, " 未受邀参加 ", id, " / is not invited to ", id));
  if (c.status == "final" || c.status == "closed")
    return absl::FailedPreconditionError(
        "方案已定稿，意见不再收集 / the plan is final: inputs are closed");
  if (in.assessment.empty() && in.measures.empty())
    return absl::InvalidArgumentError("请写明评估意见或建议措施 / give an assessment or measures");
  json measures = json::array();
  for (const Measure& m : in.measures) {
    auto mid = MeasureId(m.measure);
    if (!mid)
      return absl::InvalidArgumentError(
          absl::StrCat("未知的化解措施 / unknown measure '", m.measure, "'"));
    measures.push_back({{"measure", *mid}, {"detail", m.detail}});
  }
  ASSIGN_OR_RETURN(
      auto up,
      db_.Prepare("INSERT INTO conference_inputs(id, agency, assessment, measures, at_ms) "
                  "VALUES(?1,?2,?3,?4,?5) "
                  "ON CONFLICT(id, agency) DO UPDATE SET assessment=?3, measures=?4, at_ms=?5"));
  up.BindAll(id, in.agency, in.assessment, measures.dump(), now_ms);
  return up.Run();
}

absl::StatusOr<int> Conferences::ProposePlan(const std::string& id, const std::string& by,
                                             Plan plan, int64_t now_ms, bool* created) {
  if (created) *created = false;
  ASSIGN_OR_RETURN(Conference c, Get(id));
  if (by != c.convenor)
    return absl::PermissionDeniedError(absl::StrCat("只有召集机关 ", c.convenor,
                                                    " 可以拟定方案 / only the convenor ",
                                                    c.convenor, " drafts the plan"));
  if (c.status == "final" || c.status == "closed")
    return absl::FailedPreconditionError("方案已定稿 / the plan is final");
  if (plan.summary.empty() || plan.lead_leader.empty() || plan.tasks.empty())
    return absl::InvalidArgumentError(
        "方案须有案情摘要、包案领导和至少一项任务（一案一策、一包案领导）/ a plan needs a summary, "
        "a lead leader "
        "and at least one task");
  std::set<std::string> ids;
  for (Task& t : plan.tasks) {
    const std::string where = absl::StrCat("任务 ", t.task_id, " / task ", t.task_id, ": ");
    if (t.task_id.empty() || !ids.insert(t.task_id).second)
      return absl::InvalidArgumentError(
          absl::StrCat("任务编号为空或重复 / task ids must be unique: '", t.task_id, "'"));
    if (std::find(c.invited.begin(), c.invited.end(), t.agency) == c.invited.end())
      return absl::InvalidArgumentError(
          absl::StrCat(where, "责任单位 ", t.agency, " 未受邀 / ", t.agency, " is not invited"));
    if (t.person.empty())
      return absl::InvalidArgumentError(absl::StrCat(where, "须有责任人 / needs a person"));
    auto mid = MeasureId(t.measure);
    if (!mid)
      return absl::InvalidArgumentError(
          absl::StrCat(where, "未知的措施 / unknown measure '", t.measure, "'"));
    t.measure = *mid;
    if (t.due_ms <= now_ms)
      return absl::InvalidArgumentError(
          absl::StrCat(where, "完成期限须在将来 / the due date must be ahead"));
  }
  if (!c.plans.empty() && PlanToJson(c.plans.back()) == PlanToJson(plan))
    return c.plans.back().version;  // the same plan sent again
  const int version = static_cast<int>(c.plans.size()) + 1;
  sql::Savepoint sp(db_);
  if (!sp.ok()) return absl::UnavailableError("cannot open a savepoint");
  ASSIGN_OR_RETURN(
      auto ins,
      db_.Prepare("INSERT INTO conference_plans(id, version, plan, at_ms) VALUES(?,?,?,?)"));
  ins.BindAll(id, static_cast<int64_t>(version), PlanToJson(plan).dump(), now_ms);
  RETURN_IF_ERROR(ins.Run());
  ASSIGN_OR_RETURN(
      auto st, db_.Prepare("UPDATE conferences SET status='signing', lead_leader=? WHERE id=?"));
  st.BindAll(plan.lead_leader, id);
  RETURN_IF_ERROR(st.Run());
  RETURN_IF_ERROR(sp.Release());
  if (created) *created = true;
  return version;
}

absl::StatusOr<Conference> Conferences::Sign(const std::string& id, const std::string& agency,
                                             int version, bool approve, const std::string& note,
                                             int64_t now_ms, const Person& signer) {
  ASSIGN_OR_RETURN(Conference c, Get(id));
  if (std::find(c.invited.begin(), c.invited.end(), agency) == c.invited.end())
    return absl::PermissionDeniedError(
        absl::StrCat(agency, " 未受邀参加 ", id, " / is not invited to ", id));
  if (c.plans.empty()) return absl::FailedPreconditionError("尚无方案 / no plan yet");
  if (c.status == "final" || c.status == "closed")
    return absl::FailedPreconditionError("方案已定稿 / the plan is final");
  if (version != c.plans.back().version)
    return absl::FailedPreconditionError(absl::StrCat("请对最新的第 ", c.plans.back().version,
                                                      " 版签署 / sign the latest "
                                                      "version, ",
                                                      c.plans.back().version));
  if (!approve && note.empty())
    return absl::InvalidArgumentError(
        "要求修改须写明修改意见 / a change request says what to change");
  sql::Savepoint sp(db_);
  if (!sp.ok()) return absl::UnavailableError("cannot open a savepoint");
  ASSIGN_OR_RETURN(auto ins, db_.Prepare("INSERT INTO conference_signatures(id, agency, version, "
                                         "approved, note, at_ms, signer) VALUES(?,?,?,?,?,?,?)"));
  ins.BindAll(id, agency, static_cast<int64_t>(version), static_cast<int64_t>(approve), note,
              now_ms, PersonToJson(signer));
  RETURN_IF_ERROR(ins.Run());
  Conference after = std::move(c);
  after.signatures.push_back({agency, version, approve, note, now_ms, signer});
  CountSignatures(after);
  if (after.pending_latest.empty()) {
    // Everyone signed the latest version: final; its tasks are now carried out.
    ASSIGN_OR_RETURN(auto fin, db_.Prepare("UPDATE conferences SET status='final' WHERE id=?"));
    fin.Bind(1, id);
    RETURN_IF_ERROR(fin.Run());
    ASSIGN_OR_RETURN(
        auto task,
        db_.Prepare(
            "INSERT OR IGNORE INTO conference_tasks(id, task_id, status) VALUES(?,?,'open')"));
    for (const Task& t : after.plans.back().tasks) {
      task.BindAll(id, t.task_id);
      RETURN_IF_ERROR(task.Run());
    }
    after.status = "final";
  }
  RETURN_IF_ERROR(sp.Release());
  return after;
}

absl::StatusOr<Conference> Conferences::UpdateTask(const std::string& id, const std::string& agency,
                                                   const std::string& task_id,
                                                   const std::string& note, bool done,
                                                   int64_t now_ms) {
  ASSIGN_OR_RETURN(Conference c, Get(id));
  if (c.status != "final")
    return absl::FailedPreconditionError(
        "方案未定稿，任务尚未开始 / the plan is not final: tasks have not begun");
  Plan& plan = c.plans.back();
  auto t = std::find_if(plan.tasks.begin(), plan.tasks.end(),
                        [&](const Task& x) { return x.task_id == task_id; });
  if (t == plan.tasks.end())
    return absl::NotFoundError(absl::StrCat("方案中没有任务 ", task_id, " / no task ", task_id));
  if (t->agency != agency)
    return absl::PermissionDeniedError(absl::StrCat(
        "任务 ", task_id, " 由 ", t->agency, " 负责 / task ", task_id, " belongs to ", t->agency));
  if (t->status == "done") return absl::FailedPreconditionError("任务已完成 / the task is done");
  if (note.empty()) return absl::InvalidArgumentError("请写明进展 / say what was done");
  sql::Savepoint sp(db_);
  if (!sp.ok()) return absl::UnavailableError("cannot open a savepoint");
  ASSIGN_OR_RETURN(auto log, db_.Prepare("INSERT INTO conference_task_updates(id, task_id, agency, "
                                         "note, done, at_ms) VALUES(?,?,?,?,?,?)"));
  log.BindAll(id, task_id, agency, note, static_cast<int64_t>(done), now_ms);
  RETURN_IF_ERROR(log.Run());
  ASSIGN_OR_RETURN(
      auto up,
      db_.Prepare(
          "UPDATE conference_tasks SET status=?, last_note=?, done_ms=? WHERE id=? AND task_id=?"));
  up.BindAll(done ? "done" : "open", note, done ? now_ms : int64_t{0}, id, task_id);
  RETURN_IF_ERROR(up.Run());
  RETURN_IF_ERROR(sp.Release());
  t->status = done ? "done" : "open";
  t->last_note = note;
  t->done_ms = done ? now_ms : 0;
  return c;
}

absl::Status Conferences::Close(const std::string& id, const std::string& by,
                                const std::string& outcome, int64_t now_ms) {
  ASSIGN_OR_RETURN(Conference c, Get(id));
  if (by != c.convenor)
    return absl::PermissionDeniedError(
        absl::StrCat("只有召集机关 ", c.convenor, " 可以结案 / only the convenor closes"));
  if (c.status != "final")
    return absl::FailedPreconditionError("方案未定稿 / the plan is not final");
  std::vector<std::string> open;
  for (const Task& t : c.plans.back().tasks)
    if (t.status != "done") open.push_back(t.task_id);
  if (!open.empty())
    return absl::FailedPreconditionError(
        absl::StrCat("任务未完成：", absl::StrJoin(open, "、"),
                     " / tasks still open: ", absl::StrJoin(open, ", ")));
  if (outcome.empty())
    return absl::InvalidArgumentError(
        "结案须记录结果（如息诉罢访）/ closing records the outcome (e.g. 息诉罢访)");
  ASSIGN_OR_RETURN(auto up,
                   db_.Prepare("UPDATE conferences SET status='closed', outcome=? WHERE id=?"));
  up.BindAll(outcome, id);
  return up.Run();
}

void Conferences::CountSignatures(Conference& c) {
  c.signed_latest.clear();
  c.pending_latest.clear();
  if (c.plans.empty()) return;
  // The latest decision of each agency on the latest version.
  std::map<std::string, bool> latest;
  for (const Signature& s : c.signatures)
    if (s.version == c.plans.back().version) latest[s.agency] = s.approved;
  for (const std::string& a : c.invited)
    (latest.count(a) && latest[a] ? c.signed_latest : c.pending_latest).push_back(a);
}

absl::StatusOr<Conference> Conferences::Get(const std::string& id) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT case_key, title, convenor, invited, inputs_due_ms, "
                                        "convened_ms, status, outcome, case_refs "
                                        "FROM conferences WHERE id=?"));
  st.Bind(1, id);
  ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) return NotFound(id);
  Conference c;
  c.id = id;
  c.case_key = st.Text(0);
  c.title = st.Text(1);
  c.convenor = st.Text(2);
  c.invited = json::parse(st.Text(3), nullptr, false).get<std::vector<std::string>>();
  c.inputs_due_ms = st.Int(4);
  c.convened_ms = st.Int(5);
  c.status = st.Text(6);
  c.outcome = st.Text(7);
  c.case_refs = json::parse(st.Text(8), nullptr, false).get<std::vector<std::string>>();
  st.Reset();
  ASSIGN_OR_RETURN(auto in, db_.Prepare("SELECT agency, assessment, measures, at_ms FROM "
                                        "conference_inputs WHERE id=? ORDER BY at_ms, agency"));
  in.Bind(1, id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, in.Step());
    if (!row) break;
    Input x{in.Text(0), in.Text(1), {}, in.Int(3)};
    for (const auto& m : json::parse(in.Text(2), nullptr, false))
      x.measures.push_back({m.value("measure", ""), m.value("detail", "")});
    c.inputs.push_back(std::move(x));
  }
  ASSIGN_OR_RETURN(
      auto plans,
      db_.Prepare("SELECT version, plan, at_ms FROM conference_plans WHERE id=? ORDER BY version"));
  plans.Bind(1, id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, plans.Step());
    if (!row) break;
    c.plans.push_back(PlanFromJson(json::parse(plans.Text(1), nullptr, false),
                                   static_cast<int>(plans.Int(0)), plans.Int(2)));
  }
  ASSIGN_OR_RETURN(auto sig, db_.Prepare("SELECT agency, version, approved, note, at_ms, signer "
                                         "FROM conference_signatures WHERE id=? ORDER BY n"));
  sig.Bind(1, id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, sig.Step());
    if (!row) break;
    c.signatures.push_back({sig.Text(0), static_cast<int>(sig.Int(1)), sig.Int(2) != 0, sig.Text(3),
                            sig.Int(4), PersonFromJson(sig.Text(5))});
  }
  CountSignatures(c);
  if (!c.plans.empty()) {
    ASSIGN_OR_RETURN(
        auto tasks,
        db_.Prepare("SELECT task_id, status, last_note, done_ms FROM conference_tasks WHERE id=?"));
    tasks.Bind(1, id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, tasks.Step());
      if (!row) break;
      for (Task& t : c.plans.back().tasks)
        if (t.task_id == tasks.Text(0)) {
          t.status = tasks.Text(1);
          t.last_note = tasks.Text(2);
          t.done_ms = tasks.Int(3);
        }
    }
  }
  return c;
}

absl::StatusOr<std::vector<Conference>> Conferences::ForAgency(const std::string& agency,
                                                               int limit) {
  // `invited` is a JSON array that holds the convenor too (Convene).
  ASSIGN_OR_RETURN(
      auto st,
      db_.Prepare(db_.is_postgresql() ? "SELECT id FROM conferences WHERE EXISTS (SELECT 1 FROM "
                                        "json_array_elements_text(conferences.invited::json) v "
                                        "WHERE v = ?) ORDER BY year DESC, seq DESC LIMIT ?"
                                      : "SELECT id FROM conferences WHERE EXISTS (SELECT 1 FROM "
                                        "json_each(conferences.invited) WHERE value = ?) "
                                        "ORDER BY year DESC, seq DESC LIMIT ?"));
  st.BindAll(agency, static_cast<int64_t>(limit));
  std::vector<std::string> ids;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ids.push_back(st.Text(0));
  }
  st.Reset();
  std::vector<Conference> out;
  for (const auto& id : ids) {
    ASSIGN_OR_RETURN(Conference c, Get(id));
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<std::vector<Conference>> Conferences::ForLeader(const std::string& lead_leader) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT id FROM conferences WHERE lead_leader = ? AND "
                                        "status != 'closed' ORDER BY year, seq"));
  st.Bind(1, lead_leader);
  std::vector<std::string> ids;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ids.push_back(st.Text(0));
  }
  std::vector<Conference> out;
  for (const auto& id : ids) {
    ASSIGN_OR_RETURN(Conference c, Get(id));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace concord::conference
