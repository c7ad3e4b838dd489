"""Edge table of scispaces.reference, generic section: the error measures every test relies on.

The other sections' functions are enrolled by their owners in table_reference_<topic>.py.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

from edges import Case, Row, any_, case, count, function, real

MODULE = "scispaces.reference"

NONFINITE = ("nan", "inf", "-inf", "nan in a list", "complex")


def _exact_relative(got, want):
    """|got - want| / |want| in exact rational arithmetic (complex: on the squared moduli)."""
    g, w = np.broadcast_arrays(np.asarray(got, dtype=complex), np.asarray(want, dtype=complex))
    out = []
    for u, v in zip(g.ravel().tolist(), w.ravel().tolist(), strict=True):
        if u == v:
            out.append(0.0)
        elif v == 0 or not all(map(math.isfinite, (u.real, u.imag, v.real, v.imag))):
            out.append(math.inf)
        else:
            num = (Fraction(u.real) - Fraction(v.real)) ** 2 + (
                Fraction(u.imag) - Fraction(v.imag)
            ) ** 2
            den = Fraction(v.real) ** 2 + Fraction(v.imag) ** 2
            with mpmath.workdps(40):
                out.append(float(mpmath.sqrt(mpmath.mpf(num.numerator) / num.denominator / den)))
    return np.array(out).reshape(g.shape)


def _relative(result, got, want):
    expected = _exact_relative(got, want)
    assert result.shape == expected.shape, (result.shape, expected.shape)
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf
        ok = (result == expected) | (np.abs(result - expected) <= 4e-16 * expected)
    assert ok.all(), (result, expected)


def _exp(points):
    """exp at each point, correctly rounded (mpmath at 40 digits, independently); None for a
    generator, which the call consumed."""
    if not isinstance(points, list | tuple | np.ndarray):
        return None
    with mpmath.workdps(40):
        return [float(mpmath.exp(mpmath.mpf(float(np.ravel(p)[0])))) for p in points]


def _mp_exp(result, fn, points, dps):
    want = _exp(points)
    assert want is None or np.array_equal(result, np.array(want, dtype=float)), (result, want)


def _mp_relative(result, got, fn, points, dps):
    want = _exp(points)
    if want is not None:
        _relative(result, got, want)


POINTS = [(0.5,), (-2.0,), (1e-300,)]
_POINTS = (
    case("None", None, "refuse"),
    case("a str", "0.5", "refuse"),
    case("no points", [], "either"),
    case("NaN point", [(math.nan,)], "refuse"),
    case("str in a point", [("0.5",)], "refuse"),
    case("nested point", [((0.5,),)], "refuse"),
    case("huge point", [(1e308,)], "either"),
    case("tiny point", [(5e-324,)], "either"),
    case("int point beyond int64", [(2**70,)], "either"),
    case("a 2-d array", np.array([[0.5], [1.5]]), "either"),
    Case("a generator", lambda: ((v,) for v in (0.5, 1.5)), "either"),
    case("bare numbers", [0.5, 1.5], "either"),
)
_FN = function(mpmath.exp, extra=(case("returns a complex", lambda t: mpmath.mpc(t, 1), "refuse"),))

ROWS = [
    Row(
        "relative_errors",
        {
            "got": real([1.0, 2.0 + 4e-16, 0.0], supports=NONFINITE),
            "want": real([1.0, 2.0, 1e-300], supports=("inf", "-inf", "complex")),
        },
        check=_relative,
        finite=False,  # inf: a wrong zero, a NaN result, or an error beyond the float range
        broadcast=("got", "want"),
    ),
    Row(
        "mp_values",
        {"fn": _FN, "points": any_(POINTS, extra=_POINTS), "dps": count(40)},
        check=_mp_exp,
        finite=False,  # exp beyond the float range rounds to inf, as IEEE rounding does
    ),
    Row(
        "mp_relative_errors",
        {
            "got": real([1.6487212707001282, 0.1353352832366127, 1.0], supports=NONFINITE),
            "fn": _FN,
            "points": any_(POINTS, extra=(case("too few points", POINTS[:2], "refuse"), *_POINTS)),
            "dps": count(40),
        },
        check=_mp_relative,
        finite=False,
    ),
]
