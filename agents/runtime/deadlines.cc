#include "agents/runtime/deadlines.h"

#include "common/log.h"

namespace concord::agent {

void CalendarFile::ReloadIfChanged(
    sql::Db& db, const std::function<absl::StatusOr<int>(HolidayCalendar)>& recount) {
  if (path_.empty()) return;
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(path_, ec);
  if (ec || mtime == mtime_) return;
  auto calendar = HolidayCalendar::Load(path_);
  if (!calendar.ok()) {
    LOG_ERROR(
        "节假日文件有误，继续使用原日历 / the calendar file is wrong, the one in use is kept: {}",
        calendar.status().ToString());
    mtime_ = mtime;  // said once; tried again when the file changes
    return;
  }
  auto txn = sql::Txn::Begin(db);
  if (!txn.ok()) return;
  auto moved = recount(*std::move(calendar));
  if (!moved.ok() || !txn->Commit().ok()) {
    LOG_ERROR("calendar recount failed, tried again at the next scan: {}",
              moved.status().ToString());
    return;
  }
  mtime_ = mtime;
  LOG_INFO("节假日文件已载入，重算 {} 个期限 / calendar loaded: {} deadlines recounted", *moved,
           *moved);
}

absl::Status StageDeadlineAlert(client::Client& client, const v1::DeadlineAlert& alert,
                                const std::vector<std::string>& supervisors) {
  std::vector<std::string> to = {alert.agency()};
  if (alert.kind() == "escalation")
    for (const auto& s : supervisors)
      if (s != alert.agency()) to.push_back(s);
  LOG_INFO("deadline {}: {}", alert.kind(), alert.text());
  return client.Stage(client::MakeEnvelope(to, alert)).status();
}

}  // namespace concord::agent
