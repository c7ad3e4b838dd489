"""Edge table of scispaces.reference, sde section: the oracles of tests/test_sde.py and of the
Fokker-Planck benchmark, checked against closed forms where one exists."""

from __future__ import annotations

import math

import numpy as np

from edges import Row, any_, case, count, flag, function, real, real_array
from scispaces.sde import _CRAM16

MODULE = "scispaces.reference"

L_CHAIN = np.array([[-1.0, 2.0], [1.0, -2.0]])  # a two-state chain, rates 1 and 2


def _ou_check(result, t, theta, sigma, m0, s0, dps):
    """The closed form in float: mean m0 e^-theta t, variance s0 e^-2 theta t + sigma^2 (1 - e^-2 theta t) / 2 theta."""
    t, th, sg, m, s = (float(np.asarray(v)) for v in (t, theta, sigma, m0, s0))
    decay = math.exp(-th * t)
    spread = -math.expm1(-2 * th * t) / (2 * th) if th * t > 1e-12 else t
    mean, var = m * decay, s * decay * decay + sg * sg * spread
    assert abs(result[0] - mean) <= 1e-12 * abs(mean) + 1e-300, (result, mean)
    assert abs(result[1] - var) <= 1e-12 * var + 1e-300, (result, var)


def _chain_check(result, generator, p0, times, constant):
    """The two-state chain: p(t) = pi + e^(-3 t) (p0 - pi), pi = (2, 1) sum(p0) / 3."""
    t = np.asarray(times, dtype=float)
    scale = np.abs(np.asarray(p0, dtype=float)).max() or 1.0
    q = np.asarray(p0, dtype=float) / scale
    pi = np.array([2.0, 1.0]) * q.sum() / 3
    want = pi + np.exp(-3 * (t - t[0]))[:, None] * (q - pi)
    assert np.abs(np.asarray(result) / scale - want).max() <= 1e-9


def _moments_check(result, theta, sigma, m0, s0, times):
    """Constant theta = 1, sigma = 0.5: the OU moments."""
    t = np.asarray(times, dtype=float)
    m, s = float(np.asarray(m0)), float(np.asarray(s0))
    mean = m * np.exp(-t)
    var = s * np.exp(-2 * t) + 0.25 * (-np.expm1(-2 * t)) / 2
    assert np.allclose(result[0], mean, rtol=1e-10, atol=1e-14 * abs(m) + 1e-300)
    assert np.allclose(result[1], var, rtol=1e-10, atol=1e-14 * s + 1e-300)


def _cram_check(result, theta, alpha, alpha0, points, dps):
    """>= 0 always; below 1e-14 for the library's CRAM-16 coefficients (measured 5.1e-15)."""
    assert result >= 0, result
    same = all(
        np.array_equal(np.asarray(a), b) for a, b in zip((theta, alpha), _CRAM16[:2], strict=True)
    )
    if same and float(np.asarray(alpha0)) == _CRAM16[2]:
        assert result < 1e-14, result


ROWS = [
    Row(
        "ou_mean_variance",
        {
            "t": real(0.7),
            "theta": real(1.0),
            "sigma": real(0.8),
            "m0": real(1.5),
            "s0": real(0.05),
            "dps": count(30),
        },
        check=_ou_check,
    ),
    Row(
        "gaussian_moments_ode",
        {
            "theta": function(lambda t: 1.0),
            "sigma": function(lambda t: 0.5),
            "m0": real(1.2),
            "s0": real(0.05),
            "times": real_array(np.array([0.0, 0.4, 1.0])),
        },
        check=_moments_check,
    ),
    Row(
        "semi_discrete_solution",
        {
            "generator": function(lambda t: L_CHAIN),
            "p0": real_array(np.array([0.3, 0.7])),
            "times": real_array(np.array([0.0, 0.5, 1.0])),
            "constant": flag(False),
        },
        check=_chain_check,
    ),
    Row(
        "cram_max_error",
        {
            "theta": any_(
                _CRAM16[0], extra=(case("None", None, "refuse"), case("str", "1j", "refuse"))
            ),
            "alpha": any_(_CRAM16[1], extra=(case("nan", np.full(8, np.nan), "refuse"),)),
            "alpha0": real(_CRAM16[2]),
            "points": real_array(np.array([-0.5, -3.0, -40.0])),
            "dps": count(40),
        },
        check=_cram_check,
    ),
    Row(
        "mp_ou_density",
        {
            "x": real(np.array([-1.0, 0.5, 2.0]), supports=("empty",)),
            "t": real(0.7),
            "theta": real(1.0),
            "sigma": real(0.8),
            "m0": real(1.5),
            "s0": real(0.05),
            "dps": count(30),
        },
        broadcast=("x", "t"),
    ),
]
