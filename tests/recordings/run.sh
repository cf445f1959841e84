#!/bin/sh
# The recordings of the OptionOmega flows against oo-sim, in real Chromium on 127.0.0.1.
# usage: run.sh flow1|flow2|check1|check2 OO_AUTOMATOR OO_SIM SOURCE_DIR
#   flow1:  recordings/ chained on one page (tests/recordings/flow.lua: login, open_test,
#           new_backtest, run_backtest, trade_log) run exactly one backtest on oo-sim, also under
#           its slow and overlay faults;
#   flow2:  tests/recordings/v2/ does the same on --ui-variant 2, where recordings/ fails with
#           an error naming the file and the step;
#   check1: `oo-automator record-check` says OK for every selector of recordings/ on variant 1,
#           never runs a backtest, and refuses bad input;
#   check2: it says BROKEN for the renamed buttons on variant 2, OK for the v2 recordings.
MODE=$1
BIN=$2
SIM=$3
SRC=$4
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "run.sh flow1|flow2|check1|check2 OO_AUTOMATOR OO_SIM SOURCE_DIR" "$BIN" "$SIM"
[ -d "$SRC/recordings" ] || { echo "usage: run.sh flow1|flow2|check1|check2 OO_AUTOMATOR OO_SIM SOURCE_DIR" >&2; exit 2; }
tmpdir recordings
REC=$SRC/recordings
V2=$SRC/tests/recordings/v2
PID=
has() { # has WHAT FILE TEXT: FILE contains TEXT (fixed string)
    if grep -qF -- "$3" "$2"; then ok; else bad "$1: no [$3] in $2:"; sed 's/^/    /' "$2"; fi
}
hasnt() {
    if grep -qF -- "$3" "$2"; then bad "$1: [$3] in $2:"; sed 's/^/    /' "$2"; else ok; fi
}

start() { # start ARGS... -> U (base URL, no trailing slash), PID, and the env of the recordings
    start_sim "$@"
    PID=$SPID
    TEST_ID=$(C "$U/__sim/tests" | jq -r '.[0].id')
    export OO_BASE_URL="$U" OO_EMAIL=tester@example.com OO_PASSWORD=demo OO_TEST_URL="$U/test/$TEST_ID"
}
stop() { kill -TERM "$PID"; wait "$PID"; PID=; exec 3<&-; }
backtests() { C "$U/__sim/backtests" | jq -r "$1"; }

# flow DIR NAME [MAX_TIMEOUT]: the five recordings of DIR on one page; output in $T/NAME.out, .err
flow() {
    "$BIN" lua "$SRC/tests/recordings/flow.lua" "$1" "$T/downloads-$2" $3 >"$T/$2.out" 2>"$T/$2.err"
    echo $?
}
RC() { # RC NAME FILE ARGS...: record-check; output in $T/NAME.out, prints the exit status
    name=$1
    shift
    "$BIN" record-check "$@" >"$T/$name.out" 2>&1
    echo $?
}
results_url() { # a finished backtest of the test, through oo-sim's API
    C -c "$T/cookies" -o /dev/null -H 'Content-Type: application/json' -d '{"email":"a@b.c","password":"demo"}' "$U/api/login"
    C -b "$T/cookies" "$U/api/tests/$TEST_ID" | jq .config >"$T/config.json"
    bt=$(C -b "$T/cookies" -H 'Content-Type: application/json' -d @"$T/config.json" "$U/api/tests/$TEST_ID/backtests" | jq -r .id)
    end=$(($(date +%s) + 60))
    while [ "$(C -b "$T/cookies" "$U/api/backtests/$bt" | jq -r .status)" = running ] && [ "$(date +%s)" -lt "$end" ]; do
        sleep 0.05  # polling interval, not a settle wait
    done
    echo "$OO_TEST_URL/backtests/$bt"
}

export OO_DATA_DIR="$T/data" HOME="$T/home"
mkdir -p "$T/home"

