"""entropy_normalize against SciPy's brentq per row and the source post's Newton iteration;
attention_entropy against a dense torch.softmax + torch.special.entr.

Normalisation: rows of 1000 classes, each the softmax of standard normal scores times its own
temperature (log-uniform in [0.1, 10]), targets uniform in (0.02, 0.98) log 1000, the same rows
for every method. Accuracy is the largest |H(p~) - H*| over all rows, with H recomputed from
the returned distribution (``power_entropy(p~, 1)``); the post's iteration (10 steps, as its
code) is counted as failed on a row where some step gives gamma <= 0 or a value that is not
finite, or where it ends more than 1e-12 from the target.

Attention: one head, m = n queries and keys of dimension 64 with N(0, 1) entries and scale
1/8 (scores of size ~1), float64 throughout, PyTorch on one thread; accuracy is the largest
absolute error of an entropy against mpmath (``mp_softmax_entropy``) on 8 of the rows, from the
same float64 scores. The peak memory NumPy allocates is printed for the two NumPy methods.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import torch

from benchmarks.timing import measure
from scispaces.entropy import attention_entropy, entropy_normalize, power_entropy
from scispaces.reference import (
    brentq_normalize,
    dense_attention_entropy,
    mp_softmax_entropy,
    post_entropy_newton,
)

CLASSES = 1000
FLOOR = "one log and one exp pass over p (floor)"
ROWS = (100, 1000, 10_000)
KEYS = (256, 1024, 4096)
DIM = 64


def normalize_problem(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    temperature = np.exp(rng.uniform(np.log(0.1), np.log(10), (rows, 1)))
    scores = rng.standard_normal((rows, CLASSES)) * temperature
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return p, rng.uniform(0.02, 0.98, rows) * np.log(CLASSES)


def post_failures(p: np.ndarray, target: np.ndarray) -> tuple[int, float]:
    """Rows on which the post's 10 steps fail, and the largest error on the others."""
    gammas, errors = post_entropy_newton(p, target, steps=10)
    failed = ~np.all(np.isfinite(gammas) & (gammas > 0), axis=0) | ~(errors[-1] <= 1e-12)
    return int(failed.sum()), float(errors[-1][~failed].max())


def bench_normalize(repeats: int) -> dict:
    p, target = normalize_problem(max(ROWS))
    methods = {
        "entropy_normalize": lambda m: entropy_normalize(p[:m], target[:m]),
        "brentq per row": lambda m: brentq_normalize(p[:m], target[:m])[0],
        "post's Newton, 10 steps": lambda m: post_entropy_newton(p[:m], target[:m]),
    }
    entropy_normalize(p[:100], target[:100])  # warm-up
    failures, post_error = post_failures(p, target)
    rows = []
    for name, method in methods.items():
        if name.startswith("post"):
            error, label = post_error, f"{name} (fails on {failures:,} of {len(p):,} rows)"
        else:
            error = float(np.abs(power_entropy(method(len(p)), 1.0) - target).max())
            label = name
        for m in ROWS:
            slow = name == "brentq per row" and m == max(ROWS)
            time = measure(lambda f=method, m=m: f(m), 1 if slow else repeats)
            rows.append({"method": label, "size": m, "time": time, "error": error})
    for m in ROWS:  # what any method computing p^gamma = exp(gamma log p) does at least once
        time = measure(lambda m=m: np.exp(np.log(p[:m]) * 0.5), repeats)
        rows.append({"method": FLOOR, "size": m, "time": time, "error": None})
    at = {r["method"]: r for r in rows if r["size"] == max(ROWS)}
    ours, brentq = at["entropy_normalize"], at["brentq per row"]
    speed = brentq["time"]["median"] / ours["time"]["median"]
    ceiling = brentq["time"]["median"] / at[FLOOR]["time"]["median"]
    targets = [
        {
            "target": f"entropy_normalize on {max(ROWS):,} rows at least 50x faster than brentq "
            "per row, both within 1e-12 of the target entropy",
            "measured": f"{speed:.1f}x; |H - H*| {ours['error']:.1e} vs {brentq['error']:.1e}; "
            f"one log and one exp pass alone are {ceiling:.0f}x faster than brentq",
            "met": bool(speed >= 50 and max(ours["error"], brentq["error"]) <= 1e-12),
        }
    ]
    return {
        "targets": targets,
        "title": f"Entropy normalisation, rows of {CLASSES} classes",
        "size": "rows",
        "reference": "entropy_normalize",
        "plot": "time-vs-size",
        "error": "largest |H - H*| over all rows (the post's: over the rows it does not fail on)",
        "rows": rows,
    }


