#!/usr/bin/env bash
# GPU faults: no Vulkan loader (libvulkan.so.1 hidden in a private mount namespace), no Vulkan
# driver (no ICD), a device that fails to create, device memory running out during the weight
# upload (AS_VK_MEM_LIMIT) and a lost device (AS_VK_FAULT=device-lost, injected by the runtime,
# src/vk/vk_fault.c). Without a loader or driver a run that named no device falls back to the CPU
# backend with one note and the maps of --device cpu; every other case (a device asked for,
# device faults) must end within the time limit with exit status 2 and one stderr line naming
# the problem and offering --device cpu; none may hang. Then model runs under synchronization
# validation, and a run without barriers that it must catch.
# Usage: test_gpufault.sh ATTNSCOPE FIXTURES_DIR
set -u
bin=$1 fixtures=$2
model=$fixtures/marian-tiny
[ -f "$model/config.json" ] || { echo "SKIP: fixture $model not found"; exit 77; }
"$bin" devices 2>/dev/null | grep -q '^ *[0-9]' || { echo "SKIP: no Vulkan device"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
checks=0 failures=0

# The dump every check runs; a case adds its environment (and a wrapper command) to env(1) in
# front and options behind: CASE is [ENV=VALUE... [WRAPPER]] [-- DUMP_OPTIONS...].
src=(--src "A man sleeping." --format safetensors --head all)
run_case() {
  local out=$1 pre=()
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do pre+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  env "${pre[@]}" timeout 120 "$bin" dump "$model" "${src[@]}" -o "$out" "$@" 2>"$tmp/err"
}

# expect NAME REGEX CASE...: must fail with status 2 and exactly one stderr line matching REGEX
expect() {
  local name=$1 pattern=$2
  shift 2
  checks=$((checks + 1))
  run_case "$tmp/fail.st" "$@"
  local rc=$? lines
  lines=$(grep -c . "$tmp/err")
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -Eq -- "$pattern" "$tmp/err"; then
    echo "FAIL $name: status $rc (124: hung), $lines line(s): $(cat "$tmp/err")"
    failures=$((failures + 1))
  else
    echo "ok   $name: $(cat "$tmp/err")"
  fi
}

# the maps every fallback run must reproduce
"$bin" dump "$model" "${src[@]}" -o "$tmp/cpu.st" --device cpu || { echo "FAIL: cpu dump"; exit 1; }

# fallback NAME REGEX CASE...: must succeed with the maps of --device cpu and exactly one stderr
# line matching REGEX (REGEX empty: no stderr at all)
fallback() {
  local name=$1 pattern=$2
  shift 2
  checks=$((checks + 1))
  rm -f "$tmp/fb.st"
  run_case "$tmp/fb.st" "$@"
  local rc=$? lines maps=differ
  lines=$(grep -c . "$tmp/err")
  cmp -s "$tmp/cpu.st" "$tmp/fb.st" && maps=equal
  if [ "$rc" -ne 0 ] || [ "$maps" != equal ] ||
     { [ -z "$pattern" ] && [ "$lines" -ne 0 ]; } ||
     { [ -n "$pattern" ] && { [ "$lines" -ne 1 ] || ! grep -Eq -- "$pattern" "$tmp/err"; }; }; then
    echo "FAIL $name: status $rc, maps $maps, $lines line(s): $(cat "$tmp/err")"
    failures=$((failures + 1))
  else
    echo "ok   $name: the CPU's maps${pattern:+, $(cat "$tmp/err")}"
  fi
}

# No driver (without the validation layer: it reports the loader's own search for drivers as
# errors): the default device falls back; a device asked for, by option or AS_DEVICE, fails.
no_icd=(AS_VK_VALIDATION=0 VK_DRIVER_FILES="$tmp/none.json" VK_ICD_FILENAMES="$tmp/none.json")
fallback no-icd-fallback \
  '^attnscope: no Vulkan driver found \(.*\); running on the CPU \(--device cpu\)$' "${no_icd[@]}"
expect no-icd '^attnscope: no Vulkan driver found .*; use --device cpu$' "${no_icd[@]}" \
  -- --device 0
expect no-icd-env '^attnscope: no Vulkan driver found .*; use --device cpu$' "${no_icd[@]}" \
  AS_DEVICE=0

# No loader at all, for real: $tmp/noloader runs its arguments with every libvulkan.so.1 the
# dynamic linker knows covered by /dev/null (dlopen: "file too short") in a private mount
# namespace. That needs root (CAP_SYS_ADMIN); without it these checks skip, the rest still run.
export LOADERS
LOADERS=$(ldconfig -p | awk '$1 == "libvulkan.so.1" { print $NF }')
cat >"$tmp/noloader" <<'EOF'
#!/bin/sh
exec unshare -m sh -c 'for f in $LOADERS; do mount --bind /dev/null "$f" || exit 99; done
  exec "$@"' sh "$@"
EOF
chmod +x "$tmp/noloader"
if [ -z "$LOADERS" ]; then
  echo "skip no-loader: ldconfig -p lists no libvulkan.so.1"
elif ! "$tmp/noloader" true 2>"$tmp/err"; then
  echo "skip no-loader: cannot hide the loader (unshare -m needs root): $(head -1 "$tmp/err")"
else
  no_loader='^attnscope: no Vulkan loader \(.*libvulkan\.so\.1.*\)'
  fallback no-loader-fallback "$no_loader; running on the CPU \(--device cpu\)\$" "$tmp/noloader"
  expect no-loader "$no_loader; use --device cpu\$" "$tmp/noloader" -- --device 0
  fallback no-loader-cpu "" "$tmp/noloader" -- --device cpu
  # devices: the CPU backend is all there is, which is a listing, not a failure
  checks=$((checks + 1))
  "$tmp/noloader" timeout 60 "$bin" devices >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "cpu: C reference backend (--device cpu)" ] &&
     [ "$(grep -c . "$tmp/err")" -eq 1 ] &&
     grep -Eq "$no_loader; only the CPU backend is available\$" "$tmp/err"; then
    echo "ok   no-loader devices: $(cat "$tmp/out") / $(cat "$tmp/err")"
  else
    echo "FAIL no-loader devices: status $rc, out: $(cat "$tmp/out"), err: $(cat "$tmp/err")"
    failures=$((failures + 1))
  fi
fi

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
