// Precedence: which source gives each parameter its value, and the origin recorded for it.
//   simulation: built-in default < [simulation] (which --set edits)
//   global:     built-in default < [global] data CSV < [global] (which --set edits)
//   country:    built-in default < [defaults] < countries CSV row < [country."*"]
//               < [country.ISO3] ([defaults], [country."*"] and [country.ISO3] are where
//               --set defaults.X, country.*.X and country.ISO3.X go)

#include <algorithm>

#include "sovcap/loader/loader.hpp"

namespace sovcap::loader {
namespace {

void set_sim(SimulationSettings& s, std::string_view name, double x) {
  if (name == "start_year")
    s.start_year = x;
  else if (name == "end_year")
    s.end_year = x;
  else if (name == "dt")
    s.dt = x;
  else if (name == "seed")
    s.seed = static_cast<std::uint64_t>(x);
}

// The year a schedule's scalar is taken at: start_year when valid, else the first point's.
double start_of(const ValueSites& sites, const Schedule& points) {
  return sites.start_year ? *sites.start_year : points.front().year;
}

struct InlineCountry {
  std::string iso3;
  CountryLayer layer;
  bool made_by_set = false;  // the table exists only because --set named the country
  std::string set_key;
};

struct IncludeEntry {
  std::string iso3;
  Loc loc;
};

// Every source of country values, before precedence picks among them.
struct CountrySources {
  CountryLayer defaults;
  CountryLayer every;  // [country."*"]
  CountriesCsv csv;
  Provenance sources;
  std::vector<InlineCountry> inline_countries;
  std::map<std::string, std::size_t> inline_index;  // iso3 -> inline_countries
  std::vector<IncludeEntry> include;
  bool include_given = false;
  Loc include_loc;

  const InlineCountry* find_inline(const std::string& iso3) const {
    const auto it = inline_index.find(iso3);
    return it == inline_index.end() ? nullptr : &inline_countries[it->second];
  }
};

// A data file's name: a non-empty string without control characters (a NUL would cut the
// path short where the system reads it).
bool file_name_ok(const TomlSource& src, const toml::value& v, const std::string& key,
                  Diags& diags) {
  std::string problem;
  if (!v.is_string() || v.as_string().str.empty())
    problem = "wrong type: " + describe(v) + " where a file name is expected";
  else if (const std::string c = control_char_problem(v.as_string().str); !c.empty())
    problem = "the file name " + c;
  if (problem.empty()) return true;
  diags.add(src.loc(v), key,
            problem + "; allowed a string naming a CSV file relative to the scenario file");
  return false;
}

void read_include(const TomlSource& src, const toml::value& v, Scenario& sc, CountrySources& cs,
                  Diags& diags) {
  cs.include_given = true;
  cs.include_loc = src.loc(v);
  if (!v.is_array()) {
    diags.add(src.loc(v), "countries.include",
              "wrong type: " + describe(v) +
                  "; allowed an array of ISO3 codes, e.g. [\"KOR\", \"JPN\"]");
    return;
  }
  const auto& arr = v.as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_string())
      diags.add(src.loc(arr[i]), "countries.include[" + std::to_string(i) + "]",
                "wrong type: " + describe(arr[i]) +
                    " where an ISO3 code is expected; allowed a string like \"KOR\"");
    else
      cs.include.push_back({arr[i].as_string().str, src.loc(arr[i])});
  }
  sc.origin["countries.include"] = origin_of(src.loc(v));
}

// [countries]: the data file, its provenance file and the include list.
void read_countries_section(const TomlSource& src, Scenario& sc, const ValueSites& sites,
                            CountrySources& cs, Diags& diags) {
  const toml::value* sect = src.section("countries");
  if (!sect) return;
  const toml::value* data = nullptr;
  const toml::value* sources = nullptr;
  for (const auto& [name, v] : src.entries(*sect)) {
    const std::string key = "countries." + name;
    if (name == "data" || name == "sources") {
      if (file_name_ok(src, *v, key, diags)) (name == "data" ? data : sources) = v;
    } else if (name == "include") {
      read_include(src, *v, sc, cs, diags);
    } else {
      unknown_key(diags, src.loc(*v), key, name, {"data", "include", "sources"}, "[countries]");
    }
  }
  if (data) {
    cs.csv = read_countries_csv(src.resolve_path(data->as_string().str), src.loc(*data),
                                sites.start_year, sc.files, diags);
    sc.csv_path = cs.csv.path;
    sc.csv_text = cs.csv.text;
  }
  if (!sources) return;
  if (!data)
    diags.add(src.loc(*sources), "countries.sources",
              "sources given without data: allowed only together with countries.data (it "
              "documents its values)");
  else if (cs.csv.ok)
    cs.sources = read_sources_csv(src.resolve_path(sources->as_string().str), src.loc(*sources),
                                  cs.csv, sc.files, diags);
}

