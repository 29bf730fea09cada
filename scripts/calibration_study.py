#!/usr/bin/env python3
"""Calibration before and after, lgmcl beside chemprop 2.3.1 on the same splits (issue 22 item 3).

For every dataset, protocol and split seed, `lgmcl-dist split` writes the split (through
scripts/run_chemprop.py's `shared_split`: the rows both tools accept, one file both train on with
their split column), then

- lgmcl: `finetune --split-column split` with model seeds 0,1,2 (method `ensemble`: Platt scaling
  of the probabilities, or z-scaling of the seeds' variance and normalized split-conformal
  intervals), and for regression one seed with `--loss mve` (method `mve`). Before/after metrics
  are metrics.json's "calibration" (docs/finetune.md, "Calibration"); `lgmcl-dist predict` on the
  val and test rows adds the ensemble's accuracy, the intervals' mean half-width and the RMS of the
  calibrated z-scores on test.
- chemprop: `chemprop train --ensemble-size 3 --pytorch-seed 0` (models with seeds 0, 1, 2;
  `--data-seed` = split seed), or one `--task-type regression-mve` model, then `chemprop predict`
  (`--uncertainty-method ensemble|mve`) on the val and test rows. Calibration is what chemprop's
  `predict --cal-path VAL --calibration-method M` does, done here with the same calibrator classes
  and arguments so that before and after come from one prediction: `platt` on the val
  probabilities (classification); `zscaling` and `conformal-regression` (alpha 0.1) fitted on the
  val means and variances (regression). chemprop's conformal calibrator takes the uncertainty it is
  given as a half-width, so with a variance its 90% interval is mean ± (σ² + q̂), q̂ fitted on
  max(mean − σ² − y, y − mean − σ²) — its method as its CLI applies it, not lgmcl's |error|/σ.
  Metrics: chemprop's evaluators for regression NLL, miscalibration area, ENCE, Spearman and
  interval coverage (torch float64); numpy for classification NLL (clipped to [1e-15, 1 − 1e-15]),
  Brier score and ECE (10 equal-width bins, the last closed), the definitions of docs/finetune.md.

Every finished (dataset, protocol, split seed, tool, method, preset, epochs) appends one row to
--output (default docs/benchmarks/calibration.csv) and is skipped when present unless --force, so
the study runs in slices; scripts/calibration_report.py turns the CSV into docs/calibration.md.
Run in the repository's venv after `make build`:

    .venv/bin/python scripts/calibration_study.py --datasets esol --protocols random --split-seeds 0
"""
import argparse
import datetime
import json
import math
import os
import pathlib
import shutil
import subprocess
import sys
import time
import warnings

import numpy as np

import machine
import run_chemprop as shared

ROOT = pathlib.Path(__file__).resolve().parent.parent
COVERAGE = 0.9
BINS = 10
Z = 1.6448536269514722  # the standard normal quantile of (1 + COVERAGE) / 2
METRICS = ["nll", "brier", "ece", "miscalibration_area", "ence", "spearman", "coverage", "half_width"]
FIELDS = (["dataset", "protocol", "split_seed", "tool", "method", "preset", "epochs", "task", "task_type",
           "uncertainty", "calibration", "model_seeds", "train", "val", "test", "molecules", "accuracy_metric",
           "val_accuracy", "test_accuracy"]
          + [f"{when}_{m}" for m in METRICS for when in ("before", "after")]
          + ["test_z_rms", "fitted", "seconds", "version", "split_sha", "finished"])
KEY = ["dataset", "protocol", "split_seed", "tool", "method", "preset", "epochs"]
LGMCL_METRICS = {"nll": "nll", "brier": "brier", "ece": "ece", "miscalibrationArea": "miscalibration_area",
                 "ence": "ence", "spearman": "spearman", "coverage": "coverage"}


def number(x):
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{float(x):.6g}"


# --- metrics on chemprop's predictions (docs/finetune.md, "Calibration") ---------------------------

