#!/usr/bin/env python3
"""Markdown table of an `lgmcl-dist hpopt` search from its trials.csv, the best trial by
validation in bold, followed by the means that docs/results.md quotes.

    python3 scripts/hpopt_report.py runs/hpopt-esol/trials.csv [--startup-trials 8]
"""
import argparse
import csv
import statistics

RATES = {"lr", "encoder-lr", "weight-decay"}
DROPOUTS = {"prediction-dropout", "fingerprint-dropout"}


def cell(name, text):
    if name in RATES:
        return f"{float(text):.2e}"
    if name in DROPOUTS:
        return f"{float(text):.2f}"
    return text


def read_trials(path):
    """trials.csv's rows, the searched parameters' columns, the metric and whether lower is better."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"{path}: no trials")
    fields = list(rows[0].keys())
    parameters = fields[fields.index("group") + 1:fields.index("status")]
    metric = rows[0]["metric"]
    return rows, parameters, metric, metric in {"rmse", "mae"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trials")
    parser.add_argument("--startup-trials", type=int, default=8)
    args = parser.parse_args()
    rows, parameters, metric, lower_is_better = read_trials(args.trials)
    scored = [r for r in rows if r["status"] == "ok"]
    best = (min if lower_is_better else max)(scored, key=lambda r: float(r["val"]))

    print("| trial | round | " + " | ".join(parameters) + f" | val {metric} | test {metric} | seconds |")
    print("|---" * (len(parameters) + 5) + "|")
    for r in rows:
        mark = "**" if r is best else ""
        values = " | ".join(cell(p, r[p]) for p in parameters)
        val = f"{mark}{float(r['val']):.3f}{mark}" if r["status"] == "ok" else "failed"
        test = f"{float(r['test']):.3f}" if r["test"] else "—"
        print(f"| {mark}{r['trial']}{mark} | {r['round']} | {values} | {val} | {test} | {float(r['seconds']):.0f} |")

    def mean(part, key):
        values = [float(r[key]) for r in part if r["status"] == "ok"]
        return statistics.mean(values) if values else float("nan")

    startup = [r for r in rows if int(r["trial"]) < args.startup_trials]
    drawn = [r for r in rows if int(r["trial"]) >= args.startup_trials]
    print()
    print(f"- trials: {len(rows)} ({len(scored)} scored); best by validation: trial {best['trial']}, "
          f"val {float(best['val']):.3f}, test {float(best['test']):.3f}")
    print(f"- random trials: mean val {mean(startup, 'val'):.3f}, test {mean(startup, 'test'):.3f}")
    if drawn:
        print(f"- estimator trials: mean val {mean(drawn, 'val'):.3f}, test {mean(drawn, 'test'):.3f}")
    print(f"- trial seconds summed: {sum(float(r['seconds']) for r in rows):.0f}")


if __name__ == "__main__":
    main()
