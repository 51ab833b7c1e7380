// [sweep.uncertain]: which parameter each key samples, its distribution, and whether
// every value the distribution can give is a valid value of that parameter.

#include <algorithm>
#include <cmath>

#include "sovcap/loader/loader.hpp"

namespace sovcap::loader {
namespace {

constexpr const char* kUncertainForms =
    "allowed global.NAME, country.ISO3.NAME, country.*.NAME (every country) or "
    "global.supply_shocks[I].start|end|factor, for real-valued parameters";

// global.supply_shocks[I].FIELD: the shock and the field it samples.
std::optional<Cell> check_shock_key(const SweepContext& cx, const std::string& key,
                                    UncertainEntry& e) {
  const std::string shocks = "global.supply_shocks[";
  const auto close = key.find(']', shocks.size());
  const std::string digits =
      close == std::string::npos ? "" : key.substr(shocks.size(), close - shocks.size());
  const bool number_ok =
      !digits.empty() && digits.size() <= 6 &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!number_ok || close + 1 >= key.size() || key[close + 1] != '.') {
    cx.diags.add(e.at, e.dkey, "malformed key '" + key + "': " + kUncertainForms);
    return std::nullopt;
  }
  const std::string field = key.substr(close + 2);
  static const std::vector<std::string> fields = {"start", "end", "factor"};
  const auto f = std::find(fields.begin(), fields.end(), field);
  if (f == fields.end()) {
    cx.diags.add(e.at, e.dkey,
                 "unknown supply-shock field '" + field + "'" + hint(field, fields) +
                     ": allowed start, end, factor");
    return std::nullopt;
  }
  const int index = std::stoi(digits);
  const auto n = cx.sc.params.global.supply_shocks.size();
  if (cx.resolved && static_cast<std::size_t>(index) >= n) {
    cx.diags.add(e.at, e.dkey,
                 "supply_shocks[" + digits + "] does not exist: the scenario has " +
                     std::to_string(n) + (n == 1 ? " supply shock" : " supply shocks") +
                     (n ? ": allowed indices 0 to " + std::to_string(n - 1)
                        : ": allowed only shocks given in [global] supply_shocks"));
    return std::nullopt;
  }
  Uncertain& u = e.u;
  u.target.scope = ParamScope::global;
  u.target.index = -1;
  u.target.shock = index;
  u.target.shock_field = static_cast<int>(f - fields.begin());
  if (field == "factor") {
    u.lo = 0.0;
    u.lo_open = false;
  }
  return Cell{"global.supply_shocks", ""};
}

// Why a parameter that is not real-valued cannot be sampled, and what to write instead.
std::string not_real_problem(const ParamSpec& p, const std::vector<std::string>& parts,
                             const std::string& key) {
  std::string what, lever_example;
  switch (p.kind) {
    case ParamKind::integer:
      what = "takes integer values";
      lever_example = "[1, 2]";
      break;
    case ParamKind::choice:
      what = "takes names";
      lever_example = "[\"pro_rata\", \"max_min_fair\"]";
      break;
    case ParamKind::targets:
      what = "is a list of milestones";
      lever_example = "[[[2030, 1000]], [[2030, 2000]]]";
      break;
    default:
      what = "is a list of shocks";
      lever_example = "[[], [{start = 2028.0, end = 2029.0, factor = 0.5}]]";
      break;
  }
  const std::string name(p.name);
  std::string msg = "'" + name + "' " + what + ", which a distribution cannot sample: " +
                    kUncertainForms + "; sweep it as a lever instead, e.g. [sweep.levers] \"" +
                    (parts[0] == "country" && parts[1] == "*" ? "defaults." + name : key) +
                    "\" = " + lever_example;
  if (p.kind == ParamKind::shocks) msg += ", or sample global.supply_shocks[I].factor";
  return msg;
}

// The real-valued parameter an uncertain key names, its allowed range and where it goes.
std::optional<Cell> check_uncertain_key(const SweepContext& cx, const std::string& key,
                                        UncertainEntry& e) {
  if (key.rfind("global.supply_shocks[", 0) == 0) return check_shock_key(cx, key, e);
  const Loc& at = e.at;
  const std::string& dk = e.dkey;
  const std::vector<std::string> parts = key_parts(key);
  if (parts.empty()) {
    cx.diags.add(at, dk, "malformed key '" + key + "': " + kUncertainForms);
    return std::nullopt;
  }
  const std::string& head = parts[0];
  if (head == "simulation" || head == "countries" || head == "sweep") {
    cx.diags.add(at, dk, "'" + key + "' cannot be uncertain: " + kUncertainForms);
    return std::nullopt;
  }
  if (head == "defaults") {
    cx.diags.add(at, dk,
                 "[defaults] cannot be sampled: write country.*." +
                     (parts.size() > 1 ? parts[1] : std::string("NAME")) +
                     " to sample a parameter for every country; " + kUncertainForms);
    return std::nullopt;
  }
  if (head != "global" && head != "country") {
    cx.diags.add(at, dk,
                 "unknown section '" + head + "'" +
                     hint(head, std::vector<std::string>{"global", "country"}) + ": " +
                     kUncertainForms);
    return std::nullopt;
  }
  const ParamScope scope = head == "global" ? ParamScope::global : ParamScope::country;
  if (parts.size() != (head == "country" ? 3u : 2u)) {
    cx.diags.add(at, dk, "malformed key '" + key + "': " + kUncertainForms);
    return std::nullopt;
  }
  const std::string& name = parts.back();
  const ParamSpec* p = find_param(scope, name);
  if (!p) {
    cx.diags.add(at, dk,
                 "unknown " + std::string(scope_name(scope)) + " parameter '" + name + "'" +
                     hint(name, names_in(scope, true)) +
                     ": allowed the real-valued parameters listed by `sovcap params`");
    return std::nullopt;
  }
  if (p->kind != ParamKind::real) {
    cx.diags.add(at, dk, not_real_problem(*p, parts, key));
    return std::nullopt;
  }
  Uncertain& u = e.u;
  u.target.scope = scope;
  u.target.index = p->index;
  u.lo = p->lo;
  u.lo_open = p->lo_open;
  u.hi = p->hi;
  u.hi_open = p->hi_open;
  // The model's delay lines and chip retirement move in whole steps (the registry's
  // *_whole_steps rules).
  const bool whole_steps =
      name == "chip_lifetime_years" || name == "build_lead_years" || name == "grid_lead_years" ||
      name == "onsite_lead_years";
  if (whole_steps && cx.sites.dt && *cx.sites.dt > u.lo) {
    u.lo = *cx.sites.dt;
    u.lo_open = false;
  }
  if (head == "global") return Cell{"global." + name, ""};
  const std::string& iso3 = parts[1];
  if (iso3 == "*") {
    u.target.country = -1;
    return Cell{"country." + name, "*"};
  }
  if (!is_iso3(iso3)) {
    cx.diags.add(at, dk,
                 "'" + iso3 +
                     "' is not an ISO3 code: allowed 3 uppercase letters (country.KOR.pue) or * "
                     "for every country (country.*.pue)");
    return std::nullopt;
  }
  const CountryParams& countries = cx.sc.params.countries;
  const int c = countries.find(iso3);
  if (cx.resolved && c < 0) {
    cx.diags.add(at, dk,
                 "country " + iso3 + " is not in the scenario" + hint(iso3, countries.iso3) +
                     ": allowed countries: " + join(countries.iso3) + ", or * for every country");
    return std::nullopt;
  }
  u.target.country = c;
  return Cell{"country." + name, iso3};
}

// Every distribution's name, in the order of Distribution.
std::vector<std::string> distribution_names() {
  std::vector<std::string> out;
  for (int d = 0; d < kNumDistributions; ++d)
    out.emplace_back(distribution_name(static_cast<Distribution>(d)));
  return out;
}

const std::vector<std::string> kDistributions = distribution_names();

// dist = "from_sources" takes no parameters: each value's range comes from the data set.
constexpr const char* kFromSources = "from_sources";

// Every name `dist` takes, for messages and suggestions.
std::vector<std::string> dist_names_allowed() {
  std::vector<std::string> out = kDistributions;
  out.emplace_back(kFromSources);
  return out;
}

const std::vector<std::string> kDistNamesAllowed = dist_names_allowed();

// The parameters each distribution takes, besides dist and multiply.
std::vector<std::string> dist_params(Distribution d) {
  const auto keys = distribution_keys(d);
  return {keys.begin(), keys.end()};
}

// The value of `dist`; reports and returns nullopt when there is no usable one.
std::optional<Distribution> read_dist_name(const SweepContext& cx, const toml::value& v,
                                           const std::string& dk) {
  const std::string example = "e.g. {dist = \"uniform\", low = 0.1, high = 0.4}";
  if (!v.is_table()) {
    cx.diags.add(cx.src.loc(v), dk,
                 "wrong type: " + describe(v) +
                     " where a distribution is expected; allowed an inline table, " + example);
    return std::nullopt;
  }
  const auto& t = v.as_table();
  const auto di = t.find("dist");
  if (di == t.end()) {
    cx.diags.add(cx.src.loc(v), dk,
                 "missing 'dist': allowed dist = " + join(kDistNamesAllowed, "\"") +
                     " with its parameters, " + example);
    return std::nullopt;
  }
  if (!di->second.is_string()) {
    cx.diags.add(cx.src.loc(di->second), dk + ".dist",
                 "wrong type: " + describe(di->second) + " where a name is expected; allowed " +
                     join(kDistNamesAllowed, "\""));
    return std::nullopt;
  }
  const std::string& dname = di->second.as_string().str;
  const auto found = std::find(kDistributions.begin(), kDistributions.end(), dname);
  if (found == kDistributions.end()) {
    cx.diags.add(cx.src.loc(di->second), dk + ".dist",
                 "unknown distribution \"" + dname + "\"" +
                     hint(dname, kDistNamesAllowed, "\"", "\"") + ": allowed " +
                     join(kDistNamesAllowed, "\""));
    return std::nullopt;
  }
  return static_cast<Distribution>(found - kDistributions.begin());
}

// values = [...] or weights = [...] of a choice distribution.
bool read_number_list(const SweepContext& cx, const std::string& name, const toml::value& x,
                      const std::string& k, UncertainEntry& e) {
  if (!x.is_array()) {
    cx.diags.add(cx.src.loc(x), k, "wrong type: " + describe(x) + "; allowed an array of numbers");
    return false;
  }
  bool ok = true;
  const auto& arr = x.as_array();
  std::vector<double>& out = name == "values" ? e.u.values : e.u.weights;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string ik = k + "[" + std::to_string(i) + "]";
    const Loc at = cx.src.loc(arr[i]);
    if (!is_number(arr[i]) || !std::isfinite(number(arr[i]))) {
      cx.diags.add(at, ik,
                   (is_number(arr[i]) ? fmt(number(arr[i])) + " is not finite"
                                      : "wrong type: " + describe(arr[i])) +
                       ": allowed finite numbers");
      ok = false;
      continue;
    }
    if (name == "weights" && number(arr[i]) < 0.0) {
      cx.diags.add(at, ik, "weight " + fmt(number(arr[i])) + " is negative: allowed weights >= 0");
      ok = false;
    }
    out.push_back(number(arr[i]));
    if (name == "values") e.value_locs.push_back(at);
  }
  return ok;
}

