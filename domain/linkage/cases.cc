#include "domain/linkage/cases.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace concord::aid {

std::string CaseLinks::Root(const std::string& token) const {
  auto it = parent_.find(token);
  if (it == parent_.end()) return token;
  std::string at = token;
  while (true) {
    auto& up = parent_[at];
    if (up == at) return at;
    auto& grand = parent_[up];
    up = grand;  // path halving
    at = up;
  }
}

bool CaseLinks::Link(const std::string& a, const std::string& b) {
  parent_.try_emplace(a, a);
  parent_.try_emplace(b, b);
  const std::string ra = Root(a), rb = Root(b);
  if (ra == rb) return false;
  // The smaller token leads, so that the classes do not depend on the order.
  if (ra < rb)
    parent_[rb] = ra;
  else
    parent_[ra] = rb;
  ++links_;
  return true;
}

bool CaseLinks::Linked(const std::string& a, const std::string& b) const {
  if (a == b) return true;
  if (!Known(a) || !Known(b)) return false;
  return Root(a) == Root(b);
}

const char* CaseRelationName(CaseRelation r) {
  switch (r) {
    case CaseRelation::kSame:
      return "same";
    case CaseRelation::kOther:
      return "other";
    default:
      return "unknown";
  }
}

const char* CaseRelationChineseName(CaseRelation r) {
  switch (r) {
    case CaseRelation::kSame:
      return "同一案件";
    case CaseRelation::kOther:
      return "不同案件";
    default:
      return "案件不明";
  }
}

namespace {

// Days between the incident dates: 0..3, 4 when further, -1 when either is unknown.
int DateDistance(const EncodedRecord& a, const EncodedRecord& b) {
  constexpr size_t kDays = 2 * EncodedRecord::kDaysAround + 1;
  if (a.incident_days.size() != kDays || b.incident_days.size() != kDays) return -1;
  const std::string& own = a.incident_days[EncodedRecord::kDaysAround];
  for (size_t i = 0; i < kDays; ++i)
    if (b.incident_days[i] == own) {
      const int off = static_cast<int>(i) - EncodedRecord::kDaysAround;
      return off < 0 ? -off : off;
    }
  return EncodedRecord::kDaysAround + 1;
}

int ChargeAgreement(const EncodedRecord& a, const EncodedRecord& b) {
  if (a.crime_tokens.empty() || b.crime_tokens.empty()) return 0;
  for (const auto& x : a.crime_tokens)
    if (std::find(b.crime_tokens.begin(), b.crime_tokens.end(), x) != b.crime_tokens.end())
      return 1;
  return -1;
}

}  // namespace

CaseEvidence RelateCases(const EncodedRecord& a, const EncodedRecord& b, const CaseLinks* links) {
  CaseEvidence e;
  e.date_distance = DateDistance(a, b);
  e.charge = ChargeAgreement(a, b);
  for (const auto& x : a.case_tokens)
    for (const auto& y : b.case_tokens) {
      if (x == y) {
        e.relation = CaseRelation::kSame;
        e.reason = "同一案件：案号相同 / same case: a shared case number";
        return e;
      }
      if (links && links->Linked(x, y)) {
        e.relation = CaseRelation::kSame;
        e.reason =
            "同一案件：案号经案件流转关联为同一案件 / same case: the numbers are linked by the "
            "case's transfers";
        return e;
      }
    }
  // One agency's numbering (the same shape), two numbers: two cases.
  for (const auto& x : a.case_kinds)
    if (std::find(b.case_kinds.begin(), b.case_kinds.end(), x) != b.case_kinds.end()) {
      e.relation = CaseRelation::kOther;
      e.reason =
          "不同案件：同一编号方式下案号不同 / other case: different numbers of one agency's "
          "numbering";
      return e;
    }
  const int d = e.date_distance;
  // Built only for the answers that name the distance.
  const auto days = [d] {
    return d == 0 ? std::string("案发日期相同 / same incident date")
                  : absl::StrCat("案发日期相差 ", d, " 天 / incident dates ", d, " day(s) apart");
  };
  if (d > EncodedRecord::kDaysAround) {
    e.relation = CaseRelation::kOther;
    e.reason = "不同案件：案发日期相差三天以上 / other case: incident dates more than 3 days apart";
  } else if (d >= 0 && e.charge == 1) {
    e.relation = CaseRelation::kSame;
    e.reason = absl::StrCat("同一案件：", days(), "，案由相同 / same charge");
  } else if (d == 0 && e.charge == 0) {
    e.relation = CaseRelation::kSame;
    e.reason = absl::StrCat("同一案件：", days(), "（一方未填案由 / one charge missing）");
  } else if (d < 0 && !a.incident_token.empty() && a.incident_token == b.incident_token) {
    // Grants encoded before the day tokens: the exact date and charge.
    e.relation = CaseRelation::kSame;
    e.reason = "同一案件：案发日期与案由相同 / same case: same incident date and charge";
  } else if (d >= 0) {
    e.relation = CaseRelation::kUnknown;
    e.reason = absl::StrCat(
        "案件不明：", days(), "，",
        e.charge == -1 ? "案由不同 / different charges" : "一方未填案由 / one charge missing",
        "，请核实 / check the files");
  } else {
    e.relation = CaseRelation::kUnknown;
    e.reason = absl::StrCat(
        "案件不明：案号无关联，",
        e.charge == 1 ? "案由相同但缺案发日期 / no link, the same charge but no incident date"
        : e.charge == -1 ? "案由不同且缺案发日期（案由可能在诉讼中变更）/ no link, different "
                           "charges (they change between stages) and no incident date"
                         : "缺案发日期和案由 / no link, no incident date or charge",
        "，请核实 / check the files");
  }
  return e;
}

}  // namespace concord::aid
