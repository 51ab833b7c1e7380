// sovcap: simulator of national AI compute buildouts. This file only dispatches to the
// subcommands; the work is done by the simulator (sim/) and analysis (analysis/) libraries.

#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "sovcap/version.hpp"

namespace {

using namespace sovcap::app;

// The commands in the order `sovcap --help` and the README list them.
std::vector<CommandSpec> all_specs() {
  std::vector<CommandSpec> specs;
  for (auto make : {run_spec, validate_spec, params_spec, summarize_spec, merge_spec,
                    sensitivity_spec, export_spec, compare_spec, check_spec, robustness_spec,
                    diff_spec, discover_spec})
    specs.push_back(make());
  return specs;
}

std::string main_usage() {
  return "usage: sovcap COMMAND [ARGS...]\n\n"
         "Simulates national AI compute buildouts under power, capital, talent and chip-supply\n"
         "constraints, coupled through one global chip market.\n\ncommands:\n" +
         command_list(all_specs()) +
         "\noptions:\n"
         "  -h, --help         this help; `sovcap COMMAND --help` for a command's options\n"
         "  --version          print the version and source revision\n"
         "  help COMMAND       a command's help; help --markdown: the README's command table\n\n"
         "exit status: 0 ok, 2 bad input (scenario, command line, existing output without --force),\n"
         "1 any other failure, 128+N when stopped by signal N (the partial file is kept for --resume).\n";
}

// `sovcap help [COMMAND | --markdown]`.
int help(const std::vector<std::string>& rest) {
  if (rest.empty()) {
    std::cout << main_usage();
    return kExitOk;
  }
  const auto specs = all_specs();
  if (rest.size() == 1 && rest[0] == "--markdown") {
    std::cout << command_table_markdown(specs);
    return kExitOk;
  }
  for (const auto& s : specs)
    if (rest.size() == 1 && s.name == rest[0]) {
      std::cout << help_text(s);
      return kExitOk;
    }
  std::cerr << "sovcap: error: help " << rest[0]
            << ": allowed a command name or --markdown (see sovcap --help)\n";
  return kExitBadInput;
}

std::string quote(const std::string& a) {
  if (!a.empty() && a.find_first_of(" \t\n'\"\\$`*?[]{}();<>|&!#~") == std::string::npos) return a;
  std::string q = "'";
  for (char ch : a) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << main_usage();
    return kExitBadInput;
  }
  const std::string command = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "-h" || command == "--help") return help({});
  if (command == "help") return help(rest);
  if (command == "--version") {
    std::cout << "sovcap " << sovcap::kVersion << " (" << sovcap::kGitRevision << ")\n";
    return kExitOk;
  }
  std::string command_line = "sovcap";
  for (const auto& a : args) command_line += " " + quote(a);
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
  std::string allowed;
  for (const auto& s : all_specs()) allowed += (allowed.empty() ? "" : ", ") + s.name;
  std::cerr << "sovcap: error: unknown command '" << command << "'; allowed: " << allowed
            << " (see sovcap --help)\n";
  return kExitBadInput;
}
