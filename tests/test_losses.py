"""Tests of scispaces.losses: binary losses and gradients in log-sigmoid form; EXACT's toy optimum."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from scispaces.losses import KINDS, binary_loss, binary_loss_grad, exact_toy_optimum
from scispaces.reference import (
    EPS,
    mp_binary_loss,
    mp_binary_loss_grad,
    mp_exact_toy_optimum,
    relative_errors,
    torchvision_focal,
)

LOGITS = st.floats(-100, 100)
GAMMAS = st.floats(0, 10)
STEEP = st.floats(0, 10)
SMOOTH = ("ce", "focal", "softened")


def ulps_allowed(gamma: float = 0.0) -> float:
    """The documented accuracy, (2 + gamma/2) ulps, with a factor 2 to spare."""
    return (4 + gamma) * EPS


# =========================================================================== hand cases


def test_cross_entropy_hand_values():
    assert binary_loss(0.0, 1) == math.log(2)
    assert binary_loss_grad(0.0, 1) == -0.5
    assert binary_loss(-800.0, 1) == 800.0  # log(1 + e^800) = 800 to the last bit
    assert binary_loss(800.0, 1) == 0.0  # e^-800 is below the float range
    assert binary_loss(40.0, 1) == pytest.approx(math.exp(-40), rel=1e-15)
    assert binary_loss_grad(40.0, 0) == pytest.approx(1 / (1 + math.exp(-40)), rel=1e-15)


def test_hinge_hand_values():
    np.testing.assert_array_equal(binary_loss([-1.0, 0.5, 1.0, 3.0], 1, "hinge"), [2, 0.5, 0, 0])
    np.testing.assert_array_equal(
        binary_loss_grad([-1.0, 0.5, 1.0, 3.0], 1, "hinge"), [-1, -1, 0, 0]
    )
    assert binary_loss(-2.0, 0, "hinge") == 0.0 and binary_loss_grad(2.0, 0, "hinge") == 1.0


def test_hard_truncation_at_its_threshold():
    """theta(0) = 1/2 at the float threshold t = log m - log(1 - m); 1 below it, 0 above."""
    t = math.log(0.6) - math.log1p(-0.6)
    ce = binary_loss(t, 1)
    assert binary_loss(t, 1, "hard_truncated") == ce / 2
    assert binary_loss(np.nextafter(t, 0), 1, "hard_truncated") == binary_loss(
        np.nextafter(t, 0), 1
    )
    assert binary_loss(np.nextafter(t, 1), 1, "hard_truncated") == 0.0
    assert binary_loss_grad(np.nextafter(t, 1), 1, "hard_truncated") == 0.0
    assert binary_loss(0.0, 1, "hard_truncated", margin=0.5) == math.log(2) / 2  # 4733's m = 1/2


def test_special_cases_of_the_family():
    x = np.linspace(-50, 50, 101)
    y = (x > 3).astype(float)
    np.testing.assert_array_equal(binary_loss(x, y, "focal", gamma=0), binary_loss(x, y))
    np.testing.assert_array_equal(binary_loss_grad(x, y, "focal", gamma=0), binary_loss_grad(x, y))
    np.testing.assert_array_equal(
        binary_loss(x, y, "softened", K=1), binary_loss(x, y, "focal", gamma=1)
    )
    np.testing.assert_array_equal(
        binary_loss(x, y, "softened", K=0), binary_loss(x, y) / 2
    )  # sigma(0) = 1/2


def test_focal_is_finite_and_accurate_at_saturation():
    """Where 1 - p_t rounds to 0 the usual formula's gradient is NaN for gamma < 1; ours is not."""
    x = torch.tensor([37.0, 40.0, 100.0, 700.0], dtype=torch.float64, requires_grad=True)
    y = torch.ones(4, dtype=torch.float64)
    (baseline,) = torch.autograd.grad(torchvision_focal(x, y, 0.5).sum(), x)
    assert torch.isnan(baseline).any()
    ours = binary_loss_grad(x.detach().numpy(), 1, "focal", gamma=0.5)
    assert np.all(np.isfinite(ours)) and np.all(ours[:3] < 0) and ours[3] == 0  # e^-1050: 0
    want = mp_binary_loss_grad(x.detach().numpy()[:3], 1, "focal", gamma=0.5)
    assert relative_errors(ours[:3], want).max() <= ulps_allowed(0.5)


