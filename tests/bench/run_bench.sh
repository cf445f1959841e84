#!/usr/bin/env bash
# run_bench: the run engine's throughput against oo-sim at 1,000 ms a backtest, 2 browsers, 40
# tasks (a grid of delta x profit target). Prints the wall time against the limit the latency
# sets (40 x 1 s / 2 = 20 s), the per-task overhead (time not spent waiting on the backtest),
# the engine's peak RSS and Chromium's (sampled), then the same 40 tasks with the cache warm.
# A benchmark: it prints figures and asserts nothing.   Usage: tests/bench/run_bench.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
bin=$build/oo-automator
sim=$build/oo-sim
work=$(mktemp -d)
simpid=
trap '[ -n "$simpid" ] && kill $simpid 2>/dev/null; rm -rf "$work"' EXIT
latency=1000 browsers=2
mkfifo "$work/fifo"
"$sim" --port 0 --latency-ms $latency --print-tests >"$work/fifo" 2>"$work/sim.err" &
simpid=$!
exec 3<"$work/fifo"
IFS= read -r line <&3
IFS= read -r tline <&3
export OO_BASE_URL=${line%/} OO_EMAIL=bench@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0
export OO_DATA_DIR="$work/data" OO_DB_PATH="$work/bench.db"
cat >"$work/grid.lua" <<LUA
return { test = "${tline%%	*}", mode = "grid", parameters = {
  { name = "delta", config = { start = 5, stop = 40, step = 5 } },              -- 8 values
  { name = "profit_target", config = { start = 20, stop = 100, step = 20 } } } }  -- x 5 = 40
LUA

chromium_rss() { # total RSS (kB) of our Chromium's processes (all carry its profile folder)
  ps -eo rss=,args= | awk '/--user-data-dir=\/tmp\/oo-chromium-/ { s += $1 } END { print s + 0 }'
}

now_ms() { date +%s%3N; }
iso_ms() { # ISO 8601 with milliseconds (oo-sim's receivedAt) -> epoch ms
  local sec=${1%.*} frac=${1##*.}
  frac=${frac%Z}
  echo $(( $(date -u -d "${sec}Z" +%s) * 1000 + 10#${frac:-0} ))
}

one() { # one LABEL: runs the grid, samples Chromium's RSS meanwhile
  local label=$1 peak=0 r t0 t1
  t0=$(now_ms)
  "$bin" -v run "$work/grid.lua" --browsers $browsers --yes >"$work/$label.out" 2>"$work/$label.err" &
  local pid=$!
  while kill -0 $pid 2>/dev/null; do
    r=$(chromium_rss); [ "$r" -gt "$peak" ] && peak=$r
    sleep 1   # sampling interval of the measurement (one ps and one awk: cheap), not a wait for the engine
  done
  wait $pid || { echo "$label: the run failed"; tail -5 "$work/$label.err"; return 1; }
  t1=$(now_ms)
  local ms rss
  ms=$(sed -n 's/.*: \([0-9]*\) ms; engine peak RSS: \([0-9-]*\) kB/\1/p' "$work/$label.err" | tail -1)
  rss=$(sed -n 's/.*engine peak RSS: \([0-9-]*\) kB/\1/p' "$work/$label.err" | tail -1)
  local limit=$(( 40 * latency / browsers ))
  # what oo-sim saw: the backtests run, and when the first one came in
  curl -s --noproxy '*' "$OO_BASE_URL/__sim/backtests" >"$work/$label.bt.json"
  curl -s --noproxy '*' -X POST "$OO_BASE_URL/__sim/reset" >/dev/null
  local backtests first startup=- steady=-
  backtests=$(jq '[.[] | select(.status == "done")] | length' "$work/$label.bt.json")
  first=$(jq -r '[.[].receivedAt] | sort | first // empty' "$work/$label.bt.json")
  if [ -n "$first" ]; then
    first=$(iso_ms "$first")
    startup=$(( first - t0 ))
    # steady state: from the first backtest's start to the end, per task and browser
    steady=$(( (t1 - first) * browsers / 40 - latency ))
  fi
  awk -v l="$label" -v ms="$ms" -v lim="$limit" -v b="$browsers" -v lat="$latency" -v bt="$backtests" -v rss="$rss" -v cr="$peak" \
      -v su="$startup" -v st="$steady" 'BEGIN {
    printf "%-5s wall %6.1f s  limit %4.1f s  efficiency %5.1f%%  overhead/task %5d ms (steady state %s ms; first Run after %s ms)  backtests %2d  engine RSS %5.1f MB  Chromium RSS %6.1f MB\n",
      l, ms / 1000, lim / 1000, 100 * lim / ms, ms * b / 40 - lat, st, su, bt, rss / 1024, cr / 1024 }'
}
echo "run_bench: 40 tasks, oo-sim at $latency ms a backtest, $browsers browsers (limit = 40 x $latency ms / $browsers), OO_PIPELINE=${OO_PIPELINE:-default}"
echo "  overhead/task = wall x browsers / 40 - latency; steady state counts from oo-sim's first backtest on"
one cold
one warm
