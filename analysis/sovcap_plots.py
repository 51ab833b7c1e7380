#!/usr/bin/python3
"""Figures from a sovcap results file: fan charts, bottleneck timelines, country small
multiples and (given a sensitivity CSV) tornado charts.

Usage:
  /usr/bin/python3 analysis/sovcap_plots.py OUT.h5 --out DIR [--countries KOR,FRA]
      [--policy P|all] [--sensitivity FILE.csv [--sensitivity-year Y] [--top N]]
      [--max-runs N] [--shared-y] [--figures fan,bottlenecks,countries,tornado]
      [--dpi D] [--palette] [--quiet]

Writes into DIR (created if missing), rendering headless (matplotlib Agg):
  fan_ISO3.png          median and 10-90% band of it_mw over runs against the target path
                        (a single run: its line against the target), 1 GW marked
  bottlenecks_ISO3.png  share of runs under each bottleneck code over time, stacked areas
  countries.png         small multiples of it_mw against the target, one panel per country
  tornado_ISO3.png      Sobol indices (S1, ST with their intervals) per parameter, from the
                        CSV of `sovcap sensitivity --format csv` (only with --sensitivity)

Reads full-store files, summary-store files that kept it_mw and/or bottleneck
(`--keep it_mw,bottleneck[,target_mw]`), shards and merged masters. Only complete runs
(run_complete == 1) are used. Runs are read a block at a time; past --max-runs selected
runs (default 20000) the statistics come from an evenly spaced subsample of whole storage
blocks, and the figures say so. Without target_mw in the file the target path is rebuilt
from the country.it_mw, country.target_year and country.target_mw parameters
(docs/model.md section 3: piecewise linear from (start_year, it_mw) through the
milestones, flat after).

As a module: `load(path, ...)` returns a Results object; `fan_chart`,
`bottleneck_timeline`, `country_grid` and `tornado_chart` draw from it (and from
`read_sensitivity(path)`); `main(argv)` is the command line.

Exit status: 0 figures written; 2 bad input (file, option, CSV) or nothing that can be
drawn; 1 any other failure. Needs Debian's python3 (numpy, h5py, matplotlib, pandas).
"""

import argparse
import math
import os
import re
import sys
import textwrap

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the headless backend)
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

# Bottleneck codes (docs/output-format.md, docs/model.md section 8) and their fixed
# colours (Okabe-Ito, colour-blind safe): the same code has the same colour in every figure.
CODES = ("on_track", "lead_time", "power", "capital", "talent", "chips")
CODE_COLOURS = {
    "on_track": "#009E73",   # bluish green
    "lead_time": "#BBBBBB",  # grey: behind, but only waiting for construction
    "power": "#E69F00",      # orange
    "capital": "#0072B2",    # blue
    "talent": "#CC79A7",     # reddish purple
    "chips": "#D55E00",      # vermillion
}
CODE_LABELS = {
    "on_track": "on track (at or above target)",
    "lead_time": "lead time (still being built)",
    "power": "power",
    "capital": "capital",
    "talent": "talent",
    "chips": "chips (allocation / export tier)",
}
FIGURES = ("fan", "bottlenecks", "countries", "tornado")
QUANTILES = (0.1, 0.5, 0.9)
GW = 1000.0
DEFAULT_MAX_RUNS = 20000
BLOCK_RUNS = 4096            # runs read per HDF5 call
MEMORY_LIMIT = 2 * 1024**3   # bytes of it_mw values kept for exact quantiles
SENSITIVITY_COLUMNS = ("country", "parameter", "S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi")
FAN_COLOUR = "#1F5A99"
TARGET_COLOUR = "black"
POLICY_COLOURS = ("#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#0072B2",
                  "#F0E442", "#000000")


class PlotError(Exception):
    """A problem with the input that the user must fix (exit status 2)."""


# --------------------------------------------------------------------------------------
# Reading


