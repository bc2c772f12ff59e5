#include "adapters/petition_connector.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/field_status.h"
#include "common/json_fields.h"
#include "common/status_macros.h"
#include "concord/v1/petition.pb.h"
#include "domain/petition_intake.h"
#include "domain/rules.h"

namespace concord::adapter {
namespace {

using nlohmann::json;

const std::vector<std::string>& PetitionMigrations() {
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

// The columns PetitionJson reads.
constexpr char kSelectPetition[] =
    "SELECT intake_id, status, ledger_no, reason FROM petition_intake";

json PetitionJson(const sql::Stmt& st) {
  return {{"intake_id", st.Text(0)},
          {"status", st.Text(1)},
          {"ledger_no", st.Text(2)},
          {"reason", st.Text(3)}};
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connector>> PetitionConnector::Create(const ConnectorContext& ctx) {
  if (ctx.config.petitions.ledger.empty())
    return absl::InvalidArgumentError(
        "信访连接器需要 [petitions] ledger / the petition connector needs [petitions] ledger");
  return std::unique_ptr<Connector>(new PetitionConnector(ctx));
}

absl::Status PetitionConnector::Start() {
  RETURN_IF_ERROR(ctx_.client.db().Migrate("adapter_petitions", PetitionMigrations()));
  RETURN_IF_ERROR(StartDropFolder());
  ctx_.mailbox.AddDeliveryHook(
      [this](const concord::v1::Envelope& e, sql::Db& db) { return OnDelivery(e, db); });
  RETURN_IF_ERROR(
      ctx_.http.Add("POST", "/petitions", [this](const HttpRequest& r) { return Register(r); }));
  RETURN_IF_ERROR(
      ctx_.http.Add("GET", "/petitions", [this](const HttpRequest& r) { return GetPetitions(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/petitions/query",
                                [this](const HttpRequest& r) { return QueryPetitions(r); }));
  RETURN_IF_ERROR(
      ctx_.http.Add("POST", "/petitions/act", [this](const HttpRequest& r) { return Act(r); }));
  RETURN_IF_ERROR(
      ctx_.http.Add("GET", "/petitions/act", [this](const HttpRequest& r) { return GetAct(r); }));
  return absl::OkStatus();
}

absl::Status PetitionConnector::StartDropFolder() {
  if (ctx_.config.drop_dir.empty()) return absl::OkStatus();
  drop_ = std::make_unique<DropFolder>(
      ctx_, std::filesystem::path(ctx_.config.drop_dir) / "petitions", "petition_imports",
      "petitions sent to the ledger",
      [this](const std::string&, const std::string& bytes) { return ImportCsv(bytes); });
  return drop_->Start();
}

HttpResponse PetitionConnector::Register(const HttpRequest& request) {
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return ErrorResponse(400, "请求体不是 JSON / body is not JSON");
  const json list = body.is_array() ? body : json::array({body});
  const int64_t now = ctx_.config.client.clock->NowMs();
  std::vector<concord::v1::PetitionRegister> regs;
  json errors = json::array();
  for (size_t i = 0; i < list.size(); ++i) {
    auto r = ledger::PetitionFromJson(list[i], now);
    if (!r.ok())
      errors.push_back({{"index", i},
                        {"error", std::string(r.status().message())},
                        {"fields", FieldsOf(r.status())}});
    else
      regs.push_back(*std::move(r));
  }
  if (!errors.empty())
    return JsonResponse(
        400, {{"error", "登记有误，未提交 / bad petitions, nothing sent"}, {"errors", errors}});
  json out = json::array();
  {
    auto txn = sql::Txn::Begin(ctx_.client.db());
    if (!txn.ok()) return StatusResponse(txn.status());
    for (size_t i = 0; i < regs.size(); ++i) {
      auto sent = Send(regs[i], list[i].dump(), now);
      if (!sent.ok()) return StatusResponse(sent.status());
      out.push_back(
          {{"intake_id", regs[i].intake_id()}, {"status", *sent ? "registering" : "already sent"}});
    }
    if (auto st = txn->Commit(); !st.ok()) return StatusResponse(st);
  }
  ctx_.client.Flush();
  return JsonResponse(202, {{"petitions", out}});
}

absl::StatusOr<bool> PetitionConnector::Send(const concord::v1::PetitionRegister& r,
                                             const std::string& entered, int64_t now) {
  sql::Db& db = ctx_.client.db();
  concord::v1::Envelope env = client::MakeEnvelope({ctx_.config.petitions.ledger}, r);
  ctx_.client.Stamp(env);
  ASSIGN_OR_RETURN(
      auto put,
      db.Prepare(
          "INSERT INTO petition_intake(intake_id, envelope_id, request_json, status, created_ms) "
          "VALUES(?,?,?,'registering',?) ON CONFLICT(intake_id) DO NOTHING"));
  put.BindAll(r.intake_id(), env.id(), entered, now);
  RETURN_IF_ERROR(put.Run());
  // The same intake id again: already sent (the ledger would give the same item).
  if (db.Changes() == 0) return false;
  RETURN_IF_ERROR(ctx_.client.Stage(std::move(env)).status());
  return true;
}

absl::StatusOr<DropFolder::Outcome> PetitionConnector::ImportCsv(const std::string& bytes) {
  const int64_t now = ctx_.config.client.clock->NowMs();
  auto parsed = ledger::ParsePetitionCsv(bytes, now);
  DropFolder::Outcome out = DropFolder::Outcome::Of(parsed);
  if (!parsed.ok()) return out;
  for (const ledger::PetitionRow& row : parsed->rows) {
    ASSIGN_OR_RETURN(bool sent, Send(row.petition, row.entered.dump(), now));
    if (sent) {
      ++out.rows_ok;
    } else {
      const std::string& id = row.petition.intake_id();
      out.errors.push_back({row.line,
                            absl::StrCat("登记编号 ", id, " 此前已提交，未重复登记 / intake_id ",
                                         id, " was sent before; not registered again"),
                            {"intake_id"}});
    }
  }
  return out;
}

HttpResponse PetitionConnector::GetPetitions(const HttpRequest& request) {
  const std::string id = request.Query("intake_id");
  auto st = ctx_.client.db().Prepare(absl::StrCat(
      kSelectPetition, id.empty() ? " ORDER BY created_ms DESC LIMIT 1000" : " WHERE intake_id=?"));
  if (!st.ok()) return StatusResponse(st.status());
  if (!id.empty()) st->Bind(1, id);
  json out = json::array();
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (!*row) break;
    out.push_back(PetitionJson(*st));
  }
  if (!id.empty() && out.empty())
    return ErrorResponse(404, absl::StrCat("没有登记 ", id, " / no petition ", id));
  return JsonResponse(200, id.empty() ? json{{"petitions", out}} : out[0]);
}

HttpResponse PetitionConnector::QueryPetitions(const HttpRequest& request) {
  auto body = ParseJsonObject(request.body);
  if (!body.ok()) return StatusResponse(body.status());
  const json ids = body->value("intake_ids", json());
  const auto bad = [] {
    return ErrorResponse(400,
                         "intake_ids 应为登记编号数组 / intake_ids must be an array of intake ids");
  };
  if (!ids.is_array()) return bad();
  auto st = ctx_.client.db().Prepare(absl::StrCat(kSelectPetition, " WHERE intake_id=?"));
  if (!st.ok()) return StatusResponse(st.status());
  json out = json::array();
  for (const json& id : ids) {
    if (!id.is_string()) return bad();
    st->Bind(1, id.get<std::string>());
    auto row = st->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (*row) out.push_back(PetitionJson(*st));
    st->Reset();
  }
  return JsonResponse(200, {{"petitions", out}});
}

HttpResponse PetitionConnector::Act(const HttpRequest& request) {
  auto j = ParseJsonObject(request.body);
  if (!j.ok()) return StatusResponse(j.status());
  concord::v1::PetitionAct a;
  a.set_ledger_no(JsonString(*j, "ledger_no"));
  a.set_action(JsonString(*j, "action"));
  a.set_note(JsonString(*j, "note"));
  a.set_to_agency(JsonString(*j, "to_agency"));
  a.set_department(JsonString(*j, "department"));
  a.set_handler(JsonString(*j, "handler"));
  a.set_case_ref(JsonString(*j, "case_ref"));  // accept: this agency's own number, if any
  // extend: the days granted and who approved them; hearing: its days;
  // request_review: when the petitioner received the written answer.
  if (j->contains("days") && !(*j)["days"].is_number_integer())
    return ErrorResponse(400, "days 应为整数天数 / days must be a whole number of days");
  a.set_days(static_cast<int32_t>(std::clamp<int64_t>(JsonInt(*j, "days", 0), -1, 10000)));
  a.set_approved_by(JsonString(*j, "approved_by"));
  if (const std::string received = JsonString(*j, "answer_received"); !received.empty()) {
    auto ms = ParseDateTimeMs(received);
    if (!ms.ok())
      return ErrorResponse(400, absl::StrCat("answer_received 应为 YYYY-MM-DD（收到书面答复之日）/ "
                                             "must be YYYY-MM-DD, not \"",
                                             received, "\""));
    a.set_answer_received_ms(*ms);  // the day's start (the window counts dates)
  }
  if (a.ledger_no().empty())
    return ErrorResponse(400, "台账号 ledger_no 不能为空 / ledger_no is required");
  if (!ledger::ActionFromName(a.action()))
    return ErrorResponse(400,
                         absl::StrCat("未知的办理动作 / unknown action '", a.action(),
                                      "' (start_review, accept, transfer, procedural_reply, ...)"));
  const int64_t now = ctx_.config.client.clock->NowMs();
  a.set_at_ms(now);
  return SendRecorded(ctx_.client, client::MakeEnvelope({ctx_.config.petitions.ledger}, a),
                      [&](const std::string& id) -> absl::Status {
                        ASSIGN_OR_RETURN(auto put,
                                         ctx_.client.db().Prepare(
                                             "INSERT INTO petition_acts(envelope_id, ledger_no, "
                                             "action, status, created_ms) VALUES(?,?,?,'sent',?)"));
                        put.BindAll(id, a.ledger_no(), a.action(), now);
                        return put.Run();
                      });
}

HttpResponse PetitionConnector::GetAct(const HttpRequest& request) {
  auto st = ctx_.client.db().Prepare(
      "SELECT ledger_no, action, status, item_status, reason FROM petition_acts WHERE "
      "envelope_id=?");
  if (!st.ok()) return StatusResponse(st.status());
  st->Bind(1, request.Query("id"));
  auto row = st->Step();
  if (!row.ok()) return StatusResponse(row.status());
  if (!*row) return ErrorResponse(404, "没有该操作 / no such request");
  return JsonResponse(200, {{"id", request.Query("id")},
                            {"ledger_no", st->Text(0)},
                            {"action", st->Text(1)},
                            {"status", st->Text(2)},
                            {"item_status", st->Text(3)},
                            {"reason", st->Text(4)}});
}

absl::Status PetitionConnector::OnDelivery(const concord::v1::Envelope& env, sql::Db& db) {
  concord::v1::PetitionReply reply;
  if (!env.payload().UnpackTo(&reply)) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      auto reg,
      db.Prepare("UPDATE petition_intake SET status=?, ledger_no=?, reason=? WHERE envelope_id=?"));
  reg.BindAll(reply.ok() ? "registered" : "refused", reply.ledger_no(), reply.reason(),
              env.correlation_id());
  RETURN_IF_ERROR(reg.Run());
  if (db.Changes() > 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      auto act,
      db.Prepare("UPDATE petition_acts SET status=?, item_status=?, reason=? WHERE envelope_id=?"));
  act.BindAll(reply.ok() ? "done" : "refused", reply.status(), reply.reason(),
              env.correlation_id());
  return act.Run();
}

}  // namespace concord::adapter
