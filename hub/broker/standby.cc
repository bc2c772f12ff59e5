#include "hub/broker/standby.h"

#include "absl/strings/str_cat.h"
#include "common/daemon.h"
#include "common/http_router.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "concord/v1/hub.pb.h"
#include "hub/transport/curve_keys.h"

namespace concord::hub {

namespace pb = concord::v1;

absl::StatusOr<std::unique_ptr<StandbyResponder>> StandbyResponder::Start(
    boost::asio::io_context& io, const std::string& endpoint, const std::string& secret_key_file,
    bool curve) {
  std::unique_ptr<StandbyResponder> s(new StandbyResponder(io));
  try {
    s->router_ = zmq::socket_t(s->ctx_, zmq::socket_type::router);
    s->router_.set(zmq::sockopt::linger, 0);
    if (curve) {
      auto keys = LoadCurveKeyPair(secret_key_file);
      if (!keys.ok()) return keys.status();
      s->router_.set(zmq::sockopt::curve_server, 1);
      s->router_.set(zmq::sockopt::curve_secretkey, keys->secret_z85);
    }
    s->router_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(4 << 20));
    s->router_.bind(endpoint);
    s->endpoint_ = s->router_.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(
        absl::StrCat("ZeroMQ 绑定失败 / cannot bind ", endpoint, ": ", e.what()));
  }
  s->watcher_ = std::make_unique<ZmqWatcher>(io, s->router_, [p = s.get()] { p->OnReadable(); });
  s->watcher_->Start();
  return s;
}

absl::Status StandbyResponder::ServeHttp(const std::string& address, uint16_t port) {
  auto routes = std::make_shared<HttpRouter>();
  RETURN_IF_ERROR(
      routes->Add("GET", "/healthz", [](const HttpRequest&) { return LivenessResponse(); }));
  RETURN_IF_ERROR(routes->Add("GET", "/readyz", [](const HttpRequest&) {
    return ReadinessResponse({{"lead", [] { return false; }}});
  }));
  RETURN_IF_ERROR(routes->Add("GET", "/metrics", [this](const HttpRequest&) {
    std::string out;
    RenderGauge("concord_hub_standby", "1 while this hub stands by, 0 while it is active.", 1, out);
    RenderGauge("concord_hub_lead_term", "The lead term of the active hub (standby: as it reads).",
                static_cast<double>(term_), out);
    RenderCounter("concord_hub_standby_answered_total",
                  "Frames a standby answered with the active hub's address.", answered_, out);
    RenderBuildInfo("concord_hub", out);
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", out};
  }));
  RETURN_IF_ERROR(routes->Add("GET", "/status", [this](const HttpRequest&) {
    return JsonResponse(200, {{"role", "standby"},
                              {"endpoint", endpoint_},
                              {"active_endpoint", active_},
                              {"lead_term", term_},
                              {"answered", answered_}});
  }));
  ASSIGN_OR_RETURN(http_, HttpServer::Start(io_, address, port, [routes](const HttpRequest& r) {
                     return routes->Dispatch(r);
                   }));
  return absl::OkStatus();
}

StandbyResponder::~StandbyResponder() {
  if (http_) http_->Stop();
  http_.reset();
  if (watcher_) watcher_->Stop();
  watcher_.reset();
  router_.close();
}

void StandbyResponder::OnReadable() {
  for (int budget = 0; budget < 1024; ++budget) {
    zmq::message_t rid;
    try {
      if (!router_.recv(rid, zmq::recv_flags::dontwait)) return;
      while (router_.get(zmq::sockopt::rcvmore)) {
        zmq::message_t part;
        (void)router_.recv(part, zmq::recv_flags::none);
      }
      pb::Frame f;
      pb::Nack* n = f.mutable_nack();
      n->set_code(pb::UNAVAILABLE);
      n->set_active_endpoint(active_);
      n->set_standby(true);
      n->set_active_term(static_cast<uint64_t>(term_));
      n->set_reason(active_.empty()
                        ? "备用枢纽，尚无主枢纽 / standby hub; no hub holds the lead yet"
                        : absl::StrCat("备用枢纽，主枢纽在 ", active_,
                                       " / standby hub; the active "
                                       "hub is at ",
                                       active_));
      const std::string bytes = f.SerializeAsString();
      if (router_.send(rid, zmq::send_flags::sndmore | zmq::send_flags::dontwait))
        router_.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
      ++answered_;
    } catch (const zmq::error_t& e) {
      LOG_DEBUG("standby: {}", e.what());
      return;
    }
  }
  watcher_->Kick();
}

}  // namespace concord::hub
