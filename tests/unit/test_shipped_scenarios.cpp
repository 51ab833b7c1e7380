// Every shipped scenario loads, validates and runs, through the program's kernel with the
// bits of the test oracle; the baseline is calibrated to the data.

#include <cmath>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "oracle_model.hpp"
#include "same_bits.hpp"
#include "support.hpp"
#include "sovcap/batch_model.hpp"
#include "sovcap/model.hpp"
#include "sovcap/results.hpp"
#include "sovcap/scenario.hpp"
#include "sovcap/sweep_runner.hpp"

namespace sovcap {
namespace {

namespace fs = std::filesystem;
const fs::path kScenarios = fs::path(SOVCAP_SOURCE_DIR) / "scenarios";

std::vector<fs::path> shipped() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kScenarios))
    if (e.path().extension() == ".toml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

RunResult run_params(const RunParams& p) {
  RunResult r;
  RunRecorder rec(r);
  Model model;
  model.run(p, rec);
  return r;
}
RunResult run(const Scenario& sc) { return run_params(sc.params); }

TEST(ShippedScenarios, EveryOneLoadsAndRuns) {
  const auto files = shipped();
  ASSERT_GE(files.size(), 1u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    Scenario sc;
    try {
      sc = load_scenario(f.string());
    } catch (const InputError& e) {
      FAIL() << e.what();
    }
    ASSERT_GT(sc.params.countries.size(), 0);
    const auto r = run(sc);
    const auto& it = r[CountrySeries::it_mw];
    EXPECT_TRUE(it.isFinite().all());
    EXPECT_TRUE((it >= 0.0).all());
    // Capacity never outruns the facility power it needs, from the grid and on site.
    const Eigen::ArrayXXd grid = r[CountrySeries::grid_mw] + r[CountrySeries::onsite_mw];
    for (int i = 0; i < sc.params.countries.size(); ++i)
      EXPECT_TRUE((it.row(i) <= grid.row(i) / sc.params.countries.at(i, CountryParam::pue) * (1 + 1e-9) + 1e-9).all())
          << sc.params.countries.iso3[i];
  }
}

// Every shipped scenario, run alone through Model and, as its sweep's first runs (every
// policy's), in batches of the sweep's width, gives the test oracle's bits in every series.
TEST(ShippedScenarios, EveryOneMatchesTheOracleBitForBit) {
  constexpr int kLanes = kSweepLanes;
  for (const auto& f : shipped()) {
    SCOPED_TRACE(f.string());
    const auto sc = load_scenario(f.string());
    oracle::Model oracle;
    auto against_oracle = [&](const RunParams& p, const RunResult& got, const std::string& where) {
      RunResult want;
      RunRecorder rec(want);
      oracle.run(p, rec);
      testing::expect_same(got, want, where);
    };
    against_oracle(sc.params, run(sc), "alone");

    const auto policies = policy_params(sc);
    const SampleDesign design(sc.sweep.method, sc.sweep.samples,
                              static_cast<int>(sc.sweep.uncertain.size()), sc.params.sim.seed);
    const long long per_policy = sc.sweep.samples_per_policy();
    std::vector<RunParams> params;
    for (std::size_t policy = 0; policy < policies.size(); ++policy)
      for (long long s = 0; s < std::min(per_policy, 2LL * kLanes); ++s) {
        RunInfo info;
        build_run(sc, policies, design, static_cast<long long>(policy) * per_policy + s,
                  params.emplace_back(), info);
      }
    BatchModel<kLanes> batched;
    for (std::size_t first = 0; first < params.size(); first += kLanes) {
      const int n = static_cast<int>(std::min<std::size_t>(kLanes, params.size() - first));
      std::vector<RunResult> out(static_cast<std::size_t>(n));
      std::vector<RunRecorder> rec;
      rec.reserve(out.size());
      std::vector<const RunParams*> p;
      std::vector<Observer*> obs;
      for (int l = 0; l < n; ++l) {
        rec.emplace_back(out[static_cast<std::size_t>(l)]);
        p.push_back(&params[first + static_cast<std::size_t>(l)]);
      }
      for (auto& r : rec) obs.push_back(&r);
      batched.run(p.data(), obs.data(), n);
      for (int l = 0; l < n; ++l)
        against_oracle(*p[static_cast<std::size_t>(l)], out[static_cast<std::size_t>(l)],
                       "sweep run " + std::to_string(first + static_cast<std::size_t>(l)));
    }
  }
}

// The value of `column` in the row of `iso3`, read straight from the CSV file.
double csv_value(const fs::path& csv, const std::string& iso3, const std::string& column) {
  std::ifstream in(csv);
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& s) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (char ch : s) {
      if (ch == '"') quoted = !quoted;
      else if (ch == ',' && !quoted) { cells.push_back(cell); cell.clear(); }
      else cell += ch;
    }
    cells.push_back(cell);
    return cells;
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto cells = split(line);
    if (header.empty()) { header = cells; continue; }
    if (cells[0] != iso3) continue;
    for (std::size_t k = 0; k < header.size(); ++k)
      if (header[k] == column) return std::stod(cells[k]);
  }
  ADD_FAILURE() << "no " << iso3 << "/" << column << " in " << csv;
  return std::nan("");
}

