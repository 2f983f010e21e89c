#!/usr/bin/python3
"""Makes tests/data/img: a 37x23 seeded noise image and Pillow's resizes of it (Image.resize,
8-bit RGB, no reducing_gap), the reference attnscope's resize must match exactly. Down- and
upscaling, each axis alone, bilinear (2) and bicubic (3). Outputs are PNG (lossless).

Usage: /usr/bin/python3 tools/make_img_refs.py [OUT_DIR]
"""
import os
import sys

import numpy as np
from PIL import Image

out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/img"
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(5)
# noise plus a smooth ramp: both sharp and gentle transitions
ramp = np.linspace(0, 120, 37)[None, :, None]
src = np.clip(rng.integers(0, 136, size=(23, 37, 3)) + ramp, 0, 255).astype(np.uint8)
img = Image.fromarray(src, "RGB")
img.save(os.path.join(out, "src-37x23.png"))
for w, h in [(16, 16), (64, 50), (37, 11), (20, 23), (5, 3)]:
    for name, f in [("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC)]:
        img.resize((w, h), f).save(os.path.join(out, f"{name}-{w}x{h}.png"))
print(f"wrote {out}")
