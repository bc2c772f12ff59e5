#include "tests/support/asker.h"

#include <chrono>
#include <utility>

namespace concord::testing {

namespace pb = ::concord::v1;

pb::Actor MakeActor(const std::string& login, const std::string& name, const std::string& role) {
  pb::Actor a;
  a.set_login(login);
  a.set_name(name);
  a.set_role(role);
  return a;
}

Asker::Asker(const TestDistrict& district, const std::string& name, std::string agent)
    : agent_(std::move(agent)), thread_(district.ClientFor(name), [this](client::Client& c) {
        c.OnMessage([this](const pb::Envelope& env, sql::Db&) {
          std::lock_guard lock(mu_);
          answers_[env.correlation_id()] = env;
          cv_.notify_all();
          return absl::OkStatus();
        });
      }) {}

pb::Envelope Asker::Ask(const google::protobuf::Message& payload, const pb::Actor* actor) {
  pb::Envelope env = client::MakeEnvelope({agent_}, payload);
  if (actor) *env.mutable_actor() = *actor;
  const std::string id = thread_.Call([&](client::Client& c) { return c.Publish(env); });
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::seconds(15), [&] { return answers_.count(id) > 0; });
  auto it = answers_.find(id);
  return it == answers_.end() ? pb::Envelope() : it->second;
}

}  // namespace concord::testing
