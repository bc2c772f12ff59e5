// The lead among hubs that share one PostgreSQL store (docs/operations.md,
// "Two machines"): one hub is active, the others wait as standbys.
//
// The lead is two things in the database:
//   - a session-level advisory lock held by one connection of the active hub
//     (this object's). Whoever holds it is the only hub that may become
//     active; the server drops it the moment that session ends (the hub's
//     process dies, its machine is cut off and the server's keepalive gives
//     up, or an operator terminates it), and a standby's next try takes it;
//   - a term in hub.lead, moved on by every takeover in the same transaction
//     that records the new active hub's endpoint. Every commit of the active
//     hub reads the term FOR SHARE (pg_store.cc) and stops on a newer one:
//     a hub that lost its lock without noticing cannot write after a
//     takeover, and a takeover waits for the commit in flight to finish.
//
// Threading: one thread at a time: the hub's main thread while it waits for
// the lead, then the "lead" thread that checks it (main.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/pg.h"

namespace concord::hub {

class HubLead {
 public:
  // Connects (migrating the hub's tables first, as the store does).
  static absl::StatusOr<std::unique_ptr<HubLead>> Connect(const std::string& conninfo);

  // One try, without waiting: true when this hub now holds the lead (the
  // lock taken, the term moved on, `endpoint` recorded for clients); false
  // when another hub holds it.
  // Once taken, the connection's statements time out after 2 s, so that a
  // server that keeps the connection but does not answer is noticed.
  absl::StatusOr<bool> TryTake(const std::string& endpoint, int64_t now_ms);
  // The endpoint and term the active hub recorded ({"", 0} when none yet).
  struct Active {
    std::string endpoint;
    int64_t term = 0;
  };
  absl::StatusOr<Active> ActiveHub();
  // The term this hub took (0 before).
  int64_t term() const { return term_; }
  // Whether the lock's connection still answers (a round trip). False: the
  // lead may be gone and the hub must stop at once.
  bool StillHeld();

 private:
  explicit HubLead(pg::Conn conn) : conn_(std::move(conn)) {}
  pg::Conn conn_;
  int64_t term_ = 0;
};

}  // namespace concord::hub
