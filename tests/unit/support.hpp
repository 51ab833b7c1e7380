#pragma once
// Builders for test parameter sets: every parameter at its registry default, required
// ones filled with values that make no constraint bind, so a test can tighten exactly the
// constraint it is about.

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "sovcap/model.hpp"
#include "sovcap/params.hpp"
#include "sovcap/results.hpp"

namespace sovcap::testing {

// `n` countries named C0, C1, ... with no binding constraint: huge grid, budget and
// workforce, free chips and power, a vendor that can supply everything.
inline RunParams unconstrained(int n, double start = 2026.0, double end = 2036.0, double dt = 0.25) {
  RunParams p;
  p.sim.start_year = start;
  p.sim.end_year = end;
  p.sim.dt = dt;
  p.global = GlobalParams::defaults();
  p.global[GlobalParam::vendor_supply] = 1e12;
  p.global[GlobalParam::vendor_supply_growth] = 0.0;
  p.global[GlobalParam::other_demand] = 0.0;
  p.global[GlobalParam::chip_lifetime_years] = 50.0;
  p.countries.values.resize(n, kNumCountryParams);
  for (int i = 0; i < n; ++i) {
    p.countries.iso3.push_back("C" + std::to_string(i));
    p.countries.name.push_back("Country " + std::to_string(i));
    for (int k = 0; k < kNumCountryParams; ++k)
      p.countries.values(i, k) = spec(static_cast<CountryParam>(k)).default_value;
    p.countries.at(i, CountryParam::it_mw) = 0.0;
    p.countries.at(i, CountryParam::grid_mw) = 1e7;
    p.countries.at(i, CountryParam::grid_add_mw_per_year) = 1e6;
    p.countries.at(i, CountryParam::budget_usd_per_year) = 1e14;
    p.countries.at(i, CountryParam::workforce) = 1e8;
    p.countries.at(i, CountryParam::electricity_usd_per_mwh) = 0.0;
    p.countries.at(i, CountryParam::build_lead_years) = 1.0;
    p.countries.at(i, CountryParam::grid_lead_years) = 1.0;
    p.countries.targets.push_back({});
  }
  return p;
}

inline RunResult simulate(const RunParams& p) {
  RunResult r;
  RunRecorder rec(r);
  Model model;
  model.run(p, rec);
  return r;
}

// A random parameter set over wide ranges, for properties that must hold for any
// parameters: 1 to 6 countries, 2 to 13.75 years in quarters, every constraint able to bind,
// either allocation rule, and a supply shock half the time. Shared by test_model and
// test_properties, so both sweep the same space. `countries` > 0 sets the country count
// instead of drawing it.
inline RunParams random_params(std::mt19937_64& rng, int countries = 0) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto log_uniform = [&](double lo, double hi) { return lo * std::pow(hi / lo, u(rng)); };
  const int nc = countries > 0 ? countries : 1 + static_cast<int>(rng() % 6);
  auto p = unconstrained(nc, 2026.0, 2026.0 + 0.25 * static_cast<double>(8 + rng() % 48));
  auto& g = p.global;
  g[GlobalParam::vendor_supply] = log_uniform(1e3, 1e8);
  g[GlobalParam::vendor_supply_growth] = u(rng) - 0.2;
  g[GlobalParam::other_demand] = log_uniform(1e2, 1e8);
  g[GlobalParam::chip_lifetime_years] = 0.25 * static_cast<double>(1 + rng() % 30);
  g[GlobalParam::allocation] = static_cast<double>(rng() % 2);
  g[GlobalParam::tier2_cap] = log_uniform(1e2, 1e6);
  g[GlobalParam::accel_price_usd] = log_uniform(1e3, 1e6);
  g[GlobalParam::accel_kw_growth] = u(rng) * 0.4 - 0.1;
  if (u(rng) < 0.5) g.supply_shocks = {{2027.0 + u(rng) * 3, 2031.0 + u(rng) * 3, u(rng)}};
  for (int i = 0; i < nc; ++i) {
    auto set = [&](CountryParam k, double v) { p.countries.at(i, k) = v; };
    const double pue = 1.0 + u(rng);
    const double it = u(rng) < 0.3 ? 0.0 : log_uniform(1, 2000);
    const double pipe = u(rng) < 0.3 ? 0.0 : log_uniform(1, 1000);
    set(CountryParam::it_mw, it);
    set(CountryParam::pipeline_mw, pipe);
    set(CountryParam::pue, pue);
    set(CountryParam::grid_mw, (it + pipe) * pue * (1 + u(rng)));
    set(CountryParam::grid_add_mw_per_year, log_uniform(1, 5000));
    set(CountryParam::grid_lead_years, 0.25 * static_cast<double>(1 + rng() % 24));
    set(CountryParam::build_lead_years, 0.25 * static_cast<double>(1 + rng() % 12));
    // On-site generation half the time.
    set(CountryParam::onsite_add_mw_per_year, u(rng) < 0.5 ? 0.0 : log_uniform(1, 2000));
    set(CountryParam::onsite_lead_years, 0.25 * static_cast<double>(1 + rng() % 8));
    set(CountryParam::onsite_capex_usd_per_mw, log_uniform(3e5, 5e6));
    set(CountryParam::budget_usd_per_year, log_uniform(1e7, 1e11));
    set(CountryParam::budget_growth, u(rng) * 0.5 - 0.1);
    set(CountryParam::electricity_usd_per_mwh, u(rng) * 200);
    set(CountryParam::workforce, log_uniform(10, 1e5));
    set(CountryParam::workforce_growth, log_uniform(1, 1e4) * (u(rng) < 0.2 ? -1 : 1));
    set(CountryParam::staff_per_mw_build, log_uniform(0.1, 10));
    set(CountryParam::staff_per_mw_ops, u(rng) < 0.1 ? 0.0 : log_uniform(0.1, 10));
    set(CountryParam::export_tier, static_cast<double>(1 + rng() % 3));
    // A licence of its own half the time, else the global cap (what the loader gives it).
    set(CountryParam::tier2_cap, u(rng) < 0.5 ? log_uniform(1e2, 1e6) : g[GlobalParam::tier2_cap]);
    set(CountryParam::domestic_accel_per_year, u(rng) < 0.5 ? 0.0 : log_uniform(1e2, 1e6));
    set(CountryParam::domestic_growth, u(rng) * 0.5);
    set(CountryParam::domestic_perf_ratio, u(rng));
    set(CountryParam::domestic_price_ratio, 0.2 + u(rng) * 2);
    double year = 2026.0, mw = it;
    for (int k = 0; k < static_cast<int>(rng() % 4); ++k) {
      year += 0.5 + u(rng) * 4;
      mw += log_uniform(1, 5000);
      p.countries.targets[i].push_back({year, mw});
    }
  }
  return p;
}

