// The console's accounts layer (adapters/accounts): passwords, validation,
// lock-out, sessions and CSRF, the login limiter, the role table and the
// action log, on a real SQLite file and a fake clock. Argon2id is slow on
// purpose, so each test hashes only a few passwords.
#include "adapters/accounts/accounts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/accounts/action_log.h"
#include "adapters/accounts/sessions.h"
#include "common/clock.h"
#include "common/field_status.h"
#include "common/sql.h"
#include "tests/support/temp_folder.h"

namespace concord::accounts {
namespace {

using ::testing::HasSubstr;

constexpr char kPassword[] = "Qiuju2024anjian";
constexpr char kBy[] = "concordctl:test";

Account WithRoles(std::vector<Role> roles, std::string name = "李某") {
  Account a;
  a.login = "x";
  a.name = std::move(name);
  a.roles = std::move(roles);
  return a;
}

ActionRecord Action(std::string action, std::string outcome, std::string login = "") {
  ActionRecord r;
  r.action = std::move(action);
  r.outcome = std::move(outcome);
  r.login = std::move(login);
  return r;
}

AccountInput Admin(std::string login, std::vector<Role> roles = {Role::kAdmin}) {
  return {.login = std::move(login),
          .name = "赵某",
          .department = "办公室",
          .roles = std::move(roles),
          .password = "Admin2024pass"};
}

AccountInput Lisi() {
  return {.login = "lisi",
          .name = "李某",
          .department = "控告申诉检察部",
          .roles = {Role::kHandler, Role::kRegistrar},
          .password = kPassword};
}

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = sql::Db::Open(dir_.File("agency.db"));
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto accounts = Accounts::Open(db_, clock_);
    ASSERT_TRUE(accounts.ok()) << accounts.status();
    accounts_ = std::move(*accounts);
    auto sessions = Sessions::Open(db_, clock_);
    ASSERT_TRUE(sessions.ok()) << sessions.status();
    sessions_ = std::move(*sessions);
    auto log = ActionLog::Open(db_, clock_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
  }
  void TearDown() override {
    accounts_.reset();
    sessions_.reset();
    log_.reset();
    db_.Close();
  }

