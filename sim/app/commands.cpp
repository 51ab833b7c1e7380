#include "commands.hpp"
#include "cli.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include <boost/program_options.hpp>

#include "sovcap/model.hpp"
#include "sovcap/output.hpp"
#include "sovcap/reader.hpp"
#include "sovcap/results.hpp"
#include "sovcap/scenario.hpp"
#include "sovcap/summary.hpp"
#include "sovcap/summary_io.hpp"
#include "sovcap/sweep_runner.hpp"

namespace po = boost::program_options;

namespace sovcap::app {
namespace {

std::string format_number(double v) {
  std::ostringstream os;
  if (v != 0.0 && (std::fabs(v) >= 1e7 || std::fabs(v) < 1e-3))
    os << std::setprecision(4) << v;
  else
    os << std::setprecision(10) << v;
  return os.str();
}

// The short table `run` prints: capacity, when 1 GW and the final target are reached, and
// the dominant bottleneck per period, read back from the file just written (a check that
// it reads) with the summary of `sovcap summarize`.
void print_run_table(const std::string& path, std::ostream& os) {
  const ResultsReader in(path);
  const auto& time = in.time();
  SummaryOptions opt = default_summary_options(time.front(), time.back());
  const bool start_known = in.has_trajectories();
  opt.years = start_known ? std::vector<double>{time.front(), time.back()} : std::vector<double>{};
  if (!start_known) opt.period_bounds.clear();
  long long incomplete = 0;
  const Summary s = summarize(in, opt, false, incomplete).front().summary;
  const bool many = s.runs > 1;
  os << std::left << std::setw(5) << "iso3" << std::right << std::setw(9) << "MW@start"
     << std::setw(9) << "MW@end" << std::setw(9) << "1 GW" << std::setw(9) << "target";
  if (many) os << std::setw(7) << "P(1GW)";
  for (const auto& period : s.periods)
    os << "  " << std::left << std::setw(10)
       << std::to_string(static_cast<int>(period.first)) + "-" +
              std::to_string(static_cast<int>(std::ceil(period.second)) - 1);
  os << "\n";
  for (const auto& c : s.countries) {
    os << std::left << std::setw(5) << c.iso3 << std::right << std::fixed << std::setprecision(0)
       << std::setw(9) << (start_known ? format_number(std::round(c.it_mw_at.front())) : "-")
       << std::setw(9) << c.it_mw_at.back() << std::setw(9) << format_year_value(c.year_gw.p50)
       << std::setw(9) << format_year_value(c.year_target.p50);
    if (many) os << std::setw(7) << std::setprecision(2) << c.year_gw.probability;
    for (int code : c.dominant)
      os << "  " << std::left << std::setw(10) << kBottleneckNames[static_cast<std::size_t>(code)];
    os << std::right << "\n";
  }
  os.unsetf(std::ios::floatfield);
  os << "\n(" << (many ? "medians over " + std::to_string(s.runs) + " runs; " : "")
     << "years are when IT capacity first reaches 1 GW and the final target; the last\n"
        "columns give the bottleneck of most steps in each period: see docs/model.md)\n";
}

// "A:B" -> [A, B) of `total`; "K/N" -> the K-th (0-based) of N near-equal shards.
std::pair<long long, long long> parse_run_range(const std::string& runs, const std::string& shard,
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
      throw UsageError(option + ": '" + text + "' is not a non-negative integer");
    return v;
  };
  if (!runs.empty() && !shard.empty()) throw UsageError("give --runs or --shard, not both");
  if (!runs.empty()) {
    const auto colon = runs.find(':');
    if (colon == std::string::npos) throw UsageError("--runs " + runs + ": allowed A:B (runs A to B-1)");
    const long long a = to_ll(runs.substr(0, colon), "--runs");
    const long long b = to_ll(runs.substr(colon + 1), "--runs");
    if (a >= b || b > total)
      throw UsageError("--runs " + runs + ": allowed A:B with 0 <= A < B <= " + std::to_string(total) +
                       " (the sweep has " + std::to_string(total) + " runs)");
    return {a, b};
  }
  if (!shard.empty()) {
    const auto slash = shard.find('/');
    if (slash == std::string::npos) throw UsageError("--shard " + shard + ": allowed K/N (shard K of N, from 0)");
    const long long k = to_ll(shard.substr(0, slash), "--shard");
    const long long n = to_ll(shard.substr(slash + 1), "--shard");
    if (n < 1 || k >= n || n > total)
      throw UsageError("--shard " + shard + ": allowed K/N with 0 <= K < N <= " + std::to_string(total));
    return {total * k / n, total * (k + 1) / n};
  }
  return {0, total};
}

// Progress on stderr: runs done, rate and time left, redrawn at most ten times a second.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(Clock::now()), last_(start_) {}
  void update(long long done, long long total, long long done_at_start) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done - done_at_start) / secs : 0.0;
    const int width = 30;
    const int filled = total > 0 ? static_cast<int>(width * done / total) : width;
    std::ostringstream os;
    os << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
       << std::string(static_cast<std::size_t>(width - filled), '.') << "] " << done << "/" << total
       << " runs  " << std::fixed << std::setprecision(0) << rate << " runs/s";
    if (rate > 0 && done < total) {
      const auto left = static_cast<long long>(static_cast<double>(total - done) / rate);
      os << "  ETA " << left / 3600 << ":" << std::setw(2) << std::setfill('0') << (left / 60) % 60
         << ":" << std::setw(2) << left % 60;
    }
    os << "   ";
    std::cerr << os.str() << (done >= total ? "\n" : "") << std::flush;
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  Clock::time_point start_, last_;
};

