#include "sovcap/h5.hpp"

#include <algorithm>
#include <utility>

#include <hdf5_hl.h>

namespace sovcap::h5 {
namespace {

constexpr unsigned kCreationOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

// Slots of a dataset's chunk cache: a prime well above the number of chunks it holds, as
// the HDF5 documentation recommends, so that chunks of one run row rarely collide.
constexpr std::size_t kCacheSlots = 12421;

// Innermost description on this thread's HDF5 error stack, then clears the stack.
std::string error_detail() {
  std::string detail;
  auto walk = [](unsigned, const H5E_error2_t* err, void* data) -> herr_t {
    if (err && err->desc && *err->desc) *static_cast<std::string*>(data) = err->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk, &detail);
  H5Eclear2(H5E_DEFAULT);
  // File-driver messages embed ctime(), newline included: keep the message on one line.
  detail.erase(std::remove(detail.begin(), detail.end(), '\n'), detail.end());
  return detail;
}

// "HDF5 error: WHAT (object O) in FILE: DETAIL", leaving out what is unknown.
[[noreturn]] void throw_hdf5_error(const std::string& what, const std::string& file,
                                   const std::string& object, const std::string& detail) {
  std::string msg = "HDF5 error: " + what;
  if (!object.empty() && object != "/") msg += " (object " + object + ")";
  if (!file.empty()) msg += " in " + file;
  if (!detail.empty()) msg += ": " + detail;
  throw OutputError(msg);
}

// For failures without a valid identifier to name (file creation and opening).
[[noreturn]] void throw_error(const std::string& what) {
  throw_hdf5_error(what, "", "", error_detail());
}

void check(herr_t status, hid_t obj, const std::string& what) {
  if (status < 0) fail(obj, what);
}

hid_t checked(hid_t id, hid_t obj, const std::string& what) {
  if (id < 0) fail(obj, what);
  return id;
}

Handle dataspace(const std::vector<hsize_t>& dims) {
  const hid_t id = dims.empty()
                       ? H5Screate(H5S_SCALAR)
                       : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  if (id < 0) fail(H5I_INVALID_HID, "cannot create a dataspace");
  return Handle(id, H5Sclose);
}

Handle plist(hid_t cls, const char* what) {
  const hid_t id = H5Pcreate(cls);
  if (id < 0) fail(H5I_INVALID_HID, std::string("cannot create ") + what);
  return Handle(id, H5Pclose);
}

Handle utf8_string_type(std::size_t size) {
  Handle type(checked(H5Tcopy(H5T_C_S1), H5I_INVALID_HID, "cannot copy the string type"), H5Tclose);
  check(H5Tset_size(type.get(), size), H5I_INVALID_HID, "cannot size the string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), H5I_INVALID_HID, "cannot set UTF-8");
  return type;
}

Handle vlen_string_type() { return utf8_string_type(H5T_VARIABLE); }

// Fixed-length strings are read in their own character set: HDF5 converts neither ASCII
// to UTF-8 nor back (dimension scale attributes such as CLASS are ASCII).
Handle same_string_type(hid_t file_type, std::size_t size) {
  Handle type(checked(H5Tcopy(file_type), H5I_INVALID_HID, "cannot copy the string type"), H5Tclose);
  check(H5Tset_size(type.get(), size), H5I_INVALID_HID, "cannot size the string type");
  return type;
}

// Selects the block `count` at `start` of `dataset`'s dataspace.
Handle select_block(hid_t dataset, const std::vector<hsize_t>& start,
                    const std::vector<hsize_t>& count) {
  Handle space(checked(H5Dget_space(dataset), dataset, "cannot get the dataspace"), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || static_cast<std::size_t>(rank) != start.size() || start.size() != count.size())
    throw OutputError("HDF5 error: block of rank " + std::to_string(start.size()) +
                      " for a dataset of rank " + std::to_string(rank) + " (object " +
                      object_name(dataset) + ") in " + file_name(dataset));
  if (rank > 0)
    check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          dataset, "cannot select a block");
  return space;
}

}  // namespace

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    closer_ = other.closer_;
  }
  return *this;
}

void Handle::close() {
  if (id_ < 0) return;
  ErrorSilencer quiet;
  // Name the object before it goes away, for the message.
  const std::string file = file_name(id_);
  const std::string object = object_name(id_);
  const herr_t status = closer_(std::exchange(id_, H5I_INVALID_HID));
  if (status < 0) throw_hdf5_error("cannot close (flush) object", file, object, error_detail());
}

