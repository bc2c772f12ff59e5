#include "adapters/rest_connector.h"

#include <sodium.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace concord::adapter {
namespace {

using nlohmann::json;

// A query parameter as an integer in [min, max]; `fallback` when absent.
absl::StatusOr<int64_t> QueryInt(const HttpRequest& request, const std::string& key,
                                 int64_t fallback, int64_t min, int64_t max) {
  const std::string raw = request.Query(key);
  if (raw.empty()) return fallback;
  int64_t v = 0;
  if (!absl::SimpleAtoi(raw, &v) || v < min || v > max)
    return absl::InvalidArgumentError(
        absl::StrCat("参数 ", key, " 应为 ", min, " 到 ", max, " 的整数 / query parameter ", key,
                     " must be an integer in [", min, ", ", max, "]"));
  return v;
}

absl::StatusOr<OutgoingMessage> ParsePublish(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseJsonObject(body));
  OutgoingMessage m;
  auto to = j.find("to");
  if (to == j.end() || !to->is_array() || to->empty())
    return absl::InvalidArgumentError("缺少收件人 / `to` must be a non-empty array of recipients");
  for (const auto& t : *to) {
    if (!t.is_string())
      return absl::InvalidArgumentError("收件人必须是字符串 / every `to` entry must be a string");
    m.to.push_back(t.get<std::string>());
  }
  if (auto type = j.find("type"); type != j.end() && !type->is_null()) {
    if (!type->is_string() || type->get<std::string>().empty())
      return absl::InvalidArgumentError(
          "消息类型必须是非空字符串 / `type` must be a non-empty string");
    m.type = type->get<std::string>();
  }
  if (auto payload = j.find("payload"); payload != j.end() && !payload->is_null()) {
    if (!payload->is_object())
      return absl::InvalidArgumentError("载荷必须是 JSON 对象 / `payload` must be a JSON object");
    m.payload_json = payload->dump();
  }
  if (auto c = j.find("correlation_id"); c != j.end() && !c->is_null()) {
    if (!c->is_string())
      return absl::InvalidArgumentError("关联编号必须是字符串 / `correlation_id` must be a string");
    m.correlation_id = c->get<std::string>();
  }
  if (auto e = j.find("expires_in_s"); e != j.end() && !e->is_null()) {
    if (!e->is_number_integer() || e->get<int64_t>() < 0)
      return absl::InvalidArgumentError(
          "有效期应为非负整数秒 / `expires_in_s` must be a non-negative integer");
    m.expires_in_s = e->get<int64_t>();
  }
  return m;
}

// BLAKE2b-256 of a request body, hex: what an Idempotency-Key is bound to.
std::string BodyHash(const std::string& body) {
  unsigned char hash[crypto_generichash_BYTES];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(body.data()),
                     body.size(), nullptr, 0);
  char hex[2 * sizeof hash + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return hex;
}

