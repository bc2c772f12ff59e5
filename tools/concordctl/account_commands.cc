// `concordctl account ...`: the personal accounts of an agency's console
// (adapters/accounts), edited in the agency's SQLite file directly, so the
// first admin can be made before the adapter ever runs.
//
//   concordctl account add --agency-config court.toml --login lisi --name 李某
//                          --department 控告申诉检察部 --roles handler,registrar
//                          [--password-stdin | --password-file F]
//   concordctl account list --agency-config court.toml
//   concordctl account disable|enable|unlock --agency-config court.toml --login lisi
//   concordctl account passwd --agency-config court.toml --login lisi
//                             (--password-stdin | --password-file F)
//
// The file is <[storage] data_dir>/agency.db of the agency's config (data_dir
// relative to the config file, "data" when absent), or --db PATH. Without a
// --password-* option, `add` makes a random 12-character password and prints
// it once. Disabling an account or changing its password also ends its
// console sessions. Every change is in the console's action log, by
// "concordctl:<unix user>". Exit codes: 0 done; 2 bad arguments or input
// (nothing was done); 1 the database failed.
#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "adapters/accounts/accounts.h"
#include "adapters/accounts/sessions.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/sql.h"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {
namespace {

namespace fs = std::filesystem;
using accounts::Account;
using accounts::Accounts;
using accounts::Role;

struct AccountArgs {
  std::string agency_config, db;
  std::string login, name, department, roles, password_file;
  bool password_stdin = false;
};

// 2 for what the operator can mend (input, state), 1 for the database.
int FailStatus(const absl::Status& st) {
  const bool input = absl::IsInvalidArgument(st) || absl::IsAlreadyExists(st) ||
                     absl::IsNotFound(st) || absl::IsFailedPrecondition(st);
  return Fail(input ? 2 : 1, std::string(st.message()));
}

std::string By() {
  const passwd* pw = getpwuid(geteuid());
  return "concordctl:" + (pw != nullptr ? std::string(pw->pw_name) : std::to_string(geteuid()));
}

// The database file: --db, or agency.db in the config's [storage] data_dir.
absl::StatusOr<std::string> DbPath(const AccountArgs& a) {
  if (!a.db.empty()) return a.db;
  if (a.agency_config.empty())
    return absl::InvalidArgumentError(
        "需要 --agency-config 或 --db / --agency-config or --db is required");
  auto file = ConfigFile::Load(a.agency_config);
  if (!file.ok()) return file.status();
  return (*file)["storage"].Path("data_dir", "data") + "/agency.db";
}

// The agency's database, opened; `create` makes it (and its folder) when absent.
// On failure, the exit code to return.
std::variant<sql::Db, int> OpenDb(const AccountArgs& a, bool create) {
  auto path = DbPath(a);
  if (!path.ok()) return Fail(2, std::string(path.status().message()));
  std::error_code ec;
  if (!fs::exists(*path, ec)) {
    if (!create)
      return Fail(2, "数据库不存在 / no database at " + *path +
                         "（先运行适配器或 account add / run the adapter or account add first)");
    fs::create_directories(fs::path(*path).parent_path(), ec);
  }
  auto db = sql::Db::Open(*path);
  if (!db.ok())
    return Fail(
        1, "无法打开数据库 / cannot open " + *path + ": " + std::string(db.status().message()));
  return std::move(*db);
}

// "handler,registrar" (or Chinese names, also split by "，" or "、").
std::optional<std::vector<Role>> ParseRoles(std::string text, std::string& bad) {
  for (const std::string sep : {"，", "、"})
    for (size_t at; (at = text.find(sep)) != std::string::npos;) text.replace(at, sep.size(), ",");
  std::vector<Role> roles;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string part = text.substr(start, comma - start);
    start = comma + 1;
    if (part.find_first_not_of(' ') == std::string::npos) continue;
    auto role = accounts::RoleFromName(part);
    if (!role) {
      bad = part;
      return std::nullopt;
    }
    roles.push_back(*role);
  }
  return roles;
}

