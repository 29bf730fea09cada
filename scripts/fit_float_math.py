#!/usr/bin/env python3
"""Coefficients of lgmcl's vectorisable Float32 exp and erf (Sources/LGMCL/Tensor/FloatMath.swift).

Both are fitted here, in float64, to minimise the largest *relative* error (iteratively reweighted
least squares, Lawson's weights), then rounded to Float32 and evaluated the way the Swift code
evaluates them: Float32 arithmetic, Horner's rule, no fused multiply-add (Swift does not contract
a*b+c), so the errors printed are those of the shipped kernel, not of the exact fit.

- exp(r) on |r| <= ln2/2 (after exp(x) = 2^n * exp(r), n = round(x / ln2)): a polynomial
  1 + r + c2 r^2 + ... + c6 r^6 (the first two terms fixed so exp(0) = 1 exactly and the
  slope at 0 is exact).
- erf(x) on 0 <= x <= 3.925 (beyond it erf rounds to 1 in Float32): x * P(x^2) / Q(x^2), P of
  degree 5, Q of degree 5 with Q(0) = 1. One division and no exp, so the whole loop vectorises;
  relative error is bounded near 0 too, where erf(x) ~ 2x/sqrt(pi). Evaluated in float64 and
  rounded once: in Float32 the ten Horner steps of P and Q, all of one sign, would add up to
  ~6 ulp; in float64 only the fit's error (2e-8) and the final rounding remain.

The oracle is scipy.special.erf / numpy.exp in float64 (correct to far below Float32's ulp).
Prints Swift literals and the measured maximum errors in units in the last place (ulp) of the
float64 value, over every Float32 in the fitted ranges (exp) or 2^22 of them (erf).

    /work/runs/venv-np/bin/python scripts/fit_float_math.py     (numpy and scipy)
"""
import numpy as np
from scipy.special import erf

ERF_CLAMP = np.float32(3.925)
LN2 = np.log(2.0)


def lawson(basis, target, weight_of_error, iterations=300):
    """min over c of max_i |basis_i . c - target_i| * weight_i, by reweighted least squares."""
    w = np.ones(len(target))
    best = None
    for it in range(iterations):
        coef, *_ = np.linalg.lstsq(basis * w[:, None], target * w, rcond=None)
        err = (basis @ coef - target) * weight_of_error
        e = np.abs(err).max()
        if best is None or e < best[0]:
            best = (e, coef)
        w = w * np.sqrt(np.abs(err) / e) + 1e-12
        w /= w.max()
    return best


def fit_exp():
    # exp(r) - 1 - r = r^2 (c2 + c3 r + ... + c6 r^4), relative to exp(r).
    r = np.linspace(-LN2 / 2, LN2 / 2, 40001)
    r = r[r != 0]
    basis = np.vstack([r ** k for k in range(2, 7)]).T
    e, coef = lawson(basis, np.exp(r) - 1 - r, 1 / np.exp(r))
    return e, coef.astype(np.float32)


def fit_erf():
    # erf(x)/x = P(t)/Q(t), t = x^2: linearised as P(t) - f Q(t) = 0 and reweighted by 1/(f Q_prev)
    # (Sanathanan–Koerner), with Lawson's weights on top for the maximum relative error.
    m = n = 5
    x = np.concatenate([np.linspace(1e-4, float(ERF_CLAMP), 30000),
                        float(ERF_CLAMP) * (1 - np.cos(np.linspace(1e-3, np.pi / 2, 30000)))])
    t, f = x * x, erf(x) / x
    q_prev, w, best = np.ones_like(t), np.ones_like(t), None
    for it in range(300):
        basis = np.hstack([np.vstack([t ** k for k in range(m + 1)]).T,
                           -np.vstack([f * t ** k for k in range(1, n + 1)]).T])
        scale = w / (f * q_prev)
        coef, *_ = np.linalg.lstsq(basis * scale[:, None], f * scale, rcond=None)
        p, q = coef[:m + 1], np.concatenate([[1.0], coef[m + 1:]])
        q_prev = np.polyval(q[::-1], t)
        err = (np.polyval(p[::-1], t) / q_prev - f) / f
        e = np.abs(err).max()
        if best is None or e < best[0]:
            best = (e, p, q)
        if it >= 5:
            w = w * np.sqrt(np.abs(err) / e) + 1e-12
            w /= w.max()
    return best[0], best[1], best[2]


