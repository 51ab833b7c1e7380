# Hostile inputs and hostile conditions, through the program (included from
# tests/cli/CMakeLists.txt):
#  - `sovcap check` passes on files the program writes (single run, sweep in full and
#    summary store, merged master) and fails on copies tampered with h5py (tamper_h5.py);
#  - numeric hostility in a scenario (NaN, inf, 1e308, -0.0, a one-step horizon, a dt that
#    does not divide the horizon, targets before start_year, a thousand countries): each
#    either runs (and `sovcap check` passes on its output) or is refused with exit 2
#    naming file, line and key (expect_bad_input.sh);
#  - kill -9 in the middle of a sweep (kill_test.sh);
#  - an output path that cannot be written (unwritable_test.sh);
#  - outputs under a second writer, kills inside a save, a full disk, hostile -o paths
#    (output_safety_test.sh), and the stress script over all of them (stress_output.py).
if(NOT SOVCAP_SYSTEM_PYTHON3 OR _sovcap_readers_missing)
  return()
endif()

set(_hdir "${CMAKE_CURRENT_BINARY_DIR}/hostile")
file(MAKE_DIRECTORY "${_hdir}")
set(_tamper "${CMAKE_CURRENT_SOURCE_DIR}/tamper_h5.py")
set(_sweepdir "${CMAKE_CURRENT_BINARY_DIR}/sweep")  # written by sweep.cmake's tests

# ---- sovcap check on the program's own files --------------------------------------------
add_test(NAME check_single_run_setup
         COMMAND $<TARGET_FILE:sovcap> run "${PROJECT_SOURCE_DIR}/scenarios/baseline.toml"
                 -o "${_hdir}/single.h5" --force --quiet)
set_tests_properties(check_single_run_setup PROPERTIES FIXTURES_SETUP check_single)
add_test(NAME check_single_run COMMAND $<TARGET_FILE:sovcap> check "${_hdir}/single.h5")
set_tests_properties(check_single_run PROPERTIES FIXTURES_REQUIRED check_single
                     PASS_REGULAR_EXPRESSION "OK: every check holds")
add_test(NAME check_single_run_json
         COMMAND $<TARGET_FILE:sovcap> check "${_hdir}/single.h5" --format json)
set_tests_properties(check_single_run_json PROPERTIES FIXTURES_REQUIRED check_single
                     PASS_REGULAR_EXPRESSION "\"ok\": true")
add_test(NAME check_sweep_full COMMAND $<TARGET_FILE:sovcap> check "${_sweepdir}/t1.h5")
set_tests_properties(check_sweep_full PROPERTIES FIXTURES_REQUIRED sweep_threads
                     PASS_REGULAR_EXPRESSION "148 of 148 runs complete")
# Summary store: what is there is checked, and the checks that could not run are named.
add_test(NAME check_sweep_summary COMMAND $<TARGET_FILE:sovcap> check "${_sweepdir}/summary.h5")
set_tests_properties(check_sweep_summary PROPERTIES FIXTURES_REQUIRED sweep_summary
                     PASS_REGULAR_EXPRESSION "not checked: sum over countries of chip_received <= vendor_supply")
add_test(NAME check_merged_master COMMAND $<TARGET_FILE:sovcap> check "${_sweepdir}/merged.h5")
set_tests_properties(check_merged_master PROPERTIES FIXTURES_REQUIRED sweep_merged
                     PASS_REGULAR_EXPRESSION "master of 3 shards \\(0 missing\\)")

# ---- ... and FAILS on tampered copies (exit 1, naming run, country, time, what) --------
# tamper_h5.py SOVCAP SRC DST CASE EXPECTED: copies SRC, tampers, runs `sovcap check` on the
# copy and asserts exit 1 with EXPECTED on stdout.
add_test(NAME check_tampered_negative_it_mw
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_tamper}" $<TARGET_FILE:sovcap>
                 "${_sweepdir}/t1.h5" "${_hdir}/neg.h5" negative_it_mw "run 5, KOR, time 2027, it_mw = -1 is negative")
