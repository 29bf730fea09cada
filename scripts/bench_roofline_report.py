#!/usr/bin/env python3
"""Writes docs/benchmarks-roofline.md from `lgmcl-dist benchmark throughput --json` lines
(scripts/bench_roofline.sh): per case, the work of a step (the text encoder's useful FLOPs, PyTorch's
counting, and every matrix product as executed), the rates it ran at against the same run's sgemm,
and where the rest of the step went; then the costliest product shapes of each case. Everything from
"## Reading these numbers" on in the existing output is hand-written and kept. Standard library only.
"""
import argparse
import json
import platform
import subprocess
from pathlib import Path

from machine import cpu_model, git_commit, write_report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="JSONL of benchmark throughput results")
    parser.add_argument("--data", default="?", help="the dataset the runs read (for the page)")
    parser.add_argument("-o", "--output", default=str(Path(__file__).resolve().parent.parent / "docs/benchmarks-roofline.md"))
    args = parser.parse_args()
    runs = [json.loads(line) for line in Path(args.results).read_text().splitlines() if line.strip().startswith("{")]
    if not runs:
        raise SystemExit(f"{args.results}: no results")
    dates = sorted(r["date"] for r in runs)
    loads = [r["load_average"] for r in runs if r.get("load_average")]
    kernel = subprocess.run(["sh", "-c", "echo ${OPENBLAS_CORETYPE:-native}"], capture_output=True, text=True).stdout.strip()

    lines = [
        "# Roofline of a pretraining step",
        "",
        f"Produced by `scripts/bench_roofline.sh {args.data}` (`lgmcl-dist benchmark throughput`, one rank, "
        f"`OPENBLAS_NUM_THREADS=1`, Float32 or `--precision bf16-mixed` as the precision column says, dropout on), {dates[0]} – {dates[-1]}, lgmcl {git_commit()}, on "
        f"{platform.node()} ({cpu_model()}), OpenBLAS kernel: {kernel}. 1-minute load average "
        f"{min(l[0] for l in loads):.2f}–{max(l[0] for l in loads):.2f} (the gemm seconds are wall time: run it idle).",
        "",
        "Useful GFLOP: the text encoder's products on unpadded sequences as PyTorch's flop counter counts them "
        "(docs/benchmarks-pretrain.md, \"Useful FLOPs\"; none for graph stages). Executed GFLOP: every matrix "
        "product the step ran (all encoders, padding included, lgmcl's relative window of 2L − 1 rows rather "
        "than the whole table, so it can be below the useful count). sgemm: the same run's single-thread "
        "2048³ rate per CPU second (Float32 in both precisions: the goal's yardstick). In BLAS: wall time inside "
        "gemm calls on the training thread (bfloat16 products included).",
        "",
        "| preset | stage | precision | molecules/step | useful GFLOP/molecule | executed GFLOP/molecule | CPU s/step | "
        "useful GFLOP/s per CPU s | in BLAS: GFLOP/s | sgemm GFLOP/s | useful rate / sgemm | BLAS rate / sgemm | "
        "step in BLAS | rest of the step |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        m = r["global_batch"]
        cpu = r["cpu_seconds_per_step_by_rank"][0]
        executed = r["gemm_gflop_per_step_by_rank"][0]
        blas = r["gemm_seconds_per_step_by_rank"][0]
        useful = (r.get("text_useful_gflop_per_step_by_rank") or [None])[0]
        sgemm = (r.get("sgemm_gflops_by_rank") or [None])[0]
        rate = executed / blas if blas > 0 else float("nan")
        cell = lambda v, f: f.format(v) if v is not None else "—"
        lines.append(
            f"| {r['preset']} | {r['stage']} | {r.get('precision', 'float32')} | {m} | {cell(useful / m if useful else None, '{:.3f}')} | {executed / m:.3f} | "
            f"{cpu:.3f} | {cell(useful / cpu if useful else None, '{:.1f}')} | {rate:.1f} | {cell(sgemm, '{:.1f}')} | "
            f"{cell(useful / cpu / sgemm if useful and sgemm else None, '{:.0%}')} | {cell(rate / sgemm if sgemm else None, '{:.0%}')} | "
            f"{blas / r['step_seconds']:.0%} | {1 - blas / r['step_seconds']:.0%} |")
    lines += ["", "## Costliest product shapes", "",
              "C (m × n) = op(A) · op(B) over k; N/T: whether A and B are read transposed. Per step, rank 0.", ""]
    for r in runs:
        lines += [f"**{r['preset']} {r['stage']}, {r.get('precision', 'float32')}, {r['global_batch']} molecules:**", "",
                  "| op | m | n | k | calls/step | GFLOP/step | ms/step | GFLOP/s |", "|---|---|---|---|---|---|---|---|"]
        for s in r.get("gemm_shapes", []):
            lines.append(f"| {s['transposes']} | {s['m']} | {s['n']} | {s['k']} | {s['calls_per_step']:.1f} | "
                         f"{s['gflop_per_step']:.2f} | {1000 * s['seconds_per_step']:.1f} | {s['gflops']:.1f} |")
        lines.append("")
    write_report(args.output, lines)


if __name__ == "__main__":
    main()
