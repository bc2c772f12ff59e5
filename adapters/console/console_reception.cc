// The console's 接待日 page: the chief procurator's reception days
// (检察长接待日, DOMAIN.md). The host agency (the ledger's `[ledger]
// reception_hosts`) publishes, changes and cancels its slots and records
// what became of each booking (到场/未到场, 处理意见, and a petition raised
// there, which enters the ledger); a host or booker (`reception_bookers`)
// books petitioners into the slots and cancels its own bookings; everyone
// sees the slots with their remaining places and each host's reception days
// this year (held, planned; the rule asks for 12).
//
// Reads travel over the bus (LedgerQuery.reception: the slots with the
// bookings this agency made or hosts, and who hosts and who books), so the
// page works when the ledger agent runs on another machine. Writes go
// through the reception connector's routes in process as the person
// (CallApi: POST /reception/slots, /reception/bookings, /reception/outcomes),
// then the page waits a few seconds for the ledger's answer
// (GET /ledger/requests?id=) and shows a refusal in the form it came from,
// with the field it is about marked.
#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "adapters/console/console_impl.h"
#include "common/uuid.h"
#include "domain/calendar.h"

namespace concord::adapter {

namespace {

using accounts::Permission;
using json = nlohmann::json;
namespace pb = concord::v1;

constexpr int kReplyWaitMs = 3000;  // for the ledger's answer to a write
constexpr int kRequiredPerYear = 12;

// A form shown again: which one, what was entered, why it was not taken and
// the fields that were wrong.
struct Redo {
  std::string form_id;  // "publish", "book", "slot:<id>", "outcome:<booker>/<id>"
  std::string error;
  std::map<std::string, std::string> form;
  std::set<std::string> bad;
  int status = 200;
  std::string Field(const std::string& key, const std::string& fallback) const {
    return form.empty() ? fallback : FormField(form, key);
  }
  json Bad() const {
    json b = json::object();
    for (const auto& f : bad) b[f] = true;
    return b;
  }
};

// Which field a refusal (the connector's or the ledger's, "中文 / English")
// is about, by the words it uses.
std::string FieldOf(const std::string& reason) {
  // The first that matches: "该接待日已约满" is about the people booked,
  // "可预约人数至少为 1" about the capacity, not the people.
  static const std::pair<const char*, const char*> kWords[] = {
      {"约满", "people"},        {"可预约人数", "capacity"}, {"capacity", "capacity"},
      {"人数", "people"},        {"该接待日", "slot"},       {"没有接待日", "slot"},
      {"结束", "ends"},          {"半天", "ends"},           {"开始前公布", "starts"},
      {"已过去", "starts"},      {"已开始", "starts"},       {"接待领导", "host"},
      {"信访人", "petitioner"},  {"信访事项", "matter"},     {"信访件", "ledger_no"},
      {"未经办", "ledger_no"},   {"未到场不能", "register"}, {"接待结果", "outcome"},
      {"接待日编号", "slot_id"},
  };
  for (const auto& [word, field] : kWords)
    if (absl::StrContains(reason, word)) return field;
  return "";
}

// "2026-12-03T09:00" (a datetime-local field) as Unix ms; 0 when empty or bad.
int64_t FieldTime(const std::string& text) {
  auto ms = ParseDateTimeMs(absl::StrReplaceAll(text, {{"T", " "}}));
  return ms.ok() ? *ms : 0;
}

// Unix ms as a datetime-local field's value, Beijing time.
std::string FieldValue(int64_t ms) {
  return ms > 0 ? absl::StrReplaceAll(FormatDateTime(ms), {{" ", "T"}}) : "";
}

// "12月3日 09:00–12:00" for a slot within a day, else both times in full.
std::string Span(int64_t starts, int64_t ends) {
  const std::string a = FormatDateTime(starts), b = FormatDateTime(ends);
  if (a.substr(0, 10) == b.substr(0, 10)) return absl::StrCat(a, "–", b.substr(11));
  return absl::StrCat(a, " – ", b);
}

// A slot's state for the list, and its tag's colour.
std::pair<std::string, std::string> SlotState(const pb::ReceptionSlot& s, bool begun, bool ended,
                                              int left) {
  if (s.cancelled()) return {"已取消", ""};
  if (ended) return {"已举行", "green"};
  if (begun) return {"接待中", "blue"};
  if (left == 0) return {"已约满", "red"};
  return {absl::StrCat("可预约，余 ", left, " 人"), "amber"};
}

std::pair<std::string, std::string> BookingState(const pb::ReceptionBookingView& b) {
  if (b.cancelled()) return {"已取消", ""};
  if (b.outcome() == "attended") return {"到场", "green"};
  if (b.outcome() == "no_show") return {"未到场", "red"};
  return {"待接待", "amber"};
}

bool Listed(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

}  // namespace

// The page's handlers (RegisterReceptionPages): they borrow the console.
class ReceptionPages {
 public:
  explicit ReceptionPages(ConsoleImpl& console) : c_(console) {}

