#pragma once
// A request that cannot be met as asked: a bad option value (--runs outside the sweep), an
// output that exists without --force, or a question a results file cannot answer (an
// unknown country, a metric it does not store). Bad input, like a bad scenario (exit 2),
// but reported as its message alone: it names no file line. The messages name the
// program's options, since the program is what asks.

#include <stdexcept>

namespace sovcap {

class RequestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sovcap
