#pragma once
// `sovcap discover`: scenario discovery in a results file. Which region of a sweep's
// sampled inputs (`sampled.*`) leads to a case of interest, such as "Korea's capacity in
// 2030 below 1 GW": PRIM (prim.hpp) over the runs, with the outcome y = 1 where a
// country's per-run metric is above (or below) a threshold. Over every policy, the policy
// levers that vary are inputs too (categorical); with a policy, its runs only. Choice
// distributions are categorical inputs (a box keeps a list of their values), every other
// input is real-valued. Only complete runs are used.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sovcap/prim.hpp"

namespace sovcap {

struct DiscoverRequest {
  std::string metric;   // see discover_metrics_help
  std::string country;  // an ISO3 code
  bool above = true;    // cases of interest: metric > threshold (false: metric < threshold)
  double threshold = std::numeric_limits<double>::quiet_NaN();
  std::string policy;   // a policy index, or "" for every policy
  PrimOptions prim;
  double min_coverage = 0.5;  // of the suggested box; see suggested_step
  int step = -1;              // the first box's trajectory step; -1: the suggested step
  int boxes = 1;              // covering: each next box over the runs outside the earlier ones
  int resamples = 50;         // bootstrap resamples of the recurrence check (0: none)
  std::uint64_t seed = 0;     // of the resamples
};

// The metrics --metric accepts, for help texts.
extern const char* const kDiscoverMetrics;

struct DiscoverInput {
  std::string key;       // as in the scenario: global.vendor_supply, country.*.pue, or a lever's key
  std::string variable;  // in the file: sampled.KEY or lever.KEY
  bool lever = false;
  // Categorical inputs: the categories as JSON values (numbers, or strings for text levers)
  // in code order; empty for a real-valued input.
  std::vector<std::string> categories;
};

struct DiscoverBox {
  int step = 0;                 // in its trajectory
  bool suggested = true;        // chosen by the rule, not by --box
  PrimStep s;
  std::vector<double> quasi_p;  // per input (NaN: not restricted)
  PrimRecurrence recurrence;
};

struct DiscoverReport {
  std::string path, iso3, name;
  std::string metric, units;
  bool reach = false;  // a reach year: "never" counts as +inf
  DiscoverRequest request;
  std::string levers;  // the policy's levers, "KEY = VALUE, ..." ("" without --policy or levers)
  long long runs_in_file = 0, runs_used = 0, cases = 0;
  std::vector<DiscoverInput> inputs;
  std::vector<PrimTrajectory> trajectories;  // one per box
  std::vector<DiscoverBox> boxes;            // best (first found) first
  std::string cases_by_run;  // per run of the file: '1' a case, '0' not, '.' not used
  std::vector<std::string> warnings;
};

// Scenario discovery of `request` in the results file at `path`. Throws RequestError when
// there is no readable file, no sampled input, or the country, metric, policy or threshold
// does not fit the file (a threshold that no run, or every run, crosses); OutputError when
// the file is damaged.
DiscoverReport discover(const std::string& path, const DiscoverRequest& request);

enum class DiscoverFormat { text, json };
// Text: the boxes with their limits, quasi-p-values and recurrence, then each trajectory.
// JSON: see docs/output-format.md ("Scenario discovery").
std::string render(const DiscoverReport& report, DiscoverFormat format);

}  // namespace sovcap
