#!/usr/bin/python3
"""Makes tests/data/vit-dino-tiny: the vit-tiny fixture rewritten as a DINO-style ViTModel
checkpoint (tensor names without the "vit." prefix, no classifier, no id2label), with the
fixture's goldens minus the logits. Same weights, so attention and hidden states must equal the
fixture's goldens exactly as for ViTForImageClassification: the test checks that the loader finds
the unprefixed names and runs without a classifier.

Usage: /usr/bin/python3 tools/make_vit_dino_fixture.py [FIXTURES_DIR] [OUT_DIR]
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/fixtures"
out = sys.argv[2] if len(sys.argv) > 2 else "tests/data/vit-dino-tiny"
vit = os.path.join(src, "vit-tiny")
os.makedirs(out, exist_ok=True)

weights = safetensors_io.read(os.path.join(vit, "model.safetensors"))
dino = {k[len("vit."):]: v for k, v in weights.items() if k.startswith("vit.")}
assert len(dino) == len(weights) - 2  # all but classifier.weight / .bias
safetensors_io.write(os.path.join(out, "model.safetensors"), dino, {"format": "pt"})

golden = safetensors_io.read(os.path.join(vit, "golden.safetensors"))
safetensors_io.write(os.path.join(out, "golden.safetensors"),
                     {k: v for k, v in golden.items() if not k.endswith(".logits")})

with open(os.path.join(vit, "config.json")) as f:
    config = json.load(f)
config["architectures"] = ["ViTModel"]
for key in ("id2label", "label2id"):
    config.pop(key)
with open(os.path.join(out, "config.json"), "w") as f:
    json.dump(config, f, indent=2, sort_keys=True)
    f.write("\n")
for name in ("preprocessor_config.json", "inputs.json", "digit7.png", "checker.png"):
    shutil.copyfile(os.path.join(vit, name), os.path.join(out, name))  # not the read-only mode
with open(os.path.join(out, "README.md"), "w") as f:
    f.write("# vit-dino-tiny\n\n"
            "`../shared/fixtures/vit-tiny` rewritten by `tools/make_vit_dino_fixture.py` as a "
            "DINO-style `ViTModel` checkpoint: tensor names without the `vit.` prefix, no "
            "`classifier.*`, no `id2label`. Same weights and images, so `golden.safetensors` is "
            "the fixture's (made by Hugging Face transformers 4.27.1) without the `caseN.logits` "
            "tensors. See the fixture's README for the inputs and tensor names.\n")
print(f"wrote {out}: {len(dino)} tensors")
