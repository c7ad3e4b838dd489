r"""The angle between two independent, uniformly random directions in :math:`\mathbb{R}^n`.

The angle :math:`\theta` has density :math:`p_n(\theta) = C_n \sin^{n-2}\theta` on
:math:`[0, \pi]`. Derived in the chapter *The angle between two random vectors*
(``book/random_angles.ipynb``), after Su Jianlin, kexue.fm/archives/7076 (2019).

Every function accepts any whole dimension :math:`n \ge 2` that a float holds (up to about
1.8e308) and keeps its accuracy there: powers are taken in log space, and the distribution
function goes through the regularised incomplete beta function, evaluated at whichever of
:math:`\sin^2\theta` and :math:`\cos^2\theta` is below 1/2 and therefore exact to a few ulps.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from scispaces._checks import broadcast, real_array, scalar_or_array, whole_array

__all__ = ["angle_cdf", "angle_normaliser", "angle_pdf", "angle_variance", "cosine_pdf"]

#: Coefficients c_k of log(Gamma(x + 1/2) / (Gamma(x) sqrt(x))) = sum_k c_k x^(-k) as x -> oo
#: (odd k only); the chapter derives them with SymPy and checks that they are exactly these.
GAMMA_RATIO_SERIES = {
    1: Fraction(-1, 8),
    3: Fraction(1, 192),
    5: Fraction(-1, 640),
    7: Fraction(17, 14336),
}
_SERIES_FROM = 100.0  # x = (n - 1)/2 from which the series is used (its truncation < 1e-20)
_TINY_SIN = 1e-100  # below this sin^2 theta may underflow: angle_cdf uses its leading term
_EXP_FLOOR = -700.0  # exp below this is subnormal or 0: scale by C_n inside the exponential


def _dimension(n: ArrayLike) -> NDArray[np.float64]:
    """``n`` as a float array, after checking it is a whole number >= 2 (the dimension)."""
    return whole_array(n, "n", minimum=2, what="the dimension")


def _scaled_exp(c: NDArray[np.float64], exponent: NDArray[np.float64]) -> NDArray[np.float64]:
    """``c * exp(exponent)`` for ``c > 0``, without underflow where the product is a normal float."""
    tiny = exponent < _EXP_FLOOR
    scaled = np.exp(np.where(tiny, exponent + np.log(c), 0.0))
    return np.where(tiny, scaled, c * np.exp(np.where(tiny, 0.0, exponent)))


def _power(
    c: NDArray[np.float64],
    base: NDArray[np.float64],
    log_base: NDArray[np.float64],
    power: NDArray[np.float64],
    near_one: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """``c * base**power`` for ``0 <= base <= 1``; where ``near_one``, ``c * exp(power * log_base)``.

    Close to 1 a float ``base`` carries a rounding error that the power would multiply (a
    relative error of ``power * eps``, 5 % at n = 1e15), while ``log_base``, computed from the
    distance to 1 (``log1p``), keeps every digit; away from 1 the direct power is the more
    accurate of the two.
    """
    with np.errstate(over="ignore"):  # power * log_base -> -inf for huge n: the value is 0
        exponent = np.where(near_one, power * log_base, 0.0)
        direct = c * np.where(near_one, 1.0, base) ** power  # 0.0**0 = 1: n = 2 at theta = 0
    return np.where(near_one, _scaled_exp(c, exponent), direct)


def angle_normaliser(n: ArrayLike) -> NDArray[np.float64] | float:
    r"""The normaliser :math:`C_n` of the angle's density, the ratio of two sphere areas.

    .. math::

        C_n = \frac{\Gamma(n/2)}{\sqrt\pi\,\Gamma\big(\frac{n-1}2\big)}
            = \frac{1}{\int_0^\pi \sin^{n-2}\theta\,d\theta}
            = \frac{|S^{n-2}|}{|S^{n-1}|}
            \sim \sqrt{\frac{n}{2\pi}}.

    With :math:`x = (n-1)/2`, it is :math:`\Gamma(x+\frac12)/(\Gamma(x)\sqrt\pi)` for
    :math:`x < 100`, and above that
    :math:`\sqrt{x/\pi}\,\exp\big(-\frac1{8x} + \frac1{192x^3} - \frac1{640x^5} +
    \frac{17}{14336x^7}\big)` (``GAMMA_RATIO_SERIES``, truncation below 1e-20), which
    avoids both the overflow of :math:`\Gamma` (from :math:`n = 343`) and the cancellation in
    :math:`\log\Gamma(\frac n2) - \log\Gamma(\frac{n-1}2)` (about 1e-10 relative at
    :math:`n = 10^6`).

    Parameters
    ----------
    n : array_like of whole numbers >= 2
        The dimension; any float up to about 1.8e308.

    Returns
    -------
    float or ndarray
        :math:`C_n`, a float if ``n`` is a scalar.

    Raises
    ------
    TypeError
        If ``n`` is not real (a string, a bool, complex, None).
    ValueError
        If ``n`` is not a finite whole number >= 2.

    Notes
    -----
    Measured accuracy: relative error at most 1 ulp (2.2e-16) against mpmath for
    :math:`2 \le n \le 10^{300}` (``scispaces.reference.ANGLE_DIMENSIONS``); tested to 2e-15.

    References
    ----------
    NIST DLMF 5.11.1 (Stirling's series for :math:`\log\Gamma`), from which the coefficients
    follow; DLMF 5.19 for the volume of the sphere.

    Examples
    --------
    >>> angle_normaliser(3)  # the sphere: cos(theta) is uniform on [-1, 1]
    0.5
    >>> angle_normaliser([2, 4])
    array([0.31830989, 0.63661977])
    """
    x = (_dimension(n) - 1) / 2
    big = x >= _SERIES_FROM
    xb = np.where(big, x, _SERIES_FROM)
    series = sum(float(c) * xb ** (-k) for k, c in GAMMA_RATIO_SERIES.items())
    xs = np.where(big, 1.0, x)  # Gamma(x + 1/2) < 1e157 here: no overflow
    small = special.gamma(xs + 0.5) / special.gamma(xs) / np.sqrt(np.pi)
    return scalar_or_array(np.where(big, np.sqrt(xb / np.pi) * np.exp(series), small), x)


def angle_pdf(theta: ArrayLike, n: ArrayLike) -> NDArray[np.float64] | float:
    r"""The density of the angle between two random directions in :math:`\mathbb R^n`.

    .. math::

        p_n(\theta) = C_n \sin^{n-2}\theta = C_n \exp\!\big(\tfrac{n-2}{2}\log\sin^2\theta\big),
        \qquad 0 \le \theta \le \pi,

    and 0 outside :math:`[0, \pi]`. The power is taken in log space, with
    :math:`\log\sin^2\theta = \log(1 - \cos^2\theta)` near :math:`\pi/2`: the float
    :math:`\sin\theta` rounds to 1 there, and the power :math:`n - 2` would multiply that
    rounding (a relative error of :math:`n\varepsilon`, 5 % at :math:`n = 10^{15}`).

    Parameters
    ----------
    theta : array_like of float
        Angles in radians; finite.
    n : array_like of whole numbers >= 2
        The dimension; broadcast against ``theta``.

    Returns
    -------
    float or ndarray
        :math:`p_n(\theta)`, a float if both arguments are scalars.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If ``theta`` is not finite, ``n`` is not a whole number >= 2, or the shapes do not
        broadcast.

    Notes
    -----
    Measured accuracy against mpmath at the same float :math:`\theta`, for
    :math:`2 \le n \le 10^{300}` (``scispaces.reference.angle_grid``): relative error at most
    :math:`1.6\,(2 + |\log(p_n/C_n)|)\,\varepsilon`, i.e. below 6e-15 where
    :math:`p_n > 10^{-10} C_n` and below 3e-13 for every value above 1e-280. The factor
    :math:`|\log(p_n/C_n)|` is the condition number of the exponential: a float algorithm that
    does not carry the exponent in extra precision cannot avoid it.

    Examples
    --------
    >>> angle_pdf(np.pi / 2, 3)  # n = 3: p = sin(theta) / 2
    0.5
    >>> angle_pdf(1.0, 2) * np.pi  # n = 2: uniform on [0, pi]
    1.0
    """
    theta, n = broadcast(theta=real_array(theta, "theta"), n=_dimension(n))
    inside = (theta >= 0) & (theta <= np.pi)
    clipped = np.clip(theta, 0, np.pi)
    cos2 = np.cos(clipped) ** 2
    near_one = cos2 < 0.5  # sin(theta)^2 > 1/2: take log(sin^2) = log1p(-cos^2)
    log_sin = 0.5 * np.log1p(-np.where(near_one, cos2, 0.0))
    p = _power(angle_normaliser(n), np.abs(np.sin(clipped)), log_sin, n - 2, near_one)
    return scalar_or_array(np.where(inside, p, 0.0), theta)


def cosine_pdf(t: ArrayLike, n: ArrayLike) -> NDArray[np.float64] | float:
    r"""The density of :math:`t = \cos\theta`, the cosine similarity of two random directions.

    .. math::

        q_n(t) = C_n (1 - t^2)^{(n-3)/2}, \qquad -1 < t < 1,

    and 0 outside. For :math:`n = 2` it is the arcsine density, infinite at :math:`t = \pm 1`
    (returned as ``inf`` there); for :math:`n = 3` it is uniform, 1/2. The power is taken in
    log space, with :math:`\log(1 - t^2)` as ``log1p(-t*t)`` for :math:`|t| < 1/2` and as
    :math:`\log(1 - |t|) + \log(1 + |t|)` above, where :math:`1 - |t|` is exact.

    Parameters
    ----------
    t : array_like of float
        Cosines; finite.
    n : array_like of whole numbers >= 2
        The dimension; broadcast against ``t``.

    Returns
    -------
    float or ndarray
        :math:`q_n(t)`, a float if both arguments are scalars.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If ``t`` is not finite, ``n`` is not a whole number >= 2, or the shapes do not
        broadcast.

    Notes
    -----
    Measured accuracy against mpmath, :math:`2 \le n \le 10^{300}`: relative error at most
    :math:`1.6\,(2 + |\log(q_n/C_n)|)\,\varepsilon`, i.e. below 4e-15 where
    :math:`q_n > 10^{-10} C_n` and below 2e-13 for every value above 1e-280.

    Examples
    --------
    >>> cosine_pdf(0.3, 3)
    0.5
    >>> cosine_pdf(0.0, 2) * np.pi  # arcsine density 1 / (pi sqrt(1 - t^2))
    1.0
    """
    t, n = broadcast(t=real_array(t, "t"), n=_dimension(n))
    a = np.abs(t)
    inside = a < 1
    ai = np.where(inside, a, 0.0)
    near_one = ai * ai < 0.5  # 1 - t^2 > 1/2: take its log as log1p(-t^2)
    log_w = np.log1p(-np.where(near_one, ai * ai, 0.0))
    w = (1 - ai) * (1 + ai)  # 1 - |t| is exact for |t| >= 1/2
    p = _power(angle_normaliser(n), w, log_w, 0.5 * (n - 3), near_one)
    edge = (a == 1) & (n == 2)
    return scalar_or_array(np.where(inside, p, np.where(edge, np.inf, 0.0)), t)


def _nearer_tail(theta: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""The mass between :math:`\theta \in [0, \pi]` and the nearer end, :math:`\tfrac12
    I_{\sin^2\theta}(a, \tfrac12)`, from whichever of :math:`\sin^2\theta`, :math:`\cos^2\theta`
    is below 1/2 (and so exact to an ulp)."""
    a = (n - 1) / 2
    cos, sin = np.cos(theta), np.abs(np.sin(theta))
    tail = 0.5 * np.where(
        sin * sin < 0.5, special.betainc(a, 0.5, sin * sin), special.betaincc(0.5, a, cos * cos)
    )
    # Where sin^2 underflows, the leading term C_n sin^(n-1) / (n-1) (relative error < 1e-200).
    tiny = sin < _TINY_SIN
    lead = angle_normaliser(n) * np.where(tiny, sin, 0.0) ** (n - 1) / (n - 1)
    return np.where(tiny, lead, tail)


def angle_cdf(theta: ArrayLike, n: ArrayLike) -> NDArray[np.float64] | float:
    r"""The distribution function :math:`F_n(\theta) = P(\Theta \le \theta)` of the angle.

    .. math::

        T = \int_0^{\min(\theta, \pi - \theta)} p_n
          = \tfrac12 I_{\sin^2\theta}\big(\tfrac{n-1}2, \tfrac12\big)
          = \tfrac12\big(1 - I_{\cos^2\theta}\big(\tfrac12, \tfrac{n-1}2\big)\big),
        \qquad F_n(\theta) = \begin{cases} T, & \theta \le \pi/2,\\ 1 - T, & \theta > \pi/2,
        \end{cases}

    with :math:`I` the regularised incomplete beta function; 0 below 0 and 1 above
    :math:`\pi`. :math:`T` is evaluated from :math:`\sin^2\theta` where it is below 1/2 and
    from :math:`\cos^2\theta` (``scipy.special.betaincc``) elsewhere: near :math:`\pi/2`
    the float :math:`\sin^2\theta` rounds to 1 and would lose the digits that decide
    :math:`F` when :math:`n` is large.

    Parameters
    ----------
    theta : array_like of float
        Angles in radians; finite.
    n : array_like of whole numbers >= 2
        The dimension; broadcast against ``theta``.

    Returns
    -------
    float or ndarray
        :math:`F_n(\theta)`, a float if both arguments are scalars.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If ``theta`` is not finite, ``n`` is not a whole number >= 2, or the shapes do not
        broadcast.

    Notes
    -----
    Measured accuracy against mpmath at the same float :math:`\theta`, for
    :math:`2 \le n \le 10^{300}` and angles from the tails to within
    :math:`10^{-4}/\sqrt n` of :math:`\pi/2`: relative error at most
    :math:`1.6\,(2 + |\log T|)\,\varepsilon`, i.e. below 6e-15 where :math:`T > 10^{-10}`
    and below 3e-13 for every value above 1e-280. Where :math:`\sin^2\theta` would underflow
    (:math:`\sin\theta < 10^{-100}`), :math:`T` is its leading term
    :math:`C_n\sin^{n-1}\theta/(n-1)`. Above :math:`\pi/2` the result is :math:`1 - T`
    rounded, so the upper tail :math:`1 - F` is accurate only to 1e-16 absolute: take it as
    :math:`F_n(\pi - \theta)`. For :math:`n = 2` the angle is uniform and :math:`F = \theta/\pi`
    (SciPy 1.17's ``betaincc(0.5, 0.5, x)`` is 1e-11 off for :math:`x < 10^{-16}`).

    References
    ----------
    NIST DLMF 8.17 (the incomplete beta function); SciPy's ``betainc`` and ``betaincc``
    (Boost's ``ibeta``/``ibetac``).

    Examples
    --------
    >>> angle_cdf(np.pi / 2, 7)  # the float pi/2 is 6e-17 below pi/2
    0.49999999999999994
    >>> round(angle_cdf(np.pi / 3, 3), 12)  # n = 3: (1 - cos theta) / 2
    0.25
    """
    theta, n = broadcast(theta=real_array(theta, "theta"), n=_dimension(n))
    clipped = np.clip(theta, 0, np.pi)
    tail = _nearer_tail(clipped, n)
    out = np.where(np.cos(clipped) >= 0, tail, 1 - tail)
    out = np.where(n == 2, clipped / np.pi, out)  # uniform; betaincc(1/2, 1/2, x) loses 1e-11
    return scalar_or_array(np.where(theta < 0, 0.0, np.where(theta > np.pi, 1.0, out)), theta)


def angle_variance(n: ArrayLike) -> NDArray[np.float64] | float:
    r"""The variance of the angle, exactly: half the trigamma function at :math:`n/2`.

    .. math::

        \operatorname{Var}\theta = \tfrac12\,\psi_1\!\big(\tfrac n2\big)
            = \frac1n + \frac1{n^2} + \frac{2}{3n^3} + O(n^{-5}),

    so :math:`\pi^2/12` for :math:`n = 2` and :math:`\pi^2/4 - 2` for :math:`n = 3`; it obeys
    :math:`V_n = V_{n-2} - 2/(n-2)^2`. The mean is :math:`\pi/2` in every dimension.

    Parameters
    ----------
    n : array_like of whole numbers >= 2
        The dimension; any float up to about 1.8e308.

    Returns
    -------
    float or ndarray
        :math:`\operatorname{Var}\theta`, a float if ``n`` is a scalar.

    Raises
    ------
    TypeError
        If ``n`` is not real.
    ValueError
        If ``n`` is not a finite whole number >= 2.

    Notes
    -----
    Measured accuracy: relative error at most 2 ulp (4.4e-16) against mpmath for
    :math:`2 \le n \le 10^{300}`; tested to 1e-14 up to :math:`n = 10^8`.

    References
    ----------
    NIST DLMF 5.15 (the polygamma functions; the recurrence 5.15.5).

    Examples
    --------
    >>> angle_variance(3)  # pi^2/4 - 2
    0.46740110027233966
    """
    n = _dimension(n)
    return scalar_or_array(0.5 * special.polygamma(1, n / 2), n)
