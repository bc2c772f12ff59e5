// Payload conversion between the JSON an agency system speaks and the
// protobuf Any an Envelope carries.
//
// Types are looked up by full name ("concord.v1.TextNote") in the generated
// descriptor pool, i.e. among the message types whose generated code is
// linked into this binary. A domain proto file whose generated code the
// adapter never references is not linked from the static concord_proto
// library, so its types stay unknown: see LinkPayloadTypes() in
// payload_json.cc, where each domain adds one line.
//
// Thread safety: all functions are safe to call from any thread.
// Errors: InvalidArgument for an unknown type or JSON that does not fit it
// (the caller should not retry the same input).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/any.pb.h"

namespace concord::adapter {

struct PackedPayload {
  google::protobuf::Any any;
  std::string json;  // the message rendered back to JSON (canonical form)
};

// Parses `json` (one JSON object) as message type `type_name` and packs it.
absl::StatusOr<PackedPayload> PackJsonPayload(const std::string& type_name,
                                              const std::string& json);

// The full message type name of an Any ("concord.v1.TextNote").
std::string PayloadTypeName(const google::protobuf::Any& any);

// Renders an Any's message as a JSON object. A type this binary does not
// know, or bytes that do not parse as it, come out as {"base64": "<bytes>"}
// so that nothing received is ever lost or refused.
std::string RenderPayloadJson(const google::protobuf::Any& any);

// How `message`'s string field `field` stands in RenderPayloadJson's output:
// the key and the quoted value as printed ("handler":"李某", whatever the
// printer escapes), to find messages that carry that value by their text
// (Mailbox::Latest's `containing`). Empty if the field is not printed.
std::string PrintedField(const google::protobuf::Message& message, const std::string& field);

}  // namespace concord::adapter
