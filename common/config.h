// One config file in TOML, read once: every process (the hub, the adapters,
// the agents, concordctl) loads its file through ConfigFile and reads its own
// sections through ConfigSection. toml++ stays inside config.cc.
//
//   ASSIGN_OR_RETURN(ConfigFile file, ConfigFile::Load("court.toml"));
//   const ConfigSection aid = file["aid"];
//   std::string key = aid.Path("linkage_key");        // relative to court.toml's folder
//   double cap = aid.Double("cap_yuan", 50'000);      // absent: the default
//   std::vector<std::string> askers = aid.Strings("status_askers");
//
// A value that is absent, or of another type than asked for, gives the
// default (an integer is a number where a Double is asked for). A file that
// cannot be read or parsed is InvalidArgument naming the file and the line.
//
// Ownership and threads: a ConfigFile is cheap to copy (the parsed table is
// shared and never changed); a ConfigSection keeps its file's table alive.
// Both may be read from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace concord {

class ConfigFile;

// One table of a config file: `[hub]`, `[conference.names]`, or one entry of
// an array of tables (`[[principal]]`). An absent table reads as empty.
class ConfigSection {
 public:
  bool Has(std::string_view key) const;
  std::string String(std::string_view key, std::string fallback = "") const;
  // An integer that fits T (a whole-number float too, as toml++ reads it);
  // out of T's range: the fallback, like any other unusable value.
  template <typename T = int64_t>
  T Int(std::string_view key, T fallback) const {
    const std::optional<int64_t> v = IntValue(key);
    return v && std::in_range<T>(*v) ? static_cast<T>(*v) : fallback;
  }
  double Double(std::string_view key, double fallback) const;
  bool Bool(std::string_view key, bool fallback) const;
  // An array of strings (its other elements skipped), or one string as a list
  // of one; absent: empty.
  std::vector<std::string> Strings(std::string_view key) const;
  // A path, made absolute against the config file's folder when relative;
  // absent: `fallback`, resolved the same way. "" stays "".
  std::string Path(std::string_view key, std::string fallback = "") const;
  // The string values of a table (`[conference.names]`), by key.
  std::map<std::string, std::string> StringMap(std::string_view key) const;
  std::vector<std::string> Keys() const;  // the table's keys, in file order

  ConfigSection operator[](std::string_view table) const;         // a nested table
  std::vector<ConfigSection> Tables(std::string_view key) const;  // an array of tables
  // The file's path, for error messages.
  const std::string& file_path() const;

 private:
  friend class ConfigFile;
  std::optional<int64_t> IntValue(std::string_view key) const;
  struct Shared;
  ConfigSection(std::shared_ptr<const Shared> file, const void* table)
      : file_(std::move(file)), table_(table) {}
  std::shared_ptr<const Shared> file_;
  const void* table_ = nullptr;  // a toml::table inside file_, or null (absent)
};

class ConfigFile {
 public:
  ConfigFile();  // an empty file: every value reads as its default
  // Reads and parses `path`. InvalidArgument: "配置文件错误 / config error in
  // <path> line <n>: <what>" (also when the file cannot be read).
  static absl::StatusOr<ConfigFile> Load(const std::string& path);
  // Parses `text` as if read from `path` (relative paths resolve against its folder).
  static absl::StatusOr<ConfigFile> Parse(std::string_view text, const std::string& path);

  ConfigSection operator[](std::string_view table) const { return root()[table]; }
  ConfigSection root() const;
  const std::string& path() const;
  // `p` made absolute against the file's folder ("" and absolute paths as they are).
  std::string Resolve(const std::string& p) const;

 private:
  explicit ConfigFile(std::shared_ptr<const ConfigSection::Shared> shared)
      : shared_(std::move(shared)) {}
  std::shared_ptr<const ConfigSection::Shared> shared_;
};

}  // namespace concord
