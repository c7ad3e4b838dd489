r"""The angle between two independent, uniformly random directions in :math:`\mathbb{R}^n`.

Derived in the chapter *The angle between two random vectors* (``book/random_angles.ipynb``),
after Su Jianlin, kexue.fm/archives/7076 (2019-11-13). For :math:`n \ge 2`:

.. math::

    p_n(\theta) = C_n \sin^{n-2}\theta,\quad \theta\in[0,\pi],\qquad
    C_n = \frac{\Gamma(n/2)}{\sqrt{\pi}\,\Gamma\big(\tfrac{n-1}{2}\big)},

    \cos\theta \sim C_n (1-t^2)^{(n-3)/2},\ t\in[-1,1],\qquad
    \mathbb{E}\,\theta = \frac{\pi}{2},\qquad
    \operatorname{Var}\theta = \tfrac12\,\psi_1\!\big(\tfrac n2\big)
    = \frac1n + \frac1{n^2} + O(n^{-3}).

The normaliser avoids gamma-function overflow and cancellation, and the CDF and variance use
special functions (regularised incomplete beta, trigamma), so every function is accurate for
any dimension, not only where :math:`\Gamma(n/2)` fits in a float.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from scispaces._checks import real_array, whole_array

__all__ = ["angle_cdf", "angle_normaliser", "angle_pdf", "angle_variance", "cosine_pdf"]


def _dimension(n: ArrayLike) -> NDArray[np.float64]:
    """``n`` as a float array, after checking it is a whole number >= 2 (the dimension)."""
    return whole_array(n, "n", minimum=2, what="the dimension")


def _result(out: NDArray[np.float64]) -> NDArray[np.float64] | float:
    return float(out) if out.ndim == 0 else out


# log(Gamma(x + 1/2) / (Gamma(x) sqrt(x))) = sum_k c_k x^(-k) as x -> oo, k odd; the
# coefficients are derived with SymPy in the chapter, which asserts they are these.
GAMMA_RATIO_SERIES = {1: -1 / 8, 3: 1 / 192, 5: -1 / 640, 7: 17 / 14336}
_SERIES_FROM = 100.0  # x = (n - 1)/2 above which the series is used (truncation < 1e-20)


def angle_normaliser(n: ArrayLike) -> NDArray[np.float64] | float:
    r"""The normaliser :math:`C_n = \Gamma(\tfrac n2) / \big(\sqrt\pi\,\Gamma(\tfrac{n-1}2)\big)`.

    Equivalently :math:`C_n = 1/\int_0^\pi \sin^{n-2}\theta\,d\theta`.

    It is the ratio of the areas of the unit spheres in :math:`\mathbb R^{n-1}` and
    :math:`\mathbb R^n`, and grows like :math:`\sqrt{n/(2\pi)}`. With :math:`x = (n-1)/2`,
    :math:`C_n = \Gamma(x+\tfrac12)/\Gamma(x)/\sqrt\pi` for :math:`x < 100`, and beyond that
    :math:`\sqrt{x/\pi}\,\exp\big(-\tfrac1{8x} + \tfrac1{192x^3} - \tfrac1{640x^5}
    + \tfrac{17}{14336x^7}\big)`, which avoids the cancellation in
    :math:`\log\Gamma(\tfrac n2) - \log\Gamma(\tfrac{n-1}2)` (relative error about 1e-16
    for every n, against about 1e-10 for the log-gamma difference at n = 10^6).

    Examples
    --------
    >>> float(angle_normaliser(3))
    0.5
    """
    x = (_dimension(n) - 1) / 2
    big = x >= _SERIES_FROM
    xb = np.where(big, x, _SERIES_FROM)
    series = sum(c * xb ** (-k) for k, c in GAMMA_RATIO_SERIES.items())
    xs = np.where(big, 1.0, x)  # Gamma(x + 1/2) < 1e157 here: no overflow
    small = special.gamma(xs + 0.5) / special.gamma(xs) / np.sqrt(np.pi)
    return _result(np.where(big, np.sqrt(xb / np.pi) * np.exp(series), small))


def angle_pdf(theta: ArrayLike, n: ArrayLike) -> NDArray[np.float64] | float:
    r"""Density :math:`p_n(\theta) = C_n \sin^{n-2}\theta` on :math:`[0, \pi]`, 0 outside.

    Broadcasts ``theta`` against ``n``.

    Examples
    --------
    >>> float(angle_pdf(np.pi / 2, 3))  # n = 3: p = sin(theta) / 2
    0.5
    >>> float(angle_pdf(1.0, 2) * np.pi)  # n = 2: uniform
    1.0
    """
    theta = real_array(theta, "theta")
    n = _dimension(n)
    inside = (theta >= 0) & (theta <= np.pi)
    # 0.0 ** 0 == 1, so n = 2 is uniform up to and including the end points.
    p = angle_normaliser(n) * np.sin(np.clip(theta, 0, np.pi)) ** (n - 2)
    return _result(np.where(inside, p, 0.0))


def cosine_pdf(t: ArrayLike, n: ArrayLike) -> NDArray[np.float64] | float:
    r"""Density of :math:`t = \cos\theta`: :math:`C_n (1 - t^2)^{(n-3)/2}` on :math:`(-1, 1)`, 0 outside.

    For :math:`n = 2` it is the arcsine density and is infinite at :math:`t = \pm 1`; for
    :math:`n = 3` it is uniform, 1/2.

    Examples
    --------
    >>> float(cosine_pdf(0.3, 3))
    0.5
    """
    t = real_array(t, "t")
    n = _dimension(n)
    inside = (t > -1) & (t < 1)
    one_minus_t2 = np.where(inside, (1 - t) * (1 + t), 1.0)  # factored: exact near t = +-1
    p = angle_normaliser(n) * one_minus_t2 ** (0.5 * (n - 3))
    edge = (np.abs(t) == 1) & (n == 2)
    return _result(np.where(inside, p, np.where(edge, np.inf, 0.0)))


def angle_cdf(theta: ArrayLike, n: ArrayLike) -> NDArray[np.float64] | float:
    r""":math:`F_n(\theta) = P(\Theta \le \theta)` through the regularised incomplete beta function.

    With :math:`a = \tfrac{n-1}{2}`: :math:`F_n(\theta) = \tfrac12 I_{\sin^2\theta}(a, \tfrac12)` for
    :math:`\theta \le \pi/2` and :math:`1 - \tfrac12 I_{\sin^2\theta}(a, \tfrac12)` above; 0 below 0
    and 1 above :math:`\pi`. Where :math:`\tfrac14 < F_n < \tfrac34` it uses the equivalent
    :math:`F_n = \tfrac12 - \tfrac12\,\mathrm{sign}(\cos\theta)\,I_{\cos^2\theta}(\tfrac12, a)`, because
    :math:`\sin^2\theta` rounds to 1 near :math:`\pi/2` while :math:`\cos^2\theta` keeps its digits;
    in the tails that form would cancel, and the first one is accurate.

    Examples
    --------
    >>> float(angle_cdf(np.pi / 2, 7))  # the float pi/2 is 6e-17 below pi/2
    0.49999999999999994
    >>> round(float(angle_cdf(np.pi / 3, 3)), 12)  # n = 3: (1 - cos theta) / 2
    0.25
    """
    theta = real_array(theta, "theta")
    n = _dimension(n)
    a = (n - 1) / 2
    cos = np.cos(theta)
    tail = 0.5 * special.betainc(
        a, 0.5, np.sin(theta) ** 2
    )  # mass between theta and the nearer end
    middle = 0.5 * special.betainc(0.5, a, cos**2)  # |F - 1/2|
    out = np.where(
        middle < 0.25, 0.5 - np.sign(cos) * middle, np.where(theta <= np.pi / 2, tail, 1 - tail)
    )
    return _result(np.where(theta < 0, 0.0, np.where(theta > np.pi, 1.0, out)))


def angle_variance(n: ArrayLike) -> NDArray[np.float64] | float:
    r""":math:`\operatorname{Var}\theta = \tfrac12\psi_1(n/2)`, with :math:`\psi_1` the trigamma function.

    Exact for every dimension: :math:`n = 2` gives :math:`\pi^2/12`, :math:`n = 3` gives
    :math:`\pi^2/4 - 2`, and it follows the recurrence
    :math:`V_n = V_{n-2} - 2/(n-2)^2`. For large :math:`n`, :math:`V_n = 1/n + 1/n^2 + O(n^{-3})`.

    Examples
    --------
    >>> bool(np.isclose(angle_variance(3), np.pi**2 / 4 - 2, rtol=1e-15))
    True
    """
    n = _dimension(n)
    return _result(0.5 * special.polygamma(1, n / 2))