// Set by SIGINT/SIGTERM: the sweep finishes the runs in flight, writes them and stops. A
// signal handler can only reach state with static storage; this is the program's only
// such state, and the library sees it only as the `stop` flag passed in.
std::atomic<int> g_stop_signal{0};
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int sig) {
  g_stop_signal.store(sig);
  g_stop.store(true);
}

std::vector<CountrySeries> parse_keep(const std::string& text) {
  std::vector<CountrySeries> keep;
  if (text.empty() || text == "none") return keep;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
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
      throw UsageError("--keep: unknown series '" + item + "'; allowed: " + all);
    }
  }
  return keep;
}

}  // namespace

int cmd_run(const std::vector<std::string>& args, const std::string& command_line) {
  const std::string usage =
      "usage: sovcap run SCENARIO [-o OUT.h5] [--set KEY=VALUE]... [--threads N] [--store full|summary]\n"
      "                  [--keep SERIES,...] [--runs A:B | --shard K/N] [--resume] [--force] [--quiet]\n\n"
      "Runs SCENARIO (every run of its [sweep], if it has one) and writes the results to OUT.h5\n"
      "(default: the scenario's name with .h5, in the current folder). The file is written as\n"
      "OUT.h5.partial and renamed when complete; an existing OUT.h5 is kept unless --force.\n"
      "Ctrl-C or SIGTERM finishes the runs in flight, keeps OUT.h5.partial and exits with 128+signal;\n"
      "the same command with --resume continues it. --runs/--shard write one block of a sweep to\n"
      "its own complete file, for many machines; `sovcap merge` joins them.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")(
      "scenario", po::value<std::string>()->required(), "scenario file (TOML)")(
      "output,o", po::value<std::string>(), "output file (HDF5, netCDF-4 compatible)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a parameter: KEY=VALUE, VALUE read as TOML (e.g. global.vendor_supply=5e6, "
      "country.KOR.targets=[[2030, 1000]], sweep.samples=1000)")(
      "threads", po::value<int>()->default_value(0), "worker threads (0: all cores)")(
      "store", po::value<std::string>()->default_value("full"),
      "full: every series per run, country and time; summary: per-run summaries plus --keep")(
      "keep", po::value<std::string>()->default_value(""),
      "summary mode: series kept per run, country and time (e.g. it_mw,bottleneck)")(
      "runs", po::value<std::string>()->default_value(""), "only runs A to B-1 of the sweep (A:B)")(
      "shard", po::value<std::string>()->default_value(""), "only shard K of N (K/N, K from 0)")(
      "resume", "continue an interrupted run from OUT.h5.partial")(
      "force", "overwrite OUT.h5 if it exists")("quiet,q", "print nothing but errors");
  po::positional_options_description positional;
  positional.add("scenario", 1);

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const auto scenario_path = vm["scenario"].as<std::string>();
    const auto overrides =
        vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
    const int threads = vm["threads"].as<int>();
    if (threads < 0) throw UsageError("--threads must be >= 0 (0: all cores)");
    const bool force = vm.count("force") > 0;
    const bool quiet = vm.count("quiet") > 0;
    const bool resume = vm.count("resume") > 0;
    const std::string store_name = vm["store"].as<std::string>();
    if (store_name != "full" && store_name != "summary")
      throw UsageError("--store " + store_name + ": allowed full, summary");
    const StoreMode store = store_name == "full" ? StoreMode::full : StoreMode::summary;
    const auto keep = parse_keep(vm["keep"].as<std::string>());
    if (store == StoreMode::full && !keep.empty())
      throw UsageError("--keep applies to --store summary (full keeps every series)");
    std::string out = vm.count("output") ? vm["output"].as<std::string>()
                                         : std::filesystem::path(scenario_path).stem().string() + ".h5";

    const Scenario sc = load_scenario(scenario_path, overrides);
    const long long total = sc.sweep.runs();
    const auto [first, end] =
        parse_run_range(vm["runs"].as<std::string>(), vm["shard"].as<std::string>(), total);
    if (!force && std::filesystem::exists(out))
      throw UsageError(out + " exists; use --force to overwrite it");
    check_output_path(out, force);
    const auto policies = policy_params(sc);
    const OutputLayout layout = sweep_layout(sc, policies, first, end, store, keep);

    OutputMetadata meta;
    meta.command_line = command_line;
    meta.scenario_path = sc.path;
    meta.scenario_text = sc.text;
    meta.csv_path = sc.csv_path;
    meta.csv_text = sc.csv_text;
    meta.overrides = sc.overrides;
    meta.seed = sc.params.sim.seed;
    meta.files = sc.files;
    std::unique_ptr<OutputFile> file;
    if (resume) {
      file = OutputFile::resume(out, layout, meta, force);
    } else {
      file = std::make_unique<OutputFile>(out, force, layout, meta);
    }

    g_stop.store(false);
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    ProgressBar bar(!quiet && layout.runs > 1 && isatty(STDERR_FILENO));
    long long done_at_start = 0;
    for (bool d : file->completed()) done_at_start += d ? 1 : 0;
    SweepOptions opt;
    opt.threads = threads;
    opt.store = store;
    opt.keep = keep;
    opt.stop = &g_stop;
    opt.progress = [&](long long done, long long runs) { bar.update(done, runs, done_at_start); };
    const SweepStats stats = run_sweep(sc, policies, *file, opt);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    if (stats.interrupted) {
      file->close_partial();
      long long done = done_at_start + stats.written;
      std::cerr << "\nsovcap: interrupted: " << done << " of " << layout.runs << " runs written to "
                << out << ".partial; run the same command with --resume to finish it\n";
      const int sig = g_stop_signal.load();
      return sig > 0 ? 128 + sig : kExitFailure;
    }
    file->commit();
    file.reset();

    if (!quiet) {
      std::cout << "sovcap: wrote " << out << " (" << layout.runs << " run"
                << (layout.runs == 1 ? "" : "s");
      if (layout.runs != total) std::cout << " " << first << " to " << end - 1 << " of " << total;
      std::cout << ", " << sc.params.countries.size() << " countries, " << sc.params.sim.start_year
                << " to " << sc.params.sim.end_year << ", dt " << sc.params.sim.dt << ")\n\n";
      print_run_table(out, std::cout);
    }
    return kExitOk;
  });
}

