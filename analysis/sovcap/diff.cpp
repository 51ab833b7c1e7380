#include "sovcap/diff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <limits>
#include <map>
#include <sstream>

#include "sovcap/answer.hpp"
#include "sovcap/compare.hpp"
#include "sovcap/csv.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/metric_values.hpp"
#include "sovcap/request_error.hpp"
#include "sovcap/summary_io.hpp"
#include "sovcap/text.hpp"

namespace sovcap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The per-run metrics of paired differences (sensitivity_metric's names).
constexpr const char* kPairedMetrics[] = {"year_gw_reached",     "year_target_reached", "it_mw_final",
                                          "compute_flops_final", "energy_twh_final",    "spend_usd_final"};

std::string number(double v, int precision = 10) {
  if (std::isnan(v)) return "";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os << std::setprecision(precision) << v;
  return os.str();
}

std::string json_number(double v) { return std::isfinite(v) ? number(v, 12) : "null"; }

// One summary metric of one country: a number (+inf never, NaN unavailable) or, for the
// dominant bottleneck of a period, its name.
struct Cell {
  double value = kNaN;
  std::string category;
};

// A file's summary over all its complete runs: per country (by ISO3), its metrics by name
// (the columns of `sovcap summarize --format csv`, in their order), and the names in order.
struct SummaryCells {
  int policy = -1;  // -1: every run, pooled
  std::vector<std::pair<std::string, std::string>> levers;
  long long runs = 0;
  std::vector<std::string> columns;
  std::map<std::string, std::map<std::string, Cell>> by_country;
  std::vector<std::string> unavailable;
};

std::string column_year(double y) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", y);
  return buf;
}

SummaryCells summary_cells(const FileSummary& part) {
  const Summary& s = part.summary;
  SummaryCells out;
  out.policy = part.policy;
  out.levers = part.levers;
  out.runs = s.runs;
  out.unavailable = s.unavailable;
  for (const auto& c : s.countries) {
    std::vector<std::pair<std::string, Cell>> m;
    auto add = [&](const std::string& name, double v) { m.push_back({name, Cell{v, ""}}); };
    auto stats = [&](const std::string& stem, const YearStats& y) {
      add(stem + "_p10", y.p10);
      add(stem + "_p50", y.p50);
      add(stem + "_p90", y.p90);
    };
    stats("year_reach", c.year_reach);
    add("p_reach", c.year_reach.probability);
    for (std::size_t k = 0; k < s.years.size(); ++k) add("p_reach_by_" + column_year(s.years[k]), c.p_reach_by[k]);
    stats("year_target", c.year_target);
    add("p_target", c.year_target.probability);
    for (std::size_t k = 0; k < s.years.size(); ++k) add("it_mw_" + column_year(s.years[k]), c.it_mw_at[k]);
    for (std::size_t k = 0; k < s.years.size(); ++k) add("compute_flops_" + column_year(s.years[k]), c.compute_at[k]);
    const std::string at = s.years.empty() ? "" : column_year(s.years.back());
    add("energy_twh_" + at, c.energy_twh);
    add("spend_usd_" + at, c.spend_usd);
    for (std::size_t k = 0; k < s.periods.size(); ++k) {
      const std::string period = period_label(s.periods[k]);
      m.push_back({"bottleneck_" + period, Cell{kNaN, std::string(kBottleneckNames[static_cast<std::size_t>(c.dominant[k])])}});
      add("bottleneck_share_" + period, c.dominant_share[k]);
    }
    if (has_held_back(s)) {  // as summarize's CSV columns
      add("shortfall_mw_mean", c.shortfall_mw_mean);
      for (std::size_t k = 1; k < kNumBottlenecks; ++k)
        add("held_back_share_" + std::string(kBottleneckNames[k]),
            k < c.held_back_share.size() ? c.held_back_share[k] : kNaN);
    }
    for (std::size_t p = 0; p < s.held_periods.size(); ++p) {
      const std::string period = period_label(s.held_periods[p]);
      const int most = most_held_back(c.held_back_share_period[p]);
      add("shortfall_mw_mean_" + period, c.shortfall_mw_period[p]);
      m.push_back({"held_back_most_" + period,
                   Cell{kNaN, most < 0 ? std::string("on_track") : std::string(kBottleneckNames[static_cast<std::size_t>(most)])}});
      // On track throughout the period: on_track, with all of its (zero) shortfall.
      add("held_back_most_share_" + period, most < 0 ? 1.0 : c.held_back_share_period[p][static_cast<std::size_t>(most)]);
    }
    if (out.columns.empty())
      for (const auto& [name, cell] : m) out.columns.push_back(name);
    auto& cells = out.by_country[c.iso3];
    for (auto& [name, cell] : m) cells[name] = std::move(cell);
  }
  return out;
}

