// `sovcap validate SCENARIO`: checks a scenario and lists its resolved parameters
// (describe_scenario, sim/sovcap/describe.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/describe.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

int cmd_validate(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: sovcap validate SCENARIO [--set KEY=VALUE]...\n\nChecks SCENARIO and prints "
      "every resolved parameter per country, with where its value came from.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")(
      "scenario", po::value<std::string>()->required(), "scenario file (TOML)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a parameter: KEY=VALUE, VALUE read as TOML");
  po::positional_options_description positional;
  positional.add("scenario", 1);

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const auto overrides =
        vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
    std::cout << describe_scenario(load_scenario(vm["scenario"].as<std::string>(), overrides));
    return kExitOk;
  });
}

}  // namespace sovcap::app
