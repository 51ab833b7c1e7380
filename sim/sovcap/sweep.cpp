#include "sovcap/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <boost/math/distributions/complement.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <boost/random/sobol.hpp>

namespace sovcap {

static_assert(kMaxSobolDimensions == BOOST_RANDOM_SOBOL_MAX_DIMENSION,
              "kMaxSobolDimensions must match Boost's Sobol tables");

std::string_view distribution_name(Distribution d) {
  switch (d) {
    case Distribution::uniform:
      return "uniform";
    case Distribution::normal:
      return "normal";
    case Distribution::lognormal:
      return "lognormal";
    case Distribution::triangular:
      return "triangular";
    case Distribution::choice:
      return "choice";
  }
  return "?";
}

std::vector<std::string_view> distribution_keys(Distribution d) {
  switch (d) {
    case Distribution::uniform:
      return {"low", "high"};
    case Distribution::normal:
      return {"mean", "sd"};
    case Distribution::lognormal:
      return {"median", "sigma"};
    case Distribution::triangular:
      return {"low", "mode", "high"};
    case Distribution::choice:
      break;
  }
  return {"values", "weights"};
}

std::string_view method_name(SamplingMethod m) {
  switch (m) {
    case SamplingMethod::monte_carlo:
      return "monte_carlo";
    case SamplingMethod::lhs:
      return "lhs";
    case SamplingMethod::sobol:
      return "sobol";
    case SamplingMethod::saltelli:
      return "saltelli";
  }
  return "?";
}

namespace {

// ---- distributions ----

// An interval of sampled values, before `multiply` is applied.
struct Range {
  double lo, hi;
  bool lo_open, hi_open;
};

// The allowed range of the sampled value: the parameter's range, divided by the base it
// multiplies. A zero base makes every factor give 0, which the range already allows.
Range sample_range(const Uncertain& x, double base) {
  if (!x.multiply) return {x.lo, x.hi, x.lo_open, x.hi_open};
  if (base > 0.0) return {x.lo / base, x.hi / base, x.lo_open, x.hi_open};
  if (base < 0.0) return {x.hi / base, x.lo / base, x.hi_open, x.lo_open};
  return {-kInf, kInf, false, false};
}

// A continuous distribution truncated to [L, H] = range ∩ support. Probabilities are taken
// from the nearer tail (the survival function above the median) so that ranges far out in a
// tail keep their precision: 1 - 1e-20 would round to 1 and leave no mass.
template <class Dist>
class Truncated {
 public:
  Truncated(const Dist& d, double support_lo, double support_hi, const Range& r) : d_(d), r_(r) {
    lo_ = std::max(r.lo, support_lo);
    hi_ = std::min(r.hi, support_hi);
    support_lo_ = support_lo;
    support_hi_ = support_hi;
    if (!(lo_ <= hi_)) return;
    upper_tail_ = lo_ > support_lo && cdf(lo_) > 0.5;
    if (upper_tail_) {
      p_lo_ = sf(lo_);
      p_hi_ = sf(hi_);
      mass_ = p_lo_ - p_hi_;
    } else {
      p_lo_ = cdf(lo_);
      p_hi_ = cdf(hi_);
      mass_ = p_hi_ - p_lo_;
    }
  }

  double mass() const { return std::max(mass_, 0.0); }

  double quantile(double u) const {
    if (!(mass_ > 0.0))
      throw std::domain_error("the distribution has no probability in the allowed range");
    double x;
    if (upper_tail_) {
      const double p = clamp_open(p_lo_ - u * mass_);
      x = boost::math::quantile(boost::math::complement(d_, p));
    } else {
      const double p = clamp_open(p_lo_ + u * mass_);
      x = boost::math::quantile(d_, p);
    }
    x = std::clamp(x, lo_, hi_);
    if (r_.lo_open && x <= r_.lo) x = std::nextafter(r_.lo, kInf);
    if (r_.hi_open && x >= r_.hi) x = std::nextafter(r_.hi, -kInf);
    return x;
  }

