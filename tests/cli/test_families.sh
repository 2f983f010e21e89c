#!/usr/bin/env bash
# Every model family through the binary: `info` names the family and its sizes, `dump` matches
# the goldens (safetensors: ids exact, attention <= 1e-4, hidden states and logits <= 1e-3),
# single-stack models show one map type, causal maps keep their masked triangle at 0, and options
# that do not apply to a family are refused with one line.
# Usage: test_families.sh ATTNSCOPE ST_COMPARE ST_VALUE FIXTURES_DIR DATA_DIR DEVICE
set -u
bin=$1 st_compare=$2 st_value=$3 fixtures=$4 data=$5 device=$6
bert=$fixtures/bert-tiny gpt2=$fixtures/gpt2-tiny marian=$fixtures/marian-tiny
bart=$data/bart-tiny mbart=$data/mbart-tiny
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

# ---- info: family and sizes (from each config.json) ----
info() { # info NAME DIR PATTERN...: every pattern is a line of `attnscope info DIR`
  local name=$1 dir=$2
  shift 2
  "$bin" info "$dir" --device "$device" > "$tmp/info.txt" 2>&1 || { echo "info $dir failed"; cat "$tmp/info.txt"; }
  for p in "$@"; do check "info-$name: $p" grep -qx -- "$p" "$tmp/info.txt"; done
}
info bert "$bert" "architecture: bert (single stack)" "layers:       2 layers, 4 heads, ffn 64" \
  "vocabulary:   1000" "positions:    64"
info gpt2 "$gpt2" "architecture: gpt2 (single stack)" "layers:       2 layers, 4 heads, ffn 128" \
  "activation:   gelu_new" "vocabulary:   1257"
info bart "$bart" "architecture: bart (encoder-decoder)" "encoder:      2 layers, 4 heads, ffn 64" \
  "decoder:      2 layers, 4 heads, ffn 64" "vocabulary:   561"
info mbart "$mbart" "architecture: mbart (encoder-decoder)" "vocabulary:   562"
info marian "$marian" "architecture: marian (encoder-decoder)" "vocabulary:   1448"

# ---- dump --format safetensors vs the goldens (case texts from each inputs.json) ----
golden() { # golden NAME DIR CASE MIN_ALL MIN_ATTN DUMP-ARGS...
  local name=$1 dir=$2 cs=$3 min_all=$4 min_attn=$5
  shift 5
  "$bin" dump "$dir" --device "$device" "$@" --hidden --logits --format safetensors \
    -o "$tmp/$name.st"
  check "dump-$name-hidden-logits-vs-golden" "$st_compare" "$tmp/$name.st" "$dir/golden.safetensors" \
    "$cs" 1e-3 "$min_all"
  "$bin" dump "$dir" --device "$device" "$@" --format safetensors -o "$tmp/$name-attn.st"
  check "dump-$name-attention-vs-golden" "$st_compare" "$tmp/$name-attn.st" \
    "$dir/golden.safetensors" "$cs" 1e-4 "$min_attn"
}
# input_ids + 2 layers of attention + 3 hidden states (+ logits)
golden bert "$bert" case0 6 3 --src "A group of men are loading cotton onto a truck"
golden gpt2 "$gpt2" case0 7 3 --src "A brown dog is running after the black dog."
# 3 id tensors + 6 maps + 6 hidden states + logits
golden bart "$bart" case0 16 9 --src "A man sleeping in a green room on a couch." --max-new-tokens 16
golden mbart "$mbart" case1 16 9 --src "Two young, White males are outside near many bushes." \
  --max-new-tokens 16

# ---- ascii: single-stack models show one map type, encoder-decoders three ----
maps() { # maps NAME DIR EXPECTED-TYPES: the map types named in the dump's headers
  local name=$1 dir=$2 want=$3
  "$bin" dump "$dir" --device "$device" --src "A dog runs." --format ascii --width 80 \
    > "$tmp/$name.txt"
  check "ascii-$name-map-types" bash -c "[ \"\$(grep -o '^$name-tiny [a-z]* layer' '$tmp/$name.txt' \
    | cut -d' ' -f2 | sort -u | tr '\n' ' ')\" = '$want' ]"
}
maps bert "$bert" "encoder "
maps gpt2 "$gpt2" "encoder "
maps bart "$bart" "cross decoder encoder "
maps mbart "$mbart" "cross decoder encoder "

# ---- GPT-2 continuation: prompt + new tokens in one causal map, masked triangle at 0 ----
"$bin" dump "$gpt2" --device "$device" --src "A brown dog is running after the black dog." \
  --max-new-tokens 3 --format safetensors -o "$tmp/cont.st"
# the 10-token prompt plus 3 new tokens: 13 x 13 maps
check gpt2-continuation-shape bash -c "'$st_value' '$tmp/cont.st' attn.L1 0 12 12 > /dev/null \
  && ! '$st_value' '$tmp/cont.st' attn.L1 0 13 13 > /dev/null 2>&1"
for qk in "0 1" "5 6" "11 12" "0 12"; do
  check "gpt2-causal-zero-$qk" bash -c "[ \"\$('$st_value' '$tmp/cont.st' attn.L0 mean $qk)\" \
    = 0.000000 ]"
done
# the first token only sees itself
check gpt2-first-row-one bash -c "[ \"\$('$st_value' '$tmp/cont.st' attn.L1 mean 0 0)\" = 1.000000 ]"

# ---- options that do not apply ----
refused() { # refused NAME PATTERN COMMAND...: exit 2 with one stderr line matching PATTERN
  local name=$1 pat=$2
  shift 2
  "$@" > /dev/null 2> "$tmp/err.txt"
  local rc=$?
  check "refuse-$name" bash -c "[ $rc -eq 2 ] && [ \$(wc -l < '$tmp/err.txt') -eq 1 ] \
    && grep -q -- '$pat' '$tmp/err.txt'"
}
refused gpt2-tgt "has no decoder" "$bin" dump "$gpt2" --device "$device" --src "A dog." --tgt "B."
refused bert-tgt "has no decoder" "$bin" dump "$bert" --device "$device" --src "A dog." --tgt "B."
refused marian-pair "pair" "$bin" dump "$marian" --device "$device" --src "A dog." --pair "B."

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
