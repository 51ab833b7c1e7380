// The model's one step, the lane kernel, against the test oracle (tests/oracle, the step
// written for clarity): for every lane of every batch of the sweep's width, and for every
// run through the one-lane Model, the same bits in every recorded series and summary, over
// random scenarios that differ per lane in everything a batch allows (lifetimes, lead
// times, targets, shocks, allocation rule, export tiers), in full batches and partial
// ones; the draws are checked to reach every part of the step.

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "oracle_model.hpp"
#include "same_bits.hpp"
#include "sovcap/batch_model.hpp"
#include "support.hpp"

namespace sovcap {
namespace {

using testing::expect_same;
using testing::random_params;
using testing::random_params_like;
constexpr int kLanes = kSweepLanes;
using SweepModel = BatchModel<kLanes>;

// Parameters whose range starts at zero become -0.0, which validation accepts (-0.0 >= 0):
// half of those that random_params drew as zero, and one in `odds` of the others. The
// signed zero then goes through the step's sums, mins and maxes, whose treatment of it
// the kernel and the oracle must share (Eigen's a.max(0.0) keeps a -0.0, std::max(0.0, a)
// does not).
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
                   CountryParam::domestic_growth, CountryParam::domestic_perf_ratio,
                   CountryParam::tier2_cap})
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
  // Schedules in about a third of the runs (the others keep the constant code path, and
  // batches mix both).
  for (auto& p : batch)
    if (rng() % 3 == 0) testing::add_random_schedules(p, rng);
  return batch;
}

struct Keep {
  std::array<bool, kNumCountrySeries> mask{};
  bool held_back = false;  // held_back_mw's trajectory (its sums are always recorded)
};

// What the random draws reached, counted from the oracle's results (every series kept),
// so that a test can check that the comparison covered every part of the step.
struct Reach {
  int shocks = 0;          // runs with a supply shock inside the horizon
  int scarce[2] = {0, 0};  // runs, by allocation rule, where some country got less than it asked
  int shared_scarce = 0;   // such runs with two countries or more sharing the market
  int domestic = 0;        // runs where some country received domestic chips
  std::array<int, kNumBottlenecks> codes{};  // country-steps per bottleneck code

  void add(const RunParams& p, const RunResult& r) {
    for (const auto& s : p.global.supply_shocks) shocks += s.start < p.sim.end_year;
    const auto& demand = r[CountrySeries::chip_demand];
    const auto& received = r[CountrySeries::chip_received];
    const auto& code = r[CountrySeries::bottleneck];
    bool short_of_demand = false, dom = false;
    for (int n = 1; n <= p.sim.steps(); ++n)
      for (int i = 0; i < p.countries.size(); ++i) {
        short_of_demand |= received(i, n) < demand(i, n) * (1.0 - 1e-9);
        dom |= r[CountrySeries::domestic_received](i, n) > 0.0;
        ++codes[static_cast<std::size_t>(code(i, n))];
      }
    scarce[static_cast<int>(p.global.allocation())] += short_of_demand;
    shared_scarce += short_of_demand && p.countries.size() > 1;
    domestic += dom;
  }
};

// The kernel in a sweep's batch, the kernel as the one-lane Model, and the oracle, each
// kept from one batch to the next as a sweep worker keeps its models.
struct Models {
  SweepModel batched;
  Model single;
  oracle::Model oracle;
};

// Runs the batch through the sweep's kernel and each run through the one-lane Model and
// through the oracle, recording each with the keep mask of its lane, and compares both
// with the oracle.
void check_batch(Models& m, const std::vector<RunParams>& runs, const std::vector<Keep>& keep,
                 const std::string& where, Reach* reach = nullptr) {
  const int n = static_cast<int>(runs.size());
  std::vector<RunResult> out(n);
  std::vector<RunRecorder> rec;
  rec.reserve(n);
  std::vector<const RunParams*> params;
  std::vector<Observer*> obs;
  for (int l = 0; l < n; ++l) {
    rec.emplace_back(out[l], keep[l].mask, keep[l].held_back);
    params.push_back(&runs[l]);
  }
  for (auto& r : rec) obs.push_back(&r);
  m.batched.run(params.data(), obs.data(), n);

  for (int l = 0; l < n; ++l) {
    RunResult oracle, single;
    RunRecorder ro(oracle, keep[l].mask, keep[l].held_back),
        rs(single, keep[l].mask, keep[l].held_back);
    m.oracle.run(runs[l], ro);
    m.single.run(runs[l], rs);
    expect_same(out[l], oracle, where + ", lane " + std::to_string(l));
    expect_same(single, oracle, where + ", run " + std::to_string(l) + " alone");
    if (reach) reach->add(runs[l], oracle);
  }
}

std::vector<Keep> keep_all(int n) {
  std::vector<Keep> k(n);
  for (auto& m : k) {
    m.mask.fill(true);
    m.held_back = true;
  }
  return k;
}

