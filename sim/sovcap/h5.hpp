#pragma once
// A small RAII layer over the HDF5 C API, for the results writer, the analysis library's
// readers and their tests. Handles close themselves, failures become sovcap::OutputError
// naming the file and the object, and HDF5's own error printing is silenced while a call
// runs. Included only by .cpp files: public headers never include it, so HDF5 types stay
// out of the libraries' interfaces.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <hdf5.h>

#include "sovcap/output.hpp"

namespace sovcap::h5 {

// An owned HDF5 identifier that closes itself with the H5?close matching its kind.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) {
    other.id_ = H5I_INVALID_HID;
  }
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  // The raw identifier, for calls into the C API; still owned by this handle.
  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }
  // Closes now and throws OutputError on failure: closing a file or dataset flushes it,
  // so its errors are write errors that must not be lost.
  void close();
  // Closes now, ignoring failure: for destructors and paths that already failed.
  void reset() noexcept;

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Turns HDF5's automatic error printing off for this thread while alive, restoring the
// previous handler after. Debian's thread-safe libhdf5 keeps that setting per thread, so
// the guard changes nothing for other threads or for code outside its scope (a build
// without thread safety shares it process-wide; the guard still restores it). Every
// function of this layer holds one; callers need not.
class ErrorSilencer {
 public:
  ErrorSilencer() noexcept;
  ~ErrorSilencer();
  ErrorSilencer(const ErrorSilencer&) = delete;
  ErrorSilencer& operator=(const ErrorSilencer&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
  bool saved_ = false;
};

// Throws OutputError "HDF5 error: WHAT (object O) in FILE: DETAIL", naming the object of
// `obj` and its file where `obj` is a valid identifier, and the innermost message of this
// thread's HDF5 error stack.
[[noreturn]] void fail(hid_t obj, const std::string& what);

// The HDF5 native type of a C++ arithmetic type (as in OpenMC's hdf5_interface).
template <typename T>
struct NativeType;
template <>
struct NativeType<double> {
  static hid_t get() { return H5T_NATIVE_DOUBLE; }
};
template <>
struct NativeType<float> {
  static hid_t get() { return H5T_NATIVE_FLOAT; }
};
template <>
struct NativeType<std::int8_t> {
  static hid_t get() { return H5T_NATIVE_INT8; }
};
template <>
struct NativeType<std::int32_t> {
  static hid_t get() { return H5T_NATIVE_INT32; }
};
template <>
struct NativeType<std::int64_t> {
  static hid_t get() { return H5T_NATIVE_INT64; }
};
template <>
struct NativeType<std::uint64_t> {
  static hid_t get() { return H5T_NATIVE_UINT64; }
};
template <typename T>
hid_t native_type() {
  return NativeType<T>::get();
}

// ---- Files ------------------------------------------------------------------------------

// Creates a new file, failing if `path` exists. Link and attribute creation order are
// tracked and indexed (netCDF-4 needs that to append later), and the format is held to
// HDF5 1.8 so that older readers (MATLAB, R) open it. With `virtual_datasets` the upper
// bound is lifted so that virtual datasets (HDF5 1.10 and later) can be created; every
// other object keeps its 1.8 format. `access`: a file access property list whose driver
// is used (H5P_DEFAULT: HDF5's default driver).
Handle create_file(const std::string& path, bool virtual_datasets = false, hid_t access = H5P_DEFAULT);
// Opens an existing file, read-only unless `writable`, through the driver of `access`.
Handle open_file(const std::string& path, bool writable = false, hid_t access = H5P_DEFAULT);
// Whether `path` was read and found to have no HDF5 signature (false when it is HDF5, or
// when it cannot be read at all).
bool lacks_hdf5_signature(const std::string& path);
// Writes every buffer and the metadata cache of the file holding `obj` to the file, so
// that the file on disk is complete and readable as of now.
void flush(hid_t obj);
// Keeps modified metadata in memory until the next flush or close (no evictions), so the
// file on disk only ever changes from one flushed state to the next: a process killed
// between flushes leaves the file as of its last flush. Metadata read or written stays in
// memory until the file is closed (about 200 bytes per chunk written).
void hold_metadata_until_flush(hid_t file);
// Name of the file holding `obj`, or "" when it cannot be told.
std::string file_name(hid_t obj);
// Path of `obj` inside its file, or "" when it cannot be told.
std::string object_name(hid_t obj);

// ---- Datasets ---------------------------------------------------------------------------

struct DatasetOptions {
  std::vector<hsize_t> chunk;   // empty: contiguous storage
  int deflate = 0;              // deflate level 1-9, 0 for none (needs chunking)
  bool shuffle = false;         // byte shuffle before deflate (needs chunking)
  std::size_t cache_bytes = 0;  // chunk cache of this dataset while open; 0: HDF5's default
};

// Creates a dataset of `type` and shape `dims` under `loc`. `fill` (of `type`'s native
// layout, may be null) becomes the fill value of every element never written.
Handle create_dataset(hid_t loc, const std::string& name, hid_t type,
                      const std::vector<hsize_t>& dims, const DatasetOptions& options,
                      const void* fill);
// Typed form: the dataset stores T, unwritten elements read as `fill`.
template <typename T>
Handle create_dataset(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                      const DatasetOptions& options, T fill) {
  return create_dataset(loc, name, native_type<T>(), dims, options, &fill);
}
// Opens an existing dataset; `cache_bytes` > 0 sizes its chunk cache.
Handle open_dataset(hid_t loc, const std::string& name, std::size_t cache_bytes = 0);
// Whether the dataset's stored type equals `type` (e.g. a native type).
bool has_type(hid_t dataset, hid_t type);
// The number of filters (shuffle, deflate, ...) in the dataset's pipeline.
int filter_count(hid_t dataset);

// One source of a virtual dataset: rows [first, first + count) along the first axis are
// the whole dataset `dataset` of file `file` (relative names resolve against the folder of
// the file holding the virtual dataset). Names are taken literally ('%' is escaped).
struct VirtualSource {
  std::string file;
  std::string dataset;
  hsize_t first = 0;
  hsize_t count = 0;
};
// Creates a virtual dataset of `type` and shape `dims` whose rows come from `sources`;
// rows no source maps, and sources that cannot be opened, read as `fill`. The file must
// have been created with virtual_datasets.
Handle create_virtual_dataset(hid_t loc, const std::string& name, hid_t type,
                              const std::vector<hsize_t>& dims, const void* fill,
                              const std::vector<VirtualSource>& sources);

// Writes one already filtered (e.g. shuffled and deflated) chunk whose first element is
// at `offset`, bypassing the chunk cache and the filter pipeline (H5Dwrite_chunk with a
// filter mask of 0: every filter of the dataset was applied).
void write_chunk(hid_t dataset, const std::vector<hsize_t>& offset, const void* data,
                 std::size_t bytes);
// Whether `loc` has a link called `name`.
bool exists(hid_t loc, const std::string& name);
// The current shape of a dataset.
std::vector<hsize_t> shape(hid_t dataset);
// Whether a dataset stores integers (of any size and sign).
bool is_integer(hid_t dataset);

// Writes a dense block `count` at `start` of a dataset from `data` (C order, `mem_type`).
void write_slab(hid_t dataset, hid_t mem_type, const std::vector<hsize_t>& start,
                const std::vector<hsize_t>& count, const void* data);
template <typename T>
void write_slab(hid_t dataset, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
                const T* data) {
  write_slab(dataset, native_type<T>(), start, count, data);
}
// Writes a whole dataset; `data` must hold as many elements as the dataset.
template <typename T>
void write_all(hid_t dataset, const std::vector<T>& data) {
  const auto dims = shape(dataset);
  write_slab(dataset, native_type<T>(), std::vector<hsize_t>(dims.size(), 0), dims, data.data());
}

// Reads a dense block `count` at `start` into `data` (C order, `mem_type`).
void read_slab(hid_t dataset, hid_t mem_type, const std::vector<hsize_t>& start,
               const std::vector<hsize_t>& count, void* data);
// Reads a whole dataset in C order, converted to T.
template <typename T>
std::vector<T> read_all(hid_t dataset) {
  const auto dims = shape(dataset);
  hsize_t n = 1;
  for (auto d : dims) n *= d;
  std::vector<T> out(static_cast<std::size_t>(n));
  if (n > 0)
    read_slab(dataset, native_type<T>(), std::vector<hsize_t>(dims.size(), 0), dims, out.data());
  return out;
}

// ---- Strings ----------------------------------------------------------------------------

// Creates and writes a 1-D dataset of variable-length UTF-8 strings: the netCDF-4 string
// type, which h5py and xarray read back as str (fixed-length strings come back as bytes).
Handle create_string_dataset(hid_t loc, const std::string& name,
                             const std::vector<std::string>& values);
// Reads a 1-D string dataset, variable- or fixed-length.
std::vector<std::string> read_strings(hid_t dataset);

// ---- Attributes -------------------------------------------------------------------------

// Writes (or replaces) a scalar text attribute as a variable-length UTF-8 string (netCDF's
// string type). Fixed-length strings would read back as bytes in h5netcdf when one
// character long (units "1") and cannot hold an empty string.
void write_attribute(hid_t obj, const std::string& name, std::string_view value);
// Whether `obj` carries attribute `name`.
bool has_attribute(hid_t obj, const std::string& name);
// Reads a scalar string attribute, fixed- or variable-length.
std::string read_string_attribute(hid_t obj, const std::string& name);
// Writes (or replaces) a 1-D attribute of variable-length UTF-8 strings (netCDF: a string
// attribute with several values; xarray reads a list of str). `values` must not be empty.
void write_string_list_attribute(hid_t obj, const std::string& name,
                                 const std::vector<std::string>& values);
// Reads a string attribute, scalar or 1-D, fixed- or variable-length, as a list.
std::vector<std::string> read_string_list_attribute(hid_t obj, const std::string& name);
// Reads a numeric attribute (scalar or 1-D) converted to T.
template <typename T>
std::vector<T> read_attribute(hid_t obj, const std::string& name);
// Names of every attribute of `obj`, in creation order where tracked.
std::vector<std::string> attribute_names(hid_t obj);

// Numeric attributes go through these untyped forms.
void write_attribute_raw(hid_t obj, const std::string& name, hid_t type,
                         const std::vector<hsize_t>& dims, const void* data);
std::vector<char> read_attribute_raw(hid_t obj, const std::string& name, hid_t mem_type,
                                     std::size_t elem_size);

// Writes (or replaces) a scalar numeric attribute of T (arithmetic only, so that string
// literals go to the text overload).
template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
void write_attribute(hid_t obj, const std::string& name, T value) {
  write_attribute_raw(obj, name, native_type<T>(), {}, &value);
}
// Writes (or replaces) a 1-D numeric attribute of T (e.g. CF flag_values).
template <typename T>
void write_attribute(hid_t obj, const std::string& name, const std::vector<T>& values) {
  write_attribute_raw(obj, name, native_type<T>(), {values.size()}, values.data());
}
template <typename T>
std::vector<T> read_attribute(hid_t obj, const std::string& name) {
  const auto bytes = read_attribute_raw(obj, name, native_type<T>(), sizeof(T));
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

// ---- Dimension scales -------------------------------------------------------------------

// Makes `dataset` the dimension scale called `dim_name` (netCDF: the coordinate variable).
void make_scale(hid_t dataset, const std::string& dim_name);
// Attaches `scale` to axis `axis` of `dataset`.
void attach_scale(hid_t dataset, hid_t scale, unsigned axis);
// Whether `scale` is attached to axis `axis` of `dataset`.
bool is_attached(hid_t dataset, hid_t scale, unsigned axis);

}  // namespace sovcap::h5
