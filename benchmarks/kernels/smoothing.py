"""fourier_fit + fourier_logpdf against scipy.stats.gaussian_kde, KDEpy's FFTKDE and
scikit-learn's GaussianMixture, on the same samples.

Two data sets, as in the chapter: a three-component Gaussian mixture (weights 0.3, 0.4, 0.3;
means -2, 0.5, 3; standard deviations 0.5, 0.3, 0.8) and Student's t3. Each method is fitted on
n = 1e3 and 1e4 samples (fixed seeds) and evaluated at 1e3 to 1e5 held-out points of the same
law. Settings a user would pick: fourier_fit at its defaults (order 16, penalty 1e-4);
gaussian_kde with Scott's bandwidth; FFTKDE with the ISJ bandwidth, its density evaluated on a
grid of 2^14 points (that is its fit) and interpolated linearly at the held-out points (its
evaluation; zero outside the grid, clipped to 1e-300 before the log); GaussianMixture with 12
components, the Fourier density's 36 real parameters, EM at scikit-learn's defaults
(k-means start, random_state 0). Accuracy: the held-out excess negative log-likelihood, the mean
of log p - log q over 1e4 held-out points, an estimate of KL(p || q) in nats; not a target (it
is the chapter's question), reported for every method.

Targets: fourier_logpdf at least 10x faster than gaussian_kde at 1e4 points (models fitted on
1e4 samples); fourier_fit under 1 s on 1e4 samples of each data set. gaussian_kde at 1e5
points (about 30 s) is timed once.
"""

from __future__ import annotations

import numpy as np
from KDEpy import FFTKDE
from scipy import special, stats
from sklearn.mixture import GaussianMixture

from benchmarks.timing import measure
from scispaces.smoothing import fourier_fit, fourier_logpdf

FIT_SIZES = (10**3, 10**4)
EVAL_SIZES = (10**3, 10**4, 10**5)
HELD_OUT = 10**4
MIX_W, MIX_M, MIX_S = np.array([0.3, 0.4, 0.3]), np.array([-2, 0.5, 3.0]), np.array([0.5, 0.3, 0.8])


def draw_mixture(n: int, rng: np.random.Generator) -> np.ndarray:
    k = rng.choice(3, n, p=MIX_W)
    return MIX_M[k] + MIX_S[k] * rng.standard_normal(n)


DATA = {
    "3-mode mixture": (
        draw_mixture,
        lambda v: special.logsumexp(np.log(MIX_W) + stats.norm.logpdf(v[:, None], MIX_M, MIX_S), 1),
    ),
    "Student t3": (lambda n, rng: rng.standard_t(3, n), lambda v: stats.t.logpdf(v, 3)),
}


def fft_kde(y: np.ndarray):
    grid, density = FFTKDE(bw="ISJ").fit(y).evaluate(2**14)
    return lambda v: np.log(np.maximum(np.interp(v, grid, density, left=0.0, right=0.0), 1e-300))


def gaussian_mixture(y: np.ndarray):
    return GaussianMixture(12, random_state=0).fit(y[:, None])


# each method: (fit(samples) -> model, log-density(model, points))
METHODS = {
    "fourier_fit + fourier_logpdf": (fourier_fit, lambda m, v: fourier_logpdf(v, *m)),
    "scipy gaussian_kde": (stats.gaussian_kde, lambda m, v: m.logpdf(v)),
    "KDEpy FFTKDE (ISJ)": (fft_kde, lambda m, v: m(v)),
    "sklearn GaussianMixture (12)": (gaussian_mixture, lambda m, v: m.score_samples(v[:, None])),
}


def bench(repeats: int) -> list[dict]:
    groups, fit_time, eval_time, excess = [], {}, {}, {}
    for i, (name, (draw, true_logpdf)) in enumerate(DATA.items()):
        train = draw(max(FIT_SIZES), np.random.default_rng(10 + i))
        points = draw(max(EVAL_SIZES), np.random.default_rng(20 + i))
        held = points[:HELD_OUT]
        rows = []
        for method, (fit, log_q) in METHODS.items():
            model = fit(train)  # at the largest size: the model the errors and evaluations use
            excess[name, method] = float(np.mean(true_logpdf(held) - log_q(model, held)))
            for n in FIT_SIZES:
                timing = measure(lambda f=fit, y=train[:n]: f(y), repeats)
                fit_time[name, method, n] = timing["median"]
                rows.append(
                    {"method": method, "size": n, "time": timing, "error": excess[name, method]}
                )
            if i == 0:
                for m in EVAL_SIZES:
                    slow = method == "scipy gaussian_kde" and m >= 10**5  # about 30 s: once
                    run = lambda q=log_q, md=model, v=points[:m]: q(md, v)  # noqa: E731
                    timing = measure(run, 1 if slow else repeats)
                    eval_time[method, m] = timing
        groups.append(
            {
                "title": f"Fit a 1-D density: {name}",
                "size": "training samples",
                "reference": "fourier_fit + fourier_logpdf",
                "plot": "time-vs-size",
                "error": f"held-out excess NLL (nats, vs the true {name} density, 1e4 points; "
                "model fitted on 1e4 samples)",
                "rows": rows,
            }
        )
    first = next(iter(DATA))
    groups.append(
        {
            "title": f"Evaluate a fitted log-density ({first}, fitted on 1e4 samples)",
            "size": "points",
            "reference": "fourier_fit + fourier_logpdf",
            "plot": "time-vs-size",
            "error": "held-out excess NLL of the evaluated model (nats, 1e4 points)",
            "rows": [
                {"method": m, "size": n, "time": t, "error": excess[first, m]}
                for (m, n), t in eval_time.items()
            ],
        }
    )
    ours, kde = "fourier_fit + fourier_logpdf", "scipy gaussian_kde"
    speedup = eval_time[kde, 10**4]["median"] / eval_time[ours, 10**4]["median"]
    slowest_fit = max(fit_time[d, ours, 10**4] for d in DATA)
    groups[0]["targets"] = [
        {
            "target": "fourier_logpdf at 1e4 points at least 10x faster than gaussian_kde.logpdf",
            "measured": f"{speedup:.0f}x",
            "met": bool(speedup >= 10),
        },
        {
            "target": "fourier_fit under 1 s on 1e4 samples (both data sets)",
            "measured": f"{slowest_fit:.2f} s",
            "met": bool(slowest_fit < 1.0),
        },
    ]
    for group in groups[1:]:
        group["targets"] = []
    _print(groups)
    return groups


def _print(groups: list[dict]) -> None:
    for group in groups:
        print(f"\n{group['title']} (error: {group['error']})")
        for row in group["rows"]:
            print(
                f"  {row['method']:30s} {row['size']:>7d} {row['time']['median']:9.4f} s"
                f"  excess NLL {row['error']:.4f}"
            )
        for target in group["targets"]:
            print(f"  target: {target['target']}: {target['measured']} (met: {target['met']})")
