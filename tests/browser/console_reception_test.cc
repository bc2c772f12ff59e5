// The chief procurator's reception days (检察长接待日) of the clerks'
// console in a real chromium against the real daemons: the district of
// console_fixture.h (the procuratorate hosts reception days, the petition
// office books; the ledger on the fixture's drill clock), each agency's
// console reading the slots over the bus (LedgerQuery.reception). The script
// (console_reception.mjs) clicks through as the people of both agencies and
// saves the pages under <build>/test-output/<Suite>.<Test>/.
#include "tests/browser/console_fixture.h"

namespace concord::testing {
namespace {

class ConsoleReception : public ConsoleBrowser {
 public:
  void StartMore() override {
    // The procuratorate's head, who arranges the reception days.
    AddPeople(*procuratorate_, {{"fuze", "刘主任", "控告申诉检察部", {accounts::Role::kHead}}});
  }
};

// The head publishes a slot (one too short is refused, its end marked); the
// petition office's registrar books a petitioner, is refused a booking past
// the places left (the people marked) and cancels another; a handler is
// refused publishing; on the day the procuratorate's handler records the
// visit and registers the petition, whose history names him; the petition
// office sees the outcome.
TEST_F(ConsoleReception, PublishedBookedAndRecorded) { Run("console_reception.mjs"); }

}  // namespace
}  // namespace concord::testing
