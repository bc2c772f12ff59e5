// The console browser tests' district (see console_test.cc): the hub, the
// ledger and aid agents, and three agencies' adapters (the petition office,
// the court and the procuratorate, with the political-legal committee as a
// supervisor principal; the procuratorate hosts the reception days and the
// petition office books them) each serving its console over HTTPS with a
// self-signed certificate, and one account per role made with the accounts
// library on each adapter's own SQLite file, as `concordctl account add`
// does. A test adds daemons it needs (ExtraDaemon) before Run(). With
// Spread(), each agency's daemon, and the hub with the agents, run on
// machines of their own (network namespaces).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/accounts/accounts.h"
#include "common/clock.h"
#include "common/sql.h"
#include "domain/linkage/tokens.h"
#include "tests/support/browser.h"
#include "tests/support/daemon.h"
#include "tests/support/district.h"
#include "tests/support/netns.h"

namespace concord::testing {

namespace fs = std::filesystem;
constexpr char kPassword[] = "console2026";

class ConsoleBrowser : public ::testing::Test {
 public:
  // A suite that needs more (the conference agent, another section in an
  // agency's config, lines inside its [console] section) derives from this
  // and overrides these.
  virtual std::string AgencyExtra(const std::string& name) const { return ""; }
  virtual std::string ConsoleExtra(const std::string& name) const { return ""; }
  // Lines at the end of the ledger agent's config, in its [ledger] section
  // until they open a table of their own (e.g. [ledger.superiors]).
  virtual std::string LedgerExtra() const { return ""; }
  // More entries of every console's agency directory, each after a comma
  // (e.g. `, city = "上州市人民检察院"`).
  virtual std::string MoreAgencies() const { return ""; }
  // More environment for the scripts (another agency's console address).
  virtual std::map<std::string, std::string> MoreEnv() const { return {}; }
  virtual void StartMore() {}
  // True: every agency's daemon on a machine of its own, the hub and the
  // agents on another, each machine a network namespace (netns.h; root
  // only, else skipped); the browser on the hub's machine reaches each
  // console across the links at the agency's address. What the pages read
  // and write can then only travel over the bus.
  virtual bool Spread() const { return false; }

 protected:
  void SetUp() override {
    if (Spread()) {
      if (const std::string why = NetnsUnavailable(); !why.empty()) GTEST_SKIP() << why;
      net_ = std::make_unique<TestNetwork>(
          std::vector<std::string>{"hub", "office", "court", "procuratorate"}, 78);
      ASSERT_TRUE(net_->status().ok()) << net_->status();
      d_.PlaceHub(net_->Ns("hub"), net_->Address("hub"));
      at_hub_ = DaemonPlace{.netns = net_->Ns("hub"), .secret_key = ""};
    }
    ASSERT_TRUE(d_.StartHub().ok());
    if (net_) {  // the hub is bound on its own machine's address, not on loopback
      ASSERT_EQ(d_.endpoint().rfind("tcp://" + net_->Address("hub") + ":", 0), 0u) << d_.endpoint();
    }
    cert_ = d_.dir() + "/console.crt";
    key_ = d_.dir() + "/console.key";
    ASSERT_EQ(RunCommand("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                         "-nodes -days 2 -subj /CN=localhost -keyout " +
                         key_ + " -out " + cert_ + " 2>&1")
                  .exit_code,
              0);
    linkage_ = d_.dir() + "/linkage.key";
    ASSERT_TRUE(aid::WriteNewLinkageKey(linkage_).ok());
    clock_ = d_.dir() + "/clock";
    std::ofstream(clock_) << "+0\n";  // the system clock until a script moves it

    ledger_ = std::make_unique<DaemonProcess>(
        d_, "ledger", "concord-ledger-agent",
        "[ledger]\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
            "/deploy/calendar/cn-holidays.txt\"\npetition_office = \"office\"\n"
            "supervisors = [\"plc\"]\ntrackers = [\"conference\"]\nobservers = "
            "[\"risk\"]\nreception_hosts = [\"procuratorate\"]\n"
            "reception_bookers = [\"office\"]\nscan_seconds = 1\nclock_file = "
            "\"" +
            clock_ + "\"\n" + LedgerExtra(),
        "ledger.db", at_hub_);
    aid_ = std::make_unique<DaemonProcess>(
        d_, "aid", "concord-aid-agent",
        "[aid]\ncap_yuan = 50000\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
            "/deploy/calendar/cn-holidays.txt\"\nsupervisors = [\"plc\"]\nscan_seconds = 1\n"
            "clock_file = \"" +
            clock_ + "\"\n",
        "aid.db", at_hub_);
    office_ = Agency("office", false);
    court_ = Agency("court", true);
    procuratorate_ = Agency("procuratorate", true);
    ASSERT_TRUE(ledger_->ok() && aid_->ok() && office_->ok() && court_->ok() &&
                procuratorate_->ok());
    for (const auto* a : {office_.get(), court_.get(), procuratorate_.get()})
      ASSERT_NE(a->console_port(), 0) << a->log();
    StartMore();

    // Each agency's people, one per role (the names say where they work).
    AddPeople(*office_, {{"dengji", "王登记", "来访接待科", {accounts::Role::kRegistrar}},
                         {"chengban", "李承办", "办信科", {accounts::Role::kHandler}},
                         {"fuze", "赵科长", "办信科", {accounts::Role::kHead}},
                         {"lingdao", "周局长", "局领导", {accounts::Role::kLeader}},
                         {"admin", "孙管理", "办公室", {accounts::Role::kAdmin}}});
    AddPeople(*court_, {{"dengji", "钱立案", "立案庭", {accounts::Role::kRegistrar}},
                        {"fuze", "吴庭长", "立案庭", {accounts::Role::kHead}},
                        {"jiuzhu", "郑救助", "司法救助办", {accounts::Role::kHandler}}});
    AddPeople(*procuratorate_,
              {{"dengji", "韩登记", "控告申诉检察部", {accounts::Role::kRegistrar}},
               {"jiuzhu", "冯救助", "控告申诉检察部", {accounts::Role::kHandler}},
               {"lingdao", "陈检察长", "院领导", {accounts::Role::kLeader}}});
  }

