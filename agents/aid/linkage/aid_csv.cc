#include "agents/aid/linkage/aid_csv.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>
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
#include "unicode/ucnv.h"
#include "unicode/ustring.h"
#include "unicode/utf8.h"

namespace concord::aid {
namespace {

// Debian's abseil has its own string_view (not std::string_view), so inside
// this file text is absl::string_view throughout.

// ---------------------------------------------------------------------------
// Encoding

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool IsUtf8(absl::string_view bytes) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const auto n = static_cast<int32_t>(bytes.size());
  int32_t i = 0;
  while (i < n) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) return false;
  }
  return true;
}

// InvalidArgument if `bytes` is not well-formed GB18030.
absl::StatusOr<std::string> Gb18030ToUtf8(absl::string_view bytes) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> cnv(ucnv_open("GB18030", &status),
                                                         &ucnv_close);
  if (U_FAILURE(status)) {
    return absl::InternalError(
        absl::StrCat("ICU 无法打开 GB18030 转换器 / ICU cannot open the GB18030 "
                     "converter: ",
                     u_errorName(status)));
  }
  ucnv_setToUCallBack(cnv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  // A GB18030 sequence of k bytes gives at most k UTF-16 units.
  std::u16string utf16(bytes.size(), u'\0');
  const int32_t units = ucnv_toUChars(cnv.get(), utf16.data(), static_cast<int32_t>(utf16.size()),
                                      bytes.data(), static_cast<int32_t>(bytes.size()), &status);
  if (U_FAILURE(status)) {
    return absl::InvalidArgumentError(u_errorName(status));
  }
  // A UTF-16 unit gives at most 3 UTF-8 bytes.
  std::string utf8(static_cast<size_t>(units) * 3, '\0');
  int32_t length = 0;
  u_strToUTF8(utf8.data(), static_cast<int32_t>(utf8.size()), &length, utf16.data(), units,
              &status);
  if (U_FAILURE(status)) {
    return absl::InvalidArgumentError(u_errorName(status));
  }
  utf8.resize(static_cast<size_t>(length));
  return utf8;
}

struct Decoded {
  std::string text;  // UTF-8 without a byte-order mark
  std::string encoding;
};

absl::StatusOr<Decoded> Decode(absl::string_view bytes) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return absl::InvalidArgumentError("文件超过 2 GiB / the file is over 2 GiB");
  }
  if (bytes.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "文件含有 NUL 字节（UTF-16 或非文本文件？），请另存为 UTF-8 或 GB18030 / "
        "the file contains NUL bytes (UTF-16 or not text?); save it as UTF-8 "
        "or GB18030");
  }
  if (absl::ConsumePrefix(&bytes, kUtf8Bom)) {
    if (!IsUtf8(bytes)) {
      return absl::InvalidArgumentError(
          "文件以 UTF-8 BOM 开头但内容不是有效的 UTF-8 / the file starts with a "
          "UTF-8 byte-order mark but is not valid UTF-8");
    }
    return Decoded{std::string(bytes), "UTF-8 with BOM"};
  }
  if (IsUtf8(bytes)) return Decoded{std::string(bytes), "UTF-8"};
  absl::StatusOr<std::string> text = Gb18030ToUtf8(bytes);
  if (absl::IsInvalidArgument(text.status())) {
    return absl::InvalidArgumentError(
        "文件编码无法识别，应为 UTF-8 或 GB18030 / the file is neither UTF-8 nor "
        "GB18030");
  }
  if (!text.ok()) return text.status();
  absl::string_view body = *text;
  absl::ConsumePrefix(&body, kUtf8Bom);  // GB18030's own mark, now U+FEFF
  return Decoded{std::string(body), "GB18030"};
}

// ---------------------------------------------------------------------------
// CSV (RFC 4180)

struct CsvRow {
  int line = 0;                     // physical line where the row starts
  std::vector<std::string> fields;  // unquoted; unquoted fields trimmed
  std::string error;                // malformed quoting, "中文 / English"
};

// Splits UTF-8 text into rows. A line end is CRLF, LF or a lone CR.
class CsvTokenizer {
 public:
  explicit CsvTokenizer(absl::string_view text) : text_(text) {}

  // Reads the next row; false at the end of the text.
  bool Next(CsvRow* row) {
    if (pos_ >= text_.size()) return false;
    row->line = line_;
    row->fields.clear();
    row->error.clear();
    for (;;) {
      row->fields.push_back(ReadField(row));
      if (!row->error.empty()) return true;
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      SkipLineEnd();
      return true;
    }
  }

 private:
  bool AtLineEnd() const {
    return pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r');
  }

  bool AtFieldEnd() const { return pos_ >= text_.size() || text_[pos_] == ',' || AtLineEnd(); }

