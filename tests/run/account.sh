#!/bin/sh
# One engine per account, against a real oo-sim, real engine processes and a real dashboard:
#   * a second `run` on the same account waits (status queued, says so) and starts when the
#     first ends; with --no-wait it is refused (exit 75) and nothing is stored;
#   * an engine SIGKILLed while it holds the account blocks nobody: the run queued behind it
#     starts, and the killed run reads "interrupted" until it is resumed;
#   * six quick POST /api/runs start one Chromium at a time, and the runs in the order posted;
#   * two `resume` of one run at once: one works it, the other says so; no task runs twice.
# Who ran when is read from the store's events (run_status), so nothing is judged by a clock.
# usage: account.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "account.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
tmpdir account
WPID= P1= P2=
die() { bad "$*"; for f in "$T"/*.err; do echo "== $f"; tail -5 "$f"; done; exit 1; }

start_sim --latency-ms 1000 --print-tests
IFS= read -r tline <&3
TEST_URL=${tline%%	*}
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0 OO_PIPELINE=1
export OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T"
cd "$T" || exit 1
q() { sqlite3 "$OO_DB_PATH" "$1" 2>/dev/null; }
status_of() { "$BIN" --json status --run-id "$1" 2>/dev/null | sed -n 's/^	"status":	"\([a-z]*\)".*/\1/p'; }
wait_sql() { # wait_sql WHAT SQL WANT [DEADLINE_S]: until the SQL answers WANT
    end=$(( $(date +%s) + ${4:-180} ))
    while [ "$(q "$2")" != "$3" ]; do
        [ "$(date +%s)" -ge "$end" ] && die "$1: [$(q "$2")] after ${4:-180} s, wanted [$3]"
        sleep 0.2
    done
}
# the id of the run_status event that set run $1 to $2 (the first one)
event_of() { q "SELECT MIN(id) FROM events WHERE kind = 'run_status' AND run_id = $1 AND json_extract(payload, '\$.status') = '$2'"; }
sweep() { # sweep NAME START END: a delta sweep on one browser, in the background (pid in $!)
    "$BIN" run --url "$TEST_URL" --param delta --start "$2" --end "$3" --step 1 --browsers 1 --yes --name "$1" \
        >"$T/$1.out" 2>"$T/$1.err" &
}

# --- the CLI: a second run waits, --no-wait refuses -----------------------------------------
sweep first 10 12; P1=$!
wait_sql "the first run works" "SELECT status FROM runs WHERE id = 1" running
"$BIN" run --url "$TEST_URL" --param delta --start 20 --end 20 --step 1 --browsers 1 --yes --no-wait \
    >"$T/nowait.out" 2>"$T/nowait.err"
rc=$?
[ "$rc" = 75 ] || bad "--no-wait while the account is busy: exit $rc, expected 75"
grep -q "busy with run 1" "$T/nowait.err" || bad "--no-wait: no word of the run in the way: $(cat "$T/nowait.err")"
[ "$(q "SELECT COUNT(*) FROM runs")" = 1 ] || bad "--no-wait stored a run"
sweep second 20 20; P2=$!
wait_sql "the second run waits" "SELECT status FROM runs WHERE id = 2" queued
[ "$(status_of 2)" = queued ] || bad "status --run-id 2 says [$(status_of 2)], expected queued"
wait $P1 || bad "the first run failed"
wait $P2 || bad "the second run failed: $(tail -3 "$T/second.err")"
P1= P2=
grep -q "run 2: queued: the account is busy with run 1" "$T/second.err" || bad "the waiting run did not say so: $(head -3 "$T/second.err")"
[ "$(q "SELECT group_concat(status) FROM runs")" = "completed,completed" ] || bad "runs: $(q "SELECT group_concat(status) FROM runs")"
[ "$(event_of 2 running)" -gt "$(event_of 1 completed)" ] || bad "run 2 started before run 1 ended"

# --- a holder SIGKILLed blocks nobody --------------------------------------------------------
sweep killed 30 33; P1=$!
wait_sql "run 3 works" "SELECT status FROM runs WHERE id = 3" running
sweep behind 40 40; P2=$!
wait_sql "run 4 waits behind run 3" "SELECT status FROM runs WHERE id = 4" queued
kill -KILL $P1; wait $P1 2>/dev/null; P1=
wait $P2 || bad "the run queued behind a killed engine failed: $(tail -3 "$T/behind.err")"
P2=
[ "$(q "SELECT status FROM runs WHERE id = 4")" = completed ] || bad "run 4 is $(q "SELECT status FROM runs WHERE id = 4")"
[ "$(status_of 3)" = interrupted ] || bad "the killed run reads [$(status_of 3)], expected interrupted"
"$BIN" status >"$T/status.out" 2>&1
grep -q "^ *3  interrupted" "$T/status.out" || bad "status lists no interrupted run 3: $(cat "$T/status.out")"
"$BIN" resume --run-id 3 >"$T/resume3.out" 2>"$T/resume3.err" || bad "resume of the killed run failed"
[ "$(q "SELECT status FROM runs WHERE id = 3")" = completed ] || bad "run 3 not completed after resume"

# --- the dashboard: six quick POST /api/runs, one Chromium at a time, in order ----------------
start_listening web 4 "$BIN" serve --port 0
WPID=$LAST_PID W=$U U=$OO_BASE_URL
first=$(( $(q "SELECT MAX(id) FROM runs") + 1 ))
for v in 1 2 3 4 5 6; do
    body=$(printf '{"mode":"sweep","test_url":"%s","parameter":"delta","config":{"start":%d,"end":%d,"step":1},"browsers":1,"name":"dash %d"}' \
        "$TEST_URL" $((50 + v)) $((50 + v)) "$v")
    code=$(C -o "$T/post.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "$body" "$W/api/runs")
    [ "$code" = 201 ] || die "POST /api/runs $v: $code $(cat "$T/post.json")"
done
last=$((first + 5))
most=0 end=$(( $(date +%s) + 300 ))
while [ "$(q "SELECT COUNT(*) FROM runs WHERE id >= $first AND status IN ('completed', 'failed')")" != 6 ]; do
    [ "$(date +%s)" -ge "$end" ] && die "the six dashboard runs did not end: $(q "SELECT group_concat(id || '=' || status) FROM runs WHERE id >= $first")"
    n=0   # the engines the dashboard started (its children) that have a Chromium of their own
    for e in $(pgrep -P $WPID); do pgrep -P "$e" -f -- "--user-data-dir=/tmp/oo-chromium-" >/dev/null && n=$((n + 1)); done
    [ "$n" -gt "$most" ] && most=$n
    w=$(q "SELECT COUNT(*) FROM runs WHERE status = 'running'")
    [ "${w:-0}" -gt 1 ] && bad "$w runs running at once on one account"
    sleep 0.2
done
[ "$most" -le 1 ] || bad "$most Chromiums at once for six runs of one account"
[ "$(q "SELECT COUNT(*) FROM runs WHERE id >= $first AND status = 'completed'")" = 6 ] || bad "not all six dashboard runs completed"
for id in $(seq $((first + 1)) $last); do
    [ "$(event_of $id running)" -gt "$(event_of $((id - 1)) completed)" ] || bad "run $id started before run $((id - 1)) ended"
done

# --- two resumes of one run at once: no task twice -------------------------------------------
C -X POST "$OO_BASE_URL/__sim/reset" >/dev/null
sweep twice 60 63; P1=$!
id=$(( last + 1 ))
wait_sql "run $id: a first result" "SELECT COUNT(*) >= 1 FROM tasks WHERE run_id = $id AND status = 'completed'" 1
"$BIN" pause --run-id $id >/dev/null
wait $P1; P1=
[ "$(q "SELECT status FROM runs WHERE id = $id")" = paused ] || die "run $id not paused"
"$BIN" resume --run-id $id >"$T/r1.out" 2>"$T/r1.err" & P1=$!
"$BIN" resume --run-id $id >"$T/r2.out" 2>"$T/r2.err" & P2=$!
wait $P1; rc1=$?
wait $P2; rc2=$?
P1= P2=
[ "$(q "SELECT status FROM runs WHERE id = $id")" = completed ] || bad "run $id is $(q "SELECT status FROM runs WHERE id = $id")"
case "$rc1$rc2" in
    01) grep -q "in another engine" "$T/r2.err" || bad "the second resume did not say why: $(cat "$T/r2.err")" ;;
    10) grep -q "in another engine" "$T/r1.err" || bad "the first resume did not say why: $(cat "$T/r1.err")" ;;
    00) ;;   # the second came after the first had finished: nothing left to do
    *) bad "two resumes exited $rc1 and $rc2" ;;
esac
[ "$(q "SELECT COUNT(*) FROM tasks t JOIN results r ON r.task_id = t.id WHERE t.run_id = $id")" = 4 ] \
    || bad "run $id: not exactly one result for each of its 4 tasks"
compare_sim "two resumes" JOIN "WHERE t.run_id = $id" || bad "two resumes: a task ran twice or differs from oo-sim"

passed account "(one engine per account held)"
