#!/usr/bin/python3
"""Hand-computed checks of bleu13a.py (sacreBLEU 13a tokenisation + corpus BLEU, no smoothing).

Run: /usr/bin/python3 tools/test_bleu13a.py   (exit 0 = all passed)
"""
import math
import sys

from bleu13a import corpus_bleu, tokenize_13a

FAILED = []
CHECKS = [0]


def expect(name, got, want):
    CHECKS[0] += 1
    ok = abs(got - want) < 1e-9 if isinstance(want, float) else got == want
    if not ok:
        FAILED.append(name)
        print(f"FAIL {name}: got {got!r}, want {want!r}")


def main():
    # mteval-v13a rules: period/comma split unless between digits, dash split after a digit,
    # symbols split out (not the apostrophe: it is outside every range of the first rule),
    # &quot; unescaped, whitespace collapsed.
    expect("tok words", tokenize_13a("Un homme, assis."), ["Un", "homme", ",", "assis", "."])
    expect("tok digits", tokenize_13a("3.5 ou 1,2 et 10-12"),
           ["3.5", "ou", "1,2", "et", "10", "-", "12"])
    expect("tok symbols", tokenize_13a("l'homme (&quot;x&quot;)"),
           ["l'homme", "(", '"', "x", '"', ")"])
    expect("tok hyphen word", tokenize_13a("porte-monnaie  a"), ["porte-monnaie", "a"])

    # hyp "the cat sat on the mat ." vs ref "the cat is on the mat ." (7 tokens each):
    # 1-grams 6/7 (all but "sat"), 2-grams 4/6 (the cat, on the, the mat, mat .),
    # 3-grams 2/5 (on the mat, the mat .), 4-grams 1/4 (on the mat .), BP 1:
    # BLEU = 100 * (6/7 * 4/6 * 2/5 * 1/4) ** (1/4)
    bleu, info = corpus_bleu(["the cat sat on the mat."], ["the cat is on the mat."])
    expect("bleu value", bleu, 100 * (6 / 7 * 4 / 6 * 2 / 5 * 1 / 4) ** 0.25)
    expect("bleu precisions", [round(p, 6) for p in info["precisions"]],
           [round(100 * x, 6) for x in (6 / 7, 4 / 6, 2 / 5, 1 / 4)])

    # corpus level: statistics are summed before the precisions are taken. Adding the exact
    # pair "a b c d" (4 tokens) gives 1-grams 10/11, 2-grams 7/9, 3-grams 4/7, 4-grams 2/5.
    bleu, _ = corpus_bleu(["the cat sat on the mat.", "a b c d"],
                          ["the cat is on the mat.", "a b c d"])
    expect("bleu corpus", bleu, 100 * (10 / 11 * 7 / 9 * 4 / 7 * 2 / 5) ** 0.25)

    # brevity penalty: hyp "a b c d" (4) vs ref "a b c d e f" (6): all precisions 1,
    # BP = exp(1 - 6/4)
    bleu, info = corpus_bleu(["a b c d"], ["a b c d e f"])
    expect("bleu bp", bleu, 100 * math.exp(1 - 6 / 4))

    # no smoothing: no 4-gram match anywhere -> 0
    bleu, _ = corpus_bleu(["a b c x d e f"], ["a b c y d e f"])
    expect("bleu zero 4-gram", bleu, 0.0)

    print(f"{CHECKS[0] - len(FAILED)} passed, {len(FAILED)} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
