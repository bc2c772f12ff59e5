#include "agents/aid/registry.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "domain/linkage/wire.h"

namespace concord::aid {
namespace {

// The first column of every row of `sql`, as bytes.
absl::StatusOr<std::vector<std::string>> FirstColumn(sql::Db& db, std::string_view sql) {
  ASSIGN_OR_RETURN(auto q, db.Prepare(sql));
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(q.Blob(0));
  }
  return out;
}

}  // namespace
const std::vector<std::string>& RegistryMigrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE aid_grants(
        id INTEGER PRIMARY KEY,
        agency TEXT NOT NULL,
        record_id TEXT NOT NULL,
        aid_type INTEGER NOT NULL,
        amount_fen INTEGER NOT NULL,
        granted_on TEXT NOT NULL,
        encoding BLOB NOT NULL,      -- concord.v1.AidEncoding without block keys
        registered_ms INTEGER NOT NULL,
        UNIQUE(agency, record_id));
      CREATE TABLE aid_blocks(
        key BLOB NOT NULL,
        grant_id INTEGER NOT NULL,
        PRIMARY KEY(key, grant_id)) WITHOUT ROWID;
      CREATE TABLE aid_checks(
        id INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        agency TEXT NOT NULL,
        record_id TEXT NOT NULL,
        verdict TEXT NOT NULL,
        matches TEXT NOT NULL,      -- agency/record_id of each match
        registered INTEGER NOT NULL);
      )sql",
      // An approved exception: who approved it (the envelope's actor) and why.
      R"sql(
      ALTER TABLE aid_checks ADD COLUMN exception_reason TEXT;
      ALTER TABLE aid_checks ADD COLUMN approved_by TEXT;
      )sql",
      // Case links: tokens of two numbers of one case, and who said so.
      R"sql(
      CREATE TABLE aid_case_links(
        token_a BLOB NOT NULL,
        token_b BLOB NOT NULL,
        agency TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        PRIMARY KEY(token_a, token_b)) WITHOUT ROWID;
      )sql",
      // Corrections and withdrawals: who changed which grant, when and why,
      // and the verdict after (a withdrawn grant leaves aid_grants).
      R"sql(
      CREATE TABLE aid_grant_changes(
        id INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        agency TEXT NOT NULL,
        record_id TEXT NOT NULL,
        kind TEXT NOT NULL,          -- AID_CORRECTED | AID_WITHDRAWN
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,         -- the envelope's actor, '' when none
        verdict TEXT NOT NULL,       -- the corrected grant's check; '' for a withdrawal
        notified TEXT NOT NULL);     -- the agencies told, comma-separated
      CREATE INDEX aid_grant_changes_record ON aid_grant_changes(agency, record_id);
      )sql",
      // Key rotation: the key the registry runs on (and those retired), and
      // the grants and links staged under the next key.
      R"sql(
      CREATE TABLE aid_keys(
        key_id BLOB PRIMARY KEY,
        state TEXT NOT NULL,         -- active | retired
        at_ms INTEGER NOT NULL);
      CREATE TABLE aid_rekey(
        key_id BLOB NOT NULL,
        agency TEXT NOT NULL,
        record_id TEXT NOT NULL,
        encoding BLOB NOT NULL,      -- concord.v1.AidEncoding with its block keys
        PRIMARY KEY(key_id, agency, record_id)) WITHOUT ROWID;
      CREATE TABLE aid_rekey_links(
        key_id BLOB NOT NULL,
        token_a BLOB NOT NULL,
        token_b BLOB NOT NULL,
        agency TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        PRIMARY KEY(key_id, token_a, token_b, agency)) WITHOUT ROWID;
      )sql",
  };
  return kMigrations;
}

