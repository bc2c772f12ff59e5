#include "adapters/accounts/accounts.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/accounts/internal.h"
#include "adapters/accounts/schema.h"
#include "common/field_status.h"
#include "common/status_macros.h"

namespace concord::accounts {
namespace {

constexpr size_t kMaxPassword = 1024;
constexpr size_t kMaxName = 40, kMaxDepartment = 60;
constexpr std::string_view kSystem = "system";  // who locks accounts, in the action log

// ---- roles and permissions ----

struct RoleInfo {
  std::string_view name, chinese;
  uint32_t may;  // bit i: Permission i
};

constexpr uint32_t Bits(std::initializer_list<Permission> ps) {
  uint32_t b = 0;
  for (Permission p : ps) b |= 1u << static_cast<int>(p);
  return b;
}

using P = Permission;
constexpr std::array<RoleInfo, 5> kRoles = {{
    {"registrar", "登记员", Bits({P::kRegister, P::kEnterAid, P::kReception, P::kRiskForm})},
    {"handler", "承办人", Bits({P::kHandle, P::kEnterAid, P::kRiskForm, P::kReception})},
    {"head", "部门负责人",
     Bits({P::kAssign, P::kApproveExtension, P::kHandle, P::kStatistics, P::kRiskForm, P::kConvene,
           P::kScheduleReception})},
    {"leader", "院/局领导",
     Bits({P::kSupervise, P::kSignPlan, P::kApproveAidException, P::kApproveExtension, P::kConvene,
           P::kStatistics, P::kAssign, P::kScheduleReception})},
    {"admin", "管理员", Bits({P::kManageAccounts})},
}};

struct PermissionInfo {
  std::string_view name, chinese;
};
constexpr std::array<PermissionInfo, 14> kPermissions = {{
    {"register", "登记信访"},
    {"handle", "办理信访"},
    {"assign", "交办分派"},
    {"approve_extension", "审批延期"},
    {"supervise", "督办"},
    {"sign_plan", "签署工作方案"},
    {"approve_aid_exception", "审批司法救助例外"},
    {"enter_aid", "录入司法救助"},
    {"risk_form", "填写风险评估"},
    {"convene", "召集联席会议"},
    {"reception", "接访登记"},
    {"statistics", "查看统计"},
    {"manage_accounts", "管理账户"},
    {"schedule_reception", "安排检察长接待日"},
}};

const RoleInfo& Info(Role r) { return kRoles[static_cast<size_t>(r)]; }

// Sorted in Role order, without repeats.
std::vector<Role> Canonical(std::vector<Role> roles) {
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  return roles;
}

std::string RolesText(const std::vector<Role>& roles) {
  std::string text;
  for (Role r : roles) text.append(text.empty() ? "" : ",").append(RoleName(r));
  return text;
}

std::vector<Role> ParseRoles(std::string_view text) {
  std::vector<Role> roles;
  while (!text.empty()) {
    const size_t comma = std::min(text.find(','), text.size());
    if (auto r = RoleFromName(text.substr(0, comma))) roles.push_back(*r);
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return Canonical(std::move(roles));
}

// (Debian's abseil has an absl::string_view of its own: these take std's.)
std::string_view Trim(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool SameIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return absl::ascii_tolower(static_cast<unsigned char>(x)) ==
                  absl::ascii_tolower(static_cast<unsigned char>(y));
         });
}

// ---- input checks ----

// Characters in `s`, or nullopt when it is not UTF-8 or holds a control character.
std::optional<size_t> CountChars(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return std::nullopt;
    const size_t len = c < 0x80         ? 1
                       : (c >> 5) == 6  ? 2
                       : (c >> 4) == 14 ? 3
                       : (c >> 3) == 30 ? 4
                                        : 0;
    if (len == 0 || i + len > s.size()) return std::nullopt;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return std::nullopt;
    i += len;
  }
  return n;
}

// A refusal of one input field, named for the form to mark (common/field_status.h).
absl::Status Bad(const char* field, absl::string_view why) {
  return WithFields(absl::InvalidArgumentError(why), {field});
}

absl::Status CheckLogin(std::string_view login) {
  const bool ok =
      login.size() >= 2 && login.size() <= 32 &&
      std::all_of(login.begin(), login.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      });
  if (login == kSystem)
    return Bad("login", "login: 账号 system 保留给系统 / login system is reserved");
  if (ok) return absl::OkStatus();
  return Bad("login",
             "login: 账号须为 2–32 个小写字母、数字或 . _ - / login must be 2-32 characters of "
             "a-z 0-9 . _ -");
}

