r"""Stochastic differential equations and their Fokker–Planck equations.

Derived in the chapter *The continuity and Fokker–Planck equations* (``book/fokker_planck.ipynb``),
after Su Jianlin, kexue.fm/archives/9461 (2023-02-11). For :math:`dx = f(x, t)\,dt + g(x, t)\,dw`
(Itô) the density obeys

.. math::

    \partial_t p = -\partial_x (f p) + \tfrac12 \partial_x^2 (g^2 p),

and :math:`g = 0` gives the continuity equation of the ODE :math:`\dot x = f`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scispaces._checks import real_array

__all__ = ["euler_maruyama", "fokker_planck_1d", "ou_density"]


def _increasing(times: ArrayLike, name: str) -> NDArray[np.float64]:
    t = real_array(times, name)
    if t.ndim != 1 or t.size < 1:
        raise ValueError(f"{name}: must be a 1-D array with at least one value")
    if np.any(np.diff(t) <= 0):
        raise ValueError(f"{name}: must be strictly increasing")
    return t


def _callable(fn: object, name: str) -> None:
    if not callable(fn):
        raise ValueError(f"{name}: must be a callable (x, t) -> array, got {type(fn).__name__}")


def euler_maruyama(
    drift: Callable,
    diffusion: Callable,
    x0: ArrayLike,
    times: ArrayLike,
    n_paths: int,
    seed: int = 0,
    max_step: float | None = None,
) -> NDArray[np.float64]:
    r"""Paths of :math:`dx = f(x, t)\,dt + g(x, t)\,dw` by Euler–Maruyama, recorded at ``times``.

    Each step is :math:`x \leftarrow x + f\,\Delta t + g\sqrt{\Delta t}\,\varepsilon`, :math:`\varepsilon \sim N(0, I)`,
    with the coefficients at the left end point (Itô). Steps are the intervals of ``times``, each
    cut into equal sub-steps no longer than ``max_step``. ``drift(x, t)`` and ``diffusion(x, t)``
    are vectorised over paths: for a scalar ``x0`` they get shape ``(n_paths,)``; for a vector
    ``x0`` of length d, or one start per path (shape ``(n_paths, d)``), they get
    ``(n_paths, d)``, and ``diffusion`` returns either ``(n_paths, d)`` (diagonal noise) or
    ``(n_paths, d, m)`` (a matrix G, driven by m independent noises). Returns
    ``(len(times), n_paths)`` or ``(len(times), n_paths, d)``; the same ``seed`` gives the same
    paths.

    Examples
    --------
    >>> paths = euler_maruyama(lambda x, t: -x, lambda x, t: np.ones_like(x), 1.0, [0, 1], 4, seed=1)
    >>> paths.shape
    (2, 4)
    """
    _callable(drift, "drift")
    _callable(diffusion, "diffusion")
    x0 = real_array(x0, "x0")
    t = _increasing(times, "times")
    if isinstance(n_paths, bool) or not isinstance(n_paths, int | np.integer) or n_paths < 1:
        raise ValueError(f"n_paths: must be a whole number >= 1, got {n_paths!r}")
    if x0.ndim > 2 or (x0.ndim == 2 and x0.shape[0] != n_paths):
        raise ValueError(
            f"x0: must be a number, a state vector (d,) or one state per path (n_paths, d), "
            f"got shape {x0.shape}"
        )
    if max_step is not None and (
        isinstance(max_step, bool) or not (np.isfinite(max_step) and max_step > 0)
    ):
        raise ValueError(f"max_step: must be a number > 0, got {max_step!r}")
    rng = np.random.default_rng(seed)
    x = x0.copy() if x0.ndim == 2 else np.broadcast_to(x0, (n_paths, *x0.shape)).astype(np.float64)
    out = np.empty((t.size, *x.shape))
    out[0] = x
    now = t[0]
    for k in range(1, t.size):
        span = t[k] - t[k - 1]
        pieces = 1 if max_step is None else max(1, int(np.ceil(span / max_step)))
        dt = span / pieces
        for j in range(pieces):
            f = np.asarray(drift(x, now), dtype=np.float64)
            g = np.asarray(diffusion(x, now), dtype=np.float64)
            matrix = x.ndim == 2 and g.ndim == 3
            if matrix and g.shape[:2] != x.shape:
                raise ValueError(
                    f"diffusion: a matrix G must have shape (n_paths, d, m), got {g.shape}"
                )
            if not (np.isfinite(f).all() and np.isfinite(g).all()):
                raise ValueError(f"drift, diffusion: returned non-finite values at t = {now:g}")
            if not matrix and np.any(g < 0):
                raise ValueError("diffusion: the noise coefficient g must be >= 0")
            noise = rng.standard_normal((x.shape[0], g.shape[2]) if matrix else x.shape)
            noise *= np.sqrt(dt)
            x = x + f * dt + (np.einsum("nij,nj->ni", g, noise) if matrix else g * noise)
            now = t[k - 1] + (j + 1) * dt
        out[k] = x
    return out


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


def fokker_planck_1d(
    drift: Callable,
    diffusion: Callable,
    p0: ArrayLike,
    x: ArrayLike,
    times: ArrayLike,
    safety: float = 0.45,
) -> NDArray[np.float64]:
    r"""Solve :math:`\partial_t p = -\partial_x(f p) + \tfrac12\partial_x^2(g^2 p)` on a uniform grid, zero-flux ends.

    A conservative finite-volume scheme: ``p`` holds cell averages at the grid points ``x``
    (spacing h). The flux :math:`J = f p - \tfrac12\partial_x(D p) = a p - \tfrac12 D\,\partial_x p`, with
    :math:`D = g^2` and :math:`a = f - \tfrac12\partial_x D`, is taken at each interface in the
    Scharfetter–Gummel form, exact for an exponential profile:
    :math:`J = \frac{D}{2h}\big(B(-w)\,p_i - B(w)\,p_{i+1}\big)`, :math:`w = 2ha/D`,
    :math:`B(z) = z/(e^z-1)`, which becomes upwinding where D = 0. Both weights are non-negative, so
    the explicit step :math:`p_i \leftarrow p_i + \frac{\Delta t}{h}(J_{i-1/2} - J_{i+1/2})`, with
    :math:`\Delta t` chosen so the diagonal stays above ``1 - 2 * safety``, keeps :math:`p \ge 0`; the
    boundary fluxes are 0, so :math:`h\sum_i p_i` is conserved to rounding. Second order in h for
    smooth solutions (:math:`\Delta t \propto h^2` where diffusion dominates). ``drift`` is evaluated at
    the cell interfaces and ``diffusion`` at the grid points, both vectorised over x, at the time
    of the start of each step.

    Returns the density at each of ``times`` (the first is the initial time), shape
    ``(len(times), len(x))``.
    """
    _callable(drift, "drift")
    _callable(diffusion, "diffusion")
    grid = _increasing(x, "x")
    if grid.size < 3:
        raise ValueError("x: needs at least 3 grid points")
    h = (grid[-1] - grid[0]) / (grid.size - 1)
    rounding = 8 * np.finfo(np.float64).eps * np.abs(grid).max()
    if np.any(np.abs(np.diff(grid) - h) > 1e-9 * h + rounding):
        raise ValueError("x: the grid must be uniform")
    p = real_array(p0, "p0").copy()
    if p.shape != grid.shape:
        raise ValueError(f"p0: must have the shape of x {grid.shape}, got {p.shape}")
    if np.any(p < 0) or p.sum() == 0:
        raise ValueError("p0: must be >= 0 with positive mass")
    t = _increasing(times, "times")
    if not 0 < safety <= 0.5:
        raise ValueError(f"safety: must lie in (0, 0.5], got {safety!r}")
    faces = (grid[:-1] + grid[1:]) / 2

    def coefficients(time: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        f = np.broadcast_to(np.asarray(drift(faces, time), dtype=np.float64), faces.shape)
        g = np.broadcast_to(np.asarray(diffusion(grid, time), dtype=np.float64), grid.shape)
        if not (np.isfinite(f).all() and np.isfinite(g).all()):
            raise ValueError(f"drift, diffusion: returned non-finite values at t = {time:g}")
        if np.any(g < 0):
            raise ValueError("diffusion: the noise coefficient g must be >= 0")
        D = g**2
        return _face_coefficients(f - np.diff(D) / (2 * h), (D[:-1] + D[1:]) / 2, h)

    out = np.empty((t.size, grid.size))
    out[0] = p
    for k in range(1, t.size):
        elapsed, span = 0.0, t[k] - t[k - 1]
        while elapsed < span:
            c_left, c_right = coefficients(t[k - 1] + elapsed)
            outflow = np.zeros(grid.size)  # rate at which each cell empties, times h
            outflow[:-1] += c_left
            outflow[1:] += c_right
            top = outflow.max()
            dt = span - elapsed if top == 0 else min(span - elapsed, 2 * safety * h / top)
            J = np.concatenate([[0.0], c_left * p[:-1] - c_right * p[1:], [0.0]])
            p = p + dt / h * (J[:-1] - J[1:])
            elapsed = span if span - elapsed <= dt else elapsed + dt
        out[k] = p
    return out


def ou_density(
    x: ArrayLike, t: ArrayLike, theta: float, sigma: float, m0: float, s0: float
) -> NDArray[np.float64]:
    r"""Density at time t of :math:`dx = -\theta x\,dt + \sigma\,dw` from :math:`N(m_0, s_0)` (:math:`s_0` a variance).

    Gaussian with mean :math:`m_0 e^{-\theta t}` and variance
    :math:`s_0 e^{-2\theta t} + \frac{\sigma^2}{2\theta}(1 - e^{-2\theta t})` (:math:`\sigma^2 t` at
    :math:`\theta = 0`). Broadcasts ``x`` against ``t``. ``s0 = 0`` is a point mass at t = 0, which
    has no density there.

    Examples
    --------
    >>> round(float(ou_density(0.0, 1e9, 1.0, 1.0, 0.0, 0.0)), 12)  # stationary N(0, 1/2)
    0.564189583548
    """
    x = real_array(x, "x")
    t = real_array(t, "t")
    for name, v in (("theta", theta), ("sigma", sigma), ("m0", m0), ("s0", s0)):
        if real_array(v, name).ndim != 0:
            raise ValueError(f"{name}: must be a single number")
    if theta < 0:
        raise ValueError(f"theta: must be >= 0, got {theta!r}")
    if sigma < 0:
        raise ValueError(f"sigma: must be >= 0, got {sigma!r}")
    if s0 < 0:
        raise ValueError(f"s0: a variance, must be >= 0, got {s0!r}")
    if np.any(t < 0):
        raise ValueError("t: must be >= 0")
    decay = np.exp(-theta * t)
    spread = -np.expm1(-2 * theta * t) / (2 * theta) if theta > 0 else t
    var = s0 * decay**2 + sigma**2 * spread
    if np.any(var <= 0):
        raise ValueError(
            "s0, sigma, t: the variance s0 e^(-2 theta t) + sigma^2 (1 - e^(-2 theta t)) / (2 theta) "
            "is 0 (a point mass), which has no density"
        )
    return np.exp(-((x - m0 * decay) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)
