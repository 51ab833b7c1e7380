#!/usr/bin/python3
"""Figures of the exploratory analyses: a regret heatmap from `sovcap robustness`, and a
diff chart overlaying two results files' fan charts for a country (`sovcap diff`).

Usage:
  /usr/bin/python3 analysis/sovcap_explore_plots.py regret ROBUSTNESS.json --out regret.png
      [--results OUT.h5] [--dpi D] [--quiet]
  /usr/bin/python3 analysis/sovcap_explore_plots.py diff A.h5 B.h5 --country ISO3
      --out diff_ISO3.png [--diff DIFF.json] [--label-a NAME] [--label-b NAME]
      [--policy P] [--max-runs N] [--dpi D] [--quiet]

regret: the mean regret of each policy (rows, labelled by their lever values in words) in
each country (columns), from `sovcap robustness OUT.h5 --metric M --format json` (every
country, or one). Each cell says the mean regret in the metric's units; its colour is that
regret as a share of the largest in its country, so that small and large countries read
alike; the least regret in each country is framed (each policy tied for it), unless every
policy has the same. The lever units come from the results
file (the JSON's "file", or --results).

diff: for one country, the median and 10-90% band of AI IT capacity over the runs of A and
of B, with their target paths and 1 GW. With --diff (the JSON of `sovcap diff A.h5 B.h5
--format json`) a box gives the median 1 GW and target years of A and B, the median
capacity at the last summary year, and for two sweeps over the same futures the paired
change B - A at the horizon (10th, 50th and 90th percentiles over the runs). Runs of every
policy are pooled unless --policy P picks one policy of both; the diff JSON must be of the
same runs (`sovcap diff --pool` for pooled runs of several policies).

Names in words, layout and reading are those of sovcap_plots.py (sovcap_labels.py,
sovcap_layout.py, sovcap_results.py). Exit status: 0 figure
written; 2 bad input (missing or foreign file, a JSON not from the command, unknown country,
a file whose runs differ in target path without --policy), with no figure written; 1
anything else. Needs Debian's python3 (numpy, h5py, matplotlib).
"""

import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sovcap_plots as sp  # noqa: E402  (the fan chart's pieces)
from sovcap_labels import _unit_words, lever_label, metric_label  # noqa: E402
from sovcap_layout import _below, _fit, _footnote, _legend, _mw_formatter, _save, _title  # noqa: E402
from sovcap_results import DEFAULT_MAX_RUNS, PlotError, _attr, load  # noqa: E402

plt = sp.plt
A_COLOUR = sp.FAN_COLOUR
B_COLOUR = "#D55E00"  # vermillion, as the policies' first colour


# --------------------------------------------------------------------------------------
# Regret heatmap


def read_json(path, what):
    if not os.path.exists(path):
        raise PlotError(f"{path}: no such file")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise PlotError(f"{path}: not the JSON of {what}: {e}") from None


def _file_units(path):
    """Units and long names of a results file's variables ({} without the file)."""
    import h5py

    units, names = {}, {}
    if not path or not os.path.exists(path):
        return units, names
    with h5py.File(path, "r") as f:
        for name, obj in f.items():
            if "units" in obj.attrs:
                units[name] = _attr(obj, "units")
            if "long_name" in obj.attrs:
                names[name] = _attr(obj, "long_name")
    return {k: str(v) for k, v in units.items()}, {k: str(v) for k, v in names.items()}


def _lever_text(value):
    """A lever value of the JSON as the TOML text lever_value_text reads."""
    if isinstance(value, str):
        return f'"{value}"' if not value.startswith("[") else value
    return repr(value)


def policy_label(levers, units):
    """One line per lever, in words: 'KOR budget: 8 billion USD per year'."""
    if not levers:
        return "no levers"
    return "\n".join(lever_label(k, _lever_text(v), units.get("lever." + k))
                     for k, v in levers.items())


def regret_table(doc):
    """(country codes, [policy, country] mean regrets) of a robustness JSON."""
    if not isinstance(doc, dict) or "policies" not in doc or "countries" not in doc:
        raise PlotError("not the JSON of `sovcap robustness --format json` (no policies and "
                        "countries)")
    codes = [c["iso3"] for c in doc["countries"]]
    rows = []
    for p in doc["policies"]:
        per = p.get("countries", {codes[0]: p} if len(codes) == 1 else None)
        if per is None:
            raise PlotError("a policy without per-country statistics in the robustness JSON")
        rows.append([math.nan if per[c]["mean_regret"] is None else per[c]["mean_regret"] for c in codes])
    return codes, np.array(rows, dtype=float)


def _cell_text(v):
    if not math.isfinite(v):
        return "–"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e9:
        return f"{v:.3g}"
    if a >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}" if a >= 0.01 else f"{v:.1g}"


