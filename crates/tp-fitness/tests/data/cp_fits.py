#!/usr/bin/env python3
"""Expected critical power fits for tests/critical_power_scipy.rs, computed
independently of tp-fitness with numpy and scipy.

Writes cp_fits.json beside this script: for each curve, the points, and
what the 2-parameter model (Monod & Scherrer: P = CP + W'/t, ordinary least
squares on P against 1/t, by numpy.linalg.lstsq and by scipy's curve_fit)
and Morton's 3-parameter model (P = CP + W'/(t + W'/(Pmax - CP)), nonlinear
least squares by scipy's curve_fit, MINPACK's Levenberg-Marquardt) give on
the same points from the same start, or which refusal applies.

The rules mirrored from crates/tp-fitness/src/critical_power.rs (the
specification, not the code): the 2-parameter window is 120-1200 s, the
3-parameter one 10-1200 s, both ends included; at least 3 points (2-p) or
4 (3-p); durations spanning at least 180 s; CP > 0, W' > 0, and for
Morton Pmax > CP and Pmax <= 100 000 W (beyond it the fit has run off to
its 2-parameter limit, Pmax -> infinity).
Morton starts from the 2-parameter least-squares line through its own
points and Pmax = 1.05 x the shortest point's power. Standard errors are
curve_fit's (residual variance times the inverse of J'J); RMSE is
sqrt(mean(residual^2)).

Run with numpy and scipy installed (checked with numpy 2.4.6, scipy
1.17.1, Python 3.11):

    python3 -m venv /tmp/cpvenv && /tmp/cpvenv/bin/pip install numpy scipy
    /tmp/cpvenv/bin/python crates/tp-fitness/tests/data/cp_fits.py

Running it again gives the same file.
"""

import json
import math
import os
import re

import numpy as np
import scipy
from scipy.optimize import curve_fit

HERE = os.path.dirname(os.path.abspath(__file__))

TWO_P_WINDOW = (120, 1200)
THREE_P_WINDOW = (10, 1200)
MIN_SPAN_S = 180
MAX_POWER_W = 100000.0

CP, W_PRIME, PMAX = 280.0, 20000.0, 1100.0

STANDARD = [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 150, 180, 240,
            300, 360, 480, 600, 720, 900, 1200]


def two_p(t, cp, w):
    return cp + w / t


def morton(t, cp, w, pmax):
    return cp + w / (t + w / (pmax - cp))


def morton_jac(t, cp, w, pmax):
    tau = w / (pmax - cp)
    u = t + tau
    q = tau / u
    return np.stack([1.0 - q * q, t / (u * u), q * q], axis=1)


def lcg_noise(n, amplitude, seed):
    """Deterministic noise in [-amplitude, amplitude] (a 64-bit LCG), so
    the file does not depend on numpy's random streams."""
    out = []
    mask = (1 << 64) - 1
    for _ in range(n):
        seed = (seed * 6364136223846793005 + 1442695040888963407) & mask
        out.append(((seed >> 11) / float(1 << 53) * 2.0 - 1.0) * amplitude)
    return out


def in_window(points, window):
    lo, hi = window
    return [(d, p) for d, p in points if lo <= d <= hi]


def refusal(points, needed):
    if len(points) < needed:
        return "too_few_points"
    if points[-1][0] - points[0][0] < MIN_SPAN_S:
        return "span_too_short"
    return None


def lstsq_line(t, p):
    x = np.column_stack([np.ones_like(t), 1.0 / t])
    (cp, w), *_ = np.linalg.lstsq(x, p, rcond=None)
    return float(cp), float(w), x


def r_squared(p, resid):
    sst = float(np.sum((p - p.mean()) ** 2))
    return None if sst == 0.0 else 1.0 - float(np.sum(resid ** 2)) / sst


def fit_two(points):
    pts = in_window(points, TWO_P_WINDOW)
    why = refusal(pts, 3)
    if why:
        return {"error": why}
    t = np.array([d for d, _ in pts], dtype=float)
    p = np.array([w for _, w in pts], dtype=float)
    cp, w, x = lstsq_line(t, p)
    if w <= 0.0 or cp <= 0.0:
        return {"error": "not_physical", "cp_w": cp, "w_prime_j": w}
    resid = p - (cp + w / t)
    n = len(pts)
    s2 = float(np.sum(resid ** 2)) / (n - 2)
    cov = s2 * np.linalg.inv(x.T @ x)
    # the same line by curve_fit (a linear model: LM lands on it exactly)
    (cf_cp, cf_w), cf_cov = curve_fit(two_p, t, p, p0=[cp, w], method="lm")
    return {
        "points_used": n,
        "cp_w": cp,
        "w_prime_j": w,
        "rmse_w": math.sqrt(float(np.mean(resid ** 2))),
        "r_squared": r_squared(p, resid),
        "cp_se_w": math.sqrt(cov[0, 0]),
        "w_prime_se_j": math.sqrt(cov[1, 1]),
        "curve_fit": {
            "cp_w": float(cf_cp),
            "w_prime_j": float(cf_w),
            "cp_se_w": math.sqrt(cf_cov[0, 0]),
            "w_prime_se_j": math.sqrt(cf_cov[1, 1]),
        },
    }