void Handle::reset() noexcept {
  if (id_ < 0) return;
  ErrorSilencer quiet;
  closer_(std::exchange(id_, H5I_INVALID_HID));
  H5Eclear2(H5E_DEFAULT);
}

ErrorSilencer::ErrorSilencer() noexcept {
  // Only a handler that can be put back is switched off.
  saved_ = H5Eget_auto2(H5E_DEFAULT, &func_, &data_) >= 0;
  if (saved_) H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

ErrorSilencer::~ErrorSilencer() {
  if (saved_) H5Eset_auto2(H5E_DEFAULT, func_, data_);
}

void fail(hid_t obj, const std::string& what) {
  // Naming the object calls into HDF5, which clears the error stack: read it first.
  const std::string detail = error_detail();
  std::string file, object;
  if (obj >= 0 && H5Iis_valid(obj) > 0) {
    file = file_name(obj);
    object = object_name(obj);
  }
  H5Eclear2(H5E_DEFAULT);
  throw_hdf5_error(what, file, object, detail);
}

std::string file_name(hid_t obj) {
  ErrorSilencer quiet;
  const ssize_t n = H5Fget_name(obj, nullptr, 0);
  if (n <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  std::string name(static_cast<std::size_t>(n) + 1, '\0');
  H5Fget_name(obj, name.data(), name.size());
  name.resize(static_cast<std::size_t>(n));
  return name;
}

std::string object_name(hid_t obj) {
  ErrorSilencer quiet;
  const ssize_t n = H5Iget_name(obj, nullptr, 0);
  if (n <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  std::string name(static_cast<std::size_t>(n) + 1, '\0');
  H5Iget_name(obj, name.data(), name.size());
  name.resize(static_cast<std::size_t>(n));
  return name;
}

Handle create_file(const std::string& path, bool virtual_datasets, hid_t access) {
  ErrorSilencer quiet;
  Handle fcpl = plist(H5P_FILE_CREATE, "a file creation property list");
  Handle fapl = access == H5P_DEFAULT ? plist(H5P_FILE_ACCESS, "a file access property list")
                                      : Handle(H5Pcopy(access), H5Pclose);
  if (!fapl) throw_error("cannot copy the file access properties for " + path);
  if (H5Pset_link_creation_order(fcpl.get(), kCreationOrder) < 0 ||
      H5Pset_attr_creation_order(fcpl.get(), kCreationOrder) < 0 ||
      H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18,
                           virtual_datasets ? H5F_LIBVER_LATEST : H5F_LIBVER_V18) < 0)
    throw_error("cannot set file properties for " + path);
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_EXCL, fcpl.get(), fapl.get());
  if (id < 0) throw_error("cannot create file " + path);
  return Handle(id, H5Fclose);
}

Handle open_file(const std::string& path, bool writable, hid_t access) {
  ErrorSilencer quiet;
  const hid_t id = H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, access);
  if (id < 0) throw_error("cannot open file " + path);
  return Handle(id, H5Fclose);
}

bool lacks_hdf5_signature(const std::string& path) {
  ErrorSilencer quiet;
  return H5Fis_hdf5(path.c_str()) == 0;
}

Handle create_dataset(hid_t loc, const std::string& name, hid_t type,
                      const std::vector<hsize_t>& dims, const DatasetOptions& options,
                      const void* fill) {
  ErrorSilencer quiet;
  const std::string what = "cannot create dataset '" + name + "'";
  Handle space = dataspace(dims);
  Handle dcpl = plist(H5P_DATASET_CREATE, "a dataset creation property list");
  Handle dapl = plist(H5P_DATASET_ACCESS, "a dataset access property list");
  // netCDF-4 lists attributes in creation order; tracking it keeps the file appendable.
  check(H5Pset_attr_creation_order(dcpl.get(), kCreationOrder), loc, what);
  if (!options.chunk.empty()) {
    if (options.chunk.size() != dims.size())
      throw OutputError("HDF5 error: " + what + ": chunk rank differs from dataset rank in " +
                        file_name(loc));
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(options.chunk.size()), options.chunk.data()),
          loc, what);
    if (options.shuffle) check(H5Pset_shuffle(dcpl.get()), loc, what);
    if (options.deflate > 0)
      check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(options.deflate)), loc, what);
    if (options.cache_bytes > 0)
      check(H5Pset_chunk_cache(dapl.get(), kCacheSlots, options.cache_bytes, 1.0), loc, what);
  }
  if (fill) check(H5Pset_fill_value(dcpl.get(), type, fill), loc, what);
  const hid_t id =
      H5Dcreate2(loc, name.c_str(), type, space.get(), H5P_DEFAULT, dcpl.get(), dapl.get());
  if (id < 0) fail(loc, what);
  return Handle(id, H5Dclose);
}

