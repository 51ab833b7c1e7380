// Summaries over runs: quantiles that are observed values, reach years at any level from
// the stored steps, values labelled with the time they are of, what a file without the
// trajectories can and cannot give, dominant bottlenecks, period labels, the formats.

#include <cmath>
#include <limits>
#include <tuple>

#include <gtest/gtest.h>

#include "sovcap/outputs.hpp"
#include "sovcap/summary.hpp"

namespace sovcap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// One country, time 2026.0..2035.0 yearly; every series set per run.
struct Fixture {
  std::vector<double> time = {2026, 2027, 2028, 2029, 2030, 2031, 2032, 2033, 2034, 2035};
  Eigen::ArrayXXd it_mw = Eigen::ArrayXXd::Zero(1, 10), energy = Eigen::ArrayXXd::Zero(1, 10),
                  zero = Eigen::ArrayXXd::Zero(1, 10), code = Eigen::ArrayXXd::Zero(1, 10);
  Eigen::ArrayXd gw = Eigen::ArrayXd::Constant(1, kNaN), target = Eigen::ArrayXd::Constant(1, kNaN);
  Eigen::ArrayXd start = Eigen::ArrayXd::Constant(1, 110.0), final = Eigen::ArrayXd::Constant(1, 900.0);
  Eigen::ArrayXXd steps = Eigen::ArrayXXd::Zero(1, kNumBottlenecks);
  RunSlice slice() {
    RunSlice s;
    s.it_mw = &it_mw;
    s.compute_flops = &zero;
    s.energy_twh = &energy;
    s.capex_usd = &zero;
    s.opex_usd = &zero;
    s.bottleneck = &code;
    s.year_gw_reached = &gw;
    s.year_target_reached = &target;
    return s;
  }
  // A summary-store run: no trajectory, what is known at the start and the horizon.
  RunSlice summary_slice() {
    RunSlice s;
    s.year_gw_reached = &gw;
    s.year_target_reached = &target;
    s.it_mw_start = &start;
    s.it_mw_final = &final;
    s.compute_flops_final = &final;
    s.energy_twh_final = &final;
    s.spend_usd_final = &final;
    s.bottleneck_steps = &steps;
    return s;
  }
};

TEST(ObservedQuantile, IsTheInvertedEmpiricalCdf) {
  // numpy.quantile(v, q, method="inverted_cdf") gives the same.
  EXPECT_EQ(observed_quantile({4, 1, 3, 2}, 0.5), 2.0);  // two of four at or below 2
  EXPECT_EQ(observed_quantile({4, 1, 3, 2}, 0.51), 3.0);
  EXPECT_EQ(observed_quantile({4, 1, 3, 2}, 0.0), 1.0);
  EXPECT_EQ(observed_quantile({4, 1, 3, 2}, 1.0), 4.0);
  std::vector<double> thirty;
  for (int k = 1; k <= 30; ++k) thirty.push_back(k);
  EXPECT_EQ(observed_quantile(thirty, 0.1), 3.0);  // 0.1 * 30 is 3.0000000000000004 in doubles
  EXPECT_EQ(observed_quantile({2030, kInf, kInf}, 0.5), kInf);
  EXPECT_TRUE(std::isnan(observed_quantile({}, 0.5)));
}

TEST(Summary, ReachYearQuantilesAreStoredTimes) {
  Fixture f;
  SummaryOptions opt;
  opt.years = {2030, 2035};
  SummaryBuilder b({"KOR"}, {"Korea"}, f.time, opt);
  // Ten runs: 1 GW from 2027, 2028, ..., 2033 (seven runs), three never.
  for (int k = 0; k < 10; ++k) {
    f.it_mw.setZero();
    if (k < 7) f.it_mw.rightCols(9 - k).setConstant(1000.0);
    b.add(f.slice());
  }
  const auto s = b.finish();
  ASSERT_EQ(s.runs, 10);
  const auto& y = s.countries[0].year_reach;
  EXPECT_DOUBLE_EQ(y.probability, 0.7);
  EXPECT_EQ(y.p10, 2027.0);  // the 1st of the ten sorted years
  EXPECT_EQ(y.p50, 2031.0);  // the 5th, not halfway to the 6th
  EXPECT_TRUE(std::isinf(y.p90));
  EXPECT_EQ(format_year_value(y.p90), "never");
  // Reached by 2030: the runs of 2027 to 2030.
  EXPECT_EQ(s.countries[0].p_reach_by, (std::vector<double>{0.4, 0.7}));
}

