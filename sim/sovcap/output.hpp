#pragma once
// The results file: HDF5 laid out as netCDF-4 (dimension scales, CF attributes), so that
// xarray, h5py, ncdump, R and MATLAB open it as labelled arrays. Written to a temporary
// name beside the destination and renamed on commit, so a failure never leaves a partial
// file under the requested name.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sovcap/params.hpp"
#include "sovcap/results.hpp"

namespace sovcap {

// Version of the file layout described in docs/output-format.md.
inline constexpr const char* kFormatVersion = "1.0";

struct OutputLayout {
  std::vector<std::string> iso3;   // the country dimension
  std::vector<std::string> names;  // country_name
  int steps = 0;                   // time has steps + 1 entries
  double start_year = 0.0;
  double dt = 0.0;
  int runs = 1;                    // the run dimension
  int max_targets = 0;             // length of the target dimension (parameters)
  int max_shocks = 0;              // length of the shock dimension (parameters)
};

struct OutputMetadata {
  std::string command_line;
  std::string scenario_path;
  std::string scenario_text;
  std::string csv_path;
  std::string csv_text;
  std::vector<std::string> overrides;
  std::uint64_t seed = 0;
};

// Layout of a single-scenario file for these parameters.
OutputLayout layout_for(const RunParams& params, int runs = 1);

// Raised for I/O failures (exists without --force, unwritable folder, HDF5 errors).
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OutputFile {
 public:
  // Checks that `path` may be written (absent, or overwrite allowed; folder writable) and
  // creates the temporary file with every dimension, variable and attribute.
  OutputFile(const std::string& path, bool overwrite, const OutputLayout& layout,
             const OutputMetadata& meta);
  ~OutputFile();  // without commit(): closes and removes the temporary file
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Writes run `run`: its results and the parameter values it used.
  void write_run(int run, const RunParams& params, const RunResult& result);
  // Closes the file and renames it to the destination.
  void commit();

  const std::string& temp_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Throws OutputError unless `path` could be created: it must not exist unless overwrite,
// and its folder must exist and be writable. Called before a run starts so that a long
// computation is not lost to a bad output path.
void check_output_path(const std::string& path, bool overwrite);

}  // namespace sovcap
