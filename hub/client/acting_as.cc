#include "hub/client/acting_as.h"

namespace concord::client {

namespace {
thread_local const ActingAs* current = nullptr;
}  // namespace

ActingAs::ActingAs(concord::v1::Actor actor) : actor_(std::move(actor)), previous_(current) {
  current = this;
}

ActingAs::~ActingAs() { current = previous_; }

const concord::v1::Actor* ActingAs::Current() { return current ? &current->actor_ : nullptr; }

}  // namespace concord::client
