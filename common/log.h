// Logging: spdlog, one line per event, to stderr (daemons are run under
// systemd or the quick-start script, which send stderr to a log file).
#pragma once

#include <spdlog/spdlog.h>

#define LOG_DEBUG(...) SPDLOG_DEBUG(__VA_ARGS__)
#define LOG_INFO(...) SPDLOG_INFO(__VA_ARGS__)
#define LOG_WARN(...) SPDLOG_WARN(__VA_ARGS__)
#define LOG_ERROR(...) SPDLOG_ERROR(__VA_ARGS__)

namespace concord {

// Sets the process name in every line and the level from CONCORD_LOG_LEVEL
// (trace, debug, info, warn, error; info by default).
void InitLogging(const std::string& process_name);

}  // namespace concord
