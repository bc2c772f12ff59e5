// `concordctl account` as an operator runs it: the real binary on an
// agency's config file, checked through the console's own accounts layer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "adapters/accounts/accounts.h"
#include "common/clock.h"
#include "common/sql.h"
#include "tests/support/district.h"
#include "tests/support/temp_folder.h"

namespace concord::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AccountCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(config_) << "[agency]\nname = \"shangzhou.court\"\n\n[storage]\ndata_dir = "
                              "\"court-data\"\n";
  }
  // concordctl account <args> --agency-config <config>, with `stdin_text` piped in.
  CommandResult Account(const std::string& args, const std::string& stdin_text = "") {
    const std::string cmd =
        BinPath("concordctl") + " account " + args + " --agency-config " + config_;
    if (stdin_text.empty()) return RunCommand(cmd + " </dev/null");
    return RunCommand("printf '%s\\n' '" + stdin_text + "' | " + cmd);
  }
  std::string db_path() const { return dir_.File("court-data/agency.db"); }

  TempFolder dir_{"account_cmd"};
  const std::string config_ = dir_.File("court.toml");
};

constexpr char kAddLisi[] =
    "add --login lisi --name 李某 --department 控告申诉检察部 --roles handler,registrar "
    "--password-stdin";

// add puts the account in <data_dir>/agency.db; list shows it; the password
// from stdin logs in and is stored nowhere in clear.
TEST_F(AccountCommandsTest, AddThenList) {
  CommandResult add = Account(kAddLisi, "Qiuju2024anjian");
  ASSERT_EQ(add.exit_code, 0) << add.out;
  EXPECT_THAT(add.out, HasSubstr("lisi"));
  EXPECT_THAT(add.out, Not(HasSubstr("Qiuju2024anjian")));
  ASSERT_TRUE(std::filesystem::exists(db_path()));

  CommandResult list = Account("list");
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_THAT(list.out, HasSubstr("李某"));
  EXPECT_THAT(list.out, HasSubstr("控告申诉检察部"));
  EXPECT_THAT(list.out, HasSubstr("登记员、承办人"));
  EXPECT_THAT(list.out, HasSubstr("正常"));

  auto db = sql::Db::Open(db_path());
  ASSERT_TRUE(db.ok());
  auto book = accounts::Accounts::Open(*db, SystemClock::Get());
  ASSERT_TRUE(book.ok());
  EXPECT_TRUE((*book)->Authenticate("lisi", "Qiuju2024anjian").ok());
  EXPECT_EQ(*db->QueryInt("SELECT COUNT(*) FROM console_actions WHERE action = 'account.add' AND "
                          "target = 'lisi' AND login LIKE 'concordctl:%'"),
            1);
  EXPECT_EQ(*db->QueryInt("SELECT COUNT(*) FROM console_accounts WHERE password_hash LIKE "
                          "'%Qiuju2024anjian%'"),
            0);
}

// A second add of the same login exits 2 with the Chinese message and changes nothing.
TEST_F(AccountCommandsTest, DuplicateExits2) {
  ASSERT_EQ(Account(kAddLisi, "Qiuju2024anjian").exit_code, 0);
  CommandResult dup = Account(kAddLisi, "Other2024password");
  EXPECT_EQ(dup.exit_code, 2) << dup.out;
  EXPECT_THAT(dup.out, HasSubstr("账号 lisi 已存在"));
  EXPECT_THAT(dup.out, HasSubstr("already exists"));
}

// disable shows in the list as 已停用; enable brings it back.
TEST_F(AccountCommandsTest, DisableThenList) {
  ASSERT_EQ(Account(kAddLisi, "Qiuju2024anjian").exit_code, 0);
  CommandResult disable = Account("disable --login lisi");
  ASSERT_EQ(disable.exit_code, 0) << disable.out;
  CommandResult list = Account("list");
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_THAT(list.out, HasSubstr("已停用"));
  ASSERT_EQ(Account("enable --login lisi").exit_code, 0);
  EXPECT_THAT(Account("list").out, Not(HasSubstr("已停用")));
  EXPECT_EQ(Account("disable --login nobody").exit_code, 2);
}

// Without a password option add prints a generated one, once, that logs in;
// passwd replaces it; --db names the file directly.
TEST_F(AccountCommandsTest, GeneratedPasswordAndPasswd) {
  CommandResult add = RunConcordctl("account add --db " + db_path() +
                                    " --login admin1 --name 赵某 --roles admin </dev/null");
  ASSERT_EQ(add.exit_code, 0) << add.out;
  const size_t at = add.out.find("initial password: ");
  ASSERT_NE(at, std::string::npos) << add.out;
  const std::string password = add.out.substr(at + 18, 12);
  {
    auto db = sql::Db::Open(db_path());
    auto book = accounts::Accounts::Open(*db, SystemClock::Get());
    ASSERT_TRUE(book.ok());
    EXPECT_TRUE((*book)->Authenticate("admin1", password).ok()) << password;
  }
  CommandResult passwd = Account("passwd --login admin1 --password-stdin", "Newpass2024admin");
  ASSERT_EQ(passwd.exit_code, 0) << passwd.out;
  auto db = sql::Db::Open(db_path());
  auto book = accounts::Accounts::Open(*db, SystemClock::Get());
  EXPECT_TRUE((*book)->Authenticate("admin1", "Newpass2024admin").ok());
  // The last admin cannot be disabled.
  CommandResult last = Account("disable --login admin1");
  EXPECT_EQ(last.exit_code, 2) << last.out;
}

// Bad input exits 2 with a message, and nothing is made.
TEST_F(AccountCommandsTest, BadInputExits2) {
  CommandResult no_db = Account("list");
  EXPECT_EQ(no_db.exit_code, 2) << no_db.out;
  EXPECT_THAT(no_db.out, HasSubstr("数据库不存在"));
  CommandResult role = Account(
      "add --login lisi --name 李某 --roles handler,clerk --password-stdin", "Qiuju2024anjian");
  EXPECT_EQ(role.exit_code, 2) << role.out;
  EXPECT_THAT(role.out, HasSubstr("unknown role: clerk"));
  CommandResult weak =
      Account("add --login lisi --name 李某 --roles 承办人 --password-stdin", "short1");
  EXPECT_EQ(weak.exit_code, 2) << weak.out;
  EXPECT_THAT(weak.out, HasSubstr("password"));
  CommandResult login = Account("add --login 'Li Si' --name 李某 --roles handler --password-stdin",
                                "Qiuju2024anjian");
  EXPECT_EQ(login.exit_code, 2) << login.out;
  EXPECT_THAT(login.out, HasSubstr("login"));
  EXPECT_FALSE(std::filesystem::exists(db_path()));  // refused before the file was made
  CommandResult usage = Account("disable");          // no --login
  EXPECT_EQ(usage.exit_code, 2) << usage.out;
  EXPECT_THAT(usage.out, HasSubstr("--login is required"));
}

}  // namespace
}  // namespace concord::testing
