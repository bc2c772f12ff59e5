#include "hub/registry/registry.h"

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/config.h"
#include "common/hex.h"
#include "common/status_macros.h"

namespace concord::hub {
namespace {

// What the hub itself sends comes from "hub": receivers take it unsigned and
// believe its checkpoints and alerts, so no principal may bear that name.
constexpr char kReservedHubName[] = "hub";
constexpr char kReservedNameText[] =
    "名称 hub 保留给枢纽本身，不能登记 / the name \"hub\" is the hub's own and cannot be "
    "registered";

}  // namespace

bool GlobMatch(std::string_view pat, std::string_view s) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < s.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pat.size() && pat[p] == s[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

absl::StatusOr<Registry> Registry::Load(const std::string& registry_file,
                                        const std::string& acl_file) {
  Registry r;
  ASSIGN_OR_RETURN(const ConfigFile registry, ConfigFile::Load(registry_file));
  for (const ConfigSection& entry : registry.root().Tables("principal")) {
    Principal p;
    p.name = entry.String("name");
    p.public_key = entry.String("public_key");
    p.display = entry.String("display");
    p.revoked = entry.Bool("revoked", false);
    p.roles = entry.Strings("roles");
    if (const std::string hex = entry.String("sign_key"); !hex.empty()) {
      p.sign_key = BytesOfHex(hex, 32);
      if (p.sign_key.empty())
        return absl::InvalidArgumentError(
            absl::StrCat(registry_file, ": ", p.name,
                         " 的 sign_key 须为 64 位十六进制 / sign_key must be 64 hex digits "
                         "(the Ed25519 key from `concordctl keys sign-key`)"));
    }
    if (p.name.empty() || p.public_key.size() != 40)
      return absl::InvalidArgumentError(
          absl::StrCat(registry_file,
                       ": 每个 [[principal]] 需要 name 和 40 字符的 public_key / each "
                       "[[principal]] needs name and a 40-character Z85 public_key (",
                       p.name, ")"));
    if (p.name == kReservedHubName)
      return absl::InvalidArgumentError(absl::StrCat(registry_file, ": ", kReservedNameText));
    r.principals_.push_back(std::move(p));
  }
  ASSIGN_OR_RETURN(const ConfigFile acl, ConfigFile::Load(acl_file));
  for (const ConfigSection& allow : acl.root().Tables("allow")) {
    AclRule rule;
    rule.from = allow.String("from", "*");
    rule.type = allow.String("type", "*");
    rule.to = allow.Strings("to");
    if (rule.to.empty()) rule.to.push_back("*");
    r.rules_.push_back(std::move(rule));
  }
  for (const ConfigSection& sub : acl.root().Tables("subscribe")) {
    SubscribeRule rule;
    rule.from = sub.String("from", "*");
    rule.topics = sub.Strings("topics");
    if (rule.topics.empty())
      return absl::InvalidArgumentError(absl::StrCat(
          acl_file, ": 每个 [[subscribe]] 需要 topics / each [[subscribe]] needs topics (from ",
          rule.from, ")"));
    r.subscribe_.push_back(std::move(rule));
  }
  for (const ConfigSection& res : acl.root().Tables("reserve")) {
    ReserveRule rule;
    rule.types = res.Strings("types");
    rule.from = res.Strings("from");
    if (rule.types.empty() || rule.from.empty())
      return absl::InvalidArgumentError(absl::StrCat(
          acl_file,
          ": 每个 [[reserve]] 需要 types 和 from / each [[reserve]] needs types and from (",
          absl::StrJoin(rule.types, ","), ")"));
    r.reserve_.push_back(std::move(rule));
  }
  r.Index();
  return r;
}

Registry Registry::FromValues(std::vector<Principal> principals, std::vector<AclRule> rules,
                              std::vector<SubscribeRule> subscribe,
                              std::vector<ReserveRule> reserve) {
  Registry r;
  r.principals_ = std::move(principals);
  r.rules_ = std::move(rules);
  r.subscribe_ = std::move(subscribe);
  r.reserve_ = std::move(reserve);
  r.Index();
  return r;
}

void Registry::Index() {
  by_key_.clear();
  by_name_.clear();
  for (size_t i = 0; i < principals_.size(); ++i) {
    by_name_[principals_[i].name] = i;
    if (!principals_[i].revoked) by_key_[principals_[i].public_key] = i;
  }
}

const Principal* Registry::ByKey(const std::string& z85) const {
  auto it = by_key_.find(z85);
  return it == by_key_.end() ? nullptr : &principals_[it->second];
}

const Principal* Registry::ByName(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &principals_[it->second];
}

std::vector<const Principal*> Registry::WithRole(const std::string& role) const {
  std::vector<const Principal*> out;
  for (auto& p : principals_)
    if (!p.revoked)
      for (auto& r : p.roles)
        if (r == role) {
          out.push_back(&p);
          break;
        }
  return out;
}

namespace {

// A rule's `from`: a principal glob, or "role:<r>" for every holder of r.
bool FromMatches(const std::string& pattern, const Principal& from) {
  if (absl::StartsWith(pattern, "role:")) {
    for (auto& r : from.roles)
      if (pattern.substr(5) == r) return true;
    return false;
  }
  return GlobMatch(pattern, from.name);
}

}  // namespace

absl::Status Registry::CheckSubscribe(const Principal& from, const std::string& topic) const {
  if (subscribe_.empty()) return absl::OkStatus();
  for (auto& rule : subscribe_) {
    if (!FromMatches(rule.from, from)) continue;
    for (auto& pat : rule.topics)
      if (GlobMatch(pat, topic)) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("ACL 不允许 ", from.name, " 订阅主题 ", topic,
                                                  " / ACL forbids ", from.name,
                                                  " subscribing to topic ", topic));
}

absl::Status Registry::CheckAcl(const Principal& from, const std::string& payload_type,
                                const std::string& to) const {
  auto from_matches = [&](const std::string& pat) { return FromMatches(pat, from); };
  for (auto& rule : reserve_) {
    if (std::none_of(rule.types.begin(), rule.types.end(),
                     [&](const std::string& t) { return GlobMatch(t, payload_type); }))
      continue;
    if (std::none_of(rule.from.begin(), rule.from.end(), from_matches))
      return absl::PermissionDeniedError(
          absl::StrCat(payload_type, " 只能由 ", absl::StrJoin(rule.from, "、"), " 发送，",
                       from.name, " 不能发送 / only ", absl::StrJoin(rule.from, ", "), " may send ",
                       payload_type, "; ", from.name, " may not"));
  }
  auto to_matches = [&](const std::string& pat) {
    if (GlobMatch(pat, to)) return true;
    // A rule naming a role also covers each principal holding it.
    if (absl::StartsWith(pat, "role:")) {
      if (const Principal* p = ByName(to))
        for (auto& r : p->roles)
          if (pat.substr(5) == r) return true;
    }
    return false;
  };
  for (auto& rule : rules_) {
    if (!from_matches(rule.from) || !GlobMatch(rule.type, payload_type)) continue;
    for (auto& pat : rule.to)
      if (to_matches(pat)) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("ACL 不允许 ", from.name, " 向 ", to, " 发送 ",
                                                  payload_type, " / ACL forbids ", from.name,
                                                  " sending ", payload_type, " to ", to));
}

namespace {

absl::StatusOr<std::vector<std::string>> ReadRegistryLines(const std::string& registry_file) {
  std::ifstream in(registry_file);
  if (!in)
    return absl::NotFoundError(
        absl::StrCat("无法读取注册表 / cannot read the registry ", registry_file));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

absl::Status WriteRegistryLines(const std::string& registry_file,
                                const std::vector<std::string>& lines) {
  const std::string tmp = registry_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (auto& l : lines) out << l << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat("无法写入 / cannot write ", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, registry_file, ec);
  if (ec)
    return absl::UnavailableError(
        absl::StrCat("无法替换 / cannot replace ", registry_file, ": ", ec.message()));
  return absl::OkStatus();
}

// The lines [begin, end) of principal `name`'s entry: from the line after its
// name to the next table header. NotFound when no entry has that name.
absl::StatusOr<std::pair<size_t, size_t>> EntryOf(const std::vector<std::string>& lines,
                                                  const std::string& name) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] != "name = \"" + name + "\"") continue;
    size_t j = i + 1;
    while (j < lines.size() && !absl::StartsWith(lines[j], "[[")) ++j;
    return std::make_pair(i + 1, j);
  }
  return absl::NotFoundError(
      absl::StrCat("注册表中没有 / no principal named ", name, " in the registry"));
}

}  // namespace

