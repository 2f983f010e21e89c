#!/usr/bin/env bash
# Every view of the explorer as a user drives it in tmux (capture-pane after each key): row focus,
# layer grid, model overview, head table (sorting, Enter), generation steps (probability vs the
# dumped logits), zoom with the minimap, token search, the go-to prompt, gg/G/0/$, snapshots,
# mouse clicks and the wheel, Ctrl-L, F1, Ctrl-C; then locales and terminals (LANG=C TERM=linux:
# ASCII only; xterm-direct truecolor at 300x100; --colors=16; -C), a start at 20x6 and resizes
# while keys arrive. Values on screen are checked against `attnscope dump --format safetensors`.
# Usage: test_tui_views.sh ATTNSCOPE FIXTURES_DIR ST_VALUE ST_PROB
set -u
# absolute paths: the explorer runs in its own working directory (snapshots land there)
bin=$(realpath "$1") fixtures=$2 st_value=$(realpath "$3") st_prob=$(realpath "$4")
model=$fixtures/marian-tiny
. "$(dirname "$0")/lib.sh"
tmux_init "$model"

# check_value: the status line's value equals the dumped tensor element (%.4f rounding)
check_value() {
  local line
  line=$(status_line) || fail "no status line"
  local re='^([a-z]+)  layer ([0-9]+)/[0-9]+  head ([0-9a-z]+)[^q]*q\[([0-9]+)\].*k\[([0-9]+)\] [^ ]*  (-?[0-9]+\.[0-9]{4})'
  [[ $line =~ $re ]] \
    || fail "cannot parse status line: $line"
  local shown=${BASH_REMATCH[6]}
  same "$shown" "$("$st_value" "$tmp/maps.st" "${BASH_REMATCH[1]}.attn.L${BASH_REMATCH[2]}" \
    "${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}" "${BASH_REMATCH[5]}")" "$line"
}
# same SHOWN REF WHAT: |shown - ref| within half a unit of the 4th decimal plus float noise
same() {
  awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b != "" && d <= 6e-5) }' \
    || fail "shown $1, dumped $2: $3"
  ok "value matches dump: $3"
}

src="A man sleeping in a green room on a couch."
tgt="Ein Mann schläft in einem grünen Raum auf einem Sofa."
"$bin" dump "$model" --src "$src" --tgt "$tgt" --device cpu --format safetensors --head all \
  -o "$tmp/maps.st" || fail "attnscope dump (forced) failed"
"$bin" dump "$model" --src "$src" --device cpu --format safetensors --head all --logits \
  -o "$tmp/greedy.st" || fail "attnscope dump (greedy) failed"

# start W H ENV... -- ARGS...: the explorer in a fresh W x H session, cwd $tmp/cwd
start() {
  local w=$1 h=$2 envs=() args=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  args=("$@")
  T kill-server 2>/dev/null
  rm -rf "$tmp/rc" "$tmp/stderr" "$tmp/cwd"
  mkdir -p "$tmp/cwd"
  {
    echo '#!/bin/sh'
    echo "cd '$tmp/cwd'"
    printf 'env -u COLORTERM -u NO_COLOR TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8'
    printf ' %q' "${envs[@]}" "$bin" "$model" --src "$src" --device cpu "${args[@]}"
    echo " 2>'$tmp/stderr'"
    echo "echo \$? > '$tmp/rc'"
  } > "$tmp/run.sh"
  chmod +x "$tmp/run.sh"
  T new-session -d -s tui -x "$w" -y "$h" "$tmp/run.sh" || fail "tmux cannot start a session"
}
# ends KEY...: the keys must end the program with exit status 0
ends() {
  exits "$@" || fail "the explorer did not exit on $*"
  [ "$(cat "$tmp/rc")" = 0 ] || fail "exit status $(cat "$tmp/rc") after $*"
  ok "$* quits with status 0"
}

# ---- run 1: forced target, 100x30, 256 colours: every view --------------------------------------
start 100 30 -- --tgt "$tgt"
wait_for '^encoder  layer 0/2  head 0/4  q\[0\] A  k\[0\] A  [0-9]\.[0-9]{4}  fit'
ok "first frame: map view, fit"
grep -Eq '^ attnscope .*global viridis' "$tmp/screen" || fail "no legend (range, scale, colormap)"
ok "legend names the scale and the colormap"

