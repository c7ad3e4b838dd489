r"""How many dimensions a word vector needs: the entropy estimate behind :math:`n > 8.33\log N`.

For :math:`N` words with vectors in random directions of :math:`\mathbb{R}^n`, the pair model
:math:`p(i, j) \propto e^{\langle u_i, v_j\rangle}` has entropy :math:`H \approx 2\log N + h_n`.
Derived in the chapter *How many dimensions a word vector needs* (``book/word_vector_dim.ipynb``),
after Su Jianlin, kexue.fm/archives/7695 (2020).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from scispaces._checks import broadcast, count, in_range, real_array, real_scalar, scalar_or_array

__all__ = ["h", "min_dimension", "pair_entropy"]

KAPPA_RANGE = (0.01, 20.0)  # norms sqrt(kappa n) for which h is verified (see h's Notes)
DIMENSION_RANGE = (2.0, 1e300)  # h is about -1.5 n at kappa = 20: it must stay a float
_DEBYE_FROM = 200.0  # order nu of I_nu from which the uniform (Debye) expansion is used
_RATIO_STEPS = 400  # backward-recurrence steps for I_{nu+1}/I_nu
_EXP_FLOOR = -1e4  # exp of anything below is 0 in float64: clip there, so 0 * (-inf) never occurs


def _debye_log_series(nu: NDArray, t: NDArray) -> NDArray:
    """log(1 + u1(t)/nu + ... + u4(t)/nu^4), Debye's polynomials for I_nu(nu z), t = 1/sqrt(1+z^2).

    Summed in Horner form in 1/nu, so no power of nu overflows.
    """
    t2 = t * t
    u1 = t * (3 - 5 * t2) / 24
    u2 = t2 * (81 - 462 * t2 + 385 * t2 * t2) / 1152
    u3 = t2 * t * (30375 - 369603 * t2 + 765765 * t2**2 - 425425 * t2**3) / 414720
    u4 = (
        t2
        * t2
        * (4465125 - 94121676 * t2 + 349922430 * t2**2 - 446185740 * t2**3 + 185910725 * t2**4)
        / 39813120
    )
    return np.log1p((((u4 / nu + u3) / nu + u2) / nu + u1) / nu)


def _log_series(n: NDArray, k: NDArray) -> NDArray:
    """log E[exp(k cos theta)] = log 0F1(; n/2; k^2/4) by its power series, for k <= 2 sqrt(n).

    There x = k^2/4 <= n, so the term ratio x / (m (n/2 + m - 1)) is below 2/m: the terms fall
    below 2^m/m!, and 40 of them leave < 1e-35. Summing them after the leading 1 avoids the
    cancellation of the Bessel form and of Debye's expansion at small k/n.
    """
    x = k * k / 4
    term, total = np.ones_like(x), np.zeros_like(x)
    for m in range(1, 41):
        term = term * x / (m * (n / 2 + m - 1))
        total = total + term
    return np.log1p(total)


def _log_moment(n: NDArray, k: NDArray) -> NDArray:
    """log E[exp(k cos theta)] = log(Gamma(n/2) (k/2)^(1 - n/2) I_{n/2-1}(k)), without overflow.

    Three regions: the power series where k <= 2 sqrt(n); the scaled Bessel function for orders
    nu = n/2 - 1 below 200; above, Debye's expansion with Stirling's series for log Gamma
    folded in, which leaves nu (eta - 1 - log(z/2)) - log(1+z^2)/4 + ...: no large terms
    cancel, and nothing overflows up to nu = 1e300. Each region is fed safe dummy values
    elsewhere, so no branch warns for points it does not own.
    """
    nu = n / 2 - 1
    series = k <= 2 * np.sqrt(n)
    big = ~series & (nu >= _DEBYE_FROM)
    small = ~series & ~big
    ns, ks = np.where(small, n, 4.0), np.where(small, k, 4.0)
    bessel = (
        special.gammaln(ns / 2)
        + (1 - ns / 2) * np.log(ks / 2)
        + np.log(special.ive(ns / 2 - 1, ks))
        + ks
    )
    nb, kb = np.where(big, nu, _DEBYE_FROM), np.where(big, k, _DEBYE_FROM)
    z = kb / nb
    root = np.sqrt(1 + z * z)
    # eta - 1 - log(z/2) = root - 1 - log((1 + root)/2), without cancellation for small z
    z2 = z * z / (1 + root)
    eta_shift = z2 - np.log1p(z2 / 2)
    stirling = ((1 / (1260 * nb) / nb - 1 / 360) / nb / nb + 1 / 12) / nb
    debye = nb * eta_shift - 0.25 * np.log1p(z * z) + stirling + _debye_log_series(nb, 1 / root)
    power = _log_series(np.where(series, n, 2.0), np.where(series, k, 1.0))
    return np.where(series, power, np.where(big, debye, bessel))


def _bessel_ratio(nu: NDArray, k: NDArray) -> NDArray:
    """I_{nu+1}(k) / I_nu(k) by the backward recurrence r_{m-1} = 1 / (2m/k + r_m) (stable).

    Started from the midpoint of Amos's bounds at m = nu + 400; each step shrinks the error by
    about r^2, so the start is forgotten long before m = nu.
    """
    m = nu + _RATIO_STEPS
    lo = k / (m + 1 + np.hypot(m + 1, k))
    hi = k / (m + 0.5 + np.hypot(m + 1.5, k))
    r = (lo + hi) / 2
    for step in range(_RATIO_STEPS, 0, -1):
        r = 1 / (2 * (nu + step) / k + r)
    return r


def h(n: ArrayLike, kappa: ArrayLike = 1.0) -> NDArray[np.float64] | float:
    r"""The entropy per word pair beyond :math:`2\log N`, for random vectors of norm :math:`\sqrt{\kappa n}`.

    .. math::

        h_n = \log\mathbb{E}\,e^{k\cos\theta} - k\,\mathbb{E}_k[\cos\theta]
            = \log\Big[\Gamma(\tfrac n2)\big(\tfrac k2\big)^{1-n/2} I_{n/2-1}(k)\Big]
              - k\,\frac{I_{n/2}(k)}{I_{n/2-1}(k)},
        \qquad k = \kappa n,

    where :math:`\theta` is the angle between two independent uniform directions of
    :math:`\mathbb{R}^n` and :math:`\mathbb{E}_k` the mean under the weight
    :math:`e^{k\cos\theta}`. For :math:`\kappa = 1`,
    :math:`h_n = -\frac n2\log\varphi + C + O(1/n)` with :math:`\varphi` the golden ratio and
    :math:`C = \log\varphi - \frac14\log 5 - \frac{3-\sqrt5}5`.

    For :math:`k \le 2\sqrt n` the moment is summed as its power series
    :math:`{}_0F_1(;\tfrac n2;\tfrac{k^2}4)`; otherwise orders :math:`n/2 - 1 < 200` use
    ``scipy.special.ive``, larger ones Debye's uniform expansion of :math:`I_\nu(\nu z)`
    (four terms) with Stirling's series folded in, so no large terms cancel and nothing
    overflows. The ratio comes from the backward recurrence
    :math:`r_{m-1} = 1/(2m/k + r_m)`, started 400 steps up between Amos's bounds.

    Parameters
    ----------
    n : array_like of float
        The dimension, a real number in ``DIMENSION_RANGE`` = [2, 1e300] (beyond, :math:`h_n`
        would leave the float range).
    kappa : array_like of float, optional
        The squared norm per dimension, in ``KAPPA_RANGE`` = [0.01, 20]; broadcast against ``n``.
        Default 1, the source post's norm :math:`\sqrt n`.

    Returns
    -------
    float or ndarray
        :math:`h_n`, negative; a float if both arguments are scalars.

    Raises
    ------
    TypeError
        If an argument is not real (a string, complex, bool, None).
    ValueError
        If an argument is not finite or lies outside its range, or the shapes do not broadcast.

    Notes
    -----
    Measured relative error: against mpmath (50–60 digits) for :math:`2 \le n \le 10^4`,
    at most 5e-14 over the whole ``KAPPA_RANGE`` (the worst near :math:`n = 400`,
    :math:`\kappa \approx 0.1`, where the series hands over to the Bessel form), and at most
    2e-14 for :math:`\kappa \ge 0.2`; against the two-term Laplace expansion (whose remainder
    is below 1e-17 relative there) at most 7e-15 for :math:`10^8 \le n \le 10^{300}`. The
    three regions join with jumps below 2e-13 relative. Above :math:`\kappa = 20` the
    recurrence is too short (4e-7 at :math:`\kappa = 100`); below 0.01 the value is refused
    too, as untested.

    References
    ----------
    NIST DLMF 10.25 (series of :math:`I_\nu`), 10.41(ii) (Debye's uniform expansion), 5.11
    (Stirling's series); D. E. Amos, *Computation of modified Bessel functions and their
    ratios*, Math. Comp. 28 (1974) 239–251 (bounds on :math:`I_{\nu+1}/I_\nu`).

    Examples
    --------
    >>> round(h(64), 4)  # the source post's table: -15.4734
    -15.4734
    >>> h([32.0, 512.0]).round(3)
    array([  -7.775, -123.264])
    """
    n = in_range(real_array(n, "n"), "n", *DIMENSION_RANGE)
    kappa = in_range(real_array(kappa, "kappa"), "kappa", *KAPPA_RANGE)
    nb, kb = broadcast(n=n, kappa=kappa)
    k = kb * nb
    out = _log_moment(nb, k) - k * _bessel_ratio(nb / 2 - 1, k)
    return scalar_or_array(out, n, kappa)


def min_dimension(N: ArrayLike, kappa: float = 1.0) -> NDArray[np.float64] | float:
    r"""The real dimension :math:`n` at which the estimated entropy :math:`2\log N + h_n` is 0.

    .. math::

        2\log N + h_n = 0, \qquad
        n = \frac{4\log N + 2C}{\log\varphi} + O(1/n) \quad (\kappa = 1),

    solved by Brent's method on :math:`h_n` (decreasing in :math:`n`), bracketed from the
    slope :math:`-h_{10^6}/10^6`. Where the estimate is negative already at :math:`n = 2`
    (small :math:`N` with a large :math:`\kappa`, e.g. :math:`N = 2`, :math:`\kappa = 4`) there is
    no crossing and the result is 2: in general, the smallest :math:`n \ge 2` with
    :math:`2\log N + h_n \le 0`. The source post's rule :math:`n > 8.33\log N` rounds the
    leading coefficient :math:`4/\log\varphi = 8.3123`.

    Parameters
    ----------
    N : array_like of float
        Vocabulary sizes, real numbers >= 2 (any float).
    kappa : float, optional
        One squared norm per dimension for all ``N``, in ``KAPPA_RANGE`` = [0.01, 20].

    Returns
    -------
    float or ndarray
        The crossing :math:`n` (or 2, see above), shaped like ``N``; a float for a scalar ``N``.

    Raises
    ------
    TypeError
        If ``N`` or ``kappa`` is not real.
    ValueError
        If ``N`` is not finite or below 2, or ``kappa`` is not one number in ``KAPPA_RANGE``.

    Notes
    -----
    The residual :math:`|2\log N + h_n|` at the returned :math:`n` is below 1e-9 (measured
    1e-12) for :math:`2 \le N \le 10^{300}`.

    References
    ----------
    R. P. Brent, *Algorithms for Minimization without Derivatives* (1973), ch. 4
    (``scipy.optimize.brentq``).

    Examples
    --------
    >>> round(min_dimension(1e5), 2)  # 8.33 log N would say 95.90
    95.39
    """
    N_arr = in_range(real_array(N, "N"), "N", 2.0)
    kappa = real_scalar(kappa, "kappa")
    in_range(np.asarray(kappa), "kappa", *KAPPA_RANGE)
    slope = -float(h(1e6, kappa)) / 1e6  # h_n ~ -slope n for large n

    def crossing(log_n2: float) -> float:
        f = lambda n: log_n2 + float(h(n, kappa))  # noqa: E731 - decreasing in n
        lo, hi = 2.0, max(4.0, 2 * log_n2 / slope + 10)
        if f(lo) <= 0:
            return lo
        while f(hi) > 0:
            hi *= 2
        return optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-14)

    out = np.array([crossing(2 * np.log(v)) for v in N_arr.ravel()]).reshape(N_arr.shape)
    return scalar_or_array(out, N_arr)


def _matrix(x, name: str, torch):
    """``x`` as a float64 matrix of finite reals: a NumPy array, or a tensor when ``torch``."""
    if type(x).__module__.startswith("torch"):
        x = x.detach()
        if x.is_complex() or x.dtype == torch.bool:
            raise TypeError(f"{name}: expected real numbers, got dtype {x.dtype}")
        x = x.to(torch.float64)
        if not bool(torch.isfinite(x).all()):
            raise ValueError(f"{name}: must be finite (no NaN or inf)")
        return x
    x = real_array(x, name)
    return torch.tensor(x) if torch is not None else x


def pair_entropy(U: ArrayLike, V: ArrayLike, chunk: int = 1024) -> float:
    r"""The exact entropy of the softmax over all word pairs, :math:`p_{ij} \propto e^{\langle u_i, v_j\rangle}`.

    .. math::

        H = -\sum_{ij} p_{ij}\log p_{ij} = \log z - \frac{1}{z}\sum_{ij} e^{d_{ij}} d_{ij},
        \qquad d_{ij} = s_{ij} - \max s, \quad z = \sum_{ij} e^{d_{ij}},

    with scores :math:`s_{ij} = \langle u_i, v_j\rangle`. Both terms are >= 0, so nothing
    cancels however large the scores, and :math:`H \ge 0` holds in floating point. The scores
    are formed ``chunk`` rows at a time with a running maximum (the sums are rescaled when it
    rises), so memory is ``chunk`` times the number of rows of ``V``.

    Parameters
    ----------
    U, V : array_like or torch.Tensor, shape (N, n) and (M, n)
        The two sets of vectors (centre and context words), finite reals. PyTorch tensors are
        used as they are (detached, in float64), so the work runs in PyTorch.
    chunk : int, optional
        Rows of ``U`` per block, >= 1.

    Returns
    -------
    float
        :math:`H`, between 0 and :math:`\log(NM)`.

    Raises
    ------
    TypeError
        If ``U`` or ``V`` is not real, or ``chunk`` is not an integer.
    ValueError
        If ``U`` or ``V`` is not a finite matrix with at least one row, their widths differ,
        a score overflows float64, or ``chunk < 1``.

    Notes
    -----
    Measured against a dense log-sum-exp computation: relative difference below 2e-15 for
    scores of size 1 and below 1e-12 absolute for scores up to 1e4; equal scores of any
    size give :math:`\log(NM)` to rounding.

    References
    ----------
    M. Milakov and N. Gimelshein, *Online normalizer calculation for softmax*,
    arXiv:1805.02867 (2018): the running maximum and the rescaled sums.

    Examples
    --------
    >>> round(pair_entropy(np.zeros((3, 2)), np.zeros((3, 2))), 6)  # uniform: log 9
    2.197225
    >>> round(pair_entropy([[1e8]] * 3, [[1e8]] * 3), 6)  # equal scores of 1e16
    2.197225
    """
    torch = None
    if any(type(x).__module__.startswith("torch") for x in (U, V)):
        import torch
    U, V = _matrix(U, "U", torch), _matrix(V, "V", torch)
    chunk = count(chunk, "chunk")
    if U.ndim != 2 or V.ndim != 2 or U.shape[1] != V.shape[1]:
        raise ValueError(
            f"U, V: must be (N, n) and (M, n) with the same n, got {tuple(U.shape)} and {tuple(V.shape)}"
        )
    if U.shape[0] < 1 or V.shape[0] < 1:
        raise ValueError("U, V: need at least one row each")
    lib = torch if torch is not None else np
    shift, z, w = -np.inf, 0.0, 0.0  # z = sum e^(s - shift), w = sum e^(s - shift) (s - shift)
    for lo in range(0, U.shape[0], chunk):
        with np.errstate(over="ignore", invalid="ignore"):
            s = U[lo : lo + chunk] @ V.T
        top, bottom = float(s.max()), float(s.min())  # a NaN or inf shows in one of them
        if not (np.isfinite(top) and np.isfinite(bottom)):
            raise ValueError("U, V: a score <u_i, v_j> overflows float64")
        if top > shift:
            scale = np.exp(shift - top)  # 0 on the first block
            w, z = (scale * (w + (shift - top) * z), scale * z) if scale > 0 else (0.0, 0.0)
            shift = top
        with np.errstate(over="ignore"):
            d = s - shift
        if not np.isfinite(bottom - shift):  # scores spread over more than the float range
            d = lib.clip(d, _EXP_FLOOR, 0.0)
        e = lib.exp(d)
        z += float(e.sum())
        w += float((e * d).sum())
    return float(np.log(z) - w / z)
