#include "hub/audit/audit.h"

#include <sodium.h>

#include <ctime>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/status_macros.h"
#include "hub/audit/audit_archive.h"
#include "hub/audit/checkpoint.h"

namespace concord::hub {
namespace {

std::string IsoTime(int64_t ms) {
  time_t s = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&s, &tm);
  char buf[40];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

// Tabs and line ends become spaces (they separate fields and lines); other
// control bytes, NUL among them (which a PostgreSQL text column refuses), are
// written as \xHH: a principal's client name or a refused id stays readable
// and cannot break the chain's store.
std::string Clean(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\t' || c == '\n' || c == '\r') {
      out += ' ';
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

std::string AuditChain::FormatLine(int64_t n, const AuditEvent& e) {
  return absl::StrCat(n, "\t", IsoTime(e.at_ms), "\t", e.event, "\t", Clean(e.principal), "\t",
                      Clean(e.detail));
}

std::string AuditChain::HashLine(const std::string& prev_hash, const std::string& line) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(prev_hash.data()),
                            prev_hash.size());
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>("\n"), 1);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(line.data()), line.size());
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, out);
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

absl::Status AuditChain::Load(sqlite::Db& db) {
  auto stmt = db.Prepare("SELECT n, hash FROM audit ORDER BY n DESC LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (*row) {
    last_n_ = stmt->Int(0);
    last_hash_ = stmt->Text(1);
  }
  return absl::OkStatus();
}

absl::Status AuditChain::Append(sqlite::Stmt& insert, const AuditEvent& e) {
  const int64_t n = last_n_ + 1;
  std::string line = FormatLine(n, e);
  std::string hash = HashLine(last_hash_, line);
  insert.BindAll(n, line, hash);
  if (auto st = insert.Run(); !st.ok()) return st;
  last_n_ = n;
  last_hash_ = std::move(hash);
  return absl::OkStatus();
}

AuditChain::Line AuditChain::Next(const AuditEvent& e) {
  Line l;
  l.n = last_n_ + 1;
  l.text = FormatLine(l.n, e);
  l.hash = HashLine(last_hash_, l.text);
  last_n_ = l.n;
  last_hash_ = l.hash;
  return l;
}

std::string AuditTimeText(int64_t ms) { return IsoTime(ms); }

std::string AuditHeadPath(const std::string& db_path) { return db_path + ".audit-head"; }

absl::Status WriteAuditHead(const std::string& path, int64_t n, const std::string& hash) {
  return WriteFileAtomically(path, absl::StrCat(n, "\t", hash, "\n"));
}

absl::StatusOr<AuditVerifyResult> VerifyAuditChain(sql::Db& db, const std::string& head_path,
                                                   const std::string& archive_public_key) {
  int64_t head_n = 0;
  std::string head_hash, hash_at_head;
  bool head_missing = false;
  if (!head_path.empty()) {
    std::ifstream in(head_path);
    if (!in) {
      head_missing = true;
    } else if (!(in >> head_n >> head_hash)) {
      return absl::DataLossError(
          absl::StrCat("链头文件无法读取 / unreadable head file ", head_path));
    }
  }
  auto stmt = db.Prepare("SELECT n, line, hash FROM audit ORDER BY n");
  if (!stmt.ok()) return stmt.status();
  AuditVerifyResult r;
  std::string prev(64, '0');
  int64_t expect = 1;
  // Lines archived (audit_archive.h): the chain goes on from the newest
  // record, which must be signed with the hub's audit key.
  ASSIGN_OR_RETURN(std::vector<ArchiveRecord> archives, ReadArchives(db));
  if (!archives.empty()) {
    const ArchiveRecord& newest = archives.back();
    std::string key = archive_public_key;
    if (key.empty() && !head_path.empty()) {  // the hub's key, beside hub.db
      auto beside = ReadAuditPublicKey(
          (std::filesystem::path(head_path).parent_path() / "audit-sign.pub").string());
      if (beside.ok()) key = *beside;
    }
    if (!ArchiveRecordSigned(newest, key)) {
      r.ok = false;
      r.first_bad = newest.last + 1;
      r.reason = absl::StrCat("第 1 至 ", newest.last,
                              " 行的归档记录签名无效或无法核对（需枢纽审计公钥 "
                              "audit-sign.pub）/ the archive record of lines 1..",
                              newest.last,
                              " is not signed by the hub's audit key (or that key was not given)");
      return r;
    }
    prev = newest.last_hash;
    expect = newest.last + 1;
    r.archived = newest.last;
    r.lines = newest.last;
  }
  while (true) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t n = stmt->Int(0);
    const std::string line = stmt->Text(1), hash = stmt->Text(2);
    auto fail = [&](int64_t at, std::string why) {
      r.ok = false;
      r.first_bad = at;
      r.reason = std::move(why);
    };
    if (n != expect) {
      fail(expect, absl::StrCat("第 ", expect, " 行缺失（下一行为第 ", n, " 行）/ line ", expect,
                                " is missing (next line is ", n, ")"));
      break;
    }
    if (line.rfind(absl::StrCat(n, "\t"), 0) != 0) {
      fail(n, absl::StrCat("第 ", n, " 行编号被改动 / line ", n, " has a changed number"));
      break;
    }
    if (AuditChain::HashLine(prev, line) != hash) {
      fail(n, absl::StrCat("第 ", n, " 行内容或哈希被改动 / line ", n,
                           " was changed (hash does not match the chain)"));
      break;
    }
    prev = hash;
    if (n == head_n) hash_at_head = hash;
    r.lines = n;
    ++expect;
  }
  if (r.ok && head_missing && r.lines > 0) {
    // The hub writes the head after every commit and backups carry it: its
    // absence is how a cut tail would hide (the last lines leave no gap).
    r.ok = false;
    r.first_bad = r.lines;
    r.reason =
        absl::StrCat("链头文件缺失（", head_path, "），无法证明末尾未被截去；前 ", r.lines,
                     " 行完整 / the head file ", head_path, " is missing: the chain's first ",
                     r.lines, " lines are intact, but a cut tail cannot be ruled out");
  } else if (r.ok && r.lines < head_n) {
    r.ok = false;
    r.first_bad = r.lines + 1;
    r.reason = absl::StrCat("第 ", r.lines + 1, " 至 ", head_n, " 行被删除（链头文件记录 ", head_n,
                            " 行）/ lines ", r.lines + 1, "..", head_n,
                            " were removed (the head file records ", head_n, " lines)");
  } else if (r.ok && head_n > r.archived && hash_at_head != head_hash) {
    r.ok = false;
    r.first_bad = head_n;
    r.reason = absl::StrCat("第 ", head_n, " 行与链头文件不符 / line ", head_n,
                            " does not match the recorded head (chain rewritten)");
  }
  return r;
}

}  // namespace concord::hub
