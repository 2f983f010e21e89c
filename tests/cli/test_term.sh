#!/usr/bin/env bash
# Terminal faults, driven in tmux: the explorer must survive a resize storm (hundreds of
# SIGWINCH while it redraws) and every size from 1x1 to 500x200, run or refuse cleanly under
# TERM=dumb/linux/unknown and LANG=C, restore the terminal (tty modes, alternate screen, cursor,
# keypad, mouse) after q, Ctrl-C, SIGINT and SIGTERM, and refuse a stdin or stdout that is not a
# terminal instead of spinning. Outside tmux: `dump | head -1` ends quietly (SIGPIPE) or, with
# SIGPIPE ignored, with one error line and status 2; a full disk (/dev/full) is an error too.
# Usage: test_term.sh ATTNSCOPE FIXTURES_DIR
set -u
bin=$1 fixtures=$2
model=$fixtures/marian-tiny
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
[ -f "$model/config.json" ] || { echo "SKIP: fixture $model not found"; exit 77; }

tmp=$(mktemp -d)
# each start gets its own tmux server (socket tmux.N), so no run waits for the last to shut down
server=0
T() { tmux -S "$tmp/tmux.$server" -f /dev/null "$@"; }
cleanup() {
  local i
  for i in $(seq 0 "$server"); do tmux -S "$tmp/tmux.$i" kill-server 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
checks=0
fail() {
  echo "FAIL: $*"
  [ -f "$tmp/screen" ] && { echo "--- last screen:"; cat "$tmp/screen"; }
  [ -s "$tmp/stderr" ] && { echo "--- stderr:"; cat "$tmp/stderr"; }
  exit 1
}
ok() {
  checks=$((checks + 1))
  echo "ok   $*"
}
capture() { T capture-pane -p -t tui > "$tmp/screen" 2>/dev/null; }
# wait_for REGEX: until the plain screen matches (20 s)
wait_for() {
  local i
  for i in $(seq 100); do
    capture && grep -Eq -- "$1" "$tmp/screen" && return 0
    [ -f "$tmp/rc" ] && fail "the explorer exited (status $(cat "$tmp/rc")) before showing: $1"
    sleep 0.2
  done
  fail "screen never matched: $1"
}
# wait_rc: until the explorer has exited (20 s); prints its exit status
wait_rc() {
  local i
  for i in $(seq 100); do
    [ -f "$tmp/rc" ] && { cat "$tmp/rc"; return 0; }
    sleep 0.2
  done
  fail "the explorer did not exit"
}
alive() { [ ! -f "$tmp/rc" ] && kill -0 "$(cat "$tmp/pid")" 2>/dev/null; }

src="A man sleeping in a green room on a couch."
status_re='^encoder  layer 0/2  head 0/4 '

# start W H ENV...: the explorer in a fresh W x H session. The pane's shell records the tty
# modes before and after (stty -g), the explorer's pid and its exit status.
start() {
  local w=$1 h=$2
  shift 2
  T kill-server 2>/dev/null
  server=$((server + 1))
  rm -f "$tmp/rc" "$tmp/pid" "$tmp/stderr" "$tmp/stty.before" "$tmp/stty.after" "$tmp/screen"
  cat > "$tmp/run.sh" <<EOS
#!/bin/sh
stty -g > "$tmp/stty.before"
env -u COLORTERM -u NO_COLOR TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $* \
  sh -c 'echo \$\$ > "$tmp/pid"; exec "\$0" "\$@"' "$bin" "$model" --src "$src" --device cpu \
  2>"$tmp/stderr" ${stdin_redirect:-}
echo \$? > "$tmp/rc.tmp"
stty -g > "$tmp/stty.after"
mv "$tmp/rc.tmp" "$tmp/rc"
sleep 60
EOS
  chmod +x "$tmp/run.sh"
  T new-session -d -s tui -x "$w" -y "$h" "$tmp/run.sh" || fail "tmux cannot start a session"
  T set-option -t tui status off
}
# restored WHAT: after the explorer exited, the tty modes equal those before it and the pane
# has left the alternate screen, shows the cursor, and has keypad and mouse reporting off
restored() {
  cmp -s "$tmp/stty.before" "$tmp/stty.after" || fail "$1: tty modes not restored"
  local flags
  flags=$(T display-message -p -t tui \
    '#{alternate_on} #{cursor_flag} #{keypad_cursor_flag} #{mouse_any_flag}')
  [ "$flags" = "0 1 0 0" ] ||
    fail "$1: pane flags (alternate cursor keypad mouse) are '$flags', want '0 1 0 0'"
  ok "$1: terminal restored (stty, alternate screen, cursor, keypad, mouse)"
}

# ---- resize storm ---------------------------------------------------------------------------
start 100 30
wait_for "$status_re"
pid=$(cat "$tmp/pid")
# 300 resizes as fast as tmux sends them (each one a SIGWINCH), with keys in between so the
# explorer redraws while the storm goes on
for i in $(seq 300); do
  T resize-window -t tui -x $((20 + (i * 37) % 181)) -y $((5 + (i * 13) % 56)) 2>/dev/null
  [ $((i % 25)) = 0 ] && T send-keys -t tui l
done
alive || fail "the explorer died in the resize storm"
T resize-window -t tui -x 100 -y 30
# 12 presses of l moved the cursor from the first key to the last (k[11] of 12 tokens)
wait_for "${status_re} q\\[0\\] A  k\\[11\\] </s> "
ok "resize storm: 300 resizes, every key handled, same view at 100x30"

# ---- sizes from 1x1 to 500x200 ----------------------------------------------------------------
for size in 1x1 2x1 1x3 10x3 39x9 40x10 41x11 80x24 200x60 500x200 1x200 500x1; do
  T resize-window -t tui -x "${size%x*}" -y "${size#*x}"
  sleep 0.3
  alive || fail "the explorer died at $size"
  case $size in
    40x10 | 41x11 | 80x24 | 200x60 | 500x200) wait_for '^encoder  layer ' ;;
    39x9 | 10x3) wait_for 'need 40x10' ;;
  esac
