"""Edge table of scispaces.reference, dynamics section: the exact and SciPy stationary variances
against each other and the library, the torch loop against the library, the Gibbs mean against
quadrature and its own range."""

from __future__ import annotations

import numpy as np
from scipy.integrate import quad

from edges import Row, count, flag, function, real, real_array, seed
from scispaces.dynamics import momentum_sgd, stationary_variance
from scispaces.reference import EPS, exact_stationary_variance

MODULE = "scispaces.reference"

GRID = np.linspace(-4.0, 4.0, 801)


def _exact_check(result, h, lr, beta, sigma):
    h, lr, beta, sigma = (float(np.asarray(v)) for v in (h, lr, beta, sigma))
    want = stationary_variance(h, lr, beta, sigma)
    f = lr * h / (2 * (1 + beta))
    assert abs(result - want) <= 30 * EPS / (1 - f) * want + 1e-300, (result, want)


def _lyapunov_check(result, h, lr, beta, sigma):
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (h, lr, beta, sigma)))
    for args, got in zip(
        zip(*(a.ravel() for a in arrays), strict=True), np.ravel(result), strict=True
    ):
        want = exact_stationary_variance(*args)
        assert abs(got - want) <= 1e-6 * want + 1e-300, (args, got, want)


def _torch_check(result, grad, theta0, lr, beta, steps, noise, nesterov, seed):
    want = momentum_sgd(
        lambda t: 0.5 * t, theta0, lr, beta, steps, noise, bool(nesterov), int(seed)
    )
    scale = max(1.0, float(np.abs(want).max()) if np.size(want) else 1.0)
    assert np.all(np.abs(result - want) <= 1e-13 * scale), (result, want)


def _gibbs_check(result, f, potential, temperature, x):
    grid = np.asarray(x, dtype=float)
    values = np.asarray(f(grid), dtype=float)
    assert values.min() - 1e-12 <= result <= values.max() + 1e-12, result  # a weighted mean
    if float(np.asarray(temperature)) == 0.32 and np.array_equal(grid, GRID):
        weight = lambda y: np.exp(-(y**4 / 4 - y**2 / 2 + 0.25) / 0.32)  # noqa: E731
        want = quad(lambda y: y * y * weight(y), -4, 4)[0] / quad(weight, -4, 4)[0]
        assert abs(result - want) <= 1e-8 * want, (result, want)  # f may return float32


ROWS = [
    Row(
        "exact_stationary_variance",
        {"h": real(2.0), "lr": real(0.3), "beta": real(0.9), "sigma": real(0.5)},
        check=_exact_check,
    ),
    Row(
        "lyapunov_variance",
        {
            "h": real(2.0, supports=("empty",)),
            "lr": real(0.3, supports=("empty",)),
            "beta": real(0.9, supports=("empty",)),
            "sigma": real(0.5, supports=("empty",)),
        },
        broadcast=("h", "lr", "beta", "sigma"),
        check=_lyapunov_check,
    ),
    Row(
        "torch_momentum_sgd",
        {
            "grad": function(
                lambda t: 0.5 * t,
                skip={
                    label: "the battery's wrapper converts the torch tensor with np.asarray, "
                    "and torch itself warns (DeprecationWarning) before grad returns"
                    for label in ("returns one NaN", "returns read-only")
                },
            ),
            "theta0": real(np.array([1.0, -0.5]), supports=("empty",)),
            "lr": real(0.1),
            "beta": real(0.5),
            "steps": count(5),
            "noise": real(0.3),
            "nesterov": flag(False),
            "seed": seed(0),
        },
        check=_torch_check,
        examples=5,
    ),
    Row(
        "gibbs_mean",
        {
            "f": function(np.square),
            "potential": function(lambda y: y**4 / 4 - y**2 / 2),
            "temperature": real(0.32),
            "x": real_array(GRID),
        },
        check=_gibbs_check,
    ),
]
