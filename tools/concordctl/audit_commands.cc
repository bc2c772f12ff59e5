// `concordctl audit ...`: the hub's audit chain (hub/audit/audit.h), read
// from hub.db directly (read-only).
//
//   concordctl audit verify --db data/hub/hub.db     # exit 1 when the chain is broken
//                                                      # or the stored state departs from it
//   concordctl audit verify --db hub.db --checkpoints court-checkpoints.json  # and the heads
//   concordctl audit verify --db hub.db --registry /etc/concord/registry.toml  # and who signed
//   concordctl audit archive --db hub.db --out /var/lib/concord/audit-archive --keep-days 365
//   concordctl audit verify --db hub.db --archive-dir /var/lib/concord/audit-archive
//                                                      # an agency kept are still in the chain
//   concordctl audit show --db data/hub/hub.db [--tail 20]
//   concordctl audit verify --postgresql "host=... dbname=concord" [--audit-key hub/audit-sign.pub]
//     (a hub on PostgreSQL: the schema hub; archive is SQLite's only for now)
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/daemon.h"
#include "common/hex.h"
#include "common/sqlite.h"
#include "concord/v1/envelope.pb.h"
#include "hub/audit/audit.h"
#include "hub/audit/audit_archive.h"
#include "hub/audit/audit_state.h"
#include "hub/audit/checkpoint.h"
#include "hub/registry/registry.h"
#include "hub/transport/envelope_sign.h"
#include "nlohmann/json.hpp"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {
namespace {

using json = nlohmann::json;

// The checkpoints an agency kept (its adapter's GET /audit/checkpoints,
// saved to `file`) against the chain in `db`: each must be signed by the
// hub's audit key and name a line the chain still has, with that hash.
// Returns the number of faults (printed).
int CheckCheckpoints(sql::Db& db, const std::string& key_path, const std::string& file) {
  std::ifstream in(file);
  const json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("checkpoints") || !doc["checkpoints"].is_array()) {
    std::cout << "检查点文件无法读取 / " << file
              << ": not the JSON of an adapter's GET /audit/checkpoints\n";
    return 1;
  }
  const std::string agency = doc.value("agency", file);
  auto hub_key = hub::ReadAuditPublicKey(key_path);
  auto line_hash = db.Prepare("SELECT hash FROM audit WHERE n = ?");
  auto last = db.QueryInt("SELECT coalesce(max(n), 0) FROM audit");
  if (!line_hash.ok() || !last.ok()) {
    std::cout << "无法读取审计表 / cannot read the audit table\n";
    return 1;
  }
  auto archives = hub::ReadArchives(db);
  if (!archives.ok()) {
    std::cout << "无法读取归档记录 / cannot read the archive records\n";
    return 1;
  }
  const int64_t archived_through = archives->empty() ? 0 : archives->back().last;
  int faults = 0, held = 0, archived = 0;
  auto fault = [&](const std::string& what) {
    ++faults;
    std::cout << "  " << agency << ": " << what << "\n";
  };
  for (const json& c : doc["checkpoints"]) {
    const int64_t line = c.value("line", int64_t{0}), at_ms = c.value("at_ms", int64_t{0});
    const std::string hash = c.value("hash", ""), key_hex = c.value("public_key", ""),
                      sig_hex = c.value("signature", "");
    const std::string key = BytesOfHex(key_hex, key_hex.size() / 2),
                      sig = BytesOfHex(sig_hex, sig_hex.size() / 2);
    const std::string where = absl::StrCat("第 ", line, " 行检查点 / checkpoint of line ", line);
    if (!hub::VerifyCheckpoint(line, hash, at_ms, key, sig)) {
      fault(absl::StrCat(where, ": 签名无效 / bad signature"));
      continue;
    }
    if (hub_key.ok() && key != *hub_key)
      fault(absl::StrCat(where, ": 不是枢纽当前的审计密钥签的 / signed by another key than ",
                         key_path));
    if (line > *last) {
      fault(absl::StrCat(where, ": 审计链只到第 ", *last,
                         " 行，末尾被截去 / the chain ends at line ", *last,
                         ": its tail was cut after the agency saw line ", line));
      continue;
    }
    std::string have;
    if (line <= archived_through) {
      // Archived: only a line that ended an archive keeps its hash here (in
      // its signed record); `--archive-dir` checks the files themselves.
      auto a = std::find_if(archives->begin(), archives->end(),
                            [&](const hub::ArchiveRecord& r) { return r.last == line; });
      if (a == archives->end()) {
        ++archived;
        continue;
      }
      have = a->last_hash;
    } else {
      line_hash->Bind(1, line);
      auto row = line_hash->Step();
      have = row.ok() && *row ? line_hash->Text(0) : "";
      line_hash->Reset();
    }
    if (have != hash) {
      fault(absl::StrCat(where, ": 该行已被改写或删除 / line ", line,
                         have.empty() ? " is gone" : " was rewritten",
                         " (the agency was sent hash ", hash.substr(0, 16), "…)"));
      continue;
    }
    ++held;
  }
  if (faults == 0)
    std::cout << "机关 " << agency << " 保存的 " << held << " 个检查点均在链中 / every checkpoint "
              << agency << " kept is in the chain (" << held << ")"
              << (archived ? absl::StrCat("；另 ", archived, " 个在已归档部分 / ", archived,
                                          " more in the archived part")
                           : std::string())
              << "\n";
  return faults;
}

