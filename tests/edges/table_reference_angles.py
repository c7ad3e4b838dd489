"""Edge table of scispaces.reference, angles section: the mpmath oracles of the angles chapter.

Each result is checked against SciPy, independently of mpmath: cos(angle) is distributed as
2 Beta(a, a) - 1 with a = (n - 1)/2, so the densities and the CDF are SciPy's Beta pdf and
survival function (checked for n <= 1000 and angles in [0.1, pi - 0.1], where a float cos keeps
enough digits; SciPy agrees to 1e-13 there), C_n = poch((n-1)/2, 1/2)/sqrt(pi) and the variance
psi_1(n/2)/2 (all n; SciPy agrees to 3e-13). Elsewhere a density must be >= 0 and a CDF in [0, 1].
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from edges import Row, any_, case, choice, real, whole

MODULE = "scispaces.reference"

NAMES = ("angle_normaliser", "angle_pdf", "cosine_pdf", "angle_cdf", "angle_variance")
MEASURED = ("angle_pdf", "angle_cdf", "cosine_pdf")
RTOL, ATOL = 1e-11, 1e-250  # SciPy's accuracy with room; below 1e-250 SciPy's Beta underflows


def _scipy_normaliser(n):
    return special.poch((n - 1) / 2, 0.5) / math.sqrt(math.pi)


def _scipy_variance(n):
    return special.polygamma(1, n / 2) / 2


def _scipy_cosine_pdf(t, n):
    """The Beta density at (1 + t)/2; None where SciPy is not a reference (see the docstring)."""
    if n > 1000 or abs(t) > math.cos(0.1):
        return None
    a = (n - 1) / 2
    return stats.beta.pdf((1 + t) / 2, a, a) / 2


def _scipy_angle_pdf(theta, n):
    if theta < 0 or theta > math.pi:
        return 0.0
    if not 0.1 <= theta <= math.pi - 0.1:
        return None
    return _scipy_cosine_pdf(math.cos(theta), n) * math.sin(theta) if n <= 1000 else None


def _scipy_angle_cdf(theta, n):
    if theta <= 0 or theta > math.pi:
        return 0.0 if theta <= 0 else 1.0
    if n > 1000 or not 0.1 <= theta <= math.pi - 0.1:
        return None
    a = (n - 1) / 2
    return stats.beta.sf((1 + math.cos(theta)) / 2, a, a)


SCIPY = {
    "angle_normaliser": _scipy_normaliser,
    "angle_pdf": _scipy_angle_pdf,
    "cosine_pdf": _scipy_cosine_pdf,
    "angle_cdf": _scipy_angle_cdf,
    "angle_variance": _scipy_variance,
}
PARAMETERS = {  # of the library's function, in its order
    "angle_normaliser": ("n",),
    "angle_pdf": ("theta", "n"),
    "cosine_pdf": ("t", "n"),
    "angle_cdf": ("theta", "n"),
    "angle_variance": ("n",),
}


def _agrees(name, value, *args):
    """One value against SciPy where it is a reference; a density >= 0, a CDF in [0, 1]."""
    assert isinstance(value, float), type(value)
    assert value >= 0 and (name != "angle_cdf" or value <= 1), value
    want = SCIPY[name](*(float(np.asarray(a)) for a in args))
    if want is not None:
        atol = ATOL if name in MEASURED else 0.0  # poch and polygamma keep relative accuracy
        assert abs(value - want) <= atol + RTOL * abs(want), (name, args, value, want)


def _check(name):
    return lambda result, **args: _agrees(name, result, *(args[p] for p in PARAMETERS[name]))


def _grid(result, n):
    n = float(np.asarray(n))
    assert result.ndim == 1 and result.size >= 65 and (np.diff(result) > 0).all()
    assert result[0] == 0 and result[-1] == np.pi
    assert np.isin(np.pi / 2 + np.array([-1.0, 1.0]) / math.sqrt(n), result).all()


def _reference(result, name, args):
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
    assert result.shape == arrays[0].shape, (result.shape, arrays[0].shape)
    for i, value in enumerate(result.flat):
        _agrees(name, float(value), *(a.flat[i] for a in arrays))


def _errors(result, name, n):
    """The library's errors on the grid: >= 0, and small (the docstrings state a few ulps)."""
    assert result.ndim == 1 and result.size >= 60 and (result >= 0).all()
    assert result.max() < 1e-10, result.max()


ROWS = [
    Row("mp_angle_normaliser", {"n": whole(7.0)}, check=_check("angle_normaliser")),
    Row("mp_angle_pdf", {"theta": real(1.0), "n": whole(7.0)}, check=_check("angle_pdf")),
    Row(
        "mp_cosine_pdf",
        {"t": real(0.5), "n": whole(7.0)},
        check=_check("cosine_pdf"),
        finite=False,  # the arcsine density (n = 2) is infinite at t = +-1, as documented
    ),
    Row("mp_angle_cdf", {"theta": real(1.0), "n": whole(7.0)}, check=_check("angle_cdf")),
    Row("mp_angle_variance", {"n": whole(7.0)}, check=_check("angle_variance")),
    Row("angle_grid", {"n": whole(7.0)}, check=_grid),
    Row(
        "angle_reference",
        {
            "name": choice("angle_pdf", NAMES),
            "args": any_(
                (np.array([0.5, 1.5]), 7.0),
                aliases=("theta", "t", "n"),  # errors name the wrong argument of the tuple
                extra=(
                    case("no arguments", (), "refuse"),
                    case("too many", (0.5, 7.0, 1.0), "refuse"),
                    case("NaN", (np.nan, 7.0), "refuse"),
                    case("str", ("0.5", 7.0), "refuse"),
                    case("None", (None, 7.0), "refuse"),
                    case("n = 7.5", (0.5, 7.5), "refuse"),
                    case("n = 1", (0.5, 1.0), "refuse"),
                    case("theta (3,) against n (2,)", (np.ones(3), np.full(2, 7.0)), "refuse"),
                    case("empty", (np.array([]), 7.0), "result"),
                    case("2-d", (np.full((2, 3), 1.0), np.array([3.0, 7.0, 1e300])), "result"),
                    case("n = 1.7e308", (np.array([1.0, 1.5707963]), 1.7e308), "result"),
                ),
            ),
        },
        check=_reference,
        examples=0,  # the arguments are a tuple: the battery covers them
    ),
    Row(
        "angle_errors",
        {"name": choice("angle_pdf", MEASURED), "n": whole(7.0)},
        check=_errors,
        examples=5,
    ),
]
