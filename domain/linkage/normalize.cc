#include "domain/linkage/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <array>
#include <memory>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "domain/linkage/charges.h"

namespace concord::aid {
namespace {

bool IsHan(UChar32 c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2EBEF) || (c >= 0xF900 && c <= 0xFAFF);
}

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

std::string CodePointUtf8(UChar32 c) { return ToUtf8(icu::UnicodeString(c)); }

// Per-thread ICU transliterators with a per-character cache: both are
// context-free per character for our purposes and ICU's are slow per call.
class HanTables {
 public:
  static HanTables& Get() {
    thread_local HanTables t;
    return t;
  }

  // Simplified form of one character (itself if it has none).
  UChar32 Simplified(UChar32 c) {
    auto [it, fresh] = simp_.try_emplace(c, c);
    if (fresh && t2s_) {
      icu::UnicodeString s(c);
      t2s_->transliterate(s);
      if (s.countChar32() == 1) it->second = s.char32At(0);
    }
    return it->second;
  }

  // Toneless lower-case pinyin of one character ("" if ICU has none).
  const std::string& Pinyin(UChar32 c) {
    auto [it, fresh] = pinyin_.try_emplace(c);
    if (fresh && han_latin_) {
      icu::UnicodeString s(c);
      han_latin_->transliterate(s);
      std::string out;
      for (char ch : ToUtf8(s))
        if (absl::ascii_isalpha(static_cast<unsigned char>(ch)))
          out.push_back(absl::ascii_tolower(ch));
      it->second = out;
    }
    return it->second;
  }

 private:
  HanTables() {
    UErrorCode e = U_ZERO_ERROR;
    t2s_.reset(icu::Transliterator::createInstance("Traditional-Simplified", UTRANS_FORWARD, e));
    if (U_FAILURE(e)) t2s_.reset();
    e = U_ZERO_ERROR;
    han_latin_.reset(
        icu::Transliterator::createInstance("Han-Latin; Latin-ASCII", UTRANS_FORWARD, e));
    if (U_FAILURE(e)) han_latin_.reset();
  }
  std::unique_ptr<icu::Transliterator> t2s_, han_latin_;
  std::unordered_map<UChar32, UChar32> simp_;
  std::unordered_map<UChar32, std::string> pinyin_;
};

icu::UnicodeString Nfkc(std::string_view s) {
  UErrorCode e = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(e);
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), s.size()));
  if (U_FAILURE(e)) return in;
  icu::UnicodeString out = n->normalize(in, e);
  return U_FAILURE(e) ? in : out;
}

// Compound (two-character) surnames, simplified.
constexpr std::array<std::string_view, 24> kCompoundSurnames = {
    "欧阳", "司马", "诸葛", "上官", "司徒", "东方", "皇甫", "夏侯", "慕容", "尉迟", "长孙", "宇文",
    "公孙", "令狐", "端木", "南宫", "西门", "独孤", "澹台", "轩辕", "呼延", "万俟", "申屠", "钟离"};

// Surnames whose reading differs from the character's common reading.
const std::unordered_map<std::string, std::string>& SurnameReadings() {
  static const auto* m = new std::unordered_map<std::string, std::string>{
      {"单", "shan"},       {"曾", "zeng"},  {"解", "xie"}, {"仇", "qiu"},    {"朴", "piao"},
      {"区", "ou"},         {"查", "zha"},   {"盖", "ge"},  {"乐", "yue"},    {"覃", "qin"},
      {"翟", "zhai"},       {"缪", "miao"},  {"秘", "bi"},  {"万俟", "moqi"}, {"尉迟", "yuchi"},
      {"长孙", "zhangsun"}, {"种", "chong"}, {"黑", "he"},  {"燕", "yan"},    {"任", "ren"}};
  return *m;
}

bool HasHan(const icu::UnicodeString& u) {
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1))
    if (IsHan(u.char32At(i))) return true;
  return false;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsRealDate(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1850 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  return d <= kDays[m - 1] + (m == 2 && IsLeapYear(y) ? 1 : 0);
}

bool AllDigits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

}  // namespace

std::string NormalizeText(std::string_view s) {
  std::string out = ToUtf8(Nfkc(s));
  for (char& c : out) c = absl::ascii_tolower(c);
  return std::string(absl::StripAsciiWhitespace(out));
}

