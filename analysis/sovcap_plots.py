#!/usr/bin/python3
"""Figures from a sovcap results file: fan charts, bottleneck timelines, country small
multiples and (given a sensitivity CSV) tornado charts.

Usage:
  /usr/bin/python3 analysis/sovcap_plots.py OUT.h5 --out DIR [--countries KOR,FRA]
      [--policy P|all] [--pool] [--sensitivity FILE.csv [--sensitivity-year Y] [--top N]]
      [--max-runs N] [--shared-y] [--figures fan,bottlenecks,countries,tornado]
      [--dpi D] [--palette] [--quiet]

Writes into DIR (created if missing), rendering headless (matplotlib Agg):
  fan_ISO3.png          median and 10-90% band of it_mw over runs against the target path
                        (a single run: its line against the target), 1 GW marked
  bottlenecks_ISO3.png  share of runs under each bottleneck code over time, stacked areas
                        (a single run: its bottleneck in each step, and the share of time)
  countries.png         small multiples of it_mw against the target, one panel per country
  tornado_ISO3.png      Sobol indices (S1, ST with their intervals) per parameter, from the
                        CSV of `sovcap sensitivity --format csv` (only with --sensitivity)

Policies are drawn apart: with several policies in the file (and no --policy), each figure
has one panel per policy (countries.png one line per policy), labelled with its lever
values; --pool pools them. A fan band never spans runs with different target paths: a band
whose runs differ in target (a lever on targets, pooled) is split into one per path.

Reads full-store files, summary-store files that kept it_mw and/or bottleneck
(`--keep it_mw,bottleneck[,target_mw]`), shards and merged masters. Only complete runs
(run_complete == 1) are used. Runs are read a block at a time; past --max-runs selected
runs (default 20000) the statistics come from an evenly spaced subsample of whole storage
blocks, and the figures say so. Without target_mw in the file the target path is rebuilt
from the country.it_mw, country.target_year and country.target_mw parameters
(docs/model.md section 3: piecewise linear from (start_year, it_mw) through the
milestones, flat after). Parameters and levers are named in words, with the units the
file stores for them (`param_label`).

As a module: `load(path, ...)` returns a Results object; `fan_chart`,
`bottleneck_timeline`, `country_grid` and `tornado_chart` draw from it (and from
`read_sensitivity(path)`); `main(argv)` is the command line. The reading lives in
sovcap_results.py, the names in words in sovcap_labels.py and the figure layout in
sovcap_layout.py; their public names are re-exported here.

Exit status: 0 figures written; 2 bad input (file, option, CSV) or nothing that can be
drawn; 1 any other failure. With --quiet nothing is printed but the error. Needs Debian's
python3 (numpy, h5py, matplotlib, pandas).
"""

import argparse
import math
import os
import re
import sys
import warnings

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the headless backend)
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

# Re-exported: `import sovcap_plots` offers the whole module's names.
from sovcap_labels import (  # noqa: E402,F401
    CHOICE_WORDS, METRIC_NAMES, PARAM_NAMES, UNIT_WORDS, lever_label, lever_value_text,
    levers_text, metric_label, param_label)
from sovcap_layout import (  # noqa: E402,F401
    _below, _fit, _footnote, _grid, _legend, _mw_formatter, _panel_title, _save, _title,
    _wrap)
from sovcap_results import (  # noqa: E402,F401
    BLOCK_RUNS, CODES, DEFAULT_MAX_RUNS, FIGURES, MAX_PANELS, MEMORY_LIMIT, QUANTILES,
    SENSITIVITY_COLUMNS, Band, Group, PlotError, Results, load, read_sensitivity,
    select_sensitivity, target_path)

# The bottleneck codes' fixed colours (Okabe-Ito, colour-blind safe): the same code has the
# same colour in every figure.
CODE_COLOURS = {
    "on_track": "#009E73",   # bluish green
    "lead_time": "#BBBBBB",  # grey: behind, but only waiting for construction
    "power": "#E69F00",      # orange
    "capital": "#0072B2",    # blue
    "talent": "#CC79A7",     # reddish purple
    "export_controls": "#D55E00",  # vermillion
    "chip_market": "#56B4E9",      # sky blue
}
CODE_LABELS = {
    "on_track": "on track (at or above target)",
    "lead_time": "lead time (still being built)",
    "power": "power",
    "capital": "capital",
    "talent": "talent",
    "export_controls": "export controls (tier cap)",
    "chip_market": "chip market (rationed supply)",
}
GW = 1000.0
FAN_COLOUR = "#1F5A99"
TARGET_COLOUR = "black"
POLICY_COLOURS = ("#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#0072B2",
                  "#F0E442", "#000000")
