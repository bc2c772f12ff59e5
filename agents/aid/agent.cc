#include "agents/aid/agent.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/files.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "concord/v1/petition.pb.h"
#include "domain/linkage/wire.h"

namespace concord::aid {

namespace {

// Whether the agency of match `m` hears of a check of `grant` that was not
// clear: another agency's grant of the same case, or of a case nothing ties
// or separates; a case unknown raised the verdict only for the same kind of aid.
bool Notifies(const v1::AidMatch& m, const EncodedRecord& grant) {
  if (m.case_relation() == v1::CASE_OTHER || m.agency() == grant.agency) return false;
  return m.case_relation() != v1::CASE_UNKNOWN || FromProto(m.aid_type()) == grant.aid_type;
}

std::string ActorText(const v1::Actor& a) {
  return a.login().empty() ? "" : absl::StrCat(a.role(), " ", a.name(), " (", a.login(), ")");
}

constexpr size_t kMaxChangeReasonBytes = 1500;  // about 500 Chinese characters

}  // namespace

absl::StatusOr<AgentConfig> LoadAgentConfig(const ConfigSection& aid) {
  AgentConfig c;
  c.model = aid.Path("model");
  // The cap: 36 months of the province's average wage of the year before
  // ([aid.wages], domain/aid_rules.h), or a lower local cap ([aid] cap_yuan).
  const double cap_yuan = aid.Double("cap_yuan", 0);
  c.check.local_cap_fen = static_cast<int64_t>(cap_yuan * 100 + 0.5);
  const ConfigSection wages = aid["wages"];
  for (const std::string& key : wages.Keys()) {
    int year = 0;
    const double yuan = wages.Double(key, -1);
    if (!absl::SimpleAtoi(key, &year) || year < 2000 || year > 2100 || !(yuan > 0))
      return absl::InvalidArgumentError(absl::StrCat(
          aid.file_path(), ": [aid.wages] \"", key,
          "\": 须为年份 = 月平均工资（元，大于 0）/ must be year = average monthly wage in yuan"));
    c.check.wages.Set(year, static_cast<int64_t>(yuan * 100 + 0.5));
  }
  c.payment_working_days = aid.Int("payment_working_days", 2);
  if (c.payment_working_days < 1 || c.payment_working_days > 30)
    return absl::InvalidArgumentError(
        absl::StrCat(aid.file_path(), ": [aid] payment_working_days 须为 1-30 / must be 1-30"));
  if (c.check.wages.empty() && c.check.local_cap_fen == 0)
    return absl::InvalidArgumentError(
        absl::StrCat(aid.file_path(),
                     ": [aid.wages] 缺少全省职工月平均工资表（救助上限为上一年度月平均工资的 36 "
                     "倍）/ the province's average monthly wage per year is needed for the cap"));
  if (c.check.wages.empty())
    LOG_WARN(
        "{}: [aid.wages] 未配置，仅按地方限额 cap_yuan 核上限 / no wage table: only the local cap "
        "is checked",
        aid.file_path());
  c.check.duplicate_probability =
      aid.Double("duplicate_probability", c.check.duplicate_probability);
  c.check.possible_probability = aid.Double("possible_probability", c.check.possible_probability);
  c.status_askers = aid.Strings("status_askers");
  c.province = aid.String("province");
  c.calendar = aid.Path("calendar");
  c.supervisors = aid.Strings("supervisors");
  c.scan_seconds = aid.Int("scan_seconds", 60);
  if (c.scan_seconds < 1)
    return absl::InvalidArgumentError(
        absl::StrCat(aid.file_path(), ": [aid] scan_seconds 须为正数 / must be positive"));
  if (!(c.check.possible_probability > 0 &&
        c.check.possible_probability <= c.check.duplicate_probability &&
        c.check.duplicate_probability < 1 && cap_yuan >= 0))
    return absl::InvalidArgumentError(absl::StrCat(
        aid.file_path(),
        ": [aid] 须 0 < possible_probability <= duplicate_probability < 1 且 cap_yuan >= 0 / "
        "[aid] needs 0 < possible_probability <= duplicate_probability < 1 and cap_yuan >= 0"));
  return c;
}

Agent::Agent(agent::AgentContext& context, AgentConfig config, Registry registry, Model model,
             HolidayCalendar calendar, CaseLinks links)
    : client_(context.client),
      clock_(context.clock),
      config_(std::move(config)),
      model_(std::move(model)),
      registry_(std::move(registry)),
      links_(std::move(links)),
      applications_(context.client.db(), std::move(calendar), config_.payment_working_days),
      scan_(context.io, std::chrono::seconds(config_.scan_seconds), [this] { ScanNow(); }) {}

absl::Status Agent::Handle(const v1::Envelope& env) {
  // The judged links follow the key the database runs on: after a switch
  // whose transaction rolled back, they are read again.
  ASSIGN_OR_RETURN(keys_, registry_.LoadKeys());  // once per message; the handlers read keys_
  if (keys_.active != links_key_) {
    CaseLinks fresh;
    RETURN_IF_ERROR(registry_.LoadLinks(&fresh));
    links_ = std::move(fresh);
    links_key_ = keys_.active;
  }
  if (env.payload().Is<v1::AidCheckRequest>()) return OnCheck(env);
  if (v1::AidApplicationStep s; env.payload().UnpackTo(&s)) return OnStep(env, s);
  if (v1::AidStatusQuery q; env.payload().UnpackTo(&q)) return OnStatusQuery(env, q);
  if (v1::AidCaseLinks l; env.payload().UnpackTo(&l)) return OnCaseLinks(env, l);
  if (v1::AidGrantChange c; env.payload().UnpackTo(&c)) return OnChange(env, c);
  if (v1::AidRekey k; env.payload().UnpackTo(&k)) return OnRekey(env, k);
  LOG_WARN("ignoring {} from {}", env.payload().type_url(), env.from());
  return absl::OkStatus();  // not ours: acknowledged, not retried
}

void Agent::Started() {
  LOG_INFO("aid agent up: {} grants in the registry, {} case links", registry_.Count().value_or(0),
           links_.links());
  scan_.Start();
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
  KeyedGrant keyed;
  std::string why;
  const bool unpacked = env.payload().UnpackTo(&req);
  if (unpacked) {
    ASSIGN_OR_RETURN(bool usable,
                     PickKey(req.grant(), req.has_next_encoding() ? &req.next_encoding() : nullptr,
                             &keyed, &why));
    if (!usable) {
      ++n.refused;
      v1::AidCheckReply refused;
      refused.set_record_id(req.grant().record_id());
      refused.set_verdict(v1::AID_VERDICT_UNSPECIFIED);
      refused.add_reasons(why);
      LOG_WARN("aid check {}/{} refused: {}", env.from(), req.grant().record_id(), why);
      return Reply(env, refused);
    }
  }
  if (!unpacked || !GrantFromProto(keyed.judged, &grant) || req.grant().record_id().empty()) {
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
  v1::AidCheckReply reply = Decide(grant, candidates, model_, config_.check, &links_);
  const int64_t now = clock_.NowMs();
  ASSIGN_OR_RETURN(bool already, registry_.Has(grant.agency, grant.record_id));
  std::optional<Registry::ApprovedException> exception;
  if (req.register_() &&
      (reply.verdict() == v1::AID_CLEAR || req.approved_exception() || already)) {
    RETURN_IF_ERROR(registry_.Add(grant, now));
    if (!already) RETURN_IF_ERROR(StageNext(keyed, grant));  // a re-sent one is staged already
    reply.set_registered(true);
    if (reply.verdict() != v1::AID_CLEAR && req.approved_exception()) {
      // The leader who approved it acted through the agency's console (the
      // envelope's actor, vouched for by the agency); an adapter older than
      // the reason field sends none.
      exception = Registry::ApprovedException{req.exception_reason(), ActorText(env.actor())};
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
      if (!Notifies(m, grant)) continue;
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

absl::Status Agent::OnCaseLinks(const v1::Envelope& env, const v1::AidCaseLinks& m) {
  v1::AidCaseLinksReply reply;
  const int64_t now = clock_.NowMs();
  // Links under the active key are judged on at once; under a key being
  // rotated to, staged for the switch; under a retired key, refused.
  const Registry::Keys& keys = keys_;  // read by Handle()
  const std::string& key = m.key_id();
  bool staged = false;
  if ((key.empty() && !keys.retired.empty()) || keys.retired.contains(key)) {
    reply.add_errors(
        "案号关联的编码所用比对密钥已停用（密钥已轮换），请把新密钥设为 [aid] linkage_key 后重发 / "
        "the links were made with a retired linkage key: make the new key [aid] linkage_key "
        "and send them again");
    return Reply(env, reply);
  }
  if (!key.empty() && keys.active.empty()) {
    RETURN_IF_ERROR(registry_.Activate(key, now));
  } else if (!key.empty() && key != keys.active) {
    staged = true;
  }
  std::vector<const v1::AidCaseLink*> good;
  for (int i = 0; i < m.links_size(); ++i) {
    const v1::AidCaseLink& l = m.links(i);
    if (l.case_token_a().size() != kTokenBytes || l.case_token_b().size() != kTokenBytes ||
        l.case_token_a() == l.case_token_b()) {
      reply.add_errors(absl::StrCat("第 ", i + 1, " 条关联：须为两个不同案号的编码 / link ", i + 1,
                                    ": two tokens of different numbers expected"));
      continue;
    }
    if (staged) {
      RETURN_IF_ERROR(
          registry_.StageLink(key, l.case_token_a(), l.case_token_b(), env.from(), now));
      reply.set_received(reply.received() + 1);
      continue;
    }
    RETURN_IF_ERROR(
        registry_.AddLink(l.case_token_a(), l.case_token_b(), env.from(), now).status());
    good.push_back(&l);
  }
  // Into the judged links once the database has them all (only staging the
  // reply can still fail after this; the message then comes again with the
  // same links).
  for (const v1::AidCaseLink* l : good) {
    reply.set_received(reply.received() + 1);
    if (links_.Link(l->case_token_a(), l->case_token_b())) reply.set_joined(reply.joined() + 1);
  }
  LOG_INFO("{} case links from {}: {} joined two cases, {} refused", reply.received(), env.from(),
           reply.joined(), reply.errors_size());
  return Reply(env, reply);
}

absl::Status Agent::OnChange(const v1::Envelope& env, const v1::AidGrantChange& ch) {
  v1::AidGrantChangeReply reply;
  reply.set_record_id(ch.record_id());
  reply.set_kind(ch.kind());
  const bool withdraw = ch.kind() == v1::AID_WITHDRAWN;
  auto refused = [&](const std::string& why) {
    reply.set_ok(false);
    reply.set_error(why);
    LOG_INFO("aid grant change {}/{} refused: {}", env.from(), ch.record_id(), why);
    return Reply(env, reply);
  };
  if (ch.record_id().empty()) return refused("缺少记录编号 / record_id is missing");
  if (ch.kind() != v1::AID_CORRECTED && !withdraw)
    return refused("变更须为更正或撤销 / kind must be AID_CORRECTED or AID_WITHDRAWN");
  const std::string reason(absl::StripAsciiWhitespace(ch.reason()));
  if (reason.empty()) return refused("须写明更正或撤销的理由 / the reason is required");
  if (reason.size() > kMaxChangeReasonBytes)
    return refused("理由过长（不超过 500 字）/ the reason is too long");
  EncodedRecord corrected;
  KeyedGrant keyed;
  if (!withdraw) {
    std::string why;
    ASSIGN_OR_RETURN(
        bool usable,
        PickKey(ch.grant(), ch.has_next_encoding() ? &ch.next_encoding() : nullptr, &keyed, &why));
    if (!usable) return refused(why);
    if (!ch.has_grant() || !GrantFromProto(keyed.judged, &corrected))
      return refused(
          "更正后的记录无法解析（编码缺失或长度不对）/ the corrected grant's encodings are "
          "missing or malformed");
    if (!ch.grant().record_id().empty() && ch.grant().record_id() != ch.record_id())
      return refused("更正不能改变记录编号 / a correction keeps the record id");
    corrected.agency = env.from();  // the authenticated sender: only its own grants
    corrected.record_id = ch.record_id();
  }
  ASSIGN_OR_RETURN(std::optional<EncodedRecord> old, registry_.Load(env.from(), ch.record_id()));
  if (!old)
    return refused(absl::StrCat("本机关没有已登记的救助记录 ", ch.record_id(),
                                "（未登记的记录重新提交查重即可）/ no registered grant ",
                                ch.record_id(),
                                " of this agency: an unregistered one is submitted again"));
  const int64_t now = clock_.NowMs();
  // Whom the grant matched before the change.
  ASSIGN_OR_RETURN(auto before_candidates, registry_.Candidates(*old, config_.check.max_block));
  const v1::AidCheckReply before = Decide(*old, before_candidates, model_, config_.check, &links_);
  std::map<std::pair<std::string, std::string>, v1::AidDuplicateNotice> notices;
  auto notice_for = [&](const v1::AidMatch& m) -> v1::AidDuplicateNotice& {
    v1::AidDuplicateNotice& n = notices[{m.agency(), m.record_id()}];
    n.set_your_record_id(m.record_id());
    n.set_other_agency(env.from());
    n.set_other_record_id(ch.record_id());
    n.set_probability(m.probability());
    n.set_change(ch.kind());
    n.set_change_reason(reason);
    return n;
  };
  if (before.verdict() != v1::AID_CLEAR)
    for (const auto& m : before.matches()) {
      if (!Notifies(m, *old)) continue;
      v1::AidDuplicateNotice& n = notice_for(m);
      n.set_verdict(v1::AID_CLEAR);  // unless the corrected grant still matches (below)
      n.add_reasons(withdraw ? "对方已撤销其救助登记，此前的比对不再成立 / the other agency "
                               "withdrew its grant: the earlier match no longer counts"
                             : "对方更正救助登记后，与贵单位的记录不再匹配 / after the other "
                               "agency's correction its grant no longer matches yours");
    }
  Registry::Change change{.agency = env.from(),
                          .record_id = ch.record_id(),
                          .kind = ch.kind(),
                          .reason = reason,
                          .actor = ActorText(env.actor()),
                          .verdict = "",
                          .notified = "",
                          .at_ms = now};
  if (withdraw) {
    RETURN_IF_ERROR(registry_.Remove(env.from(), ch.record_id()));
    RETURN_IF_ERROR(registry_.Unstage(env.from(), ch.record_id()));
    // It may have been the last grant a key rotation waited for.
    ASSIGN_OR_RETURN(std::vector<std::string> staged_keys, registry_.StagedKeys());
    for (const std::string& key : staged_keys) {
      if (key.size() != kTokenBytes) continue;
      ASSIGN_OR_RETURN(bool rotated, TryRotate(key, nullptr));
      if (rotated) break;
    }
  } else {
    RETURN_IF_ERROR(registry_.Replace(corrected, now));
    if (keyed.staged) {
      RETURN_IF_ERROR(StageNext(keyed, corrected));
      // It may have been the last grant a key rotation waited for.
      RETURN_IF_ERROR(TryRotate(keyed.staged->key_id(), nullptr).status());
    } else {
      // Anything staged before is the uncorrected grant: re-keyed again later.
      RETURN_IF_ERROR(registry_.Unstage(env.from(), ch.record_id()));
    }
    ASSIGN_OR_RETURN(auto candidates, registry_.Candidates(corrected, config_.check.max_block));
    v1::AidCheckReply check = Decide(corrected, candidates, model_, config_.check, &links_);
    check.set_registered(true);  // a correction changes the registered grant; it stays
    check.add_reasons(absl::StrCat("已更正登记，理由：", reason, " / corrected"));
    RETURN_IF_ERROR(registry_.LogCheck(check, env.from(), now));
    if (check.verdict() != v1::AID_CLEAR)
      for (const auto& m : check.matches()) {
        if (!Notifies(m, corrected)) continue;
        v1::AidDuplicateNotice& n = notice_for(m);
        n.clear_reasons();
        n.set_verdict(check.verdict());
        for (const auto& r : m.reasons()) n.add_reasons(r);
        n.add_reasons(
            "对方已更正其救助登记，以上为更正后的比对 / the other agency corrected its "
            "grant: this is the match after the correction");
        n.set_other_registered(true);
      }
    change.verdict = v1::AidVerdict_Name(check.verdict());
    *reply.mutable_check() = std::move(check);
  }
  std::set<std::string> told;
  for (auto& [key, n] : notices) {
    n.add_reasons(absl::StrCat(withdraw ? "撤销理由：" : "更正理由：", reason, " / reason"));
    v1::Envelope out = client::MakeEnvelope({key.first}, n);
    out.set_correlation_id(env.id());
    RETURN_IF_ERROR(client_.Stage(std::move(out)).status());
    told.insert(key.first);
  }
  for (const auto& a : told) reply.add_notified(a);
  change.notified = absl::StrJoin(told, ",");
  RETURN_IF_ERROR(registry_.LogChange(change, now));
  reply.set_ok(true);
  LOG_INFO("aid grant {}/{} {} by {}: {} agencies told", env.from(), ch.record_id(),
           withdraw ? "withdrawn" : "corrected", change.actor.empty() ? "(no actor)" : change.actor,
           told.size());
  return Reply(env, reply);
}

absl::StatusOr<bool> Agent::PickKey(const v1::AidGrant& grant, const v1::AidEncoding* next,
                                    KeyedGrant* out, std::string* why) {
  const Registry::Keys& keys = keys_;  // read by Handle()
  const std::string& current = grant.encoding().key_id();
  EncodedRecord check;
  const bool has_next = next && next->key_id().size() == kTokenBytes && next->key_id() != current &&
                        !keys.retired.contains(next->key_id()) && FromProto(*next, &check);
  out->judged = grant;
  out->staged = nullptr;
  if (keys.active.empty()) {
    // The first keyed request names the key the registry runs on.
    if (!current.empty()) RETURN_IF_ERROR(registry_.Activate(current, clock_.NowMs()));
    if (has_next) out->staged = next;
    return true;
  }
  // An adapter older than key rotation sends no key id: the registry's key,
  // as long as none was ever rotated out.
  if (current == keys.active || (current.empty() && keys.retired.empty())) {
    if (has_next && next->key_id() != keys.active) out->staged = next;
    return true;
  }
  if (has_next && next->key_id() == keys.active) {  // switched; the adapter still lists the old key
    *out->judged.mutable_encoding() = *next;
    return true;
  }
  *why = keys.retired.contains(current)
             ? "本机关的比对密钥已停用（密钥已轮换），请把新密钥设为 [aid] linkage_key / the "
               "agency's linkage key was rotated out: make the new key [aid] linkage_key"
             : "本机关的比对密钥不是平台正在使用的密钥（新密钥尚未启用）：切换完成前请保留原密钥为 "
               "linkage_key、新密钥为 linkage_key_next / the agency's key is not the one the "
               "registry runs on: keep the current key as linkage_key and the new one as "
               "linkage_key_next until the switch";
  return false;
}

absl::Status Agent::StageNext(const KeyedGrant& keyed, const EncodedRecord& grant) {
  if (!keyed.staged) return absl::OkStatus();
  return registry_.Stage(keyed.staged->key_id(), grant.agency, grant.record_id, *keyed.staged);
}

absl::StatusOr<bool> Agent::TryRotate(const std::string& key, v1::AidRekeyReply* reply) {
  ASSIGN_OR_RETURN(Registry::Missing missing, registry_.MissingUnder(key));
  if (reply) {
    reply->set_missing(static_cast<uint64_t>(missing.total));
    for (const auto& [agency, count] : missing.by_agency)
      reply->add_missing_by_agency(absl::StrCat(agency, ": ", count));
    for (const auto& agency : missing.link_agencies)
      reply->add_missing_by_agency(absl::StrCat(agency, ": 案号关联 / case links"));
  }
  if (!missing.done()) return false;
  RETURN_IF_ERROR(registry_.Rotate(key, clock_.NowMs()));
  // Every granting agency hears that the registry runs on the new key (the
  // one whose batch completed it also gets its own reply).
  ASSIGN_OR_RETURN(std::vector<std::string> agencies, registry_.Agencies());
  for (const std::string& agency : agencies) {
    v1::AidRekeyReply done;
    done.set_key_id(key);
    done.set_active(true);
    RETURN_IF_ERROR(client_.Stage(client::MakeEnvelope({agency}, done)).status());
  }
  // The judged links are the new key's. Should the transaction roll back,
  // Handle() reads them again from the database.
  CaseLinks fresh;
  RETURN_IF_ERROR(registry_.LoadLinks(&fresh));
  links_ = std::move(fresh);
  links_key_ = key;
  LOG_WARN(
      "比对密钥已切换 / the registry now runs on the new linkage key: {} grants, {} case links",
      registry_.Count().value_or(-1), links_.links());
  return true;
}

absl::Status Agent::OnRekey(const v1::Envelope& env, const v1::AidRekey& m) {
  v1::AidRekeyReply reply;
  reply.set_key_id(m.key_id());
  const std::string& key = m.key_id();
  const Registry::Keys& keys = keys_;  // read by Handle()
  if (key.size() != kTokenBytes || keys.retired.contains(key)) {
    reply.add_errors(
        key.size() != kTokenBytes
            ? "缺少新密钥的标识 / key_id is missing or malformed"
            : "该密钥已停用，不能再换回；请用 concordctl aid keygen 另生成新密钥 / that key "
              "was retired: make a new one with concordctl aid keygen");
    return Reply(env, reply);
  }
  const bool active = key == keys.active;  // late: the switch happened; still welcome
  const int64_t now = clock_.NowMs();
  for (int i = 0; i < m.grants_size(); ++i) {
    const v1::AidGrant& g = m.grants(i);
    EncodedRecord e;
    if (g.record_id().empty() || !GrantFromProto(g, &e) ||
        (!g.encoding().key_id().empty() && g.encoding().key_id() != key)) {
      reply.add_errors(absl::StrCat("第 ", i + 1, " 笔：编码无法解析或不是新密钥的 / grant ", i + 1,
                                    ": malformed, or not under the new key"));
      continue;
    }
    ASSIGN_OR_RETURN(bool registered, registry_.Has(env.from(), g.record_id()));
    if (!registered) {
      reply.set_unknown(reply.unknown() + 1);
      continue;
    }
    if (active) {
      e.agency = env.from();
      e.record_id = g.record_id();
      ASSIGN_OR_RETURN(std::optional<EncodedRecord> old, registry_.Load(env.from(), g.record_id()));
      e.aid_type = old->aid_type;  // only the encoding is re-sent
      e.amount_fen = old->amount_fen;
      e.granted_on = old->granted_on;
      RETURN_IF_ERROR(registry_.Replace(e, now));
    } else {
      RETURN_IF_ERROR(registry_.Stage(key, env.from(), g.record_id(), g.encoding()));
    }
    reply.set_staged(reply.staged() + 1);
  }
  for (const v1::AidCaseLink& l : m.links()) {
    if (l.case_token_a().size() != kTokenBytes || l.case_token_b().size() != kTokenBytes ||
        l.case_token_a() == l.case_token_b())
      continue;
    if (active) {
      RETURN_IF_ERROR(
          registry_.AddLink(l.case_token_a(), l.case_token_b(), env.from(), now).status());
      links_.Link(l.case_token_a(), l.case_token_b());
    } else {
      RETURN_IF_ERROR(
          registry_.StageLink(key, l.case_token_a(), l.case_token_b(), env.from(), now));
    }
    reply.set_links(reply.links() + 1);
  }
  if (active) {
    reply.set_active(true);
  } else {
    ASSIGN_OR_RETURN(bool rotated, TryRotate(key, &reply));
    reply.set_active(rotated);
  }
  LOG_INFO("rekey from {}: {} grants staged, {} unknown, {} links; {} grants still missing{}",
           env.from(), reply.staged(), reply.unknown(), reply.links(), reply.missing(),
           reply.active() ? "; the new key is active" : "");
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

absl::Status Agent::OnStep(const v1::Envelope& env, const v1::AidApplicationStep& st) {
  v1::AidApplicationReply reply;
  reply.set_application_id(st.application_id());
  reply.set_action(st.action());
  const int64_t now = clock_.NowMs();
  auto refused = [&](const absl::Status& why) {
    reply.set_ok(false);
    reply.set_error(std::string(why.message()));
    LOG_INFO("aid application {}/{} {} refused: {}", env.from(), st.application_id(), st.action(),
             std::string(why.message()));
    return Reply(env, reply);
  };
  const auto action = AppActionFromName(st.action());
  if (!action)
    return refused(absl::InvalidArgumentError(
        absl::StrCat("未知的救助步骤「", st.action(), "」/ unknown step")));
  StepInput in;
  in.agency = env.from();  // the authenticated sender
  in.application_id = st.application_id();
  in.action = *action;
  in.at_ms = st.at_ms();
  in.complete = st.complete();
  in.applicants = st.applicants() ? st.applicants() : 1;
  in.deceased_victim = st.deceased_victim();
  in.amount_fen = st.amount_fen();
  in.ground = st.ground();
  in.grounds = st.grounds();
  in.missing = {st.missing().begin(), st.missing().end()};
  if (const v1::Actor& a = env.actor(); !a.login().empty()) {
    in.actor = absl::StrCat(a.role(), " ", a.name(), " (", a.login(), ")");
    in.actor_name = a.name();
  }

  // A grant or an advance is money going out: checked like an
  // AidCheckRequest, under the application's number. An application may
  // carry the encoding too: checked only, for the clerk to see.
  const bool decides = *action == AppAction::kGrant || *action == AppAction::kAdvance;
  EncodedRecord grant;
  const bool has_grant = st.has_grant();
  KeyedGrant keyed;
  if (has_grant) {
    std::string why;
    ASSIGN_OR_RETURN(
        bool usable,
        PickKey(st.grant(), st.has_next_encoding() ? &st.next_encoding() : nullptr, &keyed, &why));
    if (!usable) return refused(absl::FailedPreconditionError(why));
  }
  if (has_grant && !GrantFromProto(keyed.judged, &grant))
    return refused(
        absl::InvalidArgumentError("查重编码无法解析 / the grant's encodings are malformed"));
  if (decides && !has_grant)
    return refused(absl::InvalidArgumentError(
        "救助决定须附受助人的查重编码（由本机关适配器生成）/ a grant carries the grantee's "
        "encodings, made by the agency's adapter"));
  std::optional<v1::AidCheckReply> check;
  std::optional<Registry::ApprovedException> exception;
  absl::Status step_refused;  // replied after the savepoint, which would take the reply along
  {
    sql::Savepoint sp(client_.db());  // the step and its grant, or neither
    auto to = applications_.Step(in, now);
    if (!to.ok()) {
      if (agent::ShouldRetry(to.status())) return to.status();
      step_refused = to.status();
    }
    if (step_refused.ok() && has_grant) {
      grant.agency = env.from();
      grant.record_id = st.application_id();
      if (decides) grant.amount_fen = st.amount_fen();
      ASSIGN_OR_RETURN(auto candidates, registry_.Candidates(grant, config_.check.max_block));
      check = Decide(grant, candidates, model_, config_.check, &links_);
      const bool approved = st.approved_exception() && !st.exception_reason().empty();
      // Not clear and not approved: the savepoint is not released, so
      // leaving the scope undoes the step.
      if (decides && (check->verdict() == v1::AID_CLEAR || approved)) {
        ASSIGN_OR_RETURN(bool already, registry_.Has(grant.agency, grant.record_id));
        if (already) {
          RETURN_IF_ERROR(registry_.SetAmount(grant.agency, grant.record_id, grant.amount_fen));
        } else {
          RETURN_IF_ERROR(registry_.Add(grant, now));
          RETURN_IF_ERROR(StageNext(keyed, grant));
        }
        check->set_registered(true);
        if (check->verdict() != v1::AID_CLEAR) {
          exception = Registry::ApprovedException{st.exception_reason(), in.actor};
          check->add_reasons(absl::StrCat("已按特别审批登记，理由：", st.exception_reason(),
                                          " / registered with special approval"));
        }
      }
    }
    if (step_refused.ok() && (!decides || (check && check->registered()))) {
      reply.set_ok(true);
      reply.set_status(AppStatusName(*to));
      RETURN_IF_ERROR(sp.Release());
    }
  }
  if (!step_refused.ok()) return refused(step_refused);
  if (check) {
    RETURN_IF_ERROR(registry_.LogCheck(*check, env.from(), now, exception ? &*exception : nullptr));
    *reply.mutable_check() = *check;
  }
  if (!reply.ok()) {
    const char* label = check->verdict() == v1::AID_OVER_CAP    ? "超出上限，须特别审批"
                        : check->verdict() == v1::AID_DUPLICATE ? "重复救助"
                                                                : "疑似重复，须核实";
    return refused(absl::FailedPreconditionError(
        absl::StrCat("查重未通过（", label, "），未作决定 / the check did not pass (",
                     v1::AidVerdict_Name(check->verdict()), "): nothing was decided")));
  }
  ASSIGN_OR_RETURN(auto deadlines, applications_.Deadlines(env.from(), st.application_id()));
  for (auto& d : deadlines) *reply.add_deadlines() = std::move(d);
  LOG_INFO("aid application {}/{}: {} -> {}", env.from(), st.application_id(), st.action(),
           reply.status());
  return Reply(env, reply);
}

void Agent::ScanNow() {
  calendar_.ReloadIfChanged(client_.db(), [this](HolidayCalendar calendar) {
    return applications_.Recount(std::move(calendar), clock_.NowMs());
  });
  auto txn = sql::Txn::Begin(client_.db());
  if (!txn.ok()) return;
  for (const AppAlert& a : applications_.Scan(clock_.NowMs())) {
    v1::DeadlineAlert out;
    out.set_ledger_no(a.application_id);
    out.set_rule(a.rule);
    out.set_kind(a.kind == AppAlert::kWarning   ? "warning"
                 : a.kind == AppAlert::kOverdue ? "overdue"
                                                : "escalation");
    out.set_due_ms(a.due_ms);
    out.set_text(a.text);
    out.set_agency(a.agency);
    out.set_handler(a.handler);
    // The committee coordinates judicial aid: every escalation goes to it.
    (void)agent::StageDeadlineAlert(client_, out, config_.supervisors);
    ++alerts_;
  }
  if (txn->Commit().ok()) client_.Flush();
}

absl::StatusOr<std::unique_ptr<agent::Agent>> CreateAgent(agent::AgentContext& context) {
  ASSIGN_OR_RETURN(AgentConfig config, LoadAgentConfig(context.section));
  Model model = Model::Default();
  if (!config.model.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(config.model));
    ASSIGN_OR_RETURN(model, Model::FromText(text));
  }
  struct Component {
    const char* name;
    const std::vector<std::string>& sqlite;
    const std::vector<std::string>& postgresql;
  };
  for (const Component& c :
       {Component{"aid", RegistryMigrations(), RegistryPostgresqlMigrations()},
        Component{"aid_applications", ApplicationMigrations(), ApplicationPostgresqlMigrations()}})
    if (auto st = context.client.db().Migrate(c.name, c.sqlite, c.postgresql); !st.ok())
      return absl::UnavailableError(
          absl::StrCat("数据库迁移失败 / migration failed: ", st.message()));
  ASSIGN_OR_RETURN(Registry registry, Registry::Open(context.client.db()));
  CaseLinks links;
  RETURN_IF_ERROR(registry.LoadLinks(&links));
  HolidayCalendar calendar;
  if (!config.calendar.empty()) {
    ASSIGN_OR_RETURN(calendar, HolidayCalendar::Load(config.calendar));
  } else {
    LOG_WARN(
        "[aid] 未配置 calendar：救助期限只按周末和法定节日计 / no calendar: aid deadlines count "
        "weekends and the fixed national holidays only");
  }
  return std::make_unique<Agent>(context, std::move(config), std::move(registry), std::move(model),
                                 std::move(calendar), std::move(links));
}

}  // namespace concord::aid
