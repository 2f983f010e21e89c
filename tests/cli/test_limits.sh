#!/usr/bin/env bash
# Resource limits: with AS_MAX_MEMORY lowered, a weight tensor too large for the cap and an input
# whose attention capture (layers x heads x T^2, on the device and in the store) exceeds it are
# refused before anything is allocated, with one line naming the size and AS_MAX_MEMORY; a cap
# that fits changes nothing. The marian-tiny fixture is small, hence caps in KiB.
# Usage: test_limits.sh ATTNSCOPE FIXTURES_DIR DEVICE   (DEVICE: cpu, or "" for Vulkan)
set -u
bin=$1 fixtures=$2 device=$3
model=$fixtures/marian-tiny
[ -f "$model/config.json" ] || { echo "SKIP: fixture $model not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
checks=0 failures=0
src="A man sleeping in a green room on a couch."

# run LIMIT WANT_STATUS REGEX: dump under AS_MAX_MEMORY=LIMIT
run() {
  checks=$((checks + 1))
  AS_MAX_MEMORY=$1 timeout 120 "$bin" dump "$model" --src "$src" --device "$device" \
    --format ascii >/dev/null 2>"$tmp/err"
  local rc=$? lines
  lines=$(grep -c . "$tmp/err")
  if [ "$rc" -ne "$2" ] || { [ "$2" -ne 0 ] && { [ "$lines" -ne 1 ] ||
       ! grep -Eq -- "$3" "$tmp/err"; }; } || { [ "$2" -eq 0 ] && [ "$lines" -ne 0 ]; }; then
    echo "FAIL AS_MAX_MEMORY=$1: status $rc, $lines line(s): $(cat "$tmp/err")"
    failures=$((failures + 1))
  else
    echo "ok   AS_MAX_MEMORY=$1: status $rc $(cat "$tmp/err")"
  fi
}

raise='AS_MAX_MEMORY=<MiB>'
run 64K 2 "model.safetensors: tensor 'model.shared.weight': needs 0.2 MiB, more than the 0.1 \
MiB limit \\($raise raises it\\)$"
run 256K 2 "marian-tiny: capturing every attention map of 12 tokens needs 0.3 MiB .*more than \
the 0.2 MiB limit; shorten the input or raise $raise$"
run 1M 0 ""
echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
