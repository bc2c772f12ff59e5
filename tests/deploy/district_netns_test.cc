// The district on several machines, each machine a Linux network namespace
// made by the test (root only; skipped with the reason otherwise): the real
// concord-hub, ledger agent and aid agent on the hub's host, bound on its
// bridge address; three agencies' real concord-adapter daemons, each in its
// own namespace behind its own veth link, each with a key pair made in its
// own folder by `concordctl keys gen` and enrolled at the hub with only the
// public key (`concordctl keys add`). A petition transfer and an aid
// duplicate check cross the links; an agency whose link is cut gets what was
// sent to it meanwhile once and in order when the link is back; a revoked
// agency is refused at once.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon.h"
#include "tests/support/district.h"
#include "tests/support/netns.h"

namespace concord::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kAgencies = {"a1", "a2", "a3"};

class NetnsDistrict : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = NetnsUnavailable(); !why.empty()) GTEST_SKIP() << why;
    net_ = std::make_unique<TestNetwork>(std::vector<std::string>{"hub", "a1", "a2", "a3"});
    ASSERT_TRUE(net_->status().ok()) << net_->status();
    d_ = std::make_unique<TestDistrict>(std::vector<std::string>{"ledger:ledger", "aid:aid"});
    d_->PlaceHub(net_->Ns("hub"), net_->Address("hub"));

    // The agencies share the linkage key (made once, carried to each of them);
    // the hub and the aid agent never see it.
    const std::string linkage = d_->dir() + "/linkage.key";
    CommandResult keygen = RunConcordctl("aid keygen --out " + linkage);
    ASSERT_EQ(keygen.exit_code, 0) << keygen.out;
    for (const std::string& a : kAgencies) {
      // The agency's own machine: its key pair is made there, only the .pub
      // goes to the hub officer.
      const std::string home = AgencyHome(a);
      fs::create_directories(home + "/keys");
      fs::copy_file(linkage, home + "/keys/linkage.key");
      CommandResult gen = RunConcordctl("keys gen --out " + home + "/keys/" + a);
      ASSERT_EQ(gen.exit_code, 0) << gen.out;
      CommandResult add =
          RunConcordctl("keys add --registry " + d_->registry_file() + " --name " + a + " --pub " +
                        home + "/keys/" + a + ".pub --roles agency");
      ASSERT_EQ(add.exit_code, 0) << add.out;
    }
    ASSERT_TRUE(d_->StartHub().ok());
    ASSERT_EQ(d_->endpoint().rfind("tcp://" + net_->Address("hub") + ":", 0), 0u) << d_->endpoint();

    const DaemonPlace at_hub{.netns = net_->Ns("hub"), .secret_key = ""};
    ledger_ = std::make_unique<DaemonProcess>(
        *d_, "ledger", "concord-ledger-agent",
        "[ledger]\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
            "/deploy/calendar/cn-holidays.txt\"\npetition_office = \"a1\"\nscan_seconds = 1\n",
        "ledger.db", at_hub);
    aid_ = std::make_unique<DaemonProcess>(*d_, "aid", "concord-aid-agent",
                                           "[aid]\ncap_yuan = 50000\n", "aid.db", at_hub);
    ASSERT_TRUE(ledger_->ok() && aid_->ok());
    for (const std::string& a : kAgencies) {
      const std::string home = AgencyHome(a);
      agency_[a] = std::make_unique<DaemonProcess>(
          *d_, a, "concord-adapter",
          "[petitions]\nledger = \"ledger\"\n\n[aid]\nlinkage_key = \"" + home +
              "/keys/linkage.key\"\nagent = \"aid\"\n",
          "agency.db",
          DaemonPlace{.netns = net_->Ns(a), .secret_key = home + "/keys/" + a + ".key"});
      ASSERT_TRUE(agency_[a]->ok());
    }
    for (const std::string& a : kAgencies)
      ASSERT_TRUE(WaitFor([&] { return Connected(a); }, 20000))
          << a << " never connected across its link:\n"
          << agency_[a]->log();
  }

  void TearDown() override {
    // SIGKILL every daemon, then the hub; the namespaces go with net_.
    for (auto& [name, a] : agency_) a->Kill();
    if (ledger_) ledger_->Kill();
    if (aid_) aid_->Kill();
    if (d_) d_->KillHub();
    if (HasFailure() && d_) {
      std::cerr << "hub log:\n" << ReadFile(d_->dir() + "/hub.log");
      for (auto& [name, a] : agency_) std::cerr << name << " log:\n" << a->log();
    }
  }

  std::string AgencyHome(const std::string& a) const { return d_->dir() + "/agency-" + a; }
  DaemonProcess& Agency(const std::string& a) { return *agency_.at(a); }
  bool Connected(const std::string& a) {
    json h = Agency(a).Get("/health");
    return h.is_object() && h.value("connected", false);
  }

  // Publishes a TextNote from `from` to `to`; its message id.
  std::string Note(const std::string& from, const std::string& to, const std::string& subject) {
    HttpResult r =
        Agency(from).Post("/publish", {{"to", {to}},
                                       {"type", "concord.v1.TextNote"},
                                       {"payload", {{"subject", subject}, {"body", "b"}}}});
    EXPECT_EQ(r.status, 202) << r.body;
    json j = json::parse(r.body, nullptr, false);
    return j.is_object() ? j.value("id", "") : "";
  }
  // One petition act at `a`; the ledger's answer ("done" / "refused" and why).
  json Act(const std::string& a, const json& act) {
    HttpResult r = Agency(a).Post("/petitions/act", act);
    EXPECT_EQ(r.status, 202) << r.body;
    json sent = json::parse(r.body, nullptr, false);
    const std::string id = sent.is_object() ? sent.value("id", "") : "";
    json out;
    WaitFor(
        [&] {
          out = Agency(a).Get("/petitions/act?id=" + id);
          return out.is_object() && out.value("status", "") != "sent";
        },
        20000);
    return out;
  }
  // A petition registered at a1 (the petition office); its ledger number ("" if none came).
  std::string Register(const std::string& intake_id) {
    HttpResult r = Agency("a1").Post("/petitions", {{"intake_id", intake_id},
                                                    {"channel", "letter"},
                                                    {"petitioner", "李某"},
                                                    {"contact", "13900000001"},
                                                    {"matter", "对不立案决定不服"},
                                                    {"people", 1}});
    EXPECT_EQ(r.status, 202) << r.body;
    json p;
    WaitFor(
        [&] {
          p = Agency("a1").Get("/petitions?intake_id=" + intake_id);
          return p.is_object() && p.value("status", "") != "registering";
        },
        20000);
    EXPECT_EQ(p.value("status", ""), "registered") << p.dump();
    return p.value("ledger_no", "");
  }
  // a1 reviews petition `no` and transfers it to `to`: the ledger's answer to the transfer.
  json Transfer(const std::string& no, const std::string& to) {
    json review = Act("a1", {{"ledger_no", no}, {"action", "start_review"}});
    EXPECT_EQ(review.value("status", ""), "done") << review.dump();
    return Act("a1", {{"ledger_no", no},
                      {"action", "transfer"},
                      {"to_agency", to},
                      {"note", "属 " + to + " 管辖 / " + to + "'s matter"}});
  }
  // What reached `a`, in order: "note:<subject>" for the TextNotes of `from`,
  // "event:<ledger no>" for the ledger's PetitionEvents.
  std::vector<std::string> Arrived(const std::string& a, const std::string& from = "a1") {
    std::vector<std::string> out;
    json inbox = Agency(a).Get("/inbox?limit=1000");
    if (!inbox.is_object()) return out;
    for (const json& m : inbox["messages"]) {
      if (m.value("type", "") == "concord.v1.TextNote" && m.value("from", "") == from)
        out.push_back("note:" + m["payload"].value("subject", ""));
      if (m.value("type", "") == "concord.v1.PetitionEvent")
        out.push_back("event:" + m["payload"].value("ledger_no", ""));
    }
    return out;
  }
  // The hub's latest audit lines ("<n>\t<time>\t<event>\t<principal>\t<detail>").
  std::string Audit() {
    return RunConcordctl("audit show --db " + d_->hub_db() + " --tail 300").out;
  }

  std::unique_ptr<TestNetwork> net_;  // destroyed last: the namespaces outlive the daemons
  std::unique_ptr<TestDistrict> d_;
  std::unique_ptr<DaemonProcess> ledger_, aid_;
  std::map<std::string, std::unique_ptr<DaemonProcess>> agency_;
};

