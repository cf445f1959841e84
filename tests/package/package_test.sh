#!/usr/bin/env bash
# The Debian package, built as a user would (cpack -G DEB from the build folder), checked from
# the outside: its control fields (dpkg-deb -I: Depends names the package of every shared
# library the programs link, found independently with ldd and dpkg -S, and Chromium), its
# contents (dpkg-deb -c: programs, Lua library, recordings, parameters, examples, dashboard and
# only the front-end libraries it serves, man page, completions), then unpacked into a
# temporary root (dpkg-deb -x) and run from there, elsewhere: --version, doctor --login and a
# one-task run against the package's own oo-sim, the dashboard and its libraries, completion
# as bash-completion, zsh and fish load it from that root, and man.
# usage: package_test.sh CPACK BUILD_DIR SOURCE_DIR
set -u
CPACK=$1 BUILD=$2 SRC=$3
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
has() { case "$1" in *"$2"*) ok ;; *) bad "$3: expected '$2' in: $1" ;; esac; }
tmpdir package
tmp=$T

# --- build it --------------------------------------------------------------------------------
version=$("$BUILD/oo-automator" --version | head -1 | cut -d' ' -f2)
arch=$(dpkg --print-architecture)
(cd "$tmp" && "$CPACK" -G DEB --config "$BUILD/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1) \
  || { cat "$tmp/cpack.log"; echo "FAIL: cpack -G DEB"; exit 1; }
deb=$tmp/out/oo-automator_${version}_${arch}.deb
[ -f "$deb" ] && ok || { ls "$tmp/out"; echo "FAIL: no $deb"; exit 1; }

# --- control fields --------------------------------------------------------------------------
info=$(dpkg-deb -I "$deb") || bad "dpkg-deb -I"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = oo-automator ] && ok || bad "Package: $(field Package)"
[ "$(field Version)" = "$version" ] && ok || bad "Version: $(field Version), --version says $version"
[ "$(field Architecture)" = "$arch" ] && ok || bad "Architecture: $(field Architecture)"
depends=$(field Depends)
has "$depends" "chromium" "Depends names Chromium"
mkdir -p "$tmp/root"
dpkg-deb -x "$deb" "$tmp/root" || bad "dpkg-deb -x"
R=$tmp/root/usr
# every shared library the packaged programs link (their NEEDED entries, where ldd finds
# them), by the Debian package that ships it
for exe in "$R/bin/oo-automator" "$R/bin/oo-sim"; do
  needed=$(readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  [ -n "$needed" ] && ok || bad "readelf finds no NEEDED library in $exe"
  for so in $needed; do
    lib=$(ldd "$exe" | awk -v so="$so" '$1 == so && $3 ~ /^\// { print $3 }')
    [ -n "$lib" ] || { bad "ldd does not find $so for $exe"; continue; }
    pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1)
    [ -n "$pkg" ] || pkg=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)
    [ -n "$pkg" ] || { bad "no Debian package owns $lib"; continue; }
    printf '%s\n' "$depends" | tr ',' '\n' | grep -qE "^ *$pkg( |$)" && ok || bad "Depends lacks $pkg (for $lib, linked by $exe): $depends"
  done
done
# shlibdeps' versioned form, e.g. "liblua5.4-0 (>= 5.4.4)"
printf '%s\n' "$depends" | grep -qE 'liblua5\.4-0 \(>= [0-9]' && ok || bad "Depends is not from dpkg-shlibdeps: $depends"

# --- contents ---------------------------------------------------------------------------------
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./||')
in_deb() { printf '%s\n' "$contents" | grep -qxF "$1" && ok || bad "the package lacks $1"; }
for f in usr/bin/oo-automator usr/bin/oo-sim usr/share/man/man1/oo-automator.1.gz \
         usr/share/bash-completion/completions/oo-automator usr/share/zsh/vendor-completions/_oo-automator \
         usr/share/fish/vendor_completions.d/oo-automator.fish usr/share/doc/oo-automator/README.md; do
  in_deb "$f"
done
# every file of the source tree's resource folders
for d in lua parameters recordings examples web sim/ui sim/bt/strategies; do
  n=0
  while IFS= read -r f; do in_deb "usr/share/oo-automator/${f#"$SRC"/}"; n=$((n + 1)); done \
    < <(find "$SRC/$d" -type f ! -name .gitkeep)
  [ "$n" -gt 0 ] && ok || bad "no files found in $SRC/$d"
done
# the front-end libraries: every one the dashboard or oo-sim's pages load, and nothing else
refs=$(grep -rhoE "/vendor/[^'\" )]+" "$SRC/web" "$SRC/sim/ui" | sort -u)
[ -n "$refs" ] && ok || bad "no /vendor/ references found in web/ and sim/ui/"
for r in $refs; do in_deb "usr/share/oo-automator/vendor/node_modules/${r#/vendor/}"; done
extra=$(printf '%s\n' "$contents" | sed -n 's|^usr/share/oo-automator/vendor/node_modules/\(@[^/]*/[^/]*\|[^@/][^/]*\)/.*|\1|p' | sort -u |
        grep -vxE 'vue|chart\.js|@kurkle/color|@headlessui/vue|@tanstack/vue-virtual|@tanstack/virtual-core')
