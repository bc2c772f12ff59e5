// concord-aid-agent: the shared judicial-aid registry and the pre-grant
// duplicate check (registry.h). It is an ordinary bus client: requests arrive
// as AidCheckRequest deliveries, and each is answered, registered, logged and
// notified in the one transaction that records it in the inbox.
//
//   concord-aid-agent --config aid.toml [--ready-file FILE]
//
// It never holds the linkage key and never sees a name, ID number, phone or
// address: only the keyed encodings the adapters send.
#include <boost/asio/io_context.hpp>
#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "agents/aid/registry.h"
#include "domain/linkage/wire.h"
#include "concord/v1/aid.pb.h"
#include "concord/v1/envelope.pb.h"
#include "hub/client/agent_process.h"
#include "hub/client/client_config.h"
#include "common/clock.h"
#include "common/files.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/status_macros.h"

namespace concord::aid {
namespace {

struct Counters {
  uint64_t checks = 0, clear = 0, possible = 0, duplicate = 0, registered = 0, refused = 0;
};

// One AidCheckRequest, inside the inbox transaction.
absl::Status HandleCheck(client::Client& client, Registry& registry, const Model& model,
                         const CheckConfig& cfg, const v1::Envelope& env, Counters& n) {
  v1::AidCheckRequest req;
  EncodedRecord grant;
  if (!env.payload().UnpackTo(&req) || !GrantFromProto(req.grant(), &grant) ||
      req.grant().record_id().empty()) {
    // A malformed request is answered, not retried forever.
    ++n.refused;
    v1::AidCheckReply bad;
    bad.set_record_id(req.grant().record_id());
    bad.set_verdict(v1::AID_VERDICT_UNSPECIFIED);
    bad.add_reasons("请求无法解析（记录编号或编码缺失）/ malformed request: record id or encodings "
                    "missing or of the wrong size");
    v1::Envelope out = client::MakeEnvelope({env.from()}, bad);
    out.set_correlation_id(env.id());
    return client.Stage(std::move(out)).status();
  }
  grant.agency = env.from();  // the authenticated sender, never what the payload says
  ASSIGN_OR_RETURN(auto candidates, registry.Candidates(grant, cfg.max_block));
  v1::AidCheckReply reply = Decide(grant, candidates, model, cfg);
  const int64_t now = SystemClock::Get().NowMs();
  ASSIGN_OR_RETURN(bool already, registry.Has(grant.agency, grant.record_id));
  if (req.register_() && (reply.verdict() == v1::AID_CLEAR || req.approved_exception() || already)) {
    RETURN_IF_ERROR(registry.Add(grant, now));
    reply.set_registered(true);
    if (reply.verdict() != v1::AID_CLEAR && req.approved_exception())
      reply.add_reasons("已按批准的例外登记 / registered as an approved exception");
  }
  RETURN_IF_ERROR(registry.LogCheck(reply, grant.agency, now));
  ++n.checks;
  ++(reply.verdict() == v1::AID_CLEAR      ? n.clear
     : reply.verdict() == v1::AID_DUPLICATE ? n.duplicate
                                            : n.possible);
  n.registered += reply.registered();

  // The other granting agencies hear of it too.
  if (reply.verdict() != v1::AID_CLEAR) {
    for (const auto& m : reply.matches()) {
      if (!m.same_case() || m.agency() == grant.agency) continue;
      v1::AidDuplicateNotice notice;
      notice.set_your_record_id(m.record_id());
      notice.set_other_agency(grant.agency);
      notice.set_other_record_id(grant.record_id);
      notice.set_verdict(reply.verdict());
      notice.set_probability(m.probability());
      for (const auto& r : m.reasons()) notice.add_reasons(r);
      notice.set_other_registered(reply.registered());
      v1::Envelope out = client::MakeEnvelope({m.agency()}, notice);
      out.set_correlation_id(env.id());
      RETURN_IF_ERROR(client.Stage(std::move(out)).status());
    }
  }
  v1::Envelope out = client::MakeEnvelope({env.from()}, reply);
  out.set_correlation_id(env.id());
  return client.Stage(std::move(out)).status();
}

absl::StatusOr<Model> LoadModel(const std::string& path) {
  if (path.empty()) return Model::Default();
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return Model::FromText(text);
}

}  // namespace
}  // namespace concord::aid

