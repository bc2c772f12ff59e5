// `concordctl backup` and `concordctl restore`: a daemon's data folder
// copied while the daemon runs, and put back. The format is in
// docs/backup.md.
//
//   concordctl backup --data-dir /var/lib/concord/hub --out /srv/backup/hub-2026-12-03
//   concordctl backup --config /etc/concord/hub.toml --out DIR    # [hub] or [storage] data_dir
//   concordctl restore --from DIR --data-dir /var/lib/concord/hub [--force]
//
// backup: every SQLite file of the folder through SQLite's online backup
// API (one read snapshot per file; the daemon keeps writing), the hub's
// audit head made to match the copied hub.db (after checking that the copy
// reaches the head the hub had recorded before the copy began), other
// files as they are; then manifest.json (files, bytes, sha256, schema
// versions, time, concordctl version). The folder appears under its name
// only when complete.
// restore: checks every file against the manifest, `PRAGMA integrity_check`
// and the audit chain; refuses a folder a running process holds open, and a
// non-empty one without --force; then swaps the new folder in with one
// rename (the old contents are kept beside it, *.before-restore-<time>).
// Exit codes: 0 done; 1 the backup (or the source's audit chain) failed its
// checks; 2 usage or input error, a folder in use, or not empty (nothing done).
#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/config.h"
#include "common/daemon.h"
#include "common/sql.h"
#include "common/sqlite.h"
#include "common/status_macros.h"
#include "hub/audit/audit.h"
#include "hub/audit/checkpoint.h"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kManifest[] = "manifest.json";
constexpr int kManifestFormat = 1;

// A failure with its exit code and message.
struct Failure {
  int code = 0;
  std::string message;
};

std::string HexSha256File(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = absl::StrCat("无法读取 / cannot read ", path);
    return "";
  }
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(buf.data()),
                              static_cast<unsigned long long>(in.gcount()));
  }
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, out);
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

bool IsSqliteFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  char head[16] = {};
  return in.read(head, sizeof head) &&
         std::string(head, sizeof head) == std::string("SQLite format 3\0", 16);
}

// Flushes a file or folder to disk (best effort: a backup on a filesystem
// without fsync on folders still works).
void SyncPath(const fs::path& p) {
  int fd = open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)fsync(fd);
  close(fd);
}

// The processes that hold a file under `dir` open ("pid (name)"), read from
// /proc: the daemons that would keep writing to a folder being replaced.
// Processes this user may not look into are not seen (run as root, or as the
// daemons' user).
std::vector<std::string> HoldersOf(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  const std::string prefix = fs::weakly_canonical(dir, ec).string() + "/";
  for (const auto& proc : fs::directory_iterator("/proc", ec)) {
    const std::string pid = proc.path().filename();
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit)) continue;
    if (pid == std::to_string(getpid())) continue;
    std::error_code fd_ec;
    for (const auto& fd : fs::directory_iterator(proc.path() / "fd", fd_ec)) {
      std::error_code link_ec;
      const std::string target = fs::read_symlink(fd.path(), link_ec).string();
      if (link_ec || !absl::StartsWith(target, prefix)) continue;
      std::ifstream comm(proc.path() / "comm");
      std::string name;
      std::getline(comm, name);
      out.push_back(absl::StrCat(pid, " (", name, ")"));
      break;
    }
  }
  return out;
}

// The folder from --data-dir, or from a config's [hub] or [storage] data_dir.
bool ResolveDataDir(const std::string& data_dir, const std::string& config, std::string& out,
                    Failure& f) {
  if (!data_dir.empty()) {
    out = data_dir;
    return true;
  }
  if (config.empty()) {
    f = {2, "需要 --data-dir 或 --config / --data-dir or --config is required"};
    return false;
  }
  auto file = ConfigFile::Load(config);
  if (!file.ok()) {
    f = {2, std::string(file.status().message())};
    return false;
  }
  for (const char* table : {"hub", "storage"})
    if ((*file)[table].Has("data_dir")) {
      out = (*file)[table].Path("data_dir");
      return true;
    }
  // The daemons' defaults: the hub's folder is the config's, an agency's "data".
  out = file->root().Has("hub") ? (*file)["hub"].Path("data_dir", ".")
                                : (*file)["storage"].Path("data_dir", "data");
  return true;
}

