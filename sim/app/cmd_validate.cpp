// `sovcap validate SCENARIO`: checks a scenario and lists its resolved parameters
// (describe_scenario, sim/sovcap/describe.hpp).

#include <algorithm>
#include <iostream>
#include <thread>

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
  s.summary =
      "check the scenario and print every resolved parameter with where it came from; for a "
      "sweep, its policies, uncertain keys, runs, and file size and time per store mode";
  s.description =
      "Checks SCENARIO and prints every resolved parameter per country, with where its value\n"
      "came from. For a sweep it first lists the policies (lever values), the uncertain keys\n"
      "(distributions) and the number of runs, and estimates the results file's size and the\n"
      "time to run it in each store mode (rough: the time from the development machine's rates\n"
      "on this machine's cores).\n";
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
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const Scenario sc = load_scenario(vm["scenario"].as<std::string>(), overrides);
    // The same warnings `run` prints (values no country uses), before the description.
    for (const auto& w : sc.warnings) std::cerr << "sovcap: warning: " << format_diagnostic(w) << "\n";
    std::cout << describe_scenario(sc, cores);
    return kExitOk;
  });
}

}  // namespace sovcap::app
