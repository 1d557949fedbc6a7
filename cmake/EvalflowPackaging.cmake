# Debian packages with CPack (`cpack -G DEB` in the build directory, or `cmake --build build --target package`):
#   evalflow        the command, every plugin but torch_local, pipelines, data, the SDK headers and the CMake
#                   package for plugin authors (find_package(evalflow));
#   evalflow-torch  the torch_local inferencer, apart because it pulls in libtorch.
# Installed under /usr, `evalflow run /usr/share/evalflow/pipelines/demo.yaml` works offline: the demo's
# relative paths (../data, ../tests/data/predictions) resolve inside /usr/share/evalflow.

set(EVALFLOW_SHARE_DIR ${CMAKE_INSTALL_DATADIR}/evalflow)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/pipelines DESTINATION ${EVALFLOW_SHARE_DIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/data DESTINATION ${EVALFLOW_SHARE_DIR})
# The recorded outputs the demo replays.
install(FILES
  ${PROJECT_SOURCE_DIR}/tests/data/predictions/llama31-8b-instruct_aime2024_qwen25math-harness.jsonl
  ${PROJECT_SOURCE_DIR}/tests/data/predictions/llama31-8b-instruct_math500_qwen25math-harness.jsonl
  ${PROJECT_SOURCE_DIR}/tests/data/predictions/README.md
  DESTINATION ${EVALFLOW_SHARE_DIR}/tests/data/predictions)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME evalflow)
set(CPACK_PACKAGE_VENDOR "evalflow")
set(CPACK_PACKAGE_CONTACT "evalflow maintainers <evalflow@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "LLM benchmarks as YAML pipelines of plugins on a oneTBB flow graph")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: from the libraries the binaries link (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_EVALFLOW_PACKAGE_NAME evalflow)
set(CPACK_COMPONENT_EVALFLOW_DESCRIPTION
    "evalflow: the command, its plugins, pipelines, data, the plugin SDK and its CMake package")
set(CPACK_DEBIAN_TORCH_PACKAGE_NAME evalflow-torch)
set(CPACK_COMPONENT_TORCH_DESCRIPTION "evalflow's torch_local inferencer (Qwen2/Llama on libtorch)")
set(CPACK_COMPONENT_TORCH_DEPENDS evalflow)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)  # evalflow-torch: Depends: evalflow, the host it plugs into
# The SDK's CMake package needs nlohmann-json at plugin build time (shlibdeps adds what binaries link).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "nlohmann-json3-dev")
include(CPack)
