// sovcap: simulator of national AI compute buildouts. This file only dispatches to the
// subcommands; the work is done by the simulator (sim/) and analysis (analysis/) libraries.

#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "sovcap/version.hpp"

namespace {

constexpr const char* kUsage = R"(usage: sovcap COMMAND [ARGS...]

Simulates national AI compute buildouts under power, capital, talent and chip-supply
constraints, coupled through one global chip market.

commands:
  run SCENARIO       run a scenario (every run of its sweep) into an HDF5 (netCDF-4) file
  validate SCENARIO  check a scenario and print the resolved parameters per country
  params             list every parameter with unit, default, allowed range and meaning
  summarize OUT.h5   per-country summary of a results file: 1 GW and target years,
                     capacity, compute, money, dominant bottleneck per period
  merge OUT.h5 SHARD...  join the shard files of one sweep into a master file
  sensitivity OUT.h5 --metric M  Sobol indices (first order, total) of a metric over the
                     uncertain parameters of a Saltelli sweep, with bootstrap intervals
  export OUT.h5 --csv DIR  write the results as CSV tables (series, summary, parameters)
  compare OUT.h5 --countries KOR,FRA  the summary metrics of a few countries side by side
  check OUT.h5       verify a results file: complete, shards present, invariants hold
  robustness OUT.h5 --metric M  regret and satisficing of each policy of a sweep over the
                     futures they share (common random numbers)
  diff A.h5 B.h5     what changed between two results files, per country (paired run by
                     run for two sweeps over the same futures)
  discover OUT.h5 --country ISO3 --metric M --above X  scenario discovery (PRIM): which
                     region of the sampled inputs leads to the case of interest

options:
  -h, --help         this help; `sovcap COMMAND --help` for a command's options
  --version          print the version and source revision

exit status: 0 ok, 2 bad input (scenario, command line, existing output without --force),
1 any other failure, 128+N when stopped by signal N (the partial file is kept for --resume).
)";

std::string quote(const std::string& a) {
  if (!a.empty() && a.find_first_of(" \t\n'\"\\$`*?[]{}();<>|&!#~") == std::string::npos) return a;
  std::string q = "'";
  for (char ch : a) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sovcap::app;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return kExitBadInput;
  }
  const std::string command = args.front();
  if (command == "-h" || command == "--help" || command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (command == "--version") {
    std::cout << "sovcap " << sovcap::kVersion << " (" << sovcap::kGitRevision << ")\n";
    return kExitOk;
  }
  std::string command_line = "sovcap";
  for (const auto& a : args) command_line += " " + quote(a);
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "run") return cmd_run(rest, command_line);
  if (command == "validate") return cmd_validate(rest);
  if (command == "params") return cmd_params(rest);
  if (command == "summarize") return cmd_summarize(rest);
  if (command == "merge") return cmd_merge(rest, command_line);
  if (command == "sensitivity") return cmd_sensitivity(rest);
  if (command == "export") return cmd_export(rest);
  if (command == "compare") return cmd_compare(rest);
  if (command == "check") return cmd_check(rest);
  if (command == "robustness") return cmd_robustness(rest);
  if (command == "diff") return cmd_diff(rest);
  if (command == "discover") return cmd_discover(rest);
  std::cerr << "sovcap: error: unknown command '" << command
            << "'; allowed: run, validate, params, summarize, merge, sensitivity, export, compare, check, robustness, diff, discover (see sovcap --help)\n";
  return kExitBadInput;
}
