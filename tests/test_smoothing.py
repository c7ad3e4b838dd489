"""Tests of scispaces.smoothing: smoothing by an approximate delta, and Fourier-series densities."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from scispaces.reference import EPS, mp_fourier, mp_smoothed, quad_convolution
from scispaces.smoothing import (
    KERNELS,
    FourierDensity,
    _nll_and_gradient,
    fourier_cdf,
    fourier_coefficients,
    fourier_fit,
    fourier_logpdf,
    fourier_pdf,
    fourier_ppf,
    fourier_sample,
    smooth,
    smooth_floor,
    smooth_relu,
    smooth_step,
)


def relu(y):
    return np.maximum(y, 0.0)


def step(y):
    return (y >= 0).astype(float)


def quiet(fn, *args, **kwargs):
    """fn(*args, **kwargs) with every warning, overflow, invalid operation and division by zero
    raised as an error (an underflow to 0 is a correct result)."""
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


# =========================================================================== hand cases

# E cos(x - wZ) = cos(x) * (characteristic function of Z at w)
CHARACTERISTIC = {
    "gaussian": lambda w: math.exp(-(w**2) / 2),
    "logistic": lambda w: math.pi * w / math.sinh(math.pi * w),
}
VARIANCE = {"gaussian": 1.0, "logistic": math.pi**2 / 3}


@pytest.mark.parametrize("kernel", ["gaussian", "logistic"])
def test_smooth_cosine_is_the_characteristic_function(kernel):
    x = np.linspace(-3, 3, 13)
    got = quiet(smooth, np.cos, x, 0.7, kernel)
    np.testing.assert_allclose(got, np.cos(x) * CHARACTERISTIC[kernel](0.7), rtol=0, atol=4 * EPS)


def test_cauchy_smooths_cauchy_into_cauchy():
    # pi * (Cauchy(1) * Cauchy(a))(x) = (1 + a) / ((1 + a)^2 + x^2)
    x = np.linspace(-5, 5, 11)
    got = quiet(smooth, lambda y: 1 / (1 + y * y), x, 0.5, "cauchy")
    np.testing.assert_allclose(got, 1.5 / (1.5**2 + x**2), rtol=1e-14)


def test_oscillation_in_the_cauchy_tail_costs_accuracy():
    # cos oscillates ever faster in the kernel's tail variable: measured 3.4e-4, documented
    got = smooth(np.cos, 0.0, 0.7, "cauchy")
    assert 1e-6 < abs(got - math.exp(-0.7)) < 1e-3


@pytest.mark.parametrize("kernel", ["gaussian", "logistic"])
def test_smooth_square_adds_the_kernel_variance(kernel):
    x = np.array([-2.0, 0.0, 0.5, 3.0])
    got = smooth(np.square, x, 0.5, kernel)
    np.testing.assert_allclose(got, x**2 + 0.25 * VARIANCE[kernel], rtol=20 * EPS)


def test_closed_forms_at_zero():
    assert smooth_relu(0.0, 2.0, "logistic") == pytest.approx(2 * math.log(2), rel=2 * EPS)
    assert smooth_relu(0.0, 2.0) == pytest.approx(2 / math.sqrt(2 * math.pi), rel=2 * EPS)
    for kernel in KERNELS:
        assert smooth_step(0.0, 0.3, kernel) == 0.5
        assert smooth_floor(0.0, 0.3, kernel, lo=-1, hi=0) == -0.5


def test_scalar_in_float_out():
    for value in (
        smooth(np.cos, 0.0, 1.0),
        smooth_relu(1.0, 1.0),
        smooth_step(1.0, 1.0),
        smooth_floor(1.0, 1.0),
        fourier_pdf(0.0, [1.0, 0.5]),
        fourier_logpdf(0.0, [1.0, 0.5]),
        fourier_cdf(0.0, [1.0, 0.5]),
        fourier_ppf(0.5, [1.0, 0.5]),
    ):
        assert type(value) is float


@pytest.mark.parametrize("kernel", ["gaussian", "logistic"])
def test_smooth_relu_against_mpmath(kernel):
    x = np.concatenate([np.linspace(-37, 37, 149), [-1.81, -1.79, -1e-8, 1e-8]])
    want = mp_smoothed("relu", x, 1.0, kernel)
    np.testing.assert_allclose(smooth_relu(x, 1.0, kernel), want, rtol=4e-15, atol=0)
    np.testing.assert_allclose(smooth_relu(3 * x, 3.0, kernel), 3 * want, rtol=4e-15, atol=0)


@pytest.mark.parametrize("kernel", KERNELS)
def test_smooth_step_against_mpmath(kernel):
    x = np.concatenate([-np.geomspace(1e-3, 1e3, 40), np.geomspace(1e-3, 1e3, 40)])
    want = mp_smoothed("step", x, 0.5, kernel)
    got = smooth_step(x, 0.5, kernel)
    ok = want > 1e-300  # the Gaussian and logistic tails underflow beyond
    # the condition number of Phi at z is about z^2 in the Gaussian tail (z phi(z) / Phi(z))
    bound = 2 * EPS * (1 + (x[ok] / 0.5) ** 2 if kernel == "gaussian" else 2)
    assert np.all(np.abs(got[ok] - want[ok]) <= bound * want[ok])


@pytest.mark.parametrize("kernel", KERNELS)
def test_smooth_floor_against_mpmath(kernel):
    x = np.linspace(-9, 13, 111)
    want = mp_smoothed("floor", x, 0.3, kernel, lo=-6, hi=10)
    got = smooth_floor(x, 0.3, kernel, lo=-6, hi=10)
    np.testing.assert_allclose(got, want, rtol=4e-15, atol=1e-300)


@pytest.mark.parametrize("kernel", KERNELS)
def test_smooth_matches_the_closed_forms(kernel):
    x = np.linspace(-20, 20, 41)
    ok = np.abs(x) <= 20
    if kernel != "cauchy":
        np.testing.assert_allclose(
            smooth(relu, x, 1.0, kernel, breaks=[0.0]), smooth_relu(x, 1.0, kernel), rtol=1e-13
        )
    np.testing.assert_allclose(
        smooth(step, x[ok], 1.0, kernel, breaks=[0.0]), smooth_step(x[ok], 1.0, kernel), rtol=1e-13
    )
    floor = lambda y: np.clip(np.floor(y), -3, 4)  # noqa: E731
    np.testing.assert_allclose(
        smooth(floor, x, 0.4, kernel, breaks=np.arange(-2, 5)),
        smooth_floor(x, 0.4, kernel, lo=-3, hi=4),
        rtol=0,
        atol=1e-13,
    )


@pytest.mark.parametrize("kernel", KERNELS)
def test_smooth_against_quad(kernel):
    f = lambda y: np.exp(-y * y / 8) + 0.3 * (y - 1) * (y > 1) / np.sqrt(1 + np.abs(y))  # noqa: E731
    x = np.array([-2.0, 0.3, 1.0, 4.0])
    want = quad_convolution(lambda y: float(f(np.array(y))), x, 0.6, kernel, breaks=[1.0])
    np.testing.assert_allclose(smooth(f, x, 0.6, kernel, breaks=[1.0]), want, rtol=1e-10)


@pytest.mark.parametrize("kernel", KERNELS)
def test_features_narrower_than_the_kernel(kernel):
    # a bump of width 1 under a kernel of width 10: documented 2e-9 at worst (logistic)
    bump = lambda y: np.exp(-y * y / 2)  # noqa: E731
    want = quad_convolution(lambda y: math.exp(-y * y / 2), 0.0, 10.0, kernel)
    assert smooth(bump, 0.0, 10.0, kernel) == pytest.approx(float(want), rel=4e-9)


def test_smooth_without_breaks_is_less_accurate():
    x = np.linspace(-3, 3, 25)
    err = np.max(np.abs(smooth(relu, x, 1.0) - smooth_relu(x, 1.0)))
    assert 1e-9 < err < 1e-2


def test_heavy_tails_refused_or_converged():
    with pytest.raises(ValueError, match="^kernel:"):
        smooth(relu, 0.0, 1.0, "cauchy", breaks=[0.0])
    with pytest.raises(ValueError, match="^kernel:"):
        smooth(np.square, [0.0, 1.0], 1.0, "cauchy")
    with pytest.raises(ValueError, match="^kernel:"):
        smooth_relu(1.0, 1.0, "cauchy")
    # |y|^(1/2)-like growth converges with the Cauchy kernel: E (1 + Z^2)^(1/4) = B(1/2, 1/4)/pi
    got = smooth(lambda y: (1 + y * y) ** 0.25, 0.0, 1.0, "cauchy")
    want = special.gamma(0.5) * special.gamma(0.25) / special.gamma(0.75) / math.pi
    assert got == pytest.approx(want, rel=1e-13)


def test_far_left_tail_of_the_gaussian_relu():
    # below about -37.5 w the value underflows: 0, not a warning or NaN
    assert quiet(smooth_relu, -40.0, 1.0) == 0.0
    assert quiet(smooth, relu, -40.0, 1.0, "gaussian", [0.0]) == 0.0


def test_smooth_floor_limits():
    x = np.array([-100.0, 100.0, 0.5])
    got = smooth_floor(x, 1e-3, "gaussian", lo=-6, hi=10)
    np.testing.assert_array_equal(got, [-6.0, 10.0, 0.0])


# =========================================================================== Fourier densities


def test_coefficients_hand_case():
    # |a0 + a1 e^{-i pi x}|^2 = |a0|^2 + |a1|^2 + 2 Re(a0 conj(a1) e^{i pi x})
    c = fourier_coefficients([2.0, 1.0 + 1.0j])
    np.testing.assert_allclose(c, [6.0, 2.0 - 2.0j], rtol=0, atol=4 * EPS)


def test_order_zero_is_the_logistic_law():
    y = np.linspace(-8, 8, 33)
    law = stats.logistic(loc=0.5, scale=1.5)  # sigma / 2
    np.testing.assert_allclose(fourier_pdf(y, [3.0], 0.5, 3.0), law.pdf(y), rtol=1e-14)
    np.testing.assert_allclose(fourier_logpdf(y, [3.0], 0.5, 3.0), law.logpdf(y), rtol=1e-14)
    np.testing.assert_allclose(fourier_cdf(y, [3.0], 0.5, 3.0), law.cdf(y), rtol=1e-14)
    u = np.linspace(0.01, 0.99, 21)
    np.testing.assert_allclose(fourier_ppf(u, [3.0], 0.5, 3.0), law.ppf(u), rtol=1e-13, atol=1e-14)


A = np.array([1.0, 0.4 - 0.3j, -0.2j, 0.1 + 0.05j])


def test_pdf_logpdf_cdf_against_mpmath():
    y = np.linspace(-12, 12, 25)
    np.testing.assert_allclose(
        fourier_pdf(y, A, 0.3, 1.7), mp_fourier("pdf", y, A, 0.3, 1.7), rtol=1e-13
    )
    np.testing.assert_allclose(
        fourier_logpdf(y, A, 0.3, 1.7), mp_fourier("logpdf", y, A, 0.3, 1.7), rtol=1e-14
    )
    np.testing.assert_allclose(
        fourier_cdf(y, A, 0.3, 1.7), mp_fourier("cdf", y, A, 0.3, 1.7), rtol=1e-13, atol=2e-16
    )


def test_far_tails():
    # the left tail of the CDF keeps relative accuracy; the log-pdf never underflows
    y = np.array([-300.0, -100.0, -30.0])
    np.testing.assert_allclose(fourier_cdf(y, A), mp_fourier("cdf", y, A), rtol=1e-12)
    np.testing.assert_allclose(fourier_logpdf(y, A), mp_fourier("logpdf", y, A), rtol=1e-14)


coefficient = st.complex_numbers(max_magnitude=10, allow_nan=False, allow_infinity=False)
coefficients = st.lists(coefficient, min_size=1, max_size=9).filter(
    lambda v: np.any(np.abs(v) > 1e-3)
)


@settings(max_examples=40)
@given(coefficients, st.floats(-5, 5), st.floats(0.1, 10))
def test_nonnegative_and_normalised(a, mu, sigma):
    y = mu + sigma * np.linspace(-30, 30, 601)
    assert np.all(fourier_pdf(y, a, mu, sigma) >= 0)
    # in x = tanh z the density is a trigonometric polynomial of degree N: the periodic
    # trapezoid rule with more than N points integrates it exactly
    x = np.linspace(-1, 1, 64, endpoint=False)
    z = np.arctanh(x[1:])
    q = fourier_pdf(mu + sigma * z, a, mu, sigma) * sigma / (1 - x[1:] ** 2)
    p_at_minus_one = np.abs(np.sum(a * np.cos(np.pi * np.arange(len(a))))) ** 2 / (
        2 * np.sum(np.abs(a) ** 2)
    )
    total = 2 / 64 * (np.sum(q) + p_at_minus_one)
    assert total == pytest.approx(1.0, abs=64 * EPS * len(a))


@settings(max_examples=40)
@given(coefficients)
def test_cdf_monotone_and_matches_pdf(a):
    y = np.linspace(-15, 15, 301)
    F = fourier_cdf(y, a)
    assert np.all(np.diff(F) >= -4 * EPS) and F[0] >= 0 and F[-1] <= 1
    lo, hi = -1.3, 2.1
    piece, _ = integrate.quad(
        lambda v: fourier_pdf(v, a), lo, hi, epsabs=1e-14, epsrel=1e-12, limit=200
    )
    assert fourier_cdf(hi, a) - fourier_cdf(lo, a) == pytest.approx(piece, abs=1e-13)


@settings(max_examples=40)
@given(coefficients, st.floats(1e-12, 1 - 1e-12))
def test_quantile_round_trip(a, u):
    y = fourier_ppf(u, a, 0.2, 2.0)
    F = fourier_cdf(y, a, 0.2, 2.0)
    assert F == pytest.approx(u, rel=1e-11, abs=1e-15)


def test_quantile_deep_tails():
    u = 10.0 ** -np.arange(20, 300, 40)
    y = fourier_ppf(u, A)
    np.testing.assert_allclose(fourier_cdf(y, A), u, rtol=1e-12)
    y_up = fourier_ppf(1 - 1e-15, A)
    assert 1 - fourier_cdf(y_up, A) == pytest.approx(1e-15, rel=0.2)  # 1 - u is exact to 1 ulp


def test_sampling_passes_a_ks_test():
    sample = fourier_sample(A, 0.3, 1.7, 20_000, seed=5)
    assert sample.shape == (20_000,)
    p = stats.kstest(sample, lambda v: fourier_cdf(v, A, 0.3, 1.7)).pvalue
    assert p > 1e-3
    np.testing.assert_array_equal(sample, fourier_sample(A, 0.3, 1.7, 20_000, seed=5))
    assert fourier_sample(A, size=0, seed=1).shape == (0,)


def test_gradient_against_finite_differences():
    rng = np.random.default_rng(1)
    t = rng.standard_normal(60)
    theta = rng.standard_normal(12) * 0.5
    _, grad = _nll_and_gradient(theta, t, 5, 0.01)
    h = 1e-6
    numeric = [
        (_nll_and_gradient(theta + e, t, 5, 0.01)[0] - _nll_and_gradient(theta - e, t, 5, 0.01)[0])
        / (2 * h)
        for e in np.eye(12) * h
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_fit_recovers_a_fourier_density():
    truth = FourierDensity(A / np.linalg.norm(A), 0.3, 1.7)
    train = fourier_sample(*truth, size=20_000, seed=2)
    test = fourier_sample(*truth, size=20_000, seed=3)
    fit = fourier_fit(train, order=3, reg=0.0)
    excess = np.mean(fourier_logpdf(test, *truth) - fourier_logpdf(test, *fit))
    assert abs(excess) < 2e-3  # an estimate of KL(truth || fit): of order (params)/(2 n)
    assert isinstance(fit, FourierDensity) and fit.a.shape == (4,)
    assert np.sum(np.abs(fit.a) ** 2) == pytest.approx(1.0, rel=4 * EPS)


def test_fit_is_deterministic():
    y = np.random.default_rng(0).standard_t(3, 500)
    first, second = fourier_fit(y, 6, 1e-4, seed=1), fourier_fit(y, 6, 1e-4, seed=1)
    np.testing.assert_array_equal(first.a, second.a)
    assert first.mu == second.mu and first.sigma == second.sigma


# =========================================================================== bad input


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: smooth(np.cos, 0.0, 0.0), "width"),
        (lambda: smooth(np.cos, 0.0, -1.0), "width"),
        (lambda: smooth(np.cos, np.nan, 1.0), "x"),
        (lambda: smooth(np.cos, 0.0, 1.0, "box"), "kernel"),
        (lambda: smooth(lambda y: y[:1], [0.0, 1.0], 1.0), "f"),
        (lambda: smooth(lambda y: np.full_like(y, np.nan), 0.0, 1.0), "f"),
        (lambda: smooth(np.cos, 0.0, 1.0, breaks=[np.inf]), "breaks"),
        (lambda: smooth_relu(0.0, 0.0), "width"),
        (lambda: smooth_step(0.0, 1.0, "Gaussian"), "kernel"),
        (lambda: smooth_floor(0.0, 1.0, lo=3, hi=3), "lo, hi"),
        (lambda: smooth_floor(0.0, 1.0, lo=0, hi=2**21), "lo, hi"),
        (lambda: smooth_floor(0.0, 1.0, lo=0, hi=2**60), "hi"),
        (lambda: fourier_pdf(0.0, [0.0, 0.0]), "a"),
        (lambda: fourier_pdf(0.0, []), "a"),
        (lambda: fourier_pdf(0.0, [[1.0]]), "a"),
        (lambda: fourier_pdf(0.0, [1.0], sigma=0.0), "sigma"),
        (lambda: fourier_cdf(0.0, [np.nan]), "a"),
        (lambda: fourier_ppf(0.0, [1.0]), "u"),
        (lambda: fourier_ppf(1.0, [1.0]), "u"),
        (lambda: fourier_sample([1.0], size=-1), "size"),
        (lambda: fourier_sample([1.0], size=2**40), "size"),
        (lambda: fourier_fit([1.0, 2.0], 2**20), "order"),
        (lambda: fourier_fit([], 4), "samples"),
        (lambda: fourier_fit([1.0, 1.0, 1.0], 4), "samples"),
        (lambda: fourier_fit([1.0, np.inf], 4), "samples"),
        (lambda: fourier_fit([1.0, 2.0], 0), "order"),
        (lambda: fourier_fit([1.0, 2.0], 3, reg=-1.0), "reg"),
        (lambda: fourier_fit([1.0, 2.0], 3, reg=1e4), "reg"),
    ],
)
def test_bad_values_are_refused_by_name(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: smooth("cos", 0.0, 1.0), "f"),
        (lambda: smooth(lambda y: "a", 0.0, 1.0), "f"),
        (lambda: smooth(np.cos, "0", 1.0), "x"),
        (lambda: smooth_relu(0.0, 1.0, 3), "kernel"),
        (lambda: smooth_floor(0.0, 1.0, lo=0.5), "lo"),
        (lambda: fourier_pdf(0.0, ["a"]), "a"),
        (lambda: fourier_fit([1.0, 2.0], 3.0), "order"),
        (lambda: fourier_sample([1.0], size=2.5), "size"),
    ],
)
def test_bad_types_are_refused_by_name(call, name):
    with pytest.raises(TypeError, match=f"^{name}:"):
        call()
