#pragma once
// The results file's parts; sovcap/output.hpp is their public face.
//   schema.cpp       every variable along `run`, from the layout alone, and the file's objects
//                    (root attributes, coordinates, variables) that the writer and merge create
//   description.cpp  a file's layout and metadata read back, and how two of them differ
//   writer.cpp       the streaming writer: blocks compressed in parallel, written in run order
//   run_deflate.cpp  the deflate encoder of the chunks that are runs between random bytes
//   partial.cpp      the output path, the partial file beside it, and resume
//   lock.cpp         OUT.h5.lock: one process writes an output at a time
//   checkpoint.cpp   the partial's file driver: a kill at any instant leaves the last save
//   merge.cpp        a master file of virtual datasets over shards
// Only these files include this header: it exposes HDF5's types.

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "sovcap/h5.hpp"
#include "sovcap/output.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/params.hpp"

namespace sovcap::outfile {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Fill of int8 code variables (bottleneck, allocation, export_tier): never a valid code.
constexpr std::int8_t kCodeFill = -1;
// Deflate level of every compressed chunk (libdeflate's, output/writer.cpp) and of the
// filter that HDF5 records for the variable.
constexpr int kDeflateLevel = 1;
// Tile of the [run, country, time] variables along run and country (HDF5_NOTES.md).
constexpr hsize_t kTile = 16;
// Chunks stay below the 1 MiB default chunk cache of readers.
constexpr std::size_t kMaxChunkBytes = std::size_t{1} << 20;
// Runs per block (and per chunk of the variables without a time axis): kBlockRuns, halved
// (never below kTile) while the file would have fewer than kMinBlocks blocks (blocks are
// the unit of parallel work) or such a chunk would pass kMaxChunkBytes. Always a power of
// two, so a multiple of the run tile of [run, country, time] chunks.
constexpr long long kBlockRuns = 256;
constexpr long long kMinBlocks = 64;
// A sweep's file is flushed at most this often, so a killed process loses little.
constexpr auto kFlushInterval = std::chrono::seconds(5);
constexpr const char* kPartialSuffix = ".partial";
constexpr const char* kCreatingSuffix = ".new";  // after kPartialSuffix, while being laid out
constexpr const char* kLockSuffix = ".lock";

using Bytes = std::vector<unsigned char>;

// The dimensions of the file, in the order they are created.
enum Dim : int { kRun, kCountry, kTime, kConstraint, kTarget, kShock, kSchedule, kPeriod, kNumDims };

// ---- Small helpers (schema.cpp, description.cpp) ---------------------------------------

inline fs::path folder_of(const fs::path& p) {
  return p.has_parent_path() ? p.parent_path() : fs::path(".");
}
std::string join(const std::vector<std::string>& items, const std::string& sep);
// Splits on `sep`; an empty text is an empty list.
std::vector<std::string> split(const std::string& text, char sep);
std::string number_text(double v);
// Equal up to rounding: a sweep may compute the same setting along another path.
inline bool same_value(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(a));
}
inline std::string store_name(StoreMode m) { return m == StoreMode::full ? "full" : "summary"; }
inline std::string series_name(CountrySeries s) { return std::string(info(s).name); }

// The series that the per-country values at the horizon of a summary-mode file come from.
constexpr std::array<CountrySeries, 5> kHorizonSources = {
    CountrySeries::it_mw, CountrySeries::compute_flops, CountrySeries::energy_twh,
    CountrySeries::capex_usd, CountrySeries::opex_usd};

// ---- The schema: every variable along `run`, from the layout alone ----------------------

// Fills one run's row of a variable (C order over its axes after `run`) at dst.
using RowFn = std::function<void(const RunRecord&, void*)>;

struct VarDef {
  std::string name;
  std::vector<Dim> dims;  // dims[0] == kRun
  hid_t type = H5I_INVALID_HID;  // native type, in memory and in the file
  std::size_t elem = 0;
  Bytes fill;                    // one element
  bool fill_is_data = false;     // no _FillValue attribute (run_complete, the indices)
  std::string units, long_name;
  std::function<void(hid_t)> attributes;  // further attributes
  RowFn row;
  // How its chunks are deflated: by libdeflate, which finds repeated values anywhere in
  // the window (the horizon values, the parameters), or by deflate_runs, which finds runs
  // of one byte only, twice as fast where the chunk has nothing else (run_deflate.hpp).
  bool runs_only = false;
  // Stored without filters: sampled scalars are random numbers, and compute and spending
  // at the horizon nearly so, which shuffle and deflate shrink by only 10-16%, for several
  // percent of a summary-mode sweep's time. A property of the schema, never of the data,
  // so that the file does not depend on which block a thread compressed first.
  bool compressed = true;
  // From the layout:
  std::vector<hsize_t> shape, chunk;
  std::size_t row_elems = 1;
  std::size_t cache_bytes = 0;
};

