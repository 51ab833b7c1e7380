#include "sovcap/output.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include <Eigen/Core>

#include "sovcap/h5.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/version.hpp"

namespace sovcap {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Fill of int8 code variables (bottleneck, allocation, export_tier): never a valid code.
constexpr std::int8_t kCodeFill = -1;
constexpr int kDeflateLevel = 2;
// Tile of the [run, country, time] variables along run and country (HDF5_NOTES.md).
constexpr hsize_t kTile = 16;
// Chunks stay below the 1 MiB default chunk cache of readers.
constexpr std::size_t kMaxChunkBytes = std::size_t{1} << 20;
// Runs per block (and per chunk of the variables without a time axis): kBlockRuns, halved
// (never below kTile) while the file would have fewer than kMinBlocks blocks (blocks are
// the unit of parallel work) or such a chunk would pass kMaxChunkBytes. Always a power of
// two, so a multiple of the run tile of [run, country, time] chunks.
constexpr long long kBlockRuns = 256;
constexpr long long kMinBlocks = 64;
// A sweep's file is flushed at most this often, so a killed process loses little.
constexpr auto kFlushInterval = std::chrono::seconds(5);
constexpr const char* kPartialSuffix = ".partial";
constexpr const char* kCreatingSuffix = ".new";  // after kPartialSuffix, while being laid out

using Bytes = std::vector<unsigned char>;

// The dimensions of the file, in the order they are created.
enum Dim : int { kRun, kCountry, kTime, kConstraint, kTarget, kShock, kNumDims };

std::string random_hex() {
  std::random_device rd;
  std::ostringstream os;
  os << std::hex << rd() << rd();
  return os.str();
}

fs::path folder_of(const fs::path& p) {
  return p.has_parent_path() ? p.parent_path() : fs::path(".");
}

// A hidden name beside `dest`: ".NAME.tag-<pid>-<random>", for the writability probe.
fs::path sibling_name(const fs::path& dest, const std::string& tag) {
  return folder_of(dest) / ("." + dest.filename().string() + "." + tag + "-" +
                            std::to_string(::getpid()) + "-" + random_hex());
}

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

// Splits on `sep`; an empty text is an empty list.
std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t from = 0;
  while (true) {
    const auto at = text.find(sep, from);
    out.push_back(text.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) break;
    from = at + 1;
  }
  return out;
}

std::string number_text(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

// Equal up to rounding: a sweep may compute the same setting along another path.
bool same_value(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(a)); }

// Parameters with small non-negative integer codes are stored as int8 (netCDF byte).
bool stored_as_code(const ParamSpec& s) {
  return (s.kind == ParamKind::choice || s.kind == ParamKind::integer) && s.lo >= 0.0 &&
         s.hi <= 127.0;
}

std::int8_t to_code(double v) {
  return std::isfinite(v) && v >= 0.0 && v <= 127.0 ? static_cast<std::int8_t>(std::lround(v))
                                                    : kCodeFill;
}

std::string store_name(StoreMode m) { return m == StoreMode::full ? "full" : "summary"; }

std::string series_name(CountrySeries s) { return std::string(info(s).name); }

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

// The series that the per-country values at the horizon of a summary-mode file come from.
constexpr std::array<CountrySeries, 5> kHorizonSources = {
    CountrySeries::it_mw, CountrySeries::compute_flops, CountrySeries::energy_twh,
    CountrySeries::capex_usd, CountrySeries::opex_usd};

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

// ---- The schema: every variable along `run`, from the layout alone ----------------------

// Fills one run's row of a variable (C order over its axes after `run`) at dst.
using RowFn = std::function<void(const RunRecord&, void*)>;

struct VarDef {
  std::string name;
  std::vector<Dim> dims;  // dims[0] == kRun
  hid_t type = H5I_INVALID_HID;  // native type, in memory and in the file
  std::size_t elem = 0;
  Bytes fill;                    // one element
  bool fill_is_data = false;     // no _FillValue attribute (run_complete)
  std::string units, long_name;
  std::function<void(hid_t)> attributes;  // further attributes
  RowFn row;
  // zlib's strategy for this variable's chunks. Z_RLE where the shuffled bytes are long
  // runs of a few values, which LZ77's full match search spends time on for little gain
  // (bottleneck_share).
  int zlib_strategy = Z_DEFAULT_STRATEGY;
  // Stored without filters: sampled scalars are random numbers, and compute and spending
  // at the horizon nearly so, which shuffle and deflate shrink by only 10-16%, for several
  // percent of a summary-mode sweep's time. A property of the schema, never of the data,
  // so that the file does not depend on which block a thread compressed first.
  bool compressed = true;
  // From the layout:
  std::vector<hsize_t> shape, chunk;
  std::size_t row_elems = 1;
  std::size_t cache_bytes = 0;
};

struct Schema {
  OutputLayout layout;  // normalised
  std::array<hsize_t, kNumDims> dim{};
  long long block = kBlockRuns;
  std::vector<VarDef> vars;  // run_complete last
};

