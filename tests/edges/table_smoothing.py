"""Edge table of scispaces.smoothing: smooth on f(y) = y, whose convolution is x at every width
(smooth's accuracy on narrow features of f is measured in tests/test_smoothing.py); the closed
forms against their definitions in mpmath; the Fourier density against mpmath (its CDF by
quadrature of the density, not by the closed form); the sampler and the fit by their defining
properties.
"""

from __future__ import annotations

import numpy as np

from edges import Row, choice, close, count, function, real, real_array, seed
from scispaces.reference import EPS, mp_fourier, mp_smoothed

MODULE = "scispaces.smoothing"

KERNEL = choice("gaussian", ("gaussian", "logistic", "cauchy"))
A = [1.0, 0.4, -0.2]  # a Fourier density of order 2 (real coefficients: the battery is real)
COMPLEX = ("complex",)  # the coefficients a are complex numbers: a + 1j must give a result
SAMPLES = np.random.default_rng(0).standard_normal(64)


def _identity(y):
    return y


def _smooth_check(result, f, x, width, kernel, breaks):
    """E(x - wZ) = x for the symmetric kernels (the Cauchy kernel is refused: f grows linearly),
    within 64 eps of the scale E|x - wZ| <= |x| + w E|Z| (1e-6 of it when f returns float32)."""
    xs, ws = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(width, dtype=float))
    got = np.asarray(result, dtype=float)
    spread = {"gaussian": 0.8, "logistic": 1.4}[kernel]  # E|Z| = sqrt(2/pi), 2 log 2
    rel = 1e-6 if np.asarray(f(np.zeros(1))).dtype == np.float32 else 64 * EPS
    assert got.shape == xs.shape and np.all(np.abs(got - xs) <= rel * (np.abs(xs) + spread * ws))


def _autocorrelation(a):
    """c_n = sum_k a_k conj(a_{k+n}), summed directly in complex128."""
    a = np.asarray(a, dtype=complex)
    return [np.sum(a[: len(a) - n] * np.conj(a[n:])) for n in range(len(a))]


def _fit_check(result, samples, order, reg, seed):
    """A density of the stated order whose penalised objective is no worse than that of the
    logistic law at the median with scale IQR / 1.349 / 2 (a = e_0, where the penalty is 0)."""
    from scispaces.smoothing import _robust_location_scale, fourier_coefficients, fourier_logpdf

    y = np.asarray(samples, dtype=float).ravel()
    assert result.a.shape == (int(order) + 1,) and result.sigma > 0
    mu, scale = _robust_location_scale(y)
    start = -np.mean(fourier_logpdf(y, [1.0], mu, scale))
    c = fourier_coefficients(result.a)
    penalty = np.pi**2 * np.sum(np.arange(c.size) ** 2 * np.abs(c / c[0]) ** 2)
    objective = -np.mean(fourier_logpdf(y, *result)) + float(reg) * penalty
    assert objective <= start + 1e-9 * (1 + abs(start)), (objective, start)


def _sample_check(result, a, mu, sigma, size, seed):
    assert result.shape == (int(size),) and np.isfinite(result).all()


def _ppf_check(result, u, a, mu, sigma):
    """F(result) = u, F by mpmath quadrature of the density (30 digits), within 1e-11 of the
    smaller tail and the rounding of the result itself (4 ulp of y times the density)."""
    back = mp_fourier("cdf", result, a, mu, sigma)
    density = mp_fourier("pdf", result, a, mu, sigma)
    uu = np.asarray(u, dtype=float)
    tol = 1e-11 * np.minimum(uu, 1 - uu) + 4 * np.spacing(np.abs(result)) * density + 1e-300
    assert np.all(np.abs(back - uu) <= tol), (back, uu)


ROWS = [
    Row(
        "smooth",
        {
            "f": function(_identity),
            "x": real(0.5, supports=("empty",)),
            "width": real(0.7, supports=("empty",)),
            "kernel": KERNEL,
            "breaks": real_array([0.0, 1.0], supports=("empty", "None")),
        },
        broadcast=("x", "width"),
        check=_smooth_check,
    ),
    Row(
        "smooth_relu",
        {
            "x": real(0.5, supports=("empty",)),
            "width": real(0.7, supports=("empty",)),
            "kernel": choice("gaussian", ("gaussian", "logistic", "cauchy")),
        },
        broadcast=("x", "width"),
        check=close(lambda x, width, kernel: mp_smoothed("relu", x, width, kernel), 4e-15, 1e-300),
    ),
    Row(
        "smooth_step",
        {
            "x": real(0.5, supports=("empty",)),
            "width": real(0.7, supports=("empty",)),
            "kernel": KERNEL,
        },
        broadcast=("x", "width"),
        # the Gaussian tail's condition number is about (x/w)^2: 1e-12 covers |x/w| <= 37
        check=close(lambda x, width, kernel: mp_smoothed("step", x, width, kernel), 1e-12, 1e-300),
    ),
    Row(
        "smooth_floor",
        {
            "x": real(2.3, supports=("empty",)),
            "width": real(0.2, supports=("empty",)),
            "kernel": choice("logistic", ("gaussian", "logistic", "cauchy")),
            "lo": count(0),
            "hi": count(10),
        },
        broadcast=("x", "width"),
        check=close(
            lambda x, width, kernel, lo, hi: mp_smoothed("floor", x, width, kernel, lo, hi),
            4e-15,
            1e-300,
        ),
    ),
    Row(
        "fourier_coefficients",
        {"a": real_array(A, supports=COMPLEX)},
        check=close(_autocorrelation, 1e-14, 1e-300),
    ),
    Row(
        "fourier_pdf",
        {
            "y": real(0.5, supports=("empty",)),
            "a": real_array(A, supports=COMPLEX),
            "mu": real(0.3),
            "sigma": real(1.7),
        },
        check=close(lambda y, a, mu, sigma: mp_fourier("pdf", y, a, mu, sigma), 1e-12, 1e-300),
    ),
    Row(
        "fourier_logpdf",
        {
            "y": real(0.5, supports=("empty",)),
            "a": real_array(A, supports=COMPLEX),
            "mu": real(0.3),
            "sigma": real(1.7),
        },
        check=close(lambda y, a, mu, sigma: mp_fourier("logpdf", y, a, mu, sigma), 1e-13, 1e-13),
        finite=False,  # -inf where |y - mu| / sigma exceeds the float range: log q < -1.8e308
    ),
    Row(
        "fourier_cdf",
        {
            "y": real(0.5, supports=("empty",)),
            "a": real_array(A, supports=COMPLEX),
            "mu": real(0.3),
            "sigma": real(1.7),
        },
        check=close(lambda y, a, mu, sigma: mp_fourier("cdf", y, a, mu, sigma), 1e-12, 1e-15),
    ),
    Row(
        "fourier_ppf",
        {
            "u": real(0.3, supports=("empty",)),
            "a": real_array(A, supports=COMPLEX),
            "mu": real(0.3),
            "sigma": real(1.7),
        },
        check=_ppf_check,
    ),
    Row(
        "fourier_sample",
        {
            "a": real_array(A, supports=COMPLEX),
            "mu": real(0.3),
            "sigma": real(1.7),
            "size": count(5),
            "seed": seed(0),
        },
        check=_sample_check,
    ),
    Row(
        "fourier_fit",
        {
            "samples": real_array(SAMPLES),
            "order": count(4),
            "reg": real(1e-4),
            "seed": seed(0),
        },
        check=_fit_check,
    ),
]
