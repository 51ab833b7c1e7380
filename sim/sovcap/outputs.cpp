#include "sovcap/outputs.hpp"

namespace sovcap {
namespace {

#define SOVCAP_INFO_ENTRY(nm, units, long_name) SeriesInfo{#nm, units, long_name},
const std::array<SeriesInfo, kNumCountrySeries> kCountryInfo = {
    SOVCAP_COUNTRY_SERIES(SOVCAP_INFO_ENTRY)};
const std::array<SeriesInfo, kNumRunSeries> kRunInfo = {SOVCAP_RUN_SERIES(SOVCAP_INFO_ENTRY)};
#undef SOVCAP_INFO_ENTRY

}  // namespace

const SeriesInfo& info(CountrySeries s) { return kCountryInfo[static_cast<int>(s)]; }
const SeriesInfo& info(RunSeries s) { return kRunInfo[static_cast<int>(s)]; }

std::vector<double> default_period_bounds(double start_year, double end_year) {
  std::vector<double> bounds;
  for (double b = start_year + 3.0; b < end_year; b += 4.0) bounds.push_back(b);
  return bounds;
}

ResultPeriods result_periods(double start_year, double dt, int steps) {
  ResultPeriods p;
  const double end = start_year + steps * dt;
  double from = start_year;
  for (double b : default_period_bounds(start_year, end)) {
    if (b <= from) continue;
    p.span.push_back({from, b});
    from = b;
  }
  p.span.push_back({from, end});
  p.steps.assign(p.span.size(), 0);
  p.last_step.assign(p.span.size(), 0);
  for (int n = 1; n <= steps; ++n) {
    // The time of index n - 1 as the file's time axis stores it: the step's start.
    const double t = start_year + (n - 1) * dt;
    for (std::size_t k = 0; k < p.span.size(); ++k) {
      const bool is_last = k + 1 == p.span.size();
      if (t >= p.span[k].first && (t < p.span[k].second || is_last)) {
        ++p.steps[k];
        p.last_step[k] = n;
        break;
      }
    }
  }
  return p;
}

}  // namespace sovcap
