// The batched model against the one-run model: for every lane of every batch, the same
// bits in every recorded series and summary, over random scenarios that differ per lane in
// everything a batch allows (lifetimes, lead times, targets, shocks, allocation rule,
// export tiers), in full batches and partial ones.

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sovcap/batch_model.hpp"
#include "support.hpp"

namespace sovcap {
namespace {

using testing::random_params;
using testing::random_params_like;
constexpr int kLanes = BatchModel::kLanes;

// Bitwise, so that -0.0 against +0.0 and NaN payloads count as differences.
::testing::AssertionResult same_bits(const double* a, const double* b, Eigen::Index n) {
  if (n == 0 || std::memcmp(a, b, sizeof(double) * static_cast<std::size_t>(n)) == 0)
    return ::testing::AssertionSuccess();
  for (Eigen::Index i = 0; i < n; ++i)
    if (std::memcmp(a + i, b + i, sizeof(double)) != 0) {
      std::ostringstream os;
      os.precision(17);
      os << "element " << i << ": " << a[i] << " against " << b[i];
      return ::testing::AssertionFailure() << os.str();
    }
  return ::testing::AssertionFailure();
}

template <typename A>
::testing::AssertionResult same(const A& a, const A& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    return ::testing::AssertionFailure()
           << "shape " << a.rows() << "x" << a.cols() << " against " << b.rows() << "x"
           << b.cols();
  return same_bits(a.data(), b.data(), a.size());
}

// Everything a RunRecorder fills, batched against one-run.
void expect_same(const RunResult& batched, const RunResult& single, const std::string& where) {
  for (int k = 0; k < kNumCountrySeries; ++k) {
    const auto name = std::string(info(static_cast<CountrySeries>(k)).name);
    EXPECT_TRUE(same(batched.country[k], single.country[k])) << where << ", series " << name;
    EXPECT_TRUE(same(batched.last[k], single.last[k])) << where << ", horizon " << name;
  }
  for (int k = 0; k < kNumRunSeries; ++k)
    EXPECT_TRUE(same(batched.run[k], single.run[k]))
        << where << ", run series " << info(static_cast<RunSeries>(k)).name;
  EXPECT_TRUE(same(batched.year_target_reached, single.year_target_reached)) << where;
  EXPECT_TRUE(same(batched.year_gw_reached, single.year_gw_reached)) << where;
  const auto& nb = batched.bottleneck_steps;
  const auto& ns = single.bottleneck_steps;
  EXPECT_TRUE(nb.rows() == ns.rows() && nb.cols() == ns.cols() && (nb == ns).all()) << where;
}

// Parameters whose range starts at zero become -0.0, which validation accepts (-0.0 >= 0):
// half of those that random_params drew as zero, and one in `odds` of the others. The
// signed zero then goes through the step's sums, mins and maxes, whose treatment of it
// Model and BatchModel must share (Eigen's a.max(0.0) keeps a -0.0, std::max(0.0, a) does
// not).
void signed_zeros(RunParams& p, std::mt19937_64& rng, unsigned odds) {
  auto maybe = [&](double& v) {
    if (rng() % (v == 0.0 ? 2 : odds) == 0) v = -0.0;
  };
  for (auto k : {GlobalParam::vendor_supply, GlobalParam::other_demand, GlobalParam::tier2_cap,
                 GlobalParam::accel_kw_growth, GlobalParam::accel_price_growth,
                 GlobalParam::vendor_supply_growth, GlobalParam::other_demand_growth})
    maybe(p.global[k]);
  for (int i = 0; i < p.countries.size(); ++i) {
    for (auto k : {CountryParam::it_mw, CountryParam::pipeline_mw, CountryParam::grid_mw,
                   CountryParam::grid_add_mw_per_year, CountryParam::budget_usd_per_year,
                   CountryParam::budget_growth, CountryParam::electricity_usd_per_mwh,
                   CountryParam::workforce, CountryParam::workforce_growth,
                   CountryParam::staff_per_mw_ops, CountryParam::domestic_accel_per_year,
                   CountryParam::domestic_growth, CountryParam::domestic_perf_ratio})
      maybe(p.countries.at(i, k));
    for (auto& t : p.countries.targets[i]) maybe(t.mw);
  }
}

// A batch of n runs sharing the shape of a random scenario, with some variety in the
// simulation settings (a monthly or half-yearly step turns lead times into other step
// counts), now and then as many countries as the shipped scenarios have, and signed zeros
// in a third of the runs (in every run, and many more, with `zeros`).
std::vector<RunParams> random_batch(std::mt19937_64& rng, int n, bool zeros = false) {
  RunParams shape = rng() % 8 == 0 ? random_params(rng, 12 + static_cast<int>(rng() % 12))
                                   : random_params(rng);
  switch (rng() % 6) {
    case 0: shape.sim.dt = 1.0 / 12.0; break;
    case 1:
      shape.sim.dt = 0.5;
      shape.sim.end_year =
          shape.sim.start_year + std::ceil((shape.sim.end_year - shape.sim.start_year) / 0.5) * 0.5;
      break;
    default: break;
  }
  std::vector<RunParams> batch{shape};
  for (int l = 1; l < n; ++l) batch.push_back(random_params_like(rng, shape));
  for (auto& p : batch)
    if (zeros || rng() % 3 == 0) signed_zeros(p, rng, zeros ? 2 : 16);
  return batch;
}

struct Keep {
  std::array<bool, kNumCountrySeries> mask{};
};

// Runs the batch through BatchModel and each run through Model, recording each with the
// keep mask of its lane, and compares.
void check_batch(BatchModel& batched, const std::vector<RunParams>& runs,
                 const std::vector<Keep>& keep, const std::string& where) {
  const int n = static_cast<int>(runs.size());
  std::vector<RunResult> out(n);
  std::vector<RunRecorder> rec;
  rec.reserve(n);
  std::vector<const RunParams*> params;
  std::vector<Observer*> obs;
  for (int l = 0; l < n; ++l) {
    rec.emplace_back(out[l], keep[l].mask);
    params.push_back(&runs[l]);
  }
  for (auto& r : rec) obs.push_back(&r);
  batched.run(params.data(), obs.data(), n);

  Model model;
  for (int l = 0; l < n; ++l) {
    RunResult single;
    RunRecorder r(single, keep[l].mask);
    model.run(runs[l], r);
    expect_same(out[l], single, where + ", lane " + std::to_string(l));
  }
}

std::vector<Keep> keep_all(int n) {
  std::vector<Keep> k(n);
  for (auto& m : k) m.mask.fill(true);
  return k;
}

TEST(BatchModel, MatchesModelBitForBitOnRandomBatches) {
  std::mt19937_64 rng(20260101);
  BatchModel batched;  // one model for every batch, as a sweep worker keeps it
  int partial = 0, mixed_rules = 0, mixed_lifetimes = 0;
  for (int b = 0; b < 400; ++b) {
    const int n = b % 4 == 3 ? 1 + static_cast<int>(rng() % (kLanes - 1)) : kLanes;
    const auto runs = random_batch(rng, n);
    partial += n < kLanes;
    bool rules = false, lifetimes = false;
    for (const auto& p : runs) {
      rules |= p.global.allocation() != runs[0].global.allocation();
      lifetimes |= p.global[GlobalParam::chip_lifetime_years] !=
                   runs[0].global[GlobalParam::chip_lifetime_years];
    }
    mixed_rules += rules;
    mixed_lifetimes += lifetimes;
    check_batch(batched, runs, keep_all(n), "batch " + std::to_string(b));
    if (::testing::Test::HasFailure()) break;
  }
  // The draws cover what the batch must handle.
  EXPECT_GE(partial, 50);
  EXPECT_GE(mixed_rules, 200);
  EXPECT_GE(mixed_lifetimes, 200);
}

// Runs full of -0.0: which zero a sum, min or max gives must match operation by operation.
TEST(BatchModel, MatchesModelWithSignedZeros) {
  std::mt19937_64 rng(13);
  BatchModel batched;
  for (int b = 0; b < 200; ++b) {
    const int n = b % 4 == 3 ? 1 + static_cast<int>(rng() % (kLanes - 1)) : kLanes;
    check_batch(batched, random_batch(rng, n, true), keep_all(n),
                "signed-zero batch " + std::to_string(b));
    if (::testing::Test::HasFailure()) break;
  }
}

// Summary mode: observers that read only it_mw and the bottleneck code between the
// initial state and the horizon, so the derived series are skipped there.
TEST(BatchModel, MatchesModelWithSummaryRecorders) {
  std::mt19937_64 rng(7);
  BatchModel batched;
  for (int b = 0; b < 200; ++b) {
    const int n = b % 3 == 2 ? 1 + static_cast<int>(rng() % kLanes) : kLanes;
    check_batch(batched, random_batch(rng, n), std::vector<Keep>(n),
                "summary batch " + std::to_string(b));
    if (::testing::Test::HasFailure()) break;
  }
}

// Lanes whose observers read different series, so that what is gathered differs per lane.
TEST(BatchModel, MatchesModelWhenLanesReadDifferentSeries) {
  std::mt19937_64 rng(11);
  BatchModel batched;
  for (int b = 0; b < 100; ++b) {
    const int n = 1 + static_cast<int>(rng() % kLanes);
    std::vector<Keep> keep(n);
    for (auto& k : keep)
      for (auto& m : k.mask) m = rng() % 3 == 0;
    check_batch(batched, random_batch(rng, n), keep, "mixed batch " + std::to_string(b));
    if (::testing::Test::HasFailure()) break;
  }
}

// Checks the order of the calls one observer receives, and that it only ever sees its
// own run.
class CallOrder : public Observer {
 public:
  void begin(const RunParams& p) override {
    EXPECT_EQ(state_, 0);
    state_ = 1;
    steps_ = p.sim.steps();
    nc_ = p.countries.size();
  }
  void observe(const StepView& v) override {
    EXPECT_EQ(state_, 1);
    EXPECT_EQ(v.step, next_++);
    EXPECT_EQ(v[CountrySeries::it_mw].size(), nc_);
  }
  void end() override {
    EXPECT_EQ(state_, 1);
    EXPECT_EQ(next_, steps_ + 1);
    state_ = 2;
  }
  int state() const { return state_; }