// The distribution's parameters meet its own constraints (low < high, sd > 0, ...).
bool check_dist_values(const SweepContext& cx, UncertainEntry& e,
                       std::map<std::string, double>& num, std::map<std::string, Loc>& where,
                       bool weights_given) {
  Uncertain& u = e.u;
  bool ok = true;
  auto bad = [&](const std::string& name, const std::string& msg) {
    cx.diags.add(where[name], e.dkey + "." + name, msg);
    ok = false;
  };
  switch (u.dist) {
    case Distribution::uniform:
    case Distribution::triangular: {
      const double lo = num["low"], hi = num["high"];
      u.a = lo;
      u.b = u.dist == Distribution::uniform ? hi : num["mode"];
      u.c = u.dist == Distribution::uniform ? 0.0 : hi;
      if (!(lo < hi))
        bad("low", "low = " + fmt(lo) + " is not below high = " + fmt(hi) + ": allowed low < high");
      else if (u.dist == Distribution::triangular && !(lo <= u.b && u.b <= hi))
        bad("mode", "mode = " + fmt(u.b) + " is outside [low, high] = [" + fmt(lo) + ", " +
                        fmt(hi) + "]: allowed low <= mode <= high");
      break;
    }
    case Distribution::normal:
      u.a = num["mean"];
      u.b = num["sd"];
      if (!(u.b > 0.0)) bad("sd", "sd = " + fmt(u.b) + " is out of range: allowed sd > 0");
      break;
    case Distribution::lognormal:
      u.a = num["median"];
      u.b = num["sigma"];
      if (!(u.a > 0.0))
        bad("median", "median = " + fmt(u.a) + " is out of range: allowed median > 0");
      if (!(u.b > 0.0))
        bad("sigma", "sigma = " + fmt(u.b) + " is out of range: allowed sigma > 0 (of the log)");
      break;
    case Distribution::choice: {
      if (u.values.empty()) bad("values", "empty array: allowed a non-empty array of numbers");
      if (!u.weights.empty() || weights_given) {
        double sum = 0.0;
        for (double w : u.weights) sum += w;
        if (u.weights.size() != u.values.size())
          bad("weights", "weights has " + std::to_string(u.weights.size()) +
                             " items but values has " + std::to_string(u.values.size()) +
                             ": allowed one weight per value");
        else if (std::abs(sum - 1.0) > 1e-9)
          bad("weights",
              "weights sum to " + fmt(sum) + ": allowed weights summing to 1 (within 1e-9)");
      }
      break;
    }
  }
  return ok;
}

