#include "agents/ledger/ledger.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string_view>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "domain/linkage/normalize.h"

namespace concord::ledger {

const std::vector<std::string>& Ledger::Schema() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE petitions(
        ledger_no TEXT PRIMARY KEY,
        year INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        registered_by TEXT NOT NULL,
        intake_id TEXT NOT NULL,
        agency TEXT NOT NULL,            -- responsible now
        transferred_from TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        petitioner TEXT NOT NULL,
        contact TEXT NOT NULL,
        anonymous INTEGER NOT NULL,
        matter TEXT NOT NULL,
        case_ref TEXT NOT NULL,
        people INTEGER NOT NULL,
        status TEXT NOT NULL,
        extended INTEGER NOT NULL DEFAULT 0,
        reviews INTEGER NOT NULL DEFAULT 0,
        answered_ms INTEGER NOT NULL DEFAULT 0,
        transferred_in_ms INTEGER NOT NULL DEFAULT 0,
        UNIQUE(registered_by, intake_id),
        UNIQUE(year, seq));
      CREATE TABLE petition_events(
        n INTEGER PRIMARY KEY,
        ledger_no TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        agency TEXT NOT NULL,
        action TEXT NOT NULL,
        from_status TEXT NOT NULL,
        to_status TEXT NOT NULL,
        note TEXT NOT NULL);
      CREATE INDEX petition_events_item ON petition_events(ledger_no, n);
      CREATE TABLE deadlines(
        id INTEGER PRIMARY KEY,
        ledger_no TEXT NOT NULL,
        rule TEXT NOT NULL,
        agency TEXT NOT NULL,
        anchor_ms INTEGER NOT NULL,
        due_ms INTEGER NOT NULL,
        met_ms INTEGER NOT NULL DEFAULT 0,
        void INTEGER NOT NULL DEFAULT 0,
        warned_ms INTEGER NOT NULL DEFAULT 0,
        overdue_ms INTEGER NOT NULL DEFAULT 0,
        escalated_ms INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX deadlines_item ON deadlines(ledger_no);
      -- What the clock still has to say something about: unmet, not void,
      -- not yet escalated. A scan reads only these, near their due time.
      CREATE INDEX deadlines_pending ON deadlines(due_ms)
        WHERE met_ms = 0 AND void = 0 AND escalated_ms = 0;
      )sql",
      // 2: repeat petitions - the normalised petitioner, contact, case and
      // matter (agents/aid/linkage/normalize.h), and the earlier item.
      R"sql(
      ALTER TABLE petitions ADD COLUMN petitioner_key TEXT NOT NULL DEFAULT '';
      ALTER TABLE petitions ADD COLUMN contact_key TEXT NOT NULL DEFAULT '';
      ALTER TABLE petitions ADD COLUMN case_key TEXT NOT NULL DEFAULT '';
      ALTER TABLE petitions ADD COLUMN matter_key TEXT NOT NULL DEFAULT '';
      ALTER TABLE petitions ADD COLUMN repeat_of TEXT NOT NULL DEFAULT '';
      CREATE INDEX petitions_petitioner ON petitions(petitioner_key, received_ms)
        WHERE petitioner_key != '';
      )sql",
      // 3: first handler and major flag; the three zeros; reception days.
      R"sql(
      ALTER TABLE petitions ADD COLUMN department TEXT NOT NULL DEFAULT '';
      ALTER TABLE petitions ADD COLUMN handler TEXT NOT NULL DEFAULT '';
      ALTER TABLE petitions ADD COLUMN major INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE incidents(
        agency TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        occurred_ms INTEGER NOT NULL,
        ledger_no TEXT NOT NULL,
        note TEXT NOT NULL,
        PRIMARY KEY(agency, incident_id));
      CREATE INDEX incidents_time ON incidents(occurred_ms);
      CREATE TABLE reception_slots(
        agency TEXT NOT NULL,
        slot_id TEXT NOT NULL,
        host TEXT NOT NULL,
        place TEXT NOT NULL,
        starts_ms INTEGER NOT NULL,
        ends_ms INTEGER NOT NULL,
        capacity INTEGER NOT NULL,
        cancelled INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY(agency, slot_id));
      CREATE TABLE reception_bookings(
        booked_by TEXT NOT NULL,
        booking_id TEXT NOT NULL,
        slot_agency TEXT NOT NULL,
        slot_id TEXT NOT NULL,
        petitioner TEXT NOT NULL,
        contact TEXT NOT NULL,
        matter TEXT NOT NULL,
        case_ref TEXT NOT NULL,
        people INTEGER NOT NULL,
        ledger_no TEXT NOT NULL,          -- the item the visit is about, if any
        cancelled INTEGER NOT NULL DEFAULT 0,
        outcome TEXT NOT NULL DEFAULT '', -- attended | no_show
        outcome_note TEXT NOT NULL DEFAULT '',
        outcome_ms INTEGER NOT NULL DEFAULT 0,
        raised_no TEXT NOT NULL DEFAULT '', -- the petition raised there
        PRIMARY KEY(booked_by, booking_id));
      CREATE INDEX reception_bookings_slot ON reception_bookings(slot_agency, slot_id);
      )sql",
      // 4: due dates tracked for other agents (a joint plan's tasks).
      R"sql(
      ALTER TABLE deadlines ADD COLUMN track_key TEXT NOT NULL DEFAULT '';
      ALTER TABLE deadlines ADD COLUMN label TEXT NOT NULL DEFAULT '';
      ALTER TABLE deadlines ADD COLUMN person TEXT NOT NULL DEFAULT '';
      CREATE UNIQUE INDEX deadlines_tracked ON deadlines(track_key) WHERE track_key != '';
      )sql",
      // 5: the agencies' reads (LedgerQuery). Each event keeps the person who
      // acted (Envelope.actor; NULL: an automated sender, or an event from
      // before) and the agency it moved the item to. item_agencies lists
      // who sees each item (the registering agency, every agency responsible
      // now or before, every agency in its history: Involved()); triggers
      // keep it at registration, on each change of the responsible agency and
      // with each event, whichever code writes them. item_search holds the
      // searched fields of each item in one lower-cased text (separated by
      // U+001F), so that a substring search scans a table of a tenth of the
      // size of petitions; a trigger fills it at registration. Indexes for the
      // consoles' other filters, each ending in the received time they sort by.
      R"sql(
      ALTER TABLE petition_events ADD COLUMN actor_login TEXT;
      ALTER TABLE petition_events ADD COLUMN actor_name TEXT;
      ALTER TABLE petition_events ADD COLUMN actor_role TEXT;
      ALTER TABLE petition_events ADD COLUMN to_agency TEXT;
      UPDATE petition_events SET to_agency = substr(note, 4, instr(note || ' ', ' ') - 4)
        WHERE action = 'transfer' AND note LIKE 'to=%';
      CREATE TABLE item_agencies(
        agency TEXT NOT NULL,
        ledger_no TEXT NOT NULL,
        PRIMARY KEY(agency, ledger_no)) WITHOUT ROWID;
      INSERT OR IGNORE INTO item_agencies(agency, ledger_no)
        SELECT registered_by, ledger_no FROM petitions
        UNION SELECT agency, ledger_no FROM petitions
        UNION SELECT agency, ledger_no FROM petition_events;
      CREATE TRIGGER item_agencies_registered AFTER INSERT ON petitions BEGIN
        INSERT OR IGNORE INTO item_agencies(agency, ledger_no)
          VALUES(new.registered_by, new.ledger_no), (new.agency, new.ledger_no);
      END;
      CREATE TRIGGER item_agencies_responsible AFTER UPDATE OF agency ON petitions BEGIN
        INSERT OR IGNORE INTO item_agencies(agency, ledger_no) VALUES(new.agency, new.ledger_no);
      END;
      CREATE TRIGGER item_agencies_event AFTER INSERT ON petition_events BEGIN
        INSERT OR IGNORE INTO item_agencies(agency, ledger_no) VALUES(new.agency, new.ledger_no);
      END;
      CREATE TABLE item_search(
        ledger_no TEXT PRIMARY KEY,
        text TEXT NOT NULL) WITHOUT ROWID;
      INSERT INTO item_search(ledger_no, text)
        SELECT ledger_no, lower(ledger_no || char(31) || intake_id || char(31) || petitioner ||
          char(31) || contact || char(31) || matter || char(31) || case_ref) FROM petitions;
      CREATE TRIGGER item_search_registered AFTER INSERT ON petitions BEGIN
        INSERT OR REPLACE INTO item_search(ledger_no, text) VALUES(new.ledger_no,
          lower(new.ledger_no || char(31) || new.intake_id || char(31) || new.petitioner ||
          char(31) || new.contact || char(31) || new.matter || char(31) || new.case_ref));
      END;
      CREATE TRIGGER item_search_corrected
        AFTER UPDATE OF intake_id, petitioner, contact, matter, case_ref ON petitions BEGIN
        UPDATE item_search SET text = lower(new.ledger_no || char(31) || new.intake_id ||
          char(31) || new.petitioner || char(31) || new.contact || char(31) || new.matter ||
          char(31) || new.case_ref) WHERE ledger_no = new.ledger_no;
      END;
      CREATE INDEX petitions_received ON petitions(received_ms);
      CREATE INDEX petitions_status ON petitions(status, received_ms);
      CREATE INDEX petitions_agency ON petitions(agency, received_ms);
      CREATE INDEX petitions_handler ON petitions(handler, received_ms) WHERE handler != '';
      )sql",
      // 6: reads that cost what they show. item_agencies keeps each item's
      // received time, so an agency's list reads its index in order;
      // petitions_open holds the open items of each responsible agency, and
      // petitions_open_due (and petitions_handler_due, by first handler) the
      // same by next_due_ms (the earliest unmet deadline, as View() gives
      // it; kept by triggers on deadlines) for 待办;
      // item_grams (FTS5, contentless, keyed by petitions.rowid) holds the
      // character pairs of each item's search text (SearchGrams()), so a
      // substring of two or more characters reads the items holding its
      // pairs, not all 100,000. Its entries are made in C++
      // (Ledger::IndexSearchText), from item_grams_stale: triggers list there
      // every item_search row added or changed, with the text indexed before.
      R"sql(
      ALTER TABLE item_agencies ADD COLUMN received_ms INTEGER NOT NULL DEFAULT 0;
      UPDATE item_agencies SET received_ms =
        (SELECT p.received_ms FROM petitions p WHERE p.ledger_no = item_agencies.ledger_no);
      CREATE INDEX item_agencies_recent ON item_agencies(agency, received_ms);
      DROP TRIGGER item_agencies_registered;
      DROP TRIGGER item_agencies_responsible;
      DROP TRIGGER item_agencies_event;
      CREATE TRIGGER item_agencies_registered AFTER INSERT ON petitions BEGIN
        INSERT OR IGNORE INTO item_agencies(agency, ledger_no, received_ms)
          VALUES(new.registered_by, new.ledger_no, new.received_ms),
                (new.agency, new.ledger_no, new.received_ms);
      END;
      CREATE TRIGGER item_agencies_responsible AFTER UPDATE OF agency ON petitions BEGIN
        INSERT OR IGNORE INTO item_agencies(agency, ledger_no, received_ms)
          VALUES(new.agency, new.ledger_no, new.received_ms);
      END;
      CREATE TRIGGER item_agencies_event AFTER INSERT ON petition_events BEGIN
        INSERT OR IGNORE INTO item_agencies(agency, ledger_no, received_ms)
          VALUES(new.agency, new.ledger_no, coalesce(
            (SELECT p.received_ms FROM petitions p WHERE p.ledger_no = new.ledger_no), 0));
      END;
      CREATE INDEX petitions_open ON petitions(agency, received_ms)
        WHERE status NOT IN ('closed', 'final', 'not_accepted');
      ALTER TABLE petitions ADD COLUMN next_due_ms INTEGER NOT NULL
        DEFAULT 9223372036854775807;  -- none: last
      UPDATE petitions SET next_due_ms = coalesce((SELECT min(d.due_ms) FROM deadlines d
        WHERE d.ledger_no = petitions.ledger_no AND d.met_ms = 0 AND d.void = 0),
        9223372036854775807);
      CREATE TRIGGER next_due_added AFTER INSERT ON deadlines BEGIN
        UPDATE petitions SET next_due_ms = coalesce((SELECT min(d.due_ms) FROM deadlines d
          WHERE d.ledger_no = new.ledger_no AND d.met_ms = 0 AND d.void = 0),
          9223372036854775807) WHERE ledger_no = new.ledger_no;
      END;
      CREATE TRIGGER next_due_changed AFTER UPDATE OF due_ms, met_ms, void ON deadlines BEGIN
        UPDATE petitions SET next_due_ms = coalesce((SELECT min(d.due_ms) FROM deadlines d
          WHERE d.ledger_no = new.ledger_no AND d.met_ms = 0 AND d.void = 0),
          9223372036854775807) WHERE ledger_no = new.ledger_no;
      END;
      CREATE TRIGGER next_due_removed AFTER DELETE ON deadlines BEGIN
        UPDATE petitions SET next_due_ms = coalesce((SELECT min(d.due_ms) FROM deadlines d
          WHERE d.ledger_no = old.ledger_no AND d.met_ms = 0 AND d.void = 0),
          9223372036854775807) WHERE ledger_no = old.ledger_no;
      END;
      CREATE INDEX petitions_open_due ON petitions(agency, next_due_ms)
        WHERE status NOT IN ('closed', 'final', 'not_accepted');
      CREATE INDEX petitions_handler_due ON petitions(handler, next_due_ms)
        WHERE status NOT IN ('closed', 'final', 'not_accepted') AND handler != '';
      CREATE VIRTUAL TABLE item_grams USING fts5(g, content='', detail=none, columnsize=0);
      CREATE TABLE item_grams_stale(
        ledger_no TEXT PRIMARY KEY,
        old_text TEXT) WITHOUT ROWID;  -- what item_grams holds for it; NULL: nothing
      INSERT INTO item_grams_stale(ledger_no) SELECT ledger_no FROM item_search;
      CREATE TRIGGER item_grams_added AFTER INSERT ON item_search BEGIN
        INSERT OR IGNORE INTO item_grams_stale(ledger_no, old_text) VALUES(new.ledger_no, NULL);
      END;
      CREATE TRIGGER item_grams_changed AFTER UPDATE OF text ON item_search BEGIN
        INSERT OR IGNORE INTO item_grams_stale(ledger_no, old_text) VALUES(old.ledger_no, old.text);
      END;
      )sql",
      // 7: each agency's own clock. extra_days: days added to the period (an
      // approved extension, a hearing's days). void: 0 running or met, 1 no
      // longer owed before it was due, 2 lapsed: missed, then the item left
      // the agency or ended (it stays missed in the statistics).
      R"sql(
      ALTER TABLE deadlines ADD COLUMN extra_days INTEGER NOT NULL DEFAULT 0;
      -- The contact proved unusable after registration (no reply owed since).
      ALTER TABLE petitions ADD COLUMN unreachable INTEGER NOT NULL DEFAULT 0;
      -- A group petition's representatives (条例 art. 20), "、" between names.
      ALTER TABLE petitions ADD COLUMN representatives TEXT NOT NULL DEFAULT '';
      )sql",
  };
  return kMigrations;
}

