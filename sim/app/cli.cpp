#include "cli.hpp"

#include <cmath>
#include <sstream>

namespace po = boost::program_options;

namespace sovcap::app {
namespace {

// "2030,2035" -> {2030, 2035}, increasing; a bad list is a RequestError naming `option`.
std::vector<double> parse_year_list(const std::string& text, const std::string& option) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::size_t used = 0;
    double v = 0.0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || !std::isfinite(v))
      throw RequestError(option + ": '" + item + "' is not a year; give years separated by commas");
    if (!out.empty() && v <= out.back())
      throw RequestError(option + ": years must increase (" + text + ")");
    out.push_back(v);
  }
  if (out.empty()) throw RequestError(option + ": give at least one year");
  return out;
}

// "text", "csv", "markdown" or "json".
SummaryFormat parse_summary_format(const std::string& name) {
  if (name == "text") return SummaryFormat::text;
  if (name == "csv") return SummaryFormat::csv;
  if (name == "markdown") return SummaryFormat::markdown;
  if (name == "json") return SummaryFormat::json;
  throw RequestError("--format " + name + ": allowed text, csv, markdown, json");
}

}  // namespace

bool parse_args(const std::vector<std::string>& args, const CommandSpec& spec,
                po::variables_map& vm) {
  try {
    po::store(po::command_line_parser(args).options(spec.options).positional(spec.positional).run(),
              vm);
    if (vm.count("help")) {
      std::cout << help_text(spec);
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw RequestError(std::string(e.what()) + "\n" + usage(spec));
  }
  return true;
}

void print_diagnostics(const InputError& e) {
  for (const auto& d : e.diagnostics()) std::cerr << "sovcap: error: " << format_diagnostic(d) << "\n";
  std::cerr << "sovcap: " << e.diagnostics().size() << " problem"
            << (e.diagnostics().size() == 1 ? "" : "s") << " in the input; nothing was run\n";
}

void print_warnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) std::cerr << "sovcap: warning: " << w << "\n";
}

void add_summary_options(CommandSpec& spec) {
  spec.options.add_options()(
      "format", po::value<std::string>()->default_value("text")->value_name("text|csv|markdown|json"),
      "output format")(
      "years", po::value<std::string>()->value_name("Y,..."),
      "years at which to report capacity, and P(reach) for sweeps (default: every 2-5 years); each value "
      "is of the last stored time at or before the year")(
      "periods", po::value<std::string>()->value_name("Y,..."),
      "boundaries between bottleneck periods (default: every 4 years from start + 3)")(
      "reach", po::value<std::string>()->default_value("1000")->value_name("MW"),
      "report when IT capacity first reaches this many MW (the first stored step at or above it)")(
      "by", po::value<std::string>()->value_name("policy|all"),
      "policy (default): one summary per policy of a sweep; all: pool them")(
      "pool", "pool the runs of every policy (the same as --by all)");
  spec.choices.push_back({{"by", "pool"}, false});
}

SummaryRequest summary_request(const po::variables_map& vm) {
  SummaryRequest request;
  request.format = parse_summary_format(vm["format"].as<std::string>());
  if (vm.count("years")) request.years = parse_year_list(vm["years"].as<std::string>(), "--years");
  if (vm.count("periods"))
    request.period_bounds = parse_year_list(vm["periods"].as<std::string>(), "--periods");
  const std::string reach = vm["reach"].as<std::string>();
  std::size_t used = 0;
  try {
    request.reach_mw = std::stod(reach, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != reach.size() || !std::isfinite(request.reach_mw) || request.reach_mw <= 0.0)
    throw RequestError("--reach " + reach + ": give a capacity in MW above 0, e.g. --reach 2000");
  request.pool = vm.count("pool") > 0;
  if (vm.count("by")) {
    const std::string by = vm["by"].as<std::string>();
    if (by != "all" && by != "policy") throw RequestError("--by " + by + ": allowed policy, all");
    if (by == "policy" && request.pool) throw RequestError("--by policy and --pool: choose one");
    request.pool = by == "all";
  }
  return request;
}

}  // namespace sovcap::app