TEST(Calibration, BaselineStartStateMatchesTheData) {
  const auto sc = load_scenario((kScenarios / "baseline.toml").string());
  const auto r = run(sc);
  const auto csv = kScenarios / "data" / "countries.csv";
  for (const std::string iso3 : {"KOR", "FRA", "GBR", "SAU", "ARE", "IND", "JPN"}) {
    SCOPED_TRACE(iso3);
    const int i = sc.params.countries.find(iso3);
    ASSERT_GE(i, 0);
    EXPECT_DOUBLE_EQ(r[CountrySeries::it_mw](i, 0), csv_value(csv, iso3, "it_mw"));
    EXPECT_DOUBLE_EQ(r[CountrySeries::grid_mw](i, 0), csv_value(csv, iso3, "grid_mw"));
    EXPECT_DOUBLE_EQ(r[CountrySeries::pipeline_mw](i, 0), csv_value(csv, iso3, "pipeline_mw"));
    EXPECT_DOUBLE_EQ(r[CountrySeries::workforce](i, 0), csv_value(csv, iso3, "workforce"));
  }
}

TEST(Calibration, VendorChipsInstalled2026To2030StayWithinSupply) {
  const auto sc = load_scenario((kScenarios / "baseline.toml").string());
  const auto& p = sc.params;
  const auto r = run(sc);
  // Vendor output over [2026, 2031) from the global inputs alone, taken step by step as the
  // model does (left-point): S(t_0) = S0, S(t_{n+1}) = S(t_n) (1 + g(t_n))^dt, with g the
  // growth's schedule where it has one (docs/model.md section 7a).
  const double g = p.global[GlobalParam::vendor_supply_growth];
  const Schedule* g_schedule = p.global.schedule(GlobalParam::vendor_supply_growth);
  double level = p.global[GlobalParam::vendor_supply];
  double supply = 0.0, installed = 0.0, recorded_supply = 0.0;
  for (int n = 1; n <= p.sim.steps(); ++n) {
    const double t = p.sim.time(n - 1);
    if (t >= 2031.0) break;
    supply += level * p.sim.dt;
    level *= std::pow(1.0 + (g_schedule ? schedule_at(*g_schedule, t, false) : g), p.sim.dt);
    recorded_supply += r[RunSeries::vendor_supply](n) * p.sim.dt;
    installed += r[CountrySeries::chip_received].col(n).sum() * p.sim.dt;
  }
  EXPECT_NEAR(recorded_supply, supply, 1e-9 * supply);  // no shocks in the baseline
  EXPECT_LE(installed, supply * (1 + 1e-12));
  // The modelled countries take a material share: the market is actually coupling them.
  EXPECT_GT(installed, 0.2 * supply);
}

