"""Edge table of scispaces.reference, embedding section: the oracles of tests/test_embedding.py,
of the word-vector chapter and of its benchmark, each checked against an independent one."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from edges import Row, close, count, real, real_array
from scispaces.embedding import h, pair_entropy

MODULE = "scispaces.reference"

EMPTY = ("empty",)  # vectorised: empty in, empty out


def _library_h(n, kappa, dps=None):
    """The library's h at the same point (an independent implementation: series, Debye)."""
    return h(np.asarray(n, dtype=float), np.asarray(kappa, dtype=float))


def _laplace_check(result, n, kappa):
    """Where its remainder is negligible (n >= 1e8) the expansion equals h; elsewhere finite."""
    n_arr = np.asarray(n, dtype=float)
    got = np.asarray(result, dtype=float)
    assert got.shape == n_arr.shape and np.all(np.isfinite(got)), got
    far = n_arr >= 1e8
    want = h(np.where(far, n_arr, 1e8), float(np.asarray(kappa, dtype=float)))
    assert np.all(np.abs(got - want)[far] <= 1e-13 * np.abs(want)[far]), (got, want)


def _ive_check(result, n, kappa):
    """NaN only where scipy's ive underflows (large n); elsewhere the closed form's value."""
    want = np.asarray(_library_h(n, kappa))
    got = np.broadcast_to(np.asarray(result, dtype=float), want.shape)
    normal = np.isfinite(got)
    assert np.all(normal | (np.broadcast_to(np.asarray(n, dtype=float), want.shape) > 2000))
    assert np.all(np.abs(got - want)[normal] <= 1e-10 * np.abs(want)[normal]), (got, want)


U0 = np.array([[0.3, -1.0], [2.0, 0.5], [1.0, 1.0]])
V0 = np.array([[1.0, 0.0], [0.5, -0.5]])
POINT = {
    "n": real(64.0, strategy=st.floats(2, 2e4)),
    "kappa": real(1.0, strategy=st.floats(0.01, 2.5)),
}

ROWS = [
    Row("mp_h", {**POINT, "dps": count(40)}, check=close(_library_h, rtol=1e-12)),
    Row("mp_h_quad", {**POINT, "dps": count(20)}, check=close(_library_h, rtol=1e-12), examples=5),
    Row(
        "h_laplace",
        {
            "n": real(6e4, supports=EMPTY, strategy=st.floats(0, 1e300)),  # float16 holds 6e4
            "kappa": real(1.0, strategy=st.floats(0.01, 20)),
        },
        check=_laplace_check,
    ),
    Row(
        "h_ive",
        {"n": real(64.0, supports=EMPTY), "kappa": real(1.0, supports=EMPTY)},
        broadcast=("n", "kappa"),
        check=_ive_check,
        finite=False,  # a baseline: NaN marks where its ive underflows (n above about 2900)
    ),
    Row(
        "dense_pair_entropy",
        {"U": real_array(U0), "V": real_array(V0)},
        check=close(lambda U, V: pair_entropy(U, V), rtol=1e-12, atol=1e-15),
    ),
]