// The password from --password-stdin or --password-file (its first line);
// nullopt with `error` set when it cannot be read or is empty.
std::optional<std::string> ReadPassword(const AccountArgs& a, std::string& error) {
  std::string line;
  if (a.password_stdin) {
    std::getline(std::cin, line);
  } else {
    std::ifstream in(a.password_file);
    if (!in) {
      error = "无法读取密码文件 / cannot read " + a.password_file;
      return std::nullopt;
    }
    std::getline(in, line);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    error = "密码为空 / empty password";
    return std::nullopt;
  }
  return line;
}

std::string RolesChinese(const Account& a) {
  std::string out;
  for (Role r : a.roles) out.append(out.empty() ? "" : "、").append(accounts::RoleChineseName(r));
  return out;
}

std::string Status(const Account& a, int64_t now_ms) {
  if (a.disabled) return "已停用 / disabled";
  if (a.Locked(now_ms)) return "已锁定 / locked";
  return "正常 / active";
}

int CmdAdd(const AccountArgs& a) {
  std::string bad;
  auto roles = ParseRoles(a.roles, bad);
  if (!roles)
    return Fail(2, "未知角色 / unknown role: " + bad +
                       "（registrar 登记员, handler 承办人, head 部门负责人, leader 院/局领导, "
                       "admin 管理员)");
  std::string password;
  const bool generated = !a.password_stdin && a.password_file.empty();
  if (generated) {
    password = accounts::GeneratePassword(12);
  } else {
    std::string error;
    auto read = ReadPassword(a, error);
    if (!read) return Fail(2, error);
    password = std::move(*read);
  }
  const accounts::AccountInput in{.login = a.login,
                                  .name = a.name,
                                  .department = a.department,
                                  .roles = *roles,
                                  .password = password};
  if (auto st = accounts::CheckAccountInput(in); !st.ok()) return FailStatus(st);
  auto db = OpenDb(a, /*create=*/true);
  if (auto* code = std::get_if<int>(&db)) return *code;
  auto book = Accounts::Open(std::get<sql::Db>(db), SystemClock::Get());
  if (!book.ok()) return Fail(1, std::string(book.status().message()));
  if (auto st = (*book)->Add(in, By()); !st.ok()) return FailStatus(st);
  std::cout << "已添加账户 / account added: " << a.login << "\n";
  if (generated)
    std::cout << "初始密码 / initial password: " << password
              << "\n（只显示这一次，请当面交给本人 / shown only once: hand it to the clerk in "
                 "person)\n";
  return 0;
}

int CmdList(const AccountArgs& a) {
  auto db = OpenDb(a, /*create=*/false);
  if (auto* code = std::get_if<int>(&db)) return *code;
  auto book = Accounts::Open(std::get<sql::Db>(db), SystemClock::Get());
  if (!book.ok()) return Fail(1, std::string(book.status().message()));
  auto list = (*book)->List();
  if (!list.ok()) return Fail(1, std::string(list.status().message()));
  const int64_t now = SystemClock::Get().NowMs();
  std::cout << Pad("账号 login", 20) << Pad("姓名", 12) << Pad("部门", 24) << Pad("角色", 28)
            << "状态\n";
  for (const Account& acc : *list)
    std::cout << Pad(acc.login, 20) << Pad(acc.name, 12) << Pad(acc.department, 24)
              << Pad(RolesChinese(acc), 28) << Status(acc, now) << "\n";
  std::cout << "共 " << list->size() << " 个账户 / " << list->size() << " accounts\n";
  return 0;
}

enum class Change { kDisable, kEnable, kUnlock, kPasswd };