struct Schema {
  OutputLayout layout;  // normalised
  std::array<hsize_t, kNumDims> dim{};
  long long block = kBlockRuns;
  std::vector<VarDef> vars;  // run_complete last
  // Which parameters the file has schedule variables for, by index (layout.scheduled), so
  // that checking a run's schedules allocates nothing.
  std::array<bool, kNumGlobalParams> scheduled_global{};
  std::array<bool, kNumCountryParams> scheduled_country{};
};

// The layout as stored and compared: keep sorted and empty in full mode, one multiply
// flag and one numeric list (maybe empty) per key.
OutputLayout normalise(OutputLayout l);
// Every variable of a file of this layout (OutputError naming `path` for a bad layout).
Schema build_schema(const OutputLayout& layout, const std::string& path);

// ---- Creating the file's objects (shared by the writer and the master) -------------------

void write_root_attributes(hid_t root, const OutputLayout& layout, const OutputMetadata& meta);
// The coordinate variables (each a dimension scale) and country_name. `scale` receives the
// scale of every dimension present; `keep` owns the handles.
void create_coordinates(hid_t root, const Schema& s, std::vector<h5::Handle>& keep,
                        std::array<hid_t, kNumDims>& scale);
// Creates one variable with its attributes and scales: chunked and compressed, or (with
// `sources`) a virtual dataset over shard files.
h5::Handle create_variable(hid_t root, const VarDef& v, const std::array<hid_t, kNumDims>& scale,
                           const std::vector<h5::VirtualSource>* sources);

// ---- Reading a file's description back (resume, merge) ----------------------------------

struct Described {
  OutputLayout layout;
  OutputMetadata meta;
  std::string format_version, sovcap_version, git_revision;
  bool master = false;
};

Described describe(hid_t f, const std::string& path);

struct Difference {
  std::string what;
  std::string a, b;  // both empty for long texts
};

// The first way `a` and `b` describe different runs, if any. `position`: compare which
// runs of the sweep they hold; `build`: compare the program version and revision.
std::optional<Difference> first_difference(const Described& a, const Described& b, bool position,
                                           bool build);
std::string explain(const Difference& d, const std::string& la, const std::string& lb);

// ---- Files on disk (partial.cpp) --------------------------------------------------------

// Writes the whole file to disk before it is renamed or kept.
void sync_file(const std::string& path, const std::string& what);

// The partial file's name; removes the file on destruction unless kept, and once own()
// has said which file it is, only while the name still names that file.
struct TempFile {
  std::string path;
  bool keep = false;
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();
  // `p` names the file just made; remembers which file it is.
  void own(const std::string& p);

 private:
  bool known_ = false;
  std::uint64_t dev_ = 0, ino_ = 0;
};

// Removes a stale partial (or anything else) at `path` before a fresh one is created.
void remove_stale(const std::string& path, const std::string& what);

std::string utc_now_iso8601();

// OUTPUT.lock, created with O_EXCL and holding the owner's pid, host, boot id and start
// time: one process writes an output (its partial, its commit) at a time, also where
// HDF5's own locking is off (HDF5_USE_FILE_LOCKING=FALSE, NFS, Lustre). A lock is taken
// over only from a process that is certainly gone (same host; rebooted since, or its pid
// free or reused). flock on it, where the file system has it, guards the takeover.
class OutputLock {
 public:
  // Throws OutputRefused naming the process that holds it.
  explicit OutputLock(const std::string& output);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  // Removes the lock file, if it is still this one.
  void release() noexcept;

 private:
  std::string path_;
  int fd_ = -1;
};

// The partial file under HDF5, through a file driver that leaves the last save intact on
// disk until the next one is complete (checkpoint.cpp). Owns the file descriptor from
// creation (or resume) to commit, so HDF5's reopens never follow the path elsewhere.
class CheckpointedFile {
 public:
  // Opens `path` (creates it, failing if it exists, when `create`).
  CheckpointedFile(const std::string& path, bool create);
  ~CheckpointedFile();
  CheckpointedFile(const CheckpointedFile&) = delete;
  CheckpointedFile& operator=(const CheckpointedFile&) = delete;

  // A file access property list that makes HDF5 use this file.
  h5::Handle access();
  // After HDF5 opened the file: the save lies below the end of allocated space it read.
  void opened();
  // Before HDF5 flushes or closes the file: its writes until checkpoint() are a save's.
  void begin_save() { saving_ = true; }
  // Makes what HDF5 has flushed or closed the saved state (see checkpoint.cpp).
  void checkpoint();
  // The file was renamed to `path` (its journal goes beside it).
  void rename_to(const std::string& path);
  // Whether `path` names this file (the same inode).
  bool is_at(const std::string& path) const;