case "$MODE" in
flow1)
    # ---- variant 1: recordings/ -------------------------------------------------------------
    start
    check "recordings/ on variant 1: exit status" 0 "$(flow "$REC" v1)"
    has "the results page" "$T/v1.out" "replayed run_backtest.json at $OO_TEST_URL/backtests/bt_"
    has "the trade log was downloaded" "$T/v1.out" "downloaded $T/downloads-v1/"
    has "the CSV is OptionOmega's" "$T/v1.out" "csv header: Date Opened,Time Opened,Opening Price,Legs,Premium"
    check "exactly one backtest ran" 1 "$(backtests length)"
    check "it ran on the test opened" "$TEST_ID done" "$(backtests '.[0] | "\(.testId) \(.status)"')"
    # the login recording alone, as a user replays it
    "$BIN" replay "$REC/login.json" --artifacts "$T/art" >"$T/replay.out" 2>&1
    check "oo-automator replay recordings/login.json" 0 $?
    "$BIN" replay "$REC/login.json" --json --artifacts "$T/art" >"$T/replay.json" 2>&1
    check "replay --json: exit status" 0 $?
    check "replay --json" "true $(jq ".steps | length" "$REC/login.json")" "$(jq -r '"\(.ok) \(.steps)"' "$T/replay.json")"
    stop

    # ---- variant 1 with the dialog's faults: its content late, an overlay over it -----------
    start --faults slow=1,overlay=1
    check "recordings/ under slow and overlay: exit status" 0 "$(flow "$REC" faults)"
    [ "$(cat "$T/faults.err")" = "" ] && ok || { bad "recordings/ under slow and overlay:"; cat "$T/faults.err"; }
    check "the faults fired" "overlay,slow" "$(C "$U/__sim/faults" | jq -r '[.[].kind] | sort | join(",")')"
    check "one backtest under faults" "1 done" "$(backtests '"\(length) \(.[0].status)"')"
    stop
    ;;
flow2)
    # ---- variant 2: tests/recordings/v2 pass, recordings/ fail naming the step ------------------
    start --ui-variant 2
    check "v2 recordings on variant 2: exit status" 0 "$(flow "$V2" v2)"
    has "v2: the trade log was downloaded" "$T/v2.out" "downloaded $T/downloads-v2/"
    check "v2: exactly one backtest ran" "1 done" "$(backtests '"\(length) \(.[0].status)"')"
    check "recordings/ on variant 2: exit status" 1 "$(flow "$REC" v1on2 3000)"
    has "the error names the file and the step" "$T/v1on2.err" "$REC/login.json: step 2 (click) failed: no element was ready to click"
    has "and every selector tried" "$T/v1on2.err" "span.btn-primary: no element matches"
    check "no backtest from the failed flow" 1 "$(backtests length)"
    stop
    ;;
check1)
    # ---- bad input: one line, exit 2, before any browser ----------------------------------
    check "a missing file" 2 "$(RC missing "$T/nope.json")"
    has "a missing file: message" "$T/missing.out" "nope.json: no such file"
    echo '{"title": "x", "steps": [{"type": "click"}]}' >"$T/bad.json"
    check "a malformed recording" 2 "$(RC malformed "$T/bad.json")"
    has "a malformed recording: message" "$T/malformed.out" "bad.json: steps[0].selectors: expected a list of selectors"
    check "a bad --url" 2 "$(RC badurl "$REC/login.json" --url nowhere)"
    check "a bad --timeout" 2 "$(RC badtimeout "$REC/login.json" --timeout 0)"

    # ---- variant 1: every selector resolves -------------------------------------------------
    start
    RES=$(results_url)
    check "login.json on variant 1" 0 "$(RC login "$REC/login.json")"
    # --json: the same report as one object, a result per step
    "$BIN" --json record-check "$REC/login.json" >"$T/login.json.out" 2>&1
    check "record-check --json: exit status" 0 $?
    check "record-check --json" "0 $(jq ".steps | length" "$REC/login.json") 0" \
        "$(jq -r '"\(.status) \(.steps | length) \(.summary.broken)"' "$T/login.json.out")"
    has "login.json: a line per step" "$T/login.out" '  7  waitForElement     OK(5) table tbody tr td a'
    has "login.json: summary" "$T/login.out" "summary: 8 of 8 steps checked; 17 selectors OK, 0 BROKEN"
    # timing baselines from the runs in the database reach record-check: open_test.json's step 0
    # (setViewport) has 6 earlier durations (95th percentile 7 ms), its other steps none
    OO_DB_PATH="$T/baselines.db" "$BIN" pause --run-id 1 >/dev/null 2>&1   # a command that writes creates it (tests only reads)
    for ms in 2 3 4 5 6 7; do
        sqlite3 "$T/baselines.db" "INSERT INTO step_timings(recording, step, step_type, ms) VALUES ('open_test.json', 0, 'setViewport', $ms)"
    done
    check "open_test.json with baselines" 0 "$(OO_DB_PATH="$T/baselines.db" RC openb "$REC/open_test.json")"
    # (a loaded machine may make it SLOW: either way its baseline is named)
    if grep -qE "setViewport .*(ms; baseline 7 ms\)|its baseline: 7 ms)" "$T/openb.out"; then ok
    else bad "open_test.json: step 0 beside its baseline:"; sed 's/^/    /' "$T/openb.out"; fi
    check "open_test.json on variant 1" 0 "$(RC open "$REC/open_test.json")"
    hasnt "no baselines without runs" "$T/open.out" "baseline"
    has "open_test.json logs in first" "$T/open.out" "setup: logged in with $REC/login.json"
    check "new_backtest.json on variant 1" 0 "$(RC nb "$REC/new_backtest.json" --url "$OO_TEST_URL")"
    has "new_backtest.json: the New Backtest button" "$T/nb.out" 'OK(1) aria/New Backtest[role="button"]'
    has "new_backtest.json: the overlay wait" "$T/nb.out" "OK(0) absent, as the step expects"
    N0=$(backtests length)
    check "run_backtest.json on variant 1" 0 "$(RC run "$REC/run_backtest.json" --url "$OO_TEST_URL")"
    has "run_backtest.json opens the dialog first" "$T/run.out" "setup: replayed $REC/new_backtest.json"
    has "run_backtest.json stops at Run" "$T/run.out" 'OK(1) aria/Run[role="button"]'
    has "run_backtest.json stops at Run: why" "$T/run.out" "stopped: this click would run a backtest (not performed)"
    check "record-check ran no backtest" "$N0" "$(backtests length)"
    check "trade_log.json on variant 1" 0 "$(RC tl "$REC/trade_log.json" --url "$RES")"
    has "trade_log.json: the download link" "$T/tl.out" 'OK(1) aria/Download[role="link"]'
    stop
    ;;
