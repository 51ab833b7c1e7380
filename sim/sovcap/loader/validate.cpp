// The rules. A value's own rule (kind and range) is its row in the parameter registry
// (params.hpp); the readers of each source apply it through range_problem. The rules
// that relate parameters are the registry's param_rules(), checked here by one loop on
// the resolved values and reported where the values involved were given.

#include <cmath>

#include "sovcap/loader/loader.hpp"

namespace sovcap::loader {

std::string range_problem(std::string_view name, const std::string& shown, const ParamSpec& s,
                          bool with_unit) {
  return std::string(name) + " = " + shown + " is out of range: allowed " + s.allowed() +
         (with_unit && !s.unit.empty() ? " (" + std::string(s.unit) + ")" : "");
}

bool check_targets(const std::vector<Target>& targets, const std::vector<Loc>& at,
                   const std::vector<std::size_t>& index, const std::string& key,
                   std::optional<double> start_year, Diags& diags) {
  const ParamSpec& s = *find_param(ParamScope::country, "targets");
  bool ok = true;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const std::string k = key + "[" + std::to_string(index[i]) + "]";
    const Target& t = targets[i];
    if (!std::isfinite(t.year)) {
      diags.add(at[i], k,
                "year " + fmt(t.year) +
                    " is not a finite number: allowed a decimal year after start_year");
      ok = false;
      continue;
    }
    if (!std::isfinite(t.mw) || !s.in_range(t.mw)) {
      diags.add(at[i], k,
                "MW = " + fmt(t.mw) + " is out of range: allowed " + s.allowed() +
                    " MW of IT capacity");
      ok = false;
    }
    if (start_year && !(t.year > *start_year)) {
      diags.add(at[i], k,
                "year " + fmt(t.year) + " is not after start_year = " + fmt(*start_year) +
                    ": allowed target years after start_year (the path starts at it_mw then)");
      ok = false;
    }
    if (i > 0 && std::isfinite(targets[i - 1].year) && !(t.year > targets[i - 1].year)) {
      diags.add(at[i], k,
                "year " + fmt(t.year) + " is not after the previous target's year " +
                    fmt(targets[i - 1].year) + ": allowed target years strictly increasing");
      ok = false;
    }
  }
  return ok;
}

namespace {

bool is_country_key(std::string_view key) { return key.rfind("country.", 0) == 0; }

// "country.pue" for country `iso3` -> "country.KOR.pue"; other keys as they are.
std::string site_key(std::string_view key, const std::string& iso3) {
  if (!is_country_key(key)) return std::string(key);
  return "country." + iso3 + "." + std::string(key.substr(8));
}

// Checks the rules of one scope: the global ones (iso3 empty) or one country's.
void check_scope(const Scenario& sc, const ValueSites& sites, int country, Diags& diags) {
  const std::string iso3 =
      country < 0 ? "" : sc.params.countries.iso3[static_cast<std::size_t>(country)];
  auto given = [&](std::string_view key) { return sites.at.count(site_key(key, iso3)) > 0; };
  const RuleValues values{sc.params, country, given};
  std::set<std::string_view> broken;  // rules that do not hold here
  for (const ParamRule& rule : param_rules()) {
    if (is_country_key(rule.key) != (country >= 0)) continue;
    bool skip = !rule.after.empty() && broken.count(rule.after);
    for (std::string_view need : rule.needs) skip = skip || sites.bad.count(std::string(need));
    if (skip) {
      broken.insert(rule.name);
      continue;
    }
    const std::string problem = rule.check(values);
    if (problem.empty()) continue;
    broken.insert(rule.name);
    // Where the first of rule.at that was given stands, else the home of the last one.
    std::optional<Loc> where;
    for (std::string_view k : rule.at) {
      const auto it = sites.at.find(site_key(k, iso3));
      if (it != sites.at.end()) {
        where = it->second;
        break;
      }
    }
    if (!where) {
      const std::string home = is_country_key(rule.at.back()) ? "country." + iso3 : "simulation";
      where = sites.home.at(home);
    }
    diags.add(*where, site_key(rule.key, iso3), problem);
  }
}

}  // namespace

void check_rules(const Scenario& sc, const ValueSites& sites, Diags& diags) {
  check_scope(sc, sites, -1, diags);
  for (int i = 0; i < sc.params.countries.size(); ++i) check_scope(sc, sites, i, diags);
}

}  // namespace sovcap::loader