void read_inline_countries(const TomlSource& src,
                           const std::map<std::string, std::string>& made_by_set,
                           const ValueSites& sites, CountrySources& cs, Diags& diags) {
  const toml::value* sect = src.section("country");
  if (!sect) return;
  for (const auto& [iso3, v] : src.entries(*sect)) {
    const std::string key = "country." + iso3;
    if (iso3 == kEveryCountry && v->is_table()) {
      cs.every = read_country_table(src, *v, key, false, "[country.*] ", sites.start_year, diags);
      continue;
    }
    if (!is_iso3(iso3)) {
      diags.add(
          src.loc(*v), key,
          "'" + iso3 +
              "' is not an ISO3 code: allowed 3 uppercase letters, e.g. [country.KOR], or "
              "[country.\"*\"] for every country");
      continue;
    }
    if (!v->is_table()) {
      diags.add(src.loc(*v), key,
                "wrong type: " + describe(*v) + " where a table is expected; allowed a table [" +
                    key + "]");
      continue;
    }
    InlineCountry c;
    c.iso3 = iso3;
    c.layer = read_country_table(src, *v, key, true, "", sites.start_year, diags);
    const auto set = made_by_set.find(iso3);
    if (set != made_by_set.end()) {
      c.made_by_set = true;
      c.set_key = set->second;
    }
    cs.inline_index[iso3] = cs.inline_countries.size();
    cs.inline_countries.push_back(std::move(c));
  }
}

// The countries that take part, in order: the include list or every CSV row, then those
// defined only inline. Reports unknown and repeated codes.
std::vector<std::string> country_order(const TomlSource& src, const Scenario& sc,
                                       const CountrySources& cs, Diags& diags) {
  std::vector<std::string> known;
  for (const auto& c : cs.csv.rows) known.push_back(c.iso3);
  for (const auto& c : cs.inline_countries)
    if (!cs.csv.find(c.iso3) && !c.made_by_set) known.push_back(c.iso3);
  const std::string csv_name = sc.csv_path.empty() ? "the scenario" : sc.csv_path;

  for (const auto& c : cs.inline_countries)
    if (c.made_by_set && !cs.csv.find(c.iso3))
      diags.add({kSetFile, 0, 0}, c.set_key,
                "country " + c.iso3 + " is neither in " + csv_name + " nor defined by a [country." +
                    c.iso3 + "] table" + hint(c.iso3, known) + ": allowed countries: " +
                    join(known));

  std::vector<std::string> order;
  std::set<std::string> listed;
  if (cs.include_given) {
    const std::set<std::string> known_set(known.begin(), known.end());
    for (const auto& e : cs.include) {
      if (!known_set.count(e.iso3)) {
        diags.add(e.loc, "countries.include",
                  "unknown country '" + e.iso3 + "'" + hint(e.iso3, known) +
                      ": allowed the iso3 codes of " + csv_name + " and of [country.ISO3] tables");
      } else if (listed.count(e.iso3)) {
        diags.add(e.loc, "countries.include",
                  "'" + e.iso3 + "' is listed twice: allowed each country once");
      } else {
        listed.insert(e.iso3);
        order.push_back(e.iso3);
      }
    }
  } else {
    for (const auto& c : cs.csv.rows) {
      listed.insert(c.iso3);
      order.push_back(c.iso3);
    }
  }
  // Countries defined only inline always take part, after the CSV ones, in file order.
  for (const auto& c : cs.inline_countries)
    if (!cs.csv.find(c.iso3) && !c.made_by_set && listed.insert(c.iso3).second)
      order.push_back(c.iso3);

  if (order.empty() && (!cs.include_given || cs.include.empty()))
    diags.add(cs.include_given ? cs.include_loc : src.section_loc("countries"), "countries",
              "the scenario has no countries: allowed [countries] data = \"FILE.csv\" "
              "(optionally with "
              "include = [...]) and/or [country.ISO3] tables");
  return order;
}