class Results:
    """What the figures need, reduced from a results file over the selected runs.

    Per country code (dicts keyed by ISO3): `it_q` [3, time] quantiles 10/50/90 % of
    it_mw; `it_q_policy` {policy: [3, time]} when several policies are pooled (8 at most);
    `target` [time] the target path of the first selected run, `target_lo`/`target_hi`
    its range over the selected runs; `shares` [6, time] share of runs under each
    bottleneck code; `gw` (share of runs reaching 1 GW, median year among those) and
    `final_target` likewise for the final target. Any of these is None when the file
    lacks what it needs; `notes` says why.
    """

    def __init__(self):
        self.path = ""
        self.store = ""
        self.kept = []
        self.countries = []        # ISO3 codes, in file order, of the selected countries
        self.names = {}            # ISO3 -> country name
        self.time = None
        self.start_year = math.nan
        self.end_year = math.nan
        self.runs_in_file = 0
        self.runs_complete = 0
        self.runs_selected = 0     # complete runs of the chosen policy (or all policies)
        self.runs_used = 0         # those actually read (the subsample past max_runs)
        self.subsample_block = 0   # storage block length of the subsample, 0 when none
        self.policy = None         # int, or None for all policies pooled
        self.n_policies = 1
        self.policy_labels = {}    # policy -> "lever=value, ..." text
        self.samples_per_policy = 0
        self.sweep_method = ""
        self.it_q = {}
        self.it_q_policy = {}
        self.target = {}
        self.target_lo = {}
        self.target_hi = {}
        self.target_source = None  # "target_mw", "parameters" or None
        self.shares = {}
        self.gw = {}
        self.final_target = {}
        self.notes = []            # what could not be drawn, and why

    @property
    def single_run(self):
        return self.runs_used == 1

    def name(self, code):
        n = self.names.get(code, "")
        return f"{n} ({code})" if n and n != code else code

    def policy_text(self):
        if self.n_policies <= 1:
            return ""
        if self.policy is None:
            return f"{self.n_policies} policies pooled"
        return f"policy {self.policy}: {self.policy_labels.get(self.policy, '')}".rstrip(": ")

    def sample_text(self):
        """One line saying which runs the statistics come from."""
        base = os.path.basename(self.path)
        if self.runs_used == 1:
            runs = "1 run"
        elif self.runs_used < self.runs_selected:
            runs = (f"statistics over a subsample of {self.runs_used:,} of "
                    f"{self.runs_selected:,} runs (evenly spaced blocks of "
                    f"{self.subsample_block} runs; --max-runs)")
        else:
            runs = f"statistics over {self.runs_used:,} runs"
        parts = [base, f"{self.store} store", runs]
        if self.runs_complete < self.runs_in_file:
            parts.append(f"{self.runs_in_file - self.runs_complete:,} incomplete runs left out")
        p = self.policy_text()
        if p:
            parts.append(p)
        return "; ".join(parts)


def _attr(f, name, default=None):
    v = f.attrs.get(name, default)
    if isinstance(v, bytes):
        v = v.decode("utf-8")
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v[()]
    return v


def _strings(ds):
    return [s.decode("utf-8") if isinstance(s, bytes) else str(s) for s in ds[()]]


def _lever_label(key, value):
    short = key
    for prefix in ("global.", "country."):
        if short.startswith(prefix):
            short = short[len(prefix):]
            break
    return f"{short} = {value}"


def _policy_labels(f, positions_by_policy):
    """'lever = value, ...' for each policy, from the lever.* variables of one of its runs."""
    keys = str(_attr(f, "lever_keys", "") or "").split()
    labels = {}
    for p, pos in positions_by_policy.items():
        parts = []
        for k in keys:
            name = "lever." + k
            if name not in f:
                continue
            ds = f[name]
            v = ds[int(pos)]
            values = ds.attrs.get("values")
            if values is not None and np.issubdtype(ds.dtype, np.integer):
                vals = [x.decode() if isinstance(x, bytes) else str(x)
                        for x in np.atleast_1d(values)]
                text = vals[int(v)] if 0 <= int(v) < len(vals) else str(v)
                text = text.strip('"')
            else:
                text = f"{float(v):g}"
            parts.append(_lever_label(k, text))
        labels[p] = ", ".join(parts)
    return labels


def _subsample(positions, max_runs, block):
    """Whole storage blocks, evenly spaced, until at least max_runs runs are chosen."""
    if max_runs <= 0 or len(positions) <= max_runs:
        return positions
    chunk_ids = positions // block
    uniq, counts = np.unique(chunk_ids, return_counts=True)
    k = min(len(uniq), max(1, int(math.ceil(max_runs / counts.mean()))))
    while True:
        idx = np.unique(np.linspace(0, len(uniq) - 1, k).round().astype(np.int64))
        if counts[idx].sum() >= max_runs or k >= len(uniq):
            break
        k += 1
    return positions[np.isin(chunk_ids, uniq[idx])]


def _ranges(positions, block_runs, gap):
    """Split sorted file positions into contiguous ranges [a, b) to read in one call each."""
    if len(positions) == 0:
        return []
    breaks = np.flatnonzero(np.diff(positions) > gap) + 1
    out = []
    for group in np.split(positions, breaks):
        i = 0
        while i < len(group):
            j = int(np.searchsorted(group, group[i] + block_runs, side="left"))
            j = max(j, i + 1)
            out.append((int(group[i]), int(group[j - 1]) + 1, group[i:j]))
            i = j
    return out


def target_path(times, start_year, it0, years, mws):
    """Target path tau(t) [..., time] (docs/model.md section 3), vectorised.

    it0 [...], years/mws [..., K] NaN-padded milestones (or None: no targets at all).
    Piecewise linear through (start_year, it0) and the milestones, it0 before start_year,
    flat after the last milestone.
    """
    t = np.asarray(times, dtype=np.float64)
    it0 = np.asarray(it0, dtype=np.float64)[..., None]
    res = np.broadcast_to(it0, it0.shape[:-1] + t.shape).copy()
    if years is None:
        return res
    prev_x = np.full(it0.shape, float(start_year))
    prev_y = it0.copy()
    for j in range(years.shape[-1]):
        x = years[..., j][..., None]
        y = mws[..., j][..., None]
        valid = ~np.isnan(x) & ~np.isnan(y)
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.clip((t - prev_x) / (x - prev_x), 0.0, 1.0)
        seg = prev_y + frac * (y - prev_y)
        res = np.where(valid & (t > prev_x), seg, res)
        prev_x = np.where(valid, x, prev_x)
        prev_y = np.where(valid, y, prev_y)
    return res


