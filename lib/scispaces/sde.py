r"""Stochastic differential equations and their Fokker–Planck equations.

Derived in the chapter *The continuity and Fokker–Planck equations* (``book/fokker_planck.ipynb``),
after Su Jianlin, kexue.fm/archives/9461 (2023-02-11). For :math:`dx = f(x, t)\,dt + g(x, t)\,dw`
(Itô) the density obeys

.. math::

    \partial_t p = -\partial_x (f p) + \tfrac12 \partial_x^2 (g^2 p),

and :math:`g = 0` gives the continuity equation of the ODE :math:`\dot x = f`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.sparse as sps
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import lapack

from scispaces._checks import (
    broadcast,
    count,
    function,
    generator,
    real_array,
    real_scalar,
    scalar_or_array,
)

__all__ = ["euler_maruyama", "fokker_planck_1d", "fokker_planck_generator", "ou_density"]

# Chebyshev rational approximations (CRAM) of orders 16 and 14 (Pusa 2012):
# exp(z) ~ alpha0 + 2 Re sum_k alpha_k / (z - theta_k) on z <= 0, uniform errors 2e-16 and 2e-14
# in exact arithmetic (tests/test_sde.py measures the float coefficients with mpmath).
_CRAM16 = (
    np.array(
        [
            complex(-1.0843917078696988026e1, 1.9277446167181652284e1),
            complex(-5.2649713434426468895e0, 1.6220221473167927305e1),
            complex(5.9481522689511774808e0, 3.5874573620183222829e0),
            complex(3.5091036084149180974e0, 8.4361989858843750826e0),
            complex(6.4161776990994341923e0, 1.1941223933701386874e0),
            complex(1.4193758971856659786e0, 1.0925363484496722585e1),
            complex(4.9931747377179963991e0, 5.9968817136039422260e0),
            complex(-1.4139284624888862114e0, 1.3497725698892745389e1),
        ]
    ),
    np.array(
        [
            complex(-5.0901521865224915650e-7, -2.4220017652852287970e-5),
            complex(2.1151742182466030907e-4, 4.3892969647380673918e-3),
            complex(1.1339775178483930527e2, 1.0194721704215856450e2),
            complex(1.5059585270023467528e1, -5.7514052776421819979e0),
            complex(-6.4500878025539646595e1, -2.2459440762652096056e2),
            complex(-1.4793007113557999718e0, 1.7686588323782937906e0),
            complex(-6.2518392463207918892e1, -1.1190391094283228480e1),
            complex(4.1023136835410021273e-2, -1.5743466173455468191e-1),
        ]
    ),
    2.1248537104952237488e-16,
)
_CRAM14 = (
    np.array(
        [
            complex(-8.8977731864688888199e0, 1.6630982619902085304e1),
            complex(-3.7032750494234480603e0, 1.3656371871483268171e1),
            complex(-2.087586382501301251e-1, 1.0991260561901260913e1),
            complex(3.9933697105785685194e0, 6.0048316422350373178e0),
            complex(5.0893450605806245066e0, 3.5888240290270065102e0),
            complex(5.6231425727459771248e0, 1.1940690463439669766e0),
            complex(2.2697838292311127097e0, 8.4617379730402214019e0),
        ]
    ),
    np.array(
        [
            complex(-7.1542880635890672853e-5, 1.4361043349541300111e-4),
            complex(9.4390253107361688779e-3, -1.7184791958483017511e-2),
            complex(-3.7636003878226968717e-1, 3.3518347029450104214e-1),
            complex(-2.3498232091082701191e1, -5.8083591297142074004e0),
            complex(4.6933274488831293047e1, 4.5643649768827760791e1),
            complex(-2.7875161940145646468e1, -1.0214733999056451434e2),
            complex(4.8071120988325088907e0, -1.3209793837428723881e0),
        ]
    ),
    1.8321743782540412751e-14,
)
_MAX_SUBSTEPS = 1_000_000  # euler_maruyama: sub-steps are Python-level steps (about 20 us each)
_MAX_NUMBERS = 2**28  # euler_maruyama: the largest result (2 GiB)
# fokker_planck_1d: the largest step x rate handed to the shifted solves (no overflow in LAPACK)
_MAX_STIFFNESS = 1e150
# fokker_planck_1d: a cell predicted below 1e-30 of its content + inflow is treated as emptied
_PATANKAR_FLOOR = 1e-30


def _increasing(times: ArrayLike, name: str) -> NDArray[np.float64]:
    t = real_array(times, name)
    if t.ndim != 1 or t.size < 1:
        raise ValueError(f"{name}: must be a 1-D array with at least one value")
    if np.any(np.diff(t) <= 0):
        raise ValueError(f"{name}: must be strictly increasing")
    return t


def _shaped(value: NDArray[np.float64], name: str, shape: tuple, also: str = ""):
    """``value`` broadcast to ``shape``, or an error naming the coefficient that returned it."""
    try:
        return np.broadcast_to(value, shape)
    except ValueError:
        raise ValueError(
            f"{name}: must return one value per point, shape {shape}{also}, or a single number; "
            f"got shape {value.shape}"
        ) from None


def _coefficient(fn: Callable, name: str, points: NDArray[np.float64], time: float):
    """``fn(points, time)`` as a float array of the shape of ``points``, or an error naming ``fn``."""
    value = fn(points, time)
    if not (
        type(value) is np.ndarray and value.dtype == np.float64 and np.isfinite(value).all()
    ):  # the common case passes without the full check
        value = real_array(value, name)
    return value if value.shape == points.shape else _shaped(value, name, points.shape)


# ====================================================================== Euler-Maruyama


def euler_maruyama(
    drift: Callable,
    diffusion: Callable,
    x0: ArrayLike,
    times: ArrayLike,
    n_paths: int,
    seed: int | np.random.Generator | None = 0,
    max_step: float | None = None,
) -> NDArray[np.float64]:
    r"""Sample paths of :math:`dx = f(x, t)\,dt + g(x, t)\,dw` by Euler–Maruyama, recorded at ``times``.

    Each sub-step is

    .. math::

        x \leftarrow x + f(x, t)\,\Delta t + g(x, t)\sqrt{\Delta t}\,\varepsilon,
        \qquad \varepsilon \sim N(0, I),

    with the coefficients at the left end point (the Itô convention). The steps are the intervals
    of ``times``, each cut into equal sub-steps no longer than ``max_step``.

    Parameters
    ----------
    drift : callable ``(x, t) -> array``
        :math:`f`, vectorised over paths: it gets ``x`` of shape ``(n_paths,)`` for a scalar start
        and ``(n_paths, d)`` otherwise, and returns that shape (or a single number).
    diffusion : callable ``(x, t) -> array``
        :math:`g \ge 0`, of the shape of ``x`` (diagonal noise) or, for ``x`` of shape
        ``(n_paths, d)``, of shape ``(n_paths, d, m)``: a matrix :math:`G` driven by m independent
        noises.
    x0 : float or array_like
        The start: a number, a state vector of length d, or one state per path ``(n_paths, d)``.
    times : array_like, strictly increasing
        The recording times; the first is the start time.
    n_paths : int >= 1
        Number of independent paths.
    seed : int >= 0, numpy.random.Generator or None
        The random stream; the same integer gives the same paths.
    max_step : float > 0, optional
        Longest sub-step; by default each interval of ``times`` is one step. At most 1e6
        sub-steps in all (each is a Python-level step) and a result of at most 2^28 numbers
        (2 GiB) are supported.

    Returns
    -------
    ndarray
        Shape ``(len(times), n_paths)`` for a scalar start, else ``(len(times), n_paths, d)``.

    Raises
    ------
    TypeError
        If ``drift`` or ``diffusion`` is not callable, ``n_paths`` or ``seed`` is not an integer, or
        a number is not real.
    ValueError
        If ``times`` is not strictly increasing, ``x0`` has the wrong shape, ``max_step`` is not
        > 0 or makes more than 1e6 sub-steps, ``n_paths`` makes a result beyond 2^28 numbers,
        ``seed`` is negative, or a coefficient returns the wrong shape, a non-finite value or a
        negative ``g``.

    Notes
    -----
    Weak order 1: the bias of a mean after a time T is :math:`O(\Delta t)`. The chapter measures
    the one-step bias of the generator, :math:`\Delta t\,c_2 + \Delta t^2 c_3`, against SymPy's
    prediction.

    References
    ----------
    .. [1] P. E. Kloeden and E. Platen, *Numerical Solution of Stochastic Differential
       Equations*, Springer, 1992, section 9.1.

    Examples
    --------
    >>> paths = euler_maruyama(lambda x, t: -x, lambda x, t: np.ones_like(x), 1.0, [0, 1], 4, seed=1)
    >>> paths.shape
    (2, 4)
    """
    function(drift, "drift")
    function(diffusion, "diffusion")
    x0 = real_array(x0, "x0")
    t = _increasing(times, "times")
    n_paths = count(n_paths, "n_paths")
    rng = generator(seed, "seed")
    if x0.size == 0 or x0.ndim > 2 or (x0.ndim == 2 and x0.shape[0] != n_paths):
        raise ValueError(
            f"x0: must be a number, a state vector (d,) or one state per path (n_paths, d), "
            f"got shape {x0.shape}"
        )
    numbers = t.size * n_paths * (x0.shape[-1] if x0.ndim else 1)
    if numbers > _MAX_NUMBERS:
        raise ValueError(
            f"n_paths: the paths at {t.size} times would hold {numbers:.3g} numbers, more than "
            f"the supported 2^28 (2 GiB)"
        )
    pieces = np.ones(t.size - 1)
    if max_step is not None:
        max_step = real_scalar(max_step, "max_step")
        if max_step <= 0:
            raise ValueError(f"max_step: must be > 0, got {max_step!r}")
        with np.errstate(over="ignore"):
            pieces = np.maximum(1.0, np.ceil(np.diff(t) / max_step))
    if pieces.sum() > _MAX_SUBSTEPS:
        raise ValueError(
            f"times, max_step: cut into sub-steps no longer than max_step, the time span needs "
            f"{pieces.sum():.3g} of them, more than the supported {_MAX_SUBSTEPS:.0e}"
        )
    x = x0.copy() if x0.ndim == 2 else np.broadcast_to(x0, (n_paths, *x0.shape)).astype(np.float64)
    out = np.empty((t.size, *x.shape))
    out[0] = x
    for k in range(1, t.size):
        dt = (t[k] - t[k - 1]) / pieces[k - 1]
        for j in range(int(pieces[k - 1])):
            now = t[k - 1] + j * dt
            f = _coefficient(drift, "drift", x, now)
            g = real_array(diffusion(x, now), "diffusion")
            noise = rng.standard_normal((x.shape[0], g.shape[-1]) if g.ndim == 3 else x.shape)
            noise *= np.sqrt(dt)
            if g.ndim == 3 and x.ndim == 2 and g.shape[:2] == x.shape:
                x = x + f * dt + np.einsum("nij,nj->ni", g, noise)
                continue
            g = _shaped(g, "diffusion", x.shape, " (or (n_paths, d, m) for a matrix G)")
            if np.any(g < 0):
                raise ValueError("diffusion: the noise coefficient g must be >= 0")
            x = x + f * dt + g * noise
        out[k] = x
    return out


# ====================================================================== Fokker-Planck


def _bernoulli(z: NDArray[np.float64]) -> NDArray[np.float64]:
    """B(z) = z / (e^z - 1), with B(0) = 1; B(z) - B(-z) = -z."""
    small = np.abs(z) < 1e-6
    zs = np.where(small, 1.0, z)
    return np.where(small, 1 - z / 2 + z * z / 12, zs / np.expm1(zs))


def _face_coefficients(
    a: NDArray[np.float64], D: NDArray[np.float64], h: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Weights (c_left, c_right) >= 0 of the Scharfetter–Gummel flux J = c_left p_i - c_right p_{i+1}.

    For :math:`J = a p - \tfrac12 D p'` with a, D frozen on the face and :math:`w = 2ha/D`:
    :math:`c_\mathrm{left} = \frac{D}{2h}B(-w)`, :math:`c_\mathrm{right} = \frac{D}{2h}B(w)`. As
    :math:`D/|a| \to 0` these tend to the upwind weights :math:`\max(a, 0)`, :math:`\max(-a, 0)`, used once
    :math:`|w| > 700` (where they agree to rounding) or D = 0.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = 2 * h * a / D
    diffusive = (D > 0) & (np.abs(w) <= 700)
    w = np.where(diffusive, w, 0.0)
    scale = np.where(diffusive, D / (2 * h), 0.0)
    c_left = np.where(diffusive, scale * _bernoulli(-w), np.maximum(a, 0.0))
    c_right = np.where(diffusive, scale * _bernoulli(w), np.maximum(-a, 0.0))
    return c_left, c_right


class _Grid:
    """A checked uniform grid and the transfer rates of the Scharfetter–Gummel generator on it."""

    def __init__(self, x: ArrayLike, drift: Callable, diffusion: Callable):
        self.drift = function(drift, "drift")
        self.diffusion = function(diffusion, "diffusion")
        grid = _increasing(x, "x")
        if grid.size < 3:
            raise ValueError("x: needs at least 3 grid points")
        h = (grid[-1] - grid[0]) / (grid.size - 1)
        rounding = 8 * np.finfo(np.float64).eps * np.abs(grid).max()
        if not np.isfinite(h) or np.any(np.abs(np.diff(grid) - h) > 1e-9 * h + rounding):
            raise ValueError("x: the grid must be uniform (equal spacing, at most 1.8e308 wide)")
        self.points, self.faces, self.h = grid, (grid[:-1] + grid[1:]) / 2, h
        self.last = None  # (f, g, rates) of the last evaluation

    def rates(self, time: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(up, down): the rates from cell i to i + 1 and from i + 1 to i at ``time``."""
        f = _coefficient(self.drift, "drift", self.faces, time)
        g = _coefficient(self.diffusion, "diffusion", self.points, time)
        if (
            self.last is not None
            and np.array_equal(f, self.last[0])
            and np.array_equal(g, self.last[1])
        ):
            return self.last[2]  # coefficients unchanged since the last call: same rates
        if np.any(g < 0):
            raise ValueError("diffusion: the noise coefficient g must be >= 0")
        with np.errstate(over="ignore", invalid="ignore"):
            D = g * g
            c_left, c_right = _face_coefficients(
                f - np.diff(D) / (2 * self.h), (D[:-1] + D[1:]) / 2, self.h
            )
            up, down = c_left / self.h, c_right / self.h
        if not (np.isfinite(up).all() and np.isfinite(down).all()):
            raise ValueError(
                f"x: the spacing h = {self.h:.3g} is too fine for these coefficients at t = {time:g}: "
                "the transfer rates D/h^2 and |f|/h overflow the float range"
            )
        self.last = (f.copy(), g.copy(), (up, down))
        return self.last[2]


