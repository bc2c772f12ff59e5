// The cross-agency petition ledger and its deadline clock: the state the
// ledger agent owns, on its SQLite file (the bus client's database, so that an
// event and its inbox entry are one transaction).
//
// - Register() enters a petition once per (agency, intake id) and gives it a
//   ledger number a clerk can read ("信-2026-000123").
// - Apply() checks an action against the rules (rules.h), records it as an
//   event in the item's one history, and starts, meets or moves deadlines. A
//   transfer keeps the item and its history; the receiving agency becomes
//   responsible and its own clocks start at its own receipt (the table of its
//   kind, rules.h). The sender's unmet clocks end there: no longer owed if
//   not yet due, lapsed (still missed in the statistics) if they were.
// - A review (复查) is asked of the answering agency's superior organ
//   (RuleOptions::superiors), which becomes responsible and owes the opinion
//   in 30 days; a re-review (复核), of the reviewer's superior (条例 arts. 35-36).
// - Scan() is the clock: warnings before each deadline (lead times by unit),
//   an escalation to the agency's leader when it passes, a second one (to the
//   chief procurator or the political-legal committee) a few days later. Each
//   alert is issued once: the sent marks are in the database, so a restarted
//   agent neither loses nor repeats them.
//
// - Search() and Read() are the agencies' reads (LedgerQuery, from their
//   consoles): an agency sees the items it registered, is or was responsible
//   for, or appears in the history of (Involved()); a supervisor sees all.
//   Who acted through a console (Actor) is kept with each event.
//
// Anonymous petitions, and petitions without usable contact, owe no reply:
// their reply clocks are never started (DOMAIN.md).
//
// Repeat petitions: a petition by the same petitioner (normalised name, and
// the same contact or case) on the same matter (case or wording) is linked to
// the earlier item (`repeat_of`, noted in the history). If the earlier item's
// re-review is final, the new one is registered as not accepted (条例 art. 36)
// and only the reply telling the petitioner is owed; if it is still being
// handled, the history notes art. 19.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/ledger/actor.h"
#include "agents/ledger/reception.h"
#include "common/sql.h"
#include "domain/rules.h"

