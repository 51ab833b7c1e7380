#include "sovcap/robustness.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>

#include "sovcap/answer.hpp"
#include "sovcap/metric_values.hpp"
#include "sovcap/output.hpp"
#include "sovcap/request_error.hpp"
#include "sovcap/text.hpp"

namespace sovcap {
namespace {

constexpr double kTie = 1e-9;  // relative difference below which two values are equal

std::string number(double v) {
  if (std::isnan(v)) return "-";
  std::ostringstream os;
  os << std::setprecision(6) << v;
  return os.str();
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  std::ostringstream os;
  os << std::setprecision(12) << v;
  return os.str();
}

// A lever's TOML text without a plain string's quotes ("pro_rata" -> pro_rata), as
// summaries show lever values.
std::string unquoted(const std::string& toml) {
  const bool plain = toml.size() >= 2 && toml.front() == '"' && toml.back() == '"' &&
                     toml.find_first_of("\"\\", 1) == toml.size() - 1;
  return plain ? toml.substr(1, toml.size() - 2) : toml;
}

// A lever's TOML text as a JSON value: a number stays a number, a string loses its TOML
// quotes, anything else (an array, a table) is its text.
std::string lever_json(const std::string& toml) {
  double v = 0.0;
  const auto r = std::from_chars(toml.data(), toml.data() + toml.size(), v);
  if (r.ec == std::errc() && r.ptr == toml.data() + toml.size() && std::isfinite(v)) return toml;
  return json_string(unquoted(toml));
}

bool same_value(double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); }

std::string levers_text(const RobustnessReport& rep, const RobustnessPolicy& p) {
  std::string out;
  for (std::size_t k = 0; k < rep.lever_keys.size(); ++k)
    out += (k ? ", " : "") + rep.lever_keys[k] + " = " + unquoted(p.levers[k]);
  return out;
}

std::string orientation(const RobustnessReport& rep) {
  std::string s = rep.minimize ? "smaller is better" : "larger is better";
  if (rep.threshold)
    s += "; satisfied: " + rep.metric.label + (rep.minimize ? " <= " : " >= ") + number(*rep.threshold);
  return s;
}

void render_one_country(std::ostream& os, const RobustnessReport& rep) {
  std::vector<std::string> head = {"policy"};
  for (const auto& k : rep.lever_keys) head.push_back(k);
  for (const char* h : {"mean", "p10", "p50", "p90", "mean regret", "max regret", "P(best)"}) head.emplace_back(h);
  if (rep.threshold) head.emplace_back("P(satisfy)");
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : rep.policies) {
    const RobustnessStats& s = p.stats.front();
    std::vector<std::string> row = {std::to_string(p.policy)};
    for (const auto& lever : p.levers) row.push_back(unquoted(lever));
    for (double v : {s.mean, s.p10, s.p50, s.p90, s.mean_regret, s.max_regret}) row.push_back(number(v));
    row.push_back(number(std::round(s.p_best * 1000.0) / 1000.0));
    if (rep.threshold) row.push_back(number(std::round(s.p_satisfy * 1000.0) / 1000.0));
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> width(head.size());
  for (std::size_t j = 0; j < head.size(); ++j) {
    width[j] = head[j].size();
    for (const auto& row : rows) width[j] = std::max(width[j], row[j].size());
  }
  const std::size_t text_columns = 1 + rep.lever_keys.size();
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t j = 0; j < cells.size(); ++j)
      os << (j ? "  " : "") << (j < text_columns ? std::left : std::right)
         << std::setw(static_cast<int>(width[j])) << cells[j];
    os << std::right << "\n";
  };
  line(head);
  for (const auto& row : rows) line(row);
  // The choices the measures point to (every policy tied for it).
  auto least = [&](double (*field)(const RobustnessStats&)) {
    double best = field(rep.policies.front().stats.front());
    for (const auto& p : rep.policies) best = std::min(best, field(p.stats.front()));
    std::string out;
    for (const auto& p : rep.policies)
      if (field(p.stats.front()) == best) out += (out.empty() ? "" : ", ") + std::to_string(p.policy);
    return (out.find(',') == std::string::npos ? "policy " : "policies ") + out;
  };
  os << "\nleast mean regret: " << least([](const RobustnessStats& s) { return s.mean_regret; })
     << "; least maximum regret (minimax regret): " << least([](const RobustnessStats& s) { return s.max_regret; });
  if (rep.threshold)
    os << "; most often satisfied: " << least([](const RobustnessStats& s) { return -s.p_satisfy; });
  os << "\n";
}

