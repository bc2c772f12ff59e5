#include "agents/ledger/ledger.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agents/aid/linkage/normalize.h"
#include "hub/common/status_macros.h"

namespace concord::ledger {
namespace {

const std::vector<std::string>& Migrations() {
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
  };
  return kMigrations;
}

// A savepoint around one ledger operation: nested inside the caller's
// transaction (the agent's inbox transaction) or standing alone.
class Savepoint {
 public:
  explicit Savepoint(sqlite::Db& db) : db_(db) { ok_ = db_.Exec("SAVEPOINT ledger_op").ok(); }
  ~Savepoint() {
    if (ok_ && !released_) {
      (void)db_.Exec("ROLLBACK TO ledger_op");
      (void)db_.Exec("RELEASE ledger_op");
    }
  }
  absl::Status Release() {
    released_ = true;
    return db_.Exec("RELEASE ledger_op");
  }
  bool ok() const { return ok_; }

 private:
  sqlite::Db& db_;
  bool ok_ = false, released_ = false;
};

const DeadlineRule* FindRule(const std::vector<DeadlineRule>& rules, const std::string& id) {
  for (const auto& r : rules)
    if (id == r.id) return &r;
  return nullptr;
}

bool Meets(const DeadlineRule& r, Action a) {
  return std::find(r.met_by.begin(), r.met_by.end(), a) != r.met_by.end();
}

std::string When(int64_t ms) { return FormatDate(DateOf(ms)); }

}  // namespace

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Open(sqlite::Db& db, HolidayCalendar calendar,
                                                     RuleOptions options) {
  RETURN_IF_ERROR(db.Migrate("ledger", Migrations()));
  return std::unique_ptr<Ledger>(new Ledger(db, std::move(calendar), options));
}

absl::Status Ledger::StartDeadline(const std::string& ledger_no, const DeadlineRule& rule,
                                   const std::string& agency, int64_t anchor_ms) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare(
      "INSERT INTO deadlines(ledger_no, rule, agency, anchor_ms, due_ms) VALUES(?,?,?,?,?)"));
  st.BindAll(ledger_no, rule.id, agency, anchor_ms, DueMs(rule, anchor_ms, calendar_));
  return st.Run();
}