// The layout as stored and compared: keep sorted and empty in full mode, one multiply
// flag and one numeric list (maybe empty) per key.
OutputLayout normalise(OutputLayout l) {
  if (l.store == StoreMode::full) {
    l.keep.clear();
  } else {
    std::sort(l.keep.begin(), l.keep.end());
    l.keep.erase(std::unique(l.keep.begin(), l.keep.end()), l.keep.end());
  }
  auto& sw = l.sweep;
  if (sw.uncertain_multiply.empty()) sw.uncertain_multiply.assign(sw.uncertain_keys.size(), false);
  if (sw.lever_numeric.empty()) sw.lever_numeric.assign(sw.lever_keys.size(), {});
  return l;
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
  if (v.dims == std::vector<Dim>{kRun, kCountry, kTime}) {
    // Whole time axis in every chunk; a (16, 16, T) tile, shrunk along run then country
    // only when a very long time axis would push a chunk past the readers' cache.
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

Schema build_schema(const OutputLayout& layout_in, const std::string& path) {
  Schema s;
  s.layout = normalise(layout_in);
  const OutputLayout& l = s.layout;
  validate(l, path);
  const auto nc = static_cast<std::size_t>(l.iso3.size());
  const auto nt = static_cast<std::size_t>(l.steps) + 1;
  const auto nk = static_cast<std::size_t>(std::max(l.max_targets, 0));
  const auto ns = static_cast<std::size_t>(std::max(l.max_shocks, 0));
  s.dim = {static_cast<hsize_t>(l.runs), nc, nt, kNumBottlenecks, nk, ns};
  auto& vars = s.vars;
  const bool full = l.store == StoreMode::full;

  // Results, from the output registry.
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
    // Shuffled small counts are long runs of a few byte values: run-length matching is
    // the cheapest of zlib's strategies here, and compresses about as well as the default.
    share.zlib_strategy = Z_RLE;
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

  // The run's place in the sweep.
  const auto& sw = l.sweep;
  add_var<std::int32_t>(vars, "policy", {kRun}, "1",
                        "policy index (lever combination, first lever slowest); "
                        "run = policy * samples_per_policy + sample",
                        std::int32_t{-1}, [](const RunRecord& r, void* dst) {
                          put(dst, 0, static_cast<std::int32_t>(r.info.policy));
                        });
  add_var<std::int64_t>(vars, "sample", {kRun}, "1",
                        "sample index within the policy (the same sampled future in every policy)",
                        std::int64_t{-1}, [](const RunRecord& r, void* dst) {
                          put(dst, 0, static_cast<std::int64_t>(r.info.sample));
                        });
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

  // Blocks: enough of them to share out, each chunk without a time axis under kMaxChunkBytes.
  std::size_t widest = 1;
  for (auto& v : vars) {
    if (v.dims == std::vector<Dim>{kRun, kCountry, kTime}) continue;
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

// ---- Creating the file's objects (shared by the writer and the master) -------------------

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
  h5::write_attribute(root, "kept_series", join(kept, " "));
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

// The coordinate variables (each a dimension scale) and country_name. `scale` receives the
// scale of every dimension present; `keep` owns the handles.
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
  {
    // Decimal years, deliberately without CF "since" units: xarray refuses "years since"
    // and a plain year is what the analyses plot against.
    const hsize_t times = s.dim[kTime];
    std::vector<double> years(times);
    for (hsize_t n = 0; n < times; ++n) years[n] = l.start_year + static_cast<double>(n) * l.dt;
    h5::Handle ds = h5::create_dataset(root, "time", h5::native_type<double>(), {times}, {}, nullptr);
    h5::write_all(ds.get(), years);
    h5::write_attribute(ds.get(), "units", "year");
    h5::write_attribute(ds.get(), "long_name", "time (decimal year)");
    h5::make_scale(ds.get(), "time");
    scale[kTime] = ds.get();
    keep.push_back(std::move(ds));
  }
  std::vector<std::string> constraints(kBottleneckNames.begin(), kBottleneckNames.end());
  add_strings(kConstraint, "constraint", constraints,
              "constraint (bottleneck code order, as in flag_meanings of bottleneck)");
  add_index(kTarget, "target", "index of an announced target (milestone)", 0);
  add_index(kShock, "shock", "index of a supply shock period", 0);

  h5::Handle names = h5::create_string_dataset(root, "country_name", l.names);
  h5::write_attribute(names.get(), "long_name", "country name");
  h5::attach_scale(names.get(), scale[kCountry], 0);
  keep.push_back(std::move(names));
}

// Creates one variable with its attributes and scales: chunked and compressed, or (with
// `sources`) a virtual dataset over shard files.
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

// ---- Reading a file's description back (resume, merge) ----------------------------------

struct Described {
  OutputLayout layout;
  OutputMetadata meta;
  std::string format_version, sovcap_version, git_revision;
  bool master = false;
};

Described describe(hid_t f, const std::string& path) {
  auto text = [&](const char* name, const std::string& otherwise = "") {
    return h5::has_attribute(f, name) ? h5::read_string_attribute(f, name) : otherwise;
  };
  auto integer = [&](const char* name, long long otherwise) -> long long {
    if (!h5::has_attribute(f, name)) return otherwise;
    const auto v = h5::read_attribute<std::int64_t>(f, name);
    return v.empty() ? otherwise : static_cast<long long>(v[0]);
  };
  if (text("file_type") != "sovcap-results")
    throw OutputError(path + ": not a sovcap results file (no file_type = \"sovcap-results\")");
  Described d;
  d.format_version = text("format_version");
  d.sovcap_version = text("sovcap_version");
  d.git_revision = text("git_revision");
  d.master = h5::has_attribute(f, "shards");
  auto& m = d.meta;
  m.command_line = text("command_line");
  m.scenario_path = text("scenario_path");
  m.scenario_text = text("scenario_text");
  m.csv_path = text("csv_path");
  m.csv_text = text("csv_text");
  m.overrides = split(text("overrides"), '\n');
  if (h5::has_attribute(f, "seed")) {
    const auto seed = h5::read_attribute<std::uint64_t>(f, "seed");
    if (!seed.empty()) m.seed = seed[0];
  }
  for (std::size_t i = 0;; ++i) {
    const std::string stem = "data_file_" + std::to_string(i);
    if (!h5::has_attribute(f, stem + "_path")) break;
    m.files.emplace_back(h5::read_string_attribute(f, stem + "_path"),
                         text((stem + "_text").c_str()));
  }

  auto& l = d.layout;
  l.iso3 = h5::read_strings(h5::open_dataset(f, "country").get());
  l.names = h5::read_strings(h5::open_dataset(f, "country_name").get());
  const auto time = h5::read_all<double>(h5::open_dataset(f, "time").get());
  l.steps = static_cast<int>(time.size()) - 1;
  l.start_year = h5::has_attribute(f, "start_year") ? h5::read_attribute<double>(f, "start_year").at(0)
                                                    : time.at(0);
  l.dt = h5::has_attribute(f, "dt") ? h5::read_attribute<double>(f, "dt").at(0) : 0.0;
  l.runs = static_cast<long long>(h5::shape(h5::open_dataset(f, "run").get()).at(0));
  l.first_run = integer("first_run", 0);
  l.total_runs = integer("total_runs", l.runs);
  l.max_targets = h5::exists(f, "target")
                      ? static_cast<int>(h5::shape(h5::open_dataset(f, "target").get()).at(0))
                      : 0;
  l.max_shocks = h5::exists(f, "shock")
                     ? static_cast<int>(h5::shape(h5::open_dataset(f, "shock").get()).at(0))
                     : 0;
  const std::string store = text("store", "full");
  if (store != "full" && store != "summary")
    throw OutputError(path + ": unknown store mode '" + store + "'");
  l.store = store == "full" ? StoreMode::full : StoreMode::summary;
  for (const auto& name : split(text("kept_series"), ' ')) {
    bool found = false;
    for (int s = 0; s < kNumCountrySeries && !found; ++s)
      if (info(static_cast<CountrySeries>(s)).name == name) {
        l.keep.push_back(static_cast<CountrySeries>(s));
        found = true;
      }
    if (!found) throw OutputError(path + ": kept series '" + name + "' is not a known series");
  }
  auto& sw = l.sweep;
  sw.method = text("sweep_method");
  sw.samples = integer("sweep_samples", 1);
  sw.policies = static_cast<int>(integer("sweep_policies", 1));
  sw.samples_per_policy = integer("sweep_samples_per_policy", 1);
  sw.lever_keys = split(text("lever_keys"), ' ');
  for (const auto& key : sw.lever_keys) {
    h5::Handle v = h5::open_dataset(f, "lever." + key);
    sw.lever_values.push_back(h5::read_string_list_attribute(v.get(), "values"));
    sw.lever_numeric.push_back(h5::has_attribute(v.get(), "numeric_values")
                                   ? h5::read_attribute<double>(v.get(), "numeric_values")
                                   : std::vector<double>{});
  }
  sw.uncertain_keys = split(text("uncertain_keys"), ' ');
  for (const auto& key : sw.uncertain_keys) {
    h5::Handle v = h5::open_dataset(f, "sampled." + key);
    const bool multiply = h5::has_attribute(v.get(), "multiply") &&
                          h5::read_attribute<std::int8_t>(v.get(), "multiply").at(0) != 0;
    sw.uncertain_multiply.push_back(multiply);
  }
  l = normalise(l);
  return d;
}

struct Difference {
  std::string what;
  std::string a, b;  // both empty for long texts
};

std::string shorten(std::string s) {
  constexpr std::size_t kMax = 160;
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  return s;
}

// The first way `a` and `b` describe different runs, if any. `position`: compare which
// runs of the sweep they hold; `build`: compare the program version and revision.
std::optional<Difference> first_difference(const Described& a, const Described& b, bool position,
                                           bool build) {
  auto values = [](const std::string& what, const std::string& x, const std::string& y)
      -> std::optional<Difference> {
    if (x == y) return std::nullopt;
    return Difference{what, shorten(x.empty() ? "\"\"" : x), shorten(y.empty() ? "\"\"" : y)};
  };
  auto texts = [](const std::string& what, const std::string& x,
                  const std::string& y) -> std::optional<Difference> {
    if (x == y) return std::nullopt;
    return Difference{what, "", ""};
  };
  auto num = [](double x) { return number_text(x); };
  auto numbers = [&](const std::vector<double>& v) {
    std::vector<std::string> t;
    for (double x : v) t.push_back(num(x));
    return join(t, " ");
  };
  auto series_list = [](const std::vector<CountrySeries>& v) {
    std::vector<std::string> t;
    for (auto s : v) t.push_back(series_name(s));
    return t.empty() ? std::string("(none)") : join(t, " ");
  };
  std::optional<Difference> d;
  const auto& la = a.layout;
  const auto& lb = b.layout;
  const auto& ma = a.meta;
  const auto& mb = b.meta;
  if ((d = values("format_version", a.format_version, b.format_version))) return d;
  if (build) {
    if ((d = values("sovcap_version", a.sovcap_version, b.sovcap_version))) return d;
    if ((d = values("git_revision", a.git_revision, b.git_revision))) return d;
  }
  if ((d = texts("the scenario text (scenario_text)", ma.scenario_text, mb.scenario_text))) return d;
  if ((d = texts("the country data (csv_text)", ma.csv_text, mb.csv_text))) return d;
  if ((d = values("the number of data files", std::to_string(ma.files.size()),
                  std::to_string(mb.files.size()))))
    return d;
  for (std::size_t i = 0; i < ma.files.size(); ++i)
    if ((d = texts("data file " + std::to_string(i) + " (" + ma.files[i].first + ")",
                   ma.files[i].second, mb.files[i].second)))
      return d;
  if ((d = values("overrides", join(ma.overrides, ", "), join(mb.overrides, ", ")))) return d;
  if ((d = values("seed", std::to_string(ma.seed), std::to_string(mb.seed)))) return d;
  if ((d = values("countries", join(la.iso3, " "), join(lb.iso3, " ")))) return d;
  if ((d = values("country names", join(la.names, ", "), join(lb.names, ", ")))) return d;
  if ((d = values("time axis (start_year, dt, steps)",
                  num(la.start_year) + ", " + num(la.dt) + ", " + std::to_string(la.steps),
                  num(lb.start_year) + ", " + num(lb.dt) + ", " + std::to_string(lb.steps))))
    return d;
  if ((d = values("total_runs", std::to_string(la.total_runs), std::to_string(lb.total_runs))))
    return d;
  if (position) {
    auto range = [](const OutputLayout& l) {
      return std::to_string(l.first_run) + ".." + std::to_string(l.first_run + l.runs - 1);
    };
    if ((d = values("runs held (first_run..last)", range(la), range(lb)))) return d;
  }
  if ((d = values("target dimension", std::to_string(la.max_targets), std::to_string(lb.max_targets))))
    return d;
  if ((d = values("shock dimension", std::to_string(la.max_shocks), std::to_string(lb.max_shocks))))
    return d;
  if ((d = values("store mode", store_name(la.store), store_name(lb.store)))) return d;
  if ((d = values("kept series", series_list(la.keep), series_list(lb.keep)))) return d;
  const auto& sa = la.sweep;
  const auto& sb = lb.sweep;
  if ((d = values("sweep method", sa.method, sb.method))) return d;
  if ((d = values("sweep samples", std::to_string(sa.samples), std::to_string(sb.samples)))) return d;
  if ((d = values("sweep policies", std::to_string(sa.policies), std::to_string(sb.policies)))) return d;
  if ((d = values("samples per policy", std::to_string(sa.samples_per_policy),
                  std::to_string(sb.samples_per_policy))))
    return d;
  if ((d = values("lever keys", join(sa.lever_keys, " "), join(sb.lever_keys, " ")))) return d;
  for (std::size_t k = 0; k < sa.lever_keys.size(); ++k) {
    if ((d = values("values of lever " + sa.lever_keys[k], join(sa.lever_values[k], " | "),
                    join(sb.lever_values[k], " | "))))
      return d;
    if ((d = values("numeric values of lever " + sa.lever_keys[k], numbers(sa.lever_numeric[k]),
                    numbers(sb.lever_numeric[k]))))
      return d;
  }
  if ((d = values("uncertain keys", join(sa.uncertain_keys, " "), join(sb.uncertain_keys, " "))))
    return d;
  for (std::size_t k = 0; k < sa.uncertain_keys.size(); ++k)
    if ((d = values("multiply flag of " + sa.uncertain_keys[k],
                    sa.uncertain_multiply[k] ? "multiply" : "replace",
                    sb.uncertain_multiply[k] ? "multiply" : "replace")))
      return d;
  return std::nullopt;
}

std::string explain(const Difference& d, const std::string& la, const std::string& lb) {
  if (d.a.empty() && d.b.empty()) return d.what + " differs";
  return d.what + " differs (" + la + ": " + d.a + "; " + lb + ": " + d.b + ")";
}

// ---- Chunks -----------------------------------------------------------------------------

// Byte shuffle (HDF5's shuffle filter) then zlib (its deflate filter) of one chunk.
void compress_chunk(const unsigned char* raw, std::size_t elems, std::size_t elem, int strategy,
                    Bytes& shuffled, Bytes& work, Bytes& out) {
  const std::size_t bytes = elems * elem;
  const unsigned char* src = raw;
  if (elem > 1 && elems > 1) {
    shuffled.resize(bytes);
    for (std::size_t j = 0; j < elem; ++j) {
      unsigned char* d = shuffled.data() + j * elems;
      const unsigned char* s = raw + j;
      for (std::size_t i = 0; i < elems; ++i) d[i] = s[i * elem];
    }
    src = shuffled.data();
  }
  // zlib's window and hash table sized to the chunk: compress2 always sets up the full
  // 32 KiB window and 64 Ki-entry hash, which for the small per-run chunks of a
  // summary-mode sweep costs more than compressing them. Any window size decodes with
  // the standard inflate that HDF5's deflate filter uses.
  int window_bits = 9;
  while (window_bits < 15 && (std::size_t{1} << window_bits) < bytes) ++window_bits;
  const int mem_level = std::max(1, window_bits - 7);
  z_stream zs{};
  if (deflateInit2(&zs, kDeflateLevel, Z_DEFLATED, window_bits, mem_level, strategy) != Z_OK)
    throw OutputError("cannot compress a chunk: zlib could not start");
  const uLong bound = deflateBound(&zs, static_cast<uLong>(bytes));
  work.resize(bound);
  zs.next_in = const_cast<Bytef*>(src);
  zs.avail_in = static_cast<uInt>(bytes);
  zs.next_out = work.data();
  zs.avail_out = static_cast<uInt>(bound);
  const int rc = deflate(&zs, Z_FINISH);
  const uLong size = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw OutputError("cannot compress a chunk: zlib error " + std::to_string(rc));
  out.assign(work.begin(), work.begin() + static_cast<std::ptrdiff_t>(size));
}

// Writes the whole file to disk before it is renamed or kept.
void sync_file(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    throw OutputError("cannot write " + what + ": cannot sync " + path + ": " + std::strerror(err));
  }
  ::close(fd);
}

// The partial file's name; removes the file on destruction unless kept.
struct TempFile {
  std::string path;
  bool keep = false;
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!keep && !path.empty()) std::remove(path.c_str());
  }
};

