// The data files a scenario names: the global-defaults CSV ([global] data), the countries
// CSV ([countries] data) and its provenance CSV ([countries] sources). Each is read into
// the values it gives, every problem located at its cell.

#include <algorithm>
#include <cmath>
#include <sstream>
#include <tuple>

#include "sovcap/loader/loader.hpp"

namespace sovcap::loader {
namespace {

const std::vector<std::string> kBases = {"reported", "derived", "assumption"};
const std::vector<std::string> kGlobalCsvColumns = {"parameter", "value",  "basis", "low",
                                                    "high",      "source", "note"};
const std::vector<std::string> kSourcesCsvColumns = {"iso3", "parameter", "basis", "low",
                                                     "high", "source",    "note"};

// A data file read and parsed, with its header's columns.
struct CsvFile {
  bool read = false;  // false: it could not be read (reported)
  std::string text;
  CsvDocument doc;
  std::optional<std::map<std::string, int>> cols;  // column -> field; none: header unusable
  bool clean = true;  // no syntax or header problems
  std::size_t width() const { return doc.records.front().fields.size(); }
};

// Finds the columns of a data file's header; reports unknown, duplicate and missing ones.
// Returns column name -> field index, or nullopt if the header is unusable.
std::optional<std::map<std::string, int>> read_header(const CsvDocument& doc,
                                                      const std::string& file,
                                                      const std::vector<std::string>& known,
                                                      const std::vector<std::string>& required,
                                                      const std::string& what, Diags& diags) {
  if (doc.records.empty()) {
    diags.add({file, 0, 0}, "",
              "empty file: allowed a " + what + " with a header row " + join(required));
    return std::nullopt;
  }
  const CsvRecord& header = doc.records.front();
  // A file that is no such CSV at all (a path typed wrong, /etc/shadow) is not quoted:
  // its first line may be anything.
  if (std::none_of(header.fields.begin(), header.fields.end(), [&](const CsvField& f) {
        return std::find(known.begin(), known.end(), f.text) != known.end();
      })) {
    diags.add({file, header.line, 0}, "",
              "not a " + what + ": its first row names none of its columns; allowed a " + what +
                  " with a header row naming " + join(required));
    return std::nullopt;
  }
  std::map<std::string, int> cols;
  for (const auto& f : header.fields) {
    const Loc at{file, f.line, f.column};
    if (std::find(known.begin(), known.end(), f.text) == known.end()) {
      diags.add(at, "column '" + f.text + "'",
                "unknown column" + hint(f.text, known) +
                    (known.size() <= 8 ? ": allowed columns: " + join(known)
                                       : ": allowed columns: iso3, name, targets and the country "
                                         "parameters listed by `sovcap params`"));
    } else if (cols.count(f.text)) {
      diags.add(at, "column '" + f.text + "'", "duplicate column: allowed each column once");
    } else {
      cols[f.text] = f.index;
    }
  }
  // Unknown columns are reported but the rows are still read, so that one run shows the
  // problems in the cells too; without a required column the rows mean nothing.
  bool ok = true;
  for (const auto& r : required)
    if (!cols.count(r)) {
      diags.add({file, header.line, 0}, "column '" + r + "'",
                "missing column: allowed a header naming " + join(required));
      ok = false;
    }
  if (!ok) return std::nullopt;
  return cols;
}

CsvFile open_csv(const std::string& file, const Loc& at, const std::string& key,
                 const std::vector<std::string>& known, const std::vector<std::string>& required,
                 const std::string& what, DataFiles& files, Diags& diags) {
  CsvFile f;
  std::string error;
  auto text = read_text_file(file, error);
  if (!text) {
    diags.add(at, key,
              "cannot read '" + file + "': " + error +
                  "; allowed a path to a CSV file, relative to the scenario file");
    return f;
  }
  f.read = true;
  f.text = std::move(*text);
  files.emplace_back(file, f.text);
  // Text that is not UTF-8 or is one long line is no data file; its rows mean nothing.
  if (!check_utf8(f.text, {file, 1, 1}, "", diags) || !check_line_ends(f.text, file, diags)) {
    f.clean = false;
    return f;
  }
  f.doc = parse_csv(f.text);
  for (const auto& e : f.doc.errors)
    diags.add({file, e.line, e.column}, "", "CSV syntax error: " + e.message);
  const std::size_t before = diags.size();
  f.cols = read_header(f.doc, file, known, required, what, diags);
  f.clean = diags.size() == before && f.doc.errors.empty();
  return f;
}

bool row_width_ok(const CsvRecord& r, std::size_t width, const std::string& file, Diags& diags) {
  if (r.fields.size() == width) return true;
  diags.add({file, r.line, 0}, "",
            "row has " + std::to_string(r.fields.size()) +
                (r.fields.size() == 1 ? " field" : " fields") + " but the header has " +
                std::to_string(width) +
                ": allowed one field per column (leave a field empty, but keep its comma)");
  return false;
}

// The provenance columns of one row.
struct ProvenanceCells {
  const CsvField& basis;
  const CsvField& low;
  const CsvField& high;
  const CsvField& source;
  const CsvField& note;
};

ProvenanceCells provenance_cells(const CsvRecord& rec, const std::map<std::string, int>& cols) {
  auto cell = [&](const char* c) -> const CsvField& {
    return rec.fields[static_cast<std::size_t>(cols.at(c))];
  };
  return {cell("basis"), cell("low"), cell("high"), cell("source"), cell("note")};
}

// `basis` needs its source or note.
void check_basis(const std::string& file, const std::string& key, const ProvenanceCells& p,
                 Diags& diags) {
  const std::string b(trim_blanks(p.basis.text));
  if (std::find(kBases.begin(), kBases.end(), b) == kBases.end()) {
    diags.add({file, p.basis.line, p.basis.column}, key,
              "basis '" + b + "' is not known" + hint(b, kBases) + ": allowed " + join(kBases));
  } else if (b != "assumption" && trim_blanks(p.source.text).empty()) {
    diags.add({file, p.source.line, p.source.column}, key,
              "basis '" + b +
                  "' needs a source: allowed a non-empty 'source' (citation or URL) for reported "
                  "and derived values");
  } else if (b == "assumption" && trim_blanks(p.note.text).empty()) {
    diags.add({file, p.note.line, p.note.column}, key,
              "basis 'assumption' needs a note: allowed a non-empty 'note' saying why the value "
              "is assumed");
  }
}

// Provenance of one value: its basis, and an optional [low, high] uncertainty range that
// must hold the value and lie within the parameter's range. Returns the range, each end
// only where it is valid.
SourceRange check_provenance(const std::string& file, const std::string& key, const ParamSpec& s,
                             std::optional<double> value, const ProvenanceCells& p,
                             Diags& diags) {
  check_basis(file, key, p, diags);
  SourceRange range{value, std::nullopt, std::nullopt, {file, p.low.line, p.low.column}};
  std::optional<double>& lo = range.low;
  std::optional<double>& hi = range.high;
  for (const auto& [field, slot, name] :
       {std::tuple{&p.low, &lo, "low"}, std::tuple{&p.high, &hi, "high"}}) {
    if (trim_blanks(field->text).empty()) continue;
    const Loc at{file, field->line, field->column};
    if (s.kind == ParamKind::targets) {
      diags.add(at, key,
                std::string(name) + " is given for targets: allowed an empty " + name +
                    " (an uncertainty range applies to single numbers)");
      continue;
    }
    const auto x = parse_number(field->text);
    if (!x)
      diags.add(at, key,
                std::string(name) + " '" + field->text + "' is not a number: allowed empty or " +
                    s.allowed());
    else if (!s.in_range(*x))
      diags.add(at, key, range_problem(name, fmt(*x), s, false));
    else
      *slot = x;
  }
  if (lo && hi && *lo > *hi) {
    diags.add({file, p.low.line, p.low.column}, key,
              "low = " + fmt(*lo) + " is above high = " + fmt(*hi) + ": allowed low <= high");
  } else if (value && ((lo && *value < *lo) || (hi && *value > *hi))) {
    const CsvField& at = (lo && *value < *lo) ? p.low : p.high;
    diags.add({file, at.line, at.column}, key,
              "value " + fmt(*value) + " lies outside its own range [" + (lo ? fmt(*lo) : "") +
                  ", " + (hi ? fmt(*hi) : "") + "]: allowed low <= value <= high");
  }
  return range;
}

// The non-empty pieces of a "YEAR:VALUE;YEAR:VALUE" cell (the CSV's form of targets and of
// schedules), each split at its first ':'; year and value stay empty where it has none.
struct YearPiece {
  std::string text, year, value;
};
std::vector<YearPiece> year_pieces(const std::string& cell) {
  std::vector<YearPiece> out;
  std::string piece;
  std::istringstream is(cell);
  while (std::getline(is, piece, ';')) {
    const std::string_view p = trim_blanks(piece);
    if (p.empty()) continue;
    YearPiece y{std::string(p), "", ""};
    if (const auto colon = p.find(':'); colon != std::string_view::npos) {
      y.year = std::string(p.substr(0, colon));
      y.value = std::string(trim_blanks(p.substr(colon + 1)));
    }
    out.push_back(std::move(y));
  }
  return out;
}

// "2026:4.5e6;2030:9e6" -> a schedule, each point checked (years increasing, values of the
// parameter's kind and range), reported at the cell of `column` (the parameter's own column in
// the countries CSV, 'value' in the global-defaults CSV).
std::optional<Schedule> parse_csv_schedule(const CsvField& f, const ParamSpec& s,
                                           const std::string& file, const std::string& key,
                                           const std::string& column, Diags& diags) {
  const Loc at{file, f.line, f.column};
  const std::string col = "column '" + column + "': ";
  const std::string form = "allowed a schedule YEAR:VALUE;YEAR:VALUE with increasing years, e.g. "
                           "2026:4.5e6;2030:9e6, each value " + s.allowed();
  Schedule out;
  bool ok = true;
  for (const YearPiece& piece : year_pieces(f.text)) {
    const std::string& p = piece.text;
    std::optional<double> year, value;
    if (!piece.year.empty() || !piece.value.empty()) {
      year = parse_number(piece.year);
      if (s.kind == ParamKind::integer) {
        if (const auto i = parse_integer(piece.value)) value = static_cast<double>(*i);
      } else {
        value = parse_number(piece.value);
      }
    }
    if (!year || !value) {
      diags.add(at, key, col + "'" + std::string(p) + "' is not YEAR:VALUE" +
                             (s.kind == ParamKind::integer ? " with an integer value" : "") +
                             ": " + form);
      ok = false;
      continue;
    }
    if (!std::isfinite(*year) || *year < 1900.0 || *year > 2300.0) {
      diags.add(at, key, col + "year " + fmt(*year) + " is out of range: allowed a decimal year in [1900, 2300]");
      ok = false;
      continue;
    }
    if (!out.empty() && !(*year > out.back().year)) {
      diags.add(at, key, col + "year " + fmt(*year) + " is not after the year before it, " +
                             fmt(out.back().year) + ": allowed increasing years");
      ok = false;
    }
    if (!s.in_range(*value)) {
      diags.add(at, key, col + "at " + fmt(*year) + ": " + range_problem(s.name, fmt(*value), s, true));
      ok = false;
      continue;
    }
    out.push_back({*year, *value});
  }
  if (ok && out.empty()) {
    diags.add(at, key, col + "an empty schedule: " + form);
    ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<double> read_csv_scalar(const CsvField& f, const ParamSpec& s,
                                      const std::string& file, const std::string& key,
                                      const std::string& column, Diags& diags,
                                      Schedule* schedule = nullptr) {
  const Loc at{file, f.line, f.column};
  const std::string col = "column '" + column + "': ";
  if (schedule && f.text.find(':') != std::string::npos) {
    if (!s.schedulable) {
      diags.add(at, key, col + "'" + f.text + "' is a schedule where only a number is allowed: " +
                             std::string(s.name) + " describes the start or the model's structure "
                             "and does not change over time; allowed " + s.allowed());
      return std::nullopt;
    }
    auto points = parse_csv_schedule(f, s, file, key, column, diags);
    if (!points) return std::nullopt;
    *schedule = std::move(*points);
    return schedule->front().value;
  }
  std::optional<double> x;
  if (s.kind == ParamKind::integer) {
    if (const auto i = parse_integer(f.text)) x = static_cast<double>(*i);
  } else {
    x = parse_number(f.text);
  }
  if (!x) {
    diags.add(at, key,
              col + "'" + f.text + "' is not " +
                  (s.kind == ParamKind::integer ? "an integer" : "a number") + ": allowed " +
                  s.allowed());
    return std::nullopt;
  }
  if (!s.in_range(*x)) {
    diags.add(at, key, col + range_problem(s.name, fmt(*x), s, true));
    return std::nullopt;
  }
  return x;
}

// "2028:200;2032:1000" -> milestones.
std::optional<std::vector<Target>> parse_csv_targets(const CsvField& f, const std::string& file,
                                                     const std::string& key,
                                                     std::optional<double> start_year,
                                                     Diags& diags) {
  const Loc at{file, f.line, f.column};
  std::vector<Target> out;
  bool ok = true;
  for (const YearPiece& piece : year_pieces(f.text)) {
    const std::string& p = piece.text;
    std::optional<double> year, mw;
    if (!piece.year.empty() || !piece.value.empty()) {
      year = parse_number(piece.year);
      mw = parse_number(piece.value);
    }
    if (!year || !mw) {
      diags.add(at, key,
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
  if (!check_targets(out, std::vector<Loc>(out.size(), at), index, key, start_year, diags))
    return std::nullopt;
  return out;
}

// The value cells of one well-formed countries CSV row into its layer.
void read_country_cells(const CsvRecord& rec, const std::map<int, const ParamSpec*>& param_of,
                        int name_col, const std::string& file, std::optional<double> start_year,
                        CsvCountry& c, Diags& diags) {
  const std::string origin = file + " row " + std::to_string(rec.line);
  if (name_col >= 0 && !rec.fields[static_cast<std::size_t>(name_col)].text.empty()) {
    const CsvField& nf = rec.fields[static_cast<std::size_t>(name_col)];
    if (const std::string problem = control_char_problem(nf.text); !problem.empty()) {
      diags.add({file, nf.line, nf.column}, "country." + c.iso3 + ".name",
                "column 'name': the name " + problem);
      c.layer.bad.insert("name");
    } else {
      c.layer.name = GivenName{nf.text, {file, nf.line, nf.column}, origin};
    }
  }
  for (const auto& [index, p] : param_of) {
    const CsvField& f = rec.fields[static_cast<std::size_t>(index)];
    if (trim_blanks(f.text).empty()) continue;
    const std::string key = "country." + c.iso3 + "." + std::string(p->name);
    const Loc fat{file, f.line, f.column};
    std::optional<double> x;
    bool ok = false;
    if (p->kind == ParamKind::targets) {
      if (auto tg = parse_csv_targets(f, file, key, start_year, diags)) {
        c.layer.targets = GivenTargets{std::move(*tg), fat, origin};
        ok = true;
      }
    } else {
      Schedule points;
      x = read_csv_scalar(f, *p, file, key, std::string(p->name), diags, &points);
      if (x) c.layer.values[p->index] = Given{*x, fat, origin, std::move(points)};
      ok = x.has_value();
    }
    if (ok)
      c.cells[std::string(p->name)] = {f, x};
    else
      c.layer.bad.insert(std::string(p->name));
  }
}

}  // namespace

void read_global_csv(const std::string& file, const Loc& at, GlobalGiven& out,
                     std::map<std::string, SourceRange>& ranges, DataFiles& files, Diags& diags) {
  const CsvFile f = open_csv(file, at, "global.data", kGlobalCsvColumns, kGlobalCsvColumns,
                             "global-defaults CSV", files, diags);
  if (!f.cols) return;
  const std::vector<std::string> real = names_in(ParamScope::global, true);
  std::map<std::string, int> seen;
  for (std::size_t r = 1; r < f.doc.records.size(); ++r) {
    const CsvRecord& rec = f.doc.records[r];
    if (!row_width_ok(rec, f.width(), file, diags)) continue;
    const CsvField& pf = rec.fields[static_cast<std::size_t>(f.cols->at("parameter"))];
    const std::string name(trim_blanks(pf.text));
    const std::string key = "global." + name;
    const ParamSpec* s = find_param(ParamScope::global, name);
    if (!s || s->kind != ParamKind::real) {
      diags.add({file, pf.line, pf.column}, key,
                (s ? "'" + name + "' cannot be given in a data file (set it in [global])"
                   : "unknown global parameter '" + name + "'" + hint(name, real)) +
                    ": allowed the real-valued global parameters: " + join(real));
      continue;
    }
    if (seen.count(name)) {
      diags.add({file, pf.line, pf.column}, key,
                "duplicate row (first at line " + std::to_string(seen[name]) +
                    "): allowed one row per parameter");
      continue;
    }
    seen[name] = rec.line;
    const CsvField& vf = rec.fields[static_cast<std::size_t>(f.cols->at("value"))];
    const Loc vat{file, vf.line, vf.column};
    // A trend (vendor output, kW per chip, prices...) may be a schedule, as in a country cell.
    Schedule points;
    const std::optional<double> value = read_csv_scalar(vf, *s, file, key, "value", diags, &points);
    if (value) out[s->index] = Given{*value, vat, file + " row " + std::to_string(rec.line), std::move(points)};
    ranges[key] = check_provenance(file, key, *s, value, provenance_cells(rec, *f.cols), diags);
  }
}

const CsvCountry* CountriesCsv::find(const std::string& iso3) const {
  const auto it = index.find(iso3);
  return it == index.end() ? nullptr : &rows[it->second];
}

CountriesCsv read_countries_csv(const std::string& file, const Loc& at,
                                std::optional<double> start_year, DataFiles& files,
                                Diags& diags) {
  CountriesCsv csv;
  std::vector<std::string> known = {"iso3", "name"};
  for (const auto& n : names_in(ParamScope::country)) known.push_back(n);
  const CsvFile f =
      open_csv(file, at, "countries.data", known, {"iso3"}, "countries CSV", files, diags);
  if (f.read) {
    csv.path = file;
    csv.text = f.text;
  }
  // Without a usable header the rows cannot be read; its problem is reported once.
  if (!f.cols) {
    csv.failed = true;
    return csv;
  }
  // A bad header already explains the missing values; a per-country "required parameter
  // missing" for each row would only bury it.
  csv.header_bad = !f.clean;
  csv.ok = true;
  std::map<int, const ParamSpec*> param_of;  // field index -> parameter
  int iso_col = -1, name_col = -1;
  for (const auto& fl : f.doc.records.front().fields) {
    if (fl.text == "iso3")
      iso_col = fl.index;
    else if (fl.text == "name")
      name_col = fl.index;
    else if (const ParamSpec* p = find_param(ParamScope::country, fl.text))
      param_of[fl.index] = p;
  }
  std::map<std::string, int> seen;
  for (std::size_t r = 1; r < f.doc.records.size(); ++r) {
    const CsvRecord& rec = f.doc.records[r];
    CsvCountry c;
    c.loc = {file, rec.line, 0};
    c.layer.loc = c.loc;
    c.broken = !row_width_ok(rec, f.width(), file, diags);
    if (static_cast<std::size_t>(iso_col) >= rec.fields.size()) continue;
    const CsvField& iso = rec.fields[static_cast<std::size_t>(iso_col)];
    c.iso3 = iso.text;
    if (!is_iso3(c.iso3) && c.broken) continue;  // the row's shape is already reported
    const std::string key = c.iso3.empty() ? "column 'iso3'" : "country." + c.iso3;
    if (!is_iso3(c.iso3)) {
      diags.add({file, iso.line, iso.column}, key,
                (c.iso3.empty() ? std::string("empty cell")
                                : "column 'iso3': '" + c.iso3 + "' is not an ISO3 code") +
                    ": allowed 3 uppercase letters, e.g. KOR");
      continue;
    }
    if (seen.count(c.iso3)) {
      diags.add({file, iso.line, iso.column}, key,
                "duplicate row for " + c.iso3 + " (first at line " +
                    std::to_string(seen[c.iso3]) + "): allowed one row per country");
      continue;
    }
    seen[c.iso3] = rec.line;
    if (!c.broken) read_country_cells(rec, param_of, name_col, file, start_year, c, diags);
    csv.index[c.iso3] = csv.rows.size();
    csv.rows.push_back(std::move(c));
  }
  return csv;
}

Provenance read_sources_csv(const std::string& file, const Loc& at, const CountriesCsv& csv,
                            DataFiles& files, Diags& diags) {
  Provenance prov;
  const CsvFile f = open_csv(file, at, "countries.sources", kSourcesCsvColumns,
                             kSourcesCsvColumns, "provenance CSV", files, diags);
  if (!f.cols) return prov;
  std::vector<std::string> codes;
  for (const auto& c : csv.rows) codes.push_back(c.iso3);
  const std::vector<std::string> params = names_in(ParamScope::country);
  for (std::size_t r = 1; r < f.doc.records.size(); ++r) {
    const CsvRecord& rec = f.doc.records[r];
    if (!row_width_ok(rec, f.width(), file, diags)) continue;
    const CsvField& isof = rec.fields[static_cast<std::size_t>(f.cols->at("iso3"))];
    const CsvField& pf = rec.fields[static_cast<std::size_t>(f.cols->at("parameter"))];
    const std::string iso3(trim_blanks(isof.text)), name(trim_blanks(pf.text));
    const std::string key = "country." + iso3 + "." + name;
    const CsvCountry* country = csv.find(iso3);
    if (!country) {
      diags.add({file, isof.line, isof.column}, key,
                "unknown country '" + iso3 + "'" + hint(iso3, codes) +
                    ": allowed the iso3 codes of " + csv.path);
      continue;
    }
    const ParamSpec* s = find_param(ParamScope::country, name);
    if (!s) {
      diags.add({file, pf.line, pf.column}, key,
                "unknown parameter '" + name + "'" + hint(name, params) +
                    ": allowed the country parameters (columns of " + csv.path + ")");
      continue;
    }
    const std::string id = iso3 + "." + name;
    if (prov.rows.count(id)) {
      diags.add({file, isof.line, isof.column}, key,
                "duplicate row (first at line " + std::to_string(prov.rows[id]) +
                    "): allowed one row per country and parameter");
      continue;
    }
    prov.rows[id] = rec.line;
    const auto c = country->cells.find(name);
    if (c == country->cells.end() && !country->broken && !country->layer.bad.count(name)) {
      diags.add({file, pf.line, pf.column}, key,
                "provenance for a value " + csv.path +
                    " does not give (its cell is empty or the column is "
                    "absent): allowed rows only for values present in the countries CSV");
      continue;
    }
    std::optional<double> value;
    if (c != country->cells.end()) value = c->second.second;
    prov.ranges[id] = check_provenance(file, key, *s, value, provenance_cells(rec, *f.cols), diags);
  }
  prov.path = file;
  prov.ok = true;
  return prov;
}

void check_provenance_complete(const std::vector<std::string>& order, const CountriesCsv& csv,
                               const Provenance& sources, Diags& diags) {
  for (const auto& iso3 : order) {
    const CsvCountry* c = csv.find(iso3);
    if (!c) continue;
    for (const auto& [name, cell] : c->cells) {
      if (sources.rows.count(iso3 + "." + name)) continue;
      const CsvField& f = cell.first;
      diags.add({csv.path, f.line, f.column}, "country." + iso3 + "." + name,
                "column '" + name + "': value '" + f.text +
                    "' has no provenance: allowed values with a row " + iso3 + "," + name +
                    ",BASIS,LOW,HIGH,SOURCE,NOTE in " + sources.path +
                    " (basis reported or derived with a source, or assumption with a note)");
    }
  }
}

}  // namespace sovcap::loader
