#pragma once
// The sovcap model step, its one implementation: N runs advanced in lock-step, one
// run per lane. The state is laid out [country][lane], lane innermost, so that with
// several lanes each operation is one vector instruction over them and a country's whole
// step stays in registers. A sweep runs kSweepLanes runs at a time; Model (model.hpp) is
// the one-lane form, for a single run. Every lane computes the same operations in the
// same order on its own run's values, so a run's results are the same bits whichever
// lane and lane count it goes through; tests hold both forms to the test oracle
// (tests/oracle), the model written for clarity, bit for bit.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "sovcap/observer.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/params.hpp"

namespace sovcap {

// Eight doubles: one AVX-512 vector, two AVX2 vectors or four SSE2 vectors per operation.
inline constexpr int kSweepLanes = 8;

namespace detail {

// Results of std::pow kept from the batches before, for the arguments they were computed
// from: in a sweep most lanes and batches share these parameters, and the same arguments
// give the same bits.
struct FactorMemo {  // detail::step_factor(growth, dt)
  double growth = 0.0, dt = 0.0, factor = 0.0;
  bool valid = false;
  double get(double g, double d);
};
struct AccelMemo {  // detail::initial_accel for ages 1..per_mw.size()
  std::array<double, 5> key{};  // accel_kw, its growth, accel_flops, its growth, dt
  bool valid = false;
  std::vector<double> per_mw, flops;
  void update(const GlobalParams& g, double dt, int lifetime);
};

// One run's per-step values of its scheduled parameters (detail::scheduled_values in
// model_detail.hpp says which fields and how they are computed).
struct ScheduledValues {
  int country = -1;        // -1: the global trends
  std::uint32_t mask = 0;  // bit f: field f is scheduled
  std::vector<double> v;   // [n * fields + f], n = 0..steps-1
};

}  // namespace detail

// Holds its working arrays, so that a sweep worker reuses one BatchModel for many batches
// without allocating per step (nor per batch once the sizes have been seen). Its members
// are defined in batch_model.cpp, which instantiates it for 1 and kSweepLanes lanes (not
// declared `extern template` here: GCC 12 then drops the target_clones of the lane loops).
template <int N>
class BatchModel {
 public:
  static constexpr int kLanes = N;

  // Whether two runs can share a batch: same country count and same simulation settings
  // (start_year, end_year, dt). Everything else may differ per lane, including chip
  // lifetime, build and grid lead times, targets, shocks, allocation rule and export tiers.
  static bool compatible(const RunParams& a, const RunParams& b);

  // Runs params[0..n), 1 <= n <= kLanes, all compatible with params[0] (else throws
  // std::invalid_argument), reporting each run's states to obs[k]: begin, observe for
  // time indices 0..steps, end, with the same StepView contents, bit for bit, for every
  // series the observer reads, as the run would give in any lane of any batch.
  // Calls to different observers interleave. params must have passed scenario validation.
  void run(const RunParams* const* params, Observer* const* obs, int n);

 private:
  // One value per lane, aligned so that a lane loop is whole aligned vectors (up to 64
  // bytes: one AVX-512 vector).
  static constexpr std::size_t kAlign = kLanes * sizeof(double) < 64 ? kLanes * sizeof(double) : 64;
  struct alignas(kAlign) Lanes {
    double v[kLanes];
    double& operator[](int l) { return v[l]; }
    double operator[](int l) const { return v[l]; }
  };

  // One cohort of installed chips, for every lane.
  struct Cohort {
    Lanes mw, flops, dom_flops, count;
  };

