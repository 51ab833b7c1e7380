#!/usr/bin/python3
"""Checks `sovcap robustness` and `sovcap diff` through the program against a direct
computation from the results files read with h5py and numpy.

Usage: /usr/bin/python3 check_explore.py SOVCAP MODE ...

  robustness SWEEP.h5
      a sweep whose last policy is best in every future (tests/cli/sweep/dominance.toml):
      its regret is 0 in every future; every policy's mean, percentiles, mean and maximum
      regret, share best and share satisfying a threshold equal numpy's over the futures
      (Korea's it_mw_final, larger is better; every country's year_gw_reached, smaller is
      better, never reached counted as the horizon + dt).
  diff A.h5 B.h5
      one-run files: A against itself is 0 everywhere; A against B gives deltas equal to the
      difference of the values stored in the files (reach years, capacity at the summary
      years, compute, energy and spending at the horizon), in JSON and CSV alike.
  paired A.h5 B.h5
      sweeps over the same futures, with the same three policies: the paired differences
      (mean and 10/50/90th percentiles of B - A run by run) equal numpy's, policy by policy
      and with --pool over every run.
  refuse MESSAGE -- ARGS...
      `sovcap ARGS` exits 2, prints nothing on stdout and an error containing MESSAGE.
  not_crn SWEEP.h5 COPY.h5
      a copy of the sweep with one run's sampled value changed (policy 1 no longer meets
      policy 0's future) is refused by `sovcap robustness`.

Prints every failure and exits 1 if there was any.
"""

import csv
import io
import json
import math
import shutil
import subprocess
import sys

import h5py
import numpy as np

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
    return ok


def close(a, b, what, tol=1e-9):
    if a is None or b is None:
        return check(a is None and b is None, f"{what}: {a} != {b}")
    return check(math.isclose(a, b, rel_tol=tol, abs_tol=tol), f"{what}: {a} != {b}")


