// Payloads sealed to their recipients (issue 16): the hub stores and routes
// ciphertext and metadata only.
//
// Per envelope the sender draws a random 32-byte content key and a 24-byte
// nonce, encrypts `payload.value` with XChaCha20-Poly1305 (additional data:
// the envelope id and payload.type_url, so a ciphertext cannot be moved to
// another envelope or type), and boxes the content key for each recipient
// with crypto_box (X25519 between the sender's and the recipient's keys,
// XSalsa20-Poly1305; the shared key is computed once per pair and kept, so a
// message costs no public-key operation). A principal's X25519 key is the
// Curve25519 form of its Ed25519 signing key (envelope_sign.h): the
// registry's `sign_key`, or the key a receiver pinned from its signatures,
// names both, and no key is added to the enrolment. The receiver finds the
// sender's key in `signer_key`, which the signature binds. Seal before
// signing: the signature covers the ciphertext and the seal.
//
// The sender learns who the recipients are from the hub's Directory (Welcome
// and Frame{directory}): "role:" and "topic:" expand as the hub expands them.
// The hub refuses, retryably, an envelope not sealed to a recipient it routes
// to (the sender's directory was older than a subscription), and sends its
// directory again. docs/protocol.md, "Sealed payloads".
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "concord/v1/envelope.pb.h"

namespace concord {

// SealedKey.key_id of a box made for Ed25519 key `sign_key`.
inline std::string SealKeyId(const std::string& sign_key) { return sign_key.substr(0, 8); }

struct SealRecipient {
  std::string name;      // principal
  std::string sign_key;  // its Ed25519 public key, 32 bytes
};

// One principal's sealing and opening, with the shared key of each peer it
// met kept (not thread-safe: one per client, on its thread).
class PayloadSealer {
 public:
  // From the principal's Z85 CurveZMQ secret key (the signing key's source).
  static absl::StatusOr<PayloadSealer> FromCurveSecret(const std::string& secret_z85);

  // Encrypts env.payload.value in place and fills env.seal, for recipients to
  // open with this principal's sign key as the sender's (the envelope must
  // then be signed by it). InvalidArgument when a recipient's key is not a
  // usable Ed25519 key; FailedPrecondition when already sealed.
  absl::Status Seal(concord::v1::Envelope& env, const std::vector<SealRecipient>& recipients);

  // Replaces env.payload.value with the plaintext and clears env.seal.
  // NotFound: not sealed to `recipient`; DataLoss: the key box or the
  // ciphertext does not open (sealed to another key, by another sender than
  // signer_key, or changed on the way).
  absl::Status Open(concord::v1::Envelope& env, const std::string& recipient);

  const std::string& sign_key() const { return sign_key_; }  // Ed25519 public, 32 bytes

 private:
  // The crypto_box shared key with the holder of Ed25519 key `peer`.
  absl::StatusOr<const std::string*> SharedWith(const std::string& peer);

  std::string sign_key_, secret_x25519_;
  std::unordered_map<std::string, std::string> shared_;  // peer sign_key -> beforenm key
};

}  // namespace concord
