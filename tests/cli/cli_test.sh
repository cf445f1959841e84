#!/usr/bin/env bash
# CLI tests: help, usage errors (one line, exit 2), configuration precedence, the password
# never shown, and the store-backed commands on a real database.
set -u
BIN=$1
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
tmpdir cli
root=$T
export HOME=$root/home XDG_DATA_HOME= ; mkdir -p "$HOME"
cd "$root" || exit 2
unset OO_EMAIL OO_PASSWORD OO_BASE_URL OO_BROWSERS OO_HEADLESS OO_DB_PATH OO_DATA_DIR OO_PORT OO_CHROMIUM

# expect CODE DESCRIPTION -- command...   (stdout in $out, stderr in $err)
expect() {
  local code=$1 what=$2; shift 3
  out=$("$@" 2>"$root/stderr"); local rc=$?; err=$(cat "$root/stderr")
  if [ "$rc" -eq "$code" ]; then ok; else bad "$what: exit $rc, expected $code; stderr: $err"; fi
}
contains() { case "$1" in *"$2"*) ok ;; *) bad "$3: expected to find '$2' in: $1" ;; esac; }
lacks()    { case "$1" in *"$2"*) bad "$3: '$2' must not appear in: $1" ;; *) ok ;; esac; }
one_line() { [ "$(printf '%s\n' "$1" | grep -c .)" -eq 1 ] && ok || bad "$2: expected one line on stderr, got: $1"; }

# --- help ----------------------------------------------------------------------------------
expect 0 "--help" -- "$BIN" --help
main_help=$out
for c in run resume pause status list export analyze serve tests replay record-check demo lua; do
  contains "$main_help" "  $c " "--help lists $c"
  expect 0 "$c --help" -- "$BIN" "$c" --help
  contains "$out" "usage: oo-automator $c" "$c --help usage"
done
expect 0 "version" -- "$BIN" version
contains "$out" "oo-automator " "version"
expect 2 "no command" -- "$BIN"

# --- usage errors: one line, exit 2 ----------------------------------------------------------
expect 2 "unknown command" -- "$BIN" frobnicate
one_line "$err" "unknown command"; contains "$err" 'unknown command "frobnicate"' "unknown command"
expect 2 "unknown flag" -- "$BIN" status --frob
one_line "$err" "unknown flag"; contains "$err" "see oo-automator status --help" "usage hint"
expect 2 "unknown global flag" -- "$BIN" --frob status
one_line "$err" "unknown global flag"
expect 2 "missing value" -- "$BIN" status --run-id
one_line "$err" "missing value"
expect 2 "bad number" -- "$BIN" status --run-id abc
one_line "$err" "bad number"; contains "$err" "--run-id" "bad number names the flag"
expect 2 "export needs run id" -- "$BIN" export --format csv --output x.csv
expect 2 "export bad format" -- "$BIN" export --run-id 1 --format xml --output x
contains "$err" "csv, json, tradeblocks or markdown" "export format"
expect 2 "export tradeblocks needs a folder" -- "$BIN" export --run-id 1 --format tradeblocks --output -
expect 2 "analyze needs an id" -- "$BIN" analyze
one_line "$err" "analyze needs an id"; contains "$err" "--run-id N" "analyze needs an id"
expect 2 "analyze run or result" -- "$BIN" analyze --run-id 1 --result-id 2
expect 2 "analyze goal with a result" -- "$BIN" analyze --result-id 1 --goal returns
contains "$err" "use it with --run-id" "analyze goal with a result"
expect 2 "analyze unknown goal" -- "$BIN" analyze --run-id 1 --goal yolo
one_line "$err" "analyze unknown goal"; contains "$err" "returns, capital, balanced" "analyze goals named"
expect 2 "analyze paths" -- "$BIN" analyze --result-id 1 --mc-paths 5
expect 2 "analyze risk-free" -- "$BIN" analyze --result-id 1 --risk-free abc
one_line "$err" "analyze risk-free"; contains "$err" "--risk-free must be a number" "analyze risk-free"
expect 2 "analyze fragile-loss" -- "$BIN" analyze --run-id 1 --fragile-loss 0
expect 1 "analyze no such run" -- "$BIN" analyze --run-id 999
contains "$err" "999" "analyze no such run"
expect 1 "analyze no such result" -- "$BIN" analyze --result-id 999 --json
contains "$err" "no result 999" "analyze no such result"
[ -e "$HOME/.local/share/oo-automator/oo_automator.db" ] && bad "analyze without a database created one" || ok
expect 2 "run step 0" -- "$BIN" run --url https://optionomega.com/test/a --param delta --start 5 --end 10 --step 0
contains "$err" "--step must not be 0" "step 0"
expect 2 "run start past end" -- "$BIN" run --url https://optionomega.com/test/a --param delta --start 50 --end 10 --step 1
contains "$err" "past --end" "start past end"
expect 2 "serve elsewhere needs a token" -- "$BIN" serve --host 0.0.0.0
contains "$err" "--token" "serve token"
expect 2 "lua missing file" -- "$BIN" lua /nonexistent.lua
# an OO_HOME that holds no engine files: one line naming it and how to fix, no Lua search-path dump
mkdir -p "$root/not-home"
echo 'return { test = "https://optionomega.com/test/a", parameter = "delta", config = { start = 5, stop = 6, step = 1 } }' >"$root/home-spec.lua"
OO_HOME=$root/not-home expect 1 "run with a wrong OO_HOME" -- "$BIN" run "$root/home-spec.lua" --yes
one_line "$err" "wrong OO_HOME"; contains "$err" "OO_HOME is $root/not-home, which holds no lua/oo/init.lua" "wrong OO_HOME"
lacks "$err" "package.preload" "wrong OO_HOME"
# a run script that forgot its `return` (and ran no run itself) is told so, not taken for done
echo 'local spec = { test = "https://optionomega.com/test/a", parameter = "delta", config = { start = 5, stop = 6, step = 1 } }' >"$root/no-return.lua"
expect 1 "run script without a return" -- "$BIN" run "$root/no-return.lua" --yes
one_line "$err" "no return"; contains "$err" "no-return.lua: the script returned no spec and ran no run" "no return"