# Row focus: the top key's bar carries the dumped value, j steps the query
key Enter
wait_for '^ query q\[0\] A  top 12 of 12 keys' ' row focus$'
top=$(grep -E '^ +1  k\[ *[0-9]+\] ' "$tmp/screen") || fail "no top-1 bar"
re='k\[ *([0-9]+)\] +[^ ]+ +([0-9]\.[0-9]{4})'
[[ $top =~ $re ]] || fail "cannot parse bar: $top"
same "${BASH_REMATCH[2]}" "$("$st_value" "$tmp/maps.st" encoder.attn.L0 0 0 "${BASH_REMATCH[1]}")" \
  "row focus top-1: $top"
grep -q '█' "$tmp/screen" || fail "no bars"
ok "row focus: bars"
key j
wait_for '^ query q\[1\] man '
ok "j: next query in row focus"
check_value
key m
wait_for '^encoder  layer 0/2  head 0/4  q\[1\] man '
ok "m: back to the map"

# Layer grid: thumbnails with head numbers and pattern labels; l selects, Enter opens
key v
wait_for 'H0 [a-z]+' 'H3 [a-z]+' '^encoder  layer 0/2  head 0/4  layer grid'
ok "v: layer grid"
key l
wait_for '^encoder  layer 0/2  head 1/4  layer grid'
key Enter
wait_for '^encoder  layer 0/2  head 1/4  q\[1\] man '
ok "grid: l selects head 1, Enter opens it"

# Model overview: one line per layer; j moves a layer down, Enter opens
key o
wait_for '^L0 ' '^L1 ' 'model overview'
key j
wait_for '^encoder  layer 1/2  head 1/4  model overview'
key Enter
wait_for '^encoder  layer 1/2  head 1/4  q\[1\] man '
ok "o: model overview, j + Enter open layer 1 head 1"
check_value

# Head table: sorted by entropy ascending, < > change the column, I inverts, Enter opens row 1
key t
wait_for ' layer +head +entropy\^ ' 'sorted by entropy \(ascending\)'
awk '/^ +[0-9]+ +[0-9]+ +[0-9.]+ /{ if (n++ && $3 < prev) bad = 1; prev = $3 } END { exit bad || n != 8 }' \
  "$tmp/screen" || fail "table: 8 rows ascending by entropy"
ok "t: head table, 8 heads ascending by entropy"
key '>' I
wait_for 'sorted by max \(descending\)'
awk '/^ +[0-9]+ +[0-9]+ +[0-9.]+ /{ if (n++ && $4 > prev) bad = 1; prev = $4 } END { exit bad || n != 8 }' \
  "$tmp/screen" || fail "table: descending by max"
ok "> I: sorted by max, descending"
first=$(grep -Em1 '^ +[0-9]+ +[0-9]+ +[0-9.]+ ' "$tmp/screen")
read -r l h _ <<< "$first"
key Enter
wait_for "^encoder  layer $l/2  head $h/4 "
ok "Enter opens the first row's head (layer $l, head $h)"

# Go-to prompt, search, gg G 0 $
key : 
wait_for '^:'
key -l "L1 H2 q3 k4"
key Enter
wait_for '^encoder  layer 1/2  head 2/4  q\[3\] in  k\[4\] a '
ok ":L1 H2 q3 k4"
check_value
# "a" matches A, man, a, a (rows 0, 1, 4, 8), case-insensitive
key / 
key -l a
key Enter
wait_for '^encoder  layer 1/2  head 2/4  q\[4\] a  k\[4\] a ' '^/a  \(n next'
ok "/a finds the next matching query row"
key n
wait_for '^encoder  layer 1/2  head 2/4  q\[8\] a  k\[4\] a '
key n
wait_for '^encoder  layer 1/2  head 2/4  q\[0\] A  k\[4\] a '
key N
wait_for '^encoder  layer 1/2  head 2/4  q\[8\] a  k\[4\] a '
ok "n n N: next, wrapping, previous"
key / 
key -l zebra
key Enter
wait_for "^no token matches 'zebra'"
ok "a search without match says so"
key g g
wait_for '^encoder  layer 1/2  head 2/4  q\[0\] A  k\[4\] a '
key G
wait_for '^encoder  layer 1/2  head 2/4  q\[11\] </s>  k\[4\] a '
key 0
wait_for '^encoder  layer 1/2  head 2/4  q\[11\] </s>  k\[0\] A '
key '$'
wait_for '^encoder  layer 1/2  head 2/4  q\[11\] </s>  k\[11\] </s> '
ok "gg G 0 \$"
check_value

