r"""How many dimensions a word vector needs: the entropy estimate behind :math:`n > 8.33\log N`.

Derived in the chapter *How many dimensions a word vector needs* (``book/word_vector_dim.ipynb``),
after Su Jianlin, kexue.fm/archives/7695 (2020-08-20). For :math:`N` words with vectors of norm
:math:`\sqrt n` in random directions, the pair model :math:`p(i,j) \propto e^{\langle u_i, v_j\rangle}`
has entropy :math:`H \approx 2\log N + h_n` with, for :math:`\langle u, v\rangle = \kappa n\cos\theta`,

.. math::

    h_n = \log \mathbb{E}\,e^{k\cos\theta}
          - k\,\frac{\mathbb{E}\,[\cos\theta\,e^{k\cos\theta}]}{\mathbb{E}\,e^{k\cos\theta}},
    \qquad k = \kappa n,

    \mathbb{E}\,e^{k\cos\theta} = \Gamma(\tfrac n2)\,(\tfrac k2)^{1-n/2} I_{n/2-1}(k),
    \qquad \frac{\mathbb{E}\,[\cos\theta\,e^{k\cos\theta}]}{\mathbb{E}\,e^{k\cos\theta}}
    = \frac{I_{n/2}(k)}{I_{n/2-1}(k)} .

:math:`h_n/n \to -\tfrac12\log\varphi` (:math:`\kappa = 1`), so :math:`H < 0` from
:math:`n \approx (4/\log\varphi)\log N`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from scispaces._checks import real_array

__all__ = ["h", "min_dimension", "pair_entropy"]

KAPPA_RANGE = (0.01, 20.0)  # norms sqrt(kappa n) for which h is tested against mpmath to 1e-10
_DEBYE_FROM = 100.0  # order nu of I_nu above which the uniform (Debye) expansion is used
_RATIO_STEPS = 400  # backward-recurrence steps for I_{nu+1}/I_nu


def _debye_log_series(nu, t):
    """log(1 + u1(t)/nu + ... + u4(t)/nu^4), Debye's polynomials for I_nu(nu z), t = 1/sqrt(1+z^2)."""
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
    return np.log1p(u1 / nu + u2 / nu**2 + u3 / nu**3 + u4 / nu**4)


def _log_moment(n, k):
    """log E[exp(k cos theta)] = log(Gamma(n/2) (k/2)^(1 - n/2) I_{n/2-1}(k)), without overflow.

    Small orders use the scaled Bessel function; large ones the Debye expansion with Stirling's
    series for log Gamma folded in, which leaves nu (eta - 1 - log(z/2)) - log(1+z^2)/4 + ...:
    no large terms cancel.
    """
    nu = n / 2 - 1
    big = nu >= _DEBYE_FROM
    ns, ks = np.where(big, 4.0, n), np.where(big, 1.0, k)
    small = (
        special.gammaln(ns / 2)
        + (1 - ns / 2) * np.log(ks / 2)
        + np.log(special.ive(ns / 2 - 1, ks))
        + ks
    )
    nb, kb = np.where(big, nu, _DEBYE_FROM), np.where(big, k, 1.0)
    z = kb / nb
    root = np.sqrt(1 + z * z)
    eta_shift = root + np.log(z / (1 + root)) - 1 - np.log(z / 2)
    stirling = 1 / (12 * nb) - 1 / (360 * nb**3) + 1 / (1260 * nb**5)
    large = nb * eta_shift - 0.25 * np.log1p(z * z) + stirling + _debye_log_series(nb, 1 / root)
    return np.where(big, large, small)


def _bessel_ratio(nu, k):
    """I_{nu+1}(k) / I_nu(k) by the backward recurrence r_{m-1} = 1 / (2m/k + r_m) (stable).

    Started from the midpoint of Amos's bounds at m = nu + 400; each step shrinks the error by
    about r^2, so the start is forgotten long before m = nu.
    """
    m = nu + _RATIO_STEPS
    lo = k / (m + 1 + np.sqrt((m + 1) ** 2 + k * k))
    hi = k / (m + 0.5 + np.sqrt((m + 1.5) ** 2 + k * k))
    r = (lo + hi) / 2
    for step in range(_RATIO_STEPS, 0, -1):
        r = 1 / (2 * (nu + step) / k + r)
    return r


def h(n: ArrayLike, kappa: ArrayLike = 1.0) -> NDArray[np.float64] | float:
    r""":math:`h_n = \log\mathbb{E}\,e^{k\cos\theta} - k\,I_{n/2}(k)/I_{n/2-1}(k)`, :math:`k = \kappa n`, vectorised.

    The entropy per pair beyond :math:`2\log N` for vectors of norm :math:`\sqrt{\kappa n}` in random
    directions of :math:`\mathbb R^n` (:math:`\langle u, v\rangle = \kappa n\cos\theta`). Real ``n >= 2`` and
    ``0.01 <= kappa <= 20`` (``KAPPA_RANGE``); relative error below 1e-10 from n = 2 to beyond 1e6.
    Outside that range of kappa the scaled Bessel function underflows (small kappa) or the ratio's
    recurrence is too short (large kappa), so it is refused rather than answered inaccurately.

    Examples
    --------
    >>> round(float(h(64)), 4)  # the post's table: -15.4734
    -15.4734
    """
    n = real_array(n, "n")
    kappa = real_array(kappa, "kappa")
    if np.any(n < 2):
        raise ValueError("n: the dimension must be >= 2")
    if np.any((kappa < KAPPA_RANGE[0]) | (kappa > KAPPA_RANGE[1])):
        raise ValueError(
            f"kappa: must lie in [{KAPPA_RANGE[0]}, {KAPPA_RANGE[1]}], where h is verified to 1e-10"
        )
    n, kappa = np.broadcast_arrays(n, kappa)
    k = kappa * n
    out = _log_moment(n, k) - k * _bessel_ratio(n / 2 - 1, k)
    return float(out) if out.ndim == 0 else out