  std::unique_ptr<DaemonProcess> Agency(const std::string& name, bool aid) {
    std::string agencies =
        "agencies = { office = \"上州区信访局\", court = \"上州区人民法院\", "
        "procuratorate = \"上州区人民检察院\"" +
        MoreAgencies() + " }\n";
    std::string toml = "[petitions]\nledger = \"ledger\"\n\n[console]\naddress = \"" +
                       ConsoleAddress(name) + "\"\nport = 0\ncert = \"" + cert_ + "\"\nkey = \"" +
                       key_ + "\"\n" + agencies + ConsoleExtra(name);
    if (aid)
      toml += "\n[aid]\nlinkage_key = \"" + linkage_ +
              "\"\nagent = \"aid\"\nconference = \"conference\"\n";
    toml += AgencyExtra(name);
    return std::make_unique<DaemonProcess>(
        d_, name, "concord-adapter", toml, "agency.db",
        net_ ? DaemonPlace{.netns = net_->Ns(name), .secret_key = ""} : DaemonPlace{});
  }
  // Where `name`'s console listens (and the browser finds it).
  std::string ConsoleAddress(const std::string& name) const {
    return net_ ? net_->Address(name) : "127.0.0.1";
  }

  struct Person {
    std::string login, name, department;
    std::vector<accounts::Role> roles;
  };
  void AddPeople(const DaemonProcess& a, const std::vector<Person>& people) {
    auto db = sql::Db::Open(a.db_path());
    ASSERT_TRUE(db.ok()) << db.status();
    auto accounts = accounts::Accounts::Open(*db, SystemClock::Get());
    ASSERT_TRUE(accounts.ok()) << accounts.status();
    for (const auto& p : people)
      ASSERT_TRUE(
          (*accounts)->Add({p.login, p.name, p.department, p.roles, kPassword}, "test").ok());
  }

  std::map<std::string, std::string> Env() const {
    auto url = [this](const std::string& name, const DaemonProcess& a) {
      return "https://" + ConsoleAddress(name) + ":" + std::to_string(a.console_port());
    };
    std::map<std::string, std::string> env = {
        {"OFFICE_URL", url("office", *office_)},
        {"COURT_URL", url("court", *court_)},
        {"PROCURATORATE_URL", url("procuratorate", *procuratorate_)},
        {"PASSWORD", kPassword},
        {"CLOCK_FILE", clock_}};
    env.merge(MoreEnv());
    return env;
  }

  void Run(const std::string& script) {
    const std::string out = BrowserOutputDir();
    BrowserRun run = RunBrowserScript(script, Env(), out, 240, net_ ? net_->Ns("hub") : "");
    EXPECT_EQ(run.exit_code, 0) << run.output << "\n--- office log:\n"
                                << office_->log() << "\n--- ledger log:\n"
                                << ledger_->log();
    bool shots = false;
    for (const auto& f : fs::directory_iterator(out)) shots |= f.path().extension() == ".png";
    EXPECT_TRUE(shots) << "the script saves its screenshots in " << out;
  }

  std::unique_ptr<TestNetwork> net_;  // Spread(): made first, its namespaces deleted last
  DaemonPlace at_hub_;                // where the agents run
  TestDistrict d_{{"office", "court", "procuratorate", "plc", "ledger:ledger", "aid:aid",
                   "conference:conference", "risk:risk"}};
  std::string cert_, key_, linkage_, clock_;
  std::unique_ptr<DaemonProcess> ledger_, aid_, office_, court_, procuratorate_;
};

}  // namespace concord::testing