assert len(POLICY_COLOURS) == MAX_PANELS  # one colour per policy drawn apart


# --------------------------------------------------------------------------------------
# Drawing


def _mark_gw(ax, label=True):
    ax.axhline(GW, color="#777777", lw=0.9, ls=":", zorder=1)
    if label:
        ax.annotate("1 GW", xy=(0.0, GW), xycoords=("axes fraction", "data"),
                    xytext=(3, 2), textcoords="offset points", fontsize=8, color="#555555")


def _reach_text(r, b):
    """'1 GW by 2040: 64% of runs (median year 2031.5)' lines (or the year, for one run)."""
    lines = []
    for label, reach in (("1 GW", b.gw), ("final target", b.final_target)):
        if reach is None:
            continue
        share, med = reach
        if b.runs == 1:
            lines.append(f"{label} reached: {med:.2f}" if share > 0
                         else f"{label}: not reached by {r.end_year:g}")
        elif share > 0:
            lines.append(f"{label} by {r.end_year:g}: {share:.0%} of runs (median year {med:.1f})")
        else:
            lines.append(f"{label} by {r.end_year:g}: no run")
    return "\n".join(lines)


def _capacity_top(bands, always_gw=True):
    """Upper y limit that shows the bands, the targets and the 1 GW line (small panels: the
    1 GW line only when the data come within half of it, so that a 300 MW country is not
    squeezed into the bottom of its panel)."""
    top = [np.nanmax(b.it_q) for b in bands]
    top += [np.nanmax(b.target) for b in bands if b.target is not None]
    top = float(np.nanmax(top))
    if always_gw or top >= 0.5 * GW:
        top = max(top, GW * 1.08)
    return top * 1.05


def _capacity_axes(ax, r, small=False):
    _mark_gw(ax, label=not small)
    ax.set_xlim(r.time[0], r.time[-1])
    ax.yaxis.set_major_formatter(_mw_formatter())
    ax.grid(True, color="#E5E5E5", lw=0.6)
    ax.set_axisbelow(True)


def _target_label(r):
    src = " (rebuilt from parameters)" if r.target_source == "parameters" else ""
    return "announced target path" + src


def _draw_band(ax, r, b, lw=2.0, small=False):
    """One band's 10-90% range, median and target, and 1 GW; returns legend handles."""
    q, t = b.it_q, r.time
    handles = []
    if b.runs > 1:
        ax.fill_between(t, q[0], q[2], color=FAN_COLOUR, alpha=0.25, lw=0, zorder=2)
        handles.append(Patch(color=FAN_COLOUR, alpha=0.25, label="10–90% of runs"))
    ax.plot(t, q[1], color=FAN_COLOUR, lw=lw, zorder=4)
    handles.append(Line2D([], [], color=FAN_COLOUR, lw=lw,
                          label="capacity (one run)" if b.runs == 1 else "median over runs"))
    if b.target is not None:
        ax.plot(t, b.target, color=TARGET_COLOUR, lw=1.4, ls="--", zorder=5)
        handles.append(Line2D([], [], color=TARGET_COLOUR, lw=1.4, ls="--",
                              label=_target_label(r)))
    _capacity_axes(ax, r, small)
    return handles


def _free_corner(r, b, top):
    """Where the reach box hides the least of a band's lines: the upper left or the lower
    right corner of its panel, as (x, y, ha, va) in axes fractions."""
    fx = (r.time - r.time[0]) / max(r.time[-1] - r.time[0], 1e-9)
    lines = [b.it_q[k] for k in range(3)] + ([b.target] if b.target is not None else [])
    fy = np.concatenate([np.asarray(v) / top for v in lines])
    fx = np.tile(fx, len(lines))
    upper_left = int(((fx < 0.5) & (fy > 0.8)).sum())
    lower_right = int(((fx > 0.5) & (fy < 0.2)).sum())
    return (0.01, 0.97, "left", "top") if upper_left < lower_right else (0.99, 0.03, "right",
                                                                          "bottom")


