#include "sovcap/results.hpp"

#include <cmath>
#include <limits>

namespace sovcap {

void RunRecorder::begin(const RunParams& params) {
  const int nc = params.countries.size();
  const int nt = params.sim.steps() + 1;
  steps_ = params.sim.steps();
  kept_.clear();
  for (int k = 0; k < kNumCountrySeries; ++k) {
    if (keep_[k]) {
      out_.country[k].resize(nc, nt);
      kept_.push_back(k);
    } else {
      out_.country[k].resize(0, 0);
    }
  }
  for (auto& a : out_.run) a.resize(nt);
  out_.year_target_reached.setConstant(nc, std::numeric_limits<double>::quiet_NaN());
  out_.year_gw_reached.setConstant(nc, std::numeric_limits<double>::quiet_NaN());
  out_.bottleneck_steps.setZero(nc, kNumBottlenecks);
  out_.held_back_sum.setZero(nc, kNumBottlenecks);
  if (period_steps_ != steps_ || period_start_ != params.sim.start_year || period_dt_ != params.sim.dt) {
    period_end_ = result_periods(params.sim.start_year, params.sim.dt, steps_).last_step;
    period_steps_ = steps_;
    period_start_ = params.sim.start_year;
    period_dt_ = params.sim.dt;
  }
  out_.held_back_period.setZero(nc, kNumBottlenecks * static_cast<Eigen::Index>(period_end_.size()));
  sum_before_.setZero(nc, kNumBottlenecks);
  if (keep_held_back_)
    out_.held_back.resize(static_cast<Eigen::Index>(nc) * kNumBottlenecks, nt);
  else
    out_.held_back.resize(0, 0);
  // The it_mw at and above which reached() holds for each level: the same expression, so
  // the same bits, worked out once a run instead of at every step.
  gw_at_ = reached_from(1000.0);
  target_at_.resize(nc);
  for (int c = 0; c < nc; ++c) {
    const auto& tg = params.countries.targets[c];
    target_at_(c) =
        reached_from(tg.empty() ? params.countries.at(c, CountryParam::it_mw) : tg.back().mw);
  }
}

void RunRecorder::observe(const StepView& view) {
  for (int s : kept_) out_.country[s].col(view.step) = *view.country[s];
  if (view.step == steps_)
    for (int s = 0; s < kNumCountrySeries; ++s) out_.last[s] = *view.country[s];
  for (int s = 0; s < kNumRunSeries; ++s) out_.run[s](view.step) = view.run[s];
  const auto& it = view[CountrySeries::it_mw];
  const auto nc = it.size();
  // The year a level is first reached: a year still NaN takes this step's time where
  // it_mw is at or above the level's threshold. Every country in one loop without
  // branches, which the compiler vectorises (as many instructions as the lists of the
  // countries still short that it replaces, which branched on every test).
  {
    const double* cap = it.data();
    const double* target_at = target_at_.data();
    double* year_gw = out_.year_gw_reached.data();
    double* year_target = out_.year_target_reached.data();
    const double time = view.time, gw_at = gw_at_;
    for (Eigen::Index c = 0; c < nc; ++c) {
      year_gw[c] = cap[c] >= gw_at && std::isnan(year_gw[c]) ? time : year_gw[c];
      year_target[c] = cap[c] >= target_at[c] && std::isnan(year_target[c]) ? time : year_target[c];
    }
  }
  // Shares are over the steps taken; the initial state is not a step.
  if (view.step > 0) {
    const double* code = view[CountrySeries::bottleneck].data();
    int* under = out_.bottleneck_steps.data();  // column-major: [code * nc + country]
    for (Eigen::Index c = 0; c < nc; ++c) ++under[static_cast<Eigen::Index>(code[c]) * nc + c];
  }
  if (view.step == steps_) out_.held_back_sum = *view.held_back_sum;
  // A period's sum as the difference of the running sums at its ends (the model shows
  // them there): exactly 0 for a period without shortfall.
  for (std::size_t k = 0; k < period_end_.size(); ++k) {
    if (view.step == 0 || period_end_[k] != view.step) continue;
    const auto& sum = *view.held_back_sum;
    out_.held_back_period.middleCols(static_cast<Eigen::Index>(k) * kNumBottlenecks, kNumBottlenecks) =
        sum - sum_before_;
    sum_before_ = sum;
  }
  if (keep_held_back_)
    out_.held_back.col(view.step) =
        Eigen::Map<const Eigen::ArrayXd>(view.held_back->data(), view.held_back->size());
}

}  // namespace sovcap
