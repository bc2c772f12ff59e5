#include "hub/broker/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace concord::hub {
namespace {

std::string Resolve(const std::filesystem::path& base, const std::string& p) {
  if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
  return (base / p).lexically_normal().string();
}

absl::StatusOr<toml::table> Parse(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "配置文件错误 / config error in " << path << " line " << e.source().begin.line
       << ": " << e.description();
    return absl::InvalidArgumentError(os.str());
  }
}

std::vector<std::string> Strings(const toml::node_view<const toml::node>& n) {
  std::vector<std::string> out;
  if (auto* arr = n.as_array())
    for (auto& v : *arr)
      if (auto s = v.value<std::string>()) out.push_back(*s);
  if (auto s = n.value<std::string>()) out.push_back(*s);
  return out;
}

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

absl::StatusOr<HubConfig> LoadHubConfig(const std::string& path) {
  auto parsed = Parse(path);
  if (!parsed.ok()) return parsed.status();
  const toml::table& t = *parsed;
  const auto base = std::filesystem::path(path).parent_path();
  HubConfig c;
  auto h = t["hub"];
  c.endpoint = h["endpoint"].value_or(c.endpoint);
  c.metrics_address = h["metrics_address"].value_or(c.metrics_address);
  c.metrics_port = h["metrics_port"].value_or(c.metrics_port);
  c.data_dir = Resolve(base, h["data_dir"].value_or(c.data_dir));
  c.secret_key_file = Resolve(base, h["secret_key"].value_or(std::string()));
  c.registry_file = Resolve(base, h["registry"].value_or(std::string("registry.toml")));
  c.acl_file = Resolve(base, h["acl"].value_or(std::string("acl.toml")));
  c.curve = h["curve"].value_or(true);
  auto l = t["limits"];
  c.default_credit = l["credit"].value_or(c.default_credit);
  c.max_queue_depth = l["max_queue_depth"].value_or(c.max_queue_depth);
  c.ack_timeout_ms = l["ack_timeout_ms"].value_or(c.ack_timeout_ms);
  c.max_backoff_ms = l["max_backoff_ms"].value_or(c.max_backoff_ms);
  c.max_attempts = l["max_attempts"].value_or(c.max_attempts);
  c.heartbeat_ms = l["heartbeat_ms"].value_or(c.heartbeat_ms);
  c.max_frame_bytes = l["max_frame_bytes"].value_or(c.max_frame_bytes);
  c.dedup_window_s = l["dedup_window_s"].value_or(c.dedup_window_s);
  c.max_batch = l["max_batch"].value_or(c.max_batch);
  c.synchronous = t["storage"]["synchronous"].value_or(c.synchronous);
  if (c.curve && c.secret_key_file.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": [hub] secret_key 未配置 / is required when curve = true"));
  if (c.default_credit == 0 || c.max_queue_depth == 0 || c.ack_timeout_ms <= 0 ||
      c.max_backoff_ms <= 0 || c.max_attempts == 0 || c.heartbeat_ms <= 0 ||
      c.max_frame_bytes == 0 || c.max_batch == 0)
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": [limits] 的取值必须大于 0 / every [limits] value must be greater than 0"));
  if (c.synchronous != "FULL" && c.synchronous != "EXTRA")
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": [storage] synchronous 必须为 FULL 或 EXTRA / must be FULL or EXTRA"));
  return c;
}

absl::StatusOr<Registry> Registry::Load(const std::string& registry_file,
                                        const std::string& acl_file) {
  Registry r;
  auto reg = Parse(registry_file);
  if (!reg.ok()) return reg.status();
  if (auto* arr = (*reg)["principal"].as_array()) {
    for (auto& node : *arr) {
      auto* tbl = node.as_table();
      if (!tbl) continue;
      auto view = toml::node_view<const toml::node>(tbl);
      Principal p;
      p.name = view["name"].value_or(std::string());
      p.public_key = view["public_key"].value_or(std::string());
      p.display = view["display"].value_or(std::string());
      p.revoked = view["revoked"].value_or(false);
      p.roles = Strings(view["roles"]);
      if (p.name.empty() || p.public_key.size() != 40)
        return absl::InvalidArgumentError(absl::StrCat(
            registry_file, ": 每个 [[principal]] 需要 name 和 40 字符的 public_key / each "
                           "[[principal]] needs name and a 40-character Z85 public_key (",
            p.name, ")"));
      r.principals_.push_back(std::move(p));
    }
  }
  auto acl = Parse(acl_file);
  if (!acl.ok()) return acl.status();
  if (auto* arr = (*acl)["allow"].as_array()) {
    for (auto& node : *arr) {
      auto* tbl = node.as_table();
      if (!tbl) continue;
      auto view = toml::node_view<const toml::node>(tbl);
      AclRule rule;
      rule.from = view["from"].value_or(std::string("*"));
      rule.type = view["type"].value_or(std::string("*"));
      rule.to = Strings(view["to"]);
      if (rule.to.empty()) rule.to.push_back("*");
      r.rules_.push_back(std::move(rule));
    }
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
        if (absl::StartsWith(lines[j], "revoked")) lines.erase(lines.begin() + j);
        else ++j;
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
