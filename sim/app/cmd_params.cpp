// `sovcap params`: the parameter registry as a listing (parameter_listing,
// sim/sovcap/describe.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/describe.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

int cmd_params(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: sovcap params [--markdown]\n\nLists every parameter with its unit, default, "
      "allowed values and meaning.\nScenario keys: [simulation] X, [global] X, [defaults] X, "
      "[country.\"*\"] X or [country.ISO3] X; on the command line: --set SCOPE.X=VALUE\n"
      "(country.*.X for every country). A country's value, lowest to highest: built-in default,\n"
      "[defaults], its CSV row, [country.\"*\"], [country.ISO3].\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")("markdown", "print a Markdown table");
  po::positional_options_description positional;

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    std::cout << parameter_listing(vm.count("markdown") > 0);
    return kExitOk;
  });
}

}  // namespace sovcap::app
