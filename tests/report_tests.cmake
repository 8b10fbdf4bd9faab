# plinth report, history, repair and the dashboard's session summary (schemas/report.md).
# Included from tests/CMakeLists.txt.
plinth_unit_test(report_test unit/report_test.cpp)
target_link_libraries(report_test PRIVATE plinth_report_core plinth_drivers)
