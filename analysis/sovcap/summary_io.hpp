#pragma once
// Summaries of a results file, read a block of runs at a time (see summary.hpp), and the
// answers of `sovcap summarize` and of the table `sovcap run` prints.

#include <optional>
#include <string>
#include <vector>

#include "sovcap/answer.hpp"
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

// What a summary shows and how (`sovcap summarize` and `sovcap compare`).
struct SummaryRequest {
  SummaryFormat format = SummaryFormat::text;
  std::optional<std::vector<double>> years;          // unset: the defaults for the horizon
  std::optional<std::vector<double>> period_bounds;  // unset: likewise
};

// The years and periods of `request`, the defaults for the file's horizon where unset; a
// summary-store file asked for neither gets its horizon and one period.
SummaryOptions summary_options(const ResultsReader& in, const SummaryRequest& request);

// `sovcap summarize PATH`: a line naming the file (text format), then the summary of all
// complete runs, or one per policy with `by_policy` (a section each in text and Markdown, a
// leading policy column in CSV, an array of {"policy", "summary"} in JSON). Throws
// RequestError when there is no file at `path`.
Answer summarize_file(const std::string& path, const SummaryRequest& request, bool by_policy);

// The short table `sovcap run` prints of the file it has just written: capacity at the
// start and end, when 1 GW and the final target are reached, and the dominant bottleneck
// per period (medians, and the chance of 1 GW, over the runs of a sweep).
std::string run_table(const std::string& path);

}  // namespace sovcap
