// Diagnostics: their text form, the InputError that carries them, did-you-mean hints and
// the small wording helpers every stage of the loader uses.

#include <algorithm>
#include <cstdio>

#include "sovcap/loader/loader.hpp"

namespace sovcap {

namespace {

// `s` with control characters (C0, DEL, C1) written as \xNN or \u00NN: a diagnostic
// quotes the input, which must not drive the user's terminal.
std::string printable(std::string_view s) {
  std::string out;
  char buf[16];
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const auto next = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0u;
    if (c < 0x20 || c == 0x7F) {
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {
      std::snprintf(buf, sizeof buf, "\\u%04X", next);
      out += buf;
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string format_diagnostic(const Diagnostic& d) {
  std::string s = printable(d.file);
  if (!s.empty() && d.line > 0) {
    s += ':' + std::to_string(d.line);
    if (d.column > 0) s += ':' + std::to_string(d.column);
  }
  if (!s.empty()) s += ": ";
  if (!d.key.empty()) s += printable(d.key) + ": ";
  return s + printable(d.message);
}

namespace {

std::string join_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string s;
  for (const auto& d : diagnostics) {
    if (!s.empty()) s += '\n';
    s += format_diagnostic(d);
  }
  return s.empty() ? "invalid input" : s;
}

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

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_diagnostics(diagnostics)), diagnostics_(std::move(diagnostics)) {}

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

namespace loader {

// Past this many, more diagnostics help nobody: the input is probably the wrong file.
constexpr std::size_t kMaxDiagnostics = 200;

std::vector<Diagnostic> Diags::take() {
  if (list_.size() > kMaxDiagnostics) {
    const std::size_t more = list_.size() - kMaxDiagnostics;
    list_.resize(kMaxDiagnostics);
    list_.push_back({"", 0, 0, "", std::to_string(more) + " more problems not shown"});
  }
  return std::move(list_);
}

std::string fmt(double v) { return format_value(v); }

std::string join(const std::vector<std::string>& items, const std::string& quote) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) s += ", ";
    s += quote + items[i] + quote;
  }
  return s;
}

std::string hint(const std::string& word, const std::vector<std::string>& candidates,
                 const std::string& open, const std::string& close) {
  const std::string guess = did_you_mean(word, candidates);
  return guess.empty() ? "" : " (did you mean " + open + guess + close + "?)";
}

bool is_iso3(std::string_view s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::vector<std::string> key_parts(const std::string& key) {
  std::vector<std::string> parts(1);
  for (char c : key) {
    if (c == '.')
      parts.emplace_back();
    else
      parts.back() += c;
  }
  for (const auto& p : parts)
    if (p.empty()) return {};
  return parts;
}

std::vector<std::string> names_in(ParamScope scope, bool only_real) {
  std::vector<std::string> names;
  for (const auto& s : param_specs())
    if (s.scope == scope && (!only_real || s.kind == ParamKind::real)) names.emplace_back(s.name);
  return names;
}

std::string origin_of(const Loc& at) {
  if (at.file == kSetFile) return "--set";
  return at.file + ":" + std::to_string(at.line);
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

void unknown_key(Diags& diags, const Loc& at, const std::string& key, const std::string& name,
                 const std::vector<std::string>& allowed, const std::string& where) {
  std::string msg = "unknown key '" + name + "' in " + where + hint(name, allowed);
  if (allowed.size() <= 8)
    msg += ": allowed keys: " + join(allowed);
  else
    msg += ": allowed keys are the parameter names listed by `sovcap params`";
  diags.add(at, key, msg);
}

}  // namespace loader
}  // namespace sovcap
