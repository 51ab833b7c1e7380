// The model against cases worked out by hand, each isolating one constraint, and
// invariants that must hold for any parameters.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "sovcap/model_detail.hpp"
#include "support.hpp"

namespace sovcap {
namespace {

using testing::code;
using testing::random_params;
using testing::simulate;
using testing::unconstrained;
using CS = CountrySeries;

double at(const RunResult& r, CS s, int country, int step) { return r[s](country, step); }

// dt = 0.25 and build_lead_years = 1 make the build delay 4 steps. Shells started in the
// step from index n to n+1 show in pipeline_mw at n+1 and in it_mw at n+1+4.
TEST(ModelAnalytic, UnconstrainedReachesTargetOneLeadTimeAfterStarting) {
  auto p = unconstrained(1);
  p.countries.targets[0] = {{2026.25, 100.0}};
  const auto r = simulate(p);
  EXPECT_DOUBLE_EQ(at(r, CS::pipeline_mw, 0, 1), 100.0);
  for (int n = 0; n <= 4; ++n) EXPECT_EQ(at(r, CS::it_mw, 0, n), 0.0) << "index " << n;
  EXPECT_NEAR(at(r, CS::it_mw, 0, 5), 100.0, 1e-9);
  EXPECT_NEAR(p.sim.time(5) - p.sim.time(1), p.countries.at(0, CountryParam::build_lead_years), 1e-12);
  EXPECT_EQ(at(r, CS::pipeline_mw, 0, 5), 0.0);
  EXPECT_EQ(at(r, CS::ready_mw, 0, 5), 0.0);
  // Behind target only while building: lead_time, then on track.
  for (int n = 1; n <= 4; ++n) EXPECT_EQ(code(r, 0, n), code(Bottleneck::lead_time));
  for (int n = 5; n <= p.sim.steps(); ++n) EXPECT_EQ(code(r, 0, n), code(Bottleneck::on_track));
  EXPECT_DOUBLE_EQ(r.year_target_reached(0), 2027.25);
  EXPECT_TRUE(std::isnan(r.year_gw_reached(0)));
}

TEST(ModelAnalytic, UnconstrainedTracksALinearTargetAfterTheFirstLeadTime) {
  auto p = unconstrained(1);
  p.countries.targets[0] = {{2030.0, 400.0}};
  const auto r = simulate(p);
  for (int n = 0; n <= 4; ++n) EXPECT_EQ(at(r, CS::it_mw, 0, n), 0.0);
  for (int n = 5; n <= p.sim.steps(); ++n) {
    const double expected = std::min(400.0, 100.0 * (p.sim.time(n) - 2026.0));
    EXPECT_NEAR(at(r, CS::it_mw, 0, n), expected, 1e-9) << "index " << n;
    EXPECT_NEAR(at(r, CS::target_mw, 0, n), expected, 1e-9);
  }
}

TEST(ModelAnalytic, CapitalOnlyGrowthHasSlopeBudgetOverCapex) {
  auto p = unconstrained(1);
  p.countries.targets[0] = {{2036.0, 1e5}};
  p.countries.at(0, CountryParam::budget_usd_per_year) = 1.2e9;
  p.countries.at(0, CountryParam::capex_shell_usd_per_mw) = 1.2e7;  // 100 MW/yr
  p.global[GlobalParam::accel_price_usd] = 1e-6;  // chips cost next to nothing
  const auto r = simulate(p);
  // 25 MW started every quarter from the first; in service four quarters later.
  EXPECT_NEAR(at(r, CS::pipeline_mw, 0, 1), 25.0, 1e-6);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 5), 25.0, 1e-6);
  const int last = p.sim.steps();
  const double slope =
      (at(r, CS::it_mw, 0, last) - at(r, CS::it_mw, 0, 5)) / (p.sim.time(last) - p.sim.time(5));
  EXPECT_NEAR(slope, 1.2e9 / 1.2e7, 1e-6);
  for (int n = 1; n <= last; ++n) {
    EXPECT_EQ(code(r, 0, n), code(Bottleneck::capital)) << "index " << n;
    EXPECT_GE(at(r, CS::cash_usd, 0, n), 0.0);
  }
}

// Running totals that a step empties are 0, not a rounding residue (docs/model.md,
// section 6, "Residues"). 1 MW of initial pipeline over a 0.75-year build (3 steps) arrives
// as 1/3 MW a step: 1 - 1/3 - 1/3 - 1/3 is 1.1e-16 in doubles, which is a residue of the
// 1/3 MW the pipeline held, so it is 0; each 1/3 MW arrives ready and is fitted out at
// once, leaving no ready shells. Cash all spent on chips is 0, not a residue of ~1e-8
// USD, and every dollar is in capex.
TEST(ModelAnalytic, EmptiedRunningTotalsAreZeroNotResidues) {
  auto p = unconstrained(1);
  p.countries.at(0, CountryParam::pipeline_mw) = 1.0;
  p.countries.at(0, CountryParam::build_lead_years) = 0.75;
  p.countries.targets[0] = {{2026.25, 1.0}};
  auto r = simulate(p);
  EXPECT_DOUBLE_EQ(at(r, CS::pipeline_mw, 0, 2), 1.0 / 3.0);
  EXPECT_EQ(at(r, CS::pipeline_mw, 0, 3), 0.0);
  for (int n = 1; n <= 3; ++n) EXPECT_EQ(at(r, CS::ready_mw, 0, n), 0.0) << n;
  EXPECT_NEAR(at(r, CS::it_mw, 0, 3), 1.0, 1e-15);

  // 1000 MW of shells ready a step (4000 MW of pipeline over a year), 1000 chips per MW
  // at 2.9e4 USD: 2.9e10 USD of chips against 2.5e8 USD of cash a step, so cash buys
  // 2.5e8 / 2.9e4 = 8620.7 chips and is all spent on them (2.5e8 - (2.5e8 / 2.9e4) * 2.9e4
  // is 3e-8 USD in doubles).
  p = unconstrained(1);
  p.global[GlobalParam::accel_kw] = 1.0;
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  p.global[GlobalParam::accel_price_usd] = 2.9e4;
  p.global[GlobalParam::accel_price_growth] = 0.0;
  p.countries.at(0, CountryParam::pipeline_mw) = 4000.0;
  p.countries.at(0, CountryParam::budget_usd_per_year) = 1e9;
  p.countries.targets[0] = {{2026.25, 4000.0}};
  r = simulate(p);
  for (int n = 1; n <= 4; ++n) {
    EXPECT_NEAR(at(r, CS::chip_received, 0, n), 4.0 * 2.5e8 / 2.9e4, 1e-6) << n;
    EXPECT_EQ(at(r, CS::cash_usd, 0, n), 0.0) << n;
    EXPECT_EQ(at(r, CS::capex_usd, 0, n) + at(r, CS::opex_usd, 0, n), at(r, CS::funds_usd, 0, n)) << n;
  }
}