bool IsSidecar(const std::string& name) {
  for (const char* suffix : {"-wal", "-shm", "-journal", ".tmp"})
    if (absl::EndsWith(name, suffix)) return true;
  return false;
}

// The schema versions recorded in a copy (concord_schema), by component.
json SchemaVersions(sqlite::Db& db) {
  json out = json::object();
  auto stmt = db.Prepare("SELECT component, version FROM concord_schema ORDER BY component");
  if (!stmt.ok()) return out;  // a file without migrations
  while (true) {
    auto row = stmt->Step();
    if (!row.ok() || !*row) break;
    out[stmt->Text(0)] = stmt->Int(1);
  }
  return out;
}

bool HasAuditTable(sqlite::Db& db) {
  auto n = db.QueryInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='audit'");
  return n.ok() && *n > 0;
}

// Copies one SQLite file of the folder to `to` and, when it holds the audit
// chain, writes the copy's head beside it. Fills `entry`'s audit fields.
bool BackupDatabase(const fs::path& from, const fs::path& to, json& entry, Failure& f) {
  const std::string live_head_path = hub::AuditHeadPath(from.string());
  std::string live_head;  // read before the copy: the copy reaches at least this far
  if (fs::exists(live_head_path)) {
    std::ifstream in(live_head_path);
    std::getline(in, live_head);
  }
  sqlite::OpenOptions ro;
  ro.read_only = true;
  auto src = sqlite::Db::Open(from.string(), ro);
  if (!src.ok()) {
    f = {2, absl::StrCat("无法打开 / cannot open ", from.string(), ": ", src.status().message())};
    return false;
  }
  if (auto st = sqlite::BackupTo(*src, to.string()); !st.ok()) {
    f = {2, absl::StrCat("备份失败 / backup failed for ", from.string(), ": ", st.message())};
    return false;
  }
  src->Close();
  auto opened = sql::Db::Open(to.string(), ro);
  if (!opened.ok()) {
    f = {2, absl::StrCat("无法打开副本 / cannot open the copy ", to.string(), ": ",
                         opened.status().message())};
    return false;
  }
  sql::Db& copy_db = *opened;
  sqlite::Db* copy = copy_db.lite();
  entry["schema"] = SchemaVersions(*copy);
  if (!HasAuditTable(*copy)) return true;
  const std::string head_path = hub::AuditHeadPath(to.string());
  if (!live_head.empty()) {
    std::ofstream(head_path) << live_head << "\n";
  }
  // The hub's audit key is copied after the databases: read the live one.
  auto key = hub::ReadAuditPublicKey((from.parent_path() / "audit-sign.pub").string());
  auto verified = hub::VerifyAuditChain(copy_db, head_path, key.ok() ? *key : "");
  if (!verified.ok() || !verified->ok) {
    f = {1, absl::StrCat("源库审计链校验失败，未备份 / the source's audit chain fails its check, "
                         "no backup made: ",
                         verified.ok() ? verified->reason : verified.status().message())};
    return false;
  }
  hub::AuditChain chain;
  if (auto st = chain.Load(*copy); !st.ok()) {
    f = {2, std::string(st.message())};
    return false;
  }
  if (auto st = hub::WriteAuditHead(head_path, chain.last_n(), chain.last_hash()); !st.ok()) {
    f = {2, std::string(st.message())};
    return false;
  }
  entry["audit"] = {
      {"lines", chain.last_n()}, {"head", chain.last_hash()}, {"live_head_before_copy", live_head}};
  return true;
}

std::string UtcNow(const char* format) {
  time_t now = time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  char buf[40];
  strftime(buf, sizeof buf, format, &tm);
  return buf;
}