set_tests_properties(check_tampered_negative_it_mw PROPERTIES FIXTURES_REQUIRED sweep_threads)
add_test(NAME check_tampered_run_incomplete
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_tamper}" $<TARGET_FILE:sovcap>
                 "${_sweepdir}/t1.h5" "${_hdir}/incomplete.h5" run_incomplete "1 of 148 runs are missing")
set_tests_properties(check_tampered_run_incomplete PROPERTIES FIXTURES_REQUIRED sweep_threads)
add_test(NAME check_tampered_bottleneck_code
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_tamper}" $<TARGET_FILE:sovcap>
                 "${_sweepdir}/t1.h5" "${_hdir}/code.h5" bad_code "bottleneck code 9 is not in 0..6")
set_tests_properties(check_tampered_bottleneck_code PROPERTIES FIXTURES_REQUIRED sweep_threads)
# A value that is not finite where one must be (inf passed check before).
add_test(NAME check_tampered_inf_compute
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_tamper}" $<TARGET_FILE:sovcap>
                 "${_sweepdir}/t1.h5" "${_hdir}/inf.h5" inf_compute "run 5, KOR, time 2027, compute_flops = inf is not finite")
set_tests_properties(check_tampered_inf_compute PROPERTIES FIXTURES_REQUIRED sweep_threads)
add_test(NAME check_tampered_nan_vendor_supply
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_tamper}" $<TARGET_FILE:sovcap>
                 "${_sweepdir}/t1.h5" "${_hdir}/nan.h5" nan_vendor_supply "vendor_supply = nan is not finite")
set_tests_properties(check_tampered_nan_vendor_supply PROPERTIES FIXTURES_REQUIRED sweep_threads)
add_test(NAME check_tampered_format_version
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_tamper}" $<TARGET_FILE:sovcap>
                 "${_sweepdir}/t1.h5" "${_hdir}/version.h5" format_version "format_version \"9.9\" is not one this sovcap knows")
set_tests_properties(check_tampered_format_version PROPERTIES FIXTURES_REQUIRED sweep_threads)
# A master whose shard 1 was deleted: the shard is named and its runs counted missing.
add_test(NAME check_master_missing_shard
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_tamper}" $<TARGET_FILE:sovcap>
                 "${_sweepdir}/merged.h5" "${_hdir}/master/merged.h5" delete_shard "shard shard1.h5")
set_tests_properties(check_master_missing_shard PROPERTIES FIXTURES_REQUIRED sweep_merged)
# Not a sovcap file, or no file: exit 2.
file(WRITE "${_hdir}/not_hdf5.h5" "not an HDF5 file\n")
foreach(case not_hdf5 absent)
  add_test(NAME check_exit2_${case}
           COMMAND bash -c "\"$0\" check \"$1\"; test $? -eq 2" $<TARGET_FILE:sovcap> "${_hdir}/${case}.h5")
endforeach()
add_test(NAME check_not_sovcap_hdf5
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_tamper}" $<TARGET_FILE:sovcap>
                 "${_sweepdir}/t1.h5" "${_hdir}/foreign.h5" foreign_file "not a sovcap results file")
set_tests_properties(check_not_sovcap_hdf5 PROPERTIES FIXTURES_REQUIRED sweep_threads)

# ---- Numeric hostility in a scenario ----------------------------------------------------
# _hostile_scenario(NAME SIMULATION_LINES COUNTRY_LINES): a one-country scenario with the
# given [simulation] lines and extra (or replaced) [country.KOR] lines.
function(_hostile_scenario name sim country)
  file(WRITE "${_hdir}/${name}.toml"
       "# Generated by tests/cli/hostile.cmake.\n[simulation]\n${sim}\n[country.KOR]\nname = \"Korea\"\n${country}\n")
endfunction()
set(_sim "start_year = 2026.0\nend_year = 2030.0\ndt = 0.25\n")
set(_base "grid_mw = 100\ngrid_add_mw_per_year = 50\nworkforce = 2000\n")
set(_kor "it_mw = 55\n${_base}budget_usd_per_year = 2e9\ntargets = [[2030, 1000]]\n")

