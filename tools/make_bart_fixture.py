"""Makes tests/data/bart-tiny and tests/data/mbart-tiny: tiny random BART / mBART checkpoints in
Hugging Face's on-disk layout (config.json, model.safetensors with transformers' parameter names,
byte-level BPE vocab.json + merges.txt, tokenizer_config.json) and golden outputs in the format
of ../shared/fixtures (golden.safetensors with caseN.<name> tensors, inputs.json).

No transformers package exists here, so the goldens come from our own reference: the PyTorch code
below, written from transformers' modeling_bart.py / modeling_mbart.py (v4.27) semantics:
- embeddings: embed_tokens(ids) * embed_scale (sqrt(d_model) if scale_embedding else 1) +
  embed_positions.weight[p + 2] (BartLearnedPositionalEmbedding offset 2), then
  layernorm_embedding;
- BART layers are post-LN: h = LN(h + sublayer(h)); mBART layers are pre-LN:
  h = h + sublayer(LN(h)), and each stack ends with its own layer_norm (hidden_states[-1] is
  taken after it);
- attention: q_proj(h) * head_dim^-0.5, softmax(q k^T) (decoder self-attention causal), out_proj;
  FFN fc2(act(fc1(h))); activation from config (gelu = exact erf);
- lm_logits = decoder_output @ shared^T + final_logits_bias (lm_head tied to model.shared);
- greedy generate(): decoder starts with decoder_start_token_id; at every step the logits of the
  last position go through NoBadWords (bad_words_ids), ForcedBOS (cur_len == 1 ->
  forced_bos_token_id) and ForcedEOS (cur_len == max_length - 1 -> forced_eos_token_id), in that
  order, then argmax; stop after eos_token_id or at max_length tokens (start token included).
The tokenizer is GPT-2's byte-level BPE (bytes -> unicode map, pre-tokenisation regex, merges by
rank) with BART's framing <s> A </s>; the fixture texts are ASCII, where the regex classes
\\p{L} / \\p{N} are [A-Za-z] / [0-9] (Python's re has no \\p{...}).

Usage: /usr/bin/python3 tools/make_bart_fixture.py [--data ../shared/data/multi30k] [--out tests/data]
"""
import argparse
import collections
import gzip
import json
import math
import os
import re
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

# ---- byte-level BPE -------------------------------------------------------------------------

PAT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # ids 0..3, as in facebook/bart-*


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + \
        list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


B2U = bytes_to_unicode()


def pretokens(text):
    assert text.isascii(), "fixture texts must be ASCII (see the module docstring)"
    return ["".join(B2U[b] for b in w.encode("utf-8")) for w in PAT.findall(text)]


def train_bpe(lines, n_merges):
    """Greedy BPE: repeatedly merge the most frequent adjacent pair (ties: smallest pair)."""
    words = collections.Counter()
    for line in lines:
        words.update(pretokens(line))
    seqs = {w: list(w) for w in words}
    merges = []
    for _ in range(n_merges):
        pairs = collections.Counter()
        for w, c in words.items():
            s = seqs[w]
            for i in range(len(s) - 1):
                pairs[(s[i], s[i + 1])] += c
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        for w in seqs:
            s, out, i = seqs[w], [], 0
            while i < len(s):
                if i + 1 < len(s) and (s[i], s[i + 1]) == best:
                    out.append(s[i] + s[i + 1])
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return merges


def bpe(word, merges, ranks):
    """GPT-2 merge loop: merge the lowest-ranked adjacent pair until none is in the merges."""
    parts = list(word)
    while len(parts) > 1:
        rank = min(ranks.get((parts[i], parts[i + 1]), math.inf) for i in range(len(parts) - 1))
        if rank == math.inf:
            break
        first, second = merges[rank]
        out, i = [], 0
        while i < len(parts):
            if i + 1 < len(parts) and parts[i] == first and parts[i + 1] == second:
                out.append(first + second)
                i += 2
            else:
                out.append(parts[i])
                i += 1
        parts = out
    return parts


