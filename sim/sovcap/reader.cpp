#include "sovcap/reader.hpp"

#include "sovcap/h5.hpp"
#include "sovcap/output.hpp"

namespace sovcap {

struct ResultsReader::Impl {
  std::string path;
  h5::Handle file;
  std::vector<std::string> iso3, names;
  std::vector<double> time;
  int runs = 0;
};

ResultsReader::ResultsReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->file = h5::open_file(path);
  const hid_t f = impl_->file.get();
  if (!h5::has_attribute(f, "file_type") || h5::read_string_attribute(f, "file_type") != "sovcap-results")
    throw OutputError(path + ": not a sovcap results file (no file_type = \"sovcap-results\")");
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

}  // namespace sovcap
