#!/bin/sh
# The chaos test: oo-sim with every fault at 20% (fixed seed), a grid on 2 browsers, Chromium
# killed twice and the engine SIGKILLed once mid-run, then resumed. All of that trouble passes,
# so the run ends with every task completed (a task that failed its attempts gets one more
# round once the queue drains); every failed attempt left its artifacts; every result equals
# what oo-sim computes for that configuration (its backtests are deterministic, faults only
# decide whether one finishes); no task has two results. CHAOS_TASKS=100 runs the issue's full
# size (the suite runs 6 to stay within its time; CI's .ci/run runs 100 after the suite).
# usage: chaos.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "chaos.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
N=${CHAOS_TASKS:-6}
tmpdir chaos
fail() { echo "FAIL: $*"; tail -20 "$T/err" 2>/dev/null; exit 1; }
start_sim --faults all=0.2 --seed 42 --print-tests
IFS= read -r tline <&3
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0 OO_LEASE_MS=20000
export OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T"
export OO_PIPELINE=${OO_PIPELINE:-2}   # faults hit both tabs of a browser, as on a big machine
export OO_RETRY_COOLDOWN=15              # the round after the queue drains: a short cool-down here
cd "$T" || exit 1
cat >"$T/grid.lua" <<LUA
return { test = "${tline%%	*}", mode = "grid", parameters = {
  { name = "delta", config = { start = 1, stop = $((N / 2)), step = 1 } },
  { name = "profit_target", config = { start = 25, stop = 50, step = 25 } } } }
LUA
finished() { sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE status IN ('completed', 'failed')" 2>/dev/null || echo 0; }
wait_finished() { # wait_finished N: until N tasks are finished (deadline 300 s) while the engine runs
    end=$(( $(date +%s) + 300 ))
    while [ "$(finished)" -lt "$1" ]; do
        [ "$(date +%s)" -ge "$end" ] && fail "only $(finished) tasks finished, waiting for $1"
        kill -0 $RPID 2>/dev/null || fail "the engine exited early"
        sleep 0.2
    done
}
kill_browser() { pids=$(engine_chromium "$RPID") && kill -KILL $pids; }
"$BIN" run "$T/grid.lua" --browsers 2 --yes >"$T/out" 2>"$T/err" &
RPID=$!
wait_finished $(( N / 8 < 1 ? 1 : N / 8 )); kill_browser
wait_finished $(( N / 4 < 2 ? 2 : N / 4 )); kill_browser
wait_finished $(( N / 2 < 3 ? 3 : N / 2 )); kill -KILL $RPID; wait $RPID 2>/dev/null
"$BIN" resume --run-id 1 --browsers 2 >"$T/out2" 2>"$T/err" & RPID=$!
wait $RPID; rc=$?
RPID=
[ "$rc" = 0 ] || fail "resume exited $rc"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = 1")" = completed ] || fail "run not completed"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks")" = "$N" ] || fail "not $N tasks"
[ "$(finished)" = "$N" ] || fail "$(finished) of $N tasks finished"
# only passing trouble: every task completed (failed ones had their round)
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE status = 'completed'")" = "$N" ] \
    || fail "not every task completed: $(sqlite3 "$OO_DB_PATH" "SELECT group_concat(id || ' ' || status || ' ' || attempts || '/' || retries || ': ' || COALESCE(error, ''), '; ') FROM tasks WHERE status <> 'completed'")"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM results")" = "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE status = 'completed'")" ] \
    || fail "results and completed tasks differ (a duplicate or a lost result)"
missing=$(sqlite3 "$OO_DB_PATH" "SELECT t.id FROM tasks t WHERE t.retries > 0 AND NOT EXISTS (SELECT 1 FROM failures f WHERE f.task_id = t.id AND f.screenshot_path IS NOT NULL)")
[ -z "$missing" ] || fail "tasks retried after failing without artifacts: $missing"
# every failed attempt has its failures row, and the screenshot and HTML it names are on disk
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM failures")" -gt 0 ] || fail "faults at 20% but no failed attempt recorded"
sqlite3 "$OO_DB_PATH" "SELECT screenshot_path, html_path FROM failures" | tr '|' '\n' | while read -r f; do
    [ -z "$f" ] || [ -s "$f" ] || echo "$f"
done >"$T/missing"
[ -s "$T/missing" ] && fail "artifacts missing: $(cat "$T/missing")"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM failures WHERE screenshot_path IS NOT NULL AND html_path IS NOT NULL")" -gt 0 ] \
    || fail "no failed attempt has its screenshot and HTML"
compare_sim chaos JOIN "" allow-reruns || fail "results differ from oo-sim's"
echo "chaos: $N tasks: $(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE status = 'completed'") completed ($(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE retries > 0") in the round after the queue drained), $(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE status = 'failed'") failed; attempts lost: $(sqlite3 "$OO_DB_PATH" "SELECT group_concat(failure_type || '=' || n) FROM (SELECT failure_type, COUNT(*) n FROM failures GROUP BY 1)"); backtests oo-sim ran: $(C "$U/__sim/backtests" | grep -o '"status":"done"' | wc -l) done of $(C "$U/__sim/backtests" | grep -o '"id":"bt_' | wc -l)"
