#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cstdlib>

namespace concord {

void InitLogging(const std::string& process_name) {
  auto logger = spdlog::stderr_logger_mt(process_name);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%L%$ [%n] %v");
  const char* level = std::getenv("CONCORD_LOG_LEVEL");
  logger->set_level(level ? spdlog::level::from_str(level) : spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace concord