// Random schedules on some of the run's schedulable parameters: each scheduled one gets 1
// to 4 points between 2025 and 2040 (so some hold flat before the start, some after the
// end), each in the parameter's range: levels 0.3 to 3 times the drawn value (a domestic
// programme from zero now and then), growths shifted by up to +-0.2 a year, tiers 1 to
// 3. The scalar becomes the schedule's value at start_year, as the loader sets it.
inline void add_random_schedules(RunParams& p, std::mt19937_64& rng, double odds = 0.3) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto points = [&](const ParamSpec& s, double x) {
    Schedule pts;
    const int n = 1 + static_cast<int>(rng() % 4);
    double year = 2025.0 + u(rng) * 3.0;
    for (int k = 0; k < n; ++k) {
      double v;
      if (s.kind == ParamKind::integer) {
        v = static_cast<double>(1 + rng() % 3);
      } else if (s.name.size() > 7 && s.name.substr(s.name.size() - 7) == "_growth") {
        v = s.name == "workforce_growth" ? x * (0.5 + 1.5 * u(rng)) : x + (u(rng) - 0.5) * 0.4;
      } else if (x == 0.0 && u(rng) < 0.5) {
        v = k == 0 ? 0.0 : 1e2 * std::pow(1e4, u(rng));
      } else {
        v = x * 0.3 * std::pow(10.0, u(rng));
      }
      v = std::clamp(v, s.lo, s.hi);
      if (!s.in_range(v)) v = x;
      pts.push_back({year, v});
      year += 0.25 + u(rng) * 4.0;
    }
    return pts;
  };
  auto& g = p.global;
  for (int k = 0; k < kNumGlobalParams; ++k) {
    const auto q = static_cast<GlobalParam>(k);
    const ParamSpec& s = spec(q);
    if (!s.schedulable || u(rng) >= odds / 2) continue;
    Schedule pts = points(s, g[q]);
    g[q] = schedule_at(pts, p.sim.start_year, false);
    g.set_schedule(q, std::move(pts));
  }
  auto& c = p.countries;
  for (int i = 0; i < c.size(); ++i)
    for (int k = 0; k < kNumCountryParams; ++k) {
      const auto q = static_cast<CountryParam>(k);
      const ParamSpec& s = spec(q);
      if (!s.schedulable || u(rng) >= odds / 4) continue;
      Schedule pts = points(s, c.at(i, q));
      c.at(i, q) = schedule_at(pts, p.sim.start_year, s.kind == ParamKind::integer);
      c.set_schedule(i, q, std::move(pts));
    }
}

// Runs that can share a BatchModel batch with `shape`: its country count and simulation
// settings, everything else drawn afresh by random_params (lifetimes, lead times, targets,
// shocks, allocation rule, export tiers).
inline RunParams random_params_like(std::mt19937_64& rng, const RunParams& shape) {
  RunParams p = random_params(rng, shape.countries.size());
  p.sim = shape.sim;
  return p;
}

inline int code(const RunResult& r, int country, int step) {
  return static_cast<int>(r[CountrySeries::bottleneck](country, step));
}

inline constexpr int code(Bottleneck b) { return static_cast<int>(b); }

}  // namespace sovcap::testing
