// What the agents that keep deadlines share (the ledger's petitions, the aid
// agent's applications): the calendar file watched and recounted on, and a
// deadline alert staged to the agency and, escalated, to its supervisors.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sql.h"
#include "concord/v1/petition.pb.h"
#include "domain/calendar.h"
#include "hub/client/client.h"

namespace concord::agent {

// The holiday calendar file an agent counts on. At each scan the agent calls
// ReloadIfChanged: when the file changed since it was last taken, it is
// loaded and `recount` runs in a transaction of its own; the change is taken
// only once that commits, so a failure is tried again at the next scan. A
// file that does not parse is logged once and the calendar in use kept.
class CalendarFile {
 public:
  explicit CalendarFile(std::string path) : path_(std::move(path)) {}
  void ReloadIfChanged(sql::Db& db,
                       const std::function<absl::StatusOr<int>(HolidayCalendar)>& recount);

 private:
  std::string path_;
  std::filesystem::file_time_type mtime_{};
};

// Stages `alert` to its agency and, for an escalation, to each of `supervisors`
// (the agency itself left out). Inside the caller's transaction.
absl::Status StageDeadlineAlert(client::Client& client, const v1::DeadlineAlert& alert,
                                const std::vector<std::string>& supervisors);

}  // namespace concord::agent
