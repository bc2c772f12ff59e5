#include "domain/linkage/tokens.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/files.h"
#include "domain/linkage/charges.h"

namespace concord::aid {
namespace {

constexpr int kBloomBits = Bloom::kWords * 64;
constexpr int kHashesPerGram = 12;  // k: bits set per q-gram

// What one thread's encodings have computed under one key: each q-gram's
// bit positions per filter and the tokens of recurring values. Most grams
// recur (the digits by position of every ID number and birth date, pinyin
// letter pairs, the characters of names and places), so a batch of a
// million records hashes each of them once instead of once per record.
// Bounded (each map emptied when full), and per key. It holds
// q-grams and values in clear: it lives only in the process that has them
// in clear already (the agency's adapter, concordctl), never in the agent;
// a memo outlives its Encoder until the thread takes a third key or ends
// (freed, not wiped: like the clear records of the same process).
constexpr size_t kMemoEntries = 1 << 18;
std::atomic<uint64_t> next_memo_id{1};
struct Memo {
  uint64_t encoder = 0;
  std::array<absl::flat_hash_map<std::string, std::array<uint16_t, kHashesPerGram>>, 6> grams;
  absl::flat_hash_map<std::string, std::string> tokens;  // purpose '\0' value -> token
};
// Two memos per thread, replaced in turn: an adapter re-keying its grants
// encodes under the current and the next key alternately, and a single memo
// would be emptied at each switch.
Memo& ThreadMemo(uint64_t encoder) {
  thread_local std::array<Memo, 2> memos;
  thread_local unsigned older = 0;
  for (Memo& m : memos)
    if (m.encoder == encoder) return m;
  Memo& m = memos[older];
  older ^= 1;
  m = Memo{};
  m.encoder = encoder;
  return m;
}
std::array<uint8_t, 32> Subkey(const LinkageKey& key, std::string_view purpose) {
  std::array<uint8_t, 32> out;
  const std::string label = "concord.linkage.v1/" + std::string(purpose);
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const uint8_t*>(label.data()),
                     label.size(), key.data(), key.size());
  return out;
}

// UTF-8 code points of s.
std::vector<std::string> CodePoints(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// Bigrams of a token padded with '_' at both ends ("wei" -> _w we ei i_):
// the grams of several tokens form a set, so token order does not matter.
void PaddedBigrams(std::string_view token, std::vector<std::string>* out) {
  const std::string t = "_" + std::string(token) + "_";
  for (size_t i = 0; i + 1 < t.size(); ++i) out->push_back(t.substr(i, 2));
}

}  // namespace

absl::StatusOr<LinkageKey> ReadLinkageKey(const std::string& path) {
  std::ifstream in(path);
  std::string hex;
  if (!in || !(in >> hex))
    return absl::NotFoundError(absl::StrCat("无法读取关联密钥 / cannot read linkage key ", path));
  LinkageKey key;
  size_t len = 0;
  if (hex.size() != 64 ||
      sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
      len != key.size())
    return absl::InvalidArgumentError(
        absl::StrCat("关联密钥须为 64 位十六进制 / linkage key must be 64 hex characters: ", path));
  return key;
}

LinkageKey RandomLinkageKey() {
  LinkageKey k;
  randombytes_buf(k.data(), k.size());
  return k;
}

absl::Status WriteNewLinkageKey(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0)
    return absl::AlreadyExistsError(absl::StrCat("密钥文件已存在 / key file exists: ", path));
  const LinkageKey k = RandomLinkageKey();
  char hex[66];
  sodium_bin2hex(hex, 65, k.data(), k.size());
  hex[64] = '\n';
  if (auto written = WriteNewFile(path, std::string(hex, 65), 0600); !written.ok()) {
    if (absl::IsAlreadyExists(written))
      return absl::AlreadyExistsError(absl::StrCat("密钥文件已存在 / key file exists: ", path));
    return written;
  }
  return ShareSecretWithDaemons(path);  // in /etc/concord/keys: the adapter reads it
}

// Comparing filters counts bits: with x86-64's baseline std::popcount is a
// call into libgcc per word. POPCNT is in every x86-64 processor since 2008
// but not in the generic CPU model of many virtual machines (qemu64), so
// it is chosen when the program loads (GCC's target_clones), not assumed.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CONCORD_LINKAGE_POPCNT __attribute__((target_clones("popcnt", "default")))
#else
#define CONCORD_LINKAGE_POPCNT
#endif

bool Bloom::empty() const {
  for (uint64_t w : bits)
    if (w) return false;
  return true;
}

CONCORD_LINKAGE_POPCNT int Bloom::Count() const {
  int n = 0;
  for (uint64_t w : bits) n += std::popcount(w);
  return n;
}

std::string Bloom::ToBytes() const {
  std::string out(kWords * 8, '\0');
  std::memcpy(out.data(), bits.data(), out.size());  // little-endian hosts only (x86-64, arm64)
  return out;
}

