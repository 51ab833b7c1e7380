// Sobol indices of a results file (analysis/sovcap/sensitivity_report.hpp): the metric
// asked for, the Saltelli design read back from the file, indices equal to the estimators
// applied to the outputs read directly, censored reach years, shards and the refusals.
// The indices themselves are checked against OpenTURNS in tests/cli/check_sensitivity.py.

#include "sovcap/sensitivity_report.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "run_support.hpp"

namespace sovcap {
namespace {

using testing::lines_of;
using testing::request_error;

// The first prefix.size() characters of `s`, to compare with `prefix`.
std::string head(const std::string& s, const std::string& prefix) { return s.substr(0, prefix.size()); }

// saltelli.toml with 8 base rows: 2 policies (global.allocation) x 8 x (4 + 2) = 96 runs of
// KOR, FRA and SAU, 2026 to 2032 every 0.25 years.
class SensitivityReportTest : public testing::FileTest {
 protected:
  std::string saltelli(const std::string& name = "saltelli.h5", StoreMode store = StoreMode::full) {
    return write("saltelli.toml", name, {"sweep.samples=8"}, store);
  }
};

TEST_F(SensitivityReportTest, Metrics) {
  const std::string file = saltelli();
  const ResultsReader in(file);
  using Kind = SensitivityMetric::Kind;
  const auto gw = sensitivity_metric(in, "year_gw_reached", "");
  EXPECT_EQ(gw.kind, Kind::reach_year);
  EXPECT_EQ(gw.name, "year_gw_reached");
  EXPECT_EQ(gw.units, "year");
  const auto it_final = sensitivity_metric(in, "it_mw_final", "");
  EXPECT_EQ(it_final.kind, Kind::final_value);
  EXPECT_EQ(it_final.name, "it_mw");
  EXPECT_EQ(it_final.label, "it_mw_final");
  EXPECT_EQ(it_final.units, "MW");
  EXPECT_EQ(sensitivity_metric(in, "spend_usd_final", "").units, "USD");
  const auto at = sensitivity_metric(in, "it_mw@2030", "");
  EXPECT_EQ(at.kind, Kind::series);
  EXPECT_EQ(at.name, "it_mw");
  EXPECT_EQ(at.time_index, (std::vector<int>{16}));  // 2026 + 16 x 0.25
  const auto series = sensitivity_metric(in, "", "it_mw");
  EXPECT_EQ(series.label, "it_mw");
  EXPECT_EQ(series.time_index, (std::vector<int>{0, 4, 8, 12, 16, 20, 24}));  // 2026 ... 2032
}

TEST_F(SensitivityReportTest, MetricRefusals) {
  const std::string file = saltelli();
  const ResultsReader in(file);
  EXPECT_EQ(request_error([&] { sensitivity_metric(in, "wat", ""); }),
            "--metric wat: unknown metric; allowed year_gw_reached, year_target_reached, it_mw_final, "
            "compute_flops_final, energy_twh_final, spend_usd_final, SERIES@YEAR (e.g. it_mw@2030)");
  EXPECT_EQ(request_error([&] { sensitivity_metric(in, "it_mw@2031.3", ""); }),
            "--metric it_mw@2031.3: 2031.3 is not a time of " + file + " (2026 to 2032 every 0.25 years)");
  const std::string not_a_year = "--metric it_mw@soon: 'soon' is not a year; allowed year_gw_reached";
  EXPECT_EQ(head(request_error([&] { sensitivity_metric(in, "it_mw@soon", ""); }), not_a_year), not_a_year);
  EXPECT_EQ(request_error([&] { sensitivity_metric(in, "", "bottleneck"); }),
            "bottleneck is a category code, not a quantity: no variance to apportion");
  const std::string unknown = "unknown series 'zz'; allowed: it_mw, ";
  EXPECT_EQ(head(request_error([&] { sensitivity_metric(in, "", "zz"); }), unknown), unknown);

  const std::string summary = saltelli("summary.h5", StoreMode::summary);
  const ResultsReader s(summary);
  EXPECT_EQ(request_error([&] { sensitivity_metric(s, "it_mw@2030", ""); }),
            "it_mw is not stored in " + summary + " (written with --store summary without it in --keep): "
            "rerun the sweep with --keep it_mw or --store full");
  EXPECT_EQ(sensitivity_metric(s, "it_mw_final", "").name, "it_mw");  // stored as it_mw_final
}

// Runs are numbered policy x 48 + base row x 6 + matrix (A, B, AB_1..AB_4).
TEST_F(SensitivityReportTest, DesignsOfEveryPolicy) {
  const ResultsReader in(saltelli());
  long long incomplete = -1;
  const auto designs = saltelli_designs(in, 4, incomplete);
  EXPECT_EQ(incomplete, 0);
  ASSERT_EQ(designs.size(), 2u);
  for (int p = 0; p < 2; ++p) {
    const auto& d = designs[static_cast<std::size_t>(p)];
    EXPECT_EQ(d.policy, p);
    EXPECT_EQ(d.base_rows, 8);
    EXPECT_EQ(d.held, 8);
    EXPECT_EQ(d.usable, (std::vector<long long>{0, 1, 2, 3, 4, 5, 6, 7}));
    EXPECT_EQ(d.first, 48 * p);
    EXPECT_EQ(d.end, 48 * p + 48);
    ASSERT_EQ(d.run.size(), 48u);
    for (long long k = 0; k < 48; ++k) EXPECT_EQ(d.run[static_cast<std::size_t>(k)], 48 * p + k);
  }
}

TEST_F(SensitivityReportTest, IndicesAreTheEstimatorsOnTheFileOutputs) {
  const std::string file = saltelli();
  SensitivityRequest request;
  request.metric = "it_mw_final";
  request.policy = "all";
  request.sobol.bootstrap = 20;
  const SensitivityReport report = sensitivity_report(file, request);
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_EQ(report.keys, (std::vector<std::string>{"global.vendor_supply_growth", "global.accel_price_usd",
                                                   "country.*.grid_add_mw_per_year",
                                                   "country.*.budget_usd_per_year"}));
  EXPECT_DOUBLE_EQ(report.censor_year, 2032.25);
  ASSERT_EQ(report.results.size(), 6u);  // 2 policies x 3 countries

  const ResultsReader in(file);
  Eigen::ArrayXXd finals;
  for (const auto& x : report.results) {
    EXPECT_EQ(x.runs, 48);
    EXPECT_EQ(x.s.rows, 8);
    EXPECT_EQ(x.levers, x.policy == 0 ? "global.allocation = \"pro_rata\"" : "global.allocation = \"max_min_fair\"");
    in.read_final("it_mw", 48 * x.policy, 48, finals);
    std::vector<double> f(48);
    for (int k = 0; k < 48; ++k) f[static_cast<std::size_t>(k)] = finals(x.country, k);
    const SobolIndices expected = sobol_indices(saltelli_table(f, 4), request.sobol);
    ASSERT_EQ(x.s.first.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(x.s.first[i], expected.first[i]);
      EXPECT_EQ(x.s.total[i], expected.total[i]);
      EXPECT_EQ(x.s.first_lo[i], expected.first_lo[i]);
      EXPECT_EQ(x.s.total_hi[i], expected.total_hi[i]);
    }
  }

  const auto csv = lines_of(render(report, SensitivityFormat::csv));
  ASSERT_EQ(csv.size(), 1u + 6 * 4);  // a row per result and parameter
  EXPECT_EQ(csv[0], "policy,levers,country,metric,year,parameter,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,base_rows,runs,"
                    "mean,sd,censored,note");
  const std::string row = "0,\"global.allocation = \"\"pro_rata\"\"\",KOR,it_mw_final,,global.vendor_supply_growth,";
  EXPECT_EQ(head(csv[1], row), row);
  const auto text = lines_of(render(report, SensitivityFormat::text));
  EXPECT_EQ(text.at(0), "Sobol indices of it_mw_final (MW) in " + file + " over 4 uncertain parameters");
  const std::string json = "{\"file\": \"" + file + "\", \"metric\": \"it_mw_final\", \"units\": \"MW\", ";
  EXPECT_EQ(head(render(report, SensitivityFormat::json), json), json);
}

// SAU never reaches 1 GW by 2032 in this design: every run counts as 2032.25.
TEST_F(SensitivityReportTest, NeverReachedIsCensoredAtTheHorizonPlusDt) {
  SensitivityRequest request;
  request.metric = "year_gw_reached";
  request.country = "SAU";
  request.sobol.bootstrap = 0;
  const SensitivityReport report = sensitivity_report(saltelli(), request);
  ASSERT_EQ(report.results.size(), 1u);
  const auto& x = report.results[0];
  EXPECT_EQ(x.policy, 0);
  EXPECT_EQ(report.iso3.at(static_cast<std::size_t>(x.country)), "SAU");
  EXPECT_EQ(x.censored, 48);
  EXPECT_EQ(x.runs, 48);
  EXPECT_EQ(x.s.note, "never reached in any run (every run censored at 2032.25)");
  EXPECT_TRUE(std::isnan(x.s.first.at(0)));
}

// Runs 0 to 49: policy 0 whole, and two runs of policy 1's first base row.
TEST_F(SensitivityReportTest, ShardUsesTheBaseRowsItHoldsWhole) {
  RunRequest run;
  run.scenario_path = testing::test_scenario("saltelli.toml");
  run.overrides = {"sweep.samples=8"};
  run.output = path("block.h5");
  run.runs = "0:50";
  RunJob(run).run(nullptr, {});
  SensitivityRequest request;
  request.metric = "it_mw_final";
  request.policy = "all";
  request.sobol.bootstrap = 0;
  const SensitivityReport report = sensitivity_report(run.output, request);
  EXPECT_EQ(report.warnings,
            (std::vector<std::string>{
                run.output + " is one shard (runs 0 to 49 of 96): indices from the base rows it holds whole "
                             "only; merge the shards (sovcap merge) for the whole sweep",
                "policy 1: 0 of the 1 base rows held have all 6 runs complete; the others are left out"}));
  ASSERT_EQ(report.results.size(), 3u);
  for (const auto& x : report.results) EXPECT_EQ(x.policy, 0);
}

TEST_F(SensitivityReportTest, Refusals) {
  const std::string file = saltelli();
  SensitivityRequest request;
  request.metric = "it_mw_final";
  request.policy = "2";
  EXPECT_EQ(request_error([&] { sensitivity_report(file, request); }),
            "--policy 2: allowed all, or a policy of " + file + " from 0 to 1");
  request.policy = "0x";
  EXPECT_EQ(request_error([&] { sensitivity_report(file, request); }),
            "--policy 0x: allowed all, or a policy of " + file + " from 0 to 1");
  request.policy = "0";
  request.country = "kor";
  EXPECT_EQ(request_error([&] { sensitivity_report(file, request); }),
            "--country kor: not in " + file + "; allowed all, KOR, FRA, SAU");
  request.country = "all";
  EXPECT_EQ(request_error([&] { sensitivity_report(path("none.h5"), request); }), path("none.h5") + ": no such file");
  const std::string lhs = write("small.toml", "lhs.h5", {"sweep.samples=2"});
  const std::string not_saltelli = lhs + " is not a Saltelli design (sweep_method = \"lhs\"): Sobol indices need";
  EXPECT_EQ(head(request_error([&] { sensitivity_report(lhs, request); }), not_saltelli), not_saltelli);
}

}  // namespace
}  // namespace sovcap