void flush(hid_t obj) {
  ErrorSilencer quiet;
  check(H5Fflush(obj, H5F_SCOPE_GLOBAL), obj, "cannot flush the file");
}

void hold_metadata_until_flush(hid_t file) {
  ErrorSilencer quiet;
  H5AC_cache_config_t config{};
  config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  check(H5Fget_mdc_config(file, &config), file, "cannot read the metadata cache settings");
  // Evictions can only be switched off with every automatic resizing off.
  config.evictions_enabled = false;
  config.incr_mode = H5C_incr__off;
  config.flash_incr_mode = H5C_flash_incr__off;
  config.decr_mode = H5C_decr__off;
  config.rpt_fcn_enabled = false;
  check(H5Fset_mdc_config(file, &config), file, "cannot set the metadata cache");
}

Handle open_dataset(hid_t loc, const std::string& name, std::size_t cache_bytes) {
  ErrorSilencer quiet;
  const std::string what = "cannot open dataset '" + name + "'";
  Handle dapl = plist(H5P_DATASET_ACCESS, "a dataset access property list");
  if (cache_bytes > 0) check(H5Pset_chunk_cache(dapl.get(), kCacheSlots, cache_bytes, 1.0), loc, what);
  const hid_t id = H5Dopen2(loc, name.c_str(), dapl.get());
  if (id < 0) fail(loc, what);
  return Handle(id, H5Dclose);
}

bool has_type(hid_t dataset, hid_t type) {
  ErrorSilencer quiet;
  Handle stored(checked(H5Dget_type(dataset), dataset, "cannot get the type"), H5Tclose);
  const htri_t r = H5Tequal(stored.get(), type);
  if (r < 0) fail(dataset, "cannot compare types");
  return r > 0;
}

int filter_count(hid_t dataset) {
  Handle dcpl(checked(H5Dget_create_plist(dataset), dataset, "cannot get the creation properties"),
              H5Pclose);
  const int n = H5Pget_nfilters(dcpl.get());
  if (n < 0) fail(dataset, "cannot count the filters");
  return n;
}

namespace {
// Source names of a virtual dataset are printf-like patterns ("%b", "%%"): escape '%'.
std::string literal_pattern(const std::string& name) {
  std::string out;
  for (char ch : name) {
    out += ch;
    if (ch == '%') out += '%';
  }
  return out;
}
}  // namespace

Handle create_virtual_dataset(hid_t loc, const std::string& name, hid_t type,
                              const std::vector<hsize_t>& dims, const void* fill,
                              const std::vector<VirtualSource>& sources) {
  ErrorSilencer quiet;
  const std::string what = "cannot create virtual dataset '" + name + "'";
  if (dims.empty()) throw OutputError("HDF5 error: " + what + ": a virtual dataset needs an axis");
  Handle space = dataspace(dims);
  Handle dcpl = plist(H5P_DATASET_CREATE, "a dataset creation property list");
  check(H5Pset_attr_creation_order(dcpl.get(), kCreationOrder), loc, what);
  if (fill) check(H5Pset_fill_value(dcpl.get(), type, fill), loc, what);
  for (const auto& src : sources) {
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    start[0] = src.first;
    count[0] = src.count;
    Handle vspace = dataspace(dims);
    check(H5Sselect_hyperslab(vspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          loc, what);
    Handle sspace = dataspace(count);
    check(H5Pset_virtual(dcpl.get(), vspace.get(), literal_pattern(src.file).c_str(),
                         literal_pattern(src.dataset).c_str(), sspace.get()),
          loc, what + ": cannot map " + src.file);
  }
  const hid_t id =
      H5Dcreate2(loc, name.c_str(), type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT);
  if (id < 0) fail(loc, what);
  return Handle(id, H5Dclose);
}

void write_chunk(hid_t dataset, const std::vector<hsize_t>& offset, const void* data,
                 std::size_t bytes) {
  ErrorSilencer quiet;
  check(H5Dwrite_chunk(dataset, H5P_DEFAULT, 0, offset.data(), bytes, data), dataset,
        "cannot write a chunk");
}

bool exists(hid_t loc, const std::string& name) {
  ErrorSilencer quiet;
  const htri_t r = H5Lexists(loc, name.c_str(), H5P_DEFAULT);
  if (r < 0) fail(loc, "cannot look up '" + name + "'");
  return r > 0;
}

std::vector<hsize_t> shape(hid_t dataset) {
  ErrorSilencer quiet;
  Handle space(checked(H5Dget_space(dataset), dataset, "cannot get the dataspace"), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail(dataset, "cannot get the rank");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
    fail(dataset, "cannot get the shape");
  return dims;
}

bool is_integer(hid_t dataset) {
  ErrorSilencer quiet;
  Handle type(checked(H5Dget_type(dataset), dataset, "cannot get the type"), H5Tclose);
  const H5T_class_t c = H5Tget_class(type.get());
  if (c == H5T_NO_CLASS) fail(dataset, "cannot get the type class");
  return c == H5T_INTEGER;
}

void write_slab(hid_t dataset, hid_t mem_type, const std::vector<hsize_t>& start,
                const std::vector<hsize_t>& count, const void* data) {
  ErrorSilencer quiet;
  Handle file_space = select_block(dataset, start, count);
  Handle mem_space = dataspace(count);
  check(H5Dwrite(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data), dataset,
        "cannot write");
}

void read_slab(hid_t dataset, hid_t mem_type, const std::vector<hsize_t>& start,
               const std::vector<hsize_t>& count, void* data) {
  ErrorSilencer quiet;
  Handle file_space = select_block(dataset, start, count);
  Handle mem_space = dataspace(count);
  check(H5Dread(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data), dataset,
        "cannot read");
}

Handle create_string_dataset(hid_t loc, const std::string& name,
                             const std::vector<std::string>& values) {
  ErrorSilencer quiet;
  Handle type = vlen_string_type();
  Handle ds = create_dataset(loc, name, type.get(), {values.size()}, {}, nullptr);
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (!ptrs.empty())
    check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), ds.get(),
          "cannot write strings");
  return ds;
}

