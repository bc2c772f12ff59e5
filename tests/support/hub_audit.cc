#include "tests/support/hub_audit.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/pg.h"
#include "common/sqlite.h"

namespace concord::testing {

namespace {

// time, hash of the previous line, event, principal, detail
void AddLine(int64_t n, const std::string& line, const std::string& event,
             std::vector<HubAuditLine>& out) {
  std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits('\t', 4));
  if (f.size() < 5 || (!event.empty() && f[2] != event)) return;
  out.push_back({n, f[2], f[3], f[4]});
}

}  // namespace

std::vector<HubAuditLine> HubAuditLines(const TestDistrict& d, const std::string& event) {
  std::vector<HubAuditLine> out;
  if (d.store_kind() == "postgresql") {
    auto conn = pg::Conn::Open(d.pg_conninfo(), "concord-test");
    if (!conn.ok()) return out;
    auto r = conn->Query("SELECT n, line FROM hub.audit ORDER BY n");
    if (!r.ok()) return out;
    for (int i = 0; i < r->rows(); ++i) AddLine(r->Int(i, 0), r->Bytes(i, 1), event, out);
    return out;
  }
  auto db = sqlite::Db::Open(d.hub_db());
  if (!db.ok()) return out;
  auto st = db->Prepare("SELECT n, line FROM audit ORDER BY n");
  if (!st.ok()) return out;
  while (true) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    AddLine(st->Int(0), st->Text(1), event, out);
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
