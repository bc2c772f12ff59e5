// RestConnector ("rest"): the agency system's loopback HTTP/JSON API.
//
//   POST /publish     {"to": [...], "type": "concord.v1.TextNote", "payload": {...},
//                      "correlation_id": "", "expires_in_s": 0}
//                     -> 202 {"id", "status": "queued"}  (queued even when the hub is down)
//   GET  /inbox?after=N&limit=M&unread=1
//                     -> 200 {"messages": [{n, id, from, type, payload, correlation_id,
//                                           received_ms, read}], "next_after": N}
//   POST /inbox/ack   {"ids": [...]} or {"through": n} -> 200 {"acked": count}
//   GET  /outbox      -> 200 {"pending": n, "failed": [{id, code, reason, at_ms, to, type}]}
//   GET  /refused?limit=M
//                     -> 200 {"refused": [{id, sender, type, reason, at_ms, seen_by,
//                                          seen_ms}]}  (newest first; the
//                        deliveries refused for their signature, concord_refused)
//
// Errors follow http_router.h. See adapters/README.md for the full API.
// Threading: routes run on the io_context thread.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/connector.h"

namespace concord::adapter {

class RestConnector final : public Connector {
 public:
  static constexpr std::string_view kKind = "rest";
  static constexpr int kDefaultInboxLimit = 100;
  static constexpr int kMaxInboxLimit = 1000;
  static constexpr int kDefaultRefusedLimit = 200;
  static constexpr int kMaxRefusedLimit = 1000;

  static absl::StatusOr<std::unique_ptr<Connector>> Create(const ConnectorContext& context);

  // Connector:
  std::string_view kind() const override { return kKind; }
  absl::Status Start() override;
  void Stop() override {}

 private:
  explicit RestConnector(const ConnectorContext& context) : context_(context) {}

  HttpResponse Publish(const HttpRequest& request);
  HttpResponse Inbox(const HttpRequest& request);
  HttpResponse Ack(const HttpRequest& request);
  HttpResponse Outbox(const HttpRequest& request);
  HttpResponse Refused(const HttpRequest& request);

  ConnectorContext context_;
};

}  // namespace concord::adapter
