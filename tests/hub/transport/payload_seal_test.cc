// Payloads sealed to their recipients (hub/transport/payload_seal.h): only a
// named recipient opens it, with the key derived from its CurveZMQ secret and
// the signer's key; nothing of the plaintext is left in the envelope; the
// ciphertext is bound to its envelope, and the signature covers the
// ciphertext and the seal.
#include "hub/transport/payload_seal.h"

#include <gtest/gtest.h>

#include "concord/v1/envelope.pb.h"
#include "hub/transport/curve_keys.h"
#include "hub/transport/envelope_sign.h"

namespace concord {
namespace {

namespace pb = ::concord::v1;

struct Party {
  CurveKeyPair keys = *GenerateCurveKeyPair();
  EnvelopeSigner signer = *EnvelopeSigner::FromCurveSecret(keys.secret_z85);
  PayloadSealer sealer = *PayloadSealer::FromCurveSecret(keys.secret_z85);
  SealRecipient As(const std::string& name) const { return {name, signer.public_key()}; }
};

pb::Envelope Petition() {
  pb::Envelope e;
  e.set_id("0190a0b0-0000-7000-8000-000000000001");
  e.add_to("role:agency");
  pb::TextNote note;
  note.set_subject("信访人 欧阳秀英 电话 13912345678");
  note.set_body("请于十五日内答复");
  e.mutable_payload()->PackFrom(note);
  return e;
}

std::string PlainOf(const pb::Envelope& e) {
  pb::TextNote n;
  EXPECT_TRUE(e.payload().UnpackTo(&n));
  return n.subject();
}

// Sealed by `from` to `to`, then signed by it, as the client does.
pb::Envelope SealedBy(Party& from, const std::vector<SealRecipient>& to) {
  pb::Envelope e = Petition();
  EXPECT_TRUE(from.sealer.Seal(e, to).ok());
  from.signer.Sign(e);
  return e;
}

TEST(PayloadSeal, EveryNamedRecipientOpensItAndNoOneElse) {
  Party office, court, police, outsider;
  const std::string plain = Petition().payload().value();
  pb::Envelope e = SealedBy(office, {court.As("d.court"), police.As("d.police")});
  EXPECT_EQ(e.payload().type_url(), "type.googleapis.com/concord.v1.TextNote") << "stays clear";
  EXPECT_EQ(e.SerializeAsString().find("欧阳秀英"), std::string::npos);
  EXPECT_EQ(e.SerializeAsString().find("13912345678"), std::string::npos);
  EXPECT_NE(e.payload().value(), plain);
  ASSERT_EQ(e.seal().keys_size(), 2);
  EXPECT_EQ(e.seal().nonce().size(), 24u);
  EXPECT_EQ(e.seal().keys(0).box().size(), 48u);

  for (auto [party, name] : {std::pair{&court, "d.court"}, std::pair{&police, "d.police"}}) {
    for (int again = 0; again < 2; ++again) {  // the second time from the kept shared key
      pb::Envelope copy = e;
      ASSERT_TRUE(party->sealer.Open(copy, name).ok()) << name;
      EXPECT_EQ(PlainOf(copy), "信访人 欧阳秀英 电话 13912345678");
      EXPECT_FALSE(copy.has_seal());
    }
  }
  pb::Envelope copy = e;
  EXPECT_TRUE(absl::IsNotFound(outsider.sealer.Open(copy, "d.outsider")));
  // An outsider that claims a recipient's name holds the wrong key.
  copy = e;
  EXPECT_TRUE(absl::IsDataLoss(outsider.sealer.Open(copy, "d.court")));
  EXPECT_EQ(copy.payload().value(), e.payload().value()) << "left as it was";
  // Another signer_key than the sealer's: the box does not open.
  copy = e;
  outsider.signer.Sign(copy);
  EXPECT_TRUE(absl::IsDataLoss(court.sealer.Open(copy, "d.court")));
}

TEST(PayloadSeal, CiphertextIsBoundToItsEnvelopeAndToItsBytes) {
  Party office, court;
  pb::Envelope e = SealedBy(office, {court.As("d.court")});
  pb::Envelope moved = e;
  moved.set_id("0190a0b0-0000-7000-8000-000000000002");  // another envelope
  EXPECT_TRUE(absl::IsDataLoss(court.sealer.Open(moved, "d.court")));
  pb::Envelope retyped = e;
  retyped.mutable_payload()->set_type_url("type.googleapis.com/concord.v1.AidDuplicateNotice");
  EXPECT_TRUE(absl::IsDataLoss(court.sealer.Open(retyped, "d.court")));
  pb::Envelope flipped = e;
  flipped.mutable_payload()->mutable_value()->at(3) ^= 1;
  EXPECT_TRUE(absl::IsDataLoss(court.sealer.Open(flipped, "d.court")));
  EXPECT_TRUE(absl::IsFailedPrecondition(office.sealer.Seal(e, {court.As("d.court")})))
      << "sealed twice";
  pb::Envelope bad = Petition();
  EXPECT_TRUE(absl::IsInvalidArgument(office.sealer.Seal(bad, {{"d.x", "short"}})));
}

TEST(PayloadSeal, SignatureCoversTheSeal) {
  Party office, court, other;
  pb::Envelope e = SealedBy(office, {court.As("d.court")});
  EXPECT_EQ(CheckEnvelopeSignature(e), SignatureCheck::kValid);
  pb::Envelope swapped = e;  // the hub puts another key box in
  pb::Envelope theirs = SealedBy(office, {other.As("d.court")});
  *swapped.mutable_seal()->mutable_keys(0) = theirs.seal().keys(0);
  EXPECT_EQ(CheckEnvelopeSignature(swapped), SignatureCheck::kBadSignature);
  pb::Envelope stripped = e;
  stripped.clear_seal();
  EXPECT_EQ(CheckEnvelopeSignature(stripped), SignatureCheck::kBadSignature);
  // Unsealed envelopes sign as they did before sealing existed.
  pb::Envelope clear = Petition();
  office.signer.Sign(clear);
  EXPECT_EQ(CheckEnvelopeSignature(clear), SignatureCheck::kValid);
  EXPECT_EQ(EnvelopeSigningText(clear).find("seal"), std::string::npos);
}

}  // namespace
}  // namespace concord
