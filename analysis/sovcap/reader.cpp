#include "sovcap/reader.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <cmath>
#include <limits>

#include "sovcap/h5.hpp"
#include "sovcap/output.hpp"
#include "sovcap/request_error.hpp"

namespace sovcap {

RunSlice SummaryBlock::slice(int k) const {
  const auto i = static_cast<std::size_t>(k);
  auto at = [i](const auto& v) { return i < v.size() ? &v[i] : nullptr; };
  RunSlice s;
  s.it_mw = at(it_mw);
  s.compute_flops = at(compute_flops);
  s.energy_twh = at(energy_twh);
  s.capex_usd = at(capex_usd);
  s.opex_usd = at(opex_usd);
  s.bottleneck = at(bottleneck);
  s.year_gw_reached = &year_gw_reached.at(i);
  s.year_target_reached = &year_target_reached.at(i);
  s.it_mw_start = at(it_mw_start);
  s.it_mw_final = at(it_mw_final);
  s.compute_flops_final = at(compute_flops_final);
  s.energy_twh_final = at(energy_twh_final);
  s.spend_usd_final = at(spend_usd_final);
  s.bottleneck_steps = at(bottleneck_steps);
  s.held_back_share = at(held_back_share);
  s.shortfall_mw_mean = at(shortfall_mw_mean);
  s.held_back_mw_period = at(held_back_mw_period);
  return s;
}

struct ResultsReader::Impl {
  std::string path;
  h5::Handle file;
  std::vector<std::string> iso3, names;
  std::vector<double> time;
  int runs = 0;
};

namespace {

// A path that holds no sovcap results file is bad input (exit 2); a results file that
// cannot be read is an I/O failure (OutputError, exit 1).
void require_results_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw RequestError(path + ": no such file");
  if (std::filesystem::is_directory(path, ec))
    throw RequestError(path + ": is a folder, not a sovcap results file");
  if (h5::lacks_hdf5_signature(path))
    throw RequestError(path + ": not a sovcap results file (not an HDF5 file)");
}

// Runs first..first+count-1 of a [run, country, columns] variable, one [country, columns]
// array per run: the country series (columns = time) and the per-constraint ones.
void read_run_matrices(hid_t file, const std::string& name, int first, int count,
                       Eigen::Index nc, Eigen::Index ncols, std::vector<Eigen::ArrayXXd>& out) {
  const auto ds = h5::open_dataset(file, name);
  std::vector<double> buf(static_cast<std::size_t>(count * nc * ncols));
  h5::read_slab(ds.get(), h5::native_type<double>(), {static_cast<hsize_t>(first), 0, 0},
                {static_cast<hsize_t>(count), static_cast<hsize_t>(nc), static_cast<hsize_t>(ncols)},
                buf.data());
  out.resize(static_cast<std::size_t>(count));
  using RowMajor = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  for (int k = 0; k < count; ++k)
    out[static_cast<std::size_t>(k)] =
        Eigen::Map<const RowMajor>(buf.data() + static_cast<std::size_t>(k * nc * ncols), nc, ncols);
}

}  // namespace

ResultsReader::ResultsReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  require_results_file(path);
  impl_->file = h5::open_file(path);
  const hid_t f = impl_->file.get();
  if (!h5::has_attribute(f, "file_type") || h5::read_string_attribute(f, "file_type") != "sovcap-results")
    throw RequestError(path + ": not a sovcap results file (no file_type = \"sovcap-results\")");
  impl_->iso3 = h5::read_strings(h5::open_dataset(f, "country").get());
  impl_->names = h5::read_strings(h5::open_dataset(f, "country_name").get());
  impl_->time = h5::read_all<double>(h5::open_dataset(f, "time").get());
  impl_->runs = static_cast<int>(h5::shape(h5::open_dataset(f, "run").get()).at(0));
}

ResultsReader::~ResultsReader() = default;

