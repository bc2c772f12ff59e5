// Test support: a receiver's "effects", the rows its message handler writes
// in the delivery's own transaction, so tests can check that every message was
// applied exactly once and in order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "concord/v1/envelope.pb.h"
#include "hub/client/client.h"

namespace concord::testing {

// A TextNote with `body`, addressed to `to`.
v1::Envelope Note(const std::string& to, const std::string& body);

// Installs a handler that writes each delivery as one row of effects(id, body)
// (no unique key: a message applied twice shows up twice).
void RecordEffects(client::Client& c);

struct Effects {
  std::vector<std::string> ids;
  std::vector<std::string> bodies;  // in the order they were applied
};

Effects ReadEffects(const std::string& db_path);
int64_t CountEffects(const std::string& db_path);

}  // namespace concord::testing
