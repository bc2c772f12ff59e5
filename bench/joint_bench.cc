// concord-joint-bench: the risk agent's book and the conference agent's state,
// each against a baseline measured in the same run.
//
//   ninja -C build concord-joint-bench && build/bin/concord-joint-bench
//   build/bin/concord-joint-bench [--updates 100000] [--cases 20000] [--batch 100]
//                                 [--single 2000] [--conferences 1000] [--dir /tmp/...] [--quick]
//
// Everything runs on real SQLite files in --dir, opened as the agents open
// them (sql::Db::Open: WAL, synchronous=FULL). Machines are noisy: the
// claims are the ratios to the baselines, not the absolute figures.
//
// 1. Risk snapshots: --updates ledger snapshots round-robin over --cases cases
//    (about 80% stay green; the rest gain people >= 10, repeats, an overdue
//    reply, a contested answer or a major matter from their 2nd-4th snapshot
//    on, and go yellow or red; every tenth block of 100 cases closes on its
//    last snapshot), RiskBook::Update in --batch updates per transaction, then
//    --single updates at one per transaction (the agent's one transaction per
//    delivery). Baseline: a plain upsert of one comparable row (the same
//    columns, the same partial index) per update, in the same batching.
// 2. The monthly screening: Screen() (with its commit, as the agent holds it)
//    over the book of (1) on the first working day of the next month.
//    Baselines: SELECT count(*) of the open yellow/red cases, and OpenRisks().
// 3. Conference lifecycle, --conferences times: Convene with 6 agencies,
//    6 inputs, a plan with 5 tasks, 6 signatures, 5 tasks done, Close; one
//    transaction per conference (its commit timed apart), so each operation's
//    time is its own work. Baseline: Get() of a conference of the same size;
//    each operation's mean is shown as that many Get()s.
// 4. ForLeader(): --conferences more conferences left final and open (1 in 10
//    led by the same leader) beside the closed ones of (3). Baseline: one
//    Get() of each conference it returns.
// 5. PlanHtml() of one full conference, against one Get() of it.
//
// Consistency (the smoke test, --quick): every call succeeds; the screening
// counts exactly the open, new, resolved and long-overdue risks the driver
// expects from the factor table's own Evaluate() of the snapshots it sent; the
// updates' own levels agree; ForLeader() returns the conferences the driver
// gave that leader. Exit status 1 on any mismatch. Timings are never checked.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "agents/conference/conference.h"
#include "agents/conference/plan_document.h"
#include "agents/risk/risk.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace risk = concord::risk;
namespace conf = concord::conference;
namespace sql = concord::sql;
using concord::HolidayCalendar;
using concord::ParseDate;
using concord::StartOfDayMs;
constexpr int64_t kHour = concord::kHourMs, kDay = concord::kDayMs;
constexpr int kSteps = 5;  // snapshots per case at the default sizes (100,000 / 20,000)

int failures = 0;

double Us(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

void Check(bool ok, const std::string& what) {
  if (ok) return;
  ++failures;
  printf("  !! 不一致 MISMATCH: %s\n", what.c_str());
}

template <typename T>
T Must(absl::StatusOr<T> v, const char* what) {
  if (!v.ok()) {
    fprintf(stderr, "%s: %s\n", what, v.status().ToString().c_str());
    exit(1);
  }
  return *std::move(v);
}

void Must(const absl::Status& st, const char* what) {
  if (!st.ok()) {
    fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
    exit(1);
  }
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// `s` padded with spaces to `cols` terminal columns (CJK characters take two).
std::string Pad(const std::string& s, size_t cols) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    width += len == 3 && c >= 0xE3 ? 2 : 1;  // U+3000 and up: CJK and fullwidth forms
    i += len;
  }
  return s + std::string(cols > width ? cols - width : 0, ' ');
}

// A fresh database file, opened as the agents open theirs.
sql::Db FreshDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return Must(sql::Db::Open(path), "open db");
}

