#!/bin/sh
# oo-automator demo, as the README's first command ends with it: oo-sim started by the demo,
# the example sweep and staged optimization on 2 browsers, results and best configurations.
# The user's own password (here in ./.env) is never printed. usage: demo.sh OO_AUTOMATOR
BIN=$1
mkdir -p "${OO_TEST_TMP:-/tmp}"
T=$(mktemp -d "${OO_TEST_TMP:-/tmp}/demo.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
printf 'OO_PASSWORD=Users0wnSecret\n' > .env
HOME="$T" OO_DATA_DIR="$T/data" "$BIN" demo --exit --latency-ms 300 >"$T/out" 2>&1
rc=$?
fail=0
[ "$rc" = 0 ] || { echo "FAIL: demo exited $rc"; fail=1; }
[ "$(grep -c "Best configuration" "$T/out")" = 2 ] || { echo "FAIL: two runs with a best configuration expected"; fail=1; }
grep -q "completed: 6 completed, 0 failed" "$T/out" || { echo "FAIL: the sweep did not complete its 6 tasks"; fail=1; }
grep -q "completed: 8 completed, 0 failed" "$T/out" || { echo "FAIL: the staged run did not complete its 8 tasks"; fail=1; }
grep -q "Users0wnSecret" "$T/out" && { echo "FAIL: the password was printed"; fail=1; }
[ -f "$T/data/demo.db" ] || { echo "FAIL: the demo's runs are not in demo.db"; fail=1; }
[ "$fail" = 0 ] || cat "$T/out"
exit $fail