// Reads {dist = ..., ...}; reports every problem and returns whether it is usable.
bool read_distribution(const SweepContext& cx, const toml::value& v, UncertainEntry& e) {
  const auto dist = read_dist_name(cx, v, e.dkey);
  if (!dist) return false;
  Uncertain& u = e.u;
  u.dist = *dist;
  const std::string dname(kDistributions[static_cast<std::size_t>(u.dist)]);
  const std::vector<std::string> params = dist_params(u.dist);
  std::string form = "{dist = \"" + dname + "\"";
  for (const auto& p : params)
    form += ", " + p + " = " + (p == "values" || p == "weights" ? "[...]" : "X");
  form += "}";
  if (u.dist == Distribution::choice) form += " (weights optional, summing to 1)";
  std::vector<std::string> allowed = {"dist"};
  allowed.insert(allowed.end(), params.begin(), params.end());
  allowed.emplace_back("multiply");

  bool ok = true;
  std::map<std::string, double> num;
  std::map<std::string, Loc> where;
  for (const auto& [name, x] : cx.src.entries(v)) {
    const std::string k = e.dkey + "." + name;
    const Loc at = cx.src.loc(*x);
    where[name] = at;
    if (name == "dist") continue;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      unknown_key(cx.diags, at, k, name, allowed, "a " + dname + " distribution");
      ok = false;
    } else if (name == "multiply") {
      if (x->is_boolean()) {
        u.multiply = x->as_boolean();
        continue;
      }
      cx.diags.add(at, k,
                   "wrong type: " + describe(*x) +
                       " where a boolean is expected; "
                       "allowed true (the sample multiplies the resolved value) or false");
      ok = false;
    } else if (name == "values" || name == "weights") {
      ok = read_number_list(cx, name, *x, k, e) && ok;
    } else if (!is_number(*x) || !std::isfinite(number(*x))) {
      cx.diags.add(at, k,
                   (is_number(*x) ? name + " = " + fmt(number(*x)) + " is not finite"
                                  : "wrong type: " + describe(*x) + " where a number is expected") +
                       ": allowed a finite number");
      ok = false;
    } else {
      num[name] = number(*x);
    }
  }
  const auto& t = v.as_table();
  for (const auto& p : params)
    if (p != "weights" && !t.count(p)) {
      cx.diags.add(cx.src.loc(v), e.dkey, "missing '" + p + "': allowed " + form);
      ok = false;
    }
  return ok && check_dist_values(cx, e, num, where, t.count("weights") > 0);
}

