// The console's personal accounts: who may log in to an agency's
// concord-adapter console, with which roles, and what each role may do.
//
// An account is a clerk's own login (no shared accounts), with a name and a
// department for histories, one or more roles, and an Argon2id password
// hash (never the password). Accounts keeps them in the agency's SQLite file
// (table console_accounts, schema.h) and writes an ActionLog row in the same
// savepoint as every change it makes: action "account.add",
// "account.passwd", "account.disable", "account.enable", "account.roles",
// "account.unlock", or "account.lock" (by "system", when wrong passwords
// lock an account); `by` is the acting login, or "concordctl:<unix user>".
//
// Passwords: at least AccountOptions::min_password bytes, with a letter
// (A-Z, a-z or any non-ASCII character) and a digit, not the login, at most
// 1024 bytes. Authenticate costs one Argon2id verify (about 0.1 s of CPU and
// 64 MiB) whatever the outcome, except for a locked account; a console that
// must not block its event loop that long runs it on a worker thread with a
// Db of its own.
//
// Lock-out: max_failures wrong passwords in a row lock the account for
// lockout_ms (the attempt that locks it already answers "locked"); a
// success resets the count; Unlock (an admin) ends a lock at once.
//
// Roles and permissions: Allowed(account, permission) is the whole check;
// a disabled account is allowed nothing. The table (a role may do):
//
//   registrar 登记员     Register, EnterAid, Reception, RiskForm
//   handler   承办人     Handle, EnterAid, RiskForm, Reception
//   head      部门负责人 Assign, ApproveExtension, Handle, Statistics, RiskForm, Convene,
//                        ScheduleReception
//   leader    院/局领导  Supervise, SignPlan, ApproveAidException, ApproveExtension,
//                        Convene, Statistics, Assign, ScheduleReception
//   admin     管理员     ManageAccounts only (an admin who also handles cases has both roles)
//
// Errors: InvalidArgument "<field>: 中文 / English" naming the field (login,
// name, department, roles, password): never retry as is; AlreadyExists for
// a login taken; NotFound for an unknown login (except in Authenticate);
// FailedPrecondition when a change would leave no enabled admin;
// Unauthenticated / PermissionDenied from Authenticate (below); the Db's
// Unavailable (retry) and Internal.
//
// Ownership and threads: Accounts borrows the Db and the Clock, which must
// outlive it, and is used on the Db's thread. The free functions may be
// called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/accounts/action_log.h"
#include "common/clock.h"
#include "common/sql.h"

namespace concord::accounts {

enum class Role { kRegistrar, kHandler, kHead, kLeader, kAdmin };
inline constexpr Role kAllRoles[] = {Role::kRegistrar, Role::kHandler, Role::kHead, Role::kLeader,
                                     Role::kAdmin};

std::string_view RoleName(Role);         // "registrar", "handler", "head", "leader", "admin"
std::string_view RoleChineseName(Role);  // 登记员, 承办人, 部门负责人, 院/局领导, 管理员
// A role by its English (any case, surrounding blanks ignored) or Chinese name.
std::optional<Role> RoleFromName(std::string_view);

struct Account {
  std::string login, name, department;  // name: 李某 ; department: 控告申诉检察部
  std::vector<Role> roles;              // in Role order, no repeats
  bool disabled = false;
  int failed_logins = 0;
  int64_t locked_until_ms = 0, created_ms = 0, last_login_ms = 0;
  bool Has(Role r) const;
  // "承办人 李某": the highest case role's Chinese name (leader > head >
  // handler > registrar; admin only when it is the only role) and the name.
  std::string Title() const;
  // True while a lock-out lasts at `now_ms`.
  bool Locked(int64_t now_ms) const { return locked_until_ms > now_ms; }
};

struct AccountInput {
  std::string login, name, department;
  std::vector<Role> roles;
  std::string password;
};

struct AccountOptions {
  int max_failures = 5;
  int64_t lockout_ms = 15 * 60 * 1000;
  size_t min_password = 10;
};

// The checks of Accounts::Add without the database (a form can show them
// before it submits): InvalidArgument naming the first bad field, or OK.
absl::Status CheckAccountInput(const AccountInput& in, const AccountOptions& options = {});

class Accounts {
 public:
  static absl::StatusOr<std::unique_ptr<Accounts>> Open(sql::Db& db, const Clock& clock,
                                                        AccountOptions options = {});

  // A new account. InvalidArgument naming the field: login [a-z0-9._-]{2,32}
  // and not "system" (the name of lock-outs in the action log);
  // name 1..40 characters; department at most 60 characters; at least one
  // role; the password rules above. AlreadyExists when the login is taken.
  absl::Status Add(const AccountInput& in, const std::string& by);
  // A new password (the rules above); also ends a lock-out. The caller ends
  // the account's sessions (Sessions::DestroyAll).
  absl::Status SetPassword(const std::string& login, const std::string& password,
                           const std::string& by);
  // Disables or enables the account. The caller ends its sessions when it
  // disables it (Sessions::DestroyAll). FailedPrecondition when it is the
  // last enabled admin.
  absl::Status SetDisabled(const std::string& login, bool disabled, const std::string& by);
  // Replaces the roles (at least one). FailedPrecondition when that takes
  // admin from the last enabled admin.
  absl::Status SetRoles(const std::string& login, const std::vector<Role>& roles,
                        const std::string& by);
  // Ends a lock-out and clears the count of wrong passwords.
  absl::Status Unlock(const std::string& login, const std::string& by);

