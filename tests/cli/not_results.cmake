# Every command that reads a results file (merge: as a shard), given something that is not one (a text file,
# an HDF5 file of another program, a folder): bad input, exit 2, saying so.
# Included from tests/cli/CMakeLists.txt.
set(_nr_dir "${CMAKE_CURRENT_BINARY_DIR}/not_results")
file(MAKE_DIRECTORY "${_nr_dir}")
set(_nr_expect bash "${CMAKE_CURRENT_SOURCE_DIR}/expect_exit.sh" 2)
set(_nr_text "${PROJECT_SOURCE_DIR}/README.md")

function(sovcap_not_results name file expected)
  set(prog $<TARGET_FILE:sovcap>)
  add_test(NAME not_results_summarize_${name}
           COMMAND ${_nr_expect} "${expected}" -- ${prog} summarize "${file}")
  add_test(NAME not_results_compare_${name}
           COMMAND ${_nr_expect} "${expected}" -- ${prog} compare "${file}" --countries KOR)
  add_test(NAME not_results_export_${name}
           COMMAND ${_nr_expect} "${expected}" -- ${prog} export "${file}" --csv "${_nr_dir}/csv_${name}")
  add_test(NAME not_results_sensitivity_${name}
           COMMAND ${_nr_expect} "${expected}" -- ${prog} sensitivity "${file}" --metric it_mw_final)
  add_test(NAME not_results_check_${name}
           COMMAND ${_nr_expect} "${expected}" -- ${prog} check "${file}")
  add_test(NAME not_results_robustness_${name}
           COMMAND ${_nr_expect} "${expected}" -- ${prog} robustness "${file}" --metric it_mw_final)
  add_test(NAME not_results_diff_${name}
           COMMAND ${_nr_expect} "${expected}" -- ${prog} diff "${file}" "${file}")
  add_test(NAME not_results_discover_${name}
           COMMAND ${_nr_expect} "${expected}" -- ${prog} discover "${file}" --country KOR
                   --metric it_mw_final --above 0)
  add_test(NAME not_results_merge_${name}
           COMMAND ${_nr_expect} "${expected}" -- ${prog} merge "${_nr_dir}/merged_${name}.h5"
                   "${file}" --force)
endfunction()

sovcap_not_results(text "${_nr_text}" "README.md: not a sovcap results file (not an HDF5 file)")
sovcap_not_results(folder "${_nr_dir}" "not_results: is a folder, not a sovcap results file")
if(SOVCAP_SYSTEM_PYTHON3 AND NOT _sovcap_readers_missing)
  add_test(NAME not_results_write_foreign_h5
           COMMAND "${SOVCAP_SYSTEM_PYTHON3}" -c
                   "import h5py; h5py.File('${_nr_dir}/foreign.h5', 'w').create_dataset('x', data=[1.0])")
  set_tests_properties(not_results_write_foreign_h5 PROPERTIES FIXTURES_SETUP not_results_foreign)
  sovcap_not_results(foreign_h5 "${_nr_dir}/foreign.h5"
                     "foreign.h5: not a sovcap results file (no file_type = \"sovcap-results\")")
  foreach(cmd summarize compare export sensitivity check robustness diff discover merge)
    set_tests_properties(not_results_${cmd}_foreign_h5 PROPERTIES FIXTURES_REQUIRED not_results_foreign)
  endforeach()
endif()
