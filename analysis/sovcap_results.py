"""Reading a sovcap results file into what the figures need (`load` -> `Results`), and the
CSV of `sovcap sensitivity --format csv` (`read_sensitivity`, `select_sensitivity`). Part of
analysis/sovcap_plots.py, which re-exports these names."""

import math
import os
from dataclasses import dataclass

import numpy as np

from sovcap_labels import lever_label, levers_text, metric_label, param_label

# Bottleneck codes (docs/output-format.md, docs/model.md section 8), by their stored value.
CODES = ("on_track", "lead_time", "power", "capital", "talent", "export_controls", "chip_market")
FIGURES = ("fan", "bottlenecks", "countries", "tornado")
QUANTILES = (0.1, 0.5, 0.9)
DEFAULT_MAX_RUNS = 20000
BLOCK_RUNS = 4096            # runs read per HDF5 call
MEMORY_LIMIT = 2 * 1024**3   # bytes of it_mw values kept for exact quantiles
SENSITIVITY_COLUMNS = ("country", "parameter", "S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi")
MAX_PANELS = 8  # policies (or bands) drawn apart in one figure, one colour each


class PlotError(Exception):
    """A problem with the input that the user must fix (exit status 2)."""


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
