#include "bench/aid_gen/render.h"

#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace concord::aidgen {
namespace {

// ---------------------------------------------------------------------------
// Text helpers

// ASCII to full-width forms (U+FF01..U+FF5E), space to U+3000.
std::string FullWidth(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ') {
      out += "\u3000";
    } else if (c > 0x20 && c < 0x7F) {
      const unsigned cp = 0xFEE0 + static_cast<unsigned char>(c);
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Capitalised(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// ---------------------------------------------------------------------------
// Dates as written and read back

enum class DateFormat { kIso, kSlash, kCompact, kChinese };

std::string FormatDate(Date d, DateFormat f) {
  switch (f) {
    case DateFormat::kIso:
      return absl::StrFormat("%04d-%02d-%02d", d.y, d.m, d.d);
    case DateFormat::kSlash:
      return absl::StrFormat("%04d/%02d/%02d", d.y, d.m, d.d);
    case DateFormat::kCompact:
      return absl::StrFormat("%04d%02d%02d", d.y, d.m, d.d);
    case DateFormat::kChinese:
      return absl::StrFormat("%d年%d月%d日", d.y, d.m, d.d);
  }
  return "";
}

// The mix of formats agencies export: mostly ISO.
DateFormat RandomDateFormat(Rng& rng) {
  const double u = rng.Unit();
  return u < 0.85   ? DateFormat::kIso
         : u < 0.91 ? DateFormat::kSlash
         : u < 0.96 ? DateFormat::kCompact
                    : DateFormat::kChinese;
}

// Reads back any format FormatDate writes.
std::optional<Date> ParseDate(std::string_view s) {
  std::vector<int> parts;
  int value = -1;
  int digits = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      value = (value < 0 ? 0 : value) * 10 + (c - '0');
      ++digits;
    } else if (value >= 0) {
      parts.push_back(value);
      value = -1;
    }
  }
  if (value >= 0) parts.push_back(value);
  if (parts.size() == 1 && digits == 8) {
    parts = {parts[0] / 10000, parts[0] / 100 % 100, parts[0] % 100};
  }
  if (parts.size() != 3) return std::nullopt;
  return Date{parts[0], parts[1], parts[2]};
}

}  // namespace

// ---------------------------------------------------------------------------
// Rendering rows, with the profile's corruptions on copies

std::vector<Row> Renderer::RenderAll() {
  std::vector<Row> rows;
  rows.reserve(pop_.grants().size());
  std::array<int, 4> counters{};
  for (const Grant& g : pop_.grants()) {
    Row row = Render(g);
    const int a = static_cast<int>(g.agency);
    row.record_id =
        absl::StrFormat("%s%04d%06d", kAgencyRecordPrefix[a], g.granted.y, ++counters[a]);
    rows.push_back(std::move(row));
  }
  return rows;
}

bool Renderer::Strike(double rate, const char* what) {
  if (!rng_.Chance(rate)) return false;
  tally_.Add(what);
  return true;
}

Row Renderer::Render(const Grant& g) {
  const Person& p = pop_.persons()[g.person];
  const Case& c = pop_.cases()[g.case_index];
  const bool copy = !g.original;
  Row row;
  row.person = g.person;
  row.original = g.original;
  row.agency = kAgencyNames[static_cast<int>(g.agency)];
  const bool traditional = copy && Strike(pr_.traditional, "traditional");
  row.name = copy ? CorruptName(p, traditional) : p.surname + absl::StrJoin(p.given, "");
  RenderId(p, copy, row);
  if (copy && Strike(pr_.birth_missing, "birth_missing")) {
    // left empty
  } else if (copy && Strike(pr_.birth_format, "birth_format")) {
    row.birth_date = FormatDate(p.birth, static_cast<DateFormat>(rng_.Range(1, 3)));
  } else {
    row.birth_date = FormatDate(p.birth, DateFormat::kIso);
  }
  row.gender = Gender(p.male, copy);
  if (copy && Strike(pr_.phone_missing, "phone_missing")) {
    // left empty
  } else if (copy && Strike(pr_.phone_format, "phone_format")) {
    row.phone = FormatPhone(p.phone);
  } else {
    row.phone = p.phone;
  }
  row.address = RenderAddress(p.address, copy, traditional);
  row.case_ref = CaseRef(c, g.agency);
  const DateFormat df = RandomDateFormat(rng_);
  if (!(copy && Strike(pr_.incident_missing, "incident_missing")))
    row.incident_date = FormatDate(c.incident, df);
  row.crime = kCrimes[c.crime].name;
  if (rng_.Chance(0.15)) row.crime += "罪";
  const int type = static_cast<int>(g.type);
  row.aid_type = rng_.Chance(0.55) ? kAidChinese[type] : kAidEnglish[type];
  if (g.type == AidType::kMoney) row.amount_yuan = FormatAmount(g.amount_yuan);
  row.granted_on = FormatDate(g.granted, df);
  if (pr_.agency_habits) AgencyHabits(c, g.agency, row);
  row.person_id = absl::StrFormat("P%06d", g.person + 1);
  row.case_id = absl::StrFormat("C%06d", g.case_index + 1);
  return row;
}

