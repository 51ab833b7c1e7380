#include "sovcap/describe.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "sovcap/text.hpp"

namespace sovcap {
namespace {

std::string default_text(const ParamSpec& s) {
  if (s.kind == ParamKind::shocks) return "[]";
  if (s.required()) return "required";
  if (s.kind == ParamKind::choice) return std::string(s.choices[static_cast<std::size_t>(s.default_value)]);
  return format_number(s.default_value);
}

std::string allowed_text(const ParamSpec& s) {
  if (s.kind == ParamKind::targets) return "years increasing, after start_year; MW >= 0";
  if (s.kind == ParamKind::shocks) return "start < end, factor >= 0";
  return s.allowed();
}

}  // namespace

std::string parameter_listing(bool markdown) {
  std::ostringstream os;
  if (markdown) {
    os << "| scope | name | unit | default | allowed | meaning |\n|---|---|---|---|---|---|\n";
    for (const auto& s : param_specs())
      os << "| " << scope_name(s.scope) << " | `" << s.name << "` | " << s.unit << " | "
         << default_text(s) << " | " << allowed_text(s) << " | " << s.meaning << " |\n";
    return os.str();
  }
  // Columns as wide as their longest entry, plus a gap: aligned, and never run together.
  std::size_t name_w = 0, unit_w = 0, default_w = 0;
  for (const auto& s : param_specs()) {
    name_w = std::max(name_w, s.name.size() + 2);
    unit_w = std::max(unit_w, s.unit.size() + 2);
    default_w = std::max(default_w, default_text(s).size() + 2);
  }
  ParamScope scope = ParamScope::country;
  bool first = true;
  for (const auto& s : param_specs()) {
    if (first || s.scope != scope) {
      scope = s.scope;
      os << (first ? "" : "\n") << "[" << scope_name(scope)
         << (scope == ParamScope::country ? ".ISO3] (or [defaults], or CSV columns)" : "]") << "\n";
      first = false;
    }
    os << "  " << std::left << std::setw(static_cast<int>(name_w)) << s.name
       << std::setw(static_cast<int>(unit_w)) << s.unit << "default "
       << std::setw(static_cast<int>(default_w)) << default_text(s) << allowed_text(s) << "\n      "
       << s.meaning << "\n";
  }
  return os.str();
}

std::string describe_scenario(const Scenario& sc) {
  const auto& p = sc.params;
  auto origin = [&](const std::string& key) {
    auto it = sc.origin.find(key);
    return it == sc.origin.end() ? std::string() : "  (" + it->second + ")";
  };
  std::ostringstream os;
  os << "scenario " << sc.path << ": OK, " << p.countries.size() << " countries, " << p.sim.steps()
     << " steps\n\n[simulation]\n";
  os << "  start_year = " << format_number(p.sim.start_year) << origin("simulation.start_year") << "\n"
     << "  end_year = " << format_number(p.sim.end_year) << origin("simulation.end_year") << "\n"
     << "  dt = " << format_number(p.sim.dt) << origin("simulation.dt") << "\n"
     << "  seed = " << p.sim.seed << origin("simulation.seed") << "\n\n[global]\n";
  for (int k = 0; k < kNumGlobalParams; ++k) {
    const auto& s = spec(static_cast<GlobalParam>(k));
    os << "  " << s.name << " = ";
    if (s.kind == ParamKind::choice)
      os << s.choices[static_cast<std::size_t>(p.global.values[k])];
    else
      os << format_number(p.global.values[k]) << " " << s.unit;
    os << origin("global." + std::string(s.name)) << "\n";
  }
  os << "  supply_shocks = [";
  for (std::size_t i = 0; i < p.global.supply_shocks.size(); ++i) {
    const auto& s = p.global.supply_shocks[i];
    os << (i ? ", " : "") << "{start=" << format_number(s.start) << ", end=" << format_number(s.end)
       << ", factor=" << format_number(s.factor) << "}";
  }
  os << "]" << origin("global.supply_shocks") << "\n";
  for (int i = 0; i < p.countries.size(); ++i) {
    const std::string code = p.countries.iso3[i];
    os << "\n[country." << code << "] " << p.countries.name[i] << "\n";
    for (int k = 0; k < kNumCountryParams; ++k) {
      const auto& s = spec(static_cast<CountryParam>(k));
      os << "  " << s.name << " = " << format_number(p.countries.values(i, k)) << " " << s.unit
         << origin("country." + code + "." + std::string(s.name)) << "\n";
    }
    os << "  targets = [";
    const auto& tg = p.countries.targets[i];
    for (std::size_t j = 0; j < tg.size(); ++j)
      os << (j ? ", " : "") << "[" << format_number(tg[j].year) << ", " << format_number(tg[j].mw) << "]";
    os << "]" << origin("country." + code + ".targets") << "\n";
  }
  return os.str();
}

}  // namespace sovcap
