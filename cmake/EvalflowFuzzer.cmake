# libFuzzer targets, built only with -DEVALFLOW_BUILD_FUZZERS=ON and clang (tools/run_fuzzers.sh does both).
#
# With fuzzing on, every target of the build is compiled with ASan, UBSan and coverage instrumentation,
# so that the libraries a fuzzer links are checked as well as the fuzzer itself. Such a build directory
# is for fuzzers only: build the `evalflow_fuzzers` target, not `all`.
if(EVALFLOW_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "EVALFLOW_BUILD_FUZZERS=ON needs clang for libFuzzer, but the C++ compiler is "
                        "${CMAKE_CXX_COMPILER_ID}. Configure with -DCMAKE_C_COMPILER=clang-14 "
                        "-DCMAKE_CXX_COMPILER=clang++-14, or run tools/run_fuzzers.sh.")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_custom_target(evalflow_fuzzers)
endif()
set(EVALFLOW_FUZZER_OUTPUT_DIR ${CMAKE_BINARY_DIR}/fuzzers)

# evalflow_add_fuzzer(NAME SOURCES... [LIBRARIES libs...] [SEEDS dir])
# A libFuzzer executable in <build>/fuzzers/, part of the `evalflow_fuzzers` target. SEEDS is a folder of
# seed inputs; its path is written next to the executable as NAME.seeds for tools/run_fuzzers.sh.
# Does nothing unless EVALFLOW_BUILD_FUZZERS is on.
function(evalflow_add_fuzzer name)
  if(NOT EVALFLOW_BUILD_FUZZERS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "SEEDS" "SOURCES;LIBRARIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${EVALFLOW_FUZZER_OUTPUT_DIR})
  add_dependencies(evalflow_fuzzers ${name})
  if(ARG_SEEDS)
    get_filename_component(seeds ${ARG_SEEDS} ABSOLUTE)
    file(WRITE ${EVALFLOW_FUZZER_OUTPUT_DIR}/${name}.seeds "${seeds}")
  endif()
endfunction()
