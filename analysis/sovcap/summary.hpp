#pragma once
// Per-country summaries of one or many runs: when capacity first reaches a level (1,000 MW
// unless asked) and the final target (median and 10-90% range over runs, the probability
// of reaching it by the horizon and by each summary year), capacity and compute at chosen
// years, energy and money at the last of them, and the dominant bottleneck per period.
// Fed one run at a time, so a sweep never has to be in memory. Every quantile is the
// inverted empirical CDF (the smallest value with at least q of the runs at or below it),
// so it is the value of one of the runs: a reach year is always a stored time.

#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace sovcap {

// Which [country, time] series the runs hold whole (a summary-store file keeps only those
// named in --keep). Of the others, only what RunSlice's per-country values give is known:
// capacity at the start (its parameter) and the values at the horizon (the *_final).
struct StoredSeries {
  bool it_mw = true, compute_flops = true, energy_twh = true, spend = true, bottleneck = true;
};

// What a summary needs of one run. Trajectories are [country, time] and null where not
// stored; the per-country values are [country].
struct RunSlice {
  const Eigen::ArrayXXd* it_mw = nullptr;
  const Eigen::ArrayXXd* compute_flops = nullptr;
  const Eigen::ArrayXXd* energy_twh = nullptr;
  const Eigen::ArrayXXd* capex_usd = nullptr;  // spend is capex + opex
  const Eigen::ArrayXXd* opex_usd = nullptr;
  const Eigen::ArrayXXd* bottleneck = nullptr;
  const Eigen::ArrayXd* year_gw_reached = nullptr;      // NaN: never
  const Eigen::ArrayXd* year_target_reached = nullptr;  // NaN: never
  // Where the trajectory is not stored: capacity at the start and values at the horizon.
  const Eigen::ArrayXd* it_mw_start = nullptr;
  const Eigen::ArrayXd* it_mw_final = nullptr;
  const Eigen::ArrayXd* compute_flops_final = nullptr;
  const Eigen::ArrayXd* energy_twh_final = nullptr;
  const Eigen::ArrayXd* spend_usd_final = nullptr;
  const Eigen::ArrayXXd* bottleneck_steps = nullptr;  // [country, code]: steps under each
  // held_back_share [country, constraint] and shortfall_mw_mean [country]; null in files
  // written before them.
  const Eigen::ArrayXXd* held_back_share = nullptr;
  const Eigen::ArrayXd* shortfall_mw_mean = nullptr;
  // held_back_mw_period as [country, period * constraints + constraint] (MW, the mean over
  // each of result_periods()); null in files written before it.
  const Eigen::ArrayXXd* held_back_mw_period = nullptr;
};

// Quantiles of a time-to-event over runs; a run that never reaches counts as +inf, so a
// median of "never" means fewer than half of the runs got there by the horizon. NaN
// throughout where the file cannot tell (see Summary::unavailable).
struct YearStats {
  double p10 = 0.0, p50 = 0.0, p90 = 0.0;  // +inf: never (by the horizon)
  double probability = 0.0;                // share of runs that reach it by the horizon
};

struct CountrySummary {
  std::string iso3;
  std::string name;
  YearStats year_reach;               // when it_mw first reaches Summary::reach_mw
  std::vector<double> p_reach_by;     // per summary year: share of runs that reached it by then
  YearStats year_target;
  std::vector<double> it_mw_at;       // median over runs, per summary year
  std::vector<double> compute_at;     // median over runs, per summary year (FLOP/s)
  double energy_twh = 0.0;            // median at the last summary year (TWh/yr)
  double spend_usd = 0.0;             // median capex + opex by the last summary year
  std::vector<int> dominant;          // per period: the most frequent bottleneck code
  std::vector<double> dominant_share; // its share of the period's (run, step) pairs
  // The shortfall against the target path: its mean over steps and runs (MW), and the
  // share of it each constraint held back (per bottleneck code, pooled over the runs:
  // MW held back over MW of shortfall). NaN where the file does not store them; shares
  // NaN where the country was never behind.
  double shortfall_mw_mean = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> held_back_share;  // empty, or one per bottleneck code
  // The same per period of Summary::held_periods: the mean shortfall in the period (MW)
  // and each constraint's share of it; empty where the file does not store them.
  std::vector<double> shortfall_mw_period;
  std::vector<std::vector<double>> held_back_share_period;  // [period][bottleneck code]
};

