"""Minimal safetensors reader and writer (no safetensors package).

Format: 8-byte little-endian header length N, N bytes of JSON
{"__metadata__": {...}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}
(offsets relative to the end of the header), then the raw little-endian tensor bytes.
"""
import json
import struct

import numpy as np

# safetensors dtype name <-> little-endian numpy dtype
_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
}
_NAMES = {v: k for k, v in _DTYPES.items()}


def read(path):
    """Returns {name: numpy array} for every tensor of the file (copies, native byte order)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise ValueError(f"{path}: header length {n} exceeds file size {len(blob)}")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = memoryview(blob)[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        dt = _DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        count = int(np.prod(info["shape"], dtype=np.int64))
        if end > len(data) or end - begin != count * dt.itemsize:
            raise ValueError(f"{path}: tensor {name} data_offsets {begin}..{end} do not match "
                             f"shape {info['shape']} or the file size")
        arr = np.frombuffer(data[begin:end], dtype=dt).reshape(info["shape"])
        out[name] = arr.astype(dt.newbyteorder("="))
    return out


def write(path, tensors, metadata=None):
    """Writes {name: numpy array} in name order, like the files transformers writes.

    The JSON header is padded with spaces to a multiple of 8 bytes so every tensor starts
    8-byte aligned (as the safetensors library does)."""
    header = {"__metadata__": dict(metadata or {"format": "pt"})}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name])
        le = arr.dtype.newbyteorder("<") if arr.dtype.itemsize > 1 else arr.dtype
        if le not in _NAMES:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {arr.dtype}")
        raw = arr.astype(le).tobytes()
        header[name] = {"dtype": _NAMES[le], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)
