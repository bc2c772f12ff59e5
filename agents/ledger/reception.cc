// The chief procurator's reception days (检察长接待日): the Ledger's slots,
// bookings and outcomes (reception.h, ledger.h).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "agents/ledger/ledger.h"
#include "common/status_macros.h"

namespace concord::ledger {
namespace {

// The actor in three columns from `first`, as every event of a history
// keeps it (ledger.cc): NULL when nobody is named (an automated sender).
void BindActorColumns(sql::Stmt& st, int first, const Actor& a) {
  if (a.empty()) {
    for (int i = 0; i < 3; ++i) st.BindNull(first + i);
    return;
  }
  st.Bind(first, a.login).Bind(first + 1, a.name).Bind(first + 2, a.role);
}

}  // namespace

absl::Status Ledger::PublishSlot(const ReceptionSlotInput& s, int64_t now_ms) {
  if (s.slot_id.empty()) return absl::InvalidArgumentError("缺少接待日编号 / slot_id is required");
  if (s.host.empty())
    return absl::InvalidArgumentError("缺少接待领导 / host (who receives) is required");
  if (s.starts_ms <= 0 || s.ends_ms <= s.starts_ms)
    return absl::InvalidArgumentError(
        "接待时间有误：结束须晚于开始 / the slot must end after it starts");
  if (s.ends_ms - s.starts_ms < kReceptionMinMs || s.ends_ms - s.starts_ms > kDayMs)
    return absl::InvalidArgumentError(
        "检察长接待日每次半天（3 小时至 1 天）/ a reception day lasts half a day (3 hours to a "
        "day)");
  if (s.capacity < 1)
    return absl::InvalidArgumentError("可预约人数至少为 1 / capacity must be at least 1");
  ASSIGN_OR_RETURN(
      auto stored,
      db_.Prepare("SELECT host, place, starts_ms, ends_ms, cancelled, "
                  "(SELECT coalesce(sum(people), 0) FROM reception_bookings r WHERE r.slot_agency "
                  "= s.agency AND "
                  "r.slot_id = s.slot_id AND r.cancelled = 0), "
                  "(SELECT count(*) FROM reception_bookings r WHERE r.slot_agency = s.agency AND "
                  "r.slot_id = s.slot_id AND "
                  "r.outcome != '') FROM reception_slots s WHERE agency=? AND slot_id=?"));
  stored.BindAll(s.agency, s.slot_id);
  ASSIGN_OR_RETURN(bool found, stored.Step());
  if (!found) {
    if (s.cancelled)
      return absl::NotFoundError(
          absl::StrCat("没有接待日 ", s.slot_id, " / no reception slot ", s.slot_id));
    if (s.starts_ms <= now_ms)
      return absl::InvalidArgumentError(
          "接待日须在开始前公布 / a reception slot is published before it begins");
  } else {
    const bool begun = stored.Int(2) <= now_ms, outcomes = stored.Int(6) > 0;
    const bool changed = stored.Text(0) != s.host || stored.Int(2) != s.starts_ms ||
                         stored.Int(3) != s.ends_ms || (stored.Int(4) != 0) != s.cancelled;
    if ((begun || outcomes) && changed)
      return absl::FailedPreconditionError(
          "接待已开始或已记录接待情况，不能更改时间、接待领导或取消 / the reception has begun or "
          "has outcomes: "
          "its time, host and cancellation are fixed");
    if (!begun && s.starts_ms <= now_ms)
      return absl::InvalidArgumentError(
          "不能改到已过去的时间 / a slot cannot be moved into the past");
    const int64_t people = stored.Int(5);
    if (!s.cancelled && s.capacity < people)
      return absl::FailedPreconditionError(
          absl::StrCat("已预约 ", people, " 人，可预约人数不能少于此数 / ", people,
                       " people booked: capacity cannot go below that"));
  }
  stored.Reset();
  ASSIGN_OR_RETURN(auto up, db_.Prepare("INSERT INTO reception_slots(agency, slot_id, host, place, "
                                        "starts_ms, ends_ms, capacity, cancelled) "
                                        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8) ON CONFLICT(agency, "
                                        "slot_id) DO UPDATE SET host=?3, place=?4, "
                                        "starts_ms=?5, ends_ms=?6, capacity=?7, cancelled=?8"));
  up.BindAll(s.agency, s.slot_id, s.host, s.place, s.starts_ms, s.ends_ms,
             static_cast<int64_t>(s.capacity), static_cast<int64_t>(s.cancelled));
  return up.Run();
}

absl::Status Ledger::Book(const BookingInput& b, int64_t now_ms) {
  if (b.booking_id.empty())
    return absl::InvalidArgumentError("缺少预约编号 / booking_id is required");
  ASSIGN_OR_RETURN(auto existing, db_.Prepare("SELECT slot_agency, slot_id, cancelled, outcome, "
                                              "petitioner, matter, people FROM reception_bookings "
                                              "WHERE booked_by=? AND booking_id=?"));
  existing.BindAll(b.booked_by, b.booking_id);
  ASSIGN_OR_RETURN(bool found, existing.Step());
  if (b.cancel) {
    if (!found)
      return absl::NotFoundError(
          absl::StrCat("没有预约 ", b.booking_id, " / no booking ", b.booking_id));
    if (!existing.Text(3).empty())
      return absl::FailedPreconditionError(
          "接待情况已记录，不能取消 / the outcome is recorded: it cannot be cancelled");
    existing.Reset();
    ASSIGN_OR_RETURN(
        auto cancel,
        db_.Prepare(
            "UPDATE reception_bookings SET cancelled=1 WHERE booked_by=? AND booking_id=?"));
    cancel.BindAll(b.booked_by, b.booking_id);
    return cancel.Run();
  }
  if (found) {
    // The same booking sent again is one booking; another one under a used id is refused.
    const bool same = existing.Int(2) == 0 && existing.Text(1) == b.slot_id &&
                      (b.slot_agency.empty() || existing.Text(0) == b.slot_agency) &&
                      existing.Text(4) == b.petitioner && existing.Text(5) == b.matter &&
                      existing.Int(6) == std::max(1, b.people);
    if (same) return absl::OkStatus();
    return absl::AlreadyExistsError(absl::StrCat(
        "预约编号 ", b.booking_id, existing.Int(2) ? " 已用于一次已取消的预约" : " 已用于另一预约",
        "，请使用新编号 / booking id ", b.booking_id,
        existing.Int(2) ? " belongs to a cancelled booking" : " is used by another booking",
        ": use a new id"));
  }
  existing.Reset();
  if (b.petitioner.empty())
    return absl::InvalidArgumentError("缺少信访人 / petitioner is required");
  if (b.matter.empty()) return absl::InvalidArgumentError("缺少信访事项 / the matter is required");
  if (b.people < 1) return absl::InvalidArgumentError("人数至少为 1 / people must be at least 1");
  if (!b.ledger_no.empty()) {
    // A visit about an item: the booker must have handled it (its history goes to the host after).
    ASSIGN_OR_RETURN(auto involved, Involved(b.ledger_no));
    if (involved.empty())
      return absl::NotFoundError(
          absl::StrCat("没有信访件 ", b.ledger_no, " / no item ", b.ledger_no));
    if (std::find(involved.begin(), involved.end(), b.booked_by) == involved.end())
      return absl::PermissionDeniedError(absl::StrCat(
          "预约机关未经办 ", b.ledger_no, " / the booker has not handled ", b.ledger_no));
  }
  ASSIGN_OR_RETURN(
      auto slot,
      db_.Prepare("SELECT agency, starts_ms, ends_ms, capacity, cancelled, (SELECT "
                  "coalesce(sum(people), 0) FROM "
                  "reception_bookings r WHERE r.slot_agency = s.agency AND r.slot_id = s.slot_id "
                  "AND r.cancelled = 0) "
                  "FROM reception_slots s WHERE slot_id=?1 AND (agency=?2 OR ?2='') LIMIT 2"));
  slot.BindAll(b.slot_id, b.slot_agency);
  ASSIGN_OR_RETURN(bool has_slot, slot.Step());
  if (!has_slot)
    return absl::NotFoundError(
        absl::StrCat("没有接待日 ", b.slot_id, " / no reception slot ", b.slot_id));
  const std::string slot_agency = slot.Text(0);
  const int64_t starts = slot.Int(1), ends = slot.Int(2), capacity = slot.Int(3),
                booked = slot.Int(5);
  const bool cancelled = slot.Int(4) != 0;
  ASSIGN_OR_RETURN(bool another, slot.Step());
  slot.Reset();
  if (another)
    return absl::InvalidArgumentError(absl::StrCat("多个机关使用接待日编号 ", b.slot_id,
                                                   "，请指明主办机关 / slot id ", b.slot_id,
                                                   " is used by several hosts: name the host"));
  if (cancelled)
    return absl::FailedPreconditionError("该接待日已取消 / the reception slot is cancelled");
  if (ends <= now_ms)
    return absl::FailedPreconditionError("该接待日已结束 / the reception slot is over");
  if (starts <= now_ms && b.booked_by != slot_agency)
    return absl::FailedPreconditionError(
        "该接待日已开始，现场登记由接待机关办理 / the reception has begun: walk-ins are booked by "
        "the host");
  if (booked + b.people > capacity)
    return absl::ResourceExhaustedError(
        absl::StrCat("该接待日已约满（可约 ", capacity, " 人，已约 ", booked,
                     " 人）/ the slot is full (", booked, " of ", capacity, " places taken)"));
  ASSIGN_OR_RETURN(auto ins,
                   db_.Prepare("INSERT INTO reception_bookings(booked_by, booking_id, slot_agency, "
                               "slot_id, petitioner, contact, matter, "
                               "case_ref, people, ledger_no) VALUES(?,?,?,?,?,?,?,?,?,?)"));
  ins.BindAll(b.booked_by, b.booking_id, slot_agency, b.slot_id, b.petitioner, b.contact, b.matter,
              b.case_ref, static_cast<int64_t>(b.people), b.ledger_no);
  return ins.Run();
}

absl::StatusOr<std::string> Ledger::RecordOutcome(const OutcomeInput& o, int64_t now_ms) {
  const std::string booked_by = o.booked_by.empty() ? o.host : o.booked_by;
  ASSIGN_OR_RETURN(
      auto sel,
      db_.Prepare("SELECT b.slot_agency, b.cancelled, b.outcome, b.raised_no, b.petitioner, "
                  "b.contact, b.matter, "
                  "b.case_ref, b.people, b.ledger_no, s.starts_ms, s.host, s.cancelled FROM "
                  "reception_bookings b "
                  "JOIN reception_slots s ON s.agency = b.slot_agency AND s.slot_id = b.slot_id "
                  "WHERE b.booked_by=? AND b.booking_id=?"));
  sel.BindAll(booked_by, o.booking_id);
  ASSIGN_OR_RETURN(bool found, sel.Step());
  if (!found)
    return absl::NotFoundError(
        absl::StrCat("没有预约 ", o.booking_id, " / no booking ", o.booking_id, " by ", booked_by));
  if (sel.Text(0) != o.host)
    return absl::PermissionDeniedError(absl::StrCat("只有接待机关 ", sel.Text(0),
                                                    " 可以记录接待情况 / only the host ",
                                                    sel.Text(0), " records the outcome"));
  const std::string outcome = o.attended ? "attended" : "no_show";
  if (!sel.Text(2).empty()) {
    // Recorded before: the same answer again; a different outcome is refused.
    if (sel.Text(2) == outcome && sel.Text(3).empty() != o.register_petition) return sel.Text(3);
    return absl::FailedPreconditionError(
        absl::StrCat("接待情况已记录为「", sel.Text(2) == "attended" ? "到场" : "未到场",
                     sel.Text(3).empty() ? "」" : absl::StrCat("」并登记 ", sel.Text(3)),
                     "，不能更改 / the outcome is already "
                     "recorded as ",
                     sel.Text(2), sel.Text(3).empty() ? "" : absl::StrCat(" with ", sel.Text(3))));
  }
  if (sel.Int(1)) return absl::FailedPreconditionError("该预约已取消 / the booking was cancelled");
  if (sel.Int(12))
    return absl::FailedPreconditionError("该接待日已取消 / the reception slot was cancelled");
  const int64_t starts = sel.Int(10);
  if (now_ms < starts)
    return absl::FailedPreconditionError("接待尚未开始 / the reception has not begun");
  PetitionInput p;
  p.agency = o.host;
  p.intake_id = absl::StrCat("接待日/", booked_by, "/", o.booking_id);
  p.channel = "visit";
  p.received_ms = starts;
  p.petitioner = sel.Text(4);
  p.contact = sel.Text(5);
  p.matter = o.matter.empty() ? sel.Text(6) : o.matter;
  p.case_ref = sel.Text(7);
  p.people = static_cast<int>(sel.Int(8));
  p.actor = o.actor;  // who recorded the reception registers the petition raised there
  const std::string about = sel.Text(9), host = sel.Text(11);
  sel.Reset();
  if (o.register_petition && !o.attended)
    return absl::InvalidArgumentError(
        "未到场不能登记信访 / no petition can be raised by someone who did not come");

  sql::Savepoint sp(db_);
  if (!sp.ok()) return absl::UnavailableError("cannot open a savepoint");
  std::string raised;
  if (o.register_petition) {
    ASSIGN_OR_RETURN(raised, Register(p));
    ASSIGN_OR_RETURN(auto ev,
                     db_.Prepare("UPDATE petition_events SET note = note || ? WHERE n = (SELECT "
                                 "min(n) FROM petition_events WHERE ledger_no=?)"));
    ev.BindAll(
        absl::StrCat(" 检察长接待日（", host, "）/ raised at a chief procurator reception day"),
        raised);
    RETURN_IF_ERROR(ev.Run());
  }
  if (!about.empty()) {
    // The item the visit was about keeps the visit in its history.
    ASSIGN_OR_RETURN(auto cur, db_.Prepare("SELECT status FROM petitions WHERE ledger_no=?"));
    cur.Bind(1, about);
    ASSIGN_OR_RETURN(bool row, cur.Step());
    const std::string status = row ? cur.Text(0) : "";
    cur.Reset();
    ASSIGN_OR_RETURN(auto ev, db_.Prepare("INSERT INTO petition_events(ledger_no, at_ms, agency, "
                                          "action, from_status, to_status, note, actor_login, "
                                          "actor_name, actor_role) "
                                          "VALUES(?,?,?,'reception',?,?,?,?,?,?)"));
    ev.BindAll(about, starts, o.host, status, status,
               absl::StrCat(o.attended ? "检察长接待日接待（" : "检察长接待日未到场（", host, "）",
                            o.note.empty() ? "" : " ", o.note,
                            raised.empty() ? "" : absl::StrCat(" 新登记 ", raised)));
    BindActorColumns(ev, 7, o.actor);
    RETURN_IF_ERROR(ev.Run());
  }
  ASSIGN_OR_RETURN(
      auto up,
      db_.Prepare(
          "UPDATE reception_bookings SET outcome=?, outcome_note=?, outcome_ms=?, raised_no=? "
          "WHERE booked_by=? AND booking_id=?"));
  up.BindAll(outcome, o.note, std::max(now_ms, starts), raised, booked_by, o.booking_id);
  RETURN_IF_ERROR(up.Run());
  RETURN_IF_ERROR(sp.Release());
  return raised;
}

absl::StatusOr<std::vector<ReceptionSlotView>> Ledger::Slots(int64_t now_ms) {
  const int64_t year_from = StartOfDayMs(Date{DateOf(now_ms).year() / 1 / 1});
  ASSIGN_OR_RETURN(
      auto st,
      db_.Prepare("SELECT agency, slot_id, host, place, starts_ms, ends_ms, capacity, cancelled, "
                  "(SELECT coalesce(sum(people), "
                  "0) FROM reception_bookings r WHERE r.slot_agency = s.agency AND r.slot_id = "
                  "s.slot_id AND r.cancelled = 0) "
                  "FROM reception_slots s WHERE ends_ms >= ? ORDER BY starts_ms, agency, slot_id"));
  st.Bind(1, year_from);
  std::vector<ReceptionSlotView> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ReceptionSlotView v;
    v.slot = {st.Text(0),
              st.Text(1),
              st.Text(2),
              st.Text(3),
              st.Int(4),
              st.Int(5),
              static_cast<int>(st.Int(6)),
              st.Int(7) != 0};
    v.booked = static_cast<int>(st.Int(8));
    out.push_back(std::move(v));
  }
  return out;
}

