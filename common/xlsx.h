// WriteXlsx: a small .xlsx writer (Office Open XML, SpreadsheetML) for the
// reports clerks open in Excel or WPS: sheets of text and numbers, the text
// as inline strings, the parts stored uncompressed in a ZIP. No styles, no
// formulas: a table of figures, as the monthly report needs.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace concord {

struct XlsxCell {
  std::string text;
  bool number = false;  // `text` is a number ("12", "0.85"): written as one
  static XlsxCell Text(std::string s) { return {std::move(s), false}; }
  static XlsxCell Number(std::string s) { return {std::move(s), true}; }
};

struct XlsxSheet {
  std::string name;  // at most 31 characters; []:*?/\ are replaced
  std::vector<std::vector<XlsxCell>> rows;
};

// The bytes of the .xlsx file.
std::string WriteXlsx(const std::vector<XlsxSheet>& sheets);

// The ZIP container underneath (stored entries, CRC-32), exposed for tests.
struct ZipEntry {
  std::string name, data;
};
std::string WriteZip(const std::vector<ZipEntry>& entries);
uint32_t Crc32(std::string_view data);

}  // namespace concord
