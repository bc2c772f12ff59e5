// `concordctl risk ...`: the risk agent's views (concord-risk-agent,
// agents/risk/agent.h) through its HTTP.
//
//   concordctl risk [--risk-http 127.0.0.1:7192] [--agency shangzhou.petition] [--json]
//   concordctl risk --screening 2026-12 --agency shangzhou.petition [--csv screening.csv]
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

// The risk agent's open risks, highest first, each with its factors and reasons.
int CmdRisk(const std::string& risk_http, const std::string& agency, bool json) {
  Fetched r = GetJson(kRiskAgent, risk_http, "/risk/open?agency=" + PercentEncode(agency));
  if (r.code) return Fail(r.code, r.error);
  if (r.status != 200 || !r.body.contains("risks")) return Fail(3, r.Refusal());
  const nlohmann::json& j = r.body;
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

// A month's screening report for one agency: Markdown on stdout, CSV on request.
int CmdRiskScreening(const std::string& risk_http, const std::string& month,
                     const std::string& agency, const std::string& csv) {
  if (agency.empty()) return Fail(2, "需要 --agency / --agency is required with --screening");
  Fetched r =
      GetJson(kRiskAgent, risk_http,
              "/risk/screening?month=" + PercentEncode(month) + "&agency=" + PercentEncode(agency));
  if (r.code) return Fail(r.code, r.error);
  if (r.status != 200) return Fail(1, r.Refusal());
  const nlohmann::json& j = r.body;
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
    std::string http = "127.0.0.1:7192", agency, month, csv;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto* risk = app.add_subcommand(
      "risk", "风险评估预警：在办风险与月度排查 / open risks and the monthly screening");
  risk->add_option("--risk-http", a->http, "风险代理 / risk agent host:port");
  risk->add_option("--agency", a->agency, "只看一个机关 / one agency only");
  risk->add_option("--screening", a->month,
                   "隐患月排查报告 YYYY-MM / the month's screening report");
  risk->add_option("--csv", a->csv, "排查报告另存 CSV / also write the screening as CSV");
  risk->add_flag("--json", a->json);
  commands.On(risk, [a] {
    if (!a->month.empty()) return CmdRiskScreening(a->http, a->month, a->agency, a->csv);
    return CmdRisk(a->http, a->agency, a->json);
  });
}

}  // namespace concord::ctl
