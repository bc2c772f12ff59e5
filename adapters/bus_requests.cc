#include "adapters/bus_requests.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/strings/str_cat.h"
#include "adapters/payload_json.h"

namespace concord::adapter {

struct BusRequests::Waiter {
  explicit Waiter(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
  Done done;
};

BusRequests::BusRequests(boost::asio::io_context& io, client::Client& client, Mailbox& mailbox)
    : io_(io), client_(client) {
  std::weak_ptr<Waiting> waiting = waiting_;
  std::weak_ptr<std::set<std::string>> types = reply_types_;
  boost::asio::io_context* ctx = &io_;
  mailbox.AddInterceptor([waiting, types, ctx](const concord::v1::Envelope& envelope) {
    auto w = waiting.lock();
    auto t = types.lock();
    if (!w || !t || envelope.correlation_id().empty()) return false;
    auto it = w->find(envelope.correlation_id());
    if (it == w->end()) return t->count(PayloadTypeName(envelope.payload())) > 0;  // late
    std::shared_ptr<Waiter> waiter = it->second;
    w->erase(it);
    waiter->timer.cancel();
    // After the delivery's transaction commits: the callback renders a page.
    boost::asio::post(*ctx, [waiter, envelope] { waiter->done(envelope); });
    return true;
  });
}

BusRequests::~BusRequests() {
  for (auto& [id, waiter] : *waiting_) waiter->timer.cancel();
  waiting_->clear();
}

void BusRequests::Ask(const std::string& to, const google::protobuf::Message& request,
                      const std::string& reply_type, std::chrono::milliseconds timeout, Done done) {
  reply_types_->insert(reply_type);
  concord::v1::Envelope envelope = client::MakeEnvelope({to}, request);
  client_.Stamp(envelope);
  envelope.set_expires_at_ms(envelope.created_at_ms() + timeout.count());
  auto waiter = std::make_shared<Waiter>(io_);
  waiter->done = std::move(done);
  const std::string id = envelope.id();
  (*waiting_)[id] = waiter;

  std::weak_ptr<Waiting> waiting = waiting_;
  waiter->timer.expires_after(timeout);
  waiter->timer.async_wait([waiting, id](const boost::system::error_code& ec) {
    if (ec) return;  // answered or cancelled
    auto w = waiting.lock();
    if (!w) return;
    auto it = w->find(id);
    if (it == w->end()) return;
    std::shared_ptr<Waiter> waiter = it->second;
    w->erase(it);
    waiter->done(absl::DeadlineExceededError(
        "总线未及时应答，请稍后再试 / no answer over the bus in time, try again shortly"));
  });
  client_.Publish(std::move(envelope), [waiting, id](const absl::Status& status) {
    if (status.ok()) return;  // the hub has it: wait for the reply
    auto w = waiting.lock();
    if (!w) return;
    auto it = w->find(id);
    if (it == w->end()) return;
    std::shared_ptr<Waiter> waiter = it->second;
    w->erase(it);
    waiter->timer.cancel();
    waiter->done(absl::Status(
        status.code(),
        absl::StrCat("总线拒绝了查询 / the hub refused the read: ", status.message())));
  });
}

}  // namespace concord::adapter
