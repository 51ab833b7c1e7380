#pragma once
// A TEST ORACLE, NOT USED BY THE PROGRAM: the model step written for clarity, one run at a
// time, as whole-array Eigen expressions over the countries in the order of docs/model.md.
// The program's one model is the lane kernel (sim/sovcap/batch_model.*, with Model a
// one-lane facade over it); tests hold that kernel to this oracle's bits for every series
// (tests/unit/test_batch_model.cpp, test_shipped_scenarios.cpp). It is the one-run model
// the program had before the kernel became the only one, kept operation for operation, so
// a change to the kernel's math shows here as a difference, and a deliberate change to
// the model is made in both. So far two: the affordable chips capped at what cash pays
// for (issue 16 item 6, which keeps funds = cash + capex + opex), and the start cap
// reported as binding decided with a tie tolerance (issue 13, detail::kTieRel). It
// shares with the kernel only what is not the step: the initial state's helpers
// (sim/sovcap/model_detail.hpp) and allocate(), each tested on its own
// (test_allocation.cpp, and the hand-computed cases of test_model.cpp).

#include <array>
#include <vector>

#include <Eigen/Core>

#include "sovcap/batch_model.hpp"  // detail::ScheduledValues
#include "sovcap/observer.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/params.hpp"

namespace sovcap::oracle {

class Model {
 public:
  // Simulates params from start_year to end_year, reporting states 0..steps() to obs,
  // exactly as sovcap::Model::run does. params must have passed scenario validation.
  void run(const RunParams& params, Observer& obs);

 private:
  void reset(const RunParams& p);
  // One step, stage by stage (docs/model.md numbers them).
  void step(const RunParams& p, int n);
  void apply_schedules(int n);                     // the schedules' values for step n
  void pay_and_retire(const RunParams& p, int n);  // stages 1 to 3
  void plan_grid(const RunParams& p, int n);       // stage 4
  void fit_out(const RunParams& p, int n);         // stage 5
  void start_shells(const RunParams& p, int n);    // stage 6
  void decide_bottleneck(int n);
  void record_flows(const RunParams& p, int n);
  void fill_view(const RunParams& p, int n);
  // Whether series s is to be computed for the state at time index n.
  bool wanted(CountrySeries s, int n) const {
    return n == 0 || n == last_index_ || wanted_[static_cast<int>(s)];
  }

  // Per-country state, each [country].
  Eigen::ArrayXd it_mw_, pipeline_mw_, ready_mw_, grid_mw_, grid_pipeline_mw_, onsite_mw_,
      onsite_pipeline_mw_, cash_,
      workforce_, funds_, capex_, chips_capex_, opex_, unfunded_, flops_, dom_flops_,
      accel_count_;
  // Row-major, so that one slot (all countries) is contiguous for array arithmetic.
  using Ring = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  // Cohorts of installed chips, ring buffers over install step: [slot, country].
  Ring cohort_mw_, cohort_flops_, cohort_dom_flops_, cohort_count_;
  // Delay lines, ring buffers over due step: [slot, country].
  Ring shell_due_, grid_due_, onsite_due_;
  // The target path at every time index the step needs to look at: [index, country].
  Ring target_path_;
  std::vector<int> build_delay_, grid_delay_, onsite_delay_;  // in steps, per country
  int lifetime_steps_ = 1;
  // The initial cohorts' chips by age - 1: accelerators per MW, FLOP/s per accelerator.
  std::vector<double> accel_per_mw_, accel_flops_;
  // Growth factors of the current step, per country and global.
  Eigen::ArrayXd budget_rate_, domestic_rate_, budget_step_, domestic_step_;
  std::array<double, 5> trend_step_{};  // vendor, other demand, kW, FLOP/s, price
  // Per-step constants: operating cost per IT MW, grid additions, vendor chips by tier.
  Eigen::ArrayXd opex_per_mw_, grid_cap_, onsite_cap_, onsite_capex_, tier_cap_;
  // The grid queue per country, per step (detail::queue_steps); empty for no queue.
  std::vector<std::vector<double>> queue_arrive_, queue_window_;
  // The parameters the step reads, as of the current step: the country's values, or a
  // schedule's at the step's time (sched_, applied at the start of each step).
  Eigen::ArrayXd pue_, workforce_step_, staff_build_, staff_ops_, capex_mw_, dom_price_,
      dom_perf_;
  std::vector<detail::ScheduledValues> sched_;
  double vendor_rate_ = 0.0, other_rate_ = 0.0, kw_now_ = 0.0, flops_now_ = 0.0,
         price_now_ = 0.0;
  // The chip market of the step: accelerators per IT MW for new chips, the vendor's
  // supply after shocks, other demand and what the countries received in all.
  double per_mw_ = 0.0, supply_ = 0.0, other_ = 0.0, allocated_ = 0.0;
  // Per-step derived arrays and recorded series.
  std::array<Eigen::ArrayXd, kNumCountrySeries> series_;
  std::array<double, kNumRunSeries> run_series_{};
  Eigen::ArrayXXd held_back_;  // [country, constraint]: held_back_mw of the step
  Eigen::ArrayXXd held_back_sum_;  // the same summed over the steps so far
  Eigen::ArrayXd tmp_a_, tmp_b_, tmp_c_, held_in_, demand_, received_, start_shortfall_, strand_chips_,
      strand_tier_, strand_cash_, start_cap_kind_;
  std::vector<double> alloc_demand_, alloc_out_;
  std::vector<int> alloc_order_;
  StepView view_;
  std::array<bool, kNumCountrySeries> wanted_{};  // what the observer reads every step
  int last_index_ = 0;                              // the horizon's time index
};

}  // namespace sovcap::oracle
