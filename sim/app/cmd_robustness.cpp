// `sovcap robustness OUT.h5 --metric M`: regret and satisficing of each policy of a sweep
// over the futures they share (robustness_report, analysis/sovcap/robustness.hpp).

#include <cmath>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/robustness.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

CommandSpec robustness_spec() {
  CommandSpec s;
  s.name = "robustness";
  s.operands = "OUT.h5";
  s.summary =
      "per policy of a sweep, over the futures every policy meets: mean, 10/50/90th "
      "percentiles, mean and maximum regret, share of futures satisfying a threshold";
  s.description =
      "How each policy of a sweep fares over the futures every policy meets (the same samples:\n"
      "common random numbers). Per policy: the metric's mean and 10/50/90th percentiles, its\n"
      "regret in each future (the best policy's value there minus its own, larger is better;\n"
      "with --minimize smaller is better), mean and maximum regret, the share of futures where\n"
      "it is best, and with --threshold the share of futures that satisfy it (>= X, or <= X\n"
      "with --minimize). With --country all (default): the mean regret per country and policy.\n\n"
      "metrics: year_gw_reached, year_target_reached (a run that never reaches it counts as the\n"
      "horizon + dt; use --minimize), it_mw_final, compute_flops_final, energy_twh_final,\n"
      "spend_usd_final, SERIES@YEAR (e.g. it_mw@2030; the series must be stored).\n";
  s.options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                  "sovcap results file of a sweep")(
      "metric", po::value<std::string>()->required()->value_name("M"), "the per-run metric: one above")(
      "country", po::value<std::string>()->default_value("all")->value_name("ISO3|all"),
      "ISO3 code, or all")("threshold", po::value<double>()->value_name("X"),
                           "the value a future must reach to satisfy")(
      "minimize", po::bool_switch(), "smaller is better (years, spending)")(
      "format", po::value<std::string>()->default_value("text")->value_name("text|json"),
      "output format");
  s.positional.add("file", 1);
  return s;
}

int cmd_robustness(const std::vector<std::string>& args) {
  const CommandSpec spec = robustness_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    const std::string format = vm["format"].as<std::string>();
    if (format != "text" && format != "json") throw RequestError("--format " + format + ": allowed text, json");
    RobustnessRequest request;
    request.metric = vm["metric"].as<std::string>();
    request.country = vm["country"].as<std::string>();
    request.minimize = vm["minimize"].as<bool>();
    if (vm.count("threshold")) {
      request.threshold = vm["threshold"].as<double>();
      if (!std::isfinite(*request.threshold)) throw RequestError("--threshold: must be a finite number");
    }
    const RobustnessReport report = robustness_report(vm["file"].as<std::string>(), request);
    print_warnings(report.warnings);
    std::cout << render(report, format == "json" ? RobustnessFormat::json : RobustnessFormat::text);
    return kExitOk;
  });
}

}  // namespace sovcap::app
