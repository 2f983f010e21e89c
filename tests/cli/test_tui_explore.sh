#!/usr/bin/env bash
# The explorer as a user drives it: starts `attnscope MODEL --src --tgt --device cpu` in a tmux
# pane (100x30, TERM=xterm-256color, LANG=C.UTF-8), sends keys and reads the screen back with
# `capture-pane -p -e` after each: the status line must follow (map type, layer, head, cursor
# tokens) and its value must equal the tensor `attnscope dump --format safetensors` writes for
# the same element; the help overlay, a too-small window (20x6), source editing and quitting are
# checked too, and the colormap key. A second run checks NO_COLOR (density glyphs, no colour).
# Usage: test_tui_explore.sh ATTNSCOPE FIXTURES_DIR ST_VALUE
set -u
bin=$1 fixtures=$2 st_value=$3
model=$fixtures/marian-tiny
. "$(dirname "$0")/lib.sh"
tmux_init "$model"

# check_value: the value in the status line equals the dumped tensor element (%.4f rounding)
check_value() {
  local line
  line=$(status_line) || fail "no status line"
  [[ $line =~ ^([a-z]+)\ \ layer\ ([0-9]+)/[0-9]+\ \ head\ ([0-9a-z]+)[^q]*q\[([0-9]+)\].*k\[([0-9]+)\].*\ (-?[0-9]+\.[0-9]{4}) ]] \
    || fail "cannot parse status line: $line"
  local kind=${BASH_REMATCH[1]} layer=${BASH_REMATCH[2]} head=${BASH_REMATCH[3]}
  local q=${BASH_REMATCH[4]} k=${BASH_REMATCH[5]} shown=${BASH_REMATCH[6]} ref
  ref=$("$st_value" "$tmp/maps.st" "$kind.attn.L$layer" "$head" "$q" "$k") \
    || fail "no dumped value for: $line"
  # the screen rounds to 4 decimals: allow half a unit in the last place plus float noise
  awk -v a="$shown" -v b="$ref" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 6e-5) }' \
    || fail "status value differs from the dump: shown $shown, dumped $ref: $line"
  ok "value matches dump: $line"
}

src="A man sleeping in a green room on a couch."
tgt="Ein Mann schläft in einem grünen Raum auf einem Sofa."
"$bin" dump "$model" --src "$src" --tgt "$tgt" --device cpu --format safetensors --head all \
  -o "$tmp/maps.st" || fail "attnscope dump failed"

# start NAME ENV...: runs the explorer in a fresh 100x30 tmux session; exit code -> $tmp/rc
start() {
  rm -f "$tmp/rc" "$tmp/stderr"
  cat > "$tmp/run.sh" <<EOF
#!/bin/sh
env -u COLORTERM -u NO_COLOR TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $* \
  "$bin" "$model" --src "$src" --tgt "$tgt" --device cpu 2>"$tmp/stderr"
echo \$? > "$tmp/rc"
EOF
  chmod +x "$tmp/run.sh"
  T new-session -d -s tui -x 100 -y 30 "$tmp/run.sh" || fail "tmux cannot start a session"
}
# quit: q must end the program with exit status 0
quit() {
  exits q || fail "the explorer did not exit on q"
  [ "$(cat "$tmp/rc")" = 0 ] || fail "exit status $(cat "$tmp/rc")"
  ok "q quits with status 0"
}

# ---- run 1: 256 colours ----------------------------------------------------------------------
start
wait_for '^encoder  layer 0/2  head 0/4  q\[0\] A  k\[0\] A  [0-9]\.[0-9]{4}'
ok "first frame"
grep -Eq '^ +man ' "$tmp/screen" && grep -Eq '^ +couch ' "$tmp/screen" || fail "row labels"
ok "source tokens label the rows"
grep -q "${esc}\[38;5;" "$tmp/screen.e" && grep -q '▀' "$tmp/screen" ||
  fail "no 256-colour half-blocks"
