#pragma once
// What a command is, said once: its name, operands, one-line summary, description and
// options. `sovcap COMMAND --help`, the command list of `sovcap --help` and the README's
// command table (`sovcap help --markdown`, checked against README.md by a test) are all
// made from it, so that none of them can leave an option out.

#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace sovcap::app {

struct CommandSpec {
  std::string name;         // "summarize"
  std::string operands;     // what follows the name before any option: "OUT.h5"
  std::string summary;      // one line, for `sovcap --help` and the README's table
  std::string description;  // --help's text after the usage line
  boost::program_options::options_description options{"options"};
  boost::program_options::positional_options_description positional;
  // Options the synopsis shows as one choice, at the place of the first: "[--runs A:B |
  // --shard K/N]", or, when `required`, "(--metric M | --series SERIES)".
  struct Choice {
    std::vector<std::string> names;
    bool required = false;
  };
  std::vector<Choice> choices;
};

// "summarize OUT.h5 [--by all|policy] [--format text|csv|markdown|json] ...": every option
// but --help and the operands, in the order declared; `[...]` optional, `...` repeatable.
std::string synopsis(const CommandSpec& spec);

// "usage: sovcap SYNOPSIS" wrapped to the terminal's 92 columns, then the description.
std::string usage(const CommandSpec& spec);

// The whole --help: usage, then every option with its meaning and default.
std::string help_text(const CommandSpec& spec);

// The command list of `sovcap --help`: "  NAME OPERANDS  summary", wrapped.
std::string command_list(const std::vector<CommandSpec>& specs);

// The README's command table: one row per command, its synopsis and summary.
std::string command_table_markdown(const std::vector<CommandSpec>& specs);

}  // namespace sovcap::app