absl::StatusOr<std::string> Ledger::Register(const PetitionInput& p) {
  if (p.agency.empty() || p.intake_id.empty())
    return absl::InvalidArgumentError("缺少登记机关或编号 / agency and intake id are required");
  if (p.matter.empty()) return absl::InvalidArgumentError("缺少信访事项 / the matter is required");
  if (p.received_ms <= 0) return absl::InvalidArgumentError("缺少收到时间 / received time is required");
  ASSIGN_OR_RETURN(auto find, db_.Prepare(
      "SELECT ledger_no FROM petitions WHERE registered_by=? AND intake_id=?"));
  find.BindAll(p.agency, p.intake_id);
  ASSIGN_OR_RETURN(bool found, find.Step());
  if (found) return find.Text(0);  // the same petition sent again
  find.Reset();

  Savepoint sp(db_);
  if (!sp.ok()) return absl::UnavailableError("cannot open a savepoint");
  // Repeat petition: the same petitioner (name, and contact or case) on the
  // same matter (case or wording) as an earlier item.
  const std::string who = p.anonymous ? "" : aid::NormalizeName(p.petitioner).chars;
  std::string contact_key = aid::NormalizePhone(p.contact);
  if (contact_key.size() < 7) contact_key = aid::NormalizeText(p.contact);
  const std::string case_key = aid::NormalizeCaseRef(p.case_ref), matter_key = aid::NormalizeText(p.matter);
  std::string repeat_of, earlier_status, final_of;
  if (!who.empty()) {
    ASSIGN_OR_RETURN(auto earlier, db_.Prepare(
        "SELECT ledger_no, status, contact_key, case_key, matter_key FROM petitions "
        // (the != '' term lets SQLite use the partial index; a common name stays cheap)
        "WHERE petitioner_key=? AND petitioner_key != '' ORDER BY received_ms DESC LIMIT 200"));
    earlier.Bind(1, who);
    // Linked to the latest match; any match whose re-review is final counts.
    while (true) {
      ASSIGN_OR_RETURN(bool row, earlier.Step());
      if (!row) break;
      const bool same_case = !case_key.empty() && earlier.Text(3) == case_key;
      const bool same_person = same_case || (!contact_key.empty() && earlier.Text(2) == contact_key);
      if (!same_person || !(same_case || earlier.Text(4) == matter_key)) continue;
      if (repeat_of.empty()) {
        repeat_of = earlier.Text(0);
        earlier_status = earlier.Text(1);
      }
      if (earlier.Text(1) == StatusName(Status::kFinal)) {
        final_of = earlier.Text(0);
        break;
      }
    }
  }
  const int year = static_cast<int>(DateOf(p.received_ms).year());
  ASSIGN_OR_RETURN(int64_t seq, db_.QueryInt(absl::StrCat(
                                    "SELECT coalesce(max(seq),0)+1 FROM petitions WHERE year=", year)));
  const std::string no = absl::StrFormat("信-%d-%06d", year, seq);
  const bool contact = !p.anonymous && !p.contact.empty();
  ASSIGN_OR_RETURN(auto ins, db_.Prepare(
      "INSERT INTO petitions(ledger_no, year, seq, registered_by, intake_id, agency, channel, "
      "received_ms, petitioner, contact, anonymous, matter, case_ref, people, status) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  // After 复核 the same facts and reasons are not accepted again (条例 art. 36).
  const bool final_earlier = !final_of.empty();
  const Status first = final_earlier ? Status::kNotAccepted : Status::kReceived;
  ins.BindAll(no, year, seq, p.agency, p.intake_id, p.agency, p.channel, p.received_ms,
              p.anonymous ? std::string() : p.petitioner, contact ? p.contact : std::string(),
              static_cast<int64_t>(p.anonymous), p.matter, p.case_ref, static_cast<int64_t>(p.people),
              StatusName(first));
  RETURN_IF_ERROR(ins.Run());
  ASSIGN_OR_RETURN(auto keys, db_.Prepare(
      "UPDATE petitions SET petitioner_key=?, contact_key=?, case_key=?, matter_key=?, repeat_of=? "
      "WHERE ledger_no=?"));
  keys.BindAll(who, contact_key, case_key, matter_key, repeat_of, no);
  RETURN_IF_ERROR(keys.Run());
  ASSIGN_OR_RETURN(auto ev, db_.Prepare(
      "INSERT INTO petition_events(ledger_no, at_ms, agency, action, from_status, to_status, note) "
      "VALUES(?,?,?,?,?,?,?)"));
  std::string repeat_note;
  if (!repeat_of.empty()) {
    repeat_note = absl::StrCat(" 重复信访，关联 ", repeat_of, " / repeat of ", repeat_of);
    if (final_earlier)
      absl::StrAppend(&repeat_note, "；", final_of,
                      " 已复核终结，同一事实和理由不再受理（《信访工作条例》第三十六条）/ re-review was "
                      "final: not accepted again (art. 36)");
    else if (earlier_status != StatusName(Status::kClosed) &&
             earlier_status != StatusName(Status::kNotAccepted))
      absl::StrAppend(&repeat_note, "；", repeat_of,
                      " 正在办理期限内，上级机关不另行受理（第十九条）/ still being handled within its "
                      "time limit: a superior organ does not accept it again (art. 19)");
  }
  ev.BindAll(no, p.received_ms, p.agency, ActionName(Action::kRegister), "", StatusName(first),
             absl::StrCat("channel=", p.channel, p.people >= options_.group_threshold ? " 集体访 group" : "",
                          contact ? "" : " 匿名或无联系方式 no reply owed", repeat_note));
  RETURN_IF_ERROR(ev.Run());
  for (const auto& rule : rules_) {
    if (final_earlier && rule.id != std::string("procedural_reply")) continue;  // only telling them
    const bool start = rule.anchor == Anchor::kReceived ||
                       (rule.anchor == Anchor::kRegistered && p.petition_office);
    if (!start || (rule.needs_contact && !contact)) continue;
    RETURN_IF_ERROR(StartDeadline(no, rule, p.agency, p.received_ms));
  }
  RETURN_IF_ERROR(sp.Release());
  return no;
}

absl::StatusOr<Status> Ledger::Apply(const std::string& ledger_no, const std::string& agency,
                                     Action action, int64_t now_ms, const std::string& note,
                                     const std::string& to_agency) {
  ASSIGN_OR_RETURN(auto load, db_.Prepare(
      "SELECT agency, status, extended, reviews, answered_ms, transferred_in_ms, transferred_from, "
      "anonymous, contact FROM petitions WHERE ledger_no=?"));
  load.Bind(1, ledger_no);
  ASSIGN_OR_RETURN(bool found, load.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("没有信访件 ", ledger_no, " / no item ", ledger_no));
  const std::string responsible = load.Text(0), from_agency = load.Text(6);
  ItemFacts facts;
  facts.status = StatusFromName(load.Text(1)).value_or(Status::kReceived);
  facts.extended = load.Int(2) != 0;
  facts.reviews = static_cast<int>(load.Int(3));
  facts.answered_ms = load.Int(4);
  facts.transferred_in_ms = load.Int(5);
  const bool contact = load.Int(7) == 0 && !load.Text(8).empty();
  load.Reset();

  if (agency != responsible)
    return absl::PermissionDeniedError(absl::StrCat("只有责任机关 ", responsible, " 可以办理 ", ledger_no,
                                                    " / only ", responsible, " may act on ", ledger_no));
  ASSIGN_OR_RETURN(Status next, Transition(facts, action, now_ms, calendar_));
  if (action == Action::kTransfer && (to_agency.empty() || to_agency == agency))
    return absl::InvalidArgumentError("移送须指明另一个有管辖权的机关 / a transfer names another agency");
  if ((action == Action::kTransfer || action == Action::kNotAccept || action == Action::kExtend ||
       action == Action::kObjectToTransfer) && note.empty())
    return absl::InvalidArgumentError(absl::StrCat(ActionChineseName(action),
                                                   "须写明理由或对信访人的说明 / '", ActionName(action),
                                                   "' needs the reason or the explanation given"));

  Savepoint sp(db_);
  if (!sp.ok()) return absl::UnavailableError("cannot open a savepoint");
  // Deadlines this action meets.
  ASSIGN_OR_RETURN(auto open, db_.Prepare(
      "SELECT id, rule, anchor_ms FROM deadlines WHERE ledger_no=? AND met_ms=0 AND void=0"));
  open.Bind(1, ledger_no);
  struct Row {
    int64_t id;
    std::string rule;
    int64_t anchor;
  };
  std::vector<Row> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool row, open.Step());
    if (!row) break;
    rows.push_back({open.Int(0), open.Text(1), open.Int(2)});
  }
  open.Reset();
  ASSIGN_OR_RETURN(auto met, db_.Prepare("UPDATE deadlines SET met_ms=? WHERE id=?"));
  ASSIGN_OR_RETURN(auto voided, db_.Prepare("UPDATE deadlines SET void=1 WHERE id=?"));
  ASSIGN_OR_RETURN(auto redue, db_.Prepare(
      "UPDATE deadlines SET due_ms=?, warned_ms=0, overdue_ms=0, escalated_ms=0 WHERE id=?"));
  const bool ends = next == Status::kNotAccepted || next == Status::kClosed || next == Status::kFinal;
  for (const Row& r : rows) {
    const DeadlineRule* rule = FindRule(rules_, r.rule);
    if (!rule) continue;
    if (Meets(*rule, action)) {
      met.BindAll(now_ms, r.id);
      RETURN_IF_ERROR(met.Run());
    } else if (ends && rule->met_by != std::vector<Action>{Action::kProceduralReply}) {
      voided.Bind(1, r.id);  // no longer owed; telling the petitioner still is
      RETURN_IF_ERROR(voided.Run());
    } else if (action == Action::kExtend && rule->extension_days) {
      redue.BindAll(DueMs(*rule, r.anchor, calendar_, true), r.id);
      RETURN_IF_ERROR(redue.Run());
    }
  }

  std::string new_agency = responsible, new_from = from_agency;
  int64_t transferred_in = facts.transferred_in_ms, answered = facts.answered_ms;
  int reviews = facts.reviews;
  bool extended = facts.extended;
  switch (action) {
    case Action::kTransfer:
      new_agency = to_agency;
      new_from = agency;
      transferred_in = now_ms;
      next = Status::kReceived;  // at the receiving agency, one item, one history
      break;
    case Action::kObjectToTransfer:
      new_agency = from_agency;
      new_from.clear();
      transferred_in = 0;
      break;
    case Action::kAccept:
      if (const DeadlineRule* r = FindRule(rules_, "handle_answer"))
        RETURN_IF_ERROR(StartDeadline(ledger_no, *r, agency, now_ms));
      break;
    case Action::kRequestReview:
      if (const DeadlineRule* r = FindRule(rules_, "review_opinion"))
        RETURN_IF_ERROR(StartDeadline(ledger_no, *r, agency, now_ms));
      break;
    case Action::kReviewOpinion:
      ++reviews;
      answered = now_ms;
      break;
    case Action::kSubstantiveReply:
      answered = now_ms;
      break;
    case Action::kExtend:
      extended = true;
      break;
    default:
      break;
  }
  if (new_agency != responsible) {
    // The clock follows the item: unmet deadlines move to the agency now responsible.
    ASSIGN_OR_RETURN(auto move, db_.Prepare(
        "UPDATE deadlines SET agency=? WHERE ledger_no=? AND met_ms=0 AND void=0"));
    move.BindAll(new_agency, ledger_no);
    RETURN_IF_ERROR(move.Run());
    if (action == Action::kTransfer) {
      if (const DeadlineRule* r = FindRule(rules_, "receipt_notice"); r && contact)
        RETURN_IF_ERROR(StartDeadline(ledger_no, *r, new_agency, now_ms));
      if (const DeadlineRule* r = FindRule(rules_, "register_review"))
        RETURN_IF_ERROR(StartDeadline(ledger_no, *r, new_agency, now_ms));
    }
  }
  ASSIGN_OR_RETURN(auto up, db_.Prepare(
      "UPDATE petitions SET agency=?, transferred_from=?, status=?, extended=?, reviews=?, "
      "answered_ms=?, transferred_in_ms=? WHERE ledger_no=?"));
  up.BindAll(new_agency, new_from, StatusName(next), static_cast<int64_t>(extended),
             static_cast<int64_t>(reviews), answered, transferred_in, ledger_no);
  RETURN_IF_ERROR(up.Run());
  ASSIGN_OR_RETURN(auto ev, db_.Prepare(
      "INSERT INTO petition_events(ledger_no, at_ms, agency, action, from_status, to_status, note) "
      "VALUES(?,?,?,?,?,?,?)"));
  ev.BindAll(ledger_no, now_ms, agency, ActionName(action), StatusName(facts.status), StatusName(next),
             action == Action::kTransfer ? absl::StrCat("to=", to_agency, " ", note) : note);
  RETURN_IF_ERROR(ev.Run());
  RETURN_IF_ERROR(sp.Release());
  return next;
}

