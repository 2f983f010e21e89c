#!/usr/bin/env bash
# The analysis commands and exports as a user runs them, on the marian-tiny fixture (CPU):
#  - align: the diagonal baseline scored against the Hansards sample reproduces the AER of the
#    independent Python scorer (tools/align_diag_aer.py); on real model attention, one Pharaoh
#    line per input with links inside the sentence, --soft scores, and --rank-heads sorted by
#    AER with every row equal to a separate `align --layer L --head H --gold` run;
#  - stats: one row per (kind, layer, head) in table and JSON;
#  - dump png / svg decode with independent decoders (stb_image, expat), the SVG holds every
#    token label; npy and safetensors dumps read back by `view` give byte-identical JSON, and
#    `view` opens the npy dump in the explorer without a model (tmux, if installed);
#  - dump --src-file: one JSON line per input, each equal to a single dump of that input;
#  - bad input: one error line, exit 2.
#  - dump --derive rollout matches the fixture's rollout goldens; --derive flow writes images;
# Usage: test_analysis.sh ATTNSCOPE IMG_CHECK ST_COMPARE FIXTURES_DIR TEST_DATA_DIR
set -u
bin=$1 img_check=$2 st_compare=$3 fixtures=$4 data=$5
model=$fixtures/marian-tiny
[ -f "$model/config.json" ] || { echo "SKIP: fixture $model not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
checks=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { checks=$((checks + 1)); echo "ok   $*"; }
A() { "$bin" "$@" --device cpu; }

# ---- align ----------------------------------------------------------------------------------
out=$("$bin" align --method diagonal --input "$data/align/enfr.src-tgt" --gold "$data/align/enfr.gold" \
      --gold-one-based) || fail "align diagonal"
# 0.502756339581 from tools/align_diag_aer.py (tests/data/align/README.md)
echo "$out" | grep -q "sentences 40 .* AER 0.5028$" || fail "diagonal AER: $out"
ok "diagonal baseline AER 0.5028 on 40 Hansards lines (Python reference 0.502756)"

# the short pairs fit the fixture's 64 positions
paste -d'\t' "$data/align/enfr.src-tgt" "$data/align/enfr.gold" | awk -F'\t' 'length($1) < 60' \
  > "$tmp/short.tsv"
cut -f1 "$tmp/short.tsv" > "$tmp/pairs"
cut -f2 "$tmp/short.tsv" > "$tmp/gold"
n=$(wc -l < "$tmp/pairs")
[ "$n" -ge 10 ] || fail "only $n short pairs"
A align "$model" --input "$tmp/pairs" > "$tmp/links" || fail "align"
[ "$(wc -l < "$tmp/links")" = "$n" ] || fail "align wrote $(wc -l < "$tmp/links") lines for $n pairs"
# every link i-j inside the sentence (0-based), exactly one link per target word with argmax
paste -d'\t' "$tmp/pairs" "$tmp/links" | awk -F'\t' '{
    split($1, sides, /\|\|\|/); ns = split(sides[1], s, " "); nt = split(sides[2], t, " ");
    nl = split($2, links, " ");
    if (nl != nt) { print "line " NR ": " nl " links for " nt " target words"; bad = 1 }
    for (k = 1; k <= nl; k++) {
        if (split(links[k], ij, "-") != 2 || ij[1] < 0 || ij[1] >= ns || ij[2] < 0 || ij[2] >= nt) {
            print "line " NR ": link " links[k] " outside " ns "x" nt; bad = 1 }
    }
} END { exit bad }' || fail "links out of range"
ok "align: $n Pharaoh lines, one in-range link per target word"

A align "$model" --input "$tmp/pairs" --soft --method threshold --threshold 0.2 > "$tmp/soft" \
  || fail "align --soft"
grep -Evq '^(([0-9]+-[0-9]+:(0\.[0-9]{4}|1\.0000))( |$))*$' "$tmp/soft" && fail "soft format: $(head -2 "$tmp/soft")"
awk '{ for (k = 1; k <= NF; k++) { split($k, p, ":"); if (p[2] < 0.2) exit 1 } }' "$tmp/soft" \
  || fail "threshold 0.2 let a smaller score through"
