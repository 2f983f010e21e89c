#!/usr/bin/python3
"""Independent reference for attnscope's AER code (tests/unit/test_align.c): scores the trivial
diagonal aligner (target word j -> source word floor((j + 0.5) * n_src / n_tgt), 0-based) and the
gold's own sure links against a Pharaoh gold file, with the AER of Och & Ney (2003) over the
corpus (counts summed over sentences). Written separately from the C code, in plain Python.

usage: /usr/bin/python3 tools/align_diag_aer.py SRC_TGT_FILE GOLD_FILE [N_LINES]
"""
import math
import sys


def score(pairs, golds):
    a = s = a_s = a_p = 0
    for hyp, (sure, poss) in zip(pairs, golds):
        poss = poss | sure
        a += len(hyp)
        s += len(sure)
        a_s += len(hyp & sure)
        a_p += len(hyp & poss)
    return 1.0 - (a_s + a_p) / (a + s), a_p / a, a_s / s


def main():
    src_tgt, gold_path = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
    with open(src_tgt, encoding="utf-8") as f:
        lines = f.read().split("\n")[:-1]
    with open(gold_path, encoding="utf-8") as f:
        gold_lines = f.read().split("\n")[:-1]
    lines, gold_lines = lines[:limit], gold_lines[:limit]
    golds, diag = [], []
    for line, g in zip(lines, gold_lines):
        src, tgt = line.split("|||")
        ns, nt = len(src.split()), len(tgt.split())
        sure, poss = set(), set()
        for link in g.split():
            sep = "-" if "-" in link else "p"
            i, j = (int(x) - 1 for x in link.split(sep))
            (sure if sep == "-" else poss).add((i, j))
        golds.append((sure, poss))
        diag.append({(min(ns - 1, math.floor((j + 0.5) * ns / nt)), j) for j in range(nt)})
    print("diagonal aer %.12f precision %.12f recall %.12f" % score(diag, golds))
    print("gold-sure aer %.12f precision %.12f recall %.12f" % score([g[0] for g in golds], golds))


main()
