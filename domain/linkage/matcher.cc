#include "domain/linkage/matcher.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "domain/linkage/parallel.h"

namespace concord::aid {
namespace {

struct FieldInfo {
  const char* name;
  const char* chinese;
  std::vector<const char*> levels;
};

const std::array<FieldInfo, kNumFields>& Fields() {
  static const std::array<FieldInfo, kNumFields> kFields = {{
      {"id_number",
       "身份证号",
       {"exact (valid)", "exact (unverified)", "1-2 characters differ", "different"}},
      {"name",
       "姓名",
       {"exact", "same pinyin (homophone or romanised)", "similar", "somewhat similar",
        "different"}},
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

// The fields in which household members agree like one person does.
bool HouseholdField(int f) { return f == kFieldPhone || f == kFieldAddress; }

// Levels are ordered from best agreement to worst, so their weights log2(m/u)
// must not increase from one level to the next. Unconstrained EM can break
// that (it may explain a field shared by many blocked non-matches, such as a
// city, with the "match" class); pooling adjacent violators (isotonic
// regression of the likelihood ratio) keeps every field pointing the right
// way and leaves an uninformative field with weight 0.
void MakeMonotone(int levels, std::array<double, kMaxLevels>& m,
                  std::array<double, kMaxLevels>& u) {
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
    const bool trusted =
        [](IdQuality q) {
          return q == IdQuality::kValid || q == IdQuality::kConverted15;
        }(a.id_quality) &&
        (b.id_quality == IdQuality::kValid || b.id_quality == IdQuality::kConverted15);
    if (a.id_token == b.id_token)
      c.level[kFieldId] = trusted ? 0 : 1;
    else
      c.level[kFieldId] = GramDice(a.id_digits, b.id_digits) >= 0.88 ? 2 : 3;
  }
  // Name: characters when both are Han, pinyin otherwise.
  if (!a.name_pinyin.empty() && !b.name_pinyin.empty()) {
    const double py = GramDice(a.name_pinyin, b.name_pinyin);
    // Both Han: characters decide "exact"; both Latin: the letters do; one
    // of each (张伟 / Zhang Wei) can at best share the pinyin.
    const bool a_han = !a.name_chars.empty(), b_han = !b.name_chars.empty();
    const double ch = a_han && b_han   ? GramDice(a.name_chars, b.name_chars)
                      : a_han == b_han ? py
                                       : 0;
    if (ch >= 0.999)
      c.level[kFieldName] = 0;
    else if (py >= 0.999)
      c.level[kFieldName] = 1;
    else
      c.level[kFieldName] = 2 + Level(std::max(ch, py), {0.8, 0.6});
  }
  if (!a.dob_token.empty() && !b.dob_token.empty()) {
    if (a.dob_token == b.dob_token)
      c.level[kFieldDob] = 0;
    else
      c.level[kFieldDob] = 1 + Level(GramDice(a.dob_digits, b.dob_digits), {0.85, 0.7});
  }
  if (!a.gender_token.empty() && !b.gender_token.empty())
    c.level[kFieldGender] = a.gender_token == b.gender_token ? 0 : 1;
  if (!a.phone_token.empty() && !b.phone_token.empty())
    c.level[kFieldPhone] = a.phone_token == b.phone_token ? 0 : 1;
  if (!a.address.empty() && !b.address.empty())
    c.level[kFieldAddress] = Level(GramDice(a.address, b.address), {0.95, 0.75, 0.5});
  if (!a.address_city_token.empty() && !b.address_city_token.empty())
    c.level[kFieldCity] = a.address_city_token == b.address_city_token ? 0 : 1;
  if (!a.email_token.empty() && !b.email_token.empty())
    c.level[kFieldEmail] = a.email_token == b.email_token  ? 0
                           : Dice(a.email, b.email) >= 0.8 ? 1
                                                           : 2;
  return c;
}

double Model::Weight(int f, int l) const {
  return std::log2(std::max(m[f][l], kFloor) / std::max(u[f][l], kFloor));
}

double Model::MatchWeight(const ComparisonVector& c) const {
  return LogModel(*this).MatchWeight(c);
}

LogModel::LogModel(const Model& model, bool households) {
  share = {std::log2(std::max(model.prior, 1e-12)),
           households && model.household > 0 ? std::log2(std::max(model.household, 1e-12)) : -1e300,
           std::log2(std::max(1 - model.prior - model.household, 1e-12))};
  const std::array<const std::array<std::array<double, kMaxLevels>, kNumFields>*, 3> dist = {
      &model.m, &model.h, &model.u};
  for (int k = 0; k < 3; ++k)
    for (int f = 0; f < kNumFields; ++f)
      for (int l = 0; l < kMaxLevels; ++l)
        level[k][f][l] = std::log2(std::max((*dist[k])[f][l], kFloor));
}

std::array<double, 3> LogModel::Joint(const ComparisonVector& c) const {
  std::array<double, 3> lg = share;
  for (int f = 0; f < kNumFields; ++f) {
    const int l = c.level[f];
    if (l < 0) continue;
    for (int k = 0; k < 3; ++k) lg[k] += level[k][f][l];
  }
  return lg;
}

std::array<double, 3> LogModel::Posterior(const ComparisonVector& c) const {
  // Normalised from the largest term, so that no share underflows.
  std::array<double, 3> r = Joint(c);
  const double top = std::max({r[0], r[1], r[2]});
  double sum = 0;
  for (double& x : r) sum += x = std::exp2(x - top);
  for (double& x : r) x /= sum;
  return r;
}

double LogModel::MatchWeight(const ComparisonVector& c) const {
  double w = 0;
  for (int f = 0; f < kNumFields; ++f)
    if (c.level[f] >= 0) w += level[kMatch][f][c.level[f]] - level[kOther][f][c.level[f]];
  return w;
}

double Model::Probability(const ComparisonVector& c) const {
  return LogModel(*this).Probability(c);
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
      for (int l = 0; l < LevelCount(f); ++l) model.u[f][l] = std::max(n[l] / total, kFloor);
  }
  // Households start out sharing a phone and an address (like matches) and
  // nothing else (like strangers). The class needs that evidence: without
  // phones in the data (Febrl, Splink's test set) it is left out, since a
  // shared town alone does not make a household.
  size_t with_phone = 0;
  for (const auto& c : candidates) with_phone += c.level[kFieldPhone] >= 0;
  const bool households = with_phone * 10 >= candidates.size() && !candidates.empty();
  model.household = households ? std::max(model.household, 0.05) : 0;
  for (int f = 0; f < kNumFields; ++f) model.h[f] = HouseholdField(f) ? model.m[f] : model.u[f];
  // EM over the candidates for all three classes. The random-pair u is only
  // the starting point: blocking selects pairs that agree on the blocking
  // fields (a pair blocked on birth date always agrees on it), so the
  // non-matches among candidates have their own u.
  for (int it = 0; it < iterations && !candidates.empty(); ++it) {
    std::array<std::array<std::array<double, kMaxLevels>, kNumFields>, 3> n{};
    std::array<std::array<double, kNumFields>, 3> t{};
    std::array<double, 3> share{};
    const LogModel logs(model, households);
    for (const auto& c : candidates) {
      // Responsibilities of the three classes for this pair.
      const std::array<double, 3> r = logs.Posterior(c);
      for (int k = 0; k < 3; ++k) {
        share[k] += r[k];
        for (int f = 0; f < kNumFields; ++f)
          if (c.level[f] >= 0) {
            n[k][f][c.level[f]] += r[k];
            t[k][f] += r[k];
          }
      }
    }
    model.prior = std::clamp(share[0] / candidates.size(), 1e-6, 0.999);
    model.household =
        households ? std::clamp(share[1] / candidates.size(), 1e-6, 0.999 - model.prior) : 0;
    std::array<std::array<std::array<double, kMaxLevels>, kNumFields>*, 3> dist = {
        &model.m, &model.h, &model.u};
    // A household member differs from a stranger only in where they live:
    // for the identity fields (ID, name, birth date, gender, e-mail) the two
    // non-match classes share one distribution. Without this tie EM is free
    // to turn "household" into "match with typos" on data without households.
    for (int f = 0; f < kNumFields; ++f) {
      if (HouseholdField(f)) continue;
      for (int l = 0; l < LevelCount(f); ++l) n[2][f][l] += n[1][f][l];
      t[2][f] += t[1][f];
      n[1][f] = n[2][f];
      t[1][f] = t[2][f];
    }
    for (int k = 0; k < 3; ++k)
      for (int f = 0; f < kNumFields; ++f)
        if (t[k][f] > 0)
          for (int l = 0; l < LevelCount(f); ++l)
            (*dist[k])[f][l] = std::max(n[k][f][l] / t[k][f], kFloor);
    for (int f = 0; f < kNumFields; ++f) MakeMonotone(LevelCount(f), model.m[f], model.u[f]);
  }
  return model;
}

std::string Evidence(const ComparisonVector& c, const Model& m) {
  std::string out;
  for (int f = 0; f < kNumFields; ++f) {
    if (c.level[f] < 0) continue;
    absl::StrAppend(&out, out.empty() ? "" : "; ", FieldChineseName(f), " ", FieldName(f), ": ",
                    LevelName(f, c.level[f]), absl::StrFormat(" %+.1f", m.Weight(f, c.level[f])));
  }
  return out;
}

namespace {

// A blocking key as two words: a token's 16 bytes; a shorter key padded and
// marked with its length; a longer one hashed (only tests use such keys).
struct KeyOf {
  uint64_t hi = 0, lo = 0;
  uint32_t record = 0;
  auto operator<=>(const KeyOf&) const = default;
};
KeyOf PackKey(const std::string& k, uint32_t record) {
  KeyOf out{.record = record};
  uint8_t b[16] = {};
  if (k.size() <= 16) {
    std::memcpy(b, k.data(), k.size());
    if (k.size() < 16) b[15] = static_cast<uint8_t>(k.size());
  } else {
    const uint64_t h1 = std::hash<std::string>{}(k), h2 = std::hash<std::string>{}(k + "\x01");
    std::memcpy(b, &h1, 8);
    std::memcpy(b + 8, &h2, 8);
  }
  std::memcpy(&out.hi, b, 8);
  std::memcpy(&out.lo, b + 8, 8);
  return out;
}

}  // namespace

std::vector<std::pair<uint32_t, uint32_t>> CandidatePairs(const std::vector<EncodedRecord>& records,
                                                          size_t max_block, size_t* skipped_keys) {
  // Every (key, record), sorted: a block is a run of one key. Sorting plain
  // words in parallel buckets (by the key's first byte) instead of hashing
  // strings into a map of vectors.
  std::vector<KeyOf> keys;
  {
    size_t total = 0;
    for (const auto& r : records) total += r.block_keys.size();
    keys.reserve(total);
  }
  for (uint32_t i = 0; i < records.size(); ++i)
    for (const auto& k : records[i].block_keys) keys.push_back(PackKey(k, i));
  {
    std::array<size_t, 257> start{};
    for (const KeyOf& k : keys) ++start[(k.hi & 0xff) + 1];
    for (int b = 0; b < 256; ++b) start[b + 1] += start[b];
    std::vector<KeyOf> bucketed(keys.size());
    std::array<size_t, 256> at;
    std::copy(start.begin(), start.end() - 1, at.begin());
    for (const KeyOf& k : keys) bucketed[at[k.hi & 0xff]++] = k;
    keys.swap(bucketed);
    OnThreads(Cores(), [&](unsigned t, unsigned n) {
      for (unsigned b = t; b < 256; b += n)
        std::sort(keys.begin() + static_cast<ptrdiff_t>(start[b]),
                  keys.begin() + static_cast<ptrdiff_t>(start[b + 1]));
    });
  }
  // Blocks of 2..max_block records, numbered in order; per record the
  // blocks it is in (ascending, as blocks are numbered in order).
  struct Block {
    size_t first, size;
  };
  std::vector<Block> blocks;
  std::vector<uint32_t> in_count(records.size() + 1, 0);
  size_t skipped = 0;
  for (size_t i = 0; i < keys.size();) {
    size_t j = i + 1;
    while (j < keys.size() && keys[j].hi == keys[i].hi && keys[j].lo == keys[i].lo) ++j;
    // A record listing one key twice is in its block once.
    size_t w = i + 1;
    for (size_t x = i + 1; x < j; ++x)
      if (keys[x].record != keys[w - 1].record) keys[w++] = keys[x];
    const size_t size = w - i;
    if (size < 2) {
      // a key of one record pairs no one
    } else if (size > max_block) {
      ++skipped;
    } else {
      blocks.push_back({i, size});
      for (size_t x = i; x < w; ++x) ++in_count[keys[x].record + 1];
    }
    i = j;
  }
  for (size_t r = 0; r < records.size(); ++r) in_count[r + 1] += in_count[r];
  std::vector<uint32_t> in_blocks(in_count.back());
  {
    std::vector<uint32_t> at(in_count.begin(), in_count.end() - 1);
    for (uint32_t b = 0; b < blocks.size(); ++b)
      for (size_t x = 0; x < blocks[b].size; ++x)
        in_blocks[at[keys[blocks[b].first + x].record]++] = b;
  }
  // A pair is listed by the first block its two records share, so each
  // pair once with no set of the pairs seen. Threads take consecutive
  // blocks of equal total work; their lists joined in order are in block
  // order whatever the number of cores.
  auto first_shared = [&](uint32_t a, uint32_t b) {
    const uint32_t *x = &in_blocks[in_count[a]], *xe = &in_blocks[in_count[a + 1]];
    const uint32_t *y = &in_blocks[in_count[b]], *ye = &in_blocks[in_count[b + 1]];
    while (x != xe && y != ye) {
      if (*x == *y) return *x;
      *x < *y ? ++x : ++y;
    }
    return UINT32_MAX;  // not reached: they share the block they were found in
  };
  std::vector<double> work(blocks.size() + 1, 0);
  for (size_t b = 0; b < blocks.size(); ++b)
    work[b + 1] = work[b] + 0.5 * static_cast<double>(blocks[b].size) * (blocks[b].size - 1);
  const unsigned cores = Cores();
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> found(cores);
  OnThreads(cores, [&](unsigned t, unsigned n) {
    const auto edge = [&](unsigned k) {
      return static_cast<size_t>(
          std::lower_bound(work.begin(), work.end() - 1, work.back() * k / n) - work.begin());
    };
    const size_t from = edge(t), to = t + 1 == n ? blocks.size() : edge(t + 1);
    auto& out = found[t];
    for (size_t b = from; b < to; ++b) {
      const KeyOf* m = &keys[blocks[b].first];
      for (size_t x = 0; x < blocks[b].size; ++x)
        for (size_t y = x + 1; y < blocks[b].size; ++y) {
          const uint32_t i = std::min(m[x].record, m[y].record),
                         j = std::max(m[x].record, m[y].record);
          if (first_shared(i, j) == b) out.emplace_back(i, j);
        }
    }
  });
  if (skipped_keys) *skipped_keys = skipped;
  std::vector<std::pair<uint32_t, uint32_t>> out;
  size_t total = 0;
  for (const auto& f : found) total += f.size();
  out.reserve(total);
  for (auto& f : found) {
    out.insert(out.end(), f.begin(), f.end());
    std::vector<std::pair<uint32_t, uint32_t>>().swap(f);
  }
  return out;
}

std::string Model::ToText() const {
  std::ostringstream out;
  out.precision(17);
  out << "prior " << prior << "\n";
  out << "household " << household << "\n";
  for (int f = 0; f < kNumFields; ++f) {
    out << FieldName(f);
    for (int l = 0; l < LevelCount(f); ++l)
      out << " " << m[f][l] << "/" << u[f][l] << "/" << h[f][l];
    out << "\n";
  }
  return out.str();
}

absl::StatusOr<Model> Model::FromText(const std::string& text) {
  // "prior P", "household P", then one line per field: "name m/u[/h] ..."
  // (h defaults to u). Errors name the line, counting blank ones.
  Model model;
  std::array<bool, kNumFields> seen{};
  int line_no = 0;
  auto bad = [&](absl::string_view line, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("模型第 ", line_no, " 行无法识别 / model line ",
                                                   line_no, ": ", why, ": ", std::string(line)));
  };
  auto number = [](const std::string& s, double* out) {
    return absl::SimpleAtod(s, out) && *out >= 0 && *out <= 1;
  };
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (parts.empty()) continue;
    if (parts.size() == 2 && (parts[0] == "prior" || parts[0] == "household")) {
      if (!number(parts[1], parts[0] == "prior" ? &model.prior : &model.household))
        return bad(line, "want a probability");
      continue;
    }
    int f = 0;
    while (f < kNumFields && parts[0] != FieldName(f)) ++f;
    if (f == kNumFields) return bad(line, "unknown field");
    if (static_cast<int>(parts.size()) != LevelCount(f) + 1)
      return bad(line, "wrong number of levels");
    for (int l = 0; l < LevelCount(f); ++l) {
      std::vector<std::string> v = absl::StrSplit(parts[l + 1], '/');
      if (v.size() < 2 || v.size() > 3 || !number(v[0], &model.m[f][l]) ||
          !number(v[1], &model.u[f][l]) || (v.size() == 3 && !number(v[2], &model.h[f][l])))
        return bad(line, "want m/u or m/u/h probabilities");
      if (v.size() == 2) model.h[f][l] = model.u[f][l];
    }
    seen[f] = true;
  }
  for (int f = 0; f < kNumFields; ++f)
    if (!seen[f])
      return absl::InvalidArgumentError(absl::StrCat("模型缺少字段 / model lacks ", FieldName(f)));
  if (model.prior + model.household >= 1)
    return absl::InvalidArgumentError("prior + household 须小于 1 / prior + household must be < 1");
  return model;
}

Model Model::Start() {
  // Where EM starts: agreement is likely among matches and rare among others,
  // nothing more. (Starting from an estimate made on other data can lead EM
  // to another optimum: from the Chinese estimate, Splink's fake_1000 ends at
  // F1 0.67 instead of 0.87.)
  Model d;
  d.prior = 0.05;
  d.household = 0.05;
  const std::array<std::vector<double>, kNumFields> m = {{{0.85, 0.05, 0.07, 0.03},
                                                          {0.7, 0.15, 0.1, 0.03, 0.02},
                                                          {0.9, 0.05, 0.02, 0.03},
                                                          {0.98, 0.02},
                                                          {0.9, 0.1},
                                                          {0.6, 0.2, 0.1, 0.1},
                                                          {0.9, 0.1},
                                                          {0.8, 0.15, 0.05}}};
  const std::array<std::vector<double>, kNumFields> u = {{{1e-6, 1e-6, 1e-4, 0.9999},
                                                          {0.001, 0.002, 0.01, 0.05, 0.937},
                                                          {0.0001, 0.002, 0.01, 0.9879},
                                                          {0.5, 0.5},
                                                          {0.0005, 0.9995},
                                                          {0.001, 0.005, 0.05, 0.944},
                                                          {0.1, 0.9},
                                                          {0.0005, 0.002, 0.9975}}};
  for (int f = 0; f < kNumFields; ++f)
    for (int l = 0; l < LevelCount(f); ++l) {
      d.m[f][l] = m[f][l];
      d.u[f][l] = u[f][l];
      d.h[f][l] = HouseholdField(f) ? m[f][l] : u[f][l];
    }
  return d;
}

Model Model::Default() {
  // Estimated without labels (EM, as `concordctl aid dedup --model-out` does)
  // on 72,702 synthetic grants of 50,000 people from
  //   concord-aid-gen --people 50000 --seed 11 --profile realistic
  // i.e. on candidate pairs blocked the way the aid agent's registry blocks
  // them. Deployments can re-estimate on their own books and set
  // [aid] model = "file" for the agent.
  static const Model kDefault = *FromText(R"(
prior 0.111919
household 0.0233952
id_number 0.937996/0.0001/0.0001 0.00804538/0.0001/0.0001 0.0540455/0.000671759/0.000671759 0.0001/0.999328/0.999328
name 0.870134/0.304396/0.304396 0.1206/0.289846/0.289846 0.000225366/0.000541638/0.000541638 0.00703582/0.0212286/0.0212286 0.00200513/0.383987/0.383987
birth_date 0.999991/0.378892/0.378892 0.0001/0.000851522/0.000851522 0.0001/0.012975/0.012975 0.0001/0.607282/0.607282
gender 0.99598/0.67416/0.67416 0.00401978/0.32584/0.32584
phone 0.997413/0.0001/0.999962 0.00258737/0.999995/0.0001
address 0.88146/0.0001/0.946286 0.11055/0.0001/0.0485505 0.00792851/0.0530582/0.00515459 0.0001/0.94689/0.0001
city 1/0.069999/0.069999 0.0001/0.930001/0.930001
email 0.8/0.0005/0.0005 0.15/0.002/0.002 0.05/0.9975/0.9975
)");
  return kDefault;
}

}  // namespace concord::aid