// The highest layer that gives one of a country's entries, or nullptr.
template <class T>
const CountryLayer* highest(const std::vector<const CountryLayer*>& layers, T CountryLayer::*slot) {
  const CountryLayer* chosen = nullptr;
  for (const CountryLayer* l : layers)
    if (l->*slot) chosen = l;
  return chosen;
}

// The entries each layer gave to at least one country: layer -> parameter names.
using LayerUse = std::map<const CountryLayer*, std::set<std::string>>;

// Country i's values by precedence; reports required values no layer gives.
void resolve_country(int i, const std::string& iso3, const CountrySources& cs, Scenario& sc,
                     ValueSites& sites, LayerUse& used, Diags& diags) {
  CountryParams& cp = sc.params.countries;
  const CsvCountry* csv = cs.csv.find(iso3);
  const InlineCountry* inl = cs.find_inline(iso3);
  // Lowest to highest: [defaults], CSV row, [country."*"], [country.ISO3] (which --set edits).
  std::vector<const CountryLayer*> layers = {&cs.defaults};
  if (csv) layers.push_back(&csv->layer);
  layers.push_back(&cs.every);
  if (inl) layers.push_back(&inl->layer);
  // Where a missing value is reported: the CSV row, else the [country.ISO3] header.
  const Loc home = csv ? csv->loc : inl ? inl->layer.loc : Loc{sc.path, 0, 0};
  sites.home["country." + iso3] = home;
  // A broken row or header, or a value given but invalid, is reported already.
  const bool row_unreadable = csv && (csv->broken || cs.csv.header_bad);
  auto reported = [&](const std::string& name) {
    if (row_unreadable) return true;
    for (const CountryLayer* l : layers)
      if (l->bad.count(name)) return true;
    return false;
  };
  const std::string prefix = "country." + iso3 + ".";
  auto where = [&](const std::string& name) {
    std::string w = "give it in [country." + iso3 + "]";
    if (!sc.csv_path.empty() && csv) w += ", in column '" + name + "' of " + sc.csv_path;
    return w + (name == "name" ? "" : ", or in [defaults]");
  };
  auto choose = [&](const std::string& key, const Loc& at, const std::string& origin) {
    sites.at[key] = at;
    sc.origin[key] = origin;
  };

  for (int k = 0; k < kNumCountryParams; ++k) {
    const ParamSpec& s = spec(static_cast<CountryParam>(k));
    const std::string key = prefix + std::string(s.name);
    const CountryLayer* from = nullptr;
    for (const CountryLayer* l : layers)
      if (l->values[k]) from = l;
    const Given* chosen = from ? &*from->values[k] : nullptr;
    if (from) used[from].insert(std::string(s.name));
    cp.values(i, k) = chosen ? chosen->value : s.default_value;
    if (chosen && !chosen->schedule.empty()) {
      // The scalar of a scheduled parameter is its value at start_year.
      cp.values(i, k) = schedule_at(chosen->schedule, start_of(sites, chosen->schedule),
                                    s.kind == ParamKind::integer);
      cp.set_schedule(i, static_cast<CountryParam>(k), chosen->schedule);
    }
    if (chosen)
      choose(key, chosen->loc, chosen->origin);
    else if (const auto g = inherited_global(static_cast<CountryParam>(k))) {
      // A country's export licence defaults to the scenario's global one (and its
      // schedule, when that is scheduled).
      cp.values(i, k) = sc.params.global[*g];
      if (const Schedule* gs = sc.params.global.schedule(*g))
        cp.set_schedule(i, static_cast<CountryParam>(k), *gs);
      cp.inherited[static_cast<std::size_t>(i) * kNumCountryParams + k] = 1;
      sc.origin[key] = std::string(kFromGlobal) + "global." + std::string(spec(*g).name);
    } else if (!s.required())
      sc.origin[key] = kBuiltIn;
    else if (!reported(std::string(s.name)))
      diags.add(home, key,
                "required parameter " + std::string(s.name) + " (" + std::string(s.unit) +
                    ") has no value for " + iso3 + ": " + where(std::string(s.name)) +
                    "; allowed " + s.allowed());
  }
  if (const CountryLayer* from = highest(layers, &CountryLayer::targets)) {
    const GivenTargets* targets = &*from->targets;
    used[from].insert("targets");
    cp.targets[static_cast<std::size_t>(i)] = targets->value;
    choose(prefix + "targets", targets->loc, targets->origin);
  } else if (!reported("targets")) {
    diags.add(home, prefix + "targets",
              "required parameter targets has no value for " + iso3 + ": " + where("targets") +
                  "; allowed a list of [year, MW] milestones, [] for none (e.g. targets = "
                  "[[2030, 1000]]" +
                  (csv ? ", or 2030:1000 in the CSV)" : ")"));
  }
  if (const CountryLayer* from = highest(layers, &CountryLayer::name)) {
    const GivenName* name = &*from->name;
    cp.name[static_cast<std::size_t>(i)] = name->value;
    choose(prefix + "name", name->loc, name->origin);
  } else if (!reported("name")) {
    diags.add(home, prefix + "name",
              "country " + iso3 + " has no name: " + where("name") +
                  "; allowed a non-empty string");
  }
}

