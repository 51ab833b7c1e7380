#pragma once
// Sweeps: a full grid of policy levers times a design of sampled uncertain parameters.
// Every lever combination (a policy) is evaluated on the same sampled futures (common
// random numbers), so policies are compared on equal terms. Run index = policy * S + sample
// with S = SweepSpec::samples_per_policy().

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sovcap/params.hpp"

namespace sovcap {

enum class Distribution { uniform, normal, lognormal, triangular, choice };
enum class SamplingMethod { monte_carlo, lhs, sobol, saltelli };

std::string_view distribution_name(Distribution d);
// The keys of `{dist = "NAME", ...}` that each distribution takes, besides dist and
// multiply (choice: weights is optional). The loader reads these; the docs list them.
std::vector<std::string_view> distribution_keys(Distribution d);
inline constexpr int kNumDistributions = 5;
std::string_view method_name(SamplingMethod m);

// Where a swept value goes in RunParams.
struct ParamTarget {
  ParamScope scope = ParamScope::global;
  int index = -1;    // GlobalParams::values / CountryParams column; -1: a supply-shock field
  int country = -1;  // country scope: the country index, or -1 for every country
  int shock = -1;    // supply_shocks[shock].{start,end,factor} when index == -1
  int shock_field = 0;  // 0 start, 1 end, 2 factor
};

// One uncertain parameter and its distribution. Parameters by distribution:
//   uniform: a = low, b = high
//   normal: a = mean, b = sd
//   lognormal: a = median, b = sigma (of the log)
//   triangular: a = low, b = mode, c = high
//   choice: values (and weights, summing to 1; empty: equal)
// With `multiply`, the sampled value multiplies the parameter's resolved value instead of
// replacing it (e.g. every country's workforce_growth times U(0.5, 1.5)).
struct Uncertain {
  std::string key;  // as written: "global.vendor_supply", "country.KOR.pue", "country.*.pue"
  ParamTarget target;
  Distribution dist = Distribution::uniform;
  double a = 0.0, b = 0.0, c = 0.0;
  std::vector<double> values, weights;
  bool multiply = false;
  // Allowed range of the resulting parameter value (from the registry); the distribution
  // is truncated to it, so every sample is a valid parameter value.
  double lo = -kInf, hi = kInf;
  bool lo_open = false, hi_open = false;
  // dist = "from_sources": a triangular distribution on the data set's own range for one
  // country's or a global value (a = low, b = the data's value as the mode, c = high),
  // `data_value` the value that range is given for (a schedule's first point), and
  // `multiply` is set. The draw replaces data_value; a run
  // value that differs from it (a lever's, a [country.ISO3] or --set value, a schedule's
  // points) is scaled by draw / data_value. `source` says where the range stands.
  bool from_sources = false;
  double data_value = 1.0;
  std::string source;

  // What a multiplied draw is multiplied by in a run whose resolved value is `resolved`:
  // the value itself, or for from_sources the ratio to the data's value (1 when the run
  // uses the data's value, so the draw is the value to the bit).
  double base_of(double resolved) const { return from_sources ? resolved / data_value : resolved; }

  // The sampled value (before `multiply` is applied) for u in (0, 1). `base` is the
  // resolved value it multiplies (ignored unless multiply), used for truncation. Throws
  // std::domain_error when the distribution has no mass in the allowed range.
  double quantile(double u, double base = 1.0) const;
  // Probability the untruncated distribution gives to the allowed range (with `multiply`:
  // the range divided by base); the loader rejects a distribution for which it is 0.
  double mass(double base = 1.0) const;
};

// A policy lever: alternative values of one key, each a TOML value text applied like
// --set KEY=VALUE (so levers may be lists, tables or names, validated like any input).
struct Lever {
  std::string key;
  std::vector<std::string> values;  // TOML value texts, e.g. "800", "[[2030, 1000]]"
  std::vector<double> numeric;      // the values as numbers when they all are; else empty
};

struct SweepSpec {
  std::vector<Lever> levers;        // full grid, first lever slowest
  std::vector<Uncertain> uncertain;
  SamplingMethod method = SamplingMethod::monte_carlo;
  int samples = 1;  // base samples N (saltelli: runs per policy are N * (d + 2))

  bool empty() const { return levers.empty() && uncertain.empty(); }
  int policies() const;            // product of lever sizes (1 with no levers)
  int samples_per_policy() const;  // N, or N * (d + 2) for saltelli
  long long runs() const { return static_cast<long long>(policies()) * samples_per_policy(); }
  // Lever value index of each lever for policy p (first lever slowest).
  std::vector<int> lever_choice(int policy) const;
};

// Most dimensions the Sobol tables cover (sobol: uncertain parameters; saltelli: twice them).
inline constexpr int kMaxSobolDimensions = 3667;

// Points of the unit hypercube for the design, one per sample of a policy, derived from the
// seed and the sample index alone (so any block of runs can be generated independently,
// in any order, on any thread, with identical results). Sobol and Saltelli designs use the
// whole Sobol sequence from its origin (so every first 2^m points are balanced) with a
// random shift per dimension drawn from the seed, which also keeps points off 0.
class SampleDesign {
 public:
  SampleDesign(SamplingMethod method, int samples, int dims, std::uint64_t seed);
  int samples_per_policy() const;
  int dims() const { return dims_; }
  // u[0..dims) in (0, 1) for sample s of [0, samples_per_policy()).
  void point(long long s, double* u) const;
  // Saltelli designs: which matrix sample s comes from (0: A, 1: B, 2 + i: AB_i, the A row
  // with column i taken from B) and its base row in [0, samples). -1 / s otherwise.
  int saltelli_matrix(long long s) const;
  long long base_row(long long s) const;

 private:
  SamplingMethod method_;
  int samples_;
  int dims_;
  std::uint64_t seed_;
  std::vector<std::uint32_t> lhs_perm_;  // [dim * samples + s]: stratum of sample s (LHS)
  std::vector<double> shift_;            // per dimension, random shift of the Sobol points
  std::vector<std::uint64_t> sobol_dirs_;  // [bit * sobol dims + dim]: direction numbers
};

// Applies one run's sampled values to a copy of the policy's parameters. Where known is
// given, known[i] is spec.uncertain[i].quantile(u[i], known_base[i]) (build_run's
// RunInfo::sampled): taken, not recomputed, wherever the value to replace or scale gives
// that base bit for bit (46 quantiles a run in scenarios/robustness.toml).
void apply_samples(const SweepSpec& spec, const double* u, RunParams& params,
                   const double* known = nullptr, const double* known_base = nullptr);

}  // namespace sovcap