TEST(Summary, ReachAnyLevelAtTheFirstStoredStepAtOrAboveIt) {
  Fixture f;
  SummaryOptions opt;
  opt.years = {2035};
  opt.reach_mw = 500.0;
  SummaryBuilder b({"KOR"}, {"Korea"}, f.time, opt);
  f.it_mw << 110, 200, 300, 499.9, 500, 800, 1200, 1500, 1800, 2000;
  f.gw(0) = 2032.0;  // the stored 1 GW year is not what --reach 500 asks
  b.add(f.slice());
  const auto s = b.finish();
  EXPECT_EQ(s.reach_mw, 500.0);
  EXPECT_EQ(s.countries[0].year_reach.p50, 2030.0);  // 500 exactly counts; no interpolation
  EXPECT_TRUE(s.unavailable.empty());
}

TEST(Summary, ValuesAreOfTheStoredTimeAtOrBeforeEachYear) {
  Fixture f;
  SummaryOptions opt;
  opt.years = {2028.5, 2030};
  SummaryBuilder b({"KOR"}, {"Korea"}, f.time, opt);
  f.it_mw << 0, 1, 2, 3, 4, 5, 6, 7, 8, 9;
  f.energy << 0, 10, 20, 30, 40, 50, 60, 70, 80, 90;
  b.add(f.slice());
  const auto s = b.finish();
  EXPECT_EQ(s.years, (std::vector<double>{2028, 2030}));
  EXPECT_EQ(s.countries[0].it_mw_at, (std::vector<double>{2, 4}));
  EXPECT_EQ(s.countries[0].energy_twh, 40.0);  // at the last summary year, not the horizon
}

TEST(Summary, WithoutTrajectoriesWhatTheFileHoldsAndWhatItCannotGive) {
  Fixture f;
  SummaryOptions opt;
  opt.years = {2026, 2030, 2035};
  opt.period_bounds = {2029};
  StoredSeries none;
  none.it_mw = none.compute_flops = none.energy_twh = none.spend = none.bottleneck = false;
  SummaryBuilder b({"KOR"}, {"Korea"}, f.time, opt, none);
  f.gw(0) = 2034.0;
  f.steps(0, static_cast<int>(Bottleneck::power)) = 6;
  f.steps(0, static_cast<int>(Bottleneck::chip_market)) = 3;
  b.add(f.summary_slice());
  const auto s = b.finish();
  const auto& c = s.countries[0];
  EXPECT_EQ(c.year_reach.p50, 2034.0);  // 1000 MW: the stored year_gw_reached
  EXPECT_EQ(c.it_mw_at[0], 110.0);      // the start: the parameter
  EXPECT_TRUE(std::isnan(c.it_mw_at[1]));
  EXPECT_EQ(c.it_mw_at[2], 900.0);      // the horizon: it_mw_final
  EXPECT_TRUE(std::isnan(c.compute_at[0]));
  EXPECT_EQ(c.compute_at[2], 900.0);
  EXPECT_EQ(c.energy_twh, 900.0);
  ASSERT_EQ(s.periods.size(), 1u);  // the whole run, from the step counts
  EXPECT_EQ(c.dominant[0], static_cast<int>(Bottleneck::power));
  EXPECT_DOUBLE_EQ(c.dominant_share[0], 6.0 / 9.0);
  EXPECT_EQ(s.unavailable, (std::vector<std::string>{
                               "bottleneck per period: needs --keep bottleneck (shown over the whole run, "
                               "from bottleneck_share)",
                               "MW at 2030: needs --keep it_mw",
                               "compute at 2026 and 2030: needs --keep compute_flops"}));

  opt.reach_mw = 2000.0;
  opt.years = {2030};
  SummaryBuilder other({"KOR"}, {"Korea"}, f.time, opt, none);
  other.add(f.summary_slice());
  const auto t = other.finish();
  EXPECT_TRUE(std::isnan(t.countries[0].year_reach.p50));
  EXPECT_EQ(t.unavailable.at(1), "reach 2000 MW: needs --keep it_mw (the file's year_gw_reached is for 1000 MW only)");
  EXPECT_EQ(t.unavailable.at(5), "spent by 2030: needs --keep capex_usd,opex_usd");
  EXPECT_EQ(render(t, SummaryFormat::csv).substr(0, 200).find("inf"), std::string::npos);
}