[ -z "$extra" ] && ok || bad "front-end packages the dashboard does not serve: $extra"
printf '%s\n' "$contents" | grep -q playwright-core && bad "playwright-core is in the package" || ok

# --- run it from the unpacked root, elsewhere --------------------------------------------------
unset OO_HOME OO_LUA_PATH OO_PARAMETERS_PATH OO_RECORDINGS OO_DB_PATH OO_CHROMIUM OO_SIM XDG_DATA_HOME
export HOME=$tmp/home OO_DATA_DIR=$tmp/data OO_RATE_LIMIT=0
mkdir -p "$HOME" "$tmp/work" && cd "$tmp/work" || exit 2
out=$("$R/bin/oo-automator" --version) || bad "unpacked --version"
[ "$(printf '%s\n' "$out" | head -1)" = "oo-automator $version" ] && ok || bad "unpacked --version: $out"
has "$out" "  Chromium " "--version names Chromium"
printf 'local root = require("fs").resource("lua")\nassert(root == arg[1] .. "/lua", "resources from " .. root)\n' > where.lua
"$R/bin/oo-automator" lua where.lua "$(readlink -f "$R/share/oo-automator")" && ok || bad "resources not from the unpacked root"

SIM=$R/bin/oo-sim
start_sim --print-tests
IFS= read -r tline <&3 || { cat "$tmp/sim.err"; echo "FAIL: the packaged oo-sim did not start"; exit 1; }
export OO_BASE_URL=$U OO_EMAIL=trader@example.com OO_PASSWORD=demo
TEST_URL=${tline%%	*}

out=$("$R/bin/oo-automator" doctor --login 2>&1); rc=$?
[ $rc = 0 ] && ok || bad "unpacked doctor --login: exit $rc: $out"
has "$out" "recordings   5 present and parse" "doctor's recordings"
has "$out" "in $(readlink -f "$R/share/oo-automator")/recordings" "doctor reads the package's recordings"
has "$out" "all 9 checks passed" "doctor"

out=$("$R/bin/oo-automator" run --url "$TEST_URL" --param delta --start 10 --end 10 --step 1 --browsers 1 --yes 2>&1); rc=$?
[ $rc = 0 ] && ok || bad "unpacked one-task run: exit $rc: $out"
db=$OO_DATA_DIR/oo_automator.db
[ "$(sqlite3 "$db" "SELECT status || ' ' || (SELECT COUNT(*) FROM results) FROM runs")" = "completed 1" ] && ok \
  || bad "the run in $db: $(sqlite3 "$db" 'SELECT id, status FROM runs')"
[ "$(C "$OO_BASE_URL/__sim/backtests" | grep -o '"status":"done"' | wc -l)" = 1 ] && ok || bad "oo-sim did not run one backtest"

# the dashboard and the libraries its pages load, served from the package
start_listening web 4 "$R/bin/oo-automator" serve --port 0
[ -n "$LINE" ] || bad "serve did not start: $(cat "$tmp/web.err")"
W=$U U=$OO_BASE_URL
[ "$(C -o /dev/null -w '%{http_code}' "$W/")" = 200 ] && ok || bad "the dashboard's page"
for r in $(grep -rhoE "/vendor/[^'\" )]+" "$SRC/web" | sort -u); do
  [ "$(C -o /dev/null -w '%{http_code}' "$W$r")" = 200 ] && ok || bad "the dashboard does not serve $r"
done
[ "$(C "$W/api/runs" | jq length)" = 1 ] && ok || bad "the dashboard does not see the run"

# completion, loaded the way each shell finds it in the package's folders
export PATH=$R/bin:$PATH XDG_DATA_DIRS=$R/share
bash -n "$R/share/bash-completion/completions/oo-automator" && ok || bad "bash -n rejects the packaged completion"
got=$(bash --norc --noprofile -c '
  source /usr/share/bash-completion/bash_completion
  _completion_loader oo-automator
  COMP_LINE="oo-automator ru"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(oo-automator ru); COMP_CWORD=1
  $(complete -p oo-automator | sed -n "s/.*-F \([^ ]*\) .*/\1/p") oo-automator ru oo-automator
  echo "${COMPREPLY[*]}"' 2>&1)
[ "$got" = run ] && ok || bad "bash-completion's loader and TAB after 'oo-automator ru': $got"
got=$(fish -c "complete -C'oo-automator ru'" 2>&1)
has "$got" "run	Run a sweep" "fish finds the vendor completion"
got=$(zsh -f -c "fpath=($R/share/zsh/vendor-completions \$fpath); autoload -Uz compinit; compinit -u -D; print -r -- \$_comps[oo-automator]" 2>&1)
[ "$got" = _oo-automator ] && ok || bad "zsh's compinit does not pick up _oo-automator: $got"

# man renders the page, and finds it beside the program
man -l "$R/share/man/man1/oo-automator.1.gz" 2>&1 | grep -q "oo-automator - automate OptionOmega backtests" && ok || bad "man -l"
[ "$(MANPATH= man -w oo-automator 2>&1)" = "$R/share/man/man1/oo-automator.1.gz" ] && ok || bad "man -w: $(MANPATH= man -w oo-automator 2>&1)"

summary
