#include "sovcap/prim.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include <boost/math/distributions/binomial.hpp>
#include <thread>

#include "sovcap/sensitivity.hpp"

namespace sovcap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// EMA's get_quantile at q of n values in increasing order, at(k) the k-th (see prim.hpp).
template <class At>
double sorted_quantile(std::size_t n, double q, At at) {
  const double pos = static_cast<double>(n - 1) * q;
  auto lo = static_cast<std::size_t>(std::floor(pos)), hi = static_cast<std::size_t>(std::ceil(pos));
  if (q > 0.5)
    while (at(lo) == at(hi) && lo > 0) --lo;
  else
    while (at(lo) == at(hi) && hi + 1 < n) ++hi;
  return (at(lo) + at(hi)) / 2.0;
}

// EMA's default objective: gain in density per point removed (or added).
double lenient1(long long n_old, long long c_old, long long n_new, long long c_new) {
  const double mean_old = static_cast<double>(c_old) / static_cast<double>(n_old);
  const double mean_new = n_new > 0 ? static_cast<double>(c_new) / static_cast<double>(n_new) : 0.0;
  if (mean_old == mean_new) return 0.0;
  return (mean_new - mean_old) / static_cast<double>(std::llabs(n_old - n_new));
}

// A candidate peel or paste of one input.
struct Candidate {
  int input = -1;
  int side = 0;        // real: 0 lower limit, 1 upper; categorical: the category
  double limit = 0.0;  // real: the new limit
  long long points = 0, cases = 0;
  double score = 0.0;
  int unrestricted = 0;  // inputs the new box leaves unrestricted
};

bool better(const Candidate& a, const Candidate& b) {
  if (b.input < 0) return true;
  if (a.score != b.score) return a.score > b.score;
  return a.unrestricted > b.unrestricted;
}

class Peeler {
 public:
  // `order[j]`: for each real input j, `rows` sorted by its value (empty for categorical ones).
  Peeler(const std::vector<PrimInput>& x, const std::vector<std::uint8_t>& y, const std::vector<long long>& rows,
         std::vector<std::vector<long long>> order, const PrimBox& init, long long total_points,
         long long total_cases, const PrimOptions& options, bool rows_inside_init = false)
      : x_(x), y_(y), rows_(rows), init_(init), options_(options), total_points_(total_points),
        total_cases_(total_cases), box_(init), order_(std::move(order)), alive_(y.size(), 0) {
    for (long long r : rows)
      if (rows_inside_init || in_box(x_, box_, r)) {
        in_.push_back(r);
        alive_[static_cast<std::size_t>(r)] = 1;
      }
    for (auto& o : order_) o.erase(std::remove_if(o.begin(), o.end(), [&](long long r) { return !alive(r); }), o.end());
    record(false);
  }

  PrimTrajectory run() {
    while (peel()) record(false);
    while (paste()) record(true);
    return {init_, std::move(steps_)};
  }

 private:
  long long cases_in(const std::vector<long long>& pts) const {
    long long c = 0;
    for (long long r : pts) c += y_[static_cast<std::size_t>(r)];
    return c;
  }

  void record(bool pasted) {
    PrimStep s;
    s.box = box_;
    s.points = static_cast<long long>(in_.size());
    s.cases = cases_in(in_);
    s.coverage = total_cases_ > 0 ? static_cast<double>(s.cases) / static_cast<double>(total_cases_) : kNaN;
    s.density = s.points > 0 ? static_cast<double>(s.cases) / static_cast<double>(s.points) : kNaN;
    s.mass = static_cast<double>(s.points) / static_cast<double>(total_points_);
    s.pasted = pasted;
    s.restricted = restricted_inputs(x_, box_, init_);
    steps_.push_back(std::move(s));
  }

  int unrestricted_after(int input, bool restricts) const {
    const auto now = restricted_inputs(x_, box_, init_);
    const bool was = std::find(now.begin(), now.end(), input) != now.end();
    const int count = static_cast<int>(now.size()) - (was ? 1 : 0) + (restricts ? 1 : 0);
    return static_cast<int>(x_.size()) - count;
  }

  bool alive(long long r) const { return alive_[static_cast<std::size_t>(r)] != 0; }

  // EMA's get_quantile at q of input j over the box's points, from their sorted order.
  double quantile_in_box(std::size_t j, double q) const {
    const auto& o = order_[j];
    const auto& v = x_[j].values;
    return sorted_quantile(o.size(), q, [&](std::size_t k) { return v[static_cast<std::size_t>(o[k])]; });
  }

