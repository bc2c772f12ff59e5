#include "domain/linkage/wire.h"

namespace concord::aid {

v1::AidType ToProto(AidType t) {
  switch (t) {
    case AidType::kMoney:
      return v1::AID_MONEY;
    case AidType::kCounselling:
      return v1::AID_COUNSELLING;
    case AidType::kJobTraining:
      return v1::AID_JOB_TRAINING;
    case AidType::kJobPlacement:
      return v1::AID_JOB_PLACEMENT;
    case AidType::kDisability:
      return v1::AID_DISABILITY;
    case AidType::kEducation:
      return v1::AID_EDUCATION;
    case AidType::kMedical:
      return v1::AID_MEDICAL;
    case AidType::kUnknown:
      break;
  }
  return v1::AID_TYPE_UNSPECIFIED;
}

AidType FromProto(v1::AidType t) {
  switch (t) {
    case v1::AID_MONEY:
      return AidType::kMoney;
    case v1::AID_COUNSELLING:
      return AidType::kCounselling;
    case v1::AID_JOB_TRAINING:
      return AidType::kJobTraining;
    case v1::AID_JOB_PLACEMENT:
      return AidType::kJobPlacement;
    case v1::AID_DISABILITY:
      return AidType::kDisability;
    case v1::AID_EDUCATION:
      return AidType::kEducation;
    case v1::AID_MEDICAL:
      return AidType::kMedical;
    default:
      return AidType::kUnknown;
  }
}

v1::AidEncoding ToProto(const EncodedRecord& e) {
  v1::AidEncoding p;
  p.set_id_token(e.id_token);
  p.set_id_quality(static_cast<v1::IdQuality>(e.id_quality));
  p.set_dob_token(e.dob_token);
  p.set_gender_token(e.gender_token);
  p.set_phone_token(e.phone_token);
  for (const auto& c : e.case_tokens) p.add_case_tokens(c);
  p.set_incident_token(e.incident_token);
  for (const auto& d : e.incident_days) p.add_incident_days(d);
  for (const auto& c : e.crime_tokens) p.add_crime_tokens(c);
  for (const auto& k : e.case_kinds) p.add_case_kinds(k);
  auto bloom = [](const Bloom& b) { return b.empty() ? std::string() : b.ToBytes(); };
  p.set_name_chars(bloom(e.name_chars));
  p.set_name_pinyin(bloom(e.name_pinyin));
  p.set_id_digits(bloom(e.id_digits));
  p.set_dob_digits(bloom(e.dob_digits));
  p.set_address(bloom(e.address));
  p.set_address_city_token(e.address_city_token);
  p.set_email_token(e.email_token);
  p.set_email(bloom(e.email));
  for (const auto& k : e.block_keys) p.add_block_keys(k);
  return p;
}

v1::AidGrant GrantToProto(const EncodedRecord& e) {
  v1::AidGrant g;
  g.set_record_id(e.record_id);
  g.set_agency(e.agency);
  g.set_aid_type(ToProto(e.aid_type));
  g.set_amount_fen(e.amount_fen);
  g.set_granted_on(e.granted_on);
  *g.mutable_encoding() = ToProto(e);
  return g;
}

bool FromProto(const v1::AidEncoding& p, EncodedRecord* e) {
  e->id_token = p.id_token();
  e->id_quality = static_cast<IdQuality>(p.id_quality());
  e->dob_token = p.dob_token();
  e->gender_token = p.gender_token();
  e->phone_token = p.phone_token();
  e->case_tokens.assign(p.case_tokens().begin(), p.case_tokens().end());
  e->incident_token = p.incident_token();
  e->incident_days.assign(p.incident_days().begin(), p.incident_days().end());
  e->crime_tokens.assign(p.crime_tokens().begin(), p.crime_tokens().end());
  e->case_kinds.assign(p.case_kinds().begin(), p.case_kinds().end());
  e->address_city_token = p.address_city_token();
  e->email_token = p.email_token();
  e->block_keys.assign(p.block_keys().begin(), p.block_keys().end());
  return Bloom::FromBytes(p.name_chars(), &e->name_chars) &&
         Bloom::FromBytes(p.name_pinyin(), &e->name_pinyin) &&
         Bloom::FromBytes(p.id_digits(), &e->id_digits) &&
         Bloom::FromBytes(p.dob_digits(), &e->dob_digits) &&
         Bloom::FromBytes(p.address(), &e->address) && Bloom::FromBytes(p.email(), &e->email);
}

v1::AidGrant GrantUnder(const Encoder& encoder, const AidRecord& r) {
  v1::AidGrant g = GrantToProto(encoder.Encode(r));
  g.mutable_encoding()->set_key_id(encoder.KeyId());
  return g;
}

bool KeyRing::NextEncoding(const AidRecord& r, v1::AidEncoding* out) const {
  if (!next_) return false;
  *out = ToProto(next_->Encode(r));
  out->set_key_id(next_->KeyId());
  return true;
}

bool GrantFromProto(const v1::AidGrant& g, EncodedRecord* e) {
  e->record_id = g.record_id();
  e->agency = g.agency();
  e->aid_type = FromProto(g.aid_type());
  e->amount_fen = g.amount_fen();
  e->granted_on = g.granted_on();
  return FromProto(g.encoding(), e);
}

}  // namespace concord::aid
