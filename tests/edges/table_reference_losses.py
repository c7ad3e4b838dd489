"""Edge table of scispaces.reference, losses section: the oracles of tests/test_losses.py, the
losses chapter and the losses benchmark.

Checks independent of each oracle: the loss oracles against the library (log-sigmoid algebra,
not mpmath), the toy optimum's bisection against the library's cubic, the torchvision formula
against the library where it is not saturated.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from edges import Row, any_, case, choice, count, real
from scispaces.losses import KINDS, binary_loss, binary_loss_grad, exact_toy_optimum

MODULE = "scispaces.reference"

X0 = np.array([-100.0, -2.5, 0.0, 0.4, 30.0, 100.0])
LABELS = st.sampled_from([0.0, 1.0])


def _against(library):
    def check(result, logits, y, kind, gamma, K, margin, alpha, dps):
        want = library(logits, y, kind, gamma=gamma, K=K, margin=margin, alpha=alpha)
        assert np.all(np.abs(result - want) <= 1e-300 + 1e-13 * np.abs(want)), (result, want)

    return check


def _oracle_args(grad: bool):
    limit = 100 if grad else 1e6
    return {
        "logits": real(X0, supports=("empty",), strategy=st.floats(-limit, limit)),
        "y": real(1.0, extra=(case("label 2", 2.0, "refuse"),), strategy=LABELS),
        "kind": choice("focal", KINDS),
        "gamma": real(0.5, strategy=st.floats(0, 100)),
        "K": real(1.0, strategy=st.floats(0, 100)),
        "margin": real(0.6, strategy=st.floats(0.5, 0.999)),
        "alpha": real(0.25, supports=("None",), strategy=st.none() | st.floats(0, 1)),
        "dps": count(50, extra=(case("dps 500", 500, "refuse"),)),
    }


def _toy_check(result, k, dps):
    want = exact_toy_optimum(k)
    assert np.all(np.abs(result - want) <= 1e-14 * np.abs(want)), (result, want)


def _torchvision_check(result, logits, y, gamma):
    """Within 1e-10 (absolute 1e-12) of the library where neither is NaN: the formula loses
    digits only in losses below 1e-12."""
    got = result.detach().numpy()
    x = logits.detach().numpy() if isinstance(logits, torch.Tensor) else np.asarray(logits)
    labels = y.detach().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    want = binary_loss(x.astype(float), labels.astype(float), "focal", gamma=float(gamma))
    assert np.all(np.abs(got - want) <= 1e-12 + 1e-10 * np.abs(want)), (got, want)


T_X, T_Y = torch.tensor(X0), torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0, 0.0], dtype=torch.float64)

ROWS = [
    Row("mp_binary_loss", _oracle_args(False), check=_against(binary_loss), examples=10),
    Row("mp_binary_loss_grad", _oracle_args(True), check=_against(binary_loss_grad), examples=10),
    Row(
        "mp_exact_toy_optimum",
        {
            "k": real(1.0, supports=("empty",), strategy=st.floats(1e-300, 1000)),
            "dps": count(50, extra=(case("dps 500", 500, "refuse"),)),
        },
        check=_toy_check,
        examples=5,
    ),
    Row(
        "torchvision_focal",
        {
            "logits": real(X0, extra=(case("tensor", torch.tensor(X0), "either"),)),
            "y": real(
                np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0]),
                extra=(case("label -1", -1.0, "refuse"), case("tensor", T_Y, "either")),
                strategy=st.lists(LABELS, min_size=6, max_size=6),
            ),
            "gamma": real(2.0, strategy=st.floats(0, 100)),
        },
        check=_torchvision_check,
    ),
    Row(
        "torchvision_focal_formula",
        {"logits": any_(T_X), "y": any_(T_Y), "gamma": any_(2.0)},
        check=_torchvision_check,
        examples=0,  # unchecked by design: the benchmark times the bare formula
    ),
]
