#!/usr/bin/python3
"""Generates tests/data/ckpt/ from the shared fixtures' F32 weights (run with /usr/bin/python3,
which has torch; the tests themselves never run Python; the output is committed).

For marian-tiny and bert-tiny:
  <fixture>/pytorch_model.bin            torch.save(state_dict) (zip + pickle), F32
  <fixture>/f16/model.safetensors         float tensors as F16 (integer buffers unchanged)
  <fixture>/bf16/model.safetensors        float tensors as BF16
  <fixture>/shards/model.safetensors.index.json + model-0000{1,2,3}-of-00003.safetensors
The .bin files share storages the way real checkpoints do: marian's tied embeddings
(model.shared / encoder / decoder embed_tokens / lm_head) are one tensor, and bert's query/key/
value weights of each layer are row slices of one fused storage (non-zero storage offsets).

Small hand-made files for the reader's own checks:
  dtypes.bin       h: arange(6) half [2, 3], b: arange(4) bfloat16, l: arange(5) int64,
                   s: row 1 of a [2, 2] float32 storage (storage offset 2)
  noncontig.bin    w: a transposed [3, 2] float32 view (stride (1, 3))
  bad_opcode.bin   data.pkl holds a float (BINFLOAT, never in a state dict)
  bad_global.bin   data.pkl calls os.system (built by pickle, never executed)
  compressed.bin   dtypes.bin re-zipped with deflate
  truncated.bin    the first half of dtypes.bin
Usage: /usr/bin/python3 tools/make_ckpt_testdata.py [fixtures_dir] [out_dir]
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import zipfile

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "fixtures")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "tests", "data", "ckpt")

ST_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
             "I64": torch.int64}
ST_NAMES = {v: k for k, v in ST_DTYPES.items()}


def st_read(path):
    """{name: tensor} in header order (F32 / I64 fixtures)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    out = collections.OrderedDict()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        np_dt = {"F32": np.float32, "I64": np.int64}[info["dtype"]]
        arr = np.frombuffer(data[b:e], dtype=np_dt).reshape(info["shape"]).copy()
        out[name] = torch.from_numpy(arr)
    return out


def st_write(path, tensors):
    """safetensors with the header padded to 8 bytes, tensors in the given order."""
    header = {"__metadata__": {"format": "pt"}}
    chunks, off = [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 \
            else t.numpy().tobytes()
        header[name] = {"dtype": ST_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def cast(tensors, dtype):
    return collections.OrderedDict(
        (k, v.to(dtype) if v.is_floating_point() else v) for k, v in tensors.items())


def write_shards(folder, tensors, n=3):
    """Splits tensors (in order) into n non-empty shards plus the index json that
    transformers' save_pretrained(max_shard_size=...) writes."""
    os.makedirs(folder, exist_ok=True)
    total = sum(t.numel() * t.element_size() for t in tensors.values())
    names = list(tensors)
    cuts = [len(names) * i // n for i in range(n + 1)]  # equal tensor counts, none empty
    shards = [collections.OrderedDict((k, tensors[k]) for k in names[cuts[i]:cuts[i + 1]])
              for i in range(n)]
    assert len(shards) == n
    weight_map = {}
    for i, s in enumerate(shards):
        fname = "model-%05d-of-%05d.safetensors" % (i + 1, n)
        st_write(os.path.join(folder, fname), s)
        for k in s:
            weight_map[k] = fname
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")


def with_metadata(sd):
    """A state_dict as nn.Module.state_dict() returns it: an OrderedDict carrying _metadata
    (pickled through BUILD)."""
    sd = collections.OrderedDict(sd)
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    return sd


def marian_bin(tensors):
    sd = collections.OrderedDict()
    for k, v in tensors.items():
        sd[k] = v
        if k == "model.shared.weight":  # tied copies share one storage, as in real checkpoints
            for tied in ("model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight"):
                sd[tied] = v
    sd["lm_head.weight"] = tensors["model.shared.weight"]
    return with_metadata(sd)


def bert_bin(tensors):
    sd = collections.OrderedDict()
    for k, v in tensors.items():
        if k.endswith("attention.self.query.weight"):
            pre = k[: -len("query.weight")]
            fused = torch.cat([tensors[pre + p + ".weight"] for p in ("query", "key", "value")])
            d = v.shape[0]
            for i, p in enumerate(("query", "key", "value")):
                sd[pre + p + ".weight"] = fused[i * d:(i + 1) * d]  # views: storage offsets
        elif k.endswith(("attention.self.key.weight", "attention.self.value.weight")):
            continue
        else:
            sd[k] = v
    return with_metadata(sd)


def save_bin(path, obj):
    torch.save(obj, path)


def rezip(src, dst, replace=None, compression=zipfile.ZIP_STORED):
    """Copies a torch zip, optionally replacing data.pkl."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if replace is not None and info.filename.endswith("/data.pkl"):
                data = replace
            # a fixed timestamp keeps the output byte-identical from run to run
            zout.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), data,
                          compress_type=compression)


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, make_bin in (("marian-tiny", marian_bin), ("bert-tiny", bert_bin)):
        t = st_read(os.path.join(FIXTURES, name, "model.safetensors"))
        d = os.path.join(OUT, name)
        os.makedirs(os.path.join(d, "f16"), exist_ok=True)
        os.makedirs(os.path.join(d, "bf16"), exist_ok=True)
        save_bin(os.path.join(d, "pytorch_model.bin"), make_bin(t))
        st_write(os.path.join(d, "f16", "model.safetensors"), cast(t, torch.float16))
        st_write(os.path.join(d, "bf16", "model.safetensors"), cast(t, torch.bfloat16))
        write_shards(os.path.join(d, "shards"), t)

    storage = torch.arange(4, dtype=torch.float32).reshape(2, 2)
    small = collections.OrderedDict([
        ("h", torch.arange(6, dtype=torch.float16).reshape(2, 3)),
        ("b", torch.arange(4, dtype=torch.bfloat16)),
        ("l", torch.arange(5, dtype=torch.int64)),
        ("s", storage[1]),
    ])
    dtypes = os.path.join(OUT, "dtypes.bin")
    save_bin(dtypes, small)
    save_bin(os.path.join(OUT, "noncontig.bin"),
             collections.OrderedDict([("w", torch.arange(6.0).reshape(2, 3).t())]))
    rezip(dtypes, os.path.join(OUT, "bad_opcode.bin"), pickle.dumps({"x": 1.5}, protocol=2))
    rezip(dtypes, os.path.join(OUT, "bad_global.bin"), pickle.dumps({"x": Evil()}, protocol=2))
    rezip(dtypes, os.path.join(OUT, "compressed.bin"), compression=zipfile.ZIP_DEFLATED)
    with open(dtypes, "rb") as f:
        blob = f.read()
    with open(os.path.join(OUT, "truncated.bin"), "wb") as f:
        f.write(blob[: len(blob) // 2])


if __name__ == "__main__":
    main()
