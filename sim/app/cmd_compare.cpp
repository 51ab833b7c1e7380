// `sovcap compare OUT.h5 --countries KOR,FRA,GBR`: the metrics of `sovcap summarize` for a
// few countries side by side (compare_countries, analysis/sovcap/compare.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/compare.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

CommandSpec compare_spec() {
  CommandSpec s;
  s.name = "compare";
  s.operands = "OUT.h5";
  s.summary =
      "the metrics of `summarize` for the countries given, side by side (a column per country), "
      "per policy unless `--pool`";
  s.description =
      "The metrics of `sovcap summarize` for the countries given, side by side: one column per\n"
      "country, in the order given, and one row per metric; per policy of a sweep unless --pool.\n";
  s.options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                  "sovcap results file")(
      "countries", po::value<std::string>()->required()->value_name("ISO3,..."),
      "ISO3 codes separated by commas, e.g. KOR,FRA,GBR");
  add_summary_options(s);
  s.positional.add("file", 1);
  return s;
}

int cmd_compare(const std::vector<std::string>& args) {
  const CommandSpec spec = compare_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    const Answer answer = compare_countries(vm["file"].as<std::string>(),
                                            vm["countries"].as<std::string>(), summary_request(vm));
    print_warnings(answer.warnings);
    std::cout << answer.text;
    return kExitOk;
  });
}

}  // namespace sovcap::app
