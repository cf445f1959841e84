#!/bin/sh
# A run against oo-sim with every fault at 20% (fixed seed): slow and late dialogs, overlays, a
# stuck modal, expired sessions, backtest errors, 429s and dropped connections. The run ends with
# every task completed, or failed for good with its artifacts (screenshot, HTML) on disk and a
# failures row; every completed result equals what oo-sim computed for that configuration.
# usage: faults.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "${OO_TEST_TMP:-/tmp}"
T=$(mktemp -d "${OO_TEST_TMP:-/tmp}/run_faults.XXXXXX")
PID=
FAIL=0
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
mkfifo "$T/fifo"
"$SIM" --port 0 --faults all=0.2 --seed 42 --print-tests >"$T/fifo" 2>"$T/sim.err" &
PID=$!
exec 3<"$T/fifo"
IFS= read -r line <&3
U=${line%/}
IFS= read -r tline <&3
TEST_URL=${tline%%	*}
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0
export OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T"
cd "$T" || exit 1
"$BIN" run --url "$TEST_URL" --param delta --start 6 --end 20 --step 2 --browsers 2 --yes >"$T/out" 2>"$T/err"
rc=$?
status=$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = 1")
[ "$status" = completed ] || { bad "run is $status (exit $rc)"; tail -20 "$T/err"; }
left=$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE run_id = 1 AND status NOT IN ('completed', 'failed')")
[ "$left" = 0 ] || bad "$left tasks neither completed nor failed"
# every failed attempt has a failures row; its screenshot and HTML exist
nfail=$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM failures")
sqlite3 "$OO_DB_PATH" "SELECT screenshot_path, html_path FROM failures" | tr '|' '\n' | while read -r f; do
    [ -z "$f" ] || [ -s "$f" ] || echo "missing artifact $f"
done >"$T/missing"
[ -s "$T/missing" ] && bad "$(cat "$T/missing")"
[ "$nfail" -gt 0 ] || bad "faults at 20% but no failed attempt recorded"
nshots=$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM failures WHERE screenshot_path IS NOT NULL AND html_path IS NOT NULL")
[ "$nshots" -gt 0 ] || bad "no failure has its screenshot and HTML"
curl -s --noproxy '*' "$U/__sim/backtests" >"$T/sim.json"
sqlite3 -json "$OO_DB_PATH" "SELECT t.id AS task_id, t.status, t.stage, t.parameter_values AS task_values, \
    r.metrics AS metrics, (SELECT COUNT(*) FROM trades WHERE result_id = r.id) AS trades \
    FROM tasks t JOIN results r ON r.task_id = t.id WHERE t.run_id = 1 ORDER BY t.seq" >"$T/db.json"
"$BIN" lua "$HERE/compare.lua" "$T/sim.json" "$T/db.json" faults allow-reruns || bad "results differ from oo-sim's"
echo "faults: $(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE status = 'completed'") completed, $nfail failed attempts, kinds: $(sqlite3 "$OO_DB_PATH" "SELECT group_concat(failure_type || '=' || n) FROM (SELECT failure_type, COUNT(*) n FROM failures GROUP BY 1)")"
[ "$FAIL" -eq 0 ] && exit 0
exit 1