absl::Status CheckName(std::string_view name) {
  const auto n = CountChars(name);
  if (n && *n >= 1 && *n <= kMaxName) return absl::OkStatus();
  return Bad("name",
             "name: 姓名须为 1–40 个字符 / name must be 1-40 characters, no control characters");
}

absl::Status CheckDepartment(std::string_view department) {
  const auto n = CountChars(department);
  if (n && *n <= kMaxDepartment) return absl::OkStatus();
  return Bad(
      "department",
      "department: 部门名称至多 60 个字符 / department must be at most 60 characters, no control "
      "characters");
}

absl::Status CheckRoles(const std::vector<Role>& roles) {
  if (!roles.empty()) return absl::OkStatus();
  return Bad("roles", "roles: 至少需要一个角色 / roles: at least one role is needed");
}

absl::Status CheckPassword(std::string_view password, std::string_view login, size_t min) {
  const bool letter = std::any_of(password.begin(), password.end(), [](char c) {
    return absl::ascii_isalpha(static_cast<unsigned char>(c)) ||
           static_cast<unsigned char>(c) >= 0x80;
  });
  const bool digit = std::any_of(password.begin(), password.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
  if (password.size() < min || password.size() > kMaxPassword || !letter || !digit)
    return Bad("password", absl::StrCat("password: 密码须至少 ", min,
                                        " 个字节，含字母和数字 / password must be at least ", min,
                                        " bytes with a letter and a digit"));
  if (SameIgnoringCase(password, login))
    return Bad("password", "password: 密码不能与账号相同 / password must not equal the account ID");
  return absl::OkStatus();
}

absl::Status NotFound(const std::string& login) {
  return absl::NotFoundError(absl::StrCat("账号不存在 / no such login: ", login));
}

absl::Status WrongLogin() {
  return absl::UnauthenticatedError("用户名或密码错误 / wrong login or password");
}

absl::Status LockedFor(int64_t remaining_ms) {
  const int64_t minutes = std::max<int64_t>(1, (remaining_ms + 59'999) / 60'000);
  return absl::PermissionDeniedError(absl::StrCat("账户已锁定，请 ", minutes,
                                                  " 分钟后再试 / account locked, try again in ",
                                                  minutes, minutes == 1 ? " minute" : " minutes"));
}

// The hash an unknown login is verified against, so that it costs what a
// known one does: made once, from a random password nobody knows.
const std::string& DummyHash() {
  static const std::string hash = [] {
    InitSodium();
    unsigned char pw[32];
    randombytes_buf(pw, sizeof pw);
    return HashPassword(std::string_view(reinterpret_cast<const char*>(pw), sizeof pw));
  }();
  return hash;
}

constexpr const char* kSelect =
    "SELECT login, name, department, roles, disabled, failed_logins, locked_until_ms, created_ms, "
    "last_login_ms, password_hash FROM console_accounts";

Account ReadAccount(const sql::Stmt& s) {
  Account a;
  a.login = s.Text(0);
  a.name = s.Text(1);
  a.department = s.Text(2);
  a.roles = ParseRoles(s.Text(3));
  a.disabled = s.Int(4) != 0;
  a.failed_logins = static_cast<int>(s.Int(5));
  a.locked_until_ms = s.Int(6);
  a.created_ms = s.Int(7);
  a.last_login_ms = s.Int(8);
  return a;
}

}  // namespace

// ---- roles ----

std::string_view RoleName(Role r) { return Info(r).name; }
std::string_view RoleChineseName(Role r) { return Info(r).chinese; }

std::optional<Role> RoleFromName(std::string_view name) {
  name = Trim(name);
  for (Role r : kAllRoles)
    if (SameIgnoringCase(name, Info(r).name) || name == Info(r).chinese) return r;
  return std::nullopt;
}

bool Account::Has(Role r) const { return std::find(roles.begin(), roles.end(), r) != roles.end(); }

std::string Account::Title() const {
  for (Role r : {Role::kLeader, Role::kHead, Role::kHandler, Role::kRegistrar, Role::kAdmin})
    if (Has(r)) return std::string(RoleChineseName(r)) + " " + name;
  return name;
}

bool RoleAllows(Role r, Permission p) { return (Info(r).may >> static_cast<int>(p)) & 1u; }

bool Allowed(const Account& a, Permission p) {
  if (a.disabled) return false;
  return std::any_of(a.roles.begin(), a.roles.end(), [p](Role r) { return RoleAllows(r, p); });
}

std::string_view PermissionChineseName(Permission p) {
  return kPermissions[static_cast<size_t>(p)].chinese;
}
std::string_view PermissionName(Permission p) { return kPermissions[static_cast<size_t>(p)].name; }

std::string RefusalText(Permission p) {
  std::vector<std::string> chinese, english;
  for (Role r : kAllRoles)
    if (RoleAllows(r, p)) {
      chinese.emplace_back(RoleChineseName(r));
      english.emplace_back(RoleName(r));
    }
  return absl::StrCat("需要以下角色之一：", absl::StrJoin(chinese, "、"),
                      " / needs one of the roles: ", absl::StrJoin(english, ", "));
}

// ---- passwords ----

std::string HashPassword(std::string_view password) {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return "";
  return out;
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  InitSodium();
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string GeneratePassword(size_t length) {
  InitSodium();
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  length = std::max<size_t>(length, 8);
  while (true) {
    std::string out;
    for (size_t i = 0; i < length; ++i)
      out.push_back(kAlphabet[randombytes_uniform(static_cast<uint32_t>(kAlphabet.size()))]);
    const bool digit = std::any_of(out.begin(), out.end(), [](char c) {
      return absl::ascii_isdigit(static_cast<unsigned char>(c));
    });
    const bool letter = std::any_of(out.begin(), out.end(), [](char c) {
      return absl::ascii_isalpha(static_cast<unsigned char>(c));
    });
    if (digit && letter) return out;
  }
}

// ---- Accounts ----

absl::Status CheckAccountInput(const AccountInput& in, const AccountOptions& options) {
  RETURN_IF_ERROR(CheckLogin(in.login));
  RETURN_IF_ERROR(CheckName(Trim(in.name)));
  RETURN_IF_ERROR(CheckDepartment(Trim(in.department)));
  RETURN_IF_ERROR(CheckRoles(in.roles));
  return CheckPassword(in.password, in.login, options.min_password);
}

absl::StatusOr<std::unique_ptr<Accounts>> Accounts::Open(sql::Db& db, const Clock& clock,
                                                         AccountOptions options) {
  InitSodium();
  RETURN_IF_ERROR(MigrateAccountTables(db));
  ASSIGN_OR_RETURN(std::unique_ptr<ActionLog> log, ActionLog::Open(db, clock));
  options.max_failures = std::max(1, options.max_failures);
  return std::unique_ptr<Accounts>(new Accounts(db, clock, options, std::move(log)));
}

absl::Status Accounts::Log(const std::string& by, const std::string& action,
                           const std::string& target, const std::string& detail) {
  ActionRecord r{.login = by,
                 .actor = by,
                 .action = action,
                 .target = target,
                 .outcome = "ok",
                 .reason = detail,
                 .remote = ""};
  if (auto who = Get(by); who.ok()) r.actor = who->Title();
  return log_->Record(r);
}

absl::Status Accounts::Add(const AccountInput& in, const std::string& by) {
  RETURN_IF_ERROR(CheckAccountInput(in, options_));
  const std::string name(Trim(in.name));
  const std::string department(Trim(in.department));
  const std::vector<Role> roles = Canonical(in.roles);
  const auto taken = [&] {
    return WithFields(
        absl::AlreadyExistsError(absl::StrCat("login: 账号 ", in.login, " 已存在 / login ",
                                              in.login, " already exists")),
        {"login"});
  };
  ASSIGN_OR_RETURN(int64_t exists,
                   db_.QueryInt("SELECT COUNT(*) FROM console_accounts WHERE login = ?", in.login));
  if (exists) return taken();  // before the hash's cost
  const std::string hash = HashPassword(in.password);
  if (hash.empty())
    return absl::ResourceExhaustedError("无法计算密码散列 / could not hash password");

  Write write(db_);
  RETURN_IF_ERROR(write.status());
  ASSIGN_OR_RETURN(sql::Stmt put,
                   db_.Prepare("INSERT INTO console_accounts(login, name, department, roles, "
                               "password_hash, created_ms) VALUES(?,?,?,?,?,?)"));
  put.BindAll(in.login, name, department, RolesText(roles), hash, clock_.NowMs());
  if (absl::Status st = put.Run(); !st.ok()) return absl::IsAlreadyExists(st) ? taken() : st;
  RETURN_IF_ERROR(Log(by, "account.add", in.login, "roles=" + RolesText(roles)));
  return write.Commit();
}

absl::Status Accounts::UpdateExisting(const std::string& login, std::string_view sql,
                                      const std::function<void(sql::Stmt&)>& bind) {
  ASSIGN_OR_RETURN(sql::Stmt update, db_.Prepare(sql));
  update.Bind(1, login);
  bind(update);
  RETURN_IF_ERROR(update.Run());
  if (db_.Changes() == 0) return NotFound(login);
  return absl::OkStatus();
}

absl::Status Accounts::SetPassword(const std::string& login, const std::string& password,
                                   const std::string& by) {
  RETURN_IF_ERROR(CheckPassword(password, login, options_.min_password));
  ASSIGN_OR_RETURN(int64_t exists,
                   db_.QueryInt("SELECT COUNT(*) FROM console_accounts WHERE login = ?", login));
  if (!exists) return NotFound(login);
  const std::string hash = HashPassword(password);
  if (hash.empty())
    return absl::ResourceExhaustedError("无法计算密码散列 / could not hash password");
  Write write(db_);
  RETURN_IF_ERROR(write.status());
  RETURN_IF_ERROR(UpdateExisting(login,
                                 "UPDATE console_accounts SET password_hash = ?2, failed_logins = "
                                 "0, locked_until_ms = 0 WHERE login = ?1",
                                 [&](sql::Stmt& s) { s.Bind(2, hash); }));
  RETURN_IF_ERROR(Log(by, "account.passwd", login));
  return write.Commit();
}

absl::Status Accounts::KeepOneAdmin(const std::string& login) {
  ASSIGN_OR_RETURN(Account a, Get(login));
  if (a.disabled || !a.Has(Role::kAdmin)) return absl::OkStatus();
  ASSIGN_OR_RETURN(int64_t others,
                   db_.QueryInt("SELECT COUNT(*) FROM console_accounts WHERE disabled = 0 AND "
                                "login != ? AND (',' || roles || ',') LIKE '%,admin,%'",
                                login));
  if (others > 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "须至少保留一个启用的管理员，请先添加另一个管理员 / at least one enabled admin must remain: "
      "add another admin first");
}

absl::Status Accounts::SetDisabled(const std::string& login, bool disabled, const std::string& by) {
  Write write(db_);
  RETURN_IF_ERROR(write.status());
  if (disabled) RETURN_IF_ERROR(KeepOneAdmin(login));
  RETURN_IF_ERROR(UpdateExisting(login,
                                 "UPDATE console_accounts SET disabled = ?2 WHERE login = ?1",
                                 [&](sql::Stmt& s) { s.Bind(2, int64_t{disabled}); }));
  RETURN_IF_ERROR(Log(by, disabled ? "account.disable" : "account.enable", login));
  return write.Commit();
}

absl::Status Accounts::SetRoles(const std::string& login, const std::vector<Role>& roles,
                                const std::string& by) {
  const std::vector<Role> canonical = Canonical(roles);
  RETURN_IF_ERROR(CheckRoles(canonical));
  Write write(db_);
  RETURN_IF_ERROR(write.status());
  if (std::find(canonical.begin(), canonical.end(), Role::kAdmin) == canonical.end())
    RETURN_IF_ERROR(KeepOneAdmin(login));
  const std::string text = RolesText(canonical);
  RETURN_IF_ERROR(UpdateExisting(login, "UPDATE console_accounts SET roles = ?2 WHERE login = ?1",
                                 [&](sql::Stmt& s) { s.Bind(2, text); }));
  RETURN_IF_ERROR(Log(by, "account.roles", login, "roles=" + text));
  return write.Commit();
}

absl::Status Accounts::Unlock(const std::string& login, const std::string& by) {
  Write write(db_);
  RETURN_IF_ERROR(write.status());
  RETURN_IF_ERROR(UpdateExisting(
      login, "UPDATE console_accounts SET failed_logins = 0, locked_until_ms = 0 WHERE login = ?1",
      [](sql::Stmt&) {}));
  RETURN_IF_ERROR(Log(by, "account.unlock", login));
  return write.Commit();
}

absl::StatusOr<Account> Accounts::Get(const std::string& login) {
  ASSIGN_OR_RETURN(sql::Stmt q, db_.Prepare(std::string(kSelect) + " WHERE login = ?"));
  q.Bind(1, login);
  ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return NotFound(login);
  return ReadAccount(q);
}

absl::StatusOr<std::vector<Account>> Accounts::List() {
  ASSIGN_OR_RETURN(sql::Stmt q, db_.Prepare(std::string(kSelect) + " ORDER BY login"));
  std::vector<Account> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(ReadAccount(q));
  }
  return out;
}

absl::StatusOr<size_t> Accounts::Count() {
  ASSIGN_OR_RETURN(int64_t n, db_.QueryInt("SELECT COUNT(*) FROM console_accounts"));
  return static_cast<size_t>(n);
}

absl::StatusOr<Account> Accounts::Authenticate(const std::string& login,
                                               const std::string& password) {
  ASSIGN_OR_RETURN(LoginAttempt attempt, BeginLogin(login));
  const bool verified = VerifyLogin(attempt, password);
  return FinishLogin(attempt, verified, password);
}

absl::StatusOr<Accounts::LoginAttempt> Accounts::BeginLogin(const std::string& login_in) {
  LoginAttempt a;
  a.login = absl::AsciiStrToLower(std::string(Trim(login_in)));
  {
    ASSIGN_OR_RETURN(sql::Stmt q, db_.Prepare(std::string(kSelect) + " WHERE login = ?"));
    q.Bind(1, a.login);
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) {
      a.account = ReadAccount(q);
      a.hash = q.Text(9);
    }
  }
  if (!a.account) {
    a.hash = DummyHash();  // the same cost as a known login
    return a;
  }
  const int64_t now = clock_.NowMs();
  if (a.account->Locked(now)) return LockedFor(a.account->locked_until_ms - now);
  return a;
}