absl::StatusOr<Registry> Registry::Open(sql::Db& db) {
  // Every check reads a few dozen grants at random from the whole registry
  // (1.5 GB at a million grants): mapped, a page is a memory read, not a
  // pread() copy (the default map covers 256 MiB). A ceiling, not a size;
  // Debian's SQLite caps it at 2 GiB (SQLITE_MAX_MMAP_SIZE).
  (void)db.Exec("PRAGMA mmap_size=4294967296");
  Registry r(db);
  ASSIGN_OR_RETURN(r.find_block_,
                   db.Prepare("SELECT grant_id FROM aid_blocks WHERE key=? LIMIT ?"));
  ASSIGN_OR_RETURN(r.load_, db.Prepare("SELECT agency, record_id, aid_type, amount_fen, "
                                       "granted_on, encoding FROM aid_grants WHERE id=?"));
  ASSIGN_OR_RETURN(
      r.insert_grant_,
      db.Prepare(
          "INSERT INTO aid_grants(agency, record_id, aid_type, amount_fen, granted_on, encoding, "
          "registered_ms) VALUES(?,?,?,?,?,?,?) ON CONFLICT(agency, record_id) DO NOTHING "
          "RETURNING id"));
  ASSIGN_OR_RETURN(r.insert_block_,
                   db.Prepare("INSERT OR IGNORE INTO aid_blocks(key, grant_id) VALUES(?,?)"));
  ASSIGN_OR_RETURN(r.has_, db.Prepare("SELECT 1 FROM aid_grants WHERE agency=? AND record_id=?"));
  ASSIGN_OR_RETURN(
      r.log_,
      db.Prepare("INSERT INTO aid_checks(at_ms, agency, record_id, verdict, matches, registered, "
                 "exception_reason, approved_by) VALUES(?,?,?,?,?,?,?,?)"));
  return r;
}

absl::StatusOr<std::vector<EncodedRecord>> Registry::Candidates(const EncodedRecord& q,
                                                                size_t max_block) {
  std::set<int64_t> ids;
  for (const auto& key : q.block_keys) {
    find_block_.BindBlob(1, key);
    find_block_.Bind(2, static_cast<int64_t>(max_block + 1));
    std::vector<int64_t> found;
    while (true) {
      auto row = find_block_.Step();
      if (!row.ok()) {
        find_block_.Reset();
        return row.status();
      }
      if (!*row) break;
      found.push_back(find_block_.Int(0));
    }
    find_block_.Reset();
    if (found.size() > max_block) continue;  // too common to tell anything
    ids.insert(found.begin(), found.end());
  }
  std::vector<EncodedRecord> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    ASSIGN_OR_RETURN(std::optional<EncodedRecord> e, LoadRow(id));
    if (e) out.push_back(*std::move(e));
  }
  return out;
}

absl::StatusOr<std::optional<EncodedRecord>> Registry::LoadRow(int64_t id) {
  load_.Bind(1, id);
  auto row = load_.Step();
  if (!row.ok() || !*row) {
    load_.Reset();
    if (!row.ok()) return row.status();
    return std::nullopt;
  }
  EncodedRecord e;
  e.agency = load_.Text(0);
  e.record_id = load_.Text(1);
  e.aid_type = FromProto(static_cast<v1::AidType>(load_.Int(2)));
  e.amount_fen = load_.Int(3);
  e.granted_on = load_.Text(4);
  v1::AidEncoding enc;
  const std::string blob = load_.Blob(5);
  load_.Reset();
  if (!enc.ParseFromString(blob) || !FromProto(enc, &e))
    return absl::DataLossError(
        absl::StrCat("登记表第 ", id, " 条编码损坏 / grant ", id, " has a corrupt encoding"));
  return e;
}

absl::StatusOr<int64_t> Registry::RowId(const std::string& agency, const std::string& record_id) {
  ASSIGN_OR_RETURN(auto st,
                   db_->Prepare("SELECT id FROM aid_grants WHERE agency=? AND record_id=?"));
  st.BindAll(agency, record_id);
  ASSIGN_OR_RETURN(bool found, st.Step());
  return found ? st.Int(0) : int64_t{0};
}

absl::StatusOr<std::optional<EncodedRecord>> Registry::Load(const std::string& agency,
                                                            const std::string& record_id) {
  ASSIGN_OR_RETURN(int64_t id, RowId(agency, record_id));
  if (id == 0) return std::nullopt;
  ASSIGN_OR_RETURN(std::optional<EncodedRecord> e, LoadRow(id));
  if (!e) return e;
  ASSIGN_OR_RETURN(auto keys, db_->Prepare("SELECT key FROM aid_blocks WHERE grant_id=?"));
  keys.Bind(1, id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, keys.Step());
    if (!row) break;
    e->block_keys.push_back(keys.Blob(0));
  }
  return e;
}

