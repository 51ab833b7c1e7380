#pragma once
// Summaries of a results file, read a block of runs at a time (see summary.hpp).

#include "sovcap/reader.hpp"
#include "sovcap/summary.hpp"

namespace sovcap {

// One summary of a file: all its runs, or one policy's.
struct FileSummary {
  std::string label;        // "all runs", or the policy's lever values
  Summary summary;
};

// Summarises the complete runs of a file (all together, or per policy with `by_policy`);
// works on full and summary-mode files. `incomplete` receives the number of runs skipped
// because the file does not hold them (a partial file, or a master missing a shard).
// A summary-mode file knows only the horizon: its summary has one year (the last) and one
// period (the whole horizon); asking for other years or periods throws OutputError.
std::vector<FileSummary> summarize(const ResultsReader& in, const SummaryOptions& options,
                                   bool by_policy, long long& incomplete);

}  // namespace sovcap