std::string Renderer::CorruptName(const Person& p, bool traditional) {
  const bool fullwidth = Strike(pr_.fullwidth, "fullwidth");
  if (Strike(pr_.pinyin, "pinyin")) return PinyinName(p, fullwidth);
  std::vector<std::string> given = p.given;
  std::vector<size_t> candidates;
  for (size_t i = 0; i < given.size(); ++i)
    if (t_.homophones.contains(given[i])) candidates.push_back(i);
  if (!candidates.empty() && Strike(pr_.homophone, "homophone")) {
    const size_t i = candidates[rng_.Below(candidates.size())];
    given[i] = rng_.Pick(t_.homophones.at(given[i]));
  }
  if (traditional) {
    for (std::string& c : given) c = t_.ToTraditional(c);
  }
  std::string sep = fullwidth ? "\u3000" : "";
  if (Strike(pr_.spacing, "spacing")) {
    if (sep.empty()) sep = rng_.Chance(0.6) ? " " : "\u3000";
    if (given.size() == 2 && rng_.Chance(0.3)) given[0] += sep;  // 张 晓 明
  }
  const std::string surname = traditional ? t_.ToTraditional(p.surname) : p.surname;
  return surname + sep + absl::StrJoin(given, "");
}

// "Zhang Wei", "ZHANG Wei", "Wei Zhang", "zhangwei" or "ZHANG WEI".
std::string Renderer::PinyinName(const Person& p, bool fullwidth) {
  const std::string first = p.surname_pinyin == "lyu" && rng_.Chance(0.5) ? "lv" : p.surname_pinyin;
  std::string last;
  for (const std::string& c : p.given) {
    const std::string& py = t_.pinyin.at(c);
    // An apostrophe keeps "xi'an" apart from "xian".
    if (!last.empty() && (py[0] == 'a' || py[0] == 'e' || py[0] == 'o')) last += "'";
    last += py;
  }
  const double u = rng_.Unit();
  const std::string name = u < 0.35   ? Capitalised(first) + " " + Capitalised(last)
                           : u < 0.55 ? Upper(first) + " " + Capitalised(last)
                           : u < 0.70 ? Capitalised(last) + " " + Capitalised(first)
                           : u < 0.85 ? first + absl::StrReplaceAll(last, {{"'", ""}})
                                      : Upper(first) + " " + Upper(last);
  return fullwidth ? FullWidth(name) : name;
}

void Renderer::RenderId(const Person& p, bool copy, Row& row) {
  std::string& out = row.id_number;
  out = p.id18;
  if (!copy) return;
  if (Strike(pr_.id_missing, "id_missing")) {
    out.clear();
    row.id_state = IdState::kMissing;
  } else if (Strike(pr_.id_mistyped, "id_mistyped")) {
    if (rng_.Chance(0.5)) {
      const size_t i = rng_.Below(17);
      out[i] = static_cast<char>('0' + (out[i] - '0' + rng_.Range(1, 9)) % 10);
    } else {
      size_t i;
      do i = rng_.Below(16);
      while (out[i] == out[i + 1]);
      std::swap(out[i], out[i + 1]);
    }
    row.id_state = IdState::kMistyped;
  } else if (p.birth.y < 2000 && Strike(pr_.id_15, "id_15")) {
    out = p.id18.substr(0, 6) + p.id18.substr(8, 9);
    row.id_state = IdState::kFifteen;
  } else if (p.id18.back() == 'X' && Strike(pr_.lower_x, "id_lower_x")) {
    out.back() = 'x';
    row.id_state = IdState::kLowerX;
  }
}

