#pragma once
// The parameter registry: every public parameter of the model, with its unit, default,
// allowed range and meaning, in one table. The scenario loader, the validator, `--set`,
// `sovcap params`, the sweep samplers and the output writer all read this table, so a new
// parameter is added in exactly one place.

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

namespace sovcap {

inline constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

// X(name, unit, default, lo, lo_open, hi, hi_open, meaning)
// lo_open/hi_open: true when the bound itself is not allowed. kRequired: no default.
#define SOVCAP_GLOBAL_PARAMS(X)                                                                  \
  X(accel_kw, "kW", 2.0, 0.0, true, 100.0, false,                                                \
    "all-in IT power per accelerator installed at start_year (chip, host and network share)")   \
  X(accel_kw_growth, "1/yr", 0.10, -0.5, false, 1.0, false,                                      \
    "relative yearly change of accel_kw for newly installed chips")                             \
  X(accel_flops, "FLOP/s", 2.5e15, 0.0, true, 1e19, false,                                       \
    "dense 16-bit FLOP/s per accelerator installed at start_year")                              \
  X(accel_flops_growth, "1/yr", 0.29, -0.5, false, 3.0, false,                                   \
    "relative yearly improvement of accel_flops for new chips")                                 \
  X(accel_price_usd, "USD", 70000.0, 0.0, true, 1e8, false,                                      \
    "all-in IT price per accelerator at start_year")                                            \
  X(accel_price_growth, "1/yr", 0.0, -0.5, false, 2.0, false,                                    \
    "relative yearly change of the accelerator price")                                          \
  X(chip_lifetime_years, "yr", 5.0, 0.0, true, 50.0, false,                                      \
    "service life of an accelerator; then its MW needs refresh chips (the shell stays)")        \
  X(vendor_supply, "accel/yr", 8e6, 0.0, false, 1e11, false,                                     \
    "the dominant vendor's total accelerator output at start_year")                             \
  X(vendor_supply_growth, "1/yr", 0.3, -0.9, false, 5.0, false,                                  \
    "relative yearly growth of the vendor's output")                                            \
  X(other_demand, "accel/yr", 7e6, 0.0, false, 1e11, false,                                      \
    "demand for the vendor's output from everyone not modelled (hyperscalers, rest of world)")  \
  X(other_demand_growth, "1/yr", 0.3, -0.9, false, 5.0, false,                                   \
    "relative yearly growth of other_demand")                                                   \
  X(allocation, "name", 0.0, 0.0, false, 1.0, false,                                             \
    "how scarce vendor output is shared: pro_rata or max_min_fair (water-filling)")             \
  X(tier2_cap, "accel/yr", 5e4, 0.0, false, 1e11, false,                                         \
    "export licence of a tier-2 country without its own country tier2_cap (tier 3 gets none)")

#define SOVCAP_COUNTRY_PARAMS(X)                                                                 \
  X(it_mw, "MW", kRequired, 0.0, false, 1e6, false,                                              \
    "national AI IT capacity in service at start_year")                                         \
  X(pipeline_mw, "MW", 0.0, 0.0, false, 1e6, false,                                              \
    "shells under construction at start_year, spread evenly over the build lead time")          \
  X(grid_mw, "MW", kRequired, 0.0, false, 1e7, false,                                            \
    "facility power (grid, PPAs) available to these data centres at start_year")                \
  X(grid_add_mw_per_year, "MW/yr", kRequired, 0.0, false, 1e6, false,                            \
    "most new facility power the grid can deliver per year")                                    \
  X(grid_lead_years, "yr", 4.0, 0.0, true, 30.0, false,                                          \
    "lead time from requesting new facility power to its delivery")                             \
  X(grid_queue, "MW", 0.0, 0.0, false, 1e7, false,                                               \
    "power already contracted or under construction, [[year, facility MW], ...]: each "         \
    "arrives in its year whatever grid_add_mw_per_year allows (0: none)")                       \
  X(onsite_add_mw_per_year, "MW/yr", 0.0, 0.0, false, 1e6, false,                                \
    "most on-site (bridging) generation a year the country orders when grid power is short")    \
  X(onsite_lead_years, "yr", 1.0, 0.0, true, 30.0, false,                                        \
    "lead time from ordering on-site generation to its delivery")                               \
  X(onsite_capex_usd_per_mw, "USD/MW", 1.5e6, 0.0, true, 1e10, false,                            \
    "capital cost of on-site generation per facility MW, paid when ordered")                    \
  X(pue, "ratio", 1.3, 1.0, false, 5.0, false, "facility power / IT power")                      \
  X(budget_usd_per_year, "USD/yr", kRequired, 0.0, false, 1e14, false,                           \
    "committed capital per year, public and private, at start_year")                            \
  X(budget_growth, "1/yr", 0.0, -0.9, false, 5.0, false,                                         \
    "relative yearly growth of the budget")                                                     \
  X(capex_shell_usd_per_mw, "USD/MW", 1.2e7, 0.0, true, 1e10, false,                             \
    "building, power and cooling cost per IT MW (chips excluded)")                              \
  X(electricity_usd_per_mwh, "USD/MWh", 80.0, 0.0, false, 5000.0, false,                         \
    "energy price; operating cost is paid from the same budget")                                \
  X(workforce, "people", kRequired, 0.0, false, 1e8, false,                                      \
    "skilled staff able to build and run AI data centres, at start_year")                       \
  X(workforce_growth, "people/yr", 0.0, -1e7, false, 1e7, false,                                 \
    "net additions to the workforce per year (training plus migration)")                        \
  X(staff_per_mw_build, "people/MW", 2.0, 0.0, true, 1000.0, false,                              \
    "staff tied up per MW under construction")                                                  \
  X(staff_per_mw_ops, "people/MW", 1.0, 0.0, false, 1000.0, false,                               \
    "staff needed per MW in service")                                                           \
  X(build_lead_years, "yr", 1.5, 0.0, true, 20.0, false, "construction time of a shell")        \
  X(export_tier, "1|2|3", 1.0, 1.0, false, 3.0, false,                                           \
    "access class to the vendor's chips: 1 uncapped, 2 capped at tier2_cap, 3 none")            \
  X(tier2_cap, "accel/yr", 5e4, 0.0, false, 1e11, false,                                         \
    "the country's export licence: most vendor chips a year it may buy while at tier 2")       \
  X(domestic_accel_per_year, "accel/yr", 0.0, 0.0, false, 1e11, false,                           \
    "home-grown accelerator supply at start_year (technology independence)")                    \
  X(domestic_growth, "1/yr", 0.0, -0.9, false, 5.0, false,                                       \
    "relative yearly growth of domestic accelerator supply")                                    \
  X(domestic_perf_ratio, "ratio", 0.5, 0.0, false, 10.0, false,                                  \
    "FLOP/s of a domestic chip relative to the vendor's chip of the same year")                 \
  X(domestic_price_ratio, "ratio", 1.0, 0.0, true, 100.0, false,                                 \
    "price of a domestic chip relative to the vendor's chip of the same year")

#define SOVCAP_ENUM_ENTRY(name, ...) name,
enum class GlobalParam : int { SOVCAP_GLOBAL_PARAMS(SOVCAP_ENUM_ENTRY) count };
enum class CountryParam : int { SOVCAP_COUNTRY_PARAMS(SOVCAP_ENUM_ENTRY) count };
#undef SOVCAP_ENUM_ENTRY

inline constexpr int kNumGlobalParams = static_cast<int>(GlobalParam::count);
inline constexpr int kNumCountryParams = static_cast<int>(CountryParam::count);

enum class ParamScope { simulation, global, country };

// How a parameter's value is written and read; every kind maps to doubles in the model.
enum class ParamKind { real, integer, choice, targets, shocks };

struct ParamSpec {
  std::string_view name;
  ParamScope scope;
  ParamKind kind;
  std::string_view unit;
  double default_value;  // NaN: required (no default)
  double lo;
  bool lo_open;
  double hi;
  bool hi_open;
  std::string_view meaning;
  // Names accepted for ParamKind::choice, in the order of their numeric codes.
  std::vector<std::string_view> choices;
  // Index into GlobalParams::values or the columns of CountryParams::values; -1 for
  // parameters stored outside those arrays (simulation settings, targets, shocks).
  int index;
  // Whether the parameter may be given as a schedule [[year, value], ...] (a level, rate,
  // growth, price, cap or tier); the initial state, lead times, the chip lifetime and the
  // allocation rule take only a number. See docs/model.md, "Schedules".
  bool schedulable = false;