def tensor(a):
    import torch
    return torch.tensor(np.asarray(a, dtype=np.float64).reshape(-1, 1))


def all_present(a):
    import torch
    return torch.ones((len(a), 1), dtype=torch.bool)


def classification_scores(p, y):
    clipped = np.clip(p, 1e-15, 1 - 1e-15)
    index = np.minimum((p * BINS).astype(int), BINS - 1)
    ece = sum((index == b).sum() / len(p) * abs(p[index == b].mean() - y[index == b].mean())
              for b in range(BINS) if (index == b).any())
    return {"nll": float(-np.mean(np.where(y == 1, np.log(clipped), np.log(1 - clipped)))),
            "brier": float(np.mean((p - y) ** 2)), "ece": float(ece)}


def coverage(mean, half, y):
    from chemprop.uncertainty.evaluator import RegressionConformalEvaluator
    return RegressionConformalEvaluator().evaluate(tensor(mean), tensor(half), tensor(y), all_present(y)).item()


def regression_scores(mean, variance, y):
    from chemprop.uncertainty.evaluator import (CalibrationAreaEvaluator, ExpectedNormalizedErrorEvaluator,
                                                NLLRegressionEvaluator, SpearmanEvaluator)
    return {name: evaluator.evaluate(tensor(mean), tensor(variance), tensor(y), all_present(y)).item()
            for name, evaluator in [("nll", NLLRegressionEvaluator()), ("miscalibration_area", CalibrationAreaEvaluator()),
                                    ("ence", ExpectedNormalizedErrorEvaluator()), ("spearman", SpearmanEvaluator())]}


def z_rms(mean, variance, y):
    return float(np.sqrt(np.mean((y - mean) ** 2 / variance)))


# --- one split ------------------------------------------------------------------------------------

class Split:
    """One (dataset, protocol, split seed): the file both tools train on and the val+test rows they predict."""

    def __init__(self, args, dataset, protocol, seed):
        self.dataset, self.protocol, self.seed = dataset, protocol, seed
        rows, self.kept, self.tasks, self.task_type, _, self.path = shared.shared_split(args, dataset, protocol, seed, args.work)
        self.sha = shared.split_digest(rows)
        self.counts = {part: sum(r["split"] == part for r in self.kept) for part in ("train", "val", "test")}
        self.eval_path = args.work / f"{dataset}_{protocol}_{seed}_valtest.csv"
        self.eval_rows = [r for r in self.kept if r["split"] in ("val", "test")]
        shared.write_csv(self.eval_path, ["smiles"] + self.tasks + ["split"], self.eval_rows)
        self.part = np.array([r["split"] for r in self.eval_rows])

    def truth(self, task):
        return np.array([shared.label(r[task]) for r in self.eval_rows])

    def accuracy(self, task, predicted):
        """The ensemble mean's val and test metric (lgmcl's conventions, run_chemprop.evaluate)."""
        truth = self.truth(task)
        return [shared.evaluate(self.task_type, truth[self.part == p, None], predicted[self.part == p, None], [task])[0]
                for p in ("val", "test")]

    def row(self, args, tool, method, task):
        return {"dataset": self.dataset, "protocol": self.protocol, "split_seed": self.seed, "tool": tool,
                "method": method, "preset": args.preset if tool == "lgmcl" else "", "epochs": args.epochs,
                "task": task, "task_type": self.task_type, **self.counts, "split_sha": self.sha,
                "accuracy_metric": "roc_auc" if self.task_type == "classification" else "rmse"}