struct SummaryOptions {
  std::vector<double> years;            // years at which to report capacity and compute
  std::vector<double> period_bounds;    // interior period boundaries, increasing
  double reach_mw = 1000.0;             // the capacity whose first year is reported
};

struct Summary {
  double reach_mw = 1000.0;
  std::vector<double> years;  // the stored times the values are of (at or before each year asked)
  std::vector<std::pair<double, double>> periods;  // [from, to) in years; the last is closed
  // The periods of the shortfall held back (the file's, result_periods()): empty when the
  // runs do not store held_back_mw_period.
  std::vector<std::pair<double, double>> held_periods;
  std::vector<CountrySummary> countries;
  int runs = 0;
  // What the runs do not store and the summary therefore leaves out (NaN), each with the
  // --keep that would give it, e.g. "compute at 2030: needs --keep compute_flops".
  std::vector<std::string> unavailable;
};

// Gathers runs one by one, then computes the Summary. Every run added must hold what
// `stored` says (its other trajectories may be null).
class SummaryBuilder {
 public:
  SummaryBuilder(std::vector<std::string> iso3, std::vector<std::string> names,
                 std::vector<double> time, SummaryOptions options, StoredSeries stored = {});
  void add(const RunSlice& run);
  Summary finish() const;

 private:
  std::vector<std::string> iso3_, names_;
  std::vector<double> time_;
  SummaryOptions options_;
  StoredSeries stored_;
  std::vector<std::pair<double, double>> periods_;
  std::vector<int> year_index_;                 // time index of each summary year
  std::vector<int> period_of_step_;             // period of each time index, -1 for index 0
  bool reach_known_ = true;
  std::vector<bool> it_known_, compute_known_;  // per summary year
  bool energy_known_ = true, spend_known_ = true;
  std::vector<std::string> unavailable_;
  // Per country, per run: values whose quantiles are reported.
  std::vector<std::vector<double>> reach_, target_, energy_, spend_;
  std::vector<std::vector<std::vector<double>>> it_at_, compute_at_;  // [country][year][run]
  Eigen::ArrayXXd code_counts_;                 // [country * periods, bottleneck code]
  Eigen::ArrayXXd held_mw_;                     // [country, constraint]: sum over runs
  Eigen::ArrayXd gap_mw_;                       // [country]: shortfall_mw_mean summed over runs
  int held_runs_ = 0;                           // runs that stored them
  std::vector<std::pair<double, double>> held_periods_;  // result_periods() of the time axis
  Eigen::ArrayXXd held_period_mw_;              // [country, period * 7 + code]: sum over runs
  int held_period_runs_ = 0;                    // runs that stored held_back_mw_period
  int runs_ = 0;
};

// Default summary years and period boundaries for a horizon: every 2-4 years, so that the
// table stays narrow (e.g. 2026-2040: years 2028, 2030, 2035, 2040; periods 2026-2028,
// 2029-2032, 2033-2036, 2037-2040).
SummaryOptions default_summary_options(double start_year, double end_year);

// The quantile q of `v` by the inverted empirical CDF: the smallest value x with at least
// q * n of the n values at or below x (numpy's method "inverted_cdf", Hyndman and Fan's
// type 1). +inf counts as a value; NaN for no values.
double observed_quantile(std::vector<double> v, double q);

// Whether the summary's countries carry the shortfall held back (their runs stored
// held_back_share): the formats show it only then, so that a summary of a file written
// before it reads as it did.
bool has_held_back(const Summary& s);

// The constraint (a bottleneck code) that held back the most of a shortfall, given each
// code's share of it (lead_time's remainder counted as one), or -1 when nothing fell short.
int most_held_back(const std::vector<double>& share);

enum class SummaryFormat { text, csv, markdown, json };

// The summary in `format`. Text and Markdown: a table ("never", "-" where unavailable);
// Summary::unavailable is left to the caller, which says it once for many summaries. CSV:
// one column per quantity, "never" and unavailable values as empty cells (NaN in pandas,
// NA in R). JSON: numbers, null for "never" and unavailable values, and "unavailable".
std::string render(const Summary& s, SummaryFormat format);

// "2031.25", "never", or "-" (unavailable), for text tables.
std::string format_year_value(double year);

// A stored time as a label: "2030", "2030.25".
std::string year_label(double year);

// A period as a label: the calendar years in which its steps start, "2029-2032", or
// "2026" when that is one year.
std::string period_label(const std::pair<double, double>& period);

}  // namespace sovcap
