# Included by the top-level CMakeLists.txt when PLINTH_FUZZ=ON (tests/fuzz/README.md).
# libFuzzer needs clang; the whole build dir is instrumented (coverage for the fuzzer, ASan
# and UBSan that abort on the first report), and only the fuzz targets are meant to be built.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "PLINTH_FUZZ needs clang (libFuzzer); configure with CC=clang CXX=clang++ "
    "or use tests/fuzz/run_fuzz.sh, which does. Compiler here: ${CMAKE_CXX_COMPILER_ID}")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
