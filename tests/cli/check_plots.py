#!/usr/bin/python3
"""Checks analysis/sovcap_plots.py on results files written by the program.

Usage: /usr/bin/python3 check_plots.py --plots PATH/sovcap_plots.py MODE ...

  figures FILE.h5 --out DIR [--expect NAME,...] [--status N --message TEXT] [-- ARGS...]
      runs the plot command headless (MPLBACKEND=Agg, no DISPLAY) on FILE into DIR (emptied
      first) with ARGS; with --status 0 (default) checks that every expected PNG exists and
      is not blank: pixel variance above a threshold, many distinct colours, and the data
      drawn (the fan colour on fan charts and country grids, bottleneck colours covering a
      good part of timelines). With another --status, checks the exit status, that TEXT is
      in stderr and that no PNG was written.
  stats FULL.h5 SUMMARY.h5
      the statistics behind the figures, read a few runs at a time, against the same
      computed directly with xarray over the whole file: quantiles of it_mw, bottleneck
      shares, 1 GW shares, the target path (from target_mw, and rebuilt from parameters in
      the summary file), one policy's selection, and the subsample past --max-runs.
  tornado FILE.h5 --out DIR [--program SOVCAP --saltelli SCENARIO]
      tornado charts from a sensitivity CSV laid out as `sovcap sensitivity --format csv`
      writes it (two policies: two panels; a constant output; a series at two years), a
      clear failure for a CSV missing a column; with --program, also from the CSV the
      program writes for a Saltelli sweep of SCENARIO.

Prints every failure and exits 1 if there was any. Needs Debian's python3 (numpy, h5py,
matplotlib, pandas, xarray with h5netcdf).
"""

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys

import numpy as np

os.environ["MPLBACKEND"] = "Agg"

MIN_VARIANCE = 0.005     # of RGB values in [0, 1]; a white canvas has 0
MIN_COLOURS = 16         # distinct 8-bit RGB colours; a blank canvas has 1


class Checker:
    def __init__(self):
        self.failures = []

    def check(self, ok, message):
        if not ok:
            self.failures.append(message)
        return ok


def load_module(path):
    spec = importlib.util.spec_from_file_location("sovcap_plots", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_plots(plots, args):
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run([sys.executable, plots] + args, capture_output=True, text=True,
                          env=env)


def hex_rgb(h):
    h = h.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.int16)


def check_png(path, mod, c):
    import matplotlib.image as mimage

    if not c.check(os.path.isfile(path), f"{path}: not written"):
        return
    try:
        img = mimage.imread(path)
    except Exception as e:  # a corrupt file is the finding
        c.check(False, f"{path}: cannot read as PNG: {e}")
        return
    c.check(img.ndim == 3 and img.shape[0] >= 200 and img.shape[1] >= 300,
            f"{path}: image of shape {img.shape}, expected at least 300 x 200 pixels")
    rgb = img[..., :3].astype(np.float64)
    var = float(rgb.var())
    c.check(var > MIN_VARIANCE, f"{path}: pixel variance {var:.5f} <= {MIN_VARIANCE}: blank?")
    px = np.round(rgb * 255).astype(np.int16).reshape(-1, 3)
    packed = (px[:, 0].astype(np.int32) << 16) | (px[:, 1].astype(np.int32) << 8) | px[:, 2]
    colours = len(np.unique(packed))
    c.check(colours > MIN_COLOURS, f"{path}: {colours} distinct colours <= {MIN_COLOURS}")
    name = os.path.basename(path)

    def near(hexcolour, tol=24):
        return int((np.abs(px - hex_rgb(hexcolour)).max(axis=1) <= tol).sum())
    if name.startswith(("fan_", "countries")):
        n = near(mod.FAN_COLOUR)
        c.check(n > 100, f"{path}: only {n} pixels of the median/band colour: no data drawn?")
    if name.startswith("bottlenecks_"):
        n = sum(near(mod.CODE_COLOURS[k], tol=2) for k in mod.CODES)
        share = n / len(px)
        c.check(share > 0.2, f"{path}: bottleneck colours cover {share:.0%} of the image, "
                             "expected the stacked areas to fill the axes")
    if name.startswith("tornado_"):
        n = near("#1F5A99") + near("#9CC3E6")
        c.check(n > 200, f"{path}: only {n} pixels of bar colours: no bars drawn?")


