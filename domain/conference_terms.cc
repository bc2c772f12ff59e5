#include "domain/conference_terms.h"

namespace concord::conference {

const std::vector<MeasureInfo>& Measures() {
  // DOMAIN.md, "Joint work on major and group cases": the measures of a plan.
  static const std::vector<MeasureInfo> kMeasures = {{"legal_explanation", "释法说理"},
                                                     {"public_hearing", "公开听证"},
                                                     {"counselling", "心理疏导"},
                                                     {"judicial_aid", "司法救助"},
                                                     {"social_aid", "社会救助"},
                                                     {"employment", "就业帮扶"},
                                                     {"schooling", "就学帮扶"},
                                                     {"medical", "医疗救助"},
                                                     {"disability", "残疾帮扶"},
                                                     {"legal_aid", "法律援助"},
                                                     {"mediation", "调解"},
                                                     {"enforcement", "执行"},
                                                     {"investigation", "调查核实"},
                                                     {"other", "其他"}};
  return kMeasures;
}

std::optional<std::string> MeasureId(const std::string& s) {
  for (const auto& m : Measures())
    if (s == m.id || s == m.chinese) return std::string(m.id);
  return std::nullopt;
}

const char* MeasureChinese(const std::string& id) {
  for (const auto& m : Measures())
    if (id == m.id) return m.chinese;
  return "";
}

const std::vector<MeasureInfo>& ParticipantRoles() {
  static const std::vector<MeasureInfo> kRoles = {
      {"petitioner", "信访人"},     {"relative", "近亲属"},
      {"lawyer", "律师"},           {"npc_deputy", "人大代表"},
      {"cppcc_member", "政协委员"}, {"people_supervisor", "人民监督员"},
      {"expert", "专家学者"},       {"other", "其他"}};
  return kRoles;
}

const char* RoleChinese(const std::string& id) {
  for (const auto& r : ParticipantRoles())
    if (id == r.id) return r.chinese;
  return "";
}

}  // namespace concord::conference
