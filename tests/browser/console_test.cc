// The clerks' web console in a real chromium against the real daemons: the
// hub, the ledger and aid agents, and three agencies' adapters (the petition
// office, the court and the procuratorate) each serving its console over
// HTTPS with a self-signed certificate. The accounts are made with the
// accounts library on each adapter's own SQLite file, as `concordctl
// account add` does. The scripts (console_*.mjs) click through as clerks
// and save a screenshot of every page they check under
// <build>/test-output/<Suite>.<Test>/.
#include "common/uuid.h"
#include "concord/v1/envelope.pb.h"
#include "hub/transport/curve_keys.h"
#include "tests/browser/console_fixture.h"
#include "tests/support/effects.h"
#include "tests/support/raw_peer.h"

namespace concord::testing {
namespace {

// A petition from registration to reply: the registrar registers it (a
// missing matter is marked in red first), the head accepts it with its
// handler, the handler finds it in 待办 and replies; another item is
// transferred to the court, whose clerk sees it in the court's 待办; when
// the ledger's clock passes the deadline, the item turns red.
TEST_F(ConsoleBrowser, PetitionFromRegistrationToReply) { Run("console_petition.mjs"); }

// The same walk with every agency's daemon on a machine of its own and the
// hub and agents on another (network namespaces joined by veth links): the
// consoles read and write only over the bus, the browser reaches each one
// across its link, the court's clerk sees the transfer on her machine.
class ConsoleSpreadBrowser : public ConsoleBrowser {
 public:
  bool Spread() const override { return true; }
};
TEST_F(ConsoleSpreadBrowser, PetitionAcrossMachines) { Run("console_petition.mjs"); }

// An aid clerk enters a grant and sees 重复救助 with its reasons at once.
TEST_F(ConsoleBrowser, AidDuplicateIsShownWithReasons) { Run("console_aid.mjs"); }

// An aid application from receipt to payment: the relatives of a deceased
// victim apply together, materials asked once, the leader's decision over
// the cap with special approval, funds and payment on time; another
// agency's application for the same victim and case shows 重复救助.
TEST_F(ConsoleBrowser, AidApplicationFromReceiptToPayment) { Run("console_aid_apps.mjs"); }

// A note to `to` with its id, as a client stages it (the hub names its sender).
v1::Envelope NoteWithId(const std::string& to, const std::string& body) {
  v1::Envelope env = Note(to, body);
  env.set_id(NewUuidV7());
  return env;
}

// The refusals' district: the hub keeps an aid agent's notices for it
// ([[reserve]], as deploy's ACLs do), so the office's own system sending one
// to the court is refused for good; the script reaches the office's API.
// Before the script, the court refuses a delivery for its signature: the
// political-legal committee's (no daemon of its own here) first note is
// signed with its key, which the court pins; then a forger holding its
// CurveZMQ key sends one signed with another key.
class ConsoleRefusalsBrowser : public ConsoleBrowser {
 public:
  ConsoleRefusalsBrowser() {
    d_.WriteAcl(
        "[[allow]]\nfrom = \"*\"\ntype = \"*\"\nto = [\"*\"]\n\n[[reserve]]\n"
        "types = [\"concord.v1.AidDuplicateNotice\"]\nfrom = [\"role:aid\"]\n");
  }
  std::string MoreAgencies() const override { return ", plc = \"上州区委政法委\""; }
  std::map<std::string, std::string> MoreEnv() const override {
    return {{"OFFICE_API", "http://127.0.0.1:" + std::to_string(office_->port())},
            {"API_TOKEN", office_->token()},
            {"REFUSED_ID", refused_id_}};
  }
  void StartMore() override {
    // The court's leader, who reads its action log.
    AddPeople(*court_, {{"lingdao", "蒋院长", "院领导", {accounts::Role::kLeader}}});
    RawPeer plc(d_.endpoint(), d_.KeyOf("plc"), d_.hub_public_key());
    v1::Frame hello;
    hello.mutable_hello()->set_client("forger");
    plc.Send(hello);
    // "" once the hub welcomes (or acknowledges), else why not.
    auto answer = [&plc](bool welcome) {
      while (auto f = plc.Recv(5000)) {
        if (f->has_nack()) return f->nack().reason();
        if (welcome ? f->has_welcome() : f->has_ack()) return std::string();
      }
      return std::string("no answer");
    };
    ASSERT_EQ(answer(true), "");
    auto publish = [&](const v1::Envelope& env) {
      v1::Frame f;
      *f.mutable_publish()->mutable_envelope() = env;
      plc.Send(f);
      return answer(false);
    };
    // True once the court's API lists `id` under `list` of `target`.
    auto court_has = [this](const std::string& target, const std::string& list,
                            const std::string& id) {
      const nlohmann::json answer = court_->Get(target);
      if (answer.is_object() && answer.contains(list))
        for (const auto& m : answer[list])
          if (m["id"] == id) return true;
      return false;
    };
    const v1::Envelope signed_note =
        SignedBy(d_.KeyOf("plc"), NoteWithId("court", "请报送本月信访情况"));
    ASSERT_EQ(publish(signed_note), "");
    ASSERT_TRUE(WaitFor([&] { return court_has("/inbox", "messages", signed_note.id()); }, 10000))
        << court_->log();
    auto mallory = GenerateCurveKeyPair();
    ASSERT_TRUE(mallory.ok()) << mallory.status();
    const v1::Envelope forged = SignedBy(*mallory, NoteWithId("court", "请将救助款改付至以下账户"));
    ASSERT_EQ(publish(forged), "");
    ASSERT_TRUE(WaitFor([&] { return court_has("/refused", "refused", forged.id()); }, 10000))
        << court_->log();
    refused_id_ = forged.id();
  }
  std::string refused_id_;
};

// A wrong password, a form without its CSRF token, another agency's item and
// a registrar trying a head's step are refused with the reason, and logged;
// a message the hub refuses, and a delivery the court refused for its
// signature, are shown in red on 待办 and listed in 发送失败 until someone
// marks them seen.
TEST_F(ConsoleRefusalsBrowser, RefusalsAreExplainedAndLogged) { Run("console_refusals.mjs"); }

// The monthly report: charts, the .xlsx and CSV exports; a registrar is refused.
TEST_F(ConsoleBrowser, MonthlyReportWithChartsAndExports) { Run("console_stats.mjs"); }

// With the risk agent: the consoles show 风险预警.
class ConsoleRiskBrowser : public ConsoleBrowser {
 public:
  std::string ConsoleExtra(const std::string&) const override { return "risk = \"risk\"\n"; }
  void StartMore() override {
    risk_ = std::make_unique<DaemonProcess>(
        d_, "risk", "concord-risk-agent",
        "[risk]\nfactors = \"" + std::string(CONCORD_SOURCE_DIR) +
            "/deploy/risk/factors.toml\"\ncalendar = \"" + std::string(CONCORD_SOURCE_DIR) +
            "/deploy/calendar/cn-holidays.txt\"\nsupervisors = [\"plc\"]\nledger = \"ledger\"\n"
            "scan_seconds = 1\nclock_file = \"" +
            clock_ + "\"\n",
        "risk.db");
    ASSERT_TRUE(risk_->ok());
  }
  std::unique_ptr<DaemonProcess> risk_;
};

// A handler fills in the risk form for an item; the assessment comes back
// and the case is in the agency's risk book with its level and factors; the
// next month's screening is read by choosing its month.
TEST_F(ConsoleRiskBrowser, RiskFormAndRiskBook) { Run("console_risk.mjs"); }

}  // namespace
}  // namespace concord::testing
