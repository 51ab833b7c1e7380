#pragma once
// Scenario files: TOML with an optional country CSV, resolved into RunParams and validated
// before anything runs. Every problem is reported with the file, line and key it concerns.

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sovcap/params.hpp"
#include "sovcap/sweep.hpp"

namespace sovcap {

// One problem found in the input, located as precisely as the source allows.
struct Diagnostic {
  std::string file;    // scenario file, CSV file, or "--set" for command-line overrides
  int line = 0;        // 1-based; 0 when unknown
  int column = 0;      // 1-based; 0 when unknown
  std::string key;     // e.g. "country.KOR.pue", "global.supply_shocks[1].factor"
  std::string message; // what is wrong and what is allowed
};

// "FILE:LINE:COLUMN: KEY: MESSAGE", leaving out what is unknown.
std::string format_diagnostic(const Diagnostic& d);

// Bad input: one or more diagnostics. The program exits with status 2 on it.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// A loaded, resolved and validated scenario.
struct Scenario {
  RunParams params;
  std::string path;                    // the scenario file as given
  std::string text;                    // its full text
  std::string csv_path;                // country data file; empty when all are inline
  std::string csv_text;                // its full text
  std::vector<std::string> overrides;  // --set KEY=VALUE, in the order applied
  // Where each resolved value came from, keyed like --set ("global.accel_kw",
  // "country.KOR.pue"): "FILE:LINE", "FILE row R", "[defaults] FILE:LINE",
  // "built-in default" or "--set".
  std::map<std::string, std::string> origin;
  // Every data file read besides the scenario (countries CSV, global-defaults CSV,
  // provenance CSV) as (path, full text), in the order read, so an output can carry all
  // of its inputs.
  std::vector<std::pair<std::string, std::string>> files;
  // The [sweep] section: levers, uncertain parameters and the design; empty without one.
  SweepSpec sweep;
  // What loads but does nothing: a [defaults] or [country."*"] value (from the file or
  // --set) that every country takes from a source above it. `run` and `validate` show
  // them on stderr.
  std::vector<Diagnostic> warnings;
};

// Reads, resolves and validates a scenario; `overrides` are "KEY=VALUE" strings whose
// VALUE is a TOML value. Throws InputError listing every problem found.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

// Closest of `candidates` to `word` by edit distance, or "" when none is close enough to
// be a plausible typo. Used for "did you mean" hints.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace sovcap
