#pragma once
// A second, independent PRIM for test_prim.cpp: written from the description in
// analysis/sovcap/prim.hpp (EMA Workbench's peeling and pasting) without sharing any code
// with analysis/sovcap/prim.cpp. Slow on purpose: every step rescans every point against
// the whole box, quantiles come from a fully sorted copy walked exactly as EMA's
// get_quantile walks it, and no running counts are kept.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace sovcap::reference {

struct Column {
  std::vector<double> v;
  int categories = 0;  // 0: real-valued
};

struct Box {
  std::vector<double> lo, hi;             // real columns
  std::vector<std::vector<bool>> keep;    // categorical columns
};

struct Step {
  Box box;
  long long points = 0, cases = 0;
  bool pasted = false;
};

// EMA's get_quantile, line for line: sort, take floor and ceil of (n - 1) q, walk away from
// ties, return the midpoint.
inline double quantile(std::vector<double> data, double q) {
  std::sort(data.begin(), data.end());
  const double i = static_cast<double>(data.size() - 1) * q;
  auto lower = static_cast<std::size_t>(std::floor(i));
  auto higher = static_cast<std::size_t>(std::ceil(i));
  if (q > 0.5) {
    while (data[lower] == data[higher] && lower > 0) --lower;
  } else {
    while (data[lower] == data[higher] && higher < data.size() - 1) ++higher;
  }
  return (data[lower] + data[higher]) / 2.0;
}

inline bool inside(const std::vector<Column>& x, const Box& b, std::size_t i) {
  for (std::size_t j = 0; j < x.size(); ++j) {
    if (x[j].categories == 0) {
      if (x[j].v[i] < b.lo[j] || x[j].v[i] > b.hi[j]) return false;
    } else if (!b.keep[j][static_cast<std::size_t>(x[j].v[i])]) {
      return false;
    }
  }
  return true;
}

inline int restricted_count(const std::vector<Column>& x, const Box& b, const Box& init) {
  int n = 0;
  for (std::size_t j = 0; j < x.size(); ++j)
    n += x[j].categories == 0 ? (b.lo[j] > init.lo[j] || b.hi[j] < init.hi[j]) : (b.keep[j] != init.keep[j]);
  return n;
}

// Count the points and cases of a box by scanning every point.
inline void count(const std::vector<Column>& x, const std::vector<std::uint8_t>& y, const Box& b,
                  long long& points, long long& cases) {
  points = cases = 0;
  for (std::size_t i = 0; i < y.size(); ++i)
    if (inside(x, b, i)) {
      ++points;
      cases += y[i];
    }
}

inline double objective(long long n_old, long long c_old, long long n_new, long long c_new) {
  const double m_old = double(c_old) / double(n_old);
  const double m_new = n_new > 0 ? double(c_new) / double(n_new) : 0.0;
  if (m_old == m_new) return 0.0;
  return (m_new - m_old) / double(n_old > n_new ? n_old - n_new : n_new - n_old);
}

inline std::vector<Step> prim(const std::vector<Column>& x, const std::vector<std::uint8_t>& y, double peel_alpha,
                              double paste_alpha, double mass_min) {
  const auto n = static_cast<long long>(y.size());
  Box init;
  for (const auto& c : x) {
    init.lo.push_back(*std::min_element(c.v.begin(), c.v.end()));
    init.hi.push_back(*std::max_element(c.v.begin(), c.v.end()));
    init.keep.emplace_back(static_cast<std::size_t>(c.categories), true);
  }
  std::vector<Step> steps;
  Step s{init};
  count(x, y, init, s.points, s.cases);
  steps.push_back(s);

  // Choosing among candidate boxes: the highest objective, then the most columns left
  // unrestricted, then the first proposed.
  struct Proposal {
    Box box;
    long long points, cases;
    double score;
    int free;
  };
  auto best_of = [&](const std::vector<Proposal>& all) {
    const Proposal* best = nullptr;
    for (const auto& p : all)
      if (!best || p.score > best->score || (p.score == best->score && p.free > best->free)) best = &p;
    return best;
  };
  auto propose = [&](std::vector<Proposal>& all, const Box& b, const Step& now) {
    Proposal p{b, 0, 0, 0.0, 0};
    count(x, y, b, p.points, p.cases);
    if (p.points == now.points || p.points == 0) return;  // changes nothing, or empties the box
    p.score = objective(now.points, now.cases, p.points, p.cases);
    p.free = static_cast<int>(x.size()) - restricted_count(x, b, init);
    all.push_back(p);
  };

  // Peeling.
  for (;;) {
    const Step& now = steps.back();
    std::vector<Proposal> all;
    for (std::size_t j = 0; j < x.size(); ++j) {
      if (x[j].categories == 0) {
        std::vector<double> in;
        for (std::size_t i = 0; i < y.size(); ++i)
          if (inside(x, now.box, i)) in.push_back(x[j].v[i]);
        Box lower = now.box, upper = now.box;
        lower.lo[j] = quantile(in, peel_alpha);
        upper.hi[j] = quantile(in, 1.0 - peel_alpha);
        propose(all, lower, now);
        propose(all, upper, now);
      } else if (std::count(now.box.keep[j].begin(), now.box.keep[j].end(), true) > 1) {
        for (std::size_t k = 0; k < now.box.keep[j].size(); ++k) {
          if (!now.box.keep[j][k]) continue;
          Box drop = now.box;
          drop.keep[j][k] = false;
          propose(all, drop, now);
        }
      }
    }
    const Proposal* best = best_of(all);
    if (!best || !(best->score > 0.0) || double(best->points) / double(n) < mass_min) break;
    steps.push_back(Step{best->box, best->points, best->cases, false});
  }

  // Pasting.
  for (;;) {
    const Step& now = steps.back();
    std::vector<Proposal> all;
    for (std::size_t j = 0; j < x.size(); ++j) {
      Box without = now.box;  // the box with column j unrestricted
      if (x[j].categories == 0) {
        if (!(now.box.lo[j] > init.lo[j] || now.box.hi[j] < init.hi[j])) continue;
        without.lo[j] = init.lo[j];
        without.hi[j] = init.hi[j];
        std::vector<double> below, above;
        for (std::size_t i = 0; i < y.size(); ++i) {
          if (!inside(x, without, i)) continue;
          if (x[j].v[i] < now.box.lo[j]) below.push_back(x[j].v[i]);
          if (x[j].v[i] > now.box.hi[j]) above.push_back(x[j].v[i]);
        }
        if (!below.empty()) {
          Box b = now.box;
          b.lo[j] = quantile(below, 1.0 - paste_alpha);
          propose(all, b, now);
        }
        if (!above.empty()) {
          Box b = now.box;
          b.hi[j] = quantile(above, paste_alpha);
          propose(all, b, now);
        }
      } else if (now.box.keep[j] != init.keep[j]) {
        for (std::size_t k = 0; k < now.box.keep[j].size(); ++k) {
          if (now.box.keep[j][k]) continue;
          Box b = now.box;
          b.keep[j][k] = true;
          propose(all, b, now);
        }
      }
    }
    const Proposal* best = best_of(all);
    if (!best || !(best->score > 0.0)) break;
    steps.push_back(Step{best->box, best->points, best->cases, true});
  }
  return steps;
}

}  // namespace sovcap::reference
