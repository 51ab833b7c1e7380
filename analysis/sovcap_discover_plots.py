#!/usr/bin/python3
"""Figures of a scenario discovery: PRIM's trade-off curve and the chosen box.

Usage:
  sovcap discover OUT.h5 --country KOR --metric it_mw@2030 --below 1000 --format json > kor.json
  /usr/bin/python3 analysis/sovcap_discover_plots.py kor.json OUT.h5 --out DIR [--box K]
      [--max-points N] [--dpi D] [--palette] [--quiet]

Reads the JSON of `sovcap discover --format json` ("-": standard input) and the results
file it was made from, and writes into DIR (created if missing), headless (matplotlib Agg):
  discover_tradeoff_ISO3.png  the peeling trajectory of box K (default 1): density against
                              coverage of every step, coloured by how many inputs the
                              step restricts, the reported box marked
  discover_box_ISO3.png       the runs over the box's two most restricted inputs (the two
                              with the smallest quasi-p-values; with one restricted input,
                              the input that recurs most in the resamples besides it),
                              cases of interest highlighted, the box's limits drawn; a
                              categorical input is drawn as its categories, jittered
Inputs are named in words with the units the results file stores for them (param_label).
Past --max-points runs (default 20000) the scatter draws an evenly spaced subset of the
runs, and says so.

As a module: `read_discovery(path)`, `tradeoff_chart(d, path)`, `box_chart(d, results,
path)` and `box_inputs(d, box)`; `main(argv)` is the command line.

Exit status: 0 figures written; 2 bad input (a file that cannot be read, a JSON that is not
discover's, a results file with other runs, a box that restricts no input); 1 any other
failure. With --quiet nothing is printed but the error. Needs Debian's python3 (numpy,
h5py, matplotlib).
"""

import argparse
import json
import math
import os
import sys

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the headless backend)
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from sovcap_labels import param_label, lever_value_text, metric_label, _unit_words  # noqa: E402
from sovcap_layout import _save, _title, _footnote, _fit, _legend, _below  # noqa: E402

DEFAULT_MAX_POINTS = 20000
CASE_COLOUR = "#D55E00"    # vermillion: cases of interest
OTHER_COLOUR = "#9A9A9A"   # grey: the other runs
BOX_COLOUR = "#0072B2"     # blue: the box
# Restricted-input counts on the trade-off curve: viridis (perceptually even, colour-blind
# safe), up to its yellow-green end, so that the most restricted steps stay visible on white.
COUNT_MAP = "viridis"


class DiscoverPlotError(Exception):
    """Bad input: the message says what is wrong (exit status 2)."""


def read_discovery(path):
    """The JSON of `sovcap discover --format json`, checked for what the figures need."""
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
        d = json.loads(text)
    except (OSError, ValueError) as e:
        raise DiscoverPlotError(f"{path}: cannot read the JSON of sovcap discover: {e}")
    for key in ("boxes", "trajectory", "inputs", "cases_by_run", "metric", "country"):
        if key not in d:
            raise DiscoverPlotError(f"{path}: no {key!r}: not the JSON of `sovcap discover --format json`")
    return d


def _metric_words(d, names, units):
    m = d["metric"]
    if m.startswith("year_reached@"):
        return f"year IT capacity reaches {float(m.split('@')[1]):,.0f} MW (year)"
    if m.startswith("bottleneck_share_"):
        return f"share of time under the {m[len('bottleneck_share_'):].replace('_', ' ')} constraint (share)"
    return metric_label(m, names, units)


def _question(d, names, units):
    """'Korea: AI IT capacity in service in 2030 (MW) below 1,000'."""
    side = "above" if d["side"] == "above" else "below"
    thr = d["threshold"]
    thr_text = f"{thr:,.0f}" if abs(thr) >= 100 and thr == round(thr) else f"{thr:g}"
    never = " (never reached counts as above)" if d.get("reach_year") and side == "above" else ""
    return f"{_metric_words(d, names, units)} {side} {thr_text}{never}"