int main(int argc, char** argv) {
  using namespace concord;
  int exit_code = 0;
  const auto args = client::ParseAgentArgs(
      argc, argv, "concord-aid-agent: 司法救助登记与查重 / judicial aid registry and duplicate check", &exit_code);
  if (!args) return exit_code;
  InitLogging("aid-agent");

  auto config = client::LoadProcessConfig(args->config_path, "aid.db");
  if (!config.ok()) return client::ExitWith(config.status(), 2);
  auto model = aid::LoadModel(config->aid.model);
  if (!model.ok()) return client::ExitWith(model.status(), 2);
  aid::CheckConfig cfg;
  cfg.cap_fen = static_cast<int64_t>(config->aid.cap_yuan * 100 + 0.5);
  cfg.duplicate_probability = config->aid.duplicate_probability;
  cfg.possible_probability = config->aid.possible_probability;

  boost::asio::io_context io;
  auto client = client::Client::Create(io, config->client);
  if (!client.ok()) return client::ExitWith(client.status(), 1, "启动失败 / cannot start: ");
  if (auto st = (*client)->db().Migrate("aid", aid::RegistryMigrations()); !st.ok())
    return client::ExitWith(st, 1, "数据库迁移失败 / migration failed: ");
  auto registry = aid::Registry::Open((*client)->db());
  if (!registry.ok()) return client::ExitWith(registry.status(), 1);
  aid::Counters counters;
  client::Client& c = **client;
  c.OnMessage([&](const v1::Envelope& env, sqlite::Db&) -> absl::Status {
    if (env.payload().Is<v1::AidCheckRequest>())
      return aid::HandleCheck(c, *registry, *model, cfg, env, counters);
    if (v1::AidStatusQuery q; env.payload().UnpackTo(&q)) {  // a plan's aid task
      const auto& askers = config->aid.status_askers;
      if (std::find(askers.begin(), askers.end(), env.from()) == askers.end()) {
        LOG_WARN("AidStatusQuery from {} refused: not in [aid] status_askers", env.from());
        return absl::OkStatus();
      }
      ASSIGN_OR_RETURN(v1::AidStatus status,
                       registry->Status(q.agency(), q.record_id(), {q.case_tokens().begin(), q.case_tokens().end()}));
      // Every cross-agency query is logged (DOMAIN.md, personal information).
      LOG_INFO("aid status query by {}: {}/{} -> {}{}", env.from(), q.agency(), q.record_id(),
               v1::AidVerdict_Name(status.verdict()), status.same_case() ? ", same case" : "");
      v1::Envelope out = client::MakeEnvelope({env.from()}, status);
      out.set_correlation_id(env.id());
      return c.Stage(std::move(out)).status();
    }
    LOG_WARN("ignoring {} from {}", env.payload().type_url(), env.from());
    return absl::OkStatus();  // not ours: acknowledged, not retried
  });

  return client::ServeUntilSignal(io, c, *config, args->ready_file, [&](const HttpRequest& req) {
    HttpResponse r;
    if (req.Path() == "/health") {
      const auto s = c.stats();
      r.body = absl::StrCat("{\"connected\": ", s.connected ? "true" : "false",
                            ", \"grants\": ", registry->Count().value_or(-1), "}\n");
      r.content_type = "application/json";
    } else if (req.Path() == "/metrics") {
      std::string out;
      RenderCounter("concord_aid_checks_total", "Pre-grant checks answered.", counters.checks, out);
      RenderCounter("concord_aid_clear_total", "Checks answered clear.", counters.clear, out);
      RenderCounter("concord_aid_possible_total", "Checks answered possible duplicate.",
                    counters.possible, out);
      RenderCounter("concord_aid_duplicate_total", "Checks answered duplicate.", counters.duplicate,
                    out);
      RenderCounter("concord_aid_registered_total", "Grants entered in the registry.",
                    counters.registered, out);
      RenderCounter("concord_aid_refused_total", "Malformed requests.", counters.refused, out);
      RenderGauge("concord_aid_grants", "Grants in the registry.",
                  static_cast<double>(registry->Count().value_or(0)), out);
      r.body = std::move(out);
      r.content_type = "text/plain; version=0.0.4";
    } else {
      r = client::NotFoundResponse();
    }
    return r;
  }, [&] { LOG_INFO("aid agent up: {} grants in the registry", registry->Count().value_or(0)); });
}
