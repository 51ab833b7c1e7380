#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sovcap/output/detail.hpp"

namespace sovcap {

using namespace outfile;

void merge_shards(const std::string& out, const std::vector<std::string>& shards, bool overwrite,
                  const std::string& command_line) {
  if (shards.empty()) throw OutputRefused("cannot merge into " + out + ": no shards given");
  check_output_path(out, overwrite, shards);
  const OutputLock lock(out);
  const std::string fail = "cannot merge into " + out + ": ";
  struct Shard {
    std::string path;
    Described d;
  };
  std::vector<Shard> list;
  std::error_code ec;
  for (const auto& path : shards) {
    if (!fs::exists(path, ec)) throw OutputRefused(fail + "shard " + path + " does not exist");
    if (fs::exists(out, ec) && fs::equivalent(path, out, ec))
      throw OutputRefused(fail + "shard " + path + " is the output file itself");
    // Not a results file at all: bad input (exit 2), worded as the readers word it.
    if (fs::is_directory(path, ec))
      throw OutputRefused(fail + path + ": is a folder, not a sovcap results file");
    if (h5::lacks_hdf5_signature(path))
      throw OutputRefused(fail + path + ": not a sovcap results file (not an HDF5 file)");
    h5::Handle f = h5::open_file(path);
    if (!h5::has_attribute(f.get(), "file_type") ||
        h5::read_string_attribute(f.get(), "file_type") != "sovcap-results")
      throw OutputRefused(fail + path + ": not a sovcap results file (no file_type = \"sovcap-results\")");
    Shard s{path, describe(f.get(), path)};
    if (s.d.master)
      throw OutputRefused(fail + path + " is a merged master file, not a shard: merge its shards");
    const auto done = h5::read_all<std::int8_t>(h5::open_dataset(f.get(), "run_complete").get());
    long long missing = 0, first_missing = -1;
    for (std::size_t i = 0; i < done.size(); ++i)
      if (done[i] != 1) {
        if (first_missing < 0) first_missing = s.d.layout.first_run + static_cast<long long>(i);
        ++missing;
      }
    if (missing > 0)
      throw OutputRefused(fail + "shard " + path + " is incomplete: " + std::to_string(missing) +
                          " of its " + std::to_string(done.size()) + " runs are not written (first: run " +
                          std::to_string(first_missing) + "); finish it with --resume");
    // Every variable the shard's layout implies, with its shape and type.
    const Schema schema = build_schema(s.d.layout, path);
    for (const auto& v : schema.vars) {
      if (!h5::exists(f.get(), v.name))
        throw OutputError(fail + "shard " + path + " has no variable " + v.name);
      h5::Handle ds = h5::open_dataset(f.get(), v.name);
      if (h5::shape(ds.get()) != v.shape || !h5::has_type(ds.get(), v.type))
        throw OutputError(fail + "shard " + path + ": variable " + v.name +
                          " has another shape or type than its layout implies");
    }
    list.push_back(std::move(s));
  }
  for (std::size_t i = 1; i < list.size(); ++i)
    if (auto d = first_difference(list[0].d, list[i].d, false, true))
      throw OutputRefused(fail + "shard " + list[i].path + " does not belong to the sweep of " +
                          list[0].path + ": " + explain(*d, list[0].path, list[i].path));
  std::stable_sort(list.begin(), list.end(), [](const Shard& a, const Shard& b) {
    return a.d.layout.first_run < b.d.layout.first_run;
  });
  auto range = [](const Shard& s) {
    return "runs " + std::to_string(s.d.layout.first_run) + ".." +
           std::to_string(s.d.layout.first_run + s.d.layout.runs - 1);
  };
  const long long total = list[0].d.layout.total_runs;
  long long next = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& l = list[i].d.layout;
    if (l.first_run < next)
      throw OutputRefused(fail + "shards " + list[i - 1].path + " (" + range(list[i - 1]) + ") and " +
                          list[i].path + " (" + range(list[i]) + ") overlap");
    if (l.first_run > next)
      throw OutputRefused(fail + "runs " + std::to_string(next) + ".." + std::to_string(l.first_run - 1) +
                          " of " + std::to_string(total) + " are in no shard (a shard is missing)");
    next = l.first_run + l.runs;
  }
  if (next != total)
    throw OutputRefused(fail + "runs " + std::to_string(next) + ".." + std::to_string(total - 1) +
                        " of " + std::to_string(total) + " are in no shard (a shard is missing)");

  OutputLayout layout = list[0].d.layout;
  layout.first_run = 0;
  layout.runs = total;
  const Schema schema = build_schema(layout, out);
  OutputMetadata meta = list[0].d.meta;
  meta.command_line = command_line;
  // Shards are named relative to the master's folder, where HDF5 looks for them.
  const fs::path folder = fs::absolute(folder_of(fs::path(out))).lexically_normal();
  std::vector<std::string> names;
  for (const auto& s : list) {
    const fs::path abs = fs::absolute(s.path).lexically_normal();
    fs::path rel = abs.lexically_relative(folder);
    names.push_back(rel.empty() ? abs.string() : rel.generic_string());
  }

  const std::string partial = out + kPartialSuffix;
  remove_stale(partial, out);
  TempFile temp;
  temp.path = partial;  // under the lock: a stub of a failed create is ours to remove
  {
    h5::Handle file = h5::create_file(partial, true);
    temp.own(partial);
    write_root_attributes(file.get(), schema.layout, meta);
    h5::write_attribute(file.get(), "shards", join(names, "\n"));
    std::vector<h5::Handle> coords;
    std::array<hid_t, kNumDims> scale{};
    create_coordinates(file.get(), schema, coords, scale);
    for (const auto& v : schema.vars) {
      std::vector<h5::VirtualSource> sources;
      for (std::size_t i = 0; i < list.size(); ++i)
        sources.push_back({names[i], v.name, static_cast<hsize_t>(list[i].d.layout.first_run),
                           static_cast<hsize_t>(list[i].d.layout.runs)});
      create_variable(file.get(), v, scale, &sources).close();
    }
    for (auto& c : coords) c.close();
    file.close();
  }
  sync_file(partial, out);
  if (!overwrite && fs::exists(out, ec)) throw OutputError(out + " exists; use --force to overwrite");
  if (std::rename(partial.c_str(), out.c_str()) != 0)
    throw OutputError("cannot rename " + partial + " to " + out + ": " + std::strerror(errno));
  temp.keep = true;
}


}  // namespace sovcap
