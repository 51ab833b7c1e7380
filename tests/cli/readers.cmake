# Readers: the results file must open as labelled arrays in xarray (h5netcdf and netcdf4
# engines), h5py and ncdump. Included from tests/cli/CMakeLists.txt.

# Debian's python3 has xarray, h5netcdf, netCDF4 and h5py; another python3 earlier on PATH
# (pyenv) usually has none of them, so the system interpreter is asked for by path.
find_program(SOVCAP_SYSTEM_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
find_program(SOVCAP_NCDUMP NAMES ncdump)
if(SOVCAP_SYSTEM_PYTHON3)
  execute_process(
    COMMAND "${SOVCAP_SYSTEM_PYTHON3}" -c "import xarray, h5netcdf, netCDF4, h5py"
    RESULT_VARIABLE _sovcap_readers_missing OUTPUT_QUIET ERROR_QUIET)
else()
  set(_sovcap_readers_missing 1)
endif()

if(_sovcap_readers_missing OR NOT SOVCAP_NCDUMP)
  # cmake/bootstrap.sh installs the readers and asks for them, so CI cannot skip silently.
  if(SOVCAP_REQUIRE_READERS)
    message(FATAL_ERROR "SOVCAP_REQUIRE_READERS is on but the readers are missing: need "
                        "/usr/bin/python3 with xarray, h5netcdf, netCDF4 and h5py, and ncdump")
  endif()
  message(STATUS "Reader tests skipped: need /usr/bin/python3 with xarray, h5netcdf, netCDF4 "
                 "and h5py (Debian: python3-xarray python3-h5netcdf python3-netcdf4 "
                 "python3-h5py) and ncdump (netcdf-bin)")
  return()
endif()

set(_sovcap_check_readers "${CMAKE_CURRENT_LIST_DIR}/check_readers.py")

# The baseline scenario, written by the program as a user runs it.
set(_sovcap_baseline_h5 "${CMAKE_CURRENT_BINARY_DIR}/readers_baseline.h5")
add_test(NAME readers_baseline_write
         COMMAND $<TARGET_FILE:sovcap> run "${PROJECT_SOURCE_DIR}/scenarios/baseline.toml"
                 -o "${_sovcap_baseline_h5}" --force --quiet)
set_tests_properties(readers_baseline_write PROPERTIES FIXTURES_SETUP readers_baseline)
add_test(NAME readers_baseline_check
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_sovcap_check_readers}" "${_sovcap_baseline_h5}"
                 --ncdump "${SOVCAP_NCDUMP}")
set_tests_properties(readers_baseline_check PROPERTIES FIXTURES_REQUIRED readers_baseline)

# A three-run file from the writer's unit test: several runs, NaN-padded parameters and a
# non-ASCII country name, without depending on the program or the scenario data.
if(TARGET test_output)
  set(_sovcap_sample_h5 "${CMAKE_CURRENT_BINARY_DIR}/readers_sample.h5")
  add_test(NAME readers_sample_write
           COMMAND $<TARGET_FILE:test_output> --gtest_filter=OutputFileTest.WritesReaderSample)
  set_tests_properties(readers_sample_write PROPERTIES
                       FIXTURES_SETUP readers_sample
                       ENVIRONMENT "SOVCAP_READERS_SAMPLE=${_sovcap_sample_h5}")
  add_test(NAME readers_sample_check
           COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_sovcap_check_readers}" "${_sovcap_sample_h5}"
                   --ncdump "${SOVCAP_NCDUMP}")
  set_tests_properties(readers_sample_check PROPERTIES FIXTURES_REQUIRED readers_sample)
endif()

# A merged master over three shards of a small sweep (levers, Saltelli samples), from the
# writer's unit test: virtual datasets must read as one labelled sweep in every reader.
if(TARGET test_output)
  set(_sovcap_merged_h5 "${CMAKE_CURRENT_BINARY_DIR}/readers_merged.h5")
  add_test(NAME readers_merged_write
           COMMAND $<TARGET_FILE:test_output> --gtest_filter=OutputFileTest.WritesMergedReaderSample)
  set_tests_properties(readers_merged_write PROPERTIES
                       FIXTURES_SETUP readers_merged
                       ENVIRONMENT "SOVCAP_READERS_MERGED=${_sovcap_merged_h5}")
  # Run from another folder: the shards are found relative to the master, not the cwd.
  add_test(NAME readers_merged_check
           COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_sovcap_check_readers}" "${_sovcap_merged_h5}"
                   --ncdump "${SOVCAP_NCDUMP}"
           WORKING_DIRECTORY "${PROJECT_BINARY_DIR}")
  set_tests_properties(readers_merged_check PROPERTIES FIXTURES_REQUIRED readers_merged)
endif()
