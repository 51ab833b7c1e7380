// `sovcap sensitivity`: Sobol indices of a results metric over the uncertain parameters of
// a Saltelli sweep (sim/sovcap/sensitivity.hpp for the estimators), per policy and country.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "sovcap/text.hpp"
#include "commands.hpp"
#include "sovcap/output.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/reader.hpp"
#include "sovcap/sensitivity.hpp"

namespace po = boost::program_options;

namespace sovcap::app {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What the indices are of.
struct Metric {
  enum class Kind { reach_year, final_value, series } kind = Kind::reach_year;
  std::string name;             // variable (reach years, series) or read_final's name
  std::string label;            // as reported: year_gw_reached, it_mw_final, it_mw@2030
  std::string units;
  std::vector<int> time_index;  // series: the times, one slot each
};

// One set of indices: a policy, a country and one output (a metric, or a series at a year).
struct Result {
  int policy = 0;
  std::string levers;  // the policy's lever values, "KEY = VALUE, ..."; "" without levers
  int country = 0;
  std::string metric;  // e.g. year_gw_reached, it_mw@2030
  double year = kNaN;  // the time of a series value
  long long runs = 0;  // runs behind the indices: base rows x (d + 2)
  long long censored = 0;
  long long dropped_rows = 0;  // base rows left out for a non-finite output
  SobolIndices s;
};

std::string number(double v, int precision = 6) {
  if (std::isnan(v)) return "nan";
  std::ostringstream os;
  os << std::setprecision(precision) << v;
  return os.str();
}

std::string fixed(double v, int decimals = 3) {
  if (std::isnan(v)) return "-";
  std::ostringstream os;
  os << std::fixed << std::setprecision(decimals) << v;
  std::string s = os.str();
  if (s == "-0.000") s = "0.000";
  return s;
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  return number(v, 12);
}




std::string year_text(double t) {
  std::ostringstream os;
  os << std::setprecision(10) << t;
  return os.str();
}

// A [run, country, time] series that a user may ask indices of.
std::string check_series(const ResultsReader& in, const std::string& name, std::string& units) {
  bool known = false;
  std::string all;
  for (int k = 0; k < kNumCountrySeries; ++k) {
    const auto& s = info(static_cast<CountrySeries>(k));
    if (s.name == "bottleneck") continue;
    all += (all.empty() ? "" : ", ") + std::string(s.name);
    if (s.name == name) {
      known = true;
      units = std::string(s.units);
    }
  }
  if (name == "bottleneck")
    throw UsageError("bottleneck is a category code, not a quantity: no variance to apportion");
  if (!known) throw UsageError("unknown series '" + name + "'; allowed: " + all);
  if (!in.has_variable(name))
    throw UsageError(name + " is not stored in " + in.path() + " (written with --store summary" +
                     " without it in --keep): rerun the sweep with --keep " + name + " or --store full");
  return name;
}

Metric parse_metric(const ResultsReader& in, const std::string& metric, const std::string& series) {
  const auto& time = in.time();
  Metric m;
  if (!series.empty()) {
    m.kind = Metric::Kind::series;
    m.name = check_series(in, series, m.units);
    m.label = series;
    for (std::size_t t = 0; t < time.size(); ++t)
      if (std::fabs(time[t] - std::round(time[t])) < 1e-9) m.time_index.push_back(static_cast<int>(t));
    if (m.time_index.empty()) throw UsageError("--series: " + in.path() + " has no whole year on its time axis");
    return m;
  }
  const std::string allowed =
      "allowed year_gw_reached, year_target_reached, it_mw_final, compute_flops_final, "
      "energy_twh_final, spend_usd_final, SERIES@YEAR (e.g. it_mw@2030)";
  m.label = metric;
  if (metric == "year_gw_reached" || metric == "year_target_reached") {
    m.kind = Metric::Kind::reach_year;
    m.name = metric;
    m.units = "year";
    return m;
  }
  for (const char* f : {"it_mw", "compute_flops", "energy_twh", "spend_usd"}) {
    if (metric != std::string(f) + "_final") continue;
    m.kind = Metric::Kind::final_value;
    m.name = f;
    const bool stored = in.has_variable(metric) ||
                        (m.name == "spend_usd" ? in.has_variable("capex_usd") && in.has_variable("opex_usd")
                                               : in.has_variable(m.name));
    if (!stored) throw UsageError(in.path() + " holds neither " + metric + " nor the " + m.name + " trajectory");
    m.units = m.name == "spend_usd" ? "USD" : "";
    for (int k = 0; k < kNumCountrySeries && m.units.empty(); ++k)
      if (info(static_cast<CountrySeries>(k)).name == m.name)
        m.units = std::string(info(static_cast<CountrySeries>(k)).units);
    return m;
  }
  const auto at = metric.find('@');
  if (at == std::string::npos) throw UsageError("--metric " + metric + ": unknown metric; " + allowed);
  m.kind = Metric::Kind::series;
  m.name = check_series(in, metric.substr(0, at), m.units);
  const std::string year = metric.substr(at + 1);
  std::size_t used = 0;
  double y = kNaN;
  try {
    y = std::stod(year, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != year.size() || !std::isfinite(y))
    throw UsageError("--metric " + metric + ": '" + year + "' is not a year; " + allowed);
  for (std::size_t t = 0; t < time.size(); ++t)
    if (std::fabs(time[t] - y) < 1e-6) m.time_index.push_back(static_cast<int>(t));
  if (m.time_index.empty()) {
    const double dt = time.size() > 1 ? time[1] - time[0] : 0.0;
    throw UsageError("--metric " + metric + ": " + year + " is not a time of " + in.path() + " (" +
                     year_text(time.front()) + " to " + year_text(time.back()) + " every " +
                     year_text(dt) + " years)");
  }
  m.time_index.resize(1);
  return m;
}

// Runs of one policy's Saltelli design: run[j * (d + 2) + m] is the file's run of base row j
// and matrix m, -1 where the file does not hold it complete.
struct PolicyDesign {
  int policy = 0;
  long long base_rows = 0;  // the largest base row held + 1
  long long held = 0;       // base rows with at least one complete run in the file
  std::vector<long long> run;
  std::vector<long long> usable;  // base rows with all d + 2 runs complete
  long long first = 0, end = 0;   // runs [first, end) of the file hold them
};

std::vector<PolicyDesign> read_designs(const ResultsReader& in, int d, long long& incomplete) {
  const auto complete = in.run_complete();
  const auto matrix = in.read_per_run("saltelli_matrix");
  const auto base = in.read_per_run("base_row");
  std::vector<double> policy(static_cast<std::size_t>(in.runs()), 0.0);
  if (in.has_variable("policy")) policy = in.read_per_run("policy");
  std::map<int, PolicyDesign> by_policy;
  const auto cols = static_cast<long long>(d) + 2;
  incomplete = 0;
  for (long long r = 0; r < in.runs(); ++r) {
    const auto k = static_cast<std::size_t>(r);
    if (!complete[k]) {
      ++incomplete;
      continue;
    }
    const int p = static_cast<int>(policy[k]);
    const auto m = static_cast<long long>(matrix[k]);
    const auto j = static_cast<long long>(base[k]);
    if (m < 0 || m >= cols || j < 0)
      throw OutputError(in.path() + ": run " + std::to_string(r) + " has saltelli_matrix " +
                        number(matrix[k]) + " and base_row " + number(base[k]) +
                        ", outside the design of " + std::to_string(d) + " uncertain keys");
    auto& pd = by_policy[p];
    pd.policy = p;
    if (j >= pd.base_rows) {
      pd.base_rows = j + 1;
      pd.run.resize(static_cast<std::size_t>(pd.base_rows * cols), -1);
    }
    auto& slot = pd.run[static_cast<std::size_t>(j * cols + m)];
    if (slot >= 0)
      throw OutputError(in.path() + ": runs " + std::to_string(slot) + " and " + std::to_string(r) +
                        " are both base row " + std::to_string(j) + ", matrix " + std::to_string(m) +
                        " of policy " + std::to_string(p));
    slot = r;
  }
  std::vector<PolicyDesign> out;
  for (auto& [p, pd] : by_policy) {
    pd.first = std::numeric_limits<long long>::max();
    for (long long j = 0; j < pd.base_rows; ++j) {
      bool all = true, any = false;
      for (long long m = 0; m < cols; ++m) {
        const bool held = pd.run[static_cast<std::size_t>(j * cols + m)] >= 0;
        all = all && held;
        any = any || held;
      }
      pd.held += any ? 1 : 0;
      if (!all) continue;
      pd.usable.push_back(j);
      for (long long m = 0; m < cols; ++m) {
        const long long r = pd.run[static_cast<std::size_t>(j * cols + m)];
        pd.first = std::min(pd.first, r);
        pd.end = std::max(pd.end, r + 1);
      }
    }
    if (pd.usable.empty()) pd.first = pd.end = 0;
    out.push_back(std::move(pd));
  }
  return out;
}

// values[slot][country][run - first] for the policy's runs [first, end).
std::vector<std::vector<std::vector<double>>> read_values(const ResultsReader& in, const Metric& m,
                                                          long long first, long long end) {
  const std::size_t nc = in.iso3().size();
  const std::size_t slots = m.kind == Metric::Kind::series ? m.time_index.size() : 1;
  const auto span = static_cast<std::size_t>(end - first);
  std::vector<std::vector<std::vector<double>>> values(
      slots, std::vector<std::vector<double>>(nc, std::vector<double>(span, kNaN)));
  constexpr long long kBlock = 1024;
  Eigen::ArrayXXd per_country;
  std::vector<Eigen::ArrayXXd> series;
  for (long long b = first; b < end; b += kBlock) {
    const int count = static_cast<int>(std::min(kBlock, end - b));
    const auto off = static_cast<std::size_t>(b - first);
    if (m.kind == Metric::Kind::series) {
      in.read_country_series(m.name, static_cast<int>(b), count, series);
      for (std::size_t s = 0; s < slots; ++s)
        for (std::size_t c = 0; c < nc; ++c)
          for (int k = 0; k < count; ++k)
            values[s][c][off + static_cast<std::size_t>(k)] =
                series[static_cast<std::size_t>(k)](static_cast<Eigen::Index>(c), m.time_index[s]);
      continue;
    }
    if (m.kind == Metric::Kind::reach_year)
      in.read_per_country(m.name, static_cast<int>(b), count, per_country);
    else
      in.read_final(m.name, static_cast<int>(b), count, per_country);
    for (std::size_t c = 0; c < nc; ++c)
      for (int k = 0; k < count; ++k)
        values[0][c][off + static_cast<std::size_t>(k)] = per_country(static_cast<Eigen::Index>(c), k);
  }
  return values;
}

std::string policy_levers(const ResultsReader& in, long long run) {
  const auto keys = in.lever_keys();
  if (keys.empty()) return "";
  const auto texts = in.lever_texts(run);
  std::string out;
  for (std::size_t k = 0; k < keys.size(); ++k) out += (k ? ", " : "") + keys[k] + " = " + texts[k];
  return out;
}

void print_text(std::ostream& os, const ResultsReader& in, const Metric& metric,
                const std::vector<std::string>& keys, const std::vector<Result>& results,
                const SobolOptions& opt, double censor_year) {
  os << "Sobol indices of " << metric.label << (metric.units.empty() ? "" : " (" + metric.units + ")")
     << " in " << in.path() << " over " << keys.size() << " uncertain parameter"
     << (keys.size() == 1 ? "" : "s") << "\n"
     << "S1: first order (Saltelli 2010), ST: total (Jansen 1999)";
  if (opt.bootstrap > 0)
    os << "; [lo, hi]: " << number(100.0 * opt.confidence) << "% bootstrap interval (" << opt.bootstrap
       << " resamples of the base rows, seed " << opt.seed << ")";
  os << "\n";
  if (metric.kind == Metric::Kind::reach_year)
    os << metric.label << ": a run that never reaches "
       << (metric.name == "year_gw_reached" ? "1 GW" : "its final target") << " counts as "
       << year_text(censor_year) << " (the horizon + dt): censored at the end of the run\n";
  const bool series = metric.kind == Metric::Kind::series && metric.time_index.size() > 1;
  if (series && opt.bootstrap > 0) os << "(intervals: --format csv or json)\n";

  std::size_t width = 9;
  for (const auto& k : keys) width = std::max(width, k.size());
  int last_policy = -1;
  for (std::size_t r = 0; r < results.size(); ++r) {
    const Result& x = results[r];
    if (x.policy != last_policy) {
      last_policy = x.policy;
      os << "\npolicy " << x.policy << (x.levers.empty() ? "" : ": " + x.levers) << " (" << x.s.rows
         << " base rows x " << keys.size() + 2 << " = " << x.runs << " runs)\n";
    }
    const auto c = static_cast<std::size_t>(x.country);
    if (series) {
      // One table per country: a row per year, S1 / ST per parameter.
      if (r == 0 || results[r - 1].country != x.country || results[r - 1].policy != x.policy) {
        os << "\n" << in.iso3()[c] << "  " << in.names()[c] << ": " << metric.label << ", S1 / ST by year\n  "
           << std::left << std::setw(8) << "year";
        for (std::size_t i = 0; i < keys.size(); ++i)
          os << "  " << std::setw(i + 1 == keys.size() ? 0 : static_cast<int>(std::max<std::size_t>(keys[i].size(), 13)))
             << keys[i];
        os << std::right << "\n";
      }
      os << "  " << std::left << std::setw(8) << year_text(x.year);
      for (std::size_t i = 0; i < keys.size(); ++i) {
        const std::string cell = x.s.note.empty() ? fixed(x.s.first[i]) + " / " + fixed(x.s.total[i]) : "-";
        const bool last = i + 1 == keys.size() && x.s.note.empty();
        os << "  " << std::setw(last ? 0 : static_cast<int>(std::max<std::size_t>(keys[i].size(), 13))) << cell;
      }
      os << std::right;
      if (!x.s.note.empty()) os << "  (" << x.s.note << ")";
      os << "\n";
      continue;
    }
    os << "\n" << in.iso3()[c] << "  " << in.names()[c] << ": mean " << number(x.s.mean) << ", sd "
       << number(std::sqrt(x.s.variance));
    if (metric.kind == Metric::Kind::reach_year)
      os << "; " << x.censored << " of " << x.runs << " runs censored";
    if (x.dropped_rows > 0) os << "; " << x.dropped_rows << " base rows left out (non-finite output)";
    os << "\n";
    if (!x.s.note.empty()) {
      os << "  indices undefined: " << x.s.note << "\n";
      continue;
    }
    // Intervals left-aligned after their index: "0.412  [0.371, 0.455]".
    const bool intervals = opt.bootstrap > 0;
    os << "  " << std::left << std::setw(static_cast<int>(width)) << "parameter" << std::right << "  "
       << std::setw(7) << "S1" << (intervals ? "  " + std::string(16, ' ') : "") << "  " << std::setw(7)
       << "ST" << "\n";
    for (std::size_t i = 0; i < keys.size(); ++i) {
      auto interval = [&](double lo, double hi, int pad) {
        std::ostringstream cell;
        if (intervals) cell << "  " << std::left << std::setw(pad) << "[" + fixed(lo) + ", " + fixed(hi) + "]";
        return cell.str();
      };
      os << "  " << std::left << std::setw(static_cast<int>(width)) << keys[i] << std::right << "  "
         << std::setw(7) << fixed(x.s.first[i]) << interval(x.s.first_lo[i], x.s.first_hi[i], 16) << "  "
         << std::setw(7) << fixed(x.s.total[i]) << interval(x.s.total_lo[i], x.s.total_hi[i], 0) << "\n";
    }
  }
}

void print_csv(std::ostream& os, const ResultsReader& in, const std::vector<std::string>& keys,
               const std::vector<Result>& results) {
  os << "policy,levers,country,metric,year,parameter,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,base_rows,runs,"
        "mean,sd,censored,note\n";
  for (const auto& x : results)
    for (std::size_t i = 0; i < keys.size(); ++i)
      os << x.policy << "," << csv_cell(x.levers) << "," << in.iso3()[static_cast<std::size_t>(x.country)]
         << "," << csv_cell(x.metric) << "," << (std::isnan(x.year) ? "" : year_text(x.year)) << ","
         << csv_cell(keys[i]) << "," << number(x.s.first[i], 12) << "," << number(x.s.first_lo[i], 12)
         << "," << number(x.s.first_hi[i], 12) << "," << number(x.s.total[i], 12) << ","
         << number(x.s.total_lo[i], 12) << "," << number(x.s.total_hi[i], 12) << "," << x.s.rows << ","
         << x.runs << "," << number(x.s.mean, 12) << "," << number(std::sqrt(x.s.variance), 12) << ","
         << x.censored << "," << csv_cell(x.s.note) << "\n";
}

void print_json(std::ostream& os, const ResultsReader& in, const Metric& metric,
                const std::vector<std::string>& keys, const std::vector<Result>& results,
                const SobolOptions& opt, double censor_year) {
  os << "{\"file\": " << json_string(in.path()) << ", \"metric\": " << json_string(metric.label)
     << ", \"units\": " << json_string(metric.units)
     << ", \"first_order\": \"Saltelli 2010: mean(f_B (f_ABi - f_A)) / V\""
     << ", \"total\": \"Jansen 1999: mean((f_A - f_ABi)^2) / (2 V)\""
     << ", \"bootstrap\": " << opt.bootstrap << ", \"confidence\": " << number(opt.confidence)
     << ", \"seed\": " << opt.seed << ", \"censored_at\": "
     << (metric.kind == Metric::Kind::reach_year ? json_number(censor_year) : "null")
     << ", \"parameters\": [";
  for (std::size_t i = 0; i < keys.size(); ++i) os << (i ? ", " : "") << json_string(keys[i]);
  os << "],\n \"results\": [";
  for (std::size_t r = 0; r < results.size(); ++r) {
    const Result& x = results[r];
    os << (r ? ",\n  " : "\n  ") << "{\"policy\": " << x.policy << ", \"levers\": " << json_string(x.levers)
       << ", \"country\": " << json_string(in.iso3()[static_cast<std::size_t>(x.country)])
       << ", \"metric\": " << json_string(x.metric) << ", \"year\": " << json_number(x.year)
       << ", \"base_rows\": " << x.s.rows << ", \"runs\": " << x.runs << ", \"mean\": " << json_number(x.s.mean)
       << ", \"sd\": " << json_number(std::sqrt(x.s.variance)) << ", \"censored\": " << x.censored
       << ", \"note\": " << (x.s.note.empty() ? "null" : json_string(x.s.note)) << ", \"indices\": [";
    for (std::size_t i = 0; i < keys.size(); ++i)
      os << (i ? ", " : "") << "{\"parameter\": " << json_string(keys[i]) << ", \"S1\": "
         << json_number(x.s.first[i]) << ", \"S1_lo\": " << json_number(x.s.first_lo[i])
         << ", \"S1_hi\": " << json_number(x.s.first_hi[i]) << ", \"ST\": " << json_number(x.s.total[i])
         << ", \"ST_lo\": " << json_number(x.s.total_lo[i]) << ", \"ST_hi\": " << json_number(x.s.total_hi[i])
         << "}";
    os << "]}";
  }
  os << "\n]}\n";
}

}  // namespace

int cmd_sensitivity(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: sovcap sensitivity OUT.h5 (--metric M | --series SERIES) [--country ISO3|all]\n"
      "                          [--policy P|all] [--format text|csv|json] [--bootstrap N] [--seed S]\n\n"
      "Sobol indices of a metric over the uncertain parameters of a sweep sampled with\n"
      "method = \"saltelli\": per country, per parameter, the first-order index S1 (Saltelli 2010)\n"
      "and the total index ST (Jansen 1999), each with a bootstrap confidence interval over the\n"
      "base rows. Only complete runs are used, each policy (lever combination) on its own.\n\n"
      "metrics: year_gw_reached, year_target_reached (a run that never reaches it counts as the\n"
      "horizon + dt: censored at the end of the run), it_mw_final, compute_flops_final,\n"
      "energy_twh_final, spend_usd_final, SERIES@YEAR (e.g. it_mw@2030; the series must be stored).\n"
      "--series SERIES: indices of SERIES at every whole year of the time axis.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                "sovcap results file of a Saltelli sweep")(
      "metric", po::value<std::string>(), "the output: a metric above")(
      "series", po::value<std::string>(), "a [run, country, time] series: indices at every whole year")(
      "country", po::value<std::string>()->default_value("all"), "ISO3 code, or all")(
      "policy", po::value<std::string>()->default_value("0"), "policy index, or all (one after another)")(
      "format", po::value<std::string>()->default_value("text"), "text, csv or json")(
      "bootstrap", po::value<int>()->default_value(1000), "bootstrap resamples (0: no intervals)")(
      "seed", po::value<std::string>()->default_value("0"), "seed of the bootstrap resamples");
  po::positional_options_description positional;
  positional.add("file", 1);

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const std::string format = vm["format"].as<std::string>();
    if (format != "text" && format != "csv" && format != "json")
      throw UsageError("--format " + format + ": allowed text, csv, json");
    SobolOptions opt;
    opt.bootstrap = vm["bootstrap"].as<int>();
    if (opt.bootstrap < 0) throw UsageError("--bootstrap must be >= 0 (0: no intervals)");
    const std::string seed = vm["seed"].as<std::string>();
    if (seed.empty() || seed.find_first_not_of("0123456789") != std::string::npos || seed.size() > 20)
      throw UsageError("--seed " + seed + ": allowed a non-negative integer");
    try {
      opt.seed = std::stoull(seed);
    } catch (const std::exception&) {
      throw UsageError("--seed " + seed + ": allowed an integer below 2^64");
    }
    const std::string metric_text = vm.count("metric") ? vm["metric"].as<std::string>() : "";
    const std::string series_text = vm.count("series") ? vm["series"].as<std::string>() : "";
    if (metric_text.empty() == series_text.empty())
      throw UsageError("give one of --metric or --series\n" + usage);