int cmd_merge(const std::vector<std::string>& args, const std::string& command_line) {
  const std::string usage =
      "usage: sovcap merge OUT.h5 SHARD.h5... [--force]\n\nWrites OUT.h5, a master file whose "
      "variables are HDF5 virtual datasets over the shards\n(files of `sovcap run --runs A:B` or "
      "`--shard K/N` of one sweep), read by h5py, xarray and\nncdump as one sweep. Refuses "
      "missing, incomplete, overlapping or mismatched shards.\nShards are found relative to "
      "OUT.h5's folder: keep them beside it.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")(
      "files", po::value<std::vector<std::string>>()->composing(), "OUT.h5 then the shards")(
      "force", "overwrite OUT.h5 if it exists");
  po::positional_options_description positional;
  positional.add("files", -1);
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const auto files =
        vm.count("files") ? vm["files"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (files.size() < 2) throw UsageError("give OUT.h5 and at least one shard\n" + usage);
    const bool force = vm.count("force") > 0;
    if (!force && std::filesystem::exists(files.front()))
      throw UsageError(files.front() + " exists; use --force to overwrite it");
    merge_shards(files.front(), {files.begin() + 1, files.end()}, force, command_line);
    std::cout << "sovcap: wrote " << files.front() << " over " << files.size() - 1 << " shard"
              << (files.size() == 2 ? "" : "s") << "\n";
    return kExitOk;
  });
}

