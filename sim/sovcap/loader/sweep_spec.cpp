// [sweep]: the method, the sample count, the levers (each value checked by loading the
// scenario with it), the parameters that levers and uncertain entries share, and the
// limits on the design's size.

#include <algorithm>

#include "sovcap/loader/loader.hpp"

namespace sovcap::loader {
namespace {

struct LeverEntry {
  Lever lever;
  std::string dkey;  // sweep.levers."KEY", as diagnostics name it
  Loc at;
  std::vector<Loc> value_locs;
  std::optional<Cell> cell;  // when the key is valid
};

constexpr std::size_t kMaxLeverValues = 100;

constexpr const char* kLeverForms =
    "allowed global.NAME, defaults.NAME, country.*.NAME or country.ISO3.NAME (keys as for --set)";

// The parameter a global.NAME lever sets.
std::optional<Cell> check_global_lever(const SweepContext& cx, const std::string& name,
                                       const Loc& at, const std::string& dk) {
  if (name == "data") {
    cx.diags.add(at, dk,
                 "global.data cannot be a lever: data files are named in the scenario file; " +
                     std::string(kLeverForms));
    return std::nullopt;
  }
  if (!find_param(ParamScope::global, name)) {
    cx.diags.add(at, dk,
                 "unknown global parameter '" + name + "'" +
                     hint(name, names_in(ParamScope::global)) +
                     ": allowed the global parameters listed by `sovcap params`");
    return std::nullopt;
  }
  return Cell{"global." + name, ""};
}

// Checks a lever key the way --set reads keys; returns the parameter it sets.
std::optional<Cell> check_lever_key(const SweepContext& cx, const std::string& key, const Loc& at,
                                    const std::string& dk) {
  const std::vector<std::string> parts = key_parts(key);
  if (parts.empty()) {
    cx.diags.add(at, dk, "malformed key '" + key + "': " + kLeverForms);
    return std::nullopt;
  }
  const std::string& head = parts[0];
  if (head == "simulation") {
    cx.diags.add(at, dk,
                 "simulation settings cannot be levers: start_year, end_year and dt set the "
                 "length of every output array and seed draws the sampled futures; " +
                     std::string(kLeverForms) + " (run one sweep per simulation setting)");
    return std::nullopt;
  }
  if (head == "countries") {
    cx.diags.add(at, dk,
                 "'" + key + "' cannot be a lever: every run of a sweep has the same countries; " +
                     kLeverForms + " (run one sweep per set of countries)");
    return std::nullopt;
  }
  if (head == "sweep") {
    cx.diags.add(at, dk, "the sweep's own settings cannot be levers: " + std::string(kLeverForms));
    return std::nullopt;
  }
  static const std::vector<std::string> roots = {"global", "defaults", "country"};
  if (std::find(roots.begin(), roots.end(), head) == roots.end()) {
    cx.diags.add(at, dk, "unknown section '" + head + "'" + hint(head, roots) + ": " + kLeverForms);
    return std::nullopt;
  }
  if (parts.size() != (head == "country" ? 3u : 2u)) {
    cx.diags.add(at, dk, "malformed key '" + key + "': " + kLeverForms);
    return std::nullopt;
  }
  const std::string& name = parts.back();
  if (head == "global") return check_global_lever(cx, name, at, dk);
  std::vector<std::string> allowed = names_in(ParamScope::country);
  if (head == "country") allowed.insert(allowed.begin(), "name");
  if (!find_param(ParamScope::country, name) && !(head == "country" && name == "name")) {
    cx.diags.add(at, dk,
                 "unknown country parameter '" + name + "'" + hint(name, allowed) +
                     ": allowed the country parameters listed by `sovcap params`");
    return std::nullopt;
  }
  const std::string& iso3 = parts[1];
  if (head == "defaults" || iso3 == kEveryCountry) return Cell{"country." + name, "*"};
  if (!is_iso3(iso3)) {
    cx.diags.add(at, dk,
                 "'" + iso3 +
                     "' is not an ISO3 code: allowed 3 uppercase letters, e.g. "
                     "country.KOR.pue");
    return std::nullopt;
  }
  const CountryParams& countries = cx.sc.params.countries;
  if (cx.resolved && countries.find(iso3) < 0) {
    cx.diags.add(at, dk,
                 "country " + iso3 + " is not in the scenario" + hint(iso3, countries.iso3) +
                     ": allowed countries: " + join(countries.iso3));
    return std::nullopt;
  }
  return Cell{"country." + name, iso3};
}

// The alternatives of one lever, as --set texts; reports values listed twice.
void read_lever_values(const SweepContext& cx, const toml::value& v, LeverEntry& e) {
  const auto& arr = v.as_array();
  std::map<std::string, std::size_t> first;  // value text -> its first index
  bool numeric = true;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string text = render(cx.src, arr[i]);
    const auto [dup, fresh] = first.emplace(text, i);
    if (!fresh) {
      cx.diags.add(cx.src.loc(arr[i]), e.dkey + "[" + std::to_string(i) + "]",
                   "value " + text + " is listed twice (first as [" +
                       std::to_string(dup->second) + "]): allowed each alternative once");
      e.cell.reset();
    }
    e.lever.values.push_back(text);
    e.value_locs.push_back(cx.src.loc(arr[i]));
    numeric = numeric && is_number(arr[i]);
    if (is_number(arr[i])) e.lever.numeric.push_back(number(arr[i]));
  }
  if (!numeric) e.lever.numeric.clear();
}

void read_levers(const SweepContext& cx, const toml::value& table, std::vector<LeverEntry>& out) {
  for (const auto& [key, v] : flatten_sweep_table(cx.src, table, false)) {
    LeverEntry e;
    e.lever.key = key;
    e.dkey = "sweep.levers.\"" + key + "\"";
    e.at = cx.src.loc(*v);
    e.cell = check_lever_key(cx, key, e.at, e.dkey);
    const char* form =
        "allowed a non-empty array of alternative values, each valid as --set KEY=VALUE, "
        "e.g. [800, 1600] or [\"pro_rata\", \"max_min_fair\"]";
    if (!v->is_array()) {
      cx.diags.add(e.at, e.dkey, "wrong type: " + describe(*v) + "; " + form);
      e.cell.reset();
    } else if (v->as_array().empty()) {
      cx.diags.add(e.at, e.dkey, std::string("empty array: ") + form);
      e.cell.reset();
    } else {
      read_lever_values(cx, *v, e);
      // Each alternative is checked by loading the whole scenario with it, and `run` loads
      // each policy again before it starts: a lever of 1,000 values took minutes. A policy
      // choice is never that fine; ranges are sampled.
      if (e.lever.values.size() > kMaxLeverValues) {
        cx.diags.add(e.at, e.dkey,
                     std::to_string(e.lever.values.size()) + " alternatives: allowed at most " +
                         std::to_string(kMaxLeverValues) +
                         " per lever; sample a range with [sweep.uncertain] instead");
        e.cell.reset();
      }
    }
    out.push_back(std::move(e));
  }
}

// Checks each lever value by loading the scenario with it applied as --set KEY=VALUE;
// what that load reports is reported at the value in [sweep.levers].
// `scaled`: uncertain factors on the lever's parameter, checked against each value.
void check_lever_values(const SweepContext& cx, const LoadVariant& load_variant,
                        const LeverEntry& e, const std::vector<const UncertainEntry*>& scaled) {
  for (std::size_t i = 0; i < e.lever.values.size(); ++i) {
    std::vector<std::string> overrides = cx.sc.overrides;
    overrides.push_back(e.lever.key + "=" + e.lever.values[i]);
    const std::string vk = e.dkey + "[" + std::to_string(i) + "]";
    const Loc& at = e.value_locs[i];
    const std::string with = "with " + e.lever.key + " = " + e.lever.values[i] + ": ";
    try {
      const Scenario variant = load_variant(overrides);
      for (const UncertainEntry* u : scaled)
        check_uncertain_range(*u, variant.params,
                              [&](const Loc&, const std::string& key, const std::string& msg) {
                                cx.diags.add(at, vk, with + key + ": " + msg);
                              });
    } catch (const InputError& err) {
      const std::string& k = e.lever.key;
      for (const Diagnostic& d : err.diagnostics()) {
        const bool same = d.file == kSetFile && (d.key == k || d.key.rfind(k + "[", 0) == 0 ||
                                                 d.key.rfind(k + ".", 0) == 0);
        if (same)
          cx.diags.add(at, vk + d.key.substr(k.size()), d.message);
        else
          cx.diags.add(at, vk, with + format_diagnostic(d));
      }
    }
  }
}

// Reports an uncertain entry that a lever also sets or another entry also samples, and
// lever pairs that set the same parameter; the later entry loses its cell.
void check_overlaps(const SweepContext& cx, std::vector<LeverEntry>& levers,
                    std::vector<UncertainEntry>& uncertain) {
  for (std::size_t i = 0; i < uncertain.size(); ++i) {
    UncertainEntry& e = uncertain[i];
    if (!e.cell) continue;
    for (const auto& l : levers) {
      if (!l.cell || !e.cell->overlaps(*l.cell)) continue;
      // A factor scales whatever value the policy sets (a lever, then a shared draw).
      if (e.u.multiply && e.u.target.index >= 0) continue;
      cx.diags.add(e.at, e.dkey,
                   "also set by the lever " + l.dkey + " (line " + std::to_string(l.at.line) +
                       "): allowed each parameter either as a lever or as uncertain, not both "
                       "(or uncertain with multiply = true, a factor on the lever's values)");
      e.cell.reset();
      break;
    }
    for (std::size_t j = 0; j < i && e.cell; ++j) {
      const UncertainEntry& o = uncertain[j];
      if (!o.cell || !e.cell->overlaps(*o.cell)) continue;
      const ParamTarget &t = e.u.target, &ot = o.u.target;
      // Distinct fields of one shock, or of different shocks, are distinct values.
      if (t.index < 0 && (t.shock != ot.shock || t.shock_field != ot.shock_field)) {
        if (t.shock == ot.shock && t.shock_field != 2 && ot.shock_field != 2) {
          cx.diags.add(e.at, e.dkey,
                       "start and end of supply_shocks[" + std::to_string(t.shock) +
                           "] are both sampled (" + o.dkey +
                           "), which could give start >= end: allowed sampling one of them");
          e.cell.reset();
        }
        continue;
      }
      cx.diags.add(e.at, e.dkey,
                   "also sampled by " + o.dkey + " (line " + std::to_string(o.at.line) +
                       "): allowed each parameter sampled once");
      e.cell.reset();
    }
  }
  for (std::size_t i = 0; i < levers.size(); ++i)
    for (std::size_t j = 0; j < i && levers[i].cell; ++j)
      if (levers[j].cell && levers[i].cell->overlaps(*levers[j].cell)) {
        cx.diags.add(levers[i].at, levers[i].dkey,
                     "sets the same parameter as the lever " + levers[j].dkey + " (line " +
                         std::to_string(levers[j].at.line) +
                         "): allowed each parameter in one lever (list the combinations you "
                         "want in one of them)");
        levers[i].cell.reset();
      }
}

// The [sweep] settings as read, with where they stand.
struct SweepSettings {
  SamplingMethod method = SamplingMethod::monte_carlo;
  long long samples = 1;
  std::optional<Loc> method_at, samples_at;
  bool method_ok = true, samples_ok = true;
  Loc sweep_at;
};

void read_method(const SweepContext& cx, const toml::value& v, SweepSettings& st) {
  static const std::vector<std::string> methods = {"monte_carlo", "lhs", "sobol", "saltelli"};
  st.method_at = cx.src.loc(v);
  const auto m = v.is_string() ? std::find(methods.begin(), methods.end(), v.as_string().str)
                               : methods.end();
  if (m != methods.end()) {
    st.method = static_cast<SamplingMethod>(m - methods.begin());
    return;
  }
  st.method_ok = false;
  cx.diags.add(*st.method_at, "sweep.method",
               (v.is_string() ? "unknown method \"" + v.as_string().str + "\"" +
                                    hint(v.as_string().str, methods, "\"", "\"")
                              : "wrong type: " + describe(v) + " where a name is expected") +
                   ": allowed " + join(methods, "\""));
}

void read_samples(const SweepContext& cx, const toml::value& v, SweepSettings& st) {
  st.samples_at = cx.src.loc(v);
  if (v.is_integer() && v.as_integer() >= 1 && v.as_integer() <= 1000000000) {
    st.samples = v.as_integer();
    return;
  }
  st.samples_ok = false;
  cx.diags.add(
      *st.samples_at, "sweep.samples",
      (v.is_integer() ? "samples = " + std::to_string(v.as_integer()) + " is out of range"
                      : "wrong type: " + describe(v) + " where an integer is expected") +
          ": allowed an integer in [1, 1e9] (the base sample size N)");
}

// The design's limits: samples against the uncertain parameters and the method, Sobol
// dimensions, LHS memory, and the number of runs. False when the number of runs is refused.
bool check_design(const SweepContext& cx, const SweepSettings& st,
                  const std::vector<LeverEntry>& levers, long long d) {
  const Loc s_at = st.samples_at ? *st.samples_at : st.sweep_at;
  const Loc m_at = st.method_at ? *st.method_at : st.sweep_at;
  const long long samples = st.samples;
  if (d == 0 && samples > 1)
    cx.diags.add(s_at, "sweep.samples",
                 "samples = " + std::to_string(samples) +
                     " with no uncertain parameters would repeat each policy's run: allowed "
                     "samples = 1 (or none) when only levers are swept");
  if (d > 0 && !st.samples_at)
    cx.diags.add(st.sweep_at, "sweep.samples",
                 "missing 'samples': allowed samples = N (an integer >= 1), the number of "
                 "sampled futures");
  const bool saltelli = st.method == SamplingMethod::saltelli;
  if (saltelli) {
    if (d == 0)
      cx.diags.add(m_at, "sweep.method",
                   "method \"saltelli\" needs uncertain parameters: allowed [sweep.uncertain] "
                   "entries, or a method without sensitivity indices");
    if (samples < 2)
      cx.diags.add(s_at, "sweep.samples",
                   "samples = " + std::to_string(samples) +
                       " is too few for method \"saltelli\": allowed samples >= 2");
  }
  const long long dims = saltelli ? 2 * d : d;
  if ((st.method == SamplingMethod::sobol || saltelli) && dims > kMaxSobolDimensions)
    cx.diags.add(m_at, "sweep.method",
                 std::to_string(d) + " uncertain parameters need " + std::to_string(dims) +
                     " Sobol dimensions: allowed at most " + std::to_string(kMaxSobolDimensions) +
                     " (use monte_carlo or lhs)");
  // LHS keeps one permutation of the strata per parameter in memory.
  constexpr double kMaxLhsCells = 1e8;
  const double cells = static_cast<double>(samples) * static_cast<double>(d);
  if (st.method == SamplingMethod::lhs && cells > kMaxLhsCells)
    cx.diags.add(s_at, "sweep.samples",
                 "lhs keeps a permutation of the samples per uncertain parameter: samples * "
                 "parameters = " +
                     fmt(cells) +
                     ": allowed at most 1e8 (use sobol or monte_carlo for larger designs)");
  double policies = 1.0;
  for (const auto& l : levers) policies *= static_cast<double>(l.lever.values.size());
  const double per_policy =
      static_cast<double>(samples) * (saltelli ? static_cast<double>(d + 2) : 1.0);
  if (policies * per_policy <= 1e9) return true;
  cx.diags.add(s_at, "sweep.samples",
               fmt(policies) + " policies x " + fmt(per_policy) + " samples per policy = " +
                   fmt(policies * per_policy) +
                   " runs: allowed at most 1e9 runs in a sweep (fewer samples or lever values)");
  return false;
}

// A sampled shock start must stay before the fixed end, and a sampled end after the start.
void bound_shock_fields(const RunParams& params, std::vector<UncertainEntry>& uncertain) {
  for (auto& e : uncertain) {
    const ParamTarget& t = e.u.target;
    if (!e.cell || t.index >= 0 || t.shock_field == 2) continue;
    const SupplyShock& s = params.global.supply_shocks[static_cast<std::size_t>(t.shock)];
    if (t.shock_field == 0) {
      e.u.hi = s.end;
      e.u.hi_open = true;
    } else {
      e.u.lo = s.start;
      e.u.lo_open = true;
    }
  }
}

// Each lever value, loaded as --set KEY=VALUE (without [sweep]), so that the problems
// reported are the value's own. A lever that --set also gives is pinned for this load
// (that is how a policy's parameters are loaded), and its values are checked when the
// policies are.
void check_levers(const SweepContext& cx, const LoadVariant& load_variant,
                  const std::vector<LeverEntry>& levers,
                  const std::vector<UncertainEntry>& uncertain) {
  std::set<std::string> pinned;
  for (const auto& ov : cx.sc.overrides) {
    const auto eq = ov.find('=');
    if (eq != std::string::npos)
      pinned.insert(std::string(trim_blanks(std::string_view(ov).substr(0, eq))));
  }
  for (const auto& l : levers) {
    if (!l.cell || pinned.count(l.lever.key)) continue;
    std::vector<const UncertainEntry*> scaled;
    for (const auto& e : uncertain)
      if (e.cell && e.dist_ok && e.u.multiply && e.cell->overlaps(*l.cell)) scaled.push_back(&e);
    check_lever_values(cx, load_variant, l, scaled);
  }
}

}  // namespace