// A petition registered at a1 (the petition office) is transferred to a2 across
// the links; a2 hears of it and takes it up; a1 may no longer act on it.
TEST_F(NetnsDistrict, PetitionTransferCrossesTheLinks) {
  const std::string no = Register("NS-1");
  ASSERT_FALSE(no.empty());
  json t = Transfer(no, "a2");
  ASSERT_EQ(t.value("status", ""), "done") << t.dump();

  // a2 is told (the ledger's PetitionEvent reached its namespace) and takes it up.
  ASSERT_TRUE(WaitFor(
      [&] {
        json inbox = Agency("a2").Get("/inbox?limit=1000");
        if (!inbox.is_object()) return false;
        for (const json& m : inbox["messages"])
          if (m.value("type", "") == "concord.v1.PetitionEvent" &&
              m["payload"].value("ledger_no", "") == no &&
              m["payload"].value("responsible", "") == "a2")
            return true;
        return false;
      },
      20000))
      << Agency("a2").Get("/inbox?limit=1000").dump(1);
  json taken = Act("a2", {{"ledger_no", no}, {"action", "start_review"}});
  EXPECT_EQ(taken.value("status", ""), "done") << taken.dump();
  json refused = Act("a1", {{"ledger_no", no}, {"action", "start_review"}});
  EXPECT_EQ(refused.value("status", ""), "refused") << "a1 gave it away: " << refused.dump();
  json open = ledger_->Get("/ledger/open");
  ASSERT_TRUE(open.is_object());
  ASSERT_EQ(open["items"].size(), 1u) << open.dump();
  EXPECT_EQ(open["items"][0].value("agency", ""), "a2") << open.dump();
}

