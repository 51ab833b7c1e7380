#pragma once
// Variance-based (Sobol) sensitivity indices from the outputs of a Saltelli design
// (SampleDesign with SamplingMethod::saltelli; `saltelli_matrix` and `base_row` in a
// results file): for each uncertain input i, the first-order index S_i (the share of the
// output's variance explained by input i alone) and the total index ST_i (the share that
// involves input i, interactions included), with bootstrap confidence intervals.
//
// Estimators, with f_A, f_B, f_ABi the outputs of the N base rows of matrices A, B and
// AB_i (A with column i taken from B), and V the variance of the 2N values [f_A, f_B]
// (divided by 2N):
//   first order (Saltelli et al. 2010):  S_i  = mean(f_B (f_ABi - f_A)) / V
//   total       (Jansen 1999):           ST_i = mean((f_A - f_ABi)^2) / (2 V)
// The outputs are first centred on the mean of the whole design (all N (d + 2) values) and
// scaled by their standard deviation: the indices are unchanged in expectation, but the
// first-order sum no longer loses digits to a large mean (years near 2030, FLOP/s near
// 1e20). These are exactly the estimators of SALib's `sobol.analyze` (which also
// normalises the outputs so, and takes V with ddof = 0).
//
// Confidence intervals: the N base rows are resampled with replacement (each a whole row of
// d + 2 outputs, so resamples keep the design's pairing), both indices are recomputed on
// each resample (on the same centred outputs), and the interval is the central percentile
// interval of the resampled values (linear interpolation between order statistics, as
// numpy's default). Resample indices come from std::mt19937_64 seeded with the seed, drawn
// without modulo bias, so results are identical on every platform and every call with the
// same seed and N resamples the same rows. For a quasi-random (Sobol) design the bootstrap,
// which treats rows as independent, tends to give intervals wider than the true error.
//
// NaN outputs (a year never reached) must be mapped by the caller before: sobol_indices
// rejects non-finite values.

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

namespace sovcap {

struct SobolOptions {
  int bootstrap = 1000;       // resamples of the base rows; 0: no intervals (NaN)
  double confidence = 0.95;   // central percentile interval, in (0, 1)
  std::uint64_t seed = 0;     // of the resample draws
};

struct SobolIndices {
  long long rows = 0;      // N, base rows used
  int dims = 0;            // d, uncertain inputs
  double mean = 0.0;       // of the 2N outputs of A and B
  double variance = 0.0;   // V, of the 2N outputs of A and B (divided by 2N)
  // Per input (d values each); NaN where `note` says why.
  std::vector<double> first, first_lo, first_hi;
  std::vector<double> total, total_lo, total_hi;
  int resamples = 0;       // bootstrap resamples with a defined value (V > 0 in the resample)
  std::string note;        // why the indices are NaN ("" when they are defined)
};

// Indices from y, N rows (base rows) by d + 2 columns: column 0 f(A), 1 f(B), 2 + i f(AB_i).
// Throws std::invalid_argument for fewer than 3 columns, a non-finite output, or bad
// options. With V = 0 (every output the same) or N < 2, every index and interval is NaN and
// `note` says why; a resample with V = 0 is left out of the intervals.
SobolIndices sobol_indices(const Eigen::Ref<const Eigen::ArrayXXd>& y, const SobolOptions& options = {});

// The N x (d + 2) table of sobol_indices from the outputs of a Saltelli design in sample
// order (sample s = j (d + 2) + m: base row j, matrix m, as SampleDesign numbers them).
// Throws std::invalid_argument when f.size() is not a multiple of d + 2.
Eigen::ArrayXXd saltelli_table(const std::vector<double>& f, int dims);

// An unbiased draw in [0, n) from `engine` (the same on every platform, unlike
// std::uniform_int_distribution): resampling here and in PRIM's recurrence check.
std::uint64_t draw_below(std::mt19937_64& engine, std::uint64_t n);

// Central percentile interval of `values` at `confidence` (linear interpolation between
// order statistics); NaN, NaN when empty. Reorders `values`.
std::pair<double, double> percentile_interval(std::vector<double>& values, double confidence);

}  // namespace sovcap