  // Consumes one line end (if there is one), appending it to `out` if given.
  void SkipLineEnd(std::string* out = nullptr) {
    if (!AtLineEnd()) return;
    size_t length =
        text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n' ? 2 : 1;
    if (out != nullptr) out->append(text_.data() + pos_, length);
    pos_ += length;
    ++line_;
  }

  void SkipBlanks() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  // Reads one field and leaves pos_ on the ',' or line end after it. On
  // malformed quoting sets row->error and skips to the end of the line.
  std::string ReadField(CsvRow* row) {
    SkipBlanks();
    if (pos_ >= text_.size() || text_[pos_] != '"') {
      const size_t start = pos_;
      while (!AtFieldEnd()) ++pos_;
      return std::string(absl::StripTrailingAsciiWhitespace(text_.substr(start, pos_ - start)));
    }
    ++pos_;
    std::string field;
    for (;;) {
      if (pos_ >= text_.size()) {
        row->error = "引号未闭合 / unterminated quoted field";
        return field;
      }
      if (AtLineEnd()) {
        SkipLineEnd(&field);
      } else if (text_[pos_] != '"') {
        field += text_[pos_++];
      } else if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        field += '"';
        pos_ += 2;
      } else {
        ++pos_;
        break;
      }
    }
    SkipBlanks();
    if (!AtFieldEnd()) {
      row->error = "右引号后还有内容 / text after a closing quote";
      while (pos_ < text_.size() && !AtLineEnd()) ++pos_;
      SkipLineEnd();
    }
    return field;
  }

  absl::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

// ASCII whitespace and the ideographic space U+3000 at either end.
absl::string_view Trim(absl::string_view s) {
  constexpr absl::string_view kIdeographicSpace = "\xE3\x80\x80";
  for (;;) {
    s = absl::StripAsciiWhitespace(s);
    const bool front = absl::ConsumePrefix(&s, kIdeographicSpace);
    const bool back = absl::ConsumeSuffix(&s, kIdeographicSpace);
    if (!front && !back) return s;
  }
}

bool IsBlank(const CsvRow& row) {
  for (const std::string& f : row.fields) {
    if (!Trim(f).empty()) return false;
  }
  return row.error.empty();
}

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

struct ColumnInfo {
  const char* english;
  const char* chinese;
  bool required;
};

