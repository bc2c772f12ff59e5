#include "hub/audit/audit_archive.h"

#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/files.h"
#include "common/hex.h"
#include "common/status_macros.h"
#include "hub/audit/audit.h"
#include "hub/audit/audit_state.h"

namespace concord::hub {
namespace {

constexpr char kCreateArchives[] = R"sql(
  CREATE TABLE IF NOT EXISTS audit_archives(
    last INTEGER PRIMARY KEY,
    first INTEGER NOT NULL,
    last_hash TEXT NOT NULL,
    file TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    settled TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL))sql";

std::string Sha256Hex(const std::string& bytes) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return HexOf(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

}  // namespace

std::string ArchiveText(const ArchiveRecord& r) {
  return absl::StrCat("concord audit archive v1\n", r.first, "\n", r.last, "\n", r.last_hash, "\n",
                      r.file, "\n", r.file_sha256, "\n", r.at_ms, "\n", r.settled, "\n");
}

bool ArchiveRecordSigned(const ArchiveRecord& r, const std::string& public_key) {
  return HexOf(public_key) == r.public_key &&
         VerifyAuditSignature(ArchiveText(r), public_key, BytesOfHex(r.signature, 64));
}

absl::StatusOr<std::vector<ArchiveRecord>> ReadArchives(sql::Db& db) {
  std::vector<ArchiveRecord> out;
  ASSIGN_OR_RETURN(
      int64_t has,
      db.QueryInt(db.is_postgresql() ? "SELECT count(*) FROM information_schema.tables WHERE "
                                       "table_schema = current_schema() AND table_name = "
                                       "'audit_archives'"
                                     : "SELECT count(*) FROM sqlite_master WHERE "
                                       "type='table' AND name='audit_archives'"));
  if (!has) return out;
  ASSIGN_OR_RETURN(auto st, db.Prepare("SELECT first, last, last_hash, file, file_sha256, "
                                       "settled, at_ms, public_key, signature FROM "
                                       "audit_archives ORDER BY last"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({.first = st.Int(0),
                   .last = st.Int(1),
                   .last_hash = st.Text(2),
                   .file = st.Text(3),
                   .file_sha256 = st.Text(4),
                   .settled = st.Text(5),
                   .at_ms = st.Int(6),
                   .public_key = st.Text(7),
                   .signature = st.Text(8)});
  }
  return out;
}

absl::StatusOr<ArchiveResult> ArchiveAuditLines(sql::Db& db, const std::string& dir,
                                                int64_t max_line, const AuditSigner& signer,
                                                int64_t now_ms) {
  if (db.is_postgresql())
    return absl::UnimplementedError(
        "PostgreSQL 上的审计归档尚未实现 / archiving the audit chain on PostgreSQL is not done "
        "yet");
  ASSIGN_OR_RETURN(ArchivePlan plan, PlanArchive(db, max_line));
  ASSIGN_OR_RETURN(int64_t first, db.QueryInt("SELECT coalesce(min(n), 0) FROM audit"));
  if (plan.last < first || plan.last == 0)
    return absl::FailedPreconditionError(
        "没有可归档的行（仍被待投递或留存的消息需要，或链只剩最后一行）/ no line may be "
        "archived: the lines are needed by messages still stored or queued, or only the last "
        "line is left");
  // The lines, as they are in the table, checked as they are read.
  std::string prev_hash(64, '0');
  {
    ASSIGN_OR_RETURN(std::vector<ArchiveRecord> before, ReadArchives(db));
    if (!before.empty()) prev_hash = before.back().last_hash;
  }
  std::string text, last_hash;
  {
    ASSIGN_OR_RETURN(auto st,
                     db.Prepare("SELECT n, line, hash FROM audit WHERE n <= ? ORDER BY n"));
    st.Bind(1, plan.last);
    int64_t expect = first;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      const std::string line = st.Text(1), hash = st.Text(2);
      if (st.Int(0) != expect || AuditChain::HashLine(prev_hash, line) != hash)
        return absl::DataLossError(
            absl::StrCat("第 ", expect, " 行起审计链已损坏，不归档 / the chain is broken at line ",
                         expect, ": nothing archived (run concordctl audit verify)"));
      absl::StrAppend(&text, hash, "\t", line, "\n");
      prev_hash = last_hash = hash;
      ++expect;
    }
  }
  ArchiveRecord r;
  r.first = first;
  r.last = plan.last;
  r.last_hash = last_hash;
  r.file = absl::StrCat("audit-", first, "-", plan.last, ".tsv");
  r.file_sha256 = Sha256Hex(text);
  r.settled = plan.settled;
  r.at_ms = now_ms;
  r.public_key = HexOf(signer.public_key());
  r.signature = HexOf(signer.SignText(ArchiveText(r)));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path = (std::filesystem::path(dir) / r.file).string();
  RETURN_IF_ERROR(WriteNewFile(path, text, 0600));
  // The record and the deletion in one transaction: either the table still
  // has the lines, or the record says where they went.
  ASSIGN_OR_RETURN(auto txn, sql::Txn::Begin(db));
  RETURN_IF_ERROR(db.Exec(kCreateArchives));
  ASSIGN_OR_RETURN(auto ins, db.Prepare("INSERT INTO audit_archives(first, last, last_hash, file, "
                                        "file_sha256, settled, at_ms, public_key, signature) "
                                        "VALUES(?,?,?,?,?,?,?,?,?)"));
  ins.BindAll(r.first, r.last, r.last_hash, r.file, r.file_sha256, r.settled, r.at_ms, r.public_key,
              r.signature);
  RETURN_IF_ERROR(ins.Run());
  ASSIGN_OR_RETURN(auto del, db.Prepare("DELETE FROM audit WHERE n <= ?"));
  del.Bind(1, r.last);
  RETURN_IF_ERROR(del.Run());
  RETURN_IF_ERROR(txn.Commit());
  return ArchiveResult{.record = std::move(r), .path = path};
}

absl::Status VerifyArchiveFile(const ArchiveRecord& r, const std::string& prev_hash,
                               const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  if (Sha256Hex(text) != r.file_sha256)
    return absl::DataLossError(absl::StrCat("归档文件 ", path, " 与记录的 SHA-256 不符 / ", path,
                                            " does not have the SHA-256 its record holds"));
  std::string prev = prev_hash;
  int64_t expect = r.first;
  for (absl::string_view row : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(row, absl::MaxSplits('\t', 1));
    const std::string line = f.size() == 2 ? std::string(f[1]) : "";
    if (f.size() != 2 || line.rfind(absl::StrCat(expect, "\t"), 0) != 0 ||
        AuditChain::HashLine(prev, line) != f[0])
      return absl::DataLossError(absl::StrCat("归档文件 ", path, " 第 ", expect,
                                              " 行与链不符 / line ", expect, " of ", path,
                                              " does not chain"));
    prev = std::string(f[0]);
    ++expect;
  }
  if (expect != r.last + 1 || prev != r.last_hash)
    return absl::DataLossError(
        absl::StrCat("归档文件 ", path, " 不完整 / ", path, " does not end at line ", r.last));
  return absl::OkStatus();
}

}  // namespace concord::hub
