#!/usr/bin/env python3
"""A run is reproducible from its results file (issue 13): run the sweep with schedules,
export it, give every run's exported schedules (parameters.csv, NAME.schedule) and lever
values to `sovcap run single.toml --set ...`, and expect the same results bit for bit.

usage: check_schedules.py SOVCAP SCHEDULES_DIR WORK_DIR
"""
import os
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd


def main(argv):
    sovcap, src, work = argv[1:4]
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "sweep.h5")
    subprocess.run([sovcap, "run", os.path.join(src, "sweep.toml"), "-o", out, "--force", "--quiet"],
                   check=True)
    csv = os.path.join(work, "csv")
    subprocess.run([sovcap, "export", out, "--csv", csv, "--force"], check=True,
                   stdout=subprocess.DEVNULL)
    params = pd.read_csv(os.path.join(csv, "parameters.csv"))
    sched = [c for c in params.columns if c.endswith(".schedule")]
    if sorted(sched) != ["country.export_tier.schedule", "global.vendor_supply.schedule"]:
        print(f"FAIL: schedule columns {sched}")
        return 1
    problems = []
    with h5py.File(out, "r") as f:
        for k in range(len(f["run"])):
            row = params[params["run"] == k].iloc[0]
            sets = []
            for col in sched:
                if isinstance(row[col], str) and row[col]:
                    name = col[: -len(".schedule")]
                    if name.startswith("country."):
                        name = "country." + row["iso3"] + "." + name[len("country."):]
                    sets += ["--set", f"{name}={row[col]}"]
            if not any("export_tier" in s for s in sets):
                sets += ["--set", f"country.{row['iso3']}.export_tier={int(row['country.export_tier'])}"]
            one = os.path.join(work, f"run{k}.h5")
            subprocess.run([sovcap, "run", os.path.join(src, "single.toml"), "-o", one, "--force",
                            "--quiet"] + sets, check=True)
            with h5py.File(one, "r") as g:
                for name in ["it_mw", "chip_received", "cash_usd", "vendor_supply", "bottleneck"]:
                    if not np.array_equal(f[name][k], g[name][0], equal_nan=True):
                        problems.append(f"run {k}: {name} differs when rerun with {sets}")
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
