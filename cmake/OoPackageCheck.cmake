# Run by cpack (CPACK_PRE_BUILD_SCRIPTS) on the staged tree before it becomes a package: a
# package without the dashboard's front-end libraries would install a dashboard that cannot
# load (they come from npm and are optional for a build, not for a package).
file(GLOB_RECURSE found LIST_DIRECTORIES false
     "${CPACK_TEMPORARY_DIRECTORY}/*/share/oo-automator/vendor/node_modules/vue/dist/vue.esm-browser.prod.js")
if(NOT found)
  message(FATAL_ERROR "the dashboard's front-end libraries are not in the package: run "
                      "`cd vendor && npm ci` (./dev.sh package does), then cpack again")
endif()
