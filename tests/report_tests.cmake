# plinth report, history, repair and the dashboard's session summary (schemas/report.md).
# Included from tests/CMakeLists.txt.
plinth_unit_test(report_test unit/report_test.cpp)
target_link_libraries(report_test PRIVATE plinth_report_core plinth_drivers)

# End to end from real recordings (build/bench/synth_session): numbers against NumPy, the page
# in headless Chromium, the PDF with poppler; a crashed session; history against plinth.history();
# repair after SIGKILL of a real plinthd.
if(TARGET synth_session)
  foreach(pair IN ITEMS numbers:ReportNumbers crash:ReportCrash history:History)
    string(REPLACE ":" ";" parts ${pair})
    list(GET parts 0 name)
    list(GET parts 1 case)
    add_test(NAME report_${name}
      COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tests/integration/report_test.py ${CMAKE_BINARY_DIR} ${case}
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(report_${name} PROPERTIES TIMEOUT 240)
  endforeach()
  # The Python test harness needs plinth_pb2 and the package (build/python).
  set_tests_properties(report_history PROPERTIES REQUIRED_FILES ${CMAKE_BINARY_DIR}/python/plinth_pb2.py)
endif()
add_test(NAME report_repair
  COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tests/integration/report_test.py ${CMAKE_BINARY_DIR} Repair
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
# The Python test harness needs plinth_pb2 and the package (build/python).
set_tests_properties(report_repair PROPERTIES TIMEOUT 120 RESOURCE_LOCK ptys
  REQUIRED_FILES ${CMAKE_BINARY_DIR}/python/plinth_pb2.py)
