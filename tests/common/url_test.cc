// What the web console reads out of a request: percent-decoded query values
// and form fields (Chinese names and case numbers travel as %XX of their
// UTF-8), and request bodies that must be JSON objects of a sane depth.
#include "common/url.h"

#include <gtest/gtest.h>

#include <string>

#include "common/http_router.h"

namespace concord {
namespace {

// %XX gives that byte, '+' a space; an escape without two hex digits stays.
TEST(PercentDecodeTest, DecodesEscapesAndKeepsMalformedOnes) {
  const struct {
    const char* in;
    const char* want;
  } cases[] = {
      {"", ""},
      {"plain", "plain"},
      {"%E4%BF%A1-2026-000001", "信-2026-000001"},
      {"%e6%a3%80%e5%af%9f%e9%95%bf+%E5%91%A8%E6%9F%90", "检察长 周某"},
      {"a%2Bb%26c%3Dd", "a+b&c=d"},
      {"100%", "100%"},
      {"%zz%4", "%zz%4"},
      {"%4", "%4"},
      {"%%41", "%A"},
      {"%G1%1G", "%G1%1G"},
      {"a%20b%20", "a b "},
  };
  for (const auto& c : cases) EXPECT_EQ(PercentDecode(c.in), c.want) << c.in;
  EXPECT_EQ(PercentDecode("%00"), std::string(1, '\0'));
}

// The first parameter of that name, decoded; "" when absent or bare.
TEST(QueryParamTest, FindsTheFirstDecodedValue) {
  const std::string target =
      "/petitions?no=%E4%BF%A1-2026-000001&q=%E5%91%A8+%E6%9F%90&flag&empty=&no=second&"
      "%E5%90%8D=%E7%8E%8B";
  EXPECT_EQ(QueryParam(target, "no"), "信-2026-000001");
  EXPECT_EQ(QueryParam(target, "q"), "周 某");
  EXPECT_EQ(QueryParam(target, "flag"), "");
  EXPECT_EQ(QueryParam(target, "empty"), "");
  EXPECT_EQ(QueryParam(target, "missing"), "");
  EXPECT_EQ(QueryParam(target, "名"), "王");  // names are decoded too
  EXPECT_EQ(QueryParam("/no-query", "no"), "");
  EXPECT_EQ(QueryParam("/x?a=1&&b=%zz", "b"), "%zz");
}

// A form body: '+' is a space, Chinese text round-trips, the first of a
// repeated name wins, and ParseFormMulti keeps every pair in order.
TEST(ParseFormTest, DecodesFieldsAndKeepsTheFirstOfARepeat) {
  const std::string body =
      "name=%E7%8E%8B%E6%9F%90+%E6%9F%90&agency=court&agency=police&note=a%26b%3Dc&&bad=%E4%"
      "&empty=&bare";
  const auto form = ParseForm(body);
  EXPECT_EQ(form.at("name"), "王某 某");
  EXPECT_EQ(form.at("agency"), "court");
  EXPECT_EQ(form.at("note"), "a&b=c");
  EXPECT_EQ(form.at("bad"), "\xE4%");  // the good escape decoded, the cut one kept
  EXPECT_EQ(form.at("empty"), "");
  EXPECT_EQ(form.at("bare"), "");
  EXPECT_EQ(form.size(), 6u);

  const auto all = ParseFormMulti("agency=court&x=1&agency=police&agency=%E5%8F%B8%E6%B3%95");
  const std::vector<std::pair<std::string, std::string>> want = {
      {"agency", "court"}, {"x", "1"}, {"agency", "police"}, {"agency", "司法"}};
  EXPECT_EQ(all, want);
  EXPECT_TRUE(ParseForm("").empty());
  EXPECT_TRUE(ParseFormMulti("&&").empty());
}

std::string Nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  for (int i = 0; i < depth; ++i) s += "}";
  return s;
}

// Bodies nested up to 32 levels parse; deeper ones are refused before any
// DOM is built (100000 levels would otherwise exhaust the stack or memory).
TEST(ParseJsonObjectTest, RefusesNestingDeeperThan32Levels) {
  EXPECT_TRUE(ParseJsonObject(Nested(32)).ok());
  EXPECT_TRUE(ParseJsonObject("{\"a\":[[[[1]]]]}").ok());
  for (const std::string& body :
       {Nested(33), "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}",
        std::string(100000, '[')}) {
    auto parsed = ParseJsonObject(body);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(), "JSON 嵌套过深 / JSON nested deeper than 32 levels");
  }
  EXPECT_EQ(ParseJsonObject("{\"a\":").status().message(),
            "请求体不是合法的 JSON / request body is not valid JSON");
  EXPECT_EQ(ParseJsonObject("[1]").status().message(),
            "请求体必须是 JSON 对象 / request body must be a JSON object");
}

// One table finds the handler of every HTTP surface: the APIs' sync routes
// and the console's pages; a path known under another method is told apart
// (405) from an unknown one (404), and a route taken twice is refused.
TEST(RouteTableTest, FindsByMethodAndPath) {
  RouteTable<int> table;
  ASSERT_TRUE(table.Add("GET", "/aid", 1).ok());
  ASSERT_TRUE(table.Add("POST", "/aid", 2).ok());
  ASSERT_TRUE(table.Add("GET", "/aid/grant", 3).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(table.Add("GET", "/aid", 4)));
  auto found = table.Find("POST", "/aid");
  ASSERT_NE(found.handler, nullptr);
  EXPECT_EQ(*found.handler, 2);
  EXPECT_EQ(*table.Find("GET", "/aid").handler, 1);
  found = table.Find("DELETE", "/aid/grant");
  EXPECT_EQ(found.handler, nullptr);
  EXPECT_TRUE(found.path_known);
  found = table.Find("GET", "/aid/gran");
  EXPECT_EQ(found.handler, nullptr);
  EXPECT_FALSE(found.path_known);
  EXPECT_FALSE(table.Find("GET", "/ai").path_known);
}

// What PercentEncode writes, PercentDecode reads back, byte for byte.
TEST(PercentEncodeTest, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  EXPECT_EQ(PercentDecode(PercentEncode(all)), all);
  EXPECT_EQ(PercentEncode("信-1 a+b~"), "%E4%BF%A1-1%20a%2Bb~");
}

}  // namespace
}  // namespace concord