// A table: the first column left-aligned, the others right-aligned.
void print_table(std::ostream& os, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t j = 0; j < row.size(); ++j) width[j] = std::max(width[j], row[j].size());
  for (const auto& row : rows) {
    for (std::size_t j = 0; j < row.size(); ++j)
      os << (j ? "  " : "") << (j ? std::right : std::left) << std::setw(static_cast<int>(width[j])) << row[j];
    os << std::right << "\n";
  }
}

// Per country (rows) and policy (columns): `field` of the statistics, * on the best.
void country_table(std::ostream& os, const RobustnessReport& rep, double (*field)(const RobustnessStats&),
                   bool best_is_least) {
  std::vector<std::vector<std::string>> rows = {{"iso3"}};
  for (const auto& p : rep.policies) rows[0].push_back("policy " + std::to_string(p.policy) + " ");
  for (std::size_t c = 0; c < rep.iso3.size(); ++c) {
    double best = field(rep.policies.front().stats[c]);
    for (const auto& p : rep.policies)
      best = best_is_least ? std::min(best, field(p.stats[c])) : std::max(best, field(p.stats[c]));
    std::vector<std::string> row = {rep.iso3[c]};
    for (const auto& p : rep.policies) row.push_back(number(field(p.stats[c])) + (field(p.stats[c]) == best ? "*" : " "));
    rows.push_back(std::move(row));
  }
  print_table(os, rows);
}

void render_all_countries(std::ostream& os, const RobustnessReport& rep) {
  for (const auto& p : rep.policies)
    os << "policy " << p.policy << (rep.lever_keys.empty() ? "" : ": " + levers_text(rep, p)) << "\n";
  os << "\nmean regret (" << rep.metric.units << ") by country and policy; * marks the least:\n\n";
  country_table(os, rep, [](const RobustnessStats& s) { return s.mean_regret; }, true);
  if (!rep.threshold) return;
  os << "\nshare of futures satisfying " << rep.metric.label << (rep.minimize ? " <= " : " >= ")
     << number(*rep.threshold) << "; * marks the most:\n\n";
  country_table(os, rep, [](const RobustnessStats& s) { return std::round(s.p_satisfy * 1000.0) / 1000.0; }, false);
}

void json_stats(std::ostream& os, const RobustnessStats& s, bool threshold) {
  os << "\"mean\": " << json_number(s.mean) << ", \"p10\": " << json_number(s.p10)
     << ", \"p50\": " << json_number(s.p50) << ", \"p90\": " << json_number(s.p90)
     << ", \"mean_regret\": " << json_number(s.mean_regret) << ", \"max_regret\": " << json_number(s.max_regret)
     << ", \"p_best\": " << json_number(s.p_best)
     << ", \"p_satisfy\": " << (threshold ? json_number(s.p_satisfy) : "null");
}

void render_json(std::ostream& os, const RobustnessReport& rep) {
  const bool reach = rep.metric.kind == SensitivityMetric::Kind::reach_year;
  os << "{\"file\": " << json_string(rep.path) << ", \"metric\": " << json_string(rep.metric.label)
     << ", \"units\": " << json_string(rep.metric.units) << ", \"minimize\": " << (rep.minimize ? "true" : "false")
     << ", \"threshold\": " << (rep.threshold ? json_number(*rep.threshold) : "null")
     << ", \"never_reached_counts_as\": " << (reach ? json_number(rep.never_year) : "null")
     << ", \"futures\": " << rep.futures << ", \"lever_keys\": [";
  for (std::size_t k = 0; k < rep.lever_keys.size(); ++k) os << (k ? ", " : "") << json_string(rep.lever_keys[k]);
  os << "], \"countries\": [";
  for (std::size_t c = 0; c < rep.iso3.size(); ++c)
    os << (c ? ", " : "") << "{\"iso3\": " << json_string(rep.iso3[c]) << ", \"name\": " << json_string(rep.names[c])
       << ", \"censored\": " << rep.censored[c] << "}";
  os << "],\n \"policies\": [";
  for (std::size_t i = 0; i < rep.policies.size(); ++i) {
    const auto& p = rep.policies[i];
    os << (i ? ",\n  " : "\n  ") << "{\"policy\": " << p.policy << ", \"levers\": {";
    for (std::size_t k = 0; k < rep.lever_keys.size(); ++k)
      os << (k ? ", " : "") << json_string(rep.lever_keys[k]) << ": " << lever_json(p.levers[k]);
    os << "}, ";
    if (!rep.all_countries) {
      json_stats(os, p.stats.front(), rep.threshold.has_value());
    } else {
      os << "\"countries\": {";
      for (std::size_t c = 0; c < rep.iso3.size(); ++c) {
        os << (c ? ", " : "") << json_string(rep.iso3[c]) << ": {";
        json_stats(os, p.stats[c], rep.threshold.has_value());
        os << "}";
      }
      os << "}";
    }
    os << "}";
  }
  os << "\n]}\n";
}

}  // namespace

