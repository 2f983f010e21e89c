#!/usr/bin/env bash
# The explorer on a Q/K store (--store qk: every head recomputed from the kept queries and keys
# into a 4-slot cache): the status line's value equals the --store full dump for heads visited
# in turn (more heads than cache slots, then back), the mean view, the max view; the layer grid,
# model overview and head table (every head materialised one at a time) show all 8 heads; row
# focus; q exits 0. In tmux, on bert-tiny, --device cpu.
# Usage: test_tui_store.sh ATTNSCOPE FIXTURES_DIR ST_VALUE
set -u
bin=$(realpath "$1") fixtures=$2 st_value=$(realpath "$3")
model=$fixtures/bert-tiny
. "$(dirname "$0")/lib.sh"
tmux_init "$model"

src="The quick brown fox jumps over the lazy dog near the river bank."
"$bin" dump "$model" --src "$src" --device cpu --store full --format safetensors \
  -o "$tmp/maps.st" || fail "attnscope dump failed"

# the status line: "encoder  layer L/2  head H/4  q[Q] ...  k[K] ...  V" (H: a number or mean)
check_value() {
  local line re='^encoder  layer ([0-9]+)/2  head ([0-9a-z]+)[^q]*q\[([0-9]+)\].*k\[([0-9]+)\] [^ ]*  ([0-9]\.[0-9]{4})'
  line=$(status_line) || fail "no status line"
  [[ $line =~ $re ]] || fail "cannot parse status line: $line"
  local ref
  ref=$("$st_value" "$tmp/maps.st" "attn.L${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" \
    "${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}")
  awk -v a="${BASH_REMATCH[5]}" -v b="$ref" \
    'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b != "" && d <= 6e-5) }' ||
    fail "shown ${BASH_REMATCH[5]}, dumped $ref: $line"
  ok "value matches the full dump: $line"
}

{
  echo '#!/bin/sh'
  printf 'env -u COLORTERM -u NO_COLOR TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8'
  printf ' %q' "$bin" "$model" --src "$src" --device cpu --store qk
  echo " 2>'$tmp/stderr'"
  echo "echo \$? > '$tmp/rc'"
} > "$tmp/run.sh"
chmod +x "$tmp/run.sh"
T new-session -d -s tui -x 100 -y 30 "$tmp/run.sh" || fail "tmux cannot start a session"
wait_for '^encoder  layer 0/2  head 0/4  q\[0\] \[CLS\]'
key j j l l
wait_for '^encoder  layer 0/2  head 0/4  q\[2\] .*k\[2\]'
check_value
# heads 1..3 of layer 0, then layer 1 heads 3..0: 8 heads through a 4-slot cache, then back
for h in 1 2 3; do
  key '>'
  wait_for "^encoder  layer 0/2  head $h/4 "
  check_value
done
key ']'
wait_for '^encoder  layer 1/2  head 3/4 '
check_value
for h in 2 1 0; do
  key '<'
  wait_for "^encoder  layer 1/2  head $h/4 "
done
key '['
wait_for '^encoder  layer 0/2  head 0/4 '
check_value
key a
wait_for '^encoder  layer 0/2  head mean '
check_value
key a
wait_for '^encoder  layer 0/2  head max '
ok "a a: max view drawn"
key a
key Enter
wait_for ' row focus$'
ok "row focus"
key m v
wait_for 'H0 [a-z]+' 'H3 [a-z]+' 'layer grid'
ok "v: layer grid with every head's pattern"
key o
wait_for '^L0 ' '^L1 ' 'model overview'
ok "o: model overview"
key t
wait_for ' layer +head +entropy\^ '
awk '/^ +[0-9]+ +[0-9]+ +[0-9.]+ /{ n++ } END { exit n != 8 }' "$tmp/screen" ||
  fail "head table: not 8 rows"
ok "t: head table with 8 heads"
key m
wait_for '^encoder  layer 0/2  head 0/4 '
check_value
exits q || fail "the explorer did not exit on q"
[ "$(cat "$tmp/rc")" = 0 ] || fail "exit status $(cat "$tmp/rc")"
ok "q quits with status 0"
echo "$checks checks, 0 failed"