def cmd_figures(a, mod, c):
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    p = run_plots(a.plots, [a.file, "--out", a.out] + a.rest)
    pngs = (sorted(x for x in os.listdir(a.out) if x.endswith(".png"))
            if os.path.isdir(a.out) else [])
    if a.status != 0:
        c.check(p.returncode == a.status,
                f"exit status {p.returncode}, expected {a.status}; stderr:\n{p.stderr}")
        c.check(a.message in p.stderr, f"stderr lacks {a.message!r}:\n{p.stderr}")
        c.check(not pngs, f"figures written despite the error: {pngs}")
        return
    if not c.check(p.returncode == 0, f"plot command failed ({p.returncode}):\n{p.stdout}"
                                      f"\n{p.stderr}"):
        return
    expect = [x for x in (a.expect or "").split(",") if x]
    for name in expect:
        check_png(os.path.join(a.out, name), mod, c)
    for name in pngs:
        if name not in expect:
            check_png(os.path.join(a.out, name), mod, c)
    c.check(len(pngs) >= len(expect), f"{len(pngs)} PNGs written, expected {len(expect)}+")
    if a.message:
        c.check(a.message in p.stdout + p.stderr,
                f"output lacks {a.message!r}:\n{p.stdout}\n{p.stderr}")


def close(a, b, what, c, tol=1e-6):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    ok = a.shape == b.shape and np.allclose(a, b, rtol=tol, atol=tol, equal_nan=True)
    if not ok and a.shape == b.shape:
        d = np.nanmax(np.abs(a - b))
        c.check(False, f"{what}: differs, max |diff| {d:g}")
    else:
        c.check(ok, f"{what}: shapes {a.shape} and {b.shape}")


