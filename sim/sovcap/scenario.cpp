#include "sovcap/scenario.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <toml.hpp>
#include <utility>

#include "sovcap/csv.hpp"

namespace sovcap {

std::string format_diagnostic(const Diagnostic& d) {
  std::string s = d.file;
  if (!s.empty() && d.line > 0) {
    s += ':' + std::to_string(d.line);
    if (d.column > 0) s += ':' + std::to_string(d.column);
  }
  if (!s.empty()) s += ": ";
  if (!d.key.empty()) s += d.key + ": ";
  return s + d.message;
}

namespace {

// The dot-separated parts of a key like country.KOR.pue; empty when any part is empty
// (a malformed key).
std::vector<std::string> key_parts(const std::string& key) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream ks(key);
  while (std::getline(ks, part, '.')) parts.push_back(part);
  if (!key.empty() && key.back() == '.') parts.emplace_back();
  for (const auto& p : parts)
    if (p.empty()) return {};
  return parts;
}

std::string join_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string s;
  for (const auto& d : diagnostics) {
    if (!s.empty()) s += '\n';
    s += format_diagnostic(d);
  }
  return s.empty() ? "invalid input" : s;
}

}  // namespace

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_diagnostics(diagnostics)), diagnostics_(std::move(diagnostics)) {}

namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return r;
}

// Optimal string alignment distance: a swapped pair of letters counts as one typo.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

}  // namespace

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string w = lower(word);
  if (w.empty()) return "";
  // More typos are plausible in longer words; two letters with one wrong is still a typo.
  const std::size_t limit = w.size() <= 3 ? 1 : w.size() <= 6 ? 2 : 3;
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    const std::size_t dist = edit_distance(w, lower(c));
    if (dist < best_distance) {
      best = c;
      best_distance = dist;
    }
  }
  if (!best.empty()) return best;
  // A truncated name ("vendor" for "vendor_supply") is a typo too; prefer the shortest.
  if (w.size() >= 4)
    for (const auto& c : candidates)
      if (lower(c).compare(0, w.size(), w) == 0 && (best.empty() || c.size() < best.size()))
        best = c;
  return best;
}

namespace {

constexpr const char* kSetFile = "--set";
constexpr const char* kBuiltIn = "built-in default";
// Far beyond any sensible run (a daily step over a century is ~36500); it stops a typo in
// dt from allocating gigabytes of output.
constexpr long long kMaxSteps = 100000;
// Past this many, more diagnostics help nobody: the input is probably the wrong file.
constexpr std::size_t kMaxDiagnostics = 200;

const std::vector<std::string> kBases = {"reported", "derived", "assumption"};
const std::vector<std::string> kGlobalCsvColumns = {"parameter", "value",  "basis", "low",
                                                    "high",      "source", "note"};
const std::vector<std::string> kSourcesCsvColumns = {"iso3", "parameter", "basis", "low",
                                                     "high", "source",    "note"};

// Where something stands in the input.
struct Loc {
  std::string file;
  int line = 0;
  int column = 0;
};

std::string fmt(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string join(const std::vector<std::string>& items, const std::string& quote = "") {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) s += ", ";
    s += quote + items[i] + quote;
  }
  return s;
}

