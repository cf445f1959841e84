#!/bin/sh
# The analysis end to end: a delta sweep on a real oo-sim (2 browsers), then
#   analyze --result-id for every result: the trade log reconciles with oo-sim's own numbers
#   analyze --run-id for every goal: each picks what its definition says (analyze_check.lua)
#   export --format tradeblocks: byte for byte oo-sim's own trade-log files; --format markdown
#   the seeded Monte Carlo: same seed, same numbers; another seed, others
#   serve: GET /api/runs/N/analysis and /api/results/N/analysis give the same JSON as the CLI
#   the dashboard's new pages (Recommendation panel, Result page, Compare) in headless
#   Chromium: tests/web/recordings/analysis.json replayed by tests/web/analysis_ui.lua, which
#   also fails on any console error or exception
#   a run in progress (a store seeded by web_fixture): the Recommendation panel follows its new
#   results (recordings/analysis_live.json)
# usage: analyze.sh OO_AUTOMATOR OO_SIM SOURCE_DIR [WEB_FIXTURE]
BIN=$1
SIM=$2
SRC=$3
FIXTURE=${4:-}
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "analyze.sh OO_AUTOMATOR OO_SIM SOURCE_DIR" "$BIN" "$SIM"
[ -d "$SRC" ] || { echo "usage: analyze.sh OO_AUTOMATOR OO_SIM SOURCE_DIR" >&2; exit 2; }
CURL_MAX_TIME=60
KEEP_ON_FAIL=1   # a failure leaves its files for a look
tmpdir analyze
SERVEPID=
UIPID=
start_sim
TEST_URL=$(sim_test_url)
[ -n "$TEST_URL" ] || { echo "no test URL from oo-sim"; exit 1; }

export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo
export OO_RATE_LIMIT=0 OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T"
cd "$T" || exit 1

# --- a sweep: 8 deltas of a 0DTE put credit spread ----------------------------------------------
if ! "$BIN" run --url "$TEST_URL" --param delta --start 5 --end 40 --step 5 --browsers 2 --yes >run.out 2>run.err; then
    bad "the sweep failed"; cat run.err; exit 1
fi
RUN=$(sqlite3 "$OO_DB_PATH" "SELECT MAX(id) FROM runs")
C "$U/__sim/backtests" >sim.json
sqlite3 -json "$OO_DB_PATH" "SELECT r.id, t.parameter_values FROM results r JOIN tasks t ON t.id = r.task_id \
    WHERE t.run_id = $RUN ORDER BY t.seq" >results.json
# oo-sim's own trade-log files (what its Trade Log button downloads), one per backtest
mkdir -p simcsv
C -c cookies -H 'Content-Type: application/json' -d '{"email":"trader@example.com","password":"demo"}' "$U/api/login" >/dev/null
for bt in $(jq -r '.[] | select(.status == "done") | .id' sim.json); do
    C -b cookies "$U/api/backtests/$bt/tradelog.csv" >"simcsv/$bt.csv"
done

# --- analyze ---------------------------------------------------------------------------------------
for goal in returns capital balanced; do
    "$BIN" analyze --run-id "$RUN" --goal $goal --json >"run_$goal.json" 2>err || { bad "analyze --goal $goal"; cat err; }
done
"$BIN" analyze --run-id "$RUN" >run.txt 2>err || { bad "analyze --run-id (text)"; cat err; }
grep -q "Recommendation:" run.txt && grep -q "Pareto front" run.txt && grep -q "Significance: Hansen's SPA" run.txt \
    || bad "analyze --run-id: the text lacks the recommendation, the Pareto front or the significance"
for r in $(jq -r '.[].id' results.json); do
    "$BIN" analyze --result-id "$r" --json >"result_$r.json" 2>err || { bad "analyze --result-id $r"; cat err; }
done
R=$(jq -r '.[1].id' results.json)
"$BIN" analyze --result-id "$R" >result.txt 2>err || { bad "analyze --result-id (text)"; cat err; }
grep -q "reconciles with OptionOmega" result.txt && grep -q "Monte Carlo: 10000 paths" result.txt \
    || bad "analyze --result-id: the text lacks the reconciliation or the Monte Carlo"
# same seed, same numbers; another seed, others
"$BIN" analyze --result-id "$R" --json --seed 7 --mc-paths 2000 | jq -S .monte_carlo >mc7a.json
"$BIN" analyze --result-id "$R" --json --seed 7 --mc-paths 2000 | jq -S .monte_carlo >mc7b.json
"$BIN" analyze --result-id "$R" --json --seed 8 --mc-paths 2000 | jq -S .monte_carlo >mc8.json
cmp -s mc7a.json mc7b.json || bad "Monte Carlo: seed 7 gave different numbers twice"
cmp -s mc7a.json mc8.json && bad "Monte Carlo: seeds 7 and 8 gave the same numbers"
[ "$(jq .paths mc7a.json)" = 2000 ] || bad "--mc-paths 2000 not honoured"

