// The shipped baseline scenario against a stored reference, with a relative tolerance.
//
// The reference (baseline_reference.csv beside this file) holds yearly values of the main
// series for every country. When a change to the model or the data set is intended,
// regenerate it and commit it with the change:
//
//   SOVCAP_UPDATE_REFERENCE=1 ./build/tests/regression/test_regression
//
// The tolerance absorbs compiler and library differences in the last bits, not model
// changes: a real change moves these numbers by far more.

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "sovcap/model.hpp"
#include "sovcap/results.hpp"
#include "sovcap/scenario.hpp"

namespace sovcap {
namespace {

const std::string kScenario = std::string(SOVCAP_SOURCE_DIR) + "/scenarios/baseline.toml";
const std::string kReference =
    std::string(SOVCAP_SOURCE_DIR) + "/tests/regression/baseline_reference.csv";
constexpr double kRelTol = 1e-9;

const CountrySeries kCompared[] = {CountrySeries::it_mw,     CountrySeries::pipeline_mw,
                                   CountrySeries::ready_mw,  CountrySeries::grid_mw,
                                   CountrySeries::cash_usd,  CountrySeries::compute_flops,
                                   CountrySeries::workforce, CountrySeries::bottleneck};

using Key = std::tuple<std::string, std::string, double>;  // iso3, variable, year

// Yearly values of the compared series, plus the two per-country summaries.
std::map<Key, double> current_values() {
  const Scenario sc = load_scenario(kScenario);
  RunResult r;
  RunRecorder rec(r);
  Model model;
  model.run(sc.params, rec);
  std::map<Key, double> v;
  const auto& p = sc.params;
  const int per_year = static_cast<int>(std::lround(1.0 / p.sim.dt));
  for (int i = 0; i < p.countries.size(); ++i) {
    for (auto s : kCompared)
      for (int n = 0; n <= p.sim.steps(); n += per_year)
        v[{p.countries.iso3[i], std::string(info(s).name), p.sim.time(n)}] = r[s](i, n);
    v[{p.countries.iso3[i], "year_gw_reached", 0.0}] = r.year_gw_reached(i);
    v[{p.countries.iso3[i], "year_target_reached", 0.0}] = r.year_target_reached(i);
  }
  return v;
}

TEST(Regression, BaselineMatchesStoredReference) {
  const auto now = current_values();
  if (const char* update = std::getenv("SOVCAP_UPDATE_REFERENCE"); update && *update == '1') {
    std::ofstream out(kReference);
    out << "# sovcap regression reference for scenarios/baseline.toml; regenerate with\n"
           "# SOVCAP_UPDATE_REFERENCE=1 ./build/tests/regression/test_regression\n"
           "iso3,variable,year,value\n";
    out.precision(17);
    for (const auto& [k, val] : now)
      out << std::get<0>(k) << "," << std::get<1>(k) << "," << std::get<2>(k) << "," << val << "\n";
    GTEST_SKIP() << "reference rewritten: " << kReference;
  }
  std::ifstream in(kReference);
  ASSERT_TRUE(in) << "missing " << kReference << "; see the comment at the top of this test";
  std::map<Key, double> ref;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("iso3,", 0) == 0) continue;
    std::istringstream ls(line);
    std::string iso3, var, year, value;
    std::getline(ls, iso3, ',');
    std::getline(ls, var, ',');
    std::getline(ls, year, ',');
    std::getline(ls, value, ',');
    ref[{iso3, var, std::stod(year)}] = std::stod(value);
  }
  ASSERT_EQ(ref.size(), now.size()) << "the baseline's countries or horizon changed; regenerate";
  int mismatches = 0;
  for (const auto& [k, expected] : ref) {
    auto it = now.find(k);
    ASSERT_NE(it, now.end()) << std::get<0>(k) << " " << std::get<1>(k) << " " << std::get<2>(k);
    const double got = it->second;
    if (std::isnan(expected) && std::isnan(got)) continue;
    const double tol = kRelTol * std::max(std::fabs(expected), 1.0);
    if (!(std::fabs(got - expected) <= tol) && ++mismatches <= 20)
      ADD_FAILURE() << std::get<0>(k) << " " << std::get<1>(k) << " at " << std::get<2>(k)
                    << ": got " << got << ", reference " << expected;
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace sovcap
