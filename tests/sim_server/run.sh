#!/bin/sh
# oo-sim's HTTP API over real sockets on 127.0.0.1, with curl and jq.
# usage: run.sh PATH/TO/oo-sim PATH/TO/sim_server_bt_metrics
# Each oo-sim is started with --port 0; its URL is read from the first line of its stdout
# (through a fifo: the read blocks until the line is there).
SIM=$1
BTM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "run.sh OO_SIM BT_METRICS" "$SIM" "$BTM"
tmpdir sim_server
PID=

start() { # start ARGS... -> sets U (base URL without the slash) and PID
    rm -f "$T/cookies"
    start_listening sim 3 "$SIM" --port 0 "$@"
    PID=$LAST_PID
    case "$U" in http://127.0.0.1:*) ok ;; *) bad "first stdout line is the URL, got [$LINE]"; exit 1 ;; esac
}
stop() {
    kill -TERM "$PID"
    wait "$PID"
    check "exit status after SIGTERM" 0 $?
    PID=
    exec 3<&-
}
code() { C -o /dev/null -w '%{http_code}' "$@"; }
login() { C -c "$T/cookies" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
              -d '{"email":"tester@example.com","password":"demo"}' "$U/api/login"; }
wait_done() { # wait_done BTID -> prints the final status (deadline 60 s)
    end=$(($(date +%s) + 60))
    while :; do
        st=$(C -b "$T/cookies" "$U/api/backtests/$1" | jq -r .status)
        [ "$st" != running ] && { echo "$st"; return; }
        [ "$(date +%s)" -ge "$end" ] && { echo timeout; return; }
        sleep 0.02  # polling interval (the page polls too), not a settle wait
    done
}

# ---- flags -------------------------------------------------------------------------------
"$SIM" --bogus >/dev/null 2>"$T/e"; check "bad flag exit status" 2 $?
check "bad flag: one line on stderr" 1 "$(wc -l <"$T/e")"
grep -q -- '--help' "$T/e" && ok || bad "bad flag message has a usage hint: $(cat "$T/e")"
"$SIM" --faults nope=0.5 >/dev/null 2>&1; check "unknown fault kind" 2 $?
"$SIM" --faults slow=2 >/dev/null 2>&1; check "fault rate above 1" 2 $?
"$SIM" --port=70000 >/dev/null 2>"$T/e"; check "port out of range" 2 $?
grep -q 'expected 0 to 65535, found "70000"' "$T/e" && ok || bad "port message: $(cat "$T/e")"
"$SIM" --seed >/dev/null 2>"$T/e"; check "flag without its value" 2 $?
grep -q -- '--seed needs a value' "$T/e" && ok || bad "missing value message: $(cat "$T/e")"
"$SIM" --ui-variant 3 >/dev/null 2>&1; check "ui variant 3" 2 $?
"$SIM" --host example.org --port 0 >/dev/null 2>"$T/e"; check "host not an IPv4 address" 2 $?
grep -q '"example.org" is not an IPv4 address' "$T/e" && ok || bad "host message: $(cat "$T/e")"
"$SIM" --help >"$T/o" 2>&1; check "--help exit status" 0 $?
grep -q '^usage: oo-sim' "$T/o" && ok || bad "--help prints the usage: $(head -2 "$T/o")"

# ---- pages, login, sessions ---------------------------------------------------------------
start
check "GET / (landing)" 200 "$(code "$U/")"
C -o /dev/null -D "$T/h" "$U/dashboard"
check "/dashboard without a session" 302 "$(head -1 "$T/h" | cut -d' ' -f2)"
grep -qi '^location: /' "$T/h" && ok || bad "redirect goes to /"
check "/test/x/backtests/bt_1 without a session" 302 "$(code "$U/test/x/backtests/bt_1")"
check "/api/me without a session" 401 "$(code "$U/api/me")"
check "/api/tests without a session" '{"error":"Unauthenticated"}' "$(C "$U/api/tests")"
check "bad password" '{"error":"Invalid email or password"}' \
    "$(C -d '{"email":"a@b.c","password":"nope"}' "$U/api/login")"
