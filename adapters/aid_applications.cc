#include "adapters/aid_applications.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "adapters/aid_connector.h"
#include "common/csv.h"
#include "common/field_status.h"
#include "common/json_fields.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "concord/v1/aid.pb.h"
#include "domain/aid_rules.h"
#include "domain/linkage/wire.h"
#include "google/protobuf/util/json_util.h"
#include "hub/client/acting_as.h"

namespace concord::adapter {
namespace {

using nlohmann::json;

const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {R"sql(
    CREATE TABLE aid_apps(
      application_id TEXT PRIMARY KEY,
      app_json TEXT NOT NULL,     -- as entered (victim, applicants, case): never leaves the agency
      status TEXT NOT NULL,       -- sent (no answer yet) | the agent's status | refused_entry
      reply_json TEXT,            -- the latest AidApplicationReply that was ok
      created_ms INTEGER NOT NULL,
      updated_ms INTEGER NOT NULL);
    CREATE TABLE aid_app_steps(
      envelope_id TEXT PRIMARY KEY,
      application_id TEXT NOT NULL,
      action TEXT NOT NULL,
      step_json TEXT NOT NULL,    -- the step as entered
      state TEXT NOT NULL,        -- sent | ok | refused
      error TEXT,
      reply_json TEXT,
      actor TEXT NOT NULL,
      sent_ms INTEGER NOT NULL,
      answered_ms INTEGER);
    CREATE INDEX aid_app_steps_app ON aid_app_steps(application_id, sent_ms);
  )sql"};
  return kMigrations;
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

// A string field, trimmed as the CSV fields are.
std::string Str(const json& j, const char* key) {
  const std::string s = JsonString(j, key);
  return std::string(csv::Trim(s));
}
bool Bool(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return it->get<std::string>() == "1" || it->get<std::string>() == "true";
  return false;
}
// A list given as a JSON array or as one string split at 、，,; or new lines.
std::vector<std::string> List(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  auto add = [&](const std::string& s) {
    for (absl::string_view part :
         absl::StrSplit(s, absl::ByAnyChar("\n;,"), absl::SkipWhitespace())) {
      for (absl::string_view p : absl::StrSplit(part, "、", absl::SkipWhitespace()))
        for (absl::string_view q : absl::StrSplit(p, "，", absl::SkipWhitespace()))
          if (std::string t(csv::Trim(q)); !t.empty()) out.push_back(std::move(t));
    }
  };
  if (it->is_array()) {
    for (const auto& e : *it)
      if (e.is_string()) add(e.get<std::string>());
  } else if (it->is_string()) {
    add(it->get<std::string>());
  }
  return out;
}

// The grant of application `id` (a decision or an advance of `fen` at `at_ms`)
// as a grant record: the victim's identity (for a deceased victim, the
// relatives' one application is keyed on the victim) and the case.
json GrantJson(const json& app, const std::string& id, int64_t fen, int64_t at_ms) {
  json grant = app.value("victim", json::object());
  grant["record_id"] = id;
  grant["case_ref"] = app.value("case_ref", "");
  grant["incident_date"] = app.value("incident_date", "");
  grant["crime"] = app.value("crime", "");
  grant["aid_type"] = "资金救助";
  grant["amount_yuan"] = absl::StrCat(fen / 100, ".", fen % 100 < 10 ? "0" : "", fen % 100);
  grant["granted_on"] = FormatDate(DateOf(at_ms));
  return grant;
}

HttpResponse Bad(const std::string& error, const std::vector<std::string>& fields) {
  return JsonResponse(400, {{"error", error}, {"fields", fields}});
}

// "YYYY-MM-DD HH:MM" or "YYYY-MM-DD"; empty: now.
absl::StatusOr<int64_t> When(const std::string& s, int64_t now) {
  if (s.empty()) return now;
  return ParseDateTimeMs(s);
}

// Yuan as entered ("20000", "20000.5") -> fen; -1 when not a plain amount.
int64_t Fen(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return 0;
  std::string s = it->is_number() ? it->dump() : it->is_string() ? it->get<std::string>() : "x";
  s = std::string(csv::Trim(s));
  if (s.empty()) return 0;
  double yuan = 0;
  size_t used = 0;
  try {
    yuan = std::stod(s, &used);
  } catch (...) {
    return -1;
  }
  if (used != s.size() || yuan < 0 || yuan > 1e9) return -1;
  return static_cast<int64_t>(yuan * 100 + 0.5);
}

}  // namespace

absl::Status AidApplications::Start() {
  RETURN_IF_ERROR(ctx_.client.db().Migrate("adapter_aid_applications", Migrations()));
  ctx_.mailbox.AddDeliveryHook(
      [this](const concord::v1::Envelope& e, sql::Db& db) { return OnDelivery(e, db); });
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/aid/applications",
                                [this](const HttpRequest& r) { return PostApplication(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/aid/applications/act",
                                [this](const HttpRequest& r) { return PostAct(r); }));
  RETURN_IF_ERROR(
      ctx_.http.Add("GET", "/aid/applications", [this](const HttpRequest& r) { return Get(r); }));
  return ctx_.http.Add("GET", "/aid/applications/step",
                       [this](const HttpRequest& r) { return GetStep(r); });
}

absl::StatusOr<std::string> AidApplications::Send(const std::string& application_id,
                                                  const google::protobuf::Message& step,
                                                  const std::string& action,
                                                  const std::string& step_json) {
  concord::v1::Envelope env = client::MakeEnvelope({agent_}, step);
  ctx_.client.Stamp(env);
  const v1::Actor& a = env.actor();
  const std::string actor =
      a.login().empty() ? "" : absl::StrCat(a.role(), " ", a.name(), "（", a.login(), "）");
  ASSIGN_OR_RETURN(auto put, ctx_.client.db().Prepare(
                                 "INSERT INTO aid_app_steps(envelope_id, application_id, action, "
                                 "step_json, state, actor, sent_ms) VALUES(?,?,?,?,'sent',?,?)"));
  put.BindAll(env.id(), application_id, action, step_json, actor,
              ctx_.config.client.clock->NowMs());
  RETURN_IF_ERROR(put.Run());
  const std::string id = env.id();
  RETURN_IF_ERROR(ctx_.client.Stage(std::move(env)).status());
  return id;
}

HttpResponse AidApplications::PostApplication(const HttpRequest& request) {
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object())
    return ErrorResponse(400, "请求体须为 JSON 对象 / the body must be a JSON object");
  const int64_t now = ctx_.config.client.clock->NowMs();
  const std::string id = Str(body, "application_id");
  if (id.empty() || id.size() > 64)
    return Bad("请填写申请编号（不超过 64 字符）/ the application number is required",
               {"application_id"});
  auto received = When(Str(body, "received_at"), now);
  if (!received.ok() || *received > now + 5 * 60'000)
    return Bad(
        "收到申请时间须为 YYYY-MM-DD HH:MM，且不晚于现在 / received_at: a past date and time",
        {"received_at"});
  const json victim = body.value("victim", json::object());
  if (!victim.is_object() || Str(victim, "name").empty())
    return Bad("请填写被害人（受助人）姓名 / the victim's name is required", {"victim.name"});
  if (Str(body, "case_ref").empty())
    return Bad("请填写案号 / the case number is required", {"case_ref"});
  const bool deceased = Bool(body, "deceased_victim");
  json applicants = json::array();
  if (auto it = body.find("applicants"); it != body.end() && it->is_array())
    for (const auto& a : *it)
      if (a.is_object() && !Str(a, "name").empty())
        applicants.push_back({{"name", Str(a, "name")},
                              {"relation", Str(a, "relation")},
                              {"id_number", Str(a, "id_number")},
                              {"phone", Str(a, "phone")}});
  if (applicants.empty() && !deceased)  // the victim applies
    applicants.push_back({{"name", Str(victim, "name")},
                          {"relation", "本人"},
                          {"id_number", Str(victim, "id_number")},
                          {"phone", Str(victim, "phone")}});
  if (applicants.empty())
    return Bad(
        "被害人死亡的，由其近亲属共同申请：请填写申请人（近亲属）/ the relatives of a deceased "
        "victim apply together: name them",
        {"applicants"});
  if (applicants.size() > 50)
    return Bad("申请人至多 50 人 / at most 50 applicants", {"applicants"});
  for (const auto& a : applicants)
    if (deceased && a.value("relation", "") == "本人")
      return Bad(
          "被害人已死亡，申请人应为其近亲属，不能为“本人” / the victim died: the "
          "applicants are relatives",
          {"applicants"});
  // The victim's identity through the grant checks (ID number, dates).
  json grant = {{"record_id", id},
                {"name", Str(victim, "name")},
                {"id_number", Str(victim, "id_number")},
                {"birth_date", Str(victim, "birth_date")},
                {"gender", Str(victim, "gender")},
                {"phone", Str(victim, "phone")},
                {"address", Str(victim, "address")},
                {"case_ref", Str(body, "case_ref")},
                {"incident_date", Str(body, "incident_date")},
                {"crime", Str(body, "crime")},
                {"aid_type", "资金救助"},
                {"amount_yuan", "1"},
                {"granted_on", FormatDate(DateOf(*received))}};
  auto record = AidRecordFromJson(grant);
  if (!record.ok()) {
    std::vector<std::string> fields;
    for (const std::string& f : FieldsOf(record.status()))
      fields.push_back(
          f == "case_ref" || f == "incident_date" || f == "crime" ? f : absl::StrCat("victim.", f));
    return Bad(std::string(record.status().message()), fields);
  }
  record->agency = ctx_.config.agency;
  record->amount_fen = 0;  // the check at application: is the victim aided in this case already?
  json app = {{"application_id", id},
              {"received_ms", *received},
              {"complete", Bool(body, "complete")},
              {"deceased_victim", deceased},
              {"victim", grant},
              {"applicants", applicants},
              {"case_ref", Str(body, "case_ref")},
              {"incident_date", Str(body, "incident_date")},
              {"crime", Str(body, "crime")},
              {"materials", List(body, "materials")}};
  app["victim"].erase("amount_yuan");
  app["victim"].erase("aid_type");
  app["victim"].erase("granted_on");
  app["victim"].erase("record_id");

  concord::v1::AidApplicationStep step;
  step.set_application_id(id);
  step.set_action("apply");
  step.set_at_ms(*received);
  step.set_complete(Bool(body, "complete"));
  step.set_applicants(static_cast<int>(applicants.size()));
  step.set_deceased_victim(deceased);
  *step.mutable_grant() = keys_.Grant(*record);
  if (concord::v1::AidEncoding next; keys_.NextEncoding(*record, &next))
    *step.mutable_next_encoding() = std::move(next);
  auto txn = sql::Txn::Begin(ctx_.client.db());
  if (!txn.ok()) return StatusResponse(txn.status());
  auto put = ctx_.client.db().Prepare(
      "INSERT INTO aid_apps(application_id, app_json, status, created_ms, updated_ms) "
      "VALUES(?,?,'sent',?,?) ON CONFLICT(application_id) DO NOTHING");
  if (!put.ok()) return StatusResponse(put.status());
  put->BindAll(id, app.dump(), now, now);
  if (auto st = put->Run(); !st.ok()) return StatusResponse(st);
  if (ctx_.client.db().Changes() == 0)
    return JsonResponse(409, {{"error", absl::StrCat("申请编号 ", id, " 已使用 / already used")},
                              {"fields", {"application_id"}}});
  auto sent = Send(id, step, "apply", app.dump());
  if (!sent.ok()) return StatusResponse(sent.status());
  if (auto st = txn->Commit(); !st.ok()) return StatusResponse(st);
  ctx_.client.Flush();
  return JsonResponse(202, {{"application_id", id}, {"step", *sent}, {"state", "sent"}});
}

HttpResponse AidApplications::PostAct(const HttpRequest& request) {
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object())
    return ErrorResponse(400, "请求体须为 JSON 对象 / the body must be a JSON object");
  const int64_t now = ctx_.config.client.clock->NowMs();
  const std::string id = Str(body, "application_id");
  const std::string action = Str(body, "action");
  const auto a = aid::AppActionFromName(action);
  if (!a || *a == aid::AppAction::kApply)
    return Bad(absl::StrCat("未知的步骤「", action, "」/ unknown step"), {"action"});
  auto at = When(Str(body, "at"), now);
  if (!at.ok() || *at > now + 5 * 60'000)
    return Bad("时间须为 YYYY-MM-DD HH:MM，且不晚于现在 / at: a past date and time", {"at"});
  auto load = ctx_.client.db().Prepare("SELECT app_json FROM aid_apps WHERE application_id=?");
  if (!load.ok()) return StatusResponse(load.status());
  load->Bind(1, id);
  auto found = load->Step();
  if (!found.ok()) return StatusResponse(found.status());
  if (!*found)
    return JsonResponse(404,
                        {{"error", absl::StrCat("没有救助申请 ", id, " / no application ", id)},
                         {"fields", {"application_id"}}});
  const json app = json::parse(load->Text(0), nullptr, false);
  load->Reset();

  concord::v1::AidApplicationStep step;
  step.set_application_id(id);
  step.set_action(action);
  step.set_at_ms(*at);
  for (const auto& m : List(body, "missing")) step.add_missing(m);
  const int64_t fen = Fen(body, "amount_yuan");
  if (fen < 0)
    return Bad("金额须为数字（元）/ the amount must be a number of yuan", {"amount_yuan"});
  step.set_amount_fen(fen);
  step.set_ground(Str(body, "ground"));
  step.set_grounds(Str(body, "grounds"));
  json entered = {{"action", action},
                  {"at_ms", *at},
                  {"missing", List(body, "missing")},
                  {"amount_fen", fen},
                  {"ground", Str(body, "ground")},
                  {"grounds", Str(body, "grounds")}};
  // The form's own checks first, so that the clerk sees the field at once;
  // the agent checks the rules again (and the status, and the deadlines).
  if (*a == aid::AppAction::kRequestMaterials && step.missing_size() == 0)
    return Bad("请一次性列明需补充的全部材料 / list the missing materials", {"missing"});
  if ((*a == aid::AppAction::kGrant || *a == aid::AppAction::kAdvance) && fen <= 0)
    return Bad("请填写救助金额（元）/ the amount is required", {"amount_yuan"});
  if ((*a == aid::AppAction::kGrant || *a == aid::AppAction::kAdvance ||
       *a == aid::AppAction::kRefuse) &&
      step.grounds().empty())
    return Bad(*a == aid::AppAction::kAdvance
                   ? "请写明先行救助的紧急情形 / state the urgency"
                   : "请写明决定理由 / the decision's grounds are required",
               {"grounds"});
  if (*a == aid::AppAction::kRefuse && !aid::FindRefusalGround(step.ground()))
    return Bad("请选择不予救助的法定情形 / choose the refusal ground", {"ground"});
  if (*a == aid::AppAction::kGrant || *a == aid::AppAction::kAdvance) {
    // The grantee's encodings: the victim's (for a deceased victim, the
    // relatives' one application is keyed on the victim).
    auto record = AidRecordFromJson(GrantJson(app, id, fen, *at));
    if (!record.ok()) return Bad(std::string(record.status().message()), FieldsOf(record.status()));
    record->agency = ctx_.config.agency;
    *step.mutable_grant() = keys_.Grant(*record);
    if (concord::v1::AidEncoding next; keys_.NextEncoding(*record, &next))
      *step.mutable_next_encoding() = std::move(next);
    if (Bool(body, "approved_exception")) {
      const std::string reason = Str(body, "exception_reason");
      if (reason.empty())
        return Bad("特别审批须填写批准理由 / special approval needs its reason",
                   {"exception_reason"});
      step.set_approved_exception(true);
      step.set_exception_reason(reason);
      entered["approved_exception"] = true;
      entered["exception_reason"] = reason;
    }
  }
  auto txn = sql::Txn::Begin(ctx_.client.db());
  if (!txn.ok()) return StatusResponse(txn.status());
  auto sent = Send(id, step, action, entered.dump());
  if (!sent.ok()) return StatusResponse(sent.status());
  if (auto st = txn->Commit(); !st.ok()) return StatusResponse(st);
  ctx_.client.Flush();
  return JsonResponse(202, {{"application_id", id}, {"step", *sent}, {"state", "sent"}});
}

absl::StatusOr<std::vector<aid::AidRecord>> AidApplications::RegisteredGrants() {
  // An application's grant is registered once a decision or an advance was
  // accepted; the latest one is its grant.
  ASSIGN_OR_RETURN(
      auto q, ctx_.client.db().Prepare(
                  "SELECT a.application_id, a.app_json, s.step_json, s.sent_ms FROM aid_apps a "
                  "JOIN aid_app_steps s ON s.application_id = a.application_id "
                  "WHERE s.state = 'ok' AND s.action IN ('grant', 'advance') "
                  "ORDER BY a.application_id, s.sent_ms"));
  std::map<std::string, aid::AidRecord> latest;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    const std::string id = q.Text(0);
    const json app = json::parse(q.Text(1), nullptr, false);
    const json step = json::parse(q.Text(2), nullptr, false);
    // The step as kept (PostAct's `entered`): amount_fen and at_ms.
    const int64_t fen = step.is_object() ? step.value("amount_fen", int64_t{0}) : 0;
    const int64_t at = step.is_object() ? step.value("at_ms", q.Int(3)) : q.Int(3);
    auto record = AidRecordFromJson(GrantJson(app, id, fen, at));
    if (!record.ok()) {
      LOG_WARN("aid application {}: its grant cannot be re-encoded: {}", id,
               std::string(record.status().message()));
      continue;
    }
    record->agency = ctx_.config.agency;
    latest[id] = *std::move(record);
  }
  std::vector<aid::AidRecord> out;
  for (auto& [id, r] : latest) out.push_back(std::move(r));
  return out;
}

