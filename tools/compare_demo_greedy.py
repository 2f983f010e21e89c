#!/usr/bin/env python3
"""Token-for-token comparison of attnscope's greedy decoding with this folder's PyTorch Marian
(tools/marian_model.py, the model the demo was trained with) on the first N sentences of a file.

  /usr/bin/python3 tools/compare_demo_greedy.py ATTNSCOPE MODEL_DIR SOURCES.gz [N] [--device D]
      [--ref REFERENCES.gz]

With --ref, also prints the corpus BLEU (13a, as tools/bleu13a.py) of attnscope's own output.

Both sides decode one sentence at a time (no padding), greedily, with the folder's
generation settings. Prints the match rate and every sentence that differs (with the position of
the first differing token and both top-2 logit gaps where the PyTorch side is close to a tie)."""
import gzip
import json
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bleu13a  # noqa: E402
import marian_folder as mf  # noqa: E402


def main(argv):
    device, ref = "cpu", None
    if "--ref" in argv:
        i = argv.index("--ref")
        ref = argv[i + 1]
        del argv[i:i + 2]
    if "--device" in argv:
        i = argv.index("--device")
        device = argv[i + 1]
        del argv[i:i + 2]
    attnscope, model_dir, sources = argv[1:4]
    n = int(argv[4]) if len(argv) > 4 else 200
    with gzip.open(sources, "rt", encoding="utf-8") as f:
        lines = [next(f).rstrip("\n") for _ in range(n)]
    cfg, model, vocab = mf.load_folder(model_dir)
    torch.set_num_threads(1)
    src_ids = mf.encode_ids(os.path.join(model_dir, "source.spm"), vocab, lines)
    ours = []
    with torch.no_grad():
        for ids in src_ids:
            src = torch.tensor([ids])
            gen = model.greedy(src, src != cfg["pad_token_id"], cfg["max_length"],
                               cfg["decoder_start_token_id"], cfg["eos_token_id"],
                               bad_ids=[cfg["pad_token_id"]])
            ours.append(gen[0].tolist())
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "src.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        out = subprocess.run([attnscope, "dump", model_dir, "--device", device, "--src-file",
                              path, "--format", "json", "--map", "cross", "--layer", "0"],
                             check=True, capture_output=True, text=True).stdout
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(records) == n, f"attnscope gave {len(records)} records for {n} sources"
    same = 0
    for i, (rec, mine) in enumerate(zip(records, ours)):
        theirs = [vocab[p] for p in rec["target_tokens"]]
        if theirs == mine:
            same += 1
            continue
        k = next((j for j in range(min(len(theirs), len(mine))) if theirs[j] != mine[j]),
                 min(len(theirs), len(mine)))
        print(f"line {i + 1}: first difference at position {k}: "
              f"attnscope {rec['target_tokens'][k:k + 3]} vs torch "
              f"{[mf.decode_ids({v: p for p, v in vocab.items()}, [t], set()) for t in mine[k:k + 3]]}")
    if ref:
        with gzip.open(ref, "rt", encoding="utf-8") as f:
            refs = [next(f).rstrip("\n") for _ in range(n)]
        id_to_piece = {v: p for p, v in vocab.items()}
        special = {1, cfg["pad_token_id"]}
        hyps = [mf.decode_ids(id_to_piece, [vocab[p] for p in r["target_tokens"][1:]], special)
                for r in records]
        print(f"attnscope corpus BLEU on these {n} sentences: {bleu13a.corpus_bleu(hyps, refs)[0]:.2f}")
    print(f"{same}/{n} sentences identical token for token ({100.0 * same / n:.1f}%)")
    return 0 if same == n else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
