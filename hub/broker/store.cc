#include "hub/broker/store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "hub/audit/audit_state.h"

namespace concord::hub {

void AcceptLines::Add(const NewMessage& m, bool duplicate) {
  SenderLines& sl = lines_[m.sender];
  std::string& line = duplicate ? sl.duplicates : sl.accepted;
  ++(duplicate ? sl.n_duplicates : sl.n_accepted);
  absl::StrAppend(&line, line.empty() ? "" : "; ", "id=", m.id, " seq=", m.seq,
                  " h=", EnvelopeDigest(m.envelope), " for=", absl::StrJoin(m.recipients, ","), " ",
                  absl::StrReplaceAll(m.audit_detail, {{";", ","}}));
}

std::vector<AuditEvent> AcceptLines::Events(int64_t now_ms) const {
  std::vector<AuditEvent> out;
  for (const auto& [sender, sl] : lines_) {
    if (sl.n_accepted)
      out.push_back(
          {now_ms, "accept", sender, absl::StrCat("n=", sl.n_accepted, " | ", sl.accepted)});
    if (sl.n_duplicates)
      out.push_back(
          {now_ms, "duplicate", sender, absl::StrCat("n=", sl.n_duplicates, " | ", sl.duplicates)});
  }
  return out;
}

}  // namespace concord::hub
