// Keyed encodings of an aid record: what leaves the agency instead of names.
//
// The linkage key (32 random bytes) is shared by the agencies and never given
// to the hub or the aid agent. From it, per purpose, subkeys are derived with
// keyed BLAKE2b (domain separation: "concord.linkage.v1/<purpose>"):
//
// - exact tokens: HMAC-SHA-256(subkey, normalised value), truncated to 16
//   bytes: ID number, birth date, gender, phone, case numbers, incident, and
//   the blocking keys;
// - Bloom filters for fuzzy comparison (Schnell, Bachteler, Reiher 2009;
//   the CLK of clkhash uses the same idea): every q-gram of a field sets k bit
//   positions. Positions come from one keyed BLAKE2b output per q-gram, cut
//   into k independent 16-bit values; a keyed PRF's output bits are
//   independent, so these are k independent keyed hash functions, not the
//   double-hashing scheme (h1 + i*h2) that Kroll and Steinmetzer's attack
//   exploits. Each field has its own subkey (field-level Bloom filters), so
//   a name filter cannot be compared with an address filter.
//
// Without the key, a token or filter can only be compared for equality or
// similarity with another made under the same key; no field can be read back.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/linkage/normalize.h"
#include "domain/linkage/record.h"

namespace concord::aid {

using LinkageKey = std::array<uint8_t, 32>;
inline constexpr size_t kTokenBytes = 16;  // an exact token's size

// The key file holds 64 hex characters (and may end in a newline).
absl::StatusOr<LinkageKey> ReadLinkageKey(const std::string& path);
absl::Status WriteNewLinkageKey(const std::string& path);  // mode 0600, refuses to overwrite
LinkageKey RandomLinkageKey();

// A field-level Bloom filter: 512 bits.
struct Bloom {
  static constexpr int kWords = 8;
  std::array<uint64_t, kWords> bits{};
  bool empty() const;
  int Count() const;
  std::string ToBytes() const;  // 64 bytes
  static bool FromBytes(std::string_view b, Bloom* out);
};
double Dice(const Bloom& a, const Bloom& b);  // 2|a&b| / (|a|+|b|); 0 if either is empty
// The Dice coefficient of the two q-gram sets, estimated from the filters:
// each set's size from its filter's fill, n = -(m/k) ln(1 - bits/m), and
// the common grams as |A| + |B| - |A u B| (Swamidass and Baldi 2007). A
// long field (a Latin name, an address with street, suburb and postcode)
// fills much of its 512 bits, and two unrelated ones then share most of
// them: the plain Dice of the filters is high for strangers, this one is
// not. Below 40% fill together, the plain Dice (collisions are rare
// there). 0 if either is empty.
double GramDice(const Bloom& a, const Bloom& b);

// The encoded record: everything the aid agent learns about a grant. No field
// holds a name, ID number, phone or address.
struct EncodedRecord {
  std::string record_id;
  std::string agency;
  // Exact tokens (16 raw bytes each; empty when the field is missing).
  std::string id_token;
  IdQuality id_quality = IdQuality::kMissing;
  std::string dob_token, gender_token, phone_token;
  std::vector<std::string> case_tokens;  // one per case number
  std::string incident_token;            // incident date + crime, when both are known
  // The incident date and the six days around it, by offset -3..+3 (index 3
  // is the date itself); empty when unknown. Two records' dates are d days
  // apart (d <= 3) when one's own day is the other's offset d: a day or
  // three apart is evidence, not a miss, and no date is readable.
  std::vector<std::string> incident_days;
  static constexpr int kDaysAround = 3;
  std::vector<std::string> crime_tokens;  // one per charge, by its meaning (charges.h)
  // Per case number written with Chinese, the token of its shape (digit
  // runs as '#': one agency's numbering, "(#)沪#刑初#号"). Two numbers of one
  // shape that differ are two cases: an agency numbers a case once.
  std::vector<std::string> case_kinds;
  // Fuzzy filters.
  Bloom name_chars;                // Han characters (unigrams and bigrams) - Han names only
  Bloom name_pinyin;               // pinyin / Latin letter bigrams per token, order-free
  Bloom id_digits;                 // position-tagged characters of the ID number
  Bloom dob_digits;                // position-tagged digits of the birth date
  Bloom address;                   // bigrams of the address parts below the city
  std::string address_city_token;  // province + city (or a Latin address's postcode), when known
  std::string email_token;
  Bloom email;  // bigrams of the e-mail address
  std::vector<std::string> block_keys;
  // The grant itself (not identity).
  AidType aid_type = AidType::kUnknown;
  int64_t amount_fen = 0;
  std::string granted_on;  // YYYY-MM-DD
};

class Encoder {
 public:
  explicit Encoder(const LinkageKey& key);
  EncodedRecord Encode(const AidRecord& r) const;
  // An opaque token of `value` for `purpose` (16 bytes).
  std::string Token(std::string_view purpose, std::string_view value) const;
  // The token of a case number as Encode() makes it ("" when blank), for
  // case links.
  std::string CaseToken(std::string_view ref) const;
  // The key's id (16 bytes): a token of a fixed text under the key. It tells
  // which key made an encoding (AidEncoding.key_id, key rotation) and reveals
  // nothing of the key.
  const std::string& KeyId() const { return key_id_; }

 private:
  void AddGrams(std::string_view purpose_key, const std::vector<std::string>& grams,
                Bloom* out) const;
  // Token() for values that recur across records (birth dates, incident
  // days, cities, charges), remembered per thread.
  const std::string& RecurringToken(std::string_view purpose, std::string_view value) const;
  struct KeyedStates;
  std::shared_ptr<const KeyedStates> MakeStates() const;

  LinkageKey key_;
  // Subkeys per purpose.
  std::array<uint8_t, 32> hmac_key_, name_chars_key_, name_pinyin_key_, id_key_, dob_key_,
      address_key_, email_key_;
  // The keyed hash states after the key is absorbed (HMAC-SHA-256's inner
  // and outer pads: two of a token's four SHA-256 compressions; BLAKE2b's
  // parameter block and buffered key per filter), copied for each token or
  // q-gram instead of keying every call again: the same outputs.
  std::shared_ptr<const KeyedStates> states_;
  std::string key_id_;
  // Which encoder a thread's memo (tokens.cc) was filled by: unique per
  // Encoder constructed, shared by its copies.
  uint64_t memo_id_;
};

}  // namespace concord::aid
