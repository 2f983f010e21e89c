#!/usr/bin/env bash
# `attnscope dump` as users run it: safetensors output equals the fixture goldens, ascii output
# has no escape byte and respects the width, ansi output is coloured, NO_COLOR is honoured.
# Usage: test_dump.sh ATTNSCOPE ST_COMPARE FIXTURES_DIR DEVICE
set -u
bin=$1 st_compare=$2 fixtures=$3 device=$4
model=$fixtures/marian-tiny
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

src0="A man sleeping in a green room on a couch."
tgt3="Ein Mann schläft in einem grünen Raum auf einem Sofa."
# greedy case0 and forced case3 against the goldens: 1 input_ids + 2 target id tensors
# + 6 attention tensors + logits = 10
"$bin" dump "$model" --device "$device" --src "$src0" --max-new-tokens 16 --logits \
  --format safetensors -o "$tmp/case0.st"
check safetensors-greedy-vs-golden "$st_compare" "$tmp/case0.st" "$model/golden.safetensors" case0 1e-3 10
"$bin" dump "$model" --device "$device" --src "$src0" --tgt "$tgt3" --format safetensors -o "$tmp/case3.st"
check safetensors-forced-vs-golden "$st_compare" "$tmp/case3.st" "$model/golden.safetensors" case3 1e-4 9

# ascii: no ESC byte anywhere, no line wider than --width, COLUMNS as the default width
"$bin" dump "$model" --device "$device" --src "$src0" --format ascii --width 60 --head all > "$tmp/a.txt"
check ascii-has-maps grep -q "encoder layer 0/2 head 3/4" "$tmp/a.txt"
check ascii-has-labels grep -q "couch" "$tmp/a.txt"
check ascii-no-escape bash -c "! grep -q $'\x1b' '$tmp/a.txt'"
check ascii-width-60 bash -c "[ \$(wc -L < '$tmp/a.txt') -le 60 ]"
COLUMNS=45 "$bin" dump "$model" --device "$device" --src "$src0" --map cross --layer 1 > "$tmp/c.txt"
check columns-default-width bash -c "[ \$(wc -L < '$tmp/c.txt') -le 45 ] && grep -q 'cross layer 1/2 head mean/4' '$tmp/c.txt'"
check selection-one-map bash -c "[ \$(grep -c 'layer' '$tmp/c.txt') -eq 1 ]"
long="$src0 Two dogs run across a snowy field while a child in a red coat watches them."
"$bin" dump "$model" --device "$device" --src "$long" --map encoder --layer 0 --width 30 > "$tmp/p.txt"
check pooled-says-so bash -c "grep -q 'pooled .* (max)' '$tmp/p.txt' && [ \$(wc -L < '$tmp/p.txt') -le 30 ]"

# ansi only when asked (stdout is a pipe here); NO_COLOR wins over auto
"$bin" dump "$model" --device "$device" --src "$src0" --format ansi --layer 0 --map encoder > "$tmp/ansi.txt"
check ansi-has-colour grep -q $'\x1b\\[' "$tmp/ansi.txt"
NO_COLOR=1 "$bin" dump "$model" --device "$device" --src "$src0" --layer 0 --map encoder > "$tmp/nc.txt"
check no-color-plain bash -c "! grep -q $'\x1b' '$tmp/nc.txt'"

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