def regret_heatmap(doc, path, results=None, dpi=100, palette=False):
    """The policy x country heatmap of mean regret from a robustness JSON."""
    units, names = _file_units(results or doc.get("file"))
    codes, table = regret_table(doc)
    labels = [policy_label(p.get("levers", {}), units) for p in doc["policies"]]
    metric = doc.get("metric", "")
    mlabel = metric_label(metric, names, units)
    unit = doc.get("units", "")
    unit_words = "years" if unit == "year" else _unit_words(unit) or unit
    largest = np.nanmax(table, axis=0)
    rel = np.divide(table, largest, out=np.zeros_like(table), where=largest > 0) * 100.0

    n_lines = max(label.count("\n") + 1 for label in labels)
    fig_w = min(3.2 + 0.62 * len(codes) + 2.2, 18.0)
    fig_h = 1.9 + len(labels) * (0.28 + 0.17 * n_lines)
    fig, ax = plt.subplots(figsize=(fig_w, fig_h))
    img = ax.imshow(rel, cmap="YlOrRd", vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(len(codes)), codes, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=7.5)
    ax.set_xlabel("country")
    ax.set_ylabel("policy (lever values)")
    ax.tick_params(length=0)
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            dark = rel[i, j] > 60
            ax.text(j, i, _cell_text(table[i, j]), ha="center", va="center", fontsize=6.5,
                    color="white" if dark else "black")
    least = np.nanmin(table, axis=0)
    differ = np.nanmax(table, axis=0) > least
    for i, j in zip(*np.nonzero((table == least) & differ)):  # every policy tied for the least
        ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="black", lw=1.6))
    bar = fig.colorbar(img, ax=ax, fraction=0.05, pad=0.02)
    bar.set_label("share of the country's largest mean regret (%)", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    sense = "smaller is better" if doc.get("minimize") else "larger is better"
    head = _title(fig, f"Mean regret of each policy in each country: {mlabel}, {sense} "
                          f"(cells in {unit_words or 'the metric units'}; framed: the least where policies differ)")
    never = doc.get("never_reached_counts_as")
    foot = _footnote(fig, "; ".join(x for x in (
        os.path.basename(str(doc.get("file", ""))),
        f"{doc.get('futures', 0):,} futures shared by {len(labels)} policies (common random numbers)",
        "regret in a future: the best policy's value there minus this policy's",
        f"never reached counts as {never:g}" if never is not None else "") if x))
    _fit(fig, top=[head], bottom=[foot])
    _save(fig, path, dpi, palette)


# --------------------------------------------------------------------------------------
# Diff chart


def _one_band(r, c, label):
    bands = r.bands.get(c)
    if not bands:
        raise PlotError(f"{r.path}: nothing to draw for {c}: " + ("; ".join(r.notes) or "no band"))
    if len(bands) > 1:
        raise PlotError(f"{r.path}: {c}'s runs follow {len(bands)} target paths; choose a policy "
                        "(--policy P) whose runs share one")
    return bands[0]


def _diff_entry(doc, c, policy):
    """The diff JSON's entry for country c and the policy drawn (None: pooled)."""
    entries = [x for x in doc.get("countries", []) if x.get("iso3") == c]
    if not entries:
        raise PlotError(f"the diff JSON has no country {c}")
    entry = next((x for x in entries if x.get("policy") == policy), None)
    if entry is None:
        held = ", ".join("pooled" if x.get("policy") is None else f"policy {x['policy']}" for x in entries)
        raise PlotError(f"the diff JSON gives {c} for {held}, not for the "
                        + ("runs pooled (write it with `sovcap diff --pool`, or pass --policy P)"
                           if policy is None else f"policy {policy}"))
    return entry


def _diff_box(doc, c, end_year, la, lb, policy=None):
    """Lines of the comparison box from a diff JSON: medians of A and B, paired change."""
    if doc is None:
        return ""
    entry = _diff_entry(doc, c, policy)
    m = entry.get("metrics", {})

    def year(v):
        return "-" if v is None else v if isinstance(v, str) else f"{v:.2f}"
    lines = [f"median, {la} → {lb}:"]
    for key, what in (("year_reach_p50", "1 GW"), ("year_target_p50", "final target")):
        if key in m:
            lines.append(f"  {what}: {year(m[key]['a'])} → {year(m[key]['b'])}")
    mw = [k for k in m if k.startswith("it_mw_") and all(isinstance(m[k][x], (int, float)) for x in "ab")]
    if mw:
        k = mw[-1]
        lines.append(f"  capacity {float(k[6:]):g}: {m[k]['a']:,.0f} → {m[k]['b']:,.0f} MW")
    paired = entry.get("paired", {}).get("it_mw_final")
    if paired:
        change = " / ".join("0" if abs(paired[k]) < 0.5 else f"{paired[k]:+,.0f}" for k in ("p10", "p50", "p90"))
        lines.append(f"change by {end_year:g}, run by run (same futures):\n"
                     f"  {change} MW (10th / 50th / 90th percentile)")
    return "\n".join(lines)


def diff_chart(ra, rb, c, path, label_a, label_b, doc=None, dpi=100, palette=False):
    """One country's capacity in A and in B: medians, 10-90% bands, targets, 1 GW."""
    ba, bb = _one_band(ra, c, label_a), _one_band(rb, c, label_b)
    fig, ax = plt.subplots(figsize=(8.4, 5.6))
    handles = []
    for r, b, colour, label in ((ra, ba, A_COLOUR, label_a), (rb, bb, B_COLOUR, label_b)):
        q = b.it_q
        if b.runs > 1:
            ax.fill_between(r.time, q[0], q[2], color=colour, alpha=0.2, lw=0, zorder=2)
            handles.append(sp.Patch(color=colour, alpha=0.2, label=f"{label}: 10–90% of runs"))
        ax.plot(r.time, q[1], color=colour, lw=2.0, zorder=4)
        handles.append(sp.Line2D([], [], color=colour, lw=2.0,
                                 label=f"{label}: " + ("one run" if b.runs == 1 else f"median of {b.runs:,} runs")))
    same_target = (ba.target is not None and bb.target is not None and len(ra.time) == len(rb.time)
                   and np.allclose(ba.target, bb.target))
    for r, b, colour, label in ((ra, ba, A_COLOUR, label_a), (rb, bb, B_COLOUR, label_b)):
        if b.target is None:
            continue
        shown = sp.TARGET_COLOUR if same_target else colour
        ax.plot(r.time, b.target, color=shown, lw=1.3, ls="--", zorder=5)
        handles.append(sp.Line2D([], [], color=shown, lw=1.3, ls="--",
                                 label="announced target path" + ("" if same_target else f" ({label})")))
        if same_target:
            break
    lo = min(ra.time[0], rb.time[0])
    hi = max(ra.time[-1], rb.time[-1])
    sp._mark_gw(ax)
    ax.set_xlim(lo, hi)
    ax.yaxis.set_major_formatter(_mw_formatter())
    ax.grid(True, color="#E5E5E5", lw=0.6)
    ax.set_axisbelow(True)
    ax.set_ylim(0, sp._capacity_top([ba, bb]))
    ax.set_xlabel("year")
    ax.set_ylabel("AI IT capacity in service (MW)")
    box = _diff_box(doc, c, min(ra.end_year, rb.end_year), label_a, label_b, ra.policy)
    if box:
        x, y, ha, va = sp._free_corner(ra, ba, ax.get_ylim()[1])
        ax.text(x, y, box, transform=ax.transAxes, ha=ha, va=va, fontsize=7.5,
                bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="#BBBBBB"))
    head = _title(fig, f"{ra.name(c)}: AI IT capacity, {label_a} against {label_b}")
    foot = _footnote(fig, f"{label_a}: {ra.sample_text()}. {label_b}: {rb.sample_text()}.")
    leg = _legend(fig, handles, 3, loc="lower left", bbox_to_anchor=(0.01, 0.0),
                     bbox_transform=fig.transFigure)
    _below(fig, leg, foot)
    _fit(fig, top=[head], bottom=[leg])
    _save(fig, path, dpi, palette)