// The same book on PostgreSQL, in one step (there is no older PostgreSQL
// book to upgrade). Columns in SQLite's order; `rowid` is a column of its
// own (SQLite's implicit one: the search lists ties newest first by it).
// Triggers are PL/pgSQL functions doing what SQLite's do. There is no
// item_grams: a search reads item_search whole (strpos), which PostgreSQL
// does in parallel; IndexSearchText does nothing here.
const std::vector<std::string>& Ledger::PostgresqlSchema() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE petitions(
        ledger_no TEXT PRIMARY KEY,
        year BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        registered_by TEXT NOT NULL,
        intake_id TEXT NOT NULL,
        agency TEXT NOT NULL,
        transferred_from TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL,
        received_ms BIGINT NOT NULL,
        petitioner TEXT NOT NULL,
        contact TEXT NOT NULL,
        anonymous BIGINT NOT NULL,
        matter TEXT NOT NULL,
        case_ref TEXT NOT NULL,
        people BIGINT NOT NULL,
        status TEXT NOT NULL,
        extended BIGINT NOT NULL DEFAULT 0,
        reviews BIGINT NOT NULL DEFAULT 0,
        answered_ms BIGINT NOT NULL DEFAULT 0,
        transferred_in_ms BIGINT NOT NULL DEFAULT 0,
        petitioner_key TEXT NOT NULL DEFAULT '',
        contact_key TEXT NOT NULL DEFAULT '',
        case_key TEXT NOT NULL DEFAULT '',
        matter_key TEXT NOT NULL DEFAULT '',
        repeat_of TEXT NOT NULL DEFAULT '',
        department TEXT NOT NULL DEFAULT '',
        handler TEXT NOT NULL DEFAULT '',
        major BIGINT NOT NULL DEFAULT 0,
        next_due_ms BIGINT NOT NULL DEFAULT 9223372036854775807,
        unreachable BIGINT NOT NULL DEFAULT 0,
        representatives TEXT NOT NULL DEFAULT '',
        rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        UNIQUE(registered_by, intake_id),
        UNIQUE(year, seq));
      CREATE INDEX petitions_petitioner ON petitions(petitioner_key, received_ms)
        WHERE petitioner_key != '';
      CREATE INDEX petitions_received ON petitions(received_ms);
      CREATE INDEX petitions_status ON petitions(status, received_ms);
      CREATE INDEX petitions_agency ON petitions(agency, received_ms);
      CREATE INDEX petitions_handler ON petitions(handler, received_ms) WHERE handler != '';
      CREATE INDEX petitions_open ON petitions(agency, received_ms)
        WHERE status NOT IN ('closed', 'final', 'not_accepted');
      CREATE INDEX petitions_open_due ON petitions(agency, next_due_ms)
        WHERE status NOT IN ('closed', 'final', 'not_accepted');
      CREATE INDEX petitions_handler_due ON petitions(handler, next_due_ms)
        WHERE status NOT IN ('closed', 'final', 'not_accepted') AND handler != '';
      CREATE TABLE petition_events(
        n BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        ledger_no TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        agency TEXT NOT NULL,
        action TEXT NOT NULL,
        from_status TEXT NOT NULL,
        to_status TEXT NOT NULL,
        note TEXT NOT NULL,
        actor_login TEXT,
        actor_name TEXT,
        actor_role TEXT,
        to_agency TEXT);
      CREATE INDEX petition_events_item ON petition_events(ledger_no, n);
      CREATE TABLE deadlines(
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        ledger_no TEXT NOT NULL,
        rule TEXT NOT NULL,
        agency TEXT NOT NULL,
        anchor_ms BIGINT NOT NULL,
        due_ms BIGINT NOT NULL,
        met_ms BIGINT NOT NULL DEFAULT 0,
        void BIGINT NOT NULL DEFAULT 0,
        warned_ms BIGINT NOT NULL DEFAULT 0,
        overdue_ms BIGINT NOT NULL DEFAULT 0,
        escalated_ms BIGINT NOT NULL DEFAULT 0,
        track_key TEXT NOT NULL DEFAULT '',
        label TEXT NOT NULL DEFAULT '',
        person TEXT NOT NULL DEFAULT '',
        extra_days BIGINT NOT NULL DEFAULT 0);
      CREATE INDEX deadlines_item ON deadlines(ledger_no);
      CREATE INDEX deadlines_pending ON deadlines(due_ms)
        WHERE met_ms = 0 AND void = 0 AND escalated_ms = 0;
      CREATE UNIQUE INDEX deadlines_tracked ON deadlines(track_key) WHERE track_key != '';
      CREATE TABLE incidents(
        agency TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        occurred_ms BIGINT NOT NULL,
        ledger_no TEXT NOT NULL,
        note TEXT NOT NULL,
        PRIMARY KEY(agency, incident_id));
      CREATE INDEX incidents_time ON incidents(occurred_ms);
      CREATE TABLE reception_slots(
        agency TEXT NOT NULL,
        slot_id TEXT NOT NULL,
        host TEXT NOT NULL,
        place TEXT NOT NULL,
        starts_ms BIGINT NOT NULL,
        ends_ms BIGINT NOT NULL,
        capacity BIGINT NOT NULL,
        cancelled BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY(agency, slot_id));
      CREATE TABLE reception_bookings(
        booked_by TEXT NOT NULL,
        booking_id TEXT NOT NULL,
        slot_agency TEXT NOT NULL,
        slot_id TEXT NOT NULL,
        petitioner TEXT NOT NULL,
        contact TEXT NOT NULL,
        matter TEXT NOT NULL,
        case_ref TEXT NOT NULL,
        people BIGINT NOT NULL,
        ledger_no TEXT NOT NULL,
        cancelled BIGINT NOT NULL DEFAULT 0,
        outcome TEXT NOT NULL DEFAULT '',
        outcome_note TEXT NOT NULL DEFAULT '',
        outcome_ms BIGINT NOT NULL DEFAULT 0,
        raised_no TEXT NOT NULL DEFAULT '',
        rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        PRIMARY KEY(booked_by, booking_id));
      CREATE INDEX reception_bookings_slot ON reception_bookings(slot_agency, slot_id);
      CREATE TABLE item_agencies(
        agency TEXT NOT NULL,
        ledger_no TEXT NOT NULL,
        received_ms BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY(agency, ledger_no));
      CREATE INDEX item_agencies_recent ON item_agencies(agency, received_ms);
      CREATE TABLE item_search(
        ledger_no TEXT PRIMARY KEY,
        text TEXT NOT NULL);

      CREATE FUNCTION petition_registered() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO item_agencies(agency, ledger_no, received_ms)
          VALUES(new.registered_by, new.ledger_no, new.received_ms),
                (new.agency, new.ledger_no, new.received_ms) ON CONFLICT DO NOTHING;
        INSERT INTO item_search(ledger_no, text) VALUES(new.ledger_no,
          lower(new.ledger_no || chr(31) || new.intake_id || chr(31) || new.petitioner ||
          chr(31) || new.contact || chr(31) || new.matter || chr(31) || new.case_ref))
          ON CONFLICT (ledger_no) DO UPDATE SET text = excluded.text;
        RETURN NULL;
      END $$;
      CREATE TRIGGER petition_registered AFTER INSERT ON petitions
        FOR EACH ROW EXECUTE FUNCTION petition_registered();
      CREATE FUNCTION petition_responsible() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO item_agencies(agency, ledger_no, received_ms)
          VALUES(new.agency, new.ledger_no, new.received_ms) ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$;
      CREATE TRIGGER petition_responsible AFTER UPDATE OF agency ON petitions
        FOR EACH ROW EXECUTE FUNCTION petition_responsible();
      CREATE FUNCTION petition_corrected() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE item_search SET text = lower(new.ledger_no || chr(31) || new.intake_id ||
          chr(31) || new.petitioner || chr(31) || new.contact || chr(31) || new.matter ||
          chr(31) || new.case_ref) WHERE ledger_no = new.ledger_no;
        RETURN NULL;
      END $$;
      CREATE TRIGGER petition_corrected
        AFTER UPDATE OF intake_id, petitioner, contact, matter, case_ref ON petitions
        FOR EACH ROW EXECUTE FUNCTION petition_corrected();
      CREATE FUNCTION petition_event_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO item_agencies(agency, ledger_no, received_ms)
          VALUES(new.agency, new.ledger_no, coalesce(
            (SELECT p.received_ms FROM petitions p WHERE p.ledger_no = new.ledger_no), 0))
          ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$;
      CREATE TRIGGER petition_event_added AFTER INSERT ON petition_events
        FOR EACH ROW EXECUTE FUNCTION petition_event_added();
      CREATE FUNCTION next_due() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE item TEXT := CASE WHEN TG_OP = 'DELETE' THEN old.ledger_no ELSE new.ledger_no END;
      BEGIN
        UPDATE petitions SET next_due_ms = coalesce((SELECT min(d.due_ms) FROM deadlines d
          WHERE d.ledger_no = item AND d.met_ms = 0 AND d.void = 0), 9223372036854775807)
          WHERE ledger_no = item;
        RETURN NULL;
      END $$;
      CREATE TRIGGER next_due_added AFTER INSERT ON deadlines
        FOR EACH ROW EXECUTE FUNCTION next_due();
      CREATE TRIGGER next_due_changed AFTER UPDATE OF due_ms, met_ms, void ON deadlines
        FOR EACH ROW EXECUTE FUNCTION next_due();
      CREATE TRIGGER next_due_removed AFTER DELETE ON deadlines
        FOR EACH ROW EXECUTE FUNCTION next_due();
      )sql",
  };
  return kMigrations;
}

