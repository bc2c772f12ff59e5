// DropFolder: a folder the agency's own system drops CSV files into, each
// imported whole by one connector (aid grants into [csv] drop_dir, petitions
// into <drop_dir>/petitions/).
//
// Every second the folder's *.csv files (not hidden ones, not sub-folders)
// are taken in name order; write a file under another name (".x.csv" or
// "x.tmp"), then rename it. For each file:
//   * the connector's Import runs inside one transaction, which also records
//     the file's hash and its report (UTF-8 with BOM; "行号 line,原因
//     reason", one line per refused row, by line number); then the report is
//     written as done/<file>.report.csv and the file moves to done/;
//   * bytes imported before (their hash is in the imports table: dropped
//     again, or the process stopped between the commit and the move): the
//     file moves to done/ with its report written again from the table, so
//     no refused row is lost;
//   * Import finds the file unusable (Outcome::unusable), or the file cannot
//     be read: rolled back, the file moves to failed/ with
//     failed/<file>.errors.txt;
//   * Import returns an error (the local database): rolled back, logged, and
//     the file is tried again at the next scan.
// Nothing in done/ or failed/ is overwritten: when <file> is taken there, the
// file is named x.<the first 8 hex digits of its hash>.csv (then
// x.<hash>.2.csv, ...), its report or errors named after it. The report or
// errors file is written before the file is moved.
//
// The imports table (file_hash, file_name, rows_ok, rows_bad, at_ms, report)
// is the caller's to name; Start() creates or upgrades it (report is NULL
// for files imported before it was kept: no report is written again).
// Ownership: borrows the ConnectorContext (the Adapter keeps it alive).
// Threading: every method and Import run on the io_context thread.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/connector.h"
#include "common/csv.h"

namespace concord::adapter {

// The hex BLAKE2b of a file's bytes: how an import (a dropped file, or the
// console's upload of the same bytes) is known again.
std::string ImportHash(const std::string& bytes);

class DropFolder {
 public:
  // What the connector made of one file.
  struct Outcome {
    absl::Status unusable;              // not OK: the whole file is refused ("中文 / English")
    size_t rows_ok = 0;                 // rows imported
    std::vector<csv::RowError> errors;  // rows refused, for the report
    std::string encoding;               // for the log

    // The outcome so far of a parsed file (its bad rows and encoding), or of
    // one that could not be parsed. `Parsed` has `errors` and `encoding`.
    template <typename Parsed>
    static Outcome Of(absl::StatusOr<Parsed>& parsed) {
      Outcome out;
      if (!parsed.ok()) {
        out.unusable = parsed.status();
      } else {
        out.errors = std::move(parsed->errors);
        out.encoding = std::move(parsed->encoding);
      }
      return out;
    }
  };
  // Imports the bytes of file `name` inside the caller's transaction.
  using Import =
      std::function<absl::StatusOr<Outcome>(const std::string& name, const std::string& bytes)>;

  // `what` names the imported rows in the log ("petitions sent to the ledger").
  DropFolder(const ConnectorContext& context, std::filesystem::path dir, std::string imports_table,
             std::string what, Import import);
  DropFolder(const DropFolder&) = delete;
  DropFolder& operator=(const DropFolder&) = delete;

  // Creates the folder and the imports table, and starts scanning.
  absl::Status Start();
  void Stop();

  const std::filesystem::path& dir() const { return dir_; }

 private:
  void ScheduleScan();
  void Scan();
  absl::Status ImportFile(const std::filesystem::path& file);

  // Constant after construction.
  ConnectorContext ctx_;
  const std::filesystem::path dir_;
  const std::string imports_table_;
  const std::string what_;
  const Import import_;

  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace concord::adapter
