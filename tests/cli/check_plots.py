#!/usr/bin/python3
"""Checks analysis/sovcap_plots.py on results files written by the program.

Usage: /usr/bin/python3 check_plots.py --plots PATH/sovcap_plots.py MODE ...

  figures FILE.h5 --out DIR [--expect NAME,...] [--status N --message TEXT] [--silent]
          [-- ARGS...]
      runs the plot command headless (MPLBACKEND=Agg, no DISPLAY) on FILE into DIR (emptied
      first) with ARGS; with --status 0 (default) checks that every expected PNG exists and
      is not blank: pixel variance above a threshold, many distinct colours, and the data
      drawn (the fan colour on fan charts and country grids, bottleneck colours covering a
      good part of timelines). With another --status, checks the exit status, that TEXT is
      in stderr and that no PNG was written. --silent: nothing on stdout, and on stderr
      nothing (status 0) or the one error line.
  layout FILE.h5 --out DIR [--panels NAME=N] [--targets NAME=N] [--text NAME=TEXT]
         [--no-text NAME=TEXT] [-- ARGS...]
      runs the plot command in-process and inspects every figure it draws: each text and
      legend lies inside the figure (titles not clipped), each axis with tick labels is
      labelled (a quantity with its units in parentheses), no raw parameter key or
      snake_case name in any text, one x scale across the panels of a figure; NAME has N
      panels (axes with data), N target paths (one dashed target per panel), a text
      containing TEXT, or none containing it.
  stats FULL.h5 SUMMARY.h5
      the statistics behind the figures, read a few runs at a time, against the same
      computed directly with xarray over the whole file: quantiles of it_mw per policy and
      pooled, bottleneck shares, 1 GW shares, the target path (from target_mw, and rebuilt
      from parameters in the summary file), one policy's selection, and the subsample past
      --max-runs.
  bands FILE.h5
      a sweep with a lever on one country's targets: every fan band (per policy, and with
      pooling, per target path) holds exactly the runs of its policy and target path, and
      its quantiles are theirs.
  names FILE.h5 --program SOVCAP
      every parameter that `sovcap params --markdown` lists has a readable name, and labels
      built with the units stored in FILE read as expected.
  tornado FILE.h5 --out DIR [--program SOVCAP --saltelli SCENARIO]
      tornado charts from a sensitivity CSV laid out as `sovcap sensitivity --format csv`
      writes it (two policies: two panels; a constant output; a series at two years), a
      clear failure for a CSV missing a column; with --program, also from the CSV the
      program writes for a Saltelli sweep of SCENARIO.

Prints every failure and exits 1 if there was any. Needs Debian's python3 (numpy, h5py,
matplotlib, pandas, xarray with h5netcdf).
"""

import argparse
import contextlib
import importlib.util
import io
import os
import re
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
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))  # its sovcap_* modules
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
        # The fan colour, or on a country grid with policies apart the policies' colours.
        colours = (mod.FAN_COLOUR,) + (mod.POLICY_COLOURS if name.startswith("countries")
                                       else ())
        n = sum(near(x) for x in colours)
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
    if a.silent:
        c.check(p.stdout == "", f"--quiet, yet stdout:\n{p.stdout}")
        lines = p.stderr.splitlines()
        if a.status == 0:
            c.check(p.stderr == "", f"--quiet, yet stderr:\n{p.stderr}")
        else:
            c.check(len(lines) == 1 and lines[0].startswith("sovcap_plots: error:"),
                    f"--quiet: stderr should be the one error line, is:\n{p.stderr}")
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


def render(mod, argv):
    """Runs the plot command in-process: (status, stdout, stderr, {PNG name: Figure}), each
    figure as it was when written."""
    figs = {}
    save = mod._save

    def keep(fig, path, *args, **kwargs):
        figs[os.path.basename(path)] = fig
        save(fig, path, *args, **kwargs)
    mod._save = keep
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = mod.main(argv)
            except SystemExit as e:  # argparse rejecting an option
                status = e.code
    finally:
        mod._save = save
    return status, out.getvalue(), err.getvalue(), figs


