# tests/lib.sh: what the shell tests share (POSIX sh). A test sources it first:
#   TESTS=$(cd "$(dirname "$0")/.." && pwd); . "$TESTS/lib.sh"
#
#   need_exec USAGE FILE...   exit 2 with "usage: USAGE" unless every FILE is an executable
#   tmpdir NAME               T: a fresh folder $OO_TEST_TMP/NAME.XXXXXX (or under /tmp); at exit
#                             every background job of the test still running gets SIGTERM and is
#                             waited for, then T is removed (kept when KEEP is set, or when
#                             KEEP_ON_FAIL is set and a check failed). A test that must do more
#                             first (kill -KILL an engine, print a log) defines before_cleanup().
#   bad MSG | ok | check WHAT EXPECTED ACTUAL | between WHAT LO HI N
#                             the checks: FAIL and PASS count them, a failure prints "FAIL: ..."
#   C ARGS...                 curl, no proxy, at most $CURL_MAX_TIME (20) seconds
#   start_listening NAME FD CMD ARGS...
#                             runs CMD in the background, its stdout through the fifo $T/NAME open
#                             on fd FD (0-9), its stderr in $T/NAME.err; reads its first line
#                             (a server prints its URL there) into LINE, the URL without its
#                             trailing slash into U, the pid into LAST_PID
#   start_sim ARGS...         oo-sim ($SIM) on a free port of 127.0.0.1 with ARGS: U, SPID; fd 3 stays open
#                             on the rest of its stdout (--print-tests lines), stderr in $T/sim.err;
#                             exits 1 when it did not print its URL
#   sim_test_url [NAME_REGEX] the URL of oo-sim's first saved test (or of the first whose name
#                             matches the jq regex); empty when there is none
#   compare_sim NAME JOIN WHERE [ARGS...]
#                             what oo-sim received ($T/NAME.sim.json) against the tasks of
#                             $OO_DB_PATH with their results ($T/NAME.db.json: JOIN is "JOIN" for
#                             the tasks with a result, "LEFT JOIN" for all; WHERE selects them),
#                             by tests/run/compare.lua NAME ARGS...; its exit status
#   engine_chromium PID       the pids of the Chromium an engine (PID) launched: its children
#                             with the engine's profile prefix; fails when there is none
#   summary                   "P passed, F failed"; its status is 0 when none failed
#   passed NAME [MORE]        "NAME passed[ MORE]" and exit 0 when no check failed, else
#                             "NAME: N failures" and exit 1

PASS=0
FAIL=0
T=

need_exec() {
    _usage=$1; shift
    for _f in "$@"; do
        [ -x "$_f" ] || { echo "usage: $_usage" >&2; exit 2; }
    done
}

bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
ok() { PASS=$((PASS + 1)); }
check() { # check WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then ok; else bad "$1: expected [$2], got [$3]"; fi
}
between() { # between WHAT LO HI N
    if [ "$4" -ge "$2" ] && [ "$4" -le "$3" ]; then ok; else bad "$1: $4 not in [$2, $3]"; fi
}

C() { curl -s --noproxy '*' --max-time "${CURL_MAX_TIME:-20}" "$@"; }

lib_cleanup() {
    command -v before_cleanup >/dev/null 2>&1 && before_cleanup
    [ -n "$T" ] || return 0
    # the jobs still running, listed by this shell itself (a $(jobs) would run in a subshell)
    jobs -p >"$T/.jobs" 2>/dev/null
    for _p in $(cat "$T/.jobs" 2>/dev/null); do kill "$_p" 2>/dev/null; done
    wait 2>/dev/null
    if [ -n "${KEEP:-}" ] || { [ -n "${KEEP_ON_FAIL:-}" ] && [ "$FAIL" -ne 0 ]; }; then
        echo "kept $T"
    else
        rm -rf "$T"
    fi
}

tmpdir() {
    mkdir -p "${OO_TEST_TMP:-/tmp}"
    T=$(mktemp -d "${OO_TEST_TMP:-/tmp}/$1.XXXXXX") || exit 1
    trap lib_cleanup EXIT
}

start_listening() { # start_listening NAME FD CMD ARGS...
    _name=$1 _fd=$2; shift 2
    rm -f "$T/$_name"
    mkfifo "$T/$_name"
    "$@" >"$T/$_name" 2>"$T/$_name.err" &
    LAST_PID=$!
    eval "exec $_fd<\"\$T/\$_name\""
    LINE=
    IFS= read -r LINE <&"$_fd"
    U=${LINE%/}
}

start_sim() { # start_sim ARGS...
    start_listening sim 3 "$SIM" --port 0 "$@"
    SPID=$LAST_PID
    case "$U" in
        http://127.0.0.1:*) ;;
        *) echo "FAIL: oo-sim did not start: [$LINE]"; cat "$T/sim.err"; exit 1 ;;
    esac
}

sim_test_url() { # sim_test_url [NAME_REGEX]
    C "$U/__sim/tests" | jq -r --arg n "${1:-}" '[.[] | select(.name | test($n))][0].url // empty'
}

compare_sim() { # compare_sim NAME JOIN WHERE [ARGS...]
    _name=$1 _join=$2 _where=$3; shift 3
    C "$U/__sim/backtests" >"$T/$_name.sim.json"
    sqlite3 -json "$OO_DB_PATH" "SELECT t.id AS task_id, t.status, t.stage, t.parameter_values AS task_values, \
        r.metrics AS metrics, (SELECT COUNT(*) FROM trades WHERE result_id = r.id) AS trades \
        FROM tasks t $_join results r ON r.task_id = t.id $_where ORDER BY t.seq" >"$T/$_name.db.json"
    "$BIN" lua "$TESTS/run/compare.lua" "$T/$_name.sim.json" "$T/$_name.db.json" "$_name" "$@"
}

engine_chromium() { # engine_chromium PID
    pgrep -P "$1" -f -- "--user-data-dir=/tmp/oo-chromium-"
}

summary() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}

passed() { # passed NAME [MORE]
    if [ "$FAIL" -eq 0 ]; then echo "$1 passed${2:+ $2}"; exit 0; fi
    echo "$1: $FAIL failures"
    exit 1
}
