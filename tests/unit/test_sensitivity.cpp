// Sobol indices from a Saltelli design: the estimators against functions whose indices are
// known analytically (Ishigami, linear), bootstrap intervals, and the degenerate cases.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "sovcap/sensitivity.hpp"
#include "sovcap/sweep.hpp"

using namespace sovcap;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Outputs of f over every sample of a Saltelli design of N base rows and `dims` inputs, in
// sample order, as the sweep runs them.
template <class F>
std::vector<double> run_design(int n, int dims, std::uint64_t seed, F&& f) {
  const SampleDesign design(SamplingMethod::saltelli, n, dims, seed);
  std::vector<double> u(static_cast<std::size_t>(dims)), out;
  out.reserve(static_cast<std::size_t>(design.samples_per_policy()));
  for (long long s = 0; s < design.samples_per_policy(); ++s) {
    design.point(s, u.data());
    out.push_back(f(u));
  }
  return out;
}

// Ishigami: f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i uniform in [-pi, pi].
constexpr double kA = 7.0, kB = 0.1;
double ishigami(const std::vector<double>& u) {
  const double x1 = -kPi + 2.0 * kPi * u[0], x2 = -kPi + 2.0 * kPi * u[1], x3 = -kPi + 2.0 * kPi * u[2];
  return std::sin(x1) + kA * std::sin(x2) * std::sin(x2) + kB * std::pow(x3, 4) * std::sin(x1);
}

// Its analytic partial variances (e.g. Saltelli et al. 2008, Global Sensitivity Analysis:
// The Primer, section 4.9).
struct IshigamiTruth {
  double v1 = 0.5 * std::pow(1.0 + kB * std::pow(kPi, 4) / 5.0, 2);
  double v2 = kA * kA / 8.0;
  double v13 = kB * kB * std::pow(kPi, 8) * (1.0 / 18.0 - 1.0 / 50.0);
  double v = v1 + v2 + v13;
  std::vector<double> first{v1 / v, v2 / v, 0.0};
  std::vector<double> total{(v1 + v13) / v, v2 / v, v13 / v};
};

}  // namespace

TEST(SobolIndices, IshigamiAnalyticValues) {
  const IshigamiTruth truth;
  // The textbook values, as a check of the truth itself.
  EXPECT_NEAR(truth.first[0], 0.3139, 1e-4);
  EXPECT_NEAR(truth.first[1], 0.4424, 1e-4);
  EXPECT_NEAR(truth.total[0], 0.5576, 1e-4);
  EXPECT_NEAR(truth.total[2], 0.2437, 1e-4);

  const auto f = run_design(1 << 14, 3, 7, ishigami);
  SobolOptions opt;
  opt.bootstrap = 300;
  const SobolIndices s = sobol_indices(saltelli_table(f, 3), opt);
  ASSERT_EQ(s.rows, 1 << 14);
  ASSERT_EQ(s.dims, 3);
  EXPECT_TRUE(s.note.empty()) << s.note;
  EXPECT_NEAR(s.variance, truth.v, 0.02 * truth.v);
  // N = 2^14 Sobol base rows: the estimates are within 0.005 of the truth (within 0.001
  // with this seed).
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.first[i], truth.first[i], 0.005) << "S1 of x" << i + 1;
    EXPECT_NEAR(s.total[i], truth.total[i], 0.005) << "ST of x" << i + 1;
  }
}

TEST(SobolIndices, IshigamiBootstrapIntervalsCoverTheTruth) {
  const IshigamiTruth truth;
  // A small design, so that the intervals are wide enough to mean something.
  const auto f = run_design(1 << 10, 3, 11, ishigami);
  SobolOptions opt;  // default 1000 resamples, 95%
  const SobolIndices s = sobol_indices(saltelli_table(f, 3), opt);
  EXPECT_EQ(s.resamples, 1000);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_LE(s.first_lo[i], truth.first[i]) << "x" << i + 1;
    EXPECT_GE(s.first_hi[i], truth.first[i]) << "x" << i + 1;
    EXPECT_LE(s.total_lo[i], truth.total[i]) << "x" << i + 1;
    EXPECT_GE(s.total_hi[i], truth.total[i]) << "x" << i + 1;
    EXPECT_LE(s.first_lo[i], s.first[i]);
    EXPECT_GE(s.first_hi[i], s.first[i]);
    EXPECT_LE(s.total_lo[i], s.total[i]);
    EXPECT_GE(s.total_hi[i], s.total[i]);
    // Informative, not the whole of [0, 1].
    EXPECT_LT(s.first_hi[i] - s.first_lo[i], 0.25);
    EXPECT_LT(s.total_hi[i] - s.total_lo[i], 0.25);
  }
}

