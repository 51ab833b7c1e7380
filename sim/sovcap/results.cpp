#include "sovcap/results.hpp"

#include <limits>
#include <numeric>

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
  pending_gw_.resize(static_cast<std::size_t>(nc));
  std::iota(pending_gw_.begin(), pending_gw_.end(), 0);
  pending_target_ = pending_gw_;
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
  final_target_.resize(nc);
  for (int c = 0; c < nc; ++c) {
    const auto& tg = params.countries.targets[c];
    final_target_(c) = tg.empty() ? params.countries.at(c, CountryParam::it_mw) : tg.back().mw;
  }
}

void RunRecorder::observe(const StepView& view) {
  for (int s : kept_) out_.country[s].col(view.step) = *view.country[s];
  if (view.step == steps_)
    for (int s = 0; s < kNumCountrySeries; ++s) out_.last[s] = *view.country[s];
  for (int s = 0; s < kNumRunSeries; ++s) out_.run[s](view.step) = view.run[s];
  const auto& it = view[CountrySeries::it_mw];
  const auto nc = it.size();
  // Each pending country is tested until it reaches its level, then dropped (in order).
  auto settle = [&](std::vector<int>& pending, Eigen::ArrayXd& year, auto level) {
    std::size_t keep = 0;
    for (const int c : pending) {
      if (reached(it(c), level(c)))
        year(c) = view.time;
      else
        pending[keep++] = c;
    }
    pending.resize(keep);
  };
  if (!pending_gw_.empty()) settle(pending_gw_, out_.year_gw_reached, [](int) { return 1000.0; });
  if (!pending_target_.empty())
    settle(pending_target_, out_.year_target_reached, [this](int c) { return final_target_(c); });
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
