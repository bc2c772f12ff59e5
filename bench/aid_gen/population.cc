#include "bench/aid_gen/population.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace concord::aidgen {

// ---------------------------------------------------------------------------
// Dates

int64_t DaysFromCivil(Date date) {
  const int y = date.y - (date.m <= 2);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (date.m + (date.m > 2 ? -3 : 9)) + 2) / 5 + date.d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return int64_t{era} * 146097 + doe - 719468;
}

Date CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

Date AddDays(Date date, int64_t days) { return CivilFromDays(DaysFromCivil(date) + days); }

Date RandomDate(Rng& rng, Date from, Date to) {
  const int64_t a = DaysFromCivil(from), b = DaysFromCivil(to);
  return CivilFromDays(a + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(b - a + 1))));
}

// ---------------------------------------------------------------------------
// Resident ID numbers

char IdCheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return "10X98765432"[sum % 11];
}

bool IsValidId18(std::string_view id) {
  if (id.size() != 18) return false;
  for (int i = 0; i < 17; ++i)
    if (id[i] < '0' || id[i] > '9') return false;
  const char last = id[17] == 'x' ? 'X' : id[17];
  return IdCheckChar(id.substr(0, 17)) == last;
}

std::string ExpandId15(std::string_view id15) {
  std::string body = std::string(id15.substr(0, 6)) + "19" + std::string(id15.substr(6));
  body.push_back(IdCheckChar(body));
  return body;
}

// ---------------------------------------------------------------------------
// The population

void Population::Generate(int people) {
  while (static_cast<int>(persons_.size()) < people) {
    // A case, sometimes shared with an earlier unrelated victim.
    int case_index;
    if (!cases_.empty() && rng_.Chance(0.03)) {
      case_index =
          static_cast<int>(cases_.size() - 1 - rng_.Below(std::min<size_t>(cases_.size(), 50)));
    } else {
      case_index = NewCase(-1, RandomDate(rng_, {2015, 1, 1}, {2024, 6, 30}));
    }
    const int p = NewPerson(case_index);
    AddGrants(p, case_index);
    if (static_cast<int>(persons_.size()) < people && rng_.Chance(0.10)) {
      const int r = NewRelative(p);
      // Relatives alive at the incident are often aided in the same case.
      const bool alive =
          DaysFromCivil(persons_[r].birth) < DaysFromCivil(cases_[case_index].incident);
      const int rc = alive && rng_.Chance(0.6) ? case_index : NewCase(r, RandomIncident(r));
      AddGrants(r, rc);
    }
  }
  // Files list grants by date, not by person; same-day grants in any order.
  for (size_t i = grants_.size(); i > 1; --i) std::swap(grants_[i - 1], grants_[rng_.Below(i)]);
  std::stable_sort(grants_.begin(), grants_.end(), [](const Grant& a, const Grant& b) {
    return DaysFromCivil(a.granted) < DaysFromCivil(b.granted);
  });
}

Date Population::RandomIncident(int person) {
  const Date from = std::max(AddDays(persons_[person].birth, 365), Date{2015, 1, 1},
                             [](Date a, Date b) { return DaysFromCivil(a) < DaysFromCivil(b); });
  return RandomDate(rng_, from, {2024, 6, 30});
}

// A stage number unique within (stage, county, year): counters with gaps.
int Population::NextNumber(int stage, int county, int year) {
  int& next = numbers_[{stage, county, year}];
  if (next == 0) next = rng_.Range(1, 200);
  const int n = next;
  next += rng_.Range(1, 20);
  return n;
}

int Population::NewCase(int person, Date incident) {
  Case c;
  c.county = person >= 0 ? NearCounty(persons_[person].address.county, 0.7, 0.15)
                         : static_cast<int>(rng_.Below(kCountyCount));
  c.crime = static_cast<int>(t_.crimes.Pick(rng_));
  c.incident = incident;
  c.police_year = incident.y;
  c.police_no = NextNumber(0, c.county, c.police_year);
  c.proc_year = incident.y + (rng_.Chance(0.4) ? 1 : 0);
  c.proc_no = NextNumber(1, c.county, c.proc_year);
  c.court_year = c.proc_year + (rng_.Chance(0.3) ? 1 : 0);
  c.court_no = NextNumber(2, c.county, c.court_year);
  cases_.push_back(c);
  return static_cast<int>(cases_.size() - 1);
}

