#!/usr/bin/env python3
"""Cross-checks `sovcap sensitivity` against OpenTURNS on the same Saltelli sweep.

usage: check_sensitivity.py SOVCAP FILE.h5 (--metric M | --series S) [--bootstrap N]
                            [--drop-every K]
       check_sensitivity.py SOVCAP FILE.h5 --expect-refusal

Runs `SOVCAP sensitivity FILE.h5 ... --policy all --format csv`, reads the same file with
h5py (run_complete, policy, saltelli_matrix, base_row, sampled.KEY and the metric), and for
every policy, country and output compares sovcap's indices with:

1. OpenTURNS, on the same A, B, AB_i outputs laid out as OpenTURNS expects (one Sample of
   size N (d + 2): the N rows of A, then B, then E_1 ... E_d, where OpenTURNS' E_i is A with
   column i taken from B: sovcap's AB_i; checked below on the sampled inputs). OpenTURNS'
   classes do not all use sovcap's estimators, so each index is compared with the class whose
   estimator is the same sum, rescaled for OpenTURNS' normalisation (see openturns_indices):
     - first order: sovcap uses Saltelli et al. 2010, sum f_B (f_ABi - f_A). OpenTURNS'
       SaltelliSensitivityAlgorithm is the older Saltelli 2002 estimator
       (sum f_B f_ABi / (N - 1) - mean f_A mean f_B), a different statistic; its
       MauntzKucherenkoSensitivityAlgorithm is the 2010 one: sum f_B (f_ABi - f_A) / (N - 1).
     - total: JansenSensitivityAlgorithm is Jansen 1999 as in sovcap, with the sum divided by
       2N - 1 instead of 2N.
     - both divide by the (N - 1) sample variance of f_A alone, sovcap by the variance of the
       2N values [f_A, f_B] (divided by 2N); both centre the outputs on the mean of the
       whole design first.
   With those factors undone the results must agree to rounding. Where f_A alone is constant
   (possible for a near-constant output) OpenTURNS' normalisation is undefined and only check
   2 applies. OpenTURNS' Saltelli 2002 first-order estimate is printed for information only:
   a different estimator of the same index, much noisier here (it does not even give 0 for a
   parameter with no effect, where sovcap's f_ABi - f_A vanishes), so no tolerance fits it.
2. The formulas written out with numpy (an independent reading of the file's design).

It also checks the censoring of reach years (never reached -> horizon + dt), the run and
censored counts, NaN with a reason for a constant output, and ordered intervals.
With --drop-every K: the check runs on a copy of the file in which every K-th run reads
run_complete = 0 (as in a partial file): sovcap must leave out the base rows missing a run.
With --expect-refusal: the file is not a Saltelli design and sovcap must refuse it (exit 2)
with a message naming method = "saltelli".
"""

import argparse
import csv
import io
import math
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import openturns as ot

ot.Log.Show(ot.Log.NONE)  # OpenTURNS warns about estimates outside [0, 1]

EXACT = 1e-8  # same estimator, rescaled: agreement to rounding


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def run_sovcap(args):
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def metric_values(f, metric, series):
    """[(label, year or None, values[run, country])] of the outputs asked for."""
    time = f["time"][:]
    dt = time[1] - time[0]
    if series:
        data = f[series]
        out = []
        for t, year in enumerate(time):
            if abs(year - round(year)) < 1e-9:
                out.append((f"{series}@{year:g}", year, data[:, :, t]))
        return out
    if metric in ("year_gw_reached", "year_target_reached"):
        v = f[metric][:]
        return [(metric, None, np.where(np.isnan(v), time[-1] + dt, v))]
    if metric.endswith("_final"):
        name = metric[: -len("_final")]
        if metric in f:
            v = f[metric][:]
        elif name == "spend_usd":
            v = f["capex_usd"][:, :, -1] + f["opex_usd"][:, :, -1]
        else:
            v = f[name][:, :, -1]
        return [(metric, None, v)]
    series_name, year = metric.split("@")
    t = int(np.flatnonzero(np.abs(time - float(year)) < 1e-6)[0])
    return [(f"{series_name}@{time[t]:g}", time[t], f[series_name][:, :, t])]


def sovcap_indices(y):
    """The formulas, written out: y is [N, d + 2] (A, B, AB_0, ...)."""
    n, cols = y.shape
    z = y - y.mean()
    a, b = z[:, 0], z[:, 1]
    v = np.var(np.concatenate([a, b]))  # ddof = 0
    s1 = np.array([np.mean(b * (z[:, 2 + i] - a)) / v for i in range(cols - 2)])
    st = np.array([np.mean((a - z[:, 2 + i]) ** 2) / (2 * v) for i in range(cols - 2)])
    return s1, st, v


