#!/usr/bin/python3
"""Trains attnscope's bundled English->French demo model (MarianMT, opus-mt folder layout).

Steps: read Multi30k (train / val / test_2016_flickr), train source.spm and target.spm with
Debian's spm_train, build the joint vocab.json, train a small MarianMT with PyTorch within a step
or time budget (checkpoint chosen by greedy BLEU on val), report greedy BLEU on test_2016_flickr
(sacreBLEU-style 13a corpus BLEU) and export the Hugging Face folder. With --max-steps 0 it
exports a seeded random-weight placeholder (its README says so) without evaluating.

Run with Debian's interpreter (/usr/bin/python3: python3-torch, python3-numpy); see README.md.
"""
import argparse
import copy
import gzip
import json
import math
import os
import subprocess
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

import marian_folder as mf
from bleu13a import corpus_bleu
from marian_model import MarianMT

SPLITS = ("train", "val", "test_2016_flickr")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True,
                   help="Multi30k folder with {train,val,test_2016_flickr}.{en,fr}.gz")
    p.add_argument("--out", required=True, help="folder to export the model to")
    p.add_argument("--work", help="folder for spm models, checkpoint, log, hypotheses "
                                  "(default: <out>.work)")
    p.add_argument("--src", default="en")
    p.add_argument("--tgt", default="fr")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--spm-vocab", type=int, default=4000, help="pieces per SentencePiece model")
    p.add_argument("--d-model", type=int, default=256)
    p.add_argument("--enc-layers", type=int, default=3)
    p.add_argument("--dec-layers", type=int, default=3)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ffn", type=int, default=512)
    p.add_argument("--activation", default="swish", choices=["swish", "gelu", "relu"])
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate")
    p.add_argument("--warmup", type=int, default=800, help="linear warmup steps, then 1/sqrt")
    p.add_argument("--batch-tokens", type=int, default=4096,
                   help="padded (source + target) tokens per batch")
    p.add_argument("--clip-norm", type=float, default=1.0)
    p.add_argument("--max-steps", type=int, default=10 ** 9,
                   help="stop after this many updates (0 = export an untrained placeholder)")
    p.add_argument("--minutes", type=float, default=90.0,
                   help="stop training after this wall-clock time (validation included)")
    p.add_argument("--val-every", type=int, default=1000, help="steps between val evaluations")
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--max-positions", type=int, default=256)
    p.add_argument("--max-length", type=int, default=128,
                   help="generation max_length (start token included), written to the config")
    p.add_argument("--dtype", default="F32", choices=["F32", "F16"], help="exported weights")
    return p.parse_args(argv)


class Log:
    """Prints and appends to <work>/train.log."""

    def __init__(self, path):
        self.f = open(path, "a", encoding="utf-8")

    def __call__(self, msg):
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        self.f.write(line + "\n")
        self.f.flush()


# ------------------------------------------------------------------------------------------
# data
# ------------------------------------------------------------------------------------------