// a1 and a3 (two machines, one linkage key) aid the same victim for the same
// case: the aid agent on the hub's machine flags a3's grant as a duplicate.
TEST_F(NetnsDistrict, AidDuplicateCheckCrossesTheLinks) {
  const json victim = {{"name", "张伟"},
                       {"id_number", "11010519491231002X"},
                       {"phone", "13800138000"},
                       {"case_ref", "（2026）上0102刑初45号"},
                       {"incident_date", "2026-03-05"},
                       {"crime", "故意伤害"},
                       {"aid_type", "资金救助"}};
  auto grant = [&](const std::string& a, json g) {
    for (auto& [k, v] : victim.items())
      if (!g.contains(k)) g[k] = v;
    HttpResult r = Agency(a).Post("/aid/grants", g);
    EXPECT_EQ(r.status, 202) << r.body;
    json out;
    WaitFor(
        [&] {
          out = Agency(a).Get("/aid/grants?record_id=" + g["record_id"].get<std::string>());
          return out.is_object() && out.value("status", "") != "checking";
        },
        20000);
    return out;
  };
  json first = grant(
      "a1", {{"record_id", "A1-001"}, {"amount_yuan", "20000"}, {"granted_on", "2026-06-01"}});
  ASSERT_EQ(first.value("status", ""), "clear") << first.dump(1);
  json second = grant("a3", {{"record_id", "A3-001"},
                             {"name", "張 偉"},
                             {"id_number", ""},
                             {"birth_date", "1949-12-31"},
                             {"phone", "+86 138-0013-8000"},
                             {"amount_yuan", "15000"},
                             {"granted_on", "2026-07-10"}});
  ASSERT_EQ(second.value("status", ""), "duplicate") << second.dump(1);
  ASSERT_EQ(second["reply"]["matches"].size(), 1u) << second.dump(1);
  EXPECT_EQ(second["reply"]["matches"][0]["agency"], "a1");
  EXPECT_EQ(second["reply"]["matches"][0]["record_id"], "A1-001");
  json notices;
  EXPECT_TRUE(WaitFor(
      [&] {
        notices = Agency("a1").Get("/aid/notices");
        return notices.is_object() && notices["notices"].size() == 1;
      },
      20000))
      << notices.dump(1);
}

