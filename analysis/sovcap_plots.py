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
`read_sensitivity(path)`); `main(argv)` is the command line.

Exit status: 0 figures written; 2 bad input (file, option, CSV) or nothing that can be
drawn; 1 any other failure. With --quiet nothing is printed but the error. Needs Debian's
python3 (numpy, h5py, matplotlib, pandas).
"""

import argparse
import math
import os
import re
import sys
import textwrap
import warnings
from dataclasses import dataclass

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
MAX_PANELS = len(POLICY_COLOURS)  # policies (or bands) drawn apart in one figure

# Short names of the parameters of `sovcap params`, for labels and legends (the file
# stores each parameter's units, and a one-line meaning too long for a label).
PARAM_NAMES = {
    "start_year": "start year",
    "end_year": "end year",
    "dt": "time step",
    "seed": "seed",
    "accel_kw": "power per accelerator",
    "accel_kw_growth": "growth of power per accelerator",
    "accel_flops": "compute per accelerator",
    "accel_flops_growth": "growth of compute per accelerator",
    "accel_price_usd": "accelerator price",
    "accel_price_growth": "accelerator price growth",
    "chip_lifetime_years": "chip lifetime",
    "vendor_supply": "vendor chip supply",
    "vendor_supply_growth": "vendor supply growth",
    "other_demand": "other chip demand",
    "other_demand_growth": "other demand growth",
    "allocation": "chip allocation",
    "tier2_cap": "tier-2 export cap",
    "supply_shocks": "supply shocks",
    "it_mw": "IT capacity at start",
    "pipeline_mw": "pipeline at start",
    "grid_mw": "grid power at start",
    "grid_add_mw_per_year": "grid additions",
    "grid_lead_years": "grid lead time",
    "pue": "PUE",
    "budget_usd_per_year": "budget",
    "budget_growth": "budget growth",
    "capex_shell_usd_per_mw": "shell cost",
    "electricity_usd_per_mwh": "electricity price",
    "workforce": "workforce",
    "workforce_growth": "workforce growth",
    "staff_per_mw_build": "construction staff per MW",
    "staff_per_mw_ops": "operations staff per MW",
    "build_lead_years": "build lead time",
    "export_tier": "export tier",
    "domestic_accel_per_year": "domestic chip supply",
    "domestic_growth": "domestic supply growth",
    "domestic_perf_ratio": "domestic chip performance",
    "domestic_price_ratio": "domestic chip price",
    "targets": "targets",
}
# Units as stored in the file (`units` attributes), in words; "" for none.
UNIT_WORDS = {
    "1": "", "name": "", "1|2|3": "", "yr": "years", "year": "year", "1/yr": "per year",
    "MW/yr": "MW per year", "USD/yr": "USD per year", "USD/MW": "USD per MW",
    "USD/MWh": "USD per MWh", "accel/yr": "accelerators per year",
    "people/yr": "people per year", "people/MW": "people per MW", "TWh/yr": "TWh per year",
}
CHOICE_WORDS = {"pro_rata": "pro rata", "max_min_fair": "max-min fair"}
# Metrics of `sovcap sensitivity` (docs/output-format.md): words and units.
METRIC_NAMES = {
    "year_gw_reached": ("year 1 GW is reached", "year"),
    "year_target_reached": ("year the final target is reached", "year"),
    "it_mw_final": ("IT capacity at the horizon", "MW"),
    "compute_flops_final": ("compute at the horizon", "FLOP/s"),
    "energy_twh_final": ("energy use at the horizon", "TWh per year"),
    "spend_usd_final": ("spending by the horizon", "USD"),
}


class PlotError(Exception):
    """A problem with the input that the user must fix (exit status 2)."""


# --------------------------------------------------------------------------------------
# Names in words


def _unit_words(units):
    return UNIT_WORDS.get(units, units) if units else ""


def param_label(key, units=None, multiply=False):
    """A parameter key in words, with its units: ('country.KOR.grid_lead_years', 'yr') ->
    'KOR grid lead time (years)'; a sampled factor on every country's value (multiply) ->
    "all countries' grid lead time (factor)"."""
    shock = re.fullmatch(r"global\.supply_shocks\[(\d+)\]\.(start|end|factor)", key)
    if shock:
        name = f"supply shock {int(shock.group(1)) + 1} {shock.group(2)}"
        units = units or ("year" if shock.group(2) != "factor" else "")
    else:
        parts = key.split(".")
        name = PARAM_NAMES.get(parts[-1], parts[-1].replace("_", " "))
        if parts[0] == "country" and len(parts) == 3:
            name = f"all countries' {name}" if parts[1] == "*" else f"{parts[1]} {name}"
        elif parts[0] == "defaults":
            name = f"default {name}"
    unit = "factor" if multiply else _unit_words(units)
    return f"{name} ({unit})" if unit else name


def _number(v):
    if abs(v) >= 1e9:
        return f"{v / 1e9:g} billion"
    if abs(v) >= 1e6:
        return f"{v / 1e6:g} million"
    return f"{v:,.0f}" if abs(v) >= 1e4 and v == round(v) else f"{v:g}"


def lever_value_text(key, text, units=None):
    """A lever value as written in the scenario, in words: '"max_min_fair"' -> 'max-min
    fair', '1.75' (yr) -> '1.75 years', '[[2030.0, 2000]]' -> '2,000 MW by 2030'."""
    t = text.strip()
    name = key.split(".")[-1]
    if name == "targets":
        pairs = re.findall(r"\[\s*([-+\d.eE]+)\s*,\s*([-+\d.eE]+)\s*\]", t)
        return ", ".join(f"{float(mw):,.0f} MW by {float(y):g}" for y, mw in pairs) or "none"
    if name == "supply_shocks":
        shocks = []
        for body in re.findall(r"\{([^}]*)\}", t):
            v = {k: float(x) for k, x in re.findall(r"(\w+)\s*=\s*([-+\d.eE]+)", body)}
            shocks.append(f"output ×{v.get('factor', math.nan):g} "
                          f"{v.get('start', math.nan):g}–{v.get('end', math.nan):g}")
        return ", ".join(shocks) or "none"
    t = t.strip('"')
    try:
        v = float(t)
    except ValueError:
        return CHOICE_WORDS.get(t, t.replace("_", " "))
    return f"{_number(v)} {_unit_words(units)}".strip()


