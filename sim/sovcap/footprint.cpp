#include "sovcap/footprint.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "sovcap/sweep_runner.hpp"

namespace sovcap {
namespace {

// The writer's block of runs (output.cpp): 256, halved down to 16 while the file would
// have fewer than 64 blocks or a chunk without a time axis would pass 1 MiB.
long long block_runs(long long runs, double widest_row_bytes) {
  long long block = 256;
  while (block > 16 && (runs < 64 * block || static_cast<double>(block) * widest_row_bytes >
                                                 static_cast<double>(1 << 20)))
    block /= 2;
  return std::min(block, runs);
}

}  // namespace

Footprint estimate_footprint(const RunParams& params, long long runs, StoreMode store,
                             const std::vector<CountrySeries>& keep, int threads,
                             bool keep_held_back) {
  const double countries = params.countries.size();
  const double times = params.sim.steps() + 1.0;
  const double series =
      store == StoreMode::full ? kNumCountrySeries : static_cast<double>(keep.size());
  // A run's trajectories as the model records them: the country series kept, per country
  // and time, and the global market's series.
  // In full mode (or kept) held_back_mw too: a series per constraint.
  const double held = store == StoreMode::full || keep_held_back ? kNumBottlenecks * countries : 0.0;
  const double per_run = (series * countries + held + kNumRunSeries) * times * sizeof(double);
  const double widest = std::max(times, countries * kNumBottlenecks) * sizeof(double);
  const long long block = block_runs(runs, widest);
  const long long blocks = (runs + block - 1) / block;
  const long long workers = std::min<long long>(threads > 0 ? threads : available_threads(), blocks);
  Footprint f;
  f.runs_in_flight = workers * block;
  // Each worker's block of results, and the chunks made of them on their way to the file
  // (compressed, at most as large: counted as half); the program itself besides.
  f.memory_bytes = static_cast<double>(f.runs_in_flight) * per_run * 1.5 + 100e6;
  // Per country and run, the summaries of the summary store (one-number metrics, the
  // bottleneck shares and the parameters): well under a hundred numbers.
  const double summaries = 100.0 * countries * sizeof(double);
  f.file_bytes = static_cast<double>(runs) * (per_run + summaries);
  return f;
}

std::uint64_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size)
                               : 0;
}

std::string footprint_refusal(const Footprint& f, std::uint64_t physical) {
  if (physical == 0 || f.memory_bytes <= static_cast<double>(physical)) return "";
  return "the run needs about " + format_bytes(f.memory_bytes) + " of memory (" +
         std::to_string(f.runs_in_flight) + (f.runs_in_flight == 1 ? " run" : " runs") +
         " in flight), more than this machine's " + format_bytes(static_cast<double>(physical)) +
         ": allowed runs that fit in memory (fewer countries, a larger dt, --store summary with "
         "fewer --keep series, or fewer --threads)";
}

std::string footprint_warning(const Footprint& f, std::uint64_t physical) {
  std::string w;
  if (physical > 0 && f.memory_bytes > 0.5 * static_cast<double>(physical))
    w = "the run needs about " + format_bytes(f.memory_bytes) + " of memory, over half of this "
        "machine's " + format_bytes(static_cast<double>(physical));
  if (f.file_bytes > 10e9)
    w += std::string(w.empty() ? "" : "; ") + "the results file may take up to " +
         format_bytes(f.file_bytes) + " (before compression)";
  return w;
}

std::string format_bytes(double bytes) {
  static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (bytes >= 999.5 && u < 5) {
    bytes /= 1000.0;
    ++u;
  }
  std::ostringstream os;
  os << std::setprecision(bytes < 10 ? 2 : 3) << bytes << " " << units[u];
  return os.str();
}

}  // namespace sovcap
