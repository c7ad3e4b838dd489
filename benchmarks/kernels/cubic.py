"""solve_cubic against a loop of numpy.roots and batched numpy.linalg.eigvals on companion matrices.

The same random cubics (independent standard normal coefficients) for every method; each
method's accuracy is the largest relative error of a root against the 50-digit mpmath roots of
the first 2 000 of them, measured by scispaces.reference as the tests and the chapter measure it.
"""

from __future__ import annotations

import numpy as np

from benchmarks.timing import measure
from scispaces.cubic import solve_cubic
from scispaces.reference import companion_eigvals, matched_root_errors, mp_cubic_roots

SIZES = (10**3, 10**5, 10**6)
ACCURACY_SAMPLE = 2_000


def roots_loop(co: np.ndarray) -> np.ndarray:
    return np.array([np.roots(row) for row in co])


def ours(co: np.ndarray) -> np.ndarray:
    return solve_cubic(*co.T)


METHODS = {
    "solve_cubic": ours,
    "eigvals (batched)": companion_eigvals,
    "numpy.roots loop": roots_loop,
}


def bench(repeats: int) -> list[dict]:
    rng = np.random.default_rng(0)
    co = rng.standard_normal((max(SIZES), 4))
    reference = mp_cubic_roots(co[:ACCURACY_SAMPLE])
    ours(co[:1000])  # warm-up
    rows = []
    for name, method in METHODS.items():
        error = float(matched_root_errors(method(co[:ACCURACY_SAMPLE]), reference).max())
        for n in SIZES:
            slow = name == "numpy.roots loop" and n >= 10**6  # about 30 s a run: once
            rows.append(
                {
                    "method": name,
                    "size": n,
                    "time": measure(lambda m=method, c=co[:n]: m(c), 1 if slow else repeats),
                    "error": error,
                }
            )
    return [
        {
            "title": "All roots of real cubics",
            "size": "cubics",
            "reference": "solve_cubic",
            "plot": "time-vs-size",
            "error": "largest relative error of a root vs mpmath, 2 000 cubics",
            "rows": rows,
        }
    ]
