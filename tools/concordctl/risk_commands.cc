// `concordctl risk ...`: the risk agent's views (concord-risk-agent,
// agents/risk/agent.h) through its loopback HTTP, or over the bus through the
// agency's adapter.
//
//   concordctl risk [--risk-http 127.0.0.1:7192] [--agency shangzhou.petition] [--json]
//   concordctl risk --screening 2026-12 --agency shangzhou.petition [--csv screening.csv]
//   concordctl risk --adapter 127.0.0.1:7101 [--screening 2026-12]   (over the bus, as
//                   the adapter's agency: the risk agent may be on another machine)
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/http_client.h"
#include "common/url.h"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {
namespace {

constexpr Daemon kRiskAgent{"--risk-http", "风险代理", "the risk agent"};

// A view of the risk agent asked over the bus through this agency's adapter
// (RiskQuery, adapters/bus_reads.h): the view's JSON (as the agent's HTTP
// route gives it), or the exit code and message in `failed`.
nlohmann::json ViaAdapter(const std::string& adapter, const nlohmann::json& query, int& code,
                          std::string& failed) {
  Asked a = AskThroughAdapter(adapter, "/risk/query", query);
  code = a.code;
  failed = a.error;
  if (code) return nullptr;
  nlohmann::json view = nlohmann::json::parse(a.reply.value("json", ""), nullptr, false);
  if (!view.is_object()) {
    code = 3;
    failed = "风险代理的回答无法解析 / the risk agent's answer is not JSON";
    return nullptr;
  }
  return view;
}

// The risk agent's open risks, highest first, each with its factors and
// reasons: from its loopback HTTP, or over the bus when `adapter` is set
// (the agent answers with what the asking agency may see; `agency` then
// narrows it here).
int CmdRisk(const std::string& risk_http, const std::string& adapter, const std::string& agency,
            bool json) {
  nlohmann::json j;
  if (!adapter.empty()) {
    int code;
    std::string failed;
    j = ViaAdapter(adapter, {{"view", "open"}}, code, failed);
    if (code) return Fail(code, failed);
    if (!j.contains("risks")) return Fail(3, "风险代理的回答没有 risks / no risks in the answer");
    if (!agency.empty()) {
      nlohmann::json kept = nlohmann::json::array();
      for (auto& c : j["risks"])
        if (c.value("agency", "") == agency) kept.push_back(std::move(c));
      j["risks"] = std::move(kept);
    }
  } else {
    Fetched r = GetJson(kRiskAgent, risk_http, "/risk/open?agency=" + PercentEncode(agency));
    if (r.code) return Fail(r.code, r.error);
    if (r.status != 200 || !r.body.contains("risks")) return Fail(3, r.Refusal());
    j = std::move(r.body);
  }
  if (json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << Pad("案件 case", 18) << Pad("责任机关 agency", 28) << Pad("等级 level", 18)
            << Pad("分数 score", 12) << "事项 matter\n";
  for (const auto& c : j["risks"]) {
    std::cout << Pad(c.value("case_key", ""), 18) << Pad(c.value("agency", ""), 28)
              << Pad(c.value("level_zh", ""), 18) << Pad(std::to_string(c.value("score", 0)), 12)
              << c.value("matter", "") << "\n";
    for (const auto& f : c["factors"])
      std::cout << "    · " << f.value("name", "") << " +" << f.value("weight", 0) << "  "
                << f.value("reason", "") << "\n";
    std::cout << "    → " << c.value("required", "") << "\n";
  }
  std::cout << "共 " << j["risks"].size() << " 件 / total " << j["risks"].size() << "\n";
  return 0;
}

// A month's screening report for one agency: Markdown on stdout, CSV on
// request. Over the bus (`adapter`) it is the asking agency's own.
int CmdRiskScreening(const std::string& risk_http, const std::string& adapter,
                     const std::string& month, const std::string& agency, const std::string& csv) {
  nlohmann::json j;
  if (!adapter.empty()) {
    if (!agency.empty())
      return Fail(2,
                  "经 --adapter 查的是本机关的排查，不用 --agency / with --adapter the screening "
                  "is the adapter's agency's: leave out --agency");
    int code;
    std::string failed;
    j = ViaAdapter(adapter, {{"view", "screening"}, {"month", month}}, code, failed);
    if (code) return Fail(code, failed);
  } else {
    if (agency.empty()) return Fail(2, "需要 --agency / --agency is required with --screening");
    Fetched r = GetJson(
        kRiskAgent, risk_http,
        "/risk/screening?month=" + PercentEncode(month) + "&agency=" + PercentEncode(agency));
    if (r.code) return Fail(r.code, r.error);
    if (r.status != 200) return Fail(1, r.Refusal());
    j = std::move(r.body);
  }
  std::cout << j.value("markdown", "");
  if (!csv.empty()) {
    std::ofstream out(csv);
    out << j.value("csv", "");
    if (!out.flush()) return Fail(2, "无法写入 / cannot write " + csv);
  }
  return 0;
}

}  // namespace

void AddRiskCommands(CLI::App& app, Commands& commands) {
  struct Args {
    std::string http = "127.0.0.1:7192", adapter, agency, month, csv;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto* risk = app.add_subcommand(
      "risk", "风险评估预警：在办风险与月度排查 / open risks and the monthly screening");
  risk->add_option("--risk-http", a->http, "风险代理 / risk agent host:port");
  risk->add_option("--adapter", a->adapter,
                   "经本机关适配器走总线查询（风险代理在另一台机器时）/ ask over the bus "
                   "through this agency's adapter host:port (the agent on another machine)");
  risk->add_option("--agency", a->agency, "只看一个机关 / one agency only");
  risk->add_option("--screening", a->month,
                   "隐患月排查报告 YYYY-MM / the month's screening report");
  risk->add_option("--csv", a->csv, "排查报告另存 CSV / also write the screening as CSV");
  risk->add_flag("--json", a->json);
  commands.On(risk, [a] {
    if (!a->month.empty())
      return CmdRiskScreening(a->http, a->adapter, a->month, a->agency, a->csv);
    return CmdRisk(a->http, a->adapter, a->agency, a->json);
  });
}

}  // namespace concord::ctl
