// Signed checkpoints of the audit chain (issue 16): the hub signs its chain's
// head with an Ed25519 key of its own and sends it to every agency
// (concord.v1.AuditCheckpoint); each agency keeps the heads it was sent.
// `concordctl audit verify --checkpoints` then checks the chain still holds
// every one: a cut tail, a rewritten line or a recomputed chain is caught as
// long as one agency kept a head past the change.
//
// The key: "<data_dir>/audit-sign.key" (64 hex digits: the Ed25519 seed,
// 0600), made at the hub's first start; its public half beside it in
// "audit-sign.pub" (64 hex digits).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace concord::hub {

// The bytes signed for one checkpoint.
std::string CheckpointText(int64_t line, const std::string& hash, int64_t at_ms);

class AuditSigner {
 public:
  // Reads the key at `key_path`, or makes one there (and the .pub beside it).
  static absl::StatusOr<AuditSigner> LoadOrCreate(const std::string& key_path);
  // Ed25519 signature (64 bytes) of CheckpointText(line, hash, at_ms).
  std::string Sign(int64_t line, const std::string& hash, int64_t at_ms) const;
  // Ed25519 signature of any text (an archive record: audit_archive.h).
  std::string SignText(const std::string& text) const;
  const std::string& public_key() const { return public_key_; }  // 32 bytes

 private:
  std::string public_key_, secret_key_;
};

// "<key_path without .key>.pub".
std::string AuditPublicKeyPath(const std::string& key_path);
// Reads a public key file (64 hex digits) into its 32 bytes.
absl::StatusOr<std::string> ReadAuditPublicKey(const std::string& pub_path);

// True when `signature` is `public_key`'s (Ed25519) over `text`.
bool VerifyAuditSignature(const std::string& text, const std::string& public_key,
                          const std::string& signature);
// True when `signature` is `public_key`'s over CheckpointText(...).
bool VerifyCheckpoint(int64_t line, const std::string& hash, int64_t at_ms,
                      const std::string& public_key, const std::string& signature);

}  // namespace concord::hub