done
ok "sizes 1x1 .. 500x200: alive, map shown from 40x10 up, 'too small' below"
T resize-window -t tui -x 100 -y 30
wait_for '^encoder  layer '
T send-keys -t tui q
[ "$(wait_rc)" = 0 ] || fail "q after the storm: exit status $(cat "$tmp/rc")"
restored "q"

# ---- Ctrl-C, SIGINT, SIGTERM -------------------------------------------------------------------
start 100 30
wait_for "$status_re"
T send-keys -t tui C-c
[ "$(wait_rc)" = 0 ] || fail "Ctrl-C: exit status $(cat "$tmp/rc")"
restored "Ctrl-C (a key in raw mode)"
# from another process: the terminal is restored, then attnscope ends by that signal (128 + n)
for sig in INT:130 TERM:143; do
  start 100 30
  wait_for "$status_re"
  kill -s "${sig%:*}" "$(cat "$tmp/pid")"
  rc=$(wait_rc)
  [ "$rc" = "${sig#*:}" ] || fail "SIG${sig%:*}: exit status $rc, not ${sig#*:}"
  grep -q 'Sanitizer\|runtime error' "$tmp/stderr" && fail "SIG${sig%:*}: sanitizer report"
  restored "SIG${sig%:*} (exit status $rc)"
done

# a hangup means the terminal is gone: nothing to restore, but the explorer must end, not spin
start 100 30
wait_for "$status_re"
kill -s HUP "$(cat "$tmp/pid")"
[ "$(wait_rc)" = 129 ] || fail "SIGHUP: exit status $(cat "$tmp/rc")"
ok "SIGHUP: ends (status 129)"

# ---- TERM and locale -----------------------------------------------------------------------------
start 100 30 TERM=linux
wait_for "$status_re"
T send-keys -t tui q
[ "$(wait_rc)" = 0 ] || fail "TERM=linux: exit status $(cat "$tmp/rc")"
restored "TERM=linux"

