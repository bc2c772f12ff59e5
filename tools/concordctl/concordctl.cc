// concordctl: the operator's command line for a Concord district.
//
//   concordctl keys gen --out keys/court
//   concordctl keys add --registry registry.toml --name shangzhou.court --pub keys/court.pub
//   concordctl keys revoke --registry registry.toml --name shangzhou.court
//   concordctl status [--hub-http 127.0.0.1:7180]
//   concordctl audit verify --db data/hub/hub.db
//   concordctl audit show --db data/hub/hub.db [--tail 20]
//   concordctl send --config ops.toml --to shangzhou.court --subject S --body B
//   concordctl tail --config ops.toml [--count N] [--timeout S]
//   concordctl deadletters list|replay [--id N] [--hub-http ...]
//   concordctl ledger [--ledger-http 127.0.0.1:7191] [--agency shangzhou.procuratorate]
//                     [--handler 李某] [--due] [--json]
//   concordctl ledger --item 信-2026-000123 [--json]
//   concordctl risk [--risk-http 127.0.0.1:7192] [--agency shangzhou.petition] [--json]
//   concordctl risk --screening 2026-12 --agency shangzhou.petition [--csv screening.csv]
//   concordctl ledger --report 2026-11 [--csv report.csv] [--html report.html]
//   concordctl petition register --adapter 127.0.0.1:7206 (--csv FILE | --intake-id ID
//                        --channel 来信 --matter M [--received ...] [--people N] ...)
//   concordctl petition status --adapter 127.0.0.1:7206 [--intake-id ID]
//   concordctl aid keygen --out linkage.key
//   concordctl aid dedup --input FILE.csv --format concord|febrl|splink --out pairs.csv
//                        [--ignore-column soc_sec_id] [--key-file linkage.key] [--threshold 0.5]
//   concordctl conference --id 会-2026-001 [--conference-http 127.0.0.1:7193] [--json]
//   concordctl conference --id 会-2026-001 --html plan.html
//   concordctl conference --leader "检察长 周某"
//
// Exit codes: 0 success, 1 the check failed (e.g. audit chain broken), 2 usage
// or input error, 3 the hub (or the adapter, the ledger agent) could not be reached
// (conference: or the conference agent answered with an error, e.g. no such
// conference).
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "absl/strings/str_split.h"
#include "concord/v1/envelope.pb.h"
#include "google/protobuf/util/json_util.h"
#include "hub/audit/audit.h"
#include "hub/registry/registry.h"
#include "hub/client/client.h"
#include "hub/client/client_config.h"
#include "hub/transport/curve_keys.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/sqlite.h"
#include "tools/concordctl/aid_commands.h"
#include "tools/concordctl/conference_commands.h"
#include "common/html.h"
#include "tools/concordctl/ctl_util.h"
#include "tools/concordctl/petition_commands.h"
#include "nlohmann/json.hpp"

