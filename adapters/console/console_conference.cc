// The console's joint conference pages (联席会议): the conferences this
// agency takes part in; one conference with its case, the agencies' inputs,
// every version of the work plan with who signed it, the tasks with their
// deadlines and progress, and the public hearings; and the forms for the
// steps the conference agent's rules allow this agency now (its
// ConferenceView.allowed) and this person's role allows (Require).
//
// Reads travel over the bus (ConferenceQuery to `[console] conference`), so
// the pages work when the agent runs on another machine. Writes are the
// agency's own messages (proto/concord/v1/conference.proto) sent through the
// Mailbox as the person (ActingAs), so they survive a hub outage; the page
// then waits a few seconds for the agent's ConferenceReply in the inbox and
// tells the clerk what the agent decided, or that it has not answered yet.
//
// The joint work plan (联席会议工作方案) prints as a standalone A4 page
// (GET /conferences/plan/print?id=[&version=]; web/console/plan_print.html,
// print.css), headed by the convening agency, from the same read as the
// conference page: whoever may see the conference may print its plan.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "adapters/console/console_impl.h"
#include "common/log.h"
#include "common/url.h"
#include "common/uuid.h"
#include "concord/v1/conference.pb.h"
#include "domain/calendar.h"
#include "domain/conference_terms.h"
#include "hub/client/acting_as.h"

namespace concord::adapter {

namespace {

using accounts::Permission;
using json = nlohmann::json;
namespace pb = concord::v1;

constexpr auto kReadTimeout = std::chrono::seconds(5);
constexpr auto kReplyWait = std::chrono::seconds(4);  // for the agent's ConferenceReply
constexpr auto kReplyPoll = std::chrono::milliseconds(50);
constexpr int kListLimit = 100;
constexpr int kMaxRows = 20;         // rows of a form's table read back
constexpr int kBlankTaskRows = 2;    // empty task rows under the plan's own
constexpr int kMeasureRows = 3;      // rows of measures in an agency's input
constexpr int kParticipantRows = 6;  // rows of a hearing's participants
constexpr int64_t kDueSoonMs = 3 * kDayMs;

// The plan's measures and the hearing participants' roles, as the agent
// checks them (domain/conference_terms.h); the console shows the names.
using conference::MeasureInfo;
const std::vector<MeasureInfo>& kMeasures = conference::Measures();
const std::vector<MeasureInfo>& kRoles = conference::ParticipantRoles();
constexpr const char* kRiskLevels[] = {"红色", "黄色", "绿色"};

std::string ChineseOf(const std::vector<MeasureInfo>& list, const std::string& id) {
  for (const auto& n : list)
    if (id == n.id) return n.chinese;
  return id;
}

json Options(const std::vector<MeasureInfo>& list, const std::string& selected) {
  json out = json::array();
  for (const auto& n : list)
    out.push_back({{"value", n.id}, {"label", n.chinese}, {"selected", selected == n.id}});
  return out;
}

std::pair<std::string, std::string> StatusLook(const std::string& status) {
  if (status == "collecting") return {"征集意见", "blue"};
  if (status == "signing") return {"方案会签中", "amber"};
  if (status == "final") return {"方案已定稿·落实中", "green"};
  if (status == "closed") return {"已结案", ""};
  return {status, ""};
}

// "已超期 3 天", "剩 2 天", "今日到期"; and the row's class.
std::pair<std::string, std::string> DueText(int64_t due_ms, int64_t now_ms) {
  if (due_ms <= 0) return {"", ""};
  if (due_ms < now_ms) {
    const int64_t days = std::max<int64_t>(1, (now_ms - due_ms + kDayMs - 1) / kDayMs);
    return {absl::StrCat("已超期 ", days, " 天"), "overdue"};
  }
  const int64_t left = due_ms - now_ms;
  std::string text = left < kDayMs ? "今日到期" : absl::StrCat("剩 ", left / kDayMs, " 天");
  return {text, left < kDueSoonMs ? "due-soon" : ""};
}

std::string DateText(int64_t ms) { return ms > 0 ? FormatDate(DateOf(ms)) : ""; }

// A deadline in a printed table: 二〇二六年 and 十二月十二日, so a narrow
// column breaks the date after the year only; [] for none.
json DateLines(int64_t ms) {
  if (ms <= 0) return json::array();
  const std::string date = ChineseDate(ms);
  const size_t year = date.find("年") + std::string_view("年").size();
  return json::array({date.substr(0, year), date.substr(year)});
}

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

// "（2026）上0102刑初88号，（2026）上0102执12号": case numbers as typed,
// separated by commas, 、, semicolons or new lines.
std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  const std::string unified =
      absl::StrReplaceAll(text, {{"，", ","}, {"、", ","}, {"；", ","}, {";", ","}, {"\n", ","}});
  for (absl::string_view part : absl::StrSplit(unified, ',', absl::SkipWhitespace()))
    out.emplace_back(absl::StripAsciiWhitespace(part));
  return out;
}

// A date field ("2026-03-05") as the end of that day; 0 with `error` set.
int64_t DueDate(const std::string& text, const std::string& what, std::string& error) {
  auto d = ParseDate(text);
  if (!d.ok()) {
    if (error.empty()) error = absl::StrCat(what, "：请选择日期（年-月-日）");
    return 0;
  }
  return EndOfDayMs(*d);
}

}  // namespace

struct ReplyWait;

// The pages, owned by the console's page handlers (RegisterConferencePages);
// a reply or timer that comes after the console is gone finds it expired.
class ConferencePages : public std::enable_shared_from_this<ConferencePages> {
 public:
  explicit ConferencePages(ConsoleImpl& console) : c_(console) {}

  void List(Visit v);             // GET  /conferences
  void Show(Visit v);             // GET  /conferences/item?id=
  void PrintPlan(Visit v);        // GET  /conferences/plan/print?id=[&version=]
  void Convene(Visit v);          // POST /conferences/convene
  void Input(Visit v);            // POST /conferences/input
  void Plan(Visit v);             // POST /conferences/plan
  void Sign(Visit v);             // POST /conferences/sign
  void Task(Visit v);             // POST /conferences/task
  void ScheduleHearing(Visit v);  // POST /conferences/hearing
  void RecordHearing(Visit v);    // POST /conferences/hearing/record
  void Nominee(Visit v);          // POST /conferences/nominee
  void Close(Visit v);            // POST /conferences/close

 private:
  // A form shown again: what was entered, and why it was not taken.
  struct Redo {
    std::string step;  // the form's data-step ("" : none)
    std::string error;
    std::map<std::string, std::string> form;
    int status = 200;
    std::string Field(const std::string& key, const std::string& fallback) const {
      return form.empty() ? fallback : FormField(form, key);
    }
  };
  // What became of a message sent to the agent.
  struct Outcome {
    bool sent = false;  // in the outbox (else `reason` says why not, `bad` when the input is)
    bool bad = false;
    bool answered = false;  // the agent's ConferenceReply came in time
    pb::ConferenceReply reply;
    std::string reason;
  };
  using Sent = std::function<void(Visit, Outcome)>;
  using Read = std::function<void(absl::StatusOr<pb::ConferenceQueryReply>)>;
  using Viewed = std::function<void(Visit, const pb::ConferenceView&)>;

