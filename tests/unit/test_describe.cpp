// Listings of the parameter registry and of a resolved scenario (sim/sovcap/describe.hpp).

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sovcap/describe.hpp"
#include "sovcap/params.hpp"
#include "sovcap/sweep.hpp"

using namespace sovcap;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream is(text);
  for (std::string line; std::getline(is, line);) out.push_back(line);
  return out;
}

}  // namespace

// Each parameter's line reads NAME UNIT "default" VALUE ALLOWED, the fields apart however
// long the unit or default (supply_shocks' unit is 28 characters).
TEST(ParameterListing, FieldsAreSeparatedOnEveryLine) {
  const auto lines = lines_of(parameter_listing(false));
  int rows = 0;
  for (const auto& s : param_specs()) {
    const std::string head = "  " + std::string(s.name) + " ";
    for (const auto& line : lines) {
      if (line.rfind(head, 0) != 0) continue;
      ++rows;
      const auto at = line.find("default ");
      ASSERT_NE(at, std::string::npos) << line;
      EXPECT_EQ(line[at - 1], ' ') << "no gap before 'default': " << line;
      if (!s.unit.empty()) {
        EXPECT_NE(line.find(std::string(s.unit) + " "), std::string::npos) << line;
      }
      // The allowed values stand apart from the default.
      const std::string after = line.substr(at + 8);
      EXPECT_NE(after.find(' '), std::string::npos) << line;
    }
  }
  EXPECT_EQ(rows, static_cast<int>(param_specs().size()));
}


// The README's reference of [sweep.uncertain] distributions has a row per distribution the
// loader reads, naming every key it takes (dist = "normal" was once left out).
TEST(DistributionReference, ReadmeListsEveryDistributionAndItsKeys) {
  std::ifstream in(std::string(SOVCAP_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "cannot read README.md";
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("| `", 0) == 0) rows.push_back(line);
  for (int k = 0; k < kNumDistributions; ++k) {
    const auto d = static_cast<Distribution>(k);
    const std::string head = "| `" + std::string(distribution_name(d)) + "` |";
    const auto row = std::find_if(rows.begin(), rows.end(),
                                  [&](const std::string& r) { return r.rfind(head, 0) == 0; });
    ASSERT_NE(row, rows.end()) << "README.md has no row " << head;
    for (const auto key : distribution_keys(d))
      EXPECT_NE(row->find("`" + std::string(key) + "`"), std::string::npos)
          << "README.md's row for " << distribution_name(d) << " lacks `" << key << "`: " << *row;
  }
}
