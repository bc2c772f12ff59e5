// The hub's tables, as numbered migrations: in SQLite (hub.db) and in the
// schema `hub` of a PostgreSQL database. The broker's stores apply them at
// start (hub/broker/store.h); concordctl reads them to check backups and to
// copy a hub from SQLite to PostgreSQL (copy.h). docs/storage.md lists the
// tables.
#pragma once

#include <string>
#include <vector>

namespace concord::hub {

// hub.db, applied by sqlite::Db::Migrate("hub", ...).
const std::vector<std::string>& HubMigrations();

// The same tables on PostgreSQL, plus hub.lead (hub/broker/lead.h), applied
// by pg::Conn::Migrate("hub", ...).
const std::vector<std::string>& HubPostgresMigrations();

}  // namespace concord::hub