absl::Status AddPrincipalToFile(const std::string& registry_file, const Principal& p) {
  if (p.name == kReservedHubName) return absl::InvalidArgumentError(kReservedNameText);
  if (std::filesystem::exists(registry_file)) {
    ASSIGN_OR_RETURN(const ConfigFile registry, ConfigFile::Load(registry_file));
    for (const ConfigSection& entry : registry.root().Tables("principal")) {
      if (entry.String("name") == p.name)
        return absl::AlreadyExistsError(absl::StrCat(
            "已登记 / already registered: ", p.name,
            "（换密钥用 keys rotate / to give it a new key use `concordctl keys rotate`)"));
      if (entry.String("public_key") == p.public_key)
        return absl::AlreadyExistsError(absl::StrCat("该公钥已登记给 ", entry.String("name"),
                                                     " / this public key is already registered to ",
                                                     entry.String("name")));
    }
  }
  std::vector<std::string> lines;
  if (std::filesystem::exists(registry_file)) {
    ASSIGN_OR_RETURN(lines, ReadRegistryLines(registry_file));
  }
  lines.push_back("");
  lines.push_back("[[principal]]");
  lines.push_back(absl::StrCat("name = \"", p.name, "\""));
  if (!p.display.empty()) lines.push_back(absl::StrCat("display = \"", p.display, "\""));
  lines.push_back(absl::StrCat("public_key = \"", p.public_key, "\""));
  if (!p.sign_key.empty()) lines.push_back(absl::StrCat("sign_key = \"", HexOf(p.sign_key), "\""));
  std::string roles = "roles = [";
  for (size_t i = 0; i < p.roles.size(); ++i)
    absl::StrAppend(&roles, i ? ", " : "", "\"", p.roles[i], "\"");
  lines.push_back(roles + "]");
  return WriteRegistryLines(registry_file, lines);
}