// The data set agrees with the world total it was built from (docs/data-sources.md, 1 and 6;
// DATA_AUDIT.md asked that other_demand and the rest of the world's stock be made to agree).
// Epoch AI (January 2026): >15M H100-equivalents and >10 GW of chip power, ~16 GW of IT all-in.
// The rest of the world (countries not modelled) is taken to hold the same share f of the
// installed base at 2026.0 as it takes of the world's chip flow then:
//   f = other_demand / (vendor_supply + sum of domestic_accel_per_year),
//   world = sum(it_mw) / (1 - f).
// Shipped data (2026-12): f = 0.5M / (5.5M + 1.4M + 0.8M + 2k) = 0.0649; sum(it_mw) = 14,660 MW;
// world = 14,660 / 0.9351 = 15,677 MW, 2% under 16 GW. The margin, +-25% (12-20 GW), is the
// uncertainty of turning Epoch's chip power into all-in IT power (x1.2-2.0 per chip).
TEST(Calibration, WorldInstalledBaseMatchesEpoch) {
  const auto sc = load_scenario((kScenarios / "baseline.toml").string());
  const auto& p = sc.params;
  double it = 0.0, domestic = 0.0;
  for (int i = 0; i < p.countries.size(); ++i) {
    it += p.countries.at(i, CountryParam::it_mw);
    domestic += p.countries.at(i, CountryParam::domestic_accel_per_year);
  }
  EXPECT_EQ(p.countries.size(), 20);
  const double f = p.global[GlobalParam::other_demand] /
                   (p.global[GlobalParam::vendor_supply] + domestic);
  ASSERT_GT(f, 0.0);
  ASSERT_LT(f, 1.0);
  const double world = it / (1.0 - f);
  constexpr double kEpochWorldItMw = 16000.0;
  EXPECT_NEAR(world, kEpochWorldItMw, 0.25 * kEpochWorldItMw)
      << "20 countries " << it << " MW, rest-of-world share " << f;
  // The rest of the world is a minority: neither empty nor a second USA.
  EXPECT_GT(f * world, 0.02 * world);
  EXPECT_LT(f * world, 0.25 * world);
  // Its stock and its yearly purchases agree in scale: installs at 2026.0 (MW/yr) are within
  // a factor 3 of its stock (the world's stock roughly doubles a year at the start).
  const double row_mw = f * world;
  const double row_install_mw_per_yr =
      p.global[GlobalParam::other_demand] * p.global[GlobalParam::accel_kw] / 1000.0;
  EXPECT_GT(row_install_mw_per_yr, row_mw / 3.0);
  EXPECT_LT(row_install_mw_per_yr, row_mw * 3.0);
}