int64_t At(const std::string& date, int hour = 10) {
  return StartOfDayMs(Must(ParseDate(date), "date")) + hour * kHour;
}

// ---------------------------------------------------------------------------
// Risk

const char* const kAgencies[] = {"procuratorate", "plc", "court", "police", "justice", "petition"};

// Snapshot `step` (0-based) of case `i`; `last` says it is the case's last one.
risk::Snapshot CaseSnapshot(int i, int step, bool last, int64_t t0) {
  risk::Snapshot s;
  char no[32];
  snprintf(no, sizeof no, "信-2025-%06d", i);
  s.ledger_no = no;
  s.agency = kAgencies[(i / 7) % 6];
  s.matter = "不服处理决定";
  s.status = step == 0 ? "registered" : "in_progress";
  s.handler = "张检察官";
  s.people = 1 + i % 3;
  const int kind = i % 100;
  if (kind >= 80 && step >= 1 + i % 3) {  // the risk shows from the 2nd-4th snapshot on
    const int64_t overdue_since = t0 + (i % 150) * kDay;
    if (kind < 88) {  // a group: yellow
      s.people = 10 + i % 25;
    } else if (kind < 92) {  // late and repeated: yellow
      s.repeats = 1;
      s.overdue = true;
      s.overdue_since_ms = overdue_since;
    } else if (kind < 95) {  // a large group, repeated: red
      s.people = 35;
      s.repeats = 2;
    } else if (kind < 97) {  // unpaid wages, a group, late: red
      s.matter = "拖欠工资";
      s.people = 12;
      s.overdue = true;
      s.overdue_since_ms = overdue_since;
    } else if (kind < 99) {  // contested and major: yellow
      s.contested = true;
      s.major = true;
    } else {  // late only: still green
      s.overdue = true;
      s.overdue_since_ms = overdue_since;
    }
  }
  s.open = !(last && (i / 100) % 10 == 0);
  return s;
}

struct Workload {
  int updates, cases;
  int64_t t0, span_ms;
  int CaseOf(int k) const { return k % cases; }
  int StepOf(int k) const { return k / cases; }
  int Count(int i) const { return updates / cases + (i < updates % cases ? 1 : 0); }
  int64_t TimeOf(int k) const { return t0 + span_ms * k / std::max(1, updates); }
  risk::Snapshot Make(int k) const {
    const int i = CaseOf(k), step = StepOf(k);
    return CaseSnapshot(i, step, step == Count(i) - 1, t0);
  }
};

// What the screening must find, from the factor table's own Evaluate() of
// each case's last snapshot (no SQL involved). This holds because the
// workload only ever raises a case's level (then maybe closes it): a case
// that went yellow and back to green would be "resolved" to Screen() but not
// here. Keep the workload monotone, or count transitions here too.
struct Expected {
  int open = 0, resolved = 0, long_overdue = 0, green = 0;
};

Expected Expect(const Workload& w, const risk::FactorTable& table, int64_t screen_ms) {
  Expected e;
  for (int i = 0; i < w.cases; ++i) {
    const int n = w.Count(i);
    if (n == 0) continue;
    const int k = (n - 1) * w.cases + i;
    const risk::Snapshot s = w.Make(k);
    risk::CaseFacts f;
    f.people = s.people;
    f.repeats = s.repeats;
    f.matter = s.matter;
    f.overdue = s.overdue;
    f.overdue_days = s.overdue ? static_cast<int>((w.TimeOf(k) - s.overdue_since_ms) / kDay) : 0;
    f.contested = s.contested;
    f.major = s.major;
    const bool risky = table.Evaluate(f).level != risk::Level::kGreen;
    if (!risky) {
      ++e.green;
    } else if (!s.open) {
      ++e.resolved;
    } else {
      ++e.open;
      e.long_overdue += s.overdue && screen_ms - s.overdue_since_ms > 30 * kDay;
    }
  }
  return e;
}