def cmd_stats(a, mod, c):
    import xarray as xr

    full, summary = a.files
    ds = xr.open_dataset(full, engine="h5netcdf", mask_and_scale=False)
    ok = ds.run_complete.values == 1
    c.check(ok.all(), f"{full}: not every run complete")
    codes = list(ds.country.values)
    q = mod.QUANTILES

    # Every run, read 7 at a time (blocks cross the storage chunks of 16).
    r = mod.load(full, max_runs=0, block_runs=7)
    c.check(r.runs_used == ds.sizes["run"], f"load used {r.runs_used} runs of {ds.sizes['run']}")
    c.check(r.countries == codes, f"countries {r.countries}, expected {codes}")
    bn = ds.bottleneck.values
    for j, k in enumerate(codes):
        close(r.it_q[k], np.quantile(ds.it_mw.values[:, j, :], q, axis=0),
              f"it_mw quantiles {k}", c)
        want = np.stack([(bn[:, j, :] == code).mean(axis=0) for code in range(6)])
        close(r.shares[k], want, f"bottleneck shares {k}", c)
        close(r.target[k], ds.target_mw.values[0, j, :], f"target path {k}", c)
        gw = ds.year_gw_reached.values[:, j]
        close(r.gw[k][0], np.mean(~np.isnan(gw)), f"1 GW share {k}", c)
        c.check(set(r.it_q_policy[k]) == {0, 1, 2, 3}, f"per-policy medians {k}: "
                                                       f"{sorted(r.it_q_policy[k])}")
        pol = ds.policy.values
        close(r.it_q_policy[k][2][1], np.median(ds.it_mw.values[pol == 2, j, :], axis=0),
              f"policy 2 median {k}", c)
    c.check(r.target_source == "target_mw", f"target source {r.target_source}")
    c.check("4 policies pooled" in r.sample_text(), f"note lacks the pooling: {r.sample_text()}")

    # The target path rebuilt from the parameters equals target_mw, run by run.
    rebuilt = mod.target_path(ds.time.values, float(ds.attrs["start_year"]),
                              ds["country.it_mw"].values, ds["country.target_year"].values,
                              ds["country.target_mw"].values)
    close(rebuilt, ds.target_mw.values, "target path from parameters, every run", c)

    # One policy, from the summary file (no target_mw: targets from parameters).
    sm = xr.open_dataset(summary, engine="h5netcdf", mask_and_scale=False)
    c.check("target_mw" not in sm, f"{summary}: has target_mw; the test wants it absent")
    rs = mod.load(summary, countries=["SAU", "KOR"], policy=2, max_runs=0, block_runs=5)
    sel = sm.policy.values == 2
    c.check(rs.runs_used == int(sel.sum()), f"policy 2: {rs.runs_used} runs, expected {sel.sum()}")
    c.check(rs.countries == ["SAU", "KOR"], f"country order {rs.countries}")
    c.check(rs.target_source == "parameters", f"summary target source {rs.target_source}")
    c.check(any("rebuilt" in n for n in rs.notes), f"no note on rebuilt targets: {rs.notes}")
    c.check(not rs.it_q_policy, "per-policy medians drawn for a single policy")
    c.check("policy 2: allocation = max_min_fair" in rs.sample_text(),
            f"policy text: {rs.sample_text()}")
    for k in ("SAU", "KOR"):
        j = codes.index(k)
        close(rs.it_q[k], np.quantile(sm.it_mw.values[sel, j, :], q, axis=0),
              f"summary policy 2 quantiles {k}", c)
        close(rs.target[k], ds.target_mw.values[0, j, :], f"summary target from parameters {k}", c)
        sbn = sm.bottleneck.values[sel, j, :]
        close(rs.shares[k], np.stack([(sbn == code).mean(axis=0) for code in range(6)]),
              f"summary policy 2 shares {k}", c)

    # Past --max-runs: whole storage blocks, evenly spaced, and said on the figures.
    rc = mod.load(full, max_runs=40, block_runs=64)
    c.check(40 <= rc.runs_used < ds.sizes["run"],
            f"subsample of {rc.runs_used} runs for --max-runs 40 of {ds.sizes['run']}")
    c.check("subsample of" in rc.sample_text(), f"subsample not stated: {rc.sample_text()}")
    c.check(rc.subsample_block > 0, "subsample block not recorded")

    # Bad selections fail clearly.
    for kwargs, text in (({"countries": ["XXX"]}, "no country XXX"),
                         ({"policy": 9}, "policies 0 to 3")):
        try:
            mod.load(full, **kwargs)
            c.check(False, f"load({kwargs}) did not fail")
        except mod.PlotError as e:
            c.check(text in str(e), f"load({kwargs}): message {e!s} lacks {text!r}")


