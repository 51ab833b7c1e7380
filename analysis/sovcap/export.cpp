#include "sovcap/export.hpp"
#include "sovcap/text.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <sstream>
#include <system_error>

#include <unistd.h>

#include "sovcap/h5.hpp"
#include "sovcap/output.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/params.hpp"
#include "sovcap/reader.hpp"

namespace sovcap {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Memory for one block's values, all variables together, when the block size is chosen.
constexpr double kBlockBytes = 64.0 * 1024 * 1024;
// A CSV file's buffer is written out when it passes this size.
constexpr std::size_t kFlushBytes = std::size_t{1} << 20;

// ---- Cells --------------------------------------------------------------------------------

// The shortest text that reads back as the same double, in %g style so that large values
// are never long digit strings ("2030.25", "4.5e+06", "9.290869284513897e+19"); NaN: nothing.
void put_number(std::string& out, double v) {
  if (std::isnan(v)) return;
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
  out.append(buf, r.ptr);
}

void put_integer(std::string& out, long long v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

std::string number_text(double v) {
  std::string s;
  put_number(s, v);
  return s;
}



// How a variable's values are written.
struct CellFormat {
  enum Kind { number, integer, code_name, lever } kind = number;
  double fill = kNaN;              // integer variables: this value is written as empty
  std::vector<std::string> names;  // code_name: the meaning of code k; lever: TOML texts
  std::vector<double> numeric;     // lever: the numbers of a numeric lever (else empty)
};

// A lever's value as a CSV cell: a TOML string as the string itself (pro_rata, not
// "pro_rata", which CSV would quote again), anything else (numbers, lists) as its TOML text.
std::string lever_cell(const std::string& toml) {
  const bool basic = toml.size() >= 2 && toml.front() == '"' && toml.back() == '"' &&
                     toml.find('\\') == std::string::npos;
  const bool literal = toml.size() >= 2 && toml.front() == '\'' && toml.back() == '\'';
  return csv_cell(basic || literal ? toml.substr(1, toml.size() - 2) : toml);
}

void put_cell(std::string& out, const CellFormat& f, double v) {
  if (std::isnan(v)) return;
  switch (f.kind) {
    case CellFormat::number:
      put_number(out, v);
      return;
    case CellFormat::integer:
      if (v != f.fill) put_integer(out, std::llround(v));
      return;
    case CellFormat::code_name: {
      if (v == f.fill || v < 0) return;
      const auto k = static_cast<std::size_t>(std::llround(v));
      if (k < f.names.size())
        out += f.names[k];
      else
        put_integer(out, std::llround(v));
      return;
    }
    case CellFormat::lever: {
      if (!f.numeric.empty()) {
        const auto it = std::find(f.numeric.begin(), f.numeric.end(), v);
        if (it != f.numeric.end())
          out += lever_cell(f.names[static_cast<std::size_t>(it - f.numeric.begin())]);
        else
          put_number(out, v);
        return;
      }
      if (v < 0) return;
      const auto k = static_cast<std::size_t>(std::llround(v));
      if (k < f.names.size()) out += lever_cell(f.names[k]);
      return;
    }
  }
}

// ---- Variables ----------------------------------------------------------------------------

// One dataset along `run`, read a block of runs at a time as doubles.
struct Variable {
  std::string name;
  h5::Handle ds;
  std::size_t inner = 1;  // values per run
  CellFormat format;
  // CF packed data (scale_factor and/or add_offset): values unpacked as stored * scale +
  // offset, as netCDF readers do; the fill value reads as empty.
  bool packed = false;
  double scale = 1.0, offset = 0.0, packed_fill = kNaN;
  std::vector<double> buf;

  void read(long long first, long long count) {
    auto dims = h5::shape(ds.get());
    std::vector<hsize_t> start(dims.size(), 0), size = dims;
    start[0] = static_cast<hsize_t>(first);
    size[0] = static_cast<hsize_t>(count);
    buf.resize(static_cast<std::size_t>(count) * inner);
    if (count > 0) h5::read_slab(ds.get(), h5::native_type<double>(), start, size, buf.data());
    if (packed)
      for (double& v : buf) v = v == packed_fill ? kNaN : v * scale + offset;
  }
  double at(std::size_t run, std::size_t i = 0) const { return buf[run * inner + i]; }
};

// Opens variable `name` of `file`, checking that it lies along run with `runs` entries and
// has `inner` values per run, and works out how its values are written.
Variable open_variable(hid_t file, const std::string& path, const std::string& name, long long runs,
                       std::size_t inner) {
  Variable v;
  v.name = name;
  v.ds = h5::open_dataset(file, name);
  const auto dims = h5::shape(v.ds.get());
  std::size_t n = 1;
  for (std::size_t k = 1; k < dims.size(); ++k) n *= static_cast<std::size_t>(dims[k]);
  if (dims.empty() || static_cast<long long>(dims[0]) != runs || n != inner)
    throw OutputError(path + ": variable " + name + " does not have the shape of the file's "
                      "layout (" + std::to_string(runs) + " runs, " + std::to_string(inner) +
                      " values per run); is the file damaged?");
  v.inner = inner;
  const hid_t ds = v.ds.get();
  const h5::Handle type(H5Dget_type(ds), H5Tclose);
  if (!type) h5::fail(ds, "cannot read the type");
  const bool integer = H5Tget_class(type.get()) == H5T_INTEGER;
  if (integer) {
    v.format.kind = CellFormat::integer;
    if (h5::has_attribute(ds, "_FillValue")) {
      const auto fill = h5::read_attribute<double>(ds, "_FillValue");
      if (!fill.empty()) v.format.fill = fill[0];
    }
  }
  if (h5::has_attribute(ds, "scale_factor") || h5::has_attribute(ds, "add_offset")) {
    auto one = [ds](const char* attr, double otherwise) {
      if (!h5::has_attribute(ds, attr)) return otherwise;
      const auto a = h5::read_attribute<double>(ds, attr);
      return a.empty() ? otherwise : a[0];
    };
    v.packed = true;
    v.scale = one("scale_factor", 1.0);
    v.offset = one("add_offset", 0.0);
    v.packed_fill = v.format.fill;
    v.format = CellFormat{};  // written as the unpacked numbers
    return v;
  }
  if (h5::has_attribute(ds, "values")) {
    v.format.kind = CellFormat::lever;
    v.format.names = h5::read_string_list_attribute(ds, "values");
    if (h5::has_attribute(ds, "numeric_values"))
      v.format.numeric = h5::read_attribute<double>(ds, "numeric_values");
  } else if (integer && h5::has_attribute(ds, "flag_meanings")) {
    v.format.kind = CellFormat::code_name;
    v.format.names = split_words(h5::read_string_attribute(ds, "flag_meanings"));
  }
  return v;
}

// ---- Files --------------------------------------------------------------------------------

std::string errno_text(int err) { return std::strerror(err); }

// A CSV file written through a buffer; finish() writes the rest, syncs and closes it, and
// every failure (a full disk) throws OutputError naming the file.
class CsvFile {
 public:
  explicit CsvFile(fs::path path) : path_(std::move(path)) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) throw OutputError(path_.string() + ": cannot create: " + errno_text(errno));
  }
  ~CsvFile() {
    if (file_) std::fclose(file_);
  }
  CsvFile(const CsvFile&) = delete;
  CsvFile& operator=(const CsvFile&) = delete;

