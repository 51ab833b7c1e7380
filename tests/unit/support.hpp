#pragma once
// Builders for test parameter sets: every parameter at its registry default, required
// ones filled with values that make no constraint bind, so a test can tighten exactly the
// constraint it is about.

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

inline int code(const RunResult& r, int country, int step) {
  return static_cast<int>(r[CountrySeries::bottleneck](country, step));
}

inline constexpr int code(Bottleneck b) { return static_cast<int>(b); }

}  // namespace sovcap::testing