# The layout of `sovcap sensitivity --format csv`: two policies, two countries, one metric.
SENSITIVITY_CSV = '''policy,levers,country,metric,year,parameter,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,base_rows,runs,mean,sd,censored,note
0,"global.allocation = ""pro_rata""",KOR,year_gw_reached,,global.vendor_supply_growth,0.42,0.35,0.49,0.55,0.47,0.63,512,3072,2031.2,0.65,12,
0,"global.allocation = ""pro_rata""",KOR,year_gw_reached,,global.other_demand,0.18,0.12,0.24,0.27,0.20,0.34,512,3072,2031.2,0.65,12,
0,"global.allocation = ""pro_rata""",KOR,year_gw_reached,,country.*.workforce_growth,0.02,-0.03,0.07,0.05,0.02,0.08,512,3072,2031.2,0.65,12,
0,"global.allocation = ""pro_rata""",FRA,year_gw_reached,,global.vendor_supply_growth,0.30,0.22,0.38,0.41,0.33,0.49,512,3072,2030.8,0.41,0,
0,"global.allocation = ""pro_rata""",FRA,year_gw_reached,,global.other_demand,0.25,0.18,0.32,0.33,0.26,0.40,512,3072,2030.8,0.41,0,
0,"global.allocation = ""pro_rata""",FRA,year_gw_reached,,country.*.workforce_growth,0.05,0.00,0.10,0.09,0.05,0.13,512,3072,2030.8,0.41,0,
1,"global.allocation = ""max_min_fair""",KOR,year_gw_reached,,global.vendor_supply_growth,0.61,0.55,0.67,0.70,0.63,0.77,512,3072,2031.0,0.60,3,
1,"global.allocation = ""max_min_fair""",KOR,year_gw_reached,,global.other_demand,0.09,0.04,0.14,0.12,0.08,0.16,512,3072,2031.0,0.60,3,
1,"global.allocation = ""max_min_fair""",KOR,year_gw_reached,,country.*.workforce_growth,0.01,-0.02,0.04,0.03,0.01,0.05,512,3072,2031.0,0.60,3,
1,"global.allocation = ""max_min_fair""",FRA,year_gw_reached,,global.vendor_supply_growth,nan,nan,nan,nan,nan,nan,512,3072,2032.25,0,3072,constant output: every run of A and B gives the same value
1,"global.allocation = ""max_min_fair""",FRA,year_gw_reached,,global.other_demand,nan,nan,nan,nan,nan,nan,512,3072,2032.25,0,3072,constant output: every run of A and B gives the same value
1,"global.allocation = ""max_min_fair""",FRA,year_gw_reached,,country.*.workforce_growth,nan,nan,nan,nan,nan,nan,512,3072,2032.25,0,3072,constant output: every run of A and B gives the same value
'''

# Indices of a series at two years (`sovcap sensitivity --series it_mw`), one policy.
SERIES_CSV = """policy,levers,country,metric,year,parameter,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,base_rows,runs,mean,sd,censored,note
0,,KOR,it_mw@2030,2030,global.vendor_supply_growth,0.2,0.1,0.3,0.3,0.2,0.4,512,3072,900,80,0,
0,,KOR,it_mw@2030,2030,global.other_demand,0.5,0.4,0.6,0.6,0.5,0.7,512,3072,900,80,0,
0,,KOR,it_mw@2031,2031,global.vendor_supply_growth,0.6,0.5,0.7,0.7,0.6,0.8,512,3072,1000,90,0,
0,,KOR,it_mw@2031,2031,global.other_demand,0.1,0.0,0.2,0.2,0.1,0.3,512,3072,1000,90,0,
"""


