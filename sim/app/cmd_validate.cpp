// `sovcap validate SCENARIO`: checks a scenario and lists its resolved parameters
// (describe_scenario, sim/sovcap/describe.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/describe.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

CommandSpec validate_spec() {
  CommandSpec s;
  s.name = "validate";
  s.operands = "SCENARIO";
  s.summary = "check the scenario and print every resolved parameter with where it came from";
  s.description =
      "Checks SCENARIO and prints every resolved parameter per country, with where its value\n"
      "came from.\n";
  s.options.add_options()("help,h", "this help")(
      "scenario", po::value<std::string>()->required(), "scenario file (TOML)")(
      "set", po::value<std::vector<std::string>>()->composing()->value_name("KEY=VALUE"),
      "override a parameter: KEY=VALUE, VALUE read as TOML");
  s.positional.add("scenario", 1);
  return s;
}

int cmd_validate(const std::vector<std::string>& args) {
  const CommandSpec spec = validate_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    const auto overrides =
        vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
    std::cout << describe_scenario(load_scenario(vm["scenario"].as<std::string>(), overrides));
    return kExitOk;
  });
}

}  // namespace sovcap::app
