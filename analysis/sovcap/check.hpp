#pragma once
// Checking a results file a user was sent (`sovcap check`): that it is a sovcap file of a
// known format version, that every run is complete (and, for a merged master, that every
// shard can be read), and that the model's invariants hold on what is stored. Runs are read
// a block at a time, so a large sweep is never read whole.

#include <cstddef>
#include <string>
#include <vector>

namespace sovcap {

// One failed check. `run` is the global run index (-1: the file as a whole), `country` an
// ISO3 code ("" for the run as a whole), `time` a decimal year (NaN: no particular time).
struct CheckProblem {
  long long run = -1;
  std::string country;
  double time = 0.0;
  std::string what;
};

struct CheckOptions {
  std::size_t max_problems = 25;  // problems kept in the report; the rest are only counted
};

struct CheckReport {
  std::string path, file_type, format_version, store;
  long long runs = 0;           // runs in the file
  long long complete = 0;       // of which run_complete == 1
  std::vector<std::string> shards;          // merged master: every shard listed
  std::vector<std::string> missing_shards;  // those that cannot be opened as sovcap files
  std::vector<std::string> checks_run;      // one line per check made
  std::vector<std::string> checks_skipped;  // "CHECK: why" for checks that could not run
  std::vector<CheckProblem> problems;       // the first max_problems problems
  long long problem_count = 0;              // all problems found
  bool ok() const { return problem_count == 0; }
};

// Checks the file at `path`. Throws OutputError when it is not a sovcap results file;
// every other finding is a problem in the report: a sovcap file too damaged to open or
// read, and a partial left with an unfinished save (PATH.journal) among them.
CheckReport check_results(const std::string& path, const CheckOptions& options = {});

// The report as text (one problem a line) or as a JSON object.
std::string format_check_report(const CheckReport& report, bool json);

}  // namespace sovcap
