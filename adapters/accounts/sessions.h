// The console's login sessions, its CSRF check and its limit on login
// attempts.
//
// A session is named by a token the browser keeps in a cookie: 32 random
// bytes (randombytes_buf), base64url without padding (43 characters). Only
// its BLAKE2b-256 hash is stored (table console_sessions, schema.h), so a
// copy of the database opens no session. Each session also has a CSRF token
// (32 random bytes, base64url) that the console puts in its forms and checks
// with CsrfMatches on every POST.
//
// A session ends when it has not been used for idle_ms, when it is older
// than absolute_ms, on Destroy (log out), or on DestroyAll (the account was
// disabled or its password changed: the caller of Accounts::SetDisabled /
// SetPassword calls it). Resolve does not look at the account: the console
// reads the account (Accounts::Get) on each request for its roles and
// refuses a disabled one.
//
// Errors: Unauthenticated "登录已过期，请重新登录 / session expired, log in
// again" from Resolve; otherwise the Db's (Unavailable: retry; Internal).
//
// Ownership and threads: Sessions borrows the Db and the Clock, which must
// outlive it, and is used on the Db's thread. CsrfMatches may be called
// from any thread; a LoginLimiter is safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/sql.h"

namespace concord::accounts {

struct Session {
  std::string login, csrf, remote;
  int64_t created_ms = 0, last_seen_ms = 0;
};

struct SessionOptions {
  int64_t idle_ms = 30 * 60 * 1000;
  int64_t absolute_ms = 12 * 3600 * 1000;
};

class Sessions {
 public:
  static absl::StatusOr<std::unique_ptr<Sessions>> Open(sql::Db& db, const Clock& clock,
                                                        SessionOptions options = {});

  // A new session for `login` (which the caller has just authenticated) from
  // `remote`: the token, which is given out once and never stored, and the
  // session. Also deletes every session that has expired. InvalidArgument
  // for an empty login.
  absl::StatusOr<std::pair<std::string, Session>> Create(const std::string& login,
                                                         const std::string& remote);
  // The session of `token`. Unauthenticated "登录已过期，请重新登录 / session
  // expired, log in again" when the token is unknown or malformed, or the
  // session was idle too long or is too old (its row is then deleted).
  // Records the use (last_seen_ms) at most once a minute per session.
  absl::StatusOr<Session> Resolve(const std::string& token);
  // Ends the session of `token` (log out); OK when there is none.
  absl::Status Destroy(const std::string& token);
  // Ends every session of `login`.
  absl::Status DestroyAll(const std::string& login);
  // Deletes every expired session; returns how many.
  absl::StatusOr<int64_t> Purge();

 private:
  Sessions(sql::Db& db, const Clock& clock, SessionOptions options)
      : db_(db), clock_(clock), options_(options) {}
  sql::Db& db_;
  const Clock& clock_;
  const SessionOptions options_;
};

// Whether `token` is the session's CSRF token: compared in constant time
// (sodium_memcmp); false when either is empty or their lengths differ.
bool CsrfMatches(const Session& s, std::string_view token);
// The same comparison for any secret token (the login form's).
bool TokensMatch(std::string_view expected, std::string_view token);
// 32 random bytes as 43 base64url characters: session ids, CSRF tokens.
std::string RandomToken();
// Whether `token` has RandomToken's shape (43 base64url characters).
bool WellFormedToken(const std::string& token);

// Login attempts per remote address: a token bucket of `burst` attempts,
// refilled at `per_minute` a minute. In memory (a restart forgets it); at
// most about 10 000 addresses are kept, full buckets dropped first.
class LoginLimiter {
 public:
  LoginLimiter(int burst = 10, int per_minute = 10);
  // Takes one attempt from `remote`'s bucket; false when it is empty.
  bool Allow(const std::string& remote, int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_ms = 0;
  };
  // `b` refilled up to `now_ms`.
  double Level(const Bucket& b, int64_t now_ms) const;

  const double burst_, per_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace concord::accounts