def lever_label(key, text, units=None):
    """'KOR grid lead time: 1.75 years'."""
    return f"{param_label(key)}: {lever_value_text(key, text, units)}"


def levers_text(levers, units=None):
    """'KEY = VALUE, KEY = VALUE' (the sensitivity CSV's levers column) in words; units:
    variable -> units of the file (lever.KEY), for numeric values."""
    items = re.split(r",\s*(?=[\w.*\[\]]+ = )", levers.strip()) if levers.strip() else []
    out = []
    for item in items:
        key, _, value = item.partition(" = ")
        out.append(lever_label(key.strip(), value, (units or {}).get("lever." + key.strip())))
    return "; ".join(out)


def metric_label(metric, var_names=None, var_units=None):
    """A metric of `sovcap sensitivity` in words with its units ('it_mw@2030' -> 'AI IT
    capacity in service in 2030 (MW)', from the series' long_name and units)."""
    if metric in METRIC_NAMES:
        name, units = METRIC_NAMES[metric]
        return f"{name} ({units})"
    series, _, year = metric.partition("@")
    if year and var_names and series in var_names:
        units = _unit_words((var_units or {}).get(series, ""))
        return f"{var_names[series]} in {year}" + (f" ({units})" if units else "")
    return metric.replace("_", " ")


# --------------------------------------------------------------------------------------
# Reading


@dataclass
class Group:
    """Runs drawn together: one policy's (policy P), or every policy's pooled (None)."""
    policy: object
    label: str     # the policy's lever values in words; "" when pooled or without levers
    runs: int = 0


@dataclass
class Band:
    """One fan band: the runs of a group that share one target path."""
    group: int            # index into Results.groups
    policy: object        # that group's policy (None: pooled)
    label: str            # the group's label, with the target path when the group splits
    runs: int
    it_q: np.ndarray      # [3, time] 10/50/90 % of it_mw
    target: object        # [time] the runs' target path, or None (no target in the file)
    gw: object            # (share of runs reaching 1 GW, median year among those) or None
    final_target: object  # likewise for the final target


