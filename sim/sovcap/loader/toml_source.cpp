// The scenario text: reading it, parsing it as TOML, locating its values, and applying
// the --set overrides to the parsed tree.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <limits>
#include <sstream>
#include <tuple>

#include "sovcap/loader/loader.hpp"

namespace sovcap::loader {
namespace {

// A toml11 syntax error message cut down to one line, with the place it points at: the
// last "^---" marker is where the parser gave up.
struct TomlErrorSummary {
  int line = 0;
  int column = 0;
  std::string text;
};

// toml11's first line without its prefix and internal function name ("toml::parse_array: ").
std::string toml_error_head(std::string head) {
  if (head.rfind("[error] ", 0) == 0) head.erase(0, 8);
  if (head.rfind("toml::", 0) == 0) {
    const auto colon = head.find(": ");
    if (colon != std::string::npos) head.erase(0, colon + 2);
  }
  return head;
}

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
      r.text = toml_error_head(ln);
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

// The literal as written when toml11 read it clamped: istream saturates an integer past
// int64 and a float past DBL_MAX without a word; "" when the value is what was written.
std::string overflowed_literal(const toml::value& v) {
  if (!v.is_integer() && !v.is_floating()) return "";
  if (v.is_floating() && std::abs(v.as_floating()) != std::numeric_limits<double>::max())
    return "";
  std::string text = toml::detail::get_region(v)->str();
  std::string digits = text;
  digits.erase(std::remove(digits.begin(), digits.end(), '_'), digits.end());
  if (!digits.empty() && digits[0] == '+') digits.erase(0, 1);
  if (v.is_floating()) return std::isinf(std::strtod(digits.c_str(), nullptr)) ? text : "";
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && std::isalpha(static_cast<unsigned char>(digits[1]))) {
    base = digits[1] == 'x' ? 16 : digits[1] == 'o' ? 8 : 2;
    digits.erase(0, 2);
  }
  std::int64_t x = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), x, base);
  (void)end;
  return ec == std::errc::result_out_of_range ? text : "";
}

// Reports every number literal in `v` that toml11 clamped (see overflowed_literal).
bool check_literals(const TomlSource& src, const toml::value& v, const std::string& key,
                    Diags& diags) {
  if (const std::string lit = overflowed_literal(v); !lit.empty()) {
    diags.add(src.loc(v), key,
              lit + (v.is_integer() ? " overflows a 64-bit integer: allowed integers from "
                                      "-9223372036854775808 to 9223372036854775807"
                                    : " overflows a double: allowed numbers up to about "
                                      "1.8e308 in size"));
    return false;
  }
  bool ok = true;
  if (v.is_array()) {
    const auto& arr = v.as_array();
    for (std::size_t i = 0; i < arr.size(); ++i)
      ok = check_literals(src, arr[i], key + "[" + std::to_string(i) + "]", diags) && ok;
  } else if (v.is_table()) {
    for (const auto& [k, x] : v.as_table())
      ok = check_literals(src, x, key.empty() ? k : key + "." + k, diags) && ok;
  }
  return ok;
}

// A bare word is almost always a name typed without quotes (allocation=max_min_fair).
bool is_bare_word(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(),
                     [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                     }) &&
         !std::isdigit(static_cast<unsigned char>(text[0])) && text[0] != '-';
}

// `prepared`: `text` as prepare_toml gave it back.
std::optional<toml::value> parse_set_value(const std::string& text, const std::string& prepared,
                                           const std::string& key, Diags& diags) {
  auto parse = [&](const std::string& src) {
    std::istringstream is("v = " + src);
    return toml::parse(is, kSetFile);
  };
  try {
    const toml::value doc = parse(prepared);
    if (doc.as_table().size() != 1 || !doc.as_table().count("v")) {
      diags.add({kSetFile, 0, 0}, key,
                "'" + text + "' is more than one TOML value: allowed a single value");
      return std::nullopt;
    }
    return doc.as_table().at("v");
  } catch (const std::exception& e) {
    // Taken as a string rather than make shell users nest quotes.
    if (is_bare_word(text)) {
      try {
        return parse("\"" + text + "\"").as_table().at("v");
      } catch (const std::exception&) {
      }
    }
    const auto* se = dynamic_cast<const toml::syntax_error*>(&e);
    const std::string why = se ? summarize_toml_error(se->what()).text : e.what();
    diags.add({kSetFile, 0, 0}, key,
              "cannot parse '" + text + "' as a TOML value (" + why +
                  "): allowed a TOML value, e.g. 5e6, 2030, \"max_min_fair\", [[2030, 1000]], "
                  "[{start = 2028.0, end = 2029.0, factor = 0.5}]");
    return std::nullopt;
  }
}

