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
      "usage: sovcap summarize OUT.h5 [--format text|csv|markdown|json] [--years Y,...] [--periods Y,...]\n"
      "                        [--reach MW] [--by policy|all | --pool]\n\n"
      "Per country: the year IT capacity first reaches --reach MW (default 1000) and the final target\n"
      "(median, with the 10-90% range and the probability of reaching it by the horizon and by each\n"
      "year when the file holds many runs), capacity (MW) and compute at chosen years, energy use and\n"
      "money spent by the last of them, and the bottleneck of most steps in each period. A sweep is\n"
      "summarised per policy unless --pool. A summary-store file gives what it stores and names the\n"
      "rest, with the --keep that would give it.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                "sovcap results file");
  add_summary_options(options);
  po::positional_options_description positional;
  positional.add("file", 1);

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const Answer answer = summarize_file(vm["file"].as<std::string>(), summary_request(vm));
    print_warnings(answer.warnings);
    std::cout << answer.text;
    return kExitOk;
  });
}

}  // namespace sovcap::app
