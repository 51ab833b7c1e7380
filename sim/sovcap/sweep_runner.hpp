#pragma once
// Running a sweep: every run of a scenario's [sweep] (or the single run of a scenario
// without one) simulated in parallel and streamed to a results file in run order. Memory
// is bounded by the blocks in flight, not by the number of runs.

#include <atomic>
#include <functional>
#include <vector>

#include "sovcap/output.hpp"
#include "sovcap/scenario.hpp"
#include "sovcap/sweep.hpp"

namespace sovcap {

// The resolved parameters of every policy: the scenario with each combination of lever
// values applied as --set overrides, so levers are validated like any other input.
// Throws InputError naming the lever when a combination is invalid.
std::vector<RunParams> policy_params(const Scenario& scenario);

// The layout of the file for runs [first, end) of the scenario's sweep.
OutputLayout sweep_layout(const Scenario& scenario, const std::vector<RunParams>& policies,
                          long long first, long long end, StoreMode store,
                          const std::vector<CountrySeries>& keep, bool keep_held_back = false);

// The parameters and sweep coordinates of run `run`: the policy's parameters with the
// run's sampled values applied. A pure function of its inputs: any run can be rebuilt on
// any thread, in any order, with identical results.
void build_run(const Scenario& scenario, const std::vector<RunParams>& policies,
               const SampleDesign& design, long long run, RunParams& params, RunInfo& info);

// The most worker threads this process runs at once (the cores it may use): more in
// SweepOptions::threads would only make TBB print a warning and ignore them.
int available_threads();

struct SweepOptions {
  int threads = 0;                                 // 0: TBB's default (all cores)
  StoreMode store = StoreMode::full;
  std::vector<CountrySeries> keep;                 // summary mode: trajectories kept
  bool keep_held_back = false;                     // summary mode: held_back_mw's too
  const std::atomic<bool>* stop = nullptr;         // when set, finish the blocks in flight
  // Called from the writer stage after each block: runs written, runs of this file.
  std::function<void(long long, long long)> progress;
};

struct SweepStats {
  long long written = 0;     // runs written by this call
  bool interrupted = false;  // stopped before every run of the file was written
};

// Simulates and writes every run of `out` not yet complete (all of them for a new file).
SweepStats run_sweep(const Scenario& scenario, const std::vector<RunParams>& policies,
                     OutputFile& out, const SweepOptions& options);

}  // namespace sovcap