class Tokenizer:
    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.merges = merges
        self.ranks = {m: i for i, m in enumerate(merges)}

    def encode(self, text):
        """<s> pieces </s> (BartTokenizer framing); returns (ids, pieces)."""
        pieces = ["<s>"]
        for w in pretokens(text):
            pieces += bpe(w, self.merges, self.ranks)
        pieces.append("</s>")
        return [self.vocab[p] for p in pieces], pieces


# ---- model ----------------------------------------------------------------------------------


def act(name, x):
    if name == "gelu":
        return torch.nn.functional.gelu(x)
    if name == "relu":
        return torch.relu(x)
    raise ValueError(name)


class Bart:
    """BartForConditionalGeneration / MBartForConditionalGeneration forward on a state dict."""

    def __init__(self, cfg, w, pre_ln):
        self.c, self.w, self.pre = cfg, w, pre_ln
        self.D = cfg["d_model"]
        self.H = cfg["encoder_attention_heads"]
        self.scale = math.sqrt(self.D) if cfg["scale_embedding"] else 1.0

    def ln(self, name, x):
        return torch.nn.functional.layer_norm(x, (self.D,), self.w[name + ".weight"],
                                              self.w[name + ".bias"], 1e-5)

    def lin(self, name, x):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def attn(self, pfx, x, kv, causal):
        T, S, dh = x.shape[0], kv.shape[0], self.D // self.H
        q = (self.lin(pfx + ".q_proj", x) * dh ** -0.5).view(T, self.H, dh).transpose(0, 1)
        k = self.lin(pfx + ".k_proj", kv).view(S, self.H, dh).transpose(0, 1)
        v = self.lin(pfx + ".v_proj", kv).view(S, self.H, dh).transpose(0, 1)
        s = q @ k.transpose(1, 2)
        if causal:
            s = s.masked_fill(torch.ones(T, S, dtype=torch.bool).triu(1), float("-inf"))
        p = torch.softmax(s, dim=-1)
        o = (p @ v).transpose(0, 1).reshape(T, self.D)
        return self.lin(pfx + ".out_proj", o), p

    def sub(self, x, ln_name, f):
        """One residual sublayer, post-LN (BART) or pre-LN (mBART); f returns (out, extra)."""
        if self.pre:
            y, extra = f(self.ln(ln_name, x))
            return x + y, extra
        y, extra = f(x)
        return self.ln(ln_name, x + y), extra

    def embed(self, stack, ids):
        pos = torch.arange(len(ids)) + 2
        x = self.w["model.shared.weight"][ids] * self.scale + \
            self.w[f"model.{stack}.embed_positions.weight"][pos]
        return self.ln(f"model.{stack}.layernorm_embedding", x)

    def ffn(self, p):
        return lambda h: (self.lin(p + ".fc2", act(self.c["activation_function"],
                                                   self.lin(p + ".fc1", h))), None)

    def encode(self, ids):
        x = self.embed("encoder", torch.tensor(ids))
        hidden, maps = [x], []
        for l in range(self.c["encoder_layers"]):
            p = f"model.encoder.layers.{l}"
            x, a = self.sub(x, p + ".self_attn_layer_norm",
                            lambda h: self.attn(p + ".self_attn", h, h, False))
            x, _ = self.sub(x, p + ".final_layer_norm", self.ffn(p))
            maps.append(a)
            hidden.append(x)
        if self.pre:
            hidden[-1] = x = self.ln("model.encoder.layer_norm", x)
        return x, hidden, maps

    def decode(self, dec_ids, enc):
        x = self.embed("decoder", torch.tensor(dec_ids))
        hidden, selfm, crossm = [x], [], []
        for l in range(self.c["decoder_layers"]):
            p = f"model.decoder.layers.{l}"
            x, a = self.sub(x, p + ".self_attn_layer_norm",
                            lambda h: self.attn(p + ".self_attn", h, h, True))
            x, cm = self.sub(x, p + ".encoder_attn_layer_norm",
                             lambda h: self.attn(p + ".encoder_attn", h, enc, False))
            x, _ = self.sub(x, p + ".final_layer_norm", self.ffn(p))
            selfm.append(a)
            crossm.append(cm)
            hidden.append(x)
        if self.pre:
            hidden[-1] = x = self.ln("model.decoder.layer_norm", x)
        logits = x @ self.w["model.shared.weight"].T + self.w["final_logits_bias"][0]
        return logits, hidden, selfm, crossm

    def generate(self, ids):
        c = self.c
        enc = self.encode(ids)[0]
        dec = [c["decoder_start_token_id"]]
        while len(dec) < c["max_length"]:
            scores = self.decode(dec, enc)[0][-1].clone()
            for (b,) in c["bad_words_ids"]:
                scores[b] = float("-inf")
            for pos, forced in ((1, c["forced_bos_token_id"]),
                                (c["max_length"] - 1, c["forced_eos_token_id"])):
                if forced is not None and len(dec) == pos:
                    scores[:] = float("-inf")
                    scores[forced] = 0.0
            dec.append(int(torch.argmax(scores)))
            if dec[-1] == c["eos_token_id"]:
                break
        return dec


