#!/usr/bin/env python3
"""M3 (a) of the pretraining study (docs/pretraining-study.md): frozen graph encoders with a linear
head, pretrained against random, paired by split and subsample.

For each MoleculeNet set, each split seed and each training fraction: the balanced scaffold split
lgmcl computes (`lgmcl-dist split`), a subsample of its training molecules (numpy's
default_rng(seed), ceil(fraction · n) rows; validation and test unchanged), and on the concatenated
local and global pooled vectors (`lgmcl-dist embed --views local,global`; `--views local` for a
graph-self run, which trains the local encoder alone) the online probe's head:
StandardScaler, then Ridge(alpha) or L2 LogisticRegression(C) per task, the strength chosen by the
validation metric from the probe's grid (Sources/LGMCL/Training/OnlineProbe.swift). Test metric:
ROC-AUC averaged over tasks (tasks with one class in the test rows skipped) or RMSE. Reported per set
and fraction: each model's mean test metric, and the mean paired difference (improvement > 0: higher
ROC-AUC, lower RMSE) with its 95% interval by the paired Student t over the split seeds.

    .venv/bin/python scripts/m3_probe.py --model pretrained=study/m2-views --model random=runs/random-views \\
        --out runs/m3-views [--seeds 0,1,2,3,4] [--fractions 0.1,1] [--datasets bbbp,bace,esol,freesolv,tox21] [--views local,global]

The first --model is compared against the second. Needs lgmcl-dist (LGMCL_BIN, default
.build/release/lgmcl-dist) and .venv (numpy, scipy, scikit-learn, h5py). Writes OUT/m3.json and
OUT/m3.md; embeddings and splits are kept in OUT and reused.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import warnings

import h5py
import numpy as np
from scipy import stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RIDGE = [0.01, 0.1, 1, 10, 100, 1000]
LOGISTIC = [0.001, 0.01, 0.1, 1, 10, 100]


def run(args):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)


def labels_of(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    tasks = [c for c in rows[0].keys() if c != "smiles"]
    y = np.array([[float(r[t]) if r[t] not in ("", None) else np.nan for t in tasks] for r in rows])
    return tasks, y


def split_of(binary, csv_path, seed, out):
    if not os.path.exists(out):
        run([binary, "split", "--input", csv_path, "--output", out, "--split", "scaffold", "--seed", str(seed)])
    with open(out, newline="") as f:
        return np.array([r["split"] for r in csv.DictReader(f)])


def embeddings_of(binary, model, csv_path, out, rows, views):
    if not os.path.exists(out):
        run([binary, "embed", "--model", model, "--input", csv_path, "--output", out, "--views", ",".join(views)])
    with h5py.File(out) as f:
        x = np.concatenate([f["embeddings/" + v][:] for v in views], axis=1).astype(np.float64)
        source = f["source_row"][:]
    features = np.full((rows, x.shape[1]), np.nan)
    features[source] = x
    return features


def metric(kind, y, p):
    if kind == "classification":
        values = [roc_auc_score(y[:, t][~np.isnan(y[:, t])], p[:, t][~np.isnan(y[:, t])])
                  for t in range(y.shape[1]) if len(set(y[:, t][~np.isnan(y[:, t])])) == 2]
        return float(np.mean(values)) if values else math.nan
    present = ~np.isnan(y)
    return float(np.sqrt(np.mean((y[present] - p[present]) ** 2)))


def fit_and_score(kind, x, y, train, val, test):
    """Per task: the head whose validation metric is best; the test metric of all tasks together."""
    better = (lambda a, b: a > b) if kind == "classification" else (lambda a, b: a < b)
    val_p = np.full((len(val), y.shape[1]), np.nan)
    test_p = np.full((len(test), y.shape[1]), np.nan)
    for t in range(y.shape[1]):
        rows = train[~np.isnan(y[train, t])]
        if len(rows) < 2 or len(set(y[rows, t])) < 2:
            continue
        scaler = StandardScaler().fit(x[rows])
        best = None
        for strength in (LOGISTIC if kind == "classification" else RIDGE):
            if kind == "classification":
                head = LogisticRegression(C=strength, tol=1e-10, max_iter=20000).fit(scaler.transform(x[rows]), y[rows, t])
                predict = lambda z, h=head: h.predict_proba(scaler.transform(z))[:, 1]
            else:
                head = Ridge(alpha=strength).fit(scaler.transform(x[rows]), y[rows, t])
                predict = lambda z, h=head: h.predict(scaler.transform(z))
            v = metric(kind, y[val][:, [t]], predict(x[val])[:, None])
            if best is None or (not math.isnan(v) and (math.isnan(best[0]) or better(v, best[0]))):
                best = (v, predict)
        val_p[:, t] = best[1](x[val])
        test_p[:, t] = best[1](x[test])
    return metric(kind, y[test], test_p)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append", required=True, help="NAME=DIR; the first is compared against the second")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--fractions", default="0.1,1")
    parser.add_argument("--datasets", default="bbbp,bace,esol,freesolv,tox21")
    parser.add_argument("--views", default="local,global",
                        help="pooled vectors concatenated; local alone for graph-self runs, which train no global encoder")
    args = parser.parse_args()
    binary = os.environ.get("LGMCL_BIN", os.path.join(ROOT, ".build/release/lgmcl-dist"))
    models = [m.split("=", 1) for m in args.model]
    assert len(models) == 2, "two --model NAME=DIR: the pretrained one first, its baseline second"
    seeds = [int(s) for s in args.seeds.split(",")]
    fractions = [float(f) for f in args.fractions.split(",")]
    os.makedirs(os.path.join(args.out, "splits"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "embeddings"), exist_ok=True)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    results = []
    for name in args.datasets.split(","):
        path = os.path.join(ROOT, "data/moleculenet", name + ".csv")
        tasks, y = labels_of(path)
        present = y[~np.isnan(y)]
        kind = "classification" if set(np.unique(present)) <= {0.0, 1.0} else "regression"
        features = {m: embeddings_of(binary, d, path, os.path.join(args.out, "embeddings", f"{m}-{name}.h5"), len(y),
                                   args.views.split(","))
                    for m, d in models}
        for fraction in fractions:
            scores = {m: [] for m, _ in models}
            for seed in seeds:
                split = split_of(binary, path, seed, os.path.join(args.out, "splits", f"{name}-{seed}.csv"))
                train, val, test = (np.flatnonzero(split == s) for s in ("train", "val", "test"))
                if fraction < 1:
                    keep = math.ceil(fraction * len(train))
                    train = np.sort(np.random.default_rng(seed).choice(train, size=keep, replace=False))
                for m, _ in models:
                    scores[m].append(fit_and_score(kind, features[m], y, train, val, test))
            a, b = (np.array(scores[m]) for m, _ in models)
            improvement = (a - b) if kind == "classification" else (b - a)
            n = len(improvement)
            half = stats.t.ppf(0.975, n - 1) * improvement.std(ddof=1) / math.sqrt(n) if n > 1 else math.nan
            results.append(dict(dataset=name, kind=kind, metric="roc_auc" if kind == "classification" else "rmse",
                                fraction=fraction, seeds=seeds, scores={m: scores[m] for m, _ in models},
                                improvement=float(improvement.mean()), interval=[float(improvement.mean() - half),
                                                                                 float(improvement.mean() + half)]))
            print(f"{name} {fraction:g}: {results[-1]['improvement']:+.4f} [{results[-1]['interval'][0]:+.4f}, "
                  f"{results[-1]['interval'][1]:+.4f}]", flush=True)

    (first, _), (second, _) = models
    with open(os.path.join(args.out, "m3.json"), "w") as f:
        json.dump(dict(models=dict(models), views=args.views, results=results), f, indent=1)
    lines = [f"| set | metric | training labels | {first} | {second} | improvement (95% interval, paired t over {len(seeds)} splits) | above zero |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        mean = lambda m: f"{np.mean(r['scores'][m]):.3f} ± {np.std(r['scores'][m], ddof=1):.3f}"
        lines.append(f"| {r['dataset']} | {r['metric']} | {r['fraction']:.0%} | {mean(first)} | {mean(second)} | "
                     f"{r['improvement']:+.3f} ({r['interval'][0]:+.3f} to {r['interval'][1]:+.3f}) | "
                     f"{'yes' if r['interval'][0] > 0 else 'no'} |")
    with open(os.path.join(args.out, "m3.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
