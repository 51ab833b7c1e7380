#pragma once
// What an analysis of a results file hands back to a front end: the answer's text (what
// `sovcap` prints on standard output) and the warnings that qualify it, such as runs left
// out of a partial file (what it prints on standard error, after "sovcap: warning: ").

#include <string>
#include <vector>

namespace sovcap {

struct Answer {
  std::string text;
  std::vector<std::string> warnings;  // one sentence each, in the order found
};

// The warning for a file that does not hold every run complete: "N of M runs in PATH are
// not complete (...); " then what the analysis did about it (`consequence`).
inline std::string incomplete_runs_warning(long long incomplete, long long runs, const std::string& path,
                                           const std::string& consequence) {
  return std::to_string(incomplete) + " of " + std::to_string(runs) + " runs in " + path +
         " are not complete (a partial file, or a master missing a shard); " + consequence;
}

}  // namespace sovcap
