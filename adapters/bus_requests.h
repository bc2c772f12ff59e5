// BusRequests: reads that travel over the bus as a request and its reply
// (the console asks the ledger agent for items), so that a page works when
// the agent runs on another machine: never through another daemon's
// loopback HTTP port.
//
// Ask() publishes the request from memory (a read is not worth an outbox
// row: while the hub is unreachable the clerk is told so when the time is
// up), with an expiry, and waits for the delivery whose correlation_id is
// the request's id. That reply goes to the caller and is not kept in the
// inbox; a reply that comes after its wait ended is dropped as well (its
// type is one this adapter asks for, so nobody reads it in the inbox).
//
// Ownership: borrows the io_context, the Client and the Mailbox, which must
// outlive it. Threading: every method and callback runs on the io thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "adapters/mailbox.h"
#include "concord/v1/envelope.pb.h"
#include "hub/client/client.h"

namespace concord::adapter {

class BusRequests {
 public:
  // The reply envelope; DeadlineExceeded when none came within the timeout,
  // or the hub's refusal (PermissionDenied under the ACL, InvalidArgument).
  using Done = std::function<void(absl::StatusOr<concord::v1::Envelope>)>;

  BusRequests(boost::asio::io_context& io, client::Client& client, Mailbox& mailbox);
  ~BusRequests();
  BusRequests(const BusRequests&) = delete;
  BusRequests& operator=(const BusRequests&) = delete;

  // Sends `request` to `to` and calls `done` once, with the reply (whose
  // payload should be `reply_type`, e.g. "concord.v1.LedgerQueryReply").
  void Ask(const std::string& to, const google::protobuf::Message& request,
           const std::string& reply_type, std::chrono::milliseconds timeout, Done done);

  size_t pending() const { return waiting_->size(); }

 private:
  struct Waiter;
  using Waiting = std::map<std::string, std::shared_ptr<Waiter>>;

  boost::asio::io_context& io_;
  client::Client& client_;
  std::shared_ptr<Waiting> waiting_ = std::make_shared<Waiting>();
  std::shared_ptr<std::set<std::string>> reply_types_ = std::make_shared<std::set<std::string>>();
};

}  // namespace concord::adapter
