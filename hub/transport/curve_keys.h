// CurveZMQ key pairs and their files.
//
// A key pair is stored as two text files beside each other:
//   <prefix>.pub  the Z85 public key (40 characters) and a newline;
//   <prefix>.key  the Z85 secret key, mode 0600.
// The public key is derived from the secret key when loading, so a .key file
// alone is enough to run a process.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace concord {

struct CurveKeyPair {
  std::string public_z85;  // 40 characters
  std::string secret_z85;  // 40 characters
};

absl::StatusOr<CurveKeyPair> GenerateCurveKeyPair();

// Writes <prefix>.pub and <prefix>.key (0600; 0640 with group concord when
// the folder belongs to that group, as /etc/concord/keys of an installed
// machine does, so the daemons can read it). Fails if either exists and
// `overwrite` is false.
absl::Status SaveCurveKeyPair(const CurveKeyPair& kp, const std::string& prefix,
                              bool overwrite = false);

// Loads a secret key file (or "<prefix>.key" when given a prefix) and derives
// the public key.
absl::StatusOr<CurveKeyPair> LoadCurveKeyPair(const std::string& path_or_prefix);

// Reads a public key: a .pub file holding one, or else a Z85 string itself
// (a file of that name wins: a 40-character path is also valid Z85).
absl::StatusOr<std::string> LoadCurvePublicKey(const std::string& z85_or_path);

bool IsZ85Key(const std::string& s);

}  // namespace concord
