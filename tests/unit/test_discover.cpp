// Scenario discovery of a results file (analysis/sovcap/discover.hpp): the cases of
// interest equal the metric read from the file and thresholded, the trajectory equals PRIM
// on the sampled inputs read directly, a choice distribution and a lever are categorical
// inputs, and every refusal names what is wrong.

#include "sovcap/discover.hpp"

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "run_support.hpp"
#include "sovcap/reader.hpp"

namespace sovcap {
namespace {

using testing::request_error;

// discover.toml: 2 policies (global.allocation) x 150 samples = 300 runs of KOR, FRA, SAU.
class DiscoverTest : public testing::FileTest {
 protected:
  std::string sweep(StoreMode store = StoreMode::full) {
    return write("discover.toml", store == StoreMode::full ? "d.h5" : "s.h5", {}, store);
  }
  static DiscoverRequest request(const std::string& metric, double threshold, bool above = true) {
    DiscoverRequest r;
    r.metric = metric;
    r.country = "KOR";
    r.threshold = threshold;
    r.above = above;
    r.resamples = 4;
    return r;
  }
};

TEST_F(DiscoverTest, CasesAndTrajectoryFromTheFile) {
  const std::string file = sweep();
  const ResultsReader in(file);
  // KOR's 2030 capacity below 600 MW, over policy 1's runs (150..299).
  DiscoverRequest q = request("it_mw@2030", 600.0, false);
  q.policy = "1";
  const DiscoverReport r = discover(file, q);
  std::vector<Eigen::ArrayXXd> series;
  in.read_country_series("it_mw", 0, in.runs(), series);
  ASSERT_EQ(r.cases_by_run.size(), 300u);
  long long cases = 0;
  std::vector<std::uint8_t> y(300, 0);
  for (int k = 0; k < 300; ++k) {
    const bool is_case = series[static_cast<std::size_t>(k)](0, 16) < 600.0;  // 2026 + 16 x 0.25
    const char expected = k < 150 ? '.' : is_case ? '1' : '0';
    EXPECT_EQ(r.cases_by_run[static_cast<std::size_t>(k)], expected) << "run " << k;
    if (k >= 150) cases += is_case;
    y[static_cast<std::size_t>(k)] = is_case;
  }
  EXPECT_EQ(r.cases, cases);
  EXPECT_EQ(r.runs_used, 150);
  EXPECT_EQ(r.levers, "global.allocation = \"max_min_fair\"");
  ASSERT_GT(cases, 30);
  ASSERT_LT(cases, 120);
  // The inputs: the five sampled keys, the choice categorical; no lever within a policy.
  ASSERT_EQ(r.inputs.size(), 5u);
  EXPECT_EQ(r.inputs[2].key, "global.chip_lifetime_years");
  EXPECT_EQ(r.inputs[2].categories, (std::vector<std::string>{"4", "5", "6"}));
  EXPECT_TRUE(r.inputs[0].categories.empty());
  // The same trajectory from PRIM on the values read directly.
  std::vector<PrimInput> x;
  for (const auto& d : r.inputs) x.push_back({d.key, in.read_per_run(d.variable), 0});
  x[2].categories = 3;
  for (auto& v : x[2].values) v -= 4.0;  // 4, 5, 6: codes 0, 1, 2
  std::vector<long long> rows;
  for (long long k = 150; k < 300; ++k) rows.push_back(k);
  const auto t = prim(x, y, rows, data_box(x, rows), 150, cases, PrimOptions{});
  ASSERT_EQ(r.trajectories.at(0).steps.size(), t.steps.size());
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    EXPECT_EQ(r.trajectories[0].steps[i].points, t.steps[i].points);
    EXPECT_EQ(r.trajectories[0].steps[i].cases, t.steps[i].cases);
    for (std::size_t j : {0, 1, 3, 4}) {
      EXPECT_EQ(r.trajectories[0].steps[i].box.lo[j], t.steps[i].box.lo[j]);
      EXPECT_EQ(r.trajectories[0].steps[i].box.hi[j], t.steps[i].box.hi[j]);
    }
    EXPECT_EQ(r.trajectories[0].steps[i].box.kept, t.steps[i].box.kept);
  }
  EXPECT_EQ(r.boxes.at(0).step, suggested_step(t, 0.5));
}

TEST_F(DiscoverTest, LeversAreInputsOverEveryPolicy) {
  const std::string file = sweep();
  const DiscoverReport r = discover(file, request("year_gw_reached", 2031.0));
  ASSERT_EQ(r.inputs.size(), 6u);
  EXPECT_EQ(r.inputs[5].key, "global.allocation");
  EXPECT_EQ(r.inputs[5].variable, "lever.global.allocation");
  EXPECT_EQ(r.inputs[5].categories, (std::vector<std::string>{"\"pro_rata\"", "\"max_min_fair\""}));
  EXPECT_EQ(r.runs_used, 300);
  EXPECT_EQ(r.cases_by_run.find('.'), std::string::npos);
  // JSON: the boxes with their limits, the trajectory, a categorical input's categories.
  const std::string json = render(r, DiscoverFormat::json);
  for (const char* part : {"\"boxes\": [", "\"trajectory\": [", "\"limits\": {", "\"categories\": [4, 5, 6]",
                           "\"categories\": [\"pro_rata\", \"max_min_fair\"]"})
    EXPECT_NE(json.find(part), std::string::npos) << part;
  EXPECT_NE(render(r, DiscoverFormat::text).find("trajectory of box 1:"), std::string::npos);
}

TEST_F(DiscoverTest, ReachYearOfAnyLevel) {
  const std::string file = sweep();
  // year_reached@1000 is year_gw_reached: the same cases.
  const auto a = discover(file, request("year_reached@1000", 2031.0));
  const auto b = discover(file, request("year_gw_reached", 2031.0));
  EXPECT_EQ(a.cases_by_run, b.cases_by_run);
  EXPECT_TRUE(a.reach);
  // Never reaching counts as later than any year.
  const ResultsReader in(file);
  Eigen::ArrayXXd gw;
  in.read_per_country("year_gw_reached", 0, in.runs(), gw);
  for (int k = 0; k < in.runs(); ++k)
    if (std::isnan(gw(0, k))) {
      EXPECT_EQ(b.cases_by_run[static_cast<std::size_t>(k)], '1');
    }
}

TEST_F(DiscoverTest, CoveringFindsBoxesOutsideTheFirst) {
  const std::string file = sweep();
  DiscoverRequest q = request("bottleneck_share_power", 0.3);
  q.boxes = 2;
  const auto r = discover(file, q);
  ASSERT_EQ(r.boxes.size(), 2u);
  EXPECT_EQ(r.trajectories[1].steps[0].points, r.runs_used - r.boxes[0].s.points);
  EXPECT_LE(r.boxes[0].s.coverage + r.boxes[1].s.coverage, 1.0 + 1e-12);
}

TEST_F(DiscoverTest, Refusals) {
  const std::string file = sweep();
  EXPECT_EQ(request_error([&] { discover(path("none.h5"), request("year_gw_reached", 2031)); }),
            path("none.h5") + ": no such file");
  auto q = request("year_gw_reached", 2031);
  q.country = "USA";
  EXPECT_EQ(request_error([&] { discover(file, q); }), "--country USA: not in " + file + "; allowed KOR, FRA, SAU");
  EXPECT_EQ(request_error([&] { discover(file, request("wat", 1)); }),
            std::string("--metric wat: unknown metric; allowed ") + kDiscoverMetrics);
  EXPECT_EQ(request_error([&] { discover(file, request("bottleneck_share_luck", 0.5)); }),
            std::string("--metric bottleneck_share_luck: 'luck' is not a constraint; allowed ") + kDiscoverMetrics);
  const std::string none = request_error([&] { discover(file, request("it_mw@2030", 1e9)); });
  EXPECT_EQ(none.substr(0, 50), "no run of the 300 used has KOR's it_mw@2030 above ");
  EXPECT_NE(none.find("choose a threshold within that range"), std::string::npos);
  const std::string every = request_error([&] { discover(file, request("it_mw@2030", 0)); });
  EXPECT_EQ(every.substr(0, 54), "every run of the 300 used has KOR's it_mw@2030 above 0");
  q = request("year_gw_reached", 2031);
  q.policy = "2";
  EXPECT_EQ(request_error([&] { discover(file, q); }),
            "--policy 2: not a policy of " + file + "; allowed 0 to 1 (or leave it out for every policy)");
  q.policy = "";
  q.step = 500;
  EXPECT_EQ(request_error([&] { discover(file, q); }).substr(0, 36), "--box 500: the trajectory has steps ");

  const std::string summary = sweep(StoreMode::summary);
  EXPECT_EQ(request_error([&] { discover(summary, request("year_reached@500", 2030)); }),
            "--metric year_reached@500 needs the it_mw series, which " + summary +
                " does not store (written with --store summary without it in --keep): rerun the sweep with "
                "--keep it_mw or --store full");

  // A single run: no sampled inputs.
  std::ifstream src(testing::test_scenario("discover.toml"));
  std::string text((std::istreambuf_iterator<char>(src)), std::istreambuf_iterator<char>());
  text = text.substr(0, text.find("[sweep]"));
  std::ofstream(path("single.toml")) << text;
  RunRequest run;
  run.scenario_path = path("single.toml");
  run.output = path("single.h5");
  RunJob(run).run(nullptr, {});
  EXPECT_EQ(request_error([&] { discover(path("single.h5"), request("year_gw_reached", 2031)); }),
            path("single.h5") + " holds no sampled inputs (its uncertain_keys are empty: a single run, or a sweep "
                                "of levers only); discover needs a sweep with a [sweep.uncertain] section");
}

}  // namespace
}  // namespace sovcap
