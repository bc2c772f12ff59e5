#include "hub/store/schema.h"

namespace concord::hub {

const std::vector<std::string>& HubMigrations() {
  static const std::vector<std::string> kMigrations = {
      // 1: the message log, mailboxes, cursors, subscriptions, dead letters, audit.
      R"sql(
      CREATE TABLE messages(
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        sender TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        stored_ms INTEGER NOT NULL,
        envelope BLOB NOT NULL);
      CREATE TABLE recipients(
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        acked_through INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE mailbox(
        recipient INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY(recipient, seq)) WITHOUT ROWID;
      CREATE TABLE subscriptions(
        topic TEXT NOT NULL,
        recipient INTEGER NOT NULL,
        PRIMARY KEY(topic, recipient)) WITHOUT ROWID;
      CREATE TABLE dead_letters(
        id INTEGER PRIMARY KEY,
        recipient TEXT NOT NULL,
        seq INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        reason TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        envelope BLOB NOT NULL,
        replayed INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE audit(
        n INTEGER PRIMARY KEY,
        line TEXT NOT NULL,
        hash TEXT NOT NULL);
      )sql",
      // 2: a floor under the message sequence. `concordctl restore` raises it
      // above every number the hub may have given out after the backup, so a
      // receiver's resume point (the highest seq it applied, from before the
      // restore) never covers a message the restored hub numbers anew.
      // (IF NOT EXISTS: a restore of an older hub.db makes it first.)
      R"sql(
      CREATE TABLE IF NOT EXISTS seq_floor(
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL);
      )sql",
  };
  return kMigrations;
}

const std::vector<std::string>& HubPostgresMigrations() {
  static const std::vector<std::string> kMigrations = {
      // 1: as HubMigrations() 1 and 2, in the schema `hub`.
      R"sql(
      CREATE SCHEMA IF NOT EXISTS hub;
      CREATE TABLE hub.messages(
        seq BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        sender TEXT NOT NULL,
        created_ms BIGINT NOT NULL,
        expires_ms BIGINT NOT NULL,
        stored_ms BIGINT NOT NULL,
        envelope BYTEA NOT NULL);
      CREATE TABLE hub.recipients(
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        acked_through BIGINT NOT NULL DEFAULT 0);
      CREATE TABLE hub.mailbox(
        recipient BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY(recipient, seq));
      CREATE TABLE hub.subscriptions(
        topic TEXT NOT NULL,
        recipient BIGINT NOT NULL,
        PRIMARY KEY(topic, recipient));
      CREATE TABLE hub.dead_letters(
        id BIGSERIAL PRIMARY KEY,
        recipient TEXT NOT NULL,
        seq BIGINT NOT NULL,
        message_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        attempts BIGINT NOT NULL,
        reason TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        envelope BYTEA NOT NULL,
        replayed BOOLEAN NOT NULL DEFAULT false);
      CREATE TABLE hub.audit(
        n BIGINT PRIMARY KEY,
        line TEXT NOT NULL,
        hash TEXT NOT NULL);
      CREATE TABLE hub.seq_floor(
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL);
      -- The lead among hubs sharing this store (hub/broker/lead.h): the term
      -- moves on with every takeover; each commit checks it (FOR SHARE).
      CREATE TABLE hub.lead(
        id INTEGER PRIMARY KEY CHECK (id = 1),
        term BIGINT NOT NULL,
        endpoint TEXT NOT NULL,
        host TEXT NOT NULL,
        since_ms BIGINT NOT NULL);
      )sql",
      // 2: a commit's accept line runs to about 150 bytes a message. TOAST
      // compressed it with pglz, a fifth of the server's time on a commit:
      // lz4 where the server has it. A server without it (built without
      // lz4: 0A000; older than 14 or a compatible database without the
      // clause: 42601, 22023) keeps pglz, and says so.
      R"sql(
      DO $$ BEGIN
        EXECUTE 'ALTER TABLE hub.audit ALTER COLUMN line SET COMPRESSION lz4';
      EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value THEN
        RAISE WARNING 'hub.audit.line: no lz4 compression here (%), pglz kept', SQLERRM;
      END $$;
      )sql",
  };
  return kMigrations;
}

}  // namespace concord::hub
