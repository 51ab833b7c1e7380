# Figures: analysis/sovcap_plots.py on a small sweep written by the program, rendered
# headless (matplotlib Agg), and checked by tests/cli/check_plots.py: the PNGs exist and are
# not blank, the statistics behind them match a direct computation, a summary file without
# trajectories fails clearly, and tornado charts come from a sensitivity CSV.
# Included from tests/cli/CMakeLists.txt; needs /usr/bin/python3 with h5py and xarray
# (readers.cmake) and matplotlib and pandas.
if(NOT SOVCAP_SYSTEM_PYTHON3 OR _sovcap_readers_missing)
  return()
endif()
execute_process(COMMAND "${SOVCAP_SYSTEM_PYTHON3}" -c "import matplotlib, pandas"
                RESULT_VARIABLE _sovcap_plots_missing OUTPUT_QUIET ERROR_QUIET)
if(_sovcap_plots_missing)
  if(SOVCAP_REQUIRE_READERS)
    message(FATAL_ERROR "SOVCAP_REQUIRE_READERS is on but /usr/bin/python3 lacks matplotlib "
                        "or pandas (Debian: python3-matplotlib python3-pandas)")
  endif()
  message(STATUS "Plot tests skipped: need /usr/bin/python3 with matplotlib and pandas "
                 "(Debian: python3-matplotlib python3-pandas)")
  return()
endif()

set(_plots_small "${CMAKE_CURRENT_SOURCE_DIR}/sweep/small.toml")
set(_plots_dir "${CMAKE_CURRENT_BINARY_DIR}/plots")
set(_plots_check "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/check_plots.py"
                 --plots "${PROJECT_SOURCE_DIR}/analysis/sovcap_plots.py")
file(MAKE_DIRECTORY "${_plots_dir}")

# The small sweep (148 runs, 3 countries, 4 policies): full, summary keeping it_mw and
# bottleneck (no target_mw: targets rebuilt from parameters), and summary keeping nothing.
add_test(NAME plots_write_full
         COMMAND $<TARGET_FILE:sovcap> run "${_plots_small}" -o "${_plots_dir}/full.h5"
                 --force --quiet)
add_test(NAME plots_write_summary
         COMMAND $<TARGET_FILE:sovcap> run "${_plots_small}" -o "${_plots_dir}/summary.h5"
                 --store summary --keep it_mw,bottleneck --force --quiet)
add_test(NAME plots_write_bare
         COMMAND $<TARGET_FILE:sovcap> run "${_plots_small}" -o "${_plots_dir}/bare.h5"
                 --store summary --force --quiet)
set_tests_properties(plots_write_full PROPERTIES FIXTURES_SETUP plots_full)
set_tests_properties(plots_write_summary PROPERTIES FIXTURES_SETUP plots_summary)
set_tests_properties(plots_write_bare PROPERTIES FIXTURES_SETUP plots_bare)

set(_plots_all fan_KOR.png,bottlenecks_KOR.png,fan_FRA.png,bottlenecks_FRA.png,fan_SAU.png,bottlenecks_SAU.png,countries.png)
add_test(NAME plots_full
         COMMAND ${_plots_check} figures "${_plots_dir}/full.h5" --out "${_plots_dir}/full"
                 --expect ${_plots_all})
set_tests_properties(plots_full PROPERTIES FIXTURES_REQUIRED plots_full)

add_test(NAME plots_summary_one_policy
         COMMAND ${_plots_check} figures "${_plots_dir}/summary.h5"
                 --out "${_plots_dir}/summary" --message "target paths rebuilt"
                 --expect fan_KOR.png,bottlenecks_KOR.png,fan_SAU.png,bottlenecks_SAU.png,countries.png
                 -- --countries KOR,SAU --policy 1 --shared-y)
set_tests_properties(plots_summary_one_policy PROPERTIES FIXTURES_REQUIRED plots_summary)

# Past --max-runs the figures come from a subsample, and say so.
add_test(NAME plots_subsample
         COMMAND ${_plots_check} figures "${_plots_dir}/full.h5" --out "${_plots_dir}/subsample"
                 --message "subsample of" --expect fan_FRA.png,bottlenecks_FRA.png
                 -- --countries FRA --figures fan,bottlenecks --max-runs 40)
set_tests_properties(plots_subsample PROPERTIES FIXTURES_REQUIRED plots_full)

add_test(NAME plots_stats
         COMMAND ${_plots_check} stats "${_plots_dir}/full.h5" "${_plots_dir}/summary.h5")
set_tests_properties(plots_stats PROPERTIES FIXTURES_REQUIRED "plots_full;plots_summary")

add_test(NAME plots_bare_summary_fails_clearly
         COMMAND ${_plots_check} figures "${_plots_dir}/bare.h5" --out "${_plots_dir}/bare"
                 --status 2 --message "no it_mw trajectories in the file")
set_tests_properties(plots_bare_summary_fails_clearly PROPERTIES FIXTURES_REQUIRED plots_bare)

add_test(NAME plots_tornado
         COMMAND ${_plots_check} tornado "${_plots_dir}/full.h5" --out "${_plots_dir}/tornado")
set_tests_properties(plots_tornado PROPERTIES FIXTURES_REQUIRED plots_full)

# End to end with `sovcap sensitivity`: the CSV the program writes for a Saltelli sweep.
if(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/sweep/saltelli.toml"
   AND EXISTS "${PROJECT_SOURCE_DIR}/sim/app/cmd_sensitivity.cpp")
  add_test(NAME plots_tornado_from_program
           COMMAND ${_plots_check} tornado "${_plots_dir}/full.h5"
                   --out "${_plots_dir}/tornado_program" --program $<TARGET_FILE:sovcap>
                   --saltelli "${CMAKE_CURRENT_SOURCE_DIR}/sweep/saltelli.toml")
  set_tests_properties(plots_tornado_from_program PROPERTIES FIXTURES_REQUIRED plots_full)
endif()