def load(path, countries=None, policy=None, max_runs=DEFAULT_MAX_RUNS,
         figures=FIGURES, block_runs=BLOCK_RUNS):
    """Reads the statistics the figures need from a results file, a block of runs at a time.

    countries: ISO3 codes (None: all, in file order); policy: int or None (all pooled);
    max_runs: cap on the runs read (0: all); figures: which figures will be drawn.
    """
    import h5py

    if not os.path.exists(path):
        raise PlotError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise PlotError(f"{path}: cannot open as HDF5: {e}") from None
    with f:
        if _attr(f, "file_type") != "sovcap-results":
            raise PlotError(f"{path}: not a sovcap results file (root attribute file_type is "
                            f"{_attr(f, 'file_type')!r}, expected 'sovcap-results')")
        r = Results()
        r.path = path
        r.store = str(_attr(f, "store", "full"))
        r.kept = str(_attr(f, "kept_series", "") or "").split()
        r.time = f["time"][()].astype(np.float64)
        r.start_year = float(_attr(f, "start_year", r.time[0]))
        r.end_year = float(_attr(f, "end_year", r.time[-1]))
        r.sweep_method = str(_attr(f, "sweep_method", "") or "")
        r.samples_per_policy = int(_attr(f, "sweep_samples_per_policy", 0) or 0)

        all_codes = _strings(f["country"])
        names = _strings(f["country_name"]) if "country_name" in f else all_codes
        if countries:
            unknown = [c for c in countries if c not in all_codes]
            if unknown:
                raise PlotError(f"{path}: no country {', '.join(unknown)} in the file "
                                f"(it has {', '.join(all_codes)})")
            cidx = [all_codes.index(c) for c in countries]
        else:
            cidx = list(range(len(all_codes)))
        r.countries = [all_codes[i] for i in cidx]
        r.names = {all_codes[i]: names[i] for i in cidx}

        # Which runs: complete, of the chosen policy.
        n = f["run"].shape[0]
        r.runs_in_file = n
        if "run_complete" in f:
            mask = f["run_complete"][()] == 1
        else:
            mask = np.ones(n, dtype=bool)
            r.notes.append("no run_complete variable: every run taken as complete")
        r.runs_complete = int(mask.sum())
        if r.runs_complete == 0:
            raise PlotError(f"{path}: no complete run (run_complete is 0 for all {n} runs; "
                            "finish the file with `sovcap run ... --resume`)")
        pol = f["policy"][()].astype(np.int64) if "policy" in f else np.zeros(n, np.int64)
        r.n_policies = int(_attr(f, "sweep_policies", 0) or 0) or int(pol[mask].max()) + 1
        if policy is not None:
            if not 0 <= policy < r.n_policies:
                raise PlotError(f"--policy {policy}: the file has policies 0 to "
                                f"{r.n_policies - 1}")
            mask &= pol == policy
            if not mask.any():
                raise PlotError(f"{path}: no complete run of policy {policy} in this file")
        r.policy = policy
        positions = np.flatnonzero(mask).astype(np.int64)
        r.runs_selected = len(positions)
        first_of_policy = {}
        for p in np.unique(pol[positions]):
            first_of_policy[int(p)] = int(positions[np.argmax(pol[positions] == p)])
        r.policy_labels = _policy_labels(f, first_of_policy)

        # What is in the file, against what the figures need.
        has = {k: k in f for k in ("it_mw", "bottleneck", "target_mw", "year_gw_reached",
                                   "year_target_reached", "country.it_mw",
                                   "country.target_year", "country.target_mw")}
        want_it = bool({"fan", "countries"} & set(figures))
        want_bn = "bottlenecks" in figures
        keep_hint = ("rerun with --store full, or --store summary --keep "
                     "it_mw,bottleneck,target_mw")
        kept_text = f"store={r.store}, kept_series='{' '.join(r.kept)}'"
        if want_it and not has["it_mw"]:
            r.notes.append(f"no it_mw trajectories in the file ({kept_text}): fan charts and "
                           f"country small multiples skipped; {keep_hint}")
            want_it = False
        if want_bn and not has["bottleneck"]:
            r.notes.append(f"no bottleneck trajectories in the file ({kept_text}): bottleneck "
                           f"timelines skipped; {keep_hint}")
            want_bn = False
        want_target = want_it
        if want_target:
            if has["target_mw"]:
                r.target_source = "target_mw"
            elif has["country.it_mw"]:
                r.target_source = "parameters"
                r.notes.append("no target_mw trajectories in the file: target paths rebuilt "
                               "from the country.it_mw / country.target_year / "
                               "country.target_mw parameters")
            else:
                r.notes.append("neither target_mw nor the country.it_mw parameter in the "
                               "file: targets not drawn")
                want_target = False

        # Storage block along run: the subsample takes whole blocks.
        block = 256
        for name in ("it_mw", "bottleneck"):
            if name in f and f[name].chunks:
                block = f[name].chunks[0]
                break
        used = _subsample(positions, max_runs, block)
        r.runs_used = len(used)
        r.subsample_block = block if len(used) < len(positions) else 0

        nc, nt, m = len(cidx), len(r.time), len(used)
        if want_it and m * nc * nt * 4 > MEMORY_LIMIT:
            raise PlotError(f"{m:,} runs x {nc} countries x {nt} times is too much to hold for "
                            f"quantiles: lower --max-runs (now {max_runs}) or pass fewer "
                            "--countries")
        it_vals = np.empty((m, nc, nt), np.float32) if want_it else None
        counts = np.zeros((nc, len(CODES), nt), np.int64) if want_bn else None
        valid = np.zeros((nc, nt), np.int64) if want_bn else None
        tgt_first = tgt_lo = tgt_hi = None
        gw_years = np.empty((m, nc)) if has["year_gw_reached"] else None
        fin_years = np.empty((m, nc)) if has["year_target_reached"] else None
        has_targets = has["country.target_year"] and has["country.target_mw"]

        k = 0
        for a, b, pos in _ranges(used, block_runs, gap=block):
            sel = pos - a
            mm = len(pos)
            if want_it:
                it_vals[k:k + mm] = f["it_mw"][a:b][sel][:, cidx, :]
            if want_bn:
                bn = f["bottleneck"][a:b][sel][:, cidx, :]
                for code in range(len(CODES)):
                    counts[:, code, :] += (bn == code).sum(axis=0)
                valid += (bn >= 0).sum(axis=0)
            if want_target:
                if r.target_source == "target_mw":
                    tg = f["target_mw"][a:b][sel][:, cidx, :]
                else:
                    it0 = f["country.it_mw"][a:b][sel][:, cidx]
                    if has_targets:
                        ty = f["country.target_year"][a:b][sel][:, cidx, :]
                        tm = f["country.target_mw"][a:b][sel][:, cidx, :]
                    else:
                        ty = tm = None
                    tg = target_path(r.time, r.start_year, it0, ty, tm)
                if tgt_first is None:
                    tgt_first = tg[0].copy()
                    tgt_lo = np.nanmin(tg, axis=0)
                    tgt_hi = np.nanmax(tg, axis=0)
                else:
                    tgt_lo = np.fmin(tgt_lo, np.nanmin(tg, axis=0))
                    tgt_hi = np.fmax(tgt_hi, np.nanmax(tg, axis=0))
            if gw_years is not None:
                gw_years[k:k + mm] = f["year_gw_reached"][a:b][sel][:, cidx]
            if fin_years is not None:
                fin_years[k:k + mm] = f["year_target_reached"][a:b][sel][:, cidx]
            k += mm
        assert k == m

        upol = pol[used]
        policies = np.unique(upol)
        for j, c in enumerate(r.countries):
            if want_it:
                v = it_vals[:, j, :].astype(np.float64)
                r.it_q[c] = np.nanquantile(v, QUANTILES, axis=0)
                if policy is None and 1 < len(policies) <= len(POLICY_COLOURS):
                    r.it_q_policy[c] = {int(p): np.nanquantile(v[upol == p], QUANTILES, axis=0)
                                        for p in policies}
            if want_target:
                r.target[c] = tgt_first[j]
                r.target_lo[c] = tgt_lo[j]
                r.target_hi[c] = tgt_hi[j]
            if want_bn:
                with np.errstate(invalid="ignore", divide="ignore"):
                    r.shares[c] = counts[j] / valid[j]
            for store, years in ((r.gw, gw_years), (r.final_target, fin_years)):
                if years is not None:
                    y = years[:, j]
                    hit = ~np.isnan(y)
                    med = float(np.median(y[hit])) if hit.any() else math.nan
                    store[c] = (float(hit.mean()), med)
        return r


