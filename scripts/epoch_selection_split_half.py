#!/usr/bin/env python3
"""Judge the two rules `finetune --select-by` offers on validation molecules they did not pick with.

A rule that picks the kept epoch by the validation metric maximises that metric by construction,
so the validation metric cannot compare it with picking by the validation loss. Here each seed's
validation split is cut in two halves (its molecules in input-row order, alternately); each rule
picks its epoch on one half and is scored by the metric on the other, and the other way round;
a rule's score is the mean of the two. Test molecules are never read.

    python3 scripts/epoch_selection_split_half.py RUN_DIR [RUN_DIR ...]

RUN_DIR: a `lgmcl-dist finetune` output (or a benchmark's runs/<set>/<split>/<cell> directory)
whose seed-S/ directories hold predictions_val_epochs.csv. The loss is the training loss: binary
cross-entropy of the probabilities, or the squared error on targets standardized with the seed's
target_scaling.json. The metric: ROC-AUC (mean over tasks with both classes in the half) or RMSE
(mean over tasks). Prints one line per seed and the mean per run; standard library only.
"""
import csv
import json
import math
import pathlib
import statistics
import sys


def roc_auc(labels, scores):
    """The Mann-Whitney statistic: P(score of a positive > score of a negative), ties counting half."""
    ranked = sorted(zip(scores, labels))
    ranks = [0.0] * len(ranked)
    i = 0
    while i < len(ranked):
        j = i
        while j + 1 < len(ranked) and ranked[j + 1][0] == ranked[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(1 for _, y in ranked if y == 1)
    negatives = len(ranked) - positives
    if positives == 0 or negatives == 0:
        return None
    rank_sum = sum(r for r, (_, y) in zip(ranks, ranked) if y == 1)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def read_epochs(path):
    """{epoch: {row: [(label or None, prediction) per task]}}, the task names, and whether they are probabilities."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames
        predicted = [c for c in columns if c.endswith("_probability") or c.endswith("_prediction")]
        classification = predicted[0].endswith("_probability")
        tasks = [c.rsplit("_", 1)[0] for c in predicted]
        epochs = {}
        for line in reader:
            values = [(float(line[t]) if line[t] != "" else None, float(line[p])) for t, p in zip(tasks, predicted)]
            epochs.setdefault(int(line["epoch"]), {})[int(line["row"])] = values
    return epochs, tasks, classification


def metric(molecules, task_count, classification):
    """Mean over tasks of ROC-AUC (tasks with both classes) or RMSE; None when no task counts."""
    per_task = []
    for t in range(task_count):
        pairs = [m[t] for m in molecules if m[t][0] is not None]
        if classification:
            value = roc_auc([y for y, _ in pairs], [p for _, p in pairs])
        else:
            value = math.sqrt(statistics.fmean((y - p) ** 2 for y, p in pairs)) if pairs else None
        if value is not None:
            per_task.append(value)
    return statistics.fmean(per_task) if per_task else None


def loss(molecules, task_count, classification, stds):
    terms = []
    for m in molecules:
        for t in range(task_count):
            y, p = m[t]
            if y is None:
                continue
            if classification:
                p = min(max(p, 1e-7), 1 - 1e-7)
                terms.append(-(y * math.log(p) + (1 - y) * math.log(1 - p)))
            else:
                terms.append(((y - p) / stds[t]) ** 2)
    return statistics.fmean(terms) if terms else None


def pick(epochs, rows, rule, task_count, classification, stds):
    """The epoch the rule keeps on `rows` (the first of equals, as finetune keeps it)."""
    best = None
    for epoch in sorted(epochs):
        molecules = [epochs[epoch][r] for r in rows]
        if rule == "metric":
            value = metric(molecules, task_count, classification)
            better = value is not None and (best is None or (value > best[1] if classification else value < best[1]))
        else:
            value = loss(molecules, task_count, classification, stds)
            better = value is not None and (best is None or value < best[1])
        if better:
            best = (epoch, value)
    return best[0] if best else None


def judge(seed_dir):
    epochs, tasks, classification = read_epochs(seed_dir / "predictions_val_epochs.csv")
    scaling = seed_dir / "target_scaling.json"
    stds = json.loads(scaling.read_text())["stds"] if scaling.exists() else [1.0] * len(tasks)
    rows = sorted(epochs[min(epochs)])
    halves = (rows[0::2], rows[1::2])
    scores = {}
    for rule in ("metric", "loss"):
        values = []
        for chooser, scorer in ((0, 1), (1, 0)):
            epoch = pick(epochs, halves[chooser], rule, len(tasks), classification, stds)
            values.append(metric([epochs[epoch][r] for r in halves[scorer]], len(tasks), classification))
        scores[rule] = statistics.fmean(values)
    scores["whole"] = {rule: pick(epochs, rows, rule, len(tasks), classification, stds) for rule in ("metric", "loss")}
    return scores, classification


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for run in map(pathlib.Path, sys.argv[1:]):
        seeds = sorted(run.glob("seed-*/predictions_val_epochs.csv"))
        if not seeds:
            print(f"{run}: no seed-S/predictions_val_epochs.csv (written by builds from 05df847 on)")
            continue
        results = []
        for path in seeds:
            scores, classification = judge(path.parent)
            name = "ROC-AUC (higher is better)" if classification else "RMSE (lower is better)"
            print(f"{run} {path.parent.name}: {name} on the other half, picked by the metric {scores['metric']:.4f}, "
                  f"by the loss {scores['loss']:.4f}; on the whole split the metric keeps epoch {scores['whole']['metric']}, "
                  f"the loss epoch {scores['whole']['loss']}")
            results.append(scores)
        print(f"{run}: mean over {len(results)} seed(s): by the metric {statistics.fmean(r['metric'] for r in results):.4f}, "
              f"by the loss {statistics.fmean(r['loss'] for r in results):.4f}")


if __name__ == "__main__":
    main()