std::vector<std::string> read_strings(hid_t dataset) {
  ErrorSilencer quiet;
  Handle file_type(checked(H5Dget_type(dataset), dataset, "cannot get the type"), H5Tclose);
  if (H5Tget_class(file_type.get()) != H5T_STRING) fail(dataset, "not a string dataset");
  Handle space(checked(H5Dget_space(dataset), dataset, "cannot get the dataspace"), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) fail(dataset, "cannot count the strings");
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(n));
  if (n == 0) return out;
  const htri_t variable = H5Tis_variable_str(file_type.get());
  if (variable < 0) fail(dataset, "cannot inspect the string type");
  if (variable > 0) {
    Handle mem_type = vlen_string_type();
    std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
    check(H5Dread(dataset, mem_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), dataset,
          "cannot read strings");
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem_type.get(), space.get(), H5P_DEFAULT, ptrs.data());
  } else {
    const std::size_t size = H5Tget_size(file_type.get());
    Handle mem_type = same_string_type(file_type.get(), size);
    std::vector<char> buf(size * static_cast<std::size_t>(n));
    check(H5Dread(dataset, mem_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), dataset,
          "cannot read strings");
    for (hssize_t i = 0; i < n; ++i) {
      const char* p = buf.data() + static_cast<std::size_t>(i) * size;
      out.emplace_back(p, std::find(p, p + size, '\0') - p);
    }
  }
  return out;
}

bool has_attribute(hid_t obj, const std::string& name) {
  ErrorSilencer quiet;
  const htri_t r = H5Aexists(obj, name.c_str());
  if (r < 0) fail(obj, "cannot look up attribute '" + name + "'");
  return r > 0;
}

void write_attribute_raw(hid_t obj, const std::string& name, hid_t type,
                         const std::vector<hsize_t>& dims, const void* data) {
  ErrorSilencer quiet;
  const std::string what = "cannot write attribute '" + name + "'";
  if (has_attribute(obj, name)) check(H5Adelete(obj, name.c_str()), obj, what);
  Handle space = dataspace(dims);
  Handle attr(checked(H5Acreate2(obj, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                      obj, what),
              H5Aclose);
  check(H5Awrite(attr.get(), type, data), obj, what);
}

void write_attribute(hid_t obj, const std::string& name, std::string_view value) {
  ErrorSilencer quiet;
  Handle type = vlen_string_type();
  const std::string text(value);
  const char* ptr = text.c_str();
  write_attribute_raw(obj, name, type.get(), {}, &ptr);
}

std::string read_string_attribute(hid_t obj, const std::string& name) {
  ErrorSilencer quiet;
  const std::string what = "cannot read attribute '" + name + "'";
  Handle attr(checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), obj, what), H5Aclose);
  Handle file_type(checked(H5Aget_type(attr.get()), obj, what), H5Tclose);
  if (H5Tget_class(file_type.get()) != H5T_STRING) fail(obj, what + ": not a string");
  const htri_t variable = H5Tis_variable_str(file_type.get());
  if (variable < 0) fail(obj, what);
  if (variable > 0) {
    Handle mem_type = vlen_string_type();
    char* ptr = nullptr;
    check(H5Aread(attr.get(), mem_type.get(), &ptr), obj, what);
    std::string out = ptr ? ptr : "";
    Handle space(checked(H5Aget_space(attr.get()), obj, what), H5Sclose);
    H5Dvlen_reclaim(mem_type.get(), space.get(), H5P_DEFAULT, &ptr);
    return out;
  }
  const std::size_t size = H5Tget_size(file_type.get());
  Handle mem_type = same_string_type(file_type.get(), size);
  std::vector<char> buf(size);
  check(H5Aread(attr.get(), mem_type.get(), buf.data()), obj, what);
  return std::string(buf.data(), std::find(buf.begin(), buf.end(), '\0') - buf.begin());
}