ok "align --soft --method threshold: scores printed, all >= 0.2"

A align "$model" --input "$tmp/pairs" --gold "$tmp/gold" --gold-one-based --rank-heads \
  > "$tmp/rank" || fail "rank-heads"
[ "$(tail -n +2 "$tmp/rank" | wc -l)" = 10 ] || fail "rank: expected 2 layers x (4 heads + mean)"
tail -n +2 "$tmp/rank" | awk '{ if (NR > 1 && $5 < prev) exit 1; prev = $5 }' \
  || fail "rank not sorted by AER"
while read -r layer head p r aer links; do
  single=$(A align "$model" --input "$tmp/pairs" --gold "$tmp/gold" --gold-one-based \
           --layer "$layer" --head "$head")
  echo "$single" | grep -q "precision $p  recall $r  AER $aer\$" \
    || fail "rank row $layer $head ($p $r $aer) vs single run: $single"
done < <(tail -n +2 "$tmp/rank")
ok "rank-heads: 10 rows sorted by AER, each equal to its own --layer/--head run"

# ---- stats ----------------------------------------------------------------------------------
A stats "$model" --src "A man sleeping." --tgt "Un homme dort." > "$tmp/stats" || fail "stats"
labels='(diagonal|local|first|vertical|block|uniform|mixed)$'
[ "$(grep -cE "^encoder .* $labels" "$tmp/stats")" = 8 ] && \
  [ "$(grep -cE "^cross .* $labels" "$tmp/stats")" = 8 ] || fail "stats rows: $(cat "$tmp/stats")"
# then the head diversity of each (kind, layer): 3 kinds x 2 layers, values in [0, 1]
[ "$(awk '/head_diversity/ { t = 1; next } t && NF == 3 && $3 >= 0 && $3 <= 1' "$tmp/stats" | wc -l)" = 6 ] \
  || fail "diversity rows: $(cat "$tmp/stats")"
A stats "$model" --src "A man sleeping." --tgt "Un homme dort." --format json --map cross \
  --layer 1 > "$tmp/stats.json" || fail "stats json"
[ "$(grep -o '"pattern":' "$tmp/stats.json" | wc -l)" = 4 ] || fail "stats json: 4 heads expected"
ok "stats: 8 labelled rows per map kind, head diversity per layer, JSON per head"

# ---- png / svg ------------------------------------------------------------------------------
src="A man & a <dog> sleep." tgt="Un homme dort."
A dump "$model" --src "$src" --tgt "$tgt" --format png --map cross --layer 1 --head 2 \
  -o "$tmp/one.png" || fail "dump png"
"$img_check" png "$tmp/one.png" > "$tmp/png.txt" || fail "png does not decode"
read -r w h c < "$tmp/png.txt"
[ "$c" = 3 ] && [ "$w" -gt 100 ] && [ "$h" -gt 100 ] || fail "png $w x $h x $c"
ok "png decodes: ${w}x${h} RGB"
A dump "$model" --src "$src" --tgt "$tgt" --format svg -o "$tmp/svg" || fail "dump svg"
[ "$(ls "$tmp/svg" | wc -l)" = 6 ] || fail "svg files: $(ls "$tmp/svg")"
A dump "$model" --src "$src" --tgt "$tgt" --format json > "$tmp/d.json" || fail "dump json"
for f in "$tmp"/svg/*.svg; do
  "$img_check" svg "$f" > "$tmp/svg.txt" || fail "$f is not well-formed XML"
  head -1 "$tmp/svg.txt" | grep -qx 'root svg' || fail "$f: root is not svg"
done
# every label of the cross map's axes (from the JSON dump) is a text element of its SVG
"$img_check" svg "$tmp/svg/cross.L0.mean.svg" > "$tmp/svg.txt"
labels=$(sed 's/.*"source_labels":\[\([^]]*\)\].*"target_labels":\[\([^]]*\)\].*/\1,\2/' "$tmp/d.json" \
         | sed 's/","/\n/g; s/^"//; s/"$//' | sed 's/\\"/"/g; s/\\\\/\\/g')
