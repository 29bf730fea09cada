#!/usr/bin/env python3
"""Re-scores the best trials of an `lgmcl-dist hpopt` search on other split seeds, on validation:
each of the TOP trials by validation is fine-tuned again, as the search ran it, on every split
seed given, and the table ranks them by the validation metric averaged over the split seeds
(the search's own split included). Test scores are printed beside, never used to rank.

    python3 scripts/hpopt_confirm.py runs/hpopt-esol --top 3 --split-seeds 1,2 -- \\
        --data data/moleculenet/esol.csv --split scaffold --preset small --epochs 50 --patience 10

Everything after `--` is the search's own finetune flags (what it did not draw). Each run goes to
SEARCH/confirm/trial-NNN-split-S (skipped when its metrics.json exists, so a stopped run resumes);
SEARCH/confirm.csv gets one row per (trial, split seed). Launch: NP ranks (default 2) under mpirun,
LGMCL_BIN or .build/release/lgmcl-dist.
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from hpopt_report import read_trials

ROOT = Path(__file__).resolve().parent.parent
DROPOUTS = {"prediction-dropout": "fusion.predictionDropout", "fingerprint-dropout": "fusion.fingerprintDropout"}


def trial_flags(row, parameters):
    flags, sets = [], []
    for name in parameters:
        if name in DROPOUTS:
            sets.append(f"{DROPOUTS[name]}={row[name]}")
        else:
            flags += [f"--{name}", row[name]]
    return flags + (["--set"] + sets if sets else [])


def main():
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("search", type=Path)
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--split-seeds", required=True)
    parser.add_argument("--search-split-seed", default="0", help="the split seed the search ran on")
    args = parser.parse_args(argv)

    rows, parameters, metric, lower_is_better = read_trials(args.search / "trials.csv")
    rows = [r for r in rows if r["status"] == "ok"]
    if not rows:
        raise SystemExit(f"{args.search}/trials.csv: no scored trial")
    rows.sort(key=lambda r: float(r["val"]), reverse=not lower_is_better)
    best = rows[:args.top]

    binary = os.environ.get("LGMCL_BIN", str(ROOT / ".build/release/lgmcl-dist"))
    environment = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OPENBLAS_NUM_THREADS="1")
    results = []
    for row in best:
        number = int(row["trial"])
        results.append((number, args.search_split_seed, float(row["val"]), float(row["test"])))
        for split_seed in args.split_seeds.split(","):
            output = args.search / "confirm" / f"trial-{number:03d}-split-{split_seed}"
            metrics = output / "metrics.json"
            if not metrics.exists():
                command = ["mpirun", "--oversubscribe", "-np", os.environ.get("NP", "2"), binary, "finetune",
                           "--output", str(output), "--split-seed", split_seed, "--log-interval", "1000"] \
                    + extra + trial_flags(row, parameters)
                print("hpopt_confirm:", " ".join(command), flush=True)
                subprocess.run(command, check=True, env=environment, cwd=ROOT)
            summary = json.loads(metrics.read_text())
            results.append((number, split_seed, summary["val"]["mean"], summary["test"]["mean"]))

    with open(args.search / "confirm.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["trial", "split_seed", f"val_{metric}", f"test_{metric}"])
        writer.writerows(results)
    print(f"| trial | val {metric} per split seed | mean val | test {metric} per split seed | mean test |")
    print("|---|---|---|---|---|")
    ranked = []
    for number in dict.fromkeys(r[0] for r in results):
        mine = [r for r in results if r[0] == number]
        ranked.append((statistics.mean(r[2] for r in mine), number, mine))
    ranked.sort(reverse=not lower_is_better)
    for mean_val, number, mine in ranked:
        vals = " / ".join(f"{r[2]:.3f}" for r in mine)
        tests = " / ".join(f"{r[3]:.3f}" for r in mine)
        print(f"| {number} | {vals} | {mean_val:.3f} | {tests} | {statistics.mean(r[3] for r in mine):.3f} |")
    print(f"\nchosen by mean validation {metric}: trial {ranked[0][1]}")


if __name__ == "__main__":
    main()
