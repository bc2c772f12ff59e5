// The rows of concord-aid-gen (bench/aid_gen/main.cc describes the tool and
// the corruptions): each grant of a Population rendered as a CSV row, a
// person's first row clean and every other one a copy that the profile's
// corruptions strike (mistyped names, missing IDs, full-width characters, ...)
// from the corruption stream; the CSV, GB18030 and file output; the summary
// of the truth columns and the self-check of the rows written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "bench/aid_gen/population.h"
#include "bench/aid_gen/tables.h"

namespace concord::aidgen {

// ---------------------------------------------------------------------------
// Rendering rows, with the profile's corruptions on copies

enum class IdState { kIntact, kMissing, kMistyped, kFifteen, kLowerX };

// One output row: the CSV fields, then what the self-check needs to know.
struct Row {
  std::string record_id, agency, name, id_number, birth_date, gender, phone, address, case_ref,
      incident_date, crime, aid_type, amount_yuan, granted_on, person_id, case_id;
  int person = 0;
  bool original = false;
  IdState id_state = IdState::kIntact;
};

// How many copies each corruption struck.
struct Tally {
  std::map<std::string, int> count;
  void Add(const char* what) { ++count[what]; }
  std::string ToString() const { return absl::StrJoin(count, " ", absl::PairFormatter("=")); }
};

// Renders the population's grants from the corruption stream: a person's
// first grant as a clean row, every other one as a copy that each of the
// profile's corruptions strikes at its rate.
class Renderer {
 public:
  Renderer(const Tables& tables, const Population& pop, const Profile& profile, uint64_t seed)
      : t_(tables), pop_(pop), pr_(profile), rng_(seed) {}

  std::vector<Row> RenderAll();

  const Tally& tally() const { return tally_; }

 private:
  bool Strike(double rate, const char* what);
  Row Render(const Grant& g);
  std::string CorruptName(const Person& p, bool traditional);
  std::string PinyinName(const Person& p, bool fullwidth);
  void RenderId(const Person& p, bool copy, Row& row);
  std::string Gender(bool male, bool copy);
  std::string FormatPhone(const std::string& p);
  std::string RenderAddress(const Address& a, bool copy, bool traditional);
  std::string Typo(const std::string& s, size_t protected_bytes);
  std::string CaseRef(const Case& c, Agency agency);
  void AgencyHabits(const Case& c, Agency agency, Row& row);
  std::string FormatAmount(int yuan);

  const Tables& t_;
  const Population& pop_;
  const Profile& pr_;
  Rng rng_;
  Tally tally_;
};

// ---------------------------------------------------------------------------
// Output

// The header line and one line per row, CSV as described in main.cc.
std::string ToCsv(const std::vector<Row>& rows);

// A case-links file (case_ref_a,case_ref_b): for each case with probability
// `rate`, the police number with the procuratorate's and the procuratorate's
// with the court's, as the agency_habits profile writes them. Its own stream.
std::string CaseLinksCsv(const Population& pop, double rate, uint64_t seed);

// Stage numbers as an agency writes them (the agency_habits profile).
std::string PoliceFileNumber(const Case& c);
std::string ProcuratorateNumber(const Case& c);
std::string CourtNumber(const Case& c);

// UTF-8 -> GB18030 through ICU; every Unicode character has a GB18030 form,
// so a failure means malformed UTF-8 from a bug here.
absl::StatusOr<std::string> ToGb18030(const std::string& utf8);

absl::Status WriteFile(const std::string& path, const std::string& bytes);

// ---------------------------------------------------------------------------
// Summary and self-check

struct Summary {
  size_t rows = 0, people = 0;
  uint64_t same_person_pairs = 0, duplicate_grant_pairs = 0;
};

// Counts from the truth columns as written.
Summary Summarise(const std::vector<Row>& rows);

// What is wrong with the rows written, one line per failure (see --self-check
// in main.cc); empty if nothing.
std::vector<std::string> SelfCheck(const std::vector<Row>& rows,
                                   const std::vector<Person>& persons);

}  // namespace concord::aidgen
