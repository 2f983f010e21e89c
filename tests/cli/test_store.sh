#!/usr/bin/env bash
# --store: a bert-tiny run kept as queries and keys (heads recomputed when shown) dumps the same
# maps as one keeping every probability: safetensors within 1e-5 (also with the attention forced
# into 3-row query chunks), text heat maps of one head / mean / all heads byte for byte; auto picks
# Q/K when the probabilities do not fit; families without the Q/K form and bad words are refused.
# Usage: test_store.sh ATTNSCOPE ST_COMPARE FIXTURES_DIR DEVICE
set -u
bin=$1 st_compare=$2 fixtures=$3 device=$4
model=$fixtures/bert-tiny
[ -f "$model/config.json" ] || { echo "SKIP: fixture $model not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
. "$(dirname "$0")/lib.sh"

src="The quick brown fox jumps over the lazy dog near the river bank."
dump() { "$bin" dump "$model" --device "$device" --src "$src" "$@"; }

# safetensors: input_ids + 2 maps + 3 hidden states = 6 tensors
dump --store full --hidden --format safetensors -o "$tmp/full.st"
dump --store qk --hidden --format safetensors -o "$tmp/qk.st"
check safetensors-qk-equals-full "$st_compare" "$tmp/qk.st" "$tmp/full.st" "" 1e-5 6
AS_ATTN_CHUNK_ROWS=3 dump --store qk --hidden --format safetensors -o "$tmp/chunk.st"
check safetensors-chunked-equals-full "$st_compare" "$tmp/chunk.st" "$tmp/full.st" "" 1e-5 6

# text: the heat maps of every head, the mean and one head
for head in all mean 2; do
  dump --store full --head "$head" --format ascii --width 60 > "$tmp/full.txt"
  dump --store qk --head "$head" --format ascii --width 60 > "$tmp/qk.txt"
  check "ascii-head-$head-qk-equals-full" cmp -s "$tmp/full.txt" "$tmp/qk.txt"
done
check ascii-has-maps grep -q "layer 1/2 head 2/4" "$tmp/qk.txt"

# stats (head diversity walks pairs of heads through the Q/K cache) and npy (the whole map)
dump_stats() { "$bin" stats "$model" --device "$device" --src "$src" --head all "$@"; }
dump_stats --store full > "$tmp/full.stats"
dump_stats --store qk > "$tmp/qk.stats"
check stats-qk-equals-full cmp -s "$tmp/full.stats" "$tmp/qk.stats"
for s in full qk; do
  dump --store $s --format npy -o "$tmp/npy-$s" && "$bin" view "$tmp/npy-$s" --format safetensors \
    -o "$tmp/npy-$s.st"
done
check npy-qk-equals-full "$st_compare" "$tmp/npy-qk.st" "$tmp/npy-full.st" "" 1e-5 2

# auto: 56 tokens need 196 KiB of probabilities (2 layers x 4 heads x 56^2 floats, on the device
# and in the store) but 154 KiB as queries and keys: under a 180K cap full is refused, auto and
# qk run and agree
long=$(printf 'the cat sat on the mat %.0s' 1 2 3 4 5 6)
AS_MAX_MEMORY=180K "$bin" dump "$model" --device "$device" --src "$long" --store auto \
  --head all > "$tmp/auto.txt"
check auto-runs-under-cap grep -q "56x56" "$tmp/auto.txt"
"$bin" dump "$model" --device "$device" --src "$long" --store full --head all > "$tmp/big.txt"
check auto-equals-full cmp -s "$tmp/auto.txt" "$tmp/big.txt"
export AS_MAX_MEMORY=180K
expect full-refused-under-cap 'needs 0\.2 MiB .*AS_MAX_MEMORY' -- dump "$model" --device "$device" \
  --src "$long" --store full
unset AS_MAX_MEMORY

expect qk-refused-for-marian "marian-tiny: model_type marian keeps every probability" -- \
  dump "$fixtures/marian-tiny" --device "$device" --src "A man." --store qk
expect bad-store-word "--store: expected auto\|full\|qk, got 'half'" -- \
  dump "$model" --device "$device" --src "x" --store half

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
