# The Debian package: `cpack -G DEB` in the build folder (./dev.sh package does it) makes
# oo-automator_<version>_amd64.deb from exactly what `cmake --install` installs, under /usr.
# Depends is what dpkg-shlibdeps finds for the shared libraries the programs link, plus a
# Chromium (the program finds it on PATH, or OO_CHROMIUM). The programs find their resources
# relative to their own location (engine/base/util.c), so the package also works unpacked
# anywhere (dpkg-deb -x).
set(OO_DEB_MAINTAINER "oo-automator maintainers <maintainers@users.noreply.b-seed-68602d69.example>"
    CACHE STRING "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME oo-automator)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${OO_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "automates OptionOmega backtests: sweeps, grids and staged optimizations")
set(CPACK_PACKAGE_DESCRIPTION
  "oo-automator does the rounds of clicks of OptionOmega's New Backtest dialog for\n"
  "you. It drives Chromium over the Chrome DevTools Protocol, replays your own Chrome\n"
  "DevTools Recorder recordings of the flow, sets parameters through Lua scripts,\n"
  "runs sweeps, grids and staged optimizations on several browsers, recovers from\n"
  "failures by itself, keeps every result in SQLite and shows it live on a\n"
  "dashboard. oo-sim, an OptionOmega stand-in, runs the demo.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Chromium from Debian; Ubuntu's chromium-browser and Google's Chrome work as well
set(CPACK_DEBIAN_PACKAGE_DEPENDS "chromium | chromium-browser | google-chrome-stable")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "sqlite3")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/OoPackageCheck.cmake)

include(CPack)