# Refused: exit 2, "FILE:LINE:COL: KEY: ..." and nothing left in the output folder.
function(_hostile_bad name)
  add_test(NAME hostile_bad_${name}
           COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/expect_bad_input.sh" $<TARGET_FILE:sovcap>
                   "${_hdir}/${name}.toml" ${ARGN})
  set_tests_properties(hostile_bad_${name} PROPERTIES LABELS "cli;bad_input" TIMEOUT 60)
endfunction()
# Accepted: runs, and `sovcap check` passes on what it wrote.
function(_hostile_ok name)
  add_test(NAME hostile_ok_${name}_run
           COMMAND $<TARGET_FILE:sovcap> run "${_hdir}/${name}.toml" -o "${_hdir}/${name}.h5" --force --quiet ${ARGN})
  set_tests_properties(hostile_ok_${name}_run PROPERTIES FIXTURES_SETUP hostile_${name} TIMEOUT 120)
  add_test(NAME hostile_ok_${name}_check COMMAND $<TARGET_FILE:sovcap> check "${_hdir}/${name}.h5")
  set_tests_properties(hostile_ok_${name}_check PROPERTIES FIXTURES_REQUIRED hostile_${name}
                       PASS_REGULAR_EXPRESSION "OK: every check holds")
endfunction()

_hostile_scenario(pue_nan "${_sim}" "pue = nan\n${_kor}")
_hostile_bad(pue_nan "pue_nan.toml:9:7: country.KOR.pue: pue = nan is out of range" "allowed a number in [1, 5]")
_hostile_scenario(pue_inf "${_sim}" "pue = inf\n${_kor}")
_hostile_bad(pue_inf "pue_inf.toml:9:7: country.KOR.pue: pue = inf is out of range")
_hostile_scenario(pue_neg_zero "${_sim}" "pue = -0.0\n${_kor}")
_hostile_bad(pue_neg_zero "pue_neg_zero.toml:9:7: country.KOR.pue: pue = -0 is out of range")
_hostile_scenario(it_mw_1e308 "${_sim}" "it_mw = 1e308\n${_base}budget_usd_per_year = 2e9\ntargets = [[2030, 1000]]\n")
_hostile_bad(it_mw_1e308 "it_mw_1e308.toml:9:9: country.KOR.it_mw: it_mw = 1e+308 is out of range")
_hostile_scenario(budget_inf "${_sim}" "it_mw = 55\n${_base}budget_usd_per_year = -inf\ntargets = [[2030, 1000]]\n")
_hostile_bad(budget_inf "budget_inf.toml:" "country.KOR.budget_usd_per_year: budget_usd_per_year = -inf is out of range")
_hostile_scenario(dt_nan "start_year = 2026.0\nend_year = 2030.0\ndt = nan\n" "${_kor}")
_hostile_bad(dt_nan "dt_nan.toml:5:6: simulation.dt:")
# -0.0 where 0 is allowed: runs as 0.
_hostile_scenario(neg_zero_ok "${_sim}" "electricity_usd_per_mwh = -0.0\nit_mw = -0.0\n${_base}budget_usd_per_year = 2e9\ntargets = [[2030, 1000]]\n")
_hostile_ok(neg_zero_ok)
# NaN and inf through --set: the error names --set instead of a line.
_hostile_scenario(set_nan_pue "${_sim}" "${_kor}")
_hostile_scenario(set_inf_supply "${_sim}" "${_kor}")
_hostile_bad(set_nan_pue --set country.KOR.pue=nan -- "--set: country.KOR.pue: pue = nan is out of range")
_hostile_bad(set_inf_supply --set global.vendor_supply=inf -- "--set: global.vendor_supply: vendor_supply = inf is out of range")
# The horizon: one step runs; none, or a dt that does not divide it, is refused.
_hostile_scenario(one_step "start_year = 2026.0\nend_year = 2026.25\ndt = 0.25\n" "${_kor}")
_hostile_ok(one_step)
_hostile_scenario(no_step "start_year = 2026.0\nend_year = 2026.0\ndt = 0.25\n" "${_kor}")
_hostile_bad(no_step "no_step.toml:4:12: simulation.end_year: end_year = 2026 is not after start_year = 2026")
_hostile_scenario(dt_not_dividing "start_year = 2026.0\nend_year = 2027.0\ndt = 0.3\n" "${_kor}")
_hostile_bad(dt_not_dividing "dt_not_dividing.toml:" "simulation.end_year:" "not a whole number of steps")
# Targets before start_year.
_hostile_scenario(target_before_start "${_sim}" "it_mw = 55\n${_base}budget_usd_per_year = 2e9\ntargets = [[2020, 1000], [2030, 2000]]\n")
_hostile_bad(target_before_start "target_before_start.toml:" "country.KOR.targets[0]: year 2020 is not after start_year = 2026")
# An empty country list: tests/cli/bad_inputs.cmake (cli_bad_input_no_countries).

