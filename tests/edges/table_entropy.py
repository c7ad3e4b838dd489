"""Edge table of scispaces.entropy: each function against an independent reference.

References: the row entropies in mpmath (``mp_softmax_entropy``, ``mp_power_entropy``); the
attention entropy from all scores at once with SciPy's logsumexp; the mean field from mpmath's
Bessel closed form (``mp_h``, up to d = 1e4) or the two-term Laplace expansion (``h_laplace``,
from d = 1e8, where it is exact to rounding); invariant_scale and entropy_normalize by their
residuals, recomputed in mpmath.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from edges import Row, close, count, flag, real, real_array
from scispaces.reference import h_laplace, mp_h, mp_power_entropy, mp_softmax_entropy

MODULE = "scispaces.entropy"

SCORES = np.array([0.5, -1.0, 2.0])
P = np.array([0.5, 0.3, 0.2])
Q, K = (
    np.array([[1.0, 0.0, 2.0], [0.5, -1.0, 0.0]]),
    np.array([[0.3, 1.0, -1.0]] * 4) + np.eye(4, 3),
)
EMPTY = ("empty",)


def _along(fn, arr, axis):
    """``fn`` applied to every 1-d row of ``arr`` along ``axis``, as a float array."""
    return np.apply_along_axis(fn, axis, np.asarray(arr, dtype=float))


def _softmax_check(result, s, axis):
    want = _along(mp_softmax_entropy, s, axis)
    np.testing.assert_allclose(result, want, rtol=1e-13, atol=1e-15)


def _attention_check(result, q, k, scale, chunk):
    q, k = np.asarray(q, dtype=float), np.asarray(k, dtype=float)
    lam = 1 / np.sqrt(q.shape[-1]) if scale is None else np.asarray(scale, dtype=float)
    s = np.einsum("...md,...nd->...mn", q, k) * np.asarray(lam)[..., None]
    s = s - s.max(axis=-1, keepdims=True)  # exact for the largest: huge tied scores stay tied
    log_p = s - special.logsumexp(s, axis=-1, keepdims=True)
    want = -(np.exp(log_p) * log_p).sum(axis=-1)
    np.testing.assert_allclose(result, want, rtol=1e-12, atol=1e-12 * np.log(k.shape[-2] + 1))


def _mean_field(n, d, lam):
    """log n + h(d, lam): mpmath's Bessel form up to d = 1e4, the Laplace expansion from 1e8."""
    n, d, lam = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (n, d, lam)))
    out = np.empty(n.shape)
    for i, (ni, di, li) in enumerate(zip(n.ravel(), d.ravel(), lam.ravel(), strict=True)):
        assert di <= 1e4 or di >= 1e8, f"no reference for d = {di}"
        hi = mp_h(di, li) if di <= 1e4 else h_laplace(di, li)
        out.flat[i] = np.log(ni) + hi
    return out


def _invariant_check(result, n, d, target):
    np.testing.assert_allclose(
        _mean_field(n, d, result), np.asarray(target, dtype=float), atol=1e-11
    )


def _power_check(result, p, gamma, axis):
    rows = np.moveaxis(np.asarray(p, dtype=float), axis, -1)
    g = np.broadcast_to(np.asarray(gamma, dtype=float), np.shape(result))
    rows = np.broadcast_to(rows, (*g.shape, rows.shape[-1]))
    flat = rows.reshape(-1, rows.shape[-1])
    want = np.array([mp_power_entropy(flat[i], g.flat[i]) for i in range(g.size)]).reshape(g.shape)
    np.testing.assert_allclose(result, want, rtol=1e-12, atol=1e-14)


def _normalize_check(result, p, target, axis, return_gamma):
    out, gamma = result if return_gamma else (result, None)
    rows = np.moveaxis(np.asarray(p, dtype=float), axis, -1)
    q = np.moveaxis(np.asarray(out), axis, -1)
    t = np.broadcast_to(np.asarray(target, dtype=float), q.shape[:-1])
    H = _along(lambda row: mp_power_entropy(row, 1.0), q, -1)
    np.testing.assert_allclose(H, t, rtol=0, atol=3e-13)
    np.testing.assert_allclose(q.sum(axis=-1), 1.0, rtol=1e-14)
    assert np.all((q > 0) == (rows > 0)), "zeros must stay zero and only they"
    if return_gamma:
        g = np.asarray(gamma, dtype=float)
        assert np.all(g > 0) and np.all(np.isfinite(g))


ROWS = [
    Row(
        "softmax_entropy",
        {"s": real_array(SCORES, supports=("-inf",)), "axis": count(0)},
        check=_softmax_check,
    ),
    Row(
        "attention_entropy",
        {
            "q": real_array(Q),
            "k": real_array(K),
            "scale": real(0.7, supports=("None",)),
            "chunk": count(1),
        },
        check=_attention_check,
    ),
    Row(
        "mean_field_entropy",
        {
            "n": real(512.0, supports=EMPTY),
            "d": real(64.0, supports=EMPTY),
            "lam": real(0.125, supports=EMPTY),
        },
        broadcast=("n", "d", "lam"),
        check=close(_mean_field, rtol=1e-12, atol=1e-12),
    ),
    Row(
        "invariant_scale",
        {
            "n": real(4096.0, supports=EMPTY),
            "d": real(64.0, supports=EMPTY),
            "target": real(3.67, supports=EMPTY),
        },
        broadcast=("n", "d", "target"),
        check=_invariant_check,
    ),
    Row(
        "power_entropy",
        {"p": real_array(P), "gamma": real(1.5, supports=EMPTY), "axis": count(0)},
        check=_power_check,
    ),
    Row(
        "entropy_normalize",
        {"p": real_array(P), "target": real(0.8), "axis": count(0), "return_gamma": flag(False)},
        check=_normalize_check,
    ),
]