int CmdBackup(const std::string& data_dir_arg, const std::string& config, const std::string& out) {
  Failure f;
  std::string data_dir;
  if (!ResolveDataDir(data_dir_arg, config, data_dir, f)) return Fail(f.code, f.message);
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec))
    return Fail(2, absl::StrCat("数据文件夹不存在 / the data folder does not exist: ", data_dir));
  if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec)))
    return Fail(2, absl::StrCat("备份文件夹已存在且非空 / the backup folder exists and is not "
                                "empty (choose a new one): ",
                                out));
  const fs::path src = fs::canonical(data_dir, ec);
  const fs::path target = fs::absolute(out, ec);
  if (absl::StartsWith(target.string(), src.string() + "/"))
    return Fail(
        2, "备份文件夹不能在数据文件夹内 / the backup folder cannot be inside the data folder");
  const fs::path staging = target.string() + ".partial";
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec)
    return Fail(2, absl::StrCat("无法创建 / cannot create ", staging.string(), ": ", ec.message()));
  auto give_up = [&](const Failure& why) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return Fail(why.code, why.message);
  };

  // Databases first (their audit heads are written with them), then the rest.
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(src, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->is_regular_file()) files.push_back(fs::relative(it->path(), src));
  if (ec)
    return give_up({2, absl::StrCat("无法读取 / cannot list ", src.string(), ": ", ec.message())});
  std::sort(files.begin(), files.end());
  json entries = json::array();
  std::vector<std::string> audit_heads;  // copied with their databases
  for (const fs::path& rel : files)
    if (IsSqliteFile(src / rel)) audit_heads.push_back(hub::AuditHeadPath(rel.string()));
  int64_t total = 0;
  for (const fs::path& rel : files) {
    const std::string name = rel.filename();
    if (IsSidecar(name) || std::count(audit_heads.begin(), audit_heads.end(), rel.string()))
      continue;
    fs::create_directories((staging / rel).parent_path(), ec);
    json entry = {{"path", rel.string()}};
    if (IsSqliteFile(src / rel)) {
      entry["kind"] = "sqlite";
      if (!BackupDatabase(src / rel, staging / rel, entry, f)) return give_up(f);
    } else {
      entry["kind"] = "file";
      fs::copy_file(src / rel, staging / rel, fs::copy_options::overwrite_existing, ec);
      if (ec)
        return give_up(
            {2, absl::StrCat("无法复制 / cannot copy ", rel.string(), ": ", ec.message())});
    }
    std::vector<std::pair<std::string, json>> made = {{rel.string(), entry}};
    if (entry.contains("audit")) {
      const std::string head = hub::AuditHeadPath(rel.string());
      made.push_back({head, json{{"path", head}, {"kind", "audit-head"}}});
    }
    for (auto& [path, e] : made) {
      std::string error;
      e["bytes"] = static_cast<int64_t>(fs::file_size(staging / path, ec));
      e["sha256"] = HexSha256File((staging / path).string(), &error);
      if (!error.empty()) return give_up({2, error});
      SyncPath(staging / path);
      total += e["bytes"].get<int64_t>();
      entries.push_back(e);
    }
  }
  const json manifest = {{"format", kManifestFormat},
                         {"concordctl_version", VersionLine("concordctl")},
                         {"created_utc", UtcNow("%Y-%m-%dT%H:%M:%SZ")},
                         {"source", src.string()},
                         {"files", entries}};
  std::ofstream(staging / kManifest) << manifest.dump(2) << "\n";
  SyncPath(staging / kManifest);
  SyncPath(staging);
  if (fs::exists(target, ec)) fs::remove(target, ec);  // the empty folder given
  fs::rename(staging, target, ec);
  if (ec)
    return give_up(
        {2, absl::StrCat("无法改名 / cannot rename to ", target.string(), ": ", ec.message())});
  SyncPath(target.parent_path());
  std::cout << "已备份 / backed up: " << entries.size() << " 个文件 files, " << total
            << " 字节 bytes, " << src.string() << " -> " << target.string() << "\n";
  for (const auto& e : entries)
    if (e.contains("audit"))
      std::cout << "  " << e["path"].get<std::string>() << ": 审计链 / audit chain "
                << e["audit"]["lines"].get<int64_t>() << " 行 lines\n";
  return 0;
}