  void Ask(const pb::ConferenceQuery& q, Read then);
  // Reads conference `id` in full for `then`; answers the visit itself when
  // the agent cannot be asked (503), refuses this agency (403, logged as
  // `action`) or does not know the conference (404).
  void View(Visit v, const std::string& id, const std::string& action, Viewed then);
  void RenderList(Visit v, Redo redo);
  void RenderConference(Visit v, const std::string& id, Redo redo);
  json ConferenceValues(const Visit& v, const pb::ConferenceView& c, const Redo& redo);
  json PlanForm(const pb::ConferenceView& c, const Redo& redo);
  json PlanDocument(const pb::ConferenceView& c, const pb::ConferencePlanVersion& pv);
  // Sends `m` to the agent as this person, then waits for its answer.
  void Send(Visit v, const google::protobuf::Message& m, Sent then);
  void Poll(std::shared_ptr<ReplyWait> wait);
  // The usual end of a step on one conference: the page again, with the
  // agent's answer as a flash (or the form with its refusal).
  void Finish(Visit v, const std::string& action, const std::string& id, const std::string& done,
              Redo redo, const Outcome& o);
  // A step refused before sending (a missing field): the form again.
  void Reject(Visit v, const std::string& action, const std::string& id, Redo redo);
  // What this agency received about conference `id` (its inbox).
  std::string CaseFile(const std::string& id);
  json Notices(const std::string& id, const pb::ConferenceView& c);
  std::string Link(const std::string& id) const {
    return "/conferences/item?id=" + PercentEncode(id);
  }

  ConsoleImpl& c_;

  friend struct ReplyWait;
};

// One message waiting for the agent's ConferenceReply in the inbox.
struct ReplyWait {
  std::weak_ptr<ConferencePages> pages;
  boost::asio::steady_timer timer;
  std::string id;     // the sent envelope's id: the reply's correlation_id
  int64_t after = 0;  // inbox rows up to this one came before the send
  std::chrono::steady_clock::time_point deadline;
  Visit visit;
  ConferencePages::Sent then;
};

void ConferencePages::Ask(const pb::ConferenceQuery& q, Read then) {
  std::weak_ptr<ConferencePages> weak = weak_from_this();
  c_.ctx().bus.Ask(
      c_.ctx().config.console.conference, q, "concord.v1.ConferenceQueryReply", kReadTimeout,
      [weak, then = std::move(then)](absl::StatusOr<pb::Envelope> reply) {
        if (weak.expired()) return;
        if (!reply.ok()) return then(reply.status());
        pb::ConferenceQueryReply r;
        if (!reply->payload().UnpackTo(&r))
          return then(absl::InternalError(
              "会议代理的应答无法解析 / the conference agent's answer could not be read"));
        then(std::move(r));
      });
}

void ConferencePages::Send(Visit v, const google::protobuf::Message& m, Sent then) {
  Outcome o;
  std::string payload;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(m, &payload, print).ok()) {
    o.reason = "消息无法编码 / the message could not be encoded";
    return then(std::move(v), std::move(o));
  }
  sql::Db& db = c_.ctx().client.db();
  auto after = db.QueryInt("SELECT coalesce(max(n), 0) FROM inbox_messages");
  if (!after.ok()) {
    o.reason = "本机关数据库暂不可用，请稍后再试 / the database is busy, try again";
    return then(std::move(v), std::move(o));
  }
  OutgoingMessage out;
  out.to = {c_.ctx().config.console.conference};
  out.type = m.GetDescriptor()->full_name();
  out.payload_json = payload;
  absl::StatusOr<std::string> id;
  {
    client::ActingAs acting(c_.ActorOf(v.account));
    id = c_.ctx().mailbox.Send(out);
  }
  if (!id.ok()) {  // a connector refused it (InvalidArgument), or the database failed
    o.reason = std::string(id.status().message());
    o.bad = absl::IsInvalidArgument(id.status());
    return then(std::move(v), std::move(o));
  }
  auto wait = std::make_shared<ReplyWait>(
      ReplyWait{weak_from_this(), boost::asio::steady_timer(c_.ctx().io), *id, *after,
                std::chrono::steady_clock::now() + kReplyWait, std::move(v), std::move(then)});
  Poll(std::move(wait));
}

void ConferencePages::Poll(std::shared_ptr<ReplyWait> wait) {
  Outcome o;
  o.sent = true;
  auto find = c_.ctx().client.db().Prepare(
      "SELECT payload_json FROM inbox_messages WHERE n > ? AND correlation_id = ? AND "
      "type = 'concord.v1.ConferenceReply' LIMIT 1");
  if (find.ok()) {
    find->BindAll(wait->after, wait->id);
    auto row = find->Step();
    if (row.ok() && *row) {
      google::protobuf::util::JsonParseOptions parse;
      parse.ignore_unknown_fields = true;
      o.answered = google::protobuf::util::JsonStringToMessage(find->Text(0), &o.reply, parse).ok();
    }
    find->Reset();
  }
  if (o.answered || std::chrono::steady_clock::now() >= wait->deadline) {
    if (o.answered && !o.reply.ok()) o.reason = o.reply.reason();
    return wait->then(std::move(wait->visit), std::move(o));
  }
  wait->timer.expires_after(kReplyPoll);
  wait->timer.async_wait([wait](const boost::system::error_code& ec) {
    auto pages = wait->pages.lock();
    if (!ec && pages) pages->Poll(wait);
  });
}

void ConferencePages::Finish(Visit v, const std::string& action, const std::string& id,
                             const std::string& done, Redo redo, const Outcome& o) {
  if (!o.sent) {
    c_.Log(v, action, id, false, o.reason);
    redo.error = absl::StrCat("未能发送：", o.reason);
    redo.status = o.bad ? 400 : 503;
    return RenderConference(std::move(v), id, std::move(redo));
  }
  if (!o.answered) {
    c_.Log(v, action, id, true, "sent; the agent has not answered yet");
    return c_.Redirect(v, Link(id),
                       "已发送，会议代理尚未答复（网络或代理繁忙）；稍后刷新本页即可看到结果");
  }
  if (!o.reply.ok()) {
    c_.Log(v, action, id, false, o.reason);
    redo.error = absl::StrCat("会议代理未接受：", o.reason);
    redo.status = 409;
    return RenderConference(std::move(v), id, std::move(redo));
  }
  c_.Log(v, action, id, true);
  c_.Redirect(v, Link(id), done);
}

void ConferencePages::Reject(Visit v, const std::string& action, const std::string& id, Redo redo) {
  c_.Log(v, action, id, false, redo.error);
  redo.status = 400;
  RenderConference(std::move(v), id, std::move(redo));
}

std::string ConferencePages::CaseFile(const std::string& id) {
  // The latest invitation the agent (and no one else) sent this agency.
  auto st = c_.ctx().client.db().Prepare(
      "SELECT json_extract(payload_json, '$.case_file') FROM inbox_messages WHERE "
      "type = 'concord.v1.ConferenceInvitation' AND sender = ? AND "
      "json_extract(payload_json, '$.conference_id') = ? ORDER BY n DESC LIMIT 1");
  if (!st.ok()) return "";
  st->BindAll(c_.ctx().config.console.conference, id);
  auto row = st->Step();
  std::string text = row.ok() && *row ? st->Text(0) : "";
  st->Reset();
  return text;
}

