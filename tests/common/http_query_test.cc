// Query values travel percent-encoded (ledger and conference numbers are
// Chinese): what PercentEncode writes, HttpRequest::Query reads back, and a
// '+' from a form or curl --data-urlencode is a space.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace concord
