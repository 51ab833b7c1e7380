#!/usr/bin/python3
"""`sovcap summarize`, `compare` and the table of `run`, end to end, against h5py.

Usage: /usr/bin/python3 check_summaries.py SOVCAP SCRATCH

Writes into SCRATCH (created) the baseline (one run, full store) and tests/cli/sweep/small.toml
(4 policies x 37 runs) in full and in summary store (--keep it_mw,bottleneck,target_mw),
then checks what a user reads:
- every value is labelled with the stored time it is of (--years 2030: energy at 2030, not
  at the horizon), and years outside the run are refused with exit 2 naming its years;
- a summary-store file is summarised from what it holds (capacity at any year from it_mw,
  capacity at the start from the parameter), naming what it cannot give and the --keep
  that would;
- a sweep's policies are kept apart by default (--pool pools them), in every format, lever
  values unquoted; `compare --by policy`; the table `sovcap run` prints;
- --reach X: the first stored step at or above X MW, quantiles that are observed values
  (inverted CDF), and the share of runs that reached X by each year;
- one-year periods labelled by their year; "never" an empty cell in summarize's CSV as in
  export's, both NaN in pandas.
Prints every failure and exits 1 if there was any. Needs Debian's python3 (h5py, numpy,
pandas).
"""

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
SMALL = REPO / "tests/cli/sweep/small.toml"
LEVERS = [("pro_rata", "400"), ("pro_rata", "800"), ("max_min_fair", "400"), ("max_min_fair", "800")]
failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
    return ok


def run(*cmd):
    return subprocess.run([str(x) for x in cmd], capture_output=True, text=True, timeout=600)


def csv_rows(text):
    rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(rows[0], r)) for r in rows[1:]] if rows else []


def markdown_rows(text):
    """The rows of the first Markdown table of `text`, as dicts by header."""
    table = [line for line in text.splitlines() if line.startswith("|")]
    cells = [[x.strip() for x in line.strip("|").split("|")] for line in table]
    return [dict(zip(cells[0], r)) for r in cells[2:]] if len(cells) > 2 else []


def inverted_cdf(values, q):
    """numpy's inverted_cdf quantile, +inf for "never"; NaN for no values."""
    v = np.sort(np.asarray(values, dtype=float))
    return float(np.quantile(v, q, method="inverted_cdf")) if v.size else math.nan


def first_reach(it_mw, time, level):
    """[run, country]: the first stored time at or above `level`, +inf for never."""
    hit = it_mw >= level * (1 - 1e-9) - 1e-9
    first = np.where(hit.any(axis=2), time[np.argmax(hit, axis=2)], np.inf)
    return first


def cell_year(cell):
    return math.inf if cell == "" else float(cell)


def check_years(sovcap, base):
    """17.1: labels are the years the values are of; years outside the run refused."""
    with h5py.File(base, "r") as f:
        time = f["time"][()]
        k = [x.decode() for x in f["country"][()]].index("KOR")
        t30 = int(np.argmin(abs(time - 2030.0)))
        energy30, it30 = f["energy_twh"][0, k, t30], f["it_mw"][0, k, t30]
        spend30 = f["capex_usd"][0, k, t30] + f["opex_usd"][0, k, t30]
    r = run(sovcap, "summarize", base, "--years", "2030", "--format", "markdown")
    rows = markdown_rows(r.stdout)
    if check(r.returncode == 0 and rows, f"summarize --years 2030: {r.returncode} {r.stderr}"):
        kor = [x for x in rows if x["iso3"] == "KOR"][0]
        check(kor.get("TWh/yr 2030") == f"{energy30:.1f}",
              f"summarize --years 2030: 'TWh/yr 2030' of KOR is {kor.get('TWh/yr 2030')}; the file "
              f"holds {energy30:.1f} at 2030")
        check(kor.get("MW 2030") == f"{it30:.0f}", f"summarize --years 2030: MW 2030 {kor.get('MW 2030')}")
        check(kor.get("spent $B by 2030") == f"{spend30 / 1e9:.1f}",
              f"summarize --years 2030: 'spent $B by 2030' of KOR is {kor.get('spent $B by 2030')}, "
              f"file {spend30 / 1e9:.1f}")
    r = run(sovcap, "summarize", base, "--years", "2030.1", "--format", "csv")
    check(r.returncode == 0 and "it_mw_2030.00" in r.stdout.splitlines()[0] if r.stdout else False,
          f"summarize --years 2030.1: labelled with the stored time 2030.00: {r.stdout[:200]} {r.stderr}")
    for cmd in (["summarize", base], ["compare", base, "--countries", "KOR"]):
        for years in ("2050", "2020", "2030,2041"):
            r = run(sovcap, *cmd, "--years", years)
            check(r.returncode == 2 and "2026 to 2040" in r.stderr and not r.stdout,
                  f"{cmd[0]} --years {years}: exit {r.returncode}, stderr {r.stderr.strip()!r}, "
                  f"expected exit 2 naming the run's years (2026 to 2040)")


