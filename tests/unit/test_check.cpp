// Checking a results file (analysis/sovcap/check.hpp): a file written from the model passes;
// tampered results (a negative stock, it_mw above grid_mw / pue, chips received above
// demand, money that does not add up, a bad bottleneck code, a wrong year_gw_reached) and
// a partial file fail, naming run, country, time and what; a non-sovcap file is refused.
// Through the program, on files it wrote and on copies tampered with h5py, in
// tests/cli/hostile.cmake.

#include "sovcap/check.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "sovcap/output.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/request_error.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace sovcap;
using CS = CountrySeries;

namespace {

RunParams make_params() {
  RunParams p = sovcap::testing::unconstrained(2, 2026.0, 2030.0, 0.25);
  p.countries.iso3 = {"KOR", "FRA"};
  p.countries.name = {"Korea", "France"};
  p.countries.at(0, CountryParam::it_mw) = 900.0;  // reaches 1 GW
  p.countries.at(1, CountryParam::it_mw) = 50.0;
  p.countries.at(0, CountryParam::pue) = 1.25;
  p.countries.at(1, CountryParam::budget_usd_per_year) = 1e9;
  p.countries.targets = {{{2028.0, 2000.0}}, {{2029.0, 500.0}}};
  return p;
}

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sovcap_test_check_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    h5_ = (dir_ / "out.h5").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes 3 runs; `tamper` may change run 1's results before they are written; `skip`
  // leaves a run unwritten (the file stays a partial).
  void write(const std::function<void(RunResult&)>& tamper = {}, int skip = -1) {
    const RunParams p = make_params();
    OutputFile out(h5_, true, layout_for(p, 3), OutputMetadata{});
    for (int r = 0; r < 3; ++r) {
      if (r == skip) continue;
      RunResult res = sovcap::testing::simulate(p);
      if (r == 1 && tamper) tamper(res);
      out.write_run(r, p, res);
    }
    if (skip >= 0) {
      out.close_partial();
      h5_ += ".partial";
    } else {
      out.commit();
    }
  }

  // The one problem expected: run 1, `country`, and `what` contained in its text.
  void expect_problem(const std::string& country, const std::string& what) {
    const CheckReport r = check_results(h5_);
    ASSERT_FALSE(r.ok()) << format_check_report(r, false);
    ASSERT_FALSE(r.problems.empty());
    const auto& p = r.problems.front();
    EXPECT_EQ(p.run, 1);
    EXPECT_EQ(p.country, country);
    EXPECT_NE(p.what.find(what), std::string::npos) << p.what;
  }

  fs::path dir_;
  std::string h5_;
};

TEST_F(CheckTest, AFileFromTheModelPasses) {
  write();
  const CheckReport r = check_results(h5_);
  EXPECT_TRUE(r.ok()) << format_check_report(r, false);
  EXPECT_EQ(r.runs, 3);
  EXPECT_EQ(r.complete, 3);
  EXPECT_EQ(r.store, "full");
  EXPECT_TRUE(r.checks_skipped.empty()) << format_check_report(r, false);
  EXPECT_NE(format_check_report(r, false).find("OK"), std::string::npos);
  EXPECT_NE(format_check_report(r, true).find("\"ok\": true"), std::string::npos);
}

TEST_F(CheckTest, NegativeStockFails) {
  write([](RunResult& r) { r.country[static_cast<int>(CS::it_mw)](1, 4) = -1.0; });
  expect_problem("FRA", "it_mw = -1 is negative");
  const CheckReport r = check_results(h5_);
  EXPECT_DOUBLE_EQ(r.problems.front().time, 2027.0);
}

TEST_F(CheckTest, ItAbovePowerFails) {
  write([](RunResult& r) {
    auto& it = r.country[static_cast<int>(CS::it_mw)];
    it(1, 3) = r[CS::grid_mw](1, 3) * 2;  // also past 1 GW: year_gw_reached then disagrees
  });
  expect_problem("FRA", "exceeds (grid_mw + onsite_mw) / pue");
}

TEST_F(CheckTest, ChipsAboveDemandFail) {
  write([](RunResult& r) {
    r.country[static_cast<int>(CS::chip_received)](0, 2) = r[CS::chip_demand](0, 2) + 10.0;
  });
  expect_problem("KOR", "exceeds chip_demand");
}

TEST_F(CheckTest, MoneyThatDoesNotAddUpFails) {
  write([](RunResult& r) { r.country[static_cast<int>(CS::funds_usd)](0, 5) *= 1.01; });
  expect_problem("KOR", "funds_usd");
}

TEST_F(CheckTest, BadBottleneckCodeFails) {
  write([](RunResult& r) { r.country[static_cast<int>(CS::bottleneck)](1, 2) = 7.0; });
  expect_problem("FRA", "bottleneck code 7");
}

TEST_F(CheckTest, WrongGigawattYearFails) {
  write([](RunResult& r) { r.year_gw_reached(0) += 1.0; });
  expect_problem("KOR", "year_gw_reached");
}

// held_back_mw_period must add up to the run's held_back_share x shortfall_mw_mean (50
// MW x steps more of power in FRA's first period than its steps held), and a negative
// entry is named.
TEST_F(CheckTest, HeldBackPeriodsThatDoNotAddUpFail) {
  write([](RunResult& r) {
    r.held_back_period(1, static_cast<int>(Bottleneck::power)) += 50.0;  // [country, period * 7 + code]
  });
  expect_problem("FRA", "held_back_mw_period of power adds up to");
}

TEST_F(CheckTest, NegativeHeldBackPeriodFails) {
  write([](RunResult& r) { r.held_back_period(0, static_cast<int>(Bottleneck::talent)) = -3.0; });
  expect_problem("KOR", "held_back_mw_period[talent]");
}

TEST_F(CheckTest, PartialFileSaysHowManyRunsAreMissing) {
  write({}, 2);
  const CheckReport r = check_results(h5_);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.complete, 2);
  ASSERT_EQ(r.problem_count, 1);
  EXPECT_NE(r.problems.front().what.find("1 of 3 runs are missing"), std::string::npos)
      << r.problems.front().what;
}

TEST_F(CheckTest, ProblemListIsCapped) {
  write([](RunResult& r) { r.country[static_cast<int>(CS::cash_usd)].setConstant(-1.0); });
  CheckOptions opt;
  opt.max_problems = 3;
  const CheckReport r = check_results(h5_, opt);
  EXPECT_EQ(r.problems.size(), 3u);
  EXPECT_GT(r.problem_count, 3);
  EXPECT_NE(format_check_report(r, false).find("more"), std::string::npos);
}

// Bad input (RequestError: exit 2), not an I/O failure.
TEST_F(CheckTest, NotASovcapFileIsRefused) {
  std::ofstream(h5_) << "not hdf5\n";
  EXPECT_THROW(check_results(h5_), RequestError);
  EXPECT_THROW(check_results((dir_ / "absent.h5").string()), RequestError);
  EXPECT_THROW(check_results(dir_.string()), RequestError);
}

}  // namespace