TEST(ModelAnalytic, PowerCapIsNeverExceeded) {
  auto p = unconstrained(1);
  p.countries.targets[0] = {{2027.0, 1000.0}};
  p.countries.at(0, CountryParam::grid_mw) = 130.0;
  p.countries.at(0, CountryParam::grid_add_mw_per_year) = 0.0;
  p.countries.at(0, CountryParam::pue) = 1.3;
  const auto r = simulate(p);
  const int last = p.sim.steps();
  for (int n = 0; n <= last; ++n) {
    const double committed = at(r, CS::it_mw, 0, n) + at(r, CS::pipeline_mw, 0, n) +
                             at(r, CS::ready_mw, 0, n);
    EXPECT_LE(committed, 100.0 * (1 + 1e-12)) << "index " << n;
    EXPECT_LE(at(r, CS::facility_mw, 0, n), 130.0 * (1 + 1e-12));
  }
  EXPECT_NEAR(at(r, CS::it_mw, 0, last), 100.0, 1e-9);
  EXPECT_EQ(code(r, 0, last), code(Bottleneck::power));
}

TEST(ModelAnalytic, GridAdditionsArriveOneLeadTimeLaterAtTheYearlyCap) {
  auto p = unconstrained(1);
  p.countries.targets[0] = {{2027.0, 1000.0}};
  p.countries.at(0, CountryParam::grid_mw) = 130.0;
  p.countries.at(0, CountryParam::grid_add_mw_per_year) = 40.0;  // 10 MW a quarter
  p.countries.at(0, CountryParam::grid_lead_years) = 2.0;          // 8 steps
  const auto r = simulate(p);
  for (int n = 0; n <= 8; ++n) EXPECT_EQ(at(r, CS::grid_mw, 0, n), 130.0) << "index " << n;
  for (int n = 9; n <= 20; ++n)
    EXPECT_NEAR(at(r, CS::grid_mw, 0, n), 130.0 + 10.0 * (n - 8), 1e-9) << "index " << n;
}

TEST(ModelAnalytic, TalentCapHalvesTheGapEveryLeadTime) {
  // 1000 people, 2 per MW building, 1 per MW operating: the first start is 500 MW; each
  // later one is (1000 - K) / 2, so K goes 500, 750, 875 one lead time apart.
  auto p = unconstrained(1);
  p.countries.targets[0] = {{2027.0, 5000.0}};
  p.countries.at(0, CountryParam::workforce) = 1000.0;
  p.countries.at(0, CountryParam::staff_per_mw_build) = 2.0;
  p.countries.at(0, CountryParam::staff_per_mw_ops) = 1.0;
  const auto r = simulate(p);
  EXPECT_NEAR(at(r, CS::pipeline_mw, 0, 1), 500.0, 1e-9);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 5), 500.0, 1e-9);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 9), 750.0, 1e-9);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 13), 875.0, 1e-9);
  EXPECT_EQ(code(r, 0, 1), code(Bottleneck::talent));
  for (int n = 0; n <= p.sim.steps(); ++n) {
    const double staff = at(r, CS::it_mw, 0, n) + 2.0 * at(r, CS::pipeline_mw, 0, n);
    EXPECT_LE(staff, 1000.0 * (1 + 1e-12)) << "index " << n;
    EXPECT_DOUBLE_EQ(at(r, CS::talent_utilisation, 0, n), 1.0);
  }
}

TEST(ModelAnalytic, TalentUtilisationScalesCompute) {
  // 100 MW in service needs 100 operators; 60 people can run 60% of it. Without hardware
  // trends every chip is 2 kW and 2.5e15 FLOP/s: 50,000 chips.
  auto p = unconstrained(1);
  p.global[GlobalParam::accel_flops_growth] = 0.0;
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  p.countries.at(0, CountryParam::it_mw) = 100.0;
  p.countries.at(0, CountryParam::workforce) = 60.0;
  p.countries.at(0, CountryParam::staff_per_mw_ops) = 1.0;
  const auto r = simulate(p);
  EXPECT_DOUBLE_EQ(at(r, CS::talent_utilisation, 0, 0), 0.6);
  EXPECT_NEAR(at(r, CS::accelerators, 0, 0), 50000.0, 1e-6);
  EXPECT_NEAR(at(r, CS::compute_flops, 0, 0), 0.6 * 50000.0 * 2.5e15, 1e-9 * 7.5e19);
}

// Two countries ask for 1 and 3 MW a step (1000 and 3000 chips at 1 kW) beside 2000 chips
// of other demand, from a supply of 3000 chips a step.
RunParams market_case(Allocation rule) {
  auto p = unconstrained(2);
  p.global[GlobalParam::accel_kw] = 1.0;
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  p.global[GlobalParam::vendor_supply] = 12000.0;
  p.global[GlobalParam::other_demand] = 8000.0;
  p.global[GlobalParam::other_demand_growth] = 0.0;
  p.global[GlobalParam::allocation] = static_cast<double>(rule);
  p.countries.at(0, CountryParam::pipeline_mw) = 4.0;   // 1 MW arrives each of 4 steps
  p.countries.at(1, CountryParam::pipeline_mw) = 12.0;  // 3 MW each step
  return p;
}

TEST(ModelAnalytic, ProRataSharesAgainstHandComputedShares) {
  const auto r = simulate(market_case(Allocation::pro_rata));
  // Demand 6000 against 3000: everyone gets half.
  EXPECT_DOUBLE_EQ(at(r, CS::chip_demand, 0, 1) * 0.25, 1000.0);
  EXPECT_DOUBLE_EQ(at(r, CS::chip_received, 0, 1) * 0.25, 500.0);
  EXPECT_DOUBLE_EQ(at(r, CS::chip_received, 1, 1) * 0.25, 1500.0);
  EXPECT_DOUBLE_EQ(r[RunSeries::allocated](1) * 0.25, 2000.0);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 1), 0.5, 1e-12);
  EXPECT_NEAR(at(r, CS::ready_mw, 1, 1), 1.5, 1e-12);
}

TEST(ModelAnalytic, MaxMinFairSharesAgainstHandComputedShares) {
  const auto r = simulate(market_case(Allocation::max_min_fair));
  // Level 1000: the 1000-chip demand is met in full; other demand and the 3000-chip
  // demand get 1000 each.
  EXPECT_DOUBLE_EQ(at(r, CS::chip_received, 0, 1) * 0.25, 1000.0);
  EXPECT_DOUBLE_EQ(at(r, CS::chip_received, 1, 1) * 0.25, 1000.0);
  EXPECT_EQ(code(r, 0, 1), code(Bottleneck::on_track));
  EXPECT_NEAR(at(r, CS::it_mw, 1, 1), 1.0, 1e-12);
}