std::vector<std::string> Population::GivenName(bool male, int length) {
  const auto& pool = male ? t_.male_chars : t_.female_chars;
  std::vector<std::string> g{rng_.Pick(pool)};
  if (length == 2) g.push_back(!male && rng_.Chance(0.05) ? g[0] : rng_.Pick(pool));
  return g;
}

// Sequence, check character and uniqueness for a person's ID.
void Population::AssignId(Person& p, int seq_hint) {
  for (int attempt = 0;; ++attempt) {
    int seq = seq_hint > 0 && attempt == 0 ? seq_hint : rng_.Range(1, 499) * 2;
    if (p.male && seq % 2 == 0) seq += 1;
    if (!p.male && seq % 2 == 1) seq += 1;
    if (seq > 999) seq -= 2;
    std::string body = absl::StrFormat("%s%04d%02d%02d%03d", kCounties[p.id_county].code, p.birth.y,
                                       p.birth.m, p.birth.d, seq);
    if (!ids_.insert(body).second) continue;
    body.push_back(IdCheckChar(body));
    p.id18 = std::move(body);
    return;
  }
}

std::string Population::NewPhone() {
  for (;;) {
    std::string phone = kPhonePrefixes[rng_.Below(std::size(kPhonePrefixes))];
    for (int i = 0; i < 8; ++i) phone.push_back(static_cast<char>('0' + rng_.Below(10)));
    if (phones_.insert(phone).second) return phone;
  }
}

// `county` itself with probability `same`, another county of its province
// with probability `province`, otherwise any county (migrants).
int Population::NearCounty(int county, double same, double province) {
  const double u = rng_.Unit();
  if (u < same) return county;
  if (u < same + province) {
    std::vector<int> others;
    for (int i = 0; i < kCountyCount; ++i)
      if (i != county && std::string_view(kCounties[i].province) == kCounties[county].province)
        others.push_back(i);
    if (!others.empty()) return rng_.Pick(others);
  }
  return static_cast<int>(rng_.Below(kCountyCount));
}

Address Population::NewAddress(int county) {
  Address a;
  a.county = county;
  const CountyRow& c = kCounties[a.county];
  if (IsRural(c)) {
    a.street = rng_.Pick(kTownStems) + "镇";
    a.rest = rng_.Pick(kVillageStems) + "村";
    if (rng_.Chance(0.5)) a.rest += absl::StrCat(rng_.Range(1, 12), "组");
    a.rest += absl::StrCat(rng_.Range(1, 150), "号");
  } else {
    a.street = rng_.Pick(kStreetStems) + "街道";
    a.rest = rng_.Pick(kRoadStems);
    const double r = rng_.Unit();
    static constexpr const char* kDirections[] = {"东", "南", "西", "北", "中"};
    if (r < 0.15) a.rest += kDirections[rng_.Below(std::size(kDirections))];
    a.rest += r < 0.80 ? "路" : r < 0.92 ? "街" : "大道";
    if (std::string_view(c.province) == "上海市" && rng_.Chance(0.5)) {
      a.rest += absl::StrCat(rng_.Range(1, 1200), "弄", rng_.Range(1, 60), "号", rng_.Range(1, 6),
                             "0", rng_.Range(1, 4), "室");
    } else {
      a.rest += absl::StrCat(rng_.Range(1, 999), "号");
      if (rng_.Chance(0.4)) {
        a.rest += absl::StrCat(rng_.Range(1, 30), "栋", rng_.Range(1, 4), "单元", rng_.Range(1, 25),
                               "0", rng_.Range(1, 4), "室");
      }
    }
  }
  return a;
}

// Age at the incident: children, working age, elderly.
Date Population::BirthFor(Date incident) {
  const double u = rng_.Unit();
  const int age = u < 0.12 ? rng_.Range(1, 17) : u < 0.85 ? rng_.Range(18, 59) : rng_.Range(60, 85);
  return AddDays(incident, -(int64_t{age} * 365 + rng_.Range(0, 364)));
}

