#include "adapters/aid_connector.h"

#include <sodium.h>

#include <algorithm>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "adapters/aid_applications.h"
#include "adapters/drop_folder.h"
#include "common/csv.h"
#include "common/field_status.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "concord/v1/aid.pb.h"
#include "concord/v1/conference.pb.h"
#include "domain/linkage/aid_csv.h"
#include "domain/linkage/normalize.h"
#include "domain/linkage/wire.h"
#include "google/protobuf/util/json_util.h"
#include "hub/client/acting_as.h"

namespace concord::adapter {
namespace {

using nlohmann::json;

const std::vector<std::string>& AidMigrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE aid_records(
        record_id TEXT PRIMARY KEY,
        record_json TEXT NOT NULL,   -- as the agency entered it; never leaves the agency
        source TEXT NOT NULL,        -- "api" or "csv:<file>:<line>"
        register INTEGER NOT NULL,   -- 1: register if clear; 0: check only
        status TEXT NOT NULL,        -- checking | clear | possible_duplicate | duplicate | refused
        registered INTEGER NOT NULL DEFAULT 0,
        check_id TEXT NOT NULL,      -- envelope id of the AidCheckRequest
        reply_json TEXT,             -- the aid agent's AidCheckReply
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL);
      CREATE INDEX aid_records_check ON aid_records(check_id);
      CREATE TABLE aid_notices(
        n INTEGER PRIMARY KEY,
        envelope_id TEXT NOT NULL UNIQUE,
        your_record_id TEXT NOT NULL,
        notice_json TEXT NOT NULL,
        received_ms INTEGER NOT NULL);
      CREATE TABLE aid_imports(
        file_hash TEXT PRIMARY KEY,
        file_name TEXT NOT NULL,
        rows_ok INTEGER NOT NULL,
        rows_bad INTEGER NOT NULL,
        at_ms INTEGER NOT NULL);
      )sql",
      // Approved exceptions with their reason; the rows of uploaded files.
      R"sql(
      ALTER TABLE aid_records ADD COLUMN exception_reason TEXT;  -- 批准理由, NULL: none
      ALTER TABLE aid_records ADD COLUMN exception_by TEXT;      -- who approved it
      ALTER TABLE aid_records ADD COLUMN exception_ms INTEGER;   -- when
      CREATE TABLE aid_import_rows(
        file_hash TEXT NOT NULL,     -- aid_imports.file_hash
        line INTEGER NOT NULL,       -- the row's line in the file (header = 1)
        record_id TEXT NOT NULL,     -- '' when the row has none
        outcome TEXT NOT NULL,       -- submitted | registered_before | bad
        reason TEXT NOT NULL,        -- bad: its errors, one a line
        PRIMARY KEY(file_hash, line));
      )sql",
      // Corrections and withdrawals of registered grants, each with its
      // reason, who asked, the record before and after, and the agent's answer.
      R"sql(
      CREATE TABLE aid_record_changes(
        envelope_id TEXT PRIMARY KEY, -- the AidGrantChange's id
        record_id TEXT NOT NULL,
        kind TEXT NOT NULL,           -- correct | withdraw
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,
        old_json TEXT NOT NULL,       -- the record before
        new_json TEXT,                -- correct: the record after
        state TEXT NOT NULL,          -- pending | done | refused
        error TEXT,                   -- refused: why
        reply_json TEXT,              -- the agent's AidGrantChangeReply
        at_ms INTEGER NOT NULL,
        done_ms INTEGER);
      CREATE INDEX aid_record_changes_record ON aid_record_changes(record_id);
      )sql",
      // Key rotation: each batch of grants and links sent under the next key.
      R"sql(
      CREATE TABLE aid_rekeys(
        envelope_id TEXT PRIMARY KEY, -- the AidRekey's id
        key_id TEXT NOT NULL,         -- the next key's id, hex
        grants INTEGER NOT NULL,
        links INTEGER NOT NULL,
        sent_ms INTEGER NOT NULL,
        reply_json TEXT);             -- the agent's AidRekeyReply
      )sql",
  };
  return kMigrations;
}

// The CSV's English column names, in its order.
constexpr const char* kColumns[] = {"record_id",   "agency",        "name",  "id_number",
                                    "birth_date",  "gender",        "phone", "address",
                                    "case_ref",    "incident_date", "crime", "aid_type",
                                    "amount_yuan", "granted_on"};

}  // namespace

// One JSON grant -> AidRecord, through the CSV importer so that both inputs
// share one set of checks and messages.
absl::StatusOr<aid::AidRecord> AidRecordFromJson(const json& j) {
  if (!j.is_object())
    return absl::InvalidArgumentError("每条记录须为 JSON 对象 / each grant must be a JSON object");
  std::vector<std::string> values;
  for (const char* c : kColumns) {
    auto it = j.find(c);
    std::string v;
    if (it == j.end() || it->is_null()) {
    } else if (it->is_string()) {
      v = it->get<std::string>();
    } else if (it->is_number()) {
      v = it->dump();
    } else if (it->is_array() && std::string(c) == "case_ref") {
      std::vector<std::string> refs;
      for (const auto& r : *it)
        if (r.is_string()) refs.push_back(r.get<std::string>());
      v = absl::StrJoin(refs, ";");
    } else {
      return WithFields(absl::InvalidArgumentError(
                            absl::StrCat("字段 ", c, " 类型错误 / field ", c, " must be a string")),
                        {c});
    }
    values.push_back(csv::Quote(v));
  }
  const std::string csv =
      absl::StrCat(absl::StrJoin(kColumns, ","), "\n", absl::StrJoin(values, ","), "\n");
  ASSIGN_OR_RETURN(aid::AidCsvResult parsed, aid::ParseAidCsv(csv));
  if (!parsed.errors.empty()) {
    std::vector<std::string> reasons, fields;
    for (const auto& e : parsed.errors) {
      reasons.push_back(e.reason);
      fields.insert(fields.end(), e.fields.begin(), e.fields.end());
    }
    return WithFields(absl::InvalidArgumentError(absl::StrJoin(reasons, "; ")), fields);
  }
  if (parsed.records.size() != 1) return absl::InvalidArgumentError("空记录 / empty grant");
  aid::AidRecord r = std::move(parsed.records[0]);
  r.line = 0;
  return r;
}