absl::Status Registry::Remove(const std::string& agency, const std::string& record_id) {
  ASSIGN_OR_RETURN(int64_t id, RowId(agency, record_id));
  if (id == 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto blocks, db_->Prepare("DELETE FROM aid_blocks WHERE grant_id=?"));
  blocks.Bind(1, id);
  RETURN_IF_ERROR(blocks.Run());
  ASSIGN_OR_RETURN(auto grant, db_->Prepare("DELETE FROM aid_grants WHERE id=?"));
  grant.Bind(1, id);
  return grant.Run();
}

absl::Status Registry::Replace(const EncodedRecord& g, int64_t now_ms) {
  // The row keeps its id (and so its place in the registry's history); its
  // blocking keys are the corrected grant's.
  ASSIGN_OR_RETURN(int64_t id, RowId(g.agency, g.record_id));
  if (id == 0) return Add(g, now_ms);
  v1::AidEncoding enc = ToProto(g);
  enc.clear_block_keys();
  ASSIGN_OR_RETURN(auto up, db_->Prepare("UPDATE aid_grants SET aid_type=?, amount_fen=?, "
                                         "granted_on=?, encoding=? WHERE id=?"));
  up.BindAll(static_cast<int64_t>(ToProto(g.aid_type)), g.amount_fen, g.granted_on);
  up.BindBlob(4, enc.SerializeAsString());
  up.Bind(5, id);
  RETURN_IF_ERROR(up.Run());
  ASSIGN_OR_RETURN(auto blocks, db_->Prepare("DELETE FROM aid_blocks WHERE grant_id=?"));
  blocks.Bind(1, id);
  RETURN_IF_ERROR(blocks.Run());
  for (const auto& key : g.block_keys) {
    insert_block_.BindBlob(1, key);
    insert_block_.Bind(2, id);
    RETURN_IF_ERROR(insert_block_.Run());
  }
  return absl::OkStatus();
}

absl::Status Registry::LogChange(const Change& c, int64_t now_ms) {
  ASSIGN_OR_RETURN(auto put, db_->Prepare("INSERT INTO aid_grant_changes(at_ms, agency, "
                                          "record_id, kind, reason, actor, verdict, notified) "
                                          "VALUES(?,?,?,?,?,?,?,?)"));
  put.BindAll(now_ms, c.agency, c.record_id, v1::AidChangeKind_Name(c.kind), c.reason, c.actor,
              c.verdict, c.notified);
  return put.Run();
}

absl::StatusOr<std::vector<Registry::Change>> Registry::Changes(const std::string& agency,
                                                                const std::string& record_id) {
  ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT kind, reason, actor, verdict, notified, at_ms "
                                        "FROM aid_grant_changes WHERE agency=? AND record_id=? "
                                        "ORDER BY id"));
  q.BindAll(agency, record_id);
  std::vector<Change> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    Change c{.agency = agency,
             .record_id = record_id,
             .kind = v1::AID_CHANGE_NONE,
             .reason = q.Text(1),
             .actor = q.Text(2),
             .verdict = q.Text(3),
             .notified = q.Text(4),
             .at_ms = q.Int(5)};
    (void)v1::AidChangeKind_Parse(q.Text(0), &c.kind);
    out.push_back(std::move(c));
  }
  return out;
}

absl::Status Registry::Add(const EncodedRecord& g, int64_t now_ms) {
  v1::AidEncoding enc = ToProto(g);
  enc.clear_block_keys();  // they live in aid_blocks
  insert_grant_.BindAll(g.agency, g.record_id, static_cast<int64_t>(ToProto(g.aid_type)),
                        g.amount_fen, g.granted_on);
  insert_grant_.BindBlob(6, enc.SerializeAsString());
  insert_grant_.Bind(7, now_ms);
  ASSIGN_OR_RETURN(bool added, insert_grant_.Step());
  const int64_t id = added ? insert_grant_.Int(0) : 0;
  insert_grant_.Reset();
  if (!added) return absl::OkStatus();  // already registered
  for (const auto& key : g.block_keys) {
    insert_block_.BindBlob(1, key);
    insert_block_.Bind(2, id);
    RETURN_IF_ERROR(insert_block_.Run());
  }
  return absl::OkStatus();
}