def _policy_text(d):
    if d.get("policy") is None:
        return "every policy"
    return f"policy {d['policy']}" + (f" ({d['levers']})" if d.get("levers") else "")


def _finish(fig, title, foot, handles, ncol, path, dpi, palette):
    """The legend above the footnote, the axes in the room left, written."""
    leg = _legend(fig, handles, ncol=ncol, loc="lower left")
    _fit(fig, top=[title], bottom=[foot, leg])
    _below(fig, leg, foot)
    _save(fig, path, dpi, palette)
    return fig


def tradeoff_chart(d, path, box=0, dpi=100, palette=False, names=None, units=None):
    """Density against coverage along the trajectory of `box`, coloured by restricted inputs."""
    steps = [s for s in d["trajectory"] if s["box"] == box]
    chosen = d["boxes"][box]
    fig, ax = plt.subplots(figsize=(7.6, 5.2))
    cov = np.array([s["coverage"] for s in steps])
    den = np.array([s["density"] for s in steps])
    count = np.array([len(s["restricted"]) for s in steps])
    ax.plot(cov, den, color="#CCCCCC", lw=1.0, zorder=1)
    handles = []
    cmap = matplotlib.colormaps[COUNT_MAP]
    for k in sorted(set(count)):
        sel = count == k
        colour = cmap(0.85 * k / max(1, int(count.max())))
        ax.scatter(cov[sel], den[sel], s=26, color=colour, zorder=2)
        handles.append(Line2D([], [], marker="o", ls="", color=colour,
                              label=f"{k} input{'s' if k != 1 else ''} restricted"))
    s = chosen["step"]
    ax.scatter([cov[s]], [den[s]], s=170, facecolors="none", edgecolors="black", lw=1.6, zorder=3)
    handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="none", markeredgecolor="black",
                          markersize=11, label=f"reported box (step {s})"))
    ax.set_xlabel("coverage (share of the cases of interest in the box)")
    ax.set_ylabel("density (share of the box's runs that are cases)")
    ax.set_xlim(max(0.0, float(cov.min()) - 0.05), 1.01)
    lo = float(den.min())
    ax.set_ylim(max(0.0, lo - 0.05), min(1.0, float(den.max())) + 0.03)
    ax.grid(alpha=0.3)
    title = _title(fig, f"{d.get('name', d['country'])}: which inputs make the {_question(d, names, units)}? "
                        f"PRIM's peeling trajectory (box {box + 1})")
    foot = _footnote(fig, f"{d['runs']:,} runs ({_policy_text(d)}), {d['cases']:,} cases of interest. "
                          "Each point is a step: peeling narrows the box, pasting widens it again; "
                          "up and to the right is better. From sovcap discover on "
                          f"{os.path.basename(d['file'])}.")
    return _finish(fig, title, foot, handles, 4, path, dpi, palette)


def box_inputs(d, box=0):
    """The two inputs drawn for a box: its restricted inputs with the smallest quasi-p,
    completed with the input that recurs most in the resamples (or the first other one)."""
    b = d["boxes"][box]
    keys = sorted(b["limits"], key=lambda k: (b["quasi_p"].get(k, 1.0), k))[:2]
    if not keys:
        raise DiscoverPlotError(f"box {box + 1} restricts no input: nothing to draw (choose another "
                                "step with sovcap discover --box N, or lower --min-coverage)")
    if len(keys) == 1:
        rec = b.get("recurrence", {}).get("at_coverage", {})
        others = [i["key"] for i in d["inputs"] if i["key"] != keys[0]]
        if not others:
            raise DiscoverPlotError("the discovery has one input only: nothing to draw it against")
        keys.append(max(others, key=lambda k: (rec.get(k, 0.0), -others.index(k))))
    return keys


