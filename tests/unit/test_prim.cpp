// PRIM (analysis/sovcap/prim.hpp): a planted box is found with its limits and only its
// inputs, the trajectory equals that of an independent slow implementation
// (prim_reference.hpp) on data with noise, ties and a categorical input, the quasi-p-values
// equal the binomial test computed by hand, the suggested step follows its rule, and the
// recurrence check is reproducible and independent of the number of threads.

#include "sovcap/prim.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include "prim_reference.hpp"

namespace sovcap {
namespace {

// Uniform in [0, 1) from the top 53 bits: the same numbers on every platform.
double uniform(std::mt19937_64& e) { return static_cast<double>(e() >> 11) * 0x1.0p-53; }

std::vector<PrimInput> uniform_inputs(int dims, int n, std::mt19937_64& e) {
  std::vector<PrimInput> x(static_cast<std::size_t>(dims));
  for (int j = 0; j < dims; ++j) x[static_cast<std::size_t>(j)].name = "x" + std::to_string(j);
  for (int i = 0; i < n; ++i)
    for (auto& in : x) in.values.push_back(uniform(e));
  return x;
}

TEST(Prim, RecoversAPlantedBoxAndOnlyItsInputs) {
  // Five uniform inputs; the cases are exactly the points with x1 in [0.2, 0.6] and x3 in
  // [0.5, 0.9] (16% of the points).
  std::mt19937_64 e(1);
  const int n = 5000;
  const auto x = uniform_inputs(5, n, e);
  std::vector<std::uint8_t> y(n);
  for (int i = 0; i < n; ++i) {
    const double a = x[1].values[static_cast<std::size_t>(i)], b = x[3].values[static_cast<std::size_t>(i)];
    y[static_cast<std::size_t>(i)] = a >= 0.2 && a <= 0.6 && b >= 0.5 && b <= 0.9;
  }
  const auto t = prim(x, y, PrimOptions{});
  const auto& s = t.steps[static_cast<std::size_t>(suggested_step(t, 0.5))];
  EXPECT_EQ(s.restricted, (std::vector<int>{1, 3}));
  EXPECT_EQ(s.density, 1.0);
  EXPECT_GT(s.coverage, 0.85);
  // Each limit lies within one peel (5% of the box's points, about 0.03 here) of the plant.
  EXPECT_NEAR(s.box.lo[1], 0.2, 0.03);
  EXPECT_NEAR(s.box.hi[1], 0.6, 0.03);
  EXPECT_NEAR(s.box.lo[3], 0.5, 0.03);
  EXPECT_NEAR(s.box.hi[3], 0.9, 0.03);
  // The unrestricted inputs keep the data's own limits.
  for (int j : {0, 2, 4}) {
    EXPECT_EQ(s.box.lo[static_cast<std::size_t>(j)], t.init.lo[static_cast<std::size_t>(j)]);
    EXPECT_EQ(s.box.hi[static_cast<std::size_t>(j)], t.init.hi[static_cast<std::size_t>(j)]);
  }
  // The restrictions matter; they recur in (nearly) every resample, the others rarely.
  const std::vector<long long> rows = [&] {
    std::vector<long long> r(n);
    for (int i = 0; i < n; ++i) r[static_cast<std::size_t>(i)] = i;
    return r;
  }();
  const auto qp = quasi_p_values(x, y, rows, t, suggested_step(t, 0.5));
  EXPECT_LT(qp[1], 1e-10);
  EXPECT_LT(qp[3], 1e-10);
  EXPECT_TRUE(std::isnan(qp[0]));
  const auto rec = recurrence(x, y, rows, PrimOptions{}, s, 20, 7);
  EXPECT_GE(rec.at_density[1], 0.9);
  EXPECT_GE(rec.at_density[3], 0.9);
  for (int j : {0, 2, 4}) EXPECT_LE(rec.at_density[static_cast<std::size_t>(j)], 0.2);
}

TEST(Prim, RecoversAPlantedCategory) {
  // The cases: x0 above 0.5 and category 1 or 2 of three (category 0 never).
  std::mt19937_64 e(2);
  const int n = 3000;
  auto x = uniform_inputs(3, n, e);
  x[2].categories = 3;
  for (auto& v : x[2].values) v = std::floor(v * 3.0);
  std::vector<std::uint8_t> y(n);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = x[0].values[i] > 0.5 && x[2].values[i] != 0.0;
  const auto t = prim(x, y, PrimOptions{});
  const auto& s = t.steps[static_cast<std::size_t>(suggested_step(t, 0.5))];
  EXPECT_EQ(s.restricted, (std::vector<int>{0, 2}));
  EXPECT_EQ(s.density, 1.0);
  EXPECT_NEAR(s.box.lo[0], 0.5, 0.03);
  EXPECT_EQ(s.box.kept[2], (std::vector<std::uint8_t>{0, 1, 1}));
}

// Data with label noise, ties (a rounded input) and a categorical input of four categories.
struct Noisy {
  std::vector<PrimInput> x;
  std::vector<std::uint8_t> y;
};
Noisy noisy(std::uint64_t seed, int n) {
  std::mt19937_64 e(seed);
  Noisy d;
  d.x = uniform_inputs(4, n, e);
  for (auto& v : d.x[1].values) v = std::round(v * 10.0) / 10.0;  // 11 values: many ties
  d.x[3].categories = 4;
  for (auto& v : d.x[3].values) v = std::floor(v * 4.0);
  for (int i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const double p = (d.x[0].values[k] < 0.4 ? 0.7 : 0.2) + (d.x[1].values[k] > 0.6 ? 0.2 : 0.0) +
                     (d.x[3].values[k] == 2.0 ? -0.15 : 0.0);
    d.y.push_back(uniform(e) < p ? 1 : 0);
  }
  return d;
}

TEST(Prim, TrajectoryEqualsTheReferenceImplementation) {
  bool pasted = false;  // some trajectory has a paste: both phases are compared
  for (std::uint64_t seed : {3u, 4u, 5u}) {
    const Noisy d = noisy(seed, 1200);
    std::vector<reference::Column> cols;
    for (const auto& in : d.x) cols.push_back({in.values, in.categories});
    for (const PrimOptions o : {PrimOptions{}, PrimOptions{0.1, 0.02, 0.1}}) {
      const auto mine = prim(d.x, d.y, o);
      const auto ref = reference::prim(cols, d.y, o.peel_alpha, o.paste_alpha, o.mass_min);
      ASSERT_EQ(mine.steps.size(), ref.size()) << "seed " << seed;
      for (std::size_t i = 0; i < ref.size(); ++i) {
        const auto& a = mine.steps[i];
        const auto& b = ref[i];
        EXPECT_EQ(a.points, b.points) << "seed " << seed << " step " << i;
        EXPECT_EQ(a.cases, b.cases) << "seed " << seed << " step " << i;
        EXPECT_EQ(a.pasted, b.pasted) << "seed " << seed << " step " << i;
        pasted = pasted || a.pasted;
        for (std::size_t j = 0; j < cols.size(); ++j) {
          if (cols[j].categories == 0) {
            EXPECT_EQ(a.box.lo[j], b.box.lo[j]) << "seed " << seed << " step " << i << " input " << j;
            EXPECT_EQ(a.box.hi[j], b.box.hi[j]) << "seed " << seed << " step " << i << " input " << j;
          } else {
            for (std::size_t k = 0; k < b.box.keep[j].size(); ++k)
              EXPECT_EQ(a.box.kept[j][k] != 0, b.box.keep[j][k]) << "seed " << seed << " step " << i;
          }
        }
        EXPECT_DOUBLE_EQ(a.mass, static_cast<double>(b.points) / 1200.0);
      }
      EXPECT_GT(mine.steps.size(), 5u);
    }
  }
  EXPECT_TRUE(pasted);
}

TEST(Prim, QuasiPValueIsTheBinomialTestByHand) {
  // P(X >= 3), X ~ Binomial(5, 1/2) = (10 + 5 + 1) / 32.
  EXPECT_NEAR(binomial_upper_tail(3, 5, 0.5), 0.5, 1e-15);
  EXPECT_NEAR(binomial_upper_tail(2, 2, 0.3), 0.09, 1e-15);
  EXPECT_EQ(binomial_upper_tail(0, 5, 0.1), 1.0);
  // Ten points on one input; the box [0.5, 1] holds points 5..9, cases at 5, 6, 7 and 2.
  std::vector<PrimInput> x{{"a", {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, 0}};
  const std::vector<std::uint8_t> y{0, 0, 1, 0, 0, 1, 1, 1, 0, 0};
  const std::vector<long long> rows{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  PrimTrajectory t;
  t.init = data_box(x, rows);
  PrimStep s;
  s.box = t.init;
  s.box.lo[0] = 0.45;
  s.points = 5;
  s.cases = 3;
  s.restricted = {0};
  t.steps = {s};
  // Without the restriction: 4 cases in 10 points, p = 0.4; P(X >= 3 | 5, 0.4).
  const double p = 10 * std::pow(0.4, 3) * 0.36 + 5 * std::pow(0.4, 4) * 0.6 + std::pow(0.4, 5);
  EXPECT_NEAR(quasi_p_values(x, y, rows, t, 0)[0], p, 1e-14);
}

TEST(Prim, SuggestedStepIsTheDensestAboveTheCoverageFloor) {
  PrimTrajectory t;
  auto step = [](double coverage, double density) {
    PrimStep s;
    s.coverage = coverage;
    s.density = density;
    return s;
  };
  t.steps = {step(1.0, 0.3), step(0.9, 0.5), step(0.7, 0.8), step(0.6, 0.8), step(0.4, 0.95)};
  EXPECT_EQ(suggested_step(t, 0.5), 2);   // 0.8 twice: the higher coverage
  EXPECT_EQ(suggested_step(t, 0.3), 4);
  EXPECT_EQ(suggested_step(t, 0.95), 0);  // only the start qualifies
  // A later box starts from fewer cases: the floor is a share of its starting coverage.
  for (auto& s : t.steps) s.coverage *= 0.5;
  EXPECT_EQ(suggested_step(t, 0.5), 2);
}

TEST(Prim, RecurrenceIsReproducibleAndIndependentOfThreads) {
  const Noisy d = noisy(6, 800);
  std::vector<long long> rows(800);
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<long long>(i);
  const auto t = prim(d.x, d.y, PrimOptions{});
  const auto& s = t.steps[static_cast<std::size_t>(suggested_step(t, 0.5))];
  const auto many = recurrence(d.x, d.y, rows, PrimOptions{}, s, 16, 11);
  PrimRecurrence one;
  tbb::task_arena(1).execute([&] { one = recurrence(d.x, d.y, rows, PrimOptions{}, s, 16, 11); });
  EXPECT_EQ(many.at_coverage, one.at_coverage);
  EXPECT_EQ(many.at_density, one.at_density);
  const auto other = recurrence(d.x, d.y, rows, PrimOptions{}, s, 16, 12);
  EXPECT_NE(many.at_coverage, other.at_coverage);  // another seed, other resamples
  for (double v : many.at_coverage) EXPECT_TRUE(v >= 0.0 && v <= 1.0);
}

TEST(Prim, Refusals) {
  std::vector<PrimInput> x{{"a", {0.1, 0.2}, 0}};
  EXPECT_THROW(prim(x, {1, 0, 1}, PrimOptions{}), std::invalid_argument);  // lengths differ
  std::vector<PrimInput> c{{"c", {0, 3}, 3}};
  EXPECT_THROW(prim(c, {1, 0}, PrimOptions{}), std::invalid_argument);  // code 3 of 3 categories
  EXPECT_THROW(prim(x, {1, 0}, PrimOptions{0.5, 0.05, 0.05}), std::invalid_argument);
}

}  // namespace
}  // namespace sovcap