// Indexed by Column.
constexpr ColumnInfo kColumns[] = {
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
constexpr size_t kColumnCount = std::size(kColumns);

const ColumnInfo& InfoOf(Column c) { return kColumns[static_cast<size_t>(c)]; }

std::optional<Column> FindColumn(absl::string_view header) {
  header = Trim(header);
  for (size_t i = 0; i < kColumnCount; ++i) {
    if (absl::EqualsIgnoreCase(header, kColumns[i].english) || header == kColumns[i].chinese) {
      return static_cast<Column>(i);
    }
  }
  return std::nullopt;
}

absl::Status FieldError(Column c, absl::string_view chinese, absl::string_view english) {
  const ColumnInfo& info = InfoOf(c);
  return absl::InvalidArgumentError(
      absl::StrCat(info.chinese, chinese, " / ", info.english, english));
}

absl::Status FieldError(Column c, absl::string_view chinese, absl::string_view english,
                        absl::string_view value) {
  return FieldError(c, chinese, absl::StrCat(english, ": '", value, "'"));
}

// ---------------------------------------------------------------------------
// Field values

bool AllDigits(absl::string_view s) {
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
  if (s.size() == 8 && AllDigits(s)) {
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
  if (!SplitDate(s, &parts) || !std::ranges::all_of(parts, AllDigits)) {
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
  if (!std::ranges::all_of(groups, AllDigits) ||
      (dot != absl::string_view::npos && !AllDigits(fraction))) {
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

std::vector<std::string> SplitCaseRefs(absl::string_view s) {
  std::vector<std::string> refs;
  const std::string separated = absl::StrReplaceAll(s, {{"；", ";"}});
  for (absl::string_view ref : absl::StrSplit(separated, ';')) {
    ref = Trim(ref);
    if (!ref.empty()) refs.emplace_back(ref);
  }
  return refs;
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
  // Reads the header; a whole-file error if it is unusable.
  absl::Status ReadHeader(const CsvRow& row) {
    if (!row.error.empty()) {
      const std::pair<std::string, std::string> reason =
          absl::StrSplit(row.error, absl::MaxSplits(" / ", 1));
      return absl::InvalidArgumentError(absl::StrCat("第 ", row.line, " 行表头格式有误：",
                                                     reason.first, " / malformed header on line ",
                                                     row.line, ": ", reason.second));
    }
    index_.fill(-1);
    width_ = row.fields.size();
    for (size_t i = 0; i < width_; ++i) {
      std::optional<Column> column = FindColumn(row.fields[i]);
      if (!column.has_value()) continue;
      int& index = index_[static_cast<size_t>(*column)];
      if (index >= 0) {
        const ColumnInfo& info = InfoOf(*column);
        return absl::InvalidArgumentError(absl::StrCat(
            "列“", info.chinese, "”重复（第 ", index + 1, " 列和第 ", i + 1, " 列） / column ",
            info.english, " appears twice (columns ", index + 1, " and ", i + 1, ")"));
      }
      index = static_cast<int>(i);
    }
    std::vector<std::string> chinese;
    std::vector<std::string> english;
    for (size_t c = 0; c < kColumnCount; ++c) {
      if (kColumns[c].required && index_[c] < 0) {
        chinese.push_back(kColumns[c].chinese);
        english.push_back(kColumns[c].english);
      }
    }
    if (!chinese.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("缺少必需的列：", absl::StrJoin(chinese, "、"),
                       " / missing required columns: ", absl::StrJoin(english, ", ")));
    }
    return absl::OkStatus();
  }

  // Adds the row's record, or its errors.
  void ReadRow(const CsvRow& row, AidCsvResult* result) {
    const size_t errors_before = result->errors.size();
    auto fail = [&](std::string reason) {
      result->errors.push_back(CsvError{row.line, std::move(reason)});
    };
    auto check = [&](const absl::Status& status) {
      if (!status.ok()) fail(std::string(status.message()));
    };
    if (!row.error.empty()) return fail(row.error);
    if (row.fields.size() != width_) {
      return fail(absl::StrCat("字段数不对：应为 ", width_, " 个，实为 ", row.fields.size(),
                               " 个 / expected ", width_, " fields, found ", row.fields.size()));
    }
    AidRecord r;
    r.line = row.line;
    r.record_id = std::string(Field(row, Column::kRecordId));
    r.agency = std::string(Field(row, Column::kAgency));
    r.name = std::string(Field(row, Column::kName));
    r.id_number = std::string(Field(row, Column::kIdNumber));
    r.phone = std::string(Field(row, Column::kPhone));
    r.address = std::string(Field(row, Column::kAddress));
    r.crime = std::string(Field(row, Column::kCrime));
    r.case_refs = SplitCaseRefs(Field(row, Column::kCaseRef));

    for (Column c : {Column::kRecordId, Column::kName, Column::kAidType, Column::kGrantedOn}) {
      if (Field(row, c).empty()) check(FieldError(c, "为空", " is empty"));
    }
    if (!r.record_id.empty()) {
      auto [first, inserted] = first_line_.emplace(r.record_id, row.line);
      if (!inserted) {
        fail(absl::StrCat("记录编号与第 ", first->second, " 行重复 / record_id '", r.record_id,
                          "' already on line ", first->second));
      }
    }
    const absl::string_view aid_type = Field(row, Column::kAidType);
    r.aid_type = ParseAidType(std::string(aid_type));
    if (!aid_type.empty() && r.aid_type == AidType::kUnknown) {
      fail(absl::StrCat("救助类型无法识别（可用：", AidTypeList(AidTypeChineseName, "、"),
                        "） / unknown aid_type: '", aid_type,
                        "' (accepted: ", AidTypeList(AidTypeName, ", "), ")"));
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
    }
  }

 private:
  // The trimmed field of `column`, or "" if the file has no such column.
  absl::string_view Field(const CsvRow& row, Column column) const {
    const int index = index_[static_cast<size_t>(column)];
    return index < 0 ? absl::string_view() : Trim(row.fields[index]);
  }

  std::array<int, kColumnCount> index_{};            // field index of each Column, or -1
  size_t width_ = 0;                                 // number of header fields
  std::unordered_map<std::string, int> first_line_;  // record_id -> line
};

}  // namespace

absl::StatusOr<AidCsvResult> ParseAidCsv(std::string_view bytes) {
  absl::StatusOr<Decoded> decoded = Decode(absl::string_view(bytes.data(), bytes.size()));
  if (!decoded.ok()) return decoded.status();
  AidCsvResult result;
  result.encoding = std::move(decoded->encoding);

  AidCsvParser parser;
  CsvTokenizer tokenizer(decoded->text);
  CsvRow row;
  bool have_header = false;
  while (tokenizer.Next(&row)) {
    if (IsBlank(row)) continue;
    if (!have_header) {
      absl::Status header = parser.ReadHeader(row);
      if (!header.ok()) return header;
      have_header = true;
      continue;
    }
    parser.ReadRow(row, &result);
  }
  if (!have_header) {
    return absl::InvalidArgumentError("文件没有表头 / the file has no header row");
  }
  return result;
}

absl::StatusOr<AidCsvResult> ReadAidCsvFile(const std::string& path) {
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
  return ParseAidCsv(bytes);
}

}  // namespace concord::aid
