#include "commands.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>
#include <oneapi/tbb/global_control.h>

#include "sovcap/model.hpp"
#include "sovcap/output.hpp"
#include "sovcap/reader.hpp"
#include "sovcap/results.hpp"
#include "sovcap/scenario.hpp"
#include "sovcap/summary.hpp"

namespace po = boost::program_options;

namespace sovcap::app {
namespace {

// Bad command-line usage, reported like bad scenario input (exit 2).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses `args` against `options` with the given positional names. Returns false when
// --help was asked for (the help has been printed).
bool parse_args(const std::vector<std::string>& args, const po::options_description& options,
                const po::positional_options_description& positional, po::variables_map& vm,
                const std::string& usage) {
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n" << options;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + "\n" + usage);
  }
  return true;
}

void print_diagnostics(const InputError& e) {
  for (const auto& d : e.diagnostics()) std::cerr << "sovcap: error: " << format_diagnostic(d) << "\n";
  std::cerr << "sovcap: " << e.diagnostics().size() << " problem"
            << (e.diagnostics().size() == 1 ? "" : "s") << " in the input; nothing was run\n";
}

// Runs `body`, mapping the library's exceptions onto exit codes and messages.
template <class F>
int guarded(F&& body) {
  try {
    return body();
  } catch (const InputError& e) {
    print_diagnostics(e);
    return kExitBadInput;
  } catch (const UsageError& e) {
    std::cerr << "sovcap: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const OutputError& e) {
    std::cerr << "sovcap: error: " << e.what() << "\n";
    // The temporary file is gone by now (removed while unwinding). After a failed flush
    // (a full disk) HDF5 1.10.8 leaves the file half-closed and crashes in its atexit
    // clean-up (fixed upstream in HDF5 1.14), so leave without running it.
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(kExitFailure);
  } catch (const std::exception& e) {
    std::cerr << "sovcap: error: " << e.what() << "\n";
    return kExitFailure;
  }
}

std::string format_number(double v) {
  std::ostringstream os;
  if (v != 0.0 && (std::fabs(v) >= 1e7 || std::fabs(v) < 1e-3))
    os << std::setprecision(4) << v;
  else
    os << std::setprecision(10) << v;
  return os.str();
}

// "2030,2035" -> {2030, 2035}; a bad list is a usage error naming the option.
std::vector<double> parse_year_list(const std::string& text, const std::string& option) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::size_t used = 0;
    double v = 0.0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || !std::isfinite(v))
      throw UsageError(option + ": '" + item + "' is not a year; give years separated by commas");
    if (!out.empty() && v <= out.back())
      throw UsageError(option + ": years must increase (" + text + ")");
    out.push_back(v);
  }
  if (out.empty()) throw UsageError(option + ": give at least one year");
  return out;
}

// The short table `run` prints: capacity, when 1 GW and the final target are reached, and
// the dominant bottleneck per period (the summary's, see sovcap/summary.hpp).
void print_run_table(const Scenario& sc, const RunResult& r, std::ostream& os) {
  const auto& p = sc.params;
  std::vector<double> time(static_cast<std::size_t>(p.sim.steps() + 1));
  for (std::size_t n = 0; n < time.size(); ++n) time[n] = p.sim.time(static_cast<int>(n));
  SummaryOptions opt = default_summary_options(p.sim.start_year, p.sim.end_year);
  opt.years = {p.sim.end_year};
  SummaryBuilder builder(p.countries.iso3, p.countries.name, time, opt);
  builder.add(slice_of(r));
  const Summary s = builder.finish();
  const auto& it = r[CountrySeries::it_mw];
  os << std::left << std::setw(5) << "iso3" << std::right << std::setw(8) << "MW@start"
     << std::setw(9) << "MW@end" << std::setw(9) << "1 GW" << std::setw(9) << "target";
  for (const auto& period : s.periods)
    os << "  " << std::left << std::setw(10)
       << std::to_string(static_cast<int>(period.first)) + "-" +
              std::to_string(static_cast<int>(std::ceil(period.second)) - 1);
  os << "\n";
  for (std::size_t i = 0; i < s.countries.size(); ++i) {
    const auto& c = s.countries[i];
    os << std::left << std::setw(5) << c.iso3 << std::right << std::fixed << std::setprecision(0)
       << std::setw(8) << it(static_cast<Eigen::Index>(i), 0) << std::setw(9) << c.it_mw_at.back()
       << std::setw(9) << format_year_value(c.year_gw.p50) << std::setw(9)
       << format_year_value(c.year_target.p50);
    for (int code : c.dominant)
      os << "  " << std::left << std::setw(10) << kBottleneckNames[static_cast<std::size_t>(code)];
    os << std::right << "\n";
  }
  os.unsetf(std::ios::floatfield);
  os << "\n(years are when IT capacity first reaches 1 GW and the final target; the last\n"
        "columns give the bottleneck of most steps in each period: see docs/model.md)\n";
}

}  // namespace

