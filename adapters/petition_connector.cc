#include "adapters/petition_connector.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agents/ledger/rules.h"
#include "concord/v1/petition.pb.h"
#include "hub/common/status_macros.h"

namespace concord::adapter {
namespace {

using nlohmann::json;

const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE petition_intake(
        intake_id TEXT PRIMARY KEY,
        envelope_id TEXT NOT NULL,
        request_json TEXT NOT NULL,     -- as entered; the ledger holds the item
        status TEXT NOT NULL,           -- registering | registered | refused
        ledger_no TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        created_ms INTEGER NOT NULL);
      CREATE INDEX petition_intake_env ON petition_intake(envelope_id);
      CREATE TABLE petition_acts(
        envelope_id TEXT PRIMARY KEY,
        ledger_no TEXT NOT NULL,
        action TEXT NOT NULL,
        status TEXT NOT NULL,           -- sent | done | refused
        item_status TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        created_ms INTEGER NOT NULL);
      )sql",
  };
  return kMigrations;
}

// 来信 / letter ... -> the ledger's channel names.
std::string Channel(const std::string& s) {
  static const std::vector<std::pair<std::string, std::string>> kNames = {
      {"letter", "letter"}, {"来信", "letter"}, {"visit", "visit"},       {"来访", "visit"},
      {"online", "online"}, {"网上", "online"}, {"12309", "online"},      {"phone", "phone"},
      {"电话", "phone"},    {"video", "video"}, {"视频", "video"},        {"transferred", "transferred"},
      {"转送", "transferred"}, {"交办", "transferred"}};
  for (const auto& [k, v] : kNames)
    if (s == k) return v;
  return "";
}

