#include "sovcap/sweep_runner.hpp"

#include <algorithm>
#include <memory>

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include "sovcap/batch_model.hpp"
#include "sovcap/csv.hpp"
#include "sovcap/model.hpp"

// TBB hands items between pipeline stages through its own atomics, which ThreadSanitizer
// cannot see in Debian's uninstrumented libtbb; these annotations tell it about the
// hand-off, so a TSan build reports only races that are really in sovcap.
// GCC announces ThreadSanitizer with __SANITIZE_THREAD__, Clang with __has_feature.
#if defined(__SANITIZE_THREAD__)
#define SOVCAP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SOVCAP_TSAN 1
#endif
#endif
#if defined(SOVCAP_TSAN)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#define SOVCAP_TSAN_RELEASE(p) __tsan_release(p)
#define SOVCAP_TSAN_ACQUIRE(p) __tsan_acquire(p)
#else
#define SOVCAP_TSAN_RELEASE(p) ((void)(p))
#define SOVCAP_TSAN_ACQUIRE(p) ((void)(p))
#endif

namespace sovcap {
namespace {

// Each worker thread keeps its model, parameter copy and result buffers across blocks,
// so the parallel stage allocates nothing per run once warm.
struct Worker {
  BatchModel<kSweepLanes> batch;
  Model model;
  std::vector<RunParams> params;
  std::vector<RunResult> results;
  // One recorder per entry of results, kept from block to block (each run's begin() resets
  // it), so that what a recorder works out once per time axis is not redone every run.
  std::vector<RunRecorder> recorders;
  BlockScratch scratch;
};

// Simulates the worker's first `count` runs into its results. Runs go through the model
// kSweepLanes at a time, which gives the same bits as one run at a time several times
// faster; a run that cannot share its batch (a lever on the simulation settings) goes
// through the model's one-lane form.
void simulate_block(Worker& w, std::size_t count, const std::array<bool, kNumCountrySeries>& mask,
                    bool keep_held_back) {
  constexpr auto lanes = static_cast<std::size_t>(kSweepLanes);
  // Recorders are bound to the results they fill: made anew when results has been resized
  // (its only change, which may move it).
  if (w.recorders.size() != w.results.size()) {
    w.recorders.clear();
    w.recorders.reserve(w.results.size());
    for (RunResult& r : w.results) w.recorders.emplace_back(r, mask, keep_held_back);
  }
  std::vector<RunRecorder>& recorders = w.recorders;
  std::array<const RunParams*, lanes> params{};
  std::array<Observer*, lanes> observers{};
  for (std::size_t k = 0; k < count;) {
    int n = 0;
    while (k < count && n < kSweepLanes &&
           (n == 0 || BatchModel<kSweepLanes>::compatible(*params[0], w.params[k]))) {
      params[static_cast<std::size_t>(n)] = &w.params[k];
      observers[static_cast<std::size_t>(n)] = &recorders[k];
      ++n;
      ++k;
    }
    if (n == 1)
      w.model.run(*params[0], *observers[0]);
    else
      w.batch.run(params.data(), observers.data(), n);
  }
}

std::array<bool, kNumCountrySeries> keep_mask(StoreMode store, const std::vector<CountrySeries>& keep) {
  std::array<bool, kNumCountrySeries> mask{};
  mask.fill(store == StoreMode::full);
  for (auto s : keep) mask[static_cast<int>(s)] = true;
  return mask;
}

// The resolved value an uncertain parameter replaces or multiplies.
double base_value(const Uncertain& u, const RunParams& p) {
  const auto& t = u.target;
  if (t.index < 0) {
    const auto& shock = p.global.supply_shocks.at(static_cast<std::size_t>(t.shock));
    return t.shock_field == 0 ? shock.start : (t.shock_field == 1 ? shock.end : shock.factor);
  }
  if (t.scope == ParamScope::global) return p.global.values[static_cast<std::size_t>(t.index)];
  return p.countries.values(t.country < 0 ? 0 : t.country, t.index);
}

// Whether the sweep key `sweep_key` (a lever or a sampled parameter) sets `set_key` in
// every run: the same key, or `country.*.P` over one country's `country.XXX.P`.
bool replaces(const std::string& sweep_key, const std::string& set_key) {
  if (sweep_key == set_key) return true;
  constexpr std::string_view all = "country.*.";
  if (sweep_key.compare(0, all.size(), all) != 0 || set_key.compare(0, 8, "country.") != 0)
    return false;
  const auto dot = set_key.find('.', 8);
  return dot != std::string::npos && dot > 8 &&
         set_key.compare(dot + 1, std::string::npos, sweep_key, all.size()) == 0;
}

}  // namespace

std::vector<RunParams> policy_params(const Scenario& scenario) {
  const auto& spec = scenario.sweep;
  // A --set of a key the sweep replaces in every run would have no effect: refused, rather
  // than run a sweep that silently ignores it. (A multiplied uncertain parameter keeps
  // the --set value as its base, so that is allowed.)
  std::vector<Diagnostic> ignored;
  for (const auto& ov : scenario.overrides) {
    const auto eq = ov.find('=');
    if (eq == std::string::npos) continue;
    const std::string key(trim_blanks(std::string_view(ov).substr(0, eq)));
    for (const auto& lever : spec.levers)
      if (replaces(lever.key, key))
        ignored.push_back({"--set", 0, 0, key,
                           "the sweep's lever " + lever.key + " sets this key in every run, " +
                               "so --set would be ignored: allowed --set of keys that are not " +
                               "levers (drop the lever, or this --set)"});
    for (const auto& u : spec.uncertain)
      if (replaces(u.key, key) && !u.multiply)
        ignored.push_back({"--set", 0, 0, key,
                           "the sweep samples " + u.key + " in every run (not multiply), so " +
                               "--set would be ignored: allowed --set of keys that are not " +
                               "sampled, or sampled with multiply = true"});
  }
  if (!ignored.empty()) throw InputError(std::move(ignored));
  if (spec.levers.empty()) return {scenario.params};
  std::vector<RunParams> out;
  out.reserve(static_cast<std::size_t>(spec.policies()));
  for (int p = 0; p < spec.policies(); ++p) {
    auto overrides = scenario.overrides;
    const auto choice = spec.lever_choice(p);
    for (std::size_t k = 0; k < spec.levers.size(); ++k)
      overrides.push_back(spec.levers[k].key + "=" +
                          spec.levers[k].values[static_cast<std::size_t>(choice[k])]);
    out.push_back(load_scenario(scenario.path, overrides).params);
  }
  return out;
}

OutputLayout sweep_layout(const Scenario& scenario, const std::vector<RunParams>& policies,
                          long long first, long long end, StoreMode store,
                          const std::vector<CountrySeries>& keep, bool keep_held_back) {
  OutputLayout layout = layout_for(policies.front(), 1);
  for (const auto& p : policies) {
    const auto other = layout_for(p, 1);
    layout.max_targets = std::max(layout.max_targets, other.max_targets);
    layout.max_shocks = std::max(layout.max_shocks, other.max_shocks);
    add_schedules_to_layout(p, layout);
  }
  const auto& spec = scenario.sweep;
  layout.total_runs = spec.runs();
  layout.first_run = first;
  layout.runs = end - first;
  layout.store = store;
  layout.keep = keep;
  layout.keep_held_back = keep_held_back;
  auto& sw = layout.sweep;
  for (const auto& lever : spec.levers) {
    sw.lever_keys.push_back(lever.key);
    sw.lever_values.push_back(lever.values);
    sw.lever_numeric.push_back(lever.numeric);
  }
  for (const auto& u : spec.uncertain) {
    sw.uncertain_keys.push_back(u.key);
    // A from_sources draw is a value in the parameter's unit (the data's value replaced),
    // stored as such, although it scales a value a lever or override changed.
    sw.uncertain_multiply.push_back(u.multiply && !u.from_sources);
  }
  sw.method = spec.uncertain.empty() ? "" : std::string(method_name(spec.method));
  sw.samples = spec.uncertain.empty() ? 1 : spec.samples;
  sw.policies = spec.policies();
  sw.samples_per_policy = spec.samples_per_policy();
  return layout;
}

void build_run(const Scenario& scenario, const std::vector<RunParams>& policies,
               const SampleDesign& design, long long run, RunParams& params, RunInfo& info) {
  const auto& spec = scenario.sweep;
  const long long per_policy = spec.samples_per_policy();
  info.policy = static_cast<int>(run / per_policy);
  info.sample = run % per_policy;
  info.lever_choice = spec.lever_choice(info.policy);
  const RunParams& base = policies[static_cast<std::size_t>(info.policy)];
  params = base;
  info.sampled.clear();
  if (spec.uncertain.empty()) return;
  if (spec.method == SamplingMethod::saltelli) {
    info.saltelli_matrix = design.saltelli_matrix(info.sample);
    info.base_row = design.base_row(info.sample);
  }
  // The point and each key's base value; on the stack up to 256 keys.
  double u[256], b[256];
  std::vector<double> heap;
  double *point = u, *bases = b;
  const std::size_t need = std::max(static_cast<std::size_t>(design.dims()), spec.uncertain.size());
  if (need > 256) {
    heap.resize(2 * need);
    point = heap.data();
    bases = point + need;
  }
  design.point(info.sample, point);
  for (std::size_t i = 0; i < spec.uncertain.size(); ++i) {
    const Uncertain& x = spec.uncertain[i];
    bases[i] = x.base_of(base_value(x, base));
    info.sampled.push_back(x.quantile(point[i], bases[i]));
  }
  apply_samples(spec, point, params, info.sampled.data(), bases);
}

int available_threads() { return tbb::info::default_concurrency(); }

SweepStats run_sweep(const Scenario& scenario, const std::vector<RunParams>& policies,
                     OutputFile& out, const SweepOptions& options) {
  const auto& layout = out.layout();
  const SampleDesign design(scenario.sweep.method, scenario.sweep.samples,
                            static_cast<int>(scenario.sweep.uncertain.size()),
                            scenario.params.sim.seed);
  const auto mask = keep_mask(options.store, options.keep);
  // held_back_mw's trajectory: full mode, or summary mode with --keep held_back_mw (which
  // otherwise stores its shares and its means per period).
  const bool held_back = options.store == StoreMode::full || options.keep_held_back;
  const std::vector<bool> done = out.completed();
  const long long block = out.block_runs();
  const long long nblocks = (layout.runs + block - 1) / block;
  auto block_done = [&](long long b) {
    const long long lo = b * block, hi = std::min(layout.runs, lo + block);
    for (long long r = lo; r < hi; ++r)
      if (!done[static_cast<std::size_t>(r)]) return false;
    return true;
  };

  SweepStats stats;
  long long written = 0;
  for (bool d : done) written += d ? 1 : 0;
  long long next = 0;
  // Each serial stage's state is touched by one stage at a time, but on whichever thread
  // TBB runs it; `order` carries the stage-to-stage ordering for TSan (see above), and
  // `finished` the ordering of every stage's work before the pipeline's return (the
  // caller then reads the counters and destroys the slots and the workers).
  int order = 0;
  int finished = 0;
  tbb::enumerable_thread_specific<Worker> workers;

  // What travels through the pipeline: a block to simulate, then its prepared chunks.
  // Items are slots in a pool owned here, passed as plain pointers: TBB keeps a pointer
  // token inside its own buffer instead of allocating one, so every access to an item is
  // sovcap's and annotated, and nothing leaks if a stage throws. Token k uses slot
  // k % tokens: the writer is serial and in order, so token k is done before the input
  // stage may issue token k + tokens.
  struct Slot {
    long long block = 0;
    long long runs = 0;
    PreparedBlockPtr prepared;
  };

  tbb::task_arena arena(options.threads > 0 ? options.threads : tbb::task_arena::automatic);
  arena.execute([&] {
    const auto tokens = static_cast<std::size_t>(2 * arena.max_concurrency());
    std::vector<Slot> slots(tokens);
    std::size_t issued = 0;
    try {
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, Slot*>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> Slot* {
              SOVCAP_TSAN_ACQUIRE(&next);
              while (next < nblocks && block_done(next)) ++next;
              if (next >= nblocks || (options.stop && options.stop->load())) {
                fc.stop();
                SOVCAP_TSAN_RELEASE(&next);
                SOVCAP_TSAN_RELEASE(&finished);
                return nullptr;
              }
              Slot* slot = &slots[issued++ % tokens];
              SOVCAP_TSAN_ACQUIRE(slot);
              slot->block = next++;
              SOVCAP_TSAN_RELEASE(&next);
              SOVCAP_TSAN_RELEASE(slot);
              return slot;
            }) &
            tbb::make_filter<Slot*, Slot*>(
                tbb::filter_mode::parallel,
                [&](Slot* slot) {
                  SOVCAP_TSAN_ACQUIRE(slot);
                  Worker& w = workers.local();
                  const long long lo = slot->block * block;
                  const long long n = std::min(layout.runs, lo + block) - lo;
                  const auto count = static_cast<std::size_t>(n);
                  if (w.params.size() < count) {
                    w.params.resize(count);
                    w.results.resize(count);
                  }
                  std::vector<RunRecord> records(count);
                  for (std::size_t k = 0; k < count; ++k) {
                    const long long run = layout.first_run + lo + static_cast<long long>(k);
                    RunRecord& rec = records[k];
                    build_run(scenario, policies, design, run, w.params[k], rec.info);
                    rec.run = run;
                    rec.params = &w.params[k];
                    rec.result = &w.results[k];
                  }
                  simulate_block(w, count, mask, held_back);
                  slot->prepared = out.prepare_block(layout.first_run + lo, records, w.scratch);
                  slot->runs = n;
                  SOVCAP_TSAN_RELEASE(slot);
                  SOVCAP_TSAN_RELEASE(&finished);
                  return slot;
                }) &
            tbb::make_filter<Slot*, void>(
                tbb::filter_mode::serial_in_order, [&](Slot* slot) {
                  SOVCAP_TSAN_ACQUIRE(slot);
                  SOVCAP_TSAN_ACQUIRE(&order);
                  out.write_block(std::move(slot->prepared));
                  written += slot->runs;
                  stats.written += slot->runs;
                  if (options.progress) options.progress(written, layout.runs);
                  SOVCAP_TSAN_RELEASE(&order);
                  SOVCAP_TSAN_RELEASE(slot);
                  SOVCAP_TSAN_RELEASE(&finished);
                }));
    } catch (...) {
      // A stage threw (a write failed): TBB has joined the stages, but TSan cannot see
      // that join; the slots are destroyed here, after what the stages released.
      SOVCAP_TSAN_ACQUIRE(&finished);
      for (auto& slot : slots) SOVCAP_TSAN_ACQUIRE(&slot);
      throw;
    }
    SOVCAP_TSAN_ACQUIRE(&finished);
  });
  out.flush();
  stats.interrupted = written < layout.runs;
  return stats;
}

}  // namespace sovcap
