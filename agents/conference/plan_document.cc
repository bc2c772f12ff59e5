#include "agents/conference/plan_document.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/html_template.h"
#include "common/status_macros.h"
#include "domain/calendar.h"

namespace concord::conference {
namespace {

using nlohmann::json;

constexpr char kPage[] = R"html(<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{title}} 化解方案</title>
<style>body{font-family:serif;margin:2em auto;max-width:50em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #666;padding:4px 8px;vertical-align:top}th{background:#eee}.en{color:#666;font-size:85%}</style></head><body>
<h1>{{title}}<br>化解工作方案（第 {{version}} 版，{{#final}}定稿{{/final}}{{^final}}待签署{{/final}}）</h1>
<p class="en">Joint work plan, version {{version}}</p>
<table>
<tr><th>会议编号</th><td>{{id}}</td><th>案件</th><td>{{case_key}}</td></tr>
<tr><th>召集机关</th><td>{{convenor}}</td><th>召集日期</th><td>{{convened}}</td></tr>
<tr><th>包案领导</th><td>{{lead_leader}}</td><th>风险等级</th><td>{{risk_level}}</td></tr>
</table>
<h2>案情摘要</h2><p>{{summary}}</p>
<h2>核心诉求</h2><p>{{core_demand}}</p>
<h2>任务分工</h2>
<table><tr><th>编号</th><th>责任单位</th><th>责任人</th><th>措施</th><th>内容</th><th>完成期限</th><th>进展</th></tr>
{{#tasks}}<tr><td>{{task_id}}</td><td>{{agency}}</td><td>{{person}}</td><td>{{measure}}</td><td>{{detail}}</td><td>{{due}}</td><td>{{#done}}已完成 {{done}}{{/done}}{{^done}}办理中{{/done}}{{#last_note}}：{{last_note}}{{/last_note}}</td></tr>
{{/tasks}}</table>
<h2>回访安排</h2><p>{{follow_ups}}</p>
<h2>结案标准</h2><p>{{closing_criteria}}</p>
<h2>会签</h2>
<table><tr><th>单位</th><th>签署</th></tr>
{{#agencies}}<tr><td>{{name}}</td><td>{{#decisions}}{{#later}}<br>{{/later}}{{text}}{{/decisions}}</td></tr>
{{/agencies}}</table>
{{#hearings}}<h2>公开听证 {{hearing_id}}</h2><p>{{starts}}，{{place}}，主持人 {{chair}}</p>
<table><tr><th>身份</th><th>姓名</th><th>到场</th><th>意见</th></tr>
{{#participants}}<tr><td>{{role}}</td><td>{{who}}</td><td>{{attended}}</td><td>{{opinion}}</td></tr>
{{/participants}}</table><p>听证结论：{{outcome}}</p>
{{/hearings}}{{#outcome}}<h2>结案</h2><p>{{outcome}}</p>
{{/outcome}}</body></html>
)html";

const HtmlTemplate& Page() {
  static const HtmlTemplate page = HtmlTemplate::ParseConstant(kPage);
  return page;
}

std::string Day(int64_t ms) { return ms ? FormatDate(DateOf(ms)) : "—"; }

}  // namespace

absl::StatusOr<std::string> PlanHtml(Conferences& book, const std::string& id,
                                     const std::map<std::string, std::string>& names) {
  auto name = [&](const std::string& principal) {
    auto it = names.find(principal);
    return it == names.end() ? principal : it->second;
  };
  ASSIGN_OR_RETURN(Conference c, book.Get(id));
  if (c.plans.empty()) return absl::FailedPreconditionError("尚无方案 / no plan yet");
  ASSIGN_OR_RETURN(std::vector<Hearing> hearings, book.Hearings(id));
  const Plan& p = c.plans.back();

  json tasks = json::array();
  for (const Task& t : p.tasks)
    tasks.push_back({{"task_id", t.task_id},
                     {"agency", name(t.agency)},
                     {"person", t.person},
                     {"measure", MeasureChinese(t.measure)},
                     {"detail", t.detail},
                     {"due", Day(t.due_ms)},
                     {"done", t.status == "done" ? Day(t.done_ms) : ""},
                     {"last_note", t.last_note}});
  std::string visits;
  for (int64_t v : p.follow_ups_ms) absl::StrAppend(&visits, visits.empty() ? "" : "、", Day(v));
  json agencies = json::array();
  for (const std::string& a : c.invited) {
    // Every decision of the agency, on every version, in order.
    json decisions = json::array();
    for (const Signature& s : c.signatures)
      if (s.agency == a)
        decisions.push_back(
            {{"text", absl::StrCat(s.approved ? "同意" : "要求修改", "（第 ", s.version, " 版，",
                                   Day(s.at_ms), "）", s.note.empty() ? "" : "：", s.note)}});
    if (std::find(c.pending_latest.begin(), c.pending_latest.end(), a) != c.pending_latest.end())
      decisions.push_back({{"text", absl::StrCat("第 ", p.version, " 版待签署")}});
    for (size_t i = 0; i < decisions.size(); ++i) decisions[i]["later"] = i > 0;
    agencies.push_back({{"name", name(a)}, {"decisions", decisions}});
  }
  json heard = json::array();
  for (const Hearing& h : hearings) {
    json people = json::array();
    for (const Participant& x : h.participants)
      people.push_back({{"role", RoleChinese(x.role)},
                        {"who", x.name.empty() ? absl::StrCat("（待", name(x.arranged_by), "指派）")
                                : x.arranged_by.empty()
                                    ? x.name
                                    : absl::StrCat(x.name, "（", name(x.arranged_by), "指派）")},
                        {"attended", h.recorded_ms ? (x.attended ? "到场" : "未到场") : "—"},
                        {"opinion", x.opinion}});
    heard.push_back({{"hearing_id", h.hearing_id},
                     {"starts", Day(h.starts_ms)},
                     {"place", h.place},
                     {"chair", h.chair},
                     {"participants", people},
                     {"outcome", h.outcome.empty() ? "待听证" : h.outcome}});
  }
  return Page().Render({{"title", c.title},
                        {"version", p.version},
                        {"final", c.status == "final" || c.status == "closed"},
                        {"id", c.id},
                        {"case_key", c.case_key},
                        {"convenor", name(c.convenor)},
                        {"convened", Day(c.convened_ms)},
                        {"lead_leader", p.lead_leader},
                        {"risk_level", p.risk_level},
                        {"summary", p.summary},
                        {"core_demand", p.core_demand},
                        {"tasks", tasks},
                        {"follow_ups", visits.empty() ? "—" : visits},
                        {"closing_criteria", p.closing_criteria},
                        {"agencies", agencies},
                        {"hearings", heard},
                        {"outcome", c.outcome}});
}

}  // namespace concord::conference
