// `sovcap compare OUT.h5 --countries KOR,FRA,GBR`: the metrics of `sovcap summarize` for a
// few countries side by side (compare_countries, analysis/sovcap/compare.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/compare.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

int cmd_compare(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: sovcap compare OUT.h5 --countries ISO3,... [--format text|csv|markdown|json]\n"
      "                      [--years Y,...] [--periods Y,...] [--reach MW] [--by policy|all | --pool]\n\n"
      "The metrics of `sovcap summarize` for the countries given, side by side: one column per\n"
      "country, in the order given, and one row per metric; per policy of a sweep unless --pool.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                "sovcap results file")(
      "countries", po::value<std::string>()->required(), "ISO3 codes separated by commas, e.g. KOR,FRA,GBR");
  add_summary_options(options);
  po::positional_options_description positional;
  positional.add("file", 1);

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const Answer answer = compare_countries(vm["file"].as<std::string>(),
                                            vm["countries"].as<std::string>(), summary_request(vm));
    print_warnings(answer.warnings);
    std::cout << answer.text;
    return kExitOk;
  });
}

}  // namespace sovcap::app
