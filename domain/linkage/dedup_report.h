// The batch check's report for a clerk (concordctl aid dedup --report):
// what pairs.csv says, as something to act on.
//
// - Groups: the pairs judged duplicates (same person, same case) and those
//   to check (same person, case unknown), closed transitively, so that three
//   agencies' grants of one victim are one group, not three pairs.
// - Each group's verdict: 重复救助 when a pair in it is the same case,
//   otherwise 需核实（同一人，案件不明）.
// - Each record's own fields side by side (the report is made at the agency,
//   where the clear data may be seen), then each pair's probability and its
//   reasons in Chinese (the fields' agreement and weight, the case's).
// - Sorted by what needs a decision first: 重复救助 before 需核实, then the
//   most money, then the surest.
//
// As an HTML page (print-ready, A4 landscape) and as .xlsx (sheet 重复组 with
// one row per record, sheet 记录对 with one row per pair).
#pragma once

#include <string>
#include <vector>

#include "domain/linkage/dedup.h"

namespace concord::aid {

struct DedupReportGroup {
  bool duplicate = false;               // 重复救助; else 需核实
  std::vector<size_t> records;          // indices into DedupResult::kept, by grant date
  std::vector<const DedupPair*> pairs;  // the pairs that tie them
  double max_probability = 0;
  int64_t amount_fen = 0;  // money in the group
};

struct DedupReportInput {
  std::string input_name;    // the file checked
  std::string column_map;    // DescribeAidColumnMap(), "" when none
  std::string generated_at;  // "2026-12-03 15:20"
};

// The groups of `result` (made with keep_records), sorted as above.
std::vector<DedupReportGroup> GroupPairs(const DedupResult& result);

std::string DedupReportHtml(const DedupResult& result, const std::vector<DedupReportGroup>& groups,
                            const DedupReportInput& input);
std::string DedupReportXlsx(const DedupResult& result, const std::vector<DedupReportGroup>& groups,
                            const DedupReportInput& input);

}  // namespace concord::aid
