#include "sovcap/params.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <tuple>

namespace sovcap {
namespace {

// Integer bounds are printed exactly (the seed's 2^53 would otherwise read 9.0072e+15).
std::string format_bound(double v, bool integer) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream os;
  if (integer)
    os << static_cast<long long>(v);
  else
    os << v;
  return os.str();
}

ParamKind global_kind(GlobalParam p) {
  return p == GlobalParam::allocation ? ParamKind::choice : ParamKind::real;
}

ParamKind country_kind(CountryParam p) {
  return p == CountryParam::export_tier ? ParamKind::integer : ParamKind::real;
}

// Levels, rates, growths, prices, caps and tiers may be scheduled; the initial state, lead
// times, the chip lifetime and the allocation rule describe the start or the model's
// structure and take one number.
bool global_schedulable(GlobalParam p) {
  return p != GlobalParam::chip_lifetime_years && p != GlobalParam::allocation;
}

bool country_schedulable(CountryParam p) {
  switch (p) {
    case CountryParam::it_mw:
    case CountryParam::pipeline_mw:
    case CountryParam::grid_mw:
    case CountryParam::grid_lead_years:
    case CountryParam::build_lead_years:
    case CountryParam::onsite_lead_years:
      return false;
    default:
      return true;
  }
}

std::vector<ParamSpec> build_specs() {
  std::vector<ParamSpec> specs;
  // Simulation settings live in SimulationSettings, not in the value arrays.
  specs.push_back({"start_year", ParamScope::simulation, ParamKind::real, "year", 2026.0, 1900.0,
                   false, 2200.0, false, "decimal year of the initial state (index 0 of time)",
                   {}, -1, false});
  specs.push_back({"end_year", ParamScope::simulation, ParamKind::real, "year", 2040.0, 1900.0,
                   false, 2300.0, false, "decimal year of the last state; after start_year",
                   {}, -1, false});
  specs.push_back({"dt", ParamScope::simulation, ParamKind::real, "yr", 0.25, 0.0, true, 10.0,
                   false, "step length; must divide end_year - start_year", {}, -1, false});
  specs.push_back({"seed", ParamScope::simulation, ParamKind::integer, "", 1.0, 0.0, false,
                   9007199254740992.0, false,
                   "seed of every random stream (sweeps); stored in every output file", {}, -1, false});

  int k = 0;
#define SOVCAP_GLOBAL_SPEC(nm, unit, def, lo, lo_open, hi, hi_open, meaning)                     \
  specs.push_back({#nm, ParamScope::global, global_kind(GlobalParam::nm), unit, def, lo, lo_open, \
                   hi, hi_open, meaning, {}, k++, global_schedulable(GlobalParam::nm)});
  SOVCAP_GLOBAL_PARAMS(SOVCAP_GLOBAL_SPEC)
#undef SOVCAP_GLOBAL_SPEC
  for (auto& s : specs)
    if (s.name == "allocation") s.choices = {"pro_rata", "max_min_fair"};
  specs.push_back({"supply_shocks", ParamScope::global, ParamKind::shocks,
                   "list of {start, end, factor}", 0.0, 0.0, false, kInf, false,
                   "periods [start, end) during which vendor output is multiplied by factor "
                   "(factor >= 0, start < end)",
                   {}, -1, false});

  k = 0;
#define SOVCAP_COUNTRY_SPEC(nm, unit, def, lo, lo_open, hi, hi_open, meaning)                    \
  specs.push_back({#nm, ParamScope::country, country_kind(CountryParam::nm), unit, def, lo,       \
                   lo_open, hi, hi_open, meaning, {}, k++,                                \
                   country_schedulable(CountryParam::nm)});
  SOVCAP_COUNTRY_PARAMS(SOVCAP_COUNTRY_SPEC)
#undef SOVCAP_COUNTRY_SPEC
  specs.push_back({"targets", ParamScope::country, ParamKind::targets, "list of [year, MW]",
                   kRequired, 0.0, false, 1e7, false,
                   "announced milestones, increasing in year and after start_year; the target "
                   "path is piecewise linear from (start_year, it_mw) through them, flat after",
                   {}, -1, false});
  return specs;
}

// Far beyond any sensible run (a daily step over a century is ~36500); it stops a typo in
// dt from allocating gigabytes of output.
constexpr long long kMaxSteps = 100000;

// A lead time under one step would deliver in the step it was started, which the step
// order of the model's delay lines cannot represent.
ParamRule lead_time_rule(std::string_view name, std::string_view key) {
  return {name, key, {"simulation.dt"}, {key, "simulation.dt"}, "",
          [key](const RuleValues& v) -> std::string {
            const std::string nm(key.substr(key.find('.') + 1));
            const double x = v(key), dt = v("simulation.dt");
            if (std::isnan(x) || x >= dt) return "";
            return nm + " = " + format_value(x) + (v.given(key) ? "" : " (built-in default)") +
                   " is shorter than the step dt = " + format_value(dt) +
                   ": the model's delay lines are in whole steps, so allowed " + nm + " >= dt";
          }};
}

// A trend's value at the horizon, level * (1 + growth)^(end_year - start_year), must stay
// within 1e-60 .. 1e60 (zero aside): products and sums of a few trends over every step and
// country then stay finite, where 1e11 chips a year growing 500% a year over 400 years
// reached inf, and NaN through inf * 0.
constexpr double kTrendDecades = 60.0;

ParamRule trend_rule(std::string_view name, std::string_view level, std::string_view growth) {
  return {name, growth, {"simulation.start_year", "simulation.end_year"},
          {growth, level, "simulation.end_year"}, "end_after_start",
          [level, growth](const RuleValues& v) -> std::string {
            // A scheduled level replaces its trend (its points are in range); a scheduled
            // growth is checked at the point that moves the level furthest (as if it held
            // over the whole horizon: a bound, not the exact path).
            if (v.schedule(level)) return "";
            const double x0 = v(level);
            double g = v(growth);
            if (const Schedule* gs = v.schedule(growth))
              for (const SchedulePoint& pt : *gs)
                if (std::abs(std::log10(1.0 + pt.value)) > std::abs(std::log10(1.0 + g))) g = pt.value;
            const double start = v("simulation.start_year"), end = v("simulation.end_year");
            if (!(x0 > 0.0) || !(g > -1.0)) return "";
            const double per_year = std::log10(1.0 + g);
            const double at_end = std::log10(x0) + (end - start) * per_year;
            if (std::abs(at_end) <= kTrendDecades) return "";
            const double edge = at_end > 0 ? kTrendDecades : -kTrendDecades;
            const double year = std::max(start, start + (edge - std::log10(x0)) / per_year);
            auto bare = [](std::string_view key) { return std::string(key.substr(key.find('.') + 1)); };
            return bare(level) + " = " + format_value(x0) + (v.given(level) ? "" : " (built-in default)") +
                   " changing by " + bare(growth) + " = " + format_value(g) +
                   " a year leaves the range 1e-60 .. 1e60 in year " + format_value(std::floor(year)) +
                   " (by end_year = " + format_value(end) + " it reaches 1e" +
                   format_value(std::round(at_end)) +
                   "): allowed trends that stay within 1e-60 .. 1e60 over the horizon (a smaller " +
                   bare(growth) + ", " + bare(level) + " or horizon)";
          }};
}

std::vector<ParamRule> build_rules() {
  std::vector<ParamRule> rules;
  rules.push_back({"end_after_start", "simulation.end_year",
                   {"simulation.start_year", "simulation.end_year"}, {"simulation.end_year"}, "",
                   [](const RuleValues& v) -> std::string {
                     const double start = v("simulation.start_year");
                     const double end = v("simulation.end_year");
                     if (end > start) return "";
                     return "end_year = " + format_value(end) + " is not after start_year = " +
                            format_value(start) + ": allowed end_year > start_year";
                   }});
  rules.push_back(
      {"whole_steps", "simulation.end_year",
       {"simulation.start_year", "simulation.end_year", "simulation.dt"},
       {"simulation.end_year", "simulation.dt"}, "end_after_start",
       [](const RuleValues& v) -> std::string {
         const double start = v("simulation.start_year"), end = v("simulation.end_year");
         const double dt = v("simulation.dt");
         const double n = (end - start) / dt;
         const double whole = std::round(n);
         if (std::abs(n - whole) <= 1e-9 * std::max(1.0, std::abs(n)) && whole >= 1.0) return "";
         const double lo = std::floor(n), hi = std::ceil(n);
         std::string ends = lo >= 1.0 ? format_value(start + lo * dt) + ", " : "";
         ends += format_value(start + std::max(hi, 1.0) * dt);
         return "end_year - start_year = " + format_value(end - start) +
                " is not a whole number of steps dt = " + format_value(dt) +
                " ((end_year - start_year) / dt = " + format_value(n) +
                "): allowed end years start_year + k*dt; the nearest are " + ends;
       }});
  rules.push_back({"step_count", "simulation.dt",
                   {"simulation.start_year", "simulation.end_year", "simulation.dt"},
                   {"simulation.dt"}, "whole_steps",
                   [](const RuleValues& v) -> std::string {
                     const double dt = v("simulation.dt");
                     const double whole =
                         std::round((v("simulation.end_year") - v("simulation.start_year")) / dt);
                     if (whole <= static_cast<double>(kMaxSteps)) return "";
                     return "dt = " + format_value(dt) + " gives " + format_value(whole) +
                            " steps: allowed at most " + std::to_string(kMaxSteps) +
                            " steps; use a larger dt";
                   }});
  // The model retires chips on whole steps: a life shorter than one step would retire
  // them before they ever served.
  rules.push_back({"lifetime_whole_steps", "global.chip_lifetime_years", {"simulation.dt"},
                   {"global.chip_lifetime_years", "simulation.dt"}, "",
                   [](const RuleValues& v) -> std::string {
                     const double life = v("global.chip_lifetime_years"), dt = v("simulation.dt");
                     if (!(life < dt)) return "";
                     return "chip_lifetime_years = " + format_value(life) +
                            " is shorter than the step dt = " + format_value(dt) +
                            ": the model retires chips in whole steps, so allowed "
                            "chip_lifetime_years >= dt";
                   }});
  // Capacity in service and under construction already holds facility power; a start
  // state that draws more than the grid gives is inconsistent data, not a scenario.
  rules.push_back({"grid_covers_start", "country.grid_mw", {}, {"country.grid_mw"}, "",
                   [](const RuleValues& v) -> std::string {
                     const double need =
                         (v("country.it_mw") + v("country.pipeline_mw")) * v("country.pue");
                     const double grid = v("country.grid_mw");
                     if (std::isnan(need) || std::isnan(grid) || !(grid < need * (1.0 - 1e-12)))
                       return "";
                     return "grid_mw = " + format_value(grid) +
                            " is below the facility power that capacity in service and under "
                            "construction draws, (it_mw + pipeline_mw) * pue = " +
                            format_value(need) + "; allowed grid_mw >= " + format_value(need);
                   }});
  rules.push_back(lead_time_rule("build_lead_whole_steps", "country.build_lead_years"));
  rules.push_back(lead_time_rule("grid_lead_whole_steps", "country.grid_lead_years"));
  rules.push_back(lead_time_rule("onsite_lead_whole_steps", "country.onsite_lead_years"));
  // The grid queue is a list of arrivals: a lone number would say neither when nor that it
  // is not already in grid_mw, and an arrival before the start is grid_mw's.
  rules.push_back({"grid_queue_arrivals", "country.grid_queue", {"simulation.start_year"},
                   {"country.grid_queue"}, "",
                   [](const RuleValues& v) -> std::string {
                     const Schedule* q = v.params.countries.schedule(v.country, CountryParam::grid_queue);
                     if (!q) {
                       const double x = v("country.grid_queue");
                       if (x == 0.0 || std::isnan(x)) return "";
                       return "grid_queue = " + format_value(x) +
                              " is a number: allowed a list of [year, facility MW] arrivals, "
                              "e.g. [[2027, 500], [2028.5, 1200]], or 0 for none";
                     }
                     const double start = v("simulation.start_year");
                     if (!(q->front().year < start)) return "";
                     return "grid_queue's first arrival, in " + format_value(q->front().year) +
                            ", is before start_year = " + format_value(start) +
                            ": power delivered by then is in grid_mw; allowed arrival years >= "
                            "start_year";
                   }});
  for (const auto& [name, level, growth] :
       {std::tuple{"vendor_supply_trend", "global.vendor_supply", "global.vendor_supply_growth"},
        {"other_demand_trend", "global.other_demand", "global.other_demand_growth"},
        {"accel_kw_trend", "global.accel_kw", "global.accel_kw_growth"},
        {"accel_flops_trend", "global.accel_flops", "global.accel_flops_growth"},
        {"accel_price_trend", "global.accel_price_usd", "global.accel_price_growth"},
        {"budget_trend", "country.budget_usd_per_year", "country.budget_growth"},
        {"domestic_trend", "country.domestic_accel_per_year", "country.domestic_growth"}})
    rules.push_back(trend_rule(name, level, growth));
  return rules;
}

}  // namespace