# --------------------------------------------------------------------------------------
# Drawing


def _save(fig, path, dpi, palette=False):
    """Writes the figure as PNG; palette: as an 8-bit palette PNG of at most 128 colours,
    about a third of the size and alike to the eye (for documents; needs Pillow)."""
    if palette:
        import io
        from PIL import Image

        buf = io.BytesIO()
        fig.savefig(buf, dpi=dpi, format="png")
        buf.seek(0)
        img = Image.open(buf).convert("RGB")
        img.quantize(colors=128, method=Image.Quantize.MEDIANCUT,
                     dither=Image.Dither.NONE).save(path, optimize=True)
    else:
        fig.savefig(path, dpi=dpi)
    plt.close(fig)


def _mw_formatter():
    return FuncFormatter(lambda v, _: f"{v:,.0f}")


def _footnote(fig, text, y=0.005):
    return fig.text(0.01, y, text, fontsize=7, color="#555555", ha="left", va="bottom", wrap=True)


def _mark_gw(ax, label=True):
    ax.axhline(GW, color="#777777", lw=0.9, ls=":", zorder=1)
    if label:
        ax.annotate("1 GW", xy=(0.0, GW), xycoords=("axes fraction", "data"),
                    xytext=(3, 2), textcoords="offset points", fontsize=8, color="#555555")