namespace {

const DeadlineRule* FindRule(const std::vector<DeadlineRule>& rules, const std::string& id) {
  for (const auto& r : rules)
    if (id == r.id) return &r;
  return nullptr;
}

bool Meets(const DeadlineRule& r, Action a) {
  return std::find(r.met_by.begin(), r.met_by.end(), a) != r.met_by.end();
}

std::string When(int64_t ms) { return FormatDate(DateOf(ms)); }

// An event of an item's history: ?8-?10 the actor, ?11 the agency it moved the item to.
constexpr std::string_view kInsertEvent =
    "INSERT INTO petition_events(ledger_no, at_ms, agency, action, from_status, to_status, note, "
    "actor_login, actor_name, actor_role, to_agency) VALUES(?,?,?,?,?,?,?,?,?,?,?)";

// The actor in three columns from `first`: NULL when nobody is named (an automated sender).
void BindActor(sql::Stmt& st, int first, const Actor& a) {
  if (a.empty()) {
    for (int i = 0; i < 3; ++i) st.BindNull(first + i);
    return;
  }
  st.Bind(first, a.login).Bind(first + 1, a.name).Bind(first + 2, a.role);
}

const char* RuleText(const std::vector<DeadlineRule>& rules, const std::string& id) {
  const DeadlineRule* r = FindRule(rules, id);
  return r ? r->chinese : "";
}

int64_t LeadFor(const DeadlineRule& rule, const ScanOptions& o) {
  return rule.unit == Unit::kSameDay  ? o.same_day_lead_ms
         : rule.unit == Unit::kMonths ? o.months_lead_ms
                                      : o.days_lead_ms;
}

struct IncidentKindInfo {
  IncidentKind kind;
  const char* name;
  const char* chinese;
};
// The seed's three zeros (DOMAIN.md, KPIs): zero complaints, zero irregular
// petitions to the province or Beijing (涉检赴省进京非正常上访零记录), zero
// safety incidents.
constexpr IncidentKindInfo kIncidentKinds[] = {
    {IncidentKind::kComplaint, "complaint", "投诉"},
    {IncidentKind::kIrregularPetition, "irregular_petition", "赴省进京非正常上访"},
    {IncidentKind::kSafetyIncident, "safety_incident", "安全事故"},
};

}  // namespace

const char* IncidentKindName(IncidentKind k) {
  for (const auto& i : kIncidentKinds)
    if (i.kind == k) return i.name;
  return "";
}
const char* IncidentKindChineseName(IncidentKind k) {
  for (const auto& i : kIncidentKinds)
    if (i.kind == k) return i.chinese;
  return "";
}
std::optional<IncidentKind> IncidentKindFromName(const std::string& name) {
  for (const auto& i : kIncidentKinds)
    if (name == i.name || name == i.chinese) return i.kind;
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Open(sql::Db& db, HolidayCalendar calendar,
                                                     RuleOptions options) {
  RETURN_IF_ERROR(db.Migrate("ledger", Schema(), PostgresqlSchema()));
  auto ledger = std::unique_ptr<Ledger>(new Ledger(db, std::move(calendar), options));
  // After an upgrade: the items from before are indexed here, once.
  RETURN_IF_ERROR(ledger->IndexSearchText());
  return ledger;
}

namespace {

// The code points of UTF-8 text; a byte that does not start a valid sequence
// stands for itself (above U+10FFFF, so it matches only itself).
std::vector<uint32_t> CodePoints(std::string_view text) {
  std::vector<uint32_t> out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    int n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < n; ++k) {
      if (i + k >= text.size() || (static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
        n = 0;
        break;
      }
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    if (n == 0) {
      out.push_back(0x110000u + b);
      ++i;
    } else {
      out.push_back(cp);
      i += n;
    }
  }
  return out;
}

// One FTS5 token per pair of neighbouring characters ("4e09x5927": the two
// code points in hex), so that unicode61 keeps it whole and no character is
// a separator or a query operator.
std::string GramToken(uint32_t a, uint32_t b) { return absl::StrFormat("%xx%x", a, b); }

constexpr uint32_t kFieldSeparator = 0x1F;  // between the fields of item_search.text

}  // namespace

std::string SearchGrams(std::string_view text) {
  const std::vector<uint32_t> cps = CodePoints(text);
  std::set<std::string> grams;
  for (size_t i = 0; i + 1 < cps.size(); ++i)
    if (cps[i] != kFieldSeparator && cps[i + 1] != kFieldSeparator)
      grams.insert(GramToken(cps[i], cps[i + 1]));
  return absl::StrJoin(grams, " ");
}

std::string SearchGramQuery(std::string_view text) {
  const std::vector<uint32_t> cps = CodePoints(text);
  std::set<std::string> grams;
  for (size_t i = 0; i + 1 < cps.size(); ++i) grams.insert(GramToken(cps[i], cps[i + 1]));
  // Every pair must be there (FTS5: phrases side by side are ANDed); the
  // candidates are then checked against the whole text.
  std::vector<std::string> quoted;
  for (const std::string& g : grams) quoted.push_back(absl::StrCat("\"", g, "\""));
  return absl::StrJoin(quoted, " ");
}

absl::Status Ledger::IndexSearchText() {
  if (db_.is_postgresql()) return absl::OkStatus();  // no item_grams there
  struct Stale {
    std::string ledger_no;
    std::optional<std::string> old_text;
    int64_t rowid = 0;
    std::string text;
  };
  std::vector<Stale> stale;
  {
    ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT g.ledger_no, g.old_text, p.rowid, s.text "
                                          "FROM item_grams_stale g "
                                          "JOIN petitions p ON p.ledger_no = g.ledger_no "
                                          "JOIN item_search s ON s.ledger_no = g.ledger_no"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      Stale item{.ledger_no = st.Text(0),
                 .old_text = std::nullopt,
                 .rowid = st.Int(2),
                 .text = st.Text(3)};
      if (!st.IsNull(1)) item.old_text = st.Text(1);
      stale.push_back(std::move(item));
    }
    st.Reset();
  }
  ASSIGN_OR_RETURN(int64_t listed, db_.QueryInt("SELECT count(*) FROM item_grams_stale"));
  if (listed == 0) return absl::OkStatus();
  sql::Savepoint sp(db_);
  if (!sp.ok()) return absl::UnavailableError("cannot open a savepoint");
  ASSIGN_OR_RETURN(
      auto remove,
      db_.Prepare("INSERT INTO item_grams(item_grams, rowid, g) VALUES('delete', ?, ?)"));
  ASSIGN_OR_RETURN(auto add, db_.Prepare("INSERT INTO item_grams(rowid, g) VALUES(?, ?)"));
  for (const Stale& item : stale) {
    if (item.old_text) {
      remove.BindAll(item.rowid, SearchGrams(*item.old_text));
      RETURN_IF_ERROR(remove.Run());
    }
    add.BindAll(item.rowid, SearchGrams(item.text));
    RETURN_IF_ERROR(add.Run());
  }
  // (A listed item without its petition or text has nothing to index.)
  RETURN_IF_ERROR(db_.Exec("DELETE FROM item_grams_stale"));
  if (stale.size() > 1000) LOG_INFO("ledger: {} items' search text indexed", stale.size());
  return sp.Release();
}

absl::Status Ledger::StartDeadline(const std::string& ledger_no, const DeadlineRule& rule,
                                   const std::string& agency, int64_t anchor_ms) {
  ASSIGN_OR_RETURN(
      auto st,
      db_.Prepare(
          "INSERT INTO deadlines(ledger_no, rule, agency, anchor_ms, due_ms) VALUES(?,?,?,?,?)"));
  st.BindAll(ledger_no, rule.id, agency, anchor_ms, DueMs(rule, anchor_ms, calendar_));
  return st.Run();
}

