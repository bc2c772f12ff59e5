// Envelopes signed by their sender (hub/transport/envelope_sign.h): the key
// derived from the CurveZMQ secret, what the signature covers, and what a
// receiver is told when it does not hold.
#include "hub/transport/envelope_sign.h"

#include <gtest/gtest.h>

#include "concord/v1/envelope.pb.h"
#include "hub/transport/curve_keys.h"

namespace concord {
namespace {

namespace pb = ::concord::v1;

pb::Envelope Sample() {
  pb::Envelope e;
  e.set_id("0190a0b0-0000-7000-8000-000000000001");
  e.add_to("d.court");
  e.add_to("role:agency");
  pb::TextNote note;
  note.set_subject("张三 信访件");
  note.set_body("请于十五日内答复");
  e.mutable_payload()->PackFrom(note);
  e.set_correlation_id("0190a0b0-0000-7000-8000-000000000000");
  e.set_created_at_ms(1764800000000);
  e.set_expires_at_ms(1764900000000);
  e.set_trace_id("0123456789abcdef0123456789abcdef");
  e.mutable_actor()->set_login("li");
  e.mutable_actor()->set_name("李某");
  e.mutable_actor()->set_role("登记员");
  return e;
}

EnvelopeSigner SignerOf(const CurveKeyPair& kp) {
  auto s = EnvelopeSigner::FromCurveSecret(kp.secret_z85);
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

TEST(EnvelopeSign, KeyFollowsTheCurveSecret) {
  auto a = GenerateCurveKeyPair(), b = GenerateCurveKeyPair();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(SignerOf(*a).public_key(), SignerOf(*a).public_key());  // same file, same key
  EXPECT_NE(SignerOf(*a).public_key(), SignerOf(*b).public_key());
  EXPECT_EQ(SignerOf(*a).public_key().size(), 32u);
  // Not the CurveZMQ public key itself (that one is public already).
  EXPECT_EQ(SignKeyFromHex(SignKeyHex(SignerOf(*a).public_key())), SignerOf(*a).public_key());
  EXPECT_FALSE(EnvelopeSigner::FromCurveSecret("short").ok());
  EXPECT_TRUE(SignKeyFromHex("zz").empty());
}

TEST(EnvelopeSign, SignedEnvelopeVerifiesWhateverTheHubStampsAsFrom) {
  auto kp = GenerateCurveKeyPair();
  ASSERT_TRUE(kp.ok());
  pb::Envelope e = Sample();
  SignerOf(*kp).Sign(e);
  EXPECT_EQ(e.signature().size(), 64u);
  EXPECT_EQ(CheckEnvelopeSignature(e), SignatureCheck::kValid);
  e.set_from("d.police");  // the hub's stamp is not signed: receivers bind the key to it
  EXPECT_EQ(CheckEnvelopeSignature(e), SignatureCheck::kValid);
  // Through the wire format and back.
  pb::Envelope back;
  ASSERT_TRUE(back.ParseFromString(e.SerializeAsString()));
  EXPECT_EQ(CheckEnvelopeSignature(back), SignatureCheck::kValid);
}

// Every field the sender sets is covered: changing any one breaks it.
TEST(EnvelopeSign, EveryFieldIsCovered) {
  auto kp = GenerateCurveKeyPair();
  ASSERT_TRUE(kp.ok());
  const EnvelopeSigner signer = SignerOf(*kp);
  const std::vector<std::pair<const char*, std::function<void(pb::Envelope&)>>> edits = {
      {"id", [](pb::Envelope& e) { e.set_id("0190a0b0-0000-7000-8000-000000000002"); }},
      {"to", [](pb::Envelope& e) { e.set_to(1, "d.police"); }},
      {"to added", [](pb::Envelope& e) { e.add_to("d.police"); }},
      {"to split",
       [](pb::Envelope& e) {
         e.set_to(0, "d.courtrole:agency");
         e.mutable_to()->RemoveLast();
       }},
      {"type", [](pb::Envelope& e) { e.mutable_payload()->set_type_url("type.googleapis.com/x"); }},
      {"value", [](pb::Envelope& e) { e.mutable_payload()->mutable_value()->back() ^= 1; }},
      {"correlation", [](pb::Envelope& e) { e.clear_correlation_id(); }},
      {"created", [](pb::Envelope& e) { e.set_created_at_ms(e.created_at_ms() + 1); }},
      {"expires", [](pb::Envelope& e) { e.set_expires_at_ms(0); }},
      {"trace", [](pb::Envelope& e) { e.set_trace_id("ffffffffffffffffffffffffffffffff"); }},
      {"actor login", [](pb::Envelope& e) { e.mutable_actor()->set_login("wang"); }},
      {"actor name", [](pb::Envelope& e) { e.mutable_actor()->set_name("王某"); }},
      {"actor role", [](pb::Envelope& e) { e.mutable_actor()->set_role("院/局领导"); }},
  };
  for (const auto& [what, edit] : edits) {
    pb::Envelope e = Sample();
    signer.Sign(e);
    edit(e);
    EXPECT_EQ(CheckEnvelopeSignature(e), SignatureCheck::kBadSignature) << what;
  }
}

TEST(EnvelopeSign, AnotherKeyOrNoSignatureIsNamed) {
  auto a = GenerateCurveKeyPair(), b = GenerateCurveKeyPair();
  ASSERT_TRUE(a.ok() && b.ok());
  pb::Envelope e = Sample();
  EXPECT_EQ(CheckEnvelopeSignature(e), SignatureCheck::kUnsigned);
  SignerOf(*a).Sign(e);
  pb::Envelope swapped = e;
  swapped.set_signer_key(SignerOf(*b).public_key());  // claims b signed what a signed
  EXPECT_EQ(CheckEnvelopeSignature(swapped), SignatureCheck::kBadSignature);
  pb::Envelope cut = e;
  cut.mutable_signature()->pop_back();
  EXPECT_EQ(CheckEnvelopeSignature(cut), SignatureCheck::kMalformed);
  pb::Envelope bare = e;
  bare.clear_signature();
  EXPECT_EQ(CheckEnvelopeSignature(bare), SignatureCheck::kUnsigned);
  EXPECT_NE(std::string(SignatureCheckText(SignatureCheck::kBadSignature)).find("签名无效"),
            std::string::npos);
}

}  // namespace
}  // namespace concord
