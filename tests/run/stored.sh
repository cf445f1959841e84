#!/bin/sh
# A run is what was stored when it started, against a real oo-sim:
#   * one command executes a run script exactly once (a staged run: plan, both stages, results
#     table and best configuration all from the one execution);
#   * a run with a custom optimize_by (a Lua function) interrupted in its first stage resumes
#     with that very function, from the script's text stored with the run, even after the file
#     was edited to another function and other ranges: the edit changes nothing of the run;
#   * a resume executes the stored text once, and only when the spec needs its functions;
#   * Ctrl-C stops a run whose Lua is busy (an optimize_by that never returns): exit 130,
#     nothing lost; an optimize_by that fails fails the run with its own error and file:line.
# Each execution of a script appends a line to a journal file, so "once" is counted, not guessed.
# usage: stored.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "stored.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
tmpdir stored
start_sim --latency-ms 400
TEST_URL=$(sim_test_url)
[ -n "$TEST_URL" ] || { echo "no test URL from oo-sim"; exit 1; }
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0 OO_PIPELINE=1
export OO_DATA_DIR="$T/data" HOME="$T"
cd "$T" || exit 1
J="$T/journal"
q() { sqlite3 "$OO_DB_PATH" "$1"; }
lines() { n=$(grep -c "^$1\$" "$J" 2>/dev/null); echo "${n:-0}"; }

# --- one command, one execution of the script ------------------------------------------------
export OO_DB_PATH="$T/once.db"
cat >"$T/once.lua" <<LUA
local f = assert(io.open("$J", "a")); f:write("once\n"); f:close()
return {
  test = "$TEST_URL", name = "once", mode = "staged",
  stages = {
    { parameter = "delta", config = { start = 10, stop = 14, step = 4 } },
    { parameter = "profit_target", use_best_from = "delta", optimize_by = "cagr",
      config = { start = 30, stop = 30, step = 1 } },
  },
}
LUA
"$BIN" run "$T/once.lua" --browsers 2 --yes >"$T/once.out" 2>"$T/once.err" || { bad "once: run failed"; cat "$T/once.err"; }
[ "$(q "SELECT status FROM runs WHERE id = 1")" = completed ] || bad "once: run 1 is $(q "SELECT status FROM runs WHERE id = 1")"
[ "$(q "SELECT COUNT(*) FROM tasks WHERE run_id = 1 AND stage = 2")" = 1 ] || bad "once: no second stage"
grep -q "Best configuration (by cagr)" "$T/once.out" || bad "once: no best configuration: $(cat "$T/once.out")"
[ "$(lines once)" = 1 ] || bad "once: the run script was executed $(lines once) times by one command"
[ "$(q "SELECT script IS NOT NULL AND instr(script, 'name = \"once\"') > 0 FROM runs WHERE id = 1")" = 1 ] \
    || bad "once: the script's text is not stored with the run"

# --- a custom optimize_by survives an edit of the file and a resume --------------------------
export OO_DB_PATH="$T/custom.db"
cat >"$T/custom.lua" <<LUA
local f = assert(io.open("$J", "a")); f:write("original\n"); f:close()
return {
  test = "$TEST_URL", name = "custom", mode = "staged",
  stages = {
    { parameter = "delta", config = { start = 8, stop = 20, step = 4 },
      optimize_by = function(metrics, values) return -values.delta end },   -- the smallest delta
    { parameter = "profit_target", use_best_from = "delta", config = { start = 30, stop = 60, step = 30 } },
  },
}
LUA
"$BIN" run "$T/custom.lua" --browsers 1 --yes >"$T/c1.out" 2>"$T/c1.err" &
RPID=$!
end=$(( $(date +%s) + 120 ))
while [ "$(q "SELECT COUNT(*) FROM tasks WHERE status = 'completed'" 2>/dev/null || echo 0)" -lt 1 ]; do
    [ "$(date +%s)" -ge "$end" ] && { bad "custom: no first result in 120 s"; break; }
    sleep 0.2
done
kill -INT $RPID
wait $RPID
rc=$?
[ "$rc" = 130 ] || bad "custom: Ctrl-C: exit $rc, expected 130"
stage2=$(q "SELECT COUNT(*) FROM tasks WHERE stage = 2")
[ "$stage2" = 0 ] || echo "note: stage 2 was planned before the interruption ($stage2 tasks)"
# the file changes: another function (the largest delta), other ranges, another name
cat >"$T/custom.lua" <<LUA
local f = assert(io.open("$J", "a")); f:write("edited\n"); f:close()
return {
  test = "$TEST_URL", name = "edited", mode = "staged",
  stages = {
    { parameter = "delta", config = { start = 30, stop = 40, step = 10 },
      optimize_by = function(metrics, values) return values.delta end },
    { parameter = "profit_target", use_best_from = "delta", config = { start = 90, stop = 90, step = 1 } },
  },
}
LUA
"$BIN" resume --run-id 1 --browsers 2 >"$T/c2.out" 2>"$T/c2.err" || { bad "custom: resume failed"; cat "$T/c2.err"; }
[ "$(q "SELECT status FROM runs WHERE id = 1")" = completed ] || bad "custom: run 1 is $(q "SELECT status FROM runs WHERE id = 1")"
[ "$(q "SELECT group_concat(json_extract(parameter_values, '\$.delta'), ',') FROM (SELECT * FROM tasks WHERE stage = 1 ORDER BY seq)")" = "8,12,16,20" ] \
    || bad "custom: stage 1 is not the stored range: $(q "SELECT group_concat(parameter_values, ' ') FROM tasks WHERE stage = 1")"