absl::StatusOr<std::string> Ledger::Register(const PetitionInput& p, bool* created) {
  if (created) *created = false;
  if (p.agency.empty() || p.intake_id.empty())
    return absl::InvalidArgumentError("缺少登记机关或编号 / agency and intake id are required");
  if (p.matter.empty()) return absl::InvalidArgumentError("缺少信访事项 / the matter is required");
  if (p.received_ms <= 0)
    return absl::InvalidArgumentError("缺少收到时间 / received time is required");
  if (p.representatives.size() > 5 ||
      static_cast<int>(p.representatives.size()) > std::max(1, p.people))
    return absl::InvalidArgumentError(absl::StrCat(
        "集体访推选的代表至多 5 人且不多于信访人数（《信访工作条例》第二十条）/ a group names at "
        "most 5 representatives, no more than its people (art. 20); got ",
        p.representatives.size()));
  ASSIGN_OR_RETURN(
      auto find,
      db_.Prepare("SELECT ledger_no FROM petitions WHERE registered_by=? AND intake_id=?"));
  find.BindAll(p.agency, p.intake_id);
  ASSIGN_OR_RETURN(bool found, find.Step());
  if (found) return find.Text(0);  // the same petition sent again
  find.Reset();

  sql::Savepoint sp(db_);
  if (!sp.ok()) return absl::UnavailableError("cannot open a savepoint");
  // Repeat petition: the same petitioner (name, and contact or case) on the
  // same matter (case or wording) as an earlier item.
  const std::string who = p.anonymous ? "" : aid::NormalizeName(p.petitioner).chars;
  std::string contact_key = aid::NormalizePhone(p.contact);
  if (contact_key.size() < 7) contact_key = aid::NormalizeText(p.contact);
  const std::string case_key = aid::NormalizeCaseRef(p.case_ref),
                    matter_key = aid::NormalizeText(p.matter);
  std::string repeat_of, earlier_status, final_of, pending_of, pending_agency;
  // While an organ below handles a matter within its time limit (no deadline
  // of it passed), its superior does not accept the same matter (条例 art. 19).
  auto pending_below = [&](const std::string& earlier_no, const std::string& status,
                           const std::string& agency, int64_t next_due) {
    static constexpr const char* kHandling[] = {"received",       "under_review", "needs_materials",
                                                "accepted",       "transferred",  "in_progress",
                                                "under_re_review"};
    if (next_due < p.received_ms || !options_.IsAbove(p.agency, agency) ||
        std::find(std::begin(kHandling), std::end(kHandling), status) == std::end(kHandling))
      return false;
    // Within its time limit: no deadline of it missed so far (met late, lapsed, or passed).
    auto missed = db_.QueryInt(
        "SELECT count(*) FROM deadlines WHERE ledger_no=? AND void!=1 AND track_key='' AND "
        "((met_ms=0 AND due_ms < ?) OR met_ms > due_ms)",
        earlier_no, p.received_ms);
    return missed.ok() && *missed == 0;
  };
  if (!who.empty()) {
    ASSIGN_OR_RETURN(
        auto earlier,
        db_.Prepare(
            "SELECT ledger_no, status, contact_key, case_key, matter_key, agency, next_due_ms "
            "FROM petitions "
            // (the != '' term lets SQLite use the partial index; a common name stays cheap)
            "WHERE petitioner_key=? AND petitioner_key != '' ORDER BY received_ms DESC LIMIT 200"));
    earlier.Bind(1, who);
    // Linked to the latest match; any match whose re-review is final counts.
    while (true) {
      ASSIGN_OR_RETURN(bool row, earlier.Step());
      if (!row) break;
      const bool same_case = !case_key.empty() && earlier.Text(3) == case_key;
      const bool same_person =
          same_case || (!contact_key.empty() && earlier.Text(2) == contact_key);
      if (!same_person || !(same_case || earlier.Text(4) == matter_key)) continue;
      if (repeat_of.empty()) {
        repeat_of = earlier.Text(0);
        earlier_status = earlier.Text(1);
      }
      if (pending_of.empty() &&
          pending_below(earlier.Text(0), earlier.Text(1), earlier.Text(5), earlier.Int(6))) {
        pending_of = earlier.Text(0);
        pending_agency = earlier.Text(5);
      }
      if (earlier.Text(1) == StatusName(Status::kFinal)) {
        final_of = earlier.Text(0);
        break;
      }
    }
  }
  const int year = static_cast<int>(DateOf(p.received_ms).year());
  ASSIGN_OR_RETURN(
      int64_t seq,
      db_.QueryInt("SELECT coalesce(max(seq),0)+1 FROM petitions WHERE year=?", int64_t{year}));
  const std::string no = LedgerNo(year, seq);
  const bool contact = !p.anonymous && !p.contact.empty();
  ASSIGN_OR_RETURN(
      auto ins,
      db_.Prepare(
          "INSERT INTO petitions(ledger_no, year, seq, registered_by, intake_id, agency, channel, "
          "received_ms, petitioner, contact, anonymous, matter, case_ref, people, status) "
          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  // After 复核 the same facts and reasons are not accepted again (条例 art. 36).
  const bool final_earlier = !final_of.empty();
  const bool pending = !final_earlier && !pending_of.empty();
  const Status first = final_earlier || pending ? Status::kNotAccepted : Status::kReceived;
  ins.BindAll(no, year, seq, p.agency, p.intake_id, p.agency, p.channel, p.received_ms,
              p.anonymous ? std::string() : p.petitioner, contact ? p.contact : std::string(),
              static_cast<int64_t>(p.anonymous), p.matter, p.case_ref,
              static_cast<int64_t>(p.people), StatusName(first));
  RETURN_IF_ERROR(ins.Run());
  RETURN_IF_ERROR(IndexSearchText());  // its search text (item_search, by trigger)
  ASSIGN_OR_RETURN(auto keys, db_.Prepare("UPDATE petitions SET petitioner_key=?, contact_key=?, "
                                          "case_key=?, matter_key=?, repeat_of=?, "
                                          "major=?, representatives=? WHERE ledger_no=?"));
  const std::string representatives = absl::StrJoin(p.representatives, "、");
  keys.BindAll(who, contact_key, case_key, matter_key, repeat_of, static_cast<int64_t>(p.major),
               representatives, no);
  RETURN_IF_ERROR(keys.Run());
  ASSIGN_OR_RETURN(auto ev, db_.Prepare(kInsertEvent));
  std::string repeat_note;
  if (!repeat_of.empty()) {
    repeat_note = absl::StrCat(" 重复信访，关联 ", repeat_of, " / repeat of ", repeat_of);
    if (final_earlier)
      absl::StrAppend(
          &repeat_note, "；", final_of,
          " 已复核终结，同一事实和理由不再受理（《信访工作条例》第三十六条）/ re-review was "
          "final: not accepted again (art. 36)");
    else if (pending)
      absl::StrAppend(&repeat_note, "；", pending_of, " 正由下级机关 ", pending_agency,
                      " 在办理期限内办理，本机关不予受理（《信访工作条例》第十九条），告知信访人 / "
                      "being handled below within its time limit: not accepted here (art. 19)");
    else if (earlier_status != StatusName(Status::kClosed) &&
             earlier_status != StatusName(Status::kNotAccepted))
      absl::StrAppend(
          &repeat_note, "；", repeat_of,
          " 正在办理期限内，上级机关不另行受理（第十九条）/ still being handled within its "
          "time limit: a superior organ does not accept it again (art. 19)");
  }
  ev.BindAll(no, p.received_ms, p.agency, ActionName(Action::kRegister), "", StatusName(first),
             absl::StrCat("channel=", p.channel,
                          p.people >= options_.group_threshold ? " 集体访 group" : "",
                          representatives.empty() ? "" : absl::StrCat(" 代表：", representatives),
                          contact ? "" : " 匿名或无联系方式 no reply owed", repeat_note));
  BindActor(ev, 8, p.actor);
  ev.BindNull(11);  // to_agency
  RETURN_IF_ERROR(ev.Run());
  // The registering agency's own clocks, from its receipt (its kind's table).
  const AgencyKind kind = options_.KindOf(p.agency);
  for (const auto& rule : rules_) {
    if ((final_earlier || pending) && !Meets(rule, Action::kProceduralReply))
      continue;  // only telling them
    if (rule.anchor != Anchor::kReceived || !Owes(rule, kind) || (rule.needs_contact && !contact))
      continue;
    RETURN_IF_ERROR(StartDeadline(no, rule, p.agency, p.received_ms));
  }
  RETURN_IF_ERROR(sp.Release());
  if (created) *created = true;
  return no;
}

absl::StatusOr<Status> Ledger::Apply(const std::string& ledger_no, const std::string& agency,
                                     Action action, int64_t now_ms, const ActInput& input) {
  ASSIGN_OR_RETURN(const Item before, LoadItem(ledger_no));
  ASSIGN_OR_RETURN(const Status next, Validate(before, agency, action, now_ms, input));
  // A review request goes up to the answering agency's superior (arts. 35-36).
  const Item after = Advance(
      before, action, next, now_ms,
      action == Action::kRequestReview ? options_.SuperiorOf(before.agency) : input.to_agency);
  sql::Savepoint sp(db_);
  if (!sp.ok()) return absl::UnavailableError("cannot open a savepoint");
  RETURN_IF_ERROR(MeetDeadlines(before, after, action, now_ms, input));
  RETURN_IF_ERROR(StartDeadlines(before, after, action, now_ms));
  RETURN_IF_ERROR(MoveResponsibility(before, after, action, input));
  RETURN_IF_ERROR(RecordEvent(before, after, agency, action, now_ms, input));
  RETURN_IF_ERROR(sp.Release());
  return after.facts.status;
}

absl::StatusOr<Ledger::Item> Ledger::LoadItem(const std::string& ledger_no) {
  ASSIGN_OR_RETURN(auto load,
                   db_.Prepare("SELECT agency, status, extended, reviews, answered_ms, "
                               "transferred_in_ms, transferred_from, "
                               "anonymous, contact, received_ms, unreachable FROM petitions "
                               "WHERE ledger_no=?"));
  load.Bind(1, ledger_no);
  ASSIGN_OR_RETURN(bool found, load.Step());
  if (!found)
    return absl::NotFoundError(absl::StrCat("没有信访件 ", ledger_no, " / no item ", ledger_no));
  Item item;
  item.ledger_no = ledger_no;
  item.agency = load.Text(0);
  item.facts.status = StatusFromName(load.Text(1)).value_or(Status::kReceived);
  item.facts.extended = load.Int(2) != 0;
  item.facts.reviews = static_cast<int>(load.Int(3));
  item.facts.answered_ms = load.Int(4);
  item.facts.transferred_in_ms = load.Int(5);
  item.transferred_from = load.Text(6);
  item.contact = load.Int(7) == 0 && !load.Text(8).empty() && load.Int(10) == 0;
  item.received_ms = load.Int(9);
  load.Reset();
  ASSIGN_OR_RETURN(item.facts.answer_due_ms,
                   db_.QueryInt("SELECT coalesce(max(due_ms), 0) FROM deadlines WHERE ledger_no=? "
                                "AND rule='handle_answer' AND met_ms=0 AND void=0",
                                ledger_no));
  ASSIGN_OR_RETURN(item.review_due_ms,
                   db_.QueryInt("SELECT coalesce(max(due_ms), 0) FROM deadlines WHERE ledger_no=? "
                                "AND rule='review_opinion' AND met_ms=0 AND void=0",
                                ledger_no));
  return item;
}

absl::StatusOr<Status> Ledger::Validate(const Item& item, const std::string& agency, Action action,
                                        int64_t now_ms, const ActInput& input) const {
  if (now_ms < item.received_ms)
    return absl::InvalidArgumentError(absl::StrCat(
        "办理时间 ", FormatDateTime(now_ms), " 早于收到时间 ", FormatDateTime(item.received_ms),
        " / the step is dated before the "
        "petition was received"));
  // A review is asked of the superior organ: the answering agency records
  // the request it forwards, or the superior the one it receives.
  const std::string reviewer = options_.SuperiorOf(item.agency);
  const bool reviewer_asked =
      action == Action::kRequestReview && !reviewer.empty() && agency == reviewer;
  if (agency != item.agency && !reviewer_asked)
    return absl::PermissionDeniedError(absl::StrCat("只有责任机关 ", item.agency, " 可以办理 ",
                                                    item.ledger_no, " / only ", item.agency,
                                                    " may act on ", item.ledger_no));
  ItemFacts facts = item.facts;
  if (action == Action::kRequestReview) {
    if (input.answer_received_ms &&
        (DateOf(input.answer_received_ms) < DateOf(item.facts.answered_ms) ||
         input.answer_received_ms > now_ms))
      return absl::InvalidArgumentError(
          absl::StrCat("收到书面答复的日期应在答复日 ", When(item.facts.answered_ms),
                       " 与今天之间 / the answer's receipt is dated between the answer and now"));
    facts.answer_received_ms = input.answer_received_ms;
  }
  ASSIGN_OR_RETURN(Status next, Transition(facts, action, now_ms, calendar_));
  if (action == Action::kRequestReview && reviewer.empty())
    return absl::FailedPreconditionError(
        absl::StrCat("复查、复核由", item.agency,
                     "的上一级机关办理，但配置中没有它的上一级机关（[ledger.superiors]，"
                     "《信访工作条例》第三十五、三十六条）/ a review goes to the organ above ",
                     item.agency, ", and none is configured ([ledger.superiors])"));
  if (action == Action::kExtend) {
    const DeadlineRule* answer = FindRule(rules_, "handle_answer");
    const int most = answer ? answer->max_extension_days : 30;
    if (input.days < 1 || input.days > most)
      return absl::InvalidArgumentError(absl::StrCat(
          "延长的天数应为 1 至 ", most, " 日（《信访工作条例》第三十四条）/ an extension is 1 to ",
          most, " days, not ", input.days));
    if (input.approved_by.empty())
      return absl::InvalidArgumentError(
          "延期须经本机关负责人批准：请写明批准人 / an extension names the head who approved it "
          "(art. 34)");
  }
  if (action == Action::kContactUnreachable && !item.contact)
    return absl::FailedPreconditionError(
        "该信访件已是匿名或无可用联系方式，不再需要答复 / no usable contact already: no reply is "
        "owed");
  if (action == Action::kHearing && item.review_due_ms && now_ms > item.review_due_ms)
    return absl::FailedPreconditionError(absl::StrCat(
        "复查复核意见已于 ", When(item.review_due_ms),
        " 到期，听证不能使逾期的期限重新计算（《信访工作条例》第三十六条）/ the opinion was due ",
        When(item.review_due_ms), ": a hearing afterwards does not reopen the missed deadline"));
  if (action == Action::kHearing && (input.days < 1 || input.days > 60))
    return absl::InvalidArgumentError(absl::StrCat(
        "听证所用天数应为 1 至 60 日 / a hearing's days are 1 to 60, not ", input.days));
  if (action == Action::kTransfer && (input.to_agency.empty() || input.to_agency == agency))
    return absl::InvalidArgumentError(
        "移送须指明另一个有管辖权的机关 / a transfer names another agency");
  if ((action == Action::kTransfer || action == Action::kNotAccept || action == Action::kExtend ||
       action == Action::kObjectToTransfer || action == Action::kHearing ||
       action == Action::kContactUnreachable) &&
      input.note.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(ActionChineseName(action), "须写明理由或对信访人的说明 / '",
                     ActionName(action), "' needs the reason or the explanation given"));
  if (action == Action::kAccept && input.handler.empty())
    return absl::InvalidArgumentError(
        "受理分流须指定首办责任人（首办责任制）/ 'accept' names the first handler responsible for "
        "it");
  return next;
}

Ledger::Item Ledger::Advance(const Item& before, Action action, Status next, int64_t now_ms,
                             const std::string& to_agency) {
  Item after = before;
  after.facts.status = next;
  switch (action) {
    case Action::kTransfer:
      after.agency = to_agency;
      after.transferred_from = before.agency;
      after.facts.transferred_in_ms = now_ms;
      after.facts.extended = false;            // the receiver's own 60 days, its own extension
      after.facts.status = Status::kReceived;  // at the receiving agency, one item, one history
      break;
    case Action::kObjectToTransfer:  // back to the agency that transferred it
      after.agency = before.transferred_from;
      after.facts.extended = false;
      after.transferred_from.clear();
      after.facts.transferred_in_ms = 0;
      break;
    case Action::kRequestReview:  // to the reviewing organ (to_agency: the superior)
      after.agency = to_agency;
      break;
    case Action::kReviewOpinion:
      ++after.facts.reviews;
      after.facts.answered_ms = now_ms;
      break;
    case Action::kSubstantiveReply:
      after.facts.answered_ms = now_ms;
      break;
    case Action::kExtend:
      after.facts.extended = true;
      break;
    case Action::kContactUnreachable:
      after.contact = false;
      break;
    default:
      break;
  }
  return after;
}

absl::Status Ledger::MeetDeadlines(const Item& before, const Item& after, Action action,
                                   int64_t now_ms, const ActInput& input) {
  ASSIGN_OR_RETURN(auto open,
                   db_.Prepare("SELECT id, rule, agency, anchor_ms, due_ms, extra_days FROM "
                               "deadlines WHERE ledger_no=? AND met_ms=0 AND void=0"));
  open.Bind(1, before.ledger_no);
  struct Row {
    int64_t id;
    std::string rule, agency;
    int64_t anchor, due, extra;
  };
  std::vector<Row> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool row, open.Step());
    if (!row) break;
    rows.push_back(
        {open.Int(0), open.Text(1), open.Text(2), open.Int(3), open.Int(4), open.Int(5)});
  }
  open.Reset();
  ASSIGN_OR_RETURN(auto met, db_.Prepare("UPDATE deadlines SET met_ms=? WHERE id=?"));
  ASSIGN_OR_RETURN(auto ended, db_.Prepare("UPDATE deadlines SET void=? WHERE id=?"));
  // A later due date (extension, hearing) is warned again before it comes;
  // it is only ever moved before it passed, so no overdue mark is undone.
  ASSIGN_OR_RETURN(auto redue,
                   db_.Prepare("UPDATE deadlines SET due_ms=?, extra_days=?, warned_ms=0 "
                               "WHERE id=?"));
  const Status next = after.facts.status;
  const bool ends =
      next == Status::kNotAccepted || next == Status::kClosed || next == Status::kFinal;
  const bool leaves = after.agency != before.agency;  // transfer, objection, review request
  for (const Row& r : rows) {
    const DeadlineRule* rule = FindRule(rules_, r.rule);
    if (!rule || rule->anchor == Anchor::kTracked) continue;  // a plan's task goes on with its plan
    if (Meets(*rule, action)) {
      met.BindAll(now_ms, r.id);
      RETURN_IF_ERROR(met.Run());
    } else if ((leaves && r.agency == before.agency) ||
               (ends && !Meets(*rule, Action::kProceduralReply)) ||
               (action == Action::kContactUnreachable && rule->needs_contact)) {
      // No longer owed (telling the petitioner still is when it ends);
      // one already missed stays missed (void 2, lapsed).
      ended.BindAll(int64_t{r.due < now_ms ? 2 : 1}, r.id);
      RETURN_IF_ERROR(ended.Run());
    } else if ((action == Action::kExtend && rule->max_extension_days) ||
               (action == Action::kHearing && rule->anchor == Anchor::kReviewRequested)) {
      const int extra = static_cast<int>(r.extra) + input.days;
      redue.BindAll(DueMs(*rule, r.anchor, calendar_, extra), int64_t{extra}, r.id);
      RETURN_IF_ERROR(redue.Run());
    }
  }
  return absl::OkStatus();
}

