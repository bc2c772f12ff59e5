#include "common/metrics.h"

#include "absl/strings/str_cat.h"

namespace concord {

void Histogram::Render(const std::string& name, const std::string& help, std::string& out) const {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " histogram\n");
  uint64_t cum = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cum += counts_[i];
    absl::StrAppend(&out, name, "_bucket{le=\"", bounds_[i], "\"} ", cum, "\n");
  }
  cum += counts_.back();
  absl::StrAppend(&out, name, "_bucket{le=\"+Inf\"} ", cum, "\n", name, "_sum ", sum_, "\n", name,
                  "_count ", count_, "\n");
}

double Histogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  const double target = q * static_cast<double>(count_);
  uint64_t cum = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    cum += counts_[i];
    if (static_cast<double>(cum) >= target) return i < bounds_.size() ? bounds_[i] : 1e18;
  }
  return 1e18;
}

void RenderCounter(const std::string& name, const std::string& help, uint64_t v, std::string& out) {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " counter\n", name, " ", v,
                  "\n");
}

void RenderGauge(const std::string& name, const std::string& help, double v, std::string& out) {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " gauge\n", name, " ", v,
                  "\n");
}

}  // namespace concord
