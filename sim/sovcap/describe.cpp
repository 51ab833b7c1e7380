#include "sovcap/describe.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "sovcap/footprint.hpp"
#include "sovcap/sweep.hpp"
#include "sovcap/text.hpp"

namespace sovcap {
namespace {

std::string default_text(const ParamSpec& s) {
  if (s.kind == ParamKind::shocks) return "[]";
  if (s.required()) return "required";
  if (s.scope == ParamScope::country)
    if (const auto g = inherited_global(static_cast<CountryParam>(s.index)))
      return "global." + std::string(spec(*g).name);
  if (s.kind == ParamKind::choice) return std::string(s.choices[static_cast<std::size_t>(s.default_value)]);
  return format_number(s.default_value);
}

std::string allowed_text(const ParamSpec& s) {
  if (s.kind == ParamKind::targets) return "years increasing, after start_year; MW >= 0";
  if (s.kind == ParamKind::shocks) return "start < end, factor >= 0";
  // Schedulable parameters may also be given over time (docs/model.md, "Schedules").
  return s.allowed() + (s.schedulable ? "; or a schedule [[year, value], ...]" : "");
}

// Shares of their raw bytes that compressed data take on disk, measured on
// scenarios/robustness.toml and tests/cli/sweep/small.toml (shuffle and deflate, as written).
constexpr double kSeriesFull = 0.4;     // [run, country, time] float64, every series
constexpr double kSeriesKept = 0.25;    // the same, the smooth ones summary mode keeps
constexpr double kBottleneck = 0.15;    // [run, country, time] int8 codes
constexpr double kMarket = 0.7;         // [run, time] float64 chip-market series
constexpr double kSummaries = 0.5;      // [run, country] float64 per-run results
constexpr double kShares = 0.14;        // [run, country, constraint] int32 step counts
constexpr double kHeldBack = 0.18;      // held_back_mw, [run, country, time, constraint] float64
constexpr double kHeldShares = 0.6;     // held_back_share, [run, country, constraint] float32
constexpr double kParameters = 0.1;     // parameters used: mostly the same in every run
constexpr double kSampled = 0.9;        // sampled values: different in every run
constexpr double kMetadata = 200e3;     // bytes of HDF5 metadata and attributes
constexpr double kIndexPerRun = 100.0;  // bytes of chunk index per run
// Country-steps per second per core of a sweep (README, Performance).
constexpr double kRateSummary = 1.5e7;  // Data set 2, robustness.toml
constexpr double kRateFull = 4.9e5;

std::string format_duration(double seconds) {
  std::ostringstream os;
  os << std::setprecision(2);
  if (seconds < 90) os << std::max(seconds, 0.1) << " s";
  else if (seconds < 5400) os << seconds / 60 << " min";
  else os << seconds / 3600 << " h";
  return os.str();
}

// The uncertain key's distribution in words: "normal (mean 0.3, sd 0.1), times the
// resolved value".
std::string distribution_text(const Uncertain& u) {
  if (u.from_sources)
    return "from_sources: triangular (low " + format_number(u.a) + ", mode " +
           format_number(u.b) + " = the data's value, high " + format_number(u.c) + "; " +
           u.source + "), scaling a value a lever or override changed";
  std::string s = std::string(distribution_name(u.dist)) + " (";
  if (u.dist == Distribution::choice) {
    for (std::size_t i = 0; i < u.values.size(); ++i)
      s += (i ? ", " : "values ") + format_number(u.values[i]);
    for (std::size_t i = 0; i < u.weights.size(); ++i)
      s += (i ? ", " : "; weights ") + format_number(u.weights[i]);
  } else {
    const double v[] = {u.a, u.b, u.c};
    const auto keys = distribution_keys(u.dist);
    for (std::size_t i = 0; i < keys.size(); ++i)
      s += (i ? ", " : "") + std::string(keys[i]) + " " + format_number(v[i]);
  }
  return s + ")" + (u.multiply ? ", times the resolved value" : "");
}

}  // namespace

FileEstimate estimate_results_file(const Scenario& sc, StoreMode store,
                                   const std::vector<CountrySeries>& keep, long long runs,
                                   int cores, bool keep_held_back) {
  const auto& p = sc.params;
  const double c = p.countries.size(), t = p.sim.steps() + 1.0;
  std::size_t max_targets = 0;
  for (const auto& tg : p.countries.targets) max_targets = std::max(max_targets, tg.size());
  double per_run = 0.0;
  if (store == StoreMode::full) {
    per_run += (kNumCountrySeries - 1) * c * t * 8 * kSeriesFull + c * t * kBottleneck +
               kNumRunSeries * t * 8 * kMarket + c * t * kNumBottlenecks * 8 * kHeldBack;
  } else {
    for (const CountrySeries k : keep)
      per_run += c * t * (k == CountrySeries::bottleneck ? kBottleneck : 8 * kSeriesKept);
    per_run += 4 * c * 8 * kSummaries;  // the *_final values
    if (keep_held_back) per_run += c * t * kNumBottlenecks * 8 * kHeldBack;
  }
  per_run += 2 * c * 8 * kSummaries + 6 * c * 4 * kShares;  // years reached, bottleneck shares
  per_run += c * kNumBottlenecks * 4 * kHeldShares + c * 8;  // held_back_share, shortfall_mw_mean
  // held_back_mw_period, float32: as compressible as the shares.
  per_run += c * kNumBottlenecks * 4 * kHeldShares *
             static_cast<double>(result_periods(p.sim.start_year, p.sim.dt, p.sim.steps()).span.size());
  per_run += (kNumGlobalParams + 4 + 3.0 * static_cast<double>(p.global.supply_shocks.size()) +
              c * (kNumCountryParams + 2.0 * static_cast<double>(max_targets)) +
              static_cast<double>(sc.sweep.levers.size())) * 8 * kParameters;
  per_run += static_cast<double>(sc.sweep.uncertain.size()) * 8 * kSampled + kIndexPerRun;
  double inputs = static_cast<double>(sc.text.size());
  for (const auto& f : sc.files) inputs += static_cast<double>(f.second.size());

  FileEstimate e;
  e.bytes = kMetadata + inputs + per_run * static_cast<double>(runs);
  const double country_steps = c * (t - 1) * static_cast<double>(runs);
  const double kept_share = static_cast<double>(keep.size()) / kNumCountrySeries;
  const double per_core = store == StoreMode::full
                              ? country_steps / kRateFull
                              : country_steps / kRateSummary + kept_share * country_steps / kRateFull;
  e.seconds = per_core / (std::max(cores, 1) * 0.9);  // two threads gave 1.85x one
  return e;
}

std::string large_file_warning(const Scenario& sc, StoreMode store,
                               const std::vector<CountrySeries>& keep, long long runs,
                               const std::string& path, bool keep_held_back) {
  constexpr double kLargeFile = 1e9;
  const double bytes = estimate_results_file(sc, store, keep, runs, 1, keep_held_back).bytes;
  if (bytes <= kLargeFile) return "";
  std::string w = path + " will take about " + format_bytes(bytes) + " (" + std::to_string(runs) +
                  " runs, --store " + (store == StoreMode::full ? "full" : "summary") + ")";
  if (store == StoreMode::full)
    w += "; --store summary writes about " +
         format_bytes(estimate_results_file(sc, StoreMode::summary, {}, runs, 1).bytes) +
         " (with --keep SERIES,... the trajectories you need)";
  return w + "; `sovcap validate` estimates each store mode";
}

std::string describe_sweep(const Scenario& sc, int cores) {
  const SweepSpec& sw = sc.sweep;
  std::ostringstream os;
  const long long runs = sw.empty() ? 1 : sw.runs();
  if (sw.empty()) os << "one run (no [sweep])\n";
  if (!sw.empty()) {
    os << "[sweep] " << method_name(sw.method) << ", " << sw.policies() << " polic"
       << (sw.policies() == 1 ? "y" : "ies") << " x " << sw.samples_per_policy()
       << " samples = " << runs << " runs\n";
    constexpr int kShown = 24;
    for (int q = 0; q < sw.policies() && q < kShown; ++q) {
      const auto choice = sw.lever_choice(q);
      os << "  policy " << q << ":";
      for (std::size_t l = 0; l < sw.levers.size(); ++l)
        os << (l ? ", " : " ") << sw.levers[l].key << " = "
           << sw.levers[l].values[static_cast<std::size_t>(choice[l])];
      os << (sw.levers.empty() ? " no levers" : "") << "\n";
    }
    if (sw.policies() > kShown) os << "  ... and " << sw.policies() - kShown << " more policies\n";
    for (const auto& u : sw.uncertain) os << "  uncertain " << u.key << ": " << distribution_text(u) << "\n";
  }
  const auto full = estimate_results_file(sc, StoreMode::full, {}, runs, cores);
  const auto summary = estimate_results_file(sc, StoreMode::summary, {}, runs, cores);
  const auto kept = estimate_results_file(
      sc, StoreMode::summary, {CountrySeries::it_mw, CountrySeries::bottleneck, CountrySeries::target_mw},
      runs, cores);
  os << "  results file (rough estimate; time on " << cores << " core" << (cores == 1 ? "" : "s")
     << " at the development machine's speed):\n";
  auto row = [&](const std::string& how, const FileEstimate& e) {
    os << "    " << std::left << std::setw(52) << how << format_bytes(e.bytes) << ", "
       << format_duration(e.seconds) << "\n";
  };
  row("--store full", full);
  row("--store summary", summary);
  row("--store summary --keep it_mw,bottleneck,target_mw", kept);
  return os.str();
}

std::string parameter_listing(bool markdown) {
  std::ostringstream os;
  if (markdown) {
    os << "| scope | name | unit | default | allowed | meaning |\n|---|---|---|---|---|---|\n";
    for (const auto& s : param_specs())
      os << "| " << scope_name(s.scope) << " | `" << s.name << "` | " << s.unit << " | "
         << default_text(s) << " | " << allowed_text(s) << " | " << s.meaning << " |\n";
    return os.str();
  }
  // Columns as wide as their longest entry, plus a gap: aligned, and never run together.
  std::size_t name_w = 0, unit_w = 0, default_w = 0;
  for (const auto& s : param_specs()) {
    name_w = std::max(name_w, s.name.size() + 2);
    unit_w = std::max(unit_w, s.unit.size() + 2);
    default_w = std::max(default_w, default_text(s).size() + 2);
  }
  ParamScope scope = ParamScope::country;
  bool first = true;
  for (const auto& s : param_specs()) {
    if (first || s.scope != scope) {
      scope = s.scope;
      os << (first ? "" : "\n") << "[" << scope_name(scope)
         << (scope == ParamScope::country ? ".ISO3] (or [defaults], or CSV columns)" : "]") << "\n";
      first = false;
    }
    os << "  " << std::left << std::setw(static_cast<int>(name_w)) << s.name
       << std::setw(static_cast<int>(unit_w)) << s.unit << "default "
       << std::setw(static_cast<int>(default_w)) << default_text(s) << allowed_text(s) << "\n      "
       << s.meaning << "\n";
  }
  return os.str();
}

namespace {

// " at start_year, scheduled [[2026, 2], [2028, 1]]" after a scheduled parameter's value.
std::string schedule_text(const Schedule* s) {
  if (!s) return "";
  std::string out = " at start_year, scheduled [";
  for (std::size_t j = 0; j < s->size(); ++j)
    out += (j ? ", [" : "[") + format_number((*s)[j].year) + ", " + format_number((*s)[j].value) + "]";
  return out + "]";
}

}  // namespace

std::string describe_scenario(const Scenario& sc, int cores) {
  const auto& p = sc.params;
  auto origin = [&](const std::string& key) {
    auto it = sc.origin.find(key);
    return it == sc.origin.end() ? std::string() : "  (" + it->second + ")";
  };
  std::ostringstream os;
  os << "scenario " << sc.path << ": OK, " << p.countries.size() << " countries, " << p.sim.steps()
     << " steps\n\n" << describe_sweep(sc, cores) << "\n[simulation]\n";
  os << "  start_year = " << format_number(p.sim.start_year) << origin("simulation.start_year") << "\n"
     << "  end_year = " << format_number(p.sim.end_year) << origin("simulation.end_year") << "\n"
     << "  dt = " << format_number(p.sim.dt) << origin("simulation.dt") << "\n"
     << "  seed = " << p.sim.seed << origin("simulation.seed") << "\n\n[global]\n";
  for (int k = 0; k < kNumGlobalParams; ++k) {
    const auto& s = spec(static_cast<GlobalParam>(k));
    os << "  " << s.name << " = ";
    if (s.kind == ParamKind::choice)
      os << s.choices[static_cast<std::size_t>(p.global.values[k])];
    else
      os << format_number(p.global.values[k]) << " " << s.unit;
    os << schedule_text(p.global.schedule(static_cast<GlobalParam>(k)))
       << origin("global." + std::string(s.name)) << "\n";
  }
  os << "  supply_shocks = [";
  for (std::size_t i = 0; i < p.global.supply_shocks.size(); ++i) {
    const auto& s = p.global.supply_shocks[i];
    os << (i ? ", " : "") << "{start=" << format_number(s.start) << ", end=" << format_number(s.end)
       << ", factor=" << format_number(s.factor) << "}";
  }
  os << "]" << origin("global.supply_shocks") << "\n";
  for (int i = 0; i < p.countries.size(); ++i) {
    const std::string code = p.countries.iso3[i];
    os << "\n[country." << code << "] " << p.countries.name[i] << "\n";
    for (int k = 0; k < kNumCountryParams; ++k) {
      const auto& s = spec(static_cast<CountryParam>(k));
      os << "  " << s.name << " = " << format_number(p.countries.values(i, k)) << " " << s.unit
         << schedule_text(p.countries.schedule(i, static_cast<CountryParam>(k))) << origin("country." + code + "." + std::string(s.name)) << "\n";
    }
    os << "  targets = [";
    const auto& tg = p.countries.targets[i];
    for (std::size_t j = 0; j < tg.size(); ++j)
      os << (j ? ", " : "") << "[" << format_number(tg[j].year) << ", " << format_number(tg[j].mw) << "]";
    os << "]" << origin("country." + code + ".targets") << "\n";
  }
  return os.str();
}

}  // namespace sovcap
