// concord-ledger-bench: the ledger's year of work and its deadline scan.
//
//   concord-ledger-bench [--petitions 50000] [--open 100000]
//
// Year: registers --petitions petitions spread over 2025 and walks each
// through review, acceptance, procedural reply, work, answer and closure
// (7 events each), in one transaction per simulated day, as the ledger agent
// applies them (Ledger::Register / Apply on a SQLite file, WAL, FULL), with the
// clock scanned every simulated hour.
// Scan: with --open items open (none handled), times one Scan() at a moment
// when a day's worth of deadlines is due soon, and a Scan() when nothing is.
// Baseline in the same run: a full-table count of the open deadlines, i.e.
// what a scan without the partial index would read.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "agents/ledger/ledger.h"

namespace {

using Clock = std::chrono::steady_clock;
using concord::HolidayCalendar;
using concord::ParseDate;
using concord::StartOfDayMs;
using concord::ledger::Action;
constexpr int64_t kHour = concord::kHourMs, kDay = concord::kDayMs;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::unique_ptr<concord::ledger::Ledger> OpenLedger(concord::sql::Db& db, const std::string& path,
                                                    const std::string& calendar) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  db = *concord::sql::Db::Open(path);
  auto cal = HolidayCalendar::Load(calendar);
  if (!cal.ok()) {
    fprintf(stderr, "%s\n", std::string(cal.status().message()).c_str());
    exit(2);
  }
  return *concord::ledger::Ledger::Open(db, *cal);
}

concord::ledger::PetitionInput Petition(int i, int64_t t) {
  concord::ledger::PetitionInput p;
  p.agency = "procuratorate";
  p.intake_id = "B-" + std::to_string(i);
  p.channel = "letter";
  p.received_ms = t;
  p.petitioner = "信访人" + std::to_string(i % 20000);  // some people petition more than once
  p.contact = "138" + std::to_string(10000000 + i % 20000);
  p.matter = "不服处理决定";
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"concord-ledger-bench: a year of petitions and the deadline scan"};
  int petitions = 50000, open_items = 100000;
  std::string dir = "/tmp/concord-ledger-bench",
              calendar = std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt";
  app.add_option("--petitions", petitions);
  app.add_option("--open", open_items);
  app.add_option("--dir", dir);
  app.add_option("--calendar", calendar);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(dir);
  const int64_t year_start = StartOfDayMs(*ParseDate("2025-01-01"));

  // ---- A year: register and walk every petition; scan every hour.
  {
    concord::sql::Db db;
    auto ledger = OpenLedger(db, dir + "/year.db", calendar);
    static const Action kPath[] = {Action::kStartReview,      Action::kAccept,
                                   Action::kProceduralReply,  Action::kStartWork,
                                   Action::kSubstantiveReply, Action::kClose};
    const int per_day = (petitions + 364) / 365;
    const concord::ledger::ActInput routed{
        .note = "办理", .to_agency = "", .department = "控申部门", .handler = "李检察官"};
    std::vector<std::string> nos;
    size_t events = 0, alerts = 0;
    const auto t0 = Clock::now();
    for (int day = 0; day < 365 + 60; ++day) {
      const int64_t base = year_start + day * kDay;
      auto txn = concord::sql::Txn::Begin(db);
      for (int i = 0; i < per_day && static_cast<int>(nos.size()) < petitions && day < 365; ++i) {
        nos.push_back(*ledger->Register(Petition(static_cast<int>(nos.size()), base + 9 * kHour)));
        ++events;
      }
      // Items registered k days ago take their k-th step (the answer after a month).
      for (int step = 0; step < 6; ++step) {
        const int ago = step < 4 ? step : (step == 4 ? 35 : 50);
        const int from = (day - ago) * per_day;
        for (int i = std::max(0, from); i < from + per_day && i < static_cast<int>(nos.size());
             ++i) {
          if (ledger->Apply(nos[i], "procuratorate", kPath[step], base + 14 * kHour, routed).ok())
            ++events;
        }
      }
      (void)txn->Commit();
      for (int h = 0; h < 24; ++h) alerts += ledger->Scan(base + h * kHour).size();
    }
    const double ms = Ms(t0, Clock::now());
    printf(
        "year: %zu petitions, %zu events, 10,200 hourly scans, %zu alerts in %.1f s (%.0f "
        "events/s)\n",
        nos.size(), events, alerts, ms / 1000, events / (ms / 1000));
  }

  // ---- The scan over many open items.
  {
    concord::sql::Db db;
    auto ledger = OpenLedger(db, dir + "/open.db", calendar);
    const auto t0 = Clock::now();
    {
      auto txn = concord::sql::Txn::Begin(db);
      for (int i = 0; i < open_items; ++i)  // received over 300 days, none handled yet
        (void)ledger->Register(Petition(i, year_start + (i % 300) * kDay + 9 * kHour));
      (void)txn->Commit();
    }
    printf("registered %d open items (3 deadlines each) in %.1f s\n", open_items,
           Ms(t0, Clock::now()) / 1000);
    // First scan at day 300 reports the backlog once (everything overdue);
    // then the steady state: one day's worth of new warnings.
    const int64_t now = year_start + 300 * kDay;
    auto a = Clock::now();
    const size_t first = ledger->Scan(now).size();
    auto b = Clock::now();
    const size_t steady = ledger->Scan(now + kHour).size();
    auto c = Clock::now();
    auto count = db.Prepare("SELECT count(*) FROM deadlines WHERE met_ms = 0 AND void = 0");
    auto d = Clock::now();
    (void)count->Step();
    const int64_t open_deadlines = count->Int(0);
    auto e = Clock::now();
    printf(
        "scan over %d open items (%lld open deadlines): first scan %.1f ms (%zu alerts: the "
        "backlog), "
        "steady scan %.2f ms (%zu alerts)\n",
        open_items, static_cast<long long>(open_deadlines), Ms(a, b), first, Ms(b, c), steady);
    printf("  baseline: counting the open deadlines %.2f ms -> steady scan / baseline = %.2f\n",
           Ms(d, e), Ms(b, c) / std::max(1e-6, Ms(d, e)));
    // The clerk's list (concordctl ledger): every open item with its next
    // deadline and whether any is due soon.
    auto f = Clock::now();
    const size_t listed = ledger->OpenItems(now + kHour)->size();
    auto g = Clock::now();
    printf("listing the open items (concordctl ledger): %zu items in %.1f ms\n", listed, Ms(f, g));
  }
  return 0;
}
