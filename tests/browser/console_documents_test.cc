// The printed notices (文书) of the clerks' console, in a real chromium
// against the real daemons (the district of console_fixture.h): the
// 受理告知书, 不予受理告知书, 转送告知书 and 答复意见书 filled from the
// item's shared history, the 409 page for a notice whose step has not been
// taken, another agency's refusal, and an A4 PDF of a notice. The script
// (console_documents.mjs) saves the pages and the PDF under
// <build>/test-output/<Suite>.<Test>/.
#include "tests/browser/console_fixture.h"

namespace concord::testing {
namespace {

// The console's district, as a suite of its own (browser.ConsoleDocuments.*).
// The office names the organ that reviews its replies; the court does not.
class ConsoleDocuments : public ConsoleBrowser {
 public:
  std::string ConsoleExtra(const std::string& name) const override {
    return name == "office" ? "superior = \"上州区人民政府\"\n" : "";
  }
};

// Each notice carries the agency's name, its number, the petitioner, the
// ledger number, the step's date and what the step recorded; a notice before
// its step is a 409 naming the step; the 受理告知书 prints to an A4 PDF.
TEST_F(ConsoleDocuments, NoticesFromTheHistoryPrintOnA4) { Run("console_documents.mjs"); }

}  // namespace
}  // namespace concord::testing