absl::Status Registry::SetAmount(const std::string& agency, const std::string& record_id,
                                 int64_t amount_fen) {
  ASSIGN_OR_RETURN(auto up, db_->Prepare("UPDATE aid_grants SET amount_fen=? WHERE agency=? AND "
                                         "record_id=?"));
  up.BindAll(amount_fen, agency, record_id);
  return up.Run();
}

absl::StatusOr<bool> Registry::Has(const std::string& agency, const std::string& record_id) {
  has_.BindAll(agency, record_id);
  auto row = has_.Step();
  has_.Reset();
  return row;
}

absl::Status Registry::LogCheck(const v1::AidCheckReply& reply, const std::string& agency,
                                int64_t now_ms, const ApprovedException* exception) {
  std::string matches;
  for (const auto& m : reply.matches())
    absl::StrAppend(&matches, matches.empty() ? "" : ",", m.agency(), "/", m.record_id());
  log_.BindAll(now_ms, agency, reply.record_id(), v1::AidVerdict_Name(reply.verdict()), matches,
               static_cast<int64_t>(reply.registered()));
  if (exception) {
    log_.Bind(7, exception->reason);
    log_.Bind(8, exception->approved_by);
  } else {
    log_.BindNull(7);
    log_.BindNull(8);
  }
  return log_.Run();
}

absl::StatusOr<std::vector<Registry::CheckCount>> Registry::CountChecks() {
  ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT agency, verdict, COUNT(*) FROM aid_checks "
                                         "GROUP BY agency, verdict ORDER BY agency, verdict"));
  std::vector<CheckCount> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.Text(0), st.Text(1), st.Int(2)});
  }
  return out;
}

absl::StatusOr<v1::AidStatus> Registry::Status(const std::string& agency,
                                               const std::string& record_id,
                                               const std::vector<std::string>& case_tokens) {
  v1::AidStatus out;
  out.set_agency(agency);
  out.set_record_id(record_id);
  ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT verdict, matches FROM aid_checks WHERE agency=? "
                                         "AND record_id=? ORDER BY id DESC LIMIT 1"));
  st.BindAll(agency, record_id);
  ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) return out;
  out.set_found(true);
  v1::AidVerdict verdict = v1::AID_VERDICT_UNSPECIFIED;
  (void)v1::AidVerdict_Parse(st.Text(0), &verdict);
  out.set_verdict(verdict);
  out.set_matches(st.Text(1));
  st.Reset();
  ASSIGN_OR_RETURN(auto grant,
                   db_->Prepare("SELECT encoding FROM aid_grants WHERE agency=? AND record_id=?"));
  grant.BindAll(agency, record_id);
  ASSIGN_OR_RETURN(bool registered, grant.Step());
  out.set_registered(registered);
  if (registered && !case_tokens.empty()) {
    v1::AidEncoding e;
    if (!e.ParseFromString(grant.Blob(0)))
      return absl::DataLossError(absl::StrCat(
          "救助登记编码损坏 / aid_grants: unreadable encoding of ", agency, "/", record_id));
    for (const auto& t : e.case_tokens())
      if (std::find(case_tokens.begin(), case_tokens.end(), t) != case_tokens.end())
        out.set_same_case(true);
  }
  return out;
}

absl::StatusOr<bool> Registry::AddLink(const std::string& a, const std::string& b,
                                       const std::string& agency, int64_t now_ms) {
  const bool ordered = a < b;
  ASSIGN_OR_RETURN(auto put, db_->Prepare("INSERT OR IGNORE INTO aid_case_links(token_a, token_b, "
                                          "agency, at_ms) VALUES(?,?,?,?)"));
  put.BindBlob(1, ordered ? a : b).BindBlob(2, ordered ? b : a);
  put.Bind(3, agency).Bind(4, now_ms);
  RETURN_IF_ERROR(put.Run());
  return db_->Changes() > 0;
}