  void Show(Visit v) { Render(std::move(v), {}); }  // GET  /reception
  void Publish(Visit v);                            // POST /reception/slot
  void Book(Visit v);                               // POST /reception/book
  void CancelBooking(Visit v);                      // POST /reception/book/cancel
  void Outcome(Visit v);                            // POST /reception/outcome

 private:
  void Render(Visit v, Redo redo);
  json Values(const Visit& v, const pb::ReceptionSlots& r, int64_t now, const Redo& redo);
  // Sends `body` to the connector's `route` as the person, waits for the
  // ledger, then redirects with `done` (and the ledger number, if any) or
  // shows the form again with the refusal.
  void Send(Visit v, const std::string& route, const json& body, const std::string& action,
            const std::string& target, const std::string& done, Redo redo);
  // A form refused before sending: logged, and shown again.
  void Reject(Visit v, const std::string& action, const std::string& target, Redo redo) {
    c_.Log(v, action, target, false, redo.error);
    redo.status = 400;
    Render(std::move(v), std::move(redo));
  }

  ConsoleImpl& c_;
};

void ReceptionPages::Render(Visit v, Redo redo) {
  pb::LedgerQuery q;
  q.set_reception(true);
  c_.AskLedger(q, [this, v = std::move(v),
                   redo = std::move(redo)](absl::StatusOr<pb::LedgerQueryReply> reply) mutable {
    json values;
    if (!reply.ok() || !reply->ok()) {
      values = Values(v, pb::ReceptionSlots(), c_.Now(), redo);
      values["read_error"] =
          reply.ok() ? reply->reason()
                     : absl::StrCat("账本暂时无法查询：", std::string(reply.status().message()));
    } else {
      values =
          Values(v, reply->reception(), reply->as_of_ms() ? reply->as_of_ms() : c_.Now(), redo);
    }
    c_.Render(v, "检察长接待日", "reception", c_.Template("reception.html"), std::move(values),
              redo.status);
  });
}

json ReceptionPages::Values(const Visit& v, const pb::ReceptionSlots& r, int64_t now,
                            const Redo& redo) {
  const std::string me = c_.ctx().config.agency;
  const bool host = Listed(r.hosts(), me);
  const bool booker = host || Listed(r.bookers(), me);
  const bool may_schedule = accounts::Allowed(v.account, Permission::kScheduleReception);
  const bool may_receive = accounts::Allowed(v.account, Permission::kReception);
  bool shown = false;  // a form on the page shows redo.error
  auto mine = [&](const std::string& id) {
    const bool is = !redo.form_id.empty() && redo.form_id == id;
    shown |= is;
    return is;
  };
  auto field = [&](const std::string& id, const std::string& key, const std::string& fallback) {
    return redo.form_id == id ? redo.Field(key, fallback) : fallback;
  };

  // The bookings by slot.
  std::map<std::pair<std::string, std::string>, std::vector<const pb::ReceptionBookingView*>> by;
  for (const auto& b : r.bookings()) by[{b.slot_agency(), b.slot_id()}].push_back(&b);

  json upcoming = json::array(), past = json::array(), open_slots = json::array();
  for (const pb::ReceptionSlot& s : r.slots()) {
    const bool ended = s.ends_ms() <= now, begun = s.starts_ms() <= now;
    const int left = std::max(0, s.capacity() - s.booked());
    const bool own = s.agency() == me;
    const auto [state, tag] = SlotState(s, begun, ended, left);
    const std::string slot_form = "slot:" + s.slot_id();
    json row = {{"slot_id", s.slot_id()},
                {"agency_name", c_.AgencyName(s.agency())},
                {"host", s.host()},
                {"place", s.place()},
                {"when", Span(s.starts_ms(), s.ends_ms())},
                {"capacity", s.capacity()},
                {"booked", s.booked()},
                {"left", left},
                {"state", state},
                {"tag", tag},
                {"row_class", s.cancelled() ? "cancelled" : ""}};
    // The host's change and cancel form, until the reception begins.
    if (own && host && may_schedule && !s.cancelled() && !begun)
      row["edit"] = {{"host", field(slot_form, "host", s.host())},
                     {"place", field(slot_form, "place", s.place())},
                     {"starts", field(slot_form, "starts", FieldValue(s.starts_ms()))},
                     {"ends", field(slot_form, "ends", FieldValue(s.ends_ms()))},
                     {"capacity", field(slot_form, "capacity", std::to_string(s.capacity()))},
                     {"open", mine(slot_form)},
                     {"error", mine(slot_form) ? redo.error : ""},
                     {"bad", mine(slot_form) ? redo.Bad() : json::object()}};
    json bookings = json::array();
    for (const auto* b : by[{s.agency(), s.slot_id()}]) {
      const std::string key = absl::StrCat(b->booked_by(), "/", b->booking_id());
      const auto [status, status_tag] = BookingState(*b);
      json row_b = {{"key", key},
                    {"booked_by_name", c_.AgencyName(b->booked_by())},
                    {"petitioner", b->petitioner()},
                    {"contact", b->contact()},
                    {"matter", b->matter()},
                    {"case_ref", b->case_ref()},
                    {"people", b->people()},
                    {"ledger_no", b->ledger_no()},
                    {"status", status},
                    {"status_tag", status_tag},
                    {"note", b->outcome_note()},
                    {"raised_no", b->raised_no()},
                    {"row_class", b->cancelled() ? "cancelled" : ""}};
      const bool pending = !b->cancelled() && b->outcome().empty() && !s.cancelled();
      if (pending && b->booked_by() == me && may_receive && !ended)
        row_b["cancel"] = {{"booking_id", b->booking_id()}};
      const std::string outcome_form = "outcome:" + key;
      if (pending && own && may_receive && begun)
        row_b["record"] = {{"booked_by", b->booked_by()},
                           {"booking_id", b->booking_id()},
                           {"attended", field(outcome_form, "outcome", "attended") == "attended"},
                           {"note", field(outcome_form, "note", "")},
                           {"register", field(outcome_form, "register", "") == "1"},
                           {"matter", field(outcome_form, "matter", b->matter())},
                           {"open", mine(outcome_form)},
                           {"error", mine(outcome_form) ? redo.error : ""},
                           {"bad", mine(outcome_form) ? redo.Bad() : json::object()}};
      else if (pending && own && may_receive)
        row_b["record_later"] = true;
      bookings.push_back(std::move(row_b));
    }
    row["bookings"] = bookings;
    row["has_bookings"] = !bookings.empty();
    (ended ? past : upcoming).push_back(std::move(row));
    // The booking form's choices: slots still open, not full (a host also
    // books walk-ins into its own slot once it has begun).
    if (!s.cancelled() && !ended && left > 0 && (!begun || own)) {
      const std::string value = absl::StrCat(s.agency(), "/", s.slot_id());
      open_slots.push_back(
          {{"value", value},
           {"label", absl::StrCat(Span(s.starts_ms(), s.ends_ms()), " ", s.host(), "（",
                                  c_.AgencyName(s.agency()), "，余 ", left, " 人）")},
           {"selected", field("book", "slot", "") == value}});
    }
  }
  std::reverse(past.begin(), past.end());  // the latest first

  // Each host's year, hosts without a slot yet included.
  json years = json::array();
  auto year = [&](const std::string& agency, int held, int planned) {
    const int missing = kRequiredPerYear - planned;
    years.push_back({{"agency_name", c_.AgencyName(agency)},
                     {"held", held},
                     {"planned", planned},
                     {"required", kRequiredPerYear},
                     {"short", missing > 0 ? json(missing) : json(false)},
                     {"tag", missing > 0 ? "amber" : "green"}});
  };
  for (const auto& y : r.years()) year(y.agency(), y.held(), y.planned());
  for (const auto& h : r.hosts())
    if (std::none_of(r.years().begin(), r.years().end(),
                     [&](const auto& y) { return y.agency() == h; }))
      year(h, 0, 0);

  json groups = json::array();
  groups.push_back({{"title", "近期接待日"},
                    {"id", "upcoming"},
                    {"has_slots", !upcoming.empty()},
                    {"slots", std::move(upcoming)},
                    {"empty", "暂无待举行的接待日。"}});
  groups.push_back({{"title", "本年已举行的接待日"},
                    {"id", "past"},
                    {"has_slots", !past.empty()},
                    {"slots", std::move(past)},
                    {"empty", "本年尚无已举行的接待日。"}});
  json values = {{"groups", std::move(groups)},
                 {"years", years},
                 {"has_years", !years.empty()},
                 {"year", static_cast<int>(DateOf(now).year())}};
  if (host && may_schedule) {
    values["publish"] = {{"slot_id", field("publish", "slot_id", "接待-" + NewUuidV7())},
                         {"host", field("publish", "host", "")},
                         {"place", field("publish", "place", "")},
                         {"starts", field("publish", "starts", "")},
                         {"ends", field("publish", "ends", "")},
                         {"capacity", field("publish", "capacity", "10")},
                         {"open", mine("publish")},
                         {"error", mine("publish") ? redo.error : ""},
                         {"bad", mine("publish") ? redo.Bad() : json::object()}};
  } else if (host) {
    values["publish_hint"] =
        absl::StrCat("安排接待日须由", RolesFor(Permission::kScheduleReception), "办理。");
  }
  if (booker && may_receive) {
    values["book"] = {{"booking_id", field("book", "booking_id", "预约-" + NewUuidV7())},
                      {"slots", open_slots},
                      {"has_slots", !open_slots.empty()},
                      {"petitioner", field("book", "petitioner", "")},
                      {"contact", field("book", "contact", "")},
                      {"matter", field("book", "matter", "")},
                      {"case_ref", field("book", "case_ref", "")},
                      {"people", field("book", "people", "1")},
                      {"ledger_no", field("book", "ledger_no", "")},
                      {"open", mine("book")},
                      {"error", mine("book") ? redo.error : ""},
                      {"bad", mine("book") ? redo.Bad() : json::object()}};
  } else if (booker) {
    values["book_hint"] =
        absl::StrCat("预约接待、记录接待情况须由", RolesFor(Permission::kReception), "办理。");
  } else {
    values["book_hint"] = "本机关不是接待日的主办或预约机关，只能查看接待日安排。";
  }
  if (!redo.error.empty() && !shown) values["page_error"] = redo.error;
  return values;
}

void ReceptionPages::Send(Visit v, const std::string& route, const json& body,
                          const std::string& action, const std::string& target,
                          const std::string& done, Redo redo) {
  HttpResponse r = c_.CallApi(v, "POST", route, body.dump());
  json sent = json::parse(r.body, nullptr, false);
  if (r.status != 202 || !sent.is_object()) {
    const std::string error = sent.is_object() ? sent.value("error", r.body) : r.body;
    std::vector<std::string> reasons;  // the connector's, one per bad field
    if (sent.is_object() && sent.contains("errors"))
      for (const auto& e : sent["errors"]) {
        if (!e.is_string()) continue;
        reasons.push_back(ChineseHalf(e.get<std::string>()));
        if (const std::string f = FieldOf(reasons.back()); !f.empty()) redo.bad.insert(f);
      }
    c_.Log(v, action, target, false, error);
    redo.error = absl::StrCat("未能提交：",
                              reasons.empty() ? ChineseHalf(error) : absl::StrJoin(reasons, "；"));
    redo.status = r.status == 400 ? 400 : 503;
    return Render(std::move(v), std::move(redo));
  }
  c_.Await(
      v, "/ledger/requests?id=" + PercentEncode(sent.value("id", "")),
      [](const json& b) { return b.value("status", "") != "sent"; }, kReplyWaitMs,
      [this, v = std::move(v), redo = std::move(redo), action, target, done](json b) mutable {
        const std::string status = b.is_object() ? b.value("status", "") : "";
        if (status == "refused") {
          const std::string reason = b.value("reason", "");
          c_.Log(v, action, target, false, reason);
          redo.error = absl::StrCat("账本未接受：", ChineseHalf(reason));
          if (const std::string f = FieldOf(reason); !f.empty()) redo.bad.insert(f);
          redo.status = 409;
          return Render(std::move(v), std::move(redo));
        }
        if (status == "done") {
          c_.Log(v, action, target, true);
          const std::string no = b.value("ledger_no", "");
          return c_.Redirect(v, "/reception",
                             no.empty() ? done : absl::StrCat(done, "，已登记为信访事项 ", no));
        }
        c_.Log(v, action, target, true, "sent; the ledger has not answered yet");
        c_.Redirect(v, "/reception", absl::StrCat(done, "（已提交，账本确认中，稍后刷新本页）"));
      });
}

void ReceptionPages::Publish(Visit v) {
  const bool cancel = FormField(v.request.Form(), "cancel") == "1";
  const std::string action = cancel ? "reception.slot.cancel" : "reception.slot";
  if (!c_.Require(v, Permission::kScheduleReception, action, "")) return;
  Redo redo{.form_id = "", .error = "", .form = v.request.Form(), .bad = {}, .status = 200};
  const std::string slot_id = redo.Field("slot_id", "");
  redo.form_id = redo.Field("form", "") == "publish" ? "publish" : "slot:" + slot_id;
  const int64_t starts = FieldTime(redo.Field("starts", ""));
  const int64_t ends = FieldTime(redo.Field("ends", ""));
  int capacity = 0;
  const bool capacity_ok = absl::SimpleAtoi(redo.Field("capacity", ""), &capacity) && capacity > 0;
  std::vector<std::string> missing;
  auto need = [&](bool ok, const char* key, const char* what) {
    if (ok) return;
    redo.bad.insert(key);
    missing.emplace_back(what);
  };
  need(!slot_id.empty(), "slot_id", "接待日编号");
  need(!redo.Field("host", "").empty(), "host", "接待领导（如 检察长 周某）");
  need(!redo.Field("place", "").empty(), "place", "接待地点");
  need(starts > 0, "starts", "开始时间");
  need(ends > 0, "ends", "结束时间");
  need(capacity_ok, "capacity", "可预约人数（至少 1 人）");
  if (!missing.empty()) {
    redo.error = absl::StrCat("请填写：", absl::StrJoin(missing, "、"));
    return Reject(std::move(v), action, slot_id, std::move(redo));
  }
  if (ends <= starts) {
    redo.bad.insert("ends");
    redo.error = "结束时间须晚于开始时间";
    return Reject(std::move(v), action, slot_id, std::move(redo));
  }
  json body = {{"slot_id", slot_id},
               {"host", redo.Field("host", "")},
               {"place", redo.Field("place", "")},
               {"starts", FormatDateTime(starts)},
               {"ends", FormatDateTime(ends)},
               {"capacity", capacity},
               {"cancelled", cancel}};
  const std::string done =
      cancel ? absl::StrCat("已取消 ", FormatDateTime(starts), " 的接待日")
      : redo.form_id == "publish"
          ? absl::StrCat("已公布接待日：", Span(starts, ends), " ", redo.Field("host", ""))
          : absl::StrCat("已修改接待日：", Span(starts, ends), " ", redo.Field("host", ""));
  Send(std::move(v), "/reception/slots", body, action, slot_id, done, std::move(redo));
}

void ReceptionPages::Book(Visit v) {
  if (!c_.Require(v, Permission::kReception, "reception.book", "")) return;
  Redo redo{.form_id = "book", .error = "", .form = v.request.Form(), .bad = {}, .status = 200};
  const std::string booking_id = redo.Field("booking_id", "");
  const std::string slot = redo.Field("slot", "");  // "<host agency>/<slot id>"
  const size_t slash = slot.find('/');
  int people = 0;
  const bool people_ok = absl::SimpleAtoi(redo.Field("people", ""), &people) && people > 0;
  std::vector<std::string> missing;
  auto need = [&](bool ok, const char* key, const char* what) {
    if (ok) return;
    redo.bad.insert(key);
    missing.emplace_back(what);
  };
  need(slash != std::string::npos, "slot", "接待日");
  need(!redo.Field("petitioner", "").empty(), "petitioner", "信访人");
  need(!redo.Field("contact", "").empty(), "contact", "联系方式");
  need(!redo.Field("matter", "").empty(), "matter", "信访事项");
  need(people_ok, "people", "人数（至少 1 人）");
  need(!booking_id.empty(), "booking_id", "预约编号");
  if (!missing.empty()) {
    redo.error = absl::StrCat("请填写：", absl::StrJoin(missing, "、"));
    return Reject(std::move(v), "reception.book", booking_id, std::move(redo));
  }
  json body = {{"booking_id", booking_id},
               {"slot_agency", slot.substr(0, slash)},
               {"slot_id", slot.substr(slash + 1)},
               {"petitioner", redo.Field("petitioner", "")},
               {"contact", redo.Field("contact", "")},
               {"matter", redo.Field("matter", "")},
               {"case_ref", redo.Field("case_ref", "")},
               {"people", people},
               {"ledger_no", redo.Field("ledger_no", "")}};
  const std::string done =
      absl::StrCat("已预约：", redo.Field("petitioner", ""), "（", people, " 人）");
  Send(std::move(v), "/reception/bookings", body, "reception.book", booking_id, done,
       std::move(redo));
}

void ReceptionPages::CancelBooking(Visit v) {
  if (!c_.Require(v, Permission::kReception, "reception.book.cancel", "")) return;
  Redo redo{.form_id = "", .error = "", .form = v.request.Form(), .bad = {}, .status = 200};
  const std::string booking_id = redo.Field("booking_id", "");
  if (booking_id.empty()) {
    redo.error = "未指明要取消的预约";
    return Reject(std::move(v), "reception.book.cancel", "", std::move(redo));
  }
  Send(std::move(v), "/reception/bookings", {{"booking_id", booking_id}, {"cancel", true}},
       "reception.book.cancel", booking_id, "已取消预约", std::move(redo));
}

void ReceptionPages::Outcome(Visit v) {
  if (!c_.Require(v, Permission::kReception, "reception.outcome", "")) return;
  Redo redo{.form_id = "", .error = "", .form = v.request.Form(), .bad = {}, .status = 200};
  const std::string booked_by = redo.Field("booked_by", "");
  const std::string booking_id = redo.Field("booking_id", "");
  const std::string key = absl::StrCat(booked_by, "/", booking_id);
  redo.form_id = "outcome:" + key;
  const std::string outcome = redo.Field("outcome", "");
  const bool attended = outcome == "attended";
  const bool register_petition = redo.Field("register", "") == "1";
  if (outcome != "attended" && outcome != "no_show") {
    redo.bad.insert("outcome");
    redo.error = "请选择接待结果：到场或未到场";
    return Reject(std::move(v), "reception.outcome", key, std::move(redo));
  }
  if (attended && redo.Field("note", "").empty()) {
    redo.bad.insert("note");
    redo.error = "请填写处理意见（接待情况）";
    return Reject(std::move(v), "reception.outcome", key, std::move(redo));
  }
  if (register_petition && !attended) {
    redo.bad.insert("register");
    redo.error = "未到场不能登记为信访事项";
    return Reject(std::move(v), "reception.outcome", key, std::move(redo));
  }
  json body = {{"booking_id", booking_id},
               {"booked_by", booked_by},
               {"outcome", outcome},
               {"note", redo.Field("note", "")},
               {"register", register_petition},
               {"matter", register_petition ? redo.Field("matter", "") : ""}};
  Send(std::move(v), "/reception/outcomes", body, "reception.outcome", key,
       attended ? "已记录：到场" : "已记录：未到场", std::move(redo));
}

void RegisterReceptionPages(ConsoleImpl& c) {
  if (c.ctx().config.petitions.ledger.empty()) return;  // no reception connector
  auto pages = std::make_shared<ReceptionPages>(c);
  c.AddNav("/reception", "接待日", "reception");
  c.AddPage("GET", "/reception", [pages](Visit v) { pages->Show(std::move(v)); });
  c.AddPage("POST", "/reception/slot", [pages](Visit v) { pages->Publish(std::move(v)); });
  c.AddPage("POST", "/reception/book", [pages](Visit v) { pages->Book(std::move(v)); });
  c.AddPage("POST", "/reception/book/cancel",
            [pages](Visit v) { pages->CancelBooking(std::move(v)); });
  c.AddPage("POST", "/reception/outcome", [pages](Visit v) { pages->Outcome(std::move(v)); });
}

}  // namespace concord::adapter
