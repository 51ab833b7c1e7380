// Scenario diffs (analysis/sovcap/diff.hpp): a file against itself, against a shocked
// scenario (deltas equal the difference of the stored values), and paired differences of
// two sweeps over the same futures, against a direct computation.

#include "sovcap/diff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "run_support.hpp"
#include "sovcap/reader.hpp"
#include "sovcap/summary_io.hpp"

namespace sovcap {
namespace {

using testing::request_error;

const std::string kBaseline = "../../../scenarios/baseline.toml";  // relative to tests/cli/sweep
const std::string kShock = "global.supply_shocks=[{start = 2027.0, end = 2030.0, factor = 0.3}]";

class DiffFileTest : public testing::FileTest {};

const DiffMetric& metric(const CountryDiff& c, const std::string& name) {
  const auto it = std::find_if(c.metrics.begin(), c.metrics.end(), [&](const auto& m) { return m.name == name; });
  if (it == c.metrics.end()) throw std::runtime_error("no metric " + name);
  return *it;
}

// Quantile q of `v` by linear interpolation between order statistics, written out here.
double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double h = q * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(h);
  return i + 1 < v.size() ? v[i] + (h - static_cast<double>(i)) * (v[i + 1] - v[i]) : v[i];
}

TEST_F(DiffFileTest, AFileAgainstItselfIsZeroEverywhere) {
  const std::string f = write("dominance.toml", "dominance.h5");
  DiffRequest pooled;
  pooled.pool = true;
  const DiffReport rep = diff_report(f, f, pooled);
  ASSERT_TRUE(rep.paired) << rep.unpaired_reason;
  EXPECT_FALSE(rep.apart);
  SummaryRequest request;
  request.pool = true;
  request.format = SummaryFormat::csv;
  const std::string csv = summarize_file(f, request).text;
  std::vector<std::string> columns;
  std::stringstream header(csv.substr(0, csv.find('\n')));
  for (std::string col; std::getline(header, col, ',');) columns.push_back(col);
  ASSERT_EQ(std::vector<std::string>(columns.begin(), columns.begin() + 4),
            (std::vector<std::string>{"iso3", "name", "runs", "reach_mw"}));
  columns.erase(columns.begin(), columns.begin() + 4);
  // Korea never reaches its target: "never" in both is no change.
  EXPECT_EQ(metric(rep.countries[0], "year_target_p50").a, "never");
  EXPECT_EQ(rep.paired_runs, 60);
  ASSERT_EQ(rep.countries.size(), 2u);
  for (const auto& c : rep.countries) {
    // The metrics are the columns of `sovcap summarize --pool --format csv` after iso3,
    // name, runs and reach_mw.
    std::vector<std::string> names;
    for (const auto& m : c.metrics) names.push_back(m.name);
    EXPECT_EQ(names, columns);
    for (const auto& m : c.metrics) {
      EXPECT_FALSE(m.changed) << c.iso3 << " " << m.name;
      if (m.numeric) {
        EXPECT_EQ(m.delta, 0.0) << c.iso3 << " " << m.name;  // never in both included
      }
    }
    ASSERT_EQ(c.paired.size(), 6u);
    for (const auto& p : c.paired) {
      EXPECT_EQ(p.mean, 0.0) << p.name;
      EXPECT_EQ(p.p10, 0.0) << p.name;
      EXPECT_EQ(p.p50, 0.0) << p.name;
      EXPECT_EQ(p.p90, 0.0) << p.name;
      EXPECT_EQ(p.mean_a, p.mean_b) << p.name;
    }
  }
  const std::string md = render(rep, DiffFormat::markdown);
  EXPECT_EQ(md,
            "- Year 1 GW is reached: no change for any country.\n"
            "- Year the final target is reached: no change for any country.\n"
            "- Dominant bottleneck per period: no change for any country.\n"
            "- Effective compute in 2030, EFLOP/s, where it moved by more than 1%: no country.\n");
}

TEST_F(DiffFileTest, ShockedScenarioDeltasAreTheStoredDifferences) {
  const std::string a = write(kBaseline, "baseline.h5");
  const std::string b = write(kBaseline, "shocked.h5", {kShock});
  const DiffReport rep = diff_report(a, b, {});
  EXPECT_FALSE(rep.paired);
  EXPECT_NE(rep.unpaired_reason.find("has no uncertain parameters"), std::string::npos) << rep.unpaired_reason;
  const ResultsReader ra(a), rb(b);
  ASSERT_EQ(rep.countries.size(), ra.iso3().size());
  Eigen::ArrayXXd gw_a, gw_b;
  ra.read_per_country("year_gw_reached", 0, 1, gw_a);
  rb.read_per_country("year_gw_reached", 0, 1, gw_b);
  std::vector<Eigen::ArrayXXd> it_a, it_b, e_a, e_b;
  ra.read_country_series("it_mw", 0, 1, it_a);
  rb.read_country_series("it_mw", 0, 1, it_b);
  ra.read_country_series("energy_twh", 0, 1, e_a);
  rb.read_country_series("energy_twh", 0, 1, e_b);
  const auto& time = ra.time();
  const auto t2030 = static_cast<Eigen::Index>(std::find(time.begin(), time.end(), 2030.0) - time.begin());
  const Eigen::Index last = static_cast<Eigen::Index>(time.size()) - 1;
  int gw_changed = 0;
  const std::string md = render(rep, DiffFormat::markdown);
  const std::string gw_line = md.substr(0, md.find('\n'));
  for (std::size_t c = 0; c < rep.countries.size(); ++c) {
    const auto k = static_cast<Eigen::Index>(c);
    const CountryDiff& cd = rep.countries[c];
    ASSERT_EQ(cd.iso3, ra.iso3()[c]);
    const DiffMetric& gw = metric(cd, "year_reach_p50");
    const double x = gw_a(k, 0), y = gw_b(k, 0);
    if (std::isnan(x) || std::isnan(y)) {
      EXPECT_EQ(gw.changed, std::isnan(x) != std::isnan(y)) << cd.iso3;
    } else {
      EXPECT_DOUBLE_EQ(gw.delta, y - x) << cd.iso3;
    }
    if (!(x == y || (std::isnan(x) && std::isnan(y)))) {
      ++gw_changed;
      EXPECT_NE(gw_line.find(cd.iso3 + " "), std::string::npos) << cd.iso3 << " missing in: " << gw_line;
    } else {
      EXPECT_EQ(gw_line.find(cd.iso3 + " "), std::string::npos) << cd.iso3 << " listed in: " << gw_line;
    }
    // Summaries hold 10 significant digits.
    const double dit = it_b[0](k, t2030) - it_a[0](k, t2030);
    EXPECT_NEAR(metric(cd, "it_mw_2030.00").delta, dit, 1e-9 * std::max(1.0, std::abs(it_a[0](k, t2030)))) << cd.iso3;
    const double de = e_b[0](k, last) - e_a[0](k, last);
    EXPECT_NEAR(metric(cd, "energy_twh_2040.00").delta, de, 1e-9 * std::max(1.0, e_a[0](k, last))) << cd.iso3;
  }
  EXPECT_GT(gw_changed, 0);  // the shock moves some 1 GW year: the comparison is a real check
}

TEST_F(DiffFileTest, PoliciesApartWhereBothFilesHaveThem) {
  const std::string a = write("dominance.toml", "a.h5");
  const std::string b = write("dominance.toml", "b.h5", {"country.FRA.budget_usd_per_year=6e9"});
  const std::string one = write("sampled_pue.toml", "one.h5", {"sweep.samples=4"});
  const DiffReport rep = diff_report(a, b, {});
  ASSERT_TRUE(rep.apart);
  ASSERT_EQ(rep.countries.size(), 6u);  // 3 policies x 2 countries
  for (std::size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(rep.countries[k].policy, static_cast<int>(k / 2));
    EXPECT_EQ(rep.countries[k].iso3, k % 2 == 0 ? "KOR" : "FRA");
    ASSERT_EQ(rep.countries[k].levers.size(), 1u);
    EXPECT_EQ(rep.countries[k].levers[0].first, "country.KOR.budget_usd_per_year");
  }
  EXPECT_EQ(rep.runs_a, 60);
  const std::string md = render(rep, DiffFormat::markdown);
  EXPECT_NE(md.find("FRA (policy 0) "), std::string::npos) << md;
  // Other policies (one against three): every run pooled, and said.
  const DiffReport mixed = diff_report(a, one, {});
  EXPECT_FALSE(mixed.apart);
  ASSERT_EQ(mixed.countries.size(), 2u);  // KOR and FRA, in both
  EXPECT_EQ(mixed.countries[0].policy, -1);
  bool said = false;
  for (const auto& w : mixed.warnings) said = said || w.find("the files' policies differ (" + a + " has 3 policies") == 0;
  EXPECT_TRUE(said);
}

TEST_F(DiffFileTest, PairedDifferencesRunByRun) {
  const std::string a = write("dominance.toml", "a.h5");
  const std::string b = write("dominance.toml", "b.h5", {"country.FRA.budget_usd_per_year=6e9"});
  DiffRequest request;
  request.require_paired = true;
  const DiffReport rep = diff_report(a, b, request);
  ASSERT_TRUE(rep.paired);
  const ResultsReader ra(a), rb(b);
  Eigen::ArrayXXd va, vb;
  ra.read_final("it_mw", 0, ra.runs(), va);
  rb.read_final("it_mw", 0, rb.runs(), vb);
  const auto policy = ra.read_per_run("policy");
  ASSERT_EQ(rep.countries.size(), 6u);  // per policy, then country
  for (const CountryDiff& cd : rep.countries) {
    const Eigen::Index c = cd.iso3 == "KOR" ? 0 : 1;
    std::vector<double> d;
    for (Eigen::Index r = 0; r < va.cols(); ++r)
      if (policy[static_cast<std::size_t>(r)] == cd.policy) d.push_back(vb(c, r) - va(c, r));
    ASSERT_EQ(d.size(), 20u);
    const auto it = std::find_if(cd.paired.begin(), cd.paired.end(), [](const auto& p) { return p.name == "it_mw_final"; });
    ASSERT_NE(it, cd.paired.end());
    EXPECT_EQ(it->units, "MW");
    EXPECT_EQ(it->runs, 20);
    for (double q : {0.1, 0.5, 0.9}) {
      const double want = quantile(d, q);
      const double got = q == 0.1 ? it->p10 : q == 0.5 ? it->p50 : it->p90;
      EXPECT_NEAR(got, want, 1e-9 * std::max(1.0, std::abs(want))) << cd.iso3 << " policy " << cd.policy << " q " << q;
    }
    if (c == 0) {
      EXPECT_EQ(it->p90, 0.0);  // Korea's budget is unchanged and chips are plentiful
    } else {
      EXPECT_GT(it->p10, 0.0);  // France's doubled budget helps in every future
    }
  }
}

TEST_F(DiffFileTest, DifferentDesignsAreNotPaired) {
  const std::string a = write("dominance.toml", "a.h5");
  const std::string seed = write("dominance.toml", "seed.h5", {"simulation.seed=8"});
  const std::string fewer = write("dominance.toml", "fewer.h5", {"sweep.samples=10"});
  const DiffReport rep = diff_report(a, seed, {});
  EXPECT_FALSE(rep.paired);
  EXPECT_TRUE(rep.countries.front().paired.empty());
  EXPECT_FALSE(rep.countries.front().metrics.empty());  // the unpaired table is still there
  EXPECT_NE(rep.unpaired_reason.find("run 0 drew sampled.global.accel_price_usd = "), std::string::npos)
      << rep.unpaired_reason;
  EXPECT_NE(rep.unpaired_reason.find("not the same futures"), std::string::npos) << rep.unpaired_reason;
  DiffRequest request;
  request.require_paired = true;
  EXPECT_EQ(request_error([&] { diff_report(a, seed, request); }).rfind("--paired: run 0 drew sampled.", 0), 0u);
  EXPECT_EQ(request_error([&] { diff_report(a, fewer, request); }),
            "--paired: " + a + " holds 60 runs from run 0, " + fewer + " 30 from run 0");
}

TEST_F(DiffFileTest, CountriesAndBadFiles) {
  const std::string a = write("dominance.toml", "a.h5");
  DiffRequest request;
  request.countries = "fra";
  const DiffReport rep = diff_report(a, a, request);
  ASSERT_EQ(rep.countries.size(), 3u);  // France in each of the 3 policies
  for (const auto& c : rep.countries) EXPECT_EQ(c.iso3, "FRA");
  request.countries = "KOR,USA";
  EXPECT_EQ(request_error([&] { diff_report(a, a, request); }),
            a + ": --countries: unknown country 'USA'; the file has KOR, FRA");
  EXPECT_EQ(request_error([&] { diff_report(a, path("missing.h5"), {}); }), path("missing.h5") + ": no such file");
  const std::string readme = std::string(SOVCAP_SOURCE_DIR) + "/README.md";
  EXPECT_NE(request_error([&] { diff_report(readme, a, {}); }).find("README.md: not a sovcap results file"),
            std::string::npos);
}

}  // namespace
}  // namespace sovcap