check "bad password status" 401 "$(code -d '{"email":"a@b.c","password":"nope"}' "$U/api/login")"
check "malformed login body" 401 "$(code -d '{"email":' "$U/api/login")"
C -D "$T/h" -o "$T/b" -c "$T/cookies" -d '{"email":"tester@example.com","password":"demo"}' "$U/api/login"
check "login" '{"email":"tester@example.com"}' "$(cat "$T/b")"
grep -qiE '^set-cookie: oo_session=[0-9a-f]{16,}; HttpOnly; Path=/; SameSite=Lax' "$T/h" && ok || bad "session cookie: $(grep -i set-cookie "$T/h")"
check "/api/me" "tester@example.com" "$(C -b "$T/cookies" "$U/api/me" | jq -r .email)"
check "/dashboard with a session" 200 "$(code -b "$T/cookies" "$U/dashboard")"
C -b "$T/cookies" -o "$T/b" -D "$T/h" "$U/test/abc"
grep -qi '^content-type: text/html' "$T/h" && grep -q 'id="app"' "$T/b" && ok || bad "page routes serve the SPA shell"

# ---- static files -------------------------------------------------------------------------
C -o /dev/null -D "$T/h" "$U/assets/app.js"
grep -qi '^content-type: text/javascript' "$T/h" && ok || bad "app.js type: $(grep -i content-type "$T/h")"
C -o /dev/null -D "$T/h" "$U/assets/app.css"
grep -qi '^content-type: text/css' "$T/h" && ok || bad "app.css type"
check "vendor vue" 200 "$(code "$U/vendor/vue/package.json")"
for p in '/assets/../../etc/passwd' '/assets/%2e%2e/%2e%2e/etc/passwd' '/assets/%2E%2E%2F%2E%2E%2Fbt%2Fbt.h' \
         '/vendor/vue/..%2f..%2f..%2f..%2fetc/passwd' '/vendor/../sim/bt/bt.h' '//etc/passwd' \
         '/vendor/playwright-core/package.json' '/vendor/vue/../../../CMakeLists.txt' '/assets/..%5c..%5cCMakeLists.txt'; do
    check "traversal $p" 404 "$(code --path-as-is "$U$p")"
done

# ---- saved tests --------------------------------------------------------------------------
C -b "$T/cookies" "$U/api/tests" >"$T/tests"
n=$(jq length "$T/tests")
[ "$n" -ge 1 ] && ok || bad "at least one saved test"
check "every test has id, name, ticker, updatedAt, url" "$n" \
    "$(jq '[.[] | select((.id|test("^[A-Za-z0-9]{8}$")) and .name and .ticker and .updatedAt and (.url == "/test/" + .id))] | length' "$T/tests")"
ID=$(jq -r '.[0].id' "$T/tests")
NAME=$(jq -r '.[0].name' "$T/tests")
C -b "$T/cookies" "$U/api/tests/$ID" >"$T/test"
check "GET /api/tests/<id>" "$ID" "$(jq -r .id "$T/test")"
jq -c .config "$T/test" >"$T/config"
check "__sim/tests has full URLs" "$U/test/$ID" "$(C "$U/__sim/tests" | jq -r '.[0].url')"
check "unknown test" 404 "$(code -b "$T/cookies" "$U/api/tests/nope")"

# ---- a backtest ---------------------------------------------------------------------------
C -b "$T/cookies" -o "$T/b" -w '%{http_code}' --data-binary @"$T/config" "$U/api/tests/$ID/backtests" >"$T/code"
check "start a backtest" 202 "$(cat "$T/code")"
BT=$(jq -r .id "$T/b")
check "start answer" "running" "$(jq -r .status "$T/b")"
case "$BT" in bt_[0-9]*) ok ;; *) bad "backtest id bt_N: $BT" ;; esac
check "backtest finishes" done "$(wait_done "$BT")"
C -b "$T/cookies" "$U/api/backtests/$BT/results" >"$T/results"
"$BTM" "$T/config" >"$T/direct"
check "API metrics == bt_run" "$(jq -cS .metrics "$T/direct")" "$(jq -cS .metrics "$T/results")"
check "API equity == bt_run" "$(jq -c .equity "$T/direct" | md5sum)" "$(jq -c .equity "$T/results" | md5sum)"
check "results carry the config" "$(jq -cS . "$T/config" | jq -cS .ticker)" "$(jq -cS .config.ticker "$T/results")"
C "$U/__sim/backtests" >"$T/log"
check "__sim metrics == bt_run" "$(jq -cS .metrics "$T/direct")" "$(jq -cS '.[0].metrics' "$T/log")"
check "__sim entry" "$BT $ID done" "$(jq -r '.[0] | "\(.id) \(.testId) \(.status)"' "$T/log")"
jq -e '.[0].receivedAt and .[0].config.legs' "$T/log" >/dev/null && ok || bad "__sim entry has receivedAt and config"
# overAt: when it stopped running (the gate test's overlaps are read from it), not before it began
jq -e '.[0].overAt >= .[0].receivedAt' "$T/log" >/dev/null && ok || bad "__sim entry has overAt, not before receivedAt: $(jq -c '.[0] | [.receivedAt, .overAt]' "$T/log")"
check "trades rows == metrics.trades" "$(jq .metrics.trades "$T/results")" "$(C -b "$T/cookies" "$U/api/backtests/$BT/trades" | jq length)"
C -b "$T/cookies" -D "$T/h" -o "$T/csv" "$U/api/backtests/$BT/tradelog.csv"
FN=$(printf '%s' "$NAME" | tr ' /' '--')
grep -qiF "content-disposition: attachment; filename=\"$FN-$BT-trade-log.csv\"" "$T/h" && ok || bad "CSV disposition: $(grep -i disposition "$T/h")"
check "CSV header" "Date Opened,Time Opened,Opening Price,Legs" "$(head -1 "$T/csv" | cut -d, -f1-4)"
check "same config, same metrics" "$(jq -cS .metrics "$T/results")" "$(
    B2=$(C -b "$T/cookies" --data-binary @"$T/config" "$U/api/tests/$ID/backtests" | jq -r .id)
    wait_done "$B2" >/dev/null; C -b "$T/cookies" "$U/api/backtests/$B2/results" | jq -cS .metrics)"