// Removes a stale partial (or anything else) at `path` before a fresh one is created.
void remove_stale(const std::string& path, const std::string& what) {
  std::error_code ec;
  const auto st = fs::symlink_status(path, ec);
  if (!fs::exists(st)) return;
  if (fs::is_directory(st))
    throw OutputError("cannot write " + what + ": " + path + " is a folder");
  if (!fs::remove(path, ec) && ec)
    throw OutputError("cannot write " + what + ": cannot remove the stale partial file " + path +
                      ": " + ec.message());
}

}  // namespace

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
  return layout;
}

void check_output_path(const std::string& path, bool overwrite) {
  if (path.empty()) throw OutputError("no output file given");
  const fs::path p(path);
  if (!p.has_filename() || p.filename() == "." || p.filename() == "..")
    throw OutputError(path + " names a folder; give a file name such as " +
                      (p / "results.h5").string());
  std::error_code ec;
  const auto st = fs::status(p, ec);
  if (fs::exists(st)) {
    if (fs::is_directory(st))
      throw OutputError(path + " is a folder; give a file name such as " +
                        (p / "results.h5").string());
    if (!overwrite) throw OutputError(path + " exists; use --force to overwrite");
  }
  const fs::path folder = folder_of(p);
  const auto fst = fs::status(folder, ec);
  if (!fs::exists(fst))
    throw OutputError("cannot write " + path + ": folder " + folder.string() + " does not exist");
  if (!fs::is_directory(fst))
    throw OutputError("cannot write " + path + ": " + folder.string() + " is not a folder");
  // Creating a file is the test that answers for certain: access(W_OK) asks about the real,
  // not the effective, user and misses some ACL and network file-system rules.
  const fs::path probe = sibling_name(p, "tmp-probe");
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    throw OutputError("cannot write " + path + ": cannot create files in folder " +
                      folder.string() + ": " + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

struct PreparedBlock {
  const void* owner = nullptr;  // the OutputFile::Impl it was prepared for
  long long first = 0;          // global index of its first run
  long long count = 0;
  struct Chunk {
    std::size_t var = 0;
    std::array<hsize_t, 3> offset{};
    Bytes data;
  };
  std::vector<Chunk> chunks;  // in variable order, run_complete last
};

void PreparedBlockDeleter::operator()(PreparedBlock* b) const { delete b; }

// The last chunk compressed for each chunk position of a block (variable and offsets
// within the run's row). Parameters that no lever or uncertainty touches are the same in
// every block, so their chunks are compressed once per sweep rather than once per block.
// Compression is deterministic, so a reused chunk is byte-identical to a fresh one.
class ChunkCache {
 public:
  using Key = std::tuple<std::size_t, hsize_t, hsize_t>;
  // Copies the packed form of `raw` into `out` when it was the last chunk at `key`.
  bool find(const Key& key, const Bytes& raw, Bytes& out) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end() || it->second.first != raw) return false;
    out = it->second.second;
    return true;
  }
  // Into the entry's own buffers, which keep their capacity from block to block.
  void store(const Key& key, const Bytes& raw, const Bytes& packed) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& entry = entries_[key];
    entry.first.assign(raw.begin(), raw.end());
    entry.second.assign(packed.begin(), packed.end());
  }

 private:
  mutable std::mutex mutex_;
  std::map<Key, std::pair<Bytes, Bytes>> entries_;
};