// What is wrong with --set KEY as a key (parts: its dot-separated parts), or "".
std::string set_key_problem(const std::string& key, const std::vector<std::string>& parts) {
  static const std::vector<std::string> roots = {"simulation", "global",    "defaults",
                                                 "country",    "countries", "sweep"};
  const std::string forms =
      "allowed simulation.NAME, global.NAME, defaults.NAME, country.ISO3.NAME, country.*.NAME, "
      "countries.include, sweep.samples or sweep.method";
  if (parts.empty()) return "malformed key '" + key + "': " + forms;
  const std::string& head = parts[0];
  if (std::find(roots.begin(), roots.end(), head) == roots.end())
    return "unknown section '" + head + "'" + hint(head, roots) + ": " + forms;
  if (parts.size() != (head == "country" ? 3u : 2u)) return "malformed key '" + key + "': " + forms;
  if ((head == "countries" && parts[1] != "include") || (head == "global" && parts[1] == "data"))
    return "cannot be set from the command line: " + forms +
           "; data files are named in the scenario file";
  if (head == "sweep" && parts[1] != "samples" && parts[1] != "method")
    return "cannot be set from the command line: allowed sweep.samples and sweep.method; "
           "levers and uncertain parameters are written in the scenario's [sweep] section";
  if (head == "country" && !is_iso3(parts[1]) && parts[1] != kEveryCountry)
    return "'" + parts[1] +
           "' is not an ISO3 code: allowed 3 uppercase letters, e.g. country.KOR.pue, or * for "
           "every country (country.*.pue)";
  return "";
}

}  // namespace

bool TomlSource::parse(const std::string& text, Diags& diags) {
  // toml11 reads past its buffer on some invalid UTF-8 and recurses once per nesting level.
  if (!check_utf8(text, {path_, 1, 1}, "", diags)) return false;
  const auto prepared = prepare_toml(text, {path_, 1, 1}, "", inserted_, diags);
  if (!prepared) return false;
  line_starts_.assign(1, 0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  std::istringstream is(*prepared);
  try {
    root_ = toml::parse(is, path_);
  } catch (const toml::syntax_error& e) {
    TomlErrorSummary s = summarize_toml_error(e.what());
    if (s.line == 0) {
      s.line = static_cast<int>(e.location().line());
      s.column = static_cast<int>(e.location().column());
    }
    Loc at{path_, s.line, s.column};
    if (!inserted_.empty() && s.line > 0) {
      // toml11 counted the lines of the prepared text.
      std::size_t offset = 0;
      for (int line = 1; line < s.line && offset < prepared->size(); ++offset)
        if ((*prepared)[offset] == '\n') ++line;
      at = file_loc(offset + static_cast<std::size_t>(std::max(s.column, 1) - 1));
    }
    diags.add(at, "", "TOML syntax error: " + s.text + "; allowed TOML syntax (https://toml.io)");
    return false;
  } catch (const std::exception& e) {
    diags.add({path_, 0, 0}, "", std::string("cannot parse the scenario file: ") + e.what());
    return false;
  }
  return check_literals(*this, root_, "", diags);
}

Loc TomlSource::file_loc(std::size_t offset) const {
  offset -= static_cast<std::size_t>(
      std::lower_bound(inserted_.begin(), inserted_.end(), offset) - inserted_.begin());
  const auto line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) -
                    line_starts_.begin();
  const std::size_t column = offset - line_starts_[static_cast<std::size_t>(line - 1)] + 1;
  return {path_, static_cast<int>(line), static_cast<int>(column)};
}

Loc TomlSource::loc(const toml::value& v) const {
  const toml::detail::region_base* base = toml::detail::get_region(v);
  const std::string name = base->name();
  if (name == kSetFile) return {kSetFile, 0, 0};
  if (name != path_) return {path_, 0, 0};
  const auto* reg = dynamic_cast<const toml::detail::region*>(base);
  if (reg == nullptr) {
    const auto l = v.location();
    return {path_, static_cast<int>(l.line()), static_cast<int>(l.column())};
  }
  return file_loc(static_cast<std::size_t>(reg->first() - reg->source()->cbegin()));
}

