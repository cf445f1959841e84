#!/bin/sh
# A run started from the dashboard's API (what New Run posts) is executed for real: serve
# plans it, stores it and starts an engine process; the run completes against oo-sim and its
# results come back through the API. usage: dashboard.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
mkdir -p "${OO_TEST_TMP:-/tmp}"
T=$(mktemp -d "${OO_TEST_TMP:-/tmp}/dashboard.XXXXXX")
SPID= WPID=
cleanup() { for p in $WPID $SPID; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$T/data/runs/1/engine.log" ] && tail -20 "$T/data/runs/1/engine.log"; exit 1; }
C() { curl -s --noproxy '*' --max-time 20 "$@"; }
completed() { # completed RUN_ID: until the run is completed (a deadline of 240 s)
    end=$(( $(date +%s) + 240 ))
    while :; do
        st=$(C "$W/api/runs/$1" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' | head -1)
        [ "$st" = completed ] && return 0
        [ "$st" = failed ] && fail "run $1 failed"
        [ "$(date +%s)" -ge "$end" ] && fail "run $1 still [$st] after 240 s"
        sleep 0.5
    done
}
mkfifo "$T/sim" "$T/web"
"$SIM" --port 0 --print-tests >"$T/sim" 2>"$T/sim.err" &
SPID=$!
exec 3<"$T/sim"
IFS= read -r line <&3
IFS= read -r tline <&3
export OO_BASE_URL=${line%/} OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0
export OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T"
cd "$T" || exit 1
"$BIN" serve --port 0 >"$T/web" 2>"$T/web.err" &
WPID=$!
exec 4<"$T/web"
IFS= read -r W <&4
W=${W%/}
case "$W" in http://127.0.0.1:*) ;; *) fail "serve printed [$W]" ;; esac
body=$(printf '{"mode":"sweep","test_url":"%s","parameter":"delta","config":{"start":10,"end":12,"step":2},"browsers":2,"name":"from the dashboard"}' "${tline%%	*}")
code=$(C -o "$T/post.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "$body" "$W/api/runs")
[ "$code" = 201 ] || fail "POST /api/runs: $code $(cat "$T/post.json")"
id=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/post.json" | head -1)
[ -n "$id" ] || fail "no run id in $(cat "$T/post.json")"
completed "$id"
n=$(C "$W/api/runs/$id/results" | grep -o '"task_id"' | wc -l)
[ "$n" = 2 ] || fail "run $id: $n results through the API, expected 2"
[ "$(C "$OO_BASE_URL/__sim/backtests" | grep -o '"status":"done"' | wc -l)" = 2 ] || fail "oo-sim did not run 2 backtests"
# the estimate New Run shows: the spec's backtests and the time they take, measured on the run
# above; then that optimize run, started over the API, spends its budget and completes
osp=$(printf '"mode":"optimize","test_url":"%s","parameters":{"delta":{"start":8,"end":16,"step":4},"profit_target":{"start":25,"end":75,"step":50}},"browsers":2' "${tline%%	*}")
code=$(C -o "$T/est.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "{$osp}" "$W/api/estimate")
[ "$code" = 400 ] && grep -q 'optimize.max_backtests: missing' "$T/est.json" || fail "estimate without a budget: $code $(cat "$T/est.json")"
code=$(C -o "$T/est.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "{$osp,\"max_backtests\":3,\"seed\":2}" "$W/api/estimate")
[ "$code" = 200 ] || fail "POST /api/estimate: $code $(cat "$T/est.json")"
grep -q '"backtests":3,' "$T/est.json" && grep -q 'median of 1 recent run' "$T/est.json" \
    && grep -q '"summary":"optimize delta (3) x profit_target (2): up to 3 backtests of a 6-point grid (seed 2)"' "$T/est.json" \
    || fail "estimate: $(cat "$T/est.json")"
code=$(C -o "$T/post2.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "{$osp,\"max_backtests\":3,\"seed\":2}" "$W/api/runs")
[ "$code" = 201 ] || fail "POST /api/runs optimize: $code $(cat "$T/post2.json")"
id2=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/post2.json" | head -1)
completed "$id2"
n=$(C "$W/api/runs/$id2/results" | grep -o '"task_id"' | wc -l)
[ "$n" = 3 ] || fail "optimize run $id2: $n results, expected its budget of 3"
C "$W/api/runs/$id2" | grep -q '"grid":6' || fail "optimize run $id2: the stored config does not name its grid of 6"
[ "$(C "$W/api/runs/$id2/tasks" | grep -o '"cached_from":null' | wc -l)" = 3 ] || fail "optimize run $id2: tasks without cached_from"
echo "dashboard: run $id started over the API completed with 2 results; an optimize run $id2 spent its budget of 3"
