# Man pages plinthd(8) and plinth(1), made from --help and --version with help2man (Debian
# package help2man) when it is installed; the ctest man_pages fails without them.
find_program(HELP2MAN_EXECUTABLE help2man)
set(PLINTH_MAN_DIR ${CMAKE_BINARY_DIR}/man)
if(HELP2MAN_EXECUTABLE)
  set(PLINTH_MAN_PAGES ON)
  set(man_script ${PROJECT_SOURCE_DIR}/tools/packaging/man_page.sh)
  set(man_dir ${PROJECT_SOURCE_DIR}/tools/packaging/man)
  add_custom_command(OUTPUT ${PLINTH_MAN_DIR}/plinthd.8.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PLINTH_MAN_DIR}
    COMMAND bash ${man_script} ${HELP2MAN_EXECUTABLE} $<TARGET_FILE:plinthd> 8
            "Plinth pressure-mat and heart-rate acquisition daemon" ${man_dir}/plinthd.h2m ${PLINTH_MAN_DIR}/plinthd.8.gz
    DEPENDS plinthd ${man_script} ${man_dir}/plinthd.h2m
    COMMENT "Man page plinthd(8)" VERBATIM)
  add_custom_command(OUTPUT ${PLINTH_MAN_DIR}/plinth.1.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PLINTH_MAN_DIR}
    COMMAND bash ${man_script} ${HELP2MAN_EXECUTABLE} $<TARGET_FILE:plinth> 1
            "tools for the Plinth acquisition service" ${man_dir}/plinth.h2m ${PLINTH_MAN_DIR}/plinth.1.gz
    DEPENDS plinth ${man_script} ${man_dir}/plinth.h2m
    COMMENT "Man page plinth(1)" VERBATIM)
  add_custom_target(plinth_man_pages ALL DEPENDS ${PLINTH_MAN_DIR}/plinthd.8.gz ${PLINTH_MAN_DIR}/plinth.1.gz)
else()
  set(PLINTH_MAN_PAGES OFF)
  message(WARNING "help2man not found: no man pages (install the Debian package help2man and re-run cmake)")
endif()