// Checks every file of the backup against its manifest; the file names on success.
bool CheckBackup(const fs::path& from, json& manifest, Failure& f) {
  std::ifstream in(from / kManifest);
  manifest = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!in.is_open() || !manifest.is_object() || !manifest.contains("files") ||
      !manifest["files"].is_array()) {
    f = {2, absl::StrCat("不是备份文件夹（无可读的 manifest.json）/ not a backup folder (no "
                         "readable manifest.json): ",
                         from.string())};
    return false;
  }
  if (manifest.value("format", 0) != kManifestFormat) {
    f = {2,
         absl::StrCat("备份格式不支持 / unsupported backup format ", manifest.value("format", 0))};
    return false;
  }
  std::vector<std::string> bad;
  for (const auto& e : manifest["files"]) {
    const std::string rel = e.value("path", "");
    const fs::path p = from / rel;
    if (rel.empty() || fs::path(rel).is_absolute() || absl::StrContains(rel, "..")) {
      bad.push_back(absl::StrCat(rel, ": 路径无效 / invalid path"));
      continue;
    }
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      bad.push_back(absl::StrCat(rel, ": 文件缺失 / file missing"));
      continue;
    }
    std::string error;
    const std::string sum = HexSha256File(p.string(), &error);
    if (!error.empty() || sum != e.value("sha256", "") ||
        static_cast<int64_t>(fs::file_size(p, ec)) != e.value("bytes", int64_t{-1})) {
      bad.push_back(absl::StrCat(rel, ": 校验和或大小不符 / checksum or size mismatch (manifest ",
                                 e.value("sha256", ""), ", file ", sum, ")"));
      continue;
    }
    if (e.value("kind", "") != "sqlite") continue;
    sqlite::OpenOptions ro;
    ro.read_only = true;
    auto db = sql::Db::Open(p.string(), ro);
    absl::Status st = db.ok() ? sqlite::IntegrityCheck(*db->lite()) : db.status();
    if (!st.ok()) {
      bad.push_back(absl::StrCat(rel, ": 完整性检查失败 / integrity_check failed: ", st.message()));
      continue;
    }
    if (!e.contains("audit")) continue;
    auto verified = hub::VerifyAuditChain(*db, hub::AuditHeadPath(p.string()));
    if (!verified.ok() || !verified->ok)
      bad.push_back(absl::StrCat(rel, ": 审计链损坏 / audit chain broken: ",
                                 verified.ok() ? verified->reason : verified.status().message()));
  }
  if (bad.empty()) return true;
  f = {1, absl::StrCat("备份已损坏，未恢复 / the backup is damaged, nothing restored:\n  ",
                       absl::StrJoin(bad, "\n  "))};
  return false;
}

// How far a restored hub's sequence jumps: more messages than a hub accepts
// between a backup and its restore.
constexpr int64_t kSeqGap = int64_t{1} << 32;

// In a restored hub.db: raises the sequence floor (hub/broker/sqlite_store.cc,
// migration 2) by kSeqGap above every number in the copy, so that receivers
// that applied messages after the backup do not take new ones as applied;
// and records the restore in the audit chain (the head file with it).
absl::StatusOr<int64_t> PrepareRestoredHub(const fs::path& db_path, const std::string& from) {
  sqlite::OpenOptions opts;
  auto db = sqlite::Db::Open(db_path.string(), opts);
  if (!db.ok()) return db.status();
  RETURN_IF_ERROR(db->Exec(
      "CREATE TABLE IF NOT EXISTS seq_floor(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER "
      "NOT NULL)"));
  ASSIGN_OR_RETURN(
      int64_t top,
      db->QueryInt("SELECT max((SELECT coalesce(max(seq),0) FROM messages), (SELECT "
                   "coalesce(max(seq),0) FROM mailbox), (SELECT coalesce(max(acked_through),0) "
                   "FROM recipients), (SELECT coalesce(max(seq),0) FROM dead_letters), (SELECT "
                   "coalesce(max(seq),0) FROM seq_floor))"));
  const int64_t floor = top + kSeqGap;
  ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(*db));
  ASSIGN_OR_RETURN(auto put, db->Prepare("INSERT OR REPLACE INTO seq_floor(id, seq) VALUES(1, ?)"));
  put.Bind(1, floor);
  RETURN_IF_ERROR(put.Run());
  hub::AuditChain chain;
  RETURN_IF_ERROR(chain.Load(*db));
  ASSIGN_OR_RETURN(auto insert, db->Prepare("INSERT INTO audit(n,line,hash) VALUES(?,?,?)"));
  const int64_t now_ms = static_cast<int64_t>(time(nullptr)) * 1000;
  RETURN_IF_ERROR(chain.Append(insert, {now_ms, "restore", "concordctl",
                                        absl::StrCat("from=", from, " seq_floor=", floor)}));
  RETURN_IF_ERROR(txn.Commit());
  RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=DELETE"));  // no -wal left beside it
  db->Close();
  RETURN_IF_ERROR(
      hub::WriteAuditHead(hub::AuditHeadPath(db_path.string()), chain.last_n(), chain.last_hash()));
  return floor;
}

