#include "sovcap/sensitivity_report.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#include "sovcap/answer.hpp"
#include "sovcap/output.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/request_error.hpp"
#include "sovcap/text.hpp"

namespace sovcap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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
    throw RequestError("bottleneck is a category code, not a quantity: no variance to apportion");
  if (!known) throw RequestError("unknown series '" + name + "'; allowed: " + all);
  if (!in.has_variable(name))
    throw RequestError(name + " is not stored in " + in.path() + " (written with --store summary" +
                       " without it in --keep): rerun the sweep with --keep " + name + " or --store full");
  return name;
}

// values[slot][country][run - first] for the policy's runs [first, end).
std::vector<std::vector<std::vector<double>>> read_values(const ResultsReader& in,
                                                          const SensitivityMetric& m,
                                                          long long first, long long end) {
  using Kind = SensitivityMetric::Kind;
  const std::size_t nc = in.iso3().size();
  const std::size_t slots = m.kind == Kind::series ? m.time_index.size() : 1;
  const auto span = static_cast<std::size_t>(end - first);
  std::vector<std::vector<std::vector<double>>> values(
      slots, std::vector<std::vector<double>>(nc, std::vector<double>(span, kNaN)));
  constexpr long long kBlock = 1024;
  Eigen::ArrayXXd per_country;
  std::vector<Eigen::ArrayXXd> series;
  for (long long b = first; b < end; b += kBlock) {
    const int count = static_cast<int>(std::min(kBlock, end - b));
    const auto off = static_cast<std::size_t>(b - first);
    if (m.kind == Kind::series) {
      in.read_country_series(m.name, static_cast<int>(b), count, series);
      for (std::size_t s = 0; s < slots; ++s)
        for (std::size_t c = 0; c < nc; ++c)
          for (int k = 0; k < count; ++k)
            values[s][c][off + static_cast<std::size_t>(k)] =
                series[static_cast<std::size_t>(k)](static_cast<Eigen::Index>(c), m.time_index[s]);
      continue;
    }
    if (m.kind == Kind::reach_year)
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

// The indices of one policy, year slot and country from the metric's values `v` of the
// policy's runs; a reach year never reached counts as `censor_year`.
SensitivityResult indices_of(const SaltelliDesign& pd, const SensitivityMetric& metric,
                             const std::vector<double>& v, std::size_t cols, double censor_year,
                             const SobolOptions& opt) {
  const bool reach = metric.kind == SensitivityMetric::Kind::reach_year;
  SensitivityResult x;
  Eigen::ArrayXXd y(static_cast<Eigen::Index>(pd.usable.size()), static_cast<Eigen::Index>(cols));
  Eigen::Index rows = 0;
  for (long long j : pd.usable) {
    bool finite = true;
    long long censored = 0;
    for (std::size_t m = 0; m < cols; ++m) {
      const long long r = pd.run[static_cast<std::size_t>(j) * cols + m];
      double value = v[static_cast<std::size_t>(r - pd.first)];
      if (reach && std::isnan(value)) {
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
  if (reach && rows > 0 && x.censored == x.runs)
    x.s.note = "never reached in any run (every run censored at " + year_text(censor_year) + ")";
  return x;
}

void render_text(std::ostream& os, const SensitivityReport& rep) {
  const auto& metric = rep.metric;
  const auto& keys = rep.keys;
  const auto& opt = rep.sobol;
  os << "Sobol indices of " << metric.label << (metric.units.empty() ? "" : " (" + metric.units + ")")
     << " in " << rep.path << " over " << keys.size() << " uncertain parameter"
     << (keys.size() == 1 ? "" : "s") << "\n"
     << "S1: first order (Saltelli 2010), ST: total (Jansen 1999)";
  if (opt.bootstrap > 0)
    os << "; [lo, hi]: " << number(100.0 * opt.confidence) << "% bootstrap interval (" << opt.bootstrap
       << " resamples of the base rows, seed " << opt.seed << ")";
  os << "\n";
  if (metric.kind == SensitivityMetric::Kind::reach_year)
    os << metric.label << ": a run that never reaches "
       << (metric.name == "year_gw_reached" ? "1 GW" : "its final target") << " counts as "
       << year_text(rep.censor_year) << " (the horizon + dt): censored at the end of the run\n";
  const bool series = metric.kind == SensitivityMetric::Kind::series && metric.time_index.size() > 1;
  if (series && opt.bootstrap > 0) os << "(intervals: --format csv or json)\n";

  std::size_t width = 9;
  for (const auto& k : keys) width = std::max(width, k.size());
  int last_policy = -1;
  for (std::size_t r = 0; r < rep.results.size(); ++r) {
    const SensitivityResult& x = rep.results[r];
    if (x.policy != last_policy) {
      last_policy = x.policy;
      os << "\npolicy " << x.policy << (x.levers.empty() ? "" : ": " + x.levers) << " (" << x.s.rows
         << " base rows x " << keys.size() + 2 << " = " << x.runs << " runs)\n";
    }
    const auto c = static_cast<std::size_t>(x.country);
    if (series) {
      // One table per country: a row per year, S1 / ST per parameter.
      if (r == 0 || rep.results[r - 1].country != x.country || rep.results[r - 1].policy != x.policy) {
        os << "\n" << rep.iso3[c] << "  " << rep.names[c] << ": " << metric.label << ", S1 / ST by year\n  "
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
    os << "\n" << rep.iso3[c] << "  " << rep.names[c] << ": mean " << number(x.s.mean) << ", sd "
       << number(std::sqrt(x.s.variance));
    if (metric.kind == SensitivityMetric::Kind::reach_year)
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

void render_csv(std::ostream& os, const SensitivityReport& rep) {
  const auto& keys = rep.keys;
  os << "policy,levers,country,metric,year,parameter,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,base_rows,runs,"
        "mean,sd,censored,note\n";
  for (const auto& x : rep.results)
    for (std::size_t i = 0; i < keys.size(); ++i)
      os << x.policy << "," << csv_cell(x.levers) << "," << rep.iso3[static_cast<std::size_t>(x.country)]
         << "," << csv_cell(x.metric) << "," << (std::isnan(x.year) ? "" : year_text(x.year)) << ","
         << csv_cell(keys[i]) << "," << number(x.s.first[i], 12) << "," << number(x.s.first_lo[i], 12)
         << "," << number(x.s.first_hi[i], 12) << "," << number(x.s.total[i], 12) << ","
         << number(x.s.total_lo[i], 12) << "," << number(x.s.total_hi[i], 12) << "," << x.s.rows << ","
         << x.runs << "," << number(x.s.mean, 12) << "," << number(std::sqrt(x.s.variance), 12) << ","
         << x.censored << "," << csv_cell(x.s.note) << "\n";
}

void render_json(std::ostream& os, const SensitivityReport& rep) {
  const auto& metric = rep.metric;
  const auto& keys = rep.keys;
  const auto& opt = rep.sobol;
  os << "{\"file\": " << json_string(rep.path) << ", \"metric\": " << json_string(metric.label)
     << ", \"units\": " << json_string(metric.units)
     << ", \"first_order\": \"Saltelli 2010: mean(f_B (f_ABi - f_A)) / V\""
     << ", \"total\": \"Jansen 1999: mean((f_A - f_ABi)^2) / (2 V)\""
     << ", \"bootstrap\": " << opt.bootstrap << ", \"confidence\": " << number(opt.confidence)
     << ", \"seed\": " << opt.seed << ", \"censored_at\": "
     << (metric.kind == SensitivityMetric::Kind::reach_year ? json_number(rep.censor_year) : "null")
     << ", \"parameters\": [";
  for (std::size_t i = 0; i < keys.size(); ++i) os << (i ? ", " : "") << json_string(keys[i]);
  os << "],\n \"results\": [";
  for (std::size_t r = 0; r < rep.results.size(); ++r) {
    const SensitivityResult& x = rep.results[r];
    os << (r ? ",\n  " : "\n  ") << "{\"policy\": " << x.policy << ", \"levers\": " << json_string(x.levers)
       << ", \"country\": " << json_string(rep.iso3[static_cast<std::size_t>(x.country)])
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

SensitivityMetric sensitivity_metric(const ResultsReader& in, const std::string& metric,
                                     const std::string& series) {
  using Kind = SensitivityMetric::Kind;
  const auto& time = in.time();
  SensitivityMetric m;
  if (!series.empty()) {
    m.kind = Kind::series;
    m.name = check_series(in, series, m.units);
    m.label = series;
    for (std::size_t t = 0; t < time.size(); ++t)
      if (std::fabs(time[t] - std::round(time[t])) < 1e-9) m.time_index.push_back(static_cast<int>(t));
    if (m.time_index.empty()) throw RequestError("--series: " + in.path() + " has no whole year on its time axis");
    return m;
  }
  const std::string allowed =
      "allowed year_gw_reached, year_target_reached, it_mw_final, compute_flops_final, "
      "energy_twh_final, spend_usd_final, SERIES@YEAR (e.g. it_mw@2030)";
  m.label = metric;
  if (metric == "year_gw_reached" || metric == "year_target_reached") {
    m.kind = Kind::reach_year;
    m.name = metric;
    m.units = "year";
    return m;
  }
  for (const char* f : {"it_mw", "compute_flops", "energy_twh", "spend_usd"}) {
    if (metric != std::string(f) + "_final") continue;
    m.kind = Kind::final_value;
    m.name = f;
    const bool stored = in.has_variable(metric) ||
                        (m.name == "spend_usd" ? in.has_variable("capex_usd") && in.has_variable("opex_usd")
                                               : in.has_variable(m.name));
    if (!stored) throw RequestError(in.path() + " holds neither " + metric + " nor the " + m.name + " trajectory");
    m.units = m.name == "spend_usd" ? "USD" : "";
    for (int k = 0; k < kNumCountrySeries && m.units.empty(); ++k)
      if (info(static_cast<CountrySeries>(k)).name == m.name)
        m.units = std::string(info(static_cast<CountrySeries>(k)).units);
    return m;
  }
  const auto at = metric.find('@');
  if (at == std::string::npos) throw RequestError("--metric " + metric + ": unknown metric; " + allowed);
  m.kind = Kind::series;
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
    throw RequestError("--metric " + metric + ": '" + year + "' is not a year; " + allowed);
  for (std::size_t t = 0; t < time.size(); ++t)
    if (std::fabs(time[t] - y) < 1e-6) m.time_index.push_back(static_cast<int>(t));
  if (m.time_index.empty()) {
    const double dt = time.size() > 1 ? time[1] - time[0] : 0.0;
    throw RequestError("--metric " + metric + ": " + year + " is not a time of " + in.path() + " (" +
                       year_text(time.front()) + " to " + year_text(time.back()) + " every " +
                       year_text(dt) + " years)");
  }
  m.time_index.resize(1);
  return m;
}

std::vector<SaltelliDesign> saltelli_designs(const ResultsReader& in, int dims, long long& incomplete) {
  const auto complete = in.run_complete();
  const auto matrix = in.read_per_run("saltelli_matrix");
  const auto base = in.read_per_run("base_row");
  std::vector<double> policy(static_cast<std::size_t>(in.runs()), 0.0);
  if (in.has_variable("policy")) policy = in.read_per_run("policy");
  std::map<int, SaltelliDesign> by_policy;
  const auto cols = static_cast<long long>(dims) + 2;
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
                        ", outside the design of " + std::to_string(dims) + " uncertain keys");
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
  std::vector<SaltelliDesign> out;
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

SensitivityReport sensitivity_report(const std::string& path, const SensitivityRequest& request) {
  std::ifstream probe(path);
  if (!probe) throw RequestError(path + ": no such file");
  probe.close();
  const ResultsReader in(path);
  std::string method;
  try {
    method = in.attribute("sweep_method");
  } catch (const std::exception&) {
    method = "";
  }
  if (method != "saltelli" || !in.has_variable("saltelli_matrix") || !in.has_variable("base_row"))
    throw RequestError(path + " is not a Saltelli design (sweep_method = \"" + method +
                       "\"): Sobol indices need a sweep sampled with method = \"saltelli\" in its "
                       "[sweep] section (or sovcap run ... --set sweep.method='\"saltelli\"'), which "
                       "adds the A, B and AB_i samples the estimators pair up");
  SensitivityReport rep;
  rep.path = in.path();
  rep.keys = split_words(in.attribute("uncertain_keys"));
  rep.iso3 = in.iso3();
  rep.names = in.names();
  rep.sobol = request.sobol;
  const int d = static_cast<int>(rep.keys.size());
  if (d < 1) throw RequestError(path + " has no uncertain keys");
  rep.metric = sensitivity_metric(in, request.metric, request.series);

  std::vector<int> countries;
  if (request.country == "all") {
    for (std::size_t c = 0; c < rep.iso3.size(); ++c) countries.push_back(static_cast<int>(c));
  } else {
    const auto it = std::find(rep.iso3.begin(), rep.iso3.end(), request.country);
    if (it == rep.iso3.end()) {
      std::string all;
      for (const auto& c : rep.iso3) all += (all.empty() ? "" : ", ") + c;
      throw RequestError("--country " + request.country + ": not in " + path + "; allowed all, " + all);
    }
    countries.push_back(static_cast<int>(it - rep.iso3.begin()));
  }

  long long incomplete = 0;
  auto designs = saltelli_designs(in, d, incomplete);
  if (designs.empty()) throw RequestError(path + " holds no complete run");
  const std::string& policy = request.policy;
  if (policy != "all") {
    std::size_t used = 0;
    int p = -1;
    try {
      p = std::stoi(policy, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    std::vector<SaltelliDesign> chosen;
    for (auto& pd : designs)
      if (used == policy.size() && pd.policy == p) chosen.push_back(std::move(pd));
    if (chosen.empty())
      throw RequestError("--policy " + policy + ": allowed all, or a policy of " + path + " from 0 to " +
                         std::to_string(designs.back().policy));
    designs = std::move(chosen);
  }
  if (in.runs() != in.total_runs())
    rep.warnings.push_back(path + " is one shard (runs " + std::to_string(in.first_run()) + " to " +
                           std::to_string(in.first_run() + in.runs() - 1) + " of " +
                           std::to_string(in.total_runs()) +
                           "): indices from the base rows it holds whole only; merge the shards "
                           "(sovcap merge) for the whole sweep");
  if (incomplete > 0)
    rep.warnings.push_back(incomplete_runs_warning(incomplete, in.runs(), path,
                                                   "base rows missing any of their runs are left out"));

  const auto& time = in.time();
  const double dt = time.size() > 1 ? time[1] - time[0] : 0.0;
  rep.censor_year = time.back() + dt;
  const auto cols = static_cast<std::size_t>(d) + 2;
  for (const auto& pd : designs) {
    if (pd.usable.size() < static_cast<std::size_t>(pd.held))
      rep.warnings.push_back("policy " + std::to_string(pd.policy) + ": " + std::to_string(pd.usable.size()) +
                             " of the " + std::to_string(pd.held) + " base rows held have all " +
                             std::to_string(cols) + " runs complete; the others are left out");
    if (pd.usable.empty()) continue;
    const auto values = read_values(in, rep.metric, pd.first, pd.end);
    const std::string levers = policy_levers(in, pd.run[static_cast<std::size_t>(pd.usable.front()) * cols]);
    for (std::size_t slot = 0; slot < values.size(); ++slot) {
      for (int c : countries) {
        SensitivityResult x = indices_of(pd, rep.metric, values[slot][static_cast<std::size_t>(c)], cols,
                                         rep.censor_year, rep.sobol);
        x.policy = pd.policy;
        x.levers = levers;
        x.country = c;
        x.metric = rep.metric.label;
        if (rep.metric.kind == SensitivityMetric::Kind::series) {
          x.year = time[static_cast<std::size_t>(rep.metric.time_index[slot])];
          x.metric = rep.metric.name + "@" + year_text(x.year);
        }
        rep.results.push_back(std::move(x));
      }
    }
  }
  return rep;
}

std::string render(const SensitivityReport& report, SensitivityFormat format) {
  std::ostringstream os;
  switch (format) {
    case SensitivityFormat::text: render_text(os, report); break;
    case SensitivityFormat::csv: render_csv(os, report); break;
    case SensitivityFormat::json: render_json(os, report); break;
  }
  return os.str();
}

}  // namespace sovcap