json ConferencePages::Notices(const std::string& id, const pb::ConferenceView& c) {
  json out = json::array();
  auto st = c_.ctx().client.db().Prepare(
      "SELECT received_ms, json_extract(payload_json, '$.text') FROM inbox_messages WHERE "
      "type = 'concord.v1.ConferenceNotice' AND sender = ? AND "
      "json_extract(payload_json, '$.conference_id') = ? ORDER BY n DESC LIMIT 20");
  if (!st.ok()) return out;
  st->BindAll(c_.ctx().config.console.conference, id);
  while (true) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    std::string text = ChineseHalf(st->Text(1));
    for (const auto& a : c.invited()) text = absl::StrReplaceAll(text, {{a, c_.AgencyName(a)}});
    out.push_back({{"at", FormatMs(st->Int(0))}, {"text", text}});
  }
  st->Reset();
  return out;
}

// ---- the list ---------------------------------------------------------------

void ConferencePages::List(Visit v) { RenderList(std::move(v), {}); }

void ConferencePages::RenderList(Visit v, Redo redo) {
  pb::ConferenceQuery q;
  q.set_mine(true);
  q.set_limit(kListLimit);
  Ask(q, [this, v = std::move(v),
          redo = std::move(redo)](absl::StatusOr<pb::ConferenceQueryReply> reply) mutable {
    json values = json::object();
    json rows = json::array();
    bool may_convene = false;
    if (!reply.ok()) {
      values["read_error"] = absl::StrCat("会议代理暂时无法查询：", reply.status().message());
    } else if (!reply->ok()) {
      values["read_error"] = reply->reason();
    } else {
      may_convene = reply->may_convene();
      const std::string me = c_.ctx().config.agency;
      for (const pb::ConferenceView& c : reply->conferences()) {
        const auto [status_text, status_tag] = StatusLook(c.status());
        json todo = json::array();
        auto allowed = [&](const char* s) { return Contains(c.allowed(), s); };
        if (allowed("sign"))
          todo.push_back(
              {{"text", absl::StrCat("待签署第 ", c.latest_version(), " 版")}, {"tag", "amber"}});
        if (c.status() == "collecting" && !Contains(c.inputs_from(), me))
          todo.push_back({{"text", "待提交意见"}, {"tag", "amber"}});
        if (allowed("task")) todo.push_back({{"text", "有任务待落实"}, {"tag", "blue"}});
        if (allowed("hearing_record")) todo.push_back({{"text", "待记录听证"}, {"tag", "blue"}});
        if (allowed("nominee")) todo.push_back({{"text", "待指派听证人员"}, {"tag", "blue"}});
        if (allowed("close")) todo.push_back({{"text", "可结案"}, {"tag", "green"}});
        const auto [due_text, row_class] = DueText(c.next_due_ms(), c_.Now());
        rows.push_back({{"id", c.conference_id()},
                        {"title", c.title()},
                        {"case_key", c.case_key()},
                        {"convenor", c_.AgencyName(c.convenor())},
                        {"status_cn", status_text},
                        {"status_tag", status_tag},
                        {"todo", todo},
                        {"open_tasks", c.open_tasks()},
                        {"next_due", DateText(c.next_due_ms())},
                        {"due_text", due_text},
                        {"row_class", row_class}});
      }
    }
    values["rows"] = rows;
    values["has_rows"] = !rows.empty();
    // The convene form: for a convening agency, to those who may convene.
    const bool can = accounts::Allowed(v.account, Permission::kConvene);
    if (may_convene && !can)
      values["convene_hint"] =
          absl::StrCat("召集联席会议须由", RolesFor(Permission::kConvene), "办理。");
    if (may_convene && can) {
      json invite = json::array();
      for (const auto& a : c_.Agencies(true)) {
        const std::string p = a["principal"].get<std::string>();
        invite.push_back({{"principal", p},
                          {"name", a["name"]},
                          {"checked", redo.Field("invite_" + p, "") == "1"}});
      }
      values["convene"] = {
          {"request_id", redo.Field("request_id", "网会-" + NewUuidV7())},
          {"title", redo.Field("title", "")},
          {"case_key", redo.Field("case_key", "")},
          {"case_refs", redo.Field("case_refs", "")},
          {"inputs_due", redo.Field("inputs_due", DateText(c_.Now() + 3 * kDayMs))},
          {"case_file", redo.Field("case_file", "")},
          {"invite", invite},
          {"open", !redo.error.empty()},
          {"error", redo.error}};
    }
    c_.Render(v, "联席会议", "conferences", c_.Template("conferences.html"), std::move(values),
              redo.status);
  });
}

void ConferencePages::Convene(Visit v) {
  if (!c_.Require(v, Permission::kConvene, "conference.convene", "")) return;
  Redo redo{.step = "convene", .error = "", .form = v.request.Form()};
  pb::ConferenceConvene m;
  m.set_request_id(redo.Field("request_id", ""));
  if (m.request_id().empty()) m.set_request_id("网会-" + NewUuidV7());
  m.set_title(redo.Field("title", ""));
  m.set_case_key(redo.Field("case_key", ""));
  for (const auto& r : SplitList(redo.Field("case_refs", ""))) m.add_case_refs(r);
  for (const auto& a : c_.Agencies(true)) {
    const std::string p = a["principal"].get<std::string>();
    if (redo.Field("invite_" + p, "") == "1") m.add_invited(p);
  }
  m.set_case_file(redo.Field("case_file", ""));
  std::string error;
  if (m.title().empty()) error = "请填写会议名称";
  if (error.empty() && m.case_key().empty()) error = "请填写案件编号（台账号或案号）";
  if (error.empty() && m.invited().empty()) error = "请至少邀请一个其他机关";
  const int64_t due = DueDate(redo.Field("inputs_due", ""), "意见截止日期", error);
  m.set_inputs_due_ms(due);
  if (error.empty() && due < c_.Now()) error = "意见截止日期须在今天或以后";
  if (!error.empty()) {
    c_.Log(v, "conference.convene", m.case_key(), false, error);
    redo.error = error;
    redo.status = 400;
    return RenderList(std::move(v), std::move(redo));
  }
  std::vector<std::string> names;
  for (const auto& a : m.invited()) names.push_back(c_.AgencyName(a));
  Send(std::move(v), m,
       [this, redo = std::move(redo), names, case_key = m.case_key()](Visit v, Outcome o) mutable {
         if (o.sent && o.answered && o.reply.ok()) {
           const std::string id = o.reply.conference_id();
           c_.Log(v, "conference.convene", id, true);
           return c_.Redirect(v, Link(id),
                              absl::StrCat("已召集联席会议 ", id, "，已向",
                                           absl::StrJoin(names, "、"), "发出邀请"));
         }
         if (o.sent && !o.answered) {
           c_.Log(v, "conference.convene", case_key, true, "sent; the agent has not answered yet");
           return c_.Redirect(v, "/conferences",
                              "召集通知已发送，会议代理尚未答复；稍后刷新本页即可看到新会议");
         }
         c_.Log(v, "conference.convene", case_key, false, o.reason);
         redo.error = absl::StrCat(o.sent ? "会议代理未接受：" : "未能发送：", o.reason);
         redo.status = o.sent ? 409 : o.bad ? 400 : 503;
         RenderList(std::move(v), std::move(redo));
       });
}

// ---- one conference ---------------------------------------------------------

void ConferencePages::Show(Visit v) {
  const std::string id = v.request.Query("id");
  RenderConference(std::move(v), id, {});
}

