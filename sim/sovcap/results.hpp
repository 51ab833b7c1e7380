#pragma once
// What one run produces, gathered by an Observer: full trajectories and the per-country
// summaries of MODEL.md's Outputs section.

#include <array>
#include <vector>

#include <Eigen/Core>

#include "sovcap/model.hpp"

namespace sovcap {

struct RunResult {
  // Each [country, time]; a series the recorder was told not to keep is left empty.
  std::array<Eigen::ArrayXXd, kNumCountrySeries> country;
  std::array<Eigen::ArrayXd, kNumCountrySeries> last;      // each [country]: at the horizon
  std::array<Eigen::ArrayXd, kNumRunSeries> run;           // each [time]
  Eigen::ArrayXd year_target_reached;                      // [country], NaN if never
  Eigen::ArrayXd year_gw_reached;                          // [country], NaN if never
  // [country, bottleneck code]: the steps 1..N (not the initial state) under each code;
  // a share is this over N. Whole numbers, which is how the results file stores them.
  Eigen::ArrayXXi bottleneck_steps;
  // held_back_mw's trajectory, [country + constraint * countries, time] (each column is
  // the StepView's [country, constraint] array, column-major); empty unless kept.
  Eigen::ArrayXXd held_back;
  // [country, constraint]: held_back_mw summed over steps 1..N (MW times steps). Divided
  // by its sum over constraints it gives held_back_share; over N, the mean shortfall.
  Eigen::ArrayXXd held_back_sum;
  // [country, constraint + period * constraints]: held_back_mw summed over the steps of
  // each of result_periods() (MW times steps); over the period's steps, the mean MW that
  // each constraint held back in it (held_back_mw_period).
  Eigen::ArrayXXd held_back_period;

  const Eigen::ArrayXXd& operator[](CountrySeries s) const { return country[static_cast<int>(s)]; }
  const Eigen::ArrayXd& operator[](RunSeries s) const { return run[static_cast<int>(s)]; }
};

// Capacity counts as having reached a level when within this relative tolerance of it,
// so that sums of quarterly additions that should land exactly on a target do.
inline constexpr double kReachedTolerance = 1e-9;
inline double reached_from(double level) { return level * (1.0 - kReachedTolerance) - kReachedTolerance; }
inline bool reached(double capacity, double level) { return capacity >= reached_from(level); }

// Records the summaries, the state at the horizon and the trajectories of the kept series
// (all by default; a summary-mode sweep keeps few) into a RunResult.
class RunRecorder : public Observer {
 public:
  explicit RunRecorder(RunResult& out) : out_(out) { keep_.fill(true); }
  // keep_held_back: whether held_back_mw's trajectory is kept too (its sums always are).
  RunRecorder(RunResult& out, const std::array<bool, kNumCountrySeries>& keep,
              bool keep_held_back = false)
      : out_(out), keep_(keep), keep_held_back_(keep_held_back) {}
  void begin(const RunParams& params) override;
  void observe(const StepView& view) override;
  // held_back_mw's trajectory only when kept: its sums come with the horizon.
  bool reads_held_back() const override { return keep_held_back_; }
  // The kept trajectories, and what the summaries follow on the way.
  bool reads_every_step(CountrySeries s) const override {
    return keep_[static_cast<int>(s)] || s == CountrySeries::it_mw || s == CountrySeries::bottleneck;
  }

 private:
  RunResult& out_;
  std::array<bool, kNumCountrySeries> keep_{};
  bool keep_held_back_ = true;
  std::vector<int> kept_;  // the series whose trajectories are kept
  // reached_from() of 1 GW, and of each country's final target.
  double gw_at_ = 0.0;
  Eigen::ArrayXd target_at_;
  int steps_ = 0;
  std::vector<int> period_end_;       // per period: its last step (0: none)
  int period_steps_ = -1;             // the time axis period_end_ is of
  double period_start_ = 0.0, period_dt_ = 0.0;
  Eigen::ArrayXXd sum_before_;        // held_back_sum at the end of the previous period
};

}  // namespace sovcap