TEST(SobolIndices, BootstrapIsDeterministicFromTheSeed) {
  const auto f = run_design(256, 3, 3, ishigami);
  const auto y = saltelli_table(f, 3);
  SobolOptions opt;
  opt.bootstrap = 200;
  opt.seed = 5;
  const auto a = sobol_indices(y, opt), b = sobol_indices(y, opt);
  opt.seed = 6;
  const auto c = sobol_indices(y, opt);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(a.first_lo[i], b.first_lo[i]);
    EXPECT_EQ(a.total_hi[i], b.total_hi[i]);
    EXPECT_EQ(a.first[i], c.first[i]);  // the estimates do not depend on the seed
  }
  EXPECT_NE(a.first_lo[0], c.first_lo[0]);
  // No resamples: no intervals, same estimates.
  opt.bootstrap = 0;
  const auto none = sobol_indices(y, opt);
  EXPECT_EQ(none.resamples, 0);
  EXPECT_TRUE(std::isnan(none.first_lo[0]) && std::isnan(none.total_hi[2]));
  EXPECT_EQ(none.first[1], a.first[1]);
}

// The exact formulas, on the same design: first order Saltelli 2010, total Jansen 1999,
// V the variance of [f_A, f_B] divided by 2N, outputs centred on the whole design's mean.
TEST(SobolIndices, EstimatorsAreSaltelli2010AndJansen1999) {
  auto f = run_design(512, 3, 9, ishigami);
  for (auto& v : f) v = 2030.0 + v;  // a large mean, as for years
  const auto y = saltelli_table(f, 3);
  const double n = static_cast<double>(y.rows());
  const double m = y.mean();
  const Eigen::ArrayXd a = y.col(0) - m, b = y.col(1) - m;
  const double mean_ab = (a.sum() + b.sum()) / (2.0 * n);
  const double v = ((a - mean_ab).square().sum() + (b - mean_ab).square().sum()) / (2.0 * n);
  SobolOptions opt;
  opt.bootstrap = 0;
  const auto s = sobol_indices(y, opt);
  EXPECT_NEAR(s.variance, v, 1e-9 * v);
  EXPECT_NEAR(s.mean, m + mean_ab, 1e-9);
  for (Eigen::Index i = 0; i < 3; ++i) {
    const Eigen::ArrayXd e = y.col(2 + i) - m;
    const double s1 = (b * (e - a)).mean() / v;
    const double st = (a - e).square().mean() / (2.0 * v);
    EXPECT_NEAR(s.first[static_cast<std::size_t>(i)], s1, 1e-10) << i;
    EXPECT_NEAR(s.total[static_cast<std::size_t>(i)], st, 1e-10) << i;
  }
}

TEST(SobolIndices, HandComputedTable) {
  // N = 2, d = 1; rows (f_A, f_B, f_AB0). Mean 0, V = 1:
  // S = mean(f_B (f_AB - f_A)) = mean(-1 * (0 - 1), 1 * (0 + 1)) = 1;
  // ST = mean((f_A - f_AB)^2) / 2 = 0.5.
  Eigen::ArrayXXd y(2, 3);
  y << 1, -1, 0, -1, 1, 0;
  SobolOptions opt;
  opt.bootstrap = 0;
  const auto s = sobol_indices(y, opt);
  EXPECT_DOUBLE_EQ(s.variance, 1.0);
  EXPECT_DOUBLE_EQ(s.first[0], 1.0);
  EXPECT_DOUBLE_EQ(s.total[0], 0.5);
  // Scale does not matter.
  const auto s10 = sobol_indices(10.0 * y, opt);
  EXPECT_DOUBLE_EQ(s10.first[0], 1.0);
  EXPECT_DOUBLE_EQ(s10.total[0], 0.5);
}