absl::Status Registry::LoadLinks(CaseLinks* links) {
  ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT token_a, token_b FROM aid_case_links"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    links->Link(q.Blob(0), q.Blob(1));
  }
  return absl::OkStatus();
}

absl::StatusOr<Registry::Keys> Registry::LoadKeys() {
  Keys keys;
  ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT key_id, state FROM aid_keys"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    if (q.Text(1) == "active")
      keys.active = q.Blob(0);
    else
      keys.retired.insert(q.Blob(0));
  }
  return keys;
}

absl::Status Registry::Activate(const std::string& key_id, int64_t now_ms) {
  RETURN_IF_ERROR(db_->Exec("UPDATE aid_keys SET state='retired' WHERE state='active'"));
  ASSIGN_OR_RETURN(auto put, db_->Prepare("INSERT INTO aid_keys(key_id, state, at_ms) "
                                          "VALUES(?,'active',?) ON CONFLICT(key_id) DO UPDATE "
                                          "SET state='active', at_ms=excluded.at_ms"));
  put.BindBlob(1, key_id).Bind(2, now_ms);
  return put.Run();
}

absl::Status Registry::Stage(const std::string& key_id, const std::string& agency,
                             const std::string& record_id, const v1::AidEncoding& encoding) {
  ASSIGN_OR_RETURN(auto put, db_->Prepare("INSERT OR REPLACE INTO aid_rekey(key_id, agency, "
                                          "record_id, encoding) VALUES(?,?,?,?)"));
  put.BindBlob(1, key_id).Bind(2, agency).Bind(3, record_id);
  put.BindBlob(4, encoding.SerializeAsString());
  return put.Run();
}

absl::Status Registry::Unstage(const std::string& agency, const std::string& record_id) {
  ASSIGN_OR_RETURN(auto del, db_->Prepare("DELETE FROM aid_rekey WHERE agency=? AND record_id=?"));
  del.BindAll(agency, record_id);
  return del.Run();
}

absl::Status Registry::StageLink(const std::string& key_id, const std::string& a,
                                 const std::string& b, const std::string& agency, int64_t now_ms) {
  const bool ordered = a < b;
  ASSIGN_OR_RETURN(auto put, db_->Prepare("INSERT OR IGNORE INTO aid_rekey_links(key_id, token_a, "
                                          "token_b, agency, at_ms) VALUES(?,?,?,?,?)"));
  put.BindBlob(1, key_id).BindBlob(2, ordered ? a : b).BindBlob(3, ordered ? b : a);
  put.Bind(4, agency).Bind(5, now_ms);
  return put.Run();
}

absl::StatusOr<std::vector<std::string>> Registry::StagedKeys() {
  return FirstColumn(*db_, "SELECT key_id FROM aid_rekey UNION SELECT key_id FROM aid_rekey_links");
}

absl::StatusOr<Registry::Missing> Registry::MissingUnder(const std::string& key_id) {
  ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT g.agency, count(*) FROM aid_grants g WHERE NOT "
                                        "EXISTS (SELECT 1 FROM aid_rekey r WHERE r.key_id=? AND "
                                        "r.agency=g.agency AND r.record_id=g.record_id) GROUP BY "
                                        "g.agency ORDER BY g.agency"));
  q.BindBlob(1, key_id);
  Missing out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.total += q.Int(1);
    out.by_agency.emplace_back(q.Text(0), q.Int(1));
  }
  // Agencies that linked case numbers and have not sent them under the key.
  ASSIGN_OR_RETURN(auto l, db_->Prepare("SELECT DISTINCT agency FROM aid_case_links c WHERE NOT "
                                        "EXISTS (SELECT 1 FROM aid_rekey_links r WHERE r.key_id=? "
                                        "AND r.agency=c.agency) ORDER BY agency"));
  l.BindBlob(1, key_id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, l.Step());
    if (!row) break;
    out.link_agencies.push_back(l.Text(0));
  }
  return out;
}

