# `cmake --install`: cim-opt, the headers a pass or dialect plugin includes (cimlir's dialects,
# passes and what they include, with the generated .inc files) and the CMake package config
# (find_package(cimlir), cmake/cimlirConfig.cmake.in). docs/write-a-pass.md uses them;
# test/examples builds examples/ against them. cim-run installs from tools/cim-run.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CIMLIR_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/cimlir)
set(CIMLIR_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/cimlir)

install(TARGETS cim-opt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Source headers (and the ODS files, for a plugin's own .td that includes the dialects'),
# folder by folder as the includes name them ("dialects/cim/CimOps.h").
foreach(dir dialects passes core kernels/cim kernels/cpu runtime/calibration)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${CIMLIR_INSTALL_INCLUDEDIR}/${dir}
          FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
endforeach()
foreach(dir dialects passes)
  install(DIRECTORY ${PROJECT_BINARY_DIR}/${dir}/ DESTINATION ${CIMLIR_INSTALL_INCLUDEDIR}/${dir}
          FILES_MATCHING PATTERN "*.inc" PATTERN "CMakeFiles" EXCLUDE)
endforeach()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cimlirConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cimlirConfig.cmake
  INSTALL_DESTINATION ${CIMLIR_INSTALL_CMAKEDIR}
  PATH_VARS CIMLIR_INSTALL_INCLUDEDIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cimlirConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cimlirConfig.cmake ${PROJECT_BINARY_DIR}/cimlirConfigVersion.cmake
        DESTINATION ${CIMLIR_INSTALL_CMAKEDIR})
