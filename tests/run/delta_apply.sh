#!/bin/sh
# delta's apply_to takes the design's both, put_only and call_only: on oo-sim's iron condor
# (short put, long put, short call, long call; short deltas 10 and 10), a one-task sweep to delta
# 14 reaches oo-sim with exactly the legs it names changed. What oo-sim received is read from
# its own log (/__sim/backtests), not from the engine. usage: delta_apply.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "delta_apply.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
command -v jq >/dev/null || { echo "delta_apply: jq is needed (dev.sh installs it)"; exit 1; }
tmpdir delta_apply
start_sim
IC=$(sim_test_url "Iron Condor")
[ -n "$IC" ] || { echo "FAIL: oo-sim has no iron condor test"; exit 1; }
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0 HOME="$T" OO_DATA_DIR="$T/data"
cd "$T" || exit 1

# apply_to -> the short deltas oo-sim must receive (put, call)
for case in "both 14 14" "put_only 14 10" "call_only 10 14"; do
    set -- $case
    C -X POST "$U/__sim/reset" >/dev/null
    cat >"$T/$1.lua" <<LUA
return { test = "$IC", mode = "sweep", parameter = "delta",
         config = { start = 14, stop = 14, step = 1, apply_to = "$1" } }
LUA
    "$BIN" run "$T/$1.lua" --browsers 1 --yes --no-cache >"$T/$1.out" 2>&1 || { bad "apply_to=$1: the run failed: $(tail -3 "$T/$1.out")"; continue; }
    got=$(C "$U/__sim/backtests" | jq -r '[.[] | select(.status == "done")][0].config.legs
          | [(.[] | select(.side == "sell" and .type == "put") | .value | fabs), (.[] | select(.side == "sell" and .type == "call") | .value | fabs)]
          | map(tostring) | join(" ")')
    [ "$got" = "$2 $3" ] || bad "apply_to=$1: oo-sim received short put/call deltas [$got], expected [$2 $3]"
done
# a value not of the design is refused before any browser starts, naming the choices
cat >"$T/bad.lua" <<LUA
return { test = "$IC", mode = "sweep", parameter = "delta", config = { start = 14, stop = 14, step = 1, apply_to = "puts" } }
LUA
"$BIN" run "$T/bad.lua" --yes >"$T/bad.out" 2>&1
rc=$?
[ "$rc" != 0 ] || bad "apply_to=puts: the run was accepted"
grep -q "both, put_only, call_only" "$T/bad.out" || bad "apply_to=puts: the message does not name the choices: $(cat "$T/bad.out")"

if [ "$FAIL" -eq 0 ]; then echo "delta_apply passed"; exit 0; fi
echo "delta_apply: $FAIL failures"
exit 1
