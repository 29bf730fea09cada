#!/usr/bin/env python3
"""Oracle values for lgmcl's embedding diagnostics (Sources/LGMCL/Training/EmbeddingDiagnostics.swift):
alignment and uniformity as Wang & Isola (2020) wrote them, effective rank as RankMe (Garrido et
al. 2023), computed with numpy in float64 — singular values from numpy's SVD, where lgmcl takes
the eigenvalues of the Gram matrix. Writes Tests/LGMCLTests/Fixtures/training/diagnostics.json.

    .venv/bin/python scripts/make_diagnostics_fixtures.py     (numpy from scripts/requirements.txt)
"""
import json
import os

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests/LGMCLTests/Fixtures/training/diagnostics.json")


def normalized(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def alignment(a, b):
    return float(np.mean(np.sum((normalized(a) - normalized(b)) ** 2, axis=1)))


def uniformity(x):
    z = normalized(x)
    i, j = np.triu_indices(len(z), k=1)          # the pairs torch.pdist takes
    squared = np.sum((z[i] - z[j]) ** 2, axis=1)
    return float(np.log(np.mean(np.exp(-2 * squared))))


def effective_rank(x):
    s = np.linalg.svd(x, compute_uv=False)
    p = s / s.sum() + 1e-7
    return float(np.exp(-np.sum(p * np.log(p))))


def case(name, a, b, pooled_a, pooled_b):
    # float32, as the model produces them; the oracle computes on exactly these values.
    a, b, pooled_a, pooled_b = (np.asarray(m, dtype=np.float32) for m in (a, b, pooled_a, pooled_b))
    wide = [m.astype(np.float64) for m in (a, b, pooled_a, pooled_b)]
    return {
        "name": name, "rows": a.shape[0], "dimension": a.shape[1], "widths": [pooled_a.shape[1], pooled_b.shape[1]],
        "a": a.ravel().tolist(), "b": b.ravel().tolist(),
        "pooled_a": pooled_a.ravel().tolist(), "pooled_b": pooled_b.ravel().tolist(),
        "alignment": alignment(wide[0], wide[1]),
        "uniformity": [uniformity(wide[0]), uniformity(wide[1])],
        "effective_rank": [effective_rank(wide[2]), effective_rank(wide[3])],
    }


def main():
    rng = np.random.default_rng(20261204)
    cases = []
    # Independent Gaussian views: unaligned, spread, full rank.
    cases.append(case("random", rng.normal(size=(60, 16)), rng.normal(size=(60, 16)),
                      rng.normal(size=(60, 24)), rng.normal(size=(60, 12))))
    # A view and a noisy copy of it; pooled vectors of rank 3 and a collapsed (rank 1) encoder.
    base = rng.normal(size=(80, 8))
    low_rank = rng.normal(size=(80, 3)) @ rng.normal(size=(3, 20))
    collapsed = np.outer(rng.normal(size=80), rng.normal(size=10))
    cases.append(case("aligned, low rank", base, base + 0.05 * rng.normal(size=base.shape), low_rank, collapsed))
    # Everything near one direction: uniformity near 0.
    tight = np.ones((40, 6)) + 0.01 * rng.normal(size=(40, 6))
    cases.append(case("one direction", tight, tight[::-1].copy(), rng.normal(size=(40, 6)), tight))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"generator": "scripts/make_diagnostics_fixtures.py", "numpy": np.__version__, "cases": cases}, f)
    print(f"wrote {OUT}: {len(cases)} cases")


if __name__ == "__main__":
    main()
