// Petition intake end to end with real processes (the hub, one agency's
// adapter with a drop folder, the ledger agent): a CSV dropped into
// drop/petitions/ and petitions registered with concordctl reach the ledger
// and come back with ledger numbers; bad rows are named by line.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/daemon.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PetitionIntake : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d_.StartHub().ok());
    StartOffice();
    agent_ = std::make_unique<DaemonProcess>(
        d_, "ledger", "concord-ledger-agent",
        "[ledger]\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
            "/deploy/calendar/cn-holidays.txt\"\npetition_office = \"office\"\nscan_seconds = 1\n",
        "ledger.db");
    ASSERT_TRUE(office_->ok() && agent_->ok());
  }

  // The adapter, again with the same data after a restart.
  void StartOffice() {
    office_ = std::make_unique<DaemonProcess>(
        d_, "office", "concord-adapter",
        "[petitions]\nledger = \"ledger\"\n\n[csv]\ndrop_dir = \"drop-office\"\n");
  }

  std::string drop() const { return d_.dir() + "/drop-office/petitions"; }
  std::string adapter() const { return "127.0.0.1:" + std::to_string(office_->port()); }

  // Writes `csv` under a hidden name, then renames it to `name` (as an agency system should).
  void Drop(const std::string& name, const std::string& csv) {
    std::ofstream(drop() + "/.incoming") << csv;
    fs::rename(drop() + "/.incoming", drop() + "/" + name);
  }

  // GET /petitions?intake_id=ID once the ledger has answered (null if it never does).
  json Registered(const std::string& id) {
    json p;
    WaitFor(
        [&] {
          p = office_->Get("/petitions?intake_id=" + id);
          return p.is_object() && p.value("status", "") != "registering";
        },
        15000);
    return p;
  }

  TestDistrict d_{{"office", "ledger:ledger"}};
  std::unique_ptr<DaemonProcess> office_, agent_;
};

// A dropped CSV: its good rows get ledger numbers, its bad row is in the report by line.
TEST_F(PetitionIntake, DropFolderRegistersGoodRowsAndReportsBadOnes) {
  ASSERT_TRUE(fs::is_directory(drop())) << "made at start";
  Drop("2026-11-02.csv",
       "\xEF\xBB\xBF登记编号,渠道,收到时间,信访人,联系方式,信访事项,人数\r\n"
       "CSV-1,来信,2026-11-02 09:30,王某,13800138000,对不起诉决定不服,1\r\n"
       "CSV-2,鸽子,2026-11-02 10:00,李某,13900139000,执行款未到位,1\r\n"
       "CSV-3,来访,2026-11-02 11:15,赵某等,13700137000,\"征地补偿，\r\n多人\",6\r\n");
  const std::string report = drop() + "/done/2026-11-02.csv.report.csv";
  ASSERT_TRUE(WaitFor([&] { return fs::exists(report); }, 15000)) << office_->log();
  EXPECT_FALSE(fs::exists(drop() + "/2026-11-02.csv"));
  const std::string text = ReadFile(report);
  EXPECT_NE(text.find("\n3,"), std::string::npos) << text;
  EXPECT_NE(text.find("channel"), std::string::npos) << text;
  EXPECT_EQ(text.find("\n2,"), std::string::npos) << text;

  for (const char* id : {"CSV-1", "CSV-3"}) {
    json p = Registered(id);
    ASSERT_TRUE(p.is_object()) << id;
    EXPECT_EQ(p.value("status", ""), "registered") << p.dump();
    EXPECT_EQ(p.value("ledger_no", "").rfind("信-", 0), 0u) << p.dump();
  }
  EXPECT_TRUE(office_->Get("/petitions?intake_id=CSV-2").is_null()) << "the bad row is not sent";
  json open = agent_->Get("/ledger/open");
  ASSERT_TRUE(open.is_object());
  EXPECT_EQ(open["items"].size(), 2u) << open.dump();

  // The same bytes again are not imported twice (the first import's report goes beside them);
  // an unreadable file, or one whose quote never closes, goes to failed/ with the reason.
  Drop("again.csv", ReadFile(drop() + "/done/2026-11-02.csv"));
  Drop("utf16.csv", std::string("i\0d\0\n\0", 6));
  Drop("open-quote.csv",
       "登记编号,渠道,信访事项\nQ-1,来信,a\nQ-2,来信,\"b\nQ-3,来信,c\nQ-4,来信,d\n");
  ASSERT_TRUE(WaitFor(
      [&] {
        return fs::exists(drop() + "/done/again.csv") &&
               fs::exists(drop() + "/failed/utf16.csv.errors.txt") &&
               fs::exists(drop() + "/failed/open-quote.csv.errors.txt");
      },
      15000))
      << office_->log();
  EXPECT_EQ(ReadFile(drop() + "/done/again.csv.report.csv"), text);
  EXPECT_NE(ReadFile(drop() + "/failed/utf16.csv.errors.txt").find("NUL"), std::string::npos);
  EXPECT_NE(ReadFile(drop() + "/failed/open-quote.csv.errors.txt").find("quote opened on line 3"),
            std::string::npos)
      << ReadFile(drop() + "/failed/open-quote.csv.errors.txt");
  EXPECT_TRUE(office_->Get("/petitions?intake_id=Q-1").is_null()) << "nothing of it is sent";
}