 private:
  // P(X <= x) and P(X > x), defined for every x (Boost rejects points outside the support).
  double cdf(double x) const {
    if (x <= support_lo_) return 0.0;
    if (x >= support_hi_) return 1.0;
    return boost::math::cdf(d_, x);
  }
  double sf(double x) const {
    if (x <= support_lo_) return 1.0;
    if (x >= support_hi_) return 0.0;
    return boost::math::cdf(boost::math::complement(d_, x));
  }
  // Boost's quantile is infinite (and throws) at exactly 0 and 1.
  static double clamp_open(double p) {
    return std::clamp(p, std::numeric_limits<double>::min(), std::nextafter(1.0, 0.0));
  }

  Dist d_;
  Range r_;
  double lo_ = 0.0, hi_ = 0.0, support_lo_ = 0.0, support_hi_ = 0.0;
  double p_lo_ = 0.0, p_hi_ = 0.0, mass_ = 0.0;
  bool upper_tail_ = false;
};

// Calls f(truncated distribution) for a continuous distribution.
template <class F>
auto with_truncated(const Uncertain& x, const Range& r, F&& f) {
  namespace bm = boost::math;
  switch (x.dist) {
    case Distribution::uniform:
      return f(Truncated<bm::uniform_distribution<>>({x.a, x.b}, x.a, x.b, r));
    case Distribution::normal:
      return f(Truncated<bm::normal_distribution<>>({x.a, x.b}, -kInf, kInf, r));
    case Distribution::lognormal:
      return f(Truncated<bm::lognormal_distribution<>>({std::log(x.a), x.b}, 0.0, kInf, r));
    case Distribution::triangular:
      return f(Truncated<bm::triangular_distribution<>>({x.a, x.b, x.c}, x.a, x.c, r));
    case Distribution::choice:
      break;
  }
  throw std::logic_error("with_truncated: not a continuous distribution");
}

bool in_range(double v, double lo, bool lo_open, double hi, bool hi_open) {
  return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
}

// ---- counter-based random numbers ----

// The splitmix64 finaliser: a bijective 64-bit mixer with full avalanche.
std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Independent streams of the same seed.
enum Stream : std::uint64_t { kMonteCarlo = 1, kLhsJitter = 2, kLhsShuffle = 3, kSobolShift = 4 };

std::uint64_t hash(std::uint64_t seed, Stream stream, std::uint64_t a, std::uint64_t b) {
  constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15ULL;
  std::uint64_t h = mix64(seed + kGolden * static_cast<std::uint64_t>(stream));
  h = mix64(h ^ mix64(a + kGolden));
  return mix64(h ^ mix64(b + 2 * kGolden));
}

// The top 53 bits as a point strictly inside (0, 1): (k + 0.5) / 2^53.
double to_unit(std::uint64_t h) { return (static_cast<double>(h >> 11) + 0.5) * 0x1p-53; }

}  // namespace

// ---- Uncertain ----

double Uncertain::quantile(double u, double base) const {
  if (dist == Distribution::choice) {
    if (values.empty()) throw std::domain_error("choice without values");
    const std::size_t n = values.size();
    double cum = 0.0;
    for (std::size_t i = 0; i + 1 < n; ++i) {
      cum += weights.empty() ? 1.0 / static_cast<double>(n) : weights[i];
      if (u < cum) return values[i];
    }
    // Zero weights at the end must not be chosen through rounding of the cumulative sum.
    std::size_t last = n - 1;
    while (last > 0 && !weights.empty() && weights[last] == 0.0) --last;
    return values[last];
  }
  const Range r = sample_range(*this, base);
  double x = with_truncated(*this, r, [u](const auto& t) { return t.quantile(u); });
  if (multiply && base != 0.0) {
    // x lies in [lo / base, hi / base], but x * base may round just outside [lo, hi]:
    // step x by ulps toward the inside until the product apply_samples forms is valid.
    for (int k = 0; k < 8 && !in_range(x * base, lo, lo_open, hi, hi_open); ++k) {
      const bool below = lo_open ? !(x * base > lo) : !(x * base >= lo);
      x = std::nextafter(x, below == (base > 0.0) ? kInf : -kInf);
    }
  }
  return x;
}

double Uncertain::mass(double base) const {
  if (dist == Distribution::choice) {
    double m = 0.0;
    const std::size_t n = values.size();
    for (std::size_t i = 0; i < n; ++i) {
      const double v = multiply ? values[i] * base : values[i];
      if (in_range(v, lo, lo_open, hi, hi_open))
        m += weights.empty() ? 1.0 / static_cast<double>(n) : weights[i];
    }
    return m;
  }
  const Range r = sample_range(*this, base);
  return with_truncated(*this, r, [](const auto& t) { return t.mass(); });
}

// ---- SweepSpec ----

int SweepSpec::policies() const {
  int p = 1;
  for (const auto& l : levers) p *= static_cast<int>(l.values.size());
  return p;
}

int SweepSpec::samples_per_policy() const {
  if (method == SamplingMethod::saltelli) return samples * (static_cast<int>(uncertain.size()) + 2);
  return samples;
}

std::vector<int> SweepSpec::lever_choice(int policy) const {
  std::vector<int> choice(levers.size());
  for (std::size_t l = levers.size(); l-- > 0;) {
    const int n = static_cast<int>(levers[l].values.size());
    choice[l] = policy % n;
    policy /= n;
  }
  return choice;
}

// ---- SampleDesign ----

SampleDesign::SampleDesign(SamplingMethod method, int samples, int dims, std::uint64_t seed)
    : method_(method), samples_(samples), dims_(dims), seed_(seed) {
  if (samples < 1) throw std::invalid_argument("SampleDesign: samples must be >= 1");
  if (dims < 0) throw std::invalid_argument("SampleDesign: dims must be >= 0");
  if (method == SamplingMethod::saltelli && dims < 1)
    throw std::invalid_argument("SampleDesign: a Saltelli design needs at least one dimension");
  const std::size_t n = static_cast<std::size_t>(samples);
  const std::size_t d = static_cast<std::size_t>(dims);

  if (method == SamplingMethod::lhs) {
    // Per dimension, a uniformly random permutation of the strata (Fisher-Yates), drawn from
    // the counter-based stream with unbiased bounded integers (rejection of the biased tail).
    lhs_perm_.resize(n * d);
    for (std::size_t k = 0; k < d; ++k) {
      std::uint32_t* perm = lhs_perm_.data() + k * n;
      for (std::size_t i = 0; i < n; ++i) perm[i] = static_cast<std::uint32_t>(i);
      std::uint64_t counter = 0;
      for (std::size_t i = n - 1; i > 0; --i) {
        const std::uint64_t range = i + 1;
        const std::uint64_t reject_below = (0 - range) % range;  // 2^64 mod range
        std::uint64_t r;
        do r = hash(seed, kLhsShuffle, k, counter++);
        while (r < reject_below);
        std::swap(perm[i], perm[r % range]);
      }
    }
  }

  if (method == SamplingMethod::sobol || method == SamplingMethod::saltelli) {
    const std::size_t sd = method == SamplingMethod::saltelli ? 2 * d : d;
    if (sd > static_cast<std::size_t>(kMaxSobolDimensions))
      throw std::invalid_argument("SampleDesign: more Sobol dimensions than the tables cover");
    if (sd > 0) {
      // Boost's engine is sequential with O(log s) seek; for lock-free random access we read
      // its direction numbers once: seed(2^(r+1) - 2) sets the Gray code of the index plus
      // one to 2^r, so the state is exactly direction row r.
      boost::random::sobol engine(sd);
      sobol_dirs_.resize(64 * sd);
      for (unsigned r = 0; r < 64; ++r) {
        const std::uint64_t index = r == 63 ? ~std::uint64_t{0} - 1 : (std::uint64_t{2} << r) - 2;
        engine.seed(index);
        for (std::size_t k = 0; k < sd; ++k) sobol_dirs_[r * sd + k] = engine();
      }
    }
    // A Cranley-Patterson shift per dimension: a multiple of 2^-53 in [0, 1).
    shift_.resize(sd);
    for (std::size_t k = 0; k < sd; ++k)
      shift_[k] = static_cast<double>(hash(seed, kSobolShift, k, 0) >> 11) * 0x1p-53;
  }
}

int SampleDesign::samples_per_policy() const {
  return method_ == SamplingMethod::saltelli ? samples_ * (dims_ + 2) : samples_;
}

int SampleDesign::saltelli_matrix(long long s) const {
  return method_ == SamplingMethod::saltelli ? static_cast<int>(s % (dims_ + 2)) : -1;
}

long long SampleDesign::base_row(long long s) const {
  return method_ == SamplingMethod::saltelli ? s / (dims_ + 2) : s;
}

namespace {

// Coordinate k of Sobol point `index` of the whole sequence, which starts at the all-zero
// point (Boost's engine skips it: its point i is our i + 1), shifted and mapped strictly
// inside (0, 1). Keeping point 0 keeps every first 2^m points a balanced (t, m, s)-net
// (Owen 2020, "On dropping the first Sobol' point"); the random shift moves it off 0. The
// shift is added modulo 1 in 64-bit fixed point, so it is exact.
double sobol_coordinate(const std::uint64_t* dirs, std::size_t sd, std::uint64_t index,
                        std::size_t k, double shift) {
  std::uint64_t gray = index ^ (index >> 1);
  std::uint64_t x = 0;
  for (unsigned r = 0; gray != 0; ++r, gray >>= 1)
    if (gray & 1u) x ^= dirs[r * sd + k];
  x += static_cast<std::uint64_t>(shift * 0x1p53) << 11;
  return to_unit(x);
}

}  // namespace

void SampleDesign::point(long long s, double* u) const {
  const std::uint64_t su = static_cast<std::uint64_t>(s);
  const std::size_t d = static_cast<std::size_t>(dims_);
  switch (method_) {
    case SamplingMethod::monte_carlo:
      for (std::size_t k = 0; k < d; ++k) u[k] = to_unit(hash(seed_, kMonteCarlo, su, k));
      return;
    case SamplingMethod::lhs: {
      const double n = static_cast<double>(samples_);
      const std::size_t ns = static_cast<std::size_t>(samples_);
      for (std::size_t k = 0; k < d; ++k) {
        const double stratum = static_cast<double>(lhs_perm_[k * ns + su]);
        const double x = (stratum + to_unit(hash(seed_, kLhsJitter, su, k))) / n;
        // (N - 1 + 0.99...) / N can round up to 1.
        u[k] = std::min(x, std::nextafter(1.0, 0.0));
      }
      return;
    }
    case SamplingMethod::sobol:
      for (std::size_t k = 0; k < d; ++k)
        u[k] = sobol_coordinate(sobol_dirs_.data(), d, su, k, shift_[k]);
      return;
    case SamplingMethod::saltelli: {
      const std::uint64_t row = su / (d + 2);
      const std::size_t m = static_cast<std::size_t>(su % (d + 2));
      // m = 0: A (columns 0..d-1); 1: B (columns d..2d-1); 2 + i: A with column i from B.
      for (std::size_t k = 0; k < d; ++k) {
        const std::size_t col = (m == 1 || (m >= 2 && k == m - 2)) ? d + k : k;
        u[k] = sobol_coordinate(sobol_dirs_.data(), 2 * d, row, col, shift_[col]);
      }
      return;
    }
  }
}

// ---- applying samples ----

namespace {

const ParamSpec& spec_of_global(int k) { return spec(static_cast<GlobalParam>(k)); }
const ParamSpec& spec_of_country(int k) { return spec(static_cast<CountryParam>(k)); }

// A sampled parameter that the run schedules: with multiply, every point is scaled by the
// factor the scalar was (from_sources: the drawn value over the data's value), limited to
// the parameter's range (the factor's distribution is truncated for the scalar, not for
// each point); a sampled value replaces the schedule.
void sample_schedule(std::vector<ParamSchedule>& list, int country, int param, bool multiply,
                     double factor, const ParamSpec& sp) {
  for (auto it = list.begin(); it != list.end(); ++it) {
    if (it->country != country || it->param != param) continue;
    if (!multiply) {
      list.erase(it);
      return;
    }
    for (auto& pt : it->points) pt.value = std::clamp(pt.value * factor, sp.lo, sp.hi);
    return;
  }
}

}  // namespace

void apply_samples(const SweepSpec& spec, const double* u, RunParams& params, const double* known,
                   const double* known_base) {
  const bool schedules = !params.global.schedules.empty() || !params.countries.schedules.empty();
  for (std::size_t i = 0; i < spec.uncertain.size(); ++i) {
    const Uncertain& x = spec.uncertain[i];
    const ParamTarget& t = x.target;
    double factor = 1.0;  // the last multiply factor applied
    auto set = [&](double& cell) {
      const double base = x.base_of(cell);
      const bool same = known && std::memcmp(&base, &known_base[i], sizeof base) == 0;
      const double q = same ? known[i] : x.quantile(u[i], base);
      // from_sources: a schedule is scaled by the drawn value over the data's value.
      factor = x.from_sources ? q / x.data_value : q;
      cell = x.multiply ? q * base : q;
    };
    // The schedule of the cell just set, where the run has one.
    auto follow = [&](ParamScope scope, int country) {
      if (!schedules || t.index < 0) return;
      const ParamSpec& sp = scope == ParamScope::global ? spec_of_global(t.index) : spec_of_country(t.index);
      sample_schedule(scope == ParamScope::global ? params.global.schedules : params.countries.schedules,
                      country, t.index, x.multiply, factor, sp);
    };
    if (t.index < 0) {
      SupplyShock& shock = params.global.supply_shocks.at(static_cast<std::size_t>(t.shock));
      set(t.shock_field == 0 ? shock.start : t.shock_field == 1 ? shock.end : shock.factor);
    } else if (t.scope == ParamScope::global) {
      double& value = params.global.values.at(static_cast<std::size_t>(t.index));
      set(value);
      follow(ParamScope::global, -1);
      // Countries that take this global value where they have none of their own (and its
      // schedule, where it has one).
      for (int k = 0; k < kNumCountryParams; ++k) {
        const auto p = static_cast<CountryParam>(k);
        if (inherited_global(p) != static_cast<GlobalParam>(t.index)) continue;
        const Schedule* gs = schedules ? params.global.schedule(static_cast<GlobalParam>(t.index)) : nullptr;
        for (int c = 0; c < params.countries.size(); ++c)
          if (params.countries.inherits(c, p)) {
            params.countries.values(c, k) = value;
            if (schedules) params.countries.set_schedule(c, p, gs ? *gs : Schedule{});
          }
      }
    } else if (t.country >= 0) {
      set(params.countries.values(t.country, t.index));
      follow(ParamScope::country, t.country);
    } else if (!x.multiply) {
      // One sampled value for every country: the range is the same for all of them.
      const double q = x.quantile(u[i]);
      params.countries.values.col(t.index).setConstant(q);
      for (int c = 0; schedules && c < params.countries.size(); ++c) follow(ParamScope::country, c);
    } else {
      for (int c = 0; c < params.countries.size(); ++c) {
        set(params.countries.values(c, t.index));
        follow(ParamScope::country, c);
      }
    }
  }

  // Capacity in service and under construction already draws (it_mw + pipeline_mw) * pue
  // from the grid; every loaded scenario satisfies grid_mw >= that. A sampled it_mw,
  // pipeline_mw, pue or grid_mw can break it, and the run would then operate beyond its
  // grid. The start state is facilities that exist, so their draw is taken as connected:
  // grid_mw is raised to it (and stored so, with the run's parameters). Only when one of
  // the four is sampled, so that other sweeps keep the loaded values to the bit.
  bool start_sampled = false;
  for (const auto& x : spec.uncertain) {
    const int k = x.target.index;
    start_sampled |= x.target.scope == ParamScope::country &&
                     (k == static_cast<int>(CountryParam::it_mw) ||
                      k == static_cast<int>(CountryParam::pipeline_mw) ||
                      k == static_cast<int>(CountryParam::pue) ||
                      k == static_cast<int>(CountryParam::grid_mw));
  }
  if (!start_sampled) return;
  auto& c = params.countries;
  for (int i = 0; i < c.size(); ++i) {
    const double draw =
        (c.at(i, CountryParam::it_mw) + c.at(i, CountryParam::pipeline_mw)) * c.at(i, CountryParam::pue);
    if (c.at(i, CountryParam::grid_mw) < draw) c.at(i, CountryParam::grid_mw) = draw;
  }
}

}  // namespace sovcap
