#include "tests/support/hub_audit.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/sqlite.h"

namespace concord::testing {

std::vector<HubAuditLine> HubAuditLines(const TestDistrict& d, const std::string& event) {
  std::vector<HubAuditLine> out;
  auto db = sqlite::Db::Open(d.hub_db());
  if (!db.ok()) return out;
  auto st = db->Prepare("SELECT n, line FROM audit ORDER BY n");
  if (!st.ok()) return out;
  while (true) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    // time, hash of the previous line, event, principal, detail
    std::vector<std::string> f = absl::StrSplit(st->Text(1), absl::MaxSplits('\t', 4));
    if (f.size() < 5 || (!event.empty() && f[2] != event)) continue;
    out.push_back({st->Int(0), f[2], f[3], f[4]});
  }
  return out;
}

int64_t VmRssKb(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  return -1;
}

}  // namespace concord::testing