std::string describe_dist(const Uncertain& u) {
  if (u.from_sources)
    return "the range [" + fmt(u.a) + ", " + fmt(u.c) + "] of " + u.source;
  std::string s = std::string(distribution_name(u.dist)) + " ";
  switch (u.dist) {
    case Distribution::uniform:
      return s + "[" + fmt(u.a) + ", " + fmt(u.b) + "]";
    case Distribution::normal:
      return s + "(mean " + fmt(u.a) + ", sd " + fmt(u.b) + ")";
    case Distribution::lognormal:
      return s + "(median " + fmt(u.a) + ", sigma " + fmt(u.b) + ")";
    case Distribution::triangular:
      return s + "(" + fmt(u.a) + ", " + fmt(u.b) + ", " + fmt(u.c) + ")";
    case Distribution::choice:
      break;
  }
  return s;
}

// "a number in [0, 1e+11]", the form ParamSpec::allowed() uses, for a tightened range.
std::string range_text(const Uncertain& u) {
  ParamSpec s{
      "", ParamScope::global, ParamKind::real, "", 0.0, u.lo, u.lo_open, u.hi, u.hi_open, "", {},
      -1};
  return s.allowed();
}

bool in_range(double v, const Uncertain& u) {
  return (u.lo_open ? v > u.lo : v >= u.lo) && (u.hi_open ? v < u.hi : v <= u.hi);
}

