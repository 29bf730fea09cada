#!/usr/bin/env python3
"""The shortcut measurements of the pretraining study (docs/pretraining-study.md, M2): can the
graph stage's retrieval be won from atom composition alone, and what do the encoders' embeddings
encode — composition, or topology?

    .venv/bin/python scripts/shortcut_study.py --data diag.h5 --targets targets.csv \\
        --run random random.h5 random/graph.safetensors --run step-10000 s10k.h5 s10k/graph.safetensors

--data: the molecules, preprocessed by lgmcl (their atom features); --targets: the output of
scripts/shortcut_targets.py for the same molecules in the same order; each --run: a name, the
`lgmcl-dist embed --views local,global` output (.h5) of an encoder, and the safetensors file holding
its graph projection head (graph.safetensors, or a checkpoint's model.safetensors).

1. Composition alone. The molecules are cut into consecutive batches of --batch (128, the global
   batch); a molecule's composition vector is its mean atom-feature row (what mean pooling of
   untrained, per-atom encoders would carry). Reported: the fraction whose vector is unique in
   the batch, the top-1 retrieval of an oracle matching that vector (ties broken uniformly at
   random: 1/k for a group of k), and each run's local-to-global top-1 on the projected vectors
   (cosine, as NT-Xent compares them), split by unique and not unique.
2. What the embeddings encode: ridge R^2, 5-fold cross-validated, the strength chosen inside each
   training fold, from features to targets, averaged per group of targets (composition;
   topology: ring fusion, Wiener index and its per-pair mean, ECFP bits). Features: the
   composition vector with log(heavy atoms) (the baseline any encoder can match without
   bonds), and each run's local, global and concatenated pooled vectors.
"""
import argparse
import csv
import json
import sys

import h5py
import numpy as np
from safetensors.numpy import load_file
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

COMPOSITION = ["n_heavy", "n_C", "n_N", "n_O", "n_S", "n_F", "n_Cl", "n_Br", "n_aromatic", "n_hydrogens"]
TOPOLOGY = ["fused_ring_pairs", "wiener_index", "wiener_per_pair"]


def composition_vectors(path):
    with h5py.File(path, "r") as f:
        offsets = f["graph/atom_offsets"][:]
        atoms = f["graph/atom_features"][:]
        smiles = [s.decode() if isinstance(s, bytes) else s for s in f["smiles"][:]]
    sums = np.add.reduceat(atoms.astype(np.float64), offsets[:-1], axis=0)
    counts = np.diff(offsets).astype(np.float64)
    return sums / counts[:, None], counts, smiles


def project(pooled, weights):
    """The graph projection head without dropout: Linear, then ReLU and Linear for each further
    layer (state-dict indices 0, 3, 6, ...)."""
    layers = sorted({int(k.split(".")[1]) for k in weights if k.startswith("projection_head.")})
    if not layers:
        sys.exit("no projection_head.* tensors in the weights file")
    x = pooled.astype(np.float64)
    for i, layer in enumerate(layers):
        if i > 0:
            x = np.maximum(x, 0)
        w = weights[f"projection_head.{layer}.weight"].astype(np.float64)
        b = weights[f"projection_head.{layer}.bias"].astype(np.float64)
        x = x @ w.T + b
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def batches(n, size):
    return [np.arange(start, min(start + size, n)) for start in range(0, n, size)]


def composition_retrieval(vectors, size):
    """Per molecule: unique in its batch, and the oracle's expected top-1 (1/k for k equal vectors)."""
    keys = np.round(vectors, 6)
    unique = np.zeros(len(vectors), bool)
    oracle = np.zeros(len(vectors))
    for batch in batches(len(vectors), size):
        _, inverse, counts = np.unique(keys[batch], axis=0, return_inverse=True, return_counts=True)
        k = counts[inverse.reshape(-1)]
        unique[batch] = k == 1
        oracle[batch] = 1 / k
    return unique, oracle