    const std::string path = vm["file"].as<std::string>();
    std::ifstream probe(path);
    if (!probe) throw UsageError(path + ": no such file");
    probe.close();
    const ResultsReader in(path);
    std::string method;
    try {
      method = in.attribute("sweep_method");
    } catch (const std::exception&) {
      method = "";
    }
    if (method != "saltelli" || !in.has_variable("saltelli_matrix") || !in.has_variable("base_row"))
      throw UsageError(path + " is not a Saltelli design (sweep_method = \"" + method +
                       "\"): Sobol indices need a sweep sampled with method = \"saltelli\" in its "
                       "[sweep] section (or sovcap run ... --set sweep.method='\"saltelli\"'), which "
                       "adds the A, B and AB_i samples the estimators pair up");
    const auto keys = split_words(in.attribute("uncertain_keys"));
    const int d = static_cast<int>(keys.size());
    if (d < 1) throw UsageError(path + " has no uncertain keys");
    const Metric metric = parse_metric(in, metric_text, series_text);

    std::vector<int> countries;
    const std::string country = vm["country"].as<std::string>();
    if (country == "all") {
      for (std::size_t c = 0; c < in.iso3().size(); ++c) countries.push_back(static_cast<int>(c));
    } else {
      const auto it = std::find(in.iso3().begin(), in.iso3().end(), country);
      if (it == in.iso3().end()) {
        std::string all;
        for (const auto& c : in.iso3()) all += (all.empty() ? "" : ", ") + c;
        throw UsageError("--country " + country + ": not in " + path + "; allowed all, " + all);
      }
      countries.push_back(static_cast<int>(it - in.iso3().begin()));
    }