TEST(ModelAnalytic, StrandedShellsUnderScarceSupplyAreMarketBound) {
  auto p = market_case(Allocation::pro_rata);
  p.countries.targets[1] = {{2026.25, 16.0}};  // wants all of its pipeline in service
  const auto r = simulate(p);
  EXPECT_GT(at(r, CS::ready_mw, 1, 1), 0.0);
  EXPECT_EQ(code(r, 1, 1), code(Bottleneck::chip_market));
}

TEST(ModelAnalytic, ChipScarcityIsNotHiddenByACashBacklog) {
  // 100 MW of shells arrive each quarter; cash pays for 10 MW of chips a quarter, and the
  // market delivers half of that. Chips are the tighter limit, even though the backlog
  // that cash cannot pay for is larger.
  auto p = unconstrained(1);
  p.global[GlobalParam::accel_kw] = 1.0;
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  p.global[GlobalParam::accel_price_usd] = 1000.0;  // 1 MW of chips: 1e6 USD
  p.global[GlobalParam::vendor_supply] = 40000.0;
  p.global[GlobalParam::other_demand] = 40000.0;
  p.global[GlobalParam::other_demand_growth] = 0.0;
  p.countries.at(0, CountryParam::budget_usd_per_year) = 4e7;
  p.countries.at(0, CountryParam::pipeline_mw) = 400.0;
  p.countries.targets[0] = {{2026.25, 400.0}};
  const auto r = simulate(p);
  EXPECT_NEAR(at(r, CS::chip_demand, 0, 1) * 0.25, 10000.0, 1e-6);
  EXPECT_NEAR(at(r, CS::chip_received, 0, 1) * 0.25, 5000.0, 1e-6);
  EXPECT_EQ(code(r, 0, 1), code(Bottleneck::chip_market));
}

TEST(ModelAnalytic, LeadTimesOffTheStepGridStillTrackTheTarget) {
  // 1.1 years rounds to 4 steps; planning must use the same 4 steps.
  auto p = unconstrained(1);
  p.countries.at(0, CountryParam::build_lead_years) = 1.1;
  p.countries.targets[0] = {{2030.0, 400.0}};
  const auto r = simulate(p);
  for (int n = 5; n <= p.sim.steps(); ++n)
    EXPECT_NEAR(at(r, CS::it_mw, 0, n), at(r, CS::target_mw, 0, n), 1e-9) << "index " << n;
}

TEST(ModelAnalytic, TierThreeGetsNoVendorChipsAndTierTwoIsCapped) {
  auto p = unconstrained(2);
  p.countries.at(1, CountryParam::tier2_cap) = 4000.0;  // 1000 chips a quarter = 2 MW at 2 kW
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  for (int i = 0; i < 2; ++i) p.countries.targets[i] = {{2026.25, 100.0}};
  p.countries.at(0, CountryParam::export_tier) = 3.0;
  p.countries.at(1, CountryParam::export_tier) = 2.0;
  const auto r = simulate(p);
  for (int n = 1; n <= p.sim.steps(); ++n) {
    EXPECT_EQ(at(r, CS::chip_received, 0, n), 0.0);
    EXPECT_EQ(at(r, CS::chip_demand, 0, n), 0.0);
    EXPECT_LE(at(r, CS::chip_received, 1, n), 4000.0 * (1 + 1e-12));
  }
  EXPECT_EQ(at(r, CS::it_mw, 0, p.sim.steps()), 0.0);
  EXPECT_DOUBLE_EQ(at(r, CS::ready_mw, 0, 5), 100.0);
  EXPECT_EQ(code(r, 0, 5), code(Bottleneck::export_controls));
  // Tier 2: 2 MW a quarter once the shells are ready (index 5 onward).
  EXPECT_NEAR(at(r, CS::it_mw, 1, 5), 2.0, 1e-9);
  EXPECT_NEAR(at(r, CS::it_mw, 1, 10), 12.0, 1e-9);
  EXPECT_EQ(code(r, 1, 10), code(Bottleneck::export_controls));
}

// One tier-2 country whose 3 MW of shells a step ask for 3000 chips at 1 kW, beside 2000
// chips a step of other demand; the tier cap and the supply are per year.
RunParams capped_market_case(double tier2_cap, double vendor_supply) {
  auto p = unconstrained(1);
  p.global[GlobalParam::accel_kw] = 1.0;
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  p.countries.at(0, CountryParam::tier2_cap) = tier2_cap;
  p.global[GlobalParam::vendor_supply] = vendor_supply;
  p.global[GlobalParam::other_demand] = 8000.0;
  p.global[GlobalParam::other_demand_growth] = 0.0;
  p.global[GlobalParam::allocation] = static_cast<double>(Allocation::pro_rata);
  p.countries.at(0, CountryParam::export_tier) = 2.0;
  p.countries.at(0, CountryParam::pipeline_mw) = 12.0;  // 3 MW arrive each step
  p.countries.targets[0] = {{2026.25, 12.0}};
  return p;
}

TEST(ModelAnalytic, TierCapCutsMoreThanTheMarketIsExportControls) {
  // Cap 1000 chips a step: demand 1000 of 3000 affordable (the tier holds back 2 MW).
  // Supply 2400 against 1000 + 2000: pro_rata share 0.8, 800 received (the market holds
  // back 0.2 MW). The tier held back more.
  const auto r = simulate(capped_market_case(4000.0, 9600.0));
  EXPECT_DOUBLE_EQ(at(r, CS::chip_demand, 0, 1) * 0.25, 1000.0);
  EXPECT_DOUBLE_EQ(at(r, CS::chip_received, 0, 1) * 0.25, 800.0);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 1), 0.8, 1e-12);
  EXPECT_NEAR(at(r, CS::ready_mw, 0, 1), 2.2, 1e-12);
  EXPECT_EQ(code(r, 0, 1), code(Bottleneck::export_controls));
}

// held_back_mw of a step, by bottleneck code.
double held(const RunResult& r, Bottleneck b, int country, int step) {
  const auto nc = r.held_back_sum.rows();
  return r.held_back(country + static_cast<Eigen::Index>(b) * nc, step);
}

