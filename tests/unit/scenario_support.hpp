#pragma once
// The scenario tests' fixture: a fresh temporary folder per test, files written into it,
// and the diagnostics a load produces (test_scenario.cpp, test_scenario_hostile.cpp).

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sovcap/params.hpp"
#include "sovcap/scenario.hpp"

namespace sovcap::testing {

namespace fs = std::filesystem;

// A complete inline country: the required parameters and nothing else. Lines 1..8.
const char* const kKorea = R"(name = "Korea"
it_mw = 55
grid_mw = 100
grid_add_mw_per_year = 50
budget_usd_per_year = 2e9
workforce = 2000
targets = [[2030, 1000]]
)";

// Every required parameter of CSV countries, for a header row.
const char* const kCsvHeader =
    "iso3,name,it_mw,grid_mw,grid_add_mw_per_year,budget_usd_per_year,workforce,targets";

inline std::string describe(const std::vector<Diagnostic>& ds) {
  std::string s;
  for (const auto& d : ds) s += "\n  " + format_diagnostic(d);
  return s.empty() ? "\n  (no diagnostics)" : s;
}

class ScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / "sovcap_test_scenario" /
           (std::string(info->test_suite_name()) + "." + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // Writes `text` to `name` in the test's folder and returns its path.
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // The diagnostics loading `scenario` produces; fails the test if it loads.
  std::vector<Diagnostic> errors(const std::string& scenario,
                                 const std::vector<std::string>& overrides = {}) {
    try {
      load_scenario(scenario, overrides);
    } catch (const InputError& e) {
      EXPECT_FALSE(e.diagnostics().empty());
      EXPECT_NE(std::string(e.what()).find(format_diagnostic(e.diagnostics().front())),
                std::string::npos);
      return e.diagnostics();
    }
    ADD_FAILURE() << scenario << " loaded but should have been rejected";
    return {};
  }

  fs::path dir_;
};

// True when one diagnostic has this file, line and key and its message holds every part.
// line -1: any line. The failure message lists every diagnostic.
inline ::testing::AssertionResult has(const std::vector<Diagnostic>& ds, const std::string& file,
                                      int line, const std::string& key, const std::vector<std::string>& parts) {
  for (const auto& d : ds) {
    if (d.file != file || (line >= 0 && d.line != line) || d.key != key) continue;
    bool all = true;
    for (const auto& p : parts) all = all && d.message.find(p) != std::string::npos;
    if (all) return ::testing::AssertionSuccess();
  }
  std::string want = file + ":" + std::to_string(line) + ": " + key + ": ...";
  for (const auto& p : parts) want += " [" + p + "]";
  return ::testing::AssertionFailure() << "no diagnostic " << want << " among:" << describe(ds);
}

inline double pue_of(const Scenario& sc, const std::string& iso3) {
  const int i = sc.params.countries.find(iso3);
  EXPECT_GE(i, 0) << iso3;
  return i < 0 ? std::nan("") : sc.params.countries.at(i, CountryParam::pue);
}

}  // namespace sovcap::testing
