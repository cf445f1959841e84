#!/usr/bin/env bash
# replay_bench: a 50-step recording on a local page whose elements are ready at once (so a
# step's time is the engine's own overhead), replayed by each build given and by
# @puppeteer/replay (puppeteer-core with the system Chromium), alternately, BENCH_ROUNDS times
# (3), in one sitting. Prints each one's median per-step time, the ratio, the engine's peak RSS
# (Chromium excluded), the CPU-seconds of the whole process tree (cpu_tree.py), the CDP round
# trips and requests of each step type (from builds that print them with -v), and with
# BENCH_CALLGRIND=1 the engine's instructions per step under callgrind (Chromium excluded;
# figures that hold across machines and loads): the whole replay's over its 51 steps, and a
# step's own (the replay's less that of its first 2 steps, over the 49 others). A benchmark: it
# prints figures and asserts nothing.   Usage: tests/bench/replay_bench.sh [BUILD_DIR ...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -gt 0 ] || set -- "$root/build"
builds=("$@")
rounds=${BENCH_ROUNDS:-3}
work=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; rm -rf "$work"' EXIT

# the page: 25 inputs and 25 buttons
{
  echo '<!doctype html><html><head><title>bench</title></head><body>'
  for i in $(seq 1 25); do echo "<div><input id=\"in$i\" aria-label=\"Field $i\"><button id=\"b$i\" onclick=\"this.dataset.n=(+this.dataset.n||0)+1\">Button $i</button></div>"; done
  echo '</body></html>'
} > "$work/bench.html"
python3 -m http.server 0 --bind 127.0.0.1 --directory "$work" > "$work/http.log" 2>&1 &
srv=$!
for _ in $(seq 100); do port=$(grep -oE 'port [0-9]+' "$work/http.log" | grep -oE '[0-9]+' || true); [ -n "$port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$port"

# the recording: navigate, then 49 steps alternating change and click (what a backtest flow does).
# Clicks carry offsetX/offsetY as every Recorder export does: @puppeteer/replay passes them on to
# puppeteer's click as {x, y}, and without them it clicks at NaN and retries until its timeout.
{
  echo '{"title": "bench", "steps": ['
  echo "{\"type\": \"setViewport\", \"width\": 1280, \"height\": 1600, \"deviceScaleFactor\": 1, \"isMobile\": false, \"hasTouch\": false, \"isLandscape\": false},"
  echo "{\"type\": \"navigate\", \"url\": \"$base/bench.html\"}"
  for i in $(seq 1 49); do
    n=$(( (i + 1) / 2 ))
    if [ $((i % 2)) -eq 1 ]; then echo ",{\"type\": \"change\", \"selectors\": [[\"#in$n\"]], \"value\": \"value $i\"}"
    else echo ",{\"type\": \"click\", \"selectors\": [[\"#b$n\"]], \"offsetX\": 12, \"offsetY\": 8}"; fi
  done
  echo ']}'
} > "$work/bench.json"

# the same recording cut after its setViewport and navigate: what callgrind subtracts
jq '.steps |= .[0:2]' "$work/bench.json" > "$work/bench2.json"

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

label_of() { basename "$(dirname "$(cd "$1" && pwd)")"; }
oo_once() { # oo_once BUILD: one replay under cpu_tree; prints its line
  local b=$1 l med total rss
  l=$(label_of "$b")
  python3 "$here/cpu_tree.py" --json "$work/cpu.json" -- "$b/oo-automator" -v replay "$work/bench.json" --artifacts "$work/art" 2>/dev/null \
    || true
  "$b/oo-automator" -v replay "$work/bench.json" --artifacts "$work/art" > "$work/oo.out" 2>/dev/null \
    || { echo "  $l: oo-automator replay failed"; cat "$work/oo.out"; return 0; }
  med=$(grep -E '^\s+\[[0-9]+\] (change|click)' "$work/oo.out" | sed -E 's/.*\(([0-9.]+) ms[;)].*/\1/' | median)
  # "(2.10 ms; 2 round trips, 4 requests)": the same for every step of a type
  trips=$(grep -E '^\s+\[[0-9]+\] (change|click) .*round trip' "$work/oo.out" | sed -E 's/^\s+\[[0-9]+\] (\w+) .*; ([0-9]+) round trips?, ([0-9]+) requests?\).*/\1 \2 \3/' \
    | sort | uniq -c | awk '{printf "%s%s: %s round trip(s), %s request(s) x%s", (NR > 1 ? "; " : ""), $2, $3, $4, $1}' || true)
  total=$(sed -nE 's/^replayed [0-9]+ steps in ([0-9]+) ms.*/\1/p' "$work/oo.out")
  rss=$(sed -nE 's/^engine peak RSS: ([0-9]+) kB/\1/p' "$work/oo.out")
  echo "$l $med" >> "$work/medians"
  printf '  %-18s median %6.2f ms/step   whole run %6s ms (with Chromium start)   engine peak RSS %.1f MB   CPU (whole tree, one run) %.2f s   (load %s)\n' \
    "$l" "$med" "$total" "$(echo "$rss / 1024" | bc -l)" "$(jq .cpu_s "$work/cpu.json")" "$(cut -d' ' -f1 /proc/loadavg)"
  [ -z "$trips" ] || printf '  %-18s CDP per step: %s\n' "" "$trips"
}
callgrind_ir() { # callgrind_ir BUILD RECORDING: the engine's instructions for that replay
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$1/oo-automator" replay "$2" --artifacts "$work/art" \
    > /dev/null 2> "$work/cg.err" || { tail -3 "$work/cg.err" >&2; return 1; }
  sed -nE 's/^summary: ([0-9]+).*/\1/p' "$work/cg.out"
}
callgrind_once() { # callgrind_once BUILD: the engine's instructions per replayed step
  local b=$1 l ir ir2
  l=$(label_of "$b")
  ir=$(callgrind_ir "$b" "$work/bench.json") && ir2=$(callgrind_ir "$b" "$work/bench2.json") || { echo "  $l: callgrind run failed"; return 0; }
  printf '  %-18s callgrind: %.1f M instructions in the engine for the whole replay, %.2f M a step (51 steps, start included); a step'"'"'s own %.3f M\n' \
    "$l" "$(echo "$ir / 1000000" | bc -l)" "$(echo "$ir / 51000000" | bc -l)" "$(echo "($ir - $ir2) / 49000000" | bc -l)"
}

# @puppeteer/replay, installed on demand into tests/bench/node_modules
if [ ! -d "$here/node_modules/@puppeteer/replay" ]; then
  (cd "$here" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --legacy-peer-deps --no-audit --no-fund --loglevel=error > /dev/null)
fi
pp_once() {
  if node "$here/puppeteer_replay.mjs" "$work/bench.json" > "$work/pp.out" 2> "$work/pp.err"; then
    local med total
    total=$(grep total "$work/pp.out" | awk '{print $2}')
    med=$(grep -E '^(change|click) ' "$work/pp.out" | awk '{print $2}' | median)
    echo "$med" >> "$work/pp_medians"
    printf '  %-18s median %6.2f ms/step   replay %9s ms\n' "@puppeteer/replay" "$med" "$total"
  else
    why=$(grep -m1 -E '^[A-Za-z]*Error' "$work/pp.err" || grep -m1 -E 'Error|error' "$work/pp.err" || echo "exit status without a message")
    echo "  @puppeteer/replay  could not replay the recording here: $why"
  fi
}

echo "replay of a 50-step recording (elements ready at once: a step's time is the engine's overhead); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$work/medians"; : > "$work/pp_medians"
for r in $(seq 1 "$rounds"); do
  echo "round $r"
  for b in "${builds[@]}"; do oo_once "$b"; done
  pp_once
done
if [ "${BENCH_CALLGRIND:-0}" = 1 ]; then for b in "${builds[@]}"; do callgrind_once "$b"; done; fi
echo "median of the rounds' medians, and the ratio to @puppeteer/replay's:"
pp=$(median < "$work/pp_medians")
for b in "${builds[@]}"; do
  l=$(label_of "$b")
  m=$(awk -v l="$l" '$1 == l { print $2 }' "$work/medians" | median)
  if [ -n "$pp" ]; then printf '  %-18s %6.2f ms/step   %.1fx faster than @puppeteer/replay (%.2f ms/step)\n' "$l" "$m" "$(echo "$pp / ($m + 0.001)" | bc -l)" "$pp"
  else printf '  %-18s %6.2f ms/step\n' "$l" "$m"; fi
done