  bool required() const { return std::isnan(default_value); }
  bool in_range(double v) const;
  // "in (0, 100]" style description of the allowed values, for error messages and help.
  std::string allowed() const;
};

// Every parameter, simulation settings first, then global, then country parameters.
const std::vector<ParamSpec>& param_specs();
// The spec with this name in this scope, or nullptr.
const ParamSpec* find_param(ParamScope scope, std::string_view name);
const ParamSpec& spec(GlobalParam p);
const ParamSpec& spec(CountryParam p);
std::string_view scope_name(ParamScope scope);

// The names of the ways scarce vendor output is shared (the `allocation` parameter).
enum class Allocation : int { pro_rata = 0, max_min_fair = 1 };
std::string_view allocation_name(Allocation a);
std::optional<Allocation> parse_allocation(std::string_view name);

// A period [start, end) during which vendor output is multiplied by factor.
struct SupplyShock {
  double start = 0.0;
  double end = 0.0;
  double factor = 1.0;
};

// One announced milestone: capacity_mw of IT capacity by year.
struct Target {
  double year = 0.0;
  double mw = 0.0;
};

// A parameter given over time: points (year, value), increasing in year. A real parameter
// interpolates linearly between the years and holds flat beyond the ends; an integer one
// (export_tier) takes each point's value from its year on (steps).
struct SchedulePoint {
  double year = 0.0;
  double value = 0.0;
};
using Schedule = std::vector<SchedulePoint>;
// The value of a schedule at decimal year t (non-empty points).
double schedule_at(const Schedule& points, double t, bool integer);

// One scheduled parameter of a run: `param` indexes GlobalParams::values (country -1) or
// the columns of CountryParams::values (country >= 0).
struct ParamSchedule {
  int country = -1;
  int param = 0;
  Schedule points;
};

struct SimulationSettings {
  double start_year = 2026.0;
  double end_year = 2040.0;
  double dt = 0.25;
  std::uint64_t seed = 1;