  testing::TempFolder dir_{"accounts"};
  FakeClock clock_;
  sql::Db db_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<Sessions> sessions_;
  std::unique_ptr<ActionLog> log_;
};

// ---- passwords ----

// A hash verifies its own password and no other, and is an Argon2id string.
TEST(Passwords, HashVerifiesOnlyItsPassword) {
  const std::string hash = HashPassword(kPassword);
  EXPECT_THAT(hash, ::testing::StartsWith("$argon2id$"));
  EXPECT_EQ(hash.find(kPassword), std::string::npos);
  EXPECT_TRUE(VerifyPassword(hash, kPassword));
  EXPECT_FALSE(VerifyPassword(hash, "Qiuju2024anjiaN"));
  EXPECT_FALSE(VerifyPassword("", kPassword));
  EXPECT_FALSE(VerifyPassword("not a hash", kPassword));
}

// ---- roles and permissions ----

// Roles read back from their English or Chinese names.
TEST(Roles, NamesRoundTrip) {
  for (Role r : kAllRoles) {
    EXPECT_EQ(RoleFromName(RoleName(r)), r);
    EXPECT_EQ(RoleFromName(RoleChineseName(r)), r);
  }
  EXPECT_EQ(RoleFromName(" Handler "), Role::kHandler);
  EXPECT_EQ(RoleFromName("院/局领导"), Role::kLeader);
  EXPECT_EQ(RoleFromName("clerk"), std::nullopt);
  EXPECT_EQ(RoleChineseName(Role::kHead), "部门负责人");
}

// Spot checks of the table in accounts.h.
TEST(Roles, AllowedFollowsTheTable) {
  struct Case {
    Role role;
    Permission p;
    bool allowed;
  };
  const Case cases[] = {
      {Role::kRegistrar, Permission::kRegister, true},
      {Role::kRegistrar, Permission::kHandle, false},
      {Role::kRegistrar, Permission::kSignPlan, false},
      {Role::kHandler, Permission::kHandle, true},
      {Role::kHandler, Permission::kAssign, false},
      {Role::kHead, Permission::kAssign, true},
      {Role::kHead, Permission::kApproveExtension, true},
      {Role::kHead, Permission::kSignPlan, false},
      {Role::kLeader, Permission::kSignPlan, true},
      {Role::kLeader, Permission::kApproveAidException, true},
      {Role::kLeader, Permission::kRegister, false},
      {Role::kAdmin, Permission::kManageAccounts, true},
      {Role::kAdmin, Permission::kRegister, false},
      {Role::kAdmin, Permission::kStatistics, false},
      {Role::kLeader, Permission::kManageAccounts, false},
      {Role::kRegistrar, Permission::kReception, true},
      {Role::kRegistrar, Permission::kScheduleReception, false},
      {Role::kHead, Permission::kScheduleReception, true},
      {Role::kLeader, Permission::kScheduleReception, true},
  };
  for (const Case& c : cases) {
    const Account a = WithRoles({c.role});
    EXPECT_EQ(Allowed(a, c.p), c.allowed) << RoleName(c.role) << " " << PermissionName(c.p);
  }
}

// Several roles add up; a disabled account may do nothing.
TEST(Roles, RolesAddUpAndDisabledMayNothing) {
  Account a = WithRoles({Role::kHandler, Role::kAdmin});
  EXPECT_TRUE(Allowed(a, Permission::kHandle));
  EXPECT_TRUE(Allowed(a, Permission::kManageAccounts));
  a.disabled = true;
  for (Permission p : kAllPermissions) EXPECT_FALSE(Allowed(a, p)) << PermissionName(p);
}

// A registrar is refused signing a plan, with the roles that may.
TEST(Roles, RefusalTextNamesTheRolesThatMay) {
  const Account registrar = WithRoles({Role::kRegistrar}, "王某");
  EXPECT_FALSE(Allowed(registrar, Permission::kSignPlan));
  EXPECT_EQ(RefusalText(Permission::kSignPlan),
            "需要以下角色之一：院/局领导 / needs one of the roles: leader");
  EXPECT_EQ(RefusalText(Permission::kApproveExtension),
            "需要以下角色之一：部门负责人、院/局领导 / needs one of the roles: head, leader");
  EXPECT_EQ(PermissionChineseName(Permission::kRegister), "登记信访");
}

// The title names the highest case role; an admin only when that is all.
TEST(Roles, TitleUsesTheHighestRole) {
  Account a = WithRoles({Role::kRegistrar, Role::kHandler});
  EXPECT_EQ(a.Title(), "承办人 李某");
  a.roles = {Role::kAdmin, Role::kHead};
  EXPECT_EQ(a.Title(), "部门负责人 李某");
  a.roles = {Role::kAdmin};
  EXPECT_EQ(a.Title(), "管理员 李某");
}

// ---- Accounts ----

// Each bad field is refused with InvalidArgument naming it, before any hash.
TEST_F(AccountsTest, AddNamesTheBadField) {
  struct Case {
    const char* what;
    void (*change)(AccountInput&);
    const char* field;
  };
  const Case cases[] = {
      {"short login", [](AccountInput& in) { in.login = "l"; }, "login"},
      {"upper case", [](AccountInput& in) { in.login = "LiSi"; }, "login"},
      {"space", [](AccountInput& in) { in.login = "li si"; }, "login"},
      {"long login", [](AccountInput& in) { in.login = std::string(33, 'a'); }, "login"},
      {"reserved", [](AccountInput& in) { in.login = "system"; }, "login"},
      {"empty name", [](AccountInput& in) { in.name = " "; }, "name"},
      {"long name", [](AccountInput& in) { in.name = std::string(41, 'x'); }, "name"},
      {"control", [](AccountInput& in) { in.name = "李\n某"; }, "name"},
      {"department", [](AccountInput& in) { in.department = std::string(61, 'x'); }, "department"},
      {"no role", [](AccountInput& in) { in.roles.clear(); }, "roles"},
      {"short", [](AccountInput& in) { in.password = "abc123"; }, "password"},
      {"no digit", [](AccountInput& in) { in.password = "abcdefghijkl"; }, "password"},
      {"no letter", [](AccountInput& in) { in.password = "1234567890123"; }, "password"},
      {"the login",
       [](AccountInput& in) {
         in.login = "lisi2024xyz";
         in.password = "lisi2024xyz";
       },
       "password"},
  };
  for (const Case& c : cases) {
    AccountInput in = Lisi();
    c.change(in);
    absl::Status st = accounts_->Add(in, kBy);
    EXPECT_TRUE(absl::IsInvalidArgument(st)) << c.what << ": " << st;
    EXPECT_THAT(std::string(st.message()), ::testing::StartsWith(std::string(c.field) + ": "))
        << c.what;
    EXPECT_THAT(std::string(st.message()), HasSubstr(" / ")) << c.what;    // 中文 / English
    EXPECT_EQ(FieldsOf(st), std::vector<std::string>{c.field}) << c.what;  // for the form
  }
  EXPECT_EQ(*accounts_->Count(), 0u);
}

// An account reads back as added, its roles in Role order; a login is unique.
TEST_F(AccountsTest, AddThenGetAndDuplicate) {
  ASSERT_TRUE(accounts_->Add(Lisi(), kBy).ok());
  auto a = accounts_->Get("lisi");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->name, "李某");
  EXPECT_EQ(a->department, "控告申诉检察部");
  EXPECT_EQ(a->roles, (std::vector<Role>{Role::kRegistrar, Role::kHandler}));
  EXPECT_EQ(a->created_ms, clock_.NowMs());
  EXPECT_FALSE(a->disabled);
  absl::Status dup = accounts_->Add(Lisi(), kBy);
  EXPECT_TRUE(absl::IsAlreadyExists(dup)) << dup;
  EXPECT_THAT(std::string(dup.message()), HasSubstr("已存在"));
  EXPECT_TRUE(absl::IsNotFound(accounts_->Get("wangwu").status()));
  EXPECT_EQ(*accounts_->Count(), 1u);
  // The password is nowhere in the file's tables.
  EXPECT_EQ(*db_.QueryInt("SELECT COUNT(*) FROM console_accounts WHERE password_hash LIKE ?",
                          std::string("%") + kPassword + "%"),
            0);
}

