// The chip market's allocation rules (model.hpp). The step itself is the lane kernel in
// batch_model.cpp.

#include "sovcap/model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sovcap {

void allocate(Allocation rule, const std::vector<double>& demand, double supply,
              std::vector<double>& out, std::vector<int>& order) {
  const std::size_t n = demand.size();
  out.assign(n, 0.0);
  const double total = std::accumulate(demand.begin(), demand.end(), 0.0);
  if (total <= supply) {
    out = demand;
    return;
  }
  if (supply <= 0.0 || total <= 0.0) return;
  if (rule == Allocation::pro_rata) {
    const double share = supply / total;
    for (std::size_t i = 0; i < n; ++i) out[i] = demand[i] * share;
    return;
  }
  // Max-min fair (water-filling): serve demands smallest first; each takes the lesser of
  // its demand and an equal share of what is left among those not yet served.
  // Smaller demand first, ties by index: a strict total order (demands are never NaN), so
  // there is one sorted permutation, whatever the sort starts from. It starts from the
  // previous call's order, a permutation of 0..n-1 when it has n entries (see the header),
  // and an insertion sort then takes near linear time: a model's demands change their
  // ranking little from one step to the next.
  if (order.size() != n) {
    order.resize(n);
    std::iota(order.begin(), order.end(), 0);
  }
  for (std::size_t k = 1; k < n; ++k) {
    const int i = order[k];
    std::size_t j = k;
    for (; j > 0; --j) {
      const int prev = order[j - 1];
      if (!(demand[i] < demand[prev] || (demand[i] == demand[prev] && i < prev))) break;
      order[j] = prev;
    }
    order[j] = i;
  }
  double left = supply;
  std::size_t k = 0;
  // First the demands that the share covers, as a branch that leaves the loop rather than
  // as std::min: what is left then goes from one demand to the next by a subtraction, and
  // the divisions, off that chain, overlap. The same operations as the loop below.
  for (; k < n; ++k) {
    const int i = order[k];
    const double level = left / static_cast<double>(n - k);
    if (level < demand[i]) break;
    out[i] = demand[i];
    left -= out[i];
  }
  for (; k < n; ++k) {
    const int i = order[k];
    const double level = left / static_cast<double>(n - k);
    out[i] = std::min(demand[i], level);
    left -= out[i];
  }
}

}  // namespace sovcap
