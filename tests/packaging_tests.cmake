# Packaging (tools/packaging/README.md): --version, the man pages, and the .deb.

# --version names the version and the source revision (git, else the tarball's, else "unknown").
foreach(program plinthd plinth)
  add_test(NAME version_${program} COMMAND ${program} --version)
  set_tests_properties(version_${program} PROPERTIES
    PASS_REGULAR_EXPRESSION "^${program} ${PROJECT_VERSION} \\(revision ([0-9a-f]+(-dirty)?|unknown)\\)\n$")
endforeach()

add_test(NAME man_pages COMMAND bash ${PROJECT_SOURCE_DIR}/tools/packaging/test_man_pages.sh ${PLINTH_MAN_DIR}
  $<TARGET_FILE:plinthd> $<TARGET_FILE:plinth>)

# CI's Release build: libraries and programs only, in <build>/package, with this build's compiler,
# launcher and warning setting; then cpack, then the package checked as installed.
set(package_args -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER} -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
  -DPLINTH_WERROR=${PLINTH_WERROR} -DPLINTH_WEB_NPM=${PLINTH_WEB_NPM})
if(CMAKE_CXX_COMPILER_LAUNCHER)
  list(APPEND package_args -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER})
endif()
if(CMAKE_C_COMPILER_LAUNCHER)
  list(APPEND package_args -DCMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER})
endif()
add_test(NAME package_deb COMMAND bash ${PROJECT_SOURCE_DIR}/tools/packaging/test_deb.sh ${CMAKE_BINARY_DIR}/package
  ${package_args})
# Started first (COST): it is the longest test, a build of its own.
set_tests_properties(package_deb PROPERTIES TIMEOUT 2400 SKIP_RETURN_CODE 77 COST 10000)
