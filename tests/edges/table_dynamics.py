"""Edge table of scispaces.dynamics: the parameter maps and the rescaling rule against their formulas
in rational arithmetic, the stationary variance against an exact rational solution of the
Yule-Walker equations, and momentum_sgd against a plain replay of its documented update."""

from __future__ import annotations

from fractions import Fraction
from math import sqrt

import numpy as np

from edges import Row, count, flag, function, real, seed
from scispaces.reference import EPS, exact_stationary_variance

MODULE = "scispaces.dynamics"

EMPTY = ("empty",)  # vectorised: empty arrays give empty results


def _arrays(*values):
    return np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))


def _params_check(result, gamma, lam):
    """alpha = gamma^2 / (1 + x), beta = (1 - x)/(1 + x), x = lam gamma / 2, in fractions."""
    g, fr = _arrays(gamma, lam)
    lr, beta = (np.asarray(v, dtype=float) for v in result)
    for gi, li, a, b in zip(g.ravel(), fr.ravel(), lr.ravel(), beta.ravel(), strict=True):
        x = Fraction(li) * Fraction(gi) / 2
        assert abs(a - float(Fraction(gi) ** 2 / (1 + x))) <= 4 * EPS * a, (gi, li, a)
        assert abs(b - float((1 - x) / (1 + x))) <= 4 * EPS, (gi, li, b)


def _continuous_check(result, lr, beta):
    """gamma^2 = 2 lr / (1 + beta), lam gamma / 2 = (1 - beta) / (1 + beta)."""
    a, b = _arrays(lr, beta)
    gamma, lam = (np.asarray(v, dtype=float) for v in result)
    for ai, bi, g, lm in zip(a.ravel(), b.ravel(), gamma.ravel(), lam.ravel(), strict=True):
        assert abs(g / (sqrt(ai) * sqrt(2 / (1 + bi))) - 1) <= 4 * EPS, (ai, bi, g)
        want = float(2 * (1 - Fraction(bi)) / (1 + Fraction(bi))) / g
        assert abs(lm - want) <= 8 * EPS * want, (ai, bi, lm)


def _rescale_check(result, beta, r):
    b, rr = _arrays(beta, r)
    want = 1 - (1 - b) * np.sqrt(rr)
    assert np.all(np.abs(np.asarray(result) - want) <= 4 * EPS), (result, want)


def _variance_check(result, h, lr, beta, sigma, limit):
    """Within 30 eps of the exact rational value, times 1/(1 - f) near the edge; 1e-300 absolute
    slack for results in the subnormal range."""
    arrays = _arrays(h, lr, beta, sigma)
    out = np.broadcast_to(np.asarray(result, dtype=float), arrays[0].shape)
    for hi, li, bi, si, got in zip(*(a.ravel() for a in arrays), out.ravel(), strict=True):
        f = li * hi / (2 * (1 + bi))
        if limit:
            want = float(Fraction(li) * Fraction(si) ** 2 / (2 * Fraction(hi) * (1 - Fraction(bi))))
        else:
            want = exact_stationary_variance(hi, li, bi, si)
        assert abs(got - want) <= 30 * EPS / (1 - f) * want + 1e-300, (hi, li, bi, si, got, want)


def _replay(grad, theta0, lr, beta, steps, noise, nesterov, seed_, record):
    """The documented update, step by step, with the documented noise."""
    theta = np.array(theta0, dtype=float)
    lr, beta, noise = (
        np.broadcast_to(np.asarray(v, dtype=float), theta.shape) for v in (lr, beta, noise)
    )
    rng = np.random.default_rng(seed_)
    b = np.zeros(theta.shape)
    out = [theta.copy()]
    for _ in range(int(steps)):
        g = np.asarray(grad(theta), dtype=float)
        if np.any(noise > 0):
            g = g + noise * rng.standard_normal(theta.shape)
        b = beta * b + g
        theta = theta - lr * (g + beta * b if nesterov else b)
        out.append(theta.copy())
    return np.array(out[:: int(record)]) if record is not None else theta


def _sgd_check(result, grad, theta0, lr, beta, steps, noise, nesterov, seed, record, buffer):
    theta = result[0] if buffer else result
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        assert np.all(np.isfinite(theta))  # a Generator or None: its stream is not replayable
        return
    with np.errstate(over="ignore", invalid="ignore"):
        want = _replay(grad, theta0, lr, beta, steps, noise, bool(nesterov), int(seed), record)
    scale = max(1.0, float(np.abs(want).max()) if np.size(want) else 1.0)
    assert np.shape(theta) == np.shape(want), (np.shape(theta), np.shape(want))
    assert np.all(np.abs(np.asarray(theta) - want) <= 1e-13 * scale), (theta, want)


ROWS = [
    Row(
        "heavy_ball_params",
        {"gamma": real(0.1, supports=EMPTY), "lam": real(2.0, supports=EMPTY)},
        broadcast=("gamma", "lam"),
        check=_params_check,
    ),
    Row(
        "continuous_params",
        {"lr": real(0.01, supports=EMPTY), "beta": real(0.9, supports=EMPTY)},
        broadcast=("lr", "beta"),
        check=_continuous_check,
    ),
    Row(
        "rescale_momentum",
        {"beta": real(0.9, supports=EMPTY), "r": real(0.25, supports=EMPTY)},
        broadcast=("beta", "r"),
        check=_rescale_check,
    ),
    Row(
        "stationary_variance",
        {
            "h": real(2.0, supports=EMPTY),
            "lr": real(0.3, supports=EMPTY),
            "beta": real(0.9, supports=EMPTY),
            "sigma": real(0.5, supports=EMPTY),
            "limit": flag(False),
        },
        broadcast=("h", "lr", "beta", "sigma"),
        check=_variance_check,
    ),
    Row(
        "momentum_sgd",
        {
            "grad": function(lambda t: 0.5 * t),
            "theta0": real(np.array([1.0, -0.5]), supports=EMPTY),
            "lr": real(0.1),
            "beta": real(0.5),
            "steps": count(5),
            "noise": real(0.3),
            "nesterov": flag(False),
            "seed": seed(0),
            "record": count(1, supports=("None",)),
            "buffer": flag(False),
        },
        check=_sgd_check,
    ),
]