# Zoom: + shows a window with a minimap (outline ▒), = fits again
key +
wait_for 'zoom 4:1'
grep -q '▒' "$tmp/screen" || fail "no minimap outline when zoomed in"
ok "+: zoomed in, minimap shown"
check_value
key k k k
wait_for 'q\[8\] a  k\[11\]'
check_value
key =
wait_for ' fit$'
grep -q '▒' "$tmp/screen" && fail "minimap while the whole map is visible"
ok "=: fit, no minimap"
# fit here is 2:1 (an element is 2 half-rows): + + gives 8:1, - steps back, then fit again
key + +
wait_for 'zoom 8:1'
key -
wait_for 'zoom 4:1'
key -
wait_for ' fit$'
ok "+ + - -: 8:1, 4:1, fit"

# Snapshot: .txt holds the screen text, .ans the colours
key s
wait_for 'saved attnscope-1.txt and attnscope-1.ans'
[ -s "$tmp/cwd/attnscope-1.txt" ] && [ -s "$tmp/cwd/attnscope-1.ans" ] || fail "no snapshot files"
grep -Eq '^encoder  layer 1/2  head 2/4  q\[8\] a ' "$tmp/cwd/attnscope-1.txt" ||
  fail "snapshot text lacks the status line"
grep -q "${esc}" "$tmp/cwd/attnscope-1.txt" && fail "escape bytes in the .txt snapshot"
grep -q "${esc}\[0;38;5;[0-9]*;48;5;[0-9]*m▀" "$tmp/cwd/attnscope-1.ans" ||
  fail "no 256-colour half-blocks in the .ans snapshot"
ok "s: attnscope-1.txt (plain) and .ans (colours)"

