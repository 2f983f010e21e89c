#!/usr/bin/python3
"""Writes the crafted-input corpus tests/bad/<reader>/<case> (one broken input per case, each
breaking one rule a reader checks) and the case list tests/bad/cases.txt. The expected one-line
errors in cases.txt are filled in by the replay test itself (AS_UPDATE_GOLDEN=1
build/tests/bad/bad_replay ...) and reviewed as a diff, as the other golden files are.
Run from the repository root: /usr/bin/python3 tools/make_bad_corpus.py (numpy, Pillow)."""
import io
import json
import os
import struct
import sys
import zipfile

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(__file__), "..")
OUT = os.path.join(ROOT, "tests", "bad")
FIX = os.path.join(ROOT, "..", "shared", "fixtures")
CKPT = os.path.join(ROOT, "tests", "data", "ckpt")
cases = []  # (reader, relative path, what it breaks)


def case(reader, name, blob, why):
    path = os.path.join(OUT, reader, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(blob if isinstance(blob, bytes) else blob.encode())
    cases.append((reader, f"{reader}/{name}", why))


def dir_case(reader, name, files, why, links=None):
    d = os.path.join(OUT, reader, name)
    os.makedirs(d, exist_ok=True)
    for fn, blob in files.items():
        with open(os.path.join(d, fn), "wb") as f:
            f.write(blob if isinstance(blob, bytes) else blob.encode())
    for fn, target in (links or {}).items():
        p = os.path.join(d, fn)
        if os.path.lexists(p):
            os.remove(p)
        os.symlink(target, p)
    cases.append((reader, f"{reader}/{name}", why))


def st(header, data=b"", raw_len=None):
    h = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(h) if raw_len is None else raw_len) + h + data


def rd(*p):
    with open(os.path.join(*p), "rb") as f:
        return f.read()


def npy(arr, magic=b"\x93NUMPY", header=None):
    b = io.BytesIO()
    np.save(b, arr)
    blob = b.getvalue()
    if header is not None:
        hl = struct.unpack("<H", blob[8:10])[0]
        h = header.ljust(hl - 1).encode() + b"\n"
        blob = blob[:10] + h + blob[10 + hl:]
    return magic + blob[6:]


def png(w, h):
    b = io.BytesIO()
    Image.new("RGB", (w, h)).save(b, format="PNG")
    return b.getvalue()


