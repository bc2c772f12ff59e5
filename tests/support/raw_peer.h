// Test support: a raw ZeroMQ DEALER with CURVE options, for sending what the
// Client never would (garbage frames, floods of Hellos). One ZeroMQ message
// per Send(); Recv() returns the next frame.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "concord/v1/hub.pb.h"
#include "hub/transport/curve_keys.h"
#include "hub/transport/envelope_sign.h"

namespace concord::testing {

// `env` signed as the client holding `keys` would sign it (envelope_sign.h):
// what a raw peer sends to a real receiver, which refuses anything unsigned.
inline v1::Envelope SignedBy(const CurveKeyPair& keys, v1::Envelope env) {
  EnvelopeSigner::FromCurveSecret(keys.secret_z85)->Sign(env);
  return env;
}

class RawPeer {
 public:
  RawPeer(const std::string& endpoint, const CurveKeyPair& keys, const std::string& server_key)
      : socket_(ctx_, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::curve_serverkey, server_key);
    socket_.set(zmq::sockopt::curve_publickey, keys.public_z85);
    socket_.set(zmq::sockopt::curve_secretkey, keys.secret_z85);
    socket_.set(zmq::sockopt::sndhwm, 0);  // a flood is queued, not dropped
    socket_.connect(endpoint);
  }

  void Send(const std::string& bytes) { SendParts({bytes}); }
  // Never blocks for long: a peer whose key the hub refused may have no
  // connection at the moment it sends (libzmq drops it and dials again), and
  // a blocking send would then wait for ever. Tried for a second, then
  // dropped (the hub would have refused it anyway).
  void SendParts(const std::vector<std::string>& parts) {
    for (size_t i = 0; i < parts.size(); ++i) {
      const auto flags = (i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none) |
                         zmq::send_flags::dontwait;
      for (int tries = 0; !socket_.send(zmq::buffer(parts[i]), flags); ++tries) {
        if (tries == 100) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }
  void Send(const v1::Frame& f) { Send(f.SerializeAsString()); }

  // The next frame from the hub, or nullopt after `timeout_ms`.
  std::optional<v1::Frame> Recv(int timeout_ms) {
    socket_.set(zmq::sockopt::rcvtimeo, timeout_ms);
    zmq::message_t m;
    if (!socket_.recv(m)) return std::nullopt;
    v1::Frame f;
    if (!f.ParseFromArray(m.data(), static_cast<int>(m.size()))) return std::nullopt;
    return f;
  }

 private:
  zmq::context_t ctx_;
  zmq::socket_t socket_;
};

}  // namespace concord::testing
