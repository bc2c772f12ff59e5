// The console's 发送失败 page: the messages this agency sent that the hub
// refused for good (an ACL refusal, a reserved type, an unknown recipient, a
// frame over the limit: concord_outbox_failed, Mailbox::FailedPublishes), so
// that the clerk who sent one learns the other agency never got it. Every
// account of the agency sees them (a registrar must see their own refusal),
// with the person who sent each; anyone may mark one 已知悉, which ends the
// red notice (待办 and the menu's badge) for all.
// Below them, the deliveries this agency's client refused for their
// signature (concord_refused: forged or changed on the way, or signed by a
// key other than the one first seen from their sender), never applied,
// marked 已知悉 the same way (refused_seen) and counted in the same notice.
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/console/console_impl.h"

namespace concord::adapter {

namespace {

using json = nlohmann::json;

// What a clerk calls the messages an agency sends (and, for a refused one,
// those only an agent may send: an agency's system trying one is refused).
// Others show their type name.
const std::map<std::string, std::string, std::less<>>& SentTypeNames() {
  static const auto* const kNames = new std::map<std::string, std::string, std::less<>>{
      {"concord.v1.TextNote", "文字消息"},
      {"concord.v1.PetitionRegister", "信访登记"},
      {"concord.v1.PetitionAct", "信访办理"},
      {"concord.v1.PetitionIncident", "信访异常情况报告"},
      {"concord.v1.LedgerQuery", "信访台账查询"},
      {"concord.v1.ReceptionSlot", "接待日安排"},
      {"concord.v1.ReceptionBooking", "接待日预约"},
      {"concord.v1.ReceptionOutcome", "接待结果"},
      {"concord.v1.AidCheckRequest", "司法救助查重"},
      {"concord.v1.AidApplicationStep", "救助申请办理"},
      {"concord.v1.AidCaseLinks", "案件关联"},
      {"concord.v1.AidGrantChange", "救助登记更正或撤销"},
      {"concord.v1.AidStatusQuery", "救助查重结果查询"},
      {"concord.v1.AidDuplicateNotice", "重复救助提示"},
      {"concord.v1.DeadlineAlert", "期限提醒"},
      {"concord.v1.RiskReport", "风险评估表"},
      {"concord.v1.RiskQuery", "风险台账查询"},
      {"concord.v1.RiskWarning", "风险预警"},
      {"concord.v1.ConferenceConvene", "召集联席会议"},
      {"concord.v1.ConferenceInput", "联席会议意见"},
      {"concord.v1.ConferencePlan", "联席会议工作方案"},
      {"concord.v1.ConferenceSign", "工作方案会签"},
      {"concord.v1.ConferenceTaskUpdate", "任务办理进展"},
      {"concord.v1.ConferenceClose", "结束联席会议"},
      {"concord.v1.ConferenceQuery", "联席会议查询"},
      {"concord.v1.HearingSchedule", "公开听证安排"},
      {"concord.v1.HearingNominee", "听证人员推荐"},
      {"concord.v1.HearingRecord", "公开听证记录"},
  };
  return *kNames;
}

// The hub's code, as the clerk should read it.
std::string RefusalCodeName(const std::string& code) {
  if (code == "PERMISSION_DENIED") return "无权发送";
  if (code == "INVALID_ARGUMENT") return "消息不合规";
  if (code == "RESOURCE_EXHAUSTED") return "超出限制";
  if (code == "FAILED_PRECONDITION") return "条件不满足";
  if (code == "UNAUTHENTICATED") return "身份未通过";
  return code;
}

// "上州区人民法院、上州区人民检察院" from the recipients as sent (principals,
// "role:..", "topic:..").
std::string RecipientNames(const ConsoleImpl& c, const std::string& to_json) {
  json to = json::parse(to_json, nullptr, false);
  if (!to.is_array()) return "";
  std::vector<std::string> names;
  for (const auto& t : to)
    if (t.is_string()) names.push_back(c.AgencyName(t.get<std::string>()));
  return absl::StrJoin(names, "、");
}

// The refused deliveries the page lists, newest first.
constexpr int kMaxRefusedShown = 200;

// "文字消息" for "type.googleapis.com/concord.v1.TextNote"; a type the
// console does not name shows its name.
std::string RefusedTypeName(const std::string& type_url) {
  const std::string type = type_url.substr(type_url.rfind('/') + 1);
  auto name = SentTypeNames().find(type);
  return name == SentTypeNames().end() ? type : name->second;
}

// What follows the Chinese half of a "中文 / English" reason (the keys
// compared, for 信息科), "" when there is none.
std::string ReasonDetail(const std::string& reason) {
  const size_t slash = reason.find(" / ");
  return slash == std::string::npos ? "" : reason.substr(slash + 3);
}

// The refused deliveries' part of the page's values.
void RefusedValues(ConsoleImpl& c, json& values) {
  json rows = json::array();
  auto refused = c.ctx().mailbox.RefusedDeliveries(kMaxRefusedShown);
  if (refused.ok()) {
    for (const RefusedDelivery& r : *refused) {
      const bool seen = r.seen_ms > 0;
      rows.push_back({{"id", r.id},
                      {"at", FormatMs(r.at_ms)},
                      {"sender_cn", c.AgencyName(r.sender)},
                      {"sender", c.AgencyName(r.sender) == r.sender ? "" : r.sender},
                      {"type_cn", RefusedTypeName(r.type)},
                      {"type", r.type.substr(r.type.rfind('/') + 1)},
                      {"reason_cn", ChineseHalf(r.reason)},
                      {"reason_detail", ReasonDetail(r.reason)},
                      {"row_class", seen ? "" : "overdue"},
                      {"seen", seen},
                      {"seen_text", seen ? absl::StrCat("已知悉：", r.seen_by) : ""},
                      {"seen_at", FormatMs(r.seen_ms)}});
    }
  }
  // The counts are of all of them; the list shows the newest.
  auto total = c.ctx().mailbox.RefusedCount();
  auto unseen = c.ctx().mailbox.UnseenRefusedCount();
  const int64_t count = total.ok() ? *total : static_cast<int64_t>(rows.size());
  const bool more = count > static_cast<int64_t>(rows.size());
  values["refused"] = {{"rows", rows},
                       {"has_rows", !rows.empty()},
                       {"count", count},
                       {"shown", more ? json(rows.size()) : json()},
                       {"unseen", unseen.ok() && *unseen > 0 ? json(*unseen) : json()}};
  if (!refused.ok())
    values["refused"]["error"] = absl::StrCat("拒收记录暂时无法读取：", refused.status().message());
}

void FailedPage(ConsoleImpl& c, Visit v) {
  json rows = json::array();
  int64_t unseen = 0;
  auto failed = c.ctx().mailbox.FailedPublishes();
  if (failed.ok()) {
    for (auto it = failed->rbegin(); it != failed->rend(); ++it) {  // newest first
      const FailedPublish& f = *it;
      auto name = SentTypeNames().find(f.type);
      const std::string sender = f.actor.name().empty()
                                     ? "本机关业务系统（接口）"
                                     : absl::StrCat(f.actor.role(), " ", f.actor.name());
      const bool seen = f.seen_ms > 0;
      unseen += seen ? 0 : 1;
      rows.push_back({{"id", f.id},
                      {"at", FormatMs(f.at_ms)},
                      {"type_cn", name == SentTypeNames().end() ? f.type : name->second},
                      {"type", f.type},
                      {"to", RecipientNames(c, f.to_json)},
                      {"sender", sender},
                      {"code_cn", RefusalCodeName(f.code)},
                      {"reason", f.reason},
                      {"row_class", seen ? "" : "overdue"},
                      {"seen", seen},
                      {"seen_text", seen ? absl::StrCat("已知悉：", f.seen_by) : ""},
                      {"seen_at", FormatMs(f.seen_ms)}});
    }
  }
  json values = {{"rows", rows},
                 {"has_rows", !rows.empty()},
                 {"count", rows.size()},
                 {"unseen", unseen > 0 ? json(unseen) : json()}};
  if (!failed.ok())
    values["error"] = absl::StrCat("发送记录暂时无法读取：", failed.status().message());
  RefusedValues(c, values);
  c.Render(v, "发送失败", "failed", c.Template("failed.html"), std::move(values));
}

// 已知悉 on either list: `kind` "refused" for a refused delivery (logged
// as refused.seen), else a failed send (failed.seen).
void MarkFailedSeenPost(ConsoleImpl& c, Visit v) {
  const auto form = v.request.Form();
  const std::string id = FormField(form, "id");
  const bool refused = FormField(form, "kind") == "refused";
  const absl::Status st = refused ? c.ctx().mailbox.MarkRefusedSeen(id, v.account.Title())
                                  : c.ctx().mailbox.MarkFailedSeen(id, v.account.Title());
  c.Log(v, refused ? "refused.seen" : "failed.seen", id, st.ok(),
        st.ok() ? "" : std::string(st.message()));
  c.Redirect(v, refused ? "/failed#refused" : "/failed",
             st.ok() ? "已标记为已知悉" : std::string(st.message()), !st.ok());
}

// Failed sends and refused deliveries nobody has marked seen.
int64_t UnseenCount(ConsoleImpl& c) {
  auto failed = c.ctx().mailbox.UnseenFailedCount();
  auto refused = c.ctx().mailbox.UnseenRefusedCount();
  return (failed.ok() ? *failed : 0) + (refused.ok() ? *refused : 0);
}

}  // namespace

json FailedNotice(ConsoleImpl& c) {
  auto failed = c.ctx().mailbox.UnseenFailedCount();
  auto refused = c.ctx().mailbox.UnseenRefusedCount();
  const int64_t f = failed.ok() ? *failed : 0, r = refused.ok() ? *refused : 0;
  if (f + r == 0) return json();
  return {{"count", f + r},
          {"failed", f > 0 ? json(f) : json()},
          {"refused", r > 0 ? json(r) : json()},
          {"href", f > 0 ? "/failed" : "/failed#refused"}};
}

void RegisterOutboxPages(ConsoleImpl& c) {
  // Every account of the agency: the menu entry while there is any failed
  // send or refused delivery, with the number not yet seen.
  c.AddNav(
      "/failed", "发送失败", "failed",
      [&c](const accounts::Account&) {
        auto failed = c.ctx().mailbox.FailedCount();
        auto refused = c.ctx().mailbox.RefusedCount();
        return (failed.ok() && *failed > 0) || (refused.ok() && *refused > 0);
      },
      [&c] { return UnseenCount(c); });
  c.AddPage("GET", "/failed", [&c](Visit v) { FailedPage(c, std::move(v)); });
  c.AddPage("POST", "/failed/seen", [&c](Visit v) { MarkFailedSeenPost(c, std::move(v)); });
}

}  // namespace concord::adapter
