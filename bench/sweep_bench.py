#!/usr/bin/python3
"""End-to-end sweep benchmark of the sovcap program.

usage: bench/sweep_bench.py [--sovcap build/sim/sovcap] [--quick]

Runs scenarios/robustness.toml (20 countries, 2026-2040 quarterly, 4 policies) with
--set sweep.samples=N for several run counts, thread counts and storage modes, and
prints a Markdown table: runs, threads, store, wall time, country-steps per second per
core (runs x countries x steps / wall time / threads), the CPU time the process used
(user + system) and country-steps per CPU second, and peak resident memory of the sovcap
process (all from wait4's rusage, so the program's own, not this script's). On a shared
machine, whose speed varies from minute to minute, the CPU-time rate is the steadier
one. Speed-ups are relative to one thread.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIO = os.path.join(ROOT, "scenarios", "robustness.toml")
COUNTRIES, STEPS, POLICIES = 20, 56, 4


def run(sovcap, samples, threads, store, out):
    cmd = [sovcap, "run", SCENARIO, "-o", out, "--force", "--quiet",
           "--set", f"sweep.samples={samples}", "--threads", str(threads), "--store", store]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"sweep_bench: {' '.join(cmd)} failed")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sovcap", default=os.path.join(ROOT, "build", "sim", "sovcap"))
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    ap.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2,4,8,16")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    sizes = [250, 2500] if args.quick else [2500, 25000]  # x 4 policies: 10k and 100k runs
    print(f"sovcap sweep benchmark: {SCENARIO}, {COUNTRIES} countries x {STEPS} steps, "
          f"{os.cpu_count()} cores\n")
    print("| runs | threads | store | wall s | country-steps/s/core | CPU s | country-steps/CPU s "
          "| speed-up | peak RSS MiB |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bench.h5")
        for store in ("summary", "full"):
            for samples in sizes:
                if store == "full" and samples != sizes[0]:
                    continue  # full storage of 100k runs is ~20 GB; its rate is the same
                base = None
                for t in threads:
                    wall, cpu, rss = run(args.sovcap, samples, t, store, out)
                    runs = samples * POLICIES
                    steps = runs * COUNTRIES * STEPS
                    base = base or wall
                    print(f"| {runs} | {t} | {store} | {wall:.2f} | {steps / wall / t:.3g} | {cpu:.2f} "
                          f"| {steps / cpu:.3g} | {base / wall:.2f} | {rss:.0f} |", flush=True)


if __name__ == "__main__":
    main()
