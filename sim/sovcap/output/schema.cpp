#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <set>
#include <sstream>

#include "sovcap/output/detail.hpp"
#include "sovcap/version.hpp"

namespace sovcap::outfile {
namespace {

// Parameters with small non-negative integer codes are stored as int8 (netCDF byte).
bool stored_as_code(const ParamSpec& s) {
  return (s.kind == ParamKind::choice || s.kind == ParamKind::integer) && s.lo >= 0.0 &&
         s.hi <= 127.0;
}

std::int8_t to_code(double v) {
  return std::isfinite(v) && v >= 0.0 && v <= 127.0 ? static_cast<std::int8_t>(std::lround(v))
                                                    : kCodeFill;
}

// Stores element i of type T at dst (any alignment, no aliasing questions).
template <typename T>
void put(void* dst, std::size_t i, T v) {
  std::memcpy(static_cast<unsigned char*>(dst) + i * sizeof(T), &v, sizeof(T));
}

template <typename T>
Bytes bytes_of(T v) {
  Bytes b(sizeof(T));
  std::memcpy(b.data(), &v, sizeof(T));
  return b;
}

// The value of series `s` for country c at the horizon: `last`, else the trajectory's
// last column.
double horizon_value(const RunResult& r, CountrySeries s, Eigen::Index c) {
  const auto i = static_cast<std::size_t>(s);
  if (r.last[i].size() > c) return r.last[i](c);
  const auto& a = r.country[i];
  return a.cols() > 0 ? a(c, a.cols() - 1) : kNaN;
}

// The registry unit of the parameter a sweep key names ("country.KOR.pue" -> ratio), or
// "" when the key names no registry parameter (lists, shock fields).
std::string key_units(const std::string& key) {
  const auto dot = key.find('.');
  const auto last = key.rfind('.');
  if (dot == std::string::npos) return "";
  const std::string scope = key.substr(0, dot);
  const std::string name = key.substr(last + 1);
  ParamScope sc;
  if (scope == "global") sc = ParamScope::global;
  else if (scope == "country") sc = ParamScope::country;
  else if (scope == "simulation") sc = ParamScope::simulation;
  else return "";
  const ParamSpec* sp = find_param(sc, name);
  if (!sp || sp->kind == ParamKind::targets || sp->kind == ParamKind::shocks) return "";
  return stored_as_code(*sp) ? "1" : std::string(sp->unit);
}

void validate(const OutputLayout& l, const std::string& path) {
  const std::string where = "cannot write " + path + ": ";
  if (l.runs < 1) throw OutputError(where + "no runs");
  if (l.first_run < 0 || l.total_runs < l.first_run + l.runs)
    throw OutputError(where + "runs " + std::to_string(l.first_run) + ".." +
                      std::to_string(l.first_run + l.runs - 1) + " lie outside the sweep's " +
                      std::to_string(l.total_runs) + " runs");
  if (l.steps < 0) throw OutputError(where + "negative step count");
  if (l.iso3.empty()) throw OutputError(where + "no countries");
  if (l.names.size() != l.iso3.size())
    throw OutputError(where + std::to_string(l.iso3.size()) + " country codes but " +
                      std::to_string(l.names.size()) + " names");
  const auto& sw = l.sweep;
  const std::size_t nl = sw.lever_keys.size();
  if (sw.lever_values.size() != nl || sw.lever_numeric.size() != nl)
    throw OutputError(where + "the sweep's lever keys, values and numbers differ in length");
  for (std::size_t k = 0; k < nl; ++k) {
    if (sw.lever_values[k].empty())
      throw OutputError(where + "lever " + sw.lever_keys[k] + " has no values");
    if (!sw.lever_numeric[k].empty() && sw.lever_numeric[k].size() != sw.lever_values[k].size())
      throw OutputError(where + "lever " + sw.lever_keys[k] + " has " +
                        std::to_string(sw.lever_values[k].size()) + " values but " +
                        std::to_string(sw.lever_numeric[k].size()) + " numbers");
  }
  if (sw.uncertain_multiply.size() != sw.uncertain_keys.size())
    throw OutputError(where + "the sweep's uncertain keys and multiply flags differ in length");
  if (sw.policies < 1 || sw.samples_per_policy < 1 || sw.samples < 1)
    throw OutputError(where + "the sweep needs at least one policy and one sample");
  auto check_keys = [&](const std::vector<std::string>& keys, const char* what) {
    std::set<std::string> seen;
    for (const auto& key : keys) {
      if (key.empty() || key.find('/') != std::string::npos || key.find(' ') != std::string::npos)
        throw OutputError(where + what + " key '" + key + "' cannot name a variable");
      if (!seen.insert(key).second) throw OutputError(where + what + " key " + key + " given twice");
    }
  };
  check_keys(sw.lever_keys, "lever");
  check_keys(sw.uncertain_keys, "uncertain");
}

// Chunk shape and write-path cache of a variable, given the block size.
void set_storage(VarDef& v, const std::array<hsize_t, kNumDims>& dim, long long block) {
  v.shape.clear();
  for (Dim d : v.dims) v.shape.push_back(dim[d]);
  v.row_elems = 1;
  for (std::size_t a = 1; a < v.shape.size(); ++a) v.row_elems *= static_cast<std::size_t>(v.shape[a]);
  auto bytes_of_chunk = [&](const std::vector<hsize_t>& c) {
    std::size_t b = v.elem;
    for (auto x : c) b *= static_cast<std::size_t>(x);
    return b;
  };
  std::vector<hsize_t> chunk = v.shape;
  const bool tiled = v.dims == std::vector<Dim>{kRun, kCountry, kTime} ||
                     v.dims == std::vector<Dim>{kRun, kCountry, kTime, kConstraint};
  if (tiled) {
    // Whole time axis in every chunk; a (16, 16, T) tile, shrunk along run then country
    // only when a very long time axis would push a chunk past the readers' cache. With a
    // constraint axis (held_back_mw), a (16, 16, T, 7) tile, shrunk the same way: the
    // writer cuts time and constraint as one axis, so both stay whole.
    chunk[0] = std::min(v.shape[0], kTile);
    chunk[1] = std::min(v.shape[1], kTile);
    while (bytes_of_chunk(chunk) > kMaxChunkBytes && chunk[0] > 1) chunk[0] = (chunk[0] + 1) / 2;
    while (bytes_of_chunk(chunk) > kMaxChunkBytes && chunk[1] > 1) chunk[1] = (chunk[1] + 1) / 2;
  } else {
    // Other axes whole; one block of runs per chunk.
    chunk[0] = std::min<hsize_t>(v.shape[0], static_cast<hsize_t>(block));
  }
  v.chunk = chunk;
  // write_run touches every chunk of one run's row; the cache must hold them all, or each
  // chunk is compressed, evicted and re-read once per run instead of once per tile.
  std::size_t row_chunks = 1;
  for (std::size_t a = 1; a < v.shape.size(); ++a)
    row_chunks *= static_cast<std::size_t>((v.shape[a] + chunk[a] - 1) / chunk[a]);
  v.cache_bytes = std::max(kMaxChunkBytes, (row_chunks + 1) * bytes_of_chunk(chunk));
}

template <typename T>
VarDef& add_var(std::vector<VarDef>& vars, std::string name, std::vector<Dim> dims,
                std::string_view units, std::string_view long_name, T fill, RowFn row) {
  VarDef v;
  v.name = std::move(name);
  v.dims = std::move(dims);
  v.type = h5::native_type<T>();
  v.elem = sizeof(T);
  v.fill = bytes_of(fill);
  v.units = std::string(units);
  v.long_name = std::string(long_name);
  v.row = std::move(row);
  vars.push_back(std::move(v));
  return vars.back();
}

// flag_values / flag_meanings of an int8 code variable.
std::function<void(hid_t)> flags(std::vector<std::string> names) {
  return [names = std::move(names)](hid_t id) {
    std::vector<std::int8_t> values;
    for (std::size_t k = 0; k < names.size(); ++k) values.push_back(static_cast<std::int8_t>(k));
    h5::write_attribute(id, "flag_values", values);
    h5::write_attribute(id, "flag_meanings", join(names, " "));
  };
}

// Results, from the output registry: the [run, country, time] series (those kept, in
// summary mode), the market's [run, time] series (full mode), the per-country summaries,
// and in summary mode the values at the horizon.
void add_result_vars(std::vector<VarDef>& vars, const OutputLayout& l, std::size_t nc, std::size_t nt) {
  const bool full = l.store == StoreMode::full;
  std::vector<std::string> bottleneck_names(kBottleneckNames.begin(), kBottleneckNames.end());
  for (int si = 0; si < kNumCountrySeries; ++si) {
    const auto series = static_cast<CountrySeries>(si);
    if (!full && !std::binary_search(l.keep.begin(), l.keep.end(), series)) continue;
    const SeriesInfo& inf = info(series);
    const auto idx = static_cast<std::size_t>(si);
    if (series == CountrySeries::bottleneck) {
      add_var<std::int8_t>(vars, std::string(inf.name), {kRun, kCountry, kTime}, inf.units,
                           inf.long_name, kCodeFill,
                           [idx, nc, nt](const RunRecord& r, void* dst) {
                             const auto& a = r.result->country[idx];
                             for (std::size_t c = 0; c < nc; ++c)
                               for (std::size_t t = 0; t < nt; ++t)
                                 put(dst, c * nt + t,
                                     to_code(a(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(t))));
                           })
          .attributes = flags(bottleneck_names);
    } else {
      add_var<double>(vars, std::string(inf.name), {kRun, kCountry, kTime}, inf.units,
                      inf.long_name, kNaN, [idx, nc, nt](const RunRecord& r, void* dst) {
                        const auto& a = r.result->country[idx];
                        for (std::size_t c = 0; c < nc; ++c)
                          for (std::size_t t = 0; t < nt; ++t)
                            put(dst, c * nt + t,
                                a(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(t)));
                      });
    }
  }
  // The market's [run, time] series are trajectories too: summary mode leaves them out
  // (they are a third of its data and barely compress).
  for (int si = 0; si < (full ? kNumRunSeries : 0); ++si) {
    const SeriesInfo& inf = info(static_cast<RunSeries>(si));
    const auto idx = static_cast<std::size_t>(si);
    add_var<double>(vars, std::string(inf.name), {kRun, kTime}, inf.units, inf.long_name, kNaN,
                    [idx, nt](const RunRecord& r, void* dst) {
                      const auto& a = r.result->run[idx];
                      for (std::size_t t = 0; t < nt; ++t) put(dst, t, a(static_cast<Eigen::Index>(t)));
                    });
  }
  add_var<double>(vars, "year_target_reached", {kRun, kCountry}, "year",
                  "time the final target was first reached (NaN if never)", kNaN,
                  [nc](const RunRecord& r, void* dst) {
                    for (std::size_t c = 0; c < nc; ++c)
                      put(dst, c, r.result->year_target_reached(static_cast<Eigen::Index>(c)));
                  });
  add_var<double>(vars, "year_gw_reached", {kRun, kCountry}, "year",
                  "time 1000 MW of IT capacity was first reached (NaN if never)", kNaN,
                  [nc](const RunRecord& r, void* dst) {
                    for (std::size_t c = 0; c < nc; ++c)
                      put(dst, c, r.result->year_gw_reached(static_cast<Eigen::Index>(c)));
                  });
  // Bottleneck shares as CF packed data: the whole step counts, with scale_factor 1/steps,
  // which xarray, netCDF readers, R and MATLAB apply when they read it (h5py gives the
  // counts). As doubles they were the largest per-run variable of a summary-mode sweep and
  // most of its compression time. int32, not int16: xarray unpacks a 16-bit integer with
  // a _FillValue to float32, a 32-bit one to float64.
  {
    const hsize_t steps = nt > 0 ? nt - 1 : 0;
    add_var<std::int32_t>(vars, "bottleneck_share", {kRun, kCountry, kConstraint}, "1",
                          "share of steps under each bottleneck (packed: step counts times "
                          "scale_factor)",
                          std::int32_t{-1}, [nc](const RunRecord& r, void* dst) {
                            const auto& n = r.result->bottleneck_steps;
                            for (std::size_t c = 0; c < nc; ++c)
                              for (std::size_t k = 0; k < kNumBottlenecks; ++k)
                                put(dst, c * kNumBottlenecks + k,
                                    std::int32_t{n(static_cast<Eigen::Index>(c),
                                                   static_cast<Eigen::Index>(k))});
                          });
    VarDef& share = vars.back();
    share.attributes = [steps](hid_t id) {
      h5::write_attribute(id, "scale_factor", steps > 0 ? 1.0 / static_cast<double>(steps) : 1.0);
    };
    // Shuffled small counts: long runs of a few byte values.
    share.runs_only = true;
  }
  // held_back_mw's trajectory (full mode, or kept), and in either mode its shares over
  // the run, the mean shortfall they are shares of, and its means per period.
  if (full || l.keep_held_back) {
    add_var<double>(vars, std::string(kHeldBackInfo.name), {kRun, kCountry, kTime, kConstraint},
                    kHeldBackInfo.units, kHeldBackInfo.long_name, kNaN,
                    [nc, nt](const RunRecord& r, void* dst) {
                      const auto& a = r.result->held_back;  // [country + constraint * nc, time]
                      const auto n = static_cast<Eigen::Index>(nc);
                      for (std::size_t c = 0; c < nc; ++c)
                        for (std::size_t t = 0; t < nt; ++t)
                          for (std::size_t k = 0; k < kNumBottlenecks; ++k)
                            put(dst, (c * nt + t) * kNumBottlenecks + k,
                                a(static_cast<Eigen::Index>(c) + static_cast<Eigen::Index>(k) * n,
                                  static_cast<Eigen::Index>(t)));
                    });
  }
  // The shares as float32 (7 significant digits): as float64 they were, at 0.7 kB a run
  // (robustness.toml), most of a summary-mode file.
  add_var<float>(vars, "held_back_share", {kRun, kCountry, kConstraint}, "1",
                  "share of the shortfall against the target path, summed over the steps, "
                  "that each constraint held back (NaN: never behind the path)",
                  std::numeric_limits<float>::quiet_NaN(), [nc](const RunRecord& r, void* dst) {
                    const auto& sum = r.result->held_back_sum;
                    for (std::size_t c = 0; c < nc; ++c) {
                      const auto ci = static_cast<Eigen::Index>(c);
                      const double total = sum.row(ci).sum();
                      for (std::size_t k = 0; k < kNumBottlenecks; ++k)
                        put(dst, c * kNumBottlenecks + k,
                            static_cast<float>(total > 0.0 ? sum(ci, static_cast<Eigen::Index>(k)) / total
                                                           : kNaN));
                    }
                  });
  // Mostly exact zeros (on_track always, most constraints most of the time) between
  // random mantissas.
  vars.back().runs_only = true;
  add_var<double>(vars, "shortfall_mw_mean", {kRun, kCountry}, "MW",
                  "shortfall against the target path, averaged over the steps "
                  "(held_back_mw summed over constraint)",
                  kNaN, [nc, nt](const RunRecord& r, void* dst) {
                    const auto& sum = r.result->held_back_sum;
                    const double steps = nt > 1 ? static_cast<double>(nt - 1) : 1.0;
                    for (std::size_t c = 0; c < nc; ++c)
                      put(dst, c, sum.row(static_cast<Eigen::Index>(c)).sum() / steps);
                  });
  vars.back().compressed = false;  // full random mantissas, as compute_flops_final
  // Per period (result_periods): what a summary-store file needs to tell which constraint
  // held a country back when, without the trajectory. Float32, as held_back_share.
  {
    const ResultPeriods periods = result_periods(l.start_year, l.dt, l.steps);
    std::vector<double> steps(periods.steps.begin(), periods.steps.end());
    add_var<float>(vars, "held_back_mw_period", {kRun, kCountry, kPeriod, kConstraint}, "MW",
                   "shortfall against the target path that each constraint held back, averaged "
                   "over the period's steps (NaN: a period without steps)",
                   std::numeric_limits<float>::quiet_NaN(), [nc, steps](const RunRecord& r, void* dst) {
                     const auto& sum = r.result->held_back_period;  // [country, constraint + period * 7]
                     const std::size_t np = steps.size();
                     for (std::size_t c = 0; c < nc; ++c)
                       for (std::size_t p = 0; p < np; ++p)
                         for (std::size_t k = 0; k < kNumBottlenecks; ++k) {
                           const double x = sum(static_cast<Eigen::Index>(c),
                                                static_cast<Eigen::Index>(p * kNumBottlenecks + k));
                           put(dst, (c * np + p) * kNumBottlenecks + k,
                               static_cast<float>(steps[p] > 0.0 ? x / steps[p] : kNaN));
                         }
                   });
    vars.back().runs_only = true;  // as held_back_share
  }
  if (!full) {
    // What summaries need of the trajectories that a summary-mode file leaves out.
    auto horizon = [&](const char* name, CountrySeries series, const char* what) {
      const SeriesInfo& inf = info(series);
      add_var<double>(vars, name, {kRun, kCountry}, inf.units, what, kNaN,
                      [series, nc](const RunRecord& r, void* dst) {
                        for (std::size_t c = 0; c < nc; ++c)
                          put(dst, c, horizon_value(*r.result, series, static_cast<Eigen::Index>(c)));
                      });
    };
    horizon("it_mw_final", CountrySeries::it_mw, "AI IT capacity in service at the horizon");
    // Compute and spending at the horizon are products and sums of many flows, with full
    // random mantissas: shuffle and deflate shrink them by only ~16% (robustness.toml,
    // 100k runs), for about a tenth of a summary-mode sweep's compression time. Stored
    // unfiltered, like the sampled scalars. (Capacity and energy at the horizon compress
    // to ~40%: many countries sit exactly on their targets.)
    horizon("compute_flops_final", CountrySeries::compute_flops,
            "effective dense 16-bit compute at the horizon");
    vars.back().compressed = false;
    horizon("energy_twh_final", CountrySeries::energy_twh,
            "energy use per year at the current draw, at the horizon");
    add_var<double>(vars, "spend_usd_final", {kRun, kCountry}, "USD",
                    "cumulative capital and operating spending by the horizon (capex + opex)",
                    kNaN, [nc](const RunRecord& r, void* dst) {
                      for (std::size_t c = 0; c < nc; ++c) {
                        const auto ci = static_cast<Eigen::Index>(c);
                        put(dst, c, horizon_value(*r.result, CountrySeries::capex_usd, ci) +
                                        horizon_value(*r.result, CountrySeries::opex_usd, ci));
                      }
                    });
    vars.back().compressed = false;
  }
}

// Parameters, from the parameter registry, and the lists padded with NaN.
void add_param_vars(std::vector<VarDef>& vars, const OutputLayout& l, std::size_t nc,
                    std::size_t nk, std::size_t ns) {
  // Parameters, from the parameter registry. Codes are dimensionless: units "1".
  for (const ParamSpec& sp : param_specs()) {
    if (sp.index < 0 || sp.scope == ParamScope::simulation) continue;
    const bool global = sp.scope == ParamScope::global;
    const std::string name = std::string(global ? "global." : "country.") + std::string(sp.name);
    const std::vector<Dim> dims = global ? std::vector<Dim>{kRun} : std::vector<Dim>{kRun, kCountry};
    const auto idx = sp.index;
    if (stored_as_code(sp)) {
      auto& v = add_var<std::int8_t>(
          vars, name, dims, "1", sp.meaning, kCodeFill, [global, idx, nc](const RunRecord& r, void* dst) {
            if (global) {
              put(dst, 0, to_code(r.params->global.values[static_cast<std::size_t>(idx)]));
            } else {
              const auto col = r.params->countries.values.col(idx);
              for (std::size_t c = 0; c < nc; ++c) put(dst, c, to_code(col(static_cast<Eigen::Index>(c))));
            }
          });
      if (!sp.choices.empty())
        v.attributes = flags(std::vector<std::string>(sp.choices.begin(), sp.choices.end()));
    } else {
      auto& v = add_var<double>(vars, name, dims, sp.unit, sp.meaning, kNaN,
                                [global, idx, nc](const RunRecord& r, void* dst) {
                                  if (global) {
                                    put(dst, 0, r.params->global.values[static_cast<std::size_t>(idx)]);
                                  } else {
                                    const auto col = r.params->countries.values.col(idx);
                                    for (std::size_t c = 0; c < nc; ++c)
                                      put(dst, c, col(static_cast<Eigen::Index>(c)));
                                  }
                                });
      // A sampled global parameter: one random number a run. (Sampled country columns
      // stay compressed: with multiply, shuffle finds the countries' common exponents and
      // deflate halves them.)
      if (global)
        for (const auto& key : l.sweep.uncertain_keys)
          if (key == name) v.compressed = false;
    }
  }
  // Lists padded with NaN.
  if (ns > 0) {
    auto shock_var = [&](const char* name, const char* units, const char* what,
                         double SupplyShock::*field) {
      add_var<double>(vars, name, {kRun, kShock}, units, what, kNaN,
                      [ns, field](const RunRecord& r, void* dst) {
                        const auto& shocks = r.params->global.supply_shocks;
                        for (std::size_t k = 0; k < ns; ++k)
                          put(dst, k, k < shocks.size() ? shocks[k].*field : kNaN);
                      });
    };
    shock_var("global.supply_shock_start", "year",
              "start of a supply shock period [start, end) (NaN: none)", &SupplyShock::start);
    shock_var("global.supply_shock_end", "year",
              "end of a supply shock period [start, end) (NaN: none)", &SupplyShock::end);
    shock_var("global.supply_shock_factor", "1",
              "factor on vendor output during a supply shock (NaN: none)", &SupplyShock::factor);
  }
  if (nk > 0) {
    auto target_var = [&](const char* name, const char* units, const char* what,
                          double Target::*field) {
      add_var<double>(vars, name, {kRun, kCountry, kTarget}, units, what, kNaN,
                      [nc, nk, field](const RunRecord& r, void* dst) {
                        for (std::size_t c = 0; c < nc; ++c) {
                          const auto& targets = r.params->countries.targets[c];
                          for (std::size_t k = 0; k < nk; ++k)
                            put(dst, c * nk + k, k < targets.size() ? targets[k].*field : kNaN);
                        }
                      });
    };
    target_var("country.target_year", "year", "year of an announced target (NaN: none)", &Target::year);
    target_var("country.target_mw", "MW", "IT capacity of an announced target (NaN: none)", &Target::mw);
  }
  auto sim_var = [&](const char* name, double SimulationSettings::*field) {
    const ParamSpec* sp = find_param(ParamScope::simulation, name);
    add_var<double>(vars, std::string("simulation.") + name, {kRun},
                    sp ? sp->unit : std::string_view(), sp ? sp->meaning : std::string_view(name),
                    kNaN, [field](const RunRecord& r, void* dst) { put(dst, 0, r.params->sim.*field); });
  };
  sim_var("start_year", &SimulationSettings::start_year);
  sim_var("end_year", &SimulationSettings::end_year);
  sim_var("dt", &SimulationSettings::dt);
}

// The schedules of the parameters some run schedules: per parameter NAME, NAME.schedule_year
// and NAME.schedule_value over [run, schedule_point] (global) or [run, country,
// schedule_point] (country), NaN-padded; all NaN where the run does not schedule it (the
// parameter's variable then holds its one value).
void add_schedule_vars(std::vector<VarDef>& vars, const OutputLayout& l, std::size_t nc,
                       std::size_t np) {
  if (np == 0) return;
  for (const std::string& name : l.scheduled) {
    const bool global = name.rfind("global.", 0) == 0;
    const ParamSpec* sp =
        find_param(global ? ParamScope::global : ParamScope::country, name.substr(name.find('.') + 1));
    if (!sp || sp->index < 0) continue;
    const int idx = sp->index;
    const std::vector<Dim> dims =
        global ? std::vector<Dim>{kRun, kSchedule} : std::vector<Dim>{kRun, kCountry, kSchedule};
    auto var = [&](const char* suffix, const std::string& units, const std::string& what,
                   double SchedulePoint::*field) {
      add_var<double>(vars, name + suffix, dims, units, what, kNaN,
                      [global, idx, nc, np, field](const RunRecord& r, void* dst) {
                        auto fill = [&](std::size_t at, const Schedule* s) {
                          for (std::size_t k = 0; k < np; ++k)
                            put(dst, at + k, s && k < s->size() ? (*s)[k].*field : kNaN);
                        };
                        if (global) {
                          fill(0, r.params->global.schedule(static_cast<GlobalParam>(idx)));
                        } else {
                          // NaN rows, then the countries that schedule it, in one pass
                          // over the run's schedules rather than a search per country.
                          for (std::size_t c = 0; c < nc; ++c) fill(c * np, nullptr);
                          for (const ParamSchedule& s : r.params->countries.schedules)
                            if (s.param == idx) fill(static_cast<std::size_t>(s.country) * np, &s.points);
                        }
                      });
    };
    var(".schedule_year", "year", "year of a point of the schedule of " + name + " (NaN: none)",
        &SchedulePoint::year);
    var(".schedule_value", sp->kind == ParamKind::integer ? "1" : std::string(sp->unit),
        "value of " + name + " at that year (NaN: none)", &SchedulePoint::value);
  }
}

// The run's place in the sweep, then run_complete.
void add_sweep_vars(std::vector<VarDef>& vars, const OutputLayout& l) {
  const auto& sw = l.sweep;
  add_var<std::int32_t>(vars, "policy", {kRun}, "1",
                        "policy index (lever combination, first lever slowest); "
                        "run = policy * samples_per_policy + sample",
                        std::int32_t{-1}, [](const RunRecord& r, void* dst) {
                          put(dst, 0, static_cast<std::int32_t>(r.info.policy));
                        });
  // Indices without _FillValue: xarray would read them as float64 with NaN (issue 17). The
  // -1 of an unwritten run is still the HDF5 fill value.
  vars.back().fill_is_data = true;
  add_var<std::int64_t>(vars, "sample", {kRun}, "1",
                        "sample index within the policy (the same sampled future in every policy)",
                        std::int64_t{-1}, [](const RunRecord& r, void* dst) {
                          put(dst, 0, static_cast<std::int64_t>(r.info.sample));
                        });
  vars.back().fill_is_data = true;
  if (sw.method == "saltelli") {
    std::vector<std::string> matrices = {"A", "B"};
    for (std::size_t i = 0; i < sw.uncertain_keys.size(); ++i)
      matrices.push_back("AB_" + std::to_string(i));
    add_var<std::int8_t>(vars, "saltelli_matrix", {kRun}, "1",
                         "Saltelli matrix of the sample: A, B, or AB_i (the A row with column i, "
                         "uncertain key i, taken from B)",
                         kCodeFill, [](const RunRecord& r, void* dst) {
                           const int m = r.info.saltelli_matrix;
                           put(dst, 0, static_cast<std::int8_t>(m >= 0 && m <= 127 ? m : -1));
                         })
        .attributes = flags(matrices);
    add_var<std::int64_t>(vars, "base_row", {kRun}, "1",
                          "row of the base sample (of N) that the Saltelli sample derives from",
                          std::int64_t{-1}, [](const RunRecord& r, void* dst) {
                            put(dst, 0, static_cast<std::int64_t>(r.info.base_row));
                          });
    vars.back().fill_is_data = true;
  }
  for (std::size_t k = 0; k < sw.lever_keys.size(); ++k) {
    const std::string& key = sw.lever_keys[k];
    const std::vector<std::string> texts = sw.lever_values[k];
    const std::vector<double> numbers = sw.lever_numeric[k];
    if (!numbers.empty()) {
      add_var<double>(vars, "lever." + key, {kRun}, key_units(key),
                      "policy lever " + key + ": the value used", kNaN,
                      [k, numbers](const RunRecord& r, void* dst) {
                        const int choice = r.info.lever_choice[k];
                        put(dst, 0, numbers[static_cast<std::size_t>(choice)]);
                      })
          .attributes = [texts, numbers](hid_t id) {
        h5::write_string_list_attribute(id, "values", texts);
        h5::write_attribute(id, "numeric_values", numbers);
      };
    } else {
      add_var<std::int32_t>(vars, "lever." + key, {kRun}, "1",
                            "policy lever " + key + ": index of the value used in `values`",
                            std::int32_t{-1}, [k](const RunRecord& r, void* dst) {
                              put(dst, 0, static_cast<std::int32_t>(r.info.lever_choice[k]));
                            })
          .attributes = [texts](hid_t id) { h5::write_string_list_attribute(id, "values", texts); };
      vars.back().fill_is_data = true;
    }
  }
  for (std::size_t k = 0; k < sw.uncertain_keys.size(); ++k) {
    const std::string& key = sw.uncertain_keys[k];
    const bool multiply = sw.uncertain_multiply[k];
    auto& v = add_var<double>(vars, "sampled." + key, {kRun}, multiply ? "1" : key_units(key),
                              multiply ? "sampled factor multiplying " + key
                                       : "sampled value of " + key,
                              kNaN, [k](const RunRecord& r, void* dst) { put(dst, 0, r.info.sampled[k]); });
    v.attributes = [multiply](hid_t id) {
      h5::write_attribute<std::int8_t>(id, "multiply", multiply ? 1 : 0);
    };
    v.compressed = false;
  }

  // Unwritten runs read 0 here; that 0 is an answer ("not written"), not a missing value,
  // so it is not declared as _FillValue (readers would turn it into NaN). Last, so that a
  // block's completion flags are written after everything else of the block.
  add_var<std::int8_t>(vars, "run_complete", {kRun}, "1",
                       "1 when every variable of the run has been written", std::int8_t{0},
                       [](const RunRecord&, void* dst) { put(dst, 0, std::int8_t{1}); })
      .attributes = [](hid_t id) {
    h5::write_attribute(id, "flag_values", std::vector<std::int8_t>{0, 1});
    h5::write_attribute(id, "flag_meanings", "missing complete");
  };
  vars.back().fill_is_data = true;
}

}  // namespace

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

// The layout as stored and compared: keep sorted and empty in full mode, one multiply
// flag and one numeric list (maybe empty) per key.
OutputLayout normalise(OutputLayout l) {
  if (l.store == StoreMode::full) {
    l.keep.clear();
    l.keep_held_back = false;  // full mode stores it anyway
  } else {
    std::sort(l.keep.begin(), l.keep.end());
    l.keep.erase(std::unique(l.keep.begin(), l.keep.end()), l.keep.end());
  }
  auto& sw = l.sweep;
  if (sw.uncertain_multiply.empty()) sw.uncertain_multiply.assign(sw.uncertain_keys.size(), false);
  if (sw.lever_numeric.empty()) sw.lever_numeric.assign(sw.lever_keys.size(), {});
  return l;
}

Schema build_schema(const OutputLayout& layout_in, const std::string& path) {
  Schema s;
  s.layout = normalise(layout_in);
  const OutputLayout& l = s.layout;
  validate(l, path);
  const auto nc = static_cast<std::size_t>(l.iso3.size());
  const auto nt = static_cast<std::size_t>(l.steps) + 1;
  const auto nk = static_cast<std::size_t>(std::max(l.max_targets, 0));
  const auto ns = static_cast<std::size_t>(std::max(l.max_shocks, 0));
  const auto np = static_cast<std::size_t>(l.scheduled.empty() ? 0 : std::max(l.max_schedule_points, 0));
  const auto nperiod = result_periods(l.start_year, l.dt, l.steps).span.size();
  s.dim = {static_cast<hsize_t>(l.runs), nc, nt, kNumBottlenecks, nk, ns, np, nperiod};
  auto& vars = s.vars;
  add_result_vars(vars, l, nc, nt);
  add_param_vars(vars, l, nc, nk, ns);
  add_schedule_vars(vars, l, nc, np);
  if (np > 0)
    for (const std::string& name : l.scheduled) {
      const bool global = name.rfind("global.", 0) == 0;
      const ParamSpec* sp = find_param(global ? ParamScope::global : ParamScope::country,
                                       name.substr(name.find('.') + 1));
      if (!sp || sp->index < 0) continue;
      (global ? s.scheduled_global.data() : s.scheduled_country.data())[sp->index] = true;
    }
  add_sweep_vars(vars, l);

  // Blocks: enough of them to share out, each chunk without a time axis under kMaxChunkBytes.
  std::size_t widest = 1;
  for (auto& v : vars) {
    if (v.dims.size() >= 3 && v.dims[2] == kTime) continue;  // tiled (set_storage)
    std::size_t row = v.elem;
    for (std::size_t a = 1; a < v.dims.size(); ++a) row *= static_cast<std::size_t>(s.dim[v.dims[a]]);
    widest = std::max(widest, row);
  }
  s.block = kBlockRuns;
  while (s.block > static_cast<long long>(kTile) &&
         (l.runs < kMinBlocks * s.block || static_cast<std::size_t>(s.block) * widest > kMaxChunkBytes))
    s.block /= 2;
  for (auto& v : vars) set_storage(v, s.dim, s.block);
  return s;
}

void write_root_attributes(hid_t root, const OutputLayout& layout, const OutputMetadata& meta) {
  h5::write_attribute(root, "title", "sovcap results");
  h5::write_attribute(root, "file_type", "sovcap-results");
  h5::write_attribute(root, "format_version", kFormatVersion);
  h5::write_attribute(root, "sovcap_version", kVersion);
  h5::write_attribute(root, "git_revision", kGitRevision);
  h5::write_attribute(root, "creation_time", utc_now_iso8601());
  h5::write_attribute(root, "command_line", meta.command_line);
  h5::write_attribute<std::uint64_t>(root, "seed", meta.seed);
  h5::write_attribute(root, "scenario_path", meta.scenario_path);
  h5::write_attribute(root, "scenario_text", meta.scenario_text);
  h5::write_attribute(root, "csv_path", meta.csv_path);
  h5::write_attribute(root, "csv_text", meta.csv_text);
  std::vector<std::string> paths;
  for (const auto& f : meta.files) paths.push_back(f.first);
  h5::write_attribute(root, "data_files", join(paths, "\n"));
  for (std::size_t i = 0; i < meta.files.size(); ++i) {
    const std::string stem = "data_file_" + std::to_string(i);
    h5::write_attribute(root, stem + "_path", meta.files[i].first);
    h5::write_attribute(root, stem + "_text", meta.files[i].second);
  }
  h5::write_attribute(root, "overrides", join(meta.overrides, "\n"));
  // The time axis of the file; per-run values are in the simulation.* variables.
  h5::write_attribute(root, "start_year", layout.start_year);
  h5::write_attribute(root, "end_year", layout.start_year + layout.steps * layout.dt);
  h5::write_attribute(root, "dt", layout.dt);
  // What the file holds of the sweep.
  h5::write_attribute(root, "store", store_name(layout.store));
  std::vector<std::string> kept;
  for (auto s : layout.keep) kept.push_back(series_name(s));
  if (layout.keep_held_back) kept.push_back(std::string(kHeldBackInfo.name));
  h5::write_attribute(root, "kept_series", join(kept, " "));
  h5::write_attribute(root, "scheduled_parameters", join(layout.scheduled, " "));
  h5::write_attribute<std::int64_t>(root, "first_run", layout.first_run);
  h5::write_attribute<std::int64_t>(root, "total_runs", layout.total_runs);
  const auto& sw = layout.sweep;
  h5::write_attribute(root, "sweep_method", sw.method);
  h5::write_attribute<std::int64_t>(root, "sweep_samples", sw.samples);
  h5::write_attribute<std::int32_t>(root, "sweep_policies", sw.policies);
  h5::write_attribute<std::int64_t>(root, "sweep_samples_per_policy", sw.samples_per_policy);
  h5::write_attribute(root, "lever_keys", join(sw.lever_keys, " "));
  h5::write_attribute(root, "uncertain_keys", join(sw.uncertain_keys, " "));
  h5::write_attribute(root, "Conventions", "CF-1.8");
}

void create_coordinates(hid_t root, const Schema& s, std::vector<h5::Handle>& keep,
                        std::array<hid_t, kNumDims>& scale) {
  scale.fill(H5I_INVALID_HID);
  const OutputLayout& l = s.layout;
  auto add_index = [&](Dim d, const char* name, const char* long_name, long long first) {
    if (s.dim[d] == 0) return;
    h5::Handle ds;
    const long long last = first + static_cast<long long>(s.dim[d]) - 1;
    if (last <= std::numeric_limits<std::int32_t>::max()) {
      std::vector<std::int32_t> index(s.dim[d]);
      for (std::size_t i = 0; i < index.size(); ++i) index[i] = static_cast<std::int32_t>(first + static_cast<long long>(i));
      ds = h5::create_dataset(root, name, h5::native_type<std::int32_t>(), {s.dim[d]}, {}, nullptr);
      h5::write_all(ds.get(), index);
    } else {
      std::vector<std::int64_t> index(s.dim[d]);
      for (std::size_t i = 0; i < index.size(); ++i) index[i] = first + static_cast<long long>(i);
      ds = h5::create_dataset(root, name, h5::native_type<std::int64_t>(), {s.dim[d]}, {}, nullptr);
      h5::write_all(ds.get(), index);
    }
    h5::write_attribute(ds.get(), "long_name", long_name);
    h5::make_scale(ds.get(), name);
    scale[d] = ds.get();
    keep.push_back(std::move(ds));
  };
  auto add_strings = [&](Dim d, const char* name, const std::vector<std::string>& values,
                         const char* long_name) {
    h5::Handle ds = h5::create_string_dataset(root, name, values);
    h5::write_attribute(ds.get(), "long_name", long_name);
    h5::make_scale(ds.get(), name);
    scale[d] = ds.get();
    keep.push_back(std::move(ds));
  };

  add_index(kRun, "run", "run index in the sweep", l.first_run);
  add_strings(kCountry, "country", l.iso3, "ISO 3166-1 alpha-3 country code");
  // A coordinate of decimal years, deliberately without CF "since" units: xarray refuses
  // "years since" and a plain year is what the analyses plot against.
  auto add_years = [&](Dim d, const char* name, const std::vector<double>& years, const char* long_name) {
    h5::Handle ds = h5::create_dataset(root, name, h5::native_type<double>(), {years.size()}, {}, nullptr);
    h5::write_all(ds.get(), years);
    h5::write_attribute(ds.get(), "units", "year");
    h5::write_attribute(ds.get(), "long_name", long_name);
    h5::make_scale(ds.get(), name);
    scale[d] = ds.get();
    keep.push_back(std::move(ds));
  };
  {
    std::vector<double> years(s.dim[kTime]);
    for (std::size_t n = 0; n < years.size(); ++n) years[n] = l.start_year + static_cast<double>(n) * l.dt;
    add_years(kTime, "time", years, "time (decimal year)");
  }
  std::vector<std::string> constraints(kBottleneckNames.begin(), kBottleneckNames.end());
  add_strings(kConstraint, "constraint", constraints,
              "constraint (bottleneck code order, as in flag_meanings of bottleneck)");
  add_index(kTarget, "target", "index of an announced target (milestone)", 0);
  add_index(kShock, "shock", "index of a supply shock period", 0);
  add_index(kSchedule, "schedule_point", "index of a point of a parameter schedule", 0);
  {
    // The periods of held_back_mw_period, by their start (decimal year), with their ends
    // beside them: [period_start, period_end), the last closed.
    const ResultPeriods periods = result_periods(l.start_year, l.dt, l.steps);
    std::vector<double> from, to;
    for (const auto& p : periods.span) {
      from.push_back(p.first);
      to.push_back(p.second);
    }
    add_years(kPeriod, "period", from,
              "start of the period (decimal year); a step belongs to the period holding its start");
    h5::Handle end = h5::create_dataset(root, "period_end", h5::native_type<double>(), {to.size()}, {}, nullptr);
    h5::write_all(end.get(), to);
    h5::write_attribute(end.get(), "units", "year");
    h5::write_attribute(end.get(), "long_name", "end of the period (decimal year, exclusive but for the last)");
    h5::attach_scale(end.get(), scale[kPeriod], 0);
    keep.push_back(std::move(end));
  }

  h5::Handle names = h5::create_string_dataset(root, "country_name", l.names);
  h5::write_attribute(names.get(), "long_name", "country name");
  h5::attach_scale(names.get(), scale[kCountry], 0);
  keep.push_back(std::move(names));
}

h5::Handle create_variable(hid_t root, const VarDef& v, const std::array<hid_t, kNumDims>& scale,
                           const std::vector<h5::VirtualSource>* sources) {
  h5::Handle ds;
  if (sources) {
    ds = h5::create_virtual_dataset(root, v.name, v.type, v.shape, v.fill.data(), *sources);
  } else {
    h5::DatasetOptions opt;
    opt.chunk = v.chunk;
    opt.shuffle = v.compressed;
    opt.deflate = v.compressed ? kDeflateLevel : 0;
    opt.cache_bytes = v.cache_bytes;
    ds = h5::create_dataset(root, v.name, v.type, v.shape, opt, v.fill.data());
  }
  h5::write_attribute(ds.get(), "long_name", v.long_name);
  h5::write_attribute(ds.get(), "units", v.units);
  if (!v.fill_is_data) h5::write_attribute_raw(ds.get(), "_FillValue", v.type, {}, v.fill.data());
  if (v.attributes) v.attributes(ds.get());
  for (std::size_t a = 0; a < v.dims.size(); ++a)
    h5::attach_scale(ds.get(), scale[v.dims[a]], static_cast<unsigned>(a));
  return ds;
}


}  // namespace sovcap::outfile

