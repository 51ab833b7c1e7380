// Summaries over runs: quantiles of reach years with "never", dominant bottlenecks.

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "sovcap/summary.hpp"

namespace sovcap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One country, time 2026.0..2030.0 yearly; it_mw and codes set per run.
struct Fixture {
  std::vector<double> time = {2026, 2027, 2028, 2029, 2030};
  Eigen::ArrayXXd it_mw = Eigen::ArrayXXd::Zero(1, 5), zero = Eigen::ArrayXXd::Zero(1, 5),
                  code = Eigen::ArrayXXd::Zero(1, 5);
  Eigen::ArrayXd gw = Eigen::ArrayXd::Constant(1, kNaN), target = Eigen::ArrayXd::Constant(1, kNaN);
  RunSlice slice() {
    RunSlice s;
    s.it_mw = &it_mw;
    s.compute_flops = &zero;
    s.energy_twh = &zero;
    s.capex_usd = &zero;
    s.opex_usd = &zero;
    s.bottleneck = &code;
    s.year_gw_reached = &gw;
    s.year_target_reached = &target;
    return s;
  }
};

TEST(Summary, ReachYearQuantilesCountNeverAsInfinite) {
  Fixture f;
  SummaryOptions opt;
  opt.years = {2030};
  SummaryBuilder b({"KOR"}, {"Korea"}, f.time, opt);
  // Ten runs: reach 1 GW in 2027, 2028, ..., 2033 (seven runs), three never.
  for (int k = 0; k < 10; ++k) {
    f.gw(0) = k < 7 ? 2027.0 + k : kNaN;
    b.add(f.slice());
  }
  const auto s = b.finish();
  ASSERT_EQ(s.runs, 10);
  const auto& y = s.countries[0].year_gw;
  EXPECT_DOUBLE_EQ(y.probability, 0.7);
  EXPECT_DOUBLE_EQ(y.p50, 2031.5);  // halfway between the 5th and 6th of the sorted years
  EXPECT_DOUBLE_EQ(y.p10, 2027.9);
  EXPECT_TRUE(std::isinf(y.p90));
  EXPECT_EQ(format_year_value(y.p90), "never");
}

TEST(Summary, DominantBottleneckPerPeriod) {
  Fixture f;
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
  EXPECT_EQ(s.countries[0].dominant[1], static_cast<int>(Bottleneck::chips));
  EXPECT_DOUBLE_EQ(s.countries[0].dominant_share[1], 0.75);
}

TEST(Summary, DefaultOptionsForTheUsualHorizon) {
  const auto o = default_summary_options(2026.0, 2040.0);
  EXPECT_EQ(o.years, (std::vector<double>{2028, 2030, 2035, 2040}));
  EXPECT_EQ(o.period_bounds, (std::vector<double>{2029, 2033, 2037}));
}

TEST(Summary, RendersEveryFormat) {
  Fixture f;
  f.gw(0) = 2029.0;
  SummaryBuilder b({"KOR"}, {"Korea"}, f.time, default_summary_options(2026, 2030));
  b.add(f.slice());
  const auto s = b.finish();
  EXPECT_NE(render(s, SummaryFormat::text).find("2029.00"), std::string::npos);
  EXPECT_NE(render(s, SummaryFormat::markdown).find("| KOR | Korea | 2029.00 |"), std::string::npos);
  EXPECT_NE(render(s, SummaryFormat::csv).find("KOR,Korea,1,2029,2029,2029,1"), std::string::npos);
  EXPECT_NE(render(s, SummaryFormat::json).find("\"p50\": 2029"), std::string::npos);
}

}  // namespace
}  // namespace sovcap
