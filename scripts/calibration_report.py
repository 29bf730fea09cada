#!/usr/bin/env python3
"""docs/calibration.md from scripts/calibration_study.py's CSV: before → after per metric, mean ± std
over split seeds, lgmcl beside chemprop on the same splits. Standard library only.

    python3 scripts/calibration_report.py [--input docs/benchmarks/calibration.csv] [--output docs/calibration.md]

Only the rows of one configuration (--preset for lgmcl, --epochs for both) enter the tables; the
report says which expected combinations the CSV does not hold, so a partial CSV gives a partial,
labelled report.
"""
import argparse
import csv
import datetime
import math
import os
import pathlib
import statistics

import machine

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLUMNS = [("lgmcl", "ensemble"), ("lgmcl", "mve"), ("chemprop", "ensemble"), ("chemprop", "mve")]
COLUMN_NAMES = {("lgmcl", "ensemble"): "lgmcl ensemble of 3", ("lgmcl", "mve"): "lgmcl MVE",
                ("chemprop", "ensemble"): "chemprop ensemble of 3", ("chemprop", "mve"): "chemprop MVE"}
# (metric: a CSV column suffix, label, whether it is a before → after pair)
CLASSIFICATION_ROWS = [("nll", "NLL", True), ("brier", "Brier score", True), ("ece", "ECE (10 equal-width bins)", True)]
REGRESSION_ROWS = [("nll", "NLL", True), ("miscalibration_area", "miscalibration area", True), ("ence", "ENCE", True),
                   ("spearman", "Spearman(\\|error\\|, σ²)", True), ("coverage", "**coverage of 90% intervals**", True),
                   ("half_width", "mean half-width of 90% intervals", True), ("test_z_rms", "test RMS of (y − ŷ)/σ after z-scaling", False)]
DATASET_TITLES = {"bbbp": "BBBP (classification, `p_np`)", "esol": "ESOL (regression, `logSolubility`, log mol/L)"}


def value(row, column):
    cell = row.get(column, "")
    return float(cell) if cell not in ("", None) else None


def fmt(x, percent=False):
    if percent:
        return f"{100 * x:.1f}%"
    if not math.isfinite(x):
        return str(x)
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 10 else f"{x:.3f}"


def summary(rows, column, percent=False):
    """mean ± population std over the rows holding the column, or None."""
    values = [v for v in (value(r, column) for r in rows) if v is not None]
    if not values:
        return None
    mean = statistics.fmean(values)
    if len(values) == 1:
        return fmt(mean, percent)
    spread = statistics.pstdev(values)
    return f"{fmt(mean, percent)} ± {fmt(spread, percent).rstrip('%') + (' pt' if percent else '')}"


def cell(rows, metric, paired):
    percent = metric == "coverage"
    if not paired:
        return summary(rows, metric) or "—"
    before, after = summary(rows, f"before_{metric}", percent), summary(rows, f"after_{metric}", percent)
    if before is None and after is None:
        return "—"
    text = f"{before or '—'} → {after or '—'}"
    return f"**{text}**" if percent else text


def table(rows, kind, columns):
    accuracy = "ROC-AUC" if kind == "classification" else "RMSE"
    metric_rows = CLASSIFICATION_ROWS if kind == "classification" else REGRESSION_ROWS
    lines = ["| metric, test split (before → after) | " + " | ".join(COLUMN_NAMES[c] for c in columns) + " |",
             "|---|" + "---|" * len(columns)]
    by_column = {c: [r for r in rows if (r["tool"], r["method"]) == c] for c in columns}
    for metric, label, paired in metric_rows:
        lines.append(f"| {label} | " + " | ".join(cell(by_column[c], metric, paired) for c in columns) + " |")
    lines.append(f"| {accuracy} of the ensemble mean, val / test (uncalibrated) | "
                 + " | ".join(f"{summary(by_column[c], 'val_accuracy') or '—'} / {summary(by_column[c], 'test_accuracy') or '—'}"
                              for c in columns) + " |")
    lines.append("| fitted on val, per split seed | " + " | ".join(
        "; ".join(f"{r['split_seed']}: {r['fitted'].replace(';', ', ')}" for r in sorted(by_column[c], key=lambda r: r["split_seed"]))
        or "—" for c in columns) + " |")
    lines.append("| split seeds (train/val/test) | " + " | ".join(
        ", ".join(f"{r['split_seed']} ({r['train']}/{r['val']}/{r['test']})" for r in sorted(by_column[c], key=lambda r: r["split_seed"]))
        or "not run" for c in columns) + " |")
    return lines


