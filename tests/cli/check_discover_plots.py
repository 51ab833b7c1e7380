#!/usr/bin/python3
"""Checks analysis/sovcap_discover_plots.py on the JSON `sovcap discover` writes.

Usage: /usr/bin/python3 check_discover_plots.py --plots PATH/sovcap_discover_plots.py
           --program SOVCAP FILE.h5 OTHER.h5 --out DIR

Runs `SOVCAP discover FILE.h5 ... --format json`, then the plot command in-process on it and
checks both figures: the PNGs are written and not blank, every text lies inside the figure,
every axis is labelled (a quantity with its units), no raw key is shown (check_plots.py's
rules); the trade-off curve draws exactly the trajectory's (coverage, density) points and
the box chart the cases of interest of the JSON inside a rectangle at the box's limits over
the two restricted inputs with the smallest quasi-p-values; a categorical input is drawn as
its categories. A box without restrictions, a results file of other runs (OTHER.h5) and a
missing file are refused with exit status 2 and no PNG. Prints every failure; exit 1 if any.
"""

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys

import numpy as np

os.environ["MPLBACKEND"] = "Agg"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_plots  # noqa: E402  (its Checker, PNG and layout checks, in-process runs)


def offsets(ax):
    return [c.get_offsets() for c in ax.collections if len(c.get_offsets())]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plots", required=True)
    ap.add_argument("--program", required=True)
    ap.add_argument("file")
    ap.add_argument("other")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    mod = check_plots.load_module(a.plots)
    c = check_plots.Checker()
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)

    p = subprocess.run([a.program, "discover", a.file, "--country", "KOR", "--metric", "bottleneck_share_power",
                        "--above", "0.3", "--format", "json", "--resamples", "5"], capture_output=True, text=True)
    if not c.check(p.returncode == 0, f"sovcap discover failed ({p.returncode}): {p.stderr}"):
        return report(c)
    d = json.loads(p.stdout)
    js = os.path.join(a.out, "kor.json")
    with open(js, "w") as f:
        f.write(p.stdout)

    status, out, err, figs = check_plots.render(mod, [js, a.file, "--out", a.out])
    c.check(status == 0, f"plots failed ({status}): {err}")
    for name in ("discover_tradeoff_KOR.png", "discover_box_KOR.png"):
        c.check(name in figs, f"{name} not drawn")
        if name in figs:
            check_plots.check_png(os.path.join(a.out, name), mod, c)
            check_plots.check_layout(name, figs[name], c)
    if len(figs) == 2:
        # The trade-off curve: one point per step of box 1, at its coverage and density.
        steps = [s for s in d["trajectory"] if s["box"] == 0]
        ax = figs["discover_tradeoff_KOR.png"].axes[0]
        drawn = np.concatenate(offsets(ax)[:-1])  # the last: the ring on the reported box
        want = np.array([[s["coverage"], s["density"]] for s in steps])
        c.check(sorted(map(tuple, drawn.round(12))) == sorted(map(tuple, want.round(12))),
                "trade-off points differ from the trajectory")
        ring = offsets(ax)[-1][0]
        chosen = steps[d["boxes"][0]["step"]]
        c.check(np.allclose(ring, [chosen["coverage"], chosen["density"]]), "the ring is not on the reported box")
        # The box chart: the two inputs with the smallest quasi-p, the cases, the rectangle.
        b = d["boxes"][0]
        keys = sorted(b["limits"], key=lambda k: b["quasi_p"][k])[:2]
        c.check(mod.box_inputs(d) == keys, f"inputs drawn {mod.box_inputs(d)}, expected {keys}")
        ax = figs["discover_box_KOR.png"].axes[0]
        pts = offsets(ax)
        c.check(len(pts) == 2 and len(pts[1]) == d["cases_by_run"].count("1"),
                "the box chart does not draw every case of interest")
        rect = ax.patches[0]
        lo_x, hi_x = b["limits"][keys[0]]
        lo_y, hi_y = b["limits"][keys[1]]
        c.check(np.allclose([rect.get_x(), rect.get_y(), rect.get_x() + rect.get_width(),
                             rect.get_y() + rect.get_height()], [lo_x, lo_y, hi_x, hi_y]),
                "the rectangle is not at the box's limits")

    # A categorical input (the choice of chip lifetime) on an axis: its categories as ticks.
    cat = copy.deepcopy(d)
    b = cat["boxes"][0]
    b["limits"]["global.chip_lifetime_years"] = [4, 5]
    b["quasi_p"]["global.chip_lifetime_years"] = 0.0
    with open(os.path.join(a.out, "cat.json"), "w") as f:
        json.dump(cat, f)
    status, out, err, figs = check_plots.render(mod, [os.path.join(a.out, "cat.json"), a.file, "--out", a.out,
                                                      "--quiet"])
    c.check(status == 0 and out == "", f"categorical: status {status}, stdout {out!r}, stderr {err}")
    if "discover_box_KOR.png" in figs:
        check_plots.check_layout("categorical box", figs["discover_box_KOR.png"], c)
        ax = figs["discover_box_KOR.png"].axes[0]
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        c.check(ticks == ["4 years", "5 years", "6 years"], f"categorical ticks {ticks}")

    # Refusals: exit 2, the reason, no PNG.
    empty = copy.deepcopy(d)
    empty["boxes"][0]["limits"] = {}
    with open(os.path.join(a.out, "empty.json"), "w") as f:
        json.dump(empty, f)
    for args, message in (([os.path.join(a.out, "empty.json"), a.file], "box 1 restricts no input"),
                          ([js, a.other], "not the file it was made from"),
                          ([js, os.path.join(a.out, "none.h5")], "none.h5: no such file"),
                          ([os.path.join(a.out, "none.json"), a.file], "cannot read the JSON")):
        folder = os.path.join(a.out, "refused")
        shutil.rmtree(folder, ignore_errors=True)
        p = check_plots.run_plots(a.plots, args + ["--out", folder])
        c.check(p.returncode == 2 and message in p.stderr,
                f"{args}: status {p.returncode}, stderr {p.stderr!r}, expected 2 and {message!r}")
        pngs = [n for n in os.listdir(folder) if n.endswith(".png")] if os.path.isdir(folder) else []
        c.check(not pngs, f"{args}: wrote {pngs} though refused")
    return report(c)


def report(c):
    for msg in c.failures:
        print(f"FAIL: {msg}")
    if c.failures:
        print(f"{len(c.failures)} failure(s)")
        return 1
    print("check_discover_plots: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
