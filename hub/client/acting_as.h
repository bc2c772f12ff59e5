// ActingAs: the person on whose behalf this thread's envelopes are sent.
//
// An agency's console wraps the handling of each clerk's request in one;
// Client::Stamp() copies the innermost live ActingAs into every envelope it
// stamps meanwhile (Envelope.actor) when the envelope names no actor itself.
// So the connectors' requests carry the person who acted without any
// connector knowing of the console, and a request of the agency's own system
// (the loopback API, a CSV drop) carries none.
//
// Threading: the scope is per thread (the io_context thread of the client).
#pragma once

#include "concord/v1/envelope.pb.h"

namespace concord::client {

class ActingAs {
 public:
  explicit ActingAs(concord::v1::Actor actor);
  ~ActingAs();
  ActingAs(const ActingAs&) = delete;
  ActingAs& operator=(const ActingAs&) = delete;

  // The actor of the innermost live ActingAs on this thread, or null.
  static const concord::v1::Actor* Current();

 private:
  concord::v1::Actor actor_;
  const ActingAs* previous_;
};

}  // namespace concord::client
