// multipart/form-data as chromium sends a form with a file (the console's
// CSV upload): the parts come out as sent, and anything malformed, truncated
// or oversized is refused with a reason rather than half-read.
#include "common/multipart.h"

#include <gtest/gtest.h>

#include <string>

namespace concord {
namespace {

constexpr char kType[] = "multipart/form-data; boundary=----WebKitFormBoundaryx7Gq2";

// A body as chromium writes it: a CSRF field and a CSV file with a BOM,
// Chinese text and CRLF line ends of its own.
std::string ChromiumBody(const std::string& csv) {
  return "------WebKitFormBoundaryx7Gq2\r\n"
         "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
         "tok123\r\n"
         "------WebKitFormBoundaryx7Gq2\r\n"
         "Content-Disposition: form-data; name=\"file\"; filename=\"救助名单.csv\"\r\n"
         "Content-Type: text/csv\r\n\r\n" +
         csv +
         "\r\n"
         "------WebKitFormBoundaryx7Gq2--\r\n";
}

// Fields and a file come out byte for byte, the file's name and type kept.
TEST(MultipartTest, ReadsFieldsAndAFileAsSent) {
  const std::string csv = "\xEF\xBB\xBF记录编号,姓名\r\nA-1,张三\r\n\r\n";
  auto parts = ParseMultipartForm(kType, ChromiumBody(csv));
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "csrf");
  EXPECT_EQ((*parts)[0].data, "tok123");
  EXPECT_FALSE((*parts)[0].is_file);
  const FormPart* file = FindPart(*parts, "file");
  ASSERT_NE(file, nullptr);
  EXPECT_TRUE(file->is_file);
  EXPECT_EQ(file->filename, "救助名单.csv");
  EXPECT_EQ(file->content_type, "text/csv");
  EXPECT_EQ(file->data, csv);
  EXPECT_EQ(FindPart(*parts, "missing"), nullptr);
}

// An empty file input (no file chosen) is a file part with no name and no bytes;
// a quoted boundary and header names in other cases are read too.
TEST(MultipartTest, EmptyFileQuotedBoundaryAndHeaderCase) {
  const std::string body =
      "--a'b c\r\n"
      "CONTENT-DISPOSITION: Form-Data; NAME=file; filename=\"\"\r\n"
      "content-type: application/octet-stream\r\n\r\n"
      "\r\n--a'b c--";
  auto parts = ParseMultipartForm("Multipart/Form-Data; charset=utf-8; boundary=\"a'b c\"", body);
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "file");
  EXPECT_TRUE((*parts)[0].is_file);
  EXPECT_EQ((*parts)[0].filename, "");
  EXPECT_EQ((*parts)[0].data, "");
}

// Content that merely resembles the delimiter (not after CRLF, or shorter)
// stays content; a longer one after CRLF ends the part, and what follows it
// is neither CRLF nor "--", so the body is refused rather than misread.
TEST(MultipartTest, DelimiterLookalikes) {
  const std::string content = "a--xyz b\r\n--xy\r\n-xyz\r\nend";
  const std::string head = "--xyz\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n";
  auto parts =
      ParseMultipartForm("multipart/form-data; boundary=xyz", head + content + "\r\n--xyz--");
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].data, content);
  EXPECT_FALSE(
      ParseMultipartForm("multipart/form-data; boundary=xyz", head + "a\r\n--xyzz\r\n--xyz--")
          .ok());
}

// Every malformed body is refused with a Chinese / English reason.
TEST(MultipartTest, RefusesMalformedBodies) {
  const std::string ok_part = "Content-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n";
  const struct {
    const char* what;
    std::string type, body;
  } cases[] = {
      {"not multipart", "application/x-www-form-urlencoded", "a=1"},
      {"no boundary", "multipart/form-data", "--b\r\n" + ok_part + "--b--"},
      {"boundary too long", "multipart/form-data; boundary=" + std::string(71, 'b'),
       "--" + std::string(71, 'b') + "--"},
      {"boundary with a forbidden character", "multipart/form-data; boundary=\"a;b\"", "--a;b--"},
      {"preamble", "multipart/form-data; boundary=b", "junk\r\n--b\r\n" + ok_part + "--b--"},
      {"truncated", "multipart/form-data; boundary=b",
       "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx"},
      {"no closing delimiter", "multipart/form-data; boundary=b", "--b\r\n" + ok_part + "--b"},
      {"delimiter without CRLF", "multipart/form-data; boundary=b",
       "--b  \r\n" + ok_part + "--b--"},
      {"no disposition", "multipart/form-data; boundary=b",
       "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--"},
      {"no headers", "multipart/form-data; boundary=b", "--b\r\n\r\nx\r\n--b--"},
      {"not form-data", "multipart/form-data; boundary=b",
       "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--"},
      {"no name", "multipart/form-data; boundary=b",
       "--b\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\nx\r\n--b--"},
      {"unclosed quote", "multipart/form-data; boundary=b",
       "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--"},
      {"folded header", "multipart/form-data; boundary=b",
       "--b\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nx\r\n--b--"},
      {"headers never end", "multipart/form-data; boundary=b",
       "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n" + std::string(9000, 'h')},
  };
  for (const auto& c : cases) {
    auto parts = ParseMultipartForm(c.type, c.body);
    ASSERT_FALSE(parts.ok()) << c.what;
    EXPECT_EQ(parts.status().code(), absl::StatusCode::kInvalidArgument) << c.what;
    EXPECT_NE(std::string(parts.status().message()).find(" / "), std::string::npos) << c.what;
  }
}

// More parts than allowed are refused; an empty form (only the close) is none.
TEST(MultipartTest, BoundsThePartCount) {
  std::string body;
  for (int i = 0; i < 4; ++i)
    body +=
        "--b\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\nv\r\n";
  body += "--b--\r\n";
  EXPECT_TRUE(ParseMultipartForm("multipart/form-data; boundary=b", body, 4).ok());
  EXPECT_FALSE(ParseMultipartForm("multipart/form-data; boundary=b", body, 3).ok());
  auto none = ParseMultipartForm("multipart/form-data; boundary=b", "--b--");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// Only multipart/form-data counts as a multipart form.
TEST(MultipartTest, RecognisesTheContentType) {
  EXPECT_TRUE(IsMultipartForm("multipart/form-data; boundary=x"));
  EXPECT_TRUE(IsMultipartForm(" Multipart/Form-Data"));
  EXPECT_FALSE(IsMultipartForm("multipart/mixed; boundary=x"));
  EXPECT_FALSE(IsMultipartForm("application/x-www-form-urlencoded"));
  EXPECT_FALSE(IsMultipartForm(""));
}

}  // namespace
}  // namespace concord