def test_class_weight_and_reductions():
    x, y = np.array([-1.0, 0.3, 2.0]), np.array([1, 0, 1])
    plain = binary_loss(x, y, "focal")
    weighted = binary_loss(x, y, "focal", alpha=0.25)
    np.testing.assert_allclose(weighted, plain * [0.25, 0.75, 0.25], rtol=1e-15)
    assert binary_loss(x, y, "focal", reduction="sum") == pytest.approx(plain.sum(), rel=1e-15)
    assert binary_loss(x, y, "focal", reduction="mean") == pytest.approx(plain.mean(), rel=1e-15)
    grad = binary_loss_grad(x, y, "focal")
    np.testing.assert_array_equal(binary_loss_grad(x, y, "focal", reduction="sum"), grad)
    np.testing.assert_allclose(binary_loss_grad(x, y, "focal", reduction="mean"), grad / 3)


def test_label_conventions_and_scalars():
    x = np.array([-3.0, 0.5, 4.0])
    np.testing.assert_array_equal(binary_loss(x, [1, 0, 1]), binary_loss(x, [1, -1, 1]))
    assert isinstance(binary_loss(0.5, 1, "softened"), float)
    assert isinstance(binary_loss_grad(0.5, 1, "softened"), float)
    assert isinstance(binary_loss([0.5], [1], reduction="mean"), float)
    assert binary_loss(np.zeros((2, 1)), np.ones(3)).shape == (2, 3)
    assert binary_loss([], 1).shape == (0,)


def test_the_toy_optimum():
    """b*(1) = log u*, u* the positive root of c u^3 - (c^2 + c + 1) u - 2c, c = e^(1/4) (SymPy)."""
    u, c = sp.Symbol("u"), sp.exp(sp.Rational(1, 4))
    roots = sp.Poly(c * u**3 - (c**2 + c + 1) * u - 2 * c, u).nroots(n=30)
    positive = [r for r in roots if r.is_real and r > 0]
    assert len(positive) == 1
    assert exact_toy_optimum(1.0) == pytest.approx(float(sp.log(positive[0])), rel=2 * EPS)
    ks = np.geomspace(1e-3, 1e3, 25)
    assert relative_errors(exact_toy_optimum(ks), mp_exact_toy_optimum(ks)).max() <= 4 * EPS
    b = exact_toy_optimum(ks)
    assert np.all(np.diff(b) <= 0) and np.all(np.diff(b)[b[1:] > 0.125] < 0)  # down to 1/8
    assert exact_toy_optimum(1e4) == 0.125
    assert exact_toy_optimum(1e-300) == pytest.approx(math.log(2) / 1e-300, rel=1e-15)


# =========================================================================== properties


@given(LOGITS, st.sampled_from([0.0, 1.0]), st.sampled_from(KINDS), GAMMAS, STEEP)
@settings(max_examples=60)
def test_against_mpmath(x, y, kind, gamma, K):
    """Loss and gradient against the 50-digit definitions (mpmath.diff for the gradient)."""
    options = {"gamma": gamma, "K": K}
    value, grad = binary_loss(x, y, kind, **options), binary_loss_grad(x, y, kind, **options)
    allowed = ulps_allowed(gamma if kind == "focal" else 1.0)
    assert relative_errors(value, mp_binary_loss(x, y, kind, **options)).max() <= allowed
    assert relative_errors(grad, mp_binary_loss_grad(x, y, kind, **options)).max() <= allowed


@given(st.floats(-1e300, 1e300), st.sampled_from([0.0, 1.0]), st.sampled_from(KINDS), GAMMAS)
def test_finite_for_every_finite_logit(x, y, kind, gamma):
    assert math.isfinite(binary_loss(x, y, kind, gamma=gamma))
    assert math.isfinite(binary_loss_grad(x, y, kind, gamma=gamma))


@given(st.floats(-30, 30), st.sampled_from(SMOOTH), GAMMAS, STEEP)
def test_gradient_against_finite_differences(x, kind, gamma, K):
    """A central difference with step h = 1e-5 has truncation error h^2 f'''/6: rtol 1e-7 is ample."""
    h = 1e-5
    options = {"gamma": gamma, "K": K}
    slope = (binary_loss(x + h, 1, kind, **options) - binary_loss(x - h, 1, kind, **options)) / (
        2 * h
    )
    grad = binary_loss_grad(x, 1, kind, **options)
    assert abs(slope - grad) <= 1e-7 * abs(grad) + 1e-9


