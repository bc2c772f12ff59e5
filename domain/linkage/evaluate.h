// Pairwise precision / recall / F1 of a dedup run against a file's truth.
// Used by concord-aid-accuracy and the accuracy regression test.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "domain/linkage/dedup.h"

namespace concord::aid {

// record id -> truth group, read from the file itself: Febrl's rec-N-org /
// rec-N-dup-k (same N), Splink's `cluster`, aid files' `person_id` (plus
// `case_id` when `with_case`, for duplicate grants).
std::map<std::string, std::string> ReadTruth(const std::string& path, InputFormat format,
                                             bool with_case);

struct PairScore {
  size_t truth = 0, found = 0, right = 0;  // true pairs; pairs found; found and true
  double precision() const { return found ? double(right) / found : 1; }
  double recall() const { return truth ? double(right) / truth : 1; }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
};

// The universe is all n(n-1)/2 pairs: a true pair never compared is missed.
PairScore Score(const std::vector<DedupPair>& pairs,
                const std::map<std::string, std::string>& truth);

}  // namespace concord::aid