TEST(ModelAnalytic, HeldBackSplitsTheGapIntoTierMarketAndLeadTime) {
  // The case above at index 1: target 12 MW, 0.8 MW in service, a gap of 11.2 MW. The
  // tier cut 2000 chips (2 MW of ready shells), the market 200 (0.2 MW); no shortfall of
  // starts (12 MW committed: 0.8 + 2.2 ready + 9 in the pipeline, the target one lead time
  // on). 2.2 MW do not cover the gap: they stand, and the other 9 MW, the shells still
  // being built, are lead_time's. The code is the largest of the constraints' amounts.
  const auto r = simulate(capped_market_case(4000.0, 9600.0));
  EXPECT_NEAR(held(r, Bottleneck::export_controls, 0, 1), 2.0, 1e-12);
  EXPECT_NEAR(held(r, Bottleneck::chip_market, 0, 1), 0.2, 1e-12);
  EXPECT_NEAR(held(r, Bottleneck::lead_time, 0, 1), 9.0, 1e-12);
  for (Bottleneck b : {Bottleneck::on_track, Bottleneck::power, Bottleneck::capital,
                       Bottleneck::talent})
    EXPECT_EQ(held(r, b, 0, 1), 0.0) << static_cast<int>(b);
  double sum = 0.0;
  for (int k = 0; k < kNumBottlenecks; ++k) sum += held(r, static_cast<Bottleneck>(k), 0, 1);
  EXPECT_NEAR(sum, 11.2, 1e-12);
  EXPECT_EQ(code(r, 0, 1), code(Bottleneck::export_controls));
  // No step has ended at the initial state.
  for (int k = 0; k < kNumBottlenecks; ++k)
    EXPECT_TRUE(std::isnan(held(r, static_cast<Bottleneck>(k), 0, 0)));
}

TEST(ModelAnalytic, HeldBackByAPowerCapThatCoversTheGapIsTheWholeGap) {
  // A target rising 25 MW a step (100 MW a year from 0 in 2026) against 10 MW of power
  // (13 MW facility at pue 1.3, no additions). Step 0: nothing committed, the goal one
  // lead time on (index 5) is 125 MW, 10 MW start: power held back 115 MW of starts, more
  // than the 25 MW gap at index 1, so power's amount is scaled to the gap: 25, lead_time 0.
  // Step 4: the 10 MW arrive and are fitted (it 10 at index 5); the goal at index 9 is
  // 225 MW, so power held back 215 against a gap of 125 - 10 = 115: 115, lead_time 0.
  auto p = unconstrained(1);
  p.countries.targets[0] = {{2030.0, 400.0}};
  p.countries.at(0, CountryParam::grid_mw) = 13.0;
  p.countries.at(0, CountryParam::grid_add_mw_per_year) = 0.0;
  p.countries.at(0, CountryParam::pue) = 1.3;
  const auto r = simulate(p);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 5), 10.0, 1e-9);
  EXPECT_NEAR(held(r, Bottleneck::power, 0, 1), 25.0, 1e-9);
  EXPECT_EQ(held(r, Bottleneck::lead_time, 0, 1), 0.0);
  EXPECT_NEAR(held(r, Bottleneck::power, 0, 5), 115.0, 1e-9);
  EXPECT_EQ(held(r, Bottleneck::lead_time, 0, 5), 0.0);
  for (int n : {1, 5})
    for (Bottleneck b : {Bottleneck::on_track, Bottleneck::capital, Bottleneck::talent,
                         Bottleneck::export_controls, Bottleneck::chip_market})
      EXPECT_EQ(held(r, b, 0, n), 0.0) << n << " " << static_cast<int>(b);
  EXPECT_EQ(code(r, 0, 5), code(Bottleneck::power));
}

TEST(ModelAnalytic, MarketRationingMoreThanTheTierCapIsChipMarket) {
  // Cap 2500 chips a step: demand 2500 of 3000 (the tier holds back 0.5 MW). Supply 2250
  // against 2500 + 2000: pro_rata share 0.5, 1250 received (the market holds back
  // 1.25 MW). The market held back more.
  const auto r = simulate(capped_market_case(10000.0, 9000.0));
  EXPECT_DOUBLE_EQ(at(r, CS::chip_demand, 0, 1) * 0.25, 2500.0);
  EXPECT_DOUBLE_EQ(at(r, CS::chip_received, 0, 1) * 0.25, 1250.0);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 1), 1.25, 1e-12);
  EXPECT_NEAR(at(r, CS::ready_mw, 0, 1), 1.75, 1e-12);
  EXPECT_EQ(code(r, 0, 1), code(Bottleneck::chip_market));
}

// Licences per country: two tier-2 countries with 4,000 and 8,000 chips a year (1,000 and
// 2,000 a quarter, 2 and 4 MW at 2 kW) fill their ready shells at those rates; the global
// cap (which the loader would have given them) does not enter.
TEST(ModelAnalytic, EachTierTwoCountryHasItsOwnLicence) {
  auto p = unconstrained(2);
  p.global[GlobalParam::tier2_cap] = 1.0;
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  for (int i = 0; i < 2; ++i) {
    p.countries.targets[i] = {{2026.25, 100.0}};
    p.countries.at(i, CountryParam::export_tier) = 2.0;
  }
  p.countries.at(0, CountryParam::tier2_cap) = 4000.0;
  p.countries.at(1, CountryParam::tier2_cap) = 8000.0;
  const auto r = simulate(p);
  // Shells started at step 0 are ready at step 4 and fitted out from then on: by index 10,
  // six quarters of chips.
  for (int n = 5; n <= 10; ++n) {
    EXPECT_NEAR(at(r, CS::chip_received, 0, n), 4000.0, 1e-9) << n;
    EXPECT_NEAR(at(r, CS::chip_received, 1, n), 8000.0, 1e-9) << n;
  }
  EXPECT_NEAR(at(r, CS::it_mw, 0, 10), 12.0, 1e-9);
  EXPECT_NEAR(at(r, CS::it_mw, 1, 10), 24.0, 1e-9);
}

TEST(ModelAnalytic, DomesticChipsFillWhatTheVendorWillNot) {
  auto p = unconstrained(1);
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  p.countries.targets[0] = {{2026.25, 100.0}};
  p.countries.at(0, CountryParam::export_tier) = 3.0;
  p.countries.at(0, CountryParam::domestic_accel_per_year) = 4000.0;  // 2 MW a quarter
  p.countries.at(0, CountryParam::domestic_perf_ratio) = 0.5;
  const auto r = simulate(p);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 5), 2.0, 1e-9);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 6), 4.0, 1e-9);
  EXPECT_DOUBLE_EQ(at(r, CS::domestic_share, 0, 6), 1.0);
  EXPECT_DOUBLE_EQ(at(r, CS::domestic_received, 0, 6), 4000.0);
}

