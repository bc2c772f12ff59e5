// `concordctl ledger ...`: the ledger agent's views (concord-ledger-agent,
// agents/ledger/agent.h) through its HTTP.
//
//   concordctl ledger [--ledger-http 127.0.0.1:7191] [--agency shangzhou.procuratorate]
//                     [--handler 李某] [--due] [--json]
//   concordctl ledger --item 信-2026-000123 [--json]
//   concordctl ledger --adapter 127.0.0.1:7201 [--agency ..] [--handler ..] [--due] [--item ..]
//     the same through this agency's adapter (adapters/bus_reads.h), over the
//     bus: what the agency sees, wherever the ledger agent runs
//   concordctl ledger --report 2026-11 [--csv report.csv] [--html report.html]
//                     [--ledger-http 127.0.0.1:7191 | --adapter 127.0.0.1:7201]
//     the monthly report, from the agent's loopback HTTP or over the bus
//     (LedgerQuery stats_months) through the agency's adapter: the same figures
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/html_template.h"
#include "common/http_client.h"
#include "common/url.h"
#include "domain/calendar.h"
#include "domain/rules.h"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {
namespace {

constexpr Daemon kLedgerAgent{"--ledger-http", "台账代理", "the ledger agent"};

// The monthly report as a page to print.
constexpr char kReportPage[] = R"html(<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{title_zh}}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 10px}td:last-child{text-align:right}.en{color:#666;font-size:90%}</style></head><body>
<h1>{{title_zh}} <span class="en">{{title_en}}</span></h1>
<table><tr><th>指标</th><th class="en">indicator</th><th>数值 value</th></tr>
{{#lines}}<tr><td>{{zh}}</td><td class="en">{{en}}</td><td>{{value}}</td></tr>
{{/lines}}</table></body></html>
)html";

const HtmlTemplate& ReportPage() {
  static const HtmlTemplate page =
      *HtmlTemplate::Parse(kReportPage);  // a constant: tested in ctest
  return page;
}

// The ledger agent's open items: one line each, then counts per agency and
// per person responsible (首办责任人).
int PrintOpen(const nlohmann::json& j, bool json) {
  const nlohmann::json& items = j["items"];
  if (json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  struct Counts {
    int open = 0, due_soon = 0, overdue = 0;
  };
  std::map<std::string, Counts> per_agency;
  std::map<std::pair<std::string, std::string>, Counts> per_person;
  std::cout << Pad("台账号 ledger no", 18) << Pad("责任机关 agency", 28)
            << Pad("首办责任人 handler", 20) << Pad("状态 status", 16)
            << Pad("下一期限 next due", 22) << "事项 matter\n";
  for (const auto& i : items) {
    const std::string a = i.value("agency", ""), who = i.value("handler", "");
    const bool overdue = i.value("overdue", false), soon = i.value("due_soon", false);
    for (Counts* c : {&per_agency[a], &per_person[{a, who}]}) {
      ++c->open;
      c->overdue += overdue;
      c->due_soon += soon;
    }
    std::cout << Pad(i.value("ledger_no", ""), 18) << Pad(a, 28)
              << Pad(who.empty() ? "（未分流）" : who, 20)
              << Pad(i.value("status_zh", i.value("status", "")), 16)
              << Pad(i.value("next_due", "") + (overdue ? " 逾期!"
                                                : soon  ? " 将到期"
                                                        : ""),
                     22)
              << i.value("matter", "") << (i.value("group", false) ? " [集体访]" : "")
              << (i.value("major", false) && !i.value("group", false) ? " [重大]" : "") << "\n";
  }
  std::cout << "\n"
            << Pad("机关 agency", 28) << Pad("在办 open", 12) << Pad("将到期 due soon", 18)
            << "逾期 overdue\n";
  for (const auto& [a, c] : per_agency)
    std::cout << Pad(a, 28) << Pad(std::to_string(c.open), 12)
              << Pad(std::to_string(c.due_soon), 18) << c.overdue << "\n";
  std::cout << "\n"
            << Pad("机关 agency", 28) << Pad("首办责任人 handler", 20) << Pad("在办 open", 12)
            << Pad("将到期 due soon", 18) << "逾期 overdue\n";
  for (const auto& [k, c] : per_person)
    std::cout << Pad(k.first, 28) << Pad(k.second.empty() ? "（未分流 not routed）" : k.second, 20)
              << Pad(std::to_string(c.open), 12) << Pad(std::to_string(c.due_soon), 18) << c.overdue
              << "\n";
  return 0;
}

int CmdLedger(const std::string& ledger_http, const std::string& agency, const std::string& handler,
              bool due_only, bool json) {
  // Filtered by the agent: a district has many open items.
  Fetched r = GetJson(kLedgerAgent, ledger_http,
                      "/ledger/open?agency=" + PercentEncode(agency) +
                          "&handler=" + PercentEncode(handler) + (due_only ? "&due=1" : ""));
  if (r.code) return Fail(r.code, r.error);
  if (r.status != 200 || !r.body.contains("items")) return Fail(3, r.Refusal());
  return PrintOpen(r.body, json);
}

std::string ItemStatusText(const std::string& name) {
  auto s = ledger::StatusFromName(name);
  return s ? ledger::StatusChineseName(*s) : name;
}

// The agency's open items (those it sees), the next due date first.
int CmdLedgerThroughAdapter(const std::string& adapter, const std::string& agency,
                            const std::string& handler, bool due_only, bool json) {
  nlohmann::json query = {{"open_only", true}, {"by_due", true}, {"limit", 500}};
  if (!agency.empty()) query["agency"] = agency;
  if (!handler.empty()) query["handler"] = handler;
  Asked a = AskThroughAdapter(adapter, "/ledger/query", query);
  if (a.code) return Fail(a.code, a.error);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : a.reply["items"]) {
    const bool overdue = i.value("overdue", false), soon = i.value("due_soon", false);
    if (due_only && !overdue && !soon) continue;
    const int64_t due = JsonInt64(i["next_due_ms"]);
    items.push_back({{"ledger_no", i.value("ledger_no", "")},
                     {"agency", i.value("agency", "")},
                     {"handler", i.value("handler", "")},
                     {"status", i.value("status", "")},
                     {"status_zh", ItemStatusText(i.value("status", ""))},
                     {"next_due", due ? FormatDateTime(due) : ""},
                     {"overdue", overdue},
                     {"due_soon", soon},
                     {"matter", i.value("matter", "")},
                     {"group", i.value("group", false)},
                     {"major", i.value("major", false)}});
  }
  const int total = a.reply.value("total", 0);
  if (!json && total > static_cast<int>(a.reply["items"].size()))
    std::cout << "（共 " << total << (a.reply.value("total_capped", false) ? " 件以上" : " 件")
              << "，列出期限最近的 " << a.reply["items"].size() << " 件 / the "
              << a.reply["items"].size() << " nearest of " << total << " shown）\n";
  return PrintOpen({{"items", items}}, json);
}

int PrintHistory(const nlohmann::json& j, bool json);

// One item's history through the agency's adapter, with who acted.
int CmdLedgerItemThroughAdapter(const std::string& adapter, const std::string& ledger_no,
                                bool json) {
  Asked a = AskThroughAdapter(adapter, "/ledger/query", {{"ledger_no", ledger_no}});
  if (a.code) return Fail(a.code, a.error);
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : a.reply["history"]) {
    std::string note = e.value("note", "");
    if (e.contains("actor") && e["actor"].is_object() && !e["actor"].value("name", "").empty())
      note = absl::StrCat(e["actor"].value("role", ""), " ", e["actor"].value("name", ""),
                          note.empty() ? "" : "：", note);
    const auto action = ledger::ActionFromName(e.value("action", ""));
    events.push_back({{"at", FormatDateTime(JsonInt64(e["at_ms"]))},
                      {"agency", e.value("agency", "")},
                      {"action", e.value("action", "")},
                      {"action_zh", action ? ledger::ActionChineseName(*action) : ""},
                      {"to_status", e.value("to_status", "")},
                      {"to_status_zh", ItemStatusText(e.value("to_status", ""))},
                      {"note", note},
                      {"actor", e.contains("actor") ? e["actor"] : nlohmann::json()}});
  }
  const auto& items = a.reply["items"];
  return PrintHistory({{"ledger_no", ledger_no},
                       {"responsible", items.empty() ? "" : items[0].value("agency", "")},
                       {"events", events}},
                      json);
}

// One item's history, step by step (件件有留痕).
int CmdLedgerItem(const std::string& ledger_http, const std::string& ledger_no, bool json) {
  Fetched r =
      GetJson(kLedgerAgent, ledger_http, "/ledger/history?ledger_no=" + PercentEncode(ledger_no));
  if (r.code) return Fail(r.code, r.error);
  if (r.status != 200) return Fail(r.status == 404 ? 1 : 3, r.Refusal());
  return PrintHistory(r.body, json);
}

int PrintHistory(const nlohmann::json& j, bool json) {
  if (json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "台账号 ledger no " << j.value("ledger_no", "") << "    责任机关 responsible "
            << j.value("responsible", "") << "\n\n"
            << Pad("时间 time", 18) << Pad("机关 agency", 26) << Pad("办理 action", 22)
            << Pad("状态 status", 16) << "说明 note\n";
  for (const auto& e : j["events"])
    std::cout << Pad(e.value("at", ""), 18) << Pad(e.value("agency", ""), 26)
              << Pad(e.value("action_zh", "") + " " + e.value("action", ""), 22)
              << Pad(e.value("to_status_zh", e.value("to_status", "")), 16) << e.value("note", "")
              << "\n";
  return 0;
}

// The monthly statistics report from one month's LedgerMonthStats as JSON
// (proto field names; the loopback /ledger/stats and the bus's stats_months
// answer give the same): Markdown on stdout (Chinese first), and CSV and an
// HTML page when asked.
int PrintReport(const nlohmann::json& j, const std::string& month, const std::string& csv,
                const std::string& html) {
  auto rate = [](int64_t on_time, int64_t due) {
    char buf[32];
    if (due == 0) return std::string("—");
    snprintf(buf, sizeof buf, "%.1f%%", 100.0 * on_time / due);
    return std::string(buf);
  };
  auto n = [&](const char* key) { return j.contains(key) ? JsonInt64(j[key]) : 0; };
  const int64_t pd = n("procedural_due"), pt = n("procedural_on_time"), sd = n("substantive_due"),
                st = n("substantive_on_time");
  struct Line {
    std::string zh, en, value;
  };
  std::vector<Line> lines = {{"收到信访件", "received", std::to_string(n("received"))}};
  const nlohmann::json channels = j.value("channels", nlohmann::json::object());
  for (const auto& [channel, count] : channels.items())
    lines.push_back(
        {"　其中渠道 " + channel, "by channel: " + channel, std::to_string(JsonInt64(count))});
  lines.push_back({"集体访", "group petitions", std::to_string(n("group"))});
  lines.push_back({"匿名或无联系方式", "anonymous or no contact", std::to_string(n("anonymous"))});
  lines.push_back({"重复信访", "repeat petitions", std::to_string(n("repeat"))});
  lines.push_back({"7日内程序性答复率", "procedural reply within 7 days",
                   rate(pt, pd) + " (" + std::to_string(pt) + "/" + std::to_string(pd) + ")"});
  lines.push_back({"3个月内实体答复率", "substantive reply within 3 months",
                   rate(st, sd) + " (" + std::to_string(st) + "/" + std::to_string(sd) + ")"});
  lines.push_back({"目前逾期期限", "deadlines overdue now", std::to_string(n("overdue_now"))});
  lines.push_back({"移送", "transferred", std::to_string(n("transferred"))});
  lines.push_back({"息诉罢访（办结）", "closed", std::to_string(n("closed"))});
  auto zero = [&](const char* key) {
    const int64_t v = n(key);
    return v == 0 ? std::string("0 ✓ 达标 met") : std::to_string(v) + " ✗ 未达标 missed";
  };
  lines.push_back({"三零：投诉", "three zeros: complaints", zero("complaints")});
  lines.push_back({"三零：赴省进京非正常上访",
                   "three zeros: irregular petitions to the province or Beijing",
                   zero("irregular_petitions")});
  lines.push_back({"三零：安全事故", "three zeros: safety incidents", zero("safety_incidents")});
  const int64_t need = n("receptions_required");
  const nlohmann::json receptions = j.value("receptions", nlohmann::json::array());
  if (receptions.empty())
    lines.push_back(
        {"检察长接待日（每年不少于" + std::to_string(need) + "次）",
         "chief procurator reception days (at least " + std::to_string(need) + " a year)",
         "0 未安排 none planned"});
  for (const auto& h : receptions) {
    const int64_t held = JsonInt64(h["held"]), planned = JsonInt64(h["planned"]);
    lines.push_back({"检察长接待日 " + h.value("agency", "") + "（本年已举办 / 已安排，每年不少于" +
                         std::to_string(need) + "次）",
                     "reception days of " + h.value("agency", "") +
                         " this year: held / planned (at least " + std::to_string(need) + ")",
                     std::to_string(held) + " / " + std::to_string(planned) +
                         (planned >= need ? "" : " 安排不足 too few planned")});
  }
  lines.push_back({"本月接待日来访人数", "people received at this month's reception days",
                   std::to_string(n("reception_visitors"))});
  const std::string title_zh = "信访工作月报 " + month, title_en = "Petition statistics, " + month;
  std::cout << "# " << title_zh << " / " << title_en << "\n\n"
            << "| 指标 | indicator | 数值 value |\n|---|---|---|\n";
  for (const auto& l : lines)
    std::cout << "| " << l.zh << " | " << l.en << " | " << l.value << " |\n";
  if (!csv.empty()) {
    std::ofstream out(csv);
    out << "\xEF\xBB\xBF指标,indicator,数值 value\n";
    for (const auto& l : lines)
      out << "\"" << l.zh << "\",\"" << l.en << "\",\"" << l.value << "\"\n";
    if (!out.flush()) return Fail(2, "无法写入 / cannot write " + csv);
  }
  if (!html.empty()) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& l : lines) rows.push_back({{"zh", l.zh}, {"en", l.en}, {"value", l.value}});
    std::ofstream out(html);
    out << ReportPage().Render({{"title_zh", title_zh}, {"title_en", title_en}, {"lines", rows}});
    if (!out.flush()) return Fail(2, "无法写入 / cannot write " + html);
  }
  return 0;
}

