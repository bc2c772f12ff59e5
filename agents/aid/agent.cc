#include "agents/aid/agent.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "domain/linkage/wire.h"

namespace concord::aid {

absl::StatusOr<AgentConfig> LoadAgentConfig(const ConfigSection& aid) {
  AgentConfig c;
  c.model = aid.Path("model");
  const double cap_yuan = aid.Double("cap_yuan", 50'000);
  c.check.cap_fen = static_cast<int64_t>(cap_yuan * 100 + 0.5);
  c.check.duplicate_probability =
      aid.Double("duplicate_probability", c.check.duplicate_probability);
  c.check.possible_probability = aid.Double("possible_probability", c.check.possible_probability);
  c.status_askers = aid.Strings("status_askers");
  if (!(c.check.possible_probability > 0 &&
        c.check.possible_probability <= c.check.duplicate_probability &&
        c.check.duplicate_probability < 1 && cap_yuan > 0))
    return absl::InvalidArgumentError(absl::StrCat(
        aid.file_path(),
        ": [aid] 须 0 < possible_probability <= duplicate_probability < 1 且 cap_yuan > 0 / "
        "[aid] needs 0 < possible_probability <= duplicate_probability < 1 and cap_yuan > 0"));
  return c;
}

Agent::Agent(agent::AgentContext& context, AgentConfig config, Registry registry, Model model)
    : client_(context.client),
      clock_(context.clock),
      config_(std::move(config)),
      model_(std::move(model)),
      registry_(std::move(registry)) {}

absl::Status Agent::Handle(const v1::Envelope& env) {
  if (env.payload().Is<v1::AidCheckRequest>()) return OnCheck(env);
  if (v1::AidStatusQuery q; env.payload().UnpackTo(&q)) return OnStatusQuery(env, q);
  LOG_WARN("ignoring {} from {}", env.payload().type_url(), env.from());
  return absl::OkStatus();  // not ours: acknowledged, not retried
}

void Agent::Started() {
  LOG_INFO("aid agent up: {} grants in the registry", registry_.Count().value_or(0));
}

void Agent::AddHealth(nlohmann::json& health) { health["grants"] = registry_.Count().value_or(-1); }

void Agent::AddMetrics(std::string& out) {
  const Counters& n = counters_;
  // From the check log, so the figures survive a restart and count only
  // what was committed.
  if (auto checks = registry_.CountChecks(); checks.ok()) {
    out +=
        "# HELP concord_aid_checks_total Pre-grant checks answered, by asking agency and "
        "verdict.\n# TYPE concord_aid_checks_total counter\n";
    for (const Registry::CheckCount& c : *checks) {
      std::string verdict = absl::AsciiStrToLower(c.verdict);
      if (absl::StartsWith(verdict, "aid_")) verdict = verdict.substr(4);
      absl::StrAppend(&out, "concord_aid_checks_total{agency=\"", c.agency, "\",verdict=\"",
                      verdict, "\"} ", c.count, "\n");
    }
  }
  RenderCounter("concord_aid_registered_total", "Grants entered in the registry.", n.registered,
                out);
  RenderCounter("concord_aid_refused_total", "Malformed requests.", n.refused, out);
  RenderGauge("concord_aid_grants", "Grants in the registry.",
              static_cast<double>(registry_.Count().value_or(0)), out);
}

absl::Status Agent::Reply(const v1::Envelope& env, const google::protobuf::Message& reply) {
  return client_.Stage(client::MakeReply(env, reply)).status();
}

// One AidCheckRequest, inside the inbox transaction.
absl::Status Agent::OnCheck(const v1::Envelope& env) {
  Counters& n = counters_;
  v1::AidCheckRequest req;
  EncodedRecord grant;
  if (!env.payload().UnpackTo(&req) || !GrantFromProto(req.grant(), &grant) ||
      req.grant().record_id().empty()) {
    // A malformed request is answered, not retried forever.
    ++n.refused;
    v1::AidCheckReply bad;
    bad.set_record_id(req.grant().record_id());
    bad.set_verdict(v1::AID_VERDICT_UNSPECIFIED);
    bad.add_reasons(
        "请求无法解析（记录编号或编码缺失）/ malformed request: record id or encodings "
        "missing or of the wrong size");
    return Reply(env, bad);
  }
  grant.agency = env.from();  // the authenticated sender, never what the payload says
  ASSIGN_OR_RETURN(auto candidates, registry_.Candidates(grant, config_.check.max_block));
  v1::AidCheckReply reply = Decide(grant, candidates, model_, config_.check);
  const int64_t now = clock_.NowMs();
  ASSIGN_OR_RETURN(bool already, registry_.Has(grant.agency, grant.record_id));
  std::optional<Registry::ApprovedException> exception;
  if (req.register_() &&
      (reply.verdict() == v1::AID_CLEAR || req.approved_exception() || already)) {
    RETURN_IF_ERROR(registry_.Add(grant, now));
    reply.set_registered(true);
    if (reply.verdict() != v1::AID_CLEAR && req.approved_exception()) {
      // The leader who approved it acted through the agency's console (the
      // envelope's actor, vouched for by the agency); an adapter older than
      // the reason field sends none.
      const v1::Actor& a = env.actor();
      exception = Registry::ApprovedException{
          req.exception_reason(),
          a.login().empty() ? "" : absl::StrCat(a.role(), " ", a.name(), " (", a.login(), ")")};
      reply.add_reasons(req.exception_reason().empty()
                            ? "已按批准的例外登记 / registered as an approved exception"
                            : absl::StrCat("已按批准的例外登记，批准理由：", req.exception_reason(),
                                           " / registered as an approved exception"));
      LOG_WARN("aid grant {}/{} registered as an approved exception ({}) by {}", grant.agency,
               grant.record_id, v1::AidVerdict_Name(reply.verdict()),
               exception->approved_by.empty() ? "(no actor)" : exception->approved_by);
    }
  }
  RETURN_IF_ERROR(registry_.LogCheck(reply, grant.agency, now, exception ? &*exception : nullptr));
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
      RETURN_IF_ERROR(client_.Stage(std::move(out)).status());
    }
  }
  return Reply(env, reply);
}

