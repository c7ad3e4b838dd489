"""Edge table of scispaces.reference, entropy section: the oracles of tests/test_entropy.py, the
softmax-entropy chapter and the entropy benchmark.

References independent of each oracle: the library's own functions (scispaces.entropy), which
compute the same quantities another way (floats against mpmath; chunked log-sum-exp against the
dense form; safeguarded Newton against brentq); the post's first step recomputed in mpmath.
"""

from __future__ import annotations

import mpmath
import numpy as np

from edges import Row, count, real, real_array
from scispaces import entropy

MODULE = "scispaces.reference"

ROW = np.array([0.5, -1.0, 2.0])
P = np.array([[0.5, 0.3, 0.2]])
Q, K = (
    np.array([[1.0, 0.0, 2.0], [0.5, -1.0, 0.0]]),
    np.array([[0.3, 1.0, -1.0]] * 4) + np.eye(4, 3),
)


def _mp_softmax_check(result, s, dps):
    assert result == np.float64(entropy.softmax_entropy(np.asarray(s, dtype=float))) or abs(
        result - entropy.softmax_entropy(np.asarray(s, dtype=float))
    ) <= 1e-13 * max(1.0, abs(result)), result


def _mp_power_check(result, p, gamma, dps):
    want = entropy.power_entropy(np.asarray(p, dtype=float), float(np.asarray(gamma, dtype=float)))
    assert abs(result - want) <= 1e-13 * max(1.0, abs(want)), (result, want)


def _dense_check(result, q, k, scale):
    want = entropy.attention_entropy(q, k, scale=float(np.asarray(scale, dtype=float)))
    np.testing.assert_allclose(result, want, rtol=1e-12, atol=1e-12)


def _brentq_check(result, p, target, xtol):
    out, gamma = result
    rows = np.asarray(p, dtype=float)
    t = np.broadcast_to(np.asarray(target, dtype=float), rows.shape[:1])
    assert np.all(gamma > 0) and np.all(np.isfinite(out))
    H = entropy.power_entropy(out, 1.0)
    slack = 1e-11 + float(np.asarray(xtol, dtype=float)) * np.log(rows.shape[1]) ** 2
    assert np.all(np.abs(H - t) <= slack), (H, t)


def _post_check(result, p, target, steps):
    """Shapes (steps, rows), and the first gamma = 1 + (t - H)/(H^2 - E log^2 p) in mpmath."""
    gammas, errors = result
    rows = np.asarray(p, dtype=float)
    assert gammas.shape == errors.shape == (int(steps), rows.shape[0])
    t = np.broadcast_to(np.asarray(target, dtype=float), rows.shape[:1])
    with mpmath.workdps(40):
        for row, ti, g in zip(rows, t, gammas[0], strict=True):
            w = [mpmath.mpf(float(v)) / mpmath.fsum(mpmath.mpf(float(x)) for x in row) for v in row]
            H = -mpmath.fsum(v * mpmath.log(v) for v in w)
            second = mpmath.fsum(v * mpmath.log(v) ** 2 for v in w)
            want = float(1 + (mpmath.mpf(float(ti)) - H) / (H**2 - second))
            if np.isfinite(want):
                assert abs(g - want) <= 1e-10 * max(1.0, abs(want)), (g, want)
            else:  # beyond the float range: the float iteration overflows the same way
                assert g == want, (g, want)


ROWS = [
    Row(
        "mp_softmax_entropy",
        {"s": real_array(ROW, supports=("-inf",)), "dps": count(40)},
        check=_mp_softmax_check,
    ),
    Row(
        "mp_power_entropy",
        {"p": real_array(P[0]), "gamma": real(1.5), "dps": count(40)},
        check=_mp_power_check,
    ),
    Row(
        "dense_attention_entropy",
        {"q": real_array(Q), "k": real_array(K), "scale": real(0.7)},
        check=_dense_check,
    ),
    Row(
        "brentq_normalize",
        {"p": real_array(P), "target": real(0.8), "xtol": real(1e-14)},
        check=_brentq_check,
    ),
    Row(
        "post_entropy_newton",
        {"p": real_array(P), "target": real(0.8), "steps": count(10)},
        check=_post_check,
        finite=False,  # its failures (negative gamma, overflow, NaN) are what it returns
    ),
]