// Every resolved value the parameter takes (one per country for country.*), with whose:
// the base a multiplied draw is multiplied by (Uncertain::base_of).
std::vector<std::pair<double, std::string>> bases(const Uncertain& u, const RunParams& p) {
  const ParamTarget& t = u.target;
  if (t.index < 0) {
    const SupplyShock& s = p.global.supply_shocks[static_cast<std::size_t>(t.shock)];
    return {{t.shock_field == 0 ? s.start : t.shock_field == 1 ? s.end : s.factor, ""}};
  }
  if (t.scope == ParamScope::global)
    return {{u.base_of(p.global.values[static_cast<std::size_t>(t.index)]), ""}};
  std::vector<std::pair<double, std::string>> out;
  for (int c = 0; c < p.countries.size(); ++c)
    if (t.country < 0 || t.country == c)
      out.emplace_back(u.base_of(p.countries.values(c, t.index)),
                       p.countries.iso3[static_cast<std::size_t>(c)]);
  return out;
}

// ---- dist = "from_sources" ----

bool is_from_sources(const toml::value& v) {
  if (!v.is_table()) return false;
  const auto& t = v.as_table();
  const auto d = t.find("dist");
  return d != t.end() && d->second.is_string() && d->second.as_string().str == kFromSources;
}

// "FILE line N", where a range stands.
std::string row_text(const SourceRange& r) { return r.at.file + " line " + std::to_string(r.at.line); }

// One value's entry drawn from its data range: triangular on [low, high] of the row `id`,
// peaking at its value,
// ("global.NAME", "country.ISO3.NAME") in `file`; reports why there is none.
std::optional<UncertainEntry> source_entry(const SweepContext& cx, const UncertainEntry& e,
                                           const std::string& id, const std::string& file,
                                           const std::string& whose) {
  const std::string pname = id.substr(id.rfind('.') + 1);
  const auto it = cx.sites.ranges.find(id);
  const std::string what = pname + (whose.empty() ? "" : " of " + whose);
  if (it == cx.sites.ranges.end()) {
    cx.diags.add(e.at, e.dkey,
                 "from_sources: " + file + " has no row for " + what +
                     (whose.empty() ? "" : " (its value does not come from the countries CSV)") +
                     ": allowed from_sources only for values whose data row gives low and high "
                     "(or another distribution, or name the countries that have one: "
                     "country.ISO3." + pname + ")");
    return std::nullopt;
  }
  const SourceRange& r = it->second;
  if (!r.low || !r.high || !r.value) {
    cx.diags.add(e.at, e.dkey,
                 "from_sources: " + row_text(r) + " gives no range for " + what +
                     " (low or high is empty or invalid): allowed from_sources where the data "
                     "row gives both low and high (fill them in, or use another distribution)");
    return std::nullopt;
  }
  if (!(*r.low < *r.high)) {
    cx.diags.add(e.at, e.dkey,
                 "from_sources: the range of " + what + " at " + row_text(r) + " is empty (low = " +
                     fmt(*r.low) + ", high = " + fmt(*r.high) +
                     "): allowed from_sources where low < high (a value the sources give as "
                     "certain is not sampled: leave it out, or name the other countries)");
    return std::nullopt;
  }
  if (*r.value == 0.0) {
    cx.diags.add(e.at, e.dkey,
                 "from_sources: the data's value of " + what + " at " + row_text(r) +
                     " is 0, which a run's other value (a lever's, an override's) cannot be "
                     "scaled from: allowed from_sources for nonzero data values (sample this "
                     "one with {dist = \"triangular\", low = " + fmt(*r.low) + ", mode = 0, high = " +
                     fmt(*r.high) + "})");
    return std::nullopt;
  }
  UncertainEntry x = e;
  Uncertain& u = x.u;
  // Triangular, peaking at the data's value: the value is the sources' best estimate and
  // low and high their limits; a uniform draw would give the ends as much weight and move
  // every country's mean to the middle of its (often lopsided) range.
  u.dist = Distribution::triangular;
  u.a = *r.low;
  u.b = *r.value;
  u.c = *r.high;
  u.multiply = true;
  u.from_sources = true;
  u.data_value = *r.value;
  u.source = row_text(r);
  x.dist_ok = true;
  return x;
}

