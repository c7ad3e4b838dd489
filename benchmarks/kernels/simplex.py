"""The simplex maps against the entmax package (PyTorch, float64), the post's NumPy code, and
scipy.stats.multivariate_normal.cdf for normal perturb-max.

Sparsemax, entmax-1.5 and entmax-1.3: the same standard normal scores, rows of n = 10 ... 1e5
with n * rows = 1e7, for every method. Accuracy is measured on the first rows of each size (up
to 2e4 entries) against exact rational arithmetic (sparsemax), rationals with a 50-digit square
root (entmax-1.5) and a 50-digit bisection (entmax-1.3), all from scispaces.reference: the
largest error of a component in ulps of its exact value. Ties: 2 000 vectors of n = 10 scores
rounded to 0.1, where the post's entmax code fails. The post's code handles one vector at a time
and is looped over the rows.

Perturb-max with normal noise: time per probability, ours for 1 000 vectors at once, SciPy's
multivariate_normal.cdf(abseps=1e-10, releps=0) of the equivalent (n - 1)-dimensional normal
law with covariance I + 11^T, looped (all entries of 100 vectors for n <= 3, where SciPy has
closed-form bivariate routines; the first entry of one vector for n >= 5, where its
quasi-Monte Carlo needs seconds). Accuracy: the largest absolute error against mpmath
quadrature on the entries each method computed.

Peers only the benchmark needs are pinned in benchmarks/requirements.txt (entmax==1.3).
"""

from __future__ import annotations

import numpy as np
import torch
from entmax import entmax15 as torch_entmax15
from entmax import entmax_bisect
from entmax import sparsemax as torch_sparsemax
from scipy.stats import multivariate_normal

from benchmarks.timing import measure
from scispaces.reference import (
    exact_entmax15,
    exact_sparsemax,
    mp_entmax,
    mp_perturbmax,
    post_entmax15,
    post_sparsemax,
    ulp_errors,
)
from scispaces.simplex import entmax, entmax15, perturbmax, sparsemax

SIZES = (10, 100, 1_000, 10_000, 100_000)
TOTAL = 10**7
ACCURACY_ENTRIES = 20_000
ALPHA = 1.3
SLOW = 10_000_000  # a method expected to take more than ~10 s a run is run once


def _loop(fn):
    return lambda x: np.array([fn(row) for row in x])


def _torch(fn, **options):
    return lambda x: fn(torch.from_numpy(x), dim=-1, **options).numpy()


def _worst_ulps(got: np.ndarray, exact) -> float:
    """The largest error of a component in ulps of its exact value (inf: a wrong zero)."""
    return float(ulp_errors(got, exact).max())


def _worst_absolute(got: np.ndarray, exact) -> float:
    """The largest absolute error of a component, in units of 2^-52 (the ulp of 1)."""
    return float(np.abs(got - np.array(exact, dtype=np.float64)).max() / 2.0**-52)


GROUPS = {
    "sparsemax": {
        "title": "Sparsemax of rows of standard normal scores",
        "exact": exact_sparsemax,
        "sample": ACCURACY_ENTRIES,
        "methods": {
            "sparsemax": sparsemax,
            "entmax.sparsemax (torch)": _torch(torch_sparsemax),
            "the post's NumPy code": _loop(post_sparsemax),
        },
    },
    "entmax15": {
        "title": "Entmax-1.5 of rows of standard normal scores",
        "exact": exact_entmax15,
        "sample": ACCURACY_ENTRIES,
        "methods": {
            "entmax15": entmax15,
            "entmax.entmax15 (torch)": _torch(torch_entmax15),
            "the post's NumPy code": _loop(post_entmax15),
        },
    },
    "entmax": {
        "title": f"Entmax-{ALPHA} of rows of standard normal scores",
        "exact": lambda x: mp_entmax(x, ALPHA, dps=50),
        "sample": ACCURACY_ENTRIES // 10,  # a 50-digit bisection per row
        "measure": _worst_absolute,  # no closed form: neither method claims ulps per component
        "methods": {
            f"entmax(alpha={ALPHA})": lambda x: entmax(x, ALPHA),
            "entmax.entmax_bisect (torch, 50 halvings)": _torch(entmax_bisect, alpha=ALPHA),
        },
    },
}