std::string format_value(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

double RuleValues::operator()(std::string_view key) const {
  const auto dot = key.find('.');
  const std::string_view scope = key.substr(0, dot), name = key.substr(dot + 1);
  if (scope == "simulation") {
    const SimulationSettings& s = params.sim;
    return name == "start_year" ? s.start_year
           : name == "end_year" ? s.end_year
           : name == "dt"       ? s.dt
                                : static_cast<double>(s.seed);
  }
  const bool global = scope == "global";
  const ParamSpec* p = find_param(global ? ParamScope::global : ParamScope::country, name);
  if (global) return params.global.values[static_cast<std::size_t>(p->index)];
  return params.countries.values(country, p->index);
}

const Schedule* RuleValues::schedule(std::string_view key) const {
  const auto dot = key.find('.');
  const std::string_view scope = key.substr(0, dot), name = key.substr(dot + 1);
  if (scope == "global") {
    const ParamSpec* p = find_param(ParamScope::global, name);
    return p ? params.global.schedule(static_cast<GlobalParam>(p->index)) : nullptr;
  }
  if (scope == "country" && country >= 0) {
    const ParamSpec* p = find_param(ParamScope::country, name);
    return p ? params.countries.schedule(country, static_cast<CountryParam>(p->index)) : nullptr;
  }
  return nullptr;
}

const std::vector<ParamRule>& param_rules() {
  static const std::vector<ParamRule> rules = build_rules();
  return rules;
}

bool ParamSpec::in_range(double v) const {
  if (std::isnan(v)) return false;
  if (lo_open ? !(v > lo) : !(v >= lo)) return false;
  if (hi_open ? !(v < hi) : !(v <= hi)) return false;
  if (kind == ParamKind::integer || kind == ParamKind::choice) return v == std::floor(v);
  return true;
}

std::string ParamSpec::allowed() const {
  if (kind == ParamKind::choice) {
    std::string s = "one of ";
    for (std::size_t i = 0; i < choices.size(); ++i) {
      if (i) s += ", ";
      s += '"' + std::string(choices[i]) + '"';
    }
    return s;
  }
  std::string s = kind == ParamKind::integer ? "an integer in " : "a number in ";
  s += lo_open ? "(" : "[";
  const bool integer = kind == ParamKind::integer;
  s += format_bound(lo, integer) + ", " + format_bound(hi, integer);
  s += hi_open ? ")" : "]";
  return s;
}

const std::vector<ParamSpec>& param_specs() {
  static const std::vector<ParamSpec> specs = build_specs();
  return specs;
}

const ParamSpec* find_param(ParamScope scope, std::string_view name) {
  for (const auto& s : param_specs())
    if (s.scope == scope && s.name == name) return &s;
  return nullptr;
}

const ParamSpec& spec(GlobalParam p) {
  static const std::vector<const ParamSpec*> table = [] {
    std::vector<const ParamSpec*> t(kNumGlobalParams);
    for (const auto& s : param_specs())
      if (s.scope == ParamScope::global && s.index >= 0) t[s.index] = &s;
    return t;
  }();
  return *table[static_cast<int>(p)];
}

const ParamSpec& spec(CountryParam p) {
  static const std::vector<const ParamSpec*> table = [] {
    std::vector<const ParamSpec*> t(kNumCountryParams);
    for (const auto& s : param_specs())
      if (s.scope == ParamScope::country && s.index >= 0) t[s.index] = &s;
    return t;
  }();
  return *table[static_cast<int>(p)];
}

std::string_view scope_name(ParamScope scope) {
  switch (scope) {
    case ParamScope::simulation: return "simulation";
    case ParamScope::global: return "global";
    case ParamScope::country: return "country";
  }
  return "?";
}

std::string_view allocation_name(Allocation a) {
  return a == Allocation::max_min_fair ? "max_min_fair" : "pro_rata";
}

std::optional<Allocation> parse_allocation(std::string_view name) {
  if (name == "pro_rata") return Allocation::pro_rata;
  if (name == "max_min_fair") return Allocation::max_min_fair;
  return std::nullopt;
}

GlobalParams GlobalParams::defaults() {
  GlobalParams g;
  for (int k = 0; k < kNumGlobalParams; ++k)
    g.values[k] = spec(static_cast<GlobalParam>(k)).default_value;
  return g;
}

double schedule_at(const Schedule& points, double t, bool integer) {
  if (t <= points.front().year) return points.front().value;
  for (std::size_t k = 1; k < points.size(); ++k) {
    const SchedulePoint& b = points[k];
    if (t < b.year) {
      const SchedulePoint& a = points[k - 1];
      if (integer) return a.value;
      return a.value + (b.value - a.value) * ((t - a.year) / (b.year - a.year));
    }
  }
  return points.back().value;
}

namespace {

const Schedule* find_schedule(const std::vector<ParamSchedule>& list, int country, int param) {
  for (const auto& s : list)
    if (s.country == country && s.param == param) return &s.points;
  return nullptr;
}

void put_schedule(std::vector<ParamSchedule>& list, int country, int param, Schedule points) {
  auto it = std::find_if(list.begin(), list.end(), [&](const ParamSchedule& s) {
    return s.country == country && s.param == param;
  });
  if (points.empty()) {
    if (it != list.end()) list.erase(it);
  } else if (it != list.end()) {
    it->points = std::move(points);
  } else {
    list.push_back({country, param, std::move(points)});
  }
}

}  // namespace

const Schedule* GlobalParams::schedule(GlobalParam p) const {
  return schedules.empty() ? nullptr : find_schedule(schedules, -1, static_cast<int>(p));
}
void GlobalParams::set_schedule(GlobalParam p, Schedule points) {
  put_schedule(schedules, -1, static_cast<int>(p), std::move(points));
}
const Schedule* CountryParams::schedule(int country, CountryParam p) const {
  return schedules.empty() ? nullptr : find_schedule(schedules, country, static_cast<int>(p));
}
void CountryParams::set_schedule(int country, CountryParam p, Schedule points) {
  put_schedule(schedules, country, static_cast<int>(p), std::move(points));
}

int CountryParams::find(std::string_view code) const {
  auto it = std::find(iso3.begin(), iso3.end(), code);
  return it == iso3.end() ? -1 : static_cast<int>(it - iso3.begin());
}

double target_at(const std::vector<Target>& targets, double start_year, double it_mw, double t) {
  double y0 = start_year;
  double v0 = it_mw;
  for (const auto& tg : targets) {
    if (t < tg.year) {
      if (t <= y0) return v0;
      return v0 + (tg.mw - v0) * (t - y0) / (tg.year - y0);
    }
    y0 = tg.year;
    v0 = tg.mw;
  }
  return v0;
}


}  // namespace sovcap
