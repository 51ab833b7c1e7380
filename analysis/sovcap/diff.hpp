#pragma once
// `sovcap diff A.h5 B.h5`: what changed between two results files. Per country, every
// metric of `sovcap summarize` (its CSV columns, over the complete runs of each file) for
// A, for B and B - A: policy by policy where the files have the same policies (the same
// policy numbers with the same lever values), else over every run pooled (or with `pool`).
// When A and B are sweeps over the same futures (the same runs, each with the same policy,
// sample and sampled values: the same seed, design and uncertain keys), also the paired
// differences, run r of B minus run r of A: their mean and 10/50/90th percentiles for each
// per-run metric (reach years, values at the horizon). A reach year never reached counts
// there as the horizon + dt, as in `sovcap sensitivity`.
//
// Files of different designs still get the unpaired table; the paired differences are
// then left out and `unpaired_reason` says why (or, with `require_paired`, the request is
// refused with that reason).

#include <string>
#include <utility>
#include <vector>

namespace sovcap {

class ResultsReader;

// One summary metric of one country, named as the column of `sovcap summarize --format csv`
// (year_reach_p50, it_mw_2030.00, bottleneck_2026-2028, ...), each file's summary pooling
// all its complete runs at its default years and periods.
struct DiffMetric {
  std::string name;
  std::string a, b;    // as text: a number, "never", a bottleneck name; "" where unavailable
  bool numeric = false;
  double a_value = 0.0, b_value = 0.0;  // numeric: +inf for never, NaN where unavailable
  double delta = 0.0;  // b - a; 0 when equal (never in both too); NaN when undefined
  bool changed = false;
};

// One per-run metric, over the runs paired.
struct PairedMetric {
  std::string name;  // year_gw_reached, it_mw_final, ...
  std::string units;
  long long runs = 0;  // runs paired: complete in both, of the policy
  double mean_a = 0.0, mean_b = 0.0;
  double mean = 0.0, p10 = 0.0, p50 = 0.0, p90 = 0.0;  // of B - A, run by run
  long long censored_a = 0, censored_b = 0;            // reach years never reached
};

struct CountryDiff {
  std::string iso3, name;
  int policy = -1;  // -1: every run of each file, pooled
  std::vector<std::pair<std::string, std::string>> levers;  // the policy's (FileSummary::levers)
  std::vector<DiffMetric> metrics;
  std::vector<PairedMetric> paired;  // empty unless the report is paired
};

struct DiffRequest {
  std::string countries;        // "KOR,FRA", or "" for every country in both files
  bool pool = false;            // pool the runs of every policy even where both files share them
  bool require_paired = false;  // refuse files of different designs
};

struct DiffReport {
  std::string path_a, path_b;
  long long runs_a = 0, runs_b = 0;  // complete runs summarised
  bool apart = false;  // policy by policy (countries[] by policy, then country)
  bool paired = false;
  long long paired_runs = 0;
  std::string unpaired_reason;  // why there are no paired differences ("" when paired)
  double never_year = 0.0;      // what a never-reached year counts as in paired differences
  std::vector<CountryDiff> countries;
  std::vector<std::string> only_a, only_b;  // countries in one file only (left out)
  std::vector<std::string> warnings;
};

// Throws RequestError for a missing or non-sovcap file, an unknown country, or (with
// require_paired) files that are not sweeps over the same futures.
DiffReport diff_report(const std::string& path_a, const std::string& path_b, const DiffRequest& request);

// Whether A and B are sweeps over the same futures: "" when they are, else why not.
std::string unpaired_reason(const ResultsReader& a, const ResultsReader& b);

enum class DiffFormat { text, csv, json, markdown };

// Text: a table per country (metric, A, B, B-A), then the paired differences, under a
// heading per policy when apart. CSV: one row per policy, country and metric (kind
// "summary" or "paired"; policy empty when pooled, never as inf, unavailable empty). JSON:
// {"a", "b", "paired", ..., "countries": [{"iso3", "name", "policy", "levers", "metrics":
// {NAME: {"a", "b", "delta", "changed"}}, "paired": {NAME: {"a", "b", "delta", "p10",
// "p50", "p90", "runs", ...}}}]}, numbers as numbers, never as "never", unavailable and
// undefined as null, policy null when pooled. Markdown: what changed, as lists (the
// "Against baseline" lists of docs/scenarios.md): the median years 1 GW and the final
// target are reached, the dominant bottleneck per period, and effective compute at the last
// year where it moved by more than 1%, each item "ISO3 (policy P)" when apart.
std::string render(const DiffReport& report, DiffFormat format);

}  // namespace sovcap
