// `sovcap diff A.h5 B.h5`: what changed between two results files, per country, and run
// by run for two sweeps over the same futures (diff_report, analysis/sovcap/diff.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/diff.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

int cmd_diff(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: sovcap diff A.h5 B.h5 [--countries ISO3,...] [--format text|csv|json|markdown] [--paired]\n"
      "                   [--pool]\n\n"
      "Per country, the metrics of `sovcap summarize` for A, for B and B - A (over the complete\n"
      "runs of each): policy by policy where both files have the same policies (lever values),\n"
      "else, or with --pool, over every run of each. When A and B are sweeps over the same\n"
      "futures (the same runs with the same sampled values: same seed, design and uncertain\n"
      "keys), also the paired differences run by run (mean and 10/50/90th percentiles of B - A)\n"
      "of the reach years (never: the horizon + dt) and the values at the horizon. Otherwise\n"
      "only the unpaired table, and a note saying why; --paired refuses such files instead.\n"
      "--format markdown: the lists of what changed (median 1 GW and target years, dominant\n"
      "bottlenecks, compute) that docs/scenarios.md shows.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")("a", po::value<std::string>()->required(), "results file A")(
      "b", po::value<std::string>()->required(), "results file B")(
      "countries", po::value<std::string>(), "ISO3 codes separated by commas (default: every country in both)")(
      "format", po::value<std::string>()->default_value("text"), "text, csv, json or markdown")(
      "paired", po::bool_switch(), "require paired differences (exit 2 for files of different designs)")(
      "pool", po::bool_switch(), "pool the runs of every policy");
  po::positional_options_description positional;
  positional.add("a", 1).add("b", 1);

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
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