constexpr const char* kPlainSchema = R"sql(
  CREATE TABLE plain_cases(
    case_key TEXT PRIMARY KEY, agency TEXT NOT NULL, matter TEXT NOT NULL, case_ref TEXT NOT NULL,
    handler TEXT NOT NULL, people INTEGER NOT NULL, repeats INTEGER NOT NULL, overdue_since_ms INTEGER NOT NULL,
    contested INTEGER NOT NULL, major INTEGER NOT NULL, open INTEGER NOT NULL, level TEXT NOT NULL DEFAULT '',
    score INTEGER NOT NULL DEFAULT 0, factors_json TEXT NOT NULL DEFAULT '[]', first_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL);
  CREATE INDEX plain_cases_open ON plain_cases(agency) WHERE open = 1;
)sql";

// Runs the workload through `apply` in `batch` updates per transaction;
// returns the seconds taken.
template <typename F>
double RunBatched(sql::Db& db, const Workload& w, int batch, F&& apply) {
  const auto a = Clock::now();
  for (int k = 0; k < w.updates;) {
    auto txn = Must(sql::Txn::Begin(db), "begin");
    for (int end = std::min(w.updates, k + batch); k < end; ++k) apply(k, w.Make(k), w.TimeOf(k));
    Must(txn.Commit(), "commit");
  }
  return Us(a, Clock::now()) / 1e6;
}

struct UpdateRun {
  double book_s = 0, plain_s = 0;
  std::vector<risk::Level> last_level;  // per case, as its last Update() returned it
  int changes = 0;
};

UpdateRun RiskUpdates(const std::string& dir, const std::string& tag, const Workload& w, int batch,
                      const risk::FactorTable& table, const HolidayCalendar& cal, sql::Db& book_db,
                      std::unique_ptr<risk::RiskBook>& book) {
  UpdateRun r;
  r.last_level.assign(w.cases, risk::Level::kGreen);
  book_db = FreshDb(dir + "/risk-" + tag + ".db");
  book = Must(risk::RiskBook::Open(book_db, table, cal), "risk book");
  r.book_s = RunBatched(book_db, w, batch, [&](int k, const risk::Snapshot& s, int64_t now) {
    const risk::CaseRisk c = Must(book->Update(s, now), "RiskBook::Update");
    r.last_level[w.CaseOf(k)] = c.assessment.level;
    r.changes += c.changed();
  });

  sql::Db plain = FreshDb(dir + "/plain-" + tag + ".db");
  Must(plain.Exec(kPlainSchema), "plain schema");
  auto up =
      Must(plain.Prepare("INSERT INTO plain_cases(case_key, agency, matter, case_ref, handler, "
                         "people, repeats, overdue_since_ms, "
                         "contested, major, open, first_ms, updated_ms) "
                         "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?12) "
                         "ON CONFLICT(case_key) DO UPDATE SET agency=?2, matter=?3, case_ref=?4, "
                         "handler=?5, people=?6, repeats=?7, "
                         "overdue_since_ms=?8, contested=?9, major=?10, open=?11, updated_ms=?12"),
           "plain upsert");
  r.plain_s = RunBatched(plain, w, batch, [&](int, const risk::Snapshot& s, int64_t now) {
    up.BindAll(s.ledger_no, s.agency, s.matter, s.case_ref, s.handler,
               static_cast<int64_t>(s.people), static_cast<int64_t>(s.repeats),
               s.overdue ? s.overdue_since_ms : int64_t{0}, static_cast<int64_t>(s.contested),
               static_cast<int64_t>(s.major), static_cast<int64_t>(s.open), now);
    Must(up.Run(), "plain upsert");
  });
  return r;
}

struct Row {
  std::string zh, en, figure;
};
std::vector<Row> summary;

void Summary(const std::string& zh, const std::string& en, const char* fmt, double a, double b = 0,
             double c = 0) {
  char buf[160];
  snprintf(buf, sizeof buf, fmt, a, b, c);
  summary.push_back({zh, en, buf});
}

// ---------------------------------------------------------------------------
// Conferences

