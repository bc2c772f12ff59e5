// The synthetic petition ledger the benchmarks read (concord-ledger-search-bench,
// concord-console-bench): `items` petitions received over two years by six
// agencies, written as the ledger agent writes them (Ledger::Register and
// Ledger::Apply, one transaction).
//
// Item i is registered by LedgerGenAgencies()[i % 6] on channel "visit" (one
// in three) or "letter", with petitioner PetitionerName(i), contact
// "139<10000000 + i>" and matter one of six; one in ten is transferred to the
// next agency, which handles it; four in five are accepted with one of 60
// first handlers ("承办人0" .. "承办人59"), two in five answered and closed.
// The same `items` and `start_ms` give the same ledger.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agents/ledger/ledger.h"
#include "common/sql.h"

namespace concord::bench {

// "petition", "procuratorate", "court", "police", "justice", "plc".
const std::vector<std::string>& LedgerGenAgencies();

// Item i's petitioner: a surname and one or two given characters, spread so
// that a two-character substring matches a few thousandths of the people.
std::string PetitionerName(int i);

// The k-th of the 600 two-character substrings the names start with (a
// surname and a given character), for searches that find something.
std::string NameFragment(int k);

// Registers and steps the `items` petitions in `ledger` (on `db`), the first
// received on the day of `start_ms` and the last about 730 days later.
void BuildLedger(ledger::Ledger& ledger, sql::Db& db, int items, int64_t start_ms);

}  // namespace concord::bench
