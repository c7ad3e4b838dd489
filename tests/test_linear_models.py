"""Tests of scispaces.linear_models: closed-form LDA and maximum-entropy fits through the dual."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.covariance import ledoit_wolf
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression

from scispaces.linear_models import (
    class_features,
    joint_maxent_fit,
    lda_fit,
    lda_predict_proba,
    maxent_fit,
    maxent_predict_proba,
)
from scispaces.reference import (
    EPS,
    class_population,
    gis_fit,
    logistic_cv,
    mp_lda,
    sample_population,
)

# =========================================================================== helpers


def gaussian_data(d=4, k=3, per=20, seed=0, family="gaussian"):
    pop = class_population(family, d, k, seed=seed)
    return sample_population(pop, np.full(k, per), seed=seed + 1)


def rel(a, b) -> float:
    return float(np.abs(np.asarray(a) - b).max() / np.abs(b).max())


def parity(noise: bool = False):
    """The post's data: x = 1..100, y = 1 when x is odd; one feature 'x odd and y = 1'.
    With noise, ten labels are flipped (5 odd and 5 even x)."""
    F = np.zeros((100, 2, 1))
    F[::2, 1, 0] = 1.0
    y = 1 - np.arange(100) % 2
    if noise:
        flip = (np.arange(100) % 20 == 0) | (np.arange(100) % 20 == 5)  # x = 1, 21, ...; 6, 26, ...
        y[flip] = 1 - y[flip]
    return F, y


def empirical_gap(F, y, w, l2):
    """max_j |E_w f_j - tau_j + l2 w_j|, recomputed from maxent_predict_proba."""
    p = maxent_predict_proba(F, w)
    tau = F[np.arange(len(y)), y].mean(axis=0)
    return np.abs(np.einsum("ik,ikj->j", p, F) / len(y) - tau + l2 * w).max()


# =========================================================================== LDA: hand cases


def test_lda_hand_case_exact():
    """Class means (2/3, 2/3) and (14/3, 8/3), pooled covariance [[8, -4], [-4, 8]]/9, by hand."""
    X = [[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [4.0, 2.0], [6.0, 2.0], [4.0, 4.0]]
    W, b = lda_fit(X, [0, 0, 0, 1, 1, 1])
    inverse = [[Fraction(3, 2), Fraction(3, 4)], [Fraction(3, 4), Fraction(3, 2)]]
    means = [[Fraction(2, 3), Fraction(2, 3)], [Fraction(14, 3), Fraction(8, 3)]]
    want = [[sum(inverse[i][j] * m[j] for j in range(2)) for m in means] for i in range(2)]
    assert np.allclose(W, np.array(want, dtype=float), rtol=4 * EPS, atol=0)
    quad = [sum(m[i] * want[i][c] for i in range(2)) for c, m in enumerate(means)]
    assert np.allclose(b, np.log(0.5) - np.array(quad, dtype=float) / 2, rtol=4 * EPS)


def test_lda_identity_covariance_and_priors():
    """Within-class residuals +-1 on each axis: Sigma = I, so w_k = mu_k; unequal priors enter b."""
    base = np.array([[-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]])
    X = np.vstack([base, base + [4.0, 2.0], base + [4.0, 2.0]])
    y = [0] * 4 + [1] * 8
    W, b = lda_fit(X, y)
    assert np.array_equal(W, [[0.0, 4.0], [0.0, 2.0]])
    assert np.allclose(b, [np.log(1 / 3), np.log(2 / 3) - 10], rtol=EPS)


def test_one_sample_class_is_a_mean_only():
    """A class with one sample adds nothing to the pooled covariance; its mean is the sample."""
    X, y = gaussian_data(d=3, k=2, per=10)
    X1 = np.vstack([X, [[5.0, 5.0, 5.0]]])
    y1 = np.append(y, 2)
    W, b = lda_fit(X1, y1)
    W0, _ = lda_fit(X, y)
    S = sum(np.cov(X[y == c].T, bias=True) * 10 for c in range(2)) / 21
    assert np.allclose(W[:, 2], np.linalg.solve(S, [5.0, 5.0, 5.0]), rtol=1e-12)
    assert np.allclose(W[:, :2], W0 * 21 / 20, rtol=1e-12)  # Sigma: scatter / 21, not / 20
    assert np.isclose(b[2], np.log(1 / 21) - 0.5 * np.dot([5.0, 5.0, 5.0], W[:, 2]), rtol=1e-12)


def test_total_equals_within_plus_between():
    """The total covariance is the within one plus sum_k p_k (mu_k - mean)(mu_k - mean)^T; for
    K = 2 the total weights are the within ones divided by 1 + p0 p1 Delta^2 (Sherman-Morrison)."""
    X, y = gaussian_data(d=3, k=2, per=15, seed=4)
    W, b = lda_fit(X, y)
    Wt, bt = lda_fit(X, y, covariance="total")
    delta = X[y == 1].mean(0) - X[y == 0].mean(0)
    w = W[:, 1] - W[:, 0]
    factor = 1 + 0.25 * delta @ w
    assert np.allclose(Wt[:, 1] - Wt[:, 0], w / factor, rtol=1e-12)


# =========================================================================== LDA: references


@pytest.mark.parametrize("covariance", ["within", "total"])
@pytest.mark.parametrize("shrinkage", [None, 0.3, "ledoit-wolf"])
def test_lda_matches_mpmath(shrinkage, covariance):
    X, y = gaussian_data(d=6, k=3, per=12, seed=2)
    W, b = lda_fit(X, y, shrinkage, covariance)
    Wm, bm = mp_lda(X, y, shrinkage, covariance)
    assert rel(W, Wm) < 1e-13 and rel(b, bm) < 1e-13


def test_ledoit_wolf_intensity_is_sklearns_on_the_total_covariance():
    """On centred data (covariance='total') the intensity is sklearn's ledoit_wolf's."""
    X, y = gaussian_data(d=8, k=2, per=6, seed=3)
    alpha = ledoit_wolf(X)[1]
    assert np.allclose(
        lda_fit(X, y, "ledoit-wolf", "total")[0], lda_fit(X, y, alpha, "total")[0], rtol=1e-12
    )


@pytest.mark.parametrize("solver", ["lsqr", "eigen"])
@pytest.mark.parametrize("shrinkage", [None, 0.25])
def test_lda_is_sklearns_lsqr_and_eigen(solver, shrinkage):
    """Same estimator (default priors, covariance over N, trace-scaled shrinkage): 1e-10."""
    X, y = gaussian_data(d=20, k=5, per=40, seed=5)
    W, b = lda_fit(X, y, shrinkage)
    sk = LinearDiscriminantAnalysis(solver=solver, shrinkage=shrinkage).fit(X, y)
    assert rel(sk.coef_, W.T) < 1e-10 and rel(sk.intercept_, b) < 1e-10


def test_lda_binary_is_sklearns_difference():
    X, y = gaussian_data(d=5, k=2, per=30, seed=6)
    W, b = lda_fit(X, y)
    sk = LinearDiscriminantAnalysis(solver="lsqr").fit(X, y)
    assert rel(sk.coef_[0], W[:, 1] - W[:, 0]) < 1e-10
    assert rel(sk.intercept_, [b[1] - b[0]]) < 1e-10


def test_lda_svd_solver_same_probabilities():
    X, y = gaussian_data(d=6, k=4, per=25, seed=7)
    W, b = lda_fit(X, y)
    sk = LinearDiscriminantAnalysis(solver="svd").fit(X, y)
    assert np.abs(sk.predict_proba(X) - lda_predict_proba(X, W, b)).max() < 1e-10


def test_sklearn_auto_is_another_estimator():
    """sklearn's shrinkage='auto' shrinks each class towards its own diagonal: not ours."""
    X, y = gaussian_data(d=10, k=3, per=8, seed=8)
    W, _ = lda_fit(X, y, "ledoit-wolf")
    sk = LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto").fit(X, y)
    assert rel(sk.coef_, W.T) > 1e-3


