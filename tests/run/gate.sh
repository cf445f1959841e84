#!/bin/sh
# One backtest at a time per browser (issue 18), judged from oo-sim's side. Each browser works
# with several tabs (OO_PIPELINE): one runs a backtest while the others prepare the next tasks,
# and the browser's gate lets the next Run go as soon as the site says the backtest before it is
# over (its "Running Backtest" popup, seen after Run, gone), while that tab reads its results.
# oo-sim's /__sim/backtests gives each backtest's receivedAt and overAt (when it stopped
# running): at no moment may more backtests run on the site than there are browsers, and every
# stored result still equals oo-sim's bit for bit with exactly the task's values (compare.lua).
#  (a) 1 browser, 3 tabs: its backtests never overlap;
#  (b) 2 browsers, 2 tabs each: never more than 2 at once;
#  (c) run_backtest.json re-recorded without the wait for the popup (OO_RECORDINGS): the gate
#      holds until the results are on screen; 1 browser, 2 tabs, never overlapping.
# usage: gate.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "gate.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
command -v jq >/dev/null || { echo "gate: jq is needed (dev.sh installs it)"; exit 1; }
tmpdir run_gate
# 700 ms a backtest: longer than a tab takes to prepare the next task, so the tabs do queue
# at the gate; oo-sim's page polls the backtest every 250 ms
start_sim --latency-ms 700
TEST_URL=$(sim_test_url)
[ -n "$TEST_URL" ] || { echo "no test URL from oo-sim"; exit 1; }
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo
export OO_RATE_LIMIT=0 OO_DATA_DIR="$T/data" HOME="$T"
cd "$T" || exit 1

# The most backtests running on oo-sim at one moment: each runs from receivedAt to overAt (the
# ISO stamps sort as text; at the same millisecond an end counts before a start). One refused at
# once (rejected) never ran; one with no end yet runs to the end of time.
most_at_once() {
    jq '[.[] | select(.status != "rejected") | [.receivedAt, 1], [(.overAt // "9999"), -1]]
        | sort | reduce .[] as $e ({n: 0, most: 0}; .n += $e[1] | .most = ([.most, .n] | max)) | .most' "$1"
}

run_one() { # run_one NAME BROWSERS TABS MOST ARGS...: a run, its results against oo-sim, its overlap
    name=$1 browsers=$2 tabs=$3 most=$4; shift 4
    export OO_DB_PATH="$T/$name.db"
    C -X POST "$U/__sim/reset" >/dev/null
    if ! OO_PIPELINE=$tabs "$BIN" run "$@" --browsers "$browsers" --yes >"$T/$name.out" 2>"$T/$name.err"; then
        bad "$name: run exited non-zero"; tail -20 "$T/$name.err"; return
    fi
    id=$(sqlite3 "$OO_DB_PATH" "SELECT MAX(id) FROM runs")
    check "$name: run status" completed "$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = $id")"
    compare_sim "$name" "LEFT JOIN" "WHERE t.run_id = $id" || bad "$name: the stored run does not match what oo-sim received"
    n=$(jq 'length' "$T/$name.sim.json")
    [ "$n" -gt "$most" ] || bad "$name: only $n backtests: the check below would prove nothing"
    check "$name: most backtests running at once on oo-sim" "$most" "$(most_at_once "$T/$name.sim.json")"
}

run_one one_browser 1 3 1 --url "$TEST_URL" --param delta --start 10 --end 15 --step 1
cat >"$T/grid.json" <<JSON
{"test": "$TEST_URL", "name": "gate grid", "mode": "grid",
 "parameters": {"delta": {"start": 10, "end": 13, "step": 1},
                "profit_target": {"start": 25, "end": 50, "step": 25}}}
JSON
run_one two_browsers 2 2 2 --config "$T/grid.json"

# the recording without its wait for the popup: every other step as it was
mkdir -p "$T/rec"
jq '.steps |= map(select([(.selectors // [])[][]] | index("text/Running Backtest") | not))' \
    "$TESTS/../recordings/run_backtest.json" >"$T/rec/run_backtest.json"
check "the re-recorded flow lost one step" 1 \
    "$(( $(jq '.steps | length' "$TESTS/../recordings/run_backtest.json") - $(jq '.steps | length' "$T/rec/run_backtest.json") ))"
export OO_RECORDINGS="$T/rec"
run_one no_popup_wait 1 2 1 --url "$TEST_URL" --param delta --start 20 --end 23 --step 1
unset OO_RECORDINGS

passed gate
