#pragma once
// `sovcap robustness`: how each policy of a sweep fares across the futures every policy
// meets (common random numbers: policy p and policy q are run on the same sample s), in
// the manner of Rhodium's regret and satisficing measures. Per policy and country: the
// metric's mean and 10/50/90th percentiles over the futures; its regret in each future,
// the best policy's value there minus its own, oriented so that larger is better (with
// `minimize`, smaller is better and regret is its value minus the best); the mean and
// maximum regret (Savage's minimax regret picks the least maximum); the share of futures
// in which it is the best (ties count for each policy tied; values within a relative 1e-9,
// floating-point rounding, are ties); and, with a threshold, the
// share of futures that satisfy it (value >= threshold, or <= with `minimize`).
//
// Only futures whose run is complete in every policy count. A reach year never reached
// counts as the horizon + dt (censored at the end of the run), so a policy that never gets
// there has the largest regret a year metric can show within the run.

#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "sovcap/sensitivity_report.hpp"

namespace sovcap {

struct RobustnessStats {
  double mean = 0.0, p10 = 0.0, p50 = 0.0, p90 = 0.0;
  double mean_regret = 0.0, max_regret = 0.0;
  double p_best = 0.0;     // share of futures where no policy does better
  double p_satisfy = 0.0;  // NaN without a threshold
};

// The statistics of each policy (a row of `values`: [policy, future]) over the futures
// (columns). Every value must be finite.
std::vector<RobustnessStats> robustness_stats(const Eigen::ArrayXXd& values, bool minimize,
                                              std::optional<double> threshold);

// The runs of a common-random-numbers sweep: run[p][f] is the file's run of policy
// policies[p] in future f (sample samples[f]); only samples complete in every policy.
struct SharedFutures {
  std::vector<int> policies;
  std::vector<long long> samples;
  std::vector<std::vector<long long>> run;
  long long left_out = 0;  // samples complete in some policies only
};

// The futures every policy of the file meets. Throws RequestError for a file with one
// policy, without a sample shared by every policy, or whose policies drew different
// values (sampled.KEY) for one sample: not a common-random-numbers design.
SharedFutures shared_futures(const ResultsReader& in);

struct RobustnessRequest {
  std::string metric;           // as for `sovcap sensitivity --metric`
  std::string country = "all";  // an ISO3 code, or all
  std::optional<double> threshold;
  bool minimize = false;
};

struct RobustnessPolicy {
  int policy = 0;
  std::vector<std::string> levers;     // the TOML text of each lever's value
  std::vector<RobustnessStats> stats;  // per country of the report
};

struct RobustnessReport {
  std::string path;
  SensitivityMetric metric;
  bool minimize = false;
  std::optional<double> threshold;
  double never_year = 0.0;  // what a reach year never reached counts as
  bool all_countries = false;
  std::vector<std::string> iso3, names;  // the countries reported
  std::vector<std::string> lever_keys;
  long long futures = 0;
  std::vector<long long> censored;       // per country: runs (of every policy) never reaching
  std::vector<RobustnessPolicy> policies;
  std::vector<std::string> warnings;
};

// The report of `request` on the results file at `path`. Throws RequestError when there is
// no sovcap results file there, the metric or country is not in it, or it is not a
// common-random-numbers sweep of two or more policies.
RobustnessReport robustness_report(const std::string& path, const RobustnessRequest& request);

enum class RobustnessFormat { text, json };

// One country: a row per policy (its levers, then the statistics). Every country: the mean
// regret per country (rows) and policy (columns). JSON: one country gives {"policies":
// [{"policy", "levers": {KEY: VALUE}, "mean", "p10", "p50", "p90", "mean_regret",
// "max_regret", "p_best", "p_satisfy"}]}; every country gives the same statistics per
// policy under "countries": {ISO3: {...}}.
std::string render(const RobustnessReport& report, RobustnessFormat format);

}  // namespace sovcap