def run(sovcap, *args):
    p = subprocess.run([sovcap, *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"sovcap {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p.stdout


def strings(ds):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in ds[...]]


def per_policy(path, values):
    """values [run, country] -> {policy: [sample-ordered values, country]} over the samples
    complete in every policy."""
    with h5py.File(path, "r") as f:
        policy = f["policy"][...]
        sample = f["sample"][...]
        ok = f["run_complete"][...] == 1
    out = {}
    for p in sorted(set(policy[ok].tolist())):
        runs = np.where(ok & (policy == p))[0]
        out[p] = values[runs[np.argsort(sample[runs])]]
    return out


def expected_stats(table, minimize, threshold):
    """table: [policy, future] -> per policy the statistics of `sovcap robustness`."""
    u = -table if minimize else table
    regret = u.max(axis=0) - u
    regret[regret <= 1e-9 * np.maximum(1.0, np.abs(u.max(axis=0)))] = 0.0
    out = []
    for p in range(table.shape[0]):
        v = table[p]
        s = {"mean": v.mean(), "p10": np.quantile(v, 0.1), "p50": np.quantile(v, 0.5),
             "p90": np.quantile(v, 0.9), "mean_regret": regret[p].mean(),
             "max_regret": regret[p].max(), "p_best": float((regret[p] == 0).mean()),
             "p_satisfy": None if threshold is None else
             float(((v <= threshold) if minimize else (v >= threshold)).sum()) / len(v)}
        out.append((s, regret[p]))
    return out


def cmd_robustness(sovcap, path):
    with h5py.File(path, "r") as f:
        iso3 = strings(f["country"])
        time = f["time"][...]
        it_final = f["it_mw"][:, :, -1]
        gw = f["year_gw_reached"][...]
    never = time[-1] + (time[1] - time[0])
    gw = np.where(np.isnan(gw), never, gw)
    kor = iso3.index("KOR")

    # Korea's capacity at the horizon, larger is better, a threshold splitting the futures.
    got = json.loads(run(sovcap, "robustness", path, "--metric", "it_mw_final", "--country", "KOR",
                         "--threshold", "500", "--format", "json"))
    groups = per_policy(path, it_final)
    table = np.array([groups[p][:, kor] for p in sorted(groups)])
    check(np.all(np.diff(table, axis=0) > 0), "premise: capacity grows with the budget lever in every future")
    want = expected_stats(table, False, 500.0)
    check(len(got["policies"]) == len(want), f"{len(got['policies'])} policies, expected {len(want)}")
    check(want[-1][1].max() == 0.0, "the dominating policy has regret in some future")
    for g, (w, regret) in zip(got["policies"], want):
        for key, value in w.items():
            close(g[key], value, f"KOR it_mw_final policy {g['policy']} {key}")
    # The regrets of the others are the hand differences from the best, future by future.
    close(got["policies"][0]["mean_regret"], float(np.mean(table[-1] - table[0])), "policy 0 mean regret by hand")
    close(got["policies"][0]["max_regret"], float(np.max(table[-1] - table[0])), "policy 0 max regret by hand")
    check(got["policies"][-1]["levers"] == {"country.KOR.budget_usd_per_year": 8e9},
          f"levers of the last policy: {got['policies'][-1]['levers']}")
    split = got["policies"][1]["p_satisfy"]
    check(0 < split < 1, f"threshold 500 should split policy 1's futures, p_satisfy {split}")

    # Every country, years smaller is better.
    got = json.loads(run(sovcap, "robustness", path, "--metric", "year_gw_reached", "--minimize",
                         "--threshold", "2030", "--format", "json"))
    groups = per_policy(path, gw)
    check(got["never_reached_counts_as"] == never, f"never counts as {got['never_reached_counts_as']}, expected {never}")
    for c, code in enumerate(iso3):
        table = np.array([groups[p][:, c] for p in sorted(groups)])
        for g, (w, _) in zip(got["policies"], expected_stats(table, True, 2030.0)):
            for key, value in w.items():
                close(g["countries"][code][key], value, f"{code} year_gw_reached policy {g['policy']} {key}")


def stored(path):
    """The values of a one-run file a summary is made of, per country."""
    with h5py.File(path, "r") as f:
        iso3 = strings(f["country"])
        out = {"time": f["time"][...], "iso3": iso3,
               "gw": f["year_gw_reached"][0], "target": f["year_target_reached"][0],
               "it_mw": f["it_mw"][0], "compute": f["compute_flops"][0],
               "energy": f["energy_twh"][0, :, -1],
               "spend": f["capex_usd"][0, :, -1] + f["opex_usd"][0, :, -1]}
    return out


def year_or_never(v):
    return "never" if np.isnan(v) else float(v)


def cmd_diff(sovcap, a, b):
    same = json.loads(run(sovcap, "diff", a, a, "--format", "json"))
    for c in same["countries"]:
        for name, m in c["metrics"].items():
            check(not m["changed"], f"{a} against itself: {c['iso3']} {name} changed")
            check(m["delta"] in (0, None), f"{a} against itself: {c['iso3']} {name} delta {m['delta']}")
            check(m["delta"] == 0 or isinstance(m["a"], str), f"{c['iso3']} {name}: numeric delta null")
    got = json.loads(run(sovcap, "diff", a, b, "--format", "json"))
    sa, sb = stored(a), stored(b)
    check(sa["iso3"] == [c["iso3"] for c in got["countries"]], "countries not in the file's order")
    rows = list(csv.DictReader(io.StringIO(run(sovcap, "diff", a, b, "--format", "csv"))))
    moved = 0
    for k, c in enumerate(got["countries"]):
        m = c["metrics"]
        code = c["iso3"]
        for metric, key in (("year_reach_p50", "gw"), ("year_target_p50", "target")):
            x, y = year_or_never(sa[key][k]), year_or_never(sb[key][k])
            check(m[metric]["a"] == x and m[metric]["b"] == y, f"{code} {metric}: {m[metric]} vs stored {x}, {y}")
            if x != "never" and y != "never":
                close(m[metric]["delta"], y - x, f"{code} {metric} delta")
                moved += y != x
        for name, value in m.items():
            if name.startswith("it_mw_") or name.startswith("compute_flops_"):
                year = float(name.rsplit("_", 1)[1])
                t = int(np.where(np.abs(sa["time"] - year) < 1e-9)[0][0])
                series = "it_mw" if name.startswith("it_mw_") else "compute"
                close(value["delta"], sb[series][k, t] - sa[series][k, t], f"{code} {name} delta",
                      tol=1e-9 * max(1.0, abs(sa[series][k, t])))
        end = f"{sa['time'][-1]:.2f}"  # energy and spending at the last summary year, the horizon
        close(m["energy_twh_" + end]["delta"], sb["energy"][k] - sa["energy"][k], f"{code} energy delta",
              tol=1e-9 * max(1.0, sa["energy"][k]))
        close(m["spend_usd_" + end]["delta"], sb["spend"][k] - sa["spend"][k], f"{code} spend delta",
              tol=1e-9 * sa["spend"][k])
        for row in (r for r in rows if r["iso3"] == code and r["kind"] == "summary"):
            j = m[row["metric"]]
            if isinstance(j["a"], str) or j["delta"] is None:
                continue
            close(float(row["delta"]), j["delta"], f"CSV against JSON: {code} {row['metric']}")
    check(moved > 0, "no reach year moved: the shocked scenario should move some")


def cmd_paired(sovcap, a, b):
    for pool in ([], ["--pool"]):
        got = json.loads(run(sovcap, "diff", a, b, "--format", "json", "--paired", *pool))
        check(got["paired"], f"not paired: {got['unpaired_reason']}")
        policies = {c["policy"] for c in got["countries"]}
        check(policies == ({None} if pool else {0, 1, 2}), f"diff {' '.join(pool)}: policies {policies}")
        check_paired(got, a, b)


def check_paired(got, a, b):
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        complete = (fa["run_complete"][...] == 1) & (fb["run_complete"][...] == 1)
        policy = fa["policy"][...]
        check(got["paired_runs"] == int(complete.sum()), f"paired_runs {got['paired_runs']}, expected {complete.sum()}")
        time = fa["time"][...]
        never = time[-1] + (time[1] - time[0])
        values = {"it_mw_final": (fa["it_mw"][:, :, -1], fb["it_mw"][:, :, -1]),
                  "year_gw_reached": (np.nan_to_num(fa["year_gw_reached"][...], nan=never),
                                      np.nan_to_num(fb["year_gw_reached"][...], nan=never)),
                  "energy_twh_final": (fa["energy_twh"][:, :, -1], fb["energy_twh"][:, :, -1])}
    iso3 = [c["iso3"] for c in got["countries"]]
    iso3 = list(dict.fromkeys(iso3))
    for c in got["countries"]:
        k = iso3.index(c["iso3"])
        # Policy by policy where the files share them (the same policy's runs), else all runs.
        ok = complete & ((policy == c["policy"]) if c["policy"] is not None else True)
        for name, (x, y) in values.items():
            d = y[ok, k] - x[ok, k]
            p = c["paired"][name]
            check(p["runs"] == int(ok.sum()), f"{c['iso3']} policy {c['policy']} paired runs {p['runs']}")
            for key, want in (("delta", d.mean()), ("p10", np.quantile(d, 0.1)),
                              ("p50", np.quantile(d, 0.5)), ("p90", np.quantile(d, 0.9)),
                              ("a", x[ok, k].mean()), ("b", y[ok, k].mean())):
                close(p[key], float(want), f"{c['iso3']} paired {name} {key}", tol=1e-9 * max(1.0, abs(x[ok, k]).max()))


def cmd_refuse(sovcap, message, args):
    p = subprocess.run([sovcap, *args], capture_output=True, text=True)
    check(p.returncode == 2, f"sovcap {' '.join(args)}: exit {p.returncode}, expected 2\n{p.stderr}")
    check(p.stdout == "", f"sovcap {' '.join(args)}: printed on stdout:\n{p.stdout}")
    check(p.stderr.startswith("sovcap: error: "), f"no 'sovcap: error: ' line:\n{p.stderr}")
    check(message in p.stderr, f"stderr lacks {message!r}:\n{p.stderr}")


def cmd_not_crn(sovcap, src, dst):
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        policy = f["policy"][...]
        run1 = int(np.where(policy == 1)[0][3])
        f["sampled.global.accel_price_usd"][run1] *= 1.1
    cmd_refuse(sovcap, "is not a common-random-numbers design: sample 3 has sampled.global.accel_price_usd",
               ["robustness", dst, "--metric", "it_mw_final"])


def main():
    sovcap, mode, *rest = sys.argv[1:]
    if mode == "robustness":
        cmd_robustness(sovcap, *rest)
    elif mode == "diff":
        cmd_diff(sovcap, *rest)
    elif mode == "paired":
        cmd_paired(sovcap, *rest)
    elif mode == "refuse":
        cmd_refuse(sovcap, rest[0], rest[2:])
    elif mode == "not_crn":
        cmd_not_crn(sovcap, *rest)
    else:
        sys.exit(f"unknown mode {mode}")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
