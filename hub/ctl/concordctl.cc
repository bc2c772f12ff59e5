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
//   concordctl ledger --report 2026-11 [--csv report.csv]
//   concordctl aid keygen --out linkage.key
//   concordctl aid dedup --input FILE.csv --format concord|febrl|splink --out pairs.csv
//                        [--ignore-column soc_sec_id] [--key-file linkage.key] [--threshold 0.5]
//
// Exit codes: 0 success, 1 the check failed (e.g. audit chain broken), 2 usage
// or input error, 3 the hub could not be reached.
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
#include "hub/broker/audit.h"
#include "hub/broker/config.h"
#include "hub/client/client.h"
#include "hub/client/client_config.h"
#include "hub/common/curve_keys.h"
#include "hub/common/http_client.h"
#include "hub/common/log.h"
#include "hub/common/sqlite.h"
#include "hub/ctl/aid_commands.h"
#include "nlohmann/json.hpp"

namespace {

using concord::HttpCall;

int Fail(int code, const std::string& msg) {
  std::cerr << msg << "\n";
  return code;
}

bool SplitHostPort(const std::string& hp, std::string& host, uint16_t& port) {
  auto colon = hp.rfind(':');
  if (colon == std::string::npos) return false;
  host = hp.substr(0, colon);
  try {
    port = static_cast<uint16_t>(std::stoi(hp.substr(colon + 1)));
  } catch (...) {
    return false;
  }
  return true;
}

// Pads `s` to `width` display columns, counting CJK characters as two.
std::string Pad(const std::string& s, size_t width) {
  size_t cols = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    cols += len >= 3 ? 2 : 1;
    i += len;
  }
  return cols >= width ? s + " " : s + std::string(width - cols, ' ');
}

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

// The ledger agent's open items: one line each, then a count per agency.
int CmdLedger(const std::string& ledger_http, const std::string& agency, bool json) {
  std::string host;
  uint16_t port;
  if (!SplitHostPort(ledger_http, host, port))
    return Fail(2, "--ledger-http 应为 host:port / must be host:port");
  auto r = HttpCall(host, port, "GET", "/ledger/open");
  if (!r.ok()) return Fail(3, absl::StrCat("无法连接台账代理 / cannot reach the ledger agent at ",
                                           ledger_http, ": ", std::string(r.status().message())));
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("items")) return Fail(3, "bad response");
  if (json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  const int64_t now = j["now_ms"].get<int64_t>(), soon = now + 2LL * 24 * 3600 * 1000;
  struct Counts {
    int open = 0, due_soon = 0, overdue = 0;
  };
  std::map<std::string, Counts> per;
  std::cout << Pad("台账号 ledger no", 18) << Pad("责任机关 agency", 28) << Pad("状态 status", 18)
            << Pad("下一期限 next due", 20) << "事项 matter\n";
  for (const auto& i : j["items"]) {
    const std::string a = i["agency"].get<std::string>();
    if (!agency.empty() && a != agency) continue;
    Counts& c = per[a];
    ++c.open;
    const int64_t due = i["next_due_ms"].get<int64_t>();
    const bool overdue = i["overdue"].get<bool>();
    if (overdue) ++c.overdue;
    else if (due && due <= soon) ++c.due_soon;
    std::cout << Pad(i["ledger_no"].get<std::string>(), 18) << Pad(a, 28)
              << Pad(i["status"].get<std::string>(), 18)
              << Pad(i["next_due"].get<std::string>() + (overdue ? " 逾期!" : due && due <= soon ? " 将到期" : ""), 20)
              << i["matter"].get<std::string>() << (i["group"].get<bool>() ? " [集体访]" : "") << "\n";
  }
  std::cout << "\n" << Pad("机关 agency", 28) << Pad("在办 open", 12) << Pad("将到期 due soon", 18)
            << "逾期 overdue\n";
  for (const auto& [a, c] : per)
    std::cout << Pad(a, 28) << Pad(std::to_string(c.open), 12) << Pad(std::to_string(c.due_soon), 18)
              << c.overdue << "\n";
  return 0;
}

// The monthly statistics report: Markdown on stdout (Chinese first), and CSV
// when asked.
int CmdLedgerReport(const std::string& ledger_http, const std::string& month, const std::string& csv) {
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
  const int64_t pd = j["procedural_due"], pt = j["procedural_on_time"], sd = j["substantive_due"],
                st = j["substantive_on_time"];
  struct Line {
    std::string zh, en, value;
  };
  std::vector<Line> lines = {
      {"收到信访件", "received", std::to_string(j["received"].get<int64_t>())},
  };
  for (auto& [channel, n] : j["channels"].items())
    lines.push_back({"　其中渠道 " + channel, "by channel: " + channel, std::to_string(n.get<int64_t>())});
  lines.push_back({"集体访", "group petitions", std::to_string(j["group"].get<int64_t>())});
  lines.push_back({"匿名或无联系方式", "anonymous or no contact", std::to_string(j["anonymous"].get<int64_t>())});
  lines.push_back({"重复信访", "repeat petitions", std::to_string(j.value("repeat", int64_t{0}))});
  lines.push_back({"7日内程序性答复率", "procedural reply within 7 days", rate(pt, pd) + " (" +
                   std::to_string(pt) + "/" + std::to_string(pd) + ")"});
  lines.push_back({"3个月内实体答复率", "substantive reply within 3 months", rate(st, sd) + " (" +
                   std::to_string(st) + "/" + std::to_string(sd) + ")"});
  lines.push_back({"目前逾期期限", "deadlines overdue now", std::to_string(j["overdue_now"].get<int64_t>())});
  lines.push_back({"移送", "transferred", std::to_string(j["transferred"].get<int64_t>())});
  lines.push_back({"息诉罢访（办结）", "closed", std::to_string(j["closed"].get<int64_t>())});
  std::cout << "# 信访工作月报 " << month << " / Petition statistics, " << month << "\n\n"
            << "| 指标 | indicator | 数值 value |\n|---|---|---|\n";
  for (const auto& l : lines) std::cout << "| " << l.zh << " | " << l.en << " | " << l.value << " |\n";
  std::cout << "\n三零（零投诉、零赴省进京非正常上访、零安全事故）尚未接入台账，需人工填报。\n"
               "The three zeros (complaints, irregular petitions to the province or Beijing, safety "
               "incidents) are not in the ledger yet: report them by hand.\n";
  if (!csv.empty()) {
    std::ofstream out(csv);
    out << "\xEF\xBB\xBF指标,indicator,数值 value\n";
    for (const auto& l : lines) out << l.zh << "," << l.en << ",\"" << l.value << "\"\n";
    if (!out.flush()) return Fail(2, "无法写入 / cannot write " + csv);
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
  ledger->add_flag("--json", ledger_json);
  std::string report_month, report_csv;
  ledger->add_option("--report", report_month, "月报 YYYY-MM / monthly statistics (Markdown)");
  ledger->add_option("--csv", report_csv, "月报另存 CSV / also write the report as CSV");

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
  if (*ledger && !report_month.empty()) return CmdLedgerReport(ledger_http, report_month, report_csv);
  if (*ledger) return CmdLedger(ledger_http, ledger_agency, ledger_json);
  if (*aid_keygen) return concord::ctl::CmdAidKeygen(key_out);
  if (*aid_dedup) return concord::ctl::CmdAidDedup(dd);
  return 2;
}