absl::StatusOr<std::vector<BookingView>> Ledger::Bookings(const std::string& agency,
                                                          int64_t now_ms) {
  // The slots Slots() lists: those ending this year or later.
  const int64_t year_from = StartOfDayMs(Date{DateOf(now_ms).year() / 1 / 1});
  ASSIGN_OR_RETURN(
      auto st,
      db_.Prepare("SELECT b.booked_by, b.booking_id, b.slot_agency, b.slot_id, b.petitioner, "
                  "b.contact, b.matter, b.case_ref, b.people, b.ledger_no, b.cancelled, "
                  "b.outcome, b.outcome_note, b.outcome_ms, b.raised_no FROM reception_bookings b "
                  "JOIN reception_slots s ON s.agency = b.slot_agency AND s.slot_id = b.slot_id "
                  "WHERE s.ends_ms >= ?1 AND (b.booked_by = ?2 OR b.slot_agency = ?2) "
                  "ORDER BY s.starts_ms, b.slot_agency, b.slot_id, b.rowid"));
  st.BindAll(year_from, agency);
  std::vector<BookingView> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    BookingView v;
    v.booking.booked_by = st.Text(0);
    v.booking.booking_id = st.Text(1);
    v.booking.slot_agency = v.slot_agency = st.Text(2);
    v.booking.slot_id = st.Text(3);
    v.booking.petitioner = st.Text(4);
    v.booking.contact = st.Text(5);
    v.booking.matter = st.Text(6);
    v.booking.case_ref = st.Text(7);
    v.booking.people = static_cast<int>(st.Int(8));
    v.booking.ledger_no = st.Text(9);
    v.booking.cancel = st.Int(10) != 0;
    v.outcome = st.Text(11);
    v.outcome_note = st.Text(12);
    v.outcome_ms = st.Int(13);
    v.raised_no = st.Text(14);
    out.push_back(std::move(v));
  }
  return out;
}

absl::StatusOr<std::map<std::string, ReceptionYear>> Ledger::ReceptionsThisYear(int64_t now_ms) {
  const auto year = DateOf(now_ms).year();
  ASSIGN_OR_RETURN(auto st,
                   db_.Prepare("SELECT agency, count(*), count(*) FILTER (WHERE ends_ms <= ?3) "
                               "FROM reception_slots WHERE cancelled = 0 AND "
                               "starts_ms >= ?1 AND starts_ms < ?2 GROUP BY agency"));
  st.BindAll(StartOfDayMs(Date{year / 1 / 1}),
             StartOfDayMs(Date{(year + std::chrono::years{1}) / 1 / 1}), now_ms);
  std::map<std::string, ReceptionYear> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out[st.Text(0)] = ReceptionYear{st.Int(2), st.Int(1)};
  }
  return out;
}

}  // namespace concord::ledger
