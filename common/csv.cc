#include "common/csv.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "unicode/ucnv.h"
#include "unicode/ustring.h"
#include "unicode/utf8.h"

namespace concord::csv {
namespace {

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

bool IsBlank(const Row& row) {
  for (const std::string& f : row.fields) {
    if (!Trim(f).empty()) return false;
  }
  return row.error.empty();
}

}  // namespace

// ---------------------------------------------------------------------------
// CSV (RFC 4180)

// Splits UTF-8 text, which it owns, into rows. A line end is CRLF, LF or a
// lone CR.
class Tokenizer {
 public:
  explicit Tokenizer(std::string text) : storage_(std::move(text)), text_(storage_) {}
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // OK, or InvalidArgument naming the line of a quote that is never closed
  // (every later line would become part of that field). Reads the whole
  // text, then starts again from its beginning.
  absl::Status CheckQuotesClosed() {
    Row row;
    while (Next(&row)) {
    }
    const int opened = unclosed_quote_line_;
    pos_ = 0;
    line_ = 1;
    unclosed_quote_line_ = 0;
    if (opened == 0) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        "第 ", opened,
        " 行的引号未闭合，其后各行都会并入该字段，整个文件无法使用 / the quote opened on line ",
        opened,
        " is never closed: every later line would become part of that field, so the file cannot be "
        "used"));
  }

  // Reads the next row; false at the end of the text.
  bool Next(Row* row) {
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
  std::string ReadField(Row* row) {
    SkipBlanks();
    if (pos_ >= text_.size() || text_[pos_] != '"') {
      const size_t start = pos_;
      while (!AtFieldEnd()) ++pos_;
      return std::string(absl::StripTrailingAsciiWhitespace(text_.substr(start, pos_ - start)));
    }
    ++pos_;
    const int opened = line_;
    std::string field;
    for (;;) {
      if (pos_ >= text_.size()) {
        row->error = "引号未闭合 / unterminated quoted field";
        unclosed_quote_line_ = opened;
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

  const std::string storage_;
  const absl::string_view text_;  // storage_; the Tokenizer never moves
  size_t pos_ = 0;
  int line_ = 1;
  int unclosed_quote_line_ = 0;  // where a quote left open at the end opened
};

// ---------------------------------------------------------------------------
// Table

Table::Table() = default;
Table::Table(Table&&) noexcept = default;
Table& Table::operator=(Table&&) noexcept = default;
Table::~Table() = default;

absl::StatusOr<Table> Table::Parse(absl::string_view bytes, std::span<const Column> columns) {
  absl::StatusOr<Decoded> decoded = Decode(bytes);
  if (!decoded.ok()) return decoded.status();
  Table table;
  table.columns_ = columns;
  table.encoding_ = std::move(decoded->encoding);
  table.tokenizer_ = std::make_unique<Tokenizer>(std::move(decoded->text));
  if (absl::Status quotes = table.tokenizer_->CheckQuotesClosed(); !quotes.ok()) return quotes;
  Row row;
  while (table.tokenizer_->Next(&row)) {
    if (IsBlank(row)) continue;
    if (absl::Status header = table.ReadHeader(row); !header.ok()) return header;
    return table;
  }
  return absl::InvalidArgumentError("文件没有表头 / the file has no header row");
}

bool Table::Next(Row* row) {
  while (tokenizer_->Next(row)) {
    if (!IsBlank(*row)) return true;
  }
  return false;
}

absl::Status Table::ReadHeader(const Row& row) {
  if (!row.error.empty()) {
    const std::pair<std::string, std::string> reason =
        absl::StrSplit(row.error, absl::MaxSplits(" / ", 1));
    return absl::InvalidArgumentError(absl::StrCat("第 ", row.line, " 行表头格式有误：",
                                                   reason.first, " / malformed header on line ",
                                                   row.line, ": ", reason.second));
  }
  index_.assign(columns_.size(), -1);
  width_ = row.fields.size();
  for (size_t i = 0; i < width_; ++i) {
    const absl::string_view name = Trim(row.fields[i]);
    for (size_t c = 0; c < columns_.size(); ++c) {
      const Column& column = columns_[c];
      if (!absl::EqualsIgnoreCase(name, column.english) && name != column.chinese &&
          (column.chinese_alias == nullptr || name != column.chinese_alias)) {
        continue;
      }
      int& index = index_[c];
      if (index >= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "列“", column.chinese, "”重复（第 ", index + 1, " 列和第 ", i + 1, " 列） / column ",
            column.english, " appears twice (columns ", index + 1, " and ", i + 1, ")"));
      }
      index = static_cast<int>(i);
      break;
    }
  }
  std::vector<std::string> chinese;
  std::vector<std::string> english;
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (columns_[c].required && index_[c] < 0) {
      chinese.push_back(columns_[c].chinese);
      english.push_back(columns_[c].english);
    }
  }
  if (!chinese.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("缺少必需的列：", absl::StrJoin(chinese, "、"),
                     " / missing required columns: ", absl::StrJoin(english, ", ")));
  }
  return absl::OkStatus();
}

absl::Status Table::Check(const Row& row) const {
  if (!row.error.empty()) return absl::InvalidArgumentError(row.error);
  if (row.fields.size() != width_) {
    return absl::InvalidArgumentError(absl::StrCat("字段数不对：应为 ", width_, " 个，实为 ",
                                                   row.fields.size(), " 个 / expected ", width_,
                                                   " fields, found ", row.fields.size()));
  }
  return absl::OkStatus();
}

absl::string_view Table::Field(const Row& row, size_t column) const {
  const int index = index_[column];
  return index < 0 || static_cast<size_t>(index) >= row.fields.size() ? absl::string_view()
                                                                      : Trim(row.fields[index]);
}

absl::string_view Trim(absl::string_view s) {
  constexpr absl::string_view kIdeographicSpace = "\xE3\x80\x80";
  for (;;) {
    s = absl::StripAsciiWhitespace(s);
    const bool front = absl::ConsumePrefix(&s, kIdeographicSpace);
    const bool back = absl::ConsumeSuffix(&s, kIdeographicSpace);
    if (!front && !back) return s;
  }
}

std::string Quote(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace concord::csv