// The signatures of the envelopes the hub keeps (messages and dead letters):
// each must verify under its signer_key (envelope_sign.h), and with the
// district's registry that key must be the sender's `sign_key`. Prints what
// it found; returns the number of faults. Envelopes from "hub" are its own.
int CheckSignatures(sql::Db& db, const std::string& registry_file) {
  std::optional<hub::Registry> registry;
  if (!registry_file.empty()) {
    const std::string acl =
        (std::filesystem::path(registry_file).parent_path() / "acl.toml").string();
    auto r = hub::Registry::Load(registry_file, acl);
    if (!r.ok()) {
      std::cout << "无法读取登记表 / cannot read the registry: " << r.status().message() << "\n";
      return 1;
    }
    registry = std::move(*r);
  }
  int64_t signed_ok = 0, unsigned_n = 0, faults = 0;
  auto fault = [&](const std::string& text) {
    if (++faults <= 20) std::cout << "  " << text << "\n";
  };
  for (const char* sql : {"SELECT seq, envelope FROM messages ORDER BY seq",
                          "SELECT seq, envelope FROM dead_letters ORDER BY seq"}) {
    auto st = db.Prepare(sql);
    if (!st.ok()) continue;  // a database from before that table
    while (true) {
      auto row = st->Step();
      if (!row.ok() || !*row) break;
      v1::Envelope env;
      if (!env.ParseFromString(st->Blob(1))) {
        fault(absl::StrCat("第 ", st->Int(0), " 条无法解析 / seq ", st->Int(0), " does not parse"));
        continue;
      }
      if (env.from() == "hub") continue;
      const hub::Principal* sender = registry ? registry->ByName(env.from()) : nullptr;
      const SignatureCheck c = CheckEnvelopeSignature(env);
      if (c == SignatureCheck::kUnsigned && !(sender && !sender->sign_key.empty())) {
        ++unsigned_n;  // a client from before signing, and no key registered
        continue;
      }
      if (c != SignatureCheck::kValid) {
        fault(absl::StrCat("消息 ", env.id(), "（", env.from(), "，第 ", st->Int(0),
                           " 条）: ", SignatureCheckText(c)));
        continue;
      }
      if (sender && !sender->sign_key.empty() && sender->sign_key != env.signer_key()) {
        fault(absl::StrCat("消息 ", env.id(), "（第 ", st->Int(0), " 条）签名密钥不是 ", env.from(),
                           " 登记的 / signed with ", SignKeyHex(env.signer_key()),
                           ", not the sign_key the registry gives ", env.from()));
        continue;
      }
      ++signed_ok;
    }
  }
  if (faults > 20) std::cout << "  ……另有 / and " << faults - 20 << " more\n";
  if (faults)
    std::cout << "消息签名不符 / envelope signatures do NOT hold: " << faults << " 处 faults\n";
  else
    std::cout << "消息签名有效 / envelope signatures valid: " << signed_ok << " 条 signed"
              << (registry ? "（密钥与登记表相符 / keys match the registry）" : "")
              << (unsigned_n ? absl::StrCat(", ", unsigned_n, " 条未签名 unsigned (older clients)")
                             : std::string())
              << "\n";
  return static_cast<int>(std::min<int64_t>(faults, 1 << 20));
}