absl::Status Registry::Rotate(const std::string& key_id, int64_t now_ms) {
  ASSIGN_OR_RETURN(Missing missing, MissingUnder(key_id));
  if (!missing.done())
    return absl::FailedPreconditionError(
        absl::StrCat(missing.total, " 笔登记尚无新密钥编码，须待各机关报送 / ", missing.total,
                     " grants not yet re-keyed: wait for every agency's AidRekey"));
  RETURN_IF_ERROR(db_->Exec("DELETE FROM aid_blocks"));
  ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT g.id, r.encoding FROM aid_grants g JOIN aid_rekey "
                                        "r ON r.key_id=? AND r.agency=g.agency AND "
                                        "r.record_id=g.record_id"));
  q.BindBlob(1, key_id);
  ASSIGN_OR_RETURN(auto up, db_->Prepare("UPDATE aid_grants SET encoding=? WHERE id=?"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    const int64_t id = q.Int(0);
    v1::AidEncoding enc;
    if (!enc.ParseFromString(q.Blob(1)))
      return absl::DataLossError(
          absl::StrCat("新密钥编码损坏 / a staged encoding of grant ", id, " is unreadable"));
    for (const auto& key : enc.block_keys()) {
      insert_block_.BindBlob(1, key);
      insert_block_.Bind(2, id);
      RETURN_IF_ERROR(insert_block_.Run());
    }
    enc.clear_block_keys();  // they live in aid_blocks
    up.BindBlob(1, enc.SerializeAsString());
    up.Bind(2, id);
    RETURN_IF_ERROR(up.Run());
  }
  ASSIGN_OR_RETURN(auto links,
                   db_->Prepare("INSERT OR IGNORE INTO aid_case_links(token_a, token_b, agency, "
                                "at_ms) SELECT token_a, token_b, agency, at_ms FROM "
                                "aid_rekey_links WHERE key_id=?"));
  links.BindBlob(1, key_id);
  RETURN_IF_ERROR(db_->Exec("DELETE FROM aid_case_links"));
  RETURN_IF_ERROR(links.Run());
  // Staged under this key or an older one: done with.
  RETURN_IF_ERROR(db_->Exec("DELETE FROM aid_rekey"));
  RETURN_IF_ERROR(db_->Exec("DELETE FROM aid_rekey_links"));
  return Activate(key_id, now_ms);
}

absl::StatusOr<std::vector<std::string>> Registry::Agencies() {
  return FirstColumn(*db_,
                     "SELECT agency FROM aid_grants UNION SELECT agency FROM aid_case_links "
                     "ORDER BY 1");
}

absl::StatusOr<int64_t> Registry::Count() {
  return db_->QueryInt("SELECT count(*) FROM aid_grants");
}