  // Whether the best peel was taken.
  bool peel() {
    const auto n = static_cast<long long>(in_.size());
    const long long c = cases_in(in_);
    Candidate best;
    auto consider = [&](Candidate k) {
      if (k.points == n || k.points == 0) return;
      k.score = lenient1(n, c, k.points, k.cases);
      if (better(k, best)) best = k;
    };
    for (int j = 0; j < static_cast<int>(x_.size()); ++j) {
      const auto ju = static_cast<std::size_t>(j);
      const auto& col = x_[ju].values;
      if (x_[ju].categories == 0) {
        // The points a peel removes are a prefix (lower) or a suffix (upper) of the order.
        const auto& o = order_[ju];
        Candidate lower{j, 0, quantile_in_box(ju, options_.peel_alpha), n, c};
        Candidate upper{j, 1, quantile_in_box(ju, 1.0 - options_.peel_alpha), n, c};
        for (std::size_t k = 0; k < o.size() && col[static_cast<std::size_t>(o[k])] < lower.limit; ++k)
          lower.points--, lower.cases -= y_[static_cast<std::size_t>(o[k])];
        for (std::size_t k = o.size(); k > 0 && col[static_cast<std::size_t>(o[k - 1])] > upper.limit; --k)
          upper.points--, upper.cases -= y_[static_cast<std::size_t>(o[k - 1])];
        lower.unrestricted = upper.unrestricted = unrestricted_after(j, true);
        consider(lower);
        consider(upper);
        continue;
      }
      const auto& kept = box_.kept[ju];
      if (std::count(kept.begin(), kept.end(), std::uint8_t{1}) < 2) continue;
      std::vector<long long> pts(kept.size(), 0), cas(kept.size(), 0);
      for (long long r : in_) {
        const auto code = static_cast<std::size_t>(col[static_cast<std::size_t>(r)]);
        pts[code]++;
        cas[code] += y_[static_cast<std::size_t>(r)];
      }
      for (std::size_t k = 0; k < kept.size(); ++k) {
        if (!kept[k]) continue;
        Candidate drop{j, static_cast<int>(k), 0.0, n - pts[k], c - cas[k]};
        drop.unrestricted = unrestricted_after(j, true);
        consider(drop);
      }
    }
    if (best.input < 0 || !(best.score > 0.0)) return false;
    if (static_cast<double>(best.points) / static_cast<double>(total_points_) < options_.mass_min) return false;
    const auto j = static_cast<std::size_t>(best.input);
    if (x_[j].categories == 0)
      (best.side == 0 ? box_.lo[j] : box_.hi[j]) = best.limit;
    else
      box_.kept[j][static_cast<std::size_t>(best.side)] = 0;
    for (long long r : in_)
      if (!inside(j, x_[j].values[static_cast<std::size_t>(r)])) alive_[static_cast<std::size_t>(r)] = 0;
    auto dead = [&](long long r) { return !alive(r); };
    in_.erase(std::remove_if(in_.begin(), in_.end(), dead), in_.end());
    for (auto& o : order_) o.erase(std::remove_if(o.begin(), o.end(), dead), o.end());
    return true;
  }

  bool inside(std::size_t j, double v) const {
    if (x_[j].categories == 0) return v >= box_.lo[j] && v <= box_.hi[j];
    return box_.kept[j][static_cast<std::size_t>(v)] != 0;
  }

