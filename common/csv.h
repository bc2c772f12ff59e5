// Reading the CSV files Chinese agencies export: the part every import shares
// (aid grants, agents/aid/linkage/aid_csv.h; petitions,
// adapters/petition_intake.h). What a row means is the caller's business.
//
// Encoding: UTF-8 (with or without a byte-order mark) or GB18030, the two
// encodings Chinese spreadsheets export; anything else (UTF-16, NUL bytes,
// bytes valid in neither) is refused whole. Text comes out as UTF-8.
//
// Syntax: RFC 4180 (comma, double quotes with "" escapes, quoted commas and
// line breaks; CRLF, LF or CR line ends), spaces around unquoted fields
// trimmed. Lines that are empty (or hold only separators) are skipped
// wherever they stand. Each row carries the physical line it starts on (1
// for the first line of the file), so a report can point at it.
//
// Header: the first row that is not blank. Each Column is found by its
// English name (ASCII case ignored) or its Chinese name or alias; other
// columns are ignored.
//
// Errors:
// - Table::Parse: a file that cannot be used at all (neither encoding, no
//   header, a malformed header, a column named twice, a required column
//   missing, a quote that is never closed, which would swallow every later
//   line: the message names the line it opened on) is InvalidArgument with a
//   message "中文 / English". Fix the file; do not retry.
// - Table::Check: a row with text after a closing quote or the wrong number
//   of fields is InvalidArgument; the caller reports it with the row's line
//   and goes on.
//
// Text is absl::string_view (Debian's abseil has its own, not std's).
// Thread safety: a Table is used by one thread at a time; the free functions
// keep no state.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace concord::csv {

// A bad row, as an import reports it.
struct RowError {
  int line = 0;                     // physical line where the row starts (1 = the file's first)
  std::string reason;               // "中文 / English", naming the field and its value
  std::vector<std::string> fields;  // the English column names it is about (none: the row's shape)
};

struct Row {
  int line = 0;                     // physical line where the row starts
  std::vector<std::string> fields;  // unquoted; unquoted fields trimmed
  std::string error;                // text after a closing quote, "中文 / English"
};

// One column a caller looks for.
struct Column {
  const char* english;                  // matched ignoring ASCII case
  const char* chinese;                  // matched exactly; named in messages
  bool required = false;                // a file without it is refused
  const char* chinese_alias = nullptr;  // another Chinese name, if any
};

class Tokenizer;

// A decoded file whose header has been read; rows are read one at a time.
class Table {
 public:
  // Decodes `bytes` and reads the header, looking for `columns` (which must
  // outlive the Table). InvalidArgument when the file cannot be used.
  static absl::StatusOr<Table> Parse(absl::string_view bytes, std::span<const Column> columns);

  Table(Table&&) noexcept;
  Table& operator=(Table&&) noexcept;
  ~Table();

  // "UTF-8", "UTF-8 with BOM" or "GB18030".
  const std::string& encoding() const { return encoding_; }

  // Reads the next row under the header that is not blank; false at the end.
  bool Next(Row* row);

  // OK, or InvalidArgument for text after a closing quote or a field count
  // other than the header's ("中文 / English").
  absl::Status Check(const Row& row) const;

  // The trimmed field of columns[column], or "" when the file lacks it.
  absl::string_view Field(const Row& row, size_t column) const;
  // Whether the header names columns[column].
  bool Has(size_t column) const { return index_[column] >= 0; }

 private:
  Table();
  absl::Status ReadHeader(const Row& row);

  std::span<const Column> columns_;
  std::unique_ptr<Tokenizer> tokenizer_;  // owns the decoded text
  std::string encoding_;
  std::vector<int> index_;  // field index of each column, or -1
  size_t width_ = 0;        // number of header fields
};

// ASCII whitespace and the ideographic space U+3000 at either end.
absl::string_view Trim(absl::string_view s);

// `s` as one quoted CSV field ("" doubled), for writing reports.
std::string Quote(absl::string_view s);

}  // namespace concord::csv
