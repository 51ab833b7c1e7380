// libFuzzer target: the input bytes are a countries CSV. They go through the CSV reader
// directly (parse_csv and the number parsers on every cell), then through load_scenario
// with a fixed small scenario that points [countries] data at them. InputError is the
// expected answer to bad input; anything else escaping, a crash, a sanitizer report or
// a hang is a finding.

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string_view>

#include "fuzz_common.hpp"
#include "sovcap/csv.hpp"
#include "sovcap/scenario.hpp"

namespace {

// Three countries from the data set, global parameters built in.
const char* const kScenario = R"([simulation]
start_year = 2026.0
end_year = 2030.0
dt = 0.25
seed = 1

[countries]
data = "fuzz.csv"
)";

std::string scenario_path() {
  static const std::string path = [] {
    const std::string text = kScenario;
    return sovcap_fuzz::write_file("fuzz.toml", reinterpret_cast<const uint8_t*>(text.data()),
                                   text.size());
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const sovcap::CsvDocument doc = sovcap::parse_csv(text);
  for (const auto& record : doc.records)
    for (const auto& field : record.fields) {
      (void)sovcap::parse_number(field.text);
      (void)sovcap::parse_integer(field.text);
      (void)sovcap::trim_blanks(field.text);
    }

  const std::string scenario = scenario_path();
  sovcap_fuzz::write_file("fuzz.csv", data, size);
  try {
    (void)sovcap::load_scenario(scenario);
  } catch (const sovcap::InputError&) {
    // Bad input, reported as such: the expected outcome.
  }
  return 0;
}
