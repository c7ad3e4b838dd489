"""pair_entropy (NumPy and PyTorch) against a naive dense computation; h against mpmath."""

from __future__ import annotations

import mpmath
import numpy as np
import torch

from benchmarks.timing import measure
from scispaces.embedding import h, pair_entropy

PAIR_SIZES = (500, 1000, 2000, 4000)
DIM = 64
H_SIZES = (10, 100, 1000)


def dense_entropy(U: np.ndarray, V: np.ndarray) -> float:
    """All N^2 scores in memory, softmax, then -sum p log p."""
    s = U @ V.T
    p = np.exp(s - s.max())
    p /= p.sum()
    return float(-(p * np.log(p)).sum())


def mp_h(n: float) -> mpmath.mpf:
    """h_n = log(Gamma(n/2) (k/2)^(1-n/2) I_(n/2-1)(k)) - k I_(n/2)(k) / I_(n/2-1)(k), k = n."""
    n = mpmath.mpf(n)
    k, nu = n, n / 2 - 1
    i_nu = mpmath.besseli(nu, k)
    return (
        mpmath.log(mpmath.gamma(n / 2) * (k / 2) ** (-nu) * i_nu)
        - k * mpmath.besseli(nu + 1, k) / i_nu
    )


def bench_pairs(repeats: int) -> dict:
    rng = np.random.default_rng(2)
    rows = []
    for size in PAIR_SIZES:
        U = rng.standard_normal((size, DIM)) / np.sqrt(DIM) * 2
        V = rng.standard_normal((size, DIM)) / np.sqrt(DIM) * 2
        Ut, Vt = torch.from_numpy(U), torch.from_numpy(V)
        reference = dense_entropy(U, V)
        for name, run in (
            ("pair_entropy (NumPy)", lambda U=U, V=V: pair_entropy(U, V)),
            ("pair_entropy (PyTorch)", lambda U=Ut, V=Vt: pair_entropy(U, V)),
            ("dense softmax", lambda U=U, V=V: dense_entropy(U, V)),
        ):
            rows.append(
                {
                    "method": name,
                    "size": size**2,
                    "time": measure(run, repeats),
                    "error": abs(run() - reference) / reference,
                }
            )
    return {
        "title": "Exact entropy of N^2 word pairs (n = 64)",
        "size": "pairs",
        "reference": "pair_entropy (NumPy)",
        "plot": "time-vs-size",
        "error": "relative difference from the dense computation",
        "rows": rows,
    }


def bench_h(repeats: int) -> dict:
    rng = np.random.default_rng(3)
    dims = np.round(np.exp(rng.uniform(np.log(2), np.log(1e4), max(H_SIZES))))
    mpmath.mp.dps = 30
    rows = []
    for size in H_SIZES:
        n = dims[:size]
        exact = [mp_h(v) for v in n]
        error = max(
            abs(float(a) - float(b)) / abs(float(b)) for a, b in zip(h(n), exact, strict=True)
        )
        rows.append(
            {
                "method": "h",
                "size": size,
                "time": measure(lambda n=n: h(n), repeats),
                "error": error,
            }
        )
        rows.append(
            {
                "method": "mpmath (30 digits)",
                "size": size,
                "time": measure(lambda n=n: [mp_h(v) for v in n], 1),
                "error": None,
            }
        )
    return {
        "title": "The entropy slope h_n (kappa = 1)",
        "size": "values of n",
        "reference": "h",
        "plot": "time-vs-size",
        "error": "largest relative error vs mpmath (30 digits)",
        "rows": rows,
    }


def bench(repeats: int) -> list[dict]:
    return [bench_pairs(repeats), bench_h(repeats)]