# --- export ----------------------------------------------------------------------------------------
"$BIN" export --run-id "$RUN" --format tradeblocks --output "$T/tb" 2>err || { bad "export tradeblocks"; cat err; }
"$BIN" export --run-id "$RUN" --format markdown --output "$T/report.md" 2>err || { bad "export markdown"; cat err; }

"$BIN" lua "$SRC/tests/run/analyze_check.lua" "$T" "$SRC/tests/fixtures/optionomega/tradelog_header.csv" >vars.txt \
    || bad "analyze and export do not match oo-sim's numbers or the goals' definitions"

# --- the dashboard: the same JSON over HTTP ---------------------------------------------------------
start_listening serve 4 "$BIN" serve --port 0
SERVEPID=$LAST_PID S=$U U=$OO_BASE_URL
for goal in returns capital balanced; do
    C "$S/api/runs/$RUN/analysis?goal=$goal" | jq -S . >"api_$goal.json"
    jq -S . "run_$goal.json" | cmp -s - "api_$goal.json" || bad "GET /api/runs/$RUN/analysis?goal=$goal differs from analyze --json"
done
C "$S/api/results/$R/analysis" | jq -S . >api_result.json
jq -S . "result_$R.json" | cmp -s - api_result.json || bad "GET /api/results/$R/analysis differs from analyze --json"
[ "$(C -o /dev/null -w '%{http_code}' "$S/api/runs/$RUN/analysis?goal=yolo")" = 400 ] || bad "an unknown goal is not a 400"
[ "$(C -o /dev/null -w '%{http_code}' "$S/api/runs/99999/analysis")" = 404 ] || bad "a missing run is not a 404"
[ "$(C -o /dev/null -w '%{http_code}' "$S/api/results/99999/analysis")" = 404 ] || bad "a missing result is not a 404"
[ "$(C -o /dev/null -w '%{http_code}' -X POST "$S/api/results/$R/analysis")" = 405 ] || bad "POST is not a 405"

# --- the dashboard's pages in Chromium, no console error ----------------------------------------------
VARS="BASE=$S RUN=$RUN $(tr '\n' ' ' <vars.txt)"
# shellcheck disable=SC2086
"$BIN" lua "$SRC/tests/web/analysis_ui.lua" "$SRC/tests/web/recordings/analysis.json" "$T/ui" $VARS >ui.out 2>&1 \
    || { bad "the dashboard's analysis pages"; cat ui.out; }

# --- a run in progress: the Recommendation panel follows its new results -------------------------
# (a store seeded by web_fixture; its live run has 3 of 10 results; the recording pauses the run
# once it shows them, then web_fixture completes 4 more, as the run engine would)
if [ -n "$FIXTURE" ]; then
    kill "$SERVEPID" 2>/dev/null; wait "$SERVEPID" 2>/dev/null; SERVEPID=
    "$FIXTURE" seed "$T/live.db" "$T/live-data" >seed.json || bad "web_fixture seed"
    LIVE=$(jq -r .live_run seed.json)
    start_listening live-serve 5 env OO_DB_PATH="$T/live.db" "$BIN" serve --port 0
    SERVEPID=$LAST_PID S=$U U=$OO_BASE_URL
    GRID=$(jq -r .grid_run seed.json)
    GRID_FRAGILE=$(C "$S/api/runs/$GRID/analysis" | jq '[.robustness[] | select(.fragile)] | length')
    "$BIN" lua "$SRC/tests/web/analysis_ui.lua" "$SRC/tests/web/recordings/analysis_live.json" "$T/ui-live" BASE="$S" LIVE="$LIVE" \
        GRID="$GRID" GRID_FRAGILE="$GRID_FRAGILE" \
        >ui-live.out 2>&1 &
    UIPID=$!
    end=$(( $(date +%s) + 120 ))
    until [ "$(sqlite3 "$T/live.db" "SELECT status FROM runs WHERE id = $LIVE")" = paused ] || [ "$(date +%s)" -ge "$end" ]; do sleep 0.2; done
    [ "$(sqlite3 "$T/live.db" "SELECT status FROM runs WHERE id = $LIVE")" = paused ] || bad "the live recording never paused the run"
    "$FIXTURE" complete "$T/live.db" "$LIVE" 4 || bad "web_fixture complete"
    wait "$UIPID" || { bad "the Recommendation panel did not follow the run's new results"; cat ui-live.out; }
    UIPID=
fi

passed "analyze e2e"