TEST(SobolIndices, LinearModel) {
  // y = sum c_i x_i, x_i uniform: S_i = ST_i = c_i^2 / sum c_j^2 (no interactions).
  const std::vector<double> c = {1.0, 2.0, 3.0, 0.0};
  double sum_c2 = 0.0;
  for (double ci : c) sum_c2 += ci * ci;
  const auto f = run_design(1 << 12, 4, 21, [&](const std::vector<double>& u) {
    double y = 0.0;
    for (std::size_t i = 0; i < c.size(); ++i) y += c[i] * u[i];
    return y;
  });
  SobolOptions opt;
  opt.bootstrap = 200;
  const auto s = sobol_indices(saltelli_table(f, 4), opt);
  for (std::size_t i = 0; i < c.size(); ++i) {
    const double truth = c[i] * c[i] / sum_c2;
    EXPECT_NEAR(s.first[i], truth, 0.01) << i;
    EXPECT_NEAR(s.total[i], truth, 0.01) << i;
    EXPECT_LE(s.total_lo[i], truth + 1e-12) << i;
    EXPECT_GE(s.total_hi[i], truth - 1e-12) << i;
  }
  // A parameter with no effect: AB_3 equals A exactly, so ST is exactly 0.
  EXPECT_EQ(s.total[3], 0.0);
  EXPECT_EQ(s.first[3], 0.0);
}

TEST(SobolIndices, ConstantOutputIsNaNWithAReason) {
  const Eigen::ArrayXXd y = Eigen::ArrayXXd::Constant(64, 5, 2031.25);
  const auto s = sobol_indices(y);
  EXPECT_EQ(s.rows, 64);
  EXPECT_EQ(s.variance, 0.0);
  EXPECT_EQ(s.mean, 2031.25);
  EXPECT_NE(s.note.find("constant"), std::string::npos) << s.note;
  ASSERT_EQ(s.first.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(std::isnan(s.first[i]));
    EXPECT_TRUE(std::isnan(s.total[i]));
    EXPECT_TRUE(std::isnan(s.first_lo[i]));
    EXPECT_TRUE(std::isnan(s.total_hi[i]));
  }
  EXPECT_EQ(s.resamples, 0);
}

TEST(SobolIndices, DegenerateInputs) {
  // Non-finite outputs are the caller's to map.
  Eigen::ArrayXXd y = Eigen::ArrayXXd::Random(8, 4);
  y(3, 2) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(sobol_indices(y), std::invalid_argument);
  // Too few columns, bad options.
  EXPECT_THROW(sobol_indices(Eigen::ArrayXXd::Random(8, 2)), std::invalid_argument);
  SobolOptions bad;
  bad.confidence = 1.0;
  EXPECT_THROW(sobol_indices(Eigen::ArrayXXd::Random(8, 3), bad), std::invalid_argument);
  // One base row: no variance to speak of.
  const auto one = sobol_indices(Eigen::ArrayXXd::Random(1, 3));
  EXPECT_TRUE(std::isnan(one.first[0]));
  EXPECT_FALSE(one.note.empty());
}

TEST(SobolIndices, SaltelliTableFollowsTheDesignOrder) {
  const SampleDesign design(SamplingMethod::saltelli, 5, 2, 1);
  std::vector<double> f;
  for (long long s = 0; s < design.samples_per_policy(); ++s)
    f.push_back(100.0 * static_cast<double>(design.base_row(s)) + design.saltelli_matrix(s));
  const auto y = saltelli_table(f, 2);
  ASSERT_EQ(y.rows(), 5);
  ASSERT_EQ(y.cols(), 4);
  for (Eigen::Index j = 0; j < 5; ++j)
    for (Eigen::Index m = 0; m < 4; ++m) EXPECT_EQ(y(j, m), 100.0 * static_cast<double>(j) + static_cast<double>(m));
  EXPECT_THROW(saltelli_table(std::vector<double>(7), 2), std::invalid_argument);
}

TEST(SobolIndices, PercentileInterval) {
  std::vector<double> v = {5, 1, 4, 2, 3};
  const auto [lo, hi] = percentile_interval(v, 0.5);  // quantiles 0.25 and 0.75
  EXPECT_DOUBLE_EQ(lo, 2.0);
  EXPECT_DOUBLE_EQ(hi, 4.0);
  std::vector<double> w = {0.0, 1.0};
  const auto [lo2, hi2] = percentile_interval(w, 0.9);  // 0.05 and 0.95, interpolated
  EXPECT_DOUBLE_EQ(lo2, 0.05);
  EXPECT_DOUBLE_EQ(hi2, 0.95);
  std::vector<double> empty;
  EXPECT_TRUE(std::isnan(percentile_interval(empty, 0.95).first));
}