# --------------------------------------------------------------------------------------
# Command line


def main(argv=None):
    ap = argparse.ArgumentParser(prog="sovcap_explore_plots.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="figure", required=True)
    reg = sub.add_parser("regret", help="regret heatmap from `sovcap robustness --format json`")
    reg.add_argument("json", metavar="ROBUSTNESS.json")
    reg.add_argument("--results", metavar="OUT.h5", help="the results file (default: the JSON's file)")
    dif = sub.add_parser("diff", help="two files' fan charts for a country, overlaid")
    dif.add_argument("a", metavar="A.h5")
    dif.add_argument("b", metavar="B.h5")
    dif.add_argument("--country", required=True, metavar="ISO3")
    dif.add_argument("--diff", metavar="DIFF.json", help="JSON of `sovcap diff A.h5 B.h5 --format json`")
    dif.add_argument("--label-a", help="name of A in the figure (default: its file name)")
    dif.add_argument("--label-b", help="name of B in the figure (default: its file name)")
    dif.add_argument("--policy", type=int, help="one policy of both files (default: every run pooled)")
    dif.add_argument("--max-runs", type=int, default=DEFAULT_MAX_RUNS, metavar="N")
    for p in (reg, dif):
        p.add_argument("--out", required=True, metavar="FILE.png")
        p.add_argument("--dpi", type=float, default=100.0)
        p.add_argument("--palette", action="store_true", help="8-bit palette PNG (for documents)")
        p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = ap.parse_args(argv)
    try:
        if args.figure == "regret":
            regret_heatmap(read_json(args.json, "`sovcap robustness --format json`"), args.out,
                           args.results, args.dpi, args.palette)
        else:
            c = args.country.strip().upper()
            doc = read_json(args.diff, "`sovcap diff --format json`") if args.diff else None
            if doc is not None:
                _diff_entry(doc, c, args.policy)  # fail before reading the files
            rs = [load(p, [c], args.policy, args.max_runs, ("fan",), pool=args.policy is None)
                  for p in (args.a, args.b)]
            names = [args.label_a, args.label_b]
            names = [n or os.path.basename(p) for n, p in zip(names, (args.a, args.b))]
            diff_chart(rs[0], rs[1], c, args.out, names[0], names[1], doc, args.dpi, args.palette)
    except PlotError as e:
        print(f"sovcap_explore_plots: error: {e}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
