r"""Probability generating functions: binomial and Poisson laws, coefficient extraction, distance.

Derived in the chapter *From the binomial to the Poisson distribution* (``book/binomial_poisson.ipynb``),
after Su Jianlin, kexue.fm/archives/3188 (2015-01-13). With :math:`G(z) = \sum_k P(X = k) z^k`:

.. math::

    G_{\mathrm{Bin}(n,p)}(z) = (1 - p + pz)^n \;\longrightarrow\; e^{\lambda(z-1)} = G_{\mathrm{Poi}(\lambda)}(z)
    \quad (p = \lambda/n,\ n\to\infty),
    \qquad P(X = k) = \frac{1}{2\pi i}\oint \frac{G(z)}{z^{k+1}}\,dz .

The pmfs use Loader's saddle-point form (as R's ``dbinom``/``dpois`` do), which keeps full
relative accuracy for :math:`n` up to :math:`10^9` and far into the tails, where the obvious
:math:`\log\Gamma` difference loses about :math:`10^{-6}`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from scispaces._checks import real_array, whole_array
from scispaces._dd import two_product

__all__ = [
    "binomial_pmf",
    "binomial_poisson_tv",
    "pgf_coefficients",
    "poisson_pmf",
    "tv_distance",
]

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
# stirlerr(n) = log n! - log(sqrt(2 pi n) (n/e)^n) = 1/(12n) - 1/(360n^3) + 1/(1260n^5) - ...
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188)


def _result(out: NDArray[np.float64]) -> NDArray[np.float64] | float:
    return float(out) if out.ndim == 0 else out


def _stirlerr(n: NDArray[np.float64]) -> NDArray[np.float64]:
    """log n! - log(sqrt(2 pi n) (n/e)^n) for whole n >= 1: log-gamma below 16, the series above."""
    small = n < 16
    ns = np.where(small, n, 1.0)
    direct = special.gammaln(ns + 1) - (ns + 0.5) * np.log(ns) + ns - _LOG_SQRT_2PI
    nb = np.where(small, 16.0, n)
    inv2 = (1 / nb) ** 2  # not 1 / nb**2, which overflows beyond 1e154
    series = np.zeros_like(nb)
    for c in reversed(_STIRLING):
        series = c + series * inv2
    return np.where(small, direct, series / nb)


def _bd0(
    x: NDArray[np.float64], m: NDArray[np.float64], d: NDArray[np.float64]
) -> NDArray[np.float64]:
    """x log(x/m) + m - x >= 0 for x, m > 0, given d = x - m computed without cancellation.

    Near x = m the closed form cancels; for |v| < 1/2, v = d/(x+m), the series
    d v + 2x sum_{j>=1} v^(2j+1)/(2j+1) is used instead: its terms share one sign, so nothing
    cancels, and 40 terms reach 0.25^40 < 1e-24.
    """
    close = np.abs(d) < 0.5 * (x + m)
    with np.errstate(
        divide="ignore", invalid="ignore", over="ignore"
    ):  # x/m -> inf when m ~ 1e-309
        v = np.where(close, d / (x + m), 0.0)
        s = d * v
        term = 2 * x * v
        v2 = v * v
        for j in range(1, 41):
            term = term * v2
            s = s + term / (2 * j + 1)
        direct = x * np.log(x / m) + m - x
    return np.where(close, s, direct)


def poisson_pmf(k: ArrayLike, lam: ArrayLike) -> NDArray[np.float64] | float:
    r""":math:`P(X = k) = e^{-\lambda}\lambda^k/k!`, broadcasting ``k`` against ``lam``.

    Computed as :math:`e^{-\mathrm{stirlerr}(k) - \mathrm{bd0}(k, \lambda)}/\sqrt{2\pi k}` (Loader 2000), so
    the relative error stays near machine precision wherever the result exceeds 1e-300.

    Examples
    --------
    >>> round(float(poisson_pmf(2, 3.0)), 12)  # e^-3 3^2 / 2
    0.224041807655
    """
    k = whole_array(k, "k")
    lam = real_array(lam, "lam")
    if np.any(lam <= 0):
        raise ValueError("lam: must be > 0")
    k, lam = np.broadcast_arrays(k, lam)
    kk = np.where(k > 0, k, 1.0)
    body = np.exp(-_stirlerr(kk) - _bd0(kk, lam, kk - lam)) / np.sqrt(2 * np.pi * kk)
    return _result(np.where(k > 0, body, np.exp(-lam)))


def binomial_pmf(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> NDArray[np.float64] | float:
    r""":math:`P(X = k) = \binom nk p^k (1-p)^{n-k}`, broadcasting ``k``, ``n`` and ``p``; 0 for k > n.

    Loader's form :math:`\sqrt{n/(2\pi k(n-k))}\,\exp(\mathrm{stirlerr}(n) - \mathrm{stirlerr}(k)
    - \mathrm{stirlerr}(n-k) - \mathrm{bd0}(k, np) - \mathrm{bd0}(n-k, n(1-p)))` keeps full relative
    accuracy for n up to 1e9 and far tails; k = 0 and k = n use :math:`(1-p)^n` and :math:`p^n`.

    Examples
    --------
    >>> round(float(binomial_pmf(3, 10, 0.3)), 12)
    0.266827932
    """
    k = whole_array(k, "k")
    n = whole_array(n, "n")
    p = real_array(p, "p")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p: must lie in [0, 1]")
    k, n, p = np.broadcast_arrays(k, n, p)
    inside = (k > 0) & (k < n) & (p > 0) & (p < 1)
    ki = np.where(inside, k, 1.0)
    ni = np.where(inside, n, 2.0)
    pi = np.where(inside, p, 0.5)
    mean, mean_lo = two_product(ni, pi)
    gap = (ki - mean) - mean_lo  # k - np without the rounding of np (which costs (k - np) eps)
    rest = ni - ki
    log_body = (
        _stirlerr(ni)
        - _stirlerr(ki)
        - _stirlerr(rest)
        - _bd0(ki, mean, gap)
        - _bd0(
            rest, (ni - mean) - mean_lo, -gap
        )  # n(1 - p) and (n - k) - n(1 - p) = np - k, unrounded
    )
    body = np.exp(log_body) * np.sqrt(ni / (2 * np.pi * ki * rest))
    with np.errstate(divide="ignore", invalid="ignore"):
        at_zero = np.exp(n * np.log1p(-p))  # (1 - p)^n, accurate for tiny p
        at_n = np.where(p > 0, np.exp(n * np.log(np.where(p > 0, p, 1.0))), 0.0)
    edge = np.where(k == 0, np.where(n == 0, 1.0, at_zero), np.where(k == n, at_n, 0.0))
    edge = np.where((p == 0) & (k > 0), 0.0, edge)
    edge = np.where((p == 1) & (k < n), 0.0, edge)
    return _result(np.where(inside, body, edge))


def pgf_coefficients(
    G: Callable[[NDArray[np.complex128]], ArrayLike],
    k_max: int,
    radius: float = 1.0,
    nodes: int | None = None,
    real: bool = True,
) -> NDArray[np.float64] | NDArray[np.complex128]:
    r"""The coefficients :math:`c_0, \dots, c_{k_{\max}}` of :math:`G(z) = \sum_k c_k z^k` by Cauchy's integral.

    With :math:`N` nodes :math:`z_j = r e^{2\pi i j/N}` on the circle of radius :math:`r`,
    :math:`\hat c_k = r^{-k}\,\frac1N \sum_j G(z_j) e^{-2\pi i jk/N}` (one FFT). This is exact for
    polynomials of degree < N; otherwise it is *aliased*:
    :math:`\hat c_k = c_k + \sum_{m\ge1} c_{k+mN}\, r^{mN}`. For a pmf on the unit circle the aliasing
    error is the mass sitting at :math:`k + N, k + 2N, \dots`; a radius below 1 damps it by
    :math:`r^N` but multiplies rounding errors by :math:`r^{-k}`. By default
    :math:`N` is the smallest power of two :math:`\ge \max(64, 4(k_{\max}+1))`.

    ``G`` must be vectorised: called with a complex array of nodes, it returns an array of the
    same shape. With ``real=True`` (every PGF) the real parts are returned.

    Examples
    --------
    >>> np.round(pgf_coefficients(lambda z: (1 + z) ** 3, 4), 12)
    array([1., 3., 3., 1., 0.])
    """
    if not callable(G):
        raise TypeError(f"G: expected a callable, got {type(G).__name__}")
    if isinstance(k_max, bool) or not isinstance(k_max, int | np.integer) or k_max < 0:
        raise ValueError(f"k_max: must be a whole number >= 0, got {k_max!r}")
    radius_arr = real_array(radius, "radius")
    if radius_arr.ndim or radius_arr <= 0:
        raise ValueError("radius: must be a single number > 0")
    if nodes is None:
        nodes = int(2 ** np.ceil(np.log2(max(64, 4 * (k_max + 1)))))
    if isinstance(nodes, bool) or not isinstance(nodes, int | np.integer) or nodes < k_max + 1:
        raise ValueError(f"nodes: must be a whole number >= k_max + 1 = {k_max + 1}, got {nodes!r}")
    r = float(radius_arr)
    z = r * np.exp(2j * np.pi * np.arange(nodes) / nodes)
    values = np.asarray(G(z), dtype=np.complex128)
    if values.shape != z.shape:
        raise ValueError(
            f"G: must return one value per node (shape {z.shape}), got shape {values.shape}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError("G: returned non-finite values on the circle")
    coefficients = np.fft.fft(values)[: k_max + 1] / nodes / r ** np.arange(k_max + 1)
    return coefficients.real if real else coefficients


def tv_distance(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64] | float:
    r"""Total-variation distance :math:`\tfrac12\sum_k |p_k - q_k|` between pmfs on :math:`k = 0, 1, \dots`.

    The last axis is the support; a shorter pmf is padded with zeros; leading axes broadcast.

    Examples
    --------
    >>> tv_distance([0.5, 0.5], [1.0])
    0.5
    """
    a = real_array(p, "p")
    b = real_array(q, "q")
    for name, arr in (("p", a), ("q", b)):
        if arr.ndim == 0:
            raise ValueError(
                f"{name}: must be an array of probabilities (last axis: k = 0, 1, ...)"
            )
        if np.any(arr < 0):
            raise ValueError(f"{name}: probabilities must be >= 0")
    width = max(a.shape[-1], b.shape[-1])
    a = np.concatenate([a, np.zeros((*a.shape[:-1], width - a.shape[-1]))], axis=-1)
    b = np.concatenate([b, np.zeros((*b.shape[:-1], width - b.shape[-1]))], axis=-1)
    return _result(0.5 * np.abs(a - b).sum(axis=-1))


def _log1p_plus(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """log(1 - x) + x = -sum_{j>=2} x^j / j, without cancellation for small x."""
    small = x < 0.05
    xs = np.where(small, x, 0.0)
    series = np.zeros_like(xs)
    for j in range(30, 1, -1):  # 0.05^30 / 30 < 1e-40
        series = xs**j / j + series
    return np.where(small, -series, np.log1p(-np.where(small, 0.0, x)) + x)


def _tv_one(n: float, lam: float, neglect: float) -> float:
    p = lam / n
    if p == 1:  # Bin(n, 1) sits at n: the distance is everything else, 1 - pi_n
        return 1.0 - float(poisson_pmf(n, lam))
    K = (
        int(max(stats.poisson.isf(neglect / 4, lam), min(n, stats.binom.isf(neglect / 4, n, p))))
        + 2
    )
    while stats.poisson.sf(K, lam) + stats.binom.sf(K, n, p) > neglect:
        K *= 2
    k = np.arange(K + 1, dtype=np.float64)
    poisson = poisson_pmf(k, lam)
    kb = k[k <= n]
    # log(b_k / pi_k) = sum_{i<k} log(1 - i/n) + (n - k) log(1 - p) + lam, each piece without cancellation
    falling = np.concatenate([[0.0], np.cumsum(np.log1p(-kb[:-1] / n))])
    log_ratio = falling + n * _log1p_plus(np.array([p]))[0] - kb * np.log1p(-p)
    diff = poisson[: kb.size] * np.abs(np.expm1(log_ratio))
    return 0.5 * (diff.sum() + poisson[kb.size :].sum())


def binomial_poisson_tv(n: ArrayLike, lam: ArrayLike) -> NDArray[np.float64] | float:
    r"""Exact :math:`d_{TV}(\mathrm{Bin}(n, \lambda/n), \mathrm{Poi}(\lambda))`, broadcasting ``n`` and ``lam``.

    Sums :math:`k = 0..K` with :math:`K` chosen so that the mass both laws put beyond it is below
    1e-15. Each difference is :math:`\pi_k\,|\mathrm{expm1}(\log(b_k/\pi_k))|` with the log-ratio
    :math:`\sum_{i<k}\log(1 - i/n) + n(\log(1-p) + p) - k\log(1-p)` evaluated without
    cancellation, so the distance keeps its relative accuracy even at :math:`n = 10^9`, where
    subtracting the two pmfs would lose seven digits. Requires :math:`n \ge \lambda`.

    Examples
    --------
    >>> round(float(binomial_poisson_tv(10, 3.0)), 6)
    0.086409
    """
    n = whole_array(n, "n")
    lam = real_array(lam, "lam")
    if np.any(lam <= 0):
        raise ValueError("lam: must be > 0")
    if np.any(n < lam):
        raise ValueError("n: must be >= lam, so that p = lam/n is a probability")
    n, lam = np.broadcast_arrays(n, lam)
    out = np.array(
        [_tv_one(float(a), float(b), 1e-15) for a, b in zip(n.ravel(), lam.ravel(), strict=True)]
    )
    return _result(out.reshape(n.shape))
