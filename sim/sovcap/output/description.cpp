#include <algorithm>
#include <sstream>

#include "sovcap/output/detail.hpp"

namespace sovcap::outfile {
namespace {

std::string shorten(std::string s) {
  constexpr std::size_t kMax = 160;
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  return s;
}

}  // namespace

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t from = 0;
  while (true) {
    const auto at = text.find(sep, from);
    out.push_back(text.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) break;
    from = at + 1;
  }
  return out;
}

std::string number_text(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

Described describe(hid_t f, const std::string& path) {
  auto text = [&](const char* name, const std::string& otherwise = "") {
    return h5::has_attribute(f, name) ? h5::read_string_attribute(f, name) : otherwise;
  };
  auto integer = [&](const char* name, long long otherwise) -> long long {
    if (!h5::has_attribute(f, name)) return otherwise;
    const auto v = h5::read_attribute<std::int64_t>(f, name);
    return v.empty() ? otherwise : static_cast<long long>(v[0]);
  };
  if (text("file_type") != "sovcap-results")
    throw OutputError(path + ": not a sovcap results file (no file_type = \"sovcap-results\")");
  Described d;
  d.format_version = text("format_version");
  d.sovcap_version = text("sovcap_version");
  d.git_revision = text("git_revision");
  d.master = h5::has_attribute(f, "shards");
  auto& m = d.meta;
  m.command_line = text("command_line");
  m.scenario_path = text("scenario_path");
  m.scenario_text = text("scenario_text");
  m.csv_path = text("csv_path");
  m.csv_text = text("csv_text");
  m.overrides = split(text("overrides"), '\n');
  if (h5::has_attribute(f, "seed")) {
    const auto seed = h5::read_attribute<std::uint64_t>(f, "seed");
    if (!seed.empty()) m.seed = seed[0];
  }
  for (std::size_t i = 0;; ++i) {
    const std::string stem = "data_file_" + std::to_string(i);
    if (!h5::has_attribute(f, stem + "_path")) break;
    m.files.emplace_back(h5::read_string_attribute(f, stem + "_path"),
                         text((stem + "_text").c_str()));
  }

  auto& l = d.layout;
  l.iso3 = h5::read_strings(h5::open_dataset(f, "country").get());
  l.names = h5::read_strings(h5::open_dataset(f, "country_name").get());
  const auto time = h5::read_all<double>(h5::open_dataset(f, "time").get());
  l.steps = static_cast<int>(time.size()) - 1;
  l.start_year = h5::has_attribute(f, "start_year") ? h5::read_attribute<double>(f, "start_year").at(0)
                                                    : time.at(0);
  l.dt = h5::has_attribute(f, "dt") ? h5::read_attribute<double>(f, "dt").at(0) : 0.0;
  l.runs = static_cast<long long>(h5::shape(h5::open_dataset(f, "run").get()).at(0));
  l.first_run = integer("first_run", 0);
  l.total_runs = integer("total_runs", l.runs);
  l.max_targets = h5::exists(f, "target")
                      ? static_cast<int>(h5::shape(h5::open_dataset(f, "target").get()).at(0))
                      : 0;
  l.max_shocks = h5::exists(f, "shock")
                     ? static_cast<int>(h5::shape(h5::open_dataset(f, "shock").get()).at(0))
                     : 0;
  l.scheduled = split(text("scheduled_parameters"), ' ');
  l.max_schedule_points =
      h5::exists(f, "schedule_point")
          ? static_cast<int>(h5::shape(h5::open_dataset(f, "schedule_point").get()).at(0))
          : 0;
  const std::string store = text("store", "full");
  if (store != "full" && store != "summary")
    throw OutputError(path + ": unknown store mode '" + store + "'");
  l.store = store == "full" ? StoreMode::full : StoreMode::summary;
  for (const auto& name : split(text("kept_series"), ' ')) {
    if (name == kHeldBackInfo.name) {
      l.keep_held_back = true;
      continue;
    }
    bool found = false;
    for (int s = 0; s < kNumCountrySeries && !found; ++s)
      if (info(static_cast<CountrySeries>(s)).name == name) {
        l.keep.push_back(static_cast<CountrySeries>(s));
        found = true;
      }
    if (!found) throw OutputError(path + ": kept series '" + name + "' is not a known series");
  }
  auto& sw = l.sweep;
  sw.method = text("sweep_method");
  sw.samples = integer("sweep_samples", 1);
  sw.policies = static_cast<int>(integer("sweep_policies", 1));
  sw.samples_per_policy = integer("sweep_samples_per_policy", 1);
  sw.lever_keys = split(text("lever_keys"), ' ');
  for (const auto& key : sw.lever_keys) {
    h5::Handle v = h5::open_dataset(f, "lever." + key);
    sw.lever_values.push_back(h5::read_string_list_attribute(v.get(), "values"));
    sw.lever_numeric.push_back(h5::has_attribute(v.get(), "numeric_values")
                                   ? h5::read_attribute<double>(v.get(), "numeric_values")
                                   : std::vector<double>{});
  }
  sw.uncertain_keys = split(text("uncertain_keys"), ' ');
  for (const auto& key : sw.uncertain_keys) {
    h5::Handle v = h5::open_dataset(f, "sampled." + key);
    const bool multiply = h5::has_attribute(v.get(), "multiply") &&
                          h5::read_attribute<std::int8_t>(v.get(), "multiply").at(0) != 0;
    sw.uncertain_multiply.push_back(multiply);
  }
  l = normalise(l);
  return d;
}

std::optional<Difference> first_difference(const Described& a, const Described& b, bool position,
                                           bool build) {
  auto values = [](const std::string& what, const std::string& x, const std::string& y)
      -> std::optional<Difference> {
    if (x == y) return std::nullopt;
    return Difference{what, shorten(x.empty() ? "\"\"" : x), shorten(y.empty() ? "\"\"" : y)};
  };
  auto texts = [](const std::string& what, const std::string& x,
                  const std::string& y) -> std::optional<Difference> {
    if (x == y) return std::nullopt;
    return Difference{what, "", ""};
  };
  auto num = [](double x) { return number_text(x); };
  auto numbers = [&](const std::vector<double>& v) {
    std::vector<std::string> t;
    for (double x : v) t.push_back(num(x));
    return join(t, " ");
  };
  auto series_list = [](const std::vector<CountrySeries>& v) {
    std::vector<std::string> t;
    for (auto s : v) t.push_back(series_name(s));
    return t.empty() ? std::string("(none)") : join(t, " ");
  };
  std::optional<Difference> d;
  const auto& la = a.layout;
  const auto& lb = b.layout;
  const auto& ma = a.meta;
  const auto& mb = b.meta;
  if ((d = values("format_version", a.format_version, b.format_version))) return d;
  if (build) {
    if ((d = values("sovcap_version", a.sovcap_version, b.sovcap_version))) return d;
    if ((d = values("git_revision", a.git_revision, b.git_revision))) return d;
  }
  if ((d = texts("the scenario text (scenario_text)", ma.scenario_text, mb.scenario_text))) return d;
  if ((d = texts("the country data (csv_text)", ma.csv_text, mb.csv_text))) return d;
  if ((d = values("the number of data files", std::to_string(ma.files.size()),
                  std::to_string(mb.files.size()))))
    return d;
  for (std::size_t i = 0; i < ma.files.size(); ++i)
    if ((d = texts("data file " + std::to_string(i) + " (" + ma.files[i].first + ")",
                   ma.files[i].second, mb.files[i].second)))
      return d;
  if ((d = values("overrides", join(ma.overrides, ", "), join(mb.overrides, ", ")))) return d;
  if ((d = values("seed", std::to_string(ma.seed), std::to_string(mb.seed)))) return d;
  if ((d = values("countries", join(la.iso3, " "), join(lb.iso3, " ")))) return d;
  if ((d = values("country names", join(la.names, ", "), join(lb.names, ", ")))) return d;
  if ((d = values("time axis (start_year, dt, steps)",
                  num(la.start_year) + ", " + num(la.dt) + ", " + std::to_string(la.steps),
                  num(lb.start_year) + ", " + num(lb.dt) + ", " + std::to_string(lb.steps))))
    return d;
  if ((d = values("total_runs", std::to_string(la.total_runs), std::to_string(lb.total_runs))))
    return d;
  if (position) {
    auto range = [](const OutputLayout& l) {
      return std::to_string(l.first_run) + ".." + std::to_string(l.first_run + l.runs - 1);
    };
    if ((d = values("runs held (first_run..last)", range(la), range(lb)))) return d;
  }
  if ((d = values("target dimension", std::to_string(la.max_targets), std::to_string(lb.max_targets))))
    return d;
  if ((d = values("shock dimension", std::to_string(la.max_shocks), std::to_string(lb.max_shocks))))
    return d;
  if ((d = values("scheduled parameters", join(la.scheduled, " "), join(lb.scheduled, " "))))
    return d;
  if ((d = values("schedule_point dimension", std::to_string(la.max_schedule_points),
                  std::to_string(lb.max_schedule_points))))
    return d;
  if ((d = values("store mode", store_name(la.store), store_name(lb.store)))) return d;
  if ((d = values("kept series", series_list(la.keep) + (la.keep_held_back ? " held_back_mw" : ""),
                  series_list(lb.keep) + (lb.keep_held_back ? " held_back_mw" : ""))))
    return d;
  const auto& sa = la.sweep;
  const auto& sb = lb.sweep;
  if ((d = values("sweep method", sa.method, sb.method))) return d;
  if ((d = values("sweep samples", std::to_string(sa.samples), std::to_string(sb.samples)))) return d;
  if ((d = values("sweep policies", std::to_string(sa.policies), std::to_string(sb.policies)))) return d;
  if ((d = values("samples per policy", std::to_string(sa.samples_per_policy),
                  std::to_string(sb.samples_per_policy))))
    return d;
  if ((d = values("lever keys", join(sa.lever_keys, " "), join(sb.lever_keys, " ")))) return d;
  for (std::size_t k = 0; k < sa.lever_keys.size(); ++k) {
    if ((d = values("values of lever " + sa.lever_keys[k], join(sa.lever_values[k], " | "),
                    join(sb.lever_values[k], " | "))))
      return d;
    if ((d = values("numeric values of lever " + sa.lever_keys[k], numbers(sa.lever_numeric[k]),
                    numbers(sb.lever_numeric[k]))))
      return d;
  }
  if ((d = values("uncertain keys", join(sa.uncertain_keys, " "), join(sb.uncertain_keys, " "))))
    return d;
  for (std::size_t k = 0; k < sa.uncertain_keys.size(); ++k)
    if ((d = values("multiply flag of " + sa.uncertain_keys[k],
                    sa.uncertain_multiply[k] ? "multiply" : "replace",
                    sb.uncertain_multiply[k] ? "multiply" : "replace")))
      return d;
  return std::nullopt;
}

std::string explain(const Difference& d, const std::string& la, const std::string& lb) {
  if (d.a.empty() && d.b.empty()) return d.what + " differs";
  return d.what + " differs (" + la + ": " + d.a + "; " + lb + ": " + d.b + ")";
}


}  // namespace sovcap::outfile
