// Model throughput: country-steps per second on the baseline scenario (20 countries,
// 2026-2040 quarterly), with an observer that keeps only the per-run summaries (what a
// summary-mode sweep needs) and with one that records every series (full mode); the same
// for the model eight runs at a time, as a sweep runs it, counting the country-steps of
// every lane.

#include <benchmark/benchmark.h>

#include <vector>

#include "sovcap/batch_model.hpp"
#include "sovcap/model.hpp"
#include "sovcap/results.hpp"
#include "sovcap/scenario.hpp"

namespace {

const sovcap::Scenario& baseline() {
  static const sovcap::Scenario sc =
      sovcap::load_scenario(std::string(SOVCAP_SOURCE_DIR) + "/scenarios/baseline.toml");
  return sc;
}

// Keeps what a summary needs: the reach years, nothing per step.
class ReachObserver : public sovcap::Observer {
 public:
  void begin(const sovcap::RunParams& p) override {
    year_gw_.setConstant(p.countries.size(), -1.0);
  }
  void observe(const sovcap::StepView& v) override {
    const auto& it = v[sovcap::CountrySeries::it_mw];
    year_gw_ = (year_gw_ < 0.0 && it >= 1000.0).select(v.time, year_gw_);
  }
  double checksum() const { return year_gw_.sum(); }

 private:
  Eigen::ArrayXd year_gw_;
};

// Runs the baseline through `obs` for as long as the benchmark asks; `sink` is read after
// each run so that nothing it depends on is optimised away.
template <typename Sink>
void run_model(benchmark::State& state, sovcap::Observer& obs, Sink sink) {
  const auto& p = baseline().params;
  sovcap::Model model;
  for (auto _ : state) {
    model.run(p, obs);
    benchmark::DoNotOptimize(sink());
  }
  state.counters["country_steps_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * p.countries.size() * p.sim.steps(),
      benchmark::Counter::kIsRate);
}

void BM_ModelSummaryObserver(benchmark::State& state) {
  ReachObserver obs;
  run_model(state, obs, [&] { return obs.checksum(); });
}
BENCHMARK(BM_ModelSummaryObserver);

// What a `--store summary` sweep records for each run: summaries and the horizon state,
// no trajectories.
void BM_ModelSummaryRecorder(benchmark::State& state) {
  sovcap::RunResult result;
  sovcap::RunRecorder rec(result, std::array<bool, sovcap::kNumCountrySeries>{});
  run_model(state, rec, [&] { return result.year_gw_reached.data(); });
}
BENCHMARK(BM_ModelSummaryRecorder);

void BM_ModelFullRecorder(benchmark::State& state) {
  sovcap::RunResult result;
  sovcap::RunRecorder rec(result);
  run_model(state, rec, [&] { return result.year_gw_reached.data(); });
}
BENCHMARK(BM_ModelFullRecorder);

// kLanes runs of the baseline, each recorded by its own RunRecorder with the keep mask
// `keep`: vendor supply and budgets a percent apart, so that the lanes compute different
// values; with `mixed_delays` also chip lifetimes of 4 to 6 years and grid lead times up
// to 30% longer, as a sweep over them draws (scenarios/robustness.toml), so that the lanes'
// delay lines differ and their entries go to their slots one lane at a time.
void run_batch(benchmark::State& state, const std::array<bool, sovcap::kNumCountrySeries>& keep,
               bool mixed_delays) {
  constexpr int kLanes = sovcap::kSweepLanes;
  std::vector<sovcap::RunParams> params(kLanes, baseline().params);
  std::vector<sovcap::RunResult> results(kLanes);
  std::vector<sovcap::RunRecorder> recs;
  recs.reserve(kLanes);
  std::vector<const sovcap::RunParams*> p;
  std::vector<sovcap::Observer*> obs;
  for (int l = 0; l < kLanes; ++l) {
    auto& q = params[l];
    const double f = 1.0 + 0.01 * l;
    q.global[sovcap::GlobalParam::vendor_supply] *= f;
    q.countries.col(sovcap::CountryParam::budget_usd_per_year) *= f;
    if (mixed_delays) {
      q.global[sovcap::GlobalParam::chip_lifetime_years] = 4.0 + l % 3;
      q.countries.col(sovcap::CountryParam::grid_lead_years) *= 1.0 + 0.1 * (l % 4);
    }
    recs.emplace_back(results[l], keep);
    p.push_back(&q);
  }
  for (auto& r : recs) obs.push_back(&r);
  sovcap::BatchModel<kLanes> model;
  for (auto _ : state) {
    model.run(p.data(), obs.data(), kLanes);
    benchmark::DoNotOptimize(results[kLanes - 1].year_gw_reached.data());
  }
  const auto& p0 = baseline().params;
  state.counters["country_steps_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kLanes * p0.countries.size() * p0.sim.steps(),
      benchmark::Counter::kIsRate);
}

constexpr std::array<bool, sovcap::kNumCountrySeries> kKeepNone{};
std::array<bool, sovcap::kNumCountrySeries> keep_all() {
  std::array<bool, sovcap::kNumCountrySeries> keep;
  keep.fill(true);
  return keep;
}

void BM_BatchModelSummaryRecorder(benchmark::State& state) { run_batch(state, kKeepNone, false); }
BENCHMARK(BM_BatchModelSummaryRecorder);

void BM_BatchModelSummaryRecorderMixedDelays(benchmark::State& state) {
  run_batch(state, kKeepNone, true);
}
BENCHMARK(BM_BatchModelSummaryRecorderMixedDelays);

void BM_BatchModelFullRecorder(benchmark::State& state) { run_batch(state, keep_all(), false); }
BENCHMARK(BM_BatchModelFullRecorder);

}  // namespace

BENCHMARK_MAIN();