// The monthly report from the ledger agent's loopback HTTP (its own machine).
int CmdLedgerReport(const std::string& ledger_http, const std::string& month,
                    const std::string& csv, const std::string& html) {
  Fetched r = GetJson(kLedgerAgent, ledger_http, "/ledger/stats?month=" + PercentEncode(month));
  if (r.code) return Fail(r.code, r.error);
  if (r.status != 200) return Fail(2, r.Refusal());
  return PrintReport(r.body, month, csv, html);
}

// The same report through the agency's adapter, over the bus (LedgerQuery
// stats_months): the district's counts, wherever the ledger agent runs.
int CmdLedgerReportThroughAdapter(const std::string& adapter, const std::string& month,
                                  const std::string& csv, const std::string& html) {
  Asked a = AskThroughAdapter(adapter, "/ledger/query",
                              {{"stats_months", nlohmann::json::array({month})}});
  // The ledger refuses only the month itself here: bad input, as over loopback.
  if (a.code) return Fail(a.code == 1 ? 2 : a.code, a.error);
  const nlohmann::json& stats = a.reply["stats"];
  if (!stats.is_array() || stats.size() != 1) return Fail(3, "bad response");
  return PrintReport(stats[0], month, csv, html);
}

}  // namespace

void AddLedgerCommands(CLI::App& app, Commands& commands) {
  struct Args {
    std::string http = "127.0.0.1:7191", adapter, agency, handler, item, month, csv, html;
    bool due = false, json = false;
  };
  auto a = std::make_shared<Args>();
  auto* ledger = app.add_subcommand(
      "ledger", "信访台账：在办、将到期、逾期 / petition ledger: open, due soon, overdue");
  ledger->add_option("--ledger-http", a->http, "台账代理 / ledger agent host:port");
  ledger->add_option("--adapter", a->adapter,
                     "经本机关适配器经总线查询（台账代理在别的机器上时）/ ask over the bus "
                     "through this agency's adapter API host:port (the ledger on another "
                     "machine): the open items, --item and --report");
  ledger->add_option("--agency", a->agency, "只看一个机关 / one agency only");
  ledger->add_option("--handler", a->handler, "只看一位首办责任人 / one person responsible only");
  ledger->add_option("--item", a->item,
                     "一件信访的全部办理记录 / one item's whole history (台账号)");
  ledger->add_flag("--due", a->due, "只看将到期和逾期 / due soon and overdue only");
  ledger->add_flag("--json", a->json);
  ledger->add_option(
      "--report", a->month,
      "月报 YYYY-MM（可经 --adapter）/ monthly statistics (Markdown; also through --adapter)");
  ledger->add_option("--csv", a->csv, "月报另存 CSV / also write the report as CSV");
  ledger->add_option("--html", a->html, "月报另存网页 / also write the report as an HTML page");
  commands.On(ledger, [a] {
    if (!a->adapter.empty() && !a->month.empty())
      return CmdLedgerReportThroughAdapter(a->adapter, a->month, a->csv, a->html);
    if (!a->adapter.empty() && !a->item.empty())
      return CmdLedgerItemThroughAdapter(a->adapter, a->item, a->json);
    if (!a->adapter.empty())
      return CmdLedgerThroughAdapter(a->adapter, a->agency, a->handler, a->due, a->json);
    if (!a->item.empty()) return CmdLedgerItem(a->http, a->item, a->json);
    if (!a->month.empty()) return CmdLedgerReport(a->http, a->month, a->csv, a->html);
    return CmdLedger(a->http, a->agency, a->handler, a->due, a->json);
  });
}

}  // namespace concord::ctl