namespace {

using concord::HtmlEscape;
using concord::HttpCall;
using concord::ctl::Fail;
using concord::ctl::Pad;
using concord::ctl::SplitHostPort;

int CmdStatus(const std::string& hub_http, bool json, int wait_drained_s) {
  std::string host;
  uint16_t port;
  if (!SplitHostPort(hub_http, host, port)) return Fail(2, "--hub-http 应为 host:port / must be host:port");
  // --wait-drained: poll until no connected principal has queued or in-flight messages.
  for (int i = 0; i < wait_drained_s * 10; ++i) {
    auto r = HttpCall(host, port, "GET", "/status");
    if (!r.ok()) return Fail(3, std::string(r.status().message()));
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    uint64_t busy = 0;
    if (!j.is_discarded())
      for (auto& p : j["principals"])
        if (p["connected"].get<bool>())
          busy += p["queued"].get<uint64_t>() + p["inflight"].get<uint64_t>();
    if (busy == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto r = HttpCall(host, port, "GET", "/status");
  if (!r.ok()) return Fail(3, std::string(r.status().message()));
  if (json) {
    std::cout << r->body << "\n";
    return 0;
  }
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return Fail(3, "枢纽返回的状态无法解析 / hub status is not JSON");
  std::cout << "枢纽 / hub " << j["endpoint"].get<std::string>() << "   已接收 published "
            << j["published"] << "   已投递 delivered " << j["delivered"] << "   已确认 acked "
            << j["acked"] << "   死信 dead-lettered " << j["dead_lettered"] << "   过期 expired "
            << j["expired"] << "   拒绝 refused " << j["refused"] << "\n\n";
  std::cout << Pad("机关 / principal", 34) << Pad("名称", 18) << Pad("在线", 10)
            << Pad("排队 queued", 13) << Pad("在途 inflight", 15) << Pad("已投递 delivered", 18)
            << Pad("死信 dead", 10) << "\n";
  for (auto& p : j["principals"]) {
    std::string state = p["revoked"].get<bool>() ? "吊销" : p["connected"].get<bool>() ? "在线 up" : "离线 down";
    std::cout << Pad(p["name"].get<std::string>(), 34) << Pad(p["display"].get<std::string>(), 18)
              << Pad(state, 10) << Pad(std::to_string(p["queued"].get<uint64_t>()), 13)
              << Pad(std::to_string(p["inflight"].get<uint64_t>()), 15)
              << Pad(std::to_string(p["delivered"].get<uint64_t>()), 18)
              << Pad(std::to_string(p["dead_lettered"].get<uint64_t>()), 10) << "\n";
  }
  return 0;
}

int CmdAuditVerify(const std::string& db_path) {
  concord::sqlite::OpenOptions ro;
  ro.read_only = true;
  auto db = concord::sqlite::Db::Open(db_path, ro);
  if (!db.ok()) return Fail(2, std::string(db.status().message()));
  auto r = concord::hub::VerifyAuditChain(*db, concord::hub::AuditHeadPath(db_path));
  if (!r.ok()) return Fail(2, std::string(r.status().message()));
  if (r->ok) {
    std::cout << "审计链完整 / audit chain intact: " << r->lines << " 行 lines\n";
    return 0;
  }
  std::cout << "审计链损坏 / audit chain BROKEN at line " << r->first_bad << ": " << r->reason
            << "\n";
  return 1;
}

int CmdAuditShow(const std::string& db_path, int tail) {
  concord::sqlite::OpenOptions ro;
  ro.read_only = true;
  auto db = concord::sqlite::Db::Open(db_path, ro);
  if (!db.ok()) return Fail(2, std::string(db.status().message()));
  auto st = db->Prepare(
      "SELECT line FROM (SELECT n, line FROM audit ORDER BY n DESC LIMIT ?) ORDER BY n");
  if (!st.ok()) return Fail(2, std::string(st.status().message()));
  st->Bind(1, tail);
  while (true) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    std::cout << st->Text(0) << "\n";
  }
  return 0;
}

int CmdSend(const std::string& config, const std::vector<std::string>& to,
            const std::string& subject, const std::string& body, int wait_s) {
  auto cfg = concord::client::LoadProcessConfig(config, "concordctl.db");
  if (!cfg.ok()) return Fail(2, std::string(cfg.status().message()));
  boost::asio::io_context io;
  cfg->client.name = "concordctl";
  auto client = concord::client::Client::Create(io, cfg->client);
  if (!client.ok()) return Fail(2, std::string(client.status().message()));
  concord::v1::TextNote note;
  note.set_subject(subject);
  note.set_body(body);
  int rc = 3;
  std::string id = (*client)->Publish(concord::client::MakeEnvelope(to, note),
                                      [&](const absl::Status& st) {
                                        if (st.ok()) {
                                          rc = 0;
                                        } else {
                                          std::cerr << "被拒绝 / refused: " << st.message() << "\n";
                                          rc = 1;
                                        }
                                        io.stop();
                                      });
  (*client)->Start();
  boost::asio::steady_timer t(io, std::chrono::seconds(wait_s));
  t.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) io.stop();
  });
  io.run();
  if (rc == 0) std::cout << "已确认 / acknowledged " << id << "\n";
  if (rc == 3) std::cerr << "超时，枢纽未确认 / no acknowledgement within " << wait_s << " s\n";
  return rc;
}

int CmdTail(const std::string& config, int count, int timeout_s) {
  auto cfg = concord::client::LoadProcessConfig(config, "concordctl-tail.db");
  if (!cfg.ok()) return Fail(2, std::string(cfg.status().message()));
  boost::asio::io_context io;
  cfg->client.name = "concordctl-tail";
  auto client = concord::client::Client::Create(io, cfg->client);
  if (!client.ok()) return Fail(2, std::string(client.status().message()));
  int seen = 0;
  (*client)->OnMessage([&](const concord::v1::Envelope& env, concord::sqlite::Db&) {
    std::string json;
    google::protobuf::util::JsonPrintOptions o;
    (void)google::protobuf::util::MessageToJsonString(env, &json, o);
    std::cout << json << std::endl;
    if (count > 0 && ++seen >= count) io.stop();
    return absl::OkStatus();
  });
  (*client)->Start();
  boost::asio::steady_timer t(io);
  if (timeout_s > 0) {
    t.expires_after(std::chrono::seconds(timeout_s));
    t.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) io.stop();
    });
  }
  io.run();
  return 0;
}