int Population::NewPerson(int case_index) {
  Person p;
  if (rng_.Chance(0.04)) {
    const CommonName& n = kCommonNames[rng_.Below(std::size(kCommonNames))];
    p.surname = n.surname;
    p.surname_pinyin = kSurnames[SurnameIndex(n.surname)].pinyin;
    p.given = Utf8Chars(n.given);
    p.male = n.male;
  } else {
    const SurnameRow& s = kSurnames[t_.surnames.Pick(rng_)];
    p.surname = s.hanzi;
    p.surname_pinyin = s.pinyin;
    p.male = rng_.Chance(0.5);
    p.given = GivenName(p.male, rng_.Chance(0.25) ? 1 : 2);
  }
  p.birth = BirthFor(cases_[case_index].incident);
  // Victims mostly live where the crime happened and were born nearby.
  p.address = NewAddress(NearCounty(cases_[case_index].county, 0.7, 0.15));
  p.id_county = NearCounty(p.address.county, 0.75, 0.10);
  AssignId(p);
  p.phone = NewPhone();
  persons_.push_back(std::move(p));
  return static_cast<int>(persons_.size() - 1);
}

// A spouse, child, parent or twin: same address, usually the same phone.
int Population::NewRelative(int of) {
  const Person& base = persons_[of];
  Person r;
  r.address = base.address;
  r.phone = rng_.Chance(0.8) ? base.phone : NewPhone();
  r.id_county = rng_.Chance(0.85) ? base.id_county : NearCounty(r.address.county, 0.75, 0.10);
  enum { kTwin, kSpouse, kChild, kParent } kind;
  const double u = rng_.Unit();
  kind = u < 0.04 ? kTwin : u < 0.40 ? kSpouse : u < 0.75 ? kChild : kParent;
  if (kind == kChild && base.birth.y > 1990) kind = kParent;
  if (kind == kParent && base.birth.y < 1960) kind = kChild;
  const int64_t year = 365;
  int seq_hint = 0;
  if (kind == kTwin) {  // same birth date and surname, often a shared first character
    r.male = rng_.Chance(0.5);
    r.birth = base.birth;
    r.id_county = base.id_county;
    r.surname = base.surname;
    r.surname_pinyin = base.surname_pinyin;
    const auto& pool = r.male ? t_.male_chars : t_.female_chars;
    do {
      r.given = base.given.size() == 2 && rng_.Chance(0.7)
                    ? std::vector<std::string>{base.given[0], rng_.Pick(pool)}
                    : GivenName(r.male, static_cast<int>(base.given.size()));
    } while (r.given == base.given);
    seq_hint = std::stoi(base.id18.substr(14, 3)) + 1;
  } else {
    bool same_surname;
    if (kind == kSpouse) {  // Chinese wives keep their surnames
      r.male = !base.male;
      r.birth = AddDays(base.birth, rng_.Range(-5, 5) * year + rng_.Range(-180, 180));
      same_surname = rng_.Chance(0.05);
    } else if (kind == kChild) {
      r.male = rng_.Chance(0.5);
      r.birth = AddDays(base.birth, rng_.Range(20, 38) * year + rng_.Range(0, 364));
      same_surname = rng_.Chance(0.85);
    } else {
      r.male = rng_.Chance(0.5);
      r.birth = AddDays(base.birth, -(rng_.Range(20, 38) * year + rng_.Range(0, 364)));
      same_surname = r.male || rng_.Chance(0.1);
    }
    const Date latest{2022, 12, 31}, earliest{1930, 1, 1};
    if (DaysFromCivil(r.birth) > DaysFromCivil(latest))
      r.birth = RandomDate(rng_, {2012, 1, 1}, latest);
    if (DaysFromCivil(r.birth) < DaysFromCivil(earliest))
      r.birth = RandomDate(rng_, earliest, {1940, 12, 31});
    if (same_surname) {
      r.surname = base.surname;
      r.surname_pinyin = base.surname_pinyin;
    } else {
      const SurnameRow& s = kSurnames[t_.surnames.Pick(rng_)];
      r.surname = s.hanzi;
      r.surname_pinyin = s.pinyin;
    }
    r.given = GivenName(r.male, rng_.Chance(0.25) ? 1 : 2);
  }
  AssignId(r, seq_hint);
  persons_.push_back(std::move(r));
  return static_cast<int>(persons_.size() - 1);
}