absl::Status RevokePrincipalInFile(const std::string& registry_file, const std::string& name) {
  ASSIGN_OR_RETURN(std::vector<std::string> lines, ReadRegistryLines(registry_file));
  ASSIGN_OR_RETURN(auto entry, EntryOf(lines, name));
  // Drop any earlier revoked line of this entry, then add revoked = true.
  for (size_t j = entry.first; j < entry.second;) {
    if (absl::StartsWith(lines[j], "revoked")) {
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(j));
      --entry.second;
    } else {
      ++j;
    }
  }
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(entry.first), "revoked = true");
  return WriteRegistryLines(registry_file, lines);
}

absl::Status RotatePrincipalKeyInFile(const std::string& registry_file, const std::string& name,
                                      const std::string& public_key, const std::string& sign_key) {
  if (public_key.size() != 40)
    return absl::InvalidArgumentError(
        "公钥须为 40 字符的 Z85 / the public key must be 40 characters of Z85");
  ASSIGN_OR_RETURN(const ConfigFile registry, ConfigFile::Load(registry_file));
  for (const ConfigSection& e : registry.root().Tables("principal"))
    if (e.String("public_key") == public_key)
      return absl::AlreadyExistsError(absl::StrCat("该公钥已登记给 ", e.String("name"),
                                                   " / this public key is already registered to ",
                                                   e.String("name")));
  ASSIGN_OR_RETURN(std::vector<std::string> lines, ReadRegistryLines(registry_file));
  ASSIGN_OR_RETURN(auto entry, EntryOf(lines, name));
  bool replaced = false;
  for (size_t j = entry.first; j < entry.second;) {
    if (absl::StartsWith(lines[j], "public_key")) {
      lines[j] = absl::StrCat("public_key = \"", public_key, "\"");
      replaced = true;
      ++j;
    } else if (absl::StartsWith(lines[j], "revoked") || absl::StartsWith(lines[j], "sign_key")) {
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(j));
      --entry.second;
    } else {
      ++j;
    }
  }
  if (!replaced)
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(entry.first),
                 absl::StrCat("public_key = \"", public_key, "\""));
  if (!sign_key.empty())
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(entry.first),
                 absl::StrCat("sign_key = \"", HexOf(sign_key), "\""));
  return WriteRegistryLines(registry_file, lines);
}

}  // namespace concord::hub
