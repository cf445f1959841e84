#!/bin/sh
# The password never reaches a log, in any encoding. It holds ", \, %, a space, +, &, <, and
# non-ASCII (é, a key emoji past U+FFFF), so that its JSON-escaped (once, twice: a JS string in
# a CDP message), \u-escaped (Chromium's JSON), URL-encoded and HTML-escaped spellings all
# differ from it. It also holds the marker Qz7k: any spelling of the password keeps those four
# letters, so no output, artifact or database of these runs may contain them at all.
#   1. `-vvv replay login.json` with OO_PASSWORD in the environment ({{OO_PASSWORD}})
#   2. `-vvv replay` of a recording that types the same password as a literal into the password
#      field (no OO_PASSWORD anywhere: only the fill itself can be masked)
#   3. `-vvv run` of one backtest, its password from ./.env
# Each logs in for real (oo-sim takes exactly this password) and its trace shows the CDP
# traffic, so the absence is not for want of logging. usage: secret_trace.sh OO_AUTOMATOR OO_SIM
BIN=$1
SIM=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
need_exec "secret_trace.sh OO_AUTOMATOR OO_SIM" "$BIN" "$SIM"
command -v jq >/dev/null || { echo "secret_trace: jq is needed (dev.sh installs it)"; exit 1; }
tmpdir secret
PW='Qz7k"pa\ss%41 x+y&<é-🔑'

start_sim --print-tests --password "$PW"
IFS= read -r tline <&3
export OO_BASE_URL="$U" OO_EMAIL=trader@example.com OO_RATE_LIMIT=0 HOME="$T" OO_DATA_DIR="$T/data"
unset OO_PASSWORD OO_DB_PATH
cd "$T" || exit 1

# 1. the placeholder, from the environment
OO_PASSWORD="$PW" "$BIN" -vvv replay "$ROOT/recordings/login.json" --artifacts "$T/art1" >"$T/1.log" 2>&1 \
    || bad "replay with {{OO_PASSWORD}} did not log in: $(tail -3 "$T/1.log")"

# 2. the same password typed as a literal into the password field
jq --arg pw "$PW" '(.steps[] | select(.value == "{{OO_PASSWORD}}") | .value) |= $pw' \
    "$ROOT/recordings/login.json" >"$T/literal.json"
grep -q Qz7k "$T/literal.json" || bad "the literal recording does not hold the password"
"$BIN" -vvv replay "$T/literal.json" --artifacts "$T/art2" >"$T/2.log" 2>&1 \
    || bad "replay with the literal password did not log in: $(tail -3 "$T/2.log")"

# 3. a run, the password from ./.env (quoted as a .env file quotes it)
printf "OO_PASSWORD='%s'\n" "$PW" >"$T/.env"
"$BIN" -vvv run --url "${tline%%	*}" --param delta --start 10 --end 10 --step 1 --browsers 1 --yes >"$T/3.log" 2>&1 \
    || bad "the run failed: $(grep -v ' trace ' "$T/3.log" | tail -5)"
rm -f "$T/.env"

for f in 1 2 3; do
    [ "$(grep -c 'cdp: -> ' "$T/$f.log")" -gt 20 ] || bad "log $f has no CDP trace"
    grep -q '\*\*\*\*\*\*\*\*' "$T/$f.log" || bad "log $f masked nothing"
    n=$(grep -c 'Qz7k' "$T/$f.log")
    [ "$n" = 0 ] || bad "log $f shows the password $n times: $(grep -o '.\{60\}Qz7k.\{40\}' "$T/$f.log" | head -3)"
done
# nor any artifact, nor the database (its WAL included)
leaks=$(grep -rl 'Qz7k' "$T/data" "$T/art1" "$T/art2" 2>/dev/null)
[ -z "$leaks" ] || bad "the password is in $leaks"

passed secret_trace
