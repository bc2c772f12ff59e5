// `concordctl aid ...`: linkage key generation and batch duplicate detection.
#pragma once

#include <string>
#include <vector>

namespace concord::ctl {

struct AidDedupArgs {
  std::string input, format = "concord", out, key_file;
  std::vector<std::string> ignore_columns;
  double threshold = 0.5;
  bool person_only = false;
  std::string model_out;  // write the estimated model here (optional)
};
int CmdAidDedup(const AidDedupArgs& a);
int CmdAidKeygen(const std::string& path);

}  // namespace concord::ctl