  // Everything a country's step reads and writes, for every lane, in one block: the fused
  // lane loops then address one object, and the compiler can tell the arrays apart.
  struct Country {
    // State.
    Lanes it_mw, pipeline_mw, ready_mw, grid_mw, grid_pipeline_mw, onsite_mw,
        onsite_pipeline_mw, cash, workforce, funds, capex, chips_capex, opex, unfunded, flops,
        dom_flops, accel_count;
    // Exponential trends and their per-step factors.
    Lanes budget_rate, domestic_rate, budget_step, domestic_step;
    // Per-run constants; workforce_step is workforce_growth * dt.
    Lanes opex_per_mw, grid_cap, tier_cap, pue, workforce_step, domestic_price_ratio,
        domestic_perf_ratio, staff_build, staff_ops, capex_mw, onsite_cap, onsite_capex;
    // The step's flows, per step (not per year), kept for the market and the view.
    Lanes need, dom, demand, affordable, strand_cash, received, code;
    // What the bottleneck code is decided from: chips affordable but not delivered, the
    // stranded shells in MW put down to the export tier and to the market (or to capital
    // when no chip constraint cut), the start shortfall and the binding cap (0 power, 1
    // capital, 2 talent).
    Lanes strand_chips, stranded_tier, stranded, shortfall, kind;
    // held_back_mw of the step, per bottleneck code, and its sums: computed in
    // after_market's bottleneck loop from the amounts the code is decided from.
    std::array<Lanes, kNumBottlenecks> held;
    std::array<Lanes, kNumBottlenecks> held_sum;  // summed over the steps so far
    // The step's entries for the delay lines when the lanes' delays differ: the lane
    // loops write them here, and a scalar loop moves each to its lane's slot.
    Lanes grid_req, starts, onsite_req;
    Cohort cohort;
    // Delays in steps, and whether every lane has the same one (then the lane loops
    // write the delay line's slot directly).
    alignas(kAlign) int grid_delay[kLanes];
    int build_delay[kLanes];
    int onsite_delay[kLanes];
    bool same_grid_delay, same_build_delay, same_onsite_delay;
    bool has_queue;   // some lane's run has a grid queue for this country
    bool has_onsite;  // some lane's run may order on-site generation for it
  };

  // Per-lane scalars: the global trends and the chip market of the step.
  struct LaneScalars {
    Lanes vendor_rate, other_rate, kw_now, flops_now, price_now;
    std::array<Lanes, 5> trend_step;  // vendor, other demand, kW, FLOP/s, price
    Lanes per_mw, supply, other, total, share, allocated;
    Lanes allocated_by_rule;  // 1.0 where allocate() gave the chips received, else 0.0
    std::array<int, kLanes> lifetime{};
  };

  void reset();
  // reset()'s delay lines and target path, given the longest build and grid delays.
  void reset_delay_lines(int max_build, int max_grid, int max_onsite);
  void reset_targets(int max_build, int max_grid);
  void step(int n);
  // Copies step n's values of the scheduled parameters over what the step reads.
  void schedule_moves();
  void apply_schedules(int n);
  void observe(int n);
  // The fused lane loops of one country's step, before and after the chip market, with
  // where they write their delay-line entries (the slots, or the country's staging when
  // the lanes' delays differ). Out of line on purpose: called per country, they address
  // every array as an offset from the country's block (inlined into the loop over
  // countries, the compiler carries one pointer per array across it, and spills them),
  // and they are the unit that batch_model.cpp compiles for more than one instruction set.
  static void before_market(Country& b, const Cohort& retiring, const Lanes& shells,
                            const Lanes& power, const Lanes& onsite, const Lanes& queued,
                            const Lanes& queue_window, const Lanes& target_grid,
                            LaneScalars& ls, double dt, Lanes& grid_req);
  static void after_market(Country& b, const Lanes& target_build, const Lanes& target_next,
                           LaneScalars& ls, Cohort& cohort, Lanes& starts);
  // Stage 6b, on-site generation, for a country with has_onsite: a loop of its own, so that
  // the many countries that cannot order it (a cap of 0) do not pay for its division.
  static void onsite_orders(Country& b, const LaneScalars& ls, Lanes& onsite_req);
  bool wanted(int lane, CountrySeries s, int n) const {
    return n == 0 || n == last_index_ || wanted_[lane][static_cast<int>(s)];
  }