Entries TomlSource::entries(const toml::value& table) const {
  Entries out;
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

bool TomlSource::before(const toml::value& a, const toml::value& b) const {
  const Loc la = loc(a), lb = loc(b);
  auto rank = [](const Loc& l) { return l.file == kSetFile ? 1 : l.line == 0 ? 2 : 0; };
  return std::make_tuple(rank(la), la.line, la.column) <
         std::make_tuple(rank(lb), lb.line, lb.column);
}

const toml::value* TomlSource::section(const std::string& name) const {
  const auto& t = root_.as_table();
  const auto it = t.find(name);
  if (it == t.end() || !it->second.is_table()) return nullptr;
  return &it->second;
}

Loc TomlSource::section_loc(const std::string& name) const {
  const toml::value* s = section(name);
  return s ? loc(*s) : Loc{path_, 0, 0};
}

std::string TomlSource::resolve_path(const std::string& rel) const {
  namespace fs = std::filesystem;
  const fs::path p(rel);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (fs::path(path_).parent_path() / p).lexically_normal().string();
}

std::map<std::string, std::string> apply_overrides(TomlSource& src,
                                                   const std::vector<std::string>& overrides,
                                                   Diags& diags) {
  std::map<std::string, std::string> made_by_set;
  const Loc at{kSetFile, 0, 0};
  for (const auto& ov : overrides) {
    if (!check_utf8(ov, at, "", diags)) continue;
    const auto eq = ov.find('=');
    if (eq == std::string::npos) {
      diags.add(at, ov, "expected KEY=VALUE (e.g. global.vendor_supply=5e6) but found no '='");
      continue;
    }
    const std::string key(trim_blanks(std::string_view(ov).substr(0, eq)));
    const std::string text(trim_blanks(std::string_view(ov).substr(eq + 1)));
    const std::vector<std::string> parts = key_parts(key);
    if (const std::string problem = set_key_problem(key, parts); !problem.empty()) {
      diags.add(at, key, problem);
      continue;
    }
    std::vector<std::size_t> inserted;  // --set has no lines to locate
    const auto prepared = prepare_toml(text, at, key, inserted, diags);
    if (!prepared) continue;
    auto value = parse_set_value(text, *prepared, key, diags);
    if (!value || !check_literals(src, *value, key, diags)) continue;

    const std::string& head = parts[0];
    toml::value& sect = src.root().as_table()[head];
    if (sect.is_uninitialized()) sect = toml::table{};
    if (!sect.is_table()) {
      diags.add(
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
        if (parts[1] != kEveryCountry) made_by_set[parts[1]] = key;
      }
      if (!c.is_table()) {
        diags.add(at, key,
                  "cannot apply: 'country." + parts[1] + "' in the scenario is " + describe(c) +
                      ", not a table");
        continue;
      }
      target = &c;
    }
    target->as_table()[parts.back()] = *value;
  }
  return made_by_set;
}

void check_sections(const TomlSource& src, Diags& diags) {
  static const std::vector<std::string> allowed = {"simulation", "global",  "defaults",
                                                   "countries",  "country", "sweep"};
  for (const auto& [name, v] : src.entries(src.root())) {
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
      diags.add(src.loc(*v), name, msg);
    } else if (!v->is_table()) {
      diags.add(src.loc(*v), name,
                "wrong type: " + describe(*v) + " where a table is expected; allowed a section [" +
                    name + "]");
    }
  }
}

std::string render(const TomlSource& src, const toml::value& v) {
  switch (v.type()) {
    case toml::value_t::boolean:
      return v.as_boolean() ? "true" : "false";
    case toml::value_t::integer:
      return std::to_string(v.as_integer());
    case toml::value_t::floating: {
      const double x = v.as_floating();
      if (std::isnan(x)) return "nan";
      if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
      // The shortest of 15 to 17 digits that reads back as the same double.
      char buf[64];
      for (int prec = 15; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, x);
        if (std::strtod(buf, nullptr) == x) break;
      }
      std::string s = buf;
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
    case toml::value_t::array: {
      std::string s = "[";
      const auto& arr = v.as_array();
      for (std::size_t i = 0; i < arr.size(); ++i) s += (i ? ", " : "") + render(src, arr[i]);
      return s + "]";
    }
    case toml::value_t::table: {
      // Inline, in the file's order (the tree is unordered).
      std::string s = "{";
      bool first = true;
      for (const auto& [k, x] : src.entries(v)) {
        s += (first ? "" : ", ") + toml::format_key(k) + " = " + render(src, *x);
        first = false;
      }
      return s + "}";
    }
    default:  // strings and dates, one line
      return toml::format(v, std::numeric_limits<std::size_t>::max());
  }
}

}  // namespace sovcap::loader
