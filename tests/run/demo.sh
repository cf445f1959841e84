#!/bin/sh
# oo-automator demo, as the README's first command ends with it: oo-sim started by the demo,
# the example sweep and staged optimization on 2 browsers, results and best configurations.
# The user's own password (here in ./.env) is never printed. usage: demo.sh OO_AUTOMATOR
BIN=$1
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "demo.sh OO_AUTOMATOR" "$BIN"
tmpdir demo
cd "$T" || exit 1
printf 'OO_PASSWORD=Users0wnSecret\n' > .env
HOME="$T" OO_DATA_DIR="$T/data" "$BIN" demo --exit --latency-ms 300 >"$T/out" 2>&1
rc=$?
[ "$rc" = 0 ] || bad "demo exited $rc"
[ "$(grep -c "Best configuration" "$T/out")" = 2 ] || bad "two runs with a best configuration expected"
grep -q "completed: 6 completed, 0 failed" "$T/out" || bad "the sweep did not complete its 6 tasks"
grep -q "completed: 8 completed, 0 failed" "$T/out" || bad "the staged run did not complete its 8 tasks"
grep -q "Users0wnSecret" "$T/out" && bad "the password was printed"
[ -f "$T/data/demo.db" ] || bad "the demo's runs are not in demo.db"
[ "$FAIL" = 0 ] || cat "$T/out"
passed demo
