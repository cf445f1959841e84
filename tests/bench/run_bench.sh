#!/usr/bin/env bash
# run_bench: what a backtest costs the machine, against oo-sim, for one or more builds.
#  1. CPU per task: BENCH_CPU_TASKS tasks (12) on 1 browser at 0 ms a backtest, the engine and
#     every Chromium process counted (cpu_tree.py: a cpuacct cgroup, or /proc until each process
#     exits), by process and by phase of the task. Chromium's start, the login and the shutdown
#     are shown apart: they are paid once a run, not once a task.
#  2. Throughput: BENCH_TASKS tasks (40) on 2 browsers at each latency of BENCH_LATENCIES
#     ("1000 5000" ms a backtest): the wall time against the ideal N x L / browsers, and the CPU
#     per task the whole tree used meanwhile.
# Several builds (e.g. the starting commit's and this one's) are measured alternately, pass by
# pass, in one sitting, BENCH_ROUNDS times (1): on a shared machine the load changes by the
# minute, so each comparison is between neighbours in time. The load average is printed with
# each figure. Each throughput figure is followed by where its overhead went, from oo-sim's log
# of the backtests (overhead.py: the start, the hand-offs between backtests, the end), when that
# oo-sim logs when each backtest was over (BENCH_SIM: the oo-sim to run, default the first
# build's). A benchmark: it prints figures and asserts nothing.
#   Usage: tests/bench/run_bench.sh [BUILD_DIR ...]        (default: ./build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -gt 0 ] || set -- "$root/build"
builds=("$@")
rounds=${BENCH_ROUNDS:-1} cpu_tasks=${BENCH_CPU_TASKS:-12} tasks=${BENCH_TASKS:-40}
latencies=${BENCH_LATENCIES-"1000 5000"} browsers=2   # BENCH_LATENCIES="" : the CPU pass only
work=$(mktemp -d)
simpid=
trap '[ -n "$simpid" ] && kill $simpid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

start_sim() { # start_sim LATENCY: one oo-sim (the first build's) for every build's passes
  [ -n "$simpid" ] && { kill $simpid 2>/dev/null; wait $simpid 2>/dev/null || true; }
  rm -f "$work/fifo"; mkfifo "$work/fifo"
  "${BENCH_SIM:-${builds[0]}/oo-sim}" --port 0 --latency-ms "$1" --print-tests >"$work/fifo" 2>"$work/sim.err" &
  simpid=$!
  exec 3<"$work/fifo"
  IFS= read -r line <&3
  IFS= read -r tline <&3
  exec 3<&-
  export OO_BASE_URL=${line%/}
  test_url=${tline%%	*}
}
export OO_EMAIL=bench@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0

grid() { # grid N: N tasks; a grid of delta x 5 profit targets when N is a multiple of 5, else a delta sweep
  local n=$1
  if [ $(( n % 5 )) -eq 0 ]; then cat <<LUA
return { test = "$test_url", mode = "grid", parameters = {
  { name = "delta", config = { start = 5, stop = $(( 4 + n / 5 )), step = 1 } },
  { name = "profit_target", config = { start = 20, stop = 100, step = 20 } } } }
LUA
  else cat <<LUA
return { test = "$test_url", parameter = "delta", config = { start = 5, stop = $(( 4 + n )), step = 1 } }
LUA
  fi
}

label_of() { basename "$(dirname "$(cd "$1" && pwd)")"; }
load() { cut -d' ' -f1 /proc/loadavg; }

