#pragma once
// The sovcap model: every country advanced together, one step at a time, coupled through
// the global chip market. The step has one implementation, the lane kernel BatchModel
// (batch_model.hpp): a sweep runs it eight runs at a time, and Model is its one-lane
// form for a single run, with the same bits for every run either way.

#include <vector>

#include "sovcap/batch_model.hpp"
#include "sovcap/observer.hpp"
#include "sovcap/params.hpp"

namespace sovcap {

// Runs the model, one run at a time. Holds its working arrays so that a caller reuses one
// Model for many runs without allocating per step.
class Model {
 public:
  // Simulates params from start_year to end_year, reporting states 0..steps() to obs.
  // params must have passed scenario validation.
  void run(const RunParams& params, Observer& obs) {
    const RunParams* p = &params;
    Observer* o = &obs;
    kernel_.run(&p, &o, 1);
  }

 private:
  BatchModel<1> kernel_;
};

// Shares `supply` among `demand` (all >= 0) by the rule; out[i] <= demand[i] and
// sum(out) <= supply. Exposed for tests and for the model.
// `order` is scratch space that the max-min-fair rule keeps from one call to the next, as
// the start of its sort (demands change their ranking little from step to step): with
// demand.size() entries it must be a permutation of 0..size-1, which is what every call
// leaves there, so callers must not write to it; with any other size (empty, say) the sort
// starts afresh. The shares are the same bits either way.
void allocate(Allocation rule, const std::vector<double>& demand, double supply,
              std::vector<double>& out, std::vector<int>& order);

}  // namespace sovcap
