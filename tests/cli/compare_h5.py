#!/usr/bin/python3
"""Compares two sovcap results files variable by variable.

usage: compare_h5.py A.h5 B.h5 [--ignore-attr NAME]...

Every variable must exist in both with the same shape, dtype and values (NaN equal to
NaN), and every root attribute must match except the ignored ones (by default
creation_time and command_line, which record when and how a file was made). Variables
are read through h5py, so a master file of virtual datasets compares like a plain one.
Exits 1 listing every difference.
"""
import sys

import h5py
import numpy as np


def items(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return out


def main(argv):
    paths = [a for a in argv[1:] if not a.startswith("--")]
    ignore = {"creation_time", "command_line"}
    for i, a in enumerate(argv):
        if a == "--ignore-attr":
            ignore.add(argv[i + 1])
            paths.remove(argv[i + 1])
    if len(paths) != 2:
        print(__doc__)
        return 2
    problems = []
    with h5py.File(paths[0], "r") as fa, h5py.File(paths[1], "r") as fb:
        da, db = items(fa), items(fb)
        for name in sorted(set(da) | set(db)):
            if name not in da or name not in db:
                problems.append(f"{name}: only in {'A' if name in da else 'B'}")
                continue
            a, b = da[name][()], db[name][()]
            if np.shape(a) != np.shape(b) or getattr(a, "dtype", None) != getattr(b, "dtype", None):
                problems.append(f"{name}: shape/dtype {np.shape(a)} {getattr(a, 'dtype', '')} vs "
                                f"{np.shape(b)} {getattr(b, 'dtype', '')}")
                continue
            if a.dtype.kind == "f":
                same = np.array_equal(a, b, equal_nan=True)
            else:
                same = np.array_equal(a, b)
            if not same:
                problems.append(f"{name}: values differ")
        for key in sorted((set(fa.attrs) | set(fb.attrs)) - ignore):
            va, vb = fa.attrs.get(key), fb.attrs.get(key)
            if va is None or vb is None or not np.array_equal(np.asarray(va), np.asarray(vb)):
                problems.append(f"attribute {key}: {va!r} vs {vb!r}")
    for p in problems:
        print(f"compare_h5: {p}")
    if problems:
        print(f"compare_h5: {paths[0]} and {paths[1]} differ ({len(problems)} differences)")
        return 1
    print(f"compare_h5: {paths[0]} and {paths[1]} hold the same variables and attributes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