def _reach_text(r, c):
    """'1 GW: 64% of runs, median 2031.5' lines (or the year, for one run)."""
    lines = []
    for label, store in (("1 GW", r.gw), ("final target", r.final_target)):
        if c not in store:
            continue
        share, med = store[c]
        if r.single_run:
            lines.append(f"{label} reached: {med:.2f}" if share > 0
                         else f"{label}: not reached by {r.end_year:g}")
        elif share > 0:
            lines.append(f"{label} by {r.end_year:g}: {share:.0%} of runs (median year {med:.1f})")
        else:
            lines.append(f"{label} by {r.end_year:g}: no run")
    return "\n".join(lines)


def _capacity_top(r, c, always_gw=True):
    """Upper y limit that shows the band, the target and the 1 GW line (small panels: the
    1 GW line only when the data come within half of it, so that a 300 MW country is not
    squeezed into the bottom of its panel)."""
    top = [np.nanmax(r.it_q[c])]
    if c in r.target:
        top += [np.nanmax(r.target_hi[c]), np.nanmax(r.target[c])]
    top = float(np.nanmax(top))
    if always_gw or top >= 0.5 * GW:
        top = max(top, GW * 1.08)
    return top * 1.05


def _fit(fig, top=(), bottom=(), pad_in=0.06):
    """tight_layout inside the room left by figure-level artists above and below the axes
    (titles, figure legends, footnotes: fig.text, which tight_layout ignores), measured
    after a draw."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    h = fig.bbox.height
    lo, hi = 0.0, 1.0
    for a in bottom:
        lo = max(lo, a.get_window_extent(renderer).y1 / h)
    for a in top:
        hi = min(hi, a.get_window_extent(renderer).y0 / h)
    pad = pad_in / fig.get_figheight()
    fig.tight_layout(rect=(0, lo + pad, 1, hi - pad))


def _draw_capacity(ax, r, c, policies=True, lw=2.0, small=False):
    """Band, median, target and 1 GW on one axis; returns legend handles."""
    q = r.it_q[c]
    handles = []
    t = r.time
    if not r.single_run:
        ax.fill_between(t, q[0], q[2], color=FAN_COLOUR, alpha=0.25, lw=0, zorder=2)
        handles.append(Patch(color=FAN_COLOUR, alpha=0.25, label="10–90% of runs"))
    ax.plot(t, q[1], color=FAN_COLOUR, lw=lw, zorder=4)
    handles.append(Line2D([], [], color=FAN_COLOUR, lw=lw,
                          label="capacity (one run)" if r.single_run else "median over runs"))
    if policies and c in r.it_q_policy:
        items = sorted(r.it_q_policy[c].items())
        for i, (p, qp) in enumerate(items):
            col = POLICY_COLOURS[i % len(POLICY_COLOURS)]
            # Earlier policies wider, so that lines lying on one another stay visible.
            w = 1.0 + 0.6 * (len(items) - 1 - i)
            ax.plot(t, qp[1], color=col, lw=w, ls="-", zorder=3, solid_capstyle="butt")
            handles.append(Line2D([], [], color=col, lw=w,
                                  label=f"median, policy {p}: {r.policy_labels.get(p, '')}"))
    if c in r.target:
        lo, hi = r.target_lo[c], r.target_hi[c]
        varies = np.nanmax(np.abs(hi - lo)) > 1e-6 * max(1.0, np.nanmax(np.abs(hi)))
        if varies:
            ax.fill_between(t, lo, hi, facecolor="none", edgecolor="#999999", hatch="///",
                            lw=0, zorder=2)
            handles.append(Patch(facecolor="none", edgecolor="#999999", hatch="///",
                                 label="target range across runs"))
        ax.plot(t, r.target[c], color=TARGET_COLOUR, lw=1.4, ls="--", zorder=5)
        src = [] if r.target_source == "target_mw" else ["from parameters"]
        src += ["first run"] if varies else []
        handles.append(Line2D([], [], color=TARGET_COLOUR, lw=1.4, ls="--",
                              label="announced target path"
                              + (f" ({', '.join(src)})" if src else "")))
    _mark_gw(ax, label=not small)
    ax.set_xlim(t[0], t[-1])
    ax.set_ylim(0, _capacity_top(r, c, always_gw=not small))
    ax.yaxis.set_major_formatter(_mw_formatter())
    ax.grid(True, color="#E5E5E5", lw=0.6)
    ax.set_axisbelow(True)
    return handles


def fan_chart(r, c, path, dpi=100, palette=False):
    """fan_ISO3.png: it_mw median and 10-90% band against the target path."""
    n_handles = 3 + len(r.it_q_policy.get(c, {})) + (c in r.target)
    fig, ax = plt.subplots(figsize=(8.4, 4.4 + 0.17 * n_handles))
    handles = _draw_capacity(ax, r, c)
    what = "one run" if r.single_run else "median and 10–90% of runs"
    ax.set_title(f"{r.name(c)}: AI IT capacity against announced targets ({what})",
                 fontsize=11, loc="left")
    ax.set_xlabel("year")
    ax.set_ylabel("AI IT capacity in service (MW)")
    text = _reach_text(r, c)
    if text:
        ax.text(0.99, 0.03, text, transform=ax.transAxes, ha="right", va="bottom",
                fontsize=8, bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="#BBBBBB"))
    # The legend goes under the axes: the target path and the band fill the inside.
    foot = _footnote(fig, r.sample_text())
    ncol = 2 if max(len(h.get_label()) for h in handles) <= 48 else 1
    leg = fig.legend(handles=handles, loc="lower left", ncol=ncol, fontsize=8, frameon=False,
                     bbox_to_anchor=(0.01, 0.0), bbox_transform=fig.transFigure)
    fig.canvas.draw()
    leg.set_bbox_to_anchor((0.01, foot.get_window_extent().y1 / fig.bbox.height))
    _fit(fig, bottom=[leg])
    _save(fig, path, dpi, palette)


def bottleneck_timeline(r, c, path, dpi=100, palette=False):
    """bottlenecks_ISO3.png: share of runs under each bottleneck code, stacked over time."""
    s = np.nan_to_num(r.shares[c]) * 100.0
    fig, ax = plt.subplots(figsize=(8.4, 4.4))
    # The code recorded at t_n describes the step (t_(n-1), t_n]: draw it as a step.
    ax.stackplot(r.time, *s, colors=[CODE_COLOURS[k] for k in CODES], step="pre",
                 lw=0)
    ax.set_xlim(r.time[0], r.time[-1])
    ax.set_ylim(0, 100)
    ax.set_xlabel("year")
    ax.set_ylabel("share of runs (%)")
    who = ("one run: its bottleneck in each step" if r.single_run
           else "share of runs under each bottleneck")
    ax.set_title(f"{r.name(c)}: what holds capacity back, when ({who})",
                 fontsize=11, loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles = [Patch(color=CODE_COLOURS[k], label=CODE_LABELS[k]) for k in reversed(CODES)]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              title="bottleneck in the step", title_fontsize=8, frameon=False)
    foot = _footnote(fig, "Code per time step: the constraint that held back the most MW in that "
                   "step (docs/model.md §8); 'lead time' = behind the target path with "
                   "nothing binding now.\n" + r.sample_text())
    _fit(fig, bottom=[foot])
    _save(fig, path, dpi, palette)


def country_grid(r, path, shared_y=False, dpi=100, palette=False):
    """countries.png: one small it_mw-against-target panel per country."""
    cs = [c for c in r.countries if c in r.it_q]
    n = len(cs)
    ncols = min(n, 5 if n > 9 else (3 if n > 4 else n))
    nrows = int(math.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.9 * ncols + 0.4, 2.2 * nrows + 1.0),
                             sharex=True, sharey=shared_y, squeeze=False)
    handles = None
    for i, c in enumerate(cs):
        ax = axes[i // ncols][i % ncols]
        handles = _draw_capacity(ax, r, c, policies=False, lw=1.5, small=True)
        ax.set_title(r.names.get(c, c) if r.names.get(c) else c, fontsize=9, pad=3)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        if i % ncols == 0:
            ax.set_ylabel("MW (IT)", fontsize=8)
        if i // ncols == nrows - 1 or i + ncols >= n:
            ax.set_xlabel("year", fontsize=8)
            ax.tick_params(labelbottom=True)
    for i in range(n, nrows * ncols):
        axes[i // ncols][i % ncols].set_visible(False)
    if shared_y:
        top = max(_capacity_top(r, c, always_gw=False) for c in cs)
        for ax in axes.flat:
            ax.set_ylim(0, top)
    scale = "one y scale for all" if shared_y else "y scale per country"
    what = "one run" if r.single_run else "median and 10–90% of runs"
    h = fig.get_figheight()
    title = fig.text(0.01, 1 - 0.08 / h,
                     f"AI IT capacity in service against announced targets ({what})",
                     fontsize=11, ha="left", va="top")
    handles.append(Line2D([], [], color="#777777", lw=0.9, ls=":", label="1 GW (where in range)"))
    fig.canvas.draw()
    leg = fig.legend(handles=handles, loc="upper left", fontsize=8, ncol=len(handles),
                     frameon=False, bbox_to_anchor=(0.0, title.get_window_extent().y0
                                                    / fig.bbox.height))
    foot = _footnote(fig, f"MW of IT capacity, {scale}. " + r.sample_text())
    _fit(fig, top=[leg], bottom=[foot])
    _save(fig, path, dpi, palette)


def read_sensitivity(path):
    """The CSV of `sovcap sensitivity --format csv` as a DataFrame, columns checked.

    Read by column name: country, parameter, S1, S1_lo, S1_hi, ST, ST_lo, ST_hi are
    required; policy, levers, metric, year, base_rows, runs, mean, sd, censored and note
    are used when present, any other column is ignored.
    """
    import pandas as pd

    if not os.path.exists(path):
        raise PlotError(f"--sensitivity {path}: no such file")
    try:
        df = pd.read_csv(path, keep_default_na=True, na_values=["nan", "NaN", "-nan"])
    except Exception as e:  # pandas raises several types for malformed CSV
        raise PlotError(f"--sensitivity {path}: cannot read as CSV: {e}") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in SENSITIVITY_COLUMNS if c not in df.columns]
    if missing:
        raise PlotError(f"--sensitivity {path}: missing column(s) {', '.join(missing)}; "
                        f"expected the CSV of `sovcap sensitivity --format csv` with columns "
                        f"{', '.join(SENSITIVITY_COLUMNS)} (it has: {', '.join(df.columns)})")
    if len(df) == 0:
        raise PlotError(f"--sensitivity {path}: no rows")
    for c in SENSITIVITY_COLUMNS[2:] + ("year", "mean", "sd", "runs", "base_rows", "censored"):
        if c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce")
    for c in ("country", "parameter", "metric", "levers", "note"):
        if c in df.columns:
            df[c] = df[c].fillna("").astype(str).str.strip()
    if "policy" in df.columns:
        df["policy"] = pd.to_numeric(df["policy"], errors="coerce").fillna(-1).astype(int)
    return df


def select_sensitivity(df, country, policy=None, year=None):
    """The rows of one country's tornado chart, and the panels they fall into.

    policy: int (keep that policy's rows) or None (one panel per policy); year: with
    indices at several years (`--series`), the year to draw (None: the last). Returns
    (rows, panel key columns, text saying which year was chosen, or "").
    """
    sub = df[df["country"] == country]
    if policy is not None and "policy" in sub.columns:
        if policy not in set(sub["policy"]):
            raise PlotError(f"sensitivity CSV: no rows of policy {policy} for {country} "
                            f"(it has {sorted(set(sub['policy']))})")
        sub = sub[sub["policy"] == policy]
    year_text = ""
    if "year" in sub.columns:
        years = sorted(y for y in set(sub["year"]) if not np.isnan(y))
        if year is not None:
            if not any(abs(y - year) < 1e-9 for y in years):
                raise PlotError(f"sensitivity CSV: no indices at year {year:g} for {country} "
                                f"(years: {', '.join(f'{y:g}' for y in years) or 'none'})")
            sub = sub[(sub["year"] - year).abs() < 1e-9]
        elif len(years) > 1:
            sub = sub[sub["year"] == years[-1]]
            year_text = (f"indices at {years[-1]:g}, the last of {len(years)} years in the CSV "
                         "(--sensitivity-year)")
    keys = [k for k in ("policy", "metric") if k in sub.columns and sub[k].nunique() > 1]
    if sub.duplicated(["parameter"] + keys).any():
        extra = [c for c in sub.columns if c not in SENSITIVITY_COLUMNS]
        raise PlotError(f"sensitivity CSV: several rows for one parameter of {country} that "
                        f"policy/metric/year do not tell apart (other columns: "
                        f"{', '.join(extra) or 'none'})")
    return sub, keys, year_text


def _panel_text(g):
    """Panel title ('metric: ..., policy 1 (levers)', runs, mean, censoring) and notes."""
    first = g.iloc[0]
    head = []
    if "metric" in g.columns and first["metric"]:
        head.append(f"metric: {first['metric']}")
    if "policy" in g.columns and first["policy"] >= 0:
        lev = first["levers"] if "levers" in g.columns and first["levers"] else ""
        head.append(f"policy {first['policy']}" + (f" ({lev})" if lev else ""))
    info = []
    if "runs" in g.columns and not np.isnan(first["runs"]):
        rows = (f", {first['base_rows']:.0f} base rows" if "base_rows" in g.columns
                and not np.isnan(first["base_rows"]) else "")
        info.append(f"{first['runs']:.0f} runs{rows}")
    if "mean" in g.columns and not np.isnan(first["mean"]):
        sd = f", sd {first['sd']:.4g}" if "sd" in g.columns and not np.isnan(first["sd"]) else ""
        info.append(f"output mean {first['mean']:.6g}{sd}")
    lines = [", ".join(head), "; ".join(info)]
    if "censored" in g.columns and first["censored"] > 0:
        lines.append(f"{first['censored']:.0f} runs censored (never reached: counted at the "
                     "horizon + dt)")
    notes = sorted({n for n in g["note"] if n}) if "note" in g.columns else []
    return "\n".join(textwrap.fill(x, 100) for x in lines if x), notes


def tornado_chart(df, country, path, names=None, policy=None, year=None, top=15, dpi=100,
                  palette=False):
    """tornado_ISO3.png: first-order (S1) and total (ST) Sobol indices per parameter,
    largest ST at the top, with their confidence intervals; one panel per policy and
    metric in the CSV."""
    sub, keys, year_text = select_sensitivity(df, country, policy, year)
    if keys:
        groups = list(sub.groupby(keys if len(keys) > 1 else keys[0], sort=True))
    else:
        groups = [((), sub)]
    nmax = max(min(top, len(g)) for _, g in groups)
    ncols = min(2, len(groups))
    nrows = int(math.ceil(len(groups) / ncols))
    panel_h = 0.34 * nmax + 1.6
    fig, axes = plt.subplots(nrows, ncols, figsize=(7.2 * ncols, panel_h * nrows + 1.0),
                             squeeze=False)
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
        ax.set_yticklabels(shown["parameter"], fontsize=8)
        ax.axvline(0, color="black", lw=0.8)
        vals = np.concatenate([shown[c].to_numpy() for c in ("ST_hi", "ST", "S1")] + [[0.05]])
        hi = np.nanmax(vals)
        lo = np.nanmin(np.concatenate([shown["S1_lo"].to_numpy(), s1, [0.0]]))
        ax.set_xlim(min(0.0, lo) - 0.02, min(hi * 1.08 + 0.01, 1.5))
        ax.set_xlabel("Sobol index (share of the output's variance)")
        ax.grid(True, axis="x", color="#E5E5E5", lw=0.6)
        ax.set_axisbelow(True)
        text, notes = _panel_text(g)
        ax.set_title(text, fontsize=8, loc="left")
        if np.isnan(st).all():
            ax.text(0.5, 0.5, "no indices: " + ("; ".join(notes) or "all NaN"),
                    transform=ax.transAxes, ha="center", va="center", fontsize=8, wrap=True,
                    bbox=dict(fc="white", ec="#BBBBBB"))
        elif notes:
            ax.text(0.99, 0.99, "; ".join(notes), transform=ax.transAxes, ha="right", va="top",
                    fontsize=7, color="#A33", wrap=True)
        if len(g) > top:
            ax.text(0.99, 0.01, f"top {top} of {len(g)} parameters by ST",
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=7, color="#555555")
        if i == 0:
            ax.legend(loc="lower right", fontsize=7, bbox_to_anchor=(1.0, 0.06))
    for i in range(len(groups), nrows * ncols):
        axes[i // ncols][i % ncols].set_visible(False)
    label = names.get(country, "") if names else ""
    who = f"{label} ({country})" if label and label != country else country
    title = f"{who}: which uncertain inputs drive the outcome (Sobol sensitivity indices)"
    head = fig.text(0.01, 1 - 0.08 / fig.get_figheight(), title, fontsize=11, ha="left",
                    va="top")
    foot = _footnote(fig, "bars: index estimates; whiskers: bootstrap confidence intervals "
                          "(S1_lo–S1_hi, ST_lo–ST_hi); ST − S1 = the part due to interactions"
                          + (f"; {year_text}" if year_text else ""))
    _fit(fig, top=[head], bottom=[foot])
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
                    help="policy index of a sweep to draw, or 'all' to pool every policy "
                         "(default; with 2 to 8 policies the fan charts add each policy's "
                         "median, and tornado charts get one panel per policy)")
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
    ap.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = ap.parse_args(argv)

    def say(msg):
        if not args.quiet:
            print(msg)

    try:
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
        r = load(args.results, countries, policy, args.max_runs, h5_figures)
        for note in r.notes:
            print(f"note: {note}", file=sys.stderr)

        os.makedirs(args.out, exist_ok=True)
        written = []

        def out(name):
            p = os.path.join(args.out, name)
            written.append(p)
            return p

        save = dict(dpi=args.dpi, palette=args.palette)
        for c in r.countries:
            if "fan" in figures and c in r.it_q:
                fan_chart(r, c, out(f"fan_{_safe(c)}.png"), **save)
            if "bottlenecks" in figures and c in r.shares:
                bottleneck_timeline(r, c, out(f"bottlenecks_{_safe(c)}.png"), **save)
        if "countries" in figures and r.it_q:
            country_grid(r, out("countries.png"), shared_y=args.shared_y, **save)
        if sens is not None:
            in_csv = list(dict.fromkeys(sens["country"]))
            chosen = [c for c in in_csv if countries is None or c in countries]
            if countries:
                absent = [c for c in countries if c not in in_csv]
                if absent:
                    print(f"note: no sensitivity rows for {', '.join(absent)} in "
                          f"{args.sensitivity}", file=sys.stderr)
            for c in chosen:
                tornado_chart(sens, c, out(f"tornado_{_safe(c)}.png"), names=r.names,
                              policy=policy, year=args.sensitivity_year, top=args.top, **save)
        if not written:
            raise PlotError(f"{args.results}: nothing could be drawn for "
                            f"--figures {','.join(h5_figures) or 'tornado'} (see the notes above; "
                            "`sovcap summarize` reads any results file)")
        for p in written:
            say(p)
        say(f"{len(written)} figure(s) in {args.out} ({r.sample_text()})")
        return 0
    except PlotError as e:
        print(f"sovcap_plots: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
