#!/bin/sh
# A walk-forward end to end on oo-sim: 3 windows (in-sample 6m, out-of-sample 2m over 2021), a
# grid of 2 deltas, the full period: 12 backtests on 2 browsers. Checked against what oo-sim
# received (compare.lua: every task's dates and values, bit-for-bit metrics) and against figures
# computed independently from the stored results (walkforward_check.lua). Then the same run is
# killed with SIGKILL mid-run and resumed: its report is the same.
# usage: walkforward.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
HERE=$(cd "$(dirname "$0")" && pwd)
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "walkforward.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
RPID=
before_cleanup() { [ -n "$RPID" ] && kill -KILL "$RPID" 2>/dev/null; }
tmpdir run_wf
start_sim --latency-ms 50
TEST_URL=$(sim_test_url)
[ -n "$TEST_URL" ] || { echo "no test URL from oo-sim"; exit 1; }
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo
export OO_RATE_LIMIT=0 OO_DATA_DIR="$T/data" HOME="$T"
cd "$T" || exit 1

cat >"$T/wf.lua" <<LUA
return { test = "$TEST_URL", name = "walk-forward e2e", mode = "walkforward",
  windows = { from = "2021-01-01", to = "2021-12-31", in_sample = "6m", out_of_sample = "2m" },
  search = { mode = "grid", parameters = { { name = "delta", config = { start = 10, stop = 20, step = 10 } } } },
  optimize_by = "mar" }
LUA
report() { sed -n '/^Walk-forward /,/^(thresholds/p' "$1"; }
dump() { sqlite3 -json "$1" <"$HERE/wf_dump.sql"; }   # dump DB: run 1's tasks, results, trades' P/L

# --- bad input is refused before any browser starts -----------------------------------------
export OO_DB_PATH="$T/bad.db"
refuse() { # refuse WHAT PATTERN SPEC_LINES
    what=$1 pattern=$2; shift 2
    printf 'return { test = "%s", mode = "walkforward", %s }\n' "$TEST_URL" "$*" >"$T/bad.lua"
    out=$("$BIN" run "$T/bad.lua" --yes 2>&1); rc=$?
    [ "$rc" != 0 ] || bad "$what: accepted"
    echo "$out" | grep -q "$pattern" || bad "$what: the error does not say \"$pattern\": $out"
}
S='search = { mode = "grid", parameters = { delta = { start = 10, stop = 20, step = 10 } } }'
refuse "windows past to" "after to 2021-06-30" "$S, windows = { from = \"2021-01-01\", to = \"2021-06-30\", in_sample = \"6m\", out_of_sample = \"2m\" }"
refuse "a 2-week out-of-sample" "shorter than a month" "$S, windows = { from = \"2021-01-01\", to = \"2021-12-31\", in_sample = \"6m\", out_of_sample = \"2w\" }"
refuse "a search over dates" "take dates out of the search" "search = { mode = \"sweep\", parameter = \"dates\", config = {} }, windows = { from = \"2021-01-01\", to = \"2021-12-31\", in_sample = \"6m\", out_of_sample = \"2m\" }"
printf 'return { test = "%s", mode = "walkforward", search = { mode = "grid", parameters = { delta = { start = 1, stop = 100 } } }, windows = { from = "2016-01-01", to = "2021-12-31", in_sample = "12m", out_of_sample = "1m" } }\n' "$TEST_URL" >"$T/big.lua"
out=$("$BIN" run "$T/big.lua" </dev/null 2>&1); rc=$?
[ "$rc" != 0 ] && echo "$out" | grep -q -- "--yes" || bad "over 1,000 backtests without --yes: exit $rc: $out"
[ "$(C "$U/__sim/backtests")" = "[]" ] || bad "refused runs reached oo-sim"
[ ! -f "$T/bad.db" ] || [ "$(sqlite3 "$T/bad.db" 'SELECT COUNT(*) FROM runs')" = 0 ] || bad "a refused run was stored"

# --- the run ---------------------------------------------------------------------------------
export OO_DB_PATH="$T/a.db"
C -X POST "$U/__sim/reset" >/dev/null
if ! "$BIN" run "$T/wf.lua" --browsers 2 --yes >"$T/a.out" 2>"$T/a.err"; then
    bad "the walk-forward run failed"; cat "$T/a.err" "$T/a.out"
fi
[ "$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = 1")" = completed ] || bad "run not completed"
C "$U/__sim/backtests" >"$T/a.sim.json"
dump "$OO_DB_PATH" >"$T/a.db.json"
"$BIN" lua "$HERE/compare.lua" "$T/a.sim.json" "$T/a.db.json" walkforward \
    || bad "the stored run does not match what oo-sim received (dates and values of each task)"
report "$T/a.out" >"$T/a.report"
"$BIN" lua "$HERE/walkforward_check.lua" "$T/a.db.json" "$T/a.report" \
    || { bad "the report does not match the stored results"; cat "$T/a.report"; }

# --- the same walk-forward again (same database): every backtest comes from the cache ---------
C -X POST "$U/__sim/reset" >/dev/null
"$BIN" run "$T/wf.lua" --browsers 2 --yes >"$T/again.out" 2>"$T/again.err" || { bad "the second run failed"; cat "$T/again.err"; }
[ "$(C "$U/__sim/backtests")" = "[]" ] || bad "the second run sent backtests to oo-sim: the dates are not part of the cache key?"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM results r JOIN tasks t ON t.id = r.task_id WHERE t.run_id = 2 AND r.cached_from IS NOT NULL")" = 12 ] \
    || bad "the second run: not 12 results reused from the cache"
report "$T/again.out" | cmp -s - "$T/a.report" || bad "the second run's report differs"

# --- SIGKILL mid-run, then resume: the same report -----------------------------------------
export OO_DB_PATH="$T/b.db"
"$BIN" run "$T/wf.lua" --browsers 2 --yes >"$T/b1.out" 2>"$T/b1.err" &
RPID=$!
end=$(( $(date +%s) + 180 ))
while :; do
    n=$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE run_id = 1 AND status = 'completed'" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 5 ] && break
    [ "$(date +%s)" -ge "$end" ] && { bad "no 5 results after 180 s"; break; }
    sleep 0.2
done
kill -KILL $RPID
wait $RPID 2>/dev/null
RPID=
done_at_kill=$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE run_id = 1 AND status = 'completed'")
[ "$done_at_kill" -lt 12 ] || bad "the run was over before the kill ($done_at_kill tasks done)"
"$BIN" resume --run-id 1 --browsers 2 >"$T/b2.out" 2>"$T/b2.err" || { bad "resume failed"; cat "$T/b2.err"; }
[ "$(sqlite3 "$OO_DB_PATH" "SELECT status FROM runs WHERE id = 1")" = completed ] || bad "resumed run not completed"
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM tasks WHERE run_id = 1")" = 12 ] || bad "resumed run: not 12 tasks"
report "$T/b2.out" >"$T/b.report"
[ -s "$T/b.report" ] && cmp -s "$T/a.report" "$T/b.report" \
    || { bad "killed (after $done_at_kill tasks) and resumed, the report differs"; diff "$T/a.report" "$T/b.report"; }
dump "$OO_DB_PATH" >"$T/b.db.json"
"$BIN" lua "$HERE/walkforward_check.lua" "$T/b.db.json" "$T/b.report" || bad "the resumed run's report does not match its results"

if [ "$FAIL" -eq 0 ]; then echo "run_walkforward passed (killed after $done_at_kill of 12 tasks)"; exit 0; fi
echo "run_walkforward: $FAIL failures"
exit 1