void ConferencePages::View(Visit v, const std::string& id, const std::string& action, Viewed then) {
  pb::ConferenceQuery q;
  q.set_conference_id(id);
  Ask(q, [this, v = std::move(v), id, action,
          then = std::move(then)](absl::StatusOr<pb::ConferenceQueryReply> reply) mutable {
    if (!reply.ok())
      return c_.Render(
          v, "联席会议", "conferences", c_.Template("refused.html"),
          {{"heading", "暂时无法查询"},
           {"reason", absl::StrCat("会议代理暂时无法查询：", reply.status().message())},
           {"back", "/conferences"}},
          503);
    if (!reply->ok() || reply->conferences().empty()) {
      const bool theirs =
          reply->code() == static_cast<int32_t>(absl::StatusCode::kPermissionDenied);
      if (theirs) c_.Log(v, action, id, false, reply->reason());
      return c_.Render(v, "联席会议", "conferences", c_.Template("refused.html"),
                       {{"heading", theirs ? "无权查看" : "没有这个联席会议"},
                        {"reason", reply->reason()},
                        {"back", "/conferences"}},
                       theirs ? 403 : 404);
    }
    then(std::move(v), reply->conferences(0));
  });
}

void ConferencePages::RenderConference(Visit v, const std::string& id, Redo redo) {
  View(std::move(v), id, "conference.view",
       [this, redo = std::move(redo)](Visit v, const pb::ConferenceView& c) {
         json values = ConferenceValues(v, c, redo);
         c_.Render(v, "联席会议 " + c.conference_id(), "conferences",
                   c_.Template("conference.html"), std::move(values), redo.status);
       });
}

