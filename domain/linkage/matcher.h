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
#include "domain/linkage/cases.h"
#include "domain/linkage/tokens.h"

namespace concord::aid {

enum Field {
  kFieldId,
  kFieldName,
  kFieldDob,
  kFieldGender,
  kFieldPhone,
  kFieldAddress,
  kFieldCity,
  kFieldEmail,
  kNumFields
};
constexpr int kMaxLevels = 5;
const char* FieldName(int field);         // "id_number", "name", ...
const char* FieldChineseName(int field);  // 身份证号, 姓名, ...
int LevelCount(int field);
const char* LevelName(int field, int level);  // "exact", "homophone or romanised", ...

// Per field: agreement level (0 = best), or -1 when either side lacks it.
struct ComparisonVector {
  std::array<int8_t, kNumFields> level;
};
ComparisonVector Compare(const EncodedRecord& a, const EncodedRecord& b);

// Three latent classes, not two: the same person (m), members of one
// household (h: they share a phone and an address but not a name, birth date
// or ID number) and everyone else (u). With only two classes EM folds
// households into "same person" - phone and address agreements count as
// independent evidence when they are one fact - and a victim's spouse looks
// like the victim (Larsen and Rubin 2001 use extra latent classes the same way).
struct Model {
  // m[f][l], h[f][l], u[f][l]: probability of level l of field f among
  // matches / household members / other non-matches.
  std::array<std::array<double, kMaxLevels>, kNumFields> m{}, u{}, h{};
  double prior = 0.01;      // P(same person) among blocked candidate pairs
  double household = 0.05;  // P(same household, another person) among them

  static Model Default();  // estimated on generated Chinese aid data (see matcher.cc)
  static Model Start();    // neutral starting values for EstimateModel
  double Weight(int field, int level) const;  // log2(m/u): what a clerk is shown
  // One pair each; for many pairs build a LogModel once (these build one
  // per call).
  double MatchWeight(const ComparisonVector& c) const;
  // P(same person | c) over the three classes.
  double Probability(const ComparisonVector& c) const;
  std::string ToText() const;
  static absl::StatusOr<Model> FromText(const std::string& text);
};

// A model in the form scoring needs: log2 of each class's share and of each
// level's probability per class, computed once for many pairs (a log2 per
// field and pair was a tenth of a batch run).
struct LogModel {
  enum Class { kMatch, kHousehold, kOther };
  explicit LogModel(const Model& model, bool households = true);
  std::array<double, 3> share;
  std::array<std::array<std::array<double, kMaxLevels>, kNumFields>, 3> level;
  // log2 P(class, c) for the three classes.
  std::array<double, 3> Joint(const ComparisonVector& c) const;
  // P(class | c) for the three classes.
  std::array<double, 3> Posterior(const ComparisonVector& c) const;
  double Probability(const ComparisonVector& c) const { return Posterior(c)[kMatch]; }
  double MatchWeight(const ComparisonVector& c) const;  // sum of log2(m/u)
};

// "姓名 name: same pinyin (homophone or romanised) +7.9; ..." for a clerk:
// each compared field's level and weight.
std::string Evidence(const ComparisonVector& c, const Model& m);

// Starts u from `random_pairs` comparisons, then estimates all three classes
// and their shares by EM over `candidates`, from `start`. Levels never seen
// get a small floor; m/u is kept non-increasing across levels.
Model EstimateModel(const std::vector<ComparisonVector>& candidates,
                    const std::vector<ComparisonVector>& random_pairs, const Model& start,
                    int iterations = 30);

// Candidate pairs (i < j) of `records` that share a blocking key, each once,
// grouped by block (the same order on any number of cores); keys held by
// more than `max_block` records are skipped (counted in `skipped_keys`).
std::vector<std::pair<uint32_t, uint32_t>> CandidatePairs(const std::vector<EncodedRecord>& records,
                                                          size_t max_block,
                                                          size_t* skipped_keys = nullptr);

}  // namespace concord::aid