std::string Renderer::Gender(bool male, bool copy) {
  const double u = copy ? rng_.Unit() : 0.0;
  if (u < 0.90) return male ? "男" : "女";
  if (u < 0.95) return male ? "M" : "F";
  return male ? "male" : "female";
}

std::string Renderer::FormatPhone(const std::string& p) {
  const std::string a = p.substr(0, 3), b = p.substr(3, 4), c = p.substr(7);
  switch (rng_.Below(6)) {
    case 0:
      return absl::StrCat("+86 ", a, " ", b, " ", c);
    case 1:
      return absl::StrCat("+86", p);
    case 2:
      return absl::StrCat(a, "-", b, "-", c);
    case 3:
      return absl::StrCat(a, " ", b, " ", c);
    case 4:
      return absl::StrCat("86-", p);
    default:
      return absl::StrCat("(+86)", p);
  }
}

std::string Renderer::RenderAddress(const Address& a, bool copy, bool traditional) {
  const CountyRow& c = kCounties[a.county];
  std::string province = c.province, city = IsMunicipality(c) ? "" : c.city, street = a.street;
  if (copy && Strike(pr_.address_abbrev, "address_abbrev")) {
    const double u = rng_.Unit();
    if (u < 0.40) {
      province.clear();  // a municipality has no city part left either
    } else if (u < 0.75) {
      province.clear();
      city.clear();
    } else {
      street.clear();
    }
  }
  std::string s = province + city + c.county + street + a.rest;
  if (copy && Strike(pr_.address_typo, "address_typo"))
    s = Typo(s, std::string(province + city + c.county).size());
  return traditional ? t_.ToTraditional(s) : s;
}

// After the county: swaps a character for a homophone, drops one (never
// the unit between two numbers, which would merge them), or changes a digit.
std::string Renderer::Typo(const std::string& s, size_t protected_bytes) {
  const std::string head = s.substr(0, protected_bytes);
  std::vector<std::string> tail = Utf8Chars(s.substr(protected_bytes));
  const auto is_digit = [&](size_t j) {
    return j < tail.size() && tail[j].size() == 1 && tail[j][0] >= '0' && tail[j][0] <= '9';
  };
  std::vector<size_t> droppable, homophone, digit;
  for (size_t i = 0; i < tail.size(); ++i) {
    if (tail[i].size() == 3 && !(i > 0 && is_digit(i - 1)) && !is_digit(i + 1))
      droppable.push_back(i);
    if (t_.homophones.contains(tail[i])) homophone.push_back(i);
    if (is_digit(i)) digit.push_back(i);
  }
  const double u = rng_.Unit();
  if (u < 0.35 && !homophone.empty()) {
    const size_t i = homophone[rng_.Below(homophone.size())];
    tail[i] = rng_.Pick(t_.homophones.at(tail[i]));
  } else if (u < 0.70 && droppable.size() > 2) {
    tail.erase(tail.begin() + static_cast<ptrdiff_t>(droppable[rng_.Below(droppable.size())]));
  } else if (!digit.empty()) {
    const size_t i = digit[rng_.Below(digit.size())];
    const bool leading = i == 0 || !is_digit(i - 1);
    char d;
    do d = static_cast<char>('0' + rng_.Below(10));
    while (d == tail[i][0] || (leading && d == '0'));
    tail[i] = std::string(1, d);
  }
  return head + absl::StrJoin(tail, "");
}

