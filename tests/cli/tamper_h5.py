#!/usr/bin/env python3
"""Copies a sovcap results file, tampers with the copy, and asserts that `sovcap check`
finds it: exit 1 (exit 2 for foreign_file) with EXPECTED in its output.

usage: tamper_h5.py SOVCAP SRC DST CASE EXPECTED
CASE: negative_it_mw (run 5, KOR, time index 4 set to -1), run_incomplete (run_complete of
run 7 set to 0), bad_code (a bottleneck code of 9), format_version ("9.9"), foreign_file
(file_type removed: exit 2), delete_shard (SRC is a merged master: it and its shards are
copied into DST's folder, then shard1.h5 is deleted).
"""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np


def main():
    sovcap, src, dst, case, expected = sys.argv[1:6]
    os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
    if case == "delete_shard":
        with h5py.File(src, "r") as f:
            shards = f.attrs["shards"]
        shards = shards.decode() if isinstance(shards, bytes) else str(shards)
        for s in shards.split():
            shutil.copyfile(os.path.join(os.path.dirname(src), s), os.path.join(os.path.dirname(dst), s))
        shutil.copyfile(src, dst)
        os.remove(os.path.join(os.path.dirname(dst), "shard1.h5"))
    else:
        shutil.copyfile(src, dst)
        with h5py.File(dst, "r+") as f:
            country = [c.decode() if isinstance(c, bytes) else c for c in f["country"][...]]
            if case == "negative_it_mw":
                f["it_mw"][5, country.index("KOR"), 4] = -1.0
            elif case == "run_incomplete":
                f["run_complete"][7] = 0
            elif case == "bad_code":
                f["bottleneck"][3, 0, 2] = np.int8(9)
            elif case == "inf_compute":
                f["compute_flops"][5, country.index("KOR"), 4] = np.inf
            elif case == "nan_vendor_supply":
                f["vendor_supply"][2, 6] = np.nan
            elif case == "format_version":
                f.attrs["format_version"] = "9.9"
            elif case == "foreign_file":
                del f.attrs["file_type"]
            else:
                sys.exit(f"unknown case {case}")
    want = 2 if case == "foreign_file" else 1
    p = subprocess.run([sovcap, "check", dst], capture_output=True, text=True)
    out = p.stdout + p.stderr
    ok = p.returncode == want and expected in out
    if not ok:
        print(f"FAIL: exit {p.returncode} (expected {want}); expected text: {expected}\n--- output:\n{out}")
        sys.exit(1)
    print(out)


if __name__ == "__main__":
    main()