// Schedules (docs/model.md, "Schedules"). A tier change at a date: a tier-2 country with a
// licence of 4,000 chips a year (1,000 a quarter = 2 MW at 2 kW) moves to tier 1 in 2028.
// Its 100 MW of shells, started at step 0, are ready at step 4 (2027.0): steps 4..7
// (2027.0 to 2027.75) fit 2 MW each, 8 MW by index 8; step 8 (t = 2028.0) is tier 1 and
// fits the other 92 MW at once (46,000 chips in the quarter, 184,000 a year).
TEST(ModelAnalytic, ScheduledTierChangeLiftsTheCapAtItsYear) {
  auto p = unconstrained(1);
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  p.countries.targets[0] = {{2026.25, 100.0}};
  p.countries.at(0, CountryParam::tier2_cap) = 4000.0;
  p.countries.at(0, CountryParam::export_tier) = 2.0;
  p.countries.set_schedule(0, CountryParam::export_tier, {{2026.0, 2.0}, {2028.0, 1.0}});
  const auto r = simulate(p);
  for (int n = 5; n <= 8; ++n) {
    EXPECT_NEAR(at(r, CS::chip_received, 0, n), 4000.0, 1e-9) << n;
    EXPECT_NEAR(at(r, CS::it_mw, 0, n), 2.0 * (n - 4), 1e-9) << n;
    EXPECT_EQ(code(r, 0, n), code(Bottleneck::export_controls)) << n;
  }
  EXPECT_NEAR(at(r, CS::chip_received, 0, 9), 184000.0, 1e-6);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 9), 100.0, 1e-9);
  EXPECT_EQ(code(r, 0, 9), code(Bottleneck::on_track));
}

// A scheduled supply with flat parts: [[2027, 4000], [2029, 12000]] holds 4,000 a year
// before 2027, rises by 4,000 a year to 2029 and holds 12,000 after, whatever
// vendor_supply_growth says (a scheduled level replaces its trend). The run series at
// index n + 1 is the rate of step n, at t_n = 2026 + n/4.
TEST(ModelAnalytic, ScheduledSupplyInterpolatesAndHoldsFlatBeyondItsEnds) {
  auto p = unconstrained(1);
  p.global[GlobalParam::vendor_supply] = 4000.0;
  p.global[GlobalParam::vendor_supply_growth] = 0.5;
  p.global.set_schedule(GlobalParam::vendor_supply, {{2027.0, 4000.0}, {2029.0, 12000.0}});
  const auto r = simulate(p);
  const auto& v = r[RunSeries::vendor_supply];
  EXPECT_DOUBLE_EQ(v(1), 4000.0);    // 2026.0
  EXPECT_DOUBLE_EQ(v(5), 4000.0);    // 2027.0
  EXPECT_DOUBLE_EQ(v(6), 5000.0);    // 2027.25: 4000 + 4000 * 0.25
  EXPECT_DOUBLE_EQ(v(7), 6000.0);    // 2027.5
  EXPECT_DOUBLE_EQ(v(9), 8000.0);    // 2028.0
  EXPECT_DOUBLE_EQ(v(13), 12000.0);  // 2029.0
  EXPECT_DOUBLE_EQ(v(p.sim.steps()), 12000.0);
}

// A scheduled growth compounds year by year: with dt = 1, other_demand = 1000 and
// other_demand_growth [[2026, 0.1], [2028, 0.5]] (0.1 in 2026, 0.3 in 2027, 0.5 from 2028),
// the rate of step n is 1000, 1100, 1100 * 1.3 = 1430, 1430 * 1.5 = 2145, 3217.5.
TEST(ModelAnalytic, ScheduledGrowthCompoundsYearByYear) {
  auto p = unconstrained(1, 2026.0, 2031.0, 1.0);
  p.global[GlobalParam::other_demand] = 1000.0;
  p.global[GlobalParam::other_demand_growth] = 0.1;
  p.global.set_schedule(GlobalParam::other_demand_growth, {{2026.0, 0.1}, {2028.0, 0.5}});
  const auto r = simulate(p);
  const auto& o = r[RunSeries::other_demand];
  const double expect[] = {1000.0, 1100.0, 1430.0, 2145.0, 3217.5};
  for (int n = 0; n < 5; ++n) EXPECT_NEAR(o(n + 1), expect[n], 1e-9) << n;
}

// A domestic programme starting in a given year: domestic_accel_per_year [[2026, 0],
// [2029, 0], [2030, 1e5]] gives nothing before 2029, then 1e5 * (t - 2029) a year: the
// quarter at 2029.25 25,000 a year, 2029.5 50,000, and 1e5 from 2030 (domestic_growth is
// ignored: the level is scheduled). Tier 3: no vendor chips; 1000 MW of ready shells need
// far more.
TEST(ModelAnalytic, ScheduledDomesticProgrammeStartsInItsYear) {
  auto p = unconstrained(1);
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  p.countries.targets[0] = {{2026.25, 1000.0}};
  p.countries.at(0, CountryParam::export_tier) = 3.0;
  p.countries.at(0, CountryParam::domestic_growth) = 0.5;
  p.countries.set_schedule(0, CountryParam::domestic_accel_per_year,
                           {{2026.0, 0.0}, {2029.0, 0.0}, {2030.0, 1e5}});
  const auto r = simulate(p);
  for (int n = 1; n <= 13; ++n) EXPECT_EQ(at(r, CS::domestic_received, 0, n), 0.0) << n;
  EXPECT_NEAR(at(r, CS::domestic_received, 0, 14), 25000.0, 1e-9);
  EXPECT_NEAR(at(r, CS::domestic_received, 0, 15), 50000.0, 1e-9);
  EXPECT_NEAR(at(r, CS::domestic_received, 0, 17), 1e5, 1e-9);
  EXPECT_NEAR(at(r, CS::domestic_received, 0, 20), 1e5, 1e-9);
  EXPECT_EQ(at(r, CS::it_mw, 0, 13), 0.0);
  // 6,250 + 12,500 + 18,750 + 25,000 chips by index 17, at 500 a MW: 125 MW.
  EXPECT_NEAR(at(r, CS::it_mw, 0, 17), 125.0, 1e-9);
}

TEST(ModelAnalytic, ChipsRetireAfterTheirLifetime) {
  // 100 MW installed in the step at 2027.0 (index 4 to 5); a 2-year life ends at 2029.0.
  // From 2028 the vendor ships nothing, so retired shells stay ready (stranded).
  auto p = unconstrained(1);
  p.countries.targets[0] = {{2026.25, 100.0}};
  p.global[GlobalParam::chip_lifetime_years] = 2.0;
  p.global.supply_shocks = {{2028.0, 2040.0, 0.0}};
  const auto r = simulate(p);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 5), 100.0, 1e-9);
  EXPECT_NEAR(at(r, CS::it_mw, 0, 12), 100.0, 1e-9);
  EXPECT_EQ(at(r, CS::it_mw, 0, 13), 0.0);
  EXPECT_NEAR(at(r, CS::ready_mw, 0, 13), 100.0, 1e-9);
  EXPECT_EQ(at(r, CS::accelerators, 0, 13), 0.0);
  EXPECT_EQ(code(r, 0, 13), code(Bottleneck::chip_market));
}