// The summaries of a file: one per policy (`apart`), or one over every run.
std::vector<SummaryCells> file_cells(const ResultsReader& in, bool apart, std::vector<std::string>& warnings) {
  SummaryRequest request;
  request.pool = !apart;
  long long incomplete = 0;
  std::vector<SummaryCells> out;
  for (const auto& part : summarize(in, summary_options(in, request), apart, incomplete))
    out.push_back(summary_cells(part));
  if (incomplete > 0)
    warnings.push_back(incomplete_runs_warning(incomplete, in.runs(), in.path(), "compared without them"));
  for (const auto& u : out.front().unavailable) warnings.push_back(in.path() + " cannot give " + u);
  return out;
}

// Why two files' policies cannot be compared one by one ("" when they can: the same policy
// numbers with the same lever values).
std::string policies_differ(const ResultsReader& a, const std::vector<SummaryCells>& pa, const ResultsReader& b,
                            const std::vector<SummaryCells>& pb) {
  if (pa.size() != pb.size())
    return a.path() + " has " + std::to_string(pa.size()) + " policies, " + b.path() + " " + std::to_string(pb.size());
  for (std::size_t k = 0; k < pa.size(); ++k)
    if (pa[k].policy != pb[k].policy || pa[k].levers != pb[k].levers)
      return "policy " + std::to_string(pa[k].policy) + " has other lever values in " + b.path();
  return "";
}

// A number as a cell: "never" for +inf, "" where unavailable.
std::string cell_text(double v) { return std::isinf(v) && v > 0 ? "never" : number(v); }

bool same(double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); }

DiffMetric diff_metric(const std::string& name, const Cell* a, const Cell* b) {
  DiffMetric m;
  m.name = name;
  m.numeric = !((a != nullptr && !a->category.empty()) || (b != nullptr && !b->category.empty()));
  if (!m.numeric) {
    m.a = a == nullptr ? "" : a->category;
    m.b = b == nullptr ? "" : b->category;
    m.a_value = m.b_value = m.delta = kNaN;
    m.changed = m.a != m.b;
    return m;
  }
  m.a_value = a == nullptr ? kNaN : a->value;
  m.b_value = b == nullptr ? kNaN : b->value;
  m.a = cell_text(m.a_value);
  m.b = cell_text(m.b_value);
  m.changed = !same(m.a_value, m.b_value);
  // Equal values (never in both too) differ by 0; never against a year, or a value one
  // file cannot give, has no difference.
  m.delta = !m.changed ? (std::isnan(m.a_value) ? kNaN : 0.0)
                       : (std::isfinite(m.a_value) && std::isfinite(m.b_value) ? m.b_value - m.a_value : kNaN);
  return m;
}

