# `sovcap run` warns before writing a results file of more than 1 GB (size_warning_test.sh).
# Included from tests/cli/CMakeLists.txt.
add_test(NAME run_warns_of_a_large_file
         COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/size_warning_test.sh" $<TARGET_FILE:sovcap>
                 "${PROJECT_SOURCE_DIR}" "${CMAKE_CURRENT_BINARY_DIR}/size_warning")
set_tests_properties(run_warns_of_a_large_file PROPERTIES LABELS "cli" TIMEOUT 300)
