// Prometheus text exposition helpers (single-threaded: render on the loop
// thread that owns the values).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace concord {

// A fixed-bucket histogram (cumulative on output, as Prometheus expects).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds)
      : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}
  void Observe(double v) {
    size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    ++counts_[i];
    sum_ += v;
    ++count_;
  }
  // Appends "# TYPE" and the series for `name` to `out`.
  void Render(const std::string& name, const std::string& help, std::string& out) const;
  uint64_t count() const { return count_; }
  // Approximate quantile (upper bound of the bucket holding it).
  double Quantile(double q) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  double sum_ = 0;
  uint64_t count_ = 0;
};

void RenderCounter(const std::string& name, const std::string& help, uint64_t v, std::string& out);
void RenderGauge(const std::string& name, const std::string& help, double v, std::string& out);

}  // namespace concord