def dense_torch(q: torch.Tensor, k: torch.Tensor, scale: float) -> torch.Tensor:
    """What a PyTorch user writes: all m n weights at once, then -sum p log p."""
    p = torch.softmax((q @ k.T) * scale, dim=-1)
    return torch.special.entr(p).sum(dim=-1)


def peak_numpy_bytes(fn) -> int:
    """Peak memory NumPy allocates while ``fn()`` runs (NumPy reports to tracemalloc)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def bench_attention(repeats: int) -> dict:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # both torch methods on one thread: the kernels, not the pool
    try:
        return _bench_attention(repeats)
    finally:
        torch.set_num_threads(threads)


def _bench_attention(repeats: int) -> dict:
    rng = np.random.default_rng(1)
    rows, scale = [], 1 / np.sqrt(DIM)
    for n in KEYS:
        q, k = rng.standard_normal((n, DIM)), rng.standard_normal((n, DIM))
        qt, kt = torch.from_numpy(q), torch.from_numpy(k)
        scores = (q[:8] @ k.T) * scale
        exact = np.array([mp_softmax_entropy(row) for row in scores])
        methods = {
            "attention_entropy (NumPy)": lambda q=q, k=k: attention_entropy(q, k, scale),
            "attention_entropy (PyTorch)": lambda q=qt, k=kt: attention_entropy(q, k, scale),
            "dense torch.softmax + entr": lambda q=qt, k=kt: dense_torch(q, k, scale),
            "dense SciPy logsumexp": lambda q=q, k=k: dense_attention_entropy(q, k, scale),
        }
        for name, method in methods.items():
            got = np.asarray(method())[:8]
            rows.append(
                {
                    "method": name,
                    "size": n,
                    "time": measure(method, repeats),
                    "error": float(np.abs(got - exact).max()),
                }
            )
        if n == max(KEYS):
            memory = {
                name: peak_numpy_bytes(methods[name])
                for name in ("attention_entropy (NumPy)", "dense SciPy logsumexp")
            }
    for name, peak in memory.items():
        print(f"  peak NumPy memory at n = {max(KEYS)}: {name}: {peak / 2**20:.0f} MiB")
    n = max(KEYS)
    at = {r["method"]: r["time"]["median"] for r in rows if r["size"] == n}
    speed = at["dense torch.softmax + entr"] / min(
        at["attention_entropy (NumPy)"], at["attention_entropy (PyTorch)"]
    )
    mib = {name: f"{peak / 2**20:.0f} MiB" for name, peak in memory.items()}
    targets = [
        {
            "target": f"attention_entropy at n = {n:,} as fast as dense torch.softmax + entr, "
            "in memory of order chunk x n (under a quarter of the dense method's peak)",
            "measured": f"{speed:.1f}x faster; peak NumPy memory "
            f"{mib['attention_entropy (NumPy)']} vs {mib['dense SciPy logsumexp']} dense",
            "met": bool(
                speed >= 1
                and 4 * memory["attention_entropy (NumPy)"] < memory["dense SciPy logsumexp"]
            ),
        }
    ]
    return {
        "targets": targets,
        "title": f"Attention entropy of n queries over n keys (d = {DIM}, float64)",
        "size": "keys",
        "reference": "attention_entropy (NumPy)",
        "plot": "time-vs-size",
        "error": "largest absolute error of an entropy vs mpmath, 8 rows",
        "rows": rows,
    }


def bench(repeats: int) -> list[dict]:
    groups = [bench_normalize(repeats), bench_attention(repeats)]
    for group in groups:
        print(f"\n{group['title']} ({group['error']})")
        for row in group["rows"]:
            print(
                f"  {row['method']:46s} {row['size']:>7,d} {group['size']:5s}"
                f" {row['time']['median']:9.4f} s  "
                + ("" if row["error"] is None else f"{row['error']:.1e}")
            )
    return groups
