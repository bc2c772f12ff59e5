// `concordctl aid ...`: the agencies' linkage key and batch duplicate
// detection of aid files (domain/linkage/dedup.h).
//
//   concordctl aid keygen --out linkage.key
//   concordctl aid dedup --input FILE.csv --format concord|febrl|splink --out pairs.csv
//                        [--ignore-column soc_sec_id] [--key-file linkage.key] [--threshold 0.5]
//                        [--person-only] [--model-out model.txt]
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "common/csv.h"
#include "domain/linkage/dedup.h"
#include "domain/linkage/dedup_report.h"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {
namespace {

struct AidDedupArgs {
  std::string input, format = "concord", out, key_file;
  std::vector<std::string> ignore_columns;
  double threshold = 0.5;
  bool person_only = false;
  std::string model_out;  // write the estimated model here (optional)
  std::string case_links, review_out, map, report;
};

int CmdAidKeygen(const std::string& path) {
  if (auto st = aid::WriteNewLinkageKey(path); !st.ok()) return Fail(2, std::string(st.message()));
  std::cout << "已生成关联密钥 / linkage key written: " << path
            << "（分发给各救助机关，不得交给枢纽或救助代理 / give it to the granting agencies,"
               " never to the hub or the aid agent)\n";
  return 0;
}

int CmdAidDedup(const AidDedupArgs& a) {
  auto format = aid::ParseInputFormat(a.format);
  if (!format.ok()) return Fail(2, std::string(format.status().message()));
  aid::LinkageKey key;
  if (!a.key_file.empty()) {
    auto k = aid::ReadLinkageKey(a.key_file);
    if (!k.ok()) return Fail(2, std::string(k.status().message()));
    key = *k;
  } else {
    key = aid::RandomLinkageKey();  // one run: any key will do, as long as it is one key
  }
  aid::DedupOptions o;
  o.format = *format;
  o.ignore_columns = a.ignore_columns;
  o.threshold = a.threshold;
  o.person_only = a.person_only || *format != aid::InputFormat::kConcord;
  o.case_links = a.case_links;
  o.keep_records = !a.report.empty();
  if (!a.map.empty()) {
    auto map = aid::ParseAidColumnMap(a.map);
    if (!map.ok()) return Fail(2, std::string(map.status().message()));
    o.column_map = *map;
    fprintf(stderr, "列映射 / column map: %s\n", aid::DescribeAidColumnMap(o.column_map).c_str());
  }
  // A progress bar on a terminal (stderr), one line per stage.
  std::string stage_shown;
  int shown = -1;
  if (isatty(fileno(stderr)))
    o.progress = [&](std::string_view stage, size_t done, size_t total) {
      const int pct = total == 0 ? 100 : static_cast<int>(100 * done / total);
      if (stage != stage_shown) {
        if (!stage_shown.empty()) fputc('\n', stderr);
        stage_shown = std::string(stage);
        shown = -1;
      }
      if (pct == shown) return;
      shown = pct;
      const int filled = pct * 30 / 100;
      fprintf(stderr, "\r%-16s [%s%s] %3d%%", stage_shown.c_str(), std::string(filled, '#').c_str(),
              std::string(30 - filled, '.').c_str(), pct);
      if (total > 1) fprintf(stderr, " %zu/%zu", done, total);
      fflush(stderr);
    };
  auto r = aid::RunDedup(a.input, o, key);
  if (!stage_shown.empty()) fputc('\n', stderr);
  if (!r.ok()) return Fail(2, std::string(r.status().message()));
  for (const auto& e : r->errors) std::cerr << a.input << ":" << e.line << ": " << e.reason << "\n";
  for (const auto& e : r->link_errors)
    std::cerr << a.case_links << ":" << e.line << ": " << e.reason << "\n";
  std::ofstream out(a.out);
  if (!out) return Fail(2, "无法写入 / cannot write " + a.out);
  out << "id_a,id_b,score\n";
  char score[32];
  for (const auto& p : r->pairs) {
    snprintf(score, sizeof score, "%.4f", p.probability);
    out << p.id_a << "," << p.id_b << "," << score << "\n";
  }
  if (!out.flush()) return Fail(2, "无法写入 / cannot write " + a.out);
  if (!a.model_out.empty()) std::ofstream(a.model_out) << r->model.ToText();
  if (!a.report.empty()) {
    const std::vector<aid::DedupReportGroup> groups = aid::GroupPairs(*r);
    char made[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(made, sizeof made, "%Y-%m-%d %H:%M", std::localtime(&now));
    const aid::DedupReportInput input{.input_name = a.input,
                                      .column_map = aid::DescribeAidColumnMap(o.column_map),
                                      .generated_at = made};
    for (const auto& [path, bytes] :
         {std::pair{a.report + ".html", aid::DedupReportHtml(*r, groups, input)},
          std::pair{a.report + ".xlsx", aid::DedupReportXlsx(*r, groups, input)}}) {
      std::ofstream f(path, std::ios::binary);
      if (!(f << bytes) || !f.flush()) return Fail(2, "无法写入 / cannot write " + path);
    }
    fprintf(stderr, "报告 / report: %s.html, %s.xlsx（%zu 组 groups）\n", a.report.c_str(),
            a.report.c_str(), groups.size());
  }
  if (!a.review_out.empty()) {
    std::ofstream review(a.review_out);
    review << "id_a,id_b,score,case,reason\n";
    for (const auto& p : r->review) {
      snprintf(score, sizeof score, "%.4f", p.probability);
      review << p.id_a << "," << p.id_b << "," << score << "," << aid::CaseRelationName(p.relation)
             << "," << csv::Quote(p.case_reason) << "\n";
    }
    if (!review.flush()) return Fail(2, "无法写入 / cannot write " + a.review_out);
  }
  fprintf(stderr,
          "记录 records %zu（跳过 skipped %zu 行 rows）; 候选对 candidate pairs %zu（过大的分块 "
          "oversized blocks skipped %zu）; 判为%s %s pairs %zu\n",
          r->records, r->errors.size(), r->candidates, r->skipped_keys,
          o.person_only ? "同一人" : "重复救助", o.person_only ? "same-person" : "duplicate-aid",
          r->pairs.size());
  if (!o.person_only)
    fprintf(
        stderr,
        "同一人、案件不明（需核实）same person, case unknown %zu; 同一人、不同案件 same person, "
        "other case %zu; 案件关联 case links %zu\n",
        r->review.size(), r->other.size(), r->links);
  fprintf(stderr, "用时 time: read %.2f s, encode %.2f s, match %.2f s\n", r->seconds_read,
          r->seconds_encode, r->seconds_match);
  return r->errors.empty() && r->link_errors.empty() ? 0 : 1;
}

}  // namespace

void AddAidCommands(CLI::App& app, Commands& commands) {
  auto* aid = app.add_subcommand("aid", "司法救助 / judicial aid");
  aid->require_subcommand(1);
  auto key_out = std::make_shared<std::string>();
  auto* keygen = aid->add_subcommand("keygen", "生成关联密钥 / make the agencies' linkage key");
  keygen->add_option("--out", *key_out, "密钥文件 / key file")->required();
  commands.On(keygen, [key_out] { return CmdAidKeygen(*key_out); });
  auto dd = std::make_shared<AidDedupArgs>();
  auto* dedup = aid->add_subcommand(
      "dedup", "批量查重 / find duplicate aid (or same-person pairs) in a file");
  dedup->add_option("--input", dd->input, "CSV 文件 / input file")->required();
  dedup->add_option("--format", dd->format, "concord | febrl | splink");
  dedup->add_option("--out", dd->out, "id_a,id_b,score 输出 / pairs CSV")->required();
  dedup->add_option("--ignore-column", dd->ignore_columns, "忽略的列 / drop a column");
  dedup->add_option("--key-file", dd->key_file, "关联密钥 / linkage key (default: a fresh one)");
  dedup->add_option("--threshold", dd->threshold, "同一人概率阈值 / P(same person) cut-off");
  dedup->add_flag("--person-only", dd->person_only,
                  "只看是否同一人（不看案件）/ same person, any case");
  dedup->add_option("--model-out", dd->model_out, "写出估计的模型 / write the estimated model");
  dedup->add_option("--case-links", dd->case_links,
                    "案件关联 CSV（case_ref_a,case_ref_b：同一案件在各机关的案号）/ numbers of "
                    "one case at different agencies");
  dedup->add_option("--report", dd->report,
                    "给经办人的报告 PREFIX.html 与 PREFIX.xlsx（重复组、各记录字段、理由）/ the "
                    "clerk's report");
  dedup->add_option("--map", dd->map,
                    "列映射 / column map: name=姓名,id_number=证件号码,... (文件自己的表头 / the "
                    "file's own headers)");
  dedup->add_option(
      "--review-out", dd->review_out,
      "同一人、案件不明的记录对（需核实）/ same person, case unknown: pairs to check");
  commands.On(dedup, [dd] { return CmdAidDedup(*dd); });
}

}  // namespace concord::ctl
