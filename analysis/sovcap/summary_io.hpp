#pragma once
// Summaries of a results file, read a block of runs at a time (see summary.hpp), and the
// answers of `sovcap summarize` and of the table `sovcap run` prints. A file of many
// policies is summarised per policy unless the request pools them.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sovcap/answer.hpp"
#include "sovcap/reader.hpp"
#include "sovcap/summary.hpp"

namespace sovcap {

// One summary of a file: all its runs pooled, or one policy's.
struct FileSummary {
  int policy = -1;  // -1: every run, pooled
  // The policy's levers: key and value, a TOML text with a string's quotes removed
  // ("pro_rata", "800", "[[2030, 1000]]").
  std::vector<std::pair<std::string, std::string>> levers;
  Summary summary;
};

// "policy 1: global.allocation = pro_rata, country.KOR.grid_lead_years = 1.75".
std::string policy_label(const FileSummary& fs);

// Summarises the complete runs of a file (all together, or per policy with `by_policy`),
// from whatever it stores (see ResultsReader::stored_series; Summary::unavailable names
// what it cannot give). `incomplete` receives the number of runs skipped because the file
// does not hold them (a partial file, or a master missing a shard); a file with none
// complete is a RequestError.
std::vector<FileSummary> summarize(const ResultsReader& in, const SummaryOptions& options,
                                   bool by_policy, long long& incomplete);

// What a summary shows and how (`sovcap summarize` and `sovcap compare`).
struct SummaryRequest {
  SummaryFormat format = SummaryFormat::text;
  std::optional<std::vector<double>> years;          // unset: the defaults for the horizon
  std::optional<std::vector<double>> period_bounds;  // unset: likewise
  double reach_mw = 1000.0;                          // --reach
  bool pool = false;  // one summary over every policy's runs (default: one per policy)
};

// The years, periods and reach level of `request`, the defaults for the file's horizon
// and store where unset (a file without the it_mw trajectory: the horizon; without the
// bottleneck trajectory: one period). Throws RequestError naming the run's years for a
// year outside them.
SummaryOptions summary_options(const ResultsReader& in, const SummaryRequest& request);

// Whether `in` is summarised per policy: it holds more than one and `pool` is not set.
bool per_policy(const ResultsReader& in, bool pool);

// The first line of a text answer: "PATH: 40 of 148 runs complete, 4 policies, 3
// countries, 2026 to 2032, summary store (kept: it_mw bottleneck)".
std::string file_header(const ResultsReader& in, long long incomplete, bool pooled);

// One answer over the parts of summarize(), each rendered as `bodies[k]` in `format`.
// Per policy (`apart`): text and Markdown give each a heading with its label (and runs);
// CSV puts `policy` and a `lever.KEY` column per lever before every row; JSON is an array
// of {"policy": P, "levers": {KEY: VALUE}, JSON_KEY: BODY}, lever values as JSON numbers
// or strings. Pooled: the one body as it is.
std::string join_policies(const std::vector<FileSummary>& parts, const std::vector<std::string>& bodies,
                          SummaryFormat format, bool apart, const std::string& json_key);

// The notes on what a file cannot give (Summary::unavailable), said once: text and
// Markdown get them appended to `text`; CSV and JSON as warnings of `answer`.
void add_unavailable(Answer& answer, const std::string& path, const std::vector<std::string>& unavailable,
                     SummaryFormat format);

// `sovcap summarize PATH`: a line naming the file (text format), then the summary of all
// complete runs, per policy unless pooled (see join_policies). Throws RequestError when
// there is no file at `path`.
Answer summarize_file(const std::string& path, const SummaryRequest& request);

// The short table `sovcap run` prints of the file it has just written, per policy of a
// sweep: capacity at the start and end, when 1 GW and the final target are reached, and
// the dominant bottleneck per period (medians, and the chance of 1 GW, over the runs).
std::string run_table(const std::string& path);

}  // namespace sovcap