def check_summary_store(sovcap, full, summ, scratch):
    """17.3: a summary-store file summarised from what it holds."""
    with h5py.File(full, "r") as f:
        time = f["time"][()]
        it = f["it_mw"][()]
        policy = f["policy"][()]
    t30 = int(np.argmin(abs(time - 2030.0)))
    r = run(sovcap, "summarize", summ, "--years", "2030", "--format", "csv")
    if check(r.returncode == 0, f"summary store: summarize --years 2030: exit {r.returncode}: {r.stderr}"):
        rows = csv_rows(r.stdout)
        check(len(rows) == 12, f"summary store: {len(rows)} CSV rows, expected 4 policies x 3 countries")
        for row in rows:
            p, c = int(row["policy"]), ["KOR", "FRA", "SAU"].index(row["iso3"])
            want = inverted_cdf(it[policy == p, c, t30], 0.5)
            check(abs(float(row["it_mw_2030.00"]) - want) <= 1e-9 * want,  # 10 digits
                  f"summary store: it_mw_2030.00 of {row['iso3']}, policy {p}: {row['it_mw_2030.00']}, "
                  f"h5py median {want}")
            check(row["compute_flops_2030.00"] == "", "summary store: compute at 2030 is not stored, "
                  f"yet CSV gives {row['compute_flops_2030.00']}")
        check("--keep compute_flops" in r.stderr,
              f"summary store: no word on what --keep would give compute at 2030: {r.stderr!r}")
    r = run(sovcap, "summarize", summ, "--years", "2030")
    check(r.returncode == 0 and "--keep compute_flops" in r.stdout,
          f"summary store, text: the table does not say what it cannot give: {r.stdout[-400:]}")
    # The table `run` prints: MW@start from the stored parameter, per policy.
    r = run(sovcap, "run", SMALL, "-o", scratch / "again.h5", "--store", "summary",
            "--keep", "it_mw,bottleneck,target_mw", "--force")
    lines = r.stdout.splitlines()
    kor = [x for x in lines if x.startswith("KOR")]
    check(r.returncode == 0 and len(kor) == 4 and all(x.split()[1] == "110" for x in kor),
          f"run --store summary: table rows of KOR (MW@start 110, one per policy): {kor}")
    heads = [x for x in lines if x.startswith("policy ")]
    check(heads[:1] == ["policy 0: global.allocation = pro_rata, country.KOR.grid_add_mw_per_year = 400 "
                        "(37 runs)"], f"run: policy headings {heads}")


def check_policies(sovcap, full):
    """17.4 / 15: policies kept apart by default, in every format; --pool pools."""
    r = run(sovcap, "summarize", full)
    heads = [x for x in r.stdout.splitlines() if x.startswith("policy ")]
    check(heads == [f"policy {p}: global.allocation = {a}, country.KOR.grid_add_mw_per_year = {g} (37 runs)"
                    for p, (a, g) in enumerate(LEVERS)], f"summarize: policy headings {heads}")
    r = run(sovcap, "summarize", full, "--pool")
    check(r.returncode == 0 and not [x for x in r.stdout.splitlines() if x.startswith("policy ")]
          and "4 policies pooled" in r.stdout, f"summarize --pool: {r.stdout[:300]}")
    r = run(sovcap, "summarize", full, "--format", "csv")
    rows = csv_rows(r.stdout)
    check([(x.get("policy"), x.get("lever.global.allocation"), x.get("lever.country.KOR.grid_add_mw_per_year"))
           for x in rows[::3]] == [(str(p), a, g) for p, (a, g) in enumerate(LEVERS)],
          f"summarize csv: policy and lever columns {r.stdout[:300]}")
    r = run(sovcap, "summarize", full, "--format", "json")
    try:
        j = json.loads(r.stdout)
        check([(x["policy"], x["levers"]) for x in j] ==
              [(p, {"global.allocation": a, "country.KOR.grid_add_mw_per_year": int(g)})
               for p, (a, g) in enumerate(LEVERS)], f"summarize json: {[(x['policy'], x['levers']) for x in j]}")
    except (ValueError, KeyError, TypeError) as e:
        check(False, f"summarize json per policy: {e}: {r.stdout[:200]}")
    r = run(sovcap, "summarize", full, "--format", "markdown")
    heads = [x for x in r.stdout.splitlines() if x.startswith("### ")]
    check(heads[:1] == ["### policy 0: global.allocation = pro_rata, country.KOR.grid_add_mw_per_year = 400"],
          f"summarize markdown: headings {heads}")
    for args in ([], ["--by", "policy"]):
        r = run(sovcap, "compare", full, "--countries", "KOR,FRA", "--format", "csv", *args)
        rows = csv_rows(r.stdout)
        check(r.returncode == 0 and len(rows) > 4 and rows[0].get("policy") == "0"
              and rows[-1].get("policy") == "3" and rows[-1].get("lever.global.allocation") == "max_min_fair",
              f"compare {args}: per policy: {r.returncode} {r.stderr} {r.stdout[:200]}")
    r = run(sovcap, "compare", full, "--countries", "KOR", "--pool", "--format", "csv")
    check(r.returncode == 0 and "policy" not in r.stdout.splitlines()[0] and "\nruns,148\n" in r.stdout,
          f"compare --pool: {r.stdout[:200]} {r.stderr}")


