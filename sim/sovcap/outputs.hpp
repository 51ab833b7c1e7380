#pragma once
// The output registry: every series the model reports, with its unit and meaning. The
// model fills a StepView indexed by these ids; recorders and the HDF5 writer loop over the
// table, so adding an output touches the model step and this table only.

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace sovcap {

// X(name, units, long_name). Per country and time. Flow series (accel/yr) describe the
// step that ends at the recorded time and are NaN at the initial state (no step ended).
#define SOVCAP_COUNTRY_SERIES(X)                                                               \
  X(it_mw, "MW", "AI IT capacity in service")                                                 \
  X(pipeline_mw, "MW", "IT capacity of shells under construction")                            \
  X(ready_mw, "MW", "IT capacity of ready shells waiting for chips (stranded)")                \
  X(target_mw, "MW", "target path of IT capacity")                                            \
  X(grid_mw, "MW", "facility power available to AI data centres (grid, PPAs)")                 \
  X(onsite_mw, "MW", "on-site (bridging) generation in service, facility MW beside grid_mw")    \
  X(facility_mw, "MW", "facility power drawn by capacity in service (it_mw * pue)")           \
  X(energy_twh, "TWh/yr", "energy use per year at the current draw")                          \
  X(compute_flops, "FLOP/s", "effective dense 16-bit compute (installed x talent utilisation)") \
  X(accelerators, "1", "accelerators in service")                                             \
  X(domestic_share, "1", "share of installed FLOP/s on domestic accelerators")                \
  X(cash_usd, "USD", "cash on hand")                                                          \
  X(funds_usd, "USD", "cumulative budget received")                                           \
  X(capex_usd, "USD", "cumulative capital spending (shells, chips, on-site generation)")                       \
  X(chips_usd, "USD", "cumulative spending on chips, vendor and domestic (part of capex_usd)") \
  X(opex_usd, "USD", "cumulative operating cost paid")                                        \
  X(unfunded_opex_usd, "USD", "cumulative operating cost that cash could not cover")          \
  X(workforce, "people", "skilled data-centre workforce")                                     \
  X(talent_utilisation, "1", "share of installed compute that the workforce can operate")     \
  X(chip_need, "accel/yr", "accelerators needed to fill ready shells, before any cap")        \
  X(chip_demand, "accel/yr", "vendor accelerators demanded, after cash and export caps")      \
  X(chip_received, "accel/yr", "vendor accelerators received from the global market")         \
  X(domestic_received, "accel/yr", "domestic accelerators received")                          \
  X(bottleneck, "1", "constraint holding capacity back in the step")

// Per run and time: the global chip market.
#define SOVCAP_RUN_SERIES(X)                                                                   \
  X(vendor_supply, "accel/yr", "vendor accelerator output after supply shocks")                \
  X(other_demand, "accel/yr", "demand for vendor output from everyone not modelled")          \
  X(allocated, "accel/yr", "vendor accelerators allocated to the modelled countries")

#define SOVCAP_ENUM_ENTRY(name, ...) name,
enum class CountrySeries : int { SOVCAP_COUNTRY_SERIES(SOVCAP_ENUM_ENTRY) count };
enum class RunSeries : int { SOVCAP_RUN_SERIES(SOVCAP_ENUM_ENTRY) count };
#undef SOVCAP_ENUM_ENTRY

inline constexpr int kNumCountrySeries = static_cast<int>(CountrySeries::count);
inline constexpr int kNumRunSeries = static_cast<int>(RunSeries::count);

// Bottleneck codes, in the order stored in the output (CF flag_values 0..6).
enum class Bottleneck : std::int8_t {
  on_track = 0,   // capacity at or above the target path
  lead_time = 1,  // behind only because what was started is still being built
  power = 2,      // facility power capped new shells
  capital = 3,    // cash limited chip purchases or new shells
  talent = 4,     // the workforce capped new shells
  export_controls = 5,  // ready shells stranded because the export tier cap cut the demand
  chip_market = 6       // ready shells stranded because the market delivered less than demanded
};
inline constexpr int kNumBottlenecks = 7;
inline constexpr std::array<std::string_view, kNumBottlenecks> kBottleneckNames = {
    "on_track", "lead_time", "power", "capital", "talent", "export_controls", "chip_market"};

struct SeriesInfo {
  std::string_view name;
  std::string_view units;
  std::string_view long_name;
};

const SeriesInfo& info(CountrySeries s);

// Per country, time and constraint (the bottleneck codes, in their order): the MW of the
// step's shortfall against the target path that each constraint held back (docs/model.md,
// section 8); they sum to the shortfall, on_track's entry is always 0, and the code is the
// constraint that held back the most before lead_time's remainder. A flow of the step:
// NaN at the initial state. Not a CountrySeries (those are one value per country): the
// model shows it as StepView::held_back, the results file as [run, country, time,
// constraint].
inline constexpr SeriesInfo kHeldBackInfo = {
    "held_back_mw", "MW", "shortfall against the target path that each constraint held back"};
const SeriesInfo& info(RunSeries s);

// The periods every results file sums held_back_mw over (held_back_mw_period), which are
// also `sovcap summarize`'s default periods: boundaries at start_year + 3 and every 4
// years after it, before the horizon (2026-2040: 2026-2028, 2029-2032, 2033-2036,
// 2037-2040), so that a summary-store file tells the story per period without the
// trajectories. A step belongs to the period holding its start time; the last period is
// closed at the horizon.
std::vector<double> default_period_bounds(double start_year, double end_year);
struct ResultPeriods {
  std::vector<std::pair<double, double>> span;  // [from, to) in years
  std::vector<int> steps;                       // per period: the steps in it (may be 0)
  std::vector<int> last_step;                   // per period: its last step's time index, 0 if none
};
// The periods of a time axis start_year + n * dt, n = 0..steps.
ResultPeriods result_periods(double start_year, double dt, int steps);

}  // namespace sovcap