TEST(Summary, DominantBottleneckPerPeriod) {
  Fixture f;
  f.time = {2026, 2027, 2028, 2029, 2030};
  f.it_mw = f.zero = f.energy = f.code = Eigen::ArrayXXd::Zero(1, 5);
  SummaryOptions opt;
  opt.years = {2030};
  opt.period_bounds = {2028};  // steps starting 2026, 2027 | 2028, 2029
  SummaryBuilder b({"KOR"}, {"Korea"}, f.time, opt);
  f.code << 0, 2, 2, 5, 0;  // index 0 is the initial state and never counted
  b.add(f.slice());
  f.code << 0, 3, 2, 5, 5;
  b.add(f.slice());
  const auto s = b.finish();
  ASSERT_EQ(s.periods.size(), 2u);
  EXPECT_EQ(s.countries[0].dominant[0], static_cast<int>(Bottleneck::power));
  EXPECT_DOUBLE_EQ(s.countries[0].dominant_share[0], 0.75);
  EXPECT_EQ(s.countries[0].dominant[1], static_cast<int>(Bottleneck::export_controls));
  EXPECT_DOUBLE_EQ(s.countries[0].dominant_share[1], 0.75);
}

TEST(Summary, ShortfallHeldBackIsPooledOverRuns) {
  // Run 1: mean shortfall 100 MW, 60% power and 40% lead_time; run 2: 300 MW, all
  // capital; run 3 never behind (shares NaN, mean 0). Pooled: mean (100 + 300 + 0) / 3 =
  // 133.33 MW; power 60 / 400 = 15%, lead_time 40 / 400 = 10%, capital 300 / 400 = 75%.
  Fixture f;
  SummaryOptions opt;
  opt.years = {2035};
  SummaryBuilder b({"KOR"}, {"Korea"}, f.time, opt);
  auto add = [&](double mean, std::initializer_list<std::pair<Bottleneck, double>> shares) {
    Eigen::ArrayXXd share = Eigen::ArrayXXd::Constant(1, kNumBottlenecks, mean > 0 ? 0.0 : kNaN);
    for (const auto& [code, v] : shares) share(0, static_cast<int>(code)) = v;
    Eigen::ArrayXd gap = Eigen::ArrayXd::Constant(1, mean);
    RunSlice r = f.slice();
    r.held_back_share = &share;
    r.shortfall_mw_mean = &gap;
    b.add(r);
  };
  add(100.0, {{Bottleneck::power, 0.6}, {Bottleneck::lead_time, 0.4}});
  add(300.0, {{Bottleneck::capital, 1.0}});
  add(0.0, {});
  const auto s = b.finish();
  ASSERT_TRUE(has_held_back(s));
  const auto& c = s.countries[0];
  EXPECT_NEAR(c.shortfall_mw_mean, 400.0 / 3.0, 1e-12);
  ASSERT_EQ(c.held_back_share.size(), static_cast<std::size_t>(kNumBottlenecks));
  EXPECT_NEAR(c.held_back_share[static_cast<int>(Bottleneck::power)], 0.15, 1e-12);
  EXPECT_NEAR(c.held_back_share[static_cast<int>(Bottleneck::lead_time)], 0.10, 1e-12);
  EXPECT_NEAR(c.held_back_share[static_cast<int>(Bottleneck::capital)], 0.75, 1e-12);
  EXPECT_EQ(c.held_back_share[static_cast<int>(Bottleneck::talent)], 0.0);
  const std::string text = render(s, SummaryFormat::text);
  EXPECT_NE(text.find("133 MW: capital 75%, power 15%"), std::string::npos) << text;
  const std::string csv = render(s, SummaryFormat::csv);
  EXPECT_NE(csv.find(",shortfall_mw_mean,held_back_share_lead_time,"), std::string::npos) << csv;
  EXPECT_NE(render(s, SummaryFormat::json).find("\"held_back_share\": {\"lead_time\": 0.1"),
            std::string::npos);
  // Without the variables (a file of an earlier version): no such column.
  SummaryBuilder old({"KOR"}, {"Korea"}, f.time, opt);
  old.add(f.slice());
  EXPECT_FALSE(has_held_back(old.finish()));
  EXPECT_EQ(render(old.finish(), SummaryFormat::text).find("held back"), std::string::npos);
}

