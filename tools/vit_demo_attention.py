#!/usr/bin/python3
"""Measures where the bundled ViT demo's CLS token looks: on fresh synthetic images, the share of
the CLS row's attention (last layer, mean over heads; and the rollout over all layers) that lands
on patches the shape covers (>= 25 % of their pixels), against the share of patches the shape
covers (what uniform attention would give). Also the accuracy on those images.

Usage: /usr/bin/python3 tools/vit_demo_attention.py [MODEL_DIR] [N]
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import train_vit_demo as demo  # noqa: E402


def load(model_dir):
    model = demo.ViT(demo.CFG["hidden_size"], demo.CFG["num_hidden_layers"],
                     demo.CFG["num_attention_heads"], demo.CFG["intermediate_size"],
                     demo.CFG["layer_norm_eps"], len(demo.CLASSES))
    hf = safetensors_io.read(os.path.join(model_dir, "model.safetensors"))
    params = model.hf_params()
    assert set(params) == set(hf), "tensor names differ from the exporter's"
    with torch.no_grad():
        for name, value in hf.items():
            params[name].copy_(torch.from_numpy(value))
    return model.eval()


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else "assets/models/vit-demo"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    torch.set_num_threads(1)
    model = load(model_dir)
    rng = np.random.default_rng(2024)
    g = demo.IMAGE // demo.PATCH
    last, roll, area, correct = [], [], [], 0
    for _ in range(n):
        kind = int(rng.integers(0, len(demo.CLASSES)))
        img, mask = demo.make_image(rng, kind, with_mask=True)
        cover = mask.reshape(g, demo.PATCH, g, demo.PATCH).mean(axis=(1, 3)).reshape(-1) >= 0.25
        with torch.no_grad():
            logits, probs = model(demo.to_pixels(img[None]))
        correct += int(logits.argmax()) == kind
        a = [p[0].mean(0).numpy().astype(np.float64) for p in probs]  # per layer, head mean
        r = np.eye(a[0].shape[0])
        for layer in a:  # rollout as the fixtures' READMEs define it
            layer = layer + np.eye(layer.shape[0])
            r = (layer / layer.sum(1, keepdims=True)) @ r
        cls_last, cls_roll = a[-1][0, 1:], r[0, 1:]
        last.append(cls_last[cover].sum() / cls_last.sum())
        roll.append(cls_roll[cover].sum() / cls_roll.sum())
        area.append(cover.mean())
    print(f"{n} images: accuracy {correct / n:.3f}; "
          f"patches covered by the shape {np.mean(area):.3f};"
          f" CLS attention on them: last layer {np.mean(last):.3f}, rollout {np.mean(roll):.3f}")


if __name__ == "__main__":
    main()
