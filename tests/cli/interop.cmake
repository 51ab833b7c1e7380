# Interoperability: the baseline scenario's file, read by every reader an analyst uses,
# gives the values `sovcap summarize` prints (KOR: it_mw at the horizon and year_gw_reached
# of run 0): xarray (h5netcdf and netcdf4 engines), h5py, pandas through `sovcap export`,
# `ncdump -v` and R's ncdf4. Then `sovcap export` and `sovcap compare` end to end.
# Included from tests/cli/CMakeLists.txt, after readers.cmake (which finds Debian's python3
# and ncdump, and fails configuration when SOVCAP_REQUIRE_READERS is on and they are missing).

find_program(SOVCAP_SYSTEM_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
find_program(SOVCAP_NCDUMP NAMES ncdump)
find_program(SOVCAP_RSCRIPT NAMES Rscript)
set(_interop_python_ok FALSE)
if(SOVCAP_SYSTEM_PYTHON3)
  execute_process(
    COMMAND "${SOVCAP_SYSTEM_PYTHON3}" -c "import xarray, h5netcdf, netCDF4, h5py, pandas"
    RESULT_VARIABLE _interop_missing OUTPUT_QUIET ERROR_QUIET)
  if(_interop_missing EQUAL 0)
    set(_interop_python_ok TRUE)
  endif()
endif()
set(_interop_r_ok FALSE)
if(SOVCAP_RSCRIPT)
  execute_process(COMMAND "${SOVCAP_RSCRIPT}" -e "library(ncdf4)"
                  RESULT_VARIABLE _interop_r_missing OUTPUT_QUIET ERROR_QUIET)
  if(_interop_r_missing EQUAL 0)
    set(_interop_r_ok TRUE)
  endif()
endif()
# cmake/bootstrap.sh installs every reader and asks for them, so CI cannot skip silently.
if(SOVCAP_REQUIRE_READERS AND (NOT _interop_python_ok OR NOT SOVCAP_NCDUMP OR NOT _interop_r_ok))
  message(FATAL_ERROR "SOVCAP_REQUIRE_READERS is on but interoperability readers are missing: "
                      "need /usr/bin/python3 with xarray, h5netcdf, netCDF4, h5py and pandas, "
                      "ncdump, and Rscript with ncdf4 (Debian: r-cran-ncdf4)")
endif()
if(NOT _interop_python_ok OR NOT SOVCAP_NCDUMP)
  message(STATUS "Interoperability tests skipped: need /usr/bin/python3 with xarray, h5netcdf, "
                 "netCDF4, h5py and pandas, and ncdump")
  return()
endif()

set(_interop_dir "${CMAKE_CURRENT_BINARY_DIR}/interop")
set(_interop_h5 "${_interop_dir}/baseline.h5")
set(_interop_json "${_interop_dir}/summary.json")
set(_interop_csv "${_interop_dir}/csv")
set(_interop_check "${CMAKE_CURRENT_SOURCE_DIR}/check_interop.py")
file(MAKE_DIRECTORY "${_interop_dir}")

# Fixtures: the baseline as a user runs it, what summarize prints of it, and its export.
add_test(NAME interop_baseline_write
         COMMAND $<TARGET_FILE:sovcap> run "${PROJECT_SOURCE_DIR}/scenarios/baseline.toml"
                 -o "${_interop_h5}" --force --quiet)
set_tests_properties(interop_baseline_write PROPERTIES FIXTURES_SETUP interop_h5)
add_test(NAME interop_summarize
         COMMAND sh -c "\"$0\" summarize \"$1\" --format json > \"$2\""
                 $<TARGET_FILE:sovcap> "${_interop_h5}" "${_interop_json}")
set_tests_properties(interop_summarize PROPERTIES FIXTURES_REQUIRED interop_h5
                                                  FIXTURES_SETUP interop_summary)
add_test(NAME interop_export_csv
         COMMAND $<TARGET_FILE:sovcap> export "${_interop_h5}" --csv "${_interop_csv}" --force)
set_tests_properties(interop_export_csv PROPERTIES FIXTURES_REQUIRED interop_h5
                                                   FIXTURES_SETUP interop_csv)

# One test per reader.
foreach(reader xarray-h5netcdf xarray-netcdf4 h5py)
  add_test(NAME interop_${reader}
           COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_interop_check}" ${reader} "${_interop_h5}"
                   "${_interop_json}")
  set_tests_properties(interop_${reader} PROPERTIES FIXTURES_REQUIRED "interop_h5;interop_summary")
endforeach()
add_test(NAME interop_pandas
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_interop_check}" pandas "${_interop_csv}"
                 "${_interop_json}")
set_tests_properties(interop_pandas PROPERTIES FIXTURES_REQUIRED "interop_summary;interop_csv")
add_test(NAME interop_ncdump
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_interop_check}" ncdump "${_interop_h5}"
                 "${_interop_json}" "${SOVCAP_NCDUMP}")
set_tests_properties(interop_ncdump PROPERTIES FIXTURES_REQUIRED "interop_h5;interop_summary")
if(_interop_r_ok)
  add_test(NAME interop_r
           COMMAND "${SOVCAP_RSCRIPT}" "${CMAKE_CURRENT_SOURCE_DIR}/check_r.R" "${_interop_h5}"
                   "${_interop_json}")
  set_tests_properties(interop_r PROPERTIES FIXTURES_REQUIRED "interop_h5;interop_summary")
else()
  message(STATUS "R reader test skipped: need Rscript with ncdf4 (Debian: r-cran-ncdf4)")
endif()

# `sovcap export` end to end: every value against h5py, NaN as an empty cell, refusal
# without --force, nothing left after a failure, a summary-store sweep with levers.
add_test(NAME interop_export_checks
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_interop_check}" export $<TARGET_FILE:sovcap>
                 "${_interop_h5}" "${_interop_dir}/export_checks")
set_tests_properties(interop_export_checks PROPERTIES FIXTURES_REQUIRED interop_h5 TIMEOUT 300)
# `sovcap compare`: the rows of summarize side by side; unknown codes refused (exit 2).
add_test(NAME interop_compare
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_interop_check}" compare $<TARGET_FILE:sovcap>
                 "${_interop_h5}" "${_interop_json}")
set_tests_properties(interop_compare PROPERTIES FIXTURES_REQUIRED "interop_h5;interop_summary")
# `sovcap summarize`, `compare` and run's table against h5py: values labelled with the year
# they are of, summary-store files, policies apart, --reach, "never" as an empty cell.
add_test(NAME interop_summaries
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/check_summaries.py"
                 $<TARGET_FILE:sovcap> "${_interop_dir}/summaries")
set_tests_properties(interop_summaries PROPERTIES TIMEOUT 300)
