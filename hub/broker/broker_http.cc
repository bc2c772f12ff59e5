// The broker's HTTP endpoints: /healthz, /readyz, /metrics, /status,
// /deadletters and /deadletters/replay. See broker.h.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api_token.h"
#include "common/daemon.h"
#include "common/status_macros.h"
#include "hub/broker/broker_impl.h"
#include "nlohmann/json.hpp"

namespace concord::hub::internal {

absl::Status BrokerImpl::AddHttpRoutes() {
  RETURN_IF_ERROR(
      http_routes_.Add("GET", "/healthz", [](const HttpRequest&) { return LivenessResponse(); }));
  // Ready: the store commits (no failed group commit waiting for its retry).
  // The ROUTER is bound and the registry loaded before this port opens.
  RETURN_IF_ERROR(http_routes_.Add("GET", "/readyz", [this](const HttpRequest&) {
    return ReadinessResponse({{"database", [this] { return store_backoff_ms_ == 0; }}});
  }));
  RETURN_IF_ERROR(http_routes_.Add("GET", "/metrics", [this](const HttpRequest&) {
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", MetricsText()};
  }));
  RETURN_IF_ERROR(http_routes_.Add("GET", "/status", [this](const HttpRequest&) {
    return HttpResponse{200, "application/json", StatusJson()};
  }));
  // Dead letters hold whole envelopes: they need the hub's API token.
  const std::string token_file =
      config_.http_token_file.empty() ? config_.data_dir + "/http.token" : config_.http_token_file;
  ASSIGN_OR_RETURN(const std::string token, LoadOrCreateApiToken(token_file));
  auto authorized = [token](const HttpRequest& req) {
    return BearerMatches(req.Header("authorization"), token);
  };
  RETURN_IF_ERROR(
      http_routes_.Add("GET", "/deadletters", [this, authorized](const HttpRequest& req) {
        if (!authorized(req)) return ApiTokenRequired();
        return DeadLettersJson();
      }));
  return http_routes_.Add("POST", "/deadletters/replay",
                          [this, authorized](const HttpRequest& req) {
                            if (!authorized(req)) return ApiTokenRequired();
                            int64_t id = 0;
                            if (!absl::SimpleAtoi(req.Query("id"), &id))
                              return ErrorResponse(400, "需要 id 参数 / id= is required");
                            return ReplayDeadLetter(id);
                          });
}

std::string BrokerImpl::MetricsText() const {
  std::string out;
  RenderCounter("concord_hub_frames_received_total", "Frames received from clients.", frames_in_,
                out);
  RenderCounter("concord_hub_published_total", "Envelopes durably accepted.", published_, out);
  RenderGauge("concord_hub_standby", "1 while this hub stands by, 0 while it is active.", 0, out);
  if (config_.lead_term > 0)
    RenderGauge("concord_hub_lead_term", "The lead term this hub holds (PostgreSQL store).",
                static_cast<double>(config_.lead_term), out);
  RenderCounter("concord_hub_duplicates_total", "Publishes of an id already stored.", duplicates_,
                out);
  RenderCounter("concord_hub_refused_total", "Frames answered with a Nack.", refused_, out);
  RenderCounter("concord_hub_resource_exhausted_total", "Publishes refused for a full queue.",
                resource_exhausted_, out);
  RenderCounter("concord_hub_delivered_total", "First deliveries sent.", delivered_, out);
  RenderCounter("concord_hub_redelivered_total", "Deliveries re-sent after a timeout.",
                redelivered_, out);
  RenderCounter("concord_hub_acked_total", "Deliveries acknowledged by receivers.", acked_, out);
  RenderCounter("concord_hub_dead_lettered_total", "Deliveries dead-lettered.", dead_lettered_,
                out);
  RenderCounter("concord_hub_expired_total", "Messages dropped past their expiry.", expired_, out);
  RenderCounter("concord_hub_key_refused_total", "Connections or messages refused for their key.",
                key_refused_, out);
  RenderCounter("concord_hub_handshake_failed_total", "CurveZMQ handshakes that failed.",
                handshake_failed_, out);
  RenderCounter("concord_hub_peers_cut_total",
                "Principals cut for going over their refusal budget (FairShare).", peers_cut_, out);
  RenderCounter("concord_hub_ignored_while_cut_total",
                "Messages of a cut principal dropped unread.", ignored_while_cut_, out);
  RenderCounter("concord_hub_hellos_refused_total", "Hellos over a principal's max_hellos.",
                hellos_refused_, out);
  RenderCounter("concord_hub_subscriptions_refused_total",
                "Subscriptions refused (ACL, cap, malformed topic).", subscriptions_refused_, out);
  RenderCounter("concord_hub_commits_total", "Group commits.", commits_, out);
  RenderCounter("concord_hub_commit_errors_total", "Failed group commits.", commit_errors_, out);
  size_t connected = 0;
  for (auto& [n, mb] : mailboxes_) connected += mb->peer ? 1 : 0;
  RenderGauge("concord_hub_connected_peers", "Principals with a live session.",
              static_cast<double>(connected), out);
  absl::StrAppend(&out, "# HELP concord_hub_queue_depth Unacknowledged messages per recipient.\n",
                  "# TYPE concord_hub_queue_depth gauge\n");
  for (auto& [n, mb] : mailboxes_)
    absl::StrAppend(&out, "concord_hub_queue_depth{recipient=\"", n, "\"} ", mb->depth, "\n");
  absl::StrAppend(&out, "# HELP concord_hub_inflight Deliveries awaiting acknowledgement.\n",
                  "# TYPE concord_hub_inflight gauge\n");
  for (auto& [n, mb] : mailboxes_)
    absl::StrAppend(&out, "concord_hub_inflight{recipient=\"", n, "\"} ", mb->inflight.size(),
                    "\n");
  batch_sizes_.Render("concord_hub_commit_batch_size", "Messages per group commit.", out);
  ack_latency_s_.Render("concord_hub_publish_to_ack_seconds",
                        "Time from a publish arriving to its Ack being sent.", out);
  RenderBuildInfo("concord_hub", out);
  return out;
}

std::string BrokerImpl::StatusJson() const {
  nlohmann::json j;
  j["endpoint"] = endpoint_;
  j["last_seq"] = last_seq_;
  j["published"] = published_;
  j["delivered"] = delivered_;
  j["acked"] = acked_;
  j["dead_lettered"] = dead_lettered_;
  j["expired"] = expired_;
  j["refused"] = refused_;
  auto& arr = j["principals"] = nlohmann::json::array();
  std::vector<std::string> names;
  for (auto& [n, mb] : mailboxes_) names.push_back(n);
  std::sort(names.begin(), names.end());
  for (auto& n : names) {
    const Mailbox& mb = *mailboxes_.at(n);
    const Principal* p = registry_.ByName(n);
    std::string client;
    if (mb.peer)
      if (auto it = peers_.find(*mb.peer); it != peers_.end()) client = it->second.client;
    arr.push_back({{"name", n},
                   {"display", p ? p->display : ""},
                   {"revoked", p ? p->revoked : true},
                   {"connected", mb.peer.has_value()},
                   {"client", client},
                   {"queued", mb.depth},
                   {"inflight", mb.inflight.size()},
                   {"delivered", mb.delivered},
                   {"acked", mb.acked},
                   {"dead_lettered", mb.dead},
                   {"expired", mb.expired},
                   {"cursor", mb.acked_through}});
  }
  return j.dump(2);
}

HttpResponse BrokerImpl::DeadLettersJson() {
  auto rows = store_->ListDeadLetters();
  if (!rows.ok()) return ErrorResponse(503, std::string(rows.status().message()));
  nlohmann::json arr = nlohmann::json::array();
  for (const DeadLetterRow& d : *rows)
    arr.push_back({{"id", d.dl_id},
                   {"recipient", d.recipient},
                   {"seq", d.seq},
                   {"message_id", d.message_id},
                   {"sender", d.sender},
                   {"attempts", d.attempts},
                   {"reason", d.reason},
                   {"at_ms", d.at_ms},
                   {"replayed", d.replayed}});
  return {200, "application/json", arr.dump(2)};
}

HttpResponse BrokerImpl::ReplayDeadLetter(int64_t id) {
  auto loaded = store_->LoadDeadLetter(id);
  if (absl::IsNotFound(loaded.status()))
    return ErrorResponse(404, std::string(loaded.status().message()));
  if (!loaded.ok()) return ErrorResponse(503, std::string(loaded.status().message()));
  const std::string recipient = loaded->first.recipient, message_id = loaded->first.message_id,
                    sender = loaded->first.sender, envelope = std::move(loaded->second);
  Mailbox* mb = MailboxFor(recipient);
  if (!mb) return ErrorResponse(409, "收件人已不存在 / recipient gone");
  // A replay is a new log entry for that recipient only; its dedup key is
  // derived from the dead letter so a second replay of the same row is a no-op.
  NewMessage m;
  m.seq = ++last_seq_;
  m.id = absl::StrCat("replay:", id, ":", message_id);
  m.sender = sender;
  m.envelope = envelope;
  m.created_ms = clock_.NowMs();
  m.recipients.push_back(mb->id);
  m.audit_detail = absl::StrCat("replay of dead letter ", id, " to ", recipient);
  ++mb->pending;
  pending_ids_[m.id] = pending_->batch.messages.size();
  pending_->batch.messages.push_back(std::move(m));
  pending_->ackers.emplace_back();
  pending_->received_us.push_back(NowUs());
  pending_->batch.replayed.push_back(id);
  Audit("replay", recipient, absl::StrCat("dead_letter=", id, " id=", message_id));
  MaybeSubmit();
  return {200, "application/json",
          nlohmann::json({{"replayed", id}, {"recipient", recipient}, {"message_id", message_id}})
              .dump()};
}

}  // namespace concord::hub::internal