def _axis(ax, which, spec, values, limits, f, rng):
    """Draws values on one axis: real values as they are, categories as jittered codes with
    their names as ticks. Returns the plotted values and the (lo, hi) span of the limits."""
    var = f[spec["variable"]]
    units = var.attrs.get("units", "")
    units = units.decode() if isinstance(units, bytes) else units
    multiply = bool(np.ravel(var.attrs.get("multiply", 0))[0])
    label = param_label(spec["key"], None if spec["kind"] == "categorical" and spec.get("lever") else units,
                        multiply)
    set_label = ax.set_xlabel if which == "x" else ax.set_ylabel
    if spec["kind"] != "categorical":
        set_label(label)
        span = tuple(limits) if limits else (float(np.min(values)), float(np.max(values)))
        return values, span
    cats = spec["categories"]
    codes = np.full(values.shape, np.nan)
    if spec.get("lever"):
        # Numeric levers store their value, the others the index of their TOML text.
        numeric = "numeric_values" in var.attrs
        texts = [str(t) for t in var.attrs["values"]]
        for k, cat in enumerate(cats):
            if numeric:
                codes[values == cat] = k
            else:
                unquoted = [t[1:-1] if len(t) > 1 and t[0] == t[-1] == '"' else t for t in texts]
                codes[values == unquoted.index(cat)] = k
        ticks = [lever_value_text(spec["key"], str(c), units if numeric else None) for c in cats]
    else:
        for k, v in enumerate(cats):
            codes[values == v] = k
        unit = _unit_words(units) if not multiply else ""
        ticks = [f"{c:g} {unit}".strip() for c in cats]
    jitter = rng.uniform(-0.25, 0.25, size=codes.shape)
    (ax.set_xticks if which == "x" else ax.set_yticks)(range(len(cats)))
    (ax.set_xticklabels if which == "x" else ax.set_yticklabels)(ticks)
    set_label(param_label(spec["key"]))
    kept = [cats.index(v) for v in limits] if limits else list(range(len(cats)))
    return codes + jitter, (min(kept) - 0.4, max(kept) + 0.4)


def check_results(d, results, box=0):
    """Refuses a results file that is not the one the discovery was made from."""
    import h5py

    flags = d["cases_by_run"]
    spec = {i["key"]: i for i in d["inputs"]}
    with h5py.File(results, "r") as f:
        runs = f["run"].shape[0]
        if runs != len(flags):
            raise DiscoverPlotError(f"{results} holds {runs} runs, the discovery {len(flags)}: "
                                    f"not the file it was made from ({d['file']})")
        for k in box_inputs(d, box):
            if spec[k]["variable"] not in f:
                raise DiscoverPlotError(f"{results} has no {spec[k]['variable']}: not the file "
                                        f"the discovery was made from ({d['file']})")


