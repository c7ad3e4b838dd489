"""h against the closed form through scipy.special.ive; pair_entropy against dense softmaxes.

h: the same dimensions n (log-uniform in [2, 2000], where ``ive`` is still a normal float; it
underflows from about n = 2900) for both methods; accuracy is the largest relative error against
mpmath's Bessel closed form at 40 digits (``scispaces.reference.mp_h``) on the first 200 of them.
pair_entropy: random vectors with scores of size about 4, NumPy and PyTorch, against the naive
dense softmax and the dense log-sum-exp form, which is the accuracy reference.
"""

from __future__ import annotations

import numpy as np
import torch

from benchmarks.timing import measure
from scispaces.embedding import h, pair_entropy
from scispaces.reference import dense_pair_entropy, h_ive, mp_h, relative_errors

PAIR_SIZES = (500, 1000, 2000, 4000)
DIM = 64
H_SIZES = (100, 10_000, 1_000_000)
ACCURACY_SAMPLE = 200


def naive_entropy(U: np.ndarray, V: np.ndarray) -> float:
    """All N^2 scores in memory, softmax, then -sum p log p (NaN once some p underflows to 0)."""
    s = U @ V.T
    p = np.exp(s - s.max())
    p /= p.sum()
    return float(-(p * np.log(p)).sum())


def bench_pairs(repeats: int) -> dict:
    rng = np.random.default_rng(2)
    rows = []
    for size in PAIR_SIZES:
        U = rng.standard_normal((size, DIM)) / np.sqrt(DIM) * 2
        V = rng.standard_normal((size, DIM)) / np.sqrt(DIM) * 2
        Ut, Vt = torch.from_numpy(U), torch.from_numpy(V)
        reference = dense_pair_entropy(U, V)
        for name, run in (
            ("pair_entropy (NumPy)", lambda U=U, V=V: pair_entropy(U, V)),
            ("pair_entropy (PyTorch)", lambda U=Ut, V=Vt: pair_entropy(U, V)),
            ("dense softmax", lambda U=U, V=V: naive_entropy(U, V)),
            ("dense log-sum-exp", lambda U=U, V=V: dense_pair_entropy(U, V)),
        ):
            rows.append(
                {
                    "method": name,
                    "size": size**2,
                    "time": measure(run, repeats),
                    "error": abs(run() - reference) / reference,
                }
            )
    top = max(PAIR_SIZES) ** 2
    at = {r["method"]: r for r in rows if r["size"] == top}
    ratio = at["pair_entropy (NumPy)"]["time"]["median"] / at["dense log-sum-exp"]["time"]["median"]
    targets = [
        {
            "target": f"pair_entropy (NumPy) at {top:,} pairs no slower than the dense log-sum-exp",
            "measured": f"{ratio:.2f}x its time",
            "met": bool(ratio <= 1),
        }
    ]
    return {
        "targets": targets,
        "title": "Exact entropy of N^2 word pairs (n = 64)",
        "size": "pairs",
        "reference": "pair_entropy (NumPy)",
        "plot": "time-vs-size",
        "error": "relative difference from the dense log-sum-exp computation",
        "rows": rows,
    }


def bench_h(repeats: int) -> dict:
    rng = np.random.default_rng(3)
    dims = np.exp(rng.uniform(np.log(2), np.log(2000), max(H_SIZES)))
    sample = dims[:ACCURACY_SAMPLE]
    exact = np.array([mp_h(v) for v in sample])
    rows = []
    for name, method in (("h", h), ("scipy.special.ive closed form", h_ive)):
        error = float(relative_errors(method(sample), exact).max())
        for size in H_SIZES:
            rows.append(
                {
                    "method": name,
                    "size": size,
                    "time": measure(lambda m=method, n=dims[:size]: m(n), repeats),
                    "error": error,
                }
            )
    errors = {r["method"]: r["error"] for r in rows}
    ours, peer = errors["h"], errors["scipy.special.ive closed form"]
    targets = [
        {
            "target": "h no less accurate than the ive closed form (vs mpmath, 2 <= n <= 2000)",
            "measured": f"{ours:.1e} vs {peer:.1e}",
            "met": bool(ours <= peer),
        }
    ]
    return {
        "targets": targets,
        "title": "The entropy slope h_n (kappa = 1, 2 <= n <= 2000)",
        "size": "values of n",
        "reference": "h",
        "plot": "time-vs-size",
        "error": f"largest relative error vs mpmath (40 digits), {ACCURACY_SAMPLE} values of n",
        "rows": rows,
    }


def bench(repeats: int) -> list[dict]:
    return [bench_pairs(repeats), bench_h(repeats)]
