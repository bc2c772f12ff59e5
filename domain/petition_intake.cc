#include "domain/petition_intake.h"

#include <chrono>
#include <iterator>
#include <limits>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/field_status.h"
#include "common/json_fields.h"
#include "domain/calendar.h"

namespace concord::ledger {
namespace {

using nlohmann::json;

// 来信 / letter ... -> the ledger's channel names.
std::string Channel(const std::string& s) {
  static const std::vector<std::pair<std::string, std::string>> kNames = {
      {"letter", "letter"},    {"来信", "letter"},     {"visit", "visit"},
      {"来访", "visit"},       {"online", "online"},   {"网上", "online"},
      {"12309", "online"},     {"phone", "phone"},     {"电话", "phone"},
      {"video", "video"},      {"视频", "video"},      {"transferred", "transferred"},
      {"转送", "transferred"}, {"交办", "transferred"}};
  for (const auto& [k, v] : kNames)
    if (s == k) return v;
  return "";
}

// The value of `key`, or null when absent or an empty string (a CSV's empty cell).
json Value(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || (it->is_string() && it->get<std::string>().empty())) return json();
  return *it;
}

// "YYYY-MM-DD HH:MM" / "YYYY-MM-DD" (CST) or Unix ms; `now` when absent.
absl::StatusOr<int64_t> ReceivedMs(const json& j, int64_t now) {
  if (j.is_null()) return now;
  if (j.is_number_integer()) return j.get<int64_t>();
  if (!j.is_string()) return absl::InvalidArgumentError("received");
  return ParseDateTimeMs(j.get<std::string>());
}

// 是/否, yes/no, true/false, 1/0 (or JSON true/false); false when absent.
absl::StatusOr<bool> YesNo(const json& j) {
  if (j.is_null()) return false;
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number_integer() && (j.get<int64_t>() == 0 || j.get<int64_t>() == 1))
    return j.get<int64_t>() == 1;
  if (j.is_string()) {
    const std::string s = absl::AsciiStrToLower(j.get<std::string>());
    if (s == "是" || s == "yes" || s == "true" || s == "1") return true;
    if (s == "否" || s == "no" || s == "false" || s == "0") return false;
  }
  return absl::InvalidArgumentError("anonymous");
}

// A whole number (or its digits); 1 when absent.
absl::StatusOr<int> People(const json& j) {
  if (j.is_null()) return 1;
  int n = 0;
  if (j.is_number_integer() && j.get<int64_t>() >= std::numeric_limits<int>::min() &&
      j.get<int64_t>() <= std::numeric_limits<int>::max())
    return j.get<int>();
  if (j.is_string() && absl::SimpleAtoi(j.get<std::string>(), &n)) return n;
  return absl::InvalidArgumentError("people");
}

// The CSV's columns, in the order of Field.
enum Field : size_t {
  kIntakeId,
  kChannel,
  kReceived,
  kPetitioner,
  kContact,
  kAnonymous,
  kMatter,
  kCaseRef,
  kPeople,
  kMajor,
  kRepresentatives,
};
constexpr csv::Column kColumns[] = {
    {"intake_id", "登记编号", true},
    {"channel", "渠道", true, "来源"},
    {"received", "收到时间"},
    {"petitioner", "信访人"},
    {"contact", "联系方式"},
    {"anonymous", "匿名"},
    {"matter", "信访事项", true},
    {"case_ref", "案号", false, "关联案件"},
    {"people", "人数"},
    {"major", "重大"},
    {"representatives", "代表", false, "信访代表"},
};

}  // namespace