def fokker_planck_generator(
    drift: Callable, diffusion: Callable, x: ArrayLike, t: float = 0.0
) -> sps.csr_array:
    r"""The matrix :math:`L(t)` of the semi-discrete Fokker–Planck equation :math:`\dot p = L(t)\,p`.

    The finite-volume Scharfetter–Gummel discretisation used by :func:`fokker_planck_1d`: with
    :math:`D = g^2`, :math:`a = f - \tfrac12\partial_x D` and :math:`w = 2ha/D` on each face,

    .. math::

        \dot p_i = \frac{J_{i-1/2} - J_{i+1/2}}{h}, \qquad
        J_{i+1/2} = \frac{D}{2h}\big(B(-w)\,p_i - B(w)\,p_{i+1}\big), \qquad B(z) = \frac{z}{e^z - 1},

    with :math:`J = 0` at both ends. Its off-diagonal entries (the transfer rates between
    neighbouring cells) are :math:`\ge 0` and its columns sum to 0 (up to rounding of the diagonal),
    so :math:`e^{\tau L}` is non-negative and conserves :math:`\sum_i p_i` for every :math:`\tau \ge 0`.

    Parameters
    ----------
    drift, diffusion : callable ``(x, t) -> array``
        :math:`f` (evaluated at the cell faces) and :math:`g \ge 0` (at the grid points).
    x : array_like
        The uniform grid, strictly increasing, at least 3 points.
    t : float
        The time at which the coefficients are evaluated.

    Returns
    -------
    scipy.sparse.csr_array
        The tridiagonal ``(len(x), len(x))`` matrix :math:`L(t)`.

    Raises
    ------
    TypeError
        If ``drift`` or ``diffusion`` is not callable or a value is not real.
    ValueError
        If ``x`` is not a uniform increasing grid of at least 3 points, a coefficient returns the
        wrong shape, a non-finite value or a negative ``g``, or the rates overflow.

    References
    ----------
    .. [1] D. L. Scharfetter and H. K. Gummel, "Large-signal analysis of a silicon Read diode
       oscillator", IEEE Trans. Electron Devices 16 (1969) 64–77.

    Examples
    --------
    >>> L = fokker_planck_generator(lambda x, t: -x, lambda x, t: np.ones_like(x), [-1, 0, 1])
    >>> L.toarray().sum(axis=0)  # columns sum to 0: mass is conserved
    array([0., 0., 0.])
    """
    cells = _Grid(x, drift, diffusion)
    up, down = cells.rates(real_scalar(t, "t"))
    main = np.zeros(cells.points.size)
    main[:-1] -= up
    main[1:] -= down
    return sps.diags_array([main, down, up], offsets=[0, 1, -1], format="csr")


