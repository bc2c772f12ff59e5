// The risk factor table (deploy/risk/factors.toml): factors with their
// weights and reasons, and the levels by score. An officer reads and edits
// the file; the code only applies it (DOMAIN.md, "Risk": no national scale).
//
// Evaluate() finds the factors present in a case's facts, each with the
// reason it applies (Chinese / English), and the level their weights reach.
// Thread safety: a FactorTable is immutable after Parse/Load.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace concord {
class ConfigFile;
}  // namespace concord

namespace concord::risk {

enum class Level { kGreen, kYellow, kRed };
const char* LevelName(Level l);  // "green", "yellow", "red"

// What is known of a case: from the ledger (PetitionSnapshot) and from the
// handlers' risk forms (RiskReport).
struct CaseFacts {
  int people = 1;
  int repeats = 0;
  std::string matter;
  bool overdue = false;
  int overdue_days = 0;
  bool contested = false;
  bool major = false;
  // factor id -> who reported it and the note ("检察院: 扬言进京").
  std::vector<std::pair<std::string, std::string>> reported;
};

struct FactorHit {
  std::string id, name;
  int weight = 0;
  std::string reason;  // why it applies here, and why it matters (the table's `why`)
};

struct Assessment {
  Level level = Level::kGreen;
  int score = 0;
  std::vector<FactorHit> factors;
};

class FactorTable {
 public:
  // Errors name the factor or level and the problem (Chinese / English).
  static absl::StatusOr<FactorTable> Parse(const std::string& toml_text);
  static absl::StatusOr<FactorTable> Load(const std::string& path);

  Assessment Evaluate(const CaseFacts& facts) const;

  bool Knows(const std::string& factor_id) const;
  std::vector<std::string> Ids() const;
  // The factors a case handler ticks on the risk form (those not derived
  // from the ledger's facts), for the console's form.
  struct FormFactor {
    std::string id, name;
    int weight = 0;
  };
  std::vector<FormFactor> FormFactors() const;
  const std::string& LevelTitle(Level l) const { return levels_[static_cast<int>(l)].name; }
  // What the level requires of the responsible unit.
  const std::string& Required(Level l) const { return levels_[static_cast<int>(l)].required; }

 private:
  // The checks of Parse and Load on a parsed file.
  static absl::StatusOr<FactorTable> FromConfig(const ConfigFile& file);
  enum class When { kPeople, kRepeat, kOverdue, kContested, kMajor, kKeywords, kReported };
  struct Factor {
    std::string id, name, why;
    When when = When::kReported;
    int weight = 0, min_people = 0;
    std::vector<std::string> keywords;
  };
  struct LevelInfo {
    int min_score = 0;
    std::string name, required;
  };
  std::vector<Factor> factors_;
  LevelInfo levels_[3];  // by Level
};

}  // namespace concord::risk