def check_reach(sovcap, full):
    """15: any threshold, any year, from the stored it_mw; quantiles as stored steps."""
    with h5py.File(full, "r") as f:
        time = f["time"][()]
        it = f["it_mw"][()]
        policy = f["policy"][()]
    years = [2028.0, 2030.0, 2032.0]
    r = run(sovcap, "summarize", full, "--reach", "2000", "--years", "2028,2030,2032", "--format", "csv")
    if not check(r.returncode == 0, f"summarize --reach 2000: exit {r.returncode}: {r.stderr}"):
        return
    reach = first_reach(it, time, 2000.0)
    rows = csv_rows(r.stdout)
    for row in rows:
        p, c = int(row["policy"]), ["KOR", "FRA", "SAU"].index(row["iso3"])
        y = reach[policy == p, c]
        check(row["reach_mw"] == "2000", f"--reach 2000: reach_mw {row['reach_mw']}")
        for q, name in ((0.1, "p10"), (0.5, "p50"), (0.9, "p90")):
            got, want = cell_year(row[f"year_reach_{name}"]), inverted_cdf(y, q)
            check(got == want, f"--reach 2000: {row['iso3']} policy {p} {name}: {got}, h5py {want}")
            check(math.isinf(got) or got in time, f"--reach 2000: {name} {got} is not a stored time")
        for year in years:
            got, want = float(row[f"p_reach_by_{year:.2f}"]), float(np.mean(y <= year))
            check(abs(got - want) < 1e-12, f"--reach 2000: {row['iso3']} policy {p} P by {year}: {got}, h5py {want}")
    r = run(sovcap, "summarize", full, "--reach", "2000")
    check("reach 2000 MW" in r.stdout and "1 GW" not in r.stdout, f"--reach 2000: text header {r.stdout[:400]}")
    r = run(sovcap, "compare", full, "--countries", "SAU", "--reach", "500", "--pool")
    check(r.returncode == 0 and "reach 500 MW" in r.stdout, f"compare --reach 500: {r.stdout[:300]} {r.stderr}")
    for bad in ("0", "-5", "nan", "x"):
        r = run(sovcap, "summarize", full, "--reach", bad)
        check(r.returncode == 2 and "--reach" in r.stderr, f"--reach {bad}: exit {r.returncode} {r.stderr}")


def check_small_things(sovcap, full, base, scratch):
    """17.9: one-year periods, "never" as an empty cell in both CSVs (NaN in pandas)."""
    r = run(sovcap, "summarize", full, "--periods", "2027,2031", "--pool", "--format", "csv")
    head = r.stdout.splitlines()[0] if r.stdout else ""
    check("bottleneck_2026," in head and "bottleneck_2031," in head and "2026-2026" not in head,
          f"summarize --periods 2027,2031: one-year periods labelled 2026 and 2031: {head}")
    r = run(sovcap, "summarize", base, "--format", "csv")
    s = pd.read_csv(io.StringIO(r.stdout))
    twn = s[s.iso3 == "TWN"].iloc[0]
    check(math.isnan(twn.year_reach_p50) if "year_reach_p50" in s else False,
          f"summarize csv: Taiwan never reaches 1 GW, read by pandas as {twn.get('year_reach_p50')}")
    check("inf" not in r.stdout, "summarize csv: 'inf' written for never")
    out = scratch / "csv"
    r = run(sovcap, "export", base, "--csv", out, "--force")
    e = pd.read_csv(out / "summary.csv")
    check(r.returncode == 0 and math.isnan(e[e.iso3 == "TWN"].year_gw_reached.iloc[0]),
          "export summary.csv: never is not NaN in pandas")


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    sovcap, scratch = Path(argv[0]).resolve(), Path(argv[1])
    scratch.mkdir(parents=True, exist_ok=True)
    base, full, summ = scratch / "baseline.h5", scratch / "small.h5", scratch / "small_summary.h5"
    for cmd in ([REPO / "scenarios/baseline.toml", "-o", base],
                [SMALL, "-o", full],
                [SMALL, "-o", summ, "--store", "summary", "--keep", "it_mw,bottleneck,target_mw"]):
        r = run(sovcap, "run", *cmd, "--force", "--quiet")
        if r.returncode != 0:
            print(f"check_summaries: sovcap run {cmd}: {r.stderr}", file=sys.stderr)
            return 1
    check_years(sovcap, base)
    check_summary_store(sovcap, full, summ, scratch)
    check_policies(sovcap, full)
    check_reach(sovcap, full)
    check_small_things(sovcap, full, base, scratch)
    for f in failures:
        print(f"check_summaries: FAIL: {f}", file=sys.stderr)
    if failures:
        print(f"check_summaries: {len(failures)} failure(s)", file=sys.stderr)
        return 1
    print("check_summaries: labels, summary stores, policies, --reach and CSV conventions are right")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