size_t Population::SurnameIndex(std::string_view hanzi) {
  for (size_t i = 0; i < std::size(kSurnames); ++i)
    if (hanzi == kSurnames[i].hanzi) return i;
  return 0;
}

Agency Population::RandomAgency() {
  const double u = rng_.Unit();
  return u < 0.35   ? Agency::kProcuratorate
         : u < 0.65 ? Agency::kCourt
         : u < 0.80 ? Agency::kPolice
                    : Agency::kJusticeBureau;
}

// Mostly money; children get education aid often and never job help.
AidType Population::RandomAidType(const Person& p, Date on) {
  const bool child = DaysFromCivil(on) - DaysFromCivil(p.birth) < 16 * 365;
  const double u = rng_.Unit();
  if (child && u < 0.25) return AidType::kEducation;
  if (u < 0.70) return AidType::kMoney;
  static constexpr AidType kAdult[] = {AidType::kCounselling, AidType::kTraining,
                                       AidType::kPlacement,   AidType::kDisability,
                                       AidType::kEducation,   AidType::kMedical};
  static constexpr AidType kChild[] = {AidType::kCounselling, AidType::kDisability,
                                       AidType::kEducation, AidType::kMedical};
  return child ? kChild[rng_.Below(std::size(kChild))] : kAdult[rng_.Below(std::size(kAdult))];
}

// Amounts lean low: 2000 to 50000 yuan in steps of 500.
int Population::RandomAmount() {
  const double u = rng_.Unit();
  const int top = u < 0.6 ? 10000 : u < 0.9 ? 30000 : 50000;
  return rng_.Range(4, top / 500) * 500;
}

Grant Population::MakeGrant(int person, int case_index, Agency agency, AidType type) {
  Grant g;
  g.person = person;
  g.case_index = case_index;
  g.agency = agency;
  g.type = type;
  if (type == AidType::kMoney) g.amount_yuan = RandomAmount();
  const Date latest{2025, 6, 30};
  g.granted = AddDays(cases_[case_index].incident, rng_.Range(30, 900));
  if (DaysFromCivil(g.granted) > DaysFromCivil(latest)) g.granted = latest;
  return g;
}

void Population::AddGrants(int person, int case_index) {
  const double u = rng_.Unit();
  const int k = u < 0.70 ? 1 : u < 0.88 ? 2 : u < 0.96 ? 3 : 4;
  Grant first = MakeGrant(person, case_index, RandomAgency(),
                          RandomAidType(persons_[person], cases_[case_index].incident));
  first.original = true;
  grants_.push_back(first);
  std::vector<Grant> mine{first};
  for (int i = 1; i < k; ++i) {
    if (rng_.Chance(0.65)) {
      // The same case again: usually another agency, same kind of aid.
      const Grant& prior = mine[rng_.Below(mine.size())];
      Agency agency = prior.agency;
      if (rng_.Chance(0.8)) {
        while (agency == prior.agency) agency = RandomAgency();
      }
      const AidType type = rng_.Chance(0.7)
                               ? prior.type
                               : RandomAidType(persons_[person], cases_[prior.case_index].incident);
      Grant g = MakeGrant(person, prior.case_index, agency, type);
      if (agency == prior.agency && type == prior.type && rng_.Chance(0.5))
        g.amount_yuan = prior.amount_yuan;
      mine.push_back(g);
    } else {
      const int c = NewCase(person, RandomIncident(person));
      mine.push_back(MakeGrant(person, c, RandomAgency(),
                               RandomAidType(persons_[person], cases_[c].incident)));
    }
    grants_.push_back(mine.back());
  }
}

}  // namespace concord::aidgen