namespace concord::ledger {

struct PetitionInput {
  std::string agency;     // the registering agency (principal)
  std::string intake_id;  // the agency's own id: registration is idempotent on it
  std::string channel;    // letter | visit | online | phone | video | transferred
  int64_t received_ms = 0;
  std::string petitioner;  // name(s); empty when anonymous
  std::string contact;     // phone or address; empty when unknown
  bool anonymous = false;
  std::string matter;    // 信访事项
  std::string case_ref;  // the case it concerns, if any
  int people = 1;        // 5 or more: group petition (集体访)
  // A group's representatives: at most 5 (信访工作条例 art. 20), no more than people.
  std::vector<std::string> representatives;
  bool major =
      false;  // 重大信访事项: the second escalation also goes to the political-legal committee
  Actor actor;  // who registered it (kept with the registration in the history)
};

// What an action carries besides its name. Every member starts empty, so a
// designated initializer names only what it sets.
struct ActInput {
  std::string note{};         // the reason, the reply's channel and content, the explanation given
  std::string to_agency{};    // kTransfer: the competent agency
  std::string department{};   // kAccept: routed to (分流)
  std::string handler{};      // kAccept: the first handler (首办责任人), required
  Actor actor{};              // who acted (kept with the event)
  int days = 0;               // kExtend: the days granted (1-30); kHearing: the hearing's days
  std::string approved_by{};  // kExtend: the head who approved it (本机关负责人), required
  // kRequestReview: when the petitioner received the written answer (0: the answer's date).
  int64_t answer_received_ms = 0;
};

// kOverdue goes to the responsible agency's leader; kEscalation, when it is
// still overdue, to the agency's head (the chief procurator at a
// procuratorate) and, for a major or group item, the political-legal committee.
struct Alert {
  enum Kind { kWarning, kOverdue, kEscalation };
  Kind kind;
  std::string ledger_no, rule, agency;
  int64_t due_ms = 0;
  std::string text;     // for the clerk, Chinese / English
  std::string handler;  // the first handler, if named
  bool major = false;   // major or group: the political-legal committee is told too
};

struct LedgerItem {
  std::string ledger_no, agency, status, matter, department, handler;
  bool group = false, anonymous = false, major = false;
  int64_t received_ms = 0;
  int64_t next_due_ms = 0;  // earliest unmet deadline (0: none)
  std::string next_rule;    // its rule id
  bool overdue = false;
  bool due_soon = false;  // within the warning lead time of its rule
};

// Lead times ([ledger] warn_* in the agent's config) and the second level.
struct ScanOptions {
  int64_t same_day_lead_ms = 4 * kHourMs;  // warn 4 h before the end of the day
  int64_t days_lead_ms = 2 * kDayMs;       // 2 days before a day-counted deadline
  int64_t months_lead_ms = 7 * kDayMs;
  int64_t second_escalation_ms = 3 * kDayMs;  // overdue this long: up a level
};

// The monthly statistics the agencies are judged on (DOMAIN.md, KPIs).
struct MonthlyStats {
  std::string month;                        // "2026-11"
  std::map<std::string, int64_t> channels;  // received per channel
  int64_t received = 0, group = 0, anonymous = 0, repeat = 0, transferred = 0, closed = 0;
  // Reply rules of the items received that month whose deadline has passed
  // (or that were met): on time / due so far.
  int64_t procedural_due = 0, procedural_on_time = 0;
  int64_t substantive_due = 0, substantive_on_time = 0;
  int64_t overdue_now = 0;  // their deadlines unmet and past due at `now`
  // The three zeros (三零): incidents recorded in the month, by kind.
  int64_t complaints = 0, irregular_petitions = 0, safety_incidents = 0;
  // Chief procurator reception days: this year (up to the month's end) per
  // host; the people received at the month's reception days.
  std::map<std::string, ReceptionYear> receptions;
  int64_t reception_visitors = 0;
};

// Who reads the ledger (LedgerQuery): an agency sees the items it registered,
// is or was responsible for, or appears in the history of; a supervisor
// (`[ledger] supervisors`) sees every item.
struct Reader {
  std::string agency{};
  bool supervisor = false;
};

// A search of the ledger; empty fields do not filter (and a designated
// initializer names only those it sets).
struct SearchQuery {
  // A substring of the ledger number, intake id, petitioner, contact, matter or case number.
  std::string text{};
  std::string status{};   // rules.h status name
  std::string agency{};   // responsible now
  std::string handler{};  // first handler (exact)
  std::string channel{};
  int64_t received_from_ms = 0, received_to_ms = 0;  // inclusive; 0: open-ended
  bool open_only = false;                            // not closed, final or not accepted
  int limit = 0;                                     // 1..kMaxSearchLimit; 0: kDefaultSearchLimit
  int offset = 0;
  bool by_due = false;  // the next unmet due date first (none last), then latest received
};
inline constexpr int kMaxSearchLimit = 500, kDefaultSearchLimit = 50;
// Matches are counted up to this many (and on to the end of the page asked).
inline constexpr int64_t kSearchCountCap = 1000;

// The search index's tokens for a text (item_search.text): one per pair of
// neighbouring characters within a field. SearchGramQuery: the FTS5 query
// asking for every pair of `text` (two characters or more).
std::string SearchGrams(std::string_view text);
std::string SearchGramQuery(std::string_view text);

// One item as a console shows it.
struct ItemView {
  std::string ledger_no, intake_id, registered_by;
  std::string agency;  // responsible now
  std::string status, channel, matter, petitioner, contact, case_ref, department, handler;
  std::string repeat_of, transferred_from;
  int64_t received_ms = 0;
  int people = 1;
  std::string representatives;  // a group's, "、" between names
  bool group = false, anonymous = false;
  bool major = false;          // registered as 重大信访事项 (group items are `group`)
  int64_t next_due_ms = 0;     // earliest unmet deadline (0: none)
  std::string next_rule;       // its rule id
  std::string next_rule_text;  // its rule's Chinese name (rules.h)
  bool overdue = false;        // the next deadline has passed
  bool due_soon = false;       // an unmet deadline is within its rule's warning lead time
};

struct SearchResult {
  int64_t total = 0;            // items matching, before limit and offset (see capped)
  bool capped = false;          // more than `total` match: counting stopped (kSearchCountCap)
  std::vector<ItemView> items;  // the page, latest received first (or by_due)
};

// What observers (the risk agent) learn of an item: no petitioner name or contact.
struct ItemSnapshot {
  std::string ledger_no, agency, channel, matter, case_ref, status, handler;
  int people = 1, repeats = 0;
  bool overdue = false, contested = false, major = false, open = true;
  int64_t overdue_since_ms = 0;  // the earliest passed, unmet deadline
};

// The three zeros' incidents (PetitionIncident).
enum class IncidentKind { kComplaint, kIrregularPetition, kSafetyIncident };
const char* IncidentKindName(IncidentKind k);                               // "complaint", ...
const char* IncidentKindChineseName(IncidentKind k);                        // 投诉, ...
std::optional<IncidentKind> IncidentKindFromName(const std::string& name);  // English or Chinese

class Ledger {
 public:
  // Applies the schema to `db` (which must outlive the ledger).
  static absl::StatusOr<std::unique_ptr<Ledger>> Open(sql::Db& db, HolidayCalendar calendar,
                                                      RuleOptions options = {});
  // The schema's migrations, in order (component "ledger"; tests of upgrades
  // apply a prefix of them).
  static const std::vector<std::string>& Schema();
  // The same book on PostgreSQL (common/sql.h), in one step.
  static const std::vector<std::string>& PostgresqlSchema();