def _fastest(up: NDArray[np.float64], down: NDArray[np.float64]) -> float:
    """The largest rate at which a cell empties: the largest diagonal entry of -L."""
    leaving = np.zeros(up.size + 1)
    leaving[:-1] += up
    leaving[1:] += down
    return float(leaving.max())


class _Cram:
    r""":math:`r(\tau L)\,v \approx e^{\tau L} v` by the Chebyshev rational approximation (CRAM) of order 16.

    :math:`r(\tau L)v = \alpha_0 v + 2\,\mathrm{Re}\sum_k \alpha_k(\tau L - \theta_k)^{-1}v`: one shifted
    tridiagonal system per pole pair (8), stacked into one block-diagonal system for LAPACK; with
    ``check``, the 7 of CRAM-14 as well, in the same system. The LU factors of the last few
    (step, rates) are kept, so repeated steps with unchanged coefficients cost only the
    triangular solves (the factors of the stacked system start with those of CRAM-16 alone,
    since no pivot crosses an uncoupled block boundary).
    """

    def __init__(self) -> None:
        self.factors: dict = {}
        self.checked: dict = {}  # (tau, rates) whose CRAM-16 step passed the check
        self.stationaries: dict = {}

    def stationary(self, up: NDArray[np.float64], down: NDArray[np.float64]):
        r"""The stationary density of L (unit sum) if every rate is > 0, else None.

        Detailed balance of the birth-death chain: :math:`\pi_{i+1}/\pi_i = u_i/d_i`, summed in logs.
        """
        key = (id(up), id(down))
        if key not in self.stationaries:  # the entry holds up and down, so their ids are not reused
            pi = None
            if np.all(up > 0) and np.all(down > 0):
                log_pi = np.concatenate(([0.0], np.cumsum(np.log(up) - np.log(down))))
                pi = np.exp(log_pi - log_pi.max())
                pi /= pi.sum()
            self.stationaries[key] = (pi, up, down)
        return self.stationaries[key][0]

    def _factor(self, tau: float, up: NDArray[np.float64], down: NDArray[np.float64], poles):
        key = (tau, poles.size, id(up), id(down))
        if key in self.factors:  # the entry holds up and down, so their ids are not reused
            return self.factors[key][0]
        shape = (poles.size, up.size + 1)
        sub, diag, sup = (np.zeros(shape, dtype=complex) for _ in range(3))
        sub[:, :-1], sup[:, :-1] = tau * up, tau * down  # the last column stays 0: blocks uncoupled
        diag[:, :-1] = -tau * up
        diag[:, 1:] -= tau * down
        diag -= poles[:, None]
        *lu, info = lapack.zgttrf(
            sub.ravel()[:-1], diag.ravel(), sup.ravel()[:-1], True, True, True
        )
        if info != 0:  # the shifts keep every block nonsingular; this would be a LAPACK failure
            raise RuntimeError(f"CRAM factorisation failed (LAPACK zgttrf info = {info})")
        if len(self.factors) >= 8:
            self.factors.clear()
        self.factors[key] = (lu, up, down)
        return lu

    def __call__(
        self,
        tau: float,
        up: NDArray[np.float64],
        down: NDArray[np.float64],
        v: NDArray[np.float64],
        check: bool = False,
    ) -> list[NDArray[np.float64]]:
        """``[r16(tau L) v]``, or with ``check`` ``[r16(tau L) v, r14(tau L) v]``; L by its rates."""
        approximations = (_CRAM16, _CRAM14) if check else (_CRAM16,)
        poles = np.concatenate([theta for theta, _, _ in approximations])
        stacked = (tau, _CRAM16[0].size + _CRAM14[0].size, id(up), id(down))
        if not check and stacked in self.factors:  # the leading blocks of a checked step
            m = poles.size * v.size
            dl, d, du, du2, ipiv = self.factors[stacked][0]
            lu = (dl[: m - 1], d[:m], du[: m - 1], du2[: m - 2], ipiv[:m])
        else:
            lu = self._factor(tau, up, down, poles)
        rhs = np.repeat(v.astype(complex)[None, :], poles.size, axis=0)
        y, info = lapack.zgttrs(*lu, rhs.ravel(), overwrite_b=True)
        y, results, first = y.reshape(rhs.shape), [], 0
        for _, alpha, alpha0 in approximations:
            part = y[first : first + alpha.size]
            first += alpha.size
            weighted = np.einsum("k,kn->n", alpha.real, part.real) - np.einsum(
                "k,kn->n", alpha.imag, part.imag
            )
            results.append(alpha0 * v + 2 * weighted)
        return results