// Every value of countries.csv has a row in countries_sources.csv with a basis, and a source
// wherever the basis is not "assumption" (the loader refuses a data set without that, see
// check_provenance_complete; this reads the files directly so that the rule is pinned here too).
TEST(Calibration, EveryCountryValueHasItsProvenance) {
  auto rows = [](const fs::path& csv) {
    std::ifstream in(csv);
    std::string line;
    std::vector<std::vector<std::string>> out;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> cells;
      std::string cell;
      bool quoted = false;
      for (std::size_t k = 0; k < line.size(); ++k) {
        const char ch = line[k];
        if (ch == '"') {
          if (quoted && k + 1 < line.size() && line[k + 1] == '"') { cell += '"'; ++k; }
          else quoted = !quoted;
        } else if (ch == ',' && !quoted) { cells.push_back(cell); cell.clear(); }
        else cell += ch;
      }
      cells.push_back(cell);
      out.push_back(cells);
    }
    return out;
  };
  const auto values = rows(kScenarios / "data" / "countries.csv");
  const auto sources = rows(kScenarios / "data" / "countries_sources.csv");
  ASSERT_GT(values.size(), 1u);
  ASSERT_GT(sources.size(), 1u);
  ASSERT_EQ(sources[0].size(), 7u);  // iso3,parameter,basis,low,high,source,note
  std::map<std::string, std::vector<std::string>> by_key;
  for (std::size_t r = 1; r < sources.size(); ++r) by_key[sources[r][0] + "." + sources[r][1]] = sources[r];
  const auto& header = values[0];
  // The values without an uncertainty range (docs/data-sources.md, section 5): targets, a
  // list of milestones as announced, not one number; and a country's domestic-chip block
  // where it makes no accelerators of its own (domestic_accel_per_year 0, which says
  // there is no such programme, and the ratios and growth of a supply of 0 change nothing).
  auto domestic_cell = [&](const std::vector<std::string>& row) {
    for (std::size_t k = 2; k < header.size(); ++k)
      if (header[k] == "domestic_accel_per_year") return k < row.size() ? row[k] : std::string();
    return std::string();
  };
  // No domestic supply at the start: 0, or a schedule whose first point is 0 (a programme
  // that starts later; a range bounds the value at the start, docs/data-sources.md 5).
  auto domestic_zero = [&](const std::vector<std::string>& row) {
    const std::string cell = domestic_cell(row);
    return cell == "0" || (cell.find(':') != std::string::npos &&
                           cell.substr(cell.find(':') + 1, cell.find(';') - cell.find(':') - 1) == "0");
  };
  // A scheduled level replaces the trend (docs/model.md, 7a): domestic_growth is not used.
  auto domestic_scheduled = [&](const std::vector<std::string>& row) {
    return domestic_cell(row).find(':') != std::string::npos;
  };
  int checked = 0, without_range = 0;
  for (std::size_t r = 1; r < values.size(); ++r)
    for (std::size_t k = 2; k < header.size(); ++k) {  // iso3 and name have no provenance
      if (k >= values[r].size() || values[r][k].empty()) continue;
      const std::string key = values[r][0] + "." + header[k];
      SCOPED_TRACE(key);
      const auto it = by_key.find(key);
      ASSERT_NE(it, by_key.end()) << "no countries_sources.csv row";
      const std::string& basis = it->second[2];
      EXPECT_TRUE(basis == "reported" || basis == "derived" || basis == "assumption") << basis;
      if (basis != "assumption") {
        EXPECT_FALSE(it->second[5].empty()) << "basis " << basis << " without a source";
      }
      EXPECT_FALSE(it->second[6].empty()) << "no note";
      const bool low = !it->second[3].empty(), high = !it->second[4].empty();
      EXPECT_EQ(low, high) << "a range needs both ends";
      const bool list = header[k] == "targets" || header[k] == "grid_queue";
      // The domestic block of a country with no programme (0); the level and growth of one
      // that starts later (a schedule from 0: a range bounds the start), whose ratios do
      // matter and have ranges; an unused growth (the level is scheduled).
      const bool ratio = header[k] == "domestic_perf_ratio" || header[k] == "domestic_price_ratio";
      const bool may_lack = list ||
                            (header[k].rfind("domestic_", 0) == 0 && domestic_cell(values[r]) == "0") ||
                            (!ratio && header[k].rfind("domestic_", 0) == 0 && domestic_zero(values[r])) ||
                            (header[k] == "domestic_growth" && domestic_scheduled(values[r]));
      if (list) {
        EXPECT_FALSE(low || high) << "a list (targets, grid_queue) has no range";
      } else if (!may_lack) {
        EXPECT_TRUE(low && high) << "no low/high range in countries_sources.csv";
      }
      without_range += !(low && high);
      ++checked;
    }
  // 20 countries x 21 parameter columns (targets included), plus the cells of the columns that
  // only some countries fill (Data set 2): grid_queue and the three onsite_* for USA, GBR and
  // DEU (12), grid_queue for NLD (1), tier2_cap for SAU and ARE (2).
  EXPECT_EQ(checked, 20 * 21 + 15);
  // Ranges stand everywhere else: at most the 20 targets, the 4 grid queues, 4 domestic
  // values for each of the 14 countries without a programme, the level and growth of the 3
  // whose programme starts later (JPN, IND, FRA), and the unused domestic_growth of the 2
  // (KOR, CHN) whose domestic supply is a schedule.
  EXPECT_LE(without_range, 20 + 4 + 4 * 14 + 2 * 3 + 2);

  // global.csv: every value has its source or reasoning and its range.
  const auto globals = rows(kScenarios / "data" / "global.csv");
  ASSERT_GT(globals.size(), 1u);
  ASSERT_EQ(globals[0].size(), 7u);  // parameter,value,basis,low,high,source,note
  for (std::size_t r = 1; r < globals.size(); ++r) {
    const auto& g = globals[r];
    SCOPED_TRACE("global." + g[0]);
    ASSERT_EQ(g.size(), 7u);
    EXPECT_TRUE(g[2] == "reported" || g[2] == "derived" || g[2] == "assumption") << g[2];
    if (g[2] != "assumption") {
      EXPECT_FALSE(g[5].empty()) << "basis " << g[2] << " without a source";
    }
    EXPECT_FALSE(g[6].empty()) << "no note";
    EXPECT_FALSE(g[3].empty() || g[4].empty()) << "no low/high range in global.csv";
  }
}

