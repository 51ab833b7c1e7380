#pragma once
// The results file: HDF5 laid out as netCDF-4 (dimension scales, CF attributes), so that
// xarray, h5py, ncdump, R and MATLAB open it as labelled arrays. Written as OUT.h5.partial
// beside the destination and renamed on commit, so a failure never leaves a partial file
// under the requested name, and an interrupted sweep can be resumed.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sovcap/params.hpp"
#include "sovcap/results.hpp"

struct libdeflate_compressor;  // <libdeflate.h>, kept out of this header

namespace sovcap {

// Version of the file layout described in docs/output-format.md. 1.1 stores
// bottleneck_share packed as step counts; 1.0 stored it as doubles. The readers (summarize,
// compare, export, check, sensitivity) read both; a partial file of another version is
// not resumed, nor merged with this one's.
inline constexpr const char* kFormatVersion = "1.1";
inline constexpr const char* kPreviousFormatVersion = "1.0";

// What a sweep's file holds beyond a single run.
enum class StoreMode {
  full,     // every [run, country, time] series
  summary   // per-run, per-country summaries plus the series listed in OutputLayout::keep
};

// The sweep design, stored along `run` (policy, sample, lever choices, sampled values) and
// as attributes, so every run can be traced to its lever values and sampled inputs.
struct SweepLayout {
  std::vector<std::string> lever_keys;                // e.g. "country.KOR.grid_add_mw_per_year"
  std::vector<std::vector<std::string>> lever_values; // per lever, TOML texts of its values
  std::vector<std::vector<double>> lever_numeric;     // per lever: numbers, or empty
  std::vector<std::string> uncertain_keys;            // e.g. "global.vendor_supply_growth"
  std::vector<bool> uncertain_multiply;               // per uncertain key: the sampled value
                                                      // multiplies the parameter (empty: none)
  std::string method;                                 // sampling method name; "" for none
  long long samples = 1;                              // base samples N
  int policies = 1;
  long long samples_per_policy = 1;
};

struct OutputLayout {
  std::vector<std::string> iso3;   // the country dimension
  std::vector<std::string> names;  // country_name
  int steps = 0;                   // time has steps + 1 entries
  double start_year = 0.0;
  double dt = 0.0;
  long long runs = 1;              // the run dimension of this file
  long long first_run = 0;         // global index of this file's first run (shards)
  long long total_runs = 1;        // runs of the whole sweep (== runs unless a shard)
  int max_targets = 0;             // length of the target dimension (parameters)
  int max_shocks = 0;              // length of the shock dimension (parameters)
  // Scheduled parameters: "global.NAME" / "country.NAME" that some run of the file gives as
  // a schedule (sorted), and the most points of any one schedule (schedule_point dimension).
  std::vector<std::string> scheduled;
  int max_schedule_points = 0;
  StoreMode store = StoreMode::full;
  std::vector<CountrySeries> keep; // summary mode: the [run, country, time] series kept
  bool keep_held_back = false;     // summary mode: held_back_mw's trajectory kept too
  SweepLayout sweep;
};

// A run's place in the sweep.
struct RunInfo {
  int policy = 0;
  long long sample = 0;
  int saltelli_matrix = -1;        // 0 A, 1 B, 2 + i AB_i; -1 when not a Saltelli design
  long long base_row = -1;
  std::vector<int> lever_choice;   // per lever: index of the value used
  std::vector<double> sampled;     // per uncertain key: the sampled value (a factor if multiply)
};

// One run handed to the writer: global run index, what it used and what it produced.
struct RunRecord {
  long long run = 0;
  const RunParams* params = nullptr;
  // In summary mode only the `keep` trajectories must be filled; `last` (or the last column
  // of the trajectory) of it_mw, compute_flops, energy_twh, capex_usd and opex_usd gives
  // the per-country values at the horizon. Run series, year_* and bottleneck_share always.
  const RunResult* result = nullptr;
  RunInfo info;
};

struct OutputMetadata {
  std::string command_line;
  std::string scenario_path;
  std::string scenario_text;
  std::string csv_path;
  std::string csv_text;
  std::vector<std::string> overrides;
  std::uint64_t seed = 0;
  // Every other input file read (global CSV, sources CSV): path and full text.
  std::vector<std::pair<std::string, std::string>> files;
};

// Layout of a single-scenario file for these parameters.
OutputLayout layout_for(const RunParams& params, int runs = 1);
// Adds the parameters `params` schedules to layout.scheduled (kept sorted and unique) and
// widens max_schedule_points to its longest schedule.
void add_schedules_to_layout(const RunParams& params, OutputLayout& layout);

// Compressed chunks of a block of consecutive runs, ready to be written in order.
struct PreparedBlock;
struct PreparedBlockDeleter {
  void operator()(PreparedBlock* b) const;
};
using PreparedBlockPtr = std::unique_ptr<PreparedBlock, PreparedBlockDeleter>;

// Working buffers of prepare_block, kept by a caller that prepares block after block (one
// per thread), so that a full-storage block's megabytes are not allocated, faulted in and
// returned to the system for every block.
struct BlockScratch {
  std::vector<unsigned char> dense, chunk, shuffled, work;
  // libdeflate's compressor, made on first use: its tables are the size of a chunk's
  // window and hash, worth keeping from chunk to chunk.
  struct CompressorDeleter {
    void operator()(libdeflate_compressor* c) const;
  };
  std::unique_ptr<libdeflate_compressor, CompressorDeleter> compressor;
  std::vector<std::uint16_t> tokens;  // deflate_runs' working space
};

// Raised for I/O failures (exists without --force, unwritable folder, HDF5 errors).
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An output that cannot be used as asked, refused before anything is written: it exists
// without --force, is a folder, a device or an input of the run, another process is
// writing it, a partial of an interrupted run is in the way, or there is no partial (or
// one of another run) to resume. Bad input (exit 2), not an I/O failure.
class OutputRefused : public OutputError {
 public:
  using OutputError::OutputError;
};

class OutputFile {
 public:
  // Checks that `path` may be written (absent, or overwrite allowed; folder writable),
  // locks it (OUT.h5.lock; OutputRefused naming the process that holds it) and creates the
  // partial file `path + ".partial"` with every dimension, variable and attribute. A partial
  // of an earlier attempt is refused (OutputRefused naming --resume and --force) unless
  // `overwrite`, which replaces it.
  OutputFile(const std::string& path, bool overwrite, const OutputLayout& layout,
             const OutputMetadata& meta);
  // Locks `path` and reopens the partial file of an interrupted run of the same scenario to
  // continue it (--resume), first finishing or dropping a save it was killed in. Throws
  // OutputRefused unless the partial exists and matches (same scenario and data texts,
  // overrides, seed and layout), OutputError when it cannot be read; the partial is kept.
  // `overwrite`: commit() may replace an existing `path` (--force).
  static std::unique_ptr<OutputFile> resume(const std::string& path, const OutputLayout& layout,
                                            const OutputMetadata& meta, bool overwrite = false);
  // Without commit() or close_partial(): closes the file, which stays as of its last save
  // (flush() or the periodic save) when that save holds runs, and is removed otherwise. A
  // resumed partial is never removed.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Writes run `run` (global index): its results and the parameter values it used. Its
  // policy, sample and lever choices follow from the run index (run = policy *
  // samples_per_policy + sample, first lever slowest); sampled values are left unwritten
  // (NaN). For single runs and tests; sweeps write blocks.
  void write_run(int run, const RunParams& params, const RunResult& result);

