#!/bin/sh
# A run started from the dashboard's API (what New Run posts) is executed for real: serve
# plans it, stores it and starts an engine process; the run completes against oo-sim and its
# results come back through the API. usage: dashboard.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "dashboard.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
tmpdir dashboard
fail() { echo "FAIL: $*"; [ -f "$T/data/runs/1/engine.log" ] && tail -20 "$T/data/runs/1/engine.log"; exit 1; }
start_sim --print-tests
IFS= read -r tline <&3
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0
export OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T"
cd "$T" || exit 1
start_listening web 4 "$BIN" serve --port 0
W=$U
case "$W" in http://127.0.0.1:*) ;; *) fail "serve printed [$W]" ;; esac
body=$(printf '{"mode":"sweep","test_url":"%s","parameter":"delta","config":{"start":10,"end":12,"step":2},"browsers":2,"name":"from the dashboard"}' "${tline%%	*}")
code=$(C -o "$T/post.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "$body" "$W/api/runs")
[ "$code" = 201 ] || fail "POST /api/runs: $code $(cat "$T/post.json")"
id=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/post.json" | head -1)
[ -n "$id" ] || fail "no run id in $(cat "$T/post.json")"
end=$(( $(date +%s) + 240 ))
while :; do
    st=$(C "$W/api/runs/$id" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' | head -1)
    [ "$st" = completed ] && break
    [ "$st" = failed ] && fail "run $id failed"
    [ "$(date +%s)" -ge "$end" ] && fail "run $id still [$st] after 240 s"
    sleep 0.5
done
n=$(C "$W/api/runs/$id/results" | grep -o '"task_id"' | wc -l)
[ "$n" = 2 ] || fail "run $id: $n results through the API, expected 2"
[ "$(C "$OO_BASE_URL/__sim/backtests" | grep -o '"status":"done"' | wc -l)" = 2 ] || fail "oo-sim did not run 2 backtests"
echo "dashboard: run $id started over the API completed with 2 results"