std::vector<Alert> Ledger::Scan(int64_t now_ms, const ScanOptions& o) {
  std::vector<Alert> out;
  const int64_t max_lead = std::max({o.same_day_lead_ms, o.days_lead_ms, o.months_lead_ms});
  auto sel = db_.Prepare(
      "SELECT id, ledger_no, rule, agency, due_ms, warned_ms, overdue_ms, escalated_ms FROM deadlines "
      "WHERE met_ms = 0 AND void = 0 AND escalated_ms = 0 AND due_ms <= ?");
  auto mark_warn = db_.Prepare("UPDATE deadlines SET warned_ms=? WHERE id=?");
  auto mark_over = db_.Prepare("UPDATE deadlines SET overdue_ms=? WHERE id=?");
  auto mark_esc = db_.Prepare("UPDATE deadlines SET escalated_ms=? WHERE id=?");
  if (!sel.ok() || !mark_warn.ok() || !mark_over.ok() || !mark_esc.ok()) return out;
  Savepoint sp(db_);  // the sent marks of one scan: one commit, not one per alert
  sel->Bind(1, now_ms + max_lead);
  struct Row {
    int64_t id;
    std::string no, rule, agency;
    int64_t due, warned, overdue, escalated;
  };
  std::vector<Row> rows;
  while (true) {
    auto r = sel->Step();
    if (!r.ok() || !*r) break;
    rows.push_back({sel->Int(0), sel->Text(1), sel->Text(2), sel->Text(3), sel->Int(4), sel->Int(5),
                    sel->Int(6), sel->Int(7)});
  }
  sel->Reset();
  for (const Row& r : rows) {
    const DeadlineRule* rule = FindRule(rules_, r.rule);
    if (!rule) continue;
    const int64_t lead = rule->unit == Unit::kSameDay ? o.same_day_lead_ms
                         : rule->unit == Unit::kMonths ? o.months_lead_ms
                                                       : o.days_lead_ms;
    const std::string what = absl::StrCat(rule->chinese, "（", rule->source, "）");
    if (!r.warned && now_ms >= r.due - lead && now_ms <= r.due) {
      out.push_back({Alert::kWarning, r.no, r.rule, r.agency, r.due,
                     absl::StrCat(r.no, " ", what, " 将于 ", When(r.due), " 到期 / ", rule->english,
                                  " due ", When(r.due))});
      mark_warn->BindAll(now_ms, r.id);
      (void)mark_warn->Run();
    }
    if (!r.overdue && now_ms > r.due) {
      out.push_back({Alert::kOverdue, r.no, r.rule, r.agency, r.due,
                     absl::StrCat(r.no, " ", what, " 已于 ", When(r.due), " 逾期，报本机关领导督办 / ",
                                  rule->english, " overdue since ", When(r.due),
                                  ": escalated to the agency's leader")});
      mark_over->BindAll(now_ms, r.id);
      (void)mark_over->Run();
    }
    if (!r.escalated && now_ms > r.due + o.second_escalation_ms) {
      out.push_back({Alert::kEscalation, r.no, r.rule, r.agency, r.due,
                     absl::StrCat(r.no, " ", what, " 逾期未办，报检察长或政法委督办 / ", rule->english,
                                  " still overdue: escalated to the chief procurator or the "
                                  "political-legal committee")});
      mark_esc->BindAll(now_ms, r.id);
      (void)mark_esc->Run();
    }
  }
  if (!sp.ok() || !sp.Release().ok()) return {};  // marks not kept: the alerts come again next scan
  return out;
}

