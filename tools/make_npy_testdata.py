#!/usr/bin/python3
"""Writes the NumPy reference files of tests/data/npy/ with numpy's own np.save, so the test of
attnscope's .npy writer and reader (tests/unit/test_export.c) compares against NumPy itself.
Values are multiples of 1/8: exact in float16, float32 and float64.

usage: /usr/bin/python3 tools/make_npy_testdata.py tests/data/npy
"""
import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
a = (np.arange(6).reshape(2, 3) / 8.0)
np.save(os.path.join(out, "a23_f4.npy"), a.astype("<f4"))
np.save(os.path.join(out, "a23_f8.npy"), a.astype("<f8"))
np.save(os.path.join(out, "a23_f2.npy"), a.astype("<f2"))
# [layers, heads, q, k] as `attnscope view` reads: 2 layers, 1 head, 2 x 3
np.save(os.path.join(out, "l2h1q2k3_f4.npy"), (np.arange(12).reshape(2, 1, 2, 3) / 8.0).astype("<f4"))
np.save(os.path.join(out, "a23_fortran.npy"), np.asfortranarray(a.astype("<f4")))
np.save(os.path.join(out, "a23_i4.npy"), np.arange(6, dtype="<i4").reshape(2, 3))
