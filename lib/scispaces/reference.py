"""Reference values and accuracy measures: the one oracle that tests, chapters and benchmarks share.

When a test, a chapter and a benchmark each say "the error against mpmath is ...", they must
measure the same thing the same way. This module is where they do: high-precision references
(mpmath, always inside :func:`mpmath.workdps`, never by setting the global precision), the
baselines a user would otherwise reach for, and the error measures, after SciPy's
``special/_mptestutils.py``.

Sections: generic measures; then one section per library module, in the order of the book.
A new module adds its references here, not in its test file.

Examples
--------
>>> relative_errors([1.0, 2.0 + 4e-16], [1.0, 2.0]).max() < 4 * EPS
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

EPS = float(np.finfo(np.float64).eps)  # 2.2e-16, the spacing of float64 just above 1

# ------------------------------------------------------------------------------ generic measures


def relative_errors(got: ArrayLike, want: ArrayLike) -> NDArray[np.float64]:
    """``|got - want| / |want|`` elementwise; 0 where they are equal, inf where only want is 0."""
    got, want = np.broadcast_arrays(np.asarray(got), np.asarray(want))
    with np.errstate(divide="ignore", invalid="ignore"):
        err = np.abs(got - want) / np.abs(want)
    return np.where(got == want, 0.0, np.where(want == 0, np.inf, err)).astype(np.float64)


def mp_values(
    fn: Callable[..., Any], points: Iterable[Sequence[Any]], dps: int = 40
) -> NDArray[np.float64]:
    """``fn(*point)`` for each point, evaluated by mpmath at ``dps`` digits, rounded to float64.

    The arguments are converted exactly (``mpmath.mpf(float(x))``), so the reference is the
    exact function at the float inputs the library saw.
    """
    import mpmath

    out = []
    with mpmath.workdps(dps):
        for point in points:
            value = fn(*(mpmath.mpf(float(v)) for v in point))
            out.append(float(value))
    return np.array(out)


def mp_relative_errors(
    got: ArrayLike, fn: Callable[..., Any], points: Iterable[Sequence[Any]], dps: int = 40
) -> NDArray[np.float64]:
    """Relative errors of ``got`` against ``fn`` evaluated by mpmath at the same points."""
    return relative_errors(got, mp_values(fn, points, dps))


# ------------------------------------------------------------------------------ cubic


def mp_polyroots(coefficients: Sequence[float], dps: int = 50) -> list[Any]:
    """All roots of a polynomial with these float coefficients, to ``dps`` digits (mpmath).

    mpmath's precision is relative to the largest root: roots spread over 10^600 (coefficients
    from 1e-150 to 1e150) need ``dps`` about 700.
    """
    import mpmath

    with mpmath.workdps(dps):
        return mpmath.polyroots(
            [mpmath.mpf(float(c)) for c in coefficients], maxsteps=200, extraprec=300
        )


def cubic_reference_roots(coefficients: ArrayLike, dps: int = 50) -> NDArray[np.complex128]:
    """Reference roots, shape (m, 3), of m cubics given as rows ``(a, b, c, d)``."""
    rows = np.atleast_2d(np.asarray(coefficients, dtype=float))
    return np.array([[complex(r) for r in mp_polyroots(row, dps)] for row in rows])


def matched_root_errors(found: ArrayLike, reference: ArrayLike) -> NDArray[np.float64]:
    """Relative error of every reference root against the nearest unused found root.

    ``found`` and ``reference`` have shape (m, k): for each row, each reference root in turn
    takes the nearest found root not yet taken, so a doubled root cannot be matched twice.
    Returns shape (m, k), with 0 for an exact match and inf for a wrong zero.
    """
    found = np.atleast_2d(np.asarray(found, dtype=complex))
    reference = np.atleast_2d(np.asarray(reference, dtype=complex))
    if found.shape != reference.shape:
        raise ValueError(f"found {found.shape} and reference {reference.shape}: shapes differ")
    out = np.empty(reference.shape)
    for i, (got, want) in enumerate(zip(found, reference, strict=True)):
        free = list(got)
        for j, w in enumerate(want):
            k = int(np.argmin([abs(g - w) for g in free]))
            out[i, j] = relative_errors(free.pop(k), w)
    return out


def companion_eigvals(coefficients: ArrayLike) -> NDArray[np.complex128]:
    """Roots of cubics ``(a, b, c, d)`` (rows) as eigenvalues of their companion matrices, batched.

    The baseline a NumPy user would write; ``numpy.roots`` computes the same, one cubic at a time.
    """
    co = np.atleast_2d(np.asarray(coefficients, dtype=float))
    companion = np.zeros((len(co), 3, 3))
    companion[:, 0, :] = -co[:, 1:] / co[:, :1]
    companion[:, 1, 0] = companion[:, 2, 1] = 1
    return np.linalg.eigvals(companion).astype(complex)