# ---- fixture --------------------------------------------------------------------------------


def random_weights(cfg, seed, pre_ln):
    """HF names; normal(0, 0.15) matrices, q/k projections x3 for peaked attention, LayerNorm
    gains 1 + N(0, 0.1) and biases N(0, 0.1) (so that a misplaced norm shows), embeddings and
    final_logits_bias random too (zeros would hide a missing term)."""
    g = torch.Generator().manual_seed(seed)
    D, V, P = cfg["d_model"], cfg["vocab_size"], cfg["max_position_embeddings"]
    w = {}

    def rnd(*shape, std=0.15):
        return torch.randn(*shape, generator=g) * std

    def lin(name, o, i, scale=1.0):
        w[name + ".weight"] = rnd(o, i) * scale
        w[name + ".bias"] = rnd(o, std=0.05)

    def ln(name):
        w[name + ".weight"] = 1.0 + rnd(D, std=0.1)
        w[name + ".bias"] = rnd(D, std=0.1)

    # token and position embeddings of similar size after embed_scale (sqrt(D) for mBART)
    w["model.shared.weight"] = rnd(V, D, std=0.5 / (math.sqrt(D) if cfg["scale_embedding"] else 1))
    w["final_logits_bias"] = rnd(1, V, std=0.1)
    for stack, n, F in (("encoder", cfg["encoder_layers"], cfg["encoder_ffn_dim"]),
                        ("decoder", cfg["decoder_layers"], cfg["decoder_ffn_dim"])):
        w[f"model.{stack}.embed_positions.weight"] = rnd(P + 2, D, std=0.5)
        ln(f"model.{stack}.layernorm_embedding")
        if pre_ln:
            ln(f"model.{stack}.layer_norm")
        attns = ["self_attn"] + (["encoder_attn"] if stack == "decoder" else [])
        for l in range(n):
            p = f"model.{stack}.layers.{l}"
            for a in attns:
                lin(f"{p}.{a}.q_proj", D, D, 3.0)
                lin(f"{p}.{a}.k_proj", D, D, 3.0)
                lin(f"{p}.{a}.v_proj", D, D)
                lin(f"{p}.{a}.out_proj", D, D)
                ln(f"{p}.{a}_layer_norm")
            lin(f"{p}.fc1", F, D)
            lin(f"{p}.fc2", D, F)
            ln(f"{p}.final_layer_norm")
    return w


CASES = [
    ("A man sleeping in a green room on a couch.", None, "multi30k val.en line 2"),
    ("Two young, White males are outside near many bushes.", None, "multi30k train.en line 1"),
    ("A little girl climbing into a wooden playhouse.",
     "A girl in a wooden playhouse.", "multi30k val.en line 3 (forced target: constructed)"),
]


