#!/usr/bin/env python3
"""chemprop on exactly the splits lgmcl uses: the comparison column of docs/results.md.

For every dataset, protocol and seed, `lgmcl-dist split` writes the dataset with the `split`
column lgmcl's `finetune --split P --seeds S` uses (rows RDKit rejects get none and are left out,
as lgmcl leaves them out); chemprop (PyPI, v2 CLI) trains on the train rows with `--splits-column`,
chooses its epoch on val, and predicts the test rows (and, for train_value and val_value, the train
and val rows, so that overfitting shows beside lgmcl's train column); metrics are computed here the way
lgmcl computes it (ROC-AUC per task over labelled molecules, tasks with one class skipped, mean
over tasks; RMSE per task, mean over tasks), with scikit-learn.

Run in the worktree's venv (`make venv`), after `make build`:

    .venv/bin/python scripts/run_chemprop.py --datasets bbbp --protocols scaffold --seeds 0 --epochs 5

Writes one row per (dataset, protocol, seed) to --output (default docs/benchmarks/chemprop.csv),
appending to what is there so that long suites can run piecewise; a finished combination is
skipped unless --force.
"""
import argparse
import csv
import hashlib
import math
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.metrics import mean_squared_error, roc_auc_score

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATASETS = {  # name -> label columns (None: every column but smiles)
    "bbbp": ["p_np"],
    "bace": ["Class"],
    "tox21": None,
    "esol": ["logSolubility"],
    "freesolv": ["freesolv"],
}
FIELDS = ["dataset", "protocol", "seed", "task_type", "metric", "test_value", "train_value", "val_value", "per_task",
          "skipped_tasks", "train", "val", "test", "rejected_rows", "chemprop_rejected", "epochs", "seconds",
          "chemprop_version", "split_sha"]


