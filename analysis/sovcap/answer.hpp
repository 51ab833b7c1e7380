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

}  // namespace sovcap
