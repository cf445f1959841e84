#!/bin/sh
# Runs started, paused and resumed from the dashboard's API (what its buttons post) are executed
# for real: serve plans a run, stores it and starts an engine process; Pause stops that engine
# (the backtest in flight finishes) and Resume starts a new one, which completes the run. An
# engine SIGKILLed mid-run leaves its run "interrupted", and Resume completes it too. Every
# result equals what oo-sim computed (tests/run/compare.lua). usage: dashboard.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "dashboard.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
tmpdir dashboard
fail() { echo "FAIL: $*"; for f in "$T"/data/runs/*/engine.log; do [ -f "$f" ] && { echo "== $f"; tail -15 "$f"; }; done; exit 1; }
until_completed() { # until_completed RUN_ID: until the run is completed (a deadline of 240 s)
    end=$(( $(date +%s) + 240 ))
    while :; do
        st=$(C "$W/api/runs/$1" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' | head -1)
        [ "$st" = completed ] && return 0
        [ "$st" = failed ] && fail "run $1 failed"
        [ "$(date +%s)" -ge "$end" ] && fail "run $1 still [$st] after 240 s"
        sleep 0.5
    done
}
start_sim --latency-ms 1000 --print-tests
IFS= read -r tline <&3
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_PASSWORD=demo OO_RATE_LIMIT=0 OO_PIPELINE=1
export OO_DATA_DIR="$T/data" OO_DB_PATH="$T/oo.db" HOME="$T"
cd "$T" || exit 1
start_listening web 4 "$BIN" serve --port 0
WPID=$LAST_PID W=$U U=$OO_BASE_URL
case "$W" in http://127.0.0.1:*) ;; *) fail "serve printed [$W]" ;; esac

field() { sed -n "s/.*\"$2\":\\([^,}]*\\).*/\\1/p" "$1" | head -1 | tr -d '"'; }
run_json() { C "$W/api/runs/$1" >"$T/run.json"; }
wait_run() { # wait_run ID WHAT TEST: until TEST (a shell test on $T/run.json) holds (deadline 240 s)
    end=$(( $(date +%s) + 240 ))
    while :; do
        run_json "$1"
        eval "$3" && return 0
        [ "$(field "$T/run.json" status)" = failed ] && fail "run $1 failed: $(cat "$T/run.json")"
        [ "$(date +%s)" -ge "$end" ] && fail "run $1: $2 after 240 s: $(cat "$T/run.json")"
        sleep 0.3
    done
}
completed() { sed -n 's/.*"completed":\([0-9]*\).*/\1/p' "$T/run.json" | head -1; }
post_run() { # post_run NAME START END: a delta sweep over the API; prints the new run's id
    body=$(printf '{"mode":"sweep","test_url":"%s","parameter":"delta","config":{"start":%d,"end":%d,"step":2},"browsers":1,"name":"%s"}' \
        "${tline%%	*}" "$2" "$3" "$1")
    code=$(C -o "$T/post.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "$body" "$W/api/runs")
    [ "$code" = 201 ] || fail "POST /api/runs: $code $(cat "$T/post.json")"
    field "$T/post.json" id
}
control() { # control ID ACTION: POST /api/runs/ID/ACTION, 200 expected
    code=$(C -o "$T/control.json" -w '%{http_code}' -X POST "$W/api/runs/$1/$2")
    [ "$code" = 200 ] || fail "POST /api/runs/$1/$2: $code $(cat "$T/control.json")"
}
compare() { # compare ID NAME [allow-reruns]: the run's results against oo-sim's backtests
    compare_sim "$2" "LEFT JOIN" "WHERE t.run_id = $1" $3 || fail "$2: the results differ from oo-sim's"
}

# --- where to watch: a run in a terminal names the dashboard serving its database -------------
"$BIN" run --url "${tline%%	*}" --param delta --start 40 --end 40 --step 1 --browsers 1 --yes >"$T/term1.out" 2>"$T/term1.err" \
    || fail "a run in a terminal failed: $(tail -3 "$T/term1.err")"
grep -qx "dashboard: $W/runs/1" "$T/term1.err" || fail "the terminal's run did not say where to watch it: $(head -3 "$T/term1.err")"
code=$(C -o /dev/null -w '%{http_code} %{redirect_url}' "$W/runs/1")
[ "$code" = "302 $W/?run=1" ] || fail "GET /runs/1: $code"
C -X POST "$OO_BASE_URL/__sim/reset" >/dev/null

# --- started, paused and resumed from the dashboard ----------------------------------------
id=$(post_run "paused and resumed" 10 16)
[ -n "$id" ] || fail "no run id in $(cat "$T/post.json")"
wait_run "$id" "no first result" '[ "$(completed)" -ge 1 ]'
control "$id" pause
[ "$(field "$T/control.json" status)" = paused ] || fail "pause: $(cat "$T/control.json")"
# the engine finishes the backtest in flight and exits: nothing works the run any more
wait_run "$id" "its engine still working" '[ "$(field "$T/run.json" engine_alive)" = false ] && [ "$(field "$T/run.json" status)" = paused ]'
sed -n 's/.*"running":\([0-9]*\).*/\1/p' "$T/run.json" | grep -qx 0 || fail "paused run $id has tasks running: $(cat "$T/run.json")"
done_at_pause=$(completed)
[ "$done_at_pause" -lt 4 ] || fail "the run finished before it could be resumed (4 of 4 at the pause)"
control "$id" resume
case "$(field "$T/control.json" status)" in queued|running) ;; *) fail "resume: $(cat "$T/control.json")" ;; esac
wait_run "$id" "not completed after Resume" '[ "$(field "$T/run.json" status)" = completed ]'
[ "$(completed)" = 4 ] || fail "run $id: $(completed) of 4 tasks completed"
n=$(C "$W/api/runs/$id/results" | grep -o '"task_id"' | wc -l)
[ "$n" = 4 ] || fail "run $id: $n results through the API, expected 4"
compare "$id" "paused and resumed"
# the estimate New Run shows: the spec's backtests and the time they take, measured on the runs
# above; then that optimize run, started over the API, spends its budget and completes
osp=$(printf '"mode":"optimize","test_url":"%s","parameters":{"delta":{"start":8,"end":16,"step":4},"profit_target":{"start":25,"end":75,"step":50}},"browsers":2' "${tline%%	*}")
code=$(C -o "$T/est.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "{$osp}" "$W/api/estimate")
[ "$code" = 400 ] && grep -q 'optimize.max_backtests: missing' "$T/est.json" || fail "estimate without a budget: $code $(cat "$T/est.json")"
code=$(C -o "$T/est.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "{$osp,\"max_backtests\":3,\"seed\":2}" "$W/api/estimate")
[ "$code" = 200 ] || fail "POST /api/estimate: $code $(cat "$T/est.json")"
grep -q '"backtests":3[,}]' "$T/est.json" && grep -q 'median of 2 recent runs' "$T/est.json" \
    && grep -q '"summary":"optimize delta (3) x profit_target (2): up to 3 backtests of a 6-point grid (seed 2)"' "$T/est.json" \
    || fail "estimate: $(cat "$T/est.json")"
code=$(C -o "$T/post2.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "{$osp,\"max_backtests\":3,\"seed\":2}" "$W/api/runs")
[ "$code" = 201 ] || fail "POST /api/runs optimize: $code $(cat "$T/post2.json")"
id2=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/post2.json" | head -1)
until_completed "$id2"
n=$(C "$W/api/runs/$id2/results" | grep -o '"task_id"' | wc -l)
[ "$n" = 3 ] || fail "optimize run $id2: $n results, expected its budget of 3"
C "$W/api/runs/$id2" | grep -q '"grid":6' || fail "optimize run $id2: the stored config does not name its grid of 6"
[ "$(C "$W/api/runs/$id2/tasks" | grep -o '"cached_from":null' | wc -l)" = 3 ] || fail "optimize run $id2: tasks without cached_from"

# --- an engine killed mid-run: interrupted, and Resume completes it ---------------------------
C -X POST "$OO_BASE_URL/__sim/reset" >/dev/null
id=$(post_run "killed and resumed" 20 24)
wait_run "$id" "no first result" '[ "$(completed)" -ge 1 ]'
engine=$(field "$T/run.json" engine)
pid=${engine##*:}
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || fail "run $id names no live engine: [$engine]"
kill -KILL "$pid"
wait_run "$id" "not interrupted after its engine was killed" '[ "$(field "$T/run.json" status)" = interrupted ]'
control "$id" resume
wait_run "$id" "not completed after Resume" '[ "$(field "$T/run.json" status)" = completed ]'
compare "$id" "killed and resumed" allow-reruns
# --- exactly as from a terminal: the Settings page's login, the server's data dir -------------
# serve gets its database and data dir as flags, the login only from the Settings page (nothing
# in the environment); the default data dir ($HOME/.local/share/oo-automator) must stay unused
kill $WPID; wait $WPID 2>/dev/null
[ "$(sqlite3 "$OO_DB_PATH" "SELECT COUNT(*) FROM dashboards")" = 0 ] || fail "the stopped dashboard left its record"
D="$T/elsewhere" DB="$T/elsewhere.db"
NOENV="env -u OO_EMAIL -u OO_PASSWORD -u OO_DATA_DIR -u OO_DB_PATH"
$NOENV "$BIN" --data-dir "$D" --db "$DB" serve --port 0 >"$T/web2" 2>"$T/web2.err" &
WPID=$!
end=$(( $(date +%s) + 30 ))
until [ -s "$T/web2" ]; do [ "$(date +%s)" -ge "$end" ] && fail "serve printed no URL: $(cat "$T/web2.err")"; sleep 0.1; done
W=$(head -1 "$T/web2"); W=${W%/}
code=$(C -o "$T/settings.json" -w '%{http_code}' -H 'Content-Type: application/json' -X PUT \
    --data '{"email":"trader@example.com","password":"demo","browsers":1}' "$W/api/settings")
[ "$code" = 200 ] || fail "PUT /api/settings: $code $(cat "$T/settings.json")"
export OO_DB_PATH="$DB"
C -X POST "$OO_BASE_URL/__sim/reset" >/dev/null
body=$(printf '{"mode":"sweep","test_url":"%s","parameter":"delta","config":{"start":30,"end":32,"step":2},"name":"with the settings"}' "${tline%%	*}")
code=$(C -o "$T/post.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "$body" "$W/api/runs")
[ "$code" = 201 ] || fail "POST /api/runs with the login from Settings: $code $(cat "$T/post.json")"
id=$(field "$T/post.json" id)
wait_run "$id" "not completed" '[ "$(field "$T/run.json" status)" = completed ]'
[ "$(field "$T/run.json" browsers)" = 1 ] || fail "the run from the dashboard did not take browsers = 1 from Settings: $(cat "$T/run.json")"
[ -s "$D/runs/$id/engine.log" ] || fail "no engine log in the server's data dir ($D/runs/$id)"
[ -d "$D/runs/$id/downloads" ] || fail "the engine did not work in the server's data dir ($D/runs/$id)"
[ -e "$HOME/.local/share/oo-automator" ] && fail "the engine used the default data dir: $(ls -R "$HOME/.local/share/oo-automator" | head)"
compare "$id" "from the dashboard with the settings"
# the same run from a terminal, with the same settings, database and data dir: the same results
C -X POST "$OO_BASE_URL/__sim/reset" >/dev/null
$NOENV "$BIN" --data-dir "$D" --db "$DB" run --url "${tline%%	*}" --param delta --start 30 --end 32 --step 2 --yes --no-cache \
    >"$T/term.out" 2>"$T/term.err" || fail "the same run from a terminal failed: $(tail -3 "$T/term.err")"
tid=$(sqlite3 "$DB" "SELECT MAX(id) FROM runs")
grep -qx "dashboard: $W/runs/$tid" "$T/term.err" || fail "the terminal's run did not name the dashboard: $(head -3 "$T/term.err")"
[ "$(sqlite3 "$DB" "SELECT browsers FROM runs WHERE id = $tid")" = 1 ] || fail "the terminal's run did not take browsers = 1 from Settings"
compare "$tid" "from the terminal with the settings"
same=$(sqlite3 "$DB" "SELECT COUNT(*) FROM tasks a JOIN results ra ON ra.task_id = a.id JOIN tasks b ON b.run_id = $tid \
    AND b.parameter_values = a.parameter_values JOIN results rb ON rb.task_id = b.id WHERE a.run_id = $id \
    AND ra.pl = rb.pl AND ra.cagr = rb.cagr AND ra.max_drawdown = rb.max_drawdown AND ra.mar = rb.mar \
    AND ra.win_percentage = rb.win_percentage AND ra.capture_rate = rb.capture_rate AND ra.trades_count = rb.trades_count")
[ "$same" = 2 ] || fail "the dashboard's and the terminal's runs differ ($same of 2 results equal)"
# a dashboard killed (no clean stop) is ignored: its process is gone
kill -KILL $WPID; wait $WPID 2>/dev/null; WPID=
$NOENV "$BIN" --data-dir "$D" --db "$DB" --json run --url "${tline%%	*}" --param delta --start 30 --end 30 --step 1 --yes \
    >"$T/term2.out" 2>"$T/term2.err" || fail "a run after the dashboard was killed failed: $(tail -3 "$T/term2.err")"
grep -q "^dashboard:" "$T/term2.err" && fail "a run named a dead dashboard: $(grep "^dashboard:" "$T/term2.err")"
# --json: the run and its results on stdout instead of the table
[ "$(jq -r '"\(.run.status) \(.results | length) \(.results[0].values.delta)"' "$T/term2.out")" = "completed 1 30" ] \
    || fail "run --json: $(cat "$T/term2.out")"
echo "dashboard: a run paused at $done_at_pause/4 and resumed, and a run whose engine was killed, both completed from the API with oo-sim's results; a run with the Settings page's login in the server's data dir equals the terminal's; an optimize run spent its budget of 3 after its estimate"
