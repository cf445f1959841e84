#!/usr/bin/env bash
# The manual page: man renders it without a warning, and it says what --help says: every
# command with its usage and summary, every option of every command, and every setting.
set -u
PAGE=$1 BIN=$2
TESTS=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS/lib.sh"
tmpdir manpage
root=$T
export HOME=$root MANWIDTH=200 LC_ALL=C.UTF-8
unset OO_DATA_DIR OO_DB_PATH

text=$(man --warnings -l "$PAGE" 2>"$root/warnings" | col -b); rc=$?
[ $rc = 0 ] && [ -n "$text" ] && ok || bad "man -l $PAGE: exit $rc"
[ ! -s "$root/warnings" ] && ok || bad "man warns: $(cat "$root/warnings")"
has() { case "$text" in *"$1"*) ok ;; *) bad "the page lacks: $1" ;; esac; }
has "oo-automator - automate OptionOmega backtests"
has "oo-automator $("$BIN" --version | head -1 | cut -d' ' -f2)"
for section in NAME SYNOPSIS DESCRIPTION "GLOBAL OPTIONS" COMMANDS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
  printf '%s\n' "$text" | grep -qx "$section" && ok || bad "no $section section"
done
commands=$("$BIN" --help | awk '/^commands:/ {on=1; next} /^$/ {on=0} on {print $1}')
[ "$(printf '%s\n' "$commands" | wc -l)" -ge 10 ] && ok || bad "--help lists the commands: $commands"
for c in $commands; do
  help=$("$BIN" "$c" --help)
  has "oo-automator $(printf '%s\n' "$help" | sed -n 's/^usage: oo-automator //p')"
  has "$(printf '%s\n' "$help" | sed -n 3p)"
  for opt in $(printf '%s\n' "$help" | sed -n '/^options:/,/^$/p' | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
    printf '%s\n' "$text" | grep -qE -- "(^|[ ,])$opt( |$)" && ok || bad "the page lacks $c's option $opt"
  done
done
for key in $("$BIN" -v status 2>&1 >/dev/null | grep -oE '^ *OO_[A-Z_]+' ); do has "$key"; done
# every setting is described on the page itself, once
case "$text" in *"See README.md."*) bad "a setting has no description on the page" ;; *) ok ;; esac
[ "$(printf '%s\n' "$text" | grep -cx ' *OO_HOME')" = 1 ] && ok || bad "OO_HOME is listed $(printf '%s\n' "$text" | grep -cx ' *OO_HOME') times"
# man finds it where the package puts it: <prefix>/share/man beside <prefix>/bin
mkdir -p "$root/usr/bin" "$root/usr/share/man/man1"
cp "$PAGE" "$root/usr/share/man/man1/" && ln -s "$BIN" "$root/usr/bin/oo-automator"
found=$(PATH=$root/usr/bin:/usr/bin:/bin MANPATH= man -w oo-automator 2>&1)
[ "$found" = "$root/usr/share/man/man1/$(basename "$PAGE")" ] && ok || bad "man -w oo-automator: $found"

summary
