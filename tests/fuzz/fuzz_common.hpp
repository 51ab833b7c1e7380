#pragma once
// Shared by the fuzz targets: a per-process temporary folder and a helper that writes the
// fuzzer's bytes to a file in it.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sovcap_fuzz {

// A temporary folder of this process, made on first use (fuzzers run in parallel with
// -jobs/-workers, so each process needs its own files).
inline const std::filesystem::path& temp_dir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path p = std::filesystem::temp_directory_path() /
                              ("sovcap_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    return p;
  }();
  return dir;
}

inline std::string write_file(const std::string& name, const uint8_t* data, size_t size) {
  const std::filesystem::path p = temp_dir() / name;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return p.string();
}

}  // namespace sovcap_fuzz
