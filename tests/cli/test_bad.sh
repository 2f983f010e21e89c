#!/usr/bin/env bash
# Bad input: each case must give exactly one line on stderr naming the file and the problem,
# exit status 2, and no crash (the asan build runs this too, so leaks and overflows fail it).
# Usage: test_bad.sh ATTNSCOPE MAKE_BAD_ST FIXTURES_DIR
set -u
bin=$1 make_bad=$2 fixtures=$3
good=$fixtures/marian-tiny
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0

# A copy of the good model folder named $1, with model.safetensors made by `make_bad_st $2`
# (or left as is when $2 is empty).
variant() {
  mkdir -p "$tmp/$1"
  cp "$good"/{config.json,generation_config.json,source.spm,target.spm,vocab.json,tokenizer_config.json} "$tmp/$1/"
  if [ -n "${2:-}" ]; then
    "$make_bad" "$2" "$good/model.safetensors" "$tmp/$1/model.safetensors" || { echo "make_bad_st $2 failed"; exit 1; }
  else
    cp "$good/model.safetensors" "$tmp/$1/"
  fi
}

. "$(dirname "$0")/lib.sh"

dump=(dump --device cpu --src "A man sleeping.")

expect missing-folder "$tmp/nope: cannot open model folder" -- "${dump[@]}" "$tmp/nope"
touch "$tmp/plainfile"
expect not-a-folder "$tmp/plainfile: not a folder" -- "${dump[@]}" "$tmp/plainfile"

variant no-config; rm "$tmp/no-config/config.json"
expect missing-config "no-config/config.json: cannot open" -- "${dump[@]}" "$tmp/no-config"

variant bad-json; echo '{"model_type": "marian",' > "$tmp/bad-json/config.json"
expect bad-config-json "bad-json/config.json: .*JSON" -- "${dump[@]}" "$tmp/bad-json"

variant unknown-type; sed -i 's/"model_type": "marian"/"model_type": "llama9"/' "$tmp/unknown-type/config.json"
expect unknown-model-type "unknown-type/config.json: unknown model_type 'llama9' \(supported: marian" -- "${dump[@]}" "$tmp/unknown-type"

variant no-weights; rm "$tmp/no-weights/model.safetensors"
expect missing-weights "no-weights: no weights found \(model.safetensors, model.safetensors.index.json or pytorch_model.bin\)" -- "${dump[@]}" "$tmp/no-weights"

variant no-vocab; rm "$tmp/no-vocab/vocab.json"
expect missing-vocab "no-vocab/vocab.json" -- "${dump[@]}" "$tmp/no-vocab"

variant missing-tensor drop=model.encoder.layers.1.fc2.weight
expect missing-tensor "missing-tensor/model.safetensors: missing tensor 'model.encoder.layers.1.fc2.weight'" -- "${dump[@]}" "$tmp/missing-tensor"

variant bad-shape transpose=model.encoder.layers.0.fc1.weight
expect shape-contradicts-config "bad-shape/model.safetensors: tensor 'model.encoder.layers.0.fc1.weight' has shape \[32, 64\]" -- "${dump[@]}" "$tmp/bad-shape"

variant truncated truncate
expect truncated-file "truncated/model.safetensors: " -- "${dump[@]}" "$tmp/truncated"

variant header-len header-len
expect header-longer-than-file "header-len/model.safetensors: header length" -- "${dump[@]}" "$tmp/header-len"

variant offsets offsets-outside
expect offsets-outside-file "offsets/model.safetensors: .*(outside|beyond|past)" -- "${dump[@]}" "$tmp/offsets"

variant dtype unknown-dtype
expect unknown-dtype "dtype/model.safetensors: .*dtype 'Q4'" -- "${dump[@]}" "$tmp/dtype"

variant ok
expect empty-source "empty source text" -- dump --device cpu --src "" "$tmp/ok"
expect bad-layer "--layer 7: the encoder map has layers 0..1" -- dump --device cpu --src "A dog." --layer 7 "$tmp/ok"
expect bad-option "--frobnicate: unknown option" -- dump --frobnicate "$tmp/ok"
expect bad-format "--format: expected ascii, ansi, safetensors, png, svg, npy, json or table, got 'bmp'" -- dump --format bmp --src x "$tmp/ok"
expect unwritable-output "/nonexistent/dir/out.txt: cannot write" -- dump --device cpu --src "A dog." -o /nonexistent/dir/out.txt "$tmp/ok"
# no Vulkan device: hide every ICD from the loader (a device asked for; without one, runs fall
# back to the CPU: test_gpufault.sh)
export VK_DRIVER_FILES=/nonexistent VK_ICD_FILENAMES=/nonexistent
expect no-vulkan-device "no Vulkan (device|driver) found.*--device cpu" -- dump --device 0 --src "A dog." "$tmp/ok"
unset VK_DRIVER_FILES VK_ICD_FILENAMES

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
