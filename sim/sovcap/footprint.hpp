#pragma once
// What a run will need before it starts: memory for the runs in flight and the size of
// the results file, estimated from the scenario's shape alone, so that a sweep that cannot
// fit is refused at once instead of failing with bad_alloc after minutes (1,352 countries
// x 100,000 steps passed validation and then needed ~30 GB).

#include <cstdint>
#include <string>
#include <vector>

#include "sovcap/output.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/params.hpp"

namespace sovcap {

struct Footprint {
  double memory_bytes = 0.0;  // peak memory of the sweep (runs in flight and their chunks)
  double file_bytes = 0.0;    // the results file, before compression (an upper bound)
  long long runs_in_flight = 0;
};

// `runs`: the runs of this file; `threads`: 0 for every core.
Footprint estimate_footprint(const RunParams& params, long long runs, StoreMode store,
                             const std::vector<CountrySeries>& keep, int threads,
                             bool keep_held_back = false);

// The machine's physical memory in bytes (0 when unknown).
std::uint64_t physical_memory();

// "" when the footprint fits; else why not, to refuse the run with.
std::string footprint_refusal(const Footprint& f, std::uint64_t physical);
// "" unless the footprint is large enough to say so before running.
std::string footprint_warning(const Footprint& f, std::uint64_t physical);

// "6.1 GB", "35.8 GB", "950 kB": bytes in SI units, 2 significant figures below 10, else 3.
std::string format_bytes(double bytes);

}  // namespace sovcap
