#!/usr/bin/env bash
# GPU faults: no Vulkan driver (no ICD), a device that fails to create, device memory running out
# during the weight upload (AS_VK_MEM_LIMIT) and a lost device (AS_VK_FAULT=device-lost, injected
# by the runtime, src/vk/vk_fault.c). Each must end within the time limit with exit status 2 and
# one stderr line naming the problem and offering --device cpu; none may hang. Then model runs
# under synchronization validation, and a run without barriers that it must catch.
# Usage: test_gpufault.sh ATTNSCOPE FIXTURES_DIR
set -u
bin=$1 fixtures=$2
model=$fixtures/marian-tiny
[ -f "$model/config.json" ] || { echo "SKIP: fixture $model not found"; exit 77; }
"$bin" devices 2>/dev/null | grep -q '^ *[0-9]' || { echo "SKIP: no Vulkan device"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
checks=0 failures=0

# expect NAME REGEX ENV...: dump on the default (Vulkan) device under ENV must fail this way
expect() {
  local name=$1 pattern=$2
  shift 2
  checks=$((checks + 1))
  env "$@" timeout 120 "$bin" dump "$model" --src "A man sleeping." --format ascii \
    >/dev/null 2>"$tmp/err"
  local rc=$? lines
  lines=$(grep -c . "$tmp/err")
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -Eq -- "$pattern" "$tmp/err"; then
    echo "FAIL $name: status $rc (124: hung), $lines line(s): $(cat "$tmp/err")"
    failures=$((failures + 1))
  else
    echo "ok   $name: $(cat "$tmp/err")"
  fi
}

# (without the validation layer: it reports the loader's own search for drivers as errors)
expect no-icd '^attnscope: no Vulkan driver found .*; use --device cpu$' AS_VK_VALIDATION=0 \
  VK_DRIVER_FILES="$tmp/none.json" VK_ICD_FILENAMES="$tmp/none.json"
cpu_offer='--device cpu runs on the CPU instead'
expect device-create "^attnscope: Vulkan: cannot create a device on .*; $cpu_offer\$" \
  AS_VK_FAULT=device-create
expect oom-upload \
  "^attnscope: weights: cannot allocate [0-9]+ bytes on .*OUT_OF_DEVICE_MEMORY.*; $cpu_offer\$" \
  AS_VK_MEM_LIMIT=64K
expect device-lost "^attnscope: Vulkan: device lost \\(.*\\); $cpu_offer\$" \
  AS_VK_FAULT=device-lost

# the offered fallback works under the same faults
checks=$((checks + 1))
if AS_VK_FAULT=device-lost,device-create AS_VK_MEM_LIMIT=1 \
   VK_DRIVER_FILES="$tmp/none.json" VK_ICD_FILENAMES="$tmp/none.json" \
   timeout 120 "$bin" dump "$model" --src "A man sleeping." --format ascii --device cpu \
   >/dev/null 2>"$tmp/err"; then
  echo "ok   --device cpu runs with every fault injected"
else
  echo "FAIL --device cpu under faults: $(cat "$tmp/err")"
  failures=$((failures + 1))
fi
# a cap that fits the model changes nothing
checks=$((checks + 1))
if AS_VK_MEM_LIMIT=64M timeout 120 "$bin" dump "$model" --src "A man sleeping." --format ascii \
   >/dev/null 2>"$tmp/err"; then
  echo "ok   AS_VK_MEM_LIMIT=64M: the model fits"
else
  echo "FAIL AS_VK_MEM_LIMIT=64M: $(cat "$tmp/err")"
  failures=$((failures + 1))
fi

# Synchronization validation (Khronos layer, enabled through VK_LAYER_ENABLES): greedy decoding
# and a forced target, every map captured, report no hazard; with the pipeline barriers left out
# (AS_VK_FAULT=no-barrier) it must report hazards and fail the run, which proves it is active.
sync=VK_LAYER_ENABLES=VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT
for forced in "" "--tgt=Ein Mann schläft."; do
  checks=$((checks + 1))
  if env AS_VK_VALIDATION=1 "$sync" timeout 300 "$bin" dump "$model" --src "A man sleeping." \
     ${forced:+"$forced"} --format safetensors --head all -o "$tmp/maps.st" 2>"$tmp/err" &&
     [ ! -s "$tmp/err" ]; then
    echo "ok   synchronization validation: no hazard (${forced:-greedy})"
  else
    echo "FAIL synchronization validation (${forced:-greedy}): $(head -c 600 "$tmp/err")"
    failures=$((failures + 1))
  fi
done
checks=$((checks + 1))
env AS_VK_VALIDATION=1 "$sync" AS_VK_FAULT=no-barrier timeout 300 "$bin" dump "$model" \
  --src "A man sleeping." --format ascii >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" = 2 ] && grep -q 'SYNC-HAZARD-READ-AFTER-WRITE' "$tmp/err"; then
  echo "ok   no barriers: synchronization validation reports the hazards, status 2"
else
  echo "FAIL no barriers: status $rc, $(grep -c . "$tmp/err") lines, no SYNC-HAZARD report"
  failures=$((failures + 1))
fi

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
