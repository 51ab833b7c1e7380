// `sovcap check OUT.h5`: verifies a results file (analysis/sovcap/check.hpp). Exit 0 when
// every check holds, 1 with the problems found (a damaged sovcap file among them), 2 for a
// file that is not a sovcap file.

#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/check.hpp"
#include "sovcap/output.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

CommandSpec check_spec() {
  CommandSpec s;
  s.name = "check";
  s.operands = "OUT.h5";
  s.summary =
      "verify a results file: known format, every run complete, every shard of a master "
      "readable, the model's invariants on what is stored; exit 0 ok, 1 problems (listed; a damaged sovcap file is one), 2 "
      "not a sovcap file";
  s.description =
      "Verifies a results file: file_type and format_version known; every run complete\n"
      "(run_complete 1; a partial file says how many are missing); for a merged master,\n"
      "every shard present and readable; and the model's invariants on what is stored: no\n"
      "negative stocks, it_mw <= (grid_mw + onsite_mw) / pue, chip_received <= chip_demand, chips received\n"
      "summed over countries <= vendor_supply, funds_usd = cash_usd + capex_usd + opex_usd,\n"
      "bottleneck codes in 0..6, year_gw_reached consistent with it_mw. A summary-store file\n"
      "is checked on what it holds; the checks that could not run are listed.\n"
      "Exit status: 0 every check holds, 1 problems found (listed; a sovcap file too damaged\n"
      "to read is one), 2 not a sovcap file.\n";
  s.options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                  "sovcap results file")(
      "format", po::value<std::string>()->default_value("text")->value_name("text|json"),
      "output format")("max-problems", po::value<int>()->default_value(25)->value_name("N"),
                       "problems listed (the rest are counted)");
  s.positional.add("file", 1);
  return s;
}

int cmd_check(const std::vector<std::string>& args) {
  const CommandSpec spec = check_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    const std::string path = vm["file"].as<std::string>();
    const std::string format = vm["format"].as<std::string>();
    if (format != "text" && format != "json")
      throw RequestError("--format: '" + format + "' is not allowed; allowed: text, json");
    const int max_problems = vm["max-problems"].as<int>();
    if (max_problems < 0) throw RequestError("--max-problems: must be 0 or more");
    CheckOptions opt;
    opt.max_problems = static_cast<std::size_t>(max_problems);
    CheckReport report;
    try {
      report = check_results(path, opt);
    } catch (const OutputError& e) {
      // Not a sovcap file: bad input, not a failed check.
      throw RequestError(e.what());
    }
    std::cout << format_check_report(report, format == "json");
    if (!report.ok() && format == "text")
      std::cerr << "sovcap: check failed: " << report.problem_count << " problem"
                << (report.problem_count == 1 ? "" : "s") << " in " << path << "\n";
    return report.ok() ? kExitOk : kExitFailure;
  });
}

}  // namespace sovcap::app
