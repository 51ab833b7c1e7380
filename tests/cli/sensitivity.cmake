# `sovcap sensitivity` through the program, cross-checked against OpenTURNS: a small Saltelli
# sweep (sweep/saltelli.toml), then check_sensitivity.py runs `sovcap sensitivity --format
# csv` for a metric and compares every index with OpenTURNS (and the formulas in numpy) on
# the same A, B and AB_i outputs read with h5py. Included from tests/cli/CMakeLists.txt after
# readers.cmake, which finds /usr/bin/python3 with h5py.
if(NOT SOVCAP_SYSTEM_PYTHON3 OR _sovcap_readers_missing)
  return()
endif()
execute_process(COMMAND "${SOVCAP_SYSTEM_PYTHON3}" -c "import openturns, h5py, numpy"
                RESULT_VARIABLE _sovcap_openturns_missing OUTPUT_QUIET ERROR_QUIET)
if(_sovcap_openturns_missing)
  # cmake/bootstrap.sh installs python3-openturns and asks for the readers: CI cannot skip.
  if(SOVCAP_REQUIRE_READERS)
    message(FATAL_ERROR "SOVCAP_REQUIRE_READERS is on but /usr/bin/python3 cannot import "
                        "openturns (Debian: python3-openturns) for the sensitivity tests")
  endif()
  message(STATUS "Sensitivity cross-checks skipped: need /usr/bin/python3 with openturns "
                 "(Debian: python3-openturns)")
  return()
endif()

set(_saltelli "${CMAKE_CURRENT_SOURCE_DIR}/sweep/saltelli.toml")
set(_sdir "${CMAKE_CURRENT_BINARY_DIR}/sensitivity")
set(_check_sensitivity "${CMAKE_CURRENT_SOURCE_DIR}/check_sensitivity.py")
file(MAKE_DIRECTORY "${_sdir}")

# 2 policies x 512 base rows x (4 + 2) = 6144 runs, about a second.
add_test(NAME sensitivity_sweep
         COMMAND $<TARGET_FILE:sovcap> run "${_saltelli}" -o "${_sdir}/saltelli.h5" --force --quiet)
set_tests_properties(sensitivity_sweep PROPERTIES FIXTURES_SETUP sensitivity_file)

# Reach years (censored at the horizon + dt; SAU never reaches 1 GW: NaN with a reason),
# values at the horizon, a series at a year and at every whole year.
foreach(metric year_gw_reached it_mw_final spend_usd_final it_mw@2030)
  string(REPLACE "@" "_at_" _name "${metric}")
  add_test(NAME sensitivity_openturns_${_name}
           COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_check_sensitivity}" $<TARGET_FILE:sovcap>
                   "${_sdir}/saltelli.h5" --metric ${metric})
  set_tests_properties(sensitivity_openturns_${_name} PROPERTIES FIXTURES_REQUIRED sensitivity_file)
endforeach()
add_test(NAME sensitivity_openturns_series_it_mw
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_check_sensitivity}" $<TARGET_FILE:sovcap>
                 "${_sdir}/saltelli.h5" --series it_mw)
set_tests_properties(sensitivity_openturns_series_it_mw PROPERTIES FIXTURES_REQUIRED sensitivity_file)

# Incomplete runs (a partial file): base rows missing any run are left out.
add_test(NAME sensitivity_openturns_incomplete_runs
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_check_sensitivity}" $<TARGET_FILE:sovcap>
                 "${_sdir}/saltelli.h5" --metric year_gw_reached --drop-every 97)
set_tests_properties(sensitivity_openturns_incomplete_runs PROPERTIES FIXTURES_REQUIRED sensitivity_file)

# One shard of the sweep: the base rows it holds whole.
add_test(NAME sensitivity_shard_write
         COMMAND $<TARGET_FILE:sovcap> run "${_saltelli}" -o "${_sdir}/shard1.h5" --shard 1/3
                 --force --quiet)
set_tests_properties(sensitivity_shard_write PROPERTIES FIXTURES_SETUP sensitivity_shard)
add_test(NAME sensitivity_openturns_shard
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_check_sensitivity}" $<TARGET_FILE:sovcap>
                 "${_sdir}/shard1.h5" --metric it_mw_final)
set_tests_properties(sensitivity_openturns_shard PROPERTIES FIXTURES_REQUIRED sensitivity_shard)

# The text report says how reach years are censored.
add_test(NAME sensitivity_text_censoring
         COMMAND $<TARGET_FILE:sovcap> sensitivity "${_sdir}/saltelli.h5" --metric year_gw_reached
                 --country KOR --bootstrap 100)
set_tests_properties(sensitivity_text_censoring PROPERTIES
                     FIXTURES_REQUIRED sensitivity_file
                     PASS_REGULAR_EXPRESSION "counts as 2032\\.25 \\(the horizon \\+ dt\\): censored at the end of the run")

# A file that is not a Saltelli design is refused (exit 2), naming method = "saltelli".
add_test(NAME sensitivity_lhs_write
         COMMAND $<TARGET_FILE:sovcap> run "${_saltelli}" -o "${_sdir}/lhs.h5"
                 "--set=sweep.method=\"lhs\"" --set sweep.samples=16 --force --quiet)
set_tests_properties(sensitivity_lhs_write PROPERTIES FIXTURES_SETUP sensitivity_lhs)
add_test(NAME sensitivity_refuses_lhs
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_check_sensitivity}" $<TARGET_FILE:sovcap>
                 "${_sdir}/lhs.h5" --expect-refusal)
set_tests_properties(sensitivity_refuses_lhs PROPERTIES FIXTURES_REQUIRED sensitivity_lhs)
