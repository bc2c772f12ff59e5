// Civil dates, the holiday calendar and the counting of periods.
//
// Counting (DOMAIN.md, "Counting days"; 民法典 arts. 201-203, CPL art. 105, by
// analogy): the start day is not counted; a period of N days ends N days after
// it; a month period ends on the same-numbered day of the last month, or that
// month's last day when there is none; a period whose last day is not a
// working day ends on the next working day; N working days are the next N
// working days after the start day.
//
// Working days come from a calendar file, never from code: the State
// Council's holidays and the make-up working weekends (调休). A date in a year
// the file does not cover counts Monday to Friday as working days, and
// Covers() says so, so the ledger can warn that the calendar needs the year.
//
// Calendar file (UTF-8 text, one date per line, # comments):
//   year 2025                 # the file covers this whole year
//   2025-01-01 holiday 元旦
//   2025-01-26 workday 春节调休
//
// All times are China Standard Time (UTC+8, no daylight saving).
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include "absl/status/statusor.h"

namespace concord {

using Date = std::chrono::year_month_day;

inline constexpr int64_t kHourMs = 3600LL * 1000;
inline constexpr int64_t kDayMs = 24 * kHourMs;

// The CST civil date of a Unix time in milliseconds, and the first and last
// millisecond of a date.
Date DateOf(int64_t unix_ms);
int64_t StartOfDayMs(Date d);
int64_t EndOfDayMs(Date d);                            // the last millisecond of the day
std::string FormatDate(Date d);                        // "2026-03-05"
absl::StatusOr<Date> ParseDate(const std::string& s);  // "YYYY-MM-DD", a real date
// The earliest time accepted as when something happened (2000-01-01 00:00
// CST): earlier values are typing errors or Unix seconds taken for ms.
inline constexpr int64_t kEarliestPlausibleMs = 946'656'000'000;

// "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (the day's start), China Standard Time.
absl::StatusOr<int64_t> ParseDateTimeMs(const std::string& s);
std::string FormatDateTime(int64_t unix_ms);  // "2026-03-05 09:30" (CST)

class HolidayCalendar {
 public:
  HolidayCalendar() = default;
  // Errors name the line: "第 3 行 / line 3: ...".
  static absl::StatusOr<HolidayCalendar> Parse(const std::string& text);
  static absl::StatusOr<HolidayCalendar> Load(const std::string& path);

  bool IsWorkingDay(Date d) const;
  bool Covers(Date d) const { return years_.count(static_cast<int>(d.year())) > 0; }

  // The periods of the counting rules above.
  static Date PlusDays(Date start, int days);       // calendar days, not rolled
  static Date PlusMonths(Date start, int months);   // the month rule, not rolled
  Date AddDays(Date start, int days) const;         // calendar days, then rolled forward
  Date AddWorkingDays(Date start, int days) const;  // the N-th working day after start
  Date AddMonths(Date start, int months) const;     // month rule, then rolled forward
  Date NextWorkingDayFrom(Date d) const;            // d itself if it is a working day

 private:
  std::set<int> years_;
  std::set<int64_t> holidays_, workdays_;  // days since the epoch
};

}  // namespace concord
