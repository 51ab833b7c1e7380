#!/usr/bin/python3
"""Checks analysis/sovcap_explore_plots.py on files and JSON written by the program.

Usage: /usr/bin/python3 check_explore_plots.py --plots PATH/sovcap_explore_plots.py
           --program SOVCAP MODE ...

  regret SWEEP.h5 --out DIR
      `sovcap robustness SWEEP.h5 --metric year_gw_reached --minimize --format json` (every
      country) and the same for Korea's it_mw_final: the command writes a PNG that is not
      blank; drawn in-process, every cell says the mean regret of the JSON for its policy and
      country, the least regret of each country where policies differ (ties included) is framed, the policies are
      labelled by their lever values in words with units, the colour bar and axes are
      labelled, no text lies outside the figure and none is a raw key.
  diff A.h5 B.h5 --country ISO3 --out DIR [--policy P]
      `sovcap diff A.h5 B.h5 --format json` and the overlaid fan charts (of policy P): the
      PNG is written; in-process, the two median lines equal the median of it_mw over each
      file's runs (of policy P) read with h5py, both bands are drawn, the box gives the JSON's median years, and the layout
      holds as above.
  refuse --status N --message TEXT [--json-of-diff A.h5 B.h5] -- ARGS...
      the plot command with ARGS (and --diff, the JSON of `sovcap diff A.h5 B.h5`) exits N
      with TEXT on stderr and writes no PNG.

Prints every failure and exits 1 if there was any.
"""

import argparse
import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys

import numpy as np

os.environ["MPLBACKEND"] = "Agg"
HERE = os.path.dirname(os.path.abspath(__file__))


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


cp = load("check_plots", os.path.join(HERE, "check_plots.py"))  # PNG and layout checks
c = cp.Checker()


def program(sovcap, args, out):
    p = subprocess.run([sovcap] + args, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"sovcap {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    with open(out, "w", encoding="utf-8") as f:
        f.write(p.stdout)
    return json.loads(p.stdout)


def run_cli(plots, args):
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, plots] + args, capture_output=True, text=True, env=env)


def drawn(mod, argv):
    """Runs the module's main in-process: (status, {PNG name: Figure})."""
    figs = {}
    save = mod._save

    def keep(fig, path, *args, **kwargs):
        figs[os.path.basename(path)] = fig
        save(fig, path, *args, **kwargs)
    mod._save = keep
    try:
        status = mod.main(argv)
    finally:
        mod._save = save
    return status, figs


def layout(name, fig):
    """check_plots' layout checks; a colour bar is no panel of its own (its x scale is its
    own), but must be labelled with units."""
    data_axes = cp.data_axes
    cp.data_axes = lambda f: [ax for ax in data_axes(f) if ax.get_label() != "<colorbar>"]
    try:
        cp.check_layout(name, fig, c)
    finally:
        cp.data_axes = data_axes
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            c.check("(%)" in ax.get_ylabel(), f"{name}: colour bar labelled {ax.get_ylabel()!r}")


def cmd_regret(a, mod):
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    for case, args in (("all", ["--metric", "year_gw_reached", "--minimize"]),
                       ("KOR", ["--metric", "it_mw_final", "--country", "KOR"])):
        jpath = os.path.join(a.out, f"robustness_{case}.json")
        doc = program(a.program, ["robustness", a.files[0], "--format", "json"] + args, jpath)
        png = os.path.join(a.out, f"regret_{case}.png")
        p = run_cli(a.plots, ["regret", jpath, "--out", png])
        c.check(p.returncode == 0, f"regret {case}: exit {p.returncode}\n{p.stderr}")
        cp.check_png(png, mod.sp, c)
        status, figs = drawn(mod, ["regret", jpath, "--out", os.path.join(a.out, f"inproc_{case}.png"), "--quiet"])
        if not c.check(status == 0 and len(figs) == 1, f"regret {case}: in-process status {status}"):
            continue
        fig = next(iter(figs.values()))
        layout(f"regret_{case}.png", fig)
        ax = next(x for x in fig.axes if x.get_label() != "<colorbar>")
        codes, table = mod.regret_table(doc)
        cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
        for i in range(table.shape[0]):
            for j in range(table.shape[1]):
                want = mod._cell_text(table[i, j])
                c.check(cells.get((i, j)) == want, f"regret {case}: cell policy {i} {codes[j]} says "
                                                   f"{cells.get((i, j))!r}, JSON {table[i, j]} ({want!r})")
        framed = {(round(r.get_y() + 0.5), round(r.get_x() + 0.5)) for r in ax.patches}
        differ = table.max(axis=0) > table.min(axis=0)
        least = {(int(i), int(j)) for i, j in zip(*np.nonzero((table == table.min(axis=0)) & differ))}
        c.check(least, f"regret {case}: no country where the policies differ: a weak check")
        c.check(framed == least, f"regret {case}: framed {sorted(framed)}, least {sorted(least)}")
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        c.check(any("KOR budget: 8 billion USD per year" in t for t in ticks),
                f"regret {case}: policy labels {ticks}")
        c.check([t.get_text() for t in ax.get_xticklabels()] == codes, f"regret {case}: countries")