def min_dimension(N: ArrayLike, kappa: float = 1.0) -> NDArray[np.float64] | float:
    r"""The real :math:`n` at which :math:`2\log N + h_n = 0` (the post's :math:`H = 0` boundary), vectorised over N.

    Examples
    --------
    >>> round(float(min_dimension(1e5)), 2)  # 8.33 log N would say 95.90
    95.39
    """
    N = real_array(N, "N")
    if np.any(N < 2):
        raise ValueError("N: the vocabulary size must be >= 2")
    kappa_arr = real_array(kappa, "kappa")
    if kappa_arr.ndim or not KAPPA_RANGE[0] <= kappa_arr <= KAPPA_RANGE[1]:
        raise ValueError(f"kappa: must be a single number in [{KAPPA_RANGE[0]}, {KAPPA_RANGE[1]}]")
    kappa = float(kappa_arr)
    slope = -float(h(1e6, kappa)) / 1e6  # h_n ~ -slope n for large n

    def crossing(log_n2: float) -> float:
        f = lambda n: log_n2 + float(h(n, kappa))  # noqa: E731 - decreasing in n
        hi = max(4.0, 2 * log_n2 / slope + 10)
        while f(hi) > 0:
            hi *= 2
        lo = 2.0
        if f(lo) <= 0:
            return lo
        return optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-14)

    out = np.array([crossing(2 * np.log(v)) for v in N.ravel()]).reshape(N.shape)
    return float(out) if out.ndim == 0 else out


def pair_entropy(U, V, chunk: int = 1024) -> float:
    r"""Exact entropy :math:`-\sum p_{ij}\log p_{ij}` of :math:`p_{ij} = e^{\langle u_i, v_j\rangle}/Z` over all pairs.

    Uses :math:`H = \log Z - \sum_{ij} p_{ij} s_{ij}`, accumulated over row blocks of ``chunk``
    rows with a running log-sum-exp, so memory is ``chunk * N`` scores (N = 20 000 fits easily).
    ``U`` and ``V`` are (N, n) NumPy arrays or PyTorch tensors (computed in float64).

    Examples
    --------
    >>> bool(np.isclose(pair_entropy(np.zeros((3, 2)), np.zeros((3, 2))), np.log(9)))  # uniform
    True
    """
    if type(U).__module__.startswith("torch") or type(V).__module__.startswith("torch"):
        import torch

        tensors = []
        for name, x in (("U", U), ("V", V)):
            x = torch.as_tensor(x).detach()
            if x.is_complex() or x.dtype == torch.bool:
                raise TypeError(f"{name}: expected real numbers, got dtype {x.dtype}")
            x = x.to(torch.float64)
            if not bool(torch.isfinite(x).all()):
                raise ValueError(f"{name}: must be finite (no NaN or inf)")
            tensors.append(x)
        U, V = tensors
        lib = torch
    else:
        U, V = real_array(U, "U"), real_array(V, "V")
        lib = np
    if U.ndim != 2 or V.ndim != 2 or U.shape[1] != V.shape[1]:
        raise ValueError(
            f"U, V: must be (N, n) and (M, n) with the same n, got {tuple(U.shape)} and {tuple(V.shape)}"
        )
    if U.shape[0] < 1 or V.shape[0] < 1:
        raise ValueError("U, V: need at least one row each")
    if isinstance(chunk, bool) or not isinstance(chunk, int | np.integer) or chunk < 1:
        raise ValueError(f"chunk: must be a whole number >= 1, got {chunk!r}")
    shift = None  # running maximum score: Z = e^shift * z_sum
    z_sum = weighted = 0.0  # sum of e^(s - shift), and of e^(s - shift) * s
    for lo in range(0, U.shape[0], int(chunk)):
        with np.errstate(over="ignore", invalid="ignore"):
            s = U[lo : lo + int(chunk)] @ V.T
        top = float(s.max())
        if not np.isfinite(top) or not bool(lib.isfinite(s).all()):
            raise ValueError("U, V: the scores <u_i, v_j> overflow float64")
        if shift is None or top > shift:
            scale = 0.0 if shift is None else np.exp(shift - top)
            z_sum, weighted, shift = z_sum * scale, weighted * scale, top
        e = lib.exp(s - shift)
        z_sum += float(e.sum())
        weighted += float((e * s).sum())
    return float(shift + np.log(z_sum) - weighted / z_sum)
