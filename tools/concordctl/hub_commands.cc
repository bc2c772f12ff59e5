// `concordctl status | send | tail | deadletters`: the hub and the bus.
//
//   concordctl status [--hub-http 127.0.0.1:7180] [--json] [--wait-drained N]
//   concordctl send --config ops.toml --to shangzhou.court --subject S --body B [--wait S]
//   concordctl tail --config ops.toml [--count N] [--timeout S]
//   concordctl deadletters list [--hub-http ...]
//   concordctl deadletters replay --id N [--hub-http ...]
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/http_client.h"
#include "concord/v1/envelope.pb.h"
#include "google/protobuf/util/json_util.h"
#include "hub/client/client.h"
#include "hub/client/client_config.h"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {
namespace {

int CmdStatus(const std::string& hub_http, bool json, int wait_drained_s) {
  std::string host;
  uint16_t port;
  if (!SplitHostPort(hub_http, host, port))
    return Fail(2, "--hub-http 应为 host:port / must be host:port");
  // --wait-drained: poll until no connected principal has queued or in-flight messages.
  for (int i = 0; i < wait_drained_s * 10; ++i) {
    auto r = DaemonCall(host, port, "GET", "/status");
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
  auto r = DaemonCall(host, port, "GET", "/status");
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
    std::string state = p["revoked"].get<bool>()     ? "吊销"
                        : p["connected"].get<bool>() ? "在线 up"
                                                     : "离线 down";
    std::cout << Pad(p["name"].get<std::string>(), 34) << Pad(p["display"].get<std::string>(), 18)
              << Pad(state, 10) << Pad(std::to_string(p["queued"].get<uint64_t>()), 13)
              << Pad(std::to_string(p["inflight"].get<uint64_t>()), 15)
              << Pad(std::to_string(p["delivered"].get<uint64_t>()), 18)
              << Pad(std::to_string(p["dead_lettered"].get<uint64_t>()), 10) << "\n";
  }
  return 0;
}

int CmdSend(const std::string& config, const std::vector<std::string>& to,
            const std::string& subject, const std::string& body, int wait_s) {
  auto cfg = client::LoadProcessConfig(config, "concordctl.db");
  if (!cfg.ok()) return Fail(2, std::string(cfg.status().message()));
  boost::asio::io_context io;
  cfg->client.name = "concordctl";
  // Its own SQLite file beside the daemon's: never the book of an agent
  // whose config it borrows ([store] on PostgreSQL).
  cfg->client.postgresql = {};
  auto client = client::Client::Create(io, cfg->client);
  if (!client.ok()) return Fail(2, std::string(client.status().message()));
  v1::TextNote note;
  note.set_subject(subject);
  note.set_body(body);
  int rc = 3;
  std::string id = (*client)->Publish(client::MakeEnvelope(to, note), [&](const absl::Status& st) {
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
  auto cfg = client::LoadProcessConfig(config, "concordctl-tail.db");
  if (!cfg.ok()) return Fail(2, std::string(cfg.status().message()));
  boost::asio::io_context io;
  cfg->client.name = "concordctl-tail";
  // Its own SQLite file beside the daemon's: never the book of an agent
  // whose config it borrows ([store] on PostgreSQL).
  cfg->client.postgresql = {};
  auto client = client::Client::Create(io, cfg->client);
  if (!client.ok()) return Fail(2, std::string(client.status().message()));
  int seen = 0;
  (*client)->OnMessage([&](const v1::Envelope& env, sql::Db&) {
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
  if (!SplitHostPort(hub_http, host, port))
    return Fail(2, "--hub-http 应为 host:port / must be host:port");
  if (action == "list") {
    auto r = DaemonCall(host, port, "GET", "/deadletters");
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
  auto r = DaemonCall(host, port, "POST", "/deadletters/replay?id=" + std::to_string(id));
  if (!r.ok()) return Fail(3, std::string(r.status().message()));
  if (r->status != 200) return Fail(1, r->body);
  std::cout << "已重放 / replayed: " << r->body << "\n";
  return 0;
}

}  // namespace

void AddHubCommands(CLI::App& app, Commands& commands) {
  struct Args {
    std::string hub_http = "127.0.0.1:7180", config, subject = "测试 / test", body;
    bool json = false;
    int wait_drained = 0, wait_s = 10, count = 0, timeout_s = 0;
    std::vector<std::string> to;
    int64_t id = 0;
  };
  auto a = std::make_shared<Args>();
  auto* status = app.add_subcommand("status", "枢纽状态表 / hub status table");
  status->add_option("--hub-http", a->hub_http, "枢纽 HTTP 地址 / hub HTTP host:port");
  status->add_flag("--json", a->json, "输出 JSON / print JSON");
  status->add_option("--wait-drained", a->wait_drained,
                     "最多等待 N 秒直到在线机关无积压 / wait up to N s until online queues drain");
  commands.On(status, [a] { return CmdStatus(a->hub_http, a->json, a->wait_drained); });

  auto* send = app.add_subcommand("send", "发送一条文本消息 / send a TextNote (debugging)");
  send->add_option("--config", a->config, "客户端配置 / client config TOML")->required();
  send->add_option("--to", a->to, "收件人 / recipients")->required()->delimiter(',');
  send->add_option("--subject", a->subject);
  send->add_option("--body", a->body)->required();
  send->add_option("--wait", a->wait_s, "等待确认秒数 / seconds to wait for the Ack");
  commands.On(send, [a] { return CmdSend(a->config, a->to, a->subject, a->body, a->wait_s); });

  auto* tail = app.add_subcommand("tail", "打印收到的消息 / print deliveries (debugging)");
  tail->add_option("--config", a->config, "客户端配置 / client config TOML")->required();
  tail->add_option("--count", a->count, "收到 N 条后退出 / exit after N");
  tail->add_option("--timeout", a->timeout_s, "秒 / seconds");
  commands.On(tail, [a] { return CmdTail(a->config, a->count, a->timeout_s); });

  auto* dl = app.add_subcommand("deadletters", "死信 / dead letters");
  dl->require_subcommand(1);
  auto* list = dl->add_subcommand("list", "列出 / list");
  list->add_option("--hub-http", a->hub_http);
  commands.On(list, [a] { return CmdDeadLetters(a->hub_http, "list", 0); });
  auto* replay = dl->add_subcommand("replay", "重新投递 / deliver again");
  replay->add_option("--hub-http", a->hub_http);
  replay->add_option("--id", a->id)->required();
  commands.On(replay, [a] { return CmdDeadLetters(a->hub_http, "replay", a->id); });
}

}  // namespace concord::ctl