  // Whether the best paste was taken.
  bool paste() {
    const auto restricted = restricted_inputs(x_, box_, init_);
    if (restricted.empty()) return false;
    const auto n = static_cast<long long>(in_.size());
    const long long c = cases_in(in_);
    // Points outside the box on exactly one restricted input: the slabs pasting may add.
    std::vector<std::vector<long long>> slab(x_.size());
    for (long long r : rows_) {
      int outside = -1, count = 0;
      for (int j : restricted)
        if (!inside(static_cast<std::size_t>(j), x_[static_cast<std::size_t>(j)].values[static_cast<std::size_t>(r)])) {
          outside = j;
          if (++count > 1) break;
        }
      if (count == 1) slab[static_cast<std::size_t>(outside)].push_back(r);
    }
    Candidate best;
    auto consider = [&](Candidate k) {
      if (k.points == 0) return;
      k.points += n;
      k.cases += c;
      k.score = lenient1(n, c, k.points, k.cases);
      if (better(k, best)) best = k;
    };
    for (int j : restricted) {
      const auto ju = static_cast<std::size_t>(j);
      const auto& col = x_[ju].values;
      const auto& pts = slab[ju];
      if (x_[ju].categories == 0) {
        for (int side = 0; side < 2; ++side) {
          std::vector<double> v;
          for (long long r : pts) {
            const double xv = col[static_cast<std::size_t>(r)];
            if (side == 0 ? xv < box_.lo[ju] : xv > box_.hi[ju]) v.push_back(xv);
          }
          if (v.empty()) continue;
          std::sort(v.begin(), v.end());
          const double q = side == 0 ? 1.0 - options_.paste_alpha : options_.paste_alpha;
          Candidate k{j, side, sorted_quantile(v.size(), q, [&](std::size_t i) { return v[i]; })};
          for (long long r : pts) {
            const double xv = col[static_cast<std::size_t>(r)];
            if (side == 0 ? xv < box_.lo[ju] && xv >= k.limit : xv > box_.hi[ju] && xv <= k.limit)
              k.points++, k.cases += y_[static_cast<std::size_t>(r)];
          }
          const bool still = side == 0 ? k.limit > init_.lo[ju] || box_.hi[ju] < init_.hi[ju]
                                       : k.limit < init_.hi[ju] || box_.lo[ju] > init_.lo[ju];
          k.unrestricted = unrestricted_after(j, still);
          consider(k);
        }
        continue;
      }
      const auto& kept = box_.kept[ju];
      for (std::size_t cat = 0; cat < kept.size(); ++cat) {
        if (kept[cat]) continue;
        Candidate k{j, static_cast<int>(cat)};
        for (long long r : pts)
          if (static_cast<std::size_t>(col[static_cast<std::size_t>(r)]) == cat)
            k.points++, k.cases += y_[static_cast<std::size_t>(r)];
        const auto now = std::count(kept.begin(), kept.end(), std::uint8_t{1}) + 1;
        k.unrestricted = unrestricted_after(j, now < static_cast<long>(kept.size()));
        consider(k);
      }
    }
    if (best.input < 0 || !(best.score > 0.0)) return false;
    const auto j = static_cast<std::size_t>(best.input);
    if (x_[j].categories == 0)
      (best.side == 0 ? box_.lo[j] : box_.hi[j]) = best.limit;
    else
      box_.kept[j][static_cast<std::size_t>(best.side)] = 1;
    for (long long r : slab[j])
      if (inside(j, x_[j].values[static_cast<std::size_t>(r)])) in_.push_back(r);
    return true;
  }

  const std::vector<PrimInput>& x_;
  const std::vector<std::uint8_t>& y_;
  const std::vector<long long>& rows_;
  const PrimBox& init_;
  PrimOptions options_;
  long long total_points_, total_cases_;
  PrimBox box_;
  std::vector<std::vector<long long>> order_;  // peeling: per real input, the box's points sorted
  std::vector<std::uint8_t> alive_;           // per point of the data: 1 while in the box (peeling)
  std::vector<long long> in_;  // points in box_, a subsequence of rows_ (pastes appended)
  std::vector<PrimStep> steps_;
};

void check(const std::vector<PrimInput>& x, const std::vector<std::uint8_t>& y, const std::vector<long long>& rows,
           const PrimOptions& o) {
  if (!(o.peel_alpha > 0.0 && o.peel_alpha < 0.5) || !(o.paste_alpha > 0.0 && o.paste_alpha < 0.5) ||
      !(o.mass_min > 0.0 && o.mass_min <= 1.0))
    throw std::invalid_argument("PRIM: peel_alpha and paste_alpha must be in (0, 0.5), mass_min in (0, 1]");
  for (const auto& in : x) {
    if (in.values.size() != y.size())
      throw std::invalid_argument("PRIM: input " + in.name + " has " + std::to_string(in.values.size()) +
                                  " values for " + std::to_string(y.size()) + " outcomes");
    for (long long r : rows) {
      if (r < 0 || r >= static_cast<long long>(y.size())) throw std::invalid_argument("PRIM: a point out of range");
      const double v = in.values[static_cast<std::size_t>(r)];
      if (!std::isfinite(v) || (in.categories > 0 && (v < 0 || v >= in.categories || v != std::floor(v))))
        throw std::invalid_argument("PRIM: input " + in.name + " has a value that is not finite or not a code");
    }
  }
}

