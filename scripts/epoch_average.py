#!/usr/bin/env python3
"""Would averaging over epochs beat keeping one? Evidence for weight-averaging recipes, from a run's files.

An exponential moving average of the weights (`finetune --ema-decay`) or a snapshot ensemble costs
a new run to measure. Their function-space cousin costs nothing: the mean of the validation
predictions of several epochs, read from seed-S/predictions_val_epochs.csv. Each seed's validation
split is cut in two halves (input-row order, alternately), as scripts/epoch_selection_split_half.py
does, and every rule is scored by the metric on the half it did not choose with:

- best:   the one epoch with the best metric on the other half (what fine-tuning keeps);
- top-K:  the mean of the K epochs with the best metric on the other half;
- late:   the mean of every epoch in the run's second half (chosen on nothing).

    python3 scripts/epoch_average.py [--top K] RUN_DIR [RUN_DIR ...]

ROC-AUC: probabilities are averaged. Test molecules are never read. Standard library only.
"""
import argparse
import pathlib
import statistics

from epoch_selection_split_half import metric, read_epochs


def mean_predictions(epochs, chosen, rows):
    """Per row, per task: (label, the mean of the chosen epochs' predictions)."""
    averaged = []
    for r in rows:
        tasks = zip(*(epochs[e][r] for e in chosen))
        averaged.append([(values[0][0], statistics.fmean(p for _, p in values)) for values in tasks])
    return averaged


def ranked(epochs, rows, task_count, classification):
    """Epochs from best to worst by the metric on `rows` (earlier first among equals)."""
    scored = [(metric([epochs[e][r] for r in rows], task_count, classification), e) for e in sorted(epochs)]
    scored = [(v, e) for v, e in scored if v is not None]
    return [e for _, e in sorted(scored, key=lambda ve: (-ve[0] if classification else ve[0], ve[1]))]


def judge(path, top):
    epochs, tasks, classification = read_epochs(path)
    rows = sorted(epochs[min(epochs)])
    halves = (rows[0::2], rows[1::2])
    late = [e for e in sorted(epochs) if e > max(epochs) // 2]
    scores = {"best": [], f"top-{top}": [], "late": []}
    for chooser, scorer in ((0, 1), (1, 0)):
        order = ranked(epochs, halves[chooser], len(tasks), classification)
        for name, chosen in (("best", order[:1]), (f"top-{top}", order[:top]), ("late", late)):
            scores[name].append(metric(mean_predictions(epochs, chosen, halves[scorer]), len(tasks), classification))
    return {name: statistics.fmean(values) for name, values in scores.items()}, classification, max(epochs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--top", type=int, default=5, help="epochs the top-K rule averages (default 5)")
    parser.add_argument("runs", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    for run in args.runs:
        paths = sorted(run.glob("seed-*/predictions_val_epochs.csv"))
        if not paths:
            print(f"{run}: no seed-S/predictions_val_epochs.csv")
            continue
        for path in paths:
            scores, classification, last = judge(path, args.top)
            name = "ROC-AUC (higher is better)" if classification else "RMSE (lower is better)"
            rules = ", ".join(f"{rule} {value:.4f}" for rule, value in scores.items())
            print(f"{run} {path.parent.name} ({last} epochs): {name} on the other half: {rules}")


if __name__ == "__main__":
    main()
