#include "sovcap/discover.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <toml.hpp>

#include "sovcap/answer.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/reader.hpp"
#include "sovcap/request_error.hpp"
#include "sovcap/results.hpp"
#include "sovcap/sensitivity_report.hpp"
#include "sovcap/text.hpp"

namespace sovcap {

const char* const kDiscoverMetrics =
    "year_gw_reached, year_target_reached, year_reached@MW (the year it_mw first reaches MW; needs "
    "the it_mw series), it_mw_final, compute_flops_final, energy_twh_final, spend_usd_final, "
    "SERIES@YEAR (e.g. it_mw@2030; the series must be stored), bottleneck_share_CONSTRAINT "
    "(on_track, lead_time, power, capital, talent, chips: the share of steps under it)";

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kNever = std::numeric_limits<double>::infinity();

// What y is computed from.
struct Metric {
  enum class Kind { stored, reach_level, bottleneck_share } kind = Kind::stored;
  SensitivityMetric stored;  // kind stored: a reach year, a value at the horizon, SERIES@YEAR
  double level = 0.0;        // reach_level: MW
  int constraint = 0;        // bottleneck_share: the code
  std::string label, units;
  bool reach = false;
};

double parse_number(const std::string& text, bool& ok) {
  std::size_t used = 0;
  double v = kNaN;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  ok = used > 0 && used == text.size() && std::isfinite(v);
  return v;
}

Metric parse_metric(const ResultsReader& in, const std::string& text) {
  Metric m;
  m.label = text;
  const std::string reach = "year_reached@", share = "bottleneck_share_";
  if (text.rfind(reach, 0) == 0) {
    bool ok = false;
    m.kind = Metric::Kind::reach_level;
    m.level = parse_number(text.substr(reach.size()), ok);
    if (!ok || m.level <= 0.0)
      throw RequestError("--metric " + text + ": '" + text.substr(reach.size()) +
                         "' is not a capacity in MW above 0; allowed " + kDiscoverMetrics);
    if (!in.has_variable("it_mw"))
      throw RequestError("--metric " + text + " needs the it_mw series, which " + in.path() +
                         " does not store (written with --store summary without it in --keep): rerun the "
                         "sweep with --keep it_mw or --store full");
    m.units = "year";
    m.reach = true;
    return m;
  }
  if (text.rfind(share, 0) == 0) {
    m.kind = Metric::Kind::bottleneck_share;
    const std::string name = text.substr(share.size());
    const auto it = std::find(kBottleneckNames.begin(), kBottleneckNames.end(), name);
    if (it == kBottleneckNames.end())
      throw RequestError("--metric " + text + ": '" + name + "' is not a constraint; allowed " + kDiscoverMetrics);
    m.constraint = static_cast<int>(it - kBottleneckNames.begin());
    m.units = "1";
    return m;
  }
  try {
    m.stored = sensitivity_metric(in, text, "");
  } catch (const RequestError& e) {
    const std::string what = e.what();
    // The sensitivity metrics' own list, without the metrics only discover knows.
    if (what.find("; allowed year_gw_reached") != std::string::npos)
      throw RequestError(what.substr(0, what.find("; allowed ")) + "; allowed " + kDiscoverMetrics);
    throw;
  }
  m.units = m.stored.units;
  m.reach = m.stored.kind == SensitivityMetric::Kind::reach_year;
  return m;
}

// The metric of country c for every run; a reach year never reached is +inf.
std::vector<double> metric_values(const ResultsReader& in, const Metric& m, int c) {
  const int runs = in.runs();
  std::vector<double> out(static_cast<std::size_t>(runs), kNaN);
  const auto& time = in.time();
  constexpr int kBlock = 2048;
  Eigen::ArrayXXd per_country;
  std::vector<Eigen::ArrayXXd> series;
  for (int b = 0; b < runs; b += kBlock) {
    const int count = std::min(kBlock, runs - b);
    auto put = [&](int k, double v) { out[static_cast<std::size_t>(b + k)] = v; };
    if (m.kind == Metric::Kind::reach_level) {
      in.read_country_series("it_mw", b, count, series);
      for (int k = 0; k < count; ++k) {
        const auto& it = series[static_cast<std::size_t>(k)];
        double year = it.row(c).isNaN().any() ? kNaN : kNever;
        for (Eigen::Index t = 0; t < it.cols() && std::isinf(year); ++t)
          if (reached(it(c, t), m.level)) year = time[static_cast<std::size_t>(t)];
        put(k, year);
      }
    } else if (m.kind == Metric::Kind::bottleneck_share) {
      in.read_bottleneck_share(b, count, series);
      for (int k = 0; k < count; ++k) put(k, series[static_cast<std::size_t>(k)](c, m.constraint));
    } else if (m.stored.kind == SensitivityMetric::Kind::series) {
      in.read_country_series(m.stored.name, b, count, series);
      for (int k = 0; k < count; ++k) put(k, series[static_cast<std::size_t>(k)](c, m.stored.time_index.at(0)));
    } else {
      if (m.reach)
        in.read_per_country(m.stored.name, b, count, per_country);
      else
        in.read_final(m.stored.name, b, count, per_country);
      for (int k = 0; k < count; ++k) {
        const double v = per_country(c, k);
        put(k, m.reach && std::isnan(v) ? kNever : v);
      }
    }
  }
  return out;
}

// The values of each choice distribution in the scenario's [sweep.uncertain], by key. The
// scenario text stored in the file is the whole of the sweep's design (--set changes only
// sweep.samples and sweep.method).
std::map<std::string, std::vector<double>> choice_values(const ResultsReader& in) {
  std::map<std::string, std::vector<double>> out;
  std::istringstream is(in.attribute("scenario_text"));
  const toml::value root = toml::parse(is, in.path() + ": scenario_text");
  if (!root.is_table() || !root.contains("sweep") || !root.at("sweep").is_table() ||
      !root.at("sweep").contains("uncertain") || !root.at("sweep").at("uncertain").is_table())
    return out;
  for (const auto& [key, v] : root.at("sweep").at("uncertain").as_table()) {
    if (!v.is_table() || !v.contains("dist") || !v.at("dist").is_string() || v.at("dist").as_string() != "choice" ||
        !v.contains("values") || !v.at("values").is_array())
      continue;
    std::vector<double> values;
    for (const auto& e : v.at("values").as_array())
      values.push_back(e.is_integer() ? static_cast<double>(e.as_integer()) : e.is_floating() ? e.as_floating() : kNaN);
    out[key] = values;
  }
  return out;
}

// A lever's TOML text as a JSON value: numbers and booleans as they are, a simple string
// unquoted, anything else (lists, tables) as its text.
std::string json_value_of_toml(const std::string& text) {
  bool ok = false;
  parse_number(text, ok);
  if (ok || text == "true" || text == "false") return text;
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"' && text.find('\\') == std::string::npos)
    return json_string(text.substr(1, text.size() - 2));
  return json_string(text);
}

// The inputs of PRIM: each sampled key, and each lever that varies over `used` runs.
void read_inputs(const ResultsReader& in, const std::vector<long long>& used, bool with_levers,
                 std::vector<DiscoverInput>& inputs, std::vector<PrimInput>& x) {
  const auto choices = choice_values(in);
  for (const auto& key : split_words(in.attribute("uncertain_keys"))) {
    DiscoverInput d{key, "sampled." + key, false, {}};
    PrimInput p{key, in.read_per_run(d.variable), 0};
    const auto it = choices.find(key);
    if (it != choices.end()) {
      // Categorical: codes in the order of `values`; a value drawn that is none of them
      // (which the sampler never writes) leaves the input real-valued.
      std::vector<double> codes(p.values.size(), kNaN);
      bool all = true;
      for (long long r : used) {
        const double v = p.values[static_cast<std::size_t>(r)];
        const auto at = std::find(it->second.begin(), it->second.end(), v);
        all = all && at != it->second.end();
        if (at != it->second.end()) codes[static_cast<std::size_t>(r)] = static_cast<double>(at - it->second.begin());
      }
      if (all) {
        for (double v : it->second) d.categories.push_back(format_number(v));
        p.values = std::move(codes);
        p.categories = static_cast<int>(d.categories.size());
      }
    }
    inputs.push_back(std::move(d));
    x.push_back(std::move(p));
  }
  if (!with_levers) return;
  const auto keys = in.lever_keys();
  if (keys.empty()) return;
  const auto policy = in.read_per_run("policy");
  std::map<int, std::vector<std::string>> texts;  // by policy
  for (long long r : used) {
    const int p = static_cast<int>(policy[static_cast<std::size_t>(r)]);
    if (!texts.count(p)) texts.emplace(p, in.lever_texts(r));
  }
  for (std::size_t k = 0; k < keys.size(); ++k) {
    DiscoverInput d{keys[k], "lever." + keys[k], true, {}};
    std::vector<std::string> cats;  // in grid order: the first policy with each value first
    for (const auto& [p, t] : texts)
      if (std::find(cats.begin(), cats.end(), t[k]) == cats.end()) cats.push_back(t[k]);
    if (cats.size() < 2) continue;
    PrimInput p{keys[k], std::vector<double>(policy.size(), kNaN), static_cast<int>(cats.size())};
    for (long long r : used) {
      const auto& t = texts.at(static_cast<int>(policy[static_cast<std::size_t>(r)]))[k];
      p.values[static_cast<std::size_t>(r)] = static_cast<double>(std::find(cats.begin(), cats.end(), t) - cats.begin());
    }
    for (const auto& c : cats) d.categories.push_back(json_value_of_toml(c));
    // A lever of the same key as a sampled input (which the loader refuses) keeps its prefix.
    for (const auto& other : inputs)
      if (other.key == d.key) d.key = d.variable;
    p.name = d.key;
    inputs.push_back(std::move(d));
    x.push_back(std::move(p));
  }
}

int find_country(const ResultsReader& in, const std::string& iso3) {
  const auto& all = in.iso3();
  const auto it = std::find(all.begin(), all.end(), iso3);
  if (it != all.end()) return static_cast<int>(it - all.begin());
  std::string list;
  for (const auto& c : all) list += (list.empty() ? "" : ", ") + c;
  throw RequestError("--country " + iso3 + ": not in " + in.path() + "; allowed " + list);
}

std::string describe_threshold(const DiscoverReport& r) {
  return r.metric + (r.request.above ? " above " : " below ") + format_number(r.request.threshold);
}

// The runs used: complete, of the policy asked for, with the metric and every input defined.
std::vector<long long> used_runs(const ResultsReader& in, const std::string& policy_text, int& policy) {
  const auto complete = in.run_complete();
  std::vector<double> policy_of(static_cast<std::size_t>(in.runs()), 0.0);
  if (in.has_variable("policy")) policy_of = in.read_per_run("policy");
  policy = -1;
  if (!policy_text.empty()) {
    bool ok = false;
    const double p = parse_number(policy_text, ok);
    const int last = static_cast<int>(*std::max_element(policy_of.begin(), policy_of.end()));
    if (!ok || p != std::floor(p) || std::find(policy_of.begin(), policy_of.end(), p) == policy_of.end())
      throw RequestError("--policy " + policy_text + ": not a policy of " + in.path() + "; allowed 0 to " +
                         std::to_string(last) + " (or leave it out for every policy)");
    policy = static_cast<int>(p);
  }
  std::vector<long long> used;
  for (long long r = 0; r < in.runs(); ++r)
    if (complete[static_cast<std::size_t>(r)] && (policy < 0 || policy_of[static_cast<std::size_t>(r)] == policy))
      used.push_back(r);
  return used;
}

}  // namespace

