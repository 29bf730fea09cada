#!/usr/bin/env python3
"""Oracles for lgmcl's calibration and uncertainty metrics
(Tests/LGMCLTests/Fixtures/finetune/calibration.json).

    .venv/bin/python scripts/make_calibration_fixtures.py

chemprop 2.3.1's evaluators give the regression metrics (NLL, miscalibration area, ENCE,
Spearman, interval coverage) and the classification NLL; its calibrators give Platt scaling,
isotonic regression, z-scaling and the split-conformal quantile. chemprop fits Platt and z-scaling
with Nelder-Mead (scipy's fmin, tolerance 1e-4), so the exact optimum is recorded too, from
scipy's minimize run to a tight gradient tolerance. Brier score is scikit-learn's; the expected
calibration error (10 equal-width bins, the last closed) is written out here in numpy, as is the
normalized conformal score |y - mean| / sigma, which chemprop's conformal calibrator computes
when fed y / sigma and mean / sigma with zero half-intervals.
"""
import json
from pathlib import Path

import chemprop
import numpy as np
import scipy
import sklearn
import torch
from scipy.optimize import minimize
from scipy.special import expit, logit
from sklearn.metrics import brier_score_loss

from chemprop.uncertainty.calibrator import (IsotonicCalibrator, PlattCalibrator,
                                             RegressionConformalCalibrator, ZScalingCalibrator)
from chemprop.uncertainty.evaluator import (CalibrationAreaEvaluator, ExpectedNormalizedErrorEvaluator,
                                            NLLClassEvaluator, NLLRegressionEvaluator,
                                            RegressionConformalEvaluator, SpearmanEvaluator)

rng = np.random.default_rng(20261205)


def t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def regression_case(n, tasks, noise):
    mean = rng.normal(0, 2, size=(n, tasks))
    variance = np.exp(rng.normal(-0.5, 0.8, size=(n, tasks)))
    targets = mean + rng.normal(0, 1, size=(n, tasks)) * np.sqrt(variance) * noise
    return mean, variance, targets


def regression():
    cal_mean, cal_var, cal_y = regression_case(157, 2, noise=np.array([1.7, 0.6]))
    test_mean, test_var, test_y = regression_case(211, 2, noise=np.array([1.7, 0.6]))
    mask = torch.ones(test_y.shape, dtype=torch.bool)
    metrics = {}
    for name, evaluator in [("nll", NLLRegressionEvaluator()), ("miscalibrationArea", CalibrationAreaEvaluator()),
                            ("ence", ExpectedNormalizedErrorEvaluator()), ("spearman", SpearmanEvaluator())]:
        metrics[name] = evaluator.evaluate(t(test_mean), t(test_var), t(test_y), mask).tolist()
    half = 1.6448536269514722 * np.sqrt(test_var)
    metrics["coverage"] = RegressionConformalEvaluator().evaluate(t(test_mean), t(half), t(test_y), mask).tolist()

    cal_mask = torch.ones(cal_y.shape, dtype=torch.bool)
    zscaling = ZScalingCalibrator().fit(t(cal_mean), t(cal_var), t(cal_y), cal_mask).scalings.tolist()
    # The NLL's minimiser over the scale s of sigma has a closed form: s^2 = mean((y - mean)^2 / var).
    zscaling_exact = np.sqrt(np.mean((cal_y - cal_mean) ** 2 / cal_var, axis=0)).tolist()

    conformal = {}
    for coverage in (0.9, 0.8):
        absolute = RegressionConformalCalibrator(alpha=1 - coverage).fit(
            t(cal_mean), torch.zeros(cal_y.shape, dtype=torch.float64), t(cal_y), cal_mask)
        sigma = np.sqrt(cal_var)
        normalized = RegressionConformalCalibrator(alpha=1 - coverage).fit(
            t(cal_mean / sigma), torch.zeros(cal_y.shape, dtype=torch.float64), t(cal_y / sigma), cal_mask)
        conformal[str(coverage)] = {"absolute": absolute.qhats.tolist(), "normalized": normalized.qhats.tolist()}
    return {
        "calibration": {"mean": cal_mean.tolist(), "variance": cal_var.tolist(), "targets": cal_y.tolist()},
        "test": {"mean": test_mean.tolist(), "variance": test_var.tolist(), "targets": test_y.tolist()},
        "metrics": metrics, "zScaling": zscaling, "zScalingExact": zscaling_exact, "conformalQuantile": conformal,
    }


def classification_case(n, tasks):
    p = rng.uniform(0.02, 0.98, size=(n, tasks))
    # A few repeated probabilities, so that isotonic regression's handling of ties is exercised.
    p[5:9, :] = p[0, :]
    # Over-confident on task 0, under-confident on task 1.
    truth = np.stack([expit(0.5 * logit(p[:, 0]) + 0.3), expit(1.8 * logit(p[:, 1]) - 0.2)], axis=1)
    y = (rng.uniform(size=(n, tasks)) < truth).astype(float)
    mask = rng.uniform(size=(n, tasks)) > 0.1
    return p, y, mask


def expected_calibration_error(p, y, bins=10):
    index = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        member = index == b
        if member.any():
            total += member.sum() / len(p) * abs(p[member].mean() - y[member].mean())
    return total


def classification():
    cal_p, cal_y, cal_mask = classification_case(173, 2)
    test_p, test_y, test_mask = classification_case(199, 2)
    # A test probability outside every calibration probability, for isotonic regression's clipping.
    test_p[0, 0] = 0.999
    test_p[1, 0] = 0.001
    nll = NLLClassEvaluator().evaluate(t(test_p), t(test_y), torch.tensor(test_mask)).tolist()
    brier = [brier_score_loss(test_y[test_mask[:, j], j], test_p[test_mask[:, j], j]) for j in range(2)]
    ece = [expected_calibration_error(test_p[test_mask[:, j], j], test_y[test_mask[:, j], j]) for j in range(2)]

    platt = PlattCalibrator().fit(t(cal_p), t(cal_y), torch.tensor(cal_mask))
    exact = []
    for j in range(2):
        x, y = logit(cal_p[cal_mask[:, j], j]), cal_y[cal_mask[:, j], j]

        def nll_of(params):
            z = params[0] * x + params[1]
            return np.sum(np.logaddexp(0, z) - y * z)

        def gradient(params):
            r = expit(params[0] * x + params[1]) - y
            return np.array([np.sum(r * x), np.sum(r)])

        exact.append(minimize(nll_of, [1.0, 0.0], jac=gradient, method="BFGS", options={"gtol": 1e-12}).x.tolist())
    isotonic = IsotonicCalibrator().fit(t(cal_p), t(cal_y), torch.tensor(cal_mask))
    return {
        "calibration": {"probability": cal_p.tolist(), "targets": cal_y.tolist(), "mask": cal_mask.tolist()},
        "test": {"probability": test_p.tolist(), "targets": test_y.tolist(), "mask": test_mask.tolist()},
        "metrics": {"nll": nll, "brier": brier, "ece10": ece},
        "platt": {"a": platt.a.tolist(), "b": platt.b.tolist()},
        "plattExact": {"a": [e[0] for e in exact], "b": [e[1] for e in exact]},
        "isotonicTest": isotonic.apply(t(test_p)).tolist(),
    }


path = Path(__file__).resolve().parent.parent / "Tests/LGMCLTests/Fixtures/finetune/calibration.json"
path.write_text(json.dumps({
    "chemprop": chemprop.__version__, "torch": torch.__version__, "scipy": scipy.__version__,
    "sklearn": sklearn.__version__, "regression": regression(), "classification": classification(),
}) + "\n")
print(f"wrote {path}")
