// The .xlsx writer: the ZIP container is read back here entry by entry (the
// central directory, the local headers, each entry's CRC-32), and the sheet
// carries the Chinese text and the numbers as written.
#include "common/xlsx.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>

namespace concord {
namespace {

uint32_t Get32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}
uint16_t Get16(const std::string& s, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(s[at]) |
                               (static_cast<unsigned char>(s[at + 1]) << 8));
}

// Reads a stored ZIP as an unzip tool would: through its central directory.
std::map<std::string, std::string> ReadZip(const std::string& zip) {
  std::map<std::string, std::string> out;
  const size_t end = zip.size() - 22;
  EXPECT_EQ(Get32(zip, end), 0x06054b50u);
  const uint16_t count = Get16(zip, end + 10);
  size_t at = Get32(zip, end + 16);
  for (uint16_t i = 0; i < count; ++i) {
    EXPECT_EQ(Get32(zip, at), 0x02014b50u);
    const uint32_t crc = Get32(zip, at + 16);
    const uint32_t size = Get32(zip, at + 20);
    const uint16_t name_len = Get16(zip, at + 28);
    const uint32_t local = Get32(zip, at + 42);
    const std::string name = zip.substr(at + 46, name_len);
    EXPECT_EQ(Get32(zip, local), 0x04034b50u) << name;
    const size_t data_at = local + 30 + Get16(zip, local + 26) + Get16(zip, local + 28);
    const std::string data = zip.substr(data_at, size);
    EXPECT_EQ(Crc32(data), crc) << name;
    out[name] = data;
    at += 46 + name_len + Get16(zip, at + 30) + Get16(zip, at + 32);
  }
  return out;
}

TEST(Xlsx, Crc32KnownValue) { EXPECT_EQ(Crc32("123456789"), 0xCBF43926u); }

TEST(Xlsx, WorkbookHasItsPartsAndCells) {
  XlsxSheet sheet{"信访月报 2026-11",
                  {{XlsxCell::Text("渠道"), XlsxCell::Text("件数")},
                   {XlsxCell::Text("来信 <letter> & \"quoted\""), XlsxCell::Number("12")}}};
  const std::string bytes = WriteXlsx({sheet, {"a[b]:c", {}}});
  ASSERT_EQ(bytes.substr(0, 2), "PK");
  auto parts = ReadZip(bytes);
  for (const char* part :
       {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"})
    EXPECT_TRUE(parts.count(part)) << part;
  const std::string& s1 = parts["xl/worksheets/sheet1.xml"];
  EXPECT_NE(s1.find("<c r=\"A1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">渠道</t>"),
            std::string::npos)
      << s1;
  EXPECT_NE(s1.find("<c r=\"B2\"><v>12</v></c>"), std::string::npos) << s1;
  EXPECT_NE(s1.find("来信 &lt;letter&gt; &amp; &quot;quoted&quot;"), std::string::npos) << s1;
  EXPECT_NE(parts["xl/workbook.xml"].find("name=\"信访月报 2026-11\""), std::string::npos);
  EXPECT_NE(parts["xl/workbook.xml"].find("name=\"a_b__c\""), std::string::npos)
      << "characters Excel forbids in sheet names are replaced";
}

}  // namespace
}  // namespace concord