// The right password logs in; a wrong one and an unknown login get the same answer.
TEST_F(AccountsTest, AuthenticateRightWrongUnknown) {
  ASSERT_TRUE(accounts_->Add(Lisi(), kBy).ok());
  clock_.AdvanceMs(1000);
  auto ok = accounts_->Authenticate("lisi", kPassword);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->login, "lisi");
  EXPECT_EQ(ok->last_login_ms, clock_.NowMs());
  auto wrong = accounts_->Authenticate("lisi", "Wrong2024password");
  auto unknown = accounts_->Authenticate("zhangsan", kPassword);
  EXPECT_TRUE(absl::IsUnauthenticated(wrong.status())) << wrong.status();
  EXPECT_TRUE(absl::IsUnauthenticated(unknown.status())) << unknown.status();
  EXPECT_EQ(wrong.status().message(), unknown.status().message());
  EXPECT_EQ(wrong.status().message(), "用户名或密码错误 / wrong login or password");
  EXPECT_EQ(accounts_->Get("lisi")->failed_logins, 1);
}

// Five wrong passwords lock the account for lockout_ms, the right one
// included; after that it logs in again and the count starts over.
TEST_F(AccountsTest, LockOutAfterFiveThenExpires) {
  ASSERT_TRUE(accounts_->Add(Lisi(), kBy).ok());
  for (int i = 1; i <= 4; ++i)
    EXPECT_TRUE(absl::IsUnauthenticated(accounts_->Authenticate("lisi", "Wrong2024x").status()));
  auto fifth = accounts_->Authenticate("lisi", "Wrong2024x");
  EXPECT_TRUE(absl::IsPermissionDenied(fifth.status())) << fifth.status();
  EXPECT_EQ(fifth.status().message(),
            "账户已锁定，请 15 分钟后再试 / account locked, try again in 15 minutes");
  EXPECT_TRUE(accounts_->Get("lisi")->Locked(clock_.NowMs()));

  clock_.AdvanceMs(10 * 60 * 1000);
  auto still = accounts_->Authenticate("lisi", kPassword);
  EXPECT_TRUE(absl::IsPermissionDenied(still.status())) << still.status();
  EXPECT_THAT(std::string(still.status().message()), HasSubstr("请 5 分钟后再试"));

  clock_.AdvanceMs(5 * 60 * 1000 + 1);
  auto after = accounts_->Authenticate("lisi", kPassword);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->failed_logins, 0);
  auto log = log_->Recent(10, "system");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].action, "account.lock");
  EXPECT_EQ((*log)[0].target, "lisi");
}