TEST(ModelAnalytic, InitialCapacityRetiresEvenlyOverOneLifetime) {
  // 80 MW of uniformly spread age, 2-year life = 8 steps: 10 MW retire each step.
  auto p = unconstrained(1);
  p.countries.at(0, CountryParam::it_mw) = 80.0;
  p.global[GlobalParam::chip_lifetime_years] = 2.0;
  p.global.supply_shocks = {{2026.0, 2040.0, 0.0}};
  const auto r = simulate(p);
  for (int n = 0; n <= 8; ++n)
    EXPECT_NEAR(at(r, CS::it_mw, 0, n), 80.0 - 10.0 * n, 1e-9) << "index " << n;
}

TEST(ModelAnalytic, SupplyShockScalesVendorOutputOverItsPeriod) {
  auto p = unconstrained(1);
  p.global[GlobalParam::vendor_supply] = 1e6;
  p.global.supply_shocks = {{2028.0, 2029.0, 0.5}};
  const auto r = simulate(p);
  const auto& s = r[RunSeries::vendor_supply];
  EXPECT_TRUE(std::isnan(s(0)));
  // Steps starting at 2028.0 .. 2028.75 are indices 9..12.
  for (int n = 1; n <= p.sim.steps(); ++n) {
    const double expected = (n >= 9 && n <= 12) ? 0.5e6 : 1e6;
    EXPECT_DOUBLE_EQ(s(n), expected) << "index " << n;
  }
}

TEST(ModelAnalytic, SupplyShockBetweenStepsActsOnTheOverlap) {
  auto p = unconstrained(1);
  p.global[GlobalParam::vendor_supply] = 1e6;
  p.global.supply_shocks = {{2028.1, 2028.35, 0.0}};
  const auto r = simulate(p);
  const auto& s = r[RunSeries::vendor_supply];
  EXPECT_NEAR(s(9), 1e6 * (1 - 0.6), 1e-6);   // [2028.0, 2028.25): 0.15 of 0.25 shocked
  EXPECT_NEAR(s(10), 1e6 * (1 - 0.4), 1e-6);  // [2028.25, 2028.5): 0.10 of 0.25
  EXPECT_DOUBLE_EQ(s(11), 1e6);
}

TEST(ModelAnalytic, ShortCashStrandsShellsAsCapital) {
  // Shells are ready but chips cost more than the quarter's budget.
  auto p = unconstrained(1);
  p.countries.at(0, CountryParam::pipeline_mw) = 40.0;
  p.countries.at(0, CountryParam::budget_usd_per_year) = 4e8;  // 1e8 a quarter
  p.countries.targets[0] = {{2026.25, 40.0}};
  const auto r = simulate(p);
  // 1e8 / 70000 = 1428.6 chips = 2.857 MW at 2 kW a chip.
  EXPECT_NEAR(at(r, CS::it_mw, 0, 1), 1e8 / 70000.0 * 2.0 / 1000.0, 1e-9);
  EXPECT_EQ(code(r, 0, 1), code(Bottleneck::capital));
  EXPECT_NEAR(at(r, CS::cash_usd, 0, 1), 0.0, 1e-6);
}

// Grid full and no cash: the power and the capital cap on new shells are both 0, a tie
// that the documented order gives to power, even where rounding leaves the power cap a
// residue above 0 (grid_mw one ulp above it_mw * pue: grid/pue - committed = 2.3e-13 MW).
// 1024 MW of chips with a 16-year life retire 16 MW a quarter, exactly; the retired
// shells wait for chips no cash pays for (capital holds back those 16 MW a step), while
// power holds back the ~4,000 MW of shells the target asks for.
TEST(ModelAnalytic, ATieOfZeroCapsGoesToPowerWhateverTheRoundingResidue) {
  auto p = unconstrained(1, 2026.0, 2028.0);
  p.global[GlobalParam::chip_lifetime_years] = 16.0;
  auto set = [&](CountryParam k, double v) { p.countries.at(0, k) = v; };
  set(CountryParam::it_mw, 1024.0);
  set(CountryParam::pue, 1.25);
  set(CountryParam::grid_mw, std::nextafter(1024.0 * 1.25, 2e3));
  set(CountryParam::grid_add_mw_per_year, 0.0);
  set(CountryParam::budget_usd_per_year, 0.0);
  p.countries.targets[0] = {{2026.25, 5000.0}};
  const double residue = p.countries.at(0, CountryParam::grid_mw) / 1.25 - 1024.0;
  ASSERT_GT(residue, 0.0);  // the case this test is about
  ASSERT_LT(residue, 1e-12);
  const auto r = simulate(p);
  for (int n = 1; n <= p.sim.steps(); ++n) {
    EXPECT_EQ(code(r, 0, n), code(Bottleneck::power)) << "index " << n;
    EXPECT_EQ(at(r, CS::it_mw, 0, n) + at(r, CS::ready_mw, 0, n), 1024.0) << "index " << n;
    EXPECT_LE(at(r, CS::pipeline_mw, 0, n), residue * n) << "index " << n;
    EXPECT_EQ(at(r, CS::cash_usd, 0, n), 0.0);
  }
}

