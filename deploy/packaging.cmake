# Install rules and Debian packages (CPack DEB; scripts/package.sh builds them):
#   branchline-server  the server, its systemd unit, the default config (a conffile) and the
#                      maintainer scripts that make the `branchline` user and /var/lib/branchline
#   branchctl          the command-line client
#   branchline-desk    the Qt 6 desktop client, when it is built (BRANCHLINE_DESKTOP and Qt 6)
# Library dependencies come from dpkg-shlibdeps, never from a hand-written list.

# `cpack` / `ninja install` would otherwise build every target first (tests and benchmarks
# included); scripts/package.sh builds just the packaged ones (branchline_packaged).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
add_custom_target(branchline_packaged DEPENDS branchline-server branchctl)
set(_branchline_components server branchctl)

install(TARGETS branchline-server RUNTIME DESTINATION bin COMPONENT server)
install(FILES deploy/systemd/branchline.service DESTINATION lib/systemd/system COMPONENT server)
install(FILES deploy/branchline.toml DESTINATION /etc/branchline COMPONENT server)
install(FILES README.md docs/operations.md docs/security.md docs/limits.md
        DESTINATION share/doc/branchline-server COMPONENT server)
install(TARGETS branchctl RUNTIME DESTINATION bin COMPONENT branchctl)
if(TARGET branchline-desk)
  add_dependencies(branchline_packaged branchline-desk)
  list(APPEND _branchline_components desk)
  install(TARGETS branchline-desk RUNTIME DESTINATION bin COMPONENT desk)
  install(FILES deploy/desktop/branchline-desk.desktop DESTINATION share/applications
          COMPONENT desk)
  install(FILES deploy/desktop/branchline-desk.svg
          DESTINATION share/icons/hicolor/scalable/apps COMPONENT desk)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME branchline)
set(CPACK_PACKAGE_VENDOR "Branchline")
set(CPACK_PACKAGE_CONTACT "Branchline maintainers <branchline@example.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ${_branchline_components})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Release packages without debug info (a RelWithDebInfo server is ~10x bigger).
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/branchline")

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME branchline-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
# Not a library: the postinst makes the system user with adduser.
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS adduser)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/server/conffiles
    ${PROJECT_SOURCE_DIR}/deploy/debian/server/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/server/prerm
    ${PROJECT_SOURCE_DIR}/deploy/debian/server/postrm)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_COMPONENT_SERVER_DESCRIPTION
    "Branchline server: meeting attendance, study check-ins and staff mailbox over gRPC\n\
One process with its RocksDB database in /var/lib/branchline, run by systemd\n\
(branchline.service) with the settings of /etc/branchline/branchline.toml.")

set(CPACK_DEBIAN_BRANCHCTL_PACKAGE_NAME branchctl)
set(CPACK_DEBIAN_BRANCHCTL_PACKAGE_SECTION utils)
set(CPACK_COMPONENT_BRANCHCTL_DESCRIPTION
    "Branchline command-line client\nSigns in, manages organisations, meetings, study plans and \
the mailbox of a Branchline server, and prints reports.")

set(CPACK_DEBIAN_DESK_PACKAGE_NAME branchline-desk)
set(CPACK_DEBIAN_DESK_PACKAGE_SECTION x11)
set(CPACK_COMPONENT_DESK_DESCRIPTION
    "Branchline desktop client (Qt 6)\nSchedules meetings, shows the rotating check-in code and \
the live roster, runs study plans and the feedback inbox of a Branchline server.")

include(CPack)
