"""Edge table of scispaces.embedding: h against mpmath or the Laplace expansion, min_dimension by
its defining equation, pair_entropy against the dense log-sum-exp computation.

References (scispaces.reference): mpmath's Bessel closed form where it is fast (n <= 2e4,
kappa n <= 5e4), the two-term Laplace expansion where its remainder is negligible (n >= 1e8).
Between the two, h is only required to be finite and negative.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from edges import Row, case, count, real, real_array
from scispaces.reference import dense_pair_entropy, h_laplace, mp_h

MODULE = "scispaces.embedding"

RTOL = 1e-12  # the docstring promises 1e-13 (measured 5e-14)
EMPTY = ("empty",)  # vectorised: empty in, empty out


def _h_reference(n: float, kappa: float) -> float | None:
    """h_n from a reference independent of the library, or None where neither is cheap."""
    if n <= 2e4 and kappa * n <= 5e4:
        return mp_h(n, kappa)
    if n >= 1e8:
        return h_laplace(n, kappa)
    return None


def _h_check(result, n, kappa):
    n_arr, k_arr = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(kappa, dtype=float))
    got = np.broadcast_to(np.asarray(result, dtype=float), n_arr.shape)
    assert np.all(np.isfinite(got) & (got < 0)), got
    for g, nv, kv in zip(got.ravel(), n_arr.ravel(), k_arr.ravel(), strict=True):
        want = _h_reference(float(nv), float(kv))
        assert want is None or abs(g - want) <= RTOL * abs(want), (nv, kv, g, want)


def _crossing_check(result, N, kappa):
    """The smallest n >= 2 with 2 log N + h_n <= 0: a root of 2 log N + h_n, or 2 where the
    estimate is negative already there; h_n from a reference where one is cheap."""
    n_arr = np.asarray(result, dtype=float)
    N_arr = np.broadcast_to(np.asarray(N, dtype=float), n_arr.shape)
    kv = float(np.asarray(kappa, dtype=float))
    assert np.all(np.isfinite(n_arr) & (n_arr >= 2)), n_arr
    for nv, Nv in zip(n_arr.ravel(), N_arr.ravel(), strict=True):
        want, scale = _h_reference(float(nv), kv), max(1.0, 2 * np.log(Nv))
        if want is not None and nv > 2:
            assert abs(2 * np.log(Nv) + want) <= 1e-8 * scale, (Nv, nv, want)
        elif want is not None:
            assert 2 * np.log(Nv) + want <= 1e-8 * scale, (Nv, nv, want)


def _as_numpy(x):
    return x.detach().numpy() if isinstance(x, torch.Tensor) else x


def _entropy_check(result, U, V, chunk):
    want = dense_pair_entropy(_as_numpy(U), _as_numpy(V))
    assert isinstance(result, float) and result >= 0, result
    assert abs(result - want) <= 1e-12 * want + 1e-15, (result, want)


U0 = np.array([[0.3, -1.0], [2.0, 0.5], [1.0, 1.0]])
V0 = np.array([[1.0, 0.0], [0.5, -0.5]])


def _tensor_cases(valid: np.ndarray) -> tuple:
    """PyTorch inputs: used as they are when real and finite, refused by name otherwise."""
    bad = torch.tensor(valid)
    bad[-1, -1] = float("nan")
    return (
        case("tensor", torch.tensor(valid), "either"),
        case("tensor that requires grad", torch.tensor(valid, requires_grad=True), "either"),
        case("float32 tensor", torch.tensor(valid, dtype=torch.float32), "either"),
        case("complex tensor", torch.tensor(valid, dtype=torch.complex128), "refuse"),
        case("bool tensor", torch.tensor(valid > 0), "refuse"),
        case("nan tensor", bad, "refuse"),
        # rows (1e8, 0): scores 1e8 and 5e7, entropy log 3; log Z - sum p s cancelled (2 for log 3)
        case("large equal rows", np.tile([1e8, 0.0], (valid.shape[0], 1)), "either"),
    )


ROWS = [
    Row(
        "h",
        {
            "n": real(64.0, supports=EMPTY, strategy=st.floats(2, 1e300)),
            "kappa": real(1.0, supports=EMPTY, strategy=st.floats(0.01, 20)),
        },
        broadcast=("n", "kappa"),
        check=_h_check,
    ),
    Row(
        "min_dimension",
        {
            "N": real(
                1e4, supports=EMPTY, strategy=st.floats(2, 1e308)
            ),  # float16 holds 1e4, not 1e5
            "kappa": real(1.0, strategy=st.floats(0.01, 20)),
        },
        check=_crossing_check,
    ),
    Row(
        "pair_entropy",
        {
            "U": real_array(U0, extra=_tensor_cases(U0)),
            "V": real_array(V0, extra=_tensor_cases(V0)),
            "chunk": count(2),
        },
        check=_entropy_check,
    ),
]
