// `sovcap diff A.h5 B.h5`: what changed between two results files, per country, and run
// by run for two sweeps over the same futures (diff_report, analysis/sovcap/diff.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/diff.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

CommandSpec diff_spec() {
  CommandSpec s;
  s.name = "diff";
  s.operands = "A.h5 B.h5";
  s.summary =
      "per country (and policy) the metrics of `summarize` for A, B and B - A; for two sweeps "
      "over the same futures also the paired differences run by run";
  s.description =
      "Per country, the metrics of `sovcap summarize` for A, for B and B - A (over the complete\n"
      "runs of each): policy by policy where both files have the same policies (lever values),\n"
      "else, or with --pool, over every run of each. When A and B are sweeps over the same\n"
      "futures (the same runs with the same sampled values: same seed, design and uncertain\n"
      "keys), also the paired differences run by run (mean and 10/50/90th percentiles of B - A)\n"
      "of the reach years (never: the horizon + dt) and the values at the horizon. Otherwise\n"
      "only the unpaired table, and a note saying why; --paired refuses such files instead.\n"
      "--format markdown: the lists of what changed (median 1 GW and target years, dominant\n"
      "bottlenecks, compute) that docs/scenarios.md shows.\n";
  s.options.add_options()("help,h", "this help")("a", po::value<std::string>()->required(),
                                                  "results file A")(
      "b", po::value<std::string>()->required(), "results file B")(
      "countries", po::value<std::string>()->value_name("ISO3,..."),
      "ISO3 codes separated by commas (default: every country in both)")(
      "format", po::value<std::string>()->default_value("text")->value_name("text|csv|json|markdown"),
      "output format")("paired", po::bool_switch(),
                       "require paired differences (exit 2 for files of different designs)")(
      "pool", po::bool_switch(), "pool the runs of every policy");
  s.positional.add("a", 1).add("b", 1);
  return s;
}

int cmd_diff(const std::vector<std::string>& args) {
  const CommandSpec spec = diff_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    const std::string format = vm["format"].as<std::string>();
    const DiffFormat f = format == "text"   ? DiffFormat::text
                         : format == "csv"  ? DiffFormat::csv
                         : format == "json" ? DiffFormat::json
                                            : DiffFormat::markdown;
    if (f == DiffFormat::markdown && format != "markdown")
      throw RequestError("--format " + format + ": allowed text, csv, json, markdown");
    DiffRequest request;
    if (vm.count("countries")) request.countries = vm["countries"].as<std::string>();
    request.require_paired = vm["paired"].as<bool>();
    request.pool = vm["pool"].as<bool>();
    const DiffReport report = diff_report(vm["a"].as<std::string>(), vm["b"].as<std::string>(), request);
    print_warnings(report.warnings);
    if (!report.paired && f != DiffFormat::markdown && report.runs_a > 1)
      print_warnings({"no paired differences: " + report.unpaired_reason});
    std::cout << render(report, f);
    return kExitOk;
  });
}

}  // namespace sovcap::app
