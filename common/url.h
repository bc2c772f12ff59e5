// URL pieces as browsers and curl send them: percent-decoding, query
// parameters and application/x-www-form-urlencoded bodies.
//
// Decoding is byte-wise: %XX becomes that byte (a ledger number is Chinese,
// so its UTF-8 travels as %E4%BF%A1...), '+' becomes a space, and a '%' not
// followed by two hex digits stays as written. The result is not checked to
// be UTF-8; whoever shows it escapes it. Names are decoded like values before
// they are compared. Pure functions: any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace concord {

// `s` as a URL query value (or a cookie value): letters, digits and -_.~ as
// they are, every other byte %XX (ledger and conference numbers are
// Chinese). PercentDecode and QueryParam read it back.
std::string PercentEncode(std::string_view s);

// `s` with every %XX decoded and every '+' a space; malformed escapes as they stand.
std::string PercentDecode(std::string_view s);

// The decoded value of the first parameter named `key` in the query of
// `target` ("/path?a=1&b=2"); "" when absent or written without '='.
std::string QueryParam(std::string_view target, std::string_view key);

// An application/x-www-form-urlencoded body as name -> value; a name that
// comes again keeps its first value. Empty pairs ("a=1&&b=2") are skipped.
std::map<std::string, std::string> ParseForm(std::string_view body);

// The same body as every (name, value) pair in order, repeated names
// included: the values of a list of checkboxes sharing one name.
std::vector<std::pair<std::string, std::string>> ParseFormMulti(std::string_view body);

}  // namespace concord
