#!/usr/bin/env python3
"""held_back_mw_period against held_back_mw in a results file that stores both (a full
file, or a summary file written with --keep held_back_mw): for every run, country, period
and constraint, the period's value is the mean of held_back_mw over the period's steps
(a step belongs to the period holding its start time; the last period is closed), to
float32 precision; the periods tile the time axis; and the run's held_back_share is the
periods' MW (times their steps) over their sum.

usage: check_held_back_periods.py FILE.h5 [--store summary]
"""
import sys

import numpy as np
import xarray as xr


def main() -> int:
    path = sys.argv[1]
    want_store = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--store" else None
    ds = xr.open_dataset(path)
    problems = []
    if want_store and ds.attrs.get("store") != want_store:
        problems.append(f"store is {ds.attrs.get('store')}, expected {want_store}")
    if want_store == "summary" and "held_back_mw" not in str(ds.attrs.get("kept_series", "")).split():
        problems.append("kept_series does not name held_back_mw")
    for name in ("held_back_mw", "held_back_mw_period", "held_back_share", "period_end"):
        if name not in ds.variables:
            problems.append(f"no variable {name}")
    if problems:
        print("\n".join(problems))
        return 1
    per = ds["held_back_mw_period"]
    if per.dims != ("run", "country", "period", "constraint"):
        problems.append(f"held_back_mw_period has dims {per.dims}")
    t = ds["time"].values
    start, end = ds["period"].values, ds["period_end"].values
    if start[0] != t[0] or end[-1] != t[-1] or np.any(start[1:] != end[:-1]):
        problems.append(f"periods {list(zip(start, end))} do not tile {t[0]}..{t[-1]}")
    held = ds["held_back_mw"].transpose("run", "country", "time", "constraint").values
    per_v = per.values
    total = np.zeros(held.shape[:2] + held.shape[3:])
    covered = 0
    for p in range(len(start)):
        last = p == len(start) - 1
        steps = [n for n in range(1, len(t)) if t[n - 1] >= start[p] and (t[n - 1] < end[p] or last)]
        covered += len(steps)
        if not steps:
            if not np.all(np.isnan(per_v[:, :, p, :])):
                problems.append(f"period {p} has no steps but values")
            continue
        mean = held[:, :, steps, :].mean(axis=2)
        total += mean * len(steps)
        err = np.abs(per_v[:, :, p, :] - mean) / np.maximum(np.abs(mean), 1.0)
        if not np.all(err <= 2e-7):
            problems.append(f"period {p}: held_back_mw_period differs from the mean of held_back_mw "
                            f"by up to {err.max():.3g} (relative)")
    if covered != len(t) - 1:
        problems.append(f"the periods hold {covered} steps, the run {len(t) - 1}")
    share = ds["held_back_share"].transpose("run", "country", "constraint").values
    sums = total.sum(axis=2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        expect = np.where(sums > 0, total / sums, np.nan)
    ok = np.isclose(share, expect, rtol=1e-5, atol=1e-6) | (np.isnan(share) & np.isnan(expect))
    if not np.all(ok):
        problems.append(f"held_back_share is not the periods' MW over their sum at {np.argwhere(~ok)[:3].tolist()}")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"OK: {per_v.shape[0]} runs, {len(start)} periods: held_back_mw_period is the periods' mean of held_back_mw")
    return 0


if __name__ == "__main__":
    sys.exit(main())