bool Bloom::FromBytes(std::string_view b, Bloom* out) {
  if (b.empty()) {
    *out = Bloom{};
    return true;
  }
  if (b.size() != kWords * 8) return false;
  std::memcpy(out->bits.data(), b.data(), b.size());
  return true;
}

CONCORD_LINKAGE_POPCNT double Dice(const Bloom& a, const Bloom& b) {
  int both = 0, na = 0, nb = 0;
  for (int i = 0; i < Bloom::kWords; ++i) {
    both += std::popcount(a.bits[i] & b.bits[i]);
    na += std::popcount(a.bits[i]);
    nb += std::popcount(b.bits[i]);
  }
  if (na == 0 || nb == 0) return 0;
  return 2.0 * both / (na + nb);
}

CONCORD_LINKAGE_POPCNT double GramDice(const Bloom& a, const Bloom& b) {
  // Grams behind a count of set bits, by count (a table: no logarithm per pair).
  static const std::array<double, kBloomBits + 1> kGrams = [] {
    std::array<double, kBloomBits + 1> t;
    for (int x = 0; x <= kBloomBits; ++x)
      t[x] = -static_cast<double>(kBloomBits) / kHashesPerGram *
             std::log(1 - std::min(x, kBloomBits - 1) / static_cast<double>(kBloomBits));
    return t;
  }();
  int na = 0, nb = 0, both = 0;
  for (int i = 0; i < Bloom::kWords; ++i) {
    na += std::popcount(a.bits[i]);
    nb += std::popcount(b.bits[i]);
    both += std::popcount(a.bits[i] & b.bits[i]);
  }
  if (na == 0 || nb == 0) return 0;
  const int nu = na + nb - both;
  // Sparse filters (a Chinese name, a town) hardly collide: their plain Dice
  // is the estimate, and the one the levels' cut-offs were set on.
  if (nu * 5 < kBloomBits * 2) return 2.0 * both / (na + nb);
  const double ga = kGrams[na], gb = kGrams[nb];
  const double common = std::clamp(ga + gb - kGrams[nu], 0.0, std::min(ga, gb));
  return 2 * common / (ga + gb);
}

Encoder::Encoder(const LinkageKey& key)
    : key_(key),
      hmac_key_(Subkey(key, "hmac")),
      name_chars_key_(Subkey(key, "bloom/name_chars")),
      name_pinyin_key_(Subkey(key, "bloom/name_pinyin")),
      id_key_(Subkey(key, "bloom/id_digits")),
      dob_key_(Subkey(key, "bloom/dob_digits")),
      address_key_(Subkey(key, "bloom/address")),
      email_key_(Subkey(key, "bloom/email")),
      states_(MakeStates()),
      key_id_(Token("key_id", "concord.linkage.v1")),
      memo_id_(next_memo_id++) {}

struct Encoder::KeyedStates {
  crypto_auth_hmacsha256_state hmac;
  // One per filter, in AddGrams' order: name_chars, name_pinyin, id, dob, email, address.
  crypto_generichash_state bloom[6];
};

std::shared_ptr<const Encoder::KeyedStates> Encoder::MakeStates() const {
  auto s = std::make_shared<KeyedStates>();
  crypto_auth_hmacsha256_init(&s->hmac, hmac_key_.data(), hmac_key_.size());
  const std::array<uint8_t, 32>* keys[6] = {&name_chars_key_, &name_pinyin_key_, &id_key_,
                                            &dob_key_,        &email_key_,       &address_key_};
  for (int i = 0; i < 6; ++i)
    crypto_generichash_init(&s->bloom[i], keys[i]->data(), keys[i]->size(), 2 * kHashesPerGram);
  return s;
}

std::string Encoder::Token(std::string_view purpose, std::string_view value) const {
  crypto_auth_hmacsha256_state st = states_->hmac;  // keyed already
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const uint8_t*>(purpose.data()),
                                purpose.size());
  const uint8_t sep = 0;
  crypto_auth_hmacsha256_update(&st, &sep, 1);
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const uint8_t*>(value.data()), value.size());
  uint8_t mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  return std::string(reinterpret_cast<const char*>(mac), kTokenBytes);
}

