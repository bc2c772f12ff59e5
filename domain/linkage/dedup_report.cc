#include "domain/linkage/dedup_report.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/html_template.h"
#include "common/xlsx.h"

namespace concord::aid {
namespace {

struct FieldColumn {
  const char* chinese;
  std::string (*value)(const AidRecord&);
};

std::string ReportYuan(int64_t fen) { return fen == 0 ? "" : YuanText(fen); }

// The record's fields, in the order of the aid CSV.
const std::vector<FieldColumn>& ReportFields() {
  static const auto* kFields = new std::vector<FieldColumn>{
      {"记录编号", [](const AidRecord& r) { return r.record_id; }},
      {"救助机关", [](const AidRecord& r) { return r.agency; }},
      {"姓名", [](const AidRecord& r) { return r.name; }},
      {"身份证号", [](const AidRecord& r) { return r.id_number; }},
      {"出生日期", [](const AidRecord& r) { return r.birth_date; }},
      {"性别",
       [](const AidRecord& r) {
         return r.gender == "M"   ? std::string("男")
                : r.gender == "F" ? std::string("女")
                                  : r.gender;
       }},
      {"电话", [](const AidRecord& r) { return r.phone; }},
      {"住址", [](const AidRecord& r) { return r.address; }},
      {"案号", [](const AidRecord& r) { return absl::StrJoin(r.case_refs, "；"); }},
      {"案发日期", [](const AidRecord& r) { return r.incident_date; }},
      {"案由", [](const AidRecord& r) { return r.crime; }},
      {"救助类型", [](const AidRecord& r) { return std::string(AidTypeChineseName(r.aid_type)); }},
      {"金额（元）", [](const AidRecord& r) { return ReportYuan(r.amount_fen); }},
      {"救助日期", [](const AidRecord& r) { return r.granted_on; }},
  };
  return *kFields;
}

const char* GroupVerdict(const DedupReportGroup& g) {
  return g.duplicate ? "重复救助" : "需核实（同一人，案件不明）";
}

std::string ReportProbability(double p) { return absl::StrFormat("%.3f", p); }

}  // namespace

std::vector<DedupReportGroup> GroupPairs(const DedupResult& result) {
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < result.kept.size(); ++i) index.emplace(result.kept[i].record_id, i);
  std::vector<size_t> parent(result.kept.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto root = [&](size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  std::vector<const DedupPair*> pairs;
  for (const auto* list : {&result.pairs, &result.review})
    for (const DedupPair& p : *list) {
      auto a = index.find(p.id_a), b = index.find(p.id_b);
      if (a == index.end() || b == index.end()) continue;
      parent[root(a->second)] = root(b->second);
      pairs.push_back(&p);
    }
  std::unordered_map<size_t, size_t> group_of;  // root -> group
  std::vector<DedupReportGroup> groups;
  auto group = [&](size_t record) -> DedupReportGroup& {
    auto [it, added] = group_of.emplace(root(record), groups.size());
    if (added) groups.emplace_back();
    return groups[it->second];
  };
  for (const DedupPair* p : pairs) {
    DedupReportGroup& g = group(index.at(p->id_a));
    g.pairs.push_back(p);
    g.duplicate |= p->relation == CaseRelation::kSame;
    g.max_probability = std::max(g.max_probability, p->probability);
  }
  for (size_t i = 0; i < result.kept.size(); ++i) {
    if (!group_of.count(root(i))) continue;
    DedupReportGroup& g = group(i);
    g.records.push_back(i);
    g.amount_fen += result.kept[i].amount_fen;
  }
  for (DedupReportGroup& g : groups)
    std::stable_sort(g.records.begin(), g.records.end(), [&](size_t a, size_t b) {
      return result.kept[a].granted_on < result.kept[b].granted_on;
    });
  std::stable_sort(groups.begin(), groups.end(),
                   [](const DedupReportGroup& a, const DedupReportGroup& b) {
                     if (a.duplicate != b.duplicate) return a.duplicate;
                     if (a.amount_fen != b.amount_fen) return a.amount_fen > b.amount_fen;
                     return a.max_probability > b.max_probability;
                   });
  return groups;
}

std::string DedupReportHtml(const DedupResult& result, const std::vector<DedupReportGroup>& groups,
                            const DedupReportInput& input) {
  size_t duplicates = 0;
  for (const auto& g : groups) duplicates += g.duplicate;
  std::string out = absl::StrCat(
      "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
      "<title>司法救助批量查重报告</title><style>"
      "@page{size:A4 landscape;margin:12mm}"
      "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;font-size:12px;"
      "color:#222;margin:16px}"
      "h1{font-size:20px}h2{font-size:15px;margin:18px 0 6px}"
      "table{border-collapse:collapse;width:100%;margin-bottom:6px}"
      "th,td{border:1px solid #bbb;padding:3px 5px;text-align:left;vertical-align:top}"
      "th{background:#f0f0f0}.dup h2{color:#b00020}.check h2{color:#a05a00}"
      ".group{break-inside:avoid;border-top:2px solid #888;margin-top:12px}"
      "ul{margin:2px 0 8px 18px;padding:0}.meta{width:auto}.meta td{border:none;padding:1px 8px "
      "1px 0}"
      "</style></head><body>\n<h1>司法救助批量查重报告 / duplicate aid report</h1>\n"
      "<table class=\"meta\"><tr><td>文件 / file</td><td>",
      HtmlEscape(input.input_name), "</td></tr><tr><td>生成时间 / made</td><td>",
      HtmlEscape(input.generated_at), "</td></tr><tr><td>记录 / records</td><td>", result.records,
      "</td></tr><tr><td>重复救助组 / duplicate groups</td><td>", duplicates,
      "</td></tr><tr><td>需核实组 / groups to check</td><td>", groups.size() - duplicates,
      "</td></tr><tr><td>案件关联 / case links</td><td>", result.links, "</td></tr>");
  if (!input.column_map.empty())
    absl::StrAppend(&out, "<tr><td>列映射 / column map</td><td>", HtmlEscape(input.column_map),
                    "</td></tr>");
  absl::StrAppend(
      &out,
      "</table>\n<p>先处理“重复救助”组（同一人、同一案件，不应重复发放），再核实"
      "“需核实”组（同一人，案件不明：请与对方机关核对是否同一案件）。各组按金额从多到少。"
      "</p>\n");
  for (size_t n = 0; n < groups.size(); ++n) {
    const DedupReportGroup& g = groups[n];
    absl::StrAppend(&out, "<section class=\"group ", g.duplicate ? "dup" : "check", "\"><h2>第 ",
                    n + 1, " 组：", GroupVerdict(g), "（", g.records.size(), " 条记录，最高概率 ",
                    ReportProbability(g.max_probability), "，金额合计 ",
                    g.amount_fen ? ReportYuan(g.amount_fen) : "0", " 元）</h2>\n<table><tr>");
    for (const auto& f : ReportFields()) absl::StrAppend(&out, "<th>", f.chinese, "</th>");
    out += "</tr>\n";
    for (size_t i : g.records) {
      out += "<tr>";
      for (const auto& f : ReportFields())
        absl::StrAppend(&out, "<td>", HtmlEscape(f.value(result.kept[i])), "</td>");
      out += "</tr>\n";
    }
    out += "</table>\n<ul>";
    for (const DedupPair* p : g.pairs)
      absl::StrAppend(&out, "<li><b>", HtmlEscape(p->id_a), " ↔ ", HtmlEscape(p->id_b),
                      "</b>：同一人概率 ", ReportProbability(p->probability), "；",
                      HtmlEscape(p->case_reason), "<br><small>", HtmlEscape(p->person_reason),
                      "</small></li>");
    out += "</ul></section>\n";
  }
  if (groups.empty()) out += "<p>未发现重复救助，也没有需核实的记录。/ nothing found.</p>\n";
  out += "</body></html>\n";
  return out;
}

std::string DedupReportXlsx(const DedupResult& result, const std::vector<DedupReportGroup>& groups,
                            const DedupReportInput& input) {
  XlsxSheet by_group{.name = "重复组", .rows = {}};
  std::vector<XlsxCell> head = {XlsxCell::Text("组号"), XlsxCell::Text("判定"),
                                XlsxCell::Text("最高概率")};
  for (const auto& f : ReportFields()) head.push_back(XlsxCell::Text(f.chinese));
  by_group.rows.push_back(std::move(head));
  for (size_t n = 0; n < groups.size(); ++n)
    for (size_t i : groups[n].records) {
      std::vector<XlsxCell> row = {XlsxCell::Number(absl::StrCat(n + 1)),
                                   XlsxCell::Text(GroupVerdict(groups[n])),
                                   XlsxCell::Number(ReportProbability(groups[n].max_probability))};
      for (const auto& f : ReportFields()) row.push_back(XlsxCell::Text(f.value(result.kept[i])));
      by_group.rows.push_back(std::move(row));
    }
  XlsxSheet by_pair{.name = "记录对", .rows = {}};
  by_pair.rows.push_back({XlsxCell::Text("组号"), XlsxCell::Text("记录甲"),
                          XlsxCell::Text("记录乙"), XlsxCell::Text("同一人概率"),
                          XlsxCell::Text("案件"), XlsxCell::Text("案件理由"),
                          XlsxCell::Text("同一人理由")});
  for (size_t n = 0; n < groups.size(); ++n)
    for (const DedupPair* p : groups[n].pairs)
      by_pair.rows.push_back({XlsxCell::Number(absl::StrCat(n + 1)), XlsxCell::Text(p->id_a),
                              XlsxCell::Text(p->id_b),
                              XlsxCell::Number(ReportProbability(p->probability)),
                              XlsxCell::Text(CaseRelationChineseName(p->relation)),
                              XlsxCell::Text(p->case_reason), XlsxCell::Text(p->person_reason)});
  XlsxSheet about{.name = "说明", .rows = {}};
  about.rows.push_back({XlsxCell::Text("文件"), XlsxCell::Text(input.input_name)});
  about.rows.push_back({XlsxCell::Text("生成时间"), XlsxCell::Text(input.generated_at)});
  about.rows.push_back({XlsxCell::Text("记录"), XlsxCell::Number(absl::StrCat(result.records))});
  about.rows.push_back({XlsxCell::Text("案件关联"), XlsxCell::Number(absl::StrCat(result.links))});
  if (!input.column_map.empty())
    about.rows.push_back({XlsxCell::Text("列映射"), XlsxCell::Text(input.column_map)});
  return WriteXlsx({by_group, by_pair, about});
}

}  // namespace concord::aid
