#include "domain/linkage/aid_csv.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/csv.h"
#include "common/field_status.h"
#include "common/files.h"
#include "domain/linkage/normalize.h"

namespace concord::aid {
namespace {

// Debian's abseil has its own string_view (not std::string_view), so inside
// this file text is absl::string_view throughout.

using csv::Trim;

// ---------------------------------------------------------------------------
// Columns

enum class Column {
  kRecordId,
  kAgency,
  kName,
  kIdNumber,
  kBirthDate,
  kGender,
  kPhone,
  kAddress,
  kCaseRef,
  kIncidentDate,
  kCrime,
  kAidType,
  kAmountYuan,
  kGrantedOn,
};

// Indexed by Column.
constexpr csv::Column kColumns[] = {
    {"record_id", "记录编号", true},
    {"agency", "救助机关", false},
    {"name", "姓名", true},
    {"id_number", "身份证号", false},
    {"birth_date", "出生日期", false},
    {"gender", "性别", false},
    {"phone", "电话", false},
    {"address", "住址", false},
    {"case_ref", "案号", false},
    {"incident_date", "案发日期", false},
    {"crime", "案由", false},
    {"aid_type", "救助类型", true},
    {"amount_yuan", "金额", false},
    {"granted_on", "救助日期", true},
};

const csv::Column& InfoOf(Column c) { return kColumns[static_cast<size_t>(c)]; }

absl::Status FieldError(Column c, absl::string_view chinese, absl::string_view english) {
  const csv::Column& info = InfoOf(c);
  return WithFields(
      absl::InvalidArgumentError(absl::StrCat(info.chinese, chinese, " / ", info.english, english)),
      {info.english});
}

absl::Status FieldError(Column c, absl::string_view chinese, absl::string_view english,
                        absl::string_view value) {
  return FieldError(c, chinese, absl::StrCat(english, ": '", value, "'"));
}

// ---------------------------------------------------------------------------
// Field values

bool DigitsOnly(absl::string_view s) {
  return !s.empty() && std::ranges::all_of(s, [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Splits a date into its year, month and day; false if no format fits.
bool SplitDate(absl::string_view s, std::vector<absl::string_view>* parts) {
  if (s.size() == 8 && DigitsOnly(s)) {
    *parts = {s.substr(0, 4), s.substr(4, 2), s.substr(6, 2)};
    return true;
  }
  if (absl::ConsumeSuffix(&s, "日")) {
    std::vector<absl::string_view> year_rest = absl::StrSplit(s, "年");
    if (year_rest.size() != 2) return false;
    std::vector<absl::string_view> month_day = absl::StrSplit(year_rest[1], "月");
    if (month_day.size() != 2) return false;
    *parts = {year_rest[0], month_day[0], month_day[1]};
  } else if (s.size() > 4 && (s[4] == '-' || s[4] == '/' || s[4] == '.')) {
    *parts = absl::StrSplit(s, s[4]);
    if (parts->size() != 3) return false;
  } else {
    return false;
  }
  return (*parts)[0].size() == 4 && (*parts)[1].size() <= 2 && (*parts)[2].size() <= 2;
}

// YYYY-MM-DD, or nullopt if `s` is no real date in an accepted format.
std::optional<std::string> ParseDate(absl::string_view s) {
  std::vector<absl::string_view> parts;
  if (!SplitDate(s, &parts) || !std::ranges::all_of(parts, DigitsOnly)) {
    return std::nullopt;
  }
  int year = 0;
  int month = 0;
  int day = 0;
  if (!absl::SimpleAtoi(parts[0], &year) || !absl::SimpleAtoi(parts[1], &month) ||
      !absl::SimpleAtoi(parts[2], &day) || year < 1 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  return absl::StrCat(absl::Dec(year, absl::kZeroPad4), "-", absl::Dec(month, absl::kZeroPad2), "-",
                      absl::Dec(day, absl::kZeroPad2));
}

// Decimal yuan with at most two places, thousands separators ',' or '，' and
// a trailing 元 allowed, as 分. `text` is trimmed.
absl::StatusOr<int64_t> ParseFen(absl::string_view text) {
  constexpr Column kCol = Column::kAmountYuan;
  constexpr int64_t kMaxYuan = 1'000'000'000'000'000;  // keeps 分 in int64
  absl::string_view whole = text;
  if (absl::ConsumeSuffix(&whole, "元")) whole = Trim(whole);
  absl::string_view fraction;
  const size_t dot = whole.find('.');
  if (dot != absl::string_view::npos) {
    fraction = whole.substr(dot + 1);
    whole = whole.substr(0, dot);
  }
  const std::string separated = absl::StrReplaceAll(whole, {{"，", ","}});
  const std::vector<absl::string_view> groups = absl::StrSplit(separated, ',');
  if (!std::ranges::all_of(groups, DigitsOnly) ||
      (dot != absl::string_view::npos && !DigitsOnly(fraction))) {
    return FieldError(kCol, "不是数字", " is not a number", text);
  }
  if (fraction.size() > 2) {
    return FieldError(kCol, "最多两位小数", " has more than 2 decimal places", text);
  }
  for (size_t i = 1; i < groups.size(); ++i) {
    if (groups[0].size() > 3 || groups[i].size() != 3) {
      return FieldError(kCol, "的千位分隔符位置不对", " has misplaced thousands separators", text);
    }
  }
  int64_t yuan = 0;
  for (absl::string_view group : groups) {
    for (char c : group) {
      yuan = yuan * 10 + (c - '0');
      if (yuan > kMaxYuan) {
        return FieldError(kCol, "过大", " is too large", text);
      }
    }
  }
  int64_t fen = 0;
  for (size_t i = 0; i < 2; ++i) {
    fen = fen * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  return yuan * 100 + fen;
}

// Sets r->amount_fen from `text` (trimmed), which money aid requires.
absl::Status ReadAmount(absl::string_view text, AidRecord* r) {
  constexpr Column kCol = Column::kAmountYuan;
  const bool money = r->aid_type == AidType::kMoney;
  if (text.empty()) {
    return money ? FieldError(kCol, "为空（资金救助必填）", " is empty (required for money aid)")
                 : absl::OkStatus();
  }
  absl::StatusOr<int64_t> fen = ParseFen(text);
  if (!fen.ok()) return fen.status();
  if (money && *fen == 0) {
    return FieldError(kCol, "须大于零（资金救助）", " must be greater than 0 for money aid", text);
  }
  r->amount_fen = *fen;
  return absl::OkStatus();
}

// "M", "F" or "" from 男/M/male, 女/F/female or nothing.
absl::StatusOr<std::string> ParseGender(absl::string_view s) {
  if (s.empty()) return std::string();
  if (s == "男" || absl::EqualsIgnoreCase(s, "m") || absl::EqualsIgnoreCase(s, "male")) {
    return std::string("M");
  }
  if (s == "女" || absl::EqualsIgnoreCase(s, "f") || absl::EqualsIgnoreCase(s, "female")) {
    return std::string("F");
  }
  return FieldError(Column::kGender, "应为男或女", " is not 男/M/male or 女/F/female", s);
}

// The accepted aid types, for the message of an unknown one.
std::string AidTypeList(const char* (*name)(AidType), const char* separator) {
  return absl::StrJoin(kAidTypes, separator,
                       [name](std::string* out, AidType t) { out->append(name(t)); });
}

// ---------------------------------------------------------------------------
// Rows to records

class AidCsvParser {
 public:
  explicit AidCsvParser(const csv::Table& table) : table_(table) {}

  // Adds the row's record, or its errors.
  void ReadRow(const csv::Row& row, AidCsvResult* result) {
    const size_t errors_before = result->errors.size();
    auto fail = [&](std::string reason, Column c) {
      result->errors.push_back(CsvError{row.line, std::move(reason), {InfoOf(c).english}});
    };
    auto check = [&](const absl::Status& status) {
      if (status.ok()) return;
      result->errors.push_back(CsvError{row.line, std::string(status.message()), FieldsOf(status)});
    };
    if (absl::Status usable = table_.Check(row); !usable.ok()) return check(usable);
    AidRecord r;
    r.line = row.line;
    r.record_id = std::string(Field(row, Column::kRecordId));
    r.agency = std::string(Field(row, Column::kAgency));
    r.name = std::string(Field(row, Column::kName));
    r.id_number = std::string(Field(row, Column::kIdNumber));
    r.phone = std::string(Field(row, Column::kPhone));
    r.address = std::string(Field(row, Column::kAddress));
    r.crime = std::string(Field(row, Column::kCrime));
    const absl::string_view refs = Field(row, Column::kCaseRef);
    r.case_refs = SplitCaseRefs(std::string_view(refs.data(), refs.size()));

    for (Column c : {Column::kRecordId, Column::kName, Column::kAidType, Column::kGrantedOn}) {
      if (Field(row, c).empty()) check(FieldError(c, "为空", " is empty"));
    }
    if (!r.record_id.empty()) {
      auto [first, inserted] = first_line_.emplace(r.record_id, row.line);
      if (!inserted) {
        fail(absl::StrCat("记录编号与第 ", first->second, " 行重复 / record_id '", r.record_id,
                          "' already on line ", first->second),
             Column::kRecordId);
      }
    }
    const absl::string_view aid_type = Field(row, Column::kAidType);
    r.aid_type = ParseAidType(std::string(aid_type));
    if (!aid_type.empty() && r.aid_type == AidType::kUnknown) {
      fail(absl::StrCat("救助类型无法识别（可用：", AidTypeList(AidTypeChineseName, "、"),
                        "） / unknown aid_type: '", aid_type,
                        "' (accepted: ", AidTypeList(AidTypeName, ", "), ")"),
           Column::kAidType);
    }
    check(ReadAmount(Field(row, Column::kAmountYuan), &r));
    for (auto [column, member] : {std::pair{Column::kBirthDate, &AidRecord::birth_date},
                                  std::pair{Column::kIncidentDate, &AidRecord::incident_date},
                                  std::pair{Column::kGrantedOn, &AidRecord::granted_on}}) {
      const absl::string_view text = Field(row, column);
      if (text.empty()) continue;
      if (std::optional<std::string> iso = ParseDate(text)) {
        r.*member = std::move(*iso);
      } else {
        check(FieldError(column, "不是有效日期",
                         " is not a valid date (YYYY-MM-DD, "
                         "YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD or YYYY年M月D日)",
                         text));
      }
    }
    absl::StatusOr<std::string> gender = ParseGender(Field(row, Column::kGender));
    if (gender.ok()) {
      r.gender = *std::move(gender);
    } else {
      check(gender.status());
    }
    if (result->errors.size() == errors_before) {
      result->records.push_back(std::move(r));
    } else if (!r.record_id.empty()) {
      result->bad_record_ids.emplace(row.line, r.record_id);
    }
  }

 private:
  // The trimmed field of `column`, or "" if the file has no such column.
  absl::string_view Field(const csv::Row& row, Column column) const {
    return table_.Field(row, static_cast<size_t>(column));
  }

  const csv::Table& table_;
  std::unordered_map<std::string, int> first_line_;  // record_id -> line
};

}  // namespace

std::vector<std::string> SplitCaseRefs(std::string_view s) {
  std::vector<std::string> refs;
  const std::string separated =
      absl::StrReplaceAll(absl::string_view(s.data(), s.size()), {{"；", ";"}});
  for (absl::string_view ref : absl::StrSplit(separated, ';')) {
    ref = Trim(ref);
    if (!ref.empty()) refs.emplace_back(ref);
  }
  return refs;
}

absl::StatusOr<AidColumnMap> ParseAidColumnMap(std::string_view text) {
  const std::string t =
      absl::StrReplaceAll(absl::string_view(text.data(), text.size()), {{"，", ","}, {"＝", "="}});
  AidColumnMap map;
  for (absl::string_view pair : absl::StrSplit(t, ',', absl::SkipWhitespace())) {
    const size_t eq = pair.find('=');
    if (eq == absl::string_view::npos)
      return absl::InvalidArgumentError(
          absl::StrCat("列映射须为 字段=表头：", pair, " / a column map entry is field=header"));
    const std::string field = absl::AsciiStrToLower(Trim(pair.substr(0, eq)));
    const std::string header(Trim(pair.substr(eq + 1)));
    const auto known = std::find_if(std::begin(kColumns), std::end(kColumns),
                                    [&](const csv::Column& c) { return field == c.english; });
    if (known == std::end(kColumns) || header.empty()) {
      std::vector<std::string> names;
      for (const auto& c : kColumns) names.push_back(c.english);
      return absl::InvalidArgumentError(
          absl::StrCat("列映射的字段未知或表头为空：", pair, "（可用：", absl::StrJoin(names, ", "),
                       "）/ unknown field or empty header in the column map"));
    }
    for (const auto& [f, h] : map)
      if (f == field)
        return absl::InvalidArgumentError(
            absl::StrCat("字段 ", field, " 映射了两次 / field ", field, " mapped twice"));
    map.emplace_back(field, header);
  }
  return map;
}

std::string DescribeAidColumnMap(const AidColumnMap& map) {
  std::vector<std::string> parts;
  for (const auto& [field, header] : map) {
    const std::string& name = field;  // clang before 16 captures no structured binding
    const auto c = std::find_if(std::begin(kColumns), std::end(kColumns),
                                [&](const csv::Column& k) { return name == k.english; });
    parts.push_back(absl::StrCat(header, " -> ", field, "（",
                                 c == std::end(kColumns) ? "?" : c->chinese, "）"));
  }
  return absl::StrJoin(parts, ", ");
}

absl::StatusOr<AidCsvResult> ParseAidCsv(std::string_view bytes, const AidColumnMap& map) {
  // The columns, with each mapped field read from the file's own header.
  std::vector<csv::Column> columns(std::begin(kColumns), std::end(kColumns));
  for (const auto& [field, header] : map)
    for (auto& c : columns)
      if (field == c.english) {
        c.chinese = header.c_str();
        c.chinese_alias = nullptr;
      }
  absl::StatusOr<csv::Table> table =
      csv::Table::Parse(absl::string_view(bytes.data(), bytes.size()), columns);
  if (!table.ok()) return table.status();
  for (size_t i = 0; i < columns.size(); ++i)
    for (const auto& [field, header] : map)
      if (field == columns[i].english && !table->Has(i))
        return absl::InvalidArgumentError(absl::StrCat("列映射的表头“", header,
                                                       "”不在文件中 / the mapped header ", header,
                                                       " is not in the file"));
  AidCsvResult result;
  result.encoding = table->encoding();
  AidCsvParser parser(*table);
  csv::Row row;
  while (table->Next(&row)) parser.ReadRow(row, &result);
  return result;
}

absl::StatusOr<AidCsvResult> ReadAidCsvFile(const std::string& path, const AidColumnMap& map) {
  auto errno_status = [&path](const char* what) {
    const int error = errno;
    return absl::Status(absl::ErrnoToStatusCode(error),
                        absl::StrCat(what, " ", path, ": ", std::strerror(error)));
  };
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "rb"),
                                                          &std::fclose);
  if (file == nullptr) return errno_status("无法打开 / cannot open");
  std::string bytes;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    bytes.append(buffer, n);
  }
  if (std::ferror(file.get())) return errno_status("无法读取 / cannot read");
  return ParseAidCsv(bytes, map);
}

absl::StatusOr<CaseLinksCsv> ParseCaseLinksCsv(std::string_view bytes) {
  static constexpr csv::Column kColumns[] = {
      {"case_ref_a", "案号甲", true, "案号1"},
      {"case_ref_b", "案号乙", true, "案号2"},
  };
  auto table = csv::Table::Parse(absl::string_view(bytes.data(), bytes.size()), kColumns);
  if (!table.ok()) return table.status();
  CaseLinksCsv out;
  out.encoding = table->encoding();
  auto refuse = [&](int line, std::string reason, const char* field) {
    CsvError e;
    e.line = line;
    e.reason = std::move(reason);
    if (field) e.fields.push_back(field);
    out.errors.push_back(std::move(e));
  };
  csv::Row row;
  while (table->Next(&row)) {
    if (auto st = table->Check(row); !st.ok()) {
      refuse(row.line, std::string(st.message()), nullptr);
      continue;
    }
    const std::string a(table->Field(row, 0)), b(table->Field(row, 1));
    if (a.empty() || b.empty()) {
      refuse(row.line, "缺少案号 / a case number is missing",
             a.empty() ? "case_ref_a" : "case_ref_b");
      continue;
    }
    if (NormalizeCaseRef(a) == NormalizeCaseRef(b)) {
      refuse(row.line, absl::StrCat("两个案号相同 / the same number twice: ", a), "case_ref_b");
      continue;
    }
    out.pairs.emplace_back(a, b);
  }
  return out;
}

absl::StatusOr<CaseLinksCsv> ReadCaseLinksFile(const std::string& path) {
  auto bytes = ReadFileToString(path);
  if (!bytes.ok()) return bytes.status();
  auto r = ParseCaseLinksCsv(*bytes);
  if (!r.ok())
    return absl::Status(r.status().code(), absl::StrCat(path, ": ", r.status().message()));
  return r;
}

}  // namespace concord::aid