  // The ledger number; the same (agency, intake_id) again returns the same one
  // (`created`, when given, says whether this call registered it).
  // A petition on a matter the organ below is still handling within its time
  // limit, registered by its superior organ, is not accepted (条例 art. 19):
  // only the reply telling the petitioner is owed.
  absl::StatusOr<std::string> Register(const PetitionInput& p, bool* created = nullptr);

  // `to_agency` for kTransfer; `note` is kept with the event (the reason,
  // the reply's channel and content, the explanation given on transfer).
  absl::StatusOr<Status> Apply(const std::string& ledger_no, const std::string& agency,
                               Action action, int64_t now_ms, const ActInput& input);
  absl::StatusOr<Status> Apply(const std::string& ledger_no, const std::string& agency,
                               Action action, int64_t now_ms, const std::string& note = "",
                               const std::string& to_agency = "") {
    return Apply(ledger_no, agency, action, now_ms, ActInput{.note = note, .to_agency = to_agency});
  }

  std::vector<Alert> Scan(int64_t now_ms, const ScanOptions& options = {});

  // A new calendar file (the next year's notice added, a correction): the
  // clock counts on it from now, and every running deadline not yet reported
  // overdue is counted again from its start (a deadline once missed stays
  // missed); one that moves later is warned again. Returns how many moved.
  // (Deadlines already passed at `now_ms` are not moved. On an error the
  // calendar in use is kept.)
  absl::StatusOr<int> Recount(HolidayCalendar calendar, int64_t now_ms);

  // A due date another agent tracks on this clock (a joint plan's task,
  // rule "plan_task"): warned, reported overdue and escalated like the
  // ledger's own, to `agency`. `key` is the tracker's id ("会-2026-001/T1"):
  // sending it again updates the due date or, with `met`, meets it. The item
  // must exist; a transfer of the item does not move the task.
  // The latest item whose case_ref is one of `refs` ("" when none).
  absl::StatusOr<std::string> ItemByCaseRef(const std::vector<std::string>& refs);
  absl::Status Track(const std::string& key, const std::string& ledger_no,
                     const std::string& agency, const std::string& person, const std::string& label,
                     int64_t due_ms, bool met, int64_t now_ms);

