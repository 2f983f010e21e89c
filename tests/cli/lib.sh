# Helpers shared by the tests/cli scripts; sourced with `. "$(dirname "$0")/lib.sh"`.
# Defines functions only: each script still sets its own variables (bin, tmp, checks, ...).

# ---- counted checks (callers set failures=0 checks=0) ----

# check NAME COMMAND...: the command must succeed
check() {
  local name=$1
  shift
  checks=$((checks + 1))
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}

# expect NAME PATTERN -- ARGS...: run $bin ARGS, want status 2 and exactly one stderr line
# matching the extended regex PATTERN.
expect() {
  local name=$1 pattern=$2
  shift 3
  checks=$((checks + 1))
  local err status lines
  err=$("$bin" "$@" 2>&1 >/dev/null </dev/null)
  status=$?
  lines=$(printf '%s\n' "$err" | grep -c .)
  if [ "$status" -ne 2 ] || [ "$lines" -ne 1 ] || ! printf '%s' "$err" | grep -Eq -- "$pattern"; then
    echo "FAIL $name: status $status, $lines line(s): $err"
    failures=$((failures + 1))
  else
    echo "ok   $name: $err"
  fi
}

# ---- the explorer in tmux: one pane named "tui" on a private server ----

# tmux_init MODEL: skips (exit 77) without tmux or without the fixture MODEL; else the temporary
# directory $tmp, whose socket lives (and is removed) with it; $esc; checks=0.
tmux_init() {
  command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
  [ -f "$1/config.json" ] || { echo "SKIP: fixture $1 not found"; exit 77; }
  tmp=$(mktemp -d)
  trap tmux_cleanup EXIT
  esc=$(printf '\033')
  checks=0
}
T() { tmux -S "$tmp/tmux.sock" -f /dev/null "$@"; }
tmux_cleanup() {
  T kill-server 2>/dev/null
  rm -rf "$tmp"
}

# fail MESSAGE: report with the last screen and the explorer's stderr, exit 1
fail() {
  echo "FAIL: $*"
  echo "--- last screen:"
  cat "$tmp/screen" 2>/dev/null
  [ -s "$tmp/stderr" ] && { echo "--- stderr:"; cat "$tmp/stderr"; }
  exit 1
}
ok() {
  checks=$((checks + 1))
  echo "ok   $*"
}

# capture: screen with escapes (screen.e) and as plain text (screen)
capture() {
  T capture-pane -p -e -t tui > "$tmp/screen.e" 2>/dev/null || return 1
  sed "s/${esc}\[[0-9;:]*[A-Za-z]//g; s/${esc}[()][0-9A-Z]//g" "$tmp/screen.e" > "$tmp/screen"
}
# wait_for REGEX...: until every extended regex matches the plain screen (20 s)
wait_for() {
  local i p all
  for i in $(seq 100); do
    if capture; then
      all=1
      for p in "$@"; do grep -Eq -- "$p" "$tmp/screen" || all=0; done
      [ $all = 1 ] && return 0
    fi
    sleep 0.2
  done
  fail "screen never matched: $*"
}
# wait_gone REGEX: until the regex no longer matches (10 s)
wait_gone() {
  local i
  for i in $(seq 50); do
    capture && ! grep -Eq -- "$1" "$tmp/screen" && return 0
    sleep 0.2
  done
  fail "screen still shows: $1"
}
key() { T send-keys -t tui "$@"; }
# exits KEY...: sends the keys, then true once the explorer has exited, i.e. its start script
# wrote the exit status to $tmp/rc (20 s). -s, not -f: `echo $? > rc` creates the file before it
# writes, and a loaded machine can show the empty file in between.
exits() {
  local i
  key "$@"
  for i in $(seq 100); do
    [ -s "$tmp/rc" ] && return 0
    sleep 0.2
  done
  return 1
}
status_line() { grep -E '^(encoder|decoder|cross)  layer ' "$tmp/screen"; }