# =========================================================================== LDA: properties


@st.composite
def problems(draw, min_per=None):
    d = draw(st.integers(1, 5))
    k = draw(st.integers(2, 4))
    per = draw(st.integers(min_per or (d // k + 2), 12))
    seed = draw(st.integers(0, 10**6))
    family = draw(st.sampled_from(["gaussian", "exponential"]))
    return gaussian_data(d, k, per, seed, family), seed


@settings(max_examples=40)
@given(
    problems(), st.sampled_from([None, 0.4, "ledoit-wolf"]), st.sampled_from(["within", "total"])
)
def test_relabelling_and_reordering(problem, shrinkage, covariance):
    (X, y), seed = problem
    k = y.max() + 1
    perm = np.random.default_rng(seed).permutation(k)
    rows = np.random.default_rng(seed + 1).permutation(len(y))
    W, b = lda_fit(X, y, shrinkage, covariance)
    W2, b2 = lda_fit(X[rows], perm[y][rows], shrinkage, covariance)
    assert np.allclose(W2[:, perm], W, rtol=1e-9, atol=1e-9 * np.abs(W).max())  # class c -> perm[c]
    assert np.allclose(b2[perm], b, rtol=1e-9, atol=1e-9 * np.abs(b).max())


@settings(max_examples=40)
@given(problems(), st.sampled_from(["within", "total"]), st.integers(0, 10**6))
def test_affine_invariance_without_shrinkage(problem, covariance, seed):
    """Without shrinkage LDA's probabilities are invariant under x -> A x + c, A invertible."""
    (X, y), _ = problem
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    A = np.linalg.qr(rng.standard_normal((d, d)))[0] * rng.uniform(0.5, 2, d)  # cond <= 4
    c = rng.uniform(-3, 3, d)
    P = lda_predict_proba(X, *lda_fit(X, y, covariance=covariance))
    P2 = lda_predict_proba(X @ A + c, *lda_fit(X @ A + c, y, covariance=covariance))
    assert np.abs(P - P2).max() < 1e-9


@settings(max_examples=40)
@given(problems(), st.sampled_from([0.4, "ledoit-wolf"]), st.integers(0, 10**6))
def test_shrinkage_invariant_under_similarities(problem, shrinkage, seed):
    """The target tr(S)/d I is kept by rotations, reflections, uniform scaling and shifts."""
    (X, y), _ = problem
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    A = np.linalg.qr(rng.standard_normal((d, d)))[0] * rng.uniform(0.1, 10)
    c = rng.uniform(-3, 3, d)
    P = lda_predict_proba(X, *lda_fit(X, y, shrinkage))
    P2 = lda_predict_proba(X @ A + c, *lda_fit(X @ A + c, y, shrinkage))
    assert np.abs(P - P2).max() < 1e-9


def test_shrinkage_not_invariant_under_feature_scaling():
    """...but not by scaling one feature: the shrinkage target is then another matrix."""
    X, y = gaussian_data(d=4, k=3, per=5, seed=9)
    scale = np.array([1.0, 1.0, 1.0, 100.0])
    P = lda_predict_proba(X, *lda_fit(X, y, "ledoit-wolf"))
    P2 = lda_predict_proba(X * scale, *lda_fit(X * scale, y, "ledoit-wolf"))
    assert np.abs(P - P2).max() > 1e-2


def test_lda_extreme_scales():
    """Entries near 1e-150 or 1e150 give the scaled weights (power-of-two scaling inside)."""
    X, y = gaussian_data(d=3, k=2, per=10, seed=10)
    W, b = lda_fit(X, y)
    for s in (2.0**-500, 2.0**500):
        Ws, bs = lda_fit(X * s, y)
        assert np.allclose(Ws * s, W, rtol=1e-13) and np.allclose(bs, b, rtol=1e-13)


# =========================================================================== LDA: bad input


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "error", "start"),
    [
        ([[0.0], [1.0], [2.0]], [0, 0, 0], {}, ValueError, "y:"),  # one class
        ([[0.0], [1.0], [2.0]], [0, 2, 2], {}, ValueError, "y:"),  # class 1 missing
        ([[0.0], [1.0], [2.0]], [0, 1, 1.5], {}, ValueError, "y:"),
        ([[0.0], [1.0], [2.0]], [0, 1], {}, ValueError, "y:"),
        ([[0.0], [1.0], [np.nan]], [0, 1, 1], {}, ValueError, "X:"),
        ([0.0, 1.0, 2.0], [0, 1, 1], {}, ValueError, "X:"),
        ([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], [0, 1, 1], {}, ValueError, "X:"),  # N - K < d
        (
            [[0.0, 1.0], [1.0, 0.0]],
            [0, 1],
            {"covariance": "total"},
            ValueError,
            "X:",
        ),
        ([[0.0], [1.0], [2.0], [3.0]], [0, 1, 1, 0], {"shrinkage": 1.5}, ValueError, "shrinkage:"),
        (
            [[0.0], [1.0], [2.0], [3.0]],
            [0, 1, 1, 0],
            {"shrinkage": "auto"},
            ValueError,
            "shrinkage:",
        ),
        (
            [[0.0], [1.0], [2.0], [3.0]],
            [0, 1, 1, 0],
            {"covariance": "pooled"},
            ValueError,
            "covariance:",
        ),
        ([[0.0], [1.0], [2.0], [3.0]], [0, 1, 1, 0], {"covariance": 1}, TypeError, "covariance:"),
        ([["a"], [1.0]], [0, 1], {}, TypeError, "X:"),
    ],
)
def test_lda_bad_input(X, y, kwargs, error, start):
    with pytest.raises(error) as info:
        lda_fit(X, y, **kwargs)
    assert str(info.value).startswith(start)


def test_lda_refuses_singular_covariance_and_says_how_to_fix():
    X, y = gaussian_data(d=3, k=2, per=10)
    X = np.hstack([X, X[:, :1] * 2])  # a feature that is twice another
    with pytest.raises(ValueError, match=r"^X: the covariance is singular.*shrinkage"):
        lda_fit(X, y)
    with pytest.raises(ValueError, match=r"^X: N - K = 3 - 2 < d = 2.*shrinkage='ledoit-wolf'"):
        lda_fit([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], [0, 1, 1])
    W, _ = lda_fit(X, y, shrinkage=0.1)  # shrinkage fixes it
    assert np.isfinite(W).all()


def test_predict_proba_shapes_and_errors():
    W, b = np.ones((3, 2)), np.zeros(2)
    assert lda_predict_proba(np.zeros(3), W, b).shape == (2,)
    assert lda_predict_proba(np.zeros((4, 3)), W, b).shape == (4, 2)
    for args, start in [
        ((np.zeros(2), W, b), "X, W:"),
        ((np.zeros(3), W, np.zeros(3)), "W, b:"),
        ((np.zeros(3), np.ones(3), b), "W:"),
        ((np.full(3, 1e308), W, b), "X, W, b:"),
    ]:
        with pytest.raises(ValueError) as info:
            lda_predict_proba(*args)
        assert str(info.value).startswith(start)


# =========================================================================== maxent: hand cases


def test_maxent_three_in_four():
    F = np.zeros((4, 2, 1))
    F[:, 1, 0] = 1.0
    for method in ("newton", "lbfgs"):
        fit = maxent_fit(F, [1, 1, 1, 0], method=method)
        assert abs(fit.weights[0] - np.log(3)) < 1e-9 and fit.residual <= 1e-10


def test_parity_joint_gives_three_quarters():
    F, y = parity()
    for method in ("newton", "lbfgs"):
        fit = joint_maxent_fit(F, y, method=method)
        assert abs(np.exp(fit.weights[0]) - 3) < 1e-9
        assert np.allclose(maxent_predict_proba(F[0], fit.weights), [0.25, 0.75], atol=1e-10)


def test_parity_conditional_gives_one_in_the_limit():
    """Separable data: no finite optimum; the fit matches the constraint to tol, p(1|odd) -> 1."""
    F, y = parity()
    fit = maxent_fit(F, y)
    p = maxent_predict_proba(F, fit.weights)
    assert fit.residual <= 1e-10 and 1 - p[0, 1] <= 1e-9 and np.allclose(p[1], 0.5)
    assert 15 < fit.weights[0] < 30  # of order log(1 / tol)


def test_parity_with_noise():
    """45 of the 50 odd x labelled 1: conditional p(1|odd) = 0.9; joint 3 tau / (1 + 2 tau)."""
    F, y = parity(noise=True)
    tau = 0.45
    cond, joint = maxent_fit(F, y), joint_maxent_fit(F, y)
    # the constraint (1/2) p(1|odd) = tau holds to the residual; d/dtau of 3 tau/(1 + 2 tau) < 1.5
    assert abs(maxent_predict_proba(F[0], cond.weights)[1] - 0.9) <= 2 * cond.residual + EPS
    joint_p = maxent_predict_proba(F[0], joint.weights)[1]
    assert abs(joint_p - 3 * tau / (1 + 2 * tau)) <= 1.5 * joint.residual + EPS
    weights, steps, residual = gis_fit(F, y)
    assert (
        residual <= 1e-10
        and abs(weights[0] - cond.weights[0]) < 1e-8
        and steps > 10 * cond.iterations
    )


def test_gap_with_l2_bounds_the_suboptimality():
    X, y = gaussian_data(d=3, k=3, per=15, seed=11)
    F = class_features(X, 3)
    loose = maxent_fit(F, y, l2=0.1, tol=1e-4)
    tight = maxent_fit(F, y, l2=0.1, tol=1e-13)

    def dual(w):
        logits = F @ w
        top = logits.max(axis=1)
        lse = top + np.log(np.exp(logits - top[:, None]).sum(axis=1))
        return lse.mean() - F[np.arange(len(y)), y].mean(0) @ w + 0.05 * w @ w

    assert 0 <= dual(loose.weights) - dual(tight.weights) <= loose.gap
    assert loose.gap == pytest.approx(
        np.sum(empirical_gap_vector(F, y, loose.weights, 0.1) ** 2) / 0.2
    )


def empirical_gap_vector(F, y, w, l2):
    p = maxent_predict_proba(F, w)
    tau = F[np.arange(len(y)), y].mean(axis=0)
    return np.einsum("ik,ikj->j", p, F) / len(y) - tau + l2 * w


# =========================================================================== maxent: references


def test_logistic_regression_is_sklearns():
    """f = e_k x (x, 1) and l2 = 1/(C N): sklearn's LogisticRegression(C, no intercept) on
    [X, 1]; agreement to sklearn's convergence (newton-cg, tol 1e-12)."""
    X, y = gaussian_data(d=20, k=5, per=40, seed=12)
    C, n = 0.5, len(y)
    fit = maxent_fit(class_features(X, 5), y, l2=1 / (C * n))
    sk = LogisticRegression(C=C, fit_intercept=False, solver="newton-cg", tol=1e-12, max_iter=1000)
    sk.fit(np.hstack([X, np.ones((n, 1))]), y)
    assert rel(sk.coef_.ravel(), fit.weights) < 1e-8


def test_newton_lbfgs_gis_agree():
    rng = np.random.default_rng(13)
    F = (rng.random((60, 3, 4)) < 0.4).astype(float)
    F[:, :, 3] = 1.0  # every feature fires somewhere
    y = rng.integers(0, 3, 60)
    newton = maxent_fit(F, y)
    lbfgs = maxent_fit(F, y, method="lbfgs")
    gis_w, gis_steps, gis_r = gis_fit(F, y)
    P = maxent_predict_proba(F, newton.weights)
    for w in (lbfgs.weights, gis_w):
        assert np.abs(maxent_predict_proba(F, w) - P).max() < 1e-8
    assert max(newton.residual, lbfgs.residual, gis_r) <= 1e-10
    assert newton.iterations < 20 and gis_steps > 10 * lbfgs.iterations


def test_logistic_cv_picks_from_the_grid():
    X, y = gaussian_data(d=3, k=3, per=10, seed=14)
    W, b, l2 = logistic_cv(X, y, 3, l2_grid=[0.01, 0.1, 1.0])
    assert l2 in (0.01, 0.1, 1.0) and W.shape == (3, 3) and b.shape == (3,)


# =========================================================================== maxent: properties


@st.composite
def maxent_problems(draw):
    n = draw(st.integers(2, 30))
    k = draw(st.integers(2, 4))
    m = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 10**6))
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, k, m)), rng.integers(0, k, n), seed