def horner32(coefficients, x):
    acc = np.full_like(x, coefficients[-1])
    for c in coefficients[-2::-1]:
        acc = acc * x + np.float32(c)
    return acc


def exp32(x_in, c):
    # The Swift kernel step by step, in Float32: below FLT_MIN the result is flushed to 0 (so
    # exp(-inf) = 0 for masked scores), above FLT_MAX it is inf.
    lo, hi = np.float32(-87.33655), np.float32(88.72283)
    x = np.clip(x_in, lo, hi)
    magic = np.float32(12582912.0)          # 1.5 * 2^23: adding it rounds to an integer
    k = x * np.float32(1.4426950408889634) + magic
    n = k - magic
    r = x - n * np.float32(0.693145751953125)     # ln2 split: hi has 16 significant bits,
    r = r - n * np.float32(1.428606765330187e-06)  # so n * hi is exact for |n| <= 128
    p = np.float32(1) + (r + r * r * horner32(c, r))
    # 2^n as two factors 2^(n//2) 2^(n - n//2): n reaches 128 (and -126) at the clamps.
    ni = n.astype(np.int32)
    half = ni >> 1
    s1 = ((half + 127) << 23).astype(np.uint32).view(np.float32)
    s2 = ((ni - half + 127) << 23).astype(np.uint32).view(np.float32)
    y = p * s1 * s2
    return np.where(x_in < lo, np.float32(0), np.where(x_in > hi, np.float32(np.inf), y))


def horner64(coefficients, x):
    acc = np.full_like(x, coefficients[-1])
    for c in coefficients[-2::-1]:
        acc = acc * x + c
    return acc


def erf32(x, p, q):
    # Float32 in and out, the rational function in float64 (see the module docstring).
    a = np.minimum(np.abs(x), ERF_CLAMP).astype(np.float64)
    t = a * a
    return np.copysign((a * horner64(p, t) / horner64(q, t)).astype(np.float32), x)


def ulp64(v):
    return np.spacing(np.abs(v).astype(np.float32)).astype(np.float64)


def main():
    np.seterr(over="ignore", under="ignore")
    e_exp, c_exp = fit_exp()
    e_erf, p, q = fit_erf()
    print(f"exp: fitted relative error {e_exp:.3g}")
    print("    c2...c6:", ", ".join(f"{v!r}" for v in c_exp.tolist()))
    print(f"erf: fitted relative error {e_erf:.3g}")
    print("    P:", ", ".join(f"{v!r}" for v in p.tolist()))
    print("    Q:", ", ".join(f"{v!r}" for v in q.tolist()[1:]), "(after the leading 1)")

    # Every Float32 of exp's range that does not under- or overflow.
    lo, hi = np.float32(-87.33655), np.float32(88.72283)
    worst = 0.0
    for first, last in [(0, int(hi.view(np.uint32))), (0x8000_0000, int(lo.view(np.uint32)))]:
        for start in range(first, last + 1, 2 ** 24):
            x = np.arange(start, min(start + 2 ** 24, last + 1), dtype=np.uint32).view(np.float32)
            y = exp32(x, c_exp).astype(np.float64)
            ref = np.exp(x.astype(np.float64))
            worst = max(worst, float(np.max(np.abs(y - ref) / ulp64(ref))))
    print(f"exp in Float32: max error {worst:.2f} ulp over every Float32 in [{lo}, {hi}]")

    x = np.unique(np.concatenate([
        np.linspace(0, 5, 2 ** 21, dtype=np.float32),
        np.logspace(-38, np.log10(5), 2 ** 21).astype(np.float32)]))
    y = erf32(x, p, q).astype(np.float64)
    ref = erf(x.astype(np.float64))
    err = np.abs(y - ref)
    nz = ref > 0
    print(f"erf in Float32: max error {np.max(err[nz] / ulp64(ref[nz])):.2f} ulp, "
          f"max absolute {err.max():.3g}, on {len(x)} points in [0, 5]")


if __name__ == "__main__":
    main()
