#!/usr/bin/env bash
# Shell completion as a user meets it: the scripts pass `bash -n`, `zsh -n` and `fish -n`;
# bash's completion function answers for many command lines (commands, options, choices,
# parameters, modes, files, and tests and runs from a real database that completion must
# leave untouched); and TAB in a real interactive bash and zsh (under tmux) and in fish
# (complete -C) turns `oo-automator ru` into `oo-automator run`.
set -u
BIN=$(readlink -f "$1")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
tmux_sock=oo-completion-$$ tmux_socks= tmux_n=0
before_cleanup() { for s in $tmux_socks; do tmux -L "$s" kill-server 2>/dev/null; done; }
tmpdir completion
root=$T
export HOME=$root/home XDG_DATA_HOME= ; mkdir -p "$HOME"
unset OO_DB_PATH OO_DATA_DIR OO_PARAMETERS_PATH OO_LUA_PATH
mkdir -p "$root/bin" && ln -s "$BIN" "$root/bin/oo-automator"
export PATH=$root/bin:$PATH
cd "$root" || exit 2

for sh in bash zsh fish; do
  "$BIN" completion $sh > "$root/script.$sh" || bad "completion $sh exits 0"
  [ -s "$root/script.$sh" ] && ok || bad "completion $sh prints a script"
  $sh -n "$root/script.$sh" 2>"$root/err" && ok || bad "$sh -n rejects the $sh script: $(cat "$root/err")"
done
"$BIN" completion tcsh >/dev/null 2>"$root/err"; rc=$?
[ $rc = 2 ] && grep -q "bash, zsh or fish" "$root/err" && ok || bad "an unknown shell: exit $rc, $(cat "$root/err")"

# a database with two tests and a run
db=$root/data/oo_automator.db
# a command that writes creates it (`tests` only reads, and creates nothing)
"$BIN" --db "$db" pause --run-id 1 >/dev/null 2>&1; [ -f "$db" ] || bad "create the database"
sqlite3 "$db" <<'SQL'
INSERT INTO tests(url, name) VALUES ('https://optionomega.com/test/abc123', 'Put Credit Spread'), ('https://optionomega.com/test/def456', 'Iron Condor');
INSERT INTO runs(test_id, name, mode, config, status) VALUES (2, 'Delta sweep', 'sweep', '{}', 'completed');
INSERT INTO runs(test_id, name, mode, config, status) VALUES (1, NULL, 'grid', '{}', 'paused');
SQL
before=$(sha256sum "$db" | cut -d' ' -f1)
mkdir -p flows && touch flows/login.json flows/notes.txt flows/run.lua

