// The global chip market's sharing rules against hand-computed shares.

#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "sovcap/model.hpp"

using sovcap::Allocation;
using sovcap::allocate;

namespace {

std::vector<double> share(Allocation rule, const std::vector<double>& demand, double supply) {
  std::vector<double> out;
  std::vector<int> order;
  allocate(rule, demand, supply, out, order);
  return out;
}

TEST(Allocation, EveryoneServedWhenSupplySuffices) {
  for (auto rule : {Allocation::pro_rata, Allocation::max_min_fair}) {
    const auto out = share(rule, {10, 30, 60}, 100);
    EXPECT_EQ(out, (std::vector<double>{10, 30, 60}));
  }
}

TEST(Allocation, ProRataScalesEveryDemandByTheSameFactor) {
  // 50 of 100 demanded: each gets half.
  const auto out = share(Allocation::pro_rata, {10, 30, 60}, 50);
  EXPECT_DOUBLE_EQ(out[0], 5);
  EXPECT_DOUBLE_EQ(out[1], 15);
  EXPECT_DOUBLE_EQ(out[2], 30);
}

TEST(Allocation, MaxMinFairFillsSmallDemandsFirst) {
  // Level 50/3 = 16.7 covers the 10; the remaining 40 splits 20/20 between the others.
  const auto out = share(Allocation::max_min_fair, {10, 30, 60}, 50);
  EXPECT_DOUBLE_EQ(out[0], 10);
  EXPECT_DOUBLE_EQ(out[1], 20);
  EXPECT_DOUBLE_EQ(out[2], 20);
}

TEST(Allocation, MaxMinFairWithTwoLevels) {
  // Supply 70 over {5, 15, 40, 100}: 5 and 15 served in full, then 50 left for two: 25 each.
  const auto out = share(Allocation::max_min_fair, {40, 5, 100, 15}, 70);
  EXPECT_DOUBLE_EQ(out[0], 25);
  EXPECT_DOUBLE_EQ(out[1], 5);
  EXPECT_DOUBLE_EQ(out[2], 25);
  EXPECT_DOUBLE_EQ(out[3], 15);
}

TEST(Allocation, NoSupplyGivesNothing) {
  for (auto rule : {Allocation::pro_rata, Allocation::max_min_fair}) {
    const auto out = share(rule, {1, 2}, 0);
    EXPECT_EQ(out, (std::vector<double>{0, 0}));
  }
}

TEST(Allocation, NeverAboveDemandOrSupply) {
  // A deterministic spread of demand vectors, some far above supply, some zero.
  for (auto rule : {Allocation::pro_rata, Allocation::max_min_fair}) {
    for (int seed = 1; seed < 200; ++seed) {
      std::vector<double> demand;
      unsigned x = static_cast<unsigned>(seed) * 2654435761u;
      for (int i = 0; i < 1 + seed % 9; ++i) {
        x = x * 1664525u + 1013904223u;
        demand.push_back((x >> 8) % 5 == 0 ? 0.0 : static_cast<double>((x >> 8) % 1000));
      }
      const double supply = static_cast<double>(seed * 13 % 700);
      const auto out = share(rule, demand, supply);
      const double total = std::accumulate(out.begin(), out.end(), 0.0);
      const double asked = std::accumulate(demand.begin(), demand.end(), 0.0);
      EXPECT_LE(total, supply * (1 + 1e-12) + 1e-9);
      // Scarce supply is used in full.
      EXPECT_NEAR(total, std::min(supply, asked), 1e-9 * (1 + supply));
      for (std::size_t i = 0; i < demand.size(); ++i) {
        EXPECT_GE(out[i], 0.0);
        EXPECT_LE(out[i], demand[i] * (1 + 1e-12));
      }
    }
  }
}

}  // namespace