// Per real input, `rows` sorted by its value; empty for a categorical input.
std::vector<std::vector<long long>> sorted_rows(const std::vector<PrimInput>& x, const std::vector<long long>& rows) {
  std::vector<std::vector<long long>> order(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) {
    if (x[j].categories > 0) continue;
    order[j] = rows;
    const auto& v = x[j].values;
    std::sort(order[j].begin(), order[j].end(), [&](long long a, long long b) {
      return v[static_cast<std::size_t>(a)] < v[static_cast<std::size_t>(b)];
    });
  }
  return order;
}

}  // namespace

PrimBox data_box(const std::vector<PrimInput>& x, const std::vector<long long>& rows) {
  PrimBox b;
  for (const auto& in : x) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (long long r : rows) {
      if (r < 0 || static_cast<std::size_t>(r) >= in.values.size())
        throw std::invalid_argument("PRIM: row " + std::to_string(r) + " outside input " + in.name);
      lo = std::min(lo, in.values[static_cast<std::size_t>(r)]);
      hi = std::max(hi, in.values[static_cast<std::size_t>(r)]);
    }
    b.lo.push_back(in.categories == 0 ? lo : kNaN);
    b.hi.push_back(in.categories == 0 ? hi : kNaN);
    b.kept.emplace_back(static_cast<std::size_t>(in.categories), std::uint8_t{1});
  }
  return b;
}

bool in_box(const std::vector<PrimInput>& x, const PrimBox& box, long long point) {
  for (std::size_t j = 0; j < x.size(); ++j) {
    const double v = x[j].values[static_cast<std::size_t>(point)];
    if (x[j].categories == 0 ? v < box.lo[j] || v > box.hi[j] : !box.kept[j][static_cast<std::size_t>(v)])
      return false;
  }
  return true;
}

std::vector<int> restricted_inputs(const std::vector<PrimInput>& x, const PrimBox& box, const PrimBox& init) {
  std::vector<int> out;
  for (std::size_t j = 0; j < x.size(); ++j) {
    const bool r = x[j].categories == 0 ? box.lo[j] > init.lo[j] || box.hi[j] < init.hi[j]
                                        : box.kept[j] != init.kept[j];
    if (r) out.push_back(static_cast<int>(j));
  }
  return out;
}

PrimTrajectory prim(const std::vector<PrimInput>& x, const std::vector<std::uint8_t>& y,
                    const std::vector<long long>& rows, const PrimBox& init, long long total_points,
                    long long total_cases, const PrimOptions& options) {
  check(x, y, rows, options);
  if (rows.empty() || total_points <= 0) throw std::invalid_argument("PRIM: no points");
  return Peeler(x, y, rows, sorted_rows(x, rows), init, total_points, total_cases, options).run();
}

