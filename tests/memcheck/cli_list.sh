#!/bin/sh
# `list --search` under valgrind on a database of its own, filled for the test (web_fixture seed:
# tests, runs, tasks and results written through the store's functions), so the command opens a
# current store and reads real rows whatever the build folder holds from earlier builds.
# usage: cli_list.sh VALGRIND OO_AUTOMATOR WEB_FIXTURE
VG=$1
BIN=$2
FIXTURE=$3
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "cli_list.sh VALGRIND OO_AUTOMATOR WEB_FIXTURE" "$VG" "$BIN" "$FIXTURE"
tmpdir memcheck-cli
"$FIXTURE" seed "$T/oo.db" "$T/data" >"$T/seed.json" || { bad "seeding $T/oo.db"; cat "$T/seed.json"; exit 1; }
"$VG" -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "$BIN" --db "$T/oo.db" -vv list --search "PT grid" >"$T/out" 2>"$T/err"
rc=$?
check "list under valgrind: exit status (99: valgrind found errors)" 0 "$rc"
[ "$rc" = 0 ] || cat "$T/err"
# the search found the one run it names, and only that one: the rows were read
grep -q "Delta x PT grid" "$T/out" && ok || bad "list --search did not find the grid run: $(cat "$T/out")"
check "runs listed" 1 "$(grep -c "completed" "$T/out")"
passed memcheck_cli
