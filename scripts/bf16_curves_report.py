#!/usr/bin/env python3
"""Writes docs/benchmarks-bf16.md: pretraining loss curves with bfloat16 matrix products
(`--precision bf16-mixed`) beside Float32 ones, to decide whether bfloat16 trains as Float32 does.

Each run directory is a `lgmcl-dist pretrain` output (metrics-<stage>.jsonl) named by its
precision and seed. A seed fixes initialisation, data order and dropout, so bfloat16 against Float32
at the same seed measures the precision alone, and Float32 seed against Float32 seed the spread the
precision is held to. The criterion (issue 19): over windows of --window steps, the mean distance
between the precisions at equal seeds is no larger than the mean distance between the Float32 seeds,
and no window's bfloat16 mean leaves the Float32 seeds' range by more than their spread there.
Everything from "## Reading these numbers" on in the existing output is hand-written and kept.
Standard library only.

  python3 scripts/bf16_curves_report.py --float32 RUN0 RUN1 --bf16 RUN0 RUN1 --stage joint
"""
import argparse
import json
import statistics
from pathlib import Path

from machine import cpu_model, lgmcl_build, write_report


def losses(run, stage):
    """Per step (1-based), the total loss and each part the stage logs."""
    steps = {}
    for line in (Path(run) / f"metrics-{stage}.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record.get("event") == "step":
            steps[record["step"]] = record
    return steps


def window_means(steps, key, window, last):
    return [statistics.fmean(steps[s][key] for s in range(start, start + window))
            for start in range(1, last + 1, window)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--float32", nargs=2, required=True, metavar="RUN", help="two Float32 runs, seeds a and b")
    parser.add_argument("--bf16", nargs=2, required=True, metavar="RUN", help="two bf16-mixed runs, the same seeds a and b")
    parser.add_argument("--stage", default="joint")
    parser.add_argument("--window", type=int, default=50)
    parser.add_argument("--command", default="", help="how the runs were made, for the page")
    parser.add_argument("--executable", help="the lgmcl-dist that ran them, for its build")
    parser.add_argument("-o", "--output", default=str(Path(__file__).resolve().parent.parent / "docs/benchmarks-bf16.md"))
    args = parser.parse_args()

    float32 = [losses(r, args.stage) for r in args.float32]
    bf16 = [losses(r, args.stage) for r in args.bf16]
    last = min(max(s) for s in float32 + bf16)
    last -= last % args.window
    if last < args.window:
        raise SystemExit(f"fewer than {args.window} steps in common")
    keys = [k for k in ("loss", "graph_loss", "text_loss") if k in float32[0][1]]

    lines = [
        "# bfloat16 matrix products: do they train as Float32 does?",
        "",
        f"`lgmcl-dist pretrain --stage {args.stage}` with `--precision float32` and `--precision bf16-mixed` "
        f"(docs/tensor.md), the same two seeds each, {last} steps, on {cpu_model()}"
        + (f", lgmcl {lgmcl_build(args.executable)}" if args.executable else "") + ".",
        "",
    ]
    if args.command:
        lines += ["```sh", args.command, "```", ""]
    lines += [
        f"Mean training loss per window of {args.window} steps. A seed fixes initialisation, data order and dropout: "
        "*precision effect* is |bf16 − float32| at the same seed (mean over the two seeds), *seed spread* "
        "|float32 seed a − float32 seed b|.",
        "",
    ]
    verdicts = []
    for key in keys:
        f = [window_means(s, key, args.window, last) for s in float32]
        b = [window_means(s, key, args.window, last) for s in bf16]
        lines += [f"### {key.replace('_', ' ')}", "",
                  "| steps | float32 a | float32 b | bf16 a | bf16 b | precision effect | seed spread |",
                  "|---|---|---|---|---|---|---|"]
        effects, spreads, outside = [], [], []
        for w in range(len(f[0])):
            effect = statistics.fmean(abs(b[i][w] - f[i][w]) for i in range(2))
            spread = abs(f[0][w] - f[1][w])
            low, high = min(f[0][w], f[1][w]), max(f[0][w], f[1][w])
            effects.append(effect)
            spreads.append(spread)
            outside.append(max(max(low - v, v - high, 0) for v in (b[0][w], b[1][w])) > spread)
            start = 1 + w * args.window
            lines.append(f"| {start}–{start + args.window - 1} | {f[0][w]:.4f} | {f[1][w]:.4f} | {b[0][w]:.4f} | "
                         f"{b[1][w]:.4f} | {effect:.4f} | {spread:.4f} |")
        met = statistics.fmean(effects) <= statistics.fmean(spreads) and not any(outside)
        verdicts.append((key, statistics.fmean(effects), statistics.fmean(spreads), sum(outside), met))
        lines.append("")
    lines += ["### Verdict", "", "| loss | mean precision effect | mean seed spread | windows outside the float32 range by more than the spread | within the seed spread |",
              "|---|---|---|---|---|"]
    for key, effect, spread, outside, met in verdicts:
        lines.append(f"| {key.replace('_', ' ')} | {effect:.4f} | {spread:.4f} | {outside} | {'yes' if met else 'no'} |")
    lines.append("")
    write_report(args.output, lines)


if __name__ == "__main__":
    main()
