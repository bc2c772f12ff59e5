// The console's petition pages: 待办 (my work), 信访台账 (search and
// register), one item with its shared history and the lifecycle forms.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "adapters/console/console_impl.h"
#include "adapters/payload_json.h"
#include "common/clock.h"
#include "common/url.h"
#include "common/uuid.h"
#include "domain/calendar.h"
#include "domain/rules.h"

namespace concord::adapter {

namespace {

using accounts::Permission;
using json = nlohmann::json;
namespace pb = concord::v1;

// 待办 lists this many open items, the next due date first.
constexpr int kWorkItems = 100;

struct Channel {
  const char* value;
  const char* label;
};
constexpr Channel kChannels[] = {{"visit", "来访"},           {"letter", "来信"},
                                 {"online", "网上（12309）"}, {"phone", "电话"},
                                 {"video", "视频"},           {"transferred", "转送、交办"}};
constexpr const char* kReplyChannels[] = {"书面答复", "当面答复", "电话答复", "短信告知",
                                          "网上答复"};

std::string ChannelName(const std::string& value) {
  for (const auto& c : kChannels)
    if (value == c.value) return c.label;
  return value;
}

std::string StatusName(const std::string& value) {
  auto s = ledger::StatusFromName(value);
  return s ? ledger::StatusChineseName(*s) : value;
}

std::string ActionName(const std::string& value) {
  auto a = ledger::ActionFromName(value);
  return a ? ledger::ActionChineseName(*a) : value;
}

// "已超期 3 天", "剩 2 天", "剩 5 小时"; the row's class.
std::pair<std::string, std::string> Due(int64_t due_ms, bool overdue, bool due_soon,
                                        int64_t now_ms) {
  if (due_ms <= 0) return {"", ""};
  if (overdue || due_ms < now_ms) {
    const int64_t days = std::max<int64_t>(1, (now_ms - due_ms + kDayMs - 1) / kDayMs);
    return {absl::StrCat("已超期 ", days, " 天"), "overdue"};
  }
  const int64_t left = due_ms - now_ms;
  std::string text = left < kDayMs
                         ? absl::StrCat("剩 ", std::max<int64_t>(1, left / kHourMs), " 小时")
                         : absl::StrCat("剩 ", left / kDayMs, " 天");
  return {text, due_soon ? "due-soon" : ""};
}

// Which permission each lifecycle step needs in the console.
Permission ActionPermission(ledger::Action a) {
  using ledger::Action;
  switch (a) {
    case Action::kAccept:
    case Action::kNotAccept:
    case Action::kTransfer:
    case Action::kObjectToTransfer:
      return Permission::kAssign;
    case Action::kExtend:
      return Permission::kApproveExtension;
    case Action::kStartReview:
    case Action::kRequestMaterials:
      return Permission::kRegister;
    default:
      return Permission::kHandle;
  }
}

// What a step's form asks for besides the note.
struct StepForm {
  bool department = false, handler = false, to_agency = false, channel = false;
  const char* note_label = "说明";
  bool note_required = false;
  const char* days_label = nullptr;  // extend, hearing: the days (a number field)
  bool approver = false;             // extend: who approved it (本机关负责人)
  bool answer_received = false;      // request_review: when the written answer was received
};
StepForm FormOf(ledger::Action a) {
  using ledger::Action;
  switch (a) {
    case Action::kAccept:
      return {true, true, false, false, "受理意见", false};
    case Action::kNotAccept:
      return {false, false, false, false, "不予受理的理由（告知信访人）", true};
    case Action::kTransfer:
      return {false, false, true, false, "移送理由（向信访人说明）", true};
    case Action::kObjectToTransfer:
      return {false, false, false, false, "异议理由", true};
    case Action::kRequestMaterials:
      return {false, false, false, false, "需一次性补充的材料", true};
    case Action::kProceduralReply:
    case Action::kProgressReply:
    case Action::kSubstantiveReply:
      return {false, false, false, true, "答复内容", true};
    case Action::kExtend:
      return {false,
              false,
              false,
              false,
              "延期理由（告知信访人）",
              true,
              "延长天数（至多 30 日，须在办理期限届满前）",
              true,
              false};
    case Action::kReviewOpinion:
      return {false, false, false, false, "复查/复核意见", true};
    case Action::kRequestReview:
      return {false, false, false, false, "复查/复核请求的理由", false, nullptr, false, true};
    case Action::kContactUnreachable:
      return {false, false, false, false, "联系情况（如：三次电话无人接听、地址查无此人）", true};
    case Action::kHearing:
      return {false, false, false, false, "听证情况", true, "听证所用天数（不计入办理期限）",
              false, false};
    default:
      return {};
  }
}

// The registration's note ("channel=visit 集体访 group ...") as a clerk reads it.
std::string RegisterNote(const std::string& note) {
  if (!absl::StartsWith(note, "channel=")) return note;
  const size_t space = note.find(' ');
  const std::string channel =
      note.substr(8, space == std::string::npos ? std::string::npos : space - 8);
  return "来源渠道：" + ChannelName(channel) +
         (space == std::string::npos ? "" : note.substr(space));
}

// The ledger's clock when it answered (due dates are counted from it).
int64_t AsOf(const pb::LedgerQueryReply& r) {
  return r.as_of_ms() ? r.as_of_ms() : SystemClock::Get().NowMs();
}

bool PureHandler(const accounts::Account& a) {
  return accounts::Allowed(a, Permission::kHandle) && !accounts::Allowed(a, Permission::kAssign);
}

}  // namespace

// ---- 待办 -----------------------------------------------------------------

void ConsoleImpl::Work(Visit v) {
  const bool mine = PureHandler(v.account);
  json values = {{"scope", mine ? "我承办的在办事项" : "本机关在办事项"},
                 {"failed_notice", FailedNotice(*this)}};

  // Alerts the ledger sent to this agency (DeadlineAlert in the inbox).
  json alerts = json::array();
  int unread = 0;
  // The newest 500 (a handler's: of those naming them), newest first.
  std::string naming;
  if (mine) {
    pb::DeadlineAlert theirs;
    theirs.set_handler(v.account.name);
    naming = PrintedField(theirs, "handler");
  }
  auto inbox = ctx_.mailbox.Latest({"concord.v1.DeadlineAlert"}, 500, naming);
  if (inbox.ok()) {
    const bool leads = accounts::Allowed(v.account, Permission::kAssign) ||
                       accounts::Allowed(v.account, Permission::kSupervise);
    for (auto it = inbox->begin(); it != inbox->end() && alerts.size() < 50; ++it) {
      json p = json::parse(it->payload_json, nullptr, false);
      if (p.is_discarded()) continue;
      const std::string kind = p.value("kind", "");
      const std::string handler = p.value("handler", "");
      if (mine && handler != v.account.name) continue;
      if (kind == "escalation" && !leads) continue;
      if (!it->read) ++unread;
      const char* kind_cn = kind == "warning"   ? "即将到期"
                            : kind == "overdue" ? "已超期"
                            : kind == "report"  ? "重大事项报告"
                                                : "督办升级";
      alerts.push_back({{"id", it->id},
                        {"at", FormatMs(it->received_ms)},
                        {"kind_cn", kind_cn},
                        {"tag", kind == "warning" || kind == "report" ? "amber" : "red"},
                        {"row_class", it->read                                ? ""
                                      : kind == "warning" || kind == "report" ? "due-soon"
                                                                              : "overdue"},
                        {"ledger_no", p.value("ledger_no", "")},
                        // An aid application's deadline (the aid agent's) opens the application.
                        {"href", absl::StrCat(absl::StartsWith(p.value("rule", ""), "aid_")
                                                  ? "/aid/application?id="
                                                  : "/petitions/item?no=",
                                              p.value("ledger_no", ""))},
                        {"text", p.value("text", "")},
                        {"unread", !it->read}});
    }
  }
  values["alerts"] = alerts;
  values["has_alerts"] = !alerts.empty();
  values["alert_count"] = unread;

  pb::LedgerQuery q;
  q.set_open_only(true);
  q.set_by_due(true);  // the next due date first
  q.set_limit(kWorkItems);
  if (mine)
    q.set_handler(v.account.name);
  else
    q.set_agency(ctx_.config.agency);
  AskLedger(q, [this, v = std::move(v),
                values = std::move(values)](absl::StatusOr<pb::LedgerQueryReply> reply) mutable {
    json items = json::array();
    int64_t total = 0;
    bool capped = false;
    if (!reply.ok()) {
      values["ledger_error"] = absl::StrCat("账本暂时无法查询：", reply.status().message());
    } else if (!reply->ok()) {
      values["ledger_error"] = reply->reason();
    } else {
      // (In the ledger's order: the next due date first.)
      for (const auto& i : reply->items()) {
        auto [due_text, row_class] = Due(i.next_due_ms(), i.overdue(), i.due_soon(), AsOf(*reply));
        items.push_back({{"ledger_no", i.ledger_no()},
                         {"matter", i.matter()},
                         {"status_cn", StatusName(i.status())},
                         {"department", i.department()},
                         {"handler", i.handler()},
                         {"group", i.group()},
                         {"major", i.major()},
                         {"next_rule_text", i.next_rule_text()},
                         {"next_due", FormatMs(i.next_due_ms())},
                         {"due_text", due_text},
                         {"row_class", row_class}});
      }
      total = reply->total();
      capped = reply->total_capped();
    }
    values["count"] = capped ? absl::StrCat(total, " 件以上") : absl::StrCat(total, " 件");
    if (total > static_cast<int64_t>(items.size()))
      values["shown"] = absl::StrCat("以下为期限最近的 ", items.size(), " 件");
    values["has_items"] = !items.empty();
    values["items"] = std::move(items);
    Render(v, "待办", "work", Template("work.html"), std::move(values));
  });
}

void ConsoleImpl::ReadAlert(Visit v) {
  const auto form = v.request.Form();
  const std::string id = FormField(form, "id");
  auto st = ctx_.mailbox.AckIds({id});
  Log(v, "alert.read", id, st.ok(), st.ok() ? "" : std::string(st.status().message()));
  Redirect(v, "/", st.ok() ? "已标记为已阅" : "标记失败，请重试", !st.ok());
}

// ---- 信访台账 ---------------------------------------------------------------

void ConsoleImpl::Petitions(Visit v) {
  const WebRequest& r = v.request;
  json f = {{"q", r.Query("q")},
            {"status", r.Query("status")},
            {"channel", r.Query("channel")},
            {"agency", r.Query("agency")},
            {"handler", r.Query("handler")},
            {"from", r.Query("from")},
            {"to", r.Query("to")},
            {"open", r.Query("open") == "1"}};
  int page = 1;
  if (!absl::SimpleAtoi(r.Query("page"), &page) || page < 1) page = 1;
  constexpr int kPage = 50;

  pb::LedgerQuery q;
  q.set_text(f["q"].get<std::string>());
  q.set_status(f["status"].get<std::string>());
  q.set_channel(f["channel"].get<std::string>());
  q.set_agency(f["agency"].get<std::string>());
  q.set_handler(f["handler"].get<std::string>());
  q.set_open_only(f["open"].get<bool>());
  q.set_limit(kPage);
  q.set_offset((page - 1) * kPage);
  std::string bad;
  auto day = [&](const std::string& key, bool end) -> int64_t {
    const std::string text = f[key].get<std::string>();
    if (text.empty()) return 0;
    auto d = ParseDate(text);
    if (!d.ok()) {
      bad = absl::StrCat("日期格式应为 年-月-日 / dates are YYYY-MM-DD: ", text);
      return 0;
    }
    return end ? EndOfDayMs(*d) : StartOfDayMs(*d);
  };
  q.set_received_from_ms(day("from", false));
  q.set_received_to_ms(day("to", true));

  json values = {{"f", f},
                 {"page", page},
                 {"can_register", accounts::Allowed(v.account, Permission::kRegister)}};
  json statuses = json::array();
  for (int s = 0; s <= static_cast<int>(ledger::Status::kFinal); ++s) {
    const auto st = static_cast<ledger::Status>(s);
    statuses.push_back({{"value", ledger::StatusName(st)},
                        {"label", ledger::StatusChineseName(st)},
                        {"selected", f["status"] == ledger::StatusName(st)}});
  }
  values["statuses"] = statuses;
  json channels = json::array();
  for (const auto& c : kChannels)
    channels.push_back(
        {{"value", c.value}, {"label", c.label}, {"selected", f["channel"] == c.value}});
  values["channels"] = channels;
  json agencies = Agencies(false);
  for (auto& a : agencies) a["selected"] = a["principal"] == f["agency"];
  values["agencies"] = agencies;
  if (!bad.empty()) {
    values["ledger_error"] = bad;
    values["total"] = 0;
    values["total_text"] = "0 件";
    Render(v, "信访台账", "petitions", Template("petitions.html"), std::move(values), 400);
    return;
  }
  AskLedger(q, [this, v = std::move(v), values = std::move(values),
                page](absl::StatusOr<pb::LedgerQueryReply> reply) mutable {
    json items = json::array();
    int total = 0;
    bool capped = false;  // the ledger stopped counting at `total`
    if (!reply.ok()) {
      values["ledger_error"] = absl::StrCat("账本暂时无法查询：", reply.status().message());
    } else if (!reply->ok()) {
      values["ledger_error"] = reply->reason();
    } else {
      total = reply->total();
      capped = reply->total_capped();
      for (const auto& i : reply->items()) {
        auto [due_text, row_class] = Due(i.next_due_ms(), i.overdue(), i.due_soon(), AsOf(*reply));
        items.push_back({{"ledger_no", i.ledger_no()},
                         {"received", FormatMs(i.received_ms())},
                         {"channel_cn", ChannelName(i.channel())},
                         {"petitioner", i.anonymous() ? "（匿名）" : i.petitioner()},
                         {"matter", i.matter()},
                         {"status_cn", StatusName(i.status())},
                         {"agency_name", AgencyName(i.agency())},
                         {"handler", i.handler()},
                         {"due_text", due_text},
                         {"row_class", row_class}});
      }
    }
    // Paging links keep the filters.
    auto link = [&](int p) {
      std::string t = v.request.target;
      auto qpos = t.find('?');
      std::string params = qpos == std::string::npos ? "" : t.substr(qpos + 1);
      std::string kept;
      for (absl::string_view part : absl::StrSplit(params, '&', absl::SkipEmpty()))
        if (!absl::StartsWith(part, "page=")) absl::StrAppend(&kept, part, "&");
      return absl::StrCat("/petitions?", kept, "page=", p);
    };
    if (page > 1) values["prev"] = link(page - 1);
    if (page * 50 < total || (capped && !items.empty())) values["next"] = link(page + 1);
    values["total"] = total;
    values["total_text"] = capped ? absl::StrCat(total, " 件以上") : absl::StrCat(total, " 件");
    values["has_items"] = !items.empty();
    values["items"] = std::move(items);
    Render(v, "信访台账", "petitions", Template("petitions.html"), std::move(values));
  });
}

namespace {

json ChannelOptions(const std::string& selected) {
  json channels = json::array();
  for (const auto& c : kChannels)
    channels.push_back({{"value", c.value}, {"label", c.label}, {"selected", selected == c.value}});
  return channels;
}

}  // namespace

void ConsoleImpl::NewPetition(Visit v) {
  if (!Require(v, Permission::kRegister, "petition.register", "")) return;
  json values = {{"v", {{"intake_id", "网-" + NewUuidV7()}, {"people", 1}}},
                 {"channels", ChannelOptions("visit")},
                 {"bad", json::object()}};
  Render(v, "登记信访", "petitions", Template("new_petition.html"), std::move(values));
}

void ConsoleImpl::RegisterPetition(Visit v) {
  if (!Require(v, Permission::kRegister, "petition.register", "")) return;
  const auto form = v.request.Form();
  json entered = {{"intake_id", FormField(form, "intake_id")},
                  {"channel", FormField(form, "channel")},
                  {"petitioner", FormField(form, "petitioner")},
                  {"contact", FormField(form, "contact")},
                  {"matter", FormField(form, "matter")},
                  {"case_ref", FormField(form, "case_ref")},
                  {"people", FormField(form, "people").empty() ? "1" : FormField(form, "people")},
                  {"anonymous", FormField(form, "anonymous") == "1"},
                  {"major", FormField(form, "major") == "1"},
                  {"representatives", FormField(form, "representatives")}};
  std::string received = FormField(form, "received");  // "2026-12-01T09:30" from the browser
  std::replace(received.begin(), received.end(), 'T', ' ');
  if (!received.empty()) entered["received"] = received;
  if (entered["intake_id"].get<std::string>().empty()) entered["intake_id"] = "网-" + NewUuidV7();

  HttpResponse r = CallApi(v, "POST", "/petitions", entered.dump());
  if (r.status != 202) {
    json body = json::parse(r.body, nullptr, false);
    std::string error = body.is_object() ? body.value("error", r.body) : r.body;
    json bad = json::object();
    if (body.is_object() && body.contains("errors") && !body["errors"].empty()) {
      error = body["errors"][0].value("error", error);
      for (const json& f : body["errors"][0].value("fields", json::array()))
        if (f.is_string()) bad[f.get<std::string>()] = true;
    }
    Log(v, "petition.register", entered["intake_id"].get<std::string>(), false, error);
    json shown = entered;
    shown["received"] = FormField(form, "received");
    Render(v, "登记信访", "petitions", Template("new_petition.html"),
           {{"v", shown},
            {"channels", ChannelOptions(FormField(form, "channel"))},
            {"bad", bad},
            {"error", error}},
           400);
    return;
  }
  const std::string intake_id = entered["intake_id"].get<std::string>();
  Log(v, "petition.register", intake_id, true);
  // Wait (briefly) for the ledger's number, then open the item.
  Await(
      v, "/petitions?intake_id=" + PercentEncode(intake_id),
      [](const json& b) { return b.value("status", "") != "registering"; }, 3000,
      [this, v = std::move(v), intake_id](json b) mutable {
        const std::string status = b.is_object() ? b.value("status", "") : "";
        if (status == "registered")
          return Redirect(v, "/petitions/item?no=" + PercentEncode(b.value("ledger_no", "")),
                          "已登记，台账号 " + b.value("ledger_no", ""));
        if (status == "refused")
          return Redirect(v, "/petitions", "账本拒绝登记：" + b.value("reason", ""), true);
        Redirect(v, "/petitions", "已提交登记（登记编号 " + intake_id + "），账本确认后即可查到");
      });
}

// ---- one item ---------------------------------------------------------------

void ConsoleImpl::Item(Visit v) {
  const std::string no = v.request.Query("no");
  pb::LedgerQuery q;
  q.set_ledger_no(no);
  AskLedger(q, [this, v = std::move(v), no](absl::StatusOr<pb::LedgerQueryReply> reply) mutable {
    if (!reply.ok())
      return Render(v, "信访事项", "petitions", Template("refused.html"),
                    {{"heading", "暂时无法查询"},
                     {"reason", absl::StrCat("账本暂时无法查询：", reply.status().message())},
                     {"back", "/petitions"}},
                    503);
    if (!reply->ok() || reply->items().empty()) {
      const bool theirs =
          reply->code() == static_cast<int32_t>(absl::StatusCode::kPermissionDenied);
      if (theirs) Log(v, "petition.view", no, false, reply->reason());
      return Render(v, "信访事项", "petitions", Template("refused.html"),
                    {{"heading", theirs ? "无权查看" : "没有这个事项"},
                     {"reason", reply->reason()},
                     {"back", "/petitions"}},
                    theirs ? 403 : 404);
    }
    const pb::LedgerItemView& i = reply->items(0);
    json item = {{"ledger_no", i.ledger_no()},
                 {"intake_id", i.intake_id()},
                 {"received", FormatMs(i.received_ms())},
                 {"channel_cn", ChannelName(i.channel())},
                 {"petitioner", i.petitioner()},
                 {"anonymous", i.anonymous()},
                 {"contact", i.contact()},
                 {"people", i.people()},
                 {"representatives", i.representatives()},
                 {"group", i.group()},
                 {"case_ref", i.case_ref()},
                 {"registered_by_name", AgencyName(i.registered_by())},
                 {"agency_name", AgencyName(i.agency())},
                 {"department", i.department()},
                 {"handler", i.handler()},
                 {"matter", i.matter()},
                 {"repeat_of", i.repeat_of()},
                 {"status_cn", StatusName(i.status())},
                 {"overdue", i.overdue()},
                 {"due_soon", i.due_soon() && !i.overdue()}};
    json deadlines = json::array();
    for (const auto& d : reply->deadlines()) {
      auto [text, row_class] = Due(d.met_ms() ? 0 : d.due_ms(), false, false, AsOf(*reply));
      // Met late shows as late; a lapsed one (missed, then the item moved on) as missed.
      std::string met = d.met_ms() ? FormatMs(d.met_ms()) : text;
      if (d.met_ms() > d.due_ms()) met += "（逾期办理）";
      if (d.lapsed()) met = "逾期未办（事项已转出或终结）";
      std::string due = FormatMs(d.due_ms());
      if (d.provisional()) due += "（暂计：该年度节假日安排尚未公布）";
      deadlines.push_back({{"text", d.text().empty() ? d.rule() : d.text()},
                           {"agency_name", AgencyName(d.agency())},
                           {"due", due},
                           {"met", met},
                           {"row_class", d.met_ms() && !d.lapsed() ? "" : row_class}});
    }
    json history = json::array();
    for (const auto& e : reply->history()) {
      std::string actor;
      if (!e.actor().name().empty()) actor = absl::StrCat(e.actor().role(), " ", e.actor().name());
      history.push_back({{"at", FormatMs(e.at_ms())},
                         {"agency_name", AgencyName(e.agency())},
                         {"actor", actor},
                         {"action_cn", ActionName(e.action())},
                         {"from_status", StatusName(e.from_status())},
                         {"to_status", e.to_status().empty() ? "" : StatusName(e.to_status())},
                         {"to_agency_name", e.to_agency().empty() ? "" : AgencyName(e.to_agency())},
                         // Where the step sent the item: transferred, returned, or up for review.
                         {"to_agency_verb", e.action() == "request_review" ? "提交上一级机关"
                                            : e.action() == "object_to_transfer" ? "退回"
                                                                                 : "移送至"},
                         {"note", RegisterNote(e.note())}});
    }
    // The steps the rules allow this agency now, and this person may take.
    json actions = json::array();
    json handlers = json::array();
    if (auto list = accounts().List(); list.ok())
      for (const auto& a : *list)
        if (!a.disabled && a.Has(accounts::Role::kHandler))
          handlers.push_back({{"name", a.name}, {"department", a.department}});
    for (const auto& name : reply->allowed_actions()) {
      auto action = ledger::ActionFromName(name);
      if (!action || !accounts::Allowed(v.account, ActionPermission(*action))) continue;
      // A handler takes the steps of the items they were named for; the name
      // is the responsible agency's first handler, so only there (a superior
      // organ's handler records a review request of an item handled below).
      if (PureHandler(v.account) && ActionPermission(*action) == Permission::kHandle &&
          i.agency() == ctx_.config.agency && !i.handler().empty() && i.handler() != v.account.name)
        continue;
      const StepForm f = FormOf(*action);
      actions.push_back({{"name", name},
                         {"label", ledger::ActionChineseName(*action)},
                         {"department", f.department},
                         {"handler", f.handler},
                         {"to_agency", f.to_agency},
                         {"channel", f.channel},
                         {"note_label", f.note_label},
                         {"note_required", f.note_required},
                         {"days", f.days_label != nullptr},
                         {"days_label", f.days_label ? f.days_label : ""},
                         {"days_max", *action == ledger::Action::kExtend ? 30 : 60},
                         {"approver", f.approver},
                         {"answer_received", f.answer_received}});
    }
    json reply_channels = json::array();
    for (const char* c : kReplyChannels) reply_channels.push_back(c);
    json values = {{"item", item},
                   {"ledger_no", i.ledger_no()},
                   {"deadlines", deadlines},
                   {"has_deadlines", !deadlines.empty()},
                   {"history", history},
                   {"actions", actions},
                   {"has_actions", !actions.empty()},
                   {"no_actions", reply->allowed_actions().empty()
                                      ? "本机关目前无需办理此事项。"
                                      : "下一步须由其他角色办理（如部门负责人分流、审批）。"},
                   {"handlers", handlers},
                   {"agencies", Agencies(true)},
                   {"reply_channels", reply_channels}};
    values["documents"] = DocumentLinks(ctx_.config.agency, *reply);  // 文书 (console_documents.cc)
    Render(v, "信访事项 " + i.ledger_no(), "petitions", Template("item.html"), std::move(values));
  });
}

void ConsoleImpl::Act(Visit v) {
  const auto form = v.request.Form();
  const std::string no = FormField(form, "no");
  const std::string name = FormField(form, "action");
  const std::string back = "/petitions/item?no=" + PercentEncode(no);
  auto action = ledger::ActionFromName(name);
  if (!action) {
    Log(v, "petition.act", no, false, "unknown action " + name);
    return Redirect(v, back, "未知的办理动作 / unknown action: " + name, true);
  }
  const std::string what = absl::StrCat("petition.", name);
  if (!Require(v, ActionPermission(*action), what, no)) return;
  const StepForm f = FormOf(*action);
  std::string note = FormField(form, "note");
  if (f.note_required && note.empty()) {
    Log(v, what, no, false, "note missing");
    return Redirect(v, back, std::string("请填写：") + f.note_label, true);
  }
  if (f.channel && !FormField(form, "channel").empty())
    note = absl::StrCat(FormField(form, "channel"), "：", note);
  json body = {{"ledger_no", no},
               {"action", name},
               {"note", note},
               {"to_agency", FormField(form, "to_agency")},
               {"department", FormField(form, "department")},
               {"handler", FormField(form, "handler")}};
  // accept: this agency's own number for the case, when it has one.
  if (f.department && !FormField(form, "case_ref").empty())
    body["case_ref"] = FormField(form, "case_ref");
  if (f.days_label) {
    int days = 0;
    if (!absl::SimpleAtoi(FormField(form, "days"), &days) || days < 1) {
      Log(v, what, no, false, "days missing");
      return Redirect(v, back, std::string("请填写：") + f.days_label, true);
    }
    body["days"] = days;
  }
  // The extension's approver is the person approving it here (they hold the
  // permission to approve extensions, ActionPermission).
  if (f.approver) body["approved_by"] = v.account.Title();
  if (f.answer_received) body["answer_received"] = FormField(form, "answer_received");
  HttpResponse r = CallApi(v, "POST", "/petitions/act", body.dump());
  json sent = json::parse(r.body, nullptr, false);
  if (r.status != 202 || !sent.is_object()) {
    const std::string error = sent.is_object() ? sent.value("error", r.body) : r.body;
    Log(v, what, no, false, error);
    return Redirect(v, back, error, true);
  }
  const std::string id = sent.value("id", "");
  const std::string label = ledger::ActionChineseName(*action);
  Await(
      v, "/petitions/act?id=" + id, [](const json& b) { return b.value("status", "") != "sent"; },
      3000,
      [this, v = std::move(v), back, what, no, label](json b) mutable {
        const std::string status = b.is_object() ? b.value("status", "") : "";
        if (status == "refused") {
          Log(v, what, no, false, b.value("reason", ""));
          return Redirect(v, back, "账本拒绝：" + b.value("reason", ""), true);
        }
        Log(v, what, no, true);
        if (status == "done") return Redirect(v, back, "已办理：" + label);
        Redirect(v, back, "已提交：" + label + "（账本确认中，稍后刷新）");
      });
}

void RegisterPetitionPages(ConsoleImpl& c) {
  c.AddNav("/", "待办", "work");
  c.AddPage("GET", "/", [&c](Visit v) { c.Work(std::move(v)); });
  c.AddPage("POST", "/alerts/read", [&c](Visit v) { c.ReadAlert(std::move(v)); });
  if (c.ctx().config.petitions.ledger.empty()) return;
  c.AddNav("/petitions", "信访台账", "petitions");
  c.AddPage("GET", "/petitions", [&c](Visit v) { c.Petitions(std::move(v)); });
  c.AddPage("GET", "/petitions/new", [&c](Visit v) { c.NewPetition(std::move(v)); });
  c.AddPage("POST", "/petitions/new", [&c](Visit v) { c.RegisterPetition(std::move(v)); });
  c.AddPage("GET", "/petitions/item", [&c](Visit v) { c.Item(std::move(v)); });
  c.AddPage("POST", "/petitions/act", [&c](Visit v) { c.Act(std::move(v)); });
}

}  // namespace concord::adapter
