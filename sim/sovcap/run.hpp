#pragma once
// Writing runs of a scenario to a results file, as `sovcap run` does: load and check the
// scenario, choose the runs (all, a range, or a shard), open OUT.h5.partial (new, or the
// partial of an interrupted run to resume), run the sweep into it, and commit it, or keep
// the partial when stopped. The program keeps what only a process has: signal handlers
// (they set the stop flag) and the progress display.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sovcap/footprint.hpp"
#include "sovcap/output.hpp"
#include "sovcap/scenario.hpp"

namespace sovcap {

struct RunRequest {
  std::string scenario_path;
  std::vector<std::string> overrides;  // --set KEY=VALUE
  std::string output;                  // "": the scenario's name with .h5, in the current folder
  std::string runs;                    // "A:B": runs A to B-1 only; "" for all
  std::string shard;                   // "K/N": shard K (from 0) of N; "" for all
  int threads = 0;                     // 0: all cores
  StoreMode store = StoreMode::full;
  std::vector<CountrySeries> keep;     // summary store: series kept per run, country, time
  bool keep_held_back = false;         // summary store: held_back_mw kept too (--keep held_back_mw)
  bool resume = false;                 // continue OUT.h5.partial
  bool force = false;                  // replace an existing OUT.h5
  std::string command_line;            // stored in the file
};

// Runs [first, end) of a sweep of `total` runs: "A:B" -> [A, B); "K/N" -> the K-th (from 0)
// of N near-equal shards; neither -> every run. Throws RequestError naming --runs or
// --shard for a malformed or out-of-range choice, or both given.
std::pair<long long, long long> run_range(const std::string& runs, const std::string& shard,
                                          long long total);

// One invocation of `sovcap run`, opened and ready to run.
class RunJob {
 public:
  // Loads the scenario (InputError), chooses the runs and refuses an existing output
  // without `force` or a job that needs more memory than the machine has (RequestError);
  // refuses an output that is a folder, a device or an input of the run, one being written
  // by another process, a partial in the way without --resume or --force, or none (or
  // another run's) with --resume (OutputRefused); checks the output's folder and opens the
  // partial file (OutputError).
  explicit RunJob(const RunRequest& request);
  ~RunJob();  // before run() completes: the partial is closed, as ~OutputFile does
  RunJob(const RunJob&) = delete;
  RunJob& operator=(const RunJob&) = delete;

  const Scenario& scenario() const { return scenario_; }
  const std::string& output() const { return output_; }
  const OutputLayout& layout() const { return layout_; }
  // Memory and file size this job needs (it was refused if they do not fit).
  const Footprint& footprint() const { return footprint_; }
  long long first() const { return first_; }
  long long end() const { return end_; }
  long long total() const { return total_; }
  long long done_at_start() const { return done_at_start_; }  // runs already in a resumed partial

  struct Outcome {
    long long written = 0;     // runs written by this call
    bool interrupted = false;  // stopped early: the partial is kept for --resume
  };
  // Simulates and writes every run not yet complete, then renames the partial to the
  // output, or, when `stop` became true, closes the partial for --resume. `progress`
  // (runs of the file complete, runs of the file) is called from the writer after each
  // block. Call once.
  Outcome run(const std::atomic<bool>* stop, std::function<void(long long, long long)> progress);

 private:
  Scenario scenario_;
  std::string output_;
  int threads_ = 0;
  StoreMode store_ = StoreMode::full;
  std::vector<CountrySeries> keep_;
  bool keep_held_back_ = false;
  std::vector<RunParams> policies_;
  OutputLayout layout_;
  Footprint footprint_;
  long long first_ = 0, end_ = 0, total_ = 0, done_at_start_ = 0;
  std::unique_ptr<OutputFile> file_;
};

}  // namespace sovcap
