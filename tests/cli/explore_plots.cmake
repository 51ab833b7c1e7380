# Figures of the exploratory analyses: analysis/sovcap_explore_plots.py on the files of
# explore.cmake and the JSON of `sovcap robustness` and `sovcap diff`, checked by
# tests/cli/check_explore_plots.py: the PNGs are written and not blank, every heatmap cell is
# the JSON's mean regret and the least is framed, the diff chart's medians are the files',
# policies are named by their lever values in words, axes are labelled with units, titles
# and texts fit, and bad input exits 2 without a figure. Included from
# tests/cli/CMakeLists.txt after explore.cmake and plots.cmake (which finds matplotlib).
if(NOT SOVCAP_SYSTEM_PYTHON3 OR _sovcap_readers_missing OR _sovcap_plots_missing)
  return()
endif()

set(_epdir "${CMAKE_CURRENT_BINARY_DIR}/explore_plots")
set(_edir "${CMAKE_CURRENT_BINARY_DIR}/explore")
set(_explore_plots "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/check_explore_plots.py"
    --plots "${PROJECT_SOURCE_DIR}/analysis/sovcap_explore_plots.py" --program $<TARGET_FILE:sovcap>)

add_test(NAME explore_plots_regret
         COMMAND ${_explore_plots} regret "${_edir}/dominance.h5" --out "${_epdir}/regret")
# Two sweeps over the same futures (paired), and two single runs (no bands).
add_test(NAME explore_plots_diff_paired
         COMMAND ${_explore_plots} diff "${_edir}/dominance.h5" "${_edir}/dominance_fra.h5"
                 --country FRA --policy 1 --out "${_epdir}/diff_paired")
add_test(NAME explore_plots_diff_one_run
         COMMAND ${_explore_plots} diff "${_edir}/baseline.h5" "${_edir}/supply_shock.h5"
                 --country IND --out "${_epdir}/diff_one_run")
add_test(NAME explore_plots_refuse_country
         COMMAND ${_explore_plots} refuse --out "${_epdir}/refuse_country" --message "no country ZZZ in the file"
                 -- diff "${_edir}/baseline.h5" "${_edir}/supply_shock.h5" --country ZZZ)
add_test(NAME explore_plots_refuse_json
         COMMAND ${_explore_plots} refuse --out "${_epdir}/refuse_json"
                 --message "not the JSON of `sovcap robustness --format json`"
                 -- regret "${PROJECT_SOURCE_DIR}/tests/cli/sweep/dominance.toml")
# A diff JSON per policy against a chart of every run pooled: refused, naming --pool.
add_test(NAME explore_plots_refuse_policies
         COMMAND ${_explore_plots} refuse --out "${_epdir}/refuse_policies" --json-of-diff
                 "${_edir}/dominance.h5" "${_edir}/dominance_fra.h5"
                 --message "not for the runs pooled (write it with `sovcap diff --pool`"
                 -- diff "${_edir}/dominance.h5" "${_edir}/dominance_fra.h5" --country FRA)
add_test(NAME explore_plots_refuse_missing
         COMMAND ${_explore_plots} refuse --out "${_epdir}/refuse_missing" --message "no_such.json: no such file"
                 -- regret "${_epdir}/no_such.json")
set_tests_properties(explore_plots_regret explore_plots_diff_paired explore_plots_diff_one_run
                     explore_plots_refuse_country explore_plots_refuse_json explore_plots_refuse_missing
                     explore_plots_refuse_policies
                     PROPERTIES FIXTURES_REQUIRED explore_files)
