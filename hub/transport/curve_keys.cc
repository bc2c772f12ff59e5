#include "hub/transport/curve_keys.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"

namespace concord {
namespace {

absl::StatusOr<std::string> ReadTrimmed(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return absl::NotFoundError(absl::StrCat("无法读取密钥文件 / cannot read key file ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(ss.str()));
}

}  // namespace

bool IsZ85Key(const std::string& s) {
  if (s.size() != 40) return false;
  uint8_t bin[32];
  return zmq_z85_decode(bin, s.c_str()) != nullptr;
}

absl::StatusOr<CurveKeyPair> GenerateCurveKeyPair() {
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0)
    return absl::InternalError(absl::StrCat("zmq_curve_keypair: ", zmq_strerror(zmq_errno())));
  return CurveKeyPair{pub, sec};
}

absl::Status SaveCurveKeyPair(const CurveKeyPair& kp, const std::string& prefix, bool overwrite) {
  const std::string pub = prefix + ".pub", key = prefix + ".key";
  if (!overwrite && (std::filesystem::exists(pub) || std::filesystem::exists(key)))
    return absl::AlreadyExistsError(absl::StrCat("密钥已存在 / key already exists: ", prefix));
  std::error_code ec;
  auto parent = std::filesystem::path(prefix).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  {
    std::ofstream out(pub, std::ios::trunc);
    out << kp.public_z85 << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", pub));
  }
  {
    // Create with 0600 before writing the secret.
    std::ofstream out(key, std::ios::trunc);
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", key));
    chmod(key.c_str(), 0600);
    out << kp.secret_z85 << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", key));
  }
  // An installed machine's keys folder: the daemons' group reads it.
  if (auto st = ShareSecretWithDaemons(key); !st.ok()) return st;
  return absl::OkStatus();
}

absl::StatusOr<CurveKeyPair> LoadCurveKeyPair(const std::string& path_or_prefix) {
  std::string path = path_or_prefix;
  if (!absl::EndsWith(path, ".key") && !std::filesystem::exists(path)) path += ".key";
  auto secret = ReadTrimmed(path);
  if (!secret.ok()) return secret.status();
  if (!IsZ85Key(*secret))
    return absl::InvalidArgumentError(absl::StrCat("密钥格式错误 / not a Z85 secret key: ", path));
  char pub[41];
  if (zmq_curve_public(pub, secret->c_str()) != 0)
    return absl::InvalidArgumentError(absl::StrCat("zmq_curve_public failed for ", path));
  return CurveKeyPair{pub, *secret};
}

absl::StatusOr<std::string> LoadCurvePublicKey(const std::string& z85_or_path) {
  // A file first: a 40-character path such as "/work/wt-enrol/var/district/keys/hub.pub"
  // is also valid Z85, and taking it for the key fails every handshake.
  std::error_code ec;
  if (IsZ85Key(z85_or_path) && !std::filesystem::is_regular_file(z85_or_path, ec))
    return z85_or_path;
  auto text = ReadTrimmed(z85_or_path);
  if (!text.ok()) return text.status();
  if (!IsZ85Key(*text))
    return absl::InvalidArgumentError(
        absl::StrCat("公钥格式错误 / not a Z85 public key: ", z85_or_path));
  return *text;
}

}  // namespace concord
