# Tests of the archive reader, plinth replay/inspect/export and the Python package.
# Included from tests/CMakeLists.txt.
plinth_unit_test(archive_reader_test unit/archive_reader_test.cpp)
target_link_libraries(archive_reader_test PRIVATE plinth_archive_reader plinth_archive)

add_test(NAME replay
  COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tests/integration/replay_test.py ${CMAKE_BINARY_DIR}
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(replay PROPERTIES TIMEOUT 300 RESOURCE_LOCK ptys)

add_test(NAME python_client
  COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tests/python/test_python_client.py ${CMAKE_BINARY_DIR}
  $<TARGET_FILE:archive_sample_writer>
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(python_client PROPERTIES TIMEOUT 120)

# `plinth analyze` on the real recordings in ../shared/data/pressure: formats, CoP, errors.
add_test(NAME analyze_cli
  COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tests/integration/analyze_cli_test.py ${CMAKE_BINARY_DIR}
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(analyze_cli PROPERTIES TIMEOUT 300)
