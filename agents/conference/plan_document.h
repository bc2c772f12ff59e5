// The plan document (化解工作方案): the latest plan of a conference as a page
// an officer prints and brings to a meeting, in Chinese: the case, the lead
// leader, the tasks with their agencies, due dates and progress, the
// follow-up visits, the closing criteria, every agency's decision on every
// version, the public hearings with who came and what they said, and the
// outcome. The page's shape is the template in plan_document.cc.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "agents/conference/conference.h"

namespace concord::conference {

// Agencies appear by their names in `names` (principal -> 上州区人民检察院),
// else by principal. NotFound for an unknown conference, FailedPrecondition
// when it has no plan yet.
absl::StatusOr<std::string> PlanHtml(Conferences& book, const std::string& id,
                                     const std::map<std::string, std::string>& names = {});

}  // namespace concord::conference