class Results:
    """What the figures need, reduced from a results file over the selected runs.

    `groups`: the runs drawn apart (one per policy unless pooled or one policy chosen).
    Per country code (dicts keyed by ISO3): `bands` [Band], one per group, or more where
    the runs of a group differ in target path; `shares` [group, 6, time] share of runs
    under each bottleneck code. Empty where the file lacks what they need; `notes` says why.
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
        self.policy = None         # the chosen policy, or None
        self.n_policies = 1
        self.policy_labels = {}    # policy -> its lever values in words
        self.samples_per_policy = 0
        self.sweep_method = ""
        self.groups = []
        self.bands = {}
        self.shares = {}
        self.target_source = None  # "target_mw", "parameters" or None
        self.units = {}            # variable -> its units attribute
        self.var_names = {}        # variable -> its long_name attribute
        self.sampled = {}          # uncertain key -> (units, multiply) of sampled.KEY
        self.notes = []            # what could not be drawn, and why

    @property
    def single_run(self):
        return self.runs_used == 1

    @property
    def pooled(self):
        return len(self.groups) == 1 and self.groups[0].policy is None

    def name(self, code):
        n = self.names.get(code, "")
        return f"{n} ({code})" if n and n != code else code

    def param_label(self, key):
        """The key in words with the units the file stores for it (param_label)."""
        if key in self.sampled:
            units, multiply = self.sampled[key]
            return param_label(key, units, multiply)
        parts = key.split(".")
        if "*" in parts:  # a factor or a value? only sampled.KEY would say
            return param_label(key)
        var = f"country.{parts[-1]}" if parts[0] in ("country", "defaults") else key
        return param_label(key, self.units.get(var))

    def lever_text(self, levers):
        return levers_text(levers, self.units)

    def metric_label(self, metric):
        return metric_label(metric, self.var_names, self.units)

    def policy_text(self):
        if self.policy is not None and self.n_policies > 1:
            label = self.policy_labels.get(self.policy, "")
            return f"policy {self.policy} of {self.n_policies}" + (f": {label}" if label else "")
        if len(self.groups) > 1:
            return "each policy on its own (--pool pools them)"
        if self.pooled and self.n_policies > 1:
            return f"{self.n_policies} policies pooled"
        return ""

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


def _policy_labels(f, positions_by_policy):
    """Each policy's lever values in words, from the lever.* variables of one of its runs."""
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
            else:
                text = f"{float(v):.17g}"
            units = _attr(ds, "units")
            parts.append(lever_label(k, text, units))
        labels[p] = "; ".join(parts)
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


def _target_text(times, path):
    """'target 2,000 MW by 2030': the path's last value and the time it is first held."""
    final = float(path[-1])
    off = np.flatnonzero(np.abs(path - final) > 1e-9 * max(1.0, abs(final)))
    i = int(off[-1]) + 1 if len(off) else 0
    return f"target {final:,.0f} MW by {times[i]:g}"


def _reach(years):
    """(share of runs that reached it, median year among those), or None without data."""
    if years is None or len(years) == 0:
        return None
    hit = ~np.isnan(years)
    return float(hit.mean()), float(np.median(years[hit])) if hit.any() else math.nan


def _too_many_bands(path, c):
    return PlotError(
        f"{path}: {c}'s target path differs across the runs: more than {MAX_PANELS} fan bands "
        "(one per policy and target path) would be needed, and one band over several target "
        "paths would hide which target its runs are measured against. An uncertain parameter "
        "that moves the target (country.it_mw starts every target path) gives each run its "
        "own path: draw the other figures (--figures bottlenecks); with a lever on targets, "
        "choose one policy (--policy P)")


