#include "adapters/aid_case_links.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/json_fields.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "concord/v1/aid.pb.h"
#include "concord/v1/conference.pb.h"
#include "domain/linkage/normalize.h"

namespace concord::adapter {
namespace {

using nlohmann::json;

const std::vector<std::string>& CaseLinkMigrations() {
  static const std::vector<std::string> kMigrations = {R"sql(
    CREATE TABLE aid_case_links(
      n INTEGER PRIMARY KEY,
      case_ref_a TEXT NOT NULL,
      case_ref_b TEXT NOT NULL,
      source TEXT NOT NULL,          -- rest, the dropped file's name, ...
      message_id TEXT NOT NULL,      -- the AidCaseLinks that carried it
      created_ms INTEGER NOT NULL,
      reply_json TEXT);              -- the agent's AidCaseLinksReply
    CREATE INDEX aid_case_links_message ON aid_case_links(message_id);
  )sql"};
  return kMigrations;
}

}  // namespace

absl::Status AidCaseLinksApi::Start() {
  RETURN_IF_ERROR(ctx_.client.db().Migrate("adapter_aid_case_links", CaseLinkMigrations()));
  ctx_.mailbox.AddDeliveryHook(
      [this](const concord::v1::Envelope& e, sql::Db& db) { return OnDelivery(e, db); });
  RETURN_IF_ERROR(
      ctx_.http.Add("POST", "/aid/case-links", [this](const HttpRequest& r) { return Post(r); }));
  return ctx_.http.Add("GET", "/aid/case-links", [this](const HttpRequest& r) { return Get(r); });
}

absl::StatusOr<std::string> AidCaseLinksApi::Send(
    const std::vector<std::pair<std::string, std::string>>& pairs, const std::string& source) {
  auto links = [&pairs](const aid::Encoder& encoder) {
    concord::v1::AidCaseLinks m;
    m.set_key_id(encoder.KeyId());
    for (const auto& [a, b] : pairs) {
      concord::v1::AidCaseLink* l = m.add_links();
      l->set_case_token_a(encoder.CaseToken(a));
      l->set_case_token_b(encoder.CaseToken(b));
    }
    return m;
  };
  // While the key is rotated, the links go under the next key too.
  if (const aid::Encoder* next = keys_.next()) {
    concord::v1::Envelope also = client::MakeEnvelope({agent_}, links(*next));
    ctx_.client.Stamp(also);
    RETURN_IF_ERROR(ctx_.client.Stage(std::move(also)).status());
  }
  concord::v1::Envelope env = client::MakeEnvelope({agent_}, links(keys_.current()));
  ctx_.client.Stamp(env);
  const int64_t now = ctx_.config.client.clock->NowMs();
  ASSIGN_OR_RETURN(auto put, ctx_.client.db().Prepare(
                                 "INSERT INTO aid_case_links(case_ref_a, case_ref_b, source, "
                                 "message_id, created_ms) VALUES(?,?,?,?,?)"));
  for (const auto& [a, b] : pairs) {
    put.BindAll(a, b, source, env.id(), now);
    RETURN_IF_ERROR(put.Run());
    put.Reset();
  }
  const std::string id = env.id();
  RETURN_IF_ERROR(ctx_.client.Stage(std::move(env)).status());
  return id;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> AidCaseLinksApi::All() {
  ASSIGN_OR_RETURN(auto q,
                   ctx_.client.db().Prepare("SELECT case_ref_a, case_ref_b FROM aid_case_links"));
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.emplace_back(q.Text(0), q.Text(1));
  }
  return out;
}

HttpResponse AidCaseLinksApi::Post(const HttpRequest& request) {
  const json body = json::parse(request.body, nullptr, false);
  if (!body.is_object())
    return ErrorResponse(400, "请求体须为 JSON 对象 / the body must be a JSON object");
  json links = body.contains("links") ? body["links"] : json::array({body});
  if (!links.is_array() || links.empty())
    return ErrorResponse(400, "links 须为非空数组 / links must be a non-empty array");
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < links.size(); ++i) {
    const json& l = links[i];
    const std::string a = l.is_object() ? JsonString(l, "case_ref_a") : "";
    const std::string b = l.is_object() ? JsonString(l, "case_ref_b") : "";
    const std::string na = aid::NormalizeCaseRef(a), nb = aid::NormalizeCaseRef(b);
    if (na.empty() || nb.empty() || na == nb)
      return JsonResponse(
          400, {{"error",
                 absl::StrCat("第 ", i + 1, " 条关联：",
                              na.empty() || nb.empty() ? "缺少案号 / a case number is missing"
                                                       : "两个案号相同 / the same number twice")},
                {"fields", {na.empty() ? "case_ref_a" : "case_ref_b"}},
                {"index", i}});
    pairs.emplace_back(a, b);
  }
  auto txn = sql::Txn::Begin(ctx_.client.db());
  if (!txn.ok()) return StatusResponse(txn.status());
  auto sent = Send(pairs, "rest");
  if (!sent.ok()) return StatusResponse(sent.status());
  if (auto st = txn->Commit(); !st.ok()) return StatusResponse(st);
  ctx_.client.Flush();
  return JsonResponse(202, {{"message_id", *sent}, {"links", pairs.size()}});
}

