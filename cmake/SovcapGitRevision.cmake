# Records the source revision at configure time (and again whenever HEAD moves).
find_package(Git QUIET)
set(SOVCAP_GIT_REVISION "unknown")
if(GIT_FOUND AND EXISTS "${CMAKE_SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" describe --always --dirty --abbrev=12
                  WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}"
                  OUTPUT_VARIABLE SOVCAP_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET)
  if(NOT SOVCAP_GIT_REVISION)
    set(SOVCAP_GIT_REVISION "unknown")
  endif()
  if(EXISTS "${CMAKE_SOURCE_DIR}/.git/HEAD")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/.git/HEAD"
                                                                   "${CMAKE_SOURCE_DIR}/.git/index")
  endif()
endif()
