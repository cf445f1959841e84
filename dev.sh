#!/usr/bin/env bash
# dev.sh: set up, build and run oo-automator on Debian 12.
#   ./dev.sh demo   install what is missing, build, run `oo-automator demo`
#   ./dev.sh test   install what is missing, build (warnings are errors), run the whole suite,
#                   once on the normal build and once under AddressSanitizer + UBSan
#   ./dev.sh build  only set up and build
#   ./dev.sh package  build, then make the Debian package oo-automator_<version>_amd64.deb
#                   (cpack -G DEB in build/); its path is the last line printed
# Idempotent and quiet when everything is already there. Extra arguments after `demo` go to
# the demo; after `test` they go to ctest (e.g. ./dev.sh test -L unit).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
JOBS=$(nproc 2>/dev/null || echo 2)

APT_PACKAGES=(build-essential cmake pkg-config liblua5.4-dev libsqlite3-dev libcjson-dev libyaml-dev
  libwebsockets-dev libh2o-evloop-dev libwslay-dev libssl-dev zlib1g-dev libuv1-dev
  chromium nodejs npm sqlite3 valgrind curl jq
  dpkg-dev file man-db tmux zsh fish bash-completion)

say() { printf 'dev.sh: %s\n' "$*" >&2; }

setup_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    # nodejs from another source ships npm itself: do not ask apt for npm then.
    if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
    if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing ${missing[*]}"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_npm() {
  # Front-end libraries (and playwright-core for oo-sim's tests) go into vendor/node_modules.
  local stamp=vendor/node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ vendor/package-lock.json -nt "$stamp" ]; then
    say "installing front-end libraries into vendor/"
    (cd vendor && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

build() { # build DIR [cmake options...]
  local dir=$1; shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S . -B "$dir" "$@" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log" >&2; exit 1; }
  fi
  if ! cmake --build "$dir" -j "$JOBS" >"$dir.build.log" 2>&1; then
    grep -E 'error|Error|warning' "$dir.build.log" >&2 || cat "$dir.build.log" >&2
    say "build failed in $dir (full log: $dir.build.log)"
    exit 1
  fi
}

mode=${1:-}
[ $# -gt 0 ] && shift
case "$mode" in
  demo)
    setup_apt; setup_npm
    build build -DOO_WERROR=ON
    exec ./build/oo-automator demo "$@"
    ;;
  build)
    setup_apt; setup_npm
    build build -DOO_WERROR=ON
    ;;
  test)
    setup_apt; setup_npm
    build build -DOO_WERROR=ON
    build build-asan -DOO_WERROR=ON -DOO_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
    status=0
    echo "== test suite (normal build) =="
    ctest --test-dir build --output-on-failure -j "$JOBS" "$@" || status=1
    echo "== test suite (AddressSanitizer + UndefinedBehaviorSanitizer) =="
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir build-asan --output-on-failure -j "$JOBS" -LE no-asan "$@" || status=1
    exit $status
    ;;
  package)
    setup_apt; setup_npm
    build build -DOO_WERROR=ON
    # dpkg-shlibdeps computes Depends from the libraries the programs link
    (cd build && cpack -G DEB >cpack.log 2>&1) || { cat build/cpack.log >&2; say "cpack failed (log: build/cpack.log)"; exit 1; }
    sed -n 's/^CPack: - package: \(.*\) generated\.$/\1/p' build/cpack.log
    ;;
  *)
    echo "usage: ./dev.sh demo|test|build|package [args...]" >&2
    exit 2
    ;;
esac