# A thousand inline countries (codes AAA, AAB, ...): runs, and the file checks.
set(_many "# Generated by tests/cli/hostile.cmake: 1000 inline countries.\n[simulation]\nstart_year = 2026.0\nend_year = 2036.0\ndt = 0.25\n")
set(_letters A B C D E F G H I J K L M N O P Q R S T U V W X Y Z)
set(_n 0)
foreach(a IN ITEMS A B)
  foreach(b IN LISTS _letters)
    foreach(c IN LISTS _letters)
      if(_n LESS 1000)
        math(EXPR _mw "50 + (${_n} * 7) % 900")
        string(APPEND _many "[country.${a}${b}${c}]\nname = \"Country ${_n}\"\nit_mw = ${_mw}\ngrid_mw = 2000\ngrid_add_mw_per_year = 50\nworkforce = 2000\nbudget_usd_per_year = 2e9\ntargets = [[2030, 1000]]\n")
        math(EXPR _n "${_n} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()
file(WRITE "${_hdir}/thousand.toml" "${_many}")
_hostile_ok(thousand)

# ---- kill -9 in the middle of a sweep ---------------------------------------------------
add_test(NAME hostile_kill9_resume
         COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/kill_test.sh" $<TARGET_FILE:sovcap>
                 "${PROJECT_SOURCE_DIR}/scenarios/robustness.toml" "${_hdir}/kill"
                 "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/compare_h5.py")
set_tests_properties(hostile_kill9_resume PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE)
# Killed at once: most often while the partial is still being laid out, which leaves no
# partial (only a stub the next run removes), never an unresumable one.
add_test(NAME hostile_kill9_early
         COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/kill_test.sh" $<TARGET_FILE:sovcap>
                 "${PROJECT_SOURCE_DIR}/scenarios/robustness.toml" "${_hdir}/kill_early"
                 "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/compare_h5.py" 100 0.1)
set_tests_properties(hostile_kill9_early PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE)

# ---- an output path that cannot be written ----------------------------------------------
add_test(NAME hostile_unwritable_output
         COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/unwritable_test.sh" $<TARGET_FILE:sovcap>
                 "${CMAKE_CURRENT_SOURCE_DIR}/bad/valid_for_set.toml" "${_hdir}/unwritable")
set_tests_properties(hostile_unwritable_output PROPERTIES TIMEOUT 60)

# ---- --threads above what the machine runs at once --------------------------------------
# Capped, and said on stderr; --quiet prints nothing at all (TBB's own warning printed
# despite it before).
add_test(NAME hostile_threads_capped
         COMMAND bash -c "\"$0\" run \"$1\" -o \"$2\" --force --threads 100000 2>&1 >/dev/null | grep -q 'sovcap: --threads 100000: this machine runs [0-9]* at once. using'"
                 $<TARGET_FILE:sovcap> "${CMAKE_CURRENT_SOURCE_DIR}/bad/valid_for_set.toml" "${_hdir}/threads.h5")
add_test(NAME hostile_threads_quiet
         COMMAND bash -c "out=$(\"$0\" run \"$1\" -o \"$2\" --force --quiet --threads 100000 2>&1) && test -z \"$out\""
                 $<TARGET_FILE:sovcap> "${CMAKE_CURRENT_SOURCE_DIR}/bad/valid_for_set.toml" "${_hdir}/threads_quiet.h5")

# ---- a run that cannot fit in memory -----------------------------------------------------
# 10,000 countries x 100,000 steps: ~260 GB for one run. Refused at once (exit 2, nothing
# written) instead of bad_alloc after minutes.
set(_huge "# Generated by tests/cli/hostile.cmake: 10,000 countries.\n[simulation]\nstart_year = 2026.0\nend_year = 2036.0\ndt = 0.0001\n[defaults]\nit_mw = 50\ngrid_mw = 2000\ngrid_add_mw_per_year = 50\nworkforce = 2000\nbudget_usd_per_year = 2e9\ntargets = []\n")
set(_n 0)
foreach(a IN LISTS _letters)
  foreach(b IN LISTS _letters)
    foreach(c IN LISTS _letters)
      if(_n LESS 10000)
        string(APPEND _huge "[country.${a}${b}${c}]\nname = \"C${_n}\"\n")
        math(EXPR _n "${_n} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()
file(WRITE "${_hdir}/huge.toml" "${_huge}")
_hostile_bad(huge "sovcap: error: the run needs about" "of memory (1 run in flight), more than this machine's")

# ---- nothing lost, nothing clobbered (issue 16) -----------------------------------------
foreach(case two_writers partial_kept kill_in_flush full_disk bad_outputs damaged_check)
  add_test(NAME output_safety_${case}
           COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/output_safety_test.sh" $<TARGET_FILE:sovcap>
                   "${PROJECT_SOURCE_DIR}" "${_hdir}/safety_${case}" "${SOVCAP_SYSTEM_PYTHON3}"
                   "${CMAKE_CURRENT_SOURCE_DIR}/compare_h5.py" ${case})
  set_tests_properties(output_safety_${case} PROPERTIES TIMEOUT 300)
endforeach()
# As on Lustre and NFS: HDF5's own file locking off, sovcap's lock file still holds.
add_test(NAME output_safety_two_writers_no_hdf5_locking
         COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/output_safety_test.sh" $<TARGET_FILE:sovcap>
                 "${PROJECT_SOURCE_DIR}" "${_hdir}/safety_two_writers_nolock" "${SOVCAP_SYSTEM_PYTHON3}"
                 "${CMAKE_CURRENT_SOURCE_DIR}/compare_h5.py" two_writers)
set_tests_properties(output_safety_two_writers_no_hdf5_locking PROPERTIES TIMEOUT 300
                     ENVIRONMENT "HDF5_USE_FILE_LOCKING=FALSE")
set_tests_properties(output_safety_two_writers output_safety_two_writers_no_hdf5_locking
                     PROPERTIES RUN_SERIAL TRUE)
# Kills at random and placed instants, resumes, races and full disks, for a minute:
# 0 corrupt files and 0 lost runs (stress_output.py; run it longer by hand for more trials).
add_test(NAME output_stress
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/stress_output.py"
                 --sovcap $<TARGET_FILE:sovcap> --source "${PROJECT_SOURCE_DIR}"
                 --dir "${_hdir}/stress" --seconds 60)
set_tests_properties(output_stress PROPERTIES TIMEOUT 300)

# ---- a value no country uses: validate says so, as run does (issue 17 item 2) ------------
add_test(NAME validate_warns_unused_default
         COMMAND bash -c "\"$0\" validate \"$1\" --set defaults.pue=1.2 2>&1 >/dev/null | grep -q 'sovcap: warning: --set: defaults.pue: no country uses this value'"
                 $<TARGET_FILE:sovcap> "${PROJECT_SOURCE_DIR}/scenarios/baseline.toml")
