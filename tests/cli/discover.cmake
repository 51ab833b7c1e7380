# `sovcap discover` through the program: a small sweep (sweep/discover.toml), an answer in
# each format, and the refusals a user must see (exit 2, the reason on stderr, nothing on
# stdout; expect_refusal.sh). Included from tests/cli/CMakeLists.txt.

set(_discover_toml "${CMAKE_CURRENT_SOURCE_DIR}/sweep/discover.toml")
set(_ddir "${CMAKE_CURRENT_BINARY_DIR}/discover")
set(_refusal "${CMAKE_CURRENT_SOURCE_DIR}/expect_refusal.sh")
file(MAKE_DIRECTORY "${_ddir}")

# 2 policies x 150 samples = 300 runs; full and summary store, and a single run.
add_test(NAME discover_sweep
         COMMAND $<TARGET_FILE:sovcap> run "${_discover_toml}" -o "${_ddir}/sweep.h5" --force --quiet)
add_test(NAME discover_sweep_summary
         COMMAND $<TARGET_FILE:sovcap> run "${_discover_toml}" -o "${_ddir}/summary.h5" --store summary --force --quiet)
add_test(NAME discover_single_run
         COMMAND $<TARGET_FILE:sovcap> run "${CMAKE_CURRENT_SOURCE_DIR}/../../scenarios/baseline.toml"
                 -o "${_ddir}/single.h5" --force --quiet)
set_tests_properties(discover_sweep discover_sweep_summary discover_single_run PROPERTIES FIXTURES_SETUP discover_files)

# The answer: the box with a restricted input's limits, the trajectory.
add_test(NAME discover_text
         COMMAND $<TARGET_FILE:sovcap> discover "${_ddir}/sweep.h5" --country KOR --metric it_mw@2030 --below 600
                 --policy 1 --resamples 10)
set_tests_properties(discover_text PROPERTIES FIXTURES_REQUIRED discover_files
                     PASS_REGULAR_EXPRESSION "box 1: step [0-9]+ of [0-9]+ \\(suggested\\): coverage .*trajectory of box 1:")
add_test(NAME discover_json
         COMMAND $<TARGET_FILE:sovcap> discover "${_ddir}/summary.h5" --country SAU --metric spend_usd_final
                 --below 3e10 --format json --resamples 0)
set_tests_properties(discover_json PROPERTIES FIXTURES_REQUIRED discover_files
                     PASS_REGULAR_EXPRESSION "\"boxes\": \\[.*\"limits\": {[^}]*\"country\\.\\*\\.budget_usd_per_year\": \\[")

# Refusals.
function(discover_refusal name expected)
  add_test(NAME discover_refuses_${name} COMMAND bash "${_refusal}" $<TARGET_FILE:sovcap> "${expected}" discover ${ARGN})
  set_tests_properties(discover_refuses_${name} PROPERTIES FIXTURES_REQUIRED discover_files)
endfunction()
discover_refusal(unknown_metric "--metric it_mw_soon: unknown metric; allowed year_gw_reached"
                 "${_ddir}/sweep.h5" --country KOR --metric it_mw_soon --above 1)
discover_refusal(series_not_stored "--metric year_reached@500 needs the it_mw series, which ${_ddir}/summary.h5 does not store"
                 "${_ddir}/summary.h5" --country KOR --metric year_reached@500 --above 2029)
discover_refusal(country "--country USA: not in ${_ddir}/sweep.h5; allowed KOR, FRA, SAU"
                 "${_ddir}/sweep.h5" --country USA --metric year_gw_reached --above 2030)
discover_refusal(no_run_crosses "no run of the 300 used has KOR's it_mw_final above 1e+09"
                 "${_ddir}/sweep.h5" --country KOR --metric it_mw_final --above 1e9)
discover_refusal(every_run_crosses "every run of the 300 used has KOR's it_mw_final above 0"
                 "${_ddir}/sweep.h5" --country KOR --metric it_mw_final --above 0)
discover_refusal(single_run "${_ddir}/single.h5 holds no sampled inputs"
                 "${_ddir}/single.h5" --country KOR --metric year_gw_reached --above 2030)
discover_refusal(policy "--policy 7: not a policy of ${_ddir}/sweep.h5; allowed 0 to 1"
                 "${_ddir}/sweep.h5" --country KOR --metric year_gw_reached --above 2030 --policy 7)
discover_refusal(no_threshold "give one of --above X or --below X"
                 "${_ddir}/sweep.h5" --country KOR --metric year_gw_reached)
discover_refusal(no_file "${_ddir}/none.h5: no such file"
                 "${_ddir}/none.h5" --country KOR --metric year_gw_reached --above 2030)
