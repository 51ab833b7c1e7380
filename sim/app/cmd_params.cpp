// `sovcap params`: the parameter registry as a listing (parameter_listing,
// sim/sovcap/describe.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/describe.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

CommandSpec params_spec() {
  CommandSpec s;
  s.name = "params";
  s.summary = "the parameter reference, from the registry the loader uses";
  s.description =
      "Lists every parameter with its unit, default, allowed values and meaning.\nScenario keys: "
      "[simulation] X, [global] X, [defaults] X, [country.\"*\"] X or [country.ISO3] X; on the\n"
      "command line: --set SCOPE.X=VALUE (country.*.X for every country). A country's value,\n"
      "lowest to highest: built-in default, [defaults], its CSV row, [country.\"*\"],\n"
      "[country.ISO3].\n";
  s.options.add_options()("help,h", "this help")("markdown", "print a Markdown table");
  return s;
}

int cmd_params(const std::vector<std::string>& args) {
  const CommandSpec spec = params_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    std::cout << parameter_listing(vm.count("markdown") > 0);
    return kExitOk;
  });
}

}  // namespace sovcap::app
