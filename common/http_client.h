// A blocking HTTP/1.1 client for tools and tests (concordctl status, the
// quick-start). Not for use on an event-loop thread.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace concord {

struct HttpResult {
  int status = 0;
  std::string body;
};

// `bearer_token` (api_token.h), when not empty, goes as
// `Authorization: Bearer <token>`.
absl::StatusOr<HttpResult> HttpCall(const std::string& host, uint16_t port,
                                    const std::string& method, const std::string& target,
                                    const std::string& body = "",
                                    const std::string& content_type = "application/json",
                                    const std::string& bearer_token = "");

}  // namespace concord
