# `cmake --install`: where everything goes (GNUInstallDirs; the layout is listed in
# tools/packaging/README.md). Included from the top-level CMakeLists.txt after all targets.
#
# With CMAKE_INSTALL_PREFIX=/usr (the .deb) the configuration lands in /etc/plinth; with the
# default /usr/local, GNUInstallDirs puts it in /usr/local/etc/plinth. Nothing installed names the build or source tree: the
# dashboard's files are compiled into `plinth` (tools/web/embed_assets.cmake), and the programs
# read only the paths they are given.

# Directories made on the way get 0755 whatever the umask of whoever installs or packages.
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# systemd finds units, sysusers.d and tmpfiles.d under /usr/local/lib as well as /usr/lib.
# Debian 12 packages still ship units in /lib/systemd/system (files moved to /usr/lib under
# merged-/usr can vanish when dpkg replaces them; Debian moved units only in 13).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(unit_dir_default /lib/systemd/system)
else()
  set(unit_dir_default ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()
set(PLINTH_SYSTEMD_UNIT_DIR ${unit_dir_default} CACHE PATH "Where plinthd.service is installed")
set(PLINTH_SYSUSERS_DIR ${CMAKE_INSTALL_PREFIX}/lib/sysusers.d CACHE PATH "Where the plinth user's sysusers.d file is installed")
set(PLINTH_TMPFILES_DIR ${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d CACHE PATH "Where the state directory's tmpfiles.d file is installed")

# Debian's python3 looks in /usr/lib/python3/dist-packages (packages) and
# /usr/local/lib/python3.X/dist-packages (local installs).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(python_dir_default lib/python3/dist-packages)  # lib/, never the multiarch LIBDIR
else()
  find_package(Python3 COMPONENTS Interpreter QUIET)
  if(Python3_FOUND)
    set(python_dir_default lib/python${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}/dist-packages)
  else()
    set(python_dir_default lib/python3/dist-packages)
  endif()
endif()
set(PLINTH_PYTHON_DIR ${python_dir_default} CACHE PATH "Where the Python package plinth is installed (relative: under the prefix)")

# The state directory is systemd's StateDirectory=plinth, /var/lib/plinth for any prefix, and the
# example config archives below it.
set(PLINTH_STATE_DIR /var/lib/plinth)
set(PLINTH_CONFIG_DIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/plinth)

# The programs. plinthd is a daemon an administrator runs: sbin, man section 8.
install(TARGETS plinthd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS plinth RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The unit, with the paths of this installation (the checked-in file names /usr/local/bin, the
# manual install of schemas/security.md).
file(READ ${PROJECT_SOURCE_DIR}/tools/systemd/plinthd.service unit_text)
foreach(pair
    "ExecStart=/usr/local/bin/plinthd |ExecStart=${CMAKE_INSTALL_FULL_SBINDIR}/plinthd "
    "file:///usr/local/share/doc/plinth/|file://${CMAKE_INSTALL_FULL_DOCDIR}/"
    "/etc/plinth/|${PLINTH_CONFIG_DIR}/")
  string(REGEX REPLACE "\\|.*$" "" from "${pair}")
  string(REGEX REPLACE "^[^|]*\\|" "" to "${pair}")
  string(FIND "${unit_text}" "${from}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "tools/systemd/plinthd.service no longer contains '${from}': update tools/packaging/install.cmake")
  endif()
  string(REPLACE "${from}" "${to}" unit_text "${unit_text}")
endforeach()
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/systemd/plinthd.service CONTENT "${unit_text}" @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/systemd/plinthd.service DESTINATION ${PLINTH_SYSTEMD_UNIT_DIR})
install(FILES tools/systemd/plinth.sysusers.conf DESTINATION ${PLINTH_SYSUSERS_DIR} RENAME plinth.conf)
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/systemd/plinth.tmpfiles.conf @ONLY CONTENT
  "# systemd-tmpfiles(8): the state directory, owned by the plinth user, private (tools/packaging/install.cmake).
d ${PLINTH_STATE_DIR} 0700 plinth plinth -
")
install(FILES ${CMAKE_BINARY_DIR}/systemd/plinth.tmpfiles.conf DESTINATION ${PLINTH_TMPFILES_DIR} RENAME plinth.conf)

# Configuration: the example, to copy to plinthd.toml (the unit reads that file).
install(FILES daemon/config/plinthd.example.toml DESTINATION ${PLINTH_CONFIG_DIR})
# The state directory, private from the start; the package's postinst gives it to plinth.
install(DIRECTORY DESTINATION ${PLINTH_STATE_DIR} DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)

# Documentation: the README, every contract, the protobuf schema (clients compile it).
file(GLOB schema_docs ${PROJECT_SOURCE_DIR}/schemas/*.md)
install(FILES README.md ${schema_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES schemas/proto/plinth.proto DESTINATION ${CMAKE_INSTALL_DATADIR}/plinth/proto)

# The Python package as the build assembles it (tools/archive_tools.cmake): the sources and
# the generated plinth_pb2.py beside them.
install(DIRECTORY ${CMAKE_BINARY_DIR}/python/plinth DESTINATION ${PLINTH_PYTHON_DIR}
  FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)

# Man pages, when help2man made them (tools/packaging/man_pages.cmake).
if(PLINTH_MAN_PAGES)
  install(FILES ${PLINTH_MAN_DIR}/plinthd.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
  install(FILES ${PLINTH_MAN_DIR}/plinth.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
