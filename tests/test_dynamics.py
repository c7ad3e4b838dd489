"""Tests of scispaces.dynamics: heavy ball and Nesterov as discretised dynamics, and their temperature."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from scispaces.dynamics import (
    continuous_params,
    heavy_ball_params,
    momentum_sgd,
    rescale_momentum,
    stationary_variance,
)
from scispaces.reference import (
    EPS,
    exact_stationary_variance,
    gibbs_mean,
    lyapunov_variance,
    torch_momentum_sgd,
)

gammas = st.floats(1e-6, 1e3)
momenta = st.floats(0.0, 0.999)
fractions = st.floats(0.001, 0.99)  # a step as a fraction of the stability edge


# =========================================================================== hand cases


def test_heavy_ball_params_by_hand():
    # gamma = 0.1, lam = 2: lam gamma / 2 = 0.1, beta = 0.9 / 1.1, alpha = 0.01 / 1.1
    lr, beta = heavy_ball_params(0.1, 2.0)
    assert lr == pytest.approx(0.01 / 1.1, rel=4 * EPS)
    assert beta == pytest.approx(0.9 / 1.1, rel=4 * EPS)
    assert isinstance(lr, float) and isinstance(beta, float)
    assert heavy_ball_params(0.3, 0.0) == (pytest.approx(0.09, rel=EPS), 1.0)  # no friction
    assert heavy_ball_params(0.5, 4.0)[1] == 0.0  # lam gamma = 2: beta = 0


def test_continuous_params_by_hand():
    gamma, lam = continuous_params(0.01, 0.0)  # beta = 0: lam gamma = 2, gamma^2 = 2 alpha
    assert gamma == pytest.approx(math.sqrt(0.02), rel=2 * EPS)
    assert lam * gamma == pytest.approx(2.0, rel=2 * EPS)
    assert continuous_params(0.04, 1.0) == (pytest.approx(0.2, rel=2 * EPS), 0.0)


def test_rescale_momentum_by_hand():
    assert rescale_momentum(0.9, 0.25) == pytest.approx(0.95, rel=EPS)
    assert rescale_momentum(0.9, 1.0) == 0.9
    assert rescale_momentum(1.0, 7.0) == 1.0
    assert rescale_momentum(0.5, 4.0) == 0.0  # (1 - beta) sqrt(r) = 1 exactly
    assert rescale_momentum([0.0, 0.5], 0.25).tolist() == [0.5, 0.75]


def test_stationary_variance_by_hand():
    # SGD (beta = 0): Var = lr sigma^2 / (h (2 - lr h)) = 0.1 / 1.9
    assert stationary_variance(1.0, 0.1, 0.0, 1.0) == pytest.approx(0.1 / 1.9, rel=4 * EPS)
    # beta = 0.5, lr h = 1, sigma = 2: (1.5)(4) / (0.5 * 1 * (3 - 1)) = 6
    assert stationary_variance(1.0, 1.0, 0.5, 2.0) == pytest.approx(6.0, rel=4 * EPS)
    assert stationary_variance(2.0, 0.01, 0.9, 1.0, limit=True) == pytest.approx(
        0.01 / (2 * 2 * 0.1), rel=8 * EPS
    )
    assert stationary_variance(1.0, 0.1, 0.3, 0.0) == 0.0


def test_momentum_sgd_by_hand():
    # L = theta^2, grad 2 theta, lr 0.1, beta 0.5 from 1: b1 = 2, theta1 = 0.8;
    # b2 = 1 + 1.6 = 2.6, theta2 = 0.8 - 0.26 = 0.54
    assert momentum_sgd(lambda t: 2 * t, 1.0, 0.1, 0.5, 2) == pytest.approx(0.54, rel=4 * EPS)
    # Nesterov: theta1 = 1 - 0.1 (2 + 0.5 * 2) = 0.7; g = 1.4, b2 = 2.4,
    # theta2 = 0.7 - 0.1 (1.4 + 1.2) = 0.44
    out = momentum_sgd(lambda t: 2 * t, 1.0, 0.1, 0.5, 2, nesterov=True)
    assert out == pytest.approx(0.44, rel=4 * EPS)
    assert momentum_sgd(lambda t: 2 * t, 1.0, 0.1, 0.5, 0) == 1.0


def test_momentum_sgd_record_and_buffer():
    theta, b = momentum_sgd(lambda t: 2 * t, 1.0, 0.1, 0.5, 2, record=1, buffer=True)
    assert theta == pytest.approx([1.0, 0.8, 0.54], rel=4 * EPS)
    assert b == pytest.approx([0.0, 2.0, 2.6], rel=4 * EPS)
    every_other = momentum_sgd(lambda t: t, np.ones((3, 2)), 0.1, 0.9, 10, record=2)
    assert every_other.shape == (6, 3, 2)
    full = momentum_sgd(lambda t: t, np.ones((3, 2)), 0.1, 0.9, 10, record=1)
    np.testing.assert_array_equal(every_other, full[::2])
    np.testing.assert_array_equal(
        full[-1], momentum_sgd(lambda t: t, np.ones((3, 2)), 0.1, 0.9, 10)
    )


def test_beta_zero_is_gradient_descent():
    h = np.array([1.0, 3.0])
    theta = np.array([1.0, -2.0])
    want = theta.copy()
    for _ in range(5):
        want = want - 0.1 * h * want
    np.testing.assert_allclose(
        momentum_sgd(lambda t: h * t, theta, 0.1, 0.0, 5), want, rtol=4 * EPS
    )


def test_input_not_mutated():
    theta = np.ones((4, 3))
    momentum_sgd(lambda t: t, theta, 0.1, 0.5, 5, noise=1.0)
    np.testing.assert_array_equal(theta, np.ones((4, 3)))


# =========================================================================== vectorisation


def test_paths_are_independent_and_parameters_broadcast():
    """One call over columns with their own lr and beta = one call per column (no noise)."""
    h = np.array([1.0, 2.0, 5.0])
    lr, beta = np.array([0.1, 0.05, 0.2]), np.array([0.0, 0.9, 0.5])
    start = np.linspace(-1, 1, 12).reshape(4, 3)
    together = momentum_sgd(lambda t: h * t * t * t, start, lr, beta, 30)
    for j in range(3):
        alone = momentum_sgd(lambda t, j=j: h[j] * t * t * t, start[:, j], lr[j], beta[j], 30)
        np.testing.assert_allclose(together[:, j], alone, rtol=2 * EPS, atol=1e-300)


def test_deterministic_for_a_seed():
    run = lambda seed: momentum_sgd(lambda t: t, np.zeros((50, 4)), 0.1, 0.9, 20, 1.0, False, seed)  # noqa: E731
    np.testing.assert_array_equal(run(3), run(3))
    assert not np.array_equal(run(3), run(4))
    np.testing.assert_array_equal(run(np.random.default_rng(3)), run(3))


def test_noise_is_replayable():
    """Step n adds noise times the n-th block of default_rng(seed).standard_normal, as documented."""
    rng = np.random.default_rng(9)
    theta, b = np.zeros((5, 2)), np.zeros((5, 2))
    for _ in range(7):
        g = 0.5 * theta + 0.3 * rng.standard_normal((5, 2))
        b = 0.8 * b + g
        theta = theta - 0.2 * b
    out = momentum_sgd(lambda t: 0.5 * t, np.zeros((5, 2)), 0.2, 0.8, 7, noise=0.3, seed=9)
    np.testing.assert_allclose(out, theta, rtol=0, atol=4 * EPS)


# =========================================================================== properties


@given(gammas, st.floats(0.0, 1.0))
def test_params_round_trip(gamma, fraction):
    """(gamma, lam) -> (lr, beta) -> (gamma, lam): gamma to rounding, lam to rounding of 1 - beta."""
    lam = 2 * fraction / gamma
    lr, beta = heavy_ball_params(gamma, lam)
    assert 0 <= beta <= 1 and lr > 0
    g2, l2 = continuous_params(lr, beta)
    assert g2 == pytest.approx(gamma, rel=8 * EPS)
    if lam > 0 and beta < 1:
        assert l2 == pytest.approx(lam, rel=8 * EPS / (1 - beta) + 8 * EPS)


@given(st.floats(1e-300, 1e300), momenta)
def test_params_round_trip_other_way(lr, beta):
    gamma, lam = continuous_params(lr, beta)
    lr2, beta2 = heavy_ball_params(gamma, lam)
    assert lr2 == pytest.approx(lr, rel=8 * EPS)
    assert beta2 == pytest.approx(beta, rel=8 * EPS, abs=8 * EPS)


@given(momenta, st.floats(0.01, 1.0), st.floats(0.01, 1.0))
def test_rescaling_composes(beta, r1, r2):
    """Scaling by r1 then r2 is scaling by r1 r2: 1 - (1 - beta) sqrt(r1) sqrt(r2)."""
    twice = rescale_momentum(rescale_momentum(beta, r1), r2)
    assert twice == pytest.approx(rescale_momentum(beta, r1 * r2), abs=8 * EPS)


@given(st.floats(0.1, 3.0), st.floats(0.05, 0.95))
def test_rescaling_rule_is_first_order(lam, r):
    """At a fixed friction, the rule's beta differs from the exact one by lam^2 alpha (r - sqrt r)/4
    + O(alpha^(3/2)): checked at alpha = 1e-6, where the next term is 1e-3 of the leading one."""
    alpha = 1e-6
    gamma_of = lambda a: (math.sqrt(a) * math.sqrt(a * lam * lam + 16) + a * lam) / 4  # noqa: E731
    beta = heavy_ball_params(gamma_of(alpha), lam)[1]
    exact = heavy_ball_params(gamma_of(r * alpha), lam)[1]
    predicted = lam * lam * alpha * (r - math.sqrt(r)) / 4
    assert exact - rescale_momentum(beta, r) == pytest.approx(predicted, rel=0.02, abs=1e-14)


@given(st.floats(1e-3, 1e3), fractions, momenta, st.floats(1e-3, 1e3))
def test_variance_against_exact_rational(h, f, beta, sigma):
    """Within 30 eps of the exact value, times the conditioning 1 / (1 - f) near the edge."""
    lr = f * 2 * (1 + beta) / h
    got = stationary_variance(h, lr, beta, sigma)
    want = exact_stationary_variance(h, lr, beta, sigma)
    assert abs(got / want - 1) <= 30 * EPS / (1 - lr * h / (2 * (1 + beta)))


@given(st.floats(1e-3, 1e3), fractions, momenta)
def test_limit_is_small_step_limit(h, f, beta):
    lr = f * 2 * (1 + beta) / h
    exact = stationary_variance(h, lr, beta, 1.0)
    limit = stationary_variance(h, lr, beta, 1.0, limit=True)
    assert limit == pytest.approx(exact * (1 - f), rel=1e-12)
    assert limit == pytest.approx(lr / (2 * h * (1 - beta)), rel=1e-12)


def test_variance_against_scipy_lyapunov():
    h = np.geomspace(0.1, 10, 7)[:, None, None]
    beta = np.array([0.0, 0.5, 0.9, 0.99])[None, :, None]
    f = np.array([0.01, 0.3, 0.9])[None, None, :]
    lr = f * 2 * (1 + beta) / h
    np.testing.assert_allclose(
        stationary_variance(h, lr, beta, 0.7), lyapunov_variance(h, lr, beta, 0.7), rtol=1e-11
    )


# =========================================================================== against torch.optim.SGD


@pytest.mark.parametrize(
    ("lr", "beta", "noise", "nesterov"),
    [
        (0.01, 0.9, 0.0, False),
        (0.01, 0.9, 0.0, True),
        (0.05, 0.5, 1.0, False),
        (0.05, 0.5, 1.0, True),
        (0.08, 0.0, 0.3, False),  # torch refuses Nesterov without momentum: see below
    ],
)
def test_agrees_with_torch(lr, beta, noise, nesterov):
    h = np.geomspace(1, 20, 10)
    ht = torch.tensor(h)
    start = np.random.default_rng(1).standard_normal((200, 10))
    ours = momentum_sgd(lambda t: h * t, start, lr, beta, 150, noise, nesterov, seed=5)
    theirs = torch_momentum_sgd(lambda t: ht * t, start, lr, beta, 150, noise, nesterov, seed=5)
    assert np.abs(ours - theirs).max() <= 1e-13 * np.abs(start).max()


def test_nesterov_without_momentum_is_sgd():
    """torch.optim.SGD refuses nesterov=True with momentum 0; here it is plain SGD."""
    start = np.linspace(-1, 1, 6)
    plain = momentum_sgd(lambda t: 3 * t, start, 0.1, 0.0, 20, 0.2, False, seed=2)
    np.testing.assert_array_equal(
        momentum_sgd(lambda t: 3 * t, start, 0.1, 0.0, 20, 0.2, True, seed=2), plain
    )


@settings(max_examples=15, deadline=None)
@given(st.floats(1e-3, 0.1), st.floats(0.01, 0.999), st.booleans(), st.integers(0, 2**32))
def test_agrees_with_torch_property(lr, beta, nesterov, seed):
    """A nonlinear gradient (the double well) and noise: the same run to rounding (steps small
    enough that the map does not amplify rounding chaotically)."""
    start = np.linspace(-1.5, 1.5, 30).reshape(10, 3)
    ours = momentum_sgd(lambda t: t * t * t - t, start, lr, beta, 40, 0.5, nesterov, seed)
    theirs = torch_momentum_sgd(lambda t: t * t * t - t, start, lr, beta, 40, 0.5, nesterov, seed)
    scale = max(1.0, float(np.abs(theirs).max()))
    assert np.abs(ours - theirs).max() <= 1e-12 * scale


# =========================================================================== against simulation


@pytest.mark.parametrize(("beta", "f"), [(0.0, 0.5), (0.5, 0.1), (0.9, 0.8), (0.99, 0.3)])
def test_variance_against_simulation(beta, f):
    """Var of 20 000 independent paths (known mean 0) within 4 standard errors, Var sqrt(2/n)."""
    h, sigma, paths = 2.0, 0.5, 20_000
    lr = f * 2 * (1 + beta) / h
    final = momentum_sgd(lambda t: h * t, np.zeros(paths), lr, beta, 2_000, sigma, seed=17)
    want = stationary_variance(h, lr, beta, sigma)
    assert abs((final**2).mean() - want) <= 4 * want * math.sqrt(2 / paths)


def test_gibbs_mean_against_quad():
    from scipy.integrate import quad

    potential = lambda x: x**4 / 4 - x**2 / 2  # noqa: E731
    weight = lambda x: math.exp(-(potential(x) + 0.25) / 0.32)  # noqa: E731
    want = quad(lambda x: x * x * weight(x), -6, 6)[0] / quad(weight, -6, 6)[0]
    got = gibbs_mean(np.square, potential, 0.32, np.linspace(-4, 4, 2001))
    assert got == pytest.approx(want, rel=1e-12)


def test_exact_variance_is_rational():
    """lr = 1/2, h = 1, beta = 1/2, sigma = 1: Var = (3/2)(1/2) / ((1/2)(3 - 1/2)) = 3/5."""
    assert exact_stationary_variance(1.0, 0.5, 0.5, 1.0) == float(Fraction(3, 5))


# =========================================================================== bad input


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: heavy_ball_params(0.0, 1.0), ValueError, "gamma"),
        (lambda: heavy_ball_params(1e200, 0.0), ValueError, "gamma"),
        (lambda: heavy_ball_params(0.1, -1.0), ValueError, "lam"),
        (lambda: heavy_ball_params(0.1, 30.0), ValueError, "lam"),
        (lambda: heavy_ball_params("0.1", 1.0), TypeError, "gamma"),
        (lambda: heavy_ball_params([0.1, 0.2], [1.0, 2.0, 3.0]), ValueError, "gamma"),
        (lambda: continuous_params(0.0, 0.5), ValueError, "lr"),
        (lambda: continuous_params(0.1, 1.5), ValueError, "beta"),
        (lambda: continuous_params(0.1, -0.1), ValueError, "beta"),
        (lambda: continuous_params(0.1, np.nan), ValueError, "beta"),
        (lambda: rescale_momentum(0.5, 0.0), ValueError, "r"),
        (lambda: rescale_momentum(0.5, 9.0), ValueError, "r"),
        (lambda: rescale_momentum(1.5, 1.0), ValueError, "beta"),
        (lambda: stationary_variance(1.0, 4.0, 0.9, 1.0), ValueError, "lr"),
        (lambda: stationary_variance(1.0, 3.8, 0.9, 1.0), ValueError, "lr"),  # at the edge
        (lambda: stationary_variance(1.0, 0.1, 1.0, 1.0), ValueError, "beta"),
        (lambda: stationary_variance(-1.0, 0.1, 0.5, 1.0), ValueError, "h"),
        (lambda: stationary_variance(1.0, -0.1, 0.5, 1.0), ValueError, "lr"),
        (lambda: stationary_variance(1.0, 0.1, 0.5, -1.0), ValueError, "sigma"),
        (lambda: stationary_variance(1.0, 0.1, 0.5, 1e200), ValueError, "sigma"),
        (lambda: stationary_variance(1.0, 0.1, 0.5, 1.0, limit=1), TypeError, "limit"),
        (lambda: momentum_sgd(lambda t: t, 1.0, 0.0, 0.5, 10), ValueError, "lr"),
        (lambda: momentum_sgd(lambda t: t, 1.0, 0.1, 1.5, 10), ValueError, "beta"),
        (lambda: momentum_sgd(lambda t: t, 1.0, 0.1, 0.5, 10, noise=-1.0), ValueError, "noise"),
        (lambda: momentum_sgd(lambda t: t, 1.0, 0.1, 0.5, 2.0), TypeError, "steps"),
        (lambda: momentum_sgd(lambda t: t, 1.0, 0.1, 0.5, 10**7), ValueError, "steps"),
        (lambda: momentum_sgd(lambda t: t, 1.0, 0.1, 0.5, 10, record=3), ValueError, "record"),
        (lambda: momentum_sgd(lambda t: t, 1.0, 0.1, 0.5, 10, nesterov=1), TypeError, "nesterov"),
        (lambda: momentum_sgd(lambda t: t, 1.0, 0.1, 0.5, 10, buffer="no"), TypeError, "buffer"),
        (lambda: momentum_sgd(lambda t: t, 1.0, 0.1, 0.5, 10, seed=-1), ValueError, "seed"),
        (lambda: momentum_sgd("grad", 1.0, 0.1, 0.5, 10), TypeError, "grad"),
        (lambda: momentum_sgd(lambda t: t[:1], np.ones(3), 0.1, 0.5, 10), ValueError, "grad"),
        (lambda: momentum_sgd(lambda t: t * np.nan, 1.0, 0.1, 0.5, 10), ValueError, "grad"),
        (lambda: momentum_sgd(lambda t: "x", 1.0, 0.1, 0.5, 10), TypeError, "grad"),
        (lambda: momentum_sgd(lambda t: t, np.ones(3), [0.1, 0.2], 0.5, 10), ValueError, "lr"),
        (
            lambda: momentum_sgd(lambda t: t, np.ones(3), 0.1, np.ones(4) / 2, 10),
            ValueError,
            "beta",
        ),
        (lambda: momentum_sgd(lambda t: t, [1.0, np.inf], 0.1, 0.5, 10), ValueError, "theta0"),
        (lambda: momentum_sgd(lambda t: t, 1.0, 10.0, 0.9, 1_000), ValueError, "lr"),  # overflows
    ],
)
def test_bad_input_is_refused_by_name(call, error, name):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert ":" in message and name in message.split(":")[0].split(", "), message


def test_nan_gradient_later_is_caught():
    """A gradient that turns NaN after the first (fully checked) call is caught by the periodic check."""
    calls = []

    def grad(t):
        calls.append(1)
        return t if len(calls) < 5 else t * np.nan

    with pytest.raises(
        ValueError, match="^lr, noise, grad: the iterates became NaN or inf by step 32"
    ):
        momentum_sgd(grad, np.ones(4), 0.1, 0.5, 100)
