// Logging: spdlog, one event per line or record.
//
// Where the lines go (chosen by InitLogging, once per process):
//  - under systemd, whose journal holds stderr ($JOURNAL_STREAM names it):
//    native journal records, one datagram each to /run/systemd/journal/socket,
//    with PRIORITY, SYSLOG_IDENTIFIER and the fields below as journal fields
//    (CONCORD_AGENCY, CONCORD_MESSAGE_ID, CONCORD_LEDGER_NO), so
//    `journalctl CONCORD_LEDGER_NO=信-2026-000123` finds one item's lines;
//  - CONCORD_LOG_FORMAT=json: JSON lines on stderr, {"time":"...+08:00",
//    "level":"info","process":"hub","agency":...,"message_id":...,"msg":...};
//  - otherwise text lines on stderr: "2026-12-03T10:15:00.123+0800 I [hub] ...",
//    the fields appended as " agency=... message_id=...".
// CONCORD_LOG_FORMAT=text or =journal forces a form (CONCORD_JOURNAL_SOCKET
// replaces the journal's socket path: tests). A record the journal refuses
// is written to stderr as text.
//
// Fields: SetLogField() for the whole process (the agency), LogField for
// the scope of one delivery on this thread (the message id, the ledger
// number). Thread-safe: fields are per thread, the process's are set before
// threads start.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

#define LOG_DEBUG(...) SPDLOG_DEBUG(__VA_ARGS__)
#define LOG_INFO(...) SPDLOG_INFO(__VA_ARGS__)
#define LOG_WARN(...) SPDLOG_WARN(__VA_ARGS__)
#define LOG_ERROR(...) SPDLOG_ERROR(__VA_ARGS__)

namespace concord {

// Sets the process name in every line and the level from CONCORD_LOG_LEVEL
// (trace, debug, info, warn, error; info by default).
void InitLogging(const std::string& process_name);

// A field of every later event of the process ("agency"); "" removes it.
void SetLogField(const std::string& key, const std::string& value);

// A field of the events logged on this thread while it lives ("message_id",
// "ledger_no"); nested scopes of one key restore the outer value.
class LogField {
 public:
  LogField(std::string key, const std::string& value);
  ~LogField();
  LogField(const LogField&) = delete;
  LogField& operator=(const LogField&) = delete;

 private:
  std::string key_, previous_;
  bool had_previous_ = false;
};

}  // namespace concord