count=0
while IFS= read -r l; do
  grep -Fxq "text $l" "$tmp/svg.txt" || fail "label '$l' missing from the SVG"
  count=$((count + 1))
done <<< "$labels"
[ "$count" -ge 10 ] || fail "only $count labels"
ok "svg: 6 well-formed files, all $count labels of the cross map present (incl. & and <unk>)"

# ---- npy / safetensors / json round trips through view --------------------------------------
A dump "$model" --src "$src" --tgt "$tgt" --format json --head all > "$tmp/all.json" || fail "json"
A dump "$model" --src "$src" --tgt "$tgt" --format npy -o "$tmp/npy" || fail "dump npy"
"$bin" view "$tmp/npy" --format json --head all > "$tmp/v.json" || fail "view npy"
cmp -s "$tmp/all.json" "$tmp/v.json" || fail "view of the npy dump differs from the JSON dump"
A dump "$model" --src "$src" --tgt "$tgt" --format safetensors -o "$tmp/a.safetensors" || fail "st"
"$bin" view "$tmp/a.safetensors" --format json --head all > "$tmp/v2.json" || fail "view st"
cmp -s "$tmp/all.json" "$tmp/v2.json" || fail "view of the safetensors dump differs"
"$bin" view "$tmp/npy/cross.npy" --format json --head all --map cross > "$tmp/v3.json" \
  || fail "view one npy"
A dump "$model" --src "$src" --tgt "$tgt" --format json --head all --map cross > "$tmp/c.json"
cmp -s "$tmp/c.json" "$tmp/v3.json" || fail "view of cross.npy differs"
ok "npy dir, cross.npy and safetensors read back by view: byte-identical JSON"

# the explorer on the saved npy directory, without a model (tmux: 100x30)
if command -v tmux > /dev/null; then
  T() { tmux -S "$tmp/tmux.sock" -f /dev/null "$@"; }
  T new-session -d -s view -x 100 -y 30 \
    "TERM=xterm-256color LANG=C.UTF-8 '$bin' view '$tmp/npy' 2> '$tmp/view.err'; echo \$? > '$tmp/view.rc'; sleep 30"
  screen_has() { # screen_has REGEX: within 10 s
    for _ in $(seq 50); do
      T capture-pane -p -t view > "$tmp/screen" 2> /dev/null && grep -Eq -- "$1" "$tmp/screen" && return 0
      sleep 0.2
    done
    T kill-server; fail "explorer screen never showed '$1': $(cat "$tmp/screen")"
  }
  screen_has '^encoder +layer 0/2 +head 0/4 +q\[0\] A +k\[0\] A'
  T send-keys -t view 3
  screen_has '^cross +layer 0/2 +head 0/4 +q\[0\] <pad> +k\[0\] A'
  T send-keys -t view q
  for _ in $(seq 50); do [ -s "$tmp/view.rc" ] && break; sleep 0.2; done
  T kill-server 2> /dev/null
  [ "$(cat "$tmp/view.rc" 2> /dev/null)" = 0 ] || fail "view exit: $(cat "$tmp/view.err")"
  ok "view opens the npy dump in the explorer (no model): encoder and cross maps, q quits"
else
  echo "note: tmux not installed, explorer part of view not run"
fi

# ---- rollout / flow ---------------------------------------------------------------------------
src0="A man sleeping in a green room on a couch." # the fixture's case0, greedy
A dump "$model" --src "$src0" --max-new-tokens 16 --derive rollout --format safetensors \
  -o "$tmp/rollout.st" || fail "derive rollout"
"$st_compare" "$tmp/rollout.st" "$model/golden.safetensors" case0 1e-5 2 > "$tmp/cmp" \
  || fail "rollout vs golden: $(cat "$tmp/cmp")"