HttpResponse AidCaseLinksApi::Get(const HttpRequest&) {
  auto q = ctx_.client.db().Prepare(
      "SELECT case_ref_a, case_ref_b, source, message_id, created_ms, reply_json "
      "FROM aid_case_links ORDER BY n DESC LIMIT 1000");
  if (!q.ok()) return StatusResponse(q.status());
  json out = json::array();
  while (true) {
    auto row = q->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (!*row) break;
    json l = {{"case_ref_a", q->Text(0)},
              {"case_ref_b", q->Text(1)},
              {"source", q->Text(2)},
              {"message_id", q->Text(3)},
              {"created_ms", q->Int(4)}};
    if (!q->IsNull(5)) l["reply"] = json::parse(q->Text(5), nullptr, false);
    out.push_back(std::move(l));
  }
  return JsonResponse(200, {{"links", out}});
}

absl::Status AidCaseLinksApi::OnDelivery(const concord::v1::Envelope& env, sql::Db& db) {
  if (concord::v1::ConferenceInvitation inv; env.payload().UnpackTo(&inv))
    return OnInvitation(env, inv, db);
  if (concord::v1::PetitionEvent ev; env.payload().UnpackTo(&ev)) return OnTransfer(env, ev, db);
  concord::v1::AidCaseLinksReply reply;
  if (!env.payload().UnpackTo(&reply)) return absl::OkStatus();
  json r = {{"received", reply.received()}, {"joined", reply.joined()}, {"errors", json::array()}};
  for (const auto& e : reply.errors()) r["errors"].push_back(e);
  ASSIGN_OR_RETURN(auto put,
                   db.Prepare("UPDATE aid_case_links SET reply_json=? WHERE message_id=?"));
  put.BindAll(r.dump(), env.correlation_id());
  RETURN_IF_ERROR(put.Run());
  if (!reply.errors().empty())
    LOG_WARN("case links {} partly refused by the aid agent: {}", env.correlation_id(),
             reply.errors(0));
  return absl::OkStatus();
}

// A conference's invitation names the case's numbers at the agencies (its
// case_key and case_refs): they are one case, linked without anyone typing
// them, once per conference, and only from the conference agent.
absl::Status AidCaseLinksApi::OnInvitation(const concord::v1::Envelope& env,
                                           const concord::v1::ConferenceInvitation& inv,
                                           sql::Db& db) {
  const std::string& conference_agent = ctx_.config.aid.conference;
  if (conference_agent.empty() || env.from() != conference_agent) return absl::OkStatus();
  std::vector<std::string> numbers = {inv.case_key()};
  numbers.insert(numbers.end(), inv.case_refs().begin(), inv.case_refs().end());
  std::vector<std::string> seen, distinct;
  for (const std::string& n : numbers) {
    const std::string key = aid::NormalizeCaseRef(n);
    if (key.empty() || std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    distinct.push_back(n);
  }
  if (distinct.size() < 2) return absl::OkStatus();
  const std::string source = "conference:" + inv.conference_id();
  ASSIGN_OR_RETURN(auto known, db.Prepare("SELECT 1 FROM aid_case_links WHERE source=? LIMIT 1"));
  known.Bind(1, source);
  ASSIGN_OR_RETURN(bool already, known.Step());
  if (already) return absl::OkStatus();
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 1; i < distinct.size(); ++i) pairs.emplace_back(distinct[0], distinct[i]);
  ASSIGN_OR_RETURN(std::string id, Send(pairs, source));
  LOG_INFO("conference {}: {} case links sent to the aid agent ({})", inv.conference_id(),
           pairs.size(), id);
  return absl::OkStatus();
}

absl::Status AidCaseLinksApi::OnTransfer(const concord::v1::Envelope& env,
                                         const concord::v1::PetitionEvent& ev, sql::Db& db) {
  // Only the ledger agent's word; only an accept that named both numbers.
  const std::string& ledger = ctx_.config.petitions.ledger;
  if (ledger.empty() || env.from() != ledger || ev.case_ref().empty() || ev.item_case_ref().empty())
    return absl::OkStatus();
  const std::string a = aid::NormalizeCaseRef(ev.item_case_ref()),
                    b = aid::NormalizeCaseRef(ev.case_ref());
  if (a.empty() || b.empty() || a == b) return absl::OkStatus();
  const std::string source = "transfer:" + ev.ledger_no();
  ASSIGN_OR_RETURN(auto known, db.Prepare("SELECT 1 FROM aid_case_links WHERE source=? AND "
                                          "case_ref_a=? AND case_ref_b=? LIMIT 1"));
  known.BindAll(source, ev.item_case_ref(), ev.case_ref());
  ASSIGN_OR_RETURN(bool already, known.Step());
  if (already) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string id, Send({{ev.item_case_ref(), ev.case_ref()}}, source));
  LOG_INFO("petition {} accepted by {} under its own number: case link sent to the aid agent ({})",
           ev.ledger_no(), ev.agency(), id);
  return absl::OkStatus();
}

}  // namespace concord::adapter
