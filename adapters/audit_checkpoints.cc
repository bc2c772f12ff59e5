#include "adapters/audit_checkpoints.h"

#include <string>
#include <vector>

#include "common/hex.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "concord/v1/envelope.pb.h"
#include "hub/audit/checkpoint.h"
#include "nlohmann/json.hpp"

namespace concord::adapter {
namespace {

using json = nlohmann::json;

const std::vector<std::string>& CheckpointMigrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE audit_checkpoints(
        envelope_id TEXT PRIMARY KEY,
        line INTEGER NOT NULL,
        hash TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        public_key TEXT NOT NULL,
        signature TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        key_changed INTEGER NOT NULL);
      )sql",
  };
  return kMigrations;
}

// Keeps one checkpoint; false when it is not kept (and says why in the log).
absl::StatusOr<bool> Keep(sql::Db& db, const v1::Envelope& env, const v1::AuditCheckpoint& c,
                          int64_t now_ms) {
  if (env.from() != "hub") {
    LOG_WARN(
        "伪造的审计检查点已丢弃：来自 {}（消息 {}）/ forged message dropped: AuditCheckpoint "
        "from {} (envelope {}), only the hub sends them",
        env.from(), env.id(), env.from(), env.id());
    return false;
  }
  if (!hub::VerifyCheckpoint(c.line(), c.hash(), c.at_ms(), c.public_key(), c.signature())) {
    LOG_ERROR(
        "审计检查点签名无效，已丢弃（第 {} 行）/ audit checkpoint for line {} has a bad "
        "signature: dropped (envelope {})",
        c.line(), c.line(), env.id());
    return false;
  }
  const std::string key = HexOf(c.public_key());
  ASSIGN_OR_RETURN(auto first,
                   db.Prepare("SELECT public_key FROM audit_checkpoints ORDER BY rowid LIMIT 1"));
  ASSIGN_OR_RETURN(bool any, first.Step());
  const bool changed = any && first.Text(0) != key;
  if (changed)
    LOG_ERROR(
        "枢纽的审计签名密钥变了：{}（原为 {}）；请向枢纽管理员核实 / the hub's audit key changed "
        "to {} (was {}): check with the hub's administrator",
        key, first.Text(0), key, first.Text(0));
  ASSIGN_OR_RETURN(auto insert,
                   db.Prepare("INSERT OR IGNORE INTO audit_checkpoints(envelope_id, line, hash, "
                              "at_ms, public_key, signature, received_ms, key_changed) "
                              "VALUES(?,?,?,?,?,?,?,?)"));
  insert.BindAll(env.id(), c.line(), c.hash(), c.at_ms(), key, HexOf(c.signature()), now_ms,
                 int64_t{changed});
  RETURN_IF_ERROR(insert.Run());
  return true;
}

}  // namespace

absl::Status KeepAuditCheckpoints(const std::string& agency, client::Client& client,
                                  Mailbox& mailbox, HttpRouter& router) {
  RETURN_IF_ERROR(client.db().Migrate("adapter_audit", CheckpointMigrations()));
  client::Client* bus = &client;
  mailbox.AddInterceptor([bus](const v1::Envelope& env) {
    v1::AuditCheckpoint c;
    if (!env.payload().Is<v1::AuditCheckpoint>() || !env.payload().UnpackTo(&c)) return false;
    auto kept = Keep(bus->db(), env, c, SystemClock::Get().NowMs());
    if (!kept.ok()) {
      // Into the inbox instead: nothing is lost, and the log says why.
      LOG_ERROR("audit checkpoint {} not kept: {}", env.id(), kept.status().ToString());
      return false;
    }
    return true;  // kept or refused; never shown as a message
  });
  return router.Add("GET", "/audit/checkpoints", [bus, agency](const HttpRequest&) {
    auto st = bus->db().Prepare(
        "SELECT line, hash, at_ms, public_key, signature, received_ms, key_changed "
        "FROM audit_checkpoints ORDER BY line, at_ms");
    if (!st.ok()) return StatusResponse(st.status());
    json rows = json::array();
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return StatusResponse(row.status());
      if (!*row) break;
      rows.push_back({{"line", st->Int(0)},
                      {"hash", st->Text(1)},
                      {"at_ms", st->Int(2)},
                      {"public_key", st->Text(3)},
                      {"signature", st->Text(4)},
                      {"received_ms", st->Int(5)},
                      {"key_changed", st->Int(6) != 0}});
    }
    return JsonResponse(200, {{"agency", agency}, {"checkpoints", std::move(rows)}});
  });
}

}  // namespace concord::adapter