  std::array<const RunParams*, kLanes> params_{};
  std::array<Observer*, kLanes> obs_{};
  int used_ = 0;        // lanes with a run; the others repeat lane 0
  int nc_ = 0;          // countries
  int last_index_ = 0;  // the horizon's time index
  // Per time index: whether observers are shown held_back_sum there (the end of each of
  // result_periods() and the horizon), for the time axis sum_start_ + n * sum_dt_.
  std::vector<char> sum_step_;
  double sum_start_ = 0.0, sum_dt_ = 0.0;
  double dt_ = 0.0;
  bool same_lifetime_ = false;
  // Each lane's scheduled values (detail::scheduled_values), and whether any lane has some:
  // runs without schedules skip apply_schedules.
  std::array<std::vector<detail::ScheduledValues>, kLanes> sched_;
  // What sched_[l] was computed from (detail::schedule_inputs), to reuse it for the next
  // run with the same inputs.
  std::array<std::vector<double>, kLanes> sched_key_;
  std::array<bool, kLanes> sched_valid_{};
  std::vector<double> sched_scratch_;
  std::array<std::vector<int>, kLanes> sched_index_;  // [lane][country]: entry in sched_, or -1
  bool scheduled_ = false;
  // What apply_schedules does at step n, worked out at reset: *dst = src[n * stride], for
  // every scheduled field of every lane (each destination once).
  struct ScheduleMove {
    double* dst;
    const double* src;
    std::size_t stride;
  };
  std::vector<ScheduleMove> sched_moves_;

  std::vector<Country> countries_;  // [country]
  LaneScalars lane_;
  // Delay lines as ring buffers over the step at which an entry is due, [slot * nc +
  // country]; one size for every lane (a power of two above the longest delay), so that
  // the slot read in a step is the same for every lane and only the writes differ.
  std::vector<Cohort> cohorts_;  // by retirement step
  std::vector<Lanes> shell_due_, grid_due_, onsite_due_;
  int cohort_mask_ = 0, shell_mask_ = 0, grid_mask_ = 0, onsite_mask_ = 0;
  // The target path at the look-aheads the step reads, [index * nc + country]: now (for
  // the view and, one index on, the bottleneck), one build lead time and one step ahead,
  // and, times pue (the facility power grid planning asks for), one grid plus build lead
  // time and one step ahead.
  std::vector<Lanes> target_now_, target_build_, target_grid_;
  // The grid queue per step, [step * nc + country], for countries with has_queue: what
  // arrives in the step, and what arrives after it within the grid lead time
  // (detail::queue_steps). Countries without a queue read zero_.
  std::vector<Lanes> queue_arrive_, queue_window_;
  Lanes zero_{};
  void reset_queues();
  // Each lane's target path of one country, while reset() lays it out (lanes that share
  // lane 0's path read paths_[0]).
  std::array<std::vector<double>, kLanes> paths_;
  std::vector<Lanes> shells_start_;  // [country]: the initial pipeline due a step, in reset()

  // std::pow's results kept from the batches before (see detail::FactorMemo).
  std::array<detail::FactorMemo, 5> trend_factor_;                // by trend
  std::vector<std::array<detail::FactorMemo, 2>> country_factor_;  // [country]: budget, domestic
  std::array<detail::AccelMemo, kLanes> accel_;                   // by lane

  // Per-lane output: what each observer reads, gathered from the lane layout.
  std::array<std::array<Eigen::ArrayXd, kNumCountrySeries>, kLanes> series_;
  std::array<std::array<double, kNumRunSeries>, kLanes> run_series_{};
  std::array<StepView, kLanes> view_;
  std::array<std::array<bool, kNumCountrySeries>, kLanes> wanted_{};
  std::array<Eigen::ArrayXXd, kLanes> held_back_, held_back_sum_;  // [country, constraint]
  std::array<bool, kLanes> held_wanted_{};        // reads_held_back()

  std::vector<double> alloc_demand_, alloc_out_;
  // allocate()'s order, per lane: it starts from the lane's order of the step before.
  std::array<std::vector<int>, kLanes> alloc_order_;
};

}  // namespace sovcap