// A stored payload column back to JSON (it was written by this adapter).
json PayloadValue(const std::string& text) {
  json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return v.is_discarded() ? json(text) : v;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connector>> RestConnector::Create(const ConnectorContext& context) {
  return std::unique_ptr<Connector>(new RestConnector(context));
}

absl::Status RestConnector::Start() {
  HttpRouter& http = context_.http;
  RETURN_IF_ERROR(
      http.Add("POST", "/publish", [this](const HttpRequest& r) { return Publish(r); }));
  RETURN_IF_ERROR(http.Add("GET", "/inbox", [this](const HttpRequest& r) { return Inbox(r); }));
  RETURN_IF_ERROR(http.Add("POST", "/inbox/ack", [this](const HttpRequest& r) { return Ack(r); }));
  RETURN_IF_ERROR(http.Add("GET", "/outbox", [this](const HttpRequest& r) { return Outbox(r); }));
  RETURN_IF_ERROR(http.Add("GET", "/refused", [this](const HttpRequest& r) { return Refused(r); }));
  return absl::OkStatus();
}

HttpResponse RestConnector::Publish(const HttpRequest& request) {
  auto message = ParsePublish(request.body);
  if (!message.ok()) return StatusResponse(message.status());
  const std::string key = request.Header("idempotency-key");
  Mailbox::Sent sent;
  absl::Status status;
  if (key.empty()) {
    auto id = context_.mailbox.Send(*message);
    status = id.status();
    if (id.ok()) sent.id = *id;
  } else {
    auto once = context_.mailbox.SendOnce(*message, key, BodyHash(request.body));
    status = once.status();
    if (once.ok()) sent = *once;
  }
  if (absl::IsResourceExhausted(status)) return ErrorResponse(413, std::string(status.message()));
  if (absl::IsAlreadyExists(status)) return ErrorResponse(422, std::string(status.message()));
  if (!status.ok()) return StatusResponse(status);
  // A repeated key answers the first call's id: nothing more was sent.
  if (sent.repeated)
    return JsonResponse(200, {{"id", sent.id}, {"status", "queued"}, {"repeated", true}});
  return JsonResponse(202, {{"id", sent.id}, {"status", "queued"}});
}

HttpResponse RestConnector::Inbox(const HttpRequest& request) {
  auto after = QueryInt(request, "after", 0, 0, INT64_MAX);
  if (!after.ok()) return StatusResponse(after.status());
  auto limit = QueryInt(request, "limit", kDefaultInboxLimit, 1, kMaxInboxLimit);
  if (!limit.ok()) return StatusResponse(limit.status());
  const std::string unread = request.Query("unread");
  const bool unread_only = unread == "1" || unread == "true";
  auto items = context_.mailbox.Inbox(*after, static_cast<int>(*limit), unread_only);
  if (!items.ok()) return StatusResponse(items.status());
  json messages = json::array();
  int64_t next_after = *after;
  for (const auto& m : *items) {
    messages.push_back({{"n", m.n},
                        {"id", m.id},
                        {"from", m.from},
                        {"type", m.type},
                        {"payload", PayloadValue(m.payload_json)},
                        {"correlation_id", m.correlation_id},
                        {"received_ms", m.received_ms},
                        {"read", m.read}});
    next_after = m.n;
  }
  return JsonResponse(200, {{"messages", std::move(messages)}, {"next_after", next_after}});
}

HttpResponse RestConnector::Ack(const HttpRequest& request) {
  auto body = ParseJsonObject(request.body);
  if (!body.ok()) return StatusResponse(body.status());
  absl::StatusOr<int64_t> acked;
  if (auto ids = body->find("ids"); ids != body->end()) {
    if (!ids->is_array())
      return ErrorResponse(400, "ids 必须是字符串数组 / `ids` must be an array of strings");
    std::vector<std::string> list;
    for (const auto& id : *ids) {
      if (!id.is_string())
        return ErrorResponse(400, "ids 必须是字符串数组 / `ids` must be an array of strings");
      list.push_back(id.get<std::string>());
    }
    acked = context_.mailbox.AckIds(list);
  } else if (auto through = body->find("through"); through != body->end()) {
    if (!through->is_number_integer())
      return ErrorResponse(400, "through 必须是整数 / `through` must be an integer");
    acked = context_.mailbox.AckThrough(through->get<int64_t>());
  } else {
    return ErrorResponse(400, "需要 ids 或 through / give `ids` or `through`");
  }
  if (!acked.ok()) return StatusResponse(acked.status());
  return JsonResponse(200, {{"acked", *acked}});
}

HttpResponse RestConnector::Outbox(const HttpRequest& request) {
  auto failed = context_.mailbox.FailedPublishes();
  if (!failed.ok()) return StatusResponse(failed.status());
  json rows = json::array();
  for (const auto& f : *failed) {
    rows.push_back({{"id", f.id},
                    {"code", f.code},
                    {"reason", f.reason},
                    {"at_ms", f.at_ms},
                    {"to", f.to_json.empty() ? json::array() : PayloadValue(f.to_json)},
                    {"type", f.type}});
  }
  return JsonResponse(200,
                      {{"pending", context_.client.stats().outbox}, {"failed", std::move(rows)}});
}

HttpResponse RestConnector::Refused(const HttpRequest& request) {
  auto limit = QueryInt(request, "limit", kDefaultRefusedLimit, 1, kMaxRefusedLimit);
  if (!limit.ok()) return StatusResponse(limit.status());
  auto refused = context_.mailbox.RefusedDeliveries(static_cast<int>(*limit));
  if (!refused.ok()) return StatusResponse(refused.status());
  json rows = json::array();
  for (const auto& r : *refused) {
    rows.push_back({{"id", r.id},
                    {"sender", r.sender},
                    {"type", r.type},
                    {"reason", r.reason},
                    {"at_ms", r.at_ms},
                    {"seen_by", r.seen_by},  // "" and 0 until marked 已知悉 in the console
                    {"seen_ms", r.seen_ms}});
  }
  return JsonResponse(200, {{"refused", std::move(rows)}});
}

}  // namespace concord::adapter
