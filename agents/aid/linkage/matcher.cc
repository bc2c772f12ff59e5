#include "agents/aid/linkage/matcher.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace concord::aid {
namespace {

struct FieldInfo {
  const char* name;
  const char* chinese;
  std::vector<const char*> levels;
};

const std::array<FieldInfo, kNumFields>& Fields() {
  static const std::array<FieldInfo, kNumFields> kFields = {{
      {"id_number", "身份证号", {"exact (valid)", "exact (unverified)", "1-2 characters differ", "different"}},
      {"name", "姓名", {"exact", "same pinyin (homophone or romanised)", "similar", "somewhat similar", "different"}},
      {"birth_date", "出生日期", {"exact", "one digit differs", "two digits differ", "different"}},
      {"gender", "性别", {"same", "different"}},
      {"phone", "电话", {"same", "different"}},
      {"address", "住址", {"same", "similar", "somewhat similar", "different"}},
      {"city", "城市", {"same", "different"}},
      {"email", "电子邮箱", {"same", "similar", "different"}},
  }};
  return kFields;
}

int Level(double dice, std::initializer_list<double> cuts) {
  int l = 0;
  for (double c : cuts) {
    if (dice >= c) return l;
    ++l;
  }
  return l;
}

constexpr double kFloor = 1e-4;

// Levels are ordered from best agreement to worst, so their weights log2(m/u)
// must not increase from one level to the next. Unconstrained EM can break
// that (it may explain a field shared by many blocked non-matches, such as a
// city, with the "match" class); pooling adjacent violators (isotonic
// regression of the likelihood ratio) keeps every field pointing the right
// way and leaves an uninformative field with weight 0.
void MakeMonotone(int levels, std::array<double, kMaxLevels>& m, std::array<double, kMaxLevels>& u) {
  struct Block {
    int first, last;
    double m, u;
  };
  std::vector<Block> blocks;
  for (int l = 0; l < levels; ++l) {
    blocks.push_back({l, l, m[l], u[l]});
    while (blocks.size() >= 2) {
      const Block& b = blocks.back();
      const Block& a = blocks[blocks.size() - 2];
      if (a.m / a.u >= b.m / b.u) break;
      Block merged{a.first, b.last, a.m + b.m, a.u + b.u};
      blocks.pop_back();
      blocks.back() = merged;
    }
  }
  for (const Block& b : blocks)
    for (int l = b.first; l <= b.last; ++l) m[l] = std::max(u[l] * b.m / b.u, kFloor);
}

}  // namespace

const char* FieldName(int f) { return Fields()[f].name; }
const char* FieldChineseName(int f) { return Fields()[f].chinese; }
int LevelCount(int f) { return static_cast<int>(Fields()[f].levels.size()); }
const char* LevelName(int f, int l) { return Fields()[f].levels[l]; }

ComparisonVector Compare(const EncodedRecord& a, const EncodedRecord& b) {
  ComparisonVector c;
  c.level.fill(-1);
  // ID number: a valid match is strong; an unverified one (15-digit or failed
  // check) weaker; a typo shows as high digit similarity.
  if (!a.id_token.empty() && !b.id_token.empty()) {
    const bool trusted = [](IdQuality q) {
      return q == IdQuality::kValid || q == IdQuality::kConverted15;
    }(a.id_quality) && (b.id_quality == IdQuality::kValid || b.id_quality == IdQuality::kConverted15);
    if (a.id_token == b.id_token) c.level[kFieldId] = trusted ? 0 : 1;
    else c.level[kFieldId] = Dice(a.id_digits, b.id_digits) >= 0.88 ? 2 : 3;
  }
  // Name: characters when both are Han, pinyin otherwise.
  if (!a.name_pinyin.empty() && !b.name_pinyin.empty()) {
    const double py = Dice(a.name_pinyin, b.name_pinyin);
    const bool both_han = !a.name_chars.empty() && !b.name_chars.empty();
    const double ch = both_han ? Dice(a.name_chars, b.name_chars) : py;
    if (ch >= 0.999) c.level[kFieldName] = 0;
    else if (py >= 0.999) c.level[kFieldName] = 1;
    else c.level[kFieldName] = 2 + Level(std::max(ch, py), {0.8, 0.6});
  }
  if (!a.dob_token.empty() && !b.dob_token.empty()) {
    if (a.dob_token == b.dob_token) c.level[kFieldDob] = 0;
    else c.level[kFieldDob] = 1 + Level(Dice(a.dob_digits, b.dob_digits), {0.85, 0.7});
  }
  if (!a.gender_token.empty() && !b.gender_token.empty())
    c.level[kFieldGender] = a.gender_token == b.gender_token ? 0 : 1;
  if (!a.phone_token.empty() && !b.phone_token.empty())
    c.level[kFieldPhone] = a.phone_token == b.phone_token ? 0 : 1;
  if (!a.address.empty() && !b.address.empty())
    c.level[kFieldAddress] = Level(Dice(a.address, b.address), {0.95, 0.75, 0.5});
  if (!a.address_city_token.empty() && !b.address_city_token.empty())
    c.level[kFieldCity] = a.address_city_token == b.address_city_token ? 0 : 1;
  if (!a.email_token.empty() && !b.email_token.empty())
    c.level[kFieldEmail] = a.email_token == b.email_token ? 0 : Dice(a.email, b.email) >= 0.8 ? 1 : 2;
  return c;
}

