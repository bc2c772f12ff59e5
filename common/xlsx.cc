#include "common/xlsx.h"

#include <array>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/html_template.h"

namespace concord {

namespace {

void Put16(std::string& out, uint16_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>(v >> 8);
}
void Put32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// HtmlEscape's entities, without the control characters
// (other than tab and line breaks) that XML does not allow.
std::string XmlEscape(std::string_view s) {
  std::string kept;
  kept.reserve(s.size());
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') kept += c;
  return HtmlEscape(kept);
}

// "A", ..., "Z", "AA", ...
std::string Column(size_t i) {
  std::string s;
  ++i;
  while (i > 0) {
    s.insert(s.begin(), static_cast<char>('A' + (i - 1) % 26));
    i = (i - 1) / 26;
  }
  return s;
}

std::string SheetName(const std::string& name, size_t index) {
  std::string out;
  for (char c : name)
    out += std::string_view("[]:*?/\\").find(c) == std::string_view::npos ? c : '_';
  if (out.empty()) out = absl::StrCat("Sheet", index + 1);
  // 31 characters at most, counted in UTF-8 code points.
  size_t chars = 0, cut = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if ((static_cast<unsigned char>(out[i]) & 0xC0) != 0x80) {
      if (chars == 31) {
        cut = i;
        break;
      }
      ++chars;
    }
  }
  if (cut) out.resize(cut);
  return out;
}

std::string SheetXml(const XlsxSheet& sheet) {
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>";
  for (size_t r = 0; r < sheet.rows.size(); ++r) {
    absl::StrAppend(&x, "<row r=\"", r + 1, "\">");
    for (size_t c = 0; c < sheet.rows[r].size(); ++c) {
      const XlsxCell& cell = sheet.rows[r][c];
      const std::string ref = absl::StrCat(Column(c), r + 1);
      if (cell.number)
        absl::StrAppend(&x, "<c r=\"", ref, "\"><v>", XmlEscape(cell.text), "</v></c>");
      else
        absl::StrAppend(&x, "<c r=\"", ref, "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">",
                        XmlEscape(cell.text), "</t></is></c>");
    }
    x += "</row>";
  }
  x += "</sheetData></worksheet>";
  return x;
}

}  // namespace

uint32_t Crc32(std::string_view data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : data) crc = table[(crc ^ b) & 0xff] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string WriteZip(const std::vector<ZipEntry>& entries) {
  constexpr uint16_t kDosTime = 0, kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01
  constexpr uint16_t kUtf8Names = 1 << 11;
  std::string out, central;
  for (const ZipEntry& e : entries) {
    const uint32_t offset = static_cast<uint32_t>(out.size());
    const uint32_t crc = Crc32(e.data);
    const uint32_t size = static_cast<uint32_t>(e.data.size());
    Put32(out, 0x04034b50);  // local file header
    Put16(out, 20);          // version needed
    Put16(out, kUtf8Names);
    Put16(out, 0);  // stored
    Put16(out, kDosTime);
    Put16(out, kDosDate);
    Put32(out, crc);
    Put32(out, size);
    Put32(out, size);
    Put16(out, static_cast<uint16_t>(e.name.size()));
    Put16(out, 0);
    out += e.name;
    out += e.data;

    Put32(central, 0x02014b50);  // central directory header
    Put16(central, 20);          // made by
    Put16(central, 20);
    Put16(central, kUtf8Names);
    Put16(central, 0);
    Put16(central, kDosTime);
    Put16(central, kDosDate);
    Put32(central, crc);
    Put32(central, size);
    Put32(central, size);
    Put16(central, static_cast<uint16_t>(e.name.size()));
    Put16(central, 0);  // extra
    Put16(central, 0);  // comment
    Put16(central, 0);  // disk
    Put16(central, 0);  // internal attributes
    Put32(central, 0);  // external attributes
    Put32(central, offset);
    central += e.name;
  }
  const uint32_t central_offset = static_cast<uint32_t>(out.size());
  out += central;
  Put32(out, 0x06054b50);  // end of central directory
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, static_cast<uint16_t>(entries.size()));
  Put16(out, static_cast<uint16_t>(entries.size()));
  Put32(out, static_cast<uint32_t>(central.size()));
  Put32(out, central_offset);
  Put16(out, 0);
  return out;
}

std::string WriteXlsx(const std::vector<XlsxSheet>& sheets) {
  const std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
  std::string types =
      xml +
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" "
      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>";
  std::string book =
      xml +
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
      "relationships\"><sheets>";
  std::string book_rels =
      xml +
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  std::vector<ZipEntry> parts;
  for (size_t i = 0; i < sheets.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    absl::StrAppend(&types, "<Override PartName=\"/xl/worksheets/sheet", n,
                    ".xml\" ContentType=\"application/"
                    "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>");
    absl::StrAppend(&book, "<sheet name=\"", XmlEscape(SheetName(sheets[i].name, i)),
                    "\" sheetId=\"", n, "\" r:id=\"rId", n, "\"/>");
    absl::StrAppend(&book_rels, "<Relationship Id=\"rId", n,
                    "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                    "relationships/worksheet\" Target=\"worksheets/sheet",
                    n, ".xml\"/>");
    parts.push_back({"xl/worksheets/sheet" + n + ".xml", SheetXml(sheets[i])});
  }
  types += "</Types>";
  book += "</sheets></workbook>";
  book_rels += "</Relationships>";
  const std::string rels =
      xml +
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
      "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
  std::vector<ZipEntry> all = {{"[Content_Types].xml", types},
                               {"_rels/.rels", rels},
                               {"xl/workbook.xml", book},
                               {"xl/_rels/workbook.xml.rels", book_rels}};
  for (auto& p : parts) all.push_back(std::move(p));
  return WriteZip(all);
}

}  // namespace concord
