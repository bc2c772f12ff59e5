#include "domain/linkage/record.h"

#include <iterator>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace concord::aid {
namespace {

struct AidTypeNames {
  const char* name;
  const char* chinese;
};

// Indexed by AidType.
constexpr AidTypeNames kNames[] = {
    {"unknown", "未知"},          {"money", "资金救助"},         {"counselling", "心理疏导"},
    {"job_training", "职业培训"}, {"job_placement", "就业安置"}, {"disability", "残疾救助"},
    {"education", "教育救助"},    {"medical", "医疗救助"},
};

struct Spelling {
  std::string_view text;  // English in lower case with single spaces
  AidType type;
};

// Every accepted spelling; the canonical English names of AidTypeName() are
// here too (after '_' becomes ' '), so that names read back.
constexpr Spelling kSpellings[] = {
    {"money", AidType::kMoney},
    {"资金救助", AidType::kMoney},
    {"救助金", AidType::kMoney},
    {"经济救助", AidType::kMoney},
    {"psychological counselling", AidType::kCounselling},
    {"psychological counseling", AidType::kCounselling},
    {"counselling", AidType::kCounselling},
    {"counseling", AidType::kCounselling},
    {"心理疏导", AidType::kCounselling},
    {"心理救助", AidType::kCounselling},
    {"心理咨询", AidType::kCounselling},
    {"job training", AidType::kJobTraining},
    {"职业培训", AidType::kJobTraining},
    {"技能培训", AidType::kJobTraining},
    {"job placement", AidType::kJobPlacement},
    {"就业安置", AidType::kJobPlacement},
    {"就业帮扶", AidType::kJobPlacement},
    {"disability aid", AidType::kDisability},
    {"disability", AidType::kDisability},
    {"残疾救助", AidType::kDisability},
    {"残疾人救助", AidType::kDisability},
    {"education aid", AidType::kEducation},
    {"education", AidType::kEducation},
    {"教育救助", AidType::kEducation},
    {"助学", AidType::kEducation},
    {"medical aid", AidType::kMedical},
    {"medical", AidType::kMedical},
    {"医疗救助", AidType::kMedical},
};

// Lower-cases ASCII, turns '_' and '-' into spaces, collapses runs of
// whitespace into one space and trims the ends.
std::string Fold(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '_' || c == '-' || absl::ascii_isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += absl::ascii_tolower(static_cast<unsigned char>(c));
  }
  return out;
}

const AidTypeNames& NamesOf(AidType t) {
  auto i = static_cast<size_t>(t);
  return i < std::size(kNames) ? kNames[i] : kNames[0];
}

}  // namespace

AidType ParseAidType(const std::string& text) {
  const std::string folded = Fold(text);
  for (const Spelling& s : kSpellings) {
    if (s.text == folded) return s.type;
  }
  return AidType::kUnknown;
}

const char* AidTypeName(AidType t) { return NamesOf(t).name; }

const char* AidTypeChineseName(AidType t) { return NamesOf(t).chinese; }

std::string YuanText(int64_t fen) {
  return absl::StrFormat("%.2f", static_cast<double>(fen) / 100);
}

}  // namespace concord::aid