// held_back_mw_period (the file's periods, result_periods: 2026-2035 yearly gives
// [2026, 2029), [2029, 2033), [2033, 2035]) pooled over runs as the whole-run shares are.
// Run 1: power 30 and lead_time 10 MW in the first period, nothing in the second, capital
// 50 in the third; run 2: power 10 and talent 50, nothing, capital 50. Pooled: first
// period 100 MW in all, mean 50, talent 50%, power 40%, lead_time 10%; second on track;
// third mean 50 MW, all capital.
TEST(Summary, ShortfallHeldBackPerStoredPeriod) {
  Fixture f;
  SummaryOptions opt;
  opt.years = {2035};
  SummaryBuilder b({"KOR"}, {"Korea"}, f.time, opt);
  auto add = [&](std::initializer_list<std::tuple<int, Bottleneck, double>> parts) {
    Eigen::ArrayXXd per = Eigen::ArrayXXd::Zero(1, 3 * kNumBottlenecks);
    for (const auto& [period, code, mw] : parts) per(0, period * kNumBottlenecks + static_cast<int>(code)) = mw;
    RunSlice r = f.slice();
    r.held_back_mw_period = &per;
    b.add(r);
  };
  add({{0, Bottleneck::power, 30.0}, {0, Bottleneck::lead_time, 10.0}, {2, Bottleneck::capital, 50.0}});
  add({{0, Bottleneck::power, 10.0}, {0, Bottleneck::talent, 50.0}, {2, Bottleneck::capital, 50.0}});
  const auto s = b.finish();
  ASSERT_EQ(s.held_periods.size(), 3u);
  EXPECT_EQ(s.held_periods[1], (std::pair<double, double>{2029.0, 2033.0}));
  const auto& c = s.countries[0];
  ASSERT_EQ(c.shortfall_mw_period.size(), 3u);
  EXPECT_DOUBLE_EQ(c.shortfall_mw_period[0], 50.0);
  EXPECT_DOUBLE_EQ(c.held_back_share_period[0][static_cast<int>(Bottleneck::talent)], 0.5);
  EXPECT_DOUBLE_EQ(c.held_back_share_period[0][static_cast<int>(Bottleneck::power)], 0.4);
  EXPECT_DOUBLE_EQ(c.held_back_share_period[0][static_cast<int>(Bottleneck::lead_time)], 0.1);
  EXPECT_EQ(c.shortfall_mw_period[1], 0.0);
  EXPECT_EQ(most_held_back(c.held_back_share_period[1]), -1);
  EXPECT_EQ(most_held_back(c.held_back_share_period[2]), static_cast<int>(Bottleneck::capital));
  const std::string text = render(s, SummaryFormat::text);
  EXPECT_NE(text.find("held back 2026-2028"), std::string::npos) << text;
  EXPECT_NE(text.find("talent 50%"), std::string::npos) << text;
  EXPECT_NE(text.find("on track"), std::string::npos) << text;
  EXPECT_NE(text.find("capital 100%"), std::string::npos) << text;
  const std::string csv = render(s, SummaryFormat::csv);
  EXPECT_NE(csv.find(",shortfall_mw_mean_2026-2028,held_back_most_2026-2028,held_back_most_share_2026-2028,"),
            std::string::npos) << csv;
  EXPECT_NE(csv.find(",50,talent,0.5,0,on_track,1,50,capital,1"), std::string::npos) << csv;
  EXPECT_NE(render(s, SummaryFormat::json).find("\"held_back_periods\": [{\"period\": [2026, 2029], "
                                                "\"shortfall_mw_mean\": 50, \"held_back_share\": {\"lead_time\": 0.1"),
            std::string::npos) << render(s, SummaryFormat::json);
  // Without the variable (a file of an earlier version): no such columns.
  SummaryBuilder old({"KOR"}, {"Korea"}, f.time, opt);
  old.add(f.slice());
  EXPECT_TRUE(old.finish().held_periods.empty());
}

