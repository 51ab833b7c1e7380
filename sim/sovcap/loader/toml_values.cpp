// One parameter's value read from the TOML tree: its kind (number, integer, name, list of
// milestones or shocks) and the registry's range, reported where the value stands.

#include <cmath>
#include <cstdint>

#include "sovcap/loader/loader.hpp"

namespace sovcap::loader {

namespace {

// One schedule value: of the parameter's kind and in its range.
std::optional<double> point_value(const TomlSource& src, const toml::value& v, const ParamSpec& s,
                                  const std::string& key, Diags& diags) {
  const bool integer = s.kind == ParamKind::integer;
  if (integer ? !v.is_integer() : !is_number(v)) {
    diags.add(src.loc(v), key,
              "wrong type: " + describe(v) + " where " + (integer ? "an integer" : "a number") +
                  " is expected (the value of a schedule point); allowed " + s.allowed());
    return std::nullopt;
  }
  const double x = number(v);
  if (!s.in_range(x)) {
    diags.add(src.loc(v), key,
              range_problem(s.name, v.is_integer() ? std::to_string(v.as_integer()) : fmt(x), s,
                            true));
    return std::nullopt;
  }
  return x;
}

}  // namespace

std::optional<Schedule> read_schedule(const TomlSource& src, const toml::value& v,
                                      const ParamSpec& s, const std::string& key, Diags& diags) {
  const std::string form = std::string("allowed ") + kScheduleForm + ", each value " + s.allowed();
  if (!v.is_array() || v.as_array().empty()) {
    diags.add(src.loc(v), key,
              (v.is_array() ? std::string("an empty schedule") : "wrong type: " + describe(v)) +
                  "; " + form);
    return std::nullopt;
  }
  Schedule out;
  bool ok = true;
  const auto& arr = v.as_array();
  std::optional<double> last_year;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const auto& p = arr[i];
    const std::string k = key + "[" + std::to_string(i) + "]";
    if (!p.is_array() || p.as_array().size() != 2 || !is_number(p.as_array()[0])) {
      const std::string what =
          p.is_array() ? "an array of " + std::to_string(p.as_array().size()) + " items" +
                             (p.as_array().size() == 2 ? " whose year is not a number" : "")
                       : describe(p);
      diags.add(src.loc(p), k, "wrong type: " + what + " where a [year, value] pair is expected; " + form);
      ok = false;
      continue;
    }
    const double year = number(p.as_array()[0]);
    if (!std::isfinite(year) || year < 1900.0 || year > 2300.0) {
      diags.add(src.loc(p.as_array()[0]), k,
                "year " + fmt(year) + " is out of range: allowed a decimal year in [1900, 2300]");
      ok = false;
      continue;
    }
    if (last_year && !(year > *last_year)) {
      diags.add(src.loc(p.as_array()[0]), k,
                "year " + fmt(year) + " is not after the year before it, " + fmt(*last_year) +
                    ": allowed increasing years");
      ok = false;
    }
    last_year = year;
    const auto x = point_value(src, p.as_array()[1], s, k, diags);
    if (!x) {
      ok = false;
      continue;
    }
    out.push_back({year, *x});
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<double> read_scalar(const TomlSource& src, const toml::value& v, const ParamSpec& s,
                                  const std::string& key, Diags& diags, Schedule* schedule) {
  const Loc at = src.loc(v);
  const std::string allowed = "allowed " + s.allowed();
  if (v.is_array() && s.kind != ParamKind::choice) {
    if (!schedule || !s.schedulable) {
      diags.add(at, key,
                "wrong type: a schedule (an array) where only a number is allowed: " +
                    std::string(s.name) +
                    " describes the start or the model's structure and does not change over "
                    "time; " + allowed);
      return std::nullopt;
    }
    auto points = read_schedule(src, v, s, key, diags);
    if (!points) return std::nullopt;
    *schedule = std::move(*points);
    return schedule->front().value;
  }
  if (s.kind == ParamKind::choice) {
    if (!v.is_string()) {
      diags.add(at, key, "wrong type: " + describe(v) + " where a name is expected; " + allowed);
      return std::nullopt;
    }
    const std::string& name = v.as_string().str;
    for (std::size_t i = 0; i < s.choices.size(); ++i)
      if (s.choices[i] == name) return static_cast<double>(i);
    std::vector<std::string> choices(s.choices.begin(), s.choices.end());
    diags.add(at, key,
              "unknown value \"" + name + "\"" + hint(name, choices, "\"", "\"") + ": " + allowed);
    return std::nullopt;
  }
  if (s.kind == ParamKind::integer ? !v.is_integer() : !is_number(v)) {
    diags.add(at, key,
              "wrong type: " + describe(v) + " where " +
                  (s.kind == ParamKind::integer ? "an integer" : "a number") + " is expected; " +
                  allowed);
    return std::nullopt;
  }
  const double x = number(v);
  // Past 2^53 a double no longer holds every integer: 2^53 + 1 would pass as 2^53.
  const bool exact = !v.is_integer() || (v.as_integer() <= (std::int64_t{1} << 53) &&
                                         v.as_integer() >= -(std::int64_t{1} << 53));
  if (!exact || !s.in_range(x)) {
    diags.add(at, key,
              range_problem(s.name, v.is_integer() ? std::to_string(v.as_integer()) : fmt(x), s,
                            true));
    return std::nullopt;
  }
  return x;
}

std::optional<std::vector<Target>> read_targets(const TomlSource& src, const toml::value& v,
                                                const std::string& key,
                                                std::optional<double> start_year, Diags& diags) {
  const char* form =
      "allowed an array of [year, MW] pairs, e.g. [[2028, 200], [2032, 1000]], or []";
  if (!v.is_array()) {
    diags.add(src.loc(v), key, "wrong type: " + describe(v) + "; " + form);
    return std::nullopt;
  }
  std::vector<Target> out;
  std::vector<Loc> locs;
  std::vector<std::size_t> index;
  bool ok = true;
  const auto& arr = v.as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const auto& p = arr[i];
    if (!p.is_array() || p.as_array().size() != 2 || !is_number(p.as_array()[0]) ||
        !is_number(p.as_array()[1])) {
      std::string what = p.is_array()
                             ? "an array of " + std::to_string(p.as_array().size()) + " items"
                             : describe(p);
      if (p.is_array() && p.as_array().size() == 2)
        what = "an array of two items that are not both numbers";
      diags.add(src.loc(p), key + "[" + std::to_string(i) + "]",
                "wrong type: " + what + " where a [year, MW] pair of numbers is expected; " + form);
      ok = false;
      continue;
    }
    out.push_back({number(p.as_array()[0]), number(p.as_array()[1])});
    locs.push_back(src.loc(p));
    index.push_back(i);
  }
  if (!check_targets(out, locs, index, key, start_year, diags) || !ok) return std::nullopt;
  return out;
}

namespace {

constexpr const char* kShockForm =
    "allowed an array of tables {start = YEAR, end = YEAR, factor = NUMBER >= 0}, "
    "e.g. [{start = 2028.0, end = 2029.0, factor = 0.5}]";

// One {start, end, factor} table; `k` is its key. Reports and returns nullopt if invalid.
std::optional<SupplyShock> read_shock(const TomlSource& src, const toml::value& sv,
                                      const std::string& k, Diags& diags) {
  bool ok = true;
  std::optional<double> start, end, factor;
  for (const auto& [name, field] : src.entries(sv)) {
    const std::string fk = k + "." + name;
    std::optional<double>* slot = name == "start"    ? &start
                                  : name == "end"    ? &end
                                  : name == "factor" ? &factor
                                                     : nullptr;
    if (!slot) {
      unknown_key(diags, src.loc(*field), fk, name, {"start", "end", "factor"}, "a supply shock");
      ok = false;
      continue;
    }
    if (!is_number(*field)) {
      diags.add(src.loc(*field), fk,
                "wrong type: " + describe(*field) + " where a number is expected; " + kShockForm);
      ok = false;
      continue;
    }
    const double x = number(*field);
    if (!std::isfinite(x) || (name == "factor" && x < 0.0)) {
      diags.add(src.loc(*field), fk,
                name + " = " + fmt(x) + " is out of range: allowed " +
                    (name == "factor" ? "a finite number >= 0" : "a finite decimal year"));
      ok = false;
      continue;
    }
    *slot = x;
  }
  for (const auto& [name, slot] : {std::pair<const char*, std::optional<double>*>{"start", &start},
                                   {"end", &end},
                                   {"factor", &factor}}) {
    if (!slot->has_value() && !sv.as_table().count(name)) {
      diags.add(src.loc(sv), k, std::string("missing '") + name + "': " + kShockForm);
      ok = false;
    }
  }
  if (start && end && !(*start < *end)) {
    diags.add(src.loc(sv.as_table().at("start")), k + ".start",
              "start = " + fmt(*start) + " is not before end = " + fmt(*end) +
                  ": allowed start < end (the shock covers [start, end))");
    ok = false;
  }
  if (!ok || !start || !end || !factor) return std::nullopt;
  return SupplyShock{*start, *end, *factor};
}

}  // namespace

std::optional<std::vector<SupplyShock>> read_shocks(const TomlSource& src, const toml::value& v,
                                                    const std::string& key, Diags& diags) {
  if (!v.is_array()) {
    diags.add(src.loc(v), key, "wrong type: " + describe(v) + "; " + kShockForm);
    return std::nullopt;
  }
  std::vector<SupplyShock> out;
  bool ok = true;
  const auto& arr = v.as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const auto& sv = arr[i];
    const std::string k = key + "[" + std::to_string(i) + "]";
    if (!sv.is_table()) {
      diags.add(src.loc(sv), k,
                "wrong type: " + describe(sv) + " where a table is expected; " + kShockForm);
      ok = false;
      continue;
    }
    if (auto shock = read_shock(src, sv, k, diags))
      out.push_back(*shock);
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

CountryLayer read_country_table(const TomlSource& src, const toml::value& t,
                                const std::string& prefix, bool allow_name,
                                const std::string& origin_prefix,
                                std::optional<double> start_year, Diags& diags) {
  CountryLayer layer;
  layer.loc = src.loc(t);
  std::vector<std::string> allowed = names_in(ParamScope::country);
  if (allow_name) allowed.insert(allowed.begin(), "name");
  for (const auto& [name, v] : src.entries(t)) {
    const std::string key = prefix + "." + name;
    const Loc at = src.loc(*v);
    const std::string origin = origin_prefix + origin_of(at);
    if (allow_name && name == "name") {
      if (!v->is_string() || v->as_string().str.empty()) {
        diags.add(
            at, key,
            "wrong type: " + describe(*v) + "; allowed a non-empty string (the country's name)");
        layer.bad.insert(name);
      } else if (const std::string problem = control_char_problem(v->as_string().str);
                 !problem.empty()) {
        diags.add(at, key, "the name " + problem);
        layer.bad.insert(name);
      } else {
        layer.name = GivenName{v->as_string().str, at, origin};
      }
      continue;
    }
    const ParamSpec* p = find_param(ParamScope::country, name);
    if (!p) {
      unknown_key(diags, at, key, name, allowed, "[" + prefix + "]");
      continue;
    }
    if (p->kind == ParamKind::targets) {
      if (auto tg = read_targets(src, *v, key, start_year, diags))
        layer.targets = GivenTargets{std::move(*tg), at, origin};
      else
        layer.bad.insert(name);
      continue;
    }
    Schedule points;
    if (auto x = read_scalar(src, *v, *p, key, diags, &points))
      layer.values[p->index] = Given{*x, at, origin, std::move(points)};
    else
      layer.bad.insert(name);
  }
  return layer;
}

}  // namespace sovcap::loader