def fan_chart(r, c, path, dpi=100, palette=False):
    """fan_ISO3.png: it_mw median and 10-90% band against the target path; one panel per
    band (policy, and target path where the runs of a policy differ in target)."""
    bands = r.bands[c]
    n = len(bands)
    fig, axes, ncols = _grid(n, 4.6, 2.9, 1.1)
    top = _capacity_top(bands)
    titles = []
    for i, (ax, b) in enumerate(zip(axes, bands)):
        handles = _draw_band(ax, r, b)
        ax.set_ylim(0, top)
        if n > 1:
            titles.append(_panel_title(ax, f"{b.label or 'all runs'} ({b.runs:,} runs)"))
        text = _reach_text(r, b)
        if text:
            x, y, ha, va = _free_corner(r, b, top)
            ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va,
                    fontsize=8 if n == 1 else 7,
                    bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="#BBBBBB"))
        if i % ncols == 0:
            ax.set_ylabel("AI IT capacity in service (MW)" if n == 1 else "IT capacity (MW)")
        if i + ncols >= n:
            ax.set_xlabel("year")
    what = "one run" if r.single_run else "median and 10–90% of runs"
    split = n > len(r.groups)
    apart = {(True, True): ", one panel per policy and target path",
             (True, False): ", one panel per policy",
             (False, True): ", one panel per target path"}.get((len(r.groups) > 1, split), "")
    head = _title(fig, f"{r.name(c)}: AI IT capacity against announced targets ({what}{apart})")
    foot = _footnote(fig, r.sample_text())
    leg = _legend(fig, handles, len(handles), loc="lower left", bbox_to_anchor=(0.01, 0.0),
                  bbox_transform=fig.transFigure)
    _below(fig, leg, foot)
    _fit(fig, top=[head], bottom=[leg], titles=titles)
    _save(fig, path, dpi, palette)


def bottleneck_timeline(r, c, path, dpi=100, palette=False):
    """bottlenecks_ISO3.png: share of runs under each bottleneck code, stacked over time;
    one panel per policy. A single run: its code in each step, and the share of time."""
    shares = np.nan_to_num(r.shares[c]) * 100.0
    n = len(r.groups)
    one = r.single_run
    fig, axes, ncols = _grid(n, 4.6, 2.6, 1.2, single=(8.4, 3.0 if one else 4.0))
    titles = []
    for i, (ax, grp) in enumerate(zip(axes, r.groups)):
        # The code recorded at t_n describes the step (t_(n-1), t_n]: draw it as a step.
        ax.stackplot(r.time, *shares[i], colors=[CODE_COLOURS[k] for k in CODES], step="pre",
                     lw=0)
        ax.set_xlim(r.time[0], r.time[-1])
        ax.set_ylim(0, 100)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if one:
            ax.set_yticks([])
        elif i % ncols == 0:
            ax.set_ylabel("share of runs (%)")
        if i + ncols >= n:
            ax.set_xlabel("year")
        if n > 1:
            titles.append(_panel_title(ax, f"{grp.label or 'all runs'} ({grp.runs:,} runs)"))
    if one:
        # Share of the time steps (with a code) under each code.
        with np.errstate(invalid="ignore"):
            time_share = np.nanmean(r.shares[c][0], axis=1)
        labels = {k: f"{CODE_LABELS[k]}: {s:.0%} of the time"
                  for k, s in zip(CODES, np.nan_to_num(time_share))}
        what = "its bottleneck in each time step, one run"
    else:
        labels = CODE_LABELS
        what = "share of runs under each bottleneck" + (", one panel per policy" if n > 1
                                                         else "")
    handles = [Patch(color=CODE_COLOURS[k], label=labels[k]) for k in reversed(CODES)]
    head = _title(fig, f"{r.name(c)}: what holds capacity back, when ({what})")
    foot = _footnote(fig, "Code per time step: the constraint that held back the most MW in "
                          "that step (docs/model.md §8); lead time = behind the target path "
                          "with nothing binding now.\n" + r.sample_text())
    leg = _legend(fig, handles, 3, loc="lower left", bbox_to_anchor=(0.01, 0.0),
                  bbox_transform=fig.transFigure, title="bottleneck in the step",
                  title_fontsize=8)
    _below(fig, leg, foot)
    _fit(fig, top=[head], bottom=[leg], titles=titles)
    _save(fig, path, dpi, palette)