 private:
  int state_ = 0, next_ = 0, steps_ = 0;
  Eigen::Index nc_ = 0;
};

TEST(BatchModel, EachObserverSeesBeginEveryStateInOrderAndEnd) {
  std::mt19937_64 rng(3);
  const auto runs = random_batch(rng, 5);
  std::vector<CallOrder> obs(5);
  std::vector<const RunParams*> params;
  std::vector<Observer*> ptrs;
  for (int l = 0; l < 5; ++l) {
    params.push_back(&runs[l]);
    ptrs.push_back(&obs[l]);
  }
  BatchModel batched;
  batched.run(params.data(), ptrs.data(), 5);
  for (const auto& o : obs) EXPECT_EQ(o.state(), 2);
}

TEST(BatchModel, CompatibleNeedsOnlyTheCountryCountAndSimulationSettings) {
  std::mt19937_64 rng(5);
  const RunParams a = random_params(rng, 3);
  RunParams b = random_params_like(rng, a);
  b.sim.seed = a.sim.seed + 1;  // the seed does not enter the model
  b.global[GlobalParam::chip_lifetime_years] = a.global[GlobalParam::chip_lifetime_years] + 1.0;
  EXPECT_TRUE(BatchModel::compatible(a, b));
  EXPECT_TRUE(BatchModel::compatible(a, a));

  auto differs = [&](auto change) {
    RunParams c = b;
    change(c);
    return !BatchModel::compatible(a, c) && !BatchModel::compatible(c, a);
  };
  EXPECT_TRUE(differs([](RunParams& c) { c.sim.start_year += 1.0; }));
  EXPECT_TRUE(differs([](RunParams& c) { c.sim.end_year += 1.0; }));
  EXPECT_TRUE(differs([](RunParams& c) { c.sim.dt = 0.5; }));
  EXPECT_TRUE(differs([&](RunParams& c) { c = random_params(rng, 4); c.sim = a.sim; }));
}

TEST(BatchModel, RejectsIncompatibleRunsAndBadCounts) {
  std::mt19937_64 rng(9);
  const RunParams a = random_params(rng, 2);
  RunParams b = random_params(rng, 3);
  b.sim = a.sim;
  RunResult ra, rb;
  RunRecorder oa(ra), ob(rb);
  const RunParams* params[] = {&a, &b};
  Observer* obs[] = {&oa, &ob};
  BatchModel batched;
  EXPECT_THROW(batched.run(params, obs, 2), std::invalid_argument);
  EXPECT_THROW(batched.run(params, obs, 0), std::invalid_argument);
  EXPECT_NO_THROW(batched.run(params, obs, 1));
}

}  // namespace
}  // namespace sovcap