// The three steps a console takes (the verify off its event loop) give
// Authenticate()'s answers; wrong passwords begun together and verified in
// parallel still count one by one, and the fifth locks.
TEST_F(AccountsTest, LoginInStepsCountsFailuresBegunTogether) {
  ASSERT_TRUE(accounts_->Add(Lisi(), kBy).ok());
  std::vector<Accounts::LoginAttempt> attempts;
  for (int i = 0; i < 5; ++i) {
    auto a = accounts_->BeginLogin(" LiSi ");
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->login, "lisi");
    attempts.push_back(*std::move(a));
  }
  std::vector<absl::Status> answers;
  for (const auto& a : attempts)
    answers.push_back(
        accounts_->FinishLogin(a, Accounts::VerifyLogin(a, "Wrong2024x"), "Wrong2024x").status());
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(absl::IsUnauthenticated(answers[i])) << answers[i];
  EXPECT_TRUE(absl::IsPermissionDenied(answers[4])) << answers[4];
  EXPECT_TRUE(absl::IsPermissionDenied(accounts_->BeginLogin("lisi").status()));
  // An unknown login is verified (against the dummy hash) and refused alike.
  auto unknown = accounts_->BeginLogin("zhangsan");
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_FALSE(Accounts::VerifyLogin(*unknown, kPassword));
  EXPECT_TRUE(absl::IsUnauthenticated(accounts_->FinishLogin(*unknown, false, kPassword).status()));
}

// Unlock ends a lock-out at once; a success resets the count of wrong passwords.
TEST_F(AccountsTest, UnlockAndSuccessReset) {
  ASSERT_TRUE(accounts_->Add(Lisi(), kBy).ok());
  AccountOptions strict{.max_failures = 2};
  auto accounts = Accounts::Open(db_, clock_, strict);
  ASSERT_TRUE(accounts.ok());
  EXPECT_FALSE((*accounts)->Authenticate("lisi", "Wrong2024x").ok());
  ASSERT_TRUE((*accounts)->Authenticate("lisi", kPassword).ok());
  EXPECT_TRUE(absl::IsUnauthenticated((*accounts)->Authenticate("lisi", "Wrong2024x").status()));
  EXPECT_TRUE(absl::IsPermissionDenied((*accounts)->Authenticate("lisi", "Wrong2024x").status()));
  ASSERT_TRUE((*accounts)->Unlock("lisi", "admin1").ok());
  EXPECT_TRUE((*accounts)->Authenticate("lisi", kPassword).ok());
  EXPECT_TRUE(absl::IsNotFound((*accounts)->Unlock("nobody", "admin1")));
}

// A disabled account is refused with the right password, and only then told why.
TEST_F(AccountsTest, DisabledIsRefused) {
  ASSERT_TRUE(accounts_->Add(Lisi(), kBy).ok());
  ASSERT_TRUE(accounts_->SetDisabled("lisi", true, kBy).ok());
  auto right = accounts_->Authenticate("lisi", kPassword);
  EXPECT_TRUE(absl::IsPermissionDenied(right.status())) << right.status();
  EXPECT_EQ(right.status().message(), "账户已停用 / account disabled");
  EXPECT_TRUE(absl::IsUnauthenticated(accounts_->Authenticate("lisi", "Wrong2024x").status()));
  ASSERT_TRUE(accounts_->SetDisabled("lisi", false, kBy).ok());
  EXPECT_TRUE(accounts_->Authenticate("lisi", kPassword).ok());
}

