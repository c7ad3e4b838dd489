"""Edge table of scispaces.pgf: the pmfs and the distance against mpmath, the coefficients against
the aliasing formula their docstring states."""

from __future__ import annotations

import numpy as np

from edges import Row, case, close, count, flag, function, real, real_array, whole
from scispaces.reference import (
    EPS,
    mp_aliased_poisson,
    mp_binomial_pmf,
    mp_binomial_poisson_tv,
    mp_elementwise,
    mp_poisson_pmf,
    tv_reference,
)

MODULE = "scispaces.pgf"

# The docstrings promise 1e-12 relative where a result exceeds 1e-300 (below, underflow).
RTOL, ATOL = 1e-12, 1e-300
EMPTY = ("empty",)  # vectorised: an empty array gives an empty result, as in NumPy
# The top of the float range (issue 15: 0 or NaN at k ~ n ~ 1e300, 5e307) needs two arguments
# large at once, which one-at-a-time cases cannot build: tests/test_pgf.py covers it.
LAM = 3.0  # the Poisson PGF of the pgf_coefficients row


def _coefficients_check(result, G, k_max, radius, nodes, real):
    """The trapezoid rule's documented value, sum_m pi_(k + m N) r^(m N), for the Poisson PGF.

    Rounding is multiplied by r^-k (at most 1e8) on top of max |G| <= 1; 1e-6 more allows a G
    that returns float32.
    """
    r, k_max = float(np.asarray(radius)), int(k_max)
    n = 64 if nodes is None else int(nodes)
    want = mp_aliased_poisson(LAM, k_max, r, n)
    tol = 1e-6 + 64 * EPS * r ** -np.arange(k_max + 1.0)
    err = np.abs(np.asarray(result) - want)
    assert np.all(err <= tol), f"coefficient {int(np.argmax(err - tol))} off by {err.max():.3g}"


ROWS = [
    Row(
        "binomial_pmf",
        {
            "k": whole(3.0, supports=EMPTY),
            "n": whole(10.0, supports=EMPTY, extra=(case("n = 1.7e308", 1.7e308, "result"),)),
            "p": real(0.3, supports=EMPTY),
        },
        broadcast=("k", "n", "p"),
        check=close(lambda k, n, p: mp_elementwise(mp_binomial_pmf, k, n, p), RTOL, ATOL),
    ),
    Row(
        "poisson_pmf",
        {"k": whole(3.0, supports=EMPTY), "lam": real(2.5, supports=EMPTY)},
        broadcast=("k", "lam"),
        check=close(lambda k, lam: mp_elementwise(mp_poisson_pmf, k, lam), RTOL, ATOL),
    ),
    Row(
        "pgf_coefficients",
        {
            "G": function(lambda z: np.exp(LAM * (z - 1))),
            "k_max": count(8),
            "radius": real(  # r^-8 = 1e16 would amplify rounding past the 1e8 allowed
                1.0, extra=(case("r = 0.5", 0.5, "result"), case("r = 0.01", 0.01, "refuse"))
            ),
            "nodes": count(64, supports=("None",), extra=(case("nodes = 9", 9, "result"),)),
            "real": flag(True),
        },
        check=_coefficients_check,
    ),
    Row(
        "tv_distance",
        {
            "p": real_array(
                [0.5, 0.5],
                extra=(
                    case("weights, not a pmf", [3.0, 5.0], "refuse"),
                    case("leading axes (3,) against (2,)", np.full((3, 2), 0.5), "refuse"),
                ),
            ),
            "q": real_array(
                [[0.25, 0.75], [1.0, 0.0]], extra=(case("cut short", [0.5, 0.4], "refuse"),)
            ),
        },
        check=close(tv_reference, rtol=4 * EPS, atol=4 * EPS),
    ),
    Row(
        "binomial_poisson_tv",
        {  # n = 1e200: p^2 once underflowed there (9 % off); lam = n: Bin(n, 1) is a point mass
            "n": whole(10.0, supports=EMPTY, extra=(case("n = 1e200", 1e200, "result"),)),
            "lam": real(3.0, supports=EMPTY, extra=(case("lam = n", 10.0, "result"),)),
        },
        broadcast=("n", "lam"),
        check=close(
            lambda n, lam: mp_elementwise(mp_binomial_poisson_tv, n, lam), rtol=1e-13, atol=ATOL
        ),
    ),
]