// A plan's aid task: is the grant registered, and for this case?
absl::Status Agent::OnStatusQuery(const v1::Envelope& env, const v1::AidStatusQuery& q) {
  const auto& askers = config_.status_askers;
  if (std::find(askers.begin(), askers.end(), env.from()) == askers.end()) {
    LOG_WARN("AidStatusQuery from {} refused: not in [aid] status_askers", env.from());
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(v1::AidStatus status,
                   registry_.Status(q.agency(), q.record_id(),
                                    {q.case_tokens().begin(), q.case_tokens().end()}));
  // Every cross-agency query is logged (DOMAIN.md, personal information).
  LOG_INFO("aid status query by {}: {}/{} -> {}{}", env.from(), q.agency(), q.record_id(),
           v1::AidVerdict_Name(status.verdict()), status.same_case() ? ", same case" : "");
  return Reply(env, status);
}

absl::StatusOr<std::unique_ptr<agent::Agent>> CreateAgent(agent::AgentContext& context) {
  ASSIGN_OR_RETURN(AgentConfig config, LoadAgentConfig(context.section));
  Model model = Model::Default();
  if (!config.model.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(config.model));
    ASSIGN_OR_RETURN(model, Model::FromText(text));
  }
  if (auto st = context.client.db().Migrate("aid", RegistryMigrations()); !st.ok())
    return absl::UnavailableError(
        absl::StrCat("数据库迁移失败 / migration failed: ", st.message()));
  ASSIGN_OR_RETURN(Registry registry, Registry::Open(context.client.db()));
  return std::make_unique<Agent>(context, std::move(config), std::move(registry), std::move(model));
}

}  // namespace concord::aid
