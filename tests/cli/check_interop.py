#!/usr/bin/python3
"""Interoperability checks: a results file read by each reader gives what `sovcap summarize` said.

Usage: /usr/bin/python3 check_interop.py READER ARGS...

  xarray-h5netcdf FILE SUMMARY.json   xarray, engine h5netcdf
  xarray-netcdf4  FILE SUMMARY.json   xarray, engine netcdf4
  h5py            FILE SUMMARY.json   h5py, by index through the dimension coordinates
  pandas          CSVDIR SUMMARY.json pandas, through the CSV files of `sovcap export`
  ncdump          FILE SUMMARY.json NCDUMP   the text of `ncdump -v ...`, parsed
  export          SOVCAP FILE SCRATCH  `sovcap export`: files, headers, row counts, every
                                       value against h5py, NaN as an empty cell, refusals,
                                       nothing left behind after a failure, a sweep
  compare         SOVCAP FILE SUMMARY.json   `sovcap compare` against `sovcap summarize`

Each reader selects country KOR and reads it_mw at the horizon and year_gw_reached of run 0
and checks them against SUMMARY.json (`sovcap summarize --format json` of FILE, a single
run: the median is the run's value; null is "never", NaN in the file). Prints every
failure and exits 1 if there was any. Needs Debian's python3 (xarray, h5netcdf, netCDF4,
h5py, pandas).
"""

import csv
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

COUNTRY = "KOR"
HERE = Path(__file__).resolve().parent


class Checker:
    """Collects failures so that one run reports all of them."""

    def __init__(self, name):
        self.name = name
        self.failures = []

    def check(self, ok, message):
        if not ok:
            self.failures.append(message)
        return ok

    def done(self, what):
        if self.failures:
            for f in self.failures:
                print(f"check_interop {self.name}: FAIL: {f}", file=sys.stderr)
            print(f"check_interop {self.name}: {len(self.failures)} failure(s)", file=sys.stderr)
            return 1
        print(f"check_interop {self.name}: {what}")
        return 0


def as_float(v):
    return math.nan if v is None else float(v)


def close(a, b, rel=1e-9):
    """Equal within the 10 significant digits that summarize prints; NaN equals NaN."""
    a, b = as_float(a), as_float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def expected(summary_json):
    """(horizon, it_mw at the horizon, year_gw_reached) of COUNTRY in the summary."""
    s = json.loads(Path(summary_json).read_text())
    if s["runs"] != 1:
        raise SystemExit(f"check_interop: {summary_json} summarises {s['runs']} runs; need 1")
    kor = [c for c in s["countries"] if c["iso3"] == COUNTRY]
    if not kor:
        raise SystemExit(f"check_interop: no {COUNTRY} in {summary_json}")
    kor = kor[0]
    # A single run: p50 is the run's value; null is "never", which the file holds as NaN.
    return s["years"][-1], kor["it_mw"][-1], as_float(kor["year_reached"]["p50"])


def compare_values(c, where, summary_json, horizon, it_mw, year_gw):
    want_h, want_it, want_gw = expected(summary_json)
    c.check(close(horizon, want_h), f"{where}: last time is {horizon}, summary's last year {want_h}")
    c.check(close(it_mw, want_it),
            f"{where}: it_mw of {COUNTRY}, run 0, at {horizon} is {it_mw}; summarize printed {want_it}")
    c.check(close(year_gw, want_gw),
            f"{where}: year_gw_reached of {COUNTRY}, run 0, is {year_gw}; summarize printed {want_gw}")
    return it_mw, year_gw


# ---- Readers ---------------------------------------------------------------------------------


def read_xarray(engine, path, summary_json):
    import xarray as xr

    c = Checker(f"xarray-{engine}")
    with xr.open_dataset(path, engine=engine) as ds:
        horizon = float(ds.time[-1])
        kor = ds.sel(country=COUNTRY, run=0)
        v = compare_values(c, c.name, summary_json, horizon,
                           float(kor.it_mw.sel(time=horizon)), float(kor.year_gw_reached))
    return c.done(f"it_mw {v[0]}, year_gw_reached {v[1]} match summarize")


