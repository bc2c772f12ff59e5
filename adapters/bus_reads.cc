#include "adapters/bus_reads.h"

#include <google/protobuf/util/json_util.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/uuid.h"
#include "concord/v1/conference.pb.h"
#include "concord/v1/petition.pb.h"
#include "concord/v1/risk.pb.h"

namespace concord::adapter {
namespace {

constexpr int64_t kKeepMs = 5 * 60 * 1000;  // an answer is read within this
constexpr size_t kMaxAsked = 1000;          // asked and not yet forgotten

}  // namespace

absl::StatusOr<std::unique_ptr<BusReads>> BusReads::Start(const AdapterConfig& config,
                                                          HttpRouter& router, BusRequests& bus,
                                                          const Clock& clock) {
  auto reads = std::unique_ptr<BusReads>(new BusReads(bus, clock));
  BusReads* self = reads.get();
  const Read all[] = {
      {"/ledger/query", config.petitions.ledger, "[petitions] ledger",
       &concord::v1::LedgerQuery::default_instance(),
       &concord::v1::LedgerQueryReply::default_instance(), "台账代理", "the ledger agent"},
      {"/risk/query", config.console.risk, "[console] risk",
       &concord::v1::RiskQuery::default_instance(),
       &concord::v1::RiskQueryReply::default_instance(), "风险代理", "the risk agent"},
      {"/conference/query", config.console.conference, "[console] conference",
       &concord::v1::ConferenceQuery::default_instance(),
       &concord::v1::ConferenceQueryReply::default_instance(), "联席会议代理",
       "the conference agent"}};
  for (const Read& read : all) {
    self->reads_.push_back(std::make_unique<Read>(read));
    const Read* r = self->reads_.back().get();
    RETURN_IF_ERROR(
        router.Add("POST", r->path, [self, r](const HttpRequest& q) { return self->Ask(*r, q); }));
    RETURN_IF_ERROR(
        router.Add("GET", r->path, [self](const HttpRequest& q) { return self->Answer(q); }));
  }
  return reads;
}

HttpResponse BusReads::Ask(const Read& read, const HttpRequest& request) {
  if (read.agent.empty())
    return ErrorResponse(503, absl::StrCat("本机关未配置", read.agent_zh, "（", read.config_key,
                                           "）/ no ", read.agent_en, " configured"));
  std::unique_ptr<google::protobuf::Message> query(read.query->New());
  google::protobuf::util::JsonParseOptions parse;
  if (auto st = google::protobuf::util::JsonStringToMessage(request.body, query.get(), parse);
      !st.ok())
    return ErrorResponse(400,
                         absl::StrCat("查询不是 ", read.query->GetTypeName(), " 的 JSON / not a ",
                                      read.query->GetTypeName(), ": ", std::string(st.message())));
  const int64_t now = clock_.NowMs();
  Forget(now);
  if (asked_.size() >= kMaxAsked)
    return ErrorResponse(429, "未取回的查询过多，请稍后再试 / too many answers not read yet");
  const std::string id = NewUuidV7();
  asked_[id].at_ms = now;
  std::weak_ptr<int> alive = alive_;
  bus_.Ask(read.agent, *query, read.reply->GetDescriptor()->full_name(), std::chrono::seconds(10),
           [this, alive, id, &read](absl::StatusOr<concord::v1::Envelope> reply) {
             if (alive.expired()) return;
             auto it = asked_.find(id);
             if (it == asked_.end()) return;
             if (!reply.ok()) {
               it->second.status = "failed";
               it->second.reason =
                   reply.status().code() == absl::StatusCode::kDeadlineExceeded
                       ? absl::StrCat(read.agent_zh, " 10 秒内未答复（总线或", read.agent_zh,
                                      "不可用）/ ", read.agent_en, " did not answer within 10 s")
                       : std::string(reply.status().message());
               return;
             }
             std::unique_ptr<google::protobuf::Message> out(read.reply->New());
             if (!reply->payload().UnpackTo(out.get())) {
               it->second.status = "failed";
               it->second.reason = "答复无法解读 / the reply could not be read";
               return;
             }
             google::protobuf::util::JsonPrintOptions print;
             print.preserve_proto_field_names = true;
             print.always_print_primitive_fields = true;
             std::string json;
             (void)google::protobuf::util::MessageToJsonString(*out, &json, print);
             it->second.status = "done";
             it->second.reply_json = std::move(json);
           });
  return JsonResponse(202, {{"id", id}});
}

HttpResponse BusReads::Answer(const HttpRequest& request) {
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

void BusReads::Forget(int64_t now_ms) {
  for (auto it = asked_.begin(); it != asked_.end();)
    it = now_ms - it->second.at_ms > kKeepMs ? asked_.erase(it) : std::next(it);
}

}  // namespace concord::adapter
