// The charge (案由) by its meaning: each agency words it its own way.
//
// The police write 故意伤害案, the procuratorate 涉嫌故意伤害罪, the court
// 故意伤害（致人重伤）; a clerk writes 伤害 or 电信诈骗. All of them name one
// charge of the Criminal Law's list. Charges() reduces such wording to the
// list's names ("故意伤害", "诈骗", ...) so that two agencies' records of one
// case agree on the charge:
//
// - NFKC, spaces dropped; qualifiers in brackets dropped ("（未遂）",
//   "(致人死亡)"); a leading 涉嫌 / 被告人涉嫌 and a trailing 一案 / 案 / 罪
//   dropped;
// - several charges (joined by 、 ， ； or /) give several names;
// - a wording the alias table knows (伤害, 杀人, 交通事故, 醉驾, 过失致死, ...)
//   gives its charge; otherwise the longest charge name the wording contains
//   (入室盗窃 -> 盗窃, 电信网络诈骗 -> 诈骗, 故意伤害致人重伤 -> 故意伤害);
//   otherwise the wording itself, as normalised.
//
// The table is the charges victims' aid meets (crimes against the person and
// property, traffic, public safety) with the short forms found in case lists
// and notices; a charge not in it still matches itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace concord::aid {

// The charge names `crime` reduces to, in the order written, without repeats;
// empty when nothing is written.
std::vector<std::string> Charges(std::string_view crime);

}  // namespace concord::aid