std::vector<RobustnessStats> robustness_stats(const Eigen::ArrayXXd& values, bool minimize,
                                              std::optional<double> threshold) {
  const Eigen::Index np = values.rows(), nf = values.cols();
  // Oriented so that larger is better: regret is the best value in the future minus one's own.
  const Eigen::ArrayXXd u = minimize ? Eigen::ArrayXXd(-values) : values;
  const Eigen::ArrayXd best = nf > 0 ? Eigen::ArrayXd(u.colwise().maxCoeff().transpose()) : Eigen::ArrayXd();
  std::vector<RobustnessStats> out(static_cast<std::size_t>(np));
  const double n = static_cast<double>(nf);
  for (Eigen::Index p = 0; p < np; ++p) {
    RobustnessStats& s = out[static_cast<std::size_t>(p)];
    const Eigen::ArrayXd row = values.row(p).transpose();
    std::vector<double> sorted(row.data(), row.data() + row.size());
    std::sort(sorted.begin(), sorted.end());
    s.mean = row.mean();
    s.p10 = sorted_quantile(sorted, 0.1);
    s.p50 = sorted_quantile(sorted, 0.5);
    s.p90 = sorted_quantile(sorted, 0.9);
    Eigen::ArrayXd regret = best - u.row(p).transpose();
    // Results equal but for floating-point rounding (two allocation rules giving the same
    // chips by different sums) are ties, not regret.
    regret = (regret <= kTie * best.abs().max(1.0)).select(0.0, regret);
    s.mean_regret = regret.mean();
    s.max_regret = nf > 0 ? regret.maxCoeff() : std::numeric_limits<double>::quiet_NaN();
    s.p_best = static_cast<double>((regret == 0.0).count()) / n;
    s.p_satisfy = !threshold ? std::numeric_limits<double>::quiet_NaN()
                             : static_cast<double>(minimize ? (row <= *threshold).count() : (row >= *threshold).count()) / n;
  }
  return out;
}

SharedFutures shared_futures(const ResultsReader& in) {
  const std::string& path = in.path();
  if (!in.has_variable("policy") || !in.has_variable("sample"))
    throw RequestError(path + " has no policy and sample variables: not a sweep");
  const auto complete = in.run_complete();
  const auto policy = in.read_per_run("policy");
  const auto sample = in.read_per_run("sample");
  // policy -> sample -> run, complete runs only.
  std::map<int, std::map<long long, long long>> runs;
  for (long long r = 0; r < in.runs(); ++r) {
    const auto k = static_cast<std::size_t>(r);
    if (!complete[k]) continue;
    if (!runs[static_cast<int>(policy[k])].emplace(static_cast<long long>(sample[k]), r).second)
      throw OutputError(path + ": two runs of policy " + std::to_string(static_cast<int>(policy[k])) +
                        " have sample " + std::to_string(static_cast<long long>(sample[k])));
  }
  if (runs.size() < 2)
    throw RequestError(path + " holds " + (runs.empty() ? "no complete run" : "one policy") +
                       ": robustness compares policies over the same futures; run a sweep with "
                       "[sweep.levers] (two or more lever values) and [sweep.uncertain]");
  SharedFutures out;
  std::map<long long, int> policies_with;
  for (const auto& [p, by_sample] : runs) {
    out.policies.push_back(p);
    for (const auto& entry : by_sample) ++policies_with[entry.first];
  }
  for (const auto& [s, n] : policies_with) {
    if (n == static_cast<int>(runs.size()))
      out.samples.push_back(s);
    else
      ++out.left_out;
  }
  if (out.samples.empty())
    throw RequestError(path + ": no sample is complete in every policy, so no future is shared: not a "
                       "common-random-numbers design");
  for (const auto& [p, by_sample] : runs) {
    std::vector<long long> r;
    for (long long s : out.samples) r.push_back(by_sample.at(s));
    out.run.push_back(std::move(r));
  }
  // The same sample must be the same future in every policy.
  for (const auto& key : split_words(in.attribute("uncertain_keys"))) {
    if (!in.has_variable("sampled." + key)) continue;
    const auto drawn = in.read_per_run("sampled." + key);
    for (std::size_t f = 0; f < out.samples.size(); ++f)
      for (std::size_t p = 1; p < out.policies.size(); ++p) {
        const auto r0 = static_cast<std::size_t>(out.run[0][f]), r = static_cast<std::size_t>(out.run[p][f]);
        if (same_value(drawn[r0], drawn[r])) continue;
        throw RequestError(path + " is not a common-random-numbers design: sample " +
                           std::to_string(out.samples[f]) + " has sampled." + key + " = " + number(drawn[r0]) +
                           " in policy " + std::to_string(out.policies[0]) + " (run " + std::to_string(r0) +
                           ") but " + number(drawn[r]) + " in policy " + std::to_string(out.policies[p]) +
                           " (run " + std::to_string(r) + "); regret needs every policy to meet the same futures");
      }
  }
  return out;
}