absl::Status Ledger::StartDeadlines(const Item& before, const Item& after, Action action,
                                    int64_t now_ms) {
  auto start = [&](Anchor anchor, const std::string& agency) -> absl::Status {
    const AgencyKind kind = options_.KindOf(agency);
    for (const DeadlineRule& r : rules_)
      if (r.anchor == anchor && Owes(r, kind) && (!r.needs_contact || before.contact))
        RETURN_IF_ERROR(StartDeadline(before.ledger_no, r, agency, now_ms));
    return absl::OkStatus();
  };
  switch (action) {
    case Action::kAccept:
      return start(Anchor::kAccepted, before.agency);
    case Action::kRequestReview:  // the reviewing organ's 30 days
      return start(Anchor::kReviewRequested, after.agency);
    case Action::kTransfer:          // the receiving agency's own clocks, from its receipt
    case Action::kObjectToTransfer:  // back at the sender: its clocks again, from today
      return start(Anchor::kReceived, after.agency);
    default:
      return absl::OkStatus();
  }
}

absl::Status Ledger::MoveResponsibility(const Item& before, const Item& after, Action action,
                                        const ActInput& input) {
  // (Each agency keeps its own clocks: MeetDeadlines ended the sender's,
  // StartDeadlines started the receiver's.)
  const bool moved = after.agency != before.agency;
  ASSIGN_OR_RETURN(
      auto up,
      db_.Prepare(
          "UPDATE petitions SET agency=?, transferred_from=?, status=?, extended=?, reviews=?, "
          "answered_ms=?, transferred_in_ms=?, "
          "unreachable = CASE WHEN unreachable != 0 OR ? != 0 THEN 1 ELSE 0 END WHERE "
          "ledger_no=?"));
  up.BindAll(after.agency, after.transferred_from, StatusName(after.facts.status),
             static_cast<int64_t>(after.facts.extended), static_cast<int64_t>(after.facts.reviews),
             after.facts.answered_ms, after.facts.transferred_in_ms,
             static_cast<int64_t>(before.contact && !after.contact), before.ledger_no);
  RETURN_IF_ERROR(up.Run());
  if (action != Action::kAccept && !moved) return absl::OkStatus();
  // Routed here: its first handler. Moved to another agency: that agency names its own.
  ASSIGN_OR_RETURN(auto route,
                   db_.Prepare("UPDATE petitions SET department=?, handler=? WHERE ledger_no=?"));
  if (action == Action::kAccept)
    route.BindAll(input.department, input.handler, before.ledger_no);
  else
    route.BindAll("", "", before.ledger_no);
  return route.Run();
}

absl::Status Ledger::RecordEvent(const Item& before, const Item& after, const std::string& agency,
                                 Action action, int64_t now_ms, const ActInput& input) {
  std::string note = input.note;
  if (action == Action::kAccept)
    note =
        absl::StrCat(input.department.empty() ? "" : absl::StrCat("分流至 ", input.department, " "),
                     "首办责任人 ", input.handler, input.note.empty() ? "" : " ", input.note);
  else if (action == Action::kTransfer)
    note = absl::StrCat("to=", input.to_agency, " ", input.note);
  else if (action == Action::kExtend)
    note = absl::StrCat("延期 ", input.days, " 日，经 ", input.approved_by, " 批准：", input.note,
                        " / extended by ", input.days, " days, approved by ", input.approved_by);
  else if (action == Action::kHearing)
    note = absl::StrCat("听证 ", input.days, " 日，不计入复查复核期限：", input.note,
                        " / hearing of ", input.days, " days, not counted");
  else if (action == Action::kRequestReview)  // (to_agency names the organ above)
    note = absl::StrCat(before.facts.reviews == 0 ? "申请复查" : "申请复核",
                        input.answer_received_ms
                            ? absl::StrCat("（", When(input.answer_received_ms), " 收到书面答复）")
                            : "",
                        input.note.empty() ? "" : "：", input.note, " / ",
                        before.facts.reviews == 0 ? "review" : "re-review", " requested");
  ASSIGN_OR_RETURN(auto ev, db_.Prepare(kInsertEvent));
  ev.BindAll(before.ledger_no, now_ms, agency, ActionName(action), StatusName(before.facts.status),
             StatusName(after.facts.status), note);
  BindActor(ev, 8, input.actor);
  if (after.agency != before.agency)
    ev.Bind(11, after.agency);
  else
    ev.BindNull(11);
  return ev.Run();
}

