// Query values travel percent-encoded (ledger and conference numbers are
// Chinese): what PercentEncode writes, HttpRequest::Query reads back, and a
// '+' from a form or curl --data-urlencode is a space.
#include <gtest/gtest.h>

#include "common/api_token.h"
#include "common/http_client.h"
#include "common/http_server.h"
#include "common/url.h"

namespace concord {
namespace {

TEST(HttpQuery, EscapeAndDecodeRoundTrip) {
  for (const std::string v :
       {"信-2026-000001", "会-2026-001", "检察长 周某", "a+b&c=d", "100%", ""}) {
    HttpRequest r;
    r.target = "/x?other=1&key=" + PercentEncode(v) + "&last=2";
    EXPECT_EQ(r.Query("key"), v) << PercentEncode(v);
  }
  EXPECT_EQ(PercentEncode("信 a"), "%E4%BF%A1%20a");
}

TEST(HttpQuery, PlusIsASpaceAndBadEscapesStay) {
  HttpRequest r;
  r.target = "/x?name=%E6%A3%80%E5%AF%9F%E9%95%BF+%E5%91%A8%E6%9F%90&bad=%zz%4&none";
  EXPECT_EQ(r.Query("name"), "检察长 周某");
  EXPECT_EQ(r.Query("bad"), "%zz%4");
  EXPECT_EQ(r.Query("none"), "");
  EXPECT_EQ(r.Query("missing"), "");
}

// The depth scan counts objects and arrays, not brackets inside strings
// (escaped quotes included), and stops as soon as it passes the limit.
TEST(JsonNestingDepth, CountsStructureNotText) {
  EXPECT_EQ(JsonNestingDepth("{}", 64), 1);
  EXPECT_EQ(JsonNestingDepth(R"({"a":[{"b":[]}]})", 64), 4);
  EXPECT_EQ(JsonNestingDepth(R"({"a":"[[[[{{{{"})", 64), 1);
  EXPECT_EQ(JsonNestingDepth(R"({"a":"\"[[[[\""})", 64), 1);
  EXPECT_EQ(JsonNestingDepth(R"({"a":"\\","b":[[]]})", 64), 3);
  EXPECT_EQ(JsonNestingDepth(std::string(100000, '[') + std::string(100000, ']'), 64), 65);
  EXPECT_EQ(JsonNestingDepth("", 64), 0);
}

// API tokens: 64 hex digits from libsodium; a Bearer header matches only the
// same token (scheme in any case), never an empty one.
TEST(ApiToken, NewTokensAndBearerMatching) {
  const std::string token = NewApiToken();
  EXPECT_EQ(token.size(), 64u);
  EXPECT_NE(token, NewApiToken());
  EXPECT_TRUE(BearerMatches("Bearer " + token, token));
  EXPECT_TRUE(BearerMatches("bearer " + token, token));
  EXPECT_FALSE(BearerMatches("Bearer " + token.substr(1), token));
  EXPECT_FALSE(BearerMatches("Basic " + token, token));
  EXPECT_FALSE(BearerMatches("Bearer " + NewApiToken(), token));
  EXPECT_FALSE(BearerMatches("Bearer ", ""));
}

}  // namespace
}  // namespace concord