json ConferencePages::ConferenceValues(const Visit& v, const pb::ConferenceView& c,
                                       const Redo& redo) {
  const std::string me = c_.ctx().config.agency;
  const int64_t now = c_.Now();
  auto allowed = [&](const char* s) { return Contains(c.allowed(), s); };
  auto name = [&](const std::string& p) { return c_.AgencyName(p); };
  auto signer = [](const pb::ConferenceSignatureView& s) {
    if (s.signer().name().empty()) return std::string("（本机关系统报送）");
    return absl::StrCat(s.signer().role(), " ", s.signer().name());
  };
  const auto [status_text, status_tag] = StatusLook(c.status());
  const int latest = c.latest_version();
  json values = {{"cid", c.conference_id()},
                 {"c",
                  {{"title", c.title()},
                   {"case_key", c.case_key()},
                   {"case_refs", absl::StrJoin(c.case_refs(), "、")},
                   {"convenor", name(c.convenor())},
                   {"status_cn", status_text},
                   {"status_tag", status_tag},
                   {"inputs_due", FormatMs(c.inputs_due_ms())},
                   {"convened", FormatMs(c.convened_ms())},
                   {"lead_leader", c.lead_leader()},
                   {"outcome", c.outcome()},
                   {"case_file", CaseFile(c.conference_id())},
                   {"latest_version", latest}}}};

  // The agencies, the convenor first: input and signature on the latest version.
  std::vector<std::string> order = {c.convenor()};
  for (const auto& a : c.invited())
    if (a != c.convenor()) order.push_back(a);
  json agencies = json::array();
  for (const std::string& a : order) {
    json row = {
        {"principal", a}, {"name", name(a)}, {"convenor", a == c.convenor()}, {"me", a == me}};
    row["input_state"] = "未提交";
    row["input_tag"] = c.status() == "collecting" ? "amber" : "";
    for (const auto& in : c.inputs())
      if (in.agency() == a) {
        row["input_state"] = absl::StrCat("已提交 ", FormatMs(in.at_ms()));
        row["input_tag"] = "green";
      }
    if (latest == 0) {
      row["sign_text"] = "尚无方案";
      row["sign_tag"] = "";
    } else {
      row["sign_text"] = "待签署";
      row["sign_tag"] = "amber";
      for (const auto& s : c.signatures())  // the latest decision on the latest version
        if (s.agency() == a && s.version() == latest) {
          row["sign_text"] = s.approved() ? "已签署" : "要求修改";
          row["sign_tag"] = s.approved() ? "green" : "red";
          row["signer"] = signer(s);
          row["sign_at"] = FormatMs(s.at_ms());
          row["sign_note"] = s.note();
        }
    }
    agencies.push_back(std::move(row));
  }
  values["agencies"] = agencies;
  values["has_plan"] = latest > 0;
  values["signed_count"] = c.signed_latest_size();
  values["invited_count"] = c.invited_size();

  // The inputs.
  json inputs = json::array();
  for (const auto& in : c.inputs()) {
    json measures = json::array();
    for (const auto& m : in.measures())
      measures.push_back(
          {{"measure_cn", ChineseOf(kMeasures, m.measure())}, {"detail", m.detail()}});
    inputs.push_back({{"agency_name", name(in.agency())},
                      {"assessment", in.assessment()},
                      {"at", FormatMs(in.at_ms())},
                      {"has_measures", !measures.empty()},
                      {"measures", measures}});
  }
  values["inputs"] = inputs;
  values["has_inputs"] = !inputs.empty();

  // The plan: the latest version in full, every version with its decisions.
  auto task_rows = [&](const pb::ConferencePlan& p, bool live) {
    json rows = json::array();
    for (const auto& t : p.tasks()) {
      const bool done = t.status() == "done";
      auto [due_text, row_class] =
          live && !done ? DueText(t.due_ms(), now) : std::pair<std::string, std::string>{"", ""};
      rows.push_back({{"task_id", t.task_id()},
                      {"agency_name", name(t.agency())},
                      {"person", t.person()},
                      {"measure_cn", ChineseOf(kMeasures, t.measure())},
                      {"detail", t.detail()},
                      {"due", DateText(t.due_ms())},
                      {"due_text", due_text},
                      {"row_class", row_class},
                      {"status_cn", !live  ? "待定稿"
                                    : done ? "已完成"
                                           : "落实中"},
                      {"status_tag", !live  ? ""
                                     : done ? "green"
                                            : "blue"},
                      {"last_note", t.last_note()},
                      {"done_at", FormatMs(t.done_ms())},
                      {"mine", t.agency() == me}});
    }
    return rows;
  };
  const bool live = c.status() == "final" || c.status() == "closed";
  if (latest > 0) {
    const pb::ConferencePlanVersion& pv = c.plans(c.plans_size() - 1);
    const pb::ConferencePlan& p = pv.plan();
    std::vector<std::string> follow_ups;
    for (int64_t f : p.follow_ups_ms()) follow_ups.push_back(DateText(f));
    values["plan"] = {{"version", pv.version()},
                      {"at", FormatMs(pv.at_ms())},
                      {"summary", p.summary()},
                      {"core_demand", p.core_demand()},
                      {"risk_level", p.risk_level()},
                      {"lead_leader", p.lead_leader()},
                      {"closing_criteria", p.closing_criteria()},
                      {"follow_ups", absl::StrJoin(follow_ups, "、")},
                      {"final", live}};
    values["plan"]["print"] = "/conferences/plan/print?id=" + PercentEncode(c.conference_id());
    values["tasks"] = task_rows(p, live);
  }
  json versions = json::array();
  for (int i = c.plans_size() - 1; i >= 0; --i) {
    const pb::ConferencePlanVersion& pv = c.plans(i);
    json decisions = json::array();
    for (const auto& s : c.signatures())
      if (s.version() == pv.version())
        decisions.push_back({{"agency_name", name(s.agency())},
                             {"decision", s.approved() ? "同意签署" : "要求修改"},
                             {"tag", s.approved() ? "green" : "red"},
                             {"signer", signer(s)},
                             {"at", FormatMs(s.at_ms())},
                             {"note", s.note()}});
    const bool newest = i == c.plans_size() - 1;
    versions.push_back({{"version", pv.version()},
                        {"at", FormatMs(pv.at_ms())},
                        {"latest", newest},
                        {"summary", pv.plan().summary()},
                        {"has_older_tasks", !newest},
                        {"older_tasks", newest ? json::array() : task_rows(pv.plan(), false)},
                        {"decisions", decisions},
                        {"has_decisions", !decisions.empty()}});
  }
  values["versions"] = versions;
  values["has_versions"] = !versions.empty();

  // The hearings.
  json hearings = json::array();
  for (const auto& h : c.hearings()) {
    json people = json::array();
    for (const auto& p : h.participants())
      people.push_back(
          {{"role_cn", ChineseOf(kRoles, p.role())},
           {"name",
            p.name().empty() ? absl::StrCat("待", name(p.arranged_by()), "指派") : p.name()},
           {"arranged_by", p.arranged_by().empty() ? "" : name(p.arranged_by())},
           {"attended", h.outcome().empty() ? ""
                        : p.attended()      ? "出席"
                                            : "未出席"},
           {"opinion", p.opinion()}});
    hearings.push_back({{"hearing_id", h.hearing_id()},
                        {"starts", FormatMs(h.starts_ms())},
                        {"place", h.place()},
                        {"chair", h.chair()},
                        {"host", name(h.host())},
                        {"people", people},
                        {"outcome", h.outcome()},
                        {"recorded", FormatMs(h.recorded_ms())}});
  }
  values["hearings"] = hearings;
  values["has_hearings"] = !hearings.empty();
  json notices = Notices(c.conference_id(), c);
  values["has_notices"] = !notices.empty();
  values["notices"] = std::move(notices);

  // The steps this agency may take now, for this person's role; the others
  // as hints (who in the agency does them).
  json steps = json::object();
  json hints = json::array();
  auto may = [&](Permission p, const std::string& what) {
    if (accounts::Allowed(v.account, p)) return true;
    hints.push_back(absl::StrCat(what, "须由", RolesFor(p), "办理。"));
    return false;
  };
  auto step = [&](const std::string& s) {
    return json{{"open", redo.step == s}, {"error", redo.step == s ? redo.error : ""}};
  };
  const pb::ConferenceInputView* mine = nullptr;
  for (const auto& in : c.inputs())
    if (in.agency() == me) mine = &in;
  if (allowed("input") && may(Permission::kHandle, "提交本机关意见")) {
    json s = step("input");
    s["label"] = mine ? "修改本机关意见" : "提交本机关意见";
    s["assessment"] = redo.Field("assessment", mine ? mine->assessment() : "");
    json rows = json::array();
    const int n = std::max(kMeasureRows, mine ? mine->measures_size() + 1 : 0);
    for (int i = 0; i < n; ++i) {
      const bool have = mine && i < mine->measures_size();
      const std::string k = absl::StrCat("m", i, "_");
      rows.push_back(
          {{"i", i},
           {"measures",
            Options(kMeasures, redo.Field(k + "measure", have ? mine->measures(i).measure() : ""))},
           {"detail", redo.Field(k + "detail", have ? mine->measures(i).detail() : "")}});
    }
    s["rows"] = rows;
    steps["input"] = s;
  }
  if (allowed("plan") && may(Permission::kConvene, "拟定、修改工作方案")) {
    json s = step("plan");
    s.update(PlanForm(c, redo));
    steps["plan"] = s;
  }
  if (allowed("sign") && may(Permission::kSignPlan, absl::StrCat("签署第 ", latest, " 版方案"))) {
    json s = step("sign");
    s["version"] = latest;
    s["note"] = redo.Field("note", "");
    steps["sign"] = s;
  }
  if (allowed("task") && may(Permission::kHandle, "报送任务进展")) {
    json tasks = json::array();
    for (const auto& t : c.plans(c.plans_size() - 1).plan().tasks()) {
      if (t.agency() != me || t.status() == "done") continue;
      const bool this_one = redo.step == "task" && FormField(redo.form, "task_id") == t.task_id();
      tasks.push_back({{"task_id", t.task_id()},
                       {"label", absl::StrCat(t.task_id(), " ", ChineseOf(kMeasures, t.measure()),
                                              "：", t.detail())},
                       {"aid", t.measure() == "judicial_aid"},
                       {"note", this_one ? FormField(redo.form, "note") : ""},
                       {"aid_record_id", this_one ? FormField(redo.form, "aid_record_id") : ""},
                       {"open", this_one},
                       {"error", this_one ? redo.error : ""}});
    }
    steps["tasks"] = tasks;
  }
  if (allowed("hearing") && may(Permission::kHandle, "安排公开听证")) {
    json s = step("hearing");
    // "听-2026-001-1": the conference's number and the hearing's (the agent
    // refuses an id used before, so a form sent twice is one hearing).
    s["hearing_id"] =
        redo.Field("hearing_id", absl::StrCat("听-", absl::StripPrefix(c.conference_id(), "会-"),
                                              "-", c.hearings_size() + 1));
    s["starts"] = redo.Field("starts", "");
    s["place"] = redo.Field("place", "");
    s["chair"] = redo.Field("chair", "");
    json rows = json::array();
    for (int i = 0; i < kParticipantRows; ++i) {
      const std::string k = absl::StrCat("p", i, "_");
      json by = json::array();
      const std::string chosen = redo.Field(k + "arranged_by", "");
      for (const auto& a : c.invited())
        by.push_back({{"principal", a}, {"name", name(a)}, {"selected", a == chosen}});
      rows.push_back(
          {{"i", i},
           {"roles", Options(kRoles, redo.Field(k + "role", i == 0 ? "petitioner" : ""))},
           {"name", redo.Field(k + "name", "")},
           {"by", by}});
    }
    s["rows"] = rows;
    steps["hearing"] = s;
  }
  if (allowed("hearing_record") && may(Permission::kHandle, "记录听证")) {
    json forms = json::array();
    for (const auto& h : c.hearings()) {
      if (h.host() != me || !h.outcome().empty()) continue;
      const bool this_one =
          redo.step == "record" && FormField(redo.form, "hearing_id") == h.hearing_id();
      json people = json::array();
      int i = 0;
      for (const auto& p : h.participants()) {
        if (p.name().empty()) continue;
        const std::string k = absl::StrCat("a", i, "_");
        people.push_back({{"i", i++},
                          {"name", p.name()},
                          {"role_cn", ChineseOf(kRoles, p.role())},
                          {"attended", !this_one || FormField(redo.form, k + "attended") == "1"},
                          {"opinion", this_one ? FormField(redo.form, k + "opinion") : ""}});
      }
      forms.push_back({{"hearing_id", h.hearing_id()},
                       {"starts", FormatMs(h.starts_ms())},
                       {"people", people},
                       {"outcome", this_one ? FormField(redo.form, "outcome") : ""},
                       {"open", this_one},
                       {"error", this_one ? redo.error : ""}});
    }
    steps["records"] = forms;
  }
  if (allowed("nominee") && may(Permission::kHandle, "指派听证人员")) {
    json forms = json::array();
    for (const auto& h : c.hearings()) {
      if (!h.outcome().empty()) continue;
      for (const auto& p : h.participants())
        if (p.arranged_by() == me && p.name().empty())
          forms.push_back({{"hearing_id", h.hearing_id()},
                           {"role", p.role()},
                           {"role_cn", ChineseOf(kRoles, p.role())},
                           {"starts", FormatMs(h.starts_ms())},
                           {"open", redo.step == "nominee"},
                           {"error", redo.step == "nominee" ? redo.error : ""}});
    }
    steps["nominees"] = forms;
  }
  if (allowed("close") && may(Permission::kConvene, "结案")) {
    json s = step("close");
    s["outcome"] = redo.Field("outcome", "");
    steps["close"] = s;
  }
  values["steps"] = steps;
  values["hints"] = hints;
  values["has_steps"] = !steps.empty() || !hints.empty();
  // An error of a step no longer offered (another clerk was quicker).
  if (!redo.error.empty() && !steps.contains(redo.step == "task"      ? "tasks"
                                             : redo.step == "record"  ? "records"
                                             : redo.step == "nominee" ? "nominees"
                                                                      : redo.step))
    values["flash"] = {{"kind", "error"}, {"text", redo.error}};
  return values;
}