// Every change to an account leaves an action log row naming who, what and whom.
TEST_F(AccountsTest, ChangesAreLogged) {
  ASSERT_TRUE(accounts_->Add(Admin("admin1"), kBy).ok());
  ASSERT_TRUE(accounts_->Add(Lisi(), "admin1").ok());
  ASSERT_TRUE(accounts_->SetPassword("lisi", "Newpass2024x", "admin1").ok());
  ASSERT_TRUE(accounts_->SetRoles("lisi", {Role::kHead}, "admin1").ok());
  ASSERT_TRUE(accounts_->SetDisabled("lisi", true, "admin1").ok());
  ASSERT_TRUE(accounts_->SetDisabled("lisi", false, "admin1").ok());
  ASSERT_TRUE(accounts_->Unlock("lisi", "admin1").ok());
  EXPECT_TRUE(absl::IsNotFound(accounts_->SetDisabled("nobody", true, "admin1")));

  auto rows = log_->Recent(100);
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::vector<std::string> actions;
  for (const ActionRecord& r : *rows) actions.push_back(r.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"account.unlock", "account.enable",
                                               "account.disable", "account.roles", "account.passwd",
                                               "account.add", "account.add"}));
  const ActionRecord& roles = (*rows)[3];
  EXPECT_EQ(roles.login, "admin1");
  EXPECT_EQ(roles.actor, "管理员 赵某");
  EXPECT_EQ(roles.target, "lisi");
  EXPECT_EQ(roles.outcome, "ok");
  EXPECT_EQ(roles.reason, "roles=head");
  EXPECT_EQ(rows->back().login, kBy);
  EXPECT_EQ(rows->back().actor, kBy);
  EXPECT_EQ(log_->Recent(100, "admin1")->size(), 6u);
  // No password in any row.
  for (const ActionRecord& r : *rows)
    for (const std::string* f : {&r.login, &r.actor, &r.action, &r.target, &r.reason})
      EXPECT_EQ(f->find("2024"), std::string::npos) << *f;
  // The new password works, roles changed.
  EXPECT_TRUE(accounts_->Authenticate("lisi", "Newpass2024x").ok());
  EXPECT_EQ(accounts_->Get("lisi")->roles, std::vector<Role>{Role::kHead});
}

// The last enabled admin can be neither disabled nor stripped of admin.
TEST_F(AccountsTest, KeepsOneEnabledAdmin) {
  ASSERT_TRUE(accounts_->Add(Admin("admin1", {Role::kAdmin, Role::kHandler}), kBy).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(accounts_->SetDisabled("admin1", true, kBy)));
  EXPECT_TRUE(absl::IsFailedPrecondition(accounts_->SetRoles("admin1", {Role::kHandler}, kBy)));
  EXPECT_TRUE(accounts_->SetRoles("admin1", {Role::kAdmin}, kBy).ok());
  ASSERT_TRUE(accounts_->Add(Admin("admin2"), kBy).ok());
  EXPECT_TRUE(accounts_->SetDisabled("admin1", true, kBy).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(accounts_->SetDisabled("admin2", true, kBy)));
}

// List is by login.
TEST_F(AccountsTest, ListByLogin) {
  AccountInput b = Lisi();
  b.login = "wangwu";
  b.name = "王某";
  ASSERT_TRUE(accounts_->Add(b, kBy).ok());
  ASSERT_TRUE(accounts_->Add(Lisi(), kBy).ok());
  auto list = accounts_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].login, "lisi");
  EXPECT_EQ((*list)[1].login, "wangwu");
}

// ---- Sessions ----

// A new session resolves by its token, with its CSRF token; a wrong token does not.
TEST_F(AccountsTest, SessionCreateResolve) {
  auto created = sessions_->Create("lisi", "10.0.0.7");
  ASSERT_TRUE(created.ok()) << created.status();
  const auto& [token, session] = *created;
  EXPECT_EQ(token.size(), 43u);
  EXPECT_EQ(session.csrf.size(), 43u);
  EXPECT_NE(token, session.csrf);
  auto got = sessions_->Resolve(token);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->login, "lisi");
  EXPECT_EQ(got->remote, "10.0.0.7");
  EXPECT_EQ(got->csrf, session.csrf);
  auto other = sessions_->Create("lisi", "10.0.0.7");
  EXPECT_NE(other->first, token);
  for (const std::string& bad :
       {std::string(), std::string(43, 'A'), token + "A", token.substr(1)}) {
    auto st = sessions_->Resolve(bad).status();
    EXPECT_TRUE(absl::IsUnauthenticated(st)) << st;
    EXPECT_EQ(st.message(), "登录已过期，请重新登录 / session expired, log in again");
  }
}