bool Accounts::VerifyLogin(const LoginAttempt& attempt, std::string_view password) {
  return VerifyPassword(attempt.hash, password) && attempt.account.has_value();
}

absl::StatusOr<Account> Accounts::FinishLogin(const LoginAttempt& attempt, bool verified,
                                              const std::string& password) {
  if (!attempt.account) return WrongLogin();
  const std::string& login = attempt.login;
  Account account = *attempt.account;
  const int64_t now = clock_.NowMs();
  if (!verified) {
    Write write(db_);
    RETURN_IF_ERROR(write.status());
    // (Read again: other attempts may have failed while this one was verified.)
    ASSIGN_OR_RETURN(Account current, Get(login));
    if (current.Locked(now)) return LockedFor(current.locked_until_ms - now);
    const int failures = current.failed_logins + 1;
    const bool lock = failures >= options_.max_failures;
    ASSIGN_OR_RETURN(sql::Stmt update,
                     db_.Prepare("UPDATE console_accounts SET failed_logins = ?, locked_until_ms = "
                                 "? WHERE login = ?"));
    update.BindAll(int64_t{lock ? 0 : failures}, lock ? now + options_.lockout_ms : int64_t{0},
                   login);
    RETURN_IF_ERROR(update.Run());
    if (lock)
      RETURN_IF_ERROR(Log(std::string(kSystem), "account.lock", login,
                          absl::StrCat(options_.max_failures, " wrong passwords in a row")));
    RETURN_IF_ERROR(write.Commit());
    return lock ? LockedFor(options_.lockout_ms) : WrongLogin();
  }

  if (account.disabled) return absl::PermissionDeniedError("账户已停用 / account disabled");
  // A hash made with weaker settings than today's is replaced while the password is at hand.
  const std::string& hash = attempt.hash;
  const bool rehash =
      crypto_pwhash_str_needs_rehash(hash.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                     crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
  const std::string new_hash = rehash ? HashPassword(password) : hash;
  ASSIGN_OR_RETURN(
      sql::Stmt update,
      db_.Prepare("UPDATE console_accounts SET failed_logins = 0, locked_until_ms = 0, "
                  "last_login_ms = ?, password_hash = ? WHERE login = ?"));
  update.BindAll(now, new_hash.empty() ? hash : new_hash, login);
  RETURN_IF_ERROR(update.Run());
  account.failed_logins = 0;
  account.locked_until_ms = 0;
  account.last_login_ms = now;
  return account;
}

}  // namespace concord::accounts