namespace {

std::string StatusOf(concord::v1::AidVerdict v) {
  switch (v) {
    case concord::v1::AID_CLEAR:
      return "clear";
    case concord::v1::AID_POSSIBLE_DUPLICATE:
      return "possible_duplicate";
    case concord::v1::AID_DUPLICATE:
      return "duplicate";
    case concord::v1::AID_OVER_CAP:
      return "over_cap";
    default:
      return "refused";
  }
}

// A stored grant as AidRecordFromJson reads it: grants imported from a file
// before their amount was kept in yuan have amount_fen.
json AsEntered(json j) {
  if (j.is_object() && !j.contains("amount_yuan") && j.contains("amount_fen") &&
      j["amount_fen"].is_number_integer()) {
    const int64_t fen = j["amount_fen"].get<int64_t>();
    j["amount_yuan"] = absl::StrFormat("%d.%02d", fen / 100, fen % 100);
  }
  return j;
}

// The approver of an exception: the person acting through the console, else
// the API caller's ?approved_by=.
std::string Approver(const HttpRequest& request) {
  if (const concord::v1::Actor* a = client::ActingAs::Current(); a && !a->login().empty())
    return absl::StrCat(a->role(), " ", a->name(), "（", a->login(), "）");
  const std::string by = request.Query("approved_by");
  return by.empty() ? "接口调用 / API" : by;
}

constexpr size_t kMaxReasonBytes = 1500;  // about 500 Chinese characters

// A reason, trimmed; InvalidArgument when empty (`missing`) or too long.
absl::StatusOr<std::string> Reason(std::string_view raw, const char* missing) {
  std::string reason(csv::Trim(absl::string_view(raw.data(), raw.size())));
  if (reason.empty()) return absl::InvalidArgumentError(missing);
  if (reason.size() > kMaxReasonBytes)
    return absl::InvalidArgumentError(
        "理由过长（不超过 500 字）/ the reason is too long (at most about 500 characters)");
  return reason;
}

absl::StatusOr<std::string> ExceptionReason(std::string_view raw) {
  return Reason(
      raw, "例外发放须填写批准理由 / an approved exception needs its reason (exception_reason)");
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connector>> AidConnector::Create(const ConnectorContext& ctx) {
  if (ctx.config.aid.linkage_key.empty())
    return absl::InvalidArgumentError(
        "救助连接器需要 [aid] linkage_key / the aid connector needs [aid] linkage_key");
  ASSIGN_OR_RETURN(aid::LinkageKey key, aid::ReadLinkageKey(ctx.config.aid.linkage_key));
  auto c = std::unique_ptr<AidConnector>(new AidConnector(ctx, key));
  if (!ctx.config.aid.linkage_key_next.empty()) {
    ASSIGN_OR_RETURN(aid::LinkageKey next, aid::ReadLinkageKey(ctx.config.aid.linkage_key_next));
    c->keys_.SetNext(next);
  }
  c->agent_ = ctx.config.aid.agent;
  ASSIGN_OR_RETURN(c->map_, aid::ParseAidColumnMap(ctx.config.csv_map));
  if (!c->map_.empty())
    LOG_INFO("[csv] map: aid files read with {}", aid::DescribeAidColumnMap(c->map_));
  return std::unique_ptr<Connector>(std::move(c));
}

absl::Status AidConnector::Start() {
  RETURN_IF_ERROR(ctx_.client.db().Migrate("adapter_aid", AidMigrations()));
  ctx_.mailbox.AddDeliveryHook(
      [this](const concord::v1::Envelope& e, sql::Db& db) { return OnDelivery(e, db); });
  ctx_.mailbox.AddSendHook(
      [this](concord::v1::Envelope& e, sql::Db& db) { return AddCaseTokens(e, db); });
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/aid/grants",
                                [this](const HttpRequest& r) { return PostGrants(r, true); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/aid/checks",
                                [this](const HttpRequest& r) { return PostGrants(r, false); }));
  RETURN_IF_ERROR(
      ctx_.http.Add("GET", "/aid/grants", [this](const HttpRequest& r) { return GetGrants(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/aid/grants/exception",
                                [this](const HttpRequest& r) { return PostException(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/aid/grants/correct",
                                [this](const HttpRequest& r) { return PostChange(r, false); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/aid/grants/withdraw",
                                [this](const HttpRequest& r) { return PostChange(r, true); }));
  RETURN_IF_ERROR(
      ctx_.http.Add("GET", "/aid/notices", [this](const HttpRequest& r) { return GetNotices(r); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/aid/imports",
                                [this](const HttpRequest& r) { return PostImport(r); }));
  RETURN_IF_ERROR(
      ctx_.http.Add("GET", "/aid/imports", [this](const HttpRequest& r) { return GetImports(r); }));
  applications_ = std::make_unique<AidApplications>(ctx_, keys_, agent_);
  RETURN_IF_ERROR(applications_->Start());
  case_links_ = std::make_unique<AidCaseLinksApi>(ctx_, keys_, agent_);
  RETURN_IF_ERROR(case_links_->Start());
  RETURN_IF_ERROR(
      ctx_.http.Add("GET", "/aid/rekey", [this](const HttpRequest& r) { return GetRekey(r); }));
  RETURN_IF_ERROR(
      ctx_.http.Add("POST", "/aid/rekey", [this](const HttpRequest& r) { return PostRekey(r); }));
  if (keys_.next()) {
    // A new key to rotate to: re-key once, and again at each start until
    // the aid agent says the registry runs on it.
    auto sent = RekeyIfNeeded();
    if (!sent.ok())
      LOG_WARN("key rotation: re-keying failed: {}", std::string(sent.status().message()));
  }
  if (ctx_.config.drop_dir.empty()) return absl::OkStatus();
  drop_ = std::make_unique<DropFolder>(
      ctx_, ctx_.config.drop_dir, "aid_imports", "grants submitted for checking",
      [this](const std::string& name, const std::string& bytes) { return ImportCsv(name, bytes); });
  return drop_->Start();
}

absl::Status AidConnector::AddCaseTokens(concord::v1::Envelope& envelope, sql::Db& db) {
  concord::v1::ConferenceTaskUpdate m;
  if (!envelope.payload().Is<concord::v1::ConferenceTaskUpdate>() ||
      !envelope.payload().UnpackTo(&m) || m.aid_record_id().empty())
    return absl::OkStatus();
  auto db_error = [](const absl::Status& st) { return absl::UnavailableError(st.message()); };
  const std::string& conference_agent = ctx_.config.aid.conference;
  if (conference_agent.empty())
    return absl::InvalidArgumentError(
        "本适配器未配置联席会议代理（[aid] conference），无法核对救助任务的案号 / [aid] "
        "conference is not set: an aid task's case cannot be checked here");
  // The case's numbers, from the latest invitation the conference agent
  // (and no one else) sent this agency.
  auto inv = db.Prepare(
      "SELECT payload_json FROM inbox_messages WHERE type = 'concord.v1.ConferenceInvitation' AND "
      "sender = ? "
      "AND json_extract(payload_json, '$.conference_id') = ? ORDER BY n DESC LIMIT 1");
  if (!inv.ok()) return db_error(inv.status());
  inv->BindAll(conference_agent, m.conference_id());
  auto found = inv->Step();
  if (!found.ok()) return db_error(found.status());
  if (!*found)
    return absl::InvalidArgumentError(
        absl::StrCat("本机关未收到联席会议 ", m.conference_id(),
                     " 的邀请，无法核对救助记录的案号 / no invitation to ", m.conference_id(),
                     " here: the grant's case cannot be checked"));
  const json invitation = json::parse(inv->Text(0), nullptr, false);
  std::vector<std::string> numbers = {invitation.value("case_key", "")};
  for (const auto& r : invitation.value("case_refs", json::array()))
    if (r.is_string()) numbers.push_back(r.get<std::string>());
  // The grant's case numbers, as the agency entered them.
  auto rec = db.Prepare("SELECT record_json FROM aid_records WHERE record_id=?");
  if (!rec.ok()) return db_error(rec.status());
  rec->Bind(1, m.aid_record_id());
  found = rec->Step();
  if (!found.ok()) return db_error(found.status());
  if (!*found)
    return absl::InvalidArgumentError(absl::StrCat("本机关没有救助记录 ", m.aid_record_id(),
                                                   "，请先登记查重 / no grant ", m.aid_record_id(),
                                                   " here: submit it for the check first"));
  const json grant = json::parse(rec->Text(0), nullptr, false);
  std::vector<std::string> grant_cases;
  if (auto it = grant.find("case_ref"); it != grant.end() && it->is_array()) {
    for (const auto& r : *it)
      if (r.is_string()) grant_cases.push_back(r.get<std::string>());
  } else if (it != grant.end() && it->is_string()) {
    grant_cases = aid::SplitCaseRefs(it->get<std::string>());
  }
  std::vector<std::string> normalized;
  for (const auto& g : grant_cases) normalized.push_back(aid::NormalizeCaseRef(g));
  m.clear_aid_case_tokens();  // only what is computed here
  bool same = false;
  for (const auto& n : numbers) {
    const std::string key = aid::NormalizeCaseRef(n);
    if (key.empty()) continue;
    same |= std::find(normalized.begin(), normalized.end(), key) != normalized.end();
    for (const aid::Encoder* e : {&keys_.current(), keys_.next()})  // both while rotating
      if (e) m.add_aid_case_tokens(e->Token("case", key));
  }
  if (!same)
    return absl::InvalidArgumentError(
        absl::StrCat("救助记录 ", m.aid_record_id(), " 的案号（", absl::StrJoin(grant_cases, "、"),
                     "）不是本案（", absl::StrJoin(numbers, "、"), "）/ grant ", m.aid_record_id(),
                     " lists none of this case's numbers"));
  envelope.mutable_payload()->PackFrom(m);
  return absl::OkStatus();
}

void AidConnector::Stop() {
  if (drop_) drop_->Stop();
}

absl::Status AidConnector::Submit(const aid::AidRecord& r, const std::string& record_json,
                                  bool register_grant, const ApprovedException* exception,
                                  const std::string& source) {
  sql::Db& db = ctx_.client.db();
  ASSIGN_OR_RETURN(auto existing,
                   db.Prepare("SELECT registered FROM aid_records WHERE record_id=?"));
  existing.Bind(1, r.record_id);
  ASSIGN_OR_RETURN(bool found, existing.Step());
  if (found && existing.Int(0))
    return absl::AlreadyExistsError(absl::StrCat("记录 ", r.record_id, " 已登记 / grant ",
                                                 r.record_id, " is already registered"));
  existing.Reset();

  aid::AidRecord named = r;
  named.agency = ctx_.config.agency;
  concord::v1::AidCheckRequest req;
  *req.mutable_grant() = keys_.Grant(named);
  if (concord::v1::AidEncoding next; keys_.NextEncoding(named, &next))
    *req.mutable_next_encoding() = std::move(next);
  req.set_register_(register_grant);
  if (exception) {
    req.set_approved_exception(true);
    req.set_exception_reason(exception->reason);
  }
  concord::v1::Envelope env = client::MakeEnvelope({agent_}, req);
  ctx_.client.Stamp(env);
  const int64_t now = ctx_.config.client.clock->NowMs();
  ASSIGN_OR_RETURN(
      auto put,
      db.Prepare(
          "INSERT INTO aid_records(record_id, record_json, source, register, status, check_id, "
          "created_ms, updated_ms, exception_reason, exception_by, exception_ms) "
          "VALUES(?,?,?,?,'checking',?,?,?,?,?,?) ON CONFLICT(record_id) DO UPDATE "
          "SET record_json=excluded.record_json, source=excluded.source, "
          "register=excluded.register, status='checking', check_id=excluded.check_id, "
          "reply_json=NULL, updated_ms=excluded.updated_ms, "
          "exception_reason=excluded.exception_reason, exception_by=excluded.exception_by, "
          "exception_ms=excluded.exception_ms"));
  put.BindAll(r.record_id, record_json, source, static_cast<int64_t>(register_grant), env.id(), now,
              now);
  if (exception) {
    put.Bind(8, exception->reason).Bind(9, exception->by).Bind(10, now);
  } else {
    put.BindNull(8).BindNull(9).BindNull(10);
  }
  RETURN_IF_ERROR(put.Run());
  return ctx_.client.Stage(std::move(env)).status();
}

HttpResponse AidConnector::PostGrants(const HttpRequest& request, bool register_grant) {
  json body;
  try {
    body = json::parse(request.body);
  } catch (const json::exception& e) {
    return ErrorResponse(400, absl::StrCat("请求体不是 JSON / body is not JSON: ", e.what()));
  }
  const json grants = body.is_array() ? body : json::array({body});
  std::optional<ApprovedException> exception;
  if (request.Query("approved_exception") == "1") {
    auto reason = ExceptionReason(request.Query("exception_reason"));
    if (!reason.ok()) return ErrorResponse(400, std::string(reason.status().message()));
    exception = ApprovedException{*std::move(reason), Approver(request)};
  }
  std::vector<aid::AidRecord> records;
  json errors = json::array();
  for (size_t i = 0; i < grants.size(); ++i) {
    auto r = AidRecordFromJson(grants[i]);
    if (!r.ok())
      errors.push_back({{"index", i},
                        {"error", std::string(r.status().message())},
                        {"fields", FieldsOf(r.status())}});
    else
      records.push_back(*std::move(r));
  }
  if (!errors.empty())
    return JsonResponse(
        400, {{"error", "记录有误，未提交 / bad grants, nothing submitted"}, {"errors", errors}});
  {
    auto txn = sql::Txn::Begin(ctx_.client.db());
    if (!txn.ok()) return StatusResponse(txn.status());
    for (size_t i = 0; i < records.size(); ++i) {
      auto st = Submit(records[i], grants[i].dump(), register_grant,
                       exception ? &*exception : nullptr, "api");
      if (absl::IsAlreadyExists(st)) return ErrorResponse(409, std::string(st.message()));
      if (!st.ok()) return StatusResponse(st);
    }
    if (auto st = txn->Commit(); !st.ok()) return StatusResponse(st);
  }
  ctx_.client.Flush();
  json out = json::array();
  for (const auto& r : records) out.push_back({{"record_id", r.record_id}, {"status", "checking"}});
  return JsonResponse(202, {{"grants", out}});
}

HttpResponse AidConnector::GetGrants(const HttpRequest& request) {
  const std::string id = request.Query("record_id");
  auto stmt = ctx_.client.db().Prepare(
      id.empty() ? "SELECT record_id, status, registered, reply_json, source, updated_ms, "
                   "exception_reason, exception_by, exception_ms FROM aid_records "
                   "ORDER BY updated_ms DESC LIMIT 1000"
                 : "SELECT record_id, status, registered, reply_json, source, updated_ms, "
                   "exception_reason, exception_by, exception_ms FROM aid_records "
                   "WHERE record_id=?");
  if (!stmt.ok()) return StatusResponse(stmt.status());
  if (!id.empty()) stmt->Bind(1, id);
  json out = json::array();
  while (true) {
    auto row = stmt->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (!*row) break;
    json g = {{"record_id", stmt->Text(0)},
              {"status", stmt->Text(1)},
              {"registered", stmt->Int(2) != 0},
              {"source", stmt->Text(4)},
              {"updated_ms", stmt->Int(5)}};
    if (!stmt->IsNull(3)) g["reply"] = json::parse(stmt->Text(3), nullptr, false);
    if (!stmt->IsNull(6))
      g["exception"] = {{"reason", stmt->Text(6)}, {"by", stmt->Text(7)}, {"at_ms", stmt->Int(8)}};
    out.push_back(std::move(g));
  }
  if (!id.empty() && out.empty())
    return ErrorResponse(404, absl::StrCat("没有记录 ", id, " / no grant ", id));
  if (id.empty()) return JsonResponse(200, {{"grants", out}});
  // One grant: as entered (it stays at the agency), and its changes.
  json& g = out[0];
  auto entered = ctx_.client.db().Prepare("SELECT record_json FROM aid_records WHERE record_id=?");
  if (!entered.ok()) return StatusResponse(entered.status());
  entered->Bind(1, id);
  if (auto row = entered->Step(); row.ok() && *row)
    g["record"] = AsEntered(json::parse(entered->Text(0), nullptr, false));
  auto changes = ctx_.client.db().Prepare(
      "SELECT kind, reason, actor, state, error, reply_json, at_ms, done_ms FROM "
      "aid_record_changes WHERE record_id=? ORDER BY at_ms, rowid");
  if (!changes.ok()) return StatusResponse(changes.status());
  changes->Bind(1, id);
  json list = json::array();
  bool pending = false;
  while (true) {
    auto row = changes->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (!*row) break;
    json c = {{"kind", changes->Text(0)}, {"reason", changes->Text(1)},
              {"by", changes->Text(2)},   {"state", changes->Text(3)},
              {"at_ms", changes->Int(6)}, {"done_ms", changes->Int(7)}};
    if (!changes->IsNull(4)) c["error"] = changes->Text(4);
    if (!changes->IsNull(5)) {
      const json reply = json::parse(changes->Text(5), nullptr, false);
      if (reply.is_object() && reply.contains("notified")) c["notified"] = reply["notified"];
    }
    pending |= changes->Text(3) == "pending";
    list.push_back(std::move(c));
  }
  g["changes"] = std::move(list);
  g["change_pending"] = pending;
  return JsonResponse(200, g);
}

HttpResponse AidConnector::GetNotices(const HttpRequest&) {
  auto stmt = ctx_.client.db().Prepare(
      "SELECT n, your_record_id, notice_json, received_ms FROM aid_notices ORDER BY n DESC "
      "LIMIT 500");
  if (!stmt.ok()) return StatusResponse(stmt.status());
  json out = json::array();
  while (true) {
    auto row = stmt->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (!*row) break;
    out.push_back({{"n", stmt->Int(0)},
                   {"your_record_id", stmt->Text(1)},
                   {"notice", json::parse(stmt->Text(2), nullptr, false)},
                   {"received_ms", stmt->Int(3)}});
  }
  return JsonResponse(200, {{"notices", out}});
}

absl::Status AidConnector::OnDelivery(const concord::v1::Envelope& env, sql::Db& db) {
  const int64_t now = ctx_.config.client.clock->NowMs();
  if (concord::v1::AidCheckReply reply; env.payload().UnpackTo(&reply)) {
    ASSIGN_OR_RETURN(auto up, db.Prepare("UPDATE aid_records SET status=?, registered=?, "
                                         "reply_json=?, updated_ms=? WHERE check_id=?"));
    up.BindAll(StatusOf(reply.verdict()), static_cast<int64_t>(reply.registered()), ToJson(reply),
               now, env.correlation_id());
    RETURN_IF_ERROR(up.Run());
    if (db.Changes() == 0)  // a reply to an older check of a re-submitted grant
      LOG_INFO("aid reply {} matches no pending check", env.correlation_id());
    else if (reply.verdict() != concord::v1::AID_CLEAR)
      LOG_WARN("aid check of {}: {} ({} matches)", reply.record_id(), StatusOf(reply.verdict()),
               reply.matches_size());
    return absl::OkStatus();
  }
  if (concord::v1::AidGrantChangeReply reply; env.payload().UnpackTo(&reply))
    return OnChangeReply(env, reply, db);
  if (concord::v1::AidRekeyReply reply; env.payload().UnpackTo(&reply)) {
    ASSIGN_OR_RETURN(auto up, db.Prepare("UPDATE aid_rekeys SET reply_json=? WHERE envelope_id=?"));
    up.BindAll(ToJson(reply), env.correlation_id());
    RETURN_IF_ERROR(up.Run());
    if (db.Changes() == 0 && reply.active()) {
      // The agent tells every agency of the switch, not only the one whose
      // batch completed it: kept as a batch of nothing, answered.
      ASSIGN_OR_RETURN(auto put, db.Prepare("INSERT OR IGNORE INTO aid_rekeys(envelope_id, key_id, "
                                            "grants, links, sent_ms, reply_json) "
                                            "VALUES(?,?,0,0,?,?)"));
      put.BindAll(env.id(), absl::BytesToHexString(reply.key_id()), now, ToJson(reply));
      RETURN_IF_ERROR(put.Run());
    }
    if (reply.active())
      LOG_WARN(
          "密钥轮换完成：救助平台已启用新密钥 / key rotation done: the registry runs on the "
          "new key; make it [aid] linkage_key and drop linkage_key_next");
    else
      LOG_INFO("key rotation: {} grants staged; {} still missing ({})", reply.staged(),
               reply.missing(), absl::StrJoin(reply.missing_by_agency(), ", "));
    return absl::OkStatus();
  }
  if (concord::v1::AidDuplicateNotice notice; env.payload().UnpackTo(&notice)) {
    ASSIGN_OR_RETURN(auto put, db.Prepare("INSERT OR IGNORE INTO aid_notices(envelope_id, "
                                          "your_record_id, notice_json, received_ms) "
                                          "VALUES(?,?,?,?)"));
    put.BindAll(env.id(), notice.your_record_id(), ToJson(notice), now);
    LOG_WARN("aid notice: {} ({}) matches our grant {}", notice.other_agency(),
             notice.other_record_id(), notice.your_record_id());
    return put.Run();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AidConnector::ImportedRow>> AidConnector::SubmitRows(
    const aid::AidCsvResult& parsed, const std::string& name) {
  std::vector<ImportedRow> rows;
  for (const auto& r : parsed.records) {
    json record = {
        {"record_id", r.record_id},
        {"name", r.name},
        {"id_number", r.id_number},
        {"birth_date", r.birth_date},
        {"gender", r.gender},
        {"phone", r.phone},
        {"address", r.address},
        {"case_ref", r.case_refs},
        {"incident_date", r.incident_date},
        {"crime", r.crime},
        {"aid_type", aid::AidTypeName(r.aid_type)},
        {"amount_yuan", absl::StrFormat("%d.%02d", r.amount_fen / 100, r.amount_fen % 100)},
        {"granted_on", r.granted_on}};
    absl::Status st =
        Submit(r, record.dump(), true, nullptr, absl::StrCat("csv:", name, ":", r.line));
    if (absl::IsAlreadyExists(st)) {
      rows.push_back({r.line, r.record_id, "registered_before", std::string(st.message())});
      continue;
    }
    RETURN_IF_ERROR(st);  // rolls the whole file back
    rows.push_back({r.line, r.record_id, "submitted", ""});
  }
  for (const auto& e : parsed.errors) {
    if (!rows.empty() && rows.back().outcome == "bad" && rows.back().line == e.line) {
      rows.back().reason += "\n" + e.reason;  // several bad fields in one row
      continue;
    }
    auto id = parsed.bad_record_ids.find(e.line);
    rows.push_back({e.line, id == parsed.bad_record_ids.end() ? "" : id->second, "bad", e.reason});
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const ImportedRow& a, const ImportedRow& b) { return a.line < b.line; });
  return rows;
}

absl::StatusOr<DropFolder::Outcome> AidConnector::ImportCsv(const std::string& name,
                                                            const std::string& bytes) {
  // A case-links file (case_ref_a,case_ref_b) rather than grants.
  if (auto links = aid::ParseCaseLinksCsv(bytes); links.ok()) {
    DropFolder::Outcome out = DropFolder::Outcome::Of(links);
    if (!links->pairs.empty()) RETURN_IF_ERROR(case_links_->Send(links->pairs, name).status());
    out.rows_ok = links->pairs.size();
    return out;
  }
  auto parsed = aid::ParseAidCsv(bytes, map_);
  DropFolder::Outcome out = DropFolder::Outcome::Of(parsed);  // takes the bad rows
  if (!parsed.ok()) return out;
  ASSIGN_OR_RETURN(std::vector<ImportedRow> rows, SubmitRows(*parsed, name));
  for (const auto& row : rows)
    if (row.outcome == "submitted")
      ++out.rows_ok;
    else if (row.outcome == "registered_before")
      out.errors.push_back({row.line, row.reason, {}});
  return out;
}

HttpResponse AidConnector::PostException(const HttpRequest& request) {
  const json body = json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("record_id") || !body["record_id"].is_string())
    return ErrorResponse(400,
                         "请求体须为 {\"record_id\", \"reason\"} / the body must be "
                         "{\"record_id\": ..., \"reason\": ...}");
  const std::string id = body["record_id"].get<std::string>();
  const json& raw = body.contains("reason") ? body["reason"] : json();
  auto reason = ExceptionReason(raw.is_string() ? raw.get<std::string>() : "");
  if (!reason.ok()) return ErrorResponse(400, std::string(reason.status().message()));
  sql::Db& db = ctx_.client.db();
  auto txn = sql::Txn::Begin(db);
  if (!txn.ok()) return StatusResponse(txn.status());
  auto stmt = db.Prepare(
      "SELECT record_json, status, registered, source FROM aid_records WHERE record_id=?");
  if (!stmt.ok()) return StatusResponse(stmt.status());
  stmt->Bind(1, id);
  auto found = stmt->Step();
  if (!found.ok()) return StatusResponse(found.status());
  if (!*found) return ErrorResponse(404, absl::StrCat("没有记录 ", id, " / no grant ", id));
  const std::string status = stmt->Text(1);
  if (stmt->Int(2))
    return ErrorResponse(
        409, absl::StrCat("记录 ", id, " 已登记，无需例外 / grant ", id, " is already registered"));
  if (status != "duplicate" && status != "possible_duplicate" && status != "over_cap")
    return ErrorResponse(
        409, status == "checking"
                 ? absl::StrCat("记录 ", id, " 查重尚未完成，请稍后再批 / grant ", id,
                                " is still being checked")
                 : absl::StrCat("记录 ", id,
                                " 查重结论不是重复或疑似重复，无需例外 / only a duplicate or "
                                "possible duplicate needs an approved exception"));
  const json entered = json::parse(stmt->Text(0), nullptr, false);
  const std::string source = stmt->Text(3);
  stmt->Reset();
  auto record = AidRecordFromJson(AsEntered(entered));
  if (!record.ok()) return ErrorResponse(400, std::string(record.status().message()));
  const ApprovedException exception{*std::move(reason), Approver(request)};
  if (auto st = Submit(*record, entered.dump(), true, &exception, source); !st.ok())
    return StatusResponse(st);
  if (auto st = txn->Commit(); !st.ok()) return StatusResponse(st);
  ctx_.client.Flush();
  LOG_WARN("aid grant {}: exception approved by {}: {}", id, exception.by, exception.reason);
  return JsonResponse(202, {{"record_id", id}, {"status", "checking"}});
}

HttpResponse AidConnector::PostChange(const HttpRequest& request, bool withdraw) {
  const json body = json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("record_id") || !body["record_id"].is_string())
    return ErrorResponse(400, withdraw
                                  ? "请求体须为 {\"record_id\", \"reason\"} / the body must be "
                                    "{\"record_id\": ..., \"reason\": ...}"
                                  : "请求体须为更正后的记录，另加 reason / the body must be the "
                                    "corrected grant with its reason");
  const std::string id = body["record_id"].get<std::string>();
  const json& raw = body.contains("reason") ? body["reason"] : json();
  auto reason = Reason(raw.is_string() ? raw.get<std::string>() : "",
                       withdraw ? "撤销须写明理由 / a withdrawal needs its reason"
                                : "更正须写明理由 / a correction needs its reason");
  if (!reason.ok())
    return JsonResponse(
        400, {{"error", std::string(reason.status().message())},
              {"errors",
               {{{"error", std::string(reason.status().message())}, {"fields", {"reason"}}}}}});
  json entered = body;
  entered.erase("reason");
  std::optional<aid::AidRecord> corrected;
  if (!withdraw) {
    auto r = AidRecordFromJson(entered);
    if (!r.ok())
      return JsonResponse(
          400,
          {{"error", std::string(r.status().message())},
           {"errors",
            {{{"error", std::string(r.status().message())}, {"fields", FieldsOf(r.status())}}}}});
    corrected = *std::move(r);
  }
  sql::Db& db = ctx_.client.db();
  auto txn = sql::Txn::Begin(db);
  if (!txn.ok()) return StatusResponse(txn.status());
  auto stmt = db.Prepare("SELECT record_json, registered FROM aid_records WHERE record_id=?");
  if (!stmt.ok()) return StatusResponse(stmt.status());
  stmt->Bind(1, id);
  auto found = stmt->Step();
  if (!found.ok()) return StatusResponse(found.status());
  if (!*found) return ErrorResponse(404, absl::StrCat("没有记录 ", id, " / no grant ", id));
  if (!stmt->Int(1))
    return ErrorResponse(
        409, absl::StrCat("记录 ", id,
                          " 未登记：未登记的记录无需更正或撤销，改正后重新提交查重即可 / grant ",
                          id, " is not registered: correct it and submit it again instead"));
  const std::string old_json = stmt->Text(0);
  stmt->Reset();
  auto pending =
      db.Prepare("SELECT 1 FROM aid_record_changes WHERE record_id=? AND state='pending' LIMIT 1");
  if (!pending.ok()) return StatusResponse(pending.status());
  pending->Bind(1, id);
  if (auto p = pending->Step(); !p.ok() || *p)
    return p.ok() ? ErrorResponse(409, absl::StrCat("记录 ", id,
                                                    " 的上一次更正或撤销尚未答复，请稍后 / an "
                                                    "earlier change of grant ",
                                                    id, " is still pending"))
                  : StatusResponse(p.status());
  concord::v1::AidGrantChange change;
  change.set_record_id(id);
  change.set_kind(withdraw ? concord::v1::AID_WITHDRAWN : concord::v1::AID_CORRECTED);
  change.set_reason(*reason);
  if (corrected) {
    aid::AidRecord named = *corrected;
    named.agency = ctx_.config.agency;
    *change.mutable_grant() = keys_.Grant(named);
    if (concord::v1::AidEncoding next; keys_.NextEncoding(named, &next))
      *change.mutable_next_encoding() = std::move(next);
  }
  concord::v1::Envelope env = client::MakeEnvelope({agent_}, change);
  ctx_.client.Stamp(env);
  const std::string by = Approver(request);
  auto put = db.Prepare(
      "INSERT INTO aid_record_changes(envelope_id, record_id, kind, reason, actor, old_json, "
      "new_json, state, at_ms) VALUES(?,?,?,?,?,?,?,'pending',?)");
  if (!put.ok()) return StatusResponse(put.status());
  put->BindAll(env.id(), id, withdraw ? "withdraw" : "correct", *reason, by, old_json);
  if (corrected) {
    put->Bind(7, entered.dump());
  } else {
    put->BindNull(7);
  }
  put->Bind(8, ctx_.config.client.clock->NowMs());
  if (auto st = put->Run(); !st.ok()) return StatusResponse(st);
  if (auto st = ctx_.client.Stage(std::move(env)).status(); !st.ok()) return StatusResponse(st);
  if (auto st = txn->Commit(); !st.ok()) return StatusResponse(st);
  ctx_.client.Flush();
  LOG_WARN("aid grant {}: {} asked by {}: {}", id, withdraw ? "withdrawal" : "correction", by,
           *reason);
  return JsonResponse(202, {{"record_id", id}, {"change", "pending"}});
}

absl::Status AidConnector::OnChangeReply(const concord::v1::Envelope& env,
                                         const concord::v1::AidGrantChangeReply& reply,
                                         sql::Db& db) {
  const int64_t now = ctx_.config.client.clock->NowMs();
  ASSIGN_OR_RETURN(auto change, db.Prepare("SELECT record_id, kind, new_json FROM "
                                           "aid_record_changes WHERE envelope_id=? AND "
                                           "state='pending'"));
  change.Bind(1, env.correlation_id());
  ASSIGN_OR_RETURN(bool found, change.Step());
  if (!found) {
    LOG_INFO("aid change reply {} matches no pending change", env.correlation_id());
    return absl::OkStatus();
  }
  const std::string id = change.Text(0), kind = change.Text(1);
  const std::string new_json = change.IsNull(2) ? "" : change.Text(2);
  change.Reset();
  ASSIGN_OR_RETURN(auto done, db.Prepare("UPDATE aid_record_changes SET state=?, error=?, "
                                         "reply_json=?, done_ms=? WHERE envelope_id=?"));
  done.BindAll(reply.ok() ? "done" : "refused", reply.error(), ToJson(reply), now,
               env.correlation_id());
  RETURN_IF_ERROR(done.Run());
  if (!reply.ok()) {
    LOG_WARN("aid grant {}: {} refused: {}", id, kind, reply.error());
    return absl::OkStatus();
  }
  if (kind == "withdraw") {
    ASSIGN_OR_RETURN(auto up, db.Prepare("UPDATE aid_records SET status='withdrawn', "
                                         "registered=0, updated_ms=? WHERE record_id=?"));
    up.BindAll(now, id);
    return up.Run();
  }
  ASSIGN_OR_RETURN(auto up, db.Prepare("UPDATE aid_records SET record_json=?, status=?, "
                                       "registered=1, reply_json=?, updated_ms=? WHERE "
                                       "record_id=?"));
  up.BindAll(new_json, StatusOf(reply.check().verdict()), ToJson(reply.check()), now, id);
  return up.Run();
}

absl::StatusOr<int> AidConnector::RekeyIfNeeded() {
  const aid::Encoder* next = keys_.next();
  if (!next) return 0;
  const std::string key_hex = absl::BytesToHexString(next->KeyId());
  sql::Db& db = ctx_.client.db();
  ASSIGN_OR_RETURN(auto done, db.Prepare("SELECT 1 FROM aid_rekeys WHERE key_id=? AND "
                                         "json_extract(reply_json, '$.active') = 1 LIMIT 1"));
  done.Bind(1, key_hex);
  ASSIGN_OR_RETURN(bool active, done.Step());
  if (active) return 0;
  done.Reset();
  return SendRekey();
}

absl::StatusOr<int> AidConnector::SendRekey() {
  const aid::Encoder* next = keys_.next();
  if (!next)
    return absl::FailedPreconditionError(
        "未配置新密钥 [aid] linkage_key_next / no next key to re-key under");
  sql::Db& db = ctx_.client.db();
  ASSIGN_OR_RETURN(auto txn, sql::Txn::Begin(db));
  // Every registered grant, from the records as entered; then the
  // applications' grants; then every link sent.
  std::vector<aid::AidRecord> grants;
  // A correction still pending: the record as corrected (the agent applies
  // the correction before this batch, which comes after it).
  ASSIGN_OR_RETURN(auto q, db.Prepare("SELECT r.record_id, coalesce((SELECT c.new_json FROM "
                                      "aid_record_changes c WHERE c.record_id = r.record_id AND "
                                      "c.state = 'pending' AND c.kind = 'correct' ORDER BY "
                                      "c.at_ms DESC LIMIT 1), r.record_json) FROM aid_records r "
                                      "WHERE r.registered=1 ORDER BY r.record_id"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    auto r = AidRecordFromJson(AsEntered(json::parse(q.Text(1), nullptr, false)));
    if (!r.ok()) {
      LOG_WARN("key rotation: grant {} cannot be re-encoded: {}", q.Text(0),
               std::string(r.status().message()));
      continue;
    }
    r->record_id = q.Text(0);
    r->agency = ctx_.config.agency;
    grants.push_back(*std::move(r));
  }
  ASSIGN_OR_RETURN(std::vector<aid::AidRecord> applied, applications_->RegisteredGrants());
  grants.insert(grants.end(), applied.begin(), applied.end());
  ASSIGN_OR_RETURN(auto links, case_links_->All());
  constexpr size_t kBatch = 1000;
  const size_t batches = std::max<size_t>(1, (grants.size() + kBatch - 1) / kBatch);
  ASSIGN_OR_RETURN(auto put, db.Prepare("INSERT INTO aid_rekeys(envelope_id, key_id, grants, "
                                        "links, sent_ms) VALUES(?,?,?,?,?)"));
  for (size_t b = 0; b < batches; ++b) {
    concord::v1::AidRekey m;
    m.set_key_id(next->KeyId());
    for (size_t i = b * kBatch; i < std::min(grants.size(), (b + 1) * kBatch); ++i)
      *m.add_grants() = aid::GrantUnder(*next, grants[i]);
    if (b == 0)
      for (const auto& [a, c] : links) {
        concord::v1::AidCaseLink* l = m.add_links();
        l->set_case_token_a(next->CaseToken(a));
        l->set_case_token_b(next->CaseToken(c));
      }
    concord::v1::Envelope env = client::MakeEnvelope({agent_}, m);
    ctx_.client.Stamp(env);
    put.BindAll(env.id(), absl::BytesToHexString(next->KeyId()),
                static_cast<int64_t>(m.grants_size()), static_cast<int64_t>(m.links_size()),
                ctx_.config.client.clock->NowMs());
    RETURN_IF_ERROR(put.Run());
    put.Reset();
    RETURN_IF_ERROR(ctx_.client.Stage(std::move(env)).status());
  }
  RETURN_IF_ERROR(txn.Commit());
  ctx_.client.Flush();
  LOG_WARN(
      "密钥轮换：已按新密钥重新编码 {} 笔登记、{} 条案号关联 / key rotation: {} grants and {} "
      "links re-encoded under the next key",
      grants.size(), links.size(), grants.size(), links.size());
  return static_cast<int>(grants.size());
}

HttpResponse AidConnector::PostRekey(const HttpRequest&) {
  auto sent = SendRekey();
  if (!sent.ok())
    return absl::IsFailedPrecondition(sent.status())
               ? ErrorResponse(409, std::string(sent.status().message()))
               : StatusResponse(sent.status());
  return JsonResponse(202, {{"grants", *sent}});
}

HttpResponse AidConnector::GetRekey(const HttpRequest&) {
  json out = {{"key_id", absl::BytesToHexString(keys_.current().KeyId())}};
  if (!keys_.next()) return JsonResponse(200, out);
  const std::string next = absl::BytesToHexString(keys_.next()->KeyId());
  out["next_key_id"] = next;
  auto q = ctx_.client.db().Prepare(
      "SELECT envelope_id, grants, links, sent_ms, reply_json FROM aid_rekeys WHERE key_id=? "
      "ORDER BY sent_ms, rowid");
  if (!q.ok()) return StatusResponse(q.status());
  q->Bind(1, next);
  json batches = json::array();
  bool active = false;
  while (true) {
    auto row = q->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (!*row) break;
    json b = {
        {"id", q->Text(0)}, {"grants", q->Int(1)}, {"links", q->Int(2)}, {"sent_ms", q->Int(3)}};
    if (!q->IsNull(4)) {
      b["reply"] = json::parse(q->Text(4), nullptr, false);
      active |= b["reply"].value("active", false);
    }
    batches.push_back(std::move(b));
  }
  out["batches"] = std::move(batches);
  out["active"] = active;
  return JsonResponse(200, out);
}

HttpResponse AidConnector::PostImport(const HttpRequest& request) {
  std::string name = request.Query("name");
  if (const size_t slash = name.find_last_of("/\\"); slash != std::string::npos)
    name = name.substr(slash + 1);
  if (name.empty()) name = "upload.csv";
  if (name.size() > 200) name.resize(200);
  if (request.body.empty()) return ErrorResponse(400, "文件为空 / the file is empty");
  const std::string hash = ImportHash(request.body);
  sql::Db& db = ctx_.client.db();
  auto txn = sql::Txn::Begin(db);
  if (!txn.ok()) return StatusResponse(txn.status());
  auto seen = db.Prepare("SELECT file_name, at_ms FROM aid_imports WHERE file_hash=?");
  if (!seen.ok()) return StatusResponse(seen.status());
  seen->Bind(1, hash);
  auto found = seen->Step();
  if (!found.ok()) return StatusResponse(found.status());
  if (*found)  // uploaded or dropped before: nothing is submitted again
    return JsonResponse(200, {{"id", hash},
                              {"again", true},
                              {"first_name", seen->Text(0)},
                              {"first_at_ms", seen->Int(1)}});
  seen->Reset();
  auto parsed = aid::ParseAidCsv(request.body);
  if (!parsed.ok()) return ErrorResponse(400, std::string(parsed.status().message()));
  auto rows = SubmitRows(*parsed, name);
  if (!rows.ok()) return StatusResponse(rows.status());
  auto put = db.Prepare(
      "INSERT INTO aid_import_rows(file_hash, line, record_id, outcome, reason) VALUES(?,?,?,?,?)");
  if (!put.ok()) return StatusResponse(put.status());
  int64_t ok = 0, bad = 0;
  for (const auto& row : *rows) {
    (row.outcome == "submitted" ? ok : bad) += 1;
    put->BindAll(hash, static_cast<int64_t>(row.line), row.record_id, row.outcome, row.reason);
    if (auto st = put->Run(); !st.ok()) return StatusResponse(st);
  }
  auto file = db.Prepare(
      "INSERT INTO aid_imports(file_hash, file_name, rows_ok, rows_bad, at_ms) VALUES(?,?,?,?,?)");
  if (!file.ok()) return StatusResponse(file.status());
  file->BindAll(hash, name, ok, bad, ctx_.config.client.clock->NowMs());
  if (auto st = file->Run(); !st.ok()) return StatusResponse(st);
  if (auto st = txn->Commit(); !st.ok()) return StatusResponse(st);
  ctx_.client.Flush();
  LOG_INFO("aid upload {}: {} grants submitted, {} rows refused ({})", name, ok, bad,
           parsed->encoding);
  return JsonResponse(202, {{"id", hash},
                            {"again", false},
                            {"rows_ok", ok},
                            {"rows_bad", bad},
                            {"encoding", parsed->encoding}});
}

HttpResponse AidConnector::GetImports(const HttpRequest& request) {
  sql::Db& db = ctx_.client.db();
  const std::string id = request.Query("id");
  auto head = db.Prepare(
      id.empty() ? "SELECT file_hash, file_name, rows_ok, rows_bad, at_ms FROM aid_imports "
                   "ORDER BY at_ms DESC LIMIT 50"
                 : "SELECT file_hash, file_name, rows_ok, rows_bad, at_ms FROM aid_imports "
                   "WHERE file_hash=?");
  if (!head.ok()) return StatusResponse(head.status());
  if (!id.empty()) head->Bind(1, id);
  json imports = json::array();
  while (true) {
    auto row = head->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (!*row) break;
    imports.push_back({{"id", head->Text(0)},
                       {"file_name", head->Text(1)},
                       {"rows_ok", head->Int(2)},
                       {"rows_bad", head->Int(3)},
                       {"at_ms", head->Int(4)}});
  }
  if (id.empty()) return JsonResponse(200, {{"imports", imports}});
  if (imports.empty()) return ErrorResponse(404, absl::StrCat("没有这次导入 / no import ", id));
  json out = imports[0];
  auto rows = db.Prepare(
      "SELECT r.line, r.record_id, r.outcome, r.reason, a.status, a.registered, a.reply_json "
      "FROM aid_import_rows r LEFT JOIN aid_records a "
      "ON r.outcome = 'submitted' AND a.record_id = r.record_id "
      "WHERE r.file_hash=? ORDER BY r.line");
  if (!rows.ok()) return StatusResponse(rows.status());
  rows->Bind(1, id);
  json list = json::array();
  int64_t pending = 0;
  while (true) {
    auto row = rows->Step();
    if (!row.ok()) return StatusResponse(row.status());
    if (!*row) break;
    json r = {{"line", rows->Int(0)},
              {"record_id", rows->Text(1)},
              {"outcome", rows->Text(2)},
              {"reason", rows->Text(3)}};
    if (!rows->IsNull(4)) {
      r["status"] = rows->Text(4);
      r["registered"] = rows->Int(5) != 0;
      pending += rows->Text(4) == "checking";
    }
    if (!rows->IsNull(6)) r["reply"] = json::parse(rows->Text(6), nullptr, false);
    list.push_back(std::move(r));
  }
  out["rows"] = std::move(list);
  out["pending"] = pending;
  return JsonResponse(200, out);
}

}  // namespace concord::adapter
