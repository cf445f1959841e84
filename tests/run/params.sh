#!/bin/sh
# Parameters on a test whose dialog is long enough to scroll: oo-sim's Iron Condor. Its fields low
# in the dialog sit under the dialog's footer until the dialog's body is scrolled (issue 13: "the
# dialog footer intercepts pointer events" on stop_loss + underlying_movement, and on all nine
# parameters together). Each run must complete with every parameter verified in the dialog and
# the stored metrics equal to oo-sim's (compare.lua). usage: params.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "params.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
tmpdir run_params
start_sim
IC=$(sim_test_url '^SPX Iron Condor')
[ -n "$IC" ] || { echo "no Iron Condor test in oo-sim"; exit 1; }

export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo
export OO_RATE_LIMIT=0 OO_DATA_DIR="$T/data" HOME="$T"
cd "$T" || exit 1

run_one() { # run_one NAME CONFIG_JSON: a grid run of its own, then every task against oo-sim
    name=$1
    export OO_DB_PATH="$T/$name.db"
    printf '%s\n' "$2" >"$T/$name.json"
    C -X POST "$U/__sim/reset" >/dev/null
    if ! "$BIN" run --config "$T/$name.json" --browsers 1 --yes >"$T/$name.out" 2>"$T/$name.err"; then
        bad "$name: run exited non-zero"; cat "$T/$name.err"; return
    fi
    compare_sim "$name" "LEFT JOIN" "WHERE t.run_id = (SELECT MAX(id) FROM runs)" \
        || bad "$name: the stored run does not match what oo-sim received"
    # timing baselines: every task stored the durations of its recordings' steps: the dialog's,
    # the run's and the trade log's; open_test.json's where it loaded the test (the first task:
    # the next ones reuse the loaded page)
    n=$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM (SELECT task_id FROM step_timings WHERE task_id IS NOT NULL \
        AND recording IN ('new_backtest.json', 'run_backtest.json', 'trade_log.json') \
        GROUP BY task_id HAVING COUNT(DISTINCT recording) = 3)")
    tasks=$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks")
    [ "$n" = "$tasks" ] || bad "$name: $n of $tasks tasks stored their steps' durations"
    o=$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(DISTINCT task_id) FROM step_timings WHERE recording = 'open_test.json'")
    [ "$o" -ge 1 ] || bad "$name: no task stored open_test.json's durations"
}

run_one ic_sl_move "{\"test\": \"$IC\", \"name\": \"IC stop loss, underlying movement\", \"mode\": \"grid\",
 \"parameters\": {\"stop_loss\": {\"start\": 150, \"end\": 200, \"step\": 50},
                 \"underlying_movement\": {\"start\": 1, \"end\": 1, \"step\": 0.5}}}"
run_one ic_all_nine "{\"test\": \"$IC\", \"name\": \"IC, all nine parameters\", \"mode\": \"grid\",
 \"parameters\": {\"delta\": {\"start\": 12, \"end\": 12, \"step\": 1},
  \"rsi\": {\"start\": 30, \"end\": 30, \"step\": 1},
  \"profit_target\": {\"start\": 40, \"end\": 40, \"step\": 1},
  \"stop_loss\": {\"start\": 150, \"end\": 150, \"step\": 1},
  \"entry_time\": {\"start\": \"10:02\", \"end\": \"10:02\", \"step\": 1},
  \"exit_time\": {\"start\": \"15:30\", \"end\": \"15:30\", \"step\": 15},
  \"short_long_ratio\": {\"start\": 1.5, \"end\": 1.5, \"step\": 0.5},
  \"entry_sl_ratio\": {\"start\": 1.25, \"end\": 1.25, \"step\": 0.25},
  \"underlying_movement\": {\"start\": 1, \"end\": 1, \"step\": 0.5}}}"

passed run_params
