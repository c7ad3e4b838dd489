"""binomial_pmf and poisson_pmf against scipy.stats on the same arguments, accuracy vs mpmath."""

from __future__ import annotations

import mpmath
import numpy as np
from scipy import stats

from benchmarks.timing import measure
from scispaces.pgf import binomial_pmf, poisson_pmf

SIZES = (10**3, 10**5, 10**6)
ACCURACY_SAMPLE = 500


def worst_relative_error(values: np.ndarray, exact: list) -> float:
    return max(abs(float(v) - float(e)) / float(e) for v, e in zip(values, exact, strict=True))


def bench(repeats: int) -> list[dict]:
    rng = np.random.default_rng(1)
    m = max(SIZES)
    n = rng.integers(1, 10**6, m).astype(float)
    k = np.floor(rng.uniform(0, 1, m) * (n + 1))
    p = rng.uniform(0.01, 0.99, m)
    lam = rng.uniform(0.1, 1e4, m)
    kp = np.floor(rng.gamma(lam, 1.0))  # near the bulk of each Poisson law
    mpmath.mp.dps = 40
    sample = slice(0, ACCURACY_SAMPLE)
    exact_binom = [
        mpmath.binomial(int(a), int(b))
        * mpmath.mpf(c) ** int(b)
        * (1 - mpmath.mpf(c)) ** int(a - b)
        for a, b, c in zip(n[sample], k[sample], p[sample], strict=True)
    ]
    exact_poisson = [
        mpmath.exp(-mpmath.mpf(lv)) * mpmath.mpf(lv) ** int(kv) / mpmath.factorial(int(kv))
        for kv, lv in zip(kp[sample], lam[sample], strict=True)
    ]
    methods = {
        "binomial_pmf": (lambda s: binomial_pmf(k[s], n[s], p[s]), exact_binom),
        "scipy.stats.binom.pmf": (lambda s: stats.binom.pmf(k[s], n[s], p[s]), exact_binom),
        "poisson_pmf": (lambda s: poisson_pmf(kp[s], lam[s]), exact_poisson),
        "scipy.stats.poisson.pmf": (lambda s: stats.poisson.pmf(kp[s], lam[s]), exact_poisson),
    }
    rows = []
    for name, (method, exact) in methods.items():
        positive = [i for i, e in enumerate(exact) if e > mpmath.mpf("1e-300")]
        values = method(sample)
        error = worst_relative_error(values[positive], [exact[i] for i in positive])
        for size in SIZES:
            s = slice(0, size)
            rows.append(
                {
                    "method": name,
                    "size": size,
                    "time": measure(lambda f=method, s=s: f(s), repeats),
                    "error": error,
                }
            )
    return [
        {
            "title": "Binomial and Poisson probabilities",
            "size": "probabilities",
            "reference": None,
            "plot": "time-vs-size",
            "error": "largest relative error vs mpmath (40 digits), 500 arguments, results above 1e-300",
            "rows": rows,
        }
    ]
