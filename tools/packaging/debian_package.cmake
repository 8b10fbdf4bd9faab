# `cpack -G DEB` in a build configured with -DCMAKE_INSTALL_PREFIX=/usr makes plinth_<version>_<arch>.deb
# (tools/packaging/README.md): everything `cmake --install` puts in place, the library
# dependencies found by dpkg-shlibdeps, and maintainer scripts that create the plinth user and
# its state directory and enable, but do not start, plinthd.service.
# The ctest package_deb builds one in Release and checks it (tools/packaging/test_deb.sh).

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME plinth)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "Plinth maintainers <plinth@invalid>" CACHE STRING "Maintainer field of the .deb")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
# /etc, /lib/systemd and /var/lib are absolute install destinations; package them where they say.
set(CPACK_SET_DESTDIR ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # plinth_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The extended description (the synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY); lines < 80.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "plinthd reads USB pressure mats and heart-rate straps, computes calibrated
pressure maps, pressure metrics, heart-rate variability and a relaxation
readout, publishes them over ZeroMQ (protobuf) and archives every session to
HDF5. plinth simulates devices, subscribes, controls the daemon, serves the
therapist's dashboard, and replays and analyses archives. The Python package
plinth reads the stream and the archives.")
# Library dependencies from the binaries (dpkg-shlibdeps, package dpkg-dev); then what the
# maintainer scripts and the Python package need.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "systemd-sysusers, systemd-tmpfiles, init-system-helpers (>= 1.54~), python3, python3-zmq, python3-protobuf, python3-numpy, python3-h5py")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "hdf5-tools")

set(debian_dir ${CMAKE_BINARY_DIR}/debian)
foreach(script postinst prerm postrm)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/${script}.in ${debian_dir}/${script} @ONLY
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
# Everything under /etc is a conffile (Debian Policy 10.7.2): dpkg keeps the administrator's edits.
file(CONFIGURE OUTPUT ${debian_dir}/conffiles @ONLY CONTENT "${PLINTH_CONFIG_DIR}/plinthd.example.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${debian_dir}/postinst ${debian_dir}/prerm ${debian_dir}/postrm ${debian_dir}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# What Debian Policy wants beside the files: a changelog (12.7; this native package's history
# is the git log), and a lintian override for the one deliberate oddity.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  string(TIMESTAMP changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)  # honours SOURCE_DATE_EPOCH
  file(CONFIGURE OUTPUT ${debian_dir}/changelog @ONLY CONTENT "plinth (${PROJECT_VERSION}) unstable; urgency=medium

  * Built with CPack; the changes are in the git history of the sources.

 -- ${CPACK_PACKAGE_CONTACT}  ${changelog_date}
")
  execute_process(COMMAND gzip -9n -c ${debian_dir}/changelog OUTPUT_FILE ${debian_dir}/changelog.gz)
  install(FILES ${debian_dir}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})
  file(CONFIGURE OUTPUT ${debian_dir}/lintian-overrides @ONLY CONTENT
    "# /var/lib/plinth holds clinical session archives: private to the plinth user by design.
plinth: non-standard-dir-perm 0700 != 0755 [var/lib/plinth/]
")
  install(FILES ${debian_dir}/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME plinth)
endif()

include(CPack)
