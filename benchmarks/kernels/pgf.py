"""binomial_pmf and poisson_pmf against scipy.stats on the same arguments, accuracy vs mpmath.

The arguments are ``scispaces.reference.pmf_sample`` (seed 1) and the accuracy is
``scispaces.reference.pmf_accuracy`` on its first 500: the same measure the docstrings quote.
"""

from __future__ import annotations

from scipy import stats

from benchmarks.timing import measure
from scispaces.pgf import binomial_pmf, poisson_pmf
from scispaces.reference import pmf_accuracy, pmf_sample

SIZES = (10**3, 10**5, 10**6)
ACCURACY_SAMPLE = 500


def bench(repeats: int) -> list[dict]:
    s = pmf_sample(max(SIZES))
    pairs = {
        "ours": (binomial_pmf, poisson_pmf),
        "scipy": (stats.binom.pmf, stats.poisson.pmf),
    }
    errors = {name: pmf_accuracy(*fns, size=ACCURACY_SAMPLE) for name, fns in pairs.items()}
    methods = {
        "binomial_pmf": (lambda m: binomial_pmf(s["k"][:m], s["n"][:m], s["p"][:m]), "ours"),
        "scipy.stats.binom.pmf": (
            lambda m: stats.binom.pmf(s["k"][:m], s["n"][:m], s["p"][:m]),
            "scipy",
        ),
        "poisson_pmf": (lambda m: poisson_pmf(s["kp"][:m], s["lam"][:m]), "ours"),
        "scipy.stats.poisson.pmf": (
            lambda m: stats.poisson.pmf(s["kp"][:m], s["lam"][:m]),
            "scipy",
        ),
    }
    rows = []
    for name, (method, who) in methods.items():
        error = errors[who]["binomial" if "binom" in name else "poisson"]
        for size in SIZES:
            rows.append(
                {
                    "method": name,
                    "size": size,
                    "time": measure(lambda f=method, m=size: f(m), repeats),
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
