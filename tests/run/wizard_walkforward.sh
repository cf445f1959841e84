#!/bin/sh
# The wizard's walk-forward end to end: `oo-automator run` without arguments, driven on stdin
# (test, mode, windows, the inner search, best by, browsers), writes a run script; the script
# runs against oo-sim, and the stored run is the walk-forward the answers describe: its stored
# spec, 12 tasks checked against what oo-sim received (compare.lua: each task's window dates and
# values), and its report against figures computed from the stored results
# (walkforward_check.lua). usage: wizard_walkforward.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$BIN" ] && [ -x "$SIM" ] || { echo "usage: wizard_walkforward.sh OO_AUTOMATOR OO_SIM" >&2; exit 2; }
mkdir -p "${OO_TEST_TMP:-/tmp}"
T=$(mktemp -d "${OO_TEST_TMP:-/tmp}/wizard_wf.XXXXXX")
PID=
FAIL=0
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; [ "$FAIL" -eq 0 ] && rm -rf "$T"; }
trap cleanup EXIT
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

mkfifo "$T/fifo"
"$SIM" --port 0 >"$T/fifo" 2>"$T/sim.err" &
PID=$!
exec 3<"$T/fifo"
IFS= read -r line <&3
U=${line%/}
C() { curl -s --noproxy '*' --max-time 20 "$@"; }
TEST_URL=$(C "$U/__sim/tests" | tr '{' '\n' | sed -n 's/.*"url":"\([^"]*\)".*/\1/p' | head -1)
[ -n "$TEST_URL" ] || { echo "no test URL from oo-sim"; exit 1; }
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo
export OO_RATE_LIMIT=0 OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T"
cd "$T" || exit 1

# the mode's number in the wizard's menu: the line "  N) walkforward - ..."
menu=$(printf '%s\n\n' "$TEST_URL" | "$BIN" run 2>&1)
n=$(printf '%s\n' "$menu" | sed -n 's/^ *\([0-9]*\)) walkforward - .*/\1/p' | head -1)
[ -n "$n" ] || { bad "the wizard offers no walkforward: $menu"; exit 1; }
# test, its name (none), walkforward, from, to, in-sample, out-of-sample, step (default),
# anchored (default no), the search: sweep (1) of delta 10..20 step 10 (the other fields'
# defaults), best by MAR, full period (default yes), 2 browsers, the script, start: no
printf '%s\n\n%s\n2021-01-01\n2021-12-31\n6m\n2m\n\n\n1\ndelta\n10\n20\n10\n\n\n\nMAR\n\n2\nwf.lua\nn\n' "$TEST_URL" "$n" \
    | "$BIN" run >"$T/wizard.out" 2>&1 || { bad "the wizard failed"; cat "$T/wizard.out"; exit 1; }
[ -f wf.lua ] || { bad "the wizard wrote no script"; cat "$T/wizard.out"; exit 1; }
grep -q "Ready to run 12 tests" "$T/wizard.out" || bad "the wizard did not count 12 backtests"
[ "$(C "$U/__sim/backtests")" = "[]" ] || bad "the wizard (answered no) started backtests"

if ! "$BIN" run wf.lua --yes >"$T/run.out" 2>"$T/run.err"; then bad "the script failed"; cat "$T/run.err"; fi
Q() { sqlite3 "$OO_DB_PATH" "$1"; }
[ "$(Q "SELECT mode || ' ' || status FROM runs WHERE id = 1")" = "walkforward completed" ] || bad "run 1: $(Q 'SELECT mode, status FROM runs')"
[ "$(Q "SELECT json_extract(config, '$.spec.windows.from') || ' ' || json_extract(config, '$.spec.windows.to') || ' ' || \
       json_extract(config, '$.spec.windows.in_sample') || ' ' || json_extract(config, '$.spec.windows.out_of_sample') || ' ' || \
       json_extract(config, '$.spec.search.parameter') || ' ' || json_extract(config, '$.spec.optimize_by') FROM runs WHERE id = 1")" \
    = "2021-01-01 2021-12-31 6m 2m delta mar" ] || bad "the stored spec is not the answers: $(Q 'SELECT config FROM runs WHERE id = 1')"
[ "$(Q "SELECT COUNT(*) FROM tasks WHERE run_id = 1 AND status = 'completed'")" = 12 ] || bad "not 12 completed tasks"
[ "$(Q "SELECT COUNT(*) FROM tasks WHERE run_id = 1")" = 12 ] || bad "not 12 tasks"
C "$U/__sim/backtests" >"$T/sim.json"
sqlite3 -json "$OO_DB_PATH" <"$HERE/wf_dump.sql" >"$T/db.json"
"$BIN" lua "$HERE/compare.lua" "$T/sim.json" "$T/db.json" walkforward \
    || bad "the stored run does not match what oo-sim received (dates and values of each task)"
sed -n '/^Walk-forward /,/^(thresholds/p' "$T/run.out" >"$T/report"
[ -s "$T/report" ] || bad "the run printed no walk-forward report"
"$BIN" lua "$HERE/walkforward_check.lua" "$T/db.json" "$T/report" || bad "the report does not match the stored results"

if [ "$FAIL" -eq 0 ]; then echo "wizard_walkforward passed"; exit 0; fi
echo "wizard_walkforward: $FAIL failures (files in $T)"
exit 1