const std::string& ResultsReader::path() const { return impl_->path; }
int ResultsReader::runs() const { return impl_->runs; }
const std::vector<std::string>& ResultsReader::iso3() const { return impl_->iso3; }
const std::vector<std::string>& ResultsReader::names() const { return impl_->names; }
const std::vector<double>& ResultsReader::time() const { return impl_->time; }

std::string ResultsReader::attribute(const std::string& name) const {
  return h5::read_string_attribute(impl_->file.get(), name);
}

bool ResultsReader::has_variable(const std::string& name) const {
  return h5::exists(impl_->file.get(), name);
}

void ResultsReader::read_country_series(const std::string& name, int first, int count,
                                        std::vector<Eigen::ArrayXXd>& out) const {
  read_run_matrices(impl_->file.get(), name, first, count,
                    static_cast<Eigen::Index>(impl_->iso3.size()),
                    static_cast<Eigen::Index>(impl_->time.size()), out);
}

void ResultsReader::read_per_country(const std::string& name, int first, int count,
                                     Eigen::ArrayXXd& out) const {
  const auto ds = h5::open_dataset(impl_->file.get(), name);
  const auto nc = static_cast<Eigen::Index>(impl_->iso3.size());
  // [run, country] in C order is [country, run] in Eigen's column-major order.
  out.resize(nc, count);
  h5::read_slab(ds.get(), h5::native_type<double>(), {static_cast<hsize_t>(first), 0},
                {static_cast<hsize_t>(count), static_cast<hsize_t>(nc)}, out.data());
}

std::vector<double> ResultsReader::read_per_run(const std::string& name) const {
  return h5::read_all<double>(h5::open_dataset(impl_->file.get(), name).get());
}

std::string ResultsReader::store() const {
  const hid_t f = impl_->file.get();
  return h5::has_attribute(f, "store") ? h5::read_string_attribute(f, "store") : "full";
}

long long ResultsReader::first_run() const {
  const hid_t f = impl_->file.get();
  return h5::has_attribute(f, "first_run") ? h5::read_attribute<std::int64_t>(f, "first_run").at(0) : 0;
}

long long ResultsReader::total_runs() const {
  const hid_t f = impl_->file.get();
  return h5::has_attribute(f, "total_runs") ? h5::read_attribute<std::int64_t>(f, "total_runs").at(0)
                                            : impl_->runs;
}

int ResultsReader::policies() const {
  const hid_t f = impl_->file.get();
  return h5::has_attribute(f, "sweep_policies") ? h5::read_attribute<std::int32_t>(f, "sweep_policies").at(0) : 1;
}

bool ResultsReader::has_trajectories() const {
  for (const char* name : {"it_mw", "compute_flops", "energy_twh", "capex_usd", "opex_usd", "bottleneck"})
    if (!has_variable(name)) return false;
  return true;
}

StoredSeries ResultsReader::stored_series() const {
  StoredSeries s;
  s.it_mw = has_variable("it_mw");
  s.compute_flops = has_variable("compute_flops");
  s.energy_twh = has_variable("energy_twh");
  s.spend = has_variable("capex_usd") && has_variable("opex_usd");
  s.bottleneck = has_variable("bottleneck");
  return s;
}

std::vector<std::int8_t> ResultsReader::run_complete() const {
  return h5::read_all<std::int8_t>(h5::open_dataset(impl_->file.get(), "run_complete").get());
}