def _policy_width(r, g):
    """Line width of group g's median: earlier policies wider, so that lines lying on one
    another stay visible."""
    return 1.0 + 0.6 * (len(r.groups) - 1 - g)


def country_grid(r, path, shared_y=False, dpi=100, palette=False):
    """countries.png: one small it_mw-against-target panel per country; with several
    policies, one median line per policy."""
    cs = [c for c in r.countries if r.bands.get(c)]
    n = len(cs)
    ncols = min(n, 5 if n > 9 else (3 if n > 4 else n))
    nrows = int(math.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols,
                             figsize=(max(3.0 * ncols + 0.5, 6.4), 2.2 * nrows + 1.5),
                             sharex=True, sharey=shared_y, squeeze=False)
    apart = len(r.groups) > 1
    for i, c in enumerate(cs):
        ax = axes[i // ncols][i % ncols]
        bands = r.bands[c]
        if len(bands) == 1:
            _draw_band(ax, r, bands[0], lw=1.5, small=True)
        else:
            targets = [b.target for b in bands if b.target is not None]
            one_target = all(np.allclose(t, targets[0]) for t in targets)
            for b in bands:
                col = POLICY_COLOURS[b.group % len(POLICY_COLOURS)] if apart else FAN_COLOUR
                ax.plot(r.time, b.it_q[1], color=col, lw=_policy_width(r, b.group), zorder=4,
                        solid_capstyle="butt")
                if b.target is not None and not one_target:
                    ax.plot(r.time, b.target, color=col if apart else TARGET_COLOUR, lw=1.0,
                            ls="--", zorder=5)
            if targets and one_target:
                ax.plot(r.time, targets[0], color=TARGET_COLOUR, lw=1.2, ls="--", zorder=5)
            _capacity_axes(ax, r, small=True)
        if not shared_y:
            ax.set_ylim(0, _capacity_top(bands, always_gw=False))
        ax.set_title(r.names.get(c) or c, fontsize=9, pad=3)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        if not shared_y or i % ncols == 0:
            ax.set_ylabel("IT capacity (MW)", fontsize=7)
        if i + ncols >= n:
            ax.set_xlabel("year", fontsize=8)
            ax.tick_params(labelbottom=True)
    for i in range(n, nrows * ncols):
        axes[i // ncols][i % ncols].set_visible(False)
    if shared_y:
        top = max(_capacity_top(r.bands[c], always_gw=False) for c in cs)
        for ax in axes.flat:
            ax.set_ylim(0, top)
    target = Line2D([], [], color=TARGET_COLOUR, lw=1.2, ls="--", label=_target_label(r))
    legend_title = None
    if apart:
        handles = [Line2D([], [], color=POLICY_COLOURS[g % len(POLICY_COLOURS)],
                          lw=_policy_width(r, g), label=grp.label or f"policy {grp.policy}")
                   for g, grp in enumerate(r.groups)]
        legend_title = "median of the runs of each policy:"
        if any(len({tuple(np.round(b.target, 6)) for b in r.bands[c] if b.target is not None})
               > 1 for c in cs):
            target.set_label(_target_label(r) + " (in the policy's colour where policies "
                                                "differ)")
        what = "median of each policy's runs"
    else:
        band = not r.single_run and any(len(r.bands[c]) == 1 for c in cs)
        handles = [Patch(color=FAN_COLOUR, alpha=0.25, label="10–90% of runs")] if band else []
        handles.append(Line2D([], [], color=FAN_COLOUR, lw=1.5,
                              label="capacity (one run)" if r.single_run else "median over runs"))
        what = ("one run" if r.single_run else "median and 10–90% of runs" if band
                else "median of runs")
    if any(b.target is not None for c in cs for b in r.bands[c]):
        handles.append(target)
    if any(len(r.bands[c]) > len(r.groups) for c in cs):
        what += "; one line per target path where runs differ in target"
    handles.append(Line2D([], [], color="#777777", lw=0.9, ls=":", label="1 GW (where in range)"))
    scale = "one y scale for all" if shared_y else "y scale per country"
    title = _title(fig, f"AI IT capacity in service against announced targets ({what})")
    fig.canvas.draw()
    leg = _legend(fig, handles, 2 if apart else len(handles), loc="upper left",
                  bbox_to_anchor=(0.0, title.get_window_extent().y0 / fig.bbox.height),
                  title=legend_title, title_fontsize=8, alignment="left")
    foot = _footnote(fig, f"IT capacity in MW, {scale}. " + r.sample_text())
    _fit(fig, top=[leg], bottom=[foot])
    _save(fig, path, dpi, palette)


def _panel_text(g, results=None):
    """Panel title (the output, the policy and its levers in words; runs, mean, censoring)
    and notes."""
    first = g.iloc[0]
    head = []
    if "metric" in g.columns and first["metric"]:
        metric = first["metric"]
        head.append("output: " + (results.metric_label(metric) if results
                                  else metric_label(metric)))
    if "policy" in g.columns and first["policy"] >= 0:
        lev = first["levers"] if "levers" in g.columns and first["levers"] else ""
        if lev:
            lev = results.lever_text(lev) if results else levers_text(lev)
        head.append(f"policy {first['policy']}" + (f": {lev}" if lev else ""))
    info = []
    if "runs" in g.columns and not np.isnan(first["runs"]):
        rows = (f", {first['base_rows']:.0f} base rows" if "base_rows" in g.columns
                and not np.isnan(first["base_rows"]) else "")
        info.append(f"{first['runs']:.0f} runs{rows}")
    if "mean" in g.columns and not np.isnan(first["mean"]):
        sd = f", sd {first['sd']:.4g}" if "sd" in g.columns and not np.isnan(first["sd"]) else ""
        info.append(f"output mean {first['mean']:.6g}{sd}")
    lines = ["; ".join(head), "; ".join(info)]
    if "censored" in g.columns and first["censored"] > 0:
        lines.append(f"{first['censored']:.0f} runs censored (never reached: counted at the "
                     "horizon + dt)")
    notes = sorted({n for n in g["note"] if n}) if "note" in g.columns else []
    return "\n".join(x for x in lines if x), notes


def tornado_chart(df, country, path, results=None, policy=None, year=None, top=15, dpi=100,
                  palette=False):
    """tornado_ISO3.png: first-order (S1) and total (ST) Sobol indices per parameter,
    largest ST at the top, with their confidence intervals; one panel per policy and
    metric in the CSV, on one x scale. results: the Results of the sweep's file, for the
    country's name and the parameters' names and units."""
    sub, keys, year_text = select_sensitivity(df, country, policy, year)
    if keys:
        groups = list(sub.groupby(keys if len(keys) > 1 else keys[0], sort=True))
    else:
        groups = [((), sub)]
    label = results.param_label if results else param_label
    nmax = max(min(top, len(g)) for _, g in groups)
    ncols = min(2, len(groups))
    nrows = int(math.ceil(len(groups) / ncols))
    panel_h = 0.34 * nmax + 1.9
    fig, axes = plt.subplots(nrows, ncols, figsize=(7.2 * ncols, panel_h * nrows + 1.2),
                             sharex=True, squeeze=False)
    # One x range for every panel: the largest upper end, the lowest lower end.
    his, los = [0.05], [0.0]
    for _, g in groups:
        shown = g.sort_values("ST", ascending=False, na_position="last").head(top)
        his += [np.nanmax(shown[c].to_numpy()) for c in ("ST_hi", "ST", "S1")
                if not shown[c].isna().all()]
        los += [np.nanmin(shown[c].to_numpy()) for c in ("S1_lo", "S1")
                if not shown[c].isna().all()]
    xlim = (min(0.0, min(los)) - 0.02, min(max(his) * 1.08 + 0.01, 1.5))
    titles = []
    for i, (_, g) in enumerate(groups):
        ax = axes[i // ncols][i % ncols]
        g = g.sort_values("ST", ascending=False, na_position="last")
        shown = g.head(top).iloc[::-1]  # largest at the top
        y = np.arange(len(shown))
        st, s1 = shown["ST"].to_numpy(), shown["S1"].to_numpy()

        def err(v, lo, hi):
            lo_, hi_ = shown[lo].to_numpy(), shown[hi].to_numpy()
            return np.nan_to_num(np.vstack([np.clip(v - lo_, 0, None),
                                            np.clip(hi_ - v, 0, None)]))
        ax.barh(y, np.nan_to_num(st), height=0.75, color="#9CC3E6",
                label="total effect ST (alone and with interactions)")
        ax.barh(y, np.nan_to_num(s1), height=0.38, color="#1F5A99",
                label="first-order S1 (alone)")
        # ST's whiskers in the part of its bar above S1's, S1's through S1's bar.
        ax.errorbar(np.nan_to_num(st), y + 0.28, xerr=err(st, "ST_lo", "ST_hi"), fmt="none",
                    ecolor="#555555", elinewidth=0.9, capsize=2.5)
        ax.errorbar(np.nan_to_num(s1), y, xerr=err(s1, "S1_lo", "S1_hi"), fmt="none",
                    ecolor="black", elinewidth=0.9, capsize=2.5)
        ax.set_yticks(y)
        ax.set_yticklabels([label(p) for p in shown["parameter"]], fontsize=8)
        ax.set_ylabel("uncertain input", fontsize=8)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(*xlim)
        ax.set_xlabel("Sobol index (share of the output's variance)")
        ax.tick_params(labelbottom=True)
        ax.grid(True, axis="x", color="#E5E5E5", lw=0.6)
        ax.set_axisbelow(True)
        text, notes = _panel_text(g, results)
        titles.append(_panel_title(ax, text, fontsize=8))
        inner = 0.9 * ax.get_window_extent().width
        if np.isnan(st).all():
            _wrap(ax.text(0.5, 0.5, "no indices: " + ("; ".join(notes) or "all NaN"),
                          transform=ax.transAxes, ha="center", va="center", fontsize=8,
                          bbox=dict(fc="white", ec="#BBBBBB")), inner)
        elif notes:
            _wrap(ax.text(0.99, 0.99, "; ".join(notes), transform=ax.transAxes, ha="right",
                          va="top", fontsize=7, color="#A33"), inner)
        if len(g) > top:
            ax.text(0.99, 0.01, f"top {top} of {len(g)} parameters by ST",
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=7, color="#555555")
        if i == 0:
            ax.legend(loc="lower right", fontsize=7, bbox_to_anchor=(1.0, 0.06))
    for i in range(len(groups), nrows * ncols):
        axes[i // ncols][i % ncols].set_visible(False)
    who = results.name(country) if results else country
    head = _title(fig, f"{who}: which uncertain inputs drive the outcome (Sobol sensitivity "
                       "indices)")
    foot = _footnote(fig, "bars: index estimates; whiskers: bootstrap confidence intervals; "
                          "ST − S1 = the part due to interactions"
                          + (f"; {year_text}" if year_text else ""))
    _fit(fig, top=[head], bottom=[foot], titles=titles)
    _save(fig, path, dpi, palette)


# --------------------------------------------------------------------------------------
# Command line


def _safe(code):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", code) or "_"


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="sovcap_plots.py",
        description="Figures from a sovcap results file (fan charts, bottleneck timelines, "
                    "country small multiples, tornado charts of sensitivity indices).")
    ap.add_argument("results", metavar="OUT.h5", help="results file written by `sovcap run`")
    ap.add_argument("--out", required=True, metavar="DIR", help="folder for the PNG files")
    ap.add_argument("--countries", metavar="ISO3,...",
                    help="countries to draw, comma-separated (default: all in the file)")
    ap.add_argument("--policy", metavar="P", default="all",
                    help="policy index of a sweep to draw, or 'all' (default: every policy, "
                         "each on its own: a panel per policy, in countries.png a line per "
                         "policy)")
    ap.add_argument("--pool", action="store_true",
                    help="pool the runs of every policy into one band and one timeline (fan "
                         "bands still split where the runs differ in target path; tornado "
                         "charts keep one panel per policy, as the indices are per policy)")
    ap.add_argument("--sensitivity", metavar="FILE.csv",
                    help="CSV from `sovcap sensitivity --format csv`: draw tornado charts")
    ap.add_argument("--sensitivity-year", type=float, metavar="YEAR",
                    help="with indices at several years (sensitivity --series): the year to "
                         "draw (default: the last)")
    ap.add_argument("--max-runs", type=int, default=DEFAULT_MAX_RUNS, metavar="N",
                    help=f"read at most about N runs, an evenly spaced subsample of storage "
                         f"blocks, stated on the figures (default {DEFAULT_MAX_RUNS}; 0: all)")
    ap.add_argument("--shared-y", action="store_true",
                    help="one y scale for every panel of countries.png")
    ap.add_argument("--figures", default=",".join(FIGURES), metavar="LIST",
                    help=f"which figures, comma-separated from {','.join(FIGURES)} "
                         "(default: all; tornado only with --sensitivity)")
    ap.add_argument("--top", type=int, default=15, metavar="N",
                    help="parameters per tornado chart, largest ST first (default 15)")
    ap.add_argument("--dpi", type=float, default=100.0, help="resolution (default 100)")
    ap.add_argument("--palette", action="store_true",
                    help="write 8-bit palette PNGs, about a third of the size (for documents)")
    ap.add_argument("--quiet", action="store_true",
                    help="print nothing but errors (no file list, no notes, no warnings)")
    args = ap.parse_args(argv)

    def say(msg):
        if not args.quiet:
            print(msg)

    def note(msg):
        if not args.quiet:
            print(f"note: {msg}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            if args.quiet:
                warnings.simplefilter("ignore")
            return _run(args, say, note)
    except PlotError as e:
        print(f"sovcap_plots: error: {e}", file=sys.stderr)
        return 2


def _run(args, say, note):
    """The command line's work, once the arguments are parsed."""
    figures = [x.strip() for x in args.figures.split(",") if x.strip()]
    bad = [x for x in figures if x not in FIGURES]
    if bad:
        raise PlotError(f"--figures: unknown {', '.join(bad)} (choose from "
                        f"{', '.join(FIGURES)})")
    if args.policy.strip().lower() in ("all", ""):
        policy = None
    else:
        try:
            policy = int(args.policy)
        except ValueError:
            raise PlotError(f"--policy {args.policy!r}: expected a policy index or "
                            "'all'") from None
    if args.max_runs < 0:
        raise PlotError("--max-runs must be 0 (all) or positive")
    countries = ([c.strip().upper() for c in args.countries.split(",") if c.strip()]
                 if args.countries else None)

    sens = None
    if args.sensitivity and "tornado" in figures:
        sens = read_sensitivity(args.sensitivity)   # fail before drawing anything
    elif "tornado" in figures and args.figures != ",".join(FIGURES):
        raise PlotError("--figures tornado needs --sensitivity FILE.csv")

    h5_figures = [x for x in figures if x != "tornado"]
    r = load(args.results, countries, policy, args.max_runs, h5_figures, pool=args.pool)
    for n in r.notes:
        note(n)

    save = dict(dpi=args.dpi, palette=args.palette)
    todo = []  # (file name, drawing): everything is checked before the first file is written
    for c in r.countries:
        if "fan" in figures and r.bands.get(c):
            todo.append((f"fan_{_safe(c)}.png", lambda p, c=c: fan_chart(r, c, p, **save)))
        if "bottlenecks" in figures and c in r.shares:
            todo.append((f"bottlenecks_{_safe(c)}.png",
                         lambda p, c=c: bottleneck_timeline(r, c, p, **save)))
    if "countries" in figures and any(r.bands.values()):
        todo.append(("countries.png",
                     lambda p: country_grid(r, p, shared_y=args.shared_y, **save)))
    if sens is not None:
        in_csv = list(dict.fromkeys(sens["country"]))
        chosen = [c for c in in_csv if countries is None or c in countries]
        if countries:
            absent = [c for c in countries if c not in in_csv]
            if absent:
                note(f"no sensitivity rows for {', '.join(absent)} in {args.sensitivity}")
        for c in chosen:
            select_sensitivity(sens, c, policy, args.sensitivity_year)  # fails before drawing
            todo.append((f"tornado_{_safe(c)}.png",
                         lambda p, c=c: tornado_chart(sens, c, p, results=r, policy=policy,
                                                      year=args.sensitivity_year,
                                                      top=args.top, **save)))
    if not todo:
        raise PlotError(f"{args.results}: nothing could be drawn for --figures "
                        f"{','.join(h5_figures) or 'tornado'}: "
                        + ("; ".join(r.notes) or "no country selected")
                        + " (`sovcap summarize` reads any results file)")
    os.makedirs(args.out, exist_ok=True)
    for name, draw in todo:
        p = os.path.join(args.out, name)
        draw(p)
        say(p)
    say(f"{len(todo)} figure(s) in {args.out} ({r.sample_text()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
