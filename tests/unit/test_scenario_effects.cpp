// Each shipped scenario does what its header says (issue 14): the effect it is named for,
// measured against baseline run in the same test. The assertions are directions with a
// clear margin (a count of steps, a share, a relative change, a year moved by at least a
// step), not exact values, so that they hold while the data set is revised; where one
// fails after a data change, the scenario's header (its "What it shows" paragraph) no
// longer describes what the scenario does and is to be reviewed with it.

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"

#include "sovcap/model.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/results.hpp"
#include "sovcap/scenario.hpp"

namespace sovcap {
namespace {

namespace fs = std::filesystem;
const fs::path kScenarios = fs::path(SOVCAP_SOURCE_DIR) / "scenarios";

// One scenario loaded and run alone, every series and held_back_mw's trajectory kept.
struct Ran {
  Scenario sc;
  RunResult r;

  const RunParams& p() const { return sc.params; }
  int country(const std::string& iso3) const {
    const int i = p().countries.find(iso3);
    EXPECT_GE(i, 0) << iso3;
    return i;
  }
  // The index of the recorded time `year` (the scenarios' years fall on quarterly steps).
  int at(double year) const {
    for (int n = 0; n <= p().sim.steps(); ++n)
      if (std::abs(p().sim.time(n) - year) < 1e-9) return n;
    ADD_FAILURE() << "no recorded time " << year;
    return 0;
  }
  double series(CountrySeries s, int i, double year) const { return r[s](i, at(year)); }
  double it(int i, double year) const { return series(CountrySeries::it_mw, i, year); }
  // Steps 1..N recorded in [from, to] under bottleneck `code`.
  int steps(int i, Bottleneck code, double from, double to) const {
    int k = 0;
    for (int n = 1; n <= p().sim.steps(); ++n) {
      const double t = p().sim.time(n);
      if (t >= from - 1e-9 && t <= to + 1e-9)
        k += r[CountrySeries::bottleneck](i, n) == static_cast<double>(code);
    }
    return k;
  }
  // held_back_mw of `constraint` summed over the steps recorded in [from, to] [MW x steps].
  double held(int i, Bottleneck constraint, double from, double to) const {
    const int c = p().countries.size();
    double sum = 0.0;
    for (int n = 1; n <= p().sim.steps(); ++n) {
      const double t = p().sim.time(n);
      if (t >= from - 1e-9 && t <= to + 1e-9) sum += r.held_back(i + static_cast<int>(constraint) * c, n);
    }
    return sum;
  }
  // The same over the five constraints that are a country's resources or its chip access
  // (everything but lead_time, the capacity still being built).
  double held_by_resources(int i, double from, double to) const {
    double sum = 0.0;
    for (Bottleneck b : {Bottleneck::power, Bottleneck::capital, Bottleneck::talent,
                         Bottleneck::export_controls, Bottleneck::chip_market})
      sum += held(i, b, from, to);
    return sum;
  }
  double gw_year(int i) const { return r.year_gw_reached[i]; }
  double target_year(int i) const { return r.year_target_reached[i]; }
};

Ran run_scenario(const std::string& name) {
  Ran out;
  out.sc = load_scenario((kScenarios / (name + ".toml")).string());
  out.r = testing::simulate(out.sc.params);
  EXPECT_EQ(out.r.held_back.cols(), out.sc.params.sim.steps() + 1) << name << ": held_back_mw not kept";
  return out;
}

// A year as a number for comparisons: "never" is after every year of the run.
double year_or_never(double y) { return std::isnan(y) ? 1e9 : y; }

// ---- talent_constrained ----------------------------------------------------------------
// Where the data set's notes report trades shortages (JPN, DEU, GBR, USA) the pool and its
// growth are at the low end of their ranges, elsewhere the growth: talent becomes the
// bottleneck of most steps of 2029-2035 in Japan and Germany, and holds back more MW in all
// four. Measured on the data set of 2026-12 (Data set 2 merged): talent steps 2029-2035
// (25 steps) JPN 14 -> 25, DEU 4 -> 25; talent MW x steps JPN 4,928 -> 20,817, DEU 625 ->
// 14,716, GBR 24,596 -> 60,359, USA 0 -> 38,268; it_mw 2035 JPN 1,634 -> 1,142, DEU 1,524
// -> 1,173. The largest gain anywhere at 2035 is the Gulf's +2.5% (SAU 1,515 -> 1,553).
TEST(TalentConstrained, TalentBindsWhereShortagesAreReported) {
  const Ran base = run_scenario("baseline"), tc = run_scenario("talent_constrained");
  for (const std::string iso3 : {"JPN", "DEU"}) {
    SCOPED_TRACE(iso3);
    const int i = base.country(iso3);
    const int steps = tc.steps(i, Bottleneck::talent, 2029.0, 2035.0);
    EXPECT_GE(steps, 15) << "of 25";
    EXPECT_GE(steps, base.steps(i, Bottleneck::talent, 2029.0, 2035.0) + 5);
    EXPECT_LT(tc.it(i, 2035.0), 0.9 * base.it(i, 2035.0));
  }
  for (const std::string iso3 : {"JPN", "DEU", "GBR", "USA"}) {
    SCOPED_TRACE(iso3);
    const int i = base.country(iso3);
    const double before = base.held(i, Bottleneck::talent, 2029.0, 2035.0);
    EXPECT_GT(tc.held(i, Bottleneck::talent, 2029.0, 2035.0), 1.5 * before + 100.0);
  }
  // Less staff never lets anyone build much more (no country ahead of baseline by 5% at
  // 2035). Not by nothing: in 2031.5-2031.75 baseline's demand (a replacement wave) is
  // more than the vendor's output, which is shared out pro rata; with the talent-short
  // countries asking for less, the others get more of it (the Gulf its full licence,
  // 100,000 a year, instead of 67,000-85,000: +2.5% at 2035).
  for (int i = 0; i < base.p().countries.size(); ++i)
    EXPECT_LE(tc.it(i, 2035.0), base.it(i, 2035.0) * 1.05 + 1e-9) << base.p().countries.iso3[i];
}

// ---- export_controls -------------------------------------------------------------------
// The diffusion-rule regime from 2027.0: India, Indonesia, Singapore and Brazil go to tier
// 2, every tier-2 licence becomes 13,300 a year (the Gulf's, 100,000 a year from 2027 in
// the data set, included). Measured on the data set of 2026-12 (Data set 2 merged): the
// Gulf's (SAU + ARE) it_mw at 2032 2,493 -> 376 MW; SAU 1 GW 2030.75 -> never, ARE 2031.25
// -> never; IND it_mw 2030 1,005 -> 417 MW, 1 GW 2030.00 -> never, export_controls the code
// of 16 of the 25 steps of 2029-2035 (0 in baseline). Tier 1 gains up to 1.5% (KOR) in
// 2031.75, when baseline's demand is more than the vendor's output, and loses at most
// 0.08% (JPN, 2034.75) later.
TEST(ExportControls, TheRuleFrom2027MovesTheGulfAndIndia) {
  const Ran base = run_scenario("baseline"), ec = run_scenario("export_controls");
  const int sau = base.country("SAU"), are = base.country("ARE"), ind = base.country("IND");
  // Dated: nothing moves before the rule takes effect (the Gulf aside: the scenario sets
  // its own licence for 2026 as well, which need not be the data set's).
  for (int i = 0; i < base.p().countries.size(); ++i) {
    if (i == sau || i == are) continue;
    for (double y = 2026.0; y <= 2027.0; y += 0.25)
      EXPECT_EQ(ec.it(i, y), base.it(i, y)) << base.p().countries.iso3[i] << " " << y;
  }
  // The Gulf moves: its capacity at 2032 falls by more than half, and at 13,300 chips a
  // year (a few hundred MW over a chip's life) neither state reaches 1 GW.
  const double gulf_base = base.it(sau, 2032.0) + base.it(are, 2032.0);
  const double gulf = ec.it(sau, 2032.0) + ec.it(are, 2032.0);
  EXPECT_LT(gulf, 0.5 * gulf_base) << gulf_base << " -> " << gulf;
  EXPECT_TRUE(std::isnan(ec.gw_year(sau)));
  EXPECT_TRUE(std::isnan(ec.gw_year(are)));
  // India, tier 1 in baseline: the rule holds it back and shows as export_controls.
  EXPECT_LT(ec.it(ind, 2030.0), 0.8 * base.it(ind, 2030.0));
  EXPECT_GT(year_or_never(ec.gw_year(ind)), year_or_never(base.gw_year(ind)));
  EXPECT_GE(ec.steps(ind, Bottleneck::export_controls, 2029.0, 2035.0),
            base.steps(ind, Bottleneck::export_controls, 2029.0, 2035.0) + 8);
  // The tier-1 countries lose nothing (within 0.5%): the chips withheld from tier 2 can
  // only leave more of the vendor's output to them. In the steps where that output is
  // shared out (2031.5-2031.75) they get more, and their later purchases shift with
  // that: they fall behind baseline by under 0.1% at some steps after.
  for (int i = 0; i < base.p().countries.size(); ++i) {
    const std::string& iso3 = base.p().countries.iso3[i];
    if (iso3 == "IND" || iso3 == "IDN" || iso3 == "SGP" || iso3 == "BRA" || iso3 == "SAU" || iso3 == "ARE")
      continue;
    for (double y : {2030.0, 2035.0, 2040.0}) EXPECT_GE(ec.it(i, y), base.it(i, y) * (1 - 5e-3)) << iso3 << " " << y;
  }
}

// ---- supply_shock ----------------------------------------------------------------------
// Vendor output x0.2 over [2028.0, 2029.5). Measured on the data set of 2026-12 (Data set 2
// merged): vendor chips allocated to the modelled countries over the shock 2.87e6 ->
// 1.75e6; 14 countries 5% or more below baseline at 2029.5 (SAU -18%, ARE -11%); SAU 1 GW
// 2030.75 -> 2031.25; nobody earlier; 19 countries with MW held back by the chip market in
// 2028.25-2030. The largest gain at any time is the UAE's +1.7% at 2034.5 (France +1.1% at
// 2030.5): the cash not spent on chips during the shock buys more of them later (the UAE's
// replacements of 2033.75-2034.5).
TEST(SupplyShock, TheShockDelays) {
  const Ran base = run_scenario("baseline"), ss = run_scenario("supply_shock");
  const auto& p = base.p();
  double alloc_base = 0.0, alloc = 0.0;
  for (int n = 1; n <= p.sim.steps(); ++n) {
    const double t = p.sim.time(n - 1);  // the step from t to t + dt
    if (t < 2028.0 - 1e-9 || t >= 2029.5 - 1e-9) continue;
    alloc_base += base.r[RunSeries::allocated](n) * p.sim.dt;
    alloc += ss.r[RunSeries::allocated](n) * p.sim.dt;
  }
  EXPECT_LT(alloc, 0.85 * alloc_base) << alloc_base << " -> " << alloc;
  int behind = 0, later = 0, market = 0;
  for (int i = 0; i < p.countries.size(); ++i) {
    const std::string& iso3 = p.countries.iso3[i];
    behind += ss.it(i, 2029.5) <= 0.95 * base.it(i, 2029.5);
    EXPECT_GE(year_or_never(ss.gw_year(i)), year_or_never(base.gw_year(i))) << iso3;
    later += base.gw_year(i) > 2028.0 && year_or_never(ss.gw_year(i)) >= base.gw_year(i) + 0.25 - 1e-9;
    market += ss.held(i, Bottleneck::chip_market, 2028.25, 2030.0) >
              base.held(i, Bottleneck::chip_market, 2028.25, 2030.0) + 1.0;
    for (int n = 0; n <= p.sim.steps(); ++n)
      EXPECT_LE(ss.r[CountrySeries::it_mw](i, n), base.r[CountrySeries::it_mw](i, n) * 1.03 + 1e-9)
          << iso3 << " " << p.sim.time(n);
  }
  EXPECT_GE(behind, 8) << "countries 5% or more behind baseline at 2029.5";
  EXPECT_GE(later, 1) << "countries whose 1 GW year, after 2028, is a step or more later";
  EXPECT_GE(market, 5) << "countries with MW held back by the chip market in 2028-2030";
}

// ---- grid_fast_track -------------------------------------------------------------------
// Korea's grid x2 and lead /2; on-site bridging generation in the UK (500 MW/yr, data set
// 200) and the USA (6,000 MW/yr, data set 3,000). Measured on the data set of 2026-12 (Data
// set 2 merged, with its grid queues and on-site generation in baseline): power's MW x
// steps over the run KOR 8,264 -> 0, GBR 23,866 -> 5,033, USA 88,905 -> 78,145; 1 GW KOR
// 2031.75 -> 2031.50 (it_mw 2031 778 -> 900), GBR 2031.25 both; USA target 2032.00 ->
// 2031.75 (it_mw 2031 43,520 -> 47,120). What takes over: talent in the UK (30,377 ->
// 43,966), capital in Korea (291,928 -> 311,687; talent 12,071 -> 0).
TEST(GridFastTrack, PowerComesSoonerAndTalentTakesOver) {
  const Ran base = run_scenario("baseline"), gf = run_scenario("grid_fast_track");
  const double from = 2026.0, to = 2040.0;
  const int kor = base.country("KOR"), gbr = base.country("GBR"), usa = base.country("USA");
  // The premise: power binds all three in baseline.
  for (int i : {kor, gbr, usa}) ASSERT_GT(base.held(i, Bottleneck::power, from, to), 1000.0) << i;
  EXPECT_LT(gf.held(kor, Bottleneck::power, from, to), 0.2 * base.held(kor, Bottleneck::power, from, to));
  EXPECT_LT(gf.held(gbr, Bottleneck::power, from, to), 0.5 * base.held(gbr, Bottleneck::power, from, to));
  EXPECT_LT(gf.held(usa, Bottleneck::power, from, to), 0.95 * base.held(usa, Bottleneck::power, from, to));
  // Sooner: Korea's 1 GW and the USA's target by a step or more, and more capacity in 2031.
  EXPECT_LE(year_or_never(gf.gw_year(kor)), year_or_never(base.gw_year(kor)) - 0.25);
  EXPECT_LE(year_or_never(gf.target_year(usa)), year_or_never(base.target_year(usa)) - 0.25);
  EXPECT_GT(gf.it(kor, 2031.0), 1.1 * base.it(kor, 2031.0));
  EXPECT_GT(gf.it(usa, 2031.0), 1.04 * base.it(usa, 2031.0));
  // The UK and the USA build on-site generation; Korea, with its grid fast-tracked, none.
  EXPECT_GT(gf.series(CountrySeries::onsite_mw, gbr, 2032.0), 0.0);
  EXPECT_GT(gf.series(CountrySeries::onsite_mw, usa, 2032.0), 0.0);
  EXPECT_EQ(gf.series(CountrySeries::onsite_mw, kor, 2040.0), 0.0);
  // What takes over from power where it gives way: talent in the UK, whose capacity hardly
  // moves for it; capital in Korea, whose budget (growth 30% a year, 2% from 2032) binds
  // most of its steps.
  EXPECT_GT(gf.held(gbr, Bottleneck::talent, from, to), 1.2 * base.held(gbr, Bottleneck::talent, from, to));
  EXPECT_GT(gf.held(kor, Bottleneck::capital, from, to), 1.03 * base.held(kor, Bottleneck::capital, from, to));
}

// ---- domestic_chips --------------------------------------------------------------------
// Home-grown accelerators in Korea, Japan, France and, from 2029, India, earlier and growing
// faster than the data set's programmes (which baseline has since Data set 2). Measured on
// the data set of 2026-12 (Data set 2 merged), domestic_share at 2035: KOR 0.021 -> 0.381,
// JPN 0.009 -> 0.046, FRA 0.008 -> 0.032, IND 0.0026 -> 0.0040; at 2040 IND 0.004 -> 0.046.
TEST(DomesticChips, TheDomesticShareRises) {
  const Ran base = run_scenario("baseline"), dc = run_scenario("domestic_chips");
  auto share = [](const Ran& r, int i, double y = 2035.0) { return r.series(CountrySeries::domestic_share, i, y); };
  const int kor = base.country("KOR"), jpn = base.country("JPN"), fra = base.country("FRA"),
            ind = base.country("IND");
  EXPECT_GT(share(dc, kor), share(base, kor) + 0.1);
  // Japan and France: small shares, but several times baseline's.
  for (int i : {jpn, fra}) {
    EXPECT_GT(share(dc, i), share(base, i) + 0.015) << i;
    EXPECT_GT(share(dc, i), 3.0 * share(base, i)) << i;
  }
  // India starts late and at 0.3 of the vendor's FLOP/s: half as much again as baseline's
  // share in 2035, and by 2040 a few percent.
  EXPECT_GT(share(dc, ind), 1.3 * share(base, ind));
  EXPECT_GT(share(dc, ind, 2040.0), share(base, ind, 2040.0) + 0.02);
  // India's supply is dated: none received before 2029, some every year after.
  const auto& p = dc.p();
  for (int n = 1; n <= p.sim.steps(); ++n) {
    const double t = p.sim.time(n - 1);
    const double got = dc.r[CountrySeries::domestic_received](ind, n);
    if (t < 2029.0 - 1e-9) {
      EXPECT_EQ(got, 0.0) << t;
    } else if (t < 2035.0) {
      EXPECT_GT(got, 0.0) << t;
    }
  }
}

// ---- gigawatt_race ---------------------------------------------------------------------
// 1 GW by 2030 for every country whose own path is below it. Measured on the data set of
// 2026-12 (Data set 2 merged): of the nine raised, none reaches 1 GW by 2030 (their 2030
// capacity unchanged); power or capital holds back 81-100% of each one's gap at 2030; SGP,
// ESP, SWE, CAN, BRA and IDN reach 1 GW by 2040 (never in baseline); the other countries
// are unchanged (within 0.01%).
TEST(GigawattRace, ResourcesNotIntentionsDecideWhoGetsThere) {
  const Ran base = run_scenario("baseline"), gr = run_scenario("gigawatt_race");
  const auto& p = base.p();
  const int n2030 = base.at(2030.0);
  int raised = 0, newly = 0;
  for (int i = 0; i < p.countries.size(); ++i) {
    const std::string& iso3 = p.countries.iso3[i];
    SCOPED_TRACE(iso3);
    const bool is_raised = gr.r[CountrySeries::target_mw](i, n2030) > base.r[CountrySeries::target_mw](i, n2030) + 1e-9;
    if (!is_raised) {
      // More demand from others never helps a country (within 1%).
      for (double y : {2030.0, 2035.0, 2040.0}) EXPECT_LE(gr.it(i, y), base.it(i, y) * 1.01 + 1e-9) << y;
      continue;
    }
    ++raised;
    EXPECT_GE(gr.r[CountrySeries::target_mw](i, n2030), 1000.0 * (1 - 1e-9));
    EXPECT_GE(gr.it(i, 2035.0), base.it(i, 2035.0) * 0.99);
    newly += std::isnan(base.gw_year(i)) && !std::isnan(gr.gw_year(i));
    // Short of 1 GW at 2030: the country's resources, not the lead time, hold back most of
    // the gap in that step.
    if (gr.it(i, 2030.0) < 1000.0) {
      const double gap = gr.r[CountrySeries::target_mw](i, n2030) - gr.it(i, 2030.0);
      EXPECT_GE(gr.held_by_resources(i, 2030.0, 2030.0), 0.5 * gap);
    }
  }
  EXPECT_GE(raised, 5);
  EXPECT_GE(newly, 3) << "raised countries that reach 1 GW by the horizon, never in baseline";
}

// ---- sovereign_gigawatt ----------------------------------------------------------------
// The seeds' question: with 1 GW by 2035 for everyone, who affords it, what holds back the
// rest, and who stays on the vendor's chips. Measured on the data set of 2026-12 (Data set
// 2 merged): 11 countries at 1 GW by 2035, 9 not (TWN, SGP, FRA, ESP, NLD, SWE, CAN, BRA,
// IDN), each with power, capital or talent holding back 56-97% of its shortfall over
// 2031-2035; domestic_share at 2035 under 0.01 for 17 countries, USA 0.54, CHN 1.0, KOR
// 0.02.
TEST(SovereignGigawatt, TheQuestionHasAnAnswerOnBothSides) {
  const Ran base = run_scenario("baseline"), sg = run_scenario("sovereign_gigawatt");
  const auto& p = sg.p();
  int afford = 0, not_afford = 0, dependent = 0, part_domestic = 0;
  for (int i = 0; i < p.countries.size(); ++i) {
    const std::string& iso3 = p.countries.iso3[i];
    SCOPED_TRACE(iso3);
    // The premise: every country aims for at least 1 GW by 2035, and where its own path
    // was higher it is kept.
    const double target = sg.series(CountrySeries::target_mw, i, 2035.0);
    EXPECT_GE(target, 1000.0 * (1 - 1e-9));
    EXPECT_GE(target, base.series(CountrySeries::target_mw, i, 2035.0) * (1 - 1e-12));
    // A higher target never costs a country capacity (within 1%).
    EXPECT_GE(sg.it(i, 2035.0), base.it(i, 2035.0) * 0.99);
    if (reached(sg.it(i, 2035.0), 1000.0)) {
      ++afford;
    } else {
      ++not_afford;
      // Each one that falls short has a named reason: its own resources or its chip access
      // hold back at least a third of the shortfall over 2031-2035 (the rest is capacity
      // still being built).
      const double resources = sg.held_by_resources(i, 2031.25, 2035.0);
      const double all = resources + sg.held(i, Bottleneck::lead_time, 2031.25, 2035.0);
      EXPECT_GT(all, 0.0);
      EXPECT_GE(resources, all / 3.0) << resources << " of " << all;
    }
    const double share = sg.series(CountrySeries::domestic_share, i, 2035.0);
    dependent += share < 0.01;
    part_domestic += share >= 0.1;
  }
  EXPECT_GE(afford, 3);
  EXPECT_GE(not_afford, 3);
  // Dependence: most countries stay wholly on the vendor's chips, a few do not.
  EXPECT_GE(dependent, 10);
  EXPECT_GE(part_domestic, 1);
}

}  // namespace
}  // namespace sovcap