// The plan form: what was entered, else the latest version, else the
// measures the agencies proposed (the convenor merges them), and blank rows.
json ConferencePages::PlanForm(const pb::ConferenceView& c, const Redo& redo) {
  const pb::ConferencePlan* p = c.plans().empty() ? nullptr : &c.plans(c.plans_size() - 1).plan();
  const bool again = redo.step == "plan" && !redo.form.empty();
  auto field = [&](const std::string& key, const std::string& from_plan) {
    return again ? FormField(redo.form, key) : from_plan;
  };
  json s;
  s["label"] = p ? absl::StrCat("修改方案（提出第 ", c.latest_version() + 1, " 版）")
                 : "拟定工作方案（第 1 版）";
  s["summary"] = field("summary", p ? p->summary() : c.title());
  s["core_demand"] = field("core_demand", p ? p->core_demand() : "");
  s["lead_leader"] = field("lead_leader", p ? p->lead_leader() : "");
  s["closing_criteria"] = field("closing_criteria", p ? p->closing_criteria() : "");
  s["follow_up"] =
      field("follow_up", p && !p->follow_ups_ms().empty() ? DateText(p->follow_ups_ms(0)) : "");
  const std::string risk = field("risk_level", p ? p->risk_level() : "");
  json risks = json::array();
  for (const char* r : kRiskLevels) risks.push_back({{"value", r}, {"selected", risk == r}});
  s["risks"] = risks;
  s["from_inputs"] = !p && !again && !c.inputs().empty();

  struct Row {
    std::string id, agency, person, measure, detail, due;
  };
  std::vector<Row> rows;
  if (again) {
    for (int i = 0; i < kMaxRows; ++i) {
      const std::string k = absl::StrCat("t", i, "_");
      if (!redo.form.count(k + "agency")) break;
      rows.push_back({FormField(redo.form, k + "id"), FormField(redo.form, k + "agency"),
                      FormField(redo.form, k + "person"), FormField(redo.form, k + "measure"),
                      FormField(redo.form, k + "detail"), FormField(redo.form, k + "due")});
    }
  } else if (p) {
    for (const auto& t : p->tasks())
      rows.push_back(
          {t.task_id(), t.agency(), t.person(), t.measure(), t.detail(), DateText(t.due_ms())});
  } else {
    for (const auto& in : c.inputs())
      for (const auto& m : in.measures())
        rows.push_back({"", in.agency(), "", m.measure(), m.detail(), ""});
  }
  if (!again)
    for (int i = 0; i < kBlankTaskRows; ++i) rows.push_back({});
  if (rows.size() > static_cast<size_t>(kMaxRows)) rows.resize(kMaxRows);
  json out = json::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    json agencies = json::array();
    for (const auto& a : c.invited())
      agencies.push_back(
          {{"principal", a}, {"name", c_.AgencyName(a)}, {"selected", a == rows[i].agency}});
    out.push_back({{"i", i},
                   {"id", rows[i].id},
                   {"agencies", agencies},
                   {"person", rows[i].person},
                   {"measures", Options(kMeasures, rows[i].measure)},
                   {"detail", rows[i].detail},
                   {"due", rows[i].due}});
  }
  s["rows"] = out;
  return s;
}

// ---- the printed plan -------------------------------------------------------

void ConferencePages::PrintPlan(Visit v) {
  const std::string id = v.request.Query("id");
  const std::string version = v.request.Query("version");
  View(std::move(v), id, "conference.print_plan",
       [this, id, version](Visit v, const pb::ConferenceView& c) {
         const std::string title = "联席会议工作方案";
         if (c.plans().empty())
           return c_.Render(
               v, title, "conferences", c_.Template("refused.html"),
               {{"heading", "暂不能打印工作方案"},
                {"reason", absl::StrCat("该联席会议尚未提出工作方案（当前状态：",
                                        StatusLook(c.status()).first, "），暂不能打印。须先由",
                                        c_.AgencyName(c.convenor()),
                                        "在会议页拟定工作方案。 / the conference has no plan yet")},
                {"back", Link(id)}},
               409);
         const pb::ConferencePlanVersion* pv = &c.plans(c.plans_size() - 1);
         if (!version.empty()) {
           int n = 0;
           pv = nullptr;
           if (absl::SimpleAtoi(version, &n))
             for (const auto& p : c.plans())
               if (p.version() == n) pv = &p;
         }
         if (!pv)
           return c_.Render(v, title, "conferences", c_.Template("refused.html"),
                            {{"heading", "没有这一版方案"},
                             {"reason", absl::StrCat("该联席会议的工作方案共 ", c.latest_version(),
                                                     " 版，没有第 ", version,
                                                     " 版 / no such version of the plan")},
                             {"back", Link(id)}},
                            404);
         c_.Log(v, "conference.print_plan", id, true);
         v.respond({200,
                    "text/html; charset=utf-8",
                    c_.Template("plan_print.html").Render(PlanDocument(c, *pv)),
                    {{"Cache-Control", "no-store"}}});
       });
}

// The plan as the document shows it: the convenor's name on top, the plan's
// fields, its tasks with their deadlines as Chinese dates, and each invited
// agency's signature on this version (or 未会签).
json ConferencePages::PlanDocument(const pb::ConferenceView& c,
                                   const pb::ConferencePlanVersion& pv) {
  const pb::ConferencePlan& p = pv.plan();
  const bool latest = pv.version() == c.latest_version();
  const bool is_final = latest && (c.status() == "final" || c.status() == "closed");
  std::vector<std::string> follow_ups;
  for (int64_t f : p.follow_ups_ms()) follow_ups.push_back(ChineseDate(f));
  json tasks = json::array();
  for (const auto& t : p.tasks()) {
    const bool done = t.status() == "done";
    tasks.push_back({{"task_id", t.task_id()},
                     {"agency_name", c_.AgencyName(t.agency())},
                     {"person", t.person()},
                     {"measure_cn", ChineseOf(kMeasures, t.measure())},
                     {"detail", t.detail()},
                     {"due_cn", DateLines(t.due_ms())},
                     {"status_cn", !latest     ? "已修订"
                                   : !is_final ? "待定稿"
                                   : done      ? "已完成"
                                               : "落实中"}});
  }
  // Each invited agency, the convenor first, with its latest decision on
  // this version: signed, or not (yet).
  std::vector<std::string> order = {c.convenor()};
  for (const auto& a : c.invited())
    if (a != c.convenor()) order.push_back(a);
  json signatures = json::array();
  int64_t last_signed = 0;
  int signed_count = 0;
  for (const std::string& a : order) {
    const pb::ConferenceSignatureView* decision = nullptr;
    for (const auto& s : c.signatures())
      if (s.agency() == a && s.version() == pv.version()) decision = &s;
    json row = {{"principal", a}, {"agency_name", c_.AgencyName(a)}};
    if (decision && decision->approved()) {
      row["signed"] = true;
      row["signer"] =
          decision->signer().name().empty() ? "（本机关系统报送）" : decision->signer().name();
      row["role"] = decision->signer().role();
      row["at"] = FormatMs(decision->at_ms());
      last_signed = std::max(last_signed, decision->at_ms());
      ++signed_count;
    } else {
      row["signed"] = false;
      row["changes"] = decision != nullptr;  // asked for changes instead
    }
    signatures.push_back(std::move(row));
  }
  const std::string state = is_final ? "已定稿" : latest ? "会签中" : "已修订";
  return {{"cid", c.conference_id()},
          {"back", Link(c.conference_id())},
          {"agency", c_.AgencyName(c.convenor())},
          {"title", c.title()},
          {"case_key", c.case_key()},
          {"case_refs", absl::StrJoin(c.case_refs(), "、")},
          {"version", pv.version()},
          {"final", is_final},
          {"state", state},
          {"proposed_cn", ChineseDate(pv.at_ms())},
          {"date_cn", ChineseDate(is_final && last_signed > 0 ? last_signed : pv.at_ms())},
          {"summary", p.summary()},
          {"core_demand", p.core_demand()},
          {"risk_level", p.risk_level()},
          {"lead_leader", p.lead_leader()},
          {"follow_ups", absl::StrJoin(follow_ups, "、")},
          {"closing_criteria", p.closing_criteria()},
          {"tasks", tasks},
          {"signatures", signatures},
          {"signed_count", signed_count},
          {"invited_count", static_cast<int>(order.size())}};
}

