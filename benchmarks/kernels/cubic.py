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
    top = max(SIZES)
    at = {r["method"]: r for r in rows if r["size"] == top}
    mine = at["solve_cubic"]
    speed = {m: at[m]["time"]["median"] / mine["time"]["median"] for m in at}
    targets = [
        {
            "target": f"solve_cubic at {top:,} cubics at least 3x faster than batched eigvals",
            "measured": f"{speed['eigvals (batched)']:.1f}x",
            "met": bool(speed["eigvals (batched)"] >= 3),
        },
        {
            "target": f"solve_cubic at {top:,} cubics at least 100x faster than a numpy.roots loop",
            "measured": f"{speed['numpy.roots loop']:.0f}x",
            "met": bool(speed["numpy.roots loop"] >= 100),
        },
        {
            "target": "solve_cubic no less accurate than eigvals (largest error vs mpmath)",
            "measured": f"{mine['error']:.1e} vs {at['eigvals (batched)']['error']:.1e}",
            "met": bool(mine["error"] <= at["eigvals (batched)"]["error"]),
        },
    ]
    return [
        {
            "targets": targets,
            "title": "All roots of real cubics",
            "size": "cubics",
            "reference": "solve_cubic",
            "plot": "time-vs-size",
            "error": "largest relative error of a root vs mpmath, 2 000 cubics",
            "rows": rows,
        }
    ]