start 100 30 LANG=C LC_ALL=C
wait_for "$status_re"
grep -q '▀' "$tmp/screen" && fail "LANG=C: UTF-8 half-blocks on a non-UTF-8 terminal"
T send-keys -t tui q
[ "$(wait_rc)" = 0 ] || fail "LANG=C: exit status $(cat "$tmp/rc")"
ok "LANG=C: ASCII map, no UTF-8 glyphs"

start 100 30 TERM=attnscope-no-such-terminal
[ "$(wait_rc)" = 2 ] || fail "unknown TERM: exit status $(cat "$tmp/rc")"
grep -qx 'attnscope: explorer: cannot initialise the terminal (TERM=attnscope-no-such-terminal)' \
  "$tmp/stderr" || fail "unknown TERM: stderr: $(cat "$tmp/stderr")"
restored "unknown TERM: one error line, status 2"

start 100 30 TERM=dumb
rc=$(wait_rc)
[ "$rc" = 2 ] || fail "TERM=dumb: exit status $rc"
[ "$(grep -c . "$tmp/stderr")" = 1 ] && grep -q '^attnscope: explorer: .*TERM=dumb' "$tmp/stderr" ||
  fail "TERM=dumb: stderr: $(cat "$tmp/stderr")"
restored "TERM=dumb: one error line, status 2"

# ---- not a terminal ------------------------------------------------------------------------------
# in tmux, stdin from /dev/null (stdout is the terminal): curses would read end-of-file forever
stdin_redirect="</dev/null" start 100 30
[ "$(wait_rc)" = 2 ] || fail "stdin not a terminal: exit status $(cat "$tmp/rc") (124: it hung)"
grep -qx 'attnscope: explorer: standard input is not a terminal .*' "$tmp/stderr" ||
  fail "stdin not a terminal: stderr: $(cat "$tmp/stderr")"
restored "stdin not a terminal: one error line, status 2"
# outside tmux, stdout into a file: nothing may be written into it
timeout 20 "$bin" "$model" --src "$src" --device cpu >"$tmp/out.txt" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] || fail "explorer >file: exit status $rc (124: it hung)"
grep -qx 'attnscope: explorer: standard \(input\|output\) is not a terminal .*' "$tmp/err" ||
  fail "explorer >file: stderr: $(cat "$tmp/err")"
[ -s "$tmp/out.txt" ] && fail "explorer >file wrote escape codes into the file"
ok "stdout not a terminal: one error line, status 2, nothing written"

# ---- closed pipe, full disk --------------------------------------------------------------------
dump=(dump "$model" --src "$src" --device cpu --head all)
for fmt in ascii ansi json; do
  "$bin" "${dump[@]}" --format "$fmt" 2>"$tmp/stderr" | head -c 10 >/dev/null
  rc=${PIPESTATUS[0]}
  [ "$rc" = 141 ] && [ ! -s "$tmp/stderr" ] || fail "dump --format $fmt | head: status $rc"
  (trap '' PIPE; "$bin" "${dump[@]}" --format "$fmt" 2>"$tmp/stderr" | head -c 10 >/dev/null
   echo "${PIPESTATUS[0]}" > "$tmp/rc.pipe")
  rc=$(cat "$tmp/rc.pipe")
  [ "$rc" = 2 ] && [ "$(grep -c . "$tmp/stderr")" = 1 ] && grep -q '^attnscope: ' "$tmp/stderr" ||
    fail "dump --format $fmt | head with SIGPIPE ignored: status $rc, stderr: $(cat "$tmp/stderr")"
done
ok "dump | head: killed by SIGPIPE silently; SIGPIPE ignored: one error line, status 2"
for cmd in "info $model" "--help" "stats $model --src x --device cpu"; do
  # shellcheck disable=SC2086
  err=$("$bin" $cmd 2>&1 >/dev/full)
  rc=$?
  [ "$rc" = 2 ] && [[ $err =~ ^attnscope:\ .*write\ error ]] ||
    fail "$cmd >/dev/full: status $rc: $err"
done
ok "output to a full disk: one error line, status 2"

echo "$checks checks passed"
