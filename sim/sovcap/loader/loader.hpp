#pragma once
// The scenario loader's stages, in the order load_scenario (scenario.cpp) runs them:
//   toml_source.cpp      the scenario text: reading, TOML parsing, locations, --set
//   resolve.cpp          precedence: each parameter's value and where it came from
//   toml_values.cpp      one parameter's value read from TOML (for resolve.cpp)
//   csv_merge.cpp        the data files: global CSV, countries CSV, provenance CSV
//   validate.cpp         the registry's per-value rules and the cross-parameter rules
//   sweep_spec.cpp       [sweep]: method, samples, levers, overlaps and the design
//   sweep_uncertain.cpp  [sweep.uncertain]: keys, distributions and their ranges
//   diagnostics.cpp      Diagnostic, InputError, did-you-mean and the wording helpers
// Only the loader's own files include this header: it exposes toml11's types.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <toml.hpp>
#include <utility>
#include <vector>

#include "sovcap/csv.hpp"
#include "sovcap/params.hpp"
#include "sovcap/scenario.hpp"

namespace sovcap::loader {

inline constexpr const char* kSetFile = "--set";
inline constexpr const char* kBuiltIn = "built-in default";
// The origin of a country value taken from a global parameter (inherited_global), before
// the global's name: "global.tier2_cap".
inline constexpr const char* kFromGlobal = "from ";
// [country."*"] and --set country.*.NAME: a value for every country, above the CSV.
inline constexpr const char* kEveryCountry = "*";

// Where something stands in the input.
struct Loc {
  std::string file;
  int line = 0;
  int column = 0;
};

// The problems found so far, in the order found.
class Diags {
 public:
  void add(const Loc& at, std::string key, std::string message) {
    list_.push_back({at.file, at.line, at.column, std::move(key), std::move(message)});
  }
  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  // The list, cut to a readable length.
  std::vector<Diagnostic> take();

 private:
  std::vector<Diagnostic> list_;
};

// ---- wording (diagnostics.cpp) ---------------------------------------------------------

std::string fmt(double v);
std::string join(const std::vector<std::string>& items, const std::string& quote = "");
// " (did you mean 'x'?)" when one of `candidates` is a plausible typo of `word`, else "".
std::string hint(const std::string& word, const std::vector<std::string>& candidates,
                 const std::string& open = "'", const std::string& close = "'");
bool is_iso3(std::string_view s);
// The dot-separated parts of a key like country.KOR.pue; empty when a part is empty.
std::vector<std::string> key_parts(const std::string& key);
std::vector<std::string> names_in(ParamScope scope, bool only_real = false);
// "FILE:LINE", or "--set".
std::string origin_of(const Loc& at);
// "a string (\"1.2\")", "an integer (3)", ...: what a TOML value is, for "wrong type".
std::string describe(const toml::value& v);
bool is_number(const toml::value& v);
double number(const toml::value& v);
void unknown_key(Diags& diags, const Loc& at, const std::string& key, const std::string& name,
                 const std::vector<std::string>& allowed, const std::string& where);

// ---- the input's bytes (input_text.cpp) ------------------------------------------------

// The largest input file read (scenario or data file): far beyond any real one (the
// 1,000-country test scenario is 150 kB), small enough to read and parse at once.
inline constexpr std::uintmax_t kMaxInputBytes = 16u * 1024 * 1024;
// The deepest nesting of arrays, inline tables and dotted keys toml11 is given: its parser
// recurses once per level, and ~10,000 levels overflow the stack.
inline constexpr int kMaxNesting = 64;
// Inline tables cannot take line breaks: each of its entries costs toml11 the length of
// the line (see prepare_toml).
inline constexpr int kMaxInlineEntries = 256;
inline constexpr std::size_t kLongLine = 200;

// A regular file's whole text (at most kMaxInputBytes), or nullopt with `error` saying
// why not.
std::optional<std::string> read_text_file(const std::string& path, std::string& error);
// Each reports the first problem at its line and column in the file that `origin` names
// (its line 1 column 1 is text[0]), or at --set, and returns false; true if there is none.
bool check_utf8(std::string_view text, const Loc& origin, const std::string& key, Diags& diags);
// TOML text as toml11 is given it, or nullopt after reporting what it cannot take: arrays
// and inline tables nested more than kMaxNesting deep, dotted keys of more than
// kMaxNesting parts, inline tables of more than kMaxInlineEntries entries (outside strings
// and comments). toml11 scans back to the start of the line for every value it reads,
// which makes a long one-line array quadratic, so line breaks go after the commas of
// arrays once a line is kLongLine long; `inserted` gets their offsets in the text returned.
std::optional<std::string> prepare_toml(std::string_view text, const Loc& origin,
                                        const std::string& key,
                                        std::vector<std::size_t>& inserted, Diags& diags);
// CSV: a lone CR (CR-only line ends) would make the whole file one line.
bool check_line_ends(std::string_view text, const std::string& file, Diags& diags);
// What is wrong with a name or other text that is shown to users: "" when it has no
// control characters (C0, DEL, C1).
std::string control_char_problem(std::string_view s);

// ---- the scenario text (toml_source.cpp) -----------------------------------------------

// A table's entries: key and value.
using Entries = std::vector<std::pair<std::string, const toml::value*>>;

// The parsed scenario file, with the locations of its values.
class TomlSource {
 public:
  explicit TomlSource(std::string path) : path_(std::move(path)) {}
  // Parses `text`; reports a syntax error and returns false.
  bool parse(const std::string& text, Diags& diags);

