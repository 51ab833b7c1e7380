// Listings of the parameter registry and of a resolved scenario (sim/sovcap/describe.hpp).

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#include "sovcap/describe.hpp"
#include "sovcap/footprint.hpp"
#include "sovcap/params.hpp"
#include "sovcap/run.hpp"
#include "sovcap/scenario.hpp"
#include "sovcap/sweep.hpp"

using namespace sovcap;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream is(text);
  for (std::string line; std::getline(is, line);) out.push_back(line);
  return out;
}

}  // namespace

// Each parameter's line reads NAME UNIT "default" VALUE ALLOWED, the fields apart however
// long the unit or default (supply_shocks' unit is 28 characters).
TEST(ParameterListing, FieldsAreSeparatedOnEveryLine) {
  const auto lines = lines_of(parameter_listing(false));
  // A name may stand in two scopes (tier2_cap): count each line once.
  std::set<std::size_t> rows_seen;
  for (const auto& s : param_specs()) {
    const std::string head = "  " + std::string(s.name) + " ";
    for (std::size_t k = 0; k < lines.size(); ++k) {
      const std::string& line = lines[k];
      if (line.rfind(head, 0) != 0) continue;
      rows_seen.insert(k);
      const auto at = line.find("default ");
      ASSERT_NE(at, std::string::npos) << line;
      EXPECT_EQ(line[at - 1], ' ') << "no gap before 'default': " << line;
      if (!s.unit.empty()) {
        EXPECT_NE(line.find(std::string(s.unit) + " "), std::string::npos) << line;
      }
      // The allowed values stand apart from the default.
      const std::string after = line.substr(at + 8);
      EXPECT_NE(after.find(' '), std::string::npos) << line;
    }
  }
  EXPECT_EQ(static_cast<int>(rows_seen.size()), static_cast<int>(param_specs().size()));
}