    long long incomplete = 0;
    auto designs = read_designs(in, d, incomplete);
    if (designs.empty()) throw UsageError(path + " holds no complete run");
    const std::string policy = vm["policy"].as<std::string>();
    if (policy != "all") {
      std::size_t used = 0;
      int p = -1;
      try {
        p = std::stoi(policy, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      std::vector<PolicyDesign> chosen;
      for (auto& pd : designs)
        if (used == policy.size() && pd.policy == p) chosen.push_back(std::move(pd));
      if (chosen.empty())
        throw UsageError("--policy " + policy + ": allowed all, or a policy of " + path + " from 0 to " +
                         std::to_string(designs.back().policy));
      designs = std::move(chosen);
    }
    if (in.runs() != in.total_runs())
      std::cerr << "sovcap: warning: " << path << " is one shard (runs " << in.first_run() << " to "
                << in.first_run() + in.runs() - 1 << " of " << in.total_runs()
                << "): indices from the base rows it holds whole only; merge the shards "
                   "(sovcap merge) for the whole sweep\n";
    if (incomplete > 0)
      std::cerr << "sovcap: warning: " << incomplete << " of " << in.runs() << " runs in " << path
                << " are not complete (a partial file, or a master missing a shard); base rows "
                   "missing any of their runs are left out\n";

    const auto& time = in.time();
    const double dt = time.size() > 1 ? time[1] - time[0] : 0.0;
    const double censor_year = time.back() + dt;
    const auto cols = static_cast<std::size_t>(d) + 2;
    std::vector<Result> results;
    for (const auto& pd : designs) {
      if (pd.usable.size() < static_cast<std::size_t>(pd.held))
        std::cerr << "sovcap: warning: policy " << pd.policy << ": " << pd.usable.size() << " of the "
                  << pd.held << " base rows held have all " << cols
                  << " runs complete; the others are left out\n";
      if (pd.usable.empty()) continue;
      const auto values = read_values(in, metric, pd.first, pd.end);
      const std::string levers = policy_levers(in, pd.run[static_cast<std::size_t>(pd.usable.front()) * cols]);
      for (std::size_t slot = 0; slot < values.size(); ++slot) {
        for (int c : countries) {
          const auto& v = values[slot][static_cast<std::size_t>(c)];
          Result x;
          x.policy = pd.policy;
          x.levers = levers;
          x.country = c;
          x.metric = metric.label;
          if (metric.kind == Metric::Kind::series) {
            x.year = time[static_cast<std::size_t>(metric.time_index[slot])];
            x.metric = metric.name + "@" + year_text(x.year);
          }
          Eigen::ArrayXXd y(static_cast<Eigen::Index>(pd.usable.size()), static_cast<Eigen::Index>(cols));
          Eigen::Index rows = 0;
          for (long long j : pd.usable) {
            bool finite = true;
            long long censored = 0;
            for (std::size_t m = 0; m < cols; ++m) {
              const long long r = pd.run[static_cast<std::size_t>(j) * cols + m];
              double value = v[static_cast<std::size_t>(r - pd.first)];
              if (metric.kind == Metric::Kind::reach_year && std::isnan(value)) {
                value = censor_year;
                ++censored;
              }
              finite = finite && std::isfinite(value);
              y(rows, static_cast<Eigen::Index>(m)) = value;
            }
            if (!finite) {
              ++x.dropped_rows;
              continue;
            }
            x.censored += censored;
            ++rows;
          }
          x.runs = static_cast<long long>(rows) * static_cast<long long>(cols);
          x.s = sobol_indices(y.topRows(rows), opt);
          if (metric.kind == Metric::Kind::reach_year && rows > 0 && x.censored == x.runs)
            x.s.note = "never reached in any run (every run censored at " + year_text(censor_year) + ")";
          results.push_back(std::move(x));
        }
      }
    }
    if (format == "text")
      print_text(std::cout, in, metric, keys, results, opt, censor_year);
    else if (format == "csv")
      print_csv(std::cout, in, keys, results);
    else
      print_json(std::cout, in, metric, keys, results, opt, censor_year);
    return kExitOk;
  });
}

}  // namespace sovcap::app
