"""solve_cubic against a loop of numpy.roots and batched numpy.linalg.eigvals on companion matrices.

The same random cubics (independent standard normal coefficients) for every method; each
method's accuracy is the relative error of every root against a 50-digit mpmath reference on
the first 2 000 of them.
"""

from __future__ import annotations

import mpmath
import numpy as np

from benchmarks.timing import measure
from scispaces.cubic import solve_cubic

SIZES = (10**3, 10**5, 10**6)
ACCURACY_SAMPLE = 2_000


def companion_eigvals(co: np.ndarray) -> np.ndarray:
    comp = np.zeros((len(co), 3, 3))
    comp[:, 0, :] = -co[:, 1:] / co[:, :1]
    comp[:, 1, 0] = 1
    comp[:, 2, 1] = 1
    return np.linalg.eigvals(comp)


def roots_loop(co: np.ndarray) -> np.ndarray:
    return np.array([np.roots(row) for row in co])


def ours(co: np.ndarray) -> np.ndarray:
    return solve_cubic(*co.T)


METHODS = {
    "solve_cubic": ours,
    "eigvals (batched)": companion_eigvals,
    "numpy.roots loop": roots_loop,
}


def worst_relative_error(found: np.ndarray, reference: list[list[complex]]) -> float:
    """Match each reference root to the nearest unused found root; the largest relative distance."""
    worst = 0.0
    for got, ref in zip(found, reference, strict=True):
        free = list(got)
        for r in ref:
            j = int(np.argmin([abs(g - r) for g in free]))
            worst = max(worst, abs(free.pop(j) - r) / abs(r))
    return worst


def bench(repeats: int) -> list[dict]:
    rng = np.random.default_rng(0)
    co = rng.standard_normal((max(SIZES), 4))
    mpmath.mp.dps = 50
    reference = [
        [
            complex(r)
            for r in mpmath.polyroots(
                [mpmath.mpf(float(v)) for v in row], maxsteps=200, extraprec=300
            )
        ]
        for row in co[:ACCURACY_SAMPLE]
    ]
    ours(co[:1000])  # warm-up
    rows = []
    for name, method in METHODS.items():
        error = worst_relative_error(method(co[:ACCURACY_SAMPLE]), reference)
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