// The spending rule is well conditioned (docs/model.md, 6.6 and 11): a relative change of
// a country's budget moves its capacity at the horizon by at most ten times as much. Under
// the greedy rule before it (shells with all the cash, their chips later from what was
// left), chips and shells took turns and the two cases below amplified the change about
// 1,000 and 1,800 times (measured on main before the change: 1022 and 1782).

// |d it_mw(H) / it_mw(H)| / |d budget / budget| for country i, budget times 1 + 1e-6.
double budget_gain(RunParams p, int i) {
  const auto base = run_params(p);
  p.countries.at(i, CountryParam::budget_usd_per_year) *= 1.0 + 1e-6;
  const auto bumped = run_params(p);
  const int h = p.sim.steps();
  const double it0 = base[CountrySeries::it_mw](i, h), it1 = bumped[CountrySeries::it_mw](i, h);
  return std::abs(it1 - it0) / it0 / 1e-6;
}

TEST(SpendingRule, BrazilWithAQuarterBuildLeadIsWellConditioned) {
  const auto sc = load_scenario((kScenarios / "baseline.toml").string(),
                                {"country.BRA.build_lead_years=0.25", "country.BRA.budget_growth=0"});
  const int i = sc.params.countries.find("BRA");
  ASSERT_GE(i, 0);
  // Capital binds: the case is about the spending rule, not a power- or talent-bound country.
  const auto r = run(sc);
  int capital_steps = 0;
  for (int n = 1; n <= sc.params.sim.steps(); ++n)
    capital_steps += r[CountrySeries::bottleneck](i, n) == static_cast<double>(Bottleneck::capital);
  EXPECT_GE(capital_steps, 8);
  EXPECT_LE(budget_gain(sc.params, i), 10.0);
}

// One country with ample grid and staff (testing::unconstrained), a one-step build lead,
// chips at 2e4 USD and 2 kW with no trend (1e7 USD of chips per MW), shells at 1e6 USD/MW.
RunParams capital_case(double end_year, double it_mw, double budget, Target target) {
  RunParams p = testing::unconstrained(1, 2026.0, end_year);
  p.global[GlobalParam::accel_price_usd] = 2e4;
  p.global[GlobalParam::accel_price_growth] = 0.0;
  p.global[GlobalParam::accel_kw] = 2.0;
  p.global[GlobalParam::accel_kw_growth] = 0.0;
  auto& c = p.countries;
  c.at(0, CountryParam::it_mw) = it_mw;
  c.at(0, CountryParam::build_lead_years) = 0.25;
  c.at(0, CountryParam::capex_shell_usd_per_mw) = 1e6;
  c.at(0, CountryParam::budget_usd_per_year) = budget;
  c.targets[0] = {target};
  return p;
}

