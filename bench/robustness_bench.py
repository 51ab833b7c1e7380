#!/usr/bin/python3
"""Benchmark of `sovcap robustness` (and `sovcap diff`) on a large summary-store sweep.

usage: bench/robustness_bench.py [--sovcap build/sim/sovcap] [--samples 25000] [--diff]

Writes scenarios/robustness.toml with --store summary --set sweep.samples=N (4 policies:
100k runs for the default N, 20 countries) into a temporary folder, then times the analyses
on it and prints a Markdown table: command, wall time, peak resident memory of the sovcap
process (from wait4's rusage). --diff also times `sovcap diff` of the file with itself
(two summaries of every run, and the paired differences).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIO = os.path.join(ROOT, "scenarios", "robustness.toml")


def timed(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"robustness_bench: {' '.join(cmd)} failed")
    return wall, usage.ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sovcap", default=os.path.join(ROOT, "build", "sim", "sovcap"))
    ap.add_argument("--samples", type=int, default=25000, help="futures per policy (x 4 policies)")
    ap.add_argument("--diff", action="store_true", help="also time sovcap diff of the file with itself")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "robustness.h5")
        wall, _ = timed([args.sovcap, "run", SCENARIO, "-o", out, "--force", "--quiet", "--store", "summary",
                         "--set", f"sweep.samples={args.samples}"])
        runs = 4 * args.samples
        print(f"sovcap robustness benchmark: {SCENARIO}, {runs} runs (summary store, written in "
              f"{wall:.1f} s, {os.path.getsize(out) / 2**20:.0f} MiB), {os.cpu_count()} cores\n")
        print("| command | wall s | peak RSS MiB |")
        print("|---|---:|---:|")
        cases = [
            ["robustness", out, "--metric", "year_gw_reached", "--minimize"],
            ["robustness", out, "--metric", "year_gw_reached", "--minimize", "--country", "KOR",
             "--threshold", "2031", "--format", "json"],
            ["robustness", out, "--metric", "it_mw_final", "--format", "json"],
        ]
        if args.diff:
            cases.append(["diff", out, out, "--format", "json"])
        for case in cases:
            wall, rss = timed([args.sovcap] + case)
            shown = " ".join("OUT.h5" if a == out else a for a in case)
            print(f"| `sovcap {shown}` | {wall:.2f} | {rss:.0f} |", flush=True)


if __name__ == "__main__":
    main()
