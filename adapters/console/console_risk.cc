// The console's 风险预警 page: the agency's risk book (read over the bus:
// RiskQuery to the risk agent), the case handler's risk form (RiskReport,
// sent as the person), the warnings and the monthly screening the risk agent
// sent to this agency.
#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/console/console_impl.h"
#include "adapters/payload_json.h"
#include "concord/v1/risk.pb.h"
#include "hub/client/acting_as.h"

namespace concord::adapter {

namespace {

using accounts::Permission;
using json = nlohmann::json;
namespace pb = concord::v1;

const char* LevelName(const std::string& level) {
  return level == "red"      ? "红色"
         : level == "yellow" ? "黄色"
         : level == "green"  ? "绿色"
                             : "未评估";
}

const char* Tag(const std::string& level) {
  return level == "red" ? "red" : level == "yellow" ? "amber" : "green";
}

// Asks the risk agent for `view`; `then` gets the view's JSON or the reason.
void AskRisk(ConsoleImpl& c, const std::string& view,
             std::function<void(absl::StatusOr<json>)> then, const std::string& month = "") {
  pb::RiskQuery q;
  q.set_view(view);
  q.set_month(month);
  c.ctx().bus.Ask(
      c.ctx().config.console.risk, q, "concord.v1.RiskQueryReply", std::chrono::seconds(5),
      [then = std::move(then)](absl::StatusOr<pb::Envelope> reply) {
        if (!reply.ok()) return then(reply.status());
        pb::RiskQueryReply r;
        if (!reply->payload().UnpackTo(&r))
          return then(absl::InternalError("风险代理的应答无法解析 / unreadable answer"));
        if (!r.ok()) return then(absl::FailedPreconditionError(r.reason()));
        json j = json::parse(r.json(), nullptr, false);
        if (j.is_discarded())
          return then(absl::InternalError("风险代理的应答无法解析 / unreadable answer"));
        then(std::move(j));
      });
}

// "2026-11" as <input type=month> sends it; "" for anything else.
std::string MonthParam(const std::string& m) {
  const bool ok =
      m.size() == 7 && m[4] == '-' &&
      std::all_of(m.begin(), m.begin() + 4,
                  [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; }) &&
      m[5] >= '0' && m[5] <= '9' && m[6] >= '0' && m[6] <= '9' && m.substr(5) >= "01" &&
      m.substr(5) <= "12";
  return ok ? m : "";
}

void Render(ConsoleImpl& c, Visit v, json values);

// 隐患月排查 of a month the person chose: asked of the risk agent (its book
// keeps every month's), not only the latest one that came to the inbox.
void WithMonth(ConsoleImpl& c, Visit v, json values) {
  const std::string month = MonthParam(v.request.Query("month"));
  values["month"] = month.empty() ? v.request.Query("month") : month;
  if (v.request.Query("month").empty()) return Render(c, std::move(v), std::move(values));
  if (month.empty()) {
    values["screening_error"] = "月份格式应为 2026-11 / month must be written as 2026-11";
    return Render(c, std::move(v), std::move(values));
  }
  AskRisk(
      c, "screening",
      [&c, v = std::move(v), values = std::move(values),
       month](absl::StatusOr<json> screening) mutable {
        values.erase("screening");
        if (screening.ok()) {
          values["screening"] = {{"month", month}, {"markdown", screening->value("markdown", "")}};
        } else if (absl::IsFailedPrecondition(screening.status()) ||
                   absl::IsNotFound(screening.status())) {
          values["screening_error"] =
              absl::StrCat(month, " 尚无本机关的隐患月排查报告 / no screening of ", month);
        } else {
          values["screening_error"] =
              absl::StrCat("排查报告暂时无法查询：", screening.status().message());
        }
        Render(c, std::move(v), std::move(values));
      },
      month);
}

void Render(ConsoleImpl& c, Visit v, json values) {
  c.Render(v, "风险预警", "risk", c.Template("risk.html"), std::move(values));
}

void Page(ConsoleImpl& c, Visit v) {
  AskRisk(c, "open", [&c, v = std::move(v)](absl::StatusOr<json> open) mutable {
    AskRisk(
        c, "factors",
        [&c, v = std::move(v), open = std::move(open)](absl::StatusOr<json> factors) mutable {
          json values = {{"case_key", v.request.Query("case")},
                         {"can_report", accounts::Allowed(v.account, Permission::kRiskForm)}};
          json risks = json::array();
          if (!open.ok()) {
            values["risk_error"] = absl::StrCat("风险台账暂时无法查询：", open.status().message());
          } else {
            for (const auto& r : (*open)["risks"]) {
              std::vector<std::string> names;
              for (const auto& f : r["factors"]) names.push_back(f.value("name", ""));
              const std::string level = r.value("level", "");
              const std::string key = r.value("case_key", "");
              risks.push_back({{"case_key", key},
                               {"ledger", key.rfind("信-", 0) == 0},
                               {"agency_name", c.AgencyName(r.value("agency", ""))},
                               {"matter", r.value("matter", "")},
                               {"level_zh", r.value("level_zh", level)},
                               {"tag", Tag(level)},
                               {"row_class", level == "red"      ? "overdue"
                                             : level == "yellow" ? "due-soon"
                                                                 : ""},
                               {"score", r.value("score", 0)},
                               {"factors", absl::StrJoin(names, "、")},
                               {"required", r.value("required", "")},
                               {"since", r.value("since", "")}});
            }
          }
          values["risks"] = risks;
          values["has_risks"] = !risks.empty();
          values["count"] = risks.size();
          values["form_factors"] = factors.ok() ? (*factors)["factors"] : json::array();
          // What the risk agent sent this agency: assessments, warnings, screenings.
          json notices = json::array();
          if (auto inbox =
                  c.ctx().mailbox.Latest({"concord.v1.RiskWarning", "concord.v1.RiskAssessment",
                                          "concord.v1.RiskScreening"},
                                         100);
              inbox.ok()) {
            for (auto it = inbox->begin(); it != inbox->end() && notices.size() < 20; ++it) {
              json p = json::parse(it->payload_json, nullptr, false);
              if (p.is_discarded()) continue;
              if (it->type == "concord.v1.RiskWarning") {
                notices.push_back({{"kind", "预警"},
                                   {"tag", "red"},
                                   {"at", FormatMs(it->received_ms)},
                                   {"text", p.value("text", "")}});
              } else if (it->type == "concord.v1.RiskAssessment") {
                notices.push_back({{"kind", "评估"},
                                   {"tag", Tag(p.value("level", ""))},
                                   {"at", FormatMs(it->received_ms)},
                                   {"text", absl::StrCat(p.value("case_key", ""), "：",
                                                         LevelName(p.value("previous_level", "")),
                                                         " → ", LevelName(p.value("level", "")),
                                                         "，", p.value("required", ""))}});
              } else if (it->type == "concord.v1.RiskScreening" && !values.contains("screening")) {
                values["screening"] = {{"month", p.value("month", "")},
                                       {"markdown", p.value("markdown", "")}};
              }
            }
          }
          values["notices"] = notices;
          values["has_notices"] = !notices.empty();
          WithMonth(c, std::move(v), std::move(values));
        });
  });
}

void Report(ConsoleImpl& c, Visit v) {
  if (!c.Require(v, Permission::kRiskForm, "risk.report", "")) return;
  const auto form = v.request.Form();
  const std::string key = FormField(form, "case_key");
  pb::RiskReport r;
  r.set_case_key(key);
  r.set_no_risk(FormField(form, "no_risk") == "1");
  r.set_note(FormField(form, "note"));
  for (const auto& [name, value] : form)
    if (name.rfind("factor_", 0) == 0 && value == "1") r.add_factors(name.substr(7));
  auto back = "/risk?case=" + PercentEncode(key);
  if (key.empty()) {
    c.Log(v, "risk.report", key, false, "case_key missing");
    return c.Redirect(v, back, "请填写案件（台账号或案号）", true);
  }
  if (r.factors().empty() && !r.no_risk()) {
    c.Log(v, "risk.report", key, false, "no factor and not no_risk");
    return c.Redirect(v, back, "请勾选风险因素，或勾选“经评估无风险”", true);
  }
  OutgoingMessage m;
  m.to = {c.ctx().config.console.risk};
  m.type = "concord.v1.RiskReport";
  google::protobuf::Any any;
  any.PackFrom(r);
  m.payload_json = RenderPayloadJson(any);
  absl::StatusOr<std::string> sent;
  {
    client::ActingAs acting(c.ActorOf(v.account));
    sent = c.ctx().mailbox.Send(m);
  }
  c.Log(v, "risk.report", key, sent.ok(), sent.ok() ? "" : std::string(sent.status().message()));
  if (!sent.ok()) return c.Redirect(v, back, std::string(sent.status().message()), true);
  c.Redirect(v, "/risk", "已提交风险评估表（" + key + "），评估结果将显示在预警栏");
}

}  // namespace

void RegisterRiskPages(ConsoleImpl& c) {
  if (c.ctx().config.console.risk.empty()) return;
  c.AddNav("/risk", "风险预警", "risk");
  c.AddPage("GET", "/risk", [&c](Visit v) { Page(c, std::move(v)); });
  c.AddPage("POST", "/risk/report", [&c](Visit v) { Report(c, std::move(v)); });
}

}  // namespace concord::adapter
