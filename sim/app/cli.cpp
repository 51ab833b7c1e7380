#include "cli.hpp"

#include <cmath>
#include <sstream>

namespace po = boost::program_options;

namespace sovcap::app {

bool parse_args(const std::vector<std::string>& args, const po::options_description& options,
                const po::positional_options_description& positional, po::variables_map& vm,
                const std::string& usage) {
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n" << options;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + "\n" + usage);
  }
  return true;
}

void print_diagnostics(const InputError& e) {
  for (const auto& d : e.diagnostics()) std::cerr << "sovcap: error: " << format_diagnostic(d) << "\n";
  std::cerr << "sovcap: " << e.diagnostics().size() << " problem"
            << (e.diagnostics().size() == 1 ? "" : "s") << " in the input; nothing was run\n";
}

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
      throw UsageError(option + ": '" + item + "' is not a year; give years separated by commas");
    if (!out.empty() && v <= out.back())
      throw UsageError(option + ": years must increase (" + text + ")");
    out.push_back(v);
  }
  if (out.empty()) throw UsageError(option + ": give at least one year");
  return out;
}

SummaryFormat parse_summary_format(const std::string& name) {
  if (name == "text") return SummaryFormat::text;
  if (name == "csv") return SummaryFormat::csv;
  if (name == "markdown") return SummaryFormat::markdown;
  if (name == "json") return SummaryFormat::json;
  throw UsageError("--format " + name + ": allowed text, csv, markdown, json");
}

void add_summary_options(po::options_description& options) {
  options.add_options()("format", po::value<std::string>()->default_value("text"),
                        "text, csv, markdown or json")(
      "years", po::value<std::string>(), "years at which to report capacity (default: every 2-5 years)")(
      "periods", po::value<std::string>(),
      "boundaries between bottleneck periods (default: every 4 years from start + 3)");
}

SummaryOptions summary_options(const po::variables_map& vm, const ResultsReader& in) {
  const auto& time = in.time();
  SummaryOptions opt = default_summary_options(time.front(), time.back());
  if (vm.count("years")) opt.years = parse_year_list(vm["years"].as<std::string>(), "--years");
  if (vm.count("periods"))
    opt.period_bounds = parse_year_list(vm["periods"].as<std::string>(), "--periods");
  if (!in.has_trajectories() && !vm.count("years") && !vm.count("periods")) {
    opt.years.clear();
    opt.period_bounds.clear();
  }
  return opt;
}

}  // namespace sovcap::app