  // The layout the file was created (or resumed) with, normalised: `keep` sorted and
  // empty in full mode, `uncertain_multiply` and `lever_numeric` one entry per key.
  const OutputLayout& layout() const;

  // Runs per block: blocks start at multiples of this (relative to the file's first run)
  // and match the chunking along `run`, so each block is written as whole chunks.
  long long block_runs() const;
  // Compresses a block of consecutive runs (runs[k].run == first + k, a whole block or the
  // file's last, shorter one). Thread-safe: called from the parallel stage of a sweep.
  PreparedBlockPtr prepare_block(long long first, const std::vector<RunRecord>& runs) const;
  PreparedBlockPtr prepare_block(long long first, const std::vector<RunRecord>& runs,
                                 BlockScratch& scratch) const;
  // Writes a prepared block and marks its runs complete. Serial.
  void write_block(PreparedBlockPtr block);
  // Which of the file's runs are complete (index: run - first_run).
  std::vector<bool> completed() const;
  // Saves everything written so far: durable and readable. The file is also saved every few
  // seconds by write_block. A kill at any instant leaves the partial as of one save.
  void flush();

  // Closes the file and renames the partial to the destination.
  void commit();
  // Closes the partial validly and keeps it, for --resume.
  void close_partial();
  const std::string& temp_path() const;

 private:
  OutputFile();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes `out` (locked as OutputFile locks its output) as a master file whose variables are HDF5 virtual datasets over the shard
// files (written with --runs or --shard), so h5py, xarray and ncdump read the whole sweep
// as one. Refuses shards that are missing, incomplete, overlapping or mismatched (scenario,
// seed, layout) and a set of shards that does not cover every run. Shard paths are stored
// relative to the master's folder.
// `command_line` becomes the master's command_line attribute.
void merge_shards(const std::string& out, const std::vector<std::string>& shards, bool overwrite,
                  const std::string& command_line = "");

// Throws unless `path` could be created: OutputRefused when it is empty, a folder, not a
// regular file (a device, FIFO or socket), one of `inputs` (even with overwrite), or exists
// without overwrite; OutputError when its folder is missing or cannot be written. Called
// before a run starts so that a long computation is not lost to a bad output path.
void check_output_path(const std::string& path, bool overwrite,
                       const std::vector<std::string>& inputs = {});

}  // namespace sovcap
