// `sovcap merge OUT.h5 SHARD.h5...`: a master file over the shards of one sweep
// (merge_shards, sim/sovcap/output.hpp).

#include <filesystem>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/output.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

CommandSpec merge_spec() {
  CommandSpec s;
  s.name = "merge";
  s.operands = "OUT.h5 SHARD.h5...";
  s.summary = "join the shard files of one sweep into a master file";
  s.description =
      "Writes OUT.h5, a master file whose variables are HDF5 virtual datasets over the shards\n"
      "(files of `sovcap run --runs A:B` or `--shard K/N` of one sweep), read by h5py, xarray and\n"
      "ncdump as one sweep. Refuses missing, incomplete, overlapping or mismatched shards.\n"
      "Shards are found relative to OUT.h5's folder: keep them beside it.\n";
  s.options.add_options()("help,h", "this help")(
      "files", po::value<std::vector<std::string>>()->composing(), "OUT.h5 then the shards")(
      "force", "overwrite OUT.h5 if it exists");
  s.positional.add("files", -1);
  return s;
}

int cmd_merge(const std::vector<std::string>& args, const std::string& command_line) {
  const CommandSpec spec = merge_spec();
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, spec, vm)) return kExitOk;
    const auto files =
        vm.count("files") ? vm["files"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (files.size() < 2) throw RequestError("give OUT.h5 and at least one shard\n" + usage(spec));
    const bool force = vm.count("force") > 0;
    // Bad input (exit 2), where merge_shards would call it an I/O failure.
    if (!force && std::filesystem::exists(files.front()))
      throw RequestError(files.front() + " exists; use --force to overwrite it");
    merge_shards(files.front(), {files.begin() + 1, files.end()}, force, command_line);
    std::cout << "sovcap: wrote " << files.front() << " over " << files.size() - 1 << " shard"
              << (files.size() == 2 ? "" : "s") << "\n";
    return kExitOk;
  });
}

}  // namespace sovcap::app
