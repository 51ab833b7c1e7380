// `sovcap run SCENARIO`: runs a scenario's sweep into a results file (sim/sovcap/run.hpp),
// then prints the file's short table (analysis/sovcap/summary_io.hpp). What stays here is
// what belongs to the process: the options, the Ctrl-C handler and the progress bar.

#include <atomic>
#include <csignal>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "progress.hpp"
#include "sovcap/describe.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/run.hpp"
#include "sovcap/summary_io.hpp"
#include "sovcap/sweep_runner.hpp"

namespace po = boost::program_options;

namespace sovcap::app {
namespace {

// Set by SIGINT/SIGTERM: the sweep finishes the runs in flight, writes them and stops. A
// signal handler can only reach state with static storage; this is the program's only
// such state, and the library sees it only as the `stop` flag passed in.
std::atomic<int> g_stop_signal{0};
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int sig) {
  g_stop_signal.store(sig);
  g_stop.store(true);
}

// --keep: the country series named, and held_back_mw (not a country series: it has a
// constraint axis) when named.
std::vector<CountrySeries> parse_keep(const std::string& text, bool& held_back) {
  std::vector<CountrySeries> keep;
  held_back = false;
  if (text.empty() || text == "none") return keep;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == kHeldBackInfo.name) {
      held_back = true;
      continue;
    }
    bool found = false;
    for (int k = 0; k < kNumCountrySeries; ++k)
      if (info(static_cast<CountrySeries>(k)).name == item) {
        keep.push_back(static_cast<CountrySeries>(k));
        found = true;
      }
    if (!found) {
      std::string all;
      for (int k = 0; k < kNumCountrySeries; ++k)
        all += (k ? ", " : "") + std::string(info(static_cast<CountrySeries>(k)).name);
      all += ", " + std::string(kHeldBackInfo.name);
      throw RequestError("--keep: unknown series '" + item + "'; allowed: " + all);
    }
  }
  return keep;
}

}  // namespace

CommandSpec run_spec() {
  CommandSpec s;
  s.name = "run";
  s.operands = "SCENARIO";
  s.summary =
      "run (every run of a sweep) and write results; OUT defaults to the scenario's name with "
      "`.h5`";
  s.description =
      "Runs SCENARIO (every run of its [sweep], if it has one) and writes the results to OUT.h5\n"
      "(default: the scenario's name with .h5, in the current folder). The file is written as\n"
      "OUT.h5.partial and renamed when complete; an existing OUT.h5 is kept unless --force.\n"
      "Ctrl-C or SIGTERM finishes the runs in flight, keeps OUT.h5.partial and exits with 128+signal;\n"
      "the same command with --resume continues it. --runs/--shard write one block of a sweep to\n"
      "its own complete file, for many machines; `sovcap merge` joins them.\n";
  s.options.add_options()("help,h", "this help")(
      "scenario", po::value<std::string>()->required(), "scenario file (TOML)")(
      "output,o", po::value<std::string>()->value_name("OUT.h5"),
      "output file (HDF5, netCDF-4 compatible)")(
      "set", po::value<std::vector<std::string>>()->composing()->value_name("KEY=VALUE"),
      "override a parameter: KEY=VALUE, VALUE read as TOML (e.g. global.vendor_supply=5e6, "
      "country.KOR.targets=[[2030, 1000]], sweep.samples=1000)")(
      "threads", po::value<int>()->default_value(0)->value_name("N"), "worker threads (0: all cores)")(
      "store", po::value<std::string>()->default_value("full")->value_name("full|summary"),
      "full: every series per run, country and time; summary: per-run summaries plus --keep")(
      "keep", po::value<std::string>()->default_value("")->value_name("SERIES,..."),
      "summary mode: series kept per run, country and time (e.g. it_mw,bottleneck; "
      "held_back_mw keeps the MW each constraint held back)")(
      "runs", po::value<std::string>()->default_value("")->value_name("A:B"),
      "only runs A to B-1 of the sweep (A:B)")(
      "shard", po::value<std::string>()->default_value("")->value_name("K/N"),
      "only shard K of N (K/N, K from 0)")("resume", "continue an interrupted run from OUT.h5.partial")(
      "force", "overwrite OUT.h5 if it exists")("quiet,q", "print nothing but errors");
  s.positional.add("scenario", 1);
  s.choices.push_back({{"runs", "shard"}, false});
  return s;
}

