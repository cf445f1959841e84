#!/bin/sh
# oo-automator run against oo-sim: a sweep, a grid and a staged run, each on 2 browsers. For
# every run: it completes; oo-sim received one backtest per task whose configuration holds
# exactly the task's parameter values; the stored metrics equal oo-sim's (bit for bit: they
# come from the page's API answer, checked against what the page shows); every result has its
# trade log. usage: e2e.sh OO_AUTOMATOR OO_SIM
# PART: modes (sweep, cache, grid, staged, an imperative script), durability (Ctrl-C, pause,
# SIGKILL, resume) or search (refine, optimize, an optimize killed and resumed); all when not
# given. usage: e2e.sh OO_AUTOMATOR OO_SIM [PART]
BIN=$1
SIM=$2
PART=${3:-all}
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "e2e.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
tmpdir run_e2e
start_sim
TEST_URL=$(sim_test_url)
[ -n "$TEST_URL" ] || { echo "no test URL from oo-sim"; exit 1; }

export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo
export OO_RATE_LIMIT=0 OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T"
# two tabs a browser (one runs a backtest while the other prepares the next task) whatever the
# machine: OO_PIPELINE=auto would pick one tab on a small CI machine and leave the gate untested
export OO_PIPELINE=2
cd "$T" || exit 1

wait_for() { # wait_for WHAT DEADLINE_S SQL EXPECTED_MIN: until the SQL's number reaches it
    what=$1; end=$(( $(date +%s) + $2 )); sql=$3; want=$4
    while :; do
        n=$(sqlite3 "$OO_DB_PATH" "$sql" 2>/dev/null || echo 0)
        [ "${n:-0}" -ge "$want" ] && return 0
        [ "$(date +%s)" -ge "$end" ] && { bad "$what: still $n after $2 s (wanted $want)"; return 1; }
        sleep 0.2
    done
}

run_one() { # run_one NAME ARGS... : runs (in a database of its own), then checks against oo-sim
    name=$1; shift
    export OO_DB_PATH="$T/$name.db"
    C -X POST "$U/__sim/reset" >/dev/null
    if ! "$BIN" run "$@" --browsers 2 --yes >"$T/$name.out" 2>"$T/$name.err"; then
        bad "$name: run exited non-zero"; cat "$T/$name.err" "$T/$name.out"; return
    fi
    id=$(sqlite3 "$OO_DB_PATH" "SELECT MAX(id) FROM runs")
    status=$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = $id")
    [ "$status" = completed ] || bad "$name: run $id is $status"
    if ! compare_sim "$name" "LEFT JOIN" "WHERE t.run_id = $id"; then
        bad "$name: the stored run does not match what oo-sim received"
    fi
    grep -q "Best configuration" "$T/$name.out" || bad "$name: no results table / best configuration printed"
}

if [ "$PART" = all ] || [ "$PART" = modes ]; then
run_one sweep --url "$TEST_URL" --param delta --start 10 --end 14 --step 2
# the same sweep again (same database): every result comes from the cache, oo-sim runs nothing
export OO_DB_PATH="$T/sweep.db"
C -X POST "$U/__sim/reset" >/dev/null
"$BIN" run --url "$TEST_URL" --param delta --start 10 --end 14 --step 2 --browsers 2 --yes >"$T/again.out" 2>"$T/again.err" \
    || { bad "cached sweep failed"; cat "$T/again.err"; }
[ "$(C "$U/__sim/backtests")" = "[]" ] || bad "cached sweep: oo-sim ran backtests"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM results r JOIN tasks t ON t.id = r.task_id JOIN results o ON o.id = r.cached_from \
     WHERE t.run_id = (SELECT MAX(id) FROM runs) AND o.pl = r.pl AND o.mar = r.mar")" = 3 ] || bad "cached sweep: not 3 results reused"
# --no-cache runs them
"$BIN" run --url "$TEST_URL" --param delta --start 10 --end 10 --step 1 --browsers 1 --yes --no-cache >/dev/null 2>"$T/nocache.err" \
    || { bad "--no-cache sweep failed"; cat "$T/nocache.err"; }
[ "$(C "$U/__sim/backtests" | grep -o '"status":"done"' | wc -l)" = 1 ] || bad "--no-cache: oo-sim did not run the backtest"

cat >"$T/grid.json" <<JSON
{"test": "$TEST_URL", "name": "grid e2e", "mode": "grid",
 "parameters": {"delta": {"start": 10, "end": 16, "step": 6},
                "profit_target": {"start": 25, "end": 50, "step": 25}}}
JSON
run_one grid --config "$T/grid.json"
# dates as a parameter: one backtest a year; oo-sim received each year's dates, and every
# stored trade opened and closed within its backtest's dates
cat >"$T/dates.json" <<JSON
{"test": "$TEST_URL", "name": "one backtest a year", "mode": "sweep", "parameter": "dates",
 "config": {"from": "2021-01-01", "to": "2023-12-31", "length": "12m"}}