const char* const kConvenor = "procuratorate";
const std::vector<std::string> kInvited = {"plc", "court", "police", "justice", "petition"};
const char* const kLeader = "检察长 周某";
const char* const kDeputies[] = {"副检察长 李某", "副检察长 王某", "副检察长 赵某",
                                 "副检察长 陈某", "副检察长 刘某", "副检察长 杨某",
                                 "副检察长 黄某", "副检察长 吴某", "副检察长 孙某"};

conf::Plan MakePlan(int i, int64_t now) {
  conf::Plan p;
  p.summary = "某建筑公司拖欠" + std::to_string(10 + i % 40) + "名工人工资，工人多次集体上访";
  p.core_demand = "尽快拿到工资";
  p.risk_level = i % 3 == 0 ? "红色" : "黄色";
  p.lead_leader = i % 10 == 0 ? kLeader : kDeputies[i % 9];
  p.closing_criteria = "工资兑付，信访人签订息诉罢访协议";
  p.follow_ups_ms = {now + 30 * kDay, now + 60 * kDay};
  const char* agencies[] = {"police", "justice", kConvenor, "court", "petition"};
  const char* measures[] = {"investigation", "legal_aid", "judicial_aid", "enforcement",
                            "counselling"};
  for (int t = 0; t < 5; ++t) {
    conf::Task x;
    x.task_id = "T" + std::to_string(t + 1);
    x.agency = agencies[t];
    x.person = std::string(agencies[t]) + " 承办人";
    x.measure = measures[t];
    x.detail = "按方案第" + std::to_string(t + 1) + "项落实，及时报告进展";
    x.due_ms = now + (10 + 5 * t) * kDay;
    p.tasks.push_back(std::move(x));
  }
  return p;
}

using Timings = std::map<std::string, std::vector<double>>;  // op -> µs per call

template <typename F>
auto Timed(Timings& t, const char* op, F&& f) {
  const auto a = Clock::now();
  auto r = f();
  t[op].push_back(Us(a, Clock::now()));
  return r;
}

