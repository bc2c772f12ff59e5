// Reading an agency's aid grants from its CSV export.
//
// The file is read as hub/common/csv.h reads every agency export: UTF-8
// (with or without a byte-order mark) or GB18030, anything else refused
// whole; RFC 4180 with spaces around unquoted fields trimmed; lines that are
// empty (or hold only separators) skipped wherever they stand.
//
// The first row is the header. Columns are found by their English or Chinese
// name (English case-insensitive):
//   record_id 记录编号   agency 救助机关   name 姓名        id_number 身份证号
//   birth_date 出生日期  gender 性别       phone 电话       address 住址
//   case_ref 案号        incident_date 案发日期  crime 案由  aid_type 救助类型
//   amount_yuan 金额     granted_on 救助日期
// Other columns are ignored. record_id, name, aid_type and granted_on are
// required.
//
// Fields are trimmed; identity fields (name, id_number, phone, address) are
// kept as written (normalisation is the linkage's job). Dates become
// YYYY-MM-DD (from YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD or YYYY年M月D日;
// month and day may have one digit except in YYYYMMDD), amounts become 分
// (decimal yuan with at most two places, thousands separators ',' or '，' and a
// trailing 元 allowed), gender becomes "M", "F" or "", case_ref splits on ';'
// or '；'.
//
// Errors:
// - A file that cannot be used at all (neither encoding, no header, a required
//   column missing, a column named twice) is an InvalidArgument status whose
//   message is Chinese, then " / ", then English. Fix the file; do not retry.
// - A bad row is skipped and reported as a CsvError; the other rows are kept.
//   One row may give several errors (one per bad field). A record_id already
//   used by an earlier row (good or bad) is an error naming that row's line.
// - ReadAidCsvFile: a file that cannot be read gives the status of its errno
//   (NotFound, PermissionDenied, ...).
//
// The functions keep no state; any thread may call them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/csv.h"
#include "domain/linkage/record.h"

namespace concord::aid {

// A bad row: its physical line (header is 1) and "中文 / English" reason.
using CsvError = csv::RowError;

struct AidCsvResult {
  std::vector<AidRecord> records;             // the good rows, in file order
  std::vector<CsvError> errors;               // the bad rows, in file order
  std::map<int, std::string> bad_record_ids;  // line -> record_id written on a bad row, if any
  std::string encoding;                       // "UTF-8", "UTF-8 with BOM" or "GB18030"
};

// Column mapping for exports whose headers are neither Concord's nor the
// known ones: field (the English column name: name, id_number, ...) -> the
// header the file uses for it ("证件号码"). Written "name=姓名,id_number=证件号码"
// (，and ＝ also do; spaces around are dropped).
using AidColumnMap = std::vector<std::pair<std::string, std::string>>;
// InvalidArgument names an unknown field, a pair without '=' or a field mapped twice.
absl::StatusOr<AidColumnMap> ParseAidColumnMap(std::string_view text);
// "证件号码 -> id_number（身份证号）, ...", for reports and logs.
std::string DescribeAidColumnMap(const AidColumnMap& map);

// Parses the bytes of a whole file. With a map, each mapped field is read
// from its header instead of its own names; a mapped header the file lacks
// refuses the file.
absl::StatusOr<AidCsvResult> ParseAidCsv(std::string_view bytes, const AidColumnMap& map = {});

// Reads the file at `path` and parses it.
absl::StatusOr<AidCsvResult> ReadAidCsvFile(const std::string& path, const AidColumnMap& map = {});

// A case-links file: one pair of numbers of the same case per row (a police
// 立案号 and the procuratorate's number it was transferred under, ...). Header
// `case_ref_a,case_ref_b` (or 案号甲,案号乙); the same encodings and syntax
// as the aid CSV. A row with a number missing, or the same number twice
// after normalisation, is a CsvError.
struct CaseLinksCsv {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<CsvError> errors;
  std::string encoding;
};
absl::StatusOr<CaseLinksCsv> ParseCaseLinksCsv(std::string_view bytes);
absl::StatusOr<CaseLinksCsv> ReadCaseLinksFile(const std::string& path);

// A case_ref field: several case numbers separated by ';' or '；', trimmed.
std::vector<std::string> SplitCaseRefs(std::string_view s);

}  // namespace concord::aid
