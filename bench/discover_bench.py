#!/usr/bin/python3
"""Scenario discovery benchmark of the sovcap program.

usage: bench/discover_bench.py [--sovcap build/sim/sovcap] [--samples 25000] [--file OUT.h5]

Writes scenarios/robustness.toml with --store summary --set sweep.samples=N (4 policies:
100k runs for the default N; or reuses --file when it exists), then times `sovcap discover`
on it for a few questions, each with the default 50 bootstrap resamples of the recurrence
check and without them, and prints a Markdown table: question, runs used, trajectory steps,
wall time, CPU time (user + system, of the sovcap process alone, from wait4's rusage) and
peak resident memory.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIO = os.path.join(ROOT, "scenarios", "robustness.toml")
QUESTIONS = [
    ("KOR year_gw_reached above 2030, every policy", ["--country", "KOR", "--metric", "year_gw_reached",
                                                      "--above", "2030"]),
    ("KOR year_gw_reached above 2030, policy 1", ["--country", "KOR", "--metric", "year_gw_reached",
                                                  "--above", "2030", "--policy", "1"]),
    ("FRA it_mw_final below 2200, every policy", ["--country", "FRA", "--metric", "it_mw_final",
                                                  "--below", "2200"]),
]


def timed(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"discover_bench: {' '.join(cmd)} failed")
    return out, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sovcap", default=os.path.join(ROOT, "build", "sim", "sovcap"))
    ap.add_argument("--samples", type=int, default=25000, help="samples per policy (x 4 policies)")
    ap.add_argument("--file", help="the summary file to write, or reuse if it exists")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or os.path.join(tmp, "robustness.h5")
        if not os.path.exists(path):
            _, wall, _, _ = timed([args.sovcap, "run", SCENARIO, "-o", path, "--quiet", "--store", "summary",
                                   "--set", f"sweep.samples={args.samples}"])
            print(f"wrote {path} ({4 * args.samples} runs) in {wall:.1f} s")
        print(f"sovcap discover benchmark: {path}, {os.cpu_count()} cores\n")
        print("| question | runs | steps | resamples | wall s | CPU s | peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, q in QUESTIONS:
            for resamples in (50, 0):
                out, wall, cpu, rss = timed([args.sovcap, "discover", path, "--format", "json",
                                             "--resamples", str(resamples)] + q)
                d = json.loads(out)
                steps = len([s for s in d["trajectory"] if s["box"] == 0])
                print(f"| {name} | {d['runs']} | {steps} | {resamples} | {wall:.2f} | {cpu:.2f} | {rss:.0f} |",
                      flush=True)


if __name__ == "__main__":
    main()