std::vector<Alert> Ledger::Scan(int64_t now_ms, const ScanOptions& o) {
  std::vector<Alert> out;
  const int64_t max_lead = std::max({o.same_day_lead_ms, o.days_lead_ms, o.months_lead_ms});
  auto sel = db_.Prepare(
      "SELECT id, ledger_no, rule, agency, due_ms, warned_ms, overdue_ms, escalated_ms, label, "
      "person FROM deadlines "
      "WHERE met_ms = 0 AND void = 0 AND escalated_ms = 0 AND due_ms <= ?");
  // Read only for the rows that give an alert: most of a steady scan gives none.
  auto item =
      db_.Prepare("SELECT handler, major != 0 OR people >= ? FROM petitions WHERE ledger_no=?");
  auto mark_warn = db_.Prepare("UPDATE deadlines SET warned_ms=? WHERE id=?");
  auto mark_over = db_.Prepare("UPDATE deadlines SET overdue_ms=? WHERE id=?");
  auto mark_esc = db_.Prepare("UPDATE deadlines SET escalated_ms=? WHERE id=?");
  for (const absl::Status& st :
       {sel.status(), item.status(), mark_warn.status(), mark_over.status(), mark_esc.status()})
    if (!st.ok()) {
      LOG_ERROR("deadline scan: {}", st.ToString());
      return out;
    }
  sql::Savepoint sp(db_);  // the sent marks of one scan: one commit, not one per alert
  sel->Bind(1, now_ms + max_lead);
  struct Row {
    int64_t id;
    std::string no, rule, agency;
    int64_t due, warned, overdue, escalated;
    std::string handler;
    bool major = false;
    std::string label, person;  // a tracked task's
  };
  std::vector<Row> rows;
  while (true) {
    auto r = sel->Step();
    if (!r.ok() || !*r) break;
    rows.push_back({sel->Int(0), sel->Text(1), sel->Text(2), sel->Text(3), sel->Int(4), sel->Int(5),
                    sel->Int(6), sel->Int(7), "", false, sel->Text(8), sel->Text(9)});
  }
  sel->Reset();
  for (Row& r : rows) {
    const DeadlineRule* rule = FindRule(rules_, r.rule);
    if (!rule) continue;
    const int64_t lead = LeadFor(*rule, o);
    const bool warn = !r.warned && now_ms >= r.due - lead && now_ms <= r.due;
    const bool overdue = !r.overdue && now_ms > r.due;
    const bool escalate = !r.escalated && now_ms > r.due + o.second_escalation_ms;
    if (!warn && !overdue && !escalate) continue;
    item->BindAll(static_cast<int64_t>(options_.group_threshold), r.no);
    auto found = item->Step();
    if (!found.ok() || !*found) {
      // Not marked: whom it goes to is unknown, so it comes again next scan.
      LOG_ERROR("deadline scan: item {}: {}", r.no,
                found.ok() ? "missing" : found.status().ToString());
      item->Reset();
      continue;
    }
    r.handler = r.person.empty() ? item->Text(0) : r.person;  // a task names its own person
    r.major = item->Int(1) != 0;
    item->Reset();
    // A due date in a year the calendar file does not hold is provisional.
    const bool provisional = calendar_.IsProvisional(DateOf(r.due));
    const std::string what = absl::StrCat(
        rule->chinese, r.label.empty() ? "" : absl::StrCat("「", r.label, "」"), "（", rule->source,
        "）", r.handler.empty() ? "" : absl::StrCat("，首办责任人 ", r.handler),
        provisional ? absl::StrCat("；", static_cast<int>(DateOf(r.due).year()),
                                   " 年节假日安排尚未载入，按法定节日暂计，以国务院通知为准 / "
                                   "provisional: that year's holiday notice is not loaded")
                    : "");
    if (warn) {
      out.push_back({Alert::kWarning, r.no, r.rule, r.agency, r.due,
                     absl::StrCat(r.no, " ", what, " 将于 ", When(r.due), " 到期 / ", rule->english,
                                  " due ", When(r.due)),
                     r.handler, r.major});
      mark_warn->BindAll(now_ms, r.id);
      (void)mark_warn->Run();
    }
    if (overdue) {
      out.push_back({Alert::kOverdue, r.no, r.rule, r.agency, r.due,
                     absl::StrCat(r.no, " ", what, " 已于 ", When(r.due),
                                  " 逾期，报本机关领导督办 / ", rule->english, " overdue since ",
                                  When(r.due), ": escalated to the agency's leader"),
                     r.handler, r.major});
      mark_over->BindAll(now_ms, r.id);
      (void)mark_over->Run();
    }
    if (escalate) {
      // The head of a procuratorate is its chief procurator.
      const bool procuratorate = options_.KindOf(r.agency) == AgencyKind::kProcuratorate;
      const std::string head_cn = procuratorate ? "主要负责人（检察长）" : "主要负责人";
      const std::string head = procuratorate ? "head (the chief procurator)" : "head";
      out.push_back(
          {Alert::kEscalation, r.no, r.rule, r.agency, r.due,
           r.major
               ? absl::StrCat(r.no, " ", what, " 逾期未办，重大（集体）信访事项，报本机关", head_cn,
                              "并报政法委督办 / ", rule->english,
                              " still overdue, a major or group item: escalated to the "
                              "agency's ",
                              head, " and the political-legal committee")
               : absl::StrCat(r.no, " ", what, " 逾期未办，报本机关", head_cn, "督办 / ",
                              rule->english, " still overdue: escalated to the agency's ", head),
           r.handler, r.major});
      mark_esc->BindAll(now_ms, r.id);
      (void)mark_esc->Run();
    }
  }
  if (!sp.ok() || !sp.Release().ok()) {
    LOG_ERROR("deadline scan: the sent marks were not kept; the alerts come again next scan");
    return {};
  }
  return out;
}

absl::StatusOr<int> Ledger::Recount(HolidayCalendar calendar, int64_t now_ms) {
  // Not yet passed (a passed one, even if not yet reported, stays missed).
  ASSIGN_OR_RETURN(auto open, db_.Prepare("SELECT id, rule, anchor_ms, due_ms, extra_days, "
                                          "warned_ms FROM deadlines WHERE met_ms=0 AND void=0 "
                                          "AND overdue_ms=0 AND track_key='' AND due_ms >= ?"));
  open.Bind(1, now_ms);
  struct Row {
    int64_t id;
    std::string rule;
    int64_t anchor, due, extra, warned;
  };
  std::vector<Row> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool row, open.Step());
    if (!row) break;
    rows.push_back({open.Int(0), open.Text(1), open.Int(2), open.Int(3), open.Int(4), open.Int(5)});
  }
  open.Reset();
  sql::Savepoint sp(db_);
  if (!sp.ok()) return absl::UnavailableError("cannot open a savepoint");
  ASSIGN_OR_RETURN(auto redue,
                   db_.Prepare("UPDATE deadlines SET due_ms=?, warned_ms=? WHERE id=?"));
  int moved = 0;
  for (const Row& r : rows) {
    const DeadlineRule* rule = FindRule(rules_, r.rule);
    if (!rule) continue;
    const int64_t due = DueMs(*rule, r.anchor, calendar, static_cast<int>(r.extra));
    if (due == r.due) continue;
    // Later: warned again before it; earlier: a warning given stands (and if
    // the new date has passed, the next scan reports it overdue).
    redue.BindAll(due, due > r.due ? int64_t{0} : r.warned, r.id);
    RETURN_IF_ERROR(redue.Run());
    ++moved;
  }
  RETURN_IF_ERROR(sp.Release());
  calendar_ = std::move(calendar);
  if (moved) LOG_INFO("calendar changed: {} running deadlines recounted", moved);
  return moved;
}

absl::StatusOr<std::vector<Ledger::Event>> Ledger::History(const std::string& ledger_no) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT at_ms, agency, action, from_status, to_status, "
                                        "note, actor_login, actor_name, actor_role, to_agency "
                                        "FROM petition_events WHERE ledger_no=? ORDER BY n"));
  st.Bind(1, ledger_no);
  std::vector<Event> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({.at_ms = st.Int(0),
                   .agency = st.Text(1),
                   .action = st.Text(2),
                   .from_status = st.Text(3),
                   .to_status = st.Text(4),
                   .note = st.Text(5),
                   .actor = {st.Text(6), st.Text(7), st.Text(8)},
                   .to_agency = st.Text(9)});  // NULL reads as ""
  }
  return out;
}

absl::StatusOr<std::vector<Ledger::DeadlineView>> Ledger::Deadlines(const std::string& ledger_no) {
  // (Lapsed ones are shown: missed, then ended.)
  ASSIGN_OR_RETURN(auto st,
                   db_.Prepare("SELECT rule, agency, label, person, due_ms, met_ms, void FROM "
                               "deadlines WHERE ledger_no=? AND void!=1 ORDER BY due_ms"));
  st.Bind(1, ledger_no);
  std::vector<DeadlineView> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Int(4), st.Int(5),
                   RuleText(rules_, st.Text(0)), st.Int(6) == 2,
                   st.Int(5) == 0 && calendar_.IsProvisional(DateOf(st.Int(4)))});
  }
  return out;
}

absl::StatusOr<MonthlyStats> Ledger::Stats(const std::string& month, int64_t now_ms) {
  auto first = ParseDate(month + "-01");
  if (!first.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("月份应为 YYYY-MM / month must be YYYY-MM: ", month));
  const int64_t from = StartOfDayMs(*first);
  const int64_t to =
      StartOfDayMs(Date{first->year() / first->month() / 1} + std::chrono::months{1});
  MonthlyStats m;
  m.month = month;
  ASSIGN_OR_RETURN(auto ch,
                   db_.Prepare("SELECT channel, count(*), count(*) FILTER (WHERE people >= ?), "
                               "sum(anonymous), count(*) FILTER (WHERE repeat_of != '') "
                               "FROM petitions "
                               "WHERE received_ms >= ? AND received_ms < ? GROUP BY channel"));
  ch.BindAll(static_cast<int64_t>(options_.group_threshold), from, to);
  while (true) {
    ASSIGN_OR_RETURN(bool row, ch.Step());
    if (!row) break;
    m.channels[ch.Text(0)] = ch.Int(1);
    m.received += ch.Int(1);
    m.group += ch.Int(2);
    m.anonymous += ch.Int(3);
    m.repeat += ch.Int(4);
  }
  ASSIGN_OR_RETURN(auto ev,
                   db_.Prepare("SELECT count(*) FILTER (WHERE action = 'transfer'), "
                               "count(*) FILTER (WHERE action = 'close') FROM petition_events "
                               "WHERE at_ms >= ? AND at_ms < ?"));
  ev.BindAll(from, to);
  ASSIGN_OR_RETURN(bool row, ev.Step());
  if (row) {
    m.transferred = ev.Int(0);
    m.closed = ev.Int(1);
  }
  ASSIGN_OR_RETURN(
      auto dl,
      db_.Prepare("SELECT d.rule, count(*) FILTER (WHERE d.met_ms > 0 OR d.due_ms < ?2), "
                  "count(*) FILTER (WHERE d.met_ms > 0 AND d.met_ms <= d.due_ms), "
                  "count(*) FILTER (WHERE d.met_ms = 0 AND d.void = 0 AND d.due_ms < ?2) FROM "
                  "deadlines d JOIN petitions p ON p.ledger_no = d.ledger_no "
                  "WHERE d.void != 1 AND d.track_key = '' AND p.received_ms "
                  ">= ?3 AND p.received_ms < ?4 GROUP BY d.rule"));
  dl.Bind(2, now_ms).Bind(3, from).Bind(4, to);
  while (true) {
    ASSIGN_OR_RETURN(bool r, dl.Step());
    if (!r) break;
    const std::string rule = dl.Text(0);
    if (rule == "procedural_reply") {
      m.procedural_due = dl.Int(1);
      m.procedural_on_time = dl.Int(2);
    } else if (rule == "substantive_reply") {
      m.substantive_due = dl.Int(1);
      m.substantive_on_time = dl.Int(2);
    }
    m.overdue_now += dl.Int(3);
  }
  ASSIGN_OR_RETURN(auto inc, db_.Prepare("SELECT kind, count(*) FROM incidents WHERE occurred_ms "
                                         ">= ? AND occurred_ms < ? GROUP BY kind"));
  inc.BindAll(from, to);
  while (true) {
    ASSIGN_OR_RETURN(bool r, inc.Step());
    if (!r) break;
    switch (IncidentKindFromName(inc.Text(0)).value_or(IncidentKind::kComplaint)) {
      case IncidentKind::kComplaint:
        m.complaints += inc.Int(1);
        break;
      case IncidentKind::kIrregularPetition:
        m.irregular_petitions += inc.Int(1);
        break;
      case IncidentKind::kSafetyIncident:
        m.safety_incidents += inc.Int(1);
        break;
    }
  }
  // Reception days this year, up to the month's end (or now, if earlier).
  ASSIGN_OR_RETURN(m.receptions, ReceptionsThisYear(std::min(to - 1, now_ms)));
  // People received at the month's reception days (by the day, not when recorded).
  ASSIGN_OR_RETURN(
      m.reception_visitors,
      db_.QueryInt(
          "SELECT coalesce(sum(b.people), 0) FROM reception_bookings b JOIN reception_slots s ON "
          "s.agency = b.slot_agency AND s.slot_id = b.slot_id WHERE b.outcome = 'attended' AND "
          "s.starts_ms >= ? "
          "AND s.starts_ms < ?",
          from, to));
  return m;
}