JSON
run_one dates --config "$T/dates.json"
in_window="json_extract(x.trade_data, '\$.\"Date Opened\"') >= substr(json_extract(t.parameter_values, '\$.dates'), 1, 10) \
    AND json_extract(x.trade_data, '\$.\"Date Closed\"') <= substr(json_extract(t.parameter_values, '\$.dates'), 13, 10)"
counts=$(sqlite3 "$T/dates.db" "SELECT COUNT(*), SUM($in_window), COUNT(DISTINCT t.id) FROM trades x \
    JOIN results r ON r.id = x.result_id JOIN tasks t ON t.id = r.task_id")
IFS='|' read -r total inside ntasks <<EOF
$counts
EOF
[ "$ntasks" = 3 ] && [ "$total" -gt 0 ] && [ "$total" = "$inside" ] \
    || bad "dates: $inside of $total trades of $ntasks backtests lie within their dates (3 backtests expected)"
# a configuration OptionOmega refuses every time (a weekend: no trade at all): it is tried once,
# kept with its screenshot and skipped; the run goes on and completes; the summary counts it
cat >"$T/skipped.json" <<JSON
{"test": "$TEST_URL", "name": "a weekend among weekdays", "mode": "sweep", "parameter": "dates",
 "config": {"from": "2020-01-04", "to": "2020-01-09", "length": "2d"}}
JSON
run_one skipped --config "$T/skipped.json"
q() { sqlite3 "$T/skipped.db" "$1"; }
[ "$(q "SELECT group_concat(status, ',') FROM (SELECT status FROM tasks ORDER BY seq)")" = "skipped,completed,completed" ] \
    || bad "skipped: tasks are $(q "SELECT group_concat(status, ',') FROM (SELECT status FROM tasks ORDER BY seq)")"
[ "$(q "SELECT COUNT(*) || ' ' || MIN(failure_type) || ' ' || MIN(attempt_number) FROM failures")" = "1 config_rejected 1" ] \
    || bad "skipped: failures recorded: $(q "SELECT COUNT(*), group_concat(failure_type) FROM failures")"
shot=$(q "SELECT screenshot_path FROM failures")
[ -n "$shot" ] && [ -s "$shot" ] || bad "skipped: no screenshot of the refusal [$shot]"
grep -q "run 1 completed: 2 completed, 0 failed, 1 skipped, 0 to do" "$T/skipped.out" || bad "skipped: the summary does not count it: $(tail -1 "$T/skipped.out")"
grep -q "No trades were found" "$T/skipped.err" || bad "skipped: the engine's log does not say what OptionOmega answered"
[ "$(q "SELECT COUNT(*) FROM events WHERE kind = 'task_skipped'")" = 1 ] || bad "skipped: no task_skipped event"
"$BIN" --db "$T/skipped.db" status --run-id 1 | grep -q "0 failed, 1 skipped" || bad "skipped: status does not count it"
cat >"$T/staged.lua" <<LUA
return {
  test = "$TEST_URL", name = "staged e2e", mode = "staged",
  stages = {
    { parameter = "delta", config = { start = 8, stop = 16, step = 4 } },
    { parameter = "profit_target", use_best_from = "delta", optimize_by = "mar",
      config = { start = 30, stop = 60, step = 30 } },
  },
}
LUA
run_one staged "$T/staged.lua"
# the staged run's second stage fixed the first stage's best delta (by MAR)
best=$(sqlite3 "$T/staged.db" "SELECT json_extract(t.parameter_values, '\$.delta') FROM tasks t JOIN results r ON r.task_id = t.id \
    WHERE t.run_id = (SELECT MAX(id) FROM runs) AND t.stage = 1 ORDER BY r.mar DESC LIMIT 1")
stage2=$(sqlite3 "$T/staged.db" "SELECT DISTINCT json_extract(parameter_values, '\$.delta') FROM tasks \
    WHERE run_id = (SELECT MAX(id) FROM runs) AND stage = 2")
[ -n "$best" ] && [ "$best" = "$stage2" ] || bad "staged: stage 2 uses delta [$stage2], the best of stage 1 is [$best]"

# --- a run script that drives its runs itself (require("oo")): two runs, the second from the first's best
export OO_DB_PATH="$T/imperative.db"
cat >"$T/custom.lua" <<LUA
local oo = require("oo")
local a = oo.run { test = "$TEST_URL", parameter = "delta", config = { start = 10, stop = 20, step = 10 } }
local best = assert(oo.best(a, "mar"))
local b = oo.run { test = "$TEST_URL", parameter = "profit_target", fixed = { delta = best.values.delta },
                   config = { start = 40, stop = 40, step = 1 } }