TEST(Kernel, MatchesTheOracleBitForBitOnRandomBatches) {
  std::mt19937_64 rng(20260101);
  Models models;  // one set for every batch, as a sweep worker keeps them
  Reach reach;
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
    check_batch(models, runs, keep_all(n), "batch " + std::to_string(b), &reach);
    if (::testing::Test::HasFailure()) break;
  }
  // The draws cover what the batch must handle, and every part of the step: shocks, a
  // market short of supply under either rule and shared by several countries, domestic
  // chips, and every bottleneck code on many country-steps.
  EXPECT_GE(partial, 50);
  EXPECT_GE(mixed_rules, 200);
  EXPECT_GE(mixed_lifetimes, 200);
  EXPECT_GE(reach.shocks, 500);
  EXPECT_GE(reach.scarce[static_cast<int>(Allocation::pro_rata)], 300);
  EXPECT_GE(reach.scarce[static_cast<int>(Allocation::max_min_fair)], 300);
  EXPECT_GE(reach.shared_scarce, 300);
  EXPECT_GE(reach.domestic, 500);
  for (int k = 0; k < kNumBottlenecks; ++k)
    EXPECT_GE(reach.codes[static_cast<std::size_t>(k)], 1000) << "bottleneck code " << k;
}

// Runs full of -0.0: which zero a sum, min or max gives must match operation by operation.
TEST(Kernel, MatchesTheOracleWithSignedZeros) {
  std::mt19937_64 rng(13);
  Models models;
  for (int b = 0; b < 200; ++b) {
    const int n = b % 4 == 3 ? 1 + static_cast<int>(rng() % (kLanes - 1)) : kLanes;
    check_batch(models, random_batch(rng, n, true), keep_all(n),
                "signed-zero batch " + std::to_string(b));
    if (::testing::Test::HasFailure()) break;
  }
}

// Summary mode: observers that read only it_mw and the bottleneck code between the
// initial state and the horizon, so the derived series are skipped there.
TEST(Kernel, MatchesTheOracleWithSummaryRecorders) {
  std::mt19937_64 rng(7);
  Models models;
  for (int b = 0; b < 200; ++b) {
    const int n = b % 3 == 2 ? 1 + static_cast<int>(rng() % kLanes) : kLanes;
    check_batch(models, random_batch(rng, n), std::vector<Keep>(n),
                "summary batch " + std::to_string(b));
    if (::testing::Test::HasFailure()) break;
  }
}

// Lanes whose observers read different series, so that what is gathered differs per lane.
TEST(Kernel, MatchesTheOracleWhenLanesReadDifferentSeries) {
  std::mt19937_64 rng(11);
  Models models;
  for (int b = 0; b < 100; ++b) {
    const int n = 1 + static_cast<int>(rng() % kLanes);
    std::vector<Keep> keep(n);
    for (auto& k : keep) {
      for (auto& m : k.mask) m = rng() % 3 == 0;
      k.held_back = rng() % 2 == 0;
    }
    check_batch(models, random_batch(rng, n), keep, "mixed batch " + std::to_string(b));
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

TEST(Kernel, EachObserverSeesBeginEveryStateInOrderAndEnd) {
  std::mt19937_64 rng(3);
  const auto runs = random_batch(rng, 5);
  std::vector<CallOrder> obs(5);
  std::vector<const RunParams*> params;
  std::vector<Observer*> ptrs;
  for (int l = 0; l < 5; ++l) {
    params.push_back(&runs[l]);
    ptrs.push_back(&obs[l]);
  }
  SweepModel batched;
  batched.run(params.data(), ptrs.data(), 5);
  for (const auto& o : obs) EXPECT_EQ(o.state(), 2);
}

TEST(Kernel, CompatibleNeedsOnlyTheCountryCountAndSimulationSettings) {
  std::mt19937_64 rng(5);
  const RunParams a = random_params(rng, 3);
  RunParams b = random_params_like(rng, a);
  b.sim.seed = a.sim.seed + 1;  // the seed does not enter the model
  b.global[GlobalParam::chip_lifetime_years] = a.global[GlobalParam::chip_lifetime_years] + 1.0;
  EXPECT_TRUE(SweepModel::compatible(a, b));
  EXPECT_TRUE(SweepModel::compatible(a, a));

  auto differs = [&](auto change) {
    RunParams c = b;
    change(c);
    return !SweepModel::compatible(a, c) && !SweepModel::compatible(c, a);
  };
  EXPECT_TRUE(differs([](RunParams& c) { c.sim.start_year += 1.0; }));
  EXPECT_TRUE(differs([](RunParams& c) { c.sim.end_year += 1.0; }));
  EXPECT_TRUE(differs([](RunParams& c) { c.sim.dt = 0.5; }));
  EXPECT_TRUE(differs([&](RunParams& c) { c = random_params(rng, 4); c.sim = a.sim; }));
}

TEST(Kernel, RejectsIncompatibleRunsAndBadCounts) {
  std::mt19937_64 rng(9);
  const RunParams a = random_params(rng, 2);
  RunParams b = random_params(rng, 3);
  b.sim = a.sim;
  RunResult ra, rb;
  RunRecorder oa(ra), ob(rb);
  const RunParams* params[] = {&a, &b};
  Observer* obs[] = {&oa, &ob};
  SweepModel batched;
  EXPECT_THROW(batched.run(params, obs, 2), std::invalid_argument);
  EXPECT_THROW(batched.run(params, obs, 0), std::invalid_argument);
  EXPECT_NO_THROW(batched.run(params, obs, 1));
}

}  // namespace
}  // namespace sovcap
