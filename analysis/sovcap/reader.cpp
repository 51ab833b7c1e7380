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
  RunSlice s;
  s.it_mw = &it_mw.at(i);
  s.compute_flops = &compute_flops.at(i);
  s.energy_twh = &energy_twh.at(i);
  s.capex_usd = &capex_usd.at(i);
  s.opex_usd = &opex_usd.at(i);
  s.bottleneck = &bottleneck.at(i);
  s.year_gw_reached = &year_gw_reached.at(i);
  s.year_target_reached = &year_target_reached.at(i);
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
  const auto ds = h5::open_dataset(impl_->file.get(), name);
  const auto nc = static_cast<Eigen::Index>(impl_->iso3.size());
  const auto nt = static_cast<Eigen::Index>(impl_->time.size());
  std::vector<double> buf(static_cast<std::size_t>(count * nc * nt));
  h5::read_slab(ds.get(), h5::native_type<double>(),
                {static_cast<hsize_t>(first), 0, 0},
                {static_cast<hsize_t>(count), static_cast<hsize_t>(nc), static_cast<hsize_t>(nt)},
                buf.data());
  out.resize(static_cast<std::size_t>(count));
  using RowMajor = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  for (int k = 0; k < count; ++k)
    out[static_cast<std::size_t>(k)] =
        Eigen::Map<const RowMajor>(buf.data() + static_cast<std::size_t>(k * nc * nt), nc, nt);
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

bool ResultsReader::has_trajectories() const {
  for (const char* name : {"it_mw", "compute_flops", "energy_twh", "capex_usd", "opex_usd", "bottleneck"})
    if (!has_variable(name)) return false;
  return true;
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

void ResultsReader::read_summary_block(int first, int count, SummaryBlock& out) const {
  const auto n = static_cast<std::size_t>(count);
  Eigen::ArrayXXd gw, target;
  read_per_country("year_gw_reached", first, count, gw);
  read_per_country("year_target_reached", first, count, target);
  out.year_gw_reached.resize(n);
  out.year_target_reached.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    out.year_gw_reached[k] = gw.col(static_cast<Eigen::Index>(k));
    out.year_target_reached[k] = target.col(static_cast<Eigen::Index>(k));
  }
  if (has_trajectories()) {
    read_country_series("it_mw", first, count, out.it_mw);
    read_country_series("compute_flops", first, count, out.compute_flops);
    read_country_series("energy_twh", first, count, out.energy_twh);
    read_country_series("capex_usd", first, count, out.capex_usd);
    read_country_series("opex_usd", first, count, out.opex_usd);
    read_country_series("bottleneck", first, count, out.bottleneck);
    return;
  }
  // Summary mode: the horizon only.
  const auto nc = static_cast<Eigen::Index>(impl_->iso3.size());
  const auto nt = static_cast<Eigen::Index>(impl_->time.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto horizon_only = [&](const std::string& name, std::vector<Eigen::ArrayXXd>& series) {
    Eigen::ArrayXXd last;
    read_final(name, first, count, last);
    series.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      series[k].setConstant(nc, nt, nan);
      series[k].col(nt - 1) = last.col(static_cast<Eigen::Index>(k));
    }
  };
  horizon_only("it_mw", out.it_mw);
  horizon_only("compute_flops", out.compute_flops);
  horizon_only("energy_twh", out.energy_twh);
  horizon_only("spend_usd", out.capex_usd);
  out.opex_usd.resize(n);
  for (auto& a : out.opex_usd) {
    a.setConstant(nc, nt, nan);
    a.col(nt - 1).setZero();
  }
  // Codes in step order with the stored step counts (shares are counts / steps).
  std::vector<Eigen::ArrayXXd> share;
  read_bottleneck_share(first, count, share);
  const Eigen::Index steps = nt - 1;
  out.bottleneck.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    auto& b = out.bottleneck[k];
    b.setConstant(nc, nt, nan);
    for (Eigen::Index c = 0; c < nc; ++c) {
      Eigen::Index step = 1;
      for (Eigen::Index code = 0; code < kNumBottlenecks; ++code) {
        const double v = share[k](c, code);
        if (!std::isfinite(v)) continue;
        const auto steps_with = static_cast<Eigen::Index>(std::llround(v * static_cast<double>(steps)));
        for (Eigen::Index i = 0; i < steps_with && step <= steps; ++i) b(c, step++) = static_cast<double>(code);
      }
    }
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