// The hub's store: hub.db (read-only), or the schema "hub" on PostgreSQL.
absl::StatusOr<sql::Db> OpenHubStore(const std::string& db_path, const std::string& postgresql) {
  if (!postgresql.empty())
    return sql::Db::OpenPostgresql(
        {.conninfo = postgresql, .schema = "hub", .application_name = "concordctl audit"});
  if (db_path.empty())
    return absl::InvalidArgumentError("需要 --db 或 --postgresql / --db or --postgresql is needed");
  sqlite::OpenOptions ro;
  ro.read_only = true;
  return sql::Db::Open(db_path, ro);
}

int CmdAuditVerify(const std::string& db_path, const std::string& postgresql, std::string audit_key,
                   const std::vector<std::string>& checkpoints, const std::string& registry_file,
                   const std::string& archive_dir) {
  auto db = OpenHubStore(db_path, postgresql);
  if (!db.ok()) return Fail(2, std::string(db.status().message()));
  // The hub's audit-sign.pub: beside hub.db, or where --audit-key says
  // (on PostgreSQL it stays in the hub's data folder, on its machine).
  if (audit_key.empty() && !db_path.empty())
    audit_key = (std::filesystem::path(db_path).parent_path() / "audit-sign.pub").string();
  // An archive record is checked against audit-sign.pub beside hub.db; the
  // head file the hub keeps beside hub.db (SQLite only) catches a cut tail.
  auto r = hub::VerifyAuditChain(*db, db_path.empty() ? "" : hub::AuditHeadPath(db_path));
  if (!r.ok()) return Fail(2, std::string(r.status().message()));
  if (!r->ok) {
    std::cout << "审计链损坏 / audit chain BROKEN at line " << r->first_bad << ": " << r->reason
              << "\n";
    return 1;
  }
  std::cout << "审计链完整 / audit chain intact: " << r->lines << " 行 lines";
  if (r->archived)
    std::cout << "（第 1 至 " << r->archived << " 行已归档，归档记录签名有效 / lines 1.."
              << r->archived << " archived under a signed record)";
  std::cout << "\n";
  if (!archive_dir.empty()) {
    // The archive files themselves, each chained from the one before.
    auto archives = hub::ReadArchives(*db);
    if (!archives.ok()) return Fail(2, std::string(archives.status().message()));
    std::string prev(64, '0');
    int bad = 0;
    for (const auto& a : *archives) {
      const std::string path = (std::filesystem::path(archive_dir) / a.file).string();
      if (auto st = hub::VerifyArchiveFile(a, prev, path); !st.ok()) {
        std::cout << "  " << st.message() << "\n";
        ++bad;
      }
      prev = a.last_hash;
    }
    if (bad) {
      std::cout << "归档文件不符 / archive files do NOT hold the archived lines: " << bad
                << " 个 files\n";
      return 1;
    }
    std::cout << "归档文件完整 / archive files intact: " << archives->size() << " 个 files\n";
  }
  int checkpoint_faults = 0;
  for (const auto& file : checkpoints) checkpoint_faults += CheckCheckpoints(*db, audit_key, file);
  if (checkpoint_faults) {
    std::cout << "审计链与机关保存的检查点不符 / the chain does NOT hold what the agencies were "
                 "sent: "
              << checkpoint_faults << " 处 faults\n";
    return 1;
  }
  const int signature_faults = CheckSignatures(*db, registry_file);
  // The stored envelopes, cursors, mailboxes and dead letters against it.
  auto state = hub::VerifyStoredState(*db);
  if (!state.ok()) return Fail(2, std::string(state.status().message()));
  if (state->ok) {
    std::cout << "存储状态与审计链一致 / stored state matches the chain: " << state->envelopes
              << " 条消息摘要相符 envelopes, " << state->queued << " 条待投递 queued, "
              << state->dead_letters << " 条死信 dead letters\n";
    return signature_faults ? 1 : 0;
  }
  std::cout << "存储状态与审计链不符 / stored state does NOT match the chain: " << state->problems
            << " 处 faults\n";
  for (const auto& f : state->faults) std::cout << "  " << f << "\n";
  if (state->problems > static_cast<int64_t>(state->faults.size()))
    std::cout << "  ……另有 / and " << state->problems - state->faults.size() << " more\n";
  return 1;
}

