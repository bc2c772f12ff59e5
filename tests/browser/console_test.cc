// The clerks' web console in a real chromium against the real daemons: the
// hub, the ledger and aid agents, and three agencies' adapters (the petition
// office, the court and the procuratorate) each serving its console over
// HTTPS with a self-signed certificate. The accounts are made with the
// accounts library on each adapter's own SQLite file, as `concordctl
// account add` does. The scripts (console_*.mjs) click through as clerks
// and save a screenshot of every page they check under
// <build>/test-output/<Suite>.<Test>/.
#include "tests/browser/console_fixture.h"

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

// The refusals' district: the hub keeps an aid agent's notices for it
// ([[reserve]], as deploy's ACLs do), so the office's own system sending one
// to the court is refused for good; the script reaches the office's API.
class ConsoleRefusalsBrowser : public ConsoleBrowser {
 public:
  ConsoleRefusalsBrowser() {
    d_.WriteAcl(
        "[[allow]]\nfrom = \"*\"\ntype = \"*\"\nto = [\"*\"]\n\n[[reserve]]\n"
        "types = [\"concord.v1.AidDuplicateNotice\"]\nfrom = [\"role:aid\"]\n");
  }
  std::map<std::string, std::string> MoreEnv() const override {
    return {{"OFFICE_API", "http://127.0.0.1:" + std::to_string(office_->port())},
            {"API_TOKEN", office_->token()}};
  }
};

// A wrong password, a form without its CSRF token, another agency's item and
// a registrar trying a head's step are refused with the reason, and logged;
// a message the hub refuses is shown in red on 待办 and listed in 发送失败
// until someone marks it seen.
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
