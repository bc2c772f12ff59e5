#include "domain/calendar.h"

#include <unicode/calendar.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace concord {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

constexpr int64_t kCstOffsetMs = 8 * kHourMs;

int64_t Serial(Date d) { return sys_days(d).time_since_epoch().count(); }

// The Gregorian dates of lunar month/day (month 1-12, not a leap month) in
// the Chinese year that begins in Gregorian `year`; empty if ICU fails.
std::vector<Date> LunarDates(int year, std::initializer_list<std::pair<int, int>> month_days) {
  std::vector<Date> out;
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<icu::Calendar> cal(icu::Calendar::createInstance(
      icu::TimeZone::createTimeZone("Asia/Shanghai"), icu::Locale("zh_CN@calendar=chinese"), err));
  if (U_FAILURE(err) || !cal) return out;
  for (const auto& [month, day] : month_days) {
    cal->clear();
    cal->set(UCAL_EXTENDED_YEAR, year + 2637);  // ICU's Chinese era: 2637 BCE
    cal->set(UCAL_MONTH, month - 1);
    cal->set(UCAL_IS_LEAP_MONTH, 0);
    cal->set(UCAL_DATE, day);
    const UDate ms = cal->getTime(err);
    if (U_FAILURE(err)) return {};
    out.push_back(DateOf(static_cast<int64_t>(ms)));
  }
  return out;
}

}  // namespace

std::vector<FixedHoliday> FixedHolidays(int year) {
  using std::chrono::month;
  auto at = [&](unsigned m, unsigned d) {
    return Date{std::chrono::year{year}, month{m}, std::chrono::day{d}};
  };
  std::vector<FixedHoliday> out = {{at(1, 1), "元旦"}};
  const std::vector<Date> lunar = LunarDates(year, {{1, 1}, {5, 5}, {8, 15}});
  if (lunar.size() == 3) {
    for (int i = -1; i <= 2; ++i)  // 除夕, 正月初一 to 初三
      out.push_back({Date{sys_days(lunar[0]) + days{i}}, "春节"});
  }
  // 清明: the solar term, April 4-6 (the 21st century's rule: the day is
  // floor(Y * 0.2422 + 4.81) - floor(Y / 4), Y the year's last two digits).
  const int y2 = year % 100;
  out.push_back(
      {at(4, static_cast<unsigned>(static_cast<int>(y2 * 0.2422 + 4.81) - y2 / 4)), "清明节"});
  out.push_back({at(5, 1), "劳动节"});
  out.push_back({at(5, 2), "劳动节"});
  if (lunar.size() == 3) {
    out.push_back({lunar[1], "端午节"});
    out.push_back({lunar[2], "中秋节"});
  }
  for (unsigned d = 1; d <= 3; ++d) out.push_back({at(10, d), "国庆节"});
  std::sort(out.begin(), out.end(),
            [](const FixedHoliday& a, const FixedHoliday& b) { return a.date < b.date; });
  return out;
}

Date DateOf(int64_t unix_ms) {
  const int64_t local = unix_ms + kCstOffsetMs;
  const int64_t day = local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs;
  return Date{sys_days{days{day}}};
}

int64_t StartOfDayMs(Date d) { return Serial(d) * kDayMs - kCstOffsetMs; }
int64_t EndOfDayMs(Date d) { return StartOfDayMs(d) + kDayMs - 1; }

std::string FormatDate(Date d) {
  char buf[16];
  snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
           static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

absl::StatusOr<int64_t> ParseDateTimeMs(const std::string& s) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("时间格式应为 \"YYYY-MM-DD HH:MM\" / want \"YYYY-MM-DD HH:MM\": '", s, "'"));
  };
  if (s.size() < 10) return bad();
  auto day = ParseDate(s.substr(0, 10));
  if (!day.ok()) return bad();
  int64_t ms = StartOfDayMs(*day);
  if (s.size() > 10) {
    int h = 0, m = 0;
    const auto digits = [&](size_t at) {
      return absl::ascii_isdigit(s[at]) && absl::ascii_isdigit(s[at + 1]);
    };
    if (s.size() != 16 || s[10] != ' ' || s[13] != ':' || !digits(11) || !digits(14) ||
        !absl::SimpleAtoi(s.substr(11, 2), &h) || !absl::SimpleAtoi(s.substr(14, 2), &m) ||
        h > 23 || m > 59)
      return bad();
    ms += (h * 60LL + m) * 60 * 1000;
  }
  return ms;
}

