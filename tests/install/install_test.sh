#!/usr/bin/env bash
# Installs the build into a temporary prefix and runs the installed program from elsewhere:
# it must find lua/, parameters/ and the rest under <prefix>/share/oo-automator.
set -eu
cmake=$1 build=$2
mkdir -p "${OO_TEST_TMP:-/tmp}"
prefix=$(mktemp -d "${OO_TEST_TMP:-/tmp}/install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT
"$cmake" --install "$build" --prefix "$prefix" >/dev/null
cd "$prefix"
unset OO_HOME OO_LUA_PATH
cat > check.lua <<'LUA'
local root = require("fs").resource()
assert(root:find(arg[1], 1, true) == 1, "resources from the install, got " .. root)
local reg, errs = require("oo.parameters").discover()
assert(#errs == 0, table.concat(errs, "\n"))
assert(reg.delta and reg.profit_target, "parameters found")
assert(require("modes.staged").name == "staged")
print("installed program works from " .. root)
LUA
out=$("$prefix/bin/oo-automator" lua check.lua "$prefix/share/oo-automator")
echo "$out"
"$prefix/bin/oo-automator" --help >/dev/null
echo "1 passed, 0 failed"
