#!/usr/bin/env python3
"""Writes docs/benchmarks-pretrain.md from `lgmcl-dist benchmark throughput --json` lines.

Input: a JSONL file of results (scripts/bench_pretrain.sh appends one line per run). Per preset,
stage and rank count the fastest run is kept (other load on the machine only ever slows a run
down). Weak-scaling efficiency = per-rank molecules/s at 2 ranks / at 1 rank, from wall time and
also from each rank's CPU time (molecules per CPU-second), which tells the scaling of lgmcl apart
from the share of the cores a rank got on a loaded machine. With --sweep, a second JSONL of
2-rank runs at several --bucket-mib values becomes the bucket-size table. Everything from the line
"## Reading these numbers" on in the existing output is hand-written and kept. Standard library only.
"""
import argparse
import json
import subprocess
from pathlib import Path

from machine import cpu_model, git_commit, write_report


def ms(seconds):
    return f"{seconds * 1000:.1f}"


def exposed(allreduce):
    last = allreduce.get("slowest_rank_exposed_seconds_per_step")
    average = ms(allreduce["exposed_seconds_per_step"])
    return average if last is None else f"{ms(last)} ({average})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="JSONL of benchmark throughput results")
    parser.add_argument("--data", default="?", help="the dataset the runs read (for the page)")
    parser.add_argument("--sweep", help="JSONL of 2-rank runs at several --bucket-mib values")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()

    runs = [json.loads(line) for line in Path(args.results).read_text().splitlines() if line.strip().startswith("{")]
    if not runs:
        raise SystemExit(f"{args.results}: no results")
    best = {}
    for run in runs:
        key = (run["preset"], run["stage"], run["ranks"])
        if key not in best or run["molecules_per_second_per_rank"] > best[key]["molecules_per_second_per_rank"]:
            best[key] = run
    order = {"tiny": 0, "small": 1, "paper": 2}
    keys = sorted(best, key=lambda k: (order.get(k[0], 9), k[1], k[2]))
    dates = sorted(run["date"] for run in runs)
    loads = [run["load_average"][0] for run in runs if run.get("load_average")]

    lines = [
        "# Pretraining throughput and weak scaling",
        "",
        f"Produced by `scripts/bench_pretrain.sh {args.data}` (`lgmcl-dist benchmark throughput`, see docs/pretrain.md), "
        f"{dates[0]} – {dates[-1]}, lgmcl {git_commit()}, on {', '.join(sorted({h for r in runs for h in r['hosts']}))}: "
        f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores ({cpu_model()}), "
        "`OPENBLAS_NUM_THREADS=1`, `OMPI_MCA_mpi_yield_when_idle=1`, Float32, dropout on, "
        f"{len(runs)} runs (the fastest per row is shown).",
        "",
        f"**Load:** the 1-minute load average at the end of the runs was {min(loads):.1f}–{max(loads):.1f}. "
        + ("The machine was otherwise idle: wall time is the measure." if max(loads) < 2.5 else
           "Other work shared these cores, so a rank got only part of a core: compare its CPU seconds per step with "
           "the step's wall time. The CPU-time efficiency is then the better guide to how lgmcl itself scales."),
        "",
        "Weak scaling: the same molecules per rank at 1 and 2 ranks (the global batch doubles). The hidden share "
        "of the gradient allreduce is 1 − (wait after backward of the rank that finished backward last) / (the "
        "same bucket collectives run alone, back to back after a barrier). The rank average of the wait also holds "
        "imbalance (a rank done early waits for its peer's backward), shown beside it.",
        "",
        "## Scaling",
        "",
        "| preset | stage | molecules/rank/step | 1 rank: molecules/s | 2 ranks: molecules/s per rank | "
        "efficiency (wall) | efficiency (per CPU-second) | 2 ranks: allreduce exposed, last rank (rank average) / alone (ms per step) | hidden share |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for preset, stage in sorted({(k[0], k[1]) for k in keys}, key=lambda k: (order.get(k[0], 9), k[1])):
        one, two = best.get((preset, stage, 1)), best.get((preset, stage, 2))
        if not one or not two:
            continue

        def per_cpu_second(run):
            return run["batch_per_rank"] / (sum(run["cpu_seconds_per_step_by_rank"]) / len(run["cpu_seconds_per_step_by_rank"]))

        wall = two["molecules_per_second_per_rank"] / one["molecules_per_second_per_rank"]
        cpu = per_cpu_second(two) / per_cpu_second(one)
        a = two["allreduce"]
        lines.append(f"| {preset} | {stage} | {two['batch_per_rank']} | {one['molecules_per_second']:.1f} | "
                     f"{two['molecules_per_second_per_rank']:.1f} | {100 * wall:.0f}% | {100 * cpu:.0f}% | "
                     f"{exposed(a)} / {ms(a['alone_seconds_per_step'])} | {100 * a['hidden_share']:.0f}% |")

    if args.sweep:
        sweep = [json.loads(line) for line in Path(args.sweep).read_text().splitlines() if line.strip().startswith("{")]
        lines += [
            "",
            "## Bucket size (2 ranks, `--bucket-mib`)",
            "",
            f"From `{args.sweep}` ({len(sweep)} runs, {min(r['date'] for r in sweep)} – {max(r['date'] for r in sweep)}).",
            "",
            "| preset | stage | bucket MiB | buckets | gradients | molecules/s per rank | exposed, last rank (rank average) / alone (ms per step) | hidden share |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in sorted(sweep, key=lambda r: (order.get(r["preset"], 9), r["stage"], r["allreduce"]["buckets"])):
            a = r["allreduce"]
            lines.append(f"| {r['preset']} | {r['stage']} | {a.get('bucket_mib', '?')} | {a['buckets']} | {a['bytes'] / 1e6:.2f} MB | "
                         f"{r['molecules_per_second_per_rank']:.1f} | {exposed(a)} / {ms(a['alone_seconds_per_step'])} | "
                         f"{100 * a['hidden_share']:.0f}% |")

    lines += [
        "",
        "## Every run: time per step (ms, rank average)",
        "",
        "| preset | stage | ranks | global batch | steps | molecules/s | step | CPU per rank | data | forward | backward | "
        "allreduce wait | loss allreduce | optimiser | other | gradients (buckets) | allreduce alone | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key in keys:
        r = best[key]
        p = r["phase_seconds_per_step"]
        lines.append(
            f"| {r['preset']} | {r['stage']} | {r['ranks']} | {r['global_batch']} | {r['steps']} | {r['molecules_per_second']:.1f} | "
            f"{ms(r['step_seconds'])} | {' / '.join(ms(c) for c in r['cpu_seconds_per_step_by_rank'])} | {ms(p['data'])} | "
            f"{ms(p['forward'])} | {ms(p['backward'])} | {ms(p['allreduce_wait'])} | {ms(p['loss_allreduce'])} | "
            f"{ms(p['optimizer'])} | {ms(p['other'])} | {r['allreduce']['bytes'] / 1e6:.2f} MB ({r['allreduce']['buckets']}) | "
            f"{ms(r['allreduce']['alone_seconds_per_step'])} | {r['load_average'][0]:.1f} |")
    lines += [
        "",
        "Columns: *CPU per rank* is each rank's process CPU time per step (all threads; MPI's polling counts); "
        "*forward* includes the all-gather of the embeddings for the global-batch loss, so a rank that waits there for "
        "a slower peer shows it as forward time; *other* is the rest of the step (progress, heartbeats). "
        "Goals of issue 8: ≥ 95% weak-scaling efficiency from 1 to 2 ranks, ≥ 80% of the allreduce hidden.",
        "",
    ]
    write_report(args.output, lines)


if __name__ == "__main__":
    main()
