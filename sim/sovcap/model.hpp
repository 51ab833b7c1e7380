#pragma once
// The sovcap model: every country advanced together, one step at a time, coupled through
// the global chip market. State variables are Eigen arrays over countries. The model never
// prints or opens files: each recorded state leaves through an Observer.

#include <array>
#include <vector>

#include <Eigen/Core>

#include "sovcap/outputs.hpp"
#include "sovcap/params.hpp"

namespace sovcap {

// The recorded state at one time index, valid only during Observer::observe.
struct StepView {
  int step = 0;       // time index: 0 is the initial state
  double time = 0.0;  // decimal year
  std::array<const Eigen::ArrayXd*, kNumCountrySeries> country{};  // each [country]
  std::array<double, kNumRunSeries> run{};

  const Eigen::ArrayXd& operator[](CountrySeries s) const { return *country[static_cast<int>(s)]; }
  double operator[](RunSeries s) const { return run[static_cast<int>(s)]; }
};

// Receives every recorded state of a run, in time order.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void begin(const RunParams& params) = 0;
  virtual void observe(const StepView& view) = 0;
  virtual void end() {}
  // Whether observe() reads series s at the intermediate states (neither the initial
  // state nor the horizon, which always carry every series). A derived series nobody reads
  // there is not computed, and its view then holds an unspecified value: a summary-mode
  // sweep reads only it_mw and the bottleneck code on the way.
  virtual bool reads_every_step(CountrySeries /*s*/) const { return true; }
};

// Runs the model. Holds its working arrays so that a sweep worker reuses one Model for
// many runs without allocating per step.
class Model {
 public:
  // Simulates params from start_year to end_year, reporting states 0..steps() to obs.
  // params must have passed scenario validation.
  void run(const RunParams& params, Observer& obs);

 private:
  // The initial state, from the helpers in model_detail.hpp that BatchModel::reset calls
  // too, so that the batched and the one-run model start every run from the same bits.
  void reset(const RunParams& p);
  void step(const RunParams& p, int n);
  void fill_view(const RunParams& p, int n);
  // Whether series s is to be computed for the state at time index n.
  bool wanted(CountrySeries s, int n) const {
    return n == 0 || n == last_index_ || wanted_[static_cast<int>(s)];
  }

  // Per-country state, each [country].
  Eigen::ArrayXd it_mw_, pipeline_mw_, ready_mw_, grid_mw_, grid_pipeline_mw_, cash_,
      workforce_, funds_, capex_, opex_, unfunded_, flops_, dom_flops_, accel_count_;
  // Row-major, so that one slot (all countries) is contiguous for array arithmetic.
  using Ring = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  // Cohorts of installed chips, ring buffers over install step: [slot, country].
  Ring cohort_mw_, cohort_flops_, cohort_dom_flops_, cohort_count_;
  // Delay lines, ring buffers over due step: [slot, country].
  Ring shell_due_, grid_due_;
  // The target path at every time index the step needs to look at: [index, country].
  Ring target_path_;
  std::vector<int> build_delay_, grid_delay_;  // in steps, per country
  int lifetime_steps_ = 1;
  // The initial cohorts' chips by age - 1: accelerators per MW, FLOP/s per accelerator.
  std::vector<double> accel_per_mw_, accel_flops_;
  // Growth factors of the current step, per country and global.
  Eigen::ArrayXd budget_rate_, domestic_rate_, budget_step_, domestic_step_;
  std::array<double, 5> trend_step_{};  // vendor, other demand, kW, FLOP/s, price
  // Per-step constants: operating cost per IT MW, grid additions, vendor chips by tier.
  Eigen::ArrayXd opex_per_mw_, grid_cap_, tier_cap_;
  double vendor_rate_ = 0.0, other_rate_ = 0.0, kw_now_ = 0.0, flops_now_ = 0.0,
         price_now_ = 0.0;
  // Per-step derived arrays and recorded series.
  std::array<Eigen::ArrayXd, kNumCountrySeries> series_;
  std::array<double, kNumRunSeries> run_series_{};
  Eigen::ArrayXd tmp_a_, tmp_b_, tmp_c_, demand_, received_, start_shortfall_, strand_chips_,
      strand_cash_, start_cap_kind_;
  std::vector<double> alloc_demand_, alloc_out_;
  std::vector<int> alloc_order_;
  StepView view_;
  std::array<bool, kNumCountrySeries> wanted_{};  // what the observer reads every step
  int last_index_ = 0;                              // the horizon's time index
};

// Shares `supply` among `demand` (all >= 0) by the rule; out[i] <= demand[i] and
// sum(out) <= supply. Exposed for tests and for the model.
// `order` is scratch space that the max-min-fair rule keeps from one call to the next, as
// the start of its sort (demands change their ranking little from step to step): with
// demand.size() entries it must be a permutation of 0..size-1, which is what every call
// leaves there, so callers must not write to it; with any other size (empty, say) the sort
// starts afresh. The shares are the same bits either way.
void allocate(Allocation rule, const std::vector<double>& demand, double supply,
              std::vector<double>& out, std::vector<int>& order);

}  // namespace sovcap
