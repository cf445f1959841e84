# Every dependency comes from a Debian package through pkg-config. A missing one stops
# configure with one line naming the apt package to install.
find_package(PkgConfig QUIET)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

function(oo_require_pkg target module apt_pkg)
  pkg_check_modules(${target} QUIET IMPORTED_TARGET GLOBAL ${module})
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR "missing library ${module}: apt-get install ${apt_pkg}")
  endif()
endfunction()

oo_require_pkg(LUA      lua5.4         liblua5.4-dev)
oo_require_pkg(SQLITE   sqlite3        libsqlite3-dev)
oo_require_pkg(CJSON    libcjson       libcjson-dev)
oo_require_pkg(LWS      libwebsockets  libwebsockets-dev)
oo_require_pkg(H2O      libh2o-evloop  libh2o-evloop-dev)
oo_require_pkg(OPENSSL  openssl        libssl-dev)
oo_require_pkg(ZLIB     zlib           zlib1g-dev)
oo_require_pkg(YAML     yaml-0.1       libyaml-dev)

find_library(WSLAY_LIB wslay)
find_path(WSLAY_INCLUDE wslay/wslay.h)
if(NOT WSLAY_LIB OR NOT WSLAY_INCLUDE)
  message(FATAL_ERROR "missing library wslay: apt-get install libwslay-dev")
endif()
add_library(oo_wslay INTERFACE)
target_link_libraries(oo_wslay INTERFACE ${WSLAY_LIB})
target_include_directories(oo_wslay INTERFACE ${WSLAY_INCLUDE})

# h2o's evloop flavour, with what it needs (wslay for WebSocket, OpenSSL, zlib).
add_library(oo_h2o INTERFACE)
target_compile_definitions(oo_h2o INTERFACE H2O_USE_LIBUV=0)
target_link_libraries(oo_h2o INTERFACE PkgConfig::H2O oo_wslay PkgConfig::OPENSSL PkgConfig::ZLIB pthread m)

find_package(Threads REQUIRED)