// A [defaults] or [country."*"] value that every country takes from a layer above it does
// nothing: `--set defaults.pue=1.2` changed no result because every CSV row gives pue.
void warn_unused(const CountryLayer& layer, const std::string& prefix, const LayerUse& used,
                 const Scenario& sc, std::vector<Diagnostic>& warnings) {
  const auto it = used.find(&layer);
  auto unused = [&](const std::string& name) { return it == used.end() || !it->second.count(name); };
  auto warn = [&](const Loc& at, const std::string& name) {
    const std::string above =
        prefix == "defaults."
            ? "a source that outranks [defaults] (" +
                  (sc.csv_path.empty() ? std::string() : "its row in " + sc.csv_path + ", ") +
                  "[country.\"*\"] or its own [country.ISO3]); to set it for every country, "
                  "write it in [country.\"*\"] or --set 'country.*." + name + "=...'"
            : "its own [country.ISO3] table or --set country.ISO3." + name +
                  ", which outrank [country.\"*\"]";
    warnings.push_back({at.file, at.line, at.column, prefix + name,
                        "no country uses this value: every country takes " + name + " from " +
                            above});
  };
  for (int k = 0; k < kNumCountryParams; ++k) {
    const std::string name(spec(static_cast<CountryParam>(k)).name);
    if (layer.values[k] && unused(name)) warn(layer.values[k]->loc, name);
  }
  if (layer.targets && unused("targets")) warn(layer.targets->loc, "targets");
}

}  // namespace

void resolve_simulation(const TomlSource& src, Scenario& sc, ValueSites& sites, Diags& diags) {
  SimulationSettings& s = sc.params.sim;
  for (const ParamSpec& p : param_specs()) {
    if (p.scope != ParamScope::simulation) continue;
    set_sim(s, p.name, p.default_value);
    sc.origin["simulation." + std::string(p.name)] = kBuiltIn;
  }
  if (const toml::value* sect = src.section("simulation")) {
    for (const auto& [name, v] : src.entries(*sect)) {
      const std::string key = "simulation." + name;
      const ParamSpec* p = find_param(ParamScope::simulation, name);
      if (!p) {
        unknown_key(diags, src.loc(*v), key, name, names_in(ParamScope::simulation),
                    "[simulation]");
        continue;
      }
      const auto x = read_scalar(src, *v, *p, key, diags);
      if (!x) {
        sites.bad.insert(key);
        continue;
      }
      set_sim(s, name, *x);
      sites.at[key] = src.loc(*v);
      sc.origin[key] = origin_of(src.loc(*v));
    }
  }
  sites.home["simulation"] = src.section_loc("simulation");
  if (!sites.bad.count("simulation.start_year")) sites.start_year = s.start_year;
  if (!sites.bad.count("simulation.dt")) sites.dt = s.dt;
}