// A stop between an import's commit and the file's move leaves the file in the folder: at
// the next start it goes to done/ with its report written again from the database. A later
// file of the same name goes to done/ under another name: nothing there is overwritten.
TEST_F(PetitionIntake, DropFolderReportSurvivesARestartAndNothingIsOverwritten) {
  const std::string done = drop() + "/done/";
  Drop("day.csv", "intake_id,channel,matter\nR-1,letter,m\nR-2,pigeon,m\n");
  ASSERT_TRUE(WaitFor([&] { return fs::exists(done + "day.csv.report.csv"); }, 15000))
      << office_->log();
  const std::string report = ReadFile(done + "day.csv.report.csv");
  ASSERT_NE(report.find("\n3,"), std::string::npos) << report;

  office_->Stop();
  fs::rename(done + "day.csv", drop() + "/day.csv");
  fs::remove(done + "day.csv.report.csv");
  StartOffice();
  ASSERT_TRUE(office_->ok());
  ASSERT_TRUE(WaitFor([&] { return !fs::exists(drop() + "/day.csv"); }, 15000)) << office_->log();
  EXPECT_TRUE(fs::exists(done + "day.csv"));
  EXPECT_EQ(ReadFile(done + "day.csv.report.csv"), report);

  const std::string second = "intake_id,channel,matter\nR-3,letter,m\nR-4,letter,m,extra\n";
  Drop("day.csv", second);
  std::string moved;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& e : fs::directory_iterator(done))
          if (const std::string n = e.path().filename().string();
              n.starts_with("day.") && n.ends_with(".csv") && n != "day.csv" &&
              !n.ends_with(".report.csv"))
            moved = e.path().string();
        return !moved.empty() && fs::exists(moved + ".report.csv");
      },
      15000))
      << office_->log();
  EXPECT_EQ(ReadFile(moved), second);
  EXPECT_NE(ReadFile(moved + ".report.csv").find("\n3,"), std::string::npos);
  EXPECT_EQ(ReadFile(done + "day.csv.report.csv"), report) << "the first one's report is kept";
  EXPECT_EQ(ReadFile(done + "day.csv"), "intake_id,channel,matter\nR-1,letter,m\nR-2,pigeon,m\n");
}

