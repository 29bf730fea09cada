#!/usr/bin/env python3
"""How much the fingerprints alone predict, and what lgmcl's fusion chain does to them.

Reads the MACCS ‖ PubChem ‖ ErG rows (1489 values) and labels of an lgmcl HDF5 dataset (the
data.h5 that finetune or benchmark writes) and a split file (the `split` column, train/val/test,
indexed by the dataset's source_row), and fits one of:

  rf                   a random forest per task (300 trees, scikit-learn defaults)
  mlp                  Dropout–Linear(1489, 256)–ReLU–Dropout–Linear(256, 128)–ReLU–Linear(128, tasks)
  chain-gated          lgmcl's fusion chain with the encoders replaced by fixed random vectors:
                       FP = FPN(x); head([CA(q1, FP) ‖ CA(q2, FP)]), CA the paper's gated
                       cross-attention (docs/models.md), head the authors' MLP
  chain-residual       head([q1 + CA(q1, FP) ‖ q2 + CA(q2, FP)])
  chain-plain          head([FP ‖ FP]) (the same layers without the gates)
  chain-skip           head([CA(q1, FP) ‖ CA(q2, FP) ‖ FP])
  chain-residual-skip  head([q1 + CA(q1, FP) ‖ q2 + CA(q2, FP) ‖ FP])

The networks train as lgmcl's paper recipe does: Adam at 1e-3, weight decay 1e-3 (PyTorch's
coupled L2), batch 64, masked BCE over the present labels, one thread. It prints the validation
ROC-AUC (mean over tasks) per epoch, and at the best validation epoch the train/val/test means and
one task's val/test. Classification sets only.

  .venv/bin/python scripts/fingerprint_probe.py runs/bench50/runs/tox21/scaffold/<run>/data.h5 \\
      runs/bench50/splits/tox21_scaffold_0.csv --model chain-gated --epochs 15
"""
import argparse

import h5py
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score


def load(data, split_file):
    with h5py.File(data, "r") as f:
        x = np.hstack([f["fingerprints/maccs"][:], f["fingerprints/pubchem"][:], f["fingerprints/erg"][:]]).astype(np.float32)
        labels = f["labels"][:]
        source_rows = f["source_row"][:]
    split = pd.read_csv(split_file)
    part = split["split"].values[source_rows]
    tasks = [c for c in split.columns if c not in ("smiles", "split", "error")][: labels.shape[1]]
    return x, labels, part, tasks


def task_aucs(labels, probabilities, rows):
    out = []
    for t in range(labels.shape[1]):
        y, p = labels[rows, t], probabilities[rows, t]
        present = ~np.isnan(y)
        out.append(roc_auc_score(y[present], p[present]))
    return np.array(out)


class GatedCrossAttention(nn.Module):
    """CA(q, kv) = W_o(σ(⟨W_q q, W_k kv⟩ / √d) · W_v kv), as lgmcl's GatedCrossAttention."""

    def __init__(self, width):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(width, width) for _ in range(4))

    def forward(self, q, kv):
        gate = torch.sigmoid((self.q(q) * self.k(kv)).sum(1, keepdim=True) / self.q.out_features ** 0.5)
        return self.o(gate * self.v(kv))


class Chain(nn.Module):
    def __init__(self, kind, features, tasks, width=128):
        super().__init__()
        self.kind = kind
        self.fingerprints = nn.Sequential(nn.Linear(features, 256), nn.Dropout(0.1), nn.ReLU(), nn.Linear(256, width))
        self.graph, self.text = GatedCrossAttention(width), GatedCrossAttention(width)
        n = 2 * width + (width if kind.endswith("skip") else 0)
        self.head = nn.Sequential(nn.Dropout(0.05), nn.Linear(n, n), nn.ReLU(), nn.Dropout(0.05), nn.Linear(n, tasks))

    def forward(self, x, q):
        fp = self.fingerprints(x)
        if self.kind == "chain-plain":
            views = [fp, fp]
        else:
            views = [self.graph(q[:, 0], fp), self.text(q[:, 1], fp)]
            if self.kind.startswith("chain-residual"):
                views = [q[:, 0] + views[0], q[:, 1] + views[1]]
        if self.kind.endswith("skip"):
            views.append(fp)
        return self.head(torch.cat(views, 1))


def mlp(features, tasks, dropout):
    return nn.Sequential(nn.Dropout(dropout), nn.Linear(features, 256), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, tasks))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data")
    parser.add_argument("split_file")
    parser.add_argument("--model", default="rf",
                        choices=["rf", "mlp", "chain-gated", "chain-residual", "chain-plain", "chain-skip", "chain-residual-skip"])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--weight-decay", type=float, default=1e-3)
    parser.add_argument("--dropout", type=float, default=0.1, help="mlp: the dropout of its input and hidden layer")
    parser.add_argument("--task", default="NR-AhR", help="the task reported beside the mean")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    x, labels, part, tasks = load(args.data, args.split_file)
    train, val, test = (np.where(part == p)[0] for p in ("train", "val", "test"))
    focus = tasks.index(args.task)
    print(f"{args.data}: {len(train)} train, {len(val)} val, {len(test)} test; model {args.model}, seed {args.seed}")

    if args.model == "rf":
        probabilities = np.zeros_like(labels)
        for t in range(len(tasks)):
            rows = train[~np.isnan(labels[train, t])]
            forest = RandomForestClassifier(n_estimators=300, n_jobs=1, random_state=args.seed).fit(x[rows], labels[rows, t])
            probabilities[:, t] = forest.predict_proba(x)[:, 1]
        best = (0, probabilities)
    else:
        torch.set_num_threads(1)
        torch.manual_seed(args.seed)
        # Stand-ins for G and T: one fixed random vector per molecule and view, as frozen encoders give.
        views = torch.randn(len(x), 2, 128) * 0.5
        net = mlp(x.shape[1], len(tasks), args.dropout) if args.model == "mlp" else Chain(args.model, x.shape[1], len(tasks))
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=args.weight_decay)
        inputs, targets = torch.tensor(x), torch.tensor(labels)
        run = lambda rows: net(inputs[rows]) if args.model == "mlp" else net(inputs[rows], views[rows])
        order, rng, best, curve = train.copy(), np.random.default_rng(args.seed), None, []
        for epoch in range(args.epochs):
            net.train()
            rng.shuffle(order)
            for start in range(0, len(order), 64):
                rows = order[start:start + 64]
                y = targets[rows]
                present = ~torch.isnan(y)
                loss = nn.functional.binary_cross_entropy_with_logits(run(rows)[present], y[present])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            net.eval()
            with torch.no_grad():
                probabilities = torch.sigmoid(run(np.arange(len(x)))).numpy()
            curve.append(task_aucs(labels, probabilities, val).mean())
            if best is None or curve[-1] > curve[best[0]]:
                best = (epoch, probabilities)
        print("val ROC-AUC by epoch:", " ".join(f"{v:.3f}" for v in curve))
    epoch, probabilities = best
    scores = {name: task_aucs(labels, probabilities, rows) for name, rows in (("train", train), ("val", val), ("test", test))}
    print(f"best epoch {epoch + 1}: train {scores['train'].mean():.3f}, val {scores['val'].mean():.3f}, "
          f"test {scores['test'].mean():.3f}; {args.task} val {scores['val'][focus]:.3f}, test {scores['test'][focus]:.3f}")


if __name__ == "__main__":
    main()
