# Figures: analysis/sovcap_plots.py on a small sweep written by the program, rendered
# headless (matplotlib Agg), and checked by tests/cli/check_plots.py: the PNGs exist and are
# not blank, the statistics behind them match a direct computation, policies are drawn
# apart unless pooled and a fan band never spans two target paths, the figures' texts fit,
# name parameters readably and label every axis, --quiet prints nothing but errors, a
# summary file without trajectories fails clearly, and tornado charts come from a
# sensitivity CSV.
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

# The small sweep with its second lever on Korea's targets instead (two target paths), and
# one run of the baseline.
file(READ "${_plots_small}" _plots_toml)
string(REPLACE "\"country.KOR.grid_add_mw_per_year\" = [400, 800]"
       "\"country.KOR.targets\" = [[[2028.0, 550], [2030.0, 2000]], [[2028.0, 550], [2030.0, 3000]]]"
       _plots_target_toml "${_plots_toml}")
if(_plots_target_toml STREQUAL _plots_toml)
  message(FATAL_ERROR "plots.cmake: the KOR lever of ${_plots_small} changed; update the "
                      "target-lever variant")
endif()
file(WRITE "${_plots_dir}/target_lever.toml" "${_plots_target_toml}")
# ... and with Korea's starting capacity uncertain: every run its own target path.
string(REPLACE "[sweep.uncertain]\n"
       "[sweep.uncertain]\n\"country.KOR.it_mw\" = {dist = \"uniform\", low = 100, high = 120}\n"
       _plots_start_toml "${_plots_toml}")
file(WRITE "${_plots_dir}/uncertain_start.toml" "${_plots_start_toml}")
add_test(NAME plots_write_target_lever
         COMMAND $<TARGET_FILE:sovcap> run "${_plots_dir}/target_lever.toml"
                 -o "${_plots_dir}/target_lever.h5" --force --quiet)
set_tests_properties(plots_write_target_lever PROPERTIES FIXTURES_SETUP plots_target_lever)
add_test(NAME plots_write_uncertain_start
         COMMAND $<TARGET_FILE:sovcap> run "${_plots_dir}/uncertain_start.toml"
                 -o "${_plots_dir}/uncertain_start.h5" --force --quiet)
set_tests_properties(plots_write_uncertain_start PROPERTIES FIXTURES_SETUP plots_uncertain_start)
add_test(NAME plots_write_one_run
         COMMAND $<TARGET_FILE:sovcap> run "${PROJECT_SOURCE_DIR}/scenarios/baseline.toml"
                 -o "${_plots_dir}/one_run.h5" --force --quiet)
set_tests_properties(plots_write_one_run PROPERTIES FIXTURES_SETUP plots_one_run)

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

# Each policy apart by default (a panel per policy), pooled with --pool; every figure's texts
# inside it, axes labelled with units, readable names, one x scale across panels.
add_test(NAME plots_layout_policies
         COMMAND ${_plots_check} layout "${_plots_dir}/full.h5" --out "${_plots_dir}/layout"
                 --panels fan_KOR.png=4 --panels bottlenecks_KOR.png=4 --panels fan_SAU.png=4
                 --text "fan_KOR.png=chip allocation: max-min fair; KOR grid additions: 800 MW per year"
                 --text "countries.png=chip allocation: pro rata")
set_tests_properties(plots_layout_policies PROPERTIES FIXTURES_REQUIRED plots_full)
add_test(NAME plots_layout_pooled
         COMMAND ${_plots_check} layout "${_plots_dir}/full.h5" --out "${_plots_dir}/layout_pool"
                 --panels fan_KOR.png=1 --panels bottlenecks_KOR.png=1
                 --text "fan_KOR.png=4 policies pooled" -- --pool)
set_tests_properties(plots_layout_pooled PROPERTIES FIXTURES_REQUIRED plots_full)
add_test(NAME plots_layout_one_policy
         COMMAND ${_plots_check} layout "${_plots_dir}/summary.h5"
                 --out "${_plots_dir}/layout_one_policy" --panels fan_KOR.png=1
                 --panels bottlenecks_KOR.png=1 -- --policy 1 --countries KOR,SAU --quiet)
