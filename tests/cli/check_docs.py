#!/usr/bin/python3
"""Checks that the documentation says what the program does.

Usage: /usr/bin/python3 check_docs.py MODE SOVCAP ROOT [WORKDIR] [--no-plots]
  table     README.md's command table equals `sovcap help --markdown` (the table is made
            from the options each command parses, so it cannot leave one out)
  flows     docs/output-format.md says flow series are NaN at the initial state, and they
            are: every accel/yr series of a baseline run, at index 0 (WORKDIR: scratch)
  examples  every command line of README.md's and docs/*.md's sh blocks that starts with
            `sovcap`, `build/sim/sovcap` or `/usr/bin/python3 analysis/sovcap_plots.py`
            runs with exit 0, in order, in WORKDIR (emptied first; the repository's
            scenarios/ and analysis/ linked into it, so that every output lands there).
            A sweep is cut to 20 samples per policy (`--set sweep.samples=20` appended:
            seconds to run, and enough for the README's `discover` lines to find runs on
            both sides of their thresholds) and `run` gets --force (the README's sweep
            commands are alternatives writing one file); the lines that cannot run outside their setting are skipped, each with
            its reason (SKIPS), and with --no-plots (no matplotlib) the plots' lines.
Exit status 0 when everything holds, 1 with each problem listed.
"""

import os
import re
import shutil
import subprocess
import sys

# Samples per policy of every sweep the examples run: PRIM (`discover`) refuses a file
# without runs on both sides of its threshold, which 2 samples per policy do not give.
SWEEP_SAMPLES = 20
# Substring of a command line -> why it cannot run here.
SKIPS = {
    "${SLURM": "runs inside a Slurm job array (its task index and CPU count)",
    "shards/rob_": "joins the shards the Slurm job array writes",
    "sens.toml": "the TOML above it is the [sweep] part of a scenario, not a whole file",
    "sens.h5": "reads the file of sens.toml",
}
DOC_PROGRAM = re.compile(r"^(build/sim/sovcap|sovcap|/usr/bin/python3 analysis/sovcap_plots\.py) ")


def table(sovcap, root):
    p = subprocess.run([sovcap, "help", "--markdown"], capture_output=True, text=True)
    if p.returncode != 0:
        return [f"sovcap help --markdown: exit {p.returncode}: {p.stderr}"]
    want = p.stdout.rstrip("\n").split("\n")
    lines = open(os.path.join(root, "README.md"), encoding="utf-8").read().split("\n")
    if want[0] not in lines:
        return [f"README.md has no line {want[0]!r}"]
    i = lines.index(want[0])
    got = []
    while i < len(lines) and lines[i].startswith("|"):
        got.append(lines[i])
        i += 1
    problems = []
    for k in range(max(len(got), len(want))):
        g = got[k] if k < len(got) else "(missing)"
        w = want[k] if k < len(want) else "(none)"
        if g != w:
            problems.append(f"README.md table row {k + 1}:\n  README:  {g}\n  program: {w}")
    if problems:
        problems.append("update README.md's table with the output of `sovcap help --markdown`")
    return problems


def flows(sovcap, root, work):
    import h5py
    import numpy as np

    problems = []
    doc = open(os.path.join(root, "docs", "output-format.md"), encoding="utf-8").read()
    para = next((p for p in doc.split("\n\n") if "Flow series" in p), "")
    text = " ".join(para.split())
    if "NaN at the initial state" not in text or re.search(r"\b0 at the initial", text):
        problems.append("docs/output-format.md: the flow series paragraph does not say they are "
                        f"NaN at the initial state: {text!r}")
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "baseline.h5")
    p = subprocess.run([sovcap, "run", os.path.join(root, "scenarios", "baseline.toml"), "-o",
                        out, "--force", "--quiet"], capture_output=True, text=True)
    if p.returncode != 0:
        return problems + [f"sovcap run baseline: exit {p.returncode}: {p.stderr}"]
    with h5py.File(out, "r") as f:
        nt = f["time"].shape[0]
        flow = [n for n, d in f.items() if isinstance(d, h5py.Dataset) and "." not in n
                and d.attrs.get("units") in (b"accel/yr", "accel/yr") and d.shape[-1] == nt]
        if len(flow) < 7:
            problems.append(f"only {len(flow)} accel/yr series in the file: {flow}")
        for n in flow:
            first = f[n][..., 0]
            if not np.isnan(first).all():
                problems.append(f"{n} at index 0 is not NaN: {first.ravel()[:4]}")
            if np.isnan(f[n][..., 1]).all():
                problems.append(f"{n} at index 1 is NaN too")
    return problems


def doc_commands(path):
    """The program's command lines in the sh blocks of a Markdown file, continuations joined
    and comments dropped."""
    text = open(path, encoding="utf-8").read()
    out = []
    for m in re.finditer(r"```(?:sh|bash)\n(.*?)```", text, re.S):
        for line in m.group(1).replace("\\\n", " ").split("\n"):
            line = re.sub(r"\s+#.*$", "", line.strip())
            if DOC_PROGRAM.match(line):
                out.append(" ".join(line.split()))
    return out


def examples(sovcap, root, work, plots=True):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for d in ("scenarios", "analysis"):
        os.symlink(os.path.join(root, d), os.path.join(work, d))
    docs = ["README.md"] + sorted(os.path.join("docs", f)
                                  for f in os.listdir(os.path.join(root, "docs"))
                                  if f.endswith(".md"))
    problems, ran, skipped = [], 0, 0
    for doc in docs:
        for line in doc_commands(os.path.join(root, doc)):
            why = next((w for s, w in SKIPS.items() if s in line), None)
            if not plots and "sovcap_plots" in line:
                why = "--no-plots: no matplotlib"
            if why:
                print(f"skipped ({why}): {doc}: {line}")
                skipped += 1
                continue
            cmd = DOC_PROGRAM.sub(lambda m: (sovcap if "sovcap_plots" not in m.group(1)
                                             else m.group(1)) + " ", line)
            run = re.match(re.escape(sovcap) + r" run (\S+)", cmd)
            if run:
                scenario = os.path.join(work, run.group(1))
                sweep = os.path.isfile(scenario) and "[sweep]" in open(scenario).read()
                cmd += " --force" + (f" --set sweep.samples={SWEEP_SAMPLES}" if sweep else "")
            p = subprocess.run(["bash", "-c", cmd], cwd=work, capture_output=True, text=True,
                               timeout=600)
            ran += 1
            if p.returncode != 0:
                problems.append(f"{doc}: `{line}` exited {p.returncode}:\n{p.stderr[-1500:]}")
    print(f"{ran} documented commands run, {skipped} skipped")
    if ran < 20:
        problems.append(f"only {ran} documented commands found: is the extraction broken?")
    return problems


def main(argv):
    if len(argv) < 3 or argv[0] not in ("table", "flows", "examples"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, sovcap, root = argv[0], os.path.abspath(argv[1]), os.path.abspath(argv[2])
    plots = "--no-plots" not in argv
    argv = [a for a in argv if a != "--no-plots"]
    work = os.path.abspath(argv[3]) if len(argv) > 3 else None
    if mode == "table":
        problems = table(sovcap, root)
    elif mode == "flows":
        problems = flows(sovcap, root, work)
    else:
        problems = examples(sovcap, root, work, plots)
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