def bench_maps(repeats: int) -> list[dict]:
    rng = np.random.default_rng(0)
    scores = {n: rng.standard_normal((TOTAL // n, n)) for n in SIZES}
    out = []
    for key, spec in GROUPS.items():
        rows = []
        for n, x in scores.items():
            sample = x[: max(1, spec["sample"] // n)]
            exact = spec["exact"](sample)
            for name, method in spec["methods"].items():
                error = spec.get("measure", _worst_ulps)(method(sample), exact)
                slow = ("post" in name and n <= 100) or "bisect" in name
                rows.append(
                    {
                        "method": name,
                        "size": n,
                        "time": measure(lambda m=method, v=x: m(v), 1 if slow else repeats),
                        "error": error,
                    }
                )
                print(
                    f"  {key:9s} n={n:>6d} {name:42s} {rows[-1]['time']['median']:8.3f} s"
                    f"  error {error:9.3g}",
                    flush=True,
                )
        out.append(
            {
                "title": spec["title"],
                "size": "scores per row",
                "reference": next(iter(spec["methods"])),
                "plot": "time-vs-size",
                "error": (
                    "largest absolute error of a component in units of 2^-52"
                    if "measure" in spec
                    else "largest error of a component in ulps of its exact value"
                )
                + f" (first rows, up to {spec['sample']:,} entries); rows x n = 1e7",
                "rows": rows,
            }
        )
    return out


def bench_ties() -> dict[str, list[dict]]:
    """Rounded scores (ties, also at the support boundary), per method: the vectors where it
    raised, the components that are zero where the exact value is not or the reverse, the
    largest error in ulps on exact components above 1e-15, and the largest absolute error on
    the smaller ones (they arise when a score lies within rounding of the threshold)."""
    rng = np.random.default_rng(1)
    x = np.round(rng.standard_normal((2000, 10)), 1)
    rows = []
    for key, exact_fn, methods in (
        ("sparsemax", exact_sparsemax, GROUPS["sparsemax"]["methods"]),
        ("entmax15", exact_entmax15, GROUPS["entmax15"]["methods"]),
    ):
        exact = exact_fn(x)
        for name, method in methods.items():
            failures, wrong_zeros, worst, tiny = 0, 0, 0.0, 0.0
            for row, want in zip(x, exact, strict=True):
                try:
                    got = method(row[None, :])[0]
                except ValueError:
                    failures += 1
                    continue
                exact_float = np.array(want, dtype=np.float64)
                wrong_zeros += int(np.sum((got == 0) != (exact_float == 0)))
                big = exact_float >= 1e-15
                worst = max(worst, float(ulp_errors(got[big], want[big]).max()))
                if (~big).any():
                    tiny = max(tiny, float(np.abs(got - exact_float)[~big].max()))
            rows.append(
                {
                    "map": key,
                    "method": name,
                    "failures": failures,
                    "wrong_zeros": wrong_zeros,
                    "error": worst,
                    "tiny_error": tiny,
                }
            )
            print(
                f"  ties {key:9s} {name:30s} failures {failures:4d}  wrong zeros {wrong_zeros:4d}"
                f"  {worst:9.3g} ulp (above 1e-15)  {tiny:9.2g} abs (below)",
                flush=True,
            )
    return {key: [r for r in rows if r["map"] == key] for key in ("sparsemax", "entmax15")}


def _mvn_entry(mu: np.ndarray, i: int) -> float:
    """P(argmax(mu + eps) = i) as the (n-1)-dimensional normal CDF of mu_i - mu_j, cov I + 11^T."""
    gaps = mu[i] - np.delete(mu, i)
    if len(gaps) == 1:
        return float(multivariate_normal.cdf(gaps, mean=0.0, cov=2.0))
    cov = np.eye(len(gaps)) + 1.0
    return float(
        multivariate_normal.cdf(
            gaps,
            mean=np.zeros(len(gaps)),
            cov=cov,
            abseps=1e-10,
            releps=0,
            rng=np.random.default_rng(0),
        )
    )


def bench_perturbmax(repeats: int) -> dict:
    rng = np.random.default_rng(2)
    rows = []
    for n in (2, 3, 5, 10):
        mu = rng.standard_normal((1000, n))
        entries = [(v, i) for v in range(100) for i in range(n)] if n <= 3 else [(0, 0)]
        reference = mp_perturbmax(mu[:20], "normal", dps=30)
        ours = perturbmax(mu, "normal")
        t = measure(lambda m=mu: perturbmax(m, "normal"), repeats)
        per = {k: v / mu.size if k != "runs" else v for k, v in t.items()}
        rows.append(
            {
                "method": "perturbmax (normal)",
                "size": n,
                "time": per,
                "error": float(np.abs(ours[:20] - reference).max()),
            }
        )
        t = measure(lambda m=mu, e=entries: [_mvn_entry(m[v], i) for v, i in e], 1)
        got = np.array([_mvn_entry(mu[v], i) for v, i in entries if v < 20])
        want = np.array([reference[v, i] for v, i in entries if v < 20])
        per = {k: v / len(entries) if k != "runs" else v for k, v in t.items()}
        rows.append(
            {
                "method": "multivariate_normal.cdf (abseps 1e-10)",
                "size": n,
                "time": per,
                "error": float(np.abs(got - want).max()),
            }
        )
        ratio = rows[-1]["time"]["median"] / rows[-2]["time"]["median"]
        print(
            f"  perturbmax n={n:>2d} ours {rows[-2]['time']['median']:.2e} s, "
            f"scipy {rows[-1]['time']['median']:.2e} s per probability (x{ratio:.0f}); errors "
            f"{rows[-2]['error']:.1e}, {rows[-1]['error']:.1e}",
            flush=True,
        )
    return {
        "title": "Normal perturb-max: time per probability",
        "size": "scores per vector",
        "reference": "perturbmax (normal)",
        "plot": "time-vs-size",
        "error": "largest absolute error against mpmath quadrature (30 digits)",
        "rows": rows,
    }


def bench(repeats: int) -> list[dict]:
    """The groups of benchmarks/run.py; the sparsemax and entmax-1.5 groups also carry "ties":
    failures and errors on 2 000 vectors of 10 scores rounded to 0.1."""
    maps = bench_maps(repeats)
    ties = bench_ties()
    for group, key in zip(maps, GROUPS, strict=True):
        if key in ties:
            group["ties"] = ties[key]
        group["targets"] = map_targets(group)
    perturb = bench_perturbmax(repeats)
    perturb["targets"] = perturbmax_targets(perturb)
    return [*maps, perturb]


def _against(group: dict, ours: str, peer: str):
    """Rows by (method, size), the sizes, the peer's time over ours at each size, the size where
    that ratio is smallest, and our largest error."""
    at = {(r["method"], r["size"]): r for r in group["rows"]}
    sizes = sorted({n for _, n in at})
    speed = {n: at[peer, n]["time"]["median"] / at[ours, n]["time"]["median"] for n in sizes}
    worst = min(speed, key=speed.get)
    return at, sizes, speed, worst, max(at[ours, n]["error"] for n in sizes)


def map_targets(group: dict) -> list[dict]:
    """The issue's targets for a map: at least as fast as the entmax package at every size, and
    within a few (4) units of its error measure of the exact values."""
    ours = group["reference"]
    peer = next(m for m in dict.fromkeys(r["method"] for r in group["rows"]) if "entmax." in m)
    at, sizes, speed, worst, error = _against(group, ours, peer)
    unit = "2^-52 absolute" if "2^-52" in group["error"] else "ulps"
    return [
        {
            "target": f"{ours} at least as fast as {peer} at every n from {sizes[0]:,} to "
            f"{sizes[-1]:,}",
            "measured": f"{speed[worst]:.1f}x at n = {worst:,} (the closest), "
            f"{max(speed.values()):.0f}x at most",
            "met": bool(speed[worst] >= 1),
        },
        {
            "target": f"{ours} within 4 {unit} of the exact values",
            "measured": f"{error:.2g} {unit}; {peer}: "
            f"{max(at[peer, n]['error'] for n in sizes):.3g}",
            "met": bool(error <= 4),
        },
    ]


def perturbmax_targets(group: dict) -> list[dict]:
    """At least 100x faster than SciPy's multivariate normal CDF at 1e-10 for n <= 10."""
    ours, peer = "perturbmax (normal)", "multivariate_normal.cdf (abseps 1e-10)"
    _, sizes, speed, worst, error = _against(group, ours, peer)
    return [
        {
            "target": "perturbmax (normal) at least 100x faster per probability than "
            f"multivariate_normal.cdf at 1e-10 accuracy, n = {', '.join(map(str, sizes))}",
            "measured": f"{speed[worst]:.0f}x at n = {worst} (the closest); error {error:.1e}",
            "met": bool(speed[worst] >= 100 and error <= 1e-10),
        }
    ]
