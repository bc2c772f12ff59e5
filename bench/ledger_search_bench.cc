// concord-ledger-search-bench: the agencies' reads of the ledger (LedgerQuery,
// Ledger::Search and Ledger::Read) over a large ledger.
//
//   concord-ledger-search-bench [--items 100000] [--runs 9] [--dir D] [--reuse] [--quick]
//
// Builds a ledger of --items petitions received over two years by six
// agencies, as the ledger agent writes them (bench/ledger_gen.h; SQLite WAL,
// FULL): one in ten transferred to another agency, four in five accepted with
// one of 60 first handlers, two in five answered and closed. --reuse keeps the
// file of an earlier run with the same --items. Then times each read --runs
// times and prints the median wall time (min, max) and the median CPU time of
// the thread, in milliseconds:
//   name:      a search by a two-character name substring, as one agency
//   name/all:  the same as a supervisor (every item is visible)
//   handler:   the open items of agency X handled by Y, as X
//   todo:      待办 of agency X: its open items, the next due date first, 100 on the page
//   todo/handler: the same for one handler (Y, in every agency)
//   open, status: the open items / the accepted ones an agency sees
//   page:      the first page of everything an agency sees (a console's opening list)
//   item:      one item with its history, deadlines and allowed actions (Read)
// Baselines in the same run:
//   scan:      a bare count of the name substring in the petitioner column, the
//              floor of any substring search without a text index
//   scan6:     the count over the six searched columns of petitions, what a
//              search without item_search would read
//   open list: OpenItems() filtered to X and Y, what GET /ledger/open does
//   metrics:   Ledger::FiguresByAgency, what each /metrics scrape of the agent runs
// --quick (the ctest smoke run): 3,000 items and one run; it checks that each
// search counts what plain SQL counts, never a time.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "agents/ledger/ledger.h"
#include "bench/ledger_gen.h"

namespace {

using Clock = std::chrono::steady_clock;
using concord::ledger::Ledger;
using concord::ledger::Reader;
using concord::ledger::SearchQuery;
constexpr int64_t kDay = concord::kDayMs;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// This thread's CPU time: on a shared machine the wall time also counts the
// time others' processes had the cores.
double CpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Runs `f` `runs` times; prints the median wall time (min, max), the median
// CPU time, and what the last run returned (its description is made inside
// the timing: microseconds).
void Measure(const char* what, int runs, const std::function<std::string()>& f) {
  std::vector<double> wall, cpu;
  std::string result;
  for (int r = 0; r < runs; ++r) {
    const auto a = Clock::now();
    const double c = CpuMs();
    result = f();
    cpu.push_back(CpuMs() - c);
    wall.push_back(Ms(a, Clock::now()));
  }
  printf("  %-10s %8.2f ms  (min %6.2f, max %6.2f; cpu %6.2f)  %s\n", what, Median(wall),
         *std::min_element(wall.begin(), wall.end()), *std::max_element(wall.begin(), wall.end()),
         Median(cpu), result.c_str());
}

bool Fail(const std::string& what) {
  fprintf(stderr, "FAIL: %s\n", what.c_str());
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"concord-ledger-search-bench: the consoles' reads of a large ledger"};
  int items = 100000, runs = 9;
  bool quick = false, reuse = false;
  std::string dir = "/tmp/concord-ledger-search-bench",
              calendar = std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt";
  app.add_option("--items", items);
  app.add_option("--runs", runs);
  app.add_option("--dir", dir);
  app.add_option("--calendar", calendar);
  app.add_flag("--reuse", reuse, "keep the ledger of an earlier run with the same --items");
  app.add_flag("--quick", quick, "smoke run: 3,000 items, one run, results checked");
  CLI11_PARSE(app, argc, argv);
  if (quick) {
    items = 3000;
    runs = 1;
    reuse = false;
  }
  runs = std::max(1, runs);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/search-" + std::to_string(items) + ".db";
  const bool built = reuse && std::filesystem::exists(path);
  if (!built)
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto cal = concord::HolidayCalendar::Load(calendar);
  if (!cal.ok()) {
    fprintf(stderr, "%s\n", std::string(cal.status().message()).c_str());
    return 2;
  }
  concord::sql::Db db = *concord::sql::Db::Open(path);
  auto ledger = *Ledger::Open(db, *cal);
  const int64_t start = concord::StartOfDayMs(*concord::ParseDate("2024-01-01"));
  const int64_t now = start + 731 * kDay;
  if (!built) {
    const auto t0 = Clock::now();
    concord::bench::BuildLedger(*ledger, db, items, start);
    printf("built %d items in %.1f s\n", items, Ms(t0, Clock::now()) / 1000);
  } else {
    printf("reusing %s\n", path.c_str());
  }
  printf(
      "%lld items, %lld events, %lld visibility rows; %d runs each, median wall (min, max; "
      "median cpu):\n",
      static_cast<long long>(*db.QueryInt("SELECT count(*) FROM petitions")),
      static_cast<long long>(*db.QueryInt("SELECT count(*) FROM petition_events")),
      static_cast<long long>(*db.QueryInt("SELECT count(*) FROM item_agencies")), runs);

