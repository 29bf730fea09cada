#!/usr/bin/env python3
"""Linear probe of encoder embeddings: does pretraining put property information into them?

Fine-tuning with the paper's gated fusion lets the encoders reach the prediction only through two
gates (docs/results.md), so it hardly measures what pretraining taught them. This probe does: for
each dataset and split seed it fits a linear model (scikit-learn: L2 logistic regression per task,
or ridge regression) on the embeddings `lgmcl-dist embed` wrote for two encoder sets, the pretrained
ones and the same architecture at its initialisation, choosing the L2 strength on the validation
split and scoring the test split the way lgmcl scores fine-tuning (run_chemprop.evaluate).

The splits are those of `finetune --split P --seeds S` (written by `lgmcl-dist split`), so the
scores sit beside the fine-tuning and chemprop columns of docs/results.md.

    lgmcl-dist embed --model pretrained-small --input bbbp.csv --output emb/bbbp-pretrained.csv
    lgmcl-dist embed --model random-small --input bbbp.csv --output emb/bbbp-random.csv
    .venv/bin/python scripts/probe_embeddings.py --embeddings emb --encoders pretrained,random \\
        --datasets bbbp --seeds 0,1,2 --output docs/benchmarks/probe-small.csv

Embedding files are `<dir>/<dataset>-<encoders>.csv` (one row per input row, as embed writes them).
"""
import argparse
import csv
import functools
import math
import pathlib
import sys
import tempfile
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import mean_squared_error, roc_auc_score
from sklearn.preprocessing import StandardScaler

from run_chemprop import ROOT, evaluate, label, lgmcl_split, read_csv, split_digest, task_type_of

VIEW_SETS = {"all": ("local", "global", "smiles", "text"), "graph": ("local", "global"), "text": ("smiles", "text")}
STRENGTHS = [1e-3, 1e-2, 1e-1, 1.0, 10.0]  # C of logistic regression; 1/alpha of ridge
FIELDS = ["dataset", "protocol", "seed", "encoders", "views", "metric", "test_value", "val_value",
          "per_task_strength", "train", "val", "test", "features", "split_sha"]


@functools.lru_cache(maxsize=None)
def embeddings(path):
    """(SMILES per input row, view of each column, values): read once for every seed and view set."""
    header, rows = read_csv(path)
    columns = [c for c in header if "_" in c and c.rsplit("_", 1)[1].isdigit()]
    matrix = np.array([[float(r[c]) if r[c] else math.nan for c in columns] for r in rows])
    return [r["smiles"] for r in rows], np.array([c.rsplit("_", 1)[0] for c in columns]), matrix


def embedding_matrix(path, views, expected_smiles):
    smiles, column_views, matrix = embeddings(path)
    if smiles != expected_smiles:
        sys.exit(f"{path}: rows differ from the dataset's (embed writes one row per input row, in order)")
    chosen = np.isin(column_views, views)
    if not chosen.any():
        sys.exit(f"{path}: no columns of the views {views}")
    return matrix[:, chosen]


def fit_task(task_type, x_train, y_train, x_val, y_val, x_test):
    """Best L2 strength on val; returns (val score, test outputs, strength)."""
    best = None
    for strength in STRENGTHS:
        if task_type == "classification":
            model = LogisticRegression(C=strength, max_iter=3000).fit(x_train, y_train)
            val_out = model.predict_proba(x_val)[:, 1]
            score = roc_auc_score(y_val, val_out) if len(set(y_val.tolist())) == 2 else -math.inf
            better = best is None or score > best[0]
            test_out = model.predict_proba(x_test)[:, 1]
        else:
            model = Ridge(alpha=1.0 / strength).fit(x_train, y_train)
            score = math.sqrt(mean_squared_error(y_val, model.predict(x_val)))
            better = best is None or score < best[0]
            test_out = model.predict(x_test)
        if better:
            best = (score, test_out, strength)
    return best


