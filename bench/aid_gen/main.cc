// concord-aid-gen: synthetic judicial-aid grant records (国家司法救助) with
// ground truth, for measuring how well the aid duplicate check links records.
//
//   concord-aid-gen --people N --seed S --out FILE.csv
//                   [--profile clean|realistic|hard|agencies] [--gb18030 | --bom]
//                   [--self-check] [--links LINKS.csv [--link-rate 0.85]]
//
// The file is CSV (comma, RFC 4180 double quotes where a field needs them, LF
// line ends), UTF-8 by default, UTF-8 with a byte-order mark with --bom, or
// GB18030 with --gb18030 (converted by ICU). Header:
//
//   record_id,agency,name,id_number,birth_date,gender,phone,address,case_ref,
//   incident_date,crime,aid_type,amount_yuan,granted_on,person_id,case_id
//
// person_id ("P000001") and case_id ("C000001") are the truth; the importer
// ignores them. Two rows are the same person iff their person_id is equal; a
// duplicate grant (DOMAIN.md, "Judicial aid": one-time aid) is a pair of rows
// with equal person_id AND equal case_id. The same person aided for another
// case is the same person but not a duplicate grant.
//
// Population (the same people, cases and grants for a given seed in every
// profile; only the corruptions below differ, so profiles compare directly):
// - People: surnames weighted by their frequency in China (116, including
//   two-character ones such as 欧阳 and 诸葛), 1- or 2-character given names
//   from about 530 characters leaning male, female or either; 4% take one of
//   the most common full names (张伟, 王芳, 李娜, ...), so many unrelated people
//   share a name. Resident IDs are valid per GB 11643 (a real county code,
//   the birth date, a sequence whose parity is the gender, the MOD 11-2 check
//   character) and unique; birth_date and gender agree with the ID. Mobile
//   phones are 11 digits from real prefixes. Addresses (province, city,
//   district or county, 街道 or 镇, road and number or village) are mostly
//   where the case happened, and IDs mostly from where the person lives.
// - Each person has 1 to 4 grants (70% one). An extra grant is for the same
//   case (a duplicate, by another agency or the same one) 65% of the time,
//   otherwise for a new case of the same person.
// - Families: 10% of people bring a relative (spouse, child, parent, now and
//   then a twin) with the same address and usually the same phone, often the
//   same surname, a different ID and birth date, often aided in the same case.
//   A relative is another person. 3% of cases have an unrelated co-victim.
// - Case references per stage: police "沪公(刑)字[2023]456号", procuratorate
//   "沪徐检刑诉[2023]12号", court "(2023)沪0104刑初123号". A grant carries
//   its agency's stage reference, sometimes a second one after ';'.
// - Presentation varies on every row: dates mostly YYYY-MM-DD, some
//   YYYY/MM/DD, YYYYMMDD or YYYY年M月D日; aid_type in English or Chinese;
//   amounts "12000", "12,000", "12000元" or "12000.00" (money only).
//
// Corruptions. The first row of each person (its "original") is clean: full
// Chinese name, valid 18-character ID, ISO birth date, phone, full address.
// Every other row of that person is a copy, and each corruption below strikes
// a copy with the profile's rate, independently except where two cannot both
// happen: the ID rows are tried in order (missing, mistyped, 15-digit,
// lower-case x) and a later one applies only to copies the earlier spared, and
// so are missing and reformatted birth dates and phones; a pinyin name gets
// no traditional characters, homophone or inner space (full-width: ＺＨＡＮＧ).
//
//   corruption                                   clean  realistic  hard
//   name in traditional characters (and address)   1%      5%       15%
//   homophone for one given-name character         1%      5%       15%
//   name in pinyin (Zhang Wei, ZHANG Wei,         0.5%     5%       15%
//     Wei Zhang, zhangwei, ZHANG WEI)
//   space or U+3000 inside the name                2%      8%       15%
//   full-width letters / U+3000 in the name       0.5%     3%        8%
//   id_number missing                              2%     12%       40%
//   id_number mistyped (one digit changed or two  0.5%     4%       10%
//     adjacent swapped; the check then fails)
//   15-digit first-generation ID (born < 2000)     1%      5%       10%
//   lower-case x check character (when it is X)   20%     50%       60%
//   phone missing                                  3%     15%       35%
//   phone written +86 / with spaces / dashes       5%     20%       40%
//   address abbreviated (province, city or         5%     20%       40%
//     street dropped)
//   address typo (character dropped or            1%      5%       15%
//     homophone, house number changed)
//   birth_date missing                             3%     15%       35%
//   birth_date in another format                   5%     20%       40%
//   incident_date missing                          1%      5%       15%
// Case references, on every row: a second reference    50% / 25% / 10%,
// full-width brackets （） 〔〕                          5% / 20% / 35%.
//
// The "agencies" profile has realistic's rates without second references,
// and each agency's habits on every row (render.cc AgencyHabits): the police
// write their 立案号 (A + county code + year + number) and the charge as
// 故意伤害案 or a short form; the procuratorate its 检刑诉 number, 涉嫌…罪,
// and the incident date a day or two off (25%); the court its 刑初 number,
// …罪, about 4% of cases under another charge, and no incident date (60%);
// the justice bureau the court's or procuratorate's number, a short form and
// no date (30%). --links writes the police -> procuratorate and
// procuratorate -> court numbers of a share of the cases (CSV
// case_ref_a,case_ref_b), from its own stream.
//
// stderr gets a summary: rows, people, true same-person pairs (sum over
// people of C(rows, 2)), true duplicate-grant pairs (the same over
// person-and-case groups), then how many rows each corruption struck.
// --self-check re-reads the rows it wrote and exits 1 if an original's ID is
// not a valid 18-character ID agreeing with its birth_date and gender, if an
// uncorrupted ID fails its check, a mistyped one passes, a 15-digit one does
// not expand to the person's ID, or a record_id repeats.
//
// Determinism: one seed gives the same file on any machine. std::mt19937_64 is
// specified exactly by the standard; the distributions (std::uniform_int_-
// distribution and friends are implementation-defined, so libstdc++ and libc++
// may differ) are not used: Rng (tables.h) draws integers by rejection and
// probabilities from the top 53 bits. Structure and corruptions use two
// streams, which keeps the population independent of the profile.
//
// The code, in bench/aid_gen/: tables.h (the static data, Rng), population.h
// (people, households, cases, grants; the profiles), render.h (rows and their
// corruptions, the CSV and GB18030 output, the summary and the self-check);
// this file is the command line.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/aid_gen/population.h"
#include "bench/aid_gen/render.h"
#include "bench/aid_gen/tables.h"

