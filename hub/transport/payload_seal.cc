#include "hub/transport/payload_seal.h"

#include <sodium.h>

#include "absl/strings/str_cat.h"
#include "hub/transport/envelope_sign.h"

namespace concord {
namespace {

namespace pb = ::concord::v1;

constexpr size_t kContentKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
static_assert(kContentKeyBytes == 32);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == crypto_box_NONCEBYTES);
constexpr size_t kBoxBytes = crypto_box_MACBYTES + kContentKeyBytes;  // 48

const unsigned char* U(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

std::string AdditionalData(const pb::Envelope& env) {
  return absl::StrCat(env.id(), std::string(1, '\0'), env.payload().type_url());
}

// Wiped when it goes out of scope.
struct SecretBytes {
  std::string bytes;
  explicit SecretBytes(size_t n) : bytes(n, '\0') {}
  ~SecretBytes() { sodium_memzero(bytes.data(), bytes.size()); }
};

}  // namespace

absl::StatusOr<PayloadSealer> PayloadSealer::FromCurveSecret(const std::string& secret_z85) {
  auto signer = EnvelopeSigner::FromCurveSecret(secret_z85);
  if (!signer.ok()) return signer.status();
  PayloadSealer s;
  s.sign_key_ = signer->public_key();
  if (!signer->SealingSecret(s.secret_x25519_))
    return absl::InternalError("无法导出加密密钥 / cannot derive the X25519 key");
  return s;
}

absl::StatusOr<const std::string*> PayloadSealer::SharedWith(const std::string& peer) {
  if (auto it = shared_.find(peer); it != shared_.end()) return &it->second;
  std::string x25519(crypto_box_PUBLICKEYBYTES, '\0');
  std::string shared(crypto_box_BEFORENMBYTES, '\0');
  if (peer.size() != crypto_sign_PUBLICKEYBYTES ||
      crypto_sign_ed25519_pk_to_curve25519(U(x25519), U(peer)) != 0 ||
      crypto_box_beforenm(U(shared), U(x25519), U(secret_x25519_)) != 0)
    return absl::InvalidArgumentError(
        absl::StrCat("密钥 ", SignKeyHex(peer), " 不可用于加密 / key cannot be used to seal"));
  if (shared_.size() > 4096) shared_.clear();  // more peers than any district has
  return &shared_.emplace(peer, std::move(shared)).first->second;
}

absl::Status PayloadSealer::Seal(pb::Envelope& env, const std::vector<SealRecipient>& recipients) {
  if (env.has_seal()) return absl::FailedPreconditionError("已加密 / payload already sealed");
  SecretBytes key(kContentKeyBytes);
  crypto_aead_xchacha20poly1305_ietf_keygen(U(key.bytes));
  std::string nonce(crypto_box_NONCEBYTES, '\0');
  randombytes_buf(nonce.data(), nonce.size());
  pb::Seal seal;
  for (const SealRecipient& r : recipients) {
    auto shared = SharedWith(r.sign_key);
    if (!shared.ok())
      return absl::InvalidArgumentError(absl::StrCat(
          "收件人 ", r.name, " 的签名密钥不可用于加密 / ", r.name, "'s sign_key cannot seal"));
    auto* k = seal.add_keys();
    k->set_recipient(r.name);
    std::string box(kBoxBytes, '\0');
    crypto_box_easy_afternm(U(box), U(key.bytes), key.bytes.size(), U(nonce), U(**shared));
    k->set_box(std::move(box));
    k->set_key_id(SealKeyId(r.sign_key));
  }
  const std::string& plain = env.payload().value();
  const std::string ad = AdditionalData(env);
  std::string cipher(plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long cipher_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(U(cipher), &cipher_len, U(plain), plain.size(), U(ad),
                                             ad.size(), nullptr, U(nonce), U(key.bytes));
  cipher.resize(cipher_len);
  seal.set_nonce(std::move(nonce));
  env.mutable_payload()->set_value(std::move(cipher));
  *env.mutable_seal() = std::move(seal);
  return absl::OkStatus();
}

absl::Status PayloadSealer::Open(pb::Envelope& env, const std::string& recipient) {
  const pb::SealedKey* mine = nullptr;
  for (const auto& k : env.seal().keys())
    if (k.recipient() == recipient) mine = &k;
  if (!mine)
    return absl::NotFoundError(
        absl::StrCat("未为 ", recipient, " 加密 / payload not sealed to ", recipient));
  const std::string& nonce = env.seal().nonce();
  const std::string& cipher = env.payload().value();
  if (nonce.size() != crypto_box_NONCEBYTES || mine->box().size() != kBoxBytes ||
      cipher.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES)
    return absl::DataLossError("密文格式错误 / sealed payload malformed");
  auto shared = SharedWith(env.signer_key());
  SecretBytes key(kContentKeyBytes);
  if (!shared.ok() || crypto_box_open_easy_afternm(U(key.bytes), U(mine->box()), kBoxBytes,
                                                   U(nonce), U(**shared)) != 0)
    return absl::DataLossError(
        "无法解开内容密钥（加密给了别的密钥或不是签名者加密的）/ the content key does not open "
        "with this principal's key and the signer's (sealed to another key, or by another "
        "sender)");
  const std::string ad = AdditionalData(env);
  std::string plain(cipher.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(U(plain), &plain_len, nullptr, U(cipher),
                                                 cipher.size(), U(ad), ad.size(), U(nonce),
                                                 U(key.bytes)) != 0)
    return absl::DataLossError(
        "密文无法解密（途中被改动）/ sealed payload does not decrypt (changed on the way)");
  plain.resize(plain_len);
  env.mutable_payload()->set_value(std::move(plain));
  env.clear_seal();
  return absl::OkStatus();
}

}  // namespace concord
