// The console's 统计 page: the district's monthly petition report with its
// charts (received by channel, the 7-day and substantive reply rates over
// twelve months, overdue by agency), printable, and exported as .xlsx and
// as CSV for Excel. The figures come over the bus (LedgerQuery
// stats_months): counts only, no item and no name.
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "adapters/console/console_impl.h"
#include "common/xlsx.h"
#include "domain/calendar.h"

namespace concord::adapter {

namespace {

using accounts::Permission;
using json = nlohmann::json;
namespace pb = concord::v1;

constexpr std::pair<const char*, const char*> kChannels[] = {
    {"visit", "来访"}, {"letter", "来信"}, {"online", "网上"},
    {"phone", "电话"}, {"video", "视频"},  {"transferred", "转送、交办"}};

// "2026-11" -> the twelve months ending with it, oldest first; empty if bad.
std::vector<std::string> TwelveMonths(const std::string& month) {
  int y = 0, m = 0;
  if (month.size() != 7 || month[4] != '-' || !absl::SimpleAtoi(month.substr(0, 4), &y) ||
      !absl::SimpleAtoi(month.substr(5, 2), &m) || m < 1 || m > 12 || y < 2000 || y > 2100)
    return {};
  std::vector<std::string> out;
  for (int i = 11; i >= 0; --i) {
    int mm = m - i, yy = y;
    while (mm < 1) mm += 12, --yy;
    out.push_back(absl::StrFormat("%04d-%02d", yy, mm));
  }
  return out;
}

std::string Rate(int64_t on_time, int64_t due) {
  return due == 0 ? "—" : absl::StrFormat("%.1f%%", 100.0 * static_cast<double>(on_time) / due);
}

json MonthValues(const pb::LedgerMonthStats& s) {
  return {{"month", s.month()},
          {"received", s.received()},
          {"group", s.group()},
          {"anonymous", s.anonymous()},
          {"repeat", s.repeat()},
          {"transferred", s.transferred()},
          {"closed", s.closed()},
          {"procedural_due", s.procedural_due()},
          {"procedural_on_time", s.procedural_on_time()},
          {"procedural_rate", Rate(s.procedural_on_time(), s.procedural_due())},
          {"substantive_due", s.substantive_due()},
          {"substantive_on_time", s.substantive_on_time()},
          {"substantive_rate", Rate(s.substantive_on_time(), s.substantive_due())},
          {"overdue_now", s.overdue_now()},
          {"complaints", s.complaints()},
          {"irregular_petitions", s.irregular_petitions()},
          {"safety_incidents", s.safety_incidents()}};
}

// Horizontal bars: label, bar from `x0`, value; 30 px per row.
json Bars(const std::vector<std::pair<std::string, int64_t>>& rows, int x0) {
  int64_t max = 1;
  for (const auto& [label, n] : rows) max = std::max(max, n);
  json out = json::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    const int w = static_cast<int>(340.0 * static_cast<double>(rows[i].second) / max);
    const int y = 6 + static_cast<int>(i) * 30;
    out.push_back({{"label", rows[i].first},
                   {"n", rows[i].second},
                   {"y", y},
                   {"ty", y + 15},
                   {"w", std::max(w, rows[i].second > 0 ? 2 : 0)},
                   {"tx", x0 + w + 6}});
  }
  return out;
}

// The polyline of a rate over the months (x from 80, 60 px apart; 0-100% -> y 220-20).
std::string Points(const pb::LedgerQueryReply& r, bool procedural) {
  std::string out;
  for (int i = 0; i < r.stats_size(); ++i) {
    const auto& s = r.stats(i);
    const int64_t due = procedural ? s.procedural_due() : s.substantive_due();
    if (due == 0) continue;
    const int64_t ok = procedural ? s.procedural_on_time() : s.substantive_on_time();
    const double y = 220.0 - 200.0 * static_cast<double>(ok) / due;
    absl::StrAppend(&out, out.empty() ? "" : " ", 80 + i * 60, ",", absl::StrFormat("%.1f", y));
  }
  return out;
}

// The chief procurators' reception days (检察长接待日) in the month's year:
// each host's held and planned days against the yearly minimum.
json ReceptionYears(const pb::LedgerMonthStats& s, const ConsoleImpl& c) {
  json out = json::array();
  for (const auto& h : s.receptions())
    out.push_back({{"agency", c.AgencyName(h.agency())},
                   {"held", h.held()},
                   {"planned", h.planned()},
                   {"short", h.planned() < s.receptions_required()}});
  return out;
}

// The report as rows, for the .xlsx and the CSV.
std::vector<std::vector<XlsxCell>> ReportRows(const pb::LedgerQueryReply& r, const ConsoleImpl& c) {
  using C = XlsxCell;
  std::vector<std::vector<XlsxCell>> rows = {
      {C::Text("月份"), C::Text("收到"), C::Text("集体访"), C::Text("匿名"), C::Text("重复信访"),
       C::Text("转送"), C::Text("办结"), C::Text("7日程序性答复应答"), C::Text("按期"),
       C::Text("按期率"), C::Text("实体答复应答"), C::Text("按期"), C::Text("按期率"),
       C::Text("当前超期"), C::Text("投诉"), C::Text("越级访"), C::Text("安全事件")}};
  for (const auto& s : r.stats()) {
    auto n = [](int64_t v) { return C::Number(std::to_string(v)); };
    rows.push_back({C::Text(s.month()), n(s.received()), n(s.group()), n(s.anonymous()),
                    n(s.repeat()), n(s.transferred()), n(s.closed()), n(s.procedural_due()),
                    n(s.procedural_on_time()),
                    C::Text(Rate(s.procedural_on_time(), s.procedural_due())),
                    n(s.substantive_due()), n(s.substantive_on_time()),
                    C::Text(Rate(s.substantive_on_time(), s.substantive_due())), n(s.overdue_now()),
                    n(s.complaints()), n(s.irregular_petitions()), n(s.safety_incidents())});
  }
  rows.push_back({});
  rows.push_back({C::Text("渠道（" + (r.stats().empty() ? "" : r.stats().rbegin()->month()) + "）"),
                  C::Text("件数")});
  if (!r.stats().empty())
    for (const auto& [value, label] : kChannels) {
      auto it = r.stats().rbegin()->channels().find(value);
      rows.push_back(
          {C::Text(label),
           C::Number(std::to_string(it == r.stats().rbegin()->channels().end() ? 0 : it->second))});
    }
  rows.push_back({});
  rows.push_back({C::Text("责任机关"), C::Text("当前超期")});
  for (const auto& [agency, n] : r.overdue_by_agency())
    rows.push_back({C::Text(c.AgencyName(agency)), C::Number(std::to_string(n))});
  if (!r.stats().empty()) {
    const pb::LedgerMonthStats& cur = *r.stats().rbegin();
    rows.push_back({});
    rows.push_back({C::Text("检察长接待日（本年，每年不少于" +
                            std::to_string(cur.receptions_required()) + "次）"),
                    C::Text("已举办"), C::Text("已安排")});
    for (const auto& h : cur.receptions())
      rows.push_back({C::Text(c.AgencyName(h.agency())), C::Number(std::to_string(h.held())),
                      C::Number(std::to_string(h.planned()))});
    rows.push_back(
        {C::Text("本月接待日来访人数"), C::Number(std::to_string(cur.reception_visitors()))});
  }
  return rows;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

}  // namespace

void RegisterStatsPages(ConsoleImpl& c) {
  if (c.ctx().config.petitions.ledger.empty()) return;
  c.AddNav("/stats", "统计", "stats", [](const accounts::Account& a) {
    return accounts::Allowed(a, Permission::kStatistics);
  });
  // One handler for the page and both exports.
  auto serve = [&c](Visit v, const std::string& format) {
    if (!c.Require(v, Permission::kStatistics, "stats." + format, "")) return;
    std::string month = v.request.Query("month");
    if (month.empty()) month = FormatDate(DateOf(c.Now())).substr(0, 7);
    const std::vector<std::string> months = TwelveMonths(month);
    if (months.empty()) {
      c.Render(
          v, "统计", "stats", c.Template("stats.html"),
          {{"month", month}, {"ledger_error", "月份格式应为 年-月 / month is YYYY-MM: " + month}},
          400);
      return;
    }
    pb::LedgerQuery q;
    for (const auto& m : months) q.add_stats_months(m);
    c.AskLedger(q, [&c, v = std::move(v), month,
                    format](absl::StatusOr<pb::LedgerQueryReply> reply) mutable {
      if (!reply.ok() || !reply->ok()) {
        const std::string why =
            !reply.ok() ? std::string(reply.status().message()) : reply->reason();
        c.Render(v, "统计", "stats", c.Template("stats.html"),
                 {{"month", month}, {"ledger_error", "账本暂时无法统计：" + why}}, 503);
        return;
      }
      c.Log(v, "stats." + format, month, true);
      if (format == "xlsx" || format == "csv") {
        auto rows = ReportRows(*reply, c);
        WebResponse out;
        if (format == "xlsx") {
          out.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
          out.body = WriteXlsx({{"信访月报 " + month, std::move(rows)}});
        } else {
          out.content_type = "text/csv; charset=utf-8";
          out.body = "\xEF\xBB\xBF";  // a BOM: Excel then reads UTF-8
          for (const auto& row : rows) {
            for (size_t i = 0; i < row.size(); ++i)
              absl::StrAppend(&out.body, i ? "," : "", CsvField(row[i].text));
            out.body += "\r\n";
          }
        }
        out.headers.push_back({"Content-Disposition",
                               absl::StrCat("attachment; filename=\"petition-report-", month, ".",
                                            format, "\"; filename*=UTF-8''",
                                            PercentEncode("信访月报-" + month + "."), format)});
        v.respond(std::move(out));
        return;
      }
      const pb::LedgerMonthStats& cur = *reply->stats().rbegin();
      std::vector<std::pair<std::string, int64_t>> channels;
      for (const auto& [value, label] : kChannels) {
        auto it = cur.channels().find(value);
        channels.push_back({label, it == cur.channels().end() ? 0 : it->second});
      }
      std::vector<std::pair<std::string, int64_t>> overdue;
      for (const auto& [agency, n] : reply->overdue_by_agency())
        overdue.push_back({c.AgencyName(agency), n});
      std::sort(overdue.begin(), overdue.end(),
                [](const auto& a, const auto& b) { return a.second > b.second; });
      json months = json::array();
      for (int i = 0; i < reply->stats_size(); ++i) {
        json m = MonthValues(reply->stats(i));
        m["x"] = 80 + i * 60;
        m["short"] = reply->stats(i).month().substr(2);
        months.push_back(std::move(m));
      }
      json values = {{"month", month},
                     {"has_stats", true},
                     {"cur", MonthValues(cur)},
                     {"channels", Bars(channels, 110)},
                     {"channels_height", 12 + 30 * channels.size()},
                     {"overdue", Bars(overdue, 150)},
                     {"overdue_height", std::max<size_t>(40, 12 + 30 * overdue.size())},
                     {"months", months},
                     {"receptions", ReceptionYears(cur, c)},
                     {"receptions_required", cur.receptions_required()},
                     {"reception_visitors", cur.reception_visitors()},
                     {"procedural_points", Points(*reply, true)},
                     {"substantive_points", Points(*reply, false)}};
      c.Render(v, "统计 " + month, "stats", c.Template("stats.html"), std::move(values));
    });
  };
  c.AddPage("GET", "/stats", [serve](Visit v) { serve(std::move(v), "page"); });
  c.AddPage("GET", "/stats/export.xlsx", [serve](Visit v) { serve(std::move(v), "xlsx"); });
  c.AddPage("GET", "/stats/export.csv", [serve](Visit v) { serve(std::move(v), "csv"); });
}

}  // namespace concord::adapter