// The countries to compare: those asked for (each must be in both files), or every country
// in both, in A's order.
std::vector<std::string> chosen_countries(const ResultsReader& a, const ResultsReader& b,
                                          const DiffRequest& request, DiffReport& rep) {
  std::vector<std::string> out;
  if (!request.countries.empty()) {
    for (const ResultsReader* in : {&a, &b}) {
      try {
        pick_countries(request.countries, in->iso3());
      } catch (const RequestError& e) {
        throw RequestError(in->path() + ": " + e.what());
      }
    }
    for (std::size_t i : pick_countries(request.countries, a.iso3())) out.push_back(a.iso3()[i]);
    return out;
  }
  auto in = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  for (const auto& c : a.iso3()) (in(b.iso3(), c) ? out : rep.only_a).push_back(c);
  for (const auto& c : b.iso3())
    if (!in(a.iso3(), c)) rep.only_b.push_back(c);
  if (out.empty()) throw RequestError(a.path() + " and " + b.path() + " have no country in common");
  if (!rep.only_a.empty() || !rep.only_b.empty()) {
    std::string w = "countries in one file only are left out:";
    for (const auto& c : rep.only_a) w += " " + c + " (only in " + a.path() + ")";
    for (const auto& c : rep.only_b) w += " " + c + " (only in " + b.path() + ")";
    rep.warnings.push_back(w);
  }
  return out;
}

std::size_t country_index(const ResultsReader& in, const std::string& iso3) {
  return static_cast<std::size_t>(std::find(in.iso3().begin(), in.iso3().end(), iso3) - in.iso3().begin());
}

// Paired differences of every per-run metric both files store, over the runs complete in
// both; fills rep.paired_runs and each country's `paired`.
void add_paired(const ResultsReader& a, const ResultsReader& b, DiffReport& rep) {
  const auto ca = a.run_complete(), cb = b.run_complete();
  const auto policy = a.read_per_run("policy");  // b's too: the same sweep layout
  std::map<int, std::vector<Eigen::Index>> runs_of;  // policy (-1: all) -> runs complete in both
  for (std::size_t r = 0; r < ca.size(); ++r) {
    if (!(ca[r] && cb[r])) continue;
    runs_of[-1].push_back(static_cast<Eigen::Index>(r));
    if (rep.apart) runs_of[static_cast<int>(policy[r])].push_back(static_cast<Eigen::Index>(r));
  }
  rep.paired_runs = static_cast<long long>(runs_of[-1].size());
  if (rep.paired_runs == 0) return;
  for (const char* name : kPairedMetrics) {
    SensitivityMetric ma, mb;
    try {
      ma = sensitivity_metric(a, name, "");
      mb = sensitivity_metric(b, name, "");
    } catch (const RequestError&) {
      continue;  // not stored in one of the files (spend_usd_final of an old summary file)
    }
    const Eigen::ArrayXXd va = read_metric(a, ma), vb = read_metric(b, mb);
    const bool reach = ma.kind == SensitivityMetric::Kind::reach_year;
    for (auto& cd : rep.countries) {
      const auto& runs = runs_of[cd.policy];
      if (runs.empty()) continue;
      const auto ia = static_cast<Eigen::Index>(country_index(a, cd.iso3));
      const auto ib = static_cast<Eigen::Index>(country_index(b, cd.iso3));
      PairedMetric pm;
      pm.name = name;
      pm.units = ma.units;
      pm.runs = static_cast<long long>(runs.size());
      std::vector<double> d;
      double sa = 0.0, sb = 0.0;
      for (Eigen::Index r : runs) {
        const double x = va(ia, r), y = vb(ib, r);
        sa += x;
        sb += y;
        d.push_back(y - x);
        pm.censored_a += reach && x == rep.never_year ? 1 : 0;
        pm.censored_b += reach && y == rep.never_year ? 1 : 0;
      }
      const auto n = static_cast<double>(d.size());
      pm.mean_a = sa / n;
      pm.mean_b = sb / n;
      double sum = 0.0;
      for (double v : d) sum += v;
      pm.mean = sum / n;
      std::sort(d.begin(), d.end());
      pm.p10 = sorted_quantile(d, 0.1);
      pm.p50 = sorted_quantile(d, 0.5);
      pm.p90 = sorted_quantile(d, 0.9);
      cd.paired.push_back(pm);
    }
  }
}

}  // namespace

