#pragma once
// Listings of the parameter registry (`sovcap params`) and of a resolved scenario
// (`sovcap validate`), so that every front end shows the same text.

#include <string>

#include <vector>

#include "sovcap/output.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/scenario.hpp"

namespace sovcap {

// Every parameter with its unit, default, allowed values and meaning: grouped by scope as
// text, or one Markdown table (docs/scenarios.md's parameter reference).
std::string parameter_listing(bool markdown);

// "scenario PATH: OK, ...", for a sweep what it runs (describe_sweep), then every resolved
// value per section and country, each with where it came from (the scenario's `origin`).
// `cores`: what the time estimates assume.
std::string describe_scenario(const Scenario& scenario, int cores = 1);

// A sweep's policies with their lever values, its uncertain keys with their distributions,
// the number of runs, and per store mode the file's size and the time to run it.
std::string describe_sweep(const Scenario& scenario, int cores);

// Rough size and running time of a results file of `runs` runs of the scenario. Size: the
// bytes the file's schema stores per run in that store mode (the series kept, per-run
// summaries and parameters) times the share zlib leaves of each kind, measured on the
// shipped sweeps, plus the embedded input files and HDF5's metadata; within 2x of the
// real file on the shipped scenarios (test_describe). Time: country-steps over the rates
// of README's Performance table (the development machine), so rough.
struct FileEstimate {
  double bytes = 0.0;
  double seconds = 0.0;
};
FileEstimate estimate_results_file(const Scenario& scenario, StoreMode store,
                                   const std::vector<CountrySeries>& keep, long long runs,
                                   int cores, bool keep_held_back = false);

// Above 1 GB, a warning that `path` will be that large, and what --store summary would
// write instead; "" below.
std::string large_file_warning(const Scenario& scenario, StoreMode store,
                               const std::vector<CountrySeries>& keep, long long runs,
                               const std::string& path, bool keep_held_back = false);

}  // namespace sovcap
