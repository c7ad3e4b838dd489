"""Edge table of scispaces.reference, cubic section: the oracles of tests/test_cubic.py, the
cubic chapter and the cubic benchmark.

References independent of each oracle: a root from mp_cubic_roots or companion_eigvals makes the
polynomial vanish (a residual in mpmath); exact_m_n against SymPy's own depressed polynomial;
the error measures against a plain-Python computation on the baseline.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from edges import Row, any_, case, count, real_array

MODULE = "scispaces.reference"

CUBIC = [1.0, -6.0, 11.0, -6.0]  # (x - 1)(x - 2)(x - 3)
FOUND = [[3.0, 1.0, 2.0 + 4e-16]]  # its roots, one of them 1 ulp off
NONE = ("None",)  # the precision options default to None: chosen from the roots' spread
ROOTS = (
    case("NaN inside", [[np.nan, 1.0, 2.0]], "refuse"),
    case("ragged", [[1.0, 2.0], [3.0]], "refuse"),
    case("str", "123", "refuse"),
    case("None", None, "refuse"),
    case("wrong length", [[1.0, 2.0]], "refuse"),
    case("complex", [[3.0, 1.0 + 1e-9j, 2.0]], "either"),
)


def _rows(coefficients):
    return np.atleast_2d(np.asarray(coefficients, dtype=float))


def _residual_small(roots, row, tol):
    """|f(r)| <= tol (|a r^3| + |b r^2| + |c r| + |d|) for every root, in mpmath at 80 digits."""
    with mpmath.workdps(80):
        for r in roots:
            r = mpmath.mpc(r)
            terms = [mpmath.mpf(float(v)) * r ** (3 - j) for j, v in enumerate(row)]
            assert abs(sum(terms)) <= tol * sum(abs(t) for t in terms), (row.tolist(), r)


def _mp_roots_check(result, coefficients, dps, extraprec, maxsteps):
    rows = _rows(coefficients)
    assert len(result) == len(rows) and all(len(r) == 3 for r in result)
    tol = 1e-35 if dps is None else 10.0 ** (10 - int(dps))
    for roots, row in zip(result, rows, strict=True):
        _residual_small(roots, row, tol)


def _eig_check(result, coefficients):
    rows = _rows(coefficients)
    assert result.shape == (len(rows), 3) and np.isfinite(result).all()


def _m_n_check(result, coefficients):
    """m and n from SymPy: substitute x = y - b/(3a) in the cubic over a, read off y^1 and y^0."""
    y = sp.Symbol("y")
    for (m, n), row in zip(result, _rows(coefficients), strict=True):
        a, b, c, d = (sp.Rational(float(v)) for v in row)
        poly = sp.Poly(
            sp.expand(((a * y**3 + b * y**2 + c * y + d) / a).subs(y, y - b / (3 * a))), y
        )
        assert sp.Rational(m) == poly.coeff_monomial(y) and sp.Rational(n) == -poly.coeff_monomial(
            1
        )


def _errors_check(result, **args):
    """Shape and sign; at the baseline the errors exactly: 0, 0 and 1 ulp at 2 (4e-16 / 2)."""
    result = np.asarray(result)
    assert result.shape == np.atleast_2d(args["found"]).shape and np.all(result >= 0)
    baseline = args.get("reference", [[1.0, 2.0, 3.0]]) == [[1.0, 2.0, 3.0]] and np.array_equal(
        args.get("coefficients", CUBIC), CUBIC
    )
    if args["found"] == FOUND and baseline and not np.any(args.get("floors")):
        want = [0.0, abs(mpmath.mpf(2.0 + 4e-16) - 2) / 2, 0.0]
        assert np.allclose(np.sort(result[0]), np.sort(np.array(want, dtype=float)), rtol=1e-12)


ROWS = [
    Row(
        "mp_cubic_roots",
        {
            "coefficients": real_array(CUBIC),
            "dps": count(50, supports=NONE),
            "extraprec": count(300, supports=NONE),
            "maxsteps": count(200, supports=NONE),
        },
        check=_mp_roots_check,
        finite=False,  # mpmath numbers: the check's residual decides
    ),
    Row(
        "matched_root_errors",
        {
            "found": any_(FOUND, extra=ROOTS),
            "reference": any_([[1.0, 2.0, 3.0]], extra=ROOTS[:4]),
            "floors": real_array(np.zeros((1, 3)), supports=NONE),
        },
        check=lambda result, **args: _errors_check(result, **args),
    ),
    Row(
        "cubic_contract_errors",
        {"found": any_(FOUND, extra=ROOTS), "coefficients": real_array(CUBIC)},
        check=lambda result, **args: _errors_check(result, **args),
    ),
    Row("companion_eigvals", {"coefficients": real_array(CUBIC)}, check=_eig_check),
    Row("exact_m_n", {"coefficients": real_array(CUBIC)}, check=_m_n_check, finite=False),
]