int cmd_validate(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: sovcap validate SCENARIO [--set KEY=VALUE]...\n\nChecks SCENARIO and prints "
      "every resolved parameter per country, with where its value came from.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")(
      "scenario", po::value<std::string>()->required(), "scenario file (TOML)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a parameter: KEY=VALUE, VALUE read as TOML");
  po::positional_options_description positional;
  positional.add("scenario", 1);

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const auto overrides =
        vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
    const Scenario sc = load_scenario(vm["scenario"].as<std::string>(), overrides);
    const auto& p = sc.params;
    auto origin = [&](const std::string& key) {
      auto it = sc.origin.find(key);
      return it == sc.origin.end() ? std::string() : "  (" + it->second + ")";
    };
    std::cout << "scenario " << sc.path << ": OK, " << p.countries.size() << " countries, "
              << p.sim.steps() << " steps\n\n[simulation]\n";
    std::cout << "  start_year = " << format_number(p.sim.start_year) << origin("simulation.start_year") << "\n"
              << "  end_year = " << format_number(p.sim.end_year) << origin("simulation.end_year") << "\n"
              << "  dt = " << format_number(p.sim.dt) << origin("simulation.dt") << "\n"
              << "  seed = " << p.sim.seed << origin("simulation.seed") << "\n\n[global]\n";
    for (int k = 0; k < kNumGlobalParams; ++k) {
      const auto& s = spec(static_cast<GlobalParam>(k));
      const std::string key = "global." + std::string(s.name);
      std::cout << "  " << s.name << " = ";
      if (s.kind == ParamKind::choice)
        std::cout << s.choices[static_cast<std::size_t>(p.global.values[k])];
      else
        std::cout << format_number(p.global.values[k]) << " " << s.unit;
      std::cout << origin(key) << "\n";
    }
    std::cout << "  supply_shocks = [";
    for (std::size_t i = 0; i < p.global.supply_shocks.size(); ++i) {
      const auto& s = p.global.supply_shocks[i];
      std::cout << (i ? ", " : "") << "{start=" << format_number(s.start)
                << ", end=" << format_number(s.end) << ", factor=" << format_number(s.factor) << "}";
    }
    std::cout << "]" << origin("global.supply_shocks") << "\n";
    for (int i = 0; i < p.countries.size(); ++i) {
      const std::string code = p.countries.iso3[i];
      std::cout << "\n[country." << code << "] " << p.countries.name[i] << "\n";
      for (int k = 0; k < kNumCountryParams; ++k) {
        const auto& s = spec(static_cast<CountryParam>(k));
        std::cout << "  " << s.name << " = " << format_number(p.countries.values(i, k)) << " "
                  << s.unit << origin("country." + code + "." + std::string(s.name)) << "\n";
      }
      std::cout << "  targets = [";
      const auto& tg = p.countries.targets[i];
      for (std::size_t j = 0; j < tg.size(); ++j)
        std::cout << (j ? ", " : "") << "[" << format_number(tg[j].year) << ", "
                  << format_number(tg[j].mw) << "]";
      std::cout << "]" << origin("country." + code + ".targets") << "\n";
    }
    return kExitOk;
  });
}

int cmd_params(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: sovcap params [--markdown]\n\nLists every parameter with its unit, default, "
      "allowed values and meaning.\nScenario keys: [simulation] X, [global] X, [defaults] X or "
      "[country.ISO3] X; on the command line: --set SCOPE.X=VALUE.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")("markdown", "print a Markdown table");
  po::positional_options_description positional;

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const bool md = vm.count("markdown") > 0;
    auto default_text = [](const ParamSpec& s) -> std::string {
      if (s.kind == ParamKind::shocks) return "[]";
      if (s.required()) return "required";
      if (s.kind == ParamKind::choice) return std::string(s.choices[static_cast<std::size_t>(s.default_value)]);
      return format_number(s.default_value);
    };
    auto allowed_text = [](const ParamSpec& s) -> std::string {
      if (s.kind == ParamKind::targets) return "years increasing, after start_year; MW >= 0";
      if (s.kind == ParamKind::shocks) return "start < end, factor >= 0";
      return s.allowed();
    };
    if (md) {
      std::cout << "| scope | name | unit | default | allowed | meaning |\n|---|---|---|---|---|---|\n";
      for (const auto& s : param_specs())
        std::cout << "| " << scope_name(s.scope) << " | `" << s.name << "` | " << s.unit << " | "
                  << default_text(s) << " | " << allowed_text(s) << " | " << s.meaning << " |\n";
      return kExitOk;
    }
    ParamScope scope = ParamScope::country;
    bool first = true;
    for (const auto& s : param_specs()) {
      if (first || s.scope != scope) {
        scope = s.scope;
        std::cout << (first ? "" : "\n") << "[" << scope_name(scope)
                  << (scope == ParamScope::country ? ".ISO3] (or [defaults], or CSV columns)" : "]")
                  << "\n";
        first = false;
      }
      std::cout << "  " << std::left << std::setw(26) << s.name << std::setw(16) << s.unit
                << "default " << std::setw(10) << default_text(s) << " " << allowed_text(s)
                << "\n      " << s.meaning << "\n";
    }
    return kExitOk;
  });
}

}  // namespace sovcap::app

