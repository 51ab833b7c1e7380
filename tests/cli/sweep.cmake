# Sweeps through the program, as a user runs them: the same file for 1 and 2 threads, and
# shards merged into a master that reads the same as the single-machine run.
# Included from tests/cli/CMakeLists.txt; needs /usr/bin/python3 with h5py (readers.cmake
# finds it and fails configuration when SOVCAP_REQUIRE_READERS is on and it is missing).
if(NOT SOVCAP_SYSTEM_PYTHON3 OR _sovcap_readers_missing)
  return()
endif()

set(_small "${CMAKE_CURRENT_SOURCE_DIR}/sweep/small.toml")
set(_dir "${CMAKE_CURRENT_BINARY_DIR}/sweep")
set(_compare "${CMAKE_CURRENT_SOURCE_DIR}/compare_h5.py")
file(MAKE_DIRECTORY "${_dir}")

foreach(threads 1 2)
  add_test(NAME sweep_threads_${threads}
           COMMAND $<TARGET_FILE:sovcap> run "${_small}" -o "${_dir}/t${threads}.h5"
                   --threads ${threads} --force --quiet)
  set_tests_properties(sweep_threads_${threads} PROPERTIES FIXTURES_SETUP sweep_threads)
endforeach()
add_test(NAME sweep_threads_identical
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_compare}" "${_dir}/t1.h5" "${_dir}/t2.h5")
set_tests_properties(sweep_threads_identical PROPERTIES FIXTURES_REQUIRED sweep_threads)

# 148 runs in three uneven shards, merged, against the single-machine file.
foreach(k 0 1 2)
  add_test(NAME sweep_shard_${k}
           COMMAND $<TARGET_FILE:sovcap> run "${_small}" -o "${_dir}/shard${k}.h5"
                   --shard ${k}/3 --force --quiet)
  set_tests_properties(sweep_shard_${k} PROPERTIES FIXTURES_SETUP sweep_shards)
endforeach()
add_test(NAME sweep_merge
         COMMAND $<TARGET_FILE:sovcap> merge "${_dir}/merged.h5" "${_dir}/shard0.h5"
                 "${_dir}/shard1.h5" "${_dir}/shard2.h5" --force)
set_tests_properties(sweep_merge PROPERTIES FIXTURES_REQUIRED sweep_shards
                                            FIXTURES_SETUP sweep_merged)
# The master records its shards and its own command line; everything else must match.
add_test(NAME sweep_merged_equals_single
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${_compare}" "${_dir}/t1.h5" "${_dir}/merged.h5"
                 --ignore-attr shards)
set_tests_properties(sweep_merged_equals_single PROPERTIES
                     FIXTURES_REQUIRED "sweep_merged;sweep_threads")
add_test(NAME sweep_merged_readers
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/check_readers.py"
                 "${_dir}/merged.h5" --ncdump "${SOVCAP_NCDUMP}")
set_tests_properties(sweep_merged_readers PROPERTIES FIXTURES_REQUIRED sweep_merged)

# A shard missing from the set: merge must refuse, naming the runs not covered.
# A refusal of the shards given is bad input: exit 2.
add_test(NAME sweep_merge_refuses_a_gap
         COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/expect_exit.sh" 2 "are in no shard (a shard is missing)"
                 -- $<TARGET_FILE:sovcap> merge "${_dir}/gap.h5" "${_dir}/shard0.h5"
                 "${_dir}/shard2.h5" --force)
set_tests_properties(sweep_merge_refuses_a_gap PROPERTIES FIXTURES_REQUIRED sweep_shards)

# Summary storage: the file summarises (horizon only) and by policy.
add_test(NAME sweep_summary_store
         COMMAND $<TARGET_FILE:sovcap> run "${_small}" -o "${_dir}/summary.h5" --store summary
                 --keep it_mw,bottleneck --force --quiet)
set_tests_properties(sweep_summary_store PROPERTIES FIXTURES_SETUP sweep_summary)
add_test(NAME sweep_summarize_by_policy
         COMMAND $<TARGET_FILE:sovcap> summarize "${_dir}/summary.h5" --by policy)
set_tests_properties(sweep_summarize_by_policy PROPERTIES
                     FIXTURES_REQUIRED sweep_summary
                     PASS_REGULAR_EXPRESSION "policy 3: global.allocation = max_min_fair, country.KOR.grid_add_mw_per_year = 800 \\(37 runs\\)")

# Sampled PUE above the start state's grid: the run raises grid_mw, and the file checks.
add_test(NAME sweep_sampled_pue_run
         COMMAND $<TARGET_FILE:sovcap> run "${CMAKE_CURRENT_SOURCE_DIR}/sweep/sampled_pue.toml"
                 -o "${_dir}/sampled_pue.h5" --force --quiet)
set_tests_properties(sweep_sampled_pue_run PROPERTIES FIXTURES_SETUP sweep_sampled_pue)
add_test(NAME sweep_sampled_pue_check
         COMMAND $<TARGET_FILE:sovcap> check "${_dir}/sampled_pue.h5")
set_tests_properties(sweep_sampled_pue_check PROPERTIES FIXTURES_REQUIRED sweep_sampled_pue
                     PASS_REGULAR_EXPRESSION "OK: every check holds")

# Schedules (issue 13): every run of a sweep with scheduled parameters, a schedule lever and
# a multiplied uncertainty is reproduced bit for bit from its exported schedules.
add_test(NAME schedules_reproducible_from_file
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/check_schedules.py"
                 $<TARGET_FILE:sovcap> "${CMAKE_CURRENT_SOURCE_DIR}/schedules" "${_dir}/schedules")
set_tests_properties(schedules_reproducible_from_file PROPERTIES LABELS "cli" TIMEOUT 120)

# held_back_mw per period (issue 13): in every file, the mean of held_back_mw over each
# period's steps; a summary-store file keeps the trajectory itself with --keep held_back_mw.
add_test(NAME sweep_summary_keeps_held_back
         COMMAND $<TARGET_FILE:sovcap> run "${_small}" -o "${_dir}/summary_held.h5" --store summary
                 --keep it_mw,held_back_mw --force --quiet)
set_tests_properties(sweep_summary_keeps_held_back PROPERTIES FIXTURES_SETUP sweep_summary_held)
add_test(NAME sweep_summary_held_back_periods
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/check_held_back_periods.py"
                 "${_dir}/summary_held.h5" --store summary)
set_tests_properties(sweep_summary_held_back_periods PROPERTIES FIXTURES_REQUIRED sweep_summary_held)
add_test(NAME sweep_full_held_back_periods
         COMMAND "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/check_held_back_periods.py"
                 "${_dir}/t1.h5")
set_tests_properties(sweep_full_held_back_periods PROPERTIES FIXTURES_REQUIRED sweep_threads)
add_test(NAME sweep_full_refuses_keep_held_back
         COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/expect_exit.sh" 2
                 "--keep applies to --store summary"
                 -- $<TARGET_FILE:sovcap> run "${_small}" -o "${_dir}/never.h5" --keep held_back_mw --force)
add_test(NAME sweep_keep_names_held_back
         COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/expect_exit.sh" 2
                 "--keep: unknown series 'held_back'" "talent_utilisation" "held_back_mw"
                 -- $<TARGET_FILE:sovcap> run "${_small}" -o "${_dir}/never.h5" --store summary
                 --keep held_back --force)