// The README's reference of [sweep.uncertain] distributions has a row per distribution the
// loader reads, naming every key it takes (dist = "normal" was once left out).
TEST(DistributionReference, ReadmeListsEveryDistributionAndItsKeys) {
  std::ifstream in(std::string(SOVCAP_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "cannot read README.md";
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("| `", 0) == 0) rows.push_back(line);
  for (int k = 0; k < kNumDistributions; ++k) {
    const auto d = static_cast<Distribution>(k);
    const std::string head = "| `" + std::string(distribution_name(d)) + "` |";
    const auto row = std::find_if(rows.begin(), rows.end(),
                                  [&](const std::string& r) { return r.rfind(head, 0) == 0; });
    ASSERT_NE(row, rows.end()) << "README.md has no row " << head;
    for (const auto key : distribution_keys(d))
      EXPECT_NE(row->find("`" + std::string(key) + "`"), std::string::npos)
          << "README.md's row for " << distribution_name(d) << " lacks `" << key << "`: " << *row;
  }
}

namespace {

const std::string kRobustness = std::string(SOVCAP_SOURCE_DIR) + "/scenarios/robustness.toml";
const std::string kSmall = std::string(SOVCAP_SOURCE_DIR) + "/tests/cli/sweep/small.toml";

// Runs the scenario into a fresh file and returns its size against the estimate.
std::pair<double, double> written_and_estimated(const std::string& scenario,
                                                const std::vector<std::string>& overrides,
                                                StoreMode store,
                                                const std::vector<CountrySeries>& keep) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("sovcap_describe_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  RunRequest request;
  request.scenario_path = scenario;
  request.overrides = overrides;
  request.output = (dir / "out.h5").string();
  request.store = store;
  request.keep = keep;
  request.force = true;
  request.threads = 2;
  RunJob job(request);
  job.run(nullptr, {});
  const double real = static_cast<double>(std::filesystem::file_size(request.output));
  const double est =
      estimate_results_file(job.scenario(), store, keep, job.total(), 1).bytes;
  std::filesystem::remove_all(dir);
  return {real, est};
}

}  // namespace

// The estimate `sovcap validate` prints is within 2x of the file the run writes, in every
// store mode, for 20 and for 3 countries.
TEST(FileEstimate, WithinTwiceTheWrittenFile) {
  const std::vector<CountrySeries> kept = {CountrySeries::it_mw, CountrySeries::bottleneck,
                                           CountrySeries::target_mw};
  struct Case {
    std::string scenario;
    std::vector<std::string> overrides;
    StoreMode store;
    std::vector<CountrySeries> keep;
  };
  const std::vector<Case> cases = {
      {kRobustness, {"sweep.samples=60"}, StoreMode::full, {}},
      {kRobustness, {"sweep.samples=60"}, StoreMode::summary, {}},
      {kRobustness, {"sweep.samples=60"}, StoreMode::summary, kept},
      {kSmall, {}, StoreMode::full, {}},
      {kSmall, {}, StoreMode::summary, {}},
      {kSmall, {}, StoreMode::summary, kept},
  };
  for (const auto& c : cases) {
    const auto [real, est] = written_and_estimated(c.scenario, c.overrides, c.store, c.keep);
    EXPECT_GT(est, real / 2) << c.scenario << " store " << static_cast<int>(c.store) << " keep "
                             << c.keep.size() << ": written " << real << " bytes";
    EXPECT_LT(est, real * 2) << c.scenario << " store " << static_cast<int>(c.store) << " keep "
                             << c.keep.size() << ": written " << real << " bytes";
  }
}

// The sweep of issue 17: sweep.samples=20000 on robustness.toml, full store, wrote 6.1 GB.
TEST(FileEstimate, TheLargeSweepThatWrote6GB) {
  const Scenario sc = load_scenario(kRobustness, {"sweep.samples=20000"});
  const double est = estimate_results_file(sc, StoreMode::full, {}, sc.sweep.runs(), 1).bytes;
  EXPECT_GT(est, 6.1e9 / 2);
  EXPECT_LT(est, 6.1e9 * 2);
  EXPECT_EQ(format_bytes(6.1e9), "6.1 GB");
  EXPECT_EQ(format_bytes(950e3), "950 kB");
}

// validate's sweep section: policies with their levers, uncertain keys with their
// distributions, the runs, and a size and time per store mode.
TEST(DescribeSweep, ListsPoliciesUncertainKeysRunsAndEstimates) {
  const Scenario sc = load_scenario(kRobustness);
  const std::string text = describe_scenario(sc, 4);
  for (const std::string want :
       {"[sweep] lhs, 4 policies x 500 samples = 2000 runs",
        "policy 3: global.allocation = \"max_min_fair\", country.KOR.grid_lead_years = 1.75",
        "uncertain global.other_demand: lognormal (median 500000, sigma 0.3)",
        "uncertain global.chip_lifetime_years: choice (values 4, 5, 6; weights 0.25, 0.5, 0.25)",
        "uncertain global.accel_price_usd: triangular (low 50000, mode 70000, high 90000)",
        "uncertain country.KOR.budget_usd_per_year: from_sources: triangular (low 5e+09, mode "
        "8e+09 = the data's value, high 1.5e+10; ",
        "uncertain country.CHN.grid_lead_years: from_sources: triangular (low 1, mode 1.5 = the "
        "data's value, high 3; ",
        "time on 4 cores", "--store full ", "--store summary ",
        "--store summary --keep it_mw,bottleneck,target_mw "})
    EXPECT_NE(text.find(want), std::string::npos) << "no '" << want << "' in:\n"
                                                   << text.substr(0, 2000);
  EXPECT_LT(text.find("[sweep]"), text.find("[simulation]"));
  EXPECT_NE(describe_scenario(load_scenario(std::string(SOVCAP_SOURCE_DIR) +
                                            "/tests/cli/sweep/small.toml"))
                .find("uncertain country.*.workforce_growth: triangular (low 0.5, mode 1, high "
                      "1.5), times the resolved value"),
            std::string::npos);
  EXPECT_NE(describe_scenario(load_scenario(std::string(SOVCAP_SOURCE_DIR) +
                                            "/scenarios/baseline.toml"))
                .find("one run (no [sweep])"),
            std::string::npos);
}
