#!/bin/sh
# No child gets a secret through its environment. A dashboard started with OO_PASSWORD in its
# environment starts a run: while it works, every process under the dashboard (the engine it
# spawned, Chromium, its crashpad handler, renderers, utilities) is read from /proc: none has
# OO_PASSWORD or the password in its environment, Chromium's processes have no OO_* variable at
# all and no descriptor of the password's hand-over; the run still logs in (the engine got the
# password from its parent) and completes. A Lua script's own child (os.execute) and oo-sim
# started by the demo inherit no secret either. usage: child_env.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "child_env.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
tmpdir childenv
SECRET='Pa55-"ch1ld"-%41-env'

start_sim --print-tests --latency-ms 2500 --password "$SECRET"
IFS= read -r tline <&3
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_RATE_LIMIT=0 HOME="$T" OO_DATA_DIR="$T/data"
unset OO_DB_PATH
cd "$T" || exit 1
start_listening web 4 env OO_PASSWORD="$SECRET" "$BIN" serve --port 0
WPID=$LAST_PID W=$U
case "$W" in http://127.0.0.1:*) ;; *) echo "FAIL: serve printed [$W]"; exit 1 ;; esac

descendants() { # descendants PID: every process under PID, depth first
    for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$c"; descendants "$c"; done
}

body=$(printf '{"mode":"sweep","test_url":"%s","parameter":"delta","config":{"start":10,"end":14,"step":2},"browsers":2}' "${tline%%	*}")
code=$(C -o "$T/post.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "$body" "$W/api/runs")
[ "$code" = 201 ] || { echo "FAIL: POST /api/runs: $code $(cat "$T/post.json")"; exit 1; }
id=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/post.json" | head -1)
# while the backtests run (2.5 s each), read every process under the dashboard, more than once
end=$(( $(date +%s) + 180 ))
seen_chromium=0 seen_engine=0 rounds=0
while :; do
    st=$(C "$W/api/runs/$id" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' | head -1)
    case "$st" in completed|failed) break ;; esac
    [ "$(date +%s)" -ge "$end" ] && { bad "run $id still [$st] after 180 s"; break; }
    for p in $(descendants "$WPID"); do
        tr '\0' '\n' </proc/"$p"/environ >"$T/env.$p" 2>/dev/null || continue
        exe=$(readlink /proc/"$p"/exe 2>/dev/null)
        grep -q '^OO_PASSWORD=' "$T/env.$p" && bad "process $p ($exe) has OO_PASSWORD in its environment"
        grep -qF "$SECRET" "$T/env.$p" && bad "process $p ($exe) has the password in its environment"
        case "$exe" in
        */oo-automator) seen_engine=1 ;;
        *)
            seen_chromium=1
            grep -q '^OO_' "$T/env.$p" && bad "process $p ($exe) has OO_ variables: $(grep '^OO_' "$T/env.$p" | cut -d= -f1 | tr '\n' ' ')"
            ls -l /proc/"$p"/fd 2>/dev/null | grep -q 'memfd:oo-password' && bad "process $p ($exe) holds the password's descriptor"
            ;;
        esac
    done
    rounds=$((rounds + 1))
    sleep 0.5
done
[ "$st" = completed ] || bad "run $id ended [$st]: $(tail -5 "$T/data/runs/$id/engine.log")"
[ "$seen_engine" = 1 ] && [ "$seen_chromium" = 1 ] || bad "did not see the engine ($seen_engine) and Chromium ($seen_chromium) at work"
n=$(C "$W/api/runs/$id/results" | grep -o '"task_id"' | wc -l)
[ "$n" = 3 ] || bad "run $id: $n results, expected 3 (the engine logged in with the handed-over password)"
grep -qF "$SECRET" "$T/data/runs/$id/engine.log" && bad "the engine's log holds the password"

# a Lua script's own children
printf 'os.execute("env > %s/lua-child.env")\n' "$T" >"$T/child.lua"
OO_PASSWORD="$SECRET" "$BIN" lua "$T/child.lua" || bad "lua child.lua failed"
grep -q '^OO_PASSWORD=' "$T/lua-child.env" && bad "a Lua script's child got OO_PASSWORD"
grep -qF "$SECRET" "$T/lua-child.env" && bad "a Lua script's child got the password"

# oo-sim started by the demo, with the user's own password in the environment
cat >"$T/fake-sim.sh" <<EOF
#!/bin/sh
env > "$T/sim-child.env"
exec "$SIM" "\$@"
EOF
chmod +x "$T/fake-sim.sh"
( OO_PASSWORD="$SECRET" OO_DATA_DIR="$T/demo" OO_SIM="$T/fake-sim.sh" exec "$BIN" demo --exit --latency-ms 50 ) >"$T/demo.out" 2>&1 \
    || bad "demo failed: $(tail -5 "$T/demo.out")"
[ -f "$T/sim-child.env" ] || bad "the demo did not start oo-sim through OO_SIM"
grep -q '^OO_' "$T/sim-child.env" && bad "oo-sim got OO_ variables: $(grep '^OO_' "$T/sim-child.env" | cut -d= -f1 | tr '\n' ' ')"

passed child_env "($rounds looks at the processes)"
