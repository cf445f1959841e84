#!/bin/sh
# Everything in the data dir is the user's alone, whatever the umask: under umask 022 (the usual)
# and 000 (the laxest), a dashboard with a saved password starts a run whose backtests meet site
# errors (screenshots, page snapshots, network logs) and download their trade logs; then every
# folder of the data dir is 0700 and every file 0600: the database with its WAL and SHM, the
# engine's log, the artifacts, the downloads, the password.
# usage: private_files.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "private_files.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
tmpdir private
WPID=
# every other backtest ends with OptionOmega's error toast (seeded: the same ones each time)
start_sim --print-tests --faults error=0.5 --seed 3
IFS= read -r tline <&3
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_RATE_LIMIT=0 HOME="$T"
unset OO_PASSWORD OO_DB_PATH
cd "$T" || exit 1

one_umask() { # one_umask MASK: a dashboard and its run in a fresh data dir under that umask
    mask=$1
    D="$T/data-$mask"
    export OO_DATA_DIR="$D"
    mkfifo "$T/web-$mask"
    ( umask "$mask"; exec "$BIN" serve --port 0 >"$T/web-$mask" 2>"$T/web-$mask.err" ) &
    WPID=$!
    exec 4<"$T/web-$mask"
    IFS= read -r W <&4
    W=${W%/}
    case "$W" in http://127.0.0.1:*) ;; *) bad "umask $mask: serve printed [$W]"; return ;; esac
    code=$(C -o "$T/pw.json" -w '%{http_code}' -H 'Content-Type: application/json' -X PUT --data '{"password":"demo"}' "$W/api/settings")
    [ "$code" = 200 ] || bad "umask $mask: PUT /api/settings: $code $(cat "$T/pw.json")"
    body=$(printf '{"mode":"sweep","test_url":"%s","parameter":"delta","config":{"start":10,"end":16,"step":2},"browsers":1}' "${tline%%	*}")
    code=$(C -o "$T/post.json" -w '%{http_code}' -H 'Content-Type: application/json' -X POST --data "$body" "$W/api/runs")
    [ "$code" = 201 ] || { bad "umask $mask: POST /api/runs: $code $(cat "$T/post.json")"; return; }
    id=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/post.json" | head -1)
    end=$(( $(date +%s) + 240 ))
    while :; do
        st=$(C "$W/api/runs/$id" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' | head -1)
        case "$st" in completed|failed) break ;; esac
        [ "$(date +%s)" -ge "$end" ] && { bad "umask $mask: run $id still [$st] after 240 s"; break; }
        sleep 0.5
    done
    # what there must be, so that the modes below are checked on real files
    for f in "$D/oo_automator.db" "$D/oo_automator.db-wal" "$D/oo_automator.db-shm" "$D/password" "$D/runs/$id/engine.log"; do
        [ -f "$f" ] || bad "umask $mask: no $f"
    done
    for pat in '*.png' '*.html' '*.network.json'; do
        [ -n "$(find "$D/runs" -name "$pat" -type f | head -1)" ] || bad "umask $mask: no $pat artifact under runs/"
    done
    # the run reads each trade log and removes it: a download kept, into the same kind of folder,
    # shows the mode Chromium gives what it writes there
    ( umask "$mask"; exec "$BIN" lua "$T/download.lua" "$D/runs/$id/downloads/kept" "$OO_BASE_URL/" ) >"$T/dl-$mask.out" 2>&1 \
        || bad "umask $mask: the download failed: $(cat "$T/dl-$mask.out")"
    [ -n "$(find "$D/runs/$id/downloads" -type f -name 'trades*.csv' | head -1)" ] || bad "umask $mask: no downloaded file"
    # ... and every one of them private
    loose=$(find "$D" \( -type d ! -perm 0700 \) -o \( -type f ! -perm 0600 \))
    [ -z "$loose" ] || bad "umask $mask: not private: $(ls -ld $loose | awk '{print $1, $NF}' | tr '\n' ';')"
    kill "$WPID"; wait "$WPID" 2>/dev/null; WPID=
    exec 4<&-
}
cat >"$T/download.lua" <<'LUA'
local browser = require("browser")
local b = browser.launch { headless = true }
local ctx = b:new_context()
require("fs").mkdir(arg[1])
ctx:set_download_dir(arg[1])
local page = ctx:new_page()
page:navigate(arg[2])
local dl = page:expect_download()
page:eval([[(() => { const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob(['Date Opened,P/L\n2024-01-02,10\n'], { type: 'text/csv' }));
  a.download = 'trades.csv'; document.body.append(a); a.click(); return true })()]])
print(dl:wait().path)
b:close()
LUA
one_umask 022
one_umask 000

# a data dir left world-readable by an older version is made private by the next command that
# writes, and so is its database
O="$T/old"
mkdir -p "$O"
OO_DATA_DIR="$O" "$BIN" tests rename nothing x >/dev/null 2>&1
chmod 0755 "$O" && chmod 0644 "$O/oo_automator.db"
OO_DATA_DIR="$O" "$BIN" pause --run-id 1 >/dev/null 2>&1
[ "$(stat -c %a "$O")" = 700 ] || bad "an old data dir stayed $(stat -c %a "$O")"
[ "$(stat -c %a "$O/oo_automator.db")" = 600 ] || bad "an old database stayed $(stat -c %a "$O/oo_automator.db")"

passed private_files
