"""Edge table of scispaces.linear_models.

References independent of the library: lda_fit against the 40-digit evaluation of the same
formulas (scispaces.reference.mp_lda); the maximum-entropy fits against their optimality
conditions, recomputed here with scipy's softmax (the feature expectations of the fitted model
match the data's within the returned residual, at most ``tol``, and the gap obeys the bound
its formula implies); the probabilities against scipy's softmax; the features against an explicit loop.
"""

from __future__ import annotations

import numpy as np
from scipy.special import softmax

from edges import Row, case, choice, count, real, real_array, whole
from scispaces.reference import mp_lda

MODULE = "scispaces.linear_models"

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
NONE = ("None",)


def _lda_check(result, X, y, shrinkage, covariance):
    """Against mp_lda on X scaled by a power of two to max |x| in [1/2, 1) (exact): the weights
    scale inversely, the intercepts not at all."""
    W, b = result
    X = np.asarray(X, dtype=float)
    e = int(np.frexp(np.abs(X).max())[1])
    Wm, bm = mp_lda(np.ldexp(X, -e), y, shrinkage, covariance)
    Wm = np.ldexp(Wm, -e)
    assert np.abs(W - Wm).max() <= 1e-10 * np.abs(Wm).max(), (W, Wm)
    assert np.abs(b - bm).max() <= 1e-10 * np.abs(bm).max(), (b, bm)


def _labels(F, y):
    return np.asarray(np.asarray(y, dtype=float), dtype=np.int64).ravel()[: np.shape(F)[0]]


def _optimality(fit, F, y, l2, tol, joint):
    """The fitted model's feature expectations minus the data's, plus l2 w: at most tol;
    the gap as documented."""
    F = np.asarray(F, dtype=float)
    w, l2, tol = fit.weights, float(l2), float(tol)
    logits = F @ w
    p = softmax(logits.ravel()).reshape(logits.shape) if joint else softmax(logits, axis=1)
    tau = F[np.arange(F.shape[0]), _labels(F, y)].mean(axis=0)
    expect = np.einsum("ik,ikj->j", p, F) / (1 if joint else F.shape[0])
    g = expect - tau + l2 * w
    assert np.abs(g).max() <= fit.residual * (1 + 1e-6) + 1e-15 and fit.residual <= tol
    # the gap: |g|^2 / (2 l2) <= m residual^2 / (2 l2), or |w . g| <= |w|_1 residual
    bound = g.size * fit.residual**2 / (2 * l2) if l2 > 0 else np.abs(w).sum() * fit.residual
    assert 0 <= fit.gap <= bound * (1 + 1e-9) + 1e-300


def _proba_check(result, X, W, b):
    logits = np.asarray(X, dtype=float) @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float)
    assert np.allclose(result, softmax(logits, axis=-1), rtol=1e-13, atol=1e-300)


def _maxent_proba_check(result, F, weights):
    want = softmax(np.asarray(F, dtype=float) @ np.asarray(weights, dtype=float), axis=-1)
    assert np.allclose(result, want, rtol=1e-13, atol=1e-300)


def _features_check(result, X, n_classes):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    k = int(n_classes)
    want = np.zeros((n, k, k * (d + 1)))
    for i in range(n):
        for c in range(k):
            want[i, c, c * (d + 1) : c * (d + 1) + d] = X[i]
            want[i, c, c * (d + 1) + d] = 1.0
    assert np.array_equal(result, want)


def _maxent_args():
    return {
        "F": real_array(F),
        "y": whole(YF),
        "l2": real(0.1),
        "method": choice("newton", ("newton", "lbfgs")),
        "tol": real(1e-10, aliases=("max_iter",)),  # unreachable tol: max_iter says so
        "max_iter": count(100, supports=NONE, aliases=("tol",)),
        "start": real_array(np.array([0.5, -0.5]), supports=NONE),
    }


ROWS = [
    Row(
        "lda_fit",
        {
            "X": real_array(X),
            "y": whole(Y),
            "shrinkage": real(
                0.25, supports=NONE, extra=(case("ledoit-wolf", "ledoit-wolf", "result"),)
            ),
            "covariance": choice("within", ("within", "total")),
        },
        check=_lda_check,
    ),
    Row(
        "lda_predict_proba",
        {"X": real_array(X), "W": real_array(np.ones((2, 3))), "b": real_array([0.0, 1.0, -1.0])},
        check=_proba_check,
    ),
    Row(
        "maxent_fit",
        _maxent_args(),
        check=lambda result, **a: _optimality(
            result, a["F"], a["y"], a["l2"], a["tol"], joint=False
        ),
    ),
    Row(
        "joint_maxent_fit",
        _maxent_args(),
        check=lambda result, **a: _optimality(
            result, a["F"], a["y"], a["l2"], a["tol"], joint=True
        ),
    ),
    Row(
        "maxent_predict_proba",
        {"F": real_array(F), "weights": real_array([0.5, -1.0])},
        check=_maxent_proba_check,
    ),
    Row("class_features", {"X": real_array(X), "n_classes": count(3)}, check=_features_check),
]
