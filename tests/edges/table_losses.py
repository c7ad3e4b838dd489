"""Edge table of scispaces.losses: every loss and gradient against its 50-digit mpmath definition.

References (scispaces.reference): ``mp_binary_loss`` (the definitions in mpmath),
``mp_binary_loss_grad`` (``mpmath.diff`` of them, for |logits| <= 1e4 and gamma, K <= 100; beyond,
only finiteness is required), ``mp_exact_toy_optimum`` (bisection on the stationarity condition,
k <= 1000; beyond, b* is 1/8 in float64).
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from edges import Row, case, choice, real
from scispaces.losses import KINDS, REDUCTIONS
from scispaces.reference import (
    MP_GRAD_LIMITS,
    MP_TOY_MAX_K,
    mp_binary_loss,
    mp_binary_loss_grad,
    mp_exact_toy_optimum,
)

MODULE = "scispaces.losses"

RTOL = 1e-13  # the docstrings promise (2 + gamma/2) ulps for gamma <= 40, 1e-13 beyond
ATOL = 1e-300  # values below about 1e-300 have absolute accuracy only
EMPTY = ("empty",)  # vectorised: empty in, empty out (reduction 'none')
X0 = np.array([-100.0, -2.5, 0.0, 0.4, 30.0, 100.0])


def _numpy(v):
    return v.detach().numpy() if isinstance(v, torch.Tensor) else v


def _tensor_cases(valid: np.ndarray) -> tuple:
    """PyTorch logits: used when real, finite and on the CPU; refused by name otherwise."""
    bad = torch.tensor(valid)
    bad[-1] = float("nan")
    return (
        case("tensor", torch.tensor(valid), "either"),
        case("tensor that requires grad", torch.tensor(valid, requires_grad=True), "either"),
        case("float32 tensor", torch.tensor(valid, dtype=torch.float32), "either"),
        case("int tensor", torch.tensor(valid).round().long(), "either"),
        case("complex tensor", torch.tensor(valid, dtype=torch.complex128), "refuse"),
        case("bool tensor", torch.tensor(valid > 0), "refuse"),
        case("nan tensor", bad, "refuse"),
        case("meta tensor", torch.empty(3, device="meta"), "refuse"),
    )


def _loss_check(grad: bool):
    """The result against the oracle for the same arguments, reduced as asked."""

    def check(result, logits, y, kind, gamma, K, margin, alpha, reduction):
        got = _numpy(result)
        single = np.asarray(got).dtype == np.float32  # float32 tensors: float32 rounding
        rtol, atol = (1e-6, float(np.finfo(np.float32).tiny)) if single else (RTOL, ATOL)
        assert np.all(np.isfinite(got)), got
        oracle = mp_binary_loss_grad if grad else mp_binary_loss
        x, labels = np.asarray(_numpy(logits), dtype=float), np.asarray(_numpy(y), dtype=float)
        x, labels = np.broadcast_arrays(x, labels)
        if grad and (
            np.abs(x).max(initial=0) > MP_GRAD_LIMITS["logits"]
            or float(gamma) > MP_GRAD_LIMITS["gamma"]
            or float(K) > MP_GRAD_LIMITS["K"]
        ):
            return  # outside the checked range of mpmath.diff: finiteness only
        want = oracle(x, labels, kind, float(gamma), float(K), float(margin), alpha)
        if reduction == "sum" and not grad:
            want = want.sum()
        elif reduction == "mean":
            want = want.mean() if not grad else want / want.size
        err = np.abs(np.asarray(got, dtype=float) - want)
        assert np.all(err <= atol + rtol * np.abs(want)), (got, want)

    return check


def _toy_check(result, k):
    k_arr = np.asarray(k, dtype=float)
    got = np.broadcast_to(np.asarray(result, dtype=float), k_arr.shape)
    assert np.all(np.isfinite(got)), got
    inside = k_arr <= MP_TOY_MAX_K
    assert np.all(got[~inside] == 0.125), got[~inside]
    if inside.any():
        want = mp_exact_toy_optimum(k_arr[inside])
        assert np.all(np.abs(got[inside] - want) <= 1e-14 * want), (got[inside], want)


LABELS = st.sampled_from([0.0, 1.0]) | st.lists(
    st.sampled_from([-1.0, 1.0]), min_size=1, max_size=3
)


def _args():
    return {
        "logits": real(X0, supports=EMPTY, extra=_tensor_cases(X0), strategy=st.floats(-1e6, 1e6)),
        "y": real(
            1.0,
            extra=(
                case("a label per logit", np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0]), "result"),
                case("labels -1 and 1", np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0]), "result"),
                case("label 0.5", 0.5, "refuse"),
                case("0 and -1 mixed", [0.0, -1.0, 0.0, -1.0, 0.0, -1.0], "refuse"),
            ),
            strategy=LABELS,
        ),
        "kind": choice("focal", KINDS),
        "gamma": real(0.5, strategy=st.floats(0, 100)),
        "K": real(1.0, strategy=st.floats(0, 100)),
        "margin": real(0.6, strategy=st.floats(0.5, 0.999)),
        "alpha": real(0.25, supports=("None",), strategy=st.none() | st.floats(0, 1)),
        "reduction": choice("none", REDUCTIONS),
    }


ROWS = [
    Row("binary_loss", _args(), broadcast=("logits", "y"), check=_loss_check(grad=False)),
    Row("binary_loss_grad", _args(), broadcast=("logits", "y"), check=_loss_check(grad=True)),
    Row(
        "exact_toy_optimum",
        {"k": real(1.0, supports=EMPTY, strategy=st.floats(1e-300, 1e308))},
        check=_toy_check,
    ),
]