  // Records a three-zeros incident; the same (agency, incident_id) again is
  // one incident, corrected to what was sent last. NotFound for an unknown item.
  absl::Status RecordIncident(const std::string& agency, const std::string& incident_id,
                              IncidentKind kind, int64_t occurred_ms, const std::string& ledger_no,
                              const std::string& note);

  // Reception days.
  // - A slot is published before it begins, lasts half a day (3 hours) to a
  //   day, and may be updated or cancelled by its host until it begins and
  //   while no outcome is recorded; its places never drop below the people booked.
  // - A booking is idempotent on (booker, id): the same booking again is OK,
  //   another one under a used id is AlreadyExists. It names the slot's host
  //   when two hosts use one slot id; an item it is about must be one the
  //   booker handled. Only the host books into a slot that has begun (walk-ins).
  // - The outcome is recorded once by the host (the same again gives the same
  //   answer, a different one is refused), not for a cancelled slot or
  //   booking; a petition raised there is registered (channel visit, received
  //   at the slot's start) and its number returned.
  absl::Status PublishSlot(const ReceptionSlotInput& slot, int64_t now_ms);
  absl::Status Book(const BookingInput& booking, int64_t now_ms);
  // The ledger number of the petition raised ("" when none). The petition
  // raised, and the visit noted on the item it was about, keep
  // `outcome.actor` in their history like any step taken in a console.
  absl::StatusOr<std::string> RecordOutcome(const OutcomeInput& outcome, int64_t now_ms);
  // This year's slots and those still to come, in time order.
  absl::StatusOr<std::vector<ReceptionSlotView>> Slots(int64_t now_ms);
  // The bookings in those slots that `agency` may see: those it made, and
  // every booking in the slots it hosts; by slot, then as booked.
  absl::StatusOr<std::vector<BookingView>> Bookings(const std::string& agency, int64_t now_ms);
  // Per host agency: this year's reception days held by `now_ms` and planned.
  absl::StatusOr<std::map<std::string, ReceptionYear>> ReceptionsThisYear(int64_t now_ms);

  struct Event {
    int64_t at_ms = 0;
    std::string agency, action, from_status, to_status, note;
    Actor actor;            // who acted (empty: an automated sender, or recorded before actors)
    std::string to_agency;  // the agency the step moved the item to (transfer, objection)
  };
  // Oldest first.
  absl::StatusOr<std::vector<Event>> History(const std::string& ledger_no);
  // The item's deadlines, own and tracked, in due order (void ones left out).
  struct DeadlineView {
    std::string rule, agency, label, person;
    int64_t due_ms = 0, met_ms = 0;
    std::string text;     // the rule's Chinese name
    bool lapsed = false;  // missed, then ended (the item left the agency or ended): not met
    // Due in a year the calendar file does not hold: counted on the fixed
    // national holidays only, until the year's notice is loaded.
    bool provisional = false;
  };
  absl::StatusOr<std::vector<DeadlineView>> Deadlines(const std::string& ledger_no);
  // `month` is "YYYY-MM" (CST); rates are counted as of `now_ms`.
  absl::StatusOr<MonthlyStats> Stats(const std::string& month, int64_t now_ms);

  // The item as observers see it at `now_ms` (repeats: the earlier items in
  // its repeat chain).
  absl::StatusOr<ItemSnapshot> Snapshot(const std::string& ledger_no, int64_t now_ms);

  // The agency responsible now, and every agency in the item's history.
  absl::StatusOr<std::string> Responsible(const std::string& ledger_no);
  absl::StatusOr<std::vector<std::string>> Involved(const std::string& ledger_no);

  // Every item not closed, final or not accepted, with its next deadline
  // (due soon: within `options`' lead time for its rule).
  absl::StatusOr<std::vector<LedgerItem>> OpenItems(int64_t now_ms,
                                                    const ScanOptions& options = {});

  // The figures an operator watches, per responsible agency: open items, due
  // soon, overdue (as OpenItems() decides them) and escalated (items with an
  // unmet deadline already escalated a second time, up a level).
  struct AgencyFigures {
    int64_t open = 0, due_soon = 0, overdue = 0, escalated = 0;
  };
  absl::StatusOr<std::map<std::string, AgencyFigures>> FiguresByAgency(
      int64_t now_ms, const ScanOptions& options = {});