absl::StatusOr<std::vector<Ledger::Event>> Ledger::History(const std::string& ledger_no) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare(
      "SELECT at_ms, agency, action, from_status, to_status, note FROM petition_events "
      "WHERE ledger_no=? ORDER BY n"));
  st.Bind(1, ledger_no);
  std::vector<Event> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.Int(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Text(5)});
  }
  return out;
}

absl::StatusOr<MonthlyStats> Ledger::Stats(const std::string& month, int64_t now_ms) {
  auto first = ParseDate(month + "-01");
  if (!first.ok())
    return absl::InvalidArgumentError(absl::StrCat("月份应为 YYYY-MM / month must be YYYY-MM: ", month));
  const int64_t from = StartOfDayMs(*first);
  const int64_t to = StartOfDayMs(Date{first->year() / first->month() / 1} + std::chrono::months{1});
  MonthlyStats m;
  m.month = month;
  ASSIGN_OR_RETURN(auto ch, db_.Prepare(
      "SELECT channel, count(*), sum(people >= ?), sum(anonymous), sum(repeat_of != '') FROM petitions "
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
  ASSIGN_OR_RETURN(auto ev, db_.Prepare(
      "SELECT sum(action = 'transfer'), sum(action = 'close') FROM petition_events "
      "WHERE at_ms >= ? AND at_ms < ?"));
  ev.BindAll(from, to);
  ASSIGN_OR_RETURN(bool row, ev.Step());
  if (row) {
    m.transferred = ev.Int(0);
    m.closed = ev.Int(1);
  }
  ASSIGN_OR_RETURN(auto dl, db_.Prepare(
      "SELECT d.rule, sum(d.met_ms > 0 OR d.due_ms < ?2), sum(d.met_ms > 0 AND d.met_ms <= d.due_ms), "
      "sum(d.met_ms = 0 AND d.due_ms < ?2) FROM deadlines d JOIN petitions p ON p.ledger_no = d.ledger_no "
      "WHERE d.void = 0 AND p.received_ms >= ?3 AND p.received_ms < ?4 GROUP BY d.rule"));
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
  return m;
}

absl::StatusOr<std::string> Ledger::Responsible(const std::string& ledger_no) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare("SELECT agency FROM petitions WHERE ledger_no=?"));
  st.Bind(1, ledger_no);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("没有信访件 ", ledger_no, " / no item ", ledger_no));
  return st.Text(0);
}

absl::StatusOr<std::vector<std::string>> Ledger::Involved(const std::string& ledger_no) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare(
      "SELECT agency FROM petition_events WHERE ledger_no=?1 UNION "
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

absl::StatusOr<std::vector<LedgerItem>> Ledger::OpenItems(int64_t now_ms) {
  ASSIGN_OR_RETURN(auto st, db_.Prepare(
      "SELECT p.ledger_no, p.agency, p.status, p.matter, p.people, p.anonymous, p.received_ms, "
      "(SELECT min(due_ms) FROM deadlines d WHERE d.ledger_no=p.ledger_no AND met_ms=0 AND void=0) "
      "FROM petitions p WHERE p.status NOT IN ('closed','final','not_accepted') ORDER BY p.year, p.seq"));
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
    i.overdue = i.next_due_ms && now_ms > i.next_due_ms;
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace concord::ledger
