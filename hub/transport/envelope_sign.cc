#include "hub/transport/envelope_sign.h"

#include <sodium.h>
#include <zmq.h>

#include <cstdint>

#include "common/hex.h"

namespace concord {
namespace {

namespace pb = ::concord::v1;

constexpr char kSignContext[] = "concord.envelope-sign.v1";
constexpr char kTextTag[] = "concord.envelope.v1";

void PutLength(std::string& out, uint64_t n) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
}
void PutField(std::string& out, const std::string& s) {
  PutLength(out, s.size());
  out.append(s);
}

}  // namespace

std::string EnvelopeSigningText(const pb::Envelope& env) {
  std::string out;
  out.reserve(128 + env.payload().value().size() + env.payload().type_url().size());
  out.append(kTextTag, sizeof(kTextTag));  // with its NUL
  PutField(out, env.id());
  PutLength(out, static_cast<uint64_t>(env.to_size()));
  for (const auto& to : env.to()) PutField(out, to);
  PutField(out, env.payload().type_url());
  PutField(out, env.payload().value());
  PutField(out, env.correlation_id());
  PutLength(out, static_cast<uint64_t>(env.created_at_ms()));
  PutLength(out, static_cast<uint64_t>(env.expires_at_ms()));
  PutField(out, env.trace_id());
  PutField(out, env.actor().login());
  PutField(out, env.actor().name());
  PutField(out, env.actor().role());
  PutField(out, env.signer_key());
  // Appended only when sealed: what was signed before sealing existed reads
  // the same.
  if (env.has_seal()) {
    PutField(out, "seal");
    PutField(out, env.seal().nonce());
    PutLength(out, static_cast<uint64_t>(env.seal().keys_size()));
    for (const auto& k : env.seal().keys()) {
      PutField(out, k.recipient());
      PutField(out, k.box());
      PutField(out, k.key_id());
    }
  }
  return out;
}

absl::StatusOr<EnvelopeSigner> EnvelopeSigner::FromCurveSecret(const std::string& secret_z85) {
  if (sodium_init() < 0) return absl::InternalError("libsodium 初始化失败 / sodium_init failed");
  if (secret_z85.size() != 40)
    return absl::InvalidArgumentError("签名密钥须由 40 字符 Z85 私钥导出 / need a Z85 secret key");
  unsigned char curve[32];
  if (zmq_z85_decode(curve, secret_z85.c_str()) == nullptr)
    return absl::InvalidArgumentError("私钥不是 Z85 / the secret key is not Z85");
  unsigned char seed[crypto_sign_SEEDBYTES];
  crypto_generichash(seed, sizeof seed, curve, sizeof curve,
                     reinterpret_cast<const unsigned char*>(kSignContext),
                     sizeof(kSignContext) - 1);
  sodium_memzero(curve, sizeof curve);
  EnvelopeSigner s;
  s.public_key_.resize(crypto_sign_PUBLICKEYBYTES);
  s.secret_key_.resize(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(s.public_key_.data()),
                           reinterpret_cast<unsigned char*>(s.secret_key_.data()), seed);
  sodium_memzero(seed, sizeof seed);
  return s;
}

void EnvelopeSigner::Sign(pb::Envelope& env) const {
  env.clear_signature();
  env.set_signer_key(public_key_);
  const std::string text = EnvelopeSigningText(env);
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                       reinterpret_cast<const unsigned char*>(secret_key_.data()));
  env.set_signature(std::move(sig));
}

bool EnvelopeSigner::SealingSecret(std::string& out) const {
  out.resize(crypto_box_SECRETKEYBYTES);
  return crypto_sign_ed25519_sk_to_curve25519(
             reinterpret_cast<unsigned char*>(out.data()),
             reinterpret_cast<const unsigned char*>(secret_key_.data())) == 0;
}

SignatureCheck CheckEnvelopeSignature(const pb::Envelope& env) {
  if (env.signature().empty() || env.signer_key().empty()) return SignatureCheck::kUnsigned;
  if (env.signer_key().size() != crypto_sign_PUBLICKEYBYTES ||
      env.signature().size() != crypto_sign_BYTES)
    return SignatureCheck::kMalformed;
  if (sodium_init() < 0) return SignatureCheck::kBadSignature;
  const std::string text = EnvelopeSigningText(env);
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(env.signature().data()),
             reinterpret_cast<const unsigned char*>(text.data()), text.size(),
             reinterpret_cast<const unsigned char*>(env.signer_key().data())) == 0
             ? SignatureCheck::kValid
             : SignatureCheck::kBadSignature;
}

const char* SignatureCheckText(SignatureCheck c) {
  switch (c) {
    case SignatureCheck::kValid:
      return "签名有效 / signature valid";
    case SignatureCheck::kUnsigned:
      return "未签名 / not signed";
    case SignatureCheck::kMalformed:
      return "签名格式错误 / signature or signer key of the wrong size";
    case SignatureCheck::kBadSignature:
      return "签名无效 / the signature does not verify (changed on the way or forged)";
  }
  return "?";
}

std::string SignKeyHex(const std::string& key) { return HexOf(key); }

std::string SignKeyFromHex(const std::string& hex) {
  return BytesOfHex(hex, crypto_sign_PUBLICKEYBYTES);
}

}  // namespace concord