struct OutputFile::Impl {
  std::string path;
  bool overwrite = false;
  Schema schema;
  bool closed = false;  // committed or kept as a partial
  // Declared before every HDF5 handle, so destroyed after they have all closed: the file
  // is removed also when creation fails halfway.
  TempFile temp;

  h5::Handle file;
  std::vector<h5::Handle> coords;  // coordinate variables and country_name
  std::array<hid_t, kNumDims> scale{};
  std::vector<h5::Handle> vars;    // parallel to schema.vars
  mutable ChunkCache chunk_cache;  // used by prepare_block, from any thread
  std::chrono::steady_clock::time_point last_flush;

  void check_open(const std::string& what) const {
    if (closed || !file) throw OutputError("cannot " + what + ": " + path + " is already closed");
  }
  std::string where(long long run) const {
    return "cannot write run " + std::to_string(run) + " to " + path + ": ";
  }
  void check_record(const RunRecord& r) const;
  void close_all();
  void flush_now() {
    h5::flush(file.get());
    last_flush = std::chrono::steady_clock::now();
  }
  // Flushes by closing and reopening the file: HDF5 keeps the metadata it held until
  // flushes (the chunk index, ~200 bytes per chunk) until the file closes.
  void reopen() {
    for (auto& v : vars) v.close();
    vars.clear();
    for (auto& c : coords) c.close();
    coords.clear();
    file.close();
    file = h5::open_file(temp.path, true);
    open_vars();
    last_flush = std::chrono::steady_clock::now();
  }
  void open_vars() {
    for (const auto& v : schema.vars) vars.push_back(h5::open_dataset(file.get(), v.name, v.cache_bytes));
    h5::hold_metadata_until_flush(file.get());
  }
};

