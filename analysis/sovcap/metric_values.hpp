#pragma once
// Per-run values of one metric of a results file (the metrics of `sovcap sensitivity
// --metric`: reach years, values at the horizon, a series at a year), what robustness and
// paired differences compare run by run.

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "sovcap/reader.hpp"
#include "sovcap/sensitivity_report.hpp"

namespace sovcap {

// Opens `path` for a question asked on the command line: no file there, or one that is not
// a sovcap results file, is bad input (RequestError naming the file), not a failure.
std::unique_ptr<ResultsReader> open_results(const std::string& path);

// The year a reach year counts as when never reached: the horizon + dt (censored at the
// end of the run), as in `sovcap sensitivity`.
double never_reached_year(const ResultsReader& in);

// `metric` (a single value per run and country: not a --series of several years) for
// every run of the file: [country, run]. A reach year never reached reads
// never_reached_year(in); runs not complete read whatever the file holds (NaN).
Eigen::ArrayXXd read_metric(const ResultsReader& in, const SensitivityMetric& metric);

// The q-quantile of `sorted` (increasing), interpolating linearly between order statistics
// (numpy's default); NaN when empty.
double sorted_quantile(const std::vector<double>& sorted, double q);

}  // namespace sovcap