  absl::StatusOr<Account> Get(const std::string& login);  // NotFound
  absl::StatusOr<std::vector<Account>> List();            // by login
  absl::StatusOr<size_t> Count();

  // The account, when `password` is its password and it may log in.
  // Unauthenticated "用户名或密码错误 / wrong login or password" for an
  // unknown login or a wrong password (same text; an unknown login still
  // costs one Argon2id verify against a dummy hash, so timing does not tell);
  // PermissionDenied "账户已停用 / account disabled" (only told to whoever
  // gave the right password) or "账户已锁定，请 N 分钟后再试 / account
  // locked, try again in N minutes". Records "account.lock" when it locks
  // the account; the caller records the login attempt itself (it knows the
  // remote address).
  absl::StatusOr<Account> Authenticate(const std::string& login, const std::string& password);

  // Authenticate() in three steps, so that a server runs the Argon2id
  // verify (about 0.1 s of CPU) off its event loop: BeginLogin reads the
  // account (the lock-out answer comes here), VerifyLogin checks the password
  // and may run on any thread, FinishLogin records the outcome and gives
  // Authenticate()'s answer. An unknown login is verified against a dummy
  // hash as well.
  struct LoginAttempt {
    std::string login;  // normalised
    std::optional<Account> account;
    std::string hash;  // the stored one, or a dummy of the same cost
  };
  absl::StatusOr<LoginAttempt> BeginLogin(const std::string& login);
  static bool VerifyLogin(const LoginAttempt& attempt, std::string_view password);
  absl::StatusOr<Account> FinishLogin(const LoginAttempt& attempt, bool verified,
                                      const std::string& password);

 private:
  Accounts(sql::Db& db, const Clock& clock, AccountOptions options, std::unique_ptr<ActionLog> log)
      : db_(db), clock_(clock), options_(options), log_(std::move(log)) {}
  // Writes the ActionLog row of a change by `by` to `target`.
  absl::Status Log(const std::string& by, const std::string& action, const std::string& target,
                   const std::string& detail = "");
  // FailedPrecondition when `login` is the only enabled admin.
  absl::Status KeepOneAdmin(const std::string& login);
  // Runs `sql` with ?1 the login and the rest bound by `bind`; NotFound when
  // it changed no row.
  absl::Status UpdateExisting(const std::string& login, std::string_view sql,
                              const std::function<void(sql::Stmt&)>& bind);

  sql::Db& db_;
  const Clock& clock_;
  const AccountOptions options_;
  const std::unique_ptr<ActionLog> log_;
};

// Argon2id (crypto_pwhash_str_alg, crypto_pwhash_ALG_ARGON2ID13,
// OPSLIMIT_INTERACTIVE, MEMLIMIT_INTERACTIVE); "" when it could not (out of
// memory). sodium_init runs once, on first use.
std::string HashPassword(std::string_view password);
// crypto_pwhash_str_verify; false for "" or a malformed hash.
bool VerifyPassword(const std::string& hash, std::string_view password);
// A random password of `length` (at least 8) letters and digits, with both,
// leaving out look-alikes (0 O o 1 l I): for a first or a reset password.
std::string GeneratePassword(size_t length = 12);

enum class Permission {
  kRegister,             // 登记信访
  kHandle,               // 办理信访
  kAssign,               // 交办分派
  kApproveExtension,     // 审批延期
  kSupervise,            // 督办
  kSignPlan,             // 签署工作方案
  kApproveAidException,  // 审批司法救助例外
  kEnterAid,             // 录入司法救助
  kRiskForm,             // 填写风险评估
  kConvene,              // 召集联席会议
  kReception,            // 接访登记
  kStatistics,           // 查看统计
  kManageAccounts,       // 管理账户
  kScheduleReception,    // 安排检察长接待日 (publish, change, cancel a slot)
};
inline constexpr Permission kAllPermissions[] = {Permission::kRegister,
                                                 Permission::kHandle,
                                                 Permission::kAssign,
                                                 Permission::kApproveExtension,
                                                 Permission::kSupervise,
                                                 Permission::kSignPlan,
                                                 Permission::kApproveAidException,
                                                 Permission::kEnterAid,
                                                 Permission::kRiskForm,
                                                 Permission::kConvene,
                                                 Permission::kReception,
                                                 Permission::kStatistics,
                                                 Permission::kManageAccounts,
                                                 Permission::kScheduleReception};

// Whether one of `a`'s roles may do `p` (the table above); false when `a` is disabled.
bool Allowed(const Account& a, Permission p);
// Whether `r` may do `p`.
bool RoleAllows(Role r, Permission p);
std::string_view PermissionChineseName(Permission);  // 登记信访, 办理信访, ...
std::string_view PermissionName(Permission);         // "register", "handle", ... (for logs)
// "需要以下角色之一：部门负责人、院/局领导 / needs one of the roles: head, leader"
std::string RefusalText(Permission p);

}  // namespace concord::accounts