absl::Status Ledger::RecordIncident(const std::string& agency, const std::string& incident_id,
                                    IncidentKind kind, int64_t occurred_ms,
                                    const std::string& ledger_no, const std::string& note) {
  if (incident_id.empty())
    return absl::InvalidArgumentError("缺少事件编号 / incident_id is required");
  if (occurred_ms <= 0)
    return absl::InvalidArgumentError("缺少发生时间 / occurred time is required");
  if (!ledger_no.empty()) RETURN_IF_ERROR(Responsible(ledger_no).status());
  ASSIGN_OR_RETURN(
      auto st, db_.Prepare("INSERT INTO incidents(agency, incident_id, kind, occurred_ms, "
                           "ledger_no, note) VALUES(?1,?2,?3,?4,?5,?6) "
                           // The same id again corrects the record (one incident, as last sent).
                           "ON CONFLICT(agency, incident_id) DO UPDATE SET kind=?3, "
                           "occurred_ms=?4, ledger_no=?5, note=?6"));
  st.BindAll(agency, incident_id, IncidentKindName(kind), occurred_ms, ledger_no, note);
  return st.Run();
}

absl::StatusOr<std::string> Ledger::ItemByCaseRef(const std::vector<std::string>& refs) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT ledger_no FROM petitions WHERE case_ref = ? AND "
                                        "case_ref != '' ORDER BY received_ms DESC LIMIT 1"));
  for (const std::string& r : refs) {
    st.Bind(1, r);
    ASSIGN_OR_RETURN(bool found, st.Step());
    if (found) return st.Text(0);
    st.Reset();
  }
  return std::string();
}

absl::Status Ledger::Track(const std::string& key, const std::string& ledger_no,
                           const std::string& agency, const std::string& person,
                           const std::string& label, int64_t due_ms, bool met, int64_t now_ms) {
  if (key.empty() || agency.empty())
    return absl::InvalidArgumentError("缺少任务编号或责任单位 / key and agency are required");
  RETURN_IF_ERROR(Responsible(ledger_no).status());
  if (!met && due_ms <= 0) return absl::InvalidArgumentError("缺少完成期限 / due date is required");
  ASSIGN_OR_RETURN(
      auto find,
      db_.Prepare(
          "SELECT id, due_ms, met_ms, agency, person, label FROM deadlines WHERE track_key=?"));
  find.Bind(1, key);
  ASSIGN_OR_RETURN(bool found, find.Step());
  if (found) {
    const int64_t id = find.Int(0), old_due = find.Int(1), met_ms = find.Int(2);
    const bool same = old_due == due_ms && find.Text(3) == agency && find.Text(4) == person &&
                      find.Text(5) == label;
    find.Reset();
    if (met_ms) return absl::OkStatus();  // done before
    if (met) {
      ASSIGN_OR_RETURN(auto done, db_.Prepare("UPDATE deadlines SET met_ms=? WHERE id=?"));
      done.BindAll(now_ms, id);
      return done.Run();
    }
    if (same) return absl::OkStatus();
    // Another date or another owner: its alerts start again.
    ASSIGN_OR_RETURN(auto move, db_.Prepare("UPDATE deadlines SET due_ms=?, agency=?, person=?, "
                                            "label=?, warned_ms=0, overdue_ms=0, escalated_ms=0 "
                                            "WHERE id=?"));
    move.BindAll(due_ms, agency, person, label, id);
    return move.Run();
  }
  find.Reset();
  if (due_ms <= 0) return absl::InvalidArgumentError("缺少完成期限 / due date is required");
  ASSIGN_OR_RETURN(auto ins, db_.Prepare("INSERT INTO deadlines(ledger_no, rule, agency, "
                                         "anchor_ms, due_ms, met_ms, track_key, label, person) "
                                         "VALUES(?,'plan_task',?,?,?,?,?,?,?)"));
  ins.BindAll(ledger_no, agency, now_ms, due_ms, met ? now_ms : int64_t{0}, key, label, person);
  return ins.Run();
}

absl::StatusOr<ItemSnapshot> Ledger::Snapshot(const std::string& ledger_no, int64_t now_ms) {
  ASSIGN_OR_RETURN(
      auto st,
      db_.Prepare("SELECT agency, channel, matter, case_ref, status, handler, people, major, "
                  "reviews, repeat_of, "
                  "(SELECT min(due_ms) FROM deadlines d WHERE d.ledger_no = p.ledger_no AND "
                  "d.met_ms = 0 AND d.void = 0 "
                  "AND d.due_ms < ?2 AND d.track_key = '') FROM petitions p WHERE ledger_no = ?1"));
  st.BindAll(ledger_no, now_ms);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row)
    return absl::NotFoundError(absl::StrCat("没有信访件 ", ledger_no, " / no item ", ledger_no));
  ItemSnapshot s;
  s.ledger_no = ledger_no;
  s.agency = st.Text(0);
  s.channel = st.Text(1);
  s.matter = st.Text(2);
  s.case_ref = st.Text(3);
  s.status = st.Text(4);
  s.handler = st.Text(5);
  s.people = static_cast<int>(st.Int(6));
  s.major = st.Int(7) != 0;
  s.contested = st.Int(8) > 0 || s.status == StatusName(Status::kUnderReReview);
  std::string earlier = st.Text(9);
  s.overdue_since_ms = st.IsNull(10) ? 0 : st.Int(10);
  s.overdue = s.overdue_since_ms > 0;
  s.open = s.status != StatusName(Status::kClosed) && s.status != StatusName(Status::kFinal) &&
           s.status != StatusName(Status::kNotAccepted);
  st.Reset();
  ASSIGN_OR_RETURN(auto chain, db_.Prepare("SELECT repeat_of FROM petitions WHERE ledger_no=?"));
  while (!earlier.empty() && s.repeats < 50) {  // the earlier items, latest first
    ++s.repeats;
    chain.Bind(1, earlier);
    ASSIGN_OR_RETURN(bool found, chain.Step());
    earlier = found ? chain.Text(0) : "";
    chain.Reset();
  }
  return s;
}

absl::StatusOr<std::string> Ledger::Responsible(const std::string& ledger_no) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT agency FROM petitions WHERE ledger_no=?"));
  st.Bind(1, ledger_no);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row)
    return absl::NotFoundError(absl::StrCat("没有信访件 ", ledger_no, " / no item ", ledger_no));
  return st.Text(0);
}

absl::StatusOr<std::vector<std::string>> Ledger::Involved(const std::string& ledger_no) {
  ASSIGN_OR_RETURN(auto st,
                   db_.Prepare("SELECT agency FROM petition_events WHERE ledger_no=?1 UNION "
                               "SELECT agency FROM petitions WHERE ledger_no=?1"));
  st.Bind(1, ledger_no);
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(st.Text(0));
  }
  return out;
}

absl::StatusOr<std::vector<LedgerItem>> Ledger::OpenItems(int64_t now_ms, const ScanOptions& o) {
  // Due soon: any unmet deadline inside its own rule's lead time.
  std::set<std::string> soon;
  ASSIGN_OR_RETURN(auto upcoming, db_.Prepare("SELECT ledger_no, rule, due_ms FROM deadlines WHERE "
                                              "met_ms = 0 AND void = 0 AND escalated_ms = 0 "
                                              "AND due_ms >= ? AND due_ms <= ?"));
  upcoming.BindAll(now_ms,
                   now_ms + std::max({o.same_day_lead_ms, o.days_lead_ms, o.months_lead_ms}));
  while (true) {
    ASSIGN_OR_RETURN(bool row, upcoming.Step());
    if (!row) break;
    if (const DeadlineRule* rule = FindRule(rules_, upcoming.Text(1));
        rule && now_ms >= upcoming.Int(2) - LeadFor(*rule, o))
      soon.insert(upcoming.Text(0));
  }
  ASSIGN_OR_RETURN(
      auto st,
      db_.Prepare(
          "SELECT p.ledger_no, p.agency, p.status, p.matter, p.people, p.anonymous, p.received_ms, "
          "d.due_ms, d.rule, p.department, p.handler, p.major "
          "FROM petitions p LEFT JOIN deadlines d ON d.id = (SELECT id FROM deadlines e WHERE "
          "e.ledger_no = p.ledger_no AND e.met_ms = 0 AND e.void = 0 ORDER BY e.due_ms LIMIT 1) "
          "WHERE p.status NOT IN ('closed','final','not_accepted') ORDER BY p.year, p.seq"));
  std::vector<LedgerItem> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    LedgerItem i;
    i.ledger_no = st.Text(0);
    i.agency = st.Text(1);
    i.status = st.Text(2);
    i.matter = st.Text(3);
    i.group = st.Int(4) >= options_.group_threshold;
    i.anonymous = st.Int(5) != 0;
    i.received_ms = st.Int(6);
    i.next_due_ms = st.IsNull(7) ? 0 : st.Int(7);
    i.next_rule = st.IsNull(8) ? "" : st.Text(8);
    i.department = st.Text(9);
    i.handler = st.Text(10);
    i.major = st.Int(11) != 0 || i.group;
    i.overdue = i.next_due_ms && now_ms > i.next_due_ms;
    i.due_soon = !i.overdue && soon.count(i.ledger_no);
    out.push_back(std::move(i));
  }
  return out;
}