def read_h5py(path, summary_json):
    import h5py

    c = Checker("h5py")
    with h5py.File(path, "r") as f:
        codes = [x.decode() if isinstance(x, bytes) else str(x) for x in f["country"][()]]
        runs = list(f["run"][()])
        k, r = codes.index(COUNTRY), runs.index(0)
        time = f["time"][()]
        # Dimension order from the dimension scales, not assumed.
        dims = [[s.name for s in f["it_mw"].dims[a].values()] for a in range(3)]
        c.check(dims == [["/run"], ["/country"], ["/time"]], f"h5py: it_mw dims {dims}")
        v = compare_values(c, "h5py", summary_json, float(time[-1]), float(f["it_mw"][r, k, -1]),
                           float(f["year_gw_reached"][r, k]))
    return c.done(f"it_mw {v[0]}, year_gw_reached {v[1]} match summarize")


def read_pandas(csv_dir, summary_json):
    import pandas as pd

    c = Checker("pandas")
    d = Path(csv_dir)
    series = pd.read_csv(d / "series.csv", float_precision="round_trip")
    summary = pd.read_csv(d / "summary.csv", float_precision="round_trip")
    horizon = float(series["time"].max())
    row = series[(series.run == 0) & (series.iso3 == COUNTRY) & (series.time == horizon)]
    srow = summary[(summary.run == 0) & (summary.iso3 == COUNTRY)]
    if c.check(len(row) == 1 and len(srow) == 1,
               f"pandas: {len(row)} rows of series.csv and {len(srow)} of summary.csv for "
               f"{COUNTRY}, run 0 (expected 1 each)"):
        v = compare_values(c, "pandas", summary_json, horizon, float(row.it_mw.iloc[0]),
                           float(srow.year_gw_reached.iloc[0]))
        return c.done(f"it_mw {v[0]}, year_gw_reached {v[1]} match summarize")
    return c.done("")


def ncdump_values(text, name):
    """The values of variable `name` in the data section of ncdump's output, in C order."""
    data = text.split("\ndata:", 1)[-1]
    m = re.search(rf"^\s*{re.escape(name)} =(.*?);", data, re.S | re.M)
    if not m:
        return None
    out = []
    for v in m.group(1).replace("\n", " ").split(","):
        v = v.strip()
        if not v:
            continue
        if v.startswith('"'):
            out.append(v.strip('"'))
        elif v in ("_", "NaN", "nan"):  # "_": the fill value
            out.append(math.nan)
        else:
            out.append(float(v))
    return out


def read_ncdump(path, summary_json, ncdump):
    c = Checker("ncdump")
    r = subprocess.run([ncdump, "-v", "run,country,time,it_mw,year_gw_reached", path],
                       capture_output=True, text=True, timeout=120)
    if not c.check(r.returncode == 0, f"ncdump: exit status {r.returncode}: {r.stderr[-500:]}"):
        return c.done("")
    v = {n: ncdump_values(r.stdout, n) for n in ("run", "country", "time", "it_mw", "year_gw_reached")}
    missing = [n for n, x in v.items() if x is None]
    if not c.check(not missing, f"ncdump: no data for {missing}"):
        return c.done("")
    nc, nt = len(v["country"]), len(v["time"])
    k, r0 = v["country"].index(COUNTRY), v["run"].index(0)
    got = compare_values(c, "ncdump", summary_json, v["time"][-1],
                         v["it_mw"][(r0 * nc + k) * nt + nt - 1], v["year_gw_reached"][r0 * nc + k])
    return c.done(f"it_mw {got[0]}, year_gw_reached {got[1]} match summarize")


# ---- sovcap export ---------------------------------------------------------------------------


def run(cmd, **kw):
    return subprocess.run([str(x) for x in cmd], capture_output=True, text=True, timeout=600, **kw)


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def text_of(name):
    return name.decode() if isinstance(name, bytes) else str(name)


def cell_of(value, fmt=None):
    """The cell export should write for an HDF5 value (given as float)."""
    if math.isnan(value):
        return ""
    return repr(float(value)) if fmt is None else fmt(value)


