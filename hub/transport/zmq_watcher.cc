#include "hub/transport/zmq_watcher.h"

#include <boost/asio/post.hpp>

namespace concord {

ZmqWatcher::ZmqWatcher(boost::asio::io_context& io, zmq::socket_t& socket,
                       std::function<void()> on_readable)
    : io_(io),
      socket_(socket),
      on_readable_(std::move(on_readable)),
      fd_(io, socket.get(zmq::sockopt::fd)) {}

ZmqWatcher::~ZmqWatcher() { Stop(); }

void ZmqWatcher::Start() {
  stopped_ = false;
  Arm();
  Kick();  // input may already be waiting: the edge may have passed
}

void ZmqWatcher::Stop() {
  if (stopped_) return;
  stopped_ = true;
  *alive_ = false;
  boost::system::error_code ec;
  fd_.cancel(ec);
  fd_.release();  // the descriptor belongs to libzmq
}

bool ZmqWatcher::HasInput() const { return (socket_.get(zmq::sockopt::events) & ZMQ_POLLIN) != 0; }

void ZmqWatcher::Arm() {
  if (stopped_) return;
  fd_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                 [this, alive = alive_](const boost::system::error_code& ec) {
                   if (!*alive || ec) return;
                   on_readable_();
                   Arm();
                 });
}

void ZmqWatcher::Kick() {
  if (kick_pending_ || stopped_) return;
  kick_pending_ = true;
  boost::asio::post(io_, [this, alive = alive_] {
    if (!*alive) return;
    kick_pending_ = false;
    on_readable_();
  });
}

}  // namespace concord