def fit_three(points):
    pts = in_window(points, THREE_P_WINDOW)
    why = refusal(pts, 4)
    if why:
        return {"error": why}
    t = np.array([d for d, _ in pts], dtype=float)
    p = np.array([w for _, w in pts], dtype=float)
    cp0, w0, _ = lstsq_line(t, p)
    pmax0 = 1.05 * float(p[0])
    if w0 <= 0.0 or pmax0 <= cp0:
        return {"error": "not_physical", "start": [cp0, w0, pmax0]}
    popt, pcov, info, _msg, ier = curve_fit(
        morton, t, p, p0=[cp0, w0, pmax0], jac=morton_jac, method="lm",
        full_output=True, ftol=1e-15, xtol=1e-15, gtol=1e-15, maxfev=10000)
    cp, w, pmax = (float(v) for v in popt)
    if cp <= 0.0 or w <= 0.0 or pmax <= cp or pmax > MAX_POWER_W:
        return {"error": "not_physical", "start": [cp0, w0, pmax0],
                "cp_w": cp, "w_prime_j": w, "pmax_w": pmax}
    resid = p - morton(t, cp, w, pmax)
    return {
        "points_used": len(pts),
        "start": [cp0, w0, pmax0],
        "cp_w": cp,
        "w_prime_j": w,
        "pmax_w": pmax,
        "rmse_w": math.sqrt(float(np.mean(resid ** 2))),
        "r_squared": r_squared(p, resid),
        "cp_se_w": math.sqrt(pcov[0, 0]),
        "w_prime_se_j": math.sqrt(pcov[1, 1]),
        "pmax_se_w": math.sqrt(pcov[2, 2]),
        "minpack_info": int(ier),
        "function_evaluations": int(info["nfev"]),
    }


def cases():
    with open(os.path.join(HERE, "demo_power_curve_90d.json")) as f:
        demo = json.load(f)["best_sums"]
    demo_points = [(d, demo[d - 1] / d) for d in range(1, len(demo) + 1)]
    dense = list(range(1, 1201))
    noise = lcg_noise(len(dense), 5.0, 7)
    yield "two_parameter_exact", [(d, two_p(d, CP, W_PRIME)) for d in STANDARD], False
    yield "morton_exact", [(d, morton(d, CP, W_PRIME, PMAX)) for d in STANDARD], True
    yield "morton_noisy_dense", [
        (d, morton(d, CP, W_PRIME, PMAX) + e) for d, e in zip(dense, noise)], True
    sparse_noise = lcg_noise(len(STANDARD), 5.0, 11)
    yield "morton_noisy_standard", [
        (d, morton(d, CP, W_PRIME, PMAX) + e) for d, e in zip(STANDARD, sparse_noise)], True
    yield "demo_90d_dense", demo_points, True
    yield "demo_90d_standard", [(d, demo[d - 1] / d) for d in STANDARD], True
    yield "rising_not_physical", [
        (10, 240.0), (60, 245.0), (120, 250.0), (300, 260.0), (600, 270.0),
        (1200, 280.0)], True
    yield "too_few", [(5, 900.0), (60, 500.0), (180, 400.0), (600, 320.0)], True
    yield "span_too_short", [(10, 800.0), (20, 650.0), (120, 420.0), (150, 400.0),
                             (180, 385.0), (240, 370.0)], True


def main():
    out = {
        "about": "Expected fits for tests/critical_power_scipy.rs, written by cp_fits.py "
                 "(numpy.linalg.lstsq and scipy.optimize.curve_fit); do not edit by hand.",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "two_parameter_window_s": list(TWO_P_WINDOW),
        "three_parameter_window_s": list(THREE_P_WINDOW),
        "cases": [],
    }
    for name, points, with_morton in cases():
        out["cases"].append({
            "name": name,
            "points": [[d, w] for d, w in points],
            "two_parameter": fit_two(points),
            "three_parameter": fit_three(points) if with_morton else None,
        })
    text = json.dumps(out, indent=1)
    # one [duration, watts] pair (and the start) per line
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]",
                  lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)
    with open(os.path.join(HERE, "cp_fits.json"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