int CmdDeadLetters(const std::string& hub_http, const std::string& action, int64_t id) {
  std::string host;
  uint16_t port;
  if (!SplitHostPort(hub_http, host, port)) return Fail(2, "--hub-http 应为 host:port / must be host:port");
  if (action == "list") {
    auto r = HttpCall(host, port, "GET", "/deadletters");
    if (!r.ok()) return Fail(3, std::string(r.status().message()));
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (j.is_discarded()) return Fail(3, "bad response");
    std::cout << Pad("编号 id", 9) << Pad("收件人 recipient", 30) << Pad("发件人 sender", 30)
              << Pad("次数", 6) << Pad("已重放", 8) << "原因 reason\n";
    for (auto& d : j)
      std::cout << Pad(std::to_string(d["id"].get<int64_t>()), 9)
                << Pad(d["recipient"].get<std::string>(), 30)
                << Pad(d["sender"].get<std::string>(), 30)
                << Pad(std::to_string(d["attempts"].get<int64_t>()), 6)
                << Pad(d["replayed"].get<bool>() ? "是 yes" : "否 no", 8)
                << d["reason"].get<std::string>() << "\n";
    std::cout << "共 " << j.size() << " 条 / total " << j.size() << "\n";
    return 0;
  }
  auto r = HttpCall(host, port, "POST", "/deadletters/replay?id=" + std::to_string(id));
  if (!r.ok()) return Fail(3, std::string(r.status().message()));
  if (r->status != 200) return Fail(1, r->body);
  std::cout << "已重放 / replayed: " << r->body << "\n";
  return 0;
}

// The ledger agent's open items: one line each, then counts per agency and
// per person responsible (首办责任人).
int CmdLedger(const std::string& ledger_http, const std::string& agency, const std::string& handler,
              bool due_only, bool json) {
  std::string host;
  uint16_t port;
  if (!SplitHostPort(ledger_http, host, port))
    return Fail(2, "--ledger-http 应为 host:port / must be host:port");
  // Filtered by the agent: a district has many open items.
  auto r = HttpCall(host, port, "GET", "/ledger/open?agency=" + concord::QueryEscape(agency) + "&handler=" +
                                           concord::QueryEscape(handler) + (due_only ? "&due=1" : ""));
  if (!r.ok()) return Fail(3, absl::StrCat("无法连接台账代理 / cannot reach the ledger agent at ",
                                           ledger_http, ": ", std::string(r.status().message())));
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("items")) return Fail(3, "bad response");
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
  std::cout << Pad("台账号 ledger no", 18) << Pad("责任机关 agency", 28) << Pad("首办责任人 handler", 20)
            << Pad("状态 status", 16) << Pad("下一期限 next due", 22) << "事项 matter\n";
  for (const auto& i : items) {
    const std::string a = i.value("agency", ""), who = i.value("handler", "");
    const bool overdue = i.value("overdue", false), soon = i.value("due_soon", false);
    for (Counts* c : {&per_agency[a], &per_person[{a, who}]}) {
      ++c->open;
      c->overdue += overdue;
      c->due_soon += soon;
    }
    std::cout << Pad(i.value("ledger_no", ""), 18) << Pad(a, 28) << Pad(who.empty() ? "（未分流）" : who, 20)
              << Pad(i.value("status_zh", i.value("status", "")), 16)
              << Pad(i.value("next_due", "") + (overdue ? " 逾期!" : soon ? " 将到期" : ""), 22)
              << i.value("matter", "") << (i.value("group", false) ? " [集体访]" : "")
              << (i.value("major", false) && !i.value("group", false) ? " [重大]" : "") << "\n";
  }
  std::cout << "\n" << Pad("机关 agency", 28) << Pad("在办 open", 12) << Pad("将到期 due soon", 18)
            << "逾期 overdue\n";
  for (const auto& [a, c] : per_agency)
    std::cout << Pad(a, 28) << Pad(std::to_string(c.open), 12) << Pad(std::to_string(c.due_soon), 18)
              << c.overdue << "\n";
  std::cout << "\n" << Pad("机关 agency", 28) << Pad("首办责任人 handler", 20) << Pad("在办 open", 12)
            << Pad("将到期 due soon", 18) << "逾期 overdue\n";
  for (const auto& [k, c] : per_person)
    std::cout << Pad(k.first, 28) << Pad(k.second.empty() ? "（未分流 not routed）" : k.second, 20)
              << Pad(std::to_string(c.open), 12) << Pad(std::to_string(c.due_soon), 18) << c.overdue << "\n";
  return 0;
}