void write_string_list_attribute(hid_t obj, const std::string& name,
                                 const std::vector<std::string>& values) {
  ErrorSilencer quiet;
  if (values.empty())
    throw OutputError("HDF5 error: attribute '" + name + "' would be an empty string list");
  Handle type = vlen_string_type();
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  write_attribute_raw(obj, name, type.get(), {values.size()}, ptrs.data());
}

std::vector<std::string> read_string_list_attribute(hid_t obj, const std::string& name) {
  ErrorSilencer quiet;
  const std::string what = "cannot read attribute '" + name + "'";
  Handle attr(checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), obj, what), H5Aclose);
  Handle file_type(checked(H5Aget_type(attr.get()), obj, what), H5Tclose);
  if (H5Tget_class(file_type.get()) != H5T_STRING) fail(obj, what + ": not a string");
  Handle space(checked(H5Aget_space(attr.get()), obj, what), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) fail(obj, what);
  std::vector<std::string> out;
  if (n == 0) return out;
  const htri_t variable = H5Tis_variable_str(file_type.get());
  if (variable < 0) fail(obj, what);
  if (variable > 0) {
    Handle mem_type = vlen_string_type();
    std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
    check(H5Aread(attr.get(), mem_type.get(), ptrs.data()), obj, what);
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem_type.get(), space.get(), H5P_DEFAULT, ptrs.data());
  } else {
    const std::size_t size = H5Tget_size(file_type.get());
    Handle mem_type = same_string_type(file_type.get(), size);
    std::vector<char> buf(size * static_cast<std::size_t>(n));
    check(H5Aread(attr.get(), mem_type.get(), buf.data()), obj, what);
    for (hssize_t i = 0; i < n; ++i) {
      const char* p = buf.data() + static_cast<std::size_t>(i) * size;
      out.emplace_back(p, std::find(p, p + size, '\0') - p);
    }
  }
  return out;
}

std::vector<char> read_attribute_raw(hid_t obj, const std::string& name, hid_t mem_type,
                                     std::size_t elem_size) {
  ErrorSilencer quiet;
  const std::string what = "cannot read attribute '" + name + "'";
  Handle attr(checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), obj, what), H5Aclose);
  Handle space(checked(H5Aget_space(attr.get()), obj, what), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) fail(obj, what);
  std::vector<char> buf(static_cast<std::size_t>(n) * elem_size);
  if (n > 0) check(H5Aread(attr.get(), mem_type, buf.data()), obj, what);
  return buf;
}

std::vector<std::string> attribute_names(hid_t obj) {
  ErrorSilencer quiet;
  std::vector<std::string> names;
  auto visit = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  // Creation order where the object tracks it, else name order.
  if (H5Aiterate2(obj, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr, visit, &names) < 0) {
    names.clear();
    H5Eclear2(H5E_DEFAULT);
    if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, visit, &names) < 0)
      fail(obj, "cannot list attributes");
  }
  return names;
}

void make_scale(hid_t dataset, const std::string& dim_name) {
  ErrorSilencer quiet;
  check(H5DSset_scale(dataset, dim_name.c_str()), dataset,
        "cannot make dimension scale '" + dim_name + "'");
}

void attach_scale(hid_t dataset, hid_t scale, unsigned axis) {
  ErrorSilencer quiet;
  check(H5DSattach_scale(dataset, scale, axis), dataset,
        "cannot attach dimension scale " + object_name(scale) + " to axis " + std::to_string(axis));
}

bool is_attached(hid_t dataset, hid_t scale, unsigned axis) {
  ErrorSilencer quiet;
  const htri_t r = H5DSis_attached(dataset, scale, axis);
  if (r < 0) fail(dataset, "cannot check dimension scale " + object_name(scale));
  return r > 0;
}

}  // namespace sovcap::h5
