"""Edge table of scispaces.sde: the Fokker-Planck solver against the exact time integration of its
own semi-discrete system (plus p >= 0 and mass), the generator by its structure, the OU density
against mpmath, Euler-Maruyama paths by shape and finiteness."""

from __future__ import annotations

import numpy as np
import scipy.linalg

from edges import Row, close, count, function, real, real_array, seed
from scispaces.reference import mp_ou_density, semi_discrete_solution
from scispaces.sde import fokker_planck_generator

MODULE = "scispaces.sde"

X = np.linspace(-2.0, 2.0, 21)
P0 = np.exp(-((X - 0.3) ** 2) / 0.5)
TIMES = np.array([0.0, 0.1, 0.4])
EMPTY = ("empty",)  # ou_density is vectorised: an empty array gives an empty result


def _drift(x, t):
    return 0.5 - x


def _diffusion(x, t):
    return 0.4 + 0.1 * np.cos(x)


def _fokker_planck_check(result, drift, diffusion, p0, x, times, rtol, max_steps):
    """Shape, p >= 0, h sum p constant to 1e-13, and equal to the exact time integration of the
    same semi-discrete system (the table's coefficients do not depend on t: expm_multiply) to
    1e-6 of the peak."""
    grid = np.asarray(x, dtype=float)
    start = np.asarray(p0, dtype=float)
    t = np.atleast_1d(np.asarray(times, dtype=float))
    out = np.asarray(result)
    assert out.shape == (t.size, grid.size), f"shape {out.shape}"
    assert np.all(out >= 0), f"min {out.min()!r}"
    mass = out.sum(axis=1)
    assert np.all(np.abs(mass / mass[0] - 1) <= 1e-13), (
        f"mass off by {np.abs(mass / mass[0] - 1).max():.2g}"
    )
    scale = float(start.max())
    L = fokker_planck_generator(drift, diffusion, grid)
    horizon = 1e8 / abs(L).sum(axis=0).max()  # the reference's supported range
    near = t - t[0] <= horizon
    want = semi_discrete_solution(lambda s: L, start / scale, t[near], True)
    err = np.abs(out[near] / scale - want).max()
    assert err <= 1e-6 + float(np.asarray(rtol)) * 1e3, (
        f"off the exact time integration by {err:.2g}"
    )
    if not near.all():  # relaxed long ago (the relaxation time is about 1): the null vector of L
        pi = scipy.linalg.null_space(L.toarray())[:, 0]
        pi *= start.sum() / pi.sum()
        assert np.abs(out[~near] - pi).max() <= 1e-8 * pi.max(), "not the stationary density"


def _generator_check(result, drift, diffusion, x, t):
    """Square of side len(x), off-diagonals >= 0, columns summing to 0 (to rounding)."""
    L = result.toarray()
    n = np.asarray(x).size
    assert L.shape == (n, n), f"shape {L.shape}"
    assert np.all(L - np.diag(np.diag(L)) >= 0), "a negative off-diagonal"
    assert np.all(np.abs(L.sum(axis=0)) <= 1e-13 * np.abs(np.diag(L)).max()), (
        "columns do not sum to 0"
    )


def _paths_check(result, drift, diffusion, x0, times, n_paths, seed, max_step):
    out = np.asarray(result)
    t = np.atleast_1d(np.asarray(times))
    assert out.shape[:2] == (t.size, int(n_paths)), f"shape {out.shape}"
    assert np.isfinite(out).all(), "non-finite paths"


ROWS = [
    Row(
        "euler_maruyama",
        {
            "drift": function(lambda x, t: -x),
            "diffusion": function(lambda x, t: np.full_like(x, 0.5)),
            "x0": real(1.0),
            "times": real_array(np.array([0.0, 0.5, 1.0])),
            "n_paths": count(8),
            "seed": seed(0),
            "max_step": real(0.1, supports=("None",)),
        },
        check=_paths_check,
    ),
    Row(
        "fokker_planck_1d",
        {
            "drift": function(_drift),
            "diffusion": function(_diffusion),
            "p0": real_array(P0),
            "x": real_array(X),
            "times": real_array(TIMES),
            "rtol": real(1e-9),
            "max_steps": count(10_000),
        },
        check=_fokker_planck_check,
    ),
    Row(
        "fokker_planck_generator",
        {
            "drift": function(_drift),
            "diffusion": function(_diffusion),
            "x": real_array(X),
            "t": real(0.0),
        },
        check=_generator_check,
    ),
    Row(
        "ou_density",
        {
            "x": real(np.array([-1.0, 0.5, 2.0]), supports=EMPTY),
            "t": real(0.7),
            "theta": real(1.0),
            "sigma": real(0.8),
            "m0": real(1.5),
            "s0": real(0.05),
        },
        broadcast=("x", "t"),
        check=close(mp_ou_density, rtol=1e-12, atol=1e-300),
    ),
]
