# cimlir_add_fuzz_target(NAME SOURCE file LIBS ... [DEFINES ...])
#
# A fuzz target (LLVMFuzzerTestOneInput) and its replay test. Normally the target is linked
# with ReplayMain.cpp and ctest's fuzz_replay.NAME runs it on its seed corpus
# (test/fuzz/corpus/NAME) and the inputs that once broke something (test/fuzz/regressions/NAME);
# with CIMLIR_FUZZ (clang only, scripts/fuzz.sh) it is linked with libFuzzer and the same test
# replays with -runs=0. All targets hang off the custom target fuzz_targets.
set(CIMLIR_FUZZ_DIR ${PROJECT_SOURCE_DIR}/test/fuzz)
if(NOT TARGET fuzz_targets)
  add_custom_target(fuzz_targets)
endif()

function(cimlir_add_fuzz_target name)
  cmake_parse_arguments(ARG "" "SOURCE" "LIBS;DEFINES" ${ARGN})
  if(CIMLIR_FUZZ)
    add_executable(${name} ${ARG_SOURCE})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set(replay_flags -runs=0)
  else()
    add_executable(${name} ${ARG_SOURCE} ${CIMLIR_FUZZ_DIR}/ReplayMain.cpp)
    set(replay_flags)
  endif()
  target_compile_definitions(${name} PRIVATE ${ARG_DEFINES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  add_dependencies(fuzz_targets ${name})
  set(inputs ${CIMLIR_FUZZ_DIR}/corpus/${name})
  if(EXISTS ${CIMLIR_FUZZ_DIR}/regressions/${name})
    list(APPEND inputs ${CIMLIR_FUZZ_DIR}/regressions/${name})
  endif()
  add_test(NAME fuzz_replay.${name} COMMAND ${name} ${replay_flags} ${inputs})
  set_tests_properties(fuzz_replay.${name} PROPERTIES LABELS fuzz)
endfunction()
