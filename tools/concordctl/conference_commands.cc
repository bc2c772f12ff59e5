// `concordctl conference ...`: read-only views of the conference agent
// (concord-conference-agent, agents/conference/agent.h) through its loopback
// HTTP: GET /conference?id=, /conference/plan?id= and /conference/leader?name=.
//
//   concordctl conference --id 会-2026-001 [--conference-http 127.0.0.1:7193] [--json]
//   concordctl conference --id 会-2026-001 --html plan.html
//   concordctl conference --leader "检察长 周某"
//   concordctl conference --adapter 127.0.0.1:7101 --id 会-2026-001 [--json | --html plan.html]
//   concordctl conference --adapter 127.0.0.1:7101 --leader "检察长 周某"
//                   (over the bus through the agency's adapter, ConferenceQuery: the
//                   agent may be on another machine; only conferences the agency is
//                   invited to)
//
// --id prints the conference (title, case, convenor, status, invited
// agencies), its latest plan version with who signed it and who has not, the
// plan's tasks as a table (due dates in China Standard Time) and the outcome
// once closed; with --json the agent's JSON as it is. --html writes the plan
// document the agent renders. --leader lists the lead leader's open
// conferences with their open tasks, due dates and overdue marks.
//
// Exit codes: 0 success; 2 bad arguments (nothing asked) or --html cannot be
// written; 3 the agent could not be reached, or answered with an error (no
// such conference: 404; no plan yet: 409), printed with its Chinese / English
// reason.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/http_client.h"
#include "common/url.h"
#include "domain/calendar.h"
#include "domain/conference_terms.h"
#include "nlohmann/json.hpp"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {
namespace {

struct ConferenceArgs {
  std::string http = "127.0.0.1:7193";  // the conference agent's HTTP host:port
  std::string adapter;                  // or: over the bus through this adapter (host:port)
  std::string id;                       // one conference (会-YYYY-NNN) ...
  std::string leader;                   // ... or one lead leader's view
  std::string html;                     // with `id`: write the plan document here
  bool json = false;                    // with `id`: the agent's JSON as it is
};

using nlohmann::json;

std::string ConferenceStatusText(const std::string& s) {
  if (s == "collecting") return "征集意见 collecting";
  if (s == "signing") return "会签中 signing";
  if (s == "final") return "已定稿 final";
  if (s == "closed") return "已结案 closed";
  return s;
}

std::string TaskStatusText(const std::string& s) {
  if (s == "open") return "进行中 open";
  if (s == "done") return "已完成 done";
  return s;
}

// An agency by its name when the agent knows it ([conference.names]).
std::string Name(const json& names, const std::string& principal) {
  return names.is_object() ? names.value(principal, principal) : principal;
}

// Agencies as one line: "上州区人民法院、上州区公安分局"; "无 none" when there are none.
std::string Agencies(const json& list, const json& names) {
  std::vector<std::string> out;
  if (list.is_array())
    for (const json& a : list)
      if (a.is_string()) out.push_back(Name(names, a.get<std::string>()));
  return out.empty() ? "无 none" : absl::StrJoin(out, "、");
}

std::string RoleText(const std::string& role) {
  static const std::vector<std::pair<std::string, std::string>> kRoles = {
      {"petitioner", "信访人"},     {"relative", "近亲属"},
      {"lawyer", "律师"},           {"npc_deputy", "人大代表"},
      {"cppcc_member", "政协委员"}, {"people_supervisor", "人民监督员"},
      {"expert", "专家学者"},       {"other", "其他"}};
  for (const auto& [id, zh] : kRoles)
    if (id == role) return zh;
  return role;
}

// The conference agent's HTTP API.
class ConferenceHttp {
 public:
  bool Parse(const std::string& host_port) {
    spec_ = host_port;
    return SplitHostPort(host_port, host_, port_);
  }
  // The agent's answer to GET `target`; an error when it cannot be reached.
  absl::StatusOr<HttpResult> Get(const std::string& target) const {
    auto r = DaemonCall(host_, port_, "GET", target);
    if (!r.ok())
      return absl::UnavailableError(
          absl::StrCat("无法连接联席会议代理 / cannot reach the conference agent at ", spec_, ": ",
                       std::string(r.status().message())));
    return r;
  }