// The entries of {dist = "from_sources"}, reporting why a value it covers has none.
void read_source_entries(const SweepContext& cx, const toml::value& v, const UncertainEntry& e,
                         std::vector<UncertainEntry>& out) {
  bool ok = true;
  for (const auto& [name, x] : cx.src.entries(v)) {
    if (name == "dist") continue;
    unknown_key(cx.diags, cx.src.loc(*x), e.dkey + "." + name, name, {"dist"},
                "dist = \"from_sources\" (the range is the data set's own low and high; the "
                "draw replaces the data's value and scales a value a lever or override changed)");
    ok = false;
  }
  if (!e.cell || !ok || !cx.resolved) return;
  const ParamTarget& t = e.u.target;
  if (t.index < 0) {
    cx.diags.add(e.at, e.dkey,
                 "from_sources: supply shocks have no range in the data files: allowed "
                 "from_sources for global.NAME (global data) and country.ISO3.NAME or "
                 "country.*.NAME (countries sources), or another distribution");
    return;
  }
  const std::string pname = e.u.key.substr(e.u.key.rfind('.') + 1);
  if (t.scope == ParamScope::global) {
    if (cx.sites.global_data.empty()) {
      cx.diags.add(e.at, e.dkey,
                   "from_sources: the scenario names no global data file, whose low and high "
                   "columns give the range: allowed with [global] data = \"FILE.csv\"");
      return;
    }
    if (auto x = source_entry(cx, e, "global." + pname, cx.sites.global_data, ""))
      out.push_back(std::move(*x));
    return;
  }
  if (cx.sites.country_sources.empty()) {
    cx.diags.add(e.at, e.dkey,
                 "from_sources: the scenario names no countries sources file, whose low and "
                 "high columns give each country's range: allowed with [countries] data = "
                 "\"FILE.csv\" and sources = \"FILE_sources.csv\"");
    return;
  }
  const CountryParams& countries = cx.sc.params.countries;
  for (int c = 0; c < countries.size(); ++c) {
    if (t.country >= 0 && t.country != c) continue;
    const std::string& iso3 = countries.iso3[static_cast<std::size_t>(c)];
    auto x = source_entry(cx, e, "country." + iso3 + "." + pname, cx.sites.country_sources, iso3);
    if (!x) continue;
    x->u.key = "country." + iso3 + "." + pname;
    x->u.target.country = c;
    x->cell = Cell{"country." + pname, iso3};
    out.push_back(std::move(*x));
  }
}

// {dist = "from_sources"}: one entry per value the key covers (one per country for
// country.*.NAME, each a design dimension of its own, so that the countries draw
// independently), each triangular on its own data range. A key that covers no value keeps
// its one entry, without a cell, its problems reported.
void read_from_sources(const SweepContext& cx, const toml::value& v, UncertainEntry e,
                       std::vector<UncertainEntry>& out) {
  const std::size_t before = out.size();
  read_source_entries(cx, v, e, out);
  if (out.size() > before) return;
  // Its problems are reported; the entry stays, without a cell, so that it is not taken
  // for a missing [sweep.uncertain].
  e.cell.reset();
  e.dist_ok = false;
  out.push_back(std::move(e));
}

}  // namespace

