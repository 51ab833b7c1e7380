#!/usr/bin/python3
"""Stress test of the results writer (issue 16): sweeps killed at random and at placed
instants, resumed, killed again while resuming, raced by a second writer, and resumed
under a full disk, until a time budget or a trial count is used up. Every trial ends with
a committed file, which must equal an undisturbed run of the same sweep (compare_h5.py).

Reports trials, kills, refusals, corrupt files (a partial or file that sovcap cannot
resume or that differs from the reference) and lost runs (complete runs of a partial
that a later look at it no longer has, or a partial deleted without a commit). Exit 0
only with 0 corrupt and 0 lost.

usage: stress_output.py --sovcap BIN --source DIR --dir DIR [--seconds S] [--trials N]
                        [--seed K]
"""

import argparse
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time


class Stress:
    def __init__(self, args):
        self.sovcap = args.sovcap
        self.src = args.source
        self.dir = args.dir
        self.rng = random.Random(args.seed)
        self.compare = os.path.join(self.src, "tests", "cli", "compare_h5.py")
        self.counts = {"trials": 0, "kills": 0, "placed_kills": 0, "races": 0, "refusals": 0,
                       "full_disks": 0, "resumes": 0, "corrupt": 0, "lost_runs": 0}
        self.refs = {}
        self.notes = []

    # ---- helpers ------------------------------------------------------------------------
    def command(self, config, out, *extra):
        samples, store = config
        cmd = [self.sovcap, "run", os.path.join(self.src, "tests", "cli", "sweep", "small.toml"),
               "--set", "sweep.samples=%d" % samples, "--store", store, "--threads", "2",
               "--quiet", "-o", out]
        if store == "summary":
            cmd += ["--keep", "it_mw,bottleneck"]
        return cmd + list(extra)

    def reference(self, config):
        if config not in self.refs:
            path = os.path.join(self.dir, "ref_%d_%s.h5" % config)
            subprocess.run(self.command(config, path, "--force"), check=True)
            self.refs[config] = path
        return self.refs[config]

    def complete_runs(self, partial):
        """Complete runs of a partial as `sovcap check` reads them; None while a save is
        unfinished (the journal is applied by --resume) or the file cannot be read."""
        if not os.path.exists(partial) or os.path.exists(partial + ".journal"):
            return None
        r = subprocess.run([self.sovcap, "check", partial, "--format", "json", "--max-problems", "0"],
                           capture_output=True, text=True)
        try:
            return json.loads(r.stdout)["complete"]
        except (ValueError, KeyError):
            return None

    def corrupt(self, why):
        self.counts["corrupt"] += 1
        self.notes.append(why)

    def start(self, config, out, extra=(), env=None, limit=None):
        def limits():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        return subprocess.Popen(self.command(config, out, *extra), env=env, preexec_fn=limits,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    # ---- one trial ----------------------------------------------------------------------
    def trial(self):
        n = self.counts["trials"]
        work = os.path.join(self.dir, "t%d" % n)
        os.makedirs(work)
        out = os.path.join(work, "out.h5")
        partial = out + ".partial"
        config = (self.rng.choice([150, 500]), self.rng.choice(["full", "summary"]))
        ref = self.reference(config)
        kind = self.rng.choice(["random", "placed", "race", "full_disk"])
        seen = 0  # most complete runs seen in the partial so far
        resume = False
        rival_won = False
        for attempt in range(8):
            extra = ["--resume"] if resume else []
            env = dict(os.environ)
            if kind == "placed" and attempt < 3:
                env["SOVCAP_TEST_KILL_IN_FLUSH"] = str(self.rng.randint(1, 2500))
            limit = None
            if kind == "full_disk" and resume and attempt == 1:
                limit = os.path.getsize(partial) + self.rng.randint(0, 1 << 20)
                self.counts["full_disks"] += 1
            p = self.start(config, out, extra, env, limit)
            if kind == "race" and attempt == 0:
                self.counts["races"] += 1
                time.sleep(self.rng.uniform(0, 0.3))
                rival = self.start(config, out, self.rng.choice([[], ["--force"], ["--resume"]]))
                rc_rival = rival.wait()
                err = rival.stderr.read()
                if rc_rival == 2:
                    self.counts["refusals"] += 1
                elif rc_rival != 0:
                    self.corrupt("trial %d: the rival writer exited %d: %s" % (n, rc_rival, err.strip()))
                elif p.poll() is None:
                    # The rival finished while the first writer ran: it took the lock first (the
                    # first may still have been starting, on a loaded machine), so it owns the
                    # output and the first must be refused. (A rival that ends after the first
                    # has committed may overwrite it, with --force.)
                    rival_won = True
            elif (kind == "random" and attempt < 3) or (kind == "full_disk" and attempt == 0):
                try:
                    p.wait(timeout=self.rng.uniform(0.02, 1.0))
                except subprocess.TimeoutExpired:
                    p.kill()
            rc = p.wait()
            err = p.stderr.read()
            if rival_won and rc != 2:
                self.corrupt("trial %d: the rival committed, but the first writer exited %d, not 2: %s"
                             % (n, rc, err.strip()))
                return
            rival_won = False
            if rc == -signal.SIGKILL:
                self.counts["kills"] += 1
                if "SOVCAP_TEST_KILL_IN_FLUSH" in env:
                    self.counts["placed_kills"] += 1
            if resume:
                self.counts["resumes"] += 1
            if rc in (0, 2) and os.path.exists(out) and not os.path.exists(partial):
                break  # committed (by the rival, in a race that the first writer lost)
            if rc not in (-signal.SIGKILL, 0) and limit is None and not (kind == "race" and rc == 2):
                self.corrupt("trial %d attempt %d: exit %d: %s" % (n, attempt, rc, err.strip()))
                return
            now = self.complete_runs(partial)
            if os.path.exists(partial):
                if now is not None and now < seen:
                    self.counts["lost_runs"] += seen - now
                    self.notes.append("trial %d: %d complete runs became %d" % (n, seen, now))
                seen = max(seen, now or 0)
                resume = True
            elif seen > 0:
                self.counts["lost_runs"] += seen
                self.notes.append("trial %d: the partial with %d runs is gone" % (n, seen))
                seen = 0
                resume = False
            else:
                resume = False
        else:
            self.corrupt("trial %d: no complete file after 8 attempts" % n)
            return
        r = subprocess.run([sys.executable, self.compare, ref, out], capture_output=True, text=True)
        if r.returncode != 0:
            self.corrupt("trial %d: the file differs from the reference: %s" % (n, r.stdout.strip()[:300]))
        leftovers = [f for f in os.listdir(work) if f != "out.h5"]
        if leftovers:
            self.corrupt("trial %d: left behind: %s" % (n, leftovers))
        shutil.rmtree(work)

    def run(self, seconds, trials):
        end = time.monotonic() + seconds
        while time.monotonic() < end and self.counts["trials"] < trials:
            self.trial()
            self.counts["trials"] += 1
        c = self.counts
        print("stress_output: %d trials (%d kills, %d of them placed in a save; %d races, %d "
              "refusals; %d resumes; %d full disks): %d corrupt, %d lost runs"
              % (c["trials"], c["kills"], c["placed_kills"], c["races"], c["refusals"],
                 c["resumes"], c["full_disks"], c["corrupt"], c["lost_runs"]))
        for note in self.notes[:20]:
            print("  " + note)
        return 0 if c["corrupt"] == 0 and c["lost_runs"] == 0 and c["trials"] > 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sovcap", required=True)
    ap.add_argument("--source", required=True, help="the project's source folder")
    ap.add_argument("--dir", required=True, help="scratch folder (emptied)")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--trials", type=int, default=1 << 30)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    shutil.rmtree(args.dir, ignore_errors=True)
    os.makedirs(args.dir)
    code = Stress(args).run(args.seconds, args.trials)
    if code == 0:
        shutil.rmtree(args.dir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