def openturns_indices(x, y):
    """OpenTURNS on the same design. x, y: [N, d + 2, ...] inputs and outputs by base row and
    matrix. Returns (first order, total) in sovcap's normalisation, and OpenTURNS' Saltelli
    2002 first order as it gives it."""
    n, cols = y.shape
    d = cols - 2
    # OpenTURNS' layout: all N rows of A, then of B, then of E_1, ..., E_d.
    inputs = ot.Sample(np.concatenate([x[:, m, :] for m in range(cols)]))
    outputs = ot.Sample(np.concatenate([y[:, m] for m in range(cols)]).reshape(-1, 1))
    mk = ot.MauntzKucherenkoSensitivityAlgorithm(inputs, outputs, n)
    jansen = ot.JansenSensitivityAlgorithm(inputs, outputs, n)
    saltelli_2002 = ot.SaltelliSensitivityAlgorithm(inputs, outputs, n)
    first = np.array(mk.getFirstOrderIndices())
    total = np.array(jansen.getTotalOrderIndices())
    old_first = np.array(saltelli_2002.getFirstOrderIndices())
    # OpenTURNS divides by the (N - 1) variance of f_A; sovcap by the 2N variance of [f_A, f_B].
    var_a = np.var(y[:, 0], ddof=1)
    var_ab = np.var(np.concatenate([y[:, 0], y[:, 1]]))
    # MauntzKucherenko: sum f_B (f_E - f_A) / (N - 1); sovcap: the same sum / N.
    first = first * var_a * (n - 1) / (n * var_ab)
    # Jansen: sum (f_A - f_E)^2 / (2N - 1); sovcap: the same sum / 2N.
    total = total * var_a * (2 * n - 1) / (2 * n * var_ab)
    return first, total, old_first


def number(cell):
    return float(cell) if cell != "" else math.nan


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sovcap")
    ap.add_argument("file")
    ap.add_argument("--metric")
    ap.add_argument("--series")
    ap.add_argument("--bootstrap", type=int, default=200)
    ap.add_argument("--expect-refusal", action="store_true")
    ap.add_argument("--drop-every", type=int, default=0)
    opt = ap.parse_args()
    if opt.drop_every > 0:
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "incomplete.h5")
            shutil.copyfile(opt.file, copy)
            with h5py.File(copy, "r+") as f:
                complete = f["run_complete"][:]
                complete[:: opt.drop_every] = 0
                f["run_complete"][:] = complete
            opt.file = copy
            return check(opt)
    return check(opt)


