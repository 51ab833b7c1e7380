# The documentation against the program (tests/cli/check_docs.py): README.md's command
# table is `sovcap help --markdown`; docs/output-format.md says what the file holds at the
# initial state; every documented command line runs. Included from tests/cli/CMakeLists.txt;
# needs /usr/bin/python3 with h5py (readers.cmake) and, for the plots line, matplotlib.
if(NOT SOVCAP_SYSTEM_PYTHON3 OR _sovcap_readers_missing)
  return()
endif()
set(_docs_check "${SOVCAP_SYSTEM_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/check_docs.py")
add_test(NAME docs_command_table
         COMMAND ${_docs_check} table $<TARGET_FILE:sovcap> "${PROJECT_SOURCE_DIR}")
add_test(NAME docs_flow_series_initial_state
         COMMAND ${_docs_check} flows $<TARGET_FILE:sovcap> "${PROJECT_SOURCE_DIR}"
                 "${CMAKE_CURRENT_BINARY_DIR}/docs_flows")
# Without matplotlib (plots.cmake found none) the plots' command lines are skipped.
if(_sovcap_plots_missing)
  set(_docs_no_plots --no-plots)
endif()
add_test(NAME docs_examples_run
         COMMAND ${_docs_check} examples $<TARGET_FILE:sovcap> "${PROJECT_SOURCE_DIR}"
                 "${CMAKE_CURRENT_BINARY_DIR}/docs_examples" ${_docs_no_plots})
set_tests_properties(docs_command_table docs_flow_series_initial_state docs_examples_run
                     PROPERTIES LABELS "cli;docs" TIMEOUT 900)
