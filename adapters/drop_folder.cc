#include "adapters/drop_folder.h"

#include <sodium.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace concord::adapter {
namespace {

namespace fs = std::filesystem;

// A path in `dir` for `file` that no file has: its own name, else x.<the
// first 8 hex digits of `hash`>.csv, else x.<hash>.2.csv, ... (x.1.csv, ...
// without a hash).
fs::path FreeName(const fs::path& dir, const fs::path& file, absl::string_view hash) {
  const std::string stem = file.stem().string();
  const std::string ext = file.extension().string();
  const std::string tag = hash.empty() ? stem : absl::StrCat(stem, ".", hash.substr(0, 8));
  fs::path to = dir / file.filename();
  std::error_code ec;
  for (int n = 1; fs::exists(to, ec); ++n)
    to = dir / (n == 1 && !hash.empty() ? absl::StrCat(tag, ext) : absl::StrCat(tag, ".", n, ext));
  return to;
}

// Moves `file` into `dir` (created if needed) under a FreeName, after
// writing `note` (unless empty) beside it as <name><suffix>: a file there
// always has its note, whenever the process stops.
fs::path MoveInto(const fs::path& file, const fs::path& dir, absl::string_view hash,
                  absl::string_view suffix, const std::string& note) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path to = FreeName(dir, file, hash);
  if (!note.empty())
    if (absl::Status st = WriteFileAtomically(absl::StrCat(to.string(), suffix), note); !st.ok())
      LOG_WARN("cannot write {}{}: {}", to.string(), std::string(suffix), st.ToString());
  fs::rename(file, to, ec);
  if (ec) LOG_WARN("cannot move {} to {}: {}", file.string(), to.string(), ec.message());
  return to;
}

// Moves an unusable file to failed/ and says why beside it.
void Refuse(const fs::path& file, const fs::path& dir, absl::string_view hash,
            absl::string_view why) {
  MoveInto(file, dir / "failed", hash, ".errors.txt",
           absl::StrCat("整个文件未导入 / the file was not imported: ", why, "\n"));
  LOG_WARN("{} refused: {}", file.filename().string(), std::string(why));
}

// The refused rows by line, as done/<file>.report.csv holds them.
std::string Report(std::vector<csv::RowError> errors) {
  std::stable_sort(errors.begin(), errors.end(),
                   [](const csv::RowError& a, const csv::RowError& b) { return a.line < b.line; });
  std::string out = "\xEF\xBB\xBF行号 line,原因 reason\n";
  for (const csv::RowError& e : errors)
    absl::StrAppend(&out, e.line, ",", csv::Quote(e.reason), "\n");
  return out;
}

}  // namespace

std::string ImportHash(const std::string& bytes) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

DropFolder::DropFolder(const ConnectorContext& context, fs::path dir, std::string imports_table,
                       std::string what, Import import)
    : ctx_(context),
      dir_(std::move(dir)),
      imports_table_(std::move(imports_table)),
      what_(std::move(what)),
      import_(std::move(import)),
      timer_(context.io) {}

absl::Status DropFolder::Start() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec)
    return absl::FailedPreconditionError(absl::StrCat(
        "无法创建投放目录 / cannot create the drop folder ", dir_.string(), ": ", ec.message()));
  RETURN_IF_ERROR(ctx_.client.db().Migrate(
      absl::StrCat("adapter_", imports_table_),
      {absl::StrCat(
           "CREATE TABLE IF NOT EXISTS ", imports_table_,
           "(file_hash TEXT PRIMARY KEY, file_name TEXT NOT NULL, rows_ok INTEGER NOT NULL, "
           "rows_bad INTEGER NOT NULL, at_ms INTEGER NOT NULL)"),
       // The report, committed with the import, so that a crash before the
       // file is moved loses no refused row. NULL: imported before this step.
       absl::StrCat("ALTER TABLE ", imports_table_, " ADD COLUMN report TEXT")}));
  ScheduleScan();
  return absl::OkStatus();
}

void DropFolder::Stop() {
  stopped_ = true;
  timer_.cancel();
}

void DropFolder::ScheduleScan() {
  timer_.expires_after(std::chrono::seconds(1));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    Scan();
    ScheduleScan();
  });
}

void DropFolder::Scan() {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir_, ec))
    if (e.is_regular_file() && e.path().extension() == ".csv" &&
        e.path().filename().string()[0] != '.')
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    if (auto st = ImportFile(f); !st.ok())  // local database trouble: try again next scan
      LOG_ERROR("import {}: {}", f.string(), st.ToString());
}

absl::Status DropFolder::ImportFile(const fs::path& file) {
  const std::string name = file.filename().string();
  absl::StatusOr<std::string> bytes = ReadFileToString(file.string());
  if (!bytes.ok()) {
    Refuse(file, dir_, "", bytes.status().message());
    return absl::OkStatus();
  }
  sql::Db& db = ctx_.client.db();
  const std::string hash = ImportHash(*bytes);
  std::string report;  // as the imports table holds it
  {
    ASSIGN_OR_RETURN(auto txn, sql::Txn::Begin(db));
    ASSIGN_OR_RETURN(auto seen, db.Prepare(absl::StrCat("SELECT file_name, report FROM ",
                                                        imports_table_, " WHERE file_hash=?")));
    seen.Bind(1, hash);
    ASSIGN_OR_RETURN(bool imported, seen.Step());
    if (imported) {
      // Dropped again, or the process stopped before it moved the file.
      report = seen.Text(1);
      LOG_INFO("{} was imported before (as {}); moved to done/", name, seen.Text(0));
    } else {
      ASSIGN_OR_RETURN(Outcome outcome,
                       import_(name, *bytes));  // an error rolls the whole file back
      if (!outcome.unusable.ok()) {
        Refuse(file, dir_, hash, outcome.unusable.message());
        return absl::OkStatus();
      }
      const size_t rows_bad = outcome.errors.size();
      report = Report(std::move(outcome.errors));
      ASSIGN_OR_RETURN(
          auto put,
          db.Prepare(absl::StrCat(
              "INSERT INTO ", imports_table_,
              "(file_hash, file_name, rows_ok, rows_bad, at_ms, report) VALUES(?,?,?,?,?,?)")));
      put.BindAll(hash, name, static_cast<int64_t>(outcome.rows_ok), static_cast<int64_t>(rows_bad),
                  ctx_.config.client.clock->NowMs(), report);
      RETURN_IF_ERROR(put.Run());
      RETURN_IF_ERROR(txn.Commit());
      ctx_.client.Flush();
      LOG_INFO("{}: {} {}, {} rows refused ({})", name, outcome.rows_ok, what_, rows_bad,
               outcome.encoding);
    }
  }
  MoveInto(file, dir_ / "done", hash, ".report.csv", report);
  return absl::OkStatus();
}

}  // namespace concord::adapter