def box_chart(d, results, path, box=0, max_points=DEFAULT_MAX_POINTS, dpi=100, palette=False,
              names=None, units=None):
    """The runs over the box's two inputs, cases highlighted, the box's limits drawn."""
    import h5py

    b = d["boxes"][box]
    keys = box_inputs(d, box)
    spec = {i["key"]: i for i in d["inputs"]}
    flags = np.frombuffer(d["cases_by_run"].encode("ascii"), dtype=np.uint8)
    check_results(d, results, box)
    with h5py.File(results, "r") as f:
        used = np.flatnonzero(flags != ord("."))
        step = max(1, math.ceil(len(used) / max_points))
        shown = used[::step]
        raw = [f[spec[k]["variable"]][:][shown] for k in keys]
        fig, ax = plt.subplots(figsize=(7.6, 5.6))
        rng = np.random.default_rng(0)
        xs, xspan = _axis(ax, "x", spec[keys[0]], raw[0], b["limits"].get(keys[0]), f, rng)
        ys, yspan = _axis(ax, "y", spec[keys[1]], raw[1], b["limits"].get(keys[1]), f, rng)
    case = flags[shown] == ord("1")
    ax.scatter(xs[~case], ys[~case], s=7, color=OTHER_COLOUR, alpha=0.55, lw=0, label="other runs")
    ax.scatter(xs[case], ys[case], s=9, color=CASE_COLOUR, alpha=0.8, lw=0, label="cases of interest")
    ax.add_patch(Rectangle((xspan[0], yspan[0]), xspan[1] - xspan[0], yspan[1] - yspan[0], fill=False,
                           ec=BOX_COLOUR, lw=2.0, zorder=4))
    handles = [Line2D([], [], marker="o", ls="", color=CASE_COLOUR, label="cases of interest"),
               Line2D([], [], marker="o", ls="", color=OTHER_COLOUR, label="other runs"),
               Rectangle((0, 0), 1, 1, fill=False, ec=BOX_COLOUR, lw=2.0,
                         label=f"box {box + 1}: coverage {b['coverage']:.2f}, density {b['density']:.2f}")]
    others = [k for k in b["limits"] if k not in keys]
    rest = ("; it also restricts " + ", ".join(param_label(k) for k in others)) if others else ""
    sub = f" (every {step}th of the {len(used):,} runs drawn)" if step > 1 else ""
    title = _title(fig, f"{d.get('name', d['country'])}: {_question(d, names, units)}: the runs over "
                        "the box's two most restricted inputs")
    foot = _footnote(fig, f"{len(used):,} runs ({_policy_text(d)}){sub}; box {box + 1} holds "
                          f"{b['points']:,} runs, {b['cases']:,} of them cases (mass {b['mass']:.2f}){rest}. "
                          f"From sovcap discover on {os.path.basename(d['file'])}.")
    return _finish(fig, title, foot, handles, 3, path, dpi, palette)


def _series_words(results):
    """Long names and units of the file's series, for metric_label."""
    import h5py

    names, units = {}, {}
    with h5py.File(results, "r") as f:
        for k, v in f.items():
            if hasattr(v, "attrs") and "long_name" in v.attrs:
                names[k] = str(v.attrs["long_name"])
                units[k] = str(v.attrs.get("units", ""))
    return names, units


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("discovery", metavar="DISCOVER.json", help="output of sovcap discover --format json ('-': stdin)")
    ap.add_argument("results", metavar="OUT.h5", help="the results file it was made from")
    ap.add_argument("--out", required=True, metavar="DIR", help="folder for the PNG files")
    ap.add_argument("--box", type=int, default=1, help="which box (1: the first)")
    ap.add_argument("--max-points", type=int, default=DEFAULT_MAX_POINTS, help="most runs in the scatter")
    ap.add_argument("--dpi", type=int, default=100)
    ap.add_argument("--palette", action="store_true", help="8-bit palette PNGs (smaller; needs Pillow)")
    ap.add_argument("--quiet", action="store_true", help="print nothing but errors")
    a = ap.parse_args(argv)
    try:
        d = read_discovery(a.discovery)
        if not 1 <= a.box <= len(d["boxes"]):
            raise DiscoverPlotError(f"--box {a.box}: the discovery has boxes 1 to {len(d['boxes'])}")
        if a.max_points < 1:
            raise DiscoverPlotError("--max-points must be at least 1")
        if not os.path.isfile(a.results):
            raise DiscoverPlotError(f"{a.results}: no such file")
        os.makedirs(a.out, exist_ok=True)
        names, units = _series_words(a.results)
        box = a.box - 1
        iso3 = d["country"]
        written = [os.path.join(a.out, f"discover_tradeoff_{iso3}.png"),
                   os.path.join(a.out, f"discover_box_{iso3}.png")]
        check_results(d, a.results, box)  # refuse before writing anything
        tradeoff_chart(d, written[0], box, a.dpi, a.palette, names, units)
        box_chart(d, a.results, written[1], box, a.max_points, a.dpi, a.palette, names, units)
    except DiscoverPlotError as e:
        print(f"sovcap_discover_plots: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"sovcap_discover_plots: error: {e}", file=sys.stderr)
        return 2
    if not a.quiet:
        for p in written:
            print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
