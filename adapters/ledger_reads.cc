#include "adapters/ledger_reads.h"

#include <google/protobuf/util/json_util.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/uuid.h"
#include "concord/v1/petition.pb.h"

namespace concord::adapter {
namespace {

constexpr int64_t kKeepMs = 5 * 60 * 1000;  // an answer is read within this
constexpr size_t kMaxAsked = 1000;          // asked and not yet forgotten

}  // namespace

absl::StatusOr<std::unique_ptr<LedgerReads>> LedgerReads::Start(const AdapterConfig& config,
                                                                HttpRouter& router,
                                                                BusRequests& bus,
                                                                const Clock& clock) {
  auto reads = std::unique_ptr<LedgerReads>(new LedgerReads(config, bus, clock));
  LedgerReads* self = reads.get();
  RETURN_IF_ERROR(
      router.Add("POST", "/ledger/query", [self](const HttpRequest& r) { return self->Ask(r); }));
  RETURN_IF_ERROR(
      router.Add("GET", "/ledger/query", [self](const HttpRequest& r) { return self->Answer(r); }));
  return reads;
}

HttpResponse LedgerReads::Ask(const HttpRequest& request) {
  const std::string& ledger = config_.petitions.ledger;
  if (ledger.empty())
    return ErrorResponse(503,
                         "本机关未配置台账代理（[petitions] ledger）/ no ledger agent configured");
  concord::v1::LedgerQuery query;
  google::protobuf::util::JsonParseOptions parse;
  if (auto st = google::protobuf::util::JsonStringToMessage(request.body, &query, parse); !st.ok())
    return ErrorResponse(400, absl::StrCat("查询不是 LedgerQuery 的 JSON / not a LedgerQuery: ",
                                           std::string(st.message())));
  const int64_t now = clock_.NowMs();
  Forget(now);
  if (asked_.size() >= kMaxAsked)
    return ErrorResponse(429, "未取回的查询过多，请稍后再试 / too many answers not read yet");
  const std::string id = NewUuidV7();
  asked_[id].at_ms = now;
  std::weak_ptr<int> alive = alive_;
  bus_.Ask(ledger, query, "concord.v1.LedgerQueryReply", std::chrono::seconds(10),
           [this, alive, id](absl::StatusOr<concord::v1::Envelope> reply) {
             if (alive.expired()) return;
             auto it = asked_.find(id);
             if (it == asked_.end()) return;
             concord::v1::LedgerQueryReply out;
             if (!reply.ok()) {
               it->second.status = "failed";
               it->second.reason =
                   reply.status().code() == absl::StatusCode::kDeadlineExceeded
                       ? "台账代理 10 秒内未答复（总线或台账代理不可用）/ the ledger agent did "
                         "not answer within 10 s"
                       : std::string(reply.status().message());
               return;
             }
             if (!reply->payload().UnpackTo(&out)) {
               it->second.status = "failed";
               it->second.reason = "答复无法解读 / the reply could not be read";
               return;
             }
             google::protobuf::util::JsonPrintOptions print;
             print.preserve_proto_field_names = true;
             print.always_print_primitive_fields = true;
             std::string json;
             (void)google::protobuf::util::MessageToJsonString(out, &json, print);
             it->second.status = "done";
             it->second.reply_json = std::move(json);
           });
  return JsonResponse(202, {{"id", id}});
}

HttpResponse LedgerReads::Answer(const HttpRequest& request) {
  Forget(clock_.NowMs());
  auto it = asked_.find(request.Query("id"));
  if (it == asked_.end())
    return ErrorResponse(404,
                         "没有这个查询（或已超过 5 分钟）/ no such query, or answered over "
                         "5 minutes ago");
  const Asked& a = it->second;
  if (a.status == "done") {
    nlohmann::json body = {{"status", "done"},
                           {"reply", nlohmann::json::parse(a.reply_json, nullptr, false)}};
    asked_.erase(it);  // read once
    return JsonResponse(200, body);
  }
  if (a.status == "failed") {
    nlohmann::json body = {{"status", "failed"}, {"reason", a.reason}};
    asked_.erase(it);
    return JsonResponse(200, body);
  }
  return JsonResponse(200, {{"status", "waiting"}});
}

void LedgerReads::Forget(int64_t now_ms) {
  for (auto it = asked_.begin(); it != asked_.end();)
    it = now_ms - it->second.at_ms > kKeepMs ? asked_.erase(it) : std::next(it);
}

}  // namespace concord::adapter