# what bash's completion function puts in COMPREPLY for a command line (the cursor at its end)
complete_bash() {
  bash --norc --noprofile -c '
    source "$1"; COMP_LINE=$2; COMP_POINT=${#2}
    read -ra COMP_WORDS <<< "$2"; [[ $2 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
    _oo_automator; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$root/script.bash" "$1"
}
expect_bash() { # LINE EXPECTED (sorted, space-separated)
  local got; got=$(complete_bash "$1"); got=${got% }
  [ "$got" = "$2" ] && ok || bad "bash completion of '$1': got '$got', expected '$2'"
}
expect_bash "oo-automator ru" "run"
expect_bash "oo-automator re" "record-check replay resume retry"
expect_bash "oo-automator " "$("$BIN" --help | awk '/^commands:/ {on=1; next} /^$/ {on=0} on {print $1}' | sort | tr '\n' ' ' | sed 's/ $//')"
expect_bash "oo-automator completion " "bash fish zsh"
expect_bash "oo-automator export --f" "--format"
expect_bash "oo-automator export --format " "csv json markdown tradeblocks"
expect_bash "oo-automator export --format=j" "json"
expect_bash "oo-automator list --status p" "paused pending"
expect_bash "oo-automator list --mode " "$(ls "$SRC/lua/modes" | sed -n 's/\.lua$//p' | sort | tr '\n' ' ' | sed 's/ $//')"
expect_bash "oo-automator run --param del" "delta"
expect_bash "oo-automator run --param stop" "stop_loss"
expect_bash "oo-automator --db $db status --run-id " "1 2"
expect_bash "oo-automator status --db=$db --run-id " "1 2"
expect_bash "oo-automator --db $db tests " "delete rename"
expect_bash "oo-automator --db $db tests delete " "1 2"
expect_bash "oo-automator --db $db list --test " "1 2"
# a URL: bash completes after the last ':' of a word, so the script answers from there
expect_bash "oo-automator --db $db run --url https://optionomega.com/test/d" "//optionomega.com/test/def456"
expect_bash "oo-automator replay flows/" "flows/login.json"
expect_bash "oo-automator run flows/" "flows/run.lua"
expect_bash "oo-automator lua flows/run.lua --x flows/n" "flows/notes.txt"
expect_bash "oo-automator --data-dir $root/data status --run-id " "1 2"
expect_bash "oo-automator frobnicate " ""
expect_bash "oo-automator status --run-id " ""            # no database there: nothing, and none made
[ ! -e "$HOME/.local/share/oo-automator" ] && ok || bad "completion created the default data dir"
[ "$(sha256sum "$db" | cut -d' ' -f1)" = "$before" ] && ok || bad "completion changed the database"
[ "$(ls -A "$root/data")" = oo_automator.db ] && ok || bad "completion left files beside the database: $(ls -A "$root/data")"
# the descriptions shells show beside each value
out=$("$BIN" --db "$db" completion candidates -- status --run-id "")
case "$out" in *$'1\tcompleted sweep: Delta sweep'*) ok ;; *) bad "run description: $out" ;; esac
out=$("$BIN" completion candidates -- run --param de)
[ "$out" = $'delta\tDelta' ] && ok || bad "parameter description: $out"

# a real interactive shell under tmux: type, press TAB, read the screen
tmux_type() {
  # a tmux server of its own for each shell (one server's last session ending makes it exit,
  # and a new session could reach it while it does)
  local sock=$tmux_sock-$((++tmux_n)) screen=""
  tmux_socks="$tmux_socks $sock"
  tmux -L "$sock" new-session -d -x 150 -y 20 "$1" 2>"$root/tmux.err" || { bad "tmux: cannot start $1: $(cat "$root/tmux.err")"; return; }
  tmux -L "$sock" send-keys "$2" Enter
  tmux -L "$sock" send-keys "echo READY-\$((6*7))" Enter
  local deadline=$((SECONDS + 60))
  until screen=$(tmux -L "$sock" capture-pane -p); [[ $screen == *READY-42* ]] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
  # the marker typed after TAB shows where the completion left the cursor (a space after a word)
  tmux -L "$sock" send-keys "$3" Tab "@@"
  deadline=$((SECONDS + 60))
  until screen=$(tmux -L "$sock" capture-pane -p); [[ $screen == *"$4"* ]] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
  [[ $screen == *"$4"* ]] && ok || bad "TAB after '$3' in $1: expected '$4' on screen, got: $screen"
  tmux -L "$sock" kill-server
}
tmux_type "env PS1='$ ' bash --norc --noprofile -i" "source $root/script.bash" "oo-automator ru" "$ oo-automator run @@"
tmux_type "env PS1='$ ' bash --norc --noprofile -i" "source $root/script.bash" "oo-automator export --format=c" "$ oo-automator export --format=csv @@"
mkdir -p "$root/zfunc" && cp "$root/script.zsh" "$root/zfunc/_oo-automator"
tmux_type "env PS1='%% ' zsh -f -i" "fpath=($root/zfunc \$fpath); autoload -Uz compinit; compinit -u -D" "oo-automator ru" "% oo-automator run @@"
tmux_type "env PS1='%% ' zsh -f -i" "fpath=($root/zfunc \$fpath); autoload -Uz compinit; compinit -u -D" "oo-automator --db $db tests delete " "Iron Condor"

# fish answers for a command line itself
out=$(fish --no-config -c "source $root/script.fish; complete -C'oo-automator ru'")
[ "$out" = "run	Run a sweep, grid or staged optimization of an OptionOmega test" ] && ok || bad "fish: $out"
out=$(fish --no-config -c "source $root/script.fish; complete -C'oo-automator --db $db status --run-id '")
case "$out" in *"2	paused grid: Put Credit Spread"*) ok ;; *) bad "fish run ids: $out" ;; esac
out=$(fish --no-config -c "source $root/script.fish; complete -C'oo-automator replay flows/'")
[ "$out" = "flows/login.json" ] && ok || bad "fish files: $out"

summary
