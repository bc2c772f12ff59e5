#include "adapters/reception_connector.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/payload_json.h"
#include "common/json_fields.h"
#include "common/status_macros.h"
#include "concord/v1/petition.pb.h"
#include "domain/calendar.h"

namespace concord::adapter {
namespace {

using nlohmann::json;

const std::vector<std::string>& ReceptionMigrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE ledger_requests(
        envelope_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,             -- slot | booking | outcome | incident
        ref_id TEXT NOT NULL,           -- the slot, booking or incident id
        request_json TEXT NOT NULL,
        status TEXT NOT NULL,           -- sent | done | refused
        ledger_no TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        created_ms INTEGER NOT NULL);
      CREATE TABLE reception_view(
        one INTEGER PRIMARY KEY CHECK (one = 1),
        slots_json TEXT NOT NULL,
        at_ms INTEGER NOT NULL);
      )sql",
  };
  return kMigrations;
}

// A required "YYYY-MM-DD HH:MM" field (or Unix ms); `now` when optional and absent.
int64_t Time(const json& j, const char* key, const char* chinese, std::vector<std::string>& bad,
             int64_t absent = 0) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (!absent) bad.push_back(absl::StrCat(chinese, " ", key, " 不能为空 / is required"));
    return absent;
  }
  if (it->is_number_integer()) return it->get<int64_t>();
  auto ms =
      it->is_string() ? ParseDateTimeMs(it->get<std::string>()) : absl::InvalidArgumentError("");
  if (!ms.ok()) {
    bad.push_back(absl::StrCat(chinese, " ", key,
                               " 应为 \"YYYY-MM-DD HH:MM\" / must be \"YYYY-MM-DD HH:MM\""));
    return 0;
  }
  return *ms;
}

void Require(const std::string& v, const char* key, const char* chinese,
             std::vector<std::string>& bad) {
  if (v.empty()) bad.push_back(absl::StrCat(chinese, " ", key, " 不能为空 / is required"));
}

