#!/usr/bin/env python3
"""Oracle values for lgmcl's paired comparison (Sources/LGMCL/Training/Benchmark/PairedDifference.swift):
Student t quantiles and paired-t 95% intervals from scipy.stats. Writes
Tests/LGMCLTests/Fixtures/training/paired.json.

    .venv/bin/python scripts/make_paired_fixtures.py     (scipy comes with scikit-learn)
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests/LGMCLTests/Fixtures/training/paired.json")


def main():
    quantiles = [{"df": df, "p": 0.975, "t": float(stats.t.ppf(0.975, df))} for df in [1, 2, 3, 4, 5, 9, 29, 100]]
    rng = np.random.default_rng(7)
    cases = []
    for n, metric in [(3, "roc_auc"), (5, "rmse"), (10, "roc_auc")]:
        pretrained = rng.uniform(0.6, 0.9, size=n)
        scratch = pretrained - rng.normal(0.01, 0.02, size=n)
        sign = 1 if metric == "roc_auc" else -1
        d = sign * (pretrained - scratch)
        low, high = stats.t.interval(0.95, n - 1, loc=d.mean(), scale=stats.sem(d))
        cases.append({"metric": metric, "pretrained": pretrained.tolist(), "scratch": scratch.tolist(),
                      "mean": float(d.mean()), "low": float(low), "high": float(high)})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"generator": "scripts/make_paired_fixtures.py", "scipy": scipy.__version__,
                   "quantiles": quantiles, "cases": cases}, f, indent=1)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