absl::Status AidApplications::OnDelivery(const concord::v1::Envelope& env, sql::Db& db) {
  concord::v1::AidApplicationReply reply;
  if (!env.payload().UnpackTo(&reply)) return absl::OkStatus();
  const int64_t now = ctx_.config.client.clock->NowMs();
  ASSIGN_OR_RETURN(auto step, db.Prepare("UPDATE aid_app_steps SET state=?, error=?, reply_json=?, "
                                         "answered_ms=? WHERE envelope_id=? AND state='sent'"));
  step.BindAll(std::string(reply.ok() ? "ok" : "refused"), reply.error(), ToJson(reply), now,
               env.correlation_id());
  RETURN_IF_ERROR(step.Run());
  if (db.Changes() == 0) {
    LOG_INFO("aid application reply {} matches no pending step", env.correlation_id());
    return absl::OkStatus();
  }
  if (reply.ok()) {
    ASSIGN_OR_RETURN(auto up, db.Prepare("UPDATE aid_apps SET status=?, reply_json=?, updated_ms=? "
                                         "WHERE application_id=?"));
    up.BindAll(reply.status(), ToJson(reply), now, reply.application_id());
    return up.Run();
  }
  // An application the agent refused to register stays here, marked.
  ASSIGN_OR_RETURN(auto up, db.Prepare("UPDATE aid_apps SET status='refused_entry', updated_ms=? "
                                       "WHERE application_id=? AND status='sent'"));
  up.BindAll(now, reply.application_id());
  return up.Run();
}