std::string FormatDateTime(int64_t unix_ms) {
  const int64_t in_day = unix_ms - StartOfDayMs(DateOf(unix_ms));
  char buf[8];
  snprintf(buf, sizeof buf, " %02d:%02d", static_cast<int>(in_day / 3600000),
           static_cast<int>(in_day / 60000 % 60));
  return FormatDate(DateOf(unix_ms)) + buf;
}

absl::StatusOr<Date> ParseDate(const std::string& s) {
  std::vector<std::string> p = absl::StrSplit(s, '-');
  int y = 0, m = 0, d = 0;
  const auto digits = [](const std::string& x, size_t min, size_t max) {
    return x.size() >= min && x.size() <= max &&
           std::all_of(x.begin(), x.end(), [](char c) { return absl::ascii_isdigit(c); });
  };
  if (p.size() != 3 || !digits(p[0], 4, 4) || !digits(p[1], 1, 2) || !digits(p[2], 1, 2) ||
      !absl::SimpleAtoi(p[0], &y) || !absl::SimpleAtoi(p[1], &m) || !absl::SimpleAtoi(p[2], &d))
    return absl::InvalidArgumentError(
        absl::StrCat("日期格式应为 YYYY-MM-DD / want YYYY-MM-DD: '", s, "'"));
  const Date date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok())
    return absl::InvalidArgumentError(absl::StrCat("不存在的日期 / no such date: ", s));
  return date;
}

absl::StatusOr<HolidayCalendar> HolidayCalendar::Parse(const std::string& text) {
  HolidayCalendar c;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_no;
    absl::string_view line = raw.substr(0, raw.find('#'));
    std::vector<std::string> w = absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (w.empty()) continue;
    auto bad = [&](const std::string& why) {
      return absl::InvalidArgumentError(
          absl::StrCat("节假日文件第 ", line_no, " 行 / calendar line ", line_no, ": ", why));
    };
    if (w[0] == "year") {
      int y = 0;
      if (w.size() != 2 || !absl::SimpleAtoi(w[1], &y) || y < 2000 || y > 2200)
        return bad("want 'year YYYY'");
      c.years_.insert(y);
      continue;
    }
    if (w.size() < 2) return bad("want 'YYYY-MM-DD holiday|workday [name]'");
    auto d = ParseDate(w[0]);
    if (!d.ok()) return bad(std::string(d.status().message()));
    if (!c.years_.count(static_cast<int>(d->year())))
      return bad(absl::StrCat("先声明 'year ", static_cast<int>(d->year()), "' / declare 'year ",
                              static_cast<int>(d->year()), "' first"));
    if (w[1] == "holiday")
      c.holidays_.insert(Serial(*d));
    else if (w[1] == "workday")
      c.workdays_.insert(Serial(*d));
    else
      return bad(absl::StrCat("unknown kind '", w[1], "' (holiday or workday)"));
  }
  for (int y = 2000; y <= 2100; ++y)
    if (!c.years_.count(y))
      for (const FixedHoliday& h : FixedHolidays(y)) c.provisional_holidays_.insert(Serial(h.date));
  return c;
}

absl::StatusOr<HolidayCalendar> HolidayCalendar::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return absl::NotFoundError(absl::StrCat("无法读取节假日文件 / cannot read calendar ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str());
}

bool HolidayCalendar::IsWorkingDay(Date d) const {
  const int64_t s = Serial(d);
  if (holidays_.count(s) || provisional_holidays_.count(s)) return false;
  if (workdays_.count(s)) return true;
  const std::chrono::weekday wd{sys_days(d)};
  return wd != std::chrono::Saturday && wd != std::chrono::Sunday;
}

Date HolidayCalendar::NextWorkingDayFrom(Date d) const {
  sys_days s(d);
  while (!IsWorkingDay(Date{s})) s += days{1};
  return Date{s};
}

Date HolidayCalendar::PlusDays(Date start, int n) { return Date{sys_days(start) + days{n}}; }

Date HolidayCalendar::PlusMonths(Date start, int n) {
  Date end = start + std::chrono::months{n};
  if (!end.ok())
    end = Date{end.year() / end.month() / std::chrono::last};  // 1-31 + 1 month -> 2-28/29
  return end;
}

Date HolidayCalendar::AddDays(Date start, int n) const {
  return NextWorkingDayFrom(PlusDays(start, n));
}

Date HolidayCalendar::AddWorkingDays(Date start, int n) const {
  sys_days s(start);
  for (int i = 0; i < n;) {
    s += days{1};
    if (IsWorkingDay(Date{s})) ++i;
  }
  return Date{s};
}

Date HolidayCalendar::AddMonths(Date start, int n) const {
  return NextWorkingDayFrom(PlusMonths(start, n));
}

}  // namespace concord
