#pragma once
// Constants and helpers shared by the one-run Model and the sweep's BatchModel, which must
// compute the same bits; internal to sovcap_core (no public header includes this one).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "sovcap/params.hpp"

namespace sovcap::detail {

inline constexpr double kHoursPerYear = 8760.0;
inline constexpr double kKwPerMw = 1000.0;
// Amounts below this (MW or accelerators) are treated as zero when deciding bottlenecks,
// so rounding noise in sums of quarterly flows does not flip a country's code.
inline constexpr double kTiny = 1e-9;
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Number of whole steps in a duration; validation guarantees years >= dt.
inline int to_steps(double years, double dt) {
  return std::max(1, static_cast<int>(std::llround(years / dt)));
}

// Multiplier on vendor output over the step [t, t + dt): each shock acts on the fraction
// of the step it overlaps, so a shock boundary between steps loses no supply.
inline double shock_multiplier(const std::vector<SupplyShock>& shocks, double t, double dt) {
  double m = 1.0;
  for (const auto& s : shocks) {
    const double overlap = std::min(t + dt, s.end) - std::max(t, s.start);
    if (overlap > 0.0) m *= 1.0 + (overlap / dt) * (s.factor - 1.0);
  }
  return m;
}

// The target path of one country at time indices 0..rows-1, into out[k * stride]:
// piecewise linear from (start_year, it_mw) through the targets (increasing in year), flat
// after the last. Index k lies on the segment ending at the first target whose year is
// after time(k); each segment's indices are one loop without branches, which vectorises.
inline void fill_target_path(const std::vector<Target>& targets, const SimulationSettings& sim,
                             double it_mw, int rows, double* out, std::ptrdiff_t stride) {
  double y0 = sim.start_year, v0 = it_mw;
  int k = 0;
  for (const Target& next : targets) {
    int end = k;
    while (end < rows && !(sim.time(end) >= next.year)) ++end;
    for (; k < end; ++k)
      out[k * stride] = v0 + (next.mw - v0) * (sim.time(k) - y0) / (next.year - y0);
    y0 = next.year;
    v0 = next.mw;
  }
  for (; k < rows; ++k) out[k * stride] = v0;
}

}  // namespace sovcap::detail
