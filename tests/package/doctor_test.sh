#!/usr/bin/env bash
# oo-automator doctor against a real oo-sim and real files: every check passes on a machine set
# up right (exit 0), and each thing that can be wrong is named with its fix (exit 1): no
# Chromium, a database at another schema (left exactly as it was), a data dir or password file
# others can read, a missing or malformed recording, a parameter script that does not load
# (file:line), no credentials, a site that does not answer, a password the site refuses.
# The password is never printed. usage: doctor_test.sh OO_AUTOMATOR OO_SIM
set -u
BIN=$1 SIM=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
tmpdir doctor
root=$T
cd "$root" || exit 2

start_sim

unset OO_HOME OO_RECORDINGS OO_PARAMETERS_PATH OO_LUA_PATH OO_DB_PATH OO_CHROMIUM XDG_DATA_HOME
export HOME=$root/home OO_DATA_DIR=$root/data OO_BASE_URL=$U OO_EMAIL=trader@example.com OO_PASSWORD=demo
mkdir -p "$HOME" && mkdir -m 700 "$OO_DATA_DIR"

nparams=$(ls "$SRC/parameters"/*.lua | wc -l)
# doctor ARGS... : output in $out, exit status in $rc. nobrowser ARGS...: the same without
# starting Chromium, for the checks that need none (quicker)
doctor() { out=$("$BIN" "$@" 2>&1); rc=$?; }
nobrowser() { out=$(OO_CHROMIUM=/nonexistent/chrome "$BIN" "$@" 2>&1); rc=$?; }
line() { printf '%s\n' "$out" | grep -E "^$1 +$2 " | head -1; }   # STATUS CHECK
expect_line() { # STATUS CHECK TEXT
  local l; l=$(line "$1" "$2")
  case "$l" in *"$3"*) ok ;; *) bad "doctor: expected '$1 $2 ...$3...', got: $out" ;; esac
}
has() { case "$out" in *"$1"*) ok ;; *) bad "doctor output lacks '$1': $out" ;; esac; }
expect_rc() { [ "$rc" = "$1" ] && ok || bad "doctor exited $rc, expected $1: $out"; }

# --- all set: every check passes, the login too ---------------------------------------------
db=$root/data/oo_automator.db
# a command that writes creates it (`tests` only reads, and creates nothing)
"$BIN" pause --run-id 1 >/dev/null 2>&1; [ -f "$db" ] || bad "create the database"
chmod 700 "$root/data"
doctor doctor --login
expect_rc 0
expect_line OK chromium "at $(command -v chromium)"
chromium_version=$(chromium --version 2>/dev/null | head -1)
expect_line OK chromium "$chromium_version"
expect_line OK headless "answers CDP"
expect_line OK database "$db: schema "
expect_line OK "data dir" "is private"
expect_line OK recordings "5 present and parse"
expect_line OK parameters "$nparams load: "
expect_line OK credentials "not shown"
expect_line OK site "$U answers (HTTP 200"
expect_line OK login "login.json signs in"
has "all 9 checks passed"
doctor --json doctor
expect_rc 0
[ "$(printf '%s' "$out" | jq -r '.ok, (.checks | length), ([.checks[].status] | unique | join(","))' | tr '\n' ' ')" = "true 9 OK,SKIP " ] \
  && ok || bad "doctor --json: $out"

# the database was only read: same bytes, same schema
sum_before=$(sha256sum "$db" | cut -d' ' -f1)
nobrowser doctor
[ "$(sha256sum "$db" | cut -d' ' -f1)" = "$sum_before" ] && ok || bad "doctor changed the database"
[ "$(ls -A "$root/data")" = oo_automator.db ] && ok || bad "doctor left files beside the database: $(ls -A "$root/data")"
expect_line SKIP login "--login"

# --- a database at another schema is reported and left as it was ---------------------------
sqlite3 "$db" 'PRAGMA user_version = 0'
nobrowser doctor
expect_rc 1
expect_line FAIL database "schema 0"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = 0 ] && ok || bad "doctor migrated the database"
# schema 2 (the timing baselines, before runs kept their script): older, reported, not migrated
sqlite3 "$db" 'PRAGMA user_version = 2'
nobrowser doctor
expect_rc 1
expect_line FAIL database "schema 2"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = 2 ] && ok || bad "doctor migrated a schema 2 database"
sqlite3 "$db" 'PRAGMA user_version = 99'
nobrowser doctor
expect_line FAIL database "written by a newer oo-automator"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = 99 ] && ok || bad "doctor touched a newer database"
echo "not a database" > "$root/junk.db"
nobrowser --db "$root/junk.db" doctor
expect_line FAIL database "$root/junk.db"
rm -f "$db" "$db-wal" "$db-shm"
nobrowser doctor
expect_line OK database "no database yet at $db"
[ ! -e "$db" ] && ok || bad "doctor created the database"

# --- files others can read ------------------------------------------------------------------
chmod 755 "$root/data"
nobrowser doctor
expect_rc 1
expect_line FAIL "data dir" "$root/data is mode 0755"
has "fix: chmod 700 $root/data"
chmod 700 "$root/data"
printf 'demo\n' > "$root/data/password" && chmod 644 "$root/data/password"
nobrowser doctor
expect_line FAIL "data dir" "the password file $root/data/password is mode 0644"
has "fix: chmod 600 $root/data/password"
rm -f "$root/data/password"

# --- recordings: malformed (the parser's JSON path), missing --------------------------------
mkdir -p "$root/mine"
printf '{"title": "login", "steps": [{"type": "click", "selectors": 5}]}' > "$root/mine/login.json"
OO_RECORDINGS=$root/mine nobrowser doctor
expect_line FAIL recordings "$root/mine/login.json"
has "steps[0].selectors"
has "fix: re-export login.json"
mkdir -p "$root/home2" && cp -r "$SRC/lua" "$SRC/parameters" "$SRC/recordings" "$root/home2/"
rm "$root/home2/recordings/trade_log.json"
OO_HOME=$root/home2 nobrowser doctor
expect_line FAIL recordings "recording trade_log.json not found"

# --- a parameter script that does not load: file:line ---------------------------------------
mkdir -p "$root/params"
printf -- '-- mine\nreturn {\n  name = "broken" display_name = "Broken",\n}\n' > "$root/params/broken.lua"
OO_PARAMETERS_PATH=$root/params nobrowser doctor
expect_rc 1
expect_line FAIL parameters "1 of $((nparams + 1)) do not load"
has "$root/params/broken.lua:3:"

# --- no credentials; a site that does not answer; a refused password, never printed ---------
env -u OO_EMAIL -u OO_PASSWORD OO_CHROMIUM=/nonexistent/chrome "$BIN" doctor >"$root/out" 2>&1; out=$(cat "$root/out")
expect_line FAIL credentials "OO_EMAIL and OO_PASSWORD not set"
has "fix: put OO_EMAIL="
OO_BASE_URL=http://oo-doctor-test.invalid doctor doctor   # .invalid never resolves (RFC 2606)
expect_line FAIL site "http://oo-doctor-test.invalid does not answer: navigation failed: net::ERR_"
has "fix: check OO_BASE_URL"
OO_PASSWORD=Wr0ngS3cretPw doctor doctor --login
expect_rc 1
expect_line FAIL login "login.json ends on the sign-in page"
case "$out" in *Wr0ngS3cretPw*) bad "doctor printed the password" ;; *) ok ;; esac

# --- no Chromium (from a config file too: every setting goes through the configuration) -----
OO_CHROMIUM=/nonexistent/chrome doctor doctor
expect_rc 1
expect_line FAIL chromium "Chromium not found at /nonexistent/chrome"
has "fix: apt-get install chromium"
expect_line SKIP headless "no Chromium"
expect_line SKIP site "Chromium did not start"
mkdir -p "$HOME/.config/oo-automator" && echo "OO_CHROMIUM=/nonexistent/from-config" > "$HOME/.config/oo-automator/config"
doctor doctor
expect_line FAIL chromium "/nonexistent/from-config"
# and runs start that same one (Lua's browser.launch used to read only the environment)
printf 'local ok, e = pcall(require("browser").launch, {})\nif ok then e:close() end\nprint(ok, e)\n' > launch.lua
out=$("$BIN" lua launch.lua 2>&1)
has "false	Chromium not found at /nonexistent/from-config"
rm -f "$HOME/.config/oo-automator/config"

summary
