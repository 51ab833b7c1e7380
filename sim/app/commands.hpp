#pragma once
// The sovcap program's subcommands, one file each (cmd_NAME.cpp). Each body takes the
// arguments after its name and returns the process exit status: 0 ok, 2 bad input
// (scenario, command line, existing output without --force), 1 any other failure.

#include <string>
#include <vector>

#include "command_spec.hpp"

namespace sovcap::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

// Each command's spec (its options, operands and help texts) and its body.
CommandSpec run_spec();
CommandSpec validate_spec();
CommandSpec params_spec();
CommandSpec summarize_spec();
CommandSpec merge_spec();
CommandSpec sensitivity_spec();
CommandSpec export_spec();
CommandSpec compare_spec();
CommandSpec check_spec();
CommandSpec robustness_spec();
CommandSpec diff_spec();
CommandSpec discover_spec();

// `command_line` is the whole invocation, stored in output files.
int cmd_run(const std::vector<std::string>& args, const std::string& command_line);
int cmd_validate(const std::vector<std::string>& args);
int cmd_params(const std::vector<std::string>& args);
int cmd_summarize(const std::vector<std::string>& args);
int cmd_merge(const std::vector<std::string>& args, const std::string& command_line);
int cmd_sensitivity(const std::vector<std::string>& args);
int cmd_export(const std::vector<std::string>& args);
int cmd_compare(const std::vector<std::string>& args);
int cmd_check(const std::vector<std::string>& args);
int cmd_robustness(const std::vector<std::string>& args);
int cmd_diff(const std::vector<std::string>& args);
int cmd_discover(const std::vector<std::string>& args);

}  // namespace sovcap::app
