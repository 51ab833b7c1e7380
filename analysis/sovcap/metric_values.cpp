#include "sovcap/metric_values.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sovcap/output.hpp"
#include "sovcap/request_error.hpp"

namespace sovcap {

std::unique_ptr<ResultsReader> open_results(const std::string& path) {
  // A missing file, a folder or a file of another program: the reader's RequestError.
  try {
    return std::make_unique<ResultsReader>(path);
  } catch (const OutputError& e) {
    throw RequestError(std::string(e.what()) + " (" + path + " is not a sovcap results file)");
  }
}

double never_reached_year(const ResultsReader& in) {
  const auto& time = in.time();
  return time.back() + (time.size() > 1 ? time[1] - time[0] : 0.0);
}

Eigen::ArrayXXd read_metric(const ResultsReader& in, const SensitivityMetric& metric) {
  using Kind = SensitivityMetric::Kind;
  const auto nc = static_cast<Eigen::Index>(in.iso3().size());
  Eigen::ArrayXXd out(nc, in.runs());
  constexpr int kBlock = 1024;
  Eigen::ArrayXXd block;
  std::vector<Eigen::ArrayXXd> series;
  for (int first = 0; first < in.runs(); first += kBlock) {
    const int count = std::min(kBlock, in.runs() - first);
    if (metric.kind == Kind::series) {
      in.read_country_series(metric.name, first, count, series);
      for (int k = 0; k < count; ++k)
        out.col(first + k) = series[static_cast<std::size_t>(k)].col(metric.time_index.at(0));
      continue;
    }
    if (metric.kind == Kind::reach_year)
      in.read_per_country(metric.name, first, count, block);
    else
      in.read_final(metric.name, first, count, block);
    out.middleCols(first, count) = block;
  }
  if (metric.kind == Kind::reach_year) {
    const double never = never_reached_year(in);
    out = out.isNaN().select(never, out);
  }
  return out;
}

double sorted_quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = (static_cast<double>(sorted.size()) - 1.0) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace sovcap
