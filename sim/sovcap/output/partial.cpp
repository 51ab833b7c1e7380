#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <sstream>

#include "sovcap/output/detail.hpp"

namespace sovcap {
namespace outfile {
namespace {

std::string random_hex() {
  std::random_device rd;
  std::ostringstream os;
  os << std::hex << rd() << rd();
  return os.str();
}

// A hidden name beside `dest`: ".NAME.tag-<pid>-<random>", for the writability probe.
fs::path sibling_name(const fs::path& dest, const std::string& tag) {
  return folder_of(dest) / ("." + dest.filename().string() + "." + tag + "-" +
                            std::to_string(::getpid()) + "-" + random_hex());
}

}  // namespace

void sync_file(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    throw OutputError("cannot write " + what + ": cannot sync " + path + ": " + std::strerror(err));
  }
  ::close(fd);
}

void remove_stale(const std::string& path, const std::string& what) {
  std::error_code ec;
  const auto st = fs::symlink_status(path, ec);
  if (!fs::exists(st)) return;
  if (fs::is_directory(st))
    throw OutputError("cannot write " + what + ": " + path + " is a folder");
  if (!fs::remove(path, ec) && ec)
    throw OutputError("cannot write " + what + ": cannot remove the stale partial file " + path +
                      ": " + ec.message());
}

void TempFile::own(const std::string& p) {
  path = p;
  struct stat st {};
  if (::stat(p.c_str(), &st) == 0) {
    known_ = true;
    dev_ = static_cast<std::uint64_t>(st.st_dev);
    ino_ = static_cast<std::uint64_t>(st.st_ino);
  }
}

TempFile::~TempFile() {
  if (keep || path.empty()) return;
  struct stat st {};
  if (!known_ || (::stat(path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_dev) == dev_ &&
                  static_cast<std::uint64_t>(st.st_ino) == ino_))
    std::remove(path.c_str());
}

}  // namespace outfile

using namespace outfile;

void check_output_path(const std::string& path, bool overwrite, const std::vector<std::string>& inputs) {
  if (path.empty()) throw OutputRefused("no output file given (an empty name)");
  const fs::path p(path);
  if (!p.has_filename() || p.filename() == "." || p.filename() == "..")
    throw OutputRefused(path + " names a folder; give a file name such as " +
                        (p / "results.h5").string());
  std::error_code ec;
  const auto st = fs::status(p, ec);
  if (fs::exists(st)) {
    if (fs::is_directory(st))
      throw OutputRefused(path + " is a folder; give a file name such as " +
                          (p / "results.h5").string());
    // Renaming over a device node, FIFO or socket would replace it (as root, /dev/null).
    if (!fs::is_regular_file(st))
      throw OutputRefused(path + " is not a regular file (a device, FIFO or socket); give the "
                          "name of a results file");
    for (const auto& input : inputs)
      if (!input.empty() && fs::equivalent(p, input, ec))
        throw OutputRefused(path + " is one of this command's inputs (" + input +
                            "); give another output file");
    if (!overwrite) throw OutputRefused(path + " exists; use --force to overwrite");
  }
  const fs::path folder = folder_of(p);
  const auto fst = fs::status(folder, ec);
  if (!fs::exists(fst))
    throw OutputError("cannot write " + path + ": folder " + folder.string() + " does not exist");
  if (!fs::is_directory(fst))
    throw OutputError("cannot write " + path + ": " + folder.string() + " is not a folder");
  // Creating a file is the test that answers for certain: access(W_OK) asks about the real,
  // not the effective, user and misses some ACL and network file-system rules.
  const fs::path probe = sibling_name(p, "tmp-probe");
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    throw OutputError("cannot write " + path + ": cannot create files in folder " +
                      folder.string() + ": " + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

std::unique_ptr<OutputFile> OutputFile::resume(const std::string& path, const OutputLayout& layout,
                                               const OutputMetadata& meta, bool overwrite) {
  std::unique_ptr<OutputFile> out(new OutputFile());
  Impl& im = *out->impl_;
  im.path = path;
  im.overwrite = overwrite;
  im.schema = build_schema(layout, path);
  // Before the partial is looked at: it may be another process's, being written.
  im.lock = std::make_unique<OutputLock>(path);
  const std::string partial = path + kPartialSuffix;
  std::error_code ec;
  if (!fs::exists(partial, ec))
    throw OutputRefused("cannot resume " + path + ": there is no partial file " + partial +
                        " (run without --resume to start)");
  check_output_path(path, overwrite);
  // Whatever goes wrong from here, the partial is kept: it holds earlier work.
  const std::string keep = "; " + partial + " is kept";
  const std::string another = "; " + partial + " is kept: run with --force instead of --resume to "
                              "discard it and start again";
  try {
    recover(partial);
    im.disk = std::make_unique<CheckpointedFile>(partial, false);
    im.access = im.disk->access();
    im.file = h5::open_file(partial, true, im.access.get());
    im.disk->opened();
  } catch (const OutputError& e) {
    throw OutputError("cannot resume " + path + ": the partial file cannot be read: " + e.what() +
                      keep + " (`sovcap check " + partial + "` tells more; --force instead of " +
                      "--resume discards it and starts again)");
  }
  if (im.disk->save_every_block()) im.flush_interval = std::chrono::steady_clock::duration::zero();
  Described now;
  now.layout = im.schema.layout;
  now.meta = meta;
  now.format_version = kFormatVersion;
  const Described was = describe(im.file.get(), partial);
  if (auto d = first_difference(was, now, true, false))
    throw OutputRefused("cannot resume " + partial + ": it was written for another run: " +
                        explain(*d, "partial file", "this run") + another);
  for (const auto& v : im.schema.vars) {
    if (!h5::exists(im.file.get(), v.name))
      throw OutputRefused("cannot resume " + partial + ": variable " + v.name + " is missing" + another);
    h5::Handle ds = h5::open_dataset(im.file.get(), v.name, v.cache_bytes);
    if (h5::shape(ds.get()) != v.shape || !h5::has_type(ds.get(), v.type))
      throw OutputRefused("cannot resume " + partial + ": variable " + v.name +
                          " has another shape or type than this run writes" + another);
    // Chunks go to the file as prepared, so the filters must be the ones they are
    // prepared for (a partial of an older sovcap may compress what this one does not).
    const int filters = v.compressed ? 2 : 0;  // shuffle and deflate, as create_variable sets
    if (h5::filter_count(ds.get()) != filters)
      throw OutputRefused("cannot resume " + partial + ": variable " + v.name +
                          " is stored with other filters than this run writes" + another);
    im.vars.push_back(std::move(ds));
  }
  h5::hold_metadata_until_flush(im.file.get());
  im.last_flush = std::chrono::steady_clock::now();
  im.temp.own(partial);
  im.temp.keep = true;  // never removed on failure: it holds runs of earlier attempts
  return out;
}

}  // namespace sovcap
