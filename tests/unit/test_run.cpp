// Writing a scenario's runs to a results file (sim/sovcap/run.hpp), as `sovcap run` does:
// which runs --runs and --shard choose, refusals before any work, an interrupted job kept
// as a partial and resumed. The files' contents are test_sweep_runner's and test_output's.

#include "sovcap/run.hpp"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "run_support.hpp"
#include "sovcap/footprint.hpp"
#include "support.hpp"

namespace sovcap {
namespace {

namespace fs = std::filesystem;
using testing::FileTest;
using testing::request_error;

TEST(RunRange, AllRangeOrShard) {
  EXPECT_EQ(run_range("", "", 10), std::make_pair(0LL, 10LL));
  EXPECT_EQ(run_range("3:7", "", 10), std::make_pair(3LL, 7LL));
  EXPECT_EQ(run_range("0:10", "", 10), std::make_pair(0LL, 10LL));
  // Shard K of N: runs [10 K / 3, 10 (K + 1) / 3), rounded down: 3, 3 and 4 runs.
  EXPECT_EQ(run_range("", "0/3", 10), std::make_pair(0LL, 3LL));
  EXPECT_EQ(run_range("", "1/3", 10), std::make_pair(3LL, 6LL));
  EXPECT_EQ(run_range("", "2/3", 10), std::make_pair(6LL, 10LL));
  EXPECT_EQ(run_range("", "0/1", 10), std::make_pair(0LL, 10LL));
}

TEST(RunRange, BadChoicesNameTheOption) {
  EXPECT_EQ(request_error([] { run_range("1:2", "0/2", 10); }), "give --runs or --shard, not both");
  EXPECT_EQ(request_error([] { run_range("12", "", 10); }), "--runs 12: allowed A:B (runs A to B-1)");
  EXPECT_EQ(request_error([] { run_range("a:3", "", 10); }), "--runs: 'a' is not a non-negative integer");
  EXPECT_EQ(request_error([] { run_range("-1:3", "", 10); }), "--runs: '-1' is not a non-negative integer");
  EXPECT_EQ(request_error([] { run_range("5:5", "", 10); }),
            "--runs 5:5: allowed A:B with 0 <= A < B <= 10 (the sweep has 10 runs)");
  EXPECT_EQ(request_error([] { run_range("0:11", "", 10); }),
            "--runs 0:11: allowed A:B with 0 <= A < B <= 10 (the sweep has 10 runs)");
  EXPECT_EQ(request_error([] { run_range("", "3", 10); }), "--shard 3: allowed K/N (shard K of N, from 0)");
  EXPECT_EQ(request_error([] { run_range("", "3/3", 10); }), "--shard 3/3: allowed K/N with 0 <= K < N <= 10");
  EXPECT_EQ(request_error([] { run_range("", "0/11", 10); }), "--shard 0/11: allowed K/N with 0 <= K < N <= 10");
  EXPECT_EQ(request_error([] { run_range("", "0/0", 10); }), "--shard 0/0: allowed K/N with 0 <= K < N <= 10");
}

using RunJobTest = FileTest;

// small.toml: 4 policies x 37 samples = 148 runs.
TEST_F(RunJobTest, WritesTheRunsChosen) {
  RunRequest request;
  request.scenario_path = testing::test_scenario("small.toml");
  request.output = path("block.h5");
  request.runs = "3:9";
  RunJob job(request);
  EXPECT_EQ(job.total(), 148);
  EXPECT_EQ(job.first(), 3);
  EXPECT_EQ(job.end(), 9);
  EXPECT_EQ(job.layout().runs, 6);
  EXPECT_EQ(job.layout().first_run, 3);
  EXPECT_EQ(job.done_at_start(), 0);
  EXPECT_EQ(job.output(), request.output);
  EXPECT_TRUE(fs::exists(request.output + ".partial"));
  const RunJob::Outcome outcome = job.run(nullptr, {});
  EXPECT_FALSE(outcome.interrupted);
  EXPECT_EQ(outcome.written, 6);
  EXPECT_TRUE(fs::exists(request.output));
  EXPECT_FALSE(fs::exists(request.output + ".partial"));
}

TEST_F(RunJobTest, RefusesAnExistingOutputWithoutForce) {
  const std::string out = path("taken.h5");
  std::ofstream(out) << "not to be clobbered";
  RunRequest request;
  request.scenario_path = testing::test_scenario("small.toml");
  request.output = out;
  EXPECT_EQ(request_error([&] { RunJob job(request); }), out + " exists; use --force to overwrite it");
  EXPECT_FALSE(fs::exists(out + ".partial"));
  std::ifstream in(out);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "not to be clobbered");
  // A bad range is refused before the output is looked at.
  request.shard = "4/4";
  EXPECT_EQ(request_error([&] { RunJob job(request); }), "--shard 4/4: allowed K/N with 0 <= K < N <= 148");
}

TEST_F(RunJobTest, StoppedJobKeepsThePartialAndResumes) {
  RunRequest request;
  request.scenario_path = testing::test_scenario("small.toml");
  request.output = path("stopped.h5");
  const std::atomic<bool> stop{true};
  {
    RunJob job(request);
    const RunJob::Outcome outcome = job.run(&stop, {});
    EXPECT_TRUE(outcome.interrupted);
    EXPECT_LT(outcome.written, 148);
  }
  EXPECT_TRUE(fs::exists(request.output + ".partial"));
  EXPECT_FALSE(fs::exists(request.output));

  request.resume = true;
  RunJob job(request);
  const long long before = job.done_at_start();
  long long last_done = -1, last_of = -1;
  const RunJob::Outcome outcome = job.run(nullptr, [&](long long done, long long of) {
    last_done = done;
    last_of = of;
  });
  EXPECT_FALSE(outcome.interrupted);
  EXPECT_EQ(before + outcome.written, 148);
  EXPECT_EQ(last_done, 148);
  EXPECT_EQ(last_of, 148);
  EXPECT_TRUE(fs::exists(request.output));
  EXPECT_FALSE(fs::exists(request.output + ".partial"));
}

// Without -o, the output is the scenario's name with .h5 in the current folder.
TEST_F(RunJobTest, DefaultOutputIsTheScenarioNameInTheCurrentFolder) {
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  RunRequest request;
  request.scenario_path = testing::test_scenario("small.toml");
  request.runs = "0:2";
  {
    RunJob job(request);
    EXPECT_EQ(job.output(), "small.h5");
    job.run(nullptr, {});
  }
  fs::current_path(cwd);
  EXPECT_TRUE(fs::exists(dir_ / "small.h5"));
}

// 1,352 countries x 100,000 steps passed validation and then needed ~30 GB: the estimate
// is the runs in flight times what the model records per run.
TEST(Footprint, CountsTheRunsInFlightTimesTheirTrajectories) {
  RunParams p = testing::unconstrained(1352, 2026.0, 2036.0, 0.0001);
  ASSERT_EQ(p.sim.steps(), 100000);
  // One run, full store: every country series and held_back_mw's constraints x 1352
  // countries + the market series, 100,001 times, 8 bytes; half as much again for its
  // chunks; 100 MB for the program.
  const double per_run =
      (static_cast<double>(kNumCountrySeries + kNumBottlenecks) * 1352 + kNumRunSeries) * 100001 * 8;
  Footprint f = estimate_footprint(p, 1, StoreMode::full, {}, 2);
  EXPECT_EQ(f.runs_in_flight, 1);
  EXPECT_DOUBLE_EQ(f.memory_bytes, per_run * 1.5 + 100e6);
  EXPECT_DOUBLE_EQ(f.file_bytes, per_run + 100.0 * 1352 * 8);
  auto gb = [](double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g GB", bytes / 1e9);  // as the program writes sizes
    return std::string(text);
  };
  const std::string no = footprint_refusal(f, 16'000'000'000);
  EXPECT_NE(no.find("needs about " + gb(per_run * 1.5 + 100e6) +
                    " of memory (1 run in flight), more than this machine's 16 GB"),
            std::string::npos) << no;
  EXPECT_EQ(footprint_refusal(f, 64'000'000'000), "");
  const std::string w = footprint_warning(f, 64'000'000'000);
  EXPECT_NE(w.find("over half of this machine's 64 GB"), std::string::npos) << w;
  EXPECT_NE(w.find("may take up to " + gb(per_run + 100.0 * 1352 * 8)), std::string::npos) << w;
  // 64 runs keeping one series: blocks of 16 (a time axis of 800 kB per run and row), so
  // 2 threads hold 32 runs.
  f = estimate_footprint(p, 64, StoreMode::summary, {CountrySeries::it_mw}, 2);
  EXPECT_EQ(f.runs_in_flight, 32);
  EXPECT_DOUBLE_EQ(f.memory_bytes, 32 * (1352.0 + 3) * 100001 * 8 * 1.5 + 100e6);
  // A small sweep is small.
  f = estimate_footprint(testing::unconstrained(20), 1000, StoreMode::full, {}, 2);
  EXPECT_EQ(footprint_warning(f, 16'000'000'000), "");
}

}  // namespace
}  // namespace sovcap