  // Number of steps; the scenario validator guarantees dt divides the horizon.
  int steps() const { return static_cast<int>(std::llround((end_year - start_year) / dt)); }
  double time(int n) const { return start_year + n * dt; }
};

// Global parameters: one value per run.
struct GlobalParams {
  std::array<double, kNumGlobalParams> values{};
  std::vector<SupplyShock> supply_shocks;
  // The scheduled global parameters, at most one entry each (none in most runs: a run
  // without schedules takes the model's code path of constant parameters and trends).
  // values[] holds a scheduled parameter's value at start_year.
  std::vector<ParamSchedule> schedules;

  // The parameter's schedule, or nullptr.
  const Schedule* schedule(GlobalParam p) const;
  // Sets (non-empty points) or removes (empty) the parameter's schedule; values[] is left.
  void set_schedule(GlobalParam p, Schedule points);

  double operator[](GlobalParam p) const { return values[static_cast<int>(p)]; }
  double& operator[](GlobalParam p) { return values[static_cast<int>(p)]; }
  Allocation allocation() const {
    return static_cast<Allocation>(static_cast<int>((*this)[GlobalParam::allocation]));
  }
  // Every global parameter at its registry default.
  static GlobalParams defaults();
};

// Country parameters, structure of arrays: column k of `values` is parameter k for every
// country, so the model reads each parameter as a contiguous Eigen array over countries.
struct CountryParams {
  std::vector<std::string> iso3;
  std::vector<std::string> name;
  Eigen::ArrayXXd values;               // [country, parameter]
  std::vector<std::vector<Target>> targets;  // per country, increasing in year
  // [country * kNumCountryParams + parameter]: 1 where the value was taken from its
  // global parameter (inherited_global) because no source gave the country one; a sweep
  // that samples that global value sets these countries' values with it.
  std::vector<std::uint8_t> inherited;
  // The scheduled country parameters, at most one entry per (country, parameter); values
  // holds a scheduled parameter's value at start_year.
  std::vector<ParamSchedule> schedules;

