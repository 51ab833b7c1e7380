#!/usr/bin/python3
"""Checks that a sovcap results file opens as labelled arrays in the usual readers.

Usage: /usr/bin/python3 check_readers.py FILE [--ncdump PATH]

Opens FILE with xarray (engines h5netcdf and netcdf4), h5py and `ncdump -h`, and checks
what an analyst relies on: .sel(country="KOR") works, it_mw at the last time is finite and
non-negative, bottleneck carries its CF flags, bottleneck_share (packed step counts)
unpacks to float64 shares summing to 1, held_back_mw and held_back_share lie along the
labelled constraint axis (selectable by name), every data variable has long_name (and units
unless it holds strings), and time is plain decimal years. Sweep variables (policy,
sample, lever.*, sampled.*) must lie along run, and every lever must list its values. A
merged master (root attribute `shards`) must also read every run through its shards:
run_complete == 1 everywhere in every reader (a missing shard reads as 0), checked with
`ncdump -v run_complete` too. Prints every failure and exits 1 if there was any; needs
Debian's python3 (xarray, h5netcdf, netCDF4, h5py).
"""

import argparse
import subprocess
import sys

DIMENSIONS = ("run", "country", "time")
COUNTRY = "KOR"


class Checker:
    """Collects failures so that one run reports all of them."""

    def __init__(self):
        self.failures = []

    def check(self, ok, message):
        if not ok:
            self.failures.append(message)
        return ok


def check_xarray(path, engine, c):
    import numpy as np
    import xarray as xr

    where = f"xarray engine={engine}"
    try:
        ds = xr.open_dataset(path, engine=engine)
    except Exception as e:  # any failure to open is the finding
        c.check(False, f"{where}: cannot open {path}: {type(e).__name__}: {e}")
        return
    with ds:
        for d in DIMENSIONS:
            c.check(d in ds.dims, f"{where}: no dimension '{d}' (has {sorted(ds.dims)})")
        c.check(ds.attrs.get("file_type") == "sovcap-results",
                f"{where}: root attribute file_type is {ds.attrs.get('file_type')!r}")

        if c.check("time" in ds.coords, f"{where}: no time coordinate"):
            t = ds["time"]
            c.check(t.dtype == np.float64,
                    f"{where}: time has dtype {t.dtype}, expected float64 decimal years")
            units = str(t.attrs.get("units", ""))
            c.check(units == "year", f"{where}: time units are {units!r}, expected 'year'")
            c.check("since" not in units, f"{where}: time has CF 'since' units {units!r}")
            c.check(bool(np.all(np.diff(t.values) > 0)), f"{where}: time is not increasing")

        if c.check("country" in ds.coords, f"{where}: no country coordinate"):
            codes = [str(x) for x in ds["country"].values]
            c.check(all(isinstance(x, str) for x in ds["country"].values),
                    f"{where}: country codes are not str (bytes?): {ds['country'].values!r}")
            shown = ", ".join(codes[:12]) + (", ..." if len(codes) > 12 else "")
            if c.check(COUNTRY in codes, f"{where}: no country {COUNTRY} (has {shown})"):
                check_it_mw(ds, where, c)

        check_bottleneck(ds, where, c)
        check_shares(ds, where, c)
        check_held_back(ds, where, c)
        check_sweep(ds, where, c)

        for name, var in ds.data_vars.items():
            c.check("long_name" in var.attrs, f"{where}: {name} has no long_name")
            if var.dtype.kind not in "OSU":
                c.check("units" in var.attrs, f"{where}: {name} has no units")


def summary_mode(attrs):
    store = attrs.get("store", "full")
    if isinstance(store, bytes):
        store = store.decode()
    return store == "summary"


def check_it_mw(ds, where, c):
    import numpy as np

    if summary_mode(ds.attrs) and "it_mw" not in ds.data_vars:
        # A summary-mode file without the trajectory: the value at the horizon.
        if not c.check("it_mw_final" in ds.data_vars, f"{where}: no variable it_mw_final"):
            return
        last = ds.sel(country=COUNTRY)["it_mw_final"]
    else:
        if not c.check("it_mw" in ds.data_vars, f"{where}: no variable it_mw"):
            return
        last = ds.sel(country=COUNTRY)["it_mw"].isel(time=-1)
    if "run_complete" in ds.data_vars:
        # Runs not written (an interrupted sweep) read as NaN by design.
        last = last.where(ds["run_complete"] == 1, drop=True)
    values = np.asarray(last.values, dtype=float)
    c.check(values.size > 0, f"{where}: no complete run to check it_mw in")
    c.check(bool(np.all(np.isfinite(values))),
            f"{where}: it_mw of {COUNTRY} at the last time is not finite: {values}")
    c.check(bool(np.all(values >= 0)),
            f"{where}: it_mw of {COUNTRY} at the last time is negative: {values}")


