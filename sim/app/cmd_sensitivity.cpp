// `sovcap sensitivity OUT.h5 --metric M`: Sobol indices of a results metric over the
// uncertain parameters of a Saltelli sweep (sensitivity_report,
// analysis/sovcap/sensitivity_report.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/sensitivity_report.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

CommandSpec sensitivity_spec() {
  CommandSpec s;
  s.name = "sensitivity";
  s.operands = "OUT.h5";
  s.summary =
      "Sobol indices (first order and total, with bootstrap intervals) of a metric over the "
      "uncertain parameters of a Saltelli sweep";
  s.description =
      "Sobol indices of a metric over the uncertain parameters of a sweep sampled with\n"
      "method = \"saltelli\": per country, per parameter, the first-order index S1 (Saltelli 2010)\n"
      "and the total index ST (Jansen 1999), each with a bootstrap confidence interval over the\n"
      "base rows. Only complete runs are used, each policy (lever combination) on its own.\n\n"
      "metrics: year_gw_reached, year_target_reached (a run that never reaches it counts as the\n"
      "horizon + dt: censored at the end of the run), it_mw_final, compute_flops_final,\n"
      "energy_twh_final, spend_usd_final, SERIES@YEAR (e.g. it_mw@2030; the series must be stored).\n"
      "--series SERIES: indices of SERIES at every whole year of the time axis.\n";
  s.options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                  "sovcap results file of a Saltelli sweep")(
      "metric", po::value<std::string>()->value_name("M"), "the output: a metric above")(
      "series", po::value<std::string>()->value_name("SERIES"),
      "a [run, country, time] series: indices at every whole year")(
      "country", po::value<std::string>()->default_value("all")->value_name("ISO3|all"),
      "ISO3 code, or all")(
      "policy", po::value<std::string>()->default_value("0")->value_name("P|all"),
      "policy index, or all (one after another)")(
      "format", po::value<std::string>()->default_value("text")->value_name("text|csv|json"),
      "output format")("bootstrap", po::value<int>()->default_value(1000)->value_name("N"),
                       "bootstrap resamples (0: no intervals)")(
      "seed", po::value<std::string>()->default_value("0")->value_name("S"),
      "seed of the bootstrap resamples");
  s.positional.add("file", 1);
  s.choices.push_back({{"metric", "series"}, true});
  return s;
}

int cmd_sensitivity(const std::vector<std::string>& args) {
  const CommandSpec spec = sensitivity_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    const std::string format = vm["format"].as<std::string>();
    if (format != "text" && format != "csv" && format != "json")
      throw RequestError("--format " + format + ": allowed text, csv, json");
    SensitivityRequest request;
    request.sobol.bootstrap = vm["bootstrap"].as<int>();
    if (request.sobol.bootstrap < 0) throw RequestError("--bootstrap must be >= 0 (0: no intervals)");
    const std::string seed = vm["seed"].as<std::string>();
    if (seed.empty() || seed.find_first_not_of("0123456789") != std::string::npos || seed.size() > 20)
      throw RequestError("--seed " + seed + ": allowed a non-negative integer");
    try {
      request.sobol.seed = std::stoull(seed);
    } catch (const std::exception&) {
      throw RequestError("--seed " + seed + ": allowed an integer below 2^64");
    }
    if (vm.count("metric")) request.metric = vm["metric"].as<std::string>();
    if (vm.count("series")) request.series = vm["series"].as<std::string>();
    if (request.metric.empty() == request.series.empty())
      throw RequestError("give one of --metric or --series\n" + usage(spec));
    request.country = vm["country"].as<std::string>();
    request.policy = vm["policy"].as<std::string>();

    const SensitivityReport report = sensitivity_report(vm["file"].as<std::string>(), request);
    print_warnings(report.warnings);
    std::cout << render(report, format == "text"  ? SensitivityFormat::text
                                : format == "csv" ? SensitivityFormat::csv
                                                  : SensitivityFormat::json);
    return kExitOk;
  });
}

}  // namespace sovcap::app
