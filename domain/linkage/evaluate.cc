#include "domain/linkage/evaluate.h"

#include <fstream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace concord::aid {
namespace {

// A CSV line split on commas outside double quotes (no embedded newlines).
std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        out.back().push_back('"');
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  for (auto& f : out) f = std::string(absl::StripAsciiWhitespace(f));
  return out;
}

}  // namespace

std::map<std::string, std::string> ReadTruth(const std::string& path, InputFormat format,
                                             bool with_case) {
  std::map<std::string, std::string> truth;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);
  const auto header = SplitCsvLine(line);
  auto col = [&](const std::string& n) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == n) return static_cast<int>(i);
    return -1;
  };
  const int c_id = col(format == InputFormat::kFebrl    ? "rec_id"
                       : format == InputFormat::kSplink ? "unique_id"
                                                        : "record_id");
  const int c_group = format == InputFormat::kSplink ? col("cluster") : col("person_id");
  const int c_case = col("case_id");
  while (std::getline(in, line)) {
    const auto f = SplitCsvLine(line);
    if (c_id < 0 || c_id >= static_cast<int>(f.size())) continue;
    const std::string& id = f[c_id];
    if (format == InputFormat::kFebrl) {
      std::vector<std::string> parts = absl::StrSplit(id, '-');  // rec-N-org / rec-N-dup-k
      truth[id] = parts.size() >= 2 ? parts[1] : id;
    } else if (c_group >= 0 && c_group < static_cast<int>(f.size())) {
      std::string g = f[c_group];
      if (with_case && c_case >= 0 && c_case < static_cast<int>(f.size())) g += "|" + f[c_case];
      truth[id] = g;
    }
  }
  return truth;
}

PairScore Score(const std::vector<DedupPair>& pairs,
                const std::map<std::string, std::string>& truth) {
  PairScore s;
  std::map<std::string, size_t> group_size;
  for (auto& [id, g] : truth) ++group_size[g];
  for (auto& [g, n] : group_size) s.truth += n * (n - 1) / 2;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& p : pairs) {
    if (!seen.insert(std::minmax(p.id_a, p.id_b)).second) continue;
    ++s.found;
    auto a = truth.find(p.id_a), b = truth.find(p.id_b);
    if (a != truth.end() && b != truth.end() && a->second == b->second) ++s.right;
  }
  return s;
}

}  // namespace concord::aid