  const Schedule* schedule(int country, CountryParam p) const;
  void set_schedule(int country, CountryParam p, Schedule points);

  int size() const { return static_cast<int>(iso3.size()); }
  auto col(CountryParam p) const { return values.col(static_cast<int>(p)); }
  auto col(CountryParam p) { return values.col(static_cast<int>(p)); }
  double& at(int country, CountryParam p) { return values(country, static_cast<int>(p)); }
  double at(int country, CountryParam p) const { return values(country, static_cast<int>(p)); }
  bool inherits(int country, CountryParam p) const {
    const std::size_t k = static_cast<std::size_t>(country) * kNumCountryParams + static_cast<int>(p);
    return k < inherited.size() && inherited[k] != 0;
  }
  // Index of the country with this ISO3 code, or -1.
  int find(std::string_view code) const;
};

// Everything one run needs: the resolved parameters of a scenario.
struct RunParams {
  SimulationSettings sim;
  GlobalParams global;
  CountryParams countries;
};

// A number as diagnostics show it: ten significant digits; nan, inf and -inf spelled out.
std::string format_value(double v);

// What a cross-parameter rule reads: resolved values by key ("simulation.dt",
// "global.accel_kw", "country.pue" of the country the rule is checked for).
struct RuleValues {
  const RunParams& params;
  int country = -1;
  // Whether the value of a key was given in the input (not left at its built-in default).
  std::function<bool(std::string_view key)> given;
  double operator()(std::string_view key) const;
  // The schedule of a global or country key, or nullptr.
  const Schedule* schedule(std::string_view key) const;
};

// A rule relating several parameters. Each value's own rule (kind and range) is its
// ParamSpec row; these are checked on the resolved values after that, by one loop in the
// loader, and a rule whose keys start with "country." is checked for every country.
struct ParamRule {
  std::string_view name;               // what it ensures, e.g. "whole_steps"
  std::string_view key;                // the key a problem is reported under
  std::vector<std::string_view> needs;  // not checked when one of these was given invalid
  std::vector<std::string_view> at;     // reported where the first given of these stands
  std::string_view after;              // checked only when this earlier rule holds
  std::function<std::string(const RuleValues&)> check;  // the problem, or "" when it holds
};

// The cross-parameter rules, in the order they are checked.
const std::vector<ParamRule>& param_rules();

// The global parameter whose resolved value a country parameter takes where no source
// gives the country one (tier2_cap: a country's licence defaults to the global cap), or
// nullopt. Sweeps that sample the global value set those countries' values with it.
inline std::optional<GlobalParam> inherited_global(CountryParam p) {
  if (p == CountryParam::tier2_cap) return GlobalParam::tier2_cap;
  return std::nullopt;
}

// Target path of one country: piecewise linear from (start_year, it_mw) through the
// targets, flat after the last one.
double target_at(const std::vector<Target>& targets, double start_year, double it_mw, double t);

}  // namespace sovcap
