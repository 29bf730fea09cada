#!/usr/bin/env python3
"""Oracle fixtures for lgmcl's evaluation code (Tests/LGMCLTests/Finetune/MetricTests.swift).

Writes Tests/LGMCLTests/Fixtures/finetune/metrics.json with
- roc_auc: single tasks scored by sklearn.metrics.roc_auc_score (random scores, heavily tied
  scores, perfect and reversed rankings, all scores equal);
- tasks: multi-task label matrices with missing labels (NaN, written as null) and tasks with one
  class or no labels, with sklearn's per-task ROC-AUC over labelled molecules (null = undefined),
  RMSE (sqrt of mean_squared_error) and MAE per task;
- scaler: StandardScaler fitted on training rows (NaN ignored), population std;
- bce: PyTorch's binary_cross_entropy_with_logits summed over present labels, and the gradient of
  the mean over present labels w.r.t. the logits.

Run in the worktree's venv (`make venv`): .venv/bin/python scripts/make_metric_fixtures.py
"""
import json
import math
import pathlib

import numpy as np
import torch
from sklearn.metrics import mean_absolute_error, mean_squared_error, roc_auc_score
from sklearn.preprocessing import StandardScaler

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/LGMCLTests/Fixtures/finetune/metrics.json"
rng = np.random.default_rng(20261126)


def nan_to_none(values):
    return [None if (isinstance(v, float) and math.isnan(v)) else v for v in values]


def roc_cases():
    cases = []
    for n, decimals in [(7, None), (50, None), (200, 1), (300, 2), (40, 0)]:
        labels = rng.integers(0, 2, size=n)
        labels[0], labels[1] = 0, 1
        scores = rng.random(n)
        if decimals is not None:
            scores = np.round(scores * (3 if decimals == 0 else 1), decimals)
        cases.append({"scores": scores.tolist(), "labels": labels.tolist(),
                      "auc": roc_auc_score(labels, scores)})
    labels = np.array([0, 0, 1, 1, 0, 1])
    for scores in [labels * 0.9 + 0.05, 1 - labels, np.full(6, 0.5), np.array([0.1, 0.4, 0.35, 0.8, 0.8, 0.8])]:
        cases.append({"scores": scores.astype(float).tolist(), "labels": labels.tolist(),
                      "auc": roc_auc_score(labels, scores)})
    return cases


def task_cases():
    cases = []
    n, tasks = 60, 5
    labels = rng.integers(0, 2, size=(n, tasks)).astype(float)
    labels[rng.random((n, tasks)) < 0.3] = np.nan        # missing labels
    labels[:, 2] = np.where(np.isnan(labels[:, 2]), np.nan, 1.0)  # one class present
    labels[:, 4] = np.nan                                 # no label at all
    scores = np.round(rng.random((n, tasks)), 1)           # ties
    values = rng.normal(size=(n, tasks)) * 2 + 1
    targets = rng.normal(size=(n, tasks)) * 2 + 1
    targets[rng.random((n, tasks)) < 0.25] = np.nan
    targets[:, 4] = np.nan
    auc, rmse, mae = [], [], []
    for t in range(tasks):
        present = ~np.isnan(labels[:, t])
        y = labels[present, t]
        auc.append(roc_auc_score(y, scores[present, t]) if len(set(y.tolist())) == 2 else None)
        present = ~np.isnan(targets[:, t])
        if present.any():
            rmse.append(math.sqrt(mean_squared_error(targets[present, t], values[present, t])))
            mae.append(mean_absolute_error(targets[present, t], values[present, t]))
        else:
            rmse.append(None)
            mae.append(None)
    cases.append({
        "rows": n, "tasks": tasks,
        "labels": nan_to_none(labels.flatten().tolist()),
        "scores": scores.flatten().tolist(),
        "auc": auc,
        "targets": nan_to_none(targets.flatten().tolist()),
        "values": values.flatten().tolist(),
        "rmse": rmse, "mae": mae,
    })
    return cases


def scaler_case():
    n, tasks = 40, 3
    y = rng.normal(size=(n, tasks)) * np.array([1.0, 10.0, 0.1]) + np.array([0.0, -5.0, 3.0])
    y[rng.random((n, tasks)) < 0.2] = np.nan
    train = sorted(rng.choice(n, size=25, replace=False).tolist())
    scaler = StandardScaler().fit(y[train])
    return {"rows": n, "tasks": tasks, "labels": nan_to_none(y.flatten().tolist()), "train": train,
            "means": scaler.mean_.tolist(), "stds": scaler.scale_.tolist()}


def bce_case():
    logits = torch.tensor(rng.normal(size=24) * 4, dtype=torch.float64, requires_grad=True)
    labels = torch.tensor(rng.integers(0, 2, size=24), dtype=torch.float64)
    labels[torch.tensor(rng.random(24) < 0.3)] = float("nan")
    present = ~torch.isnan(labels)
    total = torch.nn.functional.binary_cross_entropy_with_logits(logits[present], labels[present], reduction="sum")
    (total / present.sum()).backward()
    return {"logits": logits.detach().tolist(), "labels": nan_to_none(labels.tolist()),
            "sum": total.item(), "count": int(present.sum()), "gradient_of_mean": logits.grad.tolist()}


fixtures = {"generator": "scripts/make_metric_fixtures.py",
            "sklearn": __import__("sklearn").__version__, "torch": torch.__version__,
            "roc_auc": roc_cases(), "tasks": task_cases(), "scaler": scaler_case(), "bce": bce_case()}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(fixtures, indent=1) + "\n")
print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