int cmd_run(const std::vector<std::string>& args, const std::string& command_line) {
  const CommandSpec spec = run_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    RunRequest request;
    request.scenario_path = vm["scenario"].as<std::string>();
    if (vm.count("set")) request.overrides = vm["set"].as<std::vector<std::string>>();
    request.threads = vm["threads"].as<int>();
    if (request.threads < 0) throw RequestError("--threads must be >= 0 (0: all cores)");
    request.force = vm.count("force") > 0;
    request.resume = vm.count("resume") > 0;
    const bool quiet = vm.count("quiet") > 0;
    if (const int cores = available_threads(); request.threads > cores) {
      if (!quiet)
        std::cerr << "sovcap: --threads " << request.threads << ": this machine runs " << cores
                  << " at once; using " << cores << "\n";
      request.threads = cores;
    }
    const std::string store_name = vm["store"].as<std::string>();
    if (store_name != "full" && store_name != "summary")
      throw RequestError("--store " + store_name + ": allowed full, summary");
    request.store = store_name == "full" ? StoreMode::full : StoreMode::summary;
    request.keep = parse_keep(vm["keep"].as<std::string>(), request.keep_held_back);
    if (request.store == StoreMode::full && (!request.keep.empty() || request.keep_held_back))
      throw RequestError("--keep applies to --store summary (full keeps every series)");
    if (vm.count("output")) {
      request.output = vm["output"].as<std::string>();
      if (request.output.empty()) throw RequestError("-o: the output file name is empty");
    }
    request.runs = vm["runs"].as<std::string>();
    request.shard = vm["shard"].as<std::string>();
    request.command_line = command_line;

    RunJob job(request);
    if (!quiet) {
      for (const auto& w : job.scenario().warnings)
        std::cerr << "sovcap: warning: " << format_diagnostic(w) << "\n";
      if (const std::string w = footprint_warning(job.footprint(), physical_memory()); !w.empty())
        std::cerr << "sovcap: warning: " << w << "\n";
    }
    const long long runs = job.layout().runs;
    if (!quiet) {
      const std::string big =
          large_file_warning(job.scenario(), request.store, request.keep, runs, job.output(),
                             request.keep_held_back);
      if (!big.empty()) print_warnings({big});
    }
    g_stop.store(false);
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    ProgressBar bar(std::cerr, !quiet && runs > 1 && isatty(STDERR_FILENO));
    const long long done_at_start = job.done_at_start();
    const RunJob::Outcome outcome =
        job.run(&g_stop, [&](long long done, long long of) { bar.update(done, of, done_at_start); });
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    if (outcome.interrupted) {
      std::cerr << "\nsovcap: interrupted: " << done_at_start + outcome.written << " of " << runs
                << " runs written to " << job.output()
                << ".partial; run the same command with --resume to finish it\n";
      const int sig = g_stop_signal.load();
      return sig > 0 ? 128 + sig : kExitFailure;
    }
    if (!quiet) {
      const auto& sim = job.scenario().params.sim;
      std::cout << "sovcap: wrote " << job.output() << " (" << runs << " run" << (runs == 1 ? "" : "s");
      if (runs != job.total())
        std::cout << " " << job.first() << " to " << job.end() - 1 << " of " << job.total();
      std::cout << ", " << job.scenario().params.countries.size() << " countries, " << sim.start_year
                << " to " << sim.end_year << ", dt " << sim.dt << ")\n\n"
                << run_table(job.output());
    }
    return kExitOk;
  });
}

}  // namespace sovcap::app