  std::string& buffer() { return buf_; }
  void end_row() {
    buf_ += '\n';
    if (buf_.size() >= kFlushBytes) write_buffer();
  }
  void finish() {
    write_buffer();
    if (std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0) fail("cannot write");
    FILE* f = file_;
    file_ = nullptr;
    if (std::fclose(f) != 0) fail("cannot close");
  }

 private:
  void write_buffer() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size())
      fail("cannot write");
    buf_.clear();
  }
  [[noreturn]] void fail(const char* what) {
    throw OutputError(path_.string() + ": " + what + ": " + errno_text(errno));
  }

  fs::path path_;
  FILE* file_ = nullptr;
  std::string buf_;
};

// `dir` without trailing separators, so that "out/" and "out" name the same folder.
fs::path folder_path(const std::string& dir) {
  fs::path p(dir);
  while (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

fs::path partial_path(const fs::path& dir) { return fs::path(dir.string() + ".partial"); }

bool is_export_file(const std::string& name) {
  for (const char* f : kExportFiles)
    if (name == f) return true;
  return false;
}

// "" when `p` is absent, an empty folder, or (with `overwrite`) a folder holding nothing
// but export files; else why not, as a sentence starting with the path.
std::string folder_refusal(const fs::path& p, bool overwrite, const char* how_to_fix) {
  std::error_code ec;
  const auto st = fs::symlink_status(p, ec);
  if (ec || !fs::exists(st)) return "";
  if (!fs::is_directory(st)) return p.string() + " exists and is not a folder";
  std::vector<std::string> others;
  bool empty = true;
  for (const auto& e : fs::directory_iterator(p, ec)) {
    empty = false;
    const std::string name = e.path().filename().string();
    if (!is_export_file(name) || !e.is_regular_file()) others.push_back(name);
  }
  if (ec) return p.string() + ": cannot read the folder: " + ec.message();
  if (empty) return "";
  if (!others.empty()) {
    std::sort(others.begin(), others.end());
    return p.string() + " holds files that an export does not write (" + others.front() +
           (others.size() > 1 ? " and " + std::to_string(others.size() - 1) + " more" : "") +
           "); not replacing it: " + how_to_fix;
  }
  if (!overwrite) return p.string() + " exists and is not empty; use --force to replace it";
  return "";
}

// Removes the partial folder unless the export completed.
struct PartialGuard {
  fs::path path;
  bool armed = true;
  ~PartialGuard() {
    if (!armed) return;
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// ---- Lists as TOML text ---------------------------------------------------------------------

// [[2027, 100], [2030, 1000]] from the NaN-padded target years and MW of one country.
std::string targets_text(const Variable& years, const Variable& mw, std::size_t run,
                         std::size_t country, std::size_t max_targets) {
  std::string out = "[";
  bool first = true;
  for (std::size_t j = 0; j < max_targets; ++j) {
    const double y = years.at(run, country * max_targets + j);
    if (std::isnan(y)) continue;
    out += first ? "[" : ", [";
    first = false;
    out += number_text(y) + ", " + number_text(mw.at(run, country * max_targets + j)) + "]";
  }
  return out + "]";
}

// [{start = 2028, end = 2029, factor = 0.5}] from the NaN-padded shock variables of a run.
std::string shocks_text(const Variable& start, const Variable& end, const Variable& factor,
                        std::size_t run, std::size_t max_shocks) {
  std::string out = "[";
  bool first = true;
  for (std::size_t j = 0; j < max_shocks; ++j) {
    const double s = start.at(run, j);
    if (std::isnan(s)) continue;
    out += first ? "{" : ", {";
    first = false;
    out += "start = " + number_text(s) + ", end = " + number_text(end.at(run, j)) +
           ", factor = " + number_text(factor.at(run, j)) + "}";
  }
  return out + "]";
}

// [[2026, 2], [2028, 1]] from the NaN-padded schedule of one parameter (entry `at` of
// the run's row), or "" when the run does not schedule it.
std::string schedule_text(const Variable& years, const Variable& values, std::size_t run,
                          std::size_t at, std::size_t points) {
  std::string out;
  for (std::size_t j = 0; j < points; ++j) {
    const double y = years.at(run, at + j);
    if (std::isnan(y)) continue;
    out += out.empty() ? "[[" : ", [";
    out += number_text(y) + ", " + number_text(values.at(run, at + j)) + "]";
  }
  return out.empty() ? out : out + "]";
}

// Length of a dimension that may be absent (target, shock): 0 when absent.
std::size_t optional_dim(hid_t file, const char* name) {
  if (!h5::exists(file, name)) return 0;
  return static_cast<std::size_t>(h5::shape(h5::open_dataset(file, name).get()).at(0));
}

// The datasets an export reads, grouped by the table each goes to, in registry order.
struct ExportVariables {
  Variable run_coord;
  std::vector<Variable> keys;  // policy, sample; a cell stays empty where one is absent
  std::vector<Variable> series, run_series, summary, share, finals, params_run, params_country;
  // held_back_mw [run, country, time, constraint] (full files), into series.csv one column
  // per constraint; held_back_share [run, country, constraint] and shortfall_mw_mean
  // [run, country], into summary.csv. Empty in files written before them.
  std::vector<Variable> held_series, held_share, held_mean;
  std::vector<Variable> shocks, targets, design;
  // Schedules: year and value variables of each scheduled parameter, global then country.
  std::vector<Variable> sched_global, sched_country;
  std::size_t nc = 0, nt = 0, n_targets = 0, n_shocks = 0, n_points = 0;

  const Variable* key(const char* name) const {
    for (const auto& v : keys)
      if (v.name == name) return &v;
    return nullptr;
  }
  std::vector<Variable*> all() {
    std::vector<Variable*> out = {&run_coord};
    for (auto* group : {&keys, &series, &held_series, &run_series, &summary, &share, &held_share,
                        &held_mean, &finals, &params_run, &params_country, &shocks, &targets, &design,
                        &sched_global, &sched_country})
      for (auto& v : *group) out.push_back(&v);
    return out;
  }
};

ExportVariables open_export_variables(const ResultsReader& in, hid_t f, const std::string& results_path) {
  ExportVariables x;
  const long long runs = in.runs();
  x.nc = in.iso3().size();
  x.nt = in.time().size();
  x.n_targets = optional_dim(f, "target");
  x.n_shocks = optional_dim(f, "shock");
  const std::size_t nc = x.nc, nt = x.nt;
  auto open = [&](const std::string& name, std::size_t inner) {
    return open_variable(f, results_path, name, runs, inner);
  };
  auto open_if = [&](const std::string& name, std::size_t inner, std::vector<Variable>& into) {
    if (h5::exists(f, name)) into.push_back(open(name, inner));
  };
  x.run_coord = open("run", 1);
  open_if("policy", 1, x.keys);
  open_if("sample", 1, x.keys);
  for (int k = 0; k < kNumCountrySeries; ++k)
    open_if(std::string(info(static_cast<CountrySeries>(k)).name), nc * nt, x.series);
  for (int k = 0; k < kNumRunSeries; ++k)
    open_if(std::string(info(static_cast<RunSeries>(k)).name), nt, x.run_series);
  open_if("year_gw_reached", nc, x.summary);
  open_if("year_target_reached", nc, x.summary);
  open_if("bottleneck_share", nc * kNumBottlenecks, x.share);
  open_if("held_back_mw", nc * nt * kNumBottlenecks, x.held_series);
  open_if("held_back_share", nc * kNumBottlenecks, x.held_share);
  open_if("shortfall_mw_mean", nc, x.held_mean);
  for (const char* name : {"it_mw_final", "compute_flops_final", "energy_twh_final", "spend_usd_final"})
    open_if(name, nc, x.finals);
  for (const char* name : {"simulation.start_year", "simulation.end_year", "simulation.dt"})
    open_if(name, 1, x.params_run);
  for (const ParamSpec& sp : param_specs()) {
    if (sp.index < 0) continue;
    const std::string name = std::string(scope_name(sp.scope)) + "." + std::string(sp.name);
    if (sp.scope == ParamScope::global)
      open_if(name, 1, x.params_run);
    else if (sp.scope == ParamScope::country)
      open_if(name, nc, x.params_country);
  }
  if (x.n_shocks > 0)
    for (const char* name : {"global.supply_shock_start", "global.supply_shock_end", "global.supply_shock_factor"})
      x.shocks.push_back(open(name, x.n_shocks));
  if (x.n_targets > 0)
    for (const char* name : {"country.target_year", "country.target_mw"})
      x.targets.push_back(open(name, nc * x.n_targets));
  x.n_points = optional_dim(f, "schedule_point");
  if (x.n_points > 0 && h5::has_attribute(f, "scheduled_parameters"))
    for (const auto& name : split_words(h5::read_string_attribute(f, "scheduled_parameters"))) {
      const bool global = name.rfind("global.", 0) == 0;
      auto& into = global ? x.sched_global : x.sched_country;
      const std::size_t inner = (global ? 1 : nc) * x.n_points;
      into.push_back(open(name + ".schedule_year", inner));
      into.push_back(open(name + ".schedule_value", inner));
    }
  for (const auto& key : in.lever_keys()) x.design.push_back(open("lever." + key, 1));
  if (h5::has_attribute(f, "uncertain_keys"))
    for (const auto& key : split_words(h5::read_string_attribute(f, "uncertain_keys")))
      x.design.push_back(open("sampled." + key, 1));
  open_if("saltelli_matrix", 1, x.design);
  open_if("base_row", 1, x.design);
  return x;
}

// Runs per block read: whole chunks along run (16 runs for [run, country, time], up to
// 256 for the rest) within kBlockBytes, unless the caller set it.
long long export_block_runs(std::vector<Variable*> all, long long asked) {
  if (asked > 0) return asked;
  double per_run_bytes = 0.0;
  for (const Variable* v : all) per_run_bytes += 8.0 * static_cast<double>(v->inner);
  long long block = std::clamp(static_cast<long long>(kBlockBytes / per_run_bytes), 1LL, 4096LL);
  block -= block >= 256 ? block % 256 : (block >= 16 ? block % 16 : 0);
  return block;
}

// A fresh folder for the export, replacing one an export that was killed left behind
// (export_dir_refusal checked that it is one).
void create_partial_folder(const fs::path& partial) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(partial, ec))) {
    fs::remove_all(partial, ec);
    if (ec) throw OutputError(partial.string() + ": cannot remove the stale folder: " + ec.message());
  }
  if (!fs::create_directory(partial, ec) || ec)
    throw OutputError(partial.string() + ": cannot create the folder: " +
                      (ec ? ec.message() : std::string("it exists")));
}

// The four tables of an export, their headers written.
struct ExportTables {
  std::unique_ptr<CsvFile> series, run_series, summary, params;
};

ExportTables open_tables(const ExportVariables& x, const fs::path& partial, ExportStats& stats) {
  ExportTables t;
  auto table = [&](const char* file, const char* columns) {
    auto csv = std::make_unique<CsvFile>(partial / file);
    csv->buffer() += "run,policy,sample";
    csv->buffer() += columns;
    stats.files.push_back(file);
    return csv;
  };
  if (!x.series.empty()) {
    t.series = table("series.csv", ",iso3,time");
    for (const auto& v : x.series) t.series->buffer() += "," + v.name;
    if (!x.held_series.empty())
      for (auto name : kBottleneckNames) t.series->buffer() += ",held_back_mw_" + std::string(name);
    t.series->end_row();
  }
  if (!x.run_series.empty()) {
    t.run_series = table("run_series.csv", ",time");
    for (const auto& v : x.run_series) t.run_series->buffer() += "," + v.name;
    t.run_series->end_row();
  }
  t.summary = table("summary.csv", ",iso3");
  {
    std::string& h = t.summary->buffer();
    for (const auto& v : x.summary) h += "," + v.name;
    if (!x.share.empty())
      for (auto name : kBottleneckNames) h += ",bottleneck_share_" + std::string(name);
    if (!x.held_share.empty())
      for (auto name : kBottleneckNames) h += ",held_back_share_" + std::string(name);
    for (const auto& v : x.held_mean) h += "," + v.name;
    for (const auto& v : x.finals) h += "," + v.name;
    t.summary->end_row();
  }
  t.params = table("parameters.csv", ",iso3");
  {
    std::string& h = t.params->buffer();
    for (const auto& v : x.params_run) h += "," + v.name;
    h += ",global.supply_shocks";
    for (const auto& v : x.params_country) h += "," + v.name;
    h += ",country.targets";
    // A scheduled parameter's schedule as TOML ("" where the run gives it one value).
    for (std::size_t s = 0; s < x.sched_global.size(); s += 2)
      h += "," + x.sched_global[s].name.substr(0, x.sched_global[s].name.size() - 14) + ".schedule";
    for (std::size_t s = 0; s < x.sched_country.size(); s += 2)
      h += "," + x.sched_country[s].name.substr(0, x.sched_country[s].name.size() - 14) + ".schedule";
    for (const auto& v : x.design) h += "," + csv_cell(v.name);
    t.params->end_row();
  }
  return t;
}

// The rows of run k of the block read: `prefix` is its "run,policy,sample," cells.
void write_run_rows(const ExportVariables& x, std::size_t k, const std::string& prefix,
                    const std::vector<std::string>& iso3_cell, const std::vector<std::string>& time_text,
                    ExportTables& t, ExportStats& stats) {
  const std::size_t nc = x.nc, nt = x.nt;
  if (t.series) {
    for (std::size_t c = 0; c < nc; ++c) {
      const std::string row_prefix = prefix + iso3_cell[c] + ",";
      for (std::size_t n = 0; n < nt; ++n) {
        std::string& out = t.series->buffer();
        out += row_prefix;
        out += time_text[n];
        for (const auto& v : x.series) {
          out += ',';
          put_cell(out, v.format, v.at(k, c * nt + n));
        }
        for (const auto& v : x.held_series)
          for (std::size_t b = 0; b < static_cast<std::size_t>(kNumBottlenecks); ++b) {
            out += ',';
            put_cell(out, v.format, v.at(k, (c * nt + n) * kNumBottlenecks + b));
          }
        t.series->end_row();
        ++stats.series_rows;
      }
    }
  }
  if (t.run_series) {
    for (std::size_t n = 0; n < nt; ++n) {
      std::string& out = t.run_series->buffer();
      out += prefix;
      out += time_text[n];
      for (const auto& v : x.run_series) {
        out += ',';
        put_cell(out, v.format, v.at(k, n));
      }
      t.run_series->end_row();
    }
  }
  const std::string shocks_cell =
      csv_cell(x.shocks.empty() ? "[]" : shocks_text(x.shocks[0], x.shocks[1], x.shocks[2], k, x.n_shocks));
  for (std::size_t c = 0; c < nc; ++c) {
    std::string& out = t.summary->buffer();
    out += prefix;
    out += iso3_cell[c];
    for (const auto& v : x.summary) {
      out += ',';
      put_cell(out, v.format, v.at(k, c));
    }
    for (const auto* group : {&x.share, &x.held_share})
      for (const auto& v : *group)
        for (std::size_t b = 0; b < static_cast<std::size_t>(kNumBottlenecks); ++b) {
          out += ',';
          put_cell(out, v.format, v.at(k, c * kNumBottlenecks + b));
        }
    for (const auto& v : x.held_mean) {
      out += ',';
      put_cell(out, v.format, v.at(k, c));
    }
    for (const auto& v : x.finals) {
      out += ',';
      put_cell(out, v.format, v.at(k, c));
    }
    t.summary->end_row();

    std::string& p = t.params->buffer();
    p += prefix;
    p += iso3_cell[c];
    for (const auto& v : x.params_run) {
      p += ',';
      put_cell(p, v.format, v.at(k));
    }
    p += ',';
    p += shocks_cell;
    for (const auto& v : x.params_country) {
      p += ',';
      put_cell(p, v.format, v.at(k, c));
    }
    p += ',';
    p += csv_cell(x.targets.empty() ? "[]" : targets_text(x.targets[0], x.targets[1], k, c, x.n_targets));
    for (std::size_t s = 0; s < x.sched_global.size(); s += 2) {
      p += ',';
      p += csv_cell(schedule_text(x.sched_global[s], x.sched_global[s + 1], k, 0, x.n_points));
    }
    for (std::size_t s = 0; s < x.sched_country.size(); s += 2) {
      p += ',';
      p += csv_cell(schedule_text(x.sched_country[s], x.sched_country[s + 1], k, c * x.n_points,
                                  x.n_points));
    }
    for (const auto& v : x.design) {
      p += ',';
      put_cell(p, v.format, v.at(k));
    }
    t.params->end_row();
  }
}

// Into place: over an absent or empty folder directly; over an earlier export (--force)
// by moving it aside first, so that `dest` is never missing files of both.
void move_into_place(const fs::path& partial, const fs::path& dest) {
  std::error_code ec;
  const bool replace = fs::exists(fs::symlink_status(dest, ec)) && !fs::is_empty(dest, ec);
  if (!replace) {
    fs::rename(partial, dest, ec);
    if (ec) throw OutputError(dest.string() + ": cannot rename " + partial.string() + " to it: " + ec.message());
    return;
  }
  // A name of our own beside it: never an existing folder, which would be deleted below.
  fs::path aside;
  for (int i = 0;; ++i) {
    aside = dest.string() + ".replaced." + std::to_string(::getpid()) + "." + std::to_string(i);
    if (!fs::exists(fs::symlink_status(aside, ec))) break;
  }
  fs::rename(dest, aside, ec);
  if (ec) throw OutputError(dest.string() + ": cannot move the earlier export aside: " + ec.message());
  fs::rename(partial, dest, ec);
  if (ec) {
    std::error_code ignored;
    fs::rename(aside, dest, ignored);
    throw OutputError(dest.string() + ": cannot rename " + partial.string() + " to it: " + ec.message());
  }
  fs::remove_all(aside, ec);
}

}  // namespace