// 100 MW at the start, 1e10 USD/yr and a 20 GW target by 2030: capital binds from the
// first step to the horizon.
TEST(SpendingRule, OneCapitalBoundCountryIsWellConditioned) {
  const RunParams p = capital_case(2040.0, 100.0, 1e10, {2030.0, 20000.0});
  const auto r = run_params(p);
  for (int n = 1; n <= p.sim.steps(); ++n)
    ASSERT_EQ(r[CountrySeries::bottleneck](0, n), static_cast<double>(Bottleneck::capital))
        << "time " << p.sim.time(n);
  EXPECT_LE(budget_gain(p, 0), 10.0);
}

// Hand-worked: what the rule starts in one step. 1e8 USD/yr over a 0.25-year step gives
// 2.5e7 USD; chips cost 2e4 USD at 2 kW, 1e4 USD per kW, so 1e7 USD per MW of chips; shells
// 1e6 USD/MW. No shells under construction or waiting at the start (pipeline_mw = 0, no
// it_mw to refresh), so nothing is set aside and the cap is 2.5e7 / (1e6 + 1e7) = 2.2727...
// MW, started in the first step; the greedy rule started 2.5e7 / 1e6 = 25 MW of shells that
// cash could then fit with 2.5 MW of chips. In the second step the 2.2727 MW arrive (one-step
// build lead) and are fitted from the reserve: 2.2727 MW x 1e7 = 2.2727e7 USD of chips.
TEST(SpendingRule, StartsOnlyShellsItCanAlsoFit) {
  const RunParams p = capital_case(2027.0, 0.0, 1e8, {2027.0, 1000.0});
  const auto r = run_params(p);
  const double first = 2.5e7 / 1.1e7;
  EXPECT_NEAR(r[CountrySeries::pipeline_mw](0, 1), first, 1e-9 * first);
  EXPECT_NEAR(r[CountrySeries::capex_usd](0, 1), first * 1e6, 1e-6);
  // Step 2: the shells arrive and are fitted, every one of them.
  EXPECT_NEAR(r[CountrySeries::it_mw](0, 2), first, 1e-9 * first);
  EXPECT_NEAR(r[CountrySeries::ready_mw](0, 2), 0.0, 1e-9);
}

// The new user's case (issue 17, item 6): halving vendor output through 2028 raised India's
// 2030 capacity from 1,379 to 1,897 MW and brought Canada to its target a year sooner under
// the greedy spending rule: chips not delivered left cash that went into shells. Under the
// spending rule the cash is set aside for those chips, and the shock delays every country
// (docs/model.md, 11: what is left is M7, chips bought later at more kW each, a few MW).
TEST(SpendingRule, ASupplyShockNoLongerRaisesCapacity) {
  const auto base = load_scenario((kScenarios / "baseline.toml").string());
  const auto shock = load_scenario((kScenarios / "baseline.toml").string(),
                                   {"global.supply_shocks=[{start=2028.0, end=2029.0, factor=0.5}]"});
  const auto a = run(base), b = run(shock);
  const auto& p = base.params;
  int n2030 = 0;
  while (p.sim.time(n2030) < 2030.0 - 1e-9) ++n2030;
  const auto& it_a = a[CountrySeries::it_mw];
  const auto& it_b = b[CountrySeries::it_mw];
  const int ind = p.countries.find("IND"), can = p.countries.find("CAN");
  ASSERT_GE(ind, 0);
  ASSERT_GE(can, 0);
  // 1083.58 MW with and without the shock now, from 1,379 -> 1,897 (+38%) before.
  EXPECT_LE(it_b(ind, n2030), it_a(ind, n2030) * (1.0 + 1e-4));
  ASSERT_FALSE(std::isnan(a.year_target_reached[can]));
  EXPECT_FALSE(b.year_target_reached[can] < a.year_target_reached[can]);  // NaN: never, later
  // At no time does any country gain more than 1% from the shock.
  for (int i = 0; i < p.countries.size(); ++i)
    for (int n = 0; n <= p.sim.steps(); ++n)
      EXPECT_LE(it_b(i, n), it_a(i, n) * 1.01 + 1e-9) << p.countries.iso3[i] << " " << p.sim.time(n);
}

}  // namespace
}  // namespace sovcap
