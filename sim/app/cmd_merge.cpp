// `sovcap merge OUT.h5 SHARD.h5...`: a master file over the shards of one sweep
// (merge_shards, sim/sovcap/output.hpp).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "sovcap/output.hpp"

namespace po = boost::program_options;

namespace sovcap::app {

int cmd_merge(const std::vector<std::string>& args, const std::string& command_line) {
  const std::string usage =
      "usage: sovcap merge OUT.h5 SHARD.h5... [--force]\n\nWrites OUT.h5, a master file whose "
      "variables are HDF5 virtual datasets over the shards\n(files of `sovcap run --runs A:B` or "
      "`--shard K/N` of one sweep), read by h5py, xarray and\nncdump as one sweep. Refuses "
      "missing, incomplete, overlapping or mismatched shards.\nShards are found relative to "
      "OUT.h5's folder: keep them beside it.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")(
      "files", po::value<std::vector<std::string>>()->composing(), "OUT.h5 then the shards")(
      "force", "overwrite OUT.h5 if it exists");
  po::positional_options_description positional;
  positional.add("files", -1);
  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const auto files =
        vm.count("files") ? vm["files"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (files.size() < 2) throw RequestError("give OUT.h5 and at least one shard\n" + usage);
    merge_shards(files.front(), {files.begin() + 1, files.end()}, vm.count("force") > 0, command_line);
    std::cout << "sovcap: wrote " << files.front() << " over " << files.size() - 1 << " shard"
              << (files.size() == 2 ? "" : "s") << "\n";
    return kExitOk;
  });
}

}  // namespace sovcap::app
