// `sovcap summarize OUT.h5`: per-country summary of a results file (summarize_file,
// analysis/sovcap/summary_io.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/summary_io.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

CommandSpec summarize_spec() {
  CommandSpec s;
  s.name = "summarize";
  s.operands = "OUT.h5";
  s.summary =
      "per country: the year capacity first reaches `--reach` MW (default 1000) and the final "
      "target, with P(reached by each year) over a sweep's runs; capacity, compute, energy and "
      "money at the years given; dominant bottleneck per period; one summary per policy unless "
      "`--pool`";
  s.description =
      "Per country: the year IT capacity first reaches --reach MW (default 1000) and the final\n"
      "target (median, with the 10-90% range and the probability of reaching it by the horizon\n"
      "and by each year when the file holds many runs), capacity (MW) and compute at chosen\n"
      "years, energy use and money spent by the last of them, and the bottleneck of most steps\n"
      "in each period. A sweep is summarised per policy unless --pool. A summary-store file\n"
      "gives what it stores and names the rest, with the --keep that would give it.\n";
  s.options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                  "sovcap results file");
  add_summary_options(s);
  s.positional.add("file", 1);
  return s;
}

int cmd_summarize(const std::vector<std::string>& args) {
  const CommandSpec spec = summarize_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    const Answer answer = summarize_file(vm["file"].as<std::string>(), summary_request(vm));
    print_warnings(answer.warnings);
    std::cout << answer.text;
    return kExitOk;
  });
}

}  // namespace sovcap::app
