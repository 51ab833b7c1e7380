#pragma once
// Reading sovcap results files back: the dimensions, attributes and per-run slabs that the
// summaries and checks need, a block of runs at a time so that a large sweep is never
// read whole.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "sovcap/outputs.hpp"
#include "sovcap/summary.hpp"

namespace sovcap {

// What summaries need of a block of runs, read from a file of either store mode (see
// ResultsReader::read_summary_block).
struct SummaryBlock {
  // Per run, [country, time]; empty where the file does not store the trajectory.
  std::vector<Eigen::ArrayXXd> it_mw, compute_flops, energy_twh, capex_usd, opex_usd, bottleneck;
  // Per run, [country].
  std::vector<Eigen::ArrayXd> year_gw_reached, year_target_reached;
  // Per run, [country], read where the trajectory is not stored: capacity at the start
  // (the country.it_mw parameter) and the summary store's *_final at the horizon.
  std::vector<Eigen::ArrayXd> it_mw_start, it_mw_final, compute_flops_final, energy_twh_final, spend_usd_final;
  // Per run, [country, constraint]: steps under each bottleneck, where the trajectory is
  // not stored.
  std::vector<Eigen::ArrayXXd> bottleneck_steps;
  // Per run, held_back_share [country, constraint] and shortfall_mw_mean [country]; empty
  // for a file written before them.
  std::vector<Eigen::ArrayXXd> held_back_share;
  std::vector<Eigen::ArrayXd> shortfall_mw_mean;
  // Per run, held_back_mw_period [country, period * constraints + constraint]; empty for a
  // file written before it.
  std::vector<Eigen::ArrayXXd> held_back_mw_period;
  // Run k of the block, pointing into this block (null for what was not read).
  RunSlice slice(int k) const;
};

class ResultsReader {
 public:
  // Opens `path` read-only. Throws RequestError (bad input) when it is no sovcap results
  // file (missing, a folder, not HDF5, no file_type), OutputError when it cannot be read.
  explicit ResultsReader(const std::string& path);
  ~ResultsReader();
  ResultsReader(const ResultsReader&) = delete;
  ResultsReader& operator=(const ResultsReader&) = delete;

  const std::string& path() const;
  int runs() const;
  const std::vector<std::string>& iso3() const;
  const std::vector<std::string>& names() const;
  const std::vector<double>& time() const;
  std::string attribute(const std::string& name) const;  // a root text attribute
  bool has_variable(const std::string& name) const;
  // "full" or "summary" (the `store` attribute; files written before it are full).
  std::string store() const;
  // Global index of the file's first run (0 unless a shard) and the runs of the whole sweep.
  long long first_run() const;
  long long total_runs() const;
  // Policies of the sweep (the sweep_policies attribute; 1 in a file without it).
  int policies() const;
  // Whether the trajectories summaries read (it_mw, compute_flops, energy_twh, capex_usd,
  // opex_usd, bottleneck) are all stored as [run, country, time]: full mode, or kept.
  bool has_trajectories() const;
  // Which of those the file stores (spend: capex_usd and opex_usd both).
  StoredSeries stored_series() const;
  // run_complete, whole: 1 where the run was written. A merged master reads 0 for the runs
  // of a shard that cannot be opened.
  std::vector<std::int8_t> run_complete() const;

  // A [run, country, time] variable for runs [first, first + count): out[k] is
  // [country, time] of run first + k.
  void read_country_series(const std::string& name, int first, int count,
                           std::vector<Eigen::ArrayXXd>& out) const;
  // A [run, country] variable for runs [first, first + count): out is [country, run].
  void read_per_country(const std::string& name, int first, int count, Eigen::ArrayXXd& out) const;
  // A [run] variable, whole.
  std::vector<double> read_per_run(const std::string& name) const;
  // The sweep's lever keys (empty without levers) and, for run `run`, the TOML text of
  // each lever's value, read from the lever.KEY variables and their `values` attribute.
  std::vector<std::string> lever_keys() const;
  std::vector<std::string> lever_texts(long long run) const;

  // Per-country values at the horizon for runs [first, first + count): out is [country,
  // run]. `name` is it_mw, compute_flops, energy_twh or spend_usd (capex_usd + opex_usd):
  // the trajectory's last time where it is stored, else the summary-mode NAME_final.
  void read_final(const std::string& name, int first, int count, Eigen::ArrayXXd& out) const;
  // bottleneck_share for runs [first, first + count): out[k] is [country, constraint].
  void read_bottleneck_share(int first, int count, std::vector<Eigen::ArrayXXd>& out) const;
  // A [run, country, constraint] variable (held_back_share) for runs [first, first +
  // count): out[k] is [country, constraint], as doubles.
  void read_per_constraint(const std::string& name, int first, int count,
                           std::vector<Eigen::ArrayXXd>& out) const;
  // held_back_mw_period for runs [first, first + count): out[k] is [country, period *
  // constraints + constraint].
  void read_held_back_periods(int first, int count, std::vector<Eigen::ArrayXXd>& out) const;
  // Everything a SummaryBuilder needs of runs [first, first + count): the trajectories
  // the file stores (stored_series()) and, in place of the others, what is known without
  // them: capacity at the start, the *_final values at the horizon and the step counts of
  // bottleneck_share.
  void read_summary_block(int first, int count, SummaryBlock& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sovcap
