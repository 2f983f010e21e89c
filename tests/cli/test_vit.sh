#!/usr/bin/env bash
# Vision transformers through the binary: `dump --image` of the vit-tiny fixture equals its goldens
# (pixel_values, attention, logits), text dumps label tokens CLS / p(r,c) and print the prediction,
# `--format png` writes the overlay at the input's resolution, the bundled vit-demo classifies its
# sample images, and bad images give one line on stderr and exit status 2 (no crash: the asan
# build runs this too). `info` prints the image size, patch grid and labels of config.json.
# Usage: test_vit.sh ATTNSCOPE ST_COMPARE FIXTURES_DIR DEVICE ASSETS_DIR
set -u
bin=$1 st_compare=$2 fixtures=$3 device=$4 assets=$5
model=$fixtures/vit-tiny
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8
dump=(dump "$model" --device "$device")

# safetensors vs the goldens: pixel_values + 2 attention layers + logits = 4 tensors
for c in 0 1; do
  img=$([ $c = 0 ] && echo digit7.png || echo checker.png)
  "$bin" "${dump[@]}" --image "$model/$img" --format safetensors -o "$tmp/case$c.st"
  check "safetensors-case$c-vs-golden" "$st_compare" "$tmp/case$c.st" "$model/golden.safetensors" "case$c" 1e-4 4
done

# text: token labels and the classifier's answer
"$bin" "${dump[@]}" --image "$model/digit7.png" --format ascii --layer 1 --width 100 > "$tmp/a.txt"
check ascii-prediction grep -Eq '^prediction: (digit|checker|rings|blank|other) [01]\.[0-9]{3}' "$tmp/a.txt"
check ascii-labels bash -c "grep -q 'CLS' '$tmp/a.txt' && grep -q 'p(3,3)' '$tmp/a.txt'"
check ascii-one-layer bash -c "[ \$(grep -c 'layer 1/2 head mean/4' '$tmp/a.txt') -eq 1 ]"

# png: the overlay at the input's resolution (48 x 40), for the rollout and for one head
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{print $3*256+$4 "x" $7*256+$8}'; }
"$bin" "${dump[@]}" --image "$model/digit7.png" --format png -o "$tmp/r.png"
check png-rollout-48x40 bash -c "[ \"\$(head -c 4 '$tmp/r.png' | od -An -c | tr -d ' ')\" = '211PNG' ] && [ $(png_size "$tmp/r.png" 2>/dev/null || echo x) = 48x40 ]"
"$bin" "${dump[@]}" --image "$model/checker.png" --format png --layer 0 --head 2 -o "$tmp/h.png"
check png-head-48x40 bash -c "[ $(png_size "$tmp/h.png" 2>/dev/null || echo x) = 48x40 ]"
check png-differs bash -c "! cmp -s '$tmp/r.png' '$tmp/h.png'"
expect png-all-heads "--format png: one image per run" -- "${dump[@]}" --image "$model/digit7.png" --format png --head all -o "$tmp/x.png"
expect png-no-output "--format png: give the output file" -- "${dump[@]}" --image "$model/digit7.png" --format png

# the bundled demo: every sample image is classified as the shape it shows (file name)
demo=$assets/models/vit-demo
if [ -f "$demo/model.safetensors" ]; then
  for f in "$assets"/images/*.png; do
    want=$(basename "$f" .png | sed 's/-.*//')
    "$bin" dump "$demo" --device "$device" --image "$f" --format ascii --layer 0 > "$tmp/d.txt"
    check "demo-$(basename "$f")" grep -q "^prediction: $want " "$tmp/d.txt"
  done
fi

# bad images and misuse
: > "$tmp/empty.png"
echo "just some text, not an image" > "$tmp/text.png"
head -c 300 "$model/digit7.png" > "$tmp/cut.png"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x23\x28\0\0\x23\x28\x08\x02\0\0\0\0\0\0\0' > "$tmp/huge.png"
expect empty-image "empty.png: empty file" -- "${dump[@]}" --image "$tmp/empty.png"
expect not-an-image "text.png: not a readable image" -- "${dump[@]}" --image "$tmp/text.png"
expect truncated-png "cut.png: cannot decode image" -- "${dump[@]}" --image "$tmp/cut.png"
expect huge-image "huge.png: image is 9000x9000; the limit is 16384 pixels per side" -- "${dump[@]}" --image "$tmp/huge.png"
expect missing-image "nope.png: cannot open" -- "${dump[@]}" --image "$tmp/nope.png"
expect text-for-vit "takes an image \(--image FILE\)" -- "${dump[@]}" --src "hello"
expect image-and-text "--image: a vision model takes no --src/--tgt text" -- "${dump[@]}" --image "$model/digit7.png" --src "hello"
expect image-for-marian "model_type marian takes text, not an image" -- dump "$fixtures/marian-tiny" --device "$device" --image "$model/digit7.png"

"$bin" info "$model" > "$tmp/info.txt"
check info-vit grep -q "vit" "$tmp/info.txt"
# vit-tiny/config.json: image_size 32, patch_size 8 (a 4x4 grid), num_channels 3, five id2label
# classes; a vision model has no vocabulary or text positions to print
check info-vit-image grep -qx "image:        32x32 px, 3 channels" "$tmp/info.txt"
check info-vit-patches grep -qx "patches:      16 (4x4 of 8x8 px) + CLS" "$tmp/info.txt"
check info-vit-labels grep -qx "labels:       5 (digit, checker, rings, blank, other)" "$tmp/info.txt"
check info-vit-no-vocab sh -c "! grep -Eq '^(vocabulary|positions):' '$tmp/info.txt'"

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
