// `sovcap export OUT.h5 --csv DIR`: the results file as tidy CSV tables
// (analysis/sovcap/export.hpp).

#include <filesystem>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/answer.hpp"
#include "sovcap/export.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

CommandSpec export_spec() {
  CommandSpec s;
  s.name = "export";
  s.operands = "OUT.h5";
  s.summary =
      "write the file as tidy CSV tables (`series.csv`, `run_series.csv`, `summary.csv`, "
      "`parameters.csv`) for pandas, R or a spreadsheet";
  s.description =
      "Writes the results file as CSV tables into folder DIR, one row per observation:\n"
      "  series.csv      run, policy, sample, iso3, time, then every stored series\n"
      "  run_series.csv  run, policy, sample, time, then the chip-market series (full store)\n"
      "  summary.csv     run, policy, sample, iso3, 1 GW and target years, bottleneck shares,\n"
      "                  *_final values (summary store)\n"
      "  parameters.csv  run, policy, sample, iso3, every parameter, lever and sampled value\n"
      "Only complete runs are written. Numbers read back exactly; an empty cell is a missing\n"
      "value (NaN). DIR is written as DIR.partial and renamed when complete; an existing,\n"
      "non-empty DIR is kept unless --force (which replaces an earlier export only).\n";
  s.options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                  "sovcap results file")(
      "csv", po::value<std::string>()->required()->value_name("DIR"),
      "folder to write the CSV files into")("force", "replace DIR if it holds an earlier export");
  s.positional.add("file", 1);
  return s;
}

int cmd_export(const std::vector<std::string>& args) {
  const CommandSpec spec = export_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    const std::string path = vm["file"].as<std::string>();
    const std::string dir = vm["csv"].as<std::string>();
    ExportOptions opt;
    opt.overwrite = vm.count("force") > 0;
    if (!std::filesystem::exists(path)) throw RequestError(path + ": no such file");
    if (const std::string why = export_dir_refusal(dir, opt.overwrite); !why.empty())
      throw RequestError(why);
    const ExportStats stats = export_csv(path, dir, opt);
    if (stats.incomplete > 0)
      print_warnings({incomplete_runs_warning(stats.incomplete, stats.runs + stats.incomplete, path,
                                              "exported without them")});
    std::cout << "sovcap: wrote " << dir << ": ";
    for (std::size_t k = 0; k < stats.files.size(); ++k) std::cout << (k ? ", " : "") << stats.files[k];
    std::cout << " (" << stats.runs << " run" << (stats.runs == 1 ? "" : "s") << ")\n";
    return kExitOk;
  });
}

}  // namespace sovcap::app
