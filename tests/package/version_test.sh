#!/usr/bin/env bash
# --version names the program's version and, for each library, the version this very binary
# runs with: checked against the Debian package that owns the shared library it links (ldd,
# dpkg -S), an independent answer. Chromium's against `chromium --version`.
set -u
BIN=$1
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
tmpdir version
root=$T
export HOME=$root
cd "$root" || exit 2
unset OO_CHROMIUM OO_DATA_DIR OO_DB_PATH

out=$("$BIN" --version) || bad "--version exits 0"
same=$("$BIN" version) || bad "version exits 0"
[ "$out" = "$same" ] && ok || bad "--version and version differ: $out / $same"
first=$(printf '%s\n' "$out" | head -1)
case "$first" in "oo-automator "[0-9]*.[0-9]*.[0-9]*) ok ;; *) bad "first line: $first" ;; esac

# the upstream version of the Debian package owning the library the binary links
linked_version() { # soname-pattern
  local lib pkg v
  lib=$(ldd "$BIN" | awk -v p="$1" '$1 ~ p { print $3; exit }')
  [ -n "$lib" ] || { echo "?"; return; }
  pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1)
  [ -n "$pkg" ] || pkg=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)
  v=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null)
  v=${v#*:}; v=${v%%[-+~]*}
  echo "$v"
}
line_of() { printf '%s\n' "$out" | awk -v n="$1" '$1 == n { print $2; exit }'; }
check_lib() { # label soname-pattern
  local want got
  want=$(linked_version "$2"); got=$(line_of "$1")
  if [ -n "$got" ] && [ "$got" = "$want" ]; then ok; else bad "$1: --version says '$got', the linked library is '$want'"; fi
}
check_lib Lua '^liblua5\\.4'
check_lib SQLite '^libsqlite3'
check_lib cJSON '^libcjson\\.'
check_lib libwebsockets '^libwebsockets'
check_lib h2o '^libh2o-evloop'
[ "$(line_of SQLite)" = "$(sqlite3 --version | cut -d' ' -f1)" ] && ok || bad "SQLite differs from sqlite3 --version"

chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
want=$("$chromium" --version 2>/dev/null | head -1)
got=$(printf '%s\n' "$out" | grep -E '^  (Chromium|Google Chrome) ')
case "$got" in *"${want#* }"*"($chromium)") ok ;; *) bad "Chromium line '$got', expected '$want' and its path $chromium" ;; esac

# no Chromium: the line says so and how to fix it; --version still succeeds
out=$(OO_CHROMIUM=/nonexistent/chrome "$BIN" --version) || bad "--version without Chromium exits 0"
case "$out" in *"not found at /nonexistent/chrome"*) ok ;; *) bad "missing Chromium not reported: $out" ;; esac
# from the config file too (every setting goes through the configuration)
mkdir -p "$HOME/.config/oo-automator"
echo "OO_CHROMIUM=/nonexistent/from-config" > "$HOME/.config/oo-automator/config"
out=$("$BIN" --version)
case "$out" in *"/nonexistent/from-config"*) ok ;; *) bad "OO_CHROMIUM from the config file ignored: $out" ;; esac
echo "not a setting" > "$HOME/.config/oo-automator/config"
"$BIN" --version >/dev/null 2>&1 && ok || bad "--version fails on a broken config file"

summary
