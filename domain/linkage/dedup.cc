#include "domain/linkage/dedup.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "domain/linkage/parallel.h"

namespace concord::aid {
namespace {

constexpr size_t kMinPairsForEm = 1000;
// EM estimates a few dozen probabilities: a random sample of this many
// candidate pairs estimates them as well as millions do, in a fraction of
// the time; every candidate pair is then scored with the estimate.
constexpr size_t kEmSample = 400'000;

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::vector<std::string> SplitTrimmed(const std::string& line) {
  std::vector<std::string> out;
  for (absl::string_view f : absl::StrSplit(line, ','))
    out.emplace_back(absl::StripAsciiWhitespace(f));
  return out;
}

}  // namespace

absl::StatusOr<InputFormat> ParseInputFormat(const std::string& name) {
  if (name == "concord") return InputFormat::kConcord;
  if (name == "febrl") return InputFormat::kFebrl;
  if (name == "splink") return InputFormat::kSplink;
  return absl::InvalidArgumentError(
      absl::StrCat("未知格式 / unknown format '", name, "' (concord, febrl or splink)"));
}

absl::StatusOr<std::vector<AidRecord>> ReadLinkageFile(const std::string& path, InputFormat format,
                                                       const std::vector<std::string>& ignore) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("无法打开 / cannot open ", path));
  std::string line;
  if (!std::getline(in, line))
    return absl::InvalidArgumentError(absl::StrCat("空文件 / empty file ", path));
  const std::vector<std::string> header = SplitTrimmed(line);
  auto col = [&](const std::string& name) -> int {
    for (const auto& i : ignore)
      if (i == name) return -1;
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    return -1;
  };
  const bool febrl = format == InputFormat::kFebrl;
  const int c_id = col(febrl ? "rec_id" : "unique_id");
  if (c_id < 0)
    return absl::InvalidArgumentError(absl::StrCat("缺少编号列 / no id column in ", path));
  const int c_given = col(febrl ? "given_name" : "first_name"), c_surname = col("surname"),
            c_dob = col(febrl ? "date_of_birth" : "dob");
  const int c_ssid = febrl ? col("soc_sec_id") : -1, c_email = febrl ? -1 : col("email");
  const std::vector<int> c_street =
      febrl ? std::vector<int>{col("street_number"), col("address_1"), col("address_2"),
                               col("suburb"),        col("postcode"),  col("state")}
            : std::vector<int>{col("city")};
  std::vector<AidRecord> out;
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    const std::vector<std::string> f = SplitTrimmed(line);
    auto get = [&](int c) {
      return c >= 0 && c < static_cast<int>(f.size()) ? f[c] : std::string();
    };
    AidRecord r;
    r.line = line_no;
    r.record_id = get(c_id);
    r.name = absl::StrCat(get(c_given), " ", get(c_surname));
    r.birth_date = get(c_dob);
    r.id_number = get(c_ssid);
    r.email = get(c_email);
    std::vector<std::string> addr;
    for (int c : c_street)
      if (!get(c).empty()) addr.push_back(get(c));
    r.address = absl::StrJoin(addr, " ");
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

// Runs body(i) for i in [0, count) on every core; `tick(done)` now and then
// from the first worker (its share times the workers: an estimate).
void ForAll(size_t count, const std::function<void(size_t)>& body,
            const std::function<void(size_t)>& tick) {
  const unsigned cores = Cores();
  const size_t every = std::max<size_t>(1, count / cores / 100);
  OnThreads(cores, [&](unsigned t, unsigned n) {
    size_t mine = 0;
    for (size_t i = t; i < count; i += n) {
      body(i);
      if (t == 0 && tick && ++mine % every == 0) tick(std::min(count, mine * n));
    }
  });
  if (tick) tick(count);
}

}  // namespace

std::vector<EncodedRecord> EncodeAll(const std::vector<AidRecord>& records, const Encoder& encoder,
                                     const std::function<void(size_t)>& tick) {
  std::vector<EncodedRecord> enc(records.size());
  ForAll(
      records.size(), [&](size_t i) { enc[i] = encoder.Encode(records[i]); }, tick);
  return enc;
}