def check(opt):
    problems = []

    if opt.expect_refusal:
        rc, _, err = run_sovcap([opt.sovcap, "sensitivity", opt.file, "--metric", "it_mw_final"])
        if rc != 2:
            problems.append(f"exit status {rc}, expected 2")
        if 'method = "saltelli"' not in err or "not a Saltelli design" not in err:
            problems.append(f"the message does not say to use method = \"saltelli\": {err!r}")
        for p in problems:
            print("FAIL:", p, file=sys.stderr)
        if not problems:
            print("ok: sovcap refuses a file that is not a Saltelli design:", err.strip())
        return 1 if problems else 0

    cmd = [opt.sovcap, "sensitivity", opt.file, "--policy", "all", "--format", "csv",
           "--bootstrap", str(opt.bootstrap), "--seed", "1"]
    cmd += ["--series", opt.series] if opt.series else ["--metric", opt.metric]
    rc, out, err = run_sovcap(cmd)
    if rc != 0:
        print(f"FAIL: {' '.join(cmd)} exited with {rc}:\n{err}", file=sys.stderr)
        return 1
    rows = {}
    for r in csv.DictReader(io.StringIO(out)):
        rows[(int(r["policy"]), r["country"], r["metric"], r["parameter"])] = r

    with h5py.File(opt.file, "r") as f:
        keys = text(f.attrs["uncertain_keys"]).split()
        d = len(keys)
        cols = d + 2
        countries = [text(c) for c in f["country"][:]]
        complete = f["run_complete"][:] == 1
        policy = f["policy"][:]
        matrix = f["saltelli_matrix"][:]
        base = f["base_row"][:]
        sampled = np.stack([f["sampled." + k][:] for k in keys], axis=1)  # [run, d]
        time = f["time"][:]
        censor_year = time[-1] + (time[1] - time[0])
        outputs = metric_values(f, opt.metric, opt.series)
        raw_reach = f[opt.metric][:] if opt.metric in ("year_gw_reached", "year_target_reached") else None

    compared = constant = skipped_ot = 0
    worst = {"numpy S1": 0.0, "numpy ST": 0.0, "openturns S1": 0.0, "openturns ST": 0.0}
    saltelli_2002 = 0.0  # largest |OpenTURNS' Saltelli 2002 S1 - sovcap's S1|, for information
    for p in sorted(set(policy[complete])):
        runs = np.flatnonzero(complete & (policy == p))
        n = int(base[runs].max()) + 1
        index = np.full((n, cols), -1)
        index[base[runs], matrix[runs]] = runs
        usable = np.flatnonzero((index >= 0).all(axis=1))
        index = index[usable]  # [N, d + 2]: the run of each base row and matrix
        x = sampled[index]       # [N, d + 2, d]
        # The design as documented: AB_i is A with column i from B.
        for i in range(d):
            e = x[:, 2 + i, :]
            for k in range(d):
                want = x[:, 1, k] if k == i else x[:, 0, k]
                if not np.array_equal(e[:, k], want):
                    problems.append(f"policy {p}: sampled {keys[k]} of AB_{i} is not that of "
                                    f"{'B' if k == i else 'A'}")
        for label, year, values in outputs:
            for c, iso3 in enumerate(countries):
                y = values[index, c]  # [N, d + 2]
                where = f"policy {p}, {iso3}, {label}"
                got = [rows.get((int(p), iso3, label, k)) for k in keys]
                if any(g is None for g in got):
                    problems.append(f"{where}: missing from sovcap's CSV")
                    continue
                g0 = got[0]
                if int(g0["base_rows"]) != len(usable) or int(g0["runs"]) != len(usable) * cols:
                    problems.append(f"{where}: base_rows {g0['base_rows']}, runs {g0['runs']}; "
                                    f"expected {len(usable)}, {len(usable) * cols}")
                if raw_reach is not None:
                    censored = int(np.isnan(raw_reach[index, c]).sum())
                    if int(g0["censored"]) != censored:
                        problems.append(f"{where}: {g0['censored']} censored, expected {censored}")
                s1_got = np.array([number(g["S1"]) for g in got])
                st_got = np.array([number(g["ST"]) for g in got])
                if np.all(y[:, :2] == y[0, 0]):
                    # Constant output: no variance to apportion.
                    if not (np.all(np.isnan(s1_got)) and np.all(np.isnan(st_got)) and g0["note"]):
                        problems.append(f"{where}: constant output, expected NaN with a note")
                    constant += 1
                    continue
                s1, st, _ = sovcap_indices(y)
                checks = [("numpy S1", s1, s1_got), ("numpy ST", st, st_got)]
                if not np.all(y[:, 0] == y[0, 0]):
                    ot_s1, ot_st, ot_old = openturns_indices(x, y)
                    checks += [("openturns S1", ot_s1, s1_got), ("openturns ST", ot_st, st_got)]
                    saltelli_2002 = max(saltelli_2002, float(np.max(np.abs(ot_old - s1_got))))
                else:
                    skipped_ot += 1
                for i, g in enumerate(got):
                    lo1, hi1 = number(g["S1_lo"]), number(g["S1_hi"])
                    lo2, hi2 = number(g["ST_lo"]), number(g["ST_hi"])
                    if not (lo1 <= hi1 and lo2 <= hi2):
                        problems.append(f"{where}, {keys[i]}: intervals not ordered or missing")
                for name, a, b in checks:
                    worst[name] = max(worst[name], float(np.max(np.abs(a - b))))
                    bad = np.flatnonzero(~(np.abs(a - b) <= EXACT))
                    for i in bad:
                        problems.append(f"{where}, {keys[i]}: {name} {a[i]:.12g}, sovcap {b[i]:.12g}")
                compared += d

    for msg in problems[:40]:
        print("FAIL:", msg, file=sys.stderr)
    if len(problems) > 40:
        print(f"FAIL: ... and {len(problems) - 40} more", file=sys.stderr)
    what = opt.series or opt.metric
    print(f"{what}: {compared} pairs of indices compared, {constant} constant outputs NaN as "
          f"they should be, {skipped_ot} outputs with f_A constant left to numpy alone"
          + (f" (reach years censored at {censor_year:g})" if raw_reach is not None else "")
          + "; largest |difference| from sovcap: "
          + ", ".join(f"{k} {v:.1e}" for k, v in worst.items())
          + f"; OpenTURNS' Saltelli 2002 first order (another estimator, for information) {saltelli_2002:.3f}")
    if compared == 0:
        print("FAIL: no index compared (every output constant?)", file=sys.stderr)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
