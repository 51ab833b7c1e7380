#pragma once
// Constants and helpers of the model outside its step: the initial state, the trends'
// per-step factors, the target path. Used by the kernel (batch_model.cpp) and by the test
// oracle (tests/oracle), so that the oracle checks the step from the same start; internal
// to sovcap_core (no public header includes this one).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

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
  // Vendor chips a step: tier 1 uncapped, tier 2 at the country's tier2_cap (the loader
  // gives it global.tier2_cap where the scenario sets none), tier 3 none.
  const double tier = c.at(i, CountryParam::export_tier);
  s.tier_cap = tier <= 1.0 ? kInf : (tier <= 2.0 ? c.at(i, CountryParam::tier2_cap) * dt : 0.0);
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

}  // namespace sovcap::detail
