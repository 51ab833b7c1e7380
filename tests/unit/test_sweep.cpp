// Sweep designs: distributions and their truncation to a parameter's range, the sample
// designs (Monte Carlo, Latin hypercube, Sobol, Saltelli), the lever grid and how sampled
// values are written into a run's parameters.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/sobol.hpp>

#include "sovcap/params.hpp"
#include "sovcap/sweep.hpp"
#include "support.hpp"

using namespace sovcap;

namespace {

Uncertain make(Distribution d, double a, double b, double c = 0.0) {
  Uncertain u;
  u.key = "test";
  u.dist = d;
  u.a = a;
  u.b = b;
  u.c = c;
  return u;
}

// Evenly spread points of (0, 1), the extremes included.
std::vector<double> probes() {
  std::vector<double> u = {0x1p-54, 1e-300, 1e-12, 0.5, 1.0 - 1e-12, std::nextafter(1.0, 0.0)};
  for (int i = 1; i < 1000; ++i) u.push_back(i / 1000.0);
  return u;
}

// Distance on the circle [0, 1): the shift is added modulo 1.
double circular(double a, double b) {
  const double d = std::abs(a - b);
  return std::min(d, 1.0 - d);
}

double frac(double x) { return x - std::floor(x); }

std::vector<std::vector<double>> all_points(const SampleDesign& design, bool reverse = false) {
  const int n = design.samples_per_policy();
  std::vector<std::vector<double>> pts(
      static_cast<std::size_t>(n), std::vector<double>(static_cast<std::size_t>(design.dims())));
  for (int i = 0; i < n; ++i) {
    const int s = reverse ? n - 1 - i : i;
    design.point(s, pts[static_cast<std::size_t>(s)].data());
  }
  return pts;
}

// ---------------------------------------------------------------------------------------
// Names

TEST(SweepNames, DistributionsAndMethods) {
  EXPECT_EQ(distribution_name(Distribution::uniform), "uniform");
  EXPECT_EQ(distribution_name(Distribution::normal), "normal");
  EXPECT_EQ(distribution_name(Distribution::lognormal), "lognormal");
  EXPECT_EQ(distribution_name(Distribution::triangular), "triangular");
  EXPECT_EQ(distribution_name(Distribution::choice), "choice");
  EXPECT_EQ(method_name(SamplingMethod::monte_carlo), "monte_carlo");
  EXPECT_EQ(method_name(SamplingMethod::lhs), "lhs");
  EXPECT_EQ(method_name(SamplingMethod::sobol), "sobol");
  EXPECT_EQ(method_name(SamplingMethod::saltelli), "saltelli");
}

// ---------------------------------------------------------------------------------------
// Distributions

TEST(Quantile, UniformIsLinear) {
  const Uncertain u = make(Distribution::uniform, 2.0, 6.0);
  EXPECT_DOUBLE_EQ(u.quantile(0.25), 3.0);
  EXPECT_DOUBLE_EQ(u.quantile(0.5), 4.0);
  EXPECT_DOUBLE_EQ(u.quantile(0.9), 5.6);
  EXPECT_DOUBLE_EQ(u.mass(), 1.0);
}

TEST(Quantile, NormalMatchesBoostAndKnownValues) {
  const Uncertain u = make(Distribution::normal, 8e9, 2e9);
  EXPECT_NEAR(u.quantile(0.5), 8e9, 1e-3);
  EXPECT_NEAR(u.quantile(0.975), 8e9 + 1.959963984540054 * 2e9, 1.0);
  EXPECT_NEAR(u.quantile(0.025), 8e9 - 1.959963984540054 * 2e9, 1.0);
  const boost::math::normal_distribution<> ref(8e9, 2e9);
  for (double p : {1e-9, 0.001, 0.1, 0.3, 0.7, 0.999})
    EXPECT_NEAR(u.quantile(p), boost::math::quantile(ref, p), 1e-6 * 2e9) << p;
}

TEST(Quantile, LognormalMedianIsA) {
  const Uncertain u = make(Distribution::lognormal, 1e6, 0.3);
  EXPECT_NEAR(u.quantile(0.5), 1e6, 1e-6);
  EXPECT_NEAR(u.quantile(0.8413447460685429), 1e6 * std::exp(0.3), 1e-3);
  const boost::math::lognormal_distribution<> ref(std::log(1e6), 0.3);
  for (double p : {0.01, 0.2, 0.9}) EXPECT_NEAR(u.quantile(p), boost::math::quantile(ref, p), 1e-4);
}

TEST(Quantile, TriangularModeAndCdf) {
  // low 0, mode 1, high 4: F(mode) = (1 - 0) / (4 - 0) = 0.25.
  const Uncertain u = make(Distribution::triangular, 0.0, 1.0, 4.0);
  EXPECT_NEAR(u.quantile(0.25), 1.0, 1e-12);
  // Below the mode F(x) = x^2 / ((c - a)(b - a)) = x^2 / 4; above, 1 - (4 - x)^2 / 12.
  EXPECT_NEAR(u.quantile(0.1), std::sqrt(0.4), 1e-12);
  EXPECT_NEAR(u.quantile(0.25 + 0.5), 4.0 - std::sqrt(0.25 * 12.0), 1e-12);
  for (double p : probes()) {
    const double x = u.quantile(p);
    EXPECT_GE(x, 0.0);
    EXPECT_LE(x, 4.0);
  }
}

TEST(Quantile, ChoiceByCumulativeWeights) {
  Uncertain u = make(Distribution::choice, 0, 0);
  u.values = {4, 5, 6};
  u.weights = {0.25, 0.5, 0.25};
  EXPECT_EQ(u.quantile(0.1), 4.0);
  EXPECT_EQ(u.quantile(0.26), 5.0);
  EXPECT_EQ(u.quantile(0.74), 5.0);
  EXPECT_EQ(u.quantile(0.76), 6.0);
  EXPECT_EQ(u.quantile(std::nextafter(1.0, 0.0)), 6.0);
  // Without weights: equal.
  u.weights.clear();
  EXPECT_EQ(u.quantile(0.3), 4.0);
  EXPECT_EQ(u.quantile(0.5), 5.0);
  EXPECT_EQ(u.quantile(0.7), 6.0);
  // A zero weight at the end is never chosen, whatever the rounding of the sums.
  u.values = {1, 2, 3};
  u.weights = {0.1, 0.9, 0.0};
  EXPECT_EQ(u.quantile(std::nextafter(1.0, 0.0)), 2.0);
}

TEST(Truncation, KeepsEverySampleInsideOpenBounds) {
  // A normal around 0 for a parameter in (0, 100): the half above 0, never 0 itself.
  Uncertain u = make(Distribution::normal, 0.0, 1.0);
  u.lo = 0.0;
  u.lo_open = true;
  u.hi = 100.0;
  u.hi_open = true;
  EXPECT_NEAR(u.mass(), 0.5, 1e-15);
  // Median of the half-normal: Phi^-1(0.75).
  EXPECT_NEAR(u.quantile(0.5), 0.6744897501960817, 1e-12);
  for (double p : probes()) {
    const double x = u.quantile(p);
    EXPECT_GT(x, 0.0) << p;
    EXPECT_LT(x, 100.0) << p;
  }
  // A uniform reaching past both open bounds: clipped strictly inside.
  Uncertain w = make(Distribution::uniform, -1.0, 2.0);
  w.lo = 0.0;
  w.lo_open = true;
  w.hi = 1.0;
  w.hi_open = true;
  EXPECT_NEAR(w.mass(), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(w.quantile(0.5), 0.5, 1e-15);
  for (double p : probes()) {
    const double x = w.quantile(p);
    EXPECT_GT(x, 0.0) << p;
    EXPECT_LT(x, 1.0) << p;
  }
  // Closed bounds may be reached.
  Uncertain c = make(Distribution::uniform, 0.0, 10.0);
  c.hi = 5.0;
  EXPECT_DOUBLE_EQ(c.quantile(0.5), 2.5);
  for (double p : probes()) EXPECT_LE(c.quantile(p), 5.0);
}

TEST(Truncation, FarTailKeepsItsMass) {
  // P(X >= 10) for a standard normal is 7.6e-24: 1 - that rounds to 1, the survival
  // function does not.
  Uncertain u = make(Distribution::normal, 0.0, 1.0);
  u.lo = 10.0;
  EXPECT_GT(u.mass(), 7e-24);
  EXPECT_LT(u.mass(), 8e-24);
  for (double p : {1e-9, 0.5, 1.0 - 1e-9}) {
    const double x = u.quantile(p);
    EXPECT_GE(x, 10.0);
    EXPECT_LT(x, 13.0);
  }
  EXPECT_NEAR(u.quantile(0.5), 10.0 + std::log(2.0) / 10.0, 0.01);  // ~ exponential tail
}

TEST(Truncation, NoMassIsReported) {
  Uncertain u = make(Distribution::uniform, -2.0, -1.0);
  u.lo = 0.0;
  EXPECT_EQ(u.mass(), 0.0);
  EXPECT_THROW(u.quantile(0.5), std::domain_error);
  Uncertain l = make(Distribution::lognormal, 1.0, 0.5);
  l.hi = 0.0;
  EXPECT_EQ(l.mass(), 0.0);
  // A closed range of one point has no mass for a continuous distribution.
  Uncertain p = make(Distribution::uniform, 0.0, 1.0);
  p.lo = p.hi = 0.5;
  EXPECT_EQ(p.mass(), 0.0);
  // Choice: the share of the weight on valid values.
  Uncertain c = make(Distribution::choice, 0, 0);
  c.values = {-1, 1, 2};
  c.weights = {0.5, 0.25, 0.25};
  c.lo = 0.0;
  EXPECT_DOUBLE_EQ(c.mass(), 0.5);
}

TEST(Truncation, MultiplyDividesTheRangeByTheBase) {
  // workforce-growth-like: factor ~ T(0.5, 1, 1.5) times a base of 0.8, value <= 1.
  Uncertain u = make(Distribution::triangular, 0.5, 1.0, 1.5);
  u.multiply = true;
  u.lo = 0.0;
  u.hi = 1.0;
  EXPECT_NEAR(u.mass(0.8), 1.0 - 0.25 * 0.25 * 2.0, 1e-12);  // P(factor <= 1.25)
  for (double p : probes()) {
    const double q = u.quantile(p, 0.8);
    EXPECT_LE(q * 0.8, 1.0) << p;
    EXPECT_GE(q, 0.5) << p;
  }
  // Negative base: the range flips. value in [-10, 10], base -5: factor in [-2, 2].
  Uncertain n = make(Distribution::uniform, 0.0, 4.0);
  n.multiply = true;
  n.lo = -10.0;
  n.hi = 10.0;
  EXPECT_NEAR(n.mass(-5.0), 0.5, 1e-15);
  for (double p : probes()) {
    const double v = n.quantile(p, -5.0) * -5.0;
    EXPECT_GE(v, -10.0) << p;
    EXPECT_LE(v, 0.0) << p;
  }
  // A zero base: every factor gives 0, nothing to truncate.
  EXPECT_DOUBLE_EQ(n.mass(0.0), 1.0);
  EXPECT_DOUBLE_EQ(n.quantile(0.5, 0.0), 2.0);
  // The product itself lands inside even where lo / base rounds: pue in [1, 5], base 1.3.
  Uncertain pue = make(Distribution::uniform, 0.5, 1.5);
  pue.multiply = true;
  pue.lo = 1.0;
  pue.hi = 5.0;
  for (double base : {1.3, 1.1, 3.0, 1.7, 2.9, 4.9})
    for (double p : probes()) {
      const double v = pue.quantile(p, base) * base;
      EXPECT_GE(v, 1.0) << base << " " << p;
      EXPECT_LE(v, 5.0) << base << " " << p;
    }
  // Open lower bound at 0 with a positive base.
  Uncertain o = make(Distribution::uniform, -1.0, 1.0);
  o.multiply = true;
  o.lo = 0.0;
  o.lo_open = true;
  for (double p : probes()) EXPECT_GT(o.quantile(p, 3.0) * 3.0, 0.0) << p;
}

// ---------------------------------------------------------------------------------------
// Designs

TEST(MonteCarlo, ReproducibleSeededAndUniform) {
  const int n = 20000;
  const SampleDesign a(SamplingMethod::monte_carlo, n, 3, 42);
  const SampleDesign b(SamplingMethod::monte_carlo, n, 3, 42);
  const SampleDesign c(SamplingMethod::monte_carlo, n, 3, 43);
  EXPECT_EQ(a.samples_per_policy(), n);
  EXPECT_EQ(a.saltelli_matrix(5), -1);
  EXPECT_EQ(a.base_row(5), 5);
  std::vector<double> mean(3, 0.0);
  int same = 0;
  for (int s = 0; s < n; ++s) {
    double ua[3], ub[3], uc[3];
    a.point(s, ua);
    b.point(s, ub);
    c.point(s, uc);
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(ua[k], ub[k]);
      same += ua[k] == uc[k];
      ASSERT_GT(ua[k], 0.0);
      ASSERT_LT(ua[k], 1.0);
      mean[static_cast<std::size_t>(k)] += ua[k] / n;
    }
  }
  EXPECT_EQ(same, 0);
  for (double m : mean) EXPECT_LT(std::abs(m - 0.5), 4.0 / std::sqrt(12.0 * n));
  // Coordinates of one sample are not copies of each other.
  double u[3];
  a.point(7, u);
  EXPECT_NE(u[0], u[1]);
  EXPECT_NE(u[1], u[2]);
}

TEST(LatinHypercube, OnePointPerStratumInEveryDimension) {
  for (int n : {1, 2, 7, 97, 1000}) {
    const SampleDesign d(SamplingMethod::lhs, n, 4, 7);
    const auto pts = all_points(d);
    for (int k = 0; k < 4; ++k) {
      std::vector<int> count(static_cast<std::size_t>(n), 0);
      for (const auto& p : pts) {
        const double x = p[static_cast<std::size_t>(k)];
        ASSERT_GT(x, 0.0);
        ASSERT_LT(x, 1.0);
        ++count[static_cast<std::size_t>(std::floor(x * n))];
      }
      EXPECT_TRUE(std::all_of(count.begin(), count.end(), [](int c) { return c == 1; }))
          << "n = " << n << ", dimension " << k;
    }
  }
  // Reproducible from the seed; another seed permutes differently; dimensions differ.
  const auto a = all_points(SampleDesign(SamplingMethod::lhs, 50, 2, 1));
  const auto b = all_points(SampleDesign(SamplingMethod::lhs, 50, 2, 1));
  const auto c = all_points(SampleDesign(SamplingMethod::lhs, 50, 2, 2));
  EXPECT_EQ(a, b);
  int same_stratum = 0, same_dims = 0;
  for (std::size_t s = 0; s < a.size(); ++s) {
    same_stratum += std::floor(a[s][0] * 50) == std::floor(c[s][0] * 50);
    same_dims += std::floor(a[s][0] * 50) == std::floor(a[s][1] * 50);
  }
  EXPECT_LT(same_stratum, 10);
  EXPECT_LT(same_dims, 10);
}

TEST(Sobol, KnownPointsAfterRemovingTheShift) {
  const SampleDesign d(SamplingMethod::sobol, 8, 2, 12345);
  EXPECT_EQ(d.samples_per_policy(), 8);
  const auto pts = all_points(d);
  // Point 0 is the origin unshifted (kept: it makes every first 2^m points a net), so the
  // design's point 0 is the shift itself.
  const double shift[2] = {pts[0][0], pts[0][1]};
  EXPECT_GT(circular(shift[0], 0.0), 1e-6);  // the seed did shift the points
  const double known[][2] = {{0.0, 0.0},     {0.5, 0.5},     {0.75, 0.25},   {0.25, 0.75},
                             {0.375, 0.375}, {0.875, 0.875}, {0.625, 0.125}, {0.125, 0.625}};
  for (std::size_t s = 0; s < 8; ++s)
    for (std::size_t k = 0; k < 2; ++k) {
      EXPECT_LT(circular(frac(pts[s][k] - shift[k]), known[s][k]), 1e-15) << s << " " << k;
      EXPECT_GT(pts[s][k], 0.0);
      EXPECT_LT(pts[s][k], 1.0);
    }
  // Boost's engine, started from scratch, gives the same unshifted points after the origin.
  boost::random::sobol engine(2);
  for (std::size_t s = 1; s < 8; ++s)
    for (std::size_t k = 0; k < 2; ++k)
      EXPECT_EQ(static_cast<double>(engine()) * 0x1p-64, known[s][k]);
}

TEST(Sobol, RandomAccessEqualsSequentialGeneration) {
  const int dims = 7;
  const int n = 3000;
  const SampleDesign d(SamplingMethod::sobol, n, dims, 99);
  std::vector<double> shift(dims), u(dims);
  d.point(0, shift.data());
  boost::random::sobol engine(dims);
  for (int s = 1; s < n; ++s) {
    d.point(s, u.data());
    for (int k = 0; k < dims; ++k) {
      const double x = static_cast<double>(engine()) * 0x1p-64;
      ASSERT_LT(circular(frac(u[k] - shift[k]), x), 1e-14) << s << " " << k;
      ASSERT_GT(u[k], 0.0);
      ASSERT_LT(u[k], 1.0);
    }
  }
  // Far indices against Boost's own seek (its point i is ours i + 1).
  for (long long s : {1LL << 20, (1LL << 20) + 12345, 999999999LL}) {
    d.point(s, u.data());
    boost::random::sobol far(dims);
    far.seed(static_cast<std::uint64_t>(s - 1));
    for (int k = 0; k < dims; ++k)
      EXPECT_LT(circular(frac(u[k] - shift[k]), static_cast<double>(far()) * 0x1p-64), 1e-14);
  }
  // Another seed, another shift; the same seed, the same points.
  std::vector<double> v(dims), w(dims);
  SampleDesign(SamplingMethod::sobol, n, dims, 100).point(5, v.data());
  SampleDesign(SamplingMethod::sobol, n, dims, 99).point(5, w.data());
  d.point(5, u.data());
  EXPECT_NE(u, v);
  EXPECT_EQ(u, w);
}

TEST(Sobol, FirstPowerOfTwoPointsAreStratified) {
  // The first 2^m unshifted points put one point in each interval [k, k + 1) / 2^m of every
  // coordinate; the shift moves them together around the circle.
  const SampleDesign d(SamplingMethod::sobol, 64, 5, 3);
  const auto pts = all_points(d);
  for (std::size_t k = 0; k < 5; ++k) {
    std::vector<int> count(64, 0);
    for (const auto& p : pts) ++count[static_cast<std::size_t>(frac(p[k] - pts[0][k]) * 64)];
    EXPECT_TRUE(std::all_of(count.begin(), count.end(), [](int c) { return c == 1; })) << k;
  }
}

TEST(Saltelli, MatricesAreABAndMixedColumns) {
  const int d = 3, n = 5;
  const SampleDesign design(SamplingMethod::saltelli, n, d, 11);
  EXPECT_EQ(design.samples_per_policy(), n * (d + 2));
  const auto pts = all_points(design);
  for (int j = 0; j < n; ++j) {
    const auto& a = pts[static_cast<std::size_t>(j * (d + 2))];
    const auto& b = pts[static_cast<std::size_t>(j * (d + 2) + 1)];
    EXPECT_EQ(design.saltelli_matrix(j * (d + 2)), 0);
    EXPECT_EQ(design.saltelli_matrix(j * (d + 2) + 1), 1);
    for (int k = 0; k < d; ++k) EXPECT_NE(a[k], b[k]);
    for (int i = 0; i < d; ++i) {
      const long long s = j * (d + 2) + 2 + i;
      EXPECT_EQ(design.saltelli_matrix(s), 2 + i);
      EXPECT_EQ(design.base_row(s), j);
      const auto& ab = pts[static_cast<std::size_t>(s)];
      for (int k = 0; k < d; ++k)
        EXPECT_EQ(ab[k], k == i ? b[k] : a[k]) << j << " " << i << " " << k;
    }
  }
  // A and B are the two halves of one 2d-dimensional Sobol sequence.
  boost::random::sobol engine(2 * d);
  const double a0_shift = pts[0][0];
  const double b0_shift = pts[1][0];
  for (int j = 1; j < n; ++j) {
    std::vector<double> x(2 * d);
    for (auto& v : x) v = static_cast<double>(engine()) * 0x1p-64;
    EXPECT_LT(circular(frac(pts[static_cast<std::size_t>(j * (d + 2))][0] - a0_shift), x[0]),
              1e-14);
    EXPECT_LT(circular(frac(pts[static_cast<std::size_t>(j * (d + 2) + 1)][0] - b0_shift), x[d]),
              1e-14);
  }
  EXPECT_THROW(SampleDesign(SamplingMethod::saltelli, 4, 0, 1), std::invalid_argument);
}

TEST(SampleDesign, PointIsIndependentOfThreadAndOrder) {
  for (SamplingMethod m : {SamplingMethod::monte_carlo, SamplingMethod::lhs, SamplingMethod::sobol,
                           SamplingMethod::saltelli}) {
    const SampleDesign d(m, 200, 6, 2024);
    const auto expected = all_points(d);
    std::vector<std::vector<double>> forward, backward;
    std::thread t1([&] { forward = all_points(d); });
    std::thread t2([&] { backward = all_points(d, true); });
    t1.join();
    t2.join();
    EXPECT_EQ(forward, expected) << method_name(m);
    EXPECT_EQ(backward, expected) << method_name(m);
  }
}

// ---------------------------------------------------------------------------------------
// The lever grid and applying samples

TEST(SweepSpec, GridOrderFirstLeverSlowest) {
  SweepSpec empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.policies(), 1);
  EXPECT_EQ(empty.samples_per_policy(), 1);
  EXPECT_EQ(empty.runs(), 1);
  EXPECT_TRUE(empty.lever_choice(0).empty());