def main():
    t = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
    # ---- safetensors (as_st_open)
    case("st", "empty.safetensors", b"", "empty file")
    case("st", "short.safetensors", b"\x10\x00\x00", "shorter than the length field")
    case("st", "len_huge.safetensors", st({}, raw_len=1 << 63), "header length 2^63")
    case("st", "len_past_end.safetensors", st({"w": t}, b"\0" * 8, raw_len=4096), "header past EOF")
    case("st", "not_json.safetensors", st(b"{\"w\": [1, 2"), "truncated JSON")
    case("st", "array.safetensors", st(b"[1, 2, 3]"), "header is not an object")
    case("st", "dtype.safetensors", st({"w": dict(t, dtype="F8_E4M3")}, b"\0" * 8), "unknown dtype")
    case("st", "neg_shape.safetensors", st({"w": dict(t, shape=[-2])}, b"\0" * 8), "negative dim")
    case("st", "span.safetensors", st({"w": dict(t, data_offsets=[0, 6])}, b"\0" * 8),
         "span differs from numel * size")
    case("st", "outside.safetensors", st({"w": dict(t, data_offsets=[8, 16])}, b"\0" * 8),
         "span past the data area")
    case("st", "overlap.safetensors", st({"a": t, "b": dict(t, data_offsets=[4, 12])}, b"\0" * 12),
         "overlapping tensors")
    case("st", "dup.safetensors", st(b'{"w": ' + json.dumps(t).encode() + b', "w": ' +
                                      json.dumps(t).encode() + b"}", b"\0" * 8), "name twice")
    case("st", "meta.safetensors", st({"__metadata__": {"k": 1}}), "metadata value not a string")
    case("st", "numel_overflow.safetensors",
         st({"w": dict(t, shape=[1 << 40, 1 << 40], data_offsets=[0, 0])}), "numel overflows")
    case("st", "ctrl.safetensors", st(b'{"w\x01": ' + json.dumps(t).encode() + b"}", b"\0" * 8),
         "control byte in the header")
    case("st", "dims.safetensors", st({"w": dict(t, shape=[1] * 9)}, b"\0" * 4), "9 dimensions")

    # ---- config.json and friends
    marian = json.loads(rd(FIX, "marian-tiny", "config.json"))
    case("cfg", "truncated.json", rd(FIX, "marian-tiny", "config.json")[:100], "truncated JSON")
    case("cfg", "no_model_type.json", json.dumps({k: v for k, v in marian.items()
                                                  if k != "model_type"}), "no model_type")
    case("cfg", "heads.json", json.dumps(dict(marian, encoder_attention_heads=3)),
         "d_model not divisible by heads")
    case("cfg", "act.json", json.dumps(dict(marian, activation_function="mish")), "unknown activation")
    case("cfg", "zero_dim.json", json.dumps(dict(marian, d_model=0)), "d_model 0")
    case("cfg", "string_size.json", json.dumps(dict(marian, vocab_size="58101")), "size is a string")
    dir_case("cfg", "devzero", {}, "config.json links to /dev/zero (endless)",
             links={"config.json": "/dev/zero"})
    case("gencfg", "bad_words.json", json.dumps({"bad_words_ids": [[5, 6]]}), "multi-token bad word")
    case("prep", "crop.json", json.dumps({"do_center_crop": True, "crop_size": 20}), "center crop")
    case("prep", "resample.json", json.dumps({"resample": 7}), "unknown resample filter")
    case("prep", "std.json", json.dumps({"image_std": [0.5, 0.5]}), "2 channels of std")
    vit = json.loads(rd(FIX, "vit-tiny", "config.json"))
    case("vitcfg", "patch.json", json.dumps(dict(vit, patch_size=5)), "patch does not divide image")
    case("vitcfg", "huge.json", json.dumps(dict(vit, image_size=1e40)),
         "image_size 1e40 (found by fuzzing: undefined double -> int conversion)")
    case("vitcfg", "channels.json", json.dumps(dict(vit, num_channels=4)), "4 channels")

    # ---- tokenizers
    case("tokjson", "model_type.json", json.dumps({"model": {"type": "Foo", "vocab": {}}}),
         "unknown model type")
    case("tokjson", "truncated.json", '{"model": {"type": "BPE", "vocab": {"a": 0', "truncated JSON")
    case("tokjson", "normalizer.json", json.dumps({"normalizer": {"type": "Fancy"}, "model": {
        "type": "WordPiece", "vocab": {"[UNK]": 0, "a": 1}, "unk_token": "[UNK]"}}),
         "unknown normalizer")
    case("tokjson", "regex.json", json.dumps({"pre_tokenizer": {
        "type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"},
        "model": {"type": "WordPiece", "vocab": {"[UNK]": 0}, "unk_token": "[UNK]"}}), "bad regex")
    case("vocabtxt", "empty.txt", b"", "empty vocab.txt")
    dir_case("bpe", "merge_unknown", {"vocab.json": json.dumps({"a": 0, "b": 1}),
                                      "merges.txt": "#version: 0.2\na c\n"}, "merge of a missing token")
    dir_case("bpe", "vocab_array", {"vocab.json": "[1, 2]", "merges.txt": ""}, "vocab.json array")
    vocab = json.loads(rd(FIX, "marian-tiny", "vocab.json"))
    case("marian", "dup_id.json", json.dumps(dict(vocab, extra=vocab["</s>"])), "id given twice")
    case("marian", "no_eos.json", json.dumps({k: v for k, v in vocab.items() if k != "</s>"}),
         "no </s>")
    case("marian", "big_id.json", json.dumps(dict(vocab, extra=1 << 30)), "id beyond 2^22")

    # ---- checkpoints (as_ckpt_open): pytorch_model.bin, shard indexes
    case("bin", "not_zip.bin", b"\x80\x02}q\x00.", "a bare pickle (legacy format)")
    for name, why in [("compressed", "deflated entry"), ("bad_global", "os.system in the pickle"),
                      ("bad_opcode", "a float in the state dict"), ("truncated", "cut in half"),
                      ("noncontig", "non-contiguous tensor")]:
        case("bin", name + ".bin", rd(CKPT, name + ".bin"), why)
    good = rd(CKPT, "dtypes.bin")
    z = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if "/data/" in item.filename:
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    case("bin", "short_storage.bin", z.getvalue(), "storage smaller than its tensor")
    shard = st({"w": t}, b"\0" * 8)
    idx = lambda wm: json.dumps({"metadata": {}, "weight_map": wm})
    dir_case("index", "dotdot", {"model.safetensors.index.json": idx({"w": "../x.safetensors"})},
             "shard path with ..")
    dir_case("index", "absolute", {"model.safetensors.index.json": idx({"w": "/etc/hostname"})},
             "absolute shard path")
    dir_case("index", "symlink", {"model.safetensors.index.json": idx({"w": "s.safetensors"})},
             "symlinked shard leaving the folder", links={"s.safetensors": "/etc/hostname"})
    dir_case("index", "missing", {"model.safetensors.index.json": idx({"w": "gone.safetensors"})},
             "shard file absent")
    dir_case("index", "elsewhere", {"model.safetensors.index.json": idx({"v": "a.safetensors"}),
                                    "a.safetensors": shard}, "tensor not in its shard")
    dir_case("index", "twice", {"model.safetensors.index.json":
                                idx({"w": "a.safetensors", "x": "b.safetensors"}),
                                "a.safetensors": shard, "b.safetensors": shard},
             "tensor in two shards")
    dir_case("index", "not_object", {"model.safetensors.index.json": '{"weight_map": [1]}'},
             "weight_map not an object")

    # ---- images (as_img_load)
    case("img", "empty.png", b"", "empty file")
    case("img", "text.png", b"this is not an image\n", "not an image")
    case("img", "truncated.png", png(8, 8)[:40], "cut after the header")
    big = bytearray(png(1, 1))
    struct.pack_into(">II", big, 16, 100000, 100000)  # IHDR width, height (CRC left stale)
    case("img", "huge.png", bytes(big), "100000 x 100000 pixels claimed (stb refuses)")
    struct.pack_into(">II", big, 16, 10000, 10000)
    case("img", "cap.png", bytes(big), "10000 x 10000 pixels: over the 67 M pixel cap")

    case("img", "dht.jpg", b"\xff\xd8\xff\xc4\x00\x13\x00" + bytes([255, 255] + [0] * 14) +
         b"\xff\xd9", "a JPEG Huffman table of 510 codes (stb_image 2.27 writes out of bounds)")

    # ---- attention files (`attnscope view`)
    a = np.full((1, 1, 2, 2), 0.5, np.float32)
    case("view", "three_dims.npy", npy(a[0]), "3 dimensions")
    case("view", "magic.npy", npy(a, magic=b"\x93NUMPX"), "bad magic")
    case("view", "dtype.npy", npy(a.astype(np.int32)), "int32 data")
    case("view", "short.npy", npy(a)[:-4], "data cut short")
    case("view", "no_maps.safetensors", st({"logits": t}, b"\0" * 8), "no attention tensors")
    dir_case("view", "tokens_count", {"encoder.npy": npy(a),
                                      "tokens.json": json.dumps({"source_tokens": ["a", "b", "c"]})},
             "3 tokens for 2 positions")
    dir_case("view", "tokens_json", {"encoder.npy": npy(a), "tokens.json": '{"source_tokens": '},
             "truncated tokens.json")

    # ---- alignment gold lines (as_an_gold_parse; gold1: --gold-one-based)
    case("gold", "letters.txt", "0-0 1-x 2-2\n", "a link with a letter")
    case("gold", "negative.txt", "0-0 -1-2\n", "a negative index")
    case("gold", "huge.txt", "0-0 99999999999-1\n", "an index beyond int")
    case("gold1", "zero.txt", "1-1 0-2\n", "0 in a 1-based file")

    # ---- command lines (one argument per line)
    case("cli", "unknown.txt", "dump\n--src\nx\n--frobnicate\n", "unknown option")
    case("cli", "layer.txt", "dump\n--src\nx\n--layer\n3-1\n", "descending layer range")
    case("cli", "width.txt", "dump\n--src\nx\n--width\n5\n", "width below the minimum")
    case("cli", "threshold.txt", "align\n--src\na\n--tgt\nb\n--threshold\nnan\n", "NaN threshold")
    case("cli", "missing_value.txt", "dump\n--src\n", "option without its value")

    # cases.txt: keep the expected messages already recorded for cases that still exist
    listing = os.path.join(OUT, "cases.txt")
    old = {}
    if os.path.exists(listing):
        for line in open(listing, encoding="utf-8"):
            if not line.startswith("#") and " | " in line:
                key, msg = line.rstrip("\n").split(" | ", 1)
                old[key.split()[1]] = msg
    with open(listing, "w", encoding="utf-8") as f:
        f.write("# reader path | expected one-line error (@ = the case's copy in a scratch folder)\n")
        f.write("# written by tools/make_bad_corpus.py; messages by AS_UPDATE_GOLDEN=1 bad_replay\n")
        for reader, rel, why in cases:
            f.write(f"# {why}\n{reader} {rel} | {old.get(rel, '?')}\n")
    print(f"{len(cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