using concord::aidgen::CaseLinksCsv;
using concord::aidgen::kProfiles;
using concord::aidgen::Population;
using concord::aidgen::Profile;
using concord::aidgen::Renderer;
using concord::aidgen::Row;
using concord::aidgen::SelfCheck;
using concord::aidgen::Summarise;
using concord::aidgen::Summary;
using concord::aidgen::Tables;
using concord::aidgen::ToCsv;
using concord::aidgen::ToGb18030;
using concord::aidgen::WriteFile;

int main(int argc, char** argv) {
  CLI::App app{
      "concord-aid-gen: synthetic judicial-aid grants with truth columns (see the source header)"};
  int people = 0;
  uint64_t seed = 1;
  std::string out_path;
  std::string profile_name = "realistic";
  bool gb18030 = false, bom = false, self_check = false;
  app.add_option("--people", people, "number of distinct people")
      ->required()
      ->check(CLI::Range(1, 10'000'000));
  app.add_option("--seed", seed, "random seed; the same seed gives the same file");
  app.add_option("--out", out_path, "CSV file to write")->required();
  app.add_option("--profile", profile_name, "corruption rates")
      ->check(CLI::IsMember({"clean", "realistic", "hard", "agencies"}));
  std::string links_path;
  double link_rate = 0.85;
  app.add_option("--links", links_path,
                 "also write a case-links CSV (case_ref_a,case_ref_b) for the agencies profile");
  app.add_option("--link-rate", link_rate, "share of cases whose numbers are linked")
      ->check(CLI::Range(0.0, 1.0));
  auto* gb = app.add_flag("--gb18030", gb18030, "write GB18030 instead of UTF-8");
  app.add_flag("--bom", bom, "start the UTF-8 file with a byte-order mark")->excludes(gb);
  app.add_flag("--self-check", self_check,
               "verify IDs, birth dates and genders of what was written; exit 1 if wrong");
  CLI11_PARSE(app, argc, argv);

  const auto start = std::chrono::steady_clock::now();
  const Profile* profile = &kProfiles[0];
  for (const Profile& p : kProfiles)
    if (profile_name == p.name) profile = &p;

  const Tables tables = Tables::Build();
  Population population(tables, seed);
  population.Generate(people);
  // The corruption stream: a different, seed-derived start (splitmix64 step).
  uint64_t z = seed + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  Renderer renderer(tables, population, *profile, z ^ (z >> 31));
  const std::vector<Row> rows = renderer.RenderAll();

  std::string bytes = ToCsv(rows);
  if (gb18030) {
    absl::StatusOr<std::string> converted = ToGb18030(bytes);
    if (!converted.ok()) {
      std::fprintf(stderr, "concord-aid-gen: %s\n",
                   std::string(converted.status().message()).c_str());
      return 1;
    }
    bytes = *std::move(converted);
  } else if (bom) {
    bytes.insert(0, "\xEF\xBB\xBF");
  }
  if (absl::Status s = WriteFile(out_path, bytes); !s.ok()) {
    std::fprintf(stderr, "concord-aid-gen: %s\n", std::string(s.message()).c_str());
    return 1;
  }

  if (!links_path.empty()) {
    if (absl::Status s = WriteFile(links_path, CaseLinksCsv(population, link_rate, seed));
        !s.ok()) {
      std::fprintf(stderr, "concord-aid-gen: %s\n", std::string(s.message()).c_str());
      return 1;
    }
  }

  const Summary s = Summarise(rows);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr,
               "concord-aid-gen: profile=%s seed=%llu rows=%zu people=%zu same_person_pairs=%llu "
               "duplicate_grant_pairs=%llu (%.2f s)\n",
               profile->name, static_cast<unsigned long long>(seed), s.rows, s.people,
               static_cast<unsigned long long>(s.same_person_pairs),
               static_cast<unsigned long long>(s.duplicate_grant_pairs), seconds);
  std::fprintf(stderr, "concord-aid-gen: corruptions %s\n", renderer.tally().ToString().c_str());

  if (self_check) {
    const std::vector<std::string> failures = SelfCheck(rows, population.persons());
    for (size_t i = 0; i < failures.size() && i < 20; ++i)
      std::fprintf(stderr, "self-check: %s\n", failures[i].c_str());
    if (!failures.empty()) {
      std::fprintf(stderr, "self-check: %zu failures\n", failures.size());
      return 1;
    }
    std::fprintf(stderr, "self-check: ok (%zu rows)\n", rows.size());
  }
  return 0;
}