  SweepSpec spec;
  spec.levers.push_back({"global.allocation", {"\"pro_rata\"", "\"max_min_fair\""}, {}});
  spec.levers.push_back(
      {"country.KOR.grid_add_mw_per_year", {"800", "1600", "3200"}, {800, 1600, 3200}});
  spec.samples = 10;
  EXPECT_EQ(spec.policies(), 6);
  EXPECT_EQ(spec.samples_per_policy(), 10);
  EXPECT_EQ(spec.runs(), 60);
  EXPECT_EQ(spec.lever_choice(0), (std::vector<int>{0, 0}));
  EXPECT_EQ(spec.lever_choice(1), (std::vector<int>{0, 1}));
  EXPECT_EQ(spec.lever_choice(2), (std::vector<int>{0, 2}));
  EXPECT_EQ(spec.lever_choice(3), (std::vector<int>{1, 0}));
  EXPECT_EQ(spec.lever_choice(5), (std::vector<int>{1, 2}));

  spec.method = SamplingMethod::saltelli;
  spec.uncertain.resize(4);
  EXPECT_EQ(spec.samples_per_policy(), 10 * (4 + 2));
  EXPECT_EQ(spec.runs(), 6 * 60);
}

// A sampled PUE (or it_mw, pipeline_mw, grid_mw) that makes the start state draw more
// than grid_mw raises grid_mw to the draw; one that does not leaves it alone.
TEST(ApplySamples, RaisesTheGridToWhatASampledStartStateDraws) {
  RunParams p = sovcap::testing::unconstrained(2);
  for (int c = 0; c < 2; ++c) {
    p.countries.at(c, CountryParam::it_mw) = 100.0;
    p.countries.at(c, CountryParam::pipeline_mw) = 60.0;
    p.countries.at(c, CountryParam::pue) = 1.25;
  }
  p.countries.at(0, CountryParam::grid_mw) = 200.0;  // exactly (100 + 60) * 1.25
  p.countries.at(1, CountryParam::grid_mw) = 400.0;  // room to spare
  SweepSpec spec;
  Uncertain pue = make(Distribution::uniform, 1.0, 1.5);
  pue.multiply = true;
  pue.target = {ParamScope::country, static_cast<int>(CountryParam::pue), -1, -1, 0};
  spec.uncertain = {pue};
  auto q = p;
  const double up[] = {0.8};  // factor 1.4: pue 1.75, the start draws 280 MW
  apply_samples(spec, up, q);
  EXPECT_DOUBLE_EQ(q.countries.at(0, CountryParam::pue), 1.75);
  EXPECT_DOUBLE_EQ(q.countries.at(0, CountryParam::grid_mw), 160.0 * 1.75);
  EXPECT_DOUBLE_EQ(q.countries.at(1, CountryParam::grid_mw), 400.0);
  auto r = p;
  const double down[] = {0.2};  // factor 1.1: pue 1.375, draws 220 MW
  apply_samples(spec, down, r);
  EXPECT_DOUBLE_EQ(r.countries.at(0, CountryParam::grid_mw), 160.0 * 1.375);
  // Sampling something else leaves grid_mw as loaded, even where it is tight.
  Uncertain other = make(Distribution::uniform, 0.5, 1.5);
  other.multiply = true;
  other.target = {ParamScope::country, static_cast<int>(CountryParam::budget_usd_per_year), -1, -1, 0};
  spec.uncertain = {other};
  auto s = p;
  s.countries.at(0, CountryParam::grid_mw) = 199.0;  // not a valid start, to show it is untouched
  apply_samples(spec, up, s);
  EXPECT_EQ(s.countries.at(0, CountryParam::grid_mw), 199.0);
}

