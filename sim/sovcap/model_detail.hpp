#pragma once
// Constants and helpers of the model outside its step: the initial state, the trends'
// per-step factors, the target path. Used by the kernel (batch_model.cpp) and by the test
// oracle (tests/oracle), so that the oracle checks the step from the same start; internal
// to sovcap_core (no public header includes this one).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "sovcap/batch_model.hpp"  // detail::ScheduledValues
#include "sovcap/params.hpp"

namespace sovcap::detail {

inline constexpr double kHoursPerYear = 8760.0;
inline constexpr double kKwPerMw = 1000.0;
// Amounts below this (MW or accelerators) are treated as zero when deciding bottlenecks,
// so rounding noise in sums of quarterly flows does not flip a country's code.
inline constexpr double kTiny = 1e-9;
// Start caps on new shells within this fraction of the MW in play (the larger of the
// committed capacity and the goal) of the smallest count as tied, and the tie goes by the
// documented order (power, capital, talent). Rounding leaves residues near 1e-16 of those
// MW where a cap is mathematically 0 (grid_mw/pue - committed with the grid full, cash
// left after spending it all), which must not decide which constraint is reported.
inline constexpr double kTieRel = 1e-12;
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Number of whole steps in a duration; validation guarantees years >= dt.
inline int to_steps(double years, double dt) {
  return std::max(1, static_cast<int>(std::llround(years / dt)));
}

// Multiplier on vendor output over the step [t, t + dt): each shock acts on the fraction
// of the step it overlaps, so a shock boundary between steps loses no supply.
inline double shock_multiplier(const std::vector<SupplyShock>& shocks, double t, double dt) {
  double m = 1.0;
  for (const auto& s : shocks) {
    const double overlap = std::min(t + dt, s.end) - std::max(t, s.start);
    if (overlap > 0.0) m *= 1.0 + (overlap / dt) * (s.factor - 1.0);
  }
  return m;
}

// The target path of one country at time indices 0..rows-1, into out[k * stride]:
// piecewise linear from (start_year, it_mw) through the targets (increasing in year), flat
// after the last. Index k lies on the segment ending at the first target whose year is
// after time(k); each segment's indices are one loop without branches, which vectorises.
inline void fill_target_path(const std::vector<Target>& targets, const SimulationSettings& sim,
                             double it_mw, int rows, double* out, std::ptrdiff_t stride) {
  double y0 = sim.start_year, v0 = it_mw;
  int k = 0;
  for (const Target& next : targets) {
    int end = k;
    while (end < rows && !(sim.time(end) >= next.year)) ++end;
    for (; k < end; ++k)
      out[k * stride] = v0 + (next.mw - v0) * (sim.time(k) - y0) / (next.year - y0);
    y0 = next.year;
    v0 = next.mw;
  }
  for (; k < rows; ++k) out[k * stride] = v0;
}

// A run's initial state. BatchModel::reset and the test oracle both build it from the
// helpers below, each value by one code, so that the two start every run from the same
// bits.

// One country's state at the start and its per-run constants.
struct CountryStart {
  double it_mw, pipeline_mw, ready_mw, grid_mw, grid_pipeline_mw, cash, workforce, funds,
      capex, opex, unfunded, dom_flops, budget_rate, domestic_rate;
  int build_delay, grid_delay, onsite_delay;  // lead times in whole steps
  // The initial pipeline was started over the past build lead time and arrives evenly over
  // steps 0..build_delay-1, this much a step.
  double shells_per_step;
  // Operating cost per IT MW, grid additions, on-site orders and vendor chips a step.
  double opex_per_mw, grid_cap, onsite_cap, tier_cap;
};

// Vendor chips a step: tier 1 uncapped, tier 2 at the country's tier2_cap (the loader
// gives it global.tier2_cap where the scenario sets none), tier 3 none.
inline double tier_cap(double tier, double cap, double dt) {
  return tier <= 1.0 ? kInf : (tier <= 2.0 ? cap * dt : 0.0);
}

inline CountryStart country_start(const CountryParams& c, int i, double dt) {
  CountryStart s{};
  s.it_mw = c.at(i, CountryParam::it_mw);
  s.pipeline_mw = c.at(i, CountryParam::pipeline_mw);
  s.grid_mw = c.at(i, CountryParam::grid_mw);
  s.workforce = c.at(i, CountryParam::workforce);
  s.budget_rate = c.at(i, CountryParam::budget_usd_per_year);
  s.domestic_rate = c.at(i, CountryParam::domestic_accel_per_year);
  s.ready_mw = s.grid_pipeline_mw = s.cash = s.funds = s.capex = s.opex = s.unfunded =
      s.dom_flops = 0.0;
  s.build_delay = to_steps(c.at(i, CountryParam::build_lead_years), dt);
  s.grid_delay = to_steps(c.at(i, CountryParam::grid_lead_years), dt);
  s.onsite_delay = to_steps(c.at(i, CountryParam::onsite_lead_years), dt);
  s.shells_per_step = s.pipeline_mw / s.build_delay;
  s.opex_per_mw = c.at(i, CountryParam::pue) * (kHoursPerYear * dt) *
                  c.at(i, CountryParam::electricity_usd_per_mwh);
  s.grid_cap = c.at(i, CountryParam::grid_add_mw_per_year) * dt;
  s.onsite_cap = c.at(i, CountryParam::onsite_add_mw_per_year) * dt;
  s.tier_cap = tier_cap(c.at(i, CountryParam::export_tier), c.at(i, CountryParam::tier2_cap), dt);
  return s;
}

// The per-step factor of a trend that grows by `growth` a year. std::pow per value, not
// Eigen's array pow(): Eigen 3.4 vectorises that with its own approximation on AVX and
// wider, so a native build would grow budgets by factors a few ulp away from the portable
// build's, and the two would give different files.
inline double step_factor(double growth, double dt) { return std::pow(1.0 + growth, dt); }

// The global trends in the order of the kernel's trend_step: vendor output, other demand, and
// power, FLOP/s and price per accelerator; their values at the start and yearly growth.
inline std::array<double, 5> trend_start(const GlobalParams& g) {
  return {g[GlobalParam::vendor_supply], g[GlobalParam::other_demand], g[GlobalParam::accel_kw],
          g[GlobalParam::accel_flops], g[GlobalParam::accel_price_usd]};
}
inline std::array<double, 5> trend_growth(const GlobalParams& g) {
  return {g[GlobalParam::vendor_supply_growth], g[GlobalParam::other_demand_growth],
          g[GlobalParam::accel_kw_growth], g[GlobalParam::accel_flops_growth],
          g[GlobalParam::accel_price_growth]};
}

// An accelerator of the initial capacity installed `age` >= 1 steps before the start, the
// trends taken back: accelerators per IT MW, and FLOP/s per accelerator. It depends on the
// accelerator parameters and dt only, not on the chip lifetime.
inline void initial_accel(const GlobalParams& g, int age, double dt, double& per_mw,
                          double& flops) {
  const int m = -age;  // the install step
  const double years = m * dt;
  const double kw =
      g[GlobalParam::accel_kw] * std::pow(1.0 + g[GlobalParam::accel_kw_growth], years);
  per_mw = kKwPerMw / kw;
  flops = g[GlobalParam::accel_flops] * std::pow(1.0 + g[GlobalParam::accel_flops_growth], years);
}

// A country's installed chips at the start: its capacity it_mw is taken to be of uniformly
// spread age over one lifetime of L steps (cohorts installed at steps -L..-1), so that it
// retires evenly over the first lifetime, one cohort a step, rather than all at once.
// per_mw[a - 1] and flops[a - 1] are initial_accel's for age a. Calls put(k, mw, count,
// flops, dom_flops) for the cohort that retires at step k, k = 0..L-1 (the initial
// capacity has no domestic chips), and returns the accelerators and FLOP/s of all of them,
// summed cohort by cohort from 0.0 in that order: Eigen's colwise().sum() would add in an
// order that depends on the SIMD width, so a native build would start some countries a few
// ulp away from the portable build.
struct InstalledChips {
  double count, flops;
};
template <typename Put>
InstalledChips initial_cohorts(double it_mw, int lifetime, const double* per_mw,
                               const double* flops, Put&& put) {
  const double mw = it_mw / lifetime;
  InstalledChips sum{0.0, 0.0};
  for (int k = 0; k < lifetime; ++k) {
    const int a = lifetime - k - 1;
    const double count = mw * per_mw[a];
    const double fl = count * flops[a];
    put(k, mw, count, fl, 0.0);
    sum.count += count;
    sum.flops += fl;
  }
  return sum;
}

// ---- schedules (docs/model.md, "Schedules") ----
// A scheduled parameter is evaluated at each step's time t_n = start_year + n*dt; the
// values the step reads are computed from it once per run, here, for the kernel and the
// oracle alike, and each step copies them over the constants and trends it would
// otherwise read (a scheduled level replaces the trend's value, a scheduled growth its
// per-step factor). Runs without schedules never reach this code.

// What the step reads of a country, where a schedule sets it; per step n:
enum CountryField : int {
  kBudgetRate,     // budget_usd_per_year(t_n)
  kBudgetStep,     // step_factor(budget_growth(t_n), dt)
  kDomesticRate,   // domestic_accel_per_year(t_n)
  kDomesticStep,   // step_factor(domestic_growth(t_n), dt)
  kGridCap,        // grid_add_mw_per_year(t_n) * dt
  kOpexPerMw,      // pue(t_n) * (8760 dt) * electricity_usd_per_mwh(t_n)
  kPue,            // pue(t_n)
  kWorkforce,      // workforce(t_{n+1}): the pool after stage 1 of step n
  kWorkforceStep,  // workforce_growth(t_n) * dt; 0 where the pool itself is scheduled
  kStaffBuild,     // staff_per_mw_build(t_n)
  kStaffOps,       // staff_per_mw_ops(t_n)
  kCapexMw,        // capex_shell_usd_per_mw(t_n)
  kDomPrice,       // domestic_price_ratio(t_n)
  kDomPerf,        // domestic_perf_ratio(t_n)
  kTierCap,        // tier_cap(export_tier(t_n), tier2_cap(t_n), dt)
  kOnsiteCap,      // onsite_add_mw_per_year(t_n) * dt
  kOnsiteCapex,    // onsite_capex_usd_per_mw(t_n)
  kNumCountryFields
};
// The global trends: level k at 2k, its per-step factor at 2k + 1, in trend_start's order.
inline constexpr int kNumGlobalFields = 10;

// One run's scheduled values: first the global trends (when any is scheduled), then one
// entry per country with a schedule, in country order; none when the run has none. The
// entries of `out` are reused (their vectors keep their capacity): a sweep resets a model
// per batch. Only the fields a schedule sets are computed, each from the schedules found
// once per country.
inline void scheduled_values(const RunParams& p, std::vector<ScheduledValues>& out) {
  const GlobalParams& g = p.global;
  const CountryParams& c = p.countries;
  std::size_t used = 0;
  if (g.schedules.empty() && c.schedules.empty()) {
    out.resize(0);
    return;
  }
  auto next = [&]() -> ScheduledValues& {
    if (used == out.size()) out.emplace_back();
    ScheduledValues& e = out[used++];
    e.mask = 0;
    return e;
  };
  const int steps = p.sim.steps();
  const double dt = p.sim.dt;
  static constexpr GlobalParam kLevel[5] = {GlobalParam::vendor_supply, GlobalParam::other_demand,
                                            GlobalParam::accel_kw, GlobalParam::accel_flops,
                                            GlobalParam::accel_price_usd};
  static constexpr GlobalParam kGrowth[5] = {
      GlobalParam::vendor_supply_growth, GlobalParam::other_demand_growth,
      GlobalParam::accel_kw_growth, GlobalParam::accel_flops_growth,
      GlobalParam::accel_price_growth};
  {
    std::uint32_t mask = 0;
    const Schedule* level[5];
    const Schedule* growth[5];
    for (int k = 0; k < 5; ++k) {
      level[k] = g.schedule(kLevel[k]);
      growth[k] = level[k] ? nullptr : g.schedule(kGrowth[k]);
      if (level[k]) mask |= 1u << (2 * k);
      if (growth[k]) mask |= 1u << (2 * k + 1);
    }
    if (mask) {
      ScheduledValues& e = next();
      e.country = -1;
      e.mask = mask;
      // Not cleared: only the masked fields are written and read.
      e.v.resize(static_cast<std::size_t>(steps) * kNumGlobalFields);
      for (int n = 0; n < steps; ++n) {
        const double t = p.sim.time(n);
        double* v = e.v.data() + static_cast<std::size_t>(n) * kNumGlobalFields;
        for (int k = 0; k < 5; ++k) {
          if (level[k]) v[2 * k] = schedule_at(*level[k], t, false);
          if (growth[k]) v[2 * k + 1] = step_factor(schedule_at(*growth[k], t, false), dt);
        }
      }
    }
  }
  // The countries with a schedule, in country order, each with its schedules by parameter.
  std::vector<int> which;
  for (const auto& s : c.schedules) which.push_back(s.country);
  std::sort(which.begin(), which.end());
  which.erase(std::unique(which.begin(), which.end()), which.end());
  using CP = CountryParam;
  for (const int i : which) {
    std::array<const Schedule*, kNumCountryParams> sch{};
    for (const auto& s : c.schedules)
      if (s.country == i) sch[static_cast<std::size_t>(s.param)] = &s.points;
    auto has = [&](CP q) { return sch[static_cast<std::size_t>(q)] != nullptr; };
    // The parameter at time t: its schedule's value, else the constant.
    auto at = [&](CP q, double t) {
      const Schedule* s = sch[static_cast<std::size_t>(q)];
      return s ? schedule_at(*s, t, q == CP::export_tier) : c.at(i, q);
    };
    std::uint32_t mask = 0;
    auto set = [&mask](int f) { mask |= 1u << f; };
    if (has(CP::budget_usd_per_year)) set(kBudgetRate);
    else if (has(CP::budget_growth)) set(kBudgetStep);
    if (has(CP::domestic_accel_per_year)) set(kDomesticRate);
    else if (has(CP::domestic_growth)) set(kDomesticStep);
    if (has(CP::grid_add_mw_per_year)) set(kGridCap);
    if (has(CP::pue) || has(CP::electricity_usd_per_mwh)) set(kOpexPerMw);
    if (has(CP::pue)) set(kPue);
    const bool pool = has(CP::workforce);
    if (pool) {
      set(kWorkforce);
      set(kWorkforceStep);
    } else if (has(CP::workforce_growth)) {
      set(kWorkforceStep);
    }
    if (has(CP::staff_per_mw_build)) set(kStaffBuild);
    if (has(CP::staff_per_mw_ops)) set(kStaffOps);
    if (has(CP::capex_shell_usd_per_mw)) set(kCapexMw);
    if (has(CP::domestic_price_ratio)) set(kDomPrice);
    if (has(CP::domestic_perf_ratio)) set(kDomPerf);
    if (has(CP::export_tier) || has(CP::tier2_cap)) set(kTierCap);
    if (has(CP::onsite_add_mw_per_year)) set(kOnsiteCap);
    if (has(CP::onsite_capex_usd_per_mw)) set(kOnsiteCapex);
    if (!mask) continue;
    ScheduledValues& e = next();
    e.country = i;
    e.mask = mask;
    e.v.resize(static_cast<std::size_t>(steps) * kNumCountryFields);  // masked fields only
    auto on = [mask](int f) { return (mask & (1u << f)) != 0; };
    for (int n = 0; n < steps; ++n) {
      const double t = p.sim.time(n);
      double* v = e.v.data() + static_cast<std::size_t>(n) * kNumCountryFields;
      if (on(kBudgetRate)) v[kBudgetRate] = at(CP::budget_usd_per_year, t);
      if (on(kBudgetStep)) v[kBudgetStep] = step_factor(at(CP::budget_growth, t), dt);
      if (on(kDomesticRate)) v[kDomesticRate] = at(CP::domestic_accel_per_year, t);
      if (on(kDomesticStep)) v[kDomesticStep] = step_factor(at(CP::domestic_growth, t), dt);
      if (on(kGridCap)) v[kGridCap] = at(CP::grid_add_mw_per_year, t) * dt;
      if (on(kOpexPerMw))
        v[kOpexPerMw] = at(CP::pue, t) * (kHoursPerYear * dt) * at(CP::electricity_usd_per_mwh, t);
      if (on(kPue)) v[kPue] = at(CP::pue, t);
      if (on(kWorkforce)) v[kWorkforce] = at(CP::workforce, p.sim.time(n + 1));
      if (on(kWorkforceStep)) v[kWorkforceStep] = pool ? 0.0 : at(CP::workforce_growth, t) * dt;
      if (on(kStaffBuild)) v[kStaffBuild] = at(CP::staff_per_mw_build, t);
      if (on(kStaffOps)) v[kStaffOps] = at(CP::staff_per_mw_ops, t);
      if (on(kCapexMw)) v[kCapexMw] = at(CP::capex_shell_usd_per_mw, t);
      if (on(kDomPrice)) v[kDomPrice] = at(CP::domestic_price_ratio, t);
      if (on(kDomPerf)) v[kDomPerf] = at(CP::domestic_perf_ratio, t);
      if (on(kTierCap)) v[kTierCap] = tier_cap(at(CP::export_tier, t), at(CP::tier2_cap, t), dt);
      if (on(kOnsiteCap)) v[kOnsiteCap] = at(CP::onsite_add_mw_per_year, t) * dt;
      if (on(kOnsiteCapex)) v[kOnsiteCapex] = at(CP::onsite_capex_usd_per_mw, t);
    }
  }
  out.resize(used);
}

// Everything scheduled_values reads of a run, flattened (the time axis, every schedule, and
// the constants it reads of the countries with one), so that a sweep's next run in a lane can
// reuse the values when these are the same bits: its schedules are seldom sampled, and
// the values cost a pow per step and field.
inline void schedule_inputs(const RunParams& p, std::vector<double>& key) {
  key.clear();
  const GlobalParams& g = p.global;
  const CountryParams& c = p.countries;
  if (g.schedules.empty() && c.schedules.empty()) return;
  key.push_back(p.sim.steps());
  key.push_back(p.sim.start_year);
  key.push_back(p.sim.dt);
  auto add = [&](const ParamSchedule& s) {
    key.push_back(s.country);
    key.push_back(s.param);
    key.push_back(static_cast<double>(s.points.size()));
    for (const auto& pt : s.points) {
      key.push_back(pt.year);
      key.push_back(pt.value);
    }
  };
  for (const auto& s : g.schedules) add(s);
  int last = -1;
  for (const auto& s : c.schedules) {
    add(s);
    if (s.country != last) {
      // The constants a scheduled field reads beside its schedule: opex per MW (pue and
      // the electricity price) and the tier cap (tier and licence). Every other field reads
      // its own schedule only, so a sampled budget or lead time still reuses the values.
      for (CountryParam q : {CountryParam::pue, CountryParam::electricity_usd_per_mwh,
                             CountryParam::export_tier, CountryParam::tier2_cap})
        key.push_back(c.at(s.country, q));
      last = s.country;
    }
  }
}
inline bool same_inputs(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// ---- the grid queue (docs/model.md, stages 3 and 4) ----
// The step a queued arrival in decimal year `year` is delivered in: the step n with
// t_n <= year < t_n + dt (up to rounding of the year), the first for year = start_year.
inline int queue_step(double year, const SimulationSettings& sim) {
  return static_cast<int>(std::floor((year - sim.start_year) / sim.dt + 1e-9));
}

// One country's queue per step n = 0..steps-1: arrive[n], the facility MW delivered in step
// n, and window[n], the MW that arrives after step n and by step n + grid_delay (with a grid
// request made in step n), each summed in the points' order from 0.0, so that the kernel
// and the oracle add the same terms in the same order.
inline void queue_steps(const Schedule& q, const SimulationSettings& sim, int grid_delay,
                        std::vector<double>& arrive, std::vector<double>& window) {
  const int steps = sim.steps();
  arrive.assign(static_cast<std::size_t>(steps), 0.0);
  window.assign(static_cast<std::size_t>(steps), 0.0);
  // Point by point, each adding to the steps it touches: for every step the same terms in
  // the points' order as a loop over the steps would add them, without testing every step
  // against every point (a sweep calls this for every run, country and queue).
  for (const SchedulePoint& e : q) {
    const int a = queue_step(e.year, sim);
    if (a >= 0 && a < steps) arrive[static_cast<std::size_t>(a)] = arrive[static_cast<std::size_t>(a)] + e.value;
    // Steps n with n < a <= n + grid_delay.
    const int first = std::max(a - grid_delay, 0), last = std::min(a - 1, steps - 1);
    for (int n = first; n <= last; ++n)
      window[static_cast<std::size_t>(n)] = window[static_cast<std::size_t>(n)] + e.value;
  }
}

}  // namespace sovcap::detail
