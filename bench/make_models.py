#!/usr/bin/python3
"""Writes the benchmark's random-weight checkpoints (Hugging Face layout, float32) into OUT_DIR:
  marian-base/  opus-mt-en-de sized MarianMTModel: d_model 512, 6+6 layers, 8 heads, FFN 2048,
                vocab 58101 (W1, W2)
  bert-base/    BERT-base: hidden 768, 12 layers, 12 heads, FFN 3072, 512 positions (W3)
  bert-long/    the same with 4,096 positions: long inputs kept as Q/K (bench/long_bench.c)
  vit-base/     ViT-B/16: image 224, patch 16, hidden 768, 12 layers, 12 heads (W4) + image.png
Weights are N(0, 0.02) (BERT's initializer_range), LayerNorm gains 1. Marian's final_logits_bias
gives </s> -1e4 so greedy decoding runs the full number of tokens on both sides (a random model
would otherwise stop at an arbitrary step). Nothing here is committed: bench/run makes it.

usage: make_models.py OUT_DIR [NAME...]   (default: all four)"""
import json
import os
import struct
import sys
import zlib

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer import st_save  # noqa: E402


def rnd(*shape):
    return torch.randn(*shape) * 0.02


def layernorm(w, name, D):
    w[name + ".weight"] = torch.ones(D)
    w[name + ".bias"] = torch.zeros(D)


def linear(w, name, n_out, n_in):
    w[name + ".weight"] = rnd(n_out, n_in)
    w[name + ".bias"] = rnd(n_out)


def write(d, cfg, w, extra=None):
    os.makedirs(d, exist_ok=True)
    json.dump(cfg, open(d + "/config.json", "w"), indent=1)
    for name, obj in (extra or {}).items():
        json.dump(obj, open(d + "/" + name, "w"), indent=1)
    st_save(d + "/model.safetensors", w)


def marian(d):
    D, F, L, H, V = 512, 2048, 6, 8, 58101
    w = {"model.shared.weight": rnd(V, D), "final_logits_bias": torch.zeros(1, V)}
    w["final_logits_bias"][0, 0] = -1e4
    for s in ("encoder", "decoder"):
        for i in range(L):
            p = "model.%s.layers.%d." % (s, i)
            attns = ["self_attn"] + (["encoder_attn"] if s == "decoder" else [])
            for a in attns:
                for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
                    linear(w, p + a + "." + n, D, D)
                layernorm(w, p + a + "_layer_norm", D)
            linear(w, p + "fc1", F, D)
            linear(w, p + "fc2", D, F)
            layernorm(w, p + "final_layer_norm", D)
    cfg = {"model_type": "marian", "architectures": ["MarianMTModel"], "d_model": D,
           "encoder_layers": L, "decoder_layers": L, "encoder_attention_heads": H,
           "decoder_attention_heads": H, "encoder_ffn_dim": F, "decoder_ffn_dim": F,
           "vocab_size": V, "decoder_vocab_size": V, "max_position_embeddings": 512,
           "activation_function": "swish", "scale_embedding": True, "normalize_before": False,
           "static_position_embeddings": True, "share_encoder_decoder_embeddings": True,
           "pad_token_id": V - 1, "decoder_start_token_id": V - 1, "eos_token_id": 0,
           "bos_token_id": 0, "bad_words_ids": [[V - 1]], "max_length": 512,
           "is_encoder_decoder": True, "torch_dtype": "float32"}
    write(d, cfg, w)


def bert(d, P=512):
    D, F, L, H, V = 768, 3072, 12, 12, 30522
    w = {"embeddings.word_embeddings.weight": rnd(V, D),
         "embeddings.position_embeddings.weight": rnd(P, D),
         "embeddings.token_type_embeddings.weight": rnd(2, D)}
    layernorm(w, "embeddings.LayerNorm", D)
    for i in range(L):
        p = "encoder.layer.%d." % i
        for n in ("query", "key", "value"):
            linear(w, p + "attention.self." + n, D, D)
        linear(w, p + "attention.output.dense", D, D)
        layernorm(w, p + "attention.output.LayerNorm", D)
        linear(w, p + "intermediate.dense", F, D)
        linear(w, p + "output.dense", D, F)
        layernorm(w, p + "output.LayerNorm", D)
    linear(w, "pooler.dense", D, D)
    cfg = {"model_type": "bert", "architectures": ["BertModel"], "hidden_size": D,
           "num_hidden_layers": L, "num_attention_heads": H, "intermediate_size": F,
           "vocab_size": V, "max_position_embeddings": P, "type_vocab_size": 2,
           "hidden_act": "gelu", "layer_norm_eps": 1e-12, "pad_token_id": 0,
           "position_embedding_type": "absolute", "torch_dtype": "float32"}
    write(d, cfg, w)


def png(path, S):
    """A smooth S x S RGB test pattern, 8-bit, filter 0 rows (what peer.py decodes)."""
    g = torch.linspace(0, 1, S)
    img = torch.stack([g[None, :].expand(S, S), g[:, None].expand(S, S),
                       (torch.sin(g[:, None] * 20) * torch.cos(g[None, :] * 13) + 1) / 2], 2)
    px = (img * 255).round().to(torch.uint8).numpy()
    raw = b"".join(b"\0" + px[r].tobytes() for r in range(S))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", S, S, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def vit(d):
    D, F, L, H, S, P = 768, 3072, 12, 12, 224, 16
    N = (S // P) ** 2
    e = "vit.embeddings."
    w = {e + "cls_token": rnd(1, 1, D), e + "position_embeddings": rnd(1, N + 1, D),
         e + "patch_embeddings.projection.weight": rnd(D, 3, P, P),
         e + "patch_embeddings.projection.bias": rnd(D)}
    for i in range(L):
        p = "vit.encoder.layer.%d." % i
        for n in ("query", "key", "value"):
            linear(w, p + "attention.attention." + n, D, D)
        linear(w, p + "attention.output.dense", D, D)
        layernorm(w, p + "layernorm_before", D)
        layernorm(w, p + "layernorm_after", D)
        linear(w, p + "intermediate.dense", F, D)
        linear(w, p + "output.dense", D, F)
    layernorm(w, "vit.layernorm", D)
    linear(w, "classifier", 1000, D)
    cfg = {"model_type": "vit", "architectures": ["ViTForImageClassification"], "hidden_size": D,
           "num_hidden_layers": L, "num_attention_heads": H, "intermediate_size": F,
           "image_size": S, "patch_size": P, "num_channels": 3, "qkv_bias": True,
           "hidden_act": "gelu", "layer_norm_eps": 1e-12, "torch_dtype": "float32"}
    prep = {"do_normalize": True, "do_rescale": True, "do_resize": True,
            "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 2,
            "rescale_factor": 1 / 255, "image_processor_type": "ViTImageProcessor",
            "size": {"height": S, "width": S}}
    write(d, cfg, w, {"preprocessor_config.json": prep})
    png(d + "/image.png", S)


def main():
    out = sys.argv[1]
    torch.manual_seed(20261123)
    models = (("marian-base", marian), ("bert-base", bert), ("vit-base", vit),
              ("bert-long", lambda d: bert(d, 4096)))
    for name, fn in models:
        if sys.argv[2:] and name not in sys.argv[2:]:
            continue
        if not os.path.exists(out + "/" + name + "/model.safetensors"):
            fn(out + "/" + name)
            print("bench: wrote %s/%s" % (out, name), file=sys.stderr)


if __name__ == "__main__":
    main()
