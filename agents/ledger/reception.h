// The chief procurator's reception days (检察长接待日, DOMAIN.md: regular
// days, easy appointments, at least 12 a year, half a day each): what a host
// publishes, what a booker books, what the host records. The Ledger keeps
// them (ledger.h, "Reception days"; implemented in reception.cc), since a
// petition raised at a reception day is registered on the ledger.
#pragma once

#include <cstdint>
#include <string>

#include "agents/ledger/actor.h"
#include "domain/calendar.h"

namespace concord::ledger {

struct ReceptionSlotInput {
  std::string agency;   // the host agency
  std::string slot_id;  // its own id: publishing again updates the slot
  std::string host, place;
  int64_t starts_ms = 0, ends_ms = 0;
  int capacity = 0;
  bool cancelled = false;
};
struct ReceptionSlotView {
  ReceptionSlotInput slot;
  int booked = 0;  // people in its bookings not cancelled
};
struct BookingInput {
  std::string booked_by, booking_id, slot_agency, slot_id;
  std::string petitioner, contact, matter, case_ref, ledger_no;
  int people = 1;
  bool cancel = false;
};
// A booking with what became of it (Ledger::Bookings).
struct BookingView {
  BookingInput booking;  // `cancel`: it was cancelled
  std::string slot_agency;
  std::string outcome;  // "" (not yet) | attended | no_show
  std::string outcome_note;
  int64_t outcome_ms = 0;
  std::string raised_no;  // the petition registered at the reception
};
struct OutcomeInput {
  std::string host;  // the agency recording it: must host the slot
  std::string booked_by, booking_id;
  bool attended = true;
  std::string note, matter;
  bool register_petition = false;
  Actor actor{};  // who recorded it (Envelope.actor): kept with the events it writes
};
inline constexpr int kReceptionDaysPerYear = 12;         // 2007 rule, DOMAIN.md
inline constexpr int64_t kReceptionMinMs = 3 * kHourMs;  // half a day each (at least 3 hours)

// One host's chief procurator reception days in a year.
struct ReceptionYear {
  int64_t held = 0, planned = 0;  // not cancelled: ended by `now` / all this year
};

}  // namespace concord::ledger
