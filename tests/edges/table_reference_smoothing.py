"""Edge table of scispaces.reference, smoothing section: the oracles of tests/test_smoothing.py,
the smoothing chapter and its benchmark.

Checks independent of each oracle: quad of a Gaussian bump against the Gaussian convolution in
closed form (the other kernels: between 0 and max f); the mpmath closed forms against SciPy's
float formulas at moderate arguments; the mpmath Fourier density against a NumPy evaluation of
its definition, the CDF within [0, 1].
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from edges import Row, choice, count, function, real, real_array

MODULE = "scispaces.reference"

KERNEL = choice("gaussian", ("gaussian", "logistic", "cauchy"))
A = [1.0, 0.4, -0.2]


def _bump(y):
    return math.exp(-min(y * y, 1e4) / 2)


def _quad_check(result, f, x, width, kernel, breaks):
    """Gaussian kernel: exp(-y^2/2) smoothed by N(0, w^2) is exp(-x^2/(2(1+w^2)))/sqrt(1+w^2);
    the other kernels: a value between 0 and max f = 1."""
    got = np.asarray(result, dtype=float)
    assert got.shape == np.shape(np.asarray(x, dtype=float))
    if kernel == "gaussian":
        w2 = float(np.asarray(width)) ** 2
        with np.errstate(all="ignore"):
            want = np.exp(-np.square(np.asarray(x, dtype=float)) / (2 * (1 + w2)))
        assert np.allclose(got, want / math.sqrt(1 + w2), rtol=1e-10, atol=1e-300), (got, want)
    else:
        assert np.all((got >= 0) & (got <= 1))


def _smoothed_check(result, name, x, width, kernel, lo, hi, dps):
    """SciPy's float formulas where they keep their digits (|x/w| < 30)."""
    with np.errstate(all="ignore"):
        z = np.asarray(x, dtype=float) / np.asarray(width, dtype=float)
    if not np.all(np.abs(z) < 30):
        return
    w = np.asarray(width, dtype=float)
    cdf = {
        "gaussian": special.ndtr,
        "logistic": special.expit,
        "cauchy": lambda t: 0.5 + np.arctan(t) / np.pi,
    }[kernel]
    if name == "relu":
        pdf = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        want = w * (pdf + z * cdf(z)) if kernel == "gaussian" else w * np.logaddexp(0, z)
    elif name == "step":
        want = cdf(z)
    else:
        n = np.arange(int(lo) + 1, int(hi) + 1)
        xx = np.asarray(x, dtype=float)[..., None]
        want = int(lo) + cdf((xx - n) / w[..., None]).sum(-1)
    assert np.allclose(result, want, rtol=1e-9, atol=1e-12), (result, want)


def _fourier_check(result, name, y, a, mu, sigma, dps):
    """A NumPy evaluation of the definition where |z| < 300; the CDF within [0, 1]."""
    aa = np.asarray(a, dtype=complex)
    aa = aa / np.abs(aa).max()  # the density does not depend on the scale of a
    if name == "cdf":
        assert np.all((result >= 0) & (result <= 1))
        return
    with np.errstate(all="ignore"):
        z = (np.asarray(y, dtype=float) - float(np.asarray(mu))) / float(np.asarray(sigma))
    if not np.all(np.abs(z) < 300):
        return
    x = np.tanh(z)
    series = np.exp(-1j * np.pi * np.multiply.outer(x, np.arange(aa.size))) @ aa
    p = np.abs(series) ** 2 / (2 * np.sum(np.abs(aa) ** 2))
    pdf = p / np.cosh(z) ** 2 / float(np.asarray(sigma))
    want = pdf if name == "pdf" else np.log(pdf)
    assert np.allclose(result, want, rtol=1e-10, atol=1e-300), (result, want)


ROWS = [
    Row(
        "quad_convolution",
        {
            "f": function(_bump),
            "x": real(0.5, supports=("empty",)),
            "width": real(0.7),
            "kernel": KERNEL,
            "breaks": real_array([0.0, 1.0], supports=("empty",)),
        },
        check=_quad_check,
    ),
    Row(
        "mp_smoothed",
        {
            "name": choice("relu", ("relu", "step", "floor")),
            "x": real(0.5, supports=("empty",)),
            "width": real(0.7, supports=("empty",)),
            "kernel": choice("logistic", ("gaussian", "logistic", "cauchy")),
            "lo": count(0),
            "hi": count(10),
            "dps": count(40),
        },
        check=_smoothed_check,
    ),
    Row(
        "mp_fourier",
        {
            "name": choice("pdf", ("pdf", "logpdf", "cdf")),
            "y": real(0.5, supports=("empty",)),
            "a": real_array(A, supports=("complex",)),
            "mu": real(0.3),
            "sigma": real(1.7),
            "dps": count(30),
        },
        check=_fourier_check,
        finite=False,  # log 0 = -inf where sech^2 z underflows the float range
    ),
]