# ---- a configuration that cannot trade: refused, every time -----------------------------------
# a weekend (2020-01-04 and 05): no trading day, no trade; OptionOmega's answer is an error, the
# same for every run of that configuration, and never a fault (/__sim/backtests has none)
jq -c '.startDate = "2020-01-04" | .endDate = "2020-01-05"' "$T/config" >"$T/weekend"
for i in 1 2; do
    B=$(C -b "$T/cookies" --data-binary @"$T/weekend" "$U/api/tests/$ID/backtests" | jq -r .id)
    check "a weekend: refused ($i)" error "$(wait_done "$B")"
    check "a weekend: what it says ($i)" "No trades were found for these settings. Check your entry conditions and dates." \
        "$(C -b "$T/cookies" "$U/api/backtests/$B" | jq -r .error)"
    check "a weekend: no results ($i)" 409 "$(code -b "$T/cookies" "$U/api/backtests/$B/results")"
    check "a weekend: no fault ($i)" null "$(C "$U/__sim/backtests" | jq -r --arg b "$B" '.[] | select(.id == $b) | .fault')"
done

# ---- bad input ----------------------------------------------------------------------------
C -b "$T/cookies" -o "$T/b" -w '%{http_code}' -d '{"ticker":5}' "$U/api/tests/$ID/backtests" >"$T/code"
check "bad config status" 400 "$(cat "$T/code")"
jq -r .error "$T/b" | grep -q '^ticker' && ok || bad "bad config names the field: $(cat "$T/b")"
jq -c '.legs[0].dte = "x"' "$T/config" >"$T/badleg"
C -b "$T/cookies" --data-binary @"$T/badleg" "$U/api/tests/$ID/backtests" | jq -r .error | grep -q 'legs\[0\]\.dte' && ok || bad "bad leg names legs[0].dte"
check "malformed JSON" 400 "$(code -b "$T/cookies" -d '{"ticker":' "$U/api/tests/$ID/backtests")"
check "empty body" 400 "$(code -b "$T/cookies" -X POST "$U/api/tests/$ID/backtests")"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T/big"
check "body over 1 MB" 413 "$(code -b "$T/cookies" --data-binary @"$T/big" "$U/api/tests/$ID/backtests")"
check "unknown API route" 404 "$(code -b "$T/cookies" "$U/api/nope")"
C -b "$T/cookies" "$U/api/nope" | jq -e .error >/dev/null && ok || bad "unknown API route answers JSON"
check "DELETE /api/tests" 405 "$(code -b "$T/cookies" -X DELETE "$U/api/tests")"
check "GET /api/login" 405 "$(code "$U/api/login")"
check "GET on backtests collection" 405 "$(code -b "$T/cookies" "$U/api/tests/$ID/backtests")"
check "unknown backtest" 404 "$(code -b "$T/cookies" "$U/api/backtests/bt_999")"
check "POST /__sim/backtests" 405 "$(code -X POST "$U/__sim/backtests")"
check "server alive after all that" 200 "$(code -b "$T/cookies" "$U/api/me")"

