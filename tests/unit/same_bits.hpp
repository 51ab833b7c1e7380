#pragma once
// Bitwise comparison of run results, for the tests that hold the model's kernel to the
// test oracle (tests/oracle).

#include <cstring>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "sovcap/results.hpp"

namespace sovcap::testing {

// Bitwise, so that -0.0 against +0.0 and NaN payloads count as differences.
inline ::testing::AssertionResult same_bits(const double* a, const double* b, Eigen::Index n) {
  if (n == 0 || std::memcmp(a, b, sizeof(double) * static_cast<std::size_t>(n)) == 0)
    return ::testing::AssertionSuccess();
  for (Eigen::Index i = 0; i < n; ++i)
    if (std::memcmp(a + i, b + i, sizeof(double)) != 0) {
      std::ostringstream os;
      os.precision(17);
      os << "element " << i << ": " << a[i] << " against " << b[i];
      return ::testing::AssertionFailure() << os.str();
    }
  return ::testing::AssertionFailure();
}

template <typename A>
::testing::AssertionResult same(const A& a, const A& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    return ::testing::AssertionFailure()
           << "shape " << a.rows() << "x" << a.cols() << " against " << b.rows() << "x"
           << b.cols();
  return same_bits(a.data(), b.data(), a.size());
}

// Everything a RunRecorder fills, the kernel's against the oracle's.
inline void expect_same(const RunResult& got, const RunResult& oracle, const std::string& where) {
  for (int k = 0; k < kNumCountrySeries; ++k) {
    const auto name = std::string(info(static_cast<CountrySeries>(k)).name);
    EXPECT_TRUE(same(got.country[k], oracle.country[k])) << where << ", series " << name;
    EXPECT_TRUE(same(got.last[k], oracle.last[k])) << where << ", horizon " << name;
  }
  for (int k = 0; k < kNumRunSeries; ++k)
    EXPECT_TRUE(same(got.run[k], oracle.run[k]))
        << where << ", run series " << info(static_cast<RunSeries>(k)).name;
  EXPECT_TRUE(same(got.year_target_reached, oracle.year_target_reached)) << where;
  EXPECT_TRUE(same(got.year_gw_reached, oracle.year_gw_reached)) << where;
  EXPECT_TRUE(same(got.held_back, oracle.held_back)) << where << ", held_back_mw";
  EXPECT_TRUE(same(got.held_back_sum, oracle.held_back_sum)) << where << ", held_back_mw summed";
  const auto& nb = got.bottleneck_steps;
  const auto& ns = oracle.bottleneck_steps;
  EXPECT_TRUE(nb.rows() == ns.rows() && nb.cols() == ns.cols() && (nb == ns).all()) << where;
}

}  // namespace sovcap::testing