// On-site generation bridges a grid that adds nothing. Annual steps, pue 1, one-year build
// and on-site lead times, on-site up to 50 MW a year at 1e6 USD/MW, chips 1e6 USD a MW
// (1 kW at 1000 USD), shells 1e6 USD/MW, ample cash, a target of 100 MW by 2028.
//   2026: no power, so no shells; power holds back 100 MW: 50 MW on site ordered (the cap).
//   2027: 50 MW on site arrive; 50 MW of shells start, power holds back the other 50: 50 MW
//     more on site.
//   2028: the first shells are fitted (50 MW in service at 2029.0), 100 MW on site, the
//     last 50 MW of shells start. 2029: they are fitted: 100 MW at 2030.0.
// Without on-site generation the country never builds. Spending: 100 MW each of shells,
// chips and on-site generation at 1e6 USD, 3e8 USD in all.
// The grid queue. Annual steps, pue 1, a two-year grid lead and a one-year build lead, no
// grid at the start and a target of 100 MW by 2029; 60 MW contracted for 2027 and 40 MW
// for 2028.5 (delivered in the step [2028, 2029)).
//   2026: no power, no shells; the planner counts the 100 MW queued within its lead time.
//   2027: 60 MW arrive; 60 MW of shells start. 2028: 40 MW arrive; the 60 MW are fitted
//     (in service at 2029.0) and 40 MW more start. 2029: those are fitted: 100 MW at 2030.0.
// With grid additions of 1000 MW/yr and a target of 150 MW, the 2026 request is only the
// 50 MW the queue does not cover (arriving in 2028): 150 MW of grid in all, not 250.
TEST(ModelAnalytic, GridQueueArrivesInItsYearAndIsCountedByThePlanner) {
  auto p = unconstrained(1, 2026.0, 2031.0, 1.0);
  auto& c = p.countries;
  c.at(0, CountryParam::pue) = 1.0;
  c.at(0, CountryParam::grid_mw) = 0.0;
  c.at(0, CountryParam::grid_add_mw_per_year) = 0.0;
  c.at(0, CountryParam::grid_lead_years) = 2.0;
  c.at(0, CountryParam::build_lead_years) = 1.0;
  c.set_schedule(0, CountryParam::grid_queue, {{2027.0, 60.0}, {2028.5, 40.0}});
  c.at(0, CountryParam::grid_queue) = 60.0;  // as the loader leaves it: the first point's
  c.targets[0] = {{2029.0, 100.0}};
  const auto r = simulate(p);
  const double grid[] = {0, 0, 60, 100, 100, 100}, it[] = {0, 0, 0, 60, 100, 100};
  for (int n = 0; n <= 5; ++n) {
    EXPECT_EQ(at(r, CS::grid_mw, 0, n), grid[n]) << "index " << n;
    EXPECT_NEAR(at(r, CS::it_mw, 0, n), it[n], 1e-9) << "index " << n;
  }
  EXPECT_EQ(code(r, 0, 1), code(Bottleneck::power));

  c.at(0, CountryParam::grid_add_mw_per_year) = 1000.0;
  c.targets[0] = {{2029.0, 150.0}};
  const auto more = simulate(p);
  EXPECT_EQ(at(more, CS::grid_mw, 0, 2), 60.0);
  EXPECT_EQ(at(more, CS::grid_mw, 0, 3), 150.0);
  EXPECT_EQ(at(more, CS::grid_mw, 0, 5), 150.0);
}

// The queue per step, by hand: 2026-2031 yearly (steps 0-4), a grid lead of 2 steps. A
// point before the start and one after the horizon arrive in no step; the one of 2028
// (step 2) is in the window of the requests of steps 0 and 1; the two of 2029.5 (step 3)
// add in their order, and count for steps 1 and 2.
TEST(ModelAnalytic, QueueStepsHandWorked) {
  SimulationSettings sim;
  sim.start_year = 2026.0;
  sim.end_year = 2031.0;
  sim.dt = 1.0;
  const Schedule q = {{2024.0, 1.0}, {2028.0, 10.0}, {2029.5, 100.0}, {2029.5, 1000.0}, {2035.0, 5.0}};
  std::vector<double> arrive, window;
  detail::queue_steps(q, sim, 2, arrive, window);
  const std::vector<double> arrive_hand = {0, 0, 10, 1100, 0}, window_hand = {10, 1110, 1100, 0, 0};
  EXPECT_EQ(arrive, arrive_hand);
  EXPECT_EQ(window, window_hand);
  // A lead of 0 steps: nothing is in a window.
  detail::queue_steps(q, sim, 0, arrive, window);
  EXPECT_EQ(arrive, arrive_hand);
  EXPECT_EQ(window, std::vector<double>(5, 0.0));
}

TEST(ModelAnalytic, OnSiteGenerationBridgesAGridThatAddsNothing) {
  auto p = unconstrained(1, 2026.0, 2031.0, 1.0);
  p.global[GlobalParam::accel_kw] = 1.0;
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  p.global[GlobalParam::accel_price_usd] = 1e3;
  p.global[GlobalParam::accel_price_growth] = 0.0;
  auto& c = p.countries;
  c.at(0, CountryParam::pue) = 1.0;
  c.at(0, CountryParam::grid_mw) = 0.0;
  c.at(0, CountryParam::grid_add_mw_per_year) = 0.0;
  c.at(0, CountryParam::build_lead_years) = 1.0;
  c.at(0, CountryParam::capex_shell_usd_per_mw) = 1e6;
  c.at(0, CountryParam::onsite_add_mw_per_year) = 50.0;
  c.at(0, CountryParam::onsite_lead_years) = 1.0;
  c.at(0, CountryParam::onsite_capex_usd_per_mw) = 1e6;
  c.targets[0] = {{2028.0, 100.0}};
  const auto r = simulate(p);
  const double onsite[] = {0, 0, 50, 100, 100, 100}, it[] = {0, 0, 0, 50, 100, 100};
  for (int n = 0; n <= 5; ++n) {
    EXPECT_NEAR(at(r, CS::onsite_mw, 0, n), onsite[n], 1e-9) << "index " << n;
    EXPECT_NEAR(at(r, CS::it_mw, 0, n), it[n], 1e-9) << "index " << n;
    EXPECT_EQ(at(r, CS::grid_mw, 0, n), 0.0);
  }
  EXPECT_EQ(code(r, 0, 1), code(Bottleneck::power));
  EXPECT_EQ(code(r, 0, 2), code(Bottleneck::power));
  EXPECT_NEAR(at(r, CS::capex_usd, 0, 5), 3e8, 1e-3);
  EXPECT_NEAR(at(r, CS::chips_usd, 0, 5), 1e8, 1e-3);

  c.at(0, CountryParam::onsite_add_mw_per_year) = 0.0;
  const auto none = simulate(p);
  EXPECT_EQ(at(none, CS::it_mw, 0, 5), 0.0);
  EXPECT_EQ(at(none, CS::onsite_mw, 0, 5), 0.0);
}

TEST(ModelAnalytic, OperatingCostIsPaidFirstAndShortfallRecorded) {
  auto p = unconstrained(1);
  p.countries.at(0, CountryParam::it_mw) = 100.0;
  p.countries.at(0, CountryParam::pue) = 1.25;
  p.countries.at(0, CountryParam::electricity_usd_per_mwh) = 100.0;
  p.countries.at(0, CountryParam::budget_usd_per_year) = 1e7;
  // A quarter at 125 MW facility: 125 * 2190 h * 100 USD = 27.375 M; budget 2.5 M.
  const auto r = simulate(p);
  EXPECT_NEAR(at(r, CS::opex_usd, 0, 1), 2.5e6, 1e-6);
  EXPECT_NEAR(at(r, CS::unfunded_opex_usd, 0, 1), 27.375e6 - 2.5e6, 1e-6);
  EXPECT_EQ(at(r, CS::cash_usd, 0, 1), 0.0);
  EXPECT_NEAR(at(r, CS::energy_twh, 0, 0), 125.0 * 8760 / 1e6, 1e-12);
}

