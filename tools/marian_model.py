"""A small PyTorch MarianMT with the semantics of Hugging Face's MarianMTModel (no transformers).

Parameter names are exactly those of MarianMTModel.state_dict() minus the tied copies
(encoder/decoder embed_tokens, lm_head) and the never-saved sinusoidal position tables:
  model.shared.weight                                   (V, D), used by both stacks and the LM head
  model.encoder.layers.N.self_attn.{q,k,v,out}_proj.{weight,bias}
  model.encoder.layers.N.self_attn_layer_norm.{weight,bias}
  model.encoder.layers.N.{fc1,fc2,final_layer_norm}.{weight,bias}
  model.decoder.layers.N.{self_attn,encoder_attn}.{q,k,v,out}_proj.{weight,bias}
  model.decoder.layers.N.{self_attn,encoder_attn,final}_layer_norm.{weight,bias}
  model.decoder.layers.N.{fc1,fc2}.{weight,bias}
  final_logits_bias                                     (1, V)

Semantics (post-LN, as in transformers' modeling_marian.py):
  h = E[tok] * sqrt(D) (scale_embedding) + P[pos], positions from 0 in both stacks,
  P[p][i] = sin(p / 10000^(2i/D)), P[p][D/2 + i] = cos(p / 10000^(2i/D)), float64 -> float32;
  encoder layer: h = LN(h + SelfAttn(h)); h = LN(h + fc2(act(fc1(h))))
  decoder layer: h = LN(h + CausalSelfAttn(h)); h = LN(h + CrossAttn(h, enc)); h = LN(h + FFN(h))
  attention: q = (x Wq^T + bq) * head_dim^-0.5, softmax(q k^T + mask) v, heads concatenated,
             out_proj
  logits = h @ shared^T + final_logits_bias
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

_ACTS = {"gelu": F.gelu, "relu": F.relu, "swish": F.silu, "silu": F.silu}


def sinusoidal_positions(n_pos, dim):
    """(n_pos, dim) table: sin in the first half, cos in the second (Marian layout)."""
    pos = np.arange(n_pos, dtype=np.float64)[:, None]
    i = np.arange(dim // 2, dtype=np.float64)[None, :]
    angle = pos / np.power(10000.0, 2.0 * i / dim)
    return torch.from_numpy(np.concatenate([np.sin(angle), np.cos(angle)], 1).astype(np.float32))


class Attention(nn.Module):
    """Multi-head attention; returns the output and the (B, H, Tq, Tk) probabilities."""

    def __init__(self, dim, heads, dropout):
        super().__init__()
        assert dim % heads == 0, "d_model must be divisible by the number of heads"
        self.heads, self.head_dim, self.dropout = heads, dim // heads, dropout
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)

    def split(self, x):
        b, t, _ = x.shape  # (B, T, D) -> (B, H, T, hd)
        return x.view(b, t, self.heads, self.head_dim).transpose(1, 2)

    def kv(self, x):
        return self.split(self.k_proj(x)), self.split(self.v_proj(x))

    def forward(self, x, k, v, mask):
        """x (B, Tq, D); k, v (B, H, Tk, hd) from kv(); mask broadcastable to (B, H, Tq, Tk),
        True = may attend, or None."""
        q = self.split(self.q_proj(x) * self.head_dim ** -0.5)
        scores = q @ k.transpose(-1, -2)  # (B, H, Tq, Tk)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        probs = torch.softmax(scores, dim=-1)
        ctx = F.dropout(probs, self.dropout, self.training) @ v  # (B, H, Tq, hd)
        b, _, t, _ = ctx.shape
        return self.out_proj(ctx.transpose(1, 2).reshape(b, t, -1)), probs


class EncoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["d_model"]
        self.self_attn = Attention(d, cfg["encoder_attention_heads"], cfg["attention_dropout"])
        self.self_attn_layer_norm = nn.LayerNorm(d, eps=1e-5)
        self.fc1 = nn.Linear(d, cfg["encoder_ffn_dim"])
        self.fc2 = nn.Linear(cfg["encoder_ffn_dim"], d)
        self.final_layer_norm = nn.LayerNorm(d, eps=1e-5)
        self.act = _ACTS[cfg["activation_function"]]
        self.dropout, self.act_dropout = cfg["dropout"], cfg["activation_dropout"]

    def forward(self, h, mask):
        k, v = self.self_attn.kv(h)
        a, probs = self.self_attn(h, k, v, mask)
        h = self.self_attn_layer_norm(h + F.dropout(a, self.dropout, self.training))
        f = F.dropout(self.act(self.fc1(h)), self.act_dropout, self.training)
        h = self.final_layer_norm(h + F.dropout(self.fc2(f), self.dropout, self.training))
        return h, probs


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, heads = cfg["d_model"], cfg["decoder_attention_heads"]
        self.self_attn = Attention(d, heads, cfg["attention_dropout"])
        self.self_attn_layer_norm = nn.LayerNorm(d, eps=1e-5)
        self.encoder_attn = Attention(d, heads, cfg["attention_dropout"])
        self.encoder_attn_layer_norm = nn.LayerNorm(d, eps=1e-5)
        self.fc1 = nn.Linear(d, cfg["decoder_ffn_dim"])
        self.fc2 = nn.Linear(cfg["decoder_ffn_dim"], d)
        self.final_layer_norm = nn.LayerNorm(d, eps=1e-5)
        self.act = _ACTS[cfg["activation_function"]]
        self.dropout, self.act_dropout = cfg["dropout"], cfg["activation_dropout"]

    def forward(self, h, self_kv, self_mask, cross_kv, cross_mask):
        """self_kv: (k, v) of every decoder position up to and including those of h."""
        a, self_probs = self.self_attn(h, *self_kv, self_mask)
        h = self.self_attn_layer_norm(h + F.dropout(a, self.dropout, self.training))
        a, cross_probs = self.encoder_attn(h, *cross_kv, cross_mask)
        h = self.encoder_attn_layer_norm(h + F.dropout(a, self.dropout, self.training))
        f = F.dropout(self.act(self.fc1(h)), self.act_dropout, self.training)
        h = self.final_layer_norm(h + F.dropout(self.fc2(f), self.dropout, self.training))
        return h, self_probs, cross_probs


class _Stacks(nn.Module):
    """Holds what MarianMTModel keeps under "model." (shared embedding, encoder, decoder)."""

    def __init__(self, cfg):
        super().__init__()
        self.shared = nn.Embedding(cfg["vocab_size"], cfg["d_model"])
        self.encoder = nn.Module()
        self.encoder.layers = nn.ModuleList(EncoderLayer(cfg) for _ in range(cfg["encoder_layers"]))
        self.decoder = nn.Module()
        self.decoder.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg["decoder_layers"]))


class MarianMT(nn.Module):
    def __init__(self, cfg):
        """cfg: a Hugging Face Marian config.json as a dict."""
        super().__init__()
        if cfg.get("normalize_before", False) or not cfg.get("scale_embedding", True):
            raise ValueError("only post-LN Marian with scale_embedding=true is implemented")
        self.cfg = cfg
        self.model = _Stacks(cfg)
        self.register_buffer("final_logits_bias", torch.zeros(1, cfg["vocab_size"]))
        # not part of the state dict: recomputed from the formula, never saved
        self.register_buffer("positions",
                             sinusoidal_positions(cfg["max_position_embeddings"], cfg["d_model"]),
                             persistent=False)
        self.embed_scale = math.sqrt(cfg["d_model"])
        self.dropout = cfg["dropout"]
        self.pad_id = cfg["pad_token_id"]

    def embed(self, ids, start):
        """(B, T) ids at positions start.. -> (B, T, D)."""
        t = ids.shape[1]
        if start + t > self.positions.shape[0]:
            raise ValueError(f"sequence of {start + t} positions exceeds max_position_embeddings "
                             f"{self.positions.shape[0]}")
        h = self.model.shared(ids) * self.embed_scale + self.positions[start:start + t]
        return F.dropout(h, self.dropout, self.training)

    def encode(self, src, src_mask, want_attn=False):
        """src (B, S) ids, src_mask (B, S) True for real tokens. Returns the encoder output
        (B, S, D), the hidden states [embedding, layer 0 out, ...] and attention probabilities."""
        key_mask = src_mask[:, None, None, :]  # (B, 1, 1, S)
        h = self.embed(src, 0)
        hidden, attn = [h], []
        for layer in self.model.encoder.layers:
            h, probs = layer(h, key_mask)
            if want_attn:
                hidden.append(h)
                attn.append(probs)
        return h, hidden, attn

    def decode(self, tgt_in, enc, src_mask, want_attn=False):
        """Teacher-forced decoder pass. tgt_in (B, T) starts with the decoder start id.
        Returns logits (B, T, V), hidden states, self- and cross-attention probabilities."""
        t = tgt_in.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool, device=tgt_in.device).tril()[None, None]
        cross_mask = src_mask[:, None, None, :]
        h = self.embed(tgt_in, 0)
        hidden, self_attn, cross_attn = [h], [], []
        for layer in self.model.decoder.layers:
            h, sp, cp = layer(h, layer.self_attn.kv(h), causal, layer.encoder_attn.kv(enc),
                              cross_mask)
            if want_attn:
                hidden.append(h)
                self_attn.append(sp)
                cross_attn.append(cp)
        return self.logits(h), hidden, self_attn, cross_attn

    def logits(self, h):
        return h @ self.model.shared.weight.t() + self.final_logits_bias

    def forward(self, src, src_mask, tgt_in):
        enc, _, _ = self.encode(src, src_mask)
        return self.decode(tgt_in, enc, src_mask)[0]

    @torch.no_grad()
    def greedy(self, src, src_mask, max_length, start_id, eos_id, bad_ids=()):
        """Batched greedy decoding as transformers' generate(num_beams=1) does it with
        NoBadWords (bad_ids never chosen) and ForcedEOS (</s> forced when the next token is the
        last of max_length, start token included). Self-attention keys/values are cached, so
        step t costs O(t). Returns (B, L) ids starting with start_id; a finished row is padded
        with the pad id, as generate() does."""
        enc, _, _ = self.encode(src, src_mask)
        b = src.shape[0]
        layers = self.model.decoder.layers
        cross_kv = [layer.encoder_attn.kv(enc) for layer in layers]
        cross_mask = src_mask[:, None, None, :]
        cache = [None] * len(layers)
        out = torch.full((b, 1), start_id, dtype=torch.long)
        done = torch.zeros(b, dtype=torch.bool)
        while out.shape[1] < max_length:
            step = out.shape[1] - 1
            h = self.embed(out[:, -1:], step)
            for i, layer in enumerate(layers):
                k, v = layer.self_attn.kv(h)
                if cache[i] is not None:
                    k = torch.cat([cache[i][0], k], 2)
                    v = torch.cat([cache[i][1], v], 2)
                cache[i] = (k, v)
                # one query at the newest position: every cached key is in its causal past
                h, _, _ = layer(h, (k, v), None, cross_kv[i], cross_mask)
            scores = self.logits(h[:, -1])  # (B, V)
            for bad in bad_ids:
                scores[:, bad] = float("-inf")
            if out.shape[1] == max_length - 1:
                forced = torch.full_like(scores, float("-inf"))
                forced[:, eos_id] = 0
                scores = forced
            nxt = scores.argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, self.pad_id), nxt)
            out = torch.cat([out, nxt[:, None]], 1)
            done |= nxt == eos_id
            if bool(done.all()):
                break
        return out