NormalizedName NormalizeName(std::string_view name) {
  NormalizedName r;
  const icu::UnicodeString u = Nfkc(name);
  r.han = HasHan(u);
  HanTables& t = HanTables::Get();
  if (r.han) {
    // Characters only: spaces (ASCII or ideographic, after NFKC), dots and
    // anything else between them are dropped; traditional -> simplified.
    std::vector<UChar32> chars;
    for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) {
      const UChar32 c = u.char32At(i);
      if (IsHan(c)) chars.push_back(t.Simplified(c));
    }
    for (UChar32 c : chars) r.chars += CodePointUtf8(c);
    size_t surname_len = 1;
    if (chars.size() >= 3) {
      const std::string first2 = CodePointUtf8(chars[0]) + CodePointUtf8(chars[1]);
      for (auto s : kCompoundSurnames)
        if (first2 == s) surname_len = 2;
    }
    surname_len = std::min(surname_len, chars.size());
    std::string surname_chars, surname_py, given_py;
    for (size_t i = 0; i < surname_len; ++i) {
      surname_chars += CodePointUtf8(chars[i]);
      surname_py += t.Pinyin(chars[i]);
    }
    if (auto it = SurnameReadings().find(surname_chars); it != SurnameReadings().end())
      surname_py = it->second;
    for (size_t i = surname_len; i < chars.size(); ++i) given_py += t.Pinyin(chars[i]);
    if (!surname_py.empty()) r.tokens.push_back(surname_py);
    if (!given_py.empty()) r.tokens.push_back(given_py);
    return r;
  }
  // Latin (romanised) names: letters only, tokens split on anything else.
  std::string token;
  auto flush = [&] {
    if (!token.empty()) r.tokens.push_back(std::exchange(token, {}));
  };
  for (char c : ToUtf8(u)) {
    if (absl::ascii_isalpha(static_cast<unsigned char>(c)))
      token.push_back(absl::ascii_tolower(c));
    else if (c != '\'')  // o'brien -> obrien
      flush();
  }
  flush();
  r.chars = absl::StrJoin(r.tokens, " ");
  return r;
}

char IdCheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kChars[] = "10X98765432";
  int sum = 0;
  for (size_t i = 0; i < 17 && i < first17.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
  return kChars[sum % 11];
}

NormalizedId NormalizeIdNumber(std::string_view id) {
  NormalizedId r;
  std::string s;
  for (char c : ToUtf8(Nfkc(id))) {
    if (c >= '0' && c <= '9')
      s.push_back(c);
    else if (c == 'x' || c == 'X')
      s.push_back('X');
    // spaces, dashes and anything else are separators people type
  }
  if (s.empty()) return r;
  r.value = s;
  r.quality = IdQuality::kInvalid;
  std::string full;
  bool converted = false;
  if (s.size() == 18 && AllDigits(std::string_view(s).substr(0, 17))) {
    if (IdCheckChar(s) != s[17]) return r;
    full = s;
  } else if (s.size() == 15 && AllDigits(s)) {
    full = s.substr(0, 6) + "19" + s.substr(6);
    full.push_back(IdCheckChar(full));
    converted = true;
  } else {
    return r;
  }
  const int y = std::stoi(full.substr(6, 4)), m = std::stoi(full.substr(10, 2)),
            d = std::stoi(full.substr(12, 2));
  if (!IsRealDate(y, m, d)) return r;
  r.quality = converted ? IdQuality::kConverted15 : IdQuality::kValid;
  r.value = full;
  r.birth_date = full.substr(6, 8);
  r.gender = ((full[16] - '0') % 2 == 1) ? "M" : "F";
  return r;
}

std::string NormalizePhone(std::string_view phone) {
  std::string d;
  for (char c : ToUtf8(Nfkc(phone)))
    if (c >= '0' && c <= '9') d.push_back(c);
  if (d.size() == 15 && d.rfind("0086", 0) == 0) d = d.substr(4);
  if (d.size() == 13 && d.rfind("86", 0) == 0 && d[2] == '1') d = d.substr(2);
  return d;
}