# ---- reset, logout ------------------------------------------------------------------------
check "POST /__sim/reset" 200 "$(code -X POST "$U/__sim/reset")"
check "log empty after reset" 0 "$(C "$U/__sim/backtests" | jq length)"
check "logout" 200 "$(code -b "$T/cookies" -X POST "$U/api/logout")"
check "/api/me after logout" 401 "$(code -b "$T/cookies" "$U/api/me")"
check "UI faults off by default" '0 0 0 false' \
    "$(login >/dev/null; C -b "$T/cookies" "$U/api/app-config?context=dialog" | jq -r '"\(.renderDelayMs) \(.revealDelayMs) \(.overlayMs) \(.cancelIgnored)"')"
stop

# ---- stable ids ---------------------------------------------------------------------------
start
login >/dev/null
check "test ids stable across runs" "$(jq -c '[.[].id]' "$T/tests")" "$(C -b "$T/cookies" "$U/api/tests" | jq -c '[.[].id]')"
stop

# ---- faults -------------------------------------------------------------------------------
ratelimit_run() { # prints the sequence of start statuses for 40 backtests
    start --faults ratelimit=0.5 --seed "$1"
    login >/dev/null
    i=0; seq=
    while [ $i -lt 40 ]; do
        seq="$seq $(code -b "$T/cookies" -o "$T/b" --data-binary @"$T/config" "$U/api/tests/$ID/backtests")"
        i=$((i + 1))
    done
    n429=$(echo "$seq" | tr ' ' '\n' | grep -c 429)
    check "every 429 is logged as a ratelimit fault" "$n429" "$(C "$U/__sim/backtests" | jq '[.[] | select(.fault == "ratelimit")] | length')"
    check "every request is logged" 40 "$(C "$U/__sim/backtests" | jq length)"
    stop
    echo "$seq" >"$T/seq.$2"
}
ratelimit_run 7 a
n=$(tr ' ' '\n' <"$T/seq.a" | grep -c 429)
between "ratelimit=0.5 over 40" 10 30 "$n"
ratelimit_run 7 b
check "same seed, same faults" "$(cat "$T/seq.a")" "$(cat "$T/seq.b")"
ratelimit_run 8 c
[ "$(cat "$T/seq.a")" != "$(cat "$T/seq.c")" ] && ok || bad "another seed, other faults"

start --faults error=0.5 --seed 3
login >/dev/null
i=0; nerr=0
while [ $i -lt 20 ]; do
    b=$(C -b "$T/cookies" --data-binary @"$T/config" "$U/api/tests/$ID/backtests" | jq -r .id)
    st=$(wait_done "$b")
    if [ "$st" = error ]; then
        nerr=$((nerr + 1))
        C -b "$T/cookies" "$U/api/backtests/$b" | jq -r .error | grep -q '^Backtest failed' && ok || bad "error message"
    else check "not an error: done" done "$st"; fi
    i=$((i + 1))
done
between "error=0.5 over 20" 4 16 "$nerr"
check "errors logged" "$nerr" "$(C "$U/__sim/backtests" | jq '[.[] | select(.fault == "error" and .status == "error")] | length')"
stop

# trouble that passes: every backtest would fail, but at most 2 faults fire, then none; a reset
# of the logs counts afresh
start --faults error=1 --fault-limit 2
login >/dev/null
seq=""
for i in 1 2 3 4; do
    [ $i = 4 ] && C -X POST "$U/__sim/reset" >/dev/null
    b=$(C -b "$T/cookies" --data-binary @"$T/config" "$U/api/tests/$ID/backtests" | jq -r .id)
    seq="$seq$(wait_done "$b") "
done
check "--fault-limit 2" "error error done error " "$seq"
stop
"$SIM" --fault-limit x >/dev/null 2>&1; check "--fault-limit not a number" 2 $?

start --faults drop=0.5 --seed 5
login >/dev/null
i=0; ndrop=0
while [ $i -lt 20 ]; do
    b=$(C -b "$T/cookies" --data-binary @"$T/config" "$U/api/tests/$ID/backtests" | jq -r .id)
    C -b "$T/cookies" -o /dev/null "$U/api/backtests/$b"
    rc=$?
    if [ $rc -eq 52 ] || [ $rc -eq 56 ]; then  # empty reply / connection reset: no response at all
        ndrop=$((ndrop + 1))
        check "a dropped backtest is lost" 404 "$(code -b "$T/cookies" "$U/api/backtests/$b")"
    else check "poll answered" 0 $rc; fi
    i=$((i + 1))
