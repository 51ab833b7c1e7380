#include "sovcap/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <tuple>

namespace sovcap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Sums over base rows from which both indices follow: over A and B for V, and per input
// sum f_B (f_ABi - f_A) and sum (f_A - f_ABi)^2.
struct Sums {
  double ab = 0.0, ab2 = 0.0;  // sum of f_A + f_B and of f_A^2 + f_B^2
  std::vector<double> first, total;
  explicit Sums(int d) : first(static_cast<std::size_t>(d), 0.0), total(static_cast<std::size_t>(d), 0.0) {}
  void reset() {
    ab = ab2 = 0.0;
    std::fill(first.begin(), first.end(), 0.0);
    std::fill(total.begin(), total.end(), 0.0);
  }
  // One base row: row[0] f_A, row[1] f_B, row[2 + i] f_ABi.
  void add(const double* row) {
    const double a = row[0], b = row[1];
    ab += a + b;
    ab2 += a * a + b * b;
    for (std::size_t i = 0; i < first.size(); ++i) {
      const double e = row[2 + i];
      first[i] += b * (e - a);
      total[i] += (a - e) * (a - e);
    }
  }
  // V over `n` rows; <= 0 when the outputs of A and B are (to rounding) all equal.
  double variance(double n) const {
    const double mean = ab / (2.0 * n);
    const double v = ab2 / (2.0 * n) - mean * mean;
    return v > 1e-12 * (ab2 / (2.0 * n)) ? v : 0.0;
  }
};

}  // namespace

std::uint64_t draw_below(std::mt19937_64& engine, std::uint64_t n) {
  // Reject the short tail above the last whole multiple of n.
  const std::uint64_t reject_below = (0 - n) % n;  // 2^64 mod n
  std::uint64_t r;
  do r = engine();
  while (r < reject_below);
  return r % n;
}

std::pair<double, double> percentile_interval(std::vector<double>& values, double confidence) {
  if (values.empty()) return {kNaN, kNaN};
  std::sort(values.begin(), values.end());
  auto quantile = [&](double p) {
    const double h = (static_cast<double>(values.size()) - 1.0) * p;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
  };
  return {quantile(0.5 * (1.0 - confidence)), quantile(0.5 * (1.0 + confidence))};
}

Eigen::ArrayXXd saltelli_table(const std::vector<double>& f, int dims) {
  if (dims < 1) throw std::invalid_argument("saltelli_table: dims must be >= 1");
  const auto cols = static_cast<std::size_t>(dims) + 2;
  if (f.size() % cols != 0)
    throw std::invalid_argument("saltelli_table: " + std::to_string(f.size()) +
                                " outputs are not a whole number of base rows of " +
                                std::to_string(cols) + " (d + 2) samples");
  const auto n = static_cast<Eigen::Index>(f.size() / cols);
  Eigen::ArrayXXd y(n, static_cast<Eigen::Index>(cols));
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index m = 0; m < y.cols(); ++m)
      y(j, m) = f[static_cast<std::size_t>(j) * cols + static_cast<std::size_t>(m)];
  return y;
}

SobolIndices sobol_indices(const Eigen::Ref<const Eigen::ArrayXXd>& y, const SobolOptions& options) {
  if (y.cols() < 3)
    throw std::invalid_argument("sobol_indices: need d + 2 >= 3 columns (A, B, AB_0, ...), got " +
                                std::to_string(y.cols()));
  if (options.bootstrap < 0) throw std::invalid_argument("sobol_indices: bootstrap must be >= 0");
  if (!(options.confidence > 0.0 && options.confidence < 1.0))
    throw std::invalid_argument("sobol_indices: confidence must be in (0, 1)");
  const int d = static_cast<int>(y.cols()) - 2;
  const Eigen::Index n = y.rows();
  for (Eigen::Index m = 0; m < y.cols(); ++m)
    for (Eigen::Index j = 0; j < n; ++j)
      if (!std::isfinite(y(j, m)))
        throw std::invalid_argument("sobol_indices: the output of base row " + std::to_string(j) +
                                    ", matrix " + (m == 0 ? std::string("A") : m == 1 ? std::string("B") : "AB_" + std::to_string(m - 2)) +
                                    " is not finite; map NaN outputs before");

  SobolIndices out;
  out.rows = n;
  out.dims = d;
  const auto nd = static_cast<std::size_t>(d);
  for (auto* v : {&out.first, &out.first_lo, &out.first_hi, &out.total, &out.total_lo, &out.total_hi})
    v->assign(nd, kNaN);
  out.mean = out.variance = kNaN;
  if (n < 2) {
    out.note = "fewer than 2 base rows";
    return out;
  }
  const auto ab = y.leftCols(2);
  out.mean = ab.mean();
  out.variance = (ab - out.mean).square().mean();
  if ((ab == y(0, 0)).all()) {
    out.variance = 0.0;
    out.note = "constant output: every run of A and B gives the same value";
    return out;
  }

  // Centred on the mean of the whole design and scaled by its standard deviation, row-major.
  const double grand_mean = y.mean();
  const double sd = std::sqrt((y - grand_mean).square().mean());
  const auto cols = static_cast<std::size_t>(y.cols());
  std::vector<double> z(static_cast<std::size_t>(n) * cols);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index m = 0; m < y.cols(); ++m)
      z[static_cast<std::size_t>(j) * cols + static_cast<std::size_t>(m)] = (y(j, m) - grand_mean) / sd;

  const double dn = static_cast<double>(n);
  Sums sums(d);
  for (std::size_t j = 0; j < static_cast<std::size_t>(n); ++j) sums.add(&z[j * cols]);
  const double v = sums.variance(dn);
  if (v <= 0.0) {
    out.note = "output varies too little to estimate indices (variance at rounding level)";
    return out;
  }
  for (std::size_t i = 0; i < nd; ++i) {
    out.first[i] = sums.first[i] / dn / v;
    out.total[i] = sums.total[i] / dn / (2.0 * v);
  }

  if (options.bootstrap == 0) return out;
  std::mt19937_64 engine(options.seed);
  const auto un = static_cast<std::uint64_t>(n);
  std::vector<std::vector<double>> first_b(nd), total_b(nd);
  for (std::size_t i = 0; i < nd; ++i) {
    first_b[i].reserve(static_cast<std::size_t>(options.bootstrap));
    total_b[i].reserve(static_cast<std::size_t>(options.bootstrap));
  }
  for (int b = 0; b < options.bootstrap; ++b) {
    sums.reset();
    for (Eigen::Index k = 0; k < n; ++k) sums.add(&z[draw_below(engine, un) * cols]);
    const double vb = sums.variance(dn);
    if (vb <= 0.0) continue;
    for (std::size_t i = 0; i < nd; ++i) {
      first_b[i].push_back(sums.first[i] / dn / vb);
      total_b[i].push_back(sums.total[i] / dn / (2.0 * vb));
    }
    ++out.resamples;
  }
  for (std::size_t i = 0; i < nd; ++i) {
    std::tie(out.first_lo[i], out.first_hi[i]) = percentile_interval(first_b[i], options.confidence);
    std::tie(out.total_lo[i], out.total_hi[i]) = percentile_interval(total_b[i], options.confidence);
  }
  return out;
}

}  // namespace sovcap
