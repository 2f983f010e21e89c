#!/usr/bin/python3
"""PyTorch peer for bench/run: short implementations of the three architectures the benchmark
times (Marian encoder-decoder with greedy KV-cache decoding, BERT, ViT), computing what attnscope
computes (every attention matrix kept in host memory, like output_attentions=True).

  peer.py check FIXTURES_DIR          compares the peer with the Hugging Face goldens (1e-4)
  peer.py time W DIR REPS [ARGS]      times one workload, prints one JSON line:
      W = marian SRC_LEN NEW_TOKENS | bert SEQ_LEN | vit IMAGE.png
      env PEER_THREADS (default: all cores), PEER_WARMUP (untimed runs first, default 1)

Run with Debian's /usr/bin/python3 (python3-torch). Reads safetensors without extra packages."""
import json
import math
import os
import resource
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


# ---- safetensors ---------------------------------------------------------------------------

def st_load(path):
    dtypes = {"F32": np.float32, "I64": np.int64}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=dtypes[t["dtype"]]).reshape(t["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def st_save(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().numpy().astype(np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ---- shared pieces -------------------------------------------------------------------------

def lin(w, p, x):
    return F.linear(x, w[p + ".weight"], w.get(p + ".bias"))


def ln(w, p, x, eps):
    return F.layer_norm(x, x.shape[-1:], w[p + ".weight"], w[p + ".bias"], eps)


def act(name, x):
    return F.gelu(x) if name == "gelu" else F.silu(x) if name == "swish" else F.relu(x)


def mha(q, k, v, H, causal_offset=None):
    """q [Tq, D] (already scaled), k, v [Tk, D] -> (out [Tq, D], probs [H, Tq, Tk])."""
    Tq, D = q.shape
    dh = D // H
    qh = q.view(Tq, H, dh).transpose(0, 1)
    kh = k.view(-1, H, dh).transpose(0, 1)
    vh = v.view(-1, H, dh).transpose(0, 1)
    s = qh @ kh.transpose(1, 2)
    if causal_offset is not None:
        Tk = s.shape[-1]
        mask = torch.arange(Tk)[None, :] > torch.arange(Tq)[:, None] + causal_offset
        s = s.masked_fill(mask, float("-inf"))
    p = torch.softmax(s, dim=-1)
    return (p @ vh).transpose(0, 1).reshape(Tq, D), p


# ---- Marian (post-LN encoder-decoder, sinusoidal positions, tied embeddings) ---------------

def sinusoids(P, D):
    pos = np.arange(P, dtype=np.float64)[:, None]
    inv = 1.0 / np.power(10000.0, 2 * np.arange(D // 2, dtype=np.float64) / D)
    ang = pos * inv[None, :]
    return torch.from_numpy(np.concatenate([np.sin(ang), np.cos(ang)], 1).astype(np.float32))


class Marian:
    def __init__(self, w, cfg):
        self.w, self.c = w, cfg
        self.D, self.H = cfg["d_model"], cfg["encoder_attention_heads"]
        self.eps = 1e-5
        self.E = w["model.shared.weight"]
        self.pos = sinusoids(cfg["max_position_embeddings"], self.D)
        self.scale = math.sqrt(self.D) if cfg.get("scale_embedding") else 1.0
        self.bias = w["final_logits_bias"].reshape(-1)
        # fused projections, as attnscope fuses them (same arithmetic per output element)
        for s in ("encoder", "decoder"):
            for i in range(cfg[s + "_layers"]):
                p = "model.%s.layers.%d.self_attn." % (s, i)
                w[p + "qkv.weight"] = torch.cat([w[p + n + "_proj.weight"] for n in "qkv"])
                w[p + "qkv.bias"] = torch.cat([w[p + n + "_proj.bias"] for n in "qkv"])

    def encode(self, ids):
        w, D, H, eps = self.w, self.D, self.H, self.eps
        x = self.E[ids] * self.scale + self.pos[: len(ids)]
        attns = []
        for i in range(self.c["encoder_layers"]):
            p = "model.encoder.layers.%d." % i
            qkv = lin(w, p + "self_attn.qkv", x)
            q, k, v = qkv.split(D, dim=1)
            o, a = mha(q * (D // H) ** -0.5, k, v, H)
            attns.append(a)
            x = ln(w, p + "self_attn_layer_norm", x + lin(w, p + "self_attn.out_proj", o), eps)
            h = lin(w, p + "fc2", act(self.c["activation_function"], lin(w, p + "fc1", x)))
            x = ln(w, p + "final_layer_norm", x + h, eps)
        return x, attns

    def generate(self, ids, max_new):
        """Greedy decoding with a KV cache; returns (tokens, enc, self, cross attentions)."""
        w, D, H, eps, c = self.w, self.D, self.H, self.eps, self.c
        enc, enc_attn = self.encode(ids)
        L = c["decoder_layers"]
        cross_kv = []
        for i in range(L):
            p = "model.decoder.layers.%d.encoder_attn." % i
            cross_kv.append((lin(w, p + "k_proj", enc), lin(w, p + "v_proj", enc)))
        cache = [[None, None] for _ in range(L)]
        banned = [b[0] for b in c.get("bad_words_ids") or []]
        toks = [c["decoder_start_token_id"]]
        self_attn, cross_attn = [], []
        for t in range(max_new):
            x = self.E[toks[-1]][None] * self.scale + self.pos[t : t + 1]
            sa, ca = [], []
            for i in range(L):
                p = "model.decoder.layers.%d." % i
                q, k, v = lin(w, p + "self_attn.qkv", x).split(D, dim=1)
                kc, vc = cache[i]
                kc = k if kc is None else torch.cat([kc, k])
                vc = v if vc is None else torch.cat([vc, v])
                cache[i] = [kc, vc]
                o, a = mha(q * (D // H) ** -0.5, kc, vc, H)
                sa.append(a)
                x = ln(w, p + "self_attn_layer_norm", x + lin(w, p + "self_attn.out_proj", o), eps)
                q = lin(w, p + "encoder_attn.q_proj", x) * (D // H) ** -0.5
                o, a = mha(q, cross_kv[i][0], cross_kv[i][1], H)
                ca.append(a)
                x = ln(w, p + "encoder_attn_layer_norm",
                       x + lin(w, p + "encoder_attn.out_proj", o), eps)
                h = lin(w, p + "fc2", act(c["activation_function"], lin(w, p + "fc1", x)))
                x = ln(w, p + "final_layer_norm", x + h, eps)
            logits = F.linear(x[0], self.E) + self.bias
            logits[banned] = float("-inf")
            nxt = int(torch.argmax(logits))
            toks.append(nxt)
            self_attn.append(sa)
            cross_attn.append(ca)
            if nxt == c["eos_token_id"]:
                break
        return toks, enc_attn, self_attn, cross_attn


# ---- BERT (post-LN encoder) ----------------------------------------------------------------

class Bert:
    def __init__(self, w, cfg):
        self.w, self.c = w, cfg
        self.H, self.eps = cfg["num_attention_heads"], cfg["layer_norm_eps"]
        self.pfx = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
        for i in range(cfg["num_hidden_layers"]):
            p = self.pfx + "encoder.layer.%d.attention.self." % i
            w[p + "qkv.weight"] = torch.cat([w[p + n + ".weight"] for n in ("query", "key", "value")])
            w[p + "qkv.bias"] = torch.cat([w[p + n + ".bias"] for n in ("query", "key", "value")])

    def forward(self, ids, types=None):
        w, H, eps, b = self.w, self.H, self.eps, self.pfx
        T = len(ids)
        types = torch.zeros(T, dtype=torch.long) if types is None else types
        x = (w[b + "embeddings.word_embeddings.weight"][ids]
             + w[b + "embeddings.position_embeddings.weight"][:T]
             + w[b + "embeddings.token_type_embeddings.weight"][types])
        x = ln(w, b + "embeddings.LayerNorm", x, eps)
        D = x.shape[1]
        attns = []
        for i in range(self.c["num_hidden_layers"]):
            p = b + "encoder.layer.%d." % i
            q, k, v = lin(w, p + "attention.self.qkv", x).split(D, dim=1)
            o, a = mha(q * (D // H) ** -0.5, k, v, H)
            attns.append(a)
            x = ln(w, p + "attention.output.LayerNorm", x + lin(w, p + "attention.output.dense", o), eps)
            h = lin(w, p + "output.dense", act(self.c["hidden_act"], lin(w, p + "intermediate.dense", x)))
            x = ln(w, p + "output.LayerNorm", x + h, eps)
        return x, attns


# ---- ViT (pre-LN encoder over [CLS] + patches) ---------------------------------------------

class Vit:
    def __init__(self, w, cfg):
        self.w, self.c = w, cfg
        self.H, self.eps, self.P = cfg["num_attention_heads"], cfg["layer_norm_eps"], cfg["patch_size"]
        for i in range(cfg["num_hidden_layers"]):
            p = "vit.encoder.layer.%d.attention.attention." % i
            w[p + "qkv.weight"] = torch.cat([w[p + n + ".weight"] for n in ("query", "key", "value")])
            w[p + "qkv.bias"] = torch.cat([w[p + n + ".bias"] for n in ("query", "key", "value")])

    def forward(self, pixels):
        w, H, eps = self.w, self.H, self.eps
        e = "vit.embeddings."
        x = F.conv2d(pixels[None], w[e + "patch_embeddings.projection.weight"],
                     w[e + "patch_embeddings.projection.bias"], stride=self.P)
        x = x.flatten(2)[0].transpose(0, 1)
        x = torch.cat([w[e + "cls_token"].reshape(1, -1), x]) + w[e + "position_embeddings"][0]
        D = x.shape[1]
        attns = []
        for i in range(self.c["num_hidden_layers"]):
            p = "vit.encoder.layer.%d." % i
            h = ln(w, p + "layernorm_before", x, eps)
            q, k, v = lin(w, p + "attention.attention.qkv", h).split(D, dim=1)
            o, a = mha(q * (D // H) ** -0.5, k, v, H)
            attns.append(a)
            x = x + lin(w, p + "attention.output.dense", o)
            h = ln(w, p + "layernorm_after", x, eps)
            x = x + lin(w, p + "output.dense", act(self.c["hidden_act"], lin(w, p + "intermediate.dense", h)))
        return ln(w, "vit.layernorm", x, eps), attns


def load(d, kind):
    cfg = json.load(open(d + "/config.json"))
    w = st_load(d + "/model.safetensors")
    return {"marian": Marian, "bert": Bert, "vit": Vit}[kind](w, cfg)


def pixels_from_png(path, mean=0.5, std=0.5):
    """attnscope's input for the benchmark image needs no resize (it is image_size square)."""
    import zlib
    raw = open(path, "rb").read()
    pos, idat, w = 8, b"", 0
    while pos < len(raw):
        n = struct.unpack(">I", raw[pos : pos + 4])[0]
        kind = raw[pos + 4 : pos + 8]
        body = raw[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
            assert body[8] == 8 and body[9] == 2, "8-bit RGB PNG written by make_models.py"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    data = zlib.decompress(idat)
    rows = [data[r * (3 * w + 1) : (r + 1) * (3 * w + 1)] for r in range(h)]
    assert all(r[0] == 0 for r in rows), "filter 0 rows (make_models.py writes them)"
    px = np.frombuffer(b"".join(r[1:] for r in rows), dtype=np.uint8).reshape(h, w, 3)
    x = px.astype(np.float32) * np.float32(1 / 255)
    return torch.from_numpy(((x - mean) / std).transpose(2, 0, 1).copy())


# ---- check against the Hugging Face goldens ------------------------------------------------

def check(fixtures):
    worst = 0.0

    def cmp(name, a, b):
        nonlocal worst
        d = float((a - b).abs().max())
        worst = max(worst, d)
        print("  %-34s max |diff| %.2e" % (name, d))
        assert d <= 1e-4, name

    with torch.inference_mode():
        m = load(fixtures + "/marian-tiny", "marian")
        g = st_load(fixtures + "/marian-tiny/golden.safetensors")
        for case in ("case0", "case1", "case2"):
            ids = g[case + ".input_ids"]
            gen = g[case + ".generated_ids"]
            toks, enc, sa, ca = m.generate(ids, len(gen) - 1)
            # the golden forces </s> at max_length; the peer decodes freely: compare that prefix
            n = len(gen) - 1 if gen[-1] == 0 and toks[-1] != 0 else len(gen)
            assert toks[:n] == gen[:n].tolist(), (case, toks, gen.tolist())
            for i, a in enumerate(enc):
                cmp("marian %s encoder L%d" % (case, i), a, g["%s.encoder.attn.L%d" % (case, i)])
            for i in range(len(sa[0])):
                steps = range(min(n, len(sa)))
                # step t's query row t of the teacher-forced golden (keys 0..t)
                got = torch.cat([sa[t][i][:, 0, : t + 1].flatten() for t in steps])
                ref = torch.cat([g["%s.decoder.attn.L%d" % (case, i)][:, t, : t + 1].flatten()
                                 for t in steps])
                cmp("marian %s decoder L%d" % (case, i), got, ref)
                got = torch.stack([ca[t][i][:, 0] for t in steps])
                ref = g["%s.cross.attn.L%d" % (case, i)][:, : len(steps)].transpose(0, 1)
                cmp("marian %s cross L%d" % (case, i), got, ref)
            print("  marian %s: %d greedy tokens, decoder/cross rows within 1e-4" % (case, n - 1))
        b = load(fixtures + "/bert-tiny", "bert")
        g = st_load(fixtures + "/bert-tiny/golden.safetensors")
        for case in ("case0", "case1", "case2"):
            _, attns = b.forward(g[case + ".input_ids"], g[case + ".token_type_ids"])
            for i, a in enumerate(attns):
                cmp("bert %s L%d" % (case, i), a, g["%s.attn.L%d" % (case, i)])
        v = load(fixtures + "/vit-tiny", "vit")
        g = st_load(fixtures + "/vit-tiny/golden.safetensors")
        for case in ("case0", "case1"):
            _, attns = v.forward(g[case + ".pixel_values"])
            for i, a in enumerate(attns):
                cmp("vit %s L%d" % (case, i), a, g["%s.attn.L%d" % (case, i)])
    print("peer matches the goldens: worst attention difference %.2e (tolerance 1e-4)" % worst)


# ---- timing --------------------------------------------------------------------------------

def timed(fn, reps, warmup):
    times = []
    for _ in range(warmup):  # allocator and thread-pool start-up are not part of a forward pass
        fn()
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def main():
    if sys.argv[1] == "check":
        check(sys.argv[2])
        return
    kind, d, reps = sys.argv[2], sys.argv[3], int(sys.argv[4])
    # all cores unless PEER_THREADS says otherwise (torch's own default here is 1)
    torch.set_num_threads(int(os.environ.get("PEER_THREADS", os.cpu_count())))
    torch.manual_seed(0)
    extra = {}
    with torch.inference_mode():
        model = load(d, kind)
        V = model.c.get("vocab_size", 1)
        if kind == "marian":
            T, new = int(sys.argv[5]), int(sys.argv[6])
            ids = torch.randint(1, V - 1, (T,))
            ids[-1] = 0

            def run():
                toks = model.generate(ids, new)[0]
                extra["generated"] = len(toks) - 1
        elif kind == "bert":
            T = int(sys.argv[5])
            ids = torch.randint(1, V, (T,))

            def run():
                model.forward(ids)
        else:
            px = pixels_from_png(sys.argv[5])

            def run():
                model.forward(px)
        times = timed(run, reps, int(os.environ.get("PEER_WARMUP", "1")))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    # which BLAS the process really loaded (bench/run swaps in the reference one)
    blas = sorted({line.split()[-1] for line in open("/proc/self/maps")
                   if "blas" in line.split()[-1]})
    out = {"side": "pytorch", "workload": kind, "threads": torch.get_num_threads(), "blas": blas,
           "times_ms": times, "min_ms": min(times), "median_ms": statistics.median(times),
           "peak_rss_mb": rss, "torch": torch.__version__}
    out.update(extra)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