void Encoder::AddGrams(std::string_view which, const std::vector<std::string>& grams,
                       Bloom* out) const {
  const int k = which == "name_chars"    ? 0
                : which == "name_pinyin" ? 1
                : which == "id"          ? 2
                : which == "dob"         ? 3
                : which == "email"       ? 4
                                         : 5;
  auto& memo = ThreadMemo(memo_id_).grams[k];
  for (const std::string& g : grams) {
    auto it = memo.find(g);
    if (it == memo.end()) {
      uint8_t h[2 * kHashesPerGram];  // k independent 16-bit outputs of one keyed PRF call
      // Keyed BLAKE2b of the gram: the keyed state copied, then the gram.
      crypto_generichash_state st = states_->bloom[k];
      crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(g.data()), g.size());
      crypto_generichash_final(&st, h, sizeof h);
      std::array<uint16_t, kHashesPerGram> bits;
      for (int i = 0; i < kHashesPerGram; ++i)
        bits[i] = (h[2 * i] | (h[2 * i + 1] << 8)) % kBloomBits;  // 512 divides 65536: unbiased
      if (memo.size() >= kMemoEntries) memo.clear();
      it = memo.emplace(g, bits).first;
    }
    for (const uint16_t bit : it->second) out->bits[bit / 64] |= uint64_t{1} << (bit % 64);
  }
}

const std::string& Encoder::RecurringToken(std::string_view purpose, std::string_view value) const {
  auto& memo = ThreadMemo(memo_id_).tokens;
  std::string key(purpose);
  key.push_back('\0');
  key.append(value);
  auto it = memo.find(key);
  if (it == memo.end()) {
    if (memo.size() >= kMemoEntries) memo.clear();
    it = memo.emplace(std::move(key), Token(purpose, value)).first;
  }
  return it->second;
}

std::string Encoder::CaseToken(std::string_view ref) const {
  const std::string n = NormalizeCaseRef(ref);
  return n.empty() ? std::string() : Token("case", n);
}

