#include "adapters/payload_json.h"

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "concord/v1/aid.pb.h"
#include "concord/v1/conference.pb.h"
#include "concord/v1/envelope.pb.h"
#include "concord/v1/petition.pb.h"
#include "concord/v1/risk.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"

namespace concord::adapter {
namespace {

namespace gpb = ::google::protobuf;

// Touches one descriptor per domain proto file, so that the linker keeps that
// file's generated code and its types are registered in the generated pool.
void LinkPayloadTypes() {
  static const bool linked = [] {
    (void)concord::v1::TextNote::descriptor();
    (void)concord::v1::AidCheckRequest::descriptor();
    (void)concord::v1::AidCheckReply::descriptor();
    (void)concord::v1::AidStatusQuery::descriptor();
    (void)concord::v1::AidStatus::descriptor();
    (void)concord::v1::AidDuplicateNotice::descriptor();
    (void)concord::v1::PetitionRegister::descriptor();
    (void)concord::v1::PetitionAct::descriptor();
    (void)concord::v1::PetitionReply::descriptor();
    (void)concord::v1::PetitionEvent::descriptor();
    (void)concord::v1::DeadlineAlert::descriptor();
    (void)concord::v1::PetitionIncident::descriptor();
    (void)concord::v1::TrackDeadline::descriptor();
    (void)concord::v1::ReceptionSlot::descriptor();
    (void)concord::v1::ReceptionBooking::descriptor();
    (void)concord::v1::ReceptionOutcome::descriptor();
    (void)concord::v1::ReceptionSlots::descriptor();
    (void)concord::v1::PetitionSnapshot::descriptor();
    (void)concord::v1::RiskReport::descriptor();
    (void)concord::v1::RiskAssessment::descriptor();
    (void)concord::v1::RiskWarning::descriptor();
    (void)concord::v1::RiskScreening::descriptor();
    (void)concord::v1::ConferenceConvene::descriptor();
    (void)concord::v1::ConferenceInvitation::descriptor();
    (void)concord::v1::ConferenceInput::descriptor();
    (void)concord::v1::ConferencePlan::descriptor();
    (void)concord::v1::ConferenceSign::descriptor();
    (void)concord::v1::ConferencePlanIssued::descriptor();
    (void)concord::v1::ConferenceTaskUpdate::descriptor();
    (void)concord::v1::ConferenceClose::descriptor();
    (void)concord::v1::ConferenceReply::descriptor();
    (void)concord::v1::ConferenceNotice::descriptor();
    (void)concord::v1::HearingSchedule::descriptor();
    (void)concord::v1::HearingRecord::descriptor();
    (void)concord::v1::HearingNominee::descriptor();
    return true;
  }();
  (void)linked;
}

const gpb::Descriptor* FindType(const std::string& name) {
  LinkPayloadTypes();
  return gpb::DescriptorPool::generated_pool()->FindMessageTypeByName(name);
}

std::string Base64Object(const std::string& bytes) {
  return absl::StrCat("{\"base64\":\"", absl::Base64Escape(bytes), "\"}");
}

}  // namespace

absl::StatusOr<PackedPayload> PackJsonPayload(const std::string& type_name,
                                              const std::string& json) {
  const gpb::Descriptor* type = FindType(type_name);
  if (type == nullptr)
    return absl::InvalidArgumentError(
        absl::StrCat("未知的消息类型 / unknown payload type: ", type_name));
  gpb::DynamicMessageFactory factory;
  factory.SetDelegateToGeneratedFactory(true);
  std::unique_ptr<gpb::Message> message(factory.GetPrototype(type)->New());
  gpb::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = false;
  auto st = gpb::util::JsonStringToMessage(json, message.get(), parse);
  if (!st.ok())
    return absl::InvalidArgumentError(absl::StrCat("载荷与消息类型不符 / payload does not fit ",
                                                   type_name, ": ", st.message().ToString()));
  PackedPayload out;
  if (!out.any.PackFrom(*message))
    return absl::InvalidArgumentError(
        absl::StrCat("载荷无法编码 / payload cannot be encoded as ", type_name));
  gpb::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  print.always_print_primitive_fields = true;
  if (!gpb::util::MessageToJsonString(*message, &out.json, print).ok()) out.json = "{}";
  return out;
}

std::string PayloadTypeName(const gpb::Any& any) {
  const std::string& url = any.type_url();
  auto slash = url.rfind('/');
  return slash == std::string::npos ? url : url.substr(slash + 1);
}

std::string RenderPayloadJson(const gpb::Any& any) {
  const gpb::Descriptor* type = FindType(PayloadTypeName(any));
  if (type == nullptr) return Base64Object(any.value());
  gpb::DynamicMessageFactory factory;
  factory.SetDelegateToGeneratedFactory(true);
  std::unique_ptr<gpb::Message> message(factory.GetPrototype(type)->New());
  if (!message->ParseFromString(any.value())) return Base64Object(any.value());
  gpb::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  print.always_print_primitive_fields = true;
  std::string json;
  if (!gpb::util::MessageToJsonString(*message, &json, print).ok())
    return Base64Object(any.value());
  return json;
}

std::string PrintedField(const gpb::Message& message, const std::string& field) {
  gpb::Any any;
  any.PackFrom(message);
  const std::string json = RenderPayloadJson(any);
  const std::string key = "\"" + field + "\":\"";
  const size_t start = json.find(key);
  if (start == std::string::npos) return "";
  for (size_t i = start + key.size(); i < json.size(); ++i) {
    if (json[i] == '\\') {
      ++i;  // an escaped character, a quote included
    } else if (json[i] == '"') {
      return json.substr(start, i + 1 - start);
    }
  }
  return "";
}

}  // namespace concord::adapter