v1::AidCheckReply Decide(const EncodedRecord& req, const std::vector<EncodedRecord>& candidates,
                         const Model& model, const CheckConfig& cfg, const CaseLinks* links) {
  v1::AidCheckReply reply;
  reply.set_record_id(req.record_id);
  // The cap for the grant's year (its wage table), or the local cap if lower.
  int64_t cap_fen = 0;
  std::string cap_basis;
  int year = 0;
  if (auto d = ParseDate(req.granted_on); d.ok()) year = static_cast<int>(d->year());
  if (auto cap = cfg.wages.CapFor(year); cap.ok()) {
    cap_fen = cap->cap_fen;
    cap_basis = cap->Explain();
  }
  if (cfg.local_cap_fen > 0 && (cap_fen == 0 || cfg.local_cap_fen < cap_fen)) {
    cap_fen = cfg.local_cap_fen;
    cap_basis = absl::StrCat("地方限额 ", YuanText(cap_fen), " 元 / local cap");
  }
  reply.set_cap_fen(cap_fen);
  v1::AidVerdict verdict = v1::AID_CLEAR;
  auto raise = [&](v1::AidVerdict v) { verdict = std::max(verdict, v); };
  const bool money = req.aid_type == AidType::kMoney;
  int64_t case_total = money ? req.amount_fen : 0;
  bool total_certain = true;  // every grant in the total is surely the same person
  const LogModel scores(model);
  for (const EncodedRecord& c : candidates) {
    if (c.agency == req.agency && c.record_id == req.record_id) continue;  // itself, re-sent
    const ComparisonVector cv = Compare(req, c);
    const double p = scores.Probability(cv);
    if (p < cfg.possible_probability) continue;
    const CaseEvidence ce = RelateCases(req, c, links);
    const bool same_case = ce.relation == CaseRelation::kSame;
    const bool sure = p >= cfg.duplicate_probability;
    v1::AidMatch* m = reply.add_matches();
    m->set_agency(c.agency);
    m->set_record_id(c.record_id);
    m->set_probability(p);
    m->set_same_case(same_case);
    m->set_case_relation(ce.relation == CaseRelation::kSame    ? v1::CASE_SAME
                         : ce.relation == CaseRelation::kOther ? v1::CASE_OTHER
                                                               : v1::CASE_UNKNOWN);
    m->set_aid_type(ToProto(c.aid_type));
    m->set_amount_fen(c.amount_fen);
    m->set_granted_on(c.granted_on);
    m->add_reasons(absl::StrFormat("同一人概率 P(same person) = %.3f: %s", p, Evidence(cv, model)));
    m->add_reasons(ce.reason);
    if (ce.relation == CaseRelation::kOther) {
      m->add_reasons("不同案件，可以救助 / a different case: allowed");
      continue;
    }
    if (ce.relation == CaseRelation::kUnknown) {
      // Nothing ties the cases or tells them apart: the same kind of aid is
      // for the offices to check, never cleared and never refused outright.
      if (c.aid_type == req.aid_type) {
        m->add_reasons(
            "同一人已获同类救助，案件不明，请核实是否同一案件 / the same kind of aid for the "
            "same person, case unknown: check whether it is the same case");
        raise(v1::AID_POSSIBLE_DUPLICATE);
      }
      continue;
    }
    if (money && c.aid_type == AidType::kMoney) {
      case_total += c.amount_fen;
      total_certain = total_certain && sure;
      m->add_reasons("同一人同一案件已获资金救助 / one money grant per person per case");
      raise(sure ? v1::AID_DUPLICATE : v1::AID_POSSIBLE_DUPLICATE);
    } else if (c.aid_type == req.aid_type) {
      m->add_reasons(absl::StrCat("同一案件已给予同类救助（", AidTypeChineseName(c.aid_type),
                                  "）/ the same kind of aid twice for one case"));
      raise(sure ? v1::AID_DUPLICATE : v1::AID_POSSIBLE_DUPLICATE);
    } else {
      m->add_reasons(
          "同案不同类救助，按联合方案可以 / another kind for the same case: allowed "
          "under a joint plan");
    }
  }
  reply.set_case_total_fen(case_total);
  // Over the cap: a duplicate stays a duplicate (one money grant per person
  // and case); otherwise it is the amount itself, 超出上限, never 重复救助.
  if (money && cap_fen > 0 && case_total > cap_fen && total_certain &&
      verdict != v1::AID_DUPLICATE) {
    reply.add_reasons(absl::StrCat("同一人同一案件资金救助 ", YuanText(case_total),
                                   " 元，超出上限 ", YuanText(cap_fen), " 元（", cap_basis,
                                   "），须特别审批，且不得超过依法应判赔偿数额 / money for this "
                                   "person and case (",
                                   YuanText(case_total), ") is over the cap (", YuanText(cap_fen),
                                   "): only with special approval"));
    verdict = v1::AID_OVER_CAP;
  } else if (money && cap_fen == 0) {
    reply.add_reasons(absl::StrCat("[aid.wages] 没有 ", year - 1,
                                   " 年及以前的职工月平均工资，未核上限 / no wage figure for ",
                                   year - 1, ": the cap was not checked"));
  }
  switch (verdict) {
    case v1::AID_CLEAR:
      reply.add_reasons("未发现重复救助 / no duplicate aid found");
      break;
    case v1::AID_POSSIBLE_DUPLICATE:
      reply.add_reasons(
          "疑似重复，请与对方机关核对 / possible duplicate: compare files with the "
          "other agency before granting");
      break;
    case v1::AID_OVER_CAP:
      break;  // its reason above
    default:
      reply.add_reasons("重复救助，不应发放 / duplicate aid: do not grant");
      break;
  }
  reply.set_verdict(verdict);
  return reply;
}

}  // namespace concord::aid