 private:
  std::string spec_, host_;
  uint16_t port_ = 0;
};

// An answer other than 200: the agent's reason ({"error": ...}), exit code 3.
int AgentError(const HttpResult& r) {
  const json j = json::parse(r.body, nullptr, false);
  const std::string reason = j.is_object() ? j.value("error", r.body) : r.body;
  return Fail(
      3, absl::StrCat("联席会议代理答复 / the conference agent answered ", r.status, ": ", reason));
}

int PrintConference(const json& c) {
  const json names = c.value("names", json::object());
  std::cout << Pad("联席会议 conference", 22) << c.value("id", "") << "\n"
            << Pad("议题 title", 22) << c.value("title", "") << "\n"
            << Pad("案件 case", 22) << c.value("case_key", "") << "\n"
            << Pad("召集单位 convenor", 22) << Name(names, c.value("convenor", "")) << "\n"
            << Pad("状态 status", 22) << ConferenceStatusText(c.value("status", "")) << "\n"
            << Pad("参会单位 invited", 22) << Agencies(c.value("invited", json::array()), names)
            << "\n";
  const json plans = c.value("plans", json::array());
  if (plans.empty()) {
    std::cout << Pad("方案 plan", 22) << "尚无方案 / no plan yet\n";
    return 0;
  }
  const json& plan = plans.back();
  const int version = plan.value("version", 0);
  std::cout << Pad("最新方案 latest plan", 22) << "第 " << version << " 版 / version " << version
            << "    包案领导 lead leader " << plan.value("lead_leader", "") << "\n"
            << Pad("方案摘要 summary", 22) << plan.value("summary", "") << "\n"
            << Pad("已签署 signed", 22) << Agencies(c.value("signed_latest", json::array()), names)
            << "\n"
            << Pad("未签署 not signed", 22)
            << Agencies(c.value("pending_latest", json::array()), names) << "\n";
  // Changes asked for on the latest version, and by whom.
  for (const json& s : c.value("signatures", json::array()))
    if (s.value("version", 0) == version && !s.value("approved", true))
      std::cout << Pad("", 22) << Name(names, s.value("agency", ""))
                << " 要求修改 asks for changes: " << s.value("note", "") << "\n";

  std::cout << "\n"
            << Pad("任务 task", 12) << Pad("责任单位 agency", 22) << Pad("责任人 person", 16)
            << Pad("措施 measure", 16) << Pad("期限 due", 14) << Pad("状态 status", 16)
            << "最新进展 last note\n";
  for (const json& t : plan.value("tasks", json::array())) {
    const int64_t due_ms = t.value("due_ms", int64_t{0});
    std::cout << Pad(t.value("task_id", ""), 12) << Pad(Name(names, t.value("agency", "")), 22)
              << Pad(t.value("person", ""), 16)
              << Pad(t.value("measure_zh", t.value("measure", "")), 16)
              << Pad(due_ms > 0 ? FormatDate(DateOf(due_ms)) : "—", 14)
              << Pad(TaskStatusText(t.value("status", "")), 16) << t.value("last_note", "") << "\n";
    if (const std::string detail = t.value("detail", ""); !detail.empty())
      std::cout << Pad("", 12) << "内容 detail: " << detail << "\n";
  }
  for (const json& h : c.value("hearings", json::array())) {
    std::cout << "\n"
              << Pad("公开听证 hearing", 22) << h.value("hearing_id", "") << "  "
              << h.value("starts", "") << "  " << h.value("place", "") << "  主持人 chair "
              << h.value("chair", "") << "\n";
    const bool recorded = !h.value("outcome", "").empty();
    for (const json& p : h.value("participants", json::array())) {
      const std::string by = p.value("arranged_by", ""), person = p.value("name", "");
      std::cout << Pad("", 22) << Pad(RoleText(p.value("role", "")), 12)
                << Pad(person.empty() ? "—" : person, 16)
                << (by.empty()       ? ""
                    : person.empty() ? "待 " + Name(names, by) + " 指派 / to be named by it  "
                                     : Name(names, by) + " 指派 / named by it  ");
      if (recorded)
        std::cout << (p.value("attended", false) ? "出席 present" : "缺席 absent")
                  << (p.value("opinion", "").empty() ? ""
                                                     : "  意见 opinion: " + p.value("opinion", ""));
      std::cout << "\n";
    }
    std::cout << Pad("", 22) << "听证结论 outcome: "
              << (recorded ? h.value("outcome", "") : std::string("尚未举行 / not held yet"))
              << "\n";
  }
  if (c.value("status", "") == "closed")
    std::cout << "\n" << Pad("结案结果 outcome", 22) << c.value("outcome", "") << "\n";
  return 0;
}

int PrintLeader(const json& j) {
  const json names = j.value("names", json::object());
  const json conferences = j.value("conferences", json::array());
  std::cout << "包案领导 lead leader " << j.value("lead_leader", "")
            << "    在办联席会议 open conferences " << conferences.size() << "\n";
  if (conferences.empty()) {
    std::cout << "没有在办的联席会议 / no open conferences\n";
    return 0;
  }
  for (const json& c : conferences) {
    std::cout << "\n"
              << c.value("id", "") << "  " << c.value("title", "") << "    案件 case "
              << c.value("case_key", "") << "    状态 status "
              << ConferenceStatusText(c.value("status", "")) << "\n";
    const json pending = c.value("pending_signatures", json::array());
    if (!pending.empty()) std::cout << "  未签署 not signed: " << Agencies(pending, names) << "\n";
    const json tasks = c.value("open_tasks", json::array());
    if (tasks.empty()) {
      std::cout << "  没有未完成的任务 / no open tasks\n";
      continue;
    }
    std::cout << "  " << Pad("任务 task", 12) << Pad("责任单位 agency", 22)
              << Pad("责任人 person", 16) << Pad("措施 measure", 16) << Pad("期限 due", 20)
              << "内容 detail\n";
    for (const json& t : tasks)
      std::cout << "  " << Pad(t.value("task_id", ""), 12)
                << Pad(Name(names, t.value("agency", "")), 22) << Pad(t.value("person", ""), 16)
                << Pad(t.value("measure_zh", ""), 16)
                << Pad(t.value("due", "") + (t.value("overdue", false) ? " 逾期 overdue" : ""), 20)
                << t.value("detail", "") << "\n";
  }
  return 0;
}

// A ConferenceView (as JSON, proto field names: what the agent answers over
// the bus) in the shape of the agent's GET /conference, for PrintConference.
json FromView(const json& v) {
  json c = v;
  c["id"] = v.value("conference_id", "");
  c["plans"] = json::array();
  for (const json& pv : v.value("plans", json::array())) {
    const json plan = pv.value("plan", json::object());
    json tasks = json::array();
    for (json t : plan.value("tasks", json::array())) {
      t["due_ms"] = JsonInt64(t.value("due_ms", json(0)));
      t["measure_zh"] = conference::MeasureChinese(t.value("measure", ""));
      tasks.push_back(std::move(t));
    }
    c["plans"].push_back({{"version", pv.value("version", 0)},
                          {"summary", plan.value("summary", "")},
                          {"lead_leader", plan.value("lead_leader", "")},
                          {"tasks", std::move(tasks)}});
  }
  c["hearings"] = json::array();
  for (json h : v.value("hearings", json::array())) {
    h["starts"] = FormatDateTime(JsonInt64(h.value("starts_ms", json(0))));
    c["hearings"].push_back(std::move(h));
  }
  return c;
}

// One conference asked over the bus (ConferenceQuery through the adapter,
// adapters/bus_reads.h): the agent answers as to the adapter's agency, which
// must be invited.
int ConferenceViaAdapter(const ConferenceArgs& a) {
  if (!a.leader.empty()) {  // among the conferences this agency is invited to
    Asked asked = AskThroughAdapter(a.adapter, "/conference/query", {{"lead_leader", a.leader}});
    if (asked.code) return Fail(asked.code, asked.error);
    const json j = json::parse(asked.reply.value("leader_json", ""), nullptr, false);
    if (!j.is_object())
      return Fail(3, "联席会议代理的回答无法解析 / the conference agent's answer is not JSON");
    return PrintLeader(j);
  }
  if (!a.html.empty()) {
    Asked asked = AskThroughAdapter(a.adapter, "/conference/query",
                                    {{"conference_id", a.id}, {"plan_document", true}});
    if (asked.code) return Fail(asked.code, asked.error);
    std::ofstream out(a.html, std::ios::binary);
    out << asked.reply.value("plan_html", "");
    if (!out.flush()) return Fail(2, "无法写入 / cannot write " + a.html);
    std::cout << "已写入方案文书 / plan document written: " << a.html << "\n";
    return 0;
  }
  Asked asked = AskThroughAdapter(a.adapter, "/conference/query", {{"conference_id", a.id}});
  if (asked.code) return Fail(asked.code, asked.error);
  const json views = asked.reply.value("conferences", json::array());
  if (views.empty()) return Fail(1, "没有这个联席会议 / no such conference: " + a.id);
  if (a.json) {
    std::cout << views[0].dump(2) << "\n";
    return 0;
  }
  return PrintConference(FromView(views[0]));
}

int CmdConference(const ConferenceArgs& a) {
  ConferenceHttp agent;
  if (a.adapter.empty() && !agent.Parse(a.http))
    return Fail(2, "--conference-http 应为 host:port / must be host:port");
  if (a.id.empty() == a.leader.empty())
    return Fail(2, "需要 --id 或 --leader 之一 / give one of --id and --leader");
  if (!a.leader.empty() && (a.json || !a.html.empty()))
    return Fail(2, "--json 和 --html 只能与 --id 一起使用 / --json and --html go with --id");
  if (a.json && !a.html.empty())
    return Fail(2, "--json 与 --html 只能选一个 / give --json or --html, not both");
  if (!a.adapter.empty()) return ConferenceViaAdapter(a);

  if (!a.leader.empty()) {
    auto r = agent.Get("/conference/leader?name=" + PercentEncode(a.leader));
    if (!r.ok()) return Fail(3, std::string(r.status().message()));
    if (r->status != 200) return AgentError(*r);
    const json j = json::parse(r->body, nullptr, false);
    if (!j.is_object())
      return Fail(3, "联席会议代理的回答无法解析 / the conference agent's answer is not JSON");
    return PrintLeader(j);
  }

  if (!a.html.empty()) {
    auto r = agent.Get("/conference/plan?id=" + PercentEncode(a.id));
    if (!r.ok()) return Fail(3, std::string(r.status().message()));
    if (r->status != 200) return AgentError(*r);
    std::ofstream out(a.html, std::ios::binary);
    out << r->body;
    if (!out.flush()) return Fail(2, "无法写入 / cannot write " + a.html);
    std::cout << "已写入方案文书 / plan document written: " << a.html << "\n";
    return 0;
  }

  auto r = agent.Get("/conference?id=" + PercentEncode(a.id));
  if (!r.ok()) return Fail(3, std::string(r.status().message()));
  if (r->status != 200) return AgentError(*r);
  if (a.json) {
    std::cout << r->body << "\n";
    return 0;
  }
  const json j = json::parse(r->body, nullptr, false);
  if (!j.is_object())
    return Fail(3, "联席会议代理的回答无法解析 / the conference agent's answer is not JSON");
  return PrintConference(j);
}

}  // namespace

void AddConferenceCommands(CLI::App& app, Commands& commands) {
  auto a = std::make_shared<ConferenceArgs>();
  auto* conference = app.add_subcommand(
      "conference",
      "联席会议：会议、方案、任务与包案领导 / joint conferences: plan, tasks, lead leader's view");
  conference->add_option("--conference-http", a->http, "联席会议代理 / conference agent host:port");
  conference->add_option("--adapter", a->adapter,
                         "经本机关适配器走总线查询（代理在另一台机器时）/ ask over the bus "
                         "through this agency's adapter host:port");
  conference->add_option("--id", a->id, "联席会议编号 / conference number (会-YYYY-NNN)");
  conference->add_option("--leader", a->leader,
                         "包案领导的在办会议与任务 / a lead leader's open conferences");
  conference->add_option("--html", a->html, "方案文书另存网页 / write the plan document (HTML)");
  conference->add_flag("--json", a->json, "代理的 JSON 原样输出 / the agent's JSON as it is");
  commands.On(conference, [a] { return CmdConference(*a); });
}

}  // namespace concord::ctl