double Model::Weight(int f, int l) const {
  return std::log2(std::max(m[f][l], kFloor) / std::max(u[f][l], kFloor));
}

double Model::MatchWeight(const ComparisonVector& c) const {
  double w = 0;
  for (int f = 0; f < kNumFields; ++f)
    if (c.level[f] >= 0) w += Weight(f, c.level[f]);
  return w;
}

double Model::Probability(const ComparisonVector& c) const {
  const double w = MatchWeight(c) + std::log2(prior / (1 - prior));
  return 1.0 / (1.0 + std::exp2(-w));
}

Model EstimateModel(const std::vector<ComparisonVector>& candidates,
                    const std::vector<ComparisonVector>& random_pairs, const Model& start,
                    int iterations) {
  Model model = start;
  // u: level frequencies among random pairs.
  for (int f = 0; f < kNumFields; ++f) {
    std::array<double, kMaxLevels> n{};
    double total = 0;
    for (const auto& c : random_pairs)
      if (c.level[f] >= 0) {
        n[c.level[f]] += 1;
        total += 1;
      }
    if (total > 0)
      for (int l = 0; l < LevelCount(f); ++l)
        model.u[f][l] = std::max(n[l] / total, kFloor);
  }
  // m, u and the prior among candidates: EM. The random-pair u is only the
  // starting point: blocking selects pairs that agree on the blocking fields
  // (a pair blocked on birth date always agrees on it), so the non-matches
  // among candidates have their own u.
  for (int it = 0; it < iterations; ++it) {
    std::array<std::array<double, kMaxLevels>, kNumFields> mn{}, un{};
    std::array<double, kNumFields> mt{}, ut{};
    double matches = 0;
    for (const auto& c : candidates) {
      const double p = model.Probability(c);
      matches += p;
      for (int f = 0; f < kNumFields; ++f)
        if (c.level[f] >= 0) {
          mn[f][c.level[f]] += p;
          mt[f] += p;
          un[f][c.level[f]] += 1 - p;
          ut[f] += 1 - p;
        }
    }
    if (candidates.empty()) break;
    model.prior = std::clamp(matches / candidates.size(), 1e-6, 0.999);
    for (int f = 0; f < kNumFields; ++f) {
      if (mt[f] > 0)
        for (int l = 0; l < LevelCount(f); ++l) model.m[f][l] = std::max(mn[f][l] / mt[f], kFloor);
      if (ut[f] > 0)
        for (int l = 0; l < LevelCount(f); ++l) model.u[f][l] = std::max(un[f][l] / ut[f], kFloor);
      MakeMonotone(LevelCount(f), model.m[f], model.u[f]);
    }
  }
  return model;
}

bool SameCase(const EncodedRecord& a, const EncodedRecord& b) {
  for (const auto& x : a.case_tokens)
    for (const auto& y : b.case_tokens)
      if (x == y) return true;
  return !a.incident_token.empty() && a.incident_token == b.incident_token;
}