@given(
    LOGITS,
    st.sampled_from(KINDS),
    GAMMAS,
    STEEP,
    st.none() | st.integers(0, 64).map(lambda i: i / 64),
)
def test_symmetry_of_labels_and_logits(x, kind, gamma, K, alpha):
    """L(x, y = 1) = L(-x, y = 0) with alpha -> 1 - alpha (alpha on a grid where 1 - alpha is
    exact); the gradient changes sign."""
    flip = None if alpha is None else 1 - alpha
    pos = {"gamma": gamma, "K": K, "alpha": alpha}
    neg = {"gamma": gamma, "K": K, "alpha": flip}
    assert binary_loss(x, 1, kind, **pos) == pytest.approx(
        binary_loss(-x, 0, kind, **neg), rel=4 * EPS, abs=0
    )
    assert binary_loss_grad(x, 1, kind, **pos) == pytest.approx(
        -binary_loss_grad(-x, 0, kind, **neg), rel=4 * EPS, abs=0
    )


@given(LOGITS, GAMMAS)
def test_softened_and_focal_push_the_right_way(x, gamma):
    """For a positive example every smooth loss decreases in the logit (derivative < 0) where it
    is a normal float."""
    for kind in SMOOTH:
        grad = binary_loss_grad(x, 1, kind, gamma=gamma)
        assert grad < 0 or abs(grad) < 1e-300


# =========================================================================== PyTorch


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_torch_backward_is_the_analytic_gradient(kind, reduction):
    x = torch.linspace(-60, 60, 41, dtype=torch.float64, requires_grad=True)
    y = (torch.arange(41) % 3 == 0).double()
    loss = binary_loss(x, y, kind, gamma=0.5, reduction=reduction)
    assert isinstance(loss, torch.Tensor) and loss.dtype == torch.float64
    np.testing.assert_array_equal(
        loss.detach().numpy(),
        binary_loss(x.detach().numpy(), y.numpy(), kind, gamma=0.5, reduction=reduction),
    )
    (grad,) = torch.autograd.grad(loss.sum(), x)
    assert torch.equal(grad, binary_loss_grad(x, y, kind, gamma=0.5, reduction=reduction))


def test_torch_dtypes_and_broadcasting():
    x32 = torch.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    loss = binary_loss(x32, torch.tensor([1.0, 0.0, 1.0]), "focal")
    assert loss.dtype == torch.float32
    loss.sum().backward()
    assert x32.grad.dtype == torch.float32 and torch.isfinite(x32.grad).all()
    xb = torch.zeros((3, 1), dtype=torch.float64, requires_grad=True)
    binary_loss(xb, np.ones((3, 4))).sum().backward()  # y broadcasts: the gradient is summed
    assert torch.equal(xb.grad, torch.full((3, 1), -2.0, dtype=torch.float64))


# =========================================================================== bad input


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: binary_loss(np.nan, 1), ValueError, "logits"),
        (lambda: binary_loss(np.inf, 1), ValueError, "logits"),
        (lambda: binary_loss("1", 1), TypeError, "logits"),
        (lambda: binary_loss(1.0, 2), ValueError, "y"),
        (lambda: binary_loss([1.0, 2.0], [0, -1]), ValueError, "y"),
        (lambda: binary_loss(1.0, True), TypeError, "y"),
        (lambda: binary_loss(1.0, 1, "square"), ValueError, "kind"),
        (lambda: binary_loss(1.0, 1, None), TypeError, "kind"),
        (lambda: binary_loss(1.0, 1, "focal", gamma=-0.5), ValueError, "gamma"),
        (lambda: binary_loss(1.0, 1, "softened", K=-1), ValueError, "K"),
        (lambda: binary_loss(1.0, 1, "hard_truncated", margin=0.4), ValueError, "margin"),
        (lambda: binary_loss(1.0, 1, "hard_truncated", margin=1.0), ValueError, "margin"),
        (lambda: binary_loss(1.0, 1, alpha=1.5), ValueError, "alpha"),
        (lambda: binary_loss(1.0, 1, reduction="max"), ValueError, "reduction"),
        (lambda: binary_loss([], 1, reduction="mean"), ValueError, "logits"),
        (lambda: binary_loss([1.0, 2.0], [1, 0, 1]), ValueError, "logits, y"),
        (lambda: binary_loss_grad(np.nan, 1), ValueError, "logits"),
        (lambda: binary_loss(torch.tensor([1.0, float("nan")]), 1), ValueError, "logits"),
        (lambda: binary_loss(torch.tensor([1 + 1j]), 1), TypeError, "logits"),
        (lambda: binary_loss(torch.empty(2, device="meta"), 1), ValueError, "logits"),
        (lambda: exact_toy_optimum(0.0), ValueError, "k"),
        (lambda: exact_toy_optimum(-1.0), ValueError, "k"),
        (lambda: exact_toy_optimum(5e-324), ValueError, "k"),
        (lambda: exact_toy_optimum(np.nan), ValueError, "k"),
    ],
)
def test_bad_input_is_refused_by_name(call, error, name):
    with pytest.raises(error, match=f"^{name}:"):
        call()
