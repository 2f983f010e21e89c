#!/usr/bin/python3
"""Writes tests/data/tok/{bert,gpt2}/tokenizer.json: the fast-tokenizer files Hugging Face
tokenizers would write for the bert-tiny (BertTokenizerFast, do_lower_case) and gpt2-tiny
(GPT2TokenizerFast, add_prefix_space=False) fixtures, built from their slow files with the
structure of the library's serialisation (tokenizers 0.13, as transformers 4.27 converts them in
convert_slow_tokenizer.py: BertConverter, GPT2Converter). The unit test then checks that the
tokenizer.json path gives the same ids as the slow path.

Usage: /usr/bin/python3 tools/tok_fixture_json.py [FIXTURES_DIR]  (default ../shared/fixtures)
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
fixtures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "fixtures")
out_dir = os.path.join(root, "tests", "data", "tok")


def added(tid, content, normalized):
    return {"id": tid, "content": content, "single_word": False, "lstrip": False,
            "rstrip": False, "normalized": normalized, "special": True}


def bert():
    with open(os.path.join(fixtures, "bert-tiny", "vocab.txt"), encoding="utf-8") as f:
        vocab = {}
        for i, line in enumerate(f):
            vocab[line.rstrip("\n")] = i
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]

    def special(name, type_id):
        return {"SpecialToken": {"id": name, "type_id": type_id}}

    def seq(name, type_id):
        return {"Sequence": {"id": name, "type_id": type_id}}

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(vocab[s], s, False) for s in specials],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("[CLS]", 0), seq("A", 0), special("[SEP]", 0)],
            "pair": [special("[CLS]", 0), seq("A", 0), special("[SEP]", 0), seq("B", 1),
                     special("[SEP]", 1)],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [cls], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [sep], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }


def gpt2():
    with open(os.path.join(fixtures, "gpt2-tiny", "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    with open(os.path.join(fixtures, "gpt2-tiny", "merges.txt"), encoding="utf-8") as f:
        merges = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#version")]
    eot = "<|endoftext|>"
    byte_level = {"add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(vocab[eot], eot, True)],
        "normalizer": None,
        "pre_tokenizer": dict({"type": "ByteLevel"}, **byte_level),
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
                           "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": "", "end_of_word_suffix": "", "fuse_unk": False,
                  "byte_fallback": False, "vocab": vocab, "merges": merges},
    }


for name, make in (("bert", bert), ("gpt2", gpt2)):
    os.makedirs(os.path.join(out_dir, name), exist_ok=True)
    with open(os.path.join(out_dir, name, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(make(), f, ensure_ascii=False, indent=2)
        f.write("\n")
