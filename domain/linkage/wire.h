// EncodedRecord <-> concord.v1.AidEncoding / AidGrant (aid.proto).
#pragma once

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

}  // namespace concord::aid
