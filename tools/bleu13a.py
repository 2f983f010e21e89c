"""Corpus BLEU computed the way sacreBLEU does by default (no sacrebleu package).

sacreBLEU 2.x defaults reproduced here: tokenizer "13a" (mteval-v13a.pl), case-sensitive,
n-grams 1..4, one reference per segment, brevity penalty from the total lengths. Smoothing
"none": if any n-gram order has no match the score is 0.
"""
import math
import re
from collections import Counter

# mteval-v13a's regular expressions, applied in this order (sacreBLEU tokenizer_re.py)
_RULES = [
    # split out punctuation and symbols
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    # period and comma unless preceded by a digit
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    # period and comma unless followed by a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    # dash when preceded by a digit
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
]


def tokenize_13a(line):
    """sacreBLEU's Tokenizer13a (the caller has already applied rstrip())."""
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = (line.replace("&quot;", '"').replace("&amp;", "&")
                .replace("&lt;", "<").replace("&gt;", ">"))
    line = f" {line} "
    for rule, repl in _RULES:
        line = rule.sub(repl, line)
    return line.split()


def _ngrams(tokens, n_max):
    counts = Counter()
    for n in range(1, n_max + 1):
        for i in range(len(tokens) - n + 1):
            counts[tuple(tokens[i:i + n])] += 1
    return counts


def corpus_stats(hyps, refs, n_max=4):
    """Sufficient statistics: matches[n], totals[n] (n-gram orders 1..n_max), lengths."""
    if len(hyps) != len(refs):
        raise ValueError(f"{len(hyps)} hypotheses for {len(refs)} references")
    matches, totals = [0] * n_max, [0] * n_max
    hyp_len = ref_len = 0
    for hyp, ref in zip(hyps, refs):
        h, r = tokenize_13a(hyp.rstrip()), tokenize_13a(ref.rstrip())
        hyp_len += len(h)
        ref_len += len(r)
        hc, rc = _ngrams(h, n_max), _ngrams(r, n_max)
        for gram, c in hc.items():
            matches[len(gram) - 1] += min(c, rc.get(gram, 0))
        for n in range(1, n_max + 1):
            totals[n - 1] += max(0, len(h) - n + 1)
    return matches, totals, hyp_len, ref_len


def corpus_bleu(hyps, refs):
    """Returns (BLEU in 0..100, dict with precisions, brevity penalty and lengths)."""
    matches, totals, hyp_len, ref_len = corpus_stats(hyps, refs)
    precisions = [100.0 * m / t if t else 0.0 for m, t in zip(matches, totals)]
    if hyp_len == 0:
        bp = 0.0
    elif hyp_len < ref_len:
        bp = math.exp(1.0 - ref_len / hyp_len)
    else:
        bp = 1.0
    if min(matches) == 0:
        score = 0.0
    else:
        score = bp * math.exp(sum(math.log(p / 100.0) for p in precisions) / len(precisions))
    info = {"precisions": precisions, "bp": bp, "hyp_len": hyp_len, "ref_len": ref_len}
    return 100.0 * score, info
