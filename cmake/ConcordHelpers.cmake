# concord_export_folder(TARGET)
# A target exports only its own folder. The folder F of its CMakeLists.txt
# (e.g. "hub/client") is linked at ${PROJECT_BINARY_DIR}/include/<target>/F,
# and that root is the target's PUBLIC include path: `#include "hub/client/client.h"`
# compiles only where concord::client is linked (directly, or through a PUBLIC
# dependency), so an include that points up a floor fails to build.
function(concord_export_folder target)
  file(RELATIVE_PATH folder ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  set(root ${PROJECT_BINARY_DIR}/include/${target})
  get_filename_component(parent ${root}/${folder} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR} ${root}/${folder} SYMBOLIC)
  target_include_directories(${target} PUBLIC ${root})
endfunction()

# concord_library(NAME name SRCS ... DEPS ... [PUBLIC_DEPS ...])
# Defines concord_<name> with the alias concord::<name>, exporting its folder.
function(concord_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(concord_${ARG_NAME} STATIC ${ARG_SRCS})
  add_library(concord::${ARG_NAME} ALIAS concord_${ARG_NAME})
  concord_export_folder(concord_${ARG_NAME})
  target_link_libraries(concord_${ARG_NAME} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_DEPS})
endfunction()

# concord_binary(NAME name SRCS ... DEPS ... [NO_INSTALL] [COMPONENT c])
# Daemons and tools link jemalloc (see the top-level CMakeLists.txt) and are
# installed to bin/ unless NO_INSTALL (load drivers, test helpers). COMPONENT
# puts the binary in that Debian package (deploy/CMakeLists.txt: hub,
# adapter, agents, tools); without it, it is installed but never packaged.
function(concord_binary)
  cmake_parse_arguments(ARG "NO_INSTALL" "NAME;COMPONENT" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} PkgConfig::JEMALLOC)
  if(NOT ARG_NO_INSTALL)
    if(NOT ARG_COMPONENT)
      set(ARG_COMPONENT Unspecified)
    endif()
    install(TARGETS ${ARG_NAME} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${ARG_COMPONENT})
  endif()
endfunction()

# concord_test(NAME name SRCS ... DEPS ... [LABELS ...] [TIMEOUT s] [ALSO_ON_POSTGRESQL])
# One GoogleTest binary; gtest_discover_tests registers each of its tests
# with ctest. Every test binary is also in the `unit_tests` list that the
# sanitizer build (deploy/test.sh) builds when its label is unit.
# ALSO_ON_POSTGRESQL registers every test a second time as pg.<Suite>.<Test>
# with CONCORD_TEST_STORE=postgresql, labelled `postgresql` only: its
# districts (tests/support/district.h) run the hub on a PostgreSQL server of
# their own.
function(concord_test)
  cmake_parse_arguments(ARG "ALSO_ON_POSTGRESQL" "NAME;TIMEOUT;LOCK" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if("unit" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY CONCORD_UNIT_TESTS ${ARG_NAME})
  endif()
  set(lock "")
  if(ARG_LOCK)
    set(lock RESOURCE_LOCK ${ARG_LOCK})
  endif()
  gtest_discover_tests(${ARG_NAME}
    DISCOVERY_TIMEOUT 30
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}" ${lock}
    ENVIRONMENT "CONCORD_BIN_DIR=${PROJECT_BINARY_DIR}/bin")
  if(ARG_ALSO_ON_POSTGRESQL)
    # One label and one variable: gtest_discover_tests splits a list value
    # into separate words (the binaries are found beside the test anyway).
    gtest_discover_tests(${ARG_NAME}
      DISCOVERY_TIMEOUT 30
      TEST_PREFIX pg.
      PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS postgresql ${lock}
      ENVIRONMENT CONCORD_TEST_STORE=postgresql)
  endif()
endfunction()

# concord_browser_test(NAME name SRCS ... DEPS ... [TIMEOUT s])
# A GoogleTest binary whose tests run node scripts from tests/browser/ that
# drive Debian's chromium (tests/support/browser.h). Each test is named
# browser.<Suite>.<Test> in ctest, labelled `browser` (not `unit`: the
# sanitizer build neither builds nor runs them), holds the RESOURCE_LOCK
# `browser` (one chromium at a time on the 2-core machines) and times out
# after 300 s unless TIMEOUT says otherwise.
function(concord_browser_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} concord::test_support GTest::gtest
                                            GTest::gmock GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(${ARG_NAME}
    DISCOVERY_TIMEOUT 30
    TEST_PREFIX "browser."
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS browser RESOURCE_LOCK browser
    ENVIRONMENT "CONCORD_BIN_DIR=${PROJECT_BINARY_DIR}/bin")
endfunction()
