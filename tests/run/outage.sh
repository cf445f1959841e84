#!/bin/sh
# OptionOmega goes away in the middle of a night run and comes back (issue 12's "the engine
# recovers from every failure by itself"), against a real oo-sim killed and started again on
# the same port:
#  (a) an outage shorter than OO_OUTAGE_WAIT: the workers hold (their failures recorded as
#      "unreachable", no attempt used), the run goes on by itself when the site answers again and
#      completes: every task done, none failed, results equal oo-sim's;
#  (b) an outage longer than OO_OUTAGE_WAIT (0: at once): the run is paused with the reason
#      (exit 75), its tasks untouched (pending, 0 attempts); `resume` completes it once the site
#      is back;
#  (c) the site up but the password wrong: the run stops at the first refused sign-in, saying
#      so, every task untouched (it used to burn every task's attempts on 30 s timeouts and end
#      "every task failed"); `resume` with the right password completes it.
# usage: outage.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "outage.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
tmpdir outage

start_sim --latency-ms 400 --print-tests
IFS= read -r tline <&3
TEST_URL=${tline%%	*}
PORT=${U##*:}
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0 OO_PIPELINE=1
export OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T" OO_RETRY_COOLDOWN=2
cd "$T" || exit 1
q() { sqlite3 "$OO_DB_PATH" "$1" 2>/dev/null; }
until_true() { # until_true SECONDS SQL: polls the store until SQL answers 1
    _end=$(( $(date +%s) + $1 ))
    while [ "$(q "$2")" != 1 ]; do
        [ "$(date +%s)" -ge "$_end" ] && return 1
        sleep 0.2   # a poll interval, not a settle wait: the condition is checked each time
    done
}
restart_sim() { # the same oo-sim again on the same port (its saved tests are the same: same seed)
    start_listening sim2 4 "$SIM" --port "$PORT" --latency-ms 400
    SPID=$LAST_PID
    [ "$U" = "http://127.0.0.1:$PORT" ] || { bad "oo-sim did not start again on port $PORT: [$LINE] $(cat "$T/sim2.err")"; exit 1; }
}

# --- (a) down for a while, back by itself --------------------------------------------------------
OO_OUTAGE_WAIT=5 "$BIN" run --url "$TEST_URL" --param delta --start 5 --end 14 --step 1 --browsers 2 --yes \
    >"$T/a.out" 2>"$T/a.err" &
EPID=$!
until_true 120 "SELECT COUNT(*) >= 2 FROM tasks WHERE status = 'completed'" || bad "no 2 tasks completed before the outage"
kill -KILL "$SPID"; wait "$SPID" 2>/dev/null
exec 3<&-
until_true 120 "SELECT COUNT(*) >= 2 FROM failures WHERE failure_type = 'unreachable'" \
    || bad "the outage was not seen as one: $(q "SELECT group_concat(DISTINCT failure_type) FROM failures")"
before=$(q "SELECT group_concat(id) FROM tasks WHERE status = 'completed'")   # done before the outage, on the old oo-sim
restart_sim
wait "$EPID"; rc=$?
check "the run's exit status after an outage it waited out" 0 "$rc"
check "run 1's status" completed "$(q "SELECT status FROM runs WHERE id = 1")"
check "tasks completed" 10 "$(q "SELECT COUNT(*) FROM tasks WHERE run_id = 1 AND status = 'completed'")"
check "failures of another kind than the outage" "" "$(q "SELECT group_concat(DISTINCT failure_type) FROM failures WHERE failure_type NOT IN ('unreachable', 'session')")"
check "attempts used up by the outage" 0 "$(q "SELECT COUNT(*) FROM tasks WHERE run_id = 1 AND attempts > 1 AND id IN (SELECT task_id FROM failures WHERE failure_type = 'unreachable') AND id NOT IN (SELECT task_id FROM failures WHERE failure_type NOT IN ('unreachable', 'session'))")"
grep -q "OptionOmega cannot be reached" "$T/a.err" || bad "the outage was not said: $(grep -c warn "$T/a.err") warnings"
# the tasks done after the restart went to the new oo-sim, which computed them afresh
compare_sim after-outage JOIN "WHERE t.run_id = 1 AND t.id NOT IN (${before:-0})" || bad "the results differ from oo-sim's"

# --- (b) down past OO_OUTAGE_WAIT: paused, then resumed ----------------------------------------------
kill -KILL "$SPID"; wait "$SPID" 2>/dev/null
exec 4<&-
OO_OUTAGE_WAIT=0 "$BIN" run --url "$TEST_URL" --param delta --start 20 --end 22 --step 1 --browsers 1 --yes \
    >"$T/b.out" 2>"$T/b.err"; rc=$?
check "the exit status of a run paused by an outage" 75 "$rc"
check "run 2's status" paused "$(q "SELECT status FROM runs WHERE id = 2")"
case "$(q "SELECT error FROM runs WHERE id = 2")" in
    "OptionOmega could not be reached"*"oo-automator resume --run-id 2"*) ok ;;
    *) bad "run 2's reason: $(q "SELECT error FROM runs WHERE id = 2")" ;;
esac
grep -q "run 2 paused: OptionOmega could not be reached" "$T/b.err" || bad "not said on stderr: $(tail -2 "$T/b.err")"
check "run 2's tasks, untouched" "pending 0,pending 0,pending 0" "$(q "SELECT group_concat(status || ' ' || attempts) FROM tasks WHERE run_id = 2")"
restart_sim
"$BIN" resume --run-id 2 >"$T/c.out" 2>"$T/c.err" || bad "resume after the outage failed: $(tail -3 "$T/c.err")"
check "run 2 after resume" completed "$(q "SELECT status FROM runs WHERE id = 2")"
check "run 2's tasks completed" 3 "$(q "SELECT COUNT(*) FROM tasks WHERE run_id = 2 AND status = 'completed'")"

# --- (c) the wrong password: stopped at once, resumed with the right one --------------------------
OO_PASSWORD=not-the-password "$BIN" run --url "$TEST_URL" --param delta --start 30 --end 33 --step 1 --browsers 2 --yes \
    >"$T/d.out" 2>"$T/d.err"; rc=$?
check "the exit status of a run whose sign-in is refused" 1 "$rc"
grep -q "run 3 failed: OptionOmega refused the sign-in (Invalid email or password): check OO_EMAIL and OO_PASSWORD" "$T/d.err" \
    || bad "the refusal was not said: $(tail -2 "$T/d.err")"
check "run 3's tasks, untouched" "pending 0,pending 0,pending 0,pending 0" "$(q "SELECT group_concat(status || ' ' || attempts) FROM tasks WHERE run_id = 3")"
check "run 3's failures" login_refused "$(q "SELECT group_concat(DISTINCT failure_type) FROM failures WHERE task_id IN (SELECT id FROM tasks WHERE run_id = 3)")"
"$BIN" resume --run-id 3 >"$T/e.out" 2>"$T/e.err" || bad "resume with the right password failed: $(tail -3 "$T/e.err")"
check "run 3 after resume" completed "$(q "SELECT status FROM runs WHERE id = 3")"

passed outage
