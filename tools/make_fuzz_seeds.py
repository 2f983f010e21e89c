#!/usr/bin/python3
"""Writes the seed corpora of the fuzz harnesses (fuzz/seeds/<harness>/) from the fixtures and
the test data: small valid inputs of every format, so the fuzzers start from files that reach
deep into each reader. Run from the repository root: /usr/bin/python3 tools/make_fuzz_seeds.py
(needs numpy, torch and Pillow; the output is committed, the tests never run this)."""
import io
import json
import os
import shutil
import struct
import sys
import zipfile

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
FIX = os.path.join(ROOT, "..", "shared", "fixtures")
DATA = os.path.join(ROOT, "tests", "data")
OUT = os.path.join(ROOT, "fuzz", "seeds")
SEP = b"\n----\n"


def rd(*p):
    with open(os.path.join(*p), "rb") as f:
        return f.read()


def put(harness, name, blob):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def st_bytes(tensors, metadata=None):
    tmp = os.path.join(OUT, ".tmp.safetensors")
    safetensors_io.write(tmp, tensors, metadata)
    blob = rd(tmp)
    os.remove(tmp)
    return blob


def torch_bin(state):
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    rng = np.random.default_rng(0)

    # ---- safetensors
    put("st", "f32.safetensors", st_bytes({"w": rng.standard_normal((2, 3)).astype(np.float32)}))
    put("st", "mixed.safetensors", st_bytes({
        "a": rng.standard_normal((3,)).astype(np.float16),
        "b": np.arange(4, dtype=np.int64).reshape(2, 2),
        "c": np.zeros((0, 4), np.float32),
        "d": np.float64(1.5).reshape(()),
        "e": np.array([1, 0, 1], np.uint8)}, {"format": "pt", "note": "x"}))
    hdr = b'{"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}'
    put("st", "bf16.safetensors", struct.pack("<Q", len(hdr)) + hdr + b"\x80\x3f\x00\x40")
    put("st", "empty.safetensors", struct.pack("<Q", 2) + b"{}")

    # ---- config.json (+ generation_config.json, + preprocessor_config.json)
    for fam in ["marian-tiny", "bert-tiny", "gpt2-tiny", "vit-tiny"]:
        parts = [rd(FIX, fam, "config.json")]
        gen = os.path.join(FIX, fam, "generation_config.json")
        pre = os.path.join(FIX, fam, "preprocessor_config.json")
        if os.path.exists(gen) or os.path.exists(pre):
            parts.append(rd(gen) if os.path.exists(gen) else b"{}")
        if os.path.exists(pre):
            parts.append(rd(pre))
        put("cfg", fam, SEP.join(parts))
    for fam in ["bart-tiny", "mbart-tiny"]:
        put("cfg", fam, rd(DATA, fam, "config.json"))

    # ---- tokenizers
    texts = [b"Hello, world! Two dogs play in the snow.", b"caf\xc3\xa9 na\xc3\xafve \xe4\xb8\xad\xe6\x96\x87",
             b"  [CLS] x </s> <unk> >>fr<< A man.\t\n"]
    for fam in ["bert", "gpt2", "unigram"]:
        tj = rd(DATA, "tok", fam, "tokenizer.json")
        for i, t in enumerate(texts):
            put("tok_json", f"{fam}-{i}", tj + SEP + t)
    for i, t in enumerate(texts):
        put("tok_wordpiece", f"bert-{i}", rd(FIX, "bert-tiny", "vocab.txt") + SEP +
            rd(FIX, "bert-tiny", "tokenizer_config.json") + SEP + t)
        put("tok_bpe", f"gpt2-{i}", rd(FIX, "gpt2-tiny", "vocab.json") + SEP +
            rd(FIX, "gpt2-tiny", "merges.txt") + SEP + rd(FIX, "gpt2-tiny", "tokenizer_config.json") +
            SEP + t)
        put("tok_marian", f"marian-{i}", rd(FIX, "marian-tiny", "vocab.json") + SEP + t)
    # tiny files too: the fuzzer mutates them many times faster than the fixtures' vocabularies
    put("tok_wordpiece", "tiny", b"[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n##s\nworld\n,\n" + SEP +
        b'{"do_lower_case": true}' + SEP + b"Hellos, world")
    put("tok_marian", "tiny", json.dumps({"</s>": 0, "<unk>": 1, "<pad>": 2, "\u2581A": 3,
                                          "\u2581man": 4, ".": 5}).encode() + SEP + b">>fr<< A man.")
    put("tok_json", "tiny-wordlevel", json.dumps({"model": {"type": "WordLevel", "vocab": {
        "[UNK]": 0, "a": 1}, "unk_token": "[UNK]"}, "pre_tokenizer": {"type": "Whitespace"}}).encode()
        + SEP + b"a b a")
    put("tok_json", "tiny-bpe", json.dumps({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2},
        "merges": ["a b"]}, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False},
        "decoder": {"type": "ByteLevel"}}).encode() + SEP + b"abab")
    put("tok_bpe", "roberta", b"\x01" + b'{"<s>":0,"</s>":1,"a":2,"b":3,"ab":4,"\xc4\xa0":5}' + SEP +
        b"#version: 0.2\na b\n" + SEP + b"{}" + SEP + b"ab ab")

    # ---- pytorch_model.bin: zip + pickle
    state = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3),
             "h": torch.ones(3, dtype=torch.float16), "p": torch.arange(4, dtype=torch.int64)}
    state["tied"] = state["w"]
    state["slice"] = state["w"][1]
    bins = {"state": torch_bin(state),
            "bf16": torch_bin({"x": torch.ones(2, 2, dtype=torch.bfloat16)})}
    for name in os.listdir(os.path.join(DATA, "ckpt")):
        if name.endswith(".bin"):
            bins[name[:-4]] = rd(DATA, "ckpt", name)
    for name, blob in sorted(bins.items()):
        put("zip", name, blob)
        put("ckpt", "bin-" + name, b"\x00" + blob)
        if not zipfile.is_zipfile(io.BytesIO(blob)):
            continue  # e.g. the truncated test file: a zip seed, but no pickle inside
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            for n in z.namelist():
                if n.endswith("data.pkl"):
                    put("pickle", name, z.read(n))
    index = {"metadata": {"total_size": 48},
             "weight_map": {"w.a": "a.safetensors", "w.b": "b.safetensors"}}
    put("ckpt", "index", b"\x01" + json.dumps(index).encode())
    put("ckpt", "index-out", b"\x01" + json.dumps({"weight_map": {"secret": "out.safetensors"}}).encode())

    # ---- images
    for p in [os.path.join(FIX, "vit-tiny", "checker.png"), os.path.join(FIX, "vit-tiny", "digit7.png"),
              os.path.join(DATA, "img", "bilinear-5x3.png")]:
        put("img", os.path.basename(p), rd(p))
    small = Image.fromarray((rng.random((5, 7, 3)) * 255).astype(np.uint8))
    for fmt, kw in [("BMP", {}), ("GIF", {}), ("JPEG", {"quality": 80}), ("PPM", {}), ("TGA", {})]:
        b = io.BytesIO()
        small.save(b, format=fmt, **kw)
        put("img", "small." + fmt.lower(), b.getvalue())
    b = io.BytesIO()
    Image.fromarray(np.zeros((1, 1), np.uint8), "L").save(b, format="PNG")
    put("img", "grey1x1.png", b.getvalue())
    b = io.BytesIO()
    Image.fromarray((rng.random((3, 2, 4)) * 255).astype(np.uint8), "RGBA").save(b, format="PNG")
    put("img", "rgba.png", b.getvalue())

    # ---- attention files for `view`
    p = rng.random((2, 3, 3)).astype(np.float32)
    p /= p.sum(-1, keepdims=True)
    tokens = {"source_tokens": ["\u2581A", "\u2581man", "</s>"]}
    put("view", "st-enc", b"\x00" + st_bytes({"encoder.attn.L0": p, "encoder.attn.L1": p},
                                             {k: json.dumps(v) for k, v in tokens.items()}))
    c = rng.random((2, 2, 3)).astype(np.float32)
    d = rng.random((2, 2, 2)).astype(np.float32)
    meta = {"source_tokens": json.dumps(["a", "b", "c"]), "target_tokens": json.dumps(["<pad>", "x"])}
    put("view", "st-encdec", b"\x00" + st_bytes({"encoder.attn.L0": p[:, :3, :3], "decoder.attn.L0": d,
                                                "cross.attn.L0": c}, meta))
    put("view", "st-single", b"\x00" + st_bytes({"attn.L0": p}))
    npy = rd(DATA, "npy", "l2h1q2k3_f4.npy")
    put("view", "npy-enc", b"\x01" + npy)
    put("view", "npy-cross-tokens", b"\x02" + npy + SEP + json.dumps(
        {"source_tokens": ["a", "b", "c"], "target_tokens": ["x", "y"]}).encode())
    put("view", "npy-attn-list", b"\x03" + npy + SEP + b'["a", "b", "c"]')
    for name in ["a23_f2.npy", "a23_f8.npy", "a23_fortran.npy"]:
        put("view", "npy-" + name, b"\x01" + rd(DATA, "npy", name))

    # ---- alignment gold
    gold = rd(ROOT, "..", "shared", "data", "alignments", "enfr.gold").split(b"\n")
    put("gold", "enfr-head", b"\n".join(gold[:20]))
    put("gold", "mixed", b"0-0 1p2 3-3\t4p4\n\n1-1 1p1 10-20\n")

    # ---- command lines (NUL-separated argv)
    for i, argv in enumerate([
            ["dump", "m", "--src", "A man.", "--map", "cross", "--layer", "1-2", "--head", "mean",
             "--format", "ascii", "--width", "80"],
            ["align", "m", "--input", "f", "--method", "bidir", "--threshold", "0.2", "--gold", "g",
             "--gold-one-based", "--rank-heads", "--soft", "--predict"],
            ["stats", "--src", "x", "--format", "json", "--head", "all", "--layer", "all"],
            ["view", "f.npy", "--tokens", "t.json", "--format", "png", "-o", "o.png"],
            ["m", "--src", "x", "--colors", "256", "-C", "--no-mouse", "--max-frames", "3",
             "--device", "cpu"],
            ["dump", "--src-file", "s", "--tgt-file", "t", "--format", "json", "--hidden",
             "--logits", "--max-new-tokens", "5"],
            ["dump", "m", "--image", "x.png", "--format", "png", "-ofile"],
            ["info", "m"], ["devices"], ["-h"], ["dump", "--pair", "b", "--src", "a", "--", "-x"]]):
        put("cli", f"argv-{i}", b"\x00".join(a.encode() for a in argv))


if __name__ == "__main__":
    main()