void ResultsReader::read_final(const std::string& name, int first, int count,
                               Eigen::ArrayXXd& out) const {
  const auto nc = static_cast<Eigen::Index>(impl_->iso3.size());
  const auto last = static_cast<hsize_t>(impl_->time.size()) - 1;
  // The last time of a stored trajectory: [run, country, 1] in C order is [country, run].
  auto at_horizon = [&](const std::string& series, Eigen::ArrayXXd& a) {
    const auto ds = h5::open_dataset(impl_->file.get(), series);
    a.resize(nc, count);
    h5::read_slab(ds.get(), h5::native_type<double>(), {static_cast<hsize_t>(first), 0, last},
                  {static_cast<hsize_t>(count), static_cast<hsize_t>(nc), 1}, a.data());
  };
  if (has_variable(name + "_final")) {
    read_per_country(name + "_final", first, count, out);
  } else if (name == "spend_usd") {
    Eigen::ArrayXXd opex;
    at_horizon("capex_usd", out);
    at_horizon("opex_usd", opex);
    out += opex;
  } else {
    at_horizon(name, out);
  }
}

void ResultsReader::read_bottleneck_share(int first, int count,
                                          std::vector<Eigen::ArrayXXd>& out) const {
  const auto ds = h5::open_dataset(impl_->file.get(), "bottleneck_share");
  const auto nc = static_cast<Eigen::Index>(impl_->iso3.size());
  const auto nk = static_cast<Eigen::Index>(kNumBottlenecks);
  std::vector<double> buf(static_cast<std::size_t>(count * nc * nk));
  h5::read_slab(ds.get(), h5::native_type<double>(), {static_cast<hsize_t>(first), 0, 0},
                {static_cast<hsize_t>(count), static_cast<hsize_t>(nc), static_cast<hsize_t>(nk)},
                buf.data());
  // Stored as step counts (packed, with fill -1 for a run not written); a file of format
  // 1.0 stores the shares themselves, as doubles.
  if (h5::is_integer(ds.get())) {
    const double steps = static_cast<double>(impl_->time.size()) - 1.0;
    for (double& v : buf)
      v = v < 0.0 ? std::numeric_limits<double>::quiet_NaN() : (steps > 0.0 ? v / steps : 0.0);
  }
  out.resize(static_cast<std::size_t>(count));
  using RowMajor = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  for (int k = 0; k < count; ++k)
    out[static_cast<std::size_t>(k)] =
        Eigen::Map<const RowMajor>(buf.data() + static_cast<std::size_t>(k * nc * nk), nc, nk);
}

void ResultsReader::read_per_constraint(const std::string& name, int first, int count,
                                        std::vector<Eigen::ArrayXXd>& out) const {
  read_run_matrices(impl_->file.get(), name, first, count,
                    static_cast<Eigen::Index>(impl_->iso3.size()),
                    static_cast<Eigen::Index>(kNumBottlenecks), out);
}

void ResultsReader::read_held_back_periods(int first, int count, std::vector<Eigen::ArrayXXd>& out) const {
  // [run, country, period, constraint]: per run [country, period * 7 + constraint].
  const auto ds = h5::open_dataset(impl_->file.get(), "held_back_mw_period");
  const auto shape = h5::shape(ds.get());
  const auto nc = static_cast<Eigen::Index>(impl_->iso3.size());
  const auto cols = static_cast<Eigen::Index>(shape.at(2) * shape.at(3));
  std::vector<double> buf(static_cast<std::size_t>(count * nc * cols));
  h5::read_slab(ds.get(), h5::native_type<double>(), {static_cast<hsize_t>(first), 0, 0, 0},
                {static_cast<hsize_t>(count), static_cast<hsize_t>(nc), shape.at(2), shape.at(3)}, buf.data());
  using RowMajor = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  out.clear();
  for (int k = 0; k < count; ++k)
    out.push_back(Eigen::Map<const RowMajor>(buf.data() + static_cast<std::size_t>(k * nc * cols), nc, cols));
}