int cmd_run(const std::vector<std::string>& args, const std::string& command_line) {
  const std::string usage =
      "usage: sovcap run SCENARIO [-o OUT.h5] [--set KEY=VALUE]... [--threads N] [--force] "
      "[--quiet]\n\nRuns SCENARIO and writes the results to OUT.h5 (default: the scenario's "
      "name with .h5, in the current folder).\nThe file is written under a temporary name and "
      "renamed when complete; an existing file is kept unless --force.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")(
      "scenario", po::value<std::string>()->required(), "scenario file (TOML)")(
      "output,o", po::value<std::string>(), "output file (HDF5, netCDF-4 compatible)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a parameter: KEY=VALUE, VALUE read as TOML (e.g. global.vendor_supply=5e6, "
      "country.KOR.targets=[[2030, 1000]])")(
      "threads", po::value<int>()->default_value(0), "worker threads (0: all cores)")(
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
    std::string out = vm.count("output") ? vm["output"].as<std::string>()
                                         : std::filesystem::path(scenario_path).stem().string() + ".h5";

    const Scenario sc = load_scenario(scenario_path, overrides);
    if (!force && std::filesystem::exists(out))
      throw UsageError(out + " exists; use --force to overwrite it");
    check_output_path(out, force);

    std::unique_ptr<oneapi::tbb::global_control> limit;
    if (threads > 0)
      limit = std::make_unique<oneapi::tbb::global_control>(
          oneapi::tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

    RunResult result;
    RunRecorder recorder(result);
    Model model;
    model.run(sc.params, recorder);

    OutputMetadata meta;
    meta.command_line = command_line;
    meta.scenario_path = sc.path;
    meta.scenario_text = sc.text;
    meta.csv_path = sc.csv_path;
    meta.csv_text = sc.csv_text;
    meta.overrides = sc.overrides;
    meta.seed = sc.params.sim.seed;
    OutputFile file(out, force, layout_for(sc.params), meta);
    file.write_run(0, sc.params, result);
    file.commit();

    if (!quiet) {
      std::cout << "sovcap: wrote " << out << " (" << sc.params.countries.size()
                << " countries, " << sc.params.sim.start_year << " to " << sc.params.sim.end_year
                << ", dt " << sc.params.sim.dt << ")\n\n";
      print_run_table(sc, result, std::cout);
    }
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
      "usage: sovcap summarize OUT.h5 [--format text|csv|markdown|json] [--years Y,...] "
      "[--periods Y,...]\n\nPer country: the year IT capacity first reaches 1 GW and the final "
      "target (median, with the 10-90% range\nand the probability of reaching it by the horizon "
      "when the file holds many runs), capacity (MW) and\ncompute at chosen years, energy use "
      "and money spent by the horizon, and the bottleneck of most\nsteps in each period.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                "sovcap results file")(
      "format", po::value<std::string>()->default_value("text"), "text, csv, markdown or json")(
      "years", po::value<std::string>(), "years at which to report capacity (default: every 2-5 years)")(
      "periods", po::value<std::string>(),
      "boundaries between bottleneck periods (default: every 4 years from start + 3)");
  po::positional_options_description positional;
  positional.add("file", 1);

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const std::string format_name = vm["format"].as<std::string>();
    SummaryFormat format;
    if (format_name == "text") format = SummaryFormat::text;
    else if (format_name == "csv") format = SummaryFormat::csv;
    else if (format_name == "markdown") format = SummaryFormat::markdown;
    else if (format_name == "json") format = SummaryFormat::json;
    else throw UsageError("--format " + format_name + ": allowed text, csv, markdown, json");

    const std::string path = vm["file"].as<std::string>();
    if (!std::filesystem::exists(path)) throw UsageError(path + ": no such file");
    const ResultsReader in(path);
    const auto& time = in.time();
    SummaryOptions opt = default_summary_options(time.front(), time.back());
    if (vm.count("years")) opt.years = parse_year_list(vm["years"].as<std::string>(), "--years");
    if (vm.count("periods"))
      opt.period_bounds = parse_year_list(vm["periods"].as<std::string>(), "--periods");
    SummaryBuilder builder(in.iso3(), in.names(), time, opt);

    // A block of runs at a time: the file's chunks hold up to 16 runs.
    constexpr int kBlock = 16;
    const char* names[] = {"it_mw", "compute_flops", "energy_twh", "capex_usd", "opex_usd", "bottleneck"};
    std::vector<std::vector<Eigen::ArrayXXd>> series(std::size(names));
    Eigen::ArrayXXd gw, target;
    for (int first = 0; first < in.runs(); first += kBlock) {
      const int count = std::min(kBlock, in.runs() - first);
      for (std::size_t v = 0; v < std::size(names); ++v)
        in.read_country_series(names[v], first, count, series[v]);
      in.read_per_country("year_gw_reached", first, count, gw);
      in.read_per_country("year_target_reached", first, count, target);
      for (int k = 0; k < count; ++k) {
        const auto kk = static_cast<std::size_t>(k);
        const Eigen::ArrayXd gw_k = gw.col(k), target_k = target.col(k);
        RunSlice s;
        s.it_mw = &series[0][kk];
        s.compute_flops = &series[1][kk];
        s.energy_twh = &series[2][kk];
        s.capex_usd = &series[3][kk];
        s.opex_usd = &series[4][kk];
        s.bottleneck = &series[5][kk];
        s.year_gw_reached = &gw_k;
        s.year_target_reached = &target_k;
        builder.add(s);
      }
    }
    const Summary summary = builder.finish();
    if (format == SummaryFormat::text)
      std::cout << path << ": " << summary.runs << " run" << (summary.runs == 1 ? "" : "s")
                << ", " << in.iso3().size() << " countries, " << time.front() << " to "
                << time.back() << "\n\n";
    std::cout << render(summary, format);
    return kExitOk;
  });
}

}  // namespace sovcap::app