absl::StatusOr<DedupResult> RunDedup(const std::string& path, const DedupOptions& o,
                                     const LinkageKey& key) {
  DedupResult res;
  auto t0 = std::chrono::steady_clock::now();
  if (o.progress) o.progress("读取 read", 0, 1);
  std::vector<AidRecord> records;
  if (o.format == InputFormat::kConcord) {
    auto csv = ReadAidCsvFile(path, o.column_map);
    if (!csv.ok()) return csv.status();
    records = std::move(csv->records);
    res.errors = std::move(csv->errors);
  } else {
    auto r = ReadLinkageFile(path, o.format, o.ignore_columns);
    if (!r.ok()) return r.status();
    records = std::move(*r);
  }
  res.records = records.size();
  res.seconds_read = SecondsSince(t0);
  if (o.progress) o.progress("读取 read", 1, 1);
  auto tick = [&o](std::string_view stage, size_t total) -> std::function<void(size_t)> {
    if (!o.progress) return {};
    return [&o, stage, total](size_t done) { o.progress(stage, done, total); };
  };

  t0 = std::chrono::steady_clock::now();
  const Encoder encoder(key);
  const std::vector<EncodedRecord> enc =
      EncodeAll(records, encoder, tick("编码 encode", records.size()));
  if (!o.keep_records) std::vector<AidRecord>().swap(records);  // the clear records: done with
  CaseLinks links;
  if (!o.case_links.empty()) {
    auto l = ReadCaseLinksFile(o.case_links);
    if (!l.ok()) return l.status();
    for (const auto& [a, b] : l->pairs) {
      const std::string ta = encoder.CaseToken(a), tb = encoder.CaseToken(b);
      if (!ta.empty() && !tb.empty() && ta != tb) links.Link(ta, tb);
    }
    res.link_errors = std::move(l->errors);
    res.links = links.links();
  }
  res.seconds_encode = SecondsSince(t0);

  t0 = std::chrono::steady_clock::now();
  if (o.progress) o.progress("分块 block", 0, 1);
  const auto pairs = CandidatePairs(enc, o.max_block, &res.skipped_keys);
  if (o.progress) o.progress("分块 block", 1, 1);
  res.candidates = pairs.size();
  std::vector<ComparisonVector> cand(pairs.size());
  ForAll(
      pairs.size(), [&](size_t i) { cand[i] = Compare(enc[pairs[i].first], enc[pairs[i].second]); },
      tick("比对 compare", pairs.size()));
  std::vector<ComparisonVector> random;
  if (enc.size() >= 2) {
    std::mt19937_64 rng(o.seed);
    std::uniform_int_distribution<size_t> pick(0, enc.size() - 1);
    const size_t want = std::min<size_t>(200'000, enc.size() * (enc.size() - 1) / 2);
    random.reserve(want);
    while (random.size() < want) {
      const size_t a = pick(rng), b = pick(rng);
      if (a != b) random.push_back(Compare(enc[a], enc[b]));
    }
  }
  // EM needs data: a small file is judged with the shipped model.
  std::vector<ComparisonVector> sample;
  const std::vector<ComparisonVector>* em_pairs = &cand;
  if (cand.size() > kEmSample) {
    std::mt19937_64 rng(o.seed ^ 0x656d);
    std::uniform_int_distribution<size_t> pick(0, cand.size() - 1);
    sample.reserve(kEmSample);
    for (size_t k = 0; k < kEmSample; ++k) sample.push_back(cand[pick(rng)]);
    em_pairs = &sample;
  }
  if (o.progress) o.progress("估计模型 EM", 0, 1);
  res.model = em_pairs->size() >= kMinPairsForEm
                  ? EstimateModel(*em_pairs, random, Model::Start(), o.em_iterations)
                  : Model::Default();
  if (o.progress) o.progress("估计模型 EM", 1, 1);
  // The pairs at or above the threshold, in the order of the file's rows.
  const LogModel scores(res.model);
  std::vector<std::pair<size_t, double>> kept;
  for (size_t i = 0; i < pairs.size(); ++i)
    if (const double p = scores.Probability(cand[i]); p >= o.threshold) kept.emplace_back(i, p);
  std::sort(kept.begin(), kept.end(),
            [&](const auto& x, const auto& y) { return pairs[x.first] < pairs[y.first]; });
  for (const auto& [i, p] : kept) {
    const EncodedRecord& a = enc[pairs[i].first];
    const EncodedRecord& b = enc[pairs[i].second];
    DedupPair pair{.id_a = a.record_id,
                   .id_b = b.record_id,
                   .probability = p,
                   .weight = scores.MatchWeight(cand[i]),
                   .relation = CaseRelation::kSame,
                   .case_reason = {},
                   .person_reason = o.keep_records ? Evidence(cand[i], res.model) : ""};
    if (o.person_only) {
      res.pairs.push_back(std::move(pair));
      continue;
    }
    CaseEvidence ce = RelateCases(a, b, &links);
    pair.relation = ce.relation;
    pair.case_reason = std::move(ce.reason);
    (ce.relation == CaseRelation::kSame    ? res.pairs
     : ce.relation == CaseRelation::kOther ? res.other
                                           : res.review)
        .push_back(std::move(pair));
  }
  res.seconds_match = SecondsSince(t0);
  if (o.keep_records) res.kept = std::move(records);
  return res;
}

}  // namespace concord::aid