AddressParts NormalizeAddress(std::string_view address) {
  AddressParts p;
  const icu::UnicodeString u = Nfkc(address);
  if (!HasHan(u)) {
    p.rest = NormalizeText(ToUtf8(u));
    // A Latin address's postcode (a 4-6 digit word after the first) is its locality.
    std::vector<std::string> words = absl::StrSplit(p.rest, ' ', absl::SkipEmpty());
    for (size_t i = 1; i < words.size(); ++i)
      if (words[i].size() >= 4 && words[i].size() <= 6 && AllDigits(words[i])) {
        p.city = words[i];
        break;
      }
    // A one- or two-word address without digits is a locality ("London").
    if (p.city.empty() && !words.empty() && words.size() <= 2 &&
        p.rest.find_first_of("0123456789") == std::string::npos) {
      p.city = p.rest;
      p.locality_only = true;
    }
    return p;
  }
  // Simplified, no spaces; then cut at the administrative suffixes in order.
  p.han = true;
  HanTables& t = HanTables::Get();
  std::vector<std::string> cps;
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) {
    UChar32 c = u.char32At(i);
    if (u_isUWhiteSpace(c)) continue;
    if (IsHan(c)) c = t.Simplified(c);
    std::string ch = CodePointUtf8(c);
    for (char& x : ch) x = absl::ascii_tolower(x);
    cps.push_back(std::move(ch));
  }
  struct Level {
    std::string* field;
    std::vector<std::string_view> suffixes;
  };
  const std::vector<Level> levels = {
      {&p.province, {"特别行政区", "自治区", "省"}},
      {&p.city, {"自治州", "地区", "市", "州", "盟"}},
      {&p.district, {"新区", "区", "县", "旗", "市"}},
      {&p.town, {"街道", "镇", "乡"}},
      {&p.village, {"社区", "居委会", "村委会", "村", "路", "街", "巷", "弄", "大道", "组"}},
  };
  static constexpr std::array<std::string_view, 4> kMunicipalities = {"北京", "上海", "天津",
                                                                      "重庆"};
  size_t pos = 0;
  // A municipality is both province and city: 上海市徐汇区 -> province 上海.
  for (auto m : kMunicipalities) {
    std::string head;
    for (size_t i = 0; i < cps.size() && head.size() < m.size(); ++i) head += cps[i];
    if (head == m) {
      p.province = std::string(m);
      pos = 2;
      if (pos < cps.size() && cps[pos] == "市") ++pos;
      break;
    }
  }
  for (size_t li = p.province.empty() ? 0 : 2; li < levels.size() && pos < cps.size(); ++li) {
    // The shortest prefix (of at most 8 characters) ending in one of this level's suffixes.
    bool found = false;
    std::string acc;
    for (size_t j = pos; j < cps.size() && j < pos + 8 && !found; ++j) {
      acc += cps[j];
      for (auto suf : levels[li].suffixes) {
        if (acc.size() > suf.size() && acc.compare(acc.size() - suf.size(), suf.size(), suf) == 0) {
          // 杭州市, 广州市: a place name ending in 州 still takes its 市.
          if (j + 1 < cps.size() && cps[j + 1] == "市" && suf != "市") {
            acc += cps[++j];
          }
          *levels[li].field = acc;
          pos = j + 1;
          found = true;
          break;
        }
      }
    }
  }
  for (size_t j = pos; j < cps.size(); ++j) p.rest += cps[j];
  return p;
}

std::string NormalizeDate(std::string_view date) {
  std::string d;
  for (char c : date)
    if (c >= '0' && c <= '9') d.push_back(c);
  if (d.size() != 8) return "";
  if (!IsRealDate(std::stoi(d.substr(0, 4)), std::stoi(d.substr(4, 2)), std::stoi(d.substr(6, 2))))
    return "";
  return d;
}

std::string NormalizeCrime(std::string_view crime) {
  std::vector<std::string> charges = Charges(crime);
  return charges.empty() ? std::string() : std::move(charges.front());
}

std::string NormalizeCaseRef(std::string_view ref) {
  std::string out;
  for (char c : ToUtf8(Nfkc(ref))) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) continue;
    out.push_back(absl::ascii_toupper(c));
  }
  // Brackets people use for the year: （） 〔〕 【】 [] -> ( )
  static const std::vector<std::pair<std::string, std::string>> kBrackets = {
      {"〔", "("}, {"〕", ")"}, {"【", "("}, {"】", ")"}, {"[", "("},
      {"]", ")"},  {"［", "("}, {"］", ")"}, {"（", "("}, {"）", ")"}};
  for (auto& [from, to] : kBrackets)
    for (size_t at = out.find(from); at != std::string::npos; at = out.find(from, at))
      out.replace(at, from.size(), to);
  return out;
}

}  // namespace concord::aid
