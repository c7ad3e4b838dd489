"""lda_fit against scikit-learn's LinearDiscriminantAnalysis and LogisticRegression; maxent_fit
against generalised iterative scaling and SciPy's L-BFGS-B on the same dual.

LDA: Gaussian classes from ``scispaces.reference.class_population`` (K = 5, equal priors, a
shared covariance with eigenvalues from 1/4 to 4, the means scaled by sqrt(20/d) so that the
Bayes accuracy does not grow with d), N = 1e3 and 1e5 training points, d = 20 and 768; every
method fits the same data, on one BLAS thread (threadpoolctl). Accuracy: the excess negative
log-likelihood over the Bayes rule on 20 000 test points (nats per point). Peers:
``LinearDiscriminantAnalysis(solver='lsqr', shrinkage='auto')`` (per-class Ledoit-Wolf on
standardised data; timed against ``lda_fit(shrinkage='ledoit-wolf')``),
``LinearDiscriminantAnalysis(solver='lsqr')`` (the same estimator as ``lda_fit()``: their
weights are compared), and ``LogisticRegression()`` at its defaults (lbfgs, C = 1, tol 1e-4, at
most 100 iterations: what a user gets; its convergence warnings are silenced and it may stop at
the iteration limit).

Maximum entropy: binary features like a bag of words (50 features present with probability 0.1,
K = 4 classes drawn from a log-linear model), features e_k x (x, 1), no penalty; each solver runs
until the largest residual of the feature expectations is at most 1e-10 (or its limit) and is
judged by that residual and by the dual gap D(lambda) - D(lambda*) against Newton run to 1e-13,
computed without cancellation (log1p of the change of each row's log-sum-exp). GIS is
``scispaces.reference.gis_fit`` (written out; at most 10^5 steps); SciPy's
``minimize(method='L-BFGS-B', jac=True)`` gets the same dual and gradient with ``gtol=1e-10``
and ``ftol=0``, and stops where its line search can no longer resolve the decrease.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from benchmarks.timing import measure
from scispaces.linear_models import class_features, lda_fit, maxent_fit
from scispaces.reference import bayes_log_posterior, class_population, gis_fit, sample_population

K = 5
DIMS = (20, 768)
SIZES = (10**3, 10**5)
TEST = 4000  # per class
MAXENT_SIZES = (10**3, 10**4)
GIS_LIMIT = 100_000


def _sk_lda(shrinkage):
    def fit(X, y):
        sk = LinearDiscriminantAnalysis(solver="lsqr", shrinkage=shrinkage).fit(X, y)
        return sk.coef_.T, sk.intercept_

    return fit


def _sk_logistic(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = LogisticRegression().fit(X, y)
    return sk.coef_.T, sk.intercept_


LDA_METHODS = {
    "lda_fit (Ledoit-Wolf)": lambda X, y: lda_fit(X, y, shrinkage="ledoit-wolf"),
    "sklearn LDA lsqr auto": _sk_lda("auto"),
    "lda_fit (no shrinkage)": lambda X, y: lda_fit(X, y),
    "sklearn LDA lsqr": _sk_lda(None),
    "sklearn LogisticRegression": _sk_logistic,
}


def _excess_nll(X, y, bayes, W, b):
    logits = X @ W + b
    logp = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    rows = np.arange(len(y))
    return float(np.mean(bayes[rows, y] - logp[rows, y]))


def _lda_group(d, repeats):
    pop = class_population("gaussian", d, K, seed=0)
    pop["means"] = pop["means"] * np.sqrt(20 / d)  # the same Bayes accuracy at every d
    X_test, y_test = sample_population(pop, np.full(K, TEST), seed=1)
    bayes = bayes_log_posterior(pop, X_test)
    rows, agreement = [], []
    for n in SIZES:
        X, y = sample_population(pop, np.full(K, n // K), seed=2)
        fitted = {}
        for name, fit in LDA_METHODS.items():
            fitted[name] = fit(X, y)  # also a warm-up
            slow = name == "sklearn LogisticRegression" and n * d > 10**7  # tens of seconds
            rows.append(
                {
                    "method": name,
                    "size": n,
                    "time": measure(lambda f=fit, X=X, y=y: f(X, y), 1 if slow else repeats),
                    "error": _excess_nll(X_test, y_test, bayes, *fitted[name]),
                }
            )
        (W, b), (Ws, bs) = fitted["lda_fit (no shrinkage)"], fitted["sklearn LDA lsqr"]
        agreement.append(
            max(np.abs(Ws - W).max() / np.abs(W).max(), np.abs(bs - b).max() / np.abs(b).max())
        )
    at = {(r["method"], r["size"]): r["time"]["median"] for r in rows}
    speed = {n: at["sklearn LDA lsqr auto", n] / at["lda_fit (Ledoit-Wolf)", n] for n in SIZES}
    targets = [
        {
            "target": f"d = {d}, N = {n:,}: lda_fit (Ledoit-Wolf) at least as fast as LDA(lsqr, auto)",
            "measured": f"{speed[n]:.1f}x",
            "met": bool(speed[n] >= 1),
        }
        for n in SIZES
    ]
    targets.append(
        {
            "target": f"d = {d}: lda_fit() = LDA(solver='lsqr') weights and intercepts to 1e-10",
            "measured": f"{max(agreement):.1e} (relative)",
            "met": bool(max(agreement) <= 1e-10),
        }
    )
    return {
        "targets": targets,
        "title": f"Linear discriminant analysis, d = {d}, K = {K}",
        "size": "training points",
        "reference": "lda_fit (Ledoit-Wolf)",
        "plot": "time-vs-size",
        "error": f"excess test NLL over the Bayes rule (nats), {K * TEST:,} points",
        "rows": rows,
    }


def _text_problem(n):
    rng = np.random.default_rng(n)
    X = (rng.random((n, 50)) < 0.1).astype(float)
    logits = X @ rng.normal(0, 1.0, (50, 4)) + rng.normal(0, 0.5, 4)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    y = (p.cumsum(axis=1) < rng.random((n, 1))).sum(axis=1)
    return class_features(X, 4), y


def _dual(F, y):
    """D(lambda) and its gradient, for SciPy."""
    tau = F[np.arange(len(y)), y].mean(axis=0)

    def value_grad(w):
        logits = F @ w
        top = logits.max(axis=1, keepdims=True)
        e = np.exp(logits - top)
        z = e.sum(axis=1, keepdims=True)
        grad = np.einsum("ik,ikj->j", e / z, F) / len(y) - tau
        return float(np.mean(top[:, 0] + np.log(z[:, 0])) - tau @ w), grad

    return value_grad


def _gap(F, y, w, best):
    """D(w) - D(best) without cancellation: each row's log-sum-exp changes by
    log sum_k p_k e^{e_k} = log1p(sum_k p_k expm1(e_k)), p at ``best``, e = F (w - best)."""
    delta = w - best
    logits = F @ best
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    e = F @ delta
    rows = np.log1p(np.sum(p * np.expm1(e), axis=1))
    return float(rows.mean() - F[np.arange(len(y)), y].mean(axis=0) @ delta)


def _scipy_lbfgs(F, y):
    value_grad = _dual(F, y)
    options = {"gtol": 1e-10, "ftol": 0.0, "maxiter": 100_000, "maxcor": 10}
    res = minimize(value_grad, np.zeros(F.shape[2]), jac=True, method="L-BFGS-B", options=options)
    return res.x, int(res.nit), float(np.abs(value_grad(res.x)[1]).max())


MAXENT_METHODS = {
    "maxent_fit (Newton)": lambda F, y: _fit_summary(maxent_fit(F, y)),
    "maxent_fit (L-BFGS)": lambda F, y: _fit_summary(maxent_fit(F, y, method="lbfgs")),
    "GIS": lambda F, y: gis_fit(F, y, tol=1e-10, max_iter=GIS_LIMIT),
    "scipy L-BFGS-B": _scipy_lbfgs,
}


def _fit_summary(fit):
    return fit.weights, fit.iterations, fit.residual


def _maxent_group(repeats):
    rows = []
    for n in MAXENT_SIZES:
        F, y = _text_problem(n)
        best = maxent_fit(F, y, tol=1e-13).weights
        for name, run in MAXENT_METHODS.items():
            start = time.perf_counter()
            weights, steps, residual = run(F, y)
            once = time.perf_counter() - start
            timing = (
                {"median": once, "min": once, "max": once, "runs": 1}
                if once > 5 or name == "GIS"
                else measure(lambda r=run, F=F, y=y: r(F, y), repeats)
            )
            rows.append(
                {
                    "method": name,
                    "size": n,
                    "time": timing,
                    "error": residual,
                    "iterations": steps,
                    "gap": _gap(F, y, weights, best),
                }
            )
    at = {(r["method"], r["size"]): r for r in rows}
    targets = []
    for n in MAXENT_SIZES:
        newton, gis = at["maxent_fit (Newton)", n], at["GIS", n]
        targets.append(
            {
                "target": f"N = {n:,}: maxent_fit reaches a 1e-10 residual, in fewer steps and less time than GIS",
                "measured": f"{newton['iterations']} vs {gis['iterations']:,} steps, "
                f"{gis['time']['median'] / newton['time']['median']:.0f}x faster; "
                f"GIS residual {gis['error']:.1e}",
                "met": bool(
                    newton["error"] <= 1e-10
                    and newton["iterations"] < gis["iterations"]
                    and newton["time"]["median"] < gis["time"]["median"]
                ),
            }
        )
    return {
        "targets": targets,
        "title": "Maximum entropy (multinomial logistic, 50 binary features, K = 4) to a 1e-10 residual",
        "size": "samples",
        "reference": "maxent_fit (Newton)",
        "plot": "time-vs-size",
        "error": "largest residual of the feature expectations reached",
        "rows": rows,
    }


def bench(repeats: int) -> list[dict]:
    with threadpool_limits(1):  # one BLAS thread for every method: the kernels, not the pool
        groups = [_lda_group(d, repeats) for d in DIMS] + [_maxent_group(repeats)]
    for group in groups:
        print(f"\n{group['title']} ({group['error']})")
        for r in group["rows"]:
            extra = f"  {r['iterations']:>7,} steps  gap {r['gap']:.1e}" if "gap" in r else ""
            print(
                f"  {r['method']:28s} {r['size']:>8,} {r['time']['median']:9.4f} s"
                f"  {r['error']:.2e}{extra}"
            )
        for t in group["targets"]:
            print(f"  [{'met' if t['met'] else 'NOT met'}] {t['target']}: {t['measured']}")
    return groups