def probe(args, dataset, protocol, seed, work):
    rows, tasks = lgmcl_split(args, dataset, protocol, seed, work)
    labels = np.array([[label(r[t]) for t in tasks] for r in rows])
    task_type = task_type_of(labels)
    split = np.array([r["split"] for r in rows])
    parts = {p: split == p for p in ("train", "val", "test")}
    y = {p: labels[m] for p, m in parts.items()}
    smiles = [r["smiles"] for r in rows]
    results = []
    for encoders in args.encoders:
        for view_set in args.views:
            x = embedding_matrix(pathlib.Path(args.embeddings) / f"{dataset}-{encoders}.csv", VIEW_SETS[view_set], smiles)
            scaler = StandardScaler().fit(x[parts["train"]])
            z = {p: scaler.transform(x[m]) for p, m in parts.items()}
            test_out = np.full(y["test"].shape, math.nan)
            val_scores, strengths = [], []
            for t in range(len(tasks)):
                have = {p: ~np.isnan(y[p][:, t]) for p in parts}
                if task_type == "classification" and len(set(y["train"][have["train"], t].tolist())) < 2:
                    strengths.append("skipped")
                    continue
                val_score, out, strength = fit_task(task_type, z["train"][have["train"]], y["train"][have["train"], t],
                                                    z["val"][have["val"]], y["val"][have["val"], t], z["test"])
                test_out[:, t] = out
                if math.isfinite(val_score):
                    val_scores.append(val_score)
                strengths.append(f"{strength:g}")
            test_mean, _, _ = evaluate(task_type, y["test"], test_out, tasks)
            results.append({
                "dataset": dataset, "protocol": protocol, "seed": seed, "encoders": encoders, "views": view_set,
                "metric": "roc_auc" if task_type == "classification" else "rmse",
                "test_value": f"{test_mean:.6f}", "val_value": f"{np.mean(val_scores):.6f}",
                "per_task_strength": ";".join(strengths), "train": int(parts["train"].sum()),
                "val": int(parts["val"].sum()), "test": int(parts["test"].sum()), "features": x.shape[1],
                "split_sha": split_digest(rows),
            })
            print(f"{dataset} {protocol} seed {seed} {encoders:>10} {view_set:>5}: test {results[-1]['metric']} {test_mean:.4f}", flush=True)
    return results


def summary(rows):
    """Markdown: mean ± population std over seeds, one row per dataset and view set."""
    encoders = list(dict.fromkeys(r["encoders"] for r in rows))
    lines = ["| dataset | metric | views | " + " | ".join(encoders) + " |", "|---|---|---|" + "---|" * len(encoders)]
    for key in dict.fromkeys((r["dataset"], r["protocol"], r["views"]) for r in rows):
        cells = []
        for e in encoders:
            values = [float(r["test_value"]) for r in rows if (r["dataset"], r["protocol"], r["views"]) == key and r["encoders"] == e]
            cells.append(f"{np.mean(values):.3f} ± {np.std(values):.3f} ({len(values)})" if values else "—")
        metric = next(r["metric"] for r in rows if (r["dataset"], r["protocol"], r["views"]) == key)
        lines.append(f"| {key[0]} ({key[1]}) | {metric} | {key[2]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embeddings", required=True, help="directory of <dataset>-<encoders>.csv from lgmcl-dist embed")
    parser.add_argument("--encoders", default="pretrained,random", type=lambda s: s.split(","))
    parser.add_argument("--views", default="all,graph,text", type=lambda s: s.split(","))
    parser.add_argument("--datasets", default="bbbp,bace,tox21,esol,freesolv", type=lambda s: s.split(","))
    parser.add_argument("--protocols", default="scaffold", type=lambda s: s.split(","))
    parser.add_argument("--seeds", default="0,1,2", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--data-dir", default=str(ROOT / "data" / "moleculenet"))
    parser.add_argument("--lgmcl", default=str(ROOT / ".build" / "release" / "lgmcl-dist"))
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks" / "probe-small.csv"))
    args = parser.parse_args()
    unknown = [v for v in args.views if v not in VIEW_SETS]
    if unknown:
        sys.exit(f"--views: unknown {unknown}; choose from {list(VIEW_SETS)}")
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for dataset in args.datasets:
            for protocol in args.protocols:
                for seed in args.seeds:
                    rows += probe(args, dataset, protocol, seed, pathlib.Path(tmp))
    output = pathlib.Path(args.output)
    partial = output.with_name("." + output.name + ".partial")
    with open(partial, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    partial.rename(output)
    print(summary(rows))


if __name__ == "__main__":
    main()
