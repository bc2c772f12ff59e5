// concord-test-receiver: a bus client in a process of its own, so that fault
// tests can SIGKILL a receiver mid-stream and start it again.
//
//   concord-test-receiver --endpoint tcp://127.0.0.1:PORT --hub-key keys/hub.pub
//       --key keys/b.key --db b.db [--ready-file b.ready] [--credit 256]
//
// Each delivery is applied by inserting one row into `effects(id, body)` in
// the receiver's SQLite file, inside the Client's delivery transaction (the
// same one that records the envelope id in the inbox). The table has no
// unique constraint on purpose: a delivery applied twice shows up as two rows.
// Once the hub has welcomed it, the receiver writes --ready-file. It runs
// until SIGTERM/SIGINT (clean stop) or SIGKILL.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>

#include "common/log.h"
#include "concord/v1/envelope.pb.h"
#include "hub/client/client.h"
#include "hub/transport/curve_keys.h"

namespace pb = ::concord::v1;

int main(int argc, char** argv) {
  CLI::App app{"concord-test-receiver: 测试用接收端 / receiver process for fault tests"};
  concord::client::ClientOptions o;
  o.name = "concord-test-receiver";
  o.heartbeat_ms = 500;
  o.resend_after_ms = 2000;
  std::string hub_key, key, ready_file;
  app.add_option("--endpoint", o.hub_endpoint, "hub endpoint")->required();
  app.add_option("--hub-key", hub_key, "hub public key (.pub file or Z85)")->required();
  app.add_option("--key", key, "this principal's secret key file")->required();
  app.add_option("--db", o.db_path, "SQLite file (inbox and effects)")->required();
  app.add_option("--ready-file", ready_file, "written once the hub has welcomed us");
  app.add_option("--credit", o.credit, "delivery credit window");
  app.add_option("--name", o.name, "client name reported in Hello");
  CLI11_PARSE(app, argc, argv);
  concord::InitLogging("test-receiver");

  auto hub_pub = concord::LoadCurvePublicKey(hub_key);
  auto keys = concord::LoadCurveKeyPair(key);
  if (!hub_pub.ok() || !keys.ok()) {
    fprintf(stderr, "bad key: %s %s\n", hub_pub.status().ToString().c_str(),
            keys.status().ToString().c_str());
    return 2;
  }
  o.hub_public_key = *hub_pub;
  o.keys = *keys;

  boost::asio::io_context io;
  auto created = concord::client::Client::Create(io, o);
  if (!created.ok()) {
    fprintf(stderr, "cannot create client: %s\n", created.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<concord::client::Client> client = std::move(*created);
  if (auto st = client->db().Exec("CREATE TABLE IF NOT EXISTS effects(id TEXT, body TEXT)");
      !st.ok()) {
    fprintf(stderr, "cannot create effects: %s\n", st.ToString().c_str());
    return 1;
  }
  auto insert = client->db().Prepare("INSERT INTO effects(id, body) VALUES(?, ?)");
  if (!insert.ok()) return 1;
  auto stmt = std::make_shared<concord::sql::Stmt>(std::move(*insert));
  client->OnMessage([stmt](const pb::Envelope& env, concord::sql::Db&) -> absl::Status {
    pb::TextNote note;
    const std::string body = env.payload().UnpackTo(&note) ? note.body() : env.payload().type_url();
    stmt->BindAll(env.id(), body);
    return stmt->Run();
  });
  client->Start();

  // Ready file once connected.
  boost::asio::steady_timer poll(io);
  bool ready = ready_file.empty();
  std::function<void()> check = [&] {
    if (!ready && client->stats().connected) {
      std::ofstream(ready_file + ".tmp") << "connected\n";
      std::rename((ready_file + ".tmp").c_str(), ready_file.c_str());
      ready = true;
    }
    poll.expires_after(std::chrono::milliseconds(20));
    poll.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) check();
    });
  };
  check();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    poll.cancel();
    client->Stop();
    io.stop();
  });
  io.run();
  client.reset();
  return 0;
}