  const std::string& path() const { return path_; }
  toml::value& root() { return root_; }
  const toml::value& root() const { return root_; }

  // Where v sits: the scenario file, "--set", or the file with line 0 for tables that
  // --set had to create.
  Loc loc(const toml::value& v) const;
  // A table's entries in file order, then those from --set: toml11 keeps tables unordered,
  // and diagnostics and the country order must follow the file.
  Entries entries(const toml::value& table) const;
  // Whether a stands before b (file order, then --set).
  bool before(const toml::value& a, const toml::value& b) const;
  // A top-level table, or nullptr.
  const toml::value* section(const std::string& name) const;
  Loc section_loc(const std::string& name) const;
  // A data file named in the scenario, relative to the scenario file.
  std::string resolve_path(const std::string& rel) const;

 private:
  // Where byte `offset` of the text toml11 was given stands in the file.
  Loc file_loc(std::size_t offset) const;

  std::string path_;
  toml::value root_;
  // The line breaks prepare_toml put in (offsets in toml11's text), and where each line of
  // the file starts: toml11's own location() counts the newlines from the top of the file
  // on every call, which made loading quadratic in the file's length.
  std::vector<std::size_t> inserted_;
  std::vector<std::size_t> line_starts_;
};

// Applies every --set KEY=VALUE to the tree, so that --set values pass through exactly
// the checks file values do. Returns ISO3 -> --set key for the [country.ISO3] tables that
// exist only because --set named the country.
std::map<std::string, std::string> apply_overrides(TomlSource& src,
                                                   const std::vector<std::string>& overrides,
                                                   Diags& diags);
// Reports unknown top-level sections and keys.
void check_sections(const TomlSource& src, Diags& diags);
// A value as one line of TOML that reads back as the same value, for --set KEY=TEXT.
std::string render(const TomlSource& src, const toml::value& v);

// ---- values and the sources that give them --------------------------------------------

// A value given in one place, with where it came from.
template <class T>
struct GivenValue {
  T value{};
  Loc loc;
  std::string origin;
  // A parameter given as a schedule (non-empty): its points; `value` is then the first
  // point's value until resolution sets the scalar to the schedule's value at start_year.
  Schedule schedule{};
};
using Given = GivenValue<double>;
using GivenTargets = GivenValue<std::vector<Target>>;
using GivenName = GivenValue<std::string>;
using GlobalGiven = std::array<std::optional<Given>, kNumGlobalParams>;

// The country parameters one source gives: [defaults], a CSV row or a [country.X] table.
struct CountryLayer {
  std::array<std::optional<Given>, kNumCountryParams> values;
  std::optional<GivenTargets> targets;
  std::optional<GivenName> name;
  Loc loc;  // the table header or the CSV row
  // Given but invalid (and reported): not to be reported again as missing.
  std::set<std::string> bad;
};

// A value's uncertainty range as its data file records it (the low and high cells of its
// row), for dist = "from_sources".
struct SourceRange {
  std::optional<double> value;      // the data file's value (a schedule's first point)
  std::optional<double> low, high;  // none: the cell is empty (or invalid, and reported)
  Loc at;                           // the row's low cell
};

// What resolution learnt besides the values, for the rules and the sweep.
struct ValueSites {
  std::map<std::string, Loc> at;  // "simulation.dt", "global.NAME", "country.ISO3.NAME": given here
  std::set<std::string> bad;      // simulation keys given but invalid (reported already)
  std::map<std::string, Loc> home;  // "simulation" or "country.ISO3": where else to report
  std::optional<double> start_year;  // when valid: targets must come after it
  std::optional<double> dt;          // when valid: lead times and lifetimes must reach it
  // The data files' ranges: "global.NAME" from [global] data, "country.ISO3.NAME" from
  // [countries] sources, and the two files (empty where the scenario names none).
  std::map<std::string, SourceRange> ranges;
  std::string global_data, country_sources;
};

// ---- one value from TOML (toml_values.cpp) ---------------------------------------------

// A real, integer or choice parameter; reports and returns nullopt if invalid. An array
// [[year, value], ...] is read into *schedule where the parameter is schedulable and
// `schedule` is given (the first point's value is returned); elsewhere it is reported as a
// schedule where only a number is allowed.
std::optional<double> read_scalar(const TomlSource& src, const toml::value& v, const ParamSpec& s,
                                  const std::string& key, Diags& diags,
                                  Schedule* schedule = nullptr);
// The points of a schedule, each checked (numbers, years increasing, every value in the
// parameter's range and of its kind), reported where each stands; nullopt if invalid.
std::optional<Schedule> read_schedule(const TomlSource& src, const toml::value& v,
                                      const ParamSpec& s, const std::string& key, Diags& diags);
// What a schedule is, for "allowed" texts.
inline constexpr const char* kScheduleForm =
    "a schedule [[year, value], ...] with increasing years, e.g. [[2026, 1], [2030, 2]]";
std::optional<std::vector<Target>> read_targets(const TomlSource& src, const toml::value& v,
                                                const std::string& key,
                                                std::optional<double> start_year, Diags& diags);
std::optional<std::vector<SupplyShock>> read_shocks(const TomlSource& src, const toml::value& v,
                                                    const std::string& key, Diags& diags);
// [defaults] or [country.ISO3]: `prefix` names its keys, `origin_prefix` starts its origins.
CountryLayer read_country_table(const TomlSource& src, const toml::value& t,
                                const std::string& prefix, bool allow_name,
                                const std::string& origin_prefix,
                                std::optional<double> start_year, Diags& diags);

// ---- the data files (csv_merge.cpp) ----------------------------------------------------

// Every data file read, as (path, text), in the order read.
using DataFiles = std::vector<std::pair<std::string, std::string>>;

// [global] data: the rows of the global-defaults CSV into `out`.
// `ranges` gets each row's range as "global.NAME".
void read_global_csv(const std::string& file, const Loc& at, GlobalGiven& out,
                     std::map<std::string, SourceRange>& ranges, DataFiles& files, Diags& diags);

struct CsvCountry {
  std::string iso3;
  Loc loc;
  CountryLayer layer;
  bool broken = false;  // the row could not be read column by column
  // Every non-empty, valid value cell, for the provenance check: parameter -> (cell, its
  // number; none for targets).
  std::map<std::string, std::pair<CsvField, std::optional<double>>> cells;
};

struct CountriesCsv {
  std::string path, text;  // empty unless the file could be read
  std::vector<CsvCountry> rows;
  std::map<std::string, std::size_t> index;  // iso3 -> row
  bool failed = false;      // unreadable or without a usable header; that error says enough
  bool ok = false;          // read with a usable header
  bool header_bad = false;  // header or syntax problems explain the missing values already
  const CsvCountry* find(const std::string& iso3) const;
};
// [countries] data. `start_year` (when valid) bounds the targets.
CountriesCsv read_countries_csv(const std::string& file, const Loc& at,
                                std::optional<double> start_year, DataFiles& files, Diags& diags);

struct Provenance {
  std::string path;
  std::map<std::string, int> rows;  // "ISO3.parameter" -> line in the sources file
  std::map<std::string, SourceRange> ranges;  // "ISO3.parameter" -> its range
  bool ok = false;
};
// [countries] sources: the provenance of the countries CSV's values.
Provenance read_sources_csv(const std::string& file, const Loc& at, const CountriesCsv& csv,
                            DataFiles& files, Diags& diags);
// Every value the countries CSV gives for a country that takes part needs a source row.
void check_provenance_complete(const std::vector<std::string>& order, const CountriesCsv& csv,
                               const Provenance& sources, Diags& diags);

// ---- precedence (resolve.cpp) ----------------------------------------------------------

void resolve_simulation(const TomlSource& src, Scenario& sc, ValueSites& sites, Diags& diags);
void resolve_global(const TomlSource& src, Scenario& sc, ValueSites& sites, Diags& diags);
// Every country's values from [defaults], the CSV, [country.ISO3] and --set.
void resolve_countries(const TomlSource& src, const std::map<std::string, std::string>& made_by_set,
                       Scenario& sc, ValueSites& sites, Diags& diags);

// ---- rules (validate.cpp) --------------------------------------------------------------

// "NAME = SHOWN is out of range: allowed ... (unit)".
std::string range_problem(std::string_view name, const std::string& shown, const ParamSpec& s,
                          bool with_unit);
// Milestones wherever they came from; `at[i]` locates milestone i and `index[i]` is its
// position in the list as written (malformed items are left out of `targets`).
bool check_targets(const std::vector<Target>& targets, const std::vector<Loc>& at,
                   const std::vector<std::size_t>& index, const std::string& key,
                   std::optional<double> start_year, Diags& diags);
// The cross-parameter rules of the registry (param_rules) on the resolved scenario.
void check_rules(const Scenario& sc, const ValueSites& sites, Diags& diags);

// ---- [sweep] (sweep_spec.cpp, sweep_uncertain.cpp) -------------------------------------

// Loads the scenario again with more --set overrides and without [sweep].
using LoadVariant = std::function<Scenario(const std::vector<std::string>& overrides)>;

struct SweepContext {
  const TomlSource& src;
  const Scenario& sc;
  const ValueSites& sites;
  // Checks against resolved values (countries, shocks, ranges, lever values) need the
  // rest of the scenario to be valid; its problems are reported already otherwise.
  bool resolved;
  Diags& diags;
};

// A parameter a lever or an uncertain entry sets, for finding overlaps: "global.NAME" or
// "country.NAME", and the country ("*": every country).
struct Cell {
  std::string param;
  std::string country;
  bool overlaps(const Cell& o) const {
    return param == o.param && (country == "*" || o.country == "*" || country == o.country);
  }
};

struct UncertainEntry {
  Uncertain u;
  std::string dkey;  // sweep.uncertain."KEY"
  Loc at;
  std::vector<Loc> value_locs;  // choice: where each value is written
  std::optional<Cell> cell;
  bool dist_ok = false;
};

// The [sweep] section; empty without one.
SweepSpec read_sweep(const SweepContext& cx, const LoadVariant& load_variant);
// The entries of [sweep.levers] or [sweep.uncertain] with nested tables flattened into
// dotted keys (see sweep_spec.cpp).
Entries flatten_sweep_table(const TomlSource& src, const toml::value& t, bool tables_are_values);
void read_uncertain(const SweepContext& cx, const toml::value& table,
                    std::vector<UncertainEntry>& out);
// Every value the distribution can give must be valid; `params`: the resolved values
// (those of one lever value when checking a lever). Problems go to `report`.
using ReportProblem = std::function<void(const Loc&, const std::string&, const std::string&)>;
void check_uncertain_range(const UncertainEntry& e, const RunParams& params,
                           const ReportProblem& report);
// The trends (the registry's *_trend rules) at both ends of what the distribution gives,
// each country's: a sampled growth of 5 over four centuries overflows as a fixed one does.
void check_sampled_trends(const UncertainEntry& e, const RunParams& params,
                          const ReportProblem& report);

}  // namespace sovcap::loader