def load(path, countries=None, policy=None, max_runs=DEFAULT_MAX_RUNS,
         figures=FIGURES, block_runs=BLOCK_RUNS, pool=False):
    """Reads the statistics the figures need from a results file, a block of runs at a time.

    countries: ISO3 codes (None: all, in file order); policy: int (that policy's runs) or
    None (every policy, each on its own unless pool); max_runs: cap on the runs read (0:
    all); figures: which figures will be drawn.
    """
    import h5py

    if pool and policy is not None:
        raise PlotError(f"--pool and --policy {policy}: choose one (--pool pools every "
                        "policy, --policy draws one)")
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
        for name, obj in f.items():
            if not isinstance(obj, h5py.Dataset):
                continue
            units, long_name = _attr(obj, "units"), _attr(obj, "long_name")
            if units is not None:
                r.units[name] = str(units)
            if long_name is not None:
                r.var_names[name] = str(long_name)
            if name.startswith("sampled."):
                r.sampled[name[len("sampled."):]] = (str(units or ""),
                                                     bool(_attr(obj, "multiply", 0)))

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

        # The groups drawn apart: one per policy unless one is chosen or they are pooled.
        upol = pol[used]
        policies = np.unique(upol)
        if policy is None and not pool and len(policies) > 1:
            if len(policies) > MAX_PANELS:
                raise PlotError(f"{path}: {len(policies)} policies, more than the "
                                f"{MAX_PANELS} panels a figure draws apart: choose one with "
                                "--policy P, or pool them with --pool")
            r.groups = [Group(int(p), r.policy_labels.get(int(p), "")) for p in policies]
            gidx = np.searchsorted(policies, upol)
        else:
            one = int(policies[0]) if len(policies) == 1 else None
            r.groups = [Group(one, r.policy_labels.get(one, "") if one is not None else "")]
            gidx = np.zeros(len(used), np.int64)
        for g, grp in enumerate(r.groups):
            grp.runs = int((gidx == g).sum())
        ng = len(r.groups)

        nc, nt, m = len(cidx), len(r.time), len(used)
        if want_it and m * nc * nt * 4 > MEMORY_LIMIT:
            raise PlotError(f"{m:,} runs x {nc} countries x {nt} times is too much to hold for "
                            f"quantiles: lower --max-runs (now {max_runs}) or pass fewer "
                            "--countries")
        it_vals = np.empty((m, nc, nt), np.float32) if want_it else None
        counts = np.zeros((ng, nc, len(CODES), nt), np.int64) if want_bn else None
        valid = np.zeros((ng, nc, nt), np.int64) if want_bn else None
        # Each run's target path, per country, as an index into that country's paths.
        tid = np.zeros((m, nc), np.int64)
        seen = [dict() for _ in range(nc)]
        paths = [[] for _ in range(nc)]
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
                bg = gidx[k:k + mm]
                for g in range(ng):
                    bgn = bn[bg == g]
                    for code in range(len(CODES)):
                        counts[g, :, code, :] += (bgn == code).sum(axis=0)
                    valid[g] += (bgn >= 0).sum(axis=0)
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
                rounded = np.round(np.nan_to_num(tg, nan=-1.0), 6)
                alike = (rounded == rounded[:1]).all(axis=(0, 2))  # one path in the block
                for j in range(nc):
                    rows = rounded[:, j, :]
                    if alike[j]:
                        uniq, first, inv = rows[:1], np.zeros(1, np.int64), np.zeros(mm, np.int64)
                    else:
                        uniq, first, inv = np.unique(rows, axis=0, return_index=True,
                                                     return_inverse=True)
                    ids = np.empty(len(uniq), np.int64)
                    for u in range(len(uniq)):
                        key = uniq[u].tobytes()
                        if key not in seen[j]:
                            if len(seen[j]) == MAX_PANELS:
                                raise _too_many_bands(path, r.countries[j])
                            seen[j][key] = len(paths[j])
                            paths[j].append(tg[first[u], j, :].astype(np.float64))
                        ids[u] = seen[j][key]
                    tid[k:k + mm, j] = ids[inv.reshape(-1)]
            if gw_years is not None:
                gw_years[k:k + mm] = f["year_gw_reached"][a:b][sel][:, cidx]
            if fin_years is not None:
                fin_years[k:k + mm] = f["year_target_reached"][a:b][sel][:, cidx]
            k += mm
        assert k == m

        for j, c in enumerate(r.countries):
            bands = []
            if want_it:
                v = it_vals[:, j, :].astype(np.float64)
                for g, grp in enumerate(r.groups):
                    in_g = gidx == g
                    ids = list(dict.fromkeys(tid[in_g, j].tolist()))
                    for t in ids:
                        sel = in_g & (tid[:, j] == t)
                        tgt = paths[j][t] if want_target else None
                        label = grp.label
                        if len(ids) > 1:
                            label = "; ".join(x for x in (grp.label, _target_text(r.time, tgt))
                                              if x)
                        bands.append(Band(
                            g, grp.policy, label, int(sel.sum()),
                            np.nanquantile(v[sel], QUANTILES, axis=0), tgt,
                            _reach(gw_years[sel, j] if gw_years is not None else None),
                            _reach(fin_years[sel, j] if fin_years is not None else None)))
                if len(bands) > MAX_PANELS:
                    raise _too_many_bands(path, c)
                labels = [b.label for b in bands]
                for i, b in enumerate(bands):
                    if labels.count(b.label) > 1:
                        b.label += f" (path {i + 1})"
            r.bands[c] = bands
            if want_bn:
                with np.errstate(invalid="ignore", divide="ignore"):
                    r.shares[c] = counts[:, j] / valid[:, j][:, None, :]
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


