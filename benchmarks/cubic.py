"""Speed and accuracy of scispaces.cubic.solve_cubic against what a user would pick instead.

    python benchmarks/cubic.py

On the same random cubics (independent standard normal coefficients) it times, as the median
of several runs: solve_cubic; numpy.linalg.eigvals on the batch of companion matrices (building
them included); and numpy.roots called in a loop (timed on up to 20 000 cubics and scaled to N,
since its cost is linear). It prints the ratios, then each method's relative error against a
50-digit mpmath reference on 2 000 of the cubics. Benchmarks print; the tests assert behaviour.
"""

from __future__ import annotations

import statistics
import time

import mpmath
import numpy as np

from scispaces.cubic import solve_cubic

SIZES = (10**3, 10**5, 10**6)
REPEATS = 7
LOOP_CAP = 20_000
ACCURACY_SAMPLE = 2_000


def companion_eigvals(co: np.ndarray) -> np.ndarray:
    comp = np.zeros((len(co), 3, 3))
    comp[:, 0, :] = -co[:, 1:] / co[:, :1]
    comp[:, 1, 0] = 1
    comp[:, 2, 1] = 1
    return np.linalg.eigvals(comp)


def roots_loop(co: np.ndarray) -> np.ndarray:
    return np.array([np.roots(row) for row in co])


def median_time(fn, *args, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def relative_errors(found: np.ndarray, reference: list[list[complex]]) -> np.ndarray:
    """Match each reference root to the nearest unused found root; relative distance."""
    errors = []
    for got, ref in zip(found, reference, strict=True):
        free = list(got)
        for r in ref:
            j = int(np.argmin([abs(g - r) for g in free]))
            errors.append(abs(free.pop(j) - r) / abs(r))
    return np.array(errors)


def main() -> None:
    rng = np.random.default_rng(0)
    print(
        f"{'N':>9} {'solve_cubic':>12} {'eigvals':>10} {'roots loop':>11} {'vs eigvals':>11} {'vs roots':>9}"
    )
    for n in SIZES:
        co = rng.standard_normal((n, 4))
        solve_cubic(*co[:1000].T)  # warm-up
        ours = median_time(solve_cubic, *co.T)
        eig = median_time(companion_eigvals, co, repeats=3 if n >= 10**6 else REPEATS)
        m = min(n, LOOP_CAP)
        loop = median_time(roots_loop, co[:m], repeats=3) * n / m
        print(
            f"{n:>9} {ours:>11.4f}s {eig:>9.4f}s {loop:>10.3f}s {eig / ours:>10.1f}x {loop / ours:>8.0f}x"
        )

    mpmath.mp.dps = 50
    co = rng.standard_normal((ACCURACY_SAMPLE, 4))
    reference = [
        [
            complex(r)
            for r in mpmath.polyroots(
                [mpmath.mpf(float(v)) for v in row], maxsteps=200, extraprec=300
            )
        ]
        for row in co
    ]
    print(f"\nrelative error of every root against mpmath (50 digits), {ACCURACY_SAMPLE} cubics:")
    print(f"{'method':>12} {'median':>9} {'99th pct':>9} {'max':>9}")
    for name, found in (
        ("solve_cubic", solve_cubic(*co.T)),
        ("eigvals", companion_eigvals(co)),
        ("roots", roots_loop(co)),
    ):
        e = relative_errors(found, reference)
        print(f"{name:>12} {np.median(e):>9.1e} {np.percentile(e, 99):>9.1e} {e.max():>9.1e}")


if __name__ == "__main__":
    main()