TEST(ModelInvariants, HoldOverRandomParameterDraws) {
  std::mt19937_64 rng(20261123);
  for (int draw = 0; draw < 300; ++draw) {
    const auto p = random_params(rng);
    const auto r = simulate(p);
    const auto& c = p.countries;
    for (int n = 0; n <= p.sim.steps(); ++n) {
      double received = 0.0;
      for (int i = 0; i < c.size(); ++i) {
        SCOPED_TRACE(::testing::Message() << "draw " << draw << " country " << i << " index " << n);
        for (auto s : {CS::it_mw, CS::pipeline_mw, CS::ready_mw, CS::grid_mw, CS::cash_usd,
                       CS::workforce, CS::accelerators, CS::capex_usd, CS::opex_usd,
                       CS::unfunded_opex_usd, CS::compute_flops})
          ASSERT_GE(at(r, s, i, n), 0.0) << info(s).name;
        const double pue = c.at(i, CountryParam::pue);
        const double committed = at(r, CS::it_mw, i, n) + at(r, CS::pipeline_mw, i, n) +
                                 at(r, CS::ready_mw, i, n);
        // Facility power: the grid and on-site generation.
        const double power = at(r, CS::grid_mw, i, n) + at(r, CS::onsite_mw, i, n);
        ASSERT_LE(at(r, CS::it_mw, i, n), power / pue * (1 + 1e-9) + 1e-9);
        ASSERT_LE(committed, power / pue * (1 + 1e-9) + 1e-9);
        // Money: what was spent never exceeds what was received, and it all adds up.
        const double funds = at(r, CS::funds_usd, i, n);
        const double spent = at(r, CS::capex_usd, i, n) + at(r, CS::opex_usd, i, n);
        ASSERT_LE(spent, funds * (1 + 1e-9) + 1e-6);
        ASSERT_NEAR(funds, spent + at(r, CS::cash_usd, i, n), 1e-9 * funds + 1e-6);
        ASSERT_GE(at(r, CS::talent_utilisation, i, n), 0.0);
        ASSERT_LE(at(r, CS::talent_utilisation, i, n), 1.0);
        ASSERT_GE(at(r, CS::domestic_share, i, n), 0.0);
        ASSERT_LE(at(r, CS::domestic_share, i, n), 1.0 + 1e-12);
        const double b = at(r, CS::bottleneck, i, n);
        ASSERT_TRUE(b >= 0 && b < kNumBottlenecks && b == std::floor(b));
        if (n > 0) {
          const double got = at(r, CS::chip_received, i, n);
          ASSERT_GE(got, 0.0);
          ASSERT_LE(got, at(r, CS::chip_demand, i, n) * (1 + 1e-12) + 1e-9);
          if (c.at(i, CountryParam::export_tier) == 3.0) {
            ASSERT_EQ(got, 0.0);
          }
          if (c.at(i, CountryParam::export_tier) == 2.0) {
            ASSERT_LE(got, c.at(i, CountryParam::tier2_cap) * (1 + 1e-12));
          }
          received += got;
        }
      }
      if (n > 0) {
        ASSERT_LE(received, r[RunSeries::vendor_supply](n) * (1 + 1e-9) + 1e-9) << "draw " << draw;
        ASSERT_NEAR(received, r[RunSeries::allocated](n), 1e-9 * (1 + received));
      }
    }
  }
}

TEST(ModelInvariants, RerunningGivesIdenticalResults) {
  std::mt19937_64 rng(7);
  const auto p = random_params(rng);
  Model model;  // one Model reused, as a sweep worker does
  RunResult a, b;
  RunRecorder ra(a), rb(b);
  model.run(p, ra);
  model.run(p, rb);
  for (int s = 0; s < kNumCountrySeries; ++s)
    EXPECT_TRUE((a.country[s] == b.country[s] || (a.country[s].isNaN() && b.country[s].isNaN())).all())
        << info(static_cast<CS>(s)).name;
}

// allocate() starts the max-min-fair sort from the order the last call left. Over calls with
// demands that change a little, a lot, or in size (and with ties and signed zeros), the
// shares and the order must be those of a call with a fresh order, bit for bit; an order
// of the wrong size, whatever it holds, is not read.
TEST(ModelAllocation, AReusedOrderGivesTheSameSharesAsAFreshOne) {
  std::mt19937_64 rng(29);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> demand, warm_out, fresh_out;
  std::vector<int> warm;  // kept from call to call
  for (int call = 0; call < 3000; ++call) {
    const int kind = static_cast<int>(rng() % 8);
    if (demand.empty() || kind == 0) {
      demand.resize(1 + rng() % 30);
      for (auto& d : demand) d = 100.0 * unit(rng);
    } else if (kind == 1) {
      std::shuffle(demand.begin(), demand.end(), rng);
    } else {
      for (auto& d : demand) {
        switch (rng() % 6) {
          case 0: d = 0.0; break;
          case 1: d = -0.0; break;
          case 2: d = 50.0; break;  // ties
          default: d *= 0.9 + 0.2 * unit(rng); break;
        }
      }
    }
    if (kind == 2 || kind == 3) {
      // An order of the wrong size, which this call must not read and must replace: a
      // positive demand makes the call sort.
      warm.assign(kind == 2 ? demand.size() + 1 + rng() % 3 : demand.size() - 1, 7);
      demand[0] += 1.0;
    }
    const double total = std::accumulate(demand.begin(), demand.end(), 0.0);
    const double supply = total * (0.05 + 0.9 * unit(rng));
    std::vector<int> fresh;
    allocate(Allocation::max_min_fair, demand, supply, warm_out, warm);
    allocate(Allocation::max_min_fair, demand, supply, fresh_out, fresh);
    ASSERT_EQ(warm_out.size(), fresh_out.size());
    ASSERT_EQ(0, std::memcmp(warm_out.data(), fresh_out.data(), sizeof(double) * warm_out.size()))
        << "call " << call;
    if (!fresh.empty()) {
      ASSERT_EQ(warm, fresh) << "call " << call;
    }
  }
}

// A Model reused for runs with other country counts (its allocation order then has the
// wrong size) gives what a fresh Model gives.
TEST(ModelAllocation, AReusedModelMatchesAFreshOneAcrossCountryCounts) {
  std::mt19937_64 rng(31);
  Model reused;
  for (int run = 0; run < 12; ++run) {
    auto p = random_params(rng, 3 + static_cast<int>(rng() % 20));
    p.global[GlobalParam::allocation] = static_cast<double>(Allocation::max_min_fair);
    RunResult a, b;
    RunRecorder ra(a), rb(b);
    reused.run(p, ra);
    Model fresh;
    fresh.run(p, rb);
    for (int s = 0; s < kNumCountrySeries; ++s)
      ASSERT_EQ(0, std::memcmp(a.country[s].data(), b.country[s].data(),
                               sizeof(double) * static_cast<std::size_t>(a.country[s].size())))
          << "run " << run << ", " << info(static_cast<CS>(s)).name;
  }
}

}  // namespace
}  // namespace sovcap
