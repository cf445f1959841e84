#!/usr/bin/env bash
# replay_bench: a 50-step recording on a local page whose elements are ready at once (so a
# step's time is the engine's own overhead), replayed by oo-automator and by @puppeteer/replay
# (puppeteer-core with the system Chromium) in the same run. Prints the median per-step time of
# each, their ratio, and the engine's peak RSS (Chromium excluded). A benchmark: it prints
# figures and asserts nothing.   Usage: tests/bench/replay_bench.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
bin=$build/oo-automator
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

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# oo-automator: per-step ms from its verbose output; peak RSS of the engine process
"$bin" -v replay "$work/bench.json" --artifacts "$work/art" > "$work/oo.out" 2>/dev/null \
  || { echo "oo-automator replay failed"; cat "$work/oo.out"; exit 1; }
oo_med=$(grep -E '^\s+\[[0-9]+\] (change|click)' "$work/oo.out" | sed -E 's/.*\(([0-9.]+) ms\).*/\1/' | median)
oo_total=$(sed -nE 's/^replayed [0-9]+ steps in ([0-9]+) ms.*/\1/p' "$work/oo.out")
rss_kb=$(sed -nE 's/^engine peak RSS: ([0-9]+) kB/\1/p' "$work/oo.out")

# @puppeteer/replay, installed on demand into tests/bench/node_modules
if [ ! -d "$here/node_modules/@puppeteer/replay" ]; then
  (cd "$here" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --legacy-peer-deps --no-audit --no-fund --loglevel=error > /dev/null)
fi
pp_ok=1
node "$here/puppeteer_replay.mjs" "$work/bench.json" > "$work/pp.out" 2> "$work/pp.err" || pp_ok=0
if [ $pp_ok = 1 ]; then
  pp_total=$(grep total "$work/pp.out" | awk '{print $2}')
  pp_med=$(grep -E '^(change|click) ' "$work/pp.out" | awk '{print $2}' | median)
fi

echo "replay of a 50-step recording (elements ready at once: a step's time is the engine's overhead)"
printf '  oo-automator       median %6.2f ms/step   whole run %6s ms (with Chromium start)   engine peak RSS %.1f MB\n' "$oo_med" "$oo_total" "$(echo "$rss_kb / 1024" | bc -l)"
if [ $pp_ok = 1 ]; then
  printf '  @puppeteer/replay  median %6.2f ms/step   replay %9s ms\n' "$pp_med" "$pp_total"
  printf '  ratio (puppeteer / oo-automator, per step): %.1fx\n' "$(echo "$pp_med / ($oo_med + 0.001)" | bc -l)"
else
  why=$(grep -m1 -E '^[A-Za-z]*Error' "$work/pp.err" || grep -m1 -E 'Error|error' "$work/pp.err" || echo "exit status without a message")
  echo "  @puppeteer/replay  could not replay the recording here, so no ratio: $why"
fi