def check_bottleneck(ds, where, c):
    import numpy as np

    if summary_mode(ds.attrs) and "bottleneck" not in ds.data_vars:
        return  # not kept
    if not c.check("bottleneck" in ds.data_vars, f"{where}: no variable bottleneck"):
        return
    b = ds["bottleneck"]
    flags = b.attrs.get("flag_values")
    meanings = b.attrs.get("flag_meanings")
    if not c.check(flags is not None and meanings is not None,
                   f"{where}: bottleneck lacks flag_values/flag_meanings: {dict(b.attrs)}"):
        return
    flags = np.atleast_1d(flags)
    names = str(meanings).split()
    c.check(len(flags) == len(names),
            f"{where}: {len(flags)} flag_values but {len(names)} flag_meanings")
    c.check(names[:1] == ["on_track"], f"{where}: flag_meanings start {names[:1]}")
    values = np.asarray(b.values, dtype=float)
    values = values[np.isfinite(values)]
    unknown = sorted(set(values.tolist()) - set(flags.astype(float).tolist()))
    c.check(not unknown, f"{where}: bottleneck codes {unknown} not among flag_values {flags}")


def check_shares(ds, where, c):
    """bottleneck_share, stored as packed step counts, unpacks to float64 shares summing to 1."""
    import numpy as np

    if not c.check("bottleneck_share" in ds.data_vars, f"{where}: no variable bottleneck_share"):
        return
    share = ds["bottleneck_share"]
    c.check(share.dtype == np.float64,
            f"{where}: bottleneck_share unpacks to {share.dtype}, expected float64 shares")
    values = np.asarray(share.values, dtype=float)
    if "run_complete" in ds.data_vars:
        values = values[np.asarray(ds["run_complete"].values) == 1]
    if not c.check(values.size > 0, f"{where}: no complete run to check bottleneck_share in"):
        return
    c.check(bool(np.all((values >= 0) & (values <= 1))),
            f"{where}: bottleneck_share outside [0, 1]")
    sums = values.sum(axis=-1)
    c.check(bool(np.all(np.abs(sums - 1) <= 1e-12)),
            f"{where}: bottleneck_share sums along constraint range {sums.min()}..{sums.max()}, not 1")
    steps = ds.sizes["time"] - 1
    counts = values * steps
    c.check(bool(np.all(np.abs(counts - np.rint(counts)) <= 1e-9)),
            f"{where}: bottleneck_share times {steps} steps is not whole step counts")


CONSTRAINTS = ["on_track", "lead_time", "power", "capital", "talent", "export_controls",
               "chip_market"]


def check_held_back(ds, where, c):
    """held_back_mw (full files) lies along a labelled constraint axis, which selects by
    name; held_back_share (every file) along it too, summing to 1 where a country was
    ever behind its path."""
    import numpy as np

    if c.check("constraint" in ds.coords, f"{where}: no constraint coordinate"):
        labels = [str(x) for x in ds["constraint"].values]
        c.check(labels == CONSTRAINTS, f"{where}: constraint labels {labels}, expected {CONSTRAINTS}")
    if summary_mode(ds.attrs):
        c.check("held_back_mw" not in ds.data_vars, f"{where}: summary file with held_back_mw")
    elif c.check("held_back_mw" in ds.data_vars, f"{where}: no variable held_back_mw"):
        hb = ds["held_back_mw"]
        want = ("run", "country", "time", "constraint")
        c.check(hb.dims == want, f"{where}: held_back_mw has dims {hb.dims}, expected {want}")
        c.check(hb.attrs.get("units") == "MW", f"{where}: held_back_mw units {hb.attrs.get('units')!r}")
        power = hb.sel(country=COUNTRY, constraint="power")
        c.check(power.dims == ("run", "time"),
                f"{where}: held_back_mw.sel(country, constraint) has dims {power.dims}")
    if not c.check("held_back_share" in ds.data_vars, f"{where}: no variable held_back_share"):
        return
    share = ds["held_back_share"]
    c.check(share.dims == ("run", "country", "constraint"),
            f"{where}: held_back_share has dims {share.dims}")
    values = np.asarray(share.values, dtype=float)
    if "run_complete" in ds.data_vars:
        values = values[np.asarray(ds["run_complete"].values) == 1]
    rows = values.reshape(-1, values.shape[-1])
    behind = rows[np.all(np.isfinite(rows), axis=1)]
    c.check(bool(np.all(np.isnan(rows[~np.all(np.isfinite(rows), axis=1)]))),
            f"{where}: held_back_share partly NaN for a country")
    c.check(bool(np.all((behind >= 0) & (behind <= 1 + 1e-6))), f"{where}: held_back_share outside [0, 1]")
    sums = behind.sum(axis=-1)
    c.check(bool(np.all(np.abs(sums - 1) <= 1e-5)),
            f"{where}: held_back_share sums along constraint are not 1 "
            f"({sums.min() if sums.size else None}..{sums.max() if sums.size else None})")