EncodedRecord Encoder::Encode(const AidRecord& r) const {
  EncodedRecord e;
  e.record_id = r.record_id;
  e.agency = r.agency;
  e.aid_type = r.aid_type;
  e.amount_fen = r.amount_fen;
  e.granted_on = r.granted_on;

  // Identity number, and what it implies.
  const NormalizedId id = NormalizeIdNumber(r.id_number);
  e.id_quality = id.quality;
  if (id.quality != IdQuality::kMissing) {
    e.id_token = Token("id", id.value);
    std::vector<std::string> grams;
    for (size_t i = 0; i < id.value.size(); ++i)
      grams.push_back(absl::StrCat(i, ":", id.value.substr(i, 1)));
    AddGrams("id", grams, &e.id_digits);
  }
  std::string dob = NormalizeDate(r.birth_date);
  if (dob.empty()) dob = id.birth_date;
  std::string gender = r.gender.empty() ? id.gender : r.gender;
  if (!dob.empty()) {
    e.dob_token = RecurringToken("dob", dob);
    std::vector<std::string> grams;
    for (size_t i = 0; i < dob.size(); ++i) grams.push_back(absl::StrCat(i, ":", dob.substr(i, 1)));
    AddGrams("dob", grams, &e.dob_digits);
  }
  if (!gender.empty()) e.gender_token = RecurringToken("gender", gender);

  // Name.
  const NormalizedName name = NormalizeName(r.name);
  if (name.han) {
    const auto cps = CodePoints(name.chars);
    std::vector<std::string> grams(cps.begin(), cps.end());
    for (size_t i = 0; i + 1 < cps.size(); ++i) grams.push_back(cps[i] + cps[i + 1]);
    AddGrams("name_chars", grams, &e.name_chars);
  }
  {
    std::vector<std::string> grams;
    for (const auto& t : name.tokens) PaddedBigrams(t, &grams);
    AddGrams("name_pinyin", grams, &e.name_pinyin);
  }

  const std::string phone = NormalizePhone(r.phone);
  if (phone.size() >= 7) e.phone_token = Token("phone", phone);

  // Address: the parts below the city compare; province and city only as a token.
  const AddressParts addr = NormalizeAddress(r.address);
  {
    const std::string below = absl::StrCat(addr.district, addr.town, addr.village, addr.rest);
    std::vector<std::string> grams;
    if (!addr.han) {
      // Latin or unparsed: word bigrams of each token.
      std::string tok;
      for (char c : addr.rest + " ") {
        if (c == ' ' || c == ',') {
          if (!tok.empty()) PaddedBigrams(tok, &grams);
          tok.clear();
        } else {
          tok.push_back(c);
        }
      }
    } else {
      const auto cps = CodePoints(below);
      for (size_t i = 0; i + 1 < cps.size(); ++i) grams.push_back(cps[i] + cps[i + 1]);
    }
    AddGrams("address", grams, &e.address);
    // An address that is only a locality ("London") is compared once, by
    // its filter (a typo is still similar); a city token beside it would
    // count the same fact twice.
    if ((!addr.city.empty() || !addr.province.empty()) && !addr.locality_only)
      e.address_city_token = RecurringToken("city", addr.city.empty() ? addr.province : addr.city);
  }

  const std::string email = NormalizeText(r.email);
  if (!email.empty()) {
    e.email_token = Token("email", email);
    std::vector<std::string> grams;
    PaddedBigrams(email, &grams);
    AddGrams("email", grams, &e.email);
  }

  // The case.
  for (const auto& ref : r.case_refs) {
    const std::string n = NormalizeCaseRef(ref);
    if (n.empty()) continue;
    e.case_tokens.push_back(Token("case", n));
    std::string shape;
    for (char c : n)
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c)))
        shape.push_back(c);
      else if (shape.empty() || shape.back() != '#')
        shape.push_back('#');
    // Only numbers written with Chinese (沪0104刑初, 检刑诉): an all-digit or
    // Latin number (a police 立案号 A...) says nothing of its agency's
    // numbering once its digits are gone.
    const bool chinese = std::any_of(n.begin(), n.end(),
                                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    if (chinese) e.case_kinds.push_back(RecurringToken("case_kind", shape));
  }
  const std::string incident = NormalizeDate(r.incident_date);
  const std::string crime = NormalizeCrime(r.crime);
  if (!incident.empty() && !crime.empty())
    e.incident_token = Token("incident", incident + "|" + crime);
  if (!incident.empty()) {
    const std::chrono::year_month_day ymd{
        std::chrono::year{std::stoi(incident.substr(0, 4))},
        std::chrono::month{static_cast<unsigned>(std::stoi(incident.substr(4, 2)))},
        std::chrono::day{static_cast<unsigned>(std::stoi(incident.substr(6, 2)))}};
    const std::chrono::sys_days day{ymd};
    for (int k = -EncodedRecord::kDaysAround; k <= EncodedRecord::kDaysAround; ++k) {
      const std::chrono::year_month_day d{day + std::chrono::days{k}};
      e.incident_days.push_back(RecurringToken(
          "incident_day",
          absl::StrFormat("%04d%02u%02u", int{d.year()}, unsigned{d.month()}, unsigned{d.day()})));
    }
  }
  for (const std::string& charge : Charges(r.crime))
    e.crime_tokens.push_back(RecurringToken("crime", charge));

  // Blocking keys: pairs that share none are never compared.
  std::vector<std::string> keys;
  if (id.value.size() >= 6) keys.push_back(Token("block/id", id.value));  // weak ones too
  if (!dob.empty()) keys.push_back(RecurringToken("block/dob", dob));
  if (phone.size() >= 7) keys.push_back(Token("block/phone", phone));
  if (!email.empty()) {
    keys.push_back(Token("block/email", email));
    // The part before @ survives a mistyped domain.
    if (const size_t at = email.find('@'); at != std::string::npos && at >= 3)
      keys.push_back(Token("block/email_user", email.substr(0, at)));
  }
  if (!name.tokens.empty()) {
    std::vector<std::string> sorted = name.tokens;
    std::sort(sorted.begin(), sorted.end());
    const std::string pinyin = absl::StrJoin(sorted, " ");
    keys.push_back(Token("block/pinyin", pinyin));
    // Finer keys inside a name's block: a common name (张伟) at province
    // scale makes a block too large to compare whole (max_block); its
    // members are still compared within their city and within their birth
    // year, so the common name is narrowed, not skipped.
    const std::string& city = addr.city.empty() ? addr.province : addr.city;
    if (!city.empty()) keys.push_back(Token("block/pinyin_city", pinyin + "|" + city));
    if (dob.size() == 8)
      keys.push_back(Token("block/pinyin_year", pinyin + "|" + dob.substr(0, 4)));
    // One name token with a second field: survives a typo in the other token
    // or in part of the birth date.
    // Romanised names are also abbreviated ("Rob" for "Robert"): their
    // tokens also key by their first three letters.
    // A Han name's pinyin already absorbs homophones, traditional forms and
    // romanisation, and its single syllables ("wei") are shared by millions:
    // only Latin names key by their single tokens.
    std::vector<std::string> name_keys;
    for (const auto& t : name.han ? std::vector<std::string>{} : name.tokens) {
      if (t.size() < 2) continue;
      name_keys.push_back(t);
      if (t.size() > 3) name_keys.push_back(t.substr(0, 3) + "~");
    }
    for (const auto& t : name_keys) {
      // A whole Latin name token alone (common ones make blocks too large
      // to use and are dropped by the max_block cap).
      if (t.size() >= 4 && t.back() != '~') keys.push_back(Token("block/token", t));
      if (dob.size() == 8) {
        keys.push_back(Token("block/token_year", t + "|" + dob.substr(0, 4)));
        keys.push_back(Token("block/token_mmdd", t + "|" + dob.substr(4, 4)));
      }
      if (!addr.city.empty()) keys.push_back(Token("block/token_city", t + "|" + addr.city));
    }
  }
  if (name.han && !name.chars.empty()) keys.push_back(Token("block/chars", name.chars));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  e.block_keys = std::move(keys);
  return e;
}

}  // namespace concord::aid