namespace sovcap::app {

int cmd_summarize(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: sovcap summarize OUT.h5 [--by all|policy] [--format text|csv|markdown|json]\n"
      "                        [--years Y,...] [--periods Y,...]\n\nPer country: the year IT capacity first reaches 1 GW and the final "
      "target (median, with the 10-90% range\nand the probability of reaching it by the horizon "
      "when the file holds many runs), capacity (MW) and\ncompute at chosen years, energy use "
      "and money spent by the horizon, and the bottleneck of most\nsteps in each period.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                "sovcap results file");
  add_summary_options(options);
  options.add_options()("by", po::value<std::string>()->default_value("all"),
                        "all: one summary over every run; policy: one per policy of a sweep");
  po::positional_options_description positional;
  positional.add("file", 1);

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const SummaryFormat format = parse_summary_format(vm["format"].as<std::string>());

    const std::string path = vm["file"].as<std::string>();
    if (!std::filesystem::exists(path)) throw UsageError(path + ": no such file");
    const ResultsReader in(path);
    const auto& time = in.time();
    const SummaryOptions opt = summary_options(vm, in);
    const bool by_policy = vm["by"].as<std::string>() == "policy";
    if (!by_policy && vm["by"].as<std::string>() != "all")
      throw UsageError("--by " + vm["by"].as<std::string>() + ": allowed all, policy");
    long long incomplete = 0;
    const auto summaries = summarize(in, opt, by_policy, incomplete);
    if (incomplete > 0)
      std::cerr << "sovcap: warning: " << incomplete << " of " << in.runs() << " runs in " << path
                << " are not complete (a partial file, or a master missing a shard); "
                   "summarised without them\n";
    if (format == SummaryFormat::text)
      std::cout << path << ": " << in.runs() << " run" << (in.runs() == 1 ? "" : "s") << ", "
                << in.iso3().size() << " countries, " << time.front() << " to " << time.back()
                << (in.has_trajectories() ? "" : " (summary store: horizon only)") << "\n";
    if (format == SummaryFormat::json && by_policy) std::cout << "[";
    for (std::size_t k = 0; k < summaries.size(); ++k) {
      const auto& fs = summaries[k];
      std::string body = render(fs.summary, format);
      switch (format) {
        case SummaryFormat::text:
          std::cout << "\n" << (by_policy ? fs.label + " (" + std::to_string(fs.summary.runs) + " runs)\n\n" : "") << body;
          break;
        case SummaryFormat::markdown:
          if (by_policy) std::cout << (k ? "\n" : "") << "### " << fs.label << "\n\n";
          std::cout << body;
          break;
        case SummaryFormat::csv: {
          // One table: the policy's label as a leading column.
          if (!by_policy) {
            std::cout << body;
            break;
          }
          std::istringstream lines(body);
          std::string line;
          bool header = true;
          while (std::getline(lines, line)) {
            if (header) {
              if (k == 0) std::cout << "policy," << line << "\n";
              header = false;
              continue;
            }
            std::string label = fs.label;
            for (auto& ch : label)
              if (ch == '"') ch = '\'';
            std::cout << '"' << label << "\"," << line << "\n";
          }
          break;
        }
        case SummaryFormat::json:
          if (by_policy) {
            std::string label = fs.label;
            for (auto& ch : label)
              if (ch == '"' || ch == '\\') ch = '\'';
            while (!body.empty() && body.back() == '\n') body.pop_back();
            std::cout << (k ? ",\n" : "") << "{\"policy\": \"" << label << "\", \"summary\": " << body << "}";
          } else {
            std::cout << body;
          }
          break;
      }
    }
    if (format == SummaryFormat::json && by_policy) std::cout << "]\n";
    return kExitOk;
  });
}

}  // namespace sovcap::app