  // For the driver.
  bool read(std::uint64_t addr, std::size_t size, unsigned char* buf);
  bool write(std::uint64_t addr, std::size_t size, const unsigned char* buf);
  bool resize(std::uint64_t size);
  std::uint64_t size() const { return size_; }
  void* descriptor() { return &fd_; }
  void set_eoa(std::uint64_t eoa) { eoa_ = eoa; }
  // Under the test hook (below) the writer saves after every block, so that a test
  // reaches many steps of many saves in little time.
  bool save_every_block() const { return kill_at_ > 0; }

 private:
  Bytes& page(std::uint64_t index);
  // A test hook: with SOVCAP_TEST_KILL_IN_FLUSH=N the process kills itself (SIGKILL) at
  // the N-th step of its saves (each HDF5 write of a save, each step of checkpoint()).
  void step();

  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;   // as HDF5 sees it
  std::uint64_t saved_ = 0;  // the size of the last save: bytes below it are kept in pages_
  std::uint64_t eoa_ = 0;    // HDF5's end of allocated space, as last set
  std::map<std::uint64_t, Bytes> pages_;
  bool saving_ = false;
  long kill_at_ = 0, steps_ = 0;
};

std::string journal_path(const std::string& partial);
enum class Recovery { none, finished, discarded };
// Brings a partial left by a process killed during a save to a saved state: finishes the
// save from a whole journal, or drops a torn one (the file is then as of the save before).
Recovery recover(const std::string& partial);

// ---- The writer's state (writer.cpp, partial.cpp) ---------------------------------------

// The last chunk compressed for each chunk position of a block (variable and offsets
// within the run's row). Parameters that no lever or uncertainty touches are the same in
// every block, so their chunks are compressed once per sweep rather than once per block.
// Compression is deterministic, so a reused chunk is byte-identical to a fresh one.
class ChunkCache {
 public:
  using Key = std::tuple<std::size_t, hsize_t, hsize_t>;
  // Copies the packed form of raw[0, n) into `out` when it was the last chunk at `key`.
  bool find(const Key& key, const unsigned char* raw, std::size_t n, Bytes& out) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end()) return false;
    const Bytes& last = it->second.first;
    if (last.size() != n || (n > 0 && std::memcmp(last.data(), raw, n) != 0)) return false;
    out = it->second.second;
    return true;
  }
  // Into the entry's own buffers, which keep their capacity from block to block.
  void store(const Key& key, const unsigned char* raw, std::size_t n, const Bytes& packed) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& entry = entries_[key];
    entry.first.assign(raw, raw + n);
    entry.second.assign(packed.begin(), packed.end());
  }

 private:
  mutable std::mutex mutex_;
  std::map<Key, std::pair<Bytes, Bytes>> entries_;
};

}  // namespace sovcap::outfile

namespace sovcap {

struct PreparedBlock {
  const void* owner = nullptr;  // the OutputFile::Impl it was prepared for
  long long first = 0;          // global index of its first run
  long long count = 0;
  struct Chunk {
    std::size_t var = 0;
    std::array<hsize_t, 4> offset{};  // the first rank entries are used
    outfile::Bytes data;
  };
  std::vector<Chunk> chunks;  // in variable order, run_complete last
};

struct OutputFile::Impl {
  std::string path;
  bool overwrite = false;
  outfile::Schema schema;
  bool closed = false;  // committed or kept as a partial
  // Destroyed last: the output stays locked until every file of it is closed.
  std::unique_ptr<outfile::OutputLock> lock;
  // Declared before the file and every HDF5 handle, so destroyed after they have all
  // closed: a partial without a saved run is removed also when creation fails halfway.
  outfile::TempFile temp;
  std::unique_ptr<outfile::CheckpointedFile> disk;
  h5::Handle access;  // HDF5's way to `disk`

  h5::Handle file;
  std::vector<h5::Handle> coords;  // coordinate variables and country_name
  std::array<hid_t, outfile::kNumDims> scale{};
  std::vector<h5::Handle> vars;    // parallel to schema.vars
  mutable outfile::ChunkCache chunk_cache;  // used by prepare_block, from any thread
  std::chrono::steady_clock::time_point last_flush;
  std::chrono::steady_clock::duration flush_interval = outfile::kFlushInterval;
  long long runs_written = 0;  // by this process

  void check_open(const std::string& what) const {
    if (closed || !file) throw OutputError("cannot " + what + ": " + path + " is already closed");
  }
  std::string where(long long run) const {
    return "cannot write run " + std::to_string(run) + " to " + path + ": ";
  }
  void check_record(const RunRecord& r) const;
  // Each of these ends in a save (CheckpointedFile::checkpoint).
  void flush_now();
  // Saves by closing and reopening the file: HDF5 keeps the metadata it held until
  // flushes (the chunk index, ~200 bytes per chunk) until the file closes.
  void reopen();
  void close_all();
  void open_vars();
  void saved();
  // After commit or close_partial: the descriptor closed, the output unlocked.
  void let_go();
};

}  // namespace sovcap