// concordctl registers one petition and prints its ledger number; status lists it.
TEST_F(PetitionIntake, ConcordctlRegistersOnePetition) {
  CommandResult r = RunConcordctl(
      "petition register --adapter " + adapter() +
      " --intake-id CTL-1 --channel 来访 --matter 拖欠工资 --received '2026-11-03 14:00'"
      " --petitioner 刘某 --contact 13600136000 --people 2 --wait 60");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  json p = Registered("CTL-1");
  ASSERT_TRUE(p.is_object());
  const std::string no = p.value("ledger_no", "");
  ASSERT_FALSE(no.empty()) << p.dump();
  EXPECT_NE(r.out.find(no), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("已登记 registered"), std::string::npos) << r.out;

  CommandResult status =
      RunConcordctl("petition status --adapter " + adapter() + " --intake-id CTL-1");
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_NE(status.out.find(no), std::string::npos) << status.out;
  CommandResult missing =
      RunConcordctl("petition status --adapter " + adapter() + " --intake-id NOPE");
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  CommandResult bad = RunConcordctl("petition register --adapter " + adapter() +
                                    " --intake-id CTL-2 --channel pigeon --matter m");
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.out.find("channel"), std::string::npos) << bad.out;
}

// A CSV with a bad row: concordctl names FILE:LINE, exits 2 and sends nothing;
// fixed, it registers every row.
TEST_F(PetitionIntake, ConcordctlCsvWithBadRowSendsNothing) {
  const std::string file = d_.dir() + "/intake.csv";
  std::ofstream(file) << "intake_id,channel,matter,received\n"
                         "CTLCSV-1,letter,wages,2026-11-04 09:00\n"
                         "CTLCSV-2,letter,noise,2026-11-31 09:00\n";
  CommandResult bad = RunConcordctl("petition register --adapter " + adapter() + " --csv " + file);
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.out.find(file + ":3: 收到时间 received"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("nothing was sent"), std::string::npos) << bad.out;
  EXPECT_EQ(office_->Get("/petitions")["petitions"].size(), 0u);

  std::ofstream(file) << "intake_id,channel,matter,received\n"
                         "CTLCSV-1,letter,wages,2026-11-04 09:00\n"
                         "CTLCSV-2,letter,\"noise,2026-11-20 09:00\n"
                         "CTLCSV-3,letter,dust,2026-11-20 09:00\n";
  CommandResult open = RunConcordctl("petition register --adapter " + adapter() + " --csv " + file);
  EXPECT_EQ(open.exit_code, 2) << open.out;
  EXPECT_NE(open.out.find("the quote opened on line 3 is never closed"), std::string::npos)
      << open.out;
  EXPECT_EQ(office_->Get("/petitions")["petitions"].size(), 0u);

  std::ofstream(file) << "intake_id,channel,matter,received\n"
                         "CTLCSV-1,letter,wages,2026-11-04 09:00\n"
                         "CTLCSV-2,letter,noise,2026-11-20 09:00\n";
  CommandResult ok = RunConcordctl("petition register --adapter " + adapter() + " --csv " + file);
  ASSERT_EQ(ok.exit_code, 0) << ok.out;
  for (const char* id : {"CTLCSV-1", "CTLCSV-2"}) {
    EXPECT_NE(ok.out.find(id), std::string::npos) << ok.out;
    EXPECT_EQ(Registered(id).value("status", ""), "registered");
  }
}

// concordctl follows every row of a CSV to its ledger number, even beyond the
// adapter's listing of its latest 1000 petitions.
TEST_F(PetitionIntake, ConcordctlFollowsEveryRowOfALargeCsv) {
  constexpr int kRows = 1001;
  const std::string file = d_.dir() + "/large.csv";
  {
    std::ofstream out(file);
    out << "intake_id,channel,matter,received\n";
    for (int i = 1; i <= kRows; ++i) out << "BIG-" << i << ",letter,wages,2026-11-04 09:00\n";
  }
  CommandResult r =
      RunConcordctl("petition register --adapter " + adapter() + " --csv " + file + " --wait 60");
  const std::string tail = r.out.substr(r.out.size() > 2000 ? r.out.size() - 2000 : 0);
  ASSERT_EQ(r.exit_code, 0) << tail;
  EXPECT_EQ(r.out.find("still registering"), std::string::npos) << tail;
  int registered = 0;
  for (size_t at = r.out.find("已登记 registered"); at != std::string::npos;
       at = r.out.find("已登记 registered", at + 1))
    ++registered;
  EXPECT_EQ(registered, kRows) << tail;
}

}  // namespace
}  // namespace concord::testing
