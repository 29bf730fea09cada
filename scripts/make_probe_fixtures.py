#!/usr/bin/env python3
"""Oracle values for lgmcl's linear probe (Sources/LGMCL/Training/LinearProbe.swift): scikit-learn's
StandardScaler followed by Ridge(alpha) or LogisticRegression(C) (L2, intercept unpenalized, lbfgs
run to a tight tolerance), fitted on the train rows, predicting the test rows. Writes
Tests/LGMCLTests/Fixtures/training/probe.json.

    .venv/bin/python scripts/make_probe_fixtures.py     (numpy, scikit-learn from scripts/requirements.txt)
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests/LGMCLTests/Fixtures/training/probe.json")


def main():
    rng = np.random.default_rng(4242)
    n, d = 120, 10
    x = rng.normal(size=(n, d)) * rng.uniform(0.5, 3, size=d) + rng.normal(size=d)
    x[:, 3] = 2.5                                   # a constant feature: left unscaled
    w = rng.normal(size=d)
    y_value = x @ w + 0.3 * rng.normal(size=n)
    y_class = (x @ w + 0.8 * rng.normal(size=n) > np.median(x @ w)).astype(float)
    train, test = list(range(0, 90)), list(range(90, n))
    scaler = StandardScaler().fit(x[train])
    cases = []
    for alpha in [0.1, 10.0]:
        model = Ridge(alpha=alpha).fit(scaler.transform(x[train]), y_value[train])
        cases.append({"kind": "ridge", "strength": alpha, "targets": y_value.tolist(),
                      "predictions": model.predict(scaler.transform(x[test])).tolist()})
    for c in [0.05, 3.0]:
        model = LogisticRegression(C=c, tol=1e-12, max_iter=100000).fit(scaler.transform(x[train]), y_class[train])
        cases.append({"kind": "logistic", "strength": c, "targets": y_class.tolist(),
                      "predictions": model.predict_proba(scaler.transform(x[test]))[:, 1].tolist()})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"generator": "scripts/make_probe_fixtures.py", "sklearn": sklearn.__version__, "rows": n,
                   "dimension": d, "features": x.ravel().tolist(), "train": train, "test": test, "cases": cases}, f)
    print(f"wrote {OUT}: {len(cases)} cases")


if __name__ == "__main__":
    main()
