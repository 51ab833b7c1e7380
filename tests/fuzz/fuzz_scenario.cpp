// libFuzzer target: the input bytes are a scenario file, loaded with sovcap::load_scenario.
// A line "#--set" (a comment to TOML, so any scenario is a valid input) ends the file: each
// line after it is one --set KEY=VALUE, so that overrides are fuzzed with the file they
// apply to. InputError is the expected answer to bad input; any other exception escaping,
// a crash, a sanitizer report or a hang is a finding.
//
// The file lies in a per-process temporary folder; scenarios that name data files
// (data = "...") resolve them relative to it, so a copy of the shipped data folder is
// made there once, letting the fuzzer reach the CSV-reading paths with valid data.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "sovcap/scenario.hpp"

#ifndef SOVCAP_SOURCE_DIR
#error "SOVCAP_SOURCE_DIR must be defined"
#endif

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  namespace fs = std::filesystem;
  const fs::path data = sovcap_fuzz::temp_dir() / "data";
  fs::create_directories(data);
  for (const char* f : {"countries.csv", "countries_sources.csv", "global.csv"})
    fs::copy_file(fs::path(SOVCAP_SOURCE_DIR) / "scenarios" / "data" / f, data / f,
                  fs::copy_options::overwrite_existing);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string mark = "\n#--set\n";
  const std::size_t cut = text.find(mark);
  std::vector<std::string> overrides;
  if (cut != std::string::npos) {
    std::istringstream rest(text.substr(cut + mark.size()));
    for (std::string line; std::getline(rest, line);) overrides.push_back(line);
  }
  const std::string file = text.substr(0, cut);
  const std::string path = sovcap_fuzz::write_file(
      "fuzz.toml", reinterpret_cast<const uint8_t*>(file.data()), file.size());
  try {
    (void)sovcap::load_scenario(path, overrides);
  } catch (const sovcap::InputError&) {
    // Bad input, reported as such: the expected outcome.
  }
  return 0;
}