print("imperative", a.run_id, #a.results, b.run_id, #b.results, b.results[1].values.delta == best.values.delta)
LUA
"$BIN" run "$T/custom.lua" >"$T/custom.out" 2>"$T/custom.err" || { bad "imperative script failed"; cat "$T/custom.err"; }
grep -q "^imperative	1	2	2	1	true" "$T/custom.out" || bad "imperative script: $(cat "$T/custom.out")"

fi

if [ "$PART" = all ] || [ "$PART" = durability ]; then
# --- Ctrl-C, pause from another terminal, resume ----------------------------------------------
export OO_DB_PATH="$T/interrupted.db"
C -X POST "$U/__sim/reset" >/dev/null
"$BIN" run --url "$TEST_URL" --param stop_loss --start 100 --end 400 --step 25 --browsers 2 --yes \
    >"$T/int.out" 2>"$T/int.err" &
RPID=$!
id=1
wait_for "interrupt: a first result" 120 "SELECT COUNT(*) FROM tasks WHERE run_id = $id AND status = 'completed'" 1
kill -INT $RPID
wait $RPID
rc=$?
[ "$rc" = 130 ] || bad "Ctrl-C: exit $rc, expected 130"
grep -q "resume --run-id $id" "$T/int.err" || bad "Ctrl-C: no hint how to resume"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = $id")" = paused ] || bad "Ctrl-C: run not paused"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE run_id = $id AND status = 'running'")" = 0 ] \
    || bad "Ctrl-C: tasks left running"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks t LEFT JOIN results r ON r.task_id = t.id WHERE t.run_id = $id AND (t.status = 'completed') != (r.id IS NOT NULL)")" = 0 ] \
    || bad "Ctrl-C: a half-written task (completed without result or result without completion)"
done_before=$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE run_id = $id AND status = 'completed'")
# resume in the background, pause it from "another terminal", resume again to the end
"$BIN" resume --run-id $id --browsers 2 >"$T/res1.out" 2>"$T/res1.err" &
RPID=$!
wait_for "resume: more results" 120 "SELECT COUNT(*) FROM tasks WHERE run_id = $id AND status = 'completed'" $((done_before + 1))
"$BIN" pause --run-id $id >/dev/null || bad "pause from another terminal failed"
wait $RPID
rc=$?
[ "$rc" = 0 ] || bad "paused run: exit $rc"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = $id")" = paused ] || bad "pause: run not paused"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE run_id = $id AND status = 'running'")" = 0 ] \
    || bad "pause: tasks left running"
# resume, then SIGKILL the engine mid-run (its Chromium dies with it), then resume to the end
done_before=$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE run_id = $id AND status = 'completed'")
"$BIN" resume --run-id $id --browsers 2 >"$T/res2.out" 2>"$T/res2.err" &
RPID=$!
wait_for "resume before the kill: more results" 120 "SELECT COUNT(*) FROM tasks WHERE run_id = $id AND status = 'completed'" $((done_before + 1))
kill -KILL $RPID
wait $RPID 2>/dev/null
if [ "$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = $id")" != completed ]; then
    "$BIN" resume --run-id $id --browsers 2 >"$T/res3.out" 2>"$T/res3.err" || { bad "resume after SIGKILL failed"; cat "$T/res3.err"; }
fi
[ "$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = $id")" = completed ] || bad "resume: run not completed"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks t JOIN results r ON r.task_id = t.id WHERE t.run_id = $id")" = 13 ] \
    || bad "resume: not exactly one result for each of the 13 tasks"
compare_sim interrupted "LEFT JOIN" "WHERE t.run_id = $id" allow-reruns \
    || bad "interrupted run: results do not match oo-sim"

fi

if [ "$PART" = all ] || [ "$PART" = search ]; then
# --- the searches: each through the browser; every backtest oo-sim received is a task the mode
# planned (compare.lua), and they spend less than the grid's 21
cat >"$T/space.json" <<JSON
{"test": "$TEST_URL", "name": "search e2e",
 "parameters": [{"name": "delta", "config": {"start": 8, "end": 20, "step": 2}},
                {"name": "profit_target", "config": {"start": 25, "end": 75, "step": 25}}]}
