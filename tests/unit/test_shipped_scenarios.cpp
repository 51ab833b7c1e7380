// Every shipped scenario loads, validates and runs, through the program's kernel with the
// bits of the test oracle; the baseline is calibrated to the data.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "oracle_model.hpp"
#include "same_bits.hpp"
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

RunResult run(const Scenario& sc) {
  RunResult r;
  RunRecorder rec(r);
  Model model;
  model.run(sc.params, rec);
  return r;
}

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
    // Capacity never outruns the facility power it needs.
    const auto& grid = r[CountrySeries::grid_mw];
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

// export_controls, DEU at 2028.0: its grid is full (grid_mw/pue - committed is a 1e-13 MW
// rounding residue) and its cash spent, so the power and the capital cap on new shells
// are both 0, a tie that goes to power (docs/model.md, section 6), as in the steps around.
TEST(ShippedScenarios, ExportControlsGermanyAt2028IsPowerBound) {
  const auto sc = load_scenario((kScenarios / "export_controls.toml").string());
  const auto r = run(sc);
  const int i = sc.params.countries.find("DEU");
  ASSERT_GE(i, 0);
  int n = 0;
  while (sc.params.sim.time(n) < 2028.0 - 1e-9) ++n;
  ASSERT_DOUBLE_EQ(sc.params.sim.time(n), 2028.0);
  const double pue = sc.params.countries.at(i, CountryParam::pue);
  const double headroom = r[CountrySeries::grid_mw](i, n) / pue -
                          (r[CountrySeries::it_mw](i, n) + r[CountrySeries::pipeline_mw](i, n) +
                           r[CountrySeries::ready_mw](i, n));
  EXPECT_LT(std::abs(headroom), 1e-9);  // the grid is full
  EXPECT_EQ(r[CountrySeries::cash_usd](i, n), 0.0);
  for (int k = n - 1; k <= n + 1; ++k)
    EXPECT_EQ(static_cast<int>(r[CountrySeries::bottleneck](i, k)),
              static_cast<int>(Bottleneck::power))
        << "time " << sc.params.sim.time(k);
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
  // Vendor output over [2026, 2031) from the global inputs alone:
  // integral of S0 (1+g)^(t - t0) dt, taken step by step as the model does (left-point).
  const double s0 = p.global[GlobalParam::vendor_supply];
  const double g = p.global[GlobalParam::vendor_supply_growth];
  double supply = 0.0, installed = 0.0, recorded_supply = 0.0;
  for (int n = 1; n <= p.sim.steps(); ++n) {
    const double t = p.sim.time(n - 1);
    if (t >= 2031.0) break;
    supply += s0 * std::pow(1.0 + g, t - p.sim.start_year) * p.sim.dt;
    recorded_supply += r[RunSeries::vendor_supply](n) * p.sim.dt;
    installed += r[CountrySeries::chip_received].col(n).sum() * p.sim.dt;
  }
  EXPECT_NEAR(recorded_supply, supply, 1e-9 * supply);  // no shocks in the baseline
  EXPECT_LE(installed, supply * (1 + 1e-12));
  // The modelled countries take a material share: the market is actually coupling them.
  EXPECT_GT(installed, 0.2 * supply);
}

}  // namespace
}  // namespace sovcap
