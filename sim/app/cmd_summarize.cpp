// `sovcap summarize OUT.h5`: per-country summary of a results file (summarize_file,
// analysis/sovcap/summary_io.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/summary_io.hpp"

namespace po = boost::program_options;

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
    const SummaryRequest request = summary_request(vm);
    const std::string by = vm["by"].as<std::string>();
    if (by != "all" && by != "policy") throw RequestError("--by " + by + ": allowed all, policy");
    const Answer answer = summarize_file(vm["file"].as<std::string>(), request, by == "policy");
    print_warnings(answer.warnings);
    std::cout << answer.text;
    return kExitOk;
  });
}

}  // namespace sovcap::app
