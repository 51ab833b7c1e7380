// The model step, its one implementation (see batch_model.hpp); docs/model.md states its
// equations stage by stage, and the comments below name those stages.

#include "sovcap/batch_model.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>  // defines __GLIBC__, which the dispatch below tests
#include <cstring>
#include <stdexcept>
#include <string>

#include "sovcap/model.hpp"  // allocate()
#include "sovcap/model_detail.hpp"

// Asks the compiler to vectorise the loop that follows over lanes without proving that the
// arrays it touches do not overlap: they are distinct members or distinct elements of the
// model's vectors, but a fused step reads and writes a few dozen of them, far more pairs
// than the compiler would check at run time before it gives up on vectorising.
#if defined(__clang__)
#define SOVCAP_LANE_LOOP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define SOVCAP_LANE_LOOP _Pragma("GCC ivdep")
#else
#define SOVCAP_LANE_LOOP
#endif

// The fused lane loops, where a step spends most of its time, are compiled twice in a
// build for the x86-64 baseline: for SSE2 (two lanes per instruction) and for AVX2 (four,
// and three-operand instructions with blends for the selects), and the dynamic loader
// picks the AVX2 code on CPUs that have it. Both compute the same bits: the same IEEE
// operations lane by lane, and no FMA (contraction is off, and the avx2 target does not
// include FMA). A build that already targets AVX2 (SOVCAP_NATIVE) needs no second copy;
// configuring with SOVCAP_DISPATCH=OFF keeps the SSE2 code only (to test it on a CPU
// with AVX2). GCC with glibc only, where the loader's ifunc support makes the choice, and
// not in the sanitizer builds. GCC 12 makes the clones for the sweep's width only: the
// one-lane form, instantiated earlier in this file by model.hpp's Model, keeps the
// default code, and one lane has nothing to widen.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__) && \
    !defined(__AVX2__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && \
    !defined(SOVCAP_NO_DISPATCH)
#define SOVCAP_LANE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SOVCAP_LANE_CLONES
#endif

namespace sovcap {
namespace {

using detail::kHoursPerYear;
using detail::kKwPerMw;
using detail::kNaN;
using detail::kTieRel;
using detail::kTiny;

// Bit-identity with the test oracle (tests/oracle/oracle_model.cpp, the step written as
// whole-array Eigen expressions over the countries), operation by operation:
// - Every expression is the oracle's, with the same operands in the same order and
//   association (the build has FP contraction off, so a*b+c rounds twice in both).
// - Eigen 3.4's a.max(b) and a.min(b), vectorised or not, are std::max(a, b) and
//   std::min(a, b): the first argument unless the second compares beyond it. So a.max(0.0)
//   keeps a NaN and a -0.0 in a, while std::max(0.0, x) turns both into +0.0. The step
//   below writes std::max/std::min with the oracle's argument order for both.
// - A delay-line slot that the oracle zeroes and then adds to holds 0.0 + x, which is +0.0
//   for x = -0.0: the lines below store 0.0 + x rather than x.

// Whether two values are the same bits (so 0.0 and -0.0 differ): what a result computed
// from one may be reused for.
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

bool same_targets(const std::vector<Target>& a, const std::vector<Target>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (!same_bits(a[k].year, b[k].year) || !same_bits(a[k].mw, b[k].mw)) return false;
  return true;
}

// A running total after taking `out` of what it held, `in` (both >= 0): max(in - out, 0),
// and 0 where that is a rounding residue, at most kTieRel of `in` (docs/model.md, section
// 6, "Residues"): a pipeline emptied by its deliveries, ready shells all fitted out, cash
// all spent leave ~1e-16 of what they held (3e-14 MW, 2e-7 USD), which would otherwise
// stay in the state and feed caps and codes. The oracle's take() is the same.
inline double take(double in, double out) {
  const double left = std::max(in - out, 0.0);
  return left <= kTieRel * in ? 0.0 : left;
}
// Pays `cost` from `cash` as take() does, and returns what was paid: all of the cash where
// what it leaves is a residue, so that funds = cash + capex + opex still holds to the
// rounding of the sums (the oracle's spend()).
inline double spend(double& cash, double cost) {
  const double left = std::max(cash - cost, 0.0);
  const bool all = left <= kTieRel * cash;
  const double paid = all ? cash : cost;
  cash = all ? 0.0 : left;
  return paid;
}

// The smallest power of two above `longest`: a ring of that size holds every entry of a
// delay line of at most `longest` steps until its due step, with a mask for the slot.
int ring_size(int longest) {
  int r = 1;
  while (r <= longest) r <<= 1;
  return r;
}

}  // namespace

template <int N>
bool BatchModel<N>::compatible(const RunParams& a, const RunParams& b) {
  return a.countries.size() == b.countries.size() && a.sim.start_year == b.sim.start_year &&
         a.sim.end_year == b.sim.end_year && a.sim.dt == b.sim.dt;
}

template <int N>
void BatchModel<N>::run(const RunParams* const* params, Observer* const* obs, int n) {
  if (n < 1 || n > kLanes)
    throw std::invalid_argument("BatchModel::run: between 1 and " + std::to_string(kLanes) +
                                " runs, not " + std::to_string(n));
  for (int l = 0; l < n; ++l)
    if (!compatible(*params[0], *params[l]))
      throw std::invalid_argument(
          "BatchModel::run: runs in a batch need the same countries count and simulation "
          "settings");
  // Unused lanes repeat lane 0; they are computed and never observed.
  used_ = n;
  for (int l = 0; l < kLanes; ++l) {
    params_[l] = params[l < n ? l : 0];
    obs_[l] = l < n ? obs[l] : nullptr;
  }
  reset();
  for (int l = 0; l < n; ++l)
    for (int k = 0; k < kNumCountrySeries; ++k)
      wanted_[l][k] = obs_[l]->reads_every_step(static_cast<CountrySeries>(k));
  for (int l = 0; l < n; ++l) held_wanted_[l] = obs_[l]->reads_held_back();
  // What the views point to is the same at every step: set once a batch, not each step.
  for (int l = 0; l < n; ++l) {
    StepView& v = view_[l];
    for (int k = 0; k < kNumCountrySeries; ++k) v.country[k] = &series_[l][k];
    v.held_back = &held_back_[l];
    v.held_back_sum = &held_back_sum_[l];
  }
  for (int l = 0; l < n; ++l) obs_[l]->begin(*params_[l]);
  observe(0);
  for (int s = 0; s < last_index_; ++s) {
    step(s);
    observe(s + 1);
  }
  for (int l = 0; l < n; ++l) obs_[l]->end();
}

double detail::FactorMemo::get(double g, double d) {
  if (!valid || !same_bits(g, growth) || !same_bits(d, dt)) {
    growth = g;
    dt = d;
    factor = detail::step_factor(g, d);
    valid = true;
  }
  return factor;
}

void detail::AccelMemo::update(const GlobalParams& g, double dt, int lifetime) {
  const std::array<double, 5> k = {g[GlobalParam::accel_kw], g[GlobalParam::accel_kw_growth],
                                   g[GlobalParam::accel_flops],
                                   g[GlobalParam::accel_flops_growth], dt};
  if (!valid || std::memcmp(k.data(), key.data(), sizeof(k)) != 0) {
    key = k;
    valid = true;
    per_mw.clear();
    flops.clear();
  }
  const int have = static_cast<int>(per_mw.size());
  if (have >= lifetime) return;
  per_mw.resize(lifetime);
  flops.resize(lifetime);
  for (int age = have + 1; age <= lifetime; ++age)
    detail::initial_accel(g, age, dt, per_mw[age - 1], flops[age - 1]);
}

template <int N>
void BatchModel<N>::reset() {
  const RunParams& p0 = *params_[0];
  const int nc = p0.countries.size();
  const int steps = p0.sim.steps();
  const double dt = p0.sim.dt;
  nc_ = nc;
  dt_ = dt;
  last_index_ = steps;
  // The steps at which observers are shown held_back_sum: each period's last and the
  // horizon (the same time axis as the batch before: the same steps).
  if (sum_step_.size() != static_cast<std::size_t>(steps) + 1 || !same_bits(sum_start_, p0.sim.start_year) ||
      !same_bits(sum_dt_, dt)) {
    sum_step_.assign(static_cast<std::size_t>(steps) + 1, 0);
    for (int s : result_periods(p0.sim.start_year, dt, steps).last_step)
      if (s > 0) sum_step_[static_cast<std::size_t>(s)] = 1;
    sum_step_[static_cast<std::size_t>(steps)] = 1;
    sum_start_ = p0.sim.start_year;
    sum_dt_ = dt;
  }

  // Each lane's initial state comes from the helpers in model_detail.hpp (which the test
  // oracle builds its own from too), laid out [country][lane] as it is computed. Unused
  // lanes repeat lane 0.
  LaneScalars& ls = lane_;
  int max_life = 1;
  for (int l = 0; l < kLanes; ++l) {
    const GlobalParams& g = params_[l]->global;
    ls.lifetime[l] = detail::to_steps(g[GlobalParam::chip_lifetime_years], dt);
    max_life = std::max(max_life, ls.lifetime[l]);
    const auto start = detail::trend_start(g);
    const auto growth = detail::trend_growth(g);
    ls.vendor_rate[l] = start[0];
    ls.other_rate[l] = start[1];
    ls.kw_now[l] = start[2];
    ls.flops_now[l] = start[3];
    ls.price_now[l] = start[4];
    for (int k = 0; k < 5; ++k) ls.trend_step[k][l] = trend_factor_[k].get(growth[k], dt);
    accel_[l].update(g, dt, ls.lifetime[l]);
  }
  same_lifetime_ = std::all_of(ls.lifetime.begin() + 1, ls.lifetime.end(),
                               [&ls](int d) { return d == ls.lifetime[0]; });

  // Not cleared: a ring slot is either set below (what is due before the lane's first
  // entry into it) or written at its entry's step before it is read (see step()).
  const int cohort_rows = ring_size(max_life);
  cohort_mask_ = cohort_rows - 1;
  cohorts_.resize(static_cast<std::size_t>(cohort_rows) * nc);
  countries_.resize(nc);
  country_factor_.resize(nc);
  shells_start_.resize(nc);
  int max_build = 1, max_grid = 1, max_onsite = 1;
  for (int i = 0; i < nc; ++i) {
    Country& b = countries_[i];
    for (int l = 0; l < kLanes; ++l) {
      const RunParams& p = *params_[l];
      const auto& cp = p.countries;
      const detail::CountryStart s = detail::country_start(cp, i, dt);
      b.it_mw[l] = s.it_mw;
      b.pipeline_mw[l] = s.pipeline_mw;
      b.ready_mw[l] = s.ready_mw;
      b.grid_mw[l] = s.grid_mw;
      b.grid_pipeline_mw[l] = s.grid_pipeline_mw;
      b.onsite_mw[l] = 0.0;
      b.onsite_pipeline_mw[l] = 0.0;
      b.cash[l] = s.cash;
      b.workforce[l] = s.workforce;
      b.funds[l] = s.funds;
      b.capex[l] = s.capex;
      b.chips_capex[l] = s.capex;
      b.opex[l] = s.opex;
      b.unfunded[l] = s.unfunded;
      b.dom_flops[l] = s.dom_flops;
      b.budget_rate[l] = s.budget_rate;
      b.domestic_rate[l] = s.domestic_rate;
      b.budget_step[l] = country_factor_[i][0].get(cp.at(i, CountryParam::budget_growth), dt);
      b.domestic_step[l] =
          country_factor_[i][1].get(cp.at(i, CountryParam::domestic_growth), dt);
      b.opex_per_mw[l] = s.opex_per_mw;
      b.grid_cap[l] = s.grid_cap;
      b.onsite_cap[l] = s.onsite_cap;
      b.onsite_capex[l] = cp.at(i, CountryParam::onsite_capex_usd_per_mw);
      b.tier_cap[l] = s.tier_cap;
      b.pue[l] = cp.at(i, CountryParam::pue);
      // What stage 1 adds every step, computed once: the same product each time.
      b.workforce_step[l] = cp.at(i, CountryParam::workforce_growth) * dt;
      b.domestic_price_ratio[l] = cp.at(i, CountryParam::domestic_price_ratio);
      b.domestic_perf_ratio[l] = cp.at(i, CountryParam::domestic_perf_ratio);
      b.staff_build[l] = cp.at(i, CountryParam::staff_per_mw_build);
      b.staff_ops[l] = cp.at(i, CountryParam::staff_per_mw_ops);
      b.capex_mw[l] = cp.at(i, CountryParam::capex_shell_usd_per_mw);
      b.grid_delay[l] = s.grid_delay;
      b.build_delay[l] = s.build_delay;
      b.onsite_delay[l] = s.onsite_delay;
      max_build = std::max(max_build, s.build_delay);
      max_grid = std::max(max_grid, s.grid_delay);
      max_onsite = std::max(max_onsite, s.onsite_delay);
      shells_start_[i][l] = s.shells_per_step;

      // The installed chips: cohort k retires at step k, which is slot k here (k below
      // the lane's lifetime, so below the ring size).
      const detail::AccelMemo& a = accel_[l];
      const detail::InstalledChips sum = detail::initial_cohorts(
          s.it_mw, ls.lifetime[l], a.per_mw.data(), a.flops.data(),
          [&](int k, double mw, double count, double flops, double dom_flops) {
            Cohort& co = cohorts_[static_cast<std::size_t>(k) * nc + i];
            co.mw[l] = mw;
            co.count[l] = count;
            co.flops[l] = flops;
            co.dom_flops[l] = dom_flops;
          });
      b.accel_count[l] = sum.count;
      b.flops[l] = sum.flops;
    }
    b.same_grid_delay = std::all_of(b.grid_delay + 1, b.grid_delay + kLanes,
                                    [&b](int d) { return d == b.grid_delay[0]; });
    b.same_build_delay = std::all_of(b.build_delay + 1, b.build_delay + kLanes,
                                     [&b](int d) { return d == b.build_delay[0]; });
    b.same_onsite_delay = std::all_of(b.onsite_delay + 1, b.onsite_delay + kLanes,
                                      [&b](int d) { return d == b.onsite_delay[0]; });
    // Without a cap above 0 in any lane nothing is ever ordered: stage 6b and its delay
    // line are skipped (the delay line's slots are then neither written nor read).
    b.has_onsite = false;
    for (int l = 0; l < kLanes; ++l) b.has_onsite |= b.onsite_cap[l] > 0.0;
    for (auto& sum : b.held_sum) sum = Lanes{};
  }
  // ... or a schedule of the cap in some lane (one pass over each lane's schedules).
  for (int l = 0; l < kLanes; ++l)
    for (const ParamSchedule& s : params_[l]->countries.schedules)
      if (s.param == static_cast<int>(CountryParam::onsite_add_mw_per_year))
        countries_[s.country].has_onsite = true;

  scheduled_ = false;
  for (int l = 0; l < kLanes; ++l) {
    // The lane's previous run's values stand when it had the same inputs (bit for bit).
    detail::schedule_inputs(*params_[l], sched_scratch_);
    if (!sched_valid_[l] || !detail::same_inputs(sched_scratch_, sched_key_[l])) {
      detail::scheduled_values(*params_[l], sched_[l]);
      sched_key_[l].swap(sched_scratch_);
      sched_valid_[l] = true;
    }
    scheduled_ |= !sched_[l].empty();
    // country -> its entry in sched_[l], or -1.
    sched_index_[l].clear();
    if (sched_[l].empty()) continue;
    sched_index_[l].assign(nc, -1);
    for (std::size_t e = 0; e < sched_[l].size(); ++e)
      if (sched_[l][e].country >= 0) sched_index_[l][sched_[l][e].country] = static_cast<int>(e);
  }
  schedule_moves();

  reset_delay_lines(max_build, max_grid, max_onsite);
  reset_targets(max_build, max_grid);
  reset_queues();
  for (int l = 0; l < used_; ++l) {
    for (auto& a : series_[l]) a.resize(nc);
    held_back_[l].resize(nc, kNumBottlenecks);
    held_back_sum_[l].resize(nc, kNumBottlenecks);
  }
  alloc_demand_.assign(nc + 1, 0.0);
  alloc_out_.assign(nc + 1, 0.0);
}

template <int N>
void BatchModel<N>::reset_delay_lines(int max_build, int max_grid, int max_onsite) {
  const int nc = nc_;
  // Delay lines: slot k holds what is due at step k. A lane's entries due before its
  // delay are the initial ones, the pipeline's shells and no grid power (the oracle's lines
  // start so); from its delay on, each slot is written by the step that makes the entry
  // before it is read, so what is set there now is never read.
  const int shell_rows = ring_size(max_build), grid_rows = ring_size(max_grid);
  shell_mask_ = shell_rows - 1;
  grid_mask_ = grid_rows - 1;
  shell_due_.resize(static_cast<std::size_t>(shell_rows) * nc);
  grid_due_.resize(static_cast<std::size_t>(grid_rows) * nc);
  for (int k = 0; k < max_build; ++k)
    for (int i = 0; i < nc; ++i) {
      const Country& b = countries_[i];
      Lanes& due = shell_due_[k * nc + i];
      for (int l = 0; l < kLanes; ++l) due[l] = k < b.build_delay[l] ? shells_start_[i][l] : 0.0;
    }
  for (int k = 0; k < max_grid; ++k)
    for (int i = 0; i < nc; ++i) grid_due_[k * nc + i] = Lanes{};
  // On-site generation: none ordered before the start.
  const int onsite_rows = ring_size(max_onsite);
  onsite_mask_ = onsite_rows - 1;
  onsite_due_.resize(static_cast<std::size_t>(onsite_rows) * nc);
  for (int k = 0; k < max_onsite; ++k)
    for (int i = 0; i < nc; ++i) onsite_due_[k * nc + i] = Lanes{};
}

template <int N>
void BatchModel<N>::reset_targets(int max_build, int max_grid) {
  const RunParams& p0 = *params_[0];
  const int nc = nc_;
  const int steps = last_index_;
  // The target path (detail::fill_target_path) at the look-aheads of the step. A path
  // depends on the country's targets and it_mw and the simulation settings only (not on how
  // many indices are filled), so lanes with lane 0's targets and it_mw read lane 0's path.
  target_now_.resize(static_cast<std::size_t>(steps + 1) * nc);
  target_build_.resize(static_cast<std::size_t>(steps) * nc);
  target_grid_.resize(static_cast<std::size_t>(steps) * nc);
  const int rows = steps + 1 + max_build + max_grid;
  for (auto& path : paths_) path.resize(rows);
  for (int i = 0; i < nc; ++i) {
    const Country& b = countries_[i];
    const auto& targets0 = p0.countries.targets[i];
    const double it0 = p0.countries.at(i, CountryParam::it_mw);
    std::array<const double*, kLanes> path;
    for (int l = 0; l < kLanes; ++l) {
      const auto& cp = params_[l]->countries;
      const double it = cp.at(i, CountryParam::it_mw);
      if (l > 0 && same_bits(it, it0) && same_targets(cp.targets[i], targets0)) {
        path[l] = path[0];
        continue;
      }
      detail::fill_target_path(cp.targets[i], p0.sim, it, rows, paths_[l].data(), 1);
      path[l] = paths_[l].data();
    }
    // Each lane's path from the index read at step 0 on.
    std::array<const double*, kLanes> build, grid;
    for (int l = 0; l < kLanes; ++l) {
      build[l] = path[l] + 1 + b.build_delay[l];
      grid[l] = build[l] + b.grid_delay[l];
    }
    const bool one_path = std::all_of(path.begin() + 1, path.end(),
                                      [&path](const double* q) { return q == path[0]; });
    if (one_path) {
      // Every lane's value the same: broadcasts, which vectorise.
      for (int k = 0; k <= steps; ++k) {
        const double v = path[0][k];
        for (int l = 0; l < kLanes; ++l) target_now_[k * nc + i][l] = v;
      }
    } else {
      for (int k = 0; k <= steps; ++k)
        for (int l = 0; l < kLanes; ++l) target_now_[k * nc + i][l] = path[l][k];
    }
    if (one_path && b.same_build_delay) {
      for (int k = 0; k < steps; ++k) {
        const double v = build[0][k];
        for (int l = 0; l < kLanes; ++l) target_build_[k * nc + i][l] = v;
      }
    } else {
      for (int k = 0; k < steps; ++k)
        for (int l = 0; l < kLanes; ++l) target_build_[k * nc + i][l] = build[l][k];
    }
    for (int k = 0; k < steps; ++k)
      for (int l = 0; l < kLanes; ++l) target_grid_[k * nc + i][l] = grid[l][k] * b.pue[l];
    // A scheduled pue: grid planning at step k asks for the target times pue(t_k).
    if (!scheduled_) continue;
    for (int l = 0; l < kLanes; ++l) {
      const int e = sched_index_[l].empty() ? -1 : sched_index_[l][i];
      if (e < 0 || !(sched_[l][e].mask & (1u << detail::kPue))) continue;
      const double* v = sched_[l][e].v.data();
      for (int k = 0; k < steps; ++k)
        target_grid_[k * nc + i][l] = grid[l][k] * v[k * detail::kNumCountryFields + detail::kPue];
    }
  }
}

template <int N>
void BatchModel<N>::reset_queues() {
  const int nc = nc_, steps = last_index_;
  bool any = false;
  for (int i = 0; i < nc; ++i) countries_[i].has_queue = false;
  for (int l = 0; l < kLanes; ++l)
    for (const ParamSchedule& s : params_[l]->countries.schedules)
      if (s.param == static_cast<int>(CountryParam::grid_queue)) {
        countries_[s.country].has_queue = true;
        any = true;
      }
  if (!any) return;
  queue_arrive_.resize(static_cast<std::size_t>(steps) * nc);
  queue_window_.resize(static_cast<std::size_t>(steps) * nc);
  std::vector<double> arrive, window;
  for (int i = 0; i < nc; ++i) {
    const Country& b = countries_[i];
    if (!b.has_queue) continue;
    for (int l = 0; l < kLanes; ++l) {
      const Schedule* q = params_[l]->countries.schedule(i, CountryParam::grid_queue);
      if (q) {
        detail::queue_steps(*q, params_[l]->sim, b.grid_delay[l], arrive, window);
      } else {
        arrive.assign(static_cast<std::size_t>(steps), 0.0);
        window.assign(static_cast<std::size_t>(steps), 0.0);
      }
      for (int k = 0; k < steps; ++k) {
        queue_arrive_[static_cast<std::size_t>(k) * nc + i][l] = arrive[static_cast<std::size_t>(k)];
        queue_window_[static_cast<std::size_t>(k) * nc + i][l] = window[static_cast<std::size_t>(k)];
      }
    }
  }
}

// Stages 1 to 5 up to the demand on the vendor, for every lane of one country.
template <int N>
SOVCAP_LANE_CLONES void BatchModel<N>::before_market(Country& b, const Cohort& retiring,
                                                    const Lanes& shells, const Lanes& power,
                                                    const Lanes& onsite, const Lanes& queued,
                                                    const Lanes& queue_window,
                                                    const Lanes& target_grid, LaneScalars& ls,
                                                    double dt, Lanes& grid_req) {
  SOVCAP_LANE_LOOP
  for (int l = 0; l < kLanes; ++l) {
    // 1. Budget and people arrive; operating cost is paid first.
    const double budget = b.budget_rate[l] * dt;
    double cash = b.cash[l] + budget;
    b.funds[l] = b.funds[l] + budget;
    b.workforce[l] = std::max(b.workforce[l] + b.workforce_step[l], 0.0);
    const double opex = b.it_mw[l] * b.opex_per_mw[l];
    const double paid = std::min(opex, cash);
    cash = cash - paid;
    b.opex[l] = b.opex[l] + paid;
    b.unfunded[l] = b.unfunded[l] + (opex - paid);

    // 2. Chips past their lifetime retire.
    const double it = std::max(b.it_mw[l] - retiring.mw[l], 0.0);
    double ready = b.ready_mw[l] + retiring.mw[l];
    b.flops[l] = std::max(b.flops[l] - retiring.flops[l], 0.0);
    b.dom_flops[l] = std::max(b.dom_flops[l] - retiring.dom_flops[l], 0.0);
    b.accel_count[l] = std::max(b.accel_count[l] - retiring.count[l], 0.0);

    // 3. Deliveries due now.
    ready = ready + shells[l];
    b.pipeline_mw[l] = take(b.pipeline_mw[l], shells[l]);
    // Power requested earlier, and power from the grid queue arriving in this step.
    const double grid = b.grid_mw[l] + power[l] + queued[l];
    const double grid_pipe = take(b.grid_pipeline_mw[l], power[l]);
    b.onsite_mw[l] = b.onsite_mw[l] + onsite[l];
    b.onsite_pipeline_mw[l] = take(b.onsite_pipeline_mw[l], onsite[l]);

    // 4. Grid planning (target_grid holds the target times pue), counting the queue that
    // arrives by the time a request made now would.
    const double req =
        std::clamp(target_grid[l] - grid - grid_pipe - queue_window[l], 0.0, b.grid_cap[l]);
    grid_req[l] = 0.0 + req;
    b.grid_pipeline_mw[l] = grid_pipe + req;
    b.grid_mw[l] = grid;

    // 5. Fit-out, domestic chips first, then the demand on the vendor.
    const double price = ls.price_now[l];
    const double need = ready * ls.per_mw[l];
    const double dom_price = price * b.domestic_price_ratio[l];
    const double dom = std::min(std::min(need, b.domestic_rate[l] * dt), cash / dom_price);
    // The exponential trends advance once used (the oracle advances them after the step).
    b.budget_rate[l] = b.budget_rate[l] * b.budget_step[l];
    b.domestic_rate[l] = b.domestic_rate[l] * b.domestic_step[l];
    const double dom_cost = spend(cash, dom * dom_price);
    b.capex[l] = b.capex[l] + dom_cost;
    b.chips_capex[l] = b.chips_capex[l] + dom_cost;
    const double rest = need - dom;
    const double can_pay = cash / price;
    const double strand_cash = std::max(rest - can_pay, 0.0);
    // Not rest - strand_cash alone: where rest dwarfs can_pay, that difference rounds to
    // more than cash pays for, and the chips would cost more than the cash left.
    const double affordable = std::min(rest - strand_cash, can_pay);
    const double demand = std::min(affordable, b.tier_cap[l]);

    b.cash[l] = cash;
    b.it_mw[l] = it;
    b.ready_mw[l] = ready;
    b.need[l] = need;
    b.dom[l] = dom;
    b.strand_cash[l] = strand_cash;
    b.affordable[l] = affordable;
    b.demand[l] = demand;
    ls.total[l] = ls.total[l] + demand;  // summed in country order, as allocate() does
  }
}

// Stage 5 from the chips received on, stage 6 (new shells) and the bottleneck code, for
// every lane of one country.
template <int N>
SOVCAP_LANE_CLONES void BatchModel<N>::after_market(Country& b, const Lanes& target_build,
                                                   const Lanes& target_next, LaneScalars& ls,
                                                   Cohort& cohort, Lanes& starts) {
  constexpr double kPower = static_cast<double>(Bottleneck::power);
  constexpr double kCapital = static_cast<double>(Bottleneck::capital);
  constexpr double kTalent = static_cast<double>(Bottleneck::talent);
  constexpr double kExport = static_cast<double>(Bottleneck::export_controls);
  constexpr double kMarket = static_cast<double>(Bottleneck::chip_market);
  constexpr double kOnTrack = static_cast<double>(Bottleneck::on_track);
  SOVCAP_LANE_LOOP
  for (int l = 0; l < kLanes; ++l) {
    const double price = ls.price_now[l], per_mw = ls.per_mw[l], flops_now = ls.flops_now[l];
    // Vendor chips received: allocate()'s pro_rata branches, the same operations on the
    // same values, unless allocate() itself gave them (max_min_fair short of supply).
    const double supply = ls.supply[l], total = ls.total[l], demand = b.demand[l];
    double received = demand * ls.share[l];
    received = supply <= 0.0 ? 0.0 : received;
    received = total <= 0.0 ? 0.0 : received;
    received = total <= supply ? demand : received;
    received = ls.allocated_by_rule[l] != 0.0 ? b.received[l] : received;
    b.received[l] = received;
    ls.allocated[l] = ls.allocated[l] + received;
    // 5. Vendor chips paid for and, with the domestic ones, installed as this step's
    // cohort.
    const double strand_chips = b.affordable[l] - received;
    double cash = b.cash[l];
    const double chip_cost = spend(cash, received * price);
    double capex = b.capex[l] + chip_cost;
    b.chips_capex[l] = b.chips_capex[l] + chip_cost;
    const double dom = b.dom[l];
    const double installed = dom + received;
    const double mw = installed / per_mw;
    const double ready = take(b.ready_mw[l], mw);
    const double it = b.it_mw[l] + mw;
    const double dom_flops = dom * b.domestic_perf_ratio[l] * flops_now;
    const double new_flops = dom_flops + received * flops_now;
    cohort.mw[l] = 0.0 + mw;
    cohort.flops[l] = 0.0 + new_flops;
    cohort.dom_flops[l] = 0.0 + dom_flops;
    cohort.count[l] = 0.0 + installed;
    b.flops[l] = b.flops[l] + new_flops;
    b.dom_flops[l] = b.dom_flops[l] + dom_flops;
    b.accel_count[l] = b.accel_count[l] + installed;

    // 6. New shells, as many as the smallest of the power, capital and talent caps allows.
    double pipeline = b.pipeline_mw[l];
    const double pue = b.pue[l], capex_mw = b.capex_mw[l], staff_build = b.staff_build[l];
    const double committed = it + pipeline + ready;
    // A goal met up to rounding (at most kTieRel of the MW in play short) wants no shells:
    // else it starts ~1e-13 MW that sit in the pipeline (docs/model.md, "Residues").
    const double scale = std::max(committed, target_build[l]);
    double desired = std::max(0.0, target_build[l] - committed);
    desired = desired <= kTieRel * scale ? 0.0 : desired;
    // Facility power from the grid and from on-site generation.
    const double cap_power = std::max(0.0, (b.grid_mw[l] + b.onsite_mw[l]) / pue - committed);
    // The spending rule (docs/model.md, 6.6): a shell is started only with the cash for
    // its chips as well, after the chips of the shells already under construction or
    // waiting are set aside at today's price. Starting shells with all the cash and
    // buying their chips later from whatever cash is left made chips and shells take
    // turns, and that alternation amplified a relative change of the budget ~1e3-1e5
    // times (docs/model.md, 11).
    const double chips_mw = price * per_mw;
    const double reserve = (pipeline + ready) * chips_mw;
    const double cap_capital = std::max(0.0, (cash - reserve) / (capex_mw + chips_mw));
    const double cap_talent = std::max(
        0.0, (b.workforce[l] - b.staff_ops[l] * it - staff_build * pipeline) / staff_build);
    const bool capital_binds = cap_capital < cap_power;
    double cap = capital_binds ? cap_capital : cap_power;
    const bool talent_binds = cap_talent < cap;
    cap = talent_binds ? cap_talent : cap;
    // The cap reported as binding: the first in that order within the tie tolerance of
    // the smallest (detail::kTieRel).
    const double tie = cap + kTieRel * scale;
    const double kind = cap_power <= tie ? 0.0 : (cap_capital <= tie ? 1.0 : 2.0);
    // Likewise no start where only a cap's rounding residue allows one (G/pue - committed
    // at +1e-13 MW with the grid full: scenarios/export_controls.toml, DEU at 2028.0).
    double start = std::min(desired, cap);
    start = start <= kTieRel * scale ? 0.0 : start;
    const double shortfall = desired - start;
    const double cost = spend(cash, start * capex_mw);
    capex = capex + cost;
    pipeline = pipeline + start;
    starts[l] = 0.0 + start;

    b.cash[l] = cash;
    b.capex[l] = capex;
    b.it_mw[l] = it;
    b.ready_mw[l] = ready;
    b.pipeline_mw[l] = pipeline;
    b.strand_chips[l] = strand_chips;
    // The stranded shells in MW (docs/model.md, section 8): the chips the tier cap cut
    // (affordable - demand) and those the market did not deliver (demand - received);
    // when either cut, what cash could not pay for goes to the larger of the two (the
    // tier within kTieRel), otherwise to capital, which stranded then holds. Only
    // comparisons and sums read these, and adding 0.0 is exact: one division per entry.
    const double cut_tier = b.affordable[l] - demand, cut_market = demand - received;
    const bool chips_cut = strand_chips > kTiny;
    const bool tier_wins = cut_market <= cut_tier * (1.0 + kTieRel);
    const double cash_tier = chips_cut && tier_wins ? b.strand_cash[l] : 0.0;
    const double cash_other = chips_cut && tier_wins ? 0.0 : b.strand_cash[l];
    b.stranded_tier[l] = (chips_cut ? cut_tier + cash_tier : 0.0) / per_mw;
    b.stranded[l] = (chips_cut ? cut_market + cash_other : cash_other) / per_mw;
    b.shortfall[l] = shortfall;
    b.kind[l] = kind;
  }

  // The bottleneck code, in a second loop over values the first one stored: in one loop,
  // the compiler copies the division above into both sides of the test on strand_chips
  // (which the selects below test again), and divisions are what the step is shortest of.
  SOVCAP_LANE_LOOP
  for (int l = 0; l < kLanes; ++l) {
    const double shortfall = b.shortfall[l], kind = b.kind[l], fit = b.stranded[l];
    // held[] per code (the oracle adds the shortfall to a 0.0 entry: the same in a
    // comparison), and the first largest above kTiny in the order export_controls,
    // chip_market, capital, power, talent.
    const bool on_track = b.it_mw[l] >= target_next[l] * (1.0 - kTiny) - kTiny;
    const bool chips = b.strand_chips[l] > kTiny;
    const double held_export = b.stranded_tier[l];
    const double held_market = chips ? fit : 0.0;
    double held_capital = chips ? 0.0 : fit;
    const double held_power = kind == 0.0 ? shortfall : 0.0;
    held_capital = kind == 1.0 ? held_capital + shortfall : held_capital;
    const double held_talent = kind == 2.0 ? shortfall : 0.0;
    double best = static_cast<double>(Bottleneck::lead_time), most = kTiny;
    best = held_export > most ? kExport : best;
    most = held_export > most ? held_export : most;
    best = held_market > most ? kMarket : best;
    most = held_market > most ? held_market : most;
    best = held_capital > most ? kCapital : best;
    most = held_capital > most ? held_capital : most;
    best = held_power > most ? kPower : best;
    most = held_power > most ? held_power : most;
    best = held_talent > most ? kTalent : best;
    const double code = on_track ? static_cast<double>(Bottleneck::on_track) : best;
    b.code[l] = code;

    // held_back_mw (docs/model.md, section 8): the step's gap to the target path, shared
    // out over the amounts the code was decided from. An amount of at most kTiny counts
    // as 0, as it does for the code: rounding leaves start shortfalls of ~1e-13 MW where
    // the power cap and the goal are mathematically equal. The select also makes a -0.0
    // +0.0 (which the oracle's sums of a 0.0 entry give), so that the shares are the
    // oracle's bits. Where the amounts cover the gap (within kTieRel of it) they are
    // scaled to sum to it; otherwise they stand and the rest of the gap is lead_time's.
    // In this loop rather than one of its own: the amounts are already in registers.
    auto amount = [](double x) { return x > kTiny ? x : 0.0; };
    const double h_export = amount(held_export), h_market = amount(held_market),
                 h_capital = amount(held_capital), h_power = amount(held_power),
                 h_talent = amount(held_talent);
    const double gap = code == kOnTrack ? 0.0 : target_next[l] - b.it_mw[l];
    const double sum = h_export + h_market + h_capital + h_power + h_talent;
    const bool scale = sum > 0.0 && sum >= gap * (1.0 - kTieRel);
    const double f = scale ? gap / sum : 1.0;
    auto& held = b.held;
    held[static_cast<int>(Bottleneck::on_track)][l] = 0.0;
    held[static_cast<int>(Bottleneck::lead_time)][l] = scale ? 0.0 : gap - sum;
    held[static_cast<int>(Bottleneck::power)][l] = h_power * f;
    held[static_cast<int>(Bottleneck::capital)][l] = h_capital * f;
    held[static_cast<int>(Bottleneck::talent)][l] = h_talent * f;
    held[static_cast<int>(Bottleneck::export_controls)][l] = h_export * f;
    held[static_cast<int>(Bottleneck::chip_market)][l] = h_market * f;
    // The run's sums, step by step in order (the oracle's held_back_sum_ += ...).
    for (int k = 0; k < kNumBottlenecks; ++k) b.held_sum[k][l] = b.held_sum[k][l] + held[k][l];
  }
}

// Stage 6b for every lane of one country, from what after_market stored: the same
// operations on the same values as if they closed its first loop.
template <int N>
SOVCAP_LANE_CLONES void BatchModel<N>::onsite_orders(Country& b, const LaneScalars& ls,
                                                    Lanes& onsite_req) {
  SOVCAP_LANE_LOOP
  for (int l = 0; l < kLanes; ++l) {
    const double kind = b.kind[l], shortfall = b.shortfall[l], pue = b.pue[l];
    const double pipeline = b.pipeline_mw[l], ready = b.ready_mw[l];
    const double chips_mw = ls.price_now[l] * ls.per_mw[l];
    double cash = b.cash[l];
    // 6b. On-site generation (docs/model.md, 6): where power held shells back, the
    // facility MW they would draw, less what is already on order, up to the step's cap and
    // to the cash beyond the chips set aside for the shells now under way.
    const double power_short = kind == 0.0 ? shortfall * pue : 0.0;
    const double onsite_want = std::max(0.0, power_short - b.onsite_pipeline_mw[l]);
    const double onsite_free = std::max(0.0, cash - (pipeline + ready) * chips_mw);
    const double onsite = std::min(std::min(onsite_want, b.onsite_cap[l]),
                                   onsite_free / b.onsite_capex[l]);
    const double onsite_cost = spend(cash, onsite * b.onsite_capex[l]);
    b.onsite_pipeline_mw[l] = b.onsite_pipeline_mw[l] + onsite;
    onsite_req[l] = 0.0 + onsite;
    b.cash[l] = cash;
    b.capex[l] = b.capex[l] + onsite_cost;
  }
}

// One step of every lane: for each lane, the operations of docs/model.md in its order.
// The countries interact only through the chip market, so the step is three passes: every
// country up to its chip demand, the market per lane, and every country from its chips
// received on.
template <int N>
void BatchModel<N>::step(int n) {
  const int nc = nc_;
  const double dt = dt_;
  const double t = params_[0]->sim.time(n);
  LaneScalars& ls = lane_;
  if (scheduled_) apply_schedules(n);

  for (int l = 0; l < kLanes; ++l) {
    ls.per_mw[l] = kKwPerMw / ls.kw_now[l];  // accelerators per IT MW for new chips
    ls.total[l] = 0.0;
    ls.allocated[l] = 0.0;
  }
  for (int l = 0; l < kLanes; ++l) {
    ls.supply[l] = ls.vendor_rate[l] * dt *
                   detail::shock_multiplier(params_[l]->global.supply_shocks, t, dt);
    ls.other[l] = ls.other_rate[l] * dt;
  }

  // Delay lines: every lane reads the slot due now. An entry due at step k of a lane is
  // written at step k - delay (or set by reset() when k < delay) and read at step k, and
  // the ring is longer than any delay, so a slot needs no clearing after its read. Where
  // the lanes' delays differ, entries go to their slots by scalar loops after the lane
  // loops. The oracle adds an entry to a cleared slot: 0.0 + x is stored.
  const Cohort* retiring = cohorts_.data() + (n & cohort_mask_) * nc;
  const Lanes* shells = shell_due_.data() + (n & shell_mask_) * nc;
  const Lanes* power = grid_due_.data() + (n & grid_mask_) * nc;
  const Lanes* onsite = onsite_due_.data() + (n & onsite_mask_) * nc;
  const Lanes* target_grid = target_grid_.data() + n * nc;

  for (int c = 0; c < nc; ++c) {
    Country& b = countries_[c];
    const auto grid_slot = [&](int l) -> Lanes& {
      return grid_due_[((n + b.grid_delay[l]) & grid_mask_) * nc + c];
    };
    Lanes& grid_req = b.same_grid_delay ? grid_slot(0) : b.grid_req;
    const bool queue = b.has_queue;
    const std::size_t q = static_cast<std::size_t>(n) * nc + c;
    before_market(b, retiring[c], shells[c], power[c], b.has_onsite ? onsite[c] : zero_,
                  queue ? queue_arrive_[q] : zero_, queue ? queue_window_[q] : zero_,
                  target_grid[c], ls, dt, grid_req);
    if (!b.same_grid_delay) {
      SOVCAP_LANE_LOOP
      for (int l = 0; l < kLanes; ++l) grid_slot(l)[l] = b.grid_req[l];
    }
  }

  // The chip market, per lane: allocate() itself for max_min_fair short of supply, its
  // other branches in after_market() for every lane at once.
  for (int l = 0; l < kLanes; ++l) {
    ls.total[l] = ls.total[l] + ls.other[l];
    ls.share[l] = ls.supply[l] / ls.total[l];
    ls.allocated_by_rule[l] = 0.0;
  }
  for (int l = 0; l < kLanes; ++l) {
    if (params_[l]->global.allocation() != Allocation::max_min_fair ||
        ls.total[l] <= ls.supply[l])
      continue;
    for (int c = 0; c < nc; ++c) alloc_demand_[c] = countries_[c].demand[l];
    alloc_demand_[nc] = ls.other[l];
    allocate(Allocation::max_min_fair, alloc_demand_, ls.supply[l], alloc_out_, alloc_order_[l]);
    for (int c = 0; c < nc; ++c) countries_[c].received[l] = alloc_out_[c];
    ls.allocated_by_rule[l] = 1.0;
  }

  // This step's cohort retires after its lane's chip lifetime; its shells arrive after
  // their build delay.
  std::array<Cohort*, kLanes> cohort_row;
  for (int l = 0; l < kLanes; ++l)
    cohort_row[l] = cohorts_.data() + ((n + ls.lifetime[l]) & cohort_mask_) * nc;
  const Lanes* target_build = target_build_.data() + n * nc;
  const Lanes* target_next = target_now_.data() + (n + 1) * nc;
  for (int c = 0; c < nc; ++c) {
    Country& b = countries_[c];
    const auto shell_slot = [&](int l) -> Lanes& {
      return shell_due_[((n + b.build_delay[l]) & shell_mask_) * nc + c];
    };
    Cohort& cohort = same_lifetime_ ? cohort_row[0][c] : b.cohort;
    const auto onsite_slot = [&](int l) -> Lanes& {
      return onsite_due_[((n + b.onsite_delay[l]) & onsite_mask_) * nc + c];
    };
    Lanes& starts = b.same_build_delay ? shell_slot(0) : b.starts;
    after_market(b, target_build[c], target_next[c], ls, cohort, starts);
    if (b.has_onsite) {
      onsite_orders(b, ls, b.same_onsite_delay ? onsite_slot(0) : b.onsite_req);
      if (!b.same_onsite_delay) {
        SOVCAP_LANE_LOOP
        for (int l = 0; l < kLanes; ++l) onsite_slot(l)[l] = b.onsite_req[l];
      }
    }
    if (!same_lifetime_) {
      SOVCAP_LANE_LOOP
      for (int l = 0; l < kLanes; ++l) {
        Cohort& co = cohort_row[l][c];
        co.mw[l] = b.cohort.mw[l];
        co.flops[l] = b.cohort.flops[l];
        co.dom_flops[l] = b.cohort.dom_flops[l];
        co.count[l] = b.cohort.count[l];
      }
    }
    if (!b.same_build_delay) {
      SOVCAP_LANE_LOOP
      for (int l = 0; l < kLanes; ++l) shell_slot(l)[l] = b.starts[l];
    }
  }

  for (int l = 0; l < used_; ++l) {
    auto& r = run_series_[l];
    r[static_cast<int>(RunSeries::vendor_supply)] = ls.supply[l] / dt;
    r[static_cast<int>(RunSeries::other_demand)] = ls.other[l] / dt;
    r[static_cast<int>(RunSeries::allocated)] = ls.allocated[l] / dt;
  }
  SOVCAP_LANE_LOOP
  for (int l = 0; l < kLanes; ++l) {
    ls.vendor_rate[l] = ls.vendor_rate[l] * ls.trend_step[0][l];
    ls.other_rate[l] = ls.other_rate[l] * ls.trend_step[1][l];
    ls.kw_now[l] = ls.kw_now[l] * ls.trend_step[2][l];
    ls.flops_now[l] = ls.flops_now[l] * ls.trend_step[3][l];
    ls.price_now[l] = ls.price_now[l] * ls.trend_step[4][l];
  }
}

// Step n's values of the scheduled parameters replace the constants and the trends' values
// and factors the step reads (detail::scheduled_values computed them at reset); the trend
// multiplications at the end of the step leave a scheduled level to be replaced again.
// Where each value goes is worked out once a batch (schedule_moves): a step only copies.
template <int N>
void BatchModel<N>::schedule_moves() {
  sched_moves_.clear();
  LaneScalars& ls = lane_;
  // The Country member each field sets, in detail::CountryField order.
  static constexpr Lanes Country::*kMember[detail::kNumCountryFields] = {
      &Country::budget_rate,  &Country::budget_step,    &Country::domestic_rate,
      &Country::domestic_step, &Country::grid_cap,      &Country::opex_per_mw,
      &Country::pue,          &Country::workforce,      &Country::workforce_step,
      &Country::staff_build,  &Country::staff_ops,      &Country::capex_mw,
      &Country::domestic_price_ratio, &Country::domestic_perf_ratio, &Country::tier_cap,
      &Country::onsite_cap, &Country::onsite_capex};
  Lanes* const level[5] = {&ls.vendor_rate, &ls.other_rate, &ls.kw_now, &ls.flops_now, &ls.price_now};
  for (int l = 0; l < kLanes; ++l)
    for (const detail::ScheduledValues& e : sched_[l]) {
      const double* v = e.v.data();
      if (e.country < 0) {
        const auto fields = static_cast<std::size_t>(detail::kNumGlobalFields);
        for (int k = 0; k < 5; ++k) {
          if (e.mask & (1u << (2 * k))) sched_moves_.push_back({&(*level[k])[l], v + 2 * k, fields});
          if (e.mask & (1u << (2 * k + 1)))
            sched_moves_.push_back({&ls.trend_step[k][l], v + 2 * k + 1, fields});
        }
        continue;
      }
      Country& b = countries_[e.country];
      for (std::uint32_t bits = e.mask; bits != 0; bits &= bits - 1) {
        const int f = __builtin_ctz(bits);
        sched_moves_.push_back(
            {&(b.*kMember[f])[l], v + f, static_cast<std::size_t>(detail::kNumCountryFields)});
      }
    }
}

template <int N>
void BatchModel<N>::apply_schedules(int n) {
  const auto step = static_cast<std::size_t>(n);
  for (const ScheduleMove& m : sched_moves_) *m.dst = m.src[step * m.stride];
}

// The recorded state of each used lane, shown to its observer: the series the observer
// reads are gathered from the lane layout; derived series are computed here.
template <int N>
void BatchModel<N>::observe(int n) {
  const int nc = nc_;
  const double dt = dt_;
  const double time = params_[0]->sim.time(n);
  using CS = CountrySeries;
  for (int l = 0; l < used_; ++l) {
    auto& s = series_[l];
    auto gather = [&](CS k, auto value) {
      if (!wanted(l, k, n)) return;
      Eigen::ArrayXd& out = s[static_cast<int>(k)];
      for (int c = 0; c < nc; ++c) out(c) = value(countries_[c]);
    };
    gather(CS::it_mw, [l](const Country& b) { return b.it_mw[l]; });
    gather(CS::pipeline_mw, [l](const Country& b) { return b.pipeline_mw[l]; });
    gather(CS::ready_mw, [l](const Country& b) { return b.ready_mw[l]; });
    gather(CS::grid_mw, [l](const Country& b) { return b.grid_mw[l]; });
    gather(CS::onsite_mw, [l](const Country& b) { return b.onsite_mw[l]; });
    gather(CS::accelerators, [l](const Country& b) { return b.accel_count[l]; });
    gather(CS::cash_usd, [l](const Country& b) { return b.cash[l]; });
    gather(CS::funds_usd, [l](const Country& b) { return b.funds[l]; });
    gather(CS::capex_usd, [l](const Country& b) { return b.capex[l]; });
    gather(CS::chips_usd, [l](const Country& b) { return b.chips_capex[l]; });
    gather(CS::opex_usd, [l](const Country& b) { return b.opex[l]; });
    gather(CS::unfunded_opex_usd, [l](const Country& b) { return b.unfunded[l]; });
    gather(CS::workforce, [l](const Country& b) { return b.workforce[l]; });
    if (wanted(l, CS::target_mw, n)) {
      Eigen::ArrayXd& out = s[static_cast<int>(CS::target_mw)];
      for (int c = 0; c < nc; ++c) out(c) = target_now_[n * nc + c][l];
    }
    gather(CS::facility_mw, [l](const Country& b) { return b.it_mw[l] * b.pue[l]; });
    gather(CS::energy_twh, [l](const Country& b) {
      return b.it_mw[l] * b.pue[l] * (kHoursPerYear / 1e6);
    });
    // Talent utilisation: staff left after construction, over staff needed to operate.
    auto utilisation = [l](const Country& b) {
      const double needed = b.staff_ops[l] * b.it_mw[l];
      const double left = std::max(b.workforce[l] - b.staff_build[l] * b.pipeline_mw[l], 0.0);
      const double util = std::min(left / needed, 1.0);
      return needed > 0.0 ? util : 1.0;
    };
    gather(CS::talent_utilisation, utilisation);
    gather(CS::compute_flops,
           [&](const Country& b) { return b.flops[l] * utilisation(b); });
    gather(CS::domestic_share, [l](const Country& b) {
      const double share = b.dom_flops[l] / b.flops[l];
      return b.flops[l] > 0.0 ? share : 0.0;
    });
    if (n == 0) {
      // The initial state is not the end of a step: flows undefined, every country on
      // track.
      for (auto k : {CS::chip_need, CS::chip_demand, CS::chip_received, CS::domestic_received})
        s[static_cast<int>(k)].setConstant(kNaN);
      s[static_cast<int>(CS::bottleneck)].setConstant(static_cast<double>(Bottleneck::on_track));
      run_series_[l].fill(kNaN);
      held_back_[l].setConstant(kNaN);
    } else {
      // The flows as recorded: per year, not per step.
      gather(CS::chip_need, [l, dt](const Country& b) { return b.need[l] / dt; });
      gather(CS::domestic_received, [l, dt](const Country& b) { return b.dom[l] / dt; });
      gather(CS::chip_demand, [l, dt](const Country& b) { return b.demand[l] / dt; });
      gather(CS::chip_received, [l, dt](const Country& b) { return b.received[l] / dt; });
      gather(CS::bottleneck, [l](const Country& b) { return b.code[l]; });
      if (n == last_index_ || held_wanted_[l]) {
        Eigen::ArrayXXd& out = held_back_[l];
        for (int k = 0; k < kNumBottlenecks; ++k)
          for (int c = 0; c < nc; ++c) out(c, k) = countries_[c].held[k][l];
      }
    }

    StepView& v = view_[l];
    v.step = n;
    v.time = time;
    v.run = run_series_[l];
    if (sum_step_[static_cast<std::size_t>(n)]) {
      Eigen::ArrayXXd& sum = held_back_sum_[l];
      for (int k = 0; k < kNumBottlenecks; ++k)
        for (int c = 0; c < nc; ++c) sum(c, k) = countries_[c].held_sum[k][l];
    }
    obs_[l]->observe(v);
  }
}

template class BatchModel<1>;
template class BatchModel<kSweepLanes>;

}  // namespace sovcap
