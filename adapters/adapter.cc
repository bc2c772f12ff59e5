#include "adapters/adapter.h"

#include "absl/strings/str_cat.h"
#include "adapters/agent_senders.h"
#include "adapters/audit_checkpoints.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/status_macros.h"

namespace concord::adapter {

absl::StatusOr<std::unique_ptr<Adapter>> Adapter::Start(boost::asio::io_context& io,
                                                        AdapterConfig config,
                                                        const ConnectorRegistry& registry,
                                                        AdapterOptions options) {
  if (config.agency.empty())
    return absl::InvalidArgumentError("配置缺少 [agency] name / config needs [agency] name");

  std::unique_ptr<Adapter> a(new Adapter(io, std::move(config)));
  ASSIGN_OR_RETURN(a->client_, client::Client::Create(io, a->config_.client));
  ASSIGN_OR_RETURN(a->mailbox_, Mailbox::Create(*a->client_, *a->config_.client.clock));
  // First of the interceptors: an agent's answer from anyone else is dropped.
  GuardAgentOnlyTypes(a->config_, *a->mailbox_);
  // The hub's signed audit checkpoints: kept, not shown in the inbox.
  RETURN_IF_ERROR(KeepAuditCheckpoints(a->config_.agency, *a->client_, *a->mailbox_, a->router_));

  Adapter* self = a.get();
  RETURN_IF_ERROR(
      a->router_.Add("GET", "/health", [self](const HttpRequest&) { return self->Health(); }));
  RETURN_IF_ERROR(
      a->router_.Add("GET", "/metrics", [self](const HttpRequest&) { return self->Metrics(); }));
  RETURN_IF_ERROR(
      a->router_.Add("GET", "/healthz", [](const HttpRequest&) { return LivenessResponse(); }));
  // Ready: a session with the hub, and the agency's database answers.
  RETURN_IF_ERROR(a->router_.Add("GET", "/readyz", [self](const HttpRequest&) {
    return ReadinessResponse(
        {{"hub_connected", [self] { return self->client_->stats().connected; }},
         {"database", [self] { return self->client_->db().QueryInt("SELECT 1").ok(); }}});
  }));
  const ConnectorContext context{a->config_, io, *a->client_, *a->mailbox_, a->router_};
  for (const auto& kind : options.connectors) {
    ASSIGN_OR_RETURN(auto connector, registry.Create(kind, context));
    RETURN_IF_ERROR(connector->Start());
    a->connectors_.push_back(std::move(connector));
  }

  std::weak_ptr<int> alive = a->alive_;
  ASSIGN_OR_RETURN(
      a->http_, HttpServer::Start(io, a->config_.http, [self, alive](const HttpRequest& request) {
        if (alive.expired()) return ErrorResponse(503, "适配器正在关闭 / adapter is shutting down");
        return self->router_.Dispatch(request);
      }));
  a->bus_ = std::make_unique<BusRequests>(io, *a->client_, *a->mailbox_);
  ASSIGN_OR_RETURN(a->bus_reads_,
                   BusReads::Start(a->config_, a->router_, *a->bus_, *a->config_.client.clock));
  if (a->config_.console.enabled) {
    ASSIGN_OR_RETURN(a->console_, Console::Start({a->config_, io, *a->client_, *a->mailbox_,
                                                  a->router_, *a->bus_}));
  }
  a->client_->Start();
  LOG_INFO("adapter {} ({}) up: hub {}, API http://{}:{}/, db {}", a->config_.agency,
           a->config_.display, a->config_.client.hub_endpoint, a->config_.http.address,
           a->http_->port(), a->config_.client.db_path);
  return a;
}

Adapter::~Adapter() { Stop(); }

void Adapter::Stop() {
  if (stopped_) return;
  stopped_ = true;
  alive_.reset();
  if (console_) console_->Stop();
  for (auto& c : connectors_) c->Stop();
  if (http_) http_->Stop();
  if (client_) client_->Stop();
}

HttpResponse Adapter::Health() {
  auto unread = mailbox_->UnreadCount();
  if (!unread.ok()) return StatusResponse(unread.status());
  const client::ClientStats s = client_->stats();
  return JsonResponse(200, {{"agency", config_.agency},
                            {"display", config_.display},
                            {"principal", s.principal},
                            {"connected", s.connected},
                            {"outbox", s.outbox},
                            {"unacked", s.unacked},
                            {"published", s.published},
                            {"received", s.received},
                            {"inbox_unread", *unread}});
}

HttpResponse Adapter::Metrics() {
  auto unread = mailbox_->UnreadCount();
  if (!unread.ok()) return StatusResponse(unread.status());
  auto failed = mailbox_->FailedCount();
  if (!failed.ok()) return StatusResponse(failed.status());
  const client::ClientStats s = client_->stats();
  std::string out;
  RenderGauge("concord_adapter_connected", "1 while the hub session is up.", s.connected ? 1 : 0,
              out);
  RenderGauge("concord_adapter_outbox", "Durable publishes not yet acknowledged by the hub.",
              static_cast<double>(s.outbox), out);
  RenderGauge("concord_adapter_unacked", "Publishes waiting for the hub's Ack.",
              static_cast<double>(s.unacked), out);
  RenderCounter("concord_adapter_published_total", "Publishes acknowledged by the hub.",
                s.published, out);
  RenderCounter("concord_adapter_received_total", "Deliveries applied to the inbox.", s.received,
                out);
  RenderGauge("concord_adapter_outbox_failed", "Publishes the hub refused for good.",
              static_cast<double>(*failed), out);
  RenderGauge("concord_adapter_inbox_unread", "Inbox messages not yet acknowledged.",
              static_cast<double>(*unread), out);
  RenderBuildInfo("concord_adapter", out);
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = std::move(out);
  return r;
}

}  // namespace concord::adapter