  const std::string name = "张秀", agency = "procuratorate", handler = "承办人7";
  const Reader one{.agency = agency}, all{.agency = "plc", .supervisor = true};
  bool ok = true;
  // What Search() counted against plain SQL: every match, or kSearchCountCap
  // and `capped` when there are more.
  concord::ledger::SearchResult r;
  auto count = [&](const std::string& what, const std::string& sql, const std::string& arg1,
                   const std::string& arg2, bool some = false) {
    auto st = db.Prepare(sql);
    st->Bind(1, arg1);
    if (!arg2.empty()) st->Bind(2, arg2);
    (void)st->Step();
    const int64_t want = st->Int(0);
    const bool over = want > concord::ledger::kSearchCountCap;
    if (r.total != (over ? concord::ledger::kSearchCountCap : want) || r.capped != over ||
        (some && want == 0))
      ok = Fail(what + ": " + std::to_string(r.total) + (r.capped ? "+" : "") + " found, " +
                std::to_string(want) + " by SQL");
  };
  constexpr const char* kTextSql =
      "SELECT count(*) FROM petitions WHERE (instr(petitioner, ?1) OR instr(matter, ?1) OR "
      "instr(ledger_no, ?1) OR instr(intake_id, ?1) OR instr(contact, ?1) OR instr(case_ref, ?1))";

  auto search = [&](const SearchQuery& q, const Reader& reader) {
    return [&, q, reader] {
      r = *ledger->Search(q, reader, now);
      return std::to_string(r.total) + (r.capped ? "+" : "") + " found, " +
             std::to_string(r.items.size()) + " on the page";
    };
  };
  Measure("name", runs, search({.text = name}, one));
  count("name",
        std::string(kTextSql) +
            " AND ledger_no IN (SELECT ledger_no FROM item_agencies WHERE agency = ?2)",
        name, agency);
  Measure("name/all", runs, search({.text = name}, all));
  count("name/all", kTextSql, name, "", /*some=*/true);
  Measure("handler", runs, search({.agency = agency, .handler = handler, .open_only = true}, one));
  count("handler",
        "SELECT count(*) FROM petitions WHERE agency = ?1 AND handler = ?2 AND status NOT IN "
        "('closed', 'final', 'not_accepted')",
        agency, handler, /*some=*/true);
  constexpr const char* kOpenSql =
      "SELECT count(*) FROM petitions WHERE agency = ?1 AND status NOT IN ('closed', 'final', "
      "'not_accepted')";
  Measure("todo", runs,
          search({.agency = agency, .open_only = true, .limit = 100, .by_due = true}, one));
  count("todo", kOpenSql, agency, "");
  Measure("todo/handler", runs,
          search({.handler = handler, .open_only = true, .limit = 100, .by_due = true}, one));
  Measure("open", runs, search({.open_only = true}, one));
  Measure("status", runs, search({.status = "accepted"}, one));
  Measure("page", runs, search({}, one));
  count("page", "SELECT count(*) FROM item_agencies WHERE agency = ?1", agency, "");
  const std::string item = r.items.empty() ? "" : r.items.front().ledger_no;
  Measure("item", runs, [&] {
    return item + ", " + std::to_string(ledger->Read(item, one, now)->history.size()) + " events";
  });

  printf("baselines:\n");
  Measure("scan", runs, [&] {
    return std::to_string(*db.QueryInt(
               "SELECT count(*) FROM petitions WHERE instr(petitioner, ?) > 0", name)) +
           " petitioners";
  });
  Measure("scan6", runs, [&] { return std::to_string(*db.QueryInt(kTextSql, name)) + " items"; });
  Measure("open list", runs, [&] {
    size_t listed = 0;
    const auto open = *ledger->OpenItems(now);
    for (const auto& i : open)
      if (i.agency == agency && i.handler == handler) ++listed;
    return std::to_string(listed) + " items";
  });
  // What each scrape of the ledger agent's /metrics costs: the per-agency
  // open / due soon / overdue / escalated gauges (Ledger::FiguresByAgency,
  // OpenItems plus one GROUP BY), to be read against "open list" above.
  Measure("metrics", runs, [&] {
    const auto figures = *ledger->FiguresByAgency(now, {});
    int64_t open = 0;
    for (const auto& [a, f] : figures) open += f.open;
    return std::to_string(open) + " open items";
  });
  return ok ? 0 : 1;
}