@settings(max_examples=40)
@given(maxent_problems(), st.sampled_from([0.0, 0.05]), st.sampled_from(["newton", "lbfgs"]))
def test_feature_expectations_matched(problem, l2, method):
    """The residual is what it says: recomputed from the probabilities, conditional and joint."""
    F, y, _ = problem
    fit = maxent_fit(F, y, l2=l2, method=method, max_iter=20000)
    assert fit.residual <= 1e-10 and empirical_gap(F, y, fit.weights, l2) <= 1.1e-10
    joint = joint_maxent_fit(F, y, l2=l2, method=method, max_iter=20000)
    p = np.exp(F @ joint.weights - (F @ joint.weights).max())
    p /= p.sum()
    tau = F[np.arange(len(y)), y].mean(axis=0)
    assert np.abs(np.einsum("ik,ikj->j", p, F) - tau + l2 * joint.weights).max() <= 1.1e-10


@settings(max_examples=40)
@given(maxent_problems(), st.integers(0, 10**6))
def test_maxent_relabelling_and_reparametrisation(problem, seed):
    """Permuting classes permutes the probabilities; F -> F A (A invertible) keeps them."""
    F, y, _ = problem
    rng = np.random.default_rng(seed)
    k, m = F.shape[1:]
    perm = rng.permutation(k)
    A = np.linalg.qr(rng.standard_normal((m, m)))[0] * rng.uniform(0.5, 2, m)
    P = maxent_predict_proba(F, maxent_fit(F, y, l2=0.05).weights)
    F2 = np.empty_like(F)
    F2[:, perm] = F
    P2 = maxent_predict_proba(F2, maxent_fit(F2, perm[y], l2=0.05).weights)
    assert np.abs(P2[:, perm] - P).max() < 1e-8
    P3 = maxent_predict_proba(F @ A, maxent_fit(F @ A, y, l2=0.0, max_iter=200).weights)
    assert np.abs(P3 - maxent_predict_proba(F, maxent_fit(F, y, max_iter=200).weights)).max() < 1e-6