// ---- the steps --------------------------------------------------------------

void ConferencePages::Input(Visit v) {
  Redo redo{.step = "input", .error = "", .form = v.request.Form()};
  const std::string id = FormField(redo.form, "id");
  if (!c_.Require(v, Permission::kHandle, "conference.input", id)) return;
  pb::ConferenceInput m;
  m.set_conference_id(id);
  m.set_assessment(FormField(redo.form, "assessment"));
  for (int i = 0; i < kMaxRows; ++i) {
    const std::string k = absl::StrCat("m", i, "_");
    if (!redo.form.count(k + "measure")) break;
    const std::string detail = FormField(redo.form, k + "detail");
    if (detail.empty()) continue;  // a measure is proposed with what it means here
    pb::ConferenceMeasure* x = m.add_measures();
    x->set_measure(FormField(redo.form, k + "measure"));
    x->set_detail(detail);
  }
  if (m.assessment().empty() && m.measures().empty()) {
    redo.error = "请填写评估意见，或至少一项建议措施及其内容";
    return Reject(std::move(v), "conference.input", id, std::move(redo));
  }
  Send(std::move(v), m, [this, id, redo = std::move(redo)](Visit v, Outcome o) mutable {
    Finish(std::move(v), "conference.input", id, "已提交本机关意见", std::move(redo), o);
  });
}

void ConferencePages::Plan(Visit v) {
  Redo redo{.step = "plan", .error = "", .form = v.request.Form()};
  const std::string id = FormField(redo.form, "id");
  if (!c_.Require(v, Permission::kConvene, "conference.plan", id)) return;
  pb::ConferencePlan m;
  m.set_conference_id(id);
  m.set_summary(FormField(redo.form, "summary"));
  m.set_core_demand(FormField(redo.form, "core_demand"));
  m.set_risk_level(FormField(redo.form, "risk_level"));
  m.set_lead_leader(FormField(redo.form, "lead_leader"));
  m.set_closing_criteria(FormField(redo.form, "closing_criteria"));
  std::string error;
  if (m.summary().empty()) error = "请填写案情摘要";
  if (error.empty() && m.lead_leader().empty()) error = "请填写包案领导（一案一策、一包案领导）";
  if (!FormField(redo.form, "follow_up").empty())
    m.add_follow_ups_ms(DueDate(FormField(redo.form, "follow_up"), "回访日期", error));
  std::set<std::string> used;
  for (int i = 0; i < kMaxRows; ++i)
    if (std::string t = FormField(redo.form, absl::StrCat("t", i, "_id")); !t.empty())
      used.insert(t);
  int next = 1;
  for (int i = 0; i < kMaxRows; ++i) {
    const std::string k = absl::StrCat("t", i, "_");
    if (!redo.form.count(k + "agency")) break;
    const std::string person = FormField(redo.form, k + "person");
    const std::string detail = FormField(redo.form, k + "detail");
    if (person.empty() && detail.empty()) continue;  // a blank row, or one left out
    std::string task_id = FormField(redo.form, k + "id");
    if (task_id.empty()) {
      while (used.count(absl::StrCat("T", next))) ++next;
      task_id = absl::StrCat("T", next);
      used.insert(task_id);
    }
    const std::string where = absl::StrCat("第 ", i + 1, " 行任务");
    if (error.empty() && person.empty()) error = where + "：请填写责任人";
    if (error.empty() && detail.empty()) error = where + "：请填写任务内容";
    pb::ConferenceTask* t = m.add_tasks();
    t->set_task_id(task_id);
    t->set_agency(FormField(redo.form, k + "agency"));
    t->set_person(person);
    t->set_measure(FormField(redo.form, k + "measure"));
    t->set_detail(detail);
    t->set_due_ms(DueDate(FormField(redo.form, k + "due"), where + "完成期限", error));
  }
  if (error.empty() && m.tasks().empty()) error = "方案至少须有一项任务";
  if (!error.empty()) {
    redo.error = error;
    return Reject(std::move(v), "conference.plan", id, std::move(redo));
  }
  Send(std::move(v), m, [this, id, redo = std::move(redo)](Visit v, Outcome o) mutable {
    const std::string done =
        absl::StrCat("已提出第 ", o.reply.version(), " 版方案，已送各参加机关会签");
    Finish(std::move(v), "conference.plan", id, done, std::move(redo), o);
  });
}

void ConferencePages::Sign(Visit v) {
  Redo redo{.step = "sign", .error = "", .form = v.request.Form()};
  const std::string id = FormField(redo.form, "id");
  const bool approve = FormField(redo.form, "decision") != "changes";
  const std::string action = approve ? "conference.sign" : "conference.request_changes";
  if (!c_.Require(v, Permission::kSignPlan, action, id)) return;
  pb::ConferenceSign m;
  m.set_conference_id(id);
  m.set_approve(approve);
  m.set_note(FormField(redo.form, "note"));
  int version = 0;
  if (!absl::SimpleAtoi(FormField(redo.form, "version"), &version) || version < 1) {
    redo.error = "缺少方案版本，请刷新页面后重试";
    return Reject(std::move(v), action, id, std::move(redo));
  }
  m.set_version(version);
  if (!approve && m.note().empty()) {
    redo.error = "要求修改须写明修改意见";
    return Reject(std::move(v), action, id, std::move(redo));
  }
  Send(std::move(v), m,
       [this, id, action, approve, version, redo = std::move(redo)](Visit v, Outcome o) mutable {
         const std::string done =
             !approve ? absl::StrCat("已要求修改第 ", version, " 版，已通知召集机关")
             : o.reply.status() == "final"
                 ? absl::StrCat("已签署第 ", version, " 版；各机关均已签署，方案定稿")
                 : absl::StrCat("已签署第 ", version, " 版方案");
         Finish(std::move(v), action, id, done, std::move(redo), o);
       });
}