void OutputFile::Impl::check_record(const RunRecord& rec) const {
  const OutputLayout& l = schema.layout;
  const std::string w = where(rec.run);
  if (rec.run < l.first_run || rec.run >= l.first_run + l.runs)
    throw OutputError(w + "the file holds runs " + std::to_string(l.first_run) + ".." +
                      std::to_string(l.first_run + l.runs - 1));
  if (!rec.params || !rec.result) throw OutputError(w + "no parameters or results given");
  const RunParams& params = *rec.params;
  const RunResult& result = *rec.result;
  const auto nc = static_cast<Eigen::Index>(l.iso3.size());
  const auto nt = static_cast<Eigen::Index>(schema.dim[kTime]);
  if (params.countries.iso3 != l.iso3) throw OutputError(w + "its countries differ from the file's");
  if (params.sim.steps() != l.steps || !same_value(params.sim.start_year, l.start_year) ||
      !same_value(params.sim.dt, l.dt))
    throw OutputError(w + "its time axis (start_year, dt, steps) differs from the file's");
  if (params.countries.values.rows() != nc || params.countries.values.cols() != kNumCountryParams ||
      params.countries.targets.size() != l.iso3.size())
    throw OutputError(w + "country parameters have the wrong shape");
  for (const auto& t : params.countries.targets)
    if (t.size() > schema.dim[kTarget])
      throw OutputError(w + std::to_string(t.size()) + " targets, the file has room for " +
                        std::to_string(schema.dim[kTarget]));
  if (params.global.supply_shocks.size() > schema.dim[kShock])
    throw OutputError(w + std::to_string(params.global.supply_shocks.size()) +
                      " supply shocks, the file has room for " + std::to_string(schema.dim[kShock]));
  const bool full = l.store == StoreMode::full;
  for (int s = 0; s < kNumCountrySeries; ++s) {
    const auto series = static_cast<CountrySeries>(s);
    if (!full && !std::binary_search(l.keep.begin(), l.keep.end(), series)) continue;
    if (result.country[s].rows() != nc || result.country[s].cols() != nt)
      throw OutputError(w + "result " + series_name(series) + " is not [country, time]");
  }
  if (!full)
    for (auto series : kHorizonSources) {
      const auto i = static_cast<std::size_t>(series);
      const bool has_last = result.last[i].size() == nc;
      const bool has_series = result.country[i].rows() == nc && result.country[i].cols() == nt;
      if (!has_last && !has_series)
        throw OutputError(w + "result " + series_name(series) +
                          " has neither its value at the horizon nor its trajectory");
    }
  for (int s = 0; s < kNumRunSeries; ++s)
    if (result.run[s].size() != nt)
      throw OutputError(w + "result " + std::string(info(static_cast<RunSeries>(s)).name) +
                        " is not [time]");
  if (result.year_target_reached.size() != nc || result.year_gw_reached.size() != nc ||
      result.bottleneck_steps.rows() != nc || result.bottleneck_steps.cols() != kNumBottlenecks)
    throw OutputError(w + "per-country summaries have the wrong shape");
  const auto& sw = l.sweep;
  if (rec.info.lever_choice.size() != sw.lever_keys.size())
    throw OutputError(w + std::to_string(rec.info.lever_choice.size()) + " lever choices for " +
                      std::to_string(sw.lever_keys.size()) + " levers");
  for (std::size_t k = 0; k < sw.lever_keys.size(); ++k) {
    const int c = rec.info.lever_choice[k];
    if (c < 0 || static_cast<std::size_t>(c) >= sw.lever_values[k].size())
      throw OutputError(w + "lever " + sw.lever_keys[k] + " has no value " + std::to_string(c));
  }
  if (rec.info.sampled.size() != sw.uncertain_keys.size())
    throw OutputError(w + std::to_string(rec.info.sampled.size()) + " sampled values for " +
                      std::to_string(sw.uncertain_keys.size()) + " uncertain keys");
}

void OutputFile::Impl::close_all() {
  // Closing flushes the chunk caches: write errors (a full disk) surface here. Debian's
  // HDF5 1.10.8 then keeps a half-closed file that crashes the process at exit (fixed
  // upstream in HDFGroup/hdf5#2291); the error is reported and the partial file removed
  // before that.
  for (auto& v : vars) v.close();
  vars.clear();
  for (auto& c : coords) c.close();
  coords.clear();
  file.close();
}

