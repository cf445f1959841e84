#!/bin/sh
# A run that meets only passing trouble ends complete, against a real oo-sim whose first 12
# backtests (after each reset) end with a site error (--faults error=1 --fault-limit 12):
#   * 4 tasks: each fails its 3 attempts (12 site errors); once the queue drains, after the
#     cool-down, they get one more round by themselves and complete;
#   * 2 tasks failing twice over (their round too) leave the run failed; `oo-automator retry`
#     gives them another round by hand and the run completes;
#   * the same from the dashboard: POST /api/runs/{id}/retry (its Retry button).
# Every result equals oo-sim's (compare.lua). usage: retry.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "retry.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
tmpdir retry

start_sim --faults error=1 --fault-limit 12 --print-tests
IFS= read -r tline <&3
TEST_URL=${tline%%	*}
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0 OO_PIPELINE=1
export OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T" OO_RETRY_COOLDOWN=2
cd "$T" || exit 1
q() { sqlite3 "$OO_DB_PATH" "$1"; }
compare() { # compare ID NAME: the run's results against oo-sim's backtests (its errors are faults)
    compare_sim "$2" "LEFT JOIN" "WHERE t.run_id = $1" allow-reruns || bad "$2: the results differ from oo-sim's"
}

# --- the automatic round --------------------------------------------------------------------
"$BIN" run --url "$TEST_URL" --param delta --start 10 --end 16 --step 2 --browsers 2 --yes >"$T/a.out" 2>"$T/a.err" \
    || bad "a run with only passing trouble failed: $(tail -3 "$T/a.err")"
[ "$(q "SELECT status FROM runs WHERE id = 1")" = completed ] || bad "run 1 is $(q "SELECT status FROM runs WHERE id = 1")"
[ "$(q "SELECT COUNT(*) FROM tasks WHERE run_id = 1 AND status = 'completed' AND attempts = 4 AND retries = 1")" = 4 ] \
    || bad "not 4 tasks completed at their 4th attempt in their one more round: $(q "SELECT group_concat(status || '/' || attempts || '/' || retries) FROM tasks WHERE run_id = 1")"
[ "$(q "SELECT COUNT(*) || ' ' || group_concat(DISTINCT failure_type) FROM failures")" = "12 site_error" ] \
    || bad "failures: $(q "SELECT COUNT(*), group_concat(DISTINCT failure_type) FROM failures")"
[ "$(q "SELECT json_array_length(json_extract(payload, '\$.tasks')) FROM events WHERE run_id = 1 AND kind = 'retry_round'")" = 4 ] \
    || bad "no retry_round event naming the 4 tasks"
grep -q "4 tasks failed only for passing trouble: one more round in 2 s" "$T/a.err" || bad "the round was not announced: $(grep -i round "$T/a.err")"
grep -q "run 1 completed: 4 completed, 0 failed" "$T/a.out" || bad "summary: $(tail -1 "$T/a.out")"
compare 1 "automatic round"

# --- by hand: oo-automator retry -------------------------------------------------------------
C -X POST "$OO_BASE_URL/__sim/reset" >/dev/null
"$BIN" run --url "$TEST_URL" --param delta --start 20 --end 22 --step 2 --browsers 2 --yes >"$T/b.out" 2>"$T/b.err"
[ "$(q "SELECT status FROM runs WHERE id = 2")" = failed ] || bad "run 2 (12 site errors for 2 tasks) is $(q "SELECT status FROM runs WHERE id = 2")"
[ "$(q "SELECT group_concat(attempts || '/' || retries) FROM tasks WHERE run_id = 2 AND status = 'failed'")" = "6/1,6/1" ] \
    || bad "run 2's tasks: $(q "SELECT group_concat(status || ' ' || attempts || '/' || retries) FROM tasks WHERE run_id = 2")"
"$BIN" retry --run-id 2 --browsers 2 >"$T/r.out" 2>"$T/r.err" || bad "retry failed: $(tail -3 "$T/r.err")"
grep -q "run 2: 2 failed tasks back in the queue for one more round" "$T/r.err" || bad "retry did not say what it did: $(head -2 "$T/r.err")"
[ "$(q "SELECT status FROM runs WHERE id = 2")" = completed ] || bad "run 2 after retry is $(q "SELECT status FROM runs WHERE id = 2")"
[ "$(q "SELECT COUNT(*) FROM tasks WHERE run_id = 2 AND status = 'completed' AND retries = 2 AND attempts = 7")" = 2 ] \
    || bad "run 2's tasks after retry: $(q "SELECT group_concat(status || ' ' || attempts || '/' || retries) FROM tasks WHERE run_id = 2")"
compare 2 "retry by hand"
"$BIN" retry --run-id 2 >"$T/r2.out" 2>"$T/r2.err"; rc=$?
[ "$rc" = 0 ] && grep -q "run 2 has no failed task: nothing to retry" "$T/r2.err" || bad "retry of a run without failures: exit $rc, $(cat "$T/r2.err")"
"$BIN" retry --run-id 99 >/dev/null 2>"$T/r3.err"; rc=$?
[ "$rc" = 1 ] && grep -q "no run 99" "$T/r3.err" || bad "retry of no run: exit $rc, $(cat "$T/r3.err")"

# --- from the dashboard: POST /api/runs/{id}/retry --------------------------------------------
C -X POST "$OO_BASE_URL/__sim/reset" >/dev/null
"$BIN" run --url "$TEST_URL" --param delta --start 30 --end 32 --step 2 --browsers 2 --yes >"$T/c.out" 2>"$T/c.err"
[ "$(q "SELECT status FROM runs WHERE id = 3")" = failed ] || bad "run 3 is $(q "SELECT status FROM runs WHERE id = 3")"
start_listening web 4 "$BIN" serve --port 0
WPID=$LAST_PID W=$U U=$OO_BASE_URL
code=$(C -o "$T/retry.json" -w '%{http_code}' -X POST "$W/api/runs/3/retry")
[ "$code" = 200 ] || bad "POST /api/runs/3/retry: $code $(cat "$T/retry.json")"
end=$(( $(date +%s) + 240 ))
until [ "$(q "SELECT status FROM runs WHERE id = 3")" = completed ]; do
    [ "$(date +%s)" -ge "$end" ] && { bad "run 3 not completed after the dashboard's retry: $(q "SELECT status FROM runs WHERE id = 3")"; break; }
    sleep 0.3
done
compare 3 "retry from the dashboard"
code=$(C -o "$T/retry.json" -w '%{http_code}' -X POST "$W/api/runs/3/retry")
[ "$code" = 409 ] && grep -q "no failed task" "$T/retry.json" || bad "a second retry: $code $(cat "$T/retry.json")"

passed retry "(passing trouble ends complete: by itself, by retry, from the dashboard)"
