"""Edge table of scispaces.reference, linear_models section: the populations, the 40-digit LDA,
generalised iterative scaling and the cross-validated logistic regression shared by
tests/test_linear_models.py, the closed-form classifier chapter and its benchmark.

References independent of each oracle: the population's parameters by their stated law; the
Bayes posterior against scipy.stats densities and Bayes' rule; mp_lda against a plain NumPy
solve of the same formulas; GIS against the optimality condition it claims (the feature
expectations recomputed with scipy's softmax); logistic_cv against the grid and the shapes.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.special import softmax

from edges import Row, any_, case, choice, count, real, real_array, seed, whole
from scispaces.reference import class_population

MODULE = "scispaces.reference"

POP = class_population("gaussian", 2, 3, seed=1)
EXP_POP = class_population("exponential", 2, 3, seed=1)
X = np.array([[0.0, 0.0], [2.0, 0.5], [0.0, 2.0], [4.0, 2.0], [6.5, 2.0], [4.0, 4.0], [1.0, 1.5]])
Y = np.array([0, 0, 0, 1, 1, 1, 0])
F = np.array(  # 7 samples, 2 classes, 2 features; pairs with both labels: a finite optimum
    [
        [[1.0, 0.0], [0.0, 1.0]],
        [[1.0, 0.0], [0.0, 1.0]],
        [[1.0, 1.0], [0.0, 0.5]],
        [[1.0, 1.0], [0.0, 0.5]],
        [[0.0, 0.5], [1.0, 0.0]],
        [[0.0, 0.5], [1.0, 0.0]],
        [[0.5, 0.0], [0.0, 0.0]],
    ]
)
YF = np.array([0, 1, 0, 1, 1, 0, 0])
POPS = (
    case("exponential population", EXP_POP, "either"),
    case("not a population", {"family": "gaussian"}, "refuse"),
    case("a list", [1, 2], "refuse"),
    case("None", None, "refuse"),
)


def _population_check(result, family, d, n_classes, seed):
    d, k = int(d), int(n_classes)
    assert np.allclose(result["priors"], 1 / k)
    if family == "gaussian":
        assert result["means"].shape == (k, d)
        values = np.linalg.eigvalsh(result["cov"])
        assert np.allclose(values, np.geomspace(0.25, 4.0, d), rtol=1e-10)
    else:
        rates = result["rates"]
        spread = np.where(np.arange(d) < d / 2, 1.5, 0.2)
        assert rates.shape == (k, d) and np.all(np.abs(np.log(rates)) <= spread)


def _sample_check(result, pop, counts, seed):
    X, y = result
    n = np.asarray(counts, dtype=float).astype(int)
    assert np.array_equal(y, np.repeat(np.arange(n.size), n))
    key = "means" if pop["family"] == "gaussian" else "rates"
    assert X.shape == (n.sum(), pop[key].shape[1]) and np.isfinite(X).all()


def _bayes_check(result, pop, X):
    X = np.asarray(X, dtype=float)
    k = len(pop["priors"])
    if pop["family"] == "gaussian":
        log_density = [
            stats.multivariate_normal(pop["means"][c], pop["cov"]).logpdf(X) for c in range(k)
        ]
    else:
        log_density = [stats.expon(scale=1 / pop["rates"][c]).logpdf(X).sum(-1) for c in range(k)]
    joint = np.array(log_density).reshape(k, -1).T + np.log(pop["priors"])
    want = joint - np.logaddexp.reduce(joint, axis=1, keepdims=True)
    assert np.allclose(result, want, rtol=1e-10, atol=1e-10)


def _mp_lda_check(result, X, y, shrinkage, covariance, dps):
    X = np.asarray(X, dtype=float)
    labels = np.asarray(y, dtype=float).astype(int)
    k, (n, d) = labels.max() + 1, X.shape
    means = np.array([X[labels == c].mean(axis=0) for c in range(k)])
    Z = X - (means[labels] if covariance == "within" else X.mean(axis=0))
    S = Z.T @ Z / n
    alpha = (
        0.0 if shrinkage is None else shrinkage if isinstance(shrinkage, str) else float(shrinkage)
    )
    if isinstance(shrinkage, str):
        mu = np.trace(S) / d
        delta = np.sum((S - mu * np.eye(d)) ** 2) / d
        beta = np.mean([np.sum((np.outer(z, z) - S) ** 2) for z in Z]) / (n * d)
        alpha = min(beta, delta) / delta
    S = (1 - alpha) * S + alpha * np.trace(S) / d * np.eye(d)
    W = np.linalg.solve(S, means.T)
    b = np.log(np.bincount(labels) / n) - 0.5 * np.einsum("kj,jk->k", means, W)
    assert np.allclose(result[0], W, rtol=1e-9, atol=1e-12) and np.allclose(result[1], b, rtol=1e-9)


def _gis_check(result, F, y, tol, max_iter):
    weights, steps, residual = result
    F = np.asarray(F, dtype=float)
    labels = np.asarray(y, dtype=float).astype(int)
    p = softmax(F @ weights, axis=1)
    g = np.einsum("ik,ikj->j", p, F) / F.shape[0] - F[np.arange(F.shape[0]), labels].mean(axis=0)
    assert abs(np.abs(g).max() - residual) <= 1e-9 * max(residual, 1e-6)
    assert residual <= float(tol) or steps == int(max_iter)


def _cv_check(result, X, y, n_classes, l2_grid, folds):
    W, b, l2 = result
    d, k = np.shape(X)[1], int(n_classes)
    assert W.shape == (d, k) and b.shape == (k,)
    assert l2 in np.asarray(l2_grid, dtype=float).ravel()


ROWS = [
    Row(
        "class_population",
        {
            "family": choice("gaussian", ("gaussian", "exponential")),
            "d": count(3),
            "n_classes": count(2, aliases=("d",)),  # d * max(d, K) <= 1e6 names both
            "seed": seed(0),
        },
        check=_population_check,
        finite=False,  # a dict: the check decides
    ),
    Row(
        "sample_population",
        {"pop": any_(POP, extra=POPS), "counts": whole(np.array([2.0, 3.0, 1.0])), "seed": seed(0)},
        check=_sample_check,
    ),
    Row(
        "bayes_log_posterior",
        {"pop": any_(POP, extra=POPS[1:]), "X": real_array(np.array([[0.5, 1.0], [2.0, 0.1]]))},
        check=_bayes_check,
    ),
    Row(
        "mp_lda",
        {
            "X": real_array(X),
            "y": whole(Y),
            "shrinkage": real(
                0.25, supports=("None",), extra=(case("ledoit-wolf", "ledoit-wolf", "result"),)
            ),
            "covariance": choice("within", ("within", "total"), aliases=("dps",)),
            "dps": count(40, aliases=("covariance",)),
        },
        check=_mp_lda_check,
    ),
    Row(
        "gis_fit",
        {"F": real_array(F), "y": whole(YF), "tol": real(1e-10), "max_iter": count(100_000)},
        check=_gis_check,
    ),
    Row(
        "logistic_cv",
        {
            "X": real_array(X),
            "y": whole(Y),
            "n_classes": count(2),
            "l2_grid": real_array(np.array([0.1, 1.0])),
            "folds": count(2),
        },
        check=_cv_check,
    ),
]