RobustnessReport robustness_report(const std::string& path, const RobustnessRequest& request) {
  const auto reader = open_results(path);
  const ResultsReader& in = *reader;
  RobustnessReport rep;
  rep.path = path;
  rep.metric = sensitivity_metric(in, request.metric, "");
  rep.minimize = request.minimize;
  rep.threshold = request.threshold;
  rep.never_year = never_reached_year(in);
  rep.lever_keys = in.lever_keys();
  std::vector<std::size_t> countries;
  rep.all_countries = request.country == "all";
  if (rep.all_countries) {
    for (std::size_t c = 0; c < in.iso3().size(); ++c) countries.push_back(c);
  } else {
    std::string code = request.country;
    for (auto& ch : code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    const auto it = std::find(in.iso3().begin(), in.iso3().end(), code);
    if (it == in.iso3().end()) {
      std::string all;
      for (const auto& c : in.iso3()) all += (all.empty() ? "" : ", ") + c;
      throw RequestError("--country " + request.country + ": not in " + path + "; allowed all, " + all);
    }
    countries.push_back(static_cast<std::size_t>(it - in.iso3().begin()));
  }
  const SharedFutures fut = shared_futures(in);
  rep.futures = static_cast<long long>(fut.samples.size());
  if (fut.left_out > 0)
    rep.warnings.push_back(std::to_string(fut.left_out) + " samples of " + path +
                           " are not complete in every policy (a partial file or a shard) and are left out");
  if (rep.metric.kind == SensitivityMetric::Kind::reach_year && !rep.minimize)
    rep.warnings.push_back(rep.metric.label + " is a year, counted larger-is-better without --minimize");

  const Eigen::ArrayXXd all = read_metric(in, rep.metric);
  const auto np = static_cast<Eigen::Index>(fut.policies.size());
  const auto nf = static_cast<Eigen::Index>(fut.samples.size());
  for (std::size_t p = 0; p < fut.policies.size(); ++p) {
    RobustnessPolicy rp;
    rp.policy = fut.policies[p];
    rp.levers = in.lever_texts(fut.run[p].front());
    rep.policies.push_back(std::move(rp));
  }
  for (std::size_t c : countries) {
    rep.iso3.push_back(in.iso3()[c]);
    rep.names.push_back(in.names()[c]);
    Eigen::ArrayXXd values(np, nf);
    for (Eigen::Index p = 0; p < np; ++p)
      for (Eigen::Index f = 0; f < nf; ++f)
        values(p, f) = all(static_cast<Eigen::Index>(c), fut.run[static_cast<std::size_t>(p)][static_cast<std::size_t>(f)]);
    if (!values.isFinite().all())
      throw OutputError(path + ": " + rep.metric.label + " of " + in.iso3()[c] +
                        " is not a finite number in a complete run");
    rep.censored.push_back(rep.metric.kind == SensitivityMetric::Kind::reach_year
                               ? static_cast<long long>((values == rep.never_year).count())
                               : 0);
    const auto stats = robustness_stats(values, rep.minimize, rep.threshold);
    for (std::size_t p = 0; p < rep.policies.size(); ++p) rep.policies[p].stats.push_back(stats[p]);
  }
  return rep;
}

std::string render(const RobustnessReport& rep, RobustnessFormat format) {
  std::ostringstream os;
  if (format == RobustnessFormat::json) {
    render_json(os, rep);
    return os.str();
  }
  os << "robustness of " << rep.metric.label << (rep.metric.units.empty() ? "" : " (" + rep.metric.units + ")")
     << " in " << rep.path << ": " << rep.policies.size() << " policies, each over the same " << rep.futures
     << " futures\n"
     << "regret in a future: the best policy's value there minus this policy's (" << orientation(rep) << ")\n";
  if (rep.metric.kind == SensitivityMetric::Kind::reach_year)
    os << rep.metric.label << ": a run that never reaches it counts as " << number(rep.never_year)
       << " (the horizon + dt)\n";
  if (!rep.all_countries) {
    os << "\n" << rep.iso3.front() << "  " << rep.names.front();
    if (rep.metric.kind == SensitivityMetric::Kind::reach_year)
      os << ": " << rep.censored.front() << " of " << rep.futures * static_cast<long long>(rep.policies.size())
         << " runs never reach it";
    os << "\n\n";
    render_one_country(os, rep);
  } else {
    os << "\n";
    render_all_countries(os, rep);
  }
  return os.str();
}

}  // namespace sovcap