void resolve_global(const TomlSource& src, Scenario& sc, ValueSites& sites, Diags& diags) {
  GlobalParams& g = sc.params.global;
  g = GlobalParams::defaults();
  GlobalGiven from_csv, from_toml;
  std::optional<std::string> shocks_origin;
  if (const toml::value* sect = src.section("global")) {
    std::vector<std::string> allowed = names_in(ParamScope::global);
    allowed.emplace_back("data");
    for (const auto& [name, v] : src.entries(*sect)) {
      const std::string key = "global." + name;
      if (name == "data") {
        if (file_name_ok(src, *v, key, diags)) {
          sites.global_data = src.resolve_path(v->as_string().str);
          read_global_csv(sites.global_data, src.loc(*v), from_csv, sites.ranges, sc.files,
                          diags);
        }
        continue;
      }
      const ParamSpec* p = find_param(ParamScope::global, name);
      if (!p) {
        unknown_key(diags, src.loc(*v), key, name, allowed, "[global]");
        continue;
      }
      if (p->kind == ParamKind::shocks) {
        if (auto s = read_shocks(src, *v, key, diags)) {
          g.supply_shocks = std::move(*s);
          shocks_origin = origin_of(src.loc(*v));
        }
        continue;
      }
      Schedule points;
      if (auto x = read_scalar(src, *v, *p, key, diags, &points))
        from_toml[p->index] = Given{*x, src.loc(*v), origin_of(src.loc(*v)), std::move(points)};
    }
  }
  sc.origin["global.supply_shocks"] = shocks_origin ? *shocks_origin : kBuiltIn;
  for (int k = 0; k < kNumGlobalParams; ++k) {
    const std::string key = "global." + std::string(spec(static_cast<GlobalParam>(k)).name);
    const auto& given = from_toml[k] ? from_toml[k] : from_csv[k];
    if (given) {
      g.values[k] = given->value;
      if (!given->schedule.empty()) {
        // The scalar of a scheduled parameter is its value at start_year.
        const auto p = static_cast<GlobalParam>(k);
        g.values[k] = schedule_at(given->schedule, start_of(sites, given->schedule),
                                  spec(p).kind == ParamKind::integer);
        g.set_schedule(p, given->schedule);
      }
      sites.at[key] = given->loc;
      sc.origin[key] = given->origin;
    } else {
      sc.origin[key] = kBuiltIn;
    }
  }
}

void resolve_countries(const TomlSource& src, const std::map<std::string, std::string>& made_by_set,
                       Scenario& sc, ValueSites& sites, Diags& diags) {
  CountrySources cs;
  if (const toml::value* sect = src.section("defaults"))
    cs.defaults =
        read_country_table(src, *sect, "defaults", false, "[defaults] ", sites.start_year, diags);
  read_countries_section(src, sc, sites, cs, diags);
  if (cs.sources.ok) {
    sites.country_sources = cs.sources.path;
    for (const auto& [id, range] : cs.sources.ranges) sites.ranges["country." + id] = range;
  }
  read_inline_countries(src, made_by_set, sites, cs, diags);
  // Without the CSV every code would look unknown; its read error says enough.
  if (cs.csv.failed) return;
  const std::vector<std::string> order = country_order(src, sc, cs, diags);
  if (order.empty()) return;

  CountryParams& cp = sc.params.countries;
  cp.iso3 = order;
  cp.name.assign(order.size(), "");
  cp.targets.assign(order.size(), {});
  cp.values.resize(static_cast<int>(order.size()), kNumCountryParams);
  cp.inherited.assign(order.size() * kNumCountryParams, 0);
  LayerUse used;
  for (std::size_t i = 0; i < order.size(); ++i)
    resolve_country(static_cast<int>(i), order[i], cs, sc, sites, used, diags);
  warn_unused(cs.defaults, "defaults.", used, sc, sc.warnings);
  warn_unused(cs.every, "country.*.", used, sc, sc.warnings);
  if (cs.sources.ok) check_provenance_complete(order, cs.csv, cs.sources, diags);
}

}  // namespace sovcap::loader