HttpResponse Refuse(const std::vector<std::string>& bad) {
  return JsonResponse(400, {{"error", absl::StrCat("请求有误，未提交 / bad request, nothing sent: ",
                                                   absl::StrJoin(bad, "; "))},
                            {"errors", bad}});
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connector>> ReceptionConnector::Create(const ConnectorContext& ctx) {
  if (ctx.config.petitions.ledger.empty())
    return absl::InvalidArgumentError(
        "接待日连接器需要 [petitions] ledger / the reception connector needs [petitions] ledger");
  return std::unique_ptr<Connector>(new ReceptionConnector(ctx));
}

absl::Status ReceptionConnector::Start() {
  RETURN_IF_ERROR(ctx_.client.db().Migrate("adapter_reception", ReceptionMigrations()));
  ctx_.mailbox.AddDeliveryHook(
      [this](const concord::v1::Envelope& e, sql::Db& db) { return OnDelivery(e, db); });
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/reception/slots",
                                [this](const HttpRequest& r) { return PostSlot(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("GET", "/reception/slots",
                                [this](const HttpRequest& r) { return GetSlots(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/reception/bookings",
                                [this](const HttpRequest& r) { return PostBooking(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/reception/outcomes",
                                [this](const HttpRequest& r) { return PostOutcome(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/incidents",
                                [this](const HttpRequest& r) { return PostIncident(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("GET", "/ledger/requests",
                                [this](const HttpRequest& r) { return GetRequest(r); }));
  return absl::OkStatus();
}

HttpResponse ReceptionConnector::PostSlot(const HttpRequest& request) {
  auto j = ParseJsonObject(request.body);
  if (!j.ok()) return StatusResponse(j.status());
  std::vector<std::string> bad;
  concord::v1::ReceptionSlot s;
  s.set_slot_id(JsonString(*j, "slot_id"));
  Require(s.slot_id(), "slot_id", "接待日编号", bad);
  s.set_host(JsonString(*j, "host"));
  Require(s.host(), "host", "接待领导", bad);
  s.set_place(JsonString(*j, "place"));
  s.set_starts_ms(Time(*j, "starts", "开始时间", bad));
  s.set_ends_ms(Time(*j, "ends", "结束时间", bad));
  s.set_capacity(static_cast<int>(JsonInt(*j, "capacity", 0)));
  if (s.capacity() < 1) bad.push_back("可预约人数 capacity 至少为 1 / must be at least 1");
  s.set_cancelled(JsonBool(*j, "cancelled"));
  if (!bad.empty()) return Refuse(bad);
  return Send("slot", s.slot_id(), s, request.body);
}

HttpResponse ReceptionConnector::PostBooking(const HttpRequest& request) {
  auto j = ParseJsonObject(request.body);
  if (!j.ok()) return StatusResponse(j.status());
  std::vector<std::string> bad;
  concord::v1::ReceptionBooking b;
  b.set_booking_id(JsonString(*j, "booking_id"));
  Require(b.booking_id(), "booking_id", "预约编号", bad);
  b.set_cancel(JsonBool(*j, "cancel"));
  if (!b.cancel()) {
    b.set_slot_id(JsonString(*j, "slot_id"));
    Require(b.slot_id(), "slot_id", "接待日编号", bad);
    b.set_petitioner(JsonString(*j, "petitioner"));
    Require(b.petitioner(), "petitioner", "信访人", bad);
    b.set_matter(JsonString(*j, "matter"));
    Require(b.matter(), "matter", "信访事项", bad);
    b.set_contact(JsonString(*j, "contact"));
    b.set_case_ref(JsonString(*j, "case_ref"));
    b.set_ledger_no(JsonString(*j, "ledger_no"));
    b.set_slot_agency(JsonString(*j, "slot_agency"));
    b.set_people(static_cast<int>(JsonInt(*j, "people", 1)));
    if (b.people() < 1) bad.push_back("人数 people 至少为 1 / must be at least 1");
  }
  if (!bad.empty()) return Refuse(bad);
  return Send("booking", b.booking_id(), b, request.body);
}

HttpResponse ReceptionConnector::PostOutcome(const HttpRequest& request) {
  auto j = ParseJsonObject(request.body);
  if (!j.ok()) return StatusResponse(j.status());
  std::vector<std::string> bad;
  concord::v1::ReceptionOutcome o;
  o.set_booking_id(JsonString(*j, "booking_id"));
  Require(o.booking_id(), "booking_id", "预约编号", bad);
  o.set_booked_by(JsonString(*j, "booked_by"));
  o.set_outcome(JsonString(*j, "outcome"));
  if (o.outcome() != "attended" && o.outcome() != "no_show" && o.outcome() != "到场" &&
      o.outcome() != "未到场")
    bad.push_back(
        "接待结果 outcome 应为 attended 到场 或 no_show 未到场 / must be attended or no_show");
  o.set_note(JsonString(*j, "note"));
  o.set_register_(JsonBool(*j, "register"));
  o.set_matter(JsonString(*j, "matter"));
  if (!bad.empty()) return Refuse(bad);
  return Send("outcome", o.booking_id(), o, request.body);
}

HttpResponse ReceptionConnector::PostIncident(const HttpRequest& request) {
  auto j = ParseJsonObject(request.body);
  if (!j.ok()) return StatusResponse(j.status());
  std::vector<std::string> bad;
  concord::v1::PetitionIncident i;
  i.set_incident_id(JsonString(*j, "incident_id"));
  Require(i.incident_id(), "incident_id", "事件编号", bad);
  i.set_kind(JsonString(*j, "kind"));
  static const std::vector<std::pair<std::string, std::string>> kKinds = {
      {"complaint", "complaint"},
      {"投诉", "complaint"},
      {"irregular_petition", "irregular_petition"},
      {"赴省进京非正常上访", "irregular_petition"},
      {"非正常上访", "irregular_petition"},
      {"safety_incident", "safety_incident"},
      {"安全事故", "safety_incident"}};
  std::string kind;
  for (const auto& [k, v] : kKinds)
    if (i.kind() == k) kind = v;
  if (kind.empty())
    bad.push_back(
        "事件类型 kind 应为 投诉/赴省进京非正常上访/安全事故 (complaint, irregular_petition, "
        "safety_incident)");
  i.set_kind(kind);
  i.set_occurred_ms(Time(*j, "occurred", "发生时间", bad, ctx_.config.client.clock->NowMs()));
  i.set_ledger_no(JsonString(*j, "ledger_no"));
  i.set_note(JsonString(*j, "note"));
  if (!bad.empty()) return Refuse(bad);
  return Send("incident", i.incident_id(), i, request.body);
}

HttpResponse ReceptionConnector::Send(const std::string& kind, const std::string& ref_id,
                                      const google::protobuf::Message& payload,
                                      const std::string& request_json) {
  return SendRecorded(
      ctx_.client, client::MakeEnvelope({ctx_.config.petitions.ledger}, payload),
      [&](const std::string& id) -> absl::Status {
        ASSIGN_OR_RETURN(auto put,
                         ctx_.client.db().Prepare("INSERT INTO ledger_requests(envelope_id, kind, "
                                                  "ref_id, request_json, status, created_ms) "
                                                  "VALUES(?,?,?,?,'sent',?)"));
        put.BindAll(id, kind, ref_id, request_json, ctx_.config.client.clock->NowMs());
        return put.Run();
      });
}

HttpResponse ReceptionConnector::GetRequest(const HttpRequest& request) {
  auto st = ctx_.client.db().Prepare(
      "SELECT kind, ref_id, status, ledger_no, reason FROM ledger_requests WHERE envelope_id=?");
  if (!st.ok()) return StatusResponse(st.status());
  st->Bind(1, request.Query("id"));
  auto row = st->Step();
  if (!row.ok()) return StatusResponse(row.status());
  if (!*row) return ErrorResponse(404, "没有该请求 / no such request");
  return JsonResponse(200, {{"id", request.Query("id")},
                            {"kind", st->Text(0)},
                            {"ref_id", st->Text(1)},
                            {"status", st->Text(2)},
                            {"ledger_no", st->Text(3)},
                            {"reason", st->Text(4)}});
}

HttpResponse ReceptionConnector::GetSlots(const HttpRequest&) {
  auto st = ctx_.client.db().Prepare("SELECT slots_json, at_ms FROM reception_view WHERE one=1");
  if (!st.ok()) return StatusResponse(st.status());
  auto row = st->Step();
  if (!row.ok()) return StatusResponse(row.status());
  if (!*row) return JsonResponse(200, {{"slots", json::array()}, {"years", json::array()}});
  json view = json::parse(st->Text(0), nullptr, false);
  if (!view.is_object()) return ErrorResponse(500, "接待日数据损坏 / stored slots unreadable");
  // Times for the clerk, beside the milliseconds.
  for (auto& s : view["slots"]) {
    int64_t starts = 0, ends = 0;
    (void)absl::SimpleAtoi(s.value("starts_ms", "0"), &starts);
    (void)absl::SimpleAtoi(s.value("ends_ms", "0"), &ends);
    s["starts"] = FormatDateTime(starts);
    s["ends"] = FormatDateTime(ends);
  }
  return JsonResponse(200, view);
}

absl::Status ReceptionConnector::OnDelivery(const concord::v1::Envelope& env, sql::Db& db) {
  if (concord::v1::ReceptionSlots slots; env.payload().UnpackTo(&slots)) {
    const std::string text = RenderPayloadJson(env.payload());
    ASSIGN_OR_RETURN(
        auto put, db.Prepare("INSERT INTO reception_view(one, slots_json, at_ms) VALUES(1,?1,?2) "
                             "ON CONFLICT(one) DO UPDATE SET slots_json=?1, at_ms=?2"));
    put.BindAll(text, ctx_.config.client.clock->NowMs());
    return put.Run();
  }
  concord::v1::PetitionReply reply;
  if (!env.payload().UnpackTo(&reply)) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      auto up,
      db.Prepare("UPDATE ledger_requests SET status=?, ledger_no=?, reason=? WHERE envelope_id=?"));
  up.BindAll(reply.ok() ? "done" : "refused", reply.ledger_no(), reply.reason(),
             env.correlation_id());
  return up.Run();
}

}  // namespace concord::adapter
