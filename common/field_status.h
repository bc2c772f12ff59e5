// Refusals that name the input fields they are about ("channel",
// "amount_yuan"), so that a form marks those fields in red from their names
// rather than by reading the message. The names ride in the status as a
// payload; a status copied, returned or ASSIGN_OR_RETURNed keeps them.
//
//   return WithFields(absl::InvalidArgumentError("..."), {"channel", "received"});
//   for (const std::string& f : FieldsOf(status)) bad[f] = true;
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace concord {

inline constexpr char kFieldsPayload[] = "concord.dev/fields";

// `st` naming `fields` as well as those it named already; an OK status stays OK.
inline absl::Status WithFields(absl::Status st, const std::vector<std::string>& fields) {
  if (st.ok() || fields.empty()) return st;
  std::vector<std::string> all = [&] {
    auto old = st.GetPayload(kFieldsPayload);
    return old ? std::vector<std::string>(absl::StrSplit(std::string(*old), ',', absl::SkipEmpty()))
               : std::vector<std::string>{};
  }();
  for (const std::string& f : fields)
    if (std::find(all.begin(), all.end(), f) == all.end()) all.push_back(f);
  st.SetPayload(kFieldsPayload, absl::Cord(absl::StrJoin(all, ",")));
  return st;
}

// The fields `st` names, in the order they were added; none for OK or a
// status that names none.
inline std::vector<std::string> FieldsOf(const absl::Status& st) {
  auto p = st.GetPayload(kFieldsPayload);
  if (!p) return {};
  return absl::StrSplit(std::string(*p), ',', absl::SkipEmpty());
}

}  // namespace concord