// Archives the lines older than `keep_days` (and not after `through_line`)
// that no stored state needs
// (audit_archive.h), with the hub stopped. Exit 0, 1 when nothing may go, 2.
int CmdAuditArchive(const std::string& db_path, const std::string& dir, int keep_days,
                    int64_t through_line) {
  if (!std::filesystem::is_regular_file(db_path))
    return Fail(2, absl::StrCat("没有这个数据库 / no such database: ", db_path));
  auto lock = DatabaseLock::Acquire(db_path, "concordctl audit archive");
  if (!lock.ok())
    return Fail(2, absl::StrCat("请先停止枢纽 / stop the hub first: ", lock.status().message()));
  const std::string key_path =
      (std::filesystem::path(db_path).parent_path() / "audit-sign.key").string();
  if (!std::filesystem::exists(key_path))
    return Fail(2, absl::StrCat("没有枢纽审计密钥 / no hub audit key at ", key_path));
  auto signer = hub::AuditSigner::LoadOrCreate(key_path);
  if (!signer.ok()) return Fail(2, std::string(signer.status().message()));
  auto db = sql::Db::Open(db_path);
  if (!db.ok()) return Fail(2, std::string(db.status().message()));
  auto before = hub::VerifyAuditChain(*db, hub::AuditHeadPath(db_path), signer->public_key());
  if (!before.ok()) return Fail(2, std::string(before.status().message()));
  if (!before->ok)
    return Fail(2, absl::StrCat("审计链损坏，不归档 / the chain is broken, nothing archived: ",
                                before->reason));
  const int64_t now = SystemClock::Get().NowMs();
  auto max_line = db->Prepare(
      "SELECT coalesce(max(n), 0) FROM audit WHERE substr(line, instr(line, char(9)) + 1, 24) < ?");
  if (!max_line.ok()) return Fail(2, std::string(max_line.status().message()));
  max_line->Bind(1, hub::AuditTimeText(now - int64_t{keep_days} * 86'400'000));
  auto row = max_line->Step();
  if (!row.ok()) return Fail(2, std::string(row.status().message()));
  const int64_t older = max_line->Int(0);
  max_line->Reset();
  auto done = hub::ArchiveAuditLines(*db, dir, std::min(older, through_line), *signer, now);
  if (absl::IsFailedPrecondition(done.status())) {
    std::cout << done.status().message() << "\n";
    return 1;
  }
  if (!done.ok()) return Fail(2, std::string(done.status().message()));
  std::cout << "已归档第 " << done->record.first << " 至 " << done->record.last
            << " 行 / archived lines " << done->record.first << ".." << done->record.last << " to "
            << done->path
            << "\n（请妥善保存该文件 / keep that file: `audit verify --archive-dir` checks it)\n";
  return 0;
}

