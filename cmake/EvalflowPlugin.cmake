# Where this file lives: embed.hpp.in sits beside it, in the source tree and once installed.
set(EVALFLOW_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR})

# evalflow_add_plugin(NAME SOURCES... [LIBRARIES libs...] [COMPONENT component])
# Builds one plugin as a MODULE library with every symbol hidden except evalflow_plugin_entry. COMPONENT
# names the install component (the Debian package; torch_local's is `torch`).
function(evalflow_add_plugin name)
  cmake_parse_arguments(ARG "" "COMPONENT" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE evalflow::sdk ${ARG_LIBRARIES})
  set_target_properties(${name} PROPERTIES
    PREFIX "libevalflow_"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${EVALFLOW_PLUGIN_OUTPUT_DIR})
  # Static libraries linked in keep their symbols to themselves: only the entry point is exported.
  target_link_options(${name} PRIVATE -Wl,--no-undefined -Wl,--exclude-libs,ALL)
  if(ARG_COMPONENT)
    install(TARGETS ${name} LIBRARY DESTINATION ${EVALFLOW_PLUGIN_INSTALL_DIR} COMPONENT ${ARG_COMPONENT})
  else()
    install(TARGETS ${name} LIBRARY DESTINATION ${EVALFLOW_PLUGIN_INSTALL_DIR})
  endif()
endfunction()

# evalflow_add_test(NAME SOURCES... [LIBRARIES libs...])
# A GoogleTest executable registered with ctest; tests find built plugins through EVALFLOW_PLUGIN_PATH.
function(evalflow_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE GTest::gtest GTest::gtest_main ${ARG_LIBRARIES})
  target_compile_definitions(${name} PRIVATE
    EVALFLOW_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    EVALFLOW_PLUGIN_DIR="${EVALFLOW_PLUGIN_OUTPUT_DIR}")
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES ENVIRONMENT "EVALFLOW_PLUGIN_PATH=${EVALFLOW_PLUGIN_OUTPUT_DIR}"
    DISCOVERY_TIMEOUT 60)
endfunction()

# evalflow_embed_file(TARGET FILE VARIABLE)
# Makes FILE's text available to TARGET as `inline constexpr char VARIABLE[]` in <embedded/VARIABLE.hpp>,
# so that a schema is written once, as a file, and compiled in.
function(evalflow_embed_file target file variable)
  get_filename_component(absolute ${file} ABSOLUTE)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${absolute})
  file(READ ${absolute} EVALFLOW_EMBED_CONTENT)
  set(EVALFLOW_EMBED_VARIABLE ${variable})
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/embedded_${target})
  configure_file(${EVALFLOW_CMAKE_DIR}/embed.hpp.in ${out_dir}/embedded/${variable}.hpp @ONLY)
  target_include_directories(${target} PRIVATE ${out_dir})
endfunction()
