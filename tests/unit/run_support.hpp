#pragma once
// Results files for tests, written from a test scenario as `sovcap run` writes them
// (RunJob), into a folder of the test's own that is removed after it; and what tests of
// requests and answers check them with.

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "sovcap/request_error.hpp"
#include "sovcap/run.hpp"

namespace sovcap::testing {

// The message of the RequestError that `f` throws, or "" when it throws none.
template <class F>
std::string request_error(F&& f) {
  try {
    f();
  } catch (const RequestError& e) {
    return e.what();
  }
  return "";
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

inline std::string test_scenario(const std::string& name) {
  return std::string(SOVCAP_SOURCE_DIR) + "/tests/cli/sweep/" + name;
}

// A fresh folder per test, removed after it.
class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sovcap_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_suite()->name() + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Writes every run of `scenario` (tests/cli/sweep/NAME) with `overrides` to `name` in
  // the test's folder (a summary store keeping `keep`); returns its path.
  std::string write(const std::string& scenario, const std::string& name,
                    const std::vector<std::string>& overrides = {}, StoreMode store = StoreMode::full,
                    const std::vector<CountrySeries>& keep = {}) {
    RunRequest request;
    request.scenario_path = test_scenario(scenario);
    request.overrides = overrides;
    request.output = path(name);
    request.store = store;
    request.keep = keep;
    request.threads = 2;
    RunJob job(request);
    const RunJob::Outcome outcome = job.run(nullptr, {});
    EXPECT_FALSE(outcome.interrupted);
    return request.output;
  }

  std::filesystem::path dir_;
};

}  // namespace sovcap::testing
