// Joins a ZeroMQ socket to a Boost.Asio io_context (STYLE.md habit 7).
//
// ZMQ_FD is edge-triggered: it signals "something changed", not "a message is
// ready". The watcher therefore calls `on_readable` whenever the descriptor
// fires, and `on_readable` must receive until the socket would block. Because
// a send can consume the edge, code that sends must call Kick() afterwards so
// that pending input is drained.
//
// Thread safety: everything runs on the io_context's thread. The watcher does
// not own the socket and must be destroyed (or Stop()ped) before it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>
#include <zmq.hpp>

namespace concord {

class ZmqWatcher {
 public:
  ZmqWatcher(boost::asio::io_context& io, zmq::socket_t& socket, std::function<void()> on_readable);
  ~ZmqWatcher();
  ZmqWatcher(const ZmqWatcher&) = delete;
  ZmqWatcher& operator=(const ZmqWatcher&) = delete;

  void Start();
  // Schedules one call of on_readable on the io_context (coalesced).
  void Kick();
  void Stop();

  // True when ZMQ_EVENTS says a message can be received now.
  bool HasInput() const;

 private:
  void Arm();

  boost::asio::io_context& io_;
  zmq::socket_t& socket_;
  std::function<void()> on_readable_;
  boost::asio::posix::stream_descriptor fd_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool kick_pending_ = false;
  bool stopped_ = false;
};

}  // namespace concord