def coverage_line(rows, protocol):
    """One sentence per regression column: mean conformal coverage over the split seeds."""
    parts = []
    for c in COLUMNS:
        values = [value(r, "after_coverage") for r in rows if (r["tool"], r["method"]) == c and r["protocol"] == protocol]
        values = [v for v in values if v is not None]
        if not values:
            continue
        mean = statistics.fmean(values)
        verdict = ("within ±5 points of 90%" if abs(mean - 0.9) <= 0.05 else "outside ±5 points of 90%") if protocol == "random" else "as measured"
        parts.append(f"{COLUMN_NAMES[c]} {100 * mean:.1f}% over {len(values)} split seed(s) ({verdict})")
    return "; ".join(parts) if parts else "no rows yet"


def shift_lines(rows):
    """The numbers that explain the scaffold split's coverage: test against val error, and the test z-scores."""
    lines = []
    for c in COLUMNS:
        per = {}
        for protocol in ("random", "scaffold"):
            chosen = [r for r in rows if (r["tool"], r["method"]) == c and r["protocol"] == protocol]
            ratios = [value(r, "test_accuracy") / value(r, "val_accuracy") for r in chosen
                      if value(r, "test_accuracy") and value(r, "val_accuracy")]
            z = [value(r, "test_z_rms") for r in chosen if value(r, "test_z_rms") is not None]
            cov = [value(r, "after_coverage") for r in chosen if value(r, "after_coverage") is not None]
            if ratios:
                per[protocol] = (statistics.fmean(ratios), statistics.fmean(z) if z else None,
                                 statistics.fmean(cov) if cov else None)
        if per:
            lines.append(f"- {COLUMN_NAMES[c]}: " + "; ".join(
                f"{p}: test/val RMSE {r:.2f}" + (f", test RMS z {z:.2f}" if z is not None else "")
                + (f", coverage {100 * cov:.1f}%" if cov is not None else "") for p, (r, z, cov) in per.items()))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", default=str(ROOT / "docs/benchmarks/calibration.csv"))
    parser.add_argument("--output", default=str(ROOT / "docs/calibration.md"))
    parser.add_argument("--preset", default="small", help="lgmcl's preset of the rows to report")
    parser.add_argument("--epochs", default="30", help="epochs of the rows to report (both tools)")
    parser.add_argument("--datasets", default="bbbp,esol")
    parser.add_argument("--protocols", default="random,scaffold")
    parser.add_argument("--split-seeds", default="0,1,2")
    args = parser.parse_args()

    source = pathlib.Path(args.input)
    with open(source, newline="") as f:
        everything = list(csv.DictReader(f))
    rows = [r for r in everything if r["epochs"] == args.epochs and (r["tool"] != "lgmcl" or r["preset"] == args.preset)]
    datasets, protocols, seeds = args.datasets.split(","), args.protocols.split(","), args.split_seeds.split(",")
    kinds = {r["dataset"]: r["task_type"] for r in everything}
    missing = []
    for dataset in datasets:
        kind = kinds.get(dataset, "regression" if dataset == "esol" else "classification")
        for protocol in protocols:
            for seed in seeds:
                for c in COLUMNS:
                    if c[1] == "mve" and kind != "regression":
                        continue
                    if not any(r["dataset"] == dataset and r["protocol"] == protocol and r["split_seed"] == seed
                               and (r["tool"], r["method"]) == c for r in rows):
                        missing.append(f"{dataset} {protocol} split {seed} {COLUMN_NAMES[c]}")

    finished = sorted(r["finished"] for r in rows if r.get("finished"))
    versions = sorted({r["version"] for r in rows})
    relative = os.path.relpath(source, ROOT) if source.resolve().is_relative_to(ROOT) else str(source)
    out = ["# Calibration: before and after, lgmcl beside chemprop", ""]
    status = (f"> **What this page holds.** Only what `{relative}` holds: {len(rows)} row(s) of lgmcl `--preset "
              f"{args.preset}` and chemprop at {args.epochs} epochs"
              + (f", finished {finished[0]} – {finished[-1]}" if finished else "")
              + (f" ({len(everything) - len(rows)} row(s) of other configurations left out)" if len(everything) > len(rows) else "") + ". ")
    status += (f"**Partial:** {len(missing)} expected combination(s) are not in the CSV (listed at the end); "
               "their cells read \"—\" or \"not run\"." if missing else "Every expected combination is present.")
    out += [status, "",
            f"Machine: {machine.cpu_model()}, {os.cpu_count()} cores; report written "
            f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC from {', '.join(versions) or 'no runs'} "
            "(an lgmcl commit of 7 digits is the checkout's when the row was written, from before builds named their own; "
            "one of 12 digits is the build's own).", ""]

    out += ["Each split (`lgmcl-dist split`, the same file for both tools) is fitted on its train part, calibrated on "
            "its val part and scored on its test part. *Before* is the uncalibrated ensemble (the mean of 3 models, "
            "seeds 0, 1, 2, and their population variance) or the MVE head's variance, with Gaussian intervals ŷ ± 1.645σ; "
            "*after* is Platt scaling (classification) or z-scaling of the variance (NLL, miscalibration area, ENCE, "
            "Spearman, z-scores) and split-conformal 90% intervals (coverage, half-width), all fitted on val. lgmcl's "
            "conformal score is |y − ŷ|/σ (intervals ŷ ± q·σ); chemprop's `conformal-regression` takes the variance as a "
            "half-width (intervals ŷ ± (σ² + q)), as its CLI does. Definitions: docs/finetune.md, \"Calibration\". "
            "Cells: mean ± population std over the split seeds present (one seed: its value).", ""]

    out += ["## Acceptance (issue 22 item 3)", "",
            f"- Conformal coverage of 90% intervals, random split (target 90 ± 5 points): {coverage_line(rows, 'random')}.",
            f"- Scaffold split, as measured: {coverage_line(rows, 'scaffold')}.",
            "- BBBP is a classification set: its calibration is Platt scaling, scored by NLL, Brier score and ECE; "
            "intervals and their coverage are ESOL's.", ""]
    shift = shift_lines([r for r in rows if r["task_type"] == "regression"])
    if shift:
        out += ["**The scaffold shift.** Split-conformal coverage holds when the test molecules are exchangeable with "
                "the val molecules the quantile was fitted on. A scaffold split puts unseen scaffolds in val and in test, "
                "different ones; when test errors run larger than val errors the intervals cover less than 90%, when "
                "smaller, more. The ratio of test to val RMSE and the RMS of the z-scaled test errors (1 when test "
                "behaves like val) measure that shift (means over split seeds):", "", *shift, ""]

    for dataset in datasets:
        kind = kinds.get(dataset, "regression" if dataset == "esol" else "classification")
        columns = [c for c in COLUMNS if c[1] != "mve" or kind == "regression"]
        out += [f"## {DATASET_TITLES.get(dataset, dataset)}", ""]
        for protocol in protocols:
            chosen = [r for r in rows if r["dataset"] == dataset and r["protocol"] == protocol]
            out += [f"### {protocol} split", ""] + table(chosen, kind, columns) + [""]

    out += ["## How to reproduce", "",
            "```sh",
            "make build && make venv                                   # lgmcl-dist and chemprop 2.3.1 in .venv",
            f".venv/bin/python scripts/calibration_study.py --preset {args.preset} --epochs {args.epochs}   # appends to {relative}",
            "#   in slices: --datasets esol --protocols random --split-seeds 0 --tools lgmcl --methods mve; finished rows are skipped",
            f"python3 scripts/calibration_report.py --preset {args.preset} --epochs {args.epochs}          # this page",
            "```", "",
            "Scratch files (models, logs, val/test predictions of both tools) go to `runs/calibration/` (`--work`).", ""]
    if missing:
        out += ["## Not in the CSV", "", *[f"- {m}" for m in missing], ""]
    machine.write_report(args.output, out)
    print(f"wrote {args.output}: {len(rows)} rows, {len(missing)} combinations missing")


if __name__ == "__main__":
    main()
