// The joint conferences (联席会议) of the clerks' console in a real chromium
// against the real daemons: the district of console_fixture.h with the
// conference agent (on the fixture's drill clock), and each agency's console
// reading it over the bus (`[console] conference`). The script
// (console_conference.mjs) clicks through as the people of three agencies
// and saves the pages under <build>/test-output/<Suite>.<Test>/.
#include "tests/browser/console_fixture.h"

namespace concord::testing {
namespace {

class ConsoleConference : public ConsoleBrowser {
 public:
  std::string ConsoleExtra(const std::string&) const override {
    return "conference = \"conference\"\n";
  }
  void StartMore() override {
    // The procuratorate convenes and hosts the public hearings.
    conference_ = std::make_unique<DaemonProcess>(
        d_, "conference", "concord-conference-agent",
        "[conference]\nconvenors = [\"procuratorate\", \"plc\"]\n"
        "agencies = [\"procuratorate\", \"plc\", \"court\", \"office\"]\n"
        "hearing_hosts = [\"procuratorate\"]\nclock_file = \"" +
            clock_ + "\"\n",
        "conference.db");
    ASSERT_TRUE(conference_->ok()) << conference_->log();
    // The people the conference needs besides the fixture's: the
    // procuratorate's head who convenes and drafts the plan, and the court's
    // president who signs it.
    AddPeople(*procuratorate_, {{"fuze", "刘主任", "控告申诉检察部", {accounts::Role::kHead}}});
    AddPeople(*court_, {{"lingdao", "孙院长", "院领导", {accounts::Role::kLeader}}});
  }

 protected:
  std::unique_ptr<DaemonProcess> conference_;
};

// The procuratorate convenes (the court and the petition office invited);
// each agency gives its input; the convenor drafts the plan; the petition
// office's leader asks for a change and the convenor answers with version 2;
// a registrar's signature is refused with the role it needs; the leader of
// each agency signs version 2, which makes it final; the court reports a
// task's progress and the petition office completes its task; a public
// hearing is scheduled, then recorded on the drill clock.
TEST_F(ConsoleConference, ConvenedSignedAndCarriedOut) { Run("console_conference.mjs"); }

}  // namespace
}  // namespace concord::testing
