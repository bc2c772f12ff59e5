#include "hub/audit/checkpoint.h"

#include <sodium.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/files.h"
#include "common/hex.h"

namespace concord::hub {

std::string CheckpointText(int64_t line, const std::string& hash, int64_t at_ms) {
  return absl::StrCat("concord audit checkpoint v1\n", line, "\n", hash, "\n", at_ms, "\n");
}

std::string AuditPublicKeyPath(const std::string& key_path) {
  absl::string_view base = key_path;
  absl::ConsumeSuffix(&base, ".key");
  return absl::StrCat(base, ".pub");
}

absl::StatusOr<std::string> ReadAuditPublicKey(const std::string& pub_path) {
  auto text = ReadFileToString(pub_path);
  if (!text.ok()) return text.status();
  std::string key = BytesOfHex(*text, crypto_sign_PUBLICKEYBYTES);
  if (key.empty())
    return absl::DataLossError(
        absl::StrCat("审计公钥文件格式错误 / ", pub_path, " is not an Ed25519 public key in hex"));
  return key;
}

absl::StatusOr<AuditSigner> AuditSigner::LoadOrCreate(const std::string& key_path) {
  if (sodium_init() < 0) return absl::InternalError("sodium_init failed");
  std::string seed;
  if (auto text = ReadFileToString(key_path); text.ok()) {
    seed = BytesOfHex(*text, crypto_sign_SEEDBYTES);
    if (seed.empty())
      return absl::DataLossError(
          absl::StrCat("审计签名密钥格式错误 / ", key_path, " is not an Ed25519 seed in hex"));
  } else {
    seed.resize(crypto_sign_SEEDBYTES);
    randombytes_buf(seed.data(), seed.size());
    if (auto st = WriteNewFile(key_path, HexOf(seed) + "\n", 0600); !st.ok()) return st;
  }
  AuditSigner s;
  s.public_key_.resize(crypto_sign_PUBLICKEYBYTES);
  s.secret_key_.resize(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(s.public_key_.data()),
                           reinterpret_cast<unsigned char*>(s.secret_key_.data()),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  sodium_memzero(seed.data(), seed.size());
  // The public half, for the agencies and for verify (rewritten each start).
  if (auto st = WriteFileAtomically(AuditPublicKeyPath(key_path), HexOf(s.public_key_) + "\n");
      !st.ok())
    return st;
  return s;
}

std::string AuditSigner::Sign(int64_t line, const std::string& hash, int64_t at_ms) const {
  return SignText(CheckpointText(line, hash, at_ms));
}

std::string AuditSigner::SignText(const std::string& text) const {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                       reinterpret_cast<const unsigned char*>(secret_key_.data()));
  return sig;
}

bool VerifyCheckpoint(int64_t line, const std::string& hash, int64_t at_ms,
                      const std::string& public_key, const std::string& signature) {
  return VerifyAuditSignature(CheckpointText(line, hash, at_ms), public_key, signature);
}

bool VerifyAuditSignature(const std::string& text, const std::string& public_key,
                          const std::string& signature) {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES)
    return false;
  if (sodium_init() < 0) return false;
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(text.data()), text.size(),
             reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

}  // namespace concord::hub