// a3's link is down for 8 s while a1 sends it eight notes and transfers a
// petition to it: a3 sees it is cut off and nothing arrives meanwhile, a2 is
// not disturbed; once the link is up all of it arrives, each once, in the
// order sent, and a3 can answer.
TEST_F(NetnsDistrict, CutLinkDeliversOnceInOrderWhenRestored) {
  std::vector<std::string> sent = {"note:before"};
  Note("a1", "a3", "before");
  ASSERT_TRUE(WaitFor([&] { return Arrived("a3") == sent; }, 20000));
  const std::string no = Register("NS-CUT");
  ASSERT_FALSE(no.empty());

  ASSERT_TRUE(net_->SetLink("a3", false).ok());
  const auto cut = Clock::now();
  for (int i = 1; i <= 8; ++i) {
    sent.push_back("note:n" + std::to_string(i));
    EXPECT_FALSE(Note("a1", "a3", sent.back().substr(5)).empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  json t = Transfer(no, "a3");
  EXPECT_EQ(t.value("status", ""), "done") << "the ledger decides without a3: " << t.dump();
  sent.push_back("event:" + no);
  EXPECT_TRUE(WaitFor([&] { return !Connected("a3"); }, 5000)) << "a3 never noticed the cut";
  EXPECT_TRUE(WaitFor([&] { return Audit().find("offline\ta3\t") != std::string::npos; }, 5000))
      << "the hub never saw a3 go: " << Audit();
  Note("a1", "a2", "meanwhile");
  EXPECT_TRUE(
      WaitFor([&] { return Arrived("a2") == std::vector<std::string>{"note:meanwhile"}; }, 10000))
      << "the other links work while a3's is cut";
  std::this_thread::sleep_until(cut + std::chrono::seconds(8));
  EXPECT_EQ(Arrived("a3"), std::vector<std::string>{"note:before"})
      << "nothing crosses a link that is down";

  ASSERT_TRUE(net_->SetLink("a3", true).ok());
  const auto restored = Clock::now();
  ASSERT_TRUE(WaitFor([&] { return Arrived("a3").size() >= sent.size(); }, 40000))
      << "after the link came back a3 has " << Arrived("a3").size() << " of " << sent.size();
  std::cout
      << "[ measured ] a3 had all its messages "
      << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - restored).count()
      << " ms after its link came back\n";
  // Redeliveries that were on their way would show up now as duplicates.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(Arrived("a3"), sent) << "each once, in the order sent";
  EXPECT_TRUE(Connected("a3"));
  json taken = Act("a3", {{"ledger_no", no}, {"action", "start_review"}});
  EXPECT_EQ(taken.value("status", ""), "done") << "a3 answers: " << taken.dump();
}

// a2's key is revoked at the hub with concordctl: its session is cut at once,
// the hub counts and audits the refusal, and what it publishes next goes
// nowhere; the other agencies go on.
TEST_F(NetnsDistrict, RevokedAgencyIsRefusedAtOnce) {
  Note("a2", "a1", "before revoke");
  ASSERT_TRUE(
      WaitFor([&] { return Arrived("a1", "a2") == std::vector<std::string>{"note:before revoke"}; },
              20000));
  const double refused_before = d_->Metric("concord_hub_key_refused_total");
  ASSERT_GE(refused_before, 0) << "the hub's /metrics has concord_hub_key_refused_total";

  const auto revoked = Clock::now();
  CommandResult r = RunConcordctl("keys revoke --registry " + d_->registry_file() + " --name a2");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_TRUE(
      WaitFor([&] { return d_->Metric("concord_hub_key_refused_total") > refused_before; }, 1500))
      << "the hub did not refuse a2 within 1.5 s";
  const auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  std::cout << "[ measured ] a2 refused " << ms(Clock::now() - revoked)
            << " ms after concordctl keys revoke\n";
  EXPECT_TRUE(WaitFor([&] { return !Connected("a2"); }, 3000)) << "a2's session was not cut";

  // Its next publish is refused: it stays in a2's outbox and never reaches a1.
  EXPECT_FALSE(Note("a2", "a1", "after revoke").empty()) << "queued locally";
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(Arrived("a1", "a2"), std::vector<std::string>{"note:before revoke"});
  json health = Agency("a2").Get("/health");
  EXPECT_FALSE(health.value("connected", true)) << health.dump();
  EXPECT_GE(health.value("outbox", 0), 1) << health.dump();

  EXPECT_TRUE(WaitFor([&] { return Audit().find("key_refused\ta2\t") != std::string::npos; }, 5000))
      << Audit();

  Note("a1", "a3", "still on");
  EXPECT_TRUE(
      WaitFor([&] { return Arrived("a3") == std::vector<std::string>{"note:still on"}; }, 20000))
      << "the other agencies go on";
}

}  // namespace
}  // namespace concord::testing
