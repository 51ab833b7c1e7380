#pragma once
// Per-country summaries of one or many runs: when capacity reaches 1 GW and the final
// target (median and 10-90% range over runs, and the probability of reaching it by the
// horizon), capacity and compute at chosen years, money and energy, and the dominant
// bottleneck per period. Fed one run at a time, so a sweep never has to be in memory.

#include <string>
#include <vector>

#include <Eigen/Core>

#include "sovcap/outputs.hpp"
#include "sovcap/results.hpp"

namespace sovcap {

// What a summary needs of one run: [country, time] series and the per-country years.
struct RunSlice {
  const Eigen::ArrayXXd* it_mw = nullptr;
  const Eigen::ArrayXXd* compute_flops = nullptr;
  const Eigen::ArrayXXd* energy_twh = nullptr;
  const Eigen::ArrayXXd* capex_usd = nullptr;
  const Eigen::ArrayXXd* opex_usd = nullptr;
  const Eigen::ArrayXXd* bottleneck = nullptr;
  const Eigen::ArrayXd* year_gw_reached = nullptr;      // NaN: never
  const Eigen::ArrayXd* year_target_reached = nullptr;  // NaN: never
};

// The slice of a run held in memory.
RunSlice slice_of(const RunResult& r);

// Quantiles of a time-to-event over runs; a run that never reaches counts as +inf, so a
// median of "never" means fewer than half of the runs got there by the horizon.
struct YearStats {
  double p10 = 0.0, p50 = 0.0, p90 = 0.0;  // +inf: never (by the horizon)
  double probability = 0.0;                // share of runs that reach it by the horizon
};

struct CountrySummary {
  std::string iso3;
  std::string name;
  YearStats year_gw;
  YearStats year_target;
  std::vector<double> it_mw_at;       // median over runs, per summary year
  std::vector<double> compute_at;     // median over runs, per summary year (FLOP/s)
  double energy_twh_end = 0.0;        // median at the horizon (TWh/yr)
  double spend_usd_end = 0.0;         // median capex + opex by the horizon
  std::vector<int> dominant;          // per period: the most frequent bottleneck code
  std::vector<double> dominant_share; // its share of the period's (run, step) pairs
};

struct SummaryOptions {
  std::vector<double> years;            // years at which to report capacity and compute
  std::vector<double> period_bounds;    // interior period boundaries, increasing
};

struct Summary {
  std::vector<double> years;
  std::vector<std::pair<double, double>> periods;  // [from, to) in years; the last is closed
  std::vector<CountrySummary> countries;
  int runs = 0;
};

// Gathers runs one by one, then computes the Summary.
class SummaryBuilder {
 public:
  SummaryBuilder(std::vector<std::string> iso3, std::vector<std::string> names,
                 std::vector<double> time, SummaryOptions options);
  void add(const RunSlice& run);
  Summary finish() const;

 private:
  std::vector<std::string> iso3_, names_;
  std::vector<double> time_;
  SummaryOptions options_;
  std::vector<std::pair<double, double>> periods_;
  std::vector<int> year_index_;                 // time index of each summary year
  std::vector<int> period_of_step_;             // period of each time index, -1 for index 0
  // Per country, per run: values whose quantiles are reported.
  std::vector<std::vector<double>> gw_, target_, energy_, spend_;
  std::vector<std::vector<std::vector<double>>> it_at_, compute_at_;  // [country][year][run]
  Eigen::ArrayXXd code_counts_;                 // [country * periods, bottleneck code]
  int runs_ = 0;
};

// Default summary years and period boundaries for a horizon: every 2-4 years, so that the
// table stays narrow (e.g. 2026-2040: years 2028, 2030, 2035, 2040; periods 2026-2028,
// 2029-2032, 2033-2036, 2037-2040).
SummaryOptions default_summary_options(double start_year, double end_year);

enum class SummaryFormat { text, csv, markdown, json };
std::string render(const Summary& s, SummaryFormat format);

// "2031.25", "never", or "2031.25 (2030.50-never)" style, for text tables.
std::string format_year_value(double year);

}  // namespace sovcap
