#!/usr/bin/env bash
# The bundled English->French demo model (assets/models/demo, trained by tools/train_demo.py):
# real translations of caption-like sentences, and a cross-attention head that aligns words across
# French's adjective-noun reordering. The head is not hard-coded: it is the best head that
# `attnscope align --rank-heads` finds on the Hansards gold sample in tests/data/align.
# Usage: test_demo_model.sh ATTNSCOPE MODEL_DIR ALIGN_DATA_DIR DEVICE
set -u
bin=$1 model=$2 align=$3 device=$4
failures=0 checks=0
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

# labels of the greedy translation of $1, space separated
translate() {
  "$bin" dump "$model" --device "$device" --src "$1" --format json --map cross --layer 0 |
    grep -o '"target_labels":\[[^]]*\]' | sed 's/"target_labels":\[//; s/\]$//; s/"//g; s/,/ /g'
}
# has_words "LABELS" WORD...: every WORD is one of the labels
has_words() {
  local labels=" $1 " w
  shift
  for w in "$@"; do [[ $labels == *" $w "* ]] || { echo "  missing '$w' in: $labels"; return 1; }; done
}

t1=$(translate "A little girl in a red dress is playing with a black dog.")
echo "  $t1"
check girl-red-dress-black-dog has_words "$t1" petite fille robe rouge chien noir
t2=$(translate "Two dogs run through the snow.")
echo "  $t2"
check two-dogs-snow has_words "$t2" chiens neige
t3=$(translate "A woman is sitting on a bench in the park.")
echo "  $t3"
check woman-bench-park has_words "$t3" femme assise banc parc

best=$("$bin" align "$model" --device "$device" --input "$align/enfr.src-tgt" \
  --gold "$align/enfr.gold" --gold-one-based --rank-heads | awk 'NR == 2 && $2 ~ /^[0-9]+$/ {print $1, $2}')
echo "  best head on the Hansards sample: layer/head ${best:-none}"
check best-head-found test -n "$best"
read -r layer head <<<"$best"
# A(0) man(1) in(2) a(3) red(4) shirt(5) .(6)  ->  Un(0) homme(1) en(2) chemise(3) rouge(4) .(5)
links=" $("$bin" align "$model" --device "$device" --src "A man in a red shirt ." \
  --tgt "Un homme en chemise rouge ." --layer "${layer:-0}" --head "${head:-0}") "
echo "  links: $links"
check red-rouge [ "${links#* 4-4 }" != "$links" ]
check shirt-chemise [ "${links#* 5-3 }" != "$links" ]
check man-homme [ "${links#* 1-1 }" != "$links" ]

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