OutputFile::OutputFile() : impl_(std::make_unique<Impl>()) {}

OutputFile::OutputFile(const std::string& path, bool overwrite, const OutputLayout& layout,
                       const OutputMetadata& meta)
    : impl_(std::make_unique<Impl>()) {
  Impl& im = *impl_;
  im.path = path;
  im.overwrite = overwrite;
  im.schema = build_schema(layout, path);
  check_output_path(path, overwrite);
  const std::string partial = path + kPartialSuffix;
  // The partial is laid out under another name and renamed once complete, so that a
  // partial always has every variable and can be resumed: a kill -9 while HDF5 is still
  // creating the file leaves only this stub, which the next run removes.
  const std::string creating = partial + kCreatingSuffix;
  remove_stale(partial, path);
  remove_stale(creating, path);
  // Owned from here: a create that fails (a full disk) may already have left a stub.
  im.temp.path = creating;
  im.file = h5::create_file(creating);
  h5::hold_metadata_until_flush(im.file.get());
  write_root_attributes(im.file.get(), im.schema.layout, meta);
  create_coordinates(im.file.get(), im.schema, im.coords, im.scale);
  for (const auto& v : im.schema.vars)
    im.vars.push_back(create_variable(im.file.get(), v, im.scale, nullptr));
  // A partial that can be resumed from the start.
  im.flush_now();
  if (std::rename(creating.c_str(), partial.c_str()) != 0)
    throw OutputError("cannot write " + path + ": cannot rename " + creating + " to " + partial +
                      ": " + std::strerror(errno));
  im.temp.path = partial;
}

std::unique_ptr<OutputFile> OutputFile::resume(const std::string& path, const OutputLayout& layout,
                                               const OutputMetadata& meta, bool overwrite) {
  std::unique_ptr<OutputFile> out(new OutputFile());
  Impl& im = *out->impl_;
  im.path = path;
  im.overwrite = overwrite;
  im.schema = build_schema(layout, path);
  const std::string partial = path + kPartialSuffix;
  std::error_code ec;
  if (!fs::exists(partial, ec))
    throw OutputError("cannot resume " + path + ": there is no partial file " + partial +
                      " (run without --resume to start)");
  check_output_path(path, overwrite);
  try {
    im.file = h5::open_file(partial, true);
  } catch (const OutputError& e) {
    throw OutputError("cannot resume " + path + ": " + e.what() +
                      " (delete the partial file and run without --resume to start again)");
  }
  Described now;
  now.layout = im.schema.layout;
  now.meta = meta;
  now.format_version = kFormatVersion;
  const Described was = describe(im.file.get(), partial);
  if (auto d = first_difference(was, now, true, false))
    throw OutputError("cannot resume " + partial + ": it was written for another run: " +
                      explain(*d, "partial file", "this run") +
                      "; run without --resume to start again");
  for (const auto& v : im.schema.vars) {
    if (!h5::exists(im.file.get(), v.name))
      throw OutputError("cannot resume " + partial + ": variable " + v.name + " is missing");
    h5::Handle ds = h5::open_dataset(im.file.get(), v.name, v.cache_bytes);
    if (h5::shape(ds.get()) != v.shape || !h5::has_type(ds.get(), v.type))
      throw OutputError("cannot resume " + partial + ": variable " + v.name +
                        " has another shape or type than this run writes");
    // Chunks go to the file as prepared, so the filters must be the ones they are
    // prepared for (a partial of an older sovcap may compress what this one does not).
    const int filters = v.compressed ? 2 : 0;  // shuffle and deflate, as create_variable sets
    if (h5::filter_count(ds.get()) != filters)
      throw OutputError("cannot resume " + partial + ": variable " + v.name +
                        " is stored with other filters than this run writes; run without "
                        "--resume to start again");
    im.vars.push_back(std::move(ds));
  }
  h5::hold_metadata_until_flush(im.file.get());
  im.last_flush = std::chrono::steady_clock::now();
  // Owned from here on: without commit() or close_partial() it is removed (error path).
  im.temp.path = partial;
  return out;
}

OutputFile::~OutputFile() = default;

const OutputLayout& OutputFile::layout() const { return impl_->schema.layout; }

long long OutputFile::block_runs() const { return impl_->schema.block; }

void OutputFile::write_run(int run, const RunParams& params, const RunResult& result) {
  Impl& im = *impl_;
  im.check_open("write run " + std::to_string(run));
  const OutputLayout& l = im.schema.layout;
  RunRecord rec;
  rec.run = run;
  rec.params = &params;
  rec.result = &result;
  // The run's place in the sweep, from its index alone.
  const auto& sw = l.sweep;
  if (static_cast<long long>(sw.policies) * sw.samples_per_policy == l.total_runs) {
    rec.info.policy = static_cast<int>(run / sw.samples_per_policy);
    rec.info.sample = run % sw.samples_per_policy;
  } else {
    rec.info.policy = 0;
    rec.info.sample = run;
  }
  rec.info.lever_choice.assign(sw.lever_keys.size(), 0);
  long long p = rec.info.policy;
  for (std::size_t k = sw.lever_keys.size(); k-- > 0;) {
    const auto n = static_cast<long long>(sw.lever_values[k].size());
    rec.info.lever_choice[k] = static_cast<int>(p % n);
    p /= n;
  }
  rec.info.sampled.assign(sw.uncertain_keys.size(), kNaN);
  im.check_record(rec);
  const auto r = static_cast<hsize_t>(run - l.first_run);
  Bytes row;
  for (std::size_t i = 0; i < im.schema.vars.size(); ++i) {
    const VarDef& v = im.schema.vars[i];
    row.assign(v.row_elems * v.elem, 0);
    v.row(rec, row.data());
    std::vector<hsize_t> start(v.shape.size(), 0), count = v.shape;
    start[0] = r;
    count[0] = 1;
    // run_complete is the last variable: a run cut short is never marked complete.
    h5::write_slab(im.vars[i].get(), v.type, start, count, row.data());
  }
}

PreparedBlockPtr OutputFile::prepare_block(long long first, const std::vector<RunRecord>& runs) const {
  BlockScratch scratch;
  return prepare_block(first, runs, scratch);
}