// dist = "from_sources" (issue 14): triangular on the data's own range around the data's
// value. The draw replaces the data's value to the bit; a run value that differs (a lever's)
// is scaled by draw / data value, its schedule too, and truncation keeps the scaled value in
// the parameter's range.
TEST(ApplySamples, FromSourcesReplacesTheDataValueAndScalesAChangedOne) {
  RunParams p = sovcap::testing::unconstrained(2);
  const int pue = static_cast<int>(CountryParam::pue);
  p.countries.at(0, CountryParam::pue) = 1.3;  // the data's value
  p.countries.at(1, CountryParam::pue) = 3.0;  // a lever's 3 for the data's 1.5
  p.countries.set_schedule(1, CountryParam::pue, Schedule{{2026, 3.0}, {2030, 4.0}});
  auto entry = [&](int c, double low, double value, double high) {
    Uncertain x = make(Distribution::triangular, low, value, high);
    x.multiply = true;
    x.from_sources = true;
    x.data_value = value;
    x.lo = spec(CountryParam::pue).lo;
    x.hi = spec(CountryParam::pue).hi;  // 5
    x.target = {ParamScope::country, pue, c, -1, 0};
    return x;
  };
  SweepSpec spec;
  spec.uncertain = {entry(0, 1.2, 1.3, 1.6), entry(1, 1.4, 1.5, 2.0)};
  const double u[] = {0.3, 0.3};
  apply_samples(spec, u, p);
  // The first: 0.3 > (1.3 - 1.2) / 0.4 = 0.25, so 1.6 - sqrt(0.7 * 0.4 * 0.3) = 1.31017,
  // the draw itself (the run uses the data's value).
  EXPECT_NEAR(p.countries.at(0, CountryParam::pue), 1.6 - std::sqrt(0.084), 1e-12);
  EXPECT_EQ(p.countries.at(0, CountryParam::pue), spec.uncertain[0].quantile(0.3, 1.0));
  // The second: 0.3 > 0.1 / 0.6, so 2 - sqrt(0.7 * 0.6 * 0.5) = 1.54174; the run holds
  // twice that (the lever's 3 over the data's 1.5), and its schedule's points are scaled by
  // draw / 1.5.
  const double other = 2.0 - std::sqrt(0.21);
  EXPECT_NEAR(spec.uncertain[1].quantile(0.3, 2.0), other, 1e-12);
  EXPECT_NEAR(p.countries.at(1, CountryParam::pue), 2.0 * other, 1e-12);
  const Schedule* s = p.countries.schedule(1, CountryParam::pue);
  ASSERT_NE(s, nullptr);
  EXPECT_NEAR((*s)[0].value, 3.0 * other / 1.5, 1e-12);
  EXPECT_NEAR((*s)[1].value, 4.0 * other / 1.5, 1e-12);
  // Within its own range at every probe; a changed value stays within the parameter's
  // range: under a lever of 4.5 (three times 1.5) the draw is truncated at 5 / 3.
  for (double q : probes()) {
    const double a = spec.uncertain[0].quantile(q, 1.0), b = spec.uncertain[1].quantile(q, 1.0);
    EXPECT_TRUE(a >= 1.2 && a <= 1.6) << q;
    EXPECT_TRUE(b >= 1.4 && b <= 2.0) << q;
    EXPECT_LE(spec.uncertain[1].quantile(q, 3.0) * 3.0, 5.0) << q;
  }
}

