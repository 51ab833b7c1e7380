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
      "per country: 1 GW and target years, capacity, compute, energy, money, dominant "
      "bottleneck per period";
  s.description =
      "Per country: the year IT capacity first reaches 1 GW and the final target (median, with\n"
      "the 10-90% range and the probability of reaching it by the horizon when the file holds\n"
      "many runs), capacity (MW) and compute at chosen years, energy use and money spent by the\n"
      "horizon, and the bottleneck of most steps in each period.\n";
  s.options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                  "sovcap results file")(
      "by", po::value<std::string>()->default_value("all")->value_name("all|policy"),
      "all: one summary over every run; policy: one per policy of a sweep");
  add_summary_options(s.options);
  s.positional.add("file", 1);
  return s;
}

int cmd_summarize(const std::vector<std::string>& args) {
  const CommandSpec spec = summarize_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
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