std::string export_dir_refusal(const std::string& dir, bool overwrite) {
  if (dir.empty()) return "give a folder to export into";
  const fs::path p = folder_path(dir);
  const fs::path parent = p.has_parent_path() ? p.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(parent, ec))
    return p.string() + ": folder " + parent.string() + " does not exist";
  std::string why = folder_refusal(p, overwrite, "remove it yourself or export into another folder");
  if (!why.empty()) return why;
  // A partial folder left by an export that was killed is replaced; anything else is not.
  why = folder_refusal(partial_path(p), true, "remove it yourself (it is not a sovcap export)");
  return why;
}

ExportStats export_csv(const std::string& results_path, const std::string& dir,
                       const ExportOptions& options) {
  if (const std::string why = export_dir_refusal(dir, options.overwrite); !why.empty())
    throw OutputError(why);
  const fs::path dest = folder_path(dir);
  const fs::path partial = partial_path(dest);

  const ResultsReader in(results_path);
  const h5::Handle file = h5::open_file(results_path);
  ExportVariables x = open_export_variables(in, file.get(), results_path);
  const std::vector<Variable*> all = x.all();
  const long long runs = in.runs();
  const long long block = export_block_runs(all, options.block_runs);
  const Variable* policy = x.key("policy");
  const Variable* sample = x.key("sample");

  // Texts every row repeats.
  std::vector<std::string> iso3_cell, time_text;
  for (const auto& c : in.iso3()) iso3_cell.push_back(csv_cell(c));
  for (double t : in.time()) time_text.push_back(number_text(t));
  const auto complete = in.run_complete();

  create_partial_folder(partial);
  PartialGuard guard{partial};
  ExportStats stats;
  ExportTables tables = open_tables(x, partial, stats);

  std::string prefix;
  for (long long first = 0; first < runs; first += block) {
    const long long count = std::min(block, runs - first);
    for (Variable* v : all) v->read(first, count);
    for (long long kk = 0; kk < count; ++kk) {
      const auto k = static_cast<std::size_t>(kk);
      if (!complete[static_cast<std::size_t>(first + kk)]) {
        ++stats.incomplete;
        continue;
      }
      ++stats.runs;
      prefix.clear();
      put_cell(prefix, x.run_coord.format, x.run_coord.at(k));
      prefix += ',';
      if (policy) put_cell(prefix, policy->format, policy->at(k));
      prefix += ',';
      if (sample) put_cell(prefix, sample->format, sample->at(k));
      prefix += ',';
      write_run_rows(x, k, prefix, iso3_cell, time_text, tables, stats);
    }
  }
  for (auto* csv : {tables.series.get(), tables.run_series.get(), tables.summary.get(), tables.params.get()})
    if (csv) csv->finish();

  move_into_place(partial, dest);
  guard.armed = false;
  return stats;
}

}  // namespace sovcap
