// Matching encoded aid records: comparison vectors, a Fellegi-Sunter model,
// and the "same person" / "same case" decisions.
//
// Why Fellegi-Sunter: each field's agreement level contributes the weight
// log2(m/u), where m = P(level | same person) and u = P(level | different
// people). The weights are interpretable (a clerk can be told "the ID numbers
// agree: +14.2"), missing fields contribute nothing instead of counting as
// disagreement, and the posterior match probability is calibrated when m, u
// and the prior are estimated from the data: u from random pairs (which are
// almost all non-matches), m and the prior by expectation-maximisation over
// the blocked candidate pairs (Winkler 1988; the method Splink uses). Nothing
// is fitted to labelled records.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/aid/linkage/tokens.h"

namespace concord::aid {

enum Field { kFieldId, kFieldName, kFieldDob, kFieldGender, kFieldPhone, kFieldAddress, kFieldCity,
             kFieldEmail, kNumFields };
constexpr int kMaxLevels = 5;
const char* FieldName(int field);        // "id_number", "name", ...
const char* FieldChineseName(int field);  // 身份证号, 姓名, ...
int LevelCount(int field);
const char* LevelName(int field, int level);  // "exact", "homophone or romanised", ...

// Per field: agreement level (0 = best), or -1 when either side lacks it.
struct ComparisonVector {
  std::array<int8_t, kNumFields> level;
};
ComparisonVector Compare(const EncodedRecord& a, const EncodedRecord& b);

struct Model {
  // m[f][l], u[f][l]: probability of level l of field f among matches / non-matches.
  std::array<std::array<double, kMaxLevels>, kNumFields> m{}, u{};
  double prior = 0.01;  // P(match) among blocked candidate pairs

  static Model Default();  // estimated on generated Chinese aid data (see matcher.cc)
  double Weight(int field, int level) const;  // log2(m/u)
  double MatchWeight(const ComparisonVector& c) const;
  double Probability(const ComparisonVector& c) const;
  std::string ToText() const;
  static absl::StatusOr<Model> FromText(const std::string& text);
};

// Estimates u from `random_pairs` comparisons and m and the prior by EM over
// `candidates`, starting from `start`. Levels never seen get a small floor.
Model EstimateModel(const std::vector<ComparisonVector>& candidates,
                    const std::vector<ComparisonVector>& random_pairs, const Model& start,
                    int iterations = 30);

// Same case: a shared case number, or the same incident date and crime.
bool SameCase(const EncodedRecord& a, const EncodedRecord& b);

// Candidate pairs (i < j) of `records` that share a blocking key; keys held by
// more than `max_block` records are skipped (counted in `skipped_keys`).
std::vector<std::pair<uint32_t, uint32_t>> CandidatePairs(const std::vector<EncodedRecord>& records,
                                                          size_t max_block,
                                                          size_t* skipped_keys = nullptr);

}  // namespace concord::aid
