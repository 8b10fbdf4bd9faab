# Reading session archives: the reader library, `plinth replay`, `plinth inspect`,
# `plinth export`, and the Python package (build/python/plinth). Included from
# tools/CMakeLists.txt after the `plinth` target.

# The archive reader: HDF5 C API behind a pimpl (tools/archive_reader.hpp).
add_library(plinth_archive_reader STATIC archive_reader.cpp archive_records.cpp replay_timeline.cpp)
target_include_directories(plinth_archive_reader PUBLIC ${PROJECT_SOURCE_DIR})
target_include_directories(plinth_archive_reader SYSTEM PRIVATE ${HDF5_INCLUDE_DIRS})
target_compile_definitions(plinth_archive_reader PRIVATE ${HDF5_DEFINITIONS})
target_link_libraries(plinth_archive_reader PRIVATE plinth_archive ${HDF5_C_LIBRARIES} PUBLIC plinth_pressure plinth_hrv)
plinth_warnings(plinth_archive_reader)

add_library(plinth_cmd_archive STATIC
  cmd_replay.cpp replay_player.cpp replay_sources.cpp replay_message_sender.cpp
  cmd_inspect.cpp cmd_export.cpp progress_bar.cpp)
target_include_directories(plinth_cmd_archive PRIVATE ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}/generated)
target_link_libraries(plinth_cmd_archive PUBLIC plinth_archive_reader plinth_service CLI11::CLI11
  nlohmann_json::nlohmann_json cppzmq)
plinth_warnings(plinth_cmd_archive)
target_link_libraries(plinth PRIVATE plinth_cmd_archive)

# The Python package with its own generated plinth_pb2: PYTHONPATH=build/python.
set(PLINTH_PY_SOURCES __init__.py archive.py stream.py _proto.py history.py)
set(PLINTH_PY_OUT ${CMAKE_BINARY_DIR}/python/plinth)
set(PLINTH_PY_OUTPUTS ${PLINTH_PY_OUT}/plinth_pb2.py)
foreach(f ${PLINTH_PY_SOURCES})
  list(APPEND PLINTH_PY_OUTPUTS ${PLINTH_PY_OUT}/${f})
endforeach()
list(TRANSFORM PLINTH_PY_SOURCES PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/python/plinth/ OUTPUT_VARIABLE PLINTH_PY_INPUTS)
add_custom_command(OUTPUT ${PLINTH_PY_OUTPUTS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PLINTH_PY_OUT}
  COMMAND ${CMAKE_COMMAND} -E copy ${PLINTH_PY_INPUTS} ${PLINTH_PY_OUT}
  COMMAND protobuf::protoc --python_out=${PLINTH_PY_OUT} -I${PROJECT_SOURCE_DIR}/schemas/proto
          ${PROJECT_SOURCE_DIR}/schemas/proto/plinth.proto
  DEPENDS ${PLINTH_PY_INPUTS} ${PROJECT_SOURCE_DIR}/schemas/proto/plinth.proto
  COMMENT "Python package plinth in ${PLINTH_PY_OUT}")
add_custom_target(plinth_python ALL DEPENDS ${PLINTH_PY_OUTPUTS})
