"""How every figure in ``benchmarks/results.json`` is measured: the median of repeated runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def measure(fn: Callable[[], Any], repeats: int) -> dict[str, float]:
    """Wall time of ``fn()`` over ``repeats`` runs: median, min and max in seconds, and the count."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "runs": repeats,
    }
