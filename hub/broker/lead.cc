#include "hub/broker/lead.h"

#include <unistd.h>

#include "common/log.h"
#include "common/status_macros.h"
#include "hub/store/schema.h"

namespace concord::hub {
namespace {

// pg_advisory_lock keys: 7283001 is the migrations' (common/pg.cc).
constexpr int64_t kHubLeadLock = 7283002;

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "?";
  return buf;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HubLead>> HubLead::Connect(const std::string& conninfo) {
  ASSIGN_OR_RETURN(pg::Conn conn, pg::Conn::Open(conninfo, "concord-hub lead"));
  RETURN_IF_ERROR(conn.Migrate("hub", HubPostgresMigrations()));
  return std::unique_ptr<HubLead>(new HubLead(std::move(conn)));
}

absl::StatusOr<bool> HubLead::TryTake(const std::string& endpoint, int64_t now_ms) {
  ASSIGN_OR_RETURN(int64_t got, conn_.QueryInt("SELECT pg_try_advisory_lock($1)::int",
                                               pg::Params::Of(kHubLeadLock)));
  if (got == 0) return false;
  // The UPDATE waits for a commit of the previous active hub still in
  // flight (it holds the row FOR SHARE): that commit lands before the term
  // moves on, and the store this hub opens next reads it.
  auto term = conn_.QueryInt(
      "INSERT INTO hub.lead(id, term, endpoint, host, since_ms) VALUES(1, 1, $1, $2, $3) "
      "ON CONFLICT (id) DO UPDATE SET term = hub.lead.term + 1, endpoint = excluded.endpoint, "
      "host = excluded.host, since_ms = excluded.since_ms RETURNING term",
      pg::Params::Of(endpoint, HostName(), now_ms));
  if (!term.ok()) {
    (void)conn_.Exec("SELECT pg_advisory_unlock_all()");
    return term.status();
  }
  term_ = *term;
  // From now on only StillHeld's `SELECT 1` runs here: a server that keeps
  // the session but does not answer counts as lost after 2 s.
  if (auto st = conn_.Exec("SET statement_timeout = 2000"); !st.ok())
    LOG_WARN("lead: statement_timeout: {}", st.ToString());
  return true;
}

absl::StatusOr<HubLead::Active> HubLead::ActiveHub() {
  ASSIGN_OR_RETURN(pg::Result r, conn_.Query("SELECT endpoint, term FROM hub.lead WHERE id = 1"));
  if (r.rows() == 0) return Active{};
  return Active{r.Bytes(0, 0), r.Int(0, 1)};
}

bool HubLead::StillHeld() {
  if (!conn_.ok()) return false;
  auto r = conn_.QueryInt("SELECT 1");
  return r.ok() && *r == 1 && conn_.ok();
}

}  // namespace concord::hub
