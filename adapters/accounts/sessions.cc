#include "adapters/accounts/sessions.h"

#include <sodium.h>

#include <algorithm>

#include "adapters/accounts/internal.h"
#include "adapters/accounts/schema.h"
#include "common/status_macros.h"

namespace concord::accounts {
namespace {

constexpr size_t kRandomBytes = 32;
constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
constexpr size_t kTokenChars = sodium_base64_ENCODED_LEN(kRandomBytes, kVariant) - 1;  // 43
constexpr int64_t kTouchEveryMs = 60'000;

}  // namespace

// 32 random bytes, base64url without padding.
std::string RandomToken() {
  InitSodium();
  unsigned char bytes[kRandomBytes];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(kRandomBytes, kVariant)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, kVariant);
  sodium_memzero(bytes, sizeof bytes);
  return text;
}

bool WellFormedToken(const std::string& token) {
  return token.size() == kTokenChars && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

namespace {

// BLAKE2b-256 of the token's text: what the table keeps.
std::string TokenHash(const std::string& token) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

absl::Status Expired() {
  return absl::UnauthenticatedError("登录已过期，请重新登录 / session expired, log in again");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Sessions>> Sessions::Open(sql::Db& db, const Clock& clock,
                                                         SessionOptions options) {
  InitSodium();
  RETURN_IF_ERROR(MigrateAccountTables(db));
  return std::unique_ptr<Sessions>(new Sessions(db, clock, options));
}

absl::StatusOr<std::pair<std::string, Session>> Sessions::Create(const std::string& login,
                                                                 const std::string& remote) {
  if (login.empty()) return absl::InvalidArgumentError("会话缺少账号 / session without a login");
  RETURN_IF_ERROR(Purge().status());
  const int64_t now = clock_.NowMs();
  std::string token = RandomToken();
  Session s{.login = login,
            .csrf = RandomToken(),
            .remote = remote,
            .created_ms = now,
            .last_seen_ms = now};
  ASSIGN_OR_RETURN(sql::Stmt put,
                   db_.Prepare("INSERT INTO console_sessions(token_hash, login, csrf, remote, "
                               "created_ms, last_seen_ms) VALUES(?,?,?,?,?,?)"));
  put.BindBlob(1, TokenHash(token));
  put.Bind(2, s.login).Bind(3, s.csrf).Bind(4, s.remote).Bind(5, now).Bind(6, now);
  RETURN_IF_ERROR(put.Run());
  return std::make_pair(std::move(token), std::move(s));
}

absl::StatusOr<Session> Sessions::Resolve(const std::string& token) {
  if (!WellFormedToken(token)) return Expired();
  const std::string hash = TokenHash(token);
  Session s;
  {
    ASSIGN_OR_RETURN(sql::Stmt q,
                     db_.Prepare("SELECT login, csrf, remote, created_ms, last_seen_ms FROM "
                                 "console_sessions WHERE token_hash = ?"));
    q.BindBlob(1, hash);
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Expired();
    s = Session{.login = q.Text(0),
                .csrf = q.Text(1),
                .remote = q.Text(2),
                .created_ms = q.Int(3),
                .last_seen_ms = q.Int(4)};
  }
  const int64_t now = clock_.NowMs();
  if (now - s.last_seen_ms > options_.idle_ms || now - s.created_ms > options_.absolute_ms) {
    ASSIGN_OR_RETURN(sql::Stmt del,
                     db_.Prepare("DELETE FROM console_sessions WHERE token_hash = ?"));
    del.BindBlob(1, hash);
    RETURN_IF_ERROR(del.Run());
    return Expired();
  }
  if (now - s.last_seen_ms >= kTouchEveryMs) {
    ASSIGN_OR_RETURN(
        sql::Stmt touch,
        db_.Prepare("UPDATE console_sessions SET last_seen_ms = ? WHERE token_hash = ?"));
    touch.Bind(1, now).BindBlob(2, hash);
    RETURN_IF_ERROR(touch.Run());
    s.last_seen_ms = now;
  }
  return s;
}

absl::Status Sessions::Destroy(const std::string& token) {
  if (!WellFormedToken(token)) return absl::OkStatus();
  ASSIGN_OR_RETURN(sql::Stmt del, db_.Prepare("DELETE FROM console_sessions WHERE token_hash = ?"));
  del.BindBlob(1, TokenHash(token));
  return del.Run();
}

absl::Status Sessions::DestroyAll(const std::string& login) {
  ASSIGN_OR_RETURN(sql::Stmt del, db_.Prepare("DELETE FROM console_sessions WHERE login = ?"));
  del.Bind(1, login);
  return del.Run();
}

absl::StatusOr<int64_t> Sessions::Purge() {
  const int64_t now = clock_.NowMs();
  ASSIGN_OR_RETURN(sql::Stmt del, db_.Prepare("DELETE FROM console_sessions WHERE last_seen_ms "
                                              "< ? OR created_ms < ?"));
  del.Bind(1, now - options_.idle_ms).Bind(2, now - options_.absolute_ms);
  RETURN_IF_ERROR(del.Run());
  return db_.Changes();
}

bool TokensMatch(std::string_view expected, std::string_view token) {
  if (expected.empty() || token.size() != expected.size()) return false;
  return sodium_memcmp(expected.data(), token.data(), token.size()) == 0;
}

bool CsrfMatches(const Session& s, std::string_view token) { return TokensMatch(s.csrf, token); }

// ---- LoginLimiter ----

namespace {
constexpr size_t kMaxRemotes = 10'000;
}

LoginLimiter::LoginLimiter(int burst, int per_minute)
    : burst_(std::max(1, burst)), per_ms_(std::max(0, per_minute) / 60'000.0) {}

double LoginLimiter::Level(const Bucket& b, int64_t now_ms) const {
  const int64_t elapsed = std::max<int64_t>(0, now_ms - b.at_ms);
  return std::min(burst_, b.tokens + static_cast<double>(elapsed) * per_ms_);
}

bool LoginLimiter::Allow(const std::string& remote, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(remote);
  if (it == buckets_.end()) {
    if (buckets_.size() >= kMaxRemotes) {
      std::erase_if(buckets_, [&](const auto& kv) { return Level(kv.second, now_ms) >= burst_; });
      if (buckets_.size() >= kMaxRemotes) buckets_.clear();
    }
    it = buckets_.emplace(remote, Bucket{burst_, now_ms}).first;
  }
  Bucket& b = it->second;
  b.tokens = Level(b, now_ms);
  b.at_ms = std::max(b.at_ms, now_ms);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace concord::accounts