namespace sovcap {

void add_schedules_to_layout(const RunParams& params, OutputLayout& layout) {
  auto add = [&](ParamScope scope, int param, const Schedule& pts) {
    for (const ParamSpec& sp : param_specs())
      if (sp.scope == scope && sp.index == param) {
        layout.scheduled.push_back(std::string(scope_name(scope)) + "." + std::string(sp.name));
        break;
      }
    layout.max_schedule_points = std::max(layout.max_schedule_points, static_cast<int>(pts.size()));
  };
  for (const auto& s : params.global.schedules) add(ParamScope::global, s.param, s.points);
  for (const auto& s : params.countries.schedules) add(ParamScope::country, s.param, s.points);
  std::sort(layout.scheduled.begin(), layout.scheduled.end());
  layout.scheduled.erase(std::unique(layout.scheduled.begin(), layout.scheduled.end()),
                         layout.scheduled.end());
}

OutputLayout layout_for(const RunParams& params, int runs) {
  OutputLayout layout;
  layout.iso3 = params.countries.iso3;
  layout.names = params.countries.name;
  layout.steps = params.sim.steps();
  layout.start_year = params.sim.start_year;
  layout.dt = params.sim.dt;
  layout.runs = runs;
  layout.total_runs = runs;
  for (const auto& t : params.countries.targets)
    layout.max_targets = std::max(layout.max_targets, static_cast<int>(t.size()));
  layout.max_shocks = static_cast<int>(params.global.supply_shocks.size());
  add_schedules_to_layout(params, layout);
  return layout;
}


}  // namespace sovcap
