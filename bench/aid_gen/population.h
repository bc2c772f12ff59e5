// The population of concord-aid-gen (bench/aid_gen/main.cc describes the
// tool and its "Population" paragraph what is built): people, their
// households, cases and grants drawn from the structure stream, the same for a
// given seed in every profile; resident ID numbers (GB 11643); and the
// profiles, each a set of corruption rates for the renderer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "bench/aid_gen/tables.h"

namespace concord::aidgen {

// ---------------------------------------------------------------------------
// Profiles (see the table at the top of bench/aid_gen/main.cc)

struct Profile {
  const char* name;
  double traditional, homophone, pinyin, spacing, fullwidth;
  double id_missing, id_mistyped, id_15, lower_x;
  double phone_missing, phone_format;
  double address_abbrev, address_typo;
  double birth_missing, birth_format, incident_missing;
  double two_refs, ref_fullwidth;
  // Each agency's own habits (render.cc AgencyHabits): its own numbers only,
  // the police's 立案号, the charge worded its way, the court leaving the
  // incident date out, the procuratorate a day or two off.
  bool agency_habits = false;
};
// clang-format off
inline constexpr Profile kProfiles[] = {
    //            trad  homo   pinyin space fullw  id_mis id_typo id_15 low_x
    //            ph_mis ph_fmt ad_abb ad_typo b_mis b_fmt inc_mis 2refs ref_fw
    {"clean",     0.01, 0.01,  0.005, 0.02, 0.005, 0.02,  0.005,  0.01, 0.20,
                  0.03,  0.05,  0.05,  0.01,   0.03, 0.05, 0.01,   0.50, 0.05},
    {"realistic", 0.05, 0.05,  0.05,  0.08, 0.03,  0.12,  0.04,   0.05, 0.50,
                  0.15,  0.20,  0.20,  0.05,   0.15, 0.20, 0.05,   0.25, 0.20},
    {"hard",      0.15, 0.15,  0.15,  0.15, 0.08,  0.40,  0.10,   0.10, 0.60,
                  0.35,  0.40,  0.40,  0.15,   0.35, 0.40, 0.15,   0.10, 0.35},
    {"agencies",  0.05, 0.05,  0.05,  0.08, 0.03,  0.12,  0.04,   0.05, 0.50,
                  0.15,  0.20,  0.20,  0.05,   0.15, 0.20, 0.05,   0.00, 0.20, true},
};
// clang-format on

// ---------------------------------------------------------------------------
// Dates (proleptic Gregorian; H. Hinnant's days_from_civil)

struct Date {
  int y = 0, m = 0, d = 0;
  friend bool operator==(const Date&, const Date&) = default;
};

int64_t DaysFromCivil(Date date);
Date CivilFromDays(int64_t z);
Date AddDays(Date date, int64_t days);
Date RandomDate(Rng& rng, Date from, Date to);

// ---------------------------------------------------------------------------
// Resident ID numbers (GB 11643-1999)

// The check character of the first 17 characters of an ID.
char IdCheckChar(std::string_view first17);

// An 18-character ID with digits where digits belong and a matching check
// character; lower-case x accepted.
bool IsValidId18(std::string_view id);

// 15-digit first-generation number -> its 18-character form.
std::string ExpandId15(std::string_view id15);

// ---------------------------------------------------------------------------
// The population

struct Address {
  int county = 0;
  std::string street;  // 街道 or 镇 part, e.g. "枫林街道"
  std::string rest;    // road and number, or village and number
};

struct Person {
  std::string surname, surname_pinyin;
  std::vector<std::string> given;  // one or two characters
  bool male = false;
  Date birth;
  int id_county = 0;
  std::string id18;
  std::string phone;
  Address address;
};

struct Case {
  int county = 0;
  int crime = 0;
  Date incident;
  int police_year = 0, police_no = 0;
  int proc_year = 0, proc_no = 0;
  int court_year = 0, court_no = 0;
};

struct Grant {
  int person = 0;
  int case_index = 0;
  Agency agency = Agency::kProcuratorate;
  AidType type = AidType::kMoney;
  int amount_yuan = 0;  // money only
  Date granted;
  bool original = false;  // the person's first, clean row
};

// Builds people, cases and grants from the structure stream.
class Population {
 public:
  Population(const Tables& tables, uint64_t seed) : t_(tables), rng_(seed) {}

  void Generate(int people);

  const std::vector<Person>& persons() const { return persons_; }
  const std::vector<Case>& cases() const { return cases_; }
  const std::vector<Grant>& grants() const { return grants_; }

 private:
  Date RandomIncident(int person);
  int NextNumber(int stage, int county, int year);
  int NewCase(int person, Date incident);
  std::vector<std::string> GivenName(bool male, int length);
  void AssignId(Person& p, int seq_hint = 0);
  std::string NewPhone();
  int NearCounty(int county, double same, double province);
  Address NewAddress(int county);
  Date BirthFor(Date incident);
  int NewPerson(int case_index);
  int NewRelative(int of);
  static size_t SurnameIndex(std::string_view hanzi);
  Agency RandomAgency();
  AidType RandomAidType(const Person& p, Date on);
  int RandomAmount();
  Grant MakeGrant(int person, int case_index, Agency agency, AidType type);
  void AddGrants(int person, int case_index);

  const Tables& t_;
  Rng rng_;
  std::vector<Person> persons_;
  std::vector<Case> cases_;
  std::vector<Grant> grants_;
  std::unordered_set<std::string> ids_;  // first 17 characters
  std::unordered_set<std::string> phones_;
  std::map<std::tuple<int, int, int>, int> numbers_;
};

}  // namespace concord::aidgen
