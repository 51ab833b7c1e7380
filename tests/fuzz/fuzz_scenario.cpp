// libFuzzer target: the input bytes are a scenario file, loaded with sovcap::load_scenario.
// InputError is the expected answer to bad input; any other exception escaping, a crash,
// a sanitizer report or a hang is a finding.
//
// The file lies in a per-process temporary folder; scenarios that name data files
// (data = "...") resolve them relative to it, so a copy of the shipped data folder is
// made there once, letting the fuzzer reach the CSV-reading paths with valid data.

#include <cstddef>
#include <cstdint>
#include <filesystem>

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
  const std::string path = sovcap_fuzz::write_file("fuzz.toml", data, size);
  try {
    (void)sovcap::load_scenario(path);
  } catch (const sovcap::InputError&) {
    // Bad input, reported as such: the expected outcome.
  }
  return 0;
}
