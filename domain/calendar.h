// Civil dates, the holiday calendar and the counting of periods.
//
// Counting (DOMAIN.md, "Counting days"; 民法典 arts. 201-203, CPL art. 105, by
// analogy): the start day is not counted; a period of N days ends N days after
// it; a month period ends on the same-numbered day of the last month, or that
// month's last day when there is none; a period whose last day is not a
// working day ends on the next working day; N working days are the next N
// working days after the start day.
//
// Working days come from a calendar file: the State Council's holidays and
// the make-up working weekends (调休), one notice a year. A year the file does
// not hold is counted provisionally (IsProvisional): Monday to Friday, less
// the holidays the national rules fix for every year (FixedHolidays: 元旦,
// 春节 from the lunar calendar, 清明, 劳动节, 端午, 中秋, 国庆, as 全国年节及
// 纪念日放假办法 amended in 2024 gives them), without the bridging days and
// make-up workdays only the year's notice sets. The ledger warns on each
// deadline that lies in such a year and recounts when the file changes.
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
#include <vector>

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

// A holiday the national rules fix for every year (全国年节及纪念日放假办法,
// as amended 2024-11-10, in force 2025): 元旦 1 day (01-01); 春节 4 days (农历
// 除夕 to 正月初三); 清明 1 day (the solar term); 劳动节 2 days (05-01, 05-02);
// 端午 1 day (农历五月初五); 中秋 1 day (农历八月十五); 国庆 3 days (10-01 to
// 10-03). Lunar dates from ICU's Chinese calendar, which can differ from the
// official almanac by a day when the new moon falls near midnight (2027 and
// 2030 春节 are a day off): one reason such dates stay provisional until
// the State Council's notice is loaded.
struct FixedHoliday {
  Date date;
  const char* name;
};
std::vector<FixedHoliday> FixedHolidays(int year);

class HolidayCalendar {
 public:
  HolidayCalendar() = default;
  // Errors name the line: "第 3 行 / line 3: ...".
  static absl::StatusOr<HolidayCalendar> Parse(const std::string& text);
  static absl::StatusOr<HolidayCalendar> Load(const std::string& path);

  bool IsWorkingDay(Date d) const;
  bool Covers(Date d) const { return years_.count(static_cast<int>(d.year())) > 0; }
  // Counted without the year's notice (FixedHolidays and weekends only).
  bool IsProvisional(Date d) const { return !Covers(d); }

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
  // FixedHolidays of the years 2000-2100 the file does not hold.
  std::set<int64_t> provisional_holidays_;
};

}  // namespace concord