[ "$(q "SELECT group_concat(json_extract(parameter_values, '\$.delta') || '/' || json_extract(parameter_values, '\$.profit_target'), ',') \
       FROM (SELECT * FROM tasks WHERE stage = 2 ORDER BY seq)")" = "8/30,8/60" ] \
    || bad "custom: stage 2 is not the stored function's choice over the stored range: $(q "SELECT group_concat(parameter_values, ' ') FROM tasks WHERE stage = 2")"
[ "$(q "SELECT name FROM runs WHERE id = 1")" = custom ] || bad "custom: the run's name changed"
sed -n '/^stage 1/,/^stage 2/p' "$T/c2.out" | grep -q '^\* 8 ' || bad "custom: stage 1's star is not the function's choice: $(cat "$T/c2.out")"
[ "$(lines original)" = 2 ] || bad "custom: the stored script ran $(lines original) times in two commands (run, resume), expected 2"
[ "$(lines edited)" = 0 ] || bad "custom: the edited file was executed $(lines edited) times"

# --- a resume of a spec without functions does not execute the script at all --------------------
export OO_DB_PATH="$T/once.db"
before=$(lines once)
q "UPDATE runs SET status = 'paused' WHERE id = 1"
"$BIN" resume --run-id 1 >"$T/r.out" 2>"$T/r.err" || { bad "plain resume failed"; cat "$T/r.err"; }
[ "$(lines once)" = "$before" ] || bad "a resume without functions executed the script"

# --- Lua busy in the middle of a run: Ctrl-C still stops it (issue 12.12) ------------------------
# the optimize_by function never returns: the run is planning its second stage when Ctrl-C comes
export OO_DB_PATH="$T/busy.db"
cat >"$T/busy.lua" <<LUA
return {
  test = "$TEST_URL", name = "busy", mode = "staged",
  stages = {
    { parameter = "delta", config = { start = 10, stop = 14, step = 4 },
      optimize_by = function(metrics, values)
        local f = io.open("$T/busy.started", "w"); if f then f:close() end
        while true do end
      end },
    { parameter = "profit_target", use_best_from = "delta", config = { start = 30, stop = 30, step = 1 } },
  },
}
LUA
"$BIN" run "$T/busy.lua" --browsers 2 --yes >"$T/busy.out" 2>"$T/busy.err" &
RPID=$!
end=$(( $(date +%s) + 120 ))
while [ ! -f "$T/busy.started" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
[ -f "$T/busy.started" ] || bad "busy: the optimize_by function never ran"
kill -INT $RPID
end=$(( $(date +%s) + 30 ))
while kill -0 $RPID 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 0.1; done
if kill -0 $RPID 2>/dev/null; then bad "busy: Ctrl-C did not stop the run within 30 s"; kill -9 $RPID; fi
wait $RPID
rc=$?
[ "$rc" = 130 ] || bad "busy: exit $rc, expected 130: $(tail -3 "$T/busy.err")"
[ "$(q "SELECT status FROM runs WHERE id = 1")" = paused ] || bad "busy: run 1 is $(q "SELECT status FROM runs WHERE id = 1"), expected paused"
[ "$(q "SELECT COUNT(*) FROM tasks WHERE status = 'running'")" = 0 ] || bad "busy: tasks left running"
[ "$(q "SELECT COUNT(*) FROM tasks t JOIN results r ON r.task_id = t.id WHERE t.stage = 1")" = 2 ] || bad "busy: stage 1's results lost"

# --- a failing optimize_by fails the run with its own error and file:line (issue 12.14) ------------
export OO_DB_PATH="$T/failing.db"
cat >"$T/failing.lua" <<LUA
return {
  test = "$TEST_URL", name = "failing", mode = "staged",
  stages = {
    { parameter = "delta", config = { start = 10, stop = 14, step = 4 },
      optimize_by = function(metrics, values) return metrics.no_such_metric.value end },
    { parameter = "profit_target", use_best_from = "delta", config = { start = 30, stop = 30, step = 1 } },
  },
}
LUA
"$BIN" run "$T/failing.lua" --browsers 2 --yes >"$T/failing.out" 2>"$T/failing.err" && bad "failing: the run did not fail"
error=$(q "SELECT error FROM runs WHERE id = 1")
[ "$(q "SELECT status FROM runs WHERE id = 1")" = failed ] || bad "failing: run 1 is $(q "SELECT status FROM runs WHERE id = 1")"
case "$error" in *"optimize_by function failed"*failing.lua:*) ;; *) bad "failing: the run's error does not name the function and its line: $error" ;; esac
case "$error" in *"no successful result"*) bad "failing: the error hides behind the stage: $error" ;; esac
grep -q "failing.lua:" "$T/failing.err" || bad "failing: stderr lacks file:line: $(tail -2 "$T/failing.err")"

passed stored