bool is_iso3(std::string_view s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// " (did you mean 'x'?)" when one of `candidates` is a plausible typo of `word`, else "".
std::string hint(const std::string& word, const std::vector<std::string>& candidates,
                 const std::string& open = "'", const std::string& close = "'") {
  const std::string guess = did_you_mean(word, candidates);
  return guess.empty() ? "" : " (did you mean " + open + guess + close + "?)";
}

std::string describe(const toml::value& v) {
  switch (v.type()) {
    case toml::value_t::boolean:
      return std::string("a boolean (") + (v.as_boolean() ? "true" : "false") + ")";
    case toml::value_t::integer:
      return "an integer (" + std::to_string(v.as_integer()) + ")";
    case toml::value_t::floating: {
      std::string f = fmt(v.as_floating());
      if (f.find_first_of(".eni") == std::string::npos) f += ".0";  // 2.0 is not the integer 2
      return "a float (" + f + ")";
    }
    case toml::value_t::string:
      return "a string (\"" + v.as_string().str + "\")";
    case toml::value_t::array:
      return "an array";
    case toml::value_t::table:
      return "a table";
    case toml::value_t::empty:
      return "nothing";
    default:
      return "a date/time";
  }
}

bool is_number(const toml::value& v) { return v.is_integer() || v.is_floating(); }
double number(const toml::value& v) {
  return v.is_integer() ? static_cast<double>(v.as_integer()) : v.as_floating();
}

std::vector<std::string> names_in(ParamScope scope, bool only_real = false) {
  std::vector<std::string> names;
  for (const auto& s : param_specs())
    if (s.scope == scope && (!only_real || s.kind == ParamKind::real)) names.emplace_back(s.name);
  return names;
}

// A toml11 syntax error message cut down to one line, with the place it points at: the
// last "^---" marker is where the parser gave up.
struct TomlErrorSummary {
  int line = 0;
  int column = 0;
  std::string text;
};

TomlErrorSummary summarize_toml_error(const std::string& what) {
  TomlErrorSummary r;
  std::istringstream is(what);
  std::string ln;
  int last_line = 0;
  std::string hint;
  bool first = true;
  while (std::getline(is, ln)) {
    if (first) {
      first = false;
      std::string head = ln;
      if (head.rfind("[error] ", 0) == 0) head.erase(0, 8);
      // Drop toml11's internal function name ("toml::parse_array: ").
      if (head.rfind("toml::", 0) == 0) {
        const auto colon = head.find(": ");
        if (colon != std::string::npos) head.erase(0, colon + 2);
      }
      r.text = head;
      continue;
    }
    const auto bar = ln.find(" | ");
    const auto marker = ln.find("^---");
    if (bar != std::string::npos && marker == std::string::npos) {
      const std::string num = ln.substr(0, bar);
      const auto digits = num.find_first_not_of(' ');
      if (digits != std::string::npos &&
          std::all_of(num.begin() + static_cast<long>(digits), num.end(),
                      [](char c) { return c >= '0' && c <= '9'; }))
        last_line = std::stoi(num.substr(digits));
    } else if (marker != std::string::npos) {
      const auto mbar = ln.find('|');
      if (mbar != std::string::npos && marker > mbar + 1) {
        r.line = last_line;
        r.column = static_cast<int>(marker - (mbar + 2)) + 1;
      }
      hint = ln.substr(marker + 4);
      while (!hint.empty() && hint.front() == ' ') hint.erase(0, 1);
    }
  }
  if (!hint.empty()) r.text += " (" + hint + ")";
  return r;
}

std::optional<std::string> read_text_file(const std::string& path, std::string& error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "it is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream os;
  os << in.rdbuf();
  if (in.bad()) {
    error = "read error";
    return std::nullopt;
  }
  return os.str();
}

// A value given in one place, with where it came from.
struct Given {
  double value = 0.0;
  Loc loc;
  std::string origin;
};
struct GivenTargets {
  std::vector<Target> value;
  Loc loc;
  std::string origin;
};
struct GivenName {
  std::string value;
  Loc loc;
  std::string origin;
};

// The country parameters one source gives: [defaults], a CSV row or a [country.X] table.
struct CountryLayer {
  std::array<std::optional<Given>, kNumCountryParams> values;
  std::optional<GivenTargets> targets;
  std::optional<GivenName> name;
  Loc loc;  // the table header or the CSV row
  // Given but invalid (and reported): not to be reported again as missing.
  std::set<std::string> bad;
};

struct CsvCountry {
  std::string iso3;
  Loc loc;
  CountryLayer layer;
  bool broken = false;  // the row could not be read column by column
  // Every non-empty, valid value cell, for the provenance check: parameter -> (cell, its
  // number; none for targets).
  std::map<std::string, std::pair<CsvField, std::optional<double>>> cells;
};

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

class Diags {
 public:
  void add(const Loc& at, std::string key, std::string message) {
    list_.push_back({at.file, at.line, at.column, std::move(key), std::move(message)});
  }
  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  std::vector<Diagnostic> take() {
    if (list_.size() > kMaxDiagnostics) {
      const std::size_t more = list_.size() - kMaxDiagnostics;
      list_.resize(kMaxDiagnostics);
      list_.push_back({"", 0, 0, "", std::to_string(more) + " more problems not shown"});
    }
    return std::move(list_);
  }

 private:
  std::vector<Diagnostic> list_;
};

class Loader {
 public:
  // `with_sweep` false: the [sweep] section is left unread (loading one lever value).
  // `text`: the scenario file's contents when already read.
  Loader(const std::string& path, const std::vector<std::string>& overrides,
         bool with_sweep = true, const std::string* text = nullptr)
      : with_sweep_(with_sweep), text_(text) {
    sc_.path = path;
    sc_.overrides = overrides;
  }

  Scenario load() {
    if (read_scenario()) {
      apply_overrides();
      check_sections();
      resolve_simulation();
      resolve_global();
      read_defaults();
      read_countries_section();
      read_inline_countries();
      assemble_countries();
      if (with_sweep_) read_sweep();
    }
    if (!diags_.empty()) throw InputError(diags_.take());
    return std::move(sc_);
  }

 private:
  // ---- locations and entries ----

  // Where v sits. toml11's own location() counts the newlines from the top of the file
  // on every call, which made loading quadratic in the file's length (seconds for a
  // thousand-country scenario); the line starts are indexed once instead.
  Loc loc(const toml::value& v) const {
    const toml::detail::region_base* base = toml::detail::get_region(v);
    const std::string name = base->name();
    if (name == kSetFile) return {kSetFile, 0, 0};
    // Tables that --set had to create carry no place in the file.
    if (name != sc_.path) return {sc_.path, 0, 0};
    const auto* reg = dynamic_cast<const toml::detail::region*>(base);
    if (reg == nullptr) {
      const auto l = v.location();
      return {sc_.path, static_cast<int>(l.line()), static_cast<int>(l.column())};
    }
    const std::vector<char>& src = *reg->source();
    if (&src != indexed_source_) {
      line_starts_.assign(1, 0);
      for (std::size_t i = 0; i < src.size(); ++i)
        if (src[i] == '\n') line_starts_.push_back(i + 1);
      indexed_source_ = &src;
    }
    const auto offset = static_cast<std::size_t>(reg->first() - src.cbegin());
    const auto line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) -
                      line_starts_.begin();
    const std::size_t column = offset - line_starts_[static_cast<std::size_t>(line - 1)] + 1;
    return {sc_.path, static_cast<int>(line), static_cast<int>(column)};
  }

  static std::string origin_of(const Loc& at) {
    if (at.file == kSetFile) return "--set";
    return at.file + ":" + std::to_string(at.line);
  }

  // A table's entries in the order they appear in the file, then those from --set: toml11
  // keeps tables unordered, and diagnostics and the country order must follow the file.
  std::vector<std::pair<std::string, const toml::value*>> entries(const toml::value& table) const {
    std::vector<std::pair<std::string, const toml::value*>> out;
    for (const auto& [k, v] : table.as_table()) out.emplace_back(k, &v);
    auto rank = [this](const toml::value& v) {
      const Loc l = loc(v);
      return std::make_tuple(l.file == kSetFile ? 1 : l.line == 0 ? 2 : 0, l.line, l.column);
    };
    std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
      return std::make_tuple(rank(*a.second), a.first) < std::make_tuple(rank(*b.second), b.first);
    });
    return out;
  }

  const toml::value* section(const std::string& name) const {
    const auto& t = root_.as_table();
    const auto it = t.find(name);
    if (it == t.end() || !it->second.is_table()) return nullptr;
    return &it->second;
  }

  Loc section_loc(const std::string& name) const {
    const toml::value* s = section(name);
    return s ? loc(*s) : Loc{sc_.path, 0, 0};
  }

  void unknown_key(const Loc& at, const std::string& key, const std::string& name,
                   const std::vector<std::string>& allowed, const std::string& where) {
    std::string msg = "unknown key '" + name + "' in " + where + hint(name, allowed);
    if (allowed.size() <= 8)
      msg += ": allowed keys: " + join(allowed);
    else
      msg += ": allowed keys are the parameter names listed by `sovcap params`";
    diags_.add(at, key, msg);
  }

  std::string resolve_path(const std::string& rel) const {
    namespace fs = std::filesystem;
    const fs::path p(rel);
    if (p.is_absolute()) return p.lexically_normal().string();
    return (fs::path(sc_.path).parent_path() / p).lexically_normal().string();
  }

  // ---- reading values ----

  // A real, integer or choice parameter from TOML; reports and returns nullopt if invalid.
  std::optional<double> read_scalar(const toml::value& v, const ParamSpec& s,
                                    const std::string& key) {
    const Loc at = loc(v);
    const std::string allowed = "allowed " + s.allowed();
    if (s.kind == ParamKind::choice) {
      if (!v.is_string()) {
        diags_.add(at, key, "wrong type: " + describe(v) + " where a name is expected; " + allowed);
        return std::nullopt;
      }
      const std::string& name = v.as_string().str;
      for (std::size_t i = 0; i < s.choices.size(); ++i)
        if (s.choices[i] == name) return static_cast<double>(i);
      std::vector<std::string> choices(s.choices.begin(), s.choices.end());
      diags_.add(
          at, key,
          "unknown value \"" + name + "\"" + hint(name, choices, "\"", "\"") + ": " + allowed);
      return std::nullopt;
    }
    if (s.kind == ParamKind::integer) {
      if (!v.is_integer()) {
        diags_.add(at, key,
                   "wrong type: " + describe(v) + " where an integer is expected; " + allowed);
        return std::nullopt;
      }
    } else if (!is_number(v)) {
      diags_.add(at, key, "wrong type: " + describe(v) + " where a number is expected; " + allowed);
      return std::nullopt;
    }
    const double x = number(v);
    // Past 2^53 a double no longer holds every integer: 2^53 + 1 would pass as 2^53.
    const bool exact = !v.is_integer() || (v.as_integer() <= (std::int64_t{1} << 53) &&
                                           v.as_integer() >= -(std::int64_t{1} << 53));
    if (!exact || !s.in_range(x)) {
      diags_.add(at, key,
                 std::string(s.name) + " = " +
                     (v.is_integer() ? std::to_string(v.as_integer()) : fmt(x)) +
                     " is out of range: " + allowed +
                     (s.unit.empty() ? "" : " (" + std::string(s.unit) + ")"));
      return std::nullopt;
    }
    return x;
  }

  // Checks milestones wherever they came from; `at[i]` locates milestone i and `index[i]`
  // is its position in the list as written (malformed items are left out of `targets`).
  bool check_targets(const std::vector<Target>& targets, const std::vector<Loc>& at,
                     const std::vector<std::size_t>& index, const std::string& key) {
    const ParamSpec& s = *find_param(ParamScope::country, "targets");
    bool ok = true;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const std::string k = key + "[" + std::to_string(index[i]) + "]";
      const Target& t = targets[i];
      if (!std::isfinite(t.year)) {
        diags_.add(at[i], k,
                   "year " + fmt(t.year) +
                       " is not a finite number: allowed a decimal year after start_year");
        ok = false;
        continue;
      }
      if (!std::isfinite(t.mw) || !s.in_range(t.mw)) {
        diags_.add(at[i], k,
                   "MW = " + fmt(t.mw) + " is out of range: allowed " + s.allowed() +
                       " MW of IT capacity");
        ok = false;
      }
      if (start_year_ && !(t.year > *start_year_)) {
        diags_.add(at[i], k,
                   "year " + fmt(t.year) + " is not after start_year = " + fmt(*start_year_) +
                       ": allowed target years after start_year (the path starts at it_mw then)");
        ok = false;
      }
      if (i > 0 && std::isfinite(targets[i - 1].year) && !(t.year > targets[i - 1].year)) {
        diags_.add(at[i], k,
                   "year " + fmt(t.year) + " is not after the previous target's year " +
                       fmt(targets[i - 1].year) + ": allowed target years strictly increasing");
        ok = false;
      }
    }
    return ok;
  }

  std::optional<std::vector<Target>> read_targets(const toml::value& v, const std::string& key) {
    const char* form =
        "allowed an array of [year, MW] pairs, e.g. [[2028, 200], [2032, 1000]], or []";
    if (!v.is_array()) {
      diags_.add(loc(v), key, "wrong type: " + describe(v) + "; " + form);
      return std::nullopt;
    }
    std::vector<Target> out;
    std::vector<Loc> locs;
    std::vector<std::size_t> index;
    bool ok = true;
    const auto& arr = v.as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const auto& p = arr[i];
      const std::string k = key + "[" + std::to_string(i) + "]";
      if (!p.is_array() || p.as_array().size() != 2 || !is_number(p.as_array()[0]) ||
          !is_number(p.as_array()[1])) {
        std::string what = p.is_array()
                               ? "an array of " + std::to_string(p.as_array().size()) + " items"
                               : describe(p);
        if (p.is_array() && p.as_array().size() == 2)
          what = "an array of two items that are not both numbers";
        diags_.add(
            loc(p), k,
            "wrong type: " + what + " where a [year, MW] pair of numbers is expected; " + form);
        ok = false;
        continue;
      }
      out.push_back({number(p.as_array()[0]), number(p.as_array()[1])});
      locs.push_back(loc(p));
      index.push_back(i);
    }
    if (!check_targets(out, locs, index, key) || !ok) return std::nullopt;
    return out;
  }

  std::optional<std::vector<SupplyShock>> read_shocks(const toml::value& v,
                                                      const std::string& key) {
    const char* form =
        "allowed an array of tables {start = YEAR, end = YEAR, factor = NUMBER >= 0}, "
        "e.g. [{start = 2028.0, end = 2029.0, factor = 0.5}]";
    if (!v.is_array()) {
      diags_.add(loc(v), key, "wrong type: " + describe(v) + "; " + form);
      return std::nullopt;
    }
    std::vector<SupplyShock> out;
    bool ok = true;
    const auto& arr = v.as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const auto& sv = arr[i];
      const std::string k = key + "[" + std::to_string(i) + "]";
      if (!sv.is_table()) {
        diags_.add(loc(sv), k,
                   "wrong type: " + describe(sv) + " where a table is expected; " + form);
        ok = false;
        continue;
      }
      std::optional<double> start, end, factor;
      for (const auto& [name, field] : entries(sv)) {
        const std::string fk = k + "." + name;
        std::optional<double>* slot = name == "start"    ? &start
                                      : name == "end"    ? &end
                                      : name == "factor" ? &factor
                                                         : nullptr;
        if (!slot) {
          unknown_key(loc(*field), fk, name, {"start", "end", "factor"}, "a supply shock");
          ok = false;
          continue;
        }
        if (!is_number(*field)) {
          diags_.add(loc(*field), fk,
                     "wrong type: " + describe(*field) + " where a number is expected; " + form);
          ok = false;
          continue;
        }
        const double x = number(*field);
        if (!std::isfinite(x) || (name == "factor" && x < 0.0)) {
          diags_.add(loc(*field), fk,
                     name + " = " + fmt(x) + " is out of range: allowed " +
                         (name == "factor" ? "a finite number >= 0" : "a finite decimal year"));
          ok = false;
          continue;
        }
        *slot = x;
      }
      for (const auto& [name, slot] :
           {std::pair<const char*, std::optional<double>*>{"start", &start},
            {"end", &end},
            {"factor", &factor}}) {
        if (!slot->has_value() && !sv.as_table().count(name)) {
          diags_.add(loc(sv), k, std::string("missing '") + name + "': " + form);
          ok = false;
        }
      }
      if (start && end && !(*start < *end)) {
        diags_.add(loc(sv.as_table().at("start")), k + ".start",
                   "start = " + fmt(*start) + " is not before end = " + fmt(*end) +
                       ": allowed start < end (the shock covers [start, end))");
        ok = false;
      }
      if (start && end && factor) out.push_back({*start, *end, *factor});
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // ---- the scenario file and --set ----

  bool read_scenario() {
    std::string error;
    auto text = text_ ? std::optional<std::string>(*text_) : read_text_file(sc_.path, error);
    if (!text) {
      diags_.add({sc_.path, 0, 0}, "", "cannot read the scenario file: " + error);
      return false;
    }
    sc_.text = std::move(*text);
    std::istringstream is(sc_.text);
    try {
      root_ = toml::parse(is, sc_.path);
    } catch (const toml::syntax_error& e) {
      TomlErrorSummary s = summarize_toml_error(e.what());
      if (s.line == 0) {
        s.line = static_cast<int>(e.location().line());
        s.column = static_cast<int>(e.location().column());
      }
      diags_.add({sc_.path, s.line, s.column}, "",
                 "TOML syntax error: " + s.text + "; allowed TOML syntax (https://toml.io)");
      return false;
    } catch (const std::exception& e) {
      diags_.add({sc_.path, 0, 0}, "", std::string("cannot parse the scenario file: ") + e.what());
      return false;
    }
    return true;
  }

  std::optional<toml::value> parse_set_value(const std::string& text, const std::string& key) {
    auto parse = [&](const std::string& src) {
      std::istringstream is("v = " + src);
      return toml::parse(is, kSetFile);
    };
    try {
      const toml::value doc = parse(text);
      if (doc.as_table().size() != 1 || !doc.as_table().count("v")) {
        diags_.add({kSetFile, 0, 0}, key,
                   "'" + text + "' is more than one TOML value: allowed a single value");
        return std::nullopt;
      }
      return doc.as_table().at("v");
    } catch (const std::exception& e) {
      // A bare word is almost always a name typed without quotes (allocation=max_min_fair):
      // take it as a string rather than make shell users nest quotes.
      const bool bare =
          !text.empty() &&
          std::all_of(text.begin(), text.end(),
                      [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                      }) &&
          !std::isdigit(static_cast<unsigned char>(text[0])) && text[0] != '-';
      if (bare) {
        try {
          return parse("\"" + text + "\"").as_table().at("v");
        } catch (const std::exception&) {
        }
      }
      const auto* se = dynamic_cast<const toml::syntax_error*>(&e);
      const std::string why = se ? summarize_toml_error(se->what()).text : e.what();
      diags_.add({kSetFile, 0, 0}, key,
                 "cannot parse '" + text + "' as a TOML value (" + why +
                     "): allowed a TOML value, e.g. 5e6, 2030, \"max_min_fair\", [[2030, 1000]], "
                     "[{start = 2028.0, end = 2029.0, factor = 0.5}]");
      return std::nullopt;
    }
  }

  void apply_overrides() {
    static const std::vector<std::string> roots = {"simulation", "global",    "defaults",
                                                   "country",    "countries", "sweep"};
    const char* forms =
        "allowed simulation.NAME, global.NAME, defaults.NAME, country.ISO3.NAME, "
        "countries.include, sweep.samples or sweep.method";
    const Loc at{kSetFile, 0, 0};
    for (const auto& ov : sc_.overrides) {
      const auto eq = ov.find('=');
      if (eq == std::string::npos) {
        diags_.add(at, ov, "expected KEY=VALUE (e.g. global.vendor_supply=5e6) but found no '='");
        continue;
      }
      const std::string key(trim_blanks(std::string_view(ov).substr(0, eq)));
      const std::string text(trim_blanks(std::string_view(ov).substr(eq + 1)));
      const std::vector<std::string> parts = key_parts(key);
      if (parts.empty()) {
        diags_.add(at, key, "malformed key '" + key + "': " + forms);
        continue;
      }
      const std::string& head = parts[0];
      if (std::find(roots.begin(), roots.end(), head) == roots.end()) {
        diags_.add(at, key, "unknown section '" + head + "'" + hint(head, roots) + ": " + forms);
        continue;
      }
      const std::size_t depth = head == "country" ? 3 : 2;
      if (parts.size() != depth) {
        diags_.add(at, key, "malformed key '" + key + "': " + forms);
        continue;
      }
      if ((head == "countries" && parts[1] != "include") ||
          (head == "global" && parts[1] == "data")) {
        diags_.add(at, key,
                   "cannot be set from the command line: " + std::string(forms) +
                       "; data files are named in the scenario file");
        continue;
      }
      if (head == "sweep" && parts[1] != "samples" && parts[1] != "method") {
        diags_.add(at, key,
                   "cannot be set from the command line: allowed sweep.samples and sweep.method; "
                   "levers and uncertain parameters are written in the scenario's [sweep] "
                   "section");
        continue;
      }
      if (head == "country" && !is_iso3(parts[1])) {
        diags_.add(at, key,
                   "'" + parts[1] +
                       "' is not an ISO3 code: allowed 3 uppercase letters, e.g. country.KOR.pue");
        continue;
      }
      auto value = parse_set_value(text, key);
      if (!value) continue;

      // Edit the tree so that --set values pass through exactly the checks file values do.
      auto& root = root_.as_table();
      toml::value& sect = root[head];
      if (sect.is_uninitialized()) sect = toml::table{};
      if (!sect.is_table()) {
        diags_.add(
            at, key,
            "cannot apply: '" + head + "' in the scenario is " + describe(sect) + ", not a table");
        continue;
      }
      toml::value* target = &sect;
      if (head == "country") {
        auto& countries = sect.as_table();
        const bool existed = countries.count(parts[1]) > 0;
        toml::value& c = countries[parts[1]];
        if (!existed) {
          c = toml::table{};
          made_by_set_[parts[1]] = key;
        }
        if (!c.is_table()) {
          diags_.add(at, key,
                     "cannot apply: 'country." + parts[1] + "' in the scenario is " + describe(c) +
                         ", not a table");
          continue;
        }
        target = &c;
      }
      target->as_table()[parts.back()] = *value;
    }
  }

  void check_sections() {
    static const std::vector<std::string> allowed = {"simulation", "global",  "defaults",
                                                     "countries",  "country", "sweep"};
    for (const auto& [name, v] : entries(root_)) {
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string msg = v->is_table()
                              ? "unknown section [" + name + "]" + hint(name, allowed, "[", "]")
                              : "unknown key '" + name + "' at the top level";
        // A parameter written at the top level belongs in a section; say which.
        for (ParamScope scope : {ParamScope::simulation, ParamScope::global, ParamScope::country})
          if (find_param(scope, name))
            msg += " ('" + name + "' belongs in [" +
                   std::string(scope == ParamScope::country ? "defaults] or [country.ISO3"
                                                            : scope_name(scope)) +
                   "])";
        msg +=
            ": allowed sections: [simulation], [global], [defaults], [countries], [country.ISO3], "
            "[sweep]";
        diags_.add(loc(*v), name, msg);
      } else if (!v->is_table()) {
        diags_.add(loc(*v), name,
                   "wrong type: " + describe(*v) +
                       " where a table is expected; allowed a section [" + name + "]");
      }
    }
  }

  // ---- [simulation] ----

  void resolve_simulation() {
    SimulationSettings& s = sc_.params.sim;
    std::map<std::string, Loc> locs;
    std::set<std::string> bad;
    for (const ParamSpec& p : param_specs()) {
      if (p.scope != ParamScope::simulation) continue;
      set_sim(s, p.name, p.default_value);
      sc_.origin["simulation." + std::string(p.name)] = kBuiltIn;
    }
    if (const toml::value* sect = section("simulation")) {
      for (const auto& [name, v] : entries(*sect)) {
        const std::string key = "simulation." + name;
        const ParamSpec* p = find_param(ParamScope::simulation, name);
        if (!p) {
          unknown_key(loc(*v), key, name, names_in(ParamScope::simulation), "[simulation]");
          continue;
        }
        const auto x = read_scalar(*v, *p, key);
        if (!x) {
          bad.insert(name);
          continue;
        }
        set_sim(s, name, *x);
        locs[name] = loc(*v);
        sc_.origin[key] = origin_of(locs[name]);
      }
    }
    const Loc fallback = section_loc("simulation");
    auto where = [&](const char* name) { return locs.count(name) ? locs[name] : fallback; };
    if (!bad.count("start_year")) start_year_ = s.start_year;
    if (!bad.count("dt")) {
      dt_ = s.dt;
      dt_loc_ = where("dt");
    }
    if (bad.count("start_year") || bad.count("end_year")) return;
    if (!(s.end_year > s.start_year)) {
      diags_.add(where("end_year"), "simulation.end_year",
                 "end_year = " + fmt(s.end_year) + " is not after start_year = " +
                     fmt(s.start_year) + ": allowed end_year > start_year");
      return;
    }
    if (!dt_) return;
    const double n = (s.end_year - s.start_year) / s.dt;
    const double whole = std::round(n);
    if (std::abs(n - whole) > 1e-9 * std::max(1.0, std::abs(n)) || whole < 1.0) {
      const double lo = std::floor(n), hi = std::ceil(n);
      std::vector<std::string> ends;
      if (lo >= 1.0) ends.push_back(fmt(s.start_year + lo * s.dt));
      ends.push_back(fmt(s.start_year + std::max(hi, 1.0) * s.dt));
      diags_.add(locs.count("end_year") ? locs["end_year"] : where("dt"), "simulation.end_year",
                 "end_year - start_year = " + fmt(s.end_year - s.start_year) +
                     " is not a whole number of steps dt = " + fmt(s.dt) +
                     " ((end_year - start_year) / dt = " + fmt(n) +
                     "): allowed end years start_year + k*dt; the nearest are " + join(ends));
      return;
    }
    if (whole > static_cast<double>(kMaxSteps))
      diags_.add(where("dt"), "simulation.dt",
                 "dt = " + fmt(s.dt) + " gives " + fmt(whole) + " steps: allowed at most " +
                     std::to_string(kMaxSteps) + " steps; use a larger dt");
  }

  static void set_sim(SimulationSettings& s, std::string_view name, double x) {
    if (name == "start_year")
      s.start_year = x;
    else if (name == "end_year")
      s.end_year = x;
    else if (name == "dt")
      s.dt = x;
    else if (name == "seed")
      s.seed = static_cast<std::uint64_t>(x);
  }

  // ---- [global] ----

  void resolve_global() {
    GlobalParams& g = sc_.params.global;
    g = GlobalParams::defaults();
    std::array<std::optional<Given>, kNumGlobalParams> from_csv, from_toml;
    std::optional<Given> shocks_at;
    if (const toml::value* sect = section("global")) {
      std::vector<std::string> allowed = names_in(ParamScope::global);
      allowed.emplace_back("data");
      for (const auto& [name, v] : entries(*sect)) {
        const std::string key = "global." + name;
        if (name == "data") {
          if (!v->is_string())
            diags_.add(loc(*v), key,
                       "wrong type: " + describe(*v) +
                           " where a file name is expected; allowed a "
                           "string naming a CSV file relative to the scenario file");
          else
            read_global_csv(v->as_string().str, loc(*v), from_csv);
          continue;
        }
        const ParamSpec* p = find_param(ParamScope::global, name);
        if (!p) {
          unknown_key(loc(*v), key, name, allowed, "[global]");
          continue;
        }
        if (p->kind == ParamKind::shocks) {
          if (auto s = read_shocks(*v, key)) {
            g.supply_shocks = std::move(*s);
            shocks_at = Given{0.0, loc(*v), origin_of(loc(*v))};
          }
          continue;
        }
        if (auto x = read_scalar(*v, *p, key))
          from_toml[p->index] = Given{*x, loc(*v), origin_of(loc(*v))};
      }
    }
    sc_.origin["global.supply_shocks"] = shocks_at ? shocks_at->origin : kBuiltIn;
    std::array<Loc, kNumGlobalParams> locs;
    for (int k = 0; k < kNumGlobalParams; ++k) {
      const std::string key = "global." + std::string(spec(static_cast<GlobalParam>(k)).name);
      const auto& given = from_toml[k] ? from_toml[k] : from_csv[k];
      if (given) {
        g.values[k] = given->value;
        locs[k] = given->loc;
        sc_.origin[key] = given->origin;
      } else {
        locs[k] = section_loc("global");
        sc_.origin[key] = kBuiltIn;
      }
    }
    // The model retires chips on whole steps; a life shorter than one step would retire
    // them before they ever served.
    const int life = static_cast<int>(GlobalParam::chip_lifetime_years);
    if (dt_ && g.values[life] < *dt_)
      diags_.add(
          from_toml[life] || from_csv[life] ? locs[life] : dt_loc_, "global.chip_lifetime_years",
          "chip_lifetime_years = " + fmt(g.values[life]) +
              " is shorter than the step dt = " + fmt(*dt_) +
              ": the model retires chips in whole steps, so allowed chip_lifetime_years >= dt");
  }

  // Finds the columns of a data file's header; reports unknown, duplicate and missing ones.
  // Returns column name -> field index, or nullopt if the header is unusable.
  std::optional<std::map<std::string, int>> read_header(const CsvDocument& doc,
                                                        const std::string& file,
                                                        const std::vector<std::string>& known,
                                                        const std::vector<std::string>& required,
                                                        const std::string& what) {
    if (doc.records.empty()) {
      diags_.add({file, 0, 0}, "",
                 "empty file: allowed a " + what + " with a header row " + join(required));
      return std::nullopt;
    }
    const CsvRecord& header = doc.records.front();
    std::map<std::string, int> cols;
    for (const auto& f : header.fields) {
      const Loc at{file, f.line, f.column};
      if (std::find(known.begin(), known.end(), f.text) == known.end()) {
        diags_.add(
            at, "column '" + f.text + "'",
            "unknown column" + hint(f.text, known) +
                (known.size() <= 8 ? ": allowed columns: " + join(known)
                                   : ": allowed columns: iso3, name, targets and the country "
                                     "parameters listed by `sovcap params`"));
      } else if (cols.count(f.text)) {
        diags_.add(at, "column '" + f.text + "'", "duplicate column: allowed each column once");
      } else {
        cols[f.text] = f.index;
      }
    }
    // Unknown columns are reported but the rows are still read, so that one run shows the
    // problems in the cells too; without a required column the rows mean nothing.
    bool ok = true;
    for (const auto& r : required)
      if (!cols.count(r)) {
        diags_.add({file, header.line, 0}, "column '" + r + "'",
                   "missing column: allowed a header naming " + join(required));
        ok = false;
      }
    if (!ok) return std::nullopt;
    return cols;
  }

  void report_csv_syntax(const CsvDocument& doc, const std::string& file) {
    for (const auto& e : doc.errors)
      diags_.add({file, e.line, e.column}, "", "CSV syntax error: " + e.message);
  }

  bool row_width_ok(const CsvRecord& r, std::size_t width, const std::string& file) {
    if (r.fields.size() == width) return true;
    diags_.add({file, r.line, 0}, "",
               "row has " + std::to_string(r.fields.size()) +
                   (r.fields.size() == 1 ? " field" : " fields") + " but the header has " +
                   std::to_string(width) +
                   ": allowed one field per column (leave a field empty, but keep its comma)");
    return false;
  }

  // Provenance of one value: `basis` and its source or note, and an optional [low, high]
  // uncertainty range that must hold the value and lie within the parameter's range.
  void check_provenance(const std::string& file, const std::string& key, const ParamSpec& s,
                        std::optional<double> value, const CsvField& basis, const CsvField& low,
                        const CsvField& high, const CsvField& source, const CsvField& note) {
    const std::string b(trim_blanks(basis.text));
    if (std::find(kBases.begin(), kBases.end(), b) == kBases.end()) {
      diags_.add({file, basis.line, basis.column}, key,
                 "basis '" + b + "' is not known" + hint(b, kBases) + ": allowed " + join(kBases));
    } else if (b != "assumption" && trim_blanks(source.text).empty()) {
      diags_.add(
          {file, source.line, source.column}, key,
          "basis '" + b +
              "' needs a source: allowed a non-empty 'source' (citation or URL) for reported "
              "and derived values");
    } else if (b == "assumption" && trim_blanks(note.text).empty()) {
      diags_.add({file, note.line, note.column}, key,
                 "basis 'assumption' needs a note: allowed a non-empty 'note' saying why the value "
                 "is assumed");
    }
    std::optional<double> lo, hi;
    for (const auto& [field, slot, name] :
         {std::tuple{&low, &lo, "low"}, std::tuple{&high, &hi, "high"}}) {
      if (trim_blanks(field->text).empty()) continue;
      const Loc at{file, field->line, field->column};
      if (s.kind == ParamKind::targets) {
        diags_.add(at, key,
                   std::string(name) + " is given for targets: allowed an empty " + name +
                       " (an uncertainty range applies to single numbers)");
        continue;
      }
      const auto x = parse_number(field->text);
      if (!x) {
        diags_.add(at, key,
                   std::string(name) + " '" + field->text + "' is not a number: allowed empty or " +
                       s.allowed());
      } else if (!s.in_range(*x)) {
        diags_.add(
            at, key,
            std::string(name) + " = " + fmt(*x) + " is out of range: allowed " + s.allowed());
      } else {
        *slot = x;
      }
    }
    if (lo && hi && *lo > *hi)
      diags_.add({file, low.line, low.column}, key,
                 "low = " + fmt(*lo) + " is above high = " + fmt(*hi) + ": allowed low <= high");
    else if (value && ((lo && *value < *lo) || (hi && *value > *hi)))
      diags_.add({file, (lo && *value < *lo) ? low.line : high.line,
                  (lo && *value < *lo) ? low.column : high.column},
                 key,
                 "value " + fmt(*value) + " lies outside its own range [" + (lo ? fmt(*lo) : "") +
                     ", " + (hi ? fmt(*hi) : "") + "]: allowed low <= value <= high");
  }

  void read_global_csv(const std::string& rel, const Loc& at,
                       std::array<std::optional<Given>, kNumGlobalParams>& out) {
    const std::string file = resolve_path(rel);
    std::string error;
    const auto text = read_text_file(file, error);
    if (!text) {
      diags_.add(at, "global.data",
                 "cannot read '" + file + "': " + error +
                     "; allowed a path to a CSV file, relative to the scenario file");
      return;
    }
    sc_.files.emplace_back(file, *text);
    const CsvDocument doc = parse_csv(*text);
    report_csv_syntax(doc, file);
    const auto cols =
        read_header(doc, file, kGlobalCsvColumns, kGlobalCsvColumns, "global-defaults CSV");
    if (!cols) return;
    const std::vector<std::string> real = names_in(ParamScope::global, true);
    std::map<std::string, int> seen;
    for (std::size_t r = 1; r < doc.records.size(); ++r) {
      const CsvRecord& rec = doc.records[r];
      if (!row_width_ok(rec, doc.records.front().fields.size(), file)) continue;
      auto cell = [&](const char* c) -> const CsvField& {
        return rec.fields[static_cast<std::size_t>(cols->at(c))];
      };
      const CsvField& pf = cell("parameter");
      const std::string name(trim_blanks(pf.text));
      const std::string key = "global." + name;
      const ParamSpec* s = find_param(ParamScope::global, name);
      if (!s || s->kind != ParamKind::real) {
        diags_.add({file, pf.line, pf.column}, key,
                   (s ? "'" + name + "' cannot be given in a data file (set it in [global])"
                      : "unknown global parameter '" + name + "'" + hint(name, real)) +
                       ": allowed the real-valued global parameters: " + join(real));
        continue;
      }
      if (seen.count(name)) {
        diags_.add({file, pf.line, pf.column}, key,
                   "duplicate row (first at line " + std::to_string(seen[name]) +
                       "): allowed one row per parameter");
        continue;
      }
      seen[name] = rec.line;
      const CsvField& vf = cell("value");
      const Loc vat{file, vf.line, vf.column};
      std::optional<double> value = parse_number(vf.text);
      if (!value) {
        diags_.add(vat, key,
                   "column 'value': '" + vf.text + "' is not a number: allowed " + s->allowed());
      } else if (!s->in_range(*value)) {
        diags_.add(vat, key,
                   "column 'value': " + name + " = " + fmt(*value) + " is out of range: allowed " +
                       s->allowed());
        value.reset();
      } else {
        out[s->index] = Given{*value, vat, file + " row " + std::to_string(rec.line)};
      }
      check_provenance(file, key, *s, value, cell("basis"), cell("low"), cell("high"),
                       cell("source"), cell("note"));
    }
  }

  // ---- countries ----

  CountryLayer read_country_table(const toml::value& t, const std::string& prefix, bool allow_name,
                                  const std::string& origin_prefix) {
    CountryLayer layer;
    layer.loc = loc(t);
    std::vector<std::string> allowed = names_in(ParamScope::country);
    if (allow_name) allowed.insert(allowed.begin(), "name");
    for (const auto& [name, v] : entries(t)) {
      const std::string key = prefix + "." + name;
      const Loc at = loc(*v);
      const std::string origin = origin_prefix + origin_of(at);
      if (allow_name && name == "name") {
        if (!v->is_string() || v->as_string().str.empty()) {
          diags_.add(
              at, key,
              "wrong type: " + describe(*v) + "; allowed a non-empty string (the country's name)");
          layer.bad.insert(name);
        } else {
          layer.name = GivenName{v->as_string().str, at, origin};
        }
        continue;
      }
      const ParamSpec* p = find_param(ParamScope::country, name);
      if (!p) {
        unknown_key(at, key, name, allowed, "[" + prefix + "]");
        continue;
      }
      if (p->kind == ParamKind::targets) {
        if (auto tg = read_targets(*v, key))
          layer.targets = GivenTargets{std::move(*tg), at, origin};
        else
          layer.bad.insert(name);
        continue;
      }
      if (auto x = read_scalar(*v, *p, key))
        layer.values[p->index] = Given{*x, at, origin};
      else
        layer.bad.insert(name);
    }
    return layer;
  }

  void read_defaults() {
    if (const toml::value* sect = section("defaults"))
      defaults_ = read_country_table(*sect, "defaults", false, "[defaults] ");
  }

  void read_countries_section() {
    const toml::value* sect = section("countries");
    if (!sect) return;
    const toml::value* data = nullptr;
    const toml::value* sources = nullptr;
    for (const auto& [name, v] : entries(*sect)) {
      const std::string key = "countries." + name;
      if (name == "data" || name == "sources") {
        if (!v->is_string() || v->as_string().str.empty())
          diags_.add(loc(*v), key,
                     "wrong type: " + describe(*v) +
                         " where a file name is expected; allowed a "
                         "string naming a CSV file relative to the scenario file");
        else
          (name == "data" ? data : sources) = v;
      } else if (name == "include") {
        include_given_ = true;
        include_loc_ = loc(*v);
        if (!v->is_array()) {
          diags_.add(loc(*v), key,
                     "wrong type: " + describe(*v) +
                         "; allowed an array of ISO3 codes, e.g. [\"KOR\", \"JPN\"]");
          continue;
        }
        const auto& arr = v->as_array();
        for (std::size_t i = 0; i < arr.size(); ++i) {
          if (!arr[i].is_string())
            diags_.add(loc(arr[i]), key + "[" + std::to_string(i) + "]",
                       "wrong type: " + describe(arr[i]) +
                           " where an ISO3 code is expected; allowed a string like \"KOR\"");
          else
            include_.push_back({arr[i].as_string().str, loc(arr[i])});
        }
        sc_.origin["countries.include"] = origin_of(loc(*v));
      } else {
        unknown_key(loc(*v), key, name, {"data", "include", "sources"}, "[countries]");
      }
    }
    if (data) read_countries_csv(data->as_string().str, loc(*data));
    if (sources) {
      if (!data)
        diags_.add(loc(*sources), "countries.sources",
                   "sources given without data: allowed only together with countries.data (it "
                   "documents its values)");
      else if (csv_ok_)
        read_sources_csv(sources->as_string().str, loc(*sources));
    }
  }

  void read_countries_csv(const std::string& rel, const Loc& at) {
    const std::string file = resolve_path(rel);
    std::string error;
    auto text = read_text_file(file, error);
    if (!text) {
      diags_.add(at, "countries.data",
                 "cannot read '" + file + "': " + error +
                     "; allowed a path to a CSV file, relative to the scenario file");
      csv_failed_ = true;
      return;
    }
    sc_.csv_path = file;
    sc_.csv_text = *text;
    sc_.files.emplace_back(file, *text);
    const CsvDocument doc = parse_csv(sc_.csv_text);
    report_csv_syntax(doc, file);
    std::vector<std::string> known = {"iso3", "name"};
    for (const auto& n : names_in(ParamScope::country)) known.push_back(n);
    const std::size_t before = diags_.size();
    auto cols = read_header(doc, file, known, {"iso3"}, "countries CSV");
    if (!cols) {
      // Without a usable header the rows cannot be read; say so once, not per row.
      csv_failed_ = true;
      return;
    }
    // A bad header already explains the missing values; a per-country "required parameter
    // missing" for each row would only bury it.
    csv_header_bad_ = diags_.size() != before || !doc.errors.empty();
    (void)cols;
    csv_ok_ = true;
    const std::size_t width = doc.records.front().fields.size();
    std::map<std::string, int> seen;
    std::map<int, const ParamSpec*> param_of;  // field index -> parameter
    int iso_col = -1, name_col = -1;
    for (const auto& f : doc.records.front().fields) {
      if (f.text == "iso3")
        iso_col = f.index;
      else if (f.text == "name")
        name_col = f.index;
      else if (const ParamSpec* p = find_param(ParamScope::country, f.text))
        param_of[f.index] = p;
    }
    for (std::size_t r = 1; r < doc.records.size(); ++r) {
      const CsvRecord& rec = doc.records[r];
      CsvCountry c;
      c.loc = {file, rec.line, 0};
      c.layer.loc = c.loc;
      c.broken = !row_width_ok(rec, width, file);
      if (static_cast<std::size_t>(iso_col) >= rec.fields.size()) continue;
      const CsvField& iso = rec.fields[static_cast<std::size_t>(iso_col)];
      c.iso3 = iso.text;
      if (!is_iso3(c.iso3) && c.broken) continue;  // the row's shape is already reported
      if (!is_iso3(c.iso3)) {
        diags_.add({file, iso.line, iso.column},
                   c.iso3.empty() ? "column 'iso3'" : "country." + c.iso3,
                   (c.iso3.empty() ? std::string("empty cell")
                                   : "column 'iso3': '" + c.iso3 + "' is not an ISO3 code") +
                       ": allowed 3 uppercase letters, e.g. KOR");
        continue;
      }
      if (seen.count(c.iso3)) {
        diags_.add({file, iso.line, iso.column},
                   c.iso3.empty() ? "column 'iso3'" : "country." + c.iso3,
                   "duplicate row for " + c.iso3 + " (first at line " +
                       std::to_string(seen[c.iso3]) + "): allowed one row per country");
        continue;
      }
      seen[c.iso3] = rec.line;
      if (!c.broken) {
        const std::string origin = file + " row " + std::to_string(rec.line);
        if (name_col >= 0 && !rec.fields[static_cast<std::size_t>(name_col)].text.empty()) {
          const CsvField& nf = rec.fields[static_cast<std::size_t>(name_col)];
          c.layer.name = GivenName{nf.text, {file, nf.line, nf.column}, origin};
        }
        for (const auto& [index, p] : param_of) {
          const CsvField& f = rec.fields[static_cast<std::size_t>(index)];
          if (trim_blanks(f.text).empty()) continue;
          const std::string key = "country." + c.iso3 + "." + std::string(p->name);
          const Loc fat{file, f.line, f.column};
          std::optional<double> x;
          bool ok = false;
          if (p->kind == ParamKind::targets) {
            if (auto tg = parse_csv_targets(f, file, key)) {
              c.layer.targets = GivenTargets{std::move(*tg), fat, origin};
              ok = true;
            }
          } else {
            x = read_csv_scalar(f, *p, file, key);
            if (x) c.layer.values[p->index] = Given{*x, fat, origin};
            ok = x.has_value();
          }
          if (ok)
            c.cells[std::string(p->name)] = {f, x};
          else
            c.layer.bad.insert(std::string(p->name));
        }
      }
      csv_countries_.push_back(std::move(c));
    }
  }

  std::optional<double> read_csv_scalar(const CsvField& f, const ParamSpec& s,
                                        const std::string& file, const std::string& key) {
    const Loc at{file, f.line, f.column};
    const std::string col = "column '" + std::string(s.name) + "': ";
    std::optional<double> x;
    if (s.kind == ParamKind::integer) {
      if (const auto i = parse_integer(f.text)) x = static_cast<double>(*i);
    } else {
      x = parse_number(f.text);
    }
    if (!x) {
      diags_.add(at, key,
                 col + "'" + f.text + "' is not " +
                     (s.kind == ParamKind::integer ? "an integer" : "a number") + ": allowed " +
                     s.allowed());
      return std::nullopt;
    }
    if (!s.in_range(*x)) {
      diags_.add(at, key,
                 col + std::string(s.name) + " = " + fmt(*x) + " is out of range: allowed " +
                     s.allowed() + (s.unit.empty() ? "" : " (" + std::string(s.unit) + ")"));
      return std::nullopt;
    }
    return x;
  }

  // "2028:200;2032:1000" -> milestones.
  std::optional<std::vector<Target>> parse_csv_targets(const CsvField& f, const std::string& file,
                                                       const std::string& key) {
    const Loc at{file, f.line, f.column};
    std::vector<Target> out;
    std::string piece;
    std::istringstream is(f.text);
    bool ok = true;
    while (std::getline(is, piece, ';')) {
      const std::string_view p = trim_blanks(piece);
      if (p.empty()) continue;
      const auto colon = p.find(':');
      std::optional<double> year, mw;
      if (colon != std::string_view::npos) {
        year = parse_number(p.substr(0, colon));
        mw = parse_number(p.substr(colon + 1));
      }
      if (!year || !mw) {
        diags_.add(at, key,
                   "column 'targets': '" + std::string(p) +
                       "' is not YEAR:MW: allowed milestones like 2028:200;2032:1000");
        ok = false;
        continue;
      }
      out.push_back({*year, *mw});
    }
    if (!ok) return std::nullopt;
    std::vector<std::size_t> index(out.size());
    for (std::size_t i = 0; i < index.size(); ++i) index[i] = i;
    if (!check_targets(out, std::vector<Loc>(out.size(), at), index, key)) return std::nullopt;
    return out;
  }

  void read_sources_csv(const std::string& rel, const Loc& at) {
    const std::string file = resolve_path(rel);
    std::string error;
    const auto text = read_text_file(file, error);
    if (!text) {
      diags_.add(at, "countries.sources",
                 "cannot read '" + file + "': " + error +
                     "; allowed a path to a CSV file, relative to the scenario file");
      return;
    }
    sc_.files.emplace_back(file, *text);
    const CsvDocument doc = parse_csv(*text);
    report_csv_syntax(doc, file);
    const auto cols =
        read_header(doc, file, kSourcesCsvColumns, kSourcesCsvColumns, "provenance CSV");
    if (!cols) return;
    std::vector<std::string> codes;
    for (const auto& c : csv_countries_) codes.push_back(c.iso3);
    const std::vector<std::string> params = names_in(ParamScope::country);
    for (std::size_t r = 1; r < doc.records.size(); ++r) {
      const CsvRecord& rec = doc.records[r];
      if (!row_width_ok(rec, doc.records.front().fields.size(), file)) continue;
      auto cell = [&](const char* c) -> const CsvField& {
        return rec.fields[static_cast<std::size_t>(cols->at(c))];
      };
      const CsvField& isof = cell("iso3");
      const CsvField& pf = cell("parameter");
      const std::string iso3(trim_blanks(isof.text)), name(trim_blanks(pf.text));
      const std::string key = "country." + iso3 + "." + name;
      auto country = std::find_if(csv_countries_.begin(), csv_countries_.end(),
                                  [&](const CsvCountry& c) { return c.iso3 == iso3; });
      if (country == csv_countries_.end()) {
        diags_.add({file, isof.line, isof.column}, key,
                   "unknown country '" + iso3 + "'" + hint(iso3, codes) +
                       ": allowed the iso3 codes of " + sc_.csv_path);
        continue;
      }
      const ParamSpec* s = find_param(ParamScope::country, name);
      if (!s) {
        diags_.add({file, pf.line, pf.column}, key,
                   "unknown parameter '" + name + "'" + hint(name, params) +
                       ": allowed the country parameters (columns of " + sc_.csv_path + ")");
        continue;
      }
      const std::string id = iso3 + "." + name;
      if (provenance_.count(id)) {
        diags_.add({file, isof.line, isof.column}, key,
                   "duplicate row (first at line " + std::to_string(provenance_[id]) +
                       "): allowed one row per country and parameter");
        continue;
      }
      provenance_[id] = rec.line;
      const auto c = country->cells.find(name);
      if (c == country->cells.end() && !country->broken && !country->layer.bad.count(name)) {
        diags_.add({file, pf.line, pf.column}, key,
                   "provenance for a value " + sc_.csv_path +
                       " does not give (its cell is empty or the column is "
                       "absent): allowed rows only for values present in the countries CSV");
        continue;
      }
      std::optional<double> value;
      if (c != country->cells.end()) value = c->second.second;
      check_provenance(file, key, *s, value, cell("basis"), cell("low"), cell("high"),
                       cell("source"), cell("note"));
    }
    sources_path_ = file;
    sources_ok_ = true;
  }

  void read_inline_countries() {
    const toml::value* sect = section("country");
    if (!sect) return;
    for (const auto& [iso3, v] : entries(*sect)) {
      const std::string key = "country." + iso3;
      if (!is_iso3(iso3)) {
        diags_.add(
            loc(*v), key,
            "'" + iso3 + "' is not an ISO3 code: allowed 3 uppercase letters, e.g. [country.KOR]");
        continue;
      }
      if (!v->is_table()) {
        diags_.add(loc(*v), key,
                   "wrong type: " + describe(*v) + " where a table is expected; allowed a table [" +
                       key + "]");
        continue;
      }
      InlineCountry c;
      c.iso3 = iso3;
      c.layer = read_country_table(*v, key, true, "");
      const auto set = made_by_set_.find(iso3);
      if (set != made_by_set_.end()) {
        c.made_by_set = true;
        c.set_key = set->second;
      }
      inline_.push_back(std::move(c));
    }
  }

  const CsvCountry* csv_country(const std::string& iso3) const {
    for (const auto& c : csv_countries_)
      if (c.iso3 == iso3) return &c;
    return nullptr;
  }
  const InlineCountry* inline_country(const std::string& iso3) const {
    for (const auto& c : inline_)
      if (c.iso3 == iso3) return &c;
    return nullptr;
  }

  void assemble_countries() {
    // Without the CSV every code would look unknown; its read error says enough.
    if (csv_failed_) return;
    std::vector<std::string> known;
    for (const auto& c : csv_countries_) known.push_back(c.iso3);
    for (const auto& c : inline_)
      if (!csv_country(c.iso3) && !c.made_by_set) known.push_back(c.iso3);
    const std::string csv_name = sc_.csv_path.empty() ? "the scenario" : sc_.csv_path;

    for (const auto& c : inline_)
      if (c.made_by_set && !csv_country(c.iso3)) {
        diags_.add({kSetFile, 0, 0}, c.set_key,
                   "country " + c.iso3 + " is neither in " + csv_name +
                       " nor defined by a [country." + c.iso3 + "] table" + hint(c.iso3, known) +
                       ": allowed countries: " + join(known));
      }

    std::vector<std::string> order;
    if (include_given_) {
      std::set<std::string> listed;
      for (const auto& e : include_) {
        const std::string key = "countries.include";
        if (std::find(known.begin(), known.end(), e.iso3) == known.end()) {
          diags_.add(e.loc, key,
                     "unknown country '" + e.iso3 + "'" + hint(e.iso3, known) +
                         ": allowed the iso3 codes of " + csv_name +
                         " and of [country.ISO3] tables");
        } else if (listed.count(e.iso3)) {
          diags_.add(e.loc, key, "'" + e.iso3 + "' is listed twice: allowed each country once");
        } else {
          listed.insert(e.iso3);
          order.push_back(e.iso3);
        }
      }
    } else {
      for (const auto& c : csv_countries_) order.push_back(c.iso3);
    }
    // Countries defined only inline always take part, after the CSV ones, in file order.
    for (const auto& c : inline_)
      if (!csv_country(c.iso3) && !c.made_by_set &&
          std::find(order.begin(), order.end(), c.iso3) == order.end())
        order.push_back(c.iso3);

    if (order.empty()) {
      if (!include_given_ || include_.empty())
        diags_.add(include_given_ ? include_loc_ : section_loc("countries"), "countries",
                   "the scenario has no countries: allowed [countries] data = \"FILE.csv\" "
                   "(optionally with "
                   "include = [...]) and/or [country.ISO3] tables");
      return;
    }

    CountryParams& cp = sc_.params.countries;
    const int n = static_cast<int>(order.size());
    cp.iso3 = order;
    cp.name.assign(order.size(), "");
    cp.targets.assign(order.size(), {});
    cp.values.resize(n, kNumCountryParams);
    for (int i = 0; i < n; ++i) resolve_country(i, order[static_cast<std::size_t>(i)]);

    if (sources_ok_) check_provenance_complete(order);
  }

  void resolve_country(int i, const std::string& iso3) {
    CountryParams& cp = sc_.params.countries;
    const CsvCountry* csv = csv_country(iso3);
    const InlineCountry* inl = inline_country(iso3);
    // Lowest to highest: [defaults], CSV row, [country.ISO3] (which --set edits).
    std::vector<const CountryLayer*> layers = {&defaults_};
    if (csv) layers.push_back(&csv->layer);
    if (inl) layers.push_back(&inl->layer);
    // Where a missing value is reported: the CSV row, else the [country.ISO3] header.
    const Loc home = csv ? csv->loc : inl ? inl->layer.loc : Loc{sc_.path, 0, 0};
    // A broken row or header, or a value given but invalid, is reported already.
    const bool row_unreadable = csv && (csv->broken || csv_header_bad_);
    auto reported = [&](const std::string& name) {
      if (row_unreadable) return true;
      for (const CountryLayer* l : layers)
        if (l->bad.count(name)) return true;
      return false;
    };
    const std::string prefix = "country." + iso3 + ".";
    auto where = [&](const std::string& name) {
      std::string w = "give it in [country." + iso3 + "]";
      if (!sc_.csv_path.empty() && csv) w += ", in column '" + name + "' of " + sc_.csv_path;
      return w + (name == "name" ? "" : ", or in [defaults]");
    };

    std::array<const Given*, kNumCountryParams> chosen{};
    for (int k = 0; k < kNumCountryParams; ++k) {
      const ParamSpec& s = spec(static_cast<CountryParam>(k));
      const std::string key = prefix + std::string(s.name);
      for (const CountryLayer* l : layers)
        if (l->values[k]) chosen[k] = &*l->values[k];
      if (chosen[k]) {
        cp.values(i, k) = chosen[k]->value;
        sc_.origin[key] = chosen[k]->origin;
      } else if (!s.required()) {
        cp.values(i, k) = s.default_value;
        sc_.origin[key] = kBuiltIn;
      } else {
        cp.values(i, k) = s.default_value;
        if (!reported(std::string(s.name)))
          diags_.add(home, key,
                     "required parameter " + std::string(s.name) + " (" + std::string(s.unit) +
                         ") has no value for " + iso3 + ": " + where(std::string(s.name)) +
                         "; allowed " + s.allowed());
      }
    }
    const GivenTargets* targets = nullptr;
    for (const CountryLayer* l : layers)
      if (l->targets) targets = &*l->targets;
    if (targets) {
      cp.targets[static_cast<std::size_t>(i)] = targets->value;
      sc_.origin[prefix + "targets"] = targets->origin;
    } else if (!reported("targets")) {
      diags_.add(home, prefix + "targets",
                 "required parameter targets has no value for " + iso3 + ": " + where("targets") +
                     "; allowed a list of [year, MW] milestones, [] for none (e.g. targets = "
                     "[[2030, 1000]]" +
                     (csv ? ", or 2030:1000 in the CSV)" : ")"));
    }
    const GivenName* name = nullptr;
    for (const CountryLayer* l : layers)
      if (l->name) name = &*l->name;
    if (name) {
      cp.name[static_cast<std::size_t>(i)] = name->value;
      sc_.origin[prefix + "name"] = name->origin;
    } else if (!reported("name")) {
      diags_.add(
          home, prefix + "name",
          "country " + iso3 + " has no name: " + where("name") + "; allowed a non-empty string");
    }

    // Capacity in service and under construction already holds facility power; a start
    // state that draws more than the grid gives is inconsistent data, not a scenario.
    {
      const int kg = static_cast<int>(CountryParam::grid_mw);
      const double need = (cp.values(i, static_cast<int>(CountryParam::it_mw)) +
                           cp.values(i, static_cast<int>(CountryParam::pipeline_mw))) *
                          cp.values(i, static_cast<int>(CountryParam::pue));
      const double grid = cp.values(i, kg);
      if (!std::isnan(need) && !std::isnan(grid) && grid < need * (1.0 - 1e-12)) {
        diags_.add(chosen[kg] ? chosen[kg]->loc : home, prefix + "grid_mw",
                   "grid_mw = " + fmt(grid) + " is below the facility power that capacity in "
                   "service and under construction draws, (it_mw + pipeline_mw) * pue = " +
                       fmt(need) + "; allowed grid_mw >= " + fmt(need));
      }
    }

    // The model's delay lines move in whole steps: a lead time under one step would
    // deliver in the step it was started, which the step order cannot represent.
    if (!dt_) return;
    for (CountryParam p : {CountryParam::build_lead_years, CountryParam::grid_lead_years}) {
      const int k = static_cast<int>(p);
      const double x = cp.values(i, k);
      if (std::isnan(x) || x >= *dt_) continue;
      const std::string nm(spec(p).name);
      diags_.add(chosen[k] ? chosen[k]->loc : dt_loc_, prefix + nm,
                 nm + " = " + fmt(x) + (chosen[k] ? "" : " (built-in default)") +
                     " is shorter than the step dt = " + fmt(*dt_) +
                     ": the model's delay lines are in whole steps, so allowed " + nm + " >= dt");
    }
  }

  // Every value the countries CSV gives for a country that takes part needs a source row.
  void check_provenance_complete(const std::vector<std::string>& order) {
    for (const auto& iso3 : order) {
      const CsvCountry* c = csv_country(iso3);
      if (!c) continue;
      for (const auto& [name, cell] : c->cells) {
        if (provenance_.count(iso3 + "." + name)) continue;
        const CsvField& f = cell.first;
        diags_.add({sc_.csv_path, f.line, f.column}, "country." + iso3 + "." + name,
                   "column '" + name + "': value '" + f.text +
                       "' has no provenance: allowed values with a row " + iso3 + "," + name +
                       ",BASIS,LOW,HIGH,SOURCE,NOTE in " + sources_path_ +
                       " (basis reported or derived with a source, or assumption with a note)");
      }
    }
  }

  // ---- [sweep] ----

  // A parameter a lever or an uncertain entry sets, for finding overlaps: "global.NAME" or
  // "country.NAME", and the country ("*": every country).
  struct Cell {
    std::string param;
    std::string country;
    bool overlaps(const Cell& o) const {
      return param == o.param && (country == "*" || o.country == "*" || country == o.country);
    }
  };

  struct LeverEntry {
    Lever lever;
    std::string dkey;  // sweep.levers."KEY", as diagnostics name it
    Loc at;
    std::vector<Loc> value_locs;
    std::optional<Cell> cell;  // when the key is valid
  };

  struct UncertainEntry {
    Uncertain u;
    std::string dkey;  // sweep.uncertain."KEY"
    Loc at;
    std::vector<Loc> value_locs;  // choice: where each value is written
    std::optional<Cell> cell;
    bool dist_ok = false;
  };

  static std::string lever_dkey(const std::string& key) { return "sweep.levers.\"" + key + "\""; }
  static std::string uncertain_dkey(const std::string& key) {
    return "sweep.uncertain.\"" + key + "\"";
  }

  // Orders values as they stand in the file, then those from --set.
  bool before(const toml::value& a, const toml::value& b) const {
    const Loc la = loc(a), lb = loc(b);
    auto rank = [](const Loc& l) { return l.file == kSetFile ? 1 : l.line == 0 ? 2 : 0; };
    return std::make_tuple(rank(la), la.line, la.column) <
           std::make_tuple(rank(lb), lb.line, lb.column);
  }

  // The entries of [sweep.levers] or [sweep.uncertain] with nested tables flattened into
  // dotted keys, so that an unquoted key (global.allocation = [...], which TOML reads as
  // nested tables) means the same as the quoted one. Lever values are arrays, so every
  // non-empty table is a level of keys; an uncertain parameter's value is a table itself,
  // so there only a table whose entries are all tables is a level.
  void flatten(const toml::value& t, const std::string& prefix, bool tables_are_values,
               std::vector<std::pair<std::string, const toml::value*>>& out) const {
    for (const auto& [k, v] : entries(t)) {
      const std::string key = prefix.empty() ? k : prefix + "." + k;
      const bool level =
          v->is_table() && !v->as_table().empty() &&
          (!tables_are_values || std::all_of(v->as_table().begin(), v->as_table().end(),
                                             [](const auto& kv) { return kv.second.is_table(); }));
      if (level)
        flatten(*v, key, tables_are_values, out);
      else
        out.emplace_back(key, v);
    }
    if (prefix.empty())
      std::stable_sort(out.begin(), out.end(), [this](const auto& a, const auto& b) {
        return before(*a.second, *b.second);
      });
  }

  // A value as TOML text that reads back as the same value, for `--set KEY=TEXT`:
  // inline tables, floats that stay floats and round-trip exactly, one line.
  static std::string render(const toml::value& v) {
    switch (v.type()) {
      case toml::value_t::boolean:
        return v.as_boolean() ? "true" : "false";
      case toml::value_t::integer:
        return std::to_string(v.as_integer());
      case toml::value_t::floating: {
        const double x = v.as_floating();
        if (std::isnan(x)) return "nan";
        if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
        char buf[64];
        for (int prec = 15; prec <= 17; ++prec) {
          std::snprintf(buf, sizeof buf, "%.*g", prec, x);
          if (std::strtod(buf, nullptr) == x) break;
        }
        std::string s = buf;
        if (s.find_first_of(".eE") == std::string::npos) s += ".0";
        return s;
      }
      case toml::value_t::string:
        return toml::format(v, std::numeric_limits<std::size_t>::max());
      case toml::value_t::array: {
        std::string s = "[";
        const auto& arr = v.as_array();
        for (std::size_t i = 0; i < arr.size(); ++i) s += (i ? ", " : "") + render(arr[i]);
        return s + "]";
      }
      case toml::value_t::table: {
        std::vector<std::pair<std::string, const toml::value*>> items;
        for (const auto& [k, x] : v.as_table()) items.emplace_back(k, &x);
        // The file's order where known (the tree is unordered), else by name.
        std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
          const auto la = a.second->location(), lb = b.second->location();
          return std::make_tuple(la.line(), la.column(), a.first) <
                 std::make_tuple(lb.line(), lb.column(), b.first);
        });
        std::string s = "{";
        for (std::size_t i = 0; i < items.size(); ++i)
          s +=
              (i ? ", " : "") + toml::format_key(items[i].first) + " = " + render(*items[i].second);
        return s + "}";
      }
      default:
        return toml::format(v, std::numeric_limits<std::size_t>::max());
    }
  }

  std::vector<std::string> resolved_countries() const { return sc_.params.countries.iso3; }

  // Checks a lever key the way --set reads keys; returns the parameter it sets.
  // `resolved`: the scenario's countries are known (the rest of it is valid).
  std::optional<Cell> check_lever_key(const std::string& key, const Loc& at, const std::string& dk,
                                      bool resolved) {
    const char* forms =
        "allowed global.NAME, defaults.NAME or country.ISO3.NAME (keys as for --set)";
    const std::vector<std::string> parts = key_parts(key);
    if (parts.empty()) {
      diags_.add(at, dk, "malformed key '" + key + "': " + forms);
      return std::nullopt;
    }
    const std::string& head = parts[0];
    if (head == "simulation") {
      diags_.add(at, dk,
                 "simulation settings cannot be levers: start_year, end_year and dt set the "
                 "length of every output array and seed draws the sampled futures; " +
                     std::string(forms) + " (run one sweep per simulation setting)");
      return std::nullopt;
    }
    if (head == "countries") {
      diags_.add(at, dk,
                 "'" + key + "' cannot be a lever: every run of a sweep has the same countries; " +
                     forms + " (run one sweep per set of countries)");
      return std::nullopt;
    }
    if (head == "sweep") {
      diags_.add(at, dk, "the sweep's own settings cannot be levers: " + std::string(forms));
      return std::nullopt;
    }
    static const std::vector<std::string> roots = {"global", "defaults", "country"};
    if (std::find(roots.begin(), roots.end(), head) == roots.end()) {
      diags_.add(at, dk, "unknown section '" + head + "'" + hint(head, roots) + ": " + forms);
      return std::nullopt;
    }
    if (parts.size() != (head == "country" ? 3u : 2u)) {
      diags_.add(at, dk, "malformed key '" + key + "': " + forms);
      return std::nullopt;
    }
    const std::string& name = parts.back();
    if (head == "global") {
      if (name == "data") {
        diags_.add(at, dk,
                   "global.data cannot be a lever: data files are named in the scenario file; " +
                       std::string(forms));
        return std::nullopt;
      }
      if (!find_param(ParamScope::global, name)) {
        diags_.add(at, dk,
                   "unknown global parameter '" + name + "'" +
                       hint(name, names_in(ParamScope::global)) +
                       ": allowed the global parameters listed by `sovcap params`");
        return std::nullopt;
      }
      return Cell{"global." + name, ""};
    }
    std::vector<std::string> allowed = names_in(ParamScope::country);
    if (head == "country") allowed.insert(allowed.begin(), "name");
    if (!find_param(ParamScope::country, name) && !(head == "country" && name == "name")) {
      diags_.add(at, dk,
                 "unknown country parameter '" + name + "'" + hint(name, allowed) +
                     ": allowed the country parameters listed by `sovcap params`");
      return std::nullopt;
    }
    if (head == "defaults") return Cell{"country." + name, "*"};
    const std::string& iso3 = parts[1];
    if (!is_iso3(iso3)) {
      diags_.add(at, dk,
                 "'" + iso3 +
                     "' is not an ISO3 code: allowed 3 uppercase letters, e.g. "
                     "country.KOR.pue");
      return std::nullopt;
    }
    if (resolved && sc_.params.countries.find(iso3) < 0) {
      diags_.add(at, dk,
                 "country " + iso3 + " is not in the scenario" + hint(iso3, resolved_countries()) +
                     ": allowed countries: " + join(resolved_countries()));
      return std::nullopt;
    }
    return Cell{"country." + name, iso3};
  }

  void read_levers(const toml::value& table, std::vector<LeverEntry>& out, bool resolved) {
    std::vector<std::pair<std::string, const toml::value*>> items;
    flatten(table, "", false, items);
    for (const auto& [key, v] : items) {
      LeverEntry e;
      e.lever.key = key;
      e.dkey = lever_dkey(key);
      e.at = loc(*v);
      e.cell = check_lever_key(key, e.at, e.dkey, resolved);
      const char* form =
          "allowed a non-empty array of alternative values, each valid as --set KEY=VALUE, "
          "e.g. [800, 1600] or [\"pro_rata\", \"max_min_fair\"]";
      if (!v->is_array()) {
        diags_.add(e.at, e.dkey, "wrong type: " + describe(*v) + "; " + form);
        e.cell.reset();
      } else if (v->as_array().empty()) {
        diags_.add(e.at, e.dkey, std::string("empty array: ") + form);
        e.cell.reset();
      } else {
        const auto& arr = v->as_array();
        bool numeric = true;
        for (std::size_t i = 0; i < arr.size(); ++i) {
          const std::string text = render(arr[i]);
          const auto dup = std::find(e.lever.values.begin(), e.lever.values.end(), text);
          if (dup != e.lever.values.end()) {
            diags_.add(loc(arr[i]), e.dkey + "[" + std::to_string(i) + "]",
                       "value " + text + " is listed twice (first as [" +
                           std::to_string(dup - e.lever.values.begin()) +
                           "]): allowed each alternative once");
            e.cell.reset();
          }
          e.lever.values.push_back(text);
          e.value_locs.push_back(loc(arr[i]));
          numeric = numeric && is_number(arr[i]);
          if (is_number(arr[i])) e.lever.numeric.push_back(number(arr[i]));
        }
        if (!numeric) e.lever.numeric.clear();
      }
      out.push_back(std::move(e));
    }
  }

  // Checks each lever value by loading the scenario with it applied as --set KEY=VALUE;
  // what that load reports is reported at the value in [sweep.levers].
  // `scaled`: uncertain factors on the lever's parameter, checked against each value.
  void check_lever_values(const LeverEntry& e, const std::vector<const UncertainEntry*>& scaled) {
    for (std::size_t i = 0; i < e.lever.values.size(); ++i) {
      std::vector<std::string> overrides = sc_.overrides;
      overrides.push_back(e.lever.key + "=" + e.lever.values[i]);
      const std::string vk = e.dkey + "[" + std::to_string(i) + "]";
      try {
        const Scenario with = Loader(sc_.path, overrides, false, &sc_.text).load();
        const Loc& at = e.value_locs[i];
        const std::string prefix = "with " + e.lever.key + " = " + e.lever.values[i] + ": ";
        for (const UncertainEntry* u : scaled)
          check_uncertain_range(*u, with.params,
                                [&](const Loc&, const std::string& key, const std::string& msg) {
                                  diags_.add(at, vk, prefix + key + ": " + msg);
                                });
      } catch (const InputError& err) {
        const std::string& k = e.lever.key;
        for (const Diagnostic& d : err.diagnostics()) {
          const bool same = d.file == kSetFile && (d.key == k || d.key.rfind(k + "[", 0) == 0 ||
                                                   d.key.rfind(k + ".", 0) == 0);
          if (same)
            diags_.add(e.value_locs[i], vk + d.key.substr(k.size()), d.message);
          else
            diags_.add(e.value_locs[i], vk,
                       "with " + k + " = " + e.lever.values[i] + ": " + format_diagnostic(d));
        }
      }
    }
  }

  // The real-valued parameter an uncertain key names, its allowed range and where it goes.
  std::optional<Cell> check_uncertain_key(const std::string& key, UncertainEntry& e,
                                          bool resolved) {
    const Loc& at = e.at;
    const std::string& dk = e.dkey;
    Uncertain& u = e.u;
    const char* forms =
        "allowed global.NAME, country.ISO3.NAME, country.*.NAME (every country) or "
        "global.supply_shocks[I].start|end|factor, for real-valued parameters";
    const std::string shocks = "global.supply_shocks[";
    if (key.rfind(shocks, 0) == 0) {
      const auto close = key.find(']', shocks.size());
      const std::string digits =
          close == std::string::npos ? "" : key.substr(shocks.size(), close - shocks.size());
      const bool number_ok =
          !digits.empty() && digits.size() <= 6 &&
          std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!number_ok || close + 1 >= key.size() || key[close + 1] != '.') {
        diags_.add(at, dk, "malformed key '" + key + "': " + forms);
        return std::nullopt;
      }
      const std::string field = key.substr(close + 2);
      static const std::vector<std::string> fields = {"start", "end", "factor"};
      const auto f = std::find(fields.begin(), fields.end(), field);
      if (f == fields.end()) {
        diags_.add(at, dk,
                   "unknown supply-shock field '" + field + "'" + hint(field, fields) +
                       ": allowed start, end, factor");
        return std::nullopt;
      }
      const int index = std::stoi(digits);
      const auto n = sc_.params.global.supply_shocks.size();
      if (resolved && static_cast<std::size_t>(index) >= n) {
        diags_.add(at, dk,
                   "supply_shocks[" + digits + "] does not exist: the scenario has " +
                       std::to_string(n) + (n == 1 ? " supply shock" : " supply shocks") +
                       (n ? ": allowed indices 0 to " + std::to_string(n - 1)
                          : ": allowed only shocks given in [global] supply_shocks"));
        return std::nullopt;
      }
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

    const std::vector<std::string> parts = key_parts(key);
    if (parts.empty()) {
      diags_.add(at, dk, "malformed key '" + key + "': " + forms);
      return std::nullopt;
    }
    const std::string& head = parts[0];
    if (head == "simulation" || head == "countries" || head == "sweep") {
      diags_.add(at, dk, "'" + key + "' cannot be uncertain: " + forms);
      return std::nullopt;
    }
    if (head == "defaults") {
      diags_.add(at, dk,
                 "[defaults] cannot be sampled: write country.*." +
                     (parts.size() > 1 ? parts[1] : std::string("NAME")) +
                     " to sample a parameter for every country; " + forms);
      return std::nullopt;
    }
    if (head != "global" && head != "country") {
      diags_.add(at, dk,
                 "unknown section '" + head + "'" +
                     hint(head, std::vector<std::string>{"global", "country"}) + ": " + forms);
      return std::nullopt;
    }
    const ParamScope scope = head == "global" ? ParamScope::global : ParamScope::country;
    if (parts.size() != (head == "country" ? 3u : 2u)) {
      diags_.add(at, dk, "malformed key '" + key + "': " + forms);
      return std::nullopt;
    }
    const std::string& name = parts.back();
    const ParamSpec* p = find_param(scope, name);
    if (!p) {
      diags_.add(at, dk,
                 "unknown " + std::string(scope_name(scope)) + " parameter '" + name + "'" +
                     hint(name, names_in(scope, true)) +
                     ": allowed the real-valued parameters listed by `sovcap params`");
      return std::nullopt;
    }
    if (p->kind != ParamKind::real) {
      std::string what, lever_example;
      switch (p->kind) {
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
      std::string msg = "'" + name + "' " + what +
                        ", which a distribution cannot sample: " + forms +
                        "; sweep it as a lever instead, e.g. [sweep.levers] \"" +
                        (head == "country" && parts[1] == "*" ? "defaults." + name : key) +
                        "\" = " + lever_example;
      if (p->kind == ParamKind::shocks) msg += ", or sample global.supply_shocks[I].factor";
      diags_.add(at, dk, msg);
      return std::nullopt;
    }
    u.target.scope = scope;
    u.target.index = p->index;
    u.lo = p->lo;
    u.lo_open = p->lo_open;
    u.hi = p->hi;
    u.hi_open = p->hi_open;
    // The model's delay lines and chip retirement move in whole steps (see resolve_country).
    const bool whole_steps =
        name == "chip_lifetime_years" || name == "build_lead_years" || name == "grid_lead_years";
    if (whole_steps && dt_ && *dt_ > u.lo) {
      u.lo = *dt_;
      u.lo_open = false;
    }
    if (head == "global") return Cell{"global." + name, ""};
    const std::string& iso3 = parts[1];
    if (iso3 == "*") {
      u.target.country = -1;
      return Cell{"country." + name, "*"};
    }
    if (!is_iso3(iso3)) {
      diags_.add(at, dk,
                 "'" + iso3 +
                     "' is not an ISO3 code: allowed 3 uppercase letters (country.KOR.pue) or * "
                     "for every country (country.*.pue)");
      return std::nullopt;
    }
    const int c = sc_.params.countries.find(iso3);
    if (resolved && c < 0) {
      diags_.add(at, dk,
                 "country " + iso3 + " is not in the scenario" + hint(iso3, resolved_countries()) +
                     ": allowed countries: " + join(resolved_countries()) +
                     ", or * for every country");
      return std::nullopt;
    }
    u.target.country = c;
    return Cell{"country." + name, iso3};
  }

  // Reads {dist = ..., ...}; reports every problem and returns whether it is usable.
  bool read_distribution(const toml::value& v, UncertainEntry& e) {
    const std::string& dk = e.dkey;
    Uncertain& u = e.u;
    const std::string example = "e.g. {dist = \"uniform\", low = 0.1, high = 0.4}";
    static const std::vector<std::string> dists = {"uniform", "normal", "lognormal", "triangular",
                                                   "choice"};
    if (!v.is_table()) {
      diags_.add(loc(v), dk,
                 "wrong type: " + describe(v) +
                     " where a distribution is expected; allowed an inline table, " + example);
      return false;
    }
    const auto& t = v.as_table();
    const auto di = t.find("dist");
    if (di == t.end()) {
      diags_.add(loc(v), dk,
                 "missing 'dist': allowed dist = " + join(dists, "\"") + " with its parameters, " +
                     example);
      return false;
    }
    if (!di->second.is_string()) {
      diags_.add(loc(di->second), dk + ".dist",
                 "wrong type: " + describe(di->second) + " where a name is expected; allowed " +
                     join(dists, "\""));
      return false;
    }
    const std::string& dname = di->second.as_string().str;
    const auto found = std::find(dists.begin(), dists.end(), dname);
    if (found == dists.end()) {
      diags_.add(loc(di->second), dk + ".dist",
                 "unknown distribution \"" + dname + "\"" + hint(dname, dists, "\"", "\"") +
                     ": allowed " + join(dists, "\""));
      return false;
    }
    u.dist = static_cast<Distribution>(found - dists.begin());
    std::vector<std::string> params;
    switch (u.dist) {
      case Distribution::uniform:
        params = {"low", "high"};
        break;
      case Distribution::normal:
        params = {"mean", "sd"};
        break;
      case Distribution::lognormal:
        params = {"median", "sigma"};
        break;
      case Distribution::triangular:
        params = {"low", "mode", "high"};
        break;
      case Distribution::choice:
        params = {"values", "weights"};
        break;
    }
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
    for (const auto& [name, x] : entries(v)) {
      const std::string k = dk + "." + name;
      const Loc at = loc(*x);
      where[name] = at;
      if (name == "dist") continue;
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        unknown_key(at, k, name, allowed, "a " + dname + " distribution");
        ok = false;
        continue;
      }
      if (name == "multiply") {
        if (!x->is_boolean()) {
          diags_.add(at, k,
                     "wrong type: " + describe(*x) +
                         " where a boolean is expected; "
                         "allowed true (the sample multiplies the resolved value) or false");
          ok = false;
        } else {
          u.multiply = x->as_boolean();
        }
        continue;
      }
      if (name == "values" || name == "weights") {
        if (!x->is_array()) {
          diags_.add(at, k, "wrong type: " + describe(*x) + "; allowed an array of numbers");
          ok = false;
          continue;
        }
        const auto& arr = x->as_array();
        std::vector<double>& out = name == "values" ? u.values : u.weights;
        for (std::size_t i = 0; i < arr.size(); ++i) {
          const std::string ik = k + "[" + std::to_string(i) + "]";
          if (!is_number(arr[i]) || !std::isfinite(number(arr[i]))) {
            diags_.add(loc(arr[i]), ik,
                       (is_number(arr[i]) ? fmt(number(arr[i])) + " is not finite"
                                          : "wrong type: " + describe(arr[i])) +
                           ": allowed finite numbers");
            ok = false;
            continue;
          }
          if (name == "weights" && number(arr[i]) < 0.0) {
            diags_.add(loc(arr[i]), ik,
                       "weight " + fmt(number(arr[i])) + " is negative: allowed weights >= 0");
            ok = false;
          }
          out.push_back(number(arr[i]));
          if (name == "values") e.value_locs.push_back(loc(arr[i]));
        }
        continue;
      }
      if (!is_number(*x) || !std::isfinite(number(*x))) {
        diags_.add(at, k,
                   (is_number(*x) ? name + " = " + fmt(number(*x)) + " is not finite"
                                  : "wrong type: " + describe(*x) + " where a number is expected") +
                       ": allowed a finite number");
        ok = false;
        continue;
      }
      num[name] = number(*x);
    }
    for (const auto& p : params)
      if (p != "weights" && !t.count(p)) {
        diags_.add(loc(v), dk, "missing '" + p + "': allowed " + form);
        ok = false;
      }
    if (!ok) return false;

    auto bad = [&](const std::string& name, const std::string& msg) {
      diags_.add(where[name], dk + "." + name, msg);
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
          bad("low",
              "low = " + fmt(lo) + " is not below high = " + fmt(hi) + ": allowed low < high");
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
        if (!u.weights.empty() || t.count("weights")) {
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

  static std::string describe_dist(const Uncertain& u) {
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
  static std::string range_text(const Uncertain& u) {
    ParamSpec s{
        "", ParamScope::global, ParamKind::real, "", 0.0, u.lo, u.lo_open, u.hi, u.hi_open, "", {},
        -1};
    return s.allowed();
  }

  // Every resolved value the parameter takes (one per country for country.*), with whose.
  static std::vector<std::pair<double, std::string>> bases(const Uncertain& u, const RunParams& p) {
    const ParamTarget& t = u.target;
    if (t.index < 0) {
      const SupplyShock& s = p.global.supply_shocks[static_cast<std::size_t>(t.shock)];
      return {{t.shock_field == 0 ? s.start : t.shock_field == 1 ? s.end : s.factor, ""}};
    }
    if (t.scope == ParamScope::global)
      return {{p.global.values[static_cast<std::size_t>(t.index)], ""}};
    std::vector<std::pair<double, std::string>> out;
    for (int c = 0; c < p.countries.size(); ++c)
      if (t.country < 0 || t.country == c)
        out.emplace_back(p.countries.values(c, t.index),
                         p.countries.iso3[static_cast<std::size_t>(c)]);
    return out;
  }

  // With the scenario resolved: every value the distribution can give must be valid.
  // `params`: the resolved values (those of one lever value when checking a lever).
  template <class Report>
  void check_uncertain_range(const UncertainEntry& e, const RunParams& params, Report&& report) {
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
                   (u.multiply ? " times the resolved " + pname + whose + " (" + fmt(base) + ")"
                               : "") +
                   " gives no probability to the allowed range of " + pname + ", " + allowed +
                   ": allowed a distribution with values in that range (it is truncated "
                   "to the range)");
        return;
      }
      if (!u.multiply) return;
    }
  }

  static bool in_range(double v, const Uncertain& u) {
    return (u.lo_open ? v > u.lo : v >= u.lo) && (u.hi_open ? v < u.hi : v <= u.hi);
  }

  void read_uncertain(const toml::value& table, std::vector<UncertainEntry>& out, bool resolved) {
    std::vector<std::pair<std::string, const toml::value*>> items;
    flatten(table, "", true, items);
    for (const auto& [key, v] : items) {
      UncertainEntry e;
      e.u.key = key;
      e.dkey = uncertain_dkey(key);
      e.at = loc(*v);
      e.cell = check_uncertain_key(key, e, resolved);
      e.dist_ok = read_distribution(*v, e);
      out.push_back(std::move(e));
    }
  }

  void read_sweep() {
    const toml::value* sect = section("sweep");
    if (!sect) return;
    // Checks against resolved values (countries, shocks, ranges, lever values) need the
    // rest of the scenario to be valid; its problems are reported already.
    const bool resolved = diags_.empty();
    static const std::vector<std::string> methods = {"monte_carlo", "lhs", "sobol", "saltelli"};
    SweepSpec spec;
    std::optional<Loc> method_at, samples_at;
    long long samples = 1;
    std::vector<LeverEntry> levers;
    std::vector<UncertainEntry> uncertain;
    bool method_ok = true, samples_ok = true;
    for (const auto& [name, v] : entries(*sect)) {
      const std::string key = "sweep." + name;
      const Loc at = loc(*v);
      if (name == "method") {
        method_at = at;
        const auto m = v->is_string()
                           ? std::find(methods.begin(), methods.end(), v->as_string().str)
                           : methods.end();
        if (m != methods.end()) {
          spec.method = static_cast<SamplingMethod>(m - methods.begin());
        } else {
          method_ok = false;
          diags_.add(
              at, key,
              (v->is_string() ? "unknown method \"" + v->as_string().str + "\"" +
                                    hint(v->as_string().str, methods, "\"", "\"")
                              : "wrong type: " + describe(*v) + " where a name is expected") +
                  ": allowed " + join(methods, "\""));
        }
      } else if (name == "samples") {
        samples_at = at;
        if (!v->is_integer() || v->as_integer() < 1 || v->as_integer() > 1000000000) {
          samples_ok = false;
          diags_.add(
              at, key,
              (v->is_integer() ? "samples = " + std::to_string(v->as_integer()) + " is out of range"
                               : "wrong type: " + describe(*v) + " where an integer is expected") +
                  ": allowed an integer in [1, 1e9] (the base sample size N)");
        } else {
          samples = v->as_integer();
        }
      } else if (name == "levers" || name == "uncertain") {
        if (!v->is_table()) {
          diags_.add(at, key,
                     "wrong type: " + describe(*v) +
                         " where a table is expected; allowed a "
                         "section [" +
                         key + "]");
          continue;
        }
        if (name == "levers")
          read_levers(*v, levers, resolved);
        else
          read_uncertain(*v, uncertain, resolved);
      } else {
        unknown_key(at, key, name, {"method", "samples", "levers", "uncertain"}, "[sweep]");
      }
    }
    const Loc sweep_at = loc(*sect);

    if (levers.empty() && uncertain.empty()) {
      diags_.add(sweep_at, "sweep",
                 "the sweep has neither levers nor uncertain parameters: allowed [sweep.levers] "
                 "(\"KEY\" = [alternatives...]) and/or [sweep.uncertain] (\"KEY\" = {dist = ...}), "
                 "or no [sweep] section");
      return;
    }

    // Overlaps: a value is either chosen by a lever or sampled, and sampled once.
    for (std::size_t i = 0; i < uncertain.size(); ++i) {
      UncertainEntry& e = uncertain[i];
      if (!e.cell) continue;
      for (const auto& l : levers) {
        if (!l.cell || !e.cell->overlaps(*l.cell)) continue;
        // A factor scales whatever value the policy sets (a lever, then a shared draw).
        if (e.u.multiply && e.u.target.index >= 0) continue;
        diags_.add(e.at, e.dkey,
                   "also set by the lever " + l.dkey + " (line " + std::to_string(l.at.line) +
                       "): allowed each parameter either as a lever or as uncertain, not both "
                       "(or uncertain with multiply = true, a factor on the lever's values)");
        e.cell.reset();
        break;
      }
      if (!e.cell) continue;
      for (std::size_t j = 0; j < i; ++j) {
        const UncertainEntry& o = uncertain[j];
        if (!o.cell || !e.cell->overlaps(*o.cell)) continue;
        // Distinct fields of one shock, or of different shocks, are distinct values.
        if (e.u.target.index < 0 && (e.u.target.shock != o.u.target.shock ||
                                     e.u.target.shock_field != o.u.target.shock_field)) {
          if (e.u.target.shock == o.u.target.shock && e.u.target.shock_field != 2 &&
              o.u.target.shock_field != 2) {
            diags_.add(e.at, e.dkey,
                       "start and end of supply_shocks[" + std::to_string(e.u.target.shock) +
                           "] are both sampled (" + o.dkey +
                           "), which could give start >= end: "
                           "allowed sampling one of them");
            e.cell.reset();
            break;
          }
          continue;
        }
        diags_.add(e.at, e.dkey,
                   "also sampled by " + o.dkey + " (line " + std::to_string(o.at.line) +
                       "): allowed each parameter sampled once");
        e.cell.reset();
        break;
      }
    }
    for (std::size_t i = 0; i < levers.size(); ++i)
      for (std::size_t j = 0; j < i && levers[i].cell; ++j)
        if (levers[j].cell && levers[i].cell->overlaps(*levers[j].cell)) {
          diags_.add(levers[i].at, levers[i].dkey,
                     "sets the same parameter as the lever " + levers[j].dkey + " (line " +
                         std::to_string(levers[j].at.line) +
                         "): allowed each parameter in one lever (list the combinations you "
                         "want in one of them)");
          levers[i].cell.reset();
        }

    // A shock's start must stay before its end: the fixed one bounds the sampled one.
    if (resolved)
      for (auto& e : uncertain) {
        const ParamTarget& t = e.u.target;
        if (!e.cell || t.index >= 0 || t.shock_field == 2) continue;
        const SupplyShock& s = sc_.params.global.supply_shocks[static_cast<std::size_t>(t.shock)];
        if (t.shock_field == 0) {
          e.u.hi = s.end;
          e.u.hi_open = true;
        } else {
          e.u.lo = s.start;
          e.u.lo_open = true;
        }
      }

    if (resolved)
      for (const auto& e : uncertain)
        if (e.cell && e.dist_ok)
          check_uncertain_range(
              e, sc_.params, [this](const Loc& at, const std::string& key, const std::string& msg) {
                diags_.add(at, key, msg);
              });

    // The design.
    const long long d = static_cast<long long>(uncertain.size());
    if (samples_ok && method_ok) {
      const Loc s_at = samples_at ? *samples_at : sweep_at;
      if (d == 0 && samples > 1)
        diags_.add(s_at, "sweep.samples",
                   "samples = " + std::to_string(samples) +
                       " with no uncertain parameters would repeat each policy's run: allowed "
                       "samples = 1 (or none) when only levers are swept");
      if (d > 0 && !samples_at)
        diags_.add(sweep_at, "sweep.samples",
                   "missing 'samples': allowed samples = N (an integer >= 1), the number of "
                   "sampled futures");
      if (spec.method == SamplingMethod::saltelli) {
        if (d == 0)
          diags_.add(method_at ? *method_at : sweep_at, "sweep.method",
                     "method \"saltelli\" needs uncertain parameters: allowed [sweep.uncertain] "
                     "entries, or a method without sensitivity indices");
        if (samples < 2)
          diags_.add(s_at, "sweep.samples",
                     "samples = " + std::to_string(samples) +
                         " is too few for method \"saltelli\": allowed samples >= 2");
      }
      const long long dims = spec.method == SamplingMethod::saltelli ? 2 * d : d;
      if ((spec.method == SamplingMethod::sobol || spec.method == SamplingMethod::saltelli) &&
          dims > kMaxSobolDimensions)
        diags_.add(method_at ? *method_at : sweep_at, "sweep.method",
                   std::to_string(d) + " uncertain parameters need " + std::to_string(dims) +
                       " Sobol dimensions: allowed at most " + std::to_string(kMaxSobolDimensions) +
                       " (use monte_carlo or lhs)");
      // LHS keeps one permutation of the strata per parameter in memory.
      constexpr double kMaxLhsCells = 1e8;
      if (spec.method == SamplingMethod::lhs &&
          static_cast<double>(samples) * static_cast<double>(d) > kMaxLhsCells)
        diags_.add(s_at, "sweep.samples",
                   "lhs keeps a permutation of the samples per uncertain parameter: samples * "
                   "parameters = " +
                       fmt(static_cast<double>(samples) * static_cast<double>(d)) +
                       ": allowed at most 1e8 (use sobol or monte_carlo for larger designs)");
      double policies = 1.0;
      for (const auto& l : levers) policies *= static_cast<double>(l.lever.values.size());
      const double per_policy =
          static_cast<double>(samples) *
          (spec.method == SamplingMethod::saltelli ? static_cast<double>(d + 2) : 1.0);
      if (policies * per_policy > 1e9)
        diags_.add(
            s_at, "sweep.samples",
            fmt(policies) + " policies x " + fmt(per_policy) +
                " samples per policy = " + fmt(policies * per_policy) +
                " runs: allowed at most 1e9 runs in a sweep (fewer samples or lever values)");
    }

    // Each lever value, loaded as --set KEY=VALUE (without [sweep]): only when the rest of
    // the scenario is valid, so the problems reported are the value's own. A lever that
    // --set also gives is pinned for this load (that is how a policy's parameters are
    // loaded), and its values are checked when the policies are.
    if (resolved) {
      std::set<std::string> pinned;
      for (const auto& ov : sc_.overrides) {
        const auto eq = ov.find('=');
        if (eq != std::string::npos)
          pinned.insert(std::string(trim_blanks(std::string_view(ov).substr(0, eq))));
      }
      for (const auto& l : levers)
        if (l.cell && !pinned.count(l.lever.key)) {
          std::vector<const UncertainEntry*> scaled;
          for (const auto& e : uncertain)
            if (e.cell && e.dist_ok && e.u.multiply && e.cell->overlaps(*l.cell))
              scaled.push_back(&e);
          check_lever_values(l, scaled);
        }
    }

    spec.samples = static_cast<int>(samples);
    for (auto& l : levers) spec.levers.push_back(std::move(l.lever));
    for (auto& e : uncertain) spec.uncertain.push_back(std::move(e.u));
    sc_.sweep = std::move(spec);
  }

  Diags diags_;
  Scenario sc_;
  // loc()'s index of the scenario text: where each line starts.
  mutable const std::vector<char>* indexed_source_ = nullptr;
  mutable std::vector<std::size_t> line_starts_;
  bool with_sweep_ = true;
  const std::string* text_ = nullptr;
  toml::value root_;
  std::map<std::string, std::string> made_by_set_;  // ISO3 -> the --set key that named it
  std::optional<double> start_year_;                // when valid: targets must come after it
  std::optional<double> dt_;  // when valid: lead times and lifetimes must reach it
  Loc dt_loc_;
  CountryLayer defaults_;
  std::vector<CsvCountry> csv_countries_;
  std::vector<InlineCountry> inline_;
  std::vector<IncludeEntry> include_;
  bool include_given_ = false;
  Loc include_loc_;
  bool csv_ok_ = false;
  bool csv_failed_ = false;
  bool csv_header_bad_ = false;
  std::map<std::string, int> provenance_;  // "ISO3.parameter" -> line in the sources file
  std::string sources_path_;
  bool sources_ok_ = false;
};

}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  return Loader(path, overrides).load();
}

}  // namespace sovcap