int CmdRestore(const std::string& from_arg, const std::string& data_dir_arg,
               const std::string& config, bool force) {
  Failure f;
  std::string data_dir;
  if (!ResolveDataDir(data_dir_arg, config, data_dir, f)) return Fail(f.code, f.message);
  std::error_code ec;
  const fs::path from = fs::absolute(from_arg, ec);
  json manifest;
  if (!CheckBackup(from, manifest, f)) return Fail(f.code, f.message);

  const fs::path target = fs::absolute(data_dir, ec).lexically_normal();
  const fs::path dest = target.has_filename() ? target : target.parent_path();
  const bool exists = fs::exists(dest, ec);
  if (exists && !fs::is_directory(dest, ec))
    return Fail(2, absl::StrCat("不是文件夹 / not a folder: ", dest.string()));
  if (exists) {
    // A daemon running on a database there holds its lock (common/daemon.h),
    // in this namespace or another (a container, a unit's private /proc).
    for (const auto& e : fs::directory_iterator(dest, ec)) {
      if (e.path().extension() != ".lock") continue;
      auto lock = DatabaseLock::Acquire(e.path().parent_path() / e.path().stem(), "concordctl");
      if (!lock.ok() && absl::IsFailedPrecondition(lock.status()))
        return Fail(2, absl::StrCat("未恢复 / nothing restored: ", lock.status().message()));
    }
    const std::vector<std::string> holders = HoldersOf(dest);
    if (!holders.empty())
      return Fail(2, absl::StrCat("数据文件夹正被运行中的进程使用，未恢复；请先停止守护进程 / the "
                                  "data folder is held open by running processes, nothing "
                                  "restored; stop the daemon first: ",
                                  absl::StrJoin(holders, ", ")));
    if (!fs::is_empty(dest, ec) && !force)
      return Fail(2, absl::StrCat("数据文件夹非空，未恢复（--force 覆盖，旧内容保留于旁）/ the "
                                  "data folder is not empty, nothing restored (--force replaces "
                                  "it, keeping the old contents beside it): ",
                                  dest.string()));
  }
  fs::create_directories(dest.parent_path(), ec);
  const fs::path staging =
      dest.parent_path() / absl::StrCat(".", dest.filename().string(), ".restore-", getpid());
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec)
    return Fail(2, absl::StrCat("无法创建 / cannot create ", staging.string(), ": ", ec.message()));
  struct stat owner = {};
  const bool chown_to_owner = exists && geteuid() == 0 && stat(dest.c_str(), &owner) == 0;
  int not_owned = 0;  // files left to root: the daemon's user may not open them
  for (const auto& e : manifest["files"]) {
    const fs::path rel = e["path"].get<std::string>();
    fs::create_directories((staging / rel).parent_path(), ec);
    fs::copy_file(from / rel, staging / rel, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      fs::remove_all(staging, ec);
      return Fail(2, absl::StrCat("无法复制 / cannot copy ", rel.string(), ": ", ec.message()));
    }
  }
  for (const auto& e : manifest["files"]) {
    if (!e.contains("schema") || !e["schema"].contains("hub") || !e.contains("audit")) continue;
    auto floor = PrepareRestoredHub(staging / e["path"].get<std::string>(), from.string());
    if (!floor.ok()) {
      fs::remove_all(staging, ec);
      return Fail(2, absl::StrCat("无法准备恢复的 hub.db / cannot prepare the restored hub.db: ",
                                  floor.status().message()));
    }
    std::cout << "消息序号自 " << *floor << " 起 / the hub numbers new messages from " << *floor
              << "\n";
  }
  for (const auto& e : manifest["files"]) {
    const fs::path p = staging / e["path"].get<std::string>();
    if (chown_to_owner && chown(p.c_str(), owner.st_uid, owner.st_gid) != 0) ++not_owned;
    SyncPath(p);
  }
  if (chown_to_owner) {
    if (chown(staging.c_str(), owner.st_uid, owner.st_gid) != 0) ++not_owned;
    (void)chmod(staging.c_str(), owner.st_mode & 07777);
  }
  SyncPath(staging);
  std::string kept;
  if (exists) {
    // One atomic exchange: the daemon's folder is the old one or the new one.
    if (renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, dest.c_str(), RENAME_EXCHANGE) != 0) {
      const std::string why = strerror(errno);
      fs::remove_all(staging, ec);
      return Fail(2, absl::StrCat("无法替换 / cannot swap in ", dest.string(), ": ", why));
    }
    kept = absl::StrCat(dest.string(), ".before-restore-", UtcNow("%Y%m%dT%H%M%SZ"));
    fs::rename(staging, kept, ec);
    if (ec) kept = staging.string();
  } else if (rename(staging.c_str(), dest.c_str()) != 0) {
    const std::string why = strerror(errno);
    fs::remove_all(staging, ec);
    return Fail(2, absl::StrCat("无法改名 / cannot rename to ", dest.string(), ": ", why));
  }
  SyncPath(dest.parent_path());
  std::cout << "已恢复 / restored: " << manifest["files"].size() << " 个文件 files from "
            << from.string() << " (" << manifest.value("created_utc", "") << ") -> "
            << dest.string() << "\n";
  if (not_owned > 0)
    std::cerr << "警告：" << not_owned << " 个文件未能改为原属主 / warning: " << not_owned
              << " files could not be given the folder's owner (chown)\n";
  if (!kept.empty()) std::cout << "原有内容保留于 / the old contents are kept in " << kept << "\n";
  return 0;
}

}  // namespace

