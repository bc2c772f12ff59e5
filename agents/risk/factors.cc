#include "agents/risk/factors.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/config.h"
#include "common/status_macros.h"

namespace concord::risk {

const char* LevelName(Level l) {
  switch (l) {
    case Level::kRed:
      return "red";
    case Level::kYellow:
      return "yellow";
    case Level::kGreen:
      return "green";
  }
  return "green";
}

absl::StatusOr<FactorTable> FactorTable::Parse(const std::string& text) {
  ASSIGN_OR_RETURN(const ConfigFile t, ConfigFile::Parse(text, "风险因素表 / factor table"));
  return FromConfig(t);
}

absl::StatusOr<FactorTable> FactorTable::Load(const std::string& path) {
  ASSIGN_OR_RETURN(const ConfigFile t, ConfigFile::Load(path));  // the error names the file
  auto table = FromConfig(t);
  if (!table.ok())
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", table.status().message()));
  return table;
}

absl::StatusOr<FactorTable> FactorTable::FromConfig(const ConfigFile& t) {
  FactorTable table;
  static const char* kLevelKeys[] = {"green", "yellow", "red"};
  for (int i = 0; i < 3; ++i) {
    const ConfigSection l = t["levels"][kLevelKeys[i]];
    if (!t["levels"].Has(kLevelKeys[i]))
      return absl::InvalidArgumentError(absl::StrCat("风险因素表缺少 [levels.", kLevelKeys[i],
                                                     "] / missing [levels.", kLevelKeys[i], "]"));
    table.levels_[i] = {l.Int("min_score", -1), l.String("name"), l.String("required")};
    if (table.levels_[i].min_score < 0 || table.levels_[i].name.empty())
      return absl::InvalidArgumentError(absl::StrCat(
          "[levels.", kLevelKeys[i], "] 需要 min_score 与 name / needs min_score and name"));
  }
  if (!(table.levels_[0].min_score <= table.levels_[1].min_score &&
        table.levels_[1].min_score < table.levels_[2].min_score))
    return absl::InvalidArgumentError("等级分数须递增 / levels must rise: green <= yellow < red");
  const std::vector<ConfigSection> factors = t.root().Tables("factor");
  if (factors.empty())
    return absl::InvalidArgumentError("风险因素表没有 [[factor]] / no [[factor]] in the table");
  static const std::pair<const char*, When> kWhen[] = {
      {"people", When::kPeople},       {"repeat", When::kRepeat}, {"overdue", When::kOverdue},
      {"contested", When::kContested}, {"major", When::kMajor},   {"keywords", When::kKeywords},
      {"reported", When::kReported}};
  std::set<std::string> seen;
  for (size_t i = 0; i < factors.size(); ++i) {
    const ConfigSection& f = factors[i];
    const std::string where = absl::StrCat("第 ", i + 1, " 个因素 / factor ", i + 1);
    Factor x;
    x.id = f.String("id");
    x.name = f.String("name");
    x.why = f.String("why");
    x.weight = f.Int("weight", -1);
    x.min_people = f.Int("min_people", 0);
    const std::string when = f.String("when", "reported");
    bool known = false;
    for (const auto& [name, w] : kWhen)
      if (when == name) x.when = w, known = true;
    if (x.id.empty() || x.name.empty())
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": 需要 id 与 name / needs id and name"));
    const std::string named = absl::StrCat(where, " (", x.id, ")");
    if (!seen.insert(x.id).second)
      return absl::InvalidArgumentError(absl::StrCat(named, ": id 重复 / id used twice"));
    if (!known)
      return absl::InvalidArgumentError(
          absl::StrCat(named,
                       ": when 应为 people/repeat/overdue/contested/major/"
                       "keywords/reported, 不是 '",
                       when, "'"));
    if (x.weight < 0)
      return absl::InvalidArgumentError(absl::StrCat(named, ": 需要 weight >= 0 / needs weight"));
    if (x.when == When::kPeople && x.min_people < 1)
      return absl::InvalidArgumentError(
          absl::StrCat(named, ": 需要 min_people / needs min_people"));
    for (std::string& k : f.Strings("keywords"))
      if (!k.empty()) x.keywords.push_back(std::move(k));
    if (x.when == When::kKeywords && x.keywords.empty())
      return absl::InvalidArgumentError(absl::StrCat(named, ": 需要 keywords / needs keywords"));
    table.factors_.push_back(std::move(x));
  }
  return table;
}

bool FactorTable::Knows(const std::string& id) const {
  for (const auto& f : factors_)
    if (f.id == id) return true;
  return false;
}

std::vector<std::string> FactorTable::Ids() const {
  std::vector<std::string> out;
  for (const auto& f : factors_) out.push_back(f.id);
  return out;
}

Assessment FactorTable::Evaluate(const CaseFacts& c) const {
  Assessment a;
  for (const Factor& f : factors_) {
    std::vector<std::string> because;
    switch (f.when) {
      case When::kPeople:
        if (c.people >= f.min_people)
          because.push_back(
              absl::StrCat(c.people, " 人（不少于 ", f.min_people, " 人）/ ", c.people, " people"));
        break;
      case When::kRepeat:
        if (c.repeats > 0)
          because.push_back(
              absl::StrCat("此前已信访 ", c.repeats, " 次 / ", c.repeats, " earlier"));
        break;
      case When::kOverdue:
        if (c.overdue)
          because.push_back(absl::StrCat("期限已逾期 ", c.overdue_days, " 天 / overdue ",
                                         c.overdue_days, " days"));
        break;
      case When::kContested:
        if (c.contested) because.push_back("已申请复查或复核 / review requested");
        break;
      case When::kMajor:
        if (c.major) because.push_back("认定为重大信访事项 / declared major");
        break;
      case When::kKeywords:
        for (const auto& k : f.keywords)
          if (c.matter.find(k) != std::string::npos) {
            because.push_back(absl::StrCat("事项中有「", k, "」/ the matter mentions ", k));
            break;
          }
        break;
      case When::kReported:
        break;
    }
    for (const auto& [id, who] : c.reported)  // any factor may be reported by a handler
      if (id == f.id) because.push_back(absl::StrCat("经办人报告 / reported: ", who));
    if (because.empty()) continue;
    a.score += f.weight;
    a.factors.push_back(
        {f.id, f.name, f.weight,
         absl::StrCat(absl::StrJoin(because, "；"), f.why.empty() ? "" : "。", f.why)});
  }
  a.level = a.score >= levels_[2].min_score   ? Level::kRed
            : a.score >= levels_[1].min_score ? Level::kYellow
                                              : Level::kGreen;
  return a;
}

std::vector<FactorTable::FormFactor> FactorTable::FormFactors() const {
  std::vector<FormFactor> out;
  for (const Factor& f : factors_)
    if (f.when == When::kReported) out.push_back({f.id, f.name, f.weight});
  return out;
}

}  // namespace concord::risk