def cmd_tornado(a, mod, c):
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)

    def write(name, text):
        path = os.path.join(a.out, name)
        with open(path, "w") as f:
            f.write(text)
        return path
    good = write("sensitivity.csv", SENSITIVITY_CSV)
    figs = os.path.join(a.out, "figs")
    p = run_plots(a.plots, [a.file, "--out", figs, "--figures", "tornado",
                            "--sensitivity", good, "--countries", "KOR,FRA,SAU"])
    if c.check(p.returncode == 0, f"tornado failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"):
        for k in ("KOR", "FRA"):
            check_png(os.path.join(figs, f"tornado_{k}.png"), mod, c)
        c.check(not os.path.exists(os.path.join(figs, "tornado_SAU.png")),
                "tornado_SAU.png written without rows for SAU")
        c.check("no sensitivity rows for SAU" in p.stderr, f"no note on SAU:\n{p.stderr}")

    # Selection: one panel per policy, or one policy; the last year of a series, or another.
    df = mod.read_sensitivity(good)
    rows, keys, _ = mod.select_sensitivity(df, "KOR")
    c.check(keys == ["policy"] and len(rows) == 6,
            f"KOR, all policies: keys {keys}, {len(rows)} rows")
    rows, keys, _ = mod.select_sensitivity(df, "KOR", policy=1)
    c.check(keys == [] and set(rows["policy"]) == {1}, f"KOR, policy 1: keys {keys}")
    series = mod.read_sensitivity(write("series.csv", SERIES_CSV))
    rows, keys, text = mod.select_sensitivity(series, "KOR")
    c.check(set(rows["year"]) == {2031.0} and "2031" in text, f"series default year: {text!r}")
    rows, keys, text = mod.select_sensitivity(series, "KOR", year=2030.0)
    c.check(set(rows["year"]) == {2030.0} and keys == [], f"series year 2030: {keys}")
    p = run_plots(a.plots, [a.file, "--out", os.path.join(a.out, "figs_year"), "--figures",
                            "tornado", "--sensitivity", os.path.join(a.out, "series.csv"),
                            "--sensitivity-year", "2029"])
    c.check(p.returncode == 2 and "no indices at year 2029" in p.stderr,
            f"--sensitivity-year 2029: exit {p.returncode}, stderr:\n{p.stderr}")

    # Missing a column: exit 2 naming it, before any figure is drawn.
    header, *body = SENSITIVITY_CSV.splitlines()
    bad = write("bad.csv", header.replace(",ST_hi", ",ST_upper") + "\n" + "\n".join(body) + "\n")
    figs2 = os.path.join(a.out, "figs_bad")
    p = run_plots(a.plots, [a.file, "--out", figs2, "--sensitivity", bad])
    c.check(p.returncode == 2, f"CSV without ST_hi: exit {p.returncode}, expected 2")
    c.check("missing column(s) ST_hi" in p.stderr, f"CSV without ST_hi: stderr:\n{p.stderr}")
    c.check(not os.path.isdir(figs2) or not os.listdir(figs2),
            "figures written despite a bad sensitivity CSV")

    # End to end, when given the program and a Saltelli sweep: its own CSV, drawn.
    if a.program and a.saltelli:
        h5 = os.path.join(a.out, "saltelli.h5")
        r = subprocess.run([a.program, "run", a.saltelli, "-o", h5, "--force", "--quiet"],
                           capture_output=True, text=True)
        if not c.check(r.returncode == 0, f"sovcap run {a.saltelli}: {r.returncode}\n{r.stderr}"):
            return
        r = subprocess.run([a.program, "sensitivity", h5, "--metric", "year_gw_reached",
                            "--format", "csv", "--policy", "all", "--bootstrap", "100"],
                           capture_output=True, text=True)
        if not c.check(r.returncode == 0, f"sovcap sensitivity: {r.returncode}\n{r.stderr}"):
            return
        csv = write("program.csv", r.stdout)
        figs3 = os.path.join(a.out, "figs_program")
        p = run_plots(a.plots, [h5, "--out", figs3, "--sensitivity", csv, "--figures",
                                "tornado"])
        if c.check(p.returncode == 0, f"tornado from the program's CSV failed "
                                      f"({p.returncode}):\n{p.stdout}\n{p.stderr}"):
            for k in sorted(set(mod.read_sensitivity(csv)["country"])):
                check_png(os.path.join(figs3, f"tornado_{k}.png"), mod, c)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plots", required=True, help="path of analysis/sovcap_plots.py")
    sub = ap.add_subparsers(dest="mode", required=True)
    f = sub.add_parser("figures")
    f.add_argument("file")
    f.add_argument("--out", required=True)
    f.add_argument("--expect", default="")
    f.add_argument("--status", type=int, default=0)
    f.add_argument("--message", default="")
    s = sub.add_parser("stats")
    s.add_argument("files", nargs=2, metavar=("FULL.h5", "SUMMARY.h5"))
    t = sub.add_parser("tornado")
    t.add_argument("file")
    t.add_argument("--out", required=True)
    t.add_argument("--program", help="sovcap, to write a sensitivity CSV of its own")
    t.add_argument("--saltelli", help="a Saltelli sweep scenario for --program")
    argv = sys.argv[1:]
    rest = argv[argv.index("--") + 1:] if "--" in argv else []
    a = ap.parse_args(argv[:len(argv) - len(rest) - (1 if "--" in argv else 0)])
    a.rest = rest

    mod = load_module(a.plots)
    c = Checker()
    {"figures": cmd_figures, "stats": cmd_stats, "tornado": cmd_tornado}[a.mode](a, mod, c)
    for msg in c.failures:
        print(f"FAIL: {msg}")
    if c.failures:
        print(f"{len(c.failures)} failure(s)")
        return 1
    print(f"check_plots {a.mode}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
