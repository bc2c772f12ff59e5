#include "adapters/aid_connector.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/csv.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "concord/v1/aid.pb.h"
#include "concord/v1/conference.pb.h"
#include "domain/linkage/aid_csv.h"
#include "domain/linkage/normalize.h"
#include "domain/linkage/wire.h"
#include "google/protobuf/util/json_util.h"

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
  };
  return kMigrations;
}

// The CSV's English column names, in its order.
constexpr const char* kColumns[] = {"record_id",   "agency",        "name",  "id_number",
                                    "birth_date",  "gender",        "phone", "address",
                                    "case_ref",    "incident_date", "crime", "aid_type",
                                    "amount_yuan", "granted_on"};

// One JSON grant -> AidRecord, through the CSV importer so that both inputs
// share one set of checks and messages.
absl::StatusOr<aid::AidRecord> RecordFromJson(const json& j) {
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
      return absl::InvalidArgumentError(
          absl::StrCat("字段 ", c, " 类型错误 / field ", c, " must be a string"));
    }
    values.push_back(csv::Quote(v));
  }
  const std::string csv =
      absl::StrCat(absl::StrJoin(kColumns, ","), "\n", absl::StrJoin(values, ","), "\n");
  ASSIGN_OR_RETURN(aid::AidCsvResult parsed, aid::ParseAidCsv(csv));
  if (!parsed.errors.empty()) {
    std::vector<std::string> reasons;
    for (const auto& e : parsed.errors) reasons.push_back(e.reason);
    return absl::InvalidArgumentError(absl::StrJoin(reasons, "; "));
  }
  if (parsed.records.size() != 1) return absl::InvalidArgumentError("空记录 / empty grant");
  aid::AidRecord r = std::move(parsed.records[0]);
  r.line = 0;
  return r;
}

std::string StatusOf(concord::v1::AidVerdict v) {
  switch (v) {
    case concord::v1::AID_CLEAR:
      return "clear";
    case concord::v1::AID_POSSIBLE_DUPLICATE:
      return "possible_duplicate";
    case concord::v1::AID_DUPLICATE:
      return "duplicate";
    default:
      return "refused";
  }
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
  c->agent_ = ctx.config.aid.agent;
  return std::unique_ptr<Connector>(std::move(c));
}

absl::Status AidConnector::Start() {
  RETURN_IF_ERROR(ctx_.client.db().Migrate("adapter_aid", AidMigrations()));
  ctx_.mailbox.AddDeliveryHook(
      [this](const concord::v1::Envelope& e, sqlite::Db& db) { return OnDelivery(e, db); });
  ctx_.mailbox.AddSendHook(
      [this](concord::v1::Envelope& e, sqlite::Db& db) { return AddCaseTokens(e, db); });
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/aid/grants",
                                [this](const HttpRequest& r) { return PostGrants(r, true); }));
  RETURN_IF_ERROR(ctx_.http.Add("POST", "/aid/checks",
                                [this](const HttpRequest& r) { return PostGrants(r, false); }));
  RETURN_IF_ERROR(
      ctx_.http.Add("GET", "/aid/grants", [this](const HttpRequest& r) { return GetGrants(r); }));
  RETURN_IF_ERROR(
      ctx_.http.Add("GET", "/aid/notices", [this](const HttpRequest& r) { return GetNotices(r); }));
  if (ctx_.config.drop_dir.empty()) return absl::OkStatus();
  drop_ = std::make_unique<DropFolder>(
      ctx_, ctx_.config.drop_dir, "aid_imports", "grants submitted for checking",
      [this](const std::string& name, const std::string& bytes) { return ImportCsv(name, bytes); });
  return drop_->Start();
}

