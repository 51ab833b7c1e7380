#pragma once
// PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), as EMA Workbench runs
// it for scenario discovery (ema_workbench.analysis.prim with its defaults): which box of
// the inputs holds the cases of interest (y = 1) densely.
//
// Peeling: from the box of the whole data, each step considers, per real input, cutting the
// points below its peel_alpha quantile (lower) or above its 1 - peel_alpha quantile
// (upper) among the points in the box, and per categorical input with two or more categories
// left, removing one category. Each candidate is scored by EMA's default objective
// ("lenient1"): (density of the candidate - density of the box) / points removed. The best
// candidate is taken (ties: the one leaving more inputs unrestricted, then the first in
// input order, lower before upper) while its score is > 0 and its mass (points / all
// points) stays >= mass_min.
// Pasting, after peeling: per restricted real input, the points outside the box on that
// input alone (a slab below or above it) are candidates, and the limit moves to their
// 1 - paste_alpha (below) or paste_alpha (above) quantile; per categorical input, adding
// back one removed category. The best by the same objective is taken while it raises the
// density. Every step, pasted ones too, is kept: the peeling trajectory.
//
// Quantiles are EMA's get_quantile: position (n - 1) q of the sorted values; when the
// values either side of it are equal, the midpoint between that value and the next
// different one (above for q <= 0.5, below for q > 0.5), so a cut never splits ties.
// Candidates that remove (or add) no point, or remove every point, are not considered.

#include <cstdint>
#include <string>
#include <vector>

namespace sovcap {

struct PrimInput {
  std::string name;
  std::vector<double> values;  // one per point; categorical: the category's code
  int categories = 0;          // 0: real-valued; else codes are 0 .. categories - 1
};

// Limits of a box, per input: [lo, hi] of a real input (lo, hi unused for a categorical
// one), and for a categorical input kept[k] = 1 for each category in the box.
struct PrimBox {
  std::vector<double> lo, hi;
  std::vector<std::vector<std::uint8_t>> kept;
};

struct PrimOptions {
  double peel_alpha = 0.05;
  double paste_alpha = 0.05;
  double mass_min = 0.05;
};

struct PrimStep {
  PrimBox box;
  long long points = 0, cases = 0;  // in the box
  double coverage = 0.0;            // cases in the box / all cases
  double density = 0.0;             // cases in the box / points in the box
  double mass = 0.0;                // points in the box / all points
  bool pasted = false;
  std::vector<int> restricted;      // inputs the box restricts (narrower than the data's box)
};

struct PrimTrajectory {
  PrimBox init;                 // the data's box: each real input's min and max, every category
  std::vector<PrimStep> steps;  // steps[0] is init; then each peel, then each paste
};

// The box of points `rows` (indices into the inputs; a point may appear more than once).
PrimBox data_box(const std::vector<PrimInput>& x, const std::vector<long long>& rows);
bool in_box(const std::vector<PrimInput>& x, const PrimBox& box, long long point);
// The inputs `box` restricts against `init`, in input order.
std::vector<int> restricted_inputs(const std::vector<PrimInput>& x, const PrimBox& box, const PrimBox& init);

// The trajectory of PRIM over the points `rows` with outcomes y (1: a case of interest),
// starting from `init` (data_box of the data; covering passes the first data's box again).
// Mass and coverage are fractions of `total_points` and `total_cases`. Throws
// std::invalid_argument for inputs of different lengths, a bad code or bad options.
PrimTrajectory prim(const std::vector<PrimInput>& x, const std::vector<std::uint8_t>& y,
                    const std::vector<long long>& rows, const PrimBox& init, long long total_points,
                    long long total_cases, const PrimOptions& options);
// Over every point.
PrimTrajectory prim(const std::vector<PrimInput>& x, const std::vector<std::uint8_t>& y,
                    const PrimOptions& options);

// The suggested step: the highest density among steps whose coverage is at least
// min_coverage times that of step 0 (1 for a first box; a later box of covering starts
// from the cases the boxes before left), ties to the higher coverage, then the earlier
// step. Step 0 always qualifies.
int suggested_step(const PrimTrajectory& t, double min_coverage);

// EMA Workbench's quasi-p-value of each restriction of `step`: with input j's restriction
// removed the box holds T_j points of which H_j are cases; the one-sided binomial test
// P(X >= H) for X ~ Binomial(T, H_j / T_j), with T and H the points and cases of the box.
// Small: the restriction matters. NaN for inputs the box does not restrict.
std::vector<double> quasi_p_values(const std::vector<PrimInput>& x, const std::vector<std::uint8_t>& y,
                                   const std::vector<long long>& rows, const PrimTrajectory& t, int step);

// Upper tail P(X >= k) of X ~ Binomial(n, p).
double binomial_upper_tail(long long k, long long n, double p);

// How often each restriction recurs: PRIM rerun on `resamples` bootstrap resamples of
// `rows` (drawn with replacement, resample r from a stream seeded by (seed, r), so the
// result does not depend on threads), and in each resample's trajectory the step closest
// in coverage and the step closest in density to `step` (EMA's PrimBox.resample; EMA
// takes half-size subsamples without replacement). Per input, the share of resamples
// in which that step restricts it.
struct PrimRecurrence {
  int resamples = 0;
  std::uint64_t seed = 0;
  std::vector<double> at_coverage, at_density;  // per input, in [0, 1]
};
PrimRecurrence recurrence(const std::vector<PrimInput>& x, const std::vector<std::uint8_t>& y,
                          const std::vector<long long>& rows, const PrimOptions& options,
                          const PrimStep& step, int resamples, std::uint64_t seed);

}  // namespace sovcap
