// Whether two encoded grants are for one case, when each agency numbers the
// case its own way.
//
// The police's 立案号, the procuratorate's 检刑诉 number and the court's 刑初
// number of one case share no character. What ties them is the case flow:
// each transfer names both numbers. CaseLinks keeps such pairs (as keyed
// tokens, never the numbers) closed transitively, so that police -> procuratorate
// and procuratorate -> court make all three one case.
//
// RelateCases then answers with three values, not two, because "nothing tells"
// is not "another case":
//
//   same     a shared or linked number; or incident dates at most three days
//            apart with the same charge (by meaning, charges.h); or the same
//            date when the charge is missing on one side;
//   other    two numbers written with Chinese of one shape (one agency's
//            numbering: digits aside, the same text) that differ; or dates
//            more than three days apart;
//   unknown  the rest: no date on one side (charges change between stages,
//            so even different ones do not tell cases apart), near dates
//            with different charges, or nothing known. A grant for the same person with the case
//            unknown is for a person to check (需核实), not a duplicate and not cleared.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/linkage/tokens.h"

namespace concord::aid {

// Equivalence classes of case-number tokens (union-find with path halving).
class CaseLinks {
 public:
  // a and b (16-byte tokens of two numbers) name one case. Returns false when
  // they were already one.
  bool Link(const std::string& a, const std::string& b);
  bool Known(const std::string& token) const { return parent_.count(token) > 0; }
  // The class's representative; the token itself when it is in no link.
  std::string Root(const std::string& token) const;
  bool Linked(const std::string& a, const std::string& b) const;
  size_t tokens() const { return parent_.size(); }
  size_t links() const { return links_; }

 private:
  mutable std::unordered_map<std::string, std::string> parent_;
  size_t links_ = 0;
};

enum class CaseRelation { kUnknown, kSame, kOther };
const char* CaseRelationName(CaseRelation r);         // "same", "other", "unknown"
const char* CaseRelationChineseName(CaseRelation r);  // 同一案件, 不同案件, 案件不明

struct CaseEvidence {
  CaseRelation relation = CaseRelation::kUnknown;
  int date_distance = -1;  // days between the incident dates (0..3), 4 if further, -1 unknown
  int charge = 0;          // 1 the same charge, -1 different ones, 0 unknown
  std::string reason;      // Chinese / English, for the clerk
};

CaseEvidence RelateCases(const EncodedRecord& a, const EncodedRecord& b,
                         const CaseLinks* links = nullptr);

inline bool SameCase(const EncodedRecord& a, const EncodedRecord& b,
                     const CaseLinks* links = nullptr) {
  return RelateCases(a, b, links).relation == CaseRelation::kSame;
}

}  // namespace concord::aid
