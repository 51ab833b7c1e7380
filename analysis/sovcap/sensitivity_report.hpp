#pragma once
// `sovcap sensitivity`: Sobol indices (sensitivity.hpp for the estimators) of a metric of a
// results file over the uncertain parameters of its Saltelli sweep, per policy, country
// and, for a series, year. Only complete runs are used: a base row counts only with all
// d + 2 of its runs (A, B, AB_1..AB_d) complete and its outputs finite.

#include <limits>
#include <string>
#include <vector>

#include "sovcap/reader.hpp"
#include "sovcap/sensitivity.hpp"

namespace sovcap {

// What the indices are of.
struct SensitivityMetric {
  enum class Kind { reach_year, final_value, series } kind = Kind::reach_year;
  std::string name;             // variable (reach years, series) or read_final's name
  std::string label;            // as reported: year_gw_reached, it_mw_final, it_mw@2030
  std::string units;
  std::vector<int> time_index;  // series: the times, one slot each
};

// The metric of --metric `metric` (year_gw_reached, year_target_reached, it_mw_final,
// compute_flops_final, energy_twh_final, spend_usd_final, SERIES@YEAR) or, when `series`
// is not empty, of --series: SERIES at every whole year of the file's time axis. Throws
// RequestError for an unknown metric or series, one the file does not store, or a year
// that is not a time of the file.
SensitivityMetric sensitivity_metric(const ResultsReader& in, const std::string& metric,
                                     const std::string& series);

// The runs of one policy's Saltelli design: run[j * (d + 2) + m] is the file's run of
// base row j and matrix m, -1 where the file does not hold it complete.
struct SaltelliDesign {
  int policy = 0;
  long long base_rows = 0;  // the largest base row held + 1
  long long held = 0;       // base rows with at least one complete run in the file
  std::vector<long long> run;
  std::vector<long long> usable;  // base rows with all d + 2 runs complete
  long long first = 0, end = 0;   // runs [first, end) of the file hold them
};

// The design of each policy with a complete run, in policy order, from the file's
// saltelli_matrix, base_row and policy variables for `dims` uncertain keys. `incomplete`
// receives the number of runs not complete. Throws OutputError for a run outside the
// design or two runs in one slot.
std::vector<SaltelliDesign> saltelli_designs(const ResultsReader& in, int dims, long long& incomplete);

// One set of indices: a policy, a country and one output (a metric, or a series at a year).
struct SensitivityResult {
  int policy = 0;
  std::string levers;  // the policy's lever values, "KEY = VALUE, ..."; "" without levers
  int country = 0;     // index into SensitivityReport::iso3
  std::string metric;  // e.g. year_gw_reached, it_mw@2030
  double year = std::numeric_limits<double>::quiet_NaN();  // the time of a series value
  long long runs = 0;  // runs behind the indices: base rows x (d + 2)
  long long censored = 0;
  long long dropped_rows = 0;  // base rows left out for a non-finite output
  SobolIndices s;
};

struct SensitivityRequest {
  std::string metric;           // see sensitivity_metric; "" when `series` is given
  std::string series;
  std::string country = "all";  // an ISO3 code, or all
  std::string policy = "0";     // a policy index, or all (one after another)
  SobolOptions sobol;
};

struct SensitivityReport {
  std::string path;
  SensitivityMetric metric;
  std::vector<std::string> keys;         // the uncertain parameters
  std::vector<std::string> iso3, names;  // the file's countries
  SobolOptions sobol;
  // A reach year never reached counts as the horizon + dt: censored at the end of the run.
  double censor_year = 0.0;
  std::vector<SensitivityResult> results;  // by policy, then year slot, then country
  std::vector<std::string> warnings;       // a shard, incomplete runs, base rows left out
};

// The indices of `request` from the results file at `path`. Throws RequestError when there
// is no readable file there, it is not a Saltelli design, or the metric, country or policy
// is not in it; OutputError when the file is damaged.
SensitivityReport sensitivity_report(const std::string& path, const SensitivityRequest& request);

enum class SensitivityFormat { text, csv, json };

// Text: a table per policy and country (per country, a row per year for --series); CSV: one
// row per (result, parameter) with intervals, mean, sd and censored counts; JSON: an object
// with the estimators, the options and every result.
std::string render(const SensitivityReport& report, SensitivityFormat format);

}  // namespace sovcap
