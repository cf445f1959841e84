#!/bin/sh
# Chromium killed twice in the middle of a run: the engine notices, launches a new one, logs in
# again and finishes; every task completes with oo-sim's result. usage: browser_crash.sh BIN SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "browser_crash.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
tmpdir crash
fail() { echo "FAIL: $*"; tail -30 "$T/err"; exit 1; }
start_sim --latency-ms 800 --print-tests
IFS= read -r tline <&3
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0
export OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T"
cd "$T" || exit 1
"$BIN" run --url "${tline%%	*}" --param delta --start 5 --end 40 --step 5 --browsers 2 --yes >"$T/out" 2>"$T/err" &
RPID=$!
done_count() { sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE status = 'completed'" 2>/dev/null || echo 0; }
wait_done() { # wait_done N: until N tasks are completed (deadline 180 s)
    end=$(( $(date +%s) + 180 ))
    while [ "$(done_count)" -lt "$1" ]; do
        [ "$(date +%s)" -ge "$end" ] && fail "only $(done_count) tasks completed, waiting for $1"
        kill -0 $RPID 2>/dev/null || fail "the engine exited early"
        sleep 0.2
    done
}
kill_browser() { pids=$(engine_chromium "$RPID") || fail "no Chromium under the engine"; kill -KILL $pids; }
wait_done 1; kill_browser
wait_done 3; kill_browser
wait $RPID; rc=$?
RPID=
[ "$rc" = 0 ] || fail "run exited $rc"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = 1")" = completed ] || fail "run not completed"
[ "$(done_count)" = 8 ] || fail "$(done_count) of 8 tasks completed"
n=$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM failures WHERE failure_type = 'browser'")
[ "$n" -ge 1 ] || fail "no attempt was recorded as lost with the browser"
compare_sim crash JOIN "" allow-reruns || fail "results differ from oo-sim's"
echo "browser_crash: Chromium killed twice, 8 of 8 tasks completed ($n attempts lost with it)"
