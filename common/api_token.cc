#include "common/api_token.h"

#include <sodium.h>

#include <cctype>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/files.h"

namespace concord {
namespace {

constexpr size_t kTokenBytes = 32;

void InitSodium() {
  static const bool ready = [] { return sodium_init() >= 0; }();
  if (!ready) std::abort();  // no randomness: nothing safe can be made
}

bool IsToken(std::string_view s) {
  if (s.size() != 2 * kTokenBytes) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

std::string NewApiToken() {
  InitSodium();
  unsigned char bytes[kTokenBytes];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * kTokenBytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(hex, 2 * kTokenBytes);
}

absl::StatusOr<std::string> ReadApiToken(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  std::string token(absl::StripAsciiWhitespace(*text));
  if (!IsToken(token))
    return absl::InvalidArgumentError(
        absl::StrCat("API 令牌文件应为 64 位十六进制数 / the API token file must hold 64 hex "
                     "digits: ",
                     path));
  return absl::AsciiStrToLower(token);
}

absl::StatusOr<std::string> LoadOrCreateApiToken(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return ReadApiToken(path);
  const std::string token = NewApiToken();
  absl::Status written = WriteNewFile(path, token + "\n", 0600);
  if (absl::IsAlreadyExists(written)) return ReadApiToken(path);  // made meanwhile
  if (!written.ok())
    return absl::UnavailableError(absl::StrCat(
        "无法写入 API 令牌文件 / cannot write the API token ", path, ": ", written.message()));
  return token;
}

bool BearerMatches(std::string_view authorization, std::string_view token) {
  if (token.empty()) return false;
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size() ||
      !absl::EqualsIgnoreCase(absl::string_view(authorization.data(), kScheme.size()),
                              absl::string_view(kScheme.data(), kScheme.size())))
    return false;
  std::string_view given = authorization.substr(kScheme.size());
  while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
  while (!given.empty() && given.back() == ' ') given.remove_suffix(1);
  if (given.size() != token.size()) return false;
  InitSodium();
  return sodium_memcmp(given.data(), token.data(), token.size()) == 0;
}

}  // namespace concord