  // The agencies' reads (LedgerQuery). `now_ms` and `options` decide overdue
  // and due soon.
  // Search: the items `reader` sees that match `query`, latest received
  // first. InvalidArgument naming the field for a bad query (limit above
  // kMaxSearchLimit, from after to, an unknown status). A text of two or more
  // characters is looked up in item_grams (each item's character pairs, an
  // FTS5 index), the candidates checked against the whole text; one
  // character scans item_search. The lists read their index in order and
  // stop counting at kSearchCountCap, so a page costs about what it shows.
  absl::StatusOr<SearchResult> Search(const SearchQuery& query, const Reader& reader,
                                      int64_t now_ms, const ScanOptions& options = {});
  // One item with its history, deadlines and the actions the reader may take
  // now. NotFound for an unknown number, PermissionDenied for an item the
  // reader does not see (each with the reason for the asker).
  struct Record {
    ItemView item;
    std::vector<Event> history;
    std::vector<DeadlineView> deadlines;
    std::vector<Action> allowed;
  };
  absl::StatusOr<Record> Read(const std::string& ledger_no, const Reader& reader, int64_t now_ms,
                              const ScanOptions& options = {});
  // The actions the rules would accept from `agency` on the item at `now_ms`
  // (Apply()'s own checks, run dry with a filled-in form: a note, a handler,
  // another agency). Empty for an agency that is not responsible.
  absl::StatusOr<std::vector<Action>> AllowedActions(const std::string& ledger_no,
                                                     const std::string& agency, int64_t now_ms);

 private:
  Ledger(sql::Db& db, HolidayCalendar calendar, RuleOptions options)
      : db_(db),
        calendar_(std::move(calendar)),
        options_(options),
        rules_(DeadlineRules(options)) {}

  // Apply(), step by step: the item as it is, the checks, the item after the
  // action; then, in one savepoint, the deadlines it meets, voids or extends,
  // those it starts, who is responsible (the deadlines follow the item), and
  // the event in the item's history.
  struct Item {
    std::string ledger_no;
    std::string agency;  // responsible
    std::string transferred_from;
    ItemFacts facts;
    bool contact = false;  // not anonymous and reachable: replies are owed
    int64_t received_ms = 0;
    int64_t review_due_ms = 0;  // the running review opinion's due (0: none)
  };
  absl::StatusOr<Item> LoadItem(const std::string& ledger_no);
  // The status after `action` by `agency`, or why the rules refuse it.
  absl::StatusOr<Status> Validate(const Item& item, const std::string& agency, Action action,
                                  int64_t now_ms, const ActInput& input) const;
  static Item Advance(const Item& before, Action action, Status next, int64_t now_ms,
                      const std::string& to_agency);
  absl::Status MeetDeadlines(const Item& before, const Item& after, Action action, int64_t now_ms,
                             const ActInput& input);
  absl::Status StartDeadlines(const Item& before, const Item& after, Action action, int64_t now_ms);
  absl::Status MoveResponsibility(const Item& before, const Item& after, Action action,
                                  const ActInput& input);
  // The step in the item's history, as done by `agency` (the responsible
  // agency, or the superior organ recording a review request it received).
  absl::Status RecordEvent(const Item& before, const Item& after, const std::string& agency,
                           Action action, int64_t now_ms, const ActInput& input);
  absl::Status StartDeadline(const std::string& ledger_no, const DeadlineRule& rule,
                             const std::string& agency, int64_t anchor_ms);
  // Brings item_grams up to date with item_search (the items registered or
  // corrected since, listed in item_grams_stale by triggers).
  absl::Status IndexSearchText();
  // The item as a console shows it (NotFound when there is none).
  absl::StatusOr<ItemView> View(const std::string& ledger_no, int64_t now_ms,
                                const ScanOptions& options);

  sql::Db& db_;
  HolidayCalendar calendar_;
  RuleOptions options_;
  std::vector<DeadlineRule> rules_;
};

}  // namespace concord::ledger