std::string unpaired_reason(const ResultsReader& a, const ResultsReader& b) {
  const auto keys_a = a.attribute("uncertain_keys"), keys_b = b.attribute("uncertain_keys");
  if (keys_a.empty() || keys_b.empty())
    return std::string(keys_a.empty() ? a.path() : b.path()) +
           " has no uncertain parameters: paired differences need two sweeps over the same sampled futures";
  if (keys_a != keys_b)
    return "the files sample different uncertain keys (" + a.path() + ": " + keys_a + "; " + b.path() + ": " +
           keys_b + ")";
  if (a.runs() != b.runs() || a.first_run() != b.first_run())
    return a.path() + " holds " + std::to_string(a.runs()) + " runs from run " + std::to_string(a.first_run()) +
           ", " + b.path() + " " + std::to_string(b.runs()) + " from run " + std::to_string(b.first_run());
  for (const char* name : {"policy", "sample"}) {
    const auto x = a.read_per_run(name), y = b.read_per_run(name);
    for (std::size_t r = 0; r < x.size(); ++r)
      if (x[r] != y[r])
        return "run " + std::to_string(r) + " is " + name + " " + number(x[r]) + " in " + a.path() + " but " +
               number(y[r]) + " in " + b.path() + " (a different sweep layout)";
  }
  for (const auto& key : split_words(keys_a)) {
    const auto x = a.read_per_run("sampled." + key), y = b.read_per_run("sampled." + key);
    for (std::size_t r = 0; r < x.size(); ++r)
      if (x[r] != y[r] && !(std::isnan(x[r]) && std::isnan(y[r])))
        return "run " + std::to_string(r) + " drew sampled." + key + " = " + number(x[r]) + " in " + a.path() +
               " but " + number(y[r]) + " in " + b.path() +
               ": not the same futures (a different seed, sampling method, sample count or distribution)";
  }
  return "";
}

DiffReport diff_report(const std::string& path_a, const std::string& path_b, const DiffRequest& request) {
  const auto ra = open_results(path_a), rb = open_results(path_b);
  const ResultsReader &a = *ra, &b = *rb;
  DiffReport rep;
  rep.path_a = path_a;
  rep.path_b = path_b;
  rep.never_year = never_reached_year(a);
  rep.unpaired_reason = unpaired_reason(a, b);
  if (request.require_paired && !rep.unpaired_reason.empty())
    throw RequestError("--paired: " + rep.unpaired_reason);
  if (rep.unpaired_reason.empty() && a.time() != b.time()) rep.unpaired_reason = "the files' time axes differ";
  rep.paired = rep.unpaired_reason.empty();
  const auto countries = chosen_countries(a, b, request, rep);

  // Each file's summaries at its default years (a metric one file cannot give is left
  // empty): policy by policy where both files have the same policies, else pooled.
  rep.apart = !request.pool && (a.policies() > 1 || b.policies() > 1);
  std::vector<std::string> notes;
  std::vector<SummaryCells> pa = file_cells(a, rep.apart, notes), pb = file_cells(b, rep.apart, notes);
  const std::string differ = rep.apart ? policies_differ(a, pa, b, pb) : "";
  if (!differ.empty()) {
    rep.warnings.push_back("the files' policies differ (" + differ + "): every run of each is pooled");
    rep.apart = false;
    notes.clear();
    pa = file_cells(a, false, notes);
    pb = file_cells(b, false, notes);
  }
  rep.warnings.insert(rep.warnings.end(), notes.begin(), notes.end());
  for (std::size_t k = 0; k < pa.size(); ++k) {
    const SummaryCells &sa = pa[k], &sb = pb[k];
    rep.runs_a += sa.runs;
    rep.runs_b += sb.runs;
    std::vector<std::string> columns = sa.columns;
    for (const auto& c : sb.columns)
      if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
    for (const auto& iso3 : countries) {
      CountryDiff cd;
      cd.iso3 = iso3;
      cd.name = a.names()[country_index(a, iso3)];
      cd.policy = sa.policy;
      cd.levers = sa.levers;
      const auto& ca = sa.by_country.at(iso3);
      const auto& cb = sb.by_country.at(iso3);
      for (const auto& col : columns) {
        const auto x = ca.find(col), y = cb.find(col);
        cd.metrics.push_back(diff_metric(col, x == ca.end() ? nullptr : &x->second, y == cb.end() ? nullptr : &y->second));
      }
      rep.countries.push_back(std::move(cd));
    }
  }
  if (rep.paired) add_paired(a, b, rep);
  return rep;
}

}  // namespace sovcap

