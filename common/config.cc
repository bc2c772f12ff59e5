#include "common/config.h"

#include <toml++/toml.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/files.h"

namespace concord {

struct ConfigSection::Shared {
  std::string path;
  std::filesystem::path folder;
  toml::table table;

  std::string Resolve(const std::string& p) const {
    if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
    return (folder / p).lexically_normal().string();
  }
};

namespace {

const toml::table* AsTable(const void* t) { return static_cast<const toml::table*>(t); }

const toml::node* Find(const void* table, std::string_view key) {
  return table ? AsTable(table)->get(key) : nullptr;
}

}  // namespace

bool ConfigSection::Has(std::string_view key) const { return Find(table_, key) != nullptr; }

std::string ConfigSection::String(std::string_view key, std::string fallback) const {
  const toml::node* n = Find(table_, key);
  if (auto v = n ? n->value<std::string>() : std::nullopt) return *v;
  return fallback;
}

std::optional<int64_t> ConfigSection::IntValue(std::string_view key) const {
  const toml::node* n = Find(table_, key);
  if (!n) return std::nullopt;
  // toml++ converts a float to int64_t before it checks that it fits, which
  // is undefined for 1e30 (found by tests/fuzz/toml_fuzz): a float counts
  // only when it is whole and inside int64_t's range.
  if (const toml::value<double>* f = n->as_floating_point()) {
    const double v = f->get();
    if (!(v >= -0x1p63 && v < 0x1p63) || v != std::trunc(v)) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  return n->value<int64_t>();
}

double ConfigSection::Double(std::string_view key, double fallback) const {
  const toml::node* n = Find(table_, key);
  if (auto v = n ? n->value<double>() : std::nullopt) return *v;
  return fallback;
}

bool ConfigSection::Bool(std::string_view key, bool fallback) const {
  const toml::node* n = Find(table_, key);
  if (auto v = n ? n->value<bool>() : std::nullopt) return *v;
  return fallback;
}

std::vector<std::string> ConfigSection::Strings(std::string_view key) const {
  std::vector<std::string> out;
  const toml::node* n = Find(table_, key);
  if (!n) return out;
  if (const toml::array* arr = n->as_array()) {
    for (const toml::node& v : *arr)
      if (auto s = v.value<std::string>()) out.push_back(*s);
  } else if (auto s = n->value<std::string>()) {
    out.push_back(*s);
  }
  return out;
}

std::string ConfigSection::Path(std::string_view key, std::string fallback) const {
  return file_->Resolve(String(key, std::move(fallback)));
}

std::map<std::string, std::string> ConfigSection::StringMap(std::string_view key) const {
  std::map<std::string, std::string> out;
  const toml::node* n = Find(table_, key);
  if (const toml::table* t = n ? n->as_table() : nullptr)
    for (auto&& [k, v] : *t)
      if (auto s = v.value<std::string>()) out[std::string(k.str())] = *s;
  return out;
}

std::vector<std::string> ConfigSection::Keys() const {
  std::vector<std::string> out;
  if (const auto* t = static_cast<const toml::table*>(table_))
    for (auto&& [k, v] : *t) out.emplace_back(k.str());
  return out;
}

ConfigSection ConfigSection::operator[](std::string_view table) const {
  const toml::node* n = Find(table_, table);
  return ConfigSection(file_, n ? n->as_table() : nullptr);
}

std::vector<ConfigSection> ConfigSection::Tables(std::string_view key) const {
  std::vector<ConfigSection> out;
  const toml::node* n = Find(table_, key);
  if (const toml::array* arr = n ? n->as_array() : nullptr)
    for (const toml::node& v : *arr)
      if (const toml::table* t = v.as_table()) out.push_back(ConfigSection(file_, t));
  return out;
}

const std::string& ConfigSection::file_path() const { return file_->path; }

absl::StatusOr<ConfigFile> ConfigFile::Parse(std::string_view text, const std::string& path) {
  auto shared = std::make_shared<ConfigSection::Shared>();
  shared->path = path;
  shared->folder = std::filesystem::path(path).parent_path();
  try {
    shared->table = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "配置文件错误 / config error in " << path << " line " << e.source().begin.line << ": "
       << e.description();
    return absl::InvalidArgumentError(os.str());
  }
  return ConfigFile(std::move(shared));
}

absl::StatusOr<ConfigFile> ConfigFile::Load(const std::string& path) {
  auto text = ReadFileToString(path);
  if (!text.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("配置文件错误 / config error in ", path, ": ", text.status().message()));
  return Parse(*text, path);
}

ConfigFile::ConfigFile() : shared_(std::make_shared<ConfigSection::Shared>()) {}

ConfigSection ConfigFile::root() const { return ConfigSection(shared_, &shared_->table); }
const std::string& ConfigFile::path() const { return shared_->path; }
std::string ConfigFile::Resolve(const std::string& p) const { return shared_->Resolve(p); }

}  // namespace concord