// The agency's own stage number, sometimes a second stage's after ';'.
std::string Renderer::CaseRef(const Case& c, Agency agency) {
  enum Stage { kPolice, kProc, kCourt };
  Stage own;
  const double u = rng_.Unit();
  switch (agency) {
    case Agency::kPolice:
      own = kPolice;
      break;
    case Agency::kProcuratorate:
      own = u < 0.7 ? kProc : kPolice;
      break;
    case Agency::kCourt:
      own = kCourt;
      break;
    default:
      own = u < 0.5 ? kCourt : u < 0.8 ? kPolice : kProc;
      break;
  }
  const bool wide = Strike(pr_.ref_fullwidth, "ref_fullwidth");
  auto render = [&](Stage s) -> std::string {
    const CountyRow& k = kCounties[c.county];
    switch (s) {
      case kPolice:
        return wide ? absl::StrFormat("%s公（刑）字〔%d〕%d号", k.province_abbr, c.police_year,
                                      c.police_no)
                    : absl::StrFormat("%s公(刑)字[%d]%d号", k.province_abbr, c.police_year,
                                      c.police_no);
      case kProc: {
        const std::string county_abbr = Utf8Chars(k.county)[0];
        return wide ? absl::StrFormat("%s%s检刑诉〔%d〕%d号", k.province_abbr, county_abbr,
                                      c.proc_year, c.proc_no)
                    : absl::StrFormat("%s%s检刑诉[%d]%d号", k.province_abbr, county_abbr,
                                      c.proc_year, c.proc_no);
      }
      case kCourt:
        return wide ? absl::StrFormat("（%d）%s%s刑初%d号", c.court_year, k.province_abbr,
                                      k.code + 2, c.court_no)
                    : absl::StrFormat("(%d)%s%s刑初%d号", c.court_year, k.province_abbr, k.code + 2,
                                      c.court_no);
    }
    return "";
  };
  std::string ref = render(own);
  if (rng_.Chance(pr_.two_refs)) {
    Stage other;
    do other = static_cast<Stage>(rng_.Below(3));
    while (other == own);
    ref += rng_.Chance(0.8) ? ";" : "；";
    ref += render(other);
  }
  return ref;
}

// ---------------------------------------------------------------------------
// Each agency's habits (the "agencies" profile)

namespace {

// Wordings of each charge of kCrimes (same order) that case lists and
// notices use: short forms, circumstances, the attempt.
const std::vector<std::vector<std::string>>& CrimeWordings() {
  static const auto* kWordings = new std::vector<std::vector<std::string>>{
      {"伤害", "故意伤人", "故意伤害（致人重伤）", "故意伤害致人轻伤"},
      {"交通事故", "交通肇事逃逸", "肇事"},
      {"电信网络诈骗", "电信诈骗", "网络诈骗"},
      {"杀人", "故意杀人（未遂）"},
      {"入室盗窃", "扒窃"},
      {"持刀抢劫", "抢劫（未遂）"},
      {"寻衅滋事"},
      {"强奸（未遂）"},
      {"过失致死"},
      {"拘禁", "非法拘禁他人"},
      {"飞车抢夺"},
      {"敲诈", "勒索"},
  };
  return *kWordings;
}

// About 4% of cases end in another charge at the court (伤害 judged as 杀人).
bool ChargeChanged(const Case& c) {
  return (static_cast<uint64_t>(c.court_no) * 2654435761u >> 7) % 100 < 4;
}

}  // namespace

std::string PoliceFileNumber(const Case& c) {
  return absl::StrFormat("A%s%04d%06d", kCounties[c.county].code, c.police_year, c.police_no);
}

std::string ProcuratorateNumber(const Case& c) {
  const CountyRow& k = kCounties[c.county];
  const std::vector<std::string> chars = Utf8Chars(k.county);
  return absl::StrFormat("%s%s检刑诉[%d]%d号", chars[0], chars.size() > 2 ? chars[1] : "",
                         c.proc_year, c.proc_no);
}

std::string CourtNumber(const Case& c) {
  const CountyRow& k = kCounties[c.county];
  return absl::StrFormat("(%d)%s%s刑初%d号", c.court_year, k.province_abbr, k.code + 2, c.court_no);
}