// Convenes conference `i` and brings it to a final plan; with `finish`, its
// tasks done and closed, else `done_tasks` of its tasks done.
std::string Lifecycle(conf::Conferences& book, const std::string& prefix, int i, int64_t now,
                      bool finish, int done_tasks, Timings& t) {
  const std::string id = Must(
      Timed(t, "Convene",
            [&] {
              return book.Convene(
                  kConvenor, prefix + std::to_string(i), "信-2025-" + std::to_string(100000 + i),
                  "第" + std::to_string(i) + "号欠薪集体访联席会议", kInvited, now + 3 * kDay, now);
            }),
      "Convene");
  std::vector<std::string> all = kInvited;
  all.push_back(kConvenor);
  for (const auto& a : all) {
    conf::Input in{a,
                   a + "：经核查，诉求基本属实，存在集体上访风险",
                   {{"legal_explanation", "释法说理"}, {"counselling", "心理疏导"}},
                   0};
    Must(Timed(t, "SubmitInput", [&] { return book.SubmitInput(id, in, now + kHour); }),
         "SubmitInput");
  }
  Must(Timed(t, "ProposePlan",
             [&] { return book.ProposePlan(id, kConvenor, MakePlan(i, now), now + 4 * kDay); }),
       "ProposePlan");
  for (const auto& a : all) {
    Must(Timed(t, "Sign", [&] { return book.Sign(id, a, 1, true, "", now + 5 * kDay); }), "Sign");
    if (&a == &all.back())
      t["Sign, last"].push_back(t["Sign"].back());  // the one that makes the plan final
  }
  const char* task_agency[] = {"police", "justice", kConvenor, "court", "petition"};
  for (int k = 0; k < (finish ? 5 : done_tasks); ++k)
    Must(Timed(t, "UpdateTask",
               [&] {
                 return book.UpdateTask(id, task_agency[k], "T" + std::to_string(k + 1),
                                        "已按期完成", true, now + 8 * kDay);
               }),
         "UpdateTask");
  if (finish)
    Must(Timed(t, "Close", [&] { return book.Close(id, kConvenor, "息诉罢访", now + 40 * kDay); }),
         "Close");
  return id;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "concord-joint-bench: the risk book and the conference state against plain SQLite baselines"};
  int updates = 100000, cases = 20000, batch = 100, single = 2000, conferences = 1000;
  bool quick = false;
  std::string dir = "/tmp/concord-joint-bench",
              factors = std::string(CONCORD_SOURCE_DIR) + "/deploy/risk/factors.toml",
              calendar = std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt";
  app.add_option("--updates", updates, "risk snapshots, batched");
  app.add_option("--cases", cases, "cases they are spread over");
  app.add_option("--batch", batch, "snapshots per transaction");
  app.add_option("--single", single, "snapshots at one per transaction (over --single/5 cases)");
  app.add_option("--conferences", conferences,
                 "conference lifecycles (and as many open ones for ForLeader)");
  app.add_option("--dir", dir);
  app.add_option("--factors", factors);
  app.add_option("--calendar", calendar);
  app.add_flag("--quick", quick, "small sizes: a smoke run of every mode in a few seconds");
  CLI11_PARSE(app, argc, argv);
  if (quick) {
    updates = 5000;
    cases = 1000;
    single = 200;
    conferences = 50;
  }
  if (updates < 1 || cases < 1 || batch < 1 || single < kSteps || conferences < 1) {
    fprintf(stderr, "sizes must be positive (--single at least %d)\n", kSteps);
    return 2;
  }
  std::filesystem::create_directories(dir);
  const risk::FactorTable table = Must(risk::FactorTable::Load(factors), "factor table");
  const HolidayCalendar cal = Must(HolidayCalendar::Load(calendar), "calendar");
  const int64_t t0 = At("2025-01-02"), span = At("2025-06-27") - t0;
  printf(
      "concord-joint-bench  (数据目录 dir %s; WAL, synchronous=FULL; 比值 = 本项 / 基线 ratio = "
      "this / baseline)\n",
      dir.c_str());

  // ---- 1. Risk snapshots.
  const Workload w{updates, cases, t0, span};
  sql::Db risk_db;
  std::unique_ptr<risk::RiskBook> book;
  printf("\n== 1. 风险快照 risk snapshots: %d 条 updates over %d 件 cases ==\n", updates, cases);
  UpdateRun batched = RiskUpdates(dir, "batch", w, batch, table, cal, risk_db, book);
  const double book_rate = updates / batched.book_s, plain_rate = updates / batched.plain_s;
  printf(
      "  每事务 %d 条 %d per txn: RiskBook::Update %9.0f 条/秒 updates/s (%6.1f µs/条 each), %d "
      "次等级变化 level "
      "changes\n",
      batch, batch, book_rate, 1e6 / book_rate, batched.changes);
  printf("  基线 baseline 普通 upsert plain upsert   %9.0f 条/秒 updates/s (%6.1f µs/条 each)\n",
         plain_rate, 1e6 / plain_rate);
  printf("  比值 ratio: Update 用时是基线的 %.1f 倍 / takes %.1fx the baseline's time\n",
         plain_rate / book_rate, plain_rate / book_rate);
  Summary("风险快照，每事务100条", "risk Update, batched", "%.0f/s vs %.0f/s  x%.1f", book_rate,
          plain_rate, plain_rate / book_rate);
  {
    const Workload ws{single, std::max(1, single / kSteps), t0, span};
    sql::Db db1;
    std::unique_ptr<risk::RiskBook> book1;
    UpdateRun one = RiskUpdates(dir, "single", ws, 1, table, cal, db1, book1);
    const double r1 = single / one.book_s, p1 = single / one.plain_s;
    printf(
        "  每事务 1 条 1 per txn (%d 条 updates over %d 件 cases): RiskBook::Update %7.0f 条/秒 "
        "updates/s "
        "(%7.1f µs/条 each)\n",
        single, ws.cases, r1, 1e6 / r1);
    printf(
        "  基线 baseline 普通 upsert plain upsert, 1 per txn      %7.0f 条/秒 updates/s (%7.1f "
        "µs/条 each)\n",
        p1, 1e6 / p1);
    printf(
        "  比值 ratio: %.2f 倍 / x%.2f (每条一次 fsync：提交占主导 one fsync each: the commit "
        "dominates)\n",
        p1 / r1, p1 / r1);
    Summary("风险快照，每事务1条", "risk Update, 1 per txn", "%.0f/s vs %.0f/s  x%.2f", r1, p1,
            p1 / r1);
    int rows = static_cast<int>(Must(db1.QueryInt("SELECT count(*) FROM risk_cases"), "count"));
    Check(rows == ws.cases, "1-per-txn book holds " + std::to_string(rows) + " cases, expected " +
                                std::to_string(ws.cases));
  }

  // ---- 2. The monthly screening over the book of (1).
  {
    printf("\n== 2. 隐患月排查 monthly screening over %d 件 cases ==\n", cases);
    int64_t now = At("2025-07-01");
    std::string month;
    for (int d = 0; d < 10 && month.empty(); ++d, now += kDay)
      month = Must(book->ScreeningDue(now), "ScreeningDue");
    now -= kDay;
    Check(month == "2025-07", "screening due for '" + month + "', expected 2025-07");
    const Expected e = Expect(w, table, now);
    int tallied = 0;  // yellow/red as the last Update() of each case reported
    for (int i = 0; i < cases; ++i)
      if (w.Count(i) > 0 && batched.last_level[i] != risk::Level::kGreen) ++tallied;
    Check(tallied == e.open + e.resolved, "the book holds " + std::to_string(tallied) +
                                              " yellow/red cases, the factor table expects " +
                                              std::to_string(e.open + e.resolved));

    auto count =
        Must(risk_db.Prepare(
                 "SELECT count(*) FROM risk_cases WHERE level IN ('yellow', 'red') AND open = 1"),
             "count");
    std::vector<double> count_us, open_us, screen_us, commit_us;
    int64_t counted = 0;
    size_t open_listed = 0;
    std::vector<risk::Screening> first;
    for (int rep = 0; rep < 3; ++rep) {  // the same month held again: the same open risks, none new
      auto a = Clock::now();
      (void)Must(count.Step(), "count");
      counted = count.Int(0);
      count.Reset();
      auto b = Clock::now();
      open_listed = Must(book->OpenRisks(), "OpenRisks").size();
      auto txn = Must(sql::Txn::Begin(risk_db), "begin");
      auto c = Clock::now();
      auto s = Must(book->Screen(month, now), "Screen");
      auto d = Clock::now();
      Must(txn.Commit(), "commit");
      auto e = Clock::now();
      if (rep == 0) first = std::move(s);
      count_us.push_back(Us(a, b));
      open_us.push_back(Us(b, c));
      screen_us.push_back(Us(c, d));
      commit_us.push_back(Us(d, e));
    }
    Expected got;
    for (const auto& s : first) {
      got.open += s.open;
      got.resolved += s.resolved;
      got.long_overdue += s.long_overdue;
      Check(s.new_risks == s.open,
            s.agency + ": the first screening counts every open risk as new");
      Check(!s.markdown.empty() && !s.csv.empty(), s.agency + ": empty report");
    }
    Check(e.open > 0 || updates < 4 * cases, "the workload created no open risk to screen");
    Check(got.open == e.open, "screening counted " + std::to_string(got.open) +
                                  " open risks, expected " + std::to_string(e.open));
    Check(got.resolved == e.resolved, "screening counted " + std::to_string(got.resolved) +
                                          " resolved, expected " + std::to_string(e.resolved));
    Check(got.long_overdue == e.long_overdue,
          "screening counted " + std::to_string(got.long_overdue) + " long overdue, expected " +
              std::to_string(e.long_overdue));
    Check(counted == e.open, "count(*) found " + std::to_string(counted) + " open risks");
    const double sm = Median(screen_us) / 1000, cm = Median(count_us) / 1000,
                 om = Median(open_us) / 1000;
    printf(
        "  %zu 个单位 agencies: 在办 open %d（黄/红 yellow/red；预期 expected %d），已化解 "
        "resolved %d，"
        "逾期超一月 long overdue %d，绿色 green %d\n",
        first.size(), got.open, e.open, got.resolved, got.long_overdue, e.green);
    printf(
        "  Screen()                          %8.2f ms (3 次中位数 median of 3; 另加提交 plus its "
        "commit %.2f ms)\n",
        sm, Median(commit_us) / 1000);
    printf("  基线 baseline count(*) 黄/红在办  %8.2f ms  -> 比值 ratio %.0f\n", cm,
           sm / std::max(1e-6, cm));
    printf(
        "  基线 baseline OpenRisks() (%zu 件 cases, 含绿色 green too) %8.2f ms  -> 比值 ratio "
        "%.2f\n",
        open_listed, om, sm / std::max(1e-6, om));
    Summary("月排查 Screen()", "monthly Screen()", "%.2f ms; x%.0f count(*), x%.2f OpenRisks()", sm,
            sm / std::max(1e-6, cm), sm / std::max(1e-6, om));
  }

  // ---- 3. Conference lifecycles.
  sql::Db conf_db = FreshDb(dir + "/conference.db");
  auto confs = Must(conf::Conferences::Open(conf_db), "conferences");
  std::vector<std::string> closed_ids;
  {
    printf(
        "\n== 3. 联席会议全流程 conference lifecycle x %d (6 个单位 agencies, 6 份意见 inputs, 5 "
        "项任务 tasks) ==\n",
        conferences);
    Timings t;
    std::vector<double> commit_us;
    for (int i = 0; i < conferences; ++i) {
      auto txn = Must(sql::Txn::Begin(conf_db), "begin");
      closed_ids.push_back(Lifecycle(*confs, "REQ-", i, t0 + (i % 300) * kDay, true, 0, t));
      auto a = Clock::now();
      Must(txn.Commit(), "commit");
      commit_us.push_back(Us(a, Clock::now()));
    }
    std::vector<double> get_us;
    for (const auto& id : closed_ids) {
      auto a = Clock::now();
      auto c = Must(confs->Get(id), "Get");
      get_us.push_back(Us(a, Clock::now()));
      Check(c.status == "closed" && c.signatures.size() == 6 && c.inputs.size() == 6 &&
                c.plans.size() == 1 && c.plans.back().tasks.size() == 5,
            id + " is not a closed conference of the expected size (status " + c.status + ")");
      for (const auto& task : c.plans.back().tasks)
        Check(task.status == "done", id + " " + task.task_id + " not done");
    }
    const double get = Mean(get_us);
    printf("  %s %s %s %9s %9s   %s\n", Pad("操作 op", 12).c_str(), Pad("次数 n", 8).c_str(),
           Pad("均值 mean", 9).c_str(), "p50", "p99", "折合几次 Get() = mean / Get() mean");
    for (const char* op :
         {"Convene", "SubmitInput", "ProposePlan", "Sign", "Sign, last", "UpdateTask", "Close"}) {
      const auto& v = t[op];
      printf("  %-12s %8zu %7.1fµs %7.1fµs %7.1fµs   %5.2f\n", op, v.size(), Mean(v), Pct(v, 0.5),
             Pct(v, 0.99), Mean(v) / get);
      Summary(std::string("会议 ") + op, std::string("conference ") + op, "%.1f µs = %.2f Get()",
              Mean(v), Mean(v) / get);
    }
    printf("  %-12s %8zu %7.1fµs %7.1fµs %7.1fµs   (基线 baseline: 完整会议 a full conference)\n",
           "Get()", get_us.size(), get, Pct(get_us, 0.5), Pct(get_us, 0.99));
    printf("  每会议一次提交 commit per conference (20 ops): 均值 mean %.1f µs, p50 %.1f µs\n",
           Mean(commit_us), Pct(commit_us, 0.5));
    Summary("会议 Get()（基线）", "conference Get() (baseline)", "%.1f µs", get);
  }

  // ---- 4. ForLeader over open conferences.
  {
    printf(
        "\n== 4. 领导包案视图 ForLeader(): %d 个在办 open + %d 个已结 closed 会议 conferences ==\n",
        conferences, conferences);
    Timings ignored;
    std::vector<std::string> mine;
    auto txn = Must(sql::Txn::Begin(conf_db), "begin");
    for (int i = 0; i < conferences; ++i) {
      std::string id = Lifecycle(*confs, "OPEN-", i, t0 + (i % 300) * kDay, false, 2, ignored);
      if (i % 10 == 0) mine.push_back(id);
    }
    Must(txn.Commit(), "commit");
    std::vector<double> leader_us, gets_us;
    std::vector<conf::Conference> got;
    for (int rep = 0; rep < 3; ++rep) {
      auto a = Clock::now();
      got = Must(confs->ForLeader(kLeader), "ForLeader");
      auto b = Clock::now();
      for (const auto& c : got) (void)Must(confs->Get(c.id), "Get");
      auto d = Clock::now();
      leader_us.push_back(Us(a, b));
      gets_us.push_back(Us(b, d));
    }
    std::vector<std::string> ids;
    for (const auto& c : got) {
      ids.push_back(c.id);
      Check(c.plans.back().lead_leader == kLeader && c.status == "final",
            c.id + " is not the leader's open case");
    }
    Check(ids == mine, "ForLeader returned " + std::to_string(ids.size()) +
                           " conferences, expected " + std::to_string(mine.size()));
    const double lm = Median(leader_us) / 1000, gm = Median(gets_us) / 1000;
    printf("  ForLeader(\"%s\") -> %zu 个 conferences: %.2f ms (3 次中位数 median of 3)\n", kLeader,
           got.size(), lm);
    printf("  基线 baseline 逐个 Get() each of them: %.2f ms  -> 比值 ratio %.2f\n", gm,
           lm / std::max(1e-6, gm));
    Summary("领导视图 ForLeader()", "ForLeader()", "%.2f ms; x%.2f its Get()s", lm,
            lm / std::max(1e-6, gm));
  }

  // ---- 5. PlanHtml of one full conference.
  {
    printf("\n== 5. 方案文书 PlanHtml() ==\n");
    const std::string& id = closed_ids.front();
    std::vector<double> html_us, get_us;
    size_t bytes = 0;
    for (int rep = 0; rep < 21; ++rep) {
      auto a = Clock::now();
      const std::string html = Must(conf::PlanHtml(*confs, id), "PlanHtml");
      auto b = Clock::now();
      (void)Must(confs->Get(id), "Get");
      auto c = Clock::now();
      bytes = html.size();
      if (rep == 0)
        Check(html.find("化解工作方案") != std::string::npos &&
                  html.find("息诉罢访") != std::string::npos,
              "PlanHtml lacks the plan or the outcome");
      html_us.push_back(Us(a, b));
      get_us.push_back(Us(b, c));
    }
    const double hm = Median(html_us) / 1000, gm = Median(get_us) / 1000;
    printf("  PlanHtml(%s): %zu 字节 bytes, %.3f ms (21 次中位数 median of 21)\n", id.c_str(),
           bytes, hm);
    printf("  基线 baseline 一次 Get() one Get(): %.3f ms  -> 比值 ratio %.2f\n", gm,
           hm / std::max(1e-6, gm));
    Summary("方案文书 PlanHtml()", "PlanHtml()", "%.3f ms; x%.2f Get()", hm,
            hm / std::max(1e-6, gm));
  }

  printf("\n== 汇总 summary ==\n");
  for (const auto& r : summary)
    printf("  %s | %s | %s\n", Pad(r.zh, 22).c_str(), Pad(r.en, 28).c_str(), r.figure.c_str());
  printf("\n%s\n", failures ? "结果不一致 INCONSISTENT" : "结果一致 consistent");
  return failures ? 1 : 0;
}