ok "dump --derive rollout: encoder and decoder rollout = case0 goldens within 1e-5"
A dump "$model" --src "$src0" --derive flow --fusion max --discard 0.2 --format png \
  -o "$tmp/flow" || fail "derive flow"
"$img_check" png "$tmp/flow/encoder.L0.mean.png" > /dev/null && \
  "$img_check" png "$tmp/flow/decoder.L0.mean.png" > /dev/null || fail "flow pngs: $(ls "$tmp/flow")"
ok "dump --derive flow --fusion max --discard 0.2: one PNG per self-attention stack"

# ---- batch ----------------------------------------------------------------------------------
printf 'A man sleeping.\nTwo dogs run.\nA red car.\n' > "$tmp/src.txt"
printf 'Un homme dort.\nDeux chiens.\nUne voiture.\n' > "$tmp/tgt.txt"
A dump "$model" --src-file "$tmp/src.txt" --tgt-file "$tmp/tgt.txt" --format json --map cross \
  > "$tmp/lines.json" 2> "$tmp/err" || fail "batch: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/lines.json")" = 3 ] || fail "batch: $(wc -l < "$tmp/lines.json") lines"
A dump "$model" --src "Two dogs run." --tgt "Deux chiens." --format json --map cross > "$tmp/l2.json"
sed -n 2p "$tmp/lines.json" | cmp -s - "$tmp/l2.json" || fail "batch line 2 differs from a single dump"
A dump "$model" --src-file "$tmp/src.txt" --format safetensors -o "$tmp/batch" || fail "batch st"
[ -s "$tmp/batch/000003.safetensors" ] || fail "batch files: $(ls "$tmp/batch")"
A dump "$model" --src-file "$tmp/src.txt" --format png --map cross --layer 0 --head 1 \
  -o "$tmp/bpng" || fail "batch png"
for i in 1 2 3; do
  "$img_check" png "$tmp/bpng/00000$i/cross.L0.H1.png" > /dev/null || fail "batch png $i"
done
ok "dump --src-file: 3 JSON lines equal to single dumps; a safetensors file, a PNG per input"

# ---- bad input ------------------------------------------------------------------------------
expect_error() { # expect_error REGEX CMD...: exit 2 and exactly one stderr line matching REGEX
  local re=$1; shift
  "$@" > /dev/null 2> "$tmp/err"; local rc=$?
  [ $rc = 2 ] || fail "exit $rc for $*"
  [ "$(wc -l < "$tmp/err")" = 1 ] && grep -Eq "$re" "$tmp/err" || fail "stderr for $*: $(cat "$tmp/err")"
}
expect_error "needs --gold" "$bin" align "$model" --input "$tmp/pairs" --rank-heads
expect_error "head takes N or mean" "$bin" align "$model" --input "$tmp/pairs" --head all
expect_error "gold link '1x2'" sh -c "echo '1x2' > '$tmp/bad.gold'; \"$bin\" align --method diagonal --src 'a b' --tgt 'c d' --gold '$tmp/bad.gold'"
expect_error "fewer lines than the input" "$bin" align --method diagonal --input "$tmp/pairs" \
  --gold /dev/null
expect_error "expected 'source \|\|\| target'" sh -c "echo 'no bar' | \"$bin\" align --method diagonal"
expect_error "expected a non-empty array \[layers, heads, query, key\]" "$bin" view \
  "$data/npy/a23_f4.npy" --format json
expect_error "no attention maps found" "$bin" view "$tmp/batch" --format json
expect_error "needs -o" "$bin" dump "$model" --device cpu --src "A man." --format png
expect_error "discard ratio 1 is outside" "$bin" dump "$model" --device cpu --src "A man." \
  --derive flow --discard 1 --format json
expect_error "needs a self-attention map" "$bin" dump "$model" --device cpu --src "A man." \
  --derive rollout --map cross --format json
ok "bad input: one error line, exit 2 (10 cases)"

echo "$checks checks passed"