void AddBackupCommands(CLI::App& app, Commands& commands) {
  struct Args {
    std::string data_dir, config, out, from;
    bool force = false;
  };
  auto a = std::make_shared<Args>();
  auto* backup = app.add_subcommand(
      "backup", "在线备份守护进程的数据文件夹 / copy a daemon's data folder while it runs");
  backup->add_option("--data-dir", a->data_dir, "数据文件夹 / the data folder");
  backup->add_option("--config", a->config,
                     "守护进程配置（[hub] 或 [storage] data_dir）/ the daemon's config");
  backup->add_option("--out", a->out, "新的备份文件夹 / the new backup folder")->required();
  commands.On(backup, [a] { return CmdBackup(a->data_dir, a->config, a->out); });
  auto* restore = app.add_subcommand(
      "restore",
      "从备份恢复数据文件夹（守护进程须已停止）/ restore a data folder (daemon stopped)");
  restore->add_option("--from", a->from, "备份文件夹 / the backup folder")->required();
  restore->add_option("--data-dir", a->data_dir, "数据文件夹 / the data folder");
  restore->add_option("--config", a->config,
                      "守护进程配置（[hub] 或 [storage] data_dir）/ the daemon's config");
  restore->add_flag("--force", a->force,
                    "替换非空文件夹（旧内容保留于旁）/ replace a non-empty folder (kept beside)");
  commands.On(restore, [a] { return CmdRestore(a->from, a->data_dir, a->config, a->force); });
}

}  // namespace concord::ctl