void ResultsReader::read_summary_block(int first, int count, SummaryBlock& out) const {
  // [country, run] as one [country] array per run.
  auto columns = [count](const Eigen::ArrayXXd& a, std::vector<Eigen::ArrayXd>& v) {
    v.clear();
    for (Eigen::Index k = 0; k < count; ++k) v.push_back(a.col(k));
  };
  Eigen::ArrayXXd a;
  read_per_country("year_gw_reached", first, count, a);
  columns(a, out.year_gw_reached);
  read_per_country("year_target_reached", first, count, a);
  columns(a, out.year_target_reached);
  // A trajectory as stored, or nothing.
  auto series = [&](const std::string& name, std::vector<Eigen::ArrayXXd>& v) {
    v.clear();
    if (has_variable(name)) read_country_series(name, first, count, v);
  };
  // The value at the horizon, read only when the trajectory is not stored.
  auto final_of = [&](const std::string& name, bool have_series, std::vector<Eigen::ArrayXd>& v) {
    v.clear();
    if (have_series) return;
    read_final(name, first, count, a);
    columns(a, v);
  };
  const StoredSeries stored = stored_series();
  series("it_mw", out.it_mw);
  series("compute_flops", out.compute_flops);
  series("energy_twh", out.energy_twh);
  series("bottleneck", out.bottleneck);
  out.capex_usd.clear();
  out.opex_usd.clear();
  if (stored.spend) {
    read_country_series("capex_usd", first, count, out.capex_usd);
    read_country_series("opex_usd", first, count, out.opex_usd);
  }
  out.it_mw_start.clear();
  if (!stored.it_mw) {
    read_per_country("country.it_mw", first, count, a);
    columns(a, out.it_mw_start);
  }
  final_of("it_mw", stored.it_mw, out.it_mw_final);
  final_of("compute_flops", stored.compute_flops, out.compute_flops_final);
  final_of("energy_twh", stored.energy_twh, out.energy_twh_final);
  final_of("spend_usd", stored.spend, out.spend_usd_final);
  out.held_back_share.clear();
  out.shortfall_mw_mean.clear();
  if (has_variable("held_back_share") && has_variable("shortfall_mw_mean")) {
    read_per_constraint("held_back_share", first, count, out.held_back_share);
    read_per_country("shortfall_mw_mean", first, count, a);
    columns(a, out.shortfall_mw_mean);
  }
  out.held_back_mw_period.clear();
  if (has_variable("held_back_mw_period")) read_held_back_periods(first, count, out.held_back_mw_period);
  out.bottleneck_steps.clear();
  if (!stored.bottleneck) {
    // Step counts from the stored shares (counts / steps).
    read_bottleneck_share(first, count, out.bottleneck_steps);
    const double steps = static_cast<double>(impl_->time.size()) - 1.0;
    for (auto& counts : out.bottleneck_steps) counts = (counts * steps).round();
  }
}

std::vector<std::string> ResultsReader::lever_keys() const {
  const hid_t f = impl_->file.get();
  if (!h5::has_attribute(f, "lever_keys")) return {};
  std::vector<std::string> keys;
  std::istringstream in(h5::read_string_attribute(f, "lever_keys"));
  for (std::string key; in >> key;) keys.push_back(key);
  return keys;
}

std::vector<std::string> ResultsReader::lever_texts(long long run) const {
  std::vector<std::string> out;
  for (const auto& key : lever_keys()) {
    const auto ds = h5::open_dataset(impl_->file.get(), "lever." + key);
    const auto texts = h5::read_string_list_attribute(ds.get(), "values");
    double v = 0.0;
    h5::read_slab(ds.get(), h5::native_type<double>(), {static_cast<hsize_t>(run)}, {1}, &v);
    if (h5::has_attribute(ds.get(), "numeric_values")) {
      // A numeric lever stores its value; find which of the texts it is.
      const auto numbers = h5::read_attribute<double>(ds.get(), "numeric_values");
      const auto it = std::find(numbers.begin(), numbers.end(), v);
      out.push_back(it == numbers.end() ? std::to_string(v) : texts[static_cast<std::size_t>(it - numbers.begin())]);
    } else {
      const auto k = static_cast<std::size_t>(v);
      out.push_back(k < texts.size() ? texts[k] : "?");
    }
  }
  return out;
}

}  // namespace sovcap
