// Batch duplicate detection over a file: the same normalisation, encoding and
// matching the adapters and the aid agent use, for audits of existing books
// and for measuring accuracy (`concordctl aid dedup`).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/linkage/aid_csv.h"
#include "domain/linkage/matcher.h"

namespace concord::aid {

enum class InputFormat {
  kConcord,  // the aid CSV (aid_csv.h)
  kFebrl,    // Febrl dsgen files: rec_id, given_name, surname, street_number, ...
  kSplink,   // Splink's fake_1000: unique_id, first_name, surname, dob, city, email
};
absl::StatusOr<InputFormat> ParseInputFormat(const std::string& name);

// Reads a Febrl or Splink file into aid records (no case, no grant).
// `ignore_columns` are dropped as if absent (e.g. soc_sec_id).
absl::StatusOr<std::vector<AidRecord>> ReadLinkageFile(
    const std::string& path, InputFormat format, const std::vector<std::string>& ignore_columns);

struct DedupOptions {
  InputFormat format = InputFormat::kConcord;
  std::vector<std::string> ignore_columns;
  // Same-person pairs only (Febrl and Splink files have no case); for aid
  // files a duplicate is the same person in the same case.
  bool person_only = false;
  double threshold = 0.5;  // posterior P(same person) at or above which a pair is judged a match
  // Blocking keys held by more records are not used (the finer keys inside
  // a large block still are: tokens.h). 300 rather than 1,000: on 1,000,010
  // generated grants 29.3M candidate pairs instead of 46.3M, 176,825
  // duplicate pairs found instead of 176,965; on 200,000 the same F1.
  size_t max_block = 300;
  int em_iterations = 30;
  uint64_t seed = 1;  // for the random pairs that estimate u
  // A case-links file (aid_csv.h ParseCaseLinksCsv): numbers of one case.
  std::string case_links;
  AidColumnMap column_map;  // aid files with the agency's own headers
  // Keep the clear records and each pair's field evidence, for the clerk's
  // report (dedup_report.h).
  bool keep_records = false;
  // Told how far each stage is ("编码 encode", "比对 compare", ...), about a
  // hundred times a stage, from the calling thread or a worker; for a
  // terminal's progress bar (concordctl). Unset: nothing is told.
  std::function<void(std::string_view stage, size_t done, size_t total)> progress;
};

struct DedupPair {
  std::string id_a, id_b;
  double probability = 0;
  double weight = 0;
  CaseRelation relation = CaseRelation::kSame;
  std::string case_reason;
  std::string person_reason;  // with keep_records: Evidence() of the comparison
};

struct DedupResult {
  std::vector<DedupPair> pairs;   // duplicates: same person, same case (or same person only)
  std::vector<DedupPair> review;  // same person, case unknown: for a person to check
  std::vector<DedupPair> other;   // same person, another case: allowed
  std::vector<CsvError> link_errors;
  size_t links = 0;              // case links read (pairs that joined two classes)
  std::vector<AidRecord> kept;   // with keep_records: every good record, in file order
  std::vector<CsvError> errors;  // rows skipped (aid files)
  size_t records = 0, candidates = 0, skipped_keys = 0;
  Model model;
  double seconds_read = 0, seconds_encode = 0, seconds_match = 0;
};

// Encodes every record on every core (ICU's tables and caches are per thread);
// `tick`, if given, is told how many are done now and then (from one worker).
std::vector<EncodedRecord> EncodeAll(const std::vector<AidRecord>& records, const Encoder& encoder,
                                     const std::function<void(size_t done)>& tick = {});

absl::StatusOr<DedupResult> RunDedup(const std::string& path, const DedupOptions& options,
                                     const LinkageKey& key);

}  // namespace concord::aid