// Expired sessions are purged when a new one is made; a session needs a login.
TEST_F(AccountsTest, SessionCreatePurgesExpired) {
  ASSERT_TRUE(sessions_->Create("lisi", "10.0.0.7").ok());
  clock_.AdvanceMs(31 * 60 * 1000);
  ASSERT_TRUE(sessions_->Create("wangwu", "10.0.0.8").ok());
  EXPECT_EQ(*db_.QueryInt("SELECT COUNT(*) FROM console_sessions"), 1);
  EXPECT_TRUE(absl::IsInvalidArgument(sessions_->Create("", "10.0.0.8").status()));
}

// Only the token's hash is stored: nothing in the table holds the token.
TEST_F(AccountsTest, SessionTokenNotStoredInClear) {
  auto created = sessions_->Create("lisi", "10.0.0.7");
  ASSERT_TRUE(created.ok());
  const std::string& token = created->first;
  auto q = db_.Prepare("SELECT token_hash, login, csrf, remote FROM console_sessions");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->Step());
  EXPECT_EQ(q->Blob(0).size(), 32u);
  for (int col = 0; col < 4; ++col) EXPECT_EQ(q->Blob(col).find(token), std::string::npos) << col;
  EXPECT_EQ(
      *db_.QueryInt("SELECT COUNT(*) FROM console_sessions WHERE instr(token_hash, ?) > 0", token),
      0);
}

// A session idle longer than idle_ms ends (its row deleted); use keeps it alive.
TEST_F(AccountsTest, SessionIdleExpiry) {
  auto created = sessions_->Create("lisi", "10.0.0.7");
  ASSERT_TRUE(created.ok());
  const std::string token = created->first;
  clock_.AdvanceMs(29 * 60 * 1000);
  auto used = sessions_->Resolve(token);
  ASSERT_TRUE(used.ok()) << used.status();
  EXPECT_EQ(used->last_seen_ms, clock_.NowMs());
  clock_.AdvanceMs(29 * 60 * 1000);
  ASSERT_TRUE(sessions_->Resolve(token).ok());
  clock_.AdvanceMs(30 * 60 * 1000 + 1);
  EXPECT_TRUE(absl::IsUnauthenticated(sessions_->Resolve(token).status()));
  EXPECT_EQ(*db_.QueryInt("SELECT COUNT(*) FROM console_sessions"), 0);
}

// A session older than absolute_ms ends even while in use.
TEST_F(AccountsTest, SessionAbsoluteExpiry) {
  auto created = sessions_->Create("lisi", "10.0.0.7");
  ASSERT_TRUE(created.ok());
  for (int i = 0; i < 24; ++i) {
    clock_.AdvanceMs(29 * 60 * 1000);
    ASSERT_TRUE(sessions_->Resolve(created->first).ok()) << i;
  }
  clock_.AdvanceMs(29 * 60 * 1000);  // 12 h 5 min in all, used 29 minutes ago
  EXPECT_TRUE(absl::IsUnauthenticated(sessions_->Resolve(created->first).status()));
}