def cmd_diff(a, mod):
    import h5py

    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    jpath = os.path.join(a.out, "diff.json")
    doc = program(a.program, ["diff", a.files[0], a.files[1], "--format", "json"], jpath)
    png = os.path.join(a.out, f"diff_{a.country}.png")
    args = ["diff", a.files[0], a.files[1], "--country", a.country, "--diff", jpath]
    if a.policy is not None:
        args += ["--policy", str(a.policy)]
    p = run_cli(a.plots, args + ["--out", png])
    c.check(p.returncode == 0, f"diff: exit {p.returncode}\n{p.stderr}")
    cp.check_png(png, mod.sp, c)
    status, figs = drawn(mod, args + ["--out", os.path.join(a.out, "inproc.png"), "--quiet"])
    if not c.check(status == 0 and len(figs) == 1, f"diff: in-process status {status}"):
        return
    fig = next(iter(figs.values()))
    layout("diff.png", fig)
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-" and len(ln.get_xdata()) > 2]
    for k, path in enumerate(a.files):
        with h5py.File(path, "r") as f:
            iso3 = [x.decode() if isinstance(x, bytes) else x for x in f["country"][...]]
            it = f["it_mw"][:, iso3.index(a.country), :]
            ok = f["run_complete"][...] == 1
            if a.policy is not None:
                ok &= f["policy"][...] == a.policy
        want = np.quantile(it[ok], 0.5, axis=0)  # sovcap_plots keeps it_mw as float32
        c.check(any(len(ln.get_ydata()) == len(want) and np.allclose(ln.get_ydata(), want, rtol=1e-6)
                    for ln in lines), f"diff: no line is the median of {path}'s it_mw")
    bands = sum(n > 1 for n in (doc["runs_a"], doc["runs_b"]))  # one run: its line, no band
    c.check(len(ax.collections) == bands, f"diff: {len(ax.collections)} bands drawn, expected {bands}")
    entry = next(x for x in doc["countries"] if x["iso3"] == a.country and x["policy"] == a.policy)
    box = "\n".join(t.get_text() for t in ax.texts)
    gw = entry["metrics"]["year_reach_p50"]
    year = [(v if isinstance(v, str) else f"{v:.2f}") for v in (gw["a"], gw["b"])]
    c.check(f"1 GW: {year[0]} → {year[1]}" in box, f"diff: the box lacks the 1 GW years {year}:\n{box}")
    if doc["paired"]:
        c.check("run by run (same futures)" in box, f"diff: paired JSON but no paired line:\n{box}")


def cmd_refuse(a, mod):
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    extra = []
    if a.json_of_diff:
        jpath = os.path.join(a.out, "diff.json")
        program(a.program, ["diff", *a.json_of_diff, "--format", "json"], jpath)
        extra = ["--diff", jpath]
    p = run_cli(a.plots, a.rest + extra + ["--out", os.path.join(a.out, "x.png")])
    c.check(p.returncode == a.status, f"exit {p.returncode}, expected {a.status}\n{p.stderr}")
    c.check(a.message in p.stderr, f"stderr lacks {a.message!r}:\n{p.stderr}")
    c.check(not glob.glob(os.path.join(a.out, "*.png")), "a PNG was written despite the error")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plots", required=True)
    ap.add_argument("--program", required=True)
    ap.add_argument("mode", choices=("regret", "diff", "refuse"))
    ap.add_argument("files", nargs="*")
    ap.add_argument("--out", required=True)
    ap.add_argument("--country", default="KOR")
    ap.add_argument("--policy", type=int, help="diff: one policy of both files")
    ap.add_argument("--status", type=int, default=2)
    ap.add_argument("--message", default="")
    ap.add_argument("--json-of-diff", nargs=2, metavar=("A", "B"),
                    help="refuse: pass the plot command --diff with the JSON of sovcap diff A B")
    argv = sys.argv[1:]
    rest = []
    if "--" in argv:
        rest = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    a = ap.parse_args(argv)
    a.rest = rest
    mod = load("sovcap_explore_plots", a.plots)
    {"regret": cmd_regret, "diff": cmd_diff, "refuse": cmd_refuse}[a.mode](a, mod)
    for f in c.failures:
        print("FAIL:", f)
    sys.exit(1 if c.failures else 0)


if __name__ == "__main__":
    main()