absl::StatusOr<std::map<std::string, Ledger::AgencyFigures>> Ledger::FiguresByAgency(
    int64_t now_ms, const ScanOptions& o) {
  std::map<std::string, AgencyFigures> out;
  ASSIGN_OR_RETURN(auto open, OpenItems(now_ms, o));
  for (const LedgerItem& i : open) {
    AgencyFigures& f = out[i.agency];
    ++f.open;
    f.due_soon += i.due_soon;
    f.overdue += i.overdue;
  }
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT agency, COUNT(DISTINCT ledger_no) FROM deadlines "
                                        "WHERE met_ms = 0 AND void = 0 AND escalated_ms > 0 "
                                        "GROUP BY agency"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out[st.Text(0)].escalated = st.Int(1);
  }
  return out;
}

absl::StatusOr<ItemView> Ledger::View(const std::string& ledger_no, int64_t now_ms,
                                      const ScanOptions& o) {
  ASSIGN_OR_RETURN(auto st,
                   db_.Prepare("SELECT intake_id, registered_by, agency, status, channel, "
                               "matter, petitioner, contact, case_ref, department, "
                               "handler, repeat_of, transferred_from, received_ms, "
                               "people, anonymous, major, representatives FROM petitions WHERE "
                               "ledger_no=?"));
  st.Bind(1, ledger_no);
  ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found)
    return absl::NotFoundError(absl::StrCat("没有这个信访事项 / no such item: ", ledger_no));
  ItemView v;
  v.ledger_no = ledger_no;
  v.intake_id = st.Text(0);
  v.registered_by = st.Text(1);
  v.agency = st.Text(2);
  v.status = st.Text(3);
  v.channel = st.Text(4);
  v.matter = st.Text(5);
  v.petitioner = st.Text(6);
  v.contact = st.Text(7);
  v.case_ref = st.Text(8);
  v.department = st.Text(9);
  v.handler = st.Text(10);
  v.repeat_of = st.Text(11);
  v.transferred_from = st.Text(12);
  v.received_ms = st.Int(13);
  v.people = static_cast<int>(st.Int(14));
  v.anonymous = st.Int(15) != 0;
  v.major = st.Int(16) != 0;
  v.representatives = st.Text(17);
  v.group = v.people >= options_.group_threshold;
  // The unmet deadlines: the next one, and whether any is within its lead
  // time (as OpenItems() counts them).
  ASSIGN_OR_RETURN(auto dl, db_.Prepare("SELECT rule, due_ms, escalated_ms FROM deadlines WHERE "
                                        "ledger_no=? AND met_ms=0 AND void=0 ORDER BY due_ms"));
  dl.Bind(1, ledger_no);
  bool soon = false;
  while (true) {
    ASSIGN_OR_RETURN(bool row, dl.Step());
    if (!row) break;
    const std::string rule = dl.Text(0);
    const int64_t due = dl.Int(1);
    if (v.next_rule.empty()) {
      v.next_rule = rule;
      v.next_rule_text = RuleText(rules_, rule);
      v.next_due_ms = due;
    }
    if (const DeadlineRule* r = FindRule(rules_, rule);
        r && dl.Int(2) == 0 && now_ms <= due && now_ms >= due - LeadFor(*r, o))
      soon = true;
  }
  v.overdue = v.next_due_ms && now_ms > v.next_due_ms;
  v.due_soon = !v.overdue && soon;
  return v;
}

absl::StatusOr<SearchResult> Ledger::Search(const SearchQuery& q, const Reader& reader,
                                            int64_t now_ms, const ScanOptions& o) {
  if (q.limit < 0 || q.limit > kMaxSearchLimit)
    return absl::InvalidArgumentError(absl::StrCat(
        "limit 应为 1..", kMaxSearchLimit, "（0 即 ", kDefaultSearchLimit, "）/ limit must be 1..",
        kMaxSearchLimit, " (0: ", kDefaultSearchLimit, "), not ", q.limit));
  if (q.offset < 0)
    return absl::InvalidArgumentError(
        absl::StrCat("offset 不能为负数 / offset must not be negative, not ", q.offset));
  if (q.received_from_ms && q.received_to_ms && q.received_from_ms > q.received_to_ms)
    return absl::InvalidArgumentError(
        "received_from_ms 晚于 received_to_ms / received_from_ms is after received_to_ms");
  if (!q.status.empty() && !StatusFromName(q.status))
    return absl::InvalidArgumentError(
        absl::StrCat("status 不是信访事项的状态 / status is not a status name: ", q.status));
  SearchResult out;
  if (!reader.supervisor && reader.agency.empty()) return out;  // nobody: sees nothing

  // One statement per combination of filters, so that each starts from the
  // index that gives it the fewest rows, in the order shown where it can
  // (the statement cache keeps the texts):
  // - a text of two characters or more: the items holding each of its
  //   character pairs (item_grams), checked against the whole text; one
  //   character: a scan of item_search (CROSS JOIN keeps it the outer loop);
  // - a responsible agency or a handler: that index of petitions
  //   (petitions_open for open items);
  // - otherwise an agency's items in item_agencies, latest received first,
  //   or for a supervisor all of petitions by received time.
  // What a reader sees (item_agencies) is checked for the rows read, unless
  // the index read was the reader's own.
  std::vector<std::string> where;
  std::vector<std::variant<std::string, int64_t>> args;
  auto arg = [&args](std::variant<std::string, int64_t> v) {
    args.push_back(std::move(v));
    return absl::StrCat("?", args.size());
  };
  std::string from = "petitions p";
  // (SQLite's CROSS JOIN fixes the order of the loops; PostgreSQL plans its own.)
  const char* cross_join = db_.is_postgresql() ? "JOIN" : "CROSS JOIN";
  std::string received = "p.received_ms";  // the column the list is ordered by
  bool visible = reader.supervisor || (!q.agency.empty() && q.agency == reader.agency);
  if (!q.text.empty()) {
    // A substring, byte for byte (UTF-8 keeps characters whole), ASCII letters in any case.
    const std::string lower = absl::AsciiStrToLower(q.text);
    if (CodePoints(lower).size() >= 2 && !db_.is_postgresql()) {
      RETURN_IF_ERROR(IndexSearchText());
      from =
          "item_grams g CROSS JOIN petitions p ON p.rowid = g.rowid "
          "CROSS JOIN item_search s ON s.ledger_no = p.ledger_no";
      where.push_back("g.item_grams MATCH " + arg(SearchGramQuery(lower)));
    } else {
      from =
          absl::StrCat("item_search s ", cross_join, " petitions p ON p.ledger_no = s.ledger_no");
    }
    where.push_back(absl::StrCat("instr(s.text, ", arg(lower), ") > 0"));
  } else if (!visible && q.agency.empty() && q.handler.empty()) {
    from =
        absl::StrCat("item_agencies v ", cross_join, " petitions p ON p.ledger_no = v.ledger_no");
    where.push_back("v.agency = " + arg(reader.agency));
    received = "v.received_ms";
    visible = true;
  }
  if (!visible)
    where.push_back(absl::StrCat("EXISTS (SELECT 1 FROM item_agencies v WHERE v.agency = ",
                                 arg(reader.agency), " AND v.ledger_no = p.ledger_no)"));
  if (!q.status.empty()) where.push_back("p.status = " + arg(q.status));
  // (With a handler, "+" keeps SQLite on the handler's index, the smaller.)
  if (!q.agency.empty())
    where.push_back(absl::StrCat(q.handler.empty() || db_.is_postgresql() ? "" : "+",
                                 "p.agency = ", arg(q.agency)));
  if (!q.handler.empty())  // (handler != '': the partial index applies)
    where.push_back(absl::StrCat("p.handler = ", arg(q.handler), " AND p.handler != ''"));
  if (!q.channel.empty()) where.push_back("p.channel = " + arg(q.channel));
  if (q.received_from_ms) where.push_back(absl::StrCat(received, " >= ", arg(q.received_from_ms)));
  if (q.received_to_ms) where.push_back(absl::StrCat(received, " <= ", arg(q.received_to_ms)));
  // (The same words as petitions_open's WHERE, so that the index applies.)
  if (q.open_only) where.push_back("p.status NOT IN ('closed', 'final', 'not_accepted')");
  std::string sql = absl::StrCat("SELECT p.ledger_no FROM ", from);
  if (!where.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(where, " AND "));
  // Matches are counted up to kSearchCountCap (or the end of the page asked
  // for, if later); only the page is read in full. (The LIMIT: SQLite stops
  // stepping anyway; PostgreSQL would send every match.)
  const int64_t limit = q.limit ? q.limit : kDefaultSearchLimit;
  const int64_t count_to = std::max<int64_t>(kSearchCountCap, q.offset + limit);
  absl::StrAppend(&sql, " ORDER BY ", q.by_due ? "p.next_due_ms, " : "", received,
                  " DESC, p.rowid DESC LIMIT ", arg(count_to + 1));
  ASSIGN_OR_RETURN(auto st, db_.Prepare(sql));
  for (size_t i = 0; i < args.size(); ++i)
    std::visit([&](const auto& v) { st.Bind(static_cast<int>(i + 1), v); }, args[i]);
  std::vector<std::string> page;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (out.total == count_to) {
      out.capped = true;
      break;
    }
    if (out.total++ >= q.offset && static_cast<int64_t>(page.size()) < limit)
      page.push_back(st.Text(0));
  }
  st.Reset();
  for (const std::string& no : page) {
    ASSIGN_OR_RETURN(ItemView v, View(no, now_ms, o));
    out.items.push_back(std::move(v));
  }
  return out;
}

absl::StatusOr<Ledger::Record> Ledger::Read(const std::string& ledger_no, const Reader& reader,
                                            int64_t now_ms, const ScanOptions& o) {
  Record r;
  ASSIGN_OR_RETURN(r.item, View(ledger_no, now_ms, o));
  if (!reader.supervisor) {
    ASSIGN_OR_RETURN(std::vector<std::string> involved, Involved(ledger_no));
    // A superior organ reads what the organs below it handled (it reviews
    // their answers and is asked for review with the item's number).
    auto sees = [&](const std::string& agency) {
      return agency == reader.agency || options_.IsAbove(reader.agency, agency);
    };
    if (reader.agency.empty() || std::none_of(involved.begin(), involved.end(), sees))
      return absl::PermissionDeniedError(
          "无权查看该事项：它不由本机关经办 / not an item your agency has handled");
  }
  ASSIGN_OR_RETURN(r.history, History(ledger_no));
  ASSIGN_OR_RETURN(r.deadlines, Deadlines(ledger_no));
  ASSIGN_OR_RETURN(r.allowed, AllowedActions(ledger_no, reader.agency, now_ms));
  return r;
}

absl::StatusOr<std::vector<Action>> Ledger::AllowedActions(const std::string& ledger_no,
                                                           const std::string& agency,
                                                           int64_t now_ms) {
  ASSIGN_OR_RETURN(const Item item, LoadItem(ledger_no));
  // What the console's form fills in: with it, Validate() answers for the
  // rules alone (status, responsibility, windows), not for an empty form.
  const ActInput form{.note = "（说明）",
                      .to_agency = agency + "（另一机关）",
                      .department = "（部门）",
                      .handler = "（首办责任人）",
                      .actor = {},
                      .days = 1,
                      .approved_by = "（批准人）",
                      // The latest receipt Validate() allows: the form asks for the real one.
                      .answer_received_ms = now_ms};
  std::vector<Action> out;
  for (int i = 0; std::string_view(ActionName(static_cast<Action>(i))) != "unknown"; ++i)
    if (Validate(item, agency, static_cast<Action>(i), now_ms, form).ok())
      out.push_back(static_cast<Action>(i));
  return out;
}

}  // namespace concord::ledger
