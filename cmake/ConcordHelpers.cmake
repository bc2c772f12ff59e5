# concord_library(NAME name SRCS ... DEPS ... [PUBLIC_DEPS ...])
# Defines concord_<name> with the alias concord::<name>.
function(concord_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(concord_${ARG_NAME} STATIC ${ARG_SRCS})
  add_library(concord::${ARG_NAME} ALIAS concord_${ARG_NAME})
  target_include_directories(concord_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(concord_${ARG_NAME} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_DEPS})
endfunction()

# concord_binary(NAME name SRCS ... DEPS ...)
# Daemons and tools link jemalloc (see the top-level CMakeLists.txt).
function(concord_binary)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} PkgConfig::JEMALLOC)
endfunction()

# concord_test(NAME name SRCS ... DEPS ... [LABELS ...] [TIMEOUT s])
# One GoogleTest binary, registered with ctest as one test per binary (tests
# inside share fixtures and real processes, so they run serially).
function(concord_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(${ARG_NAME}
    DISCOVERY_TIMEOUT 30
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
    ENVIRONMENT "CONCORD_BIN_DIR=${PROJECT_BINARY_DIR}/bin")
endfunction()