check2)
    # ---- variant 2: the renamed buttons are BROKEN ------------------------------------------
    start --ui-variant 2
    RES=$(results_url)
    check "login.json on variant 2" 1 "$(RC login2 "$REC/login.json" --timeout 8000)"
    has "login.json on variant 2: Sign in" "$T/login2.out" "  2  click              BROKEN(no element matches) span.btn-primary"
    has "login.json on variant 2: the rest" "$T/login2.out" "  3  click              not reached"
    check "new_backtest.json on variant 2" 1 "$(RC nb2 "$REC/new_backtest.json" --url "$OO_TEST_URL" --login "$V2/login.json" --timeout 8000)"
    has "new_backtest.json on variant 2: logged in with v2" "$T/nb2.out" "setup: logged in with $V2/login.json"
    has "new_backtest.json on variant 2: New Backtest" "$T/nb2.out" 'BROKEN(no element matches) aria/New Backtest[role="button"]'
    N0=$(backtests length)
    check "run_backtest.json on variant 2" 1 "$(RC run2 "$REC/run_backtest.json" --url "$OO_TEST_URL" --login "$V2/login.json" --timeout 8000)"
    has "run_backtest.json on variant 2: Run" "$T/run2.out" 'BROKEN(no element matches) aria/Run[role="button"]'
    check "trade_log.json on variant 2" 1 "$(RC tl2 "$REC/trade_log.json" --url "$RES" --login "$V2/login.json" --timeout 8000)"
    has "trade_log.json on variant 2: Trade Log" "$T/tl2.out" 'BROKEN(no element matches) aria/Trade Log[role="tab"]'
    # the re-recorded flows resolve (found by bare name in OO_RECORDINGS)
    check "v2 run_backtest.json on variant 2" 0 "$(OO_RECORDINGS="$V2" RC run2ok run_backtest.json --url "$OO_TEST_URL")"
    has "v2 run_backtest.json: Start Backtest" "$T/run2ok.out" 'OK(1) aria/Start Backtest[role="button"]'
    hasnt "v2 run_backtest.json: nothing broken" "$T/run2ok.out" "BROKEN("
    check "record-check ran no backtest on variant 2" "$N0" "$(backtests length)"
    stop
    ;;
*)
    echo "usage: run.sh flow1|flow2|check1|check2 OO_AUTOMATOR OO_SIM SOURCE_DIR" >&2
    exit 2
    ;;
esac

# under -DOO_SANITIZE=ON a report may come with an exit status a check expected anyway (1)
if grep -l -e 'Sanitizer' -e 'runtime error:' "$T"/*.out "$T"/*.err 2>/dev/null; then
    bad "a sanitizer report (files above)"
fi
summary
