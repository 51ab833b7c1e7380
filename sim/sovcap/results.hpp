#pragma once
// What one run produces, gathered by an Observer: full trajectories and the per-country
// summaries of MODEL.md's Outputs section.

#include <array>

#include <Eigen/Core>

#include "sovcap/model.hpp"

namespace sovcap {

struct RunResult {
  std::array<Eigen::ArrayXXd, kNumCountrySeries> country;  // each [country, time]
  std::array<Eigen::ArrayXd, kNumRunSeries> run;           // each [time]
  Eigen::ArrayXd year_target_reached;                      // [country], NaN if never
  Eigen::ArrayXd year_gw_reached;                          // [country], NaN if never
  Eigen::ArrayXXd bottleneck_share;                        // [country, bottleneck code]

  const Eigen::ArrayXXd& operator[](CountrySeries s) const { return country[static_cast<int>(s)]; }
  const Eigen::ArrayXd& operator[](RunSeries s) const { return run[static_cast<int>(s)]; }
};

// Capacity counts as having reached a level when within this relative tolerance of it,
// so that sums of quarterly additions that should land exactly on a target do.
inline constexpr double kReachedTolerance = 1e-9;
inline bool reached(double capacity, double level) {
  return capacity >= level * (1.0 - kReachedTolerance) - kReachedTolerance;
}

// Records every series of every step, and the summaries, into a RunResult.
class RunRecorder : public Observer {
 public:
  explicit RunRecorder(RunResult& out) : out_(out) {}
  void begin(const RunParams& params) override;
  void observe(const StepView& view) override;
  void end() override;

 private:
  RunResult& out_;
  Eigen::ArrayXd final_target_;
  int steps_ = 0;
};

}  // namespace sovcap