def read_lines(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def load_corpus(data_dir, src, tgt):
    corpus = {}
    for split in SPLITS:
        s = read_lines(os.path.join(data_dir, f"{split}.{src}.gz"))
        t = read_lines(os.path.join(data_dir, f"{split}.{tgt}.gz"))
        if len(s) != len(t):
            raise ValueError(f"{data_dir}: {split}.{src} has {len(s)} lines, "
                             f"{split}.{tgt} has {len(t)}")
        corpus[split] = (s, t)
    return corpus


def train_spm(lines, prefix, vocab_size, seed, threads):
    """Unigram SentencePiece model <prefix>.model trained by Debian's spm_train."""
    text_path = prefix + ".txt"
    with open(text_path, "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in lines)
    subprocess.run(["spm_train", f"--input={text_path}", f"--model_prefix={prefix}",
                    f"--vocab_size={vocab_size}", "--model_type=unigram",
                    "--character_coverage=1.0", f"--random_seed={seed}",
                    f"--num_threads={threads}"], check=True, capture_output=True)
    return prefix + ".model"


def make_batches(src_ids, tgt_ids, batch_tokens, gen):
    """Index lists of similar-length pairs, each under batch_tokens padded tokens, in random
    order. Random keys break length ties so batches differ from epoch to epoch."""
    noise = torch.rand(len(src_ids), generator=gen).tolist()
    order = sorted(range(len(src_ids)),
                   key=lambda i: (len(tgt_ids[i]), len(src_ids[i]), noise[i]))
    batches, cur, s_max, t_max = [], [], 0, 0
    for i in order:
        s, t = max(s_max, len(src_ids[i])), max(t_max, len(tgt_ids[i]) + 1)
        if cur and (len(cur) + 1) * (s + t) > batch_tokens:
            batches.append(cur)
            cur, s, t = [], len(src_ids[i]), len(tgt_ids[i]) + 1
        cur.append(i)
        s_max, t_max = s, t
    if cur:
        batches.append(cur)
    perm = torch.randperm(len(batches), generator=gen).tolist()
    return [batches[j] for j in perm]


def pad_batch(seqs, pad):
    out = torch.full((len(seqs), max(len(s) for s in seqs)), pad, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = torch.tensor(s, dtype=torch.long)
    return out


def tensors(idx, src_ids, tgt_ids, pad):
    """src (B,S), src_mask (B,S), decoder input [pad]+tgt (B,T), labels tgt (B,T), pad-padded."""
    src = pad_batch([src_ids[i] for i in idx], pad)
    tgt_in = pad_batch([[pad] + tgt_ids[i][:-1] for i in idx], pad)
    labels = pad_batch([tgt_ids[i] for i in idx], pad)
    return src, src != pad, tgt_in, labels


# ------------------------------------------------------------------------------------------
# model
# ------------------------------------------------------------------------------------------

def init_weights(model, d_model):
    """Xavier-uniform projections, zero biases, embeddings N(0, D^-1/2) so that E*sqrt(D) has
    unit variance (the usual choice for tied Transformer embeddings)."""
    for mod in model.modules():
        if isinstance(mod, nn.Linear):
            nn.init.xavier_uniform_(mod.weight)
            nn.init.zeros_(mod.bias)
    nn.init.normal_(model.model.shared.weight, 0.0, d_model ** -0.5)


def loss_fn(logits, labels, pad, smoothing):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1),
                           ignore_index=pad, label_smoothing=smoothing, reduction="sum")


@torch.no_grad()
def val_nll(model, src_ids, tgt_ids, pad, batch_tokens):
    """Per-token negative log-likelihood (no smoothing) of the references, teacher-forced."""
    model.eval()
    total, count = 0.0, 0
    gen = torch.Generator().manual_seed(0)
    for idx in make_batches(src_ids, tgt_ids, batch_tokens, gen):
        src, mask, tgt_in, labels = tensors(idx, src_ids, tgt_ids, pad)
        total += loss_fn(model(src, mask, tgt_in), labels, pad, 0.0).item()
        count += int((labels != pad).sum())
    return total / count


@torch.no_grad()
def translate(model, cfg, src_ids, id_to_piece, batch=100):
    """Greedy translations (detokenized text) of every source, in input order."""
    model.eval()
    pad, special = cfg["pad_token_id"], {1, cfg["pad_token_id"]}
    order = sorted(range(len(src_ids)), key=lambda i: len(src_ids[i]))
    out = [None] * len(src_ids)
    for b in range(0, len(order), batch):
        idx = order[b:b + batch]
        src = pad_batch([src_ids[i] for i in idx], pad)
        gen = model.greedy(src, src != pad, cfg["max_length"], cfg["decoder_start_token_id"],
                           cfg["eos_token_id"], bad_ids=[pad])
        for row, i in enumerate(idx):
            out[i] = mf.decode_ids(id_to_piece, gen[row, 1:].tolist(), special)
    return out


def count_params(model):
    return sum(p.numel() for p in model.parameters())


# ------------------------------------------------------------------------------------------
# README of the exported folder
# ------------------------------------------------------------------------------------------

def readme_text(args, cfg, n_params, report):
    cmd = "/usr/bin/python3 tools/train_demo.py " + " ".join(sys.argv[1:])
    arch = (f"MarianMT, d_model {cfg['d_model']}, {cfg['encoder_layers']}+{cfg['decoder_layers']} "
            f"layers, {cfg['encoder_attention_heads']} heads, FFN {cfg['encoder_ffn_dim']}, "
            f"{cfg['activation_function']}, joint vocabulary {cfg['vocab_size']}, "
            f"{n_params:,} parameters, {args.dtype} weights")
    if report["steps"] == 0:
        return (f"# attnscope demo model: random-weight placeholder, not a trained model\n\n"
                f"random-weight placeholder, not a trained model. The weights are seeded random "
                f"numbers (seed {args.seed}); the tokenizer files are real (SentencePiece "
                f"models trained on Multi30k train). Translations are meaningless; the folder "
                f"only lets attnscope's demo open a model with the real opus-mt layout until the "
                f"trained model replaces it.\n\n"
                f"- architecture: {arch}\n- made by: `{cmd}`\n")
    bleu = report["test_bleu"]
    return (
        f"# attnscope demo model: English->French MarianMT trained on Multi30k\n\n"
        f"A small MarianMT in the Hugging Face opus-mt layout, trained from scratch on the "
        f"Multi30k task 1 English->French training set (29,000 image captions; Elliott et al. "
        f"2016) by `tools/train_demo.py`. Captions-domain only: expect good translations of "
        f"short picture descriptions and poor ones of anything else.\n\n"
        f"- architecture: {arch}\n"
        f"- tokenizer: SentencePiece unigram models (spm_train, {args.spm_vocab} pieces each, "
        f"character coverage 1.0) on train.en (source.spm) and train.fr (target.spm); vocab.json "
        f"= union of their pieces\n"
        f"- command: `{cmd}`\n"
        f"- seed {args.seed}, {args.threads} threads, label smoothing {args.label_smoothing}, "
        f"dropout {args.dropout}, Adam (0.9, 0.98, 1e-9), peak lr {args.lr}, warmup "
        f"{args.warmup} steps then 1/sqrt(step), batches of <= {args.batch_tokens} padded "
        f"tokens, gradient clip {args.clip_norm}\n"
        f"- training: {report['steps']} steps ({report['epochs']:.2f} epochs) in "
        f"{report['train_minutes']:.1f} minutes; final train loss (label-smoothed, per token) "
        f"{report['train_loss']:.3f}\n"
        f"- checkpoint: step {report['best_step']} (best greedy BLEU on val "
        f"{report['val_bleu']:.2f}; val NLL per token {report['val_nll']:.3f})\n"
        f"- **test_2016_flickr: BLEU {bleu:.2f}** (greedy, max_length {cfg['max_length']}, "
        f"corpus BLEU with sacreBLEU's 13a tokenisation, case-sensitive, no smoothing; "
        f"precisions {', '.join(f'{p:.1f}' for p in report['test_info']['precisions'])}, "
        f"BP {report['test_info']['bp']:.3f}, hyp/ref length {report['test_info']['hyp_len']}/"
        f"{report['test_info']['ref_len']})\n")


# ------------------------------------------------------------------------------------------
# main
# ------------------------------------------------------------------------------------------

def main(argv):
    args = parse_args(argv)
    work = args.work or args.out.rstrip("/") + ".work"
    os.makedirs(work, exist_ok=True)
    log = Log(os.path.join(work, "train.log"))
    log("command: /usr/bin/python3 tools/train_demo.py " + " ".join(argv))
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    corpus = load_corpus(args.data, args.src, args.tgt)
    t0 = time.time()
    src_spm = train_spm(corpus["train"][0], os.path.join(work, "source"), args.spm_vocab,
                        args.seed, args.threads)
    tgt_spm = train_spm(corpus["train"][1], os.path.join(work, "target"), args.spm_vocab,
                        args.seed, args.threads)
    os.replace(src_spm, os.path.join(work, "source.spm"))
    os.replace(tgt_spm, os.path.join(work, "target.spm"))
    src_spm, tgt_spm = os.path.join(work, "source.spm"), os.path.join(work, "target.spm")
    vocab = mf.build_vocab(src_spm, tgt_spm)
    id_to_piece = {i: p for p, i in vocab.items()}
    ids = {split: (mf.encode_ids(src_spm, vocab, corpus[split][0]),
                   mf.encode_ids(tgt_spm, vocab, corpus[split][1])) for split in SPLITS}
    log(f"spm + encoding {time.time() - t0:.1f}s; joint vocab {len(vocab)}; train "
        f"{sum(map(len, ids['train'][0]))} src / {sum(map(len, ids['train'][1]))} tgt tokens")

    cfg = mf.make_config(len(vocab), args.d_model, args.enc_layers, args.dec_layers, args.heads,
                         args.ffn, args.activation, args.max_positions, args.max_length,
                         args.dropout)
    longest = max(max(map(len, s + t)) + 1 for s, t in ids.values())
    if longest > args.max_positions:
        raise SystemExit(f"a sentence has {longest} tokens > --max-positions {args.max_positions}")
    model = MarianMT(cfg)
    init_weights(model, args.d_model)
    n_params = count_params(model)
    log(f"model: {n_params:,} parameters")

    report = {"steps": 0}
    if args.max_steps > 0:
        report = train(args, cfg, model, ids, id_to_piece, corpus, work, log)
        hyps = translate(model, cfg, ids["test_2016_flickr"][0], id_to_piece)
        with open(os.path.join(work, "test_2016_flickr.hyp.fr"), "w", encoding="utf-8") as f:
            f.writelines(h + "\n" for h in hyps)
        report["test_bleu"], report["test_info"] = corpus_bleu(hyps, corpus["test_2016_flickr"][1])
        log(f"test_2016_flickr BLEU {report['test_bleu']:.2f} {report['test_info']}")
        with open(os.path.join(work, "report.json"), "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
    mf.export_folder(args.out, cfg, model, vocab, work, args.dtype,
                     readme_text(args, cfg, n_params, report), args.src, args.tgt)
    size = sum(os.path.getsize(os.path.join(args.out, n)) for n in os.listdir(args.out))
    log(f"exported {args.out} ({size / 1e6:.2f} MB)")


def train(args, cfg, model, ids, id_to_piece, corpus, work, log):
    """Trains in place; leaves the best-val-BLEU weights in model. Returns the report dict."""
    pad = cfg["pad_token_id"]
    src_ids, tgt_ids = ids["train"]
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / args.warmup, math.sqrt(args.warmup / (s + 1))))
    gen = torch.Generator().manual_seed(args.seed)
    start = time.time()
    deadline = start + 60.0 * args.minutes
    step, seen, train_loss = 0, 0, float("nan")
    best = {"val_bleu": -1.0}
    run_loss, run_tok, run_t = 0.0, 0, time.time()

    def evaluate():
        nll = val_nll(model, *ids["val"], pad, args.batch_tokens)
        hyps = translate(model, cfg, ids["val"][0], id_to_piece)
        bleu, _ = corpus_bleu(hyps, corpus["val"][1])
        log(f"step {step} val NLL {nll:.3f} val BLEU {bleu:.2f}")
        if bleu > best["val_bleu"]:
            best.update(val_bleu=bleu, val_nll=nll, step=step,
                        state=copy.deepcopy(model.state_dict()))
            torch.save(best["state"], os.path.join(work, "best.pt"))
        model.train()

    model.train()
    while step < args.max_steps and time.time() < deadline:
        batches = make_batches(src_ids, tgt_ids, args.batch_tokens, gen)
        for idx in batches:
            src, mask, tgt_in, labels = tensors(idx, src_ids, tgt_ids, pad)
            n_tok = int((labels != pad).sum())
            loss = loss_fn(model(src, mask, tgt_in), labels, pad, args.label_smoothing)
            opt.zero_grad(set_to_none=True)
            (loss / n_tok).backward()
            nn.utils.clip_grad_norm_(model.parameters(), args.clip_norm)
            opt.step()
            sched.step()
            step += 1
            seen += len(idx)
            run_loss += loss.item()
            run_tok += n_tok
            if step % args.log_every == 0:
                now = time.time()
                log(f"step {step} epoch {seen / len(src_ids):.2f} lr {sched.get_last_lr()[0]:.2e} "
                    f"loss {run_loss / run_tok:.3f} {run_tok / (now - run_t):.0f} tgt tok/s "
                    f"{(now - start) / step:.3f} s/step")
                train_loss = run_loss / run_tok
                run_loss, run_tok, run_t = 0.0, 0, now
            if step % args.val_every == 0:
                evaluate()
            if step >= args.max_steps or time.time() >= deadline:
                break
    if run_tok:
        train_loss = run_loss / run_tok
    train_minutes = (time.time() - start) / 60.0
    if best.get("step") != step:
        evaluate()
    model.load_state_dict(best["state"])
    log(f"training: {step} steps, {seen / len(src_ids):.2f} epochs, {train_minutes:.1f} min; "
        f"best val BLEU {best['val_bleu']:.2f} at step {best['step']}")
    return {"steps": step, "epochs": seen / len(src_ids), "train_minutes": train_minutes,
            "train_loss": train_loss, "best_step": best["step"], "val_bleu": best["val_bleu"],
            "val_nll": best["val_nll"]}


if __name__ == "__main__":
    main(sys.argv[1:])