void Renderer::AgencyHabits(const Case& c, Agency agency, Row& row) {
  const std::string charge = kCrimes[c.crime].name;
  const auto& wordings = CrimeWordings()[c.crime];
  auto worded = [&] { return rng_.Pick(wordings); };
  auto wide = [&](std::string ref) {
    if (!Strike(pr_.ref_fullwidth, "ref_fullwidth")) return ref;
    for (auto [from, to] : {std::pair{"[", "〔"}, {"]", "〕"}, {"(", "（"}, {")", "）"}})
      for (size_t at = ref.find(from); at != std::string::npos; at = ref.find(from, at))
        ref.replace(at, 1, to);
    return ref;
  };
  switch (agency) {
    case Agency::kPolice:  // 立案号; the charge as the case is named
      row.case_ref = PoliceFileNumber(c);
      row.crime = (rng_.Chance(0.4) ? worded() : charge) + "案";
      break;
    case Agency::kProcuratorate:  // its own number; 涉嫌…罪; the date a day or two off
      row.case_ref = wide(ProcuratorateNumber(c));
      row.crime = (rng_.Chance(0.5) ? "涉嫌" : "") + charge + "罪";
      if (!row.incident_date.empty() && Strike(0.25, "incident_off")) {
        const int days = static_cast<int>(rng_.Range(1, 2)) * (rng_.Chance(0.5) ? 1 : -1);
        row.incident_date = FormatDate(AddDays(c.incident, days), DateFormat::kIso);
      }
      break;
    case Agency::kCourt:  // its own number; the charge judged; no incident date mostly
      row.case_ref = wide(CourtNumber(c));
      row.crime = (ChargeChanged(c) ? kCrimes[(c.crime + 3) % std::size(kCrimes)].name : charge) +
                  std::string("罪");
      if (Strike(0.6, "incident_left_out")) row.incident_date.clear();
      break;
    default:  // the justice bureau: the number it was given, a short form
      row.case_ref = wide(rng_.Chance(0.5) ? CourtNumber(c) : ProcuratorateNumber(c));
      row.crime = rng_.Chance(0.6) ? worded() : charge;
      if (Strike(0.3, "incident_left_out")) row.incident_date.clear();
      break;
  }
}

std::string CaseLinksCsv(const Population& pop, double rate, uint64_t seed) {
  Rng rng(seed ^ 0x6c696e6b73ull);
  std::string out = "case_ref_a,case_ref_b\n";
  for (const Case& c : pop.cases()) {
    if (!rng.Chance(rate)) continue;
    absl::StrAppend(&out, PoliceFileNumber(c), ",", ProcuratorateNumber(c), "\n",
                    ProcuratorateNumber(c), ",", CourtNumber(c), "\n");
  }
  return out;
}

std::string Renderer::FormatAmount(int yuan) {
  const double u = rng_.Unit();
  if (u < 0.75) return absl::StrCat(yuan);
  if (u < 0.85) {
    return yuan >= 1000 ? absl::StrFormat("%d,%03d", yuan / 1000, yuan % 1000) : absl::StrCat(yuan);
  }
  if (u < 0.95) return absl::StrCat(yuan, "元");
  return absl::StrCat(yuan, ".00");
}

// ---------------------------------------------------------------------------
// Output

namespace {

// The columns in file order: the header names and the fields they hold.
struct ColumnDef {
  const char* name;
  std::string Row::*field;
};
constexpr ColumnDef kColumns[] = {
    {"record_id", &Row::record_id},
    {"agency", &Row::agency},
    {"name", &Row::name},
    {"id_number", &Row::id_number},
    {"birth_date", &Row::birth_date},
    {"gender", &Row::gender},
    {"phone", &Row::phone},
    {"address", &Row::address},
    {"case_ref", &Row::case_ref},
    {"incident_date", &Row::incident_date},
    {"crime", &Row::crime},
    {"aid_type", &Row::aid_type},
    {"amount_yuan", &Row::amount_yuan},
    {"granted_on", &Row::granted_on},
    {"person_id", &Row::person_id},
    {"case_id", &Row::case_id},
};

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

}  // namespace

std::string ToCsv(const std::vector<Row>& rows) {
  std::string out;
  for (const ColumnDef& c : kColumns) absl::StrAppend(&out, out.empty() ? "" : ",", c.name);
  out += '\n';
  for (const Row& row : rows) {
    bool first = true;
    for (const ColumnDef& c : kColumns) {
      if (!std::exchange(first, false)) out += ',';
      out += CsvField(row.*c.field);
    }
    out += '\n';
  }
  return out;
}

