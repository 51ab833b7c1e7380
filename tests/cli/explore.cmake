# `sovcap robustness` and `sovcap diff` through the program, checked by check_explore.py
# against numpy over the files read with h5py: regret on a sweep where one policy dominates
# in every future (sweep/dominance.toml), diffs of a file with itself and with a shocked
# scenario, paired differences of two sweeps over the same futures, and bad input (exit 2).
# Included from tests/cli/CMakeLists.txt after readers.cmake, which finds /usr/bin/python3
# with h5py.
if(NOT SOVCAP_SYSTEM_PYTHON3 OR _sovcap_readers_missing)
  return()
endif()

set(_edir "${CMAKE_CURRENT_BINARY_DIR}/explore")
set(_dominance "${CMAKE_CURRENT_SOURCE_DIR}/sweep/dominance.toml")
set(_explore "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/check_explore.py" $<TARGET_FILE:sovcap>)
file(MAKE_DIRECTORY "${_edir}")

# The dominance sweep (3 policies x 20 futures), the same with France's budget doubled (same
# futures), with another seed (other futures) and with its levers' first value only (one
# policy); baseline and the supply shock, one run each.
add_test(NAME explore_write_dominance
         COMMAND $<TARGET_FILE:sovcap> run "${_dominance}" -o "${_edir}/dominance.h5" --force --quiet)
add_test(NAME explore_write_dominance_fra
         COMMAND $<TARGET_FILE:sovcap> run "${_dominance}" -o "${_edir}/dominance_fra.h5"
                 --set country.FRA.budget_usd_per_year=6e9 --force --quiet)
add_test(NAME explore_write_dominance_seed
         COMMAND $<TARGET_FILE:sovcap> run "${_dominance}" -o "${_edir}/dominance_seed.h5"
                 --set simulation.seed=8 --force --quiet)
add_test(NAME explore_write_one_policy
         COMMAND $<TARGET_FILE:sovcap> run "${CMAKE_CURRENT_SOURCE_DIR}/sweep/sampled_pue.toml"
                 -o "${_edir}/one_policy.h5" --set sweep.samples=4 --force --quiet)
add_test(NAME explore_write_baseline
         COMMAND $<TARGET_FILE:sovcap> run "${PROJECT_SOURCE_DIR}/scenarios/baseline.toml"
                 -o "${_edir}/baseline.h5" --force --quiet)
# The shock is set here rather than taken from the scenario, so that this test does not move
# when the scenario is revised: explore_diff needs some reach year to move, and with the data
# set of 2026-12 (vendor_supply 5.5M/yr, other_demand 0.5M/yr) halving 2028's output moves none,
# while a quarter moves SAU's 1 GW year (Data set 2: 2030.75 -> 2031.0).
add_test(NAME explore_write_supply_shock
         COMMAND $<TARGET_FILE:sovcap> run "${PROJECT_SOURCE_DIR}/scenarios/supply_shock.toml"
                 -o "${_edir}/supply_shock.h5" --force --quiet
                 --set "global.supply_shocks=[{start = 2028.0, end = 2029.0, factor = 0.25}]")
set_tests_properties(explore_write_dominance explore_write_dominance_fra explore_write_dominance_seed
                     explore_write_one_policy explore_write_baseline explore_write_supply_shock
                     PROPERTIES FIXTURES_SETUP explore_files)

add_test(NAME explore_robustness COMMAND ${_explore} robustness "${_edir}/dominance.h5")
add_test(NAME explore_diff COMMAND ${_explore} diff "${_edir}/baseline.h5" "${_edir}/supply_shock.h5")
add_test(NAME explore_paired
         COMMAND ${_explore} paired "${_edir}/dominance.h5" "${_edir}/dominance_fra.h5")
add_test(NAME explore_not_crn
         COMMAND ${_explore} not_crn "${_edir}/dominance.h5" "${_edir}/not_crn.h5")

# Bad input: exit 2, a clear error, nothing on stdout. NAME|MESSAGE|ARGUMENTS separated by ^.
set(_explore_checks)
set(_refusals
    "robustness_metric|--metric it_mw_fnal: unknown metric|robustness^${_edir}/dominance.h5^--metric^it_mw_fnal"
    "robustness_country|--country USA: not in|robustness^${_edir}/dominance.h5^--metric^it_mw_final^--country^USA"
    "robustness_one_policy|holds one policy: robustness compares policies|robustness^${_edir}/one_policy.h5^--metric^it_mw_final"
    "robustness_one_run|holds one policy|robustness^${_edir}/baseline.h5^--metric^it_mw_final"
    "robustness_not_sovcap|README.md: not a sovcap results file|robustness^${PROJECT_SOURCE_DIR}/README.md^--metric^it_mw_final"
    "robustness_missing|no_such.h5: no such file|robustness^${_edir}/no_such.h5^--metric^it_mw_final"
    "robustness_year_not_in_file|--metric pipeline_mw@2035: 2035 is not a time of|robustness^${_edir}/dominance_seed.h5^--metric^pipeline_mw@2035"
    "diff_paired_designs|--paired: run 0 drew sampled.global.accel_price_usd|diff^${_edir}/dominance.h5^${_edir}/dominance_seed.h5^--paired"
    "diff_paired_one_run|--paired: ${_edir}/baseline.h5 has no uncertain parameters|diff^${_edir}/baseline.h5^${_edir}/supply_shock.h5^--paired"
    "diff_country|unknown country 'USA'|diff^${_edir}/dominance.h5^${_edir}/dominance_fra.h5^--countries^KOR,USA"
    "diff_not_sovcap|README.md: not a sovcap results file|diff^${_edir}/dominance.h5^${PROJECT_SOURCE_DIR}/README.md"
    "diff_format|--format html: allowed text, csv, json, markdown|diff^${_edir}/dominance.h5^${_edir}/dominance.h5^--format^html")
foreach(r ${_refusals})
  string(REPLACE "|" ";" _parts "${r}")
  list(GET _parts 0 _name)
  list(GET _parts 1 _message)
  list(GET _parts 2 _args)
  string(REPLACE "^" ";" _args "${_args}")
  add_test(NAME explore_refuse_${_name} COMMAND ${_explore} refuse "${_message}" -- ${_args})
  list(APPEND _explore_checks explore_refuse_${_name})
endforeach()
set_tests_properties(explore_robustness explore_diff explore_paired explore_not_crn ${_explore_checks}
                     PROPERTIES FIXTURES_REQUIRED explore_files)