def check_cells(c, where, header, rows, column, expected_cells):
    """Every cell of `column` equals the expected text or number (exactly, as float)."""
    if not c.check(column in header, f"{where}: no column {column} in {header}"):
        return
    j = header.index(column)
    got = [r[j] for r in rows]
    c.check(len(got) == len(expected_cells),
            f"{where}: {column}: {len(got)} rows, expected {len(expected_cells)}")
    bad = []
    for i, (g, e) in enumerate(zip(got, expected_cells)):
        if isinstance(e, float):
            ok = (g == "") if math.isnan(e) else (g != "" and float(g) == e)
        else:
            ok = g == e
        if not ok:
            bad.append((i, g, e))
    c.check(not bad, f"{where}: {column}: {len(bad)} cells differ from the file, first "
                     f"(row, got, expected): {bad[:3]}")


def check_export_tree(c, where, f, out):
    """The CSV files of `out` against the results file `f` (an open h5py.File)."""
    import numpy as np

    runs, nc, nt = f["run"].shape[0], f["country"].shape[0], f["time"].shape[0]
    iso3 = [text_of(x) for x in f["country"][()]]
    time = f["time"][()]
    run_ids = f["run"][()]
    series = [n for n, d in f.items() if d.ndim == 3 and d.shape == (runs, nc, nt)]
    run_series = [n for n in ("vendor_supply", "other_demand", "allocated") if n in f]

    constraints = ["on_track", "lead_time", "power", "capital", "talent", "export_controls",
                   "chip_market"]
    held = [f"held_back_mw_{k}" for k in constraints] if "held_back_mw" in f else []

    # series.csv: one row per (run, country, time), keys first, bottleneck by name, then
    # held_back_mw one column per constraint.
    if series:
        header, rows = read_rows(out / "series.csv")
        c.check(header[:5] == ["run", "policy", "sample", "iso3", "time"],
                f"{where}: series.csv starts {header[:5]}")
        c.check(sorted(header[5:]) == sorted(series + held),
                f"{where}: series.csv columns {header[5:]}, file has {sorted(series + held)}")
        if held:
            hb = f["held_back_mw"][()]
            for k, name in enumerate(held):
                check_cells(c, where, header, rows, name, [float(v) for v in hb[..., k].reshape(-1)])
        c.check(len(rows) == runs * nc * nt,
                f"{where}: series.csv has {len(rows)} rows, expected {runs}*{nc}*{nt}")
        check_cells(c, where, header, rows, "run",
                    [str(int(r)) for r in run_ids for _ in range(nc * nt)])
        check_cells(c, where, header, rows, "iso3", [i for _ in range(runs) for i in iso3 for _ in range(nt)])
        check_cells(c, where, header, rows, "time", [float(t) for _ in range(runs * nc) for t in time])
        for name in series:
            values = f[name][()].reshape(-1)
            if name == "bottleneck":
                names = text_of(f[name].attrs["flag_meanings"]).split()
                check_cells(c, where, header, rows, name,
                            [names[int(v)] if v >= 0 else "" for v in values])
            else:
                check_cells(c, where, header, rows, name, [float(v) for v in values])
        nan_series = [n for n in series if n != "bottleneck" and np.isnan(f[n][()]).any()]
        c.check(bool(nan_series) or runs > 1, f"{where}: no NaN in any series to see as an empty cell")
    else:
        c.check(not (out / "series.csv").exists(), f"{where}: series.csv written without series")

    if run_series:
        header, rows = read_rows(out / "run_series.csv")
        c.check(header == ["run", "policy", "sample", "time"] + run_series,
                f"{where}: run_series.csv header {header}")
        c.check(len(rows) == runs * nt, f"{where}: run_series.csv has {len(rows)} rows")
        for name in run_series:
            check_cells(c, where, header, rows, name, [float(v) for v in f[name][()].reshape(-1)])
    else:
        c.check(not (out / "run_series.csv").exists(), f"{where}: run_series.csv without [run, time] data")

    # summary.csv: one row per (run, country).
    header, rows = read_rows(out / "summary.csv")
    c.check(len(rows) == runs * nc, f"{where}: summary.csv has {len(rows)} rows, expected {runs * nc}")
    c.check(header[:4] == ["run", "policy", "sample", "iso3"], f"{where}: summary.csv starts {header[:4]}")
    for name in ("year_gw_reached", "year_target_reached") + tuple(
            n for n in ("it_mw_final", "compute_flops_final", "energy_twh_final", "spend_usd_final") if n in f):
        check_cells(c, where, header, rows, name, [float(v) for v in f[name][()].reshape(-1)])
    # Packed (CF): step counts times scale_factor, as netCDF readers unpack it; the fill
    # value (a run not written) is an empty cell.
    packed = f["bottleneck_share"]
    c.check(packed.dtype.kind == "i" and "scale_factor" in packed.attrs,
            f"{where}: bottleneck_share is not packed step counts ({packed.dtype})")
    raw = packed[()]
    share = np.where(raw == packed.attrs["_FillValue"], np.nan,
                     raw * float(packed.attrs.get("scale_factor", 1.0)))
    for b, bname in enumerate(text_of(f["bottleneck"].attrs["flag_meanings"]).split()
                              if "bottleneck" in f else
                              ["on_track", "lead_time", "power", "capital", "talent", "export_controls",
                               "chip_market"]):
        check_cells(c, where, header, rows, f"bottleneck_share_{bname}",
                    [float(v) for v in share[:, :, b].reshape(-1)])
    if "held_back_share" in f:
        hs = f["held_back_share"][()]
        for k, name in enumerate(constraints):
            check_cells(c, where, header, rows, f"held_back_share_{name}",
                        [float(v) for v in hs[:, :, k].reshape(-1)])
        check_cells(c, where, header, rows, "shortfall_mw_mean",
                    [float(v) for v in f["shortfall_mw_mean"][()].reshape(-1)])
    gw_nan = np.isnan(f["year_target_reached"][()]).any() or np.isnan(f["year_gw_reached"][()]).any()
    c.check(gw_nan, f"{where}: no NaN year to see as an empty cell")

    # parameters.csv: every parameter, lists as TOML.
    header, rows = read_rows(out / "parameters.csv")
    c.check(len(rows) == runs * nc, f"{where}: parameters.csv has {len(rows)} rows")
    for name, d in f.items():
        if not (name.startswith(("global.", "country.", "simulation.", "sampled.", "lever."))
                or name in ("policy", "sample")):
            continue
        if name.startswith(("global.supply_shock_", "country.target_")):
            continue
        if name.endswith(".schedule_value"):
            continue  # checked with its .schedule_year below
        if name.endswith(".schedule_year"):
            # A schedule's points are one TOML list, NAME.schedule ("" where the run or
            # country gives the parameter one value): parse it back against the file.
            base = name[: -len(".schedule_year")]
            years, points = d[()], f[base + ".schedule_value"][()]
            if years.ndim == 2:  # global: [run, point], the same for every country
                years, points = np.repeat(years, nc, axis=0), np.repeat(points, nc, axis=0)
            years, points = years.reshape(runs * nc, -1), points.reshape(runs * nc, -1)
            column = base + ".schedule"
            if c.check(column in header, f"{where}: no column {column} in {header}"):
                j = header.index(column)
                for i, row in enumerate(rows):
                    got = tomllib.loads("x = " + row[j])["x"] if row[j] else []
                    want = [[float(y), float(v)] for y, v in zip(years[i], points[i]) if not np.isnan(y)]
                    if not c.check([[float(y), float(v)] for y, v in got] == want,
                                   f"{where}: {column} of row {i}: {row[j]!r}, file has {want}"):
                        break
            continue
        values = d[()]
        if values.ndim == 1:
            values = np.repeat(values, nc)
        values = values.reshape(-1)
        if name.startswith("lever."):
            # A string lever's cell is the string, without its TOML quotes.
            texts = [text_of(t) for t in np.atleast_1d(d.attrs["values"])]
            texts = [s[1:-1] if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'" else s for s in texts]
            if "numeric_values" in d.attrs:
                nums = list(np.atleast_1d(d.attrs["numeric_values"]))
                want = [texts[nums.index(v)] for v in values]
            else:
                want = [texts[int(v)] for v in values]
            check_cells(c, where, header, rows, name, want)
        elif "flag_meanings" in d.attrs:
            names = text_of(d.attrs["flag_meanings"]).split()
            check_cells(c, where, header, rows, name, [names[int(v)] for v in values])
        elif d.dtype.kind in "iu":
            check_cells(c, where, header, rows, name, [str(int(v)) for v in values])
        else:
            check_cells(c, where, header, rows, name, [float(v) for v in values])
    # Lists as TOML text: parse them back.
    if c.check("country.targets" in header and "global.supply_shocks" in header,
               f"{where}: parameters.csv lacks country.targets or global.supply_shocks"):
        jt, js = header.index("country.targets"), header.index("global.supply_shocks")
        for i, row in enumerate(rows):
            r, k = divmod(i, nc)
            targets = tomllib.loads("x = " + row[jt])["x"]
            want = []
            if "country.target_year" in f:
                ty, tm = f["country.target_year"][r, k], f["country.target_mw"][r, k]
                want = [[float(y), float(m)] for y, m in zip(ty, tm) if not np.isnan(y)]
            if not c.check([[float(y), float(m)] for y, m in targets] == want,
                           f"{where}: country.targets of row {i}: {row[jt]!r}, file has {want}"):
                break
            shocks = tomllib.loads("x = " + row[js])["x"]
            want = []
            if "global.supply_shock_start" in f:
                want = [{"start": float(a), "end": float(b), "factor": float(x)}
                        for a, b, x in zip(f["global.supply_shock_start"][r], f["global.supply_shock_end"][r],
                                           f["global.supply_shock_factor"][r]) if not np.isnan(a)]
            if not c.check([{k2: float(v2) for k2, v2 in s.items()} for s in shocks] == want,
                           f"{where}: global.supply_shocks of row {i}: {row[js]!r}, file has {want}"):
                break
    # Schedules: the column NAME.schedule holds each row's points as a TOML list of
    # [year, value] (empty where the run, or country, gives one value).
    for name in [n for n in f if n.endswith(".schedule_year")]:
        base = name[: -len(".schedule_year")]
        column = base + ".schedule"
        if not c.check(column in header, f"{where}: parameters.csv lacks {column}"):
            continue
        j = header.index(column)
        years, values = f[name][()], f[base + ".schedule_value"][()]
        for i, row in enumerate(rows):
            r, k = divmod(i, nc)
            ys, vs = (years[r], values[r]) if years.ndim == 2 else (years[r, k], values[r, k])
            want = [[float(y), float(v)] for y, v in zip(ys, vs) if not np.isnan(y)]
            got = [[float(y), float(v)] for y, v in tomllib.loads("x = " + row[j])["x"]] if row[j] else []
            if not c.check(got == want, f"{where}: {column} of row {i}: {row[j]!r}, file has {want}"):
                break


def export_checks(sovcap, path, scratch):
    import h5py

    c = Checker("export")
    scratch = Path(scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    out = scratch / "csv"

    def leftovers():
        return sorted(p.name for p in scratch.iterdir() if p.name.startswith("csv."))

    r = run([sovcap, "export", path, "--csv", out])
    if not c.check(r.returncode == 0, f"export: exit status {r.returncode}: {r.stderr}"):
        return c.done("")
    c.check(sorted(p.name for p in out.iterdir()) ==
            ["parameters.csv", "run_series.csv", "series.csv", "summary.csv"],
            f"export: files {sorted(p.name for p in out.iterdir())}")
    c.check(not leftovers(), f"export: left beside the folder: {leftovers()}")
    with h5py.File(path, "r") as f:
        check_export_tree(c, "baseline", f, out)
    # NaN is an empty cell: a year never reached.
    header, rows = read_rows(out / "summary.csv")
    c.check(any(row[header.index("year_target_reached")] == "" for row in rows),
            "export: no empty year_target_reached cell (a target never reached)")

    # An existing, non-empty folder: refused (2) without --force, untouched.
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    r = run([sovcap, "export", path, "--csv", out])
    c.check(r.returncode == 2 and "use --force" in r.stderr,
            f"export over an existing folder without --force: {r.returncode}: {r.stderr}")
    c.check({p.name: p.read_bytes() for p in out.iterdir()} == before,
            "export without --force changed the existing folder")
    r = run([sovcap, "export", path, "--csv", str(out) + "/", "--force"])
    c.check(r.returncode == 0, f"export --force over an earlier export: {r.returncode}: {r.stderr}")
    c.check({p.name: p.read_bytes() for p in out.iterdir()} == before,
            "export --force wrote different files for the same input")
    c.check(not leftovers(), f"export --force left beside the folder: {leftovers()}")
    # --force never deletes what an export did not write.
    (out / "notes.txt").write_text("mine")
    r = run([sovcap, "export", path, "--csv", out, "--force"])
    c.check(r.returncode == 2 and "notes.txt" in r.stderr,
            f"export --force over a folder with other files: {r.returncode}: {r.stderr}")
    c.check((out / "notes.txt").exists(), "export --force deleted a file it did not write")
    (out / "notes.txt").unlink()
    # Bad command lines and inputs: 2, nothing written.
    for args, msg in ((["export", scratch / "none.h5", "--csv", scratch / "x"], "no such file"),
                      (["export", path], "--csv"),
                      (["export", path, "--csv", scratch / "no" / "such" / "x"], "does not exist"),
                      (["export", path, "--csv", Path(path)], "not a folder")):
        r = run([sovcap] + args)
        c.check(r.returncode == 2 and msg in r.stderr, f"sovcap {args}: {r.returncode}: {r.stderr}")
    c.check(not (scratch / "x").exists(), "a refused export created its folder")

    # A failure half-way (a damaged chunk, found while reading): exit 1, the earlier export
    # kept as it was, no partial folder left.
    bad = scratch / "damaged.h5"
    shutil.copyfile(path, bad)
    with h5py.File(bad, "r+") as f:
        f["it_mw"].id.write_direct_chunk((0, 0, 0), b"not deflated data", 0)
    r = run([sovcap, "export", bad, "--csv", out, "--force"])
    c.check(r.returncode == 1 and "HDF5" in r.stderr,
            f"export of a damaged file: exit status {r.returncode}: {r.stderr}")
    c.check({p.name: p.read_bytes() for p in out.iterdir()} == before,
            "a failed export --force changed the earlier export")
    c.check(not leftovers(), f"a failed export left beside the folder: {leftovers()}")
    fresh = scratch / "fresh"
    r = run([sovcap, "export", bad, "--csv", fresh])
    c.check(r.returncode == 1 and not fresh.exists() and not Path(str(fresh) + ".partial").exists(),
            f"a failed export into a new folder: {r.returncode}, left {sorted(os.listdir(scratch))}")

    # A sweep in summary store: lever values, sampled values, *_final, kept series only.
    sweep = scratch / "sweep.h5"
    r = run([sovcap, "run", HERE / "sweep" / "small.toml", "-o", sweep, "--store", "summary",
             "--keep", "it_mw,bottleneck", "--quiet", "--threads", "2"])
    if c.check(r.returncode == 0, f"sweep run: {r.returncode}: {r.stderr}"):
        sout = scratch / "sweep_csv"
        r = run([sovcap, "export", sweep, "--csv", sout])
        if c.check(r.returncode == 0, f"sweep export: {r.returncode}: {r.stderr}"):
            c.check(sorted(p.name for p in sout.iterdir()) ==
                    ["parameters.csv", "series.csv", "summary.csv"],
                    f"sweep export: files {sorted(p.name for p in sout.iterdir())}")
            header, _ = read_rows(sout / "series.csv")
            c.check(header == ["run", "policy", "sample", "iso3", "time", "it_mw", "bottleneck"],
                    f"sweep export: series.csv header {header}")
            header, rows = read_rows(sout / "parameters.csv")
            lever = header.index("lever.global.allocation") if "lever.global.allocation" in header else None
            # The value itself, not its TOML text quoted again (issue 17: '"pro_rata"').
            cells = {r[lever] for r in rows} if lever is not None else None
            c.check(cells == {"pro_rata", "max_min_fair"},
                    f"sweep export: lever.global.allocation cells are {cells}, expected pro_rata, max_min_fair")
            with h5py.File(sweep, "r") as f:
                check_export_tree(c, "sweep", f, sout)
    return c.done("files, headers, row counts, values, empty NaN cells, refusals and "
                  "clean-up after a failure are right")


# ---- sovcap compare --------------------------------------------------------------------------


def compare_checks(sovcap, path, summary_json):
    c = Checker("compare")
    picked = ["KOR", "FRA", "GBR"]
    s = json.loads(Path(summary_json).read_text())
    by_iso = {x["iso3"]: x for x in s["countries"]}

    r = run([sovcap, "compare", path, "--countries", ",".join(picked), "--format", "json"])
    if c.check(r.returncode == 0, f"compare json: {r.returncode}: {r.stderr}"):
        j = json.loads(r.stdout)
        c.check(j["countries"] == picked, f"compare json: countries {j['countries']}")
        m = j["metrics"]
        horizon = f"it_mw_{s['years'][-1]:.2f}"
        for iso in picked:
            c.check(close(m["year_reach_p50"][iso], by_iso[iso]["year_reached"]["p50"]),
                    f"compare json: year_reach_p50 of {iso} {m['year_reach_p50'][iso]}, summarize "
                    f"{by_iso[iso]['year_reached']['p50']}")
            c.check(close(m[horizon][iso], by_iso[iso]["it_mw"][-1]),
                    f"compare json: {horizon} of {iso} {m[horizon][iso]}, summarize {by_iso[iso]['it_mw'][-1]}")
            spend = f"spend_usd_{s['years'][-1]:.2f}"
            c.check(close(m[spend][iso], by_iso[iso]["spend_usd"]), f"compare json: {spend} of {iso}")

    # CSV: the rows of `summarize --format csv` for these countries, turned around, cell by cell.
    r = run([sovcap, "compare", path, "--countries", "kor, FRA,GBR", "--format", "csv"])
    ref = run([sovcap, "summarize", path, "--format", "csv"])
    if c.check(r.returncode == 0 and ref.returncode == 0, f"compare csv: {r.returncode}: {r.stderr}"):
        got = list(csv.reader(io.StringIO(r.stdout)))
        want = list(csv.reader(io.StringIO(ref.stdout)))
        c.check(got[0] == ["metric"] + picked, f"compare csv: header {got[0]}")
        rows = {w[0]: w for w in want[1:]}
        expect = [[name] + [rows[iso][j] for iso in picked] for j, name in enumerate(want[0]) if j > 0]
        c.check(got[1:] == expect, f"compare csv: differs from summarize: {got[1:3]} vs {expect[:2]}")

    r = run([sovcap, "compare", path, "--countries", "GBR,KOR", "--format", "markdown"])
    lines = r.stdout.splitlines()
    c.check(r.returncode == 0 and lines[:1] == ["|  | GBR | KOR |"] and lines[1].startswith("|---|"),
            f"compare markdown: {r.returncode}: {lines[:2]}")
    r = run([sovcap, "compare", path, "--countries", "KOR,FRA"])
    c.check(r.returncode == 0 and re.search(r"^\s+KOR\s+FRA$", r.stdout, re.M) is not None,
            f"compare text: {r.returncode}: {r.stdout[:300]}")

    for countries, msgs in (("KOR,FRX", ["unknown country 'FRX'", "did you mean 'FRA'"]),
                            ("KOR,KOR", ["given twice"]),
                            ("", ["give at least one"])):
        r = run([sovcap, "compare", path, "--countries", countries])
        c.check(r.returncode == 2 and all(m in r.stderr for m in msgs) and not r.stdout,
                f"compare --countries {countries!r}: {r.returncode}: {r.stderr}")
    r = run([sovcap, "compare", path, "--countries", "KOR", "--format", "xml"])
    c.check(r.returncode == 2, f"compare --format xml: {r.returncode}")
    return c.done("side by side, the same as summarize; bad codes refused with a suggestion")


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[0], argv[1:]
    readers = {
        "xarray-h5netcdf": (2, lambda a: read_xarray("h5netcdf", *a)),
        "xarray-netcdf4": (2, lambda a: read_xarray("netcdf4", *a)),
        "h5py": (2, lambda a: read_h5py(*a)),
        "pandas": (2, lambda a: read_pandas(*a)),
        "ncdump": (3, lambda a: read_ncdump(*a)),
        "export": (3, lambda a: export_checks(*a)),
        "compare": (3, lambda a: compare_checks(*a)),
    }
    if cmd not in readers or len(args) != readers[cmd][0]:
        print(__doc__, file=sys.stderr)
        return 2
    return readers[cmd][1](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
