#!/bin/sh
# The loaded test page is reused (issue 18): after the first task on a browser, each next task
# presses New Backtest on the page already loaded instead of loading the test afresh, and what
# the reopened dialog holds is checked field by field against the test's saved configuration.
# Everything is judged from oo-sim's side, not the engine's:
#  (a) page loads (oo-sim counts each page it serves whole, /__sim/loads): one for the login and
#      one for the test, whatever the number of tasks (loading afresh would serve one a task);
#  (b) a grid where consecutive tasks differ in one to three fields (delta, profit target, stop
#      loss): every stored result equals oo-sim's bit for bit (compare.lua), and every
#      configuration oo-sim received is the test's saved one but for the swept fields (oo-sim's
#      dialog reopens with the last run's values: nothing of one task may reach the next);
#  (c) the drift fault: every reopened dialog comes back with its stop loss 25 higher and
#      commissions switched over, behind the engine's back; a profit-target sweep must still send
#      oo-sim the saved stop loss and commissions, every time the fault fired.
# usage: reuse.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$BIN" ] && [ -x "$SIM" ] || { echo "usage: reuse.sh OO_AUTOMATOR OO_SIM" >&2; exit 2; }
command -v jq >/dev/null || { echo "reuse: jq is needed (dev.sh installs it)"; exit 1; }
mkdir -p "${OO_TEST_TMP:-/tmp}"
T=$(mktemp -d "${OO_TEST_TMP:-/tmp}/run_reuse.XXXXXX")
SPID=
FAIL=0
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
C() { curl -s --noproxy '*' --max-time 20 "$@"; }

start_sim() { # start_sim [SIM FLAGS...]: a fresh oo-sim; sets U and TEST (the first saved test's URL)
    [ -n "$SPID" ] && { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }
    rm -f "$T/sim"; mkfifo "$T/sim"
    "$SIM" --port 0 "$@" >"$T/sim" 2>"$T/sim.err" &
    SPID=$!
    exec 3<"$T/sim"
    IFS= read -r line <&3
    exec 3<&-
    U=${line%/}
    TEST=$(C "$U/__sim/tests" | jq -r '.[0].url')
    export OO_BASE_URL="$U"
}
# one tab a browser: its page loads are what is counted (a second tab logs in and loads its own)
export OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0 HOME="$T" OO_DATA_DIR="$T/data" OO_PIPELINE=1
cd "$T" || exit 1

# The test's saved configuration, as oo-sim's own API gives it to a logged-in page.
saved_config() {
    C -c "$T/jar" -H 'Content-Type: application/json' -d "{\"email\":\"$OO_EMAIL\",\"password\":\"demo\"}" "$U/api/login" >/dev/null
    C -b "$T/jar" "$U/api/tests/${TEST##*/}" | jq -c '.config'
}

# run_one NAME SPEC_LUA: one run on 1 browser in its own database, checked against oo-sim
run_one() {
    name=$1
    export OO_DB_PATH="$T/$name.db"
    printf '%s\n' "$2" >"$T/$name.lua"
    C -X POST "$U/__sim/reset" >/dev/null
    if ! "$BIN" -vv run "$T/$name.lua" --browsers 1 --yes --no-cache >"$T/$name.out" 2>"$T/$name.err"; then
        bad "$name: the run failed"; grep -v ' debug ' "$T/$name.err" | tail -5; return 1
    fi
    C "$U/__sim/backtests" >"$T/$name.sim.json"
    sqlite3 -json "$OO_DB_PATH" "SELECT t.id AS task_id, t.status, t.stage, t.parameter_values AS task_values, \
        r.metrics AS metrics, (SELECT COUNT(*) FROM trades WHERE result_id = r.id) AS trades \
        FROM tasks t LEFT JOIN results r ON r.task_id = t.id ORDER BY t.seq" >"$T/$name.db.json"
    "$BIN" lua "$HERE/compare.lua" "$T/$name.sim.json" "$T/$name.db.json" "$name" \
        || bad "$name: the stored results do not match oo-sim's"
    loads=$(C "$U/__sim/loads" | jq '.pages')
    [ "$loads" = 2 ] || bad "$name: oo-sim served $loads whole pages (want 2: the login's and the test's, then reuse)"
}

# every_config_is_saved NAME JQ_DEL: each backtest oo-sim received is the saved configuration
# once the swept fields (JQ_DEL, a jq path list for del()) are taken out of both
every_config_is_saved() {
    want=$(saved_config | jq -c "del($2)")
    [ -n "$want" ] && [ "$want" != null ] || { bad "$1: no saved configuration from oo-sim"; return; }
    n=0
    for got in $(jq -c ".[] | .config | del($2)" "$T/$1.sim.json"); do
        n=$((n + 1))
        [ "$got" = "$want" ] || { bad "$1: backtest $n received a configuration other than the saved one:"; \
            jq -rn --argjson a "$want" --argjson b "$got" '$a | paths(scalars) as $p | select(($a | getpath($p)) != ($b | getpath($p)))
              | "    \($p | map(tostring) | join(".")): saved \($a | getpath($p)), sent \($b | getpath($p))"'; }
    done
    [ "$n" -gt 0 ] || bad "$1: oo-sim received no backtest"
}

# (a) and (b): 8 tasks, consecutive ones differing in delta, profit target and/or stop loss
start_sim
run_one grid "return { test = \"$TEST\", mode = \"grid\", parameters = {
  { name = \"delta\", config = { start = 10, stop = 11, step = 1 } },
  { name = \"profit_target\", config = { start = 30, stop = 60, step = 30 } },
  { name = \"stop_loss\", config = { start = 150, stop = 250, step = 100 } } } }" \
  && every_config_is_saved grid '.legs[].value, .pl.profitTarget, .pl.stopLoss'

# (c): the reopened dialog drifts every time; the saved stop loss and commissions must win
start_sim --faults drift=1
run_one drift "return { test = \"$TEST\", parameter = \"profit_target\", config = { start = 20, stop = 50, step = 10 } }" \
  && every_config_is_saved drift '.pl.profitTarget'
drifts=$(C "$U/__sim/faults" | jq '[.[] | select(.kind == "drift")] | length')
[ "$drifts" = 3 ] || bad "drift: the fault fired $drifts times (want 3: every reopened dialog of 4 tasks)"

if [ "$FAIL" -eq 0 ]; then echo "run_reuse passed"; exit 0; fi
echo "run_reuse: $FAIL failures"
exit 1