# A raw key in a label: a dotted parameter key, or a snake_case name (file names aside).
RAW_KEY = re.compile(r"^(global|country|lever|sampled|defaults|simulation)\.[\w*]|_")
FILE_NAME = re.compile(r"\.(h5|csv|png|toml|md)\)?[,;:]?$")


def _texts(fig):
    """The texts drawn: visible, not empty, not in a hidden panel, and of the tick labels
    only those of ticks inside the axis' view (the others are not drawn)."""
    from matplotlib.text import Text

    ticks, shown = set(), set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                labels = {id(tick.label1), id(tick.label2)}
                ticks |= labels
                if lo - 1e-9 * max(1.0, abs(hi)) <= tick.get_loc() <= hi + 1e-9 * max(1.0, abs(hi)):
                    shown |= labels
    for t in fig.findobj(Text):
        if id(t) in ticks and id(t) not in shown:
            continue
        if t.get_visible() and t.get_text().strip() and (t.axes is None or t.axes.get_visible()):
            yield t


def data_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.has_data()]


def check_layout(name, fig, c):
    """What every figure must satisfy: nothing clipped, axes labelled with units, readable
    names, one x scale across panels."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    for t in _texts(fig):
        e = t.get_window_extent(renderer)
        c.check(e.x0 >= box.x0 - 1 and e.y0 >= box.y0 - 1 and e.x1 <= box.x1 + 1
                and e.y1 <= box.y1 + 1,
                f"{name}: text {t.get_text()[:70]!r} lies outside the figure (text x "
                f"{e.x0:.0f}..{e.x1:.0f}, y {e.y0:.0f}..{e.y1:.0f}; figure "
                f"{box.width:.0f} x {box.height:.0f} px)")
        for word in re.findall(r"[\w.*\[\]/-]+", t.get_text()):
            c.check(FILE_NAME.search(word) or not RAW_KEY.search(word),
                    f"{name}: raw key {word!r} in text {t.get_text()[:90]!r}")
    for leg in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]:
        e = leg.get_window_extent(renderer)
        c.check(e.x0 >= box.x0 - 1 and e.x1 <= box.x1 + 1 and e.y0 >= box.y0 - 1
                and e.y1 <= box.y1 + 1, f"{name}: a legend lies outside the figure")
    axes = data_axes(fig)
    for ax in axes:
        for axis, label in ((ax.xaxis, ax.get_xlabel()), (ax.yaxis, ax.get_ylabel())):
            ticks = [t.get_text() for t in axis.get_ticklabels()
                     if t.get_visible() and t.get_text()]
            numeric = ticks and all(re.fullmatch(r"[−\-\d.,%]+", x) for x in ticks)
            if numeric:
                c.check(label == "year" or re.search(r"\(.+\)", label),
                        f"{name}: axis with ticks {ticks[:3]} labelled {label!r}: expected "
                        "'year' or 'QUANTITY (UNIT)'")
            elif ticks:
                c.check(label.strip(), f"{name}: axis with ticks {ticks[:3]} has no label")
    if len(axes) > 1:
        lims = [tuple(round(v, 9) for v in ax.get_xlim()) for ax in axes]
        c.check(len(set(lims)) == 1, f"{name}: panels with different x scales {sorted(set(lims))}")


def _per_name(items):
    out = {}
    for item in items or []:
        key, _, value = item.partition("=")
        out.setdefault(key, []).append(value)
    return out


def cmd_layout(a, mod, c):
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    status, out, err, figs = render(mod, [a.file, "--out", a.out] + a.rest)
    if not c.check(status == 0, f"plot command failed ({status}):\n{out}\n{err}"):
        return
    c.check(figs, "no figure drawn")
    for name, fig in sorted(figs.items()):
        check_layout(name, fig, c)
    for name, values in _per_name(a.panels).items():
        if c.check(name in figs, f"{name}: not drawn (drawn: {sorted(figs)})"):
            n = len(data_axes(figs[name]))
            c.check(n == int(values[-1]), f"{name}: {n} panels, expected {values[-1]}")
    for name, values in _per_name(a.targets).items():
        if not c.check(name in figs, f"{name}: not drawn"):
            continue
        finals = set()
        for i, ax in enumerate(data_axes(figs[name])):
            dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
            c.check(len(dashed) == 1, f"{name}: panel {i} draws {len(dashed)} target paths, "
                                      "expected 1: a band must not span several targets")
            finals.update(round(float(ln.get_ydata()[-1]), 3) for ln in dashed)
        c.check(len(finals) == int(values[-1]),
                f"{name}: {len(finals)} distinct target paths drawn (final values "
                f"{sorted(finals)}), expected {values[-1]}")
    for name, values in _per_name(a.text).items():
        if c.check(name in figs, f"{name}: not drawn"):
            texts = [" ".join(t.get_text().split()) for t in _texts(figs[name])]
            for v in values:
                c.check(any(v in t for t in texts), f"{name}: no text contains {v!r}; texts:\n"
                                                    + "\n".join(texts))
    for name, values in _per_name(a.no_text).items():
        if c.check(name in figs, f"{name}: not drawn"):
            for t in _texts(figs[name]):
                for v in values:
                    c.check(v not in t.get_text(), f"{name}: text {t.get_text()!r} has {v!r}")


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

    # Every run, read 7 at a time (blocks cross the storage chunks of 16): by default one
    # band and one bottleneck panel per policy, each over that policy's runs alone.
    r = mod.load(full, max_runs=0, block_runs=7)
    c.check(r.runs_used == ds.sizes["run"], f"load used {r.runs_used} runs of {ds.sizes['run']}")
    c.check(r.countries == codes, f"countries {r.countries}, expected {codes}")
    bn = ds.bottleneck.values
    it = ds.it_mw.values
    pol = ds.policy.values
    c.check([g.policy for g in r.groups] == [0, 1, 2, 3],
            f"groups {[g.policy for g in r.groups]}, expected one per policy")
    for j, k in enumerate(codes):
        c.check([b.policy for b in r.bands[k]] == [0, 1, 2, 3],
                f"{k}: bands of policies {[b.policy for b in r.bands[k]]}, expected 0 to 3")
        for g, b in enumerate(r.bands[k]):
            sel = pol == b.policy
            c.check(b.runs == int(sel.sum()), f"{k} policy {b.policy}: {b.runs} runs")
            close(b.it_q, np.quantile(it[sel, j, :], q, axis=0),
                  f"it_mw quantiles {k} policy {b.policy}", c)
            close(b.target, ds.target_mw.values[sel][0, j, :], f"target path {k}", c)
            gw = ds.year_gw_reached.values[sel, j]
            close(b.gw[0], np.mean(~np.isnan(gw)), f"1 GW share {k} policy {b.policy}", c)
            want = np.stack([(bn[sel, j, :] == code).mean(axis=0) for code in range(len(mod.CODES))])
            close(r.shares[k][g], want, f"bottleneck shares {k} policy {b.policy}", c)
    c.check(r.target_source == "target_mw", f"target source {r.target_source}")
    c.check("each policy on its own" in r.sample_text(), f"per policy not said: {r.sample_text()}")
    c.check(r.groups[3].label == "chip allocation: max-min fair; "
                                 "KOR grid additions: 800 MW per year",
            f"policy 3 label {r.groups[3].label!r}")

    # Pooled (--pool): one band over every run (the targets do not differ between policies).
    rp = mod.load(full, max_runs=0, block_runs=7, pool=True)
    c.check(len(rp.groups) == 1 and rp.groups[0].policy is None, f"pooled groups {rp.groups}")
    for j, k in enumerate(codes):
        if c.check(len(rp.bands[k]) == 1, f"pooled {k}: {len(rp.bands[k])} bands"):
            close(rp.bands[k][0].it_q, np.quantile(it[:, j, :], q, axis=0),
                  f"pooled it_mw quantiles {k}", c)
        want = np.stack([(bn[:, j, :] == code).mean(axis=0) for code in range(len(mod.CODES))])
        close(rp.shares[k][0], want, f"pooled bottleneck shares {k}", c)
    c.check("4 policies pooled" in rp.sample_text(), f"pooling not said: {rp.sample_text()}")

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
    c.check(all(len(rs.bands[k]) == 1 for k in rs.countries), "several bands for one policy")
    c.check("policy 2 of 4: chip allocation: max-min fair; KOR grid additions: "
            "400 MW per year" in rs.sample_text(), f"policy text: {rs.sample_text()}")
    for k in ("SAU", "KOR"):
        j = codes.index(k)
        close(rs.bands[k][0].it_q, np.quantile(sm.it_mw.values[sel, j, :], q, axis=0),
              f"summary policy 2 quantiles {k}", c)
        close(rs.bands[k][0].target, ds.target_mw.values[0, j, :],
              f"summary target from parameters {k}", c)
        sbn = sm.bottleneck.values[sel, j, :]
        close(rs.shares[k][0], np.stack([(sbn == code).mean(axis=0) for code in range(len(mod.CODES))]),
              f"summary policy 2 shares {k}", c)

    # Past --max-runs: whole storage blocks, evenly spaced, and said on the figures.
    rc = mod.load(full, max_runs=40, block_runs=64)
    c.check(40 <= rc.runs_used < ds.sizes["run"],
            f"subsample of {rc.runs_used} runs for --max-runs 40 of {ds.sizes['run']}")
    c.check("subsample of" in rc.sample_text(), f"subsample not stated: {rc.sample_text()}")
    c.check(rc.subsample_block > 0, "subsample block not recorded")

    # Bad selections fail clearly.
    for kwargs, text in (({"countries": ["XXX"]}, "no country XXX"),
                         ({"policy": 9}, "policies 0 to 3"),
                         ({"policy": 1, "pool": True}, "--pool and --policy")):
        try:
            mod.load(full, **kwargs)
            c.check(False, f"load({kwargs}) did not fail")
        except mod.PlotError as e:
            c.check(text in str(e), f"load({kwargs}): message {e!s} lacks {text!r}")


def cmd_bands(a, mod, c):
    import xarray as xr

    ds = xr.open_dataset(a.file, engine="h5netcdf", mask_and_scale=False)
    codes = list(ds.country.values)
    it, tg, pol = ds.it_mw.values, ds.target_mw.values, ds.policy.values
    n = ds.sizes["run"]
    for pool in (False, True):
        r = mod.load(a.file, max_runs=0, block_runs=5, pool=pool)
        for j, k in enumerate(codes):
            paths = np.unique(np.round(tg[:, j, :], 6), axis=0)
            # Per policy: 4 bands; pooled: one per distinct target path.
            want = len(paths) if pool else len(np.unique(pol))
            c.check(len(r.bands[k]) == want, f"pool={pool} {k}: {len(r.bands[k])} bands, "
                                             f"expected {want}")
            total = 0
            for b in r.bands[k]:
                sel = np.ones(n, bool) if b.policy is None else pol == b.policy
                sel &= np.all(np.isclose(tg[:, j, :], b.target, rtol=1e-9, atol=1e-6), axis=1)
                c.check(b.runs == int(sel.sum()), f"pool={pool} {k} band {b.label!r}: {b.runs} "
                                                  f"runs, {sel.sum()} runs have its target path")
                if sel.any():
                    close(b.it_q, np.quantile(it[sel, j, :], mod.QUANTILES, axis=0),
                          f"pool={pool} {k} band {b.label!r} quantiles", c)
                total += b.runs
            c.check(total == n, f"pool={pool} {k}: bands hold {total} of {n} runs")
    r = mod.load(a.file, max_runs=0, pool=True)
    labels = [b.label for b in r.bands["KOR"]]
    c.check(labels == ["target 2,000 MW by 2030", "target 3,000 MW by 2030"],
            f"KOR bands split by target: labels {labels}")


# Readable labels built with the units stored in the file.
LABELS = {
    "country.KOR.grid_lead_years": "KOR grid lead time (years)",
    "global.vendor_supply_growth": "vendor supply growth (per year)",
    "global.other_demand": "other chip demand (accelerators per year)",
    "country.*.workforce_growth": "all countries' workforce growth (factor)",
    "country.FRA.budget_usd_per_year": "FRA budget (USD per year)",
    "global.supply_shocks[0].factor": "supply shock 1 factor",
    "global.allocation": "chip allocation",
}


def cmd_names(a, mod, c):
    p = subprocess.run([a.program, "params", "--markdown"], capture_output=True, text=True)
    if not c.check(p.returncode == 0, f"sovcap params --markdown: {p.returncode}\n{p.stderr}"):
        return
    rows = [re.match(r"\|\s*(\w+)\s*\|\s*`(\w+)`", line) for line in p.stdout.splitlines()]
    rows = [(m.group(1), m.group(2)) for m in rows if m]
    c.check(len(rows) > 30, f"only {len(rows)} parameters read from sovcap params --markdown")
    for scope, name in rows:
        c.check(name in mod.PARAM_NAMES, f"{scope}.{name}: no readable name in PARAM_NAMES")
        label = mod.param_label(f"{scope}.{name}")
        c.check("_" not in label and "." not in label, f"{scope}.{name}: label {label!r}")
    r = mod.load(a.file, figures=())
    for key, want in LABELS.items():
        got = r.param_label(key)
        c.check(got == want, f"label of {key}: {got!r}, expected {want!r}")


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

    # In-process, every figure inspected: nothing clipped, readable parameter names with
    # units, one x scale for the policy panels; one policy (one narrower panel) likewise.
    for extra in ([], ["--policy", "1"]):
        status, out, err, figs = render(mod, [a.file, "--out", os.path.join(a.out, "figs_lay"),
                                              "--figures", "tornado", "--sensitivity", good]
                                        + extra)
        if not c.check(status == 0 and "tornado_KOR.png" in figs,
                       f"tornado {extra}: status {status}, {sorted(figs)}\n{err}"):
            continue
        for name, fig in sorted(figs.items()):
            check_layout(f"{name} {' '.join(extra)}", fig, c)
        axes = data_axes(figs["tornado_KOR.png"])
        c.check(len(axes) == (1 if extra else 2), f"tornado_KOR {extra}: {len(axes)} panels")
        for ax in axes:
            ticks = [t.get_text() for t in ax.get_yticklabels()]
            want = ["all countries' workforce growth (factor)",
                    "other chip demand (accelerators per year)",
                    "vendor supply growth (per year)"]
            c.check(sorted(ticks) == want, f"tornado_KOR {extra}: parameter labels {ticks}")
            c.check("max-min fair" in ax.get_title(loc="left") or not extra,
                    f"tornado_KOR {extra}: panel title {ax.get_title(loc='left')!r}")

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
    f.add_argument("--silent", action="store_true")
    lo = sub.add_parser("layout")
    lo.add_argument("file")
    lo.add_argument("--out", required=True)
    for opt in ("--panels", "--targets", "--text", "--no-text"):
        lo.add_argument(opt, action="append", metavar="NAME=VALUE")
    s = sub.add_parser("stats")
    s.add_argument("files", nargs=2, metavar=("FULL.h5", "SUMMARY.h5"))
    b = sub.add_parser("bands")
    b.add_argument("file")
    n = sub.add_parser("names")
    n.add_argument("file")
    n.add_argument("--program", required=True)
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
    {"figures": cmd_figures, "layout": cmd_layout, "stats": cmd_stats, "bands": cmd_bands,
     "names": cmd_names, "tornado": cmd_tornado}[a.mode](a, mod, c)
    for msg in c.failures:
        print(f"FAIL: {msg}")
    if c.failures:
        print(f"{len(c.failures)} failure(s)")
        return 1
    print(f"check_plots {a.mode}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