TEST(ApplySamples, WritesEveryTargetKind) {
  RunParams p = sovcap::testing::unconstrained(3);
  p.global.supply_shocks = {{2028.0, 2029.0, 0.5}, {2031.0, 2032.0, 0.7}};
  for (int c = 0; c < 3; ++c) p.countries.at(c, CountryParam::workforce_growth) = 100.0 * (c + 1);
  const RunParams before = p;

  SweepSpec spec;
  Uncertain g = make(Distribution::uniform, 0.1, 0.4);  // a global parameter
  g.target = {ParamScope::global, static_cast<int>(GlobalParam::vendor_supply_growth), -1, -1, 0};
  Uncertain one = make(Distribution::uniform, 1.1, 1.3);  // one country
  one.target = {ParamScope::country, static_cast<int>(CountryParam::pue), 1, -1, 0};
  Uncertain every = make(Distribution::uniform, 0.5, 1.5);  // every country, multiplied
  every.multiply = true;
  every.target = {ParamScope::country, static_cast<int>(CountryParam::workforce_growth), -1, -1, 0};
  Uncertain all = make(Distribution::uniform, 0.5, 1.0);  // every country, replaced
  all.target = {ParamScope::country, static_cast<int>(CountryParam::domestic_perf_ratio), -1, -1,
                0};
  Uncertain shock = make(Distribution::uniform, 0.3, 0.8);  // a shock field
  shock.target = {ParamScope::global, -1, -1, 1, 2};
  Uncertain start = make(Distribution::uniform, 2030.0, 2031.0);
  start.target = {ParamScope::global, -1, -1, 0, 0};
  spec.uncertain = {g, one, every, all, shock, start};

  const double u[] = {0.5, 0.25, 0.75, 0.2, 0.4, 0.5};
  apply_samples(spec, u, p);
  EXPECT_DOUBLE_EQ(p.global[GlobalParam::vendor_supply_growth], 0.25);
  EXPECT_DOUBLE_EQ(p.countries.at(1, CountryParam::pue), 1.15);
  EXPECT_DOUBLE_EQ(p.countries.at(0, CountryParam::pue), before.countries.at(0, CountryParam::pue));
  EXPECT_DOUBLE_EQ(p.countries.at(2, CountryParam::pue), before.countries.at(2, CountryParam::pue));
  for (int c = 0; c < 3; ++c) {
    EXPECT_DOUBLE_EQ(p.countries.at(c, CountryParam::workforce_growth), 1.25 * 100.0 * (c + 1));
    EXPECT_DOUBLE_EQ(p.countries.at(c, CountryParam::domestic_perf_ratio), 0.6);
  }
  EXPECT_DOUBLE_EQ(p.global.supply_shocks[1].factor, 0.5);
  EXPECT_DOUBLE_EQ(p.global.supply_shocks[1].start, 2031.0);
  EXPECT_DOUBLE_EQ(p.global.supply_shocks[0].start, 2030.5);
  EXPECT_DOUBLE_EQ(p.global.supply_shocks[0].factor, 0.5);
  // Nothing else changed.
  for (int k = 0; k < kNumGlobalParams; ++k) {
    if (k == static_cast<int>(GlobalParam::vendor_supply_growth)) continue;
    const auto i = static_cast<std::size_t>(k);
    EXPECT_EQ(p.global.values[i], before.global.values[i]);
  }
  EXPECT_DOUBLE_EQ(p.countries.at(0, CountryParam::it_mw),
                   before.countries.at(0, CountryParam::it_mw));
}

}  // namespace