# --- run: bad specs are caught before any browser starts, with what, where and how ----------
bdb="$root/bad-input.db"
export OO_EMAIL=trader@example.com OO_PASSWORD=demo
T=https://optionomega.com/test/abc123
expect 1 "unknown parameter" -- "$BIN" --db "$bdb" run --url $T --param nope --start 1 --end 2 --step 1
one_line "$err" "unknown parameter"; contains "$err" 'unknown parameter "nope"' "unknown parameter named"
contains "$err" "delta" "unknown parameter lists the known ones"
expect 1 "value out of bounds" -- "$BIN" --db "$bdb" run --url $T --param delta --start 0 --end 20 --step 5
contains "$err" "minimum" "out of bounds says which bound"
expect 1 "not a test URL" -- "$BIN" --db "$bdb" run --url https://example.com/strategies --param delta --start 5 --end 10 --step 5
contains "$err" "not an OptionOmega test URL" "not a test URL"
# --dry-run: the plan and the estimate, and nothing started or stored (no database is created)
ddb="$root/dry/none.db"; mkdir -p "$root/dry"
expect 0 "dry run" -- "$BIN" --db "$ddb" run --url $T --param delta --start 5 --end 20 --step 5 --dry-run
contains "$err" "sweep of delta: 4 values on 2 browsers" "dry run plan"; contains "$err" "estimate: " "dry run estimate"
contains "$err" "dry run: nothing was started or stored" "dry run says so"
[ -e "$ddb" ] && bad "a dry run created the database" || ok
expect 0 "dry run, JSON" -- "$BIN" --json --db "$ddb" run --url $T --param delta --start 5 --end 20 --step 5 --dry-run
[ "$(printf '%s' "$out" | jq -r '[.count, .mode, .dry_run] | @tsv')" = "$(printf '4\tsweep\ttrue')" ] && ok || bad "dry run JSON: $out"
expect 1 "dry run of a bad spec" -- "$BIN" --db "$ddb" run --url $T --param delta --start 0 --end 20 --step 5 --dry-run
contains "$err" "minimum" "a dry run checks the spec"
cat >"$root/drives.lua" <<LUA
local oo = require("oo")
oo.run { test = "$T", parameter = "delta", config = { start = 10, stop = 30, step = 10 } }
print("the script went past its first run")
LUA
expect 0 "dry run of a script that drives its runs" -- "$BIN" --db "$ddb" run "$root/drives.lua" --dry-run
contains "$err" "sweep of delta: 3 values" "the script's first run is planned"
lacks "$out" "went past" "the script stops at its first run"
[ -e "$ddb" ] && bad "a dry run of a driving script created the database" || ok
expect 2 "dry run without a spec" -- "$BIN" run --dry-run
# a dry run checks the recordings too, and only notes missing credentials
mkdir -p "$root/dry-recs"; cp "$TESTS"/../recordings/*.json "$root/dry-recs/"
echo '{"title": "x", "steps": [{"type": "teleport"}]}' >"$root/dry-recs/trade_log.json"
OO_RECORDINGS=$root/dry-recs expect 1 "dry run with a broken recording" -- "$BIN" --db "$ddb" run --url $T --param delta --start 5 --end 20 --step 5 --dry-run
contains "$err" "trade_log.json: steps[0].type: expected one of" "a dry run checks the recordings"
OO_EMAIL= OO_PASSWORD= expect 0 "dry run without credentials" -- env -u OO_EMAIL -u OO_PASSWORD "$BIN" --db "$ddb" run --url $T --param delta --start 5 --end 20 --step 5 --dry-run
contains "$err" "note: OptionOmega credentials are not set yet" "a dry run notes missing credentials"
# every example checks out as it ships (a dry run each: the spec, its mode, its size)
for ex in "$TESTS"/../examples/*.lua; do
  OO_TEST_URL=$T expect 0 "example $(basename "$ex")" -- "$BIN" --db "$ddb" run "$ex" --dry-run
  contains "$err" "dry run: nothing was started or stored" "example $(basename "$ex")"
done
for m in sweep grid staged refine optimize halving walkforward; do
  grep -l "mode = \"$m\"" "$TESTS"/../examples/*.lua >/dev/null && ok || bad "no example of mode $m in examples/"
done
# found by fuzzing specs: each was an internal Lua error ("bad argument", "table index is nil")
printf '{"test": "%s", "mode": "sweep", "parameter": "delta", "config": "a"}' "$T" > "$root/cfg-string.json"
expect 1 "a parameter's config that is no table" -- "$BIN" --db "$bdb" run --config "$root/cfg-string.json" --dry-run
one_line "$err" "config no table"; contains "$err" 'delta: expected a table of its fields' "config no table"
printf '{"test": "%s", "mode": "refine", "parameters": [{"config": {"start": 5, "stop": 45, "step": 1}}]}' "$T" > "$root/no-name.json"
expect 1 "a grid entry without its name" -- "$BIN" --db "$bdb" run --config "$root/no-name.json" --dry-run
one_line "$err" "no name"; contains "$err" 'refine: parameters[1]: name missing' "no name"
printf '{"test": "%s", "mode": "spiral", "parameter": "delta"}' "$T" > "$root/spiral.json"
expect 1 "unknown mode" -- "$BIN" --db "$bdb" run --config "$root/spiral.json"
contains "$err" 'unknown mode "spiral"' "unknown mode"
printf '{"test": "%s", "mode": "sweep", ' "$T" > "$root/broken.json"
expect 1 "broken JSON config" -- "$BIN" --db "$bdb" run --config "$root/broken.json"
contains "$err" "broken.json: not valid JSON" "broken JSON names the file"
printf 'return {\n  test = "%s",\n  mode = "sweep" parameter = "delta" }\n' "$T" > "$root/syntax.lua"
expect 1 "script syntax error" -- "$BIN" --db "$bdb" run "$root/syntax.lua"
contains "$err" "syntax.lua:3:" "syntax error file:line"
printf 'local x = nil\nreturn { test = x.y }\n' > "$root/fails.lua"
expect 1 "script runtime error" -- "$BIN" --db "$bdb" run "$root/fails.lua"
contains "$err" "fails.lua:2:" "runtime error file:line"
printf 'return { test = "%s", mode = "sweep", parameter = "delta", config = { start = 5, stop = 10, step = -1 } }\n' "$T" > "$root/neg.lua"
expect 1 "script step the wrong way" -- "$BIN" --db "$bdb" run "$root/neg.lua"
printf '{"test": "%s", "mode": "grid", "parameters": {"delta": {"start": 1, "end": 100, "step": 1}, "profit_target": {"start": 0, "end": 1000, "step": 10}}}' "$T" > "$root/huge.json"
expect 1 "grid over 1,000 without --yes" -- "$BIN" --db "$bdb" run --config "$root/huge.json"
contains "$err" "10100 backtests" "grid size named"; contains "$err" "--yes" "grid size: how to fix"
# the searches' flags and specs
printf '{"test": "%s", "parameters": {"delta": {"start": 5, "end": 30, "step": 1}, "profit_target": {"start": 10, "end": 100, "step": 10}}}' "$T" > "$root/space.json"
expect 1 "optimize without a budget" -- "$BIN" --db "$bdb" run --config "$root/space.json" --mode optimize
contains "$err" "optimize.max_backtests: missing" "optimize budget named"; contains "$err" "260 points" "optimize: the grid's size"
expect 2 "budget below 2" -- "$BIN" --db "$bdb" run --config "$root/space.json" --mode optimize --max-backtests 1
contains "$err" "--max-backtests" "budget flag named"
expect 2 "seed not a number" -- "$BIN" --db "$bdb" run --config "$root/space.json" --mode optimize --max-backtests 9 --seed x
expect 2 "--mode without a spec" -- "$BIN" --db "$bdb" run --mode refine
contains "$err" "--mode" "mode without spec"
expect 1 "unknown mode by flag" -- "$BIN" --db "$bdb" run --url $T --param delta --mode spiral
contains "$err" "refine, optimize" "the modes are listed"
expect 1 "refine with a budget" -- "$BIN" --db "$bdb" run --config "$root/space.json" --mode refine --max-backtests 20
contains "$err" "refine.max_backtests" "refine has no budget"
expect 1 "no credentials" -- env -u OO_EMAIL -u OO_PASSWORD "$BIN" --db "$bdb" run --url $T --param delta --start 5 --end 10 --step 5
contains "$err" "OO_EMAIL" "credentials: how to fix"
# a YAML config (issue 13.9): the JSON's schema; a malformed one names the file, line and column
printf 'test: %s\nmode: grid\nparameters:\n  delta: {start: 10, end: 20, step: 5}\n  profit_target: {start: 25, end: 50, step: 25}\n' "$T" > "$root/grid.yaml"
expect 1 "a YAML config (then no credentials)" -- env -u OO_EMAIL -u OO_PASSWORD "$BIN" --db "$bdb" run --config "$root/grid.yaml"
contains "$err" "grid of delta (3) x profit_target (2): 6 combinations" "the YAML's spec is planned like the JSON's"
# the searches in YAML: the same spec as in JSON, planned with their own summary and estimate
printf 'test: %s\nmode: optimize\nmax_backtests: 12\nseed: 5\noptimize_by: cagr\nparameters:\n  delta: {start: 5, end: 30, step: 1}\n  profit_target: {start: 10, end: 100, step: 10}\n' "$T" > "$root/optimize.yaml"
expect 1 "an optimize YAML config (then no credentials)" -- env -u OO_EMAIL -u OO_PASSWORD "$BIN" --db "$bdb" run --config "$root/optimize.yaml"
contains "$err" "optimize delta (26) x profit_target (10): up to 12 backtests of a 260-point grid (seed 5)" "optimize in YAML"
contains "$err" "12 backtests, 45 s each (no history yet: assumed)" "optimize in YAML: the estimate"
printf 'test: %s\nmode: refine\ncoarse: 3\nparameters:\n  - {name: delta, config: {start: 5, end: 30, step: 1}}\n' "$T" > "$root/refine.yaml"
expect 1 "a refine YAML config (then no credentials)" -- env -u OO_EMAIL -u OO_PASSWORD "$BIN" --db "$bdb" run --config "$root/refine.yaml"
contains "$err" "refine delta (26): about" "refine in YAML"; contains "$err" "(coarse 3 per parameter, keep 3)" "refine in YAML: its options"
printf 'test: %s\nmode: halving\nperiod: "2020-01-02..2024-12-31"\nparameter: delta\nconfig: {start: 5, end: 9, step: 1}\n' "$T" > "$root/halving.yaml"
expect 1 "a halving YAML config (then no credentials)" -- env -u OO_EMAIL -u OO_PASSWORD "$BIN" --db "$bdb" run --config "$root/halving.yaml"
contains "$err" "halving delta (5): 5 on 2024-06-12..2024-12-31, 2 on 2023-05-03..2024-12-31, 1 on 2020-01-02..2024-12-31: 8 backtests" "halving in YAML"
printf 'test: %s\nmode: optimize\nparameters:\n  delta: {start: 5, end: 30, step: 1}\n' "$T" > "$root/nobudget.yaml"
expect 1 "an optimize YAML config without a budget" -- "$BIN" --db "$bdb" run --config "$root/nobudget.yaml"
contains "$err" "nobudget.yaml: optimize.max_backtests: missing" "YAML: the search's own check, naming the file"
printf 'test: %s\nmode: sweep\n  parameter: delta\n' "$T" > "$root/bad.yml"
expect 1 "a malformed YAML config" -- "$BIN" --db "$bdb" run --config "$root/bad.yml"
one_line "$err" "malformed YAML"; contains "$err" "bad.yml: yaml: line 3, column 12" "YAML error: file, line and column"
# numbers on the command line are decimal (issue 12.13); times are HH:MM, steps in minutes (13.11)
expect 2 "hex start" -- "$BIN" --db "$bdb" run --url $T --param delta --start 0x10 --end 20 --step 5
one_line "$err" "hex start"; contains "$err" "decimal" "hex start: what is expected"
expect 2 "inf end" -- "$BIN" --db "$bdb" run --url $T --param delta --start 5 --end inf --step 5
expect 1 "time parameter from flags (then no credentials)" -- env -u OO_EMAIL -u OO_PASSWORD "$BIN" --db "$bdb" run --url $T \
  --param entry_time --start 09:32 --end 10:30 --step 15
contains "$err" "sweep of entry_time: 4 values" "times from --start/--end, minutes from --step"
expect 1 "time step as H:MM" -- env -u OO_EMAIL -u OO_PASSWORD "$BIN" --db "$bdb" run --url $T \
  --param entry_time --start 9:32 --end 10:32 --step 0:30
contains "$err" "sweep of entry_time: 3 values" "a step of 0:30 is 30 minutes"
# run names: at most 200 characters (not bytes), no control characters, at every entry (12.9, 12.13)
long=$(printf 'é%.0s' $(seq 1 200))
expect 1 "a 200-character name (400 bytes) is fine" -- env -u OO_EMAIL -u OO_PASSWORD "$BIN" --db "$bdb" run --url $T \
  --param delta --start 5 --end 10 --step 5 --name "$long"
contains "$err" "OO_EMAIL" "a 200-character name passes the check"
expect 2 "a 201-character name" -- "$BIN" --db "$bdb" run --url $T --param delta --start 5 --end 10 --step 5 --name "${long}x"
one_line "$err" "long name"; contains "$err" "201 characters" "long name: how many"
expect 2 "a name with an escape" -- "$BIN" --db "$bdb" run --url $T --param delta --start 5 --end 10 --step 5 --name "$(printf 'a\033]0;x\007b')"
contains "$err" "control character" "escape in a name"
printf 'return { test = "%s", name = "two\\nlines", parameter = "delta", config = { start = 5, stop = 10, step = 5 } }\n' "$T" > "$root/ctl.lua"
expect 1 "a script's name with a newline" -- "$BIN" --db "$bdb" run "$root/ctl.lua"
contains "$err" "control character" "newline in a script's name"
[ "$(sqlite3 "$bdb" 'SELECT COUNT(*) FROM runs' 2>/dev/null || echo 0)" = 0 ] && ok || bad "bad input created a run"
unset OO_EMAIL OO_PASSWORD

# --- Ctrl-C stops a run script that keeps the CPU busy (issue 12.12): exit 130, nothing stored --
printf 'local f = assert(io.open("%s/busy.started", "w")); f:close()\nwhile true do end\n' "$root" > "$root/busy.lua"
"$BIN" --db "$root/busy.db" run "$root/busy.lua" >"$root/busy.out" 2>"$root/busy.err" &
bpid=$!
end=$(( $(date +%s) + 60 ))
while [ ! -f "$root/busy.started" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.1; done
[ -f "$root/busy.started" ] && ok || bad "the busy script never started"
kill -INT $bpid
end=$(( $(date +%s) + 30 ))
while kill -0 $bpid 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 0.1; done
if kill -0 $bpid 2>/dev/null; then bad "Ctrl-C did not stop a busy script within 30 s"; kill -9 $bpid; fi
wait $bpid; rc=$?
[ "$rc" = 130 ] && ok || bad "busy script after Ctrl-C: exit $rc, expected 130: $(cat "$root/busy.err")"
contains "$(cat "$root/busy.err")" "interrupted" "busy script: says it was interrupted"
[ "$(sqlite3 "$root/busy.db" 'SELECT COUNT(*) FROM runs' 2>/dev/null || echo 0)" = 0 ] && ok || bad "an interrupted script created a run"

# --- run with no arguments: the wizard (answers on stdin; a wrong answer is asked again) ------
answers='https://optionomega.com/test/wiz123\nWizard test\n1\ndelta\n0\n5\n10\n5\nboth\nshort\n0\n2\n\nn\n'
out=$(printf "$answers" | "$BIN" --db "$root/wizard.db" run 2>&1); rc=$?
[ "$rc" = 0 ] && ok || bad "wizard cancelled: exit $rc: $out"
contains "$out" "Mode" "wizard asks the mode"; contains "$out" "Start [5]" "wizard shows a field's default"
contains "$out" "at least 1" "wizard refuses an out-of-bounds answer and asks again"
contains "$out" "Ready to run 2 tests. Continue?" "wizard counts the tests"
contains "$out" "nothing was started" "wizard cancelled"
# every mode the engine has, from the modes themselves; a walk-forward asked field by field,
# each wrong answer refused with the mode's own message and asked again; the run script written
for m in sweep grid staged refine optimize halving walkforward; do contains "$out" ") $m - " "wizard offers $m"; done
# answers: test, its name, the mode (by name), from (before the data: refused), from, to, in-sample,
# out-of-sample 2w (refused), 2m, step 1m (the windows would overlap: refused after anchored),
# anchored, step again 2m, anchored again (Enter keeps the answer given), the search: sweep of delta 10..20 step 10 (5 fields), best by MAR,
# full period, browsers, the script's file (no .lua: refused), continue: no
wf='https://optionomega.com/test/wiz123\n\nwalkforward\n2013-01-01\n2021-01-01\n2021-12-31\n6m\n2w\n2m\n1m\nn\n2m\n\n1\ndelta\n10\n20\n10\n\n\n\nMAR\n\n2\nwf\nwf.lua\nn\n'
out=$(printf "$wf" | "$BIN" --db "$root/wizard.db" run 2>&1); rc=$?
[ "$rc" = 0 ] && ok || bad "walk-forward wizard: exit $rc: $out"
contains "$out" "walkforward.windows.from: 2013-01-01 is before OptionOmega's data begins (2013-01-02)" "wizard: from before the data"
contains "$out" "walkforward.windows.out_of_sample: 2w is shorter than a month" "wizard: out-of-sample under a month"
contains "$out" "walkforward.windows.step: 1m is shorter than out_of_sample 2m" "wizard: overlapping windows"
contains "$out" "a file name ending in .lua please" "wizard: the script's name"
contains "$out" "walk-forward: 3 windows (6m in-sample, 2m out-of-sample, rolling by 2m), sweep search of 2 backtests each" "wizard: the walk-forward's summary"
contains "$out" "Ready to run 12 tests" "wizard: the walk-forward's count"
[ -f wf.lua ] && ok || bad "the wizard wrote no wf.lua"
contains "$(cat wf.lua 2>/dev/null)" 'in_sample = "6m"' "wf.lua holds the windows"
contains "$(cat wf.lua 2>/dev/null)" 'step = "2m"' "wf.lua holds the step"
# the script is a run script: the same spec, checked by `run` (no credentials here: it stops there)
expect 1 "run wf.lua" -- "$BIN" --db "$root/wizard.db" run wf.lua
contains "$err" "OptionOmega credentials missing" "wf.lua passes the spec check"
rm -f wf.lua
# the wizard's optimize: parameters, what best means, budget and seed, then the estimate
answers='https://optionomega.com/test/wiz123\n\noptimize\ndelta\n5\n30\n1\nboth\nshort\n0\ny\nprofit_target\n10\n100\n10\nn\nmar\n40\n3\n2\n\nn\n'
out=$(printf "$answers" | "$BIN" --db "$root/wizard.db" run 2>&1); rc=$?
[ "$rc" = 0 ] && ok || bad "wizard optimize cancelled: exit $rc: $out"
contains "$out" "Budget of backtests (the full grid has 260)" "wizard asks the budget"
contains "$out" "optimize delta (26) x profit_target (10): up to 40 backtests of a 260-point grid (seed 3) on 2 browsers" "wizard: the search"
contains "$out" "estimate: about 15 min: 40 backtests, 45 s each (no history yet: assumed), 2 browsers, at most 10 a minute" "wizard: the estimate (40 x 45 s / 2 browsers)"
contains "$out" "Ready to run 40 tests" "wizard counts the budget"
# the wizard's halving: the full period (1826 days: windows of round(1826/9) = 203 and
# round(1826/3) = 609 days back from 2024-12-31), 5 configurations, then 2, then 1
answers='https://optionomega.com/test/wiz123\n\nhalving\ndelta\n5\n9\n1\nboth\nshort\n0\nn\nmar\n2020-01-02..2024-12-31\n\n2\n\nn\n'
out=$(printf "$answers" | "$BIN" --db "$root/wizard.db" run 2>&1); rc=$?
[ "$rc" = 0 ] && ok || bad "wizard halving cancelled: exit $rc: $out"
contains "$out" "halving delta (5): 5 on 2024-06-12..2024-12-31, 2 on 2023-05-03..2024-12-31, 1 on 2020-01-02..2024-12-31: 8 backtests" "wizard: halving"
sqlite3 "$root/wizard.db" "INSERT INTO tests(url) VALUES ('https://optionomega.com/test/noname')"
out=$(printf 'https://example.com/x\n' | "$BIN" --db "$root/wizard.db" run 2>&1); rc=$?
[ "$rc" = 1 ] && ok || bad "wizard with a bad URL: exit $rc"
contains "$out" "(unnamed)  https://optionomega.com/test/noname" "wizard lists an unnamed test"
lacks "$out" "userdata" "wizard shows no Lua value names"
contains "$out" "not an OptionOmega test URL" "wizard checks the URL"

# --- configuration precedence: flag > env > ./.env > ~/.config > default ----------------------
mkdir -p "$HOME/.config/oo-automator"
echo "OO_DATA_DIR=$root/from-user-config" > "$HOME/.config/oo-automator/config"
expect 0 "status with user config" -- "$BIN" -v status
contains "$err" "OO_DATA_DIR        = $root/from-user-config  (file: $HOME/.config/oo-automator/config:1)" "user config"
printf '# comment\n\nexport OO_DATA_DIR="%s/from-dotenv"\nOO_BROWSERS=3 # three\n' "$root" > .env
expect 0 "status with .env" -- "$BIN" -v status
contains "$err" "OO_DATA_DIR        = $root/from-dotenv  (file: ./.env:3)" ".env over user config"
contains "$err" "OO_BROWSERS        = 3" ".env inline comment"
expect 0 "status with env" -- env OO_DATA_DIR="$root/from-env" "$BIN" -v status
contains "$err" "OO_DATA_DIR        = $root/from-env  (environment: OO_DATA_DIR)" "env over .env"
expect 0 "status with flag" -- env OO_DATA_DIR="$root/from-env" "$BIN" -v --data-dir "$root/from-flag" status
contains "$err" "OO_DATA_DIR        = $root/from-flag  (flag: --data-dir)" "flag over env"
contains "$err" "OO_DB_PATH         = $root/from-flag/oo_automator.db" "db follows the data dir"
[ ! -e "$root/from-flag/oo_automator.db" ] && ok || bad "status (a read command) created a database"
rm -f .env "$HOME/.config/oo-automator/config"
expect 0 "default data dir" -- "$BIN" -v status
contains "$err" "OO_DATA_DIR        = $HOME/.local/share/oo-automator  (default)" "default data dir"

# bad configuration: file:line, or the variable, exit 2
printf 'OO_BROWSERS=2\nthis is not a setting\n' > .env
expect 2 "bad .env line" -- "$BIN" status
one_line "$err" "bad .env line"; contains "$err" "./.env:2" "bad line names file:line"
printf 'OO_BROWSRS=2\n' > .env
expect 2 "unknown .env key" -- "$BIN" status
contains "$err" "./.env:1: unknown setting OO_BROWSRS" "unknown key"
# ./.env may hold other tools' settings; the engine's own config file holds only its own
printf 'OTHER_TOOL=1\n' > .env
expect 0 "a foreign key in ./.env is left alone" -- "$BIN" status
rm -f .env
mkdir -p "$HOME/.config/oo-automator"
printf 'browsers = 3\n' > "$HOME/.config/oo-automator/config"
expect 2 "a setting without its OO_ name in the config file" -- "$BIN" status
one_line "$err" "bare name"; contains "$err" "config:1: \"browsers\" is no setting: write it OO_BROWSERS=value" "bare name"
printf 'pizza=1\n' > "$HOME/.config/oo-automator/config"
expect 2 "an unknown key in the config file" -- "$BIN" status
contains "$err" "config:1: unknown setting pizza (known: OO_EMAIL" "unknown key in the config file"
rm -f "$HOME/.config/oo-automator/config"
expect 2 "bad env value" -- env OO_BROWSERS=lots "$BIN" status
contains "$err" "OO_BROWSERS: browsers must be" "bad env value"
expect 2 "bad lease" -- env OO_LEASE_MS=5 "$BIN" status
contains "$err" "OO_LEASE_MS: the lease must be" "every knob is checked in one place"
# every setting's check, word for word (VAR|bad value|what stderr says)
while IFS='|' read -r var val msg; do
  expect 2 "bad $var" -- env "$var=$val" "$BIN" status
  contains "$err" "$var: $msg" "$var's check"
done <<'RULES'
OO_BROWSERS|9|browsers must be a whole number from 1 to 8, found "9"
OO_PORT|65536|port must be a number from 0 to 65535, found "65536"
OO_RATE_LIMIT|-1|rate limit must be backtests per minute (0 = none), found "-1"
OO_PIPELINE|5|pipeline must be auto or the tabs each browser works with, 1 to 4 (1 = one task at a time), found "5"
OO_BACKTEST_TIMEOUT|4|the backtest timeout must be seconds from 5 to 3600, found "4"
OO_LEASE_MS|86400001|the lease must be milliseconds from 1000 to 86400000, found "86400001"
OO_RETRY_COOLDOWN|3601|the retry cool-down must be seconds from 0 to 3600, found "3601"
OO_OUTAGE_WAIT|1441|the outage wait must be minutes from 0 to 1440, found "1441"
OO_LUA_MEMORY_MB|15|Lua's memory must be MiB from 16 to 65536, found "15"
OO_HEADLESS|maybe|headless must be 1 or 0 (true/false), found "maybe"
OO_BLOCK_REQUESTS|2|block_requests must be 1 (skip what the flow does not need) or 0 (load everything), found "2"
OO_BASE_URL|ftp://x|the base URL must start with http:// or https://, found "ftp://x"
RULES
for var in OO_HOME OO_SIM OO_DB_PATH OO_DATA_DIR; do
  expect 2 "empty $var" -- env "$var=" "$BIN" status
  contains "$err" "$var: an empty path" "$var's check"
done
for good in OO_PIPELINE=auto OO_PIPELINE=4 OO_BROWSERS=8 OO_PORT=0 OO_HEADLESS=false OO_LUA_MEMORY_MB=16; do
  expect 0 "good $good" -- env "$good" "$BIN" status
done
# the dashboard's Settings page is a layer: under the files, the environment and flags
sdb="$root/settings.db"
"$BIN" --db "$sdb" pause --run-id 1 >/dev/null 2>&1   # a command that writes creates it (list only reads)
[ -f "$sdb" ] && ok || bad "create the settings database"
sqlite3 "$sdb" "INSERT INTO settings(key, value) VALUES ('browsers', '4'), ('rate_limit', '7')"
expect 0 "settings layer" -- "$BIN" --db "$sdb" -v list
contains "$err" "OO_BROWSERS = 4 (the dashboard's settings)" "a saved setting counts"
contains "$err" "OO_RATE_LIMIT = 7 (the dashboard's settings)" "a saved setting counts"
expect 0 "env over settings" -- env OO_BROWSERS=3 "$BIN" --db "$sdb" -v list
contains "$err" "OO_BROWSERS        = 3  (environment: OO_BROWSERS)" "the environment wins over the Settings page"
lacks "$err" "OO_BROWSERS = 4 (the dashboard's settings)" "the Settings page does not override the environment"
expect 2 "bad OO_BLOCK_REQUESTS" -- env OO_BLOCK_REQUESTS=sometimes "$BIN" status
contains "$err" "OO_BLOCK_REQUESTS: block_requests must be 1" "OO_BLOCK_REQUESTS names itself"
expect 0 "OO_BLOCK_REQUESTS off" -- env OO_BLOCK_REQUESTS=0 "$BIN" -v status
contains "$err" "OO_BLOCK_REQUESTS  = 0  (environment: OO_BLOCK_REQUESTS)" "OO_BLOCK_REQUESTS in -v"

# the password is never printed or logged
printf 'OO_PASSWORD=Sup3rS3cretPw\n' > .env
for args in "-vvv status" "-vv list" "-vv tests" "-vv demo --latency-ms x" "-vv run --url https://optionomega.com/test/a --param delta --start 1 --end 2"; do
  # shellcheck disable=SC2086
  all=$("$BIN" $args 2>&1)
  lacks "$all" "Sup3rS3cretPw" "password in output of $args"
done
contains "$("$BIN" -v status 2>&1)" "OO_PASSWORD        = ********" "password masked"
rm -f .env
db="$root/store.db"
sqlite3 "$db" .dump 2>/dev/null | grep -q Sup3rS3cretPw && bad "password in the database" || ok

# --- store-backed commands on a real database -----------------------------------------------
expect 0 "tests with no database yet" -- "$BIN" --db "$db" tests
contains "$out" "no saved tests yet" "tests with no database"
expect 0 "list with no database yet" -- "$BIN" --db "$db" list
expect 0 "status --json with no database yet" -- "$BIN" --db "$db" --json status
contains "$out" "[]" "status --json with no database"
[ ! -s "$db" ] && ok || bad "read commands wrote to the (empty) database file"
expect 1 "create db (a command that writes)" -- "$BIN" --db "$db" pause --run-id 1
sqlite3 "$db" <<'SQL'
INSERT INTO tests(url, name, last_run_at) VALUES ('https://optionomega.com/test/abc123', 'Put Credit Spread METF', '2026-11-20 10:00:00');
INSERT INTO tests(url, name) VALUES ('https://optionomega.com/test/def456', 'Iron Condor SPY');
INSERT INTO runs(test_id, name, mode, config, status) VALUES (1, 'Delta sweep', 'sweep', '{"parameter":"delta"}', 'running');
INSERT INTO tasks(run_id, seq, parameter_values, status) VALUES (1, 1, '{"delta":5}', 'completed'), (1, 2, '{"delta":6}', 'completed'), (1, 3, '{"delta":7}', 'pending');
INSERT INTO results(task_id, test_id, pl, cagr, max_drawdown, mar, win_percentage, trades_count) VALUES (1, 1, 13376, 0.142, -0.08, 1.78, 0.682, 480), (2, 1, -155.5, 0.156, -0.09, 1.73, 0.71, 470);
SQL
expect 0 "tests" -- "$BIN" --db "$db" tests
contains "$out" "Put Credit Spread METF" "tests lists names"
expect 0 "tests --json" -- "$BIN" --db "$db" --json tests --recent
contains "$out" '"url":	"https://optionomega.com/test/def456"' "tests --json"
expect 0 "status" -- "$BIN" --db "$db" status --run-id 1
contains "$out" "2/3 completed" "status progress"
# timing baselines: run 2's step 1 of open_test.json takes 2 s, its 6 earlier durations at most
# 120 ms: status -v flags it (median 2000, the nearest rank of 2000 and 2100; > 3 x 120), and only it (step 0 as before); plain status does not
sqlite3 "$db" <<'SQL'
INSERT INTO runs(test_id, name, mode, config, status) VALUES (1, 'Slow site', 'sweep', '{"parameter":"delta"}', 'completed');
INSERT INTO step_timings(run_id, recording, step, step_type, ms) VALUES
  (1, 'open_test.json', 0, 'navigate', 300), (1, 'open_test.json', 0, 'navigate', 310), (1, 'open_test.json', 0, 'navigate', 320),
  (1, 'open_test.json', 0, 'navigate', 330), (1, 'open_test.json', 0, 'navigate', 340), (1, 'open_test.json', 0, 'navigate', 350),
  (1, 'open_test.json', 1, 'waitForElement', 70), (1, 'open_test.json', 1, 'waitForElement', 80), (1, 'open_test.json', 1, 'waitForElement', 90),
  (1, 'open_test.json', 1, 'waitForElement', 100), (1, 'open_test.json', 1, 'waitForElement', 110), (1, 'open_test.json', 1, 'waitForElement', 120),
  (2, 'open_test.json', 0, 'navigate', 330), (2, 'open_test.json', 1, 'waitForElement', 2000), (2, 'open_test.json', 1, 'waitForElement', 2100);
SQL
expect 0 "status -v with slow steps" -- "$BIN" --db "$db" -v status --run-id 2
contains "$out" "open_test.json step 1 (waitForElement): 2000 ms against 120 ms" "status -v flags the slow step"
lacks "$out" "step 0 (navigate)" "status -v leaves a step at its pace alone"
expect 0 "status -v --json" -- "$BIN" --db "$db" -v --json status --run-id 2
contains "$out" '"baseline_p95":	120' "status --json slow_steps"
expect 0 "status without -v" -- "$BIN" --db "$db" status --run-id 2
lacks "$out" "baseline" "plain status shows no baselines"
expect 0 "status -v, nothing slow" -- "$BIN" --db "$db" -v status --run-id 1
expect 0 "--verbose counts as -v" -- "$BIN" --db "$db" --verbose status --run-id 1
contains "$err" "configuration:" "--verbose says more"
contains "$out" "none far slower than their baseline" "status -v with nothing slow"
expect 0 "status live runs" -- "$BIN" --db "$db" status
# run 1 says running, but no engine works it: it reads interrupted (its engine is gone)
contains "$out" "1  interrupted" "status without id shows the interrupted run"
# a run an engine works (this shell: alive, and it said so just now) reads running
worked=$(sqlite3 "$db" "INSERT INTO runs(test_id, name, mode, config, status, engine, engine_seen_at) \
    VALUES (1, 'Worked', 'sweep', '{}', 'running', '$(hostname):$$', $(date +%s%3N)); SELECT last_insert_rowid()")
expect 0 "status live runs" -- "$BIN" --db "$db" status
contains "$out" "$worked  running" "status without id shows the running run"
contains "$out" "1  interrupted" "status without id still shows the interrupted run"
# each with its progress line: how far, what it needs (the interrupted one: resume)
contains "$out" "66% · its engine is gone: \`oo-automator resume --run-id 1\` continues it" "status: the interrupted run's progress line"
# --json: the same runs, each with its progress as data
expect 0 "status --json" -- "$BIN" --db "$db" --json status
[ "$(printf '%s' "$out" | jq -c '[.[] | {id, status, p: .progress.percent, d: .progress.done, t: .progress.total}]')" = \
  "[{\"id\":$worked,\"status\":\"running\",\"p\":0,\"d\":0,\"t\":0},{\"id\":1,\"status\":\"interrupted\",\"p\":66,\"d\":2,\"t\":3}]" ] && ok \
  || bad "status --json: $(printf '%s' "$out" | jq -c '[.[] | {id, status, progress}]')"
expect 0 "status --run-id --json" -- "$BIN" --db "$db" --json status --run-id 1
[ "$(printf '%s' "$out" | jq -r '"\(.status) \(.stored_status) \(.counts.completed) \(.progress.percent)"')" = "interrupted running 2 66" ] \
  && ok || bad "status --run-id 1 --json: $out"
sqlite3 "$db" "DELETE FROM runs WHERE id = $worked"
expect 1 "status unknown run" -- "$BIN" --db "$db" status --run-id 42
one_line "$err" "unknown run"; contains "$err" "no run 42" "unknown run"
expect 0 "list" -- "$BIN" --db "$db" list --search metf
contains "$out" "Delta sweep" "list search"
expect 0 "list by test" -- "$BIN" --db "$db" list --test "iron condor"
contains "$out" "no runs" "list by another test"
expect 2 "list bad status" -- "$BIN" --db "$db" list --status sleeping
expect 0 "export csv" -- "$BIN" --db "$db" export --run-id 1 --format csv --output "$root/r.csv"
head=$(head -1 "$root/r.csv")
contains "$head" "task_id,stage,status,delta,pl,cagr,max_drawdown,mar" "csv header"
contains "$(sed -n 2p "$root/r.csv")" "1,1,completed,5,13376,0.142,-0.08,1.78" "csv row"
contains "$(sed -n 4p "$root/r.csv")" "3,1,pending,7,,," "csv pending row"
expect 0 "export --json" -- "$BIN" --db "$db" --json export --run-id 1 --format csv --output "$root/r2.csv"
[ "$(printf '%s' "$out" | jq -r '"\(.run_id) \(.format) \(.bytes > 0)"')" = "1 csv true" ] && ok || bad "export --json: $out"
expect 0 "version --json" -- "$BIN" --json version
[ "$(printf '%s' "$out" | jq -r '(.version | length > 0) and (.sqlite | length > 0) and (.lua | startswith("5.4")) and (.chromium | type == "object")')" = true ] \
  && ok || bad "version --json: $out"
expect 0 "export json" -- "$BIN" --db "$db" export --run-id 1 --format json --output -
contains "$out" '"mode":	"sweep"' "json export"
expect 1 "export to an unwritable path" -- "$BIN" --db "$db" export --run-id 1 --format csv --output /proc/nope/r.csv
one_line "$err" "unwritable export"
expect 0 "tests rename --json" -- "$BIN" --db "$db" --json tests rename def456 "IC SPY 30 DTE"
[ "$(printf '%s' "$out" | jq -r .name)" = "IC SPY 30 DTE" ] && ok || bad "tests rename --json: $out"
# a name is one line of plain text: terminal controls refused (exit 2), 200 characters not bytes
for name in $'\e]0;owned\a' $'bell\a' $'cr\rover' $'two\nlines' $'csi \u009b31m' $'rlo \u202etxt'; do
  expect 2 "tests rename to a control character" -- "$BIN" --db "$db" tests rename def456 "$name"
  contains "$err" "no control characters" "refused name says why"
done
long=$(printf '%.0sé' $(seq 200))
expect 0 "tests rename, 200 characters" -- "$BIN" --db "$db" tests rename def456 "$long"
expect 2 "tests rename, 201 characters" -- "$BIN" --db "$db" tests rename def456 "${long}x"
contains "$err" "201 characters; at most 200" "201 characters"
expect 0 "tests rename" -- "$BIN" --db "$db" tests rename def456 "IC SPY 45 DTE"
expect 0 "tests after rename" -- "$BIN" --db "$db" tests
contains "$out" "IC SPY 45 DTE" "renamed"
expect 1 "ambiguous or unknown test" -- "$BIN" --db "$db" tests delete "no such strategy"
one_line "$err" "unknown test"
expect 0 "tests delete" -- "$BIN" --db "$db" tests delete 2
expect 0 "tests after delete" -- "$BIN" --db "$db" tests
lacks "$out" "IC SPY 45 DTE" "deleted test hidden"
expect 0 "pause --json" -- "$BIN" --db "$db" --json pause --run-id 1
[ "$(printf '%s' "$out" | jq -r '"\(.id) \(.status)"')" = "1 paused" ] && ok || bad "pause --json: $out"
sqlite3 "$db" "UPDATE runs SET status = 'running' WHERE id = 1"
expect 0 "pause" -- "$BIN" --db "$db" pause --run-id 1
contains "$("$BIN" --db "$db" status --run-id 1)" "status:    paused" "paused in the store"
expect 1 "pause a paused run is fine, a completed one is not" -- "$BIN" --db "$db" pause --run-id 9
# nothing already stored is lost by any of the failures above
[ "$(sqlite3 "$db" 'SELECT COUNT(*) FROM results')" = 2 ] && ok || bad "results kept"

# names stored with terminal controls (an older version, another program) print escaped
sqlite3 "$db" "UPDATE tests SET name = 'Evil' || char(27) || '[2J' || char(7) || char(13) || 'x' WHERE id = 1;
               UPDATE runs SET name = 'Run' || char(27) || ']0;title' || char(7) || char(10) || 'y' WHERE id = 1;"
for args in "tests" "list" "status" "status --run-id 1"; do
  # shellcheck disable=SC2086
  expect 0 "escaped: $args" -- "$BIN" --db "$db" $args
  printf '%s' "$out" | grep -q "$(printf '[\033\007\015]')" && bad "$args printed a raw control character" || ok
done
expect 0 "tests shows the escapes" -- "$BIN" --db "$db" tests
contains "$out" 'Evil\x1b[2J\x07\x0dx' "tests shows the escaped name"
expect 0 "list shows the escapes" -- "$BIN" --db "$db" list
contains "$out" 'Run\x1b]0;title\x07\x0ay' "list shows the escaped run name"
sqlite3 "$db" "INSERT INTO tests(id, url, name) VALUES (9, 'https://optionomega.com/test/twin', 'Evil twin')"
expect 1 "an error quoting a stored name" -- "$BIN" --db "$db" tests delete "evil"
sqlite3 "$db" "DELETE FROM tests WHERE id = 9"
printf '%s' "$err" | grep -q "$(printf '[\033\007\015]')" && bad "an error printed a raw control character" || ok
contains "$err" 'Evil\x1b[2J\x07\x0dx' "the error shows the name escaped"
expect 1 "an error quoting what was typed" -- "$BIN" --db "$db" tests delete "$(printf 'x\033]0;pwn\007')"
printf '%s' "$err" | grep -q "$(printf '[\033\007]')" && bad "an error echoed a raw control character" || ok
sqlite3 "$db" "UPDATE tests SET name = 'Put Credit Spread METF' WHERE id = 1; UPDATE runs SET name = 'Delta sweep' WHERE id = 1;"

# read commands read: the same bytes after them, however often they run
before=$(sha256sum <"$db")
for args in "list" "status" "status --run-id 1" "tests" "--json tests" "export --run-id 1 --format csv --output -" \
    "analyze --run-id 1" "analyze --result-id 1" "export --run-id 1 --format markdown --output -"; do
  # shellcheck disable=SC2086
  expect 0 "read-only $args" -- "$BIN" --db "$db" $args
done
[ "$(sha256sum <"$db")" = "$before" ] && ok || bad "a read command changed the database"

# a read-only database file can be read (as another user when root, whom no mode stops)
ro=$(mktemp -d "${TMPDIR:-/tmp}/oo-cli-ro.XXXXXX"); chmod 0755 "$ro"   # a folder the reader can reach
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp "$db" "$ro/ro.db"; chmod 0444 "$ro/ro.db"
as_reader() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
# the reader needs the installation's Lua too: a checkout in a private folder (mktemp -d) is out
# of its reach, so it gets a readable copy (OO_HOME)
src=$(cd "$(dirname "$0")/../.." && pwd)
if ! as_reader test -r "$src/lua/oo/metrics.lua"; then
  mkdir "$ro/home" && cp -r "$src/lua" "$src/parameters" "$src/recordings" "$ro/home/" && chmod -R a+rX "$ro/home"
  export OO_HOME="$ro/home"
fi
for args in "list" "status --run-id 1" "tests" "export --run-id 1 --format csv --output -" "analyze --run-id 1"; do
  # shellcheck disable=SC2086
  expect 0 "read-only file: $args" -- as_reader "$BIN" --db "$ro/ro.db" $args
done
expect 0 "read-only file: list" -- as_reader "$BIN" --db "$ro/ro.db" list --search metf
contains "$out" "Delta sweep" "read-only file listed"
unset OO_HOME
rm -rf "$ro"

# a database path that is no regular file (a FIFO would hang the first read): refused at once
mkfifo "$root/fifo.db"; mkdir -p "$root/dir.db"
for target in "$root/fifo.db" "$root/dir.db"; do
  for args in "list" "pause --run-id 1"; do
    # shellcheck disable=SC2086
    expect 1 "not a regular file: $args" -- timeout 20 "$BIN" --db "$target" $args
    contains "$err" "is not a regular file" "not a regular file: $args says so"
  done
done

# another program's SQLite file: refused by every command, left byte for byte as it was (no
# oo-automator tables, no WAL)
foreign="$root/notes.db"
sqlite3 "$foreign" "CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES ('my notes');"
before=$(sha256sum <"$foreign")
for args in "list" "status" "tests" "export --run-id 1 --format csv --output -" "pause --run-id 1" "tests rename 1 x"; do
  # shellcheck disable=SC2086
  expect 1 "foreign database: $args" -- "$BIN" --db "$foreign" $args
  contains "$err" "another program's SQLite database" "foreign database: $args says so"
done
[ "$(sha256sum <"$foreign")" = "$before" ] && ok || bad "the foreign database was changed"
[ "$(sqlite3 "$foreign" 'PRAGMA journal_mode')" = delete ] && ok || bad "the foreign database was switched to WAL"
[ "$(sqlite3 "$foreign" "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")" = 1 ] && ok || bad "tables were added to the foreign database"

# a database from a newer oo-automator is refused, by reads and writes alike, and left untouched
sqlite3 "$db" 'PRAGMA journal_mode = DELETE; PRAGMA user_version = 77' >/dev/null
before=$(sha256sum <"$db")
for args in "list" "status --run-id 1" "tests" "pause --run-id 1"; do
  # shellcheck disable=SC2086
  expect 1 "newer database: $args" -- "$BIN" --db "$db" $args
  contains "$err" "newer oo-automator" "newer db message: $args"
done
[ "$(sha256sum <"$db")" = "$before" ] && ok || bad "the newer database was changed"
[ "$(sqlite3 "$db" 'PRAGMA journal_mode')" = delete ] && ok || bad "the newer database was switched to WAL"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = 77 ] && ok || bad "newer db untouched"

# --- serve's token from OO_TOKEN: required by every request, never in the process list -------
if command -v curl >/dev/null; then
  mkfifo "$root/serve.out"
  OO_TOKEN='t0k-from-env' "$BIN" --db "$root/serve.db" -v serve --port 0 >"$root/serve.out" 2>"$root/serve.err" &
  spid=$!
  exec 5<"$root/serve.out"
  IFS= read -r url <&5
  case "$url" in http://127.0.0.1:*) ok ;; *) bad "serve with OO_TOKEN printed [$url]" ;; esac
  code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "${url}api/health")
  [ "$code" = 401 ] && ok || bad "OO_TOKEN: a request without the token got $code"
  code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer t0k-from-env' "${url}api/health")
  [ "$code" = 200 ] && ok || bad "OO_TOKEN: a request with the token got $code"
  tr '\0' ' ' </proc/$spid/cmdline | grep -q 't0k-from-env' && bad "the token is in the process list" || ok
  lacks "$(cat "$root/serve.err")" "t0k-from-env" "the token in serve's log"
  contains "$(cat "$root/serve.err")" "OO_TOKEN           = ********" "the token masked in the configuration"
  kill "$spid"; wait "$spid" 2>/dev/null; exec 5<&-
fi

# --- lua ----------------------------------------------------------------------------------
printf 'print("hi", arg[1], #arg)\n' > ok.lua
expect 0 "lua ok" -- "$BIN" lua ok.lua one two
contains "$out" "hi	one	2" "lua args"
printf 'local x = 1\nlocal t = nil\nreturn t.field\n' > err.lua
expect 1 "lua runtime error" -- "$BIN" lua err.lua
one_line "$err" "lua error"; contains "$err" "err.lua:3:" "lua error file:line"
printf 'local = 1\n' > syntax.lua
expect 1 "lua syntax error" -- "$BIN" lua syntax.lua
contains "$err" "syntax.lua:1:" "syntax error file:line"
printf 'error({code = 1})\n' > obj.lua
expect 1 "lua error object" -- "$BIN" lua obj.lua
contains "$err" "error object of type table" "non-string error"

summary
