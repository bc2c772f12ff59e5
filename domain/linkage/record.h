// An aid grant as an agency keeps it (clear identity; never leaves the agency)
// and the parsing of its CSV form.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace concord::aid {

// The seven kinds of the joint platform (DOMAIN.md, judicial aid).
enum class AidType {
  kUnknown = 0,
  kMoney,
  kCounselling,
  kJobTraining,
  kJobPlacement,
  kDisability,
  kEducation,
  kMedical,
};

// The seven known kinds, in enum order (for listing them).
inline constexpr AidType kAidTypes[] = {
    AidType::kMoney,      AidType::kCounselling, AidType::kJobTraining, AidType::kJobPlacement,
    AidType::kDisability, AidType::kEducation,   AidType::kMedical,
};

// Accepts the English name ("money", "psychological counselling", ...; case,
// '_' or '-' for spaces and surrounding whitespace do not matter), the Chinese
// name (资金救助/救助金, 心理疏导, 职业培训, 就业安置, 残疾救助, 教育救助,
// 医疗救助) and a few common variants; kUnknown otherwise. Every name that
// AidTypeName() and AidTypeChineseName() return reads back.
AidType ParseAidType(const std::string& text);
const char* AidTypeName(AidType t);         // "money", "counselling", ...
const char* AidTypeChineseName(AidType t);  // 资金救助, 心理疏导, ...

// An amount in 分 as yuan with two decimals: 123450 -> "1234.50".
std::string YuanText(int64_t fen);

struct AidRecord {
  std::string record_id;   // the agency's own id for the grant
  std::string agency;      // granting agency (principal name or its short name)
  std::string name;        // as written (Chinese or romanised)
  std::string id_number;   // as written; may be empty, 15 or 18 characters, or wrong
  std::string birth_date;  // YYYY-MM-DD once parsed (empty if unknown)
  std::string gender;      // "M", "F" or empty
  std::string phone;
  std::string address;
  std::string email;  // optional; rarely kept by agencies (Splink's test data has it)
  std::vector<std::string> case_refs;  // 案号, several allowed
  std::string incident_date;           // YYYY-MM-DD or empty
  std::string crime;                   // 案由
  AidType aid_type = AidType::kUnknown;
  int64_t amount_fen = 0;  // amount in 分 (1/100 yuan); 0 if none (non-money aid)
  std::string granted_on;  // YYYY-MM-DD
  int line = 0;            // CSV line it came from (0 if not from a file)
};

}  // namespace concord::aid
