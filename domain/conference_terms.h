// The words of joint work on major and group cases (DOMAIN.md, "Joint work
// on major and group cases"): the measures a work plan may use and the roles
// of a public hearing's participants, each an id and its Chinese name. The
// conference agent checks them; an agency's console names them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace concord::conference {

struct MeasureInfo {
  const char* id;
  const char* chinese;
};

// The measures of a plan, in the order a form lists them.
const std::vector<MeasureInfo>& Measures();
// The canonical id of a measure written as its id or its Chinese name.
std::optional<std::string> MeasureId(const std::string& id_or_chinese);
const char* MeasureChinese(const std::string& id);  // "" when unknown

// The roles of a hearing's participants (信访人, 律师, 人大代表 ...).
const std::vector<MeasureInfo>& ParticipantRoles();
const char* RoleChinese(const std::string& id);  // "" when unknown

}  // namespace concord::conference