void check_uncertain_range(const UncertainEntry& e, const RunParams& params,
                           const ReportProblem& report) {
  const Uncertain& u = e.u;
  const std::string allowed = range_text(u);
  const std::string pname = e.u.key.substr(e.u.key.rfind('.') + 1);
  for (const auto& [base, iso3] : bases(u, params)) {
    const std::string whose = iso3.empty() ? "" : " for " + iso3;
    if (u.dist == Distribution::choice) {
      for (std::size_t i = 0; i < u.values.size(); ++i) {
        const double v = u.multiply ? u.values[i] * base : u.values[i];
        if (in_range(v, u)) continue;
        report(e.value_locs[i], e.dkey + ".values[" + std::to_string(i) + "]",
               (u.multiply ? fmt(u.values[i]) + " * " + fmt(base) + " (the resolved " + pname +
                                 whose + ") = " + fmt(v)
                           : pname + " = " + fmt(v)) +
                   " is out of range: allowed " + allowed);
      }
      if (u.multiply) continue;
      return;  // the same check for every country
    }
    double mass = 0.0;
    try {
      mass = u.mass(base);
    } catch (const std::exception& ex) {
      report(e.at, e.dkey, std::string("cannot evaluate the distribution: ") + ex.what());
      return;
    }
    if (!(mass > 0.0)) {
      report(e.at, e.dkey,
             describe_dist(u) +
                 (u.from_sources
                      ? " scaled to the resolved " + pname + whose + " (" +
                            fmt(base * u.data_value) + " for the data's " + fmt(u.data_value) +
                            ")"
                  : u.multiply ? " times the resolved " + pname + whose + " (" + fmt(base) + ")"
                               : "") +
                 " gives no probability to the allowed range of " + pname + ", " + allowed +
                 ": allowed a distribution with values in that range (it is truncated "
                 "to the range)");
      return;
    }
    if (!u.multiply) return;
  }
}

void check_sampled_trends(const UncertainEntry& e, const RunParams& params,
                          const ReportProblem& report) {
  const Uncertain& u = e.u;
  const ParamTarget& t = u.target;
  if (t.index < 0) return;
  const bool global = t.scope == ParamScope::global;
  for (int c = global ? -1 : 0; c < (global ? 0 : params.countries.size()); ++c) {
    if (!global && t.country >= 0 && t.country != c) continue;
    const double base = u.base_of(global ? params.global.values[static_cast<std::size_t>(t.index)]
                                         : params.countries.values(c, t.index));
    std::vector<double> ends;
    try {
      if (u.dist == Distribution::choice) {
        ends = {*std::min_element(u.values.begin(), u.values.end()),
                *std::max_element(u.values.begin(), u.values.end())};
      } else {
        ends = {u.quantile(0.0, base), u.quantile(1.0, base)};
      }
    } catch (const std::exception&) {
      return;  // reported by check_uncertain_range
    }
    RunParams at_end = params;
    for (double x : ends) {
      const double v = u.multiply ? x * base : x;
      if (global)
        at_end.global.values[static_cast<std::size_t>(t.index)] = v;
      else
        at_end.countries.values(c, t.index) = v;
      const RuleValues values{at_end, c, [](std::string_view) { return true; }};
      for (const ParamRule& rule : param_rules()) {
        const bool trend = rule.name.size() > 6 && rule.name.substr(rule.name.size() - 6) == "_trend";
        if (!trend || (rule.key.rfind("country.", 0) == 0) == global)
          continue;
        if (const std::string problem = rule.check(values); !problem.empty()) {
          report(e.at, e.dkey,
                 "at " + fmt(v) + ", an end of the distribution" +
                     (global ? "" : " for " + params.countries.iso3[static_cast<std::size_t>(c)]) +
                     ": " + problem);
          return;
        }
      }
    }
  }
}

void read_uncertain(const SweepContext& cx, const toml::value& table,
                    std::vector<UncertainEntry>& out) {
  for (const auto& [key, v] : flatten_sweep_table(cx.src, table, true)) {
    UncertainEntry e;
    e.u.key = key;
    e.dkey = "sweep.uncertain.\"" + key + "\"";
    e.at = cx.src.loc(*v);
    e.cell = check_uncertain_key(cx, key, e);
    if (is_from_sources(*v)) {
      read_from_sources(cx, *v, std::move(e), out);
      continue;
    }
    e.dist_ok = read_distribution(cx, *v, e);
    out.push_back(std::move(e));
  }
}

}  // namespace sovcap::loader
