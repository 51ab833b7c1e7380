#pragma once
// CSV export of a results file (`sovcap export`): tidy long tables that spreadsheets,
// pandas and R read without an HDF5 library, written a block of runs at a time so that a
// sweep of a million runs is never in memory. docs/output-format.md describes the columns.

#include <string>
#include <vector>

namespace sovcap {

// The files an export may write into its folder, in the order written.
inline constexpr const char* kExportFiles[] = {"series.csv", "run_series.csv", "summary.csv",
                                               "parameters.csv"};

struct ExportOptions {
  // Replace an existing, non-empty folder, provided it holds nothing but export files.
  bool overwrite = false;
  // Runs read at a time; 0: chosen so that one block's series take about 64 MiB.
  int block_runs = 0;
};

struct ExportStats {
  long long runs = 0;        // runs exported (complete ones)
  long long incomplete = 0;  // runs skipped: not written (a partial file, or a master
                             // missing a shard)
  std::vector<std::string> files;  // the files written, as named inside the folder
  long long series_rows = 0;       // data rows of series.csv
};

// Why folder `dir` cannot receive an export, or "" when it can: it may be absent or empty;
// a non-empty folder only with `overwrite`, and then only if it holds nothing but the
// files an export writes (so that --force never deletes anything else). A plain file of
// that name is refused.
std::string export_dir_refusal(const std::string& dir, bool overwrite);

// Writes the CSV export of the results file `results_path` into folder `dir`:
//   series.csv      one row per (run, country, time): run, policy, sample, iso3, time, then
//                   every stored [run, country, time] series (bottleneck by its name),
//                   then held_back_mw_<constraint> where the file stores held_back_mw;
//                   written only when the file stores at least one such series
//   run_series.csv  one row per (run, time): run, policy, sample, time, then every stored
//                   [run, time] series; only when the file stores them (full mode)
//   summary.csv     one row per (run, country): year_gw_reached, year_target_reached,
//                   bottleneck_share_<constraint>, held_back_share_<constraint> and
//                   shortfall_mw_mean (when stored), and the *_final values when stored
//   parameters.csv  one row per (run, country): every simulation.*, global.* and country.*
//                   parameter (lists and choices as TOML text), then lever.* (the value:
//                   a string lever's string, else its TOML text) and sampled.* values
// Only complete runs (run_complete == 1) are exported. Numbers are written in their
// shortest form that reads back to the same double; NaN (and integer fill values) as an
// empty cell. The folder is written as `dir`.partial and renamed to `dir` when complete;
// on failure the partial folder is removed and `dir` is left as it was. Throws OutputError
// for a folder that export_dir_refusal refuses and for every I/O or HDF5 failure.
ExportStats export_csv(const std::string& results_path, const std::string& dir,
                       const ExportOptions& options = {});

}  // namespace sovcap
