// `sovcap discover OUT.h5 --country ISO3 --metric M (--above X | --below X)`: scenario
// discovery with PRIM over the sampled inputs of a sweep (discover,
// analysis/sovcap/discover.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/discover.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

CommandSpec discover_spec() {
  CommandSpec s;
  s.name = "discover";
  s.operands = "OUT.h5";
  s.summary =
      "scenario discovery with PRIM: which region of a sweep's sampled inputs (and levers) leads "
      "to the case of interest, with the peeling trajectory, the box's limits, quasi-p-values "
      "and how often each restriction recurs";
  s.description =
      "Scenario discovery: which region of a sweep's sampled inputs leads to a case of interest\n"
      "(the country's metric above or below X), found with PRIM (Friedman & Fisher 1999, as EMA\n"
      "Workbench runs it): the peeling trajectory (coverage, density, mass, restricted inputs per\n"
      "step), the suggested box with each restricted input's limits and quasi-p-value, and how\n"
      "often each restriction recurs over bootstrap resamples of the runs. Without --policy every\n"
      "policy's runs are used and the levers that vary are inputs too. Only complete runs are used.\n\n"
      "metrics: year_gw_reached, year_target_reached, year_reached@MW (the year it_mw first reaches\n"
      "MW; needs the it_mw series), it_mw_final, compute_flops_final, energy_twh_final,\n"
      "spend_usd_final, SERIES@YEAR (e.g. it_mw@2030; the series must be stored),\n"
      "bottleneck_share_CONSTRAINT (the share of steps under on_track, lead_time, power, capital,\n"
      "talent or chips). A reach year never reached counts as later than any year (above every X).\n";
  s.options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                  "sovcap results file of a sweep")(
      "country", po::value<std::string>()->required()->value_name("ISO3"), "ISO3 code")(
      "metric", po::value<std::string>()->required()->value_name("M"), "the per-run metric: see above")(
      "above", po::value<double>()->value_name("X"), "cases of interest: metric > X")(
      "below", po::value<double>()->value_name("X"), "cases of interest: metric < X")(
      "policy", po::value<std::string>()->default_value("")->value_name("P"),
      "a policy index (default: every policy)")(
      "format", po::value<std::string>()->default_value("text")->value_name("text|json"),
      "output format")("box", po::value<int>()->value_name("N"),
                       "report this step of the first box's trajectory instead of the suggested one")(
      "boxes", po::value<int>()->default_value(1)->value_name("K"),
      "boxes to find, each over the runs outside the ones before")(
      "min-coverage", po::value<double>()->default_value(0.5, "0.5")->value_name("C"),
      "suggested box: the highest density with at least this coverage")(
      "peel-alpha", po::value<double>()->default_value(0.05, "0.05")->value_name("A"),
      "share of the box's runs one peel removes")(
      "paste-alpha", po::value<double>()->default_value(0.05, "0.05")->value_name("A"),
      "share of a slab's runs one paste adds")(
      "mass-min", po::value<double>()->default_value(0.05, "0.05")->value_name("M"),
      "smallest share of the runs a box may hold")(
      "resamples", po::value<int>()->default_value(50)->value_name("R"),
      "bootstrap resamples of the recurrence check (0: none)")(
      "seed", po::value<std::string>()->default_value("0")->value_name("S"),
      "seed of the resamples");
  s.positional.add("file", 1);
  s.choices.push_back({{"above", "below"}, true});
  return s;
}

int cmd_discover(const std::vector<std::string>& args) {
  const CommandSpec spec = discover_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    const std::string format = vm["format"].as<std::string>();
    if (format != "text" && format != "json") throw RequestError("--format " + format + ": allowed text, json");
    if (vm.count("above") == vm.count("below")) throw RequestError("give one of --above X or --below X\n" + usage(spec));
    DiscoverRequest request;
    request.above = vm.count("above") > 0;
    request.threshold = vm[request.above ? "above" : "below"].as<double>();
    request.metric = vm["metric"].as<std::string>();
    request.country = vm["country"].as<std::string>();
    request.policy = vm["policy"].as<std::string>();
    if (vm.count("box")) {
      request.step = vm["box"].as<int>();
      if (request.step < 0) throw RequestError("--box must be a step of the trajectory (0 or more)");
    }
    request.boxes = vm["boxes"].as<int>();
    request.min_coverage = vm["min-coverage"].as<double>();
    request.prim.peel_alpha = vm["peel-alpha"].as<double>();
    request.prim.paste_alpha = vm["paste-alpha"].as<double>();
    request.prim.mass_min = vm["mass-min"].as<double>();
    request.resamples = vm["resamples"].as<int>();
    const std::string seed = vm["seed"].as<std::string>();
    if (seed.empty() || seed.find_first_not_of("0123456789") != std::string::npos || seed.size() > 20)
      throw RequestError("--seed " + seed + ": allowed a non-negative integer");
    try {
      request.seed = std::stoull(seed);
    } catch (const std::exception&) {
      throw RequestError("--seed " + seed + ": allowed an integer below 2^64");
    }

    const DiscoverReport report = discover(vm["file"].as<std::string>(), request);
    print_warnings(report.warnings);
    std::cout << render(report, format == "text" ? DiscoverFormat::text : DiscoverFormat::json);
    return kExitOk;
  });
}

}  // namespace sovcap::app