def make(kind, out_dir, tok, vocab, merges, seed):
    pre_ln = kind == "mbart"
    V = len(vocab)
    cfg = {
        "model_type": kind,
        "architectures": ["MBartForConditionalGeneration" if pre_ln
                          else "BartForConditionalGeneration"],
        "is_encoder_decoder": True,
        "d_model": 32, "encoder_layers": 2, "decoder_layers": 2,
        "encoder_attention_heads": 4, "decoder_attention_heads": 4,
        "encoder_ffn_dim": 64, "decoder_ffn_dim": 64,
        "activation_function": "gelu", "max_position_embeddings": 64, "vocab_size": V,
        "scale_embedding": pre_ln,  # mbart-large-* scale, bart-* do not
        "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2, "decoder_start_token_id": 2,
        "forced_bos_token_id": vocab["fr_XX"] if pre_ln else 0,
        "forced_eos_token_id": 2, "bad_words_ids": [[1]], "max_length": 17, "num_beams": 1,
        "no_repeat_ngram_size": 0, "tie_word_embeddings": True, "torch_dtype": "float32",
    }
    w = random_weights(cfg, seed, pre_ln)
    model = Bart(cfg, w, pre_ln)
    golden, cases = {}, []
    with torch.no_grad():
        for i, (src, tgt, origin) in enumerate(CASES):
            cs = f"case{i}"
            ids, pieces = tok.encode(src)
            if tgt is None:
                dec = model.generate(ids)
                golden[f"{cs}.generated_ids"] = np.array(dec, dtype=np.int64)
            else:
                dec = [cfg["decoder_start_token_id"]] + tok.encode(tgt)[0]
            enc, ehid, emaps = model.encode(ids)
            logits, dhid, smaps, cmaps = model.decode(dec, enc)
            golden[f"{cs}.input_ids"] = np.array(ids, dtype=np.int64)
            golden[f"{cs}.decoder_input_ids"] = np.array(dec, dtype=np.int64)
            for l, a in enumerate(emaps):
                golden[f"{cs}.encoder.attn.L{l}"] = a.numpy()
            for l, (a, b) in enumerate(zip(smaps, cmaps)):
                golden[f"{cs}.decoder.attn.L{l}"] = a.numpy()
                golden[f"{cs}.cross.attn.L{l}"] = b.numpy()
            for l, h in enumerate(ehid):
                golden[f"{cs}.encoder.hidden.L{l}"] = h.numpy()
            for l, h in enumerate(dhid):
                golden[f"{cs}.decoder.hidden.L{l}"] = h.numpy()
            golden[f"{cs}.logits"] = logits.numpy()
            case = {"id": cs, "source": src, "origin": origin, "source_tokens": pieces,
                    "decoder_tokens": [next(p for p, j in vocab.items() if j == t) for t in dec]}
            if tgt is not None:
                case["target"] = tgt
            cases.append(case)
    os.makedirs(out_dir, exist_ok=True)
    safetensors_io.write(os.path.join(out_dir, "model.safetensors"),
                         {k: v.numpy().astype(np.float32) for k, v in w.items()})
    safetensors_io.write(os.path.join(out_dir, "golden.safetensors"), golden)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(out_dir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        f.writelines(f"{a} {b}\n" for a, b in merges)
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "BartTokenizer", "model_max_length": 64,
                   "add_prefix_space": False}, f, indent=2)
        f.write("\n")
    write_readme(out_dir, kind, cfg, seed, golden, cases)
    with open(os.path.join(out_dir, "inputs.json"), "w", encoding="utf-8") as f:
        json.dump({"fixture": os.path.basename(out_dir), "reference":
                   "tools/make_bart_fixture.py (our own PyTorch reference, not transformers)",
                   "seed": seed, "cases": cases}, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write_readme(out_dir, kind, cfg, seed, golden, cases):
    name = os.path.basename(out_dir)
    arch = ("pre-LN blocks (x + f(LN(x))) and a final `layer_norm` per stack (mBART)" if kind ==
            "mbart" else "post-LN blocks (LN(x + f(x))) (BART)")
    lines = [
        f"# {name}",
        "",
        f"Tiny random `{cfg['architectures'][0]}` checkpoint (model_type `{kind}`) in Hugging "
        "Face's on-disk layout, with golden outputs for attnscope's tests.",
        "",
        "**These goldens come from our own reference, not from Hugging Face transformers** (no "
        "transformers package is available where they were made). `tools/make_bart_fixture.py` "
        "implements BartForConditionalGeneration / MBartForConditionalGeneration semantics in "
        "PyTorch as documented by transformers 4.27 `modeling_bart.py` / `modeling_mbart.py`; "
        "the script's docstring lists every rule it follows. Regenerate with "
        "`/usr/bin/python3 tools/make_bart_fixture.py` (deterministic: same bytes every run).",
        "",
        "## How it was made",
        "",
        f"- Weights: `torch.Generator().manual_seed({seed})`; matrices N(0, 0.15), biases "
        "N(0, 0.05), attention q/k projections x3 (peaked maps), LayerNorm gains 1 + N(0, 0.1) and "
        "biases N(0, 0.1), token embeddings N(0, 0.5 / embed_scale), positions N(0, 0.5), "
        "`final_logits_bias` N(0, 0.1): nothing is zero or one, so a missing term shows.",
        f"- Architecture: d_model {cfg['d_model']}, {cfg['encoder_layers']} + "
        f"{cfg['decoder_layers']} layers, {cfg['encoder_attention_heads']} heads, FFN "
        f"{cfg['encoder_ffn_dim']}, GELU (erf), learned positions (row p + 2), "
        f"`layernorm_embedding`, {arch}, `scale_embedding` {str(cfg['scale_embedding']).lower()}, "
        "LayerNorm eps 1e-5, LM head tied to `model.shared` plus `final_logits_bias`.",
        "- Tokenizer: byte-level BPE (GPT-2 byte map and pre-tokenisation regex, merges by rank) "
        "trained by the script on the first 2000 ASCII lines of Multi30k train.en (300 merges); "
        "`vocab.json`: `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3, the 256 byte symbols, the merged "
        "tokens, `<mask>`" + (", `fr_XX` (a language code used as forced BOS)" if kind == "mbart"
                             else "") + ". Framing `<s> A </s>`.",
        f"- Generation (config.json): decoder_start_token_id {cfg['decoder_start_token_id']}, "
        f"forced_bos_token_id {cfg['forced_bos_token_id']}, forced_eos_token_id "
        f"{cfg['forced_eos_token_id']}, bad_words_ids {cfg['bad_words_ids']}, max_length "
        f"{cfg['max_length']} (start token included), greedy.",
        "",
        "## Cases",
        "",
    ]
    for c in cases:
        how = (f"forced target \"{c['target']}\"" if "target" in c else
               "greedy generation; the teacher-forced pass over the generated ids gives the maps")
        lines.append(f"- `{c['id']}` ({c['origin']}): \"{c['source']}\" — {how}")
    lines += [
        "",
        "## golden.safetensors",
        "",
        "Names `caseN.<name>` as in `../shared/fixtures`: `input_ids`, `generated_ids` (greedy "
        "cases), `decoder_input_ids` (decoder start + generated or target ids), "
        "`{encoder,decoder,cross}.attn.L<l>` [heads, query, key] probabilities (masked positions "
        "exactly 0), `{encoder,decoder}.hidden.L<l>` [tokens, d_model] (l = 0: embedding output "
        "after layernorm_embedding; the last one after the final layer_norm for mBART), "
        "`logits` [decoder positions, vocab].",
        "",
        "| name | dtype | shape |",
        "| --- | --- | --- |",
    ]
    for k in sorted(golden):
        v = golden[k]
        lines.append(f"| `{k}` | {'I64' if v.dtype == np.int64 else 'F32'} | {list(v.shape)} |")
    lines += ["", "Tolerances used by the tests: token ids exact, attention 1e-4, hidden states "
              "and logits 1e-3 (absolute).", ""]
    with open(os.path.join(out_dir, "README.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "multi30k"))
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "data"))
    args = ap.parse_args()
    with gzip.open(os.path.join(args.data, "train.en.gz"), "rt", encoding="utf-8") as f:
        lines = [line.rstrip("\n") for _, line in zip(range(2000), f)]
    lines = [line for line in lines if line.isascii()]
    merges = train_bpe(lines, 300)
    vocab = {s: i for i, s in enumerate(SPECIALS)}
    for b in range(256):
        vocab[B2U[b]] = len(vocab)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    vocab["<mask>"] = len(vocab)
    tok = Tokenizer(vocab, merges)
    make("bart", os.path.join(args.out, "bart-tiny"), tok, dict(vocab), merges, 2001)
    mvocab = dict(vocab)
    mvocab["fr_XX"] = len(mvocab)  # a language code as forced BOS, as mBART's
    make("mbart", os.path.join(args.out, "mbart-tiny"), Tokenizer(mvocab, merges), mvocab, merges,
         2002)


if __name__ == "__main__":
    main()
