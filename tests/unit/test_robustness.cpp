// Robustness across policies (analysis/sovcap/robustness.hpp): regret, percentiles and
// satisficing on hand-computed tables, and on a sweep where one lever value is the best in
// every future (tests/cli/sweep/dominance.toml).

#include "sovcap/robustness.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "run_support.hpp"
#include "sovcap/metric_values.hpp"

namespace sovcap {
namespace {

using testing::request_error;

// Three policies (rows) over four futures (columns).
Eigen::ArrayXXd three_policies() {
  Eigen::ArrayXXd v(3, 4);
  v << 1, 2, 3, 4,
       2, 2, 5, 1,
       0, 3, 3, 3;
  return v;
}

TEST(RobustnessStats, LargerIsBetter) {
  // Best per future: 2, 3, 5, 4. Regrets: policy 0: 1 1 2 0; policy 1: 0 1 0 3; policy 2:
  // 2 0 2 1. Best in: policy 0 future 3; policy 1 futures 0 and 2; policy 2 future 1.
  const auto s = robustness_stats(three_policies(), false, 3.0);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_DOUBLE_EQ(s[0].mean_regret, 1.0);
  EXPECT_DOUBLE_EQ(s[0].max_regret, 2.0);
  EXPECT_DOUBLE_EQ(s[1].mean_regret, 1.0);
  EXPECT_DOUBLE_EQ(s[1].max_regret, 3.0);
  EXPECT_DOUBLE_EQ(s[2].mean_regret, 1.25);
  EXPECT_DOUBLE_EQ(s[2].max_regret, 2.0);
  EXPECT_DOUBLE_EQ(s[0].p_best, 0.25);
  EXPECT_DOUBLE_EQ(s[1].p_best, 0.5);
  EXPECT_DOUBLE_EQ(s[2].p_best, 0.25);
  // Values >= 3: policy 0 two of four, policy 1 one, policy 2 three.
  EXPECT_DOUBLE_EQ(s[0].p_satisfy, 0.5);
  EXPECT_DOUBLE_EQ(s[1].p_satisfy, 0.25);
  EXPECT_DOUBLE_EQ(s[2].p_satisfy, 0.75);
  // Policy 0 sorted 1 2 3 4: quantiles at positions 0.3, 1.5, 2.7.
  EXPECT_DOUBLE_EQ(s[0].mean, 2.5);
  EXPECT_DOUBLE_EQ(s[0].p10, 1.3);
  EXPECT_DOUBLE_EQ(s[0].p50, 2.5);
  EXPECT_DOUBLE_EQ(s[0].p90, 3.7);
}

TEST(RobustnessStats, SmallerIsBetterWithMinimize) {
  // Best (least) per future: 0, 2, 3, 1. Regrets: policy 0: 1 0 0 3; policy 1: 2 0 2 0;
  // policy 2: 0 1 0 2.
  const auto s = robustness_stats(three_policies(), true, 2.0);
  EXPECT_DOUBLE_EQ(s[0].mean_regret, 1.0);
  EXPECT_DOUBLE_EQ(s[0].max_regret, 3.0);
  EXPECT_DOUBLE_EQ(s[1].mean_regret, 1.0);
  EXPECT_DOUBLE_EQ(s[1].max_regret, 2.0);
  EXPECT_DOUBLE_EQ(s[2].mean_regret, 0.75);
  EXPECT_DOUBLE_EQ(s[2].max_regret, 2.0);
  // Futures with value <= 2: policy 0 two, policy 1 three, policy 2 one.
  EXPECT_DOUBLE_EQ(s[0].p_satisfy, 0.5);
  EXPECT_DOUBLE_EQ(s[1].p_satisfy, 0.75);
  EXPECT_DOUBLE_EQ(s[2].p_satisfy, 0.25);
  // Ties: policies 0 and 1 are both best in future 1.
  EXPECT_DOUBLE_EQ(s[0].p_best, 0.5);
  EXPECT_DOUBLE_EQ(s[1].p_best, 0.5);
  EXPECT_DOUBLE_EQ(s[2].p_best, 0.5);
}

TEST(RobustnessStats, NoThresholdNoShareAndRoundingIsATie) {
  Eigen::ArrayXXd v(2, 2);
  v << 1000.0, 5.0,
       1000.0 * (1.0 + 1e-14), 4.0;
  const auto s = robustness_stats(v, false, std::nullopt);
  EXPECT_TRUE(std::isnan(s[0].p_satisfy));
  EXPECT_DOUBLE_EQ(s[0].mean_regret, 0.0);  // 1e-11 below the best: rounding, a tie
  EXPECT_DOUBLE_EQ(s[1].mean_regret, 0.5);
  EXPECT_DOUBLE_EQ(s[0].p_best, 1.0);
}

class RobustnessFileTest : public testing::FileTest {};

// it_mw_final of Korea per policy and future, read from the file.
std::vector<std::vector<double>> korea_final(const std::string& path, const SharedFutures& fut) {
  const ResultsReader in(path);
  Eigen::ArrayXXd v;
  in.read_final("it_mw", 0, in.runs(), v);
  std::vector<std::vector<double>> out;
  for (const auto& runs : fut.run) {
    out.emplace_back();
    for (long long r : runs) out.back().push_back(v(0, r));
  }
  return out;
}

TEST_F(RobustnessFileTest, TheLargestBudgetIsBestInEveryFuture) {
  const std::string f = write("dominance.toml", "dominance.h5");
  const ResultsReader in(f);
  const SharedFutures fut = shared_futures(in);
  ASSERT_EQ(fut.policies, (std::vector<int>{0, 1, 2}));
  ASSERT_EQ(fut.samples.size(), 20u);
  const auto v = korea_final(f, fut);
  // The premise: capacity grows with the budget in every future.
  for (std::size_t s = 0; s < 20; ++s) {
    ASSERT_LT(v[0][s], v[1][s]) << "future " << s;
    ASSERT_LT(v[1][s], v[2][s]) << "future " << s;
  }
  RobustnessRequest request;
  request.metric = "it_mw_final";
  request.country = "KOR";
  request.threshold = 500.0;
  const RobustnessReport rep = robustness_report(f, request);
  ASSERT_EQ(rep.policies.size(), 3u);
  EXPECT_EQ(rep.futures, 20);
  const RobustnessStats& best = rep.policies[2].stats.front();
  EXPECT_EQ(best.mean_regret, 0.0);
  EXPECT_EQ(best.max_regret, 0.0);
  EXPECT_EQ(best.p_best, 1.0);
  for (std::size_t p = 0; p < 2; ++p) {
    double sum = 0.0, max = 0.0;
    int satisfied = 0;
    for (std::size_t s = 0; s < 20; ++s) {
      sum += v[2][s] - v[p][s];
      max = std::max(max, v[2][s] - v[p][s]);
      satisfied += v[p][s] >= 500.0 ? 1 : 0;
    }
    const RobustnessStats& st = rep.policies[p].stats.front();
    EXPECT_NEAR(st.mean_regret, sum / 20.0, 1e-9 * sum);
    EXPECT_NEAR(st.max_regret, max, 1e-9 * max);
    EXPECT_EQ(st.p_best, 0.0);
    EXPECT_DOUBLE_EQ(st.p_satisfy, satisfied / 20.0);
  }
  EXPECT_EQ(best.p_satisfy, 1.0);  // 769 MW and more
  EXPECT_EQ(rep.policies[0].stats.front().p_satisfy, 0.0);
  // The threshold splits policy 1's futures (404-571 MW), so its count is a real check.
  EXPECT_GT(rep.policies[1].stats.front().p_satisfy, 0.0);
  EXPECT_LT(rep.policies[1].stats.front().p_satisfy, 1.0);
  EXPECT_EQ(rep.policies[2].levers, (std::vector<std::string>{"8000000000.0"}));
}

TEST_F(RobustnessFileTest, EveryCountryAndYearsSmallerIsBetter) {
  const std::string f = write("dominance.toml", "dominance.h5");
  RobustnessRequest request;
  request.metric = "year_gw_reached";
  request.minimize = true;
  const RobustnessReport rep = robustness_report(f, request);
  ASSERT_EQ(rep.iso3, (std::vector<std::string>{"KOR", "FRA"}));
  // France's budget is no lever: every policy ties in every future (and never reaches 1 GW
  // by 2030: every run counts as 2030.25).
  for (const auto& p : rep.policies) EXPECT_EQ(p.stats[1].max_regret, 0.0);
  EXPECT_EQ(rep.censored[1], 60);
  EXPECT_GT(rep.censored[0], 0);
  EXPECT_LT(rep.censored[0], 60);
  EXPECT_DOUBLE_EQ(rep.policies[0].stats[1].mean, 2030.25);
  // Korea: the largest budget never comes later.
  EXPECT_EQ(rep.policies[2].stats[0].max_regret, 0.0);
  EXPECT_GT(rep.policies[0].stats[0].mean_regret, 0.0);
  const std::string text = render(rep, RobustnessFormat::text);
  EXPECT_NE(text.find("counts as 2030.25 (the horizon + dt)"), std::string::npos) << text;
  EXPECT_NE(text.find("mean regret (year) by country and policy"), std::string::npos) << text;
  const std::string json = render(rep, RobustnessFormat::json);
  EXPECT_NE(json.find("\"levers\": {\"country.KOR.budget_usd_per_year\": 8000000000.0}, \"countries\": {\"KOR\": {"),
            std::string::npos)
      << json;
}

TEST_F(RobustnessFileTest, Refusals) {
  const std::string f = write("dominance.toml", "dominance.h5");
  RobustnessRequest request;
  request.metric = "it_mw_fnal";
  EXPECT_NE(request_error([&] { robustness_report(f, request); }).find("--metric it_mw_fnal: unknown metric"),
            std::string::npos);
  request.metric = "it_mw_final";
  request.country = "USA";
  EXPECT_EQ(request_error([&] { robustness_report(f, request); }),
            "--country USA: not in " + f + "; allowed all, KOR, FRA");
  request.country = "all";
  // One policy: a sweep without levers.
  const std::string one = write("sampled_pue.toml", "one.h5", {"sweep.samples=4"});
  EXPECT_NE(request_error([&] { robustness_report(one, request); }).find("holds one policy"), std::string::npos);
  EXPECT_EQ(request_error([&] { robustness_report(path("none.h5"), request); }), path("none.h5") + ": no such file");
}

}  // namespace
}  // namespace sovcap
