// concord-aid-accuracy: pairwise precision, recall and F1 of the aid
// duplicate check on labelled files.
//
//   concord-aid-accuracy --febrl DIR/dataset2.csv [--febrl-without soc_sec_id]
//                        --splink fake_1000.csv --concord generated.csv ...
//
// Every run goes through aid::RunDedup: the normalisation, keyed encoding
// (a fresh random key per run) and matching that `concordctl aid dedup` and
// the aid agent use. The universe is all n(n-1)/2 pairs of a file; a true pair
// that blocking never compared counts as missed. Truth: Febrl's rec-N-org /
// rec-N-dup-k (same N = same person), Splink's `cluster`, and for aid files
// the `person_id` (same person) and `case_id` (same case) columns that
// concord-aid-gen writes.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "domain/linkage/dedup.h"
#include "domain/linkage/evaluate.h"

namespace {

using concord::aid::DedupOptions;
using concord::aid::InputFormat;

bool verbose = false;
size_t max_block = DedupOptions{}.max_block;

void Run(const std::string& label, const std::string& path, InputFormat format,
         const std::vector<std::string>& ignore, bool person_only, double threshold,
         const std::string& case_links = "") {
  DedupOptions o;
  o.case_links = case_links;
  o.format = format;
  o.ignore_columns = ignore;
  o.person_only = person_only;
  o.threshold = threshold;
  o.max_block = max_block;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = concord::aid::RunDedup(path, o, concord::aid::RandomLinkageKey());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r.ok()) {
    fprintf(stderr, "%s: %s\n", label.c_str(), std::string(r.status().message()).c_str());
    return;
  }
  const concord::aid::PairScore s =
      concord::aid::Score(r->pairs, concord::aid::ReadTruth(path, format, !person_only));
  printf("%-46s %7zu %9zu %7zu %7zu %7zu  %.4f  %.4f  %.4f  %6.2f s\n", label.c_str(), r->records,
         r->candidates, s.truth, s.found, s.right, s.precision(), s.recall(), s.f1(), secs);
  if (!person_only)
    printf(
        "%-46s %zu same person, case unknown (to check); %zu same person, other case; %zu "
        "links\n",
        "", r->review.size(), r->other.size(), r->links);
  if (verbose) printf("%s", r->model.ToText().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"concord-aid-accuracy: precision / recall / F1 of the aid duplicate check"};
  std::vector<std::string> febrl, splink, concord_files;
  std::string drop = "soc_sec_id";
  double threshold = 0.5;
  app.add_option("--febrl", febrl, "Febrl dsgen files (run with and without --drop)");
  app.add_option("--drop", drop, "Febrl column dropped in the second run");
  app.add_option("--splink", splink, "Splink fake_1000-style files");
  app.add_option("--concord", concord_files, "aid CSV files with person_id and case_id columns");
  std::vector<std::string> linked;
  app.add_option("--linked", linked,
                 "DATA.csv,LINKS.csv: an aid CSV judged without and with its case-links file")
      ->delimiter(' ');
  app.add_option("--threshold", threshold, "P(same person) cut-off");
  app.add_option("--max-block", max_block, "blocking keys held by more records are not used");
  app.add_flag("--verbose", verbose, "print the estimated model of each run");
  CLI11_PARSE(app, argc, argv);
  printf("%-46s %7s %9s %7s %7s %7s  %-6s  %-6s  %-6s  %s\n", "file (truth)", "records", "compared",
         "true", "found", "right", "prec", "recall", "F1", "time");
  for (const auto& f : febrl) {
    const std::string base = f.substr(f.find_last_of('/') + 1);
    Run(base + " (same person)", f, InputFormat::kFebrl, {}, true, threshold);
    Run(base + " without " + drop, f, InputFormat::kFebrl, {drop}, true, threshold);
  }
  for (const auto& f : splink)
    Run(f.substr(f.find_last_of('/') + 1) + " (same person)", f, InputFormat::kSplink, {}, true,
        threshold);
  for (const auto& f : concord_files) {
    const std::string base = f.substr(f.find_last_of('/') + 1);
    Run(base + " (same person)", f, InputFormat::kConcord, {}, true, threshold);
    Run(base + " (same person, same case)", f, InputFormat::kConcord, {}, false, threshold);
  }
  for (const auto& spec : linked) {
    const size_t comma = spec.find(',');
    if (comma == std::string::npos) {
      fprintf(stderr, "--linked wants DATA.csv,LINKS.csv: %s\n", spec.c_str());
      return 2;
    }
    const std::string f = spec.substr(0, comma), links = spec.substr(comma + 1);
    const std::string base = f.substr(f.find_last_of('/') + 1);
    Run(base + " (same person)", f, InputFormat::kConcord, {}, true, threshold);
    Run(base + " (same case, no links)", f, InputFormat::kConcord, {}, false, threshold);
    Run(base + " (same case, with links)", f, InputFormat::kConcord, {}, false, threshold, links);
  }
  return 0;
}
