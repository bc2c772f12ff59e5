// Every JSON intake, chosen by the input's first byte (the rest is the text):
//   0  ParseJsonObject (common/http_router.h), the body of every JSON POST,
//      then the parsed object written out again as the routes do
//   1  PackJsonPayload (adapters/payload_json.h): a /publish payload as one of
//      the payload types (the second byte picks it), then rendered back and
//      packed again: what the adapter renders must be what it accepts
//   2  PetitionFromJson (domain/petition_intake.h): POST /petitions
//   3  AidRecordFromJson (adapters/aid_connector.h): POST /aid/grants
//   4  RenderPayloadJson: the payload bytes of a delivered envelope, as one
//      of the payload types (the second byte picks it), shown to the agency
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/aid_applications.h"  // aid_connector.h holds one by unique_ptr
#include "adapters/aid_connector.h"
#include "adapters/payload_json.h"
#include "common/http_router.h"
#include "domain/petition_intake.h"
#include "google/protobuf/stubs/logging.h"

namespace {

constexpr int64_t kNowMs = 1'780'000'000'000;  // 2026-05-28

// Payload types an agency sends and receives (adapters/payload_json.cc).
constexpr const char* kTypes[] = {
    "concord.v1.TextNote",         "concord.v1.AidCheckRequest", "concord.v1.AidDuplicateNotice",
    "concord.v1.PetitionRegister", "concord.v1.PetitionAct",     "concord.v1.PetitionEvent",
    "concord.v1.ReceptionBooking", "concord.v1.RiskReport",      "concord.v1.ConferenceConvene",
    "concord.v1.ConferencePlan",   "concord.v1.HearingRecord",   "concord.v1.PetitionSnapshot",
};

void Require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

// protobuf logs every string field that is not UTF-8: millions of lines.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const char* type = kTypes[data[1] % std::size(kTypes)];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      if (auto j = concord::ParseJsonObject(text); j.ok()) (void)j->dump();
      break;
    case 1: {
      const std::string json(text.substr(1));
      absl::StatusOr<concord::adapter::PackedPayload> packed =
          concord::adapter::PackJsonPayload(type, json);
      if (!packed.ok()) break;
      const std::string rendered = concord::adapter::RenderPayloadJson(packed->any);
      absl::StatusOr<concord::adapter::PackedPayload> again =
          concord::adapter::PackJsonPayload(type, rendered);
      Require(again.ok() && again->json == packed->json);
      break;
    }
    case 2:
      if (auto j = concord::ParseJsonObject(text); j.ok())
        (void)concord::ledger::PetitionFromJson(*j, kNowMs);
      break;
    case 3:
      if (auto j = concord::ParseJsonObject(text); j.ok())
        (void)concord::adapter::AidRecordFromJson(*j);
      break;
    case 4: {
      google::protobuf::Any any;
      any.set_type_url(std::string("type.googleapis.com/") + type);
      any.set_value(std::string(text.substr(1)));
      (void)concord::adapter::RenderPayloadJson(any);
      break;
    }
  }
  return 0;
}
