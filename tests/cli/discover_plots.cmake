# Figures of a scenario discovery: analysis/sovcap_discover_plots.py on the JSON of
# `sovcap discover` for the discovery sweep (discover.cmake writes it), checked by
# tests/cli/check_discover_plots.py (PNGs not blank, texts inside the figure, axes labelled
# with units, no raw keys, the trajectory and the box drawn as the JSON says, categorical
# inputs as categories, refusals with exit 2). Needs /usr/bin/python3 with h5py
# (readers.cmake) and matplotlib.
if(NOT SOVCAP_SYSTEM_PYTHON3 OR _sovcap_readers_missing)
  return()
endif()
execute_process(COMMAND "${SOVCAP_SYSTEM_PYTHON3}" -c "import matplotlib, pandas"
                RESULT_VARIABLE _sovcap_discover_plots_missing OUTPUT_QUIET ERROR_QUIET)
if(_sovcap_discover_plots_missing)
  if(SOVCAP_REQUIRE_READERS)
    message(FATAL_ERROR "SOVCAP_REQUIRE_READERS is on but /usr/bin/python3 lacks matplotlib "
                        "or pandas (Debian: python3-matplotlib python3-pandas)")
  endif()
  message(STATUS "Discovery plot tests skipped: need /usr/bin/python3 with matplotlib")
  return()
endif()

# Another file (148 runs of sweep/small.toml) to be refused as not the discovery's.
add_test(NAME discover_plots_other_file
         COMMAND $<TARGET_FILE:sovcap> run "${CMAKE_CURRENT_SOURCE_DIR}/sweep/small.toml"
                 -o "${CMAKE_CURRENT_BINARY_DIR}/discover/other.h5" --store summary --force --quiet)
set_tests_properties(discover_plots_other_file PROPERTIES FIXTURES_SETUP discover_other)
add_test(NAME discover_plots
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/check_discover_plots.py"
                 --plots "${PROJECT_SOURCE_DIR}/analysis/sovcap_discover_plots.py"
                 --program $<TARGET_FILE:sovcap> "${CMAKE_CURRENT_BINARY_DIR}/discover/sweep.h5"
                 "${CMAKE_CURRENT_BINARY_DIR}/discover/other.h5"
                 --out "${CMAKE_CURRENT_BINARY_DIR}/discover/plots")
set_tests_properties(discover_plots PROPERTIES FIXTURES_REQUIRED "discover_files;discover_other")
