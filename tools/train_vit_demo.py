#!/usr/bin/python3
"""Trains the bundled ViT demo (assets/models/vit-demo) on synthetic shapes and exports it in
the exact Hugging Face ViTForImageClassification layout (config.json, preprocessor_config.json,
model.safetensors with HF parameter names), plus sample images in assets/images/.

Task: one shape (circle, square, triangle, cross) of random size, position and colour over a
noisy colour gradient; the class is the shape. The background carries no evidence, so the CLS
token learns to attend to the shape's patches: the explorer's overlay shows it.

The model below re-implements HF's ViT forward (modeling_vit.py, transformers 4.27): Conv2d patch
embedding, CLS token, learned positions, pre-LN blocks (layernorm_before / layernorm_after, eps
1e-12), exact erf GELU, final layernorm, classifier on the CLS row. Parameter names are HF's.

Usage: /usr/bin/python3 tools/train_vit_demo.py [--minutes 10] [--out assets/models/vit-demo]
Runs on one CPU thread (the machine is shared).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

CLASSES = ["circle", "square", "triangle", "cross"]
IMAGE, PATCH = 64, 8
CFG = dict(hidden_size=64, num_hidden_layers=4, num_attention_heads=4, intermediate_size=128,
           layer_norm_eps=1e-12)


# ---- data ---------------------------------------------------------------------------------

def shape_mask(kind, size, cx, cy, n=IMAGE, rng=None):
    """Boolean (n, n) mask of a shape of half-size `size` centred at (cx, cy)."""
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) + 0.5
    dx, dy = xx - cx, yy - cy
    if kind == 0:  # circle
        return dx * dx + dy * dy <= size * size
    if kind == 1:  # square
        return (np.abs(dx) <= size * 0.85) & (np.abs(dy) <= size * 0.85)
    if kind == 2:  # triangle, apex up
        h = 1.7 * size
        top, bottom = cy - h / 2, cy + h / 2
        t = (yy - top) / h  # 0 at apex, 1 at base
        return (yy >= top) & (yy <= bottom) & (np.abs(dx) <= t * size)
    arm = max(2.0, size * 0.33)  # cross
    bar_v = (np.abs(dx) <= arm) & (np.abs(dy) <= size)
    bar_h = (np.abs(dy) <= arm) & (np.abs(dx) <= size)
    return bar_v | bar_h


def make_image(rng, kind, n=IMAGE, with_mask=False):
    """uint8 (n, n, 3): a random colour gradient with pixel noise, one shape in a random colour
    (and the shape's boolean mask with with_mask)."""
    base = rng.uniform(0, 255, size=3)
    other = np.clip(base + rng.normal(0, 50, size=3), 0, 255)
    ramp = np.linspace(0, 1, n)
    t = ramp[:, None, None] if rng.random() < 0.5 else ramp[None, :, None]
    img = base + (other - base) * t + rng.normal(0, 25, size=(n, n, 3))
    size = rng.uniform(n * 0.12, n * 0.28)
    cx, cy = rng.uniform(size + 1, n - size - 1, size=2)
    colour = rng.uniform(0, 255, size=3)
    # keep the shape visible: push its colour away from the background's
    if np.abs(colour - base).sum() < 150:
        colour = 255 - base
    m = shape_mask(kind, size, cx, cy, n)
    img[m] = colour + rng.normal(0, 10, size=(int(m.sum()), 3))
    img = np.clip(img, 0, 255).astype(np.uint8)
    return (img, m) if with_mask else img


def batch(rng, count):
    kinds = rng.integers(0, len(CLASSES), size=count)
    imgs = np.stack([make_image(rng, k) for k in kinds])
    return imgs, kinds


def to_pixels(imgs):
    """ViTImageProcessor at the model's size: x / 255, (x - 0.5) / 0.5, CHW float32."""
    x = torch.from_numpy(imgs).float() * (1 / 255)
    return ((x - 0.5) / 0.5).permute(0, 3, 1, 2).contiguous()


# ---- model (HF ViT layout) -------------------------------------------------------------------

class Layer(nn.Module):
    def __init__(self, d, h, f, eps):
        super().__init__()
        self.h = h
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.attn_out = nn.Linear(d, d)
        self.layernorm_before = nn.LayerNorm(d, eps=eps)
        self.layernorm_after = nn.LayerNorm(d, eps=eps)
        self.intermediate = nn.Linear(d, f)
        self.output = nn.Linear(f, d)

    def forward(self, x):
        B, T, D = x.shape
        y = self.layernorm_before(x)

        def heads(t):
            return t.view(B, T, self.h, D // self.h).transpose(1, 2)
        q, k, v = heads(self.query(y)), heads(self.key(y)), heads(self.value(y))
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D // self.h), dim=-1)
        o = (p @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.attn_out(o)
        x = x + self.output(F.gelu(self.intermediate(self.layernorm_after(x))))
        return x, p


class ViT(nn.Module):
    def __init__(self, d, layers, h, f, eps, classes):
        super().__init__()
        n = (IMAGE // PATCH) ** 2
        self.proj = nn.Conv2d(3, d, PATCH, PATCH)
        self.cls = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, n + 1, d) * 0.02)
        self.layers = nn.ModuleList([Layer(d, h, f, eps) for _ in range(layers)])
        self.norm = nn.LayerNorm(d, eps=eps)
        self.classifier = nn.Linear(d, classes)

    def forward(self, px):
        x = self.proj(px).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        probs = []
        for layer in self.layers:
            x, p = layer(x)
            probs.append(p)
        return self.classifier(self.norm(x)[:, 0]), probs

    def hf_params(self):
        """{HF name: live parameter} in ViTForImageClassification's naming."""
        s = {"vit.embeddings.cls_token": self.cls,
             "vit.embeddings.position_embeddings": self.pos,
             "vit.embeddings.patch_embeddings.projection.weight": self.proj.weight,
             "vit.embeddings.patch_embeddings.projection.bias": self.proj.bias,
             "vit.layernorm.weight": self.norm.weight, "vit.layernorm.bias": self.norm.bias,
             "classifier.weight": self.classifier.weight, "classifier.bias": self.classifier.bias}
        for i, L in enumerate(self.layers):
            p = f"vit.encoder.layer.{i}."
            for mod, name in [(L.query, "attention.attention.query"),
                              (L.key, "attention.attention.key"),
                              (L.value, "attention.attention.value"),
                              (L.attn_out, "attention.output.dense"),
                              (L.intermediate, "intermediate.dense"),
                              (L.output, "output.dense"),
                              (L.layernorm_before, "layernorm_before"),
                              (L.layernorm_after, "layernorm_after")]:
                s[p + name + ".weight"] = mod.weight
                s[p + name + ".bias"] = mod.bias
        return s

    def hf_state(self):
        """{HF name: float32 numpy} for ViTForImageClassification."""
        return {k: v.detach().float().numpy().copy() for k, v in self.hf_params().items()}


# ---- export ----------------------------------------------------------------------------------

def export(model, out, acc, minutes):
    os.makedirs(out, exist_ok=True)
    config = {
        "architectures": ["ViTForImageClassification"], "model_type": "vit",
        "attention_probs_dropout_prob": 0.0, "hidden_dropout_prob": 0.0, "hidden_act": "gelu",
        "image_size": IMAGE, "patch_size": PATCH, "num_channels": 3, "qkv_bias": True,
        "encoder_stride": PATCH, "initializer_range": 0.02,
        "id2label": {str(i): c for i, c in enumerate(CLASSES)},
        "label2id": {c: i for i, c in enumerate(CLASSES)},
        "torch_dtype": "float32", "transformers_version": "4.27.1", **CFG}
    prep = {"do_normalize": True, "do_rescale": True, "do_resize": True,
            "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
            "image_processor_type": "ViTImageProcessor", "resample": 2,
            "rescale_factor": 0.00392156862745098, "size": {"height": IMAGE, "width": IMAGE}}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(out, "preprocessor_config.json"), "w") as f:
        json.dump(prep, f, indent=2, sort_keys=True)
        f.write("\n")
    safetensors_io.write(os.path.join(out, "model.safetensors"), model.hf_state(),
                         {"format": "pt"})
    print(f"exported to {out} (test accuracy {acc:.4f}, {minutes:.1f} min)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--out", default="assets/models/vit-demo")
    ap.add_argument("--images", default="assets/images")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = ViT(CFG["hidden_size"], CFG["num_hidden_layers"], CFG["num_attention_heads"],
                CFG["intermediate_size"], CFG["layer_norm_eps"], len(CLASSES))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)
    test_x, test_y = batch(np.random.default_rng(12345), 1000)
    test_px, test_t = to_pixels(test_x), torch.from_numpy(test_y)
    t0, step, budget = time.time(), 0, args.minutes * 60
    while time.time() - t0 < budget:
        frac = (time.time() - t0) / budget
        for g in opt.param_groups:  # warm-up then cosine decay over the time budget
            g["lr"] = 1e-3 * min(1.0, step / 100) * 0.5 * (1 + math.cos(math.pi * frac))
        x, y = batch(rng, 64)
        logits, _ = model(to_pixels(x))
        loss = F.cross_entropy(logits, torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 200 == 0:
            with torch.no_grad():
                acc = (model(test_px)[0].argmax(1) == test_t).float().mean().item()
            print(f"step {step} {time.time() - t0:.0f}s loss {loss.item():.3f} test acc {acc:.3f}",
                  flush=True)
    model.eval()
    with torch.no_grad():
        acc = (model(test_px)[0].argmax(1) == test_t).float().mean().item()
    export(model, args.out, acc, (time.time() - t0) / 60)
    # sample images: one per class at the model's size, and one larger non-square image (the
    # explorer resizes it, never crops)
    from PIL import Image
    os.makedirs(args.images, exist_ok=True)
    srng = np.random.default_rng(7)
    for k, name in enumerate(CLASSES):
        Image.fromarray(make_image(srng, k)).save(os.path.join(args.images, f"{name}.png"))
    big = make_image(srng, 2, n=IMAGE)
    Image.fromarray(big).resize((160, 120), Image.BILINEAR).save(
        os.path.join(args.images, "triangle-160x120.png"))
    with torch.no_grad():
        for name in CLASSES + ["triangle-160x120"]:
            img = Image.open(os.path.join(args.images, f"{name}.png")).convert("RGB")
            img = img.resize((IMAGE, IMAGE), Image.BILINEAR)
            logits, _ = model(to_pixels(np.array(img)[None]))
            print(f"{name}.png -> {CLASSES[int(logits.argmax())]}")
    print(f"steps {step}, {step * 64} images, test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