HttpResponse AidApplications::Get(const HttpRequest& request) {
  const std::string id = request.Query("id");
  sql::Db& db = ctx_.client.db();
  auto q = db.Prepare(id.empty() ? "SELECT application_id, app_json, status, reply_json, "
                                   "created_ms, updated_ms FROM aid_apps ORDER BY created_ms DESC, "
                                   "application_id LIMIT 500"
                                 : "SELECT application_id, app_json, status, reply_json, "
                                   "created_ms, updated_ms FROM aid_apps WHERE application_id=?");
  if (!q.ok()) return StatusResponse(q.status());
  if (!id.empty()) q->Bind(1, id);
  json out = json::array();
  while (true) {
    auto row = q->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (!*row) break;
    json a = {{"application_id", q->Text(0)},
              {"application", json::parse(q->Text(1), nullptr, false)},
              {"status", q->Text(2)},
              {"created_ms", q->Int(4)},
              {"updated_ms", q->Int(5)}};
    if (!q->IsNull(3)) {
      const json reply = json::parse(q->Text(3), nullptr, false);
      a["deadlines"] = reply.value("deadlines", json::array());
    }
    out.push_back(std::move(a));
  }
  if (id.empty()) return JsonResponse(200, {{"applications", out}});
  if (out.empty())
    return JsonResponse(404,
                        {{"error", absl::StrCat("没有救助申请 ", id, " / no application ", id)}});
  json one = out[0];
  auto steps = db.Prepare(
      "SELECT envelope_id, action, step_json, state, error, reply_json, actor, sent_ms, "
      "answered_ms FROM aid_app_steps WHERE application_id=? ORDER BY sent_ms, rowid");
  if (!steps.ok()) return StatusResponse(steps.status());
  steps->Bind(1, id);
  json list = json::array();
  while (true) {
    auto row = steps->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (!*row) break;
    json s = {{"id", steps->Text(0)},
              {"action", steps->Text(1)},
              {"step", json::parse(steps->Text(2), nullptr, false)},
              {"state", steps->Text(3)},
              {"error", steps->IsNull(4) ? "" : steps->Text(4)},
              {"actor", steps->Text(6)},
              {"sent_ms", steps->Int(7)},
              {"answered_ms", steps->IsNull(8) ? 0 : steps->Int(8)}};
    if (!steps->IsNull(5)) {
      const json reply = json::parse(steps->Text(5), nullptr, false);
      if (reply.is_object() && reply.contains("check")) s["check"] = reply["check"];
    }
    list.push_back(std::move(s));
  }
  one["steps"] = list;
  return JsonResponse(200, one);
}

HttpResponse AidApplications::GetStep(const HttpRequest& request) {
  auto q = ctx_.client.db().Prepare(
      "SELECT application_id, action, state, error, reply_json FROM aid_app_steps WHERE "
      "envelope_id=?");
  if (!q.ok()) return StatusResponse(q.status());
  q->Bind(1, request.Query("id"));
  auto row = q->Step();
  if (!row.ok()) return StatusResponse(row.status());
  if (!*row) return ErrorResponse(404, "没有该步骤 / no such step");
  json s = {{"application_id", q->Text(0)},
            {"action", q->Text(1)},
            {"state", q->Text(2)},
            {"error", q->IsNull(3) ? "" : q->Text(3)}};
  if (!q->IsNull(4)) s["reply"] = json::parse(q->Text(4), nullptr, false);
  return JsonResponse(200, s);
}

}  // namespace concord::adapter