def run_logged(command, log, prefix=None):
    """Runs command with its output in log, echoing the lines (prefixed) when prefix is given; exits on failure."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    with open(log, "w") as out:
        process = subprocess.Popen([str(c) for c in command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, env=env)
        for line in process.stdout:
            out.write(line)
            if prefix is not None:
                print(prefix + line.rstrip(), flush=True)
        if process.wait() != 0:
            sys.exit(f"failed ({log}): {' '.join(str(c) for c in command)}")


def lgmcl(args, split, method):
    launcher = ["mpirun", "--oversubscribe", "-np", str(args.ranks)] if args.ranks > 1 else []
    out = args.work / f"{split.dataset}_{split.protocol}_{split.seed}_lgmcl_{method}_{args.preset}_e{args.epochs}"
    shutil.rmtree(out, ignore_errors=True)
    seeds = "0,1,2" if method == "ensemble" else "0"
    command = [*launcher, args.lgmcl, "finetune", "--data", split.path, "--output", out, "--split-column", "split",
               "--label-columns", ",".join(split.tasks), "--seeds", seeds,
               "--epochs", args.epochs, "--log-interval", 60]
    command += ["--loss", "mve"] if method == "mve" else []
    # A pretraining directory's configuration sets the size; finetune refuses a --preset naming another.
    command += ["--pretrained", args.pretrained] if args.pretrained else ["--preset", args.preset]
    started = time.time()
    run_logged(command, out.with_suffix(".log"), prefix="    lgmcl | ")
    seconds = time.time() - started
    report = json.loads((out / "metrics.json").read_text())["calibration"]
    fitted = {t["task"]: t for t in json.loads((out / "calibration.json").read_text())["tasks"]}
    predictions = out / "valtest_predictions.csv"
    run_logged([*launcher, args.lgmcl, "predict", "--model", out, "--input", split.eval_path, "--output", predictions,
                "--coverage", COVERAGE], out.with_name(out.name + "-predict.log"))
    _, predicted = shared.read_csv(predictions)
    test = split.part == "test"
    build = machine.lgmcl_build(args.lgmcl)
    rows = []
    for task_report in report["tasks"]:
        task = task_report["task"]
        row = split.row(args, "lgmcl", method, task)
        row.update(uncertainty=report["uncertainty"], calibration=report["method"], model_seeds=seeds,
                   molecules=task_report["molecules"], seconds=f"{seconds:.0f}", version=f"lgmcl {build}")
        for when in ("before", "after"):
            for key, column in LGMCL_METRICS.items():
                row[f"{when}_{column}"] = number(task_report[when].get(key))
        task_fit = fitted[task]
        column = "probability" if split.task_type == "classification" else "prediction"
        mean = np.array([float(r[f"{task}_{column}"]) for r in predicted])
        row["val_accuracy"], row["test_accuracy"] = map(number, split.accuracy(task, mean))
        if task_fit.get("platt"):
            row["fitted"] = f"a={task_fit['platt']['a']:.4g};b={task_fit['platt']['b']:.4g}"
        if split.task_type == "regression":
            y = split.truth(task)[test]
            scale = task_fit.get("varianceScale")
            lower = np.array([float(r[f"{task}_lower"]) for r in predicted])[test]
            upper = np.array([float(r[f"{task}_upper"]) for r in predicted])[test]
            row["after_half_width"] = number(np.mean((upper - lower) / 2))
            measured = coverage((lower + upper) / 2, (upper - lower) / 2, y)
            if abs(measured - task_report["after"]["coverage"]) > 1.5 / len(y):
                print(f"  warning: predict's intervals cover {measured:.4f} of the test molecules, "
                      f"metrics.json says {task_report['after']['coverage']:.4f}", flush=True)
            scores = np.array(task_fit["conformal"]["scores"])
            q = np.quantile(scores, min(math.ceil((len(scores) + 1) * COVERAGE) / len(scores), 1), method="higher")
            row["fitted"] = (f"s={scale:.4g};" if scale else "") + f"q={q:.4g}"
            if scale:
                variance = np.array([float(r[f"{task}_unc"]) for r in predicted])[test]  # z-scaled by predict
                row["before_half_width"] = number(Z * np.mean(np.sqrt(variance)) / scale)
                row["test_z_rms"] = number(z_rms(mean[test], variance, y))
        rows.append(row)
    return rows


def chemprop(args, split, method):
    from chemprop.uncertainty.calibrator import PlattCalibrator, RegressionConformalCalibrator, ZScalingCalibrator
    import chemprop as chemprop_package
    out = args.work / f"{split.dataset}_{split.protocol}_{split.seed}_chemprop_{method}_e{args.epochs}"
    if method == "ensemble":
        seconds = shared.train_chemprop(args, split.path, split.tasks, split.task_type, out, 0, split.seed,
                                        extra=["--ensemble-size", "3"])
    else:
        seconds = shared.train_chemprop(args, split.path, split.tasks, "regression-mve", out, 0, split.seed)
    models = sorted(out.glob("model_*/best.pt"))
    predictions = out / "valtest_predictions.csv"
    run_logged([args.chemprop, "predict", "--test-path", split.eval_path, "--smiles-columns", "smiles",
                "--model-paths", *models, "--output", predictions, "--uncertainty-method", method,
                "--accelerator", "cpu", "--devices", "1", "--num-workers", "0"], out / "predict.log")
    _, predicted = shared.read_csv(predictions)
    if method == "ensemble":
        _, individual = shared.read_csv(predictions.with_name(predictions.stem + "_individual.csv"))
    val, test = split.part == "val", split.part == "test"
    rows = []
    for task in split.tasks:
        row = split.row(args, "chemprop", method, task)
        mean = np.array([float(r[task]) for r in predicted])
        y = split.truth(task)
        row.update(model_seeds="0,1,2" if method == "ensemble" else "0", molecules=int(test.sum()),
                   seconds=f"{seconds:.0f}", version=f"chemprop {chemprop_package.__version__}")
        row["val_accuracy"], row["test_accuracy"] = map(number, split.accuracy(task, mean))
        if split.task_type == "classification":
            platt = PlattCalibrator().fit(tensor(mean[val]), tensor(y[val]), all_present(y[val]))
            calibrated = platt.apply(tensor(mean[test])).numpy().ravel()
            before, after = classification_scores(mean[test], y[test]), classification_scores(calibrated, y[test])
            row.update(uncertainty="ensemble", calibration="platt",
                       fitted=f"a={platt.a.item():.4g};b={platt.b.item():.4g}")
        else:
            if method == "ensemble":  # chemprop's ensemble variance (correction=0), from the unrounded members
                members = np.array([[float(r[f"{task}_model_{i}"]) for r in individual] for i in range(len(models))])
                variance = members.var(axis=0)
            else:  # the MVE head's variance, as predict writes it (rounded to 6 decimals)
                variance = np.array([float(r[f"{task}_unc"]) for r in predicted])
                if (variance[test] <= 0).any():
                    print(f"  warning: {(variance[test] <= 0).sum()} test variances are 0 after chemprop's rounding", flush=True)
            fit = (tensor(mean[val]), tensor(variance[val]), tensor(y[val]), all_present(y[val]))
            scaling = ZScalingCalibrator().fit(*fit)
            scaled = scaling.apply(tensor(variance[test])).numpy().ravel()
            conformal = RegressionConformalCalibrator(alpha=1 - COVERAGE).fit(*fit)
            half = conformal.apply(tensor(variance[test])).numpy().ravel()
            before = regression_scores(mean[test], variance[test], y[test])
            after = regression_scores(mean[test], scaled, y[test])
            before.update(coverage=coverage(mean[test], Z * np.sqrt(variance[test]), y[test]),
                          half_width=Z * np.mean(np.sqrt(variance[test])))
            after.update(coverage=coverage(mean[test], half, y[test]), half_width=np.mean(half))
            row.update(uncertainty="ensemble" if method == "ensemble" else "mean-variance",
                       calibration="zscaling and conformal-regression (σ² as half-width)",
                       fitted=f"s={scaling.scalings.item():.4g};q={conformal.qhats.item():.4g}",
                       test_z_rms=number(z_rms(mean[test], scaled, y[test])))
        for when, scores in (("before", before), ("after", after)):
            for name, value in scores.items():
                row[f"{when}_{name}"] = number(value)
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="bbbp,esol")
    parser.add_argument("--protocols", default="random,scaffold")
    parser.add_argument("--split-seeds", default="0,1,2")
    parser.add_argument("--tools", default="lgmcl,chemprop")
    parser.add_argument("--methods", default="ensemble,mve", help="mve runs on regression sets only")
    parser.add_argument("--epochs", type=int, default=30, help="both tools (chemprop needs at least 3)")
    parser.add_argument("--preset", default="small", help="lgmcl's model size (tiny, small, paper); with --pretrained its own")
    parser.add_argument("--pretrained", default=None, help="lgmcl: a pretraining output directory (default: from scratch)")
    parser.add_argument("--ranks", type=int, default=1, help="lgmcl: MPI ranks (mpirun -np N when N > 1)")
    parser.add_argument("--data-dir", default=str(ROOT / "data" / "moleculenet"))
    parser.add_argument("--lgmcl", default=str(ROOT / ".build/release/lgmcl-dist"))
    parser.add_argument("--chemprop", default=str(pathlib.Path(sys.executable).parent / "chemprop"))
    parser.add_argument("--output", default=str(ROOT / "docs/benchmarks/calibration.csv"))
    parser.add_argument("--work", default=str(ROOT / "runs/calibration"), help="scratch directory (runs, logs, predictions)")
    parser.add_argument("--force", action="store_true", help="rerun combinations already in --output")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*SpearmanCorrcoef.*")  # torchmetrics' note on its buffer
    unknown = set(args.tools.split(",")) - {"lgmcl", "chemprop"} or set(args.methods.split(",")) - {"ensemble", "mve"}
    if unknown:
        sys.exit(f"unknown tool or method: {', '.join(sorted(unknown))} (tools: lgmcl, chemprop; methods: ensemble, mve)")
    if "chemprop" in args.tools.split(",") and args.epochs <= 2:
        sys.exit("chemprop needs more epochs than its 2 warm-up epochs: --epochs 3 or more")
    args.work = pathlib.Path(args.work)
    args.work.mkdir(parents=True, exist_ok=True)

    output = pathlib.Path(args.output)
    done = shared.read_csv(output)[1] if output.exists() else []
    finished = {tuple(r[k] for k in KEY) for r in done}
    for dataset in args.datasets.split(","):
        if dataset not in shared.DATASETS:
            sys.exit(f"unknown dataset '{dataset}' (known: {', '.join(shared.DATASETS)})")
        for protocol in args.protocols.split(","):
            for seed in (int(s) for s in args.split_seeds.split(",")):
                split = None
                for tool in args.tools.split(","):
                    for method in args.methods.split(","):
                        key = (dataset, protocol, str(seed), tool, method, args.preset if tool == "lgmcl" else "", str(args.epochs))
                        name = f"{dataset} {protocol} split {seed} {tool} {method}"
                        if key in finished and not args.force:
                            print(f"{name}: already in {output}, skipped", flush=True)
                            continue
                        split = split or Split(args, dataset, protocol, seed)
                        if method == "mve" and split.task_type != "regression":
                            continue
                        print(f"{name}: training ({'/'.join(str(split.counts[p]) for p in ('train', 'val', 'test'))} "
                              f"molecules, {args.epochs} epochs) — {datetime.datetime.now(datetime.timezone.utc):%H:%M:%S} UTC", flush=True)
                        rows = {"lgmcl": lgmcl, "chemprop": chemprop}[tool](args, split, method)
                        for row in rows:
                            row["finished"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                            shared.replace_row(output, FIELDS, row, lambda r: [r[k] for k in KEY] + [r["task"]])
                            print(f"{name} {row['task']}: " + ", ".join(
                                f"{m} {row.get('before_' + m) or '–'} → {row.get('after_' + m) or '–'}"
                                for m in METRICS if row.get(f"before_{m}") or row.get(f"after_{m}"))
                                + f" ({row['accuracy_metric']} {row['test_accuracy']}, {row['seconds']} s)", flush=True)


if __name__ == "__main__":
    main()