int CmdAuditShow(const std::string& db_path, const std::string& postgresql, int tail) {
  auto db = OpenHubStore(db_path, postgresql);
  if (!db.ok()) return Fail(2, std::string(db.status().message()));
  auto st = db->Prepare(
      "SELECT line FROM (SELECT n, line FROM audit ORDER BY n DESC LIMIT ?) ORDER BY n");
  if (!st.ok()) return Fail(2, std::string(st.status().message()));
  st->Bind(1, tail);
  while (true) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    std::cout << st->Text(0) << "\n";
  }
  return 0;
}

}  // namespace

void AddAuditCommands(CLI::App& app, Commands& commands) {
  struct Args {
    std::string db_path;
    std::vector<std::string> checkpoints;
    std::string registry, archive_dir, postgresql, audit_key;
    int keep_days = 365;
    int64_t through_line = INT64_MAX;
    int tail = 20;
  };
  auto a = std::make_shared<Args>();
  auto* audit = app.add_subcommand("audit", "审计链 / audit chain");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "校验审计链 / verify the chain");
  auto* verify_db = verify->add_option("--db", a->db_path, "hub.db");
  verify
      ->add_option("--postgresql", a->postgresql,
                   "枢纽存储在 PostgreSQL 上时的连接串（模式 hub）/ the libpq connection string "
                   "of a hub on PostgreSQL (schema hub)")
      ->excludes(verify_db);
  verify->add_option("--audit-key", a->audit_key,
                     "枢纽的 audit-sign.pub（默认在 hub.db 旁）/ the hub's audit-sign.pub "
                     "(default: beside hub.db)");
  verify
      ->add_option("--checkpoints", a->checkpoints,
                   "机关保存的检查点（适配器 GET /audit/checkpoints 的 JSON，可多个）/ "
                   "checkpoints an agency kept (its adapter's GET /audit/checkpoints), repeatable")
      ->check(CLI::ExistingFile);
  verify->add_option("--registry", a->registry,
                     "辖区登记表（acl.toml 在其旁），核对各消息的签名密钥 / the district's "
                     "registry.toml (acl.toml beside it): each envelope's signing key must be "
                     "its sender's sign_key");
  verify->add_option("--archive-dir", a->archive_dir,
                     "归档目录，逐个核对归档文件 / the folder of `audit archive`: check each file");
  commands.On(verify, [a] {
    return CmdAuditVerify(a->db_path, a->postgresql, a->audit_key, a->checkpoints, a->registry,
                          a->archive_dir);
  });
  auto* archive = audit->add_subcommand(
      "archive",
      "归档旧审计行（须先停止枢纽）/ move old audit lines to a signed archive (hub stopped)");
  archive->add_option("--db", a->db_path, "hub.db")->required();
  archive->add_option("--out", a->archive_dir, "归档目录 / archive folder")->required();
  archive
      ->add_option("--keep-days", a->keep_days,
                   "保留最近天数（默认 365；0：不论新旧）/ keep the last N days (default "
                   "365; 0: any age)")
      ->check(CLI::Range(0, 36500));
  archive->add_option("--through-line", a->through_line,
                      "至多归档到此行 / archive no line after this one");
  commands.On(archive, [a] {
    return CmdAuditArchive(a->db_path, a->archive_dir, a->keep_days, a->through_line);
  });
  auto* show = audit->add_subcommand("show", "显示最近的审计行 / print the last lines");
  auto* show_db = show->add_option("--db", a->db_path, "hub.db");
  show->add_option("--postgresql", a->postgresql, "枢纽在 PostgreSQL 上 / a hub on PostgreSQL")
      ->excludes(show_db);
  show->add_option("--tail", a->tail);
  commands.On(show, [a] { return CmdAuditShow(a->db_path, a->postgresql, a->tail); });
}

}  // namespace concord::ctl
