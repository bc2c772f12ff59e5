// Extension and review (延期、复查复核) in the clerks' console in a real
// chromium against the real daemons: the district of console_fixture.h with
// the procuratorate's superior, the city procuratorate (上州市人民检察院),
// enrolled as one more agency with its console; the ledger knows both as
// procuratorates and the city as the procuratorate's superior organ
// ([ledger] procuratorates, [ledger.superiors]). The script
// (console_review.mjs) clicks through as the people of both procuratorates
// and saves the pages under <build>/test-output/<Suite>.<Test>/.
#include "tests/browser/console_fixture.h"

namespace concord::testing {
namespace {

class ConsoleReviewBrowser : public ConsoleBrowser {
 public:
  std::string LedgerExtra() const override {
    return "procuratorates = [\"procuratorate\", \"city\"]\n\n[ledger.superiors]\n"
           "\"procuratorate\" = \"city\"\n";
  }
  std::string MoreAgencies() const override { return ", city = \"上州市人民检察院\""; }
  std::map<std::string, std::string> MoreEnv() const override {
    return {{"CITY_URL", "https://127.0.0.1:" + std::to_string(city_->console_port())}};
  }
  void StartMore() override {
    // The procuratorate's head, who accepts and names the handler (its chief
    // procurator, the fixture's leader, approves the extension).
    AddPeople(*procuratorate_, {{"fuze", "刘主任", "控告申诉检察部", {accounts::Role::kHead}}});
    // The city procuratorate: enrolled at the hub as the district's agencies
    // are (its key in the registry, the hub admitting it on its first hello),
    // its adapter serving its console.
    d_.AddPrincipal("city", {"agency"});
    city_ = Agency("city", false);
    ASSERT_TRUE(city_->ok() && city_->console_port() != 0) << city_->log();
    AddPeople(*city_, {{"dengji", "许登记", "控告申诉检察部", {accounts::Role::kRegistrar}},
                       {"chengban", "何承办", "控告申诉检察部", {accounts::Role::kHandler}},
                       {"fuze", "马主任", "控告申诉检察部", {accounts::Role::kHead}},
                       {"lingdao", "邓检察长", "院领导", {accounts::Role::kLeader}}});
  }

 protected:
  std::unique_ptr<DaemonProcess> city_;
};

// The procuratorate's registrar registers a petition and its head accepts it
// naming the handler; the chief procurator extends the 60 days by 20 (the
// history names him as approving); the handler gives the reply. At the city
// procuratorate, its handler opens the item by its number and records the
// review request with the date the written answer was received: the city is
// responsible now and the procuratorate no longer offers the review opinion;
// the city gives it, and the item is answered again.
TEST_F(ConsoleReviewBrowser, ExtendedAnsweredAndReviewedAbove) { Run("console_review.mjs"); }

}  // namespace
}  // namespace concord::testing