PrimTrajectory prim(const std::vector<PrimInput>& x, const std::vector<std::uint8_t>& y,
                    const PrimOptions& options) {
  std::vector<long long> rows(y.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<long long>(i);
  long long cases = 0;
  for (auto v : y) cases += v;
  check(x, y, rows, options);  // before data_box reads the values at every row
  return prim(x, y, rows, data_box(x, rows), static_cast<long long>(rows.size()), cases, options);
}

int suggested_step(const PrimTrajectory& t, double min_coverage) {
  const double floor = min_coverage * t.steps.at(0).coverage;
  int best = 0;
  for (int i = 1; i < static_cast<int>(t.steps.size()); ++i) {
    const auto& s = t.steps[static_cast<std::size_t>(i)];
    const auto& b = t.steps[static_cast<std::size_t>(best)];
    if (!(s.coverage >= floor)) continue;
    if (s.density > b.density || (s.density == b.density && s.coverage > b.coverage)) best = i;
  }
  return best;
}

double binomial_upper_tail(long long k, long long n, double p) {
  if (k <= 0) return 1.0;
  if (k > n) return 0.0;
  if (p <= 0.0) return 0.0;
  if (p >= 1.0) return 1.0;
  const boost::math::binomial_distribution<double> b(static_cast<double>(n), p);
  return boost::math::cdf(boost::math::complement(b, static_cast<double>(k - 1)));
}

std::vector<double> quasi_p_values(const std::vector<PrimInput>& x, const std::vector<std::uint8_t>& y,
                                   const std::vector<long long>& rows, const PrimTrajectory& t, int step) {
  const PrimStep& s = t.steps.at(static_cast<std::size_t>(step));
  std::vector<double> out(x.size(), kNaN);
  for (int j : s.restricted) {
    PrimBox wider = s.box;
    const auto ju = static_cast<std::size_t>(j);
    wider.lo[ju] = t.init.lo[ju];
    wider.hi[ju] = t.init.hi[ju];
    wider.kept[ju] = t.init.kept[ju];
    long long tj = 0, hj = 0;
    for (long long r : rows)
      if (in_box(x, wider, r)) ++tj, hj += y[static_cast<std::size_t>(r)];
    if (tj > 0)
      out[ju] = binomial_upper_tail(s.cases, s.points, static_cast<double>(hj) / static_cast<double>(tj));
  }
  return out;
}

PrimRecurrence recurrence(const std::vector<PrimInput>& x, const std::vector<std::uint8_t>& y,
                          const std::vector<long long>& rows, const PrimOptions& options,
                          const PrimStep& step, int resamples, std::uint64_t seed) {
  PrimRecurrence out;
  out.resamples = resamples;
  out.seed = seed;
  out.at_coverage.assign(x.size(), 0.0);
  out.at_density.assign(x.size(), 0.0);
  if (resamples <= 0 || rows.empty()) return out;
  // Per resample, the restricted inputs of the two matching steps; summed in order after.
  std::vector<std::vector<int>> by_coverage(static_cast<std::size_t>(resamples)),
      by_density(static_cast<std::size_t>(resamples));
  check(x, y, rows, options);
  const auto sorted = sorted_rows(x, rows);
  auto resample = [&](int r) {
    std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                      static_cast<std::uint32_t>(r)};
    std::mt19937_64 engine(seq);
    std::vector<long long> sample(rows.size());
    std::vector<int> times(y.size(), 0);  // how often each point was drawn
    long long cases = 0;
    for (auto& s : sample) {
      s = rows[static_cast<std::size_t>(draw_below(engine, rows.size()))];
      cases += y[static_cast<std::size_t>(s)];
      ++times[static_cast<std::size_t>(s)];
    }
    // The resample's sorted orders from those of `rows`, without sorting again.
    std::vector<std::vector<long long>> order(x.size());
    for (std::size_t j = 0; j < x.size(); ++j) {
      if (x[j].categories > 0) continue;
      order[j].reserve(sample.size());
      for (long long p : sorted[j])
        for (int k = times[static_cast<std::size_t>(p)]; k > 0; --k) order[j].push_back(p);
    }
    // The resample's box: its smallest and largest values, read off the orders.
    PrimBox init = data_box(x, {});
    for (std::size_t j = 0; j < x.size(); ++j)
      if (x[j].categories == 0) {
        init.lo[j] = x[j].values[static_cast<std::size_t>(order[j].front())];
        init.hi[j] = x[j].values[static_cast<std::size_t>(order[j].back())];
      }
    const auto t = Peeler(x, y, sample, std::move(order), init, static_cast<long long>(sample.size()), cases,
                          options, true)
                       .run();
    std::size_t ci = 0, di = 0;
    for (std::size_t i = 1; i < t.steps.size(); ++i) {
      if (std::fabs(t.steps[i].coverage - step.coverage) < std::fabs(t.steps[ci].coverage - step.coverage)) ci = i;
      if (std::fabs(t.steps[i].density - step.density) < std::fabs(t.steps[di].density - step.density)) di = i;
    }
    by_coverage[static_cast<std::size_t>(r)] = t.steps[ci].restricted;
    by_density[static_cast<std::size_t>(r)] = t.steps[di].restricted;
  };
  // Plain threads, resample r always on its own seed and slot, so the result does not
  // depend on how many run. (tbb::parallel_for's join is invisible to ThreadSanitizer in
  // Debian's uninstrumented libtbb; std::thread's join is not.)
  const int workers = std::max(1, std::min(resamples, static_cast<int>(std::thread::hardware_concurrency())));
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w)
    pool.emplace_back([&, w] {
      for (int r = w; r < resamples; r += workers) resample(r);
    });
  for (int r = 0; r < resamples; r += workers) resample(r);
  for (auto& t : pool) t.join();
  for (int r = 0; r < resamples; ++r) {
    for (int j : by_coverage[static_cast<std::size_t>(r)]) out.at_coverage[static_cast<std::size_t>(j)] += 1.0;
    for (int j : by_density[static_cast<std::size_t>(r)]) out.at_density[static_cast<std::size_t>(j)] += 1.0;
  }
  for (auto& v : out.at_coverage) v /= resamples;
  for (auto& v : out.at_density) v /= resamples;
  return out;
}

}  // namespace sovcap