Entries flatten_sweep_table(const TomlSource& src, const toml::value& t, bool tables_are_values) {
  // Lever values are arrays, so every non-empty table is a level of keys; an uncertain
  // parameter's value is a table itself, so there only a table whose entries are all
  // tables is a level. An unquoted key (global.allocation = [...], which TOML reads as
  // nested tables) thus means the same as the quoted one.
  Entries out;
  std::function<void(const toml::value&, const std::string&)> walk =
      [&](const toml::value& table, const std::string& prefix) {
        for (const auto& [k, v] : src.entries(table)) {
          const std::string key = prefix.empty() ? k : prefix + "." + k;
          const bool level =
              v->is_table() && !v->as_table().empty() &&
              (!tables_are_values ||
               std::all_of(v->as_table().begin(), v->as_table().end(),
                           [](const auto& kv) { return kv.second.is_table(); }));
          if (level)
            walk(*v, key);
          else
            out.emplace_back(key, v);
        }
      };
  walk(t, "");
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    return src.before(*a.second, *b.second);
  });
  return out;
}

SweepSpec read_sweep(const SweepContext& cx, const LoadVariant& load_variant) {
  const toml::value* sect = cx.src.section("sweep");
  if (!sect) return {};
  SweepSettings st;
  st.sweep_at = cx.src.loc(*sect);
  std::vector<LeverEntry> levers;
  std::vector<UncertainEntry> uncertain;
  for (const auto& [name, v] : cx.src.entries(*sect)) {
    const std::string key = "sweep." + name;
    if (name == "method") {
      read_method(cx, *v, st);
    } else if (name == "samples") {
      read_samples(cx, *v, st);
    } else if (name == "levers" || name == "uncertain") {
      if (!v->is_table())
        cx.diags.add(cx.src.loc(*v), key,
                     "wrong type: " + describe(*v) +
                         " where a table is expected; allowed a section [" + key + "]");
      else if (name == "levers")
        read_levers(cx, *v, levers);
      else
        read_uncertain(cx, *v, uncertain);
    } else {
      unknown_key(cx.diags, cx.src.loc(*v), key, name,
                  {"method", "samples", "levers", "uncertain"}, "[sweep]");
    }
  }
  if (levers.empty() && uncertain.empty()) {
    cx.diags.add(st.sweep_at, "sweep",
                 "the sweep has neither levers nor uncertain parameters: allowed [sweep.levers] "
                 "(\"KEY\" = [alternatives...]) and/or [sweep.uncertain] (\"KEY\" = {dist = ...}), "
                 "or no [sweep] section");
    return {};
  }
  check_overlaps(cx, levers, uncertain);
  if (cx.resolved) {
    bound_shock_fields(cx.sc.params, uncertain);
    const ReportProblem report = [&](const Loc& at, const std::string& key,
                                     const std::string& msg) { cx.diags.add(at, key, msg); };
    for (const auto& e : uncertain)
      if (e.cell && e.dist_ok) {
        check_uncertain_range(e, cx.sc.params, report);
        check_sampled_trends(e, cx.sc.params, report);
      }
  }
  // A sweep refused for its size is not loaded once per lever value (two levers of 100k
  // values each took that long).
  const bool sized = !st.samples_ok || !st.method_ok ||
                     check_design(cx, st, levers, static_cast<long long>(uncertain.size()));
  if (cx.resolved && sized) check_levers(cx, load_variant, levers, uncertain);

  SweepSpec spec;
  spec.method = st.method;
  spec.samples = static_cast<int>(st.samples);
  for (auto& l : levers) spec.levers.push_back(std::move(l.lever));
  for (auto& e : uncertain) spec.uncertain.push_back(std::move(e.u));
  return spec;
}

}  // namespace sovcap::loader