def _wrap(text, width_px):
    """Re-wraps a Text artist at word boundaries until it is at most width_px wide, as
    measured (matplotlib's own wrap is measured neither by tight_layout nor by us). The
    text as first given is kept as the artist's label, so that it can be re-wrapped wider
    or narrower later."""
    if not text.get_label() or text.get_label().startswith("_"):
        text.set_label(text.get_text())
    paragraphs = text.get_label().split("\n")
    text.set_text(text.get_label())
    renderer = text.figure.canvas.get_renderer()
    chars = max(len(p) for p in paragraphs)
    while text.get_window_extent(renderer).width > width_px and chars > 12:
        chars = int(chars * 0.92)
        text.set_text("\n".join(textwrap.fill(p, chars, break_on_hyphens=False)
                                 for p in paragraphs))
    return text


def _fig_width_px(fig, margin=0.02):
    return fig.bbox.width * (1 - 2 * margin)


def _fig_text(fig, y, text, va, **kwargs):
    """A figure-level text (title, footnote) from the left edge, wrapped to the figure."""
    return _wrap(fig.text(0.01, y, text, ha="left", va=va, **kwargs), _fig_width_px(fig))


def _title(fig, text):
    return _fig_text(fig, 1 - 0.08 / fig.get_figheight(), text, "top", fontsize=11)


def _footnote(fig, text, y=0.005):
    return _fig_text(fig, y, text, "bottom", fontsize=7, color="#555555")


def _panel_title(ax, text, fontsize=8.5):
    """A panel's title from its left edge; _fit wraps it to the panel's width."""
    return ax.set_title(text, fontsize=fontsize, loc="left")


def _legend(fig, handles, ncol, **kwargs):
    """A figure legend of at most ncol columns, fewer where it would not fit the figure."""
    renderer = fig.canvas.get_renderer()
    while True:
        leg = fig.legend(handles=handles, ncol=ncol, frameon=False, fontsize=8, **kwargs)
        if ncol == 1 or leg.get_window_extent(renderer).width <= _fig_width_px(fig):
            return leg
        leg.remove()
        ncol -= 1


def _fit(fig, top=(), bottom=(), titles=(), pad_in=0.06):
    """tight_layout inside the room left by figure-level artists above and below the axes
    (titles, figure legends, footnotes: fig.text, which tight_layout ignores), measured
    after a draw; panel titles are wrapped to their panel's width, and the layout redone
    while that changes them."""
    def layout():
        renderer = fig.canvas.get_renderer()
        h = fig.bbox.height
        lo, hi = 0.0, 1.0
        for a in bottom:
            lo = max(lo, a.get_window_extent(renderer).y1 / h)
        for a in top:
            hi = min(hi, a.get_window_extent(renderer).y0 / h)
        pad = pad_in / fig.get_figheight()
        fig.tight_layout(rect=(0, lo + pad, 1, hi - pad))
    layout()
    for _ in range(3):
        before = [t.get_text() for t in titles]
        for t in titles:
            _wrap(t, t.axes.get_window_extent().width)
        if [t.get_text() for t in titles] == before:
            break
        layout()


def _below(fig, leg, foot):
    """Puts a figure legend just above the footnote."""
    renderer = fig.canvas.get_renderer()
    leg.set_bbox_to_anchor((0.01, foot.get_window_extent(renderer).y1 / fig.bbox.height))


def _grid(n, panel_w, panel_h, extra_h, single=(8.4, 4.4)):
    """Figure and axes for n panels sharing both axes (n == 1: one larger panel)."""
    ncols = 1 if n == 1 else 2 if n <= 4 else 3
    nrows = int(math.ceil(n / ncols))
    size = (single[0], single[1] + extra_h) if n == 1 else (
        panel_w * ncols + 0.6, panel_h * nrows + extra_h)
    fig, axes = plt.subplots(nrows, ncols, figsize=size, sharex=True, sharey=True,
                             squeeze=False)
    for i in range(n, nrows * ncols):
        axes.flat[i].set_visible(False)
    for i in range(n):
        if i + ncols >= n:  # the lowest panel of its column: x ticks and label
            axes.flat[i].tick_params(labelbottom=True)
    return fig, axes.flat[:n], ncols


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
