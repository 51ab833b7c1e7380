// The text and JSON forms of a DiscoverReport (discover.hpp).

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "sovcap/discover.hpp"
#include "sovcap/text.hpp"

namespace sovcap {
namespace {

std::string fixed(double v, int decimals = 3) {
  if (std::isnan(v)) return "-";
  std::ostringstream os;
  os << std::fixed << std::setprecision(decimals) << v;
  return os.str();
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  std::ostringstream os;
  os << std::setprecision(12) << v;
  return os.str();
}

std::string p_value(double p) {
  if (std::isnan(p)) return "-";
  std::ostringstream os;
  os << std::setprecision(2) << (p < 1e-300 ? 0.0 : p);
  return os.str();
}

std::string percent(double share) { return fixed(100.0 * share, 0) + "%"; }

// A box's limits on input j: "[lo, hi]" or "{a, b}" (text), or the JSON value.
std::string limits(const DiscoverReport& r, const PrimBox& box, std::size_t j, bool json) {
  const auto& in = r.inputs[j];
  std::string out = json ? "[" : (in.categories.empty() ? "[" : "{");
  if (in.categories.empty()) {
    out += json ? json_number(box.lo[j]) + ", " + json_number(box.hi[j]) : format_number(box.lo[j]) + ", " + format_number(box.hi[j]);
  } else {
    bool first = true;
    for (std::size_t k = 0; k < in.categories.size(); ++k) {
      if (!box.kept[j][k]) continue;
      out += (first ? "" : ", ") + in.categories[k];
      first = false;
    }
  }
  return out + (json || in.categories.empty() ? "]" : "}");
}

std::string phase(const PrimStep& s, std::size_t i) { return i == 0 ? "start" : s.pasted ? "paste" : "peel"; }

void render_text(std::ostream& os, const DiscoverReport& r) {
  const auto& q = r.request;
  os << "Scenario discovery (PRIM) in " << r.path << "\n"
     << "cases of interest: " << r.iso3 << " (" << r.name << ") " << r.metric << (q.above ? " above " : " below ")
     << format_number(q.threshold) << (r.units.empty() || r.units == "1" || r.reach ? "" : " " + r.units)
     << (r.reach ? (q.above ? " (never reached counts as above)" : " (never reached is not below)") : "") << "\n"
     << "runs: " << r.runs_used << " used of " << r.runs_in_file << ", "
     << (q.policy.empty() ? "every policy (levers as inputs)" : "policy " + q.policy + (r.levers.empty() ? "" : ": " + r.levers))
     << "; " << r.cases << " cases of interest (" << percent(static_cast<double>(r.cases) / static_cast<double>(r.runs_used))
     << ")\n"
     << "PRIM: peel alpha " << format_number(q.prim.peel_alpha) << ", paste alpha " << format_number(q.prim.paste_alpha)
     << ", minimum mass " << format_number(q.prim.mass_min) << "; suggested box: the highest density with coverage >= "
     << format_number(q.min_coverage) << " of the cases the box starts from\n";
  std::size_t width = 5;
  for (const auto& in : r.inputs) width = std::max(width, in.key.size());
  for (std::size_t b = 0; b < r.boxes.size(); ++b) {
    const auto& box = r.boxes[b];
    const auto& s = box.s;
    os << "\nbox " << b + 1 << ": step " << box.step << " of " << r.trajectories[b].steps.size() - 1
       << (box.suggested ? " (suggested)" : " (--box)") << ": coverage " << fixed(s.coverage) << ", density "
       << fixed(s.density) << ", mass " << fixed(s.mass) << " (" << s.cases << " cases in " << s.points << " runs), "
       << s.restricted.size() << " restricted input" << (s.restricted.size() == 1 ? "" : "s") << "\n";
    if (s.restricted.empty()) continue;
    const bool rec = box.recurrence.resamples > 0;
    os << "  " << std::left << std::setw(static_cast<int>(width)) << "input" << "  " << std::setw(28) << "limits"
       << "  " << std::setw(8) << "quasi-p" << (rec ? "  recurs (coverage / density)" : "") << "\n";
    for (int j : s.restricted) {
      const auto ju = static_cast<std::size_t>(j);
      os << "  " << std::left << std::setw(static_cast<int>(width)) << r.inputs[ju].key << "  " << std::setw(28)
         << limits(r, s.box, ju, false) << "  " << std::setw(8) << p_value(box.quasi_p[ju]);
      if (rec) os << "  " << percent(box.recurrence.at_coverage[ju]) << " / " << percent(box.recurrence.at_density[ju]);
      os << std::right << "\n";
    }
    if (rec) {
      std::string others;
      for (std::size_t j = 0; j < r.inputs.size(); ++j)
        if (std::find(s.restricted.begin(), s.restricted.end(), static_cast<int>(j)) == s.restricted.end() &&
            box.recurrence.at_coverage[j] > 0.0)
          others += (others.empty() ? "" : ", ") + r.inputs[j].key + " " + percent(box.recurrence.at_coverage[j]);
      os << "  recurs: share of " << box.recurrence.resamples << " bootstrap resamples (seed " << box.recurrence.seed
         << ") restricting the input at the step closest in coverage / in density"
         << (others.empty() ? "" : "; also restricted there: " + others) << "\n";
    }
  }
  for (std::size_t b = 0; b < r.trajectories.size(); ++b) {
    os << "\ntrajectory of box " << b + 1 << ":\n  step  phase  coverage  density  mass   restricted\n";
    const auto& steps = r.trajectories[b].steps;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const auto& s = steps[i];
      std::string names;
      for (int j : s.restricted) names += (names.empty() ? "" : ", ") + r.inputs[static_cast<std::size_t>(j)].key;
      os << "  " << std::left << std::setw(4) << i << "  " << std::setw(5) << phase(s, i) << "  " << std::setw(8)
         << fixed(s.coverage) << "  " << std::setw(7) << fixed(s.density) << "  " << std::setw(5) << fixed(s.mass)
         << "  " << s.restricted.size() << (names.empty() ? "" : " (" + names + ")") << std::right << "\n";
    }
  }
}

void render_json(std::ostream& os, const DiscoverReport& r) {
  const auto& q = r.request;
  auto keyed = [&](const std::vector<double>& v, bool only_positive) {
    std::string out = "{";
    for (std::size_t j = 0; j < r.inputs.size(); ++j) {
      if (std::isnan(v[j]) || (only_positive && !(v[j] > 0.0))) continue;
      out += (out.size() > 1 ? ", " : "") + json_string(r.inputs[j].key) + ": " + json_number(v[j]);
    }
    return out + "}";
  };
  os << "{\"file\": " << json_string(r.path) << ", \"country\": " << json_string(r.iso3) << ", \"name\": " << json_string(r.name)
     << ", \"metric\": " << json_string(r.metric) << ", \"units\": " << json_string(r.units)
     << ", \"reach_year\": " << (r.reach ? "true" : "false") << ", \"side\": \"" << (q.above ? "above" : "below")
     << "\", \"threshold\": " << json_number(q.threshold) << ", \"policy\": " << (q.policy.empty() ? "null" : q.policy)
     << ", \"levers\": " << json_string(r.levers) << ", \"runs\": " << r.runs_used << ", \"cases\": " << r.cases
     << ",\n \"options\": {\"peel_alpha\": " << json_number(q.prim.peel_alpha)
     << ", \"paste_alpha\": " << json_number(q.prim.paste_alpha) << ", \"mass_min\": " << json_number(q.prim.mass_min)
     << ", \"min_coverage\": " << json_number(q.min_coverage) << ", \"resamples\": " << q.resamples
     << ", \"seed\": " << q.seed << "},\n \"inputs\": [";
  for (std::size_t j = 0; j < r.inputs.size(); ++j) {
    const auto& in = r.inputs[j];
    os << (j ? ",\n  " : "\n  ") << "{\"key\": " << json_string(in.key) << ", \"variable\": " << json_string(in.variable)
       << ", \"lever\": " << (in.lever ? "true" : "false") << ", \"kind\": \""
       << (in.categories.empty() ? "real" : "categorical") << "\"";
    if (!in.categories.empty()) {
      os << ", \"categories\": [";
      for (std::size_t k = 0; k < in.categories.size(); ++k) os << (k ? ", " : "") << in.categories[k];
      os << "]";
    }
    os << "}";
  }
  os << "],\n \"boxes\": [";
  for (std::size_t b = 0; b < r.boxes.size(); ++b) {
    const auto& box = r.boxes[b];
    const auto& s = box.s;
    os << (b ? ",\n  " : "\n  ") << "{\"box\": " << b << ", \"step\": " << box.step
       << ", \"suggested\": " << (box.suggested ? "true" : "false") << ", \"coverage\": " << json_number(s.coverage)
       << ", \"density\": " << json_number(s.density) << ", \"mass\": " << json_number(s.mass)
       << ", \"points\": " << s.points << ", \"cases\": " << s.cases << ", \"limits\": {";
    for (std::size_t k = 0; k < s.restricted.size(); ++k) {
      const auto j = static_cast<std::size_t>(s.restricted[k]);
      os << (k ? ", " : "") << json_string(r.inputs[j].key) << ": " << limits(r, s.box, j, true);
    }
    os << "}, \"quasi_p\": " << keyed(box.quasi_p, false) << ", \"recurrence\": {\"resamples\": "
       << box.recurrence.resamples << ", \"at_coverage\": " << keyed(box.recurrence.at_coverage, true)
       << ", \"at_density\": " << keyed(box.recurrence.at_density, true) << "}}";
  }
  os << "],\n \"trajectory\": [";
  bool first = true;
  for (std::size_t b = 0; b < r.trajectories.size(); ++b) {
    const auto& steps = r.trajectories[b].steps;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const auto& s = steps[i];
      os << (first ? "\n  " : ",\n  ") << "{\"box\": " << b << ", \"step\": " << i << ", \"phase\": \"" << phase(s, i)
         << "\", \"coverage\": " << json_number(s.coverage) << ", \"density\": " << json_number(s.density)
         << ", \"mass\": " << json_number(s.mass) << ", \"points\": " << s.points << ", \"cases\": " << s.cases
         << ", \"restricted\": [";
      for (std::size_t k = 0; k < s.restricted.size(); ++k)
        os << (k ? ", " : "") << json_string(r.inputs[static_cast<std::size_t>(s.restricted[k])].key);
      os << "]}";
      first = false;
    }
  }
  os << "],\n \"cases_by_run\": " << json_string(r.cases_by_run) << "}\n";
}

}  // namespace

std::string render(const DiscoverReport& report, DiscoverFormat format) {
  std::ostringstream os;
  if (format == DiscoverFormat::text)
    render_text(os, report);
  else
    render_json(os, report);
  return os.str();
}

}  // namespace sovcap