# =========================================================================== maxent: bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "start"),
    [
        ({"l2": -1.0}, ValueError, "l2:"),
        ({"method": "gis"}, ValueError, "method:"),
        ({"method": None}, TypeError, "method:"),
        ({"tol": 0.0}, ValueError, "tol:"),
        ({"max_iter": 0}, ValueError, "max_iter:"),
        ({"max_iter": 1.5}, TypeError, "max_iter:"),
        ({"y": [0, 2, 1, 0]}, ValueError, "y:"),
        ({"y": [0, 1, 1]}, ValueError, "y:"),
        ({"F": np.zeros((4, 2))}, ValueError, "F:"),
        ({"F": np.full((4, 2, 1), np.inf)}, ValueError, "F:"),
    ],
)
def test_maxent_bad_input(kwargs, error, start):
    args = {"F": np.zeros((4, 2, 1)), "y": [0, 1, 1, 0], **kwargs}
    with pytest.raises(error) as info:
        maxent_fit(**args)
    assert str(info.value).startswith(start)


def test_maxent_max_iter_names_itself():
    F, y = parity()
    with pytest.raises(ValueError, match="^max_iter: newton stopped after 5 steps"):
        maxent_fit(F, y, max_iter=5)


def test_class_features_layout_and_errors():
    F = class_features([[1.0, 2.0], [3.0, 4.0]], 3)
    assert F.shape == (2, 3, 9)
    assert np.array_equal(F[1, 2], [0, 0, 0, 0, 0, 0, 3, 4, 1])
    with pytest.raises(ValueError, match="^n_classes:"):
        class_features([[1.0]], 0)
    with pytest.raises(TypeError, match="^n_classes:"):
        class_features([[1.0]], 2.0)


def test_warm_start_same_optimum_fewer_steps():
    X, y = gaussian_data(d=4, k=3, per=20, seed=15)
    F = class_features(X, 3)
    cold = maxent_fit(F, y, l2=0.01)
    warm = maxent_fit(F, y, l2=0.01, start=maxent_fit(F, y, l2=0.02).weights)
    assert np.abs(warm.weights - cold.weights).max() < 1e-8
    assert warm.iterations < cold.iterations
    with pytest.raises(ValueError, match="^start:"):
        maxent_fit(F, y, start=np.zeros(3))
    with pytest.raises(ValueError, match="^start:"):
        maxent_fit(F, y, start=np.full(F.shape[2], 1e3))