JSON
spent() { sed -n 's/^Search: \([0-9]*\) backtests* spent.*a full grid is \([0-9]*\).*/\1 \2/p' "$T/$1.out"; }
run_one refine --config "$T/space.json" --mode refine
set -- $(spent refine)
[ -n "${1:-}" ] && [ "$1" -lt 21 ] && [ "$2" = 21 ] || bad "refine: spent [$*] of a 21-point grid: $(tail -3 "$T/refine.out")"
# again in the same database: the estimate is measured on the first run; the cache serves every
# result, so oo-sim runs nothing and the search spends nothing
C -X POST "$U/__sim/reset" >/dev/null
"$BIN" run --config "$T/space.json" --mode refine --browsers 2 --yes >"$T/refine2.out" 2>"$T/refine2.err" || bad "refine again failed"
grep -q "^estimate: .*(median of 1 recent run)" "$T/refine2.err" || bad "refine again: the estimate is not measured: $(grep estimate "$T/refine2.err")"
grep -q "^Search: 0 backtests spent, [0-9]* more from the cache" "$T/refine2.out" || bad "refine again: $(grep Search "$T/refine2.out")"
[ "$(C "$U/__sim/backtests")" = "[]" ] || bad "refine again: oo-sim ran backtests"
run_one optimize --config "$T/space.json" --mode optimize --max-backtests 7 --seed 5
set -- $(spent optimize)
[ "${1:-}" = 7 ] && [ "$2" = 21 ] || bad "optimize: spent [$*], expected its budget of 7 of 21"
# halving: every configuration on the last ~3 months, the best third on ~8, the best on the
# whole period (730 days: windows of round(730/9) = 81 and round(730/3) = 243 days ending
# 2025-12-31, i.e. from 2025-10-12 and 2025-05-03); each task carries its rung's window
cat >"$T/halving.json" <<JSON
{"test": "$TEST_URL", "name": "halving e2e", "mode": "halving", "period": "2024-01-02..2025-12-31",
 "parameters": [{"name": "delta", "config": {"start": 8, "end": 20, "step": 4}},
                {"name": "profit_target", "config": {"start": 25, "end": 75, "step": 50}}]}
JSON
run_one halving --config "$T/halving.json"
[ "$(sqlite3 "$T/halving.db" "SELECT group_concat(n || 'x' || w, ' ') FROM (SELECT stage, COUNT(*) AS n, \
      MIN(json_extract(parameter_values, '\$.dates')) AS w, COUNT(DISTINCT json_extract(parameter_values, '\$.dates')) AS k \
      FROM tasks GROUP BY stage HAVING k = 1 ORDER BY stage)")" = \
  "8x2025-10-12..2025-12-31 3x2025-05-03..2025-12-31 1x2024-01-02..2025-12-31" ] \
    || bad "halving: rungs $(sqlite3 "$T/halving.db" "SELECT stage, COUNT(*), group_concat(DISTINCT json_extract(parameter_values, '\$.dates')) FROM tasks GROUP BY stage")"
grep -q "^Search: 8 on 2025-10-12..2025-12-31, 3 on 2025-05-03..2025-12-31, 1 on 2024-01-02..2025-12-31" "$T/halving.out" \
    || bad "halving: $(grep '^Search' "$T/halving.out")"
# the same search killed (SIGKILL) mid-run and resumed: the same tasks in the same stages, the
# same answer (oo-sim's backtests are deterministic; the plan is a function of the stored results)
export OO_DB_PATH="$T/killed.db"
C -X POST "$U/__sim/reset" >/dev/null
"$BIN" run --config "$T/space.json" --mode optimize --max-backtests 7 --seed 5 --browsers 2 --yes \
    >"$T/killed.out" 2>"$T/killed.err" &
RPID=$!
wait_for "optimize before the kill: 4 results" 180 "SELECT COUNT(*) FROM tasks WHERE status = 'completed'" 4
kill -KILL $RPID
wait $RPID 2>/dev/null
[ "$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = 1")" != completed ] || bad "optimize: the kill came too late to test a resume"
"$BIN" resume --run-id 1 --browsers 1 >"$T/resumed.out" 2>"$T/resumed.err" || { bad "optimize: resume after SIGKILL failed"; cat "$T/resumed.err"; }
plan() { sqlite3 "$1" "SELECT stage, json_extract(parameter_values, '\$.delta'), json_extract(parameter_values, '\$.profit_target') \
                       FROM tasks WHERE run_id = (SELECT MAX(id) FROM runs) ORDER BY seq"; }
[ "$(plan "$T/killed.db")" = "$(plan "$T/optimize.db")" ] \
    || bad "optimize: the resumed search planned other tasks: $(plan "$T/killed.db" | tr '\n' ' ') vs $(plan "$T/optimize.db" | tr '\n' ' ')"
[ "$(grep '^Best configuration' "$T/resumed.out")" = "$(grep '^Best configuration' "$T/optimize.out")" ] && [ -n "$(grep '^Best' "$T/optimize.out")" ] \
    || bad "optimize: another answer after the resume: $(grep '^Best' "$T/resumed.out") vs $(grep '^Best' "$T/optimize.out")"
compare_sim killed "LEFT JOIN" "WHERE t.run_id = 1" allow-reruns \
    || bad "killed optimize: results do not match oo-sim"
fi

passed "run_e2e ($PART)"