int CmdChange(const AccountArgs& a, Change change) {
  std::string password;
  if (change == Change::kPasswd) {
    if (!a.password_stdin && a.password_file.empty())
      return Fail(2,
                  "需要 --password-stdin 或 --password-file / --password-stdin or --password-file "
                  "is required");
    std::string error;
    auto read = ReadPassword(a, error);
    if (!read) return Fail(2, error);
    password = std::move(*read);
  }
  auto db = OpenDb(a, /*create=*/false);
  if (auto* code = std::get_if<int>(&db)) return *code;
  sql::Db& handle = std::get<sql::Db>(db);
  auto book = Accounts::Open(handle, SystemClock::Get());
  if (!book.ok()) return Fail(1, std::string(book.status().message()));
  auto sessions = accounts::Sessions::Open(handle, SystemClock::Get());
  if (!sessions.ok()) return Fail(1, std::string(sessions.status().message()));
  const std::string by = By();
  absl::Status st;
  const char* done = "";
  switch (change) {
    case Change::kDisable:
      st = (*book)->SetDisabled(a.login, true, by);
      done = "已停用 / disabled";
      break;
    case Change::kEnable:
      st = (*book)->SetDisabled(a.login, false, by);
      done = "已启用 / enabled";
      break;
    case Change::kUnlock:
      st = (*book)->Unlock(a.login, by);
      done = "已解锁 / unlocked";
      break;
    case Change::kPasswd:
      st = (*book)->SetPassword(a.login, password, by);
      done = "已更改密码 / password changed";
      break;
  }
  if (!st.ok()) return FailStatus(st);
  if (change == Change::kDisable || change == Change::kPasswd) {
    // The account's console sessions end with it.
    if (auto ended = (*sessions)->DestroyAll(a.login); !ended.ok())
      return Fail(1, std::string(ended.message()));
  }
  std::cout << done << ": " << a.login << "\n";
  return 0;
}

}  // namespace

void AddAccountCommands(CLI::App& app, Commands& commands) {
  auto a = std::make_shared<AccountArgs>();
  auto* account = app.add_subcommand("account", "控制台账户 / console accounts");
  account->require_subcommand(1);
  const auto where = [&a](CLI::App* cmd) {
    auto* config = cmd->add_option("--agency-config", a->agency_config,
                                   "机关配置文件 / the agency's config (its [storage] data_dir)");
    auto* db = cmd->add_option("--db", a->db, "或直接给出 agency.db / or the agency.db file");
    config->excludes(db);
  };
  const auto password = [&a](CLI::App* cmd) {
    auto* in = cmd->add_flag("--password-stdin", a->password_stdin,
                             "从标准输入读密码（一行）/ read the password from stdin (one line)");
    auto* file = cmd->add_option("--password-file", a->password_file,
                                 "从文件首行读密码 / read the password from a file's first line");
    in->excludes(file);
  };

  auto* add = account->add_subcommand("add", "添加账户 / add an account");
  where(add);
  add->add_option("--login", a->login, "账号 / login ([a-z0-9._-]{2,32})")->required();
  add->add_option("--name", a->name, "姓名 / name")->required();
  add->add_option("--department", a->department, "部门 / department");
  add->add_option(
         "--roles", a->roles,
         "角色，逗号分隔 / roles, comma-separated: registrar, handler, head, leader, admin")
      ->required();
  password(add);
  commands.On(add, [a] { return CmdAdd(*a); });

  auto* list = account->add_subcommand("list", "列出账户 / list the accounts");
  where(list);
  commands.On(list, [a] { return CmdList(*a); });

  const struct {
    const char* name;
    const char* help;
    Change change;
  } changes[] = {
      {"disable", "停用账户并结束其会话 / disable an account and end its sessions",
       Change::kDisable},
      {"enable", "启用账户 / enable an account", Change::kEnable},
      {"unlock", "解除锁定 / end a lock-out", Change::kUnlock},
      {"passwd", "更改密码并结束其会话 / set a password and end its sessions", Change::kPasswd},
  };
  for (const auto& c : changes) {
    auto* cmd = account->add_subcommand(c.name, c.help);
    where(cmd);
    cmd->add_option("--login", a->login, "账号 / login")->required();
    if (c.change == Change::kPasswd) password(cmd);
    commands.On(cmd, [a, change = c.change] { return CmdChange(*a, change); });
  }
}

}  // namespace concord::ctl