std::vector<std::pair<uint32_t, uint32_t>> CandidatePairs(const std::vector<EncodedRecord>& records,
                                                          size_t max_block, size_t* skipped_keys) {
  std::unordered_map<std::string, std::vector<uint32_t>> blocks;
  for (uint32_t i = 0; i < records.size(); ++i)
    for (const auto& k : records[i].block_keys) blocks[k].push_back(i);
  std::unordered_set<uint64_t> seen;
  std::vector<std::pair<uint32_t, uint32_t>> out;
  size_t skipped = 0;
  for (auto& [key, members] : blocks) {
    if (members.size() < 2) continue;
    if (members.size() > max_block) {
      ++skipped;
      continue;
    }
    for (size_t x = 0; x < members.size(); ++x)
      for (size_t y = x + 1; y < members.size(); ++y) {
        const uint32_t i = std::min(members[x], members[y]), j = std::max(members[x], members[y]);
        if (seen.insert((uint64_t{i} << 32) | j).second) out.emplace_back(i, j);
      }
  }
  if (skipped_keys) *skipped_keys = skipped;
  std::sort(out.begin(), out.end());
  return out;
}

std::string Model::ToText() const {
  std::ostringstream out;
  out.precision(17);
  out << "prior " << prior << "\n";
  for (int f = 0; f < kNumFields; ++f) {
    out << FieldName(f);
    for (int l = 0; l < LevelCount(f); ++l) out << " " << m[f][l] << "/" << u[f][l];
    out << "\n";
  }
  return out.str();
}

absl::StatusOr<Model> Model::FromText(const std::string& text) {
  Model model;
  int line_no = 0;
  std::array<bool, kNumFields> seen{};
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++line_no;
    std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (parts.size() == 2 && parts[0] == "prior") {
      model.prior = std::stod(parts[1]);
      continue;
    }
    int f = 0;
    while (f < kNumFields && parts[0] != FieldName(f)) ++f;
    if (f == kNumFields || static_cast<int>(parts.size()) != LevelCount(f) + 1)
      return absl::InvalidArgumentError(
          absl::StrCat("模型第 ", line_no, " 行无法识别 / model line ", line_no, ": ", std::string(line)));
    for (int l = 0; l < LevelCount(f); ++l) {
      std::vector<std::string> mu = absl::StrSplit(parts[l + 1], '/');
      if (mu.size() != 2)
        return absl::InvalidArgumentError(absl::StrCat("model line ", line_no, ": want m/u"));
      model.m[f][l] = std::stod(mu[0]);
      model.u[f][l] = std::stod(mu[1]);
    }
    seen[f] = true;
  }
  for (int f = 0; f < kNumFields; ++f)
    if (!seen[f])
      return absl::InvalidArgumentError(absl::StrCat("模型缺少字段 / model lacks ", FieldName(f)));
  return model;
}

Model Model::Default() {
  // Starting values before EM; replaced by estimates (see the README's
  // accuracy section for how the shipped values were produced).
  Model d;
  d.prior = 0.05;
  const std::array<std::vector<double>, kNumFields> m = {{
      {0.85, 0.05, 0.07, 0.03}, {0.7, 0.15, 0.1, 0.03, 0.02}, {0.9, 0.05, 0.02, 0.03}, {0.98, 0.02},
      {0.9, 0.1}, {0.6, 0.2, 0.1, 0.1}, {0.9, 0.1}, {0.8, 0.15, 0.05}}};
  const std::array<std::vector<double>, kNumFields> u = {{
      {1e-6, 1e-6, 1e-4, 0.9999}, {0.001, 0.002, 0.01, 0.05, 0.937}, {0.0001, 0.002, 0.01, 0.9879},
      {0.5, 0.5}, {0.0005, 0.9995}, {0.001, 0.005, 0.05, 0.944}, {0.1, 0.9}, {0.0005, 0.002, 0.9975}}};
  for (int f = 0; f < kNumFields; ++f)
    for (int l = 0; l < LevelCount(f); ++l) {
      d.m[f][l] = m[f][l];
      d.u[f][l] = u[f][l];
    }
  return d;
}

}  // namespace concord::aid
