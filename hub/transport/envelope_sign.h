// Envelopes signed by their sender (issue 16): each client signs what it
// sends with an Ed25519 key, and every receiver (and `concordctl audit
// verify`) checks it, so that neither another agency nor the hub can make an
// envelope that reads as sent by an agency.
//
// The key: derived from the client's CurveZMQ secret key (BLAKE2b keyed with
// "concord.envelope-sign.v1" gives the Ed25519 seed), so no further file is
// kept and rotating the CurveZMQ key rotates it too. Its public half (32
// bytes, written as 64 hex digits) goes into the registry as `sign_key`
// (`concordctl keys sign-key` prints it from a .key file).
//
// What is signed: EnvelopeSigningText(), every field the sender sets, each
// length-prefixed, in a fixed order; `from` is not in it (the hub stamps it
// from the CurveZMQ key) but the signer's key is: receivers bind the key to
// `from` (the registry, or the first key they saw from that principal).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "concord/v1/envelope.pb.h"

namespace concord {

// The bytes signed for `env` (signature and from left out; the seal, when the
// payload is sealed, after signer_key).
std::string EnvelopeSigningText(const concord::v1::Envelope& env);

class EnvelopeSigner {
 public:
  // From a Z85 CurveZMQ secret key (40 characters).
  static absl::StatusOr<EnvelopeSigner> FromCurveSecret(const std::string& secret_z85);
  // Sets env.signer_key and env.signature over EnvelopeSigningText(env).
  void Sign(concord::v1::Envelope& env) const;
  const std::string& public_key() const { return public_key_; }  // 32 bytes
  // The X25519 secret (Curve25519 form of this Ed25519 key) that opens
  // payloads sealed to public_key() (payload_seal.h); false if it fails.
  bool SealingSecret(std::string& out) const;

 private:
  std::string public_key_, secret_key_;
};

enum class SignatureCheck {
  kValid,
  kUnsigned,      // no signature or no signer_key
  kMalformed,     // signer_key not 32 bytes or signature not 64
  kBadSignature,  // does not verify under signer_key
};
SignatureCheck CheckEnvelopeSignature(const concord::v1::Envelope& env);
// "签名无效 / the signature does not verify" etc., for logs and reasons.
const char* SignatureCheckText(SignatureCheck c);

// 64 lower-case hex digits of a 32-byte key, and back (empty when not that).
std::string SignKeyHex(const std::string& key);
std::string SignKeyFromHex(const std::string& hex);

}  // namespace concord