PreparedBlockPtr OutputFile::prepare_block(long long first, const std::vector<RunRecord>& runs,
                                           BlockScratch& scratch) const {
  const Impl& im = *impl_;
  const Schema& s = im.schema;
  const OutputLayout& l = s.layout;
  const long long rel = first - l.first_run;
  if (rel < 0 || rel >= l.runs || rel % s.block != 0)
    throw OutputError(im.where(first) + "a block must start at the file's first run " +
                      std::to_string(l.first_run) + " plus a multiple of " +
                      std::to_string(s.block) + " runs");
  const long long n = std::min(s.block, l.runs - rel);
  if (static_cast<long long>(runs.size()) != n)
    throw OutputError(im.where(first) + "the block starting there holds " + std::to_string(n) +
                      " runs, " + std::to_string(runs.size()) + " given");
  for (long long k = 0; k < n; ++k) {
    const RunRecord& r = runs[static_cast<std::size_t>(k)];
    if (r.run != first + k)
      throw OutputError(im.where(r.run) + "expected run " + std::to_string(first + k) +
                        " at place " + std::to_string(k) + " of the block");
    im.check_record(r);
  }

  PreparedBlockPtr block(new PreparedBlock);
  block->owner = &im;
  block->first = first;
  block->count = n;
  Bytes &dense = scratch.dense, &chunk = scratch.chunk, &shuffled = scratch.shuffled,
        &work = scratch.work;
  const auto nrun = static_cast<hsize_t>(n);
  for (std::size_t vi = 0; vi < s.vars.size(); ++vi) {
    const VarDef& v = s.vars[vi];
    const std::size_t row_bytes = v.row_elems * v.elem;
    // Up to three axes; missing ones have length 1.
    const std::size_t rank = v.shape.size();
    const hsize_t d1 = rank > 1 ? v.shape[1] : 1, d2 = rank > 2 ? v.shape[2] : 1;
    const hsize_t c0 = v.chunk[0], c1 = rank > 1 ? v.chunk[1] : 1, c2 = rank > 2 ? v.chunk[2] : 1;
    const std::size_t chunk_elems = static_cast<std::size_t>(c0 * c1 * c2);
    const std::size_t e = v.elem;
    // A block that is one chunk with whole rows (every variable without a time axis) is
    // filled in place; otherwise rows are gathered and then cut into chunks. Every row
    // function writes its whole row.
    const bool one_chunk = nrun <= c0 && c1 == d1 && c2 == d2;
    Bytes& rows = one_chunk ? chunk : dense;
    rows.resize(one_chunk ? chunk_elems * e : static_cast<std::size_t>(n) * row_bytes);
    for (std::size_t k = 0; k < static_cast<std::size_t>(n); ++k)
      v.row(runs[k], rows.data() + k * row_bytes);
    for (hsize_t r0 = 0; r0 < nrun; r0 += c0) {
      const hsize_t nr = std::min(c0, nrun - r0);
      for (hsize_t o1 = 0; o1 < d1; o1 += c1) {
        const hsize_t e1 = std::min(c1, d1 - o1);
        for (hsize_t o2 = 0; o2 < d2; o2 += c2) {
          const hsize_t e2 = std::min(c2, d2 - o2);
          // Edge chunks are written whole (HDF5 needs that), padded with the fill value.
          if (one_chunk) {
            for (std::size_t i = static_cast<std::size_t>(nr) * row_bytes; i < chunk_elems * e; i += e)
              std::memcpy(chunk.data() + i, v.fill.data(), e);
          } else {
            chunk.resize(chunk_elems * e);
            if (nr < c0 || e1 < c1 || e2 < c2)
              for (std::size_t i = 0; i < chunk_elems; ++i) std::memcpy(chunk.data() + i * e, v.fill.data(), e);
            for (hsize_t i = 0; i < nr; ++i)
              for (hsize_t j = 0; j < e1; ++j)
                std::memcpy(chunk.data() + static_cast<std::size_t>((i * c1 + j) * c2) * e,
                            dense.data() + static_cast<std::size_t>(((r0 + i) * d1 + o1 + j) * d2 + o2) * e,
                            static_cast<std::size_t>(e2) * e);
          }
          PreparedBlock::Chunk c;
          c.var = vi;
          c.offset = {static_cast<hsize_t>(rel) + r0, o1, o2};
          const ChunkCache::Key key{vi, o1, o2};
          if (!v.compressed) {
            c.data = chunk;
          } else if (!im.chunk_cache.find(key, chunk, c.data)) {
            compress_chunk(chunk.data(), chunk_elems, e, v.zlib_strategy, shuffled, work, c.data);
            im.chunk_cache.store(key, chunk, c.data);
          }
          block->chunks.push_back(std::move(c));
        }
      }
    }
  }
  return block;
}

void OutputFile::write_block(PreparedBlockPtr block) {
  Impl& im = *impl_;
  if (!block) throw OutputError("cannot write to " + im.path + ": no block given");
  im.check_open("write runs " + std::to_string(block->first) + ".." +
                std::to_string(block->first + block->count - 1));
  if (block->owner != &im)
    throw OutputError("cannot write to " + im.path + ": the block was prepared for another file");
  std::vector<hsize_t> offset;
  for (const auto& c : block->chunks) {
    const VarDef& v = im.schema.vars[c.var];
    offset.assign(c.offset.begin(), c.offset.begin() + static_cast<std::ptrdiff_t>(v.shape.size()));
    h5::write_chunk(im.vars[c.var].get(), offset, c.data.data(), c.data.size());
  }
  block.reset();
  if (std::chrono::steady_clock::now() - im.last_flush >= kFlushInterval) im.reopen();
}

std::vector<bool> OutputFile::completed() const {
  const Impl& im = *impl_;
  im.check_open("read the completed runs");
  const auto flags = h5::read_all<std::int8_t>(im.vars.back().get());
  std::vector<bool> out(flags.size());
  for (std::size_t i = 0; i < flags.size(); ++i) out[i] = flags[i] == 1;
  return out;
}

void OutputFile::flush() {
  Impl& im = *impl_;
  im.check_open("flush");
  im.flush_now();
}

