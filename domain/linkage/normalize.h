// Normalisation of identity fields at the agency, before they are encoded.
//
// Every agency must compute exactly the same form from the same person, so
// these functions are deterministic and depend only on ICU's data (Debian's
// libicu72): NFKC (full-width -> half-width, U+3000 -> space), traditional ->
// simplified characters, and toneless pinyin (ICU's Han-Latin) for comparing
// Chinese, romanised and homophone names.
//
// Thread safety: every function may be called from any thread (ICU objects
// and caches are per thread).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace concord::aid {

// NFKC, then trimmed; Latin letters lower-cased.
std::string NormalizeText(std::string_view s);

struct NormalizedName {
  bool han = false;   // written in Chinese characters
  std::string chars;  // Han: simplified, no spaces or dots ("张伟"); Latin: tokens joined by ' '
  // Toneless pinyin tokens, surname first for Han names, given-name syllables
  // joined as romanised names write them: 欧阳小明 -> {"ouyang", "xiaoming"}.
  // Latin names keep their own tokens in their own order.
  std::vector<std::string> tokens;
  bool empty() const { return chars.empty(); }
};
NormalizedName NormalizeName(std::string_view name);

// Resident ID numbers (GB 11643-1999).
enum class IdQuality {
  kMissing,      // nothing usable
  kValid,        // 18 characters, real birth date, MOD 11-2 check passes
  kConverted15,  // a first-generation 15-digit number, converted (no check digit to verify)
  kInvalid,      // present but fails its checks: weak evidence, never trusted alone
};
struct NormalizedId {
  IdQuality quality = IdQuality::kMissing;
  std::string value;       // 18 characters with upper-case X when kValid/kConverted15;
                           // the cleaned characters otherwise
  std::string birth_date;  // YYYYMMDD from the number (kValid/kConverted15)
  std::string gender;      // "M"/"F" from the 17th digit (kValid/kConverted15)
};
// ISO 7064 MOD 11-2 check character of the first 17 digits ('0'-'9' or 'X').
char IdCheckChar(std::string_view first17);
NormalizedId NormalizeIdNumber(std::string_view id);

// Digits only; +86 / 0086 / 86 country prefix dropped from mobiles.
std::string NormalizePhone(std::string_view phone);

// Comparable parts of a Chinese address; a Latin address is kept whole in
// `rest`. Missing parts are empty (an address written without its province
// still compares on the parts it has).
struct AddressParts {
  bool han = false;  // written in Chinese (parsed into parts); else Latin, whole in `rest`
  std::string province, city, district, town, village, rest;
  // A Latin address that is only a locality ("London"): `city` and `rest`
  // are the same words.
  bool locality_only = false;
  bool empty() const {
    return province.empty() && city.empty() && district.empty() && town.empty() &&
           village.empty() && rest.empty();
  }
};
AddressParts NormalizeAddress(std::string_view address);

// "YYYY-MM-DD" (or YYYYMMDD) -> "YYYYMMDD" if a real date, "" otherwise.
std::string NormalizeDate(std::string_view date);

// 案由 (the charge): the first charge name it reduces to (charges.h:
// "故意伤害罪", "涉嫌故意伤害案" and "伤害" are one charge), "" if none.
std::string NormalizeCrime(std::string_view crime);

// Case numbers (案号): NFKC, spaces removed, brackets unified to ASCII ( ).
std::string NormalizeCaseRef(std::string_view ref);

}  // namespace concord::aid