// One item's history, step by step (件件有留痕).
int CmdLedgerItem(const std::string& ledger_http, const std::string& ledger_no, bool json) {
  std::string host;
  uint16_t port;
  if (!SplitHostPort(ledger_http, host, port))
    return Fail(2, "--ledger-http 应为 host:port / must be host:port");
  auto r = HttpCall(host, port, "GET", "/ledger/history?ledger_no=" + concord::QueryEscape(ledger_no));
  if (!r.ok()) return Fail(3, absl::StrCat("无法连接台账代理 / cannot reach the ledger agent at ",
                                           ledger_http, ": ", std::string(r.status().message())));
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return Fail(3, "bad response");
  if (r->status != 200) return Fail(r->status == 404 ? 1 : 3, j.value("error", r->body));
  if (json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "台账号 ledger no " << j.value("ledger_no", "") << "    责任机关 responsible "
            << j.value("responsible", "") << "\n\n"
            << Pad("时间 time", 18) << Pad("机关 agency", 26) << Pad("办理 action", 22) << Pad("状态 status", 16)
            << "说明 note\n";
  for (const auto& e : j["events"])
    std::cout << Pad(e.value("at", ""), 18) << Pad(e.value("agency", ""), 26)
              << Pad(e.value("action_zh", "") + " " + e.value("action", ""), 22)
              << Pad(e.value("to_status_zh", e.value("to_status", "")), 16) << e.value("note", "") << "\n";
  return 0;
}

// The risk agent's open risks, highest first, each with its factors and reasons.
int CmdRisk(const std::string& risk_http, const std::string& agency, bool json) {
  std::string host;
  uint16_t port;
  if (!SplitHostPort(risk_http, host, port)) return Fail(2, "--risk-http 应为 host:port / must be host:port");
  auto r = HttpCall(host, port, "GET", "/risk/open?agency=" + concord::QueryEscape(agency));
  if (!r.ok()) return Fail(3, absl::StrCat("无法连接风险代理 / cannot reach the risk agent at ", risk_http, ": ",
                                           std::string(r.status().message())));
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("risks")) return Fail(3, "bad response");
  if (json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << Pad("案件 case", 18) << Pad("责任机关 agency", 28) << Pad("等级 level", 18) << Pad("分数 score", 12)
            << "事项 matter\n";
  for (const auto& c : j["risks"]) {
    std::cout << Pad(c.value("case_key", ""), 18) << Pad(c.value("agency", ""), 28)
              << Pad(c.value("level_zh", ""), 18) << Pad(std::to_string(c.value("score", 0)), 12)
              << c.value("matter", "") << "\n";
    for (const auto& f : c["factors"])
      std::cout << "    · " << f.value("name", "") << " +" << f.value("weight", 0) << "  " << f.value("reason", "")
                << "\n";
    std::cout << "    → " << c.value("required", "") << "\n";
  }
  std::cout << "共 " << j["risks"].size() << " 件 / total " << j["risks"].size() << "\n";
  return 0;
}

// A month's screening report for one agency: Markdown on stdout, CSV on request.
int CmdRiskScreening(const std::string& risk_http, const std::string& month, const std::string& agency,
                     const std::string& csv) {
  std::string host;
  uint16_t port;
  if (!SplitHostPort(risk_http, host, port)) return Fail(2, "--risk-http 应为 host:port / must be host:port");
  if (agency.empty()) return Fail(2, "需要 --agency / --agency is required with --screening");
  auto r = HttpCall(host, port, "GET", "/risk/screening?month=" + concord::QueryEscape(month) + "&agency=" + concord::QueryEscape(agency));
  if (!r.ok()) return Fail(3, absl::StrCat("无法连接风险代理 / cannot reach the risk agent at ", risk_http, ": ",
                                           std::string(r.status().message())));
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return Fail(3, "bad response");
  if (r->status != 200) return Fail(1, j.value("error", r->body));
  std::cout << j.value("markdown", "");
  if (!csv.empty()) {
    std::ofstream out(csv);
    out << j.value("csv", "");
    if (!out.flush()) return Fail(2, "无法写入 / cannot write " + csv);
  }
  return 0;
}

// The monthly statistics report: Markdown on stdout (Chinese first), and CSV
// and an HTML page when asked.
int CmdLedgerReport(const std::string& ledger_http, const std::string& month, const std::string& csv,
                    const std::string& html) {
  std::string host;
  uint16_t port;
  if (!SplitHostPort(ledger_http, host, port))
    return Fail(2, "--ledger-http 应为 host:port / must be host:port");
  auto r = HttpCall(host, port, "GET", "/ledger/stats?month=" + month);
  if (!r.ok()) return Fail(3, absl::StrCat("无法连接台账代理 / cannot reach the ledger agent at ",
                                           ledger_http, ": ", std::string(r.status().message())));
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return Fail(3, "bad response");
  if (r->status != 200) return Fail(2, j.value("error", r->body));
  auto rate = [](int64_t on_time, int64_t due) {
    char buf[32];
    if (due == 0) return std::string("—");
    snprintf(buf, sizeof buf, "%.1f%%", 100.0 * on_time / due);
    return std::string(buf);
  };
  auto n = [&](const char* key) { return j.value(key, int64_t{0}); };
  const int64_t pd = n("procedural_due"), pt = n("procedural_on_time"), sd = n("substantive_due"),
                st = n("substantive_on_time");
  struct Line {
    std::string zh, en, value;
  };
  std::vector<Line> lines = {{"收到信访件", "received", std::to_string(n("received"))}};
  for (auto& [channel, count] : j["channels"].items())
    lines.push_back({"　其中渠道 " + channel, "by channel: " + channel, std::to_string(count.get<int64_t>())});
  lines.push_back({"集体访", "group petitions", std::to_string(n("group"))});
  lines.push_back({"匿名或无联系方式", "anonymous or no contact", std::to_string(n("anonymous"))});
  lines.push_back({"重复信访", "repeat petitions", std::to_string(n("repeat"))});
  lines.push_back({"7日内程序性答复率", "procedural reply within 7 days", rate(pt, pd) + " (" +
                   std::to_string(pt) + "/" + std::to_string(pd) + ")"});
  lines.push_back({"3个月内实体答复率", "substantive reply within 3 months", rate(st, sd) + " (" +
                   std::to_string(st) + "/" + std::to_string(sd) + ")"});
  lines.push_back({"目前逾期期限", "deadlines overdue now", std::to_string(n("overdue_now"))});
  lines.push_back({"移送", "transferred", std::to_string(n("transferred"))});
  lines.push_back({"息诉罢访（办结）", "closed", std::to_string(n("closed"))});
  auto zero = [&](const char* key) {
    const int64_t v = n(key);
    return v == 0 ? std::string("0 ✓ 达标 met") : std::to_string(v) + " ✗ 未达标 missed";
  };
  lines.push_back({"三零：投诉", "three zeros: complaints", zero("complaints")});
  lines.push_back({"三零：赴省进京非正常上访", "three zeros: irregular petitions to the province or Beijing",
                   zero("irregular_petitions")});
  lines.push_back({"三零：安全事故", "three zeros: safety incidents", zero("safety_incidents")});
  const int64_t need = n("receptions_required");
  if (j["receptions"].empty())
    lines.push_back({"检察长接待日（每年不少于" + std::to_string(need) + "次）",
                     "chief procurator reception days (at least " + std::to_string(need) + " a year)",
                     "0 未安排 none planned"});
  for (const auto& h : j["receptions"]) {
    const int64_t held = h.value("held", int64_t{0}), planned = h.value("planned", int64_t{0});
    lines.push_back({"检察长接待日 " + h.value("agency", "") + "（本年已举办 / 已安排，每年不少于" +
                         std::to_string(need) + "次）",
                     "reception days of " + h.value("agency", "") + " this year: held / planned (at least " +
                         std::to_string(need) + ")",
                     std::to_string(held) + " / " + std::to_string(planned) +
                         (planned >= need ? "" : " 安排不足 too few planned")});
  }
  lines.push_back({"本月接待日来访人数", "people received at this month's reception days",
                   std::to_string(n("reception_visitors"))});
  const std::string title_zh = "信访工作月报 " + month, title_en = "Petition statistics, " + month;
  std::cout << "# " << title_zh << " / " << title_en << "\n\n"
            << "| 指标 | indicator | 数值 value |\n|---|---|---|\n";
  for (const auto& l : lines) std::cout << "| " << l.zh << " | " << l.en << " | " << l.value << " |\n";
  if (!csv.empty()) {
    std::ofstream out(csv);
    out << "\xEF\xBB\xBF指标,indicator,数值 value\n";
    for (const auto& l : lines) out << "\"" << l.zh << "\",\"" << l.en << "\",\"" << l.value << "\"\n";
    if (!out.flush()) return Fail(2, "无法写入 / cannot write " + csv);
  }
  if (!html.empty()) {
    std::ofstream out(html);
    out << "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" << HtmlEscape(title_zh)
        << "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
           "td,th{border:1px solid #999;padding:4px 10px}td:last-child{text-align:right}"
           ".en{color:#666;font-size:90%}</style></head><body>\n<h1>"
        << HtmlEscape(title_zh) << " <span class=\"en\">" << HtmlEscape(title_en)
        << "</span></h1>\n<table><tr><th>指标</th><th class=\"en\">indicator</th><th>数值 value</th></tr>\n";
    for (const auto& l : lines)
      out << "<tr><td>" << HtmlEscape(l.zh) << "</td><td class=\"en\">" << HtmlEscape(l.en) << "</td><td>"
          << HtmlEscape(l.value) << "</td></tr>\n";
    out << "</table></body></html>\n";
    if (!out.flush()) return Fail(2, "无法写入 / cannot write " + html);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"concordctl: 政法协同枢纽运维工具 / Concord operator tool"};
  app.require_subcommand(1);
  concord::InitLogging("concordctl");
  spdlog::set_level(spdlog::level::warn);

  std::string hub_http = "127.0.0.1:7180";
  bool json = false;
  auto* status = app.add_subcommand("status", "枢纽状态表 / hub status table");
  status->add_option("--hub-http", hub_http, "枢纽 HTTP 地址 / hub HTTP host:port");
  status->add_flag("--json", json, "输出 JSON / print JSON");
  int wait_drained = 0;
  status->add_option("--wait-drained", wait_drained,
                     "最多等待 N 秒直到在线机关无积压 / wait up to N s until online queues drain");

  auto* keys = app.add_subcommand("keys", "CurveZMQ 密钥 / keys");
  keys->require_subcommand(1);
  std::string out, registry, name, pub, roles, display;
  bool force = false;
  auto* gen = keys->add_subcommand("gen", "生成密钥对 / make a key pair (<out>.pub, <out>.key)");
  gen->add_option("--out", out, "文件前缀 / path prefix")->required();
  gen->add_flag("--force", force, "覆盖已有文件 / overwrite");
  auto* add = keys->add_subcommand("add", "登记公钥 / add a principal to the registry");
  add->add_option("--registry", registry)->required();
  add->add_option("--name", name)->required();
  add->add_option("--pub", pub, "公钥文件或 Z85 / .pub file or Z85 key")->required();
  add->add_option("--roles", roles, "逗号分隔 / comma-separated roles");
  add->add_option("--display", display, "中文名称 / display name");
  auto* revoke = keys->add_subcommand("revoke", "吊销 / revoke a principal's key");
  revoke->add_option("--registry", registry)->required();
  revoke->add_option("--name", name)->required();

  auto* audit = app.add_subcommand("audit", "审计链 / audit chain");
  audit->require_subcommand(1);
  std::string db_path;
  int tail = 20;
  auto* verify = audit->add_subcommand("verify", "校验审计链 / verify the chain");
  verify->add_option("--db", db_path, "hub.db")->required();
  auto* show = audit->add_subcommand("show", "显示最近的审计行 / print the last lines");
  show->add_option("--db", db_path, "hub.db")->required();
  show->add_option("--tail", tail);

  std::string config, subject = "测试 / test", body;
  std::vector<std::string> to;
  int wait_s = 10, count = 0, timeout_s = 0;
  auto* send = app.add_subcommand("send", "发送一条文本消息 / send a TextNote (debugging)");
  send->add_option("--config", config, "客户端配置 / client config TOML")->required();
  send->add_option("--to", to, "收件人 / recipients")->required()->delimiter(',');
  send->add_option("--subject", subject);
  send->add_option("--body", body)->required();
  send->add_option("--wait", wait_s, "等待确认秒数 / seconds to wait for the Ack");
  auto* tailc = app.add_subcommand("tail", "打印收到的消息 / print deliveries (debugging)");
  tailc->add_option("--config", config, "客户端配置 / client config TOML")->required();
  tailc->add_option("--count", count, "收到 N 条后退出 / exit after N");
  tailc->add_option("--timeout", timeout_s, "秒 / seconds");

  auto* dl = app.add_subcommand("deadletters", "死信 / dead letters");
  dl->require_subcommand(1);
  int64_t dl_id = 0;
  auto* dl_list = dl->add_subcommand("list", "列出 / list");
  dl_list->add_option("--hub-http", hub_http);
  auto* dl_replay = dl->add_subcommand("replay", "重新投递 / deliver again");
  dl_replay->add_option("--hub-http", hub_http);
  dl_replay->add_option("--id", dl_id)->required();

  auto* aid = app.add_subcommand("aid", "司法救助 / judicial aid");
  aid->require_subcommand(1);
  std::string key_out;
  auto* aid_keygen = aid->add_subcommand("keygen", "生成关联密钥 / make the agencies' linkage key");
  aid_keygen->add_option("--out", key_out, "密钥文件 / key file")->required();
  concord::ctl::AidDedupArgs dd;
  auto* aid_dedup = aid->add_subcommand(
      "dedup", "批量查重 / find duplicate aid (or same-person pairs) in a file");
  aid_dedup->add_option("--input", dd.input, "CSV 文件 / input file")->required();
  aid_dedup->add_option("--format", dd.format, "concord | febrl | splink");
  aid_dedup->add_option("--out", dd.out, "id_a,id_b,score 输出 / pairs CSV")->required();
  aid_dedup->add_option("--ignore-column", dd.ignore_columns, "忽略的列 / drop a column");
  aid_dedup->add_option("--key-file", dd.key_file, "关联密钥 / linkage key (default: a fresh one)");
  aid_dedup->add_option("--threshold", dd.threshold, "同一人概率阈值 / P(same person) cut-off");
  aid_dedup->add_flag("--person-only", dd.person_only,
                      "只看是否同一人（不看案件）/ same person, any case");
  aid_dedup->add_option("--model-out", dd.model_out, "写出估计的模型 / write the estimated model");

  std::string ledger_http = "127.0.0.1:7191", ledger_agency;
  bool ledger_json = false;
  auto* ledger = app.add_subcommand("ledger", "信访台账：在办、将到期、逾期 / petition ledger: open, due soon, overdue");
  ledger->add_option("--ledger-http", ledger_http, "台账代理 / ledger agent host:port");
  ledger->add_option("--agency", ledger_agency, "只看一个机关 / one agency only");
  std::string ledger_handler, report_month, report_csv, report_html;
  bool ledger_due = false;
  ledger->add_option("--handler", ledger_handler, "只看一位首办责任人 / one person responsible only");
  std::string ledger_item;
  ledger->add_option("--item", ledger_item, "一件信访的全部办理记录 / one item's whole history (台账号)");
  ledger->add_flag("--due", ledger_due, "只看将到期和逾期 / due soon and overdue only");
  ledger->add_flag("--json", ledger_json);
  ledger->add_option("--report", report_month, "月报 YYYY-MM / monthly statistics (Markdown)");
  ledger->add_option("--csv", report_csv, "月报另存 CSV / also write the report as CSV");
  ledger->add_option("--html", report_html, "月报另存网页 / also write the report as an HTML page");

  auto* petition = app.add_subcommand("petition", "信访登记 / petition intake at an adapter");
  petition->require_subcommand(1);
  concord::ctl::PetitionRegisterArgs pr;
  auto* pet_register = petition->add_subcommand(
      "register", "登记信访件（单件或 CSV）/ register petitions (one, or a CSV file)");
  pet_register->add_option("--adapter", pr.adapter, "适配器 HTTP 地址 / the adapter's host:port");
  auto* pet_csv = pet_register->add_option("--csv", pr.csv, "信访登记 CSV / petition CSV file");
  pet_register->add_option("--intake-id", pr.intake_id, "登记编号 / intake id")->excludes(pet_csv);
  pet_register->add_option("--channel", pr.channel, "渠道 来信/来访/网上/电话/视频/转送 / channel")
      ->excludes(pet_csv);
  pet_register->add_option("--matter", pr.matter, "信访事项 / matter")->excludes(pet_csv);
  pet_register->add_option("--received", pr.received, "收到时间 \"YYYY-MM-DD HH:MM\" / received (CST)")
      ->excludes(pet_csv);
  pet_register->add_option("--petitioner", pr.petitioner, "信访人 / petitioner")->excludes(pet_csv);
  pet_register->add_option("--contact", pr.contact, "联系方式 / contact")->excludes(pet_csv);
  pet_register->add_flag("--anonymous", pr.anonymous, "匿名 / anonymous")->excludes(pet_csv);
  pet_register->add_option("--case-ref", pr.case_ref, "案号 / case number")->excludes(pet_csv);
  pet_register->add_option("--people", pr.people, "人数（5 人以上为集体访）/ people (5+: group)")
      ->excludes(pet_csv);
  pet_register->add_option("--wait", pr.wait_s, "等待台账号的秒数 / seconds to wait for ledger numbers");
  std::string pet_adapter = pr.adapter, pet_id;
  auto* pet_status = petition->add_subcommand("status", "登记状态与台账号 / status and ledger numbers");
  pet_status->add_option("--adapter", pet_adapter, "适配器 HTTP 地址 / the adapter's host:port");
  pet_status->add_option("--intake-id", pet_id, "只看一件 / one petition only");

  std::string risk_http = "127.0.0.1:7192", risk_agency, risk_month, risk_csv;
  bool risk_json = false;
  auto* risk = app.add_subcommand("risk", "风险评估预警：在办风险与月度排查 / open risks and the monthly screening");
  risk->add_option("--risk-http", risk_http, "风险代理 / risk agent host:port");
  risk->add_option("--agency", risk_agency, "只看一个机关 / one agency only");
  risk->add_option("--screening", risk_month, "隐患月排查报告 YYYY-MM / the month's screening report");
  risk->add_option("--csv", risk_csv, "排查报告另存 CSV / also write the screening as CSV");
  risk->add_flag("--json", risk_json);

  concord::ctl::ConferenceArgs conf;
  auto* conference = app.add_subcommand(
      "conference", "联席会议：会议、方案、任务与包案领导 / joint conferences: plan, tasks, lead leader's view");
  conference->add_option("--conference-http", conf.http, "联席会议代理 / conference agent host:port");
  conference->add_option("--id", conf.id, "联席会议编号 / conference number (会-YYYY-NNN)");
  conference->add_option("--leader", conf.leader, "包案领导的在办会议与任务 / a lead leader's open conferences");
  conference->add_option("--html", conf.html, "方案文书另存网页 / write the plan document (HTML)");
  conference->add_flag("--json", conf.json, "代理的 JSON 原样输出 / the agent's JSON as it is");

  CLI11_PARSE(app, argc, argv);

  if (*status) return CmdStatus(hub_http, json, wait_drained);
  if (*gen) {
    auto kp = concord::GenerateCurveKeyPair();
    if (!kp.ok()) return Fail(2, std::string(kp.status().message()));
    if (auto st = concord::SaveCurveKeyPair(*kp, out, force); !st.ok())
      return Fail(2, std::string(st.message()));
    std::cout << kp->public_z85 << "\n";
    return 0;
  }
  if (*add) {
    auto key = concord::LoadCurvePublicKey(pub);
    if (!key.ok()) return Fail(2, std::string(key.status().message()));
    concord::hub::Principal p;
    p.name = name;
    p.public_key = *key;
    p.display = display;
    if (!roles.empty()) p.roles = absl::StrSplit(roles, ',');
    if (auto st = concord::hub::AddPrincipalToFile(registry, p); !st.ok())
      return Fail(2, std::string(st.message()));
    std::cout << "已登记 / added " << name << "\n";
    return 0;
  }
  if (*revoke) {
    if (auto st = concord::hub::RevokePrincipalInFile(registry, name); !st.ok())
      return Fail(2, std::string(st.message()));
    std::cout << "已吊销 / revoked " << name << "（枢纽自动重新加载 / the hub reloads it)\n";
    return 0;
  }
  if (*verify) return CmdAuditVerify(db_path);
  if (*show) return CmdAuditShow(db_path, tail);
  if (*send) return CmdSend(config, to, subject, body, wait_s);
  if (*tailc) return CmdTail(config, count, timeout_s);
  if (*dl_list) return CmdDeadLetters(hub_http, "list", 0);
  if (*dl_replay) return CmdDeadLetters(hub_http, "replay", dl_id);
  if (*risk && !risk_month.empty()) return CmdRiskScreening(risk_http, risk_month, risk_agency, risk_csv);
  if (*risk) return CmdRisk(risk_http, risk_agency, risk_json);
  if (*ledger && !ledger_item.empty()) return CmdLedgerItem(ledger_http, ledger_item, ledger_json);
  if (*ledger && !report_month.empty())
    return CmdLedgerReport(ledger_http, report_month, report_csv, report_html);
  if (*ledger) return CmdLedger(ledger_http, ledger_agency, ledger_handler, ledger_due, ledger_json);
  if (*aid_keygen) return concord::ctl::CmdAidKeygen(key_out);
  if (*aid_dedup) return concord::ctl::CmdAidDedup(dd);
  if (*pet_register) return concord::ctl::CmdPetitionRegister(pr);
  if (*pet_status) return concord::ctl::CmdPetitionStatus(pet_adapter, pet_id);
  if (*conference) return concord::ctl::CmdConference(conf);
  return 2;
}