def _affine_scan(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """y with y_0 = b_0, y_i = b_i + a_i y_{i-1} along the last axis, for a, b >= 0.

    A prefix scan in log2(n) vector steps: composing two steps gives a step with coefficients
    a a' and a b' + b (Hillis and Steele), products and sums of non-negative numbers only.
    """
    a, y = a.copy(), b.copy()
    shift = 1
    while shift < y.shape[-1]:
        y[..., shift:] = y[..., shift:] + a[..., shift:] * y[..., :-shift]
        a[..., shift:] = a[..., shift:] * a[..., :-shift]
        shift *= 2
    return y


def _subtraction_free_solve(
    right: NDArray[np.float64], left: NDArray[np.float64], start: NDArray[np.float64]
) -> NDArray[np.float64]:
    r"""Solve :math:`(1 + r_i + l_{i-1})x_i - r_{i-1}x_{i-1} - l_i x_{i+1} = s_i` for r, l, s >= 0, r_i l_i = 0.

    The matrix has non-positive off-diagonals and columns summing to 1. Gaussian elimination
    from the top keeps, instead of subtracting, the excess :math:`e_i` of each remaining column over
    its off-diagonal (after Grassmann, Taksar and Heyman): the pivots are :math:`d_i = e_i + r_i`
    with :math:`e_0 = 1`, :math:`e_{i+1} = 1 + l_i e_i/d_i`, which is :math:`1 + l_i` because each face
    carries flow one way only (:math:`r_i = 0` or :math:`l_i = 0`). The two sweeps
    :math:`y_i = s_i + (r_{i-1}/d_{i-1})\,y_{i-1}` and :math:`x_i = (y_i + l_i x_{i+1})/d_i` are prefix
    scans. Every operation adds, multiplies or divides non-negative numbers, so each computed
    :math:`x_i` is :math:`\ge 0` in floating point, with a small relative error whatever the rates.
    Rows of ``right``, ``left`` (shape (m, n - 1)) and ``start`` (shape (n,)) are m systems.
    """
    zero = np.zeros((*right.shape[:-1], 1))
    pivots = 1.0 + np.concatenate((zero, left), axis=-1) + np.concatenate((right, zero), axis=-1)
    forward = np.concatenate((zero, right / pivots[..., :-1]), axis=-1)
    y = _affine_scan(forward, np.broadcast_to(start, pivots.shape))
    back = np.concatenate((zero, (left / pivots[..., :-1])[..., ::-1]), axis=-1)
    return _affine_scan(back, (y / pivots)[..., ::-1])[..., ::-1] + 0.0  # + 0.0: no -0.0


def _patankar(start: NDArray[np.float64], predicted: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""The non-negative densities with the mass of ``start`` that reproduce each row of ``predicted`` where positive.

    The net amount (per h) that crossed face :math:`i + \tfrac12` to the right while ``start``
    became a row of ``predicted`` is :math:`F_i = \sum_{k \le i}(\text{start}_k - \text{predicted}_k)`
    (mass moves only through faces). Each :math:`F_i` leaves the cell upwind of it; the modified
    Patankar step makes it leave in proportion to that cell's new density: :math:`F_i\,x_j/\sigma_j`
    with :math:`\sigma_j` the predicted density. The result solves a linear system with
    non-positive off-diagonals and unit column sums (``_subtraction_free_solve``), so it is
    :math:`\ge 0` and has the mass of ``start``. A positive prediction is returned unchanged; where
    it is below 1e-30 of what a cell holds and receives, the cell is emptied instead, and that
    change is carried on downstream (by as much as the prediction was below 0).
    """
    total = predicted.sum(axis=-1, keepdims=True)
    # the rational approximation may miss the mass by ~1e-14: rescale so the fluxes close
    predicted = predicted * np.where(total > 0, start.sum() / np.where(total > 0, total, 1.0), 1.0)
    net = np.cumsum(start - predicted, axis=-1)[..., :-1]
    right, left = np.maximum(net, 0.0), np.maximum(-net, 0.0)
    content = np.broadcast_to(start, predicted.shape).copy()  # each cell if nothing left it
    content[..., 1:] += right
    content[..., :-1] += left
    sigma = np.maximum(predicted, _PATANKAR_FLOOR * content)
    with np.errstate(divide="ignore", invalid="ignore"):
        to_right = np.where(
            right > 0, np.minimum(right / sigma[..., :-1], 1 / _PATANKAR_FLOOR), 0.0
        )
        to_left = np.where(left > 0, np.minimum(left / sigma[..., 1:], 1 / _PATANKAR_FLOOR), 0.0)
    return _subtraction_free_solve(to_right, to_left, start)


def _step(exponential: _Cram, tau: float, rates: list, v: NDArray[np.float64], rtol: float):
    """One exponential midpoint step of length ``tau`` from ``v``, its estimated error, and whether
    the coefficients were frozen.

    ``rates`` holds the generator at 1/4, 1/2 and 3/4 of the step. If the three are identical
    (the coefficients do not change over the step, as far as these samples tell) the midpoint
    rule is exact, and the only error left, that of the rational approximation, is estimated by
    the difference E v between CRAM-16 (returned) and CRAM-14, in the 1-norm relative to the mass;
    where every rate is > 0 only the departure from the stationary density is propagated.
    A step that repeats a (tau, rates) pair already accepted is not checked again: the
    predictions it is applied to are r16^k v0, E commutes with r16, and r16 is within the checked
    error of the exact step, a contraction in the 1-norm, so the difference can only shrink.
    Otherwise the step is compared with two half steps: returned is their Richardson
    combination, with the estimated error of the two half steps in the max norm relative to
    the largest density.
    """
    (q_up, q_down), (m_up, m_down), (t_up, t_down) = rates
    if rates[0] is rates[1] is rates[2]:
        # only the departure w from the stationary density is propagated: the rounding of the
        # shifted solves grows like eps tau |L| |w|, and w dies out, so long steps stay exact
        pi = exponential.stationary(m_up, m_down)
        rest = 0.0 if pi is None else pi * v.sum()
        key = (tau, id(m_up), id(m_down))
        if key in exponential.checked:
            return rest + exponential(tau, m_up, m_down, v - rest)[0], 0.0, True
        exact, rough = exponential(tau, m_up, m_down, v - rest, check=True)
        error = np.abs(exact - rough).sum() / max(np.abs(v).sum(), 1e-300)
        if error <= rtol:  # pin the rates so that their ids are not reused
            exponential.checked[key] = (m_up, m_down)
        return rest + exact, error, True
    (full,) = exponential(tau, m_up, m_down, v)
    (half,) = exponential(tau / 2, q_up, q_down, v)
    (half,) = exponential(tau / 2, t_up, t_down, half)
    error = np.abs(full - half).max() / 3 / max(np.abs(half).max(), 1e-300)
    return half + (half - full) / 3, error, False


def fokker_planck_1d(
    drift: Callable,
    diffusion: Callable,
    p0: ArrayLike,
    x: ArrayLike,
    times: ArrayLike,
    rtol: float = 1e-9,
    max_steps: int = 10_000,
) -> NDArray[np.float64]:
    r"""Solve :math:`\partial_t p = -\partial_x(f p) + \tfrac12\partial_x^2(g^2 p)` on a grid, zero-flux ends.

    **Space.** The conservative Scharfetter–Gummel finite-volume scheme
    :math:`\dot p = L(t)\,p` of :func:`fokker_planck_generator` (``p`` holds cell averages at the
    grid points, second order in h for smooth solutions, upwinding where :math:`g = 0`).

    **Time.** Each step is the exponential midpoint (Magnus) rule

    .. math::

        p(t + \tau) \approx e^{\tau L(t + \tau/2)}\,p(t),

    exact for coefficients that do not depend on t and second order otherwise, with
    :math:`e^{\tau L}v` from the Chebyshev rational approximation (CRAM) of order 16: eight
    shifted tridiagonal solves, uniformly accurate on the negative real axis, where the spectrum of
    :math:`L` lies, however stiff. The coefficients are sampled at 1/4, 1/2 and 3/4 of each step.
    Where the samples agree the midpoint rule is exact, and the step is checked by computing it
    also with CRAM of order 14 (one stacked solve): accepted if the two agree within ``rtol``
    (in the 1-norm, relative to the mass), else quartered; this catches the strongly
    non-normal generators of advection-dominated problems, where rational approximations lose
    accuracy for long steps. A step repeating an accepted (length, coefficients) pair is not
    checked again: the difference of the two approximations commutes with the step, which is a
    contraction in the 1-norm up to the checked error, so it cannot grow. Where the samples
    differ, the step is checked against two half steps and the Richardson combination of the
    two is kept (fourth order, the midpoint rule being symmetric), the step size following the
    estimated error. The first step tried is the whole interval to the next output time, so for
    time-independent coefficients each output time usually costs one step, and equal intervals
    reuse one LU factorisation.

    **Positivity and mass.** The rational approximation is accurate but not sign-safe in
    floating point. The prediction at each output time is therefore passed through a modified
    Patankar step from the initial density: the net amount that crossed each face since the
    initial time (the difference of the cumulative masses) is made to leave its upwind cell in
    proportion to that cell's new density. This is a linear system with unit column sums and
    non-positive off-diagonals, solved by an elimination that never subtracts
    (``_subtraction_free_solve``): every returned value is :math:`\ge 0` in floating point,
    :math:`h\sum_i p_i` equals that of ``p0`` up to the rounding of one solve (no accumulation
    over output times), and a positive prediction is returned unchanged (one that dips below 0
    in the tails, by the approximation's 1e-14, is changed by about that much).

    Parameters
    ----------
    drift : callable ``(x, t) -> array``
        :math:`f`, vectorised over x; evaluated at the cell faces.
    diffusion : callable ``(x, t) -> array``
        :math:`g \ge 0`, vectorised over x; evaluated at the grid points.
    p0 : array_like
        The initial density at the grid points, :math:`\ge 0` with positive mass.
    x : array_like
        The uniform grid, strictly increasing, at least 3 points.
    times : array_like
        Strictly increasing output times; the first is the initial time.
    rtol : float in [1e-13, 1e-2]
        Accepted error estimate of a step (see above): relative to the mass in the 1-norm for
        frozen coefficients, to the largest density in the max norm otherwise.
    max_steps : int >= 1
        The work budget: the number of steps tried over all intervals.

    Returns
    -------
    ndarray
        Shape ``(len(times), len(x))``: the density at each of ``times``, row 0 a copy of ``p0``.

    Raises
    ------
    TypeError
        If ``drift`` or ``diffusion`` is not callable or a number is not real.
    ValueError
        If ``x`` is not a uniform increasing grid of at least 3 points, ``p0`` has the wrong shape,
        a negative value or zero mass, ``times`` is not strictly increasing, ``rtol`` or
        ``max_steps`` is out of range, a coefficient returns the wrong shape, a non-finite value
        or a negative ``g``, the rates :math:`D/h^2` overflow, or the coefficients vary so fast
        that more than ``max_steps`` steps would be needed.

    Notes
    -----
    Measured (``tests/test_sde.py``, ``benchmarks/kernels/sde.py``): on the chapter's
    Ornstein–Uhlenbeck test (101 to 1601 points, four output times) the result differs from the
    exact time integration of the same semi-discrete system (``expm_multiply``) by at most 2e-12 of
    the peak (the double well, eight output times: 3e-11), so its error against the closed form
    is that of the exact time integration and
    falls like :math:`h^2`; with time-dependent coefficients (an exact Gaussian solution) the
    error is within 10 % of the exact time integration's. The minimum is :math:`\ge 0` and the mass
    constant to 1e-13 relative in every case tested: advection into a wall, stiff drift with
    :math:`g = 10^{-3}`, :math:`g = 0`, oscillating coefficients, masses from 1e-300 to 1e300.
    Supported: the largest transfer rate times any step up to 1e150 (a longer interval is split
    into steps, refused up front if that takes more than ``max_steps``).

    References
    ----------
    .. [1] D. L. Scharfetter and H. K. Gummel, "Large-signal analysis of a silicon Read diode
       oscillator", IEEE Trans. Electron Devices 16 (1969) 64–77.
    .. [2] M. Pusa, "Correction to partial fraction decomposition coefficients for Chebyshev
       rational approximation on the negative real axis", arXiv:1206.2880 (2012).
    .. [3] H. Burchard, E. Deleersnijder and A. Meister, "A high-order conservative
       Patankar-type discretisation for stiff systems of production–destruction equations",
       Appl. Numer. Math. 47 (2003) 1–30.
    .. [4] W. K. Grassmann, M. I. Taksar and D. P. Heyman, "Regenerative analysis and steady
       state distributions for Markov chains", Oper. Res. 33 (1985) 1107–1116.

    Examples
    --------
    >>> x = np.linspace(-4, 4, 81)
    >>> p0 = ou_density(x, 0, 1, 1, 1, 0.1)
    >>> p = fokker_planck_1d(lambda x, t: -x, lambda x, t: np.ones_like(x), p0, x, [0, 1])
    >>> p.shape, bool(p.min() >= 0)
    ((2, 81), True)
    >>> bool(abs(p[1].sum() / p[0].sum() - 1) < 1e-13)
    True
    """
    cells = _Grid(x, drift, diffusion)
    p = real_array(p0, "p0")
    if p.shape != cells.points.shape:
        raise ValueError(f"p0: must have the shape of x {cells.points.shape}, got {p.shape}")
    if np.any(p < 0) or not p.sum() > 0:
        raise ValueError("p0: must be >= 0 with positive mass")
    t = _increasing(times, "times")
    rtol = real_scalar(rtol, "rtol")
    if not 1e-13 <= rtol <= 1e-2:
        raise ValueError(f"rtol: must lie in [1e-13, 1e-2], got {rtol!r}")
    max_steps = count(max_steps, "max_steps")
    exponent = math.frexp(float(p.max()))[1]
    out = np.empty((t.size, p.size))
    out[0] = p
    p = np.ldexp(p, -exponent)  # exact: the largest density in [1/2, 1)
    exponential, predictions = _Cram(), []
    now, predicted, tau, tried = t[0], p, np.inf, 0
    for target in t[1:]:
        while now < target:
            tau = min(tau, target - now)
            capped = False
            while True:  # keep step x rate within the range the shifted solves handle
                rates = [cells.rates(now + c * tau) for c in (0.25, 0.5, 0.75)]
                fastest = max(_fastest(*r) for r in rates)
                if fastest == 0 or tau <= _MAX_STIFFNESS / fastest:
                    break
                tau, capped = 0.5 * _MAX_STIFFNESS / fastest, True
            tried += 1
            if capped and (target - now) / tau > 10 * (max_steps - tried + 1):
                raise ValueError(
                    f"times, max_steps: reaching t = {target:g} from {now:g} needs steps of at most "
                    f"1e150 / (largest rate) = {tau:.3g}, more than max_steps = {max_steps} of them"
                )
            if tried > max_steps:
                raise ValueError(
                    f"max_steps: {max_steps} steps did not reach t = {target:g} (stopped at {now:g}); "
                    "the coefficients vary faster in time than rtol allows, or the interval is too "
                    "long for the accuracy of the rational approximation (step x largest rate up "
                    "to about 1e6 while the density is far from stationary); raise max_steps or rtol"
                )
            step, error, frozen = _step(exponential, tau, rates, predicted, rtol)
            if error <= rtol:
                predicted = step
                now = target if tau >= target - now else now + tau
            if frozen:  # the approximation's error does not follow a power of tau
                tau *= 10.0 if error <= rtol else 0.25
            elif error > 0:
                tau *= min(10.0, max(0.2, 0.9 * (rtol / error) ** (1 / 3)))
            else:
                tau *= 10.0
            if now < target and tau <= 4 * np.finfo(np.float64).eps * abs(now) or tau == 0:
                raise ValueError(
                    f"times: the step size underflowed at t = {now:g}; the coefficients change "
                    "too abruptly in time for rtol"
                )
        predictions.append(predicted)
    if t.size > 1:
        out[1:] = np.ldexp(_patankar(p, np.array(predictions)), exponent)
    return out


# ====================================================================== Ornstein-Uhlenbeck


def ou_density(
    x: ArrayLike, t: ArrayLike, theta: float, sigma: float, m0: float, s0: float
) -> NDArray[np.float64] | float:
    r"""Density at time t of :math:`dx = -\theta x\,dt + \sigma\,dw` from :math:`N(m_0, s_0)` (s0 a variance).

    .. math::

        p(x, t) = \frac{1}{\sqrt{2\pi}\,s}\exp\!\Big(-\frac{(x - m_0 e^{-\theta t})^2}{2 s^2}\Big),
        \qquad s^2 = s_0 e^{-2\theta t} + \sigma^2 t\,\varphi(2\theta t),
        \quad \varphi(u) = \frac{1 - e^{-u}}{u},

    so :math:`s^2 \to \sigma^2 t` as :math:`\theta \to 0` (Brownian motion) and
    :math:`\sigma^2/(2\theta)` as :math:`t \to \infty`. The standard deviation is formed without
    squaring :math:`\sigma` (no overflow for :math:`\sigma` up to 1e308), :math:`\varphi` by its
    series for small u (no loss of digits for a subnormal :math:`\theta`), and the density in
    log form.

    Parameters
    ----------
    x, t : array_like
        Points and times :math:`t \ge 0`, broadcast together.
    theta : float >= 0
        The mean-reversion rate.
    sigma : float >= 0
        The noise amplitude.
    m0 : float
        The initial mean.
    s0 : float >= 0
        The initial variance; ``s0 = 0`` is a point mass, which has no density at t = 0.

    Returns
    -------
    float or ndarray
        A float when ``x`` and ``t`` are scalars, else an array of their broadcast shape.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If ``theta``, ``sigma``, ``s0`` or ``t`` is negative, a value is not finite, the shapes
        do not broadcast, the variance is 0 (a point mass), or the density exceeds the float
        range (a standard deviation below about 1e-308).

    Notes
    -----
    Agrees with ``scipy.stats.norm.pdf`` at the same mean and variance to 1e-11 relative on
    random parameters (``tests/test_sde.py``), and stays accurate where that underflows or
    overflows.

    References
    ----------
    .. [1] G. E. Uhlenbeck and L. S. Ornstein, "On the theory of the Brownian motion", Phys.
       Rev. 36 (1930) 823–841.

    Examples
    --------
    >>> round(ou_density(0.0, 1e9, 1.0, 1.0, 0.0, 0.0), 12)  # stationary N(0, 1/2)
    0.564189583548
    """
    x, t = real_array(x, "x"), real_array(t, "t")
    xa, ta = broadcast(x=x, t=t)
    theta = real_scalar(theta, "theta")
    sigma = real_scalar(sigma, "sigma")
    m0 = real_scalar(m0, "m0")
    s0 = real_scalar(s0, "s0")
    for name, v in (("theta", theta), ("sigma", sigma), ("s0", s0)):
        if v < 0:
            raise ValueError(f"{name}: must be >= 0, got {v!r}")
    if np.any(ta < 0):
        raise ValueError("t: must be >= 0")
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        decay = np.exp(-theta * ta)
        u = 2 * theta * ta
        small = u < 1e-5
        noise_sd = sigma * np.where(
            small,
            np.sqrt(ta * (1 - u / 2 + u * u / 6)),
            np.sqrt(-np.expm1(-u)) * (math.sqrt(0.5) / math.sqrt(theta) if theta > 0 else 0.0),
        )
        sd = np.hypot(math.sqrt(s0) * decay, noise_sd)
        if np.any(sd == 0):
            raise ValueError(
                "s0, sigma, t: the variance s0 e^(-2 theta t) + sigma^2 (1 - e^(-2 theta t)) / (2 theta) "
                "is 0 (a point mass), which has no density"
            )
        mean = m0 * decay
        z = (xa - mean) / sd
        z = np.where(np.isfinite(z), z, xa / sd - mean / sd)
        density = np.exp(-0.5 * z * z - np.log(sd) - 0.5 * math.log(2 * math.pi))
    if not np.isfinite(density).all():
        raise ValueError(
            "s0, sigma, t: the standard deviation is below about 1e-308, so the density exceeds "
            "the float range"
        )
    return scalar_or_array(density, x, t)
