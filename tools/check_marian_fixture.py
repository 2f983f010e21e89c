#!/usr/bin/python3
"""Checks tools/marian_model.py against Hugging Face's MarianMTModel through a golden fixture.

Loads a fixture folder (default ../shared/fixtures/marian-tiny: config.json, model.safetensors,
vocab.json, source.spm, target.spm, inputs.json, golden.safetensors written by transformers
4.27.1) with this directory's loader, tokenizes every case's text with the .spm files, runs the
greedy generation and the teacher-forced pass, and compares with golden.safetensors:
token ids and generated ids exactly, attention probabilities within 1e-4, hidden states and
logits within 1e-3 (the fixture README's recommended float32 tolerances); finally the
exporter's safetensors writer must reproduce the fixture's model.safetensors byte for byte
from the loaded state dict. Exit status 0 when
everything matches, 1 otherwise (every mismatch is printed).

Run: /usr/bin/python3 tools/check_marian_fixture.py [fixture_dir]
(exit 77 = skipped, with the reason printed, when numpy or torch cannot be imported)
"""
import json
import os
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError as e:  # exit 77 = "skipped" for meson and automake test harnesses
    print(f"skip: {e} (install python3-torch, run with /usr/bin/python3)")
    sys.exit(77)

import marian_folder as mf  # noqa: E402 (needs torch)
import safetensors_io  # noqa: E402

ATTN_TOL, HIDDEN_TOL = 1e-4, 1e-3


class Checker:
    def __init__(self):
        self.failures, self.checks = 0, 0

    def ids(self, name, got, want):
        self.checks += 1
        if list(got) != list(want):
            self.failures += 1
            print(f"FAIL {name}: got {list(got)}, want {list(want)}")

    def close(self, name, got, want, tol):
        self.checks += 1
        got = np.asarray(got, dtype=np.float64)
        if got.shape != want.shape:
            self.failures += 1
            print(f"FAIL {name}: shape {got.shape}, want {want.shape}")
            return 0.0
        diff = float(np.max(np.abs(got - want)))
        if not diff <= tol:
            self.failures += 1
            print(f"FAIL {name}: max abs diff {diff:.3g} > {tol:g}")
        return diff


def check_case(chk, model, cfg, vocab, fixture, case, golden):
    cid = case["id"]
    want = lambda name: golden[f"{cid}.{name}"]  # noqa: E731
    src = mf.encode_ids(os.path.join(fixture, "source.spm"), vocab, [case["source"]])[0]
    chk.ids(f"{cid}.input_ids", src, want("input_ids"))
    src_t = torch.tensor([src])
    mask = torch.ones_like(src_t, dtype=torch.bool)
    if f"{cid}.generated_ids" in golden:
        n_new = len(want("generated_ids")) - 1
        # the golden call is generate(max_new_tokens=16): max_length = 1 + 16
        gen = model.greedy(src_t, mask, 1 + 16, cfg["decoder_start_token_id"],
                           cfg["eos_token_id"], bad_ids=[b[0] for b in cfg["bad_words_ids"]])
        chk.ids(f"{cid}.generated_ids ({n_new} new)", gen[0].tolist(), want("generated_ids"))
    else:
        tgt = mf.encode_ids(os.path.join(fixture, "target.spm"), vocab, [case["target"]])[0]
        chk.ids(f"{cid}.target_ids", tgt, want("target_ids"))
    dec_in = torch.from_numpy(want("decoder_input_ids")).long()[None]
    with torch.no_grad():
        enc, enc_hidden, enc_attn = model.encode(src_t, mask, want_attn=True)
        logits, dec_hidden, dec_attn, cross_attn = model.decode(dec_in, enc, mask, want_attn=True)
    worst = {"attn": 0.0, "hidden": 0.0, "logits": 0.0}
    for stack, attn in (("encoder", enc_attn), ("decoder", dec_attn), ("cross", cross_attn)):
        for layer, probs in enumerate(attn):
            name = f"{stack}.attn.L{layer}"
            worst["attn"] = max(worst["attn"], chk.close(f"{cid}.{name}", probs[0], want(name),
                                                         ATTN_TOL))
    for stack, hidden in (("encoder", enc_hidden), ("decoder", dec_hidden)):
        for layer, h in enumerate(hidden):
            name = f"{stack}.hidden.L{layer}"
            worst["hidden"] = max(worst["hidden"],
                                  chk.close(f"{cid}.{name}", h[0], want(name), HIDDEN_TOL))
    worst["logits"] = chk.close(f"{cid}.logits", logits[0], want("logits"), HIDDEN_TOL)
    print(f"{cid}: max abs diff attention {worst['attn']:.2e}, hidden {worst['hidden']:.2e}, "
          f"logits {worst['logits']:.2e}")


def check_writer(chk, model, fixture):
    """The exporter's safetensors writer, given the state dict loaded from the fixture, must
    reproduce the file transformers wrote byte for byte (same names, order, header, padding)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.safetensors")
        safetensors_io.write(path, {k: v.numpy() for k, v in model.state_dict().items()})
        with open(path, "rb") as f:
            got = f.read()
    with open(os.path.join(fixture, "model.safetensors"), "rb") as f:
        want = f.read()
    chk.checks += 1
    if got != want:
        chk.failures += 1
        print(f"FAIL model.safetensors rewrite: {len(got)} bytes differ from the fixture's "
              f"{len(want)}")
    else:
        print(f"model.safetensors rewritten byte for byte ({len(got)} bytes)")


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    fixture = argv[0] if argv else os.path.join(here, "..", "..", "shared", "fixtures",
                                                "marian-tiny")
    torch.set_num_threads(1)
    cfg, model, vocab = mf.load_folder(fixture)
    golden = safetensors_io.read(os.path.join(fixture, "golden.safetensors"))
    with open(os.path.join(fixture, "inputs.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    chk = Checker()
    for case in cases:
        check_case(chk, model, cfg, vocab, fixture, case, golden)
    check_writer(chk, model, fixture)
    print(f"{chk.checks - chk.failures} passed, {chk.failures} failed")
    return 1 if chk.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