done
between "drop=0.5 over 20" 4 16 "$ndrop"
check "drops logged" "$ndrop" "$(C "$U/__sim/backtests" | jq '[.[] | select(.fault == "drop")] | length')"
stop

start --faults session=0.5 --seed 9
login >/dev/null
i=0; nses=0
while [ $i -lt 20 ]; do
    b=$(C -b "$T/cookies" --data-binary @"$T/config" "$U/api/tests/$ID/backtests" | jq -r .id)
    wait_done "$b" >/dev/null
    if [ "$(code -b "$T/cookies" "$U/api/tests")" = 401 ]; then
        nses=$((nses + 1))
        check "login again after expiry" 200 "$(login)"
    fi
    i=$((i + 1))
done
between "session=0.5 over 20" 4 16 "$nses"
check "session faults logged" "$nses" "$(C "$U/__sim/backtests" | jq '[.[] | select(.fault == "session")] | length')"
stop

start --session-max-backtests 2
login >/dev/null
for k in 1 2; do
    b=$(C -b "$T/cookies" --data-binary @"$T/config" "$U/api/tests/$ID/backtests" | jq -r .id)
    check "backtest $k under max-backtests" done "$(wait_done "$b")"
done
check "session gone after 2 backtests" 401 "$(code -b "$T/cookies" "$U/api/tests")"
check "page after expiry goes to the landing page" 302 "$(code -b "$T/cookies" "$U/dashboard")"
stop

dialog_run() { # prints "slow overlay stuck" counts over 40 dialog openings
    start --faults "$1" --seed 11
    login >/dev/null
    i=0; : >"$T/cfgs"
    while [ $i -lt 40 ]; do C -b "$T/cookies" "$U/api/app-config?context=dialog" >>"$T/cfgs"; echo >>"$T/cfgs"; i=$((i + 1)); done
    stop
    jq -s -r '"\([.[] | select(.renderDelayMs > 0 and .revealDelayMs > 0)] | length) \([.[] | select(.overlayMs > 0)] | length) \([.[] | select(.cancelIgnored)] | length)"' "$T/cfgs"
}
set -- $(dialog_run all=0.5)
between "slow=0.5 over 40" 10 30 "$1"
between "overlay=0.5 over 40" 10 30 "$2"
between "stuck-modal=0.5 over 40" 10 30 "$3"
check "same seed, same dialog faults" "$1 $2 $3" "$(dialog_run all=0.5)"
check "slow only" "40 0 0" "$(dialog_run slow=1)"

start --latency-ms 3000   # wide enough that a loaded machine still sees the backtest running
login >/dev/null
b=$(C -b "$T/cookies" --data-binary @"$T/config" "$U/api/tests/$ID/backtests" | jq -r .id)
t0=$(date +%s%N)
check "still running under latency" running "$(C -b "$T/cookies" "$U/api/backtests/$b" | jq -r .status)"
check "no overAt while it runs" null "$(C "$U/__sim/backtests" | jq -r '.[0].overAt')"
check "other requests answer while a backtest waits" 200 "$(code -b "$T/cookies" "$U/api/tests")"
check "done after the latency" done "$(wait_done "$b")"
# overAt is when the latency ran out (the app's next poll sees done), not when it was asked: at
# least 3 s after receivedAt (the stamps' seconds since midnight, to the millisecond)
C "$U/__sim/backtests" >"$T/log"
ran_ms=$(jq '.[0] | [.receivedAt, .overAt] | map(.[11:23] | split(":") | (.[0] | tonumber) * 3600000 + (.[1] | tonumber) * 60000 + (.[2] | tonumber) * 1000) | .[1] - .[0] | round' "$T/log")
between "overAt - receivedAt under --latency-ms 3000 (ms)" 3000 60000 "$ran_ms"
stop

# ---- a paused site: stopped (SIGSTOP) and continued, it serves on -----------------------------
# (its event loop's wait came back interrupted, EINTR, and oo-sim took that for the end: exit 0)
start
kill -STOP "$PID"
C -o /dev/null --max-time 1 "$U/" 2>/dev/null   # a client that gives up on the stopped site
kill -CONT "$PID"
check "answers after SIGSTOP and SIGCONT" 200 "$(code "$U/")"
kill -0 "$PID" 2>/dev/null && ok || bad "oo-sim ended when it was continued"
stop

summary