set_tests_properties(plots_layout_one_policy PROPERTIES FIXTURES_REQUIRED plots_summary)
# A lever on Korea's targets: a band per policy, each with its own target path; pooled, the
# band still splits by target path.
add_test(NAME plots_layout_target_lever
         COMMAND ${_plots_check} layout "${_plots_dir}/target_lever.h5"
                 --out "${_plots_dir}/layout_target" --panels fan_KOR.png=4
                 --targets fan_KOR.png=2 --text "fan_KOR.png=KOR targets: 550 MW by 2028, 3,000 MW by 2030")
set_tests_properties(plots_layout_target_lever PROPERTIES FIXTURES_REQUIRED plots_target_lever)
add_test(NAME plots_layout_target_lever_pooled
         COMMAND ${_plots_check} layout "${_plots_dir}/target_lever.h5"
                 --out "${_plots_dir}/layout_target_pool" --panels fan_KOR.png=2
                 --targets fan_KOR.png=2 --panels fan_FRA.png=1 --targets fan_FRA.png=1 -- --pool)
set_tests_properties(plots_layout_target_lever_pooled PROPERTIES
                     FIXTURES_REQUIRED plots_target_lever)
# Too many target paths to draw a band per path: a clear error, no figure; the bottleneck
# timelines, which have no target line, still draw.
add_test(NAME plots_target_paths_refused
         COMMAND ${_plots_check} figures "${_plots_dir}/uncertain_start.h5"
                 --out "${_plots_dir}/uncertain_start" --status 2
                 --message "KOR's target path differs across the runs")
add_test(NAME plots_target_paths_bottlenecks
         COMMAND ${_plots_check} figures "${_plots_dir}/uncertain_start.h5"
                 --out "${_plots_dir}/uncertain_start_bn" --expect bottlenecks_KOR.png
                 -- --figures bottlenecks --countries KOR)
set_tests_properties(plots_target_paths_refused plots_target_paths_bottlenecks PROPERTIES
                     FIXTURES_REQUIRED plots_uncertain_start)
add_test(NAME plots_bands
         COMMAND ${_plots_check} bands "${_plots_dir}/target_lever.h5")
set_tests_properties(plots_bands PROPERTIES FIXTURES_REQUIRED plots_target_lever)
# One run: its bottleneck chart speaks of time, not of runs.
add_test(NAME plots_layout_one_run
         COMMAND ${_plots_check} layout "${_plots_dir}/one_run.h5" --out "${_plots_dir}/layout_one"
                 --panels fan_KOR.png=1 --no-text "bottlenecks_KOR.png=share of runs"
                 --no-text "bottlenecks_KOR.png=of runs" --text "bottlenecks_KOR.png=of the time"
                 -- --countries KOR,FRA,DEU)
set_tests_properties(plots_layout_one_run PROPERTIES FIXTURES_REQUIRED plots_one_run)
add_test(NAME plots_names
         COMMAND ${_plots_check} names "${_plots_dir}/full.h5" --program $<TARGET_FILE:sovcap>)
set_tests_properties(plots_names PROPERTIES FIXTURES_REQUIRED plots_full)

# --quiet: nothing printed when all goes well (here a note on rebuilt targets would be), and
# only the error when not.
add_test(NAME plots_quiet
         COMMAND ${_plots_check} figures "${_plots_dir}/summary.h5" --out "${_plots_dir}/quiet"
                 --silent -- --countries KOR --quiet)
set_tests_properties(plots_quiet PROPERTIES FIXTURES_REQUIRED plots_summary)
add_test(NAME plots_quiet_error
         COMMAND ${_plots_check} figures "${_plots_dir}/bare.h5" --out "${_plots_dir}/quiet_bare"
                 --status 2 --silent --message "no it_mw trajectories in the file" -- --quiet)
set_tests_properties(plots_quiet_error PROPERTIES FIXTURES_REQUIRED plots_bare)

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
