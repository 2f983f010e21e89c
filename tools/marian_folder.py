"""Hugging Face opus-mt folder layout: config, vocab.json, SentencePiece tokenization, load/export.

Tokenization is MarianTokenizer's: text -> pieces of source.spm (or target.spm) -> ids through
vocab.json (a piece missing from vocab.json -> <unk>) -> </s> appended. Pieces come from Debian's
spm_encode, so no Python sentencepiece module is needed.
"""
import json
import os
import shutil
import subprocess

import numpy as np
import torch

import safetensors_io
from marian_model import MarianMT

EOS, UNK, PAD = "</s>", "<unk>", "<pad>"
# SentencePiece's own control pieces; opus-mt vocab.json keeps <unk> and </s> only
_SPM_SPECIAL = {"<unk>", "<s>", "</s>"}


def make_config(vocab_size, d_model, enc_layers, dec_layers, heads, ffn, activation,
                max_positions, max_length, dropout):
    """config.json of a MarianMTModel, with the fields and values opus-mt checkpoints carry."""
    pad = vocab_size - 1
    return {
        "activation_dropout": 0.0,
        "activation_function": activation,
        "architectures": ["MarianMTModel"],
        "attention_dropout": 0.0,
        "bad_words_ids": [[pad]],
        "bos_token_id": 0,
        "d_model": d_model,
        "decoder_attention_heads": heads,
        "decoder_ffn_dim": ffn,
        "decoder_layerdrop": 0.0,
        "decoder_layers": dec_layers,
        "decoder_start_token_id": pad,
        "decoder_vocab_size": vocab_size,
        "dropout": dropout,
        "encoder_attention_heads": heads,
        "encoder_ffn_dim": ffn,
        "encoder_layerdrop": 0.0,
        "encoder_layers": enc_layers,
        "eos_token_id": 0,
        "forced_eos_token_id": 0,
        "init_std": 0.02,
        "is_encoder_decoder": True,
        "max_length": max_length,
        "max_position_embeddings": max_positions,
        "model_type": "marian",
        "normalize_before": False,
        "num_beams": 1,
        "num_hidden_layers": enc_layers,
        "pad_token_id": pad,
        "scale_embedding": True,
        "share_encoder_decoder_embeddings": True,
        "static_position_embeddings": True,
        "torch_dtype": "float32",
        "transformers_version": "4.27.1",
        "use_cache": True,
        "vocab_size": vocab_size,
    }


def generation_config(cfg):
    keys = ["bad_words_ids", "bos_token_id", "decoder_start_token_id", "eos_token_id",
            "forced_eos_token_id", "max_length", "num_beams", "pad_token_id",
            "transformers_version"]
    return {"_from_model_config": True, **{k: cfg[k] for k in keys}}


def spm_pieces(model_path):
    """Pieces of a .spm model in id order (spm_export_vocab prints 'piece<TAB>score')."""
    text = subprocess.run(["spm_export_vocab", f"--model={model_path}"], check=True,
                          capture_output=True).stdout.decode("utf-8")
    return [line.split("\t")[0] for line in text.split("\n") if line]


def build_vocab(source_spm, target_spm):
    """One id space: </s> 0, <unk> 1, source pieces, then target pieces not seen yet, <pad> last."""
    vocab = {EOS: 0, UNK: 1}
    for path in (source_spm, target_spm):
        for piece in spm_pieces(path):
            if piece not in _SPM_SPECIAL and piece not in vocab:
                vocab[piece] = len(vocab)
    vocab[PAD] = len(vocab)
    return vocab


def encode_pieces(spm_path, lines):
    """SentencePiece pieces of every line (spm_encode, one output line per input line)."""
    for line in lines:
        if "\n" in line or "\r" in line:
            raise ValueError(f"line breaks inside a sentence: {line!r}")
    text = "".join(line + "\n" for line in lines).encode("utf-8")
    out = subprocess.run(["spm_encode", f"--model={spm_path}", "--output_format=piece"],
                         input=text, check=True, capture_output=True).stdout.decode("utf-8")
    rows = out.split("\n")[:len(lines)]
    if len(rows) != len(lines):
        raise RuntimeError(f"spm_encode returned {len(rows)} lines for {len(lines)}")
    return [row.split(" ") if row else [] for row in rows]


def encode_ids(spm_path, vocab, lines):
    """MarianTokenizer ids: pieces -> vocab ids (unknown -> <unk>) + </s>."""
    unk, eos = vocab[UNK], vocab[EOS]
    return [[vocab.get(p, unk) for p in pieces] + [eos]
            for pieces in encode_pieces(spm_path, lines)]


def decode_ids(id_to_piece, ids, special):
    """Detokenize: stop at </s>, skip special ids, join pieces, U+2581 -> space."""
    pieces = []
    for i in ids:
        if i == 0:
            break
        if i not in special:
            pieces.append(id_to_piece[i])
    return "".join(pieces).replace("\u2581", " ").strip()


def load_folder(path):
    """Returns (config dict, MarianMT in eval mode with the folder's weights, vocab dict)."""
    with open(os.path.join(path, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    with open(os.path.join(path, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    model = MarianMT(cfg)
    tensors = safetensors_io.read(os.path.join(path, "model.safetensors"))
    state = {k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError(f"{path}/model.safetensors: missing {missing}, unexpected {unexpected}")
    model.eval()
    return cfg, model, vocab


def export_folder(out_dir, cfg, model, vocab, spm_dir, dtype, readme, src_lang, tgt_lang):
    """Writes the opus-mt layout: config.json, generation_config.json, tokenizer_config.json,
    vocab.json, source.spm, target.spm, model.safetensors (dtype "F32" or "F16"), README.md."""
    os.makedirs(out_dir, exist_ok=True)
    np_dtype = {"F32": np.float32, "F16": np.float16}[dtype]
    cfg = dict(cfg, torch_dtype={"F32": "float32", "F16": "float16"}[dtype])

    def dump(name, obj):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=2, ensure_ascii=False, sort_keys=True)
            f.write("\n")

    dump("config.json", cfg)
    dump("generation_config.json", generation_config(cfg))
    dump("tokenizer_config.json", {"source_lang": src_lang, "target_lang": tgt_lang})
    with open(os.path.join(out_dir, "vocab.json"), "w", encoding="utf-8") as f:
        # id order, as opus-mt's vocab.json files are written
        json.dump(vocab, f, indent=2, ensure_ascii=False)
        f.write("\n")
    for name in ("source.spm", "target.spm"):
        shutil.copyfile(os.path.join(spm_dir, name), os.path.join(out_dir, name))
    state = {k: v.detach().cpu().numpy().astype(np_dtype) for k, v in model.state_dict().items()}
    safetensors_io.write(os.path.join(out_dir, "model.safetensors"), state)
    with open(os.path.join(out_dir, "README.md"), "w", encoding="utf-8") as f:
        f.write(readme)