// "YYYY-MM-DD HH:MM" / "YYYY-MM-DD" (CST) or Unix ms.
absl::StatusOr<int64_t> ReceivedMs(const json& j, int64_t now) {
  if (j.is_null()) return now;
  if (j.is_number_integer()) return j.get<int64_t>();
  if (!j.is_string()) return absl::InvalidArgumentError("received");
  const std::string s = j.get<std::string>();
  auto day = ledger::ParseDate(s.substr(0, 10));
  if (!day.ok()) return day.status();
  int64_t ms = ledger::StartOfDayMs(*day);
  if (s.size() > 10) {
    int h = 0, m = 0;
    if (s.size() != 16 || s[10] != ' ' || s[13] != ':' || !absl::SimpleAtoi(s.substr(11, 2), &h) ||
        !absl::SimpleAtoi(s.substr(14, 2), &m) || h > 23 || m > 59)
      return absl::InvalidArgumentError("received");
    ms += (h * 60LL + m) * 60 * 1000;
  }
  return ms;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connector>> PetitionConnector::Create(const ConnectorContext& ctx) {
  if (ctx.config.petitions.ledger.empty())
    return absl::InvalidArgumentError(
        "信访连接器需要 [petitions] ledger / the petition connector needs [petitions] ledger");
  return std::unique_ptr<Connector>(new PetitionConnector(ctx));
}

absl::Status PetitionConnector::Start() {
  RETURN_IF_ERROR(ctx_.client.db().Migrate("adapter_petitions", Migrations()));
  ctx_.mailbox.AddDeliveryHook(
      [this](const concord::v1::Envelope& e, sqlite::Db& db) { return OnDelivery(e, db); });
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/petitions", [this](const HttpRequest& r) { return Register(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("GET", "/petitions", [this](const HttpRequest& r) { return GetPetitions(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/petitions/act", [this](const HttpRequest& r) { return Act(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("GET", "/petitions/act", [this](const HttpRequest& r) { return GetAct(r); }));
  return absl::OkStatus();
}

HttpResponse PetitionConnector::Register(const HttpRequest& request) {
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return ErrorResponse(400, "请求体不是 JSON / body is not JSON");
  const json list = body.is_array() ? body : json::array({body});
  const int64_t now = ctx_.config.client.clock->NowMs();
  std::vector<std::pair<concord::v1::PetitionRegister, std::string>> regs;
  json errors = json::array();
  for (size_t i = 0; i < list.size(); ++i) {
    const json& j = list[i];
    std::vector<std::string> bad;
    concord::v1::PetitionRegister r;
    if (!j.is_object()) {
      errors.push_back({{"index", i}, {"error", "须为 JSON 对象 / must be an object"}});
      continue;
    }
    r.set_intake_id(Str(j, "intake_id"));
    if (r.intake_id().empty()) bad.push_back("登记编号 intake_id 不能为空 / is required");
    r.set_channel(Channel(Str(j, "channel")));
    if (r.channel().empty())
      bad.push_back("渠道 channel 应为 来信/来访/网上/电话/视频/转送 (letter, visit, online, phone, video, transferred)");
    auto received = ReceivedMs(j.contains("received") ? j["received"] : json(), now);
    if (!received.ok()) bad.push_back("收到时间 received 应为 \"YYYY-MM-DD HH:MM\" / must be \"YYYY-MM-DD HH:MM\"");
    else r.set_received_ms(*received);
    r.set_matter(Str(j, "matter"));
    if (r.matter().empty()) bad.push_back("信访事项 matter 不能为空 / is required");
    r.set_petitioner(Str(j, "petitioner"));
    r.set_contact(Str(j, "contact"));
    r.set_anonymous(j.value("anonymous", false));
    r.set_case_ref(Str(j, "case_ref"));
    const int people = j.contains("people") && j["people"].is_number_integer() ? j["people"].get<int>() : 1;
    if (people < 1) bad.push_back("人数 people 至少为 1 / must be at least 1");
    r.set_people(people);
    if (!bad.empty()) errors.push_back({{"index", i}, {"error", absl::StrJoin(bad, "; ")}});
    else regs.emplace_back(std::move(r), j.dump());
  }
  if (!errors.empty())
    return JsonResponse(400, {{"error", "登记有误，未提交 / bad petitions, nothing sent"}, {"errors", errors}});
  json out = json::array();
  {
    auto txn = sqlite::Txn::Begin(ctx_.client.db());
    if (!txn.ok()) return StatusResponse(txn.status());
    auto put = ctx_.client.db().Prepare(
        "INSERT INTO petition_intake(intake_id, envelope_id, request_json, status, created_ms) "
        "VALUES(?,?,?,'registering',?) ON CONFLICT(intake_id) DO NOTHING");
    if (!put.ok()) return StatusResponse(put.status());
    for (auto& [r, raw] : regs) {
      concord::v1::Envelope env = client::MakeEnvelope({ctx_.config.petitions.ledger}, r);
      ctx_.client.Stamp(env);
      put->BindAll(r.intake_id(), env.id(), raw, now);
      if (auto st = put->Run(); !st.ok()) return StatusResponse(st);
      // The same intake id again: already sent (the ledger would give the same item).
      if (ctx_.client.db().Changes() == 0) {
        out.push_back({{"intake_id", r.intake_id()}, {"status", "already sent"}});
        continue;
      }
      if (auto st = ctx_.client.Stage(std::move(env)).status(); !st.ok()) return StatusResponse(st);
      out.push_back({{"intake_id", r.intake_id()}, {"status", "registering"}});
    }
    if (auto st = txn->Commit(); !st.ok()) return StatusResponse(st);
  }
  ctx_.client.Flush();
  return JsonResponse(202, {{"petitions", out}});
}

HttpResponse PetitionConnector::GetPetitions(const HttpRequest& request) {
  const std::string id = request.Query("intake_id");
  auto st = ctx_.client.db().Prepare(
      id.empty() ? "SELECT intake_id, status, ledger_no, reason FROM petition_intake ORDER BY created_ms DESC LIMIT 1000"
                 : "SELECT intake_id, status, ledger_no, reason FROM petition_intake WHERE intake_id=?");
  if (!st.ok()) return StatusResponse(st.status());
  if (!id.empty()) st->Bind(1, id);
  json out = json::array();
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (!*row) break;
    out.push_back({{"intake_id", st->Text(0)}, {"status", st->Text(1)}, {"ledger_no", st->Text(2)},
                   {"reason", st->Text(3)}});
  }
  if (!id.empty() && out.empty()) return ErrorResponse(404, absl::StrCat("没有登记 ", id, " / no petition ", id));
  return JsonResponse(200, id.empty() ? json{{"petitions", out}} : out[0]);
}

HttpResponse PetitionConnector::Act(const HttpRequest& request) {
  auto j = ParseJsonObject(request.body);
  if (!j.ok()) return StatusResponse(j.status());
  concord::v1::PetitionAct a;
  a.set_ledger_no(Str(*j, "ledger_no"));
  a.set_action(Str(*j, "action"));
  a.set_note(Str(*j, "note"));
  a.set_to_agency(Str(*j, "to_agency"));
  if (a.ledger_no().empty()) return ErrorResponse(400, "台账号 ledger_no 不能为空 / ledger_no is required");
  if (!ledger::ActionFromName(a.action()))
    return ErrorResponse(400, absl::StrCat("未知的办理动作 / unknown action '", a.action(),
                                           "' (start_review, accept, transfer, procedural_reply, ...)"));
  const int64_t now = ctx_.config.client.clock->NowMs();
  a.set_at_ms(now);
  concord::v1::Envelope env = client::MakeEnvelope({ctx_.config.petitions.ledger}, a);
  ctx_.client.Stamp(env);
  const std::string id = env.id();
  {
    auto txn = sqlite::Txn::Begin(ctx_.client.db());
    if (!txn.ok()) return StatusResponse(txn.status());
    auto put = ctx_.client.db().Prepare(
        "INSERT INTO petition_acts(envelope_id, ledger_no, action, status, created_ms) VALUES(?,?,?,'sent',?)");
    if (!put.ok()) return StatusResponse(put.status());
    put->BindAll(id, a.ledger_no(), a.action(), now);
    if (auto st = put->Run(); !st.ok()) return StatusResponse(st);
    if (auto st = ctx_.client.Stage(std::move(env)).status(); !st.ok()) return StatusResponse(st);
    if (auto st = txn->Commit(); !st.ok()) return StatusResponse(st);
  }
  ctx_.client.Flush();
  return JsonResponse(202, {{"id", id}, {"status", "sent"}});
}

HttpResponse PetitionConnector::GetAct(const HttpRequest& request) {
  auto st = ctx_.client.db().Prepare(
      "SELECT ledger_no, action, status, item_status, reason FROM petition_acts WHERE envelope_id=?");
  if (!st.ok()) return StatusResponse(st.status());
  st->Bind(1, request.Query("id"));
  auto row = st->Step();
  if (!row.ok()) return StatusResponse(row.status());
  if (!*row) return ErrorResponse(404, "没有该操作 / no such request");
  return JsonResponse(200, {{"id", request.Query("id")}, {"ledger_no", st->Text(0)}, {"action", st->Text(1)},
                            {"status", st->Text(2)}, {"item_status", st->Text(3)}, {"reason", st->Text(4)}});
}

absl::Status PetitionConnector::OnDelivery(const concord::v1::Envelope& env, sqlite::Db& db) {
  concord::v1::PetitionReply reply;
  if (!env.payload().UnpackTo(&reply)) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto reg, db.Prepare(
      "UPDATE petition_intake SET status=?, ledger_no=?, reason=? WHERE envelope_id=?"));
  reg.BindAll(reply.ok() ? "registered" : "refused", reply.ledger_no(), reply.reason(), env.correlation_id());
  RETURN_IF_ERROR(reg.Run());
  if (db.Changes() > 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto act, db.Prepare(
      "UPDATE petition_acts SET status=?, item_status=?, reason=? WHERE envelope_id=?"));
  act.BindAll(reply.ok() ? "done" : "refused", reply.status(), reply.reason(), env.correlation_id());
  return act.Run();
}

}  // namespace concord::adapter
