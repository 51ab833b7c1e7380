#include "sovcap/run.hpp"

#include <filesystem>
#include <tuple>

#include "sovcap/request_error.hpp"
#include "sovcap/sweep_runner.hpp"

namespace sovcap {

std::pair<long long, long long> run_range(const std::string& runs, const std::string& shard,
                                          long long total) {
  auto to_ll = [](const std::string& text, const std::string& option) {
    std::size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size() || v < 0)
      throw RequestError(option + ": '" + text + "' is not a non-negative integer");
    return v;
  };
  if (!runs.empty() && !shard.empty()) throw RequestError("give --runs or --shard, not both");
  if (!runs.empty()) {
    const auto colon = runs.find(':');
    if (colon == std::string::npos) throw RequestError("--runs " + runs + ": allowed A:B (runs A to B-1)");
    const long long a = to_ll(runs.substr(0, colon), "--runs");
    const long long b = to_ll(runs.substr(colon + 1), "--runs");
    if (a >= b || b > total)
      throw RequestError("--runs " + runs + ": allowed A:B with 0 <= A < B <= " + std::to_string(total) +
                         " (the sweep has " + std::to_string(total) + " runs)");
    return {a, b};
  }
  if (!shard.empty()) {
    const auto slash = shard.find('/');
    if (slash == std::string::npos) throw RequestError("--shard " + shard + ": allowed K/N (shard K of N, from 0)");
    const long long k = to_ll(shard.substr(0, slash), "--shard");
    const long long n = to_ll(shard.substr(slash + 1), "--shard");
    if (n < 1 || k >= n || n > total)
      throw RequestError("--shard " + shard + ": allowed K/N with 0 <= K < N <= " + std::to_string(total));
    return {total * k / n, total * (k + 1) / n};
  }
  return {0, total};
}

RunJob::RunJob(const RunRequest& request)
    : scenario_(load_scenario(request.scenario_path, request.overrides)),
      output_(request.output.empty()
                  ? std::filesystem::path(request.scenario_path).stem().string() + ".h5"
                  : request.output),
      threads_(request.threads),
      store_(request.store),
      keep_(request.keep),
      keep_held_back_(request.keep_held_back) {
  total_ = scenario_.sweep.runs();
  std::tie(first_, end_) = run_range(request.runs, request.shard, total_);
  // Refused before any work: an output that is a folder, a device or one of the run's
  // inputs (even with --force), or that exists without --force.
  std::vector<std::string> inputs = {scenario_.path, scenario_.csv_path};
  for (const auto& f : scenario_.files) inputs.push_back(f.first);
  check_output_path(output_, true, inputs);
  if (!request.force && std::filesystem::exists(output_))
    throw RequestError(output_ + " exists; use --force to overwrite it");
  policies_ = policy_params(scenario_);
  layout_ = sweep_layout(scenario_, policies_, first_, end_, store_, keep_, keep_held_back_);
  footprint_ = estimate_footprint(scenario_.params, layout_.runs, store_, keep_, threads_, keep_held_back_);
  if (const std::string why = footprint_refusal(footprint_, physical_memory()); !why.empty())
    throw RequestError(why);

  OutputMetadata meta;
  meta.command_line = request.command_line;
  meta.scenario_path = scenario_.path;
  meta.scenario_text = scenario_.text;
  meta.csv_path = scenario_.csv_path;
  meta.csv_text = scenario_.csv_text;
  meta.overrides = scenario_.overrides;
  meta.seed = scenario_.params.sim.seed;
  meta.files = scenario_.files;
  if (request.resume)
    file_ = OutputFile::resume(output_, layout_, meta, request.force);
  else
    file_ = std::make_unique<OutputFile>(output_, request.force, layout_, meta);
  for (bool d : file_->completed()) done_at_start_ += d ? 1 : 0;
}

RunJob::~RunJob() = default;

RunJob::Outcome RunJob::run(const std::atomic<bool>* stop,
                            std::function<void(long long, long long)> progress) {
  SweepOptions opt;
  opt.threads = threads_;
  opt.store = store_;
  opt.keep = keep_;
  opt.keep_held_back = keep_held_back_;
  opt.stop = stop;
  opt.progress = std::move(progress);
  SweepStats stats;
  try {
    stats = run_sweep(scenario_, policies_, *file_, opt);
    if (stats.interrupted)
      file_->close_partial();
    else
      file_->commit();
  } catch (const OutputError& e) {
    // A failed write (a full disk) leaves the partial as of its last save, unless that
    // held no runs: say so, since the runs in it need not be computed again.
    file_.reset();
    const std::string partial = output_ + ".partial";
    if (std::filesystem::exists(partial))
      throw OutputError(std::string(e.what()) + "; " + partial + " is kept with the runs saved " +
                        "before the failure: run the same command with --resume to finish it");
    throw;
  }
  file_.reset();
  return {stats.written, stats.interrupted};
}

}  // namespace sovcap