DiscoverReport discover(const std::string& path, const DiscoverRequest& request) {
  if (!std::ifstream(path)) throw RequestError(path + ": no such file");
  if (!std::isfinite(request.threshold)) throw RequestError("give --above X or --below X (a finite number)");
  if (request.boxes < 1) throw RequestError("--boxes must be at least 1");
  if (request.resamples < 0) throw RequestError("--resamples must be >= 0 (0: no recurrence check)");
  if (!(request.min_coverage >= 0.0 && request.min_coverage <= 1.0))
    throw RequestError("--min-coverage must be in [0, 1]");
  const auto& o = request.prim;
  if (!(o.peel_alpha > 0.0 && o.peel_alpha < 0.5) || !(o.paste_alpha > 0.0 && o.paste_alpha < 0.5))
    throw RequestError("--peel-alpha and --paste-alpha must be in (0, 0.5)");
  if (!(o.mass_min > 0.0 && o.mass_min < 1.0)) throw RequestError("--mass-min must be in (0, 1)");
  const ResultsReader in(path);
  DiscoverReport rep;
  rep.path = path;
  rep.request = request;
  rep.runs_in_file = in.runs();
  if (split_words(in.attribute("uncertain_keys")).empty())
    throw RequestError(path + " holds no sampled inputs (its uncertain_keys are empty: a single run, or a "
                              "sweep of levers only); discover needs a sweep with a [sweep.uncertain] section");
  const int c = find_country(in, request.country);
  rep.iso3 = in.iso3()[static_cast<std::size_t>(c)];
  rep.name = in.names()[static_cast<std::size_t>(c)];
  const Metric metric = parse_metric(in, request.metric);
  rep.metric = metric.label;
  rep.units = metric.units;
  rep.reach = metric.reach;

  int policy = -1;
  std::vector<long long> used = used_runs(in, request.policy, policy);
  if (policy >= 0 && !in.lever_keys().empty() && !used.empty()) {
    const auto keys = in.lever_keys();
    const auto texts = in.lever_texts(used.front());
    for (std::size_t k = 0; k < keys.size(); ++k) rep.levers += (k ? ", " : "") + keys[k] + " = " + texts[k];
  }
  const auto complete = in.run_complete();
  const long long incomplete =
      in.runs() - static_cast<long long>(std::count(complete.begin(), complete.end(), std::int8_t{1}));
  if (incomplete > 0)
    rep.warnings.push_back(incomplete_runs_warning(incomplete, in.runs(), path, "they are left out"));
  std::vector<PrimInput> x;
  read_inputs(in, used, policy < 0, rep.inputs, x);
  const auto values = metric_values(in, metric, c);
  std::vector<long long> defined;
  long long undefined = 0;
  for (long long r : used) {
    bool ok = !std::isnan(values[static_cast<std::size_t>(r)]);
    for (const auto& p : x) ok = ok && std::isfinite(p.values[static_cast<std::size_t>(r)]);
    if (ok)
      defined.push_back(r);
    else
      ++undefined;
  }
  if (undefined > 0)
    rep.warnings.push_back(std::to_string(undefined) + " complete runs have no value of " + rep.metric +
                           " or of a sampled input for " + rep.iso3 + "; they are left out");
  used = std::move(defined);
  if (used.empty()) throw RequestError(path + " holds no complete run" + (policy >= 0 ? " of policy " + request.policy : ""));

  std::vector<std::uint8_t> y(static_cast<std::size_t>(in.runs()), 0);
  rep.cases_by_run.assign(static_cast<std::size_t>(in.runs()), '.');
  double lo = kNever, hi = -kNever;  // the range of the metric over the runs used
  for (long long r : used) {
    const double v = values[static_cast<std::size_t>(r)];
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    const bool is_case = request.above ? v > request.threshold : v < request.threshold;
    y[static_cast<std::size_t>(r)] = is_case ? 1 : 0;
    rep.cases_by_run[static_cast<std::size_t>(r)] = is_case ? '1' : '0';
    rep.cases += is_case ? 1 : 0;
  }
  rep.runs_used = static_cast<long long>(used.size());
  if (rep.cases == 0 || rep.cases == rep.runs_used) {
    auto shown = [&](double v) { return std::isinf(v) ? std::string("never") : format_number(v); };
    throw RequestError(std::string(rep.cases == 0 ? "no run" : "every run") + " of the " +
                       std::to_string(rep.runs_used) + " used has " + rep.iso3 + "'s " + describe_threshold(rep) +
                       " (it ranges from " + shown(lo) + " to " + shown(hi) + (rep.units.empty() ? "" : " " + rep.units) +
                       " in " + path + "): no case of interest to tell apart; choose a threshold within that range");
  }

  // The boxes: the first over every run used, each next one over the runs outside the boxes before.
  std::vector<long long> rows = used;
  const PrimBox init = data_box(x, rows);
  for (int b = 0; b < request.boxes; ++b) {
    long long cases_left = 0;
    for (long long r : rows) cases_left += y[static_cast<std::size_t>(r)];
    if (rows.empty() || cases_left == 0) break;
    PrimTrajectory t = prim(x, y, rows, init, rep.runs_used, rep.cases, request.prim);
    DiscoverBox box;
    box.step = suggested_step(t, request.min_coverage);
    if (b == 0 && request.step >= 0) {
      if (request.step >= static_cast<int>(t.steps.size()))
        throw RequestError("--box " + std::to_string(request.step) + ": the trajectory has steps 0 to " +
                           std::to_string(t.steps.size() - 1));
      box.step = request.step;
      box.suggested = false;
    }
    box.s = t.steps[static_cast<std::size_t>(box.step)];
    box.quasi_p = quasi_p_values(x, y, rows, t, box.step);
    box.recurrence = recurrence(x, y, rows, request.prim, box.s, request.resamples, request.seed);
    std::vector<long long> outside;
    for (long long r : rows)
      if (!in_box(x, box.s.box, r)) outside.push_back(r);
    rows = std::move(outside);
    rep.trajectories.push_back(std::move(t));
    rep.boxes.push_back(std::move(box));
  }
  return rep;
}

}  // namespace sovcap