# Mouse: a click on the cell (row 'man', column 3) moves the cursor there; the wheel scrolls
capture
y=$(grep -nE '^ +man ▀' "$tmp/screen" | head -1 | cut -d: -f1)
[ -n "$y" ] || fail "no 'man' row"
line=$(sed -n "${y}p" "$tmp/screen")
prefix=${line%%▀*}
x=$(( ${#prefix} + 2 * 3 ))   # 1-based column of key 3: elements are 2 columns wide here
key -l "${esc}[<0;$((x + 1));${y}M${esc}[<0;$((x + 1));${y}m"
wait_for '^encoder  layer 1/2  head 2/4  q\[1\] man  k\[3\] in '
ok "mouse click selects the cell under it"
key -l "${esc}[<65;$((x + 1));${y}M"
wait_for '^encoder  layer 1/2  head 2/4  q\[4\] a  k\[3\] in '
ok "mouse wheel scrolls three rows"
check_value

key C-l
wait_for '^encoder  layer 1/2  head 2/4  q\[4\] a  k\[3\] in '
ok "Ctrl-L redraws"
key F1
wait_for 'j/k scroll' 'row focus'
key NPage NPage NPage
wait_for 'q F10 C-c +quit'
ok "F1: help, scrolled to the end"
key x
key Tab
wait_for '^decoder  layer 1/2  head 2/4 '
# E: same source, a new reference target (teacher forcing); the view stays on the decoder
key E
wait_for '^source> A man sleeping'
key Enter
wait_for '^target \(empty: decode\)> Ein Mann'
key C-u
key -l "Ein Hund schläft."
key Enter
wait_for '^decoder  layer 1/2  head 2/4 ' '^ +Hund '
ok "E: new reference target, decoder rows are its tokens"
ends C-c

# ---- run 2: greedy decoding: generation steps with probabilities from the logits ----------------
start 100 30 --
wait_for '^encoder  layer 0/2  head 0/4 '
key d
wait_for '^ step 1/63  token [^ ]+  p=[0-9]\.[0-9]{4}  cross row of query 0'
for step in 1 2 3; do
  [ $step -gt 1 ] && { key j; wait_for "^ step $step/63 "; }
  [[ $(grep -E '^ step ' "$tmp/screen") =~ p=([0-9]\.[0-9]{4}) ]] || fail "no probability"
  same "${BASH_REMATCH[1]}" "$("$st_prob" "$tmp/greedy.st" $step)" "step $step probability"
done
grep -Eq '^ k\[  2\] sleeping +[0-9]\.[0-9]{4}' "$tmp/screen" || fail "no cross row bars"
ok "d: generation steps with the cross-attention row"
# a: the mean over heads of the row of query 2 (the one that chose step 3's token)
key a
wait_for '^steps  cross  layer 0/2  head mean  step 3/63 '
[[ $(grep -E '^ k\[  2\] ' "$tmp/screen") =~ ([0-9]\.[0-9]{4}) ]] || fail "no bar for key 2"
same "${BASH_REMATCH[1]}" "$("$st_value" "$tmp/greedy.st" cross.attn.L0 mean 2 2)" \
  "step 3, mean over heads, key 2"
ends q

# ---- run 3: LANG=C, TERM=linux: ASCII only ------------------------------------------------------
start 100 30 LANG=C LC_ALL=C TERM=linux -- --tgt "$tgt"
wait_for '^encoder  layer 0/2  head 0/4 '
LC_ALL=C grep -q "$(printf '[\200-\377]')" "$tmp/screen" && fail "non-ASCII bytes with LANG=C"
grep -Eq '^ +man [ .:=+*#%@-]+' "$tmp/screen" || fail "no ASCII heat map"
ok "LANG=C TERM=linux: ASCII glyphs only"
key 2
wait_for '^decoder  layer 0/2  head 0/4  q\[0\] <pad>  k\[0\] <pad> ' '^schl\?ft '
ok "non-ASCII tokens shown as ?"
key '?'
wait_for '\+-+ keys \('
ok "help box in ASCII"
ends F10

# ---- run 4: 300x100, truecolor (xterm-direct): every help line fits -----------------------------
start 300 100 TERM=xterm-direct COLORTERM=truecolor -- --tgt "$tgt"
wait_for '^encoder  layer 0/2  head 0/4 '
grep -q "${esc}\[[0-9;]*38:2::[0-9]*:[0-9]*:[0-9]*m\|${esc}\[[0-9;]*38;2;[0-9]*;[0-9]*;[0-9]*m" \
  "$tmp/screen.e" || fail "no 24-bit colour escapes with xterm-direct"
ok "300x100 xterm-direct: truecolor"
check_value
key '?'
wait_for 'keys \(any key closes\)' 'q F10 C-c +quit'
ok "300x100: the whole help fits"
key x
key v
wait_for 'H0 [a-z]+' 'H3 [a-z]+'
ok "300x100: layer grid"
ends q

# ---- run 5: --colors=16 and -C ------------------------------------------------------------------
start 100 30 -- --tgt "$tgt" --colors=16
wait_for '^encoder  layer 0/2  head 0/4 '
grep -q "${esc}\[[0-9;]*38;5;" "$tmp/screen.e" && fail "256-colour escapes with --colors=16"
grep -Eq "${esc}\[[0-9;]*(3[0-7]|9[0-7]|4[0-7]|10[0-7])m" "$tmp/screen.e" || fail "no 16 colours"
ok "--colors=16: ANSI colours only"
ends q
start 100 30 COLORTERM=truecolor -- --tgt "$tgt" -C
wait_for '^encoder  layer 0/2  head 0/4 '
grep -Eq "${esc}\[[0-9;]*(38|48);" "$tmp/screen.e" && fail "colour escapes with -C"
grep -Eq '^ +man .*[#%@*+=]' "$tmp/screen" || fail "no density glyphs with -C"
ok "-C: density glyphs, no colour"
ends q

# ---- run 6: start at 20x6, grow, resize while keys arrive ---------------------------------------
start 20 6 -- --tgt "$tgt"
wait_for '^terminal too small:' '^need 40x10'
ok "20x6 at start: too-small message"
T resize-window -t tui -x 120 -y 40
wait_for '^encoder  layer 0/2  head 0/4 '
for size in "41 11" "200 60" "60 12" "300 100" "100 30"; do
  key j l
  T resize-window -t tui -x "${size% *}" -y "${size#* }"
done
sleep 1
wait_for '^ attnscope ' '^encoder  layer 0/2  head 0/4  q\[[1-9][0-9]*\] [^ ]+  k\[[1-9][0-9]*\] '
[ -f "$tmp/rc" ] && fail "the explorer exited while resizing"
ok "resizes between keys: still running, keys applied, consistent view"
check_value
ends q

echo "$checks checks passed"