absl::Status AidConnector::AddCaseTokens(concord::v1::Envelope& envelope, sqlite::Db& db) {
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
    m.add_aid_case_tokens(encoder_.Token("case", key));
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
                                  bool register_grant, bool approved_exception,
                                  const std::string& source) {
  sqlite::Db& db = ctx_.client.db();
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
  const aid::EncodedRecord enc = encoder_.Encode(named);
  concord::v1::AidCheckRequest req;
  *req.mutable_grant() = aid::GrantToProto(enc);
  req.set_register_(register_grant);
  req.set_approved_exception(approved_exception);
  concord::v1::Envelope env = client::MakeEnvelope({agent_}, req);
  ctx_.client.Stamp(env);
  const int64_t now = ctx_.config.client.clock->NowMs();
  ASSIGN_OR_RETURN(
      auto put,
      db.Prepare(
          "INSERT INTO aid_records(record_id, record_json, source, register, status, check_id, "
          "created_ms, updated_ms) VALUES(?,?,?,?,'checking',?,?,?) ON CONFLICT(record_id) DO "
          "UPDATE "
          "SET record_json=excluded.record_json, source=excluded.source, "
          "register=excluded.register, "
          "status='checking', check_id=excluded.check_id, reply_json=NULL, "
          "updated_ms=excluded.updated_ms"));
  put.BindAll(r.record_id, record_json, source, static_cast<int64_t>(register_grant), env.id(), now,
              now);
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
  const bool exception = request.Query("approved_exception") == "1";
  std::vector<aid::AidRecord> records;
  json errors = json::array();
  for (size_t i = 0; i < grants.size(); ++i) {
    auto r = RecordFromJson(grants[i]);
    if (!r.ok())
      errors.push_back({{"index", i}, {"error", std::string(r.status().message())}});
    else
      records.push_back(*std::move(r));
  }
  if (!errors.empty())
    return JsonResponse(
        400, {{"error", "记录有误，未提交 / bad grants, nothing submitted"}, {"errors", errors}});
  {
    auto txn = sqlite::Txn::Begin(ctx_.client.db());
    if (!txn.ok()) return StatusResponse(txn.status());
    for (size_t i = 0; i < records.size(); ++i) {
      auto st = Submit(records[i], grants[i].dump(), register_grant, exception, "api");
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
      id.empty() ? "SELECT record_id, status, registered, reply_json, source, updated_ms FROM "
                   "aid_records ORDER BY updated_ms DESC LIMIT 1000"
                 : "SELECT record_id, status, registered, reply_json, source, updated_ms FROM "
                   "aid_records WHERE record_id=?");
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
    out.push_back(std::move(g));
  }
  if (!id.empty() && out.empty())
    return ErrorResponse(404, absl::StrCat("没有记录 ", id, " / no grant ", id));
  return JsonResponse(200, id.empty() ? json{{"grants", out}} : out[0]);
}

HttpResponse AidConnector::GetNotices(const HttpRequest&) {
  auto stmt = ctx_.client.db().Prepare(
      "SELECT n, your_record_id, notice_json, received_ms FROM aid_notices ORDER BY n");
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

absl::Status AidConnector::OnDelivery(const concord::v1::Envelope& env, sqlite::Db& db) {
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

absl::StatusOr<DropFolder::Outcome> AidConnector::ImportCsv(const std::string& name,
                                                            const std::string& bytes) {
  auto parsed = aid::ParseAidCsv(bytes);
  DropFolder::Outcome out = DropFolder::Outcome::Of(parsed);
  if (!parsed.ok()) return out;
  for (const auto& r : parsed->records) {
    json record = {{"record_id", r.record_id},
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
                   {"amount_fen", r.amount_fen},
                   {"granted_on", r.granted_on}};
    absl::Status st =
        Submit(r, record.dump(), true, false, absl::StrCat("csv:", name, ":", r.line));
    if (absl::IsAlreadyExists(st)) {
      out.errors.push_back({r.line, std::string(st.message())});
      continue;
    }
    RETURN_IF_ERROR(st);  // rolls the whole file back
    ++out.rows_ok;
  }
  return out;
}

}  // namespace concord::adapter