void OutputFile::commit() {
  Impl& im = *impl_;
  im.check_open("commit");
  im.close_all();
  // Make the data durable before the rename makes it visible under the final name.
  sync_file(im.temp.path, im.path);
  std::error_code ec;
  // Someone may have created the destination while the runs were computed.
  if (!im.overwrite && fs::exists(im.path, ec))
    throw OutputError(im.path + " exists; use --force to overwrite");
  if (std::rename(im.temp.path.c_str(), im.path.c_str()) != 0)
    throw OutputError("cannot rename " + im.temp.path + " to " + im.path + ": " +
                      std::strerror(errno));
  im.closed = true;
  im.temp.keep = true;
}

void OutputFile::close_partial() {
  Impl& im = *impl_;
  im.check_open("close");
  im.close_all();
  sync_file(im.temp.path, im.path);
  im.closed = true;
  im.temp.keep = true;
}

const std::string& OutputFile::temp_path() const { return impl_->temp.path; }

void merge_shards(const std::string& out, const std::vector<std::string>& shards, bool overwrite,
                  const std::string& command_line) {
  if (shards.empty()) throw OutputError("cannot merge into " + out + ": no shards given");
  check_output_path(out, overwrite);
  const std::string fail = "cannot merge into " + out + ": ";
  struct Shard {
    std::string path;
    Described d;
  };
  std::vector<Shard> list;
  std::error_code ec;
  for (const auto& path : shards) {
    if (!fs::exists(path, ec)) throw OutputError(fail + "shard " + path + " does not exist");
    if (fs::exists(out, ec) && fs::equivalent(path, out, ec))
      throw OutputError(fail + "shard " + path + " is the output file itself");
    h5::Handle f = h5::open_file(path);
    Shard s{path, describe(f.get(), path)};
    if (s.d.master)
      throw OutputError(fail + path + " is a merged master file, not a shard: merge its shards");
    const auto done = h5::read_all<std::int8_t>(h5::open_dataset(f.get(), "run_complete").get());
    long long missing = 0, first_missing = -1;
    for (std::size_t i = 0; i < done.size(); ++i)
      if (done[i] != 1) {
        if (first_missing < 0) first_missing = s.d.layout.first_run + static_cast<long long>(i);
        ++missing;
      }
    if (missing > 0)
      throw OutputError(fail + "shard " + path + " is incomplete: " + std::to_string(missing) +
                        " of its " + std::to_string(done.size()) + " runs are not written (first: run " +
                        std::to_string(first_missing) + "); finish it with --resume");
    // Every variable the shard's layout implies, with its shape and type.
    const Schema schema = build_schema(s.d.layout, path);
    for (const auto& v : schema.vars) {
      if (!h5::exists(f.get(), v.name))
        throw OutputError(fail + "shard " + path + " has no variable " + v.name);
      h5::Handle ds = h5::open_dataset(f.get(), v.name);
      if (h5::shape(ds.get()) != v.shape || !h5::has_type(ds.get(), v.type))
        throw OutputError(fail + "shard " + path + ": variable " + v.name +
                          " has another shape or type than its layout implies");
    }
    list.push_back(std::move(s));
  }
  for (std::size_t i = 1; i < list.size(); ++i)
    if (auto d = first_difference(list[0].d, list[i].d, false, true))
      throw OutputError(fail + "shard " + list[i].path + " does not belong to the sweep of " +
                        list[0].path + ": " + explain(*d, list[0].path, list[i].path));
  std::stable_sort(list.begin(), list.end(), [](const Shard& a, const Shard& b) {
    return a.d.layout.first_run < b.d.layout.first_run;
  });
  auto range = [](const Shard& s) {
    return "runs " + std::to_string(s.d.layout.first_run) + ".." +
           std::to_string(s.d.layout.first_run + s.d.layout.runs - 1);
  };
  const long long total = list[0].d.layout.total_runs;
  long long next = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& l = list[i].d.layout;
    if (l.first_run < next)
      throw OutputError(fail + "shards " + list[i - 1].path + " (" + range(list[i - 1]) + ") and " +
                        list[i].path + " (" + range(list[i]) + ") overlap");
    if (l.first_run > next)
      throw OutputError(fail + "runs " + std::to_string(next) + ".." + std::to_string(l.first_run - 1) +
                        " of " + std::to_string(total) + " are in no shard (a shard is missing)");
    next = l.first_run + l.runs;
  }
  if (next != total)
    throw OutputError(fail + "runs " + std::to_string(next) + ".." + std::to_string(total - 1) +
                      " of " + std::to_string(total) + " are in no shard (a shard is missing)");

  OutputLayout layout = list[0].d.layout;
  layout.first_run = 0;
  layout.runs = total;
  const Schema schema = build_schema(layout, out);
  OutputMetadata meta = list[0].d.meta;
  meta.command_line = command_line;
  // Shards are named relative to the master's folder, where HDF5 looks for them.
  const fs::path folder = fs::absolute(folder_of(fs::path(out))).lexically_normal();
  std::vector<std::string> names;
  for (const auto& s : list) {
    const fs::path abs = fs::absolute(s.path).lexically_normal();
    fs::path rel = abs.lexically_relative(folder);
    names.push_back(rel.empty() ? abs.string() : rel.generic_string());
  }

  const std::string partial = out + kPartialSuffix;
  remove_stale(partial, out);
  TempFile temp;
  temp.path = partial;
  {
    h5::Handle file = h5::create_file(partial, true);
    write_root_attributes(file.get(), schema.layout, meta);
    h5::write_attribute(file.get(), "shards", join(names, "\n"));
    std::vector<h5::Handle> coords;
    std::array<hid_t, kNumDims> scale{};
    create_coordinates(file.get(), schema, coords, scale);
    for (const auto& v : schema.vars) {
      std::vector<h5::VirtualSource> sources;
      for (std::size_t i = 0; i < list.size(); ++i)
        sources.push_back({names[i], v.name, static_cast<hsize_t>(list[i].d.layout.first_run),
                           static_cast<hsize_t>(list[i].d.layout.runs)});
      create_variable(file.get(), v, scale, &sources).close();
    }
    for (auto& c : coords) c.close();
    file.close();
  }
  sync_file(partial, out);
  if (!overwrite && fs::exists(out, ec)) throw OutputError(out + " exists; use --force to overwrite");
  if (std::rename(partial.c_str(), out.c_str()) != 0)
    throw OutputError("cannot rename " + partial + " to " + out + ": " + std::strerror(errno));
  temp.keep = true;
}

}  // namespace sovcap