def model_retrieval(local, global_, size):
    correct = np.zeros(len(local), bool)
    for batch in batches(len(local), size):
        similarity = local[batch] @ global_[batch].T
        correct[batch] = similarity.argmax(axis=1) == np.arange(len(batch))
    return correct


def r2(features, targets, folds=5):
    """Cross-validated R^2 of a standardized ridge per target column, alpha chosen per target by
    RidgeCV's leave-one-out criterion inside each training fold (all targets in one fit)."""
    model = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 4, 15), alpha_per_target=True))
    predicted = cross_val_predict(model, features, targets, cv=KFold(folds, shuffle=True, random_state=0))
    predicted = predicted.reshape(targets.shape)
    residual = np.sum((targets - predicted) ** 2, axis=0)
    total = np.sum((targets - targets.mean(axis=0)) ** 2, axis=0)
    return np.where(total > 0, 1 - residual / np.where(total > 0, total, 1), np.nan)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--targets", required=True)
    parser.add_argument("--run", nargs=3, action="append", default=[], metavar=("NAME", "EMBEDDINGS", "WEIGHTS"))
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--json", help="also write the numbers here")
    args = parser.parse_args()

    vectors, atom_counts, smiles = composition_vectors(args.data)
    with open(args.targets, newline="") as f:
        rows = list(csv.DictReader(f))
    if [r["smiles"] for r in rows] != smiles:
        sys.exit(f"{args.targets}: its molecules are not those of {args.data} in the same order")
    ecfp = [c for c in rows[0] if c.startswith("ecfp_")]
    targets = {c: np.array([float(r[c]) for r in rows]) for c in COMPOSITION + TOPOLOGY + ecfp}

    unique, oracle = composition_retrieval(vectors, args.batch)
    result = {"molecules": len(smiles), "batch": args.batch, "unique_composition": float(unique.mean()),
              "composition_oracle_top1": float(oracle.mean()), "runs": {}, "r2": {}}
    print(f"{len(smiles)} molecules in batches of {args.batch}: composition vector unique in its batch for "
          f"{unique.mean():.4f}; an oracle matching it retrieves top-1 {oracle.mean():.4f}")

    features = {"composition": np.column_stack([vectors, np.log(atom_counts)])}
    for name, embeddings, weights in args.run:
        with h5py.File(embeddings, "r") as f:
            local, global_ = f["embeddings/local"][:], f["embeddings/global"][:]
        if len(local) != len(smiles):
            sys.exit(f"{embeddings}: {len(local)} rows, {args.data} has {len(smiles)} molecules")
        head = load_file(weights)
        correct = model_retrieval(project(local, head), project(global_, head), args.batch)
        split = {"top1": float(correct.mean()), "top1_unique": float(correct[unique].mean()) if unique.any() else None,
                 "top1_not_unique": float(correct[~unique].mean()) if (~unique).any() else None,
                 "not_unique": int((~unique).sum())}
        result["runs"][name] = split
        print(f"{name}: local-to-global top-1 {split['top1']:.4f} ({split['top1_unique']:.4f} where the composition is "
              f"unique, {split['top1_not_unique']:.4f} over the {split['not_unique']} where it is not)")
        features[f"{name} local"] = local
        features[f"{name} global"] = global_
        features[f"{name} local+global"] = np.column_stack([local, global_])

    groups = {"composition": COMPOSITION, "ring fusion": ["fused_ring_pairs"], "Wiener index": ["wiener_index"],
              "Wiener per pair": ["wiener_per_pair"], f"ECFP bits ({len(ecfp)})": ecfp}
    print("\n| features | " + " | ".join(groups) + " |\n|---|" + "---|" * len(groups))
    for name, x in features.items():
        scores = {g: float(np.nanmean(r2(x, np.column_stack([targets[c] for c in columns])))) for g, columns in groups.items()}
        result["r2"][name] = scores
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in scores.values()) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