namespace sovcap {
namespace {

std::string text_cell(const std::string& cell) { return cell.empty() ? "-" : cell; }

// "policy 1: KEY = VALUE, ..." (FileSummary's policy_label).
std::string policy_text(const CountryDiff& c) {
  FileSummary fs;
  fs.policy = c.policy;
  fs.levers = c.levers;
  return policy_label(fs);
}

std::string delta_text(const DiffMetric& m) {
  if (!m.numeric) return m.changed ? "changed" : "";
  if (std::isnan(m.delta)) {
    if (m.a_value == kInf && std::isfinite(m.b_value)) return "from never";
    if (m.b_value == kInf && std::isfinite(m.a_value)) return "to never";
    return "-";
  }
  return (m.delta > 0 ? "+" : "") + number(m.delta, 6);
}

void render_text(std::ostream& os, const DiffReport& rep) {
  auto runs = [](long long n) { return std::to_string(n) + (n == 1 ? " run" : " runs"); };
  os << "A: " << rep.path_a << " (" << runs(rep.runs_a) << "), B: " << rep.path_b << " (" << runs(rep.runs_b)
     << "); the metrics of `sovcap summarize` over the complete runs of each, "
     << (rep.apart ? "policy by policy" : "every run pooled") << ", and B - A\n";
  if (rep.paired)
    os << "paired differences over the " << rep.paired_runs
       << " runs complete in both (run r of B minus run r of A: the same future); a year never reached counts as "
       << number(rep.never_year) << " (the horizon + dt)\n";
  else
    os << "no paired differences: " << rep.unpaired_reason << "\n";
  int last_policy = -2;
  for (const auto& c : rep.countries) {
    if (rep.apart && c.policy != last_policy) os << "\n" << policy_text(c) << "\n";
    last_policy = c.policy;
    std::vector<std::vector<std::string>> rows = {{"metric", "A", "B", "B-A"}};
    for (const auto& m : c.metrics) rows.push_back({m.name, text_cell(m.a), text_cell(m.b), delta_text(m)});
    std::size_t w[4] = {0, 0, 0, 0};
    for (const auto& r : rows)
      for (std::size_t j = 0; j < 4; ++j) w[j] = std::max(w[j], r[j].size());
    os << "\n" << c.iso3 << "  " << c.name << "\n";
    for (const auto& r : rows) {
      os << "  " << std::left << std::setw(static_cast<int>(w[0])) << r[0] << std::right;
      for (std::size_t j = 1; j < 4; ++j) os << "  " << std::setw(static_cast<int>(w[j])) << r[j];
      os << "\n";
    }
    if (c.paired.empty()) continue;
    os << "  paired, B - A per run:\n";
    std::vector<std::vector<std::string>> prow = {{"metric", "mean A", "mean B", "mean", "p10", "p50", "p90"}};
    for (const auto& p : c.paired)
      prow.push_back({p.name, number(p.mean_a, 6), number(p.mean_b, 6), number(p.mean, 6), number(p.p10, 6),
                      number(p.p50, 6), number(p.p90, 6)});
    std::vector<std::size_t> pw(7, 0);
    for (const auto& r : prow)
      for (std::size_t j = 0; j < 7; ++j) pw[j] = std::max(pw[j], r[j].size());
    for (const auto& r : prow) {
      os << "  " << std::left << std::setw(static_cast<int>(pw[0])) << r[0] << std::right;
      for (std::size_t j = 1; j < 7; ++j) os << "  " << std::setw(static_cast<int>(pw[j])) << r[j];
      os << "\n";
    }
  }
}

void render_csv(std::ostream& os, const DiffReport& rep) {
  os << "policy,iso3,kind,metric,a,b,delta,changed,p10,p50,p90,runs\n";
  for (const auto& c : rep.countries) {
    const std::string policy = c.policy < 0 ? "," : std::to_string(c.policy) + ",";
    for (const auto& m : c.metrics)
      os << policy << c.iso3 << ",summary," << csv_cell(m.name) << "," << (m.numeric ? number(m.a_value) : csv_cell(m.a))
         << "," << (m.numeric ? number(m.b_value) : csv_cell(m.b)) << ","
         << number(m.delta) << "," << (m.changed ? 1 : 0) << ",,,,\n";
    for (const auto& p : c.paired)
      os << policy << c.iso3 << ",paired," << p.name << "," << number(p.mean_a) << "," << number(p.mean_b) << ","
         << number(p.mean) << ",," << number(p.p10) << "," << number(p.p50) << "," << number(p.p90) << "," << p.runs
         << "\n";
  }
}

std::string json_cell(const DiffMetric& m, const std::string& cell, double value) {
  if (!m.numeric) return cell.empty() ? "null" : json_string(cell);
  return value == kInf ? "\"never\"" : json_number(value);
}

void render_json(std::ostream& os, const DiffReport& rep) {
  os << "{\"a\": " << json_string(rep.path_a) << ", \"b\": " << json_string(rep.path_b)
     << ", \"runs_a\": " << rep.runs_a << ", \"runs_b\": " << rep.runs_b
     << ", \"paired\": " << (rep.paired ? "true" : "false") << ", \"paired_runs\": " << rep.paired_runs
     << ", \"unpaired_reason\": " << (rep.paired ? "null" : json_string(rep.unpaired_reason))
     << ", \"never_reached_counts_as\": " << json_number(rep.never_year) << ",\n \"countries\": [";
  for (std::size_t i = 0; i < rep.countries.size(); ++i) {
    const auto& c = rep.countries[i];
    os << (i ? ",\n  " : "\n  ") << "{\"iso3\": " << json_string(c.iso3) << ", \"name\": " << json_string(c.name)
       << ", \"policy\": " << (c.policy < 0 ? "null" : std::to_string(c.policy)) << ", \"levers\": {";
    for (std::size_t k = 0; k < c.levers.size(); ++k) {
      const std::string& v = c.levers[k].second;
      const auto x = parse_number(v);
      os << (k ? ", " : "") << json_string(c.levers[k].first) << ": " << (x ? v : json_string(v));
    }
    os << "}, \"metrics\": {";
    for (std::size_t k = 0; k < c.metrics.size(); ++k) {
      const auto& m = c.metrics[k];
      os << (k ? ", " : "") << json_string(m.name) << ": {\"a\": " << json_cell(m, m.a, m.a_value)
         << ", \"b\": " << json_cell(m, m.b, m.b_value) << ", \"delta\": " << json_number(m.delta)
         << ", \"changed\": " << (m.changed ? "true" : "false") << "}";
    }
    os << "}";
    if (rep.paired) {
      os << ", \"paired\": {";
      for (std::size_t k = 0; k < c.paired.size(); ++k) {
        const auto& p = c.paired[k];
        os << (k ? ", " : "") << json_string(p.name) << ": {\"units\": " << json_string(p.units)
           << ", \"a\": " << json_number(p.mean_a) << ", \"b\": " << json_number(p.mean_b)
           << ", \"delta\": " << json_number(p.mean) << ", \"p10\": " << json_number(p.p10)
           << ", \"p50\": " << json_number(p.p50) << ", \"p90\": " << json_number(p.p90) << ", \"runs\": " << p.runs
           << ", \"censored_a\": " << p.censored_a << ", \"censored_b\": " << p.censored_b << "}";
      }
      os << "}";
    }
    os << "}";
  }
  os << "\n]}\n";
}

std::string year_text(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return "never";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// What changed, as the lists of docs/scenarios.md: years as A → B with the shift, the
// dominant bottleneck per period, and compute at the last year where it moved by > 1%.
void render_markdown(std::ostream& os, const DiffReport& rep) {
  std::string gw, target, bottleneck, compute, compute_year;
  auto add = [](std::string& list, const std::string& item) { list += (list.empty() ? "" : "; ") + item; };
  for (const auto& c : rep.countries) {
    const std::string who = c.iso3 + (rep.apart ? " (policy " + std::to_string(c.policy) + ")" : "");
    const DiffMetric* flops = nullptr;
    for (const auto& m : c.metrics) {
      const bool is_gw = m.name == "year_reach_p50", is_target = m.name == "year_target_p50";
      if (is_gw || is_target) {
        const std::string ya = year_text(m.a_value), yb = year_text(m.b_value);
        if (ya == yb) continue;
        std::string item = who + " " + ya + " → " + yb;
        if (std::isfinite(m.a_value) && std::isfinite(m.b_value)) {
          char buf[32];
          std::snprintf(buf, sizeof buf, " (%+.2f yr)", m.b_value - m.a_value);
          item += buf;
        }
        add(is_gw ? gw : target, item);
      } else if (m.name.rfind("bottleneck_", 0) == 0 && m.name.size() > 11 && std::isdigit(static_cast<unsigned char>(m.name[11]))) {
        if (m.changed) add(bottleneck, who + " " + m.name.substr(11) + " " + m.a + " → " + m.b);
      } else if (m.name.rfind("compute_flops_", 0) == 0) {
        flops = &m;  // the last year's
      }
    }
    if (flops == nullptr) continue;
    compute_year = number(std::stod(flops->name.substr(14)), 6);
    const double x = flops->a_value, y = flops->b_value;
    if (x > 0 && std::isfinite(y) && (y / x > 1.01 || y / x < 0.99)) {
      char buf[96];
      std::snprintf(buf, sizeof buf, " %.0f → %.0f (%+.0f%%)", x / 1e18, y / 1e18, 100.0 * (y / x - 1.0));
      add(compute, who + buf);
    }
  }
  auto none = [](const std::string& list, const char* empty) { return list.empty() ? std::string(empty) : list + "."; };
  os << "- Year 1 GW is reached: " << none(gw, "no change for any country.") << "\n"
     << "- Year the final target is reached: " << none(target, "no change for any country.") << "\n"
     << "- Dominant bottleneck per period: " << none(bottleneck, "no change for any country.") << "\n"
     << "- Effective compute in " << compute_year << ", EFLOP/s, where it moved by more than 1%: "
     << none(compute, "no country.") << "\n";
  if (!rep.only_a.empty() || !rep.only_b.empty()) {
    std::string only;
    for (const auto& c : rep.only_a) add(only, c + " only in A");
    for (const auto& c : rep.only_b) add(only, c + " only in B");
    os << "- Countries in one file only (not compared): " << only << ".\n";
  }
}

}  // namespace

std::string render(const DiffReport& report, DiffFormat format) {
  std::ostringstream os;
  switch (format) {
    case DiffFormat::text: render_text(os, report); break;
    case DiffFormat::csv: render_csv(os, report); break;
    case DiffFormat::json: render_json(os, report); break;
    case DiffFormat::markdown: render_markdown(os, report); break;
  }
  return os.str();
}

}  // namespace sovcap
