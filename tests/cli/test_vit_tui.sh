#!/usr/bin/env bash
# The explorer on a vision model, driven in tmux (100x30, TERM=xterm-256color, UTF-8):
# `attnscope vit-tiny --image digit7.png` opens the token map (rows labelled CLS, p(r,c)); `i`
# opens the image view and cycles overlay -> heads -> layers -> rollout -> mask, each frame
# showing coloured half blocks and its mode in the status line; `m` goes back to the map; q exits
# with status 0. `s` in the image view saves a snapshot whose .ans keeps the image's colours. A
# second run with NO_COLOR draws the image view as density glyphs.
# Usage: test_vit_tui.sh ATTNSCOPE FIXTURES_DIR
set -u
bin=$(realpath "$1") fixtures=$(realpath "$2")
model=$fixtures/vit-tiny
. "$(dirname "$0")/lib.sh"
tmux_init "$model"
start() { # start ENV...: the explorer in a fresh session; exit status -> $tmp/rc
  rm -f "$tmp/rc" "$tmp/stderr"
  cat > "$tmp/run.sh" <<EOF
#!/bin/sh
env -u COLORTERM -u NO_COLOR TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $* \
  "$bin" "$model" --image "$model/digit7.png" --device cpu 2>"$tmp/stderr"
echo \$? > "$tmp/rc"
EOF
  chmod +x "$tmp/run.sh"
  T new-session -d -s tui -x 100 -y 30 -c "$tmp" "$tmp/run.sh" || fail "tmux cannot start a session"
}
quit() {
  exits q && [ "$(cat "$tmp/rc")" = 0 ] || fail "q did not exit with status 0"
  ok "q quits with status 0"
  T kill-server 2>/dev/null
}
coloured() { grep -q "${esc}\[38;5;" "$tmp/screen.e" && grep -q '▀' "$tmp/screen"; }

start
wait_for '^encoder  layer 0/2  head 0/4  q\[0\] CLS  k\[0\] CLS'
grep -Eq '^ *p\(3,3\) ' "$tmp/screen" || fail "patch labels on the rows"
ok "token map: rows labelled CLS .. p(3,3)"
key i
wait_for '^image overlay  layer 0/2  head 0/4  48x40 px, 4x4 patches  prediction: [a-z]+'
coloured || fail "overlay not drawn in colour half blocks"
ok "image view: overlay beside the image, prediction in the status line"
key s
wait_for 'saved attnscope-1.txt and attnscope-1.ans'
# the image rows (below the title, above the status lines) carry their own colours: before the
# fix only the title's legend did, as the image's pairs lie outside the colormap palette
sed -n '3,27p' "$tmp/attnscope-1.ans" | grep -q "${esc}\[0;38;5;[0-9]*;48;5;[0-9]*m▀" \
  || fail "snapshot of the image view without colours"
sed -n '3,27p' "$tmp/attnscope-1.txt" | grep -q '▀' || fail "snapshot .txt without half blocks"
grep -q "$esc" "$tmp/attnscope-1.txt" && fail "snapshot .txt holds escapes"
ok "s: the image view's snapshot keeps its colours (.ans), plain text (.txt)"
key ']' '>'
wait_for '^image overlay  layer 1/2  head 1/4'
ok "layer and head keys move the overlay"
key i
wait_for '^image heads  layer 1/2' '(^| )H0 ' ' H3( |$)'
coloured || fail "head tiles not coloured"
ok "per-head grid of the layer"
key i
wait_for '^image layers ' '(^| )L0 ' ' L1( |$)'
ok "layer progression"
key i
wait_for '^image rollout '
coloured || fail "rollout not drawn"
ok "rollout overlay"
key i
wait_for '^image mask '
ok "threshold mask"
key m
wait_for '^encoder  layer 1/2  head 1/4'
ok "m returns to the map"
quit

start NO_COLOR=1
wait_for '^encoder  layer 0/2'
key i
wait_for '^image overlay '
grep -q "${esc}\[38;5;" "$tmp/screen.e" && fail "NO_COLOR: colours in the image view"
grep -Eq '[.:=+*#%@-]{4}' "$tmp/screen" || fail "NO_COLOR: no density glyphs"
ok "NO_COLOR: the heat as density glyphs"
quit
echo "$checks checks"
