"""Edge table of scispaces.angles: every function of a dimension n, against mpmath."""

from __future__ import annotations

from edges import Row, case, close, real, whole
from scispaces.reference import angle_reference

MODULE = "scispaces.angles"

# Relative accuracy the docstrings state for values above 1e-280 (3e-13 in the deepest tails);
# values below that are compared absolutely.
RTOL, ATOL = 1e-12, 1e-280
EMPTY = ("empty",)  # vectorised: an empty array gives an empty result, as in NumPy
# High dimensions one standard deviation from the mode, where a float sin(theta)^(n-2) loses
# n * eps: the valid angle (cosine) below is 3.3e-8 from pi/2 (from 0), 1 sd at n = 1e15.
THETA, T = 1.5707963, 3.3e-8
HIGH = tuple(case(f"n = {n:.0e}", n, "result") for n in (1e12, 1e15, 9e15))


def _reference(name, *order):
    """A check against mpmath's value, the arguments taken in the order of the signature."""
    return close(
        lambda **args: angle_reference(name, *(args[a] for a in order)), rtol=RTOL, atol=ATOL
    )


ROWS = [
    Row(
        "angle_normaliser",
        {"n": whole(7.0, supports=EMPTY, extra=HIGH)},
        check=_reference("angle_normaliser", "n"),
    ),
    Row(
        "angle_pdf",
        {"theta": real(THETA, supports=EMPTY), "n": whole(7.0, supports=EMPTY, extra=HIGH)},
        broadcast=("theta", "n"),
        check=_reference("angle_pdf", "theta", "n"),
    ),
    Row(
        "cosine_pdf",
        {"t": real(T, supports=EMPTY), "n": whole(7.0, supports=EMPTY, extra=HIGH)},
        broadcast=("t", "n"),
        check=_reference("cosine_pdf", "t", "n"),
        finite=False,  # the arcsine density (n = 2) is infinite at t = +-1, as the reference says
    ),
    Row(
        "angle_cdf",
        {"theta": real(THETA, supports=EMPTY), "n": whole(7.0, supports=EMPTY, extra=HIGH)},
        broadcast=("theta", "n"),
        check=_reference("angle_cdf", "theta", "n"),
    ),
    Row(
        "angle_variance",
        {"n": whole(7.0, supports=EMPTY, extra=HIGH)},
        check=_reference("angle_variance", "n"),
    ),
]