ok "256-colour half-blocks"
check_value

key Tab
wait_for '^decoder  layer 0/2  head 0/4  q\[0\] <pad>  k\[0\] <pad> ' '^ +Mann '
ok "Tab: decoder self-attention"
check_value
key ']'
wait_for '^decoder  layer 1/2  head 0/4 '
ok "]: next layer"
key '>'
wait_for '^decoder  layer 1/2  head 1/4 '
ok ">: next head"
check_value
key l
wait_for '^decoder  layer 1/2  head 1/4  q\[0\] <pad>  k\[1\] Ein '
ok "l: cursor right"
key j
wait_for '^decoder  layer 1/2  head 1/4  q\[1\] Ein  k\[1\] Ein '
ok "j: cursor down"
check_value
key Tab
wait_for '^cross  layer 1/2  head 1/4  q\[1\] Ein  k\[1\] man '
ok "Tab: cross-attention keeps layer, head and cursor"
check_value
key a
wait_for '^cross  layer 1/2  head mean  q\[1\] Ein  k\[1\] man '
ok "a: mean over heads"
check_value

key '?'
wait_for 'next layer' 'previous head' 'mean over heads' 'j/k scroll'
key NPage NPage NPage
wait_for 'q F10 C-c +quit'
ok "?: help lists the keys (scrolled to the end at 100x30)"
key x
wait_gone 'previous head'
ok "any key closes the help"

T resize-window -t tui -x 20 -y 6
wait_for '^terminal too small:' '^need 40x10'
[ -f "$tmp/rc" ] && fail "the explorer exited in a 20x6 window"
ok "20x6: too-small message, still running"
T resize-window -t tui -x 100 -y 30
wait_for '^cross  layer 1/2  head mean  q\[1\] Ein  k\[1\] man '
ok "back to 100x30: same view"

# e: new source; the store is replaced, map type / layer / head stay
key e
wait_for '^source> A man sleeping'
key C-u
key -l "A dog runs."
key Enter
wait_for '"A dog runs\."' '^cross  layer 1/2  head mean  q\[1\] [^ ]+  k\[1\] dog '
ok "e: rerun on a new source keeps the view"
key 1
wait_for '^encoder  layer 1/2  head mean  q\[1\] dog  k\[1\] dog '
ok "1: encoder self-attention"
key '<'
wait_for '^encoder  layer 1/2  head 1/4 '
ok "<: leaves the mean for the last head"
key '['
wait_for '^encoder  layer 0/2  head 1/4 '
ok "[: previous layer"
key h k
wait_for '^encoder  layer 0/2  head 1/4  q\[0\] A  k\[0\] A '
ok "h k: cursor left and up"
key 2
wait_for '^decoder  layer 0/2  head 1/4 '
ok "2: decoder self-attention"
grep -o "${esc}\[48;5;[0-9]*m" "$tmp/screen.e" | sort -u > "$tmp/colors.viridis"
key c
wait_for '^colormap: magma'
grep -o "${esc}\[48;5;[0-9]*m" "$tmp/screen.e" | sort -u > "$tmp/colors.magma"
cmp -s "$tmp/colors.viridis" "$tmp/colors.magma" && fail "c did not change the colours"
ok "c: next colormap"
quit

# ---- run 2: NO_COLOR -------------------------------------------------------------------------
T kill-server 2>/dev/null
start NO_COLOR=1
wait_for '^encoder  layer 0/2  head 0/4 '
grep -Eq "${esc}\[[0-9;]*(38|48);" "$tmp/screen.e" && fail "colour escapes despite NO_COLOR"
grep -q '▀' "$tmp/screen" && fail "half-blocks despite NO_COLOR"
grep -Eq '^ +man .*[#%@*+=]' "$tmp/screen" || fail "no density glyphs in the map"
ok "NO_COLOR: density glyphs, no colour"
quit

echo "$checks checks passed"
