// The console's administration pages: the agency's accounts (管理员) and
// the action log (管理员, 院/局领导).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/console/console_impl.h"
#include "common/field_status.h"

namespace concord::adapter {

namespace {

using accounts::Permission;
using accounts::Role;
using json = nlohmann::json;

constexpr Role kRoles[] = {Role::kRegistrar, Role::kHandler, Role::kHead, Role::kLeader,
                           Role::kAdmin};

}  // namespace

void ConsoleImpl::AccountsPage(Visit v) {
  if (!Require(v, Permission::kManageAccounts, "account.list", "")) return;
  Render(v, "账户管理", "accounts", Template("accounts.html"), AccountsValues(json::object()));
}

nlohmann::json ConsoleImpl::AccountsValues(nlohmann::json values) {
  json list = json::array();
  if (auto all = accounts_->List(); all.ok())
    for (const auto& a : *all) {
      std::vector<std::string> roles;
      for (Role r : a.roles) roles.emplace_back(accounts::RoleChineseName(r));
      list.push_back({{"login", a.login},
                      {"name", a.name},
                      {"department", a.department},
                      {"roles", absl::StrJoin(roles, "、")},
                      {"disabled", a.disabled},
                      {"locked", a.locked_until_ms > Now()}});
    }
  values["accounts"] = list;
  json roles = json::array();
  for (Role r : kRoles)
    roles.push_back({{"value", accounts::RoleName(r)}, {"label", accounts::RoleChineseName(r)}});
  values["roles"] = roles;
  if (!values.contains("bad")) values["bad"] = json::object();
  return values;
}

void ConsoleImpl::AccountsPost(Visit v) {
  const auto form = v.request.Form();
  const std::string op = FormField(form, "op");
  const std::string login = FormField(form, "login");
  const std::string what = "account." + op;
  if (!Require(v, Permission::kManageAccounts, what, login)) return;
  const std::string by = v.account.login;
  absl::Status st;
  std::string done;
  if (op == "add") {
    accounts::AccountInput in{login,
                              FormField(form, "name"),
                              FormField(form, "department"),
                              {},
                              FormField(form, "password")};
    for (Role r : kRoles)
      if (FormField(form, "role_" + std::string(accounts::RoleName(r))) == "1")
        in.roles.push_back(r);
    st = accounts_->Add(in, by);
    if (!st.ok()) {
      json bad = json::object();
      for (const std::string& f : FieldsOf(st)) bad[f] = true;
      Log(v, what, login, false, std::string(st.message()));
      json values = {{"error", std::string(st.message())},
                     {"bad", bad},
                     {"v", {{"login", login}, {"name", in.name}, {"department", in.department}}}};
      Render(v, "账户管理", "accounts", Template("accounts.html"), AccountsValues(values), 400);
      return;
    }
    done = "已新增账户 " + login;
  } else if (op == "disable" || op == "enable") {
    st = accounts_->SetDisabled(login, op == "disable", by);
    if (st.ok() && op == "disable") st = sessions_->DestroyAll(login);
    done = (op == "disable" ? "已停用 " : "已启用 ") + login;
  } else if (op == "unlock") {
    st = accounts_->Unlock(login, by);
    done = "已解锁 " + login;
  } else if (op == "password") {
    st = accounts_->SetPassword(login, FormField(form, "password"), by);
    if (st.ok()) st = sessions_->DestroyAll(login);
    done = "已重设 " + login + " 的密码";
  } else {
    st = absl::InvalidArgumentError("未知的操作 / unknown operation: " + op);
  }
  Log(v, what, login, st.ok(), st.ok() ? "" : std::string(st.message()));
  if (!st.ok()) return Redirect(v, "/admin/accounts", std::string(st.message()), true);
  Redirect(v, "/admin/accounts", done);
}

void ConsoleImpl::ActionsPage(Visit v) {
  if (!accounts::Allowed(v.account, Permission::kManageAccounts) &&
      !Require(v, Permission::kSupervise, "actions.list", ""))
    return;
  const std::string login = v.request.Query("login");
  json records = json::array();
  if (auto list = log_->Recent(500, login); list.ok())
    for (const auto& r : *list)
      records.push_back({{"at", FormatMs(r.at_ms)},
                         {"actor", r.actor.empty() ? r.login : r.actor},
                         {"action", r.action},
                         {"target", r.target},
                         {"outcome_cn", r.outcome == "ok" ? "成功" : "拒绝"},
                         {"row_class", r.outcome == "ok" ? "" : "overdue"},
                         {"reason", r.reason},
                         {"remote", r.remote}});
  Render(v, "操作记录", "actions", Template("actions.html"),
         {{"records", records}, {"login", login}});
}

void RegisterAdminPages(ConsoleImpl& c) {
  c.AddNav("/admin/accounts", "账户管理", "accounts", [](const accounts::Account& a) {
    return accounts::Allowed(a, Permission::kManageAccounts);
  });
  c.AddNav("/admin/actions", "操作记录", "actions", [](const accounts::Account& a) {
    return accounts::Allowed(a, Permission::kManageAccounts) ||
           accounts::Allowed(a, Permission::kSupervise);
  });
  c.AddPage("GET", "/admin/accounts", [&c](Visit v) { c.AccountsPage(std::move(v)); });
  c.AddPage("POST", "/admin/accounts", [&c](Visit v) { c.AccountsPost(std::move(v)); });
  c.AddPage("GET", "/admin/actions", [&c](Visit v) { c.ActionsPage(std::move(v)); });
}

}  // namespace concord::adapter
