"""Edge table of scispaces.simplex: every map against its exact (rational) or high-precision
(mpmath) reference from scispaces.reference, along the axis the call names."""

from __future__ import annotations

import mpmath
import numpy as np

from edges import Row, case, choice, close, count, real, real_array, whole
from scispaces.reference import (
    EPS,
    exact_entmax15,
    exact_sparsemax,
    exact_sparsemax_loss,
    mp_entmax,
    mp_perturbmax,
)

MODULE = "scispaces.simplex"

X = np.array([[0.3, -1.2, 0.9], [2.0, 2.0, -0.5]])  # both axes hold distributions
NOISES = ("gumbel", "normal", "logistic", "uniform")


def _along(reference, x, axis):
    """``reference`` (which works on the last axis) along ``axis``, as floats."""
    a = np.moveaxis(np.asarray(x, dtype=np.float64), int(axis), -1)
    return np.moveaxis(np.array(reference(a), dtype=np.float64), -1, int(axis))


def _taylor(x, k, axis):
    """f_k(x_i) / sum f_k(x_j) by mpmath at 40 digits."""

    def rows(a):
        out = np.empty(a.shape, dtype=object)
        with mpmath.workdps(40):
            for idx in np.ndindex(a.shape[:-1]):
                f = [
                    mpmath.fsum(mpmath.mpf(v) ** m / mpmath.factorial(m) for m in range(int(k) + 1))
                    for v in a[idx].tolist()
                ]
                out[idx] = [v / mpmath.fsum(f) for v in f]
        return out

    return _along(rows, x, axis)


def _log_softmax(x, axis):
    def rows(a):
        p = mp_entmax(a, 1.0, dps=30)
        with mpmath.workdps(30):
            return np.vectorize(mpmath.log, otypes=[object])(p)

    return _along(rows, x, axis)


def _entmax_check(result, x, alpha, axis):
    """mpmath's bisection up to alpha = 64; beyond, the limit's structure: a distribution on
    the scores within 1/(alpha - 1) of the maximum, uniform on ties with it."""
    a = float(np.asarray(alpha))
    if a <= 64:
        want = _along(lambda r: mp_entmax(r, a, dps=30), x, axis)
        assert np.allclose(result, want, rtol=0, atol=2e-15), (result, want)
        return
    v = np.moveaxis(np.asarray(x, dtype=np.float64), int(axis), -1)
    p = np.moveaxis(np.asarray(result), int(axis), -1)
    assert np.allclose(p.sum(axis=-1), 1, atol=4 * EPS)
    top = v.max(axis=-1, keepdims=True)
    assert np.all(p[v < top - 1 / (a - 1)] == 0)


def _loss(x, target, axis):
    a = np.moveaxis(np.asarray(x, dtype=np.float64), int(axis), -1)
    return np.array(exact_sparsemax_loss(a, np.asarray(target, dtype=np.float64)), dtype=np.float64)


AXIS = count(0)
SCORES = real_array(X, extra=(case("one entry", [[4.0]], "result"),))

ROWS = [
    Row(
        "softmax",
        {"x": SCORES, "axis": AXIS},
        check=close(lambda x, axis: _along(lambda a: mp_entmax(a, 1.0), x, axis), 1e-15, 1e-300),
    ),
    Row("log_softmax", {"x": SCORES, "axis": AXIS}, check=close(_log_softmax, 1e-15, 1e-15)),
    Row(
        "taylor_softmax",
        {"x": SCORES, "k": count(2, extra=(case("k = 20", 20, "result"),)), "axis": AXIS},
        check=close(_taylor, 1e-11, 1e-300),
    ),
    Row(
        "sparsemax",
        {"x": SCORES, "axis": AXIS},
        check=close(lambda x, axis: _along(exact_sparsemax, x, axis), 2 * EPS, 0.0),
    ),
    Row(
        "entmax15",
        {"x": SCORES, "axis": AXIS},
        check=close(lambda x, axis: _along(exact_entmax15, x, axis), 2 * EPS, 0.0),
    ),
    Row(
        "entmax",
        {
            "x": SCORES,
            "alpha": real(
                1.3,
                extra=(
                    case("alpha = 1", 1.0, "result"),
                    case("alpha = 2", 2.0, "result"),
                    case("alpha = 20", 20.0, "result"),
                    case("alpha = 1 + 1e-12", 1 + 1e-12, "result"),
                ),
            ),
            "axis": AXIS,
        },
        check=_entmax_check,
    ),
    Row(
        "sparsemax_loss",
        {
            "x": SCORES,
            "target": whole(0.0, extra=(case("a class per row", [2.0, 0.0], "either"),)),
            "axis": AXIS,
        },
        check=close(_loss, 4 * EPS, 0.0),
    ),
    Row(
        "perturbmax",
        {"mu": SCORES, "noise": choice("normal", NOISES), "axis": AXIS},
        check=close(
            lambda mu, noise, axis: _along(lambda a: mp_perturbmax(a, noise, dps=20), mu, axis),
            0.0,
            1e-15,
        ),
        examples=10,
    ),
]