def check_sweep(ds, where, c):
    import numpy as np

    for name, var in ds.variables.items():
        sweep = name in ("policy", "sample", "saltelli_matrix", "base_row") or \
            name.startswith(("lever.", "sampled."))
        if sweep:
            c.check(var.dims == ("run",), f"{where}: {name} has dims {var.dims}, expected ('run',)")
        # Indices read as integers, not as float64 with NaN for a _FillValue (issue 17).
        if name in ("policy", "sample", "base_row") or (name.startswith("lever.") and "numeric_values" not in var.attrs):
            c.check(var.dtype.kind in "iu", f"{where}: {name} reads as {var.dtype}, expected an integer type")
        if name.startswith("lever."):
            values = var.attrs.get("values")
            if isinstance(values, str):
                values = [values]
            c.check(values is not None and len(values) > 0 and
                    all(isinstance(v, str) for v in values),
                    f"{where}: {name} lacks a list of str 'values': {values!r}")
    if "shards" in ds.attrs:
        if c.check("run_complete" in ds.variables, f"{where}: merged master without run_complete"):
            done = np.asarray(ds["run_complete"].values)
            missing = np.flatnonzero(done != 1)
            c.check(missing.size == 0,
                    f"{where}: {missing.size} runs of the master read as not complete "
                    f"(first: run {missing[:1].tolist()}); a shard is missing or unreadable")


def check_h5py(path, c):
    import h5py

    where = "h5py"
    try:
        f = h5py.File(path, "r")
    except Exception as e:
        c.check(False, f"{where}: cannot open {path}: {type(e).__name__}: {e}")
        return
    with f:
        file_type = f.attrs.get("file_type")
        if isinstance(file_type, bytes):
            file_type = file_type.decode()
        c.check(file_type == "sovcap-results", f"{where}: file_type is {file_type!r}")
        name = "it_mw_final" if summary_mode(f.attrs) and "it_mw" not in f else "it_mw"
        if not c.check(name in f, f"{where}: no dataset {name}"):
            return
        it = f[name]
        want = 2 if name == "it_mw_final" else 3
        c.check(it.ndim == want, f"{where}: {name} has {it.ndim} dimensions, expected {want}")
        for axis, d in enumerate(DIMENSIONS[: it.ndim]):
            scales = [s.name for s in it.dims[axis].values()]
            c.check(scales == ["/" + d],
                    f"{where}: {name} axis {axis} has scales {scales}, expected ['/{d}']")


def check_ncdump(path, ncdump, c):
    where = "ncdump -h"
    try:
        r = subprocess.run([ncdump, "-h", path], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        c.check(False, f"{where}: cannot run {ncdump}: {e}")
        return
    if not c.check(r.returncode == 0,
                   f"{where}: exit status {r.returncode}: {r.stderr.strip()[-500:]}"):
        return
    header = r.stdout.split("variables:", 1)[0]
    for d in DIMENSIONS:
        c.check(f"\t{d} = " in header, f"{where}: dimension {d} not listed")
    if ":shards = " not in r.stdout:
        return
    # A merged master: its data, through the shards, as ncdump reads it.
    where = "ncdump -v run_complete"
    try:
        r = subprocess.run([ncdump, "-v", "run_complete", path], capture_output=True, text=True,
                           timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        c.check(False, f"{where}: cannot run {ncdump}: {e}")
        return
    if not c.check(r.returncode == 0,
                   f"{where}: exit status {r.returncode}: {r.stderr.strip()[-500:]}"):
        return
    data = r.stdout.split("data:", 1)[-1].split("run_complete =", 1)[-1].split(";", 1)[0]
    values = [v.strip() for v in data.replace("\n", " ").split(",") if v.strip()]
    missing = [i for i, v in enumerate(values) if v != "1"]
    c.check(len(values) > 0 and not missing,
            f"{where}: {len(missing)} of {len(values)} runs read as not complete through the "
            f"shards (first: run index {missing[:1]})")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="sovcap results file (.h5)")
    parser.add_argument("--ncdump", default="ncdump", help="ncdump program (default: on PATH)")
    args = parser.parse_args(argv)

    try:
        import h5netcdf, h5py, netCDF4, xarray  # noqa: F401  (fail early, with a hint)
    except ImportError as e:
        print(f"check_readers: missing Python module: {e}; run with Debian's /usr/bin/python3 "
              "(python3-xarray python3-h5netcdf python3-netcdf4 python3-h5py)", file=sys.stderr)
        return 2

    c = Checker()
    for engine in ("h5netcdf", "netcdf4"):
        check_xarray(args.file, engine, c)
    check_h5py(args.file, c)
    check_ncdump(args.file, args.ncdump, c)

    if c.failures:
        for f in c.failures:
            print(f"check_readers: FAIL: {f}", file=sys.stderr)
        print(f"check_readers: {len(c.failures)} failure(s) reading {args.file}", file=sys.stderr)
        return 1
    print(f"check_readers: {args.file} reads correctly in xarray (h5netcdf, netcdf4), "
          "h5py and ncdump")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