// Resolve records a use at most once a minute.
TEST_F(AccountsTest, SessionTouchAtMostOncePerMinute) {
  auto created = sessions_->Create("lisi", "10.0.0.7");
  ASSERT_TRUE(created.ok());
  const int64_t start = clock_.NowMs();
  clock_.AdvanceMs(30'000);
  EXPECT_EQ(sessions_->Resolve(created->first)->last_seen_ms, start);
  clock_.AdvanceMs(30'000);
  EXPECT_EQ(sessions_->Resolve(created->first)->last_seen_ms, start + 60'000);
}

// Destroy ends one session; DestroyAll every session of a login.
TEST_F(AccountsTest, SessionDestroyAndDestroyAll) {
  auto a1 = sessions_->Create("lisi", "10.0.0.7");
  auto a2 = sessions_->Create("lisi", "10.0.0.8");
  auto b = sessions_->Create("wangwu", "10.0.0.9");
  ASSERT_TRUE(a1.ok() && a2.ok() && b.ok());
  ASSERT_TRUE(sessions_->Destroy(a1->first).ok());
  EXPECT_FALSE(sessions_->Resolve(a1->first).ok());
  EXPECT_TRUE(sessions_->Resolve(a2->first).ok());
  EXPECT_TRUE(sessions_->Destroy("no such token").ok());
  ASSERT_TRUE(sessions_->DestroyAll("lisi").ok());
  EXPECT_FALSE(sessions_->Resolve(a2->first).ok());
  EXPECT_TRUE(sessions_->Resolve(b->first).ok());
}

// The CSRF token matches only itself; empty and other lengths never match.
TEST(Csrf, MatchesOnlyTheSessionsToken) {
  Session s;
  s.csrf = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";
  EXPECT_TRUE(CsrfMatches(s, s.csrf));
  EXPECT_FALSE(CsrfMatches(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPR"));
  EXPECT_FALSE(CsrfMatches(s, s.csrf.substr(1)));
  EXPECT_FALSE(CsrfMatches(s, ""));
  Session empty;
  EXPECT_FALSE(CsrfMatches(empty, ""));
}

// ---- LoginLimiter ----

// A burst of attempts, then one more per 1/per_minute; each address on its own.
TEST(LoginLimiterTest, BurstThenRefill) {
  LoginLimiter limiter(3, 6);  // one attempt back every 10 s
  int64_t now = 1'000'000;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("10.0.0.7", now)) << i;
  EXPECT_FALSE(limiter.Allow("10.0.0.7", now));
  EXPECT_TRUE(limiter.Allow("10.0.0.8", now));
  now += 9'999;
  EXPECT_FALSE(limiter.Allow("10.0.0.7", now));
  now += 1;
  EXPECT_TRUE(limiter.Allow("10.0.0.7", now));
  EXPECT_FALSE(limiter.Allow("10.0.0.7", now));
  now += 10 * 60'000;  // refills up to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("10.0.0.7", now)) << i;
  EXPECT_FALSE(limiter.Allow("10.0.0.7", now));
}

// ---- ActionLog ----

// Records come back newest first, filtered by login, limited; bad outcomes are refused.
TEST_F(AccountsTest, ActionLogRecent) {
  ASSERT_TRUE(log_->Record({.at_ms = 0,
                            .login = "lisi",
                            .actor = "承办人 李某",
                            .action = "petition.register",
                            .target = "上检信〔2024〕1号",
                            .outcome = "ok",
                            .reason = "",
                            .remote = "10.0.0.7"})
                  .ok());
  clock_.AdvanceMs(5);
  ASSERT_TRUE(log_->Record({.at_ms = 0,
                            .login = "wangwu",
                            .actor = "登记员 王某",
                            .action = "plan.sign",
                            .target = "c1",
                            .outcome = "refused",
                            .reason = RefusalText(Permission::kSignPlan),
                            .remote = "10.0.0.8"})
                  .ok());
  ActionRecord logout = Action("logout", "ok", "lisi");
  logout.at_ms = 42;
  ASSERT_TRUE(log_->Record(logout).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(log_->Record(Action("x", "maybe"))));
  EXPECT_TRUE(absl::IsInvalidArgument(log_->Record(Action("", "ok"))));

  auto all = log_->Recent(10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].action, "logout");
  EXPECT_EQ((*all)[0].at_ms, 42);
  EXPECT_EQ((*all)[1].outcome, "refused");
  EXPECT_EQ((*all)[2].at_ms, clock_.NowMs() - 5);
  EXPECT_EQ((*all)[2].remote, "10.0.0.7");
  auto lisi = log_->Recent(10, "lisi");
  ASSERT_EQ(lisi->size(), 2u);
  EXPECT_EQ(log_->Recent(1)->size(), 1u);
}

}  // namespace
}  // namespace concord::accounts
