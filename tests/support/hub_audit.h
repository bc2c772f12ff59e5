// Test support: what a test district's hub wrote in its audit table, read
// back from the hub's store (its SQLite file, or its PostgreSQL server), and
// how much memory a process holds.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/district.h"

namespace concord::testing {

// One audit line: its number and its event, principal and detail fields.
struct HubAuditLine {
  int64_t n = 0;
  std::string event, principal, detail;
};

// The hub's audit lines in order; only those of `event` unless it is empty.
std::vector<HubAuditLine> HubAuditLines(const TestDistrict& d, const std::string& event = "");

// The resident set of process `pid` in KiB (VmRSS), -1 when unreadable.
int64_t VmRssKb(pid_t pid);

}  // namespace concord::testing
