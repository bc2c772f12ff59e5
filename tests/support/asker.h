// An agency on the bus that asks one agent and waits for its answer, as an
// agency's daemon does for a person at its console: the agent-query tests
// (ledger, conference) talk to their agent through it.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "concord/v1/envelope.pb.h"
#include "tests/support/district.h"

namespace concord::testing {

// The person a console would name as acting.
concord::v1::Actor MakeActor(const std::string& login, const std::string& name,
                             const std::string& role);

class Asker {
 public:
  // `name` is the agency's principal in `district`; `agent` whom it asks.
  Asker(const TestDistrict& district, const std::string& name, std::string agent);

  // Sends `payload` to the agent (with `actor` when given) and waits up to
  // 15 s for the envelope that answers it; an empty envelope when none came.
  concord::v1::Envelope Ask(const google::protobuf::Message& payload,
                            const concord::v1::Actor* actor = nullptr);

  // The answer's payload as `Reply`; a test failure when it is not one.
  template <typename Reply>
  Reply AskFor(const google::protobuf::Message& payload,
               const concord::v1::Actor* actor = nullptr) {
    Reply r;
    EXPECT_TRUE(Ask(payload, actor).payload().UnpackTo(&r))
        << "no " << Reply::descriptor()->full_name() << " in answer to "
        << payload.GetDescriptor()->full_name();
    return r;
  }

 private:
  const std::string agent_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, concord::v1::Envelope> answers_;  // by correlation id
  ClientThread thread_;                                   // last: stopped before the map goes
};

}  // namespace concord::testing