def read_csv(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def replace_row(output, fields, row, key):
    """output's rows, read again now (another process may have added some since this one started),
    with row in place of any row of the same key() (compared as text: rows read back from the CSV
    hold strings), written whole to output (a temporary file renamed into place, so that an
    interrupted run leaves the previous file); the new list."""
    def text_key(r):
        return tuple(str(v) for v in key(r))
    current = read_csv(output)[1] if output.exists() else []
    done = [r for r in current if text_key(r) != text_key(row)] + [row]
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    write_csv(temporary, fields, done)
    os.replace(temporary, output)
    return done


def label(cell):
    cell = cell.strip()
    return math.nan if cell == "" or cell.lower() == "nan" else float(cell)


def evaluate(task_type, truth, predicted, tasks):
    """lgmcl's convention (docs/finetune.md, Metrics)."""
    scores, skipped = {}, []
    for t, name in enumerate(tasks):
        present = ~np.isnan(truth[:, t])
        y, p = truth[present, t], predicted[present, t]
        if task_type == "classification":
            if len(set(y.tolist())) < 2:
                skipped.append(name)
                continue
            scores[name] = roc_auc_score(y, p)
        else:
            if not present.any():
                skipped.append(name)
                continue
            scores[name] = math.sqrt(mean_squared_error(y, p))
    mean = sum(scores.values()) / len(scores) if scores else math.nan
    return mean, scores, skipped


def task_type_of(values):
    """lgmcl's inference: classification when every present label is 0 or 1."""
    present = values[~np.isnan(values)]
    return "classification" if np.isin(present, [0, 1]).all() else "regression"


def split_digest(rows):
    """The first 12 hex digits of lgmcl's SplitDigest: SHA-256 of the split column's cells."""
    return hashlib.sha256("".join(r["split"] for r in rows).encode()).hexdigest()[:12]


def find_test_predictions(run_dir):
    found = sorted(pathlib.Path(run_dir).rglob("test_predictions.csv"))
    if not found:
        sys.exit(f"chemprop wrote no test_predictions.csv under {run_dir}")
    return found[0]


def lgmcl_split(args, dataset, protocol, seed, work):
    """The dataset's rows with the `split` column `finetune --split protocol --seeds seed` uses, and its task columns."""
    source = pathlib.Path(args.data_dir) / f"{dataset}.csv"
    split_csv = work / f"{dataset}_{protocol}_{seed}_split.csv"
    subprocess.run([args.lgmcl, "split", "--input", str(source), "--output", str(split_csv),
                    "--split", protocol, "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    header, rows = read_csv(split_csv)
    return rows, DATASETS[dataset] or [c for c in header if c not in ("smiles", "split", "error")]


def shared_split(args, dataset, protocol, seed, work):
    """lgmcl's split of the dataset over the rows both lgmcl and chemprop accept, written as chemprop's
    input (smiles, tasks, split). Returns every row of `lgmcl-dist split`'s output, the kept rows, the
    tasks, the task type, how many rows chemprop's RDKit alone rejects, and the input file."""
    rows, tasks = lgmcl_split(args, dataset, protocol, seed, work)
    kept = [r for r in rows if r["split"]]
    # chemprop's RDKit (PyPI) is newer than Debian's, which lgmcl links, and rejects a few SMILES
    # lgmcl accepts (e.g. hypervalent Al in Tox21); chemprop cannot skip them, so they are left
    # out of its run and counted (chemprop_rejected): its test score is over the remaining rows.
    from chemprop.utils import make_mol
    accepted = []
    for r in kept:
        try:
            make_mol(r["smiles"], keep_h=False, add_h=False)
            accepted.append(r)
        except Exception:
            pass
    chemprop_rejected = len(kept) - len(accepted)
    task_type = task_type_of(np.array([[label(r[t]) for t in tasks] for r in accepted]))
    chemprop_input = work / f"{dataset}_{protocol}_{seed}_chemprop.csv"
    write_csv(chemprop_input, ["smiles"] + tasks + ["split"], accepted)
    return rows, accepted, tasks, task_type, chemprop_rejected, chemprop_input


def train_chemprop(args, data_path, tasks, task_type, run_dir, pytorch_seed, data_seed, extra=()):
    """`chemprop train` on data_path's split column into run_dir (replaced); its wall time in seconds."""
    shutil.rmtree(run_dir, ignore_errors=True)
    command = [args.chemprop, "train", "--data-path", str(data_path), "--smiles-columns", "smiles",
               "--target-columns", *tasks, "--splits-column", "split", "--task-type", task_type,
               "--epochs", str(args.epochs), "--pytorch-seed", str(pytorch_seed), "--data-seed", str(data_seed),
               "--accelerator", "cpu", "--devices", "1", "--num-workers", "0", "--save-dir", str(run_dir), *extra]
    started = time.time()
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.exit(f"chemprop failed on {data_path.name} ({' '.join(command[1:])}):\n{completed.stderr[-4000:]}")
    return time.time() - started


def score_part(args, run_dir, kept, part, tasks, task_type):
    """The kept model's metric on one part of the split (`chemprop predict` on its rows), so that the
    table shows train and val beside test, as lgmcl's does."""
    rows = [r for r in kept if r["split"] == part]
    inputs, output = run_dir / f"{part}_rows.csv", run_dir / f"{part}_predictions.csv"
    write_csv(inputs, ["smiles"], rows)
    models = sorted(pathlib.Path(run_dir).rglob("best*.pt"))[:1]
    if not models:
        sys.exit(f"chemprop left no best*.pt under {run_dir}")
    command = [args.chemprop, "predict", "--test-path", str(inputs), "--smiles-columns", "smiles", "--model-paths",
               str(models[0]), "--output", str(output), "--accelerator", "cpu", "--devices", "1", "--num-workers", "0"]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.exit(f"chemprop predict failed on {inputs} ({' '.join(command[1:])}):\n{completed.stderr[-4000:]}")
    _, predictions = read_csv(output)
    if len(predictions) != len(rows) or any(a["smiles"] != b["smiles"] for a, b in zip(rows, predictions)):
        sys.exit(f"{output}: predictions do not match the {len(rows)} {part} rows")
    truth = np.array([[label(r[t]) for t in tasks] for r in rows])
    predicted = np.array([[float(r[t]) for t in tasks] for r in predictions])
    return evaluate(task_type, truth, predicted, tasks)[0]


def run_one(args, dataset, protocol, seed, work):
    rows, kept, tasks, task_type, chemprop_rejected, chemprop_input = shared_split(args, dataset, protocol, seed, work)
    run_dir = work / f"{dataset}_{protocol}_{seed}_run"
    seconds = train_chemprop(args, chemprop_input, tasks, task_type, run_dir, seed, seed)

    test_rows = [r for r in kept if r["split"] == "test"]
    _, predictions = read_csv(find_test_predictions(run_dir))
    if len(predictions) != len(test_rows):
        sys.exit(f"{dataset}/{protocol}/{seed}: {len(predictions)} test predictions for {len(test_rows)} test rows")
    for mine, theirs in zip(test_rows, predictions):
        if mine["smiles"] != theirs["smiles"]:
            sys.exit(f"{dataset}/{protocol}/{seed}: test rows out of order ({mine['smiles']} vs {theirs['smiles']})")
    truth = np.array([[label(r[t]) for t in tasks] for r in test_rows])
    predicted = np.array([[float(r[t]) for t in tasks] for r in predictions])
    mean, per_task, skipped = evaluate(task_type, truth, predicted, tasks)
    fitted = {part: score_part(args, run_dir, kept, part, tasks, task_type) for part in ("train", "val")}
    import chemprop
    return {
        "dataset": dataset, "protocol": protocol, "seed": seed, "task_type": task_type,
        "metric": "roc_auc" if task_type == "classification" else "rmse", "test_value": f"{mean:.6f}",
        "train_value": f"{fitted['train']:.6f}", "val_value": f"{fitted['val']:.6f}",
        "per_task": ";".join(f"{k}={v:.6f}" for k, v in per_task.items()), "skipped_tasks": ";".join(skipped),
        "train": sum(r["split"] == "train" for r in kept), "val": sum(r["split"] == "val" for r in kept),
        "test": len(test_rows), "rejected_rows": len(rows) - len(kept) - chemprop_rejected,
        "chemprop_rejected": chemprop_rejected, "epochs": args.epochs,
        "seconds": f"{seconds:.1f}", "chemprop_version": chemprop.__version__, "split_sha": split_digest(rows),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--protocols", default="scaffold,random")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--data-dir", default=str(ROOT / "data" / "moleculenet"))
    parser.add_argument("--lgmcl", default=str(ROOT / ".build/release/lgmcl-dist"))
    parser.add_argument("--chemprop", default=str(pathlib.Path(sys.executable).parent / "chemprop"))
    parser.add_argument("--output", default=str(ROOT / "docs/benchmarks/chemprop.csv"))
    parser.add_argument("--work", default=None, help="keep intermediate files here (default: a temporary directory)")
    parser.add_argument("--force", action="store_true", help="rerun combinations already in --output")
    args = parser.parse_args()

    output = pathlib.Path(args.output)
    done = []
    if output.exists():
        _, done = read_csv(output)
    finished = {(r["dataset"], r["protocol"], r["seed"], r["epochs"]) for r in done}
    work = pathlib.Path(args.work) if args.work else pathlib.Path(tempfile.mkdtemp(prefix="run_chemprop-"))
    work.mkdir(parents=True, exist_ok=True)
    for dataset in args.datasets.split(","):
        if dataset not in DATASETS:
            sys.exit(f"unknown dataset '{dataset}' (known: {', '.join(DATASETS)})")
        for protocol in args.protocols.split(","):
            for seed in (int(s) for s in args.seeds.split(",")):
                key = (dataset, protocol, str(seed), str(args.epochs))
                if key in finished and not args.force:
                    print(f"{dataset} {protocol} seed {seed}: already in {output}, skipped")
                    continue
                row = run_one(args, dataset, protocol, seed, work)
                print(f"{dataset} {protocol} seed {seed}: test {row['metric']} {row['test_value']} "
                      f"(train/val/test {row['train']}/{row['val']}/{row['test']}, {row['seconds']} s)", flush=True)
                replace_row(output, FIELDS, row, lambda r: (r["dataset"], r["protocol"], r["seed"], r["epochs"]))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
