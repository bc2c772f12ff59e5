#include "hub/registry/registry.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/status_macros.h"

namespace concord::hub {

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
    if (p.name.empty() || p.public_key.size() != 40)
      return absl::InvalidArgumentError(
          absl::StrCat(registry_file,
                       ": 每个 [[principal]] 需要 name 和 40 字符的 public_key / each "
                       "[[principal]] needs name and a 40-character Z85 public_key (",
                       p.name, ")"));
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
  r.Index();
  return r;
}

Registry Registry::FromValues(std::vector<Principal> principals, std::vector<AclRule> rules) {
  Registry r;
  r.principals_ = std::move(principals);
  r.rules_ = std::move(rules);
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

absl::Status Registry::CheckAcl(const Principal& from, const std::string& payload_type,
                                const std::string& to) const {
  auto from_matches = [&](const std::string& pat) {
    if (absl::StartsWith(pat, "role:")) {
      for (auto& r : from.roles)
        if (pat.substr(5) == r) return true;
      return false;
    }
    return GlobMatch(pat, from.name);
  };
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

absl::Status AddPrincipalToFile(const std::string& registry_file, const Principal& p) {
  std::ofstream out(registry_file, std::ios::app);
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", registry_file));
  out << "\n[[principal]]\nname = \"" << p.name << "\"\n";
  if (!p.display.empty()) out << "display = \"" << p.display << "\"\n";
  out << "public_key = \"" << p.public_key << "\"\nroles = [";
  for (size_t i = 0; i < p.roles.size(); ++i) out << (i ? ", " : "") << '"' << p.roles[i] << '"';
  out << "]\n";
  return out ? absl::OkStatus() : absl::UnavailableError("write failed");
}

absl::Status RevokePrincipalInFile(const std::string& registry_file, const std::string& name) {
  std::ifstream in(registry_file);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", registry_file));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  in.close();
  bool found = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == "name = \"" + name + "\"") {
      found = true;
      // Drop any earlier revoked line of this entry, then add revoked = true.
      size_t j = i + 1;
      while (j < lines.size() && !absl::StartsWith(lines[j], "[[")) {
        if (absl::StartsWith(lines[j], "revoked"))
          lines.erase(lines.begin() + j);
        else
          ++j;
      }
      lines.insert(lines.begin() + i + 1, "revoked = true");
      break;
    }
  }
  if (!found) return absl::NotFoundError(absl::StrCat("注册表中没有 / no principal named ", name));
  const std::string tmp = registry_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (auto& l : lines) out << l << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  std::filesystem::rename(tmp, registry_file);
  return absl::OkStatus();
}

}  // namespace concord::hub
