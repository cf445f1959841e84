#!/bin/sh
# New Run's walk-forward in headless Chromium against a real `oo-automator serve` and oo-sim:
# tests/web/recordings/newrun_walkforward.json (replayed by tests/web/analysis_ui.lua, which
# also fails on any console error) fills the walk-forward's fields from the modes' forms, sees
# the server's 400 next to the out-of-sample field, corrects it, starts the run, waits for it to
# complete and for Run Detail's walk-forward panel. Then the stored run is checked: the spec the
# form posted, 12 completed tasks, 12 backtests on oo-sim.
# usage: newrun_walkforward.sh OO_AUTOMATOR OO_SIM SOURCE_DIR
BIN=$1
SIM=$2
SRC=$3
[ -x "$BIN" ] && [ -x "$SIM" ] && [ -d "$SRC" ] || { echo "usage: newrun_walkforward.sh OO_AUTOMATOR OO_SIM SOURCE_DIR" >&2; exit 2; }
mkdir -p "${OO_TEST_TMP:-/tmp}"
T=$(mktemp -d "${OO_TEST_TMP:-/tmp}/newrun_wf.XXXXXX")
SPID= WPID=
FAIL=0
cleanup() {
    # the run's engine process (its own process group) ends with its run; stop it if it did not
    for p in $(pgrep -f -- "--db $T/oo.db resume" 2>/dev/null); do kill "$p" 2>/dev/null; done
    for p in $WPID $SPID; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ "$FAIL" -eq 0 ] && rm -rf "$T"
}
trap cleanup EXIT
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
C() { curl -s --noproxy '*' --max-time 20 "$@"; }

mkfifo "$T/sim" "$T/web"
"$SIM" --port 0 >"$T/sim" 2>"$T/sim.err" &
SPID=$!
exec 3<"$T/sim"
IFS= read -r line <&3
U=${line%/}
TEST_URL=$(C "$U/__sim/tests" | tr '{' '\n' | sed -n 's/.*"url":"\([^"]*\)".*/\1/p' | head -1)
[ -n "$TEST_URL" ] || { echo "no test URL from oo-sim"; exit 1; }
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0
export OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T"
cd "$T" || exit 1
"$BIN" --db "$T/oo.db" serve --port 0 >"$T/web" 2>"$T/serve.err" &
WPID=$!
exec 4<"$T/web"
IFS= read -r W <&4
W=${W%/}
case "$W" in http://127.0.0.1:*) ;; *) bad "serve printed [$W]"; exit 1 ;; esac

# the modes New Run is drawn from: every mode of lua/modes, walkforward with its fields
modes=$(C "$W/api/modes")
for m in sweep grid staged walkforward; do
    echo "$modes" | grep -q "\"name\":\"$m\"" || bad "GET /api/modes lacks $m"
done
echo "$modes" | grep -q '"key":"windows.out_of_sample"' || bad "GET /api/modes: walkforward has no out_of_sample field"
# the API answers a bad walk-forward 400 with the message the command line gives
body=$(printf '{"mode":"walkforward","test_url":"%s","windows":{"from":"2021-01-01","to":"2021-12-31","in_sample":"6m","out_of_sample":"2w"},"search":{"mode":"sweep","parameter":"delta","config":{"start":10,"stop":20,"step":10}}}' "$TEST_URL")
code=$(C -o "$T/bad.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "$body" "$W/api/runs")
[ "$code" = 400 ] || bad "a 2-week out-of-sample over the API: $code"
printf 'return { test = "%s", mode = "walkforward", windows = { from = "2021-01-01", to = "2021-12-31", in_sample = "6m", out_of_sample = "2w" }, search = { mode = "sweep", parameter = "delta", config = { start = 10, stop = 20, step = 10 } } }\n' "$TEST_URL" >bad.lua
cli=$("$BIN" --db "$T/cli.db" run bad.lua 2>&1 | sed 's/^oo-automator: //')
api=$(sed -n 's/.*"error":"\(.*\)"}$/\1/p' "$T/bad.json")
[ -n "$api" ] && [ "${cli#*walkforward.windows.out_of_sample}" = "${api#*walkforward.windows.out_of_sample}" ] \
    || bad "the API's message [$api] is not the command line's [$cli]"

"$BIN" lua "$SRC/tests/web/analysis_ui.lua" "$SRC/tests/web/recordings/newrun_walkforward.json" "$T/ui" \
    BASE="$W" TEST_URL="$TEST_URL" EXPECTED_CONSOLE="the server responded with a status of 400 (Bad Request)" >"$T/ui.out" 2>&1 || { bad "New Run's walk-forward in Chromium"; cat "$T/ui.out"; tail -20 "$T/data/runs/1/engine.log" 2>/dev/null; }

Q() { sqlite3 "$OO_DB_PATH" "$1"; }
[ "$(Q "SELECT name || '|' || mode || '|' || status FROM runs WHERE id = 1")" = "Walk-forward from New Run|walkforward|completed" ] \
    || bad "run 1: $(Q 'SELECT name, mode, status FROM runs')"
[ "$(Q "SELECT json_extract(config, '$.spec.windows.out_of_sample') || ' ' || json_extract(config, '$.spec.windows.in_sample') || ' ' || \
       json_extract(config, '$.spec.search.mode') || ' ' || json_extract(config, '$.spec.search.parameter') || ' ' || \
       json_extract(config, '$.spec.optimize_by') FROM runs WHERE id = 1")" = "2m 6m sweep delta mar" ] \
    || bad "the stored spec is not the form's: $(Q 'SELECT config FROM runs WHERE id = 1')"
[ "$(Q "SELECT COUNT(*) FROM tasks WHERE run_id = 1 AND status = 'completed'")" = 12 ] || bad "not 12 completed tasks"
[ "$(Q "SELECT COUNT(*) FROM runs")" = 1 ] || bad "the refused spec was stored as a run"
[ "$(C "$U/__sim/backtests" | grep -o '"status":"done"' | wc -l)" = 12 ] || bad "oo-sim did not run 12 backtests"

if [ "$FAIL" -eq 0 ]; then echo "newrun_walkforward passed"; exit 0; fi
echo "newrun_walkforward: $FAIL failures (files in $T)"
exit 1