void ConferencePages::Task(Visit v) {
  Redo redo{.step = "task", .error = "", .form = v.request.Form()};
  const std::string id = FormField(redo.form, "id");
  const std::string task_id = FormField(redo.form, "task_id");
  if (!c_.Require(v, Permission::kHandle, "conference.task", id)) return;
  pb::ConferenceTaskUpdate m;
  m.set_conference_id(id);
  m.set_task_id(task_id);
  m.set_note(FormField(redo.form, "note"));
  m.set_done(FormField(redo.form, "done") == "1");
  m.set_aid_record_id(FormField(redo.form, "aid_record_id"));
  if (m.note().empty()) {
    redo.error = "请写明进展情况";
    return Reject(std::move(v), "conference.task", id, std::move(redo));
  }
  const std::string done = m.done() ? absl::StrCat("任务 ", task_id, " 已办结")
                                    : absl::StrCat("已报送任务 ", task_id, " 的进展");
  Send(std::move(v), m, [this, id, done, redo = std::move(redo)](Visit v, Outcome o) mutable {
    Finish(std::move(v), "conference.task", id, done, std::move(redo), o);
  });
}

void ConferencePages::ScheduleHearing(Visit v) {
  Redo redo{.step = "hearing", .error = "", .form = v.request.Form()};
  const std::string id = FormField(redo.form, "id");
  if (!c_.Require(v, Permission::kHandle, "conference.hearing", id)) return;
  pb::HearingSchedule m;
  m.set_conference_id(id);
  m.set_hearing_id(FormField(redo.form, "hearing_id"));
  m.set_place(FormField(redo.form, "place"));
  m.set_chair(FormField(redo.form, "chair"));
  std::string error;
  std::string starts = FormField(redo.form, "starts");  // "2026-12-01T09:30" from the browser
  std::replace(starts.begin(), starts.end(), 'T', ' ');
  auto at = ParseDateTimeMs(starts);
  if (!at.ok()) error = "请选择听证时间";
  m.set_starts_ms(at.ok() ? *at : 0);
  for (int i = 0; i < kMaxRows; ++i) {
    const std::string k = absl::StrCat("p", i, "_");
    if (!redo.form.count(k + "role")) break;
    const std::string name = FormField(redo.form, k + "name");
    const std::string by = FormField(redo.form, k + "arranged_by");
    if (name.empty() && by.empty()) continue;
    pb::HearingParticipant* p = m.add_participants();
    p->set_role(FormField(redo.form, k + "role"));
    p->set_name(name);
    p->set_arranged_by(name.empty() ? by : "");  // named here, or named later by that agency
  }
  if (error.empty() && (m.place().empty() || m.chair().empty())) error = "请填写听证地点和主持人";
  if (error.empty() && m.participants().empty()) error = "请填写听证参加人";
  if (!error.empty()) {
    redo.error = error;
    return Reject(std::move(v), "conference.hearing", id, std::move(redo));
  }
  const std::string done = absl::StrCat("已安排公开听证 ", m.hearing_id(), "（",
                                        FormatMs(m.starts_ms()), "），已通知各参加机关");
  Send(std::move(v), m, [this, id, done, redo = std::move(redo)](Visit v, Outcome o) mutable {
    Finish(std::move(v), "conference.hearing", id, done, std::move(redo), o);
  });
}

void ConferencePages::RecordHearing(Visit v) {
  Redo redo{.step = "record", .error = "", .form = v.request.Form()};
  const std::string id = FormField(redo.form, "id");
  const std::string hearing = FormField(redo.form, "hearing_id");
  if (!c_.Require(v, Permission::kHandle, "conference.hearing_record", id)) return;
  pb::HearingRecord m;
  m.set_hearing_id(hearing);
  m.set_outcome(FormField(redo.form, "outcome"));
  for (int i = 0; i < kMaxRows; ++i) {
    const std::string k = absl::StrCat("a", i, "_");
    if (!redo.form.count(k + "name")) break;
    pb::HearingParticipant* p = m.add_attendance();
    p->set_name(FormField(redo.form, k + "name"));
    p->set_attended(FormField(redo.form, k + "attended") == "1");
    p->set_opinion(FormField(redo.form, k + "opinion"));
  }
  if (m.outcome().empty()) {
    redo.error = "请填写听证结论";
    return Reject(std::move(v), "conference.hearing_record", id, std::move(redo));
  }
  Send(std::move(v), m, [this, id, hearing, redo = std::move(redo)](Visit v, Outcome o) mutable {
    Finish(std::move(v), "conference.hearing_record", id, absl::StrCat("已记录公开听证 ", hearing),
           std::move(redo), o);
  });
}

void ConferencePages::Nominee(Visit v) {
  Redo redo{.step = "nominee", .error = "", .form = v.request.Form()};
  const std::string id = FormField(redo.form, "id");
  if (!c_.Require(v, Permission::kHandle, "conference.nominee", id)) return;
  pb::HearingNominee m;
  m.set_hearing_id(FormField(redo.form, "hearing_id"));
  m.set_role(FormField(redo.form, "role"));
  m.set_name(FormField(redo.form, "name"));
  if (m.name().empty()) {
    redo.error = "请填写指派人员的姓名";
    return Reject(std::move(v), "conference.nominee", id, std::move(redo));
  }
  const std::string done = absl::StrCat("已报送听证人员 ", m.name());
  Send(std::move(v), m, [this, id, done, redo = std::move(redo)](Visit v, Outcome o) mutable {
    Finish(std::move(v), "conference.nominee", id, done, std::move(redo), o);
  });
}

void ConferencePages::Close(Visit v) {
  Redo redo{.step = "close", .error = "", .form = v.request.Form()};
  const std::string id = FormField(redo.form, "id");
  if (!c_.Require(v, Permission::kConvene, "conference.close", id)) return;
  pb::ConferenceClose m;
  m.set_conference_id(id);
  m.set_outcome(FormField(redo.form, "outcome"));
  if (m.outcome().empty()) {
    redo.error = "结案须记录化解结果（如息诉罢访）";
    return Reject(std::move(v), "conference.close", id, std::move(redo));
  }
  Send(std::move(v), m, [this, id, redo = std::move(redo)](Visit v, Outcome o) mutable {
    Finish(std::move(v), "conference.close", id, "联席会议已结案", std::move(redo), o);
  });
}

void RegisterConferencePages(ConsoleImpl& c) {
  if (c.ctx().config.console.conference.empty()) return;
  auto pages = std::make_shared<ConferencePages>(c);
  c.AddNav("/conferences", "联席会议", "conferences");
  auto page = [&c, pages](const char* method, const char* path, void (ConferencePages::*f)(Visit)) {
    c.AddPage(method, path, [pages, f](Visit v) { ((*pages).*f)(std::move(v)); });
  };
  page("GET", "/conferences", &ConferencePages::List);
  page("GET", "/conferences/item", &ConferencePages::Show);
  page("GET", "/conferences/plan/print", &ConferencePages::PrintPlan);
  page("POST", "/conferences/convene", &ConferencePages::Convene);
  page("POST", "/conferences/input", &ConferencePages::Input);
  page("POST", "/conferences/plan", &ConferencePages::Plan);
  page("POST", "/conferences/sign", &ConferencePages::Sign);
  page("POST", "/conferences/task", &ConferencePages::Task);
  page("POST", "/conferences/hearing", &ConferencePages::ScheduleHearing);
  page("POST", "/conferences/hearing/record", &ConferencePages::RecordHearing);
  page("POST", "/conferences/nominee", &ConferencePages::Nominee);
  page("POST", "/conferences/close", &ConferencePages::Close);
}

}  // namespace concord::adapter
