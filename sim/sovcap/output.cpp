#include "sovcap/output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>
#include <random>
#include <sstream>

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
// Chunk size aimed at for variables without a time axis (parameters, summaries).
constexpr std::size_t kSmallChunkBytes = std::size_t{256} << 10;

using RowMajor = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

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

// A hidden name beside `dest`: ".NAME.tmp-<tag>-<pid>-<random>" style, so that a crash
// leaves something recognisable (and git-ignored by *.h5.tmp*) in the same folder.
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

}  // namespace

OutputLayout layout_for(const RunParams& params, int runs) {
  OutputLayout layout;
  layout.iso3 = params.countries.iso3;
  layout.names = params.countries.name;
  layout.steps = params.sim.steps();
  layout.start_year = params.sim.start_year;
  layout.dt = params.sim.dt;
  layout.runs = runs;
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

namespace {

// The temporary file's name; removes the file on destruction unless kept.
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

}  // namespace

struct OutputFile::Impl {
  std::string path;
  bool overwrite = false;
  OutputLayout layout;
  bool committed = false;
  // Declared before every HDF5 handle, so destroyed after they have all closed: the file
  // is removed also when the constructor fails halfway (no ~Impl runs then).
  TempFile temp;

  h5::Handle file;
  // Every open dataset; the named ids below point into it (non-owning).
  std::vector<h5::Handle> datasets;
  std::array<hid_t, kNumDims> scale{};
  std::array<hsize_t, kNumDims> dim_size{};

  std::array<hid_t, kNumCountrySeries> country_var{};
  std::array<hid_t, kNumRunSeries> run_var{};
  hid_t year_target_reached = H5I_INVALID_HID;
  hid_t year_gw_reached = H5I_INVALID_HID;
  hid_t bottleneck_share = H5I_INVALID_HID;
  std::array<hid_t, kNumGlobalParams> global_var{};
  std::array<hid_t, kNumCountryParams> country_param_var{};
  hid_t shock_start = H5I_INVALID_HID, shock_end = H5I_INVALID_HID, shock_factor = H5I_INVALID_HID;
  hid_t target_year = H5I_INVALID_HID, target_mw = H5I_INVALID_HID;
  hid_t sim_start_year = H5I_INVALID_HID, sim_end_year = H5I_INVALID_HID, sim_dt = H5I_INVALID_HID;
  hid_t run_complete = H5I_INVALID_HID;

  // Scratch buffers reused by every write_run.
  std::vector<double> buf;
  std::vector<std::int8_t> codes;

  Impl(const std::string& path_, bool overwrite_, const OutputLayout& layout_,
       const OutputMetadata& meta);

  void create_temp();
  void write_root_attributes(const OutputMetadata& meta);
  void create_dimensions();
  void create_variables();
  // Creates variable `name` over `dims` storing T, with CF attributes, every unwritten
  // element reading as `fill` (also declared as _FillValue unless `fill_is_data`), and
  // every axis attached to its dimension scale.
  template <typename T>
  hid_t make_var(const std::string& name, const std::vector<Dim>& dims, std::string_view units,
                 std::string_view long_name, T fill, bool fill_is_data = false);
  // Chunking, filters and chunk cache of a variable over `dims` with `elem`-byte values.
  h5::DatasetOptions storage_for(const std::vector<Dim>& axes, std::size_t elem) const;
  void check_run(int run, const RunParams& params, const RunResult& result) const;
  void write_params(hsize_t run, const RunParams& params);
  void write_results(hsize_t run, const RunResult& result);
};

OutputFile::Impl::Impl(const std::string& path_, bool overwrite_, const OutputLayout& layout_,
                       const OutputMetadata& meta)
    : path(path_), overwrite(overwrite_), layout(layout_) {
  if (layout.runs < 1) throw OutputError("cannot write " + path + ": no runs");
  if (layout.steps < 0) throw OutputError("cannot write " + path + ": negative step count");
  if (layout.iso3.empty()) throw OutputError("cannot write " + path + ": no countries");
  if (layout.names.size() != layout.iso3.size())
    throw OutputError("cannot write " + path + ": " + std::to_string(layout.iso3.size()) +
                      " country codes but " + std::to_string(layout.names.size()) + " names");
  scale.fill(H5I_INVALID_HID);
  country_var.fill(H5I_INVALID_HID);
  run_var.fill(H5I_INVALID_HID);
  global_var.fill(H5I_INVALID_HID);
  country_param_var.fill(H5I_INVALID_HID);
  check_output_path(path, overwrite);
  create_temp();
  write_root_attributes(meta);
  create_dimensions();
  create_variables();
}

void OutputFile::Impl::create_temp() {
  const fs::path dest(path);
  // A clash with another writer's temporary name is unlikely; try a few before giving up.
  for (int attempt = 0; attempt < 8; ++attempt) {
    const fs::path candidate = sibling_name(dest, "tmp");
    std::error_code ec;
    if (fs::exists(candidate, ec)) continue;
    // Owned from here: the name was free a moment ago and carries 64 random bits, and a
    // create that fails (a full disk) may already have left a stub to remove.
    temp.path = candidate.string();
    file = h5::create_file(temp.path);
    return;
  }
  throw OutputError("cannot write " + path + ": no free temporary name beside it");
}

void OutputFile::Impl::write_root_attributes(const OutputMetadata& meta) {
  const hid_t root = file.get();
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
  h5::write_attribute(root, "overrides", join(meta.overrides, "\n"));
  // The time axis of the file; per-run values are in the simulation.* variables.
  h5::write_attribute(root, "start_year", layout.start_year);
  h5::write_attribute(root, "end_year", layout.start_year + layout.steps * layout.dt);
  h5::write_attribute(root, "dt", layout.dt);
  h5::write_attribute(root, "Conventions", "CF-1.8");
}

void OutputFile::Impl::create_dimensions() {
  const hid_t root = file.get();
  const auto countries = static_cast<hsize_t>(layout.iso3.size());
  const auto times = static_cast<hsize_t>(layout.steps) + 1;
  dim_size = {static_cast<hsize_t>(layout.runs),
              countries,
              times,
              kNumBottlenecks,
              static_cast<hsize_t>(std::max(layout.max_targets, 0)),
              static_cast<hsize_t>(std::max(layout.max_shocks, 0))};

  auto add_index = [&](Dim d, const char* name, const char* long_name) {
    if (dim_size[d] == 0) return;
    std::vector<std::int32_t> index(dim_size[d]);
    for (std::size_t i = 0; i < index.size(); ++i) index[i] = static_cast<std::int32_t>(i);
    h5::Handle ds =
        h5::create_dataset(root, name, h5::native_type<std::int32_t>(), {dim_size[d]}, {}, nullptr);
    h5::write_all(ds.get(), index);
    h5::write_attribute(ds.get(), "long_name", long_name);
    h5::make_scale(ds.get(), name);
    scale[d] = ds.get();
    datasets.push_back(std::move(ds));
  };
  auto add_strings = [&](Dim d, const char* name, const std::vector<std::string>& values,
                         const char* long_name) {
    h5::Handle ds = h5::create_string_dataset(root, name, values);
    h5::write_attribute(ds.get(), "long_name", long_name);
    h5::make_scale(ds.get(), name);
    scale[d] = ds.get();
    datasets.push_back(std::move(ds));
  };

  add_index(kRun, "run", "run index");
  add_strings(kCountry, "country", layout.iso3, "ISO 3166-1 alpha-3 country code");
  {
    // Decimal years, deliberately without CF "since" units: xarray refuses "years since"
    // and a plain year is what the analyses plot against.
    std::vector<double> years(times);
    for (hsize_t n = 0; n < times; ++n)
      years[n] = layout.start_year + static_cast<double>(n) * layout.dt;
    h5::Handle ds =
        h5::create_dataset(root, "time", h5::native_type<double>(), {times}, {}, nullptr);
    h5::write_all(ds.get(), years);
    h5::write_attribute(ds.get(), "units", "year");
    h5::write_attribute(ds.get(), "long_name", "time (decimal year)");
    h5::make_scale(ds.get(), "time");
    scale[kTime] = ds.get();
    datasets.push_back(std::move(ds));
  }
  std::vector<std::string> constraints(kBottleneckNames.begin(), kBottleneckNames.end());
  add_strings(kConstraint, "constraint", constraints,
              "constraint (bottleneck code order, as in flag_meanings of bottleneck)");
  add_index(kTarget, "target", "index of an announced target (milestone)");
  add_index(kShock, "shock", "index of a supply shock period");
}

h5::DatasetOptions OutputFile::Impl::storage_for(const std::vector<Dim>& axes,
                                                 std::size_t elem) const {
  std::vector<hsize_t> dims;
  for (Dim d : axes) dims.push_back(dim_size[d]);
  h5::DatasetOptions opt;
  opt.shuffle = true;
  opt.deflate = kDeflateLevel;
  auto bytes_of = [elem](const std::vector<hsize_t>& c) {
    std::size_t b = elem;
    for (auto x : c) b *= static_cast<std::size_t>(x);
    return b;
  };
  std::vector<hsize_t> chunk = dims;
  if (axes == std::vector<Dim>{kRun, kCountry, kTime}) {
    // Whole time axis in every chunk; a (16, 16, T) tile, shrunk along run then country
    // only when a very long time axis would push a chunk past the readers' cache.
    chunk[0] = std::min(dims[0], kTile);
    chunk[1] = std::min(dims[1], kTile);
    while (bytes_of(chunk) > kMaxChunkBytes && chunk[0] > 1) chunk[0] = (chunk[0] + 1) / 2;
    while (bytes_of(chunk) > kMaxChunkBytes && chunk[1] > 1) chunk[1] = (chunk[1] + 1) / 2;
  } else {
    // Other axes whole; as many runs per chunk as fit in kSmallChunkBytes.
    std::vector<hsize_t> row = dims;
    row[0] = 1;
    const auto per_run = bytes_of(row);
    chunk[0] = std::clamp<hsize_t>(static_cast<hsize_t>(kSmallChunkBytes / per_run), 1, dims[0]);
  }
  opt.chunk = chunk;
  // write_run touches every chunk of one run's row; the cache must hold them all, or each
  // chunk is compressed, evicted and re-read once per run instead of once per tile.
  std::size_t row_chunks = 1;
  for (std::size_t a = 1; a < dims.size(); ++a)
    row_chunks *= static_cast<std::size_t>((dims[a] + chunk[a] - 1) / chunk[a]);
  opt.cache_bytes = std::max(kMaxChunkBytes, (row_chunks + 1) * bytes_of(chunk));
  return opt;
}

template <typename T>
hid_t OutputFile::Impl::make_var(const std::string& name, const std::vector<Dim>& dims,
                                 std::string_view units, std::string_view long_name, T fill,
                                 bool fill_is_data) {
  std::vector<hsize_t> shape;
  for (Dim d : dims) shape.push_back(dim_size[d]);
  h5::Handle ds =
      h5::create_dataset<T>(file.get(), name, shape, storage_for(dims, sizeof(T)), fill);
  h5::write_attribute(ds.get(), "long_name", long_name);
  h5::write_attribute(ds.get(), "units", units);
  if (!fill_is_data) h5::write_attribute<T>(ds.get(), "_FillValue", fill);
  for (std::size_t a = 0; a < dims.size(); ++a)
    h5::attach_scale(ds.get(), scale[dims[a]], static_cast<unsigned>(a));
  const hid_t id = ds.get();
  datasets.push_back(std::move(ds));
  return id;
}

void OutputFile::Impl::create_variables() {
  {
    h5::Handle ds = h5::create_string_dataset(file.get(), "country_name", layout.names);
    h5::write_attribute(ds.get(), "long_name", "country name");
    h5::attach_scale(ds.get(), scale[kCountry], 0);
    datasets.push_back(std::move(ds));
  }

  // Results, from the output registry.
  std::vector<std::int8_t> flag_values(kNumBottlenecks);
  std::vector<std::string> flag_names;
  for (int k = 0; k < kNumBottlenecks; ++k) {
    flag_values[k] = static_cast<std::int8_t>(k);
    flag_names.emplace_back(kBottleneckNames[k]);
  }
  for (int s = 0; s < kNumCountrySeries; ++s) {
    const auto series = static_cast<CountrySeries>(s);
    const SeriesInfo& si = info(series);
    const std::string name(si.name);
    if (series == CountrySeries::bottleneck) {
      country_var[s] =
          make_var<std::int8_t>(name, {kRun, kCountry, kTime}, si.units, si.long_name, kCodeFill);
      h5::write_attribute(country_var[s], "flag_values", flag_values);
      h5::write_attribute(country_var[s], "flag_meanings", join(flag_names, " "));
    } else {
      country_var[s] =
          make_var<double>(name, {kRun, kCountry, kTime}, si.units, si.long_name, kNaN);
    }
  }
  for (int s = 0; s < kNumRunSeries; ++s) {
    const SeriesInfo& si = info(static_cast<RunSeries>(s));
    run_var[s] =
        make_var<double>(std::string(si.name), {kRun, kTime}, si.units, si.long_name, kNaN);
  }
  year_target_reached =
      make_var<double>("year_target_reached", {kRun, kCountry}, "year",
                       "time the final target was first reached (NaN if never)", kNaN);
  year_gw_reached =
      make_var<double>("year_gw_reached", {kRun, kCountry}, "year",
                       "time 1000 MW of IT capacity was first reached (NaN if never)", kNaN);
  bottleneck_share = make_var<double>("bottleneck_share", {kRun, kCountry, kConstraint}, "1",
                                      "share of steps under each bottleneck", kNaN);

  // Parameters, from the parameter registry. Codes are dimensionless: units "1".
  for (const ParamSpec& sp : param_specs()) {
    if (sp.index < 0 || sp.scope == ParamScope::simulation) continue;
    const bool global = sp.scope == ParamScope::global;
    const std::string name = std::string(global ? "global." : "country.") + std::string(sp.name);
    const std::vector<Dim> dims =
        global ? std::vector<Dim>{kRun} : std::vector<Dim>{kRun, kCountry};
    hid_t id;
    if (stored_as_code(sp)) {
      id = make_var<std::int8_t>(name, dims, "1", sp.meaning, kCodeFill);
      if (!sp.choices.empty()) {
        std::vector<std::int8_t> values;
        std::vector<std::string> names;
        for (std::size_t k = 0; k < sp.choices.size(); ++k) {
          values.push_back(static_cast<std::int8_t>(k));
          names.emplace_back(sp.choices[k]);
        }
        h5::write_attribute(id, "flag_values", values);
        h5::write_attribute(id, "flag_meanings", join(names, " "));
      }
    } else {
      id = make_var<double>(name, dims, sp.unit, sp.meaning, kNaN);
    }
    if (global)
      global_var[sp.index] = id;
    else
      country_param_var[sp.index] = id;
  }
  if (dim_size[kShock] > 0) {
    shock_start = make_var<double>("global.supply_shock_start", {kRun, kShock}, "year",
                                   "start of a supply shock period [start, end) (NaN: none)", kNaN);
    shock_end = make_var<double>("global.supply_shock_end", {kRun, kShock}, "year",
                                 "end of a supply shock period [start, end) (NaN: none)", kNaN);
    shock_factor =
        make_var<double>("global.supply_shock_factor", {kRun, kShock}, "1",
                         "factor on vendor output during a supply shock (NaN: none)", kNaN);
  }
  if (dim_size[kTarget] > 0) {
    target_year = make_var<double>("country.target_year", {kRun, kCountry, kTarget}, "year",
                                   "year of an announced target (NaN: none)", kNaN);
    target_mw = make_var<double>("country.target_mw", {kRun, kCountry, kTarget}, "MW",
                                 "IT capacity of an announced target (NaN: none)", kNaN);
  }
  auto sim_var = [&](const char* name) {
    const ParamSpec* sp = find_param(ParamScope::simulation, name);
    return make_var<double>(std::string("simulation.") + name, {kRun},
                            sp ? sp->unit : std::string_view(),
                            sp ? sp->meaning : std::string_view(name), kNaN);
  };
  sim_start_year = sim_var("start_year");
  sim_end_year = sim_var("end_year");
  sim_dt = sim_var("dt");

  // Unwritten runs read 0 here; that 0 is an answer ("not written"), not a missing value,
  // so it is not declared as _FillValue (readers would turn it into NaN).
  run_complete = make_var<std::int8_t>("run_complete", {kRun}, "1",
                                       "1 when every variable of the run has been written",
                                       std::int8_t{0}, true);
  h5::write_attribute(run_complete, "flag_values", std::vector<std::int8_t>{0, 1});
  h5::write_attribute(run_complete, "flag_meanings", "missing complete");
}

void OutputFile::Impl::check_run(int run, const RunParams& params, const RunResult& result) const {
  const std::string where = "cannot write run " + std::to_string(run) + " to " + path + ": ";
  if (run < 0 || run >= layout.runs)
    throw OutputError(where + "the file holds runs 0.." + std::to_string(layout.runs - 1));
  const auto nc = static_cast<Eigen::Index>(layout.iso3.size());
  const auto nt = static_cast<Eigen::Index>(dim_size[kTime]);
  if (params.countries.iso3 != layout.iso3)
    throw OutputError(where + "its countries differ from the file's");
  if (params.sim.steps() != layout.steps || !same_value(params.sim.start_year, layout.start_year) ||
      !same_value(params.sim.dt, layout.dt))
    throw OutputError(where + "its time axis (start_year, dt, steps) differs from the file's");
  if (params.countries.values.rows() != nc || params.countries.values.cols() != kNumCountryParams ||
      params.countries.targets.size() != layout.iso3.size())
    throw OutputError(where + "country parameters have the wrong shape");
  for (const auto& t : params.countries.targets)
    if (t.size() > dim_size[kTarget])
      throw OutputError(where + std::to_string(t.size()) + " targets, the file has room for " +
                        std::to_string(dim_size[kTarget]));
  if (params.global.supply_shocks.size() > dim_size[kShock])
    throw OutputError(where + std::to_string(params.global.supply_shocks.size()) +
                      " supply shocks, the file has room for " + std::to_string(dim_size[kShock]));
  for (int s = 0; s < kNumCountrySeries; ++s)
    if (result.country[s].rows() != nc || result.country[s].cols() != nt)
      throw OutputError(where + "result " + std::string(info(static_cast<CountrySeries>(s)).name) +
                        " is not [country, time]");
  for (int s = 0; s < kNumRunSeries; ++s)
    if (result.run[s].size() != nt)
      throw OutputError(where + "result " + std::string(info(static_cast<RunSeries>(s)).name) +
                        " is not [time]");
  if (result.year_target_reached.size() != nc || result.year_gw_reached.size() != nc ||
      result.bottleneck_share.rows() != nc || result.bottleneck_share.cols() != kNumBottlenecks)
    throw OutputError(where + "per-country summaries have the wrong shape");
}

void OutputFile::Impl::write_results(hsize_t run, const RunResult& result) {
  const hsize_t nc = dim_size[kCountry], nt = dim_size[kTime];
  const auto rows = static_cast<Eigen::Index>(nc);
  const auto cols = static_cast<Eigen::Index>(nt);
  // Results are column-major [country, time]; the file is C order [run, country, time].
  buf.resize(nc * nt);
  codes.resize(nc * nt);
  for (int s = 0; s < kNumCountrySeries; ++s) {
    const auto& a = result.country[s];
    if (static_cast<CountrySeries>(s) == CountrySeries::bottleneck) {
      for (Eigen::Index c = 0; c < rows; ++c)
        for (Eigen::Index t = 0; t < cols; ++t) codes[c * cols + t] = to_code(a(c, t));
      h5::write_slab(country_var[s], {run, 0, 0}, {1, nc, nt}, codes.data());
    } else {
      Eigen::Map<RowMajor>(buf.data(), rows, cols) = a;
      h5::write_slab(country_var[s], {run, 0, 0}, {1, nc, nt}, buf.data());
    }
  }
  for (int s = 0; s < kNumRunSeries; ++s)
    h5::write_slab(run_var[s], {run, 0}, {1, nt}, result.run[s].data());
  h5::write_slab(year_target_reached, {run, 0}, {1, nc}, result.year_target_reached.data());
  h5::write_slab(year_gw_reached, {run, 0}, {1, nc}, result.year_gw_reached.data());
  buf.resize(nc * kNumBottlenecks);
  Eigen::Map<RowMajor>(buf.data(), rows, kNumBottlenecks) = result.bottleneck_share;
  h5::write_slab(bottleneck_share, {run, 0, 0}, {1, nc, kNumBottlenecks}, buf.data());
}

void OutputFile::Impl::write_params(hsize_t run, const RunParams& params) {
  const hsize_t nc = dim_size[kCountry];
  for (const ParamSpec& sp : param_specs()) {
    if (sp.index < 0 || sp.scope == ParamScope::simulation) continue;
    if (sp.scope == ParamScope::global) {
      const double v = params.global.values[sp.index];
      if (stored_as_code(sp)) {
        const std::int8_t code = to_code(v);
        h5::write_slab(global_var[sp.index], {run}, {1}, &code);
      } else {
        h5::write_slab(global_var[sp.index], {run}, {1}, &v);
      }
    } else {
      const auto col = params.countries.values.col(sp.index);
      if (stored_as_code(sp)) {
        codes.resize(nc);
        for (hsize_t c = 0; c < nc; ++c) codes[c] = to_code(col(static_cast<Eigen::Index>(c)));
        h5::write_slab(country_param_var[sp.index], {run, 0}, {1, nc}, codes.data());
      } else {
        buf.assign(col.data(), col.data() + col.size());
        h5::write_slab(country_param_var[sp.index], {run, 0}, {1, nc}, buf.data());
      }
    }
  }
  // Lists padded with NaN: a rewritten run must not keep a longer list's tail.
  if (const hsize_t ns = dim_size[kShock]; ns > 0) {
    const auto& shocks = params.global.supply_shocks;
    auto write_field = [&](hid_t var, double SupplyShock::*field) {
      buf.assign(ns, kNaN);
      for (std::size_t k = 0; k < shocks.size(); ++k) buf[k] = shocks[k].*field;
      h5::write_slab(var, {run, 0}, {1, ns}, buf.data());
    };
    write_field(shock_start, &SupplyShock::start);
    write_field(shock_end, &SupplyShock::end);
    write_field(shock_factor, &SupplyShock::factor);
  }
  if (const hsize_t nk = dim_size[kTarget]; nk > 0) {
    auto write_field = [&](hid_t var, double Target::*field) {
      buf.assign(nc * nk, kNaN);
      for (hsize_t c = 0; c < nc; ++c) {
        const auto& targets = params.countries.targets[c];
        for (std::size_t k = 0; k < targets.size(); ++k) buf[c * nk + k] = targets[k].*field;
      }
      h5::write_slab(var, {run, 0, 0}, {1, nc, nk}, buf.data());
    };
    write_field(target_year, &Target::year);
    write_field(target_mw, &Target::mw);
  }
  h5::write_slab(sim_start_year, {run}, {1}, &params.sim.start_year);
  h5::write_slab(sim_end_year, {run}, {1}, &params.sim.end_year);
  h5::write_slab(sim_dt, {run}, {1}, &params.sim.dt);
}

OutputFile::OutputFile(const std::string& path, bool overwrite, const OutputLayout& layout,
                       const OutputMetadata& meta)
    : impl_(std::make_unique<Impl>(path, overwrite, layout, meta)) {}

OutputFile::~OutputFile() = default;

void OutputFile::write_run(int run, const RunParams& params, const RunResult& result) {
  Impl& im = *impl_;
  if (im.committed || !im.file)
    throw OutputError("cannot write run " + std::to_string(run) + ": " + im.path +
                      " is already closed");
  im.check_run(run, params, result);
  const auto r = static_cast<hsize_t>(run);
  im.write_results(r, result);
  im.write_params(r, params);
  // Last, so that a file cut short never marks a partly written run complete.
  const std::int8_t done = 1;
  h5::write_slab(im.run_complete, {r}, {1}, &done);
}

void OutputFile::commit() {
  Impl& im = *impl_;
  if (im.committed || !im.file) throw OutputError(im.path + " is already closed");
  // Closing flushes the chunk caches: write errors (a full disk) surface here. Debian's
  // HDF5 1.10.8 then keeps a half-closed file that crashes the process at exit (fixed
  // upstream in HDFGroup/hdf5#2291); the error is reported and the temporary file removed
  // before that.
  for (auto& d : im.datasets) d.close();
  im.datasets.clear();
  im.file.close();
  // Make the data durable before the rename makes it visible under the final name.
  const int fd = ::open(im.temp.path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    throw OutputError("cannot write " + im.path + ": cannot sync " + im.temp.path + ": " +
                      std::strerror(err));
  }
  ::close(fd);
  std::error_code ec;
  // Someone may have created the destination while the runs were computed.
  if (!im.overwrite && fs::exists(im.path, ec))
    throw OutputError(im.path + " exists; use --force to overwrite");
  if (std::rename(im.temp.path.c_str(), im.path.c_str()) != 0)
    throw OutputError("cannot rename " + im.temp.path + " to " + im.path + ": " +
                      std::strerror(errno));
  im.committed = true;
  im.temp.keep = true;
}

const std::string& OutputFile::temp_path() const { return impl_->temp.path; }

}  // namespace sovcap