absl::StatusOr<concord::v1::PetitionRegister> PetitionFromJson(const json& j, int64_t now_ms) {
  if (!j.is_object()) return absl::InvalidArgumentError("须为 JSON 对象 / must be an object");
  std::vector<std::string> bad, fields;
  auto refuse = [&](const char* field, std::string why) {
    bad.push_back(std::move(why));
    fields.push_back(field);
  };
  concord::v1::PetitionRegister r;
  r.set_intake_id(JsonString(j, "intake_id"));
  if (r.intake_id().empty()) refuse("intake_id", "登记编号 intake_id 不能为空 / is required");
  r.set_channel(Channel(JsonString(j, "channel")));
  if (r.channel().empty())
    refuse("channel",
           absl::StrCat("渠道 channel 应为 来信/来访/网上/电话/视频/转送 (letter, visit, online, "
                        "phone, video, transferred): '",
                        JsonString(j, "channel"), "'"));
  const json received = Value(j, "received");
  if (auto ms = ReceivedMs(received, now_ms); !ms.ok())
    refuse("received",
           absl::StrCat("收到时间 received 应为 \"YYYY-MM-DD HH:MM\"（北京时间）/ must be "
                        "\"YYYY-MM-DD HH:MM\" (CST): ",
                        received.dump()));
  else if (*ms < kEarliestPlausibleMs)
    refuse("received",
           absl::StrCat(
               "收到时间 received 早于 2000-01-01（Unix 时间应以毫秒计）/ is before 2000-01-01 "
               "(Unix time must be in milliseconds): ",
               received.dump()));
  else if (*ms > now_ms + kDayMs)
    refuse("received",
           absl::StrCat("收到时间 received 比现在晚一天以上，日期是否有误？/ is more than a day in "
                        "the future (a typo in the date?): ",
                        received.dump()));
  else
    r.set_received_ms(*ms);
  r.set_matter(JsonString(j, "matter"));
  if (r.matter().empty()) refuse("matter", "信访事项 matter 不能为空 / is required");
  r.set_petitioner(JsonString(j, "petitioner"));
  r.set_contact(JsonString(j, "contact"));
  const json anonymous = Value(j, "anonymous");
  if (auto a = YesNo(anonymous); a.ok())
    r.set_anonymous(*a);
  else
    refuse("anonymous",
           absl::StrCat("匿名 anonymous 应为 是/否 (yes/no, true/false, 1/0): ", anonymous.dump()));
  r.set_case_ref(JsonString(j, "case_ref"));
  const json people = Value(j, "people");
  if (auto n = People(people); !n.ok())
    refuse("people",
           absl::StrCat("人数 people 应为整数 / must be a whole number: ", people.dump()));
  else if (*n < 1)
    refuse("people", "人数 people 至少为 1 / must be at least 1");
  else
    r.set_people(*n);
  const json major = Value(j, "major");
  if (auto m = YesNo(major); m.ok())
    r.set_major(*m);
  else
    refuse("major",
           absl::StrCat("重大 major 应为 是/否 (yes/no, true/false, 1/0): ", major.dump()));
  // A group's representatives: a list, or names between 、，, or ;.
  const json reps = Value(j, "representatives");
  std::vector<std::string> names;
  if (reps.is_array()) {
    for (const json& n : reps)
      if (n.is_string() && !n.get<std::string>().empty()) names.push_back(n.get<std::string>());
  } else if (reps.is_string()) {
    for (absl::string_view n : absl::StrSplit(reps.get<std::string>(), absl::ByAnyChar("、，,;；"),
                                              absl::SkipWhitespace()))
      names.emplace_back(absl::StripAsciiWhitespace(n));
  } else if (!reps.is_null()) {
    refuse("representatives", "代表 representatives 应为姓名列表 / must be a list of names");
  }
  if (names.size() > kMaxRepresentatives)
    refuse("representatives",
           absl::StrCat(
               "集体访推选的代表至多 5 人（《信访工作条例》第二十条），此处 ", names.size(),
               " 人 / a group names at most 5 representatives (art. 20), not ", names.size()));
  else if (r.people() > 0 && static_cast<int>(names.size()) > r.people())
    refuse("representatives", absl::StrCat("代表人数多于信访人数 / more representatives (",
                                           names.size(), ") than people (", r.people(), ")"));
  for (auto& n : names) r.add_representatives(std::move(n));
  if (!bad.empty()) return WithFields(absl::InvalidArgumentError(absl::StrJoin(bad, "; ")), fields);
  return r;
}

absl::StatusOr<PetitionCsv> ParsePetitionCsv(absl::string_view bytes, int64_t now_ms) {
  absl::StatusOr<csv::Table> table = csv::Table::Parse(bytes, kColumns);
  if (!table.ok()) return table.status();
  PetitionCsv out;
  out.encoding = table->encoding();
  std::unordered_map<std::string, int> first_line;  // intake_id -> line
  csv::Row row;
  while (table->Next(&row)) {
    if (absl::Status usable = table->Check(row); !usable.ok()) {
      out.errors.push_back({row.line, std::string(usable.message()), {}});
      continue;
    }
    json entered = json::object();
    for (size_t c = 0; c < std::size(kColumns); ++c)
      if (absl::string_view v = table->Field(row, c); !v.empty())
        entered[kColumns[c].english] = std::string(v);
    bool ok = true;
    if (const std::string id(table->Field(row, kIntakeId)); !id.empty()) {
      auto [first, inserted] = first_line.emplace(id, row.line);
      if (!inserted) {
        out.errors.push_back({row.line,
                              absl::StrCat("登记编号与第 ", first->second, " 行重复 / intake_id '",
                                           id, "' already on line ", first->second),
                              {"intake_id"}});
        ok = false;
      }
    }
    auto petition = PetitionFromJson(entered, now_ms);
    if (!petition.ok()) {
      out.errors.push_back(
          {row.line, std::string(petition.status().message()), FieldsOf(petition.status())});
      continue;
    }
    if (ok) out.rows.push_back({row.line, std::move(entered), *std::move(petition)});
  }
  return out;
}

}  // namespace concord::ledger
