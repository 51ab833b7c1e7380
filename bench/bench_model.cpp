// Model throughput: country-steps per second on the baseline scenario (20 countries,
// 2026-2040 quarterly), with an observer that keeps only the per-run summaries (what a
// summary-mode sweep needs) and with one that records every series (full mode).

#include <benchmark/benchmark.h>

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

}  // namespace

BENCHMARK_MAIN();