measure() { # measure BUILD NAME TASKS BROWSERS: one run in a fresh database under cpu_tree
  local b=$1 name=$2 n=$3 br=$4
  rm -rf "$work/data"; export OO_DATA_DIR="$work/data" OO_DB_PATH="$work/$name.db"
  rm -f "$OO_DB_PATH"
  grid "$n" >"$work/$name.lua"
  curl -s --noproxy '*' -X POST "$OO_BASE_URL/__sim/reset" >/dev/null
  python3 "$here/cpu_tree.py" --json "$work/$name.json" --log "$work/$name.err" -- \
    "$b/oo-automator" -vv run "$work/$name.lua" --browsers "$br" --yes \
    || { echo "  $name: the run failed"; grep -v '^run ' "$work/$name.err" | tail -5; return 1; }
  local done
  curl -s --noproxy '*' "$OO_BASE_URL/__sim/backtests" >"$work/$name.sim.json"
  done=$(jq '[.[] | select(.status == "done")] | length' "$work/$name.sim.json")
  [ "$done" = "$n" ] || echo "  $name: oo-sim ran $done backtests for $n tasks"
}

cpu_pass() { # cpu_pass BUILD
  local b=$1 l name
  l=$(label_of "$b"); name=cpu-$l
  OO_PIPELINE=1 measure "$b" "$name" "$cpu_tasks" 1 || return 0
  local rss
  rss=$(sed -n 's/.*engine peak RSS: \([0-9-]*\) kB.*/\1/p' "$work/$name.err" | tail -1)
  jq -r --arg l "$l" --arg load "$(load)" --arg rss "${rss:-0}" '
    def f: . * 1000 | round / 1000 | tostring;
    (.tasks) as $n |
    ([.by_phase | to_entries[] | select(.key != "startup" and .key != "shutdown") | .value] | add) as $task |
    "cpu   \($l): \($n) tasks, 1 browser, 0 ms a backtest (load \($load)): CPU per task \($task / $n | f) s " +
    "(whole run \(.cpu_s | f) s = \(.cpu_s / $n | f) s a task; counted by \(.counted_by)); engine peak RSS \(($rss | tonumber) / 1024 | . * 10 | round / 10) MB\n" +
    "        by process, per task: " + ([.tasks_by_kind | to_entries | sort_by(-.value)[] | select(.value >= 0.0005) | "\(.key) \(.value / $n | f)"] | join(", ")) + "\n" +
    "        by phase, per task:   " + ([.by_phase | to_entries | sort_by(-.value)[] | select(.key != "startup" and .key != "shutdown") | "\(.key) \(.value / $n | f)"] | join(", ")) + "\n" +
    "        once a run:           startup (Chromium, login) \(.by_phase.startup // 0 | f) s, shutdown \(.by_phase.shutdown // 0 | f) s"' \
    "$work/$name.json"
}

throughput_pass() { # throughput_pass BUILD LATENCY
  local b=$1 lat=$2 l name
  l=$(label_of "$b"); name=tp-$l-$lat
  measure "$b" "$name" "$tasks" "$browsers" || return 0
  jq -r --arg l "$l" --arg load "$(load)" --argjson lat "$lat" --argjson n "$tasks" --argjson br "$browsers" '
    def f: . * 1000 | round / 1000 | tostring;
    ($n * $lat / $br / 1000) as $ideal |
    "tput  \($l): \($n) tasks, \($br) browsers, \($lat) ms a backtest (load \($load)): wall \(.wall_s | . * 10 | round / 10) s, ideal \($ideal) s, " +
    "efficiency \(100 * $ideal / .wall_s | . * 10 | round / 10)%; overhead \((.wall_s * $br / $n - $lat / 1000) * 1000 | round) ms a task; CPU \(.cpu_s / $n | f) s a task"' \
    "$work/$name.json"
  python3 "$here/overhead.py" "$work/$name.json" "$work/$name.sim.json" "$browsers" "$lat"
}

echo "run_bench: builds ${builds[*]}; OO_PIPELINE=${OO_PIPELINE:-default}; $(nproc) cores; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  [ "$rounds" -gt 1 ] && echo "round $r"
  start_sim 0
  for b in "${builds[@]}"; do cpu_pass "$b"; done
  for lat in $latencies; do
    start_sim "$lat"
    for b in "${builds[@]}"; do throughput_pass "$b" "$lat"; done
  done
done