TEST(Summary, PeriodAndYearLabels) {
  EXPECT_EQ(period_label({2026.0, 2027.0}), "2026");
  EXPECT_EQ(period_label({2026.0, 2029.0}), "2026-2028");
  EXPECT_EQ(period_label({2037.0, 2040.0}), "2037-2039");
  EXPECT_EQ(period_label({2030.0, 2030.25}), "2030");
  EXPECT_EQ(year_label(2030.0), "2030");
  EXPECT_EQ(year_label(2030.25), "2030.25");
}

TEST(Summary, DefaultOptionsForTheUsualHorizon) {
  const auto o = default_summary_options(2026.0, 2040.0);
  EXPECT_EQ(o.years, (std::vector<double>{2028, 2030, 2035, 2040}));
  EXPECT_EQ(o.period_bounds, (std::vector<double>{2029, 2033, 2037}));
  EXPECT_EQ(o.reach_mw, 1000.0);
}

TEST(Summary, RendersEveryFormat) {
  Fixture f;
  f.it_mw.rightCols(7).setConstant(1200.0);  // 1 GW in 2029; the target never
  SummaryBuilder b({"KOR"}, {"Korea"}, f.time, default_summary_options(2026, 2035));
  b.add(f.slice());
  const auto s = b.finish();
  EXPECT_NE(render(s, SummaryFormat::text).find("reach 1000 MW  final target  MW 2028"), std::string::npos);
  EXPECT_NE(render(s, SummaryFormat::markdown).find("| KOR | Korea | 2029.00 | never |"), std::string::npos);
  // "never" is an empty cell, as in `sovcap export`.
  const std::string csv = render(s, SummaryFormat::csv);
  EXPECT_EQ(csv.substr(0, csv.find("p_reach_by")), "iso3,name,runs,reach_mw,year_reach_p10,year_reach_p50,"
                                                   "year_reach_p90,p_reach,");
  EXPECT_NE(csv.find("\nKOR,Korea,1,1000,2029,2029,2029,1,0,1,1,,,,0,0,1200,1200,"), std::string::npos) << csv;
  const std::string json = render(s, SummaryFormat::json);
  EXPECT_NE(json.find("\"year_reached\": {\"p10\": 2029, \"p50\": 2029, \"p90\": 2029, \"probability\": 1}"),
            std::string::npos);
  EXPECT_NE(json.find("\"year_target_reached\": {\"p10\": null, \"p50\": null"), std::string::npos);
  EXPECT_NE(json.find("\"unavailable\": []}"), std::string::npos);
}

}  // namespace
}  // namespace sovcap
