// EncodedRecord <-> concord.v1.AidEncoding / AidGrant (aid.proto).
#pragma once

#include <optional>

#include "concord/v1/aid.pb.h"
#include "domain/linkage/tokens.h"

namespace concord::aid {

v1::AidType ToProto(AidType t);
AidType FromProto(v1::AidType t);

v1::AidEncoding ToProto(const EncodedRecord& e);
v1::AidGrant GrantToProto(const EncodedRecord& e);
// False if a filter has the wrong size.
bool FromProto(const v1::AidEncoding& p, EncodedRecord* e);
bool GrantFromProto(const v1::AidGrant& g, EncodedRecord* e);

// `r` encoded under `encoder`'s key, the key's id set (AidEncoding.key_id).
v1::AidGrant GrantUnder(const Encoder& encoder, const AidRecord& r);

// The agencies' linkage key and, while it is rotated, the next one ([aid]
// linkage_key and linkage_key_next at the adapter): what an adapter encodes
// with. Requests carry the grant under the current key and, during a
// rotation, its encoding under the next key too (aid.proto AidRekey).
class KeyRing {
 public:
  explicit KeyRing(const LinkageKey& current) : current_(current) {}
  void SetNext(const LinkageKey& next) { next_.emplace(next); }
  const Encoder& current() const { return current_; }
  const Encoder* next() const { return next_ ? &*next_ : nullptr; }
  v1::AidGrant Grant(const AidRecord& r) const { return GrantUnder(current_, r); }
  // `r`'s encoding under the next key into `out`; false when there is none.
  bool NextEncoding(const AidRecord& r, v1::AidEncoding* out) const;

 private:
  Encoder current_;
  std::optional<Encoder> next_;
};

}  // namespace concord::aid