absl::StatusOr<std::string> ToGb18030(const std::string& utf8) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = 0;
  u_strFromUTF8(nullptr, 0, &length, utf8.data(), static_cast<int32_t>(utf8.size()), &status);
  if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status))
    return absl::InternalError(absl::StrCat("UTF-8 decoding: ", u_errorName(status)));
  std::u16string utf16(static_cast<size_t>(length), u'\0');
  status = U_ZERO_ERROR;
  u_strFromUTF8(utf16.data(), length, nullptr, utf8.data(), static_cast<int32_t>(utf8.size()),
                &status);
  if (U_FAILURE(status))
    return absl::InternalError(absl::StrCat("UTF-8 decoding: ", u_errorName(status)));

  UConverter* conv = ucnv_open("GB18030", &status);
  if (U_FAILURE(status))
    return absl::UnavailableError(absl::StrCat("ICU has no GB18030: ", u_errorName(status)));
  ucnv_setFromUCallBack(conv, UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  std::string out(
      static_cast<size_t>(UCNV_GET_MAX_BYTES_FOR_STRING(length, ucnv_getMaxCharSize(conv))), '\0');
  const int32_t written = ucnv_fromUChars(conv, out.data(), static_cast<int32_t>(out.size()),
                                          utf16.data(), length, &status);
  ucnv_close(conv);
  if (U_FAILURE(status))
    return absl::InternalError(absl::StrCat("GB18030 encoding: ", u_errorName(status)));
  out.resize(static_cast<size_t>(written));
  return out;
}

absl::Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot open ", path, " for writing"));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Summary and self-check

Summary Summarise(const std::vector<Row>& rows) {
  std::unordered_map<std::string, uint64_t> by_person, by_person_case;
  for (const Row& r : rows) {
    ++by_person[r.person_id];
    ++by_person_case[r.person_id + "/" + r.case_id];
  }
  Summary s;
  s.rows = rows.size();
  s.people = by_person.size();
  for (const auto& [k, n] : by_person) s.same_person_pairs += n * (n - 1) / 2;
  for (const auto& [k, n] : by_person_case) s.duplicate_grant_pairs += n * (n - 1) / 2;
  return s;
}

std::vector<std::string> SelfCheck(const std::vector<Row>& rows,
                                   const std::vector<Person>& persons) {
  std::vector<std::string> failures;
  auto fail = [&](const Row& r, const char* what) {
    failures.push_back(
        absl::StrCat(r.record_id, " (", r.person_id, "): ", what, " [", r.id_number, "]"));
  };
  std::unordered_set<std::string> record_ids;
  std::vector<int> originals(persons.size(), 0);
  for (const Row& r : rows) {
    if (!record_ids.insert(r.record_id).second) fail(r, "record_id repeated");
    const std::string& id = r.id_number;
    const std::string& truth = persons[r.person].id18;
    if (r.original) {
      ++originals[r.person];
      if (id.size() != 18 || !IsValidId18(id) || id.back() == 'x') {
        fail(r, "original ID is not a valid 18-character ID");
        continue;
      }
      const std::optional<Date> birth = ParseDate(r.birth_date);
      const Date from_id{std::stoi(id.substr(6, 4)), std::stoi(id.substr(10, 2)),
                         std::stoi(id.substr(12, 2))};
      if (!birth || !(*birth == from_id)) fail(r, "original birth_date disagrees with the ID");
      const bool male = (id[16] - '0') % 2 == 1;
      if (r.gender != (male ? "男" : "女")) fail(r, "original gender disagrees with the ID");
    }
    switch (r.id_state) {
      case IdState::kIntact:
        if (!IsValidId18(id) || id != truth) fail(r, "uncorrupted ID fails its check");
        break;
      case IdState::kLowerX:
        if (!IsValidId18(id) || id.back() != 'x') fail(r, "lower-case x ID fails its check");
        break;
      case IdState::kMistyped:
        if (IsValidId18(id)) fail(r, "mistyped ID passes its check");
        break;
      case IdState::kFifteen:
        if (id.size() != 15 || ExpandId15(id) != truth)
          fail(r, "15-digit ID does not expand to the person's ID");
        break;
      case IdState::kMissing:
        if (!id.empty()) fail(r, "missing ID is not empty");
        break;
    }
    if (!r.birth_date.empty()) {
      const std::optional<Date> birth = ParseDate(r.birth_date);
      if (!birth || !(*birth == persons[r.person].birth)) fail(r, "birth_date is not the person's");
    }
  }
  for (size_t p = 0; p < persons.size(); ++p) {
    if (originals[p] != 1)
      failures.push_back(absl::StrFormat("P%06d has %d original rows", p + 1, originals[p]));
  }
  return failures;
}

}  // namespace concord::aidgen
