#include "command_spec.hpp"

#include <algorithm>
#include <sstream>

namespace po = boost::program_options;

namespace sovcap::app {
namespace {

constexpr std::size_t kColumns = 92;

bool is_operand(const CommandSpec& spec, const std::string& name) {
  for (unsigned i = 0; i < spec.positional.max_total_count() && i < 16; ++i)
    if (spec.positional.name_for_position(i) == name) return true;
  return false;
}

// "-o OUT.h5", "--keep SERIES,...", "--force": the short form for an option with a value
// when it has one, the long form otherwise.
std::string option_text(const po::option_description& od) {
  const auto& value = *od.semantic();
  if (value.max_tokens() == 0) return "--" + od.long_name();
  std::string name = value.name();
  name = name.substr(0, name.find(" (="));  // without the default boost appends
  const std::string shown = od.canonical_display_name(po::command_line_style::allow_dash_for_short);
  const bool has_short = shown.size() == 2 && shown[0] == '-';
  return (has_short ? shown : "--" + od.long_name()) + " " + name;
}

std::string optional_text(const po::option_description& od) {
  const bool required = od.semantic()->is_required();
  const std::string t = option_text(od);
  return (required ? t : "[" + t + "]") + (od.semantic()->is_composing() ? "..." : "");
}

const CommandSpec::Choice* choice_of(const CommandSpec& spec, const std::string& name) {
  for (const auto& c : spec.choices)
    if (std::find(c.names.begin(), c.names.end(), name) != c.names.end()) return &c;
  return nullptr;
}

// The synopsis as words (an option with its value is one word), for wrapping.
std::vector<std::string> synopsis_words(const CommandSpec& spec) {
  std::vector<std::string> words = {spec.name};
  if (!spec.operands.empty()) words.push_back(spec.operands);
  for (const auto& od : spec.options.options()) {
    const std::string& name = od->long_name();
    if (name == "help" || is_operand(spec, name)) continue;
    const CommandSpec::Choice* c = choice_of(spec, name);
    if (!c) {
      words.push_back(optional_text(*od));
      continue;
    }
    if (c->names.front() != name) continue;
    std::string alt;
    for (const auto& n : c->names)
      alt += (alt.empty() ? "" : " | ") + option_text(spec.options.find(n, false));
    words.push_back(c->required ? "(" + alt + ")" : "[" + alt + "]");
  }
  return words;
}

// Words joined into lines of at most kColumns, every line after the first indented.
std::string wrap(const std::vector<std::string>& words, const std::string& first,
                 std::size_t indent) {
  std::string out = first, line = first.substr(first.rfind('\n') + 1);
  bool fresh = true;
  for (const auto& w : words) {
    if (!fresh && line.size() + 1 + w.size() > kColumns) {
      out += "\n" + std::string(indent, ' ');
      line = std::string(indent, ' ');
      fresh = true;
    }
    const std::string piece = (fresh ? "" : " ") + w;
    out += piece;
    line += piece;
    fresh = false;
  }
  return out;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream is(text);
  for (std::string w; is >> w;) words.push_back(w);
  return words;
}

}  // namespace

std::string synopsis(const CommandSpec& spec) {
  std::string out;
  for (const auto& w : synopsis_words(spec)) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string usage(const CommandSpec& spec) {
  const std::string head = "usage: sovcap ";
  const std::string line = wrap(synopsis_words(spec), head, head.size() + spec.name.size() + 1);
  return line + "\n\n" + spec.description;
}

std::string help_text(const CommandSpec& spec) {
  std::ostringstream os;
  os << usage(spec) << "\n" << spec.options;
  return os.str();
}

std::string command_list(const std::vector<CommandSpec>& specs) {
  std::string out;
  for (const auto& s : specs) {
    // The summary from column 21, below the name where that is too long.
    std::string head = "  " + s.name + (s.operands.empty() ? "" : " " + s.operands);
    head += head.size() + 2 <= 21 ? std::string(21 - head.size(), ' ') : "\n" + std::string(21, ' ');
    out += wrap(split_words(s.summary), head, 21) + "\n";
  }
  return out;
}

std::string command_table_markdown(const std::vector<CommandSpec>& specs) {
  auto code = [](std::string s) {
    std::string out;
    for (char ch : s) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
    return "`sovcap " + out + "`";
  };
  std::string out = "| command | what it does |\n|---|---|\n";
  for (const auto& s : specs) out += "| " + code(synopsis(s)) + " | " + s.summary + " |\n";
  out += "| " + code("--version") + ", " + code("COMMAND --help") + ", " +
         code("help [COMMAND | --markdown]") +
         " | version and source revision; a command's help; this table |\n";
  return out;
}

}  // namespace sovcap::app
